/*
 * kern_rwlock.c - NetBSD's krwlock_t, as far as process references use
 * it (p_reflock): readers that try and fail rather than wait, and one
 * writer that, once it wants the lock, refuses new readers and sleeps
 * until the readers it found have left.
 *
 * One word: reader count | RW_WAITERS | RW_WRITE_WANTED.  The writer
 * sleeps on the word's futex; the last reader out wakes it only when
 * RW_WAITERS says it sleeps.
 */
#include "kern.h"

#define RW_WRITE_WANTED	0x80000000u	/* a writer has (or waits for) it */
#define RW_WAITERS	0x40000000u	/* the writer sleeps on rw_word */
#define RW_COUNT(w)	((w) & 0x3fffffffu)

void
rw_init(struct krwlock *rw)
{
	atomic_init(&rw->rw_word, 0);
}

/* Models rw_destroy(): no reader may remain. */
void
rw_destroy(struct krwlock *rw)
{
	KASSERT(RW_COUNT(atomic_load_explicit(&rw->rw_word,
	    memory_order_relaxed)) == 0, "destroying a read-held rwlock");
}

/*
 * Models rw_tryenter(rw, RW_READER): a read hold unless a writer has or
 * wants the lock.  Never blocks.
 */
bool
rw_tryenter_read(struct krwlock *rw)
{
	uint32_t o = atomic_load_explicit(&rw->rw_word, memory_order_relaxed);

	do {
		if ((o & RW_WRITE_WANTED) != 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&rw->rw_word, &o,
	    o + 1, memory_order_acquire, memory_order_relaxed));
	return true;
}

/* Models rw_exit() of a reader: the last one out wakes a waiting writer. */
void
rw_exit_read(struct krwlock *rw)
{
	uint32_t o = atomic_fetch_sub_explicit(&rw->rw_word, 1,
	    memory_order_release);

	KASSERT(RW_COUNT(o) > 0, "rw_exit_read without a read hold");
	if (RW_COUNT(o) == 1 && (o & RW_WAITERS) != 0) {
		kern_count(KC_WAKEUP);
		kern_futex_wake(&rw->rw_word, 1);
	}
}

/*
 * Models rw_enter(rw, RW_WRITER) for a lock that only readers share:
 * refuse new readers at once, then sleep until the readers drain.
 * Returns with the lock held for good (the model has no writer's
 * rw_exit: the one writer, exit1, keeps it until the memory is freed).
 */
void
rw_enter_write(struct krwlock *rw)
{
	uint32_t o;

	o = atomic_fetch_or_explicit(&rw->rw_word, RW_WRITE_WANTED,
	    memory_order_acquire);
	KASSERT((o & RW_WRITE_WANTED) == 0, "rw_enter_write: second writer");
	KERN_INJECT("kern.rw_enter_write.wanted");
	o |= RW_WRITE_WANTED;
	while (RW_COUNT(o) != 0) {
		/* A failed CAS may be what sees the last reader leave: its
		 * load must acquire that reader's release too. */
		if ((o & RW_WAITERS) == 0 &&
		    !atomic_compare_exchange_weak_explicit(&rw->rw_word, &o,
		    o | RW_WAITERS, memory_order_acquire, memory_order_acquire))
			continue;
		kern_count(KC_SLEEP);
		kern_futex_wait(&rw->rw_word, o | RW_WAITERS, 0);
		o = atomic_load_explicit(&rw->rw_word, memory_order_acquire);
	}
}
