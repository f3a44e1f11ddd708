/*
 * report_md.c - REPORT.md: the machine, the method, per workload its
 * plots, tables, scaling and counters, where hybrid loses, zombie memory
 * and the pick of every profile.  Written through a temporary file and
 * rename(2), so a reader never sees half a report.
 */
#include "report_impl.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- one configuration -------------------------------------------------- */

static void
md_plot(FILE *f, const struct rdir *r, const char *name, const char *alt)
{
	char *png = path_join(r->dir, "plots/%s.png", name);

	if (report_file_exists(png))
		fprintf(f, "![%s](plots/%s.png)  \n[SVG](plots/%s.svg)\n\n",
		    alt, name, name);
	free(png);
}

static void
verdict(char *buf, size_t len, const struct report_table *t,
    const struct report_row *row)
{
	char p[32];
	const char *worse = t->m.higher_better ? "lower" : "higher";
	const char *ref = row->reference ? "reference; " : "";
	double best = t->rows[t->best].median;

	if (row->best)
		snprintf(buf, len, "**best**");
	else if (row->n == 0)
		snprintf(buf, len, "no data");
	else if (row->vs_best.p_min > REPORT_ALPHA)
		snprintf(buf, len, "%stoo few repetitions to test (smallest "
		    "possible p = %.2f)", ref, row->vs_best.p_min);
	else if (row->vs_best.p < REPORT_ALPHA)
		snprintf(buf, len, "%s%s than best, significant (p = %s, "
		    "%s effect)", ref, t->m.higher_better ?
		    (row->median > best ? "higher" : worse) :
		    (row->median < best ? "lower" : worse),
		    report_fmt_p(p, sizeof(p), row->vs_best.p),
		    stats_delta_label(row->vs_best.delta));
	else
		snprintf(buf, len, "%snot significantly different from best "
		    "(p = %s)", ref, report_fmt_p(p, sizeof(p),
		    row->vs_best.p));
}

static void
md_table(FILE *f, const struct rdir *r, const struct report_table *t)
{
	char cfg[128], unit[64], a[32], b[32], c[32], v[256];
	double scale;
	bool dagger = false;

	if (t->best < 0)
		return;
	report_config_name(t, cfg, sizeof(cfg));
	scale = report_unit_scale(&t->m, t->rows[t->best].median, unit,
	    sizeof(unit));
	fprintf(f, "#### %s · %s%s\n\n", t->workload, cfg,
	    report_timings_emulated(r) ? " (" REPORT_EMULATED ")" : "");
	fprintf(f, "%s in %s, %s is better.\n\n", t->m.label, unit,
	    t->m.higher_better ? "higher" : "lower");
	fprintf(f, "| design | n | median (%s) | 95%% CI | × best | "
	    "Mann–Whitney p | Cliff's δ | verdict |\n", unit);
	fprintf(f, "|---|---:|---:|---|---:|---:|---:|---|\n");
	for (size_t k = 0; k < t->nrows; k++) {
		const struct report_row *row = &t->rows[k];
		bool dg = row->ci.coverage < 0.95 && row->n > 0;

		dagger |= dg;
		verdict(v, sizeof(v), t, row);
		fprintf(f, "| %s | %zu | %s | [%s, %s]%s | %.3f | ",
		    row->s->design, row->n,
		    report_fmt3(a, sizeof(a), row->median / scale),
		    report_fmt3(b, sizeof(b), row->ci.lo / scale),
		    report_fmt3(c, sizeof(c), row->ci.hi / scale),
		    dg ? " †" : "", row->ratio);
		if (row->best)
			fprintf(f, "— | — | %s |\n", v);
		else
			fprintf(f, "%s | %+.2f (%s) | %s |\n",
			    report_fmt_p(a, sizeof(a), row->vs_best.p),
			    row->vs_best.delta,
			    stats_delta_label(row->vs_best.delta), v);
	}
	if (dagger)
		fprintf(f, "\n† [min, max]: fewer than 6 repetitions, "
		    "coverage below 95%% (see Method).\n");
	fprintf(f, "\n");
}

/* ---- scaling ------------------------------------------------------------ */

struct scaling {
	const char *w, *pin;
	int	 th[64];	/* thread counts, ascending */
	size_t	 nth;
	const char *d[REPORT_MAXD];
	size_t	 nd;
};

static bool
scaling_table(const struct scaling *sc, const struct report_table *t)
{
	return !strcmp(t->workload, sc->w) && !strcmp(t->pin, sc->pin) &&
	    t->m.higher_better && t->tcount == 0;
}

/* The thread counts and designs of a throughput sweep. */
static void
scaling_axes(struct scaling *sc, const struct report_table *t, size_t nt)
{
	for (size_t i = 0; i < nt; i++) {
		bool seen = false;

		if (!scaling_table(sc, &t[i]))
			continue;
		for (size_t k = 0; k < sc->nth; k++)
			seen |= sc->th[k] == t[i].threads;
		if (!seen && sc->nth < 64)
			sc->th[sc->nth++] = t[i].threads;
		for (size_t k = 0; k < t[i].nrows; k++) {
			const char *d = t[i].rows[k].s->design;

			seen = false;
			for (size_t j = 0; j < sc->nd; j++)
				seen |= strcmp(sc->d[j], d) == 0;
			if (!seen && sc->nd < REPORT_MAXD)
				sc->d[sc->nd++] = d;
		}
	}
	for (size_t i = 1; i < sc->nth; i++)
		for (size_t k = i; k > 0 && sc->th[k] < sc->th[k - 1]; k--) {
			int x = sc->th[k];

			sc->th[k] = sc->th[k - 1];
			sc->th[k - 1] = x;
		}
}

/* The median of design d at `threads` threads, NaN if not measured. */
static double
scaling_median(const struct scaling *sc, const struct report_table *t,
    size_t nt, int threads, const char *d)
{
	double m = NAN;

	for (size_t i = 0; i < nt; i++)
		if (scaling_table(sc, &t[i]) && t[i].threads == threads)
			for (size_t k = 0; k < t[i].nrows; k++)
				if (!strcmp(t[i].rows[k].s->design, d))
					m = t[i].rows[k].median;
	return m;
}

/* Scaling efficiency vs linear for a throughput sweep (one pin). */
static void
md_scaling(FILE *f, const struct report_table *t, size_t nt, const char *w,
    const char *pin)
{
	struct scaling sc = { .w = w, .pin = pin };

	scaling_axes(&sc, t, nt);
	if (sc.nth < 2)
		return;
	fprintf(f, "Scaling efficiency, pin:%s: throughput at t threads / "
	    "(t / %d × throughput at %d), medians; 100%% is linear.\n\n",
	    pin, sc.th[0], sc.th[0]);
	fprintf(f, "| design |");
	for (size_t i = 0; i < sc.nth; i++)
		fprintf(f, " t:%d |", sc.th[i]);
	fprintf(f, "\n|---|");
	for (size_t i = 0; i < sc.nth; i++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (size_t j = 0; j < sc.nd; j++) {
		double base = scaling_median(&sc, t, nt, sc.th[0], sc.d[j]);

		fprintf(f, "| %s |", sc.d[j]);
		for (size_t x = 0; x < sc.nth; x++) {
			double e = scaling_median(&sc, t, nt, sc.th[x],
			    sc.d[j]) / base / ((double)sc.th[x] / sc.th[0]);

			if (isnan(e))
				fprintf(f, " n/a |");
			else
				fprintf(f, " %.0f%% |", e * 100);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* ---- counters ----------------------------------------------------------- */

/* The columns of the counters table. */
static const struct md_col {
	enum bench_key key;
	const char *head;
	double	 scale;
} md_cols[] = {
	{ BK_CYCLES_PER_OP, "cycles", 1 },
	{ BK_INSTRUCTIONS_PER_OP, "instructions", 1 },
	{ BK_CACHE_MISSES_PER_OP, "cache misses", 1 },
	{ BK_TASK_CLOCK_NS_PER_OP, "task clock ns", 1 },
	{ BK_CPU_NS_PER_OP, "CPU ns", 1 },
	{ BK_CTX_SWITCHES_PER_OP, "ctx switches", 1 },
	{ BK_MIGRATIONS_PER_OP, "migrations", 1 },
	{ BK_REAPER_CPU_SHARE, "reaper CPU %", 100 },
	{ BK_ZOMBIES_PEAK, "zombies peak", 1 },
	{ BK_REAPER_WAKEUPS_PER_LWP, "reaper wakeups/LWP", 1 },
	{ BK_SLEEPS_PER_LWP, "sleeps/LWP", 1 },
	{ BK_TICK_SLEEPS_PER_LWP, "tick sleeps/LWP", 1 },
	{ BK_LAT_P50_NS, "p50 latency ns", 1 },
	{ BK_LAT_P99_NS, "p99 latency ns", 1 },
	{ BK_LAT_P999_NS, "p99.9 latency ns", 1 },
	{ BK_FAIRNESS_CV, "fairness CV", 1 },
};
#define NCOL	(sizeof(md_cols) / sizeof(md_cols[0]))

static void
md_counters_rows(FILE *f, const struct report_table *h, const bool *have)
{
	char b[32];

	fprintf(f, "| design |");
	for (size_t c = 0; c < NCOL; c++)
		if (have[c])
			fprintf(f, " %s |", md_cols[c].head);
	fprintf(f, "\n|---|");
	for (size_t c = 0; c < NCOL; c++)
		if (have[c])
			fprintf(f, "---:|");
	fprintf(f, "\n");
	for (size_t k = 0; k < h->nrows; k++) {
		fprintf(f, "| %s |", h->rows[k].s->design);
		for (size_t c = 0; c < NCOL; c++)
			if (have[c])
				fprintf(f, " %s |", report_fmt3(b, sizeof(b),
				    report_series_median(h->rows[k].s,
				    md_cols[c].key, md_cols[c].scale)));
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* Per-lifecycle counters of the headline configuration, medians. */
static void
md_counters(FILE *f, const struct rdir *r, const struct report_table *h)
{
	bool have[NCOL], any = false, hwmiss = false;
	const char *why;
	char cfg[128];

	for (size_t c = 0; c < NCOL; c++) {
		have[c] = false;
		for (size_t k = 0; k < h->nrows; k++)
			have[c] |= rdir_values(h->rows[k].s,
			    md_cols[c].key) != NULL;
		any |= have[c];
		hwmiss |= bench_keys[md_cols[c].key].hw && !have[c];
	}
	report_config_name(h, cfg, sizeof(cfg));
	if (!any) {
		fprintf(f, "Per-lifecycle counters (%s): none were measured in "
		    "this run.\n\n", cfg);
		return;
	}
	fprintf(f, "Per-lifecycle counters (%s), medians over repetitions; "
	    "counters cover every thread of the design, reapers included:"
	    "\n\n", cfg);
	md_counters_rows(f, h, have);
	if (hwmiss && !report_pmu_available(r, &why))
		fprintf(f, "Hardware counters (cycles, instructions, cache "
		    "misses): unavailable on this machine (see Machine).\n\n");
}

/* ---- machine and method ------------------------------------------------- */

/* What the run says of itself: benchmarks, repetitions, errors. */
static void
md_run(FILE *f, const struct rdir *r)
{
	size_t errs = 0, aggonly = 0, reps_min = SIZE_MAX, reps_max = 0;

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
		    "left out (see Failed or skipped benchmarks)\n", errs);
	if (aggonly)
		fprintf(f, "- **%zu benchmarks kept only aggregates**: their "
		    "median is one sample, untestable\n", aggonly);
	if (r->skipped)
		fprintf(f, "- %zu entries with names not of the form "
		    "workload/design/... were ignored\n", r->skipped);
}

/* A benchmark skipped by plan (never run), and the reason from
 * "skipped:" on, which names no benchmark: the same for many. */
static const char *
md_skip_reason(const struct rdir_series *s)
{
	const char *k = s->error != NULL ? strstr(s->error, "skipped: ") :
	    NULL;

	return s->nrep == 0 ? k : NULL;
}

/* Skipped benchmarks, one line per reason: how many, and one name. */
static void
md_skipped(FILE *f, const struct rdir_series *const *v, size_t n)
{
	bool *done = xcalloc(n + 1, sizeof(*done));

	for (size_t i = 0; i < n; i++) {
		const char *why = md_skip_reason(v[i]);
		size_t k = 0;

		if (why == NULL || done[i])
			continue;
		for (size_t j = i; j < n; j++) {
			const char *w = md_skip_reason(v[j]);

			if (w != NULL && !done[j] && strcmp(w, why) == 0) {
				done[j] = true;
				k++;
			}
		}
		fprintf(f, "- %zu not run, %s (e.g. `%s`)\n", k, why,
		    v[i]->spec);
	}
	free(done);
}

/*
 * The benchmarks that failed or skipped repetitions (a call over its
 * budget, a design's error, calibration), each with the run's reason, at
 * every multiple of the stand-ins' costs: a failure stays visible, it is
 * not a silent gap in the tables.  Those skipped by plan (oversubscribed,
 * a duplicate plan) go by reason.
 */
static void
md_failed(FILE *f, const struct rdir *r)
{
	const struct rdir_series **v = xcalloc(r->ns + r->nws + 1,
	    sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < r->ns + r->nws; i++) {
		const struct rdir_series *s = i < r->ns ? &r->s[i] :
		    &r->ws[i - r->ns];

		if (s->nerrors > 0)
			v[n++] = s;
	}
	if (n > 0)
		fprintf(f, "## Failed or skipped benchmarks\n\n"
		    "The rest of the matrix ran; these have fewer measured "
		    "repetitions than asked, or none.\n\n");
	for (size_t i = 0; i < n; i++) {
		if (md_skip_reason(v[i]) != NULL)
			continue;
		if (v[i]->nrep == 0)	/* one error entry stands for all */
			fprintf(f, "- `%s`: %s (not run)\n", v[i]->spec,
			    v[i]->error);
		else
			fprintf(f, "- `%s`: %s (%zu of %zu repetitions "
			    "measured)\n", v[i]->spec, v[i]->error,
			    v[i]->nrep, v[i]->nrep + v[i]->nerrors);
	}
	if (n > 0) {
		md_skipped(f, v, n);
		fprintf(f, "\n");
	}
	free(v);
}

/* pins.tsv: how many threads ran where they were planned (its percpu
 * rows are memory blocks, never seen on a PU: not threads). */
static void
md_pins(FILE *f, const struct rdir *r)
{
	size_t threads = 0, bound = 0, off = 0;

	for (size_t i = 0; i < r->npins; i++) {
		if (r->pins[i].role != NULL &&
		    strcmp(r->pins[i].role, "percpu") == 0)
			continue;
		threads++;
		if (r->pins[i].planned >= 0) {
			bound++;
			off += r->pins[i].seen != r->pins[i].planned;
		}
	}
	if (threads > 0)
		fprintf(f, "- pinning (`%s`): %zu threads recorded, %zu bound, "
		    "%zu of them seen on a PU other than planned\n",
		    BENCH_FILE_PINS, threads, bound, off);
}

/* What the harness and model kernel add per lifecycle: floor's
 * churn_private at 1 thread without stand-in costs (the harness check's)
 * less `bare`, the same allocation alone. */
static void
md_harness_cost(FILE *f, const struct rdir *r)
{
	double m = bench_check_floor1(rdir_ctx(r, BC_CHECK_NS, NULL));

	if (isnan(r->bare_ns) || isnan(m))
		return;
	fprintf(f, "- harness overhead: %.1f ns per lifecycle: floor's "
	    "churn_private at 1 thread without stand-in costs (the harness "
	    "check's, %.1f ns) less `bare`, a loop doing "
	    "the same allocation work alone (%.1f ns): the harness, the model "
	    "kernel and floor's own protocol\n", m - r->bare_ns, m,
	    r->bare_ns);
}

static void
md_machine(FILE *f, const struct rdir *r)
{
	static const enum bench_ctx keys[] = {
		BC_DATE, BC_VIRTUALIZATION, BC_TIMINGS_EMULATED, BC_NUM_CPUS,
		BC_MHZ_PER_CPU, BC_CPU_SCALING_ENABLED,
		BC_TOPOLOGY, BC_KERNEL_RELEASE, BC_GOVERNOR, BC_ASLR,
		BC_MEMBIND, BC_LIBRARY_BUILD_TYPE, BC_LIBRARY_VERSIONS,
		BC_COMPILER, BC_GIT_REVISION, BC_MATRIX, BC_TIME,
		BC_COUNTER_EVENTS, BC_COUNTER_MODE, BC_COUNTER_SCOPE,
		BC_PERF_EVENT_PARANOID, BC_STORM_SHAPE,
	};
	const char *why, *v;
	char mach[512];

	report_machine_line(r, mach, sizeof(mach));
	fprintf(f, "## Machine\n\n- host %s\n", mach);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = rdir_ctx(r, keys[i], NULL)) != NULL && *v)
			fprintf(f, "- %s: %s\n", BENCH_CTX(keys[i]), v);
	if (report_pmu_available(r, &why))
		fprintf(f, "- hardware counters: available\n");
	else
		fprintf(f, "- hardware counters: **not available**, so cycles, "
		    "instructions and cache misses are not reported (never "
		    "estimated): %s\n", why);
	if (r->cmdline != NULL)
		fprintf(f, "- command line: `%s`\n", r->cmdline);
	if (!isnan(r->harness_ns))
		fprintf(f, "- wrapper overhead (`empty` benchmark): %.2f ns per "
		    "Google Benchmark iteration: the benchmark loop's own cost, "
		    "not the harness's per lifecycle (floor's time per "
		    "lifecycle, in the tables, bounds that from above: harness, "
		    "model kernel and the least reap work)\n", r->harness_ns);
	md_harness_cost(f, r);
	md_pins(f, r);
	md_run(f, r);
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
	    REPORT_ALPHA, REPORT_BOOT_ROUNDS);
}

/* ---- the recommendation ------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Profiles in dir: the known ones first (server, hpc, desktop), then any
 * other *.profile in name order.  Returns how many names were stored.
 */
size_t
report_list_profiles(const char *dir, char names[][64], size_t max)
{
	static const char *const known[] = { "server", "hpc", "desktop", NULL };
	size_t n = 0, nknown;
	struct dirent *de;
	DIR *dp;

	for (int i = 0; known[i] != NULL && n < max; i++) {
		char *f = path_join(dir, "%s.profile", known[i]);

		if (report_file_exists(f))
			snprintf(names[n++], 64, "%s", known[i]);
		free(f);
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

/* One line per profile: the decision at a glance. */
static void
md_decision(FILE *f, const struct rdir *r, const char *pdir,
    const char *name)
{
	struct profile prof;
	struct pick pk;
	char err[512], lab[96];

	memset(&pk, 0, sizeof(pk));
	if (profile_load(pdir, name, &prof, err, sizeof(err)) != 0 ||
	    pick_compute(r, &prof, &pk, err, sizeof(err)) != 0)
		fprintf(f, "- **%s**: no decision: %s\n", name, err);
	else
		fprintf(f, "- **%s**: %s %s (ahead of %s by %.1f%%, %s "
		    "%+.1f%% .. %+.1f%%)\n", name, pk.margin_ci.lo > 0 ?
		    "ship" : "no clear winner; leading:", pk.design[0],
		    pk.design[1], pk.margin * 100, pick_ci_label(&pk, lab,
		    sizeof(lab)), pk.margin_ci.lo * 100,
		    pk.margin_ci.hi * 100);
	pick_free(&pk);
	profile_free(&prof);
}

/* How the decision was reached, as `reapbench pick` prints it. */
static void
md_pick(FILE *f, const struct rdir *r, const char *pdir, const char *name)
{
	struct profile prof;
	struct pick pk;
	char err[512];

	if (profile_load(pdir, name, &prof, err, sizeof(err)) != 0) {
		fprintf(f, "- profile %s: %s\n", name, err);
		profile_free(&prof);
		return;
	}
	if (pick_compute(r, &prof, &pk, err, sizeof(err)) != 0)
		fprintf(f, "### Profile `%s`\n\n%s\n\n", name, err);
	else
		pick_print(f, &prof, &pk, true);
	pick_free(&pk);
	profile_free(&prof);
}

/* The decisions at a glance: the report's opening. */
static void
md_recommend(FILE *f, const struct rdir *r, const char *pdir)
{
	char names[16][64];
	size_t np = report_list_profiles(pdir, names, 16);

	fprintf(f, "## Recommendation\n\n");
	if (np == 0) {
		fprintf(f, "No profiles found in `%s/`: run `reapbench pick "
		    "DIR --profile NAME` with a profile file.\n\n", pdir);
		return;
	}
	for (size_t i = 0; i < np; i++)
		md_decision(f, r, pdir, names[i]);
	fprintf(f, "\nHow each was reached: the last section.\n\n");
}

/* How each decision was reached: the report's end. */
static void
md_recommend_how(FILE *f, const struct rdir *r, const char *pdir)
{
	char names[16][64];
	size_t np = report_list_profiles(pdir, names, 16);

	if (np == 0)
		return;
	fprintf(f, "## How each decision was reached\n\n(`reapbench pick "
	    "DIR --profile NAME` prints the same; profiles are in `%s/`.)\n\n",
	    pdir);
	for (size_t i = 0; i < np; i++)
		md_pick(f, r, pdir, names[i]);
}

/* ---- where hybrid loses ------------------------------------------------- */

static const struct md_col hy_cols[] = {
	{ BK_CPU_NS_PER_OP, "CPU ns/op", 1 },
	{ BK_CTX_SWITCHES_PER_OP, "ctx switches/op", 1 },
	{ BK_SLEEPS_PER_LWP, "sleeps/LWP", 1 },
	{ BK_REAPER_CPU_SHARE, "reaper CPU %", 100 },
	{ BK_ZOMBIES_PEAK, "zombies peak", 1 },
};
#define NHYCOL	(sizeof(hy_cols) / sizeof(hy_cols[0]))

/* hybrid's row of tb when it is not the best there, else NULL. */
static const struct report_row *
hybrid_loses(const struct report_table *tb)
{
	const struct report_row *h = NULL;

	if (tb->best < 0)
		return NULL;
	for (size_t k = 0; k < tb->nrows; k++)
		if (!strcmp(tb->rows[k].s->design, "hybrid"))
			h = &tb->rows[k];
	return h != NULL && !h->best ? h : NULL;
}

static void
md_hybrid_row(FILE *f, const struct report_table *tb,
    const struct report_row *h, bool first)
{
	const struct report_row *b = &tb->rows[tb->best];
	char cfg[128], v[256], x[32], y[32];

	if (first) {
		fprintf(f, "Per-lifecycle costs are medians, hybrid / best.\n\n"
		    "| configuration | best | hybrid × best | verdict |");
		for (size_t c = 0; c < NHYCOL; c++)
			fprintf(f, " %s |", hy_cols[c].head);
		fprintf(f, "\n|---|---|---:|---|");
		for (size_t c = 0; c < NHYCOL; c++)
			fprintf(f, "---|");
		fprintf(f, "\n");
	}
	report_config_name(tb, cfg, sizeof(cfg));
	verdict(v, sizeof(v), tb, h);
	fprintf(f, "| %s · %s | %s | %.3f | %s |", tb->workload, cfg,
	    b->s->design, h->ratio, v);
	for (size_t c = 0; c < NHYCOL; c++)
		fprintf(f, " %s / %s |", report_fmt3(x, sizeof(x),
		    report_series_median(h->s, hy_cols[c].key,
		    hy_cols[c].scale)), report_fmt3(y, sizeof(y),
		    report_series_median(b->s, hy_cols[c].key,
		    hy_cols[c].scale)));
	fprintf(f, "\n");
}

/*
 * Where the hybrid (DESIGN.md's own design, which must beat the seeds or
 * show where and why not) loses: each configuration it is not best in,
 * with the per-lifecycle costs beside the winner's as the first clues.
 */
static void
md_hybrid(FILE *f, const struct report_table *t, size_t nt)
{
	size_t present = 0, losses = 0;

	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; k < t[i].nrows; k++)
			present += !strcmp(t[i].rows[k].s->design, "hybrid");
	if (present == 0)
		return;
	fprintf(f, "## Where `hybrid` is not the best\n\n");
	for (size_t i = 0; i < nt; i++) {
		const struct report_row *h = hybrid_loses(&t[i]);

		if (h != NULL)
			md_hybrid_row(f, &t[i], h, losses++ == 0);
	}
	if (losses == 0)
		fprintf(f, "`hybrid` has the best median in every "
		    "configuration measured.\n");
	fprintf(f, "\n");
}

/* ---- the whole report --------------------------------------------------- */

/* A rounds workload's sweeps of its two figures (report_plots.c). */
static void
md_figure_plots(FILE *f, const struct rdir *r,
    const struct bench_workload_info *wi, const char *w, const char *pin)
{
	char name[256], alt[256];

	if (wi == NULL || !wi->rounds)
		return;
	for (int fig = REPORT_WAKES; fig <= REPORT_FREED; fig++) {
		snprintf(name, sizeof(name), "%s-%s-%s", fig == REPORT_WAKES ?
		    "parent-wakes" : "all-freed", w, pin);
		snprintf(alt, sizeof(alt), "%s, %s p50, pin %s", w,
		    report_figure_name((enum report_figure)fig), pin);
		md_plot(f, r, name, alt);
	}
}

/* A workload's section: per pin policy its plots, tables and counters. */
static void
md_workload(FILE *f, const struct rdir *r, const struct report_table *t,
    size_t nt, const char *w)
{
	const struct bench_workload_info *wi = bench_workload_find(w);
	const char *pins[REPORT_MAXP];
	size_t np = report_pins(t, nt, w, pins, REPORT_MAXP), nwk, nfr;
	char name[256], alt[256];
	struct report_table *wk = report_tables_figure(t, nt, REPORT_WAKES,
	    &nwk), *fr = report_tables_figure(t, nt, REPORT_FREED, &nfr);

	fprintf(f, "## Workload `%s`\n\n%s\n\n", w,
	    wi != NULL ? wi->about : "(not a known workload)");
	report_md_figures_about(f, r, w);
	report_md_native(f, r, t, nt, w);
	for (size_t p = 0; p < np; p++) {
		const struct report_table *h = report_headline(t, nt, w,
		    pins[p]);

		snprintf(name, sizeof(name), "%s-%s-%s", wi && wi->by_tcount ?
		    "teardown-latency" : (h && h->m.higher_better ?
		    "throughput" : "time"), w, pins[p]);
		snprintf(alt, sizeof(alt), "%s, pin %s", w, pins[p]);
		md_plot(f, r, name, alt);
		md_figure_plots(f, r, wi, w, pins[p]);
		for (size_t k = 0; k < nt; k++)
			if (!strcmp(t[k].workload, w) &&
			    !strcmp(t[k].pin, pins[p])) {
				md_table(f, r, &t[k]);
				report_md_figures(f, &t[k], wk, nwk, fr, nfr);
			}
		md_scaling(f, t, nt, w, pins[p]);
		if (h != NULL)
			md_counters(f, r, h);
		snprintf(name, sizeof(name), "latency-cdf-%s-%s", w, pins[p]);
		md_plot(f, r, name, "exit-to-free latency CDF");
		snprintf(name, sizeof(name), "counters-%s-%s", w, pins[p]);
		md_plot(f, r, name, "per-lifecycle counters");
	}
	report_numa_table(f, r, t, nt, w);
	report_tables_free(wk, nwk);
	report_tables_free(fr, nfr);
}

int
report_md_write(const struct rdir *r, const struct report_table *t,
    size_t nt, const char *out, const char *pdir, char *err, size_t len)
{
	struct report_file rf;
	const char *w[REPORT_MAXW], *pins[REPORT_MAXP];
	size_t nw = report_workloads(t, nt, w, REPORT_MAXW), np;
	FILE *f;

	if (report_file_open(&rf, out, err, len) != 0)
		return -1;
	f = rf.f;
	fprintf(f, "# reapbench report: %s\n\n", report_host(r));
	report_md_check(f, r);
	md_recommend(f, r, pdir);
	report_md_cost(f, r);
	report_md_work(f, r);
	fprintf(f, "## Details\n\nResults folder `%s`.  Generated by `reapbench report`; "
	    "plots in `plots/` (PNG embedded, SVG linked).\n\n", r->dir);
	if (report_timings_emulated(r))
		fprintf(f, "**%s**: this run's context says "
		    "timings_emulated=yes (virtualization: %s).  Threads ran "
		    "where they were planned, but every time below is an "
		    "emulator's, not the machine's: the pick does not rank "
		    "from it.\n\n", REPORT_EMULATED, rdir_ctx(r,
		    BC_VIRTUALIZATION, NULL) ? rdir_ctx(r, BC_VIRTUALIZATION,
		    NULL) : "not recorded");
	report_numa_topology(f, r, "##");
	md_machine(f, r);
	md_failed(f, r);
	md_method(f);
	for (size_t i = 0; i < nw; i++)
		md_workload(f, r, t, nt, w[i]);
	md_hybrid(f, t, nt);
	fprintf(f, "## Zombie memory\n\n");
	np = report_pins(t, nt, NULL, pins, REPORT_MAXP);
	for (size_t k = 0; k < np; k++) {
		char name[128];

		snprintf(name, sizeof(name), "zombies-%s", pins[k]);
		md_plot(f, r, name, "peak zombie LWPs");
	}
	md_recommend_how(f, r, pdir);
	return report_file_close(&rf, err, len);
}
