/*
 * hybrid.h - the hybrid design: a lock-free exit/reap core.
 *
 * The protocol, its hazards and what each seed idea became are told in
 * impls/hybrid/README.md; the protocol is modelled step by step in
 * models/hybrid.pml and the code names the model's steps in brackets:
 *
 *   [E1..E9]  lwp_exit          (hy_exit.c)   [K1..K3] proc_exit's kill
 *   [Z1..Z6]  the process exit of the last LWP (hy_exit.c)
 *   [R1..R4]  reclaim of a per-CPU batch (hy_reclaim.c)
 *   [C1..C3]  collect a joinable zombie (hy_wait.c)
 *   [W1..W3]  the parent's proc_wait (hy_wait.c)
 *   [O1..O4]  an observer's lwp_hold/lwp_rele (hy_lwp.c)
 *   [N1..N3]  lwp_create: slot, admission, publication (hy_lwp.c)
 *   [P1..P5]  proc_hold/proc_rele and the reap's unhash (hy_pid.c)
 *
 * Lock legend (NetBSD lwp.h style; for atomics the tag names the order):
 *
 *	(	stable while the object is in use (set before publication)
 *	!	only the LWP's carrier
 *	a	atomic; the order is named at each access
 *	o	owner of the list the LWP is on (taken whole or pushed)
 *	w	p->p_waitlock (lwp_wait bookkeeping: never on an exit path)
 *	k	p->p_kidlock of the process named (the process tree)
 *
 * Every field another thread reads without owning it (lookups and
 * claims on type-stable LWPs, the reclaimer, waiters, stats) is a.  The
 * plain fields change hands only by a release/acquire edge: l_next with
 * the list (o), l_td/l_cpu/l_nvcsw from the creator's l_state release to
 * the carrier's l_oncpu release (!), p_xstat before the RMW setting
 * PS_ZOMB.
 *
 * Nothing on an LWP's exit path takes a lock.  The only locks are
 * p_waitlock (lwp_wait's deadlock bookkeeping, taken by waiters only) and
 * p_kidlock (the process tree, taken by fork, proc_wait and by the exit of
 * a process that still has children).  Order: p_kidlock of a process, then
 * init's p_kidlock.
 */
#ifndef HYBRID_H
#define HYBRID_H

#include "kern.h"
#include "kern_eventcount.h"

/* ---- sizes ---------------------------------------------------------------- */

#define HY_CHUNK	64		/* LWP slots per table chunk */
#define HY_NCHUNK	64		/* chunks per process */
#define HY_MAXLWP	(HY_CHUNK * HY_NCHUNK)	/* live+zombie LWPs per proc */
#define HY_SLOTBITS	12		/* lid = (gen << 12 | slot) + 1 */
#define HY_GENMASK	0x3ffffu	/* 18 bits: lids stay positive */
#define HY_NEC		256		/* eventcount buckets per kind */
#define HY_BATCH	32		/* dead LWPs per CPU that force a batch */
#define HY_CACHE_MAX	64		/* per-CPU free cache before spilling */
#define HY_PIDBITS	15		/* pid = gen << 15 | slot */
#define HY_NPIDSLOT	(1 << HY_PIDBITS)	/* live + unreaped processes */
#define HY_PIDMASK	(HY_NPIDSLOT - 1)
#define HY_PIDGENMASK	0xffffu		/* pids stay positive */

/* config.variant bits.  The mutants are honoured only with REAP_MUTANTS. */
#define HY_MUT_RELAXED_OFFCPU	0x100u	/* off-CPU store/check relaxed */
#define HY_MUT_BATCH_NOXCHG	0x200u	/* batch taken by load + store */

/* ---- the process state word --------------------------------------------- */

/*
 * p_state packs what exit, kill and reap decide on, so that "am I the last
 * live LWP?" is one fetch_sub and the waits on it need no lock: it is also
 * the futex word the killer (live == 1) and the reaping parent (holds == 0)
 * sleep on.  PS_WAITERS says someone sleeps on it; a changer wakes only
 * when its change makes a waiter's condition true (hy_proc_state_wake).
 * The live count counts LWPs and nothing else: lwp_create takes it by CAS
 * only when admitted [N2], never as a transient count undone later, so
 * once PS_WEXIT is set or it reaches 0 it can only go down.
 */
#define PS_LIVE_ONE	0x00000001u	/* LWPs that have not exited */
#define PS_LIVE_MASK	0x0000ffffu
#define PS_HOLD_ONE	0x00010000u	/* PHOLD: exit still touching p */
#define PS_HOLD_MASK	0x00ff0000u
#define PS_WEXIT	0x01000000u	/* proc_exit won: P_WEXIT */
#define PS_ZOMB		0x02000000u	/* process is a zombie (SZOMB) */
#define PS_KIDSGONE	0x04000000u	/* children moved to init */
#define PS_WAITERS	0x08000000u	/* someone futex-waits on p_state */

#define PS_LIVE(w)	((w) & PS_LIVE_MASK)
#define PS_HOLDS(w)	(((w) & PS_HOLD_MASK) >> 16)

/* ---- LWPs ---------------------------------------------------------------- */

/* l_state: life << 32 | LS_*.  The life is bumped at every free, so a
 * stale claim (CAS) from an earlier life of recycled memory fails. */
#define LS_FREE		0u	/* in a cache (type-stable memory) */
#define LS_RUN		1u	/* created, live */
#define LS_ZOMB		2u	/* exited joinable: collectable */
#define LS_DEAD		3u	/* exited and unlinked: waits for reclaim */
#define LS_STAT(s)	((uint32_t)((s) & 0xffu))
#define LS_LIFE(s)	((s) >> 32)
#define LS_MAKE(life, st) (((uint64_t)(life) << 32) | (st))

/* l_refs: observer holds. */
#define LR_DEAD		0x80000000u	/* exiting: no new holds */
#define LR_WAITERS	0x40000000u	/* the exiting carrier sleeps */
#define LR_COUNT(r)	((r) & 0x3fffffffu)

struct reap_lwp {
	/*
	 * Header: type-stable and never poisoned, since stale lookups and
	 * claims may read it after the LWP was freed and reused (as NetBSD's
	 * lwp_cache keeps its constructed fields).
	 */
	_Atomic uint64_t l_state;	/* a: life << 32 | LS_* */
	_Atomic lwpid_t	l_lid;		/* a: id in this life (release) */
	_Atomic uint32_t l_flags;	/* a: REAP_DETACHED in this life */
	_Atomic uint32_t l_refs;	/* a: LR_DEAD|LR_WAITERS|holds */
	_Atomic uint32_t l_oncpu;	/* a: 1 until the final release store */
	struct reap_proc *_Atomic l_proc; /* a: process in this life */
	_Atomic lwpid_t	l_waitingfor;	/* w (read a): lid it lwp_waits for */
	struct reap_lwp	*l_next;	/* o: dead list / free cache link */
	struct reap_lwp	*l_allnext;	/* (: every LWP of the sys, for destroy */
	/* Body: poisoned (ASan) while the LWP is free. */
	struct kern_td	*l_td __attribute__((aligned(16))); /* !: carrier */
	int		 l_cpu;		/* !: carrier's CPU at lwp_enter */
	uint64_t	 l_nvcsw;	/* !: switch-outs, written in the window
					   [E8]; folded by the reclaimer [R4] */
	struct kern_lwp_stamp l_stamp;	/* exit [E3] -> free [R4] (kern.h) */
} __cacheline_aligned;

/* ---- processes ----------------------------------------------------------- */

/* p_orefs: observers' proc_hold holds. */
#define PR_DEAD		0x80000000u	/* reaped or free: no new holds */
#define PR_COUNT(r)	((r) & 0x7fffffffu)

struct hy_chunk {
	struct reap_lwp *_Atomic c_lwp[HY_CHUNK];	/* a: slot -> LWP */
	_Atomic uint32_t c_gen[HY_CHUNK];	/* a: slot's lid generation */
};

struct reap_proc {
	/* Header: type-stable and never poisoned, since stale lookups may
	 * read it after the process was freed and reused (hy_pid.c). */
	_Atomic uint32_t p_orefs;	/* a: PR_DEAD | proc_hold holds */
	_Atomic pid_t	 p_lkpid;	/* a: pid in this life (release) */
	struct reap_proc *p_cnext;	/* o: per-CPU process cache link */
	struct reap_proc *p_allnext;	/* (: every process memory, destroy */
	/* Body: poisoned (ASan) while free. */
	struct reap_sys	*p_sys;		/* ( */
	pid_t		 p_pid;		/* ( */
	int		 p_xstat;	/* exit status: written by the exiting
					   LWP before PS_ZOMB (acq_rel) */
	_Atomic uint32_t p_state __cacheline_aligned; /* a: PS_* */
	_Atomic int	 p_killed;	/* a: the LWPs' kill word (td sigword) */
	_Atomic int32_t	 p_njoin;	/* a: joinable LWPs not yet collected */
	_Atomic int32_t	 p_nzomb;	/* a: joinable zombies (scan hint) */
	/* lwp_wait bookkeeping, never taken on an exit path. */
	struct kmutex	 p_waitlock __cacheline_aligned;
	int		 p_nlwpwait;	/* w: LWPs in lwp_wait */
	/* The process tree. */
	struct kmutex	 p_kidlock __cacheline_aligned;
	struct reap_proc *_Atomic p_kids;	/* k (read a seq_cst) */
	struct reap_proc *p_sibling;	/* k of the parent */
	struct reap_proc *p_pptr;	/* k of the parent */
	_Atomic pid_t	 p_ppid;	/* k of the parent; read a seq_cst by
					   the exiting child [Z4] */
	/* LWP table: lid -> LWP, lock-free lookups (type-stable chunks). */
	_Atomic uint64_t p_slotmap[HY_NCHUNK] __cacheline_aligned; /* a */
	struct hy_chunk *_Atomic p_chunks[HY_NCHUNK];	/* a: set once */
};

/* ---- the system and its CPUs -------------------------------------------- */

/* One model CPU's reclaim state, on its own cache line(s). */
struct hy_cpu {
	struct reap_lwp *_Atomic pc_dead;	/* a: dead LWPs: push CAS
						   release, take xchg acquire */
	_Atomic uint32_t pc_ndead;		/* a: relaxed, >= list length */
	struct reap_lwp *_Atomic pc_free;	/* a: free cache, same rules */
	_Atomic uint32_t pc_nfree;		/* a: relaxed, approximate */
	_Atomic uint64_t pc_batches;		/* a: reclaim batches run */
	_Atomic uint64_t pc_deferred;		/* a: LWPs found on CPU [R3] */
	_Atomic uint64_t pc_nvcsw;		/* a: folded l_nvcsw [R4] */
	struct reap_proc *_Atomic pc_pfree;	/* a: free process memory:
						   push CAS, take xchg */
} __cacheline_aligned;

/* A pid slot: the process published under it, and its generation. */
struct hy_pidslot {
	struct reap_proc *_Atomic ps_proc; /* a: release by fork, acquire by
					      lookups; NULL when free */
	_Atomic uint32_t ps_gen;	/* a: relaxed; the bit's owner writes */
};

/* One CPU's range of the pid table, on its node. */
struct hy_pidrange {
	_Atomic uint32_t pr_cur;	/* a: relaxed: where forks look first */
	_Atomic uint64_t pr_map[HY_NPIDSLOT / 64] __cacheline_aligned;
					/* a: slot in use: CAS acquire,
					   clear fetch_and release; only the
					   first s_pidwords are used */
	struct hy_pidslot pr_slot[];	/* s_pidwords * 64 */
};

struct hy_ecb {
	struct kern_ec	 e_ec;
} __cacheline_aligned;

struct reap_sys {
	struct kern_machine *s_mach;	/* ( */
	int		 s_ncpus;	/* ( */
	unsigned	 s_variant;	/* ( */
	struct hy_cpu	**s_cpu;	/* ( */
	struct reap_proc *s_init;	/* ( */
	struct reap_lwp	*s_initlwp;	/* ( */
	struct hy_pidrange **s_pidrange; /* ( per CPU: the pid table */
	int		 s_pidwords;	/* ( bitmap words per range */
	struct reap_proc *_Atomic s_pall; /* a: every process memory */
	struct reap_lwp *_Atomic s_spill; /* a: shared free list (Go's gFree) */
	struct reap_lwp *_Atomic s_all;	/* a: every LWP allocated (destroy) */
	_Atomic uint64_t s_nalloc;	/* a */
	/* Eventcounts hashed by pid, in memory that outlives processes, so an
	 * exiting LWP may wake after it can no longer touch its process. */
	struct hy_ecb	 s_lwpec[HY_NEC];	/* lwp_wait waiters of a pid */
	struct hy_ecb	 s_childec[HY_NEC];	/* proc_wait waiters of a pid */
};

/* ---- shared helpers -------------------------------------------------------- */

static inline bool
hy_mutant(const struct reap_sys *s, unsigned bit)
{
#ifdef REAP_MUTANTS
	return (s->s_variant & bit) != 0;
#else
	(void)s; (void)bit;
	return false;
#endif
}

static inline int
hy_cpu_index(const struct reap_sys *s)
{
	return (int)((unsigned)mycpuid() % (unsigned)s->s_ncpus);
}

/* Counters go to the machine of the calling thread: attach it. */
static inline void
hy_attach(const struct reap_sys *s)
{
	if (kern_curmachine() != s->s_mach)
		kern_attach(s->s_mach);
}

static inline struct kern_ec *
hy_lwpec(struct reap_sys *s, pid_t pid)
{
	return &s->s_lwpec[(unsigned)pid % HY_NEC].e_ec;
}

static inline struct kern_ec *
hy_childec(struct reap_sys *s, pid_t pid)
{
	return &s->s_childec[(unsigned)pid % HY_NEC].e_ec;
}

static inline bool
hy_proc_killed(struct reap_proc *p)
{
	return atomic_load_explicit(&p->p_killed, memory_order_seq_cst) != 0;
}

static inline int
hy_lid_slot(lwpid_t lid)
{
	return (int)(((uint32_t)lid - 1) & (HY_MAXLWP - 1));
}

static inline lwpid_t
hy_lid_make(int slot, uint32_t gen)
{
	return (lwpid_t)((((gen & HY_GENMASK) << HY_SLOTBITS) |
	    (uint32_t)slot) + 1);
}

/* hy_lwp.c */
struct reap_lwp *hy_lwp_lookup(struct reap_proc *, lwpid_t, uint64_t *statep);
void	hy_slot_free(struct reap_proc *, lwpid_t);
void	hy_proc_state_wake(struct reap_proc *, uint32_t old, uint32_t new);
void	hy_lwp_rele(struct reap_lwp *);

/* hy_pid.c */
void	hy_pid_init(struct reap_sys *);
void	hy_pid_fini(struct reap_sys *);
pid_t	hy_pid_alloc(struct reap_sys *);
void	hy_pid_publish(struct reap_sys *, struct reap_proc *);
struct reap_proc *hy_proc_mem_get(struct reap_sys *, pid_t);
void	hy_proc_mem_put(struct reap_sys *, struct reap_proc *);
void	hy_proc_reaped(struct reap_proc *);
struct reap_proc *hy_proc_hold(struct reap_sys *, pid_t);
void	hy_proc_rele(struct reap_proc *);

/* hy_exit.c */
void	hy_lwp_exit(struct reap_lwp *);
void	hy_proc_exit(struct reap_lwp *, int status);
void	hy_proc_reparent_locked(struct reap_proc *p) KERN_REQUIRES(p->p_kidlock);
void	hy_proc_state_await(struct reap_proc *, bool (*cond)(uint32_t),
	    const char *wmesg);
void	hy_proc_await_reapable(struct reap_proc *);

/* hy_wait.c */
int	hy_lwp_wait(struct reap_lwp *, lwpid_t, lwpid_t *);
pid_t	hy_proc_wait(struct reap_lwp *, pid_t, int *, int);
void	hy_lwp_collect(struct reap_proc *, struct reap_lwp *, lwpid_t);
void	hy_proc_free(struct reap_proc *);

/* hy_reclaim.c */
struct reap_lwp *hy_lwp_alloc(struct reap_sys *, bool *recycled);
void	hy_lwp_dead_push(struct reap_sys *, int cpu, struct reap_lwp *);
void	hy_lwp_free(struct reap_sys *, struct reap_lwp *);
unsigned hy_reclaim(struct reap_sys *, int cpu, struct reap_lwp **keep);
void	hy_reclaim_all(struct reap_sys *);
void	hy_lwp_unpoison(struct reap_lwp *);
void	hy_lwp_poison(struct reap_lwp *);
void	hy_release_all(struct reap_sys *);

/* Test hooks: design-specific counters (tests/test_hybrid.c). */
struct hy_stats {
	uint64_t batches;	/* reclaim batches run [R1] */
	uint64_t deferred;	/* LWPs found still on CPU [R3] */
	uint64_t nvcsw;		/* switch-outs folded [R4] */
	uint64_t allocs;	/* LWP memory allocated */
};
void	hy_stats_read(struct reap_sys *, struct hy_stats *);

#endif /* HYBRID_H */
