/*
 * fl_lwp.c - the floor: processes and their shards, LWP creation, the
 * detached LWP's exit (the churn path), observers' holds.
 *
 * The detached path, lwp_create -> lwp_exit on one CPU, takes the
 * process's shard lock for that CPU once at create (memory, id, place)
 * and once at exit (leave, free back to the shard); it reads p_state and
 * p_nbound, which nobody writes while the process lives undisturbed.
 * When either says the process may be ending (a kill, or no joinable LWP
 * left to outlive this one) the exit takes the slow path under p_lock,
 * where "am I the last?" is decided.
 *
 * Holds (l_refs) change under the LWP's shard lock, so the exit's check
 * for holds is part of its one critical section; an exit that finds
 * holds sleeps on l_refs until the last lwp_rele.
 */
#include <stdlib.h>
#include <string.h>

#include "floor.h"

void
fl_shards_lock(struct reap_proc *p) KERN_NO_TSA
{
	for (int c = 0; c < p->p_sys->s_ncpus; c++)
		kspin_lock(&p->p_shard[c]->sh_lock);
}

void
fl_shards_unlock(struct reap_proc *p) KERN_NO_TSA
{
	for (int c = p->p_sys->s_ncpus - 1; c >= 0; c--)
		kspin_unlock(&p->p_shard[c]->sh_lock);
}

/* Live detached LWPs of p (each shard read under its lock). */
int
fl_shards_live(struct reap_proc *p)
{
	int n = 0;

	for (int c = 0; c < p->p_sys->s_ncpus; c++) {
		struct fl_shard *sh = p->p_shard[c];

		kspin_lock(&sh->sh_lock);
		n += sh->sh_live;
		kspin_unlock(&sh->sh_lock);
	}
	return n;
}

/* An id unique in p: the shard's count, interleaved over the shards. */
static lwpid_t
fl_lid_take(struct reap_proc *p, struct fl_shard *sh, int shard)
{
	uint32_t n = sh->sh_nextlid++;

	KASSERT(n < (uint32_t)INT32_MAX / (uint32_t)p->p_sys->s_ncpus - 1,
	    "LWP ids of a shard exhausted");
	return (lwpid_t)(n * (uint32_t)p->p_sys->s_ncpus + (uint32_t)shard +
	    1);
}

/* LWP memory: the shard's own free list first (shard lock held). */
static struct reap_lwp *
fl_shard_alloc(struct reap_sys *s, struct fl_shard *sh)
{
	struct reap_lwp *l = sh->sh_free;

	if (l == NULL)
		return fl_lwp_alloc(s);
	sh->sh_free = l->l_freenext;
	kern_count(KC_LWP_RECYCLE);
	return l;
}

/* Models fork1()'s proc part: a process with one joinable master LWP,
 * child of parent (NULL: of init; init itself when there is none yet). */
struct reap_proc *
fl_proc_create(struct reap_sys *s, struct reap_proc *parent,
    struct reap_lwp **master)
{
	struct reap_proc *p = aligned_alloc(KERN_CACHELINE, sizeof(*p));
	int cpu = mycpuid() % s->s_ncpus;
	struct reap_lwp *m;

	KASSERT(p != NULL, "out of memory");
	fl_attach(s);
	memset(p, 0, sizeof(*p));
	p->p_sys = s;
	p->p_shard = calloc((size_t)s->s_ncpus, sizeof(*p->p_shard));
	KASSERT(p->p_shard != NULL, "out of memory");
	for (int c = 0; c < s->s_ncpus; c++) {
		p->p_shard[c] = kern_percpu_alloc(s->s_mach, c,
		    sizeof(struct fl_shard));
		kspin_init(&p->p_shard[c]->sh_lock);
		LIST_INIT(&p->p_shard[c]->sh_lwps);
	}
	mutex_init(&p->p_lock);
	cv_init(&p->p_cv, "lwpwait");
	cv_init(&p->p_waitcv, "wait");
	LIST_INIT(&p->p_lwps);
	m = fl_lwp_alloc(s);
	fl_lwp_init(m, p, cpu, false);
	m->l_lid = fl_lid_take(p, p->p_shard[cpu], cpu);
	LIST_INSERT_HEAD(&p->p_shard[cpu]->sh_lwps, m, l_shent);
	LIST_INSERT_HEAD(&p->p_lwps, m, l_jent);
	atomic_store_explicit(&p->p_nbound, 1, memory_order_relaxed);
	mutex_enter(&s->s_treelock);
	p->p_pid = s->s_nextpid++;
	fl_pid_enter(s, p);
	if (parent == NULL)
		parent = s->s_init;
	p->p_pptr = parent;
	if (parent != NULL) {
		p->p_sibling = parent->p_kids;
		parent->p_kids = p;
	}
	mutex_exit(&s->s_treelock);
	if (parent != NULL) {		/* init is not counted */
		kern_count(KC_PROC_CREATE);
		kern_count(KC_LWP_CREATE);
	}
	*master = m;
	return p;
}

/* The shards' free LWP memory goes back to each CPU's list. */
void
fl_proc_free(struct reap_proc *p)
{
	struct reap_sys *s = p->p_sys;

	for (int c = 0; c < s->s_ncpus; c++) {
		struct fl_shard *sh = p->p_shard[c];
		struct fl_cpu *pc = s->s_cpu[c];
		struct reap_lwp *l, *next;

		kspin_lock(&pc->fc_lock);
		for (l = sh->sh_free; l != NULL; l = next) {
			next = l->l_freenext;
			l->l_freenext = pc->fc_free;
			pc->fc_free = l;
		}
		kspin_unlock(&pc->fc_lock);
		kern_percpu_free(s->s_mach, c, sh, sizeof(*sh));
	}
	free(p->p_shard);
	cv_destroy(&p->p_cv);
	cv_destroy(&p->p_waitcv);
	mutex_destroy(&p->p_lock);
	free(p);
}

static struct reap_lwp *
fl_detached_create(struct reap_proc *p, int cpu)
{
	struct fl_shard *sh = p->p_shard[cpu];
	struct reap_lwp *l = NULL;

	kspin_lock(&sh->sh_lock);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_ACTIVE) {
		l = fl_shard_alloc(p->p_sys, sh);
		fl_lwp_init(l, p, cpu, true);
		l->l_lid = fl_lid_take(p, sh, cpu);
		LIST_INSERT_HEAD(&sh->sh_lwps, l, l_shent);
		sh->sh_live++;
	}
	kspin_unlock(&sh->sh_lock);
	return l;
}

static struct reap_lwp *
fl_joinable_create(struct reap_proc *p, int cpu)
{
	struct fl_shard *sh = p->p_shard[cpu];
	struct reap_lwp *l = NULL;

	mutex_enter(&p->p_lock);
	kspin_lock(&sh->sh_lock);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_ACTIVE) {
		l = fl_shard_alloc(p->p_sys, sh);
		fl_lwp_init(l, p, cpu, false);
		l->l_lid = fl_lid_take(p, sh, cpu);
		LIST_INSERT_HEAD(&sh->sh_lwps, l, l_shent);
	}
	kspin_unlock(&sh->sh_lock);
	if (l != NULL) {
		LIST_INSERT_HEAD(&p->p_lwps, l, l_jent);
		atomic_store_explicit(&p->p_nbound, atomic_load_explicit(
		    &p->p_nbound, memory_order_relaxed) + 1,
		    memory_order_relaxed);
	}
	mutex_exit(&p->p_lock);
	return l;
}

/* Models lwp_create(): from the calling CPU's shard. */
struct reap_lwp *
fl_lwp_create(struct reap_proc *p, unsigned flags, lwpid_t *lidp)
{
	int cpu = mycpuid() % p->p_sys->s_ncpus;
	struct reap_lwp *l;

	fl_attach(p->p_sys);
	l = (flags & REAP_DETACHED) != 0 ? fl_detached_create(p, cpu) :
	    fl_joinable_create(p, cpu);
	if (l == NULL)
		return NULL;
	kern_count(KC_LWP_CREATE);
	if (lidp != NULL)
		*lidp = l->l_lid;
	return l;
}

void
fl_lwp_enter(struct reap_lwp *l)
{
	fl_attach(l->l_proc->p_sys);
	kern_td_setsig(&l->l_proc->p_killed);
}

bool
fl_lwp_killed(struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_proc->p_killed,
	    memory_order_acquire) != 0;
}

/*
 * Models lwp_drainrefs(): with the shard lock held, no new holds
 * (FL_DEAD) and out of the shard's list, then sleep until the holds are
 * gone.  Returns with the lock held.
 */
static void
fl_lwp_unhold(struct fl_shard *sh, struct reap_lwp *l) KERN_NO_TSA
{
	uint32_t v = atomic_load_explicit(&l->l_refs, memory_order_relaxed);

	atomic_store_explicit(&l->l_refs, v | FL_DEAD, memory_order_relaxed);
	LIST_REMOVE(l, l_shent);
	while (FL_COUNT(v = atomic_load_explicit(&l->l_refs,
	    memory_order_relaxed)) != 0) {
		atomic_store_explicit(&l->l_refs, v | FL_WAITERS,
		    memory_order_relaxed);
		kspin_unlock(&sh->sh_lock);
		kern_ec_wait_word(&l->l_refs, v | FL_WAITERS, "fldrain");
		kspin_lock(&sh->sh_lock);
	}
}

/* An exiting LWP is no longer found, and has no hold left. */
void
fl_lwp_unfind(struct reap_proc *p, struct reap_lwp *l)
{
	struct fl_shard *sh = p->p_shard[l->l_shard];

	kspin_lock(&sh->sh_lock);
	fl_lwp_unhold(sh, l);
	kspin_unlock(&sh->sh_lock);
}

/* A detached LWP no longer counts among the live. */
void
fl_shard_leave(struct reap_proc *p, struct reap_lwp *l)
{
	struct fl_shard *sh = p->p_shard[l->l_shard];

	kspin_lock(&sh->sh_lock);
	sh->sh_live--;
	kspin_unlock(&sh->sh_lock);
}

/* The carrier's last touch: after it a reaper may free the LWP. */
void
fl_lwp_offcpu(struct reap_lwp *l)
{
	kern_td_setsig(NULL);
	atomic_store_explicit(&l->l_oncpu, 0, memory_order_release);
}

/* A reaper waits for that touch (the carrier is about to leave: spin). */
void
fl_lwp_offcpu_wait(struct reap_lwp *l)
{
	unsigned bo = 0;

	while (atomic_load_explicit(&l->l_oncpu, memory_order_acquire) != 0)
		kern_backoff(&bo);
}

/* The detached exit that may end the process: under p_lock, where the
 * killer and the last LWP's decision wait for it. */
static void
fl_detached_slow(struct reap_lwp *l)
{
	struct reap_proc *p = l->l_proc;

	mutex_enter(&p->p_lock);
	fl_shard_leave(p, l);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_WEXIT || p->p_nwait + p->p_ndwait > 0)
		cv_broadcast(&p->p_cv);	/* the killer counts us; waiters
					   may now be in EDEADLK */
	else if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_ACTIVE && atomic_load_explicit(&p->p_nbound,
	    memory_order_relaxed) == 0 && fl_shards_live(p) == 0) {
		fl_proc_last(p, 0);		/* releases p_lock */
		return;
	}
	mutex_exit(&p->p_lock);
}

/* Models lwp_exit(): a detached LWP frees itself as its last act. */
void
fl_lwp_exit(struct reap_lwp *l)
{
	struct reap_proc *p = l->l_proc;
	struct reap_sys *s = p->p_sys;
	struct fl_shard *sh = p->p_shard[l->l_shard];

	if (!l->l_detached) {
		fl_joinable_exit(l);
		return;
	}
	kern_td_setsig(NULL);	/* its sigword is p's: p may go */
	kern_work(KW_LWP_CRFREE);	/* crfree / kauth_cred_free */
	kern_lwp_exit_stamp(s->s_mach, &l->l_stamp);
	kspin_lock(&sh->sh_lock);
	fl_lwp_unhold(sh, l);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_ACTIVE && atomic_load_explicit(&p->p_nbound,
	    memory_order_relaxed) > 0 && atomic_load_explicit(
	    &p->p_lwpwaiters, memory_order_relaxed) == 0) {
		/* A joinable LWP outlives us: leave and free in one go;
		 * from the unlock on p may go, and is not touched again. */
		sh->sh_live--;
		kern_lwp_free_stamp(s->s_mach, &l->l_stamp);
		l->l_freenext = sh->sh_free;
		sh->sh_free = l;
		kspin_unlock(&sh->sh_lock);
		kern_work(KW_LWP_STACK);	/* as fl_lwp_free */
		kern_lwps_freed(s->s_mach, 1);
		return;
	}
	kspin_unlock(&sh->sh_lock);
	fl_detached_slow(l);
	fl_lwp_free(s, l);
}

/* Models proc_find_lwp() + lwp_addref(): a live LWP of p, held. */
struct reap_lwp *
fl_lwp_hold(struct reap_proc *p, lwpid_t lid)
{
	struct fl_shard *sh;
	struct reap_lwp *l;

	if (lid <= 0)
		return NULL;
	sh = p->p_shard[(lid - 1) % p->p_sys->s_ncpus];
	kspin_lock(&sh->sh_lock);
	LIST_FOREACH(l, &sh->sh_lwps, l_shent)
		if (l->l_lid == lid)
			break;
	if (l != NULL)		/* on the list: not exiting yet */
		atomic_store_explicit(&l->l_refs, atomic_load_explicit(
		    &l->l_refs, memory_order_relaxed) + 1,
		    memory_order_relaxed);
	kspin_unlock(&sh->sh_lock);
	return l;
}

/* Models lwp_delref(): the last release wakes a draining exit. */
void
fl_lwp_rele(struct reap_lwp *l)
{
	struct fl_shard *sh = l->l_proc->p_shard[l->l_shard];
	uint32_t v;
	bool wake;

	kspin_lock(&sh->sh_lock);
	v = atomic_load_explicit(&l->l_refs, memory_order_relaxed);
	KASSERT(FL_COUNT(v) != 0, "lwp_rele without a hold");
	wake = FL_COUNT(v) == 1 && (v & FL_WAITERS) != 0;
	atomic_store_explicit(&l->l_refs, (v - 1) & ~(wake ? FL_WAITERS : 0),
	    memory_order_relaxed);
	kspin_unlock(&sh->sh_lock);
	if (wake)	/* only an address: l may be freed and reused now */
		kern_futex_wake(&l->l_refs, 1);
}
