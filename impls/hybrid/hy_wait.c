/*
 * hy_wait.c - the hybrid's waits: lwp_wait (collect a joinable zombie
 * [C1..C3]) and proc_wait (reap a zombie child [W1..W3]).
 *
 * Both block on eventcounts that live in the system's memory, keyed by
 * the waiter's pid (s_lwpec, s_childec): the waker may be an LWP that can
 * no longer touch its process.  The waiter registers (kern_ec_prepare)
 * and then re-tests its condition, the waker publishes with seq_cst and
 * then looks for a registered waiter: no lost wakeups, and no futex wake
 * when nobody waits.  A kill (proc_exit [K2]) wakes both eventcounts of
 * the killed process, so its waiters return EINTR.
 *
 * lwp_wait's deadlock bookkeeping (who waits for whom, how many wait) is
 * under p_waitlock, which only waiters take: the scan and its claim, the
 * EDEADLK test and leaving the count happen in one critical section, so
 * when every LWP would wait forever exactly one of them is told, and a
 * waiter that has claimed a zombie no longer counts as waiting.
 */
#include "hybrid.h"

/* [C2] A claimed (ZOMB -> DEAD by CAS [C1]) LWP leaves the table and the
 * joinable counts. */
static void
hy_lwp_unlink(struct reap_proc *p, lwpid_t lid)
{
	hy_slot_free(p, lid);
	atomic_fetch_sub_explicit(&p->p_njoin, 1, memory_order_seq_cst);
	atomic_fetch_sub_explicit(&p->p_nzomb, 1, memory_order_relaxed);
}

/* [C2, C3] Unlink a claimed LWP and send it to reclaim (the last LWP's
 * exit [Z2]; lwp_wait unlinks under p_waitlock and frees after it). */
void
hy_lwp_collect(struct reap_proc *p, struct reap_lwp *l, lwpid_t lid)
{
	hy_lwp_unlink(p, lid);					/* [C2] */
	KERN_INJECT("hybrid.collect.unlinked");
	hy_lwp_free(p->p_sys, l);				/* [C3] */
}

/* [C1] Claim l in the life seen in st (ZOMB), then unlink it [C2]. */
static bool
hy_lwp_claim(struct reap_proc *p, struct reap_lwp *l, uint64_t st,
    lwpid_t lid)
{
	if (LS_STAT(st) != LS_ZOMB ||
	    !atomic_compare_exchange_strong_explicit(&l->l_state, &st,
	    LS_MAKE(LS_LIFE(st), LS_DEAD), memory_order_acq_rel,
	    memory_order_relaxed))
		return false;
	hy_lwp_unlink(p, lid);
	return true;
}

/*
 * One look for something to collect: 0 (claimed and unlinked: *lp, and
 * *departed set; the caller frees it [C3]), ESRCH, EINVAL, or EAGAIN
 * (nothing yet).  Under p_waitlock, so that a claim and the claimer's
 * leaving p_nlwpwait are one step for the other waiters' EDEADLK test.
 */
static int
hy_lwp_wait_scan(struct reap_proc *p, struct reap_lwp *self, lwpid_t lid,
    lwpid_t *departed, struct reap_lwp **lp)
    KERN_REQUIRES(p->p_waitlock)
{
	struct reap_lwp *l;
	uint64_t st;
	int32_t others;

	KASSERT_MUTEX_OWNED(&p->p_waitlock);
	if (lid != 0) {
		if ((l = hy_lwp_lookup(p, lid, &st)) == NULL ||
		    LS_STAT(st) == LS_DEAD)
			return ESRCH;
		if ((atomic_load_explicit(&l->l_flags, memory_order_acquire) &
		    REAP_DETACHED) != 0)
			return EINVAL;
		if (hy_lwp_claim(p, l, st, lid)) {
			*departed = lid;
			*lp = l;
			return 0;
		}
		return EAGAIN;
	}
	/* Any: NetBSD's nfound, from the joinable count (self excluded). */
	others = atomic_load_explicit(&p->p_njoin, memory_order_seq_cst);
	if ((atomic_load_explicit(&self->l_flags, memory_order_relaxed) &
	    REAP_DETACHED) == 0)
		others--;
	if (others <= 0)
		return ESRCH;
	if (atomic_load_explicit(&p->p_nzomb, memory_order_seq_cst) <= 0)
		return EAGAIN;
	for (int w = 0; w < HY_NCHUNK; w++) {
		uint64_t bits = atomic_load_explicit(&p->p_slotmap[w],
		    memory_order_acquire);
		struct hy_chunk *c;

		if (bits == 0)
			continue;
		/* hy_slot_alloc sets the bit before it publishes the chunk:
		 * a bit may be seen before its chunk exists (nothing there
		 * to collect yet). */
		c = atomic_load_explicit(&p->p_chunks[w], memory_order_acquire);
		if (c == NULL)
			continue;
		for (; bits != 0; bits &= bits - 1) {
			int b = __builtin_ctzll(bits);
			lwpid_t zlid;

			l = atomic_load_explicit(&c->c_lwp[b],
			    memory_order_acquire);
			if (l == NULL || l == self)
				continue;
			zlid = atomic_load_explicit(&l->l_lid,
			    memory_order_acquire);
			if (hy_lwp_lookup(p, zlid, &st) != l ||
			    LS_STAT(st) != LS_ZOMB)
				continue;
			if (hy_lwp_claim(p, l, st, zlid)) {
				*departed = zlid;
				*lp = l;
				return 0;
			}
		}
	}
	return EAGAIN;
}

/* Is LWP lid of p waiting for `me` (NetBSD's l_waitingfor cycle test)? */
static bool
hy_lwp_waits_for(struct reap_proc *p, lwpid_t lid, lwpid_t me)
    KERN_REQUIRES(p->p_waitlock)
{
	struct reap_lwp *l;
	uint64_t st;

	KASSERT_MUTEX_OWNED(&p->p_waitlock);
	if ((l = hy_lwp_lookup(p, lid, &st)) == NULL)
		return false;
	return atomic_load_explicit(&l->l_waitingfor,
	    memory_order_relaxed) == me;
}

/*
 * Models lwp_wait() in NetBSD kern_lwp.c 1.252, its sleep on an
 * eventcount instead of p_lwpcv, its collection by CAS.
 *
 * As there, the look for a zombie, the EDEADLK test and the change of
 * p_nlwpwait are one critical section (p_waitlock: waiters only).  Exits
 * do not take it, so the live count is read *before* the scan: an exit
 * publishes its zombie [E3] before its fetch_sub of the live count [E4],
 * and every later change of p_state is an RMW, so a load that sees the
 * drop synchronizes with it and the scan sees the zombie.  Reading live
 * after the scan instead would let an exit land in between: its zombie
 * unseen but its live count gone, "every live LWP waits", a false
 * EDEADLK with a zombie to collect (the join benchmark's abort).
 */
int
hy_lwp_wait(struct reap_lwp *self, lwpid_t lid, lwpid_t *departed)
{
	struct reap_proc *p = atomic_load_explicit(&self->l_proc,
	    memory_order_relaxed);
	struct reap_sys *s = p->p_sys;
	struct kern_ec *ec = hy_lwpec(s, p->p_pid);
	lwpid_t me = atomic_load_explicit(&self->l_lid, memory_order_relaxed);
	struct reap_lwp *l = NULL;
	bool registered = false;
	uint32_t key = 0;
	lwpid_t dep;
	int error;

	hy_attach(s);
	if (lid == me)		/* reap.h: a detached lid is EINVAL first */
		return (atomic_load_explicit(&self->l_flags,
		    memory_order_relaxed) & REAP_DETACHED) != 0 ? EINVAL :
		    EDEADLK;
	if (departed == NULL)
		departed = &dep;
	mutex_enter(&p->p_waitlock);
	p->p_nlwpwait++;
	atomic_store_explicit(&self->l_waitingfor, lid, memory_order_relaxed);
	for (;;) {
		int live;

		live = (int)PS_LIVE(atomic_load_explicit(&p->p_state,
		    memory_order_seq_cst));
		error = hy_lwp_wait_scan(p, self, lid, departed,
		    &l);					/* [C1, C2] */
		KERN_INJECT("hybrid.lwpwait.decide");
		/* Killed: EINTR, also where what we waited for is gone. */
		if ((error == EAGAIN || error == ESRCH) && hy_proc_killed(p))
			error = EINTR;
		/* EDEADLK: the target waits for us, or every LWP that was
		 * live before the scan waits (a claimer has already left the
		 * count, in its own critical section). */
		if (error == EAGAIN && ((lid != 0 &&
		    hy_lwp_waits_for(p, lid, me)) || p->p_nlwpwait == live))
			error = EDEADLK;
		if (error != EAGAIN)
			break;
		mutex_exit(&p->p_waitlock);
		if (!registered) {
			/* Register, then look once more before sleeping. */
			key = kern_ec_prepare(ec);
			registered = true;
		} else {
			KERN_INJECT("hybrid.lwpwait.sleep");
			kern_ec_wait(ec, key, "lwpwait");
			registered = false;
		}
		mutex_enter(&p->p_waitlock);
	}
	p->p_nlwpwait--;
	atomic_store_explicit(&self->l_waitingfor, 0, memory_order_relaxed);
	mutex_exit(&p->p_waitlock);
	if (l != NULL) {
		KERN_INJECT("hybrid.collect.unlinked");
		hy_lwp_free(s, l);				/* [C3] */
	}
	return error;
}

/*
 * [W1] Look for a zombie child matching pid and unlink it: 0 (in *cp),
 * ECHILD (no such child), EAGAIN (children, none a zombie yet).
 */
static int
hy_proc_wait_scan(struct reap_proc *p, pid_t pid, struct reap_proc **cp)
{
	struct reap_proc *c, *prev = NULL;
	bool found = false;

	mutex_enter(&p->p_kidlock);
	for (c = atomic_load_explicit(&p->p_kids, memory_order_relaxed);
	    c != NULL; prev = c, c = c->p_sibling) {
		if (pid != -1 && c->p_pid != pid)
			continue;
		found = true;
		if ((atomic_load_explicit(&c->p_state, memory_order_seq_cst) &
		    PS_ZOMB) == 0)
			continue;
		if (prev == NULL)
			atomic_store_explicit(&p->p_kids, c->p_sibling,
			    memory_order_seq_cst);
		else
			prev->p_sibling = c->p_sibling;
		c->p_sibling = NULL;
		c->p_pptr = NULL;
		mutex_exit(&p->p_kidlock);
		*cp = c;
		return 0;
	}
	mutex_exit(&p->p_kidlock);
	return found ? EAGAIN : ECHILD;
}

/* Models kern_wait() in DragonFly kern_exit.c a3127495: the zombie is taken out
 * of the tree, then the parent waits for its holds to drain (PHOLDZOMB's
 * purpose), then frees it. */
pid_t
hy_proc_wait(struct reap_lwp *self, pid_t pid, int *status, int options)
{
	struct reap_proc *p = atomic_load_explicit(&self->l_proc,
	    memory_order_relaxed);
	struct reap_sys *s = p->p_sys;
	struct kern_ec *ec = hy_childec(s, p->p_pid);
	struct reap_proc *c = NULL;
	bool registered = false;
	uint32_t key = 0;
	pid_t cpid;
	int error;

	/* Process groups are not modelled; only WNOHANG is (reap.h). */
	if ((pid != -1 && pid <= 0) || (options & ~WNOHANG) != 0)
		return -EINVAL;
	hy_attach(s);
	for (;;) {
		error = hy_proc_wait_scan(p, pid, &c);		/* [W1] */
		if (error == 0)
			break;
		if (error == ECHILD)
			return -ECHILD;
		if ((options & WNOHANG) != 0)
			return 0;
		if (hy_proc_killed(p))
			return -EINTR;
		if (!registered) {
			key = kern_ec_prepare(ec);
			registered = true;
			continue;
		}
		kern_ec_wait(ec, key, "procwait");
		registered = false;
	}
	KERN_INJECT("hybrid.procwait.unlinked");
	hy_proc_await_reapable(c);				/* [W2] */
	cpid = c->p_pid;
	if (status != NULL)
		*status = c->p_xstat;
	kern_work(KW_CRFREE);		/* kern_wait's releases, as */
	kern_work(KW_SIGACTSFREE);	/* DragonFly's */
	kern_work(KW_VMSPACE_FREE);
	hy_proc_reaped(c);				/* [W3] [P5] */
	return cpid;
}
