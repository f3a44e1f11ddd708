/*
 * bench_native.c - the reference: the same workloads on the OS's own
 * threads (pthread_create / return (pthread_exit) / pthread_join /
 * detached threads).  The only place where threads are created inside a
 * timed region: that is what is being measured.
 *
 *   churn_shared  each worker creates detached threads that return at
 *                 once, at most NATIVE_WINDOW in flight; a thread counts
 *                 when its function has returned (the OS frees a detached
 *                 thread's stack later, out of sight).  Latency: create ->
 *                 return of the function, as the worker observes it.
 *   join          as the design's join: a waiter keeps BENCH_JOIN_WINDOW
 *                 joinable threads (bound to an exit-side CPU) in flight
 *                 and joins the oldest.  Latency: the thread's return ->
 *                 pthread_join's return.
 *   teardown/storm  rounds: T threads per "process" are created (untimed)
 *                 and park on a bell; the bell lets them all return and
 *                 the parent joins every thread of each group.  Latency:
 *                 bell -> the last join of the group.
 *
 * Counters (perf) follow the harness's threads only: the threads created
 * here come and go inside the region.  cpu_ns_per_op is process-wide and
 * covers them.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define NATIVE_WINDOW	16

struct native;

struct nslot {
	uint64_t create_ts;		/* ! the worker */
	_Atomic uint64_t done_ts;	/* the thread: release */
	bool	busy;			/* ! the worker */
	pthread_t th;
};

struct nworker {
	struct native *n;
	int	idx;
	uint64_t done;
	struct nslot slot[NATIVE_WINDOW];
	struct bench_hist hist;
	uint64_t wait_ns;
} __attribute__((aligned(64)));

struct native {
	struct bench_env *env;
	int	nw;
	struct nworker *w;
	struct bench_pool *workers;
	_Atomic int64_t budget;
	struct bench_latch wdone, prepared;
	pthread_attr_t detached;
	cpu_set_t exitset[64];		/* per worker: its exit-side CPU */
	bool	have_exitset[64];
	/* rounds */
	int	nprocs, nlwps;
	pthread_t *th;			/* [nprocs * nlwps] */
	struct bench_bell bell;
	uint32_t gen;
	uint64_t ring_ts;
	struct bench_pool *exitpool;	/* probes of the exit-side CPUs */
	int	*cpus;
};

static void *
native_detached_main(void *arg)
{
	struct nslot *s = arg;

	atomic_store_explicit(&s->done_ts, bench_now_ns(),
	    memory_order_release);
	return NULL;
}

static void
native_reclaim(struct nworker *w)
{
	for (int i = 0; i < NATIVE_WINDOW; i++) {
		struct nslot *s = &w->slot[i];
		uint64_t t;

		if (!s->busy || (t = atomic_load_explicit(&s->done_ts,
		    memory_order_acquire)) == 0)
			continue;
		bench_hist_add(&w->hist, t - s->create_ts);
		s->busy = false;
		w->done++;
	}
}

static void
native_churn_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;
	int inflight = 0;

	for (;;) {
		struct nslot *s = NULL;

		if (atomic_fetch_sub_explicit(&n->budget, 1,
		    memory_order_relaxed) <= 0)
			break;
		while (s == NULL) {
			for (int i = 0; i < NATIVE_WINDOW && s == NULL; i++)
				if (!w->slot[i].busy)
					s = &w->slot[i];
			if (s == NULL) {
				native_reclaim(w);
				sched_yield();
			}
		}
		s->busy = true;
		atomic_store_explicit(&s->done_ts, 0, memory_order_relaxed);
		s->create_ts = bench_now_ns();
		if (pthread_create(&s->th, &n->detached, native_detached_main,
		    s) != 0) {
			bench_env_fail(n->env, "pthread_create: %s",
			    strerror(errno));
			break;
		}
		native_reclaim(w);
	}
	/* Quiesce: every created thread has returned. */
	for (;;) {
		native_reclaim(w);
		inflight = 0;
		for (int i = 0; i < NATIVE_WINDOW; i++)
			inflight += w->slot[i].busy;
		if (inflight == 0)
			break;
		sched_yield();
	}
	bench_latch_done(&n->wdone);
}

static void *
native_joinable_main(void *arg)
{
	struct nslot *s = arg;

	atomic_store_explicit(&s->done_ts, bench_now_ns(),
	    memory_order_release);
	return NULL;
}

static void
native_join_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;
	pthread_attr_t attr;
	unsigned head = 0, count = 0;
	bool more = true;

	pthread_attr_init(&attr);
	if (w->idx < 64 && n->have_exitset[w->idx])
		pthread_attr_setaffinity_np(&attr, sizeof(cpu_set_t),
		    &n->exitset[w->idx]);
	for (;;) {
		while (more && count < BENCH_JOIN_WINDOW) {
			struct nslot *s = &w->slot[(head + count) %
			    BENCH_JOIN_WINDOW];

			if (atomic_fetch_sub_explicit(&n->budget, 1,
			    memory_order_relaxed) <= 0) {
				more = false;
				break;
			}
			atomic_store_explicit(&s->done_ts, 0,
			    memory_order_relaxed);
			if (pthread_create(&s->th, &attr, native_joinable_main,
			    s) != 0) {
				bench_env_fail(n->env, "pthread_create: %s",
				    strerror(errno));
				more = false;
				break;
			}
			count++;
		}
		if (count == 0)
			break;
		{
			struct nslot *s = &w->slot[head % BENCH_JOIN_WINDOW];

			pthread_join(s->th, NULL);
			bench_hist_add(&w->hist, bench_now_ns() -
			    atomic_load_explicit(&s->done_ts,
			    memory_order_acquire));
			head++;
			count--;
			w->done++;
		}
	}
	pthread_attr_destroy(&attr);
	bench_latch_done(&n->wdone);
}

/* ---- rounds -------------------------------------------------------------- */

static void *
native_parked_main(void *arg)
{
	struct native *n = arg;

	bench_bell_wait(&n->bell, n->gen);
	return NULL;
}

static void
native_prepare_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int k = w->idx; k < n->nprocs; k += n->nw) {
		for (int j = 0; j < n->nlwps; j++) {
			cpu_set_t set;
			int cpu = bench_exit_cpu(n->env, k * n->nlwps + j);

			if (bench_pool_cpuset(n->env, cpu, &set))
				pthread_attr_setaffinity_np(&attr,
				    sizeof(set), &set);
			if (pthread_create(&n->th[k * n->nlwps + j], &attr,
			    native_parked_main, n) != 0) {
				bench_env_fail(n->env, "pthread_create: %s",
				    strerror(errno));
				abort();	/* the round cannot run */
			}
		}
	}
	pthread_attr_destroy(&attr);
	bench_latch_done(&n->prepared);
}

static void
native_reap_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;
	uint64_t t0 = bench_now_ns();

	for (int k = w->idx; k < n->nprocs; k += n->nw) {
		for (int j = 0; j < n->nlwps; j++)
			pthread_join(n->th[k * n->nlwps + j], NULL);
		bench_hist_add(&w->hist, bench_now_ns() - n->ring_ts);
	}
	w->wait_ns += bench_now_ns() - t0;
	bench_latch_done(&n->wdone);
}

/* Untimed: the workers (exit side for churn, reap side otherwise) and
 * one parked thread per exit-side CPU, to learn its cpu_set_t. */
static int
native_setup(struct bench_env *env, struct native *n, bool rounds)
{
	const struct bench_spec *spec = env->spec;
	int nexitcpus = env->nexit;

	n->env = env;
	n->nw = spec->threads;
	if (rounds) {
		n->nprocs = spec->wl == BW_STORM ? (spec->procs > 0 ?
		    spec->procs : BENCH_STORM_PROCS) : spec->threads;
		n->nlwps = spec->wl == BW_STORM && spec->lwps <= 0 ?
		    BENCH_STORM_LWPS : spec->lwps;
		if (n->nw > n->nprocs)
			n->nw = n->nprocs;
	}
	n->w = aligned_alloc(64, sizeof(*n->w) * (size_t)n->nw);
	n->cpus = calloc((size_t)(n->nw + nexitcpus), sizeof(*n->cpus));
	if (n->w == NULL || n->cpus == NULL)
		return -1;
	memset(n->w, 0, sizeof(*n->w) * (size_t)n->nw);
	pthread_attr_init(&n->detached);
	pthread_attr_setdetachstate(&n->detached, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < n->nw; i++) {
		n->w[i].n = n;
		n->w[i].idx = i;
		n->cpus[i] = spec->wl == BW_CHURN_SHARED ?
		    bench_exit_cpu(env, i) : bench_reap_cpu(env, i);
	}
	if ((n->workers = bench_pool_create(env, n->nw, n->cpus,
	    spec->wl == BW_CHURN_SHARED ? "worker" : "waiter")) == NULL)
		return -1;
	for (int i = 0; i < nexitcpus; i++)
		n->cpus[i] = i;
	if ((n->exitpool = bench_pool_create(env, nexitcpus, n->cpus,
	    "probe")) == NULL)
		return -1;
	for (int i = 0; i < n->nw && i < 64; i++)
		n->have_exitset[i] = bench_pool_cpuset(env,
		    bench_exit_cpu(env, i), &n->exitset[i]);
	return 0;
}

/* churn_shared and join: one timed region. */
static void
native_region(struct bench_env *env, struct native *n, uint64_t iters)
{
	bench_job_fn fn = env->spec->wl == BW_CHURN_SHARED ?
	    native_churn_job : native_join_job;

	bench_env_time_begin(env);
	atomic_store(&n->budget, (int64_t)iters);
	bench_latch_init(&n->wdone, (uint32_t)n->nw);
	for (int i = 0; i < n->nw; i++)
		bench_pool_post(n->workers, i, fn, &n->w[i]);
	bench_env_await(env, &n->wdone);
	bench_env_time_end(env);
}

/* teardown and storm: rounds, each prepared untimed. */
static int
native_rounds(struct bench_env *env, struct native *n, uint64_t iters)
{
	n->th = calloc((size_t)(n->nprocs * n->nlwps), sizeof(*n->th));
	if (n->th == NULL)
		return -1;
	for (uint64_t k = 0; k < iters && !bench_env_failed(env); k++) {
		n->gen = bench_bell_gen(&n->bell);
		bench_latch_init(&n->prepared, (uint32_t)n->nw);
		for (int i = 0; i < n->nw; i++)
			bench_pool_post(n->workers, i, native_prepare_job,
			    &n->w[i]);
		bench_latch_wait(&n->prepared);
		bench_latch_init(&n->wdone, (uint32_t)n->nw);
		bench_env_time_begin(env);
		n->ring_ts = bench_now_ns();
		for (int i = 0; i < n->nw; i++)
			bench_pool_post(n->workers, i, native_reap_job,
			    &n->w[i]);
		bench_bell_ring(&n->bell);
		bench_env_await(env, &n->wdone);
		bench_env_time_end(env);
	}
	free(n->th);
	return 0;
}

int
bench_native(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	bool rounds = env->spec->wl == BW_TEARDOWN ||
	    env->spec->wl == BW_STORM;
	struct native *n = calloc(1, sizeof(*n));

	if (n == NULL || native_setup(env, n, rounds) != 0)
		return -1;
	bench_env_counters_start(env);
	if (!rounds)
		native_region(env, n, iters);
	else if (native_rounds(env, n, iters) != 0)
		return -1;
	bench_env_counters_stop(env);
	r->iters = iters;
	{
		double v[n->nw];

		for (int i = 0; i < n->nw; i++) {
			v[i] = rounds ? (double)n->w[i].wait_ns :
			    (double)n->w[i].done;
			r->lifecycles += n->w[i].done;
			bench_hist_merge(&r->hist, &n->w[i].hist);
		}
		r->fairness_cv = bench_cv(v, n->nw);
	}
	if (rounds)
		r->lifecycles = iters * (uint64_t)(n->nprocs * n->nlwps);
	bench_pool_destroy(n->exitpool);
	bench_pool_destroy(n->workers);
	pthread_attr_destroy(&n->detached);
	free(n->w);
	free(n->cpus);
	free(n);
	return bench_env_failed(env) ? -1 : 0;
}
