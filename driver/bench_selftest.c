/*
 * bench_selftest.c - `reapbench gbench-selftest`: check the C wrapper of
 * Google Benchmark does what gbench.h says, through Google Benchmark
 * itself (tests/test_bench runs it; the wrapper is C++ and only the driver
 * links it).
 *
 * Each benchmark below uses one feature; the run hook then checks what
 * Google Benchmark reported for it.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "gbench.h"

#define ST_ITERS	64

static _Atomic int st_seen_index[2];	/* thread indexes seen */
static _Atomic int st_bad_count;	/* gbench_threads() != 2 */
static int st_failures;
static int st_checked;

static void
st_sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void
st_threads(gbench_state *st, void *arg)
{
	int i = gbench_thread_index(st);

	(void)arg;
	if (gbench_threads(st) != 2)
		atomic_fetch_add(&st_bad_count, 1);
	if (i >= 0 && i < 2)
		atomic_store(&st_seen_index[i], 1);
	while (gbench_keep_running(st))
		;
	/* Averaged over the two threads: 1 + 1 -> 1. */
	gbench_counter(st, "one", 1.0, GBENCH_CTR_AVG_THREADS);
}

static void
st_pause(gbench_state *st, void *arg)
{
	(void)arg;
	while (gbench_keep_running(st)) {
		/* 2 ms outside the timing, nothing inside. */
		gbench_pause(st);
		st_sleep_us(2000);
		gbench_resume(st);
	}
}

static void
st_manual(gbench_state *st, void *arg)
{
	(void)arg;
	while (gbench_keep_running_batch(st, 8))
		gbench_set_iteration_time(st, 8 * 1e-3);	/* 1 ms each */
	gbench_counter(st, "per_iter", 1000.0 * (double)gbench_iterations(st),
	    GBENCH_CTR_PER_ITER);
	gbench_counter(st, "rate", 1000.0, GBENCH_CTR_RATE);
	gbench_items(st, (int64_t)gbench_iterations(st));
	gbench_label(st, "selftest-label");
}

static void
st_error(gbench_state *st, void *arg)
{
	(void)arg;
	gbench_skip_error(st, "selftest-error");
	while (gbench_keep_running(st))
		;
}

static void
st_check(bool ok, const char *what, double got)
{
	st_checked++;
	if (!ok) {
		st_failures++;
		printf("FAIL gbench-selftest: %s (got %g)\n", what, got);
	}
}

static void
st_hook(const struct gbench_run_info *ri, void *ctx)
{
	double v = NAN;

	(void)ctx;
	if (ri->aggregate)
		return;
	if (strcmp(ri->family, "self/threads/threads:2") == 0) {
		st_check(!ri->error, "threads ran", 0);
		st_check(gbench_run_counter(ri, "one", &v) && fabs(v - 1) <
		    1e-9, "avg-over-threads counter is 1", v);
	} else if (strcmp(ri->family, "self/pause") == 0) {
		/* Timed part is empty: far below the 2 ms paused. */
		st_check(ri->real_ns < 1e6, "paused time not counted",
		    ri->real_ns);
	} else if (strcmp(ri->family, "self/manual") == 0) {
		st_check(fabs(ri->real_ns - 1e6) < 1, "manual time 1 ms per "
		    "iteration", ri->real_ns);
		st_check(ri->iterations == ST_ITERS, "fixed iterations",
		    (double)ri->iterations);
		st_check(gbench_run_counter(ri, "per_iter", &v) &&
		    fabs(v - 1000) < 1e-6, "per-iteration counter", v);
		/* 1000 over ST_ITERS ms of manual time. */
		st_check(gbench_run_counter(ri, "rate", &v) &&
		    fabs(v - 1000 / (ST_ITERS * 1e-3)) < 1e-3, "rate counter",
		    v);
		st_check(gbench_run_counter(ri, "items_per_second", &v) &&
		    fabs(v - 1000) < 1e-6, "items per second", v);
		st_check(strcmp(ri->label, "selftest-label") == 0, "label",
		    0);
		st_check(strcmp(ri->name, "self/manual") == 0, "name keeps no "
		    "/iterations: or /manual_time suffix", 0);
	} else if (strcmp(ri->family, "self/error") == 0) {
		st_check(ri->error && strcmp(ri->error_message,
		    "selftest-error") == 0, "skip with error", 0);
	}
}

int
bench_gbench_selftest(const char *argv0)
{
	char *argv[] = { (char *)argv0, "--benchmark_min_time=0.01", NULL };
	int argc = 2;
	gbench_bm *bm;
	size_t n;

	bm = gbench_register("self/threads", st_threads, NULL);
	gbench_bm_threads(bm, 2);
	bm = gbench_register("self/pause", st_pause, NULL);
	gbench_bm_iterations(bm, 16);	/* no estimation: it sleeps */
	bm = gbench_register("self/manual", st_manual, NULL);
	gbench_bm_manual_time(bm);
	gbench_bm_iterations(bm, ST_ITERS);
	gbench_register("self/error", st_error, NULL);
	gbench_init(&argc, argv);
	gbench_context("selftest", "yes");
	n = gbench_run(st_hook, NULL, NULL);
	gbench_shutdown();
	st_check(n == 4, "4 benchmarks run", (double)n);
	st_check(atomic_load(&st_seen_index[0]) &&
	    atomic_load(&st_seen_index[1]), "thread indexes 0 and 1", 0);
	st_check(atomic_load(&st_bad_count) == 0, "gbench_threads() == 2",
	    atomic_load(&st_bad_count));
	st_check(st_checked >= 14, "every check ran", st_checked);
	printf("gbench-selftest: %d checks, %d failed\n", st_checked,
	    st_failures);
	return st_failures == 0 ? 0 : 1;
}
