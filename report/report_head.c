/*
 * report_head.c - the opening of REPORT.md: whether the run can show
 * scaling at all (the harness check), then the decision.  The details
 * (machine, method, tables) follow it in report_md.c.
 */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double
ctx_num(const struct rdir *r, enum bench_ctx k)
{
	const char *v = rdir_ctx(r, k, NULL);
	char *end;
	double x;

	if (v == NULL)
		return NAN;
	x = strtod(v, &end);
	return end == v ? NAN : x;
}

void
report_check_read(const struct rdir *r, struct report_check *c)
{
	double n = ctx_num(r, BC_CHECK_THREADS);

	memset(c, 0, sizeof(*c));
	c->verdict = rdir_ctx(r, BC_CHECK_VERDICT, NULL);
	c->present = c->verdict != NULL;
	c->threads = isnan(n) ? 0 : (int)n;
	c->ratio = ctx_num(r, BC_CHECK_RATIO);
	c->eff = ctx_num(r, BC_CHECK_EFFICIENCY);
	c->mratio = ctx_num(r, BC_CHECK_MACHINE_RATIO);
	c->ns = rdir_ctx(r, BC_CHECK_NS, NULL);
	/* The report decides from the numbers, the run's verdict is shown. */
	c->bound = c->present && strcmp(bench_check_verdict(c->eff,
	    c->threads), BENCH_CHECK_BOUND) == 0;
}

void
report_check_words(const struct report_check *c, char *buf, size_t len)
{
	if (isnan(c->mratio))
		snprintf(buf, len, "floor churn_private scales %.2f× from 1 to "
		    "%d threads, %.0f%% of linear", c->ratio, c->threads,
		    c->eff * 100);
	else
		snprintf(buf, len, "floor churn_private scales %.2f× from 1 to "
		    "%d threads, where the machine alone (floor's allocation "
		    "work, no harness) scales %.2f×: %.0f%% of what the machine "
		    "gives (at most linear)", c->ratio, c->threads, c->mratio,
		    c->eff * 100);
}

/* The first lines: can this run's configurations of t > 1 be trusted. */
void
report_md_check(FILE *f, const struct rdir *r)
{
	struct report_check c;
	char w[320];

	report_check_read(r, &c);
	report_check_words(&c, w, sizeof(w));
	if (!c.present)
		fprintf(f, "**Harness check: none.** These results predate "
		    "the check; whether their multi-thread figures measure the "
		    "designs or the instrument is unknown.\n\n");
	else if (c.bound)
		fprintf(f, "**Instrument-bound run.** Harness check: %s "
		    "(below %.0f%%), so configurations of more than one thread "
		    "measure the harness and the model kernel, not the designs: "
		    "the pick leaves them out.  (%s.)\n\n", w,
		    BENCH_CHECK_LINEAR * 100, c.ns ? c.ns : "");
	else if (strcmp(bench_check_verdict(c.eff, c.threads),
	    BENCH_CHECK_OK) == 0)
		fprintf(f, "**Harness check: ok.** %s (at least %.0f%%): the "
		    "instrument lets designs scale here.  (%s.)\n\n", w,
		    BENCH_CHECK_LINEAR * 100, c.ns ? c.ns : "");
	else {
		fprintf(f, "**Harness check: not measured** (%s; %d PU%s to "
		    "scale on).\n\n", c.verdict, c.threads, c.threads == 1 ?
		    "" : "s");
		return;
	}
	/* The check is relative to the machine; say so when the machine
	 * itself was the limit, or its "ok" reads as a clean bill. */
	if (c.present && c.threads > 1 && c.mratio < BENCH_CHECK_LINEAR *
	    c.threads)
		fprintf(f, "**The machine did not scale during this run:** "
		    "floor's allocation work alone went %.2f× from 1 to %d "
		    "threads (below %.0f%% of linear), so something else used "
		    "these PUs (another guest on the host, another job).  Its "
		    "figures above one thread are of a loaded machine: compare "
		    "designs within this run, and rerun on a quiet machine "
		    "before reading scaling from them.\n\n", c.mratio,
		    c.threads, BENCH_CHECK_LINEAR * 100);
}

/* Accounting cost of series s against its twin in the noacct run, %. */
double
report_cost_pct(const struct rdir_series *on, const struct rdir_series *off,
    double *ns_on, double *ns_off)
{
	*ns_on = report_series_median(on, BK_NS_PER_LIFECYCLE, 1);
	*ns_off = report_series_median(off, BK_NS_PER_LIFECYCLE, 1);
	return (*ns_on - *ns_off) / *ns_on * 100;
}

/* One row per churn series of a model design that noacct ran too, in
 * the report's order of designs. */
static void
cost_rows(FILE *f, const struct rdir *r, const struct rdir *na)
{
	const struct rdir_series **v = xcalloc(r->ns + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < r->ns; i++)
		if (strncmp(r->s[i].workload, "churn_", 6) == 0 &&
		    strcmp(r->s[i].design, "native") != 0)
			v[n++] = &r->s[i];
	report_sort_series(v, n);
	for (size_t i = 0; i < n; i++) {
		const struct rdir_series *s = v[i], *o;
		double on, off, pct;

		if ((o = rdir_find(na, s->workload, s->design, s->pin,
		    s->threads, s->tcount)) == NULL)
			continue;
		pct = report_cost_pct(s, o, &on, &off);
		if (isnan(on) && isnan(off))
			continue;	/* skipped by both: the list says why */
		if (isnan(on) || isnan(off)) {
			/* Not measured on one side: skipped or failed. */
			fprintf(f, "| %s | %s | %d | %s | %s | %s | not "
			    "measured |\n", s->design, s->workload, s->threads,
			    s->pin, isnan(on) ? "—" : "ok", isnan(off) ? "—" :
			    "ok");
			continue;
		}
		fprintf(f, "| %s | %s | %d | %s | %.1f | %.1f | %+.1f%% |\n",
		    s->design, s->workload, s->threads, s->pin, on, off, pct);
	}
	free(v);
}

/* The instrument's cost: this run against noacct/latest, if there. */
void
report_md_cost(FILE *f, const struct rdir *r)
{
	char *dir = path_join(r->dir, "%s/latest", BENCH_DIR_NOACCT);
	char err[512];
	struct rdir na;

	memset(&na, 0, sizeof(na));
	if (!report_file_exists(dir) ||
	    rdir_load(dir, &na, err, sizeof(err)) != 0) {
		fprintf(f, "**Instrument cost: not measured** in this run "
		    "(`reapbench run --accounting ab`, as `make bench` runs, "
		    "measures it).\n\n");
		goto out;
	}
	fprintf(f, "## The instrument's cost\n\nEach design's churn time "
	    "per lifecycle with the per-lifecycle accounting (this run) and "
	    "without it (`%s/`: the same workloads run right after by "
	    "reapbench-noacct, built with -DKERN_NO_ACCOUNTING); medians, "
	    "ns; cost = (on − off) / on (a negative cost is within the "
	    "run's noise).\n\n| design | workload | t | pin | "
	    "on | off | cost |\n|---|---|---:|---|---:|---:|---:|\n",
	    BENCH_DIR_NOACCT);
	cost_rows(f, r, &na);
	fprintf(f, "\n");
out:
	rdir_free(&na);
	free(dir);
}
