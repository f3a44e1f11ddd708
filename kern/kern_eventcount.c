/*
 * kern_eventcount.c - futex-based eventcount; see kern_eventcount.h.
 *
 * The pattern is the one of Concurrency Kit's ck_ec and of folly's
 * EventCount (epoch + waiter flag in one futex word); it is written here
 * with C11 atomics so that ThreadSanitizer sees every synchronisation.
 */
#include "kern_eventcount.h"
#include "kern_impl.h"

#include <limits.h>

/* Initialise ec, no waiter registered. */
void
kern_ec_init(struct kern_ec *ec)
{
	atomic_init(&ec->ec_word, 0);
}

/*
 * Register the caller as a waiter of ec and return the key for
 * kern_ec_wait.  The caller then re-tests its condition before it waits.
 */
uint32_t
kern_ec_prepare(struct kern_ec *ec)
{
	/* seq_cst: pairs with the waker's seq_cst load (store buffering). */
	return atomic_fetch_or_explicit(&ec->ec_word, KERN_EC_WAITERS,
	    memory_order_seq_cst) | KERN_EC_WAITERS;
}

/*
 * Sleep until a wake that follows the kern_ec_prepare that returned key
 * (return at once if one came already); may return spuriously.  On return the caller sees
 * what the waker published before its wake.  Counted KC_SLEEP when it
 * blocks; wmesg shows in hang dumps.  May sleep; tokens the caller holds
 * stay held.
 */
void
kern_ec_wait(struct kern_ec *ec, uint32_t key, const char *wmesg)
{
	struct kern_td *td = kern_curtd();

	KASSERT((key & KERN_EC_WAITERS) != 0, "key from kern_ec_prepare");
	if (atomic_load_explicit(&ec->ec_word, memory_order_acquire) != key)
		return;
	atomic_store_explicit(&td->td_wmesg, wmesg, memory_order_relaxed);
	kern_count(KC_SLEEP);
	/* Returns at once (EAGAIN) if a wake bumped the epoch already. */
	(void)kern_futex_wait(&ec->ec_word, key, 0);
	atomic_store_explicit(&td->td_wmesg, NULL, memory_order_relaxed);
	/* Synchronise with the waker's bump so the caller's re-test of its
	 * condition sees what the waker published before waking. */
	(void)atomic_load_explicit(&ec->ec_word, memory_order_acquire);
}

/*
 * First half of kern_ec_wake, after the caller's seq_cst change of the
 * condition: end the registered waiters' epoch (one not yet asleep will
 * not sleep) and return true if a futex wake is owed (kern_ec_wake_owed).
 */
bool
kern_ec_bump(struct kern_ec *ec)
{
	uint32_t w = atomic_load_explicit(&ec->ec_word, memory_order_seq_cst);

	while ((w & KERN_EC_WAITERS) != 0) {
		/* Bump the epoch and clear WAITERS in one step. */
		if (atomic_compare_exchange_weak_explicit(&ec->ec_word, &w,
		    (w + 2) & ~KERN_EC_WAITERS, memory_order_acq_rel,
		    memory_order_relaxed))
			return true;
	}
	return false;
}

/*
 * Second half: the futex wake kern_ec_bump said is owed, to every waiter.
 * Counted KC_WAKEUP.
 */
void
kern_ec_wake_owed(struct kern_ec *ec)
{
	kern_count(KC_WAKEUP);
	kern_futex_wake(&ec->ec_word, INT_MAX);
}

/*
 * Wake every waiter registered on ec, after the caller's seq_cst change of
 * the condition.  With none registered it is one load and is not counted.
 */
void
kern_ec_wake(struct kern_ec *ec)
{
	if (kern_ec_bump(ec))
		kern_ec_wake_owed(ec);
}

/*
 * Sleep while *word == val, for a state word that is its own eventcount:
 * the waiter flagged its sleep in the word with a CAS, and the waker
 * wakes the word's futex.  May return spuriously.  Counted KC_SLEEP;
 * wmesg shows in hang dumps.  May sleep.
 */
void
kern_ec_wait_word(_Atomic uint32_t *word, uint32_t val, const char *wmesg)
{
	struct kern_td *td = kern_curtd();

	atomic_store_explicit(&td->td_wmesg, wmesg, memory_order_relaxed);
	kern_count(KC_SLEEP);
	(void)kern_futex_wait(word, val, 0);
	atomic_store_explicit(&td->td_wmesg, NULL, memory_order_relaxed);
}

/*
 * True if a waiter is registered on ec.  A relaxed hint for tests and
 * asserts.
 */
bool
kern_ec_has_waiters(struct kern_ec *ec)
{
	return (atomic_load_explicit(&ec->ec_word, memory_order_relaxed) &
	    KERN_EC_WAITERS) != 0;
}
