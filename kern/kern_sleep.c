/*
 * kern_sleep.c - per-thread state (struct kern_td) and DragonFly's
 * tsleep/wakeup on hashed sleep queues, shared by the condvars.
 *
 * A sleeper is queued on its ident's bucket before it tests its condition
 * (tsleep_interlock); wakeup dequeues it and bumps its private futex word,
 * so a wakeup that comes between the test and the sleep is never lost.
 * Tokens the sleeper holds are released for the sleep and reacquired
 * before tsleep returns, as LWKT does when a thread deschedules.
 */
#include "kern.h"
#include "kern_impl.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define SLPQUE_BUCKETS	512

struct slpque_bucket {
	_Atomic uint32_t sb_lock;		/* kern_lockword */
	struct kern_td *sb_head;		/* sb_lock */
} __cacheline_aligned;

static struct slpque_bucket slpque[SLPQUE_BUCKETS];

/* Type-stable per-thread state: never freed, recycled on thread exit. */
static pthread_mutex_t td_free_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kern_td *td_free;			/* td_free_lock */
static pthread_key_t td_key;
static pthread_once_t td_key_once = PTHREAD_ONCE_INIT;
static __thread struct kern_td *td_self;

static void
kern_td_release(void *arg)
{
	struct kern_td *td = arg;

	KASSERT(td->td_ntoks == 0, "thread exits holding tokens");
	atomic_store_explicit(&td->td_sigword, NULL, memory_order_relaxed);
	pthread_mutex_lock(&td_free_lock);
	td->td_freenext = td_free;
	td_free = td;
	pthread_mutex_unlock(&td_free_lock);
	td_self = NULL;
}

static void
kern_td_key_init(void)
{
	pthread_key_create(&td_key, kern_td_release);
}

/*
 * The calling thread's kern_td, made or recycled at its first call and put
 * back on a free list when the thread exits.  Never freed, so another
 * thread may keep a pointer to it: a poke after the owner left only wakes
 * the next user spuriously.  Never NULL.
 */
struct kern_td *
kern_curtd(void)
{
	struct kern_td *td = td_self;

	if (__builtin_expect(td != NULL, 1))
		return td;
	pthread_once(&td_key_once, kern_td_key_init);
	pthread_mutex_lock(&td_free_lock);
	if ((td = td_free) != NULL)
		td_free = td->td_freenext;
	pthread_mutex_unlock(&td_free_lock);
	if (td == NULL) {
		td = aligned_alloc(KERN_CACHELINE,
		    (sizeof(*td) + KERN_CACHELINE - 1) &
		    ~(size_t)(KERN_CACHELINE - 1));
		KASSERT(td != NULL, "out of memory");
		atomic_init(&td->td_ident, NULL);
		atomic_init(&td->td_wakeseq, 0);
		atomic_init(&td->td_sigword, NULL);
		atomic_init(&td->td_wmesg, NULL);
		td->td_queued = false;
		td->td_sqnext = NULL;
	}
	td->td_tid = gettid();
	td->td_ntoks = 0;
	td_self = td;
	pthread_setspecific(td_key, td);
	return td;
}

/* The tid of the thread that uses td (or used it last). */
pid_t
kern_td_tid(const struct kern_td *td)
{
	return td->td_tid;
}

/*
 * What td sleeps on in tsleep or an eventcount wait, NULL otherwise.  A
 * relaxed read for hang dumps: may be stale.
 */
const char *
kern_td_wmesg(const struct kern_td *td)
{
	return atomic_load_explicit(&((struct kern_td *)td)->td_wmesg,
	    memory_order_relaxed);
}

/*
 * Make *sigword the calling thread's kill word (NULL: none): while it is
 * nonzero, PCATCH sleeps return EINTR.  The word must stay valid until
 * the thread clears it (NULL), which the carrier does before the LWP goes.
 */
void
kern_td_setsig(_Atomic int *sigword)
{
	atomic_store_explicit(&kern_curtd()->td_sigword, sigword,
	    memory_order_relaxed);
}

/* True if the caller has a kill word and it is nonzero (acquire load). */
bool
kern_td_sigpending(void)
{
	_Atomic int *w = atomic_load_explicit(&kern_curtd()->td_sigword,
	    memory_order_relaxed);

	return w != NULL && atomic_load_explicit(w, memory_order_acquire) != 0;
}

static struct slpque_bucket *
slpque_bucket(const void *ident)
{
	uintptr_t h = (uintptr_t)ident;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return &slpque[(h >> 32) % SLPQUE_BUCKETS];
}

static void
slpque_remove(struct slpque_bucket *b, struct kern_td *td)
{
	struct kern_td **pp;

	for (pp = &b->sb_head; *pp != td; pp = &(*pp)->td_sqnext)
		KASSERT(*pp != NULL, "sleeper not on its queue");
	*pp = td->td_sqnext;
	td->td_sqnext = NULL;
	td->td_queued = false;
}

/* Wake td (bucket locked): dequeue and bump its private futex word. */
static void
slpque_wake_td(struct slpque_bucket *b, struct kern_td *td)
{
	slpque_remove(b, td);
	atomic_fetch_add_explicit(&td->td_wakeseq, 1, memory_order_release);
	kern_futex_wake(&td->td_wakeseq, 1);
}

/*
 * Models tsleep_interlock() of DragonFly kern_synch.c: queue the caller on
 * ident (replacing an older interlock) before it tests its condition, so
 * that from now on a wakeup(ident) makes the next tsleep(ident,
 * PINTERLOCKED) return at once.  flags: PCATCH.  The caller may hold
 * tokens and locks.
 */
void
tsleep_interlock(const void *ident, int flags)
{
	struct kern_td *td = kern_curtd();
	const void *old = atomic_load_explicit(&td->td_ident,
	    memory_order_relaxed);
	struct slpque_bucket *b;

	/* A new interlock replaces an older one, as in DragonFly. */
	if (old != NULL) {
		b = slpque_bucket(old);
		kern_lockword_acquire(&b->sb_lock, false);
		if (td->td_queued)
			slpque_remove(b, td);
		kern_lockword_release(&b->sb_lock, false);
	}
	b = slpque_bucket(ident);
	kern_lockword_acquire(&b->sb_lock, false);
	atomic_store_explicit(&td->td_ident, ident, memory_order_relaxed);
	td->td_sqflags = flags & PCATCH;
	td->td_queued = true;
	td->td_sqnext = b->sb_head;
	b->sb_head = td;
	kern_lockword_release(&b->sb_lock, false);
	/* Pairs with kern_td_signal's fence: of "set td_ident, then test the
	 * kill word" and "set the kill word, then read td_ident", one side
	 * sees the other's store, whatever locks the killer holds. */
	atomic_thread_fence(memory_order_seq_cst);
}

/*
 * Models tsleep() of DragonFly kern_synch.c: sleep on ident until a
 * wakeup(ident), for timo ticks at most (0: no limit) or, with PCATCH,
 * until the caller's LWP is killed (also if it is already at the call).
 * With PINTERLOCKED, tsleep_interlock(ident) came first and a wakeup since
 * is not lost.  Returns 0 (woken: re-test the condition, ident may serve
 * others), EWOULDBLOCK (counted KC_TICK_TIMEOUT) or EINTR; counted
 * KC_SLEEP.  Every token the caller holds, and the giant lock, are
 * released while it sleeps and held again on return (the giant lock
 * first: it is outermost); a kmutex or kspin stays held.  May sleep.
 */
int
tsleep(const void *ident, int flags, const char *wmesg, int timo)
{
	struct kern_td *td = kern_curtd();
	struct slpque_bucket *b = slpque_bucket(ident);
	uint64_t deadline = 0, now;
	uint32_t seq;
	int error = 0, saved, big;

	if ((flags & PINTERLOCKED) == 0)
		tsleep_interlock(ident, flags);
	KASSERT(atomic_load_explicit(&td->td_ident, memory_order_relaxed) ==
	    ident, "tsleep: interlocked on another ident");
	if (timo > 0)
		deadline = kern_now_ns() + kern_ticks_to_ns(timo);
	atomic_store_explicit(&td->td_wmesg, wmesg, memory_order_relaxed);
	saved = lwkt_token_release_all();
	big = kern_biglock_release_all();
	kern_count(KC_SLEEP);
	for (;;) {
		kern_lockword_acquire(&b->sb_lock, false);
		if (!td->td_queued)
			break;				/* woken */
		if ((flags & PCATCH) != 0 && kern_td_sigpending()) {
			slpque_remove(b, td);
			error = EINTR;
			break;
		}
		td->td_sqflags |= flags & PCATCH;
		seq = atomic_load_explicit(&td->td_wakeseq,
		    memory_order_acquire);
		kern_lockword_release(&b->sb_lock, false);
		if (deadline != 0) {
			now = kern_now_ns();
			if (now < deadline)
				kern_futex_wait(&td->td_wakeseq, seq,
				    deadline - now);
			if (kern_now_ns() >= deadline) {
				kern_lockword_acquire(&b->sb_lock, false);
				if (td->td_queued) {
					slpque_remove(b, td);
					error = EWOULDBLOCK;
					kern_count(KC_TICK_TIMEOUT);
				}
				break;
			}
		} else
			kern_futex_wait(&td->td_wakeseq, seq, 0);
	}
	atomic_store_explicit(&td->td_ident, NULL, memory_order_relaxed);
	kern_lockword_release(&b->sb_lock, false);
	atomic_store_explicit(&td->td_wmesg, NULL, memory_order_relaxed);
	kern_biglock_reacquire(big);
	lwkt_token_reacquire_all(saved);
	return error;
}

static void
wakeup_n(const void *ident, int n)
{
	struct slpque_bucket *b = slpque_bucket(ident);
	struct kern_td *td, *next;

	kern_count(KC_WAKEUP);
	kern_lockword_acquire(&b->sb_lock, false);
	for (td = b->sb_head; td != NULL && n > 0; td = next) {
		next = td->td_sqnext;
		if (atomic_load_explicit(&td->td_ident,
		    memory_order_relaxed) == ident) {
			slpque_wake_td(b, td);
			n--;
		}
	}
	kern_lockword_release(&b->sb_lock, false);
}

/*
 * Models wakeup() of DragonFly kern_synch.c: wake every thread interlocked
 * or asleep on ident.  Counted KC_WAKEUP, also when nobody sleeps.  The
 * caller may hold tokens and locks.
 */
void
wakeup(const void *ident)
{
	wakeup_n(ident, INT_MAX);
}

/*
 * Models wakeup_one(): wake one thread interlocked or asleep on ident, the
 * last one queued.  Counted KC_WAKEUP, also when nobody sleeps.
 */
void
wakeup_one(const void *ident)
{
	wakeup_n(ident, 1);
}

/*
 * Models lwp_unsleep() of a kill: wake td if it is in a PCATCH sleep, so
 * that it finds its kill word set and returns EINTR (it dequeues itself).
 * The caller sets td's kill word first.  td's sleep queue is found by an
 * unlocked read; the seq_cst fences here and in tsleep_interlock make a
 * kill that races the sleeper's tsleep_interlock seen by one side even when
 * the caller does not hold the lock the sleeper queued under (netbsd's
 * exit kills sleepers of p_waitcv holding p_lock, not proc_lock).
 */
void
kern_td_signal(struct kern_td *td)
{
	const void *ident;
	struct slpque_bucket *b;

	atomic_thread_fence(memory_order_seq_cst);
	ident = atomic_load_explicit(&td->td_ident, memory_order_relaxed);
	if (ident == NULL)
		return;
	b = slpque_bucket(ident);
	kern_lockword_acquire(&b->sb_lock, false);
	if (td->td_queued && (td->td_sqflags & PCATCH) != 0 &&
	    atomic_load_explicit(&td->td_ident, memory_order_relaxed) == ident) {
		atomic_fetch_add_explicit(&td->td_wakeseq, 1,
		    memory_order_release);
		kern_futex_wake(&td->td_wakeseq, 1);
	}
	kern_lockword_release(&b->sb_lock, false);
}
