/*
 * nb_exit.c - process exit and reap for both NetBSD designs: exit1,
 * exit_lwps, the wait path (do_sys_wait / find_stopped_child), proc_free
 * and proc_reparent.
 *
 * These are not in the seeds.  They follow NetBSD's sys/kern/kern_exit.c:
 * for `netbsd`, the line contemporary with kern_lwp.c 1.252 (read at
 * 1.245, whose exit/wait structure the 2020s revisions keep: proc_lock
 * around reparenting, the zombie move and the parent's wakeup; p_lock
 * around the last LWP's LSZOMB; exit_lwps retrying lwp_wait(.., true));
 * for `netbsd-2007`, 1.169 (2007-03): proclist_lock (adaptive, the
 * process tree) plus proclist_mutex (the lists, p_stat, p_nstopchild, the
 * parent's p_waitcv interlock), p_smutex, lwp_wait1 with
 * LWPWAIT_EXITCONTROL, and proc_free spinning until the last LWP is off
 * its CPU.  Both drop the seeds' signals, sessions, ttys, ktrace, vfork
 * and ptrace; their releases are stood in for by kern_work().
 *
 * Lock order: proc_lock -> (2007: proclist_mutex) -> p_lock -> lwp lock.
 */
#include <stdlib.h>

#include "netbsd.h"

/* Put kid at the head of newpp's child list (it may be on it already:
 * wait4 scans from the head).  Under proc_lock. */
static void
nb_proc_relink(struct reap_proc *kid, struct reap_proc *newpp)
{
	LIST_REMOVE(kid, p_sibling);
	LIST_INSERT_HEAD(&newpp->p_children, kid, p_sibling);
}

/*
 * Models exit_lwps() in kern_exit.c: mark every other LWP LW_WEXIT, wake
 * the ones asleep interruptibly (lwp_unsleep: a poke at the carrier), and
 * collect them all.  p_lock held throughout (dropped while waiting).
 */
void
nb_exit_lwps(struct reap_lwp *l) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	struct reap_lwp *victim;
	lwpid_t waited;
	int error;

retry:
	KASSERT_MUTEX_OWNED(&p->p_lock);
	LIST_FOREACH(victim, &p->p_lwps, l_sibling) {
		if (victim == l)
			continue;
		nb_lwp_lock(victim);
		atomic_store_explicit(&victim->l_kill, 1, memory_order_release);
		if (nb_lwp_stat(victim) == LSONPROC && victim->l_td != NULL)
			kern_td_signal(victim->l_td);
		nb_lwp_unlock(victim);
	}

	/* LWPs may be created behind us or sleep again: retry on error. */
	while (p->p_nlwps > 1) {
		if (!ns->ns_2007) {
			if (nb_lwp_wait(l, 0, NULL, true) != 0)
				goto retry;
			continue;
		}
		error = nb7_lwp_wait1(l, 0, &waited, true);
		if (p->p_nlwps == 1)
			break;
		if (error == EDEADLK)
			goto retry;
		KASSERT(error == 0, "exit_lwps: lwp_wait1 failed");
	}
	KASSERT(p->p_nlwps == 1, "exit_lwps left lwps behind");
}

/*
 * Models proc_reparent() in kern_exit.c: proc_lock held; a zombie child
 * moves its p_nstopchild count to the new parent.
 */
void
nb_proc_reparent(struct reap_proc *kid, struct reap_proc *newpp) KERN_NO_TSA
{
	struct nb_sys *ns = kid->p_sys;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	if (kid->p_pptr == newpp)
		return;
	if (ns->ns_2007)
		mutex_enter(&ns->ns_proclist_mutex);
	if (atomic_load_explicit(&kid->p_stat, memory_order_relaxed) ==
	    SZOMB) {
		kid->p_pptr->p_nstopchild--;
		newpp->p_nstopchild++;
	}
	if (ns->ns_2007)
		mutex_exit(&ns->ns_proclist_mutex);
	nb_proc_relink(kid, newpp);
	kid->p_pptr = newpp;
}

/*
 * exit1's releases once p_lock is dropped, in its order: fd_free,
 * uvm_proc_exit (the unmap, then uvmspace_free), the last LWP's
 * kauth_cred_free (it does not run lwp_exit), sigactsfree.  (timers_free,
 * cwdfree, doexithooks, acct_process, ktrderef, e_proc_exit, the
 * specificdata: no stand-in.)
 */
static void
nb_exit1_release(void)
{
	kern_work(KW_FDFREE);
	kern_work(KW_VMSPACE_EXIT);
	kern_work(KW_VMSPACE_FREE);
	kern_work(KW_LWP_CRFREE);
	kern_work(KW_SIGACTSFREE);
}

/*
 * Models proc_drainrefs() of NetBSD kern_proc.c (2007 era, called by
 * exit1 before SDYING with p_mutex, here p_lock, held): refuse new
 * references and wait for the ones taken (p_refcnt becomes 1 - n and
 * each proc_delref counts it up to 0).
 */
static void
nb7_proc_drainrefs(struct reap_proc *p) KERN_REQUIRES(p->p_lock)
{
	KASSERT(p->p_refcnt > 0, "proc_drainrefs: already drained");
	p->p_refcnt = 1 - p->p_refcnt;
	while (p->p_refcnt != 0)
		cv_wait(&p->p_refcv, &p->p_lock);
}

/*
 * ops->proc_hold.  Modern: models procfs_proc_lock() (NetBSD
 * procfs_subr.c) over proc_find() of NetBSD kern_proc.c: under proc_lock,
 * the live (SACTIVE) process, read-held by rw_tryenter(p_reflock), which
 * fails once exit1 wants it to write.  2007: p_find() under
 * proclist_lock, then proc_addref() under p_mutex (here p_lock), which
 * fails once proc_drainrefs() began.  proc_lock stays held over the
 * lookup and the hold, so proc_free cannot run in between.
 */
struct reap_proc *
nb_proc_hold(struct nb_sys *ns, pid_t pid) KERN_NO_TSA
{
	struct reap_proc *p;
	bool held = false;

	mutex_enter(&ns->ns_proc_lock);
	p = nb_proc_find_raw(ns, pid);
	if (p != NULL && atomic_load_explicit(&p->p_stat,
	    memory_order_relaxed) == SACTIVE) {
		if (!ns->ns_2007) {
			held = rw_tryenter_read(&p->p_reflock);
		} else {
			mutex_enter(&p->p_lock);
			if (p->p_refcnt > 0) {
				p->p_refcnt++;
				held = true;
			}
			mutex_exit(&p->p_lock);
		}
	}
	mutex_exit(&ns->ns_proc_lock);
	KERN_INJECT("netbsd.proc_hold.held");
	return held ? p : NULL;
}

/* ops->proc_rele: rw_exit(p_reflock), or 2007's proc_delref() (the last
 * reference of a draining process wakes exit1). */
void
nb_proc_rele(struct reap_proc *p) KERN_NO_TSA
{
	if (!p->p_sys->ns_2007) {
		rw_exit_read(&p->p_reflock);
		return;
	}
	mutex_enter(&p->p_lock);
	if (p->p_refcnt < 0) {
		if (++p->p_refcnt == 0)
			cv_broadcast(&p->p_refcv);
	} else {
		KASSERT(p->p_refcnt > 1, "proc_delref without a reference");
		p->p_refcnt--;
	}
	mutex_exit(&p->p_lock);
}

/*
 * Models exit1() in kern_exit.c (called with p_lock held, by the last
 * live LWP from lwp_exit or by sys_exit): kill and collect the other
 * LWPs, release the process's resources, hand children to init, move to
 * zombproc, drain our references, become LSZOMB and the process SZOMB,
 * wake the parent, switch away.  Returns (to the carrier) once off-CPU.
 */
void
nb_exit1(struct reap_lwp *l, int rv) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	struct reap_proc *initproc = ns->ns_initproc;
	struct reap_proc *child, *next_child, *old_parent;
	bool v7 = ns->ns_2007, wakeinit;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	KASSERT(p != initproc, "init died");
	KASSERT(l->l_td == kern_curtd(), "exit1 by another thread");

	p->p_sflag |= PS_WEXIT;

	/* Force all other LWPs to exit before we do. */
	if (p->p_nlwps > 1)
		nb_exit_lwps(l);

	/* (PS_STOPEXIT: stopping on exit is not modelled.) */
	if (v7)
		nb7_proc_drainrefs(p);	/* 2007: before SDYING, p_lock held */
	atomic_store_explicit(&p->p_stat, SDYING, memory_order_relaxed);
	mutex_exit(&p->p_lock);

	if (!v7)
		rw_enter_write(&p->p_reflock);
	KERN_INJECT("netbsd.exit1.refs_drained");
	/* Drain the references of procfs, ptrace and the like (new
	 * rw_tryenter()s fail from here on: the lock is never released),
	 * then the releases. */
	nb_exit1_release();

	mutex_enter(&ns->ns_proc_lock);
	/* (PL_PPWAIT, session leader, fixjobc: not modelled.) */

	/* Give orphaned children to init. */
	child = LIST_FIRST(&p->p_children);
	wakeinit = (child != NULL);
	for (; child != NULL; child = next_child) {
		next_child = LIST_NEXT(child, p_sibling);
		nb_proc_reparent(child, initproc);
	}

	/* Move from allproc to zombproc: nearly ready to be collected. */
	if (v7)
		mutex_enter(&ns->ns_proclist_mutex);
	LIST_REMOVE(l, l_list);
	LIST_REMOVE(p, p_list);
	LIST_INSERT_HEAD(&ns->ns_zombproc, p, p_list);
	atomic_store_explicit(&p->p_stat, SDEAD, memory_order_relaxed);
	old_parent = p->p_pptr;
	old_parent->p_nstopchild++;
	if (LIST_FIRST(&old_parent->p_children) != p) {
		/* Where the parent's wait finds it first. */
		nb_proc_relink(p, old_parent);
	}
	if (v7)
		mutex_exit(&ns->ns_proclist_mutex);

	/* exit_psignal: SIGCHLD to the parent, under proc_lock. */
	kern_work(KW_SIGCHLD);
	if (wakeinit) {
		if (v7)
			mutex_enter(&ns->ns_proclist_mutex);
		cv_broadcast(&initproc->p_waitcv);
		if (v7)
			mutex_exit(&ns->ns_proclist_mutex);
	}

	/* The last LWP's ID goes back to the table (the usurped slot
	 * reverts to the process; proc_free frees the pid). */
	if (!v7)
		nb_proc_free_lwpid(ns, p, atomic_load_explicit(&l->l_lid,
		    memory_order_relaxed));

	/* Become a zombie, with the process. */
	mutex_enter(&p->p_lock);
	if (v7)
		nb7_lwp_drainrefs(l);
	else
		nb_lwp_drainrefs(l);
	kern_lwp_exit_stamp(ns->ns_mach, &l->l_stamp);
	nb_lwp_lock(l);
	l->l_prflag &= ~LPR_DETACHED;
	nb_lwp_setstat(l, LSZOMB);
	nb_lwp_unlock(l);
	KASSERT(p->p_nrlwps == 1, "exit1: other lwps still running");
	KASSERT(p->p_nlwps == 1, "exit1: other lwps left");
	p->p_xstat = rv;
	atomic_store_explicit(&p->p_stat, SZOMB, memory_order_relaxed);
	p->p_nrlwps--;
	p->p_nzlwps++;
	p->p_ndlwps = 0;
	mutex_exit(&p->p_lock);

	/*
	 * Signal the parent to collect us and drop proc_lock.  (The 2007
	 * exit1 woke the parent after dropping proclist_lock, serialised by
	 * the kernel lock; the model has no kernel lock, so it wakes under
	 * proclist_mutex, the interlock of the parent's wait, before.)
	 */
	if (v7)
		mutex_enter(&ns->ns_proclist_mutex);
	cv_broadcast(&p->p_pptr->p_waitcv);
	if (v7)
		mutex_exit(&ns->ns_proclist_mutex);
	mutex_exit(&ns->ns_proc_lock);

	/* cpu_lwp_free, pmap_deactivate, then switch away. */
	nb_lwp_switchaway(l);
}

/* Models proc_free_mem() (and the lock/cv destruction of proc_free). */
void
nb_proc_free_mem(struct reap_proc *p)
{
	mutex_destroy(&p->p_lock);
	cv_destroy(&p->p_lwpcv);
	cv_destroy(&p->p_waitcv);
	cv_destroy(&p->p_refcv);
	rw_destroy(&p->p_reflock);
	kern_count(KC_PROC_FREE);
	free(p);
}

/*
 * Models proc_free() in kern_exit.c: the parent has the status; unlink the
 * zombie, free its pid, release proc_lock, free the last LWP (lwp_free
 * waits for it to leave its CPU; in 2007 proc_free spins itself first)
 * and the process.
 */
static void
nb_proc_free(struct reap_proc *p) KERN_NO_TSA
{
	struct nb_sys *ns = p->p_sys;
	struct reap_proc *parent = p->p_pptr;
	struct reap_lwp *l;
	unsigned count = SPINLOCK_BACKOFF_MIN;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	KASSERT(p->p_nlwps == 1 && p->p_nzlwps == 1 && p->p_nrlwps == 0,
	    "proc_free: lwps left");
	KASSERT(atomic_load_explicit(&p->p_stat, memory_order_relaxed) ==
	    SZOMB, "proc_free of a non-zombie");

	l = LIST_FIRST(&p->p_lwps);
	p->p_xstat = 0;
	if (ns->ns_2007)
		mutex_enter(&ns->ns_proclist_mutex);
	atomic_store_explicit(&p->p_stat, SIDL, memory_order_relaxed);
	LIST_REMOVE(p, p_list);			/* off zombproc */
	parent->p_nstopchild--;
	if (ns->ns_2007)
		mutex_exit(&ns->ns_proclist_mutex);
	LIST_REMOVE(p, p_sibling);

	if (ns->ns_2007) {
		/* The last LWP may still be on its CPU: spin, unlocked. */
		mutex_exit(&ns->ns_proc_lock);
		KERN_INJECT("netbsd.free.before_spin");
		if (!nb_mutant(ns, NB_MUT_FREE_WHILE_RUNNING)) {
			while ((atomic_load_explicit(&l->l_pflag,
			    memory_order_acquire) & LP_RUNNING) != 0)
				kern_backoff(&count);
		}
		mutex_enter(&ns->ns_proc_lock);
	}

	/* Let the pid be reallocated; proc_leavepgrp releases proc_lock. */
	nb_pid_free_proc(ns, p->p_pid);
	mutex_exit(&ns->ns_proc_lock);

	/* (chgproccnt, lim_free, pstatsfree, vrele: no stand-in.) */
	if (ns->ns_2007) {
		kern_work(KW_CRFREE);		/* kauth_cred_free(p_cred) */
		nb7_lwp_free(l, false, true);
	} else {
		nb_lwp_free(l, false, true);
		kern_work(KW_CRFREE);		/* kauth_cred_free(p_cred) */
	}
	nb_proc_free_mem(p);
}

/*
 * Models find_stopped_child() in kern_exit.c: proc_lock held; may sleep
 * on the parent's p_waitcv (dropping it).  Stopped children are not
 * modelled, so p_nstopchild counts zombies.  pid: > 0 that child, -1 any.
 */
static int
nb_find_stopped_child(struct reap_proc *parent, pid_t pid, int options,
    struct reap_proc **child_p, int *status_p) KERN_NO_TSA
{
	struct nb_sys *ns = parent->p_sys;
	struct reap_proc *child, *dead;
	int error, stat;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	for (;;) {
		error = ECHILD;
		dead = NULL;
		if (ns->ns_2007)
			mutex_enter(&ns->ns_proclist_mutex);
		LIST_FOREACH(child, &parent->p_children, p_sibling) {
			if (pid >= 0 && child->p_pid != pid) {
				child = nb_proc_find_raw(ns, pid);
				if (child == NULL ||
				    atomic_load_explicit(&child->p_stat,
				    memory_order_relaxed) == SIDL ||
				    child->p_pptr != parent) {
					child = NULL;
					break;
				}
			}
			error = 0;
			stat = atomic_load_explicit(&child->p_stat,
			    memory_order_relaxed);
			if (stat == SZOMB)
				break;
			if (stat == SDEAD)
				dead = child;	/* zombie in a moment */
			if (parent->p_nstopchild == 0 || child->p_pid == pid) {
				child = NULL;
				break;
			}
		}
		if (child != NULL || error != 0 ||
		    ((options & WNOHANG) != 0 && dead == NULL)) {
			if (child != NULL)
				*status_p = child->p_xstat;
			if (ns->ns_2007)
				mutex_exit(&ns->ns_proclist_mutex);
			*child_p = child;
			return error;
		}

		/* Wait for a child to change state. */
		if (!ns->ns_2007) {
			error = cv_wait_sig(&parent->p_waitcv,
			    &ns->ns_proc_lock);
		} else {
			mutex_exit(&ns->ns_proc_lock);
			error = cv_wait_sig(&parent->p_waitcv,
			    &ns->ns_proclist_mutex);
			mutex_exit(&ns->ns_proclist_mutex);
			mutex_enter(&ns->ns_proc_lock);
		}
		if (error != 0) {
			*child_p = NULL;
			return error;
		}
	}
}

/*
 * Models do_sys_wait() (sys_wait4) in kern_exit.c: find a zombie child
 * under proc_lock and free it (proc_free releases the lock).  Returns its
 * pid, 0 (WNOHANG), or -errno.
 */
pid_t
nb_proc_wait(struct reap_lwp *l, pid_t pid, int *status, int options)
    KERN_NO_TSA
{
	struct reap_proc *parent = nb_lwp_owner(l);
	struct nb_sys *ns = parent->p_sys;
	struct reap_proc *child;
	int error, st = 0;
	pid_t cpid;

	KASSERT(pid == -1 || pid > 0, "process groups are not modelled "
	    "(nb_api_proc_wait answers EINVAL)");
	mutex_enter(&ns->ns_proc_lock);
	error = nb_find_stopped_child(parent, pid, options, &child, &st);
	if (child == NULL) {
		mutex_exit(&ns->ns_proc_lock);
		return error != 0 ? -error : 0;
	}
	cpid = child->p_pid;
	nb_proc_free(child);			/* releases proc_lock */
	if (status != NULL)
		*status = st;
	return cpid;
}
