/*
 * df_join.c - the common header's lwp_wait (_lwp_wait) for the dragonfly
 * designs.
 *
 * DragonFly has no _lwp_wait system call and neither seed has one: its
 * libthread_xu joins in user space.  lwp_create is given the address of
 * the thread's tid word; sys_extexit(EXTEXIT_SETINT) stores into it on the
 * way out and the joiner sleeps on it with umtx, while the kernel LWP
 * itself is reaped by the per-CPU reaper like any other (lwp_exit does not
 * know about joins).  The model keeps that split: a joinable LWP owns a
 * small join word (struct df_joinrec, the stand-in for the user-space
 * word) which lwp_exit moves to p_joinzomb under p_token; lwp_wait
 * collects words there, in DragonFly's style: p_token, tsleep_interlock +
 * tsleep(PCATCH), wakeup issued after p_token is dropped.  The error rules
 * (EDEADLK, ESRCH, EINVAL, first waiter) are those of the common header.
 */
#include <stdlib.h>

#include "dragonfly.h"

/* lwp_exit side: publish the exited LWP's join word.  p_token held. */
void
df_join_exited(struct reap_lwp *lwp)
{
	struct reap_proc *p = lwp->lwp_proc;
	struct df_joinrec *jr = lwp->lwp_joinrec;

	DF_ASSERT_PTOKEN(p);
	lwp->lwp_joinrec = NULL;
	jr->jr_waiter = lwp->lwp_waiter;
	LIST_INSERT_HEAD(&p->p_joinzomb, jr, jr_entry);
}

/* Words of exited LWPs never joined go with the process. */
void
df_join_free(struct reap_proc *p)
{
	struct df_joinrec *jr;

	while ((jr = LIST_FIRST(&p->p_joinzomb)) != NULL) {
		LIST_REMOVE(jr, jr_entry);
		free(jr);
	}
}

static struct df_joinrec *
df_join_find(struct reap_proc *p, lwpid_t lid, lwpid_t me, bool *any)
{
	struct df_joinrec *jr;

	*any = false;
	LIST_FOREACH(jr, &p->p_joinzomb, jr_entry) {
		*any = true;
		if (lid != 0 && jr->jr_tid == lid)
			return jr;
		if (lid == 0 && (jr->jr_waiter == 0 || jr->jr_waiter == me))
			return jr;
	}
	return NULL;
}

/*
 * ops->lwp_wait: collect joinable LWP `lid' (0: any) of self's process.
 * Returns 0, EDEADLK, ESRCH, EINVAL or EINTR (self was killed), in the
 * common header's order: a detached lid (self too) is EINVAL; a killed
 * waiter gets EINTR where it would get ESRCH or EDEADLK (but on itself);
 * "every LWP waits" is no deadlock while a word is there to collect
 * (its waiter has yet to wake and take it).
 */
int
df_lwp_join(struct reap_lwp *self, lwpid_t lid, lwpid_t *departed)
{
	struct reap_proc *p = self->lwp_proc;
	lwpid_t me = self->lwp_tid;
	struct df_joinrec *jr;
	struct reap_lwp *l2;
	bool any;
	int error, nfound;

	if (lid == me)
		return self->lwp_detached ? EINVAL : EDEADLK;
	lwkt_gettoken(&p->p_token);
	p->p_nlwpwait++;
	self->lwp_waitingfor = lid;
	for (;;) {
		if ((jr = df_join_find(p, lid, me, &any)) != NULL) {
			LIST_REMOVE(jr, jr_entry);
			if (departed != NULL)
				*departed = jr->jr_tid;
			free(jr);
			error = 0;
			break;
		}
		if (lid != 0) {
			if ((l2 = df_lwp_lookup(p, lid)) == NULL) {
				error = ESRCH;
				break;
			}
			if (l2->lwp_detached) {
				error = EINVAL;
				break;
			}
			if (l2->lwp_waitingfor == me) {
				error = EDEADLK;
				break;
			}
			if (l2->lwp_waiter == 0)
				l2->lwp_waiter = me;
		} else {
			nfound = any ? 1 : 0;
			LIST_FOREACH(l2, &p->p_lwps, lwp_entry)
				if (l2 != self && !l2->lwp_detached)
					nfound++;
			if (nfound == 0) {
				error = ESRCH;
				break;
			}
		}
		/* Every live LWP is in here: nobody can ever exit. */
		if (!any && p->p_nlwpwait >= p->p_nthreads) {
			error = EDEADLK;
			break;
		}
		KERN_INJECT("dragonfly.join.sleep");
		tsleep_interlock(&p->p_joinzomb, PCATCH);
		error = tsleep(&p->p_joinzomb, PCATCH | PINTERLOCKED,
		    "lwpjoin", 0);
		if (error != 0)
			break;
	}
	if ((error == ESRCH || error == EDEADLK) && df_lwp_killed(self))
		error = EINTR;
	/* Give up a first-waiter claim that we did not use. */
	if (lid != 0 && error != 0) {
		if ((l2 = df_lwp_lookup(p, lid)) != NULL &&
		    l2->lwp_waiter == me)
			l2->lwp_waiter = 0;
		LIST_FOREACH(jr, &p->p_joinzomb, jr_entry)
			if (jr->jr_tid == lid && jr->jr_waiter == me)
				jr->jr_waiter = 0;
	}
	p->p_nlwpwait--;
	self->lwp_waitingfor = 0;
	lwkt_reltoken(&p->p_token);
	/* Let the other waiters recheck for words and for deadlock. */
	if (error != 0)
		wakeup(&p->p_joinzomb);
	return error;
}
