/*
 * kern_books.c - the model kernel's books: event counters, the LWP
 * lifecycle's zombie and latency books, and the quiesce waiter's wake
 * (kern.h, "the books"; reap.h, struct reap_quiesce_wait).
 *
 * A block per thread and machine, found through a thread-local cache;
 * blocks live until the machine is destroyed, so readers walk the list
 * without a lock while writers go on.
 */
#include "kern.h"
#include "kern_impl.h"

#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct kern_books *kern_tls_books;
__thread uint64_t kern_tls_books_epoch;
_Atomic uint64_t kern_books_epoch = 1;
#ifdef __SANITIZE_THREAD__
__thread _Atomic int kern_fence_word;
#endif

void
kern_books_init(struct kern_machine *m)
{
	m->m_hot.mh_qwait = m->m_cfg.quiesce_wait;
	m->m_hot.mh_lat_record = m->m_cfg.lat_record;
	m->m_hot.mh_ctx = m->m_cfg.ctx;
	m->m_hot.mh_free_stamp = m->m_cfg.free_stamp;
	m->m_hot.mh_lat_every = m->m_cfg.lat_every > 0 &&
	    m->m_cfg.lat_every <= INT_MAX ? (int)m->m_cfg.lat_every :
	    REAP_LAT_SAMPLE;
	memcpy(m->m_hot.mh_work_ns, m->m_cfg.work_ns,
	    sizeof(m->m_hot.mh_work_ns));
	/* The asymmetric fence of the quiesce wait: registered once per
	 * process (idempotent); without it every free fences. */
	m->m_hot.mh_fence = syscall(SYS_membarrier,
	    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0;
	atomic_init(&m->m_books, NULL);
	pthread_mutex_init(&m->m_books_lock, NULL);
}

void
kern_books_fini(struct kern_machine *m)
{
	struct kern_books *b, *next;

	/* Every thread's cached block may be for this machine. */
	atomic_fetch_add_explicit(&kern_books_epoch, 1, memory_order_relaxed);
	for (b = atomic_load_explicit(&m->m_books, memory_order_acquire);
	    b != NULL; b = next) {
		next = b->kb_next;
		kern_percpu_free(m, b->kb_cpu, b, sizeof(*b));
	}
	pthread_mutex_destroy(&m->m_books_lock);
}

struct kern_books *
kern_books_lookup(struct kern_machine *m)
{
	pid_t tid = gettid();
	struct kern_books *b;

	pthread_mutex_lock(&m->m_books_lock);
	for (b = atomic_load_explicit(&m->m_books, memory_order_relaxed);
	    b != NULL && b->kb_tid != tid; b = b->kb_next)
		;
	if (b == NULL) {
		b = kern_percpu_alloc(m, mycpuid() % m->m_cfg.ncpus,
		    sizeof(*b));
		b->kb_tid = tid;
		b->kb_cpu = mycpuid() % m->m_cfg.ncpus;
		b->kb_next = atomic_load_explicit(&m->m_books,
		    memory_order_relaxed);
		atomic_store_explicit(&m->m_books, b, memory_order_release);
	}
	pthread_mutex_unlock(&m->m_books_lock);
	if (m == kern_curmach)		/* the cache is the attached one's */
		kern_tls_books = b;
	return b;
}

uint64_t
kern_counter_read(struct kern_machine *m, enum kern_counter c)
{
	uint64_t sum = 0;

	for (struct kern_books *b = atomic_load_explicit(&m->m_books,
	    memory_order_acquire); b != NULL; b = b->kb_next)
		sum += atomic_load_explicit(&b->kb_ctr[c], memory_order_relaxed);
	return sum;
}

void
kern_lat_report(struct kern_machine *m, struct kern_lwp_stamp *s)
{
	uint64_t t = atomic_load_explicit(&s->ls_exit_ns, memory_order_relaxed);

	atomic_store_explicit(&s->ls_exit_ns, 0, memory_order_relaxed);
	if (m->m_hot.mh_lat_record != NULL)
		m->m_hot.mh_lat_record(mycpuid(), kern_now_ns() - t,
		    m->m_hot.mh_ctx);
}

/* ---- the quiesce wait ---------------------------------------------------- */

static int64_t
kern_live(struct kern_machine *m, enum kern_counter created,
    enum kern_counter freed)
{
	return (int64_t)(kern_counter_read(m, created) -
	    kern_counter_read(m, freed));
}

/*
 * A free saw a registered waiter: wake it if the live counts are at its
 * targets.  Not counted: the wake is the harness's, not a design event.
 */
void
kern_free_wake(struct kern_machine *m)
{
	struct reap_quiesce_wait *q = m->m_hot.mh_qwait;
	uint32_t w = atomic_load_explicit(&q->rq_word, memory_order_relaxed);

	if (kern_live(m, KC_LWP_CREATE, KC_LWP_FREE) > atomic_load_explicit(
	    &q->rq_lwps, memory_order_relaxed) || kern_live(m,
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

uint32_t
reap_quiesce_prepare(struct reap_quiesce_wait *q)
{
	uint32_t key = atomic_fetch_or_explicit(&q->rq_word, 1,
	    memory_order_seq_cst) | 1;

	/* Every thread passes a full barrier: a free's store of its count
	 * is now visible to our look, or its later load sees the bit. */
	(void)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	kern_fence();	/* without membarrier, the frees fence (mh_fence) */
	return key;
}

void
reap_quiesce_done(struct reap_quiesce_wait *q)
{
	atomic_fetch_and_explicit(&q->rq_word, ~1u, memory_order_relaxed);
}

/* ---- reading -------------------------------------------------------------- */

static inline int64_t
kern_fold_max(_Atomic int64_t *w, int64_t v)
{
	int64_t cur = atomic_load_explicit(w, memory_order_relaxed);

	while (v > cur && !atomic_compare_exchange_weak_explicit(w, &cur, v,
	    memory_order_relaxed, memory_order_relaxed))
		;
	return v > cur ? v : cur;
}

/*
 * Exits are summed before frees, so the sum is never more than was true
 * at some instant of the read; every bound found so far stays one, so
 * the largest is kept.
 */
static void
kern_zombies_fill(struct kern_machine *m, struct reap_stats *st)
{
	struct kern_books *head = atomic_load_explicit(&m->m_books,
	    memory_order_acquire);
	int64_t exits = (int64_t)kern_counter_read(m, KC_LWP_EXIT);
	int64_t now = exits - (int64_t)kern_counter_read(m, KC_LWP_FREE);
	int64_t lows = 0, peak;

	if (now < 0)
		now = 0;
	/* An exit makes one zombie until its free, whatever else. */
	peak = now > 0 || exits == 0 ? now : 1;
	for (struct kern_books *b = head; b != NULL; b = b->kb_next)
		lows += atomic_load_explicit(&b->kb_zlow, memory_order_relaxed);
	for (struct kern_books *b = head; b != NULL; b = b->kb_next) {
		int64_t lb = atomic_load_explicit(&b->kb_zpeak,
		    memory_order_relaxed) + lows - atomic_load_explicit(
		    &b->kb_zlow, memory_order_relaxed);

		if (lb > peak)
			peak = lb;
	}
	st->zombies_now = (uint64_t)now;
	st->zombies_peak = (uint64_t)kern_fold_max(&m->m_zpeak_kept, peak);
}

/* The latest free stamp of any thread (kern_free_stamp), after the
 * counts were read. */
static uint64_t
kern_last_free(struct kern_machine *m)
{
	uint64_t last = 0;

#ifndef __SANITIZE_THREAD__
	atomic_thread_fence(memory_order_acquire);
#endif
	for (struct kern_books *b = atomic_load_explicit(&m->m_books,
	    memory_order_acquire); b != NULL; b = b->kb_next) {
		uint64_t t = atomic_load_explicit(&b->kb_free_ns,
		    memory_order_relaxed);

		if (t > last)
			last = t;
	}
	return last;
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
	st->last_free_ns = kern_last_free(m);
	for (unsigned w = 0; w < KW_NNAMES; w++)
		st->work[w] = kern_counter_read(m,
		    (enum kern_counter)(KC_WORK + w));
}
