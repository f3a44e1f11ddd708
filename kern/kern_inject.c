/*
 * kern_inject.c - seeded random delays at the designs' race windows.
 *
 * Off until a test calls kern_inject_enable(seed, permille); then each hit
 * of a KERN_INJECT point, with probability permille/1000, yields or sleeps
 * a random short time drawn from a per-thread xorshift stream derived from
 * the seed and the thread's order of first hit.  Thread scheduling still
 * varies, so a replay from the seed reproduces the same delay pattern,
 * not the same interleaving; in practice it re-finds the same races.
 */
#include "kern.h"
#include "kern_impl.h"

#include <sched.h>
#include <string.h>
#include <time.h>

#define INJECT_WIDEN_MAX	16

static _Atomic int inject_on;
static _Atomic unsigned inject_permille;
static _Atomic uint64_t inject_seedval;
static _Atomic uint64_t inject_epoch;		/* bumped by enable */
static _Atomic uint64_t inject_nthreads;
static struct kern_inject_point *_Atomic inject_points;
static struct {
	const char *_Atomic name;
	_Atomic unsigned us;
	_Atomic unsigned every;		/* sleep at hits 0, every, 2*every.. */
} inject_widen[INJECT_WIDEN_MAX];
static _Atomic int inject_nwiden;

static __thread uint64_t inject_rng;
static __thread uint64_t inject_rng_epoch;

static uint64_t
inject_next(void)
{
	uint64_t epoch = atomic_load_explicit(&inject_epoch,
	    memory_order_acquire);

	if (inject_rng_epoch != epoch || inject_rng == 0) {
		uint64_t n = atomic_fetch_add_explicit(&inject_nthreads, 1,
		    memory_order_relaxed) + 1;

		inject_rng = atomic_load_explicit(&inject_seedval,
		    memory_order_relaxed) ^ (n * 0x9e3779b97f4a7c15ull);
		if (inject_rng == 0)
			inject_rng = 0x2545f4914f6cdd1dull;
		inject_rng_epoch = epoch;
	}
	inject_rng ^= inject_rng << 13;
	inject_rng ^= inject_rng >> 7;
	inject_rng ^= inject_rng << 17;
	return inject_rng;
}

static void
inject_sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void
inject_register(struct kern_inject_point *ip)
{
	int expect = 0;

	if (!atomic_compare_exchange_strong_explicit(&ip->ip_registered,
	    &expect, 1, memory_order_acq_rel, memory_order_relaxed))
		return;
	/* Lock-free push: points are static and never leave the list. */
	struct kern_inject_point *head = atomic_load_explicit(&inject_points,
	    memory_order_relaxed);
	do
		atomic_store_explicit(&ip->ip_next, head, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&inject_points, &head,
	    ip, memory_order_release, memory_order_relaxed));
}

/* The widening of `name`: its microseconds (0: none) and period. */
static unsigned
inject_widen_of(const char *name, unsigned *every)
{
	int n = atomic_load_explicit(&inject_nwiden, memory_order_acquire);

	for (int i = 0; i < n && i < INJECT_WIDEN_MAX; i++) {
		const char *w = atomic_load_explicit(&inject_widen[i].name,
		    memory_order_acquire);

		if (w != NULL && strcmp(w, name) == 0) {
			*every = atomic_load_explicit(&inject_widen[i].every,
			    memory_order_relaxed);
			return atomic_load_explicit(&inject_widen[i].us,
			    memory_order_relaxed);
		}
	}
	return 0;
}

/*
 * A hit of injection point ip (KERN_INJECT): count it; then, if the point
 * is widened, sleep its microseconds (at every hit, or only at one in its
 * `every`, the others going on at once); else, once kern_inject_enable ran,
 * with probability permille/1000 yield, spin up to 10 us or sleep up to
 * 550 us, as the calling thread's stream from the seed decides.  Called
 * in race windows with whatever the design holds there, spin locks
 * included.  May sleep.
 */
void
kern_inject(struct kern_inject_point *ip)
{
	unsigned us, permille, every = 1;
	uint64_t r, hit;

	if (__builtin_expect(atomic_load_explicit(&ip->ip_registered,
	    memory_order_acquire) == 0, 0))
		inject_register(ip);
	hit = atomic_fetch_add_explicit(&ip->ip_hits, 1, memory_order_relaxed);
	if (atomic_load_explicit(&inject_nwiden, memory_order_relaxed) != 0 &&
	    (us = inject_widen_of(ip->ip_name, &every)) != 0) {
		if (every <= 1 || hit % every == 0)
			inject_sleep_us(us);
		return;
	}
	if (!atomic_load_explicit(&inject_on, memory_order_relaxed))
		return;
	permille = atomic_load_explicit(&inject_permille, memory_order_relaxed);
	r = inject_next();
	if (r % 1000 >= permille)
		return;
	switch ((r >> 10) % 4) {
	case 0:
		sched_yield();
		break;
	case 1:					/* short spin: ~0.1-10 us */
		kern_work_ns(100 + (r >> 16) % 10000);
		break;
	case 2:					/* short sleep */
		inject_sleep_us(1 + (unsigned)((r >> 16) % 50));
		break;
	default:				/* rare long sleep */
		inject_sleep_us(50 + (unsigned)((r >> 16) % 500));
		break;
	}
}

/*
 * Turn random injection on at every point: a hit delays with probability
 * permille/1000 (at most 1), drawn from a stream per thread that each
 * thread derives from seed at its next hit, numbered by their order.  Not ordered with hits in flight:
 * call it before the run starts.
 */
void
kern_inject_enable(uint64_t seed, unsigned permille)
{
	atomic_store_explicit(&inject_seedval, seed, memory_order_relaxed);
	atomic_store_explicit(&inject_permille, permille > 1000 ? 1000 :
	    permille, memory_order_relaxed);
	atomic_store_explicit(&inject_nthreads, 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&inject_epoch, 1, memory_order_release);
	atomic_store_explicit(&inject_on, 1, memory_order_release);
}

/* Turn random injection off and clear every widening; hit counts stay. */
void
kern_inject_disable(void)
{
	atomic_store_explicit(&inject_on, 0, memory_order_release);
	for (int i = 0; i < INJECT_WIDEN_MAX; i++)
		atomic_store_explicit(&inject_widen[i].name, NULL,
		    memory_order_release);
	atomic_store_explicit(&inject_nwiden, 0, memory_order_release);
}

/*
 * The seed of the last kern_inject_enable (0 if none), also after
 * kern_inject_disable.
 */
uint64_t
kern_inject_seed(void)
{
	return atomic_load_explicit(&inject_seedval, memory_order_relaxed);
}

/*
 * Make the points called `name` sleep `us` microseconds at every hit (0:
 * no more), whether injection is enabled or not, until
 * kern_inject_disable.  name must stay valid meanwhile; at most
 * INJECT_WIDEN_MAX names (KASSERT).  Safe against hits, not against
 * another kern_inject_widen: tests set it up before the run.
 */
void
kern_inject_widen(const char *name, unsigned us)
{
	kern_inject_widen_every(name, us, 1);
}

/*
 * kern_inject_widen, but only one hit in `every` (each point's hits 0,
 * every, 2 * every, ... counted since kern_inject_reset_hits) sleeps; the
 * others go on at once.  A schedule: of two threads that pass the window
 * in turn, the first sleeps and the second overtakes it.
 */
void
kern_inject_widen_every(const char *name, unsigned us, unsigned every)
{
	int n = atomic_load_explicit(&inject_nwiden, memory_order_relaxed);

	for (int i = 0; i < n; i++) {
		const char *w = atomic_load_explicit(&inject_widen[i].name,
		    memory_order_relaxed);
		if (w != NULL && strcmp(w, name) == 0) {
			atomic_store_explicit(&inject_widen[i].every, every,
			    memory_order_relaxed);
			atomic_store_explicit(&inject_widen[i].us, us,
			    memory_order_relaxed);
			return;
		}
	}
	KASSERT(n < INJECT_WIDEN_MAX, "too many widened injection points");
	atomic_store_explicit(&inject_widen[n].every, every,
	    memory_order_relaxed);
	atomic_store_explicit(&inject_widen[n].us, us, memory_order_relaxed);
	atomic_store_explicit(&inject_widen[n].name, name, memory_order_release);
	atomic_store_explicit(&inject_nwiden, n + 1, memory_order_release);
}

/*
 * Hits of the points called `name` since the last kern_inject_reset_hits;
 * 0 if none was reached.  Relaxed reads: exact once the run is over.
 */
uint64_t
kern_inject_hits(const char *name)
{
	uint64_t hits = 0;

	for (struct kern_inject_point *ip = atomic_load_explicit(&inject_points,
	    memory_order_acquire); ip != NULL;
	    ip = atomic_load_explicit(&ip->ip_next, memory_order_relaxed))
		if (strcmp(ip->ip_name, name) == 0)
			hits += atomic_load_explicit(&ip->ip_hits,
			    memory_order_relaxed);
	return hits;
}

/* Zero every point's hit count.  Hits racing the reset may survive it. */
void
kern_inject_reset_hits(void)
{
	for (struct kern_inject_point *ip = atomic_load_explicit(&inject_points,
	    memory_order_acquire); ip != NULL;
	    ip = atomic_load_explicit(&ip->ip_next, memory_order_relaxed))
		atomic_store_explicit(&ip->ip_hits, 0, memory_order_relaxed);
}
