/*
 * report_tables.c - the designs of each configuration compared on the
 * workload's headline metric; the lists the outputs are built from.
 *
 * A workload's metric follows from bench_schema.c's table: a workload
 * whose iteration is an LWP lifecycle is ranked by throughput
 * (items_per_second, LWPs/s, higher is better); one whose iteration is a
 * round of processes (teardown, storm) by its time (real_time, lower is
 * better).
 */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- designs and metrics ------------------------------------------------ */

static const char *const design_order[] = {
	"dragonfly", "dragonfly-2010", "netbsd", "netbsd-2007", "hybrid",
	"native", NULL
};

int
report_design_order(const char *design)
{
	int i;

	for (i = 0; design_order[i] != NULL; i++)
		if (strcmp(design_order[i], design) == 0)
			return i;
	return i;
}

bool
report_design_is_reference(const char *design)
{
	return strcmp(design, "native") == 0 || strcmp(design, "floor") == 0;
}

void
report_sort_designs(const char **d, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && report_design_order(d[k]) <
		    report_design_order(d[k - 1]); k--) {
			const char *x = d[k];

			d[k] = d[k - 1];
			d[k - 1] = x;
		}
}

void
report_sort_series(const struct rdir_series **s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && report_design_order(s[k]->design) <
		    report_design_order(s[k - 1]->design); k--) {
			const struct rdir_series *x = s[k];

			s[k] = s[k - 1];
			s[k - 1] = x;
		}
}

static void
metric_rate(struct report_metric *m)
{
	m->key = BK_ITEMS_PER_SECOND;
	snprintf(m->label, sizeof(m->label), "throughput");
	m->unit = "LWPs/s";
	m->higher_better = true;
}

static void
metric_time(struct report_metric *m, const char *per)
{
	m->key = BK_REAL_TIME;
	snprintf(m->label, sizeof(m->label), "time per %s", per);
	m->unit = "ns";
	m->higher_better = false;
}

void
report_metric_of(const struct rdir_series *s, struct report_metric *m)
{
	const struct bench_workload_info *wi = bench_workload_find(s->workload);

	if (wi != NULL && wi->rounds)
		metric_time(m, wi->unit);
	else if (wi != NULL)
		metric_rate(m);
	if (wi == &bench_workloads[BW_LOOKUP])
		m->unit = "lookups/s";
	if (wi != NULL && rdir_values(s, m->key) != NULL)
		return;
	if (rdir_values(s, BK_ITEMS_PER_SECOND) != NULL)
		metric_rate(m);
	else
		metric_time(m, "iteration");
}

size_t
report_series_values(const struct rdir_series *s,
    const struct report_metric *m, double *out)
{
	const double *v = rdir_values(s, m->key);
	size_t n = 0;

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < s->nrep; i++)
		if (!isnan(v[i]))
			out[n++] = v[i];
	return n;
}

double
report_series_median(const struct rdir_series *s, enum bench_key k,
    double scale)
{
	const double *v = rdir_values(s, k);
	double *tmp, m;
	size_t n = 0;

	if (v == NULL)
		return NAN;
	tmp = xcalloc(s->nrep + 1, sizeof(double));
	for (size_t i = 0; i < s->nrep; i++)
		if (!isnan(v[i]))
			tmp[n++] = v[i];
	m = stats_median(tmp, n) * scale;
	free(tmp);
	return m;
}

/* ---- tables ------------------------------------------------------------- */

static int
row_cmp_design(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	int ox = report_design_order(x->s->design);
	int oy = report_design_order(y->s->design);

	return ox != oy ? ox - oy : strcmp(x->s->design, y->s->design);
}

/* Best first; reference designs last; NaN medians after those.  The
 * direction is a file-scope variable: qsort has no context argument. */
static bool row_higher_better;
static int
row_cmp_rank(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (x->reference != y->reference)
		return x->reference - y->reference;
	if (isnan(x->median) || isnan(y->median))
		return isnan(x->median) - isnan(y->median);
	if (x->median != y->median)
		return (row_higher_better ? x->median < y->median :
		    x->median > y->median) ? 1 : -1;
	return row_cmp_design(a, b);
}

/* Known workloads in the schema's order, then the others. */
static int
wl_rank(const char *w)
{
	const struct bench_workload_info *wi = bench_workload_find(w);

	return wi != NULL ? (int)(wi - bench_workloads) : BW_NWORKLOADS;
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
	const struct report_table *x = a, *y = b;
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

/* The table of s's configuration in t[0..*nt-1], added if new. */
static struct report_table *
table_of(struct report_table **t, size_t *nt, const struct rdir_series *s)
{
	struct report_table *tb;

	for (size_t j = 0; j < *nt; j++) {
		tb = &(*t)[j];
		if (strcmp(tb->workload, s->workload) == 0 &&
		    strcmp(tb->pin, s->pin) == 0 &&
		    tb->threads == s->threads && tb->tcount == s->tcount)
			return tb;
	}
	*t = xrealloc(*t, (*nt + 1) * sizeof(**t));
	tb = &(*t)[(*nt)++];
	memset(tb, 0, sizeof(*tb));
	tb->workload = s->workload;
	tb->pin = s->pin;
	tb->threads = s->threads;
	tb->tcount = s->tcount;
	report_metric_of(s, &tb->m);
	return tb;
}

/* Medians and intervals of every row, ranked; each tested against the
 * best. */
void
report_table_rank(struct report_table *tb)
{
	struct report_row *best;

	for (size_t k = 0; k < tb->nrows; k++) {
		struct report_row *row = &tb->rows[k];

		row->v = xcalloc(row->s->nrep + 1, sizeof(double));
		row->n = report_series_values(row->s, &tb->m, row->v);
		row->median = stats_median(row->v, row->n);
		stats_median_ci(row->v, row->n, 0.95, &row->ci);
	}
	row_higher_better = tb->m.higher_better;
	qsort(tb->rows, tb->nrows, sizeof(*tb->rows), row_cmp_rank);
	/* Rows with a median come first: references only if nothing else
	 * was measured, and then they are compared to each other. */
	tb->best = tb->nrows > 0 && !isnan(tb->rows[0].median) ? 0 : -1;
	if (tb->best < 0)
		return;
	best = &tb->rows[tb->best];
	best->best = true;
	for (size_t k = 0; k < tb->nrows; k++) {
		struct report_row *row = &tb->rows[k];

		row->ratio = row->median / best->median;
		stats_mwu_test(row->v, row->n, best->v, best->n,
		    &row->vs_best);
	}
}

void
report_tables_build(const struct rdir *r, struct report_table **out,
    size_t *n)
{
	struct report_table *t = NULL;
	size_t nt = 0;

	for (size_t i = 0; i < r->ns; i++) {
		const struct rdir_series *s = &r->s[i];
		struct report_table *tb = table_of(&t, &nt, s);
		struct report_row *row;

		tb->rows = xrealloc(tb->rows, (tb->nrows + 1) *
		    sizeof(*tb->rows));
		row = &tb->rows[tb->nrows++];
		memset(row, 0, sizeof(*row));
		row->s = s;
		row->reference = report_design_is_reference(s->design);
	}
	for (size_t j = 0; j < nt; j++)
		report_table_rank(&t[j]);
	qsort(t, nt, sizeof(*t), table_cmp);
	*out = t;
	*n = nt;
}

void
report_tables_free(struct report_table *t, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		for (size_t k = 0; k < t[j].nrows; k++)
			free(t[j].rows[k].v);
		free(t[j].rows);
	}
	free(t);
}

/* ---- lists of a report -------------------------------------------------- */

size_t
report_workloads(const struct report_table *t, size_t nt, const char **w,
    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nt; i++)
		if ((n == 0 || strcmp(w[n - 1], t[i].workload) != 0) &&
		    n < max)
			w[n++] = t[i].workload;
	return n;
}

size_t
report_pins(const struct report_table *t, size_t nt, const char *w,
    const char **pins, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < nt; i++) {
		bool seen = false;

		if (w != NULL && strcmp(t[i].workload, w) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			seen |= strcmp(pins[k], t[i].pin) == 0;
		if (!seen && n < max)
			pins[n++] = t[i].pin;
	}
	return n;
}

size_t
report_designs(const struct rdir *r, const char **d, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ns; i++) {
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen |= strcmp(d[k], r->s[i].design) == 0;
		if (!seen && n < max)
			d[n++] = r->s[i].design;
	}
	report_sort_designs(d, n);
	return n;
}

const struct report_table *
report_headline(const struct report_table *t, size_t nt, const char *w,
    const char *pin)
{
	const struct report_table *h = NULL;

	for (size_t i = 0; i < nt; i++) {
		if (strcmp(t[i].workload, w) != 0 || strcmp(t[i].pin, pin))
			continue;
		if (h == NULL || t[i].tcount > h->tcount ||
		    (t[i].tcount == h->tcount && t[i].threads > h->threads))
			h = &t[i];
	}
	return h;
}

void
report_config_name(const struct report_table *t, char *buf, size_t len)
{
	if (t->tcount > 0)
		snprintf(buf, len, "T:%d · t:%d · pin:%s", t->tcount,
		    t->threads, t->pin);
	else
		snprintf(buf, len, "t:%d · pin:%s", t->threads, t->pin);
}
