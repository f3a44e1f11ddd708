/*
 * nb_pid.c - the global pid table that also numbers LWPs (kern_proc.c's
 * pid_table, which kern_lwp.c 1.252 calls through proc_alloc_lwpid,
 * proc_free_lwpid and proc_find_lwp).
 *
 * A slot holds a tagged pointer (a process or an LWP) and the pid it
 * stands for; index = pid & mask.  A freed slot's next pid is the old one
 * plus the table size, so IDs are not reused at once, and free slots are
 * handed out FIFO.  The first LWP of a process "usurps" its process's slot
 * (lid == pid); when that LWP is freed the slot points at the process
 * again.  Every change happens under the global proc_lock (g).
 *
 * Lookups of an LWP by ID (proc_find_lwp) take no global lock: they hold
 * only the process's p_lock and read the slot with acquire loads, so they
 * may see an LWP that is being freed or already recycled.  That is safe
 * because LWP memory is type-stable (nb_cache.c) and the fields a lookup
 * reads (l_proc, l_lid, l_stat) are atomics kept valid across reuse, as in
 * the seed.  When the table grows, the old one is retired, not freed,
 * until the system is destroyed: the stand-in for the seed's pserialize
 * barrier before freeing an old table.
 */
#include <stdlib.h>
#include <string.h>

#include "netbsd.h"

#define PT_F_FREE	0u
#define PT_F_PROC	1u
#define PT_F_LWP	2u
#define PT_F_MASK	3u

#define NB_PID_INITIAL	32		/* INITIAL_PID_TABLE_SIZE */
#define NB_PID_MAX	(1 << 30)	/* wrap before pid_t overflows */

struct nb_pidslot {
	_Atomic uintptr_t pt_slot;	/* g: tagged pointer, 0 if free */
	_Atomic pid_t	pt_pid;		/* g: its pid, or the next to issue */
	uint32_t	pt_next;	/* g: free list link */
};

/* One generation of the table, published whole so mask and slots agree. */
struct nb_pidgen {
	uint32_t	pg_mask;	/* (: size - 1 */
	struct nb_pidgen *pg_retired;	/* g: older generation */
	struct nb_pidslot pg_slots[];
};

struct nb_pidtab {
	struct nb_pidgen *_Atomic pt_cur; /* g: written; lookups: acquire */
	uint32_t	pt_nused;	/* g: slots in use */
	uint32_t	pt_free_head;	/* g: FIFO of free slots */
	uint32_t	pt_free_tail;	/* g */
};

#define PT_NIL	UINT32_MAX

static struct nb_pidgen *
nb_pidgen_alloc(uint32_t size)
{
	struct nb_pidgen *pg;

	pg = calloc(1, sizeof(*pg) + size * sizeof(struct nb_pidslot));
	KASSERT(pg != NULL, "pid table allocation");
	pg->pg_mask = size - 1;
	return pg;
}

static void
nb_pid_freelist_append(struct nb_pidtab *pt, struct nb_pidgen *pg,
    uint32_t idx)
{
	pg->pg_slots[idx].pt_next = PT_NIL;
	if (pt->pt_free_tail == PT_NIL)
		pt->pt_free_head = idx;
	else
		pg->pg_slots[pt->pt_free_tail].pt_next = idx;
	pt->pt_free_tail = idx;
}

/* Models pid_table setup in procinit(). */
struct nb_pidtab *
nb_pid_create(void)
{
	struct nb_pidtab *pt;
	struct nb_pidgen *pg;
	uint32_t i;

	pt = calloc(1, sizeof(*pt));
	KASSERT(pt != NULL, "pid table allocation");
	pg = nb_pidgen_alloc(NB_PID_INITIAL);
	pt->pt_free_head = pt->pt_free_tail = PT_NIL;
	/* Slot 0 is proc0's and never handed out. */
	for (i = 1; i < NB_PID_INITIAL; i++) {
		atomic_store_explicit(&pg->pg_slots[i].pt_pid, (pid_t)i,
		    memory_order_relaxed);
		nb_pid_freelist_append(pt, pg, i);
	}
	atomic_store_explicit(&pt->pt_cur, pg, memory_order_release);
	return pt;
}

void
nb_pid_destroy(struct nb_pidtab *pt)
{
	struct nb_pidgen *pg, *next;

	for (pg = atomic_load_explicit(&pt->pt_cur, memory_order_relaxed);
	    pg != NULL; pg = next) {
		next = pg->pg_retired;
		free(pg);
	}
	free(pt);
}

/*
 * Models pid_table_expand(): double the table, rehash by pid, give each
 * new free slot a pid that maps to it, publish, retire the old table.
 */
static void
nb_pid_expand(struct nb_pidtab *pt)
{
	struct nb_pidgen *old, *pg;
	uint32_t osize, nsize, i, j, k;
	uintptr_t slot;
	pid_t pid;

	old = atomic_load_explicit(&pt->pt_cur, memory_order_relaxed);
	osize = old->pg_mask + 1;
	nsize = osize * 2;
	pg = nb_pidgen_alloc(nsize);
	pt->pt_free_head = pt->pt_free_tail = PT_NIL;
	for (i = 0; i < osize; i++) {
		slot = atomic_load_explicit(&old->pg_slots[i].pt_slot,
		    memory_order_relaxed);
		pid = atomic_load_explicit(&old->pg_slots[i].pt_pid,
		    memory_order_relaxed);
		j = (uint32_t)pid & (nsize - 1);	/* i or i + osize */
		k = (j == i) ? i + osize : i;
		atomic_store_explicit(&pg->pg_slots[j].pt_slot, slot,
		    memory_order_relaxed);
		atomic_store_explicit(&pg->pg_slots[j].pt_pid, pid,
		    memory_order_relaxed);
		atomic_store_explicit(&pg->pg_slots[k].pt_pid,
		    pid + (pid_t)osize, memory_order_relaxed);
	}
	for (i = 1; i < nsize; i++)
		if (atomic_load_explicit(&pg->pg_slots[i].pt_slot,
		    memory_order_relaxed) == 0)
			nb_pid_freelist_append(pt, pg, i);
	pg->pg_retired = old;
	atomic_store_explicit(&pt->pt_cur, pg, memory_order_release);
}

/* Models proc_alloc_pid_slot(): take the oldest free slot.  g held. */
static pid_t
nb_pid_alloc_slot(struct nb_sys *ns, uintptr_t slot)
{
	struct nb_pidtab *pt = ns->ns_pid;
	struct nb_pidgen *pg;
	struct nb_pidslot *s;
	uint32_t idx;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	pg = atomic_load_explicit(&pt->pt_cur, memory_order_relaxed);
	if (pt->pt_free_head == PT_NIL || pt->pt_nused >= (pg->pg_mask + 1) / 2) {
		nb_pid_expand(pt);
		pg = atomic_load_explicit(&pt->pt_cur, memory_order_relaxed);
	}
	idx = pt->pt_free_head;
	KASSERT(idx != PT_NIL, "pid table full");
	s = &pg->pg_slots[idx];
	pt->pt_free_head = s->pt_next;
	if (pt->pt_free_head == PT_NIL)
		pt->pt_free_tail = PT_NIL;
	pt->pt_nused++;
	/* Release: the object's fields are set before lookups can see it. */
	atomic_store_explicit(&s->pt_slot, slot, memory_order_release);
	return atomic_load_explicit(&s->pt_pid, memory_order_relaxed);
}

/* Models proc_free_pid_internal(): free a slot, bump its next pid. */
static void
nb_pid_free_slot(struct nb_sys *ns, pid_t pid)
{
	struct nb_pidtab *pt = ns->ns_pid;
	struct nb_pidgen *pg;
	struct nb_pidslot *s;
	uint32_t idx;
	pid_t next;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	pg = atomic_load_explicit(&pt->pt_cur, memory_order_relaxed);
	idx = (uint32_t)pid & pg->pg_mask;
	s = &pg->pg_slots[idx];
	KASSERT(atomic_load_explicit(&s->pt_pid, memory_order_relaxed) == pid,
	    "freeing a pid the table does not hold");
	next = pid + (pid_t)(pg->pg_mask + 1);
	if (next > NB_PID_MAX)
		next = (pid_t)(idx + pg->pg_mask + 1);
	atomic_store_explicit(&s->pt_slot, 0, memory_order_relaxed);
	atomic_store_explicit(&s->pt_pid, next, memory_order_relaxed);
	pt->pt_nused--;
	nb_pid_freelist_append(pt, pg, idx);
}

static struct nb_pidslot *
nb_pid_slot(struct nb_sys *ns, pid_t pid)
{
	struct nb_pidgen *pg;

	pg = atomic_load_explicit(&ns->ns_pid->pt_cur, memory_order_acquire);
	return &pg->pg_slots[(uint32_t)pid & pg->pg_mask];
}

/* Models proc_alloc_pid(): a pid for a new process.  g held. */
pid_t
nb_pid_alloc_proc(struct nb_sys *ns, struct reap_proc *p)
{
	KASSERT(((uintptr_t)p & PT_F_MASK) == 0, "misaligned proc");
	return nb_pid_alloc_slot(ns, (uintptr_t)p | PT_F_PROC);
}

/* Models proc_free_pid(): in proc_free, after the last LWP's ID went. */
void
nb_pid_free_proc(struct nb_sys *ns, pid_t pid)
{
	uintptr_t slot;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	slot = atomic_load_explicit(&nb_pid_slot(ns, pid)->pt_slot,
	    memory_order_relaxed);
	KASSERT((slot & PT_F_MASK) == PT_F_PROC, "pid slot is not a proc");
	nb_pid_free_slot(ns, pid);
}

/*
 * Models proc_alloc_lwpid(): takes proc_lock.  The first LWP (and any
 * LWP created while the process's slot points at the process) usurps the
 * process's slot; the others get a slot of their own.  Returns the LID.
 */
int
nb_proc_alloc_lwpid(struct nb_sys *ns, struct reap_proc *p,
    struct reap_lwp *l)
{
	struct nb_pidslot *s;
	uintptr_t slot;
	pid_t lid;

	KASSERT(((uintptr_t)l & PT_F_MASK) == 0, "misaligned lwp");
	mutex_enter(&ns->ns_proc_lock);
	s = nb_pid_slot(ns, p->p_pid);
	slot = atomic_load_explicit(&s->pt_slot, memory_order_relaxed);
	if ((slot & PT_F_MASK) == PT_F_PROC) {
		KASSERT((struct reap_proc *)(slot & ~(uintptr_t)PT_F_MASK) == p,
		    "pid slot of another process");
		lid = p->p_pid;
		atomic_store_explicit(&l->l_lid, lid, memory_order_relaxed);
		atomic_store_explicit(&s->pt_slot, (uintptr_t)l | PT_F_LWP,
		    memory_order_release);
	} else {
		/* l_lid must be right before the slot is published. */
		lid = nb_pid_alloc_slot(ns, 0);
		atomic_store_explicit(&l->l_lid, lid, memory_order_relaxed);
		atomic_store_explicit(&nb_pid_slot(ns, lid)->pt_slot,
		    (uintptr_t)l | PT_F_LWP, memory_order_release);
	}
	mutex_exit(&ns->ns_proc_lock);
	return lid;
}

/* Models proc_free_lwpid(): proc_lock held. */
void
nb_proc_free_lwpid(struct nb_sys *ns, struct reap_proc *p, lwpid_t lid)
{
	struct nb_pidslot *s;
	uintptr_t slot;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	s = nb_pid_slot(ns, lid);
	slot = atomic_load_explicit(&s->pt_slot, memory_order_relaxed);
	KASSERT((slot & PT_F_MASK) == PT_F_LWP, "lid slot is not an lwp");
	if (lid == p->p_pid) {
		/* The usurped slot goes back to the process. */
		atomic_store_explicit(&s->pt_slot, (uintptr_t)p | PT_F_PROC,
		    memory_order_release);
	} else
		nb_pid_free_slot(ns, lid);
}

/* Whether l is (still) LWP `lid` of p, by its stable head. */
static bool
nb_lwp_is(struct reap_lwp *l, struct reap_proc *p, lwpid_t lid)
{
	return atomic_load_explicit(&l->l_proc, memory_order_acquire) == p &&
	    atomic_load_explicit(&l->l_lid, memory_order_relaxed) == lid;
}

/*
 * Models proc_find_lwp(): the LWP `lid` of p, or NULL.  p_lock held, no
 * global lock.  The LWP found may be a zombie (callers filter); an idle
 * one (LSIDL: freed, or not started) is not returned.
 */
struct reap_lwp *
nb_proc_find_lwp(struct reap_proc *p, lwpid_t lid)
{
	struct nb_pidslot *s;
	struct reap_lwp *l;
	uintptr_t slot;

	KASSERT_MUTEX_OWNED(&p->p_lock);
	if (lid <= 0)
		return NULL;
	s = nb_pid_slot(p->p_sys, lid);
	slot = atomic_load_explicit(&s->pt_slot, memory_order_acquire);
	if ((slot & PT_F_MASK) != PT_F_LWP ||
	    atomic_load_explicit(&s->pt_pid, memory_order_relaxed) != lid)
		return NULL;
	l = (struct reap_lwp *)(slot & ~(uintptr_t)PT_F_MASK);
	/* Type-stable memory: these reads are safe even if l was freed. */
	if (!nb_lwp_is(l, p, lid))
		return NULL;
	KERN_INJECT("netbsd.findlwp.checked");
	/*
	 * The slot may be stale: lwp_free clears it only after dropping
	 * p_lock, and lwp_cache hands the memory out again at once (the
	 * seed's PR_PSERIALIZE cache waits a grace period first).  By now l
	 * may be started in another process.  Every l_stat store is a
	 * release made after l_proc/l_lid were set, so once its state is
	 * read (acquire) a second look shows the new owner.  (Torture:
	 * TSan, netbsd, a lookup read l_prflag that a creator was writing.)
	 */
	if (nb_lwp_stat(l) == LSIDL || !nb_lwp_is(l, p, lid))
		return NULL;
	return l;
}

/* Models proc_find_raw(): the process with pid `pid`, or NULL.  g held. */
struct reap_proc *
nb_proc_find_raw(struct nb_sys *ns, pid_t pid)
{
	struct nb_pidslot *s;
	uintptr_t slot;
	struct reap_proc *p;

	KASSERT_MUTEX_OWNED(&ns->ns_proc_lock);
	if (pid <= 0)
		return NULL;
	s = nb_pid_slot(ns, pid);
	slot = atomic_load_explicit(&s->pt_slot, memory_order_relaxed);
	if (atomic_load_explicit(&s->pt_pid, memory_order_relaxed) != pid)
		return NULL;
	switch (slot & PT_F_MASK) {
	case PT_F_PROC:
		p = (struct reap_proc *)(slot & ~(uintptr_t)PT_F_MASK);
		break;
	case PT_F_LWP:
		p = atomic_load_explicit(
		    &((struct reap_lwp *)(slot & ~(uintptr_t)PT_F_MASK))->l_proc,
		    memory_order_relaxed);
		break;
	default:
		return NULL;
	}
	return (p != NULL && p->p_pid == pid) ? p : NULL;
}
