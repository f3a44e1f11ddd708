/*
 * report_figures.c - the two figures of a teardown (teardown, storm):
 * parent wakes (lat_p*) and all freed (freed_p*), as tables ranked on
 * either, and their place in REPORT.md; native's line per workload.
 */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The two teardown figures (bench_schema.c: BK_LAT_* parent wakes,
 * BK_FREED_* all freed): t's configurations of a rounds workload, ranked
 * on figure fig's p50 (lower is better), into a new array (*n of them);
 * other workloads' tables are left out.  NULL when none has the figure.
 */
struct report_table *
report_tables_figure(const struct report_table *t, size_t nt,
    enum report_figure fig, size_t *n)
{
	struct report_table *out = NULL;

	*n = 0;
	for (size_t j = 0; j < nt; j++) {
		const struct bench_workload_info *wi =
		    bench_workload_find(t[j].workload);
		struct report_table *tb;
		bool any = false;

		if (wi == NULL || !wi->rounds)
			continue;
		for (size_t k = 0; k < t[j].nrows; k++)
			any |= rdir_values(t[j].rows[k].s, report_figure_key(
			    fig, 50)) != NULL;
		if (!any)
			continue;
		out = xrealloc(out, (*n + 1) * sizeof(*out));
		tb = &out[(*n)++];
		*tb = t[j];
		tb->m.key = report_figure_key(fig, 50);
		snprintf(tb->m.label, sizeof(tb->m.label), "%s p50",
		    report_figure_name(fig));
		tb->m.unit = "ns";
		tb->m.higher_better = false;
		tb->rows = xcalloc(t[j].nrows + 1, sizeof(*tb->rows));
		for (size_t k = 0; k < t[j].nrows; k++) {
			tb->rows[k].s = t[j].rows[k].s;
			tb->rows[k].reference = t[j].rows[k].reference;
		}
		report_table_rank(tb);
	}
	return out;
}

enum bench_key
report_figure_key(enum report_figure fig, int pct)
{
	if (fig == REPORT_WAKES)
		return pct == 50 ? BK_LAT_P50_NS : BK_LAT_P99_NS;
	return pct == 50 ? BK_FREED_P50_NS : BK_FREED_P99_NS;
}

const char *
report_figure_name(enum report_figure fig)
{
	return fig == REPORT_WAKES ? "parent wakes" : "all freed";
}


/* ---- REPORT.md ---------------------------------------------------------- */

/* The table of t's configuration among ft[0..n-1], or NULL. */
static const struct report_table *
fig_match(const struct report_table *ft, size_t n,
    const struct report_table *t)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ft[i].workload, t->workload) &&
		    !strcmp(ft[i].pin, t->pin) && ft[i].threads == t->threads &&
		    ft[i].tcount == t->tcount)
			return &ft[i];
	return NULL;
}

static const struct report_row *
fig_row(const struct report_table *ft, const char *design)
{
	for (size_t k = 0; ft != NULL && k < ft->nrows; k++)
		if (!strcmp(ft->rows[k].s->design, design))
			return &ft->rows[k];
	return NULL;
}

/* "median [lo, hi] | ×ratio | p99 |" of one figure, in us. */
static void
fig_cells(FILE *f, const struct report_table *ft,
    const struct report_row *row, enum report_figure fig)
{
	char a[32], b[32], c[32], x[32], p99[32];

	if (row == NULL || row->n == 0) {
		fprintf(f, " n/a | | |");
		return;
	}
	fprintf(f, " %s [%s, %s] | %s | %s |",
	    report_fmt3(a, sizeof(a), row->median / 1e3),
	    report_fmt3(b, sizeof(b), row->ci.lo / 1e3),
	    report_fmt3(c, sizeof(c), row->ci.hi / 1e3),
	    row->reference || ft->best < 0 ? "—" :
	    report_fmt3(x, sizeof(x), row->ratio),
	    report_fmt3(p99, sizeof(p99), report_series_median(row->s,
	    report_figure_key(fig, 99), 1e-3)));
}

/*
 * Both figures of configuration t (wk, fr: the figure tables of the
 * run), one row per design in t's order: medians over repetitions with
 * their 95% intervals, the ratio to the best ranked design, the p99.
 */
void
report_md_figures(FILE *f, const struct report_table *t,
    const struct report_table *wk, size_t nwk,
    const struct report_table *fr, size_t nfr)
{
	const struct report_table *w = fig_match(wk, nwk, t);
	const struct report_table *a = fig_match(fr, nfr, t);

	if (w == NULL && a == NULL)
		return;
	fprintf(f, "Both teardown figures, µs: p50 medians over repetitions "
	    "[95%% CI], × the best ranked design, p99 medians.\n\n");
	fprintf(f, "| design | parent wakes p50 | × best | p99 | all freed "
	    "p50 | × best | p99 |\n|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < t->nrows; k++) {
		const char *d = t->rows[k].s->design;

		fprintf(f, "| %s%s |", d, t->rows[k].reference ?
		    " (reference)" : "");
		fig_cells(f, w, fig_row(w, d), REPORT_WAKES);
		fig_cells(f, a, fig_row(a, d), REPORT_FREED);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* A rounds workload's two figures in words, from the run's context
 * (latency.<w>), else the schema's. */
void
report_md_figures_about(FILE *f, const struct rdir *r, const char *w)
{
	const struct bench_workload_info *wi = bench_workload_find(w);
	const char *what = rdir_ctx(r, BC_LATENCY, w);

	if (wi == NULL || !wi->rounds)
		return;
	if (what != NULL)
		fprintf(f, "Teardown figures: %s.\n\n", what);
	else
		fprintf(f, "Teardown figures: %s; %s.\n\n", wi->latency,
		    wi->freed);
}

/* What the workload's `native` rows measure, when it has any. */
void
report_md_native(FILE *f, const struct rdir *r, const struct report_table *t,
    size_t nt, const char *w)
{
	const struct bench_workload_info *wi = bench_workload_find(w);
	char key[96];
	const char *what;
	bool any = false;

	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; !strcmp(t[i].workload, w) &&
		    k < t[i].nrows; k++)
			any |= !strcmp(t[i].rows[k].s->design, "native");
	if (!any)
		return;
	snprintf(key, sizeof(key), "native.%s", w);
	what = rdir_ctx(r, BC_LATENCY, key);
	if (what == NULL && wi != NULL)
		what = wi->native;
	fprintf(f, "`native` is the real kernel, a reference that is not "
	    "ranked; its rows measure: %s.\n\n", what != NULL ? what :
	    "(not recorded in this run)");
}
