/*
 * kern_futex.c - the one way anything in the model kernel blocks, and the
 * lock word under its blocking locks.  Blocking costs a Linux futex
 * syscall, more than an in-kernel switch; every design pays it alike.
 */
#include "kern.h"
#include "kern_impl.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t
kern_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Block while *addr == val, at most timeout_ns (0: no limit).  Returns 0
 * when woken (or spuriously), ETIMEDOUT, EAGAIN if *addr != val at the
 * call, EINTR on a signal.  Not counted: callers count KC_SLEEP.  May
 * sleep; tokens the caller holds stay held.
 */
int
kern_futex_wait(_Atomic uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;

	if (timeout_ns != 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
		ts.tv_nsec = (long)(timeout_ns % 1000000000u);
		tsp = &ts;
	}
	if (syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0) == 0)
		return 0;
	return errno;
}

/*
 * Wake up to nwake threads blocked in kern_futex_wait on addr.  Counted
 * KC_FUTEX_WAKE on the caller's machine, whether or not anyone waited.
 */
void
kern_futex_wake(_Atomic uint32_t *addr, int nwake)
{
	kern_count(KC_FUTEX_WAKE);
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, nwake, NULL, NULL, 0);
}

/*
 * Models SPINLOCK_BACKOFF of NetBSD: pause *count times and double it
 * (from SPINLOCK_BACKOFF_MIN); past SPINLOCK_BACKOFF_MAX yield the PU
 * instead, since the model runs oversubscribed.  Start with *count 0.
 * Counted KC_SPIN.
 */
void
kern_backoff(unsigned *count)
{
	if (*count < SPINLOCK_BACKOFF_MIN)
		*count = SPINLOCK_BACKOFF_MIN;
	if (*count <= SPINLOCK_BACKOFF_MAX) {
		for (unsigned i = 0; i < *count; i++)
			__builtin_ia32_pause();
		*count += *count;
	} else {
		/* Oversubscribed model: let a preempted holder run. */
		sched_yield();
	}
	kern_count(KC_SPIN);
}

/*
 * Take lock word w if it is free (0 to 1, acquire order).  Returns true
 * if taken; never waits.
 */
bool
kern_lockword_try(_Atomic uint32_t *w)
{
	uint32_t v = 0;

	return atomic_compare_exchange_strong_explicit(w, &v, 1,
	    memory_order_acquire, memory_order_relaxed);
}

/*
 * Take lock word w: spin six rounds (the holder is likely running), then
 * block on its futex, marking w 2 so its release wakes a waiter.  Returns
 * with w held.  May sleep; tokens the caller holds stay held.  With
 * count, spins are counted KC_SPIN and blocks KC_SLEEP; without (the
 * kernel's internal locks), neither.
 */
void
kern_lockword_acquire(_Atomic uint32_t *w, bool count)
{
	unsigned bo = 0;
	uint32_t v;

	if (kern_lockword_try(w))
		return;
	/* Adaptive: spin a while, the holder is likely running. */
	for (int i = 0; i < 6; i++) {
		if (count)
			kern_backoff(&bo);
		else
			for (int j = 0; j < 32 << i; j++)
				__builtin_ia32_pause();
		if (atomic_load_explicit(w, memory_order_relaxed) == 0 &&
		    kern_lockword_try(w))
			return;
	}
	/* Then block; 2 tells the releaser to wake someone. */
	while ((v = atomic_exchange_explicit(w, 2, memory_order_acquire)) != 0) {
		if (count)
			kern_count(KC_SLEEP);
		kern_futex_wait(w, 2, 0);
	}
}

/*
 * Release w (release order); if it was 2, wake one blocked acquirer,
 * counted KC_FUTEX_WAKE whatever count says.  The caller holds w (not
 * checked).
 */
void
kern_lockword_release(_Atomic uint32_t *w, bool count)
{
	(void)count;
	if (atomic_exchange_explicit(w, 0, memory_order_release) == 2)
		kern_futex_wake(w, 1);
}

/*
 * Wait, without taking it, until w looks free: mark it 2 so the holder's
 * release wakes the caller, then block.  Returns at once if w is free or
 * changes meanwhile, and may return while w is still held: the caller
 * retries its acquisition.  May sleep (counted KC_SLEEP with count).
 */
void
kern_lockword_await(_Atomic uint32_t *w, bool count)
{
	uint32_t v = atomic_load_explicit(w, memory_order_relaxed);

	if (v == 0)
		return;
	/* Mark waiters so the holder's release wakes us. */
	if (v == 1 && !atomic_compare_exchange_strong_explicit(w, &v, 2,
	    memory_order_relaxed, memory_order_relaxed))
		return;
	if (count)
		kern_count(KC_SLEEP);
	kern_futex_wait(w, 2, 0);
}
