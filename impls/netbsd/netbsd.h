/*
 * netbsd.h - the NetBSD exit/reap core modelled on the model kernel.
 *
 * Two designs share these structures:
 *   netbsd       kern_lwp.c 1.252 with kern_exit.c
 *                of the same line (exit1, exit_lwps, proc_free, wait);
 *   netbsd-2007  kern_lwp.c 1.54 with kern_exit.c
 *                1.169 era: p_smutex, p_refcv, one global LWP lock
 *                (sched_mutex), alllwp under proclist_mutex.
 * The fields are those the seeds' exit/reap paths touch; see README.md.
 *
 * Lock legend (as sys/lwp.h and sys/proc.h):
 *   g	ns_proc_lock, the global proc_lock (2007: proclist_lock)
 *   G	2007 only: ns_proclist_mutex, the global proclist_mutex
 *   p	l_proc->p_lock (2007: p_smutex)
 *   l	*l_mutex: the LWP's per-CPU spc_lwplock (2007: sched_mutex)
 *   c	the LWP cache's per-CPU lock
 *   !	only the LWP itself (its carrier)
 *   (	unlocked, stable from creation (atomic where lookups read it
 *	while the LWP may be recycled: type-stable memory, see nb_cache.c)
 *   a	atomic, memory order at each use.  Each field read without the
 *	lock that guards its writes is atomic (so a stale read is a value,
 *	not a data race); who reads it unlocked, and with which order:
 *	  l_proc, l_lid	nb_lwp_is through a stale pid slot (acquire,
 *			relaxed; nb_pid.c), on type-stable memory
 *	  l_stat	lookups (nb_proc_find_lwp, lwp_find: acquire,
 *			pairs with the release of every l_stat store)
 *	  l_mutex	nb_lwp_lock before it holds the lock (acquire)
 *	  l_pflag	lwp_free's and proc_free's LP_RUNNING spin (acquire)
 *	  l_kill	lwp_killed, the carrier's sigword (acquire)
 *	  p_zomblwp	2007 newlwp's peek (relaxed; then p_smutex)
 *	  p_stat	wait's scan under g of a child exit1 changes under p
 *			(relaxed: proc_lock orders what it decides on)
 *	  pt_slot, pt_pid, pt_cur  the pid table's lookups (nb_pid.c)
 */
#ifndef NETBSD_H
#define NETBSD_H

#include <sys/queue.h>

#include "kern.h"

struct nb_sys;
struct nb_pidtab;

/* l_stat */
#define LSIDL		1	/* created or freed: lookups fail */
#define LSRUN		2	/* started, no carrier yet */
#define LSONPROC	7	/* its carrier runs it */
#define LSZOMB		5	/* dead, waiting to be freed */

/* l_pflag (a) */
#define LP_RUNNING	0x20000000	/* on a CPU: the carrier may touch it */

/* l_prflag (p) */
#define LPR_DETACHED	0x00800000	/* freed at exit, never joinable */
#define LPR_DRAINING	0x80000000	/* lwp_drainrefs: no new references */

/* p_sflag (p) */
#define PS_WEXIT	0x00100000	/* exit1 has begun */

/* p_stat (a: written under g and/or p, read under g) */
#define SIDL		1
#define SACTIVE		2
#define SDYING		3
#define SZOMB		5
#define SDEAD		6

/* config.variant bits.  The mutants are honoured only with REAP_MUTANTS. */
#define NB_MUT_BCAST_AFTER_UNLOCK 0x100u /* NetBSD kern_lwp.c 1.40.2.18 order */
#define NB_MUT_FREE_WHILE_RUNNING 0x200u /* lwp_free does not wait */

/* One model CPU's scheduler state (struct schedstate_percpu), padded. */
struct nb_cpu {
	struct kspin	spc_lwplock;	/* lock of LWPs on this CPU */
} __cacheline_aligned;

struct reap_lwp {
	/*
	 * Stable across free and reuse (kept so, as lwp_ctor does, because
	 * proc_find_lwp may look at a recycled LWP through the pid table).
	 * The cache never poisons these.
	 */
	struct reap_proc *_Atomic l_proc;	/* (: owning process */
	_Atomic lwpid_t	l_lid;		/* (: LWP ID (a global pid) */
	_Atomic int	l_stat;		/* l, p: LS* (a: release/acquire) */
	struct kspin *_Atomic l_mutex;	/* l: spc_lwplock of l_cpu */
	int		l_cpu;		/* l: model CPU */
	struct reap_lwp	*l_cnext;	/* c: LWP cache free list */

	/* Zeroed on every allocation (lwp_create's l_startzero). */
	char		l_startzero[0];
	_Atomic int	l_pflag;	/* a: LP_RUNNING */
	_Atomic int	l_kill;		/* a: LW_WEXIT; the carrier's sigword */
	struct kern_td	*l_td;		/* l: carrier (lwp_unsleep target) */
	int		l_prflag;	/* p: LPR_* */
	int		l_refcnt;	/* p: references (lwp_addref) */
	lwpid_t		l_waiter;	/* p: first LWP waiting on us */
	lwpid_t		l_waitingfor;	/* p: specific LWP we wait for */
	LIST_ENTRY(reap_lwp) l_sibling;	/* p: on p_lwps */
	LIST_ENTRY(reap_lwp) l_list;	/* g (G): on alllwp */
	uint64_t	l_ncsw;		/* !: switches (written at switch-out) */
	struct kern_lwp_stamp l_stamp;	/* LSZOMB -> lwp_free (kern.h) */
};

LIST_HEAD(nb_lwplist, reap_lwp);
LIST_HEAD(nb_proclist, reap_proc);

struct reap_proc {
	struct nb_sys	*p_sys;		/* (: the system */
	pid_t		p_pid;		/* (: process ID */
	struct kmutex	p_lock;		/* process state lock (2007 p_smutex) */
	struct kcondvar	p_lwpcv;	/* p: LWP state changes */
	struct kcondvar	p_waitcv;	/* g (G): children state changes */
	struct kcondvar	p_refcv;	/* p: 2007: LWP references drained */
	struct krwlock	p_reflock;	/* (a): process references (procfs,
					   ptrace); exit1 takes it to write */
	int		p_refcnt;	/* p: 2007 process references + 1;
					   1 - n while exit1 drains n */

	struct nb_lwplist p_lwps;	/* p: LWPs */
	int		p_nlwps;	/* p: LWPs on p_lwps */
	int		p_nzlwps;	/* p: zombie LWPs */
	int		p_nrlwps;	/* p: running (not zombie) LWPs */
	int		p_ndlwps;	/* p: detached LWPs */
	int		p_nlwpwait;	/* p: LWPs in lwp_wait */
	lwpid_t		p_nlwpid;	/* p: 2007: last LWP ID handed out */
	struct reap_lwp *_Atomic p_zomblwp; /* p: detached zombie to free
					   (2007 peeks at it unlocked) */
	int		p_sflag;	/* p: PS_WEXIT */
	_Atomic int	p_stat;		/* g, p: S* (a: relaxed) */
	int		p_xstat;	/* g: exit status for wait */

	struct reap_proc *p_pptr;	/* g: parent */
	struct nb_proclist p_children;	/* g: children */
	LIST_ENTRY(reap_proc) p_sibling; /* g: on parent's p_children */
	LIST_ENTRY(reap_proc) p_list;	/* g (G): on allproc or zombproc */
	int		p_nstopchild;	/* g (G): zombie children */
};

struct nb_sys {
	struct kern_machine *ns_mach;	/* (: CPUs, counters */
	bool		ns_2007;	/* (: the netbsd-2007 variant */
	unsigned	ns_variant;	/* (: config.variant */
	int		ns_ncpus;	/* (: model CPUs */
	struct nb_cpu	**ns_cpu;	/* (: per-CPU state */

	struct kmutex	ns_proc_lock __cacheline_aligned; /* proc_lock */
	struct kmutex	ns_proclist_mutex __cacheline_aligned; /* 2007 */
	struct kspin	ns_sched_mutex;	/* 2007: every LWP's lock */

	struct nb_lwplist ns_alllwp;	/* g (2007: G): every LWP */
	struct nb_proclist ns_allproc;	/* g (G): live processes */
	struct nb_proclist ns_zombproc;	/* g (G): zombie processes */
	struct nb_pidtab *ns_pid;	/* global pid table (nb_pid.c) */
	struct nb_cache	*ns_cache;	/* lwp_cache (nb_cache.c) */

	struct reap_proc *ns_initproc;	/* (: init, pid 1 */
	struct reap_lwp	*ns_initlwp;	/* (: init's LWP */
};

/* Is a mutant enabled?  Never in builds without REAP_MUTANTS. */
static inline bool
nb_mutant(const struct nb_sys *ns, unsigned bit)
{
#ifdef REAP_MUTANTS
	return (ns->ns_variant & bit) != 0;
#else
	(void)ns; (void)bit;
	return false;
#endif
}

/* l_stat stores are releases, loads acquires: see nb_proc_find_lwp. */
static inline int
nb_lwp_stat(const struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_stat, memory_order_acquire);
}

static inline void
nb_lwp_setstat(struct reap_lwp *l, int stat)
{
	atomic_store_explicit(&l->l_stat, stat, memory_order_release);
}

/* l_proc to a thread that runs, holds or frees l: stable in this life. */
static inline struct reap_proc *
nb_lwp_owner(const struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_proc, memory_order_relaxed);
}

/* nb_pid.c: the global pid table (kern_proc.c pid_table), under g. */
struct nb_pidtab *nb_pid_create(void);
void	nb_pid_destroy(struct nb_pidtab *);
pid_t	nb_pid_alloc_proc(struct nb_sys *, struct reap_proc *);
void	nb_pid_free_proc(struct nb_sys *, pid_t);
int	nb_proc_alloc_lwpid(struct nb_sys *, struct reap_proc *,
	    struct reap_lwp *);
void	nb_proc_free_lwpid(struct nb_sys *, struct reap_proc *, lwpid_t);
struct reap_lwp *nb_proc_find_lwp(struct reap_proc *, lwpid_t);
struct reap_proc *nb_proc_find_raw(struct nb_sys *, pid_t);

/* nb_cache.c: lwp_cache, type-stable LWP memory. */
struct nb_cache *nb_cache_create(struct nb_sys *);
void	nb_cache_destroy(struct nb_cache *);
struct reap_lwp *nb_cache_get(struct nb_sys *);
void	nb_cache_put(struct nb_sys *, struct reap_lwp *);

/* nb_lwp.c: netbsd (1.252) LWP lifecycle. */
struct kspin *nb_lwp_lock(struct reap_lwp *);
void	nb_lwp_unlock(struct reap_lwp *);
void	nb_lwp_unlock_to(struct reap_lwp *, struct kspin *);
struct kspin *nb_cpu_lwplock(struct nb_sys *, int cpu);
struct reap_lwp *nb_lwp_create(struct reap_proc *, unsigned flags,
	    lwpid_t *lid);
void	nb_lwp_start(struct reap_lwp *);
void	nb_lwp_exit(struct reap_lwp *);
void	nb_lwp_free(struct reap_lwp *, bool recycle, bool last);
void	nb_lwp_switchaway(struct reap_lwp *);
void	nb_lwp_exit_zombie(struct reap_lwp *);
bool	nb_lwp_drainrefs(struct reap_lwp *);
void	nb_lwp_addref(struct reap_lwp *);
void	nb_lwp_delref(struct reap_lwp *);
void	nb_lwp_delref2(struct reap_lwp *);
struct reap_lwp *nb_lwp_find(struct reap_proc *, lwpid_t);

/* nb_wait.c: netbsd (1.252) lwp_wait. */
int	nb_lwp_wait(struct reap_lwp *, lwpid_t lid, lwpid_t *departed,
	    bool exiting);

/* nb_exit.c: exit1, exit_lwps, wait, proc_free (both designs). */
void	nb_exit1(struct reap_lwp *, int status);
void	nb_exit_lwps(struct reap_lwp *);
pid_t	nb_proc_wait(struct reap_lwp *, pid_t, int *status, int options);
void	nb_proc_reparent(struct reap_proc *child, struct reap_proc *parent);
void	nb_proc_free_mem(struct reap_proc *);
struct reap_proc *nb_proc_hold(struct nb_sys *, pid_t);
void	nb_proc_rele(struct reap_proc *);

/* nb_2007.c: netbsd-2007 (1.54) where it differs. */
struct reap_lwp *nb7_newlwp(struct reap_proc *, unsigned flags,
	    lwpid_t *lid);
void	nb7_lwp_start(struct reap_lwp *);
void	nb7_lwp_exit(struct reap_lwp *);
void	nb7_lwp_free(struct reap_lwp *, bool recycle, bool last);
int	nb7_lwp_wait1(struct reap_lwp *, lwpid_t lid, lwpid_t *departed,
	    bool exitcontrol);
void	nb7_lwp_drainrefs(struct reap_lwp *);
void	nb7_lwp_delref(struct reap_lwp *);
struct reap_lwp *nb7_lwp_find(struct reap_proc *, lwpid_t);

#endif /* NETBSD_H */
