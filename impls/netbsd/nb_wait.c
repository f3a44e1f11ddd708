/*
 * nb_wait.c - _lwp_wait of the netbsd design: lwp_wait() of kern_lwp.c
 * 1.252.
 *
 * A waiter for a specific LWP marks itself its first waiter (l_waiter) so
 * that waiters for "any" LWP leave it alone; every waiter records what it
 * waits for (l_waitingfor) so that two LWPs waiting on each other are
 * caught.  When every LWP of the process is in lwp_wait, nobody can exit:
 * EDEADLK.  exit_lwps waits with `exiting`: detached LWPs count as
 * collectable (their zombies are drained here) and the sleep is a
 * one-tick timed wait, after which exit_lwps kills and waits again.
 *
 * A waiter killed by exit1 leaves with EINTR (reap.h).  In the seed it
 * may leave with EDEADLK instead, since exit_lwps' own lwp_wait counts in
 * p_nlwpwait and so every LWP looks like a waiter, or with ESRCH once the
 * exit has collected what it waited for; the kernel does not care (the
 * LWP exits at userret), the common interface does.
 */
#include "netbsd.h"

/*
 * The tail of lwp_wait() in NetBSD kern_lwp.c 1.252, when nothing was
 * collected: give up our first-waiter mark so that another waiter may
 * take the LWP, and kick the other waiters to recheck.  A killed waiter
 * gets EINTR, unless its arguments were wrong (lid detached, or itself).
 */
static int
nb_lwp_wait_fail(struct reap_lwp *l, lwpid_t lid, int error, bool exiting)
{
	const lwpid_t mylid = atomic_load_explicit(&l->l_lid,
	    memory_order_relaxed);
	struct reap_proc *p = nb_lwp_owner(l);
	struct reap_lwp *cand;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	if (!exiting && (error == ESRCH || (error == EDEADLK && lid != mylid)) &&
	    atomic_load_explicit(&l->l_kill, memory_order_acquire) != 0)
		error = EINTR;
	if (lid != 0) {
		cand = nb_proc_find_lwp(p, lid);
		if (cand != NULL && cand->l_waiter == mylid)
			cand->l_waiter = 0;
	}
	p->p_nlwpwait--;
	l->l_waitingfor = 0;
	cv_broadcast(&p->p_lwpcv);
	return error;
}

/* lwp_wait() of NetBSD kern_lwp.c 1.252 first drains any detached
 * zombie waiting to be reaped.  p_lock held; dropped and retaken. */
static void
nb_lwp_wait_drain(struct reap_proc *p) KERN_NO_TSA
{
	struct reap_lwp *z;

	while ((z = atomic_load_explicit(&p->p_zomblwp,
	    memory_order_relaxed)) != NULL) {
		atomic_store_explicit(&p->p_zomblwp, NULL, memory_order_relaxed);
		nb_lwp_free(z, false, false);		/* releases p_lock */
		mutex_enter(&p->p_lock);
	}
}

/* lwp_wait() of NetBSD kern_lwp.c 1.252 collects zombie cand: we are no
 * longer waiting (before lwp_free drops p_lock), then free it. */
static void
nb_lwp_wait_collect(struct reap_lwp *l, struct reap_lwp *cand,
    lwpid_t *departed) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);

	l->l_waitingfor = 0;
	cand->l_waiter = 0;
	p->p_nlwpwait--;
	if (departed != NULL)
		*departed = atomic_load_explicit(&cand->l_lid,
		    memory_order_relaxed);
	KERN_INJECT("netbsd.wait.collect");
	nb_lwp_free(cand, false, false);		/* releases p_lock */
	mutex_enter(&p->p_lock);
}

/*
 * Models lwp_wait() in NetBSD kern_lwp.c 1.252.  p_lock held on entry
 * and on return (lwp_free drops it; we retake it).
 */
int
nb_lwp_wait(struct reap_lwp *l, lwpid_t lid, lwpid_t *departed, bool exiting)
    KERN_NO_TSA
{
	const lwpid_t mylid = atomic_load_explicit(&l->l_lid,
	    memory_order_relaxed);
	struct reap_proc *p = nb_lwp_owner(l);
	struct reap_lwp *cand;
	int error, ncand;

	KASSERT_MUTEX_OWNED(&p->p_lock);

	p->p_nlwpwait++;
	l->l_waitingfor = lid;

	for (;;) {
		/* (PS_WCORE: core dumps are not modelled.) */
		nb_lwp_wait_drain(p);

		ncand = 0;
		error = 0;
		if (lid != 0) {
			/* A specific LID: through the pid table. */
			cand = nb_proc_find_lwp(p, lid);
			if (cand == NULL) {
				error = ESRCH;
				break;
			}
			if ((cand->l_prflag & LPR_DETACHED) != 0) {
				error = EINVAL;
				break;
			}
		} else
			cand = LIST_FIRST(&p->p_lwps);

		/* One candidate when named, else every LWP of p.  Nothing in
		 * the body frees cand before it returns, so stepping after a
		 * `continue` is safe. */
		for (; cand != NULL;
		    cand = lid != 0 ? NULL : LIST_NEXT(cand, l_sibling)) {
			/* Waiting on a waiter of ours, or on ourselves. */
			if (atomic_load_explicit(&cand->l_lid,
			    memory_order_relaxed) == lid &&
			    cand->l_waitingfor == mylid) {
				error = EDEADLK;
				break;
			}
			if (cand == l)
				continue;
			if ((cand->l_prflag & LPR_DETACHED) != 0) {
				ncand += exiting;
				continue;
			}
			if (lid != 0) {
				if (cand->l_waiter == 0)
					cand->l_waiter = mylid;
			} else if (cand->l_waiter != 0) {
				/* Someone waits for it by name: theirs. */
				ncand++;
				continue;
			}
			ncand++;

			if (nb_lwp_stat(cand) != LSZOMB)
				continue;

			nb_lwp_wait_collect(l, cand, departed);
			return 0;
		}

		if (error != 0)
			break;
		if (ncand == 0) {
			error = ESRCH;
			break;
		}

		/* exit_lwps: one tick, then it kicks everyone again. */
		if (exiting) {
			KASSERT(p->p_nlwps > 1, "exiting wait with one lwp");
			error = cv_timedwait(&p->p_lwpcv, &p->p_lock, 1);
			break;
		}

		/* Every LWP is in lwp_wait: nobody will ever exit. */
		if (p->p_nlwpwait == p->p_nlwps) {
			error = EDEADLK;
			break;
		}

		/* Sleep until an LWP exits, is collected or is detached. */
		if ((error = cv_wait_sig(&p->p_lwpcv, &p->p_lock)) != 0)
			break;
	}
	return nb_lwp_wait_fail(l, lid, error, exiting);
}
