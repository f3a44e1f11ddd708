/*
 * bench_churn.c - churn_shared, churn_private and observers.
 *
 * Every worker is the carrier of the LWPs it churns: lwp_create (detached)
 * -> lwp_enter -> lwp_exit, then the next one.  The processes the LWPs
 * belong to (one shared, or one per worker) are forked from the shell
 * before the region; their master LWPs are carried by parked holder
 * threads.  Workers claim lifecycles from a common budget in chunks (a
 * 64th of a worker's share, so the claim is rare), so a faster worker
 * does more of them: fairness_cv is the coefficient of variation of the
 * per-worker counts.
 *
 * The region ends when every LWP is freed: the processes are exited by
 * their masters (proc_exit), reaped by the shell, and the leader sleeps
 * until the live counts are back to the baseline.  That is where a
 * design's deferred reaping (a taskqueue, a zombie slot) gets paid.
 *
 * Latency (lat_p*): exit -> free of a sampled LWP.  The model kernel
 * stamps one LWP exit in REAP_LAT_SAMPLE on each CPU, the same for every
 * design (more often for one the run gives fewer lifecycles than the rest
 * of its configuration: run_equalize.c), and the design's free of that LWP records the latency into the
 * freeing CPU's histogram (bench_env.c); they are merged after the
 * region.  The workers do nothing for it: the loop being timed never
 * calls into the design but to churn.
 *
 * observers: churn_shared plus one observer thread per worker that keeps
 * looking up the LWP that worker currently runs with lwp_hold, holds it
 * for a few dozen pause cycles and releases it (lwp_rele);
 * `holds_per_lifecycle` counts the successful holds.  Observers run on
 * model CPUs of their own (the reap side) when the PUs allow; sharing
 * their worker's PU, they yield the PU after every sweep (a bounded
 * back-off) rather than spin through the worker's time slice.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define CHURN_CHUNK_MIN	16	/* lifecycles claimed at a time, at least */
#define CHURN_CHUNK_MAX	4096
#define OBS_HOLD_PAUSES	32

struct churn;

struct churn_worker {
	struct churn *c;
	int	idx;
	int	proc;			/* index into c->procs */
	uint64_t done;			/* ! the worker */
	_Atomic lwpid_t cur;		/* LWP being churned, for observers */
	uint64_t holds;			/* observers: ! the observer i */
} __attribute__((aligned(64)));

struct churn {
	/* The workers' line: claims from the budget never bounce it. */
	_Atomic int64_t budget __attribute__((aligned(64)));
	struct bench_env *env __attribute__((aligned(64)));
	const struct reap_ops *ops;
	int	nw, nproc, nobs;
	int64_t	chunk;
	bool	obs_yield;		/* observers share their worker's PU */
	struct reap_proc **procs;
	struct reap_lwp **masters;
	struct bench_pool *workers, *holders, *observers;
	struct churn_worker *w;
	_Atomic int stop_obs;
	struct bench_latch entered, wdone, odone;
	struct bench_bell exitbell;
	uint32_t exitgen;
	struct churn_holder *hold;
	int	*cpus;
};

struct churn_holder {
	struct churn *c;
	int	proc;
};

/* A holder carries a process's master: enter, park, exit it on the bell. */
static void
churn_holder_job(void *arg)
{
	struct churn_holder *h = arg;
	struct churn *c = h->c;
	struct reap_lwp *m = c->masters[h->proc];

	c->ops->lwp_enter(m);
	bench_latch_done(&c->entered);
	bench_bell_wait(&c->exitbell, c->exitgen);
	c->ops->proc_exit(m, 0);
}

static void
churn_worker_job(void *arg)
{
	struct churn_worker *w = arg;
	struct churn *c = w->c;
	const struct reap_ops *ops = c->ops;
	struct reap_proc *p = c->procs[w->proc];
	bool observed = c->nobs > 0;

	for (;;) {
		int64_t got = atomic_fetch_sub_explicit(&c->budget, c->chunk,
		    memory_order_relaxed);
		int64_t n = got < c->chunk ? got : c->chunk;

		for (int64_t k = 0; k < n; k++) {
			lwpid_t lid;
			struct reap_lwp *l = ops->lwp_create(p, REAP_DETACHED,
			    &lid);

			if (l == NULL) {
				bench_env_fail(c->env, "%s: lwp_create "
				    "failed in churn", ops->name);
				goto out;
			}
			if (observed)
				atomic_store_explicit(&w->cur, lid,
				    memory_order_relaxed);
			ops->lwp_enter(l);
			ops->lwp_exit(l);
		}
		if (n <= 0)
			break;
		w->done += (uint64_t)n;
	}
out:
	atomic_store_explicit(&w->cur, 0, memory_order_relaxed);
	bench_latch_done(&c->wdone);
}

static void
churn_observer_job(void *arg)
{
	struct churn_worker *self = arg;	/* holds counts go here */
	struct churn *c = self->c;
	const struct reap_ops *ops = c->ops;

	while (!atomic_load_explicit(&c->stop_obs, memory_order_relaxed)) {
		for (int i = 0; i < c->nw; i++) {
			struct churn_worker *w = &c->w[i];
			lwpid_t lid = atomic_load_explicit(&w->cur,
			    memory_order_relaxed);
			struct reap_lwp *l;

			if (lid == 0)
				continue;
			l = ops->lwp_hold(c->procs[w->proc], lid);
			if (l == NULL)
				continue;
			for (int k = 0; k < OBS_HOLD_PAUSES; k++)
				__builtin_ia32_pause();
			ops->lwp_rele(l);
			self->holds++;
		}
		/* Sharing the worker's PU: let it run its slice. */
		if (c->obs_yield)
			sched_yield();
	}
	bench_latch_done(&c->odone);
}

/* Thread pools: workers on the exit side, a holder per process, the
 * observers on the reap side (their own CPUs, or their workers'). */
static int
churn_pools(struct bench_env *env, struct churn *c)
{
	for (int i = 0; i < c->nw; i++) {
		c->w[i].c = c;
		c->w[i].idx = i;
		c->w[i].proc = i % c->nproc;
		c->cpus[i] = bench_exit_cpu(env, i);
	}
	if ((c->workers = bench_pool_create(env, c->nw, c->cpus,
	    "worker")) == NULL)
		return -1;
	for (int i = 0; i < c->nproc; i++)
		c->cpus[i] = bench_exit_cpu(env, i);
	if ((c->holders = bench_pool_create(env, c->nproc, c->cpus,
	    "holder")) == NULL)
		return -1;
	if (c->nobs == 0)
		return 0;
	for (int i = 0; i < c->nobs; i++)
		c->cpus[i] = bench_reap_cpu(env, i);
	c->obs_yield = !env->obs_own;
	c->observers = bench_pool_create(env, c->nobs, c->cpus, "observer");
	return c->observers == NULL ? -1 : 0;
}

/* Untimed: allocate, start the pools, fork the processes, park their
 * masters on the holders, take the quiesce baseline. */
static int
churn_setup(struct bench_env *env, struct churn *c, uint64_t iters)
{
	const struct bench_spec *spec = env->spec;

	c->env = env;
	c->ops = env->ops;
	c->nw = spec->threads;
	c->nproc = spec->wl == BW_CHURN_PRIVATE ? c->nw : 1;
	c->nobs = spec->wl == BW_OBSERVERS ? c->nw : 0;
	c->chunk = (int64_t)(iters / (64 * (uint64_t)c->nw));
	c->chunk = c->chunk < CHURN_CHUNK_MIN ? CHURN_CHUNK_MIN :
	    c->chunk > CHURN_CHUNK_MAX ? CHURN_CHUNK_MAX : c->chunk;
	c->procs = calloc((size_t)c->nproc, sizeof(*c->procs));
	c->masters = calloc((size_t)c->nproc, sizeof(*c->masters));
	c->w = aligned_alloc(64, sizeof(*c->w) * (size_t)c->nw);
	c->hold = calloc((size_t)c->nproc, sizeof(*c->hold));
	c->cpus = calloc((size_t)(c->nw + c->nproc), sizeof(*c->cpus));
	if (c->procs == NULL || c->masters == NULL || c->w == NULL ||
	    c->hold == NULL || c->cpus == NULL) {
		bench_env_fail(env, "out of memory");
		return -1;
	}
	memset(c->w, 0, sizeof(*c->w) * (size_t)c->nw);
	if (churn_pools(env, c) != 0)
		return -1;
	c->exitgen = bench_bell_gen(&c->exitbell);
	bench_latch_init(&c->entered, (uint32_t)c->nproc);
	for (int i = 0; i < c->nproc; i++) {
		if ((c->procs[i] = bench_shell_fork(env, &c->masters[i])) ==
		    NULL)
			return -1;
		c->hold[i].c = c;
		c->hold[i].proc = i;
		bench_pool_post(c->holders, i, churn_holder_job, &c->hold[i]);
	}
	bench_latch_wait(&c->entered);
	bench_env_collect_systhreads(env);
	bench_env_baseline(env);
	return 0;
}

/* The region: churn, stop the observers, exit and reap the processes,
 * sleep until all is freed. */
static void
churn_region(struct bench_env *env, struct churn *c, uint64_t iters)
{
	struct bench_latch reaped;

	bench_env_counters_start(env);
	bench_env_time_begin(env);
	atomic_store(&c->budget, (int64_t)iters);
	bench_latch_init(&c->wdone, (uint32_t)c->nw);
	bench_latch_init(&c->odone, (uint32_t)c->nobs);
	for (int i = 0; i < c->nobs; i++)
		bench_pool_post(c->observers, i, churn_observer_job, &c->w[i]);
	for (int i = 0; i < c->nw; i++)
		bench_pool_post(c->workers, i, churn_worker_job, &c->w[i]);
	bench_env_await(env, &c->wdone);
	bench_env_sample(env);	/* a backlog left at the end of the churn */
	atomic_store(&c->stop_obs, 1);
	bench_latch_wait(&c->odone);
	bench_latch_init(&reaped, 1);
	bench_shell_reap_async(env, c->nproc, &reaped);
	bench_bell_ring(&c->exitbell);
	bench_env_await(env, &reaped);
	(void)bench_env_quiesce(env, c->nproc, c->nproc);
	bench_env_time_end(env);
	bench_env_counters_stop(env);
}

static void
churn_collect(struct bench_env *env, struct churn *c, uint64_t iters,
    struct bench_result *r)
{
	double done[c->nw];

	for (int i = 0; i < c->nw; i++) {
		done[i] = (double)c->w[i].done;
		r->lifecycles += c->w[i].done;
		r->holds += c->w[i].holds;
	}
	r->fairness_cv = bench_cv(done, c->nw);
	bench_env_lat_collect(env, &r->hist);
	r->iters = iters;
}

int
bench_churn(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	struct churn *c = aligned_alloc(64, sizeof(*c));

	if (c == NULL) {
		bench_env_fail(env, "out of memory");
		return -1;
	}
	memset(c, 0, sizeof(*c));
	/* A failed run may have threads wedged in the design: leave them,
	 * the caller exits (see bench_run). */
	if (churn_setup(env, c, iters) != 0)
		return -1;
	churn_region(env, c, iters);
	if (bench_env_failed(env))
		return -1;
	churn_collect(env, c, iters, r);
	bench_pool_destroy(c->observers);
	bench_pool_destroy(c->workers);
	bench_pool_destroy(c->holders);
	free(c->procs);
	free(c->masters);
	free(c->w);
	free(c->hold);
	free(c->cpus);
	free(c);
	return 0;
}
