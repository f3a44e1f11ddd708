/*
 * kern_taskqueue.c - per-CPU taskqueue threads (DragonFly
 * taskqueue_thread[cpu]).  Enqueueing a task that is already pending only
 * bumps its count; the handler then runs once and sees the count.
 */
#include "kern.h"
#include "kern_impl.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct taskqueue {
	_Atomic uint32_t tq_lock;		/* kern_lockword */
	struct task *tq_head, *tq_tail;		/* tq_lock */
	bool	tq_running;			/* tq_lock: a handler runs */
	bool	tq_idle;			/* tq_lock: thread asleep */
	bool	tq_stop;			/* tq_lock */
	_Atomic uint32_t tq_wakeseq;		/* futex word of the thread */
	struct kern_thread *tq_thread;		/* (: stable */
	struct kern_td *_Atomic tq_td;		/* (: set at thread start */
	int	tq_cpu;				/* (: stable */
	char	tq_name[32];			/* (: stable */
} __cacheline_aligned;

static void *
taskqueue_thread_loop(void *arg)
{
	struct taskqueue *tq = arg;
	struct task *t;
	uint32_t seq;
	int pending;

	atomic_store_explicit(&tq->tq_td, kern_curtd(), memory_order_release);
	kern_lockword_acquire(&tq->tq_lock, false);
	for (;;) {
		while ((t = tq->tq_head) == NULL && !tq->tq_stop) {
			tq->tq_idle = true;
			seq = atomic_load_explicit(&tq->tq_wakeseq,
			    memory_order_acquire);
			kern_lockword_release(&tq->tq_lock, false);
			kern_count(KC_SLEEP);
			kern_futex_wait(&tq->tq_wakeseq, seq, 0);
			kern_lockword_acquire(&tq->tq_lock, false);
		}
		tq->tq_idle = false;
		if (t == NULL)
			break;				/* stopping, drained */
		if ((tq->tq_head = t->ta_next) == NULL)
			tq->tq_tail = NULL;
		t->ta_next = NULL;
		pending = t->ta_pending;
		t->ta_pending = 0;
		tq->tq_running = true;
		kern_lockword_release(&tq->tq_lock, false);
		kern_count(KC_REAPER_WAKEUP);
		t->ta_func(t->ta_ctx, pending);
		kern_lockword_acquire(&tq->tq_lock, false);
		tq->tq_running = false;
	}
	kern_lockword_release(&tq->tq_lock, false);
	return NULL;
}

/*
 * Models taskqueue_thread[cpu] of DragonFly subr_taskqueue.c: one queue
 * per CPU of m, each served by its own thread named name<cpu> and bound
 * to that CPU.  Returns once every thread runs (taskqueue_td is set).
 * May sleep.
 */
struct taskqueue **
taskqueue_create_percpu(struct kern_machine *m, const char *name)
{
	int n = kern_ncpus(m);
	struct taskqueue **tqs = calloc((size_t)n, sizeof(*tqs));

	KASSERT(tqs != NULL, "out of memory");
	for (int c = 0; c < n; c++) {
		struct taskqueue *tq = kern_percpu_alloc(m, c, sizeof(*tq));

		tq->tq_cpu = c;
		snprintf(tq->tq_name, sizeof(tq->tq_name), "%s%d", name, c);
		tq->tq_thread = kern_thread_create(m, c, tq->tq_name,
		    taskqueue_thread_loop, tq);
		tqs[c] = tq;
	}
	/* A taskqueue's td is known once it is created (taskqueue_td): the
	 * threads publish it first thing; startup only, so just yield. */
	for (int c = 0; c < n; c++)
		while (atomic_load_explicit(&tqs[c]->tq_td,
		    memory_order_acquire) == NULL)
			sched_yield();
	return tqs;
}

/*
 * Models taskqueue_enqueue() of DragonFly subr_taskqueue.c: queue t at the
 * tail and wake the queue's thread if it idles (counted KC_WAKEUP); if t
 * is pending already, only count the enqueue: its function then runs once
 * and gets the count.  Returns 0 if queued, EALREADY if coalesced
 * (DragonFly returns 0 for both).  A task is enqueued on one queue only
 * (not checked; DragonFly asserts it), and never on a queue being
 * destroyed (KASSERT).  The caller may hold tokens and locks.
 */
int
taskqueue_enqueue(struct taskqueue *tq, struct task *t)
{
	bool wake;

	kern_lockword_acquire(&tq->tq_lock, false);
	KASSERT(!tq->tq_stop, "enqueue on a stopping taskqueue");
	if (t->ta_pending > 0) {
		t->ta_pending++;			/* coalesce */
		kern_lockword_release(&tq->tq_lock, false);
		return EALREADY;
	}
	t->ta_pending = 1;
	t->ta_next = NULL;
	if (tq->tq_tail != NULL)
		tq->tq_tail->ta_next = t;
	else
		tq->tq_head = t;
	tq->tq_tail = t;
	wake = tq->tq_idle;
	if (wake)
		atomic_fetch_add_explicit(&tq->tq_wakeseq, 1,
		    memory_order_release);
	kern_lockword_release(&tq->tq_lock, false);
	if (wake) {
		kern_count(KC_WAKEUP);
		kern_futex_wake(&tq->tq_wakeseq, 1);
	}
	return 0;
}

/*
 * Wait until tq has no task queued or running, polling every 100 us
 * (teardown only).  A task enqueued meanwhile is waited for, one enqueued
 * after the return is not: stop the enqueuers first.  Never from a task
 * of tq, which would wait for itself (not checked).  May sleep.
 */
void
taskqueue_drain_all(struct taskqueue *tq)
{
	const struct timespec ts = { 0, 100000 };
	bool busy;

	for (;;) {
		kern_lockword_acquire(&tq->tq_lock, false);
		busy = tq->tq_head != NULL || tq->tq_running;
		kern_lockword_release(&tq->tq_lock, false);
		if (!busy)
			return;
		nanosleep(&ts, NULL);
	}
}

/*
 * The kern_td of tq's thread.  Stable once taskqueue_create_percpu
 * returned.
 */
struct kern_td *
taskqueue_td(struct taskqueue *tq)
{
	return atomic_load_explicit(&tq->tq_td, memory_order_acquire);
}

/* The CPU tq serves.  Stable. */
int
taskqueue_cpu(struct taskqueue *tq)
{
	return tq->tq_cpu;
}

/*
 * Stop and free the queues tqs of m, one CPU after the other: the thread
 * first runs the tasks still queued, then exits and is joined.  Nothing
 * may enqueue once it starts (a stopping queue KASSERTs; a freed one is
 * not checked).  May sleep.
 */
void
taskqueue_destroy_percpu(struct kern_machine *m, struct taskqueue **tqs)
{
	int n = kern_ncpus(m);

	for (int c = 0; c < n; c++) {
		struct taskqueue *tq = tqs[c];

		kern_lockword_acquire(&tq->tq_lock, false);
		tq->tq_stop = true;
		atomic_fetch_add_explicit(&tq->tq_wakeseq, 1,
		    memory_order_release);
		kern_lockword_release(&tq->tq_lock, false);
		kern_futex_wake(&tq->tq_wakeseq, 1);
		kern_thread_join(tq->tq_thread);
		kern_percpu_free(m, c, tq, sizeof(*tq));
	}
	free(tqs);
}
