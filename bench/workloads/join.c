/*
 * bench_join.c - joinable LWPs collected by lwp_wait.
 *
 * Each waiter (a worker on the reap side) carries the master LWP of a
 * process of its own, forked from the shell.  It keeps BENCH_JOIN_WINDOW
 * joinable LWPs of that process outstanding: it creates one, hands it to
 * one of its two carriers on the exit side (which enter it, stamp the
 * time and call lwp_exit), and collects any departed one with
 * lwp_wait(self, 0, &lid).  Waiters claim lifecycles from a common budget,
 * so fairness_cv compares how many each collected.
 *
 * Latency (lat_p*): from the carrier's lwp_exit call to the waiter's
 * lwp_wait return for that LWP.
 *
 * The region ends with every waiter's process exited (proc_exit by its
 * master), reaped by the shell, and the stats back to the baseline.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define JOIN_CARRIERS	2	/* exit-side carriers per waiter */

struct join;

struct join_slot {
	struct join_waiter *w;
	struct reap_lwp *_Atomic l;	/* set by the waiter before posting */
	lwpid_t	lid;			/* ! the waiter */
	bool	busy;			/* ! the waiter */
	_Atomic uint64_t exit_ts;	/* carrier: release; waiter: acquire */
};

struct join_waiter {
	struct join *j;
	int	idx;
	struct reap_proc *p;
	struct reap_lwp *m;
	uint64_t done;			/* ! the waiter */
	unsigned next_carrier;		/* ! the waiter */
	struct join_slot slot[BENCH_JOIN_WINDOW];
	struct bench_hist hist;		/* ! the waiter */
} __attribute__((aligned(64)));

struct join {
	struct bench_env *env;
	const struct reap_ops *ops;
	int	nw;
	struct join_waiter *w;
	struct bench_pool *waiters, *carriers;
	_Atomic int64_t budget;
	struct bench_latch entered, wdone;
};

static void
join_enter_job(void *arg)
{
	struct join_waiter *w = arg;

	w->j->ops->lwp_enter(w->m);
	bench_latch_done(&w->j->entered);
}

static void
join_exit_job(void *arg)
{
	struct join_waiter *w = arg;

	w->j->ops->proc_exit(w->m, 0);
}

/* On an exit-side carrier: run the LWP and exit it at once. */
static void
join_carrier_job(void *arg)
{
	struct join_slot *s = arg;
	const struct reap_ops *ops = s->w->j->ops;
	struct reap_lwp *l = atomic_load_explicit(&s->l, memory_order_relaxed);

	ops->lwp_enter(l);
	atomic_store_explicit(&s->exit_ts, bench_now_ns(),
	    memory_order_release);
	/* From here on the waiter may reuse the slot: only l is used. */
	ops->lwp_exit(l);
}

static bool
join_spawn(struct join_waiter *w)
{
	struct join *j = w->j;
	struct join_slot *s = NULL;
	struct reap_lwp *l;
	lwpid_t lid;

	for (int i = 0; i < BENCH_JOIN_WINDOW; i++)
		if (!w->slot[i].busy) {
			s = &w->slot[i];
			break;
		}
	if (s == NULL)
		return false;
	if ((l = j->ops->lwp_create(w->p, 0, &lid)) == NULL) {
		bench_env_fail(j->env, "%s: lwp_create failed in join",
		    j->ops->name);
		return false;
	}
	s->busy = true;
	s->lid = lid;
	atomic_store_explicit(&s->l, l, memory_order_relaxed);
	atomic_store_explicit(&s->exit_ts, 0, memory_order_relaxed);
	bench_pool_post(j->carriers, w->idx * JOIN_CARRIERS +
	    (int)(w->next_carrier++ % JOIN_CARRIERS), join_carrier_job, s);
	return true;
}

static void
join_waiter_job(void *arg)
{
	struct join_waiter *w = arg;
	struct join *j = w->j;
	int outstanding = 0;
	bool more = true;

	for (;;) {
		while (more && outstanding < BENCH_JOIN_WINDOW) {
			if (atomic_fetch_sub_explicit(&j->budget, 1,
			    memory_order_relaxed) <= 0) {
				more = false;
				break;
			}
			if (!join_spawn(w))
				goto out;
			outstanding++;
		}
		if (outstanding == 0)
			break;
		{
			lwpid_t d = 0;
			int error = j->ops->lwp_wait(w->m, 0, &d);
			uint64_t now = bench_now_ns();
			struct join_slot *s = NULL;

			if (error != 0) {
				bench_env_fail(j->env, "%s: lwp_wait returned "
				    "%d in join", j->ops->name, error);
				goto out;
			}
			for (int i = 0; i < BENCH_JOIN_WINDOW; i++)
				if (w->slot[i].busy && w->slot[i].lid == d)
					s = &w->slot[i];
			if (s == NULL) {
				bench_env_fail(j->env, "%s: lwp_wait returned "
				    "lid %d, never created", j->ops->name,
				    (int)d);
				goto out;
			}
			bench_hist_add(&w->hist, now -
			    atomic_load_explicit(&s->exit_ts,
			    memory_order_acquire));
			s->busy = false;
			outstanding--;
			w->done++;
		}
	}
out:
	bench_latch_done(&j->wdone);
}

int
bench_join(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	struct join j;
	struct bench_latch reaped;
	int nc, *cpus = NULL, rc = -1;

	memset(&j, 0, sizeof(j));
	j.env = env;
	j.ops = env->ops;
	j.nw = env->spec->threads;
	nc = j.nw * JOIN_CARRIERS;
	j.w = aligned_alloc(64, sizeof(*j.w) * (size_t)j.nw);
	cpus = calloc((size_t)nc, sizeof(*cpus));
	if (j.w == NULL || cpus == NULL) {
		bench_env_fail(env, "out of memory");
		return -1;
	}
	memset(j.w, 0, sizeof(*j.w) * (size_t)j.nw);
	for (int i = 0; i < j.nw; i++)
		cpus[i] = bench_reap_cpu(env, i);
	if ((j.waiters = bench_pool_create(env, j.nw, cpus, "waiter")) == NULL)
		return -1;
	/* Waiter i's carriers: exit-side CPUs, spread over that side. */
	for (int i = 0; i < nc; i++)
		cpus[i] = bench_exit_cpu(env, i);
	if ((j.carriers = bench_pool_create(env, nc, cpus, "carrier")) == NULL)
		return -1;
	bench_latch_init(&j.entered, (uint32_t)j.nw);
	for (int i = 0; i < j.nw; i++) {
		struct join_waiter *w = &j.w[i];

		w->j = &j;
		w->idx = i;
		for (int k = 0; k < BENCH_JOIN_WINDOW; k++)
			w->slot[k].w = w;
		if ((w->p = bench_shell_fork(env, &w->m)) == NULL)
			return -1;
		bench_pool_post(j.waiters, i, join_enter_job, w);
	}
	bench_latch_wait(&j.entered);
	bench_env_collect_systhreads(env);
	bench_env_baseline(env);

	bench_env_counters_start(env);
	bench_env_time_begin(env);
	atomic_store(&j.budget, (int64_t)iters);
	bench_latch_init(&j.wdone, (uint32_t)j.nw);
	for (int i = 0; i < j.nw; i++)
		bench_pool_post(j.waiters, i, join_waiter_job, &j.w[i]);
	bench_env_await(env, &j.wdone);
	bench_latch_init(&reaped, 1);
	bench_shell_reap_async(env, j.nw, &reaped);
	for (int i = 0; i < j.nw; i++)
		bench_pool_post(j.waiters, i, join_exit_job, &j.w[i]);
	bench_env_await(env, &reaped);
	(void)bench_env_quiesce(env, j.nw, j.nw);
	bench_env_time_end(env);
	bench_env_counters_stop(env);

	{
		double done[j.nw];

		for (int i = 0; i < j.nw; i++) {
			done[i] = (double)j.w[i].done;
			r->lifecycles += j.w[i].done;
			bench_hist_merge(&r->hist, &j.w[i].hist);
		}
		r->fairness_cv = bench_cv(done, j.nw);
	}
	r->iters = iters;
	rc = bench_env_failed(env) ? -1 : 0;
	if (rc != 0)
		return rc;	/* threads may be wedged: see bench_run */
	bench_pool_destroy(j.carriers);
	bench_pool_destroy(j.waiters);
	free(j.w);
	free(cpus);
	return rc;
}
