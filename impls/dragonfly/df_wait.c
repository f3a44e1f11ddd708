/*
 * df_wait.c - kern_wait(): the waiter reaps a zombie child, its master
 * LWP included, and frees it.
 *
 * Modern seed: PHOLDZOMB elects one reaper per zombie, PSTALL sleeps on
 * the hold count with PLOCK_WAITING, and the final sleep is interlocked
 * through p_waitgen.  2010 seed: p_lock polled with hz sleeps
 * ("reap3/4/5"), final sleep interlocked (per its comment) by the
 * waiter's p_token only; it has no PHOLDZOMB, which the 2010 variant
 * takes from the modern seed (deviation: two reapers, one zombie).
 */
#include "dragonfly.h"

/*
 * The SZOMB branch of kern_wait() in DragonFly kern_exit.c a3127495.  Called
 * with waiter->p_token held.  Returns the pid reaped, or 0 if the caller must
 * rescan (another waiter owns the zombie or it changed parents).
 */
static pid_t
df_wait_reap(struct reap_proc *waiter, struct reap_proc *p, int *status)
{
	struct reap_sys *sys = waiter->p_sys;
	struct reap_lwp *lwp;
	pid_t pid;

	/* p stays valid across a failed PHOLDZOMB: waiter->p_token. */
	if (df_proc_holdzomb(p) != 0)
		return 0;
	KERN_INJECT("dragonfly.wait.holdzomb");
	lwkt_gettoken(&p->p_token);
	if (atomic_load_explicit(&p->p_pptr, memory_order_relaxed) != waiter) {
		lwkt_reltoken(&p->p_token);
		df_proc_relezomb(p);
		return 0;
	}
	/* The master LWP's exit may still be on its way out. */
	df_proc_await_nthreads(p, 0, "lwpzomb", (int)sys->s_hz);
	/* Reap the LWPs left in the tree (normally the master). */
	while ((lwp = LIST_FIRST(&p->p_lwps)) != NULL) {
		while (atomic_load_explicit(&lwp->lwp_lock,
		    memory_order_acquire) > 0)
			tsleep(lwp, 0, "zomblwp", 1);
		LIST_REMOVE(lwp, lwp_entry);
		df_reaper_reap(lwp);
	}
	KASSERT(p->p_nthreads == 0, "kern_wait: threads left in a zombie");
	/* Other holds (LWPs still being reaped elsewhere) must drain. */
	df_proc_rele(p);
	df_proc_stall(p, "reap3", 0);

	pid = p->p_pid;
	if (status != NULL)
		*status = p->p_xstat;
	df_proc_remove_zombie(p);
	lwkt_reltoken(&p->p_token);
	/* (leavepgrp, chgproccnt, pargs: no stand-in.) */
	kern_work(KW_CRFREE);
	kern_work(KW_SIGACTSFREE);

	df_proc_stall(p, "reap4", 0);
	lwkt_reltoken(&waiter->p_token);
	kern_work(KW_VMSPACE_FREE);	/* vmspace_exitfree, waiter unlocked */
	lwkt_gettoken(&waiter->p_token);
	df_proc_stall(p, "reap5", 0);

	/* Release PLOCK_ZOMB officially so that racing waiters wake. */
	df_proc_hold(p);
	df_proc_relezomb(p);
	df_proc_free(p);
	return pid;
}

/*
 * Whether kern_wait reaps without PHOLDZOMB, as the 2010 seed does (the
 * mutant dragonfly-2010-wait-no-holdzomb).  Two LWPs of one waiter then
 * both take the same zombie: the first sleeps in a p_lock poll ("reap3",
 * which gives up both tokens), the second reaps and frees the zombie, and
 * the first wakes and reads it.
 */
static bool
df_wait_noholdzomb(const struct reap_sys *sys)
{
#ifdef REAP_MUTANTS
	return (sys->s_variant & DF_VARIANT_WAIT_NOHOLDZOMB) != 0;
#else
	(void)sys;
	return false;
#endif
}

/*
 * The SZOMB branch of kern_wait() in DragonFly kern_exit.c (2010), p_lock
 * polled once per hz, with the zombie election of DragonFly kern_exit.c
 * a3127495 (deviation, see README "kern_wait"): PHOLDZOMB (rescan if it
 * slept: p may be gone), p_pptr revalidated, PHOLD + PRELEZOMB at the end
 * so that a losing waiter asleep in "phldz" wakes and rescans.  Returns
 * the pid reaped, or 0 if the caller must rescan.
 */
static pid_t
df_wait_reap_2010(struct reap_proc *waiter, struct reap_proc *p, int *status)
{
	struct reap_sys *sys = waiter->p_sys;
	bool elect = !df_wait_noholdzomb(sys);
	int hz = (int)sys->s_hz;
	struct reap_lwp *lwp;
	pid_t pid;

	/* p stays valid across a failed PHOLDZOMB: waiter->p_token. */
	if (elect && df_proc_holdzomb(p) != 0)
		return 0;
	lwkt_gettoken(&p->p_token);
	KERN_INJECT("dragonfly.wait.zombtoken");
	if (elect && atomic_load_explicit(&p->p_pptr,
	    memory_order_relaxed) != waiter) {
		lwkt_reltoken(&p->p_token);
		df_proc_relezomb(p);
		return 0;
	}
	df_proc_await_nthreads(p, 0, "lwpzomb", hz);
	while ((lwp = LIST_FIRST(&p->p_lwps)) != NULL) {
		LIST_REMOVE(lwp, lwp_entry);
		df_reaper_reap(lwp);
	}
	KASSERT(p->p_nthreads == 0, "kern_wait: threads left in a zombie");
	if (elect)
		df_proc_rele(p);	/* PHOLDZOMB's hold; PLOCK_ZOMB stays */
	df_proc_poll_lock(p, "reap3", hz);

	pid = p->p_pid;
	if (status != NULL)
		*status = p->p_xstat;
	df_proc_remove_zombie(p);
	lwkt_reltoken(&p->p_token);
	kern_work(KW_CRFREE);		/* (leavepgrp, pargs: none) */
	kern_work(KW_SIGACTSFREE);

	df_proc_poll_lock(p, "reap4", hz);
	kern_work(KW_VMSPACE_FREE);	/* vmspace_exitfree, waiter locked */
	df_proc_poll_lock(p, "reap5", hz);
	if (elect) {
		df_proc_hold(p);
		df_proc_relezomb(p);	/* wakes the losers in "phldz" */
	}
	df_proc_free(p);
	return pid;
}

/*
 * ops->proc_wait: models kern_wait() in DragonFly kern_exit.c a3127495
 * (DragonFly kern_exit.c (2010) for 2010) for pid -1 (any child) or one pid;
 * WNOHANG is the only option (stops, continues and Linux clones are not
 * modelled).  Returns the pid, 0 (WNOHANG), -ECHILD or -EINTR.
 *
 * The 2010 sleep: the seed's comment says it is interlocked by
 * waiter->p_token, but its exit1 issues wakeup(p->p_pptr) without that token,
 * so a child that turns SZOMB between the scan and the sleep would leave
 * the waiter asleep for good.  The variant therefore queues itself with
 * tsleep_interlock() before it scans: no extra sleep and no extra lock.
 */
pid_t
df_proc_wait(struct reap_lwp *self, pid_t pid, int *status, int options)
{
	struct reap_proc *waiter = self->lwp_proc;
	struct reap_sys *sys = waiter->p_sys;
	struct reap_proc *p;
	long waitgen = 0;
	int nfound, error;
	pid_t res;

	if (pid == 0 || pid < -1 || (options & ~WNOHANG) != 0)
		return -EINVAL;
	lwkt_gettoken(&waiter->p_token);
loop:
	if (sys->s_v2010)
		tsleep_interlock(waiter, PCATCH);
	nfound = 0;
	if (!sys->s_v2010)
		waitgen = atomic_fetch_add_explicit(&waiter->p_waitgen, 0x80000000L,
		    memory_order_seq_cst);
	LIST_FOREACH(p, &waiter->p_children, p_sibling) {
		if (pid != -1 && p->p_pid != pid)
			continue;
		nfound++;
		if (atomic_load_explicit(&p->p_stat, memory_order_acquire) !=
		    SZOMB)
			continue;
		res = sys->s_v2010 ? df_wait_reap_2010(waiter, p, status) :
		    df_wait_reap(waiter, p, status);
		if (res == 0)
			goto loop;
		goto done;
	}
	if (nfound == 0) {
		res = -ECHILD;
		goto done;
	}
	if (options & WNOHANG) {
		res = 0;
		goto done;
	}

	error = 0;
	if (sys->s_v2010) {
		error = tsleep(waiter, PCATCH | PINTERLOCKED, "wait", 0);
	} else {
		/* Wait for a child's exit1 to bump p_waitgen and wake us. */
		while ((waitgen & 0x7FFFFFFF) == (atomic_load_explicit(
		    &waiter->p_waitgen, memory_order_seq_cst) & 0x7FFFFFFF)) {
			tsleep_interlock(waiter, PCATCH);
			waitgen = atomic_fetch_add_explicit(&waiter->p_waitgen,
			    0x80000000L, memory_order_seq_cst);
			if ((waitgen & 0x7FFFFFFF) == (atomic_load_explicit(
			    &waiter->p_waitgen, memory_order_seq_cst) & 0x7FFFFFFF)) {
				error = tsleep(waiter, PCATCH | PINTERLOCKED,
				    "wait", 0);
				break;
			}
		}
	}
	if (error != 0) {
		res = -error;
		goto done;
	}
	goto loop;
done:
	lwkt_reltoken(&waiter->p_token);
	return res;
}
