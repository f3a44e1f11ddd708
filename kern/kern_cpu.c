/*
 * kern_cpu.c - model CPUs, the machine, per-CPU memory, event counters and
 * the machine's own threads.
 */
#include "kern.h"
#include "kern_impl.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread int kern_curcpu = -1;
static __thread struct kern_machine *kern_curmach;

/*
 * Per-CPU books: cache lines of their own per CPU, on its node, never
 * shared.  Several threads may act on one CPU (a worker and its CPU's
 * taskqueue), hence the atomics; they stay on this CPU's lines.
 */
struct kern_pcpu {
	_Atomic uint64_t pc_ctr[KC_NCOUNTERS];	/* relaxed; summed on read */
	_Atomic int64_t pc_zpeak;	/* max of exits - frees on this CPU */
	_Atomic int64_t pc_zlow;	/* min of it: < 0 when this CPU frees
					   LWPs that exited elsewhere */
} __cacheline_aligned;

struct kern_thread {
	pthread_t kt_pthread;
	struct kern_machine *kt_mach;
	int	kt_cpu;
	const char *kt_name;
	void	*(*kt_fn)(void *);
	void	*kt_arg;
	_Atomic uint32_t kt_started;		/* futex: tid is published */
	pid_t	kt_tid;
	struct kern_thread *kt_next;		/* m_threads_lock */
};

struct kern_machine {
	struct reap_config m_cfg;		/* (: stable */
	struct kern_pcpu **m_pcpu;		/* (: per-CPU counters */
	/* The sampled zombie peak: written by stats readers only. */
	_Atomic int64_t m_zpeak_sampled __cacheline_aligned;
	pthread_mutex_t m_threads_lock __cacheline_aligned;
	struct kern_thread *m_threads;		/* m_threads_lock */
	int	m_nthreads;			/* m_threads_lock */
};

void
kern_panic(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kern_panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (cpu %d, tid %d, inject seed %llu)\n", kern_curcpu,
	    (int)gettid(), (unsigned long long)kern_inject_seed());
	fflush(stderr);
	abort();
}

void
reap_cpu_set(int cpu)
{
	kern_curcpu = cpu;
}

int
reap_cpu_get(void)
{
	return kern_curcpu;
}

struct kern_machine *
kern_machine_create(const struct reap_config *cfg)
{
	struct kern_machine *m;

	KASSERT(cfg != NULL && cfg->ncpus >= 1, "ncpus >= 1");
	KASSERT((cfg->cpu_alloc == NULL) == (cfg->cpu_free == NULL),
	    "cpu_alloc and cpu_free go together");
	m = aligned_alloc(KERN_CACHELINE, sizeof(*m));
	KASSERT(m != NULL, "out of memory");
	memset(m, 0, sizeof(*m));
	m->m_cfg = *cfg;
	if (m->m_cfg.hz == 0)
		m->m_cfg.hz = 100;
	if (m->m_cfg.tick_ns == 0)
		m->m_cfg.tick_ns = 1000000000u / m->m_cfg.hz;
	pthread_mutex_init(&m->m_threads_lock, NULL);
	m->m_pcpu = calloc((size_t)cfg->ncpus, sizeof(*m->m_pcpu));
	KASSERT(m->m_pcpu != NULL, "out of memory");
	for (int c = 0; c < cfg->ncpus; c++)
		m->m_pcpu[c] = kern_percpu_alloc(m, c, sizeof(struct kern_pcpu));
	return m;
}

void
kern_machine_destroy(struct kern_machine *m)
{
	pthread_mutex_lock(&m->m_threads_lock);
	KASSERT(m->m_threads == NULL, "machine threads still running");
	pthread_mutex_unlock(&m->m_threads_lock);
	for (int c = 0; c < m->m_cfg.ncpus; c++)
		kern_percpu_free(m, c, m->m_pcpu[c], sizeof(struct kern_pcpu));
	free(m->m_pcpu);
	pthread_mutex_destroy(&m->m_threads_lock);
	if (kern_curmach == m)
		kern_curmach = NULL;
	free(m);
}

int
kern_ncpus(const struct kern_machine *m)
{
	return m->m_cfg.ncpus;
}

unsigned
kern_hz(const struct kern_machine *m)
{
	return m->m_cfg.hz;
}

uint64_t
kern_machine_work_ns(const struct kern_machine *m)
{
	return m->m_cfg.work_ns;
}

const struct reap_config *
kern_config(const struct kern_machine *m)
{
	return &m->m_cfg;
}

void
kern_attach(struct kern_machine *m)
{
	kern_curmach = m;
}

struct kern_machine *
kern_curmachine(void)
{
	return kern_curmach;
}

uint64_t
kern_ticks_to_ns(int ticks)
{
	uint64_t tick_ns = kern_curmach != NULL ?
	    kern_curmach->m_cfg.tick_ns : 1000000000u / 100;

	return (uint64_t)ticks * tick_ns;
}

static inline struct kern_pcpu *
kern_pcpu_cur(struct kern_machine *m)
{
	return m->m_pcpu[(unsigned)mycpuid() % (unsigned)m->m_cfg.ncpus];
}

/* Relaxed max/min of a per-CPU word: a CAS only when it moves. */
static inline int64_t
kern_fold_max(_Atomic int64_t *w, int64_t v)
{
	int64_t cur = atomic_load_explicit(w, memory_order_relaxed);

	while (v > cur && !atomic_compare_exchange_weak_explicit(w, &cur, v,
	    memory_order_relaxed, memory_order_relaxed))
		;
	return v > cur ? v : cur;
}

static inline void
kern_fold_min(_Atomic int64_t *w, int64_t v)
{
	int64_t cur = atomic_load_explicit(w, memory_order_relaxed);

	while (v < cur && !atomic_compare_exchange_weak_explicit(w, &cur, v,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

/* Live LWPs or processes, each free read after the free's own RMW. */
static int64_t
kern_live_sc(struct kern_machine *m, enum kern_counter created,
    enum kern_counter freed)
{
	int64_t live = 0;

	for (int c = 0; c < m->m_cfg.ncpus; c++)
		live += (int64_t)(atomic_load_explicit(
		    &m->m_pcpu[c]->pc_ctr[created], memory_order_seq_cst) -
		    atomic_load_explicit(&m->m_pcpu[c]->pc_ctr[freed],
		    memory_order_seq_cst));
	return live;
}

/*
 * After a free: wake a registered quiesce waiter whose targets are met.
 * The free's counter RMW is seq_cst and so are the loads here, against
 * the waiter's seq_cst register-then-look (reap.h): the free that brings
 * the counts down sees every other free or the waiter sees the counts.
 * The wake is the harness's, not a design event: not counted.
 */
static void
kern_free_poke(struct kern_machine *m)
{
	struct reap_quiesce_wait *q = m->m_cfg.quiesce_wait;
	uint32_t w;

	if (q == NULL || ((w = atomic_load_explicit(&q->rq_word,
	    memory_order_seq_cst)) & 1u) == 0)
		return;
	if (kern_live_sc(m, KC_LWP_CREATE, KC_LWP_FREE) > atomic_load_explicit(
	    &q->rq_lwps, memory_order_relaxed) || kern_live_sc(m,
	    KC_PROC_CREATE, KC_PROC_FREE) > atomic_load_explicit(&q->rq_procs,
	    memory_order_relaxed))
		return;
	while ((w & 1u) != 0) {
		if (atomic_compare_exchange_weak_explicit(&q->rq_word, &w,
		    (w + 2) & ~1u, memory_order_acq_rel, memory_order_relaxed)) {
			syscall(SYS_futex, &q->rq_word, FUTEX_WAKE_PRIVATE,
			    INT_MAX, NULL, NULL, 0);
			break;
		}
	}
}

void
kern_count_n(enum kern_counter c, uint64_t n)
{
	struct kern_machine *m = kern_curmach;

#ifdef KERN_NO_ACCOUNTING
	if (c > KC_LWP_FREE)
		return;
#endif
	if (m == NULL)
		return;
	if (c != KC_LWP_FREE && c != KC_PROC_FREE) {
		atomic_fetch_add_explicit(&kern_pcpu_cur(m)->pc_ctr[c], n,
		    memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&kern_pcpu_cur(m)->pc_ctr[c], n,
	    memory_order_seq_cst);
	kern_free_poke(m);
}

void
kern_count(enum kern_counter c)
{
	kern_count_n(c, 1);
}

uint64_t
kern_counter_read(struct kern_machine *m, enum kern_counter c)
{
	uint64_t sum = 0;

	for (int cpu = 0; cpu < m->m_cfg.ncpus; cpu++)
		sum += atomic_load_explicit(&m->m_pcpu[cpu]->pc_ctr[c],
		    memory_order_relaxed);
	return sum;
}

void
kern_lwp_exit_stamp(struct kern_machine *m, struct kern_lwp_stamp *s)
{
#ifndef KERN_NO_ACCOUNTING
	struct kern_pcpu *pc = kern_pcpu_cur(m);
	uint64_t n = atomic_fetch_add_explicit(&pc->pc_ctr[KC_LWP_EXIT], 1,
	    memory_order_relaxed) + 1;

	kern_fold_max(&pc->pc_zpeak, (int64_t)(n - atomic_load_explicit(
	    &pc->pc_ctr[KC_LWP_FREE], memory_order_relaxed)));
	/* The first exit on a CPU is sampled too: short runs get one. */
	if (n % REAP_LAT_SAMPLE == 1 && m->m_cfg.lat_record != NULL)
		atomic_store_explicit(&s->ls_exit_ns, kern_now_ns(),
		    memory_order_relaxed);
#else
	(void)m;
	(void)s;
#endif
}

void
kern_lwp_free_stamp(struct kern_machine *m, struct kern_lwp_stamp *s)
{
#ifndef KERN_NO_ACCOUNTING
	uint64_t t = atomic_load_explicit(&s->ls_exit_ns, memory_order_relaxed);

	if (t == 0)
		return;
	atomic_store_explicit(&s->ls_exit_ns, 0, memory_order_relaxed);
	if (m->m_cfg.lat_record != NULL)
		m->m_cfg.lat_record(mycpuid(), kern_now_ns() - t, m->m_cfg.ctx);
#else
	(void)m;
	(void)s;
#endif
}

void
kern_lwps_freed(struct kern_machine *m, unsigned n)
{
	struct kern_pcpu *pc = kern_pcpu_cur(m);
	uint64_t f = atomic_fetch_add_explicit(&pc->pc_ctr[KC_LWP_FREE], n,
	    memory_order_seq_cst) + n;

#ifndef KERN_NO_ACCOUNTING
	kern_fold_min(&pc->pc_zlow, (int64_t)(atomic_load_explicit(
	    &pc->pc_ctr[KC_LWP_EXIT], memory_order_relaxed) - f));
#else
	(void)f;
#endif
	kern_free_poke(m);
}

/*
 * Zombies: exits are summed before frees, so the sum never exceeds what
 * was true at some instant of the read (a lower bound, as the peak).
 */
static void
kern_zombies_fill(struct kern_machine *m, struct reap_stats *st)
{
	int64_t exits = (int64_t)kern_counter_read(m, KC_LWP_EXIT);
	int64_t now = exits - (int64_t)kern_counter_read(m, KC_LWP_FREE);
	int64_t lows = 0, peak;

	if (now < 0)
		now = 0;
	peak = now;
	for (int c = 0; c < m->m_cfg.ncpus; c++)
		lows += atomic_load_explicit(&m->m_pcpu[c]->pc_zlow,
		    memory_order_relaxed);
	for (int c = 0; c < m->m_cfg.ncpus; c++) {
		struct kern_pcpu *pc = m->m_pcpu[c];
		int64_t lb = atomic_load_explicit(&pc->pc_zpeak,
		    memory_order_relaxed) + lows - atomic_load_explicit(
		    &pc->pc_zlow, memory_order_relaxed);

		if (lb > peak)
			peak = lb;
	}
	/* Every bound found so far stays one: keep the largest. */
	st->zombies_now = (uint64_t)now;
	st->zombies_peak = (uint64_t)kern_fold_max(&m->m_zpeak_sampled, peak);
}

void
kern_stats_fill(struct kern_machine *m, struct reap_stats *st)
{
	st->procs_created = kern_counter_read(m, KC_PROC_CREATE);
	st->procs_freed = kern_counter_read(m, KC_PROC_FREE);
	st->lwps_created = kern_counter_read(m, KC_LWP_CREATE);
	st->lwps_freed = kern_counter_read(m, KC_LWP_FREE);
	st->lwp_allocs = kern_counter_read(m, KC_LWP_ALLOC);
	st->lwp_recycled = kern_counter_read(m, KC_LWP_RECYCLE);
	kern_zombies_fill(m, st);
	st->reaper_wakeups = kern_counter_read(m, KC_REAPER_WAKEUP);
	st->sleeps = kern_counter_read(m, KC_SLEEP);
	st->tick_sleeps = kern_counter_read(m, KC_TICK_TIMEOUT);
	st->wakeups = kern_counter_read(m, KC_WAKEUP);
	st->futex_wakes = kern_counter_read(m, KC_FUTEX_WAKE);
	st->spins = kern_counter_read(m, KC_SPIN);
}

void *
kern_percpu_alloc(struct kern_machine *m, int cpu, size_t size)
{
	void *p;

	KASSERT(cpu >= 0 && cpu < m->m_cfg.ncpus, "cpu in range");
	size = (size + KERN_CACHELINE - 1) & ~(size_t)(KERN_CACHELINE - 1);
	if (m->m_cfg.cpu_alloc != NULL)
		p = m->m_cfg.cpu_alloc(cpu, size, m->m_cfg.ctx);
	else
		p = aligned_alloc(KERN_CACHELINE, size);
	KASSERT(p != NULL, "per-CPU allocation failed");
	memset(p, 0, size);
	return p;
}

void
kern_percpu_free(struct kern_machine *m, int cpu, void *p, size_t size)
{
	size = (size + KERN_CACHELINE - 1) & ~(size_t)(KERN_CACHELINE - 1);
	if (m->m_cfg.cpu_free != NULL)
		m->m_cfg.cpu_free(p, size, m->m_cfg.ctx);
	else
		free(p);
	(void)cpu;
}

static void *
kern_thread_start(void *arg)
{
	struct kern_thread *t = arg;
	const struct reap_config *cfg = &t->kt_mach->m_cfg;
	int error;

	kern_attach(t->kt_mach);
	kern_curcpu = t->kt_cpu;
	if (cfg->bind != NULL && (error = cfg->bind(t->kt_cpu, cfg->ctx)) != 0)
		kern_panic("cannot bind thread %s to cpu %d: %s", t->kt_name,
		    t->kt_cpu, strerror(error));
	t->kt_tid = gettid();
	atomic_store_explicit(&t->kt_started, 1, memory_order_release);
	kern_futex_wake(&t->kt_started, 1);
	return t->kt_fn(t->kt_arg);
}

struct kern_thread *
kern_thread_create(struct kern_machine *m, int cpu, const char *name,
    void *(*fn)(void *), void *arg)
{
	struct kern_thread *t = calloc(1, sizeof(*t));
	int error;

	KASSERT(t != NULL, "out of memory");
	KASSERT(cpu >= 0 && cpu < m->m_cfg.ncpus, "cpu in range");
	t->kt_mach = m;
	t->kt_cpu = cpu;
	t->kt_name = name;
	t->kt_fn = fn;
	t->kt_arg = arg;
	if ((error = pthread_create(&t->kt_pthread, NULL, kern_thread_start,
	    t)) != 0)
		kern_panic("pthread_create %s: %s", name, strerror(error));
	while (atomic_load_explicit(&t->kt_started, memory_order_acquire) == 0)
		kern_futex_wait(&t->kt_started, 0, 0);
	pthread_mutex_lock(&m->m_threads_lock);
	t->kt_next = m->m_threads;
	m->m_threads = t;
	m->m_nthreads++;
	pthread_mutex_unlock(&m->m_threads_lock);
	return t;
}

void
kern_thread_join(struct kern_thread *t)
{
	struct kern_machine *m = t->kt_mach;
	struct kern_thread **pp;

	pthread_join(t->kt_pthread, NULL);
	pthread_mutex_lock(&m->m_threads_lock);
	for (pp = &m->m_threads; *pp != t; pp = &(*pp)->kt_next)
		KASSERT(*pp != NULL, "thread not on its machine");
	*pp = t->kt_next;
	m->m_nthreads--;
	pthread_mutex_unlock(&m->m_threads_lock);
	free(t);
}

int
kern_machine_threads(struct kern_machine *m, pid_t *tids, int max)
{
	int n = 0;

	pthread_mutex_lock(&m->m_threads_lock);
	for (struct kern_thread *t = m->m_threads; t != NULL; t = t->kt_next) {
		if (n < max)
			tids[n] = t->kt_tid;
		n++;
	}
	pthread_mutex_unlock(&m->m_threads_lock);
	return n;
}
