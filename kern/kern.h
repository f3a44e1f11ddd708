/*
 * kern.h - the model kernel every design runs on.
 *
 * Primitives keep their seed kernels' meaning so that a difference measured
 * between designs is a difference of design, not of helper quality:
 *   kern_cpu.c        curcpu, the machine, per-CPU memory, counters, threads
 *   kern_futex.c      futex wait/wake (the only way anything blocks)
 *   kern_token.c      DragonFly LWKT tokens (released while the holder sleeps)
 *   kern_sleep.c      DragonFly tsleep/wakeup/tsleep_interlock, PINTERLOCKED
 *   kern_mutex.c      NetBSD adaptive mutex, condvar, spin lock, backoff
 *   kern_taskqueue.c  per-CPU taskqueue threads, coalescing enqueue
 *   kern_biglock.c    the giant lock (kernel_lock, the MP lock)
 *   kern_work.c       kern_work(name), named stand-ins for unmodelled teardown
 *   kern_inject.c     seeded delay/yield injection at race windows
 *
 * Every lock records its owner so KASSERTs can check contracts; KASSERT is
 * never compiled out (tests rely on it).
 *
 * Each function's contract is at its definition: what it does, what the
 * caller must hold, what it returns with, whether it may sleep.  "May
 * sleep" means it may block until another thread acts.  A function whose
 * contract does not say so never sleeps: it may spin, and may wait
 * briefly for an internal lock word (a sleep-queue bucket, a taskqueue's
 * lock), which, unlike a kernel spin mutex, blocks on its futex when
 * contended.
 */
#ifndef KERN_H
#define KERN_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "reap.h"
#include "kern_tsa.h"

#define KERN_CACHELINE	64
#define __cacheline_aligned __attribute__((aligned(KERN_CACHELINE)))
#define __unused	__attribute__((unused))
#define __noreturn	__attribute__((noreturn))

/* Checked on every build, never compiled out by NDEBUG. */
#define KASSERT(cond, msg)						\
	do { if (__builtin_expect(!(cond), 0))				\
		kern_panic("%s:%d: assertion \"%s\" failed: %s",	\
		    __FILE__, __LINE__, #cond, (msg)); } while (0)
void	kern_panic(const char *fmt, ...) __noreturn
	    __attribute__((format(printf, 1, 2)));

/* ---- CPUs, the machine, counters, threads (kern_cpu.c) ---------------- */

enum kern_counter {
	KC_PROC_CREATE, KC_PROC_FREE,
	KC_LWP_CREATE, KC_LWP_FREE,	/* quiesce needs these four */
	KC_LWP_EXIT,		/* kern_lwp_exit_stamp: became a zombie */
	KC_LWP_ALLOC, KC_LWP_RECYCLE,
	KC_REAPER_WAKEUP,	/* a reaper/taskqueue thread ran */
	KC_SLEEP,		/* a blocking sleep began */
	KC_TICK_TIMEOUT,	/* a sleep ended by its tick timeout */
	KC_WAKEUP,		/* wakeup()/cv_broadcast()/ec wake issued */
	KC_FUTEX_WAKE,		/* FUTEX_WAKE syscalls */
	KC_SPIN,		/* backoff rounds in spin waits */
	KC_WORK,		/* + enum kern_work: named stand-ins run */
	KC_NCOUNTERS = KC_WORK + REAP_WORK_NAMES
};

struct kern_machine;

/* Thread-local model CPU of the calling thread (-1 if none). */
extern __thread int kern_curcpu;
static inline int mycpuid(void) { return kern_curcpu < 0 ? 0 : kern_curcpu; }

/* The machine: ncpus, hz, its books, the threads it created. */
struct kern_machine *kern_machine_create(const struct reap_config *);
void	kern_machine_destroy(struct kern_machine *);
int	kern_ncpus(const struct kern_machine *);
unsigned kern_hz(const struct kern_machine *);
const struct reap_config *kern_config(const struct kern_machine *);
/* Wall ns of `ticks` ticks of the calling thread's machine (hz 100 when
 * not attached); config.tick_ns scales it. */
uint64_t kern_ticks_to_ns(int ticks);

/*
 * Every thread that acts for a machine attaches to it (carriers do it in
 * lwp_enter, kern threads at start) so that counters and injection find it.
 */
extern __thread struct kern_machine *kern_curmach;
static inline void kern_attach(struct kern_machine *);	/* below */
struct kern_machine *kern_curmachine(void);		/* kern_curmach */

/* Per-CPU memory on `cpu`'s NUMA node (config's cpu_alloc), zeroed. */
void	*kern_percpu_alloc(struct kern_machine *, int cpu, size_t size);
void	kern_percpu_free(struct kern_machine *, int cpu, void *p, size_t size);

/* A thread of the machine (reaper, taskqueue), bound to `cpu` through the
 * config's bind callback and attached before fn runs.  Binding failure is
 * fatal (kern_panic): a bind that fails is never silently ignored. */
struct kern_thread;
struct kern_thread *kern_thread_create(struct kern_machine *, int cpu,
	    const char *name, void *(*fn)(void *), void *arg);
void	kern_thread_join(struct kern_thread *);
int	kern_machine_threads(struct kern_machine *, pid_t *tids, int max);

/* ---- futex (kern_futex.c) --------------------------------------------- */

/* Block while *addr == val; timeout_ns 0 means forever.  Returns 0,
 * ETIMEDOUT or EAGAIN (value changed) / EINTR (spurious). */
int	kern_futex_wait(_Atomic uint32_t *addr, uint32_t val, uint64_t timeout_ns);
void	kern_futex_wake(_Atomic uint32_t *addr, int nwake);	/* counted */
uint64_t kern_now_ns(void);			/* CLOCK_MONOTONIC */

/* ---- the books (kern_books.c) ----------------------------------------- */

/*
 * Event counters and the LWP lifecycle's books.  Every thread that counts
 * for a machine has a block of its own (struct kern_books), allocated on
 * its CPU's node through config.cpu_alloc and padded to cache lines; it
 * alone writes it, with plain (relaxed) stores: no RMW, no shared line,
 * not even between the threads that act on one CPU (a worker and its
 * CPU's taskqueue), which per-CPU books would make share one line with
 * locked adds.  A reader sums the blocks (kern_counter_read,
 * kern_stats_fill) at a quiesce point or from outside the timed loop.
 * -DKERN_NO_ACCOUNTING compiles out all of it but the four counters
 * quiesce needs (processes and LWPs created and freed).
 *
 * The LWP lifecycle is booked at the same two places in every design:
 * kern_lwp_exit_stamp() where the LWP becomes a zombie (exited, not
 * freed), kern_lwp_free_stamp() + kern_lwps_freed() where the design
 * accounts its free.  Each LWP embeds a struct kern_lwp_stamp.
 *
 * Exit-to-free latency: one exit in config.lat_every (REAP_LAT_SAMPLE by
 * default) of each thread's (the first included), whatever the design,
 * is stamped with the time; the free of that LWP hands exit->free to
 * config.lat_record.  A countdown in the books, not a division.
 *
 * Zombies.  zombies_now = the sum of exits - frees.  zombies_peak costs
 * no shared RMW: each block keeps the peak and the low of its own exits -
 * frees, and every stats read (the harness samples at a low rate from
 * outside the timed loop) keeps the largest of: the current sum, and over
 * blocks i, peak_i + the other blocks' lows (and 1 once an LWP exited).
 * Each is a lower bound of the true peak, so the peak reported is one
 * too.  It is exact when zombies
 * are freed by the thread that exited them (hybrid's per-CPU recycling,
 * netbsd's zombie slot) or sit where a read sees them; it misses a peak
 * that falls between two reads when zombies are spread over threads at
 * once, or are freed by another thread than the one that exited them
 * (dragonfly's taskqueue, lwp_wait): the lows then cancel the peaks and
 * only the samples (every 5 ms in the benchmark) see it.
 */
struct kern_books {
	_Atomic uint64_t kb_ctr[KC_NCOUNTERS];	/* relaxed, single writer */
	_Atomic int64_t kb_zpeak;	/* max of its exits - frees */
	_Atomic int64_t kb_zlow;	/* min of it (< 0: frees of LWPs that
					   another thread exited) */
	_Atomic uint64_t kb_free_ns;	/* its latest free (free_stamp) */
	int	kb_lat_left;		/* exits to the next stamp (writer's) */
	struct kern_books *kb_next;	/* the machine's list */
	pid_t	kb_tid;			/* the writer */
	int	kb_cpu;			/* allocated on this CPU's node */
} __cacheline_aligned;

struct kern_lwp_stamp {
	_Atomic uint64_t ls_exit_ns;	/* exit time if sampled, else 0 */
};

/* What the inline books read of a machine: its first member. */
struct kern_machine_hot {
	struct reap_quiesce_wait *mh_qwait;	/* config.quiesce_wait */
	void	(*mh_lat_record)(int cpu, uint64_t ns, void *ctx);
	void	*mh_ctx;
	bool	mh_fence;		/* no membarrier: fence every free */
	bool	mh_free_stamp;		/* config.free_stamp */
	int	mh_lat_every;		/* config.lat_every, or its default */
	uint64_t mh_work_ns[REAP_WORK_NAMES];	/* config.work_ns */
};
#define KERN_MACHINE_HOT(m) \
	((const struct kern_machine_hot *)(const void *)(m))

/* The calling thread's block for m; the slow path finds or makes it.
 * The thread caches the block of the machine it is attached to;
 * kern_attach drops the cache when the machine changes, or when any
 * machine was destroyed since (an epoch), so a new machine at a freed
 * one's address is never given the old block. */
extern __thread struct kern_books *kern_tls_books;
extern __thread uint64_t kern_tls_books_epoch;
extern _Atomic uint64_t kern_books_epoch;
struct kern_books *kern_books_lookup(struct kern_machine *);
static inline struct kern_books *
kern_books_of(struct kern_machine *m)
{
	if (__builtin_expect(m == kern_curmach && kern_tls_books != NULL, 1))
		return kern_tls_books;
	return kern_books_lookup(m);
}

/*
 * Make m the calling thread's machine (NULL: none), the one its counts,
 * kern_work, tick lengths and injection use.  Thread-local; inline, as
 * designs attach on every entry (a carrier's lwp_enter).
 */
static inline void
kern_attach(struct kern_machine *m)
{
	uint64_t epoch = atomic_load_explicit(&kern_books_epoch,
	    memory_order_relaxed);

	if (m != kern_curmach || epoch != kern_tls_books_epoch) {
		kern_tls_books = NULL;	/* the books' cache */
		kern_tls_books_epoch = epoch;
	}
	kern_curmach = m;
}

static inline uint64_t
kern_books_add(struct kern_books *b, enum kern_counter c, uint64_t n)
{
	uint64_t v = atomic_load_explicit(&b->kb_ctr[c],
	    memory_order_relaxed) + n;

	atomic_store_explicit(&b->kb_ctr[c], v, memory_order_relaxed);
	return v;
}

/* A full fence.  gcc's ThreadSanitizer refuses fences: there, a seq_cst
 * RMW of a word of the thread's own, which x86 makes a full fence too. */
#ifdef __SANITIZE_THREAD__
extern __thread _Atomic int kern_fence_word;
#define kern_fence() \
	((void)atomic_fetch_add_explicit(&kern_fence_word, 0, \
	    memory_order_seq_cst))
#else
#define kern_fence()	atomic_thread_fence(memory_order_seq_cst)
#endif

/*
 * After a free: a registered quiesce waiter (reap.h) is woken if its
 * targets are met.  The waiter's membarrier() after it registers orders
 * this load after the free's store on every CPU (folly's asymmetric
 * fence); where membarrier is missing every free pays a fence instead.
 */
void	kern_free_wake(struct kern_machine *);

/*
 * Before a free is counted: with config.free_stamp, its time in the
 * freeing thread's own books.  The release fence orders it before the
 * count, so a reader that has seen the count (kern_stats_fill: acquire
 * fence between) sees the stamp; gcc's TSan refuses fences (x86 keeps
 * the order anyway).
 */
static inline void
kern_free_stamp(struct kern_machine *m, struct kern_books *b)
{
	if (!KERN_MACHINE_HOT(m)->mh_free_stamp)
		return;
	atomic_store_explicit(&b->kb_free_ns, kern_now_ns(),
	    memory_order_relaxed);
#ifndef __SANITIZE_THREAD__
	atomic_thread_fence(memory_order_release);
#endif
}
static inline void
kern_free_poke(struct kern_machine *m)
{
	const struct kern_machine_hot *h = KERN_MACHINE_HOT(m);

	if (h->mh_qwait == NULL)
		return;
	if (h->mh_fence)
		kern_fence();
	else
		atomic_signal_fence(memory_order_seq_cst);
	if ((atomic_load_explicit(&h->mh_qwait->rq_word,
	    memory_order_relaxed) & 1u) != 0)
		kern_free_wake(m);
}

/* Count on the calling thread's machine (nothing if not attached). */
static inline void
kern_count_n(enum kern_counter c, uint64_t n)
{
	struct kern_machine *m = kern_curmach;
	struct kern_books *b;

#ifdef KERN_NO_ACCOUNTING
	if (c > KC_LWP_FREE)
		return;
#endif
	if (m == NULL)
		return;
	b = kern_books_of(m);
	if (c == KC_LWP_FREE || c == KC_PROC_FREE)
		kern_free_stamp(m, b);
	(void)kern_books_add(b, c, n);
	if (c == KC_LWP_FREE || c == KC_PROC_FREE)
		kern_free_poke(m);
}

static inline void
kern_count(enum kern_counter c)
{
	kern_count_n(c, 1);
}

uint64_t kern_counter_read(struct kern_machine *, enum kern_counter);

/* An LWP became a zombie. */
static inline void
kern_lwp_exit_stamp(struct kern_machine *m, struct kern_lwp_stamp *s)
{
#ifndef KERN_NO_ACCOUNTING
	struct kern_books *b = kern_books_of(m);
	uint64_t n = kern_books_add(b, KC_LWP_EXIT, 1);
	int64_t z = (int64_t)(n - atomic_load_explicit(
	    &b->kb_ctr[KC_LWP_FREE], memory_order_relaxed));

	if (z > atomic_load_explicit(&b->kb_zpeak, memory_order_relaxed))
		atomic_store_explicit(&b->kb_zpeak, z, memory_order_relaxed);
	if (KERN_MACHINE_HOT(m)->mh_lat_record != NULL) {
		if (b->kb_lat_left <= 1) {	/* 0: the thread's first */
			b->kb_lat_left = KERN_MACHINE_HOT(m)->mh_lat_every;
			atomic_store_explicit(&s->ls_exit_ns, kern_now_ns(),
			    memory_order_relaxed);
		} else
			b->kb_lat_left--;
	}
#else
	(void)m;
	(void)s;
#endif
}

/* Where the design frees the LWP: report a stamped one's latency. */
void	kern_lat_report(struct kern_machine *, struct kern_lwp_stamp *);
static inline void
kern_lwp_free_stamp(struct kern_machine *m, struct kern_lwp_stamp *s)
{
#ifndef KERN_NO_ACCOUNTING
	if (atomic_load_explicit(&s->ls_exit_ns, memory_order_relaxed) != 0)
		kern_lat_report(m, s);
#else
	(void)m;
	(void)s;
#endif
}

/* n LWPs freed: KC_LWP_FREE; a quiesce waiter whose targets are met is
 * woken. */
static inline void
kern_lwps_freed(struct kern_machine *m, unsigned n)
{
	struct kern_books *b = kern_books_of(m);
	uint64_t f;

	kern_free_stamp(m, b);
	f = kern_books_add(b, KC_LWP_FREE, n);
#ifndef KERN_NO_ACCOUNTING
	int64_t z = (int64_t)(atomic_load_explicit(&b->kb_ctr[KC_LWP_EXIT],
	    memory_order_relaxed) - f);

	if (z < atomic_load_explicit(&b->kb_zlow, memory_order_relaxed))
		atomic_store_explicit(&b->kb_zlow, z, memory_order_relaxed);
#else
	(void)f;
#endif
	kern_free_poke(m);
}

/* Fill the kernel-counted fields of a reap_stats (and keep the peak). */
void	kern_stats_fill(struct kern_machine *, struct reap_stats *);

/* ---- per-thread sleep state and signals (kern_sleep.c) ---------------- */

/*
 * Each pthread has one type-stable struct kern_td (never freed, reused),
 * so another thread may always poke it: a stale poke is only a spurious
 * wakeup.  A carrier points its td at the running LWP's kill word so that
 * an interruptible sleep (PCATCH, cv_wait_sig) returns EINTR once the LWP
 * is killed; kern_td_signal() wakes such a sleep.
 */
struct kern_td;
struct kern_td *kern_curtd(void);
pid_t	kern_td_tid(const struct kern_td *);
void	kern_td_setsig(_Atomic int *sigword);	/* NULL: not interruptible */
bool	kern_td_sigpending(void);		/* *sigword != 0 */
void	kern_td_signal(struct kern_td *);	/* wake an interruptible sleep */

/* ---- NetBSD krwlock, readers-try / one writer (kern_rwlock.c) ------- */

struct krwlock {
	_Atomic uint32_t rw_word;	/* readers | RW_WAITERS | WRITE_WANTED */
};
void	rw_init(struct krwlock *);
void	rw_destroy(struct krwlock *);
bool	rw_tryenter_read(struct krwlock *);	/* false: writer wants it */
void	rw_exit_read(struct krwlock *);
void	rw_enter_write(struct krwlock *);	/* held until destroyed */

/* ---- DragonFly LWKT tokens (kern_token.c) ----------------------------- */

/*
 * A token is held by a thread, may be re-acquired by its holder, and is
 * released while the holder blocks in tsleep (all of them) and reacquired
 * before tsleep returns.  So tokens serialise only between blocking points.
 */
/*
 * Tokens carry no clang capability attributes: re-acquisition by the
 * holder and implicit release while blocked are not expressible in clang's
 * thread-safety analysis; ASSERT_LWKT_TOKEN_HELD checks them at run time.
 */
struct lwkt_token {
	_Atomic uint32_t t_word;	/* 0 free, 1 held, 2 held+waiters */
	struct kern_td *_Atomic t_owner; /* holder, for asserts */
	const char *t_desc;
};
#define LWKT_TOKEN_INITIALIZER(desc) { 0, NULL, (desc) }
void	lwkt_token_init(struct lwkt_token *, const char *desc);
void	lwkt_gettoken(struct lwkt_token *tok);
void	lwkt_reltoken(struct lwkt_token *tok);
bool	lwkt_token_held(struct lwkt_token *);	/* by the caller */
#define ASSERT_LWKT_TOKEN_HELD(tok) \
	KASSERT(lwkt_token_held(tok), "token not held: " #tok)
/* Release every token the caller holds / reacquire them (tsleep does it). */
int	lwkt_token_release_all(void);
void	lwkt_token_reacquire_all(int saved);

/* ---- DragonFly tsleep/wakeup (kern_sleep.c) --------------------------- */

#define PCATCH		0x0100	/* interruptible: EINTR if the LWP is killed */
#define PINTERLOCKED	0x0400	/* tsleep_interlock() was called first */

/*
 * tsleep_interlock(ident) queues the caller on ident before it tests its
 * condition; a wakeup(ident) after that point is never lost: the following
 * tsleep(ident, PINTERLOCKED, ...) returns at once.  timo is in ticks of
 * the machine's hz (0: forever); returns 0, EWOULDBLOCK on timeout (counted
 * KC_TICK_TIMEOUT) or EINTR.  Tokens held are released while asleep.
 */
void	tsleep_interlock(const void *ident, int flags);
int	tsleep(const void *ident, int flags, const char *wmesg, int timo);
void	wakeup(const void *ident);		/* wake all sleepers on ident */
void	wakeup_one(const void *ident);
/* What the calling thread sleeps on now (for hang dumps). */
const char *kern_td_wmesg(const struct kern_td *);

/* ---- NetBSD mutex, condvar, spin lock (kern_mutex.c) ------------------ */

/* Adaptive mutex: spins a bounded while, then blocks on a futex. */
struct KERN_CAPABILITY("mutex") kmutex {
	_Atomic uint32_t mtx_word;	/* 0 free, 1 held, 2 held+waiters */
	struct kern_td *_Atomic mtx_owner;
};
#define KMUTEX_INITIALIZER { 0, NULL }
void	mutex_init(struct kmutex *);
void	mutex_destroy(struct kmutex *);
void	mutex_enter(struct kmutex *mtx) KERN_ACQUIRE(*mtx);
void	mutex_exit(struct kmutex *mtx) KERN_RELEASE(*mtx);
bool	mutex_tryenter(struct kmutex *mtx) KERN_TRY_ACQUIRE(true, *mtx);
bool	mutex_owned(struct kmutex *);
#define KASSERT_MUTEX_OWNED(m) KASSERT(mutex_owned(m), "mutex not owned: " #m)

/* Condition variable on the shared sleep queues: broadcast and signal
 * wake only when the waiter count says someone waits.  cv_seq is bumped
 * by them but read by nobody.  Waiters re-test their condition. */
struct kcondvar {
	_Atomic uint32_t cv_seq;
	_Atomic uint32_t cv_waiters;
	const char *cv_wmesg;
};
void	cv_init(struct kcondvar *, const char *wmesg);
void	cv_destroy(struct kcondvar *);
void	cv_wait(struct kcondvar *cv, struct kmutex *mtx) KERN_REQUIRES(*mtx);
int	cv_wait_sig(struct kcondvar *cv, struct kmutex *mtx) KERN_REQUIRES(*mtx);
/* ticks of hz; EWOULDBLOCK on timeout (counted KC_TICK_TIMEOUT). */
int	cv_timedwait(struct kcondvar *cv, struct kmutex *mtx, int ticks)
	    KERN_REQUIRES(*mtx);
int	cv_timedwait_sig(struct kcondvar *cv, struct kmutex *mtx, int ticks)
	    KERN_REQUIRES(*mtx);
void	cv_broadcast(struct kcondvar *);
void	cv_signal(struct kcondvar *);
bool	cv_has_waiters(struct kcondvar *);

/* Spin lock (NetBSD's per-CPU lwp_lock / spin mutex) with backoff. */
struct KERN_CAPABILITY("spinlock") kspin {
	_Atomic uint32_t sp_word;
	struct kern_td *_Atomic sp_owner;
} __cacheline_aligned;
void	kspin_init(struct kspin *);
void	kspin_lock(struct kspin *sp) KERN_ACQUIRE(*sp);
void	kspin_unlock(struct kspin *sp) KERN_RELEASE(*sp);
bool	kspin_owned(struct kspin *);

/* SPINLOCK_BACKOFF: exponential pause; past a bound it yields the PU, since
 * the model runs oversubscribed and a preempted holder must get to run. */
#define SPINLOCK_BACKOFF_MIN	4
#define SPINLOCK_BACKOFF_MAX	128
void	kern_backoff(unsigned *count);

/* ---- per-CPU taskqueues (kern_taskqueue.c) ---------------------------- */

/* DragonFly taskqueue: enqueue of an already pending task coalesces
 * (ta_pending grows); the function then runs once with the count. */
struct task {
	struct task *ta_next;		/* q: queue linkage */
	int	ta_pending;		/* q: enqueues since it last ran */
	void	(*ta_func)(void *ctx, int pending);
	void	*ta_ctx;
};
#define TASK_INIT(t, f, c) \
	do { (t)->ta_next = NULL; (t)->ta_pending = 0; \
	     (t)->ta_func = (f); (t)->ta_ctx = (c); } while (0)
struct taskqueue;
/* One taskqueue thread per CPU, bound to that CPU. */
struct taskqueue **taskqueue_create_percpu(struct kern_machine *, const char *name);
/* Drain pending tasks, stop and free the threads. */
void	taskqueue_destroy_percpu(struct kern_machine *, struct taskqueue **);
/* Returns 0 if queued, EALREADY if it was pending (coalesced). */
int	taskqueue_enqueue(struct taskqueue *, struct task *);
/* Wait until no task is pending or running on this queue. */
void	taskqueue_drain_all(struct taskqueue *);
struct kern_td *taskqueue_td(struct taskqueue *);
int	taskqueue_cpu(struct taskqueue *);

/* ---- the giant lock (kern_biglock.c) ---------------------------------- */

/*
 * One lock for the whole machine, as NetBSD's kernel_lock and DragonFly's
 * MP lock: taken where a historical seed takes it (netbsd-2007,
 * dragonfly-2010), so that the variants keep the serialisation their
 * kernels had.  Recursive; outermost (the first hold is taken holding no
 * token or mutex); let go while its holder sleeps (tsleep, cv_wait) or
 * blocks on a mutex, and taken back before that returns.  Contention is counted KC_SPIN and
 * KC_SLEEP like a mutex's.  The calling thread is attached to a machine.
 */
void	kern_biglock_enter(void);		/* KERNEL_LOCK(1), get_mplock */
void	kern_biglock_exit(void);		/* KERNEL_UNLOCK_ONE, rel_mplock */
int	kern_biglock_release_all(void);		/* KERNEL_UNLOCK_ALL: holds */
void	kern_biglock_reacquire(int holds);	/* KERNEL_LOCK(holds) */
bool	kern_biglock_held(void);

/* ---- stand-in work (kern_work.c) -------------------------------------- */

/*
 * Named stand-ins for releases the model does not simulate (reap.h).
 * Each design calls every name once per LWP (KW_LWP_*) or once per
 * process, at its seed's place and under its locks; hybrid and floor at
 * the equivalent step.  The seeds' names for each:
 */
enum kern_work {
	/* per LWP */
	KW_LWP_CRFREE,	/* the LWP's cred: DragonFly lwp_exit crfree(td_ucred),
			   NetBSD lwp_exit kauth_cred_free(l_cred) */
	KW_LWP_STACK,	/* thread + kernel stack: lwkt_free_thread,
			   uvm_lwp_exit in lwp_free */
	/* per process */
	KW_FDFREE,	/* the file table: fdfree, fd_free in exit1 */
	KW_VMSPACE_EXIT, /* unmapping the address space: vmspace_relexit
			   (exit1), uvm_proc_exit's unmap (exit1) */
	KW_SIGCHLD,	/* SIGCHLD to the parent: ksignal, exit_psignal */
	KW_SIGACTSFREE,	/* signal actions: sigacts release in kern_wait,
			   sigactsfree in exit1 */
	KW_CRFREE,	/* the process's cred: crfree(p_ucred) in kern_wait,
			   kauth_cred_free in proc_free */
	KW_VMSPACE_FREE, /* the vmspace itself: vmspace_exitfree (kern_wait),
			   uvmspace_free (uvm_proc_exit, exit1) */
	KW_NNAMES
};
_Static_assert(KW_NNAMES == REAP_WORK_NAMES, "reap.h's REAP_WORK_NAMES");
_Static_assert(KW_FDFREE == REAP_WORK_LWP, "reap.h's REAP_WORK_LWP");

/* Busy-wait ns wall nanoseconds (a pause loop). */
void	kern_work_ns(uint64_t ns);

/* Stand-in `w`: counted in the caller's books (KC_WORK + w), then busy
 * for the machine's config.work_ns[w] ns; nothing when the caller is not
 * attached to a machine.  Never sleeps.  Inline: at 0 ns it is a count,
 * and a call per stand-in was the harness's largest share of a churn
 * profile (issue 13). */
static inline void
kern_work(enum kern_work w)
{
	struct kern_machine *m = kern_curmach;
	uint64_t ns;

	KASSERT((unsigned)w < KW_NNAMES, "kern_work: unknown stand-in");
	if (m == NULL)
		return;
	kern_count((enum kern_counter)(KC_WORK + w));
	ns = KERN_MACHINE_HOT(m)->mh_work_ns[w];
	if (ns != 0)
		kern_work_ns(ns);
}

/* ---- injection (kern_inject.c) ---------------------------------------- */

/*
 * KERN_INJECT("design.fn.window") marks a race window.  The benchmark build
 * (-DKERN_NO_INJECT) compiles it out.  In test builds it is off until
 * kern_inject_enable(seed) and then, at each hit, delays or yields at
 * random from a per-thread stream derived from the seed, so a failure can
 * be replayed from the seed.  kern_inject_widen(name, us) makes one point
 * always sleep `us` microseconds, to widen a specific window in a test;
 * kern_inject_widen_every(name, us, n) only every n-th hit (a schedule).
 */
struct kern_inject_point {
	const char *ip_name;
	_Atomic uint64_t ip_hits;
	_Atomic uint32_t ip_widen_us;
	struct kern_inject_point *_Atomic ip_next;
	_Atomic int ip_registered;
};
#ifdef KERN_NO_INJECT
#define KERN_INJECT(name)	do { } while (0)
#else
#define KERN_INJECT(name) do {						\
	static struct kern_inject_point kern_ip__ = { .ip_name = (name) }; \
	kern_inject(&kern_ip__);					\
} while (0)
#endif
void	kern_inject(struct kern_inject_point *);
void	kern_inject_enable(uint64_t seed, unsigned permille);
void	kern_inject_disable(void);
uint64_t kern_inject_seed(void);
void	kern_inject_widen(const char *name, unsigned us);
void	kern_inject_widen_every(const char *name, unsigned us, unsigned every);
uint64_t kern_inject_hits(const char *name);	/* 0 if never reached */
void	kern_inject_reset_hits(void);

#endif /* KERN_H */
