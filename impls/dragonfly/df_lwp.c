/*
 * df_lwp.c - LWP creation, the carrier's view of an LWP (enter, userret,
 * the final switch-out), LWP holds and the observer lookup.
 *
 * The carrier is the pthread that runs the LWP.  Everything DragonFly's
 * LWKT scheduler does for an exiting thread after lwp_exit() -- set
 * TDF_EXITING in cpu_thread_exit(), switch away, clear TDF_RUNNING and
 * raise TDF_MP_EXITSIG in lwkt_switch_return() -- the carrier does here in
 * df_lwp_switchout(), in that order, before ops->lwp_exit returns.
 */
#include <stdlib.h>

#include "dragonfly.h"

/*
 * Models lwp_fork() of DragonFly's kern_fork.c: a new LWP with the next
 * tid, in the process's LWP tree, counted in p_nthreads.  Caller holds
 * p->p_token.  Tids start at 1 (the seed's first tid is 0, which the
 * common header reserves for "any LWP") and are not reused.  The caller
 * counts the creation (init's master LWP is not counted).
 */
struct reap_lwp *
df_lwp_fork(struct reap_proc *p, bool detached)
{
	struct reap_lwp *lwp;

	DF_ASSERT_PTOKEN(p);
	lwp = calloc(1, sizeof(*lwp));
	KASSERT(lwp != NULL, "out of memory");
	lwp->lwp_proc = p;
	lwp->lwp_detached = detached;
	lwkt_token_init(&lwp->lwp_token, "lwp_token");
	lwp->lwp_thread.td_exitcpu = -1;
	if (!detached) {
		lwp->lwp_joinrec = calloc(1, sizeof(*lwp->lwp_joinrec));
		KASSERT(lwp->lwp_joinrec != NULL, "out of memory");
	}
	lwp->lwp_tid = ++p->p_lasttid;
	KASSERT(lwp->lwp_tid > 0, "lwp_fork: tid space exhausted");
	if (lwp->lwp_joinrec != NULL)
		lwp->lwp_joinrec->jr_tid = lwp->lwp_tid;
	LIST_INSERT_HEAD(&p->p_lwps, lwp, lwp_entry);
	p->p_nthreads++;
	p->p_flags |= P_MAYBETHREADED;
	return lwp;
}

/*
 * Models sys_lwp_create() of DragonFly's kern_fork.c: fork an LWP into a
 * live process under its p_token.  NULL once exit1 has begun.
 */
struct reap_lwp *
df_lwp_create(struct reap_proc *p, unsigned flags, lwpid_t *lid)
{
	struct reap_lwp *lwp;

	kern_attach(p->p_sys->s_machine);
	lwkt_gettoken(&p->p_token);
	if (p->p_flags & P_WEXIT) {
		lwkt_reltoken(&p->p_token);
		return NULL;
	}
	lwp = df_lwp_fork(p, (flags & REAP_DETACHED) != 0);
	lwkt_reltoken(&p->p_token);
	kern_count(KC_LWP_ALLOC);
	kern_count(KC_LWP_CREATE);
	if (lid != NULL)
		*lid = lwp->lwp_tid;
	return lwp;
}

/* FOREACH_LWP_IN_PROC lookup by tid (RB_FIND in the seed kernel). */
struct reap_lwp *
df_lwp_lookup(struct reap_proc *p, lwpid_t tid)
{
	struct reap_lwp *lwp;

	DF_ASSERT_PTOKEN(p);
	LIST_FOREACH(lwp, &p->p_lwps, lwp_entry)
		if (lwp->lwp_tid == tid)
			return lwp;
	return NULL;
}

/*
 * The calling thread becomes the LWP's carrier (models the LWP's thread
 * being scheduled: TDF_RUNNING) and its PCATCH sleeps become
 * interruptible by SIGKILL (lwp_sigkill).
 */
void
df_lwp_enter(struct reap_lwp *lwp)
{
	struct df_thread *td = &lwp->lwp_thread;

	kern_attach(lwp->lwp_proc->p_sys->s_machine);
	KASSERT(atomic_load_explicit(&td->td_carrier,
	    memory_order_relaxed) == NULL, "lwp_enter: LWP already has a carrier");
	atomic_store_explicit(&td->td_carrier, kern_curtd(),
	    memory_order_seq_cst);
	atomic_fetch_or_explicit(&td->td_flags, TDF_RUNNING,
	    memory_order_release);
	kern_td_setsig(&lwp->lwp_sigkill);
}

/* Models lwpuserret()'s LWP_MP_WEXIT test (DragonFly's kern_proc.c). */
bool
df_lwp_killed(struct reap_lwp *lwp)
{
	return (atomic_load_explicit(&lwp->lwp_mpflags, memory_order_acquire) &
	    LWP_MP_WEXIT) != 0;
}

/* Models LWPHOLD() of DragonFly's sys/proc.h, used by the seeds. */
void
df_lwp_hold(struct reap_lwp *lwp)
{
	atomic_fetch_add_explicit(&lwp->lwp_lock, 1, memory_order_acq_rel);
}

/* Models LWPRELE(): no wakeup; lwp_exit and lwp_wait poll lwp_lock. */
void
df_lwp_rele(struct reap_lwp *lwp)
{
	int o;

	o = atomic_fetch_sub_explicit(&lwp->lwp_lock, 1, memory_order_acq_rel);
	KASSERT(o > 0, "LWPRELE: count underflow");
}

/*
 * Observer lookup: models lwpfind() of DragonFly's kern_proc.c (LWPHOLD
 * under p_token).  The hold makes the LWP's exit poll ("exthold",
 * "lwpexit").  Deviation: an LWP marked LWP_MP_WEXIT (killed, or in its
 * exit: df_sys_extexit marks itself before it drains) is not found.  The
 * seed's lwpfind holds it anyway, so observers that always keep one hold
 * would keep its exit polling for ever; the common header wants holds
 * never to starve an exit (NetBSD's LPR_DRAINING).
 */
struct reap_lwp *
df_lwp_find(struct reap_proc *p, lwpid_t tid)
{
	struct reap_lwp *lwp;

	kern_attach(p->p_sys->s_machine);
	lwkt_gettoken(&p->p_token);
	lwp = df_lwp_lookup(p, tid);
	if (lwp != NULL && df_lwp_killed(lwp))
		lwp = NULL;
	if (lwp != NULL)
		df_lwp_hold(lwp);
	lwkt_reltoken(&p->p_token);
	return lwp;
}

/*
 * Models lwpsignal(p, lwp, SIGKILL) as killlwps() uses it: post the kill
 * and wake the LWP if it sleeps interruptibly.  The caller holds the LWP
 * (LWPHOLD) so the structure stays; the carrier's kern_td is type-stable,
 * so a poke that arrives after the carrier moved on is only spurious.
 */
void
df_lwp_signal(struct reap_lwp *lwp)
{
	struct kern_td *ctd;

	atomic_store_explicit(&lwp->lwp_sigkill, 1, memory_order_seq_cst);
	ctd = atomic_load_explicit(&lwp->lwp_thread.td_carrier,
	    memory_order_seq_cst);
	if (ctd != NULL)
		kern_td_signal(ctd);
}

/*
 * Models cpu_lwp_exit() -> cpu_thread_exit() -> lwkt_switch() ->
 * lwkt_switch_return() for the exiting thread: TDF_EXITING, the last use
 * of the LWP's stack while still on the CPU, then the off-CPU stores.
 * The final store (TDF_MP_EXITSIG, or clearing TDF_RUNNING in the 2010
 * variant, whose lwp_wait polls td_flags) releases the LWP to the reaper;
 * after it the carrier never touches the LWP again (the wakeup only uses
 * its address).
 */
void
df_lwp_switchout(struct reap_lwp *lwp)
{
	struct df_thread *td = &lwp->lwp_thread;
	bool v2010 = lwp->lwp_proc->p_sys->s_v2010;
	uint32_t mp;

	kern_td_setsig(NULL);
	/* 2010: lwp_exit's "mplock may be held and will be released". */
	(void)kern_biglock_release_all();
	atomic_fetch_or_explicit(&td->td_flags, TDF_EXITING,
	    memory_order_relaxed);
	/* Still on the CPU and on the LWP's stack: the reaper must wait. */
	KERN_INJECT("dragonfly.exit.oncpu");
	for (unsigned i = 0; i < sizeof(td->td_stack) / sizeof(td->td_stack[0]);
	    i++)
		td->td_stack[i] = (uint64_t)(uintptr_t)td ^ i;
	atomic_fetch_and_explicit(&td->td_flags, ~TDF_RUNNING,
	    memory_order_release);
	if (v2010)
		return;
	/* lwkt_switch_return(): the thread destruction interlock. */
	mp = atomic_load_explicit(&td->td_mpflags, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&td->td_mpflags, &mp,
	    mp | TDF_MP_EXITSIG, memory_order_acq_rel, memory_order_relaxed))
		;
	wakeup(td);
}

lwpid_t
df_lwp_id(struct reap_lwp *lwp)
{
	return lwp->lwp_tid;
}

struct reap_proc *
df_lwp_proc(struct reap_lwp *lwp)
{
	return lwp->lwp_proc;
}
