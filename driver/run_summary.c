/*
 * run_summary.c - the table a run prints at its end: per benchmark (the
 * design blanked out of its name) the median ns per LWP lifecycle of each
 * design with its reaper CPU share, the wrapper's overhead against the
 * cheapest operation, and the benchmarks that failed or were skipped.
 */
#include <math.h>
#include <string.h>

#include "driver.h"
#include "stats.h"

/* "workload/design/rest": the length of "workload", and "/rest" (or ""). */
static bool
name_parts(const char *name, size_t *wlen, const char **rest)
{
	const char *p = strchr(name, '/');

	if (p == NULL)
		return false;
	*wlen = (size_t)(p - name);
	*rest = strchr(p + 1, '/') != NULL ? strchr(p + 1, '/') : "";
	return true;
}

/* Whether an item before i has the same name but for the design. */
static bool
row_printed(const struct bench_reg *reg, int i, size_t wlen,
    const char *rest)
{
	const char *name = reg->items[i].spec.name, *r2;
	size_t l2;

	for (int k = 0; k < i; k++)
		if (name_parts(reg->items[k].spec.name, &l2, &r2) &&
		    l2 == wlen && strncmp(reg->items[k].spec.name, name,
		    wlen) == 0 && strcmp(r2, rest) == 0)
			return true;
	return false;
}

static void
summary_row(const struct run_opts *o, struct bench_reg *reg, FILE *f,
    const char *name, size_t wlen, const char *rest)
{
	char label[160], want[160];

	snprintf(label, sizeof(label), "%.*s%s", (int)wlen, name, rest);
	fprintf(f, "%-44s", label);
	for (int d = 0; d < o->ndesigns; d++) {
		struct bench_item *x;
		double ns, share;

		snprintf(want, sizeof(want), "%.*s/%s%s", (int)wlen, name,
		    o->designs[d], rest);
		x = bench_reg_find(reg, want);
		if (x == NULL || x->nreps == 0) {
			fprintf(f, " %18s", "-");
			continue;
		}
		ns = stats_median(x->ns, (size_t)x->nreps);
		share = stats_median(x->share, (size_t)x->nreps);
		if (share >= 0)
			fprintf(f, " %11.0f (%3.0f%%)", ns, 100 * share);
		else
			fprintf(f, " %18.0f", ns);
	}
	fputc('\n', f);
}

static void
summary_overhead(FILE *f, double empty, double cheapest, const char *name)
{
	if (!isnan(empty) && cheapest > 0)
		fprintf(f, "\nwrapper overhead: %.2f ns (CPU) per iteration "
		    "(empty) = %.2f%% of the cheapest operation (%s, %.0f "
		    "ns)%s\n", empty, 100 * empty / cheapest, name, cheapest,
		    empty / cheapest < 0.05 ? "" :
		    "  ** over the 5% budget **");
	else if (!isnan(empty))
		fprintf(f, "\nwrapper overhead: %.2f ns (CPU) per iteration "
		    "(empty)\n", empty);
}

/* floor's churn_private at 1 thread without stand-in costs (the harness
 * check's) less `bare`: what the harness and the model kernel add to the
 * least a lifecycle allocates. */
static void
summary_harness(FILE *f, double floor1, double bare)
{
	if (isnan(bare) || isnan(floor1))
		return;
	fprintf(f, "harness overhead: %.1f ns per lifecycle (floor "
	    "churn_private t:1 without stand-in costs, from the harness check, "
	    "%.1f ns less the bare allocation loop %.1f ns: the harness, the "
	    "model kernel and floor's own protocol)\n", floor1 - bare, floor1,
	    bare);
}

/* The benchmarks that failed or skipped repetitions, and why. */
static void
summary_failed(const struct bench_reg *reg, FILE *f)
{
	int n = 0;

	for (int i = 0; i < reg->nitems; i++) {
		const struct bench_item *it = &reg->items[i];

		if (!it->selected || it->failed[0] == '\0')
			continue;
		if (n++ == 0)
			fprintf(f, "\nfailed or skipped benchmarks (the rest of "
			    "the matrix ran):\n");
		fprintf(f, "  %s: %s (%d calls measured)\n", it->spec.name,
		    it->failed, it->ncalls);
	}
}

void
run_summary(const struct run_opts *o, struct bench_reg *reg, double floor1,
    FILE *f)
{
	double cheapest = -1, empty = NAN, bare = NAN;
	const char *cheapest_name = "", *rest;
	size_t wlen;

	fprintf(f, "\nsummary: median ns per LWP lifecycle "
	    "(reaper CPU share)\n");
	fprintf(f, "%-44s", "benchmark \\ design");
	for (int d = 0; d < o->ndesigns; d++)
		fprintf(f, " %18s", o->designs[d]);
	fputc('\n', f);
	for (int i = 0; i < reg->nitems; i++) {
		struct bench_item *it = &reg->items[i];
		double m = stats_median(it->ns, (size_t)it->nreps);

		if (it->bare) {
			bare = m;
			continue;
		}
		if (it->empty) {
			empty = m;
			continue;
		}
		if (it->nreps > 0 && it->spec.ops != NULL &&
		    (cheapest < 0 || m < cheapest)) {
			cheapest = m;
			cheapest_name = it->spec.name;
		}
		/* One row per benchmark name with the design blanked out:
		 * print it at the first design's item only. */
		if (name_parts(it->spec.name, &wlen, &rest) &&
		    !row_printed(reg, i, wlen, rest))
			summary_row(o, reg, f, it->spec.name, wlen, rest);
	}
	summary_overhead(f, empty, cheapest, cheapest_name);
	summary_harness(f, floor1, bare);
	summary_failed(reg, f);
}
