/*
 * bench_native.c - the reference: the same workloads on the OS's own
 * threads and processes.  The only place where threads are created
 * inside a timed region: that is what is being measured.
 *
 *   churn_shared  each worker creates joinable threads that return at
 *                 once, NATIVE_WINDOW in flight, and joins the oldest.  A
 *                 thread counts once pthread_join of it has returned:
 *                 glibc's join waits for the kernel to clear the thread's
 *                 CLONE_CHILD_CLEARTID word, which it does when the
 *                 exiting thread has released its memory (mm_release),
 *                 so the kernel is done with it.  pthread_join rather
 *                 than raw clone + futex wait on the tid word: it is the
 *                 same wait, it is what a program does, and threads made
 *                 by raw clone would be invisible to the sanitizers.
 *                 Latency: the thread's return -> its pthread_join returns.
 *   join          as the design's join: a waiter keeps BENCH_JOIN_WINDOW
 *                 joinable threads (bound to an exit-side CPU) in flight
 *                 and joins the oldest.  Latency: return -> join returns.
 *   teardown/storm  rounds of real processes.  Untimed: each worker (a
 *                 parent thread) forks its processes; each child starts
 *                 T-1 threads (clone) that park in the kernel, tells it
 *                 is ready and waits for the kill.  Timed: the bell rings
 *                 (a futex in shared memory); each child's first thread
 *                 stamps the time and calls _exit (exit_group), and the
 *                 parents' wait4 return: Linux's own exit/reap path.
 *                 Parent wakes: _exit call -> wait4 returns with that pid;
 *                 all freed: the round's first _exit -> its last wait4
 *                 return (once wait4 returns the kernel has released the
 *                 zombie and every thread of it; nothing later shows).
 *
 * Counters follow every thread: the workers' events are opened with
 * inherit (bench_env_bind), so the threads and processes they create are
 * counted into them.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define NATIVE_WINDOW	16
#define NATIVE_STACK	(64 * 1024)	/* a parked thread's stack */
#define NATIVE_CLONE	(CLONE_VM | CLONE_FS | CLONE_FILES | \
	CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
/* TSan wraps clone() as a fork (its runtime resets in the "child"), which
 * a thread sharing its memory must not do: glibc's own name for the same
 * function is not wrapped. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NATIVE_TSAN	1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(NATIVE_TSAN)
int	__clone(int (*)(void *), void *, int, void *, ...);
#define native_clone	__clone
#else
#define native_clone	clone
#endif

struct native;

struct nslot {
	_Atomic uint64_t done_ts;	/* the thread: release */
	pthread_t th;
};

struct nworker {
	struct native *n;
	int	idx;
	uint64_t done;
	struct nslot slot[NATIVE_WINDOW];
	struct bench_hist hist;
	uint64_t wait_ns;
	uint64_t last_ns;		/* rounds: its last wait4 return */
} __attribute__((aligned(64)));

/* Shared with the children (MAP_SHARED): futexes are not private. */
struct native_shm {
	_Atomic uint32_t bell;		/* the kill: generation */
	_Atomic uint32_t ready;		/* children parked this round */
	_Atomic uint64_t exit_ts[];	/* [nprocs] the _exit call */
};

struct native {
	struct bench_env *env;
	int	nw;
	struct nworker *w;
	struct bench_pool *workers;
	_Atomic int64_t budget;
	struct bench_latch wdone, prepared;
	/* rounds */
	int	nprocs, nlwps;
	pid_t	*pid;			/* [nprocs] */
	struct native_shm *shm;
	size_t	shm_len;
	char	*stacks;		/* (nlwps - 1) * NATIVE_STACK */
	uint32_t gen;
	cpu_set_t *exitset;		/* [nexit] */
	bool	*have_exitset;
	struct bench_pool *exitpool;	/* probes of the exit-side CPUs */
	struct bench_hist freed;	/* ! the leader */
	int	*cpus;
};

static void
native_shm_wait(_Atomic uint32_t *w, uint32_t val)
{
	(void)syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, val, NULL, NULL,
	    0);
}

static void
native_shm_wake(_Atomic uint32_t *w)
{
	(void)syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, INT32_MAX, NULL,
	    NULL, 0);
}

/* ---- churn and join: joinable threads, the oldest joined ---------------- */

static void *
native_thread_main(void *arg)
{
	struct nslot *s = arg;

	atomic_store_explicit(&s->done_ts, bench_now_ns(),
	    memory_order_release);
	return NULL;
}

/* Create up to `window` threads (attr), join the oldest, until the budget
 * is spent and every thread is joined. */
static void
native_join_loop(struct nworker *w, unsigned window, pthread_attr_t *attr)
{
	struct native *n = w->n;
	unsigned head = 0, count = 0;
	bool more = true;

	for (;;) {
		while (more && count < window) {
			struct nslot *s = &w->slot[(head + count) % window];

			if (atomic_fetch_sub_explicit(&n->budget, 1,
			    memory_order_relaxed) <= 0) {
				more = false;
				break;
			}
			atomic_store_explicit(&s->done_ts, 0,
			    memory_order_relaxed);
			if (pthread_create(&s->th, attr, native_thread_main,
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
			struct nslot *s = &w->slot[head % window];

			pthread_join(s->th, NULL);
			bench_hist_add(&w->hist, bench_now_ns() -
			    atomic_load_explicit(&s->done_ts,
			    memory_order_acquire));
			head++;
			count--;
			w->done++;
		}
	}
}

static void
native_churn_job(void *arg)
{
	struct nworker *w = arg;

	/* Threads inherit the worker's affinity: its exit-side CPU. */
	native_join_loop(w, NATIVE_WINDOW, NULL);
	bench_latch_done(&w->n->wdone);
}

static void
native_join_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;
	int cpu = bench_exit_cpu(n->env, w->idx);
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	if (n->have_exitset[cpu])
		pthread_attr_setaffinity_np(&attr, sizeof(cpu_set_t),
		    &n->exitset[cpu]);
	native_join_loop(w, BENCH_JOIN_WINDOW, &attr);
	pthread_attr_destroy(&attr);
	bench_latch_done(&n->wdone);
}

/* ---- rounds: real processes --------------------------------------------- */

/*
 * A parked thread of a child: it says it runs, then sleeps in the kernel
 * until exit_group kills it.  Made by raw clone after a fork of a
 * threaded process, it is unknown to the sanitizers and shares its
 * creator's TLS (no CLONE_SETTLS): it must run uninstrumented and touch
 * nothing but its arguments.  (A spurious futex return would write errno
 * into the creator's TLS, which reads none afterwards.)
 */
__attribute__((no_sanitize("address", "thread", "undefined"),
    no_stack_protector))
static int
native_parked_main(void *arg)
{
	_Atomic uint32_t *parked = arg;
	uint32_t never = 0;

	__atomic_fetch_add((uint32_t *)parked, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, (uint32_t *)parked, FUTEX_WAKE_PRIVATE, 1, NULL,
	    NULL, 0);
	for (;;)
		syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL,
		    0);
	return 0;
}

/* The child k: T-1 parked threads on the exit side, ready, the kill,
 * _exit.  Only raw clone and syscalls: it is the fork of a threaded
 * process (and TSan refuses pthread_create there). */
static _Noreturn void
native_child(struct native *n, int k)
{
	_Atomic uint32_t parked = 0;
	uint32_t v;
	int cpu = bench_exit_cpu(n->env, k * n->nlwps);

	if (n->have_exitset[cpu])
		(void)sched_setaffinity(0, sizeof(cpu_set_t),
		    &n->exitset[cpu]);
	for (int j = 1; j < n->nlwps; j++) {
		int tid = native_clone(native_parked_main, n->stacks +
		    (size_t)j * NATIVE_STACK, NATIVE_CLONE, (void *)&parked);

		if (tid < 0) {
			/* Counted ready so the round goes on: wait4 sees
			 * the status and fails the benchmark. */
			atomic_fetch_add_explicit(&n->shm->ready, 1,
			    memory_order_release);
			native_shm_wake(&n->shm->ready);
			_exit(127);
		}
		cpu = bench_exit_cpu(n->env, k * n->nlwps + j);
		if (n->have_exitset[cpu])
			(void)sched_setaffinity(tid, sizeof(cpu_set_t),
			    &n->exitset[cpu]);
	}
	while ((v = atomic_load_explicit(&parked, memory_order_acquire)) <
	    (uint32_t)(n->nlwps - 1))
		(void)syscall(SYS_futex, (uint32_t *)&parked,
		    FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
	atomic_fetch_add_explicit(&n->shm->ready, 1, memory_order_release);
	native_shm_wake(&n->shm->ready);
	while (atomic_load_explicit(&n->shm->bell, memory_order_acquire) ==
	    n->gen)
		native_shm_wait(&n->shm->bell, n->gen);
	atomic_store_explicit(&n->shm->exit_ts[k], bench_now_ns(),
	    memory_order_release);
	_exit(0);
}

/* Untimed: a worker forks its processes. */
static void
native_prepare_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;

	for (int k = w->idx; k < n->nprocs; k += n->nw) {
		pid_t pid;

		atomic_store_explicit(&n->shm->exit_ts[k], 0,
		    memory_order_relaxed);
		if ((pid = fork()) == 0)
			native_child(n, k);
		if (pid < 0) {
			bench_env_fail(n->env, "fork: %s", strerror(errno));
			abort();	/* the round cannot run */
		}
		n->pid[k] = pid;
	}
	bench_latch_done(&n->prepared);
}

/* Timed: a worker reaps its children (its own only: __WNOTHREAD) in the
 * order they die. */
static void
native_reap_job(void *arg)
{
	struct nworker *w = arg;
	struct native *n = w->n;
	uint64_t t0 = bench_now_ns();

	for (int k = w->idx; k < n->nprocs; k += n->nw) {
		int status, kk = -1;
		pid_t pid = wait4(-1, &status, __WNOTHREAD, NULL);
		uint64_t now = bench_now_ns();

		for (int q = w->idx; q < n->nprocs && pid > 0; q += n->nw)
			if (n->pid[q] == pid)
				kk = q;
		if (pid < 0) {
			bench_env_fail(n->env, "wait4: %s", strerror(errno));
			break;
		}
		if (kk < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			bench_env_fail(n->env, "wait4 returned %d (status "
			    "%#x), not a child that exited 0", (int)pid,
			    status);
			break;
		}
		bench_hist_add(&w->hist, now - atomic_load_explicit(
		    &n->shm->exit_ts[kk], memory_order_acquire));
		w->last_ns = now;
	}
	w->wait_ns += bench_now_ns() - t0;
	bench_latch_done(&n->wdone);
}

/* The round's all freed: its first _exit call -> its last wait4. */
static void
native_freed(struct native *n)
{
	uint64_t first = UINT64_MAX, last = 0;

	for (int k = 0; k < n->nprocs; k++) {
		uint64_t t = atomic_load_explicit(&n->shm->exit_ts[k],
		    memory_order_acquire);

		if (t < first)
			first = t;
	}
	for (int i = 0; i < n->nw; i++)
		if (n->w[i].last_ns > last)
			last = n->w[i].last_ns;
	if (first > 0 && last >= first)
		bench_hist_add(&n->freed, last - first);
}

static void
native_round(struct bench_env *env, struct native *n)
{
	uint32_t r;

	n->gen = atomic_load_explicit(&n->shm->bell, memory_order_relaxed);
	atomic_store_explicit(&n->shm->ready, 0, memory_order_relaxed);
	bench_latch_init(&n->prepared, (uint32_t)n->nw);
	for (int i = 0; i < n->nw; i++)
		bench_pool_post(n->workers, i, native_prepare_job, &n->w[i]);
	bench_latch_wait(&n->prepared);
	while (!bench_env_failed(env) && (r = atomic_load_explicit(
	    &n->shm->ready, memory_order_acquire)) < (uint32_t)n->nprocs)
		native_shm_wait(&n->shm->ready, r);
	bench_latch_init(&n->wdone, (uint32_t)n->nw);
	bench_env_time_begin(env);
	for (int i = 0; i < n->nw; i++)
		bench_pool_post(n->workers, i, native_reap_job, &n->w[i]);
	atomic_fetch_add_explicit(&n->shm->bell, 1, memory_order_release);
	native_shm_wake(&n->shm->bell);
	bench_env_await(env, &n->wdone);
	bench_env_time_end(env);
	native_freed(n);
}

/* The shared page, the children's stacks (copied by each fork). */
static int
native_rounds_alloc(struct native *n)
{
	size_t stacks = (size_t)n->nlwps * NATIVE_STACK;

	n->shm_len = sizeof(*n->shm) + sizeof(uint64_t) * (size_t)n->nprocs;
	n->shm = mmap(NULL, n->shm_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	n->stacks = mmap(NULL, stacks, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_STACK, -1, 0);
	n->pid = calloc((size_t)n->nprocs, sizeof(*n->pid));
	if (n->shm == MAP_FAILED || n->stacks == MAP_FAILED ||
	    n->pid == NULL) {
		bench_env_fail(n->env, "native: out of memory");
		return -1;
	}
	memset(n->shm, 0, n->shm_len);
	return 0;
}

static void
native_rounds_free(struct native *n)
{
	if (n->shm != NULL && n->shm != MAP_FAILED)
		munmap(n->shm, n->shm_len);
	if (n->stacks != NULL && n->stacks != MAP_FAILED)
		munmap(n->stacks, (size_t)n->nlwps * NATIVE_STACK);
	free(n->pid);
}

/* ---- setup -------------------------------------------------------------- */

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
		    BENCH_STORM_LWPS : spec->lwps > 0 ? spec->lwps : 1;
		if (n->nw > n->nprocs)
			n->nw = n->nprocs;
		if (native_rounds_alloc(n) != 0)
			return -1;
	}
	n->w = aligned_alloc(64, sizeof(*n->w) * (size_t)n->nw);
	n->cpus = calloc((size_t)(n->nw + nexitcpus), sizeof(*n->cpus));
	n->exitset = calloc((size_t)nexitcpus, sizeof(*n->exitset));
	n->have_exitset = calloc((size_t)nexitcpus, sizeof(bool));
	if (n->w == NULL || n->cpus == NULL || n->exitset == NULL ||
	    n->have_exitset == NULL)
		return -1;
	memset(n->w, 0, sizeof(*n->w) * (size_t)n->nw);
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
	for (int i = 0; i < nexitcpus; i++)
		n->have_exitset[i] = bench_pool_cpuset(env, i,
		    &n->exitset[i]);
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

int
bench_native(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	bool rounds = bench_workloads[env->spec->wl].rounds;
	struct native *n = calloc(1, sizeof(*n));

	if (n == NULL || native_setup(env, n, rounds) != 0)
		return -1;
	bench_env_counters_start(env);
	if (!rounds)
		native_region(env, n, iters);
	else
		for (uint64_t k = 0; k < iters && !bench_env_failed(env); k++)
			native_round(env, n);
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
	if (rounds) {
		r->lifecycles = iters * (uint64_t)(n->nprocs * n->nlwps);
		r->freed = n->freed;
		native_rounds_free(n);
	}
	bench_pool_destroy(n->exitpool);
	bench_pool_destroy(n->workers);
	free(n->w);
	free(n->cpus);
	free(n->exitset);
	free(n->have_exitset);
	free(n);
	return bench_env_failed(env) ? -1 : 0;
}
