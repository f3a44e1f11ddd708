/*
 * test_netbsd.c - design-specific tests of netbsd and netbsd-2007
 * (issue 4): zombie-slot recycling and the switch-out window, plus the
 * mutants' detection (the window test must be able to fail).
 *
 * White-box where the property is internal: the zombie slot invariant is
 * read from struct reap_proc under p_lock.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../impls/netbsd/netbsd.h"
#include "rt.h"

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define T_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define T_TSAN 1
#endif
#endif

#define T_NCPUS		2
#define T_WINDOW_US	30000		/* widened switch-out window */

static const char *const t_designs[] = { "netbsd", "netbsd-2007" };

/* A booted system with a test parent TP whose master the caller carries. */
struct t_sys {
	const struct reap_ops *ops;
	struct reap_boot *boot;
	struct reap_sys *sys;
	struct reap_proc *tp;
	struct reap_lwp *tpm;
	struct reap_stats base;
};

static void
t_boot(struct t_sys *ts, const char *design, unsigned variant)
{
	struct reap_config cfg = { .ncpus = T_NCPUS, .hz = 100,
	    .variant = variant };

	memset(ts, 0, sizeof(*ts));
	ts->ops = reap_find(design);
	RT_ASSERT(ts->ops != NULL);
	reap_cpu_set(0);
	ts->boot = reap_boot(ts->ops, &cfg);
	RT_ASSERT(ts->boot != NULL);
	ts->sys = reap_boot_sys(ts->boot);
	ts->tp = ts->ops->proc_create(ts->sys, NULL, &ts->tpm);
	RT_ASSERT(ts->tp != NULL);
	ts->ops->lwp_enter(ts->tpm);
	ts->ops->stats(ts->sys, &ts->base);
}

/* TP exits (init reaps it); then halt, which checks the books. */
static void
t_halt(struct t_sys *ts)
{
	struct reap_stats fin;

	ts->ops->lwp_exit(ts->tpm);
	RT_EQ(reap_halt(ts->boot, 10000, &fin), 0);
	RT_EQ(fin.procs_created, fin.procs_freed);
	RT_EQ(fin.lwps_created, fin.lwps_freed);
	RT_EQ(fin.zombies_now, 0);
}

/* Detached LSZOMB LWPs on p_lwps: at most one, and it is p_zomblwp. */
static void
t_check_zombie_slot(struct reap_proc *p)
{
	struct reap_lwp *l, *slot;
	int n = 0;

	mutex_enter(&p->p_lock);
	slot = atomic_load_explicit(&p->p_zomblwp, memory_order_relaxed);
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
		if ((l->l_prflag & LPR_DETACHED) != 0 &&
		    nb_lwp_stat(l) == LSZOMB) {
			n++;
			RT_ASSERTF(l == slot,
			    "detached zombie %p not in p_zomblwp (%p)",
			    (void *)l, (void *)slot);
		}
	mutex_exit(&p->p_lock);
	RT_ASSERTF(n <= 1, "%d detached zombies wait", n);
}

struct t_churn {
	struct t_sys	*ts;
	struct reap_proc *p;
	int		 cpu;
	int		 n;
	_Atomic int	*stop_checker;
};

/* Create, run and exit detached LWPs of one process, as its carrier. */
static void *
t_churn_worker(void *arg)
{
	struct t_churn *tc = arg;
	const struct reap_ops *ops = tc->ts->ops;
	struct reap_lwp *l;
	lwpid_t lid;

	reap_cpu_set(tc->cpu);
	for (int i = 0; i < tc->n; i++) {
		l = ops->lwp_create(tc->p, REAP_DETACHED, &lid);
		RT_ASSERT(l != NULL);
		ops->lwp_enter(l);
		RT_ASSERT(!ops->lwp_killed(l));
		ops->lwp_exit(l);
	}
	return NULL;
}

static void *
t_slot_checker(void *arg)
{
	struct t_churn *tc = arg;

	reap_cpu_set(1);
	while (!atomic_load(tc->stop_checker)) {
		t_check_zombie_slot(tc->p);
		sched_yield();
	}
	return NULL;
}

/*
 * Detached LWPs are recycled through p_zomblwp by lwp_create: one after
 * another, every creation after the first reuses the previous zombie
 * (fresh allocations stay at one); and however many carriers churn, at
 * most one detached zombie per process waits in the slot.
 */
static void
t_recycle(const char *design)
{
	enum { NSEQ = 200, NPAR = 2, NEACH = 2000 };
	struct t_sys ts;
	struct reap_stats s0, s1, s2;
	struct reap_proc *c;
	struct reap_lwp *cm, *l;
	struct t_churn tc[NPAR], chk;
	pthread_t thr[NPAR], checker;
	_Atomic int stop = 0;
	lwpid_t lid;
	int status;
	pid_t pid;

	t_boot(&ts, design, 0);
	c = ts.ops->proc_create(ts.sys, ts.tp, &cm);
	RT_ASSERT(c != NULL);
	ts.ops->lwp_enter(cm);

	/* Sequential: the main thread carries each detached LWP in turn. */
	ts.ops->stats(ts.sys, &s0);
	for (int i = 0; i < NSEQ; i++) {
		l = ts.ops->lwp_create(c, REAP_DETACHED, &lid);
		RT_ASSERT(l != NULL);
		ts.ops->lwp_enter(l);
		ts.ops->lwp_exit(l);
		t_check_zombie_slot(c);
		RT_ASSERT(atomic_load_explicit(&c->p_zomblwp,
		    memory_order_relaxed) == l);
	}
	ts.ops->stats(ts.sys, &s1);
	RT_EQ(s1.lwps_created - s0.lwps_created, NSEQ);
	RT_EQ(s1.lwp_allocs - s0.lwp_allocs, 1);
	RT_EQ(s1.lwp_recycled - s0.lwp_recycled, NSEQ - 1);
	RT_EQ(s1.lwps_freed - s0.lwps_freed, NSEQ - 1);	/* one parked */
	RT_EQ(s1.zombies_now - s0.zombies_now, 1);

	/* Concurrent: two carriers churn while a checker samples the slot. */
	chk = (struct t_churn){ .ts = &ts, .p = c, .stop_checker = &stop };
	RT_EQ(pthread_create(&checker, NULL, t_slot_checker, &chk), 0);
	for (int i = 0; i < NPAR; i++) {
		tc[i] = (struct t_churn){ .ts = &ts, .p = c, .cpu = i,
		    .n = NEACH };
		RT_EQ(pthread_create(&thr[i], NULL, t_churn_worker, &tc[i]), 0);
	}
	for (int i = 0; i < NPAR; i++)
		pthread_join(thr[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(checker, NULL);
	t_check_zombie_slot(c);
	ts.ops->stats(ts.sys, &s2);
	RT_EQ(s2.lwps_created - s1.lwps_created, NPAR * NEACH);
	RT_EQ((s2.lwp_allocs - s1.lwp_allocs) +
	    (s2.lwp_recycled - s1.lwp_recycled), NPAR * NEACH);
	RT_ASSERTF(s2.lwp_recycled - s1.lwp_recycled > 0,
	    "no recycling among %d concurrent creations", NPAR * NEACH);
	RT_ASSERT(s2.zombies_now - s0.zombies_now <= 1);

	/* exit1 drains the parked zombie; the status reaches wait. */
	ts.ops->proc_exit(cm, 7);
	pid = ts.ops->proc_wait(ts.tpm, ts.ops->proc_pid(c), &status, 0);
	RT_ASSERT(pid > 0);
	RT_EQ(status, 7);
	t_halt(&ts);
}

RT_TEST(nb_recycle_netbsd) { t_recycle(t_designs[0]); }
RT_TEST(nb_recycle_netbsd_2007) { t_recycle(t_designs[1]); }

#ifndef KERN_NO_INJECT
struct t_exiter {
	const struct reap_ops *ops;
	struct reap_lwp	*l;
	uint64_t	 t0;
};

static void *
t_exiter_main(void *arg)
{
	struct t_exiter *te = arg;

	reap_cpu_set(1);
	te->ops->lwp_enter(te->l);
	te->t0 = kern_now_ns();
	te->ops->lwp_exit(te->l);
	return NULL;
}

/*
 * The switch-out window, widened to T_WINDOW_US: a joinable LWP exits on
 * one thread while TP's master collects it with lwp_wait on another.  The
 * collector must not free the LWP before its carrier has cleared
 * LP_RUNNING, so lwp_wait cannot return sooner than the window after the
 * exit began.  Returns 0 if it held, 1 if the LWP was freed early.
 * (With the free-while-running mutant the carrier then writes into a
 * freed LWP, which ASan reports before we get to look at the time.)
 */
static int
t_window_run(const char *design, unsigned variant)
{
	struct t_sys ts;
	struct t_exiter te;
	pthread_t thr;
	lwpid_t lid, dep = 0;
	uint64_t t1;
	int error, rc = 0;

	kern_inject_widen("netbsd.switch.window", T_WINDOW_US);
	kern_inject_reset_hits();
	t_boot(&ts, design, variant);
	te = (struct t_exiter){ .ops = ts.ops };
	te.l = ts.ops->lwp_create(ts.tp, 0, &lid);
	RT_ASSERT(te.l != NULL);
	RT_EQ(pthread_create(&thr, NULL, t_exiter_main, &te), 0);
	error = ts.ops->lwp_wait(ts.tpm, lid, &dep);
	t1 = kern_now_ns();
	pthread_join(thr, NULL);
	RT_EQ(error, 0);
	RT_EQ(dep, lid);
	RT_ASSERT(kern_inject_hits("netbsd.switch.window") >= 1);
	if (t1 - te.t0 < (uint64_t)T_WINDOW_US * 1000)
		rc = 1;
	kern_inject_disable();
	if (rc == 0)
		t_halt(&ts);
	return rc;
}

static void
t_window(const char *design)
{
	RT_EQ(t_window_run(design, 0), 0);
}

RT_TEST(nb_window_netbsd) { t_window(t_designs[0]); }
RT_TEST(nb_window_netbsd_2007) { t_window(t_designs[1]); }

#if defined(REAP_MUTANTS) && !defined(T_TSAN)
/*
 * Run fn(design) in a forked child with its output captured; true if the
 * child failed (non-zero exit or a signal).  *out gets what it printed.
 */
static bool
t_child_fails(int (*fn)(const char *), const char *design, char *out,
    size_t outsz)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	RT_EQ(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	RT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		alarm(20);			/* a hang is a failure too */
		_exit(fn(design));
	}
	close(fds[1]);
	while (n + 1 < outsz && (r = read(fds[0], out + n, outsz - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	RT_EQ(waitpid(pid, &status, 0), pid);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int
t_window_mutant(const char *design)
{
	return t_window_run(design, NB_MUT_FREE_WHILE_RUNNING);
}

/*
 * The window test can fail: with lwp_free not waiting for LP_RUNNING
 * (mutant netbsd-free-while-running) the child is caught -- by ASan
 * (the carrier writes into a freed, poisoned LWP) in the ASan build, by
 * the timing check in the plain build.
 */
static void
t_window_catches(const char *design)
{
	static char out[1 << 16];

	RT_ASSERTF(t_child_fails(t_window_mutant, design, out, sizeof(out)),
	    "mutant netbsd-free-while-running not caught:\n%s", out);
#ifdef T_ASAN
	RT_ASSERTF(strstr(out, "use-after-poison") != NULL,
	    "mutant failed, but not by ASan's use-after-poison:\n%s", out);
#endif
}

RT_TEST(nb_window_catches_mutant_netbsd) { t_window_catches(t_designs[0]); }
RT_TEST(nb_window_catches_mutant_netbsd_2007) { t_window_catches(t_designs[1]); }
#endif /* REAP_MUTANTS && !T_TSAN */

/* ---- an observer's release racing the process's exit and reap -------- */

struct t_obs {
	struct t_sys	*ts;
	struct reap_proc *p;
	struct reap_lwp	*m, *x;
	lwpid_t		 xlid;
	_Atomic int	 held;		/* observer holds x */
	_Atomic int	 released;	/* observer's lwp_rele returned */
};

static void *
t_obs_master(void *arg)
{
	struct t_obs *to = arg;

	reap_cpu_set(0);
	to->ts->ops->lwp_enter(to->m);
	while (!atomic_load(&to->held))
		sched_yield();
	to->ts->ops->proc_exit(to->m, 3);
	return NULL;
}

static void *
t_obs_x(void *arg)
{
	struct t_obs *to = arg;

	reap_cpu_set(1);
	to->ts->ops->lwp_enter(to->x);
	while (!to->ts->ops->lwp_killed(to->x))
		usleep(200);
	to->ts->ops->lwp_exit(to->x);
	return NULL;
}

static void *
t_obs_observer(void *arg)
{
	struct t_obs *to = arg;
	struct reap_lwp *h;

	reap_cpu_set(1);
	h = to->ts->ops->lwp_hold(to->p, to->xlid);
	RT_ASSERT(h == to->x);
	atomic_store(&to->held, 1);
	usleep(5000);			/* x is killed and drains on us */
	to->ts->ops->lwp_rele(h);
	atomic_store(&to->released, 1);
	return NULL;
}

/*
 * An observer holds LWP x while the process exits; x's exit waits for the
 * hold (lwp_drainrefs); the parent reaps the process.  With delref's
 * broadcast after unlock widened, the reference no longer keeps the
 * process alive: it is reaped and freed before the broadcast.  Returns 0
 * when the run completes cleanly.
 */
static int
t_observer_run(const char *design, unsigned variant)
{
	struct t_sys ts;
	struct t_obs to;
	pthread_t tm, tx, tob;
	int status;
	pid_t pid;

	if (variant != 0)
		kern_inject_widen("netbsd.delref.after_unlock", 100000);
	t_boot(&ts, design, variant);
	memset(&to, 0, sizeof(to));
	to.ts = &ts;
	to.p = ts.ops->proc_create(ts.sys, ts.tp, &to.m);
	RT_ASSERT(to.p != NULL);
	to.x = ts.ops->lwp_create(to.p, 0, &to.xlid);
	RT_ASSERT(to.x != NULL);
	RT_EQ(pthread_create(&tx, NULL, t_obs_x, &to), 0);
	RT_EQ(pthread_create(&tob, NULL, t_obs_observer, &to), 0);
	RT_EQ(pthread_create(&tm, NULL, t_obs_master, &to), 0);
	pid = ts.ops->proc_wait(ts.tpm, ts.ops->proc_pid(to.p), &status, 0);
	RT_ASSERT(pid > 0);
	RT_EQ(status, 3);
	pthread_join(tm, NULL);
	pthread_join(tx, NULL);
	pthread_join(tob, NULL);
	RT_ASSERT(atomic_load(&to.released));
	kern_inject_disable();
	t_halt(&ts);
	return 0;
}

RT_TEST(nb_observer_exit_netbsd) { RT_EQ(t_observer_run(t_designs[0], 0), 0); }
RT_TEST(nb_observer_exit_netbsd_2007) { RT_EQ(t_observer_run(t_designs[1], 0), 0); }

#if defined(REAP_MUTANTS) && defined(T_ASAN)
static int
t_observer_mutant(const char *design)
{
	return t_observer_run(design, NB_MUT_BCAST_AFTER_UNLOCK);
}

/*
 * Mutant netbsd-bcast-after-unlock (NetBSD kern_lwp.c 1.40.2.18's lwp_delref)
 * in the netbsd design: ASan catches the broadcast into the freed process.
 * (In netbsd-2007 one holder cannot lose it so: the drain sleeps on
 * p_refcv, which only a broadcast wakes.  Two can: nb_pair below.)
 */
RT_TEST(nb_observer_catches_mutant_netbsd)
{
	static char out[1 << 16];

	RT_ASSERTF(t_child_fails(t_observer_mutant, t_designs[0], out,
	    sizeof(out)), "mutant netbsd-bcast-after-unlock not caught:\n%s",
	    out);
	RT_ASSERTF(strstr(out, "heap-use-after-free") != NULL,
	    "mutant failed, but not by a use after free:\n%s", out);
}
#endif

/* ---- spin's trail: two holders, the first overtaken ------------------ */

struct t_pair {
	struct t_sys	*ts;
	struct reap_proc *p;
	struct reap_lwp	*m, *l[2];
	lwpid_t		 lid[2];
	_Atomic int	 held;		/* holds taken */
	_Atomic int	 released;	/* lwp_rele calls returned */
	bool		 mutant;
};

struct t_pair_arg {
	struct t_pair	*tp;
	int		 i;
};

static void *
t_pair_master(void *arg)
{
	struct t_pair *tp = arg;

	reap_cpu_set(0);
	tp->ts->ops->lwp_enter(tp->m);
	while (atomic_load(&tp->held) < 2)
		sched_yield();
	tp->ts->ops->proc_exit(tp->m, 5);
	return NULL;
}

static void *
t_pair_lwp(void *arg)
{
	struct t_pair_arg *a = arg;
	const struct reap_ops *o = a->tp->ts->ops;

	reap_cpu_set(1);
	o->lwp_enter(a->tp->l[a->i]);
	while (!o->lwp_killed(a->tp->l[a->i]))
		usleep(200);
	o->lwp_exit(a->tp->l[a->i]);
	return NULL;
}

/* Holder i of LWP i: releases once LWP i drains on it; holder 1 only once
 * holder 0 is inside delref's window (the mutant sleeps there: hit 0). */
static void *
t_pair_holder(void *arg)
{
	struct t_pair_arg *a = arg;
	struct t_pair *tp = a->tp;
	struct reap_lwp *h;

	reap_cpu_set(1);
	h = tp->ts->ops->lwp_hold(tp->p, tp->lid[a->i]);
	RT_ASSERT(h == tp->l[a->i]);
	atomic_fetch_add(&tp->held, 1);
	/* Wait until our LWP drains on us (it set LPR_DRAINING and sleeps:
	 * it cannot get past our reference). */
	for (bool draining = false; !draining; usleep(100)) {
		mutex_enter(&tp->p->p_lock);
		draining = (h->l_prflag & LPR_DRAINING) != 0;
		mutex_exit(&tp->p->p_lock);
	}
	while (a->i == 1 && tp->mutant &&
	    kern_inject_hits("netbsd.delref.after_unlock") == 0)
		usleep(100);
	tp->ts->ops->lwp_rele(h);
	atomic_fetch_add(&tp->released, 1);
	return NULL;
}

/*
 * The trail spin finds in models/netbsd2007.pml for 1.40.2.18's order:
 * LWPs x and y, held by holders 0 and 1, drain while the process exits;
 * holder 0 drops x's last reference and, past the unlock, is overtaken by
 * holder 1, whose broadcast on the shared p_refcv wakes both drains; the
 * process exits and is reaped, then holder 0 broadcasts into it.  With
 * the mutant, delref's first hit sleeps 500 ms (the injection schedule
 * netbsd.delref.after_unlock:US/2).  Returns 0 when the run completes.
 */
static int
t_pair_run(const char *design, unsigned variant)
{
	struct t_sys ts;
	struct t_pair tp;
	struct t_pair_arg a[2];
	pthread_t tm, tl[2], th[2];
	int status;
	pid_t pid;

	kern_inject_reset_hits();
	if (variant != 0)
		kern_inject_widen_every("netbsd.delref.after_unlock", 500000,
		    2);
	t_boot(&ts, design, variant);
	memset(&tp, 0, sizeof(tp));
	tp.ts = &ts;
	tp.mutant = variant != 0;
	tp.p = ts.ops->proc_create(ts.sys, ts.tp, &tp.m);
	RT_ASSERT(tp.p != NULL);
	for (int i = 0; i < 2; i++) {
		tp.l[i] = ts.ops->lwp_create(tp.p, 0, &tp.lid[i]);
		RT_ASSERT(tp.l[i] != NULL);
		a[i].tp = &tp;
		a[i].i = i;
		RT_EQ(pthread_create(&tl[i], NULL, t_pair_lwp, &a[i]), 0);
		RT_EQ(pthread_create(&th[i], NULL, t_pair_holder, &a[i]), 0);
	}
	pid = ts.ops->proc_pid(tp.p);
	RT_EQ(pthread_create(&tm, NULL, t_pair_master, &tp), 0);
	RT_EQ(ts.ops->proc_wait(ts.tpm, pid, &status, 0), pid);
	RT_EQ(status, 5);
	pthread_join(tm, NULL);
	for (int i = 0; i < 2; i++) {
		pthread_join(tl[i], NULL);
		pthread_join(th[i], NULL);
	}
	RT_EQ(atomic_load(&tp.released), 2);
	kern_inject_disable();
	t_halt(&ts);
	return 0;
}

RT_TEST(nb_pair_exit_netbsd) { RT_EQ(t_pair_run(t_designs[0], 0), 0); }
RT_TEST(nb_pair_exit_netbsd_2007) { RT_EQ(t_pair_run(t_designs[1], 0), 0); }

#if defined(REAP_MUTANTS) && defined(T_ASAN)
static int
t_pair_mutant(const char *design)
{
	return t_pair_run(design, NB_MUT_BCAST_AFTER_UNLOCK);
}

/* Mutant netbsd-bcast-after-unlock in netbsd-2007, where it is the seed's
 * code (NetBSD kern_lwp.c 1.40.2.18): ASan catches spin's trail. */
RT_TEST(nb_pair_catches_mutant_netbsd_2007)
{
	static char out[1 << 16];

	RT_ASSERTF(t_child_fails(t_pair_mutant, t_designs[1], out,
	    sizeof(out)), "mutant netbsd-bcast-after-unlock not caught:\n%s",
	    out);
	RT_ASSERTF(strstr(out, "heap-use-after-free") != NULL &&
	    strstr(out, "nb7_lwp_delref") != NULL,
	    "mutant failed, but not by delref's use after free:\n%s", out);
}
#endif
#endif /* !KERN_NO_INJECT */

#ifndef KERN_NO_INJECT
/* ---- randomized: kill-and-collect racing waits, with injection -------- */

struct t_st {
	const struct reap_ops *ops;
	struct reap_lwp	*l;
	int		 cpu;
	unsigned	 seed;
};

/* A worker LWP: waits for siblings or dawdles until killed or bored. */
static void *
t_st_worker(void *arg)
{
	struct t_st *w = arg;
	lwpid_t dep;
	int error;

	reap_cpu_set(w->cpu);
	w->ops->lwp_enter(w->l);
	for (int j = 0; j < 20 && !w->ops->lwp_killed(w->l); j++) {
		if (rand_r(&w->seed) % 3 == 0) {
			error = w->ops->lwp_wait(w->l, 0, &dep);
			RT_ASSERTF(error == 0 || error == ESRCH ||
			    error == EDEADLK || error == EINTR,
			    "lwp_wait: %d", error);
		} else
			usleep(rand_r(&w->seed) % 200);
	}
	w->ops->lwp_exit(w->l);
	return NULL;
}

static void
t_stress(const char *design)
{
	enum { ROUNDS = 30, K = 6 };
	struct t_sys ts;
	struct t_st w[K];
	pthread_t thr[K];
	struct reap_proc *p;
	struct reap_lwp *m;
	unsigned seed = (unsigned)rt_seed();
	lwpid_t lid;
	int status, n;
	pid_t pid, ppid;

	t_boot(&ts, design, 0);
	kern_inject_enable(rt_seed(), 100);
	for (int r = 0; r < ROUNDS; r++) {
		p = ts.ops->proc_create(ts.sys, ts.tp, &m);
		RT_ASSERT(p != NULL);
		ts.ops->lwp_enter(m);		/* the main thread carries m */
		for (n = 0; n < K; n++) {
			w[n] = (struct t_st){ .ops = ts.ops, .cpu = n % T_NCPUS,
			    .seed = seed + (unsigned)(r * K + n) };
			w[n].l = ts.ops->lwp_create(p,
			    (n & 1) ? REAP_DETACHED : 0, &lid);
			RT_ASSERT(w[n].l != NULL);
			RT_EQ(pthread_create(&thr[n], NULL, t_st_worker, &w[n]),
			    0);
		}
		usleep(rand_r(&seed) % 2000);
		ts.ops->proc_exit(m, r);
		ppid = ts.ops->proc_pid(p);
		pid = ts.ops->proc_wait(ts.tpm, ppid, &status, 0);
		RT_EQ(pid, ppid);
		RT_EQ(status, r);
		for (n = 0; n < K; n++)
			pthread_join(thr[n], NULL);
	}
	kern_inject_disable();
	/* The main thread's sigword went with m: carry TP's master again. */
	kern_td_setsig(NULL);
	t_halt(&ts);
}

RT_TEST(nb_stress_netbsd) { t_stress(t_designs[0]); }
RT_TEST(nb_stress_netbsd_2007) { t_stress(t_designs[1]); }
#endif

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
