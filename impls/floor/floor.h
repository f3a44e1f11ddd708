/*
 * floor.h - the floor: the least an exit/reap core can do on the model
 * kernel, a reference that calibrates every run (README.md).
 *
 * A detached LWP's life touches only its CPU: its memory, its id and its
 * place in the process come from the process's shard for that CPU (a spin
 * lock no other CPU takes on the churn path; the shard keeps the LWP
 * memory freed there, backed by the CPU's free list), and at exit it
 * frees itself back to the shard.  One lock acquisition at create, one at
 * exit.  Nothing on that path is shared between CPUs but lines nobody
 * writes while it runs (p_state, p_nbound).  Joinable LWPs, lwp_wait, the process's exit and
 * the process tree are as simple as correctness allows: p_lock with its
 * condvar, and one sys-wide mutex for the tree.
 *
 * Lock legend (NetBSD lwp.h style):
 *
 *	(	stable while the object is in use
 *	!	only the LWP's carrier
 *	a	atomic (the order is named where it is used)
 *	h	the shard's sh_lock (of the LWP's shard)
 *	p	p->p_lock
 *	t	s->s_treelock (the process tree, pids, wait4's condvars)
 *	c	the CPU's fc_lock (its free list)
 *
 * Order: p_lock, then shard locks (ascending), then fc_lock; s_treelock
 * after p_lock, never with a shard lock.  A change of p_state takes p_lock and every shard lock, so a
 * reader holding either sees it stable.
 *
 * Read without the lock that guards their writes, hence atomic (a):
 * p_state, p_nbound, p_lwpwaiters (the detached exit, under its shard
 * lock only: relaxed, that lock orders it against p_lock's side), p_killed
 * (lwp_killed and the carrier's sleeps: acquire), l_refs (the draining
 * exit's futex word: relaxed under h), l_oncpu (the reaper's wait for the
 * carrier's last touch: acquire).
 */
#ifndef FLOOR_H
#define FLOOR_H

#include <pthread.h>
#include <sys/queue.h>

#include "kern.h"
#include "kern_eventcount.h"

LIST_HEAD(fl_lwplist, reap_lwp);

/* p_state */
#define FS_ACTIVE	0	/* LWPs may be created */
#define FS_WEXIT	1	/* proc_exit won: killing, then exiting */
#define FS_EXITING	2	/* the last LWP left: becoming a zombie */
#define FS_ZOMB		3	/* a zombie: the parent may reap it */

/* l_refs: observer holds */
#define FL_DEAD		0x80000000u	/* exiting: no new holds */
#define FL_WAITERS	0x40000000u	/* the exiting carrier sleeps */
#define FL_COUNT(r)	((r) & 0x3fffffffu)

struct reap_lwp {
	struct reap_proc *l_proc;	/* (: its process */
	lwpid_t	l_lid;			/* ( */
	bool	l_detached;		/* ( */
	bool	l_zomb;			/* p: a joinable zombie, collectable */
	int	l_shard;		/* (: the shard (CPU) of its lid */
	_Atomic uint32_t l_refs;	/* h (a: the drain sleeps on it):
					   FL_DEAD | FL_WAITERS | holds */
	_Atomic uint32_t l_oncpu;	/* a: 1 until the carrier's last touch
					   (release); a reaper waits for 0 */
	LIST_ENTRY(reap_lwp) l_shent;	/* h: the shard's live LWPs */
	LIST_ENTRY(reap_lwp) l_jent;	/* p: p_lwps (joinable) */
	struct reap_lwp *l_freenext;	/* c or h: a free list */
	struct reap_lwp *l_allnext;	/* (: every LWP, for sys_destroy */
	struct kern_lwp_stamp l_stamp;	/* exit -> free (kern.h) */
} __cacheline_aligned;

/* A process's part on one CPU: the LWPs created there. */
struct fl_shard {
	struct kspin sh_lock;
	struct fl_lwplist sh_lwps;	/* h: live LWPs (found by lid) */
	int	sh_live;		/* h: live detached LWPs */
	uint32_t sh_nextlid;		/* h: lid = n * ncpus + shard + 1 */
	struct reap_lwp *sh_free;	/* h: LWP memory freed here */
} __cacheline_aligned;

struct reap_proc {
	struct reap_sys	*p_sys;		/* ( */
	pid_t	p_pid;			/* ( */
	struct fl_shard	**p_shard;	/* (: [ncpus], on each CPU's node */
	/* Read-mostly: the detached path reads them under its shard lock. */
	_Atomic int p_state __cacheline_aligned;	/* p + all h: FS_* */
	_Atomic int p_nbound;		/* p: live joinable LWPs (a: read) */
	/* p: LWPs in lwp_wait (a: read by the detached exit, which must
	 * then wake them: a running detached LWP defers their EDEADLK). */
	_Atomic int p_lwpwaiters;
	_Atomic int p_killed;		/* a: the LWPs' kill word */
	/* Joinable LWPs and the exit. */
	struct kmutex p_lock __cacheline_aligned;
	struct kcondvar p_cv;		/* p: lwp_wait, the killer */
	struct fl_lwplist p_lwps;	/* p: joinable LWPs, live and zombie */
	int	p_nwait;		/* p: joinable LWPs in lwp_wait */
	int	p_ndwait;		/* p: detached LWPs in lwp_wait */
	int	p_xstat;		/* p: exit status */
	/* The tree. */
	struct reap_proc *p_pptr;	/* t */
	struct reap_proc *p_kids;	/* t */
	struct reap_proc *p_sibling;	/* t */
	struct kcondvar	p_waitcv;	/* t: a child became a zombie */
	struct reap_proc *p_hnext;	/* t: s_pidhash chain (until reaped) */
	int	p_holds;		/* t: proc_hold holds */
	bool	p_reaped;		/* t: reaped: the last rele frees it */
};

#define FL_PIDHASH	256		/* s_pidhash buckets */

/* One CPU's free list of LWP memory (type-stable until sys_destroy). */
struct fl_cpu {
	struct kspin fc_lock;
	struct reap_lwp	*fc_free;	/* c */
} __cacheline_aligned;

struct reap_sys {
	struct kern_machine *s_mach;	/* ( */
	int	s_ncpus;		/* ( */
	struct fl_cpu **s_cpu;		/* ( [ncpus], on each CPU's node */
	struct kmutex s_treelock;	/* the tree, pids */
	pid_t	s_nextpid;		/* t */
	struct reap_proc *s_init;	/* ( */
	struct reap_lwp	*s_initlwp;	/* ( */
	struct reap_proc *s_pidhash[FL_PIDHASH];	/* t: pid -> process */
	pthread_mutex_t	s_alllock;	/* s_all: fresh allocations only */
	struct reap_lwp	*s_all;
};

/* fl_sys.c */
struct reap_lwp *fl_lwp_alloc(struct reap_sys *);
void	fl_lwp_init(struct reap_lwp *, struct reap_proc *, int shard,
	    bool detached);
void	fl_lwp_free(struct reap_sys *, struct reap_lwp *);
void	fl_lwp_reap(struct reap_sys *, struct reap_lwp *);
void	fl_attach(struct reap_sys *);

/* fl_lwp.c */
struct reap_proc *fl_proc_create(struct reap_sys *, struct reap_proc *,
	    struct reap_lwp **);
struct reap_lwp	*fl_lwp_create(struct reap_proc *, unsigned, lwpid_t *);
void	fl_lwp_enter(struct reap_lwp *);
bool	fl_lwp_killed(struct reap_lwp *);
void	fl_lwp_exit(struct reap_lwp *);
struct reap_lwp	*fl_lwp_hold(struct reap_proc *, lwpid_t);
void	fl_lwp_rele(struct reap_lwp *);
void	fl_shard_leave(struct reap_proc *, struct reap_lwp *);
void	fl_lwp_unfind(struct reap_proc *, struct reap_lwp *);
void	fl_shards_lock(struct reap_proc *);
void	fl_shards_unlock(struct reap_proc *);
int	fl_shards_live(struct reap_proc *);
void	fl_lwp_offcpu(struct reap_lwp *);
void	fl_lwp_offcpu_wait(struct reap_lwp *);
void	fl_proc_free(struct reap_proc *);
void	fl_pid_enter(struct reap_sys *, struct reap_proc *);
struct reap_proc *fl_proc_hold(struct reap_sys *, pid_t);
void	fl_proc_rele(struct reap_proc *);

/* fl_proc.c */
int	fl_lwp_wait(struct reap_lwp *, lwpid_t, lwpid_t *);
void	fl_proc_exit(struct reap_lwp *, int);
pid_t	fl_proc_wait(struct reap_lwp *, pid_t, int *, int);
void	fl_joinable_exit(struct reap_lwp *);
void	fl_proc_last(struct reap_proc *p, int status)
	    KERN_RELEASE(p->p_lock);

#endif /* FLOOR_H */
