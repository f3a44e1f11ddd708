/*
 * bench_hist.c - log-bucketed latency histogram.
 *
 * Bucket of v: below 16 it is v itself; above, with e = floor(log2 v),
 * the top four bits below the leading one select one of 16 sub-buckets of
 * [2^e, 2^(e+1)), so the relative width of a bucket is at most 1/16.
 */
#include <string.h>

#include "bench.h"

void
bench_hist_reset(struct bench_hist *h)
{
	memset(h, 0, sizeof(*h));
}

int
bench_hist_bucket(uint64_t v)
{
	int e;

	if (v < BENCH_HIST_SUB)
		return (int)v;
	e = 63 - __builtin_clzll(v);
	return (e - BENCH_HIST_SUB_BITS + 1) * (int)BENCH_HIST_SUB +
	    (int)((v >> (e - BENCH_HIST_SUB_BITS)) & (BENCH_HIST_SUB - 1));
}

uint64_t
bench_hist_upper(int b)
{
	int e, m;

	if (b < (int)BENCH_HIST_SUB)
		return (uint64_t)b;
	e = b / (int)BENCH_HIST_SUB + BENCH_HIST_SUB_BITS - 1;
	m = b % (int)BENCH_HIST_SUB;
	if (e >= 63 && m == (int)BENCH_HIST_SUB - 1)
		return UINT64_MAX;
	/* [ (16 + m) << (e - 4), (17 + m) << (e - 4) ) */
	return (((uint64_t)BENCH_HIST_SUB + (uint64_t)m + 1) <<
	    (e - BENCH_HIST_SUB_BITS)) - 1;
}

void
bench_hist_add(struct bench_hist *h, uint64_t ns)
{
	h->b[bench_hist_bucket(ns)]++;
	h->count++;
	if (ns > h->max)
		h->max = ns;
}

void
bench_hist_merge(struct bench_hist *to, const struct bench_hist *from)
{
	for (int i = 0; i < BENCH_HIST_NBUCKETS; i++)
		to->b[i] += from->b[i];
	to->count += from->count;
	if (from->max > to->max)
		to->max = from->max;
}

uint64_t
bench_hist_quantile(const struct bench_hist *h, double q)
{
	uint64_t need, seen = 0;

	if (h->count == 0)
		return 0;
	/* The smallest value with at least q of the samples at or below. */
	need = (uint64_t)(q * (double)h->count + 0.999999);
	if (need < 1)
		need = 1;
	if (need > h->count)
		need = h->count;
	for (int i = 0; i < BENCH_HIST_NBUCKETS; i++) {
		seen += h->b[i];
		if (seen >= need) {
			uint64_t u = bench_hist_upper(i);

			/* The top bucket's bound may exceed anything seen. */
			return u < h->max ? u : h->max;
		}
	}
	return h->max;
}

int
bench_hist_write(const struct bench_hist *h, FILE *f)
{
	uint64_t seen = 0;

	for (int i = 0; i < BENCH_HIST_NBUCKETS; i++) {
		if (h->b[i] == 0)
			continue;
		seen += h->b[i];
		if (fprintf(f, "%llu %.9f\n", (unsigned long long)
		    (bench_hist_upper(i) < h->max ? bench_hist_upper(i) :
		    h->max), (double)seen / (double)h->count) < 0)
			return -1;
	}
	return 0;
}

/* One RMW per sample (the bucket); count is the buckets' sum, made by
 * the merge; max moves rarely. */
void
bench_hist_add_shared(struct bench_hist *h, uint64_t ns)
{
	uint64_t m = __atomic_load_n(&h->max, __ATOMIC_RELAXED);

	__atomic_fetch_add(&h->b[bench_hist_bucket(ns)], 1, __ATOMIC_RELAXED);
	while (ns > m && !__atomic_compare_exchange_n(&h->max, &m, ns, true,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void
bench_hist_merge_shared(struct bench_hist *to, const struct bench_hist *from)
{
	uint64_t m = __atomic_load_n(&from->max, __ATOMIC_RELAXED), n;

	for (int i = 0; i < BENCH_HIST_NBUCKETS; i++) {
		n = __atomic_load_n(&from->b[i], __ATOMIC_RELAXED);
		to->b[i] += n;
		to->count += n;
	}
	if (m > to->max)
		to->max = m;
}
