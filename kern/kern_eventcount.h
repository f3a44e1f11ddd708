/*
 * kern_eventcount.h - a futex-based eventcount (by the hybrid design).
 *
 * An eventcount lets a thread wait for a condition that other threads
 * change with their own atomics, without a lock around the condition:
 *
 *	waiter				waker
 *	for (;;) {			change the condition (seq_cst RMW
 *		if (cond) break;	    or store)
 *		key = kern_ec_prepare(ec);  kern_ec_wake(ec);
 *		if (cond) break;
 *		kern_ec_wait(ec, key, "wmesg");
 *	}
 *
 * The word holds an epoch (bits 1..31) and a WAITERS bit (bit 0).
 * prepare sets WAITERS with a seq_cst RMW and returns the word; the waker
 * reads the word with a seq_cst load after its seq_cst change of the
 * condition.  By the store-buffering rule of seq_cst either the waiter's
 * second test sees the change or the waker sees WAITERS; in the latter
 * case it bumps the epoch (clearing WAITERS) and issues one FUTEX_WAKE,
 * and the waiter's futex_wait on the old word returns.  So no wakeup is
 * lost, and a waker issues a futex wake only when a waiter is registered:
 * with nobody waiting, kern_ec_wake is one load.
 *
 * A waiter that found its condition true after prepare leaves WAITERS set;
 * the next waker then makes one wake nobody needed.  Waits may also return
 * spuriously; callers loop on their condition.
 */
#ifndef KERN_EVENTCOUNT_H
#define KERN_EVENTCOUNT_H

#include "kern.h"

struct kern_ec {
	_Atomic uint32_t ec_word;	/* a: epoch << 1 | KERN_EC_WAITERS */
};
#define KERN_EC_WAITERS		0x1u
#define KERN_EC_INITIALIZER	{ 0 }

void	kern_ec_init(struct kern_ec *);
/* Register the caller as a waiter; returns the key for kern_ec_wait. */
uint32_t kern_ec_prepare(struct kern_ec *);
/* Sleep until a wake after the prepare that gave `key` (or spuriously).
 * Counted KC_SLEEP; wmesg shows in hang dumps (kern_td_wmesg). */
void	kern_ec_wait(struct kern_ec *, uint32_t key, const char *wmesg);
/* Wake every registered waiter; a futex wake only if there is one. */
void	kern_ec_wake(struct kern_ec *);
/*
 * kern_ec_wake in two halves, for a waker that must publish the wake while
 * it still holds something the woken thread will wait for: kern_ec_bump
 * ends the waiters' epoch (a waiter not yet asleep will not sleep) and
 * says whether a futex wake is owed; kern_ec_wake_owed issues it later.
 */
bool	kern_ec_bump(struct kern_ec *);
void	kern_ec_wake_owed(struct kern_ec *);
/*
 * For state words that are their own eventcount (a flag in the word says
 * someone sleeps, set by the waiter with a CAS): sleep while *word == val,
 * counted KC_SLEEP and shown in hang dumps as wmesg.
 */
void	kern_ec_wait_word(_Atomic uint32_t *word, uint32_t val,
	    const char *wmesg);
/* Is a waiter registered (tests, asserts)? */
bool	kern_ec_has_waiters(struct kern_ec *);

#endif /* KERN_EVENTCOUNT_H */
