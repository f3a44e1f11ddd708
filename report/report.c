/*
 * report.c - `reapbench report`: tables, plots and REPORT.md.
 *
 *   reapbench report [--no-plots | --plots-only] [--gp-dir D]
 *                    [--profiles-dir D] [-o FILE] DIR
 *   reapbench report --baseline DIR1 DIR2 [-o FILE]
 *
 * The first form groups DIR's series by configuration (workload, pin
 * policy, threads, T), compares the designs of each on the workload's
 * headline metric, writes gnuplot data and a driver script under
 * DIR/plots/data/, runs gnuplot over the scripts in plots/ (PNG and SVG
 * into DIR/plots/), and writes DIR/REPORT.md (through a temporary file and
 * rename(2), so a reader never sees half a report).  The second compares
 * two runs benchmark by benchmark, as ratios DIR2 / DIR1, into
 * DIR2/COMPARE.md.
 */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- workloads, designs and metrics ------------------------------------ */

static const struct bench_metric metric_rate = {
	"items_per_second", "throughput", "LWPs/s", true
};
static const struct bench_metric metric_time = {
	"real_time", "time per iteration", "ns", false
};

static const struct wl_info {
	const char *name;
	const char *about;
	struct bench_metric m;
	bool	 by_tcount;	/* swept over T, not threads */
} wl_infos[] = {
	{ "churn_shared", "Every worker creates, runs and exits detached "
	  "LWPs of one shared process; an LWP counts once it is freed.",
	  { "items_per_second", "throughput", "LWPs/s", true }, false },
	{ "churn_private", "As churn_shared, but each worker churns LWPs of "
	  "a process of its own.",
	  { "items_per_second", "throughput", "LWPs/s", true }, false },
	{ "join", "Joinable LWPs exit on one CPU and are collected by "
	  "lwp_wait on another.",
	  { "items_per_second", "throughput", "LWPs/s", true }, false },
	{ "teardown", "A process of T running LWPs is killed by proc_exit "
	  "and reaped by its parent; time per teardown.",
	  { "real_time", "time per teardown", "ns", false }, true },
	{ "storm", "P processes of T LWPs all exit at once; time until all "
	  "are reaped.",
	  { "real_time", "time per storm", "ns", false }, false },
	{ "observers", "Churn while K threads look LWPs up and hold them "
	  "briefly.",
	  { "items_per_second", "throughput", "LWPs/s", true }, false },
};
#define NWL	(sizeof(wl_infos) / sizeof(wl_infos[0]))

static const struct wl_info *
wl_info(const char *workload)
{
	for (size_t i = 0; i < NWL; i++)
		if (strcmp(wl_infos[i].name, workload) == 0)
			return &wl_infos[i];
	return NULL;
}

static const char *const design_order[] = {
	"dragonfly", "dragonfly-2010", "netbsd", "netbsd-2007", "hybrid",
	"native", NULL
};

int
bench_design_order(const char *design)
{
	int i;

	for (i = 0; design_order[i] != NULL; i++)
		if (strcmp(design_order[i], design) == 0)
			return i;
	return i;
}

bool
bench_design_is_reference(const char *design)
{
	return strcmp(design, "native") == 0 || strcmp(design, "floor") == 0;
}

static const double *
metric_values(const struct bench_series *s, const char *key)
{
	if (strcmp(key, "real_time") == 0)
		return s->real_ns;
	if (strcmp(key, "cpu_time") == 0)
		return s->cpu_ns;
	return bench_series_counter(s, key);
}

void
bench_metric_of(const struct bench_series *s, struct bench_metric *m)
{
	const struct wl_info *wi = wl_info(s->workload);

	if (wi != NULL && metric_values(s, wi->m.key) != NULL)
		*m = wi->m;
	else if (metric_values(s, metric_rate.key) != NULL)
		*m = metric_rate;
	else
		*m = metric_time;
}

size_t
bench_series_values(const struct bench_series *s, const struct bench_metric *m,
    double *out)
{
	const double *v = metric_values(s, m->key);
	size_t n = 0;

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < s->nrep; i++)
		if (!isnan(v[i]))
			out[n++] = v[i];
	return n;
}

/* ---- tables --------------------------------------------------------------- */

static int
row_cmp_design(const void *a, const void *b)
{
	const struct bench_row *x = a, *y = b;
	int ox = bench_design_order(x->s->design);
	int oy = bench_design_order(y->s->design);

	return ox != oy ? ox - oy : strcmp(x->s->design, y->s->design);
}

/* Best first; reference designs last; NaN medians after those.  The
 * direction is a file-scope variable: qsort has no context argument. */
static bool row_higher_better;
static int
row_cmp_rank(const void *a, const void *b)
{
	const struct bench_row *x = a, *y = b;

	if (x->reference != y->reference)
		return x->reference - y->reference;
	if (isnan(x->median) || isnan(y->median))
		return isnan(x->median) - isnan(y->median);
	if (x->median != y->median)
		return (row_higher_better ? x->median < y->median :
		    x->median > y->median) ? 1 : -1;
	return row_cmp_design(a, b);
}

static int
wl_rank(const char *w)
{
	const struct wl_info *wi = wl_info(w);

	return wi != NULL ? (int)(wi - wl_infos) : (int)NWL;
}

static int
pin_rank(const char *p)
{
	static const char *const pins[] = {
		"compact", "scatter", "split", "none", NULL
	};
	int i;

	for (i = 0; pins[i] != NULL; i++)
		if (strcmp(pins[i], p) == 0)
			return i;
	return i;
}

static int
table_cmp(const void *a, const void *b)
{
	const struct bench_table *x = a, *y = b;
	int c;

	if ((c = wl_rank(x->workload) - wl_rank(y->workload)) != 0)
		return c;
	if ((c = strcmp(x->workload, y->workload)) != 0)
		return c;
	if ((c = pin_rank(x->pin) - pin_rank(y->pin)) != 0)
		return c;
	if ((c = strcmp(x->pin, y->pin)) != 0)
		return c;
	if (x->tcount != y->tcount)
		return x->tcount - y->tcount;
	return x->threads - y->threads;
}

int
bench_tables_build(const struct bench_rdir *r, struct bench_table **out,
    size_t *n)
{
	struct bench_table *t = NULL;
	size_t nt = 0;

	for (size_t i = 0; i < r->ns; i++) {
		const struct bench_series *s = &r->s[i];
		struct bench_table *tb = NULL;
		struct bench_row *row;

		for (size_t j = 0; j < nt; j++)
			if (strcmp(t[j].workload, s->workload) == 0 &&
			    strcmp(t[j].pin, s->pin) == 0 &&
			    t[j].threads == s->threads &&
			    t[j].tcount == s->tcount)
				tb = &t[j];
		if (tb == NULL) {
			t = realloc(t, (nt + 1) * sizeof(*t));
			if (t == NULL)
				abort();
			tb = &t[nt++];
			memset(tb, 0, sizeof(*tb));
			tb->workload = s->workload;
			tb->pin = s->pin;
			tb->threads = s->threads;
			tb->tcount = s->tcount;
			bench_metric_of(s, &tb->m);
		}
		tb->rows = realloc(tb->rows, (tb->nrows + 1) *
		    sizeof(*tb->rows));
		if (tb->rows == NULL)
			abort();
		row = &tb->rows[tb->nrows++];
		memset(row, 0, sizeof(*row));
		row->s = s;
		row->reference = bench_design_is_reference(s->design);
	}
	for (size_t j = 0; j < nt; j++) {
		struct bench_table *tb = &t[j];
		struct bench_row *best;

		for (size_t k = 0; k < tb->nrows; k++) {
			struct bench_row *row = &tb->rows[k];

			row->v = calloc(row->s->nrep + 1, sizeof(double));
			if (row->v == NULL)
				abort();
			row->n = bench_series_values(row->s, &tb->m, row->v);
			row->median = stats_median(row->v, row->n);
			stats_median_ci(row->v, row->n, 0.95, &row->ci);
		}
		row_higher_better = tb->m.higher_better;
		qsort(tb->rows, tb->nrows, sizeof(*tb->rows), row_cmp_rank);
		tb->best = -1;
		if (tb->nrows > 0 && !tb->rows[0].reference &&
		    !isnan(tb->rows[0].median))
			tb->best = 0;
		else if (tb->nrows > 0 && !isnan(tb->rows[0].median))
			tb->best = 0;	/* only references: compare to them */
		if (tb->best < 0)
			continue;
		best = &tb->rows[tb->best];
		best->best = true;
		for (size_t k = 0; k < tb->nrows; k++) {
			struct bench_row *row = &tb->rows[k];

			row->ratio = row->median / best->median;
			stats_mwu_test(row->v, row->n, best->v, best->n,
			    &row->vs_best);
		}
	}
	qsort(t, nt, sizeof(*t), table_cmp);
	*out = t;
	*n = nt;
	return 0;
}

void
bench_tables_free(struct bench_table *t, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		for (size_t k = 0; k < t[j].nrows; k++)
			free(t[j].rows[k].v);
		free(t[j].rows);
	}
	free(t);
}

/* ---- number formatting -------------------------------------------------- */

/*
 * The display unit for values near `ref` of metric m: returns the divisor
 * and writes the unit ("M LWPs/s", "us").
 */
static double
unit_scale(const struct bench_metric *m, double ref, char *unit, size_t len)
{
	double a = fabs(ref);

	if (strcmp(m->unit, "ns") == 0) {
		static const struct { double d; const char *u; } t[] = {
			{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "µs" }, { 1, "ns" }
		};
		for (size_t i = 0; i < 4; i++)
			if (a >= t[i].d || i == 3) {
				snprintf(unit, len, "%s", t[i].u);
				return t[i].d;
			}
	}
	if (a >= 1e9) {
		snprintf(unit, len, "G %s", m->unit);
		return 1e9;
	}
	if (a >= 1e6) {
		snprintf(unit, len, "M %s", m->unit);
		return 1e6;
	}
	if (a >= 1e3) {
		snprintf(unit, len, "k %s", m->unit);
		return 1e3;
	}
	snprintf(unit, len, "%s", m->unit);
	return 1;
}

/* Three significant digits, no exponent for ordinary magnitudes. */
static const char *
fmt3(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3g", v);	/* 0.0196, 0, 1.2e-05 */
	return buf;
}

static const char *
fmt_p(char *buf, size_t len, double p)
{
	if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
	return buf;
}

/* ---- output helpers ------------------------------------------------------ */

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* A file written through NAME.tmp.PID and renamed over NAME on close. */
struct atomic_file {
	FILE	*f;
	char	 path[4096];
	char	 tmp[4200];
};

static int
af_open(struct atomic_file *af, const char *path)
{
	snprintf(af->path, sizeof(af->path), "%s", path);
	snprintf(af->tmp, sizeof(af->tmp), "%s.tmp.%ld", path,
	    (long)getpid());
	af->f = fopen(af->tmp, "w");
	return af->f != NULL ? 0 : -1;
}

static int
af_close(struct atomic_file *af)
{
	int bad = ferror(af->f);

	if (fflush(af->f) != 0 || fsync(fileno(af->f)) != 0)
		bad = 1;
	if (fclose(af->f) != 0)
		bad = 1;
	if (bad || rename(af->tmp, af->path) != 0) {
		int e = errno;
		unlink(af->tmp);
		errno = e ? e : EIO;
		return -1;
	}
	return 0;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size > 0;
}

static int
mkdir_p(const char *path)
{
	char buf[8192];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* A string for a gnuplot single-quoted literal ('' escapes '). */
static void
gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('\'', f);
}

/*
 * A gnuplot double-quoted literal of s broken into lines of at most
 * `width` characters at spaces (gnuplot turns "\n" into a line break).
 */
static void
gp_wrapped(FILE *f, const char *s, size_t width)
{
	size_t col = 0;

	fputc('"', f);
	while (*s != '\0') {
		size_t wl = strcspn(s, " ");

		if (col > 0 && col + 1 + wl > width) {
			fputs("\\n", f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		for (size_t i = 0; i < wl; i++) {
			if (s[i] == '"' || s[i] == '\\')
				fputc('\\', f);
			fputc(s[i] == '\n' ? ' ' : s[i], f);
		}
		col += wl;
		s += wl;
		while (*s == ' ')
			s++;
	}
	fputc('"', f);
}

static const char *
host_of(const struct bench_rdir *r)
{
	const char *h = bench_rdir_ctx(r, "host_name");

	return h != NULL ? h : "unknown host";
}

/* "vm, 1 package, 1 NUMA node, 2 cores, 2 PUs". */
static void
machine_line(const struct bench_rdir *r, char *buf, size_t len)
{
	const char *ncpu = bench_rdir_ctx(r, "num_cpus");

	if (r->topo_summary != NULL)
		snprintf(buf, len, "%s: %s", host_of(r), r->topo_summary);
	else
		snprintf(buf, len, "%s: %s CPUs", host_of(r),
		    ncpu != NULL ? ncpu : "?");
}

/* Whether the hardware PMU counted, and if not, why. */
static bool
pmu_available(const struct bench_rdir *r, const char **why)
{
	const char *a = bench_rdir_ctx(r, "pmu_available");
	const char *u = bench_rdir_ctx(r, "counters_unavailable");

	*why = u != NULL && *u != '\0' && strcmp(u, "none") != 0 ? u :
	    "the run recorded no reason";
	return a != NULL && (strcmp(a, "yes") == 0 ||
	    strcmp(a, "true") == 0 || strcmp(a, "1") == 0);
}

/*
 * Why one event was unavailable, from the context's counters_unavailable
 * ("cycles: unavailable: <reason>; instructions: ..."), into buf.
 */
static const char *
event_reason(const struct bench_rdir *r, const char *event, char *buf,
    size_t len)
{
	const char *u = bench_rdir_ctx(r, "counters_unavailable"), *p;
	char key[96];
	size_t n;

	snprintf(key, sizeof(key), "%s: unavailable: ", event);
	if (u == NULL || (p = strstr(u, key)) == NULL ||
	    (p != u && p[-1] != ' '))
		return NULL;
	p += strlen(key);
	n = strcspn(p, ";");
	snprintf(buf, len, "%.*s", (int)n, p);
	return buf;
}

/* ---- headline configurations -------------------------------------------- */

/* Distinct pin policies of a workload, in table order. */
static size_t
wl_pins(const struct bench_table *t, size_t nt, const char *w,
    const char **pins, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nt; i++) {
		bool seen = false;

		if (strcmp(t[i].workload, w) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			seen |= strcmp(pins[k], t[i].pin) == 0;
		if (!seen && n < max)
			pins[n++] = t[i].pin;
	}
	return n;
}

/* The headline table of (workload, pin): the most threads (or largest T). */
static const struct bench_table *
headline(const struct bench_table *t, size_t nt, const char *w,
    const char *pin)
{
	const struct bench_table *h = NULL;

	for (size_t i = 0; i < nt; i++) {
		if (strcmp(t[i].workload, w) != 0 || strcmp(t[i].pin, pin))
			continue;
		if (h == NULL || t[i].tcount > h->tcount ||
		    (t[i].tcount == h->tcount && t[i].threads > h->threads))
			h = &t[i];
	}
	return h;
}

static void
config_name(const struct bench_table *t, char *buf, size_t len)
{
	if (t->tcount > 0)
		snprintf(buf, len, "T:%d · t:%d · pin:%s", t->tcount,
		    t->threads, t->pin);
	else
		snprintf(buf, len, "t:%d · pin:%s", t->threads, t->pin);
}

/* Distinct workloads, in table order. */
static size_t
workloads(const struct bench_table *t, size_t nt, const char **w, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nt; i++)
		if ((n == 0 || strcmp(w[n - 1], t[i].workload) != 0) &&
		    n < max)
			w[n++] = t[i].workload;
	return n;
}

/* Designs present anywhere, in canonical order. */
static size_t
designs(const struct bench_rdir *r, const char **d, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ns; i++) {
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen |= strcmp(d[k], r->s[i].design) == 0;
		if (!seen && n < max)
			d[n++] = r->s[i].design;
	}
	for (size_t i = 1; i < n; i++)		/* insertion sort by order */
		for (size_t k = i; k > 0 && bench_design_order(d[k]) <
		    bench_design_order(d[k - 1]); k--) {
			const char *x = d[k];
			d[k] = d[k - 1];
			d[k - 1] = x;
		}
	return n;
}

#define MAXW	32
#define MAXD	32
#define MAXP	8

/* ---- plots --------------------------------------------------------------- */

/* Per-lifecycle counter panels of the counter plot. */
static const struct ctr_panel {
	const char *key, *label;
	const char *event;	/* perf event behind it, or NULL */
	double	 scale;		/* displayed = value * scale */
} ctr_panels[] = {
	{ "cycles_per_op", "cycles / lifecycle", "cycles", 1 },
	{ "instructions_per_op", "instructions / lifecycle", "instructions",
	  1 },
	{ "ctx_switches_per_op", "context switches / lifecycle",
	  "context-switches", 1 },
	{ "cpu_ns_per_op", "CPU time / lifecycle (ns)", NULL, 1 },
	{ "reaper_cpu_share", "reaper share of CPU time (%)", NULL, 100 },
	{ "zombies_peak", "peak zombie LWPs (exited, not freed)", NULL, 1 },
};
#define NPANEL	(sizeof(ctr_panels) / sizeof(ctr_panels[0]))

struct plot_ctx {
	const struct bench_rdir *r;
	const struct bench_table *t;
	size_t	 nt;
	char	 pdir[4096];	/* DIR/plots */
	char	 ddir[4200];	/* DIR/plots/data */
	FILE	*drv;		/* the driver of the plot being written */
	size_t	 nplots;
	char	**files;	/* the drivers, one per plot */
};

static double
series_median(const struct bench_series *s, const char *key, double scale)
{
	const double *v = metric_values(s, key);
	double *tmp, m;
	size_t n = 0;

	if (v == NULL)
		return NAN;
	tmp = calloc(s->nrep + 1, sizeof(double));
	if (tmp == NULL)
		abort();
	for (size_t i = 0; i < s->nrep; i++)
		if (!isnan(v[i]))
			tmp[n++] = v[i];
	m = stats_median(tmp, n) * scale;
	free(tmp);
	return m;
}

/* Start the driver of one plot: DIR/plots/data/<name>.gp. */
static void
plot_begin(struct plot_ctx *pc, const char *script, const char *out,
    const char *title, const char *pin)
{
	char mach[512], sub[700], path[4400];
	const char *name = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;

	machine_line(pc->r, mach, sizeof(mach));
	snprintf(sub, sizeof(sub), "%s  ·  pin policy: %s", mach, pin);
	snprintf(path, sizeof(path), "%s/%s.gp", pc->ddir, name);
	pc->drv = fopen(path, "w");
	if (pc->drv == NULL) {
		/* Reported when gnuplot is run on the missing file. */
		pc->drv = fopen("/dev/null", "w");
		if (pc->drv == NULL)
			abort();
	}
	fprintf(pc->drv, "# generated by `reapbench report`: %s\n"
	    "if (!exists('gpdir')) gpdir = 'plots'\nout = ", name);
	gp_str(pc->drv, out);
	fprintf(pc->drv, "\nttl = ");
	gp_str(pc->drv, title);
	fprintf(pc->drv, "\nsub = ");
	gp_str(pc->drv, sub);
	fprintf(pc->drv, "\nscript = '%s'\n", script);
	pc->files = realloc(pc->files, (pc->nplots + 1) * sizeof(char *));
	if (pc->files == NULL || (pc->files[pc->nplots] = strdup(path)) ==
	    NULL)
		abort();
	pc->nplots++;
}

static void
plot_end(struct plot_ctx *pc)
{
	fprintf(pc->drv, "load gpdir.'/'.script.'.gp'\n");
	fclose(pc->drv);
	pc->drv = NULL;
}

static void
gp_designs(FILE *f, const char *var, const char *const *d, size_t n)
{
	fprintf(f, "%s = '", var);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", d[i]);
	fprintf(f, "'\n");
}

/* Metric vs threads (or vs T) for one workload and pin. */
static void
plot_sweep(struct plot_ctx *pc, const char *w, const char *pin)
{
	const struct wl_info *wi = wl_info(w);
	const char *d[MAXD], *dd[MAXD];
	size_t nd = 0, ndd = 0, npts = 0;
	char path[4400], out[4400], title[256], unit[64], ylab[128];
	double ref = NAN, xmin = INFINITY, xmax = 0, ymin = INFINITY,
	    ymax = 0, scale;
	struct bench_metric m = { 0 };
	bool by_t = wi != NULL && wi->by_tcount;
	int tsel = 0;
	FILE *f;

	/* A sweep over T is drawn at one thread count: the largest. */
	for (size_t i = 0; i < pc->nt; i++)
		if (!strcmp(pc->t[i].workload, w) && !strcmp(pc->t[i].pin, pin)
		    && pc->t[i].threads > tsel)
			tsel = pc->t[i].threads;
#define SWEEP_SKIP(t) (strcmp((t)->workload, w) != 0 ||			\
	strcmp((t)->pin, pin) != 0 || (by_t && (t)->threads != tsel))
	for (size_t i = 0; i < pc->nt; i++) {
		const struct bench_table *t = &pc->t[i];

		if (SWEEP_SKIP(t))
			continue;
		m = t->m;
		for (size_t k = 0; k < t->nrows; k++) {
			bool seen = false;
			for (size_t j = 0; j < nd; j++)
				seen |= strcmp(d[j], t->rows[k].s->design) == 0;
			if (!seen && nd < MAXD && !isnan(t->rows[k].median))
				d[nd++] = t->rows[k].s->design;
			if (t->rows[k].best)
				ref = isnan(ref) ? t->rows[k].median :
				    fmax(ref, t->rows[k].median);
		}
	}
	if (nd == 0 || isnan(ref))
		return;
	for (size_t i = 1; i < nd; i++)
		for (size_t k = i; k > 0 && bench_design_order(d[k]) <
		    bench_design_order(d[k - 1]); k--) {
			const char *x = d[k];
			d[k] = d[k - 1];
			d[k - 1] = x;
		}
	scale = unit_scale(&m, ref, unit, sizeof(unit));
	snprintf(path, sizeof(path), "%s/sweep-%s-%s.dat", pc->ddir, w, pin);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "# %s of %s, pin %s: x median ci_lo ci_hi (%s)\n",
	    m.label, w, pin, unit);
	for (size_t j = 0; j < nd; j++) {
		size_t before = npts;

		fprintf(f, "# design %s\n", d[j]);
		for (size_t i = 0; i < pc->nt; i++) {
			const struct bench_table *t = &pc->t[i];

			if (SWEEP_SKIP(t))
				continue;
			for (size_t k = 0; k < t->nrows; k++) {
				const struct bench_row *row = &t->rows[k];
				double x = by_t ? t->tcount : t->threads;

				if (strcmp(row->s->design, d[j]) != 0 ||
				    isnan(row->median))
					continue;
				fprintf(f, "%g %.6g %.6g %.6g\n", x,
				    row->median / scale, row->ci.lo / scale,
				    row->ci.hi / scale);
				xmin = fmin(xmin, x);
				xmax = fmax(xmax, x);
				ymin = fmin(ymin, row->ci.lo / scale);
				ymax = fmax(ymax, row->ci.hi / scale);
				npts++;
			}
		}
		fprintf(f, "\n\n");
		if (npts > before)
			dd[ndd++] = d[j];
	}
	fclose(f);
	if (npts == 0)
		return;
	snprintf(out, sizeof(out), "%s/%s-%s-%s", pc->pdir,
	    by_t ? "teardown-latency" : (m.higher_better ? "throughput" :
	    "time"), w, pin);
	if (by_t)
		snprintf(title, sizeof(title), "%s: %s vs T (LWPs per process),"
		    " t:%d", w, m.label, tsel);
	else
		snprintf(title, sizeof(title), "%s: %s vs threads", w,
		    m.label);
	snprintf(ylab, sizeof(ylab), "%s (%s)%s", m.label, unit,
	    m.higher_better ? ", higher is better" : ", lower is better");
	plot_begin(pc, "sweep", out, title, pin);
	fprintf(pc->drv, "data = ");
	gp_str(pc->drv, path);
	fprintf(pc->drv, "\n");
	gp_designs(pc->drv, "designs", dd, ndd);
	fprintf(pc->drv, "xlab = '%s'\nylab = ", by_t ?
	    "T: LWPs in the process torn down" : "threads (workers)");
	gp_str(pc->drv, ylab);
	fprintf(pc->drv, "\nlogx = %d\nlogy = %d\nnote = ''\n",
	    xmax / xmin >= 8, !m.higher_better && ymin > 0 &&
	    ymax / ymin >= 30);
	if (xmax / xmin >= 8)
		fprintf(pc->drv, "xlo = %g\nxhi = %g\n", xmin / 1.4,
		    xmax * 1.4);
	else
		fprintf(pc->drv, "xlo = %g\nxhi = %g\n", xmin - 0.5,
		    xmax + 0.5);
	fprintf(pc->drv, "xstep = %d\n", xmax - xmin <= 16 ? 1 : 0);
	if (xmin == xmax)
		fprintf(pc->drv, "note = 'one %s value measured: no sweep'\n",
		    by_t ? "T" : "thread-count");
	plot_end(pc);
#undef SWEEP_SKIP
}

/* Exit->free latency CDFs of the headline configuration. */
static void
plot_cdf(struct plot_ctx *pc, const struct bench_table *t)
{
	const char *files[MAXD], *d[MAXD], *what;
	char buf[MAXD][4400], out[4400], title[256], cfg[128], lname[1024];
	char key[128], xlab[512];
	size_t n = 0;

	for (size_t k = 0; k < t->nrows && n < MAXD; k++) {
		const struct bench_series *s = t->rows[k].s;

		bench_latency_name(s->spec, lname, sizeof(lname));
		snprintf(buf[n], sizeof(buf[n]), "%s/latency/%s.dat",
		    pc->r->dir, lname);
		if (!file_exists(buf[n]))
			continue;
		files[n] = buf[n];
		d[n++] = s->design;
	}
	if (n == 0)
		return;
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && bench_design_order(d[k]) <
		    bench_design_order(d[k - 1]); k--) {
			const char *x = d[k], *y = files[k];
			d[k] = d[k - 1];
			files[k] = files[k - 1];
			d[k - 1] = x;
			files[k - 1] = y;
		}
	config_name(t, cfg, sizeof(cfg));
	snprintf(out, sizeof(out), "%s/latency-cdf-%s-%s", pc->pdir,
	    t->workload, t->pin);
	snprintf(title, sizeof(title), "%s: latency distribution (%s)",
	    t->workload, cfg);
	snprintf(key, sizeof(key), "latency.%s", t->workload);
	what = bench_rdir_ctx(pc->r, key);
	snprintf(xlab, sizeof(xlab), "latency measured%s%s", what ?
	    ": " : " (no definition recorded in the run)", what ? what : "");
	plot_begin(pc, "cdf", out, title, t->pin);
	fprintf(pc->drv, "xlab = ");
	gp_str(pc->drv, xlab);
	fprintf(pc->drv, "\n");
	gp_designs(pc->drv, "designs", d, n);
	/* Tics: 1-2-5 per decade over a narrow range, decades otherwise. */
	{
		double lo = INFINITY, hi = 0, x, y;
		static const char *const su[] = { "ns", "µs", "ms", "s" };
		bool first = true;

		for (size_t i = 0; i < n; i++) {
			FILE *lf = fopen(files[i], "r");
			char line[256];

			while (lf != NULL && fgets(line, sizeof(line), lf))
				if (sscanf(line, "%lf %lf", &x, &y) == 2 &&
				    x > 0) {
					lo = fmin(lo, x);
					hi = fmax(hi, x);
				}
			if (lf != NULL)
				fclose(lf);
		}
		fprintf(pc->drv, "xtics_cmd = 'set xtics (");
		for (double dec = 1; dec <= 1e10; dec *= 10)
			for (int m = 1; m <= 5; m++) {
				double v = dec * m;
				int e = 0;

				if ((m == 3 || m == 4) ||
				    ((m == 2 || m == 5) && hi / lo >= 20))
					continue;
				for (double q = v; q >= 1000 && e < 3; q /= 1000)
					e++;
				fprintf(pc->drv, "%s\"%g %s\" %g", first ? "" :
				    ", ", v / pow(1000, e), su[e], v);
				first = false;
			}
		fprintf(pc->drv, ")'\n");
	}
	fprintf(pc->drv, "files = '");
	for (size_t i = 0; i < n; i++)
		fprintf(pc->drv, "%s%s", i ? " " : "", files[i]);
	fprintf(pc->drv, "'\n");
	plot_end(pc);
}

/* Per-lifecycle counter bars of the headline configuration. */
static void
plot_counters(struct plot_ctx *pc, const struct bench_table *t)
{
	const char *d[MAXD], *why;
	const struct bench_series *s[MAXD];
	char path[4400], out[4400], title[256], cfg[128];
	size_t n = 0;
	bool pmu = pmu_available(pc->r, &why);
	FILE *f;

	for (size_t k = 0; k < t->nrows && n < MAXD; k++) {
		s[n] = t->rows[k].s;
		d[n++] = t->rows[k].s->design;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && bench_design_order(d[k]) <
		    bench_design_order(d[k - 1]); k--) {
			const char *x = d[k];
			const struct bench_series *y = s[k];
			d[k] = d[k - 1];
			s[k] = s[k - 1];
			d[k - 1] = x;
			s[k - 1] = y;
		}
	snprintf(path, sizeof(path), "%s/counters-%s-%s.dat", pc->ddir,
	    t->workload, t->pin);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "# design");
	for (size_t p = 0; p < NPANEL; p++)
		fprintf(f, " %s", ctr_panels[p].key);
	fprintf(f, "  (medians over repetitions; NaN: not measured)\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s", d[i]);
		for (size_t p = 0; p < NPANEL; p++) {
			double v = series_median(s[i], ctr_panels[p].key,
			    ctr_panels[p].scale);
			if (isnan(v))
				fprintf(f, " NaN");
			else
				fprintf(f, " %.6g", v);
		}
		fprintf(f, "\n");
	}
	fclose(f);
	config_name(t, cfg, sizeof(cfg));
	snprintf(out, sizeof(out), "%s/counters-%s-%s", pc->pdir,
	    t->workload, t->pin);
	snprintf(title, sizeof(title), "%s: per-lifecycle costs by design "
	    "(%s; all threads, reapers included)", t->workload, cfg);
	plot_begin(pc, "counters", out, title, t->pin);
	fprintf(pc->drv, "data = ");
	gp_str(pc->drv, path);
	fprintf(pc->drv, "\n");
	gp_designs(pc->drv, "designs", d, n);
	for (size_t p = 0; p < NPANEL; p++) {
		bool any = false;
		char msg[400], why2[256];

		double pmax = 0;
		bool gap = false;

		for (size_t i = 0; i < n; i++) {
			double v = series_median(s[i], ctr_panels[p].key,
			    ctr_panels[p].scale);
			any |= !isnan(v);
			gap |= isnan(v);
			if (v > pmax)
				pmax = v;
		}
		fprintf(pc->drv, "gap%zu = %d\n", p + 1, gap);
		/* Room above the tallest bar for its label; all-zero
		 * panels get a unit range rather than an empty one. */
		fprintf(pc->drv, "pmax%zu = %.6g\n", p + 1,
		    pmax > 0 ? pmax * 1.2 : 1);
		if (any)
			msg[0] = '\0';
		else if (ctr_panels[p].event != NULL &&
		    event_reason(pc->r, ctr_panels[p].event, why2,
		    sizeof(why2)) != NULL)
			snprintf(msg, sizeof(msg), "unavailable: %s", why2);
		else if (ctr_panels[p].event != NULL && !pmu &&
		    strcmp(ctr_panels[p].event, "context-switches") != 0)
			snprintf(msg, sizeof(msg), "unavailable: %s", why);
		else
			snprintf(msg, sizeof(msg),
			    "unavailable: not measured in this run");
		fprintf(pc->drv, "plab%zu = ", p + 1);
		gp_str(pc->drv, ctr_panels[p].label);
		fprintf(pc->drv, "\nunav%zu = ", p + 1);
		gp_wrapped(pc->drv, msg, 34);
		fprintf(pc->drv, "\n");
	}
	fprintf(pc->drv, "npanel = %zu\n", NPANEL);
	plot_end(pc);
}

/* Peak zombie LWPs per design across workloads, for one pin policy. */
static void
plot_zombies(struct plot_ctx *pc, const char *pin)
{
	const char *w[MAXW], *d[MAXD];
	size_t nw = workloads(pc->t, pc->nt, w, MAXW);
	size_t nd = designs(pc->r, d, MAXD), rows = 0;
	char path[4400], out[4400], nomeas[512];
	double zmax = 0, zmin = INFINITY;
	bool any = false;
	FILE *f;

	/* Designs that never report zombies (native) are left out. */
	{
		size_t k = 0;

		nomeas[0] = '\0';
		for (size_t j = 0; j < nd; j++) {
			bool has = false;

			for (size_t i = 0; i < nw && !has; i++) {
				const struct bench_table *h = headline(pc->t,
				    pc->nt, w[i], pin);
				for (size_t q = 0; h && q < h->nrows; q++)
					has |= !strcmp(h->rows[q].s->design,
					    d[j]) && !isnan(series_median(
					    h->rows[q].s, "zombies_peak", 1));
			}
			if (has)
				d[k++] = d[j];
			else
				snprintf(nomeas + strlen(nomeas),
				    sizeof(nomeas) - strlen(nomeas), "%s%s",
				    *nomeas ? ", " : "", d[j]);
		}
		nd = k;
	}
	snprintf(path, sizeof(path), "%s/zombies-%s.dat", pc->ddir, pin);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "# workload");
	for (size_t j = 0; j < nd; j++)
		fprintf(f, " %s", d[j]);
	fprintf(f, "\n");
	for (size_t i = 0; i < nw; i++) {
		const struct bench_table *h = headline(pc->t, pc->nt, w[i],
		    pin);

		if (h == NULL)
			continue;
		fprintf(f, "\"%s (%s:%d)\"", w[i], h->tcount > 0 ? "T" : "t",
		    h->tcount > 0 ? h->tcount : h->threads);
		for (size_t j = 0; j < nd; j++) {
			double v = NAN;

			for (size_t k = 0; k < h->nrows; k++)
				if (strcmp(h->rows[k].s->design, d[j]) == 0)
					v = series_median(h->rows[k].s,
					    "zombies_peak", 1);
			any |= !isnan(v);
			if (isnan(v))
				fprintf(f, " NaN");
			else
				fprintf(f, " %.6g", v);
			if (v > zmax)
				zmax = v;
			if (v > 0 && v < zmin)
				zmin = v;
		}
		fprintf(f, "\n");
		rows++;
	}
	fclose(f);
	if (rows == 0)
		return;
	snprintf(out, sizeof(out), "%s/zombies-%s", pc->pdir, pin);
	plot_begin(pc, "zombies", out,
	    "Peak zombie LWPs held (exited, not yet freed), by workload",
	    pin);
	fprintf(pc->drv, "data = ");
	gp_str(pc->drv, path);
	fprintf(pc->drv, "\n");
	gp_designs(pc->drv, "designs", d, nd);
	/* Zombies span orders of magnitude (deferred reaping piles them
	 * up): a log axis then, or the small designs vanish. */
	fprintf(pc->drv, "zmax = %.6g\nzlog = %d\n", zmax > 0 ? zmax * 1.1 :
	    1, zmax > 0 && zmax / zmin >= 50);
	fprintf(pc->drv, "note = '%s'\nnomeas = ", any ? "" :
	    "unavailable: zombies_peak not measured in this run");
	{
		char nm[600];

		snprintf(nm, sizeof(nm), "%s%s", *nomeas ?
		    "not measured (no zombies of a model design): " : "",
		    nomeas);
		gp_str(pc->drv, nm);
	}
	fprintf(pc->drv, "\n");
	plot_end(pc);
}

/*
 * Write DIR/plots/data/ and its driver; run gnuplot over it unless
 * run_gnuplot is false.  Returns 0, or -1 with err set.
 */
/* Run gnuplot on one driver: 0, 127 (no gnuplot) or another status. */
static int
gnuplot_run(const char *gpdir, const char *driver)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char def[4200];

		snprintf(def, sizeof(def), "gpdir='%s'", gpdir);
		execlp("gnuplot", "gnuplot", "-e", def, driver, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * Write DIR/plots/data/: the data, one gnuplot driver per plot and
 * plots.gp loading them all (to redraw by hand).  Unless run_gnuplot is
 * false, run gnuplot on each driver: a plot that fails does not stop the
 * others.  Returns 0, or -1 with err set.
 */
static int
plots_make(const struct bench_rdir *r, const struct bench_table *t,
    size_t nt, const char *gpdir, bool run_gnuplot, char *err, size_t len)
{
	struct plot_ctx pc;
	const char *w[MAXW], *pins[MAXP];
	size_t nw = workloads(t, nt, w, MAXW), np, failed = 0;
	char all[4400], gpfile[4400], first[256] = "";
	FILE *f;
	int rc = 0;

	memset(&pc, 0, sizeof(pc));
	pc.r = r;
	pc.t = t;
	pc.nt = nt;
	snprintf(pc.pdir, sizeof(pc.pdir), "%s/plots", r->dir);
	snprintf(pc.ddir, sizeof(pc.ddir), "%s/data", pc.pdir);
	if (mkdir_p(pc.ddir) != 0) {
		seterr(err, len, "%s: %s", pc.ddir, strerror(errno));
		return -1;
	}
	snprintf(gpfile, sizeof(gpfile), "%s/common.gp", gpdir);
	if (run_gnuplot && !file_exists(gpfile)) {
		seterr(err, len, "%s: %s (run from the repository root or "
		    "pass --gp-dir)", gpfile, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < nw; i++) {
		np = wl_pins(t, nt, w[i], pins, MAXP);
		for (size_t p = 0; p < np; p++) {
			const struct bench_table *h = headline(t, nt, w[i],
			    pins[p]);
			plot_sweep(&pc, w[i], pins[p]);
			if (h != NULL) {
				plot_cdf(&pc, h);
				plot_counters(&pc, h);
			}
		}
	}
	{
		const char *allp[MAXP];
		size_t na = 0;

		for (size_t i = 0; i < nt; i++) {
			bool seen = false;
			for (size_t k = 0; k < na; k++)
				seen |= strcmp(allp[k], t[i].pin) == 0;
			if (!seen && na < MAXP)
				allp[na++] = t[i].pin;
		}
		for (size_t k = 0; k < na; k++)
			plot_zombies(&pc, allp[k]);
	}
	snprintf(all, sizeof(all), "%s/plots.gp", pc.ddir);
	if ((f = fopen(all, "w")) != NULL) {
		fprintf(f, "# generated by `reapbench report`: every plot; from "
		    "the repository root:\n#   gnuplot -e \"gpdir='plots'\" "
		    "%s\n", all);
		for (size_t i = 0; i < pc.nplots; i++) {
			fprintf(f, "reset\nload ");
			gp_str(f, pc.files[i]);
			fprintf(f, "\n");
		}
		fclose(f);
	}
	for (size_t i = 0; run_gnuplot && i < pc.nplots; i++) {
		int st = gnuplot_run(gpdir, pc.files[i]);

		if (st == 127) {
			seterr(err, len, "gnuplot not found: install "
			    "gnuplot-nox (scripts/install-deps)");
			rc = -1;
			break;
		}
		if (st != 0 && failed++ == 0)
			snprintf(first, sizeof(first), "%s",
			    strrchr(pc.files[i], '/') + 1);
	}
	if (rc == 0 && failed > 0) {
		seterr(err, len, "gnuplot failed on %zu of %zu plots (first: "
		    "%s/%s; see its messages above)", failed, pc.nplots,
		    pc.ddir, first);
		rc = -1;
	}
	for (size_t i = 0; i < pc.nplots; i++)
		free(pc.files[i]);
	free(pc.files);
	return rc;
}

/* ---- REPORT.md ----------------------------------------------------------- */

static void
md_plot(FILE *f, const struct bench_rdir *r, const char *name,
    const char *alt)
{
	char png[4400];

	snprintf(png, sizeof(png), "%s/plots/%s.png", r->dir, name);
	if (!file_exists(png))
		return;
	fprintf(f, "![%s](plots/%s.png)  \n[SVG](plots/%s.svg)\n\n", alt,
	    name, name);
}

static void
verdict(char *buf, size_t len, const struct bench_table *t,
    const struct bench_row *row)
{
	char p[32];
	const char *worse = t->m.higher_better ? "lower" : "higher";
	const char *ref = row->reference ? "reference; " : "";

	if (row->best) {
		snprintf(buf, len, "**best**");
		return;
	}
	if (row->n == 0) {
		snprintf(buf, len, "no data");
		return;
	}
	if (row->vs_best.p_min > BENCH_ALPHA) {
		snprintf(buf, len, "%stoo few repetitions to test (smallest "
		    "possible p = %.2f)", ref, row->vs_best.p_min);
		return;
	}
	fmt_p(p, sizeof(p), row->vs_best.p);
	if (row->vs_best.p < BENCH_ALPHA)
		snprintf(buf, len, "%s%s than best, significant (p = %s, "
		    "%s effect)", ref, t->m.higher_better ?
		    (row->median > t->rows[t->best].median ? "higher" :
		    worse) : (row->median < t->rows[t->best].median ?
		    "lower" : worse), p,
		    stats_delta_label(row->vs_best.delta));
	else
		snprintf(buf, len, "%snot significantly different from best "
		    "(p = %s)", ref, p);
}

static void
md_table(FILE *f, const struct bench_table *t)
{
	char cfg[128], unit[64], a[32], b[32], c[32], v[256];
	double scale;
	bool dagger = false;

	if (t->best < 0)
		return;
	config_name(t, cfg, sizeof(cfg));
	scale = unit_scale(&t->m, t->rows[t->best].median, unit,
	    sizeof(unit));
	fprintf(f, "#### %s · %s\n\n", t->workload, cfg);
	fprintf(f, "%s in %s, %s is better.\n\n", t->m.label, unit,
	    t->m.higher_better ? "higher" : "lower");
	fprintf(f, "| design | n | median (%s) | 95%% CI | × best | "
	    "Mann–Whitney p | Cliff's δ | verdict |\n", unit);
	fprintf(f, "|---|---:|---:|---|---:|---:|---:|---|\n");
	for (size_t k = 0; k < t->nrows; k++) {
		const struct bench_row *row = &t->rows[k];
		char dg[8] = "";

		if (row->ci.coverage < 0.95 && row->n > 0) {
			snprintf(dg, sizeof(dg), " †");
			dagger = true;
		}
		verdict(v, sizeof(v), t, row);
		fprintf(f, "| %s | %zu | %s | [%s, %s]%s | %.3f | ",
		    row->s->design, row->n,
		    fmt3(a, sizeof(a), row->median / scale),
		    fmt3(b, sizeof(b), row->ci.lo / scale),
		    fmt3(c, sizeof(c), row->ci.hi / scale), dg, row->ratio);
		if (row->best)
			fprintf(f, "— | — | %s |\n", v);
		else
			fprintf(f, "%s | %+.2f (%s) | %s |\n",
			    fmt_p(a, sizeof(a), row->vs_best.p),
			    row->vs_best.delta,
			    stats_delta_label(row->vs_best.delta), v);
	}
	if (dagger)
		fprintf(f, "\n† [min, max]: fewer than 6 repetitions, "
		    "coverage below 95%% (see Method).\n");
	fprintf(f, "\n");
}

/* Scaling efficiency vs linear for a throughput sweep (one pin). */
static void
md_scaling(FILE *f, const struct bench_table *t, size_t nt, const char *w,
    const char *pin)
{
	int th[64];
	size_t nth = 0;
	const char *d[MAXD];
	size_t nd = 0;

	for (size_t i = 0; i < nt; i++) {
		bool seen = false;

		if (strcmp(t[i].workload, w) || strcmp(t[i].pin, pin) ||
		    !t[i].m.higher_better || t[i].tcount != 0)
			continue;
		for (size_t k = 0; k < nth; k++)
			seen |= th[k] == t[i].threads;
		if (!seen && nth < 64)
			th[nth++] = t[i].threads;
		for (size_t k = 0; k < t[i].nrows; k++) {
			bool s2 = false;
			for (size_t j = 0; j < nd; j++)
				s2 |= strcmp(d[j], t[i].rows[k].s->design) == 0;
			if (!s2 && nd < MAXD)
				d[nd++] = t[i].rows[k].s->design;
		}
	}
	if (nth < 2)
		return;
	for (size_t i = 1; i < nth; i++)
		for (size_t k = i; k > 0 && th[k] < th[k - 1]; k--) {
			int x = th[k];
			th[k] = th[k - 1];
			th[k - 1] = x;
		}
	fprintf(f, "Scaling efficiency, pin:%s: throughput at t threads / "
	    "(t / %d × throughput at %d), medians; 100%% is linear.\n\n",
	    pin, th[0], th[0]);
	fprintf(f, "| design |");
	for (size_t i = 0; i < nth; i++)
		fprintf(f, " t:%d |", th[i]);
	fprintf(f, "\n|---|");
	for (size_t i = 0; i < nth; i++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (size_t j = 0; j < nd; j++) {
		const struct bench_series *s0 = NULL;
		double base = NAN;

		for (size_t i = 0; i < nt && s0 == NULL; i++)
			if (!strcmp(t[i].workload, w) &&
			    !strcmp(t[i].pin, pin) && t[i].threads == th[0] &&
			    t[i].tcount == 0)
				for (size_t k = 0; k < t[i].nrows; k++)
					if (!strcmp(t[i].rows[k].s->design,
					    d[j])) {
						s0 = t[i].rows[k].s;
						base = t[i].rows[k].median;
					}
		fprintf(f, "| %s |", d[j]);
		for (size_t x = 0; x < nth; x++) {
			double e = NAN;

			for (size_t i = 0; i < nt; i++)
				if (!strcmp(t[i].workload, w) &&
				    !strcmp(t[i].pin, pin) &&
				    t[i].threads == th[x] && t[i].tcount == 0)
					for (size_t k = 0; k < t[i].nrows;
					    k++)
						if (!strcmp(t[i].rows[k].s->
						    design, d[j]))
							e = t[i].rows[k].median
							    / base /
							    ((double)th[x] /
							    th[0]);
			if (isnan(e))
				fprintf(f, " n/a |");
			else
				fprintf(f, " %.0f%% |", e * 100);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* Per-lifecycle counters of the headline configuration, medians. */
static void
md_counters(FILE *f, const struct bench_rdir *r, const struct bench_table *h)
{
	static const struct { const char *key, *head; double scale; bool hw;
	} cols[] = {
		{ "cycles_per_op", "cycles", 1, true },
		{ "instructions_per_op", "instructions", 1, true },
		{ "cache_misses_per_op", "cache misses", 1, true },
		{ "task_clock_ns_per_op", "task clock ns", 1, false },
		{ "cpu_ns_per_op", "CPU ns", 1, false },
		{ "ctx_switches_per_op", "ctx switches", 1, false },
		{ "migrations_per_op", "migrations", 1, false },
		{ "reaper_cpu_share", "reaper CPU %", 100, false },
		{ "zombies_peak", "zombies peak", 1, false },
		{ "reaper_wakeups_per_lwp", "reaper wakeups/LWP", 1, false },
		{ "sleeps_per_lwp", "sleeps/LWP", 1, false },
		{ "tick_sleeps_per_lwp", "tick sleeps/LWP", 1, false },
		{ "lat_p50_ns", "p50 latency ns", 1, false },
		{ "lat_p99_ns", "p99 latency ns", 1, false },
		{ "lat_p999_ns", "p99.9 latency ns", 1, false },
		{ "fairness_cv", "fairness CV", 1, false },
	};
	const size_t ncol = sizeof(cols) / sizeof(cols[0]);
	bool have[sizeof(cols) / sizeof(cols[0])], any = false;
	const char *why;
	bool pmu = pmu_available(r, &why);
	char cfg[128], b[32];

	(void)why;

	for (size_t c = 0; c < ncol; c++) {
		have[c] = false;
		for (size_t k = 0; k < h->nrows; k++)
			have[c] |= bench_series_counter(h->rows[k].s,
			    cols[c].key) != NULL;
		any |= have[c];
	}
	config_name(h, cfg, sizeof(cfg));
	if (!any) {
		fprintf(f, "Per-lifecycle counters (%s): none were measured in "
		    "this run.\n\n", cfg);
		return;
	}
	fprintf(f, "Per-lifecycle counters (%s), medians over repetitions; "
	    "counters cover every thread of the design, reapers included:"
	    "\n\n| design |", cfg);
	for (size_t c = 0; c < ncol; c++)
		if (have[c])
			fprintf(f, " %s |", cols[c].head);
	fprintf(f, "\n|---|");
	for (size_t c = 0; c < ncol; c++)
		if (have[c])
			fprintf(f, "---:|");
	fprintf(f, "\n");
	for (size_t k = 0; k < h->nrows; k++) {
		fprintf(f, "| %s |", h->rows[k].s->design);
		for (size_t c = 0; c < ncol; c++)
			if (have[c])
				fprintf(f, " %s |", fmt3(b, sizeof(b),
				    series_median(h->rows[k].s, cols[c].key,
				    cols[c].scale)));
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
	{
		bool hwmiss = false;

		for (size_t c = 0; c < ncol; c++)
			hwmiss |= cols[c].hw && !have[c];
		if (hwmiss && !pmu)
			fprintf(f, "Hardware counters (cycles, instructions, "
			    "cache misses): unavailable on this machine (see "
			    "Machine).\n\n");
	}
}

static void
md_machine(FILE *f, const struct bench_rdir *r)
{
	static const char *const keys[] = {
		"date", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
		"topology", "kernel_release", "governor", "aslr", "membind",
		"library_build_type", "library_versions", "compiler",
		"git_revision", "matrix", "time", "counter_events",
		"counter_mode", "counter_scope", "perf_event_paranoid",
		"storm_shape", NULL
	};
	const char *why, *v;
	bool pmu = pmu_available(r, &why);
	char mach[512];
	size_t errs = 0, aggonly = 0, reps_min = SIZE_MAX, reps_max = 0;

	machine_line(r, mach, sizeof(mach));
	fprintf(f, "## Machine\n\n- host %s\n", mach);
	for (int i = 0; keys[i] != NULL; i++)
		if ((v = bench_rdir_ctx(r, keys[i])) != NULL && *v)
			fprintf(f, "- %s: %s\n", keys[i], v);
	if (pmu)
		fprintf(f, "- hardware counters: available\n");
	else
		fprintf(f, "- hardware counters: **not available**, so cycles, "
		    "instructions and cache misses are not reported (never "
		    "estimated): %s\n", why);
	if (r->cmdline != NULL)
		fprintf(f, "- command line: `%s`\n", r->cmdline);
	if (!isnan(r->harness_ns))
		fprintf(f, "- harness overhead (`empty` benchmark): %.2f ns per "
		    "Google Benchmark iteration\n", r->harness_ns);
	for (size_t i = 0; i < r->ns; i++) {
		errs += r->s[i].nerrors;
		aggonly += r->s[i].aggregate_only;
		if (r->s[i].nrep < reps_min)
			reps_min = r->s[i].nrep;
		if (r->s[i].nrep > reps_max)
			reps_max = r->s[i].nrep;
	}
	fprintf(f, "- %zu benchmarks, %zu to %zu repetitions each\n", r->ns,
	    reps_min, reps_max);
	if (errs)
		fprintf(f, "- **%zu repetitions reported an error** and are "
		    "left out\n", errs);
	if (aggonly)
		fprintf(f, "- **%zu benchmarks kept only aggregates**: their "
		    "median is one sample, untestable\n", aggonly);
	if (r->skipped)
		fprintf(f, "- %zu entries with names not of the form "
		    "workload/design/... were ignored\n", r->skipped);
	fprintf(f, "- blocking and waking are Linux futex operations, which "
	    "cost more than an in-kernel switch: every design that blocks "
	    "pays this, so absolute sleep costs are pessimistic\n\n");
}

static void
md_method(FILE *f)
{
	fprintf(f, "## Method\n\n"
	    "Every number is a median over the benchmark's repetitions.  "
	    "The 95%% confidence interval of a median is the order-statistic "
	    "(binomial) interval, exact for any distribution.  Each design is "
	    "tested against the best design of its table with a two-sided "
	    "Mann–Whitney U test (exact distribution without ties and up to "
	    "50 samples per group, else the normal approximation with tie "
	    "and continuity corrections); α = %.2f.  The effect size is "
	    "Cliff's δ = P(design > best) − P(design < best), labelled "
	    "negligible (<0.147), small, medium or large (≥0.474).  A "
	    "difference that is not significant is written as such; with "
	    "n repetitions per design the smallest two-sided p is "
	    "2 / C(2n, n) (0.10 for n = 3, 0.008 for n = 5), so runs with "
	    "fewer than 4 repetitions cannot show significance at all.  "
	    "`native` (the OS's own threads) is a reference and is not "
	    "ranked.  With fewer than 6 repetitions no pair of order "
	    "statistics reaches 95%% coverage; the interval shown is then "
	    "[min, max], marked †, whose coverage is 1 − 2·0.5^n (75%% for "
	    "n = 3, 94%% for n = 5).  Intervals of ratios and of the pick's "
	    "margin are percentile bootstraps (%d resamples, fixed seed).\n\n",
	    BENCH_ALPHA, BENCH_BOOT_ROUNDS);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Profiles in dir: the known ones first (server, hpc, desktop), then any
 * other *.profile in name order.  Returns how many names were stored.
 */
static size_t
list_profiles(const char *dir, char names[][64], size_t max)
{
	static const char *const known[] = { "server", "hpc", "desktop", NULL };
	size_t n = 0, nknown;
	struct dirent *de;
	DIR *dp;

	for (int i = 0; known[i] != NULL && n < max; i++) {
		char f[4400];

		snprintf(f, sizeof(f), "%s/%s.profile", dir, known[i]);
		if (file_exists(f))
			snprintf(names[n++], 64, "%s", known[i]);
	}
	nknown = n;
	if ((dp = opendir(dir)) == NULL)
		return n;
	while ((de = readdir(dp)) != NULL && n < max) {
		size_t l = strlen(de->d_name);
		bool dup = false;

		if (l <= 8 || l - 8 >= 64 ||
		    strcmp(de->d_name + l - 8, ".profile") != 0)
			continue;
		for (size_t i = 0; i < nknown; i++)
			dup |= strncmp(names[i], de->d_name, l - 8) == 0 &&
			    names[i][l - 8] == '\0';
		if (dup)
			continue;
		snprintf(names[n], 64, "%.*s", (int)(l - 8), de->d_name);
		n++;
	}
	closedir(dp);
	qsort(names + nknown, n - nknown, 64, name_cmp);
	return n;
}

static void
md_recommend(FILE *f, const struct bench_rdir *r, const char *pdir)
{
	char names[16][64], err[512];
	size_t np = list_profiles(pdir, names, 16);
	struct bench_profile prof;
	struct bench_pick pk;

	fprintf(f, "## Recommendation\n\n");
	if (np == 0) {
		fprintf(f, "No profiles found in `%s/`: run `reapbench pick "
		    "DIR --profile NAME` with a profile file.\n\n", pdir);
		return;
	}
	/* One line per profile first: the decision at a glance. */
	for (size_t i = 0; i < np; i++) {
		memset(&pk, 0, sizeof(pk));
		if (bench_profile_load(pdir, names[i], &prof, err,
		    sizeof(err)) != 0 ||
		    bench_pick_compute(r, &prof, &pk, err, sizeof(err)) != 0)
			fprintf(f, "- **%s**: no decision: %s\n", names[i], err);
		else
			fprintf(f, "- **%s**: %s %s (ahead of %s by %.1f%%, 95%% "
			    "CI %+.1f%% .. %+.1f%%)\n", names[i],
			    pk.margin_ci.lo > 0 ? "ship" :
			    "no clear winner; leading:", pk.design[0],
			    pk.design[1], pk.margin * 100,
			    pk.margin_ci.lo * 100, pk.margin_ci.hi * 100);
		bench_pick_free(&pk);
		bench_profile_free(&prof);
	}
	fprintf(f, "\nHow each decision was reached (`reapbench pick DIR "
	    "--profile NAME` prints the same; profiles are in `%s/`):\n\n",
	    pdir);
	for (size_t i = 0; i < np; i++) {
		if (bench_profile_load(pdir, names[i], &prof, err,
		    sizeof(err)) != 0) {
			fprintf(f, "- profile %s: %s\n", names[i], err);
			bench_profile_free(&prof);
			continue;
		}
		if (bench_pick_compute(r, &prof, &pk, err, sizeof(err)) != 0)
			fprintf(f, "### Profile `%s`\n\n%s\n\n", names[i], err);
		else
			bench_pick_print(f, &prof, &pk, true);
		bench_pick_free(&pk);
		bench_profile_free(&prof);
	}
}

/*
 * Where the hybrid (DESIGN.md's own design, which must beat the seeds or
 * show where and why not) loses: each configuration it is not best in,
 * with the per-lifecycle costs beside the winner's as the first clues.
 */
static void
md_hybrid(FILE *f, const struct bench_table *t, size_t nt)
{
	static const struct { const char *key, *head; double scale; } cl[] = {
		{ "cpu_ns_per_op", "CPU ns/op", 1 },
		{ "ctx_switches_per_op", "ctx switches/op", 1 },
		{ "sleeps_per_lwp", "sleeps/LWP", 1 },
		{ "reaper_cpu_share", "reaper CPU %", 100 },
		{ "zombies_peak", "zombies peak", 1 },
	};
	const size_t ncl = sizeof(cl) / sizeof(cl[0]);
	size_t present = 0, losses = 0;

	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; k < t[i].nrows; k++)
			present += strcmp(t[i].rows[k].s->design, "hybrid") == 0;
	if (present == 0)
		return;
	fprintf(f, "## Where `hybrid` is not the best\n\n");
	for (size_t i = 0; i < nt; i++) {
		const struct bench_table *tb = &t[i];
		const struct bench_row *h = NULL, *b;
		char cfg[128], v[256], x[32], y[32];

		if (tb->best < 0)
			continue;
		for (size_t k = 0; k < tb->nrows; k++)
			if (!strcmp(tb->rows[k].s->design, "hybrid"))
				h = &tb->rows[k];
		if (h == NULL || h->best)
			continue;
		b = &tb->rows[tb->best];
		if (losses++ == 0) {
			fprintf(f, "Per-lifecycle costs are medians, hybrid / "
			    "best.\n\n| configuration | best | hybrid × best "
			    "| verdict |");
			for (size_t c = 0; c < ncl; c++)
				fprintf(f, " %s |", cl[c].head);
			fprintf(f, "\n|---|---|---:|---|");
			for (size_t c = 0; c < ncl; c++)
				fprintf(f, "---|");
			fprintf(f, "\n");
		}
		config_name(tb, cfg, sizeof(cfg));
		verdict(v, sizeof(v), tb, h);
		fprintf(f, "| %s · %s | %s | %.3f | %s |", tb->workload, cfg,
		    b->s->design, h->ratio, v);
		for (size_t c = 0; c < ncl; c++)
			fprintf(f, " %s / %s |", fmt3(x, sizeof(x),
			    series_median(h->s, cl[c].key, cl[c].scale)),
			    fmt3(y, sizeof(y), series_median(b->s, cl[c].key,
			    cl[c].scale)));
		fprintf(f, "\n");
	}
	if (losses == 0)
		fprintf(f, "`hybrid` has the best median in every "
		    "configuration measured.\n");
	fprintf(f, "\n");
}

static int
report_write(const struct bench_rdir *r, const struct bench_table *t,
    size_t nt, const char *out, const char *pdir, char *err, size_t len)
{
	struct atomic_file af;
	const char *w[MAXW], *pins[MAXP];
	size_t nw = workloads(t, nt, w, MAXW);
	FILE *f;

	if (af_open(&af, out) != 0) {
		seterr(err, len, "%s: %s", af.tmp, strerror(errno));
		return -1;
	}
	f = af.f;
	fprintf(f, "# reapbench report: %s\n\n", host_of(r));
	fprintf(f, "Results folder `%s`.  Generated by `reapbench report`; "
	    "plots in `plots/` (PNG embedded, SVG linked).\n\n", r->dir);
	md_machine(f, r);
	md_method(f);
	for (size_t i = 0; i < nw; i++) {
		const struct wl_info *wi = wl_info(w[i]);
		size_t np = wl_pins(t, nt, w[i], pins, MAXP);

		fprintf(f, "## Workload `%s`\n\n%s\n\n", w[i],
		    wi != NULL ? wi->about : "(not a known workload)");
		for (size_t p = 0; p < np; p++) {
			const struct bench_table *h = headline(t, nt, w[i],
			    pins[p]);
			char name[256], alt[256];
			bool by_t = wi != NULL && wi->by_tcount;

			snprintf(name, sizeof(name), "%s-%s-%s", by_t ?
			    "teardown-latency" : (h && h->m.higher_better ?
			    "throughput" : "time"), w[i], pins[p]);
			snprintf(alt, sizeof(alt), "%s, pin %s", w[i],
			    pins[p]);
			md_plot(f, r, name, alt);
			for (size_t k = 0; k < nt; k++)
				if (!strcmp(t[k].workload, w[i]) &&
				    !strcmp(t[k].pin, pins[p]))
					md_table(f, &t[k]);
			md_scaling(f, t, nt, w[i], pins[p]);
			if (h != NULL)
				md_counters(f, r, h);
			snprintf(name, sizeof(name), "latency-cdf-%s-%s", w[i],
			    pins[p]);
			md_plot(f, r, name, "exit-to-free latency CDF");
			snprintf(name, sizeof(name), "counters-%s-%s", w[i],
			    pins[p]);
			md_plot(f, r, name, "per-lifecycle counters");
		}
	}
	{
		const char *allp[MAXP];
		size_t na = 0;

		for (size_t i = 0; i < nt; i++) {
			bool seen = false;
			for (size_t k = 0; k < na; k++)
				seen |= strcmp(allp[k], t[i].pin) == 0;
			if (!seen && na < MAXP)
				allp[na++] = t[i].pin;
		}
		md_hybrid(f, t, nt);
		fprintf(f, "## Zombie memory\n\n");
		for (size_t k = 0; k < na; k++) {
			char name[128];

			snprintf(name, sizeof(name), "zombies-%s", allp[k]);
			md_plot(f, r, name, "peak zombie LWPs");
		}
	}
	md_recommend(f, r, pdir);
	if (af_close(&af) != 0) {
		seterr(err, len, "%s: %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- comparing two runs ---------------------------------------------------- */

static int
compare_write(const struct bench_rdir *a, const struct bench_rdir *b,
    const char *out, char *err, size_t len)
{
	struct atomic_file af;
	struct bench_table *ta, *tb;
	size_t nta, ntb, nw, matched = 0, only_b = 0;
	const char *w[MAXW];
	FILE *f;

	bench_tables_build(a, &ta, &nta);
	bench_tables_build(b, &tb, &ntb);
	if (af_open(&af, out) != 0) {
		seterr(err, len, "%s: %s", af.tmp, strerror(errno));
		bench_tables_free(ta, nta);
		bench_tables_free(tb, ntb);
		return -1;
	}
	f = af.f;
	fprintf(f, "# reapbench comparison\n\nBaseline `%s` (%s) → new `%s` "
	    "(%s).  Ratio = new median / baseline median with a 95%% "
	    "percentile-bootstrap interval (%d resamples); Mann–Whitney U "
	    "between the two runs' repetitions (α = %.2f); Cliff's δ > 0 "
	    "means the new run's values are larger.\n\n", a->dir, host_of(a),
	    b->dir, host_of(b), BENCH_BOOT_ROUNDS, BENCH_ALPHA);
	nw = workloads(tb, ntb, w, MAXW);
	for (size_t i = 0; i < nw; i++) {
		bool head = false;

		for (size_t k = 0; k < ntb; k++) {
			const struct bench_table *t = &tb[k];
			char cfg[128], lo[32], hi[32], pv[32], vd[160];

			if (strcmp(t->workload, w[i]) != 0)
				continue;
			config_name(t, cfg, sizeof(cfg));
			for (size_t r = 0; r < t->nrows; r++) {
				const struct bench_row *rb = &t->rows[r];
				const struct bench_row *ra = NULL;
				struct stats_ci ci;
				struct stats_mwu u;
				double ratio;
				bool better;

				for (size_t j = 0; j < nta && ra == NULL; j++) {
					const struct bench_table *x = &ta[j];
					if (strcmp(x->workload, t->workload) ||
					    strcmp(x->pin, t->pin) ||
					    x->threads != t->threads ||
					    x->tcount != t->tcount)
						continue;
					for (size_t q = 0; q < x->nrows; q++)
						if (!strcmp(x->rows[q].s->design,
						    rb->s->design))
							ra = &x->rows[q];
				}
				if (ra == NULL || ra->n == 0 || rb->n == 0) {
					only_b++;
					continue;
				}
				if (!head) {
					fprintf(f, "## Workload `%s`: %s, "
					    "%s is better\n\n| configuration "
					    "| design | ratio new/base | 95%% "
					    "CI | Mann–Whitney p | Cliff's δ "
					    "| verdict |\n|---|---|---:|---|"
					    "---:|---:|---|\n", w[i],
					    t->m.label, t->m.higher_better ?
					    "higher" : "lower");
					head = true;
				}
				matched++;
				ratio = stats_ratio_ci(ra->v, ra->n,
				    rb->v, rb->n, 0.95, BENCH_BOOT_ROUNDS,
				    BENCH_BOOT_SEED, &ci);
				stats_mwu_test(rb->v, rb->n, ra->v, ra->n, &u);
				better = t->m.higher_better ? ratio > 1 :
				    ratio < 1;
				if (u.p_min > BENCH_ALPHA)
					snprintf(vd, sizeof(vd), "too few "
					    "repetitions to test");
				else if (u.p < BENCH_ALPHA)
					snprintf(vd, sizeof(vd), "**%s**, "
					    "significant (%s effect)", better ?
					    "better" : "worse",
					    stats_delta_label(u.delta));
				else
					snprintf(vd, sizeof(vd), "no significant "
					    "change");
				fprintf(f, "| %s | %s | %.3f | [%s, %s] | %s | "
				    "%+.2f | %s |\n", cfg, rb->s->design, ratio,
				    fmt3(lo, sizeof(lo), ci.lo),
				    fmt3(hi, sizeof(hi), ci.hi),
				    fmt_p(pv, sizeof(pv), u.p), u.delta, vd);
			}
		}
		if (head)
			fprintf(f, "\n");
	}
	if (only_b)
		fprintf(f, "%zu benchmarks of the new run have no counterpart "
		    "in the baseline and are not compared.\n", only_b);
	if (matched == 0)
		fprintf(f, "No benchmark appears in both runs.\n");
	bench_tables_free(ta, nta);
	bench_tables_free(tb, ntb);
	if (af_close(&af) != 0) {
		seterr(err, len, "%s: %s", out, strerror(errno));
		return -1;
	}
	if (matched == 0) {
		seterr(err, len, "no benchmark appears in both %s and %s",
		    a->dir, b->dir);
		return -1;
	}
	return 0;
}

/* ---- main ------------------------------------------------------------------ */

static int
usage(void)
{
	fprintf(stderr,
	    "usage: reapbench report [--no-plots | --plots-only] "
	    "[--gp-dir DIR] [--profiles-dir DIR] [-o FILE] RESULTS\n"
	    "       reapbench report --baseline RESULTS1 RESULTS2 "
	    "[-o FILE]\n");
	return 2;
}

int
bench_report_main(int argc, char **argv)
{
	const char *dir = NULL, *base = NULL, *out = NULL;
	const char *gpdir = "plots", *pdir = "report/profiles";
	bool no_plots = false, plots_only = false;
	struct bench_rdir r, rb;
	struct bench_table *t;
	size_t nt;
	char err[1024], outbuf[4200];
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--no-plots") == 0)
			no_plots = true;
		else if (strcmp(a, "--plots-only") == 0)
			plots_only = true;
		else if (strcmp(a, "--baseline") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(a, "--gp-dir") == 0 && i + 1 < argc)
			gpdir = argv[++i];
		else if (strcmp(a, "--profiles-dir") == 0 && i + 1 < argc)
			pdir = argv[++i];
		else if (strcmp(a, "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (a[0] == '-')
			return usage();
		else if (dir == NULL)
			dir = a;
		else
			return usage();
	}
	if (dir == NULL || (no_plots && plots_only))
		return usage();
	if (base != NULL) {
		if (bench_rdir_load(base, &rb, err, sizeof(err)) != 0) {
			fprintf(stderr, "reapbench report: %s\n", err);
			bench_rdir_free(&rb);
			return 1;
		}
		if (bench_rdir_load(dir, &r, err, sizeof(err)) != 0) {
			fprintf(stderr, "reapbench report: %s\n", err);
			bench_rdir_free(&r);
			bench_rdir_free(&rb);
			return 1;
		}
		if (out == NULL) {
			snprintf(outbuf, sizeof(outbuf), "%s/COMPARE.md", dir);
			out = outbuf;
		}
		if (compare_write(&rb, &r, out, err, sizeof(err)) != 0) {
			fprintf(stderr, "reapbench report: %s\n", err);
			rc = 1;
		} else
			printf("reapbench report: wrote %s\n", out);
		bench_rdir_free(&r);
		bench_rdir_free(&rb);
		return rc;
	}
	if (bench_rdir_load(dir, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench report: %s\n", err);
		bench_rdir_free(&r);
		return 1;
	}
	bench_tables_build(&r, &t, &nt);
	if (!no_plots && plots_make(&r, t, nt, gpdir, true, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "reapbench report: plots: %s\n", err);
		rc = 1;
	}
	if (!plots_only) {
		if (out == NULL) {
			snprintf(outbuf, sizeof(outbuf), "%s/REPORT.md", dir);
			out = outbuf;
		}
		if (report_write(&r, t, nt, out, pdir, err, sizeof(err)) != 0) {
			fprintf(stderr, "reapbench report: %s\n", err);
			rc = 1;
		} else
			printf("reapbench report: wrote %s\n", out);
	}
	bench_tables_free(t, nt);
	bench_rdir_free(&r);
	return rc;
}
