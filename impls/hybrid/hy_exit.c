/*
 * hy_exit.c - the hybrid's exit path: lwp_exit [E1..E9], the process exit
 * of the last live LWP [Z1..Z6], proc_exit's kill [K1..K3], reparenting.
 *
 * An LWP's exit takes no lock.  It drains its observers' holds on its own
 * futex word [E1], leaves the table if detached [E2], publishes itself as
 * a zombie (joinable) or dead (detached) [E3], and drops the live count
 * with one fetch_sub that also says whether it was the last [E4].  Only
 * the last live LWP touches the process after that: the others wake
 * lwp_wait waiters through an eventcount in the system's memory, keyed by
 * pid [E5], so a process freed meanwhile is never touched.  A detached LWP
 * then queues itself on its CPU's dead list [E7]; its carrier's last
 * write [E8] and the release store that says "off CPU" [E9] end the exit.
 *
 *	carrier of l                     reclaimer (any thread)
 *	[E7] push l on pc_dead  -------> [R1] xchg(pc_dead, NULL)
 *	[E8] l->l_nvcsw++ (window)       [R2] acquire load l_oncpu
 *	[E9] release l_oncpu = 0              1: [R3] push back (next batch)
 *	     (never touches l again)          0: [R4] free (all of E8 seen)
 */
#include "hybrid.h"

/* Models lwp_drainrefs() in NetBSD kern_lwp.c 1.252: no new holds, then
 * sleep on the refs word itself until the last lwp_rele [O4] wakes us. */
static void
hy_lwp_drainrefs(struct reap_lwp *l)
{
	uint32_t r;

	r = atomic_fetch_or_explicit(&l->l_refs, LR_DEAD, memory_order_acq_rel);
	KASSERT((r & LR_DEAD) == 0, "lwp_exit twice");
	while (LR_COUNT(r = atomic_load_explicit(&l->l_refs,
	    memory_order_acquire)) != 0) {
		if ((r & LR_WAITERS) == 0) {
			if (!atomic_compare_exchange_weak_explicit(&l->l_refs,
			    &r, r | LR_WAITERS, memory_order_acq_rel,
			    memory_order_relaxed))
				continue;
			r |= LR_WAITERS;
		}
		kern_ec_wait_word(&l->l_refs, r, "lwpdrain");
	}
}

/* Sleep on p_state until cond(p_state) holds: the killer's live == 1
 * [K3] and the parent's zombie-without-holds [W2]. */
void
hy_proc_state_await(struct reap_proc *p, bool (*cond)(uint32_t),
    const char *wmesg)
{
	uint32_t w;

	for (;;) {
		w = atomic_load_explicit(&p->p_state, memory_order_acquire);
		if (cond(w))
			return;
		if ((w & PS_WAITERS) == 0) {
			if (!atomic_compare_exchange_weak_explicit(&p->p_state,
			    &w, w | PS_WAITERS, memory_order_acq_rel,
			    memory_order_relaxed))
				continue;
			w |= PS_WAITERS;
		}
		kern_ec_wait_word(&p->p_state, w, wmesg);
	}
}

/*
 * Move p's children to init (proc_reparent for each, in one hold of the
 * two tree locks: p's, then init's).  Called by the exit of p's last LWP
 * [Z1] or by a fork that linked a child under p after p's exit looked.
 */
void
hy_proc_reparent_locked(struct reap_proc *p)
{
	struct reap_sys *s = p->p_sys;
	struct reap_proc *init = s->s_init, *c;

	KASSERT_MUTEX_OWNED(&p->p_kidlock);
	KASSERT(p != init, "init does not exit");
	if (atomic_load_explicit(&p->p_kids, memory_order_relaxed) == NULL)
		return;
	mutex_enter(&init->p_kidlock);
	while ((c = atomic_load_explicit(&p->p_kids,
	    memory_order_relaxed)) != NULL) {
		atomic_store_explicit(&p->p_kids, c->p_sibling,
		    memory_order_relaxed);
		c->p_pptr = init;
		/* seq_cst against the child's PS_ZOMB then p_ppid [Z3, Z4]:
		 * either it wakes init or init's scan below sees it. */
		atomic_store_explicit(&c->p_ppid, init->p_pid,
		    memory_order_seq_cst);
		c->p_sibling = atomic_load_explicit(&init->p_kids,
		    memory_order_relaxed);
		atomic_store_explicit(&init->p_kids, c, memory_order_seq_cst);
	}
	mutex_exit(&init->p_kidlock);
	KERN_INJECT("hybrid.reparent.moved");
	kern_ec_wake(hy_childec(s, init->p_pid));
}

/* [Z2] Free the joinable zombies nobody collected, self included. */
static void
hy_proc_reap_zombies(struct reap_proc *p)
{
	for (int w = 0; w < HY_NCHUNK; w++) {
		uint64_t bits = atomic_load_explicit(&p->p_slotmap[w],
		    memory_order_acquire);

		while (bits != 0) {
			int b = __builtin_ctzll(bits);
			struct hy_chunk *c = atomic_load_explicit(
			    &p->p_chunks[w], memory_order_acquire);
			struct reap_lwp *l;
			uint64_t st;
			lwpid_t lid;

			bits &= bits - 1;
			/* A racing create may own a bit before its chunk. */
			if (c == NULL || (l = atomic_load_explicit(&c->c_lwp[b],
			    memory_order_acquire)) == NULL)
				continue;
			lid = atomic_load_explicit(&l->l_lid,
			    memory_order_acquire);
			if (hy_lwp_lookup(p, lid, &st) != l)
				continue;
			KASSERT(LS_STAT(st) == LS_ZOMB,
			    "a live LWP in a process whose last LWP exits");
			if (atomic_compare_exchange_strong_explicit(&l->l_state,
			    &st, LS_MAKE(LS_LIFE(st), LS_DEAD),
			    memory_order_acq_rel, memory_order_relaxed))
				hy_lwp_collect(p, l, lid);	/* [C2, C3] */
		}
	}
}

static bool
hy_cond_holds_drained(uint32_t w)
{
	return (w & PS_ZOMB) != 0 && PS_HOLDS(w) == 0;
}

/*
 * Models exit1() of DragonFly kern_exit.c a3127495 from the point
 * where the last thread is gone: the last live LWP makes the process a
 * zombie [Z1..Z6].  It may touch p until it drops its hold [Z5].
 */
static void
hy_proc_exit_last(struct reap_proc *p)
{
	struct reap_sys *s = p->p_sys;
	struct kern_ec *ec;
	uint32_t old;
	pid_t ppid;
	bool owed;

	KERN_INJECT("hybrid.exit.last");	/* live is 0, not yet ZOMB */
	/* [Z1] Children go to init.  A process that never had any takes no
	 * lock: the flag, then a look (seq_cst) against fork's link, then a
	 * look at the flag [hy_proc_link]. */
	(void)atomic_fetch_or_explicit(&p->p_state, PS_KIDSGONE,
	    memory_order_seq_cst);
	if (atomic_load_explicit(&p->p_kids, memory_order_seq_cst) != NULL) {
		mutex_enter(&p->p_kidlock);
		hy_proc_reparent_locked(p);
		mutex_exit(&p->p_kidlock);
	}
	/* [Z2] */
	hy_proc_reap_zombies(p);
	kern_work(KW_FDFREE);		/* exit1's releases, as the seeds' */
	kern_work(KW_VMSPACE_EXIT);
	/* [Z3] Zombie, with a hold (DragonFly's PHOLD) so we may still read
	 * p_ppid and wake; the parent frees p only once holds == 0 [W2]. */
	old = atomic_fetch_add_explicit(&p->p_state, PS_ZOMB + PS_HOLD_ONE,
	    memory_order_seq_cst);
	KASSERT((old & PS_ZOMB) == 0, "process exits twice");
	KERN_INJECT("hybrid.exit.zombie");
	/* [Z4] Tell the parent; read after PS_ZOMB, so a reparent that we
	 * miss wakes init itself after it moved us.  Only the epoch now: the
	 * futex wake waits until the hold is gone, so the woken parent does
	 * not find it and sleep again in [W2]. */
	ppid = atomic_load_explicit(&p->p_ppid, memory_order_seq_cst);
	ec = hy_childec(s, ppid);
	kern_work(KW_SIGCHLD);		/* ksignal / exit_psignal */
	owed = kern_ec_bump(ec);
	KERN_INJECT("hybrid.exit.zombie_woken");
	/* [Z5] Drop the hold.  From here on p may be freed by the parent. */
	old = atomic_fetch_sub_explicit(&p->p_state, PS_HOLD_ONE,
	    memory_order_acq_rel);
	hy_proc_state_wake(p, old, old - PS_HOLD_ONE);
	/* [Z6] The parent's futex wake: system memory, p is not touched. */
	if (owed)
		kern_ec_wake_owed(ec);
}

/* Models lwp_exit() in DragonFly kern_exit.c a3127495 / NetBSD kern_lwp.c 1.252,
 * lock-free: see the essay above. */
void
hy_lwp_exit(struct reap_lwp *l)
{
	struct reap_proc *p = atomic_load_explicit(&l->l_proc,
	    memory_order_relaxed);
	struct reap_sys *s = p->p_sys;
	lwpid_t lid = atomic_load_explicit(&l->l_lid, memory_order_relaxed);
	bool detached = (atomic_load_explicit(&l->l_flags,
	    memory_order_relaxed) & REAP_DETACHED) != 0;
	pid_t pid = p->p_pid;
	uint64_t st = atomic_load_explicit(&l->l_state, memory_order_relaxed);
	uint32_t old;
	int cpu;

	KASSERT(LS_STAT(st) == LS_RUN, "lwp_exit of an LWP that is not live");
	hy_attach(s);

	hy_lwp_drainrefs(l);					/* [E1] */
	if (detached)
		hy_slot_free(p, lid);				/* [E2] */
	kern_work(KW_LWP_CRFREE);	/* crfree / kauth_cred_free */

	/* [E3] Publish.  Joinable: p_nzomb first, then ZOMB (seq_cst)
	 * against lwp_wait's prepare-then-scan. */
	kern_lwp_exit_stamp(s->s_mach, &l->l_stamp);
	if (detached) {
		atomic_store_explicit(&l->l_state,
		    LS_MAKE(LS_LIFE(st), LS_DEAD), memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&p->p_nzomb, 1, memory_order_seq_cst);
		atomic_store_explicit(&l->l_state,
		    LS_MAKE(LS_LIFE(st), LS_ZOMB), memory_order_seq_cst);
	}
	KERN_INJECT("hybrid.exit.published");

	/* [E4] One fetch_sub: am I the last live LWP? */
	old = atomic_fetch_sub_explicit(&p->p_state, PS_LIVE_ONE,
	    memory_order_seq_cst);
	KASSERT(PS_LIVE(old) >= 1, "live count underflow");
	if (PS_LIVE(old) == 1) {
		hy_proc_exit_last(p);				/* [Z1..Z6] */
	} else {
		/* The killer waits for live == 1 and holds p alive. */
		hy_proc_state_wake(p, old, old - PS_LIVE_ONE);
		KERN_INJECT("hybrid.exit.uncounted");
		/* From here p may be freed: only the system's memory. */
		kern_ec_wake(hy_lwpec(s, pid));			/* [E5] */
	}

	/* [E6] Only a detached LWP queues itself: a joinable one is queued by
	 * whoever claimed it [C3] (lwp_wait, or [Z2] for the last). */
	cpu = hy_cpu_index(s);
	if (detached) {
		/* [E7] A full dead list is reclaimed by its next exit. */
		if (atomic_load_explicit(&s->s_cpu[cpu]->pc_ndead,
		    memory_order_relaxed) >= HY_BATCH)
			(void)hy_reclaim(s, cpu, NULL);
		hy_lwp_dead_push(s, cpu, l);
	}
	kern_td_setsig(NULL);

	if (hy_mutant(s, HY_MUT_RELAXED_OFFCPU)) {
		/* Mutant: relaxed lets the off-CPU store pass the carrier's
		 * last write; a reclaimer may free l in between. */
		atomic_store_explicit(&l->l_oncpu, 0, memory_order_relaxed);
		KERN_INJECT("hybrid.exit.offcpu");
		l->l_nvcsw++;
		return;
	}
	/* [E8] The switch-out window: the carrier still writes into l (its
	 * context-switch accounting).  A reclaim before [E9] is a bug that
	 * ASan (poisoned body) and TSan (no happens-before) report. */
	KERN_INJECT("hybrid.exit.offcpu");
	l->l_nvcsw++;
	/* [E9] Off CPU: the release store; the carrier never touches l
	 * again. */
	atomic_store_explicit(&l->l_oncpu, 0, memory_order_release);
}

static bool
hy_cond_alone(uint32_t w)
{
	return PS_LIVE(w) == 1;
}

/* Models exit1()'s killalllwps() in DragonFly kern_exit.c a3127495 (P_WEXIT
 * interlock, then wait for the other threads), without p_token. */
void
hy_proc_exit(struct reap_lwp *self, int status)
{
	struct reap_proc *p = atomic_load_explicit(&self->l_proc,
	    memory_order_relaxed);
	struct reap_sys *s = p->p_sys;
	uint32_t old;

	hy_attach(s);
	/* [K1] One fetch_or picks the winner (P_WEXIT / EALREADY). */
	old = atomic_fetch_or_explicit(&p->p_state, PS_WEXIT,
	    memory_order_seq_cst);
	if ((old & PS_WEXIT) != 0) {
		hy_lwp_exit(self);	/* lost the race: just exit */
		return;
	}
	p->p_xstat = status;	/* published by [Z3]'s seq_cst RMW */
	/* [K2] Kill: one store to the kill word every LWP's td points at,
	 * then wake whoever sleeps in lwp_wait/proc_wait of this process. */
	atomic_store_explicit(&p->p_killed, 1, memory_order_seq_cst);
	kern_ec_wake(hy_lwpec(s, p->p_pid));
	kern_ec_wake(hy_childec(s, p->p_pid));
	KERN_INJECT("hybrid.kill.sent");
	/* [K3] Wait for the others to leave: each exit's fetch_sub [E4]
	 * wakes us only when it leaves us alone. */
	hy_proc_state_await(p, hy_cond_alone, "exitlwps");
	hy_lwp_exit(self);
}

/* [W2] helper, shared with hy_wait.c. */
void
hy_proc_await_reapable(struct reap_proc *p)
{
	hy_proc_state_await(p, hy_cond_holds_drained, "reapzomb");
}
