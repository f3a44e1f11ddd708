/*
 * nb_2007.c - the netbsd-2007 variant: kern_lwp.c 1.54
 * (NetBSD kern_lwp.c 1.54) where it differs from 1.252.
 *
 *  - p_lock stands for p_smutex (the per-process state mutex); a second
 *    condvar p_refcv carries reference drops, and an LWP holds one
 *    reference on itself until lwp_drainrefs drops it.
 *  - Every LWP's lock is the one global sched_mutex (no per-CPU locks).
 *  - The global alllwp list is under proclist_mutex; LWP IDs are a
 *    per-process counter (p_nlwpid), not pid-table slots, and lookups by
 *    ID walk p_lwps.
 *  - lwp_wait1 has no first-waiter logic; exit_lwps' waits
 *    (LWPWAIT_EXITCONTROL) are untimed; deadlock is detected by counting
 *    (p_nrlwps <= p_nlwpwait + p_ndlwps).
 *  - lwp_free adjusts the counters, drops p_smutex and only then spins
 *    until the LWP is off its CPU (ci_curlwp != l, modelled by the same
 *    LP_RUNNING release/acquire pair); it does not reset l_stat or
 *    broadcast, and frees no ID.  For the last LWP, proc_free spins.
 * Everything else (exit1, exit_lwps, wait, proc_free) is in nb_exit.c.
 */
#include <string.h>

#include "netbsd.h"

/*
 * Models newlwp() in NetBSD kern_lwp.c 1.54.  The seed peeks at
 * p_zomblwp unlocked and takes p_smutex only if it is set; the model
 * takes p_smutex once up front because the common interface must refuse
 * to create an LWP in an exiting process (PS_WEXIT).
 *
 * Two deviations, both in the p_smutex hold that links the new LWP:
 *  - PS_WEXIT is tested again and a late create unwound.  The seed's
 *    creator is an LWP of the process, which exit1 must collect first;
 *    ours need not be, so exit1 may have collected every LWP while we
 *    were outside p_smutex, and an LWP linked then would outlive
 *    exit_lwps, be the "last live LWP" and run exit1 again (status 0).
 *  - The LWP is counted running (p_nrlwps) in the same hold that counts
 *    it detached (p_ndlwps) and live (p_nlwps): the seed counts it
 *    running only in sys__lwp_create's later hold, so lwp_wait1 could
 *    see it neither running nor waiting (lwp_wait1's deadlock test).
 */
struct reap_lwp *
nb7_newlwp(struct reap_proc *p, unsigned flags, lwpid_t *lidp) KERN_NO_TSA
{
	struct nb_sys *ns = p->p_sys;
	struct reap_lwp *nl, *isfree;
	lwpid_t lid;

	mutex_enter(&p->p_lock);
	if ((p->p_sflag & PS_WEXIT) != 0) {
		mutex_exit(&p->p_lock);
		return NULL;
	}
	if ((isfree = atomic_load_explicit(&p->p_zomblwp,
	    memory_order_relaxed)) != NULL) {
		atomic_store_explicit(&p->p_zomblwp, NULL,
		    memory_order_relaxed);
		KERN_INJECT("netbsd.create.zomb_taken");
		nb7_lwp_free(isfree, true, false);	/* releases p_smutex */
		nl = isfree;
		memset(nl->l_startzero, 0, sizeof(*nl) -
		    offsetof(struct reap_lwp, l_startzero));
	} else {
		mutex_exit(&p->p_lock);
		nl = nb_cache_get(ns);		/* pool_get(&lwp_pool) */
	}

	KASSERT(nb_lwp_stat(nl) == LSIDL, "new lwp not idle");
	atomic_store_explicit(&nl->l_proc, p, memory_order_release);
	nl->l_refcnt = 1;			/* its own, see drainrefs */
	atomic_store_explicit(&nl->l_mutex, &ns->ns_sched_mutex,
	    memory_order_release);
	nl->l_cpu = mycpuid() % ns->ns_ncpus;
	KERN_INJECT("netbsd.create.lid");

	mutex_enter(&p->p_lock);
	if ((p->p_sflag & PS_WEXIT) != 0) {
		mutex_exit(&p->p_lock);
		nb_cache_put(ns, nl);		/* pool_put: nothing else held */
		return NULL;
	}
	if ((flags & REAP_DETACHED) != 0) {
		nl->l_prflag = LPR_DETACHED;
		p->p_ndlwps++;
	} else
		nl->l_prflag = 0;
	if (++p->p_nlwpid <= 0)
		p->p_nlwpid = 1;
	lid = p->p_nlwpid;
	atomic_store_explicit(&nl->l_lid, lid, memory_order_relaxed);
	LIST_INSERT_HEAD(&p->p_lwps, nl, l_sibling);
	p->p_nlwps++;
	p->p_nrlwps++;
	mutex_exit(&p->p_lock);

	mutex_enter(&ns->ns_proclist_mutex);
	LIST_INSERT_HEAD(&ns->ns_alllwp, nl, l_list);
	mutex_exit(&ns->ns_proclist_mutex);

	kern_count(KC_LWP_CREATE);
	kern_count(isfree != NULL ? KC_LWP_RECYCLE : KC_LWP_ALLOC);
	KERN_INJECT("netbsd.create.linked");
	nb7_lwp_start(nl);
	*lidp = lid;
	return nl;
}

/*
 * Models the start of a new LWP in sys__lwp_create() / fork1() of the
 * 2007 kernel: under p_smutex and sched_mutex it becomes runnable (the
 * seed counts it in p_nrlwps here; see nb7_newlwp); it inherits a
 * pending exit.
 */
void
nb7_lwp_start(struct reap_lwp *l)
{
	struct reap_proc *p = nb_lwp_owner(l);

	mutex_enter(&p->p_lock);
	nb_lwp_lock(l);
	KASSERT(nb_lwp_stat(l) == LSIDL, "starting a non-idle lwp");
	nb_lwp_setstat(l, LSRUN);
	if ((p->p_sflag & PS_WEXIT) != 0)
		atomic_store_explicit(&l->l_kill, 1, memory_order_relaxed);
	nb_lwp_unlock(l);
	mutex_exit(&p->p_lock);
}

/*
 * Models lwp_exit() in NetBSD kern_lwp.c 1.54.  Differences from 1.252:
 * p_smutex is dropped right after p_nzlwps++, alllwp is under
 * proclist_mutex, references drain on p_refcv before (not in a loop
 * with) the zombie slot, which is emptied with a while loop.
 */
void
nb7_lwp_exit(struct reap_lwp *l) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	struct reap_lwp *nl;

	KASSERT(l->l_td == kern_curtd(), "lwp_exit by another thread");
	KASSERT(nb_lwp_stat(l) == LSONPROC, "lwp_exit of a non-running lwp");

	/* lwp_userret's (and sys__lwp_exit's) KERNEL_LOCK(1): held to the
	 * end, exit1 included, and let go in the switch-away. */
	kern_biglock_enter();
	mutex_enter(&p->p_lock);
	if (p->p_nlwps - p->p_nzlwps == 1) {
		KASSERT(p != ns->ns_initproc, "init exiting");
		nb_exit1(l, 0);			/* releases p_smutex */
		return;
	}
	p->p_nzlwps++;
	mutex_exit(&p->p_lock);

	/* (e_lwp_exit, specificdata_fini: no stand-in.) */
	kern_work(KW_LWP_CRFREE);	/* kauth_cred_free(l->l_cred) */

	mutex_enter(&ns->ns_proclist_mutex);
	LIST_REMOVE(l, l_list);
	mutex_exit(&ns->ns_proclist_mutex);

	mutex_enter(&p->p_lock);
	nb7_lwp_drainrefs(l);
	if ((l->l_prflag & LPR_DETACHED) != 0) {
		while ((nl = atomic_load_explicit(&p->p_zomblwp,
		    memory_order_relaxed)) != NULL) {
			atomic_store_explicit(&p->p_zomblwp, NULL,
			    memory_order_relaxed);
			KERN_INJECT("netbsd.exit.zomb_slot");
			nb7_lwp_free(nl, false, false);	/* releases p_smutex */
			mutex_enter(&p->p_lock);
		}
		atomic_store_explicit(&p->p_zomblwp, l, memory_order_relaxed);
	}

	/* LSZOMB, the broadcast under p_smutex, then cpu_lwp_free,
	 * pmap_deactivate, cpu_exit. */
	nb_lwp_exit_zombie(l);
}

/*
 * Models lwp_free() in NetBSD kern_lwp.c 1.54.  Unless `last`, p_smutex
 * is held on entry and released before the on-CPU spin.
 */
void
nb7_lwp_free(struct reap_lwp *l, bool recycle, bool last) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	unsigned count = SPINLOCK_BACKOFF_MIN;
	int big;

	KASSERT(nb_lwp_stat(l) == LSZOMB, "freeing a live lwp");
	if (!last) {
		KASSERT_MUTEX_OWNED(&p->p_lock);
		LIST_REMOVE(l, l_sibling);
		p->p_nlwps--;
		p->p_nzlwps--;
		if ((l->l_prflag & LPR_DETACHED) != 0)
			p->p_ndlwps--;
		mutex_exit(&p->p_lock);

		/* Still on its CPU?  Spin, holding no lock: not even
		 * kernel_lock (KERNEL_UNLOCK_ALL, then KERNEL_LOCK(count)). */
		KERN_INJECT("netbsd.free.before_spin");
		if (!nb_mutant(ns, NB_MUT_FREE_WHILE_RUNNING) &&
		    (atomic_load_explicit(&l->l_pflag, memory_order_acquire) &
		    LP_RUNNING) != 0) {
			big = kern_biglock_release_all();
			while ((atomic_load_explicit(&l->l_pflag,
			    memory_order_acquire) & LP_RUNNING) != 0)
				kern_backoff(&count);
			kern_biglock_reacquire(big);
		}
	}

	/* The rest under KERNEL_LOCK(1) ("XXXSMP"), pool_put included.
	 * (sigclear, cv_destroy, turnstile: no stand-in.)  cpu_lwp_free2,
	 * uvm_lwp_exit: */
	kern_biglock_enter();
	kern_work(KW_LWP_STACK);

	/* pool_put/recycling wants it idle (lwp_pool's constructed state). */
	nb_lwp_lock(l);
	nb_lwp_setstat(l, LSIDL);
	nb_lwp_unlock(l);

	kern_lwp_free_stamp(ns->ns_mach, &l->l_stamp);
	kern_lwps_freed(ns->ns_mach, 1);
	if (!recycle)
		nb_cache_put(ns, l);
	kern_biglock_exit();			/* KERNEL_UNLOCK_ONE */
}

/*
 * Models lwp_wait1() in NetBSD kern_lwp.c 1.54.  p_smutex held on entry
 * and return.  Adaptations to the common interface (reap.h):
 *  - a waiter that collects leaves p_nlwpwait before lwp_free drops
 *    p_smutex, as 1.252 does: the seed leaves after, so another waiter
 *    could count it as waiting while it returned, and say EDEADLK;
 *  - a specific LID naming a detached LWP is EINVAL (the seed answers
 *    ESRCH), itself included (the seed: EDEADLK), as 1.252 does;
 *  - a waiter of an exiting process gets EINTR (the seed: EDEADLK), also
 *    where it would get ESRCH because the exit collected its targets;
 *  - deadlock is every running LWP waiting (p_nrlwps <= p_nlwpwait).
 *    The seed also subtracts p_ndlwps, taking detached LWPs for ones
 *    that can never make a collectable zombie, which is wrong twice: a
 *    running detached LWP may still create joinable ones or exit the
 *    process, and a detached waiter was subtracted twice, so a waiter
 *    was told EDEADLK while the LWP it waited for ran.
 */
int
nb7_lwp_wait1(struct reap_lwp *l, lwpid_t lid, lwpid_t *departed,
    bool exitcontrol) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct reap_lwp *cand;
	int ncand, error;

	KASSERT_MUTEX_OWNED(&p->p_lock);

	if (lid == atomic_load_explicit(&l->l_lid, memory_order_relaxed))
		return (l->l_prflag & LPR_DETACHED) != 0 ? EINVAL : EDEADLK;

	p->p_nlwpwait++;
	for (;;) {
		/* First drain the detached zombie waiting to be reaped. */
		while ((cand = atomic_load_explicit(&p->p_zomblwp,
		    memory_order_relaxed)) != NULL) {
			atomic_store_explicit(&p->p_zomblwp, NULL,
			    memory_order_relaxed);
			nb7_lwp_free(cand, false, false);	/* releases p_smutex */
			mutex_enter(&p->p_lock);
		}

		ncand = 0;
		error = 0;
		LIST_FOREACH(cand, &p->p_lwps, l_sibling) {
			if (cand == l || (lid != 0 && atomic_load_explicit(
			    &cand->l_lid, memory_order_relaxed) != lid))
				continue;
			if ((cand->l_prflag & LPR_DETACHED) != 0) {
				if (lid != 0 && !exitcontrol)
					error = EINVAL;
				ncand += exitcontrol;
				continue;
			}
			ncand++;
			if (nb_lwp_stat(cand) != LSZOMB)
				continue;

			if (departed != NULL)
				*departed = atomic_load_explicit(&cand->l_lid,
				    memory_order_relaxed);
			/* No longer waiting before lwp_free drops p_smutex
			 * (1.252's order; the seed decrements after it). */
			p->p_nlwpwait--;
			KERN_INJECT("netbsd.wait.collect");
			nb7_lwp_free(cand, false, false);	/* releases p_smutex */
			mutex_enter(&p->p_lock);
			return 0;
		}

		if (error != 0)
			break;
		if (ncand == 0) {
			error = ESRCH;
			if (!exitcontrol && (p->p_sflag & PS_WEXIT) != 0)
				error = EINTR;
			break;
		}
		if (exitcontrol) {
			KASSERT(p->p_nlwps > 1, "exiting wait with one lwp");
			cv_wait(&p->p_lwpcv, &p->p_lock);
			continue;
		}
		/*
		 * The seed answers EDEADLK once the process is exiting.  The
		 * caller has then been killed (exit_lwps marked it in the
		 * same p_smutex hold that set PS_WEXIT), which the common
		 * interface reports as EINTR.
		 */
		if ((p->p_sflag & PS_WEXIT) != 0) {
			error = EINTR;
			break;
		}
		if (p->p_nrlwps <= p->p_nlwpwait) {
			error = EDEADLK;
			break;
		}
		if ((error = cv_wait_sig(&p->p_lwpcv, &p->p_lock)) != 0)
			break;
	}
	p->p_nlwpwait--;
	return error;
}

/*
 * Models lwp_drainrefs() in NetBSD kern_lwp.c 1.54: drop the LWP's own
 * reference and wait on p_refcv for the others.  p_smutex held.  It also
 * sets 1.252's LPR_DRAINING, which lookups honour (nb_lwp_hold): in the
 * seed a new reference only needs another one outstanding, so observers
 * that always hold one could keep the LWP from ever exiting.
 */
void
nb7_lwp_drainrefs(struct reap_lwp *l) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);

	KASSERT_MUTEX_OWNED(&p->p_lock);
	KASSERT(l->l_refcnt != 0, "drained twice");
	l->l_prflag |= LPR_DRAINING;
	l->l_refcnt--;
	while (l->l_refcnt != 0)
		cv_wait(&p->p_refcv, &p->p_lock);
}

/*
 * Models lwp_delref() in NetBSD kern_lwp.c 1.54 (the broadcast under
 * p_smutex; the mutant puts back NetBSD kern_lwp.c 1.40.2.18's broadcast
 * after unlocking).
 */
void
nb7_lwp_delref(struct reap_lwp *l)
{
	struct reap_proc *p = nb_lwp_owner(l);
	int refcnt;

	mutex_enter(&p->p_lock);
	KASSERT(l->l_refcnt > 0, "delref underflow");
	refcnt = --l->l_refcnt;
	if (!nb_mutant(p->p_sys, NB_MUT_BCAST_AFTER_UNLOCK)) {
		if (refcnt == 0)
			cv_broadcast(&p->p_refcv);
		mutex_exit(&p->p_lock);
		return;
	}
	mutex_exit(&p->p_lock);
	KERN_INJECT("netbsd.delref.after_unlock");
	if (refcnt == 0)
		cv_broadcast(&p->p_refcv);
}

/*
 * Models lwp_find() in NetBSD kern_lwp.c 1.54: walk p_lwps for a live
 * LWP with that ID.  p_smutex held.
 */
struct reap_lwp *
nb7_lwp_find(struct reap_proc *p, lwpid_t lid)
{
	struct reap_lwp *l;
	int stat;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	LIST_FOREACH(l, &p->p_lwps, l_sibling) {
		if (atomic_load_explicit(&l->l_lid, memory_order_relaxed) !=
		    lid)
			continue;
		stat = nb_lwp_stat(l);
		return (stat == LSIDL || stat == LSZOMB) ? NULL : l;
	}
	return NULL;
}
