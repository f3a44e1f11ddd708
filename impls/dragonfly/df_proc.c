/*
 * df_proc.c - process holds, the allproc/zombie lists, fork and reparent
 * for the dragonfly designs.
 *
 * The hold count p_lock is DragonFly's: PHOLD/PRELE keep a process's
 * structure from being torn down, PHOLDZOMB elects the one kern_wait that
 * may destroy a zombie, PSTALL waits for the count to drop.  The modern
 * seed wakes a waiter through PLOCK_WAITING; the 2010 variant has no
 * waiting bit and its callers poll the count with tick sleeps.
 */
#include <stdlib.h>

#include "dragonfly.h"

/* Models PHOLD()/phold() of DragonFly's kern_proc.c, called by the seeds. */
void
df_proc_hold(struct reap_proc *p)
{
	atomic_fetch_add_explicit(&p->p_lock, 1, memory_order_acq_rel);
}

/* Models PRELE()/prele() of DragonFly's kern_proc.c, called by the seeds. */
void
df_proc_rele(struct reap_proc *p)
{
	uint32_t o, n;

	if (p->p_sys->s_v2010) {
		/* 2010: a plain count; waiters poll it ("reap3" etc.). */
		o = atomic_fetch_sub_explicit(&p->p_lock, 1,
		    memory_order_acq_rel);
		KASSERT((o & PLOCK_MASK) > 0, "prele: count underflow");
		return;
	}
	o = 1;
	if (atomic_compare_exchange_strong_explicit(&p->p_lock, &o, 0,
	    memory_order_acq_rel, memory_order_relaxed))
		return;
	o = atomic_load_explicit(&p->p_lock, memory_order_relaxed);
	for (;;) {
		KASSERT((o & PLOCK_MASK) > 0, "prele: count underflow");
		n = (o - 1) & ~PLOCK_WAITING;
		if (atomic_compare_exchange_weak_explicit(&p->p_lock, &o, n,
		    memory_order_acq_rel, memory_order_relaxed))
			break;
	}
	/* p may be gone now; wakeup() only uses the address. */
	if (o & PLOCK_WAITING)
		wakeup(&p->p_lock);
}

/*
 * Models pholdzomb() of DragonFly's kern_proc.c (PHOLDZOMB in
 * DragonFly kern_exit.c a3127495 kern_wait).  Returns 0 with the hold and
 * PLOCK_ZOMB taken, or 1 after sleeping without either: the caller must
 * then rescan, and p may be gone.
 */
int
df_proc_holdzomb(struct reap_proc *p)
{
	uint32_t o, n;

	o = 0;
	if (atomic_compare_exchange_strong_explicit(&p->p_lock, &o,
	    PLOCK_ZOMB | 1, memory_order_acq_rel, memory_order_relaxed))
		return 0;
	for (;;) {
		o = atomic_load_explicit(&p->p_lock, memory_order_relaxed);
		if ((o & PLOCK_ZOMB) == 0) {
			n = (o + 1) | PLOCK_ZOMB;
			if (atomic_compare_exchange_weak_explicit(&p->p_lock,
			    &o, n, memory_order_acq_rel, memory_order_relaxed))
				return 0;
			continue;
		}
		/* The seed asserts a hold here (KKASSERT), but kern_wait's
		 * owner keeps PLOCK_ZOMB with no hold from its PRELE to its
		 * final PHOLD, and a waiter woken from "phldz" by another
		 * PRELE can rescan into that window (two reapers, one
		 * zombie, both variants): it just sleeps until PRELEZOMB. */
		n = o | PLOCK_WAITING;
		tsleep_interlock(&p->p_lock, 0);
		if (atomic_compare_exchange_weak_explicit(&p->p_lock, &o, n,
		    memory_order_acq_rel, memory_order_relaxed)) {
			tsleep(&p->p_lock, PINTERLOCKED, "phldz", 0);
			return 1;
		}
	}
}

/* Models prelezomb() of DragonFly's kern_proc.c (PRELEZOMB). */
void
df_proc_relezomb(struct reap_proc *p)
{
	uint32_t o, n;

	o = PLOCK_ZOMB | 1;
	if (atomic_compare_exchange_strong_explicit(&p->p_lock, &o, 0,
	    memory_order_acq_rel, memory_order_relaxed))
		return;
	o = atomic_load_explicit(&p->p_lock, memory_order_relaxed);
	KASSERT(o & PLOCK_ZOMB, "prelezomb: not the zombie's owner");
	for (;;) {
		KASSERT((o & PLOCK_MASK) > 0, "prelezomb: count underflow");
		n = (o - 1) & ~(PLOCK_ZOMB | PLOCK_WAITING);
		if (atomic_compare_exchange_weak_explicit(&p->p_lock, &o, n,
		    memory_order_acq_rel, memory_order_relaxed))
			break;
	}
	if (o & PLOCK_WAITING)
		wakeup(&p->p_lock);
}

/*
 * Models pstall() of DragonFly's kern_proc.c (PSTALL): sleep until the
 * hold count is at most `count'.  Modern seed only.
 */
void
df_proc_stall(struct reap_proc *p, const char *wmesg, unsigned count)
{
	uint32_t o, n;

	KASSERT(!p->p_sys->s_v2010, "pstall: the 2010 seed polls p_lock");
	for (;;) {
		o = atomic_load_explicit(&p->p_lock, memory_order_acquire);
		if ((o & PLOCK_MASK) <= count)
			break;
		n = o | PLOCK_WAITING;
		tsleep_interlock(&p->p_lock, 0);
		if (atomic_compare_exchange_weak_explicit(&p->p_lock, &o, n,
		    memory_order_acq_rel, memory_order_relaxed))
			tsleep(&p->p_lock, PINTERLOCKED, wmesg, 0);
	}
}

/*
 * Models the locking of ksignal()/lwpsignal() of DragonFly's kern_sig.c:
 * the signal target is held and its p_token taken.  Signal delivery is
 * not modelled, but this token round trip is what orders exit1's
 * ksignal(pp, SIGCHLD) -- and so its late wakeup(pp) -- after a parent
 * that is between its p_waitgen test and its tsleep_interlock in
 * kern_wait, where it holds pp->p_token.
 */
void
df_proc_ksignal(struct reap_proc *p)
{
	df_proc_hold(p);
	lwkt_gettoken(&p->p_token);
	kern_work(KW_SIGCHLD);		/* the delivery */
	lwkt_reltoken(&p->p_token);
	df_proc_rele(p);
}

/*
 * The 2010 seed's p_lock poll: "while (p->p_lock) tsleep(p, 0, wmesg,
 * timo)".  Nobody wakes p for this, so each round ends on its timeout.
 * It polls the count: PLOCK_ZOMB, which the 2010 variant's kern_wait
 * takes (a deviation), is not a hold.
 */
void
df_proc_poll_lock(struct reap_proc *p, const char *wmesg, int timo)
{
	while ((atomic_load_explicit(&p->p_lock, memory_order_acquire) &
	    PLOCK_MASK) != 0)
		tsleep(p, 0, wmesg, timo);
}

/*
 * Models proc_add_allproc() of DragonFly's kern_proc.c: assign a pid and
 * hash the process in.  Pids are never reused in the model (no pid_doms
 * and no wrap), so the pid search of the seed kernel is not modelled.
 */
void
df_proc_add_allproc(struct reap_proc *p)
{
	struct reap_sys *sys = p->p_sys;
	int n;

	p->p_pid = atomic_fetch_add_explicit(&sys->s_nextpid, 1,
	    memory_order_relaxed);
	if (sys->s_v2010) {
		lwkt_gettoken(&sys->s_proc_token);
		LIST_INSERT_HEAD(&sys->s_allproc, p, p_list);
		LIST_INSERT_HEAD(&sys->s_pidhash[ALLPROC_HASH(p->p_pid)], p,
		    p_hash);
		lwkt_reltoken(&sys->s_proc_token);
		return;
	}
	n = ALLPROC_HASH(p->p_pid);
	lwkt_gettoken(&sys->s_proc_tokens[n]);
	LIST_INSERT_HEAD(&sys->s_allprocs[n], p, p_list);
	lwkt_reltoken(&sys->s_proc_tokens[n]);
}

/*
 * Models proc_move_allproc_zombie() of DragonFly's kern_proc.c, called by
 * exit1: wait for the holds to drain (this includes the dead LWPs that the
 * per-CPU reapers have not disposed of yet) and mark the process SZOMB.
 * The caller holds p->p_token.
 */
void
df_proc_move_allproc_zombie(struct reap_proc *p)
{
	struct reap_sys *sys = p->p_sys;
	int n;

	DF_ASSERT_PTOKEN(p);
	if (sys->s_v2010) {
		lwkt_gettoken(&sys->s_proc_token);
		df_proc_poll_lock(p, "reap1", (int)sys->s_hz / 10);
		LIST_REMOVE(p, p_list);
		LIST_INSERT_HEAD(&sys->s_zombproc, p, p_list);
		LIST_REMOVE(p, p_hash);		/* pfind no longer finds it */
		atomic_store_explicit(&p->p_stat, SZOMB, memory_order_release);
		lwkt_reltoken(&sys->s_proc_token);
		return;
	}
	n = ALLPROC_HASH(p->p_pid);
	df_proc_stall(p, "reap1", 0);
	lwkt_gettoken(&sys->s_proc_tokens[n]);
	df_proc_stall(p, "reap1a", 0);
	atomic_store_explicit(&p->p_stat, SZOMB, memory_order_release);
	lwkt_reltoken(&sys->s_proc_tokens[n]);
}

/*
 * Models proc_remove_zombie() of DragonFly's kern_proc.c, called by
 * kern_wait with the parent's and the zombie's p_token held: unhash the
 * zombie and take it off its parent's children.
 */
void
df_proc_remove_zombie(struct reap_proc *p)
{
	struct reap_sys *sys = p->p_sys;
	struct reap_proc *pp;
	int n;

	pp = atomic_load_explicit(&p->p_pptr, memory_order_relaxed);
	DF_ASSERT_PTOKEN(p);
	ASSERT_LWKT_TOKEN_HELD(&pp->p_token);
	if (sys->s_v2010) {
		lwkt_gettoken(&sys->s_proc_token);
		df_proc_poll_lock(p, "reap1", (int)sys->s_hz / 10);
		LIST_REMOVE(p, p_list);	/* off zombproc */
		LIST_REMOVE(p, p_sibling);
		lwkt_reltoken(&sys->s_proc_token);
		return;
	}
	n = ALLPROC_HASH(p->p_pid);
	df_proc_stall(p, "reap2", 0);
	lwkt_gettoken(&sys->s_proc_tokens[n]);
	df_proc_stall(p, "reap2a", 0);
	LIST_REMOVE(p, p_list);
	LIST_REMOVE(p, p_sibling);
	atomic_store_explicit(&p->p_pptr, NULL, memory_order_relaxed);
	lwkt_reltoken(&sys->s_proc_tokens[n]);
}

/*
 * Move kid from its parent's child list to newpp's.  The caller holds the
 * tokens its seed takes for the move (both parents', and the kid's in the
 * modern seed), which also order the p_pptr store for readers.
 */
void
df_proc_relink(struct reap_proc *kid, struct reap_proc *newpp)
{
	LIST_REMOVE(kid, p_sibling);
	LIST_INSERT_HEAD(&newpp->p_children, kid, p_sibling);
	atomic_store_explicit(&kid->p_pptr, newpp, memory_order_relaxed);
}

/*
 * Sleep on p_nthreads until at most `left` threads remain; each exiting
 * thread wakes it (timo 0), or the caller polls every `timo` ticks.  The
 * caller holds p->p_token, given up while asleep.
 */
void
df_proc_await_nthreads(struct reap_proc *p, int left, const char *wmesg,
    int timo)
{
	DF_ASSERT_PTOKEN(p);
	while (p->p_nthreads > left)
		tsleep(&p->p_nthreads, 0, wmesg, timo);
}

/*
 * Models proc_reparent() in DragonFly kern_exit.c a3127495: give kid to newpp
 * under three tokens (old parent, kid, new parent, in that order),
 * retrying if another reparent won the race.  (The 2010 seed's version
 * asserts instead of retrying; exit1 reaches it only through
 * DF_VARIANT_NOCLDWAIT, see df_exit.c.)
 */
void
df_proc_reparent(struct reap_proc *kid, struct reap_proc *newpp)
{
	struct reap_proc *oldpp;

	df_proc_hold(newpp);
	while ((oldpp = atomic_load_explicit(&kid->p_pptr,
	    memory_order_relaxed)) != newpp) {
		df_proc_hold(oldpp);
		lwkt_gettoken(&oldpp->p_token);
		lwkt_gettoken(&kid->p_token);
		lwkt_gettoken(&newpp->p_token);
		KERN_INJECT("dragonfly.reparent.locked");
		if (atomic_load_explicit(&kid->p_pptr,
		    memory_order_relaxed) != oldpp) {
			lwkt_reltoken(&newpp->p_token);
			lwkt_reltoken(&kid->p_token);
			lwkt_reltoken(&oldpp->p_token);
			df_proc_rele(oldpp);
			continue;
		}
		df_proc_relink(kid, newpp);
		lwkt_reltoken(&newpp->p_token);
		lwkt_reltoken(&kid->p_token);
		lwkt_reltoken(&oldpp->p_token);
		if (LIST_EMPTY(&oldpp->p_children))
			wakeup(oldpp);
		df_proc_rele(oldpp);
		break;
	}
	df_proc_rele(newpp);
}

/* The zeroed struct proc of fork1() (models its kmalloc + init part). */
struct reap_proc *
df_proc_alloc(struct reap_sys *sys)
{
	struct reap_proc *p;

	p = calloc(1, sizeof(*p));
	KASSERT(p != NULL, "out of memory");
	lwkt_token_init(&p->p_token, "proc");
	p->p_sys = sys;
	atomic_init(&p->p_stat, SIDL);
	LIST_INIT(&p->p_lwps);
	LIST_INIT(&p->p_children);
	LIST_INIT(&p->p_joinzomb);
	return p;
}

/* The final kfree(p, M_PROC) of kern_wait (or of sys_destroy for init,
 * which is not counted). */
void
df_proc_free(struct reap_proc *p)
{
	bool init = p == p->p_sys->s_initproc;

	KASSERT(LIST_EMPTY(&p->p_lwps), "freeing a process with LWPs");
	KASSERT(LIST_EMPTY(&p->p_children), "freeing a parent");
	df_join_free(p);
	free(p);
	if (!init)
		kern_count(KC_PROC_FREE);
}

/*
 * Models fork1() and start_forked_proc() of DragonFly's kern_fork.c as far
 * as the exit/reap core sees them: a new process on the allproc list and
 * its parent's children, with one master LWP (lwp_fork).  NULL if the
 * parent is already exiting (its exit1 would not reparent the child).
 */
struct reap_proc *
df_proc_create(struct reap_sys *sys, struct reap_proc *parent,
    struct reap_lwp **master)
{
	struct reap_proc *pp = parent != NULL ? parent : sys->s_initproc;
	struct reap_proc *p;
	struct reap_lwp *lwp;

	KASSERT(master != NULL, "proc_create: no master slot");
	kern_attach(sys->s_machine);
	p = df_proc_alloc(sys);
	lwkt_gettoken(&pp->p_token);
	if (pp->p_flags & P_WEXIT) {
		lwkt_reltoken(&pp->p_token);
		free(p);
		return NULL;
	}
	lwkt_gettoken(&p->p_token);
	df_proc_add_allproc(p);
	atomic_store_explicit(&p->p_pptr, pp, memory_order_relaxed);
	LIST_INSERT_HEAD(&pp->p_children, p, p_sibling);
	df_proc_hold(pp);		/* fork1; start_forked_proc drops it */
	lwp = df_lwp_fork(p, false);
	atomic_store_explicit(&p->p_stat, SACTIVE, memory_order_release);
	lwkt_reltoken(&p->p_token);
	lwkt_reltoken(&pp->p_token);
	df_proc_rele(pp);
	kern_count(KC_PROC_CREATE);
	kern_count(KC_LWP_ALLOC);
	kern_count(KC_LWP_CREATE);
	*master = lwp;
	return p;
}

pid_t
df_proc_pid(struct reap_proc *p)
{
	return p->p_pid;
}

/*
 * ops->proc_hold: models pfind() of DragonFly's kern_proc.c: the live
 * (not SZOMB) process `pid`, PHOLDed, under proc_tokens[n] (the seed takes
 * it shared; the model's tokens are exclusive).  2010: pfind() of that
 * era's kern_proc.c, PIDHASH under the global proc_token (exit1 unhashes
 * the process when it moves it to zombproc).  The hold keeps exit1 in
 * proc_move_allproc_zombie ("reap1"/"reap1a", 2010 polls) until PRELE.
 */
struct reap_proc *
df_proc_find(struct reap_sys *sys, pid_t pid)
{
	struct lwkt_token *tok;
	struct reap_proc *p;
	int n;

	if (pid <= 0)
		return NULL;
	kern_attach(sys->s_machine);
	n = ALLPROC_HASH(pid);
	tok = sys->s_v2010 ? &sys->s_proc_token : &sys->s_proc_tokens[n];
	lwkt_gettoken(tok);
	if (sys->s_v2010) {
		LIST_FOREACH(p, &sys->s_pidhash[n], p_hash)
			if (p->p_pid == pid)
				break;
	} else {
		LIST_FOREACH(p, &sys->s_allprocs[n], p_list) {
			if (atomic_load_explicit(&p->p_stat,
			    memory_order_acquire) == SZOMB)
				continue;
			if (p->p_pid == pid)
				break;
		}
	}
	if (p != NULL)
		df_proc_hold(p);
	lwkt_reltoken(tok);
	KERN_INJECT("dragonfly.pfind.held");
	return p;
}

/* ops->proc_rele: the PRELE() that pairs with pfind()'s PHOLD. */
void
df_proc_findrele(struct reap_proc *p)
{
	kern_attach(p->p_sys->s_machine);
	df_proc_rele(p);
}
