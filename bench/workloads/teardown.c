/*
 * bench_teardown.c - rounds of processes killed and reaped: teardown
 * (one process of T LWPs per parent thread) and storm (P processes of T
 * LWPs, all at once).
 *
 * Each parent thread (reap side) carries the master LWP of a process of
 * its own, forked from the shell; the processes it tears down are its
 * children.  A round:
 *
 *   untimed   every parent forks its processes and creates T-1 more
 *             joinable LWPs in each; every LWP gets a carrier of its own
 *             (exit side, spread over the side's CPUs), which enters it
 *             and parks on the round's bell, as a running thread of the
 *             process would sit in user mode.  The parents then block in
 *             proc_wait(-1).
 *   timed     the bell rings (the "kill": a signal to the process): each
 *             master's carrier calls proc_exit; every other carrier polls
 *             lwp_killed (yielding the CPU between polls, as a thread
 *             waiting for its signal would) and calls lwp_exit once it
 *             says so.  The parents collect their children; the round
 *             ends when the stats show every LWP and process freed.
 *
 * Two figures.  Parent wakes (lat_p*): per process, from its master's
 * proc_exit call to the parent's proc_wait return with that pid.  All
 * freed (freed_p*): per round, from the round's first proc_exit call to
 * the round's last LWP or process free, as the model kernel's books stamp
 * it (reap_config.free_stamp: each freeing thread stamps its own books,
 * read once the round is quiesced); the same hook in every design.  A
 * free cannot be told apart by process without the design's help, so at
 * more than one process per round (teardown at t > 1, storm) it is the
 * round's, the last of its teardowns to finish.
 *
 * Counters (perf) run over all rounds, untimed parts included (starting
 * and stopping them per round costs one ioctl per event per thread); CPU
 * time and reaper_cpu_share cover only the timed parts.  fairness_cv is
 * the variation of the parents' total proc_wait time.
 */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct rounds;

struct rnd_lwp {
	struct rounds *r;
	int	k;			/* process index */
	int	j;			/* LWP index in it; 0: master */
	struct reap_lwp *_Atomic l;
};

struct rnd_parent {
	struct rounds *r;
	int	idx;
	struct reap_proc *p;
	struct reap_lwp *m;
	uint64_t wait_ns;		/* ! the parent */
	struct bench_hist hist;		/* ! the parent */
} __attribute__((aligned(64)));

struct rounds {
	struct bench_env *env;
	const struct reap_ops *ops;
	int	nparents, nprocs, nlwps;
	struct rnd_parent *par;
	struct rnd_lwp *lw;		/* [nprocs * nlwps] */
	_Atomic pid_t *pid;		/* [nprocs] */
	_Atomic uint64_t *exit_ts;	/* [nprocs] */
	struct bench_pool *parents, *carriers;
	struct bench_latch entered, prepared, ready, reaped;
	struct bench_bell bell;
	uint32_t gen;			/* bell generation of this round */
	int	*cpus;
	struct bench_hist freed;	/* ! the leader: all freed per round */
};

static void
rnd_enter_job(void *arg)
{
	struct rnd_parent *p = arg;

	p->r->ops->lwp_enter(p->m);
	bench_latch_done(&p->r->entered);
}

static void
rnd_exit_job(void *arg)
{
	struct rnd_parent *p = arg;

	/* The parent's process has only its master left: it exits. */
	p->r->ops->lwp_exit(p->m);
}

static void
rnd_lwp_job(void *arg)
{
	struct rnd_lwp *x = arg;
	struct rounds *r = x->r;
	const struct reap_ops *ops = r->ops;
	struct reap_lwp *l = atomic_load_explicit(&x->l, memory_order_relaxed);
	int k = x->k;
	uint32_t gen = r->gen;

	ops->lwp_enter(l);
	bench_latch_done(&r->ready);
	bench_bell_wait(&r->bell, gen);
	if (x->j == 0) {
		atomic_store_explicit(&r->exit_ts[k], bench_now_ns(),
		    memory_order_release);
		ops->proc_exit(l, 0);
	} else {
		while (!ops->lwp_killed(l))
			sched_yield();
		ops->lwp_exit(l);
	}
}

/* Parent: fork its processes and give every LWP a carrier. */
static void
rnd_prepare_job(void *arg)
{
	struct rnd_parent *p = arg;
	struct rounds *r = p->r;
	const struct reap_ops *ops = r->ops;

	for (int k = p->idx; k < r->nprocs; k += r->nparents) {
		struct reap_lwp *m;
		struct reap_proc *c = ops->proc_create(r->env->sys, p->p, &m);

		if (c == NULL) {
			bench_env_fail(r->env, "%s: proc_create failed",
			    ops->name);
			abort();	/* carriers would wait forever */
		}
		atomic_store_explicit(&r->pid[k], ops->proc_pid(c),
		    memory_order_relaxed);
		atomic_store_explicit(&r->exit_ts[k], 0, memory_order_relaxed);
		atomic_store_explicit(&r->lw[k * r->nlwps].l, m,
		    memory_order_relaxed);
		for (int j = 1; j < r->nlwps; j++) {
			lwpid_t lid;
			struct reap_lwp *l = ops->lwp_create(c, 0, &lid);

			if (l == NULL) {
				bench_env_fail(r->env, "%s: lwp_create "
				    "failed in teardown", ops->name);
				abort();
			}
			atomic_store_explicit(&r->lw[k * r->nlwps + j].l, l,
			    memory_order_relaxed);
		}
		for (int j = 0; j < r->nlwps; j++)
			bench_pool_post(r->carriers, k * r->nlwps + j,
			    rnd_lwp_job, &r->lw[k * r->nlwps + j]);
	}
	bench_latch_done(&r->prepared);
}

/* Parent: collect its children as they die. */
static void
rnd_reap_job(void *arg)
{
	struct rnd_parent *p = arg;
	struct rounds *r = p->r;
	uint64_t t0 = bench_now_ns();

	for (int k = p->idx; k < r->nprocs; k += r->nparents) {
		int status, kk = -1;
		pid_t pid = r->ops->proc_wait(p->m, -1, &status, 0);
		uint64_t now = bench_now_ns();

		if (pid <= 0) {
			bench_env_fail(r->env, "%s: proc_wait returned %d",
			    r->ops->name, (int)pid);
			break;
		}
		for (int q = p->idx; q < r->nprocs; q += r->nparents)
			if (atomic_load_explicit(&r->pid[q],
			    memory_order_relaxed) == pid)
				kk = q;
		if (kk < 0) {
			bench_env_fail(r->env, "%s: proc_wait returned pid %d,"
			    " not a child", r->ops->name, (int)pid);
			break;
		}
		bench_hist_add(&p->hist, now - atomic_load_explicit(
		    &r->exit_ts[kk], memory_order_acquire));
	}
	p->wait_ns += bench_now_ns() - t0;
	bench_latch_done(&r->reaped);
}

/* Untimed: the parents (each carries its own process's master, forked
 * from the shell) and a carrier per LWP of a round. */
static int
rnd_setup(struct bench_env *env, struct rounds *r, int nprocs, int nlwps)
{
	int nc = nprocs * nlwps;

	r->env = env;
	r->ops = env->ops;
	r->nprocs = nprocs;
	r->nlwps = nlwps;
	r->nparents = env->spec->threads < nprocs ? env->spec->threads :
	    nprocs;
	r->par = aligned_alloc(64, sizeof(*r->par) * (size_t)r->nparents);
	r->lw = calloc((size_t)nc, sizeof(*r->lw));
	r->pid = calloc((size_t)nprocs, sizeof(*r->pid));
	r->exit_ts = calloc((size_t)nprocs, sizeof(*r->exit_ts));
	r->cpus = calloc((size_t)(nc > r->nparents ? nc : r->nparents),
	    sizeof(*r->cpus));
	if (r->par == NULL || r->lw == NULL || r->pid == NULL ||
	    r->exit_ts == NULL || r->cpus == NULL) {
		bench_env_fail(env, "out of memory");
		return -1;
	}
	memset(r->par, 0, sizeof(*r->par) * (size_t)r->nparents);
	for (int i = 0; i < r->nparents; i++)
		r->cpus[i] = bench_reap_cpu(env, i);
	if ((r->parents = bench_pool_create(env, r->nparents, r->cpus,
	    "parent")) == NULL)
		return -1;
	/* The LWPs of a process spread over the exit side's CPUs. */
	for (int i = 0; i < nc; i++) {
		r->lw[i].r = r;
		r->lw[i].k = i / nlwps;
		r->lw[i].j = i % nlwps;
		r->cpus[i] = bench_exit_cpu(env, i);
	}
	if ((r->carriers = bench_pool_create(env, nc, r->cpus, "carrier")) ==
	    NULL)
		return -1;
	bench_latch_init(&r->entered, (uint32_t)r->nparents);
	for (int i = 0; i < r->nparents; i++) {
		struct rnd_parent *p = &r->par[i];

		p->r = r;
		p->idx = i;
		if ((p->p = bench_shell_fork(env, &p->m)) == NULL)
			return -1;
		bench_pool_post(r->parents, i, rnd_enter_job, p);
	}
	bench_latch_wait(&r->entered);
	bench_env_collect_systhreads(env);
	return 0;
}

/* All freed: the round's first proc_exit call -> its last free (read
 * untimed, after the quiesce: nothing of the round frees later). */
static void
rnd_freed(struct bench_env *env, struct rounds *r)
{
	struct reap_stats st;
	uint64_t first = UINT64_MAX;

	if (bench_env_failed(env))
		return;
	for (int k = 0; k < r->nprocs; k++) {
		uint64_t t = atomic_load_explicit(&r->exit_ts[k],
		    memory_order_acquire);

		if (t < first)
			first = t;
	}
	r->ops->stats(env->sys, &st);
	if (first == 0 || st.last_free_ns < first) {
		bench_env_fail(env, "%s: no free stamped after the round's "
		    "first proc_exit", r->ops->name);
		return;
	}
	bench_hist_add(&r->freed, st.last_free_ns - first);
}

/* One round: prepared untimed, then the bell, the reaps and the
 * quiesce are timed. */
static void
rnd_round(struct bench_env *env, struct rounds *r)
{
	r->gen = bench_bell_gen(&r->bell);
	bench_latch_init(&r->prepared, (uint32_t)r->nparents);
	bench_latch_init(&r->ready, (uint32_t)(r->nprocs * r->nlwps));
	for (int i = 0; i < r->nparents; i++)
		bench_pool_post(r->parents, i, rnd_prepare_job, &r->par[i]);
	bench_latch_wait(&r->prepared);
	bench_latch_wait(&r->ready);
	bench_env_baseline(env);
	bench_latch_init(&r->reaped, (uint32_t)r->nparents);
	for (int i = 0; i < r->nparents; i++)
		bench_pool_post(r->parents, i, rnd_reap_job, &r->par[i]);
	bench_env_time_begin(env);
	bench_bell_ring(&r->bell);
	bench_env_await(env, &r->reaped);
	(void)bench_env_quiesce(env, r->nprocs, r->nprocs * r->nlwps);
	bench_env_time_end(env);
	rnd_freed(env, r);
}

/* The parents' own processes exit, the shell reaps them; free it all. */
static void
rnd_finish(struct bench_env *env, struct rounds *r)
{
	struct bench_latch reaped;

	bench_latch_init(&reaped, 1);
	bench_shell_reap_async(env, r->nparents, &reaped);
	for (int i = 0; i < r->nparents; i++)
		bench_pool_post(r->parents, i, rnd_exit_job, &r->par[i]);
	bench_latch_wait(&reaped);
	bench_pool_destroy(r->carriers);
	bench_pool_destroy(r->parents);
	free(r->par);
	free(r->lw);
	free((void *)r->pid);
	free((void *)r->exit_ts);
	free(r->cpus);
}

int
bench_rounds(struct bench_env *env, uint64_t rounds, int nprocs, int nlwps,
    struct bench_result *res)
{
	struct rounds r;

	memset(&r, 0, sizeof(r));
	if (rnd_setup(env, &r, nprocs, nlwps) != 0)
		return -1;
	bench_env_counters_start(env);
	for (uint64_t n = 0; n < rounds && !bench_env_failed(env); n++)
		rnd_round(env, &r);
	bench_env_counters_stop(env);
	if (bench_env_failed(env))
		return -1;	/* threads may be wedged: see bench_run */
	{
		double w[r.nparents];

		for (int i = 0; i < r.nparents; i++) {
			w[i] = (double)r.par[i].wait_ns;
			bench_hist_merge(&res->hist, &r.par[i].hist);
		}
		res->fairness_cv = bench_cv(w, r.nparents);
	}
	res->freed = r.freed;
	res->iters = rounds;
	res->lifecycles = rounds * (uint64_t)(nprocs * nlwps);
	rnd_finish(env, &r);
	return bench_env_failed(env) ? -1 : 0;
}

int
bench_teardown(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	/* One process of T LWPs per parent thread, per round. */
	return bench_rounds(env, iters, env->spec->threads, env->spec->lwps, r);
}
