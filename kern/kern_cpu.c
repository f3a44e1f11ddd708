/*
 * kern_cpu.c - model CPUs, the machine, per-CPU memory and the machine's
 * own threads (its books are kern_books.c's).
 */
#include "kern.h"
#include "kern_impl.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__thread int kern_curcpu = -1;
__thread struct kern_machine *kern_curmach;

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

/*
 * Print the message with the calling thread's CPU, tid and injection seed
 * (to replay the run), then abort.  Callable anywhere; never returns.
 */
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

/* Set the calling thread's model CPU (curcpu; -1: none).  Thread-local. */
void
reap_cpu_set(int cpu)
{
	kern_curcpu = cpu;
}

/* The calling thread's model CPU, -1 if unset.  Thread-local. */
int
reap_cpu_get(void)
{
	return kern_curcpu;
}

/*
 * Create a machine of cfg->ncpus model CPUs from a copy of cfg (hz 100
 * and a tick of 1/hz s unless cfg sets them), with zeroed counters on each
 * CPU's node.  Does not attach the caller.  Never returns NULL: running out
 * of memory panics.
 */
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
	kern_books_init(m);
	return m;
}

/*
 * Free m.  Every thread it created must have been joined (KASSERT).  Only
 * the caller is detached from m: another thread still attached to it must
 * attach elsewhere before it counts again.
 */
void
kern_machine_destroy(struct kern_machine *m)
{
	pthread_mutex_lock(&m->m_threads_lock);
	KASSERT(m->m_threads == NULL, "machine threads still running");
	pthread_mutex_unlock(&m->m_threads_lock);
	kern_books_fini(m);
	pthread_mutex_destroy(&m->m_threads_lock);
	if (kern_curmach == m)
		kern_attach(NULL);
	free(m);
}

/* The number of model CPUs of m.  Stable; read without a lock. */
int
kern_ncpus(const struct kern_machine *m)
{
	return m->m_cfg.ncpus;
}

/* Ticks per second of m's clock.  Stable; read without a lock. */
unsigned
kern_hz(const struct kern_machine *m)
{
	return m->m_cfg.hz;
}

/*
 * m's copy of its config, hz and tick_ns filled in; valid until
 * kern_machine_destroy.
 */
const struct reap_config *
kern_config(const struct kern_machine *m)
{
	return &m->m_cfg;
}

/* The calling thread's machine, NULL if not attached.  Thread-local. */
struct kern_machine *
kern_curmachine(void)
{
	return kern_curmach;
}

/*
 * Wall ns of `ticks` ticks of the calling thread's machine (its config's
 * tick_ns each; 10 ms when not attached).
 */
uint64_t
kern_ticks_to_ns(int ticks)
{
	uint64_t tick_ns = kern_curmach != NULL ?
	    kern_curmach->m_cfg.tick_ns : 1000000000u / 100;

	return (uint64_t)ticks * tick_ns;
}

/*
 * `size` bytes, rounded up to whole cache lines and zeroed, on cpu's NUMA
 * node through the config's cpu_alloc (cache-line-aligned malloc without
 * one).  Never returns NULL: failure panics.  Free with kern_percpu_free
 * and the same cpu and size.
 */
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

/*
 * Free p, from kern_percpu_alloc(m, cpu, size) with the same cpu and size.
 */
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

/*
 * Start a thread of m that runs fn(arg) bound to model CPU cpu (the
 * config's bind; failure panics), attached to m with curcpu set.  Returns
 * once it runs and kern_machine_threads lists it.  May sleep.  Join it
 * with kern_thread_join before kern_machine_destroy.
 */
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

/*
 * Wait until t's function returns, then forget and free t.  Once per
 * thread, never from t itself.  May sleep.
 */
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

/*
 * Store the tids of up to max of m's threads (created, not yet joined) in
 * tids; returns how many there are, which may exceed max.  Takes m's
 * thread-list mutex briefly.
 */
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
