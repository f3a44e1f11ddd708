/*
 * hy_pid.c - the global pid namespace: per-CPU pid ranges over one table
 * of generation-checked slots, type-stable process memory, and the
 * observers' lock-free proc_hold/proc_rele.
 *
 * The table has HY_NPIDSLOT slots cut into one range per CPU, each on its
 * CPU's node with its own bitmap (Linux idr/NetBSD pid_table, split the
 * way FreeBSD splits its pid bitmap by domain).  fork takes a free slot
 * of its own CPU's range by CAS on the bitmap (another range only when
 * its own is full), so forks on different CPUs share no line; the slot's
 * generation makes the pid: pid = gen << HY_PIDBITS | slot, and the
 * reap bumps it, so a pid is not reissued before 2^16 reuses of its slot.
 *
 * Lookups take no lock [P1..P4]: read the slot's process pointer
 * (acquire); take a hold by CAS on p_orefs unless PR_DEAD [P2]; check
 * that the held memory is still pid's process (p_lkpid) [P3] and not a
 * zombie [P4], else drop the hold.  Process memory is type-stable (NetBSD
 * lwp_cache, FreeBSD UMA_ZONE_NOFREE): freed processes go to a per-CPU
 * cache, their header (p_orefs, p_lkpid) stays valid and their body is
 * poisoned under ASan, so a stale pointer is safe to CAS through and a
 * use after free is still reported.
 *
 * Holds delay nothing but the free: the reap unhashes the pid, then sets
 * PR_DEAD with one RMW [P5]; whoever takes the count to 0 with PR_DEAD
 * set (the reaper or the last proc_rele) frees the memory.  p_state and
 * the exit protocol are untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "hybrid.h"

#if defined(__SANITIZE_ADDRESS__)
#define HY_PASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HY_PASAN 1
#endif
#endif
#ifdef HY_PASAN
#include <sanitizer/asan_interface.h>
#endif

#define HY_PBODY_OFF	offsetof(struct reap_proc, p_sys)

static void
hy_proc_poison(struct reap_proc *p, bool poison)
{
#ifdef HY_PASAN
	if (poison)
		ASAN_POISON_MEMORY_REGION((char *)p + HY_PBODY_OFF,
		    sizeof(*p) - HY_PBODY_OFF);
	else
		ASAN_UNPOISON_MEMORY_REGION((char *)p + HY_PBODY_OFF,
		    sizeof(*p) - HY_PBODY_OFF);
#else
	(void)p;
	(void)poison;
#endif
}

static size_t
hy_pidrange_size(const struct reap_sys *s)
{
	return sizeof(struct hy_pidrange) +
	    (size_t)s->s_pidwords * 64 * sizeof(struct hy_pidslot);
}

/* The slot of a pid, or NULL if pid is outside every range. */
static struct hy_pidslot *
hy_pid_slot(struct reap_sys *s, pid_t pid)
{
	uint32_t slot = (uint32_t)pid & HY_PIDMASK;
	uint32_t per = (uint32_t)s->s_pidwords * 64;

	if (pid <= 0 || slot / per >= (uint32_t)s->s_ncpus)
		return NULL;
	return &s->s_pidrange[slot / per]->pr_slot[slot % per];
}

/* Boot: one range per CPU on its node; slot 0 (pid 0) is never issued,
 * slot 1 (pid 1) is init's. */
void
hy_pid_init(struct reap_sys *s)
{
	int words = HY_NPIDSLOT / 64 / s->s_ncpus;

	s->s_pidwords = words > 0 ? words : 1;
	s->s_pidrange = calloc((size_t)s->s_ncpus, sizeof(*s->s_pidrange));
	KASSERT(s->s_pidrange != NULL, "out of memory");
	for (int c = 0; c < s->s_ncpus; c++)
		s->s_pidrange[c] = kern_percpu_alloc(s->s_mach, c,
		    hy_pidrange_size(s));
	atomic_store_explicit(&s->s_pidrange[0]->pr_map[0], 0x3,
	    memory_order_relaxed);
}

/* sys_destroy: the ranges and every process's memory go back. */
void
hy_pid_fini(struct reap_sys *s)
{
	struct reap_proc *p, *next;

	/* Alone: every other thread of the system is gone. */
	for (p = atomic_load_explicit(&s->s_pall, memory_order_relaxed);
	    p != NULL; p = next) {
		next = p->p_allnext;
		hy_proc_poison(p, false);
		free(p);
	}
	for (int c = 0; c < s->s_ncpus; c++)
		kern_percpu_free(s->s_mach, c, s->s_pidrange[c],
		    hy_pidrange_size(s));
	free(s->s_pidrange);
}

/* Take a free slot in range c's bitmap; -1 if the range is full. */
static int
hy_pid_take(struct reap_sys *s, int c)
{
	struct hy_pidrange *pr = s->s_pidrange[c];
	uint32_t cur = atomic_load_explicit(&pr->pr_cur, memory_order_relaxed);
	uint64_t w;
	int i, word, bit;

	for (i = 0; i < s->s_pidwords; i++) {
		word = (int)((cur + (uint32_t)i) % (uint32_t)s->s_pidwords);
		w = atomic_load_explicit(&pr->pr_map[word],
		    memory_order_relaxed);
		while (w != UINT64_MAX) {
			bit = __builtin_ctzll(~w);
			if (atomic_compare_exchange_weak_explicit(
			    &pr->pr_map[word], &w, w | (1ull << bit),
			    memory_order_acquire, memory_order_relaxed)) {
				atomic_store_explicit(&pr->pr_cur,
				    (uint32_t)word, memory_order_relaxed);
				return (c * s->s_pidwords + word) * 64 + bit;
			}
		}
	}
	return -1;
}

/* fork: a pid from the calling CPU's range (another's when it is full);
 * its slot stays empty until hy_pid_publish. */
pid_t
hy_pid_alloc(struct reap_sys *s)
{
	int cpu = hy_cpu_index(s), slot = -1;
	uint32_t per = (uint32_t)s->s_pidwords * 64;
	struct hy_pidslot *ps;

	for (int i = 0; i < s->s_ncpus && slot < 0; i++)
		slot = hy_pid_take(s, (cpu + i) % s->s_ncpus);
	KASSERT(slot >= 0, "pid table full (HY_NPIDSLOT)");
	ps = &s->s_pidrange[(uint32_t)slot / per]->pr_slot[(uint32_t)slot % per];
	return (pid_t)(((atomic_load_explicit(&ps->ps_gen,
	    memory_order_relaxed) & HY_PIDGENMASK) << HY_PIDBITS) |
	    (uint32_t)slot);
}

/* Make a set-up process findable by its pid (release). */
void
hy_pid_publish(struct reap_sys *s, struct reap_proc *p)
{
	atomic_store_explicit(&hy_pid_slot(s, p->p_pid)->ps_proc, p,
	    memory_order_release);
}

/* The reap: unhash the pid, bump its slot's generation, free the slot. */
static void
hy_pid_free(struct reap_sys *s, pid_t pid)
{
	uint32_t slot = (uint32_t)pid & HY_PIDMASK;
	uint32_t per = (uint32_t)s->s_pidwords * 64;
	struct hy_pidrange *pr = s->s_pidrange[slot / per];
	struct hy_pidslot *ps = &pr->pr_slot[slot % per];

	atomic_store_explicit(&ps->ps_proc, NULL, memory_order_release);
	atomic_store_explicit(&ps->ps_gen, atomic_load_explicit(&ps->ps_gen,
	    memory_order_relaxed) + 1, memory_order_relaxed);
	atomic_fetch_and_explicit(&pr->pr_map[(slot % per) / 64],
	    ~(1ull << (slot % 64)), memory_order_release);
}

/* Take a whole per-CPU process cache, keep one, put the rest back. */
static struct reap_proc *
hy_pcache_get(struct hy_cpu *pc)
{
	struct reap_proc *p, *rest, *tail, *old;

	if (atomic_load_explicit(&pc->pc_pfree, memory_order_relaxed) == NULL)
		return NULL;
	p = atomic_exchange_explicit(&pc->pc_pfree, NULL, memory_order_acquire);
	if (p == NULL || (rest = p->p_cnext) == NULL)
		return p;
	for (tail = rest; tail->p_cnext != NULL; tail = tail->p_cnext)
		;
	old = atomic_load_explicit(&pc->pc_pfree, memory_order_relaxed);
	do {
		tail->p_cnext = old;
	} while (!atomic_compare_exchange_weak_explicit(&pc->pc_pfree, &old,
	    rest, memory_order_release, memory_order_relaxed));
	return p;
}

/*
 * Process memory for pid: recycled from this CPU's cache (or another's),
 * else fresh.  The body comes back zeroed and unpoisoned; the header is
 * reset last: p_lkpid, then p_orefs = 0 (release), so a stale observer
 * whose CAS succeeds from here on sees the new pid and lets go [P3].
 */
struct reap_proc *
hy_proc_mem_get(struct reap_sys *s, pid_t pid)
{
	int cpu = hy_cpu_index(s);
	struct reap_proc *p = NULL;

	for (int i = 0; i < s->s_ncpus && p == NULL; i++)
		p = hy_pcache_get(s->s_cpu[(cpu + i) % s->s_ncpus]);
	if (p == NULL) {
		p = aligned_alloc(KERN_CACHELINE, sizeof(*p));
		KASSERT(p != NULL, "out of memory");
		memset(p, 0, sizeof(*p));
		p->p_allnext = atomic_load_explicit(&s->s_pall,
		    memory_order_relaxed);
		while (!atomic_compare_exchange_weak_explicit(&s->s_pall,
		    &p->p_allnext, p, memory_order_release,
		    memory_order_relaxed))
			;
	} else {
		KASSERT(atomic_load_explicit(&p->p_orefs,
		    memory_order_relaxed) == PR_DEAD, "cached process held");
		hy_proc_poison(p, false);
		memset((char *)p + HY_PBODY_OFF, 0, sizeof(*p) - HY_PBODY_OFF);
	}
	atomic_store_explicit(&p->p_lkpid, pid, memory_order_relaxed);
	atomic_store_explicit(&p->p_orefs, 0, memory_order_release);
	return p;
}

/* The memory of a freed process goes to this CPU's cache, poisoned. */
void
hy_proc_mem_put(struct reap_sys *s, struct reap_proc *p)
{
	struct hy_cpu *pc = s->s_cpu[hy_cpu_index(s)];
	struct reap_proc *old;

	hy_proc_poison(p, true);
	old = atomic_load_explicit(&pc->pc_pfree, memory_order_relaxed);
	do {
		p->p_cnext = old;
	} while (!atomic_compare_exchange_weak_explicit(&pc->pc_pfree, &old, p,
	    memory_order_release, memory_order_relaxed));
}

/* Free a reaped process whose holds are gone (hy_proc_free, counted). */
static void
hy_proc_dispose(struct reap_proc *p)
{
	struct reap_sys *s = p->p_sys;

	hy_proc_free(p);
	kern_count(KC_PROC_FREE);
	hy_proc_mem_put(s, p);
}

/*
 * [W3] The parent reaps c: unhash its pid, then [P5] set PR_DEAD; free
 * it now unless an observer holds it, whose last proc_rele then does.
 */
void
hy_proc_reaped(struct reap_proc *c)
{
	uint32_t old;

	hy_pid_free(c->p_sys, c->p_pid);
	KERN_INJECT("hybrid.reap.unhashed");
	old = atomic_fetch_or_explicit(&c->p_orefs, PR_DEAD,
	    memory_order_acq_rel);
	if (PR_COUNT(old) == 0)
		hy_proc_dispose(c);
}

/*
 * ops->proc_hold: models pfind() (DragonFly kern_proc.c) / proc_find()
 * (NetBSD kern_proc.c) plus a hold, lock-free [P1..P4].
 */
struct reap_proc *
hy_proc_hold(struct reap_sys *s, pid_t pid)
{
	struct hy_pidslot *ps = hy_pid_slot(s, pid);
	struct reap_proc *p;
	uint32_t r;

	if (ps == NULL)
		return NULL;
	p = atomic_load_explicit(&ps->ps_proc, memory_order_acquire);	/* [P1] */
	if (p == NULL)
		return NULL;
	KERN_INJECT("hybrid.pfind.slot");
	r = atomic_load_explicit(&p->p_orefs, memory_order_relaxed);
	do {								/* [P2] */
		if ((r & PR_DEAD) != 0)
			return NULL;
	} while (!atomic_compare_exchange_weak_explicit(&p->p_orefs, &r, r + 1,
	    memory_order_acquire, memory_order_relaxed));
	if (atomic_load_explicit(&p->p_lkpid, memory_order_acquire) != pid ||
	    (atomic_load_explicit(&p->p_state, memory_order_acquire) &
	    PS_ZOMB) != 0) {						/* [P3, P4] */
		hy_proc_rele(p);
		return NULL;
	}
	return p;
}

/* ops->proc_rele: the last hold of a reaped process frees it. */
void
hy_proc_rele(struct reap_proc *p)
{
	uint32_t old = atomic_fetch_sub_explicit(&p->p_orefs, 1,
	    memory_order_acq_rel);

	KASSERT(PR_COUNT(old) > 0, "proc_rele without a hold");
	if (old == (PR_DEAD | 1)) {
		hy_attach(p->p_sys);
		hy_proc_dispose(p);
	}
}
