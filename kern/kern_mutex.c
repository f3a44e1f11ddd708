/*
 * kern_mutex.c - NetBSD's adaptive kmutex, condition variables on the
 * shared sleep queues, and spin locks with SPINLOCK_BACKOFF.
 */
#include "kern.h"
#include "kern_impl.h"

#include <limits.h>

/*
 * Models mutex_init() of NetBSD kern_mutex.c (MUTEX_DEFAULT: adaptive):
 * initialise mtx, free.
 */
void
mutex_init(struct kmutex *mtx)
{
	atomic_init(&mtx->mtx_word, 0);
	atomic_init(&mtx->mtx_owner, NULL);
}

/* Models mutex_destroy(): mtx must be free (KASSERT) and unused after. */
void
mutex_destroy(struct kmutex *mtx)
{
	KASSERT(atomic_load_explicit(&mtx->mtx_word, memory_order_relaxed) == 0,
	    "destroying a held mutex");
}

/*
 * Models mutex_enter(): take mtx.  Contended, it spins six backoff rounds
 * (NetBSD spins while the owner runs; the model cannot see the owner run),
 * then blocks on the futex; counted KC_SPIN and KC_SLEEP.  The caller
 * must not hold mtx (KASSERT).  Returns with it held.  May sleep; tokens
 * the caller holds stay held.  Contended, it lets the giant lock go until
 * it has mtx (NetBSD's turnstile_block switches away, and mi_switch
 * releases kernel_lock), so a holder of both is never waited for by a
 * thread that holds mtx's holder up.
 */
void
mutex_enter(struct kmutex *mtx) KERN_NO_TSA
{
	int big;

	KASSERT(!mutex_owned(mtx), "mutex_enter: locking against myself");
	if (!kern_biglock_held())
		kern_lockword_acquire(&mtx->mtx_word, true);
	else if (!kern_lockword_try(&mtx->mtx_word)) {
		big = kern_biglock_release_all();
		kern_lockword_acquire(&mtx->mtx_word, true);
		kern_biglock_reacquire(big);
	}
	atomic_store_explicit(&mtx->mtx_owner, kern_curtd(),
	    memory_order_relaxed);
}

/*
 * Models mutex_tryenter(): take mtx if it is free.  Returns true with it
 * held, false if anyone (the caller included) holds it.
 */
bool
mutex_tryenter(struct kmutex *mtx) KERN_NO_TSA
{
	if (!kern_lockword_try(&mtx->mtx_word))
		return false;
	atomic_store_explicit(&mtx->mtx_owner, kern_curtd(),
	    memory_order_relaxed);
	return true;
}

/*
 * Models mutex_exit(): release mtx, waking one blocked waiter.  The caller
 * holds it (KASSERT).
 */
void
mutex_exit(struct kmutex *mtx) KERN_NO_TSA
{
	KASSERT(mutex_owned(mtx), "mutex_exit: not owner");
	atomic_store_explicit(&mtx->mtx_owner, NULL, memory_order_relaxed);
	kern_lockword_release(&mtx->mtx_word, true);
}

/*
 * Models mutex_owned(): true if the caller holds mtx.  For assertions:
 * exact for the caller, says nothing of other holders.
 */
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

/* Models cv_init() of NetBSD kern_condvar.c; wmesg names its sleeps. */
void
cv_init(struct kcondvar *cv, const char *wmesg)
{
	atomic_init(&cv->cv_seq, 0);
	atomic_init(&cv->cv_waiters, 0);
	cv->cv_wmesg = wmesg;
}

/* Models cv_destroy(): nobody may wait on cv (KASSERT) or use it after. */
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

/*
 * Models cv_wait() of NetBSD kern_condvar.c: release mtx, sleep until a
 * cv_signal or cv_broadcast, take mtx again.  Called with mtx held;
 * returns with it held.  Callers re-test their condition.  May sleep;
 * tokens the caller holds are released while it sleeps (tsleep).
 */
void
cv_wait(struct kcondvar *cv, struct kmutex *mtx)
{
	(void)cv_sleep(cv, mtx, 0, 0);
}

/*
 * Models cv_wait_sig(): cv_wait that returns EINTR once the caller's LWP
 * is killed (also if it is already at the call), else 0.  Called with mtx
 * held; returns with it held, EINTR included.  May sleep.
 */
int
cv_wait_sig(struct kcondvar *cv, struct kmutex *mtx)
{
	return cv_sleep(cv, mtx, PCATCH, 0);
}

/*
 * Models cv_timedwait(): cv_wait for `ticks` ticks at most (0: no limit);
 * returns 0, or EWOULDBLOCK (counted KC_TICK_TIMEOUT).  Called with mtx
 * held; returns with it held.  May sleep.
 */
int
cv_timedwait(struct kcondvar *cv, struct kmutex *mtx, int ticks)
{
	return cv_sleep(cv, mtx, 0, ticks);
}

/*
 * Models cv_timedwait_sig(): cv_timedwait that also returns EINTR once the
 * caller's LWP is killed.  Called with mtx held; returns with it held.
 * May sleep.
 */
int
cv_timedwait_sig(struct kcondvar *cv, struct kmutex *mtx, int ticks)
{
	return cv_sleep(cv, mtx, PCATCH, ticks);
}

/*
 * Models cv_broadcast(): wake every waiter of cv.  The caller holds the
 * mutex its waiters pass to cv_wait (not checked): the waiter count is
 * read unlocked and only that mutex orders a waiter's registration before
 * the read, so a broadcast without it may miss a waiter (NetBSD's rule).
 * Counted KC_WAKEUP only when someone waits.
 */
void
cv_broadcast(struct kcondvar *cv)
{
	atomic_fetch_add_explicit(&cv->cv_seq, 1, memory_order_relaxed);
	if (atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) != 0)
		wakeup(cv);
}

/*
 * Models cv_signal(): wake one waiter of cv, the last one queued; as
 * cv_broadcast, the caller holds the waiters' mutex.
 */
void
cv_signal(struct kcondvar *cv)
{
	atomic_fetch_add_explicit(&cv->cv_seq, 1, memory_order_relaxed);
	if (atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) != 0)
		wakeup_one(cv);
}

/*
 * Models cv_has_waiters(): true if someone waits on cv.  Exact only with
 * the waiters' mutex held.
 */
bool
cv_has_waiters(struct kcondvar *cv)
{
	return atomic_load_explicit(&cv->cv_waiters, memory_order_relaxed) != 0;
}

/* Spin mutexes (NetBSD's IPL_SCHED spc_lwplock / lwp_lock). */

/* Initialise sp, free. */
void
kspin_init(struct kspin *sp)
{
	atomic_init(&sp->sp_word, 0);
	atomic_init(&sp->sp_owner, NULL);
}

/*
 * Models mutex_spin_enter() of a spin mutex: spin with SPINLOCK_BACKOFF
 * until sp is free, then take it; returns with it held.  Never sleeps,
 * but yields the PU when the backoff is long.  Not recursive and, unlike
 * mutex_enter, not checked: taking it again spins forever.  The holder
 * must not sleep (not checked).
 */
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

/* Models mutex_spin_exit(): release sp.  The caller holds it (KASSERT). */
void
kspin_unlock(struct kspin *sp) KERN_NO_TSA
{
	KASSERT(kspin_owned(sp), "kspin_unlock: not owner");
	atomic_store_explicit(&sp->sp_owner, NULL, memory_order_relaxed);
	atomic_store_explicit(&sp->sp_word, 0, memory_order_release);
}

/* True if the caller holds sp.  For assertions. */
bool
kspin_owned(struct kspin *sp)
{
	return atomic_load_explicit(&sp->sp_owner, memory_order_relaxed) ==
	    kern_curtd();
}
