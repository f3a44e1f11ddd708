/*
 * fl_lwp.c - the floor: processes and their shards, LWP creation, the
 * detached LWP's exit (the churn path), observers' holds.
 *
 * The detached path, lwp_create -> lwp_exit on one CPU, takes the
 * process's shard lock for that CPU twice and the CPU's free-list lock
 * twice; it reads p_state and p_nbound, which nobody writes while the
 * process lives undisturbed.  When either says the process may be ending
 * (a kill, or no joinable LWP left to outlive this one) the exit takes
 * the slow path under p_lock, where "am I the last?" is decided.
 */
#include <stdlib.h>
#include <string.h>

#include "floor.h"

void
fl_shards_lock(struct reap_proc *p)
{
	for (int c = 0; c < p->p_sys->s_ncpus; c++)
		kspin_lock(&p->p_shard[c]->sh_lock);
}

void
fl_shards_unlock(struct reap_proc *p)
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

static void
fl_link(struct reap_lwp **head, struct reap_lwp *l)
{
	l->l_prev = NULL;
	l->l_next = *head;
	if (*head != NULL)
		(*head)->l_prev = l;
	*head = l;
}

static void
fl_unlink(struct reap_lwp **head, struct reap_lwp *l)
{
	if (l->l_prev != NULL)
		l->l_prev->l_next = l->l_next;
	else
		*head = l->l_next;
	if (l->l_next != NULL)
		l->l_next->l_prev = l->l_prev;
}

/* Memory taken for an LWP that was never created goes straight back. */
static void
fl_lwp_unuse(struct reap_sys *s, struct reap_lwp *l)
{
	struct fl_cpu *pc = s->s_cpu[mycpuid() % s->s_ncpus];

	kspin_lock(&pc->fc_lock);
	l->l_freenext = pc->fc_free;
	pc->fc_free = l;
	kspin_unlock(&pc->fc_lock);
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
	}
	mutex_init(&p->p_lock);
	cv_init(&p->p_cv, "lwpwait");
	cv_init(&p->p_waitcv, "wait");
	m = fl_lwp_alloc(s);
	m->l_proc = p;
	m->l_shard = cpu;
	m->l_lid = fl_lid_take(p, p->p_shard[cpu], cpu);
	fl_link(&p->p_lwps, m);
	atomic_store_explicit(&p->p_nbound, 1, memory_order_relaxed);
	mutex_enter(&s->s_treelock);
	p->p_pid = s->s_nextpid++;
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

void
fl_proc_free(struct reap_proc *p)
{
	struct reap_sys *s = p->p_sys;

	for (int c = 0; c < s->s_ncpus; c++)
		kern_percpu_free(s->s_mach, c, p->p_shard[c],
		    sizeof(struct fl_shard));
	free(p->p_shard);
	cv_destroy(&p->p_cv);
	cv_destroy(&p->p_waitcv);
	mutex_destroy(&p->p_lock);
	free(p);
}

/* Models lwp_create(): from the calling CPU's free list and shard. */
struct reap_lwp *
fl_lwp_create(struct reap_proc *p, unsigned flags, lwpid_t *lidp)
{
	struct reap_sys *s = p->p_sys;
	int cpu = mycpuid() % s->s_ncpus;
	struct fl_shard *sh = p->p_shard[cpu];
	struct reap_lwp *l;
	bool detached = (flags & REAP_DETACHED) != 0;

	fl_attach(s);
	l = fl_lwp_alloc(s);
	l->l_proc = p;
	l->l_detached = detached;
	l->l_shard = cpu;
	if (!detached)
		mutex_enter(&p->p_lock);
	kspin_lock(&sh->sh_lock);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) !=
	    FS_ACTIVE) {
		kspin_unlock(&sh->sh_lock);
		if (!detached)
			mutex_exit(&p->p_lock);
		fl_lwp_unuse(s, l);
		return NULL;
	}
	l->l_lid = fl_lid_take(p, sh, cpu);
	if (detached) {
		fl_link(&sh->sh_lwps, l);
		sh->sh_live++;
	}
	kspin_unlock(&sh->sh_lock);
	if (!detached) {
		fl_link(&p->p_lwps, l);
		atomic_store_explicit(&p->p_nbound, atomic_load_explicit(
		    &p->p_nbound, memory_order_relaxed) + 1,
		    memory_order_relaxed);
		mutex_exit(&p->p_lock);
	}
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

/* Models lwp_drainrefs(): no new holds (FL_DEAD, set by the caller under
 * the lock lookups take), then sleep until the holds are gone. */
void
fl_lwp_drain(struct reap_lwp *l)
{
	uint32_t v;

	while (FL_COUNT(v = atomic_load_explicit(&l->l_refs,
	    memory_order_acquire)) != 0) {
		if ((v & FL_WAITERS) == 0 &&
		    !atomic_compare_exchange_weak_explicit(&l->l_refs, &v,
		    v | FL_WAITERS, memory_order_acq_rel, memory_order_acquire))
			continue;
		kern_ec_wait_word(&l->l_refs, v | FL_WAITERS, "fldrain");
	}
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

/* A detached LWP leaves its shard: no longer live, nor found. */
void
fl_shard_remove(struct reap_proc *p, struct reap_lwp *l)
{
	struct fl_shard *sh = p->p_shard[l->l_shard];

	kspin_lock(&sh->sh_lock);
	fl_unlink(&sh->sh_lwps, l);
	sh->sh_live--;
	kspin_unlock(&sh->sh_lock);
}

/* The detached exit that may end the process: under p_lock, where the
 * killer and the last LWP's decision wait for it. */
static void
fl_detached_slow(struct reap_lwp *l)
{
	struct reap_proc *p = l->l_proc;

	mutex_enter(&p->p_lock);
	fl_shard_remove(p, l);
	if (atomic_load_explicit(&p->p_state, memory_order_relaxed) ==
	    FS_WEXIT)
		cv_broadcast(&p->p_cv);		/* the killer counts us */
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
	bool slow;

	if (!l->l_detached) {
		fl_joinable_exit(l);
		return;
	}
	kern_td_setsig(NULL);	/* its sigword is p's: p may go */
	kspin_lock(&sh->sh_lock);
	atomic_fetch_or_explicit(&l->l_refs, FL_DEAD, memory_order_relaxed);
	slow = atomic_load_explicit(&p->p_state, memory_order_relaxed) !=
	    FS_ACTIVE || atomic_load_explicit(&p->p_nbound,
	    memory_order_relaxed) == 0;
	if (!slow) {
		/* From here on p may go at any time: not touched again. */
		fl_unlink(&sh->sh_lwps, l);
		sh->sh_live--;
	}
	kspin_unlock(&sh->sh_lock);
	fl_lwp_drain(l);
	kern_work();		/* per-LWP teardown stand-in */
	kern_lwp_exit_stamp(s->s_mach, &l->l_stamp);
	if (slow)
		fl_detached_slow(l);
	fl_lwp_free(s, l);
}

/* Models proc_find_lwp() + lwp_addref(): a live LWP of p, held. */
struct reap_lwp *
fl_lwp_hold(struct reap_proc *p, lwpid_t lid)
{
	struct reap_sys *s = p->p_sys;
	struct fl_shard *sh;
	struct reap_lwp *l;

	if (lid <= 0)
		return NULL;
	sh = p->p_shard[(lid - 1) % s->s_ncpus];
	kspin_lock(&sh->sh_lock);
	for (l = sh->sh_lwps; l != NULL && l->l_lid != lid; l = l->l_next)
		;
	if (l != NULL && (atomic_load_explicit(&l->l_refs,
	    memory_order_relaxed) & FL_DEAD) == 0)
		atomic_fetch_add_explicit(&l->l_refs, 1, memory_order_acquire);
	else
		l = NULL;
	kspin_unlock(&sh->sh_lock);
	if (l != NULL)
		return l;
	mutex_enter(&p->p_lock);
	for (l = p->p_lwps; l != NULL && l->l_lid != lid; l = l->l_next)
		;
	if (l != NULL && !l->l_zomb && (atomic_load_explicit(&l->l_refs,
	    memory_order_relaxed) & FL_DEAD) == 0)
		atomic_fetch_add_explicit(&l->l_refs, 1, memory_order_acquire);
	else
		l = NULL;
	mutex_exit(&p->p_lock);
	return l;
}

/* Models lwp_delref(): the last release wakes a draining exit. */
void
fl_lwp_rele(struct reap_lwp *l)
{
	uint32_t v = atomic_fetch_sub_explicit(&l->l_refs, 1,
	    memory_order_release);

	KASSERT(FL_COUNT(v) != 0, "lwp_rele without a hold");
	if (FL_COUNT(v) == 1 && (v & FL_WAITERS) != 0)
		kern_futex_wake(&l->l_refs, 1);
}
