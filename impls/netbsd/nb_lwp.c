/*
 * nb_lwp.c - the netbsd design: the LWP lifecycle of NetBSD's kern_lwp.c
 * 1.252 on the model kernel.
 *
 * States (l_stat) and who moves an LWP between them:
 *
 *	lwp_create          lwp_start         lwp_enter (carrier)
 *	   LSIDL ------------> LSRUN ------------> LSONPROC
 *	     ^                                        |  lwp_exit: p_nzlwps++,
 *	     |                                        |  drain refs, zombie slot
 *	     |   lwp_free: spin until !LP_RUNNING     v
 *	     +-------------------------------------- LSZOMB ---> switch-out:
 *	      (by lwp_wait, the next detached exit,          clear LP_RUNNING
 *	       lwp_create's recycling, or proc_free)         (release store)
 *
 * The last live LWP of a process does not become a zombie through
 * lwp_exit: it calls exit1 (nb_exit.c), which kills and collects the
 * others, makes the process a zombie and leaves the LWP for the parent's
 * wait to free with the process (proc_free -> lwp_free(last)).
 *
 * An exiting detached LWP first frees the detached zombie already parked
 * in p->p_zomblwp (if any), then parks itself there: at most one detached
 * zombie per process waits.  lwp_create takes the parked zombie and reuses
 * its memory (recycle); lwp_wait drains it.
 *
 * Locks, in the order they are taken:
 *	proc_lock (global adaptive mutex: alllwp, the pid table, the process
 *	    tree)  ->  p->p_lock (adaptive: the process's LWP list, counters,
 *	    p_zomblwp, l_prflag, l_refcnt)  ->  *l->l_mutex (the per-CPU
 *	    spc_lwplock of the LWP's CPU: l_stat)
 *	p->p_lwpcv (with p_lock) signals every LWP state change, reference
 *	drop and collection; its waiters recheck everything.
 * p_lock is never held while proc_lock is taken: lwp_exit drops p_lock to
 * take proc_lock (alllwp) and retakes p_lock afterwards, and lwp_free
 * releases p_lock before taking proc_lock to free the LWP ID; exit1 takes
 * p_lock inside proc_lock.
 *
 * The model of "switching away into oblivion": the carrier is the pthread
 * that runs the LWP.  LP_RUNNING is set by lwp_enter and cleared with a
 * release store at the very end of lwp_exit (nb_lwp_switchaway, modelling
 * mi_switch + lwp_startup); until then the carrier still writes into the
 * LWP (l_ncsw), and lwp_free spins with an acquire load until the flag is
 * clear.  After that store the carrier never touches the LWP again.
 */
#include <string.h>

#include "netbsd.h"

struct kspin *
nb_cpu_lwplock(struct nb_sys *ns, int cpu)
{
	return &ns->ns_cpu[cpu]->spc_lwplock;
}

/*
 * Models lwp_lock() (sys/lwp.h): lock the LWP's current lock, retrying if
 * l_mutex moved while we waited.  Returns the lock held.
 */
struct kspin *
nb_lwp_lock(struct reap_lwp *l) KERN_NO_TSA
{
	struct kspin *old;

	for (;;) {
		old = atomic_load_explicit(&l->l_mutex, memory_order_acquire);
		kspin_lock(old);
		if (atomic_load_explicit(&l->l_mutex, memory_order_relaxed) ==
		    old)
			return old;
		kspin_unlock(old);
	}
}

/* Models lwp_unlock(). */
void
nb_lwp_unlock(struct reap_lwp *l) KERN_NO_TSA
{
	struct kspin *sp;

	sp = atomic_load_explicit(&l->l_mutex, memory_order_relaxed);
	KASSERT(kspin_owned(sp), "lwp not locked");
	kspin_unlock(sp);
}

/* Models lwp_unlock_to() in NetBSD kern_lwp.c 1.252. */
void
nb_lwp_unlock_to(struct reap_lwp *l, struct kspin *new) KERN_NO_TSA
{
	struct kspin *old;

	old = atomic_load_explicit(&l->l_mutex, memory_order_relaxed);
	KASSERT(kspin_owned(old), "lwp not locked");
	atomic_store_explicit(&l->l_mutex, new, memory_order_release);
	kspin_unlock(old);
}

/*
 * Models lwp_create() in NetBSD kern_lwp.c 1.252.  Reaps and reuses the
 * parked detached zombie if there is one, else takes an LWP from
 * lwp_cache; allocates its LID in the global pid table (under proc_lock);
 * links it under p_lock and onto alllwp under proc_lock; then starts it
 * (lwp_start).  NULL if the process is exiting.
 *
 * The seed links the new LWP in the same p_lock hold in which it copies
 * the creator's LW_WEXIT, so that no LWP sneaks into an exiting process
 * unmarked; that suffices there because the creator is itself an LWP of
 * the process, which exit_lwps must collect, so exit1 cannot have gone
 * past exit_lwps.  Here the creator need not be an LWP of the process:
 * exit1 may have collected every LWP and be making the process a zombie
 * while we were outside p_lock, and an LWP linked then would outlive
 * exit_lwps and later run exit1 a second time.  So the PS_WEXIT test is
 * repeated in the hold that links, and a late create is unwound instead,
 * as the seed unwinds a failed proc_alloc_lwpid.
 */
struct reap_lwp *
nb_lwp_create(struct reap_proc *p, unsigned flags, lwpid_t *lidp) KERN_NO_TSA
{
	struct nb_sys *ns = p->p_sys;
	struct reap_lwp *nl;
	lwpid_t lid;
	bool recycled;

	mutex_enter(&p->p_lock);
	if ((p->p_sflag & PS_WEXIT) != 0) {
		mutex_exit(&p->p_lock);
		return NULL;
	}

	/* First reap any detached LWP waiting to be collected; reuse it. */
	if ((nl = atomic_load_explicit(&p->p_zomblwp,
	    memory_order_relaxed)) != NULL) {
		atomic_store_explicit(&p->p_zomblwp, NULL,
		    memory_order_relaxed);
		KERN_INJECT("netbsd.create.zomb_taken");
		nb_lwp_free(nl, true, false);	/* releases p_lock */
		memset(nl->l_startzero, 0, sizeof(*nl) -
		    offsetof(struct reap_lwp, l_startzero));
		recycled = true;
	} else {
		mutex_exit(&p->p_lock);
		nl = nb_cache_get(ns);
		recycled = false;
	}

	KASSERT(nb_lwp_stat(nl) == LSIDL, "new lwp not idle");
	atomic_store_explicit(&nl->l_proc, p, memory_order_release);
	nl->l_refcnt = 0;

	/* LSIDL: lookups by the new ID fail until lwp_start. */
	lid = nb_proc_alloc_lwpid(ns, p, nl);
	KERN_INJECT("netbsd.create.lid");

	mutex_enter(&p->p_lock);
	if ((p->p_sflag & PS_WEXIT) != 0) {
		/* exit1 began while p_lock was dropped: unwind. */
		mutex_exit(&p->p_lock);
		mutex_enter(&ns->ns_proc_lock);
		nb_proc_free_lwpid(ns, p, lid);
		mutex_exit(&ns->ns_proc_lock);
		nb_cache_put(ns, nl);
		return NULL;
	}
	if ((flags & REAP_DETACHED) != 0) {
		nl->l_prflag = LPR_DETACHED;
		p->p_ndlwps++;
	} else
		nl->l_prflag = 0;
	LIST_INSERT_HEAD(&p->p_lwps, nl, l_sibling);
	p->p_nlwps++;
	p->p_nrlwps++;
	mutex_exit(&p->p_lock);

	mutex_enter(&ns->ns_proc_lock);
	LIST_INSERT_HEAD(&ns->ns_alllwp, nl, l_list);
	mutex_exit(&ns->ns_proc_lock);

	kern_count(KC_LWP_CREATE);
	kern_count(recycled ? KC_LWP_RECYCLE : KC_LWP_ALLOC);
	KERN_INJECT("netbsd.create.linked");
	nb_lwp_start(nl);
	*lidp = lid;
	return nl;
}

/* Models lwp_start() in NetBSD kern_lwp.c 1.252 (setrunnable). */
void
nb_lwp_start(struct reap_lwp *l)
{
	struct reap_proc *p = nb_lwp_owner(l);

	mutex_enter(&p->p_lock);
	nb_lwp_lock(l);
	KASSERT(nb_lwp_stat(l) == LSIDL, "starting a non-idle lwp");
	nb_lwp_setstat(l, LSRUN);
	nb_lwp_unlock(l);
	mutex_exit(&p->p_lock);
}

/*
 * Models the final mi_switch() of lwp_exit() and the LP_RUNNING clear of
 * lwp_startup() in NetBSD kern_lwp.c 1.252.  The carrier stops being
 * interruptible, then, inside the window where lwp_free may already be
 * waiting for it, still writes into the LWP (the switch accounting), and
 * finally clears LP_RUNNING with a release store matched by lwp_free's
 * acquire load.  The lock pointer is read before that store: after it the
 * carrier does not touch the LWP.
 */
void
nb_lwp_switchaway(struct reap_lwp *l) KERN_NO_TSA
{
	struct kspin *lock;
	int pflag;

	KASSERT(l->l_td == kern_curtd(), "switching away from another lwp");
	KASSERT(nb_lwp_stat(l) == LSZOMB, "switching away alive");
	kern_td_setsig(NULL);
	/* 1.54: KERNEL_UNLOCK_ALL before cpu_exit (1.252 holds none). */
	(void)kern_biglock_release_all();

	KERN_INJECT("netbsd.switch.window");

	lock = nb_lwp_lock(l);
	l->l_ncsw++;
	pflag = atomic_load_explicit(&l->l_pflag, memory_order_relaxed);
	KASSERT((pflag & LP_RUNNING) != 0, "zombie not on its cpu");
	atomic_store_explicit(&l->l_pflag, pflag & ~LP_RUNNING,
	    memory_order_release);
	kspin_unlock(lock);
}

/*
 * The tail of lwp_exit() shared by NetBSD kern_lwp.c 1.252 and
 * NetBSD kern_lwp.c 1.54: publish LSZOMB under the LWP's lock, wake
 * lwp_wait()ers under the process mutex and release it, then switch away.
 * Entered with p->p_lock (2007: p_smutex) held; releases it.
 */
void
nb_lwp_exit_zombie(struct reap_lwp *l) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	/* Publish the zombie: from here lwp_free may be gunning for us. */
	kern_lwp_exit_stamp(ns->ns_mach, &l->l_stamp);
	nb_lwp_lock(l);
	nb_lwp_setstat(l, LSZOMB);
	nb_lwp_unlock(l);
	p->p_nrlwps--;
	if (!nb_mutant(ns, NB_MUT_BCAST_AFTER_UNLOCK)) {
		cv_broadcast(&p->p_lwpcv);
		mutex_exit(&p->p_lock);
	} else {
		/* Mutant: NetBSD kern_lwp.c 1.40.2.18's order. */
		mutex_exit(&p->p_lock);
		KERN_INJECT("netbsd.exit.after_unlock");
		cv_broadcast(&p->p_lwpcv);
	}
	nb_lwp_switchaway(l);
}

/*
 * Models lwp_exit() in NetBSD kern_lwp.c 1.252.  Called by the carrier;
 * returns when the LWP is off its CPU for good.
 */
void
nb_lwp_exit(struct reap_lwp *l) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	struct reap_lwp *nl;

	KASSERT(l->l_td == kern_curtd(), "lwp_exit by another thread");
	KASSERT(nb_lwp_stat(l) == LSONPROC, "lwp_exit of a non-running lwp");

	/*
	 * The last live LWP exits the process, status 0.  Otherwise count
	 * ourselves a zombie now so that no one else thinks it is the last.
	 */
	mutex_enter(&p->p_lock);
	if (p->p_nlwps - p->p_nzlwps == 1) {
		KASSERT(p != ns->ns_initproc, "init exiting");
		nb_exit1(l, 0);			/* releases p_lock */
		return;
	}
	p->p_nzlwps++;

	/* lwp_thread_cleanup: releases p_lock (robust futexes: omitted). */
	mutex_exit(&p->p_lock);

	/* (fd_free's reference, fstrans_lwp_dtor, lwp_finispecific,
	 * callout_destroy: no stand-in.) */
	kern_work(KW_LWP_CRFREE);	/* kauth_cred_free(l->l_cred) */

	/* Off the global LWP list. */
	mutex_enter(&ns->ns_proc_lock);
	LIST_REMOVE(l, l_list);
	mutex_exit(&ns->ns_proc_lock);

	/*
	 * Drain references, then (detached) free the zombie already parked
	 * and park ourselves, all under one hold of p_lock: dropping it
	 * (drain sleeps, lwp_free unlocks) restarts the checks.
	 */
	mutex_enter(&p->p_lock);
	for (;;) {
		if (nb_lwp_drainrefs(l))
			continue;
		if ((l->l_prflag & LPR_DETACHED) != 0) {
			if ((nl = atomic_load_explicit(&p->p_zomblwp,
			    memory_order_relaxed)) != NULL) {
				atomic_store_explicit(&p->p_zomblwp, NULL,
				    memory_order_relaxed);
				KERN_INJECT("netbsd.exit.zomb_slot");
				nb_lwp_free(nl, false, false); /* releases p_lock */
				mutex_enter(&p->p_lock);
				continue;
			}
			atomic_store_explicit(&p->p_zomblwp, l,
			    memory_order_relaxed);
		}
		break;
	}

	/* cpu_lwp_free, then switch away into oblivion. */
	nb_lwp_exit_zombie(l);
}

/*
 * Models lwp_free() in NetBSD kern_lwp.c 1.252.  Unless `last` (proc_free
 * of the process's final LWP), p_lock is held on entry and released.  Waits
 * for the LWP to leave its CPU, resets it to LSIDL on the current CPU (so
 * stale pid-table lookups fail), unlinks it and frees its LID under
 * proc_lock, then returns it to lwp_cache unless the caller recycles it.
 */
void
nb_lwp_free(struct reap_lwp *l, bool recycle, bool last) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	lwpid_t lid = atomic_load_explicit(&l->l_lid, memory_order_relaxed);
	unsigned count = SPINLOCK_BACKOFF_MIN;
	int cpu;

	KASSERT(last || mutex_owned(&p->p_lock), "p_lock not held");
	KASSERT(nb_lwp_stat(l) == LSZOMB, "freeing a live lwp");

	/* In the unlikely event the LWP is still on its CPU, spin. */
	KERN_INJECT("netbsd.free.before_spin");
	if (!nb_mutant(ns, NB_MUT_FREE_WHILE_RUNNING)) {
		while ((atomic_load_explicit(&l->l_pflag,
		    memory_order_acquire) & LP_RUNNING) != 0)
			kern_backoff(&count);
	}

	/* Back to LSIDL on our CPU, LWP locked (and p_lock held). */
	nb_lwp_lock(l);
	nb_lwp_setstat(l, LSIDL);
	cpu = mycpuid() % ns->ns_ncpus;
	l->l_cpu = cpu;
	nb_lwp_unlock_to(l, nb_cpu_lwplock(ns, cpu));

	if (!last) {
		LIST_REMOVE(l, l_sibling);
		p->p_nlwps--;
		p->p_nzlwps--;
		if ((l->l_prflag & LPR_DETACHED) != 0)
			p->p_ndlwps--;
		/* Waiters in lwp_wait recheck for deadlock. */
		cv_broadcast(&p->p_lwpcv);
		mutex_exit(&p->p_lock);

		mutex_enter(&ns->ns_proc_lock);
		nb_proc_free_lwpid(ns, p, lid);
		mutex_exit(&ns->ns_proc_lock);
	}

	/* (sigclear, cv_destroy, lwp_ctl_free, kcpuset_unuse, l_name,
	 * kdtrace_thread_dtor: no stand-in.)  cpu_lwp_free2, uvm_lwp_exit: */
	kern_work(KW_LWP_STACK);

	kern_lwp_free_stamp(ns->ns_mach, &l->l_stamp);
	kern_lwps_freed(ns->ns_mach, 1);
	if (!recycle)
		nb_cache_put(ns, l);
}

/* Models lwp_addref() in NetBSD kern_lwp.c 1.252. */
void
nb_lwp_addref(struct reap_lwp *l)
{
	KASSERT_MUTEX_OWNED(&nb_lwp_owner(l)->p_lock);
	KASSERT(nb_lwp_stat(l) != LSZOMB, "addref of a zombie");
	l->l_refcnt++;
}

/* Models lwp_delref2() in NetBSD kern_lwp.c 1.252. */
void
nb_lwp_delref2(struct reap_lwp *l)
{
	struct reap_proc *p = nb_lwp_owner(l);

	KASSERT_MUTEX_OWNED(&p->p_lock);
	KASSERT(nb_lwp_stat(l) != LSZOMB, "delref of a zombie");
	KASSERT(l->l_refcnt > 0, "delref underflow");
	if (--l->l_refcnt == 0)
		cv_broadcast(&p->p_lwpcv);
}

/* Models lwp_delref() in NetBSD kern_lwp.c 1.252. */
void
nb_lwp_delref(struct reap_lwp *l)
{
	struct reap_proc *p = nb_lwp_owner(l);
	int refcnt;

	mutex_enter(&p->p_lock);
	if (!nb_mutant(p->p_sys, NB_MUT_BCAST_AFTER_UNLOCK)) {
		nb_lwp_delref2(l);
		mutex_exit(&p->p_lock);
		return;
	}
	/*
	 * Mutant: NetBSD kern_lwp.c 1.40.2.18's lwp_delref drops the count under
	 * the lock and broadcasts after unlocking.  Our reference was all
	 * that kept the process alive: once it is dropped the LWP may exit,
	 * the process be reaped and p freed before this broadcast.
	 */
	KASSERT(l->l_refcnt > 0, "delref underflow");
	refcnt = --l->l_refcnt;
	mutex_exit(&p->p_lock);
	KERN_INJECT("netbsd.delref.after_unlock");
	if (refcnt == 0)
		cv_broadcast(&p->p_lwpcv);
}

/*
 * Models lwp_drainrefs() in NetBSD kern_lwp.c 1.252: no new references;
 * wait for the old ones to go.  Returns true if it slept (p_lock was
 * dropped, so the caller's other checks must be redone).
 */
bool
nb_lwp_drainrefs(struct reap_lwp *l) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	bool rv = false;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	l->l_prflag |= LPR_DRAINING;
	while (l->l_refcnt > 0) {
		rv = true;
		cv_wait(&p->p_lwpcv, &p->p_lock);
	}
	return rv;
}

/*
 * Models lwp_find() in NetBSD kern_lwp.c 1.252: a live LWP of p by ID
 * (pid table lookup), excluding idle and zombie ones.  p_lock held.
 */
struct reap_lwp *
nb_lwp_find(struct reap_proc *p, lwpid_t lid)
{
	struct reap_lwp *l;
	int stat;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	l = nb_proc_find_lwp(p, lid);
	if (l == NULL)
		return NULL;
	stat = nb_lwp_stat(l);
	return (stat == LSIDL || stat == LSZOMB) ? NULL : l;
}
