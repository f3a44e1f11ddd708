/*
 * bench_register.c - workloads as Google Benchmark benchmarks.
 *
 * One benchmark per (workload, design, [T,] threads, pin).  A call runs
 * bench_run() once for the iterations Google Benchmark asks for and hands
 * it the region's wall time as manual time (deferred reaping included);
 * the counters below are named by bench_schema.h, which the report reads.
 * Latency histograms of the calls are kept until the file reporter names
 * the repetition they belong to (bench_reg_hook), then merged per
 * benchmark and written to latency/<sanitised name>.dat.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "gbench.h"

static struct bench_reg *reg_cur;	/* the run, for the benchmark functions */

static void
reg_progress(struct bench_reg *reg, struct bench_item *it,
    const struct bench_result *r, const char *failed)
{
	reg->calls_done++;
	if (reg->calls_total > 0)
		fprintf(stderr, "[%d/%d] %s", reg->calls_done,
		    reg->calls_total, it->spec.name);
	else
		fprintf(stderr, "[%d] %s", reg->calls_done, it->spec.name);
	if (failed != NULL)
		fprintf(stderr, "  FAILED: %s", failed);
	else if (r != NULL && r->lifecycles > 0)
		fprintf(stderr, "  %.0f ns/lifecycle, %llu iterations",
		    (double)r->region_ns / (double)r->lifecycles,
		    (unsigned long long)r->iters);
	fputc('\n', stderr);
}

static void
reg_write_pins(struct bench_reg *reg, struct bench_item *it,
    const struct bench_result *r)
{
	if (reg->pins == NULL || it->pins_written)
		return;
	it->pins_written = true;
	for (int i = 0; i < r->npins; i++)
		fprintf(reg->pins, "%s\t%s\t%d\t%d\t%d\t%d\n", it->spec.name,
		    r->pins[i].role, r->pins[i].cpu, r->pins[i].planned,
		    r->pins[i].seen, r->pins[i].node);
}

/* The values of a repetition, named by bench_schema.h. */
void
bench_reg_counters(gbench_state *st, const struct bench_spec *spec,
    const struct bench_result *r)
{
	double n = r->lifecycles > 0 ? (double)r->lifecycles : 1;

	gbench_items(st, (int64_t)r->lifecycles);	/* items_per_second */
	gbench_counter(st, BENCH_KEY(BK_NS_PER_LIFECYCLE),
	    (double)r->region_ns / n, 0);
	if (r->hist.count > 0) {
		gbench_counter(st, BENCH_KEY(BK_LAT_P50_NS),
		    (double)bench_hist_quantile(&r->hist, 0.50), 0);
		gbench_counter(st, BENCH_KEY(BK_LAT_P99_NS),
		    (double)bench_hist_quantile(&r->hist, 0.99), 0);
		gbench_counter(st, BENCH_KEY(BK_LAT_P999_NS),
		    (double)bench_hist_quantile(&r->hist, 0.999), 0);
		gbench_counter(st, BENCH_KEY(BK_LAT_SAMPLES),
		    (double)r->hist.count, 0);
	}
	if (spec->ops != NULL)
		gbench_counter(st, BENCH_KEY(BK_LAT_SAMPLE_EVERY),
		    spec->lat_every > 0 ? (double)spec->lat_every :
		    REAP_LAT_SAMPLE, 0);
	if (r->freed.count > 0) {
		gbench_counter(st, BENCH_KEY(BK_FREED_P50_NS),
		    (double)bench_hist_quantile(&r->freed, 0.50), 0);
		gbench_counter(st, BENCH_KEY(BK_FREED_P99_NS),
		    (double)bench_hist_quantile(&r->freed, 0.99), 0);
		gbench_counter(st, BENCH_KEY(BK_FREED_P999_NS),
		    (double)bench_hist_quantile(&r->freed, 0.999), 0);
		gbench_counter(st, BENCH_KEY(BK_FREED_SAMPLES),
		    (double)r->freed.count, 0);
	}
	gbench_counter(st, BENCH_KEY(BK_FAIRNESS_CV), r->fairness_cv, 0);
	gbench_counter(st, BENCH_KEY(BK_CPU_NS_PER_OP), (double)r->cpu_ns / n,
	    0);
	gbench_counter(st, BENCH_KEY(BK_VOL_CTXSW_PER_OP), (double)r->vcsw / n,
	    0);
	gbench_counter(st, BENCH_KEY(BK_INVOL_CTXSW_PER_OP),
	    (double)r->ivcsw / n, 0);
	if (spec->ops != NULL) {
		gbench_counter(st, BENCH_KEY(BK_ZOMBIES_PEAK),
		    (double)r->zombies_peak, 0);
		gbench_counter(st, BENCH_KEY(BK_REAPER_WAKEUPS_PER_LWP),
		    (double)r->st.reaper_wakeups / n, 0);
		gbench_counter(st, BENCH_KEY(BK_SLEEPS_PER_LWP),
		    (double)r->st.sleeps / n, 0);
		gbench_counter(st, BENCH_KEY(BK_TICK_SLEEPS_PER_LWP),
		    (double)r->st.tick_sleeps / n, 0);
		gbench_counter(st, BENCH_KEY(BK_REAPER_CPU_SHARE),
		    r->cpu_ns > 0 ? (double)r->sys_cpu_ns / (double)r->cpu_ns :
		    0, 0);
	}
	if (spec->wl == BW_OBSERVERS)
		gbench_counter(st, BENCH_KEY(BK_HOLDS_PER_LIFECYCLE),
		    (double)r->holds / n, 0);
	if (spec->wl == BW_LOOKUP) {
		gbench_counter(st, BENCH_KEY(BK_FOUND_PER_LOOKUP),
		    (double)r->holds / n, 0);
		gbench_counter(st, BENCH_KEY(BK_CHURN_PROCS_PER_S),
		    r->region_ns > 0 ? (double)r->churned * 1e9 /
		    (double)r->region_ns : 0, 0);
	}
	for (int i = 0; i < r->nevents; i++) {
		char name[96];

		/* An unavailable event is never a number (counters_
		 * unavailable in the context says why). */
		if (!r->events[i].available)
			continue;
		bench_key_of_event(r->events[i].name, name, sizeof(name));
		gbench_counter(st, name, r->values[i] / n, 0);
	}
	if (r->nevents > 0)
		gbench_counter(st, BENCH_KEY(BK_COUNTERS_MULTIPLEXED),
		    r->multiplexed ? 1 : 0, 0);
	gbench_counter(st, BENCH_KEY(BK_PIN_MISMATCH),
	    (double)r->pin_mismatch, 0);
}

static void
reg_empty(gbench_state *st, void *arg)
{
	struct bench_item *it = arg;

	/* The wrapper's own cost per iteration: nothing else in the loop. */
	while (gbench_keep_running(st))
		;
	reg_progress(reg_cur, it, NULL, NULL);
}

/* `bare`: one lifecycle's allocation work per iteration (driver.h). */
static void
reg_bare(gbench_state *st, void *arg)
{
	struct bench_item *it = arg;
	struct run_bare_lwp *freelist = NULL;

	while (gbench_keep_running(st))
		run_bare_step(&freelist);
	run_bare_drain(&freelist);
	reg_progress(reg_cur, it, NULL, NULL);
}

/* The histogram of a call, kept until the reporter names its repetition. */
static void
reg_keep_hist(struct bench_item *it, uint64_t n, const struct bench_result *r)
{
	if (it->ncalls == it->calls_cap) {
		it->calls_cap = it->calls_cap ? 2 * it->calls_cap : 8;
		it->calls = xrealloc(it->calls, sizeof(*it->calls) *
		    (size_t)it->calls_cap);
	}
	it->calls[it->ncalls].iters = n;
	it->calls[it->ncalls].hist = xcalloc(1, sizeof(struct bench_hist));
	*it->calls[it->ncalls].hist = r->hist;
	it->ncalls++;
}

/*
 * Report this repetition as failed with it->failed.  The loop is drained
 * after SkipWithError so the repetition reports the iterations it was
 * given: Google Benchmark checks that all repetitions of a benchmark have
 * the same count before it aggregates the ones that did not fail.
 */
static void
reg_fail(gbench_state *st, struct bench_reg *reg, struct bench_item *it,
    uint64_t n)
{
	it->nfailed++;
	gbench_skip_error(st, it->failed);
	while (gbench_keep_running_batch(st, n))
		;
	reg_progress(reg, it, NULL, it->failed);
}

/*
 * The benchmark is skipped (an error entry in bench.json, with its reason)
 * when it already failed, or when its calls have used its budget: a slow
 * benchmark costs at most its budget and one call, and the rest of the
 * matrix runs.  True when this call is skipped.
 */
static bool
reg_skip(gbench_state *st, struct bench_reg *reg, struct bench_item *it,
    uint64_t n)
{
	if (it->failed[0] == '\0' && reg->bench_budget_s > 0 &&
	    (double)it->spent_ns >= reg->bench_budget_s * 1e9)
		snprintf(it->failed, sizeof(it->failed), "its calls took "
		    "%.0f s, over its budget of %.0f s: the repetitions after "
		    "the first %d were skipped", (double)it->spent_ns / 1e9,
		    reg->bench_budget_s, it->ncalls);
	if (it->failed[0] == '\0')
		return false;
	reg_fail(st, reg, it, n);
	return true;
}

static void
reg_bench(gbench_state *st, void *arg)
{
	struct bench_item *it = arg;
	struct bench_reg *reg = reg_cur;
	uint64_t n = gbench_max_iterations(st), t0;
	struct bench_result *r;

	if (reg_skip(st, reg, it, n))
		return;
	r = xcalloc(1, sizeof(*r));
	while (gbench_keep_running_batch(st, n)) {
		t0 = bench_now_ns();
		if (run_call(&it->spec, n, reg->call_budget_s, r) != 0) {
			/* The call died with its child: the benchmark fails,
			 * its remaining repetitions are skipped. */
			it->spent_ns += bench_now_ns() - t0;
			snprintf(it->failed, sizeof(it->failed), "%s",
			    r->error);
			reg_fail(st, reg, it, n);
			free(r);
			return;
		}
		it->spent_ns += bench_now_ns() - t0;
		gbench_set_iteration_time(st, (double)r->region_ns / 1e9);
	}
	bench_reg_counters(st, &it->spec, r);
	reg_write_pins(reg, it, r);
	reg_progress(reg, it, r, NULL);
	reg_keep_hist(it, n, r);
	bench_result_free(r);
	free(r);
}

void
bench_reg_add(struct bench_reg *reg, struct bench_item *it)
{
	gbench_bm *bm;

	reg_cur = reg;
	if (it->empty) {
		bm = gbench_register(it->spec.name, it->bare ? reg_bare :
		    reg_empty, it);
		if (it->iters > 0)
			gbench_bm_iterations(bm, it->iters);
		return;
	}
	bm = gbench_register(it->spec.name, reg_bench, it);
	gbench_bm_manual_time(bm);
	gbench_bm_unit(bm, GBENCH_NS);
	if (it->iters > 0)
		gbench_bm_iterations(bm, it->iters);
	/* Failed before the run (calibration): one error entry says why. */
	if (it->failed[0] != '\0') {
		gbench_bm_iterations(bm, 1);
		gbench_bm_repetitions(bm, 1);
	}
}

struct bench_item *
bench_reg_find(struct bench_reg *reg, const char *name)
{
	for (int i = 0; i < reg->nitems; i++)
		if (strcmp(reg->items[i].spec.name, name) == 0)
			return &reg->items[i];
	return NULL;
}

/* The file reporter saw a run: attach its histogram, note its figures. */
void
bench_reg_hook(const struct gbench_run_info *info, void *ctx)
{
	struct bench_reg *reg = ctx;
	struct bench_item *it = bench_reg_find(reg, info->family);
	double v;

	if (it == NULL || info->aggregate || info->error)
		return;
	if (it->empty) {
		/* CPU time: preemption by other processes is not the
		 * wrapper's overhead. */
		if (it->nreps < BENCH_REG_MAXREPS)
			it->ns[it->nreps++] = info->cpu_ns;
		return;
	}
	for (int i = it->ncalls - 1; i >= 0; i--) {
		if (it->calls[i].hist == NULL ||
		    it->calls[i].iters != info->iterations)
			continue;
		bench_hist_merge(&it->merged, it->calls[i].hist);
		free(it->calls[i].hist);
		it->calls[i].hist = NULL;
		break;
	}
	if (it->nreps < BENCH_REG_MAXREPS) {
		it->ns[it->nreps] = gbench_run_counter(info,
		    BENCH_KEY(BK_NS_PER_LIFECYCLE), &v) ? v : info->real_ns;
		it->share[it->nreps] = gbench_run_counter(info,
		    BENCH_KEY(BK_REAPER_CPU_SHARE), &v) ? v : -1;
		it->nreps++;
	}
}

void
bench_reg_release(struct bench_reg *reg)
{
	for (int i = 0; i < reg->nitems; i++) {
		struct bench_item *it = &reg->items[i];

		for (int k = 0; k < it->ncalls; k++)
			free(it->calls[k].hist);
		free(it->calls);
		it->calls = NULL;
		it->ncalls = it->calls_cap = 0;
	}
}
