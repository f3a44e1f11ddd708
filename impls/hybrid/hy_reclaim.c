/*
 * hy_reclaim.c - per-CPU dead lists, batched reclaim, per-CPU free caches.
 *
 * A dead LWP is pushed on its CPU's dead list (pc_dead) before its carrier
 * leaves it [E7].  A reclaimer takes the whole list with one atomic
 * exchange [R1] (Linux llist_del_all), checks each LWP's off-CPU word with
 * an acquire load [R2], defers the ones still on their CPU by pushing them
 * back for the next batch [R3] and frees the others [R4] into the
 * reclaimer's per-CPU free cache, from which lwp_create recycles them.
 * A cache past HY_CACHE_MAX spills to one shared list (Go's gFree), taken
 * whole by a CPU whose cache and dead list are empty.
 *
 * Every list here is only ever pushed (CAS) or taken whole (exchange):
 * never popped one by one, so the ABA problem of a Treiber pop cannot
 * arise (a push that finds the head it read links correctly whatever
 * happened in between).  A cache "pop" takes the whole list and puts the
 * rest back.
 *
 * Who runs a batch: lwp_create when its CPU's cache is empty (the common
 * case: it recycles the LWP its CPU freed last), an exiting LWP when its
 * CPU's list holds HY_BATCH LWPs, and the quiesce points quiesce() and
 * sys_destroy().  No thread is woken for it, nothing polls, nothing spins:
 * an LWP found on its CPU simply waits for the next batch.
 *
 * LWP memory is type-stable (freed to the system only at sys_destroy):
 * lookups may read a stale LWP's header.  Under ASan the body of a free
 * LWP is poisoned, so a carrier that still writes into its LWP after a
 * premature reclaim is reported (use-after-poison).
 */
#include <stdlib.h>
#include <string.h>

#include "hybrid.h"

#if defined(__SANITIZE_ADDRESS__)
#define HY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HY_ASAN 1
#endif
#endif
#ifdef HY_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define HY_BODY_OFF	offsetof(struct reap_lwp, l_td)

void
hy_lwp_poison(struct reap_lwp *l)
{
#ifdef HY_ASAN
	ASAN_POISON_MEMORY_REGION((char *)l + HY_BODY_OFF,
	    sizeof(*l) - HY_BODY_OFF);
#else
	(void)l;
#endif
}

void
hy_lwp_unpoison(struct reap_lwp *l)
{
#ifdef HY_ASAN
	ASAN_UNPOISON_MEMORY_REGION((char *)l + HY_BODY_OFF,
	    sizeof(*l) - HY_BODY_OFF);
#else
	(void)l;
#endif
}

/* Push the chain first..last (llist_add_batch); true if it was empty. */
static bool
hy_list_push(struct reap_lwp *_Atomic *head, struct reap_lwp *first,
    struct reap_lwp *last)
{
	struct reap_lwp *old = atomic_load_explicit(head, memory_order_relaxed);

	do {
		last->l_next = old;
	} while (!atomic_compare_exchange_weak_explicit(head, &old, first,
	    memory_order_release, memory_order_relaxed));
	return old == NULL;
}

/* Take a whole list [R1]: one exchange (llist_del_all). */
static struct reap_lwp *
hy_list_take(struct reap_sys *s, struct reap_lwp *_Atomic *head)
{
	struct reap_lwp *l;

	if (hy_mutant(s, HY_MUT_BATCH_NOXCHG)) {
		/* Mutant: read, then clear; a push or a take in between is
		 * lost (leak) or taken twice (double free). */
		l = atomic_load_explicit(head, memory_order_acquire);
		KERN_INJECT("hybrid.reclaim.noxchg");
		atomic_store_explicit(head, NULL, memory_order_relaxed);
		return l;
	}
	return atomic_exchange_explicit(head, NULL, memory_order_acquire);
}

/* [R2] Is the LWP's carrier still inside its switch-out window?  The
 * acquire pairs with the carrier's release store [E9], so everything the
 * carrier wrote into the LWP happens before the reclaim. */
static bool
hy_lwp_oncpu(struct reap_sys *s, struct reap_lwp *l)
{
	if (hy_mutant(s, HY_MUT_RELAXED_OFFCPU))
		return atomic_load_explicit(&l->l_oncpu,
		    memory_order_relaxed) != 0;
	return atomic_load_explicit(&l->l_oncpu, memory_order_acquire) != 0;
}

/* [R4] Free an LWP that is dead and off its CPU: fold what its carrier
 * wrote at switch-out, start a new life (stale claims fail), poison. */
static void
hy_lwp_scrub(struct hy_cpu *pc, struct reap_lwp *l)
{
	uint64_t st = atomic_load_explicit(&l->l_state, memory_order_relaxed);

	KASSERT(LS_STAT(st) == LS_DEAD,
	    "reclaiming an LWP that is not dead (freed twice?)");
	KASSERT((atomic_load_explicit(&l->l_refs, memory_order_relaxed) &
	    ~LR_WAITERS) == LR_DEAD, "reclaiming a held LWP");
	atomic_fetch_add_explicit(&pc->pc_nvcsw, l->l_nvcsw,
	    memory_order_relaxed);
	kern_work(KW_LWP_STACK);	/* lwkt_free_thread / uvm_lwp_exit */
	atomic_store_explicit(&l->l_state, LS_MAKE(LS_LIFE(st) + 1, LS_FREE),
	    memory_order_release);
	hy_lwp_poison(l);
}

/* Put a chain of free LWPs into the caller's CPU cache, or spill it. */
static void
hy_cache_put(struct reap_sys *s, struct reap_lwp *first, struct reap_lwp *last,
    unsigned n)
{
	struct hy_cpu *pc = s->s_cpu[hy_cpu_index(s)];
	uint32_t had = atomic_fetch_add_explicit(&pc->pc_nfree, n,
	    memory_order_relaxed);

	if ((int32_t)had + (int32_t)n > HY_CACHE_MAX) {
		atomic_fetch_sub_explicit(&pc->pc_nfree, n,
		    memory_order_relaxed);
		hy_list_push(&s->s_spill, first, last);
		return;
	}
	hy_list_push(&pc->pc_free, first, last);
}

/* Take one LWP from the caller's CPU cache: take all, put the rest back. */
static struct reap_lwp *
hy_cache_get(struct hy_cpu *pc)
{
	struct reap_lwp *l, *rest, *tail, *exp = NULL;

	if (atomic_load_explicit(&pc->pc_free, memory_order_relaxed) == NULL)
		return NULL;
	l = atomic_exchange_explicit(&pc->pc_free, NULL, memory_order_acquire);
	if (l == NULL)
		return NULL;
	rest = l->l_next;
	if (rest != NULL && !atomic_compare_exchange_strong_explicit(
	    &pc->pc_free, &exp, rest, memory_order_release,
	    memory_order_relaxed)) {
		/* Somebody freed into the cache meanwhile: append. */
		for (tail = rest; tail->l_next != NULL; tail = tail->l_next)
			;
		hy_list_push(&pc->pc_free, rest, tail);
	}
	atomic_fetch_sub_explicit(&pc->pc_nfree, 1, memory_order_relaxed);
	return l;
}

/* Refill from the shared spill list (taken whole). */
static struct reap_lwp *
hy_spill_get(struct reap_sys *s, struct hy_cpu *pc)
{
	struct reap_lwp *l, *rest, *tail;
	unsigned n = 1;

	if (atomic_load_explicit(&s->s_spill, memory_order_relaxed) == NULL)
		return NULL;
	l = atomic_exchange_explicit(&s->s_spill, NULL, memory_order_acquire);
	if (l == NULL || (rest = l->l_next) == NULL)
		return l;
	for (tail = rest; tail->l_next != NULL; tail = tail->l_next)
		n++;
	atomic_fetch_add_explicit(&pc->pc_nfree, n, memory_order_relaxed);
	hy_list_push(&pc->pc_free, rest, tail);
	return l;
}

void
hy_lwp_dead_push(struct reap_sys *s, int cpu, struct reap_lwp *l)
{
	struct hy_cpu *pc = s->s_cpu[cpu];

	/* Count first, so pc_ndead never falls below the list's length. */
	atomic_fetch_add_explicit(&pc->pc_ndead, 1, memory_order_relaxed);
	hy_list_push(&pc->pc_dead, l, l);
}

/*
 * Run one batch on `cpu`'s dead list [R1..R4].  The freed LWPs go to the
 * caller's CPU cache, except one handed back in *keep (lwp_create's
 * recycling) if keep is not NULL.  Returns how many were freed.
 */
unsigned
hy_reclaim(struct reap_sys *s, int cpu, struct reap_lwp **keep)
{
	struct hy_cpu *pc = s->s_cpu[cpu];
	struct hy_cpu *mypc = s->s_cpu[hy_cpu_index(s)];
	struct reap_lwp *l, *next;
	struct reap_lwp *dfirst = NULL, *dlast = NULL;
	struct reap_lwp *ffirst = NULL, *flast = NULL;
	unsigned ntaken = 0, ndefer = 0, nfree = 0, ncache = 0;

	if (atomic_load_explicit(&pc->pc_dead, memory_order_relaxed) == NULL)
		return 0;
	l = hy_list_take(s, &pc->pc_dead);			/* [R1] */
	if (l == NULL)
		return 0;
	KERN_INJECT("hybrid.reclaim.taken");
	for (; l != NULL; l = next) {
		next = l->l_next;
		ntaken++;
		if (hy_lwp_oncpu(s, l)) {			/* [R2] */
			/* [R3] Still in its switch-out window: next batch. */
			l->l_next = dfirst;
			dfirst = l;
			if (dlast == NULL)
				dlast = l;
			ndefer++;
			continue;
		}
		kern_lwp_free_stamp(s->s_mach, &l->l_stamp);
		hy_lwp_scrub(mypc, l);				/* [R4] */
		nfree++;
		if (keep != NULL && *keep == NULL) {
			*keep = l;
			continue;
		}
		l->l_next = ffirst;
		ffirst = l;
		if (flast == NULL)
			flast = l;
		ncache++;
	}
	if (dfirst != NULL) {
		hy_list_push(&pc->pc_dead, dfirst, dlast);
		atomic_fetch_add_explicit(&pc->pc_deferred, ndefer,
		    memory_order_relaxed);
	}
	atomic_fetch_sub_explicit(&pc->pc_ndead, ntaken - ndefer,
	    memory_order_relaxed);
	if (ffirst != NULL)
		hy_cache_put(s, ffirst, flast, ncache);
	atomic_fetch_add_explicit(&pc->pc_batches, 1, memory_order_relaxed);
	/* Counter updates batched per reclaim (FreeBSD's tidbatch). */
	if (nfree != 0)
		kern_lwps_freed(s->s_mach, nfree);
	return nfree;
}

/*
 * [C3] Free a collected LWP (lwp_wait, the process exit's leftovers, the
 * parent's reap): at once if its carrier has left it, else on the dead
 * list of the caller's CPU for a later batch.
 */
void
hy_lwp_free(struct reap_sys *s, struct reap_lwp *l)
{
	int cpu = hy_cpu_index(s);

	if (hy_lwp_oncpu(s, l)) {				/* [R2] */
		atomic_fetch_add_explicit(&s->s_cpu[cpu]->pc_deferred, 1,
		    memory_order_relaxed);
		hy_lwp_dead_push(s, cpu, l);			/* [R3] */
		return;
	}
	kern_lwp_free_stamp(s->s_mach, &l->l_stamp);
	hy_lwp_scrub(s->s_cpu[cpu], l);				/* [R4] */
	hy_cache_put(s, l, l, 1);
	kern_lwps_freed(s->s_mach, 1);
}

/* A quiesce point: one batch on every CPU. */
void
hy_reclaim_all(struct reap_sys *s)
{
	for (int c = 0; c < s->s_ncpus; c++)
		(void)hy_reclaim(s, c, NULL);
}

/*
 * Memory for a new LWP: the CPU's cache, else a batch of its dead list
 * (recycling the LWP this CPU freed last), else the shared spill list,
 * else fresh memory (type-stable until sys_destroy).
 */
struct reap_lwp *
hy_lwp_alloc(struct reap_sys *s, bool *recycled)
{
	int cpu = hy_cpu_index(s);
	struct hy_cpu *pc = s->s_cpu[cpu];
	struct reap_lwp *l;

	l = hy_cache_get(pc);
	if (l == NULL)
		(void)hy_reclaim(s, cpu, &l);
	if (l == NULL)
		l = hy_spill_get(s, pc);
	if (l != NULL) {
		hy_lwp_unpoison(l);
		KASSERT(LS_STAT(atomic_load_explicit(&l->l_state,
		    memory_order_relaxed)) == LS_FREE, "cached LWP not free");
		*recycled = true;
		return l;
	}
	l = aligned_alloc(KERN_CACHELINE, sizeof(*l));
	KASSERT(l != NULL, "out of memory");
	memset(l, 0, sizeof(*l));
	atomic_init(&l->l_state, LS_MAKE(0, LS_FREE));
	atomic_init(&l->l_refs, LR_DEAD);
	l->l_allnext = atomic_load_explicit(&s->s_all, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&s->s_all,
	    &l->l_allnext, l, memory_order_release, memory_order_relaxed))
		;
	atomic_fetch_add_explicit(&s->s_nalloc, 1, memory_order_relaxed);
	*recycled = false;
	return l;
}

/* sys_destroy: give every LWP's memory back. */
void
hy_release_all(struct reap_sys *s)
{
	struct reap_lwp *l, *next;

	l = atomic_exchange_explicit(&s->s_all, NULL, memory_order_acquire);
	for (; l != NULL; l = next) {
		next = l->l_allnext;
		hy_lwp_unpoison(l);
		free(l);
	}
}

void
hy_stats_read(struct reap_sys *s, struct hy_stats *hs)
{
	memset(hs, 0, sizeof(*hs));
	for (int c = 0; c < s->s_ncpus; c++) {
		struct hy_cpu *pc = s->s_cpu[c];

		hs->batches += atomic_load_explicit(&pc->pc_batches,
		    memory_order_relaxed);
		hs->deferred += atomic_load_explicit(&pc->pc_deferred,
		    memory_order_relaxed);
		hs->nvcsw += atomic_load_explicit(&pc->pc_nvcsw,
		    memory_order_relaxed);
	}
	hs->allocs = atomic_load_explicit(&s->s_nalloc, memory_order_relaxed);
}
