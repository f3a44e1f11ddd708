/*
 * bench_carriers.c - pools of parked, bound threads, and the little
 * futex-based synchronisation the harness needs.
 *
 * A pool thread is created outside any timed region, binds itself to its
 * model CPU's PU, records where it landed, and then runs the jobs posted
 * to its ring, one after the other.  A thread with nothing to do spins
 * briefly and then sleeps on an eventcount (seq + waiting flag), so a post
 * costs a futex wake only when the thread really sleeps.
 *
 * The ring is single-producer, single-consumer: a job is written, then
 * the tail is published with a release store; the consumer reads the tail
 * with acquire, runs the job and frees the slot with a release store of
 * the head.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---- futex, latch, bell ------------------------------------------------ */

void
bench_futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
	/* EAGAIN (value changed) and EINTR both just return: callers loop. */
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL,
	    NULL, 0);
}

int
bench_futex_wait_ns(_Atomic uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000u),
	    (long)(timeout_ns % 1000000000u) };

	if (syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, &ts,
	    NULL, 0) == 0)
		return 0;
	return errno;
}

void
bench_futex_wake(_Atomic uint32_t *addr, int n)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL,
	    NULL, 0);
}

void
bench_latch_init(struct bench_latch *l, uint32_t n)
{
	atomic_init(&l->count, n);
}

void
bench_latch_add(struct bench_latch *l, uint32_t n)
{
	atomic_fetch_add_explicit(&l->count, n, memory_order_relaxed);
}

void
bench_latch_done(struct bench_latch *l)
{
	/* Release: what the finisher did is visible to the waiter. */
	if (atomic_fetch_sub_explicit(&l->count, 1, memory_order_acq_rel) == 1)
		bench_futex_wake(&l->count, INT_MAX);
}

void
bench_latch_wait(struct bench_latch *l)
{
	uint32_t v;

	while ((v = atomic_load_explicit(&l->count, memory_order_acquire)) != 0)
		bench_futex_wait(&l->count, v);
}

uint32_t
bench_bell_gen(struct bench_bell *b)
{
	return atomic_load_explicit(&b->gen, memory_order_acquire);
}

void
bench_bell_ring(struct bench_bell *b)
{
	atomic_fetch_add_explicit(&b->gen, 1, memory_order_release);
	bench_futex_wake(&b->gen, INT_MAX);
}

void
bench_bell_wait(struct bench_bell *b, uint32_t seen)
{
	uint32_t v;

	while ((v = atomic_load_explicit(&b->gen, memory_order_acquire)) ==
	    seen)
		bench_futex_wait(&b->gen, v);
}

/* ---- time ---------------------------------------------------------------- */

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_proc_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * CPU time of any thread of this process by tid: Linux encodes a
 * per-thread CPU clock as ((~tid) << 3) | CPUCLOCK_PERTHREAD | SCHED,
 * the same clock pthread_getcpuclockid() returns (nanosecond resolution,
 * unlike /proc/self/task/<tid>/stat's ticks).
 */
uint64_t
bench_thread_cpu_ns(pid_t tid)
{
	struct timespec ts;
	clockid_t cid = (clockid_t)(((unsigned)~tid << 3) | 4u | 2u);

	if (clock_gettime(cid, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

pid_t
bench_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- pools ------------------------------------------------------------- */

#define BENCH_RING	64	/* jobs queued per thread (power of two) */
#define BENCH_SPIN	200	/* polls before sleeping */

struct bench_job {
	bench_job_fn fn;
	void	*arg;
};

struct bench_carrier {
	struct bench_pool *pool;
	struct bench_env *env;
	pthread_t th;
	int	idx;
	int	cpu;
	/* Producer side. */
	_Atomic uint32_t tail __attribute__((aligned(64)));
	/* Consumer side. */
	_Atomic uint32_t head __attribute__((aligned(64)));
	_Atomic uint32_t seq;		/* bumped by every post */
	_Atomic uint32_t waiting;	/* the thread is (about to be) asleep */
	bool	stop;			/* ! only the thread itself */
	struct bench_job ring[BENCH_RING];
} __attribute__((aligned(64)));

struct bench_pool {
	struct bench_env *env;
	const char *role;
	int	n;
	struct bench_latch ready;
	struct bench_carrier *c;	/* [n] */
};

static void
bench_cpuset_note(struct bench_env *env, int cpu)
{
	cpu_set_t m;

	if (cpu < 0 || cpu >= env->ncpus || env->cpusets == NULL ||
	    sched_getaffinity(0, sizeof(m), &m) != 0)
		return;
	pthread_mutex_lock(&env->lock);
	env->cpusets[cpu] = m;
	env->cpuset_known[cpu] = true;
	pthread_mutex_unlock(&env->lock);
}

bool
bench_pool_cpuset(struct bench_env *env, int cpu, cpu_set_t *out)
{
	bool ok = false;

	if (cpu < 0 || cpu >= env->ncpus || env->cpusets == NULL)
		return false;
	pthread_mutex_lock(&env->lock);
	if (env->cpuset_known[cpu]) {
		*out = env->cpusets[cpu];
		ok = true;
	}
	pthread_mutex_unlock(&env->lock);
	return ok;
}

static void
bench_stop_job(void *arg)
{
	struct bench_carrier *c = arg;

	c->stop = true;
}

static void *
bench_carrier_main(void *arg)
{
	struct bench_carrier *c = arg;
	int error;

	error = bench_env_bind(c->env, c->cpu, c->pool->role);
	if (error == 0)
		bench_cpuset_note(c->env, c->cpu);
	reap_cpu_set(c->cpu);
	bench_latch_done(&c->pool->ready);
	while (!c->stop) {
		uint32_t h = atomic_load_explicit(&c->head,
		    memory_order_relaxed);
		uint32_t s;

		for (int spin = 0; spin < BENCH_SPIN; spin++) {
			if (atomic_load_explicit(&c->tail,
			    memory_order_acquire) != h)
				goto run;
			__builtin_ia32_pause();
		}
		/* Dekker with bench_pool_post: waiting before seq, seq
		 * before the last look at the ring (all seq_cst). */
		atomic_store(&c->waiting, 1);
		s = atomic_load(&c->seq);
		if (atomic_load_explicit(&c->tail, memory_order_acquire) == h)
			bench_futex_wait(&c->seq, s);
		atomic_store(&c->waiting, 0);
		continue;
run:
		{
			struct bench_job j = c->ring[h % BENCH_RING];

			atomic_store_explicit(&c->head, h + 1,
			    memory_order_release);
			j.fn(j.arg);
		}
	}
	return NULL;
}

struct bench_pool *
bench_pool_create(struct bench_env *env, int n, const int *cpus,
    const char *role)
{
	struct bench_pool *p = calloc(1, sizeof(*p));
	pthread_attr_t attr;
	int started = 0;

	if (p == NULL || (p->c = aligned_alloc(64,
	    sizeof(*p->c) * (size_t)(n > 0 ? n : 1))) == NULL) {
		free(p);
		bench_env_fail(env, "out of memory for %d %s threads", n, role);
		return NULL;
	}
	memset(p->c, 0, sizeof(*p->c) * (size_t)n);
	p->env = env;
	p->role = role;
	p->n = n;
	bench_latch_init(&p->ready, (uint32_t)n);
	pthread_attr_init(&attr);
	/* Small stacks: a teardown of 256 LWPs has 256 carriers. */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < n; i++) {
		struct bench_carrier *c = &p->c[i];

		c->pool = p;
		c->env = env;
		c->idx = i;
		c->cpu = cpus[i];
		if (pthread_create(&c->th, &attr, bench_carrier_main, c) != 0) {
			bench_env_fail(env, "cannot create %s thread %d: %s",
			    role, i, strerror(errno));
			break;
		}
		started++;
	}
	pthread_attr_destroy(&attr);
	if (started < n) {
		/* The unstarted ones never count down. */
		for (int i = started; i < n; i++)
			bench_latch_done(&p->ready);
		bench_latch_wait(&p->ready);
		p->n = started;
		bench_pool_destroy(p);
		return NULL;
	}
	bench_latch_wait(&p->ready);
	return p;
}

int
bench_pool_size(const struct bench_pool *p)
{
	return p->n;
}

int
bench_pool_cpu(const struct bench_pool *p, int i)
{
	return p->c[i].cpu;
}

void
bench_pool_post(struct bench_pool *p, int i, bench_job_fn fn, void *arg)
{
	struct bench_carrier *c = &p->c[i];
	uint32_t t = atomic_load_explicit(&c->tail, memory_order_relaxed);

	while (t - atomic_load_explicit(&c->head, memory_order_acquire) >=
	    BENCH_RING)
		sched_yield();
	c->ring[t % BENCH_RING].fn = fn;
	c->ring[t % BENCH_RING].arg = arg;
	atomic_store_explicit(&c->tail, t + 1, memory_order_release);
	atomic_fetch_add(&c->seq, 1);
	if (atomic_load(&c->waiting))
		bench_futex_wake(&c->seq, 1);
}

void
bench_pool_destroy(struct bench_pool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++)
		bench_pool_post(p, i, bench_stop_job, &p->c[i]);
	for (int i = 0; i < p->n; i++)
		pthread_join(p->c[i].th, NULL);
	free(p->c);
	free(p);
}
