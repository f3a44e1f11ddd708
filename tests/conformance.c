/*
 * conformance.c - the one suite that checks every semantic rule of the
 * common header (include/reap.h; DESIGN.md "Semantics every design must
 * meet") against every registered design and variant.
 *
 * Every case runs once per design and is named <case>/<design>, e.g.
 * "conf_lwp_wait_any/netbsd".  `--design NAME[,NAME]` or the environment
 * variable REAP_DESIGN restricts the run; the remaining arguments go to
 * rt_main() (substring filters, --seed, --list).
 *
 * Isolation.  The parent process forks one child per design, so that a
 * design that fails (rt_fail exits at once), panics or trips a sanitizer
 * does not hide the results of the others.  The parent then prints
 * "conformance: ..." with the designs that failed and exits non-zero if
 * any did.  With no design registered it says so: it ran against none.
 *
 * Each case boots a fresh system with reap_boot() (init's wait loop runs
 * on the harness's thread), runs, joins its carriers, and then checks the
 * books (conf_end): the stats must show exactly the processes and LWPs the
 * case created, every one of them freed and no zombie LWP left -- first
 * after a quiesce that lets init and the design's reapers finish (relative
 * to the books right after boot, which hold reap_boot's sentinel), then in
 * the final snapshot reap_halt() takes once init's loop has stopped
 * (absolute: created == freed).
 *
 * Carriers.  Each LWP gets its own pthread (a carrier) that binds to a
 * model CPU, enters the LWP, runs a body and ends with lwp_exit or
 * proc_exit; carriers are joined at the end of the case.  The main thread
 * is itself the carrier of the "test parent" TP (a child of init), so it
 * can proc_wait for the processes a case creates under TP.
 *
 * A watchdog turns a hang into a failure: after CONF_TIMEOUT seconds
 * (default 30) it prints what every carrier sleeps on (kern_td_wmesg) and
 * fails the case, naming the case and the design.
 *
 * Status convention: proc_wait returns, in *status, the value that was
 * passed to proc_exit (0 when the last LWP left with lwp_exit), not a
 * W_EXITCODE encoding.
 *
 * This file holds the harness (its interface: conformance.h), main and
 * the cases that check reap.h's rules one by one; conf_races.c holds
 * the adversarial ones (races, kills, bad arguments, holds).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conformance.h"

struct conf conf = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wd_lock = PTHREAD_MUTEX_INITIALIZER,
};

const struct reap_ops *O;	/* == conf.ops, for brevity */
static const char *_Atomic conf_stage_what = "";	/* main thread's stage */
static _Atomic int conf_stage_round = -1;
static struct kern_td *_Atomic conf_main_td;

/* Say where the case's main thread is (round -1: none), for hang dumps. */
void
conf_stage(const char *what, int round)
{
	atomic_store(&conf_stage_round, round);
	atomic_store(&conf_stage_what, what);
}
static __thread bool conf_tl_exited;	/* the carrier's LWP has exited */

/* ---- small helpers ------------------------------------------------------ */

void
conf_sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Wait (politely) until *f >= v.  The watchdog bounds it. */
void
conf_await(_Atomic int *f, int v)
{
	while (atomic_load_explicit(f, memory_order_acquire) < v)
		conf_sleep_us(100);
}

void
conf_open(_Atomic int *f)
{
	atomic_store_explicit(f, 1, memory_order_release);
}

void
conf_stats(struct reap_stats *s)
{
	memset(s, 0, sizeof(*s));
	reap_stats_quiesced(O, conf.sys, s);
}

/* The carrier's LWP leaves with _lwp_exit. */
void
c_exit(struct reap_lwp *l)
{
	O->lwp_exit(l);
	conf_tl_exited = true;
}

/* The carrier's LWP leaves with exit1(status). */
void
c_pexit(struct reap_lwp *l, int status)
{
	O->proc_exit(l, status);
	conf_tl_exited = true;
}

/* fork under `parent` (NULL: init); checks pid, master id and owner. */
struct reap_proc *
conf_proc(struct reap_proc *parent, struct reap_lwp **master)
{
	struct reap_proc *p;
	pid_t pid;

	*master = NULL;
	p = O->proc_create(conf.sys, parent, master);
	RT_ASSERTF(p != NULL && *master != NULL,
	    "proc_create returned proc %p master %p", (void *)p,
	    (void *)*master);
	atomic_fetch_add_explicit(&conf.nprocs, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&conf.nlwps, 1, memory_order_relaxed);
	pid = O->proc_pid(p);
	RT_ASSERTF(pid > 1, "proc_create gave pid %d (init is 1)", (int)pid);
	RT_ASSERTF(O->lwp_proc(*master) == p, "master's lwp_proc is not its proc");
	RT_ASSERTF(O->lwp_id(*master) > 0, "master lid %d",
	    (int)O->lwp_id(*master));
	return p;
}

/* _lwp_create on a live process; checks the id it reports. */
struct reap_lwp *
conf_lwp(struct reap_proc *p, unsigned flags, lwpid_t *lidp)
{
	struct reap_lwp *l;
	lwpid_t lid = -1;

	l = O->lwp_create(p, flags, &lid);
	RT_ASSERTF(l != NULL, "lwp_create on a live process returned NULL");
	atomic_fetch_add_explicit(&conf.nlwps, 1, memory_order_relaxed);
	RT_ASSERTF(lid > 0, "lwp_create gave lid %d", (int)lid);
	RT_ASSERTF(O->lwp_id(l) == lid, "lwp_id %d != lid %d from lwp_create",
	    (int)O->lwp_id(l), (int)lid);
	RT_ASSERTF(O->lwp_proc(l) == p, "lwp_proc is not the creating proc");
	if (lidp != NULL)
		*lidp = lid;
	return l;
}

static void
conf_thr_add(struct conf_thr *t)
{
	pthread_mutex_lock(&conf.lock);
	RT_ASSERTF(conf.nthr < CONF_MAXTHR, "too many carriers in one case");
	conf.thr[conf.nthr++] = t;
	pthread_mutex_unlock(&conf.lock);
}

static void *
conf_carrier_main(void *arg)
{
	struct conf_thr *t = arg;

	reap_cpu_set(t->ct_cpu);
	atomic_store_explicit(&t->ct_td, kern_curtd(), memory_order_release);
	O->lwp_enter(t->ct_lwp);
	conf_tl_exited = false;
	t->ct_body(t->ct_lwp, t->ct_arg);
	RT_ASSERTF(conf_tl_exited,
	    "test bug: body of lid %d returned without exiting its LWP",
	    (int)t->ct_lid);
	atomic_store_explicit(&t->ct_done, 1, memory_order_release);
	return NULL;
}

/* Give LWP `l` a carrier on model CPU `cpu` running body(l, arg).  Reads
 * the LWP's id first: once its carrier runs, it may exit and be freed. */
struct conf_thr *
conf_go(struct reap_lwp *l, int cpu, conf_body_t body, void *arg)
{
	struct conf_thr *t = calloc(1, sizeof(*t));
	int rc;

	RT_ASSERT(t != NULL);
	t->ct_lwp = l;
	t->ct_lid = O->lwp_id(l);
	t->ct_cpu = cpu % CONF_NCPUS;
	t->ct_body = body;
	t->ct_arg = arg;
	conf_thr_add(t);
	rc = pthread_create(&t->ct_thread, NULL, conf_carrier_main, t);
	RT_ASSERTF(rc == 0, "pthread_create: %s", strerror(rc));
	return t;
}

static void *
conf_worker_main(void *arg)
{
	struct conf_thr *t = arg;

	reap_cpu_set(t->ct_cpu);
	atomic_store_explicit(&t->ct_td, kern_curtd(), memory_order_release);
	t->ct_worker(t->ct_arg);
	atomic_store_explicit(&t->ct_done, 1, memory_order_release);
	return NULL;
}

/* A thread that is not (yet) a carrier, e.g. one that churns LWPs. */
struct conf_thr *
conf_worker(int cpu, void *(*fn)(void *), void *arg)
{
	struct conf_thr *t = calloc(1, sizeof(*t));
	int rc;

	RT_ASSERT(t != NULL);
	t->ct_cpu = cpu % CONF_NCPUS;
	t->ct_worker = fn;
	t->ct_arg = arg;
	conf_thr_add(t);
	rc = pthread_create(&t->ct_thread, NULL, conf_worker_main, t);
	RT_ASSERTF(rc == 0, "pthread_create: %s", strerror(rc));
	return t;
}

/* Wait for one carrier to finish (its LWP's exit call returned). */
void
conf_join(struct conf_thr *t)
{
	conf_await(&t->ct_done, 1);
}

void
conf_join_all(void)
{
	for (int i = 0; i < conf.nthr; i++) {
		pthread_join(conf.thr[i]->ct_thread, NULL);
		free(conf.thr[i]);
		conf.thr[i] = NULL;
	}
	conf.nthr = 0;
}

/* The main thread becomes the carrier of TP, a child of init. */
void
conf_parent(void)
{
	conf.tp = conf_proc(NULL, &conf.tpm);
	O->lwp_enter(conf.tpm);
}

/* proc_wait from TP. */
pid_t
tp_wait(pid_t pid, int *status, int options)
{
	int st = -12345;
	pid_t rc;

	RT_ASSERT(conf.tpm != NULL);
	rc = O->proc_wait(conf.tpm, pid, &st, options);
	if (status != NULL)
		*status = st;
	return rc;
}

/* TP reaps `pid` and checks its exit status. */
void
tp_reap(pid_t pid, int want)
{
	int st;
	pid_t rc = tp_wait(pid, &st, 0);

	RT_ASSERTF(rc == pid, "proc_wait(%d) returned %d", (int)pid, (int)rc);
	RT_ASSERTF(st == want, "proc_wait(%d): status %d, expected %d "
	    "(the raw value given to proc_exit; 0 after the last lwp_exit)",
	    (int)pid, st, want);
}

void
conf_inject(unsigned permille)
{
#ifndef KERN_NO_INJECT
	kern_inject_enable(rt_seed(), permille);
	conf.injecting = true;
#else
	(void)permille;
#endif
}

/*
 * Injection for one round of a case, with a seed of its own, so that one
 * run tries several seeds; `--seed N` replays every round's.  Returns the
 * round's seed for the failure messages.
 */
uint64_t
conf_inject_round(unsigned permille, int round)
{
	uint64_t seed = rt_seed() + (uint64_t)round * 0x9e3779b97f4a7c15ull;

#ifndef KERN_NO_INJECT
	kern_inject_enable(seed, permille);
	conf.injecting = true;
#else
	(void)permille;
#endif
	return seed;
}

/* ---- bodies ------------------------------------------------------------- */

void
body_exit(struct reap_lwp *l, void *arg)
{
	(void)arg;
	c_exit(l);
}

/* A carrier that runs until its process is killed (userret check). */
void
body_until_killed(struct reap_lwp *l, void *arg)
{
	(void)arg;
	while (!O->lwp_killed(l))
		conf_sleep_us(200);
	c_exit(l);
}

/* Wait for the gate *arg, then _lwp_exit. */
void
body_gate_exit(struct reap_lwp *l, void *arg)
{
	conf_await(arg, 1);
	c_exit(l);
}

void
body_gate_pexit(struct reap_lwp *l, void *arg)
{
	struct gate_pexit *g = arg;

	conf_await(&g->gate, 1);
	c_pexit(l, g->status);
}

void
body_pexit(struct reap_lwp *l, void *arg)
{
	c_pexit(l, (int)(intptr_t)arg);
}

/* ---- the watchdog ------------------------------------------------------- */

static void
conf_dump(void)
{
	struct kern_td *mtd = atomic_load(&conf_main_td);
	const char *mw = mtd != NULL ? kern_td_wmesg(mtd) : NULL;

	printf("hang in %s: what each thread waits on:\n", rt_current());
	printf("  main: %s; at: %s", mw != NULL ? mw : "(running)",
	    atomic_load(&conf_stage_what));
	if (atomic_load(&conf_stage_round) >= 0)
		printf(" (round %d)", atomic_load(&conf_stage_round));
	printf("\n");
	pthread_mutex_lock(&conf.lock);
	for (int i = 0; i < conf.nthr; i++) {
		struct conf_thr *t = conf.thr[i];
		struct kern_td *td = atomic_load_explicit(&t->ct_td,
		    memory_order_acquire);
		const char *w = td != NULL ? kern_td_wmesg(td) : NULL;

		if (atomic_load_explicit(&t->ct_done, memory_order_acquire))
			continue;
		printf("  %s lid %d cpu %d tid %d: %s\n",
		    t->ct_lwp != NULL ? "carrier" : "worker", (int)t->ct_lid,
		    t->ct_cpu, td != NULL ? (int)kern_td_tid(td) : -1,
		    td == NULL ? "(not started)" : w != NULL ? w : "(running)");
	}
	pthread_mutex_unlock(&conf.lock);
	fflush(stdout);
}

static void *
conf_watchdog_main(void *arg)
{
	struct timespec dl;
	bool stop;
	int rc = 0;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += conf.wd_timeout_s;
	pthread_mutex_lock(&conf.wd_lock);
	while (!conf.wd_stop && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&conf.wd_cv, &conf.wd_lock, &dl);
	stop = conf.wd_stop;
	pthread_mutex_unlock(&conf.wd_lock);
	if (!stop) {
		conf_dump();
		rt_fail(__FILE__, __LINE__, "watchdog: %s on design %s did not "
		    "finish within %us (hang)", rt_current(), O->name,
		    conf.wd_timeout_s);
	}
	return NULL;
}

static void
conf_watchdog_start(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&conf.wd_cv, &ca);
	pthread_condattr_destroy(&ca);
	conf.wd_stop = false;
	if (pthread_create(&conf.wd_thread, NULL, conf_watchdog_main, NULL))
		rt_fail(__FILE__, __LINE__, "cannot start the watchdog");
}

static void
conf_watchdog_stop(void)
{
	pthread_mutex_lock(&conf.wd_lock);
	conf.wd_stop = true;
	pthread_cond_signal(&conf.wd_cv);
	pthread_mutex_unlock(&conf.wd_lock);
	pthread_join(conf.wd_thread, NULL);
	pthread_cond_destroy(&conf.wd_cv);
}

/* ---- begin / end of a case: boot, books, halt --------------------------- */

/* Boot for a case.  tick_ns 0: real ticks; else model time compressed
 * as `make torture` does (a tick lasts tick_ns; polls keep their tick
 * counts), for the round-based cases that would otherwise spend seconds
 * in dragonfly-2010's one-second polls. */
void
conf_begin(uint64_t tick_ns)
{
	struct reap_config cfg = { .ncpus = CONF_NCPUS, .hz = 100,
	    .tick_ns = tick_ns };

	conf_watchdog_start();
	atomic_store(&conf.nprocs, 0);
	atomic_store(&conf.nlwps, 0);
	conf.tp = NULL;
	conf.tpm = NULL;
	reap_cpu_set(0);
	atomic_store(&conf_main_td, kern_curtd());
	conf_stage("case body", -1);
	conf.boot = reap_boot(O, &cfg);
	RT_ASSERTF(conf.boot != NULL, "reap_boot failed");
	conf.sys = reap_boot_sys(conf.boot);
	RT_ASSERT(conf.sys != NULL);
	conf_stats(&conf.base);
	RT_ASSERTF(conf.base.zombies_now == 0, "zombies_now %llu at boot",
	    (unsigned long long)conf.base.zombies_now);
}

/* Created == freed relative to boot; `want_created` checks the deltas. */
static bool
conf_balanced(const struct reap_stats *s, char *why, size_t len)
{
	const struct reap_stats *b = &conf.base;
	uint64_t np = atomic_load(&conf.nprocs), nl = atomic_load(&conf.nlwps);

	snprintf(why, len, "procs created %llu (+%llu, case made %llu) freed "
	    "%llu (+%llu); lwps created %llu (+%llu, case made %llu) freed %llu "
	    "(+%llu); zombies_now %llu",
	    (unsigned long long)s->procs_created,
	    (unsigned long long)(s->procs_created - b->procs_created),
	    (unsigned long long)np, (unsigned long long)s->procs_freed,
	    (unsigned long long)(s->procs_freed - b->procs_freed),
	    (unsigned long long)s->lwps_created,
	    (unsigned long long)(s->lwps_created - b->lwps_created),
	    (unsigned long long)nl, (unsigned long long)s->lwps_freed,
	    (unsigned long long)(s->lwps_freed - b->lwps_freed),
	    (unsigned long long)s->zombies_now);
	return s->procs_created - b->procs_created == np &&
	    s->procs_freed - b->procs_freed == np &&
	    s->lwps_created - b->lwps_created == nl &&
	    s->lwps_freed - b->lwps_freed == nl &&
	    s->zombies_now == 0;
}

/*
 * The named stand-ins (kern.h's enum kern_work): in s (since `base`, if
 * not NULL), each per-LWP name ran once for every LWP freed and each
 * per-process name once for every process freed, whatever the design.
 */
static void
conf_work_check(const struct reap_stats *s, const struct reap_stats *base)
{
	uint64_t nl = s->lwps_freed, np = s->procs_freed, n, want;

	if (base != NULL) {
		nl -= base->lwps_freed;
		np -= base->procs_freed;
	}
	for (unsigned w = 0; w < REAP_WORK_NAMES; w++) {
		n = s->work[w] - (base != NULL ? base->work[w] : 0);
		want = w < REAP_WORK_LWP ? nl : np;
		RT_ASSERTF(n == want, "%s: stand-in %s ran %llu times for "
		    "%llu %s freed", O->name, reap_work_name(w),
		    (unsigned long long)n, (unsigned long long)want,
		    w < REAP_WORK_LWP ? "LWPs" : "processes");
	}
}

void
conf_end(void)
{
	struct reap_stats s;
	char why[512];
	uint64_t t0, quiesce_ns;
	int rc;

	conf_stage("conf_end: joining carriers", -1);
	conf_join_all();
#ifndef KERN_NO_INJECT
	if (conf.injecting) {
		kern_inject_disable();
		conf.injecting = false;
	}
#endif
	if (conf.tpm != NULL) {
		O->lwp_exit(conf.tpm);	/* TP's last LWP: TP exits, init reaps */
		conf.tpm = NULL;
	}
	/* The books get a watchdog budget of their own. */
	conf_watchdog_stop();
	conf_watchdog_start();
	conf_stage("conf_end: quiesce and halt", -1);
	/* Quiesce: init reaps orphans, reapers free dead LWPs. */
	quiesce_ns = (uint64_t)conf.wd_timeout_s * 500000000ull;
	t0 = kern_now_ns();
	for (;;) {
		conf_stats(&s);
		if (conf_balanced(&s, why, sizeof(why)))
			break;
		RT_ASSERTF(kern_now_ns() - t0 < quiesce_ns,
		    "%s: books do not balance %us after the case: %s",
		    O->name, conf.wd_timeout_s / 2, why);
		conf_sleep_us(1000);
	}
	memset(&conf.fin, 0, sizeof(conf.fin));
	rc = reap_halt(conf.boot, conf.wd_timeout_s * 400, &conf.fin);
	conf_balanced(&conf.fin, why, sizeof(why));
	RT_ASSERTF(rc == 0, "%s: reap_halt failed (%d): %s", O->name, rc,
	    rc == -1 ? "init still has children" : why);
	/* Absolute now: init is not counted and the sentinel is reaped. */
	RT_ASSERTF(conf.fin.procs_created == conf.fin.procs_freed &&
	    conf.fin.lwps_created == conf.fin.lwps_freed &&
	    conf.fin.zombies_now == 0 &&
	    conf.fin.procs_created - conf.base.procs_created ==
	    atomic_load(&conf.nprocs) &&
	    conf.fin.lwps_created - conf.base.lwps_created ==
	    atomic_load(&conf.nlwps),
	    "%s: final books after reap_halt do not balance: %s", O->name,
	    why);
	conf_work_check(&conf.fin, NULL);
	conf.boot = NULL;
	conf.sys = NULL;
	conf_watchdog_stop();
}

/* ---- registration ------------------------------------------------------- */

static struct { const char *name; void (*fn)(void); } conf_cases[CONF_MAXCASES];
static int conf_ncases;

void
conf_case_add(const char *name, void (*fn)(void))
{
	if (conf_ncases == CONF_MAXCASES) {
		fprintf(stderr, "conformance: raise CONF_MAXCASES\n");
		exit(2);
	}
	conf_cases[conf_ncases].name = name;
	conf_cases[conf_ncases++].fn = fn;
}

/* ---- the cases ---------------------------------------------------------- */

/* The design's registry entry is complete and findable. */
static void
conf_registry(void)
{
	const struct reap_mutant *m;
	int n = 0;

	RT_ASSERT(O->name != NULL && O->name[0] != '\0');
	RT_ASSERTF(O->about != NULL && O->about[0] != '\0',
	    "%s: ops.about is empty", O->name);
	RT_ASSERTF(reap_find(O->name) == O, "reap_find(\"%s\") is not it",
	    O->name);
	RT_ASSERT(reap_find("no-such-design") == NULL);
	for (int i = 0; reap_designs[i] != NULL; i++)
		n += strcmp(reap_designs[i]->name, O->name) == 0;
	RT_ASSERTF(n == 1, "design name %s registered %d times", O->name, n);
#define NEED(f) RT_ASSERTF(O->f != NULL, "%s: ops." #f " is NULL", O->name)
	NEED(sys_create); NEED(sys_destroy); NEED(sys_initlwp);
	NEED(sys_threads); NEED(proc_create); NEED(proc_pid);
	NEED(lwp_create); NEED(lwp_id); NEED(lwp_proc); NEED(lwp_enter);
	NEED(lwp_killed); NEED(lwp_exit); NEED(lwp_wait); NEED(proc_exit);
	NEED(proc_wait); NEED(proc_hold); NEED(proc_rele);
	NEED(lwp_hold); NEED(lwp_rele); NEED(stats);
#undef NEED
	for (m = O->mutants; m != NULL && m->name != NULL; m++) {
		RT_ASSERTF(m->variant != 0, "mutant %s has variant 0", m->name);
		RT_ASSERTF(m->what != NULL && m->what[0] != '\0',
		    "mutant %s: no description", m->name);
		/* "seed: <identity> lines N-M (fn)" or "synthetic: <why>" */
		RT_ASSERTF(m->origin != NULL &&
		    ((strncmp(m->origin, "seed: ", 6) == 0 &&
		    strstr(m->origin, " lines ") != NULL) ||
		    (strncmp(m->origin, "synthetic: ", 11) == 0 &&
		    m->origin[11] != '\0')), "mutant %s: origin \"%s\" is "
		    "neither \"seed: ... lines ...\" nor \"synthetic: ...\"",
		    m->name, m->origin != NULL ? m->origin : "(null)");
		for (const struct reap_mutant *o = O->mutants; o != m; o++)
			RT_ASSERTF(strcmp(o->name, m->name) != 0 &&
			    o->variant != m->variant,
			    "mutants %s and %s collide", o->name, m->name);
	}
}

/* sys_create makes init, pid 1; forks get distinct pids > 1 under init,
 * and init reaps them when their only LWP exits (status 0). */
CONF_TEST(conf_sys_init)
{
	struct reap_lwp *il = O->sys_initlwp(conf.sys), *m[8];
	struct reap_proc *p[8];
	pid_t pid[8], tids[16];
	int n;

	RT_ASSERTF(il != NULL, "sys_initlwp returned NULL");
	RT_ASSERTF(O->lwp_proc(il) != NULL, "init's LWP has no process");
	RT_EQ(O->proc_pid(O->lwp_proc(il)), 1);
	n = O->sys_threads(conf.sys, tids, 16);
	RT_ASSERTF(n >= 0, "sys_threads returned %d", n);
	for (int i = 0; i < n && i < 16; i++)
		RT_ASSERTF(tids[i] > 0, "sys_threads tid[%d] = %d", i,
		    (int)tids[i]);
	for (int i = 0; i < 8; i++) {
		p[i] = conf_proc(NULL, &m[i]);
		pid[i] = O->proc_pid(p[i]);
		for (int j = 0; j < i; j++)
			RT_ASSERTF(pid[i] != pid[j], "pid %d handed out twice",
			    (int)pid[i]);
	}
	for (int i = 0; i < 8; i++)
		conf_go(m[i], i, body_exit, NULL);
}

/* LWP ids are unique within a process (master included) and lwp_id /
 * lwp_proc report them; a mix of detached and joinable LWPs. */
#define IDS_N	32
struct ids {
	lwpid_t		lid[IDS_N];
	bool		joinable[IDS_N];
	_Atomic int	seen[IDS_N];
};

static void
ids_master(struct reap_lwp *l, void *arg)
{
	struct ids *x = arg;

	for (int k = 0; k < IDS_N / 2; k++) {
		lwpid_t d = -1;
		int rc = O->lwp_wait(l, 0, &d), i;

		RT_ASSERTF(rc == 0, "lwp_wait(0) #%d returned %d", k, rc);
		for (i = 0; i < IDS_N && x->lid[i] != d; i++)
			;
		RT_ASSERTF(i < IDS_N, "lwp_wait(0) departed %d: not ours",
		    (int)d);
		RT_ASSERTF(x->joinable[i], "lwp_wait(0) collected detached %d",
		    (int)d);
		RT_ASSERTF(atomic_fetch_add(&x->seen[i], 1) == 0,
		    "lid %d collected twice", (int)d);
	}
	c_exit(l);
}

CONF_TEST(conf_lwp_ids)
{
	static struct ids x;
	struct reap_lwp *m, *l[IDS_N];
	struct reap_proc *p;
	lwpid_t mlid;

	memset(&x, 0, sizeof(x));
	conf_parent();
	p = conf_proc(conf.tp, &m);
	mlid = O->lwp_id(m);
	for (int i = 0; i < IDS_N; i++) {
		x.joinable[i] = i % 2 == 0;
		l[i] = conf_lwp(p, x.joinable[i] ? 0 : REAP_DETACHED,
		    &x.lid[i]);
		RT_ASSERTF(x.lid[i] != mlid, "lid %d is the master's",
		    (int)x.lid[i]);
		for (int j = 0; j < i; j++)
			RT_ASSERTF(x.lid[i] != x.lid[j],
			    "lid %d handed out twice", (int)x.lid[i]);
	}
	for (int i = 0; i < IDS_N; i++)
		conf_go(l[i], i, body_exit, NULL);
	conf_go(m, 1, ids_master, &x);
	tp_reap(O->proc_pid(p), 0);
}

/* Joinable vs detached: lwp_wait on a live detached LWP is EINVAL, a
 * joinable one is collected once, then it is ESRCH. */
struct jd {
	lwpid_t		jlid, dlid;
	_Atomic int	jgate, dgate;
};

static void
jd_master(struct reap_lwp *l, void *arg)
{
	struct jd *x = arg;
	lwpid_t d = -1;
	int rc;

	rc = O->lwp_wait(l, x->dlid, &d);
	RT_ASSERTF(rc == EINVAL, "lwp_wait(detached live lid) = %d, want "
	    "EINVAL", rc);
	conf_open(&x->jgate);
	rc = O->lwp_wait(l, x->jlid, &d);
	RT_ASSERTF(rc == 0 && d == x->jlid, "lwp_wait(joinable %d) = %d, "
	    "departed %d", (int)x->jlid, rc, (int)d);
	rc = O->lwp_wait(l, x->jlid, &d);
	RT_ASSERTF(rc == ESRCH, "second lwp_wait(%d) = %d, want ESRCH",
	    (int)x->jlid, rc);
	conf_open(&x->dgate);
	c_exit(l);
}

CONF_TEST(conf_joinable_detached)
{
	static struct jd x;
	struct reap_lwp *m, *j, *d;
	struct reap_proc *p;

	memset(&x, 0, sizeof(x));
	conf_parent();
	p = conf_proc(conf.tp, &m);
	j = conf_lwp(p, 0, &x.jlid);
	d = conf_lwp(p, REAP_DETACHED, &x.dlid);
	conf_go(j, 1, body_gate_exit, &x.jgate);
	conf_go(d, 2, body_gate_exit, &x.dgate);
	conf_go(m, 3, jd_master, &x);
	tp_reap(O->proc_pid(p), 0);
}

/* Errors: EDEADLK on self, ESRCH for an unknown lid and for another
 * process's LWP, ESRCH for "any" when the caller is the process's only
 * LWP (there is no other joinable LWP). */
struct errs {
	lwpid_t		otherlid;	/* an LWP of another process */
	_Atomic int	qgate;
};

static void
errs_master(struct reap_lwp *l, void *arg)
{
	struct errs *x = arg;
	lwpid_t self = O->lwp_id(l), d = -1;
	int rc;

	rc = O->lwp_wait(l, self, &d);
	RT_ASSERTF(rc == EDEADLK, "lwp_wait(self) = %d, want EDEADLK", rc);
	rc = O->lwp_wait(l, CONF_NOLID, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(unknown lid) = %d, want ESRCH", rc);
	rc = O->lwp_wait(l, x->otherlid, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(lid %d of another process) = %d, "
	    "want ESRCH", (int)x->otherlid, rc);
	rc = O->lwp_wait(l, 0, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(0) as the only LWP = %d, want "
	    "ESRCH", rc);
	c_exit(l);
}

CONF_TEST(conf_lwp_wait_errors)
{
	static struct errs x;
	struct reap_lwp *m, *qm, *ql[3];
	struct reap_proc *p, *q;
	lwpid_t mlid, qlid[3];

	memset(&x, 0, sizeof(x));
	conf_parent();
	p = conf_proc(conf.tp, &m);
	mlid = O->lwp_id(m);
	q = conf_proc(conf.tp, &qm);
	x.otherlid = O->lwp_id(qm) != mlid ? O->lwp_id(qm) : 0;
	for (int i = 0; i < 3; i++) {
		ql[i] = conf_lwp(q, 0, &qlid[i]);
		if (x.otherlid == 0 && qlid[i] != mlid)
			x.otherlid = qlid[i];
	}
	RT_ASSERT(x.otherlid != 0);
	conf_go(qm, 0, body_gate_exit, &x.qgate);
	for (int i = 0; i < 3; i++)
		conf_go(ql[i], i, body_gate_exit, &x.qgate);
	conf_go(m, 1, errs_master, &x);
	tp_reap(O->proc_pid(p), 0);
	conf_open(&x.qgate);
	tp_reap(O->proc_pid(q), 0);
}

/* EDEADLK when every LWP would wait forever: the only two LWPs wait for
 * each other (specific), or both wait for any.  Exactly one of them gets
 * EDEADLK and exits; the other collects it. */
struct pair {
	lwpid_t		lid[2];
	int		rc[2];
	lwpid_t		dep[2];
	_Atomic int	ready;
	bool		any;
};

static void
pair_body(struct reap_lwp *l, void *arg)
{
	struct pair *x = arg;
	int me = O->lwp_id(l) == x->lid[0] ? 0 : 1;

	atomic_fetch_add(&x->ready, 1);
	conf_await(&x->ready, 2);
	x->dep[me] = -1;
	x->rc[me] = O->lwp_wait(l, x->any ? 0 : x->lid[!me], &x->dep[me]);
	c_exit(l);
}

CONF_TEST(conf_lwp_wait_deadlock)
{
	static struct pair x;

	conf_parent();
	for (int round = 0; round < 20; round++) {
		struct reap_lwp *m, *b;
		struct reap_proc *p;
		struct conf_thr *t[2];
		int dl;

		memset(&x, 0, sizeof(x));
		x.any = round % 2 == 1;
		p = conf_proc(conf.tp, &m);
		x.lid[0] = O->lwp_id(m);
		b = conf_lwp(p, 0, &x.lid[1]);
		t[0] = conf_go(m, 0, pair_body, &x);
		t[1] = conf_go(b, 1, pair_body, &x);
		conf_join(t[0]);
		conf_join(t[1]);
		tp_reap(O->proc_pid(p), 0);
		dl = (x.rc[0] == EDEADLK) + (x.rc[1] == EDEADLK);
		RT_ASSERTF(dl == 1, "round %d (%s): lwp_wait returned %d and %d,"
		    " want exactly one EDEADLK", round, x.any ? "both wait any"
		    : "each waits for the other", x.rc[0], x.rc[1]);
		for (int i = 0; i < 2; i++)
			if (x.rc[i] != EDEADLK)
				RT_ASSERTF(x.rc[i] == 0 && x.dep[i] == x.lid[!i],
				    "round %d: survivor's lwp_wait = %d departed"
				    " %d, want 0 and %d", round, x.rc[i],
				    (int)x.dep[i], (int)x.lid[!i]);
	}
}

/* Every joinable LWP is collected exactly once while several waiters run
 * lwp_wait(0) concurrently; then proc_exit kills the waiters, which wake
 * with EINTR (or collect a killed sibling) and exit. */
#define CO_N	96
#define CO_W	3
struct co {
	lwpid_t		lid[CO_N + CO_W];
	_Atomic int	seen[CO_N + CO_W];
	_Atomic int	collected;
	_Atomic int	start;
};

static void
co_waiter(struct reap_lwp *l, void *arg)
{
	struct co *x = arg;

	conf_await(&x->start, 1);
	while (!O->lwp_killed(l)) {
		lwpid_t d = -1;
		int rc = O->lwp_wait(l, 0, &d), i;

		if (rc != 0) {
			RT_ASSERTF(O->lwp_killed(l), "lwp_wait(0) = %d before "
			    "the process was killed", rc);
			break;
		}
		for (i = 0; i < CO_N + CO_W && x->lid[i] != d; i++)
			;
		RT_ASSERTF(i < CO_N + CO_W, "departed %d: not an LWP of the "
		    "process", (int)d);
		RT_ASSERTF(atomic_fetch_add(&x->seen[i], 1) == 0,
		    "lid %d collected twice", (int)d);
		RT_ASSERTF(i < CO_N || O->lwp_killed(l), "waiter %d collected "
		    "before the process was killed", (int)d);
		if (i < CO_N)
			atomic_fetch_add(&x->collected, 1);
	}
	c_exit(l);
}

static void
co_master(struct reap_lwp *l, void *arg)
{
	struct co *x = arg;

	conf_open(&x->start);
	conf_await(&x->collected, CO_N);
	c_pexit(l, 7);
}

CONF_TEST(conf_lwp_wait_collect_once)
{
	static struct co x;
	struct reap_lwp *m, *l[CO_N + CO_W];
	struct reap_proc *p;

	conf_parent();
	for (int round = 0; round < 2; round++) {
		memset(&x, 0, sizeof(x));
		if (round == 1)
			conf_inject(50);
		p = conf_proc(conf.tp, &m);
		for (int i = 0; i < CO_N + CO_W; i++)
			l[i] = conf_lwp(p, 0, &x.lid[i]);
		for (int i = CO_N; i < CO_N + CO_W; i++)
			conf_go(l[i], i, co_waiter, &x);
		conf_go(m, 0, co_master, &x);
		for (int i = 0; i < CO_N; i++)
			conf_go(l[i], i, body_exit, NULL);
		tp_reap(O->proc_pid(p), 7);
		for (int i = 0; i < CO_N; i++)
			RT_ASSERTF(atomic_load(&x.seen[i]) == 1,
			    "round %d: lid %d collected %d times", round,
			    (int)x.lid[i], atomic_load(&x.seen[i]));
	}
}

/* The last live LWP's lwp_exit exits the process with status 0, even when
 * the master left first; WNOHANG sees the process live until then. */
CONF_TEST(conf_lwp_exit_last)
{
	static _Atomic int jgate, dgate;
	struct reap_lwp *m, *j, *d;
	struct reap_proc *p;
	struct conf_thr *tm, *tj;
	pid_t pid, rc;
	int st;

	atomic_store(&jgate, 0);
	atomic_store(&dgate, 0);
	conf_parent();
	p = conf_proc(conf.tp, &m);
	pid = O->proc_pid(p);
	j = conf_lwp(p, 0, NULL);
	d = conf_lwp(p, REAP_DETACHED, NULL);
	tm = conf_go(m, 0, body_exit, NULL);
	tj = conf_go(j, 1, body_gate_exit, &jgate);
	conf_go(d, 2, body_gate_exit, &dgate);
	conf_join(tm);
	rc = tp_wait(pid, &st, WNOHANG);
	RT_ASSERTF(rc == 0, "proc_wait(WNOHANG) = %d after the master left, "
	    "2 LWPs still live: want 0", (int)rc);
	conf_open(&jgate);
	conf_join(tj);
	rc = tp_wait(pid, &st, WNOHANG);
	RT_ASSERTF(rc == 0, "proc_wait(WNOHANG) = %d with the detached LWP "
	    "still live: want 0", (int)rc);
	conf_open(&dgate);
	tp_reap(pid, 0);
}

/* The last lwp_exit exits the process even when the LWPs that left before
 * it are joinable zombies nobody collected (they are freed with it). */
CONF_TEST(conf_lwp_exit_uncollected)
{
	static _Atomic int gate[4];

	conf_parent();
	for (int round = 0; round < 4; round++) {
		struct reap_lwp *l[4];
		struct reap_proc *p;
		struct conf_thr *t[4];

		p = conf_proc(conf.tp, &l[0]);
		for (int i = 1; i < 4; i++)
			l[i] = conf_lwp(p, 0, NULL);
		for (int i = 0; i < 4; i++) {
			atomic_store(&gate[i], 0);
			t[i] = conf_go(l[i], i, body_gate_exit, &gate[i]);
		}
		/* rounds 0, 1: one at a time, master first or last;
		 * rounds 2, 3: all at once */
		for (int k = 0; k < 4; k++) {
			int i = round == 1 ? 3 - k : k;

			conf_open(&gate[i]);
			if (round < 2)
				conf_join(t[i]);
		}
		tp_reap(O->proc_pid(p), 0);
	}
}

/* proc_exit kills every other LWP: spinners see lwp_killed, an LWP blocked
 * in lwp_wait wakes with EINTR, lwp_create on the exiting process fails;
 * the parent gets the status. */
struct pk {
	struct reap_proc *p;
	lwpid_t		clid;
	_Atomic int	bwaiting, breturned;
	int		brc;
};

static void
pk_b(struct reap_lwp *l, void *arg)
{
	struct pk *x = arg;
	lwpid_t d = -1;

	conf_open(&x->bwaiting);
	x->brc = O->lwp_wait(l, x->clid, &d);
	conf_open(&x->breturned);
	RT_ASSERTF(O->lwp_killed(l), "lwp_wait returned %d but not killed",
	    x->brc);
	c_exit(l);
}

/* C is what B waits for; it stays until B's wait has returned, so only
 * the kill can end B's wait. */
static void
pk_c(struct reap_lwp *l, void *arg)
{
	struct pk *x = arg;

	while (!O->lwp_killed(l))
		conf_sleep_us(200);
	conf_await(&x->breturned, 1);
	c_exit(l);
}

static void
pk_creator(struct reap_lwp *l, void *arg)
{
	struct pk *x = arg;
	struct reap_lwp *n;
	lwpid_t lid;

	while (!O->lwp_killed(l))
		conf_sleep_us(200);
	n = O->lwp_create(x->p, 0, &lid);
	RT_ASSERTF(n == NULL, "lwp_create on an exiting process returned an "
	    "LWP (lid %d)", (int)lid);
	c_exit(l);
}

static void
pk_master(struct reap_lwp *l, void *arg)
{
	struct pk *x = arg;

	conf_await(&x->bwaiting, 1);
	conf_sleep_us(20000);		/* let B block */
	c_pexit(l, 42);
}

CONF_TEST(conf_proc_exit_kills)
{
	static struct pk x;
	struct reap_lwp *m, *b, *c, *k;

	conf_parent();
	for (int round = 0; round < 4; round++) {
		memset(&x, 0, sizeof(x));
		if (round >= 2)
			conf_inject(50);
		x.p = conf_proc(conf.tp, &m);
		for (int i = 0; i < 3; i++)
			conf_go(conf_lwp(x.p, 0, NULL), i, body_until_killed,
			    NULL);
		for (int i = 0; i < 2; i++)
			conf_go(conf_lwp(x.p, REAP_DETACHED, NULL), i,
			    body_until_killed, NULL);
		c = conf_lwp(x.p, 0, &x.clid);
		b = conf_lwp(x.p, 0, NULL);
		k = conf_lwp(x.p, round % 2 ? REAP_DETACHED : 0, NULL);
		conf_go(c, 1, pk_c, &x);
		conf_go(b, 2, pk_b, &x);
		conf_go(k, 3, pk_creator, &x);
		conf_go(m, 0, pk_master, &x);
		tp_reap(O->proc_pid(x.p), 42);
		RT_ASSERTF(x.brc == EINTR, "round %d: LWP blocked in lwp_wait "
		    "woke with %d when killed, want EINTR", round, x.brc);
	}
}

/* Two LWPs race into proc_exit: one status wins, the process is reaped
 * exactly once. */
struct race {
	struct gate_pexit g[2];
};

CONF_TEST(conf_proc_exit_race)
{
	static struct race x;

	conf_parent();
	conf_inject(30);
	for (int round = 0; round < 30; round++) {
		struct reap_lwp *m, *l, *s;
		struct reap_proc *p;
		pid_t pid, rc;
		int st = -1;

		memset(&x, 0, sizeof(x));
		x.g[0].status = 11;
		x.g[1].status = 22;
		p = conf_proc(conf.tp, &m);
		pid = O->proc_pid(p);
		l = conf_lwp(p, round % 3 == 2 ? REAP_DETACHED : 0, NULL);
		s = conf_lwp(p, 0, NULL);
		conf_go(s, round, body_until_killed, NULL);
		conf_go(m, round + 1, body_gate_pexit, &x.g[0]);
		conf_go(l, round + 2, body_gate_pexit, &x.g[1]);
		conf_open(&x.g[1].gate);
		conf_open(&x.g[0].gate);
		rc = tp_wait(pid, &st, 0);
		RT_ASSERTF(rc == pid, "round %d: proc_wait = %d", round, (int)rc);
		RT_ASSERTF(st == 11 || st == 22, "round %d: status %d, want 11 "
		    "or 22", round, st);
		rc = tp_wait(pid, &st, WNOHANG);
		RT_ASSERTF(rc == -ECHILD, "round %d: second proc_wait(%d) = %d,"
		    " want -ECHILD (reaped once)", round, (int)pid, (int)rc);
	}
}

/* WNOHANG returns 0 while a child lives; ECHILD once none is left. */
CONF_TEST(conf_proc_wait_wnohang)
{
	static struct gate_pexit g;
	struct reap_lwp *m;
	struct reap_proc *c;
	pid_t pid, rc;
	int st;

	memset(&g, 0, sizeof(g));
	g.status = 3;
	conf_parent();
	c = conf_proc(conf.tp, &m);
	pid = O->proc_pid(c);
	conf_go(m, 1, body_gate_pexit, &g);
	RT_EQ(tp_wait(-1, &st, WNOHANG), 0);
	RT_EQ(tp_wait(pid, &st, WNOHANG), 0);
	conf_open(&g.gate);
	while ((rc = tp_wait(pid, &st, WNOHANG)) == 0)
		conf_sleep_us(500);
	RT_ASSERTF(rc == pid, "proc_wait(WNOHANG) = %d, want %d", (int)rc,
	    (int)pid);
	RT_EQ(st, 3);
	RT_EQ(tp_wait(-1, &st, WNOHANG), -ECHILD);
	RT_EQ(tp_wait(-1, &st, 0), -ECHILD);
}

/* ECHILD: no children at all, a pid that is not a child (unknown, init,
 * a grandchild). */
CONF_TEST(conf_proc_wait_echild)
{
	static _Atomic int gate;
	struct reap_lwp *m, *gm;
	struct reap_proc *p, *g;
	int st;

	atomic_store(&gate, 0);
	conf_parent();
	RT_EQ(tp_wait(-1, &st, 0), -ECHILD);
	RT_EQ(tp_wait(-1, &st, WNOHANG), -ECHILD);
	RT_EQ(tp_wait(CONF_NOPID, &st, 0), -ECHILD);
	RT_EQ(tp_wait(1, &st, WNOHANG), -ECHILD);
	p = conf_proc(conf.tp, &m);
	g = conf_proc(p, &gm);
	RT_EQ(tp_wait(O->proc_pid(g), &st, WNOHANG), -ECHILD);
	conf_go(gm, 1, body_gate_exit, &gate);
	conf_go(m, 2, body_gate_exit, &gate);
	conf_open(&gate);
	tp_reap(O->proc_pid(p), 0);	/* g: reaped by p or, orphaned, init */
}

/* proc_wait(pid) reaps that child even when others are zombies first. */
CONF_TEST(conf_proc_wait_specific)
{
	static struct gate_pexit g[3];
	struct reap_lwp *m[3];
	struct reap_proc *c[3];
	pid_t pid[3], rc;
	int st, seen[3] = { 0, 0, 0 };

	memset(g, 0, sizeof(g));
	conf_parent();
	for (int i = 0; i < 3; i++) {
		g[i].status = i + 1;
		c[i] = conf_proc(conf.tp, &m[i]);
		pid[i] = O->proc_pid(c[i]);
		conf_go(m[i], i, body_gate_pexit, &g[i]);
	}
	conf_open(&g[2].gate);
	conf_open(&g[0].gate);
	conf_sleep_us(20000);		/* let 1 and 3 become zombies */
	RT_EQ(tp_wait(pid[1], &st, WNOHANG), 0);
	conf_open(&g[1].gate);
	tp_reap(pid[1], 2);
	for (int k = 0; k < 2; k++) {
		rc = tp_wait(-1, &st, 0);
		RT_ASSERTF(rc == pid[0] || rc == pid[2], "proc_wait(-1) = %d",
		    (int)rc);
		int i = rc == pid[0] ? 0 : 2;
		RT_EQ(st, i + 1);
		RT_ASSERTF(seen[i]++ == 0, "pid %d reaped twice", (int)rc);
	}
	RT_EQ(tp_wait(-1, &st, WNOHANG), -ECHILD);
}

/* Children of an exiting process go to init: live ones (and their own
 * children) are reaped by init when they exit, zombies at once; the
 * parent's parent never sees them. */
CONF_TEST(conf_reparent_to_init)
{
	static _Atomic int ggate;
	static struct gate_pexit pg;
	struct reap_lwp *pm, *g1m, *g2m, *g3m, *ggm, *l;
	struct reap_proc *p, *g1, *g3;
	struct conf_thr *t2;
	int st;

	atomic_store(&ggate, 0);
	memset(&pg, 0, sizeof(pg));
	pg.status = 9;
	conf_parent();
	p = conf_proc(conf.tp, &pm);
	g1 = conf_proc(p, &g1m);		/* live, with a child */
	conf_proc(g1, &ggm);
	conf_proc(p, &g2m);			/* a zombie when p exits */
	g3 = conf_proc(p, &g3m);		/* live, 3 LWPs */
	conf_go(g1m, 0, body_gate_exit, &ggate);
	conf_go(ggm, 1, body_gate_exit, &ggate);
	t2 = conf_go(g2m, 2, body_pexit, (void *)(intptr_t)5);
	conf_go(g3m, 3, body_gate_exit, &ggate);
	for (int i = 0; i < 2; i++) {
		l = conf_lwp(g3, i ? REAP_DETACHED : 0, NULL);
		conf_go(l, i, body_gate_exit, &ggate);
	}
	conf_join(t2);				/* g2 exited, unreaped */
	conf_go(pm, 1, body_gate_pexit, &pg);
	conf_open(&pg.gate);
	tp_reap(O->proc_pid(p), 9);
	RT_ASSERTF(tp_wait(-1, &st, WNOHANG) == -ECHILD, "grandchildren "
	    "became children of the grandparent, not of init");
	conf_open(&ggate);			/* init reaps them (conf_end) */
}

/* Orphaned zombies: a process exits leaving many unreaped zombie
 * children; init reaps all of them. */
CONF_TEST(conf_orphan_zombies)
{
	struct reap_lwp *pm, *cm;
	struct reap_proc *p;
	struct conf_thr *t[16];

	conf_parent();
	p = conf_proc(conf.tp, &pm);
	for (int i = 0; i < 16; i++) {
		conf_proc(p, &cm);
		t[i] = conf_go(cm, i, body_pexit, (void *)(intptr_t)i);
	}
	for (int i = 0; i < 16; i++)
		conf_join(t[i]);
	conf_go(pm, 0, body_exit, NULL);
	tp_reap(O->proc_pid(p), 0);
}

/* Observers: lwp_hold returns the LWP (or NULL for an unknown lid); a held
 * LWP is not freed until lwp_rele, its exit completes once released. */
struct hold {
	lwpid_t		jlid;
	_Atomic int	jgate, mgate, m2gate, collected;
};

static void
hold_master(struct reap_lwp *l, void *arg)
{
	struct hold *x = arg;
	lwpid_t d = -1;
	int rc;

	conf_await(&x->mgate, 1);
	rc = O->lwp_wait(l, x->jlid, &d);
	RT_ASSERTF(rc == 0 && d == x->jlid, "lwp_wait(%d) after rele = %d",
	    (int)x->jlid, rc);
	RT_ASSERTF(O->lwp_hold(O->lwp_proc(l), x->jlid) == NULL,
	    "lwp_hold found lid %d after it was collected", (int)x->jlid);
	conf_open(&x->collected);
	conf_await(&x->m2gate, 1);
	c_exit(l);
}

static uint64_t
conf_lwps_freed(void)
{
	struct reap_stats s;

	conf_stats(&s);
	return s.lwps_freed;
}

/* Wait until exactly `live` LWPs besides the boot-time ones are unfreed,
 * so that a design's asynchronous reapers do not blur what follows. */
static void
conf_settle(uint64_t live, const char *what)
{
	uint64_t t0 = kern_now_ns(), out0 = conf.base.lwps_created -
	    conf.base.lwps_freed;
	struct reap_stats s;

	for (;;) {
		conf_stats(&s);
		if (s.lwps_created - s.lwps_freed == out0 + live)
			return;
		RT_ASSERTF(kern_now_ns() - t0 < 5000000000ull, "%s: %llu LWPs "
		    "unfreed after 5s, want %llu", what,
		    (unsigned long long)(s.lwps_created - s.lwps_freed - out0),
		    (unsigned long long)live);
		conf_sleep_us(1000);
	}
}

CONF_TEST(conf_lwp_hold)
{
	static struct hold x;
	static _Atomic int dgate;
	static struct gate_pexit qg;
	struct reap_lwp *m, *j, *d, *h, *qm, *ql;
	struct reap_proc *p, *q;
	struct conf_thr *tj, *td;
	lwpid_t dlid, qlid;
	uint64_t f0;

	memset(&x, 0, sizeof(x));
	atomic_store(&dgate, 0);
	memset(&qg, 0, sizeof(qg));
	qg.status = 5;
	conf_parent();
	p = conf_proc(conf.tp, &m);
	j = conf_lwp(p, 0, &x.jlid);
	d = conf_lwp(p, REAP_DETACHED, &dlid);
	tj = conf_go(j, 1, body_gate_exit, &x.jgate);
	td = conf_go(d, 2, body_gate_exit, &dgate);
	conf_go(m, 3, hold_master, &x);

	RT_ASSERT(O->lwp_hold(p, CONF_NOLID) == NULL);
	/* A joinable LWP exits while held: not freed (nothing is: every
	 * other LWP lives), its exit completes after the rele. */
	h = O->lwp_hold(p, x.jlid);
	RT_ASSERTF(h == j, "lwp_hold(%d) returned %p, not the LWP %p",
	    (int)x.jlid, (void *)h, (void *)j);
	f0 = conf_lwps_freed();
	conf_open(&x.jgate);
	conf_sleep_us(50000);
	RT_EQ(O->lwp_id(h), x.jlid);	/* ASan: no use after free */
	RT_ASSERTF(conf_lwps_freed() == f0, "an LWP was freed while held");
	O->lwp_rele(h);
	conf_join(tj);
	conf_open(&x.mgate);		/* the master collects it */
	conf_await(&x.collected, 1);
	conf_settle(3, "the collected LWP is not freed");  /* TP, m, d */

	/* A detached LWP exits while held. */
	h = O->lwp_hold(p, dlid);
	RT_ASSERTF(h == d, "lwp_hold(detached %d) returned %p, not %p",
	    (int)dlid, (void *)h, (void *)d);
	f0 = conf_lwps_freed();
	conf_open(&dgate);
	conf_sleep_us(50000);
	RT_EQ(O->lwp_id(h), dlid);
	RT_ASSERTF(conf_lwps_freed() == f0, "an LWP was freed while held");
	O->lwp_rele(h);
	conf_join(td);
	conf_open(&x.m2gate);
	tp_reap(O->proc_pid(p), 0);
	conf_settle(1, "the reaped process's LWPs are not freed");  /* TP */

	/* A held LWP of a process that proc_exits: exit waits for the hold
	 * to drain; the LWP is not freed until the rele. */
	q = conf_proc(conf.tp, &qm);
	ql = conf_lwp(q, 0, &qlid);
	conf_go(ql, 1, body_until_killed, NULL);
	h = O->lwp_hold(q, qlid);
	RT_ASSERTF(h == ql, "lwp_hold(%d) returned %p, not %p", (int)qlid,
	    (void *)h, (void *)ql);
	f0 = conf_lwps_freed();
	conf_go(qm, 2, body_gate_pexit, &qg);
	conf_open(&qg.gate);
	conf_sleep_us(50000);
	RT_EQ(O->lwp_id(h), qlid);
	RT_ASSERTF(conf_lwps_freed() - f0 <= 1, "both LWPs of the process "
	    "were freed while one was held");
	O->lwp_rele(h);
	tp_reap(O->proc_pid(q), 5);
}

/* The last LWP exits the process while an observer holds it (or another
 * LWP of it): the process becomes reapable once the hold is released.
 * (The observer does not proc_wait while it holds: a wait4 that finds
 * the zombie may wait for the held LWP to finish its exit.) */
CONF_TEST(conf_lwp_hold_last)
{
	static _Atomic int gate[2];

	conf_parent();
	for (int round = 0; round < 4; round++) {
		struct reap_lwp *m, *l, *h;
		struct reap_proc *p;
		struct conf_thr *t[2];
		lwpid_t lid[2];
		pid_t pid;

		atomic_store(&gate[0], 0);
		atomic_store(&gate[1], 0);
		p = conf_proc(conf.tp, &m);
		pid = O->proc_pid(p);
		lid[0] = O->lwp_id(m);
		l = conf_lwp(p, round & 2 ? REAP_DETACHED : 0, &lid[1]);
		t[0] = conf_go(m, 0, body_gate_exit, &gate[0]);
		t[1] = conf_go(l, 1, body_gate_exit, &gate[1]);
		h = O->lwp_hold(p, lid[round & 1]);
		RT_ASSERTF(h != NULL, "round %d: lwp_hold(%d) of a live LWP "
		    "returned NULL", round, (int)lid[round & 1]);
		/* the master leaves first (unless it is the held one, whose
		 * exit may wait for the hold), then the last LWP */
		conf_stage("master exits", round);
		conf_open(&gate[0]);
		if (round & 1)
			conf_join(t[0]);
		conf_stage("last LWP exits", round);
		conf_open(&gate[1]);
		conf_sleep_us(20000);
		RT_EQ(O->lwp_id(h), lid[round & 1]);	/* ASan: not freed */
		conf_stage("rele, then reap", round);
		O->lwp_rele(h);
		tp_reap(pid, 0);
		conf_stage("join", round);
		conf_join(t[0]);
		conf_join(t[1]);
	}
}

/* A LWP blocked in proc_wait is interrupted by its process's proc_exit
 * (-EINTR); its live child then goes to init. */
struct pw {
	pid_t		cpid;
	pid_t		rc;
	_Atomic int	waiting, cgate;
};

static void
pw_waiter(struct reap_lwp *l, void *arg)
{
	struct pw *x = arg;
	int st;

	conf_open(&x->waiting);
	x->rc = O->proc_wait(l, x->cpid, &st, 0);
	c_exit(l);
}

static void
pw_master(struct reap_lwp *l, void *arg)
{
	struct pw *x = arg;

	conf_await(&x->waiting, 1);
	conf_sleep_us(20000);
	c_pexit(l, 6);
}

CONF_TEST(conf_proc_wait_eintr)
{
	static struct pw x;
	struct reap_lwp *m, *w, *cm;
	struct reap_proc *p, *c;

	memset(&x, 0, sizeof(x));
	conf_parent();
	p = conf_proc(conf.tp, &m);
	c = conf_proc(p, &cm);
	x.cpid = O->proc_pid(c);
	w = conf_lwp(p, 0, NULL);
	conf_go(cm, 0, body_gate_exit, &x.cgate);
	conf_go(w, 1, pw_waiter, &x);
	conf_go(m, 2, pw_master, &x);
	tp_reap(O->proc_pid(p), 6);
	RT_ASSERTF(x.rc == -EINTR, "proc_wait of a killed LWP returned %d, "
	    "want -EINTR", (int)x.rc);
	conf_open(&x.cgate);
}

/* Workers churn LWPs: each creates a (detached or joinable) LWP, becomes
 * its carrier, exits it, and takes the next; the master collects the
 * joinable ones.  Carriers are reused, as the benchmark reuses them.  An
 * anchor LWP stays live so that the master's lwp_wait(0) blocks (rather
 * than ESRCH) while the worker is between LWPs. */
#define CH_N	300
struct churn {
	struct reap_proc *p;
	unsigned	flags;
	lwpid_t		anchor;
	_Atomic int	gate;
};

static void *
churn_worker(void *arg)
{
	struct churn *x = arg;

	for (int i = 0; i < CH_N; i++) {
		lwpid_t lid;
		struct reap_lwp *l = conf_lwp(x->p, x->flags, &lid);

		O->lwp_enter(l);
		O->lwp_exit(l);
	}
	return NULL;
}

static void
churn_master(struct reap_lwp *l, void *arg)
{
	struct churn *x = arg;
	lwpid_t d;
	int rc;

	for (int i = 0; i < CH_N; i++) {
		rc = O->lwp_wait(l, 0, &d);
		RT_ASSERTF(rc == 0 && d != x->anchor, "lwp_wait(0) #%d in churn"
		    " = %d, departed %d", i, rc, (int)d);
	}
	conf_open(&x->gate);
	rc = O->lwp_wait(l, x->anchor, &d);
	RT_ASSERTF(rc == 0 && d == x->anchor, "lwp_wait(anchor) = %d", rc);
	c_exit(l);
}

CONF_TEST(conf_lwp_churn)
{
	static struct churn det, join;
	struct reap_lwp *m1, *m2, *a;
	struct conf_thr *t;

	conf_parent();
	memset(&det, 0, sizeof(det));
	memset(&join, 0, sizeof(join));
	det.flags = REAP_DETACHED;
	det.p = conf_proc(conf.tp, &m1);
	join.p = conf_proc(conf.tp, &m2);
	a = conf_lwp(join.p, 0, &join.anchor);
	conf_go(a, 0, body_gate_exit, &join.gate);
	t = conf_worker(1, churn_worker, &det);
	conf_worker(2, churn_worker, &join);
	conf_go(m1, 0, body_gate_exit, &det.gate); /* lives while det churns */
	conf_go(m2, 3, churn_master, &join);
	conf_join(t);
	conf_open(&det.gate);
	tp_reap(O->proc_pid(det.p), 0);
	tp_reap(O->proc_pid(join.p), 0);
}

/*
 * The same workload gives every design the same stand-in counts: churn
 * of detached and joinable LWPs, then processes of 1, 4 and 9 LWPs
 * killed by proc_exit.  The counts must be exactly what the case made
 * (LWPs for the per-LWP names, processes for the rest), so they are
 * equal across designs; conf_end checks the same of every case.
 */
/* The master of conf_work_per_lifecycle's churn: 24 LWPs one after the
 * other, a third joinable (collected here), then _lwp_exit: exit1. */
static void
work_churn_master(struct reap_lwp *l, void *arg)
{
	struct reap_proc *p = O->lwp_proc(l);
	lwpid_t lid, d;

	(void)arg;
	for (int i = 0; i < 24; i++) {
		bool det = i % 3 != 0;

		conf_join(conf_go(conf_lwp(p, det ? REAP_DETACHED : 0, &lid),
		    i % CONF_NCPUS, body_exit, NULL));
		if (!det)
			RT_EQ(O->lwp_wait(l, lid, &d), 0);
	}
	c_exit(l);
}

CONF_TEST(conf_work_per_lifecycle)
{
	struct reap_stats s0, s1;
	struct reap_proc *p;
	struct reap_lwp *m;
	int nlwps = 0, nprocs = 0;

	conf_parent();
	conf_stats(&s0);
	p = conf_proc(conf.tp, &m);
	conf_go(m, 0, work_churn_master, NULL);
	tp_reap(O->proc_pid(p), 0);
	nprocs++, nlwps += 1 + 24;
	for (int k = 0; k < 3; k++, nprocs++) {
		int n = (int[]){ 1, 4, 9 }[k];

		p = conf_proc(conf.tp, &m);
		nlwps++;
		for (int i = 1; i < n; i++, nlwps++)
			conf_go(conf_lwp(p, i % 2 ? REAP_DETACHED : 0, NULL),
			    i % CONF_NCPUS, body_until_killed, NULL);
		conf_go(m, 0, body_pexit, (void *)(intptr_t)7);
		tp_reap(O->proc_pid(p), 7);
	}
	conf_settle(1, "conf_work_per_lifecycle");	/* TP's master */
	conf_stats(&s1);
	RT_EQ(s1.lwps_freed - s0.lwps_freed, nlwps);
	RT_EQ(s1.procs_freed - s0.procs_freed, nprocs);
	conf_work_check(&s1, &s0);
}

/* ---- main: one child process per design --------------------------------- */

static int
conf_run_design(const struct reap_ops *d, int argc, char **argv)
{
	char *name;

	O = conf.ops = d;
	conf.wd_timeout_s = 30;
	if (getenv("CONF_TIMEOUT") != NULL)
		conf.wd_timeout_s = (unsigned)atoi(getenv("CONF_TIMEOUT"));
	if (asprintf(&name, "conf_registry/%s", d->name) < 0)
		return 2;
	rt_register(name, conf_registry);
	for (int i = 0; i < conf_ncases; i++) {
		if (asprintf(&name, "%s/%s", conf_cases[i].name, d->name) < 0)
			return 2;
		rt_register(name, conf_cases[i].fn);
	}
	return rt_main(argc, argv);
}

int
main(int argc, char **argv)
{
	static char *args[256];		/* static: reachable until exit */
	const char *want = getenv("REAP_DESIGN");
	int nargs = 0, ndes = 0, nbad = 0, nknown = 0;
	char bad[1024] = "";

	args[nargs++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--design") == 0 && i + 1 < argc)
			want = argv[++i];
		else if (strncmp(argv[i], "--design=", 9) == 0)
			want = argv[i] + 9;
		else if (nargs < 255)
			args[nargs++] = argv[i];
	}
	if (want != NULL && *want != '\0') {
		/* every name asked for must exist: a typo must not pass */
		char *w = strdup(want), *save = NULL;

		for (char *t = strtok_r(w, ",", &save); t != NULL;
		    t = strtok_r(NULL, ",", &save)) {
			if (reap_find(t) == NULL) {
				printf("FAIL conformance: no design named "
				    "\"%s\" is registered\n", t);
				free(w);
				return 1;
			}
		}
		free(w);
	}
	for (int i = 0; reap_designs[i] != NULL; i++)
		nknown++;
	if (nknown == 0) {
		printf("conformance: no design is registered (reap_designs[] "
		    "is empty): ran against none\n");
		return 0;
	}
	for (int i = 0; reap_designs[i] != NULL; i++) {
		const struct reap_ops *d = reap_designs[i];
		pid_t pid;
		int st;

		if (!rt_name_in_list(d->name, want))
			continue;
		ndes++;
		printf("== conformance of design %s: %s\n", d->name,
		    d->about != NULL ? d->about : "");
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			exit(conf_run_design(d, nargs, args));
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		nbad++;
		if (WIFSIGNALED(st))
			printf("FAIL conformance/%s: killed by signal %d (a "
			    "crash, panic or sanitizer abort; see above)\n",
			    d->name, WTERMSIG(st));
		else
			printf("FAIL conformance/%s: exit status %d\n",
			    d->name, WEXITSTATUS(st));
		if (strlen(bad) + strlen(d->name) + 2 < sizeof(bad)) {
			strcat(bad, " ");
			strcat(bad, d->name);
		}
	}
	printf("conformance: ran against %d of %d designs, %d failed%s%s\n",
	    ndes, nknown, nbad, nbad ? ":" : "", bad);
	return nbad != 0;
}
