/*
 * lookup.c - the lookup workload: observers find processes by pid while
 * processes churn, as ps, kill and /proc do.
 *
 * One churner thread (reap side) carries the master of a process of its
 * own, forked from the shell, and churns its children: fork one with
 * LOOKUP_LWPS LWPs (the master and LOOKUP_LWPS-1 detached ones, each on a
 * parked carrier), and kill (proc_exit) and reap (proc_wait) the one
 * forked LOOKUP_LIVE cycles earlier; so LOOKUP_LIVE processes live at
 * any time.  The pids and LWP ids of the last 2 * LOOKUP_LIVE processes
 * (live, exiting, zombie or reaped) are in a ring.
 *
 * The lookers (`threads` of them, exit side) take lookups from a common
 * budget: one iteration is one lookup, proc_hold of a random pid of the
 * ring and, if it is found, lwp_hold/lwp_rele of each of its LWPs, then
 * proc_rele.  Throughput is lookups per second; `found_per_lookup` is
 * the share of lookups that found the process, `churn_procs_per_s` the
 * processes the churner forked, killed and reaped per second meanwhile.
 *
 * Latency (lat_p*): one lookup, proc_hold call -> proc_rele return,
 * stamped for 1 lookup in LOOKUP_LAT_SAMPLE of each looker (its first
 * included) into the looker's own histogram, merged after the region.
 * The timed region is the lookups: from their start to the last
 * looker's end, the churn running throughout.  The churn's own teardown
 * (its last LOOKUP_LIVE children, its process) and the quiesce after it
 * are untimed: they are not lookup work, and with them inside a short
 * call would time the teardown, not the lookups.  The counters cover
 * the same part; churn_procs_per_s counts the cycles begun in it.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define LOOKUP_LWPS		BENCH_LOOKUP_LWPS
#define LOOKUP_LIVE		BENCH_LOOKUP_LIVE
#define LOOKUP_RING		(2 * LOOKUP_LIVE)
#define LOOKUP_LAT_SAMPLE	64
#define LOOKUP_CHUNK		64	/* lookups claimed at a time */
#define LOOKUP_HOLD_PAUSES	8

struct lookup;

/* A carrier's job: one LWP of a churned process (two per carrier, used
 * alternately, so a new job never rewrites the one still finishing). */
struct lk_job {
	struct lookup *k;
	struct reap_lwp *l;
	int	j;			/* 0: the master */
	_Atomic uint32_t kill;		/* master: proc_exit now (futex) */
};

struct lk_slot {
	_Atomic pid_t pid;
	_Atomic lwpid_t lid[LOOKUP_LWPS];
};

struct lk_looker {
	struct lookup *k;
	uint64_t done, found;		/* ! the looker */
	uint64_t seed;			/* ! */
	struct bench_hist hist;		/* ! */
} __attribute__((aligned(64)));

struct lookup {
	_Atomic int64_t budget __attribute__((aligned(64)));
	_Atomic int stop __attribute__((aligned(64)));
	struct bench_env *env;
	const struct reap_ops *ops;
	int	nl;
	struct lk_looker *lk;
	struct lk_slot ring[LOOKUP_RING];
	struct lk_job job[2][LOOKUP_LIVE * LOOKUP_LWPS];
	pid_t	live[LOOKUP_LIVE];	/* ! the churner: pid per slot, 0 */
	uint64_t nforked;		/* ! the churner */
	uint64_t churned;		/* region: processes reaped */
	struct reap_proc *p;		/* the churner's own process */
	struct reap_lwp *pm;		/* its master */
	struct bench_pool *lookers, *churner, *carriers;
	struct bench_latch ldone, cdone;
	int	*cpus;
};

static void
lk_lwp_job(void *arg)
{
	struct lk_job *x = arg;
	const struct reap_ops *ops = x->k->ops;
	struct reap_lwp *l = x->l;

	ops->lwp_enter(l);
	if (x->j == 0) {
		while (atomic_load_explicit(&x->kill, memory_order_acquire) == 0)
			bench_futex_wait(&x->kill, 0);
		ops->proc_exit(l, 0);
		return;
	}
	/* Parked in the kernel until the kill interrupts the wait. */
	(void)ops->lwp_wait(l, 0, NULL);
	while (!ops->lwp_killed(l))
		sched_yield();
	ops->lwp_exit(l);
}

/* Kill and reap the process in slot s, if any. */
static void
lk_retire(struct lookup *k, int s, uint64_t gen)
{
	struct lk_job *m = &k->job[gen & 1][s * LOOKUP_LWPS];
	pid_t pid = k->live[s], got;

	if (pid == 0)
		return;
	atomic_store_explicit(&m->kill, 1, memory_order_release);
	bench_futex_wake(&m->kill, 1);
	got = k->ops->proc_wait(k->pm, pid, NULL, 0);
	if (got != pid)
		bench_env_fail(k->env, "%s: lookup: proc_wait(%d) = %d",
		    k->ops->name, (int)pid, (int)got);
	k->live[s] = 0;
}

/* One churn cycle: retire the process of slot n % LIVE, fork its
 * successor there, publish its ids in the ring, start its carriers. */
static void
lk_cycle(struct lookup *k)
{
	const struct reap_ops *ops = k->ops;
	uint64_t n = k->nforked;
	int s = (int)(n % LOOKUP_LIVE);
	struct lk_slot *r = &k->ring[n % LOOKUP_RING];
	struct lk_job *x = &k->job[(n / LOOKUP_LIVE) & 1][s * LOOKUP_LWPS];
	struct reap_proc *c;
	struct reap_lwp *m;

	if (n >= LOOKUP_LIVE)
		lk_retire(k, s, n / LOOKUP_LIVE - 1);
	if ((c = ops->proc_create(k->env->sys, k->p, &m)) == NULL) {
		bench_env_fail(k->env, "%s: lookup: proc_create failed",
		    ops->name);
		abort();		/* the lookers would run on */
	}
	k->live[s] = ops->proc_pid(c);
	for (int j = 0; j < LOOKUP_LWPS; j++) {
		lwpid_t lid = 0;

		x[j].k = k;
		x[j].j = j;
		atomic_store_explicit(&x[j].kill, 0, memory_order_relaxed);
		x[j].l = j == 0 ? m : ops->lwp_create(c, REAP_DETACHED, &lid);
		if (x[j].l == NULL) {
			bench_env_fail(k->env, "%s: lookup: lwp_create "
			    "failed", ops->name);
			abort();
		}
		atomic_store_explicit(&r->lid[j], ops->lwp_id(x[j].l),
		    memory_order_relaxed);
	}
	atomic_store_explicit(&r->pid, k->live[s], memory_order_relaxed);
	for (int j = 0; j < LOOKUP_LWPS; j++)
		bench_pool_post(k->carriers, s * LOOKUP_LWPS + j, lk_lwp_job,
		    &x[j]);
	k->nforked++;
}

/* Untimed: the churner enters its master and forks the first LIVE. */
static void
lk_churn_setup_job(void *arg)
{
	struct lookup *k = arg;

	k->ops->lwp_enter(k->pm);
	for (int i = 0; i < LOOKUP_LIVE; i++)
		lk_cycle(k);
	bench_latch_done(&k->cdone);
}

/* The region: churn until the lookers are done, then reap the last
 * LIVE and exit the churner's process (the shell reaps it). */
static void
lk_churn_job(void *arg)
{
	struct lookup *k = arg;
	uint64_t n0 = k->nforked, n;

	while (!atomic_load_explicit(&k->stop, memory_order_relaxed) &&
	    !bench_env_failed(k->env))
		lk_cycle(k);
	n = k->nforked;
	k->churned = n - n0;
	for (uint64_t i = n; i < n + LOOKUP_LIVE; i++)
		lk_retire(k, (int)(i % LOOKUP_LIVE), i / LOOKUP_LIVE - 1);
	bench_latch_done(&k->cdone);
	k->ops->lwp_exit(k->pm);
}

/* One lookup: a random pid of the ring, and its LWPs if found. */
static bool
lk_lookup(struct lookup *k, struct lk_looker *w)
{
	const struct reap_ops *ops = k->ops;
	struct lk_slot *r;
	struct reap_proc *p;
	struct reap_lwp *l;

	w->seed = w->seed * 6364136223846793005ull + 1442695040888963407ull;
	r = &k->ring[(w->seed >> 33) % LOOKUP_RING];
	p = ops->proc_hold(k->env->sys, atomic_load_explicit(&r->pid,
	    memory_order_relaxed));
	if (p == NULL)
		return false;
	for (int j = 0; j < LOOKUP_LWPS; j++) {
		l = ops->lwp_hold(p, atomic_load_explicit(&r->lid[j],
		    memory_order_relaxed));
		if (l == NULL)
			continue;
		for (int i = 0; i < LOOKUP_HOLD_PAUSES; i++)
			__builtin_ia32_pause();
		ops->lwp_rele(l);
	}
	ops->proc_rele(p);
	return true;
}

static void
lk_looker_job(void *arg)
{
	struct lk_looker *w = arg;
	struct lookup *k = w->k;

	for (;;) {
		int64_t got = atomic_fetch_sub_explicit(&k->budget,
		    LOOKUP_CHUNK, memory_order_relaxed);
		int64_t n = got < LOOKUP_CHUNK ? got : LOOKUP_CHUNK;

		if (n <= 0)
			break;
		for (int64_t i = 0; i < n; i++, w->done++) {
			uint64_t t0 = 0;
			bool stamp = w->done % LOOKUP_LAT_SAMPLE == 0;

			if (stamp)
				t0 = bench_now_ns();
			w->found += lk_lookup(k, w);
			if (stamp)
				bench_hist_add(&w->hist, bench_now_ns() - t0);
		}
	}
	bench_latch_done(&k->ldone);
}

/* Untimed: pools, the churner's process and its first children. */
static int
lk_setup(struct bench_env *env, struct lookup *k)
{
	int nc = LOOKUP_LIVE * LOOKUP_LWPS;

	k->env = env;
	k->ops = env->ops;
	k->nl = env->spec->threads;
	k->lk = aligned_alloc(64, sizeof(*k->lk) * (size_t)k->nl);
	k->cpus = calloc((size_t)(k->nl + nc), sizeof(*k->cpus));
	if (k->lk == NULL || k->cpus == NULL) {
		bench_env_fail(env, "out of memory");
		return -1;
	}
	memset(k->lk, 0, sizeof(*k->lk) * (size_t)k->nl);
	for (int i = 0; i < k->nl; i++) {
		k->lk[i].k = k;
		k->lk[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		bench_hist_reset(&k->lk[i].hist);
		k->cpus[i] = bench_exit_cpu(env, i);
	}
	if ((k->lookers = bench_pool_create(env, k->nl, k->cpus,
	    "looker")) == NULL)
		return -1;
	k->cpus[0] = bench_reap_cpu(env, 0);
	if ((k->churner = bench_pool_create(env, 1, k->cpus,
	    "churner")) == NULL)
		return -1;
	for (int i = 0; i < nc; i++)
		k->cpus[i] = bench_reap_cpu(env, i % k->nl);
	if ((k->carriers = bench_pool_create(env, nc, k->cpus,
	    "carrier")) == NULL)
		return -1;
	if ((k->p = bench_shell_fork(env, &k->pm)) == NULL)
		return -1;
	bench_latch_init(&k->cdone, 1);
	bench_pool_post(k->churner, 0, lk_churn_setup_job, k);
	bench_latch_wait(&k->cdone);
	bench_env_collect_systhreads(env);
	bench_env_baseline(env);
	return 0;
}

static void
lk_region(struct bench_env *env, struct lookup *k, uint64_t iters)
{
	struct bench_latch reaped;

	bench_env_counters_start(env);
	bench_env_time_begin(env);
	atomic_store(&k->budget, (int64_t)iters);
	bench_latch_init(&k->ldone, (uint32_t)k->nl);
	bench_latch_init(&k->cdone, 1);
	bench_pool_post(k->churner, 0, lk_churn_job, k);
	for (int i = 0; i < k->nl; i++)
		bench_pool_post(k->lookers, i, lk_looker_job, &k->lk[i]);
	bench_env_await(env, &k->ldone);
	atomic_store(&k->stop, 1);
	bench_env_time_end(env);
	bench_env_counters_stop(env);
	bench_latch_wait(&k->cdone);
	bench_latch_init(&reaped, 1);
	bench_shell_reap_async(env, 1, &reaped);
	bench_latch_wait(&reaped);
	(void)bench_env_quiesce(env, LOOKUP_LIVE + 1,
	    LOOKUP_LIVE * LOOKUP_LWPS + 1);
}

int
bench_lookup(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	struct lookup *k = aligned_alloc(64, sizeof(*k));
	double done[env->spec->threads];

	if (k == NULL) {
		bench_env_fail(env, "out of memory");
		return -1;
	}
	memset(k, 0, sizeof(*k));
	if (lk_setup(env, k) != 0)
		return -1;
	lk_region(env, k, iters);
	if (bench_env_failed(env))
		return -1;
	for (int i = 0; i < k->nl; i++) {
		done[i] = (double)k->lk[i].done;
		r->lifecycles += k->lk[i].done;
		r->holds += k->lk[i].found;
		bench_hist_merge(&r->hist, &k->lk[i].hist);
	}
	r->churned = k->churned;
	r->fairness_cv = bench_cv(done, k->nl);
	r->iters = iters;
	bench_pool_destroy(k->lookers);
	bench_pool_destroy(k->churner);
	bench_pool_destroy(k->carriers);
	free(k->lk);
	free(k->cpus);
	free(k);
	return 0;
}
