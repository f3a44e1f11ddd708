/*
 * test_dragonfly.c - tests of the dragonfly designs' own mechanisms, which
 * the conformance suite cannot see: the per-CPU reaper, the coalescing of
 * its enqueues, and the off-CPU interlock that keeps a reaper from freeing
 * an LWP its carrier still runs on (with the mutant that proves the test
 * can fail).  Every test runs for "dragonfly" and "dragonfly-2010".
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../impls/dragonfly/dragonfly.h"
#include "kern.h"
#include "reap.h"
#include "rt.h"

#if defined(__SANITIZE_ADDRESS__)
#define DF_T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DF_T_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define DF_T_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DF_T_TSAN 1
#endif
#endif

#define DF_T_NCPUS	2
#define DF_T_MAXBOUND	16

static const char *const df_t_designs[] = { "dragonfly", "dragonfly-2010" };

/* Which threads the machine bound to which model CPU (cfg.bind). */
static struct {
	_Atomic pid_t tids[DF_T_NCPUS][DF_T_MAXBOUND];
	_Atomic int n[DF_T_NCPUS];
} df_t_bound;

/* Bind the calling thread to a PU (cpu modulo the PUs we may use). */
static int
df_t_bind(int cpu, void *ctx)
{
	cpu_set_t all, one;
	int k = 0, pu = -1, want;
	(void)ctx;

	if (sched_getaffinity(0, sizeof(all), &all) != 0)
		return errno;
	want = cpu % CPU_COUNT(&all);
	for (int i = 0; i < CPU_SETSIZE && pu < 0; i++)
		if (CPU_ISSET(i, &all) && k++ == want)
			pu = i;
	CPU_ZERO(&one);
	CPU_SET(pu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return errno;
	if (cpu < DF_T_NCPUS) {
		int i = atomic_fetch_add(&df_t_bound.n[cpu], 1);

		if (i < DF_T_MAXBOUND)
			atomic_store(&df_t_bound.tids[cpu][i], gettid());
	}
	return 0;
}

static bool
df_t_was_bound(int cpu, pid_t tid)
{
	int n = atomic_load(&df_t_bound.n[cpu]);

	for (int i = 0; i < n && i < DF_T_MAXBOUND; i++)
		if (atomic_load(&df_t_bound.tids[cpu][i]) == tid)
			return true;
	return false;
}

/* A booted system with a test parent TP whose master the caller runs. */
struct df_t {
	const struct reap_ops *o;
	struct reap_boot *rb;
	struct reap_sys *sys;
	struct reap_proc *tp;
	struct reap_lwp *tpm;
};

/* tick_ns: 0 for ticks of real time, else compressed model time. */
static void
df_t_boot_tick(struct df_t *t, const char *design, unsigned variant,
    uint64_t tick_ns)
{
	struct reap_config cfg = {
		.ncpus = DF_T_NCPUS, .hz = 100, .tick_ns = tick_ns,
		.variant = variant, .bind = df_t_bind,
	};

	memset(&df_t_bound, 0, sizeof(df_t_bound));
	t->o = reap_find(design);
	RT_ASSERTF(t->o != NULL, "design %s not registered", design);
	t->rb = reap_boot(t->o, &cfg);
	RT_ASSERT(t->rb != NULL);
	t->sys = reap_boot_sys(t->rb);
	reap_cpu_set(0);
	t->tp = t->o->proc_create(t->sys, NULL, &t->tpm);
	RT_ASSERT(t->tp != NULL);
	t->o->lwp_enter(t->tpm);
}

static void
df_t_boot(struct df_t *t, const char *design, unsigned variant)
{
	df_t_boot_tick(t, design, variant, 0);
}

/* TP exits, init reaps it, the books must balance. */
static void
df_t_halt(struct df_t *t)
{
	struct reap_stats st;
	int rc;

	t->o->proc_exit(t->tpm, 0);
	rc = reap_halt(t->rb, 30000, &st);
	RT_ASSERTF(rc == 0, "%s: reap_halt = %d (procs %llu/%llu, lwps "
	    "%llu/%llu, zombies %llu)", t->o->name, rc,
	    (unsigned long long)st.procs_created,
	    (unsigned long long)st.procs_freed,
	    (unsigned long long)st.lwps_created,
	    (unsigned long long)st.lwps_freed,
	    (unsigned long long)st.zombies_now);
}

/* A worker that churns detached LWPs of one process on one model CPU. */
struct df_t_churn {
	const struct reap_ops *o;
	struct reap_proc *p;
	int	cpu, n;
	pid_t	tid;
	pthread_t thr;
};

static void *
df_t_churn_main(void *arg)
{
	struct df_t_churn *c = arg;
	struct reap_lwp *lp;
	lwpid_t lid;

	reap_cpu_set(c->cpu);
	c->tid = gettid();
	for (int i = 0; i < c->n; i++) {
		lp = c->o->lwp_create(c->p, REAP_DETACHED, &lid);
		RT_ASSERT(lp != NULL);
		c->o->lwp_enter(lp);
		RT_ASSERT(!c->o->lwp_killed(lp));
		c->o->lwp_exit(lp);
	}
	return NULL;
}

static void
df_t_churn(struct df_t *t, struct df_t_churn *c, int cpu, int n)
{
	c->o = t->o;
	c->p = t->tp;
	c->cpu = cpu;
	c->n = n;
	RT_ASSERT(pthread_create(&c->thr, NULL, df_t_churn_main, c) == 0);
	RT_ASSERT(pthread_join(c->thr, NULL) == 0);
}

/* Wait (10 s at most) until CPU cpu's reaper has disposed of `want'. */
static void
df_t_wait_reaped(struct df_t *t, int cpu, uint64_t want,
    struct df_cpu_info *ci)
{
	const struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 10000; i++) {
		df_test_cpu_info(t->sys, cpu, ci);
		if (ci->reaped >= want)
			break;
		nanosleep(&ms, NULL);
	}
	RT_ASSERTF(ci->reaped == want, "%s: cpu %d reaped %llu LWPs, want %llu",
	    t->o->name, cpu, (unsigned long long)ci->reaped,
	    (unsigned long long)want);
}

/*
 * The per-CPU reaper: LWPs that exit on CPU c are disposed of by
 * taskqueue_thread[c] -- the thread the machine bound to c's PU, pinned
 * there now -- and by no other CPU's reaper.
 */
static void
df_t_reaper_cpu(const char *design)
{
	enum { N = 64 };
	struct df_t t;
	struct df_t_churn c[DF_T_NCPUS];
	struct df_cpu_info ci, other;
	cpu_set_t set, mine;

	df_t_boot(&t, design, 0);
	for (int cpu = 0; cpu < DF_T_NCPUS; cpu++) {
		df_t_churn(&t, &c[cpu], cpu, N);
		df_t_wait_reaped(&t, cpu, N, &ci);
		RT_EQ(ci.enqueued, N);
		RT_EQ(ci.runner_cpu, cpu);
		RT_ASSERTF(ci.runner_tid == ci.taskq_tid, "%s: cpu %d reaped "
		    "by tid %d, its taskqueue thread is %d", design, cpu,
		    (int)ci.runner_tid, (int)ci.taskq_tid);
		RT_ASSERT(ci.runner_tid != c[cpu].tid);
		RT_ASSERTF(df_t_was_bound(cpu, ci.runner_tid), "%s: reaper %d "
		    "was not bound to cpu %d", design, (int)ci.runner_tid, cpu);
		/* ... and it is pinned to that CPU's PU alone. */
		RT_ASSERT(sched_getaffinity(ci.runner_tid, sizeof(set),
		    &set) == 0);
		RT_EQ(CPU_COUNT(&set), 1);
		RT_ASSERT(sched_getaffinity(0, sizeof(mine), &mine) == 0);
		for (int o = 0; o < DF_T_NCPUS; o++) {
			if (o == cpu)
				continue;
			df_test_cpu_info(t.sys, o, &other);
			RT_EQ(other.reaped, o < cpu ? N : 0);
		}
	}
	df_t_halt(&t);
}

RT_TEST(df_reaper_runs_on_exit_cpu)
{
	for (unsigned i = 0; i < 2; i++)
		df_t_reaper_cpu(df_t_designs[i]);
}

/*
 * A burst of exits on one CPU while its reaper is busy (its start widened
 * by injection) coalesces into few runs: every enqueue either queued the
 * task, and the task then ran once, or found it pending.
 */
static void
df_t_coalesce(const char *design)
{
	enum { N = 100 };
	struct df_t t;
	struct df_t_churn c;
	struct df_cpu_info ci;
	struct reap_stats st;

	df_t_boot(&t, design, 0);
	kern_inject_widen("dragonfly.reaplwps.enter", 20000);
	df_t_churn(&t, &c, 0, N);
	df_t_wait_reaped(&t, 0, N, &ci);
	/* A run queued during the last one may still be due: let it go. */
	for (int i = 0; i < 5000 && ci.runs != ci.enqueued - ci.coalesced;
	    i++) {
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		df_test_cpu_info(t.sys, 0, &ci);
	}
	kern_inject_disable();
	RT_EQ(ci.enqueued, N);
	RT_ASSERTF(ci.coalesced > 0, "%s: no enqueue coalesced", design);
	RT_EQ(ci.runs, ci.enqueued - ci.coalesced);
	RT_ASSERTF(ci.runs < N / 2, "%s: %llu runs for %d exits", design,
	    (unsigned long long)ci.runs, N);
	t.o->stats(t.sys, &st);
	RT_ASSERT(st.reaper_wakeups >= ci.runs);
	df_t_halt(&t);
}

RT_TEST(df_reaper_enqueues_coalesce)
{
#ifdef KERN_NO_INJECT
	printf("skip: injection compiled out\n");
#else
	for (unsigned i = 0; i < 2; i++)
		df_t_coalesce(df_t_designs[i]);
#endif
}

/* Carriers of a process's LWPs for the on-CPU window test. */
struct df_t_carrier {
	const struct reap_ops *o;
	struct reap_lwp *lp;
	int	cpu;
	int	status;		/* master: proc_exit status */
	bool	master;
	_Atomic int *entered;
	pthread_t thr;
};

static void *
df_t_carrier_main(void *arg)
{
	struct df_t_carrier *c = arg;
	const struct timespec ms = { 0, 1000000 };

	reap_cpu_set(c->cpu);
	c->o->lwp_enter(c->lp);
	atomic_fetch_add(c->entered, 1);
	if (c->master) {
		while (atomic_load(c->entered) < 3)
			nanosleep(&ms, NULL);
		c->o->proc_exit(c->lp, c->status);
		return NULL;
	}
	while (!c->o->lwp_killed(c->lp))
		nanosleep(&ms, NULL);
	c->o->lwp_exit(c->lp);
	return NULL;
}

static void *
df_t_joinee_main(void *arg)
{
	struct df_t_carrier *c = arg;

	reap_cpu_set(c->cpu);
	c->o->lwp_enter(c->lp);
	c->o->lwp_exit(c->lp);
	return NULL;
}

/*
 * The on-CPU window: between publishing a dead LWP (deadlwp list, or the
 * zombie's master for kern_wait) and the carrier's final off-CPU store,
 * the carrier writes the LWP's stack.  Widen that window to 3 ms: the
 * reapers and kern_wait must still wait (lwp_dispose asserts it, ASan and
 * TSan see any early free), for detached, joinable and master LWPs.
 */
static void
df_t_window_run(const char *design, unsigned variant, int n)
{
	struct df_t t;
	struct df_t_churn c;
	struct df_t_carrier k[3], j;
	struct reap_lwp *lp, *cm;
	struct reap_proc *cp;
	_Atomic int entered = 0;
	lwpid_t lid, dep = 0;
	int st = -1;
	pid_t pid;

	df_t_boot(&t, design, variant);
	kern_inject_reset_hits();
	kern_inject_widen("dragonfly.exit.oncpu", 3000);
	df_t_churn(&t, &c, 0, n);

	/* A joinable LWP exiting on CPU 1, collected by TP. */
	lp = t.o->lwp_create(t.tp, 0, &lid);
	RT_ASSERT(lp != NULL);
	j = (struct df_t_carrier){ .o = t.o, .lp = lp, .cpu = 1 };
	RT_ASSERT(pthread_create(&j.thr, NULL, df_t_joinee_main, &j) == 0);
	RT_EQ(t.o->lwp_wait(t.tpm, lid, &dep), 0);
	RT_EQ(dep, lid);
	RT_ASSERT(pthread_join(j.thr, NULL) == 0);

	/* A child of TP with three LWPs, torn down by proc_exit. */
	cp = t.o->proc_create(t.sys, t.tp, &cm);
	RT_ASSERT(cp != NULL);
	pid = t.o->proc_pid(cp);
	k[0] = (struct df_t_carrier){ .o = t.o, .lp = cm, .cpu = 1,
	    .status = 5, .master = true, .entered = &entered };
	for (int i = 1; i < 3; i++) {
		lp = t.o->lwp_create(cp, i == 1 ? 0 : REAP_DETACHED, &lid);
		RT_ASSERT(lp != NULL);
		k[i] = (struct df_t_carrier){ .o = t.o, .lp = lp, .cpu = i - 1,
		    .entered = &entered };
	}
	for (int i = 0; i < 3; i++)
		RT_ASSERT(pthread_create(&k[i].thr, NULL, df_t_carrier_main,
		    &k[i]) == 0);
	RT_EQ(t.o->proc_wait(t.tpm, pid, &st, 0), pid);
	RT_EQ(st, 5);
	for (int i = 0; i < 3; i++)
		RT_ASSERT(pthread_join(k[i].thr, NULL) == 0);

	/* Every exit went through the widened window. */
	RT_ASSERTF(kern_inject_hits("dragonfly.exit.oncpu") >= (uint64_t)n + 4,
	    "%s: window hit %llu times", design,
	    (unsigned long long)kern_inject_hits("dragonfly.exit.oncpu"));
	RT_EQ(df_test_early_frees(t.sys), 0);
	kern_inject_disable();
	df_t_halt(&t);
}

RT_TEST(df_no_free_before_offcpu_store)
{
#ifdef KERN_NO_INJECT
	printf("skip: injection compiled out\n");
#else
	for (unsigned i = 0; i < 2; i++)
		df_t_window_run(df_t_designs[i], 0, 20);
#endif
}

/*
 * The same run on the mutant that disposes of dead LWPs without lwp_wait
 * must be caught: in a child process, ASan (or TSan) must report the
 * carrier's write into the freed LWP; without a sanitizer the child counts
 * the LWPs freed while their carrier was on its CPU and exits 42 (unless
 * that write into freed memory crashes it first).  The
 * child's output goes to a pipe so that its sanitizer report does not fail
 * this (correct) run.
 */
static void
df_t_mutant(const char *design)
{
	char buf[65536];
	size_t len = 0;
	ssize_t r;
	int fds[2], st;
	pid_t pid;

	fflush(stdout);
	RT_ASSERT(pipe(fds) == 0);
	pid = fork();
	RT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct df_t t;
		struct df_t_churn c;
		struct df_cpu_info ci;

		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		df_t_boot(&t, design, DF_VARIANT_NO_EXIT_INTERLOCK);
		kern_inject_widen("dragonfly.exit.oncpu", 3000);
		df_t_churn(&t, &c, 0, 20);
		df_t_wait_reaped(&t, 0, 20, &ci);
		printf("early frees: %llu\n",
		    (unsigned long long)df_test_early_frees(t.sys));
		fflush(stdout);
		_exit(df_test_early_frees(t.sys) > 0 ? 42 : 0);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	    (r = read(fds[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		RT_ASSERT(r > 0);
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0)
		RT_ASSERT(errno == EINTR);
	RT_ASSERTF(!(WIFEXITED(st) && WEXITSTATUS(st) == 0),
	    "%s mutant was not caught", design);
#if defined(DF_T_ASAN)
	/* A use after free, or a SEGV on a pointer read from an LWP that
	 * was freed and reused (seen under load: the carrier's
	 * df_lwp_switchout dereferenced one). */
	RT_ASSERTF(strstr(buf, "heap-use-after-free") != NULL ||
	    strstr(buf, "AddressSanitizer: SEGV") != NULL,
	    "%s mutant: no ASan use-after-free report (status %#x): %.2000s",
	    design, st, buf);
#elif defined(DF_T_TSAN)
	RT_ASSERTF(strstr(buf, "ThreadSanitizer") != NULL ||
	    (WIFEXITED(st) && WEXITSTATUS(st) == 42),
	    "%s mutant: neither TSan nor the counter caught it (status %#x)",
	    design, st);
#else
	/* The counter saw it, or the write into freed memory crashed. */
	RT_ASSERTF((WIFEXITED(st) && WEXITSTATUS(st) == 42) ||
	    WIFSIGNALED(st), "%s mutant: status %#x, want exit 42 or a "
	    "crash", design, st);
#endif
}

RT_TEST(df_mutant_no_exit_interlock_is_caught)
{
#if defined(KERN_NO_INJECT) || !defined(REAP_MUTANTS)
	printf("skip: injection or mutants compiled out\n");
#else
	for (unsigned i = 0; i < 2; i++)
		df_t_mutant(df_t_designs[i]);
#endif
}

/*
 * DF_VARIANT_NOCLDWAIT: exit1 hands the zombie to init (proc_reparent),
 * so its parent sees ECHILD and init reaps it.
 */
RT_TEST(df_nocldwait_reparents_zombie_to_init)
{
	for (unsigned i = 0; i < 2; i++) {
		struct df_t t;
		struct df_t_carrier k;
		struct reap_lwp *cm;
		struct reap_proc *cp;
		_Atomic int entered = 3;
		int rc;

		df_t_boot(&t, df_t_designs[i], DF_VARIANT_NOCLDWAIT);
		cp = t.o->proc_create(t.sys, t.tp, &cm);
		RT_ASSERT(cp != NULL);
		k = (struct df_t_carrier){ .o = t.o, .lp = cm, .cpu = 1,
		    .status = 1, .master = true, .entered = &entered };
		RT_ASSERT(pthread_create(&k.thr, NULL, df_t_carrier_main,
		    &k) == 0);
		RT_ASSERT(pthread_join(k.thr, NULL) == 0);
		rc = t.o->proc_wait(t.tpm, -1, NULL, 0);
		RT_ASSERTF(rc == -ECHILD, "%s: proc_wait = %d, want -ECHILD",
		    df_t_designs[i], rc);
		df_t_halt(&t);
	}
}

/* A carrier that enters its LWP and leaves with lwp_exit (_lwp_exit). */
struct df_t_exiter {
	const struct reap_ops *o;
	struct reap_lwp *lp;
	int	cpu;
	_Atomic int gate;
	pthread_t thr;
};

static void *
df_t_exiter_main(void *arg)
{
	struct df_t_exiter *e = arg;
	const struct timespec ms = { 0, 1000000 };

	reap_cpu_set(e->cpu);
	e->o->lwp_enter(e->lp);
	while (atomic_load(&e->gate) == 0)
		nanosleep(&ms, NULL);
	e->o->lwp_exit(e->lp);
	return NULL;
}

/* Wait (5 s at most) until the LWP's carrier sleeps in the kernel. */
static void
df_t_await_asleep(const char *design, struct reap_lwp *lp)
{
	const struct timespec ms = { 0, 1000000 };
	struct kern_td *ctd;

	for (int i = 0; i < 5000; i++) {
		ctd = atomic_load(&lp->lwp_thread.td_carrier);
		if (ctd != NULL && kern_td_wmesg(ctd) != NULL)
			return;
		nanosleep(&ms, NULL);
	}
	RT_ASSERTF(false, "%s: the held LWP's exit did not sleep", design);
}

/*
 * A held LWP exits (its exit sleeps until the release), then the other
 * LWP of the process exits.  After the release the process must become a
 * zombie its parent reaps.  In the seeds both LWPs can pass sys_extexit's
 * p_nthreads > 1 test (the held one sleeps after it without p_token), so
 * nobody calls exit1 and the process stays SACTIVE with no LWPs; the model
 * drains the hold before the test (df_sys_extexit).  The round that holds
 * the last exiter instead covers exit1's own "lwpexit" poll.
 */
static void
df_t_held_exit(const char *design, bool hold_last, unsigned partner)
{
	const struct timespec ms = { 0, 1000000 };
	struct df_t t;
	struct df_t_exiter e[2];
	struct reap_lwp *cm, *lp, *h;
	struct reap_proc *cp;
	lwpid_t lid[2];
	int st = -1, i;
	pid_t pid, rc = 0;

	df_t_boot(&t, design, 0);
	cp = t.o->proc_create(t.sys, t.tp, &cm);
	RT_ASSERT(cp != NULL);
	pid = t.o->proc_pid(cp);
	lp = t.o->lwp_create(cp, partner, &lid[1]);
	RT_ASSERT(lp != NULL);
	lid[0] = t.o->lwp_id(cm);
	for (i = 0; i < 2; i++) {
		e[i] = (struct df_t_exiter){ .o = t.o, .lp = i ? lp : cm,
		    .cpu = i };
		RT_ASSERT(pthread_create(&e[i].thr, NULL, df_t_exiter_main,
		    &e[i]) == 0);
	}
	/* e[0] exits first, then e[1]; hold the first or the last. */
	h = t.o->lwp_hold(cp, lid[hold_last ? 1 : 0]);
	RT_ASSERT(h == (hold_last ? lp : cm));
	atomic_store(&e[0].gate, 1);
	if (hold_last) {
		RT_ASSERT(pthread_join(e[0].thr, NULL) == 0);
	} else {
		df_t_await_asleep(design, cm);
	}
	atomic_store(&e[1].gate, 1);
	if (hold_last)
		df_t_await_asleep(design, lp);
	else
		RT_ASSERT(pthread_join(e[1].thr, NULL) == 0);
	t.o->lwp_rele(h);
	/* WNOHANG polls: without the drain a blocking wait never returns. */
	for (i = 0; i < 5000; i++) {
		rc = t.o->proc_wait(t.tpm, pid, &st, WNOHANG);
		if (rc != 0)
			break;
		nanosleep(&ms, NULL);
	}
	RT_ASSERTF(rc == pid, "%s (hold %s, partner %s): proc_wait = %d "
	    "after 5 s, want %d (a process left with no LWPs and no exit1)",
	    design, hold_last ? "last" : "first",
	    partner ? "detached" : "joinable", (int)rc, (int)pid);
	RT_EQ(st, 0);
	for (i = hold_last ? 1 : 0; i < (hold_last ? 2 : 1); i++)
		RT_ASSERT(pthread_join(e[i].thr, NULL) == 0);
	df_t_halt(&t);
}

RT_TEST(df_held_lwp_exit_not_undead)
{
	for (unsigned i = 0; i < 2; i++)
		for (int r = 0; r < 4; r++)
			df_t_held_exit(df_t_designs[i], r & 1,
			    r & 2 ? REAP_DETACHED : 0);
}

/*
 * Two reapers, one zombie (issue 17, bug 5).  Two LWPs of TP wait in
 * proc_wait(-1) while TP's zombie child C1 is held (a /proc-style PHOLD):
 * the first to take it sleeps in its hold poll ("reap3", which gives up
 * both tokens), and the second must not take the same zombie; it reaps
 * C2 when C2 exits.  DragonFly's 2010 kern_wait has no PHOLDZOMB: there
 * the second also took C1, and whichever woke last read it after the
 * other had freed it.  Run in a child process (bounded by alarm) whose
 * output goes to a pipe: with the mutant, its sanitizer report and crash
 * are the expected result.
 */
struct df_t_reaper {
	const struct reap_ops *o;
	struct reap_lwp *lp;
	int	cpu;
	pid_t	rc;
	int	st;
	_Atomic int done;
	pthread_t thr;
};

static void *
df_t_reaper_main(void *arg)
{
	struct df_t_reaper *r = arg;

	reap_cpu_set(r->cpu);
	r->o->lwp_enter(r->lp);
	r->rc = r->o->proc_wait(r->lp, -1, &r->st, 0);
	atomic_store(&r->done, 1);
	r->o->lwp_exit(r->lp);
	return NULL;
}

/* Wait (5 s at most) until pred; false on timeout. */
static bool
df_t_until(bool (*pred)(void *), void *arg)
{
	const struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 5000; i++) {
		if (pred(arg))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

static bool
df_t_both_slept(void *arg)
{
	struct df_t_reaper *r = arg;
	static bool seen[2];

	for (int i = 0; i < 2; i++) {
		struct kern_td *td = atomic_load(&r[i].lp->lwp_thread.td_carrier);

		seen[i] = seen[i] || (td != NULL && kern_td_wmesg(td) != NULL);
	}
	return seen[0] && seen[1];
}

static bool
df_t_one_done(void *arg)
{
	struct df_t_reaper *r = arg;

	return atomic_load(&r[0].done) + atomic_load(&r[1].done) >= 1;
}

static bool
df_t_both_done(void *arg)
{
	struct df_t_reaper *r = arg;

	return atomic_load(&r[0].done) + atomic_load(&r[1].done) == 2;
}

static void
df_t_two_reapers_child(const char *design, unsigned variant)
{
	struct df_t t;
	struct df_t_reaper r[2];
	struct df_t_carrier e[2];
	struct reap_lwp *cm[2];
	struct reap_proc *cp[2];
	pid_t pid[2];

	alarm(30);
	/* 100 us ticks: the 2010 "reap3" poll (hz ticks) is 10 ms. */
	df_t_boot_tick(&t, design, variant, 100000);
	for (int i = 0; i < 2; i++) {
		cp[i] = t.o->proc_create(t.sys, t.tp, &cm[i]);
		RT_ASSERT(cp[i] != NULL);
		pid[i] = t.o->proc_pid(cp[i]);
		e[i] = (struct df_t_carrier){ .o = t.o, .lp = cm[i], .cpu = 1 };
		r[i] = (struct df_t_reaper){ .o = t.o, .cpu = i };
		r[i].lp = t.o->lwp_create(t.tp, 0, NULL);
		RT_ASSERT(r[i].lp != NULL);
	}
	/* C1 exits and is held; both reapers go for it. */
	RT_ASSERT(pthread_create(&e[0].thr, NULL, df_t_joinee_main,
	    &e[0]) == 0);
	RT_ASSERT(pthread_join(e[0].thr, NULL) == 0);
	RT_EQ(atomic_load(&cp[0]->p_stat), SZOMB);
	df_proc_hold(cp[0]);
	for (int i = 0; i < 2; i++)
		RT_ASSERT(pthread_create(&r[i].thr, NULL, df_t_reaper_main,
		    &r[i]) == 0);
	RT_ASSERTF(df_t_until(df_t_both_slept, r), "%s: the reapers did not "
	    "both sleep", design);
	usleep(50000);
	df_proc_rele(cp[0]);
	RT_ASSERTF(df_t_until(df_t_one_done, r), "%s: nobody reaped the "
	    "released zombie", design);
	/* C2 exits: the other reaper takes it. */
	RT_ASSERT(pthread_create(&e[1].thr, NULL, df_t_joinee_main,
	    &e[1]) == 0);
	RT_ASSERT(pthread_join(e[1].thr, NULL) == 0);
	RT_ASSERTF(df_t_until(df_t_both_done, r), "%s: a reaper never "
	    "returned (%d, %d)", design, atomic_load(&r[0].done),
	    atomic_load(&r[1].done));
	for (int i = 0; i < 2; i++)
		RT_ASSERT(pthread_join(r[i].thr, NULL) == 0);
	RT_ASSERTF((r[0].rc == pid[0] && r[1].rc == pid[1]) ||
	    (r[0].rc == pid[1] && r[1].rc == pid[0]), "%s: reapers got %d and "
	    "%d, want %d and %d once each", design, (int)r[0].rc,
	    (int)r[1].rc, (int)pid[0], (int)pid[1]);
	RT_EQ(r[0].st, 0);
	RT_EQ(r[1].st, 0);
	df_t_halt(&t);
}

/* Run it in a child: its exit status, its output in buf. */
static int
df_t_two_reapers(const char *design, unsigned variant, char *buf,
    size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fds[2], st;
	pid_t pid;

	fflush(stdout);
	RT_ASSERT(pipe(fds) == 0);
	pid = fork();
	RT_ASSERT(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		df_t_two_reapers_child(design, variant);
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	while (len < size - 1 &&
	    (n = read(fds[0], buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		RT_ASSERT(n > 0);
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0)
		RT_ASSERT(errno == EINTR);
	return st;
}

RT_TEST(df_two_reapers_one_zombie)
{
	static char buf[65536];

	for (unsigned i = 0; i < 2; i++) {
		int st = df_t_two_reapers(df_t_designs[i], 0, buf, sizeof(buf));

		RT_ASSERTF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status "
		    "%#x: %s", df_t_designs[i], st, buf);
	}
}

/* The 2010 seed's kern_wait (the mutant) must fail the same run. */
RT_TEST(df_mutant_wait_no_holdzomb_is_caught)
{
#if defined(KERN_NO_INJECT) || !defined(REAP_MUTANTS)
	printf("skip: mutants compiled out\n");
#else
	static char buf[65536];
	int st = df_t_two_reapers("dragonfly-2010",
	    DF_VARIANT_WAIT_NOHOLDZOMB, buf, sizeof(buf));

	RT_ASSERTF(!(WIFEXITED(st) && WEXITSTATUS(st) == 0),
	    "the 2010 kern_wait without PHOLDZOMB ran clean");
#if defined(DF_T_ASAN)
	RT_ASSERTF(strstr(buf, "heap-use-after-free") != NULL,
	    "no ASan use-after-free report (status %#x): %s", st, buf);
#endif
	printf("caught: %s %d\n", WIFSIGNALED(st) ? "signal" : "exit status",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
#endif
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
