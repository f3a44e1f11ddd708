/*
 * kern_mutex.c - NetBSD's adaptive kmutex, condition variables on the
 * shared sleep queues, and spin locks with SPINLOCK_BACKOFF.
 */
#include "kern.h"
#include "kern_impl.h"

#include <limits.h>

/* Models mutex_init() of NetBSD kern_mutex.c (MUTEX_DEFAULT: adaptive). */
void
mutex_init(struct kmutex *mtx)
{
	atomic_init(&mtx->mtx_word, 0);
	atomic_init(&mtx->mtx_owner, NULL);
}

void
mutex_destroy(struct kmutex *mtx)
{
	KASSERT(atomic_load_explicit(&mtx->mtx_word, memory_order_relaxed) == 0,
	    "destroying a held mutex");
}

/* Models mutex_enter(): spin while the owner runs, else block. */
void
mutex_enter(struct kmutex *mtx) KERN_NO_TSA
{
	KASSERT(!mutex_owned(mtx), "mutex_enter: locking against myself");
	kern_lockword_acquire(&mtx->mtx_word, true);
	atomic_store_explicit(&mtx->mtx_owner, kern_curtd(),
	    memory_order_relaxed);
}

bool
mutex_tryenter(struct kmutex *mtx) KERN_NO_TSA
{
	if (!kern_lockword_try(&mtx->mtx_word))
		return false;
	atomic_store_explicit(&mtx->mtx_owner, kern_curtd(),
	    memory_order_relaxed);
	return true;
}

void
mutex_exit(struct kmutex *mtx) KERN_NO_TSA
{
	KASSERT(mutex_owned(mtx), "mutex_exit: not owner");
	atomic_store_explicit(&mtx->mtx_owner, NULL, memory_order_relaxed);
	kern_lockword_release(&mtx->mtx_word, true);
}

bool
mutex_owned(struct kmutex *mtx)
{
	return atomic_load_explicit(&mtx->mtx_owner, memory_order_relaxed) ==
	    kern_curtd();
}

/*
 * Condition variables sleep on the shared hashed sleep queues (NetBSD's
 * sleepq), keyed by the cv's address.  The waiter count lets broadcast
 * skip the queue when nobody waits; it is read and written under the
 * interlocking mutex, as NetBSD's cv_has_waiters() is.
 */
void
cv_init(struct kcondvar *cv, const char *wmesg)
{
	atomic_init(&cv->cv_seq, 0);
	atomic_init(&cv->cv_waiters, 0);
	cv->cv_wmesg = wmesg;
}

void
cv_destroy(struct kcondvar *cv)
{
	KASSERT(atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) == 0,
	    "cv_destroy with waiters");
}

static int
cv_sleep(struct kcondvar *cv, struct kmutex *mtx, int flags, int ticks)
    KERN_NO_TSA
{
	int error;

	KASSERT_MUTEX_OWNED(mtx);
	atomic_fetch_add_explicit(&cv->cv_waiters, 1, memory_order_relaxed);
	/* Queue first, then drop the interlock: no wakeup can be lost. */
	tsleep_interlock(cv, flags);
	mutex_exit(mtx);
	error = tsleep(cv, flags | PINTERLOCKED, cv->cv_wmesg, ticks);
	mutex_enter(mtx);
	atomic_fetch_sub_explicit(&cv->cv_waiters, 1, memory_order_relaxed);
	return error;
}

/* Models cv_wait() of NetBSD kern_condvar.c. */
void
cv_wait(struct kcondvar *cv, struct kmutex *mtx)
{
	(void)cv_sleep(cv, mtx, 0, 0);
}

/* Models cv_wait_sig(): EINTR once the caller's LWP is killed. */
int
cv_wait_sig(struct kcondvar *cv, struct kmutex *mtx)
{
	return cv_sleep(cv, mtx, PCATCH, 0);
}

/* Models cv_timedwait(): EWOULDBLOCK after `ticks` ticks. */
int
cv_timedwait(struct kcondvar *cv, struct kmutex *mtx, int ticks)
{
	return cv_sleep(cv, mtx, 0, ticks);
}

int
cv_timedwait_sig(struct kcondvar *cv, struct kmutex *mtx, int ticks)
{
	return cv_sleep(cv, mtx, PCATCH, ticks);
}

/* Models cv_broadcast(): wakes every waiter, nothing if none waits. */
void
cv_broadcast(struct kcondvar *cv)
{
	atomic_fetch_add_explicit(&cv->cv_seq, 1, memory_order_relaxed);
	if (atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) != 0)
		wakeup(cv);
}

/* Models cv_signal(). */
void
cv_signal(struct kcondvar *cv)
{
	atomic_fetch_add_explicit(&cv->cv_seq, 1, memory_order_relaxed);
	if (atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) != 0)
		wakeup_one(cv);
}

bool
cv_has_waiters(struct kcondvar *cv)
{
	return atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) != 0;
}

/* A spin mutex (NetBSD's IPL_SCHED spc_lutex / lwp_lock). */
void
kspin_init(struct kspin *sp)
{
	atomic_init(&sp->sp_word, 0);
	atomic_init(&sp->sp_owner, NULL);
}

void
kspin_lock(struct kspin *sp) KERN_NO_TSA
{
	unsigned bo = 0;
	uint32_t v;

	for (;;) {
		v = 0;
		if (atomic_compare_exchange_weak_explicit(&sp->sp_word, &v, 1,
		    memory_order_acquire, memory_order_relaxed))
			break;
		do
			kern_backoff(&bo);
		while (atomic_load_explicit(&sp->sp_word,
		    memory_order_relaxed) != 0);
	}
	atomic_store_explicit(&sp->sp_owner, kern_curtd(), memory_order_relaxed);
}

void
kspin_unlock(struct kspin *sp) KERN_NO_TSA
{
	KASSERT(kspin_owned(sp), "kspin_unlock: not owner");
	atomic_store_explicit(&sp->sp_owner, NULL, memory_order_relaxed);
	atomic_store_explicit(&sp->sp_word, 0, memory_order_release);
}

bool
kspin_owned(struct kspin *sp)
{
	return atomic_load_explicit(&sp->sp_owner, memory_order_relaxed) ==
	    kern_curtd();
}
