/*
 * dragonfly.h - the DragonFly BSD exit/reap core (design "dragonfly" and
 * its variant "dragonfly-2010"), internal to impls/dragonfly/.
 *
 * Models DragonFly sys/kern/kern_exit.c a3127495 (and, where the
 * variant differs, DragonFly kern_exit.c (2010)).  The essay on states and lock
 * order is at the top of df_exit.c; README.md maps seed functions to the
 * functions below.
 *
 * Lock legend for the tags on every shared field:
 *	(	unlocked, stable after creation
 *	!	only the LWP's carrier (or, before lwp_enter, its creator)
 *	a	atomic; the tag names the ordering used
 *	p	lwp_proc->p_token (the LWP's / the process's own p_token)
 *	q	p_pptr->p_token (the parent's p_token)
 *	t	proc_tokens[ALLPROC_HASH(pid)] (modern) / proc_token (2010)
 *	d	deadlwp_token[cpu] (modern) / the global deadlwp_token (2010)
 *	l	lwp_token of the LWP
 *	s	the owning struct df_sys is being created or destroyed
 *
 * Read without the lock that guards their writes, hence atomic (a), and
 * by whom (the orders are named at the fields):
 *	lwp_mpflags	lwp_killed in userret, without p_token
 *	lwp_lock	exit's and kern_wait's LWPHOLD polls
 *	lwp_sigkill	the carrier's PCATCH sleeps (kern_td_sigpending)
 *	td_flags, td_mpflags  the reaper's off-CPU tests against the
 *			carrier's switch-out (release/acquire, CAS)
 *	td_carrier	lwpsignal (df_lwp_signal) poking the carrier
 *	p_lock		PHOLD/PRELE and the PSTALL/PHOLDZOMB waits
 *	p_stat		the parent's kern_wait scan under its own p_token
 *	p_pptr		the exiting child signalling its parent, under its
 *			own p_token only
 *	p_waitgen	kern_wait's sleep interlock
 *	s_nextpid, dl_*, s_early_frees  counters read by stats and tests
 */
#ifndef DRAGONFLY_H
#define DRAGONFLY_H

#include <sys/queue.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern.h"
#include "reap.h"

/* Contract of most of the exit path: the caller holds p's token. */
#define DF_ASSERT_PTOKEN(p)	ASSERT_LWKT_TOKEN_HELD(&(p)->p_token)

/* ---- flags -------------------------------------------------------------- */

/* p_flags (p). */
#define P_WEXIT		0x0001	/* exit1 in progress: one master exit only */
#define P_POSTEXIT	0x0002	/* past the point of no return in exit1 */
#define P_MAYBETHREADED	0x0004	/* lwp_fork ran: p_nthreads wakeups matter */

/* p_stat (a: relaxed load by the parent's scan, release store by exit1). */
#define SIDL		1	/* being forked */
#define SACTIVE		2	/* running */
#define SZOMB		3	/* exit1 moved it to the zombies */

/* p_lock: the PHOLD count plus two interlock bits.  The 2010 variant
 * polls the count and uses only PLOCK_ZOMB's election (PHOLDZOMB, a
 * deviation: see README "kern_wait"), whose loser sleeps on PLOCK_WAITING. */
#define PLOCK_ZOMB	0x20000000u	/* one kern_wait owns the zombie */
#define PLOCK_WAITING	0x40000000u	/* someone sleeps in pstall/pholdzomb */
#define PLOCK_MASK	0x1FFFFFFFu

/* lwp_mpflags (a). */
#define LWP_MP_WEXIT	0x0001	/* killed / exiting: userret must exit */
#define LWP_MP_WSTOP	0x0002	/* temporary stop while killing the rest */

/* td_flags (a: carrier stores with release, reaper loads with acquire). */
#define TDF_RUNNING	0x0001	/* on a CPU (set at lwp_enter) */
#define TDF_EXITING	0x0002	/* cpu_thread_exit ran; final switch next */

/* td_mpflags (a: acq_rel compare-and-swap on both sides). */
#define TDF_MP_EXITWAIT	0x0004	/* a reaper sleeps in lwp_wait on the td */
#define TDF_MP_EXITSIG	0x0008	/* the carrier is gone: free at will */

/* reap_config.variant bits. */
#define DF_VARIANT_NO_EXIT_INTERLOCK 0x1u /* mutant (c): see df_sys.c */
#define DF_VARIANT_NOCLDWAIT	0x2u	/* parents set PS_NOCLDWAIT: exit1
					   reparents the zombie to init */
#define DF_VARIANT_REPARENT_UNLOCKED 0x4u /* mutant: 2010 exit1 relinks
					   children without their p_token */
#define DF_VARIANT_WAIT_NOHOLDZOMB 0x8u /* mutant: 2010 kern_wait without
					   PHOLDZOMB (two reapers, one zombie) */

/* ---- structures --------------------------------------------------------- */

struct reap_lwp;
struct reap_proc;

LIST_HEAD(df_lwplist, reap_lwp);
LIST_HEAD(df_proclist, reap_proc);

/*
 * The LWKT thread that runs an LWP (struct thread): in the model its state
 * is the carrier pthread's, mirrored here so that the reaper can apply the
 * seed's off-CPU tests.  DragonFly allocates it apart from the lwp and
 * frees it in lwp_dispose (lwkt_free_thread); the model embeds it.
 */
struct df_thread {
	_Atomic uint32_t td_flags;	/* a: TDF_RUNNING, TDF_EXITING */
	_Atomic uint32_t td_mpflags;	/* a: TDF_MP_EXITWAIT/EXITSIG */
	struct kern_td *_Atomic td_carrier; /* a: set by lwp_enter, relaxed */
	int	td_exitcpu;		/* !: CPU it exited on (then stable) */
	/*
	 * The carrier's kernel stack: written in the on-CPU window of
	 * df_lwp_switchout, so a reaper that frees the LWP too early is a
	 * use-after-free that ASan and TSan report.
	 */
	uint64_t td_stack[8];		/* ! */
};

/* A joinable LWP's join word (see df_join.c). */
struct df_joinrec {
	LIST_ENTRY(df_joinrec) jr_entry;	/* p: p_joinzomb */
	lwpid_t	jr_tid;			/* ( */
	lwpid_t	jr_waiter;		/* p: first specific waiter or 0 */
};
LIST_HEAD(df_joinlist, df_joinrec);

struct reap_lwp {			/* struct lwp */
	struct reap_proc *lwp_proc;	/* (: until lwp_dispose */
	lwpid_t	lwp_tid;		/* ( */
	bool	lwp_detached;		/* ( */
	_Atomic uint32_t lwp_mpflags;	/* a: LWP_MP_*, relaxed/acq_rel */
	_Atomic int lwp_lock;		/* a: LWPHOLD count; polled on exit */
	_Atomic int lwp_sigkill;	/* a: SIGKILL posted (the PCATCH word) */
	struct lwkt_token lwp_token;	/* lwp_token (killlwps) */
	LIST_ENTRY(reap_lwp) lwp_entry;	/* p: p_lwps (p_lwp_tree) */
	LIST_ENTRY(reap_lwp) lwp_reap_entry;	/* d: deadlwp_list[cpu] */
	struct df_joinrec *lwp_joinrec;	/* p: NULL if detached */
	lwpid_t	lwp_waiter;		/* p: first LWP waiting for us */
	lwpid_t	lwp_waitingfor;		/* p: lid we wait for in df_join */
	struct df_thread lwp_thread;	/* see struct df_thread */
	struct kern_lwp_stamp lwp_stamp; /* exit -> lwp_dispose (kern.h) */
};

struct reap_proc {			/* struct proc */
	struct lwkt_token p_token;	/* p_token */
	struct reap_sys *p_sys;		/* ( */
	pid_t	p_pid;			/* ( */
	_Atomic uint32_t p_lock;	/* a: PHOLD count | PLOCK_* (acq_rel) */
	_Atomic int p_stat;		/* a: SIDL/SACTIVE/SZOMB; p + t */
	uint32_t p_flags;		/* p: P_* */
	int	p_nthreads;		/* p: LWPs in p_lwps not yet exited */
	int	p_nstopped;		/* p: LWP_MP_WSTOP count */
	int	p_xstat;		/* p: exit status */
	lwpid_t	p_lasttid;		/* p: last tid handed out */
	struct df_lwplist p_lwps;	/* p: the LWP tree (a list here) */
	struct reap_proc *_Atomic p_pptr; /* a: p + q to change; relaxed */
	struct df_proclist p_children;	/* p: children */
	LIST_ENTRY(reap_proc) p_sibling;	/* q: parent's p_children */
	LIST_ENTRY(reap_proc) p_list;	/* t: allprocs[] / zombproc */
	LIST_ENTRY(reap_proc) p_hash;	/* t: 2010 pidhashtbl (live only) */
	_Atomic long p_waitgen;		/* a: kern_wait interlock, seq_cst */
	struct df_joinlist p_joinzomb;	/* p: exited joinable LWPs */
	int	p_nlwpwait;		/* p: LWPs in df_join */
};

#define ALLPROC_HSIZE	256		/* as DragonFly's kern_proc.c */
#define ALLPROC_HASH(pid) ((pid) & (ALLPROC_HSIZE - 1))

/* Per-CPU LWP reaper state, one cache-line-padded block per CPU. */
struct df_deadlwp {
	struct lwkt_token dl_token;	/* deadlwp_token[cpu] (modern only) */
	struct df_lwplist dl_list;	/* d: deadlwp_list[cpu] */
	struct task dl_task;		/* deadlwp_task[cpu] */
	struct reap_sys *dl_sys;		/* ( */
	int	dl_cpu;			/* ( */
	/* Instrumentation for tests (relaxed atomics). */
	_Atomic uint64_t dl_enqueued;	/* taskqueue_enqueue calls */
	_Atomic uint64_t dl_coalesced;	/* ... that returned EALREADY */
	_Atomic uint64_t dl_runs;	/* reaplwps runs */
	_Atomic uint64_t dl_reaped;	/* LWPs it disposed of */
	_Atomic pid_t dl_runner_tid;	/* tid of the thread that ran it */
	_Atomic int dl_runner_cpu;	/* its curcpu */
} __cacheline_aligned;

struct reap_sys {			/* one booted model system */
	struct kern_machine *s_machine;	/* ( */
	const struct reap_ops *s_ops;	/* ( */
	bool	s_v2010;		/* ( dragonfly-2010 */
	unsigned s_variant;		/* ( reap_config.variant */
	int	s_ncpus;		/* ( */
	unsigned s_hz;			/* ( */
	struct reap_proc *s_initproc;	/* ( pid 1 */
	struct reap_lwp *s_initlwp;	/* ( its master LWP */
	_Atomic pid_t s_nextpid;	/* a: relaxed */
	/* Modern: allprocs[] under proc_tokens[] (zombies stay there with
	 * p_stat SZOMB).  2010: allproc + zombproc under proc_token. */
	struct lwkt_token s_proc_tokens[ALLPROC_HSIZE];
	struct df_proclist s_allprocs[ALLPROC_HSIZE];	/* t */
	struct lwkt_token s_proc_token;			/* 2010 */
	struct df_proclist s_allproc;			/* t (2010) */
	struct df_proclist s_zombproc;			/* t (2010) */
	struct df_proclist s_pidhash[ALLPROC_HSIZE];	/* t (2010) */
	struct lwkt_token s_deadlwp_token;	/* 2010: one for all CPUs */
	struct df_deadlwp **s_deadlwp;	/* ( per CPU */
	struct taskqueue **s_taskq;	/* ( taskqueue_thread[cpu] */
	_Atomic uint64_t s_early_frees;	/* a: mutant only, see lwp_dispose */
};

extern const struct reap_ops reap_design_dragonfly;
extern const struct reap_ops reap_design_dragonfly_2010;

/* ---- df_proc.c ---------------------------------------------------------- */
void	df_proc_hold(struct reap_proc *);		/* PHOLD */
void	df_proc_rele(struct reap_proc *);		/* PRELE */
int	df_proc_holdzomb(struct reap_proc *);		/* PHOLDZOMB */
void	df_proc_relezomb(struct reap_proc *);		/* PRELEZOMB */
void	df_proc_stall(struct reap_proc *, const char *wmesg, unsigned count);
void	df_proc_poll_lock(struct reap_proc *, const char *wmesg, int timo);
void	df_proc_ksignal(struct reap_proc *);		/* ksignal's locks */
void	df_proc_add_allproc(struct reap_proc *);
void	df_proc_move_allproc_zombie(struct reap_proc *);
void	df_proc_remove_zombie(struct reap_proc *);
void	df_proc_reparent(struct reap_proc *child, struct reap_proc *parent);
void	df_proc_relink(struct reap_proc *kid, struct reap_proc *newpp);
void	df_proc_await_nthreads(struct reap_proc *p, int left,
	    const char *wmesg, int timo);
struct reap_proc *df_proc_alloc(struct reap_sys *);
void	df_proc_free(struct reap_proc *);
struct reap_proc *df_proc_create(struct reap_sys *, struct reap_proc *,
	    struct reap_lwp **);
pid_t	df_proc_pid(struct reap_proc *);
struct reap_proc *df_proc_find(struct reap_sys *, pid_t);	/* pfind */
void	df_proc_findrele(struct reap_proc *);		/* its PRELE */

/* ---- df_lwp.c ----------------------------------------------------------- */
struct reap_lwp *df_lwp_fork(struct reap_proc *, bool detached);
struct reap_lwp *df_lwp_create(struct reap_proc *, unsigned, lwpid_t *);
struct reap_lwp *df_lwp_find(struct reap_proc *, lwpid_t);
void	df_lwp_enter(struct reap_lwp *);
bool	df_lwp_killed(struct reap_lwp *);
void	df_lwp_hold(struct reap_lwp *);			/* LWPHOLD */
void	df_lwp_rele(struct reap_lwp *);			/* LWPRELE */
struct reap_lwp *df_lwp_lookup(struct reap_proc *, lwpid_t);
void	df_lwp_signal(struct reap_lwp *);		/* lwpsignal(KILL) */
void	df_lwp_switchout(struct reap_lwp *);		/* cpu_lwp_exit */
lwpid_t	df_lwp_id(struct reap_lwp *);
struct reap_proc *df_lwp_proc(struct reap_lwp *);

/* ---- df_exit.c ---------------------------------------------------------- */
int	df_lwp_killall(struct reap_lwp *);		/* killalllwps */
void	df_proc_exit1(struct reap_lwp *, int rv);	/* exit1 */
void	df_lwp_exit1(struct reap_lwp *, int masterexit, void *waddr);
void	df_sys_extexit(struct reap_lwp *);		/* ops->lwp_exit */
void	df_sys_exit(struct reap_lwp *, int status);	/* ops->proc_exit */

/* ---- df_reap.c ---------------------------------------------------------- */
int	df_deadlwp_init(struct reap_sys *);
void	df_deadlwp_fini(struct reap_sys *);
void	df_deadlwp_insert(struct reap_lwp *);	/* lwp_exit's publish */
void	df_reaper_reap(struct reap_lwp *);		/* reaplwp */
void	df_lwp_dispose(struct reap_lwp *);

/* ---- df_wait.c ---------------------------------------------------------- */
pid_t	df_proc_wait(struct reap_lwp *, pid_t, int *, int);	/* kern_wait */

/* ---- df_join.c ---------------------------------------------------------- */
int	df_lwp_join(struct reap_lwp *, lwpid_t, lwpid_t *);	/* _lwp_wait */
void	df_join_exited(struct reap_lwp *);	/* lwp_exit side, p held */
void	df_join_free(struct reap_proc *);

/* ---- test access (tests/test_dragonfly.c) ------------------------------- */
struct df_cpu_info {
	uint64_t enqueued, coalesced, runs, reaped;
	pid_t	runner_tid;		/* last thread that ran reaplwps */
	int	runner_cpu;		/* its curcpu */
	pid_t	taskq_tid;		/* taskqueue_thread[cpu]'s tid */
};
void	df_test_cpu_info(struct reap_sys *, int cpu, struct df_cpu_info *);
uint64_t df_test_early_frees(struct reap_sys *);

#endif /* DRAGONFLY_H */
