/*
 * fl_proc.c - the floor: joinable LWPs (their exit and lwp_wait), the
 * process's exit (the last LWP, or proc_exit's kill) and wait4.
 *
 * All of it under p_lock and its condvar, the tree under s_treelock:
 * the floor keeps locking off the detached path only.
 */
#include <stdlib.h>

#include "floor.h"

/* The last LWP left (p_lock held; released here): status to the parent,
 * children to init.  Models exit1()'s tail. */
void
fl_proc_last(struct reap_proc *p, int status) KERN_NO_TSA
{
	struct reap_sys *s = p->p_sys;
	struct reap_proc *init = s->s_init, *k, *next;

	fl_shards_lock(p);
	atomic_store_explicit(&p->p_state, FS_EXITING, memory_order_relaxed);
	fl_shards_unlock(p);
	p->p_xstat = status;
	mutex_exit(&p->p_lock);
	kern_work(KW_FDFREE);		/* exit1's releases */
	kern_work(KW_VMSPACE_EXIT);
	kern_work(KW_SIGCHLD);
	mutex_enter(&s->s_treelock);
	if (p->p_kids != NULL) {
		for (k = p->p_kids; k != NULL; k = next) {
			next = k->p_sibling;
			k->p_pptr = init;
			k->p_sibling = init->p_kids;
			init->p_kids = k;
		}
		p->p_kids = NULL;
		cv_broadcast(&init->p_waitcv);
	}
	/* From the unlock on, p is its parent's to free. */
	atomic_store_explicit(&p->p_state, FS_ZOMB, memory_order_release);
	cv_broadcast(&p->p_pptr->p_waitcv);
	mutex_exit(&s->s_treelock);
}

/* A joinable LWP becomes a zombie (p_lock held). */
static void
fl_lwp_zombie(struct reap_proc *p, struct reap_lwp *l)
{
	l->l_zomb = true;
	atomic_store_explicit(&p->p_nbound, atomic_load_explicit(&p->p_nbound,
	    memory_order_relaxed) - 1, memory_order_relaxed);
	cv_broadcast(&p->p_cv);		/* lwp_wait, the killer */
}

/* Models lwp_exit() for a joinable LWP: a zombie for lwp_wait. */
void
fl_joinable_exit(struct reap_lwp *l)
{
	struct reap_proc *p = l->l_proc;
	struct reap_sys *s = p->p_sys;

	fl_lwp_unfind(p, l);
	kern_work(KW_LWP_CRFREE);	/* crfree / kauth_cred_free */
	kern_lwp_exit_stamp(s->s_mach, &l->l_stamp);
	mutex_enter(&p->p_lock);
	fl_lwp_zombie(p, l);
	kern_td_setsig(NULL);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_ACTIVE && atomic_load_explicit(&p->p_nbound,
	    memory_order_relaxed) == 0 && fl_shards_live(p) == 0)
		fl_proc_last(p, 0);		/* releases p_lock */
	else
		mutex_exit(&p->p_lock);
	fl_lwp_offcpu(l);
}

/* Live LWPs of p but self (p_lock held). */
static int
fl_others_live(struct reap_proc *p, struct reap_lwp *self)
{
	return atomic_load_explicit(&p->p_nbound, memory_order_relaxed) -
	    (self->l_detached ? 0 : 1) + fl_shards_live(p) -
	    (self->l_detached ? 1 : 0);
}

/* No lookup finds self any more, and its holds are gone (p_lock held
 * on entry and return; dropped meanwhile: a holder may need it). */
static void
fl_self_drain(struct reap_proc *p, struct reap_lwp *self)
    KERN_REQUIRES(p->p_lock)
{
	mutex_exit(&p->p_lock);
	fl_lwp_unfind(p, self);
	mutex_enter(&p->p_lock);
}

/* Models exit1(): kill the other LWPs, wait for them, exit with them. */
void
fl_proc_exit(struct reap_lwp *self, int status)
{
	struct reap_proc *p = self->l_proc;
	struct reap_sys *s = p->p_sys;

	fl_attach(s);
	mutex_enter(&p->p_lock);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) !=
	    FS_ACTIVE) {
		mutex_exit(&p->p_lock);		/* P_WEXIT: another won */
		fl_lwp_exit(self);
		return;
	}
	fl_shards_lock(p);
	atomic_store_explicit(&p->p_state, FS_WEXIT, memory_order_relaxed);
	fl_shards_unlock(p);
	atomic_store_explicit(&p->p_killed, 1, memory_order_release);
	cv_broadcast(&p->p_cv);			/* lwp_wait: EINTR */
	mutex_enter(&s->s_treelock);
	cv_broadcast(&p->p_waitcv);		/* wait4: EINTR */
	mutex_exit(&s->s_treelock);
	fl_self_drain(p, self);
	while (fl_others_live(p, self) > 0)
		cv_wait(&p->p_cv, &p->p_lock);
	kern_work(KW_LWP_CRFREE);	/* crfree / kauth_cred_free */
	kern_lwp_exit_stamp(s->s_mach, &self->l_stamp);
	if (self->l_detached)
		fl_shard_leave(p, self);
	else
		fl_lwp_zombie(p, self);
	kern_td_setsig(NULL);
	fl_proc_last(p, status);		/* releases p_lock */
	if (self->l_detached)
		fl_lwp_free(s, self);
	else
		fl_lwp_offcpu(self);
}

/* Is lid a live detached LWP of p? */
static bool
fl_lid_detached(struct reap_proc *p, lwpid_t lid)
{
	struct fl_shard *sh = p->p_shard[(lid - 1) % p->p_sys->s_ncpus];
	struct reap_lwp *l;
	bool detached;

	kspin_lock(&sh->sh_lock);
	LIST_FOREACH(l, &sh->sh_lwps, l_shent)
		if (l->l_lid == lid)
			break;
	detached = l != NULL && l->l_detached;
	kspin_unlock(&sh->sh_lock);
	return detached;
}

/* Detached LWPs of p that run (live, not in lwp_wait); p_lock held.  The
 * shards are summed only here, on the way to an EDEADLK. */
static int
fl_detached_running(struct reap_proc *p)
{
	int n = 0;

	fl_shards_lock(p);
	for (int c = 0; c < p->p_sys->s_ncpus; c++)
		n += p->p_shard[c]->sh_live;
	fl_shards_unlock(p);
	return n - p->p_ndwait;
}

/* Does p have a joinable LWP other than self, live or zombie? */
static bool
fl_other_joinable(struct reap_proc *p, struct reap_lwp *self)
{
	struct reap_lwp *l;

	LIST_FOREACH(l, &p->p_lwps, l_jent)
		if (l != self)
			return true;
	return false;
}

/* What lwp_wait collects now (0 and *lp), or the error it returns (in
 * reap.h's order), or -1: sleep (p_lock held). */
static int
fl_lwp_wait_look(struct reap_proc *p, struct reap_lwp *self, lwpid_t lid,
    struct reap_lwp **lp)
{
	struct reap_lwp *l;

	LIST_FOREACH(l, &p->p_lwps, l_jent)
		if (l != self && (lid == 0 ? l->l_zomb : l->l_lid == lid))
			break;
	if (lid > 0 && l == NULL && fl_lid_detached(p, lid))
		return EINVAL;
	if (atomic_load_explicit(&p->p_killed, memory_order_acquire) != 0)
		return EINTR;
	if (l != NULL && l->l_zomb) {
		*lp = l;
		return 0;
	}
	if (l == NULL && (lid != 0 || !fl_other_joinable(p, self)))
		return ESRCH;
	/* Every live LWP waits: none will ever be a zombie. */
	if (p->p_nwait >= atomic_load_explicit(&p->p_nbound,
	    memory_order_relaxed) && fl_detached_running(p) <= 0)
		return EDEADLK;
	return -1;
}

/* Models lwp_wait(): collect a joinable zombie of self's process once. */
int
fl_lwp_wait(struct reap_lwp *self, lwpid_t lid, lwpid_t *departed)
{
	struct reap_proc *p = self->l_proc;
	struct reap_lwp *l = NULL;
	int error;

	if (lid == self->l_lid)
		return self->l_detached ? EINVAL : EDEADLK;
	fl_attach(p->p_sys);
	mutex_enter(&p->p_lock);
	p->p_nwait += !self->l_detached;
	p->p_ndwait += self->l_detached;
	atomic_fetch_add_explicit(&p->p_lwpwaiters, 1, memory_order_relaxed);
	while ((error = fl_lwp_wait_look(p, self, lid, &l)) < 0)
		if (cv_wait_sig(&p->p_cv, &p->p_lock) == EINTR) {
			error = EINTR;
			break;
		}
	if (error == 0) {
		/* Unlinked before the lock drops: collected exactly once. */
		LIST_REMOVE(l, l_jent);
		if (departed != NULL)
			*departed = l->l_lid;
	}
	p->p_nwait -= !self->l_detached;
	p->p_ndwait -= self->l_detached;
	atomic_fetch_sub_explicit(&p->p_lwpwaiters, 1, memory_order_relaxed);
	mutex_exit(&p->p_lock);
	if (error == 0)
		fl_lwp_reap(p->p_sys, l);
	return error;
}

/* Hash a new process by pid, so that proc_hold finds it.  t held. */
void
fl_pid_enter(struct reap_sys *s, struct reap_proc *p)
{
	struct reap_proc **hp = &s->s_pidhash[(unsigned)p->p_pid % FL_PIDHASH];

	KASSERT_MUTEX_OWNED(&s->s_treelock);
	p->p_hnext = *hp;
	*hp = p;
}

/* Unhash a reaped process; true if no hold keeps it (free it now). */
static bool
fl_pid_leave(struct reap_sys *s, struct reap_proc *p)
{
	struct reap_proc **hp = &s->s_pidhash[(unsigned)p->p_pid % FL_PIDHASH];

	KASSERT_MUTEX_OWNED(&s->s_treelock);
	while (*hp != p)
		hp = &(*hp)->p_hnext;
	*hp = p->p_hnext;
	p->p_reaped = true;
	return p->p_holds == 0;
}

/*
 * ops->proc_hold (pfind + a hold, the least that is correct): the hash
 * and the hold count under the tree lock; a zombie is not found.  A hold
 * delays only the free: the last proc_rele of a reaped process frees it.
 */
struct reap_proc *
fl_proc_hold(struct reap_sys *s, pid_t pid)
{
	struct reap_proc *p;

	if (pid <= 0)
		return NULL;
	fl_attach(s);
	mutex_enter(&s->s_treelock);
	for (p = s->s_pidhash[(unsigned)pid % FL_PIDHASH]; p != NULL;
	    p = p->p_hnext)
		if (p->p_pid == pid)
			break;
	if (p != NULL && atomic_load_explicit(&p->p_state,
	    memory_order_acquire) == FS_ZOMB)
		p = NULL;
	if (p != NULL)
		p->p_holds++;
	mutex_exit(&s->s_treelock);
	return p;
}

void
fl_proc_rele(struct reap_proc *p)
{
	struct reap_sys *s = p->p_sys;
	bool last;

	fl_attach(s);
	mutex_enter(&s->s_treelock);
	KASSERT(p->p_holds > 0, "proc_rele without a hold");
	last = --p->p_holds == 0 && p->p_reaped;
	mutex_exit(&s->s_treelock);
	if (last) {
		fl_proc_free(p);
		kern_count(KC_PROC_FREE);
	}
}

/* A reaped zombie's LWPs go, then its memory unless a proc_hold keeps
 * it (unhashed only now: a rele must not free it under our feet);
 * models proc_free(). */
static void
fl_proc_reap(struct reap_sys *s, struct reap_proc *c)
{
	struct reap_lwp *l;
	bool unheld;

	while ((l = LIST_FIRST(&c->p_lwps)) != NULL) {
		LIST_REMOVE(l, l_jent);
		fl_lwp_reap(s, l);
	}
	kern_work(KW_CRFREE);		/* kern_wait's releases */
	kern_work(KW_SIGACTSFREE);
	kern_work(KW_VMSPACE_FREE);
	mutex_enter(&s->s_treelock);
	unheld = fl_pid_leave(s, c);
	mutex_exit(&s->s_treelock);
	if (unheld) {
		fl_proc_free(c);
		kern_count(KC_PROC_FREE);
	}
}

/* Models wait4(): reap a zombie child (pid -1: any) of self's process. */
pid_t
fl_proc_wait(struct reap_lwp *self, pid_t pid, int *status, int options)
{
	struct reap_proc *p = self->l_proc, *c, **cp;
	struct reap_sys *s = p->p_sys;
	bool found;

	if (pid == 0 || pid < -1 || (options & ~WNOHANG) != 0)
		return -EINVAL;		/* no process groups in the model */
	fl_attach(s);
	mutex_enter(&s->s_treelock);
	for (;;) {
		found = false;
		for (cp = &p->p_kids; (c = *cp) != NULL; cp = &c->p_sibling) {
			if (pid != -1 && c->p_pid != pid)
				continue;
			found = true;
			if (atomic_load_explicit(&c->p_state,
			    memory_order_acquire) == FS_ZOMB)
				break;
		}
		if (c != NULL || !found || (options & WNOHANG) != 0 ||
		    cv_wait_sig(&p->p_waitcv, &s->s_treelock) == EINTR)
			break;
	}
	if (c == NULL) {
		mutex_exit(&s->s_treelock);
		return !found ? -ECHILD : (options & WNOHANG) != 0 ? 0 :
		    -EINTR;
	}
	*cp = c->p_sibling;
	mutex_exit(&s->s_treelock);
	pid = c->p_pid;
	if (status != NULL)
		*status = c->p_xstat;
	fl_proc_reap(s, c);
	return pid;
}
