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
	c->ns = rdir_ctx(r, BC_CHECK_NS, NULL);
	/* The report decides from the numbers, the run's verdict is shown. */
	c->bound = c->present && strcmp(bench_check_verdict(c->eff,
	    c->threads), BENCH_CHECK_BOUND) == 0;
}

void
report_check_words(const struct report_check *c, char *buf, size_t len)
{
	snprintf(buf, len, "floor churn_private scales %.2f× from 1 to %d "
	    "threads, %.0f%% of linear", c->ratio, c->threads, c->eff * 100);
}

/* The first lines: can this run's configurations of t > 1 be trusted. */
void
report_md_check(FILE *f, const struct rdir *r)
{
	struct report_check c;
	char w[160];

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
	else
		fprintf(f, "**Harness check: not measured** (%s; %d PU%s to "
		    "scale on).\n\n", c.verdict, c.threads, c.threads == 1 ?
		    "" : "s");
}
