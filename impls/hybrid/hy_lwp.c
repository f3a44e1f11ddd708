/*
 * hy_lwp.c - the hybrid design: system, processes, LWP creation, the LWP
 * table with its lock-free lookups, observers' holds, and the ops table.
 *
 * States of an LWP (l_state) and who moves it:
 *
 *	          lwp_create            lwp_exit [E3]
 *	  FREE ----------------> RUN --------------+--> ZOMB (joinable)
 *	   ^                                       |      | lwp_wait / exit1
 *	   |                                       |      | claims it [C1]
 *	   |      reclaim [R4], only once          v      v
 *	   +--------- off CPU [R2] <------------ DEAD <---+
 *	                                   (on a per-CPU dead list or
 *	                                    being freed by its collector)
 *
 * The life number in l_state grows at every free, so a claim or a lookup
 * that raced with a free and a reuse fails its compare.  No lock is taken
 * on any of these transitions; the table is a two-level array of slots
 * (64 chunks of 64), each lookup reading a slot with acquire and checking
 * the LWP's identity against its life (a seqlock on type-stable memory).
 */
#include <stdlib.h>
#include <string.h>

#include "hybrid.h"

/* ---- the process state word ------------------------------------------- */

/*
 * Wake the sleepers of p_state if this change (old -> new) made one of
 * their conditions true: the killer's live == 1 [K3], the parent's zombie
 * with no hold left [W2].  Touches no field of p: after the last hold is
 * dropped p may already be freed, and a futex wake is only an address (as
 * glibc's sem_post may wake on memory its waiter has freed).
 */
void
hy_proc_state_wake(struct reap_proc *p, uint32_t old, uint32_t new)
{
	if ((old & PS_WAITERS) == 0)
		return;
	if (((new & PS_WEXIT) != 0 && PS_LIVE(new) == 1) ||
	    ((new & PS_ZOMB) != 0 && PS_HOLDS(new) == 0)) {
		kern_count(KC_WAKEUP);
		kern_futex_wake(&p->p_state, 1 << 30);
	}
}

/* ---- the LWP table ------------------------------------------------------ */

static struct hy_chunk *
hy_chunk_get(struct reap_proc *p, int w)
{
	struct hy_chunk *c, *exp = NULL;

	c = atomic_load_explicit(&p->p_chunks[w], memory_order_acquire);
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	KASSERT(c != NULL, "out of memory");
	if (atomic_compare_exchange_strong_explicit(&p->p_chunks[w], &exp, c,
	    memory_order_acq_rel, memory_order_acquire))
		return c;
	free(c);
	return exp;
}

/* A free slot; each CPU starts in its own chunk (its own cache lines). */
static int
hy_slot_alloc(struct reap_proc *p, int start)
{
	for (int i = 0; i < HY_NCHUNK; i++) {
		int w = (start + i) % HY_NCHUNK;
		uint64_t bits = atomic_load_explicit(&p->p_slotmap[w],
		    memory_order_relaxed);

		while (bits != ~(uint64_t)0) {
			int b = __builtin_ctzll(~bits);

			if (atomic_compare_exchange_weak_explicit(
			    &p->p_slotmap[w], &bits, bits | (uint64_t)1 << b,
			    memory_order_acq_rel, memory_order_relaxed)) {
				(void)hy_chunk_get(p, w);
				return w * HY_CHUNK + b;
			}
		}
	}
	return -1;
}

/* Empty a slot and give it back (its LWP, if any, is unlinked first). */
static void
hy_slot_clear(struct reap_proc *p, int slot)
{
	struct hy_chunk *c = atomic_load_explicit(&p->p_chunks[slot /
	    HY_CHUNK], memory_order_acquire);
	uint64_t was;

	atomic_store_explicit(&c->c_lwp[slot % HY_CHUNK], NULL,
	    memory_order_release);
	was = atomic_fetch_and_explicit(&p->p_slotmap[slot / HY_CHUNK],
	    ~((uint64_t)1 << (slot % HY_CHUNK)), memory_order_release);
	KASSERT((was & (uint64_t)1 << (slot % HY_CHUNK)) != 0,
	    "LWP slot freed twice");
}

void
hy_slot_free(struct reap_proc *p, lwpid_t lid)
{
	hy_slot_clear(p, hy_lid_slot(lid));
}

/*
 * [O1] Find LWP `lid` of p.  Returns it with *statep, the state of the
 * life in which its lid and proc matched (a seqlock: the life is read
 * before and after the identity; freeing bumps the life before a reuse
 * rewrites the identity), or NULL.  The LWP may be dead or free: callers
 * look at LS_STAT(*statep) and claim with a CAS on that exact state.
 */
struct reap_lwp *
hy_lwp_lookup(struct reap_proc *p, lwpid_t lid, uint64_t *statep)
{
	int slot;
	struct hy_chunk *c;
	struct reap_lwp *l;
	uint64_t s1, s2;

	if (lid <= 0)
		return NULL;
	slot = hy_lid_slot(lid);
	c = atomic_load_explicit(&p->p_chunks[slot / HY_CHUNK],
	    memory_order_acquire);
	if (c == NULL)
		return NULL;
	l = atomic_load_explicit(&c->c_lwp[slot % HY_CHUNK],
	    memory_order_acquire);
	if (l == NULL)
		return NULL;
	s1 = atomic_load_explicit(&l->l_state, memory_order_seq_cst);
	if (atomic_load_explicit(&l->l_lid, memory_order_acquire) != lid ||
	    atomic_load_explicit(&l->l_proc, memory_order_acquire) != p)
		return NULL;
	s2 = atomic_load_explicit(&l->l_state, memory_order_seq_cst);
	if (LS_LIFE(s1) != LS_LIFE(s2) || LS_STAT(s2) == LS_FREE)
		return NULL;
	*statep = s2;
	return l;
}

/* ---- LWP creation --------------------------------------------------------- */

/*
 * [N2] Admit a new LWP: one CAS takes a live count, only while the
 * process has a live LWP and is not exiting.  A refusal writes nothing,
 * so the live count counts LWPs and nothing else: the fetch_sub that takes
 * it to 0 is the last LWP's [E4], and once PS_WEXIT is set or live is 0
 * it can only go down.  (A fetch_add undone on refusal, as before, let a
 * transient count hide the last exit: nobody made the process a zombie.)
 * Retries only when p_state changed under it: lock-free.
 */
static bool
hy_proc_live_admit(struct reap_proc *p)
{
	uint32_t old = atomic_load_explicit(&p->p_state, memory_order_relaxed);

	do {
		/* A stale value refuses rightly: both conditions are final. */
		if ((old & (PS_WEXIT | PS_ZOMB)) != 0 || PS_LIVE(old) == 0)
			return false;
		KASSERT(PS_LIVE(old) < HY_MAXLWP, "more live LWPs than slots");
	} while (!atomic_compare_exchange_weak_explicit(&p->p_state, &old,
	    old + PS_LIVE_ONE, memory_order_seq_cst, memory_order_relaxed));
	return true;
}

/* [N3] Set up a new LWP of p in its reserved slot; the caller took its
 * live count. */
static struct reap_lwp *
hy_lwp_setup(struct reap_proc *p, unsigned flags, int slot, bool count)
{
	struct reap_sys *s = p->p_sys;
	struct hy_chunk *c;
	struct reap_lwp *l;
	bool recycled;
	uint32_t gen;
	uint64_t life;
	lwpid_t lid;

	c = hy_chunk_get(p, slot / HY_CHUNK);
	gen = atomic_fetch_add_explicit(&c->c_gen[slot % HY_CHUNK], 1,
	    memory_order_relaxed);
	lid = hy_lid_make(slot, gen);
	l = hy_lwp_alloc(s, &recycled);
	life = LS_LIFE(atomic_load_explicit(&l->l_state, memory_order_relaxed));
	/* The identity first, then refs and state with release: a stale
	 * observer that gets a hold or reads RUN sees this life's identity. */
	atomic_store_explicit(&l->l_lid, lid, memory_order_release);
	atomic_store_explicit(&l->l_flags, flags & REAP_DETACHED,
	    memory_order_release);
	atomic_store_explicit(&l->l_proc, p, memory_order_release);
	atomic_store_explicit(&l->l_waitingfor, 0, memory_order_relaxed);
	atomic_store_explicit(&l->l_oncpu, 1, memory_order_relaxed);
	l->l_next = NULL;
	l->l_td = NULL;
	l->l_cpu = -1;
	l->l_nvcsw = 0;
	atomic_store_explicit(&l->l_refs, 0, memory_order_release);
	atomic_store_explicit(&l->l_state, LS_MAKE(life, LS_RUN),
	    memory_order_release);
	if ((flags & REAP_DETACHED) == 0)
		atomic_fetch_add_explicit(&p->p_njoin, 1, memory_order_seq_cst);
	atomic_store_explicit(&c->c_lwp[slot % HY_CHUNK], l,
	    memory_order_release);
	if (count) {
		kern_count(KC_LWP_CREATE);
		kern_count(recycled ? KC_LWP_RECYCLE : KC_LWP_ALLOC);
	}
	return l;
}

/*
 * Models lwp_create() in NetBSD kern_lwp.c 1.252, without p_lock.  [N1]
 * A slot first, so that a full table refuses before any count is taken;
 * [N2] the live count, or a refusal that leaves p_state untouched; [N3]
 * the LWP, published in its slot.  A proc_exit whose PS_WEXIT [K1] comes
 * before our CAS refuses us; one after it waits for us [K3], and we are
 * killed at once (p_killed).  The caller keeps p from being reaped.
 */
static struct reap_lwp *
hy_lwp_create(struct reap_proc *p, unsigned flags, lwpid_t *lidp)
{
	struct reap_sys *s = p->p_sys;
	struct reap_lwp *l;
	int slot;

	hy_attach(s);
	if ((slot = hy_slot_alloc(p, hy_cpu_index(s) * 8 % HY_NCHUNK)) < 0)
		return NULL;					/* [N1] */
	if (!hy_proc_live_admit(p)) {				/* [N2] */
		hy_slot_clear(p, slot);
		return NULL;
	}
	KERN_INJECT("hybrid.create.counted");
	l = hy_lwp_setup(p, flags, slot, true);			/* [N3] */
	if (lidp != NULL)
		*lidp = atomic_load_explicit(&l->l_lid, memory_order_relaxed);
	return l;
}

static lwpid_t
hy_lwp_id(struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_lid, memory_order_relaxed);
}

static struct reap_proc *
hy_lwp_proc(struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_proc, memory_order_relaxed);
}

/* The calling thread becomes the LWP's carrier (cpu_switchto into it). */
static void
hy_lwp_enter(struct reap_lwp *l)
{
	struct reap_proc *p = hy_lwp_proc(l);

	KASSERT(LS_STAT(atomic_load_explicit(&l->l_state,
	    memory_order_relaxed)) == LS_RUN, "entering an LWP that is not live");
	kern_attach(p->p_sys->s_mach);
	l->l_td = kern_curtd();
	l->l_cpu = mycpuid();
	/* The process's kill word is every LWP's: one store kills them all. */
	kern_td_setsig(&p->p_killed);
}

/* userret: has proc_exit killed the process? */
static bool
hy_lwp_killed(struct reap_lwp *l)
{
	return atomic_load_explicit(&hy_lwp_proc(l)->p_killed,
	    memory_order_acquire) != 0;
}

/* ---- observers ------------------------------------------------------------ */

/* Models lwp_addref() after proc_find_lwp() in NetBSD kern_lwp.c 1.252. */
static struct reap_lwp *
hy_lwp_hold(struct reap_proc *p, lwpid_t lid)
{
	struct reap_lwp *l;
	uint64_t st;
	uint32_t r;

	if ((l = hy_lwp_lookup(p, lid, &st)) == NULL)		/* [O1] */
		return NULL;
	KERN_INJECT("hybrid.hold.lookup");
	/* [O2] A hold unless the LWP is exiting (LR_DEAD is set before its
	 * drain [E1] and stays until its memory is reused). */
	r = atomic_load_explicit(&l->l_refs, memory_order_relaxed);
	do {
		if ((r & LR_DEAD) != 0)
			return NULL;
	} while (!atomic_compare_exchange_weak_explicit(&l->l_refs, &r, r + 1,
	    memory_order_acquire, memory_order_relaxed));
	/* [O3] The memory may have been freed and reused meanwhile. */
	if (atomic_load_explicit(&l->l_lid, memory_order_acquire) != lid ||
	    atomic_load_explicit(&l->l_proc, memory_order_acquire) != p) {
		hy_lwp_rele(l);
		return NULL;
	}
	return l;
}

/* Models lwp_delref() in NetBSD kern_lwp.c 1.252: the last release of
 * an exiting LWP wakes its drain [O4]; no lock, no broadcast after one. */
void
hy_lwp_rele(struct reap_lwp *l)
{
	uint32_t old = atomic_fetch_sub_explicit(&l->l_refs, 1,
	    memory_order_acq_rel);

	KASSERT(LR_COUNT(old) > 0, "lwp_rele without a hold");
	if ((old & LR_WAITERS) != 0 && LR_COUNT(old) == 1) {
		kern_count(KC_WAKEUP);
		kern_futex_wake(&l->l_refs, 1);
	}
}

/* ---- processes ------------------------------------------------------------ */

static struct reap_proc *
hy_proc_alloc(struct reap_sys *s, pid_t pid)
{
	struct reap_proc *p = hy_proc_mem_get(s, pid);

	p->p_sys = s;
	p->p_pid = pid;
	atomic_init(&p->p_state, PS_LIVE_ONE);	/* the master */
	mutex_init(&p->p_waitlock);
	mutex_init(&p->p_kidlock);
	return p;
}

/* Link a new child under its parent (fork's proc_linkup + LIST_INSERT). */
static void
hy_proc_link(struct reap_proc *parent, struct reap_proc *p)
{
	mutex_enter(&parent->p_kidlock);
	p->p_pptr = parent;
	atomic_store_explicit(&p->p_ppid, parent->p_pid, memory_order_seq_cst);
	p->p_sibling = atomic_load_explicit(&parent->p_kids,
	    memory_order_relaxed);
	atomic_store_explicit(&parent->p_kids, p, memory_order_seq_cst);
	/* Store, then load (seq_cst), against the exiting parent's
	 * PS_KIDSGONE then p_kids [Z1]: one of us moves the child. */
	if ((atomic_load_explicit(&parent->p_state, memory_order_seq_cst) &
	    PS_KIDSGONE) != 0)
		hy_proc_reparent_locked(parent);
	mutex_exit(&parent->p_kidlock);
}

/* fork1: a new process with one joinable master LWP (lid 1). */
static struct reap_proc *
hy_proc_create(struct reap_sys *s, struct reap_proc *parent,
    struct reap_lwp **master)
{
	struct reap_proc *p;

	hy_attach(s);
	p = hy_proc_alloc(s, hy_pid_alloc(s));
	*master = hy_lwp_setup(p, 0, hy_slot_alloc(p, 0), true);
	kern_count(KC_PROC_CREATE);
	hy_proc_link(parent != NULL ? parent : s->s_init, p);
	hy_pid_publish(s, p);
	return p;
}

static pid_t
hy_proc_pid(struct reap_proc *p)
{
	return p->p_pid;
}

void
hy_proc_free(struct reap_proc *p)
{
	KASSERT(atomic_load_explicit(&p->p_kids, memory_order_relaxed) == NULL,
	    "freeing a process with children");
	for (int w = 0; w < HY_NCHUNK; w++) {
		KASSERT(atomic_load_explicit(&p->p_slotmap[w],
		    memory_order_relaxed) == 0, "freeing a process with LWPs");
		free(atomic_load_explicit(&p->p_chunks[w],
		    memory_order_relaxed));
	}
	mutex_destroy(&p->p_waitlock);
	mutex_destroy(&p->p_kidlock);
}

/* ---- the system ------------------------------------------------------------ */

static struct reap_sys *
hy_sys_create(const struct reap_config *cfg)
{
	struct reap_sys *s = aligned_alloc(KERN_CACHELINE, sizeof(*s));

	KASSERT(s != NULL, "out of memory");
	memset(s, 0, sizeof(*s));
	s->s_mach = kern_machine_create(cfg);
	s->s_ncpus = kern_ncpus(s->s_mach);
	s->s_variant = cfg->variant;
	s->s_cpu = calloc((size_t)s->s_ncpus, sizeof(*s->s_cpu));
	KASSERT(s->s_cpu != NULL, "out of memory");
	for (int c = 0; c < s->s_ncpus; c++)
		s->s_cpu[c] = kern_percpu_alloc(s->s_mach, c,
		    sizeof(struct hy_cpu));
	for (int i = 0; i < HY_NEC; i++) {
		kern_ec_init(&s->s_lwpec[i].e_ec);
		kern_ec_init(&s->s_childec[i].e_ec);
	}
	hy_pid_init(s);
	hy_attach(s);
	/* init and its master are not counted (they live as long as s). */
	s->s_init = hy_proc_alloc(s, 1);
	s->s_initlwp = hy_lwp_setup(s->s_init, 0, hy_slot_alloc(s->s_init, 0),
	    false);
	hy_pid_publish(s, s->s_init);
	return s;
}

static void
hy_sys_destroy(struct reap_sys *s)
{
	struct reap_proc *init = s->s_init;

	hy_attach(s);
	KASSERT(atomic_load_explicit(&init->p_kids, memory_order_relaxed) ==
	    NULL, "sys_destroy with processes left");
	hy_reclaim_all(s);
	for (int c = 0; c < s->s_ncpus; c++)
		KASSERT(atomic_load_explicit(&s->s_cpu[c]->pc_dead,
		    memory_order_relaxed) == NULL,
		    "sys_destroy with an LWP still on its CPU");
	/* init's master was never exited: drop it from its table. */
	hy_slot_free(init, atomic_load_explicit(&s->s_initlwp->l_lid,
	    memory_order_relaxed));
	hy_proc_free(init);
	hy_pid_fini(s);
	hy_release_all(s);
	for (int c = 0; c < s->s_ncpus; c++)
		kern_percpu_free(s->s_mach, c, s->s_cpu[c],
		    sizeof(struct hy_cpu));
	free(s->s_cpu);
	kern_machine_destroy(s->s_mach);
	free(s);
}

static struct reap_lwp *
hy_sys_initlwp(struct reap_sys *s)
{
	return s->s_initlwp;
}

/* The hybrid has no threads of its own: batches run in the threads that
 * create and exit LWPs. */
static int
hy_sys_threads(struct reap_sys *s, pid_t *tids, int max)
{
	(void)s;
	(void)tids;
	(void)max;
	return 0;
}

/* A pure read: LWPs still on an idle CPU's dead list count as zombies. */
static void
hy_stats(struct reap_sys *s, struct reap_stats *st)
{
	memset(st, 0, sizeof(*st));
	kern_stats_fill(s->s_mach, st);
}

/* Reclaim lazily: an idle CPU's dead list waits for its next create or
 * exit; a quiesce point runs a batch on every CPU instead. */
static void
hy_quiesce(struct reap_sys *s)
{
	struct kern_machine *was = kern_curmachine();

	kern_attach(s->s_mach);
	hy_reclaim_all(s);
	kern_attach(was);
}

static const struct reap_mutant hy_mutants[] = {
	{ "hybrid-relaxed-offcpu", HY_MUT_RELAXED_OFFCPU,
	  "off-CPU store and reclaim check relaxed: the store may pass the "
	  "carrier's last write into its LWP, which is then freed early", NULL,
	  "synthetic: probes the hybrid's release/acquire off-CPU pair" },
	{ "hybrid-batch-no-xchg", HY_MUT_BATCH_NOXCHG,
	  "per-CPU batch taken by load + store instead of one exchange: "
	  "concurrent pushes are lost (leak) or a batch is freed twice", NULL,
	  "synthetic: probes the hybrid's one-exchange batch take" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct reap_ops reap_design_hybrid = {
	.name = "hybrid",
	.about = "lock-free: atomic live/zombie word, per-CPU batched reclaim "
	    "with off-CPU deferral, per-CPU caches, futex eventcounts",
	.mutants = hy_mutants,
	.sys_create = hy_sys_create,
	.sys_destroy = hy_sys_destroy,
	.sys_initlwp = hy_sys_initlwp,
	.sys_threads = hy_sys_threads,
	.proc_create = hy_proc_create,
	.proc_pid = hy_proc_pid,
	.lwp_create = hy_lwp_create,
	.lwp_id = hy_lwp_id,
	.lwp_proc = hy_lwp_proc,
	.lwp_enter = hy_lwp_enter,
	.lwp_killed = hy_lwp_killed,
	.lwp_exit = hy_lwp_exit,
	.lwp_wait = hy_lwp_wait,
	.proc_exit = hy_proc_exit,
	.proc_wait = hy_proc_wait,
	.proc_hold = hy_proc_hold,
	.proc_rele = hy_proc_rele,
	.lwp_hold = hy_lwp_hold,
	.lwp_rele = hy_lwp_rele,
	.stats = hy_stats,
	.quiesce = hy_quiesce,
};
