/*
 * run_items.c - the benchmarks of a run: one per (workload, design,
 * threads, pin[, T]) of the matrix, plus `empty`, the wrapper's own cost;
 * which of them --benchmark_filter selects; and how many iterations each
 * call runs (calibrated against the matrix's time per call).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

static void
add_item(struct bench_reg *reg, int *cap, const struct bench_spec *s)
{
	if (reg->nitems == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		reg->items = xrealloc(reg->items, sizeof(*reg->items) *
		    (size_t)*cap);
	}
	memset(&reg->items[reg->nitems], 0, sizeof(reg->items[0]));
	reg->items[reg->nitems].spec = *s;
	reg->nitems++;
}

/* The benchmarks of one spec: teardown's for each size T, else one.  At
 * x times the stand-ins' costs (x != 1), "w:<x>x/" comes before the pin. */
static void
add_items(const struct run_opts *o, struct bench_reg *reg, int *cap,
    struct bench_spec *s, const char *design, int x)
{
	char pin[64];

	if (x != 1)
		snprintf(pin, sizeof(pin), "w:%dx/pin:%s", x,
		    pin_policy_name(s->pin));
	else
		snprintf(pin, sizeof(pin), "pin:%s", pin_policy_name(s->pin));
	for (unsigned i = 0; i < REAP_WORK_NAMES; i++)
		s->work_ns[i] = o->work_ns[i] * (uint64_t)x;

	if (s->wl == BW_STORM) {
		s->procs = BENCH_STORM_PROCS;
		s->lwps = BENCH_STORM_LWPS;
	}
	if (s->wl != BW_TEARDOWN) {
		snprintf(s->name, sizeof(s->name), "%s/%s/t:%d/%s",
		    bench_workloads[s->wl].name, design, s->threads, pin);
		add_item(reg, cap, s);
		return;
	}
	for (int k = 0; bench_teardown_sizes[k]; k++) {
		s->lwps = bench_teardown_sizes[k];
		if (o->smoke && s->lwps > 16)
			continue;
		snprintf(s->name, sizeof(s->name), "teardown/%s/T:%d/t:%d/%s",
		    design, s->lwps, s->threads, pin);
		add_item(reg, cap, s);
	}
}

/* The benchmarks of design d on workload w: threads x pins x work. */
static void
add_design(const struct run_opts *o, const struct pin_topo *topo,
    struct bench_reg *reg, int *cap, enum bench_workload w, const char *d)
{
	bool native = strcmp(d, "native") == 0;
	struct bench_spec s;

	for (int t = 0; t < o->nthreads; t++)
		for (int p = 0; p < o->npins; p++)
			for (int x = 0; x < o->nworkx; x++) {
				if (native && o->workx[x] != 1)
					continue;	/* no stand-ins */
				if (o->workx_pin0 && o->workx[x] != 1 &&
				    p > 0)
					continue;	/* run_matrix */
				memset(&s, 0, sizeof(s));
				s.wl = w;
				s.ops = native ? NULL : reap_find(d);
				s.threads = o->threads[t];
				s.pin = o->pins[p];
				s.topo = topo;
				s.events = o->events;
				add_items(o, reg, cap, &s, d, o->workx[x]);
			}
}

void
run_items(const struct run_opts *o, const struct pin_topo *topo,
    struct bench_reg *reg)
{
	struct bench_spec s;
	int cap = 0;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "empty");
	add_item(reg, &cap, &s);
	reg->items[0].empty = true;
	reg->items[0].iters = o->smoke ? 100000 : 20000000;
	snprintf(s.name, sizeof(s.name), "bare");
	add_item(reg, &cap, &s);
	reg->items[1].empty = reg->items[1].bare = true;
	reg->items[1].iters = o->smoke ? 100000 : 5000000;
	for (int w = 0; w < o->nwls; w++)
		for (int d = 0; d < o->ndesigns; d++) {
			if (strcmp(o->designs[d], "native") == 0 &&
			    !bench_workloads[o->wls[w]].native)
				continue;
			add_design(o, topo, reg, &cap, o->wls[w],
			    o->designs[d]);
		}
	if (o->pins_dedupe)
		run_dedupe_plans(reg->items, reg->nitems);
}

void
run_filter(const struct run_opts *o, struct bench_reg *reg)
{
	const char *f = o->user_filter;
	bool neg = false;
	regex_t re;

	for (int i = 0; i < reg->nitems; i++)
		reg->items[i].selected = true;
	if (f == NULL || strcmp(f, "all") == 0 || strcmp(f, ".") == 0)
		return;
	if (*f == '-') {
		neg = true;
		f++;
	}
	if (regcomp(&re, f, REG_EXTENDED | REG_NOSUB) != 0)
		usage_error("--benchmark_filter=%s: not a regular expression",
		    o->user_filter);
	for (int i = 0; i < reg->nitems; i++) {
		bool m = regexec(&re, reg->items[i].spec.name, 0, NULL, 0) == 0;

		reg->items[i].selected = neg ? !m : m;
	}
	regfree(&re);
}

/* The tiny fixed sizes of the smoke matrix. */
static uint64_t
smoke_iters(const struct bench_spec *s)
{
	switch (s->wl) {
	case BW_TEARDOWN:
		return 3;
	case BW_STORM:
		return 2;
	case BW_JOIN:
		return 32;
	default:
		return 64;
	}
}

/*
 * Probe with growing sizes until a call means something (a slow design
 * stops at the first), then size the call for target_s.  Rounds
 * (teardown, storm) have untimed setup in every iteration: they are sized
 * by the whole call's wall time so the run stays near its budget.  The
 * others have setup once per call: they are sized by the timed region.
 * Every probe runs on the call budget (run_call), so calibration cannot
 * run away; a probe that fails, or a size that could not fit the budget,
 * fails the benchmark (it->failed) and 0 is returned.
 */
static uint64_t
calibrate_one(const struct run_opts *o, struct bench_item *it)
{
	const struct bench_spec *spec = &it->spec;
	bool rounds = bench_workloads[spec->wl].rounds;
	struct bench_result *r = xcalloc(1, sizeof(*r));
	uint64_t c0, t0, wall, lo, hi, iters;
	double per;

	for (c0 = rounds ? (spec->lwps >= 64 ? 1 : 2) :
	    spec->wl == BW_JOIN ? 32 : 64;; c0 *= 4) {
		t0 = bench_now_ns();
		if (run_call(spec, c0, o->call_budget_s, r) != 0) {
			snprintf(it->failed, sizeof(it->failed), "calibration "
			    "(%llu iterations): %.200s", (unsigned long long)c0,
			    r->error);
			free(r);
			return 0;
		}
		wall = bench_now_ns() - t0;
		bench_result_free(r);
		if (wall >= 25000000 || r->region_ns >= 10000000 ||
		    c0 >= 65536)
			break;
	}
	per = rounds ? (double)wall / (double)c0 :
	    (double)r->region_ns / (double)c0;
	free(r);
	it->per_ns = per;
	lo = rounds ? 3 : 16;
	hi = rounds ? 2000 : 5000000;
	iters = (uint64_t)(o->target_s * 1e9 / (per > 1 ? per : 1));
	iters = iters < lo ? lo : iters > hi ? hi : iters;
	if (per * (double)iters > 0.5e9 * o->call_budget_s)
		snprintf(it->failed, sizeof(it->failed), "calibration: %.3g "
		    "s per iteration; a call of %llu would take %.0f s, over "
		    "half its budget of %d s", per / 1e9,
		    (unsigned long long)iters, per * (double)iters / 1e9,
		    o->call_budget_s);
	return iters;
}

void
run_calibrate(const struct run_opts *o, struct bench_reg *reg)
{
	int n = 0, k = 0;

	for (int i = 0; i < reg->nitems; i++)
		if (reg->items[i].selected && !reg->items[i].empty)
			n++;
	if (!o->smoke && n > 0)
		fprintf(stderr, "calibrating %d benchmarks (%.0f ms of work "
		    "per call, %d s budget per call)\n", n, o->target_s * 1e3,
		    o->call_budget_s);
	for (int i = 0; i < reg->nitems; i++) {
		struct bench_item *it = &reg->items[i];

		if (it->empty || !it->selected || it->failed[0] != '\0')
			continue;
		if (o->smoke) {
			it->iters = smoke_iters(&it->spec);
			continue;
		}
		it->iters = calibrate_one(o, it);
		if (it->failed[0] != '\0')
			fprintf(stderr, "  %s: fails: %s\n", it->spec.name,
			    it->failed);
		if (++k % 20 == 0)
			fprintf(stderr, "  calibrated %d/%d\n", k, n);
	}
	if (!o->smoke)
		run_equalize_iters(reg->items, reg->nitems, o->target_s,
		    o->call_budget_s);
}
