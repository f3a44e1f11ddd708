/*
 * report_compare.c - COMPARE.md: a run against a baseline, benchmark by
 * benchmark, as ratios new / baseline with a bootstrap interval and a
 * Mann-Whitney test between the two runs' repetitions.
 */
#include "report_impl.h"

#include <string.h>

struct compare {
	const struct report_table *ta, *tb;	/* baseline, new */
	size_t	 nta, ntb;
	size_t	 matched, only_b;
};

/* The baseline's row of the configuration and design of (t, rb). */
static const struct report_row *
compare_base(const struct compare *c, const struct report_table *t,
    const struct report_row *rb)
{
	for (size_t j = 0; j < c->nta; j++) {
		const struct report_table *x = &c->ta[j];

		if (strcmp(x->workload, t->workload) ||
		    strcmp(x->pin, t->pin) || x->threads != t->threads || x->tcount != t->tcount)
			continue;
		for (size_t q = 0; q < x->nrows; q++)
			if (!strcmp(x->rows[q].s->design, rb->s->design))
				return &x->rows[q];
	}
	return NULL;
}

static void
compare_head(FILE *f, const char *w, const struct report_table *t)
{
	fprintf(f, "## Workload `%s`: %s, %s is better\n\n| configuration | "
	    "design | ratio new/base | 95%% CI | Mann–Whitney p | Cliff's δ "
	    "| verdict |\n|---|---|---:|---|---:|---:|---|\n", w, t->m.label,
	    t->m.higher_better ? "higher" : "lower");
}

/* One line: rb (new) against ra (baseline). */
static void
compare_row(FILE *f, const struct report_table *t,
    const struct report_row *ra, const struct report_row *rb)
{
	char cfg[128], lo[32], hi[32], pv[32], vd[160];
	struct stats_ci ci;
	struct stats_mwu u;
	double ratio;
	bool better;

	report_config_name(t, cfg, sizeof(cfg));
	ratio = stats_ratio_ci(ra->v, ra->n, rb->v, rb->n, 0.95,
	    REPORT_BOOT_ROUNDS, REPORT_BOOT_SEED, &ci);
	stats_mwu_test(rb->v, rb->n, ra->v, ra->n, &u);
	better = t->m.higher_better ? ratio > 1 : ratio < 1;
	if (u.p_min > REPORT_ALPHA)
		snprintf(vd, sizeof(vd), "too few repetitions to test");
	else if (u.p < REPORT_ALPHA)
		snprintf(vd, sizeof(vd), "**%s**, significant (%s effect)",
		    better ? "better" : "worse", stats_delta_label(u.delta));
	else
		snprintf(vd, sizeof(vd), "no significant change");
	fprintf(f, "| %s | %s | %.3f | [%s, %s] | %s | %+.2f | %s |\n", cfg,
	    rb->s->design, ratio, report_fmt3(lo, sizeof(lo), ci.lo),
	    report_fmt3(hi, sizeof(hi), ci.hi),
	    report_fmt_p(pv, sizeof(pv), u.p), u.delta, vd);
}

/* Every benchmark of workload w in the new run that the baseline has. */
static void
compare_workload(FILE *f, struct compare *c, const char *w)
{
	bool head = false;

	for (size_t k = 0; k < c->ntb; k++) {
		const struct report_table *t = &c->tb[k];

		if (strcmp(t->workload, w) != 0)
			continue;
		for (size_t r = 0; r < t->nrows; r++) {
			const struct report_row *rb = &t->rows[r];
			const struct report_row *ra = compare_base(c, t, rb);

			if (ra == NULL || ra->n == 0 || rb->n == 0) {
				c->only_b++;
				continue;
			}
			if (!head)
				compare_head(f, w, t);
			head = true;
			c->matched++;
			compare_row(f, t, ra, rb);
		}
	}
	if (head)
		fprintf(f, "\n");
}

static void
compare_body(FILE *f, struct compare *c, const struct rdir *a,
    const struct rdir *b)
{
	const char *w[REPORT_MAXW];
	size_t nw = report_workloads(c->tb, c->ntb, w, REPORT_MAXW);

	fprintf(f, "# reapbench comparison\n\nBaseline `%s` (%s) → new `%s` "
	    "(%s).  Ratio = new median / baseline median with a 95%% "
	    "percentile-bootstrap interval (%d resamples); Mann–Whitney U "
	    "between the two runs' repetitions (α = %.2f); Cliff's δ > 0 "
	    "means the new run's values are larger.\n\n", a->dir,
	    report_host(a), b->dir, report_host(b), REPORT_BOOT_ROUNDS,
	    REPORT_ALPHA);
	for (size_t i = 0; i < nw; i++)
		compare_workload(f, c, w[i]);
	if (c->only_b)
		fprintf(f, "%zu benchmarks of the new run have no counterpart "
		    "in the baseline and are not compared.\n", c->only_b);
	if (c->matched == 0)
		fprintf(f, "No benchmark appears in both runs.\n");
}

int
report_compare_write(const struct rdir *a, const struct rdir *b,
    const char *out, char *err, size_t len)
{
	struct report_table *ta, *tb;
	struct report_file rf;
	struct compare c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	report_tables_build(a, &ta, &c.nta);
	report_tables_build(b, &tb, &c.ntb);
	c.ta = ta;
	c.tb = tb;
	if (report_file_open(&rf, out, err, len) == 0) {
		compare_body(rf.f, &c, a, b);
		rc = report_file_close(&rf, err, len);
	}
	if (rc == 0 && c.matched == 0) {
		report_seterr(err, len, "no benchmark appears in both %s and "
		    "%s", a->dir, b->dir);
		rc = -1;
	}
	report_tables_free(ta, c.nta);
	report_tables_free(tb, c.ntb);
	return rc;
}
