/*
 * report_plots.c - the plots of a report: per workload and pin policy a
 * sweep (metric against threads, or against T), the latency CDFs and the
 * per-lifecycle counters of its headline configuration; per pin policy
 * the peak zombies of every workload.  Each writes its data under
 * DIR/plots/data/ and a gnuplot driver (report_gp.c).
 */
#include "report_impl.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- sweeps ------------------------------------------------------------- */

struct sweep {
	const char *w, *pin;
	const char *name;	/* the plot's prefix; NULL: by its metric */
	bool	 by_t;		/* over T, at the largest thread count */
	int	 tsel;		/* that thread count */
	struct report_metric m;
	const char *d[REPORT_MAXD];	/* designs with a median */
	size_t	 nd;
	const char *dd[REPORT_MAXD];	/* ... that have points */
	size_t	 ndd, npts;
	double	 ref, scale;	/* best median; display divisor */
	char	 unit[64];
	double	 xmin, xmax, ymin, ymax;
};

static bool
sweep_skip(const struct sweep *sw, const struct report_table *t)
{
	return strcmp(t->workload, sw->w) != 0 || strcmp(t->pin, sw->pin) ||
	    (sw->by_t && t->threads != sw->tsel);
}

/* The metric, the designs measured and the best median of the sweep. */
static void
sweep_designs(struct gp_ctx *gc, struct sweep *sw)
{
	for (size_t i = 0; i < gc->nt; i++)
		if (!strcmp(gc->t[i].workload, sw->w) &&
		    !strcmp(gc->t[i].pin, sw->pin) &&
		    gc->t[i].threads > sw->tsel)
			sw->tsel = gc->t[i].threads;
	for (size_t i = 0; i < gc->nt; i++) {
		const struct report_table *t = &gc->t[i];

		if (sweep_skip(sw, t))
			continue;
		sw->m = t->m;
		for (size_t k = 0; k < t->nrows; k++) {
			const struct report_row *row = &t->rows[k];
			bool seen = false;

			for (size_t j = 0; j < sw->nd; j++)
				seen |= strcmp(sw->d[j], row->s->design) == 0;
			if (!seen && sw->nd < REPORT_MAXD &&
			    !isnan(row->median))
				sw->d[sw->nd++] = row->s->design;
			if (row->best)
				sw->ref = isnan(sw->ref) ? row->median :
				    fmax(sw->ref, row->median);
		}
	}
	report_sort_designs(sw->d, sw->nd);
}

/* One block per design: x median ci_lo ci_hi. */
static void
sweep_data(struct gp_ctx *gc, struct sweep *sw, FILE *f)
{
	fprintf(f, "# %s of %s, pin %s: x median ci_lo ci_hi (%s)\n",
	    sw->m.label, sw->w, sw->pin, sw->unit);
	for (size_t j = 0; j < sw->nd; j++) {
		size_t before = sw->npts;

		fprintf(f, "# design %s\n", sw->d[j]);
		for (size_t i = 0; i < gc->nt; i++) {
			const struct report_table *t = &gc->t[i];
			double x = sw->by_t ? t->tcount : t->threads;

			if (sweep_skip(sw, t))
				continue;
			for (size_t k = 0; k < t->nrows; k++) {
				const struct report_row *row = &t->rows[k];
				double s = sw->scale;

				if (strcmp(row->s->design, sw->d[j]) != 0 ||
				    isnan(row->median))
					continue;
				fprintf(f, "%g %.6g %.6g %.6g\n", x,
				    row->median / s, row->ci.lo / s,
				    row->ci.hi / s);
				sw->xmin = fmin(sw->xmin, x);
				sw->xmax = fmax(sw->xmax, x);
				sw->ymin = fmin(sw->ymin, row->ci.lo / s);
				sw->ymax = fmax(sw->ymax, row->ci.hi / s);
				sw->npts++;
			}
		}
		fprintf(f, "\n\n");
		if (sw->npts > before)
			sw->dd[sw->ndd++] = sw->d[j];
	}
}

static void
sweep_driver(struct gp_ctx *gc, const struct sweep *sw, const char *data)
{
	char *out, title[256], ylab[256];
	FILE *f;

	out = path_join(gc->pdir, "%s-%s-%s", sw->name != NULL ? sw->name :
	    sw->by_t ? "teardown-latency" : (sw->m.higher_better ?
	    "throughput" : "time"), sw->w, sw->pin);
	if (sw->by_t)
		snprintf(title, sizeof(title), "%s: %s vs T (LWPs per process),"
		    " t:%d", sw->w, sw->m.label, sw->tsel);
	else
		snprintf(title, sizeof(title), "%s: %s vs threads", sw->w,
		    sw->m.label);
	snprintf(ylab, sizeof(ylab), "%s (%s)%s", sw->m.label, sw->unit,
	    sw->m.higher_better ? ", higher is better" : ", lower is better");
	gp_begin(gc, "sweep", out, title, sw->pin);
	f = gc->drv;
	fprintf(f, "data = ");
	gp_str(f, data);
	fprintf(f, "\n");
	gp_designs(f, "designs", sw->dd, sw->ndd);
	fprintf(f, "xlab = '%s'\nylab = ", sw->by_t ?
	    "T: LWPs in the process torn down" : "threads (workers)");
	gp_str(f, ylab);
	fprintf(f, "\nlogx = %d\nlogy = %d\nnote = ''\n",
	    sw->xmax / sw->xmin >= 8, !sw->m.higher_better && sw->ymin > 0 &&
	    sw->ymax / sw->ymin >= 30);
	if (sw->xmax / sw->xmin >= 8)
		fprintf(f, "xlo = %g\nxhi = %g\n", sw->xmin / 1.4,
		    sw->xmax * 1.4);
	else
		fprintf(f, "xlo = %g\nxhi = %g\n", sw->xmin - 0.5,
		    sw->xmax + 0.5);
	fprintf(f, "xstep = %d\n", sw->xmax - sw->xmin <= 16 ? 1 : 0);
	if (sw->xmin == sw->xmax)
		fprintf(f, "note = 'one %s value measured: no sweep'\n",
		    sw->by_t ? "T" : "thread-count");
	gp_end(gc);
	free(out);
}

/* Metric vs threads (or vs T) for one workload and pin; name: the
 * plot's prefix (NULL: by its metric). */
static void
plot_sweep(struct gp_ctx *gc, const char *w, const char *pin,
    const char *name)
{
	const struct bench_workload_info *wi = bench_workload_find(w);
	struct sweep sw = {
		.w = w, .pin = pin, .by_t = wi != NULL && wi->by_tcount,
		.ref = NAN, .xmin = INFINITY, .ymin = INFINITY, .name = name,
	};
	struct report_file rf;
	char *path;
	FILE *f;

	sweep_designs(gc, &sw);
	if (sw.nd == 0 || isnan(sw.ref))
		return;
	sw.scale = report_unit_scale(&sw.m, sw.ref, sw.unit, sizeof(sw.unit));
	path = path_join(gc->ddir, "sweep-%s%s%s-%s.dat", name ? name : "",
	    name ? "-" : "", w, pin);
	if ((f = gp_data_open(gc, &rf, path)) != NULL) {
		sweep_data(gc, &sw, f);
		gp_data_close(gc, &rf);
		if (sw.npts > 0)
			sweep_driver(gc, &sw, path);
	}
	free(path);
}

/* ---- latency CDFs ------------------------------------------------------- */

/* Tics: 1-2-5 per decade over a narrow range, decades otherwise. */
static void
cdf_tics(FILE *drv, const struct rdir_series *const *s, size_t n)
{
	static const char *const su[] = { "ns", "µs", "ms", "s" };
	double lo = INFINITY, hi = 0;
	bool first = true;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s[i]->ncdf; k++)
			if (s[i]->cdf[k].ns > 0) {
				lo = fmin(lo, s[i]->cdf[k].ns);
				hi = fmax(hi, s[i]->cdf[k].ns);
			}
	fprintf(drv, "xtics_cmd = 'set xtics (");
	for (double dec = 1; dec <= 1e10; dec *= 10)
		for (int m = 1; m <= 5; m++) {
			double v = dec * m;
			int e = 0;

			if ((m == 3 || m == 4) ||
			    ((m == 2 || m == 5) && hi / lo >= 20))
				continue;
			for (double q = v; q >= 1000 && e < 3; q /= 1000)
				e++;
			fprintf(drv, "%s\"%g %s\" %g", first ? "" : ", ",
			    v / pow(1000, e), su[e], v);
			first = false;
		}
	fprintf(drv, ")'\n");
}

static void
cdf_driver(struct gp_ctx *gc, const struct report_table *t,
    const struct rdir_series *const *s, size_t n)
{
	char *out, title[256], cfg[128], xlab[512];
	const char *what = rdir_ctx(gc->r, BC_LATENCY, t->workload);
	const char *d[REPORT_MAXD];

	for (size_t i = 0; i < n; i++)
		d[i] = s[i]->design;
	report_config_name(t, cfg, sizeof(cfg));
	out = path_join(gc->pdir, "latency-cdf-%s-%s", t->workload, t->pin);
	snprintf(title, sizeof(title), "%s: latency distribution (%s)",
	    t->workload, cfg);
	/* teardown/storm: the files hold parent wakes, not all freed */
	snprintf(xlab, sizeof(xlab), "latency measured%s%.*s", what ?
	    ": " : " (no definition recorded in the run)", what ? (int)(
	    strstr(what, "; all freed") ? strstr(what, "; all freed") - what :
	    (ptrdiff_t)strlen(what)) : 0, what ? what : "");
	gp_begin(gc, "cdf", out, title, t->pin);
	fprintf(gc->drv, "xlab = ");
	gp_str(gc->drv, xlab);
	fprintf(gc->drv, "\n");
	gp_designs(gc->drv, "designs", d, n);
	cdf_tics(gc->drv, s, n);
	fprintf(gc->drv, "files = '");
	for (size_t i = 0; i < n; i++)
		fprintf(gc->drv, "%s%s", i ? " " : "", s[i]->lat_path);
	fprintf(gc->drv, "'\n");
	gp_end(gc);
	free(out);
}

/* Exit->free latency CDFs (read by rdir_load) of the headline
 * configuration. */
static void
plot_cdf(struct gp_ctx *gc, const struct report_table *t)
{
	const struct rdir_series *s[REPORT_MAXD];
	size_t n = 0, ns = 0;

	for (size_t k = 0; k < t->nrows && ns < REPORT_MAXD; k++)
		s[ns++] = t->rows[k].s;
	report_sort_series(s, ns);
	for (size_t k = 0; k < ns; k++)
		if (s[k]->lat_path != NULL)
			s[n++] = s[k];
	if (n > 0)
		cdf_driver(gc, t, s, n);
}

/* ---- per-lifecycle counters --------------------------------------------- */

/* The panels of the counter plot. */
static const struct ctr_panel {
	enum bench_key key;
	const char *label;
	double	 scale;		/* displayed = value * scale */
} ctr_panels[] = {
	{ BK_CYCLES_PER_OP, "cycles / lifecycle", 1 },
	{ BK_INSTRUCTIONS_PER_OP, "instructions / lifecycle", 1 },
	{ BK_CTX_SWITCHES_PER_OP, "context switches / lifecycle", 1 },
	{ BK_CPU_NS_PER_OP, "CPU time / lifecycle (ns)", 1 },
	{ BK_REAPER_CPU_SHARE, "reaper share of CPU time (%)", 100 },
	{ BK_ZOMBIES_PEAK, "peak zombie LWPs (exited, not freed)", 1 },
};
#define NPANEL	(sizeof(ctr_panels) / sizeof(ctr_panels[0]))

static double
panel_value(const struct rdir_series *s, size_t p)
{
	return report_series_median(s, ctr_panels[p].key, ctr_panels[p].scale);
}

/* Per design a row of panel medians (NaN: not measured). */
static bool
counters_data(struct gp_ctx *gc, const char *path,
    const struct rdir_series *const *s, size_t n)
{
	struct report_file rf;
	FILE *f = gp_data_open(gc, &rf, path);

	if (f == NULL)
		return false;
	fprintf(f, "# design");
	for (size_t p = 0; p < NPANEL; p++)
		fprintf(f, " %s", BENCH_KEY(ctr_panels[p].key));
	fprintf(f, "  (medians over repetitions; NaN: not measured)\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s", s[i]->design);
		for (size_t p = 0; p < NPANEL; p++) {
			double v = panel_value(s[i], p);

			if (isnan(v))
				fprintf(f, " NaN");
			else
				fprintf(f, " %.6g", v);
		}
		fprintf(f, "\n");
	}
	gp_data_close(gc, &rf);
	return true;
}

/* Panel p's range, gap flag and what to say when nothing was measured. */
static void
counters_panel(struct gp_ctx *gc, const struct rdir_series *const *s,
    size_t n, size_t p)
{
	const struct bench_key_info *ki = &bench_keys[ctr_panels[p].key];
	char msg[400], why2[256];
	const char *why;
	bool pmu = report_pmu_available(gc->r, &why), any = false, gap = false;
	double pmax = 0;

	for (size_t i = 0; i < n; i++) {
		double v = panel_value(s[i], p);

		any |= !isnan(v);
		gap |= isnan(v);
		if (v > pmax)
			pmax = v;
	}
	fprintf(gc->drv, "gap%zu = %d\n", p + 1, gap);
	/* Room above the tallest bar for its label; all-zero panels get a
	 * unit range rather than an empty one. */
	fprintf(gc->drv, "pmax%zu = %.6g\n", p + 1, pmax > 0 ? pmax * 1.2 : 1);
	if (any)
		msg[0] = '\0';
	else if (ki->event != NULL && report_event_reason(gc->r, ki->event,
	    why2, sizeof(why2)) != NULL)
		snprintf(msg, sizeof(msg), "unavailable: %s", why2);
	else if (ki->hw && !pmu)
		snprintf(msg, sizeof(msg), "unavailable: %s", why);
	else
		snprintf(msg, sizeof(msg),
		    "unavailable: not measured in this run");
	fprintf(gc->drv, "plab%zu = ", p + 1);
	gp_str(gc->drv, ctr_panels[p].label);
	fprintf(gc->drv, "\nunav%zu = ", p + 1);
	gp_wrapped(gc->drv, msg, 34);
	fprintf(gc->drv, "\n");
}

/* Per-lifecycle counter bars of the headline configuration. */
static void
plot_counters(struct gp_ctx *gc, const struct report_table *t)
{
	const struct rdir_series *s[REPORT_MAXD];
	const char *d[REPORT_MAXD];
	char *path, *out, title[256], cfg[128];
	size_t n = 0;

	for (size_t k = 0; k < t->nrows && n < REPORT_MAXD; k++)
		s[n++] = t->rows[k].s;
	report_sort_series(s, n);
	for (size_t i = 0; i < n; i++)
		d[i] = s[i]->design;
	path = path_join(gc->ddir, "counters-%s-%s.dat", t->workload, t->pin);
	if (!counters_data(gc, path, s, n)) {
		free(path);
		return;
	}
	report_config_name(t, cfg, sizeof(cfg));
	out = path_join(gc->pdir, "counters-%s-%s", t->workload, t->pin);
	snprintf(title, sizeof(title), "%s: per-lifecycle costs by design "
	    "(%s; all threads, reapers included)", t->workload, cfg);
	gp_begin(gc, "counters", out, title, t->pin);
	fprintf(gc->drv, "data = ");
	gp_str(gc->drv, path);
	fprintf(gc->drv, "\n");
	gp_designs(gc->drv, "designs", d, n);
	for (size_t p = 0; p < NPANEL; p++)
		counters_panel(gc, s, n, p);
	fprintf(gc->drv, "npanel = %zu\n", NPANEL);
	gp_end(gc);
	free(out);
	free(path);
}

/* ---- zombies ------------------------------------------------------------ */

struct zombies {
	const char *pin;
	const char *w[REPORT_MAXW], *d[REPORT_MAXD];
	size_t	 nw, nd;
	char	 nomeas[512];	/* designs left out: never any zombies */
	double	 zmax, zmin;
	bool	 any;
};

static double
zombies_of(const struct report_table *h, const char *design)
{
	double v = NAN;

	for (size_t k = 0; h != NULL && k < h->nrows; k++)
		if (strcmp(h->rows[k].s->design, design) == 0)
			v = report_series_median(h->rows[k].s,
			    BK_ZOMBIES_PEAK, 1);
	return v;
}

/* Designs that never report zombies (native) are left out. */
static void
zombies_designs(struct gp_ctx *gc, struct zombies *z)
{
	size_t k = 0;

	z->nomeas[0] = '\0';
	for (size_t j = 0; j < z->nd; j++) {
		bool has = false;

		for (size_t i = 0; i < z->nw && !has; i++)
			has = !isnan(zombies_of(report_headline(gc->t, gc->nt,
			    z->w[i], z->pin), z->d[j]));
		if (has)
			z->d[k++] = z->d[j];
		else
			snprintf(z->nomeas + strlen(z->nomeas),
			    sizeof(z->nomeas) - strlen(z->nomeas), "%s%s",
			    *z->nomeas ? ", " : "", z->d[j]);
	}
	z->nd = k;
}

/* A row per workload (its headline), a column per design; rows written. */
static size_t
zombies_data(struct gp_ctx *gc, struct zombies *z, FILE *f)
{
	size_t rows = 0;

	fprintf(f, "# workload");
	for (size_t j = 0; j < z->nd; j++)
		fprintf(f, " %s", z->d[j]);
	fprintf(f, "\n");
	for (size_t i = 0; i < z->nw; i++) {
		const struct report_table *h = report_headline(gc->t, gc->nt,
		    z->w[i], z->pin);

		if (h == NULL)
			continue;
		fprintf(f, "\"%s (%s:%d)\"", z->w[i], h->tcount > 0 ? "T" :
		    "t", h->tcount > 0 ? h->tcount : h->threads);
		for (size_t j = 0; j < z->nd; j++) {
			double v = zombies_of(h, z->d[j]);

			z->any |= !isnan(v);
			if (isnan(v))
				fprintf(f, " NaN");
			else
				fprintf(f, " %.6g", v);
			if (v > z->zmax)
				z->zmax = v;
			if (v > 0 && v < z->zmin)
				z->zmin = v;
		}
		fprintf(f, "\n");
		rows++;
	}
	return rows;
}

static void
zombies_driver(struct gp_ctx *gc, const struct zombies *z, const char *data)
{
	char *out = path_join(gc->pdir, "zombies-%s", z->pin), nm[600];

	gp_begin(gc, "zombies", out,
	    "Peak zombie LWPs held (exited, not yet freed), by workload",
	    z->pin);
	fprintf(gc->drv, "data = ");
	gp_str(gc->drv, data);
	fprintf(gc->drv, "\n");
	gp_designs(gc->drv, "designs", z->d, z->nd);
	/* Zombies span orders of magnitude (deferred reaping piles them
	 * up): a log axis then, or the small designs vanish. */
	fprintf(gc->drv, "zmax = %.6g\nzlog = %d\n", z->zmax > 0 ?
	    z->zmax * 1.1 : 1, z->zmax > 0 && z->zmax / z->zmin >= 50);
	fprintf(gc->drv, "note = '%s'\nnomeas = ", z->any ? "" :
	    "unavailable: zombies_peak not measured in this run");
	snprintf(nm, sizeof(nm), "%s%s", *z->nomeas ?
	    "not measured (no zombies of a model design): " : "", z->nomeas);
	gp_str(gc->drv, nm);
	fprintf(gc->drv, "\n");
	gp_end(gc);
	free(out);
}

/* Peak zombie LWPs per design across workloads, for one pin policy. */
static void
plot_zombies(struct gp_ctx *gc, const char *pin)
{
	struct zombies z = { .pin = pin, .zmin = INFINITY };
	struct report_file rf;
	char *path;
	size_t rows = 0;
	FILE *f;

	z.nw = report_workloads(gc->t, gc->nt, z.w, REPORT_MAXW);
	z.nd = report_designs(gc->r, z.d, REPORT_MAXD);
	zombies_designs(gc, &z);
	path = path_join(gc->ddir, "zombies-%s.dat", pin);
	if ((f = gp_data_open(gc, &rf, path)) != NULL) {
		rows = zombies_data(gc, &z, f);
		gp_data_close(gc, &rf);
		if (rows > 0)
			zombies_driver(gc, &z, path);
	}
	free(path);
}

/* ---- all of them -------------------------------------------------------- */

/* A rounds workload: the sweep of each teardown figure's p50 as well
 * (parent-wakes-<w>-<pin>, all-freed-<w>-<pin>). */
static void
plot_figures(struct gp_ctx *gc, const char *w, const char *pin)
{
	const struct bench_workload_info *wi = bench_workload_find(w);
	const struct report_table *t = gc->t;
	size_t nt = gc->nt;

	if (wi == NULL || !wi->rounds)
		return;
	for (int fig = REPORT_WAKES; fig <= REPORT_FREED; fig++) {
		size_t nf;
		struct report_table *ft = report_tables_figure(t, nt,
		    (enum report_figure)fig, &nf);

		gc->t = ft;
		gc->nt = nf;
		if (nf > 0)
			plot_sweep(gc, w, pin, fig == REPORT_WAKES ?
			    "parent-wakes" : "all-freed");
		gc->t = t;
		gc->nt = nt;
		report_tables_free(ft, nf);
	}
}

static void
plots_all(struct gp_ctx *gc)
{
	const char *w[REPORT_MAXW], *pins[REPORT_MAXP];
	size_t nw = report_workloads(gc->t, gc->nt, w, REPORT_MAXW), np;

	for (size_t i = 0; i < nw; i++) {
		np = report_pins(gc->t, gc->nt, w[i], pins, REPORT_MAXP);
		for (size_t p = 0; p < np; p++) {
			const struct report_table *h = report_headline(gc->t,
			    gc->nt, w[i], pins[p]);

			plot_sweep(gc, w[i], pins[p], NULL);
			plot_figures(gc, w[i], pins[p]);
			if (h != NULL) {
				plot_cdf(gc, h);
				plot_counters(gc, h);
			}
		}
	}
	np = report_pins(gc->t, gc->nt, NULL, pins, REPORT_MAXP);
	for (size_t k = 0; k < np; k++)
		plot_zombies(gc, pins[k]);
}

int
report_plots(const struct rdir *r, const struct report_table *t, size_t nt,
    const char *gpdir, bool run_gnuplot, char *err, size_t len)
{
	struct gp_ctx gc = { .r = r, .t = t, .nt = nt };
	char *common = path_join(gpdir, "common.gp");
	int rc = -1;

	gc.pdir = path_join(r->dir, "plots");
	gc.ddir = path_join(gc.pdir, "data");
	if (report_mkdir_p(gc.ddir) != 0) {
		report_seterr(err, len, "%s: %s", gc.ddir, strerror(errno));
		goto out;
	}
	if (run_gnuplot && !report_file_exists(common)) {
		report_seterr(err, len, "%s: %s (run from the repository root "
		    "or pass --gp-dir)", common, strerror(errno));
		goto out;
	}
	plots_all(&gc);
	rc = gp_finish(&gc, gpdir, run_gnuplot, err, len);
out:
	for (size_t i = 0; i < gc.nplots; i++) {
		free(gc.files[i]);
		free(gc.outs[i]);
	}
	free(gc.files);
	free(gc.outs);
	free(gc.pdir);
	free(gc.ddir);
	free(common);
	return rc;
}
