/*
 * torture.c - randomised, injected, long-running stress of every design.
 *
 *   torture [--design NAME[,NAME]] [--mutant NAME] [--seed N] [--seeds K]
 *           [--threads T[,T...]] [--lifecycles N] [--seconds S]
 *           [--permille P] [--hang S] [--hz HZ] [--tick-us US]
 *           [--widen POINT:US[/N]] [--no-known-skips]
 *           [--list] [--list-mutants] [--quiet]
 *
 * For each design (or the design that owns --mutant, with its variant bits
 * in config.variant) and each thread count and seed, one run boots a fresh
 * system, turns injection on (kern_inject_enable(seed, permille)) and lets
 * T workers play random scenarios until N LWP lifecycles were created or S
 * seconds passed.  Then it quiesces and checks the books: every process
 * and LWP created was freed exactly once (stats created == freed, and
 * created == what the run made), no zombie LWP left.  Sanitizer builds add
 * use-after-free, leak and race detection.  Any failure prints the seed
 * and the command that replays it; a watchdog turns a hang (no progress
 * for --hang seconds) into a failure that dumps what each thread waits on.
 *
 * Time.  --tick-us compresses model time: a tick lasts US wall
 * microseconds instead of 1e6/hz, so the seeds' tick polls (one tick, hz/10,
 * hz) keep their counts and order but come sooner.  Sleeps only bound how
 * long a poll waits; what a poll sees is still decided by the same locks.
 *
 * Threads.  The main thread carries TP, the run's parent process.  Worker
 * i carries the master of its own process WP_i (a child of TP) and is the
 * only parent of the scenario processes it forks, so it can keep them alive
 * while it observes them (lwp_hold) and reap them itself (proc_wait, with
 * and without WNOHANG).  The LWPs of a scenario get carriers from a pool of
 * parked pthreads created before the run; a worker reserves all the
 * carriers a scenario may need before it creates anything, so scenarios
 * never deadlock on the pool.
 *
 * A scenario is a process P (child of WP_i) with up to two children of its
 * own, each process either EXIT_ALL (every LWP leaves by lwp_exit; the last
 * one exits the process with status 0) or KILL (one or two LWPs race into
 * proc_exit with distinct statuses; the others spin on lwp_killed, block in
 * lwp_wait/proc_wait, or leave early).  LWP bodies: exit after a random
 * delay; spin until killed; lwp_wait(0) collecting; lwp_wait(lid) of a
 * sibling; proc_wait on the process's children (blocking or WNOHANG polls;
 * one such LWP per process, or two: TF_REAPERS); create up to two more
 * LWPs while the process may be exiting; pass bad arguments (TF_BADARGS,
 * TF_BADPID); proc_exit.  A third of the P's also get a churner, a carrier
 * that is no LWP of P and creates, enters and exits detached LWPs of P
 * while P exits (TF_CHURN).  Observer threads look the scenarios'
 * processes up by pid (proc_hold) and hold their LWPs (lwp_hold) while
 * they exit and are reaped (TF_PHOLD).  Children of P that outlive it are reparented
 * to init and reaped by init's loop (reap_boot).  Every collection
 * (lwp_wait) and reap (proc_wait) is checked to happen exactly once, with
 * a valid id/status; only what the contract makes certain is asserted.
 *
 * A design with a filed bug in one of the TF_* scenarios skips it through
 * its entry in known_bugs[] (printed at the start of each run), until the
 * fix merges and the entry goes; --no-known-skips runs them anyway.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kern.h"
#include "reap.h"
#include "rt.h"

#define TS_MAXP		3	/* processes per scenario */
#define TS_MAXL		10	/* LWP slots per process (incl. late ones) */
#define TS_PLANL	6	/* planned LWPs of P */
#define TS_CHILDL	3	/* planned LWPs of a child */
#define TS_LATE		2	/* LWPs a creator may add */
#define TS_MAXRES	(TS_PLANL + TS_LATE + 2 * (TS_CHILDL + TS_LATE))
#define TS_MAXTHREADS	64
#define TS_NRELE	2	/* releaser threads */
#define TS_PROGRESS_S	30	/* seconds between progress lines */

enum kind { K_EXIT, K_SPIN, K_WAITANY, K_WAITONE, K_PWAIT, K_CREATE,
	K_PEXIT, K_BADARG, K_CHURN, K_NKINDS };
static const char *const kind_name[K_NKINDS] = { "exit", "spin", "waitany",
	"waitone", "pwait", "create", "pexit", "badarg", "churn" };
enum mode { M_EXIT_ALL, M_KILL };

/*
 * Adversarial scenarios written from the contract (issue 17), each a
 * feature of the scenario mix that a known design bug may switch off:
 *
 *   TF_CHURN    a thread that is no LWP of P keeps creating, entering and
 *               exiting detached LWPs of P while P exits (by proc_exit or
 *               its last lwp_exit), as the churn benchmark's workers do
 *   TF_REAPERS  two LWPs of P reap P's children at once (proc_wait -1 or
 *               a pid, blocking when a kill will end them, else WNOHANG)
 *   TF_BADARGS  an LWP passes bad arguments: lwp_wait on itself, on lids
 *               that name no LWP, lwp_hold of such lids, proc_wait of its
 *               own pid and of its parent's (WNOHANG)
 *   TF_BADPID   ... and proc_wait with pid 0 and pid < -1 (WNOHANG)
 *   TF_PHOLD    TS_NOBS observers proc_hold random pids of the last
 *               TS_OBSRING processes made (live, exiting, zombie or
 *               reaped), lwp_hold their LWPs, and release both after a
 *               random delay, as ps and kill do
 */
#define TF_CHURN	0x1u
#define TF_REAPERS	0x2u
#define TF_BADARGS	0x4u
#define TF_BADPID	0x8u
#define TF_PHOLD	0x10u
#define TS_NOBS		2	/* proc_hold observers (TF_PHOLD) */
#define TS_OBSRING	64	/* recent processes they look up */

/*
 * Known bugs: a design that fails a feature's scenarios for a reason
 * already filed skips that feature (unless --no-known-skips), so the rest
 * of its torture still runs.  Each entry is removed when its fix merges.
 */
static const struct known_bug {
	const char *kb_design;
	unsigned kb_feats;
	const char *kb_why;
} known_bugs[] = {
	/* none: issue 17's netbsd bugs (create racing exit1, proc_wait(0))
	 * are fixed; the entries went with the fixes. */
	{ NULL, 0, NULL }
};

struct scen;
struct tproc;

/* One LWP of a scenario: its plan and what happened to it. */
struct tlwp {
	struct tproc	*tl_pr;
	struct reap_lwp	*tl_l;
	_Atomic lwpid_t	 tl_lid;	/* 0 until created */
	bool		 tl_detached;
	enum kind	 tl_kind;
	int		 tl_target;	/* K_WAITONE: slot it waits for */
	int		 tl_status;	/* K_PEXIT */
	int		 tl_cpu;
	uint64_t	 tl_rng;
	_Atomic int	 tl_seen;	/* times collected by lwp_wait */
	_Atomic int	 tl_done;	/* its exit call returned */
};

struct tproc {
	struct scen	*pr_sc;
	struct reap_proc *pr_p;
	pid_t		 pr_pid;
	int		 pr_idx;	/* 0: P; 1, 2: P's children */
	enum mode	 pr_mode;
	int		 pr_st[2];	/* statuses that may win */
	int		 pr_nst;
	int		 pr_nplan;	/* planned LWPs (slots 0..) */
	_Atomic int	 pr_nslots;	/* slots in use (late ones appended) */
	_Atomic int	 pr_creating;	/* late lwp_create calls not yet in a
					   slot: an observer may hold one */
	int		 pr_late;	/* reserved carriers for late LWPs */
	int		 pr_nreapers;	/* K_PWAIT LWPs (0..2) */
	pid_t		 pr_ppid;	/* its parent's pid */
	bool		 pr_churn;	/* has a churner (TF_CHURN) */
	struct tlwp	 pr_churner;	/* K_CHURN: a carrier, no LWP */
	struct tlwp	 pr_l[TS_MAXL];
	_Atomic int	 pr_reaped;	/* times reaped (children of P) */
	_Atomic int	 pr_status;
};

struct scen {
	_Atomic int	 sc_refs;	/* worker + one per dispatched LWP */
	int		 sc_np;
	struct tproc	 sc_pr[TS_MAXP];
	int		 sc_worker;
};

/* ---- run-wide state ------------------------------------------------------ */

struct car {
	pthread_t	 cr_th;
	int		 cr_idx;
	pthread_mutex_t	 cr_mtx;
	pthread_cond_t	 cr_cv;
	struct tlwp	*cr_job;	/* cr_mtx */
	bool		 cr_quit;	/* cr_mtx */
	struct tlwp *_Atomic cr_cur;	/* for the hang dump */
	struct kern_td *_Atomic cr_td;
	struct car	*cr_next;	/* pool lock: idle list */
};

struct wrk {
	pthread_t	 wk_th;
	int		 wk_idx;
	uint64_t	 wk_rng;
	struct kern_td *_Atomic wk_td;
	struct reap_lwp	*wk_m;		/* master of WP_i, made by main */
	const char *_Atomic wk_doing;
	_Atomic pid_t	 wk_pid;
	struct scen *_Atomic wk_sc;	/* for the hang dump */
	uint64_t	 wk_scen, wk_holds;
};

static struct {
	/* options */
	const char	*o_designs;
	const char	*o_mutant;
	uint64_t	 o_seed;
	int		 o_seeds;
	int		 o_threads[16];
	int		 o_nthreads;
	uint64_t	 o_lifecycles;
	double		 o_seconds;
	unsigned	 o_permille;
	unsigned	 o_hang;
	unsigned	 o_hz;
	double		 o_tick_us;	/* 0: real time (1e6/hz) */
	bool		 o_quiet;
	bool		 o_no_known_skips;
	const char	*o_widen[8];	/* "point:us[/every]" */
	int		 o_nwiden;
	/* the run */
	const struct reap_ops *ops;
	unsigned	 variant;
	const char	*mutant;
	uint64_t	 seed;
	int		 nthreads;
	int		 ncpus;
	unsigned	 skip;		/* TF_* off for this design */
	struct reap_boot *boot;
	struct reap_sys	*sys;
	struct reap_proc *tp;
	struct reap_lwp	*tpm;
	struct kern_td *_Atomic main_td;
	_Atomic int	 stop;
	_Atomic uint64_t lifecycles;	/* LWPs created (masters incl.) */
	_Atomic uint64_t procs;		/* processes created */
	_Atomic uint64_t progress;	/* anything that finished */
	_Atomic uint64_t collects, reaps, holds, late, scens, handoffs;
	_Atomic uint64_t churned, badargs, multireap;
	_Atomic uint64_t kwaits[3];	/* waits ended killed, by kind */
	uint64_t	 t0;
	/* the carrier pool */
	pthread_mutex_t	 pl_lock;
	pthread_cond_t	 pl_cv;
	struct car	*pl_idle;
	int		 pl_nfree;	/* idle and not reserved */
	int		 pl_nidle;
	int		 pl_n;
	struct car	*pl_cars;
	struct wrk	 wk[TS_MAXTHREADS];
	/* releasers: lwp_rele a hold the worker handed off, while the worker
	 * goes on to reap the process (the hold is all that keeps it) */
	pthread_mutex_t	 rl_lock;
	pthread_cond_t	 rl_cv;
	struct reap_lwp	*rl_q[256];	/* rl_lock */
	int		 rl_head, rl_n;	/* rl_lock */
	bool		 rl_quit;	/* rl_lock */
	pthread_t	 rl_th[TS_NRELE];
	/* TF_PHOLD observers and the ring of recent pids and lids */
	pthread_t	 ob_th[TS_NOBS];
	_Atomic int	 ob_quit;
	_Atomic uint64_t ob_next, pholds, plholds;
	struct {
		_Atomic pid_t	pid;
		_Atomic lwpid_t	lid[TS_PLANL];
	}		 ob_ring[TS_OBSRING];
	struct kern_td *_Atomic rl_td[TS_NRELE];
	_Atomic int	 rl_busy[TS_NRELE];
	/* watchdog */
	pthread_t	 wd_th;
	pthread_mutex_t	 wd_lock;
	pthread_cond_t	 wd_cv;
	bool		 wd_stop;
} T = {
	.o_seeds = 1,
	.o_lifecycles = 20000,
	.o_seconds = 60,
	.o_permille = 20,
	.o_hang = 30,
	.o_hz = 100,
	.pl_lock = PTHREAD_MUTEX_INITIALIZER,
	.pl_cv = PTHREAD_COND_INITIALIZER,
	.wd_lock = PTHREAD_MUTEX_INITIALIZER,
	.rl_lock = PTHREAD_MUTEX_INITIALIZER,
	.rl_cv = PTHREAD_COND_INITIALIZER,
};
static const struct reap_ops *O;

static void
tt_replay(FILE *f)
{
	fprintf(f, "replay: torture --design %s%s%s --seed %llu --threads %d "
	    "--lifecycles %llu --seconds %g --permille %u --hz %u --tick-us %g",
	    O->name, T.mutant ? " --mutant " : "", T.mutant ? T.mutant : "",
	    (unsigned long long)T.seed, T.nthreads,
	    (unsigned long long)T.o_lifecycles, T.o_seconds, T.o_permille,
	    T.o_hz, T.o_tick_us);
	for (int i = 0; i < T.o_nwiden; i++)
		fprintf(f, " --widen %s", T.o_widen[i]);
	fprintf(f, "%s\n", T.o_no_known_skips ? " --no-known-skips" : "");
}

/* A broken invariant: name the run and its seed, and stop at once. */
static void __attribute__((noreturn, format(printf, 1, 2)))
tfail(const char *fmt, ...)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	va_list ap;

	pthread_mutex_lock(&once);
	printf("FAIL torture design=%s%s%s variant=%#x seed=%llu threads=%d: ",
	    O->name, T.mutant ? " mutant=" : "", T.mutant ? T.mutant : "",
	    T.variant, (unsigned long long)T.seed, T.nthreads);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tt_replay(stdout);
	fflush(stdout);
	_exit(1);
}

#define TASSERT(c, ...) do { if (__builtin_expect(!(c), 0))		\
	tfail(__VA_ARGS__); } while (0)

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
rnd(uint64_t *s, unsigned n)
{
	return (unsigned)(splitmix(s) % n);
}

static void
sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* A random short pause: nothing, a yield, a spin or a short sleep. */
static void
jitter(uint64_t *rng)
{
	switch (rnd(rng, 4)) {
	case 1:
		sched_yield();
		break;
	case 2:
		for (unsigned i = rnd(rng, 2000); i > 0; i--)
			__asm__ __volatile__("" ::: "memory");	/* a spin */
		break;
	case 3:
		sleep_us(1 + rnd(rng, 100));
		break;
	default:
		break;
	}
}

static void
bump(void)
{
	atomic_fetch_add_explicit(&T.progress, 1, memory_order_relaxed);
}

/* ---- the carrier pool ------------------------------------------------------ */

static void scen_rele(struct scen *);
static void lwp_run(struct tlwp *);

static void *
car_main(void *arg)
{
	struct car *c = arg;

	atomic_store_explicit(&c->cr_td, kern_curtd(), memory_order_release);
	for (;;) {
		struct tlwp *job;

		pthread_mutex_lock(&c->cr_mtx);
		while (c->cr_job == NULL && !c->cr_quit)
			pthread_cond_wait(&c->cr_cv, &c->cr_mtx);
		job = c->cr_job;
		c->cr_job = NULL;
		pthread_mutex_unlock(&c->cr_mtx);
		if (job == NULL)
			break;
		atomic_store_explicit(&c->cr_cur, job, memory_order_release);
		lwp_run(job);
		atomic_store_explicit(&job->tl_done, 1, memory_order_release);
		atomic_store_explicit(&c->cr_cur, NULL, memory_order_release);
		scen_rele(job->tl_pr->pr_sc);
		bump();
		pthread_mutex_lock(&T.pl_lock);
		c->cr_next = T.pl_idle;
		T.pl_idle = c;
		T.pl_nidle++;
		T.pl_nfree++;
		pthread_cond_broadcast(&T.pl_cv);
		pthread_mutex_unlock(&T.pl_lock);
	}
	return NULL;
}

static void
pool_start(int n)
{
	T.pl_n = n;
	T.pl_cars = calloc((size_t)n, sizeof(struct car));
	TASSERT(T.pl_cars != NULL, "out of memory");
	T.pl_idle = NULL;
	T.pl_nidle = T.pl_nfree = n;
	for (int i = 0; i < n; i++) {
		struct car *c = &T.pl_cars[i];

		c->cr_idx = i;
		pthread_mutex_init(&c->cr_mtx, NULL);
		pthread_cond_init(&c->cr_cv, NULL);
		c->cr_next = T.pl_idle;
		T.pl_idle = c;
		TASSERT(pthread_create(&c->cr_th, NULL, car_main, c) == 0,
		    "cannot create carrier %d", i);
	}
}

/* Wait until every carrier is idle, then stop and join them. */
static void
pool_stop(void)
{
	pthread_mutex_lock(&T.pl_lock);
	while (T.pl_nidle != T.pl_n)
		pthread_cond_wait(&T.pl_cv, &T.pl_lock);
	pthread_mutex_unlock(&T.pl_lock);
	for (int i = 0; i < T.pl_n; i++) {
		struct car *c = &T.pl_cars[i];

		pthread_mutex_lock(&c->cr_mtx);
		c->cr_quit = true;
		pthread_cond_signal(&c->cr_cv);
		pthread_mutex_unlock(&c->cr_mtx);
		pthread_join(c->cr_th, NULL);
		pthread_mutex_destroy(&c->cr_mtx);
		pthread_cond_destroy(&c->cr_cv);
	}
	free(T.pl_cars);
	T.pl_cars = NULL;
}

static void
pool_reserve(int k)
{
	TASSERT(k <= T.pl_n, "scenario needs %d carriers, pool has %d", k,
	    T.pl_n);
	pthread_mutex_lock(&T.pl_lock);
	while (T.pl_nfree < k)
		pthread_cond_wait(&T.pl_cv, &T.pl_lock);
	T.pl_nfree -= k;
	pthread_mutex_unlock(&T.pl_lock);
}

static void
pool_unreserve(int k)
{
	if (k == 0)
		return;
	pthread_mutex_lock(&T.pl_lock);
	T.pl_nfree += k;
	pthread_cond_broadcast(&T.pl_cv);
	pthread_mutex_unlock(&T.pl_lock);
}

/* Hand a created LWP to a reserved idle carrier. */
static void
pool_dispatch(struct tlwp *tl)
{
	struct car *c;

	atomic_fetch_add_explicit(&tl->tl_pr->pr_sc->sc_refs, 1,
	    memory_order_relaxed);
	pthread_mutex_lock(&T.pl_lock);
	c = T.pl_idle;
	TASSERT(c != NULL, "harness bug: dispatch without a reservation");
	T.pl_idle = c->cr_next;
	T.pl_nidle--;
	pthread_mutex_unlock(&T.pl_lock);
	pthread_mutex_lock(&c->cr_mtx);
	c->cr_job = tl;
	pthread_cond_signal(&c->cr_cv);
	pthread_mutex_unlock(&c->cr_mtx);
}

/* ---- LWP bodies ------------------------------------------------------------ */

static struct tlwp *
slot_by_lid(struct tproc *pr, lwpid_t lid)
{
	int n = atomic_load_explicit(&pr->pr_nslots, memory_order_acquire);

	for (int i = 0; i < n; i++)
		if (atomic_load_explicit(&pr->pr_l[i].tl_lid,
		    memory_order_acquire) == lid)
			return &pr->pr_l[i];
	return NULL;
}

/*
 * `self` collected LWP `d`.  A design may hand a freed LWP's id out again,
 * so several slots may carry `d`: the collection must account for exactly
 * one joinable slot with that id that was not collected yet.
 */
static void
collected(struct tlwp *self, lwpid_t d, const char *how)
{
	struct tproc *pr = self->tl_pr;
	int n = atomic_load_explicit(&pr->pr_nslots, memory_order_acquire);
	bool any = false;

	for (int i = n - 1; i >= 0; i--) {
		struct tlwp *t = &pr->pr_l[i];
		int zero = 0;

		if (atomic_load_explicit(&t->tl_lid, memory_order_acquire) != d)
			continue;
		any = true;
		if (t == self || t->tl_detached)
			continue;
		if (atomic_compare_exchange_strong(&t->tl_seen, &zero, 1)) {
			atomic_fetch_add_explicit(&T.collects, 1,
			    memory_order_relaxed);
			bump();
			return;
		}
	}
	TASSERT(any, "%s: departed lid %d is no LWP of pid %d", how, (int)d,
	    (int)pr->pr_pid);
	tfail("%s: lid %d of pid %d collected twice, or it is the caller or "
	    "a detached LWP", how, (int)d, (int)pr->pr_pid);
}

/* A wait of kind k (lwp_wait(0), lwp_wait(lid), proc_wait) ended while
 * its LWP was killed: counted, to show the kills land in every wait. */
static void
killed_wait(struct reap_lwp *l, int k)
{
	if (O->lwp_killed(l))
		atomic_fetch_add_explicit(&T.kwaits[k], 1, memory_order_relaxed);
}

static void
body_waitany(struct tlwp *tl)
{
	struct reap_lwp *l = tl->tl_l;
	int n = 1 + rnd(&tl->tl_rng, 4);

	for (int k = 0; k < n; k++) {
		lwpid_t d = -1;
		int rc = O->lwp_wait(l, 0, &d);

		if (rc == 0) {
			collected(tl, d, "lwp_wait(0)");
			continue;
		}
		TASSERT(rc == EINTR || rc == EDEADLK || rc == ESRCH,
		    "lwp_wait(0) returned %d", rc);
		TASSERT(rc != EINTR || O->lwp_killed(l), "lwp_wait(0) = EINTR "
		    "but the LWP is not killed");
		killed_wait(l, 0);
		break;
	}
}

/* Some slot of `pr` with id `lid` is detached (the id was handed out
 * again); waits out the moment between lwp_create and the slot's store. */
static bool
detached_reuse(struct tproc *pr, lwpid_t lid)
{
	/* A churner's LWPs are detached and in no slot. */
	if (pr->pr_churn)
		return true;
	for (int tries = 0; tries < 1000; tries++) {
		int n = atomic_load_explicit(&pr->pr_nslots,
		    memory_order_acquire);

		for (int i = 0; i < n; i++)
			if (atomic_load_explicit(&pr->pr_l[i].tl_lid,
			    memory_order_acquire) == lid &&
			    pr->pr_l[i].tl_detached)
				return true;
		sleep_us(1000);
	}
	return false;
}

/*
 * lwp_wait for one joinable sibling.  EDEADLK is accepted: the seeds
 * return it on heuristics (NetBSD 1.54: PS_WEXIT set, or no LWP left
 * running), which conformance checks case by case; here the LWP just
 * exits.  EINVAL only if the sibling is gone and its id now names a
 * detached LWP.
 */
static void
body_waitone(struct tlwp *tl)
{
	struct reap_lwp *l = tl->tl_l;
	struct tlwp *t = &tl->tl_pr->pr_l[tl->tl_target];
	lwpid_t lid = atomic_load(&t->tl_lid), d = -1;
	int rc = O->lwp_wait(l, lid, &d);

	if (rc == 0) {
		TASSERT(d == lid, "lwp_wait(%d) departed %d", (int)lid, (int)d);
		collected(tl, d, "lwp_wait(lid)");
		return;
	}
	if (rc == EINVAL) {
		TASSERT(detached_reuse(tl->tl_pr, lid), "lwp_wait(%d) of a "
		    "joinable sibling returned EINVAL", (int)lid);
		return;
	}
	TASSERT(rc == ESRCH || rc == EINTR || rc == EDEADLK,
	    "lwp_wait(%d) of a joinable sibling returned %d", (int)lid, rc);
	TASSERT(rc != EINTR || O->lwp_killed(l), "lwp_wait(%d) = EINTR but "
	    "the LWP is not killed", (int)lid);
	killed_wait(l, 1);
}

/*
 * proc_wait on P's children until none is left or the LWP is killed.
 * With two reapers (TF_REAPERS) the other one may reap the child this one
 * looked for, so -ECHILD is not checked; a blocking wait is used only
 * where a kill will end it (M_KILL): whether a blocked wait returns when
 * the other reaper takes the last child is not the point here.
 */
static void
body_pwait(struct tlwp *tl)
{
	struct tproc *pr = tl->tl_pr;
	struct scen *sc = pr->pr_sc;
	struct reap_lwp *l = tl->tl_l;
	bool multi = pr->pr_nreapers > 1;

	for (;;) {
		struct tproc *want = NULL, *c = NULL;
		int opt = rnd(&tl->tl_rng, 2) ? WNOHANG : 0, st = -1;
		pid_t rc, pid = -1;

		if (multi && pr->pr_mode == M_EXIT_ALL)
			opt = WNOHANG;

		if (O->lwp_killed(l))
			return;
		for (int i = 1; i < sc->sc_np; i++)
			if (atomic_load(&sc->sc_pr[i].pr_reaped) == 0)
				want = &sc->sc_pr[i];
		if (want != NULL && rnd(&tl->tl_rng, 2))
			pid = want->pr_pid;
		rc = O->proc_wait(l, pid, &st, opt);
		if (rc == -EINTR) {
			TASSERT(O->lwp_killed(l), "proc_wait = -EINTR but the LWP"
			    " is not killed");
			killed_wait(l, 2);
			return;
		}
		if (rc == -ECHILD) {
			TASSERT(want == NULL || multi, "proc_wait(%d) = -ECHILD "
			    "but child %d of %d was never reaped", (int)pid,
			    (int)want->pr_pid, (int)pr->pr_pid);
			return;
		}
		if (rc == 0) {
			TASSERT(opt == WNOHANG, "proc_wait without WNOHANG "
			    "returned 0");
			TASSERT(want != NULL, "proc_wait(WNOHANG) = 0 with no "
			    "child left");
			sleep_us(20 + rnd(&tl->tl_rng, 200));
			continue;
		}
		TASSERT(rc > 0, "proc_wait(%d) returned %d", (int)pid, (int)rc);
		TASSERT(pid == -1 || rc == pid, "proc_wait(%d) reaped %d",
		    (int)pid, (int)rc);
		for (int i = 1; i < sc->sc_np; i++)
			if (sc->sc_pr[i].pr_pid == rc)
				c = &sc->sc_pr[i];
		TASSERT(c != NULL, "proc_wait reaped %d, not a child of %d",
		    (int)rc, (int)pr->pr_pid);
		TASSERT(atomic_fetch_add(&c->pr_reaped, 1) == 0, "child %d "
		    "reaped twice%s", (int)rc, multi ? " (two reapers)" : "");
		if (multi)
			atomic_fetch_add_explicit(&T.multireap, 1,
			    memory_order_relaxed);
		TASSERT(st == c->pr_st[0] || (c->pr_nst > 1 && st == c->pr_st[1]),
		    "child %d exited with status %d, want %d%s", (int)rc, st,
		    c->pr_st[0], c->pr_nst > 1 ? " or the other killer's" : "");
		atomic_fetch_add_explicit(&T.reaps, 1, memory_order_relaxed);
		bump();
	}
}

/*
 * Bad arguments (TF_BADARGS, TF_BADPID): only what the contract makes
 * certain is checked -- no crash, no hang, no collection or reap of
 * anything, EDEADLK for itself and -ECHILD for pids that are no child.
 */
static void
body_badarg(struct tlwp *tl)
{
	static const lwpid_t nolid[] = { -1, -4096, INT32_MAX };
	struct tproc *pr = tl->tl_pr;
	struct reap_lwp *l = tl->tl_l;
	lwpid_t me = atomic_load(&tl->tl_lid), d = -1;
	pid_t rc, bad = -2 - (pid_t)rnd(&tl->tl_rng, 1000);
	int st = -7, e;

	/* Waiting for itself: EDEADLK, or for a detached LWP EINVAL. */
	e = O->lwp_wait(l, me, &d);
	TASSERT(e == EDEADLK || (e == EINVAL && tl->tl_detached) ||
	    (e == EINTR && O->lwp_killed(l)), "lwp_wait(self %d, %s) "
	    "returned %d, want EDEADLK", (int)me, tl->tl_detached ?
	    "detached" : "joinable", e);
	for (size_t i = 0; i < sizeof(nolid) / sizeof(nolid[0]); i++) {
		e = O->lwp_wait(l, nolid[i], &d);
		TASSERT(e != 0, "lwp_wait(%d) collected lid %d: no LWP has "
		    "that id", (int)nolid[i], (int)d);
		TASSERT(O->lwp_hold(pr->pr_p, nolid[i]) == NULL,
		    "lwp_hold(%d) found an LWP", (int)nolid[i]);
	}
	TASSERT(O->lwp_hold(pr->pr_p, 0) == NULL, "lwp_hold(0) found an LWP");
	rc = O->proc_wait(l, pr->pr_pid, &st, WNOHANG);
	TASSERT(rc == -ECHILD || rc == -EINTR, "proc_wait(own pid %d) = %d, "
	    "want -ECHILD", (int)pr->pr_pid, (int)rc);
	rc = O->proc_wait(l, pr->pr_ppid, &st, WNOHANG);
	TASSERT(rc == -ECHILD || rc == -EINTR, "proc_wait(parent's pid %d) "
	    "= %d, want -ECHILD", (int)pr->pr_ppid, (int)rc);
	if ((T.skip & TF_BADPID) == 0) {
		rc = O->proc_wait(l, 0, &st, WNOHANG);
		TASSERT(rc < 0, "proc_wait(0) = %d, want an error", (int)rc);
		rc = O->proc_wait(l, bad, &st, WNOHANG);
		TASSERT(rc < 0, "proc_wait(%d) = %d, want an error", (int)bad,
		    (int)rc);
	}
	TASSERT(st == -7, "a failed proc_wait wrote status %d", st);
	atomic_fetch_add_explicit(&T.badargs, 1, memory_order_relaxed);
	bump();
	/* Then leave like the others: spin until killed in a kill. */
	while (pr->pr_mode == M_KILL && !O->lwp_killed(l))
		sleep_us(20 + rnd(&tl->tl_rng, 80));
}

/*
 * TF_CHURN: a carrier that is no LWP of P creates, enters and exits
 * detached LWPs of P while P exits, until a create is refused (P is
 * exiting) or its count is done.  A refused create must stay refused:
 * the churner then keeps asking in a tight loop, each ask racing the
 * exit's last steps.  Its caller keeps P from being reaped meanwhile:
 * the worker reaps P only once this is done.
 */
static void
body_churn(struct tlwp *tl)
{
	struct tproc *pr = tl->tl_pr;
	int n = 1 + (int)rnd(&tl->tl_rng, 12);

	reap_cpu_set(tl->tl_cpu);
	for (int i = 0; i < n; i++) {
		struct reap_lwp *l;
		lwpid_t lid = 0;

		if (rnd(&tl->tl_rng, 2))
			jitter(&tl->tl_rng);
		if ((l = O->lwp_create(pr->pr_p, REAP_DETACHED, &lid)) == NULL) {
			for (int k = 0; k < 32; k++)
				TASSERT(O->lwp_create(pr->pr_p, REAP_DETACHED,
				    &lid) == NULL, "lwp_create on pid %d "
				    "succeeded after one was refused (the "
				    "process exits)", (int)pr->pr_pid);
			break;
		}
		atomic_fetch_add_explicit(&T.lifecycles, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&T.churned, 1, memory_order_relaxed);
		TASSERT(lid > 0 && O->lwp_id(l) == lid, "lwp_create lid %d, "
		    "lwp_id %d", (int)lid, (int)O->lwp_id(l));
		O->lwp_enter(l);
		if (rnd(&tl->tl_rng, 2))
			jitter(&tl->tl_rng);
		O->lwp_exit(l);
		bump();
	}
}

static void
body_create(struct tlwp *tl)
{
	struct tproc *pr = tl->tl_pr;
	int left = pr->pr_late;

	while (left > 0) {
		struct reap_lwp *n;
		struct tlwp *t;
		lwpid_t lid = 0;
		unsigned flags = rnd(&tl->tl_rng, 2) ? REAP_DETACHED : 0;
		int slot;

		jitter(&tl->tl_rng);
		atomic_fetch_add(&pr->pr_creating, 1);
		n = O->lwp_create(pr->pr_p, flags, &lid);
		if (n == NULL) {
			atomic_fetch_sub(&pr->pr_creating, 1);
			TASSERT(pr->pr_mode == M_KILL, "lwp_create on pid %d "
			    "returned NULL while no LWP of it exits",
			    (int)pr->pr_pid);
			break;
		}
		atomic_fetch_add_explicit(&T.lifecycles, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&T.late, 1, memory_order_relaxed);
		TASSERT(lid > 0 && O->lwp_id(n) == lid, "lwp_create lid %d, "
		    "lwp_id %d", (int)lid, (int)O->lwp_id(n));
		slot = atomic_load(&pr->pr_nslots);
		t = &pr->pr_l[slot];
		t->tl_pr = pr;
		t->tl_l = n;
		t->tl_detached = flags != 0;
		t->tl_kind = pr->pr_mode == M_KILL && rnd(&tl->tl_rng, 2) ?
		    K_SPIN : K_EXIT;
		t->tl_cpu = (int)rnd(&tl->tl_rng, (unsigned)T.ncpus);
		t->tl_rng = splitmix(&tl->tl_rng);
		atomic_store_explicit(&t->tl_lid, lid, memory_order_release);
		atomic_store_explicit(&pr->pr_nslots, slot + 1,
		    memory_order_release);
		atomic_fetch_sub(&pr->pr_creating, 1);
		left--;
		pool_dispatch(t);
	}
	pool_unreserve(left);
}

static void
lwp_run(struct tlwp *tl)
{
	struct reap_lwp *l = tl->tl_l;

	if (tl->tl_kind == K_CHURN) {
		body_churn(tl);
		return;
	}
	reap_cpu_set(tl->tl_cpu);
	O->lwp_enter(l);
	jitter(&tl->tl_rng);
	switch (tl->tl_kind) {
	case K_EXIT:
		break;
	case K_SPIN:
		while (!O->lwp_killed(l)) {
			if (rnd(&tl->tl_rng, 2))
				sched_yield();
			else
				sleep_us(20 + rnd(&tl->tl_rng, 80));
		}
		break;
	case K_WAITANY:
		body_waitany(tl);
		break;
	case K_WAITONE:
		body_waitone(tl);
		break;
	case K_PWAIT:
		body_pwait(tl);
		break;
	case K_CREATE:
		body_create(tl);
		break;
	case K_BADARG:
		body_badarg(tl);
		break;
	case K_PEXIT:
		O->proc_exit(l, tl->tl_status);
		return;
	default:
		tfail("harness bug: kind %d", tl->tl_kind);
	}
	O->lwp_exit(l);
}

/* ---- releasers ------------------------------------------------------------ */

static void *
rl_main(void *arg)
{
	int idx = (int)(intptr_t)arg;
	uint64_t rng = T.seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(idx + 77));

	atomic_store(&T.rl_td[idx], kern_curtd());
	pthread_mutex_lock(&T.rl_lock);
	for (;;) {
		struct reap_lwp *h;

		while (T.rl_n == 0 && !T.rl_quit)
			pthread_cond_wait(&T.rl_cv, &T.rl_lock);
		if (T.rl_n == 0)
			break;
		h = T.rl_q[T.rl_head];
		T.rl_head = (T.rl_head + 1) % 256;
		T.rl_n--;
		pthread_cond_broadcast(&T.rl_cv);
		pthread_mutex_unlock(&T.rl_lock);
		atomic_store(&T.rl_busy[idx], 1);
		if (rnd(&rng, 2))
			sleep_us(rnd(&rng, 300));
		O->lwp_rele(h);
		atomic_store(&T.rl_busy[idx], 0);
		bump();
		pthread_mutex_lock(&T.rl_lock);
	}
	pthread_mutex_unlock(&T.rl_lock);
	return NULL;
}

/* Hand a hold to a releaser. */
static void
rl_handoff(struct reap_lwp *h)
{
	pthread_mutex_lock(&T.rl_lock);
	while (T.rl_n == 256)
		pthread_cond_wait(&T.rl_cv, &T.rl_lock);
	T.rl_q[(T.rl_head + T.rl_n) % 256] = h;
	T.rl_n++;
	pthread_cond_broadcast(&T.rl_cv);
	pthread_mutex_unlock(&T.rl_lock);
}

static void
rl_start(void)
{
	T.rl_head = T.rl_n = 0;
	T.rl_quit = false;
	for (int i = 0; i < TS_NRELE; i++)
		TASSERT(pthread_create(&T.rl_th[i], NULL, rl_main,
		    (void *)(intptr_t)i) == 0, "cannot create releaser");
}

static void
rl_stop(void)
{
	pthread_mutex_lock(&T.rl_lock);
	T.rl_quit = true;
	pthread_cond_broadcast(&T.rl_cv);
	pthread_mutex_unlock(&T.rl_lock);
	for (int i = 0; i < TS_NRELE; i++)
		pthread_join(T.rl_th[i], NULL);
}

/* ---- proc_hold observers (TF_PHOLD) ---------------------------------------- */

/* Publish a new process's pid and planned lids for the observers. */
static void
ob_record(struct tproc *pr)
{
	uint64_t n = atomic_fetch_add(&T.ob_next, 1) % TS_OBSRING;

	for (int i = 0; i < TS_PLANL; i++)
		atomic_store_explicit(&T.ob_ring[n].lid[i], i < pr->pr_nplan ?
		    atomic_load(&pr->pr_l[i].tl_lid) : 0, memory_order_relaxed);
	atomic_store_explicit(&T.ob_ring[n].pid, pr->pr_pid,
	    memory_order_relaxed);
}

/* Look up random recent pids and hold them and their LWPs a while: what
 * is found is what was asked for, and every exit still completes (the
 * watchdog) with the books balanced (run_one). */
static void *
ob_main(void *arg)
{
	uint64_t rng = T.seed ^ (0xd1b54a32d192ed03ull * (uint64_t)(intptr_t)arg);

	while (!atomic_load(&T.ob_quit)) {
		int n = (int)rnd(&rng, TS_OBSRING);
		pid_t pid = atomic_load_explicit(&T.ob_ring[n].pid,
		    memory_order_relaxed);
		struct reap_proc *p;
		struct reap_lwp *l;
		lwpid_t lid;

		if (pid <= 0 || (p = O->proc_hold(T.sys, pid)) == NULL) {
			sched_yield();
			continue;
		}
		TASSERT(O->proc_pid(p) == pid, "proc_hold(%d) returned pid %d",
		    (int)pid, (int)O->proc_pid(p));
		atomic_fetch_add(&T.pholds, 1);
		lid = atomic_load_explicit(&T.ob_ring[n].lid[rnd(&rng,
		    TS_PLANL)], memory_order_relaxed);
		if (lid > 0 && (l = O->lwp_hold(p, lid)) != NULL) {
			TASSERT(O->lwp_proc(l) == p && O->lwp_id(l) == lid,
			    "lwp_hold(%d) of pid %d returned another LWP",
			    (int)lid, (int)pid);
			atomic_fetch_add(&T.plholds, 1);
			if (rnd(&rng, 4) == 0)
				sleep_us(rnd(&rng, 200));
			O->lwp_rele(l);
		}
		if (rnd(&rng, 4) == 0)
			sleep_us(rnd(&rng, 200));
		O->proc_rele(p);
	}
	return NULL;
}

static void
ob_start(void)
{
	atomic_store(&T.ob_quit, 0);
	atomic_store(&T.ob_next, 0);
	atomic_store(&T.pholds, 0);
	atomic_store(&T.plholds, 0);
	for (int i = 0; i < TS_OBSRING; i++)
		atomic_store(&T.ob_ring[i].pid, 0);
	if ((T.skip & TF_PHOLD) != 0)
		return;
	for (int i = 0; i < TS_NOBS; i++)
		TASSERT(pthread_create(&T.ob_th[i], NULL, ob_main,
		    (void *)(intptr_t)(i + 1)) == 0, "cannot create observer");
}

static void
ob_stop(void)
{
	if ((T.skip & TF_PHOLD) != 0)
		return;
	atomic_store(&T.ob_quit, 1);
	for (int i = 0; i < TS_NOBS; i++)
		pthread_join(T.ob_th[i], NULL);
}

/* ---- scenarios ------------------------------------------------------------- */

static void
scen_rele(struct scen *sc)
{
	if (atomic_fetch_sub_explicit(&sc->sc_refs, 1,
	    memory_order_acq_rel) == 1)
		free(sc);
}

/* TF_REAPERS: half the time a second reaper beside the planned one. */
static void
plan_reaper2(struct tproc *pr, uint64_t *rng)
{
	int n = pr->pr_nplan, j = (int)rnd(rng, (unsigned)n);

	if (rnd(rng, 2) != 0)
		return;
	for (int k = 0; k < n; k++) {
		struct tlwp *t = &pr->pr_l[(j + k) % n];

		if (t->tl_kind == K_EXIT || t->tl_kind == K_SPIN) {
			t->tl_kind = K_PWAIT;
			pr->pr_nreapers++;
			return;
		}
	}
}

/* TF_CHURN: a third of the P's get a churner (P only: its worker keeps
 * it from being reaped while the churner creates).  Carriers it needs. */
static int
plan_churner(struct tproc *pr, uint64_t *rng)
{
	struct tlwp *c = &pr->pr_churner;

	pr->pr_churn = pr->pr_idx == 0 && (T.skip & TF_CHURN) == 0 &&
	    rnd(rng, 3) == 0;
	if (!pr->pr_churn)
		return 0;
	memset(c, 0, sizeof(*c));
	c->tl_pr = pr;
	c->tl_kind = K_CHURN;
	c->tl_detached = true;
	c->tl_cpu = (int)rnd(rng, (unsigned)T.ncpus);
	c->tl_rng = splitmix(rng);
	return 1;
}

/* Plan one process: mode, kinds, statuses.  Returns carriers it needs. */
static int
plan_proc(struct tproc *pr, uint64_t *rng, int maxl, bool has_children)
{
	int n = 1 + (int)rnd(rng, (unsigned)maxl), nk = 0, res;
	int npw = 0, maxpw = !has_children ? 0 :
	    (T.skip & TF_REAPERS) != 0 ? 1 : 2;
	bool create = false, badarg = (T.skip & TF_BADARGS) != 0;

	pr->pr_mode = rnd(rng, 2) ? M_KILL : M_EXIT_ALL;
	pr->pr_nplan = n;
	pr->pr_late = 0;
	if (pr->pr_mode == M_KILL) {
		nk = rnd(rng, 3) == 0 && n > 1 ? 2 : 1;
		pr->pr_nst = nk;
		pr->pr_st[0] = 1 + (int)rnd(rng, 120);
		pr->pr_st[1] = 128 + (int)rnd(rng, 120);
	} else {
		pr->pr_nst = 1;
		pr->pr_st[0] = 0;
	}
	for (int i = 0; i < n; i++) {
		struct tlwp *t = &pr->pr_l[i];
		unsigned r = rnd(rng, 100);

		t->tl_pr = pr;
		t->tl_detached = i > 0 && rnd(rng, 100) < 40;
		t->tl_cpu = (int)rnd(rng, (unsigned)T.ncpus);
		t->tl_rng = splitmix(rng);
		if (i < nk) {
			t->tl_kind = K_PEXIT;
			t->tl_status = pr->pr_st[i];
			continue;
		}
		if (r < 25)
			t->tl_kind = K_EXIT;
		else if (r < 45)
			t->tl_kind = pr->pr_mode == M_KILL ? K_SPIN : K_EXIT;
		else if (r < 65)
			t->tl_kind = K_WAITANY;
		else if (r < 80)
			t->tl_kind = K_WAITONE;
		else if (r < 90 && npw < maxpw) {
			t->tl_kind = K_PWAIT;
			npw++;
		} else if (r < 95 && !badarg) {
			t->tl_kind = K_BADARG;
			badarg = true;
		} else if (!create) {
			t->tl_kind = K_CREATE;
			create = true;
			pr->pr_late = 1 + (int)rnd(rng, TS_LATE);
		} else
			t->tl_kind = K_EXIT;
	}
	/* Killers at random slots: swap them away from slot 0 sometimes. */
	if (nk > 0 && n > 1 && rnd(rng, 2)) {
		int j = 1 + (int)rnd(rng, (unsigned)(n - 1));
		struct tlwp tmp = pr->pr_l[0];

		pr->pr_l[0] = pr->pr_l[j];
		pr->pr_l[j] = tmp;
	}
	pr->pr_l[0].tl_detached = false;	/* the master is joinable */
	pr->pr_nreapers = npw;
	if (npw == 1 && maxpw == 2)
		plan_reaper2(pr, rng);
	/* lwp_wait(lid) targets: joinable LWPs that do not wait themselves
	 * (no wait cycles, which may legitimately hang until killed). */
	for (int i = 0; i < n; i++) {
		struct tlwp *t = &pr->pr_l[i];
		int cand[TS_MAXL], nc = 0;

		if (t->tl_kind != K_WAITONE)
			continue;
		for (int j = 0; j < n; j++)
			if (j != i && !pr->pr_l[j].tl_detached &&
			    (pr->pr_l[j].tl_kind == K_EXIT ||
			    pr->pr_l[j].tl_kind == K_SPIN))
				cand[nc++] = j;
		if (nc == 0)
			t->tl_kind = K_WAITANY;
		else
			t->tl_target = cand[rnd(rng, (unsigned)nc)];
	}
	res = n + pr->pr_late;
	return res + plan_churner(pr, rng);
}

/* Create a planned process (fork + its planned LWPs). */
static void
make_proc(struct tproc *pr, struct reap_proc *parent)
{
	struct reap_lwp *m;

	pr->pr_p = O->proc_create(T.sys, parent, &m);
	TASSERT(pr->pr_p != NULL && m != NULL, "proc_create failed");
	pr->pr_pid = O->proc_pid(pr->pr_p);
	pr->pr_ppid = O->proc_pid(parent);
	atomic_fetch_add_explicit(&T.procs, 1, memory_order_relaxed);
	for (int i = 0; i < pr->pr_nplan; i++) {
		struct tlwp *t = &pr->pr_l[i];
		lwpid_t lid = 0;

		if (i == 0) {
			t->tl_l = m;
			lid = O->lwp_id(m);
		} else {
			t->tl_l = O->lwp_create(pr->pr_p, t->tl_detached ?
			    REAP_DETACHED : 0, &lid);
			TASSERT(t->tl_l != NULL, "lwp_create on a new process "
			    "returned NULL");
			TASSERT(O->lwp_id(t->tl_l) == lid, "lwp_id %d != lid %d",
			    (int)O->lwp_id(t->tl_l), (int)lid);
		}
		TASSERT(lid > 0, "lid %d", (int)lid);
		TASSERT(slot_by_lid(pr, lid) == NULL, "lid %d handed out twice "
		    "in pid %d", (int)lid, (int)pr->pr_pid);
		atomic_store_explicit(&t->tl_lid, lid, memory_order_release);
		atomic_store_explicit(&pr->pr_nslots, i + 1,
		    memory_order_release);
		atomic_fetch_add_explicit(&T.lifecycles, 1, memory_order_relaxed);
	}
	ob_record(pr);
}

static void
scen_run(struct wrk *w, struct reap_lwp *wpm)
{
	struct scen *sc = calloc(1, sizeof(*sc));
	struct tproc *P;
	uint64_t *rng = &w->wk_rng;
	int need, st = -1;
	pid_t rc;

	TASSERT(sc != NULL, "out of memory");
	atomic_init(&sc->sc_refs, 1);
	sc->sc_worker = w->wk_idx;
	sc->sc_np = 1 + (int)rnd(rng, 3);
	for (int i = 0; i < sc->sc_np; i++) {
		sc->sc_pr[i].pr_sc = sc;
		sc->sc_pr[i].pr_idx = i;
	}
	P = &sc->sc_pr[0];
	need = plan_proc(P, rng, TS_PLANL, sc->sc_np > 1);
	for (int i = 1; i < sc->sc_np; i++)
		need += plan_proc(&sc->sc_pr[i], rng, TS_CHILDL, false);
	atomic_store(&w->wk_doing, "reserve carriers");
	pool_reserve(need);

	atomic_store(&w->wk_doing, "fork");
	make_proc(P, O->lwp_proc(wpm));
	for (int i = 1; i < sc->sc_np; i++)
		make_proc(&sc->sc_pr[i], P->pr_p);
	atomic_store(&w->wk_pid, P->pr_pid);
	atomic_store(&w->wk_sc, sc);
	/* Children first, then P: in random order within each. */
	for (int i = sc->sc_np - 1; i >= 0; i--) {
		struct tproc *pr = &sc->sc_pr[i];
		int start = (int)rnd(rng, (unsigned)pr->pr_nplan);

		for (int k = 0; k < pr->pr_nplan; k++)
			pool_dispatch(&pr->pr_l[(start + k) % pr->pr_nplan]);
	}
	if (P->pr_churn)
		pool_dispatch(&P->pr_churner);

	/*
	 * Observe: hold up to 4 LWPs of P at once (P is alive: we are its
	 * only reaper), then release each, or hand it to a releaser and go
	 * reap P at once: then the holds are all that keep P from exiting,
	 * and the releases race with the exit and the reap (and with each
	 * other: one release's wakeup is another's spurious wakeup).
	 */
	atomic_store(&w->wk_doing, "observe");
	{
		struct reap_lwp *held[4];
		int nh = 0;

		for (int k = (int)rnd(rng, 5); k > 0; k--) {
			int n = atomic_load_explicit(&P->pr_nslots,
			    memory_order_acquire);
			struct tlwp *t = &P->pr_l[rnd(rng, (unsigned)n)];
			lwpid_t lid = atomic_load(&t->tl_lid);
			struct reap_lwp *h = O->lwp_hold(P->pr_p, lid);

			if (h == NULL)
				continue;
			TASSERT(O->lwp_id(h) == lid && O->lwp_proc(h) == P->pr_p,
			    "held LWP has lid %d (want %d) or the wrong "
			    "process", (int)O->lwp_id(h), (int)lid);
			if (h != t->tl_l) {	/* the id was handed out again */
				bool ok = false, last = false;

				/* A late LWP may be held before its creator
				 * records it: look again until no create is
				 * in flight (the hold keeps h alive). */
				while (!ok && !last) {
					last = atomic_load(&P->pr_creating) == 0;
					n = atomic_load_explicit(&P->pr_nslots,
					    memory_order_acquire);
					for (int i = 0; i < n && !ok; i++)
						ok = P->pr_l[i].tl_l == h;
					if (!ok && !last)
						sched_yield();
				}
				/* (A churner's LWPs are in no slot.) */
				TASSERT(ok || P->pr_churn, "lwp_hold(%d) "
				    "returned an LWP that is not one of pid %d",
				    (int)lid, (int)P->pr_pid);
			}
			held[nh++] = h;
			atomic_fetch_add_explicit(&T.holds, 1,
			    memory_order_relaxed);
			w->wk_holds++;
			jitter(rng);
		}
		if (nh > 0 && rnd(rng, 4) == 0)
			sleep_us(50 + rnd(rng, 500));
		for (int i = 0; i < nh; i++) {
			TASSERT(O->lwp_proc(held[i]) == P->pr_p, "held LWP "
			    "changed process under the hold");
			if (rnd(rng, 2)) {
				rl_handoff(held[i]);
				atomic_fetch_add_explicit(&T.handoffs, 1,
				    memory_order_relaxed);
			} else
				O->lwp_rele(held[i]);
		}
	}

	/* The churner's lwp_create needs P kept from being reaped. */
	atomic_store(&w->wk_doing, "await the churner");
	while (P->pr_churn && atomic_load_explicit(&P->pr_churner.tl_done,
	    memory_order_acquire) == 0)
		sleep_us(50);
	/* Reap P: blocking or by WNOHANG polls. */
	atomic_store(&w->wk_doing, "reap");
	if (rnd(rng, 2)) {
		rc = O->proc_wait(wpm, rnd(rng, 2) ? P->pr_pid : -1, &st, 0);
	} else {
		while ((rc = O->proc_wait(wpm, rnd(rng, 2) ? P->pr_pid : -1,
		    &st, WNOHANG)) == 0)
			sleep_us(20 + rnd(rng, 300));
	}
	TASSERT(rc == P->pr_pid, "worker's proc_wait returned %d, want pid %d",
	    (int)rc, (int)P->pr_pid);
	TASSERT(st == P->pr_st[0] || (P->pr_nst > 1 && st == P->pr_st[1]),
	    "pid %d (%s, %d killers) exited with status %d, want %d%s%d",
	    (int)rc, P->pr_mode == M_KILL ? "kill" : "exit-all", P->pr_nst, st,
	    P->pr_st[0], P->pr_nst > 1 ? " or " : "",
	    P->pr_nst > 1 ? P->pr_st[1] : 0);
	if (rnd(rng, 4) == 0) {
		rc = O->proc_wait(wpm, P->pr_pid, &st, WNOHANG);
		TASSERT(rc == -ECHILD, "pid %d reaped, then proc_wait(WNOHANG) "
		    "= %d, want -ECHILD", (int)P->pr_pid, (int)rc);
	}
	atomic_fetch_add_explicit(&T.reaps, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&T.scens, 1, memory_order_relaxed);
	atomic_store(&w->wk_pid, 0);
	atomic_store(&w->wk_sc, NULL);
	w->wk_scen++;
	bump();
	scen_rele(sc);
}

static bool
run_over(void)
{
	if (atomic_load_explicit(&T.lifecycles, memory_order_relaxed) >=
	    T.o_lifecycles)
		return true;
	return T.o_seconds > 0 &&
	    (double)(kern_now_ns() - T.t0) / 1e9 >= T.o_seconds;
}

static void *
wrk_main(void *arg)
{
	struct wrk *w = arg;
	struct reap_lwp *m = w->wk_m;

	reap_cpu_set(w->wk_idx % T.ncpus);
	atomic_store_explicit(&w->wk_td, kern_curtd(), memory_order_release);
	O->lwp_enter(m);
	while (!atomic_load(&T.stop) && !run_over())
		scen_run(w, m);
	atomic_store(&w->wk_doing, "exit");
	O->lwp_exit(m);		/* WP's last LWP: TP reaps it */
	atomic_store(&w->wk_doing, "done");
	return NULL;
}

/* ---- watchdog ---------------------------------------------------------------- */

static void
dump_td(const char *who, int idx, struct kern_td *td, const char *extra)
{
	const char *wm = td != NULL ? kern_td_wmesg(td) : NULL;

	printf("  %s %d tid %d: %s%s%s\n", who, idx,
	    td != NULL ? (int)kern_td_tid(td) : -1,
	    td == NULL ? "(not started)" : wm != NULL ? wm : "(running)",
	    extra[0] ? " " : "", extra);
}

/* The plan of a scenario and how far each LWP got (racy, for humans). */
static void
dump_scen(struct scen *sc)
{
	if (sc == NULL)
		return;
	for (int i = 0; i < sc->sc_np; i++) {
		struct tproc *pr = &sc->sc_pr[i];
		int n = atomic_load(&pr->pr_nslots);

		printf("    pid %d (%s of %s, %s, status %d", (int)pr->pr_pid,
		    i == 0 ? "P" : "child", i == 0 ? "worker" : "P",
		    pr->pr_mode == M_KILL ? "kill" : "exit-all", pr->pr_st[0]);
		if (pr->pr_nst > 1)
			printf(" or %d", pr->pr_st[1]);
		printf(", reaped %d):", atomic_load(&pr->pr_reaped));
		for (int k = 0; k < n; k++) {
			struct tlwp *t = &pr->pr_l[k];

			printf(" [lid %d %s%s%s%s]", (int)atomic_load(&t->tl_lid),
			    kind_name[t->tl_kind], t->tl_detached ? " det" : "",
			    atomic_load(&t->tl_done) ? " done" : " live",
			    atomic_load(&t->tl_seen) ? " collected" : "");
		}
		if (pr->pr_churn)
			printf(" [churner %s]", atomic_load(&pr->pr_churner.
			    tl_done) ? "done" : "running");
		printf("\n");
	}
}

static void
dump(void)
{
	char buf[160];

	printf("hang: what each thread waits on (design %s, seed %llu):\n",
	    O->name, (unsigned long long)T.seed);
	dump_td("main", 0, atomic_load(&T.main_td), "carries TP");
	for (int i = 0; i < T.nthreads; i++) {
		struct wrk *w = &T.wk[i];
		const char *d = atomic_load(&w->wk_doing);

		snprintf(buf, sizeof(buf), "[worker: %s, pid %d]",
		    d ? d : "?", (int)atomic_load(&w->wk_pid));
		dump_td("worker", i, atomic_load(&w->wk_td), buf);
		dump_scen(atomic_load(&w->wk_sc));
	}
	for (int i = 0; i < TS_NRELE; i++)
		dump_td("releaser", i, atomic_load(&T.rl_td[i]),
		    atomic_load(&T.rl_busy[i]) ? "[in lwp_rele]" : "[idle]");
	for (int i = 0; i < T.pl_n; i++) {
		struct car *c = &T.pl_cars[i];
		struct tlwp *t = atomic_load(&c->cr_cur);

		if (t == NULL)
			continue;
		snprintf(buf, sizeof(buf), "[pid %d lid %d %s %s, %s]",
		    (int)t->tl_pr->pr_pid, (int)atomic_load(&t->tl_lid),
		    t->tl_detached ? "detached" : "joinable",
		    kind_name[t->tl_kind],
		    t->tl_pr->pr_mode == M_KILL ? "kill" : "exit-all");
		dump_td("carrier", i, atomic_load(&c->cr_td), buf);
	}
	fflush(stdout);
}

static void *
wd_main(void *arg)
{
	uint64_t last = (uint64_t)-1, since = kern_now_ns();
	uint64_t start = since, shown = since;

	(void)arg;
	pthread_mutex_lock(&T.wd_lock);
	while (!T.wd_stop) {
		struct timespec ts;
		uint64_t p = atomic_load(&T.progress), now = kern_now_ns();

		/* A long run says how far it is, every TS_PROGRESS_S. */
		if (!T.o_quiet && now - shown >= TS_PROGRESS_S * 1000000000ull) {
			uint64_t n = atomic_load(&T.lifecycles);
			double secs = (double)(now - start) / 1e9;

			shown = now;
			printf("torture: ... %s threads=%d: %llu of %llu "
			    "lifecycles in %.0fs (%.0f/s)\n", O->name,
			    T.nthreads, (unsigned long long)n,
			    (unsigned long long)T.o_lifecycles, secs,
			    secs > 0 ? (double)n / secs : 0.0);
		}
		if (p != last) {
			last = p;
			since = now;
		} else if (now - since > (uint64_t)T.o_hang * 1000000000ull) {
			pthread_mutex_unlock(&T.wd_lock);
			dump();
			tfail("watchdog: no progress for %us (hang); %llu "
			    "lifecycles so far", T.o_hang,
			    (unsigned long long)atomic_load(&T.lifecycles));
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&T.wd_cv, &T.wd_lock, &ts);
	}
	pthread_mutex_unlock(&T.wd_lock);
	return NULL;
}

static void
wd_start(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&T.wd_cv, &ca);
	pthread_condattr_destroy(&ca);
	T.wd_stop = false;
	TASSERT(pthread_create(&T.wd_th, NULL, wd_main, NULL) == 0,
	    "cannot start the watchdog");
}

static void
wd_stop(void)
{
	pthread_mutex_lock(&T.wd_lock);
	T.wd_stop = true;
	pthread_cond_signal(&T.wd_cv);
	pthread_mutex_unlock(&T.wd_lock);
	pthread_join(T.wd_th, NULL);
	pthread_cond_destroy(&T.wd_cv);
}

/* ---- one run ---------------------------------------------------------------- */

/* The TF_* features design `name` skips for its known bugs (said once
 * per design, quiet or not). */
static unsigned
known_skips(const char *name)
{
	static const char *said;
	unsigned skip = 0;

	if (T.o_no_known_skips)
		return 0;
	for (const struct known_bug *kb = known_bugs; kb->kb_design != NULL;
	    kb++) {
		if (strcmp(kb->kb_design, name) != 0)
			continue;
		skip |= kb->kb_feats;
		if (said != name)
			printf("torture: %s skips %s%s%s%s%s(known: %s)\n", name,
		    kb->kb_feats & TF_CHURN ? "churn " : "",
		    kb->kb_feats & TF_REAPERS ? "reapers " : "",
		    kb->kb_feats & TF_BADARGS ? "badargs " : "",
		    kb->kb_feats & TF_BADPID ? "badpid " : "",
		    kb->kb_feats & TF_PHOLD ? "phold " : "", kb->kb_why);
	}
	said = name;
	return skip;
}

static void
books(const struct reap_stats *s, const struct reap_stats *b, char *why,
    size_t len)
{
	snprintf(why, len, "procs created %llu (+%llu, run made %llu) freed "
	    "%llu; lwps created %llu (+%llu, run made %llu) freed %llu; "
	    "zombies_now %llu",
	    (unsigned long long)s->procs_created,
	    (unsigned long long)(s->procs_created - b->procs_created),
	    (unsigned long long)atomic_load(&T.procs),
	    (unsigned long long)s->procs_freed,
	    (unsigned long long)s->lwps_created,
	    (unsigned long long)(s->lwps_created - b->lwps_created),
	    (unsigned long long)atomic_load(&T.lifecycles),
	    (unsigned long long)s->lwps_freed,
	    (unsigned long long)s->zombies_now);
}

static int
run_one(void)
{
	struct reap_config cfg = { .ncpus = T.ncpus, .hz = T.o_hz,
	    .tick_ns = (uint64_t)(T.o_tick_us * 1000), .variant = T.variant };
	struct reap_stats base, s, fin;
	char why[512];
	uint64_t t1, q0;
	double secs;
	int rc, reaped = 0;

	atomic_store(&T.stop, 0);
	atomic_store(&T.lifecycles, 0);
	atomic_store(&T.procs, 0);
	atomic_store(&T.progress, 0);
	atomic_store(&T.collects, 0);
	atomic_store(&T.reaps, 0);
	atomic_store(&T.holds, 0);
	atomic_store(&T.late, 0);
	atomic_store(&T.scens, 0);
	atomic_store(&T.handoffs, 0);
	atomic_store(&T.churned, 0);
	atomic_store(&T.badargs, 0);
	atomic_store(&T.multireap, 0);
	for (int k = 0; k < 3; k++)
		atomic_store(&T.kwaits[k], 0);
	printf("torture: design=%s%s%s variant=%#x seed=%llu threads=%d "
	    "lifecycles=%llu seconds=%g permille=%u hz=%u tick_us=%g\n",
	    O->name, T.mutant ? " mutant=" : "", T.mutant ? T.mutant : "",
	    T.variant, (unsigned long long)T.seed, T.nthreads,
	    (unsigned long long)T.o_lifecycles, T.o_seconds, T.o_permille,
	    T.o_hz, T.o_tick_us);
	T.skip = known_skips(O->name);
	fflush(stdout);

	reap_cpu_set(0);
	atomic_store(&T.main_td, kern_curtd());
	T.boot = reap_boot(O, &cfg);
	TASSERT(T.boot != NULL, "reap_boot failed");
	T.sys = reap_boot_sys(T.boot);
	memset(&base, 0, sizeof(base));
	reap_stats_quiesced(O, T.sys, &base);
	pool_start(T.nthreads * (TS_MAXRES / 2) + TS_MAXRES);
	rl_start();
	wd_start();
	kern_inject_enable(T.seed, T.o_permille);
	for (int i = 0; i < T.o_nwiden; i++) {
		static char names[8][128];
		const char *c = strrchr(T.o_widen[i], ':'), *e;
		size_t n = c != NULL ? (size_t)(c - T.o_widen[i]) : 0;

		TASSERT(c != NULL && n > 0 && n < sizeof(names[i]),
		    "--widen wants POINT:US[/N], not %s", T.o_widen[i]);
		memcpy(names[i], T.o_widen[i], n);
		names[i][n] = '\0';
		e = strchr(c, '/');
		kern_inject_widen_every(names[i], (unsigned)atoi(c + 1),
		    e != NULL ? (unsigned)atoi(e + 1) : 1);
	}

	T.tp = O->proc_create(T.sys, NULL, &T.tpm);
	TASSERT(T.tp != NULL, "proc_create of TP failed");
	atomic_fetch_add(&T.procs, 1);
	atomic_fetch_add(&T.lifecycles, 1);
	O->lwp_enter(T.tpm);
	T.t0 = kern_now_ns();
	ob_start();		/* after kern_inject_enable: they inject */
	for (int i = 0; i < T.nthreads; i++) {
		struct wrk *w = &T.wk[i];

		memset(w, 0, sizeof(*w));
		w->wk_idx = i;
		/* WP_i exists before TP waits, so TP never sees ECHILD early. */
		TASSERT(O->proc_create(T.sys, T.tp, &w->wk_m) != NULL,
		    "proc_create of worker process %d failed", i);
		atomic_fetch_add(&T.procs, 1);
		atomic_fetch_add(&T.lifecycles, 1);
		w->wk_rng = T.seed ^ (0x5851f42d4c957f2dull * (uint64_t)(i + 1));
		TASSERT(pthread_create(&w->wk_th, NULL, wrk_main, w) == 0,
		    "cannot create worker %d", i);
	}
	/* TP reaps the worker processes as they finish. */
	while (reaped < T.nthreads) {
		int st = -1;
		pid_t pid = O->proc_wait(T.tpm, -1, &st, 0);

		TASSERT(pid > 0, "TP's proc_wait returned %d with %d worker "
		    "processes left", (int)pid, T.nthreads - reaped);
		TASSERT(st == 0, "worker process %d exited with status %d",
		    (int)pid, st);
		reaped++;
		bump();
	}
	for (int i = 0; i < T.nthreads; i++)
		pthread_join(T.wk[i].wk_th, NULL);
	ob_stop();
	rl_stop();
	rc = O->proc_wait(T.tpm, -1, &reaped, WNOHANG);
	TASSERT(rc == -ECHILD, "TP has children left (proc_wait = %d)", rc);
	t1 = kern_now_ns();
	O->lwp_exit(T.tpm);
	T.tpm = NULL;
	pool_stop();		/* orphans of the last scenarios finish */
	kern_inject_disable();

	/* Quiesce: init reaps the orphans, reapers free dead LWPs. */
	q0 = kern_now_ns();
	for (;;) {
		memset(&s, 0, sizeof(s));
		reap_stats_quiesced(O, T.sys, &s);
		books(&s, &base, why, sizeof(why));
		if (s.procs_created - base.procs_created ==
		    atomic_load(&T.procs) && s.lwps_created -
		    base.lwps_created == atomic_load(&T.lifecycles) &&
		    s.procs_created - s.procs_freed ==
		    base.procs_created - base.procs_freed &&
		    s.lwps_created - s.lwps_freed ==
		    base.lwps_created - base.lwps_freed && s.zombies_now == 0)
			break;
		TASSERT(kern_now_ns() - q0 < 10000000000ull, "books do not "
		    "balance 10s after the run: %s", why);
		sleep_us(1000);
	}
	memset(&fin, 0, sizeof(fin));
	rc = reap_halt(T.boot, 10000, &fin);
	books(&fin, &base, why, sizeof(why));
	TASSERT(rc == 0, "reap_halt = %d: %s", rc, why);
	TASSERT(fin.procs_created == fin.procs_freed &&
	    fin.lwps_created == fin.lwps_freed && fin.zombies_now == 0,
	    "final books do not balance: %s", why);
	wd_stop();
	secs = (double)(t1 - T.t0) / 1e9;
	if (!T.o_quiet)
		printf("torture: ok %s%s%s seed=%llu threads=%d: %llu lifecycles in "
		    "%.2fs = %.0f/s; %llu scenarios, %llu procs, %llu collected, "
		    "%llu reaped, %llu holds (%llu handed off), %llu late creates, "
		    "%llu churned, %llu bad-argument rounds, %llu reaped by one "
		    "of two reapers, killed in lwp_wait(0)/lwp_wait(lid)/"
		    "proc_wait %llu/%llu/%llu; %llu proc_holds (%llu with an "
		    "lwp_hold); zombies_peak %llu, "
		    "sleeps %llu, tick_sleeps %llu, spins %llu\n", O->name,
		    T.mutant ? " mutant=" : "", T.mutant ? T.mutant : "",
		    (unsigned long long)T.seed, T.nthreads,
		    (unsigned long long)atomic_load(&T.lifecycles), secs,
		    (double)atomic_load(&T.lifecycles) / (secs > 0 ? secs : 1e-9),
		    (unsigned long long)atomic_load(&T.scens),
		    (unsigned long long)atomic_load(&T.procs),
		    (unsigned long long)atomic_load(&T.collects),
		    (unsigned long long)atomic_load(&T.reaps),
		    (unsigned long long)atomic_load(&T.holds),
		    (unsigned long long)atomic_load(&T.handoffs),
		    (unsigned long long)atomic_load(&T.late),
		    (unsigned long long)atomic_load(&T.churned),
		    (unsigned long long)atomic_load(&T.badargs),
		    (unsigned long long)atomic_load(&T.multireap),
		    (unsigned long long)atomic_load(&T.kwaits[0]),
		    (unsigned long long)atomic_load(&T.kwaits[1]),
		    (unsigned long long)atomic_load(&T.kwaits[2]),
		    (unsigned long long)atomic_load(&T.pholds),
		    (unsigned long long)atomic_load(&T.plholds),
		    (unsigned long long)fin.zombies_peak,
		    (unsigned long long)fin.sleeps,
		    (unsigned long long)fin.tick_sleeps, (unsigned long long)fin.spins);
	fflush(stdout);
	return 0;
}

/* ---- main ------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: torture [--design NAME[,NAME]] [--mutant NAME]"
	    " [--seed N] [--seeds K]\n"
	    "               [--threads T[,T...]] [--lifecycles N] [--seconds S]"
	    " [--permille P]\n"
	    "               [--hang S] [--hz HZ] [--tick-us US]"
	    " [--widen POINT:US[/N]]...\n"
	    "               [--no-known-skips] [--list] [--list-mutants]"
	    " [--quiet]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *threads = "4";
	int nruns = 0, ndesigns = 0;
	uint64_t total = 0, t0;
	bool seeded = false;

	T.o_designs = getenv("REAP_DESIGN");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--list") == 0 || strcmp(a, "--list-mutants") == 0) {
			bool mut = a[6] == '-';

			for (int d = 0; reap_designs[d] != NULL; d++) {
				const struct reap_ops *o = reap_designs[d];

				if (!mut)
					printf("%s\t%s\n", o->name, o->about);
				for (const struct reap_mutant *m = o->mutants;
				    mut && m != NULL && m->name != NULL; m++)
					printf("%s\t%s\t%#x\t%s\t%s\t%s\n",
					    o->name, m->name, m->variant,
					    m->what, m->widen != NULL ?
					    m->widen : "-", m->origin);
			}
			return 0;
		}
		if (strcmp(a, "--quiet") == 0) {
			T.o_quiet = true;
			continue;
		}
		if (strcmp(a, "--no-known-skips") == 0) {
			T.o_no_known_skips = true;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--design") == 0)
			T.o_designs = v;
		else if (strcmp(a, "--mutant") == 0)
			T.o_mutant = v;
		else if (strcmp(a, "--seed") == 0) {
			T.o_seed = strtoull(v, NULL, 0);
			seeded = true;
		} else if (strcmp(a, "--seeds") == 0)
			T.o_seeds = atoi(v);
		else if (strcmp(a, "--threads") == 0)
			threads = v;
		else if (strcmp(a, "--lifecycles") == 0)
			T.o_lifecycles = strtoull(v, NULL, 0);
		else if (strcmp(a, "--seconds") == 0)
			T.o_seconds = atof(v);
		else if (strcmp(a, "--permille") == 0)
			T.o_permille = (unsigned)atoi(v);
		else if (strcmp(a, "--hang") == 0)
			T.o_hang = (unsigned)atoi(v);
		else if (strcmp(a, "--hz") == 0)
			T.o_hz = (unsigned)atoi(v);
		else if (strcmp(a, "--tick-us") == 0)
			T.o_tick_us = atof(v);
		else if (strcmp(a, "--widen") == 0 && T.o_nwiden < 8)
			T.o_widen[T.o_nwiden++] = v;
		else
			usage();
	}
	if (T.o_tick_us < 0 || T.o_hz == 0) {
		fprintf(stderr, "torture: --hz must be > 0 and --tick-us >= 0"
		    " (0: ticks of real time)\n");
		return 2;
	}
	for (const char *s = threads; *s != '\0' && T.o_nthreads < 16;) {
		int t = atoi(s);

		if (t < 1 || t > TS_MAXTHREADS) {
			fprintf(stderr, "torture: --threads must be 1..%d\n",
			    TS_MAXTHREADS);
			return 2;
		}
		T.o_threads[T.o_nthreads++] = t;
		s = strchr(s, ',');
		if (s == NULL)
			break;
		s++;
	}
	if (!seeded)
		T.o_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	if (T.o_seeds < 1)
		T.o_seeds = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (T.o_mutant != NULL) {
		for (int d = 0; reap_designs[d] != NULL && T.mutant == NULL;
		    d++) {
			const struct reap_mutant *m = reap_designs[d]->mutants;

			if (!rt_name_in_list(reap_designs[d]->name, T.o_designs))
				continue;
			for (; m != NULL && m->name != NULL; m++)
				if (strcmp(m->name, T.o_mutant) == 0)
					break;
			if (m == NULL || m->name == NULL)
				continue;
			O = T.ops = reap_designs[d];
			T.variant = m->variant;
			T.mutant = m->name;
			if (m->widen != NULL && T.o_nwiden < 8)
				T.o_widen[T.o_nwiden++] = m->widen;
		}
		if (T.mutant == NULL) {
			printf("torture: mutant %s is not registered by %s\n",
			    T.o_mutant, T.o_designs ? T.o_designs : "any design");
			return 3;
		}
#ifndef REAP_MUTANTS
		printf("torture: this build has no mutants (REAP_MUTANTS)\n");
		return 3;
#endif
	}
	t0 = kern_now_ns();
	for (int d = 0; reap_designs[d] != NULL; d++) {
		if (T.mutant != NULL ? reap_designs[d] != T.ops :
		    !rt_name_in_list(reap_designs[d]->name, T.o_designs))
			continue;
		O = T.ops = reap_designs[d];
		ndesigns++;
		for (int ti = 0; ti < T.o_nthreads; ti++) {
			T.nthreads = T.o_threads[ti];
			T.ncpus = T.nthreads < 2 ? 2 : T.nthreads;
			for (int k = 0; k < T.o_seeds; k++) {
				T.seed = T.o_seed + (uint64_t)k;
				run_one();
				total += atomic_load(&T.lifecycles);
				nruns++;
			}
		}
	}
	if (ndesigns == 0) {
		printf("torture: no design %s is registered: ran against "
		    "none\n", T.o_designs ? T.o_designs : "at all");
		return T.o_designs != NULL ? 1 : 0;
	}
	printf("torture: %d runs passed, 0 failed; %llu lifecycles in %.1fs "
	    "(%.0f/s overall)\n", nruns, (unsigned long long)total,
	    (double)(kern_now_ns() - t0) / 1e9,
	    (double)total / ((double)(kern_now_ns() - t0) / 1e9));
	return 0;
}
