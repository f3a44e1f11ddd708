/*
 * nb_cache.c - lwp_cache: type-stable LWP memory (the seed's
 * pool_cache_init(sizeof(lwp_t), ..., PR_PSERIALIZE, "lwppl", ...)).
 *
 * Freed LWPs go to the freeing CPU's list and are handed out again from
 * there; a CPU list that grows past NB_CACHE_MAX spills half to a shared
 * depot, and an empty CPU list refills from the depot before memory is
 * taken fresh (pool_cache's per-CPU groups and depot, in miniature).
 * Memory goes back to malloc only when the system is destroyed, so a
 * lockless lookup through the pid table (nb_pid.c) may read the stable
 * head of a freed LWP (l_proc, l_lid, l_stat, l_mutex) as the seed's
 * lwp_ctor/lwp_create comment requires.
 *
 * In ASan builds the rest of a cached LWP (from l_startzero on) is
 * poisoned, so a carrier that writes into its LWP after lwp_free put it
 * here is reported as use-after-poison: the switch-out window check.
 */
#include <stdlib.h>
#include <string.h>

#include "netbsd.h"

#if defined(__SANITIZE_ADDRESS__)
#define NB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NB_ASAN 1
#endif
#endif
#ifdef NB_ASAN
#include <sanitizer/asan_interface.h>
#define NB_POISON(a, n)		ASAN_POISON_MEMORY_REGION((a), (n))
#define NB_UNPOISON(a, n)	ASAN_UNPOISON_MEMORY_REGION((a), (n))
#else
#define NB_POISON(a, n)		((void)(a), (void)(n))
#define NB_UNPOISON(a, n)	((void)(a), (void)(n))
#endif

#define NB_CACHE_MAX	64	/* per-CPU list length before a spill */

struct nb_cachecpu {
	struct kspin	cc_lock;	/* c */
	struct reap_lwp	*cc_free;	/* c: cached LWPs */
	unsigned	cc_n;		/* c: how many */
} __cacheline_aligned;

struct nb_cache {
	struct nb_sys	*nc_sys;	/* ( */
	struct nb_cachecpu **nc_cpu;	/* (: per-CPU lists */
	struct kspin	nc_depot_lock;	/* depot lock */
	struct reap_lwp	*nc_depot;	/* nc_depot_lock: spilled LWPs */
	unsigned	nc_ndepot;	/* nc_depot_lock */
};

#define NB_LWP_SIZE \
	((sizeof(struct reap_lwp) + KERN_CACHELINE - 1) & ~(size_t)(KERN_CACHELINE - 1))
#define NB_LWP_TAIL	(sizeof(struct reap_lwp) - offsetof(struct reap_lwp, l_startzero))

struct nb_cache *
nb_cache_create(struct nb_sys *ns)
{
	struct nb_cache *nc;
	int cpu;

	nc = calloc(1, sizeof(*nc));
	KASSERT(nc != NULL, "lwp cache allocation");
	nc->nc_sys = ns;
	nc->nc_cpu = calloc((size_t)ns->ns_ncpus, sizeof(*nc->nc_cpu));
	KASSERT(nc->nc_cpu != NULL, "lwp cache allocation");
	for (cpu = 0; cpu < ns->ns_ncpus; cpu++) {
		nc->nc_cpu[cpu] = kern_percpu_alloc(ns->ns_mach, cpu,
		    sizeof(struct nb_cachecpu));
		kspin_init(&nc->nc_cpu[cpu]->cc_lock);
	}
	kspin_init(&nc->nc_depot_lock);
	return nc;
}

static void
nb_cache_freelist(struct reap_lwp *l)
{
	struct reap_lwp *next;

	for (; l != NULL; l = next) {
		next = l->l_cnext;
		NB_UNPOISON(l->l_startzero, NB_LWP_TAIL);
		free(l);
	}
}

void
nb_cache_destroy(struct nb_cache *nc)
{
	struct nb_sys *ns = nc->nc_sys;
	int cpu;

	for (cpu = 0; cpu < ns->ns_ncpus; cpu++) {
		nb_cache_freelist(nc->nc_cpu[cpu]->cc_free);
		kern_percpu_free(ns->ns_mach, cpu, nc->nc_cpu[cpu],
		    sizeof(struct nb_cachecpu));
	}
	nb_cache_freelist(nc->nc_depot);
	free(nc->nc_cpu);
	free(nc);
}

/*
 * Models pool_cache_get(lwp_cache) + lwp_ctor: an LWP whose zeroed part
 * is cleared, l_stat LSIDL, on the calling CPU with that CPU's lock.
 */
struct reap_lwp *
nb_cache_get(struct nb_sys *ns)
{
	struct nb_cache *nc = ns->ns_cache;
	struct nb_cachecpu *cc = nc->nc_cpu[mycpuid() % ns->ns_ncpus];
	struct reap_lwp *l;

	kspin_lock(&cc->cc_lock);
	if (cc->cc_free == NULL) {
		/* Refill from the depot: take all it has, one swap. */
		kspin_lock(&nc->nc_depot_lock);
		cc->cc_free = nc->nc_depot;
		cc->cc_n = nc->nc_ndepot;
		nc->nc_depot = NULL;
		nc->nc_ndepot = 0;
		kspin_unlock(&nc->nc_depot_lock);
	}
	if ((l = cc->cc_free) != NULL) {
		cc->cc_free = l->l_cnext;
		cc->cc_n--;
	}
	kspin_unlock(&cc->cc_lock);

	if (l != NULL) {
		NB_UNPOISON(l->l_startzero, NB_LWP_TAIL);
		l->l_cnext = NULL;
		memset(l->l_startzero, 0, NB_LWP_TAIL);
		/* lwp_free left it LSIDL on the freeing CPU. */
		KASSERT(nb_lwp_stat(l) == LSIDL, "cached lwp not idle");
		return l;
	}
	l = aligned_alloc(KERN_CACHELINE, NB_LWP_SIZE);
	KASSERT(l != NULL, "lwp allocation");
	memset(l, 0, NB_LWP_SIZE);
	/* lwp_ctor */
	nb_lwp_setstat(l, LSIDL);
	l->l_cpu = mycpuid() % ns->ns_ncpus;
	atomic_store_explicit(&l->l_mutex,
	    ns->ns_2007 ? &ns->ns_sched_mutex : nb_cpu_lwplock(ns, l->l_cpu),
	    memory_order_relaxed);
	return l;
}

/* Models pool_cache_put(lwp_cache, l). */
void
nb_cache_put(struct nb_sys *ns, struct reap_lwp *l)
{
	struct nb_cache *nc = ns->ns_cache;
	struct nb_cachecpu *cc = nc->nc_cpu[mycpuid() % ns->ns_ncpus];
	struct reap_lwp *spill = NULL, *tail = NULL;
	unsigned nspill = 0;

	KASSERT(nb_lwp_stat(l) == LSIDL, "caching a live lwp");
	NB_POISON(l->l_startzero, NB_LWP_TAIL);
	kspin_lock(&cc->cc_lock);
	l->l_cnext = cc->cc_free;
	cc->cc_free = l;
	if (++cc->cc_n > NB_CACHE_MAX) {
		/* Spill the older half to the depot. */
		for (tail = cc->cc_free; nspill < NB_CACHE_MAX / 2 - 1; nspill++)
			tail = tail->l_cnext;
		spill = tail->l_cnext;
		tail->l_cnext = NULL;
		nspill = cc->cc_n - NB_CACHE_MAX / 2;
		cc->cc_n = NB_CACHE_MAX / 2;
	}
	kspin_unlock(&cc->cc_lock);
	if (spill != NULL) {
		for (tail = spill; tail->l_cnext != NULL; tail = tail->l_cnext)
			continue;
		kspin_lock(&nc->nc_depot_lock);
		tail->l_cnext = nc->nc_depot;
		nc->nc_depot = spill;
		nc->nc_ndepot += nspill;
		kspin_unlock(&nc->nc_depot_lock);
	}
}
