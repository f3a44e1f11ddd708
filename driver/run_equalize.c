/*
 * run_equalize.c - the same number of iterations for every design of one
 * configuration, so that designs are compared on the same lifecycles and
 * get the same number of exit-to-free latency samples (the model kernel
 * stamps 1 exit in REAP_LAT_SAMPLE per CPU, for every design; one too
 * slow to run the common count samples as much more often).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "xmalloc.h"

/* A slow design runs the common count only if it fits this many times
 * the calibration target (and half its call budget). */
#define RUN_EQUAL_SLACK	4.0

/* Its name without the design ("churn_shared/t:2/pin:compact"). */
static void
config_key(const struct bench_item *it, char *key, size_t len)
{
	const char *n = it->spec.name, *d = strchr(n, '/');
	const char *rest = d != NULL ? strchr(d + 1, '/') : NULL;

	snprintf(key, len, "%.*s%s", (int)(d != NULL ? d - n : 0), n,
	    rest != NULL ? rest : "");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * One exit in REAP_LAT_SAMPLE is stamped; a design that runs only `iters`
 * of the configuration's `common` lifecycles stamps as many times more
 * often, so that it still gets about as many samples (0: the default).
 */
static unsigned
sample_every(uint64_t iters, uint64_t common)
{
	uint64_t every;

	if (iters >= common || common == 0)
		return 0;
	every = REAP_LAT_SAMPLE * iters / common;
	return every > 0 ? (unsigned)every : 1;
}

/* Calibrated, selected, not failed, a design behind reap.h (native keeps
 * its own count: it is not stamped). */
static bool
equalizable(const struct bench_item *it)
{
	return !it->empty && it->spec.ops != NULL && it->selected &&
	    it->failed[0] == '\0' && it->iters > 0 && it->per_ns > 0;
}

/*
 * Every equalizable item of a configuration gets the median of their
 * calibrated counts; one too slow to run it within the slack runs what
 * fits, never less than its own calibrated count.
 */
void
run_equalize_iters(struct bench_item *items, int n, double target_s,
    int call_budget_s)
{
	char key[sizeof(items[0].spec.name)], k2[sizeof(key)];
	uint64_t *v = xcalloc((size_t)n + 1, sizeof(*v));
	bool *seen = xcalloc((size_t)n + 1, sizeof(*seen));
	double cap_ns = RUN_EQUAL_SLACK * target_s * 1e9;

	if (cap_ns > 0.5e9 * call_budget_s)
		cap_ns = 0.5e9 * call_budget_s;
	for (int i = 0; i < n; i++) {
		int m = 0;

		if (seen[i])
			continue;
		config_key(&items[i], key, sizeof(key));
		for (int j = i; j < n; j++) {
			config_key(&items[j], k2, sizeof(k2));
			if (strcmp(key, k2) != 0)
				continue;
			seen[j] = true;
			if (equalizable(&items[j]))
				v[m++] = items[j].iters;
		}
		if (m < 2)
			continue;
		qsort(v, (size_t)m, sizeof(*v), cmp_u64);
		for (int j = i; j < n; j++) {
			struct bench_item *it = &items[j];
			uint64_t cap;

			config_key(it, k2, sizeof(k2));
			if (strcmp(key, k2) != 0 || !equalizable(it))
				continue;
			cap = (uint64_t)(cap_ns / it->per_ns);
			it->iters = v[m / 2] <= cap ? v[m / 2] :
			    cap > it->iters ? cap : it->iters;
			it->spec.lat_every = sample_every(it->iters, v[m / 2]);
		}
	}
	free(v);
	free(seen);
}
