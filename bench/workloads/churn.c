/*
 * bench_churn.c - churn_shared, churn_private and observers.
 *
 * Every worker is the carrier of the LWPs it churns: lwp_create (detached)
 * -> lwp_enter -> lwp_exit, then the next one.  The processes the LWPs
 * belong to (one shared, or one per worker) are forked from the shell
 * before the region; their master LWPs are carried by parked holder
 * threads.  Workers claim lifecycles from a common budget in chunks, so a
 * faster worker does more of them: fairness_cv is the coefficient of
 * variation of the per-worker counts.
 *
 * The region ends when every LWP is freed: the processes are exited by
 * their masters (proc_exit), reaped by the shell, and the stats polled
 * until the live counts are back to the baseline.  That is where a
 * design's deferred reaping (a taskqueue, a zombie slot) gets paid.
 *
 * Latency (lat_p*): completion latency of a sampled lifecycle, from its
 * lwp_create to the first time stats.lwps_freed has caught up with
 * stats.lwps_created as read right after that create (every LWP created
 * up to it is freed).  The worker looks after each later lifecycle; the
 * leader resolves what is left when the workers stop and at quiesce.  It
 * is exact for FIFO reaping and an upper bound otherwise.
 *
 * observers: churn_shared plus one observer thread per worker (on the
 * reap side under split) that keeps looking up the LWP each worker
 * currently runs with lwp_hold, holds it for a few dozen pause cycles and
 * releases it (lwp_rele); `holds_per_lifecycle` counts the successful
 * holds.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define CHURN_CHUNK	16	/* lifecycles claimed at a time */
#define CHURN_SAMPLE	8	/* one lifecycle in CHURN_SAMPLE is timed */
#define OBS_HOLD_PAUSES	32

struct churn;

struct churn_worker {
	struct churn *c;
	int	idx;
	int	proc;			/* index into c->procs */
	uint64_t done;			/* ! the worker */
	bool	pending;		/* ! a sample awaits catch-up */
	uint64_t pend_ts, pend_created;	/* ! */
	_Atomic lwpid_t cur;		/* LWP being churned, for observers */
	uint64_t holds;			/* observers: ! the observer i */
	struct bench_hist hist;		/* ! the worker */
} __attribute__((aligned(64)));

struct churn {
	struct bench_env *env;
	const struct reap_ops *ops;
	int	nw, nproc, nobs;
	struct reap_proc **procs;
	struct reap_lwp **masters;
	struct bench_pool *workers, *holders, *observers;
	struct churn_worker *w;
	_Atomic int64_t budget;
	_Atomic int stop_obs;
	struct bench_latch entered, wdone, odone;
	struct bench_bell exitbell;
	uint32_t exitgen;
	int64_t	live0;			/* live LWPs at the region's start */
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
churn_resolve(struct churn *c, struct churn_worker *w, uint64_t now,
    const struct reap_stats *st)
{
	if (w->pending && (int64_t)st->lwps_freed >=
	    (int64_t)w->pend_created - c->live0) {
		bench_hist_add(&w->hist, now - w->pend_ts);
		w->pending = false;
	}
}

static void
churn_worker_job(void *arg)
{
	struct churn_worker *w = arg;
	struct churn *c = w->c;
	const struct reap_ops *ops = c->ops;
	struct reap_proc *p = c->procs[w->proc];
	struct reap_stats st;

	for (;;) {
		int64_t got = atomic_fetch_sub_explicit(&c->budget,
		    CHURN_CHUNK, memory_order_relaxed);
		int64_t n = got < CHURN_CHUNK ? got : CHURN_CHUNK;

		if (n <= 0)
			break;
		for (int64_t k = 0; k < n; k++) {
			bool sample = !w->pending &&
			    w->done % CHURN_SAMPLE == 0;
			lwpid_t lid;
			uint64_t ts = sample ? bench_now_ns() : 0;
			struct reap_lwp *l = ops->lwp_create(p, REAP_DETACHED,
			    &lid);

			if (l == NULL) {
				bench_env_fail(c->env, "%s: lwp_create "
				    "failed in churn", ops->name);
				goto out;
			}
			if (sample) {
				ops->stats(c->env->sys, &st);
				w->pending = true;
				w->pend_ts = ts;
				w->pend_created = st.lwps_created;
			}
			atomic_store_explicit(&w->cur, lid,
			    memory_order_relaxed);
			ops->lwp_enter(l);
			ops->lwp_exit(l);
			w->done++;
			if (w->pending) {
				ops->stats(c->env->sys, &st);
				churn_resolve(c, w, bench_now_ns(), &st);
			}
		}
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
	}
	bench_latch_done(&c->odone);
}

int
bench_churn(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	const struct bench_spec *spec = env->spec;
	struct churn c;
	struct churn_holder *hold = NULL;
	struct bench_latch reaped;
	struct reap_stats st;
	int *cpus = NULL;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.env = env;
	c.ops = env->ops;
	c.nw = spec->threads;
	c.nproc = spec->wl == BW_CHURN_PRIVATE ? c.nw : 1;
	c.nobs = spec->wl == BW_OBSERVERS ? c.nw : 0;
	c.procs = calloc((size_t)c.nproc, sizeof(*c.procs));
	c.masters = calloc((size_t)c.nproc, sizeof(*c.masters));
	c.w = aligned_alloc(64, sizeof(*c.w) * (size_t)c.nw);
	hold = calloc((size_t)c.nproc, sizeof(*hold));
	cpus = calloc((size_t)(c.nw + c.nproc), sizeof(*cpus));
	if (c.procs == NULL || c.masters == NULL || c.w == NULL ||
	    hold == NULL || cpus == NULL) {
		bench_env_fail(env, "out of memory");
		goto out;
	}
	memset(c.w, 0, sizeof(*c.w) * (size_t)c.nw);
	for (int i = 0; i < c.nw; i++) {
		c.w[i].c = &c;
		c.w[i].idx = i;
		c.w[i].proc = i % c.nproc;
		cpus[i] = bench_exit_cpu(env, i);
	}
	if ((c.workers = bench_pool_create(env, c.nw, cpus, "worker")) == NULL)
		goto out;
	for (int i = 0; i < c.nproc; i++)
		cpus[i] = bench_exit_cpu(env, i);
	if ((c.holders = bench_pool_create(env, c.nproc, cpus, "holder")) ==
	    NULL)
		goto out;
	if (c.nobs > 0) {
		for (int i = 0; i < c.nobs; i++)
			cpus[i] = bench_reap_cpu(env, i);
		if ((c.observers = bench_pool_create(env, c.nobs, cpus,
		    "observer")) == NULL)
			goto out;
	}

	/* Setup: fork the processes, park their masters on the holders. */
	c.exitgen = bench_bell_gen(&c.exitbell);
	bench_latch_init(&c.entered, (uint32_t)c.nproc);
	for (int i = 0; i < c.nproc; i++) {
		if ((c.procs[i] = bench_shell_fork(env, &c.masters[i])) ==
		    NULL)
			goto out;
		hold[i].c = &c;
		hold[i].proc = i;
		bench_pool_post(c.holders, i, churn_holder_job, &hold[i]);
	}
	bench_latch_wait(&c.entered);
	bench_env_collect_systhreads(env);
	bench_env_baseline(env);
	c.live0 = env->live_lwps;

	/* The region. */
	bench_env_counters_start(env);
	bench_env_time_begin(env);
	atomic_store(&c.budget, (int64_t)iters);
	bench_latch_init(&c.wdone, (uint32_t)c.nw);
	bench_latch_init(&c.odone, (uint32_t)c.nobs);
	for (int i = 0; i < c.nobs; i++)
		bench_pool_post(c.observers, i, churn_observer_job, &c.w[i]);
	for (int i = 0; i < c.nw; i++)
		bench_pool_post(c.workers, i, churn_worker_job, &c.w[i]);
	bench_latch_wait(&c.wdone);
	reap_stats_quiesced(c.ops, env->sys, &st);
	for (int i = 0; i < c.nw; i++)
		churn_resolve(&c, &c.w[i], bench_now_ns(), &st);
	atomic_store(&c.stop_obs, 1);
	bench_latch_wait(&c.odone);
	bench_latch_init(&reaped, 1);
	bench_shell_reap_async(env, c.nproc, &reaped);
	bench_bell_ring(&c.exitbell);
	bench_latch_wait(&reaped);
	if (bench_env_quiesce(env, c.nproc, c.nproc) == 0) {
		reap_stats_quiesced(c.ops, env->sys, &st);
		for (int i = 0; i < c.nw; i++)
			churn_resolve(&c, &c.w[i], bench_now_ns(), &st);
	}
	bench_env_time_end(env);
	bench_env_counters_stop(env);

	{
		double done[c.nw];

		for (int i = 0; i < c.nw; i++) {
			done[i] = (double)c.w[i].done;
			r->lifecycles += c.w[i].done;
			bench_hist_merge(&r->hist, &c.w[i].hist);
			r->holds += c.w[i].holds;
		}
		r->fairness_cv = bench_cv(done, c.nw);
	}
	r->iters = iters;
	rc = bench_env_failed(env) ? -1 : 0;
out:
	/* A failed run may have threads wedged in the design: leave them,
	 * the caller exits (see bench_run). */
	if (rc != 0)
		return rc;
	bench_pool_destroy(c.observers);
	bench_pool_destroy(c.workers);
	bench_pool_destroy(c.holders);
	free(c.procs);
	free(c.masters);
	free(c.w);
	free(hold);
	free(cpus);
	return rc;
}
