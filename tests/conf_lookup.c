/*
 * conf_lookup.c - the conformance cases of proc_hold/proc_rele (reap.h):
 * what a lookup by pid returns, lwp_hold through a held process, a hold
 * across the exit and across the parent's reap (the memory stays valid:
 * ASan reports a free while held), and observers holding while
 * processes churn and exit (every exit completes: the watchdog).
 */
#include <string.h>

#include "conformance.h"

static uint64_t
conf_procs_unfreed(void)
{
	struct reap_stats s;

	conf_stats(&s);
	return s.procs_created - s.procs_freed;
}

/* Hold a live pid; lwp_hold works through it; bad pids give NULL. */
CONF_TEST(conf_proc_hold)
{
	static _Atomic int gate;
	struct reap_lwp *m, *j, *h;
	struct reap_proc *p, *hp;
	struct conf_thr *t[2];
	lwpid_t jlid;
	pid_t pid;

	atomic_store(&gate, 0);
	conf_parent();
	p = conf_proc(conf.tp, &m);
	pid = O->proc_pid(p);
	j = conf_lwp(p, 0, &jlid);
	t[0] = conf_go(j, 1, body_gate_exit, &gate);
	t[1] = conf_go(m, 2, body_gate_exit, &gate);

	hp = O->proc_hold(conf.sys, pid);
	RT_ASSERTF(hp == p, "proc_hold(%d) returned %p, not the process %p",
	    (int)pid, (void *)hp, (void *)p);
	RT_EQ(O->proc_pid(hp), pid);
	h = O->lwp_hold(hp, jlid);
	RT_ASSERTF(h == j, "lwp_hold(%d) through proc_hold returned %p, not "
	    "%p", (int)jlid, (void *)h, (void *)j);
	RT_EQ(O->lwp_id(h), jlid);
	RT_ASSERT(O->lwp_proc(h) == p);
	O->lwp_rele(h);
	RT_ASSERT(O->lwp_hold(hp, CONF_NOLID) == NULL);
	/* Two holds of one process, released in either order. */
	RT_ASSERT(O->proc_hold(conf.sys, pid) == p);
	O->proc_rele(p);
	O->proc_rele(hp);

	RT_ASSERT(O->proc_hold(conf.sys, 0) == NULL);
	RT_ASSERT(O->proc_hold(conf.sys, -1) == NULL);
	RT_ASSERT(O->proc_hold(conf.sys, -pid) == NULL);
	RT_ASSERT(O->proc_hold(conf.sys, CONF_NOPID) == NULL);
	hp = O->proc_hold(conf.sys, 1);		/* init lives */
	RT_ASSERTF(hp != NULL && O->proc_pid(hp) == 1,
	    "proc_hold(1) did not find init");
	O->proc_rele(hp);
	hp = O->proc_hold(conf.sys, O->proc_pid(conf.tp));
	RT_ASSERT(hp == conf.tp);
	O->proc_rele(hp);

	/* While it exits, it may be found; once its last LWP's exit has
	 * returned it is a zombie, never found, nor once reaped. */
	conf_open(&gate);
	while ((hp = O->proc_hold(conf.sys, pid)) != NULL) {
		RT_ASSERT(hp == p);
		O->proc_rele(hp);
		if (atomic_load(&t[0]->ct_done) && atomic_load(&t[1]->ct_done))
			break;
		conf_sleep_us(1000);
	}
	conf_join(t[0]);
	conf_join(t[1]);
	RT_ASSERTF(O->proc_hold(conf.sys, pid) == NULL, "proc_hold(%d) "
	    "found a zombie", (int)pid);
	RT_EQ(tp_wait(pid, NULL, WNOHANG), pid);	/* it was a zombie */
	RT_ASSERT(O->proc_hold(conf.sys, pid) == NULL);
}

/*
 * A hold across proc_exit and the parent's reap: the exit either waits
 * for the hold (dragonfly, netbsd: their seeds drain process holds) or
 * completes and the parent reaps while held; either way the process's
 * memory outlives the hold (ASan: lwp_hold and proc_pid read it), its
 * LWPs are no longer found once reaped, and it is freed at the rele.
 */
CONF_TEST_ROUNDS(conf_proc_hold_across_reap)
{
	static struct gate_pexit g;
	static _Atomic int lgate;

	conf_parent();
	for (int round = 0; round < 6; round++) {
		struct reap_lwp *m, *l, *h;
		struct reap_proc *p, *hp;
		uint64_t unfreed;
		lwpid_t mlid, llid;
		pid_t pid, got;
		int st = -1;

		conf_inject_round(20, round);
		memset(&g, 0, sizeof(g));
		g.status = 40 + round;
		atomic_store(&lgate, 0);
		p = conf_proc(conf.tp, &m);
		pid = O->proc_pid(p);
		mlid = O->lwp_id(m);
		l = conf_lwp(p, round & 1 ? REAP_DETACHED : 0, &llid);
		conf_go(l, 1, body_until_killed, NULL);
		conf_go(m, 2, body_gate_pexit, &g);
		hp = O->proc_hold(conf.sys, pid);
		RT_ASSERTF(hp == p, "round %d: proc_hold(%d) = %p, not %p",
		    round, (int)pid, (void *)hp, (void *)p);
		unfreed = conf_procs_unfreed();
		conf_stage("proc_exit while held", round);
		conf_open(&g.gate);
		conf_sleep_us(round < 3 ? 20000 : 0);
		if ((h = O->lwp_hold(hp, llid)) != NULL)
			O->lwp_rele(h);
		got = tp_wait(pid, &st, WNOHANG);
		RT_ASSERTF(got == 0 || (got == pid && st == g.status),
		    "round %d: wait4(%d, WNOHANG) while held = %d (status %d)",
		    round, (int)pid, (int)got, st);
		conf_stage("read the held process", round);
		RT_EQ(O->proc_pid(hp), pid);
		if (got == pid) {
			RT_ASSERTF(O->lwp_hold(hp, mlid) == NULL &&
			    O->lwp_hold(hp, llid) == NULL, "round %d: an LWP "
			    "of a reaped process was found", round);
			RT_ASSERTF(conf_procs_unfreed() == unfreed,
			    "round %d: the reaped process was freed while "
			    "held", round);
			RT_ASSERT(O->proc_hold(conf.sys, pid) == NULL);
		}
		conf_stage("rele", round);
		O->proc_rele(hp);
		if (got == 0)
			tp_reap(pid, g.status);
		RT_ASSERT(O->proc_hold(conf.sys, pid) == NULL);
		RT_ASSERTF(conf_procs_unfreed() == unfreed - 1,
		    "round %d: the process is not freed after its rele and "
		    "reap", round);
		conf_join_all();
	}
}

/*
 * Observers hold while processes churn: the test parent forks processes
 * of LH_LWPS LWPs, kills and reaps them, while LH_OBS workers look up
 * random pids of the recent ones (live, exiting, zombie, reaped) and the
 * LWPs of those they find, as ps and kill do.  Every exit completes (the
 * watchdog bounds the case) and the books balance (conf_end).
 */
#define LH_LWPS		3
#define LH_OBS		3
#define LH_RECENT	8
#define LH_PROCS	60
struct lh {
	_Atomic pid_t	 pid[LH_RECENT];
	_Atomic lwpid_t	 lid[LH_RECENT][LH_LWPS];
	_Atomic int	 stop;
	_Atomic uint64_t found, lfound;
};

static void *
lh_observer(void *arg)
{
	struct lh *x = arg;
	uint64_t r = (uint64_t)(uintptr_t)&r;

	while (!atomic_load(&x->stop)) {
		struct reap_proc *p;
		struct reap_lwp *l;
		int i;
		pid_t pid;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		i = (int)((r >> 33) % LH_RECENT);
		pid = atomic_load(&x->pid[i]);
		if (pid <= 0 || (p = O->proc_hold(conf.sys, pid)) == NULL)
			continue;
		RT_ASSERTF(O->proc_pid(p) == pid, "proc_hold(%d) returned pid "
		    "%d", (int)pid, (int)O->proc_pid(p));
		atomic_fetch_add(&x->found, 1);
		for (int k = 0; k < LH_LWPS; k++) {
			lwpid_t lid = atomic_load(&x->lid[i][k]);

			if ((l = O->lwp_hold(p, lid)) == NULL)
				continue;
			RT_ASSERT(O->lwp_proc(l) == p && O->lwp_id(l) == lid);
			atomic_fetch_add(&x->lfound, 1);
			O->lwp_rele(l);
		}
		O->proc_rele(p);
	}
	return NULL;
}

CONF_TEST_ROUNDS(conf_proc_hold_churn)
{
	static struct lh x;
	static struct gate_pexit g[LH_PROCS];
	pid_t pid[LH_PROCS];

	memset(&x, 0, sizeof(x));
	conf_parent();
	conf_inject_round(10, 0);
	for (int k = 0; k < LH_OBS; k++)
		conf_worker(1 + k % (CONF_NCPUS - 1), lh_observer, &x);
	for (int n = 0; n < LH_PROCS; n++) {
		struct reap_lwp *m, *l;
		struct reap_proc *p;
		lwpid_t lid;
		int slot = n % LH_RECENT;

		memset(&g[n], 0, sizeof(g[n]));
		g[n].status = n & 0x7f;
		p = conf_proc(conf.tp, &m);
		pid[n] = O->proc_pid(p);
		atomic_store(&x.lid[slot][0], O->lwp_id(m));
		for (int k = 1; k < LH_LWPS; k++) {
			l = conf_lwp(p, k & 1 ? REAP_DETACHED : 0, &lid);
			atomic_store(&x.lid[slot][k], lid);
			conf_go(l, k, body_until_killed, NULL);
		}
		atomic_store(&x.pid[slot], pid[n]);
		conf_go(m, 0, body_gate_pexit, &g[n]);
		if (n == 0) {		/* lookups work at all */
			conf_stage("first found", n);
			while (atomic_load(&x.found) == 0)
				conf_sleep_us(1000);
		}
		conf_stage("exit", n);
		conf_open(&g[n].gate);
		if (n >= 2) {
			conf_stage("reap", n);
			tp_reap(pid[n - 2], g[n - 2].status);
		}
	}
	tp_reap(pid[LH_PROCS - 2], g[LH_PROCS - 2].status);
	tp_reap(pid[LH_PROCS - 1], g[LH_PROCS - 1].status);
	atomic_store(&x.stop, 1);
	conf_join_all();
}
