/*
 * df_exit.c - DragonFly BSD's exit path: killalllwps/killlwps, exit1,
 * lwp_exit, and the two syscalls the common header exposes.
 *
 * Models DragonFly sys/kern/kern_exit.c a3127495 ("dragonfly");
 * with reap_sys.s_v2010 set, of DragonFly kern_exit.c (2010) where it differs
 * ("dragonfly-2010").
 *
 * States of an LWP
 * ----------------
 *
 *   lwp_fork        lwp_enter        killlwps / own call
 *   (in p_lwps,  -> (carrier,     -> (LWP_MP_WEXIT;  -> lwp_exit under p_token:
 *    p_nthreads++)   TDF_RUNNING)      lwp_killed())      lwp_lock drained, PHOLD(p),
 *                                                         --p_nthreads
 *                                                              |
 *             +------------------ non-master -------------------+---- master (exit1) ----+
 *             v                                                                          v
 *   off p_lwps, on deadlwp_list[cpu],                                    left in p_lwps;
 *   deadlwp_task[cpu] enqueued                                           parent's kern_wait
 *             |                                                          reaps it
 *             v                                                                          |
 *   carrier: TDF_EXITING, last stack use, clear TDF_RUNNING, TDF_MP_EXITSIG  <-----------+
 *             |   (df_lwp_switchout; 2010: the RUNNING clear is final)
 *             v
 *   reaplwp: lwp_wait (EXITSIG interlock; lwp_lock, td flags tick polls)
 *            -> lwp_dispose: PRELE(p), free
 *
 * States of a process
 * -------------------
 *
 *   SIDL -> SACTIVE -> P_WEXIT (killalllwps: others killed, p_nthreads 1)
 *        -> SZOMB (proc_move_allproc_zombie after PSTALL; p_waitgen++ on
 *           the parent; children to init) -> master lwp_exit (wakes the
 *           parent late) -> kern_wait: PHOLDZOMB, p_nthreads 0, master
 *           reaped, PSTALL, unlinked, freed.
 *
 * Locks and their order
 * ---------------------
 *
 *   parent pp->p_token  ->  child p->p_token  ->  proc_tokens[n]
 *   p->p_token  ->  init->p_token  ->  child->p_token     (exit1 reparent)
 *   p->p_token  ->  deadlwp_token[cpu]                    (lwp_exit)
 *   p->p_token  ->  lwp_token                             (killlwps)
 *   deadlwp_token[cpu]  (reaper; sleeps in lwp_wait with it "held")
 *
 * These are LWKT tokens: a thread that sleeps, or waits for a token,
 * gives up every token it holds and gets them all back before it runs
 * again.  So tokens serialise only between blocking points; each loop
 * below that sleeps revalidates what it saw.  Waits on counts nobody
 * signals (lwp_lock, the 2010 p_lock) are tick polls, as in the seeds.
 *
 * One deviation here: sys_extexit drains the LWP's holds before it chooses
 * between a simple lwp_exit and exit1, so that no sleep separates that
 * choice from lwp_exit's --p_nthreads (see df_sys_extexit).
 */
#include "dragonfly.h"

/*
 * Models killlwps() in DragonFly kern_exit.c a3127495: post SIGKILL to every
 * other LWP, then sleep until they have left p_nthreads.  The caller holds
 * p->p_token (released while it sleeps).
 */
static void
df_lwp_killothers(struct reap_lwp *lwp)
{
	struct reap_proc *p = lwp->lwp_proc;
	bool v2010 = p->p_sys->s_v2010;
	struct reap_lwp *victim;
	uint32_t mp;

	DF_ASSERT_PTOKEN(p);
	LIST_FOREACH(victim, &p->p_lwps, lwp_entry) {
		df_lwp_hold(victim);
		lwkt_gettoken(&victim->lwp_token);
		mp = atomic_load_explicit(&victim->lwp_mpflags,
		    memory_order_relaxed);
		if ((mp & LWP_MP_WEXIT) == 0) {
			/* 2010 signals first; the modern seed flags first. */
			if (v2010)
				df_lwp_signal(victim);
			atomic_fetch_or_explicit(&victim->lwp_mpflags,
			    LWP_MP_WEXIT, memory_order_acq_rel);
			if (!v2010)
				df_lwp_signal(victim);
		}
		lwkt_reltoken(&victim->lwp_token);
		df_lwp_rele(victim);
	}
	KERN_INJECT("dragonfly.killlwps.signalled");
	if (!v2010)
		wakeup(p);		/* tstop()s: interlocked by p_token */
	df_proc_await_nthreads(p, 1, "killlwps", 0);
}

/*
 * Models killalllwps(0) in DragonFly kern_exit.c a3127495: the P_WEXIT
 * interlock (EALREADY for the loser of two racing exit1s), the temporary
 * stop (modern only), then killlwps.  The caller holds p->p_token.
 */
int
df_lwp_killall(struct reap_lwp *lwp)
{
	struct reap_proc *p = lwp->lwp_proc;
	bool v2010 = p->p_sys->s_v2010;
	bool fakestop = false;

	DF_ASSERT_PTOKEN(p);
	if (p->p_flags & P_WEXIT)
		return EALREADY;
	p->p_flags |= P_WEXIT;
	if (!v2010 && (atomic_load_explicit(&lwp->lwp_mpflags,
	    memory_order_relaxed) & LWP_MP_WSTOP) == 0) {
		atomic_fetch_or_explicit(&lwp->lwp_mpflags, LWP_MP_WSTOP,
		    memory_order_relaxed);
		++p->p_nstopped;
		fakestop = true;
		wakeup(&p->p_nstopped);
	}
	atomic_fetch_or_explicit(&lwp->lwp_mpflags, LWP_MP_WEXIT,
	    memory_order_acq_rel);
	if (p->p_nthreads > 1)
		df_lwp_killothers(lwp);
	if (fakestop) {
		atomic_fetch_and_explicit(&lwp->lwp_mpflags, ~LWP_MP_WSTOP,
		    memory_order_relaxed);
		--p->p_nstopped;
	}
	return 0;
}

/*
 * Whether exit1 relinks its children without their p_token, as the 2010
 * seed's exit1 does.  A child exiting at the same time loads p_pptr under
 * its own p_token and holds that parent a moment later; unless the relink
 * needs the same token, the parent can finish exiting and be reaped and
 * freed in between (the torture found it: a TSan race on a recycled proc,
 * dragonfly-2010, ~700k lifecycles).  The 2010 seed's proc_token around that
 * load is commented out, so dragonfly-2010 takes the modern seed's fix (a
 * deviation, see README) and the seed's unlocked walk is a mutant.
 */
static bool
df_exit1_kid_unlocked(const struct reap_sys *sys)
{
	return sys->s_v2010 &&
	    (sys->s_variant & DF_VARIANT_REPARENT_UNLOCKED) != 0;
}

/*
 * Models exit1() in DragonFly kern_exit.c a3127495 (DragonFly kern_exit.c (2010)
 * for the 2010 variant).  Signals, ttys, ptrace, vkernels and the reaper
 * (procctl) facility are not modelled; the releases of unmodelled
 * resources are kern_work() stand-ins at the seed's places.
 */
void
df_proc_exit1(struct reap_lwp *lwp, int rv)
{
	struct reap_proc *p = lwp->lwp_proc;
	struct reap_sys *sys = p->p_sys;
	struct reap_proc *pp, *kid, *heir;

	lwkt_gettoken(&p->p_token);
	KASSERT(p != sys->s_initproc, "init died");
	if (df_lwp_killall(lwp) != 0) {
		/* Lost the race: another LWP does the master exit. */
		df_lwp_exit1(lwp, 0, NULL);
		return;
	}
	p->p_flags |= P_POSTEXIT;
	p->p_xstat = rv;
	/* exit_list callouts, timers, sigio, semexit: fdfree. */
	kern_work(KW_FDFREE);
	if (sys->s_v2010) {
		/* vmspace_exitbump + sysref_put, under p_token. */
		kern_work(KW_VMSPACE_EXIT);
	} else {
		/* vmspace_relexit with p_token released (long RSS scans). */
		lwkt_reltoken(&p->p_token);
		KERN_INJECT("dragonfly.exit1.relexit");
		kern_work(KW_VMSPACE_EXIT);
		lwkt_gettoken(&p->p_token);
	}
	/* (Session/tty, fixjobc, acct_process, ktrace, text vnode: no
	 * stand-in.) */

	df_proc_move_allproc_zombie(p);
	if (!sys->s_v2010) {
		/* The p_waitgen interlock with the parent's kern_wait. */
		pp = atomic_load_explicit(&p->p_pptr, memory_order_relaxed);
		atomic_fetch_add_explicit(&pp->p_waitgen, 1,
		    memory_order_seq_cst);
	}

	/*
	 * Reparent our children to init (the reaper_get() of the modern
	 * seed; initproc in 2010), taking each child's p_token and
	 * revalidating as the modern seed does.  The 2010 seed takes only
	 * init's token: see df_exit1_kid_unlocked.
	 */
	heir = NULL;
	if (!LIST_EMPTY(&p->p_children)) {
		bool kid_locked = !df_exit1_kid_unlocked(sys);

		heir = sys->s_initproc;
		df_proc_hold(heir);
		lwkt_gettoken(&heir->p_token);
		while ((kid = LIST_FIRST(&p->p_children)) != NULL) {
			if (kid_locked) {
				df_proc_hold(kid);
				lwkt_gettoken(&kid->p_token);
				if (kid != LIST_FIRST(&p->p_children)) {
					lwkt_reltoken(&kid->p_token);
					df_proc_rele(kid);
					continue;
				}
			}
			df_proc_relink(kid, heir);
			if (kid_locked) {
				lwkt_reltoken(&kid->p_token);
				df_proc_rele(kid);
			}
		}
		lwkt_reltoken(&heir->p_token);
		wakeup(heir);
	}

	/* A parent with PS_NOCLDWAIT leaves the zombie to init. */
	if (sys->s_variant & DF_VARIANT_NOCLDWAIT) {
		if (heir == NULL) {
			heir = sys->s_initproc;
			df_proc_hold(heir);
		}
		df_proc_reparent(p, heir);
	}
	if (heir != NULL)
		df_proc_rele(heir);

	/*
	 * Signal the (possibly new) parent.  Only ksignal's locking is
	 * modelled (modern seed: lwpsignal takes pp->p_token, which
	 * interlocks with a parent in kern_wait); 2010 wakes it here.
	 */
	pp = atomic_load_explicit(&p->p_pptr, memory_order_relaxed);
	KERN_INJECT("dragonfly.exit1.parent");
	df_proc_hold(pp);
	if (sys->s_v2010) {
		kern_work(KW_SIGCHLD);		/* ksignal(q, SIGCHLD) */
		wakeup(pp);
	} else
		df_proc_ksignal(pp);
	df_proc_rele(pp);

	/* pp stays the right wakeup() address even if it goes stale. */
	df_lwp_exit1(lwp, 1, sys->s_v2010 ? NULL : pp);
}

/*
 * Models lwp_exit() in DragonFly kern_exit.c a3127495: called with p->p_token
 * held, releases it.  A non-master LWP leaves the tree and goes to this
 * CPU's reaper; the master (exit1) stays for kern_wait.  The wakeups are
 * issued after p_token is released, as late as possible.  Returns only
 * after the carrier's final off-CPU store (df_lwp_switchout).
 */
void
df_lwp_exit1(struct reap_lwp *lwp, int masterexit, void *waddr)
{
	struct reap_proc *p = lwp->lwp_proc;
	struct reap_sys *sys = p->p_sys;
	bool dowake, joinwake;

	DF_ASSERT_PTOKEN(p);
	atomic_fetch_or_explicit(&lwp->lwp_mpflags, LWP_MP_WEXIT,
	    memory_order_acq_rel);
	/* (usched release_curproc, vkernel/vmm, kqueue_terminate.) */
	kern_work(KW_LWP_CRFREE);	/* crfree(td->td_ucred) */
	/* Nobody wakes us when lwp_lock drops: poll each tick. */
	while (atomic_load_explicit(&lwp->lwp_lock, memory_order_acquire) > 0)
		tsleep(lwp, 0, "lwpexit", 1);
	/* Until the LWP is disposed of, wait*() must not free p. */
	df_proc_hold(p);
	kern_lwp_exit_stamp(sys->s_machine, &lwp->lwp_stamp);

	joinwake = false;
	if (masterexit == 0) {
		lwp->lwp_thread.td_exitcpu = mycpuid();
		LIST_REMOVE(lwp, lwp_entry);
		--p->p_nthreads;
		if (lwp->lwp_joinrec != NULL) {
			df_join_exited(lwp);
			joinwake = true;
		}
		if (p->p_nlwpwait > 0)
			joinwake = true;	/* waiters recheck EDEADLK */
		df_deadlwp_insert(lwp);
	} else {
		--p->p_nthreads;
	}
	if (sys->s_v2010)
		dowake = p->p_nthreads <= 1;
	else
		dowake = (p->p_flags & P_MAYBETHREADED) && p->p_nthreads <= 1;

	lwkt_reltoken(&p->p_token);
	KERN_INJECT("dragonfly.exit.late_wakeup");
	if (dowake)
		wakeup(&p->p_nthreads);
	if (waddr != NULL)
		wakeup(waddr);
	if (joinwake)
		wakeup(&p->p_joinzomb);
	df_lwp_switchout(lwp);
}

/*
 * ops->lwp_exit: models sys_extexit(EXTEXIT_LWP) in
 * DragonFly kern_exit.c a3127495 (the same in DragonFly kern_exit.c (2010)).  The
 * last LWP does the real exit1 instead.
 *
 * Deviation from both seeds: the observers' holds are drained here,
 * before the p_nthreads test, and not only in lwp_exit.  In the seeds the
 * test passes, then lwp_exit's "lwpexit" poll sleeps (giving up p_token)
 * while the LWP is held, still counted in p_nthreads.  Another LWP that
 * exits meanwhile sees p_nthreads > 1 too and also makes a simple exit;
 * after the release both have decremented p_nthreads and nobody called
 * exit1: the process stays SACTIVE with no LWPs and is never reaped (the
 * "UNDEAD" the seed's own comment on this test warns of; the conformance
 * case conf_lwp_hold_last hangs in kern_wait on it).  Draining first
 * makes the test and lwp_exit's decrement one p_token section: a hold is
 * only taken under p_token (lwpfind, killlwps), and nothing between the
 * test and the decrement blocks, so lwp_exit's own poll finds no hold.
 */
void
df_sys_extexit(struct reap_lwp *lwp)
{
	struct reap_proc *p = lwp->lwp_proc;

	lwkt_gettoken(&p->p_token);
	/* No new observer holds (df_lwp_find): the drain must end. */
	atomic_fetch_or_explicit(&lwp->lwp_mpflags, LWP_MP_WEXIT,
	    memory_order_acq_rel);
	/* Nobody wakes us when lwp_lock drops: poll each tick. */
	while (atomic_load_explicit(&lwp->lwp_lock, memory_order_acquire) > 0)
		tsleep(lwp, 0, "exthold", 1);
	if (p->p_nthreads > 1) {
		df_lwp_exit1(lwp, 0, NULL);	/* releases p_token */
		return;
	}
	lwkt_reltoken(&p->p_token);
	df_proc_exit1(lwp, 0);
}

/*
 * ops->proc_exit: models sys_exit() in DragonFly kern_exit.c a3127495.
 * The 2010 sys_exit is not MPSAFE (sys_extexit is MPALMOSTSAFE, sys_wait4
 * MPSAFE): the syscall layer holds the MP lock over all of exit1, and
 * lwp_exit's switch-out releases it (df_lwp_switchout).
 */
void
df_sys_exit(struct reap_lwp *lwp, int status)
{
	if (lwp->lwp_proc->p_sys->s_v2010)
		kern_biglock_enter();		/* get_mplock */
	df_proc_exit1(lwp, status);
}
