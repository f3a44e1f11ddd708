/*
 * report_work.c - how the ranking moves as exit work grows.  When a run
 * holds benchmarks at several multiples of the named stand-ins' costs
 * (reapbench run --work-x; the full matrix runs 0, 1 and 10), REPORT.md
 * gets a small table per workload: at each multiple, the winner and each
 * ranked design's time per lifecycle as a ratio to the winner's.
 */
#include "report.h"
#include "report_impl.h"

#include <math.h>
#include <string.h>

#define WORK_MAXX	8
#define WORK_MAXD	16

/* Configuration c's series of design d at multiple x, or NULL. */
static const struct rdir_series *
work_find(const struct rdir *r, const struct rdir_series *c, const char *d,
    int x)
{
	if (x == 1)
		return rdir_find(r, c->workload, d, c->pin, c->threads,
		    c->tcount);
	for (size_t i = 0; i < r->nws; i++) {
		const struct rdir_series *s = &r->ws[i];

		if (s->work_x == x && strcmp(s->workload, c->workload) == 0 &&
		    strcmp(s->design, d) == 0 && strcmp(s->pin, c->pin) == 0 &&
		    s->threads == c->threads && s->tcount == c->tcount)
			return s;
	}
	return NULL;
}

/* The multiples in the run, ascending, 1 (the run's own costs) included. */
static size_t
work_levels(const struct rdir *r, int *x)
{
	size_t n = 0, k;

	x[n++] = 1;
	for (size_t i = 0; i < r->nws && n < WORK_MAXX; i++) {
		for (k = 0; k < n && x[k] != r->ws[i].work_x; k++)
			;
		if (k == n)
			x[n++] = r->ws[i].work_x;
	}
	for (size_t i = 1; i < n; i++)		/* insertion sort */
		for (k = i; k > 0 && x[k - 1] > x[k]; k--) {
			int t = x[k];

			x[k] = x[k - 1];
			x[k - 1] = t;
		}
	return n;
}

/* Workload w's headline configuration among the swept ones that were
 * measured (not skipped: the full matrix's oversubscribed point): pin
 * compact if it was run, then the most threads, then the largest T. */
static const struct rdir_series *
work_config(const struct rdir *r, const char *w)
{
	const struct rdir_series *h = NULL, *s;

	for (size_t i = 0; i < r->nws; i++) {
		s = &r->ws[i];
		if (strcmp(s->workload, w) != 0 ||
		    report_design_is_reference(s->design) ||
		    isnan(report_series_median(s, BK_NS_PER_LIFECYCLE, 1)))
			continue;
		if (h == NULL || (strcmp(s->pin, "compact") == 0) >
		    (strcmp(h->pin, "compact") == 0) ||
		    (strcmp(s->pin, h->pin) == 0 && (s->threads > h->threads ||
		    (s->threads == h->threads && s->tcount > h->tcount))))
			h = s;
	}
	return h;
}

/* One row: the winner at multiple x and each design's ratio to it. */
static void
work_row(FILE *f, const struct rdir *r, const struct rdir_series *c, int x,
    const char *const *d, size_t nd, const char **winner)
{
	double ns[WORK_MAXD], best = NAN;
	const struct rdir_series *s;
	char buf[32];

	*winner = NULL;
	for (size_t i = 0; i < nd; i++) {
		s = work_find(r, c, d[i], x);
		ns[i] = s != NULL ? report_series_median(s,
		    BK_NS_PER_LIFECYCLE, 1) : NAN;
		if (!isnan(ns[i]) && ns[i] > 0 && !(ns[i] >= best)) {
			best = ns[i];
			*winner = d[i];
		}
	}
	fprintf(f, "| %d× | %s |", x, *winner != NULL ? *winner : "—");
	for (size_t i = 0; i < nd; i++)
		fprintf(f, " %s |", isnan(ns[i]) || isnan(best) ? "—" :
		    report_fmt3(buf, sizeof(buf), ns[i] / best));
	fprintf(f, "\n");
}

static void
work_table(FILE *f, const struct rdir *r, const struct rdir_series *c,
    const int *x, size_t nx, const char *const *d, size_t nd)
{
	const char *win[WORK_MAXX], *moves = NULL;
	bool missing = false;

	if (c->tcount > 0)
		fprintf(f, "**%s**, T:%d · t:%d · pin:%s\n\n", c->workload,
		    c->tcount, c->threads, c->pin);
	else
		fprintf(f, "**%s**, t:%d · pin:%s\n\n", c->workload,
		    c->threads, c->pin);
	fprintf(f, "| stand-ins | winner |");
	for (size_t i = 0; i < nd; i++)
		fprintf(f, " %s |", d[i]);
	fprintf(f, "\n|---|---|");
	for (size_t i = 0; i < nd; i++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (size_t k = 0; k < nx; k++) {
		work_row(f, r, c, x[k], d, nd, &win[k]);
		missing |= win[k] == NULL;
		if (k > 0 && win[k] != NULL && win[0] != NULL &&
		    strcmp(win[k], win[0]) != 0 && moves == NULL)
			moves = win[k];
	}
	if (missing)
		fprintf(f, "\nNot every multiple has a measured design: "
		    "no verdict on the winner.\n\n");
	else if (moves != NULL)
		fprintf(f, "\nThe winner moves: %s at %d×, %s at %d×.\n\n",
		    win[0] != NULL ? win[0] : "—", x[0], win[nx - 1] != NULL ?
		    win[nx - 1] : "—", x[nx - 1]);
	else
		fprintf(f, "\nThe same winner at every multiple.\n\n");
}

/* "## Exit work": only when the run holds several multiples. */
void
report_md_work(FILE *f, const struct rdir *r)
{
	const char *all[WORK_MAXD], *d[WORK_MAXD], *seen[REPORT_MAXW];
	const struct rdir_series *c;
	size_t nall, nd = 0, nx, nseen = 0, k;
	int x[WORK_MAXX];

	if (r->nws == 0)
		return;
	nx = work_levels(r, x);
	nall = report_designs(r, all, WORK_MAXD);
	for (size_t i = 0; i < nall; i++)
		if (!report_design_is_reference(all[i]))
			d[nd++] = all[i];
	fprintf(f, "## Exit work\n\nThe run's benchmarks also ran with every "
	    "named stand-in (vmspace_exit, fdfree, ...: the context's "
	    "work_ns.*) at other multiples of its cost.  Per workload, its "
	    "headline configuration: the winner at each multiple and each "
	    "design's time per lifecycle (median) as a ratio to the "
	    "winner's.  floor and native are not ranked.\n\n");
	for (size_t i = 0; i < r->nws; i++) {
		for (k = 0; k < nseen && strcmp(seen[k], r->ws[i].workload); k++)
			;
		if (k < nseen || nseen == REPORT_MAXW)
			continue;
		seen[nseen++] = r->ws[i].workload;
		if ((c = work_config(r, r->ws[i].workload)) != NULL)
			work_table(f, r, c, x, nx, d, nd);
	}
}
