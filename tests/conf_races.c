/*
 * conf_races.c - conformance cases written from reap.h's contract where
 * races and arguments meet (issue 17), not from any design's code: the
 * answers of lwp_wait and proc_wait to bad arguments, deadlock detection
 * beside running and new LWPs, lwp_create racing proc_exit and the last
 * lwp_exit, kills during every kind of wait, several reapers of one
 * parent, observers' holds across every exit, and the books while
 * processes live.  Round-based cases give each round an injection seed
 * of its own (conf_inject_round) and run on compressed model time.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "conformance.h"

/* lwp_wait's static answers: a detached LWP waiting for itself is EINVAL,
 * lids that are no LWP are ESRCH, lid 0 with no other joinable LWP (only
 * detached ones, or none) is ESRCH; departed may be NULL. */
struct wa {
	lwpid_t		dlid, jlid;
	_Atomic int	dchecked, jgate, dgate;
	int		drc[3];
};

static void
wa_detached(struct reap_lwp *l, void *arg)
{
	struct wa *x = arg;
	lwpid_t d = -1;

	x->drc[0] = O->lwp_wait(l, x->dlid, &d);
	x->drc[1] = O->lwp_wait(l, -1, &d);
	x->drc[2] = O->lwp_wait(l, INT32_MAX, &d);
	conf_open(&x->dchecked);
	conf_await(&x->dgate, 1);
	c_exit(l);
}

static void
wa_master(struct reap_lwp *l, void *arg)
{
	struct wa *x = arg;
	lwpid_t d = -1;
	int rc;

	rc = O->lwp_wait(l, -5, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(-5) = %d, want ESRCH", rc);
	rc = O->lwp_wait(l, INT32_MAX, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(INT32_MAX) = %d, want ESRCH", rc);
	conf_await(&x->dchecked, 1);
	conf_open(&x->jgate);
	rc = O->lwp_wait(l, 0, NULL);
	RT_ASSERTF(rc == 0, "lwp_wait(0, departed NULL) = %d, want 0 (the "
	    "joinable LWP)", rc);
	rc = O->lwp_wait(l, 0, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(0) with only a detached LWP left = "
	    "%d, want ESRCH", rc);
	conf_open(&x->dgate);
	rc = O->lwp_wait(l, 0, &d);
	RT_ASSERTF(rc == ESRCH, "lwp_wait(0) by the only LWP (a detached one "
	    "exiting or gone) = %d, want ESRCH", rc);
	c_exit(l);
}

CONF_TEST(conf_lwp_wait_args)
{
	static struct wa x;
	struct reap_lwp *m, *d, *j;
	struct reap_proc *p;

	memset(&x, 0, sizeof(x));
	conf_parent();
	p = conf_proc(conf.tp, &m);
	d = conf_lwp(p, REAP_DETACHED, &x.dlid);
	j = conf_lwp(p, 0, &x.jlid);
	RT_ASSERT(O->lwp_hold(p, 0) == NULL);
	RT_ASSERT(O->lwp_hold(p, -1) == NULL);
	RT_ASSERT(O->lwp_hold(p, INT32_MAX) == NULL);
	conf_go(d, 1, wa_detached, &x);
	conf_go(j, 2, body_gate_exit, &x.jgate);
	conf_go(m, 3, wa_master, &x);
	tp_reap(O->proc_pid(p), 0);
	RT_ASSERTF(x.drc[0] == EINVAL, "a detached LWP's lwp_wait(itself) = "
	    "%d, want EINVAL (detached is checked before self)", x.drc[0]);
	RT_ASSERTF(x.drc[1] == ESRCH, "lwp_wait(-1) = %d, want ESRCH",
	    x.drc[1]);
	RT_ASSERTF(x.drc[2] == ESRCH, "lwp_wait(INT32_MAX) = %d, want ESRCH",
	    x.drc[2]);
}

/* proc_wait's bad arguments are -EINVAL, with or without children, and
 * leave everything as it was; status may be NULL; *status is the raw
 * value given to proc_exit (not a wait(2) encoding). */
CONF_TEST(conf_proc_wait_args)
{
	static const pid_t badpid[] = { 0, -2, -1000, INT32_MIN };
	static const int badopt[] = { WUNTRACED, WCONTINUED, 0x40000000 };
	static struct gate_pexit g;
	struct reap_lwp *m;
	struct reap_proc *c;
	pid_t pid = 0, rc;
	int st = -1;

	memset(&g, 0, sizeof(g));
	g.status = 300;			/* > 255: not truncated, not shifted */
	conf_parent();
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < sizeof(badpid) / sizeof(badpid[0]); i++) {
			rc = tp_wait(badpid[i], &st, 0);
			RT_ASSERTF(rc == -EINVAL, "proc_wait(%d) = %d (%s "
			    "children), want -EINVAL", (int)badpid[i], (int)rc,
			    k ? "with" : "no");
			RT_EQ(tp_wait(badpid[i], &st, WNOHANG), -EINVAL);
		}
		for (size_t i = 0; i < sizeof(badopt) / sizeof(badopt[0]); i++) {
			rc = tp_wait(-1, &st, badopt[i]);
			RT_ASSERTF(rc == -EINVAL, "proc_wait(-1, options %#x) = "
			    "%d, want -EINVAL", badopt[i], (int)rc);
		}
		if (k == 0) {
			c = conf_proc(conf.tp, &m);
			pid = O->proc_pid(c);
			conf_go(m, 1, body_gate_pexit, &g);
		}
	}
	RT_EQ(tp_wait(pid, &st, WNOHANG | WUNTRACED), -EINVAL);
	RT_EQ(tp_wait(pid, &st, WNOHANG), 0);
	conf_open(&g.gate);
	while ((rc = O->proc_wait(conf.tpm, pid, NULL, WNOHANG)) == 0)
		conf_sleep_us(500);
	RT_ASSERTF(rc == pid, "proc_wait(%d, status NULL) = %d", (int)pid,
	    (int)rc);
	RT_EQ(tp_wait(-1, &st, 0), -ECHILD);

	c = conf_proc(conf.tp, &m);
	conf_go(m, 1, body_pexit, (void *)(intptr_t)300);
	tp_reap(O->proc_pid(c), 300);
}

/* EDEADLK only when every live LWP waits: a detached LWP waiting for any
 * and the master waiting for J, while J runs, both block; J's exit then
 * lets one of them collect it (the other collects the master, or is told
 * J is gone). */
struct nfd {
	lwpid_t		mlid, jlid;
	_Atomic int	ready, returned, jgate;
	int		mrc, drc;
	lwpid_t		mdep, ddep;
};

static void
nfd_master(struct reap_lwp *l, void *arg)
{
	struct nfd *x = arg;

	x->mdep = -1;
	atomic_fetch_add(&x->ready, 1);
	x->mrc = O->lwp_wait(l, x->jlid, &x->mdep);
	atomic_fetch_add(&x->returned, 1);
	c_exit(l);
}

static void
nfd_detached(struct reap_lwp *l, void *arg)
{
	struct nfd *x = arg;

	x->ddep = -1;
	atomic_fetch_add(&x->ready, 1);
	x->drc = O->lwp_wait(l, 0, &x->ddep);
	atomic_fetch_add(&x->returned, 1);
	c_exit(l);
}

CONF_TEST_ROUNDS(conf_lwp_wait_no_false_deadlock)
{
	static struct nfd x;

	conf_parent();
	for (int round = 0; round < 6; round++) {
		struct reap_lwp *m, *d, *j;
		struct reap_proc *p;
		lwpid_t dlid;

		memset(&x, 0, sizeof(x));
		if (round >= 2)
			conf_inject_round(30, round);
		p = conf_proc(conf.tp, &m);
		x.mlid = O->lwp_id(m);
		d = conf_lwp(p, REAP_DETACHED, &dlid);
		j = conf_lwp(p, 0, &x.jlid);
		conf_go(j, round, body_gate_exit, &x.jgate);
		conf_go(d, round + 1, nfd_detached, &x);
		conf_go(m, round + 2, nfd_master, &x);
		conf_await(&x.ready, 2);
		conf_sleep_us(20000);
		RT_ASSERTF(atomic_load(&x.returned) == 0, "round %d: lwp_wait "
		    "returned while J runs (master %d, detached %d): want both "
		    "blocked", round, x.mrc, x.drc);
		conf_open(&x.jgate);
		tp_reap(O->proc_pid(p), 0);
		conf_join_all();
		if (x.mrc == 0)
			RT_ASSERTF(x.mdep == x.jlid && x.drc == 0 &&
			    x.ddep == x.mlid, "round %d: master collected %d; "
			    "detached waiter got %d departed %d, want 0 and the "
			    "master %d", round, (int)x.mdep, x.drc, (int)x.ddep,
			    (int)x.mlid);
		else
			RT_ASSERTF(x.mrc == ESRCH && x.drc == 0 &&
			    x.ddep == x.jlid, "round %d: master's lwp_wait(J) = "
			    "%d, detached waiter's = %d departed %d: want J "
			    "collected by one of them", round, x.mrc, x.drc,
			    (int)x.ddep);
	}
}

/* lwp_wait(0) collects joinable LWPs while detached LWPs of the same
 * process are created, run and exit all the while: never EDEADLK (a
 * detached LWP being created is not a waiter). */
#define WC_N	300
struct wc {
	struct reap_proc *p;
	lwpid_t		anchor;
	_Atomic int	stop, dstopped, gate;
};

static void *
wc_joinable(void *arg)
{
	struct wc *x = arg;

	for (int i = 0; i < WC_N; i++) {
		struct reap_lwp *l = conf_lwp(x->p, 0, NULL);

		O->lwp_enter(l);
		O->lwp_exit(l);
	}
	return NULL;
}

static void *
wc_detached(void *arg)
{
	struct wc *x = arg;

	while (!atomic_load(&x->stop)) {
		struct reap_lwp *l = conf_lwp(x->p, REAP_DETACHED, NULL);

		O->lwp_enter(l);
		O->lwp_exit(l);
	}
	atomic_fetch_add(&x->dstopped, 1);
	return NULL;
}

static void
wc_master(struct reap_lwp *l, void *arg)
{
	struct wc *x = arg;
	lwpid_t d;
	int rc;

	for (int i = 0; i < WC_N; i++) {
		d = -1;
		rc = O->lwp_wait(l, 0, &d);
		RT_ASSERTF(rc == 0 && d != x->anchor, "lwp_wait(0) #%d while "
		    "detached LWPs are created = %d (departed %d), want 0: "
		    "the anchor and the creators are live", i, rc, (int)d);
	}
	atomic_store(&x->stop, 1);
	conf_await(&x->dstopped, 2);
	conf_open(&x->gate);
	rc = O->lwp_wait(l, x->anchor, &d);
	RT_ASSERTF(rc == 0 && d == x->anchor, "lwp_wait(anchor) = %d", rc);
	c_exit(l);
}

CONF_TEST_ROUNDS(conf_lwp_wait_vs_creates)
{
	static struct wc x;

	conf_parent();
	for (int round = 0; round < 4; round++) {
		struct reap_lwp *m, *a;

		memset(&x, 0, sizeof(x));
		conf_inject_round(20, round);
		x.p = conf_proc(conf.tp, &m);
		a = conf_lwp(x.p, 0, &x.anchor);
		conf_go(a, 0, body_gate_exit, &x.gate);
		conf_worker(1, wc_joinable, &x);
		conf_worker(2, wc_detached, &x);
		conf_worker(3, wc_detached, &x);
		conf_go(m, 0, wc_master, &x);
		tp_reap(O->proc_pid(x.p), 0);
		conf_join_all();
	}
}

/*
 * Create racing exit.  Two workers keep creating, entering and exiting
 * detached LWPs of P while an LWP of P exits it: by proc_exit(31) (the
 * master, or another LWP while the master runs), or by the master's
 * lwp_exit racing the workers' last LWPs (status 0).  Each create either
 * fails or yields an LWP that the exit waits for; the parent gets the
 * exit's status, and the books balance (conf_end).
 */
#define CE_ROUNDS	200
#define CE_LIMIT	64	/* creates per worker when no proc_exit */
struct ce {
	struct reap_proc *p;
	int		 kind;	/* 0: master proc_exit, 1: another LWP's
				   proc_exit, 2: master lwp_exit */
	int		 after;	/* creates seen before the exit starts */
	_Atomic int	 ncreated;
	_Atomic int	 exited;	/* proc_exit has returned */
};

/* Create, enter, exit detached LWPs.  Refused (the process is exiting),
 * a proc_exit round keeps asking, every answer NULL, until proc_exit has
 * returned: refusals overlap the whole exit, the last LWP's included. */
static void *
ce_worker(void *arg)
{
	struct ce *x = arg;
	int limit = x->kind == 2 ? CE_LIMIT : INT32_MAX;

	for (int i = 0; i < limit; i++) {
		struct reap_lwp *l;
		lwpid_t lid = -1;

		if ((l = O->lwp_create(x->p, REAP_DETACHED, &lid)) == NULL) {
			if (x->kind == 2 || atomic_load(&x->exited))
				break;
			continue;
		}
		atomic_fetch_add_explicit(&conf.nlwps, 1, memory_order_relaxed);
		atomic_fetch_add(&x->ncreated, 1);
		RT_ASSERTF(lid > 0 && O->lwp_proc(l) == x->p, "lwp_create "
		    "racing exit gave lid %d of proc %p", (int)lid,
		    (void *)O->lwp_proc(l));
		O->lwp_enter(l);
		O->lwp_exit(l);
	}
	return NULL;
}

static void
ce_exiter(struct reap_lwp *l, void *arg)
{
	struct ce *x = arg;

	conf_await(&x->ncreated, x->after);
	if (x->kind == 2)
		c_exit(l);
	else
		c_pexit(l, 31);
	atomic_store(&x->exited, 1);
}

CONF_TEST_ROUNDS(conf_create_vs_exit)
{
	static struct ce x;
	static const char *const what[] = { "master's proc_exit",
	    "another LWP's proc_exit", "master's lwp_exit" };

	conf_parent();
	for (int round = 0; round < CE_ROUNDS; round++) {
		struct reap_lwp *m;
		struct conf_thr *w[2];
		uint64_t seed;
		pid_t pid, rc;
		int st = -1, want;

		memset(&x, 0, sizeof(x));
		x.kind = round % 3;
		x.after = (round * 7) % 23;
		want = x.kind == 2 ? 0 : 31;
		seed = conf_inject_round(20, round);
		conf_stage("create racing exit", round);
		x.p = conf_proc(conf.tp, &m);
		pid = O->proc_pid(x.p);
		w[0] = conf_worker(round, ce_worker, &x);
		w[1] = conf_worker(round + 1, ce_worker, &x);
		if (x.kind == 1) {
			conf_go(m, round + 2, body_until_killed, NULL);
			conf_go(conf_lwp(x.p, 0, NULL), round + 3, ce_exiter,
			    &x);
		} else
			conf_go(m, round + 2, ce_exiter, &x);
		conf_join(w[0]);
		conf_join(w[1]);
		rc = tp_wait(pid, &st, 0);
		RT_ASSERTF(rc == pid && st == want, "round %d (%s racing %d "
		    "creates, seed %llu): proc_wait = %d status %d, want %d "
		    "status %d", round, what[x.kind], atomic_load(&x.ncreated),
		    (unsigned long long)seed, (int)rc, st, (int)pid, want);
		conf_join_all();
	}
}

/*
 * Kills during every kind of wait.  LWPs blocked in lwp_wait(lid),
 * proc_wait(-1) and proc_wait(pid) when another LWP calls proc_exit all
 * get EINTR: nothing they wait for can be collected (J and the child
 * stay alive until every waiter has returned).  Waiters in lwp_wait(0)
 * exit as soon as they return, so that the exit collects them while the
 * others still wait: each gets EINTR, or 0 if it collected a sibling
 * waiter that had already exited (the first to wake has nothing to
 * collect), never EDEADLK.  An LWP that calls the waits once killed gets
 * the same (WNOHANG: 0).  Every third round only lwp_wait(0) waiters and
 * the exiting LWP exist.  The exiting LWP is the master, or a detached
 * LWP while the master waits.
 */
enum { KW_ANY, KW_LID, KW_PANY, KW_PPID, KW_LATE };
#define KW_NW	6
struct kw;
struct kw_w {
	struct kw	*x;
	int		 kind;
	lwpid_t		 lid, departed;
	int		 rc[4];
};
struct kw {
	lwpid_t		jlid;
	pid_t		cpid;
	int		nw, nblock;	/* waiters, those that block */
	_Atomic int	blocking, returned, cgate;
	struct kw_w	w[KW_NW];
};

static void
kw_waiter(struct reap_lwp *l, void *arg)
{
	struct kw_w *w = arg;
	struct kw *x = w->x;
	lwpid_t d = -1;
	int st;

	if (w->kind != KW_LATE)
		atomic_fetch_add(&x->blocking, 1);
	switch (w->kind) {
	case KW_ANY:
		w->departed = -1;
		w->rc[0] = O->lwp_wait(l, 0, &w->departed);
		atomic_fetch_add(&x->returned, 1);
		c_exit(l);
		return;
	case KW_LID:
		w->rc[0] = O->lwp_wait(l, x->jlid, &d);
		break;
	case KW_PANY:
		w->rc[0] = (int)O->proc_wait(l, -1, &st, 0);
		break;
	case KW_PPID:
		w->rc[0] = (int)O->proc_wait(l, x->cpid, &st, 0);
		break;
	default:
		while (!O->lwp_killed(l))
			conf_sleep_us(200);
		w->rc[0] = O->lwp_wait(l, x->jlid, &d);
		w->rc[1] = (int)O->proc_wait(l, -1, &st, 0);
		w->rc[2] = (int)O->proc_wait(l, -1, &st, WNOHANG);
		w->rc[3] = O->lwp_wait(l, 0, &d);	/* may find a waiter */
		break;
	}
	atomic_fetch_add(&x->returned, 1);
	conf_await(&x->returned, x->nw);
	c_exit(l);
}

/* J: what lwp_wait(lid) waits for; killed, it stays until all returned. */
static void
kw_j(struct reap_lwp *l, void *arg)
{
	struct kw *x = arg;

	while (!O->lwp_killed(l))
		conf_sleep_us(200);
	conf_await(&x->returned, x->nw);
	c_exit(l);
}

static void
kw_exiter(struct reap_lwp *l, void *arg)
{
	struct kw *x = arg;

	conf_await(&x->blocking, x->nblock);
	conf_sleep_us(20000);		/* let them block */
	c_pexit(l, 17);
}

/* A killed lwp_wait(0): EINTR, or 0 having collected another waiter. */
static void
kw_check_any(const struct kw *x, int round, uint64_t seed)
{
	int nintr = 0, k;

	for (int i = 0; i < x->nw; i++) {
		const struct kw_w *w = &x->w[i];

		if (w->kind != KW_ANY)
			continue;
		for (k = 0; k < x->nw && (x->w[k].kind != KW_ANY || k == i ||
		    x->w[k].lid != w->departed); k++)
			;
		nintr += w->rc[0] == EINTR;
		RT_ASSERTF(w->rc[0] == EINTR || (w->rc[0] == 0 && k < x->nw),
		    "round %d (seed %llu): lwp_wait(0) killed while blocked "
		    "returned %d (departed %d), want EINTR (or 0: a sibling "
		    "waiter)", round, (unsigned long long)seed, w->rc[0],
		    (int)w->departed);
	}
	RT_ASSERTF(nintr > 0, "round %d (seed %llu): no lwp_wait(0) waiter "
	    "got EINTR", round, (unsigned long long)seed);
}

static void
kw_check(const struct kw *x, int round, uint64_t seed)
{
	static const char *const name[] = { "lwp_wait(0)", "lwp_wait(lid)",
	    "proc_wait(-1)", "proc_wait(pid)" };

	kw_check_any(x, round, seed);
	for (int i = 0; i < x->nw; i++) {
		const struct kw_w *w = &x->w[i];

		if (w->kind == KW_ANY)
			continue;

		if (w->kind == KW_LATE) {
			RT_ASSERTF(w->rc[0] == EINTR && w->rc[1] == -EINTR &&
			    w->rc[2] == 0 && (w->rc[3] == EINTR ||
			    w->rc[3] == 0), "round %d (seed %llu): once killed,"
			    " lwp_wait(lid) = %d, proc_wait(-1) = %d, proc_wait"
			    "(-1, WNOHANG) = %d, lwp_wait(0) = %d: want EINTR, "
			    "-EINTR, 0, EINTR (or 0)", round,
			    (unsigned long long)seed, w->rc[0], w->rc[1],
			    w->rc[2], w->rc[3]);
			continue;
		}
		RT_ASSERTF(w->rc[0] == (w->kind >= KW_PANY ? -EINTR : EINTR),
		    "round %d (seed %llu): %s killed while blocked returned "
		    "%d, want %sEINTR", round, (unsigned long long)seed,
		    name[w->kind], w->rc[0], w->kind >= KW_PANY ? "-" : "");
	}
}

CONF_TEST_ROUNDS(conf_kill_waiters)
{
	static struct kw x;
	static const int kinds[KW_NW] = { KW_ANY, KW_ANY, KW_LID, KW_PANY,
	    KW_PPID, KW_LATE };

	conf_parent();
	for (int round = 0; round < 9; round++) {
		struct reap_lwp *m, *cm, *l, *wl[KW_NW];
		struct reap_proc *p, *c;
		bool mexits = round % 2 == 0, anyonly = round % 3 == 2;
		uint64_t seed = 0;

		memset(&x, 0, sizeof(x));
		x.nw = anyonly ? 3 : KW_NW;
		x.nblock = anyonly ? 3 : KW_NW - 1;
		if (round >= 3)
			seed = conf_inject_round(30, round);
		conf_stage("kills during waits", round);
		p = conf_proc(conf.tp, &m);
		if (!anyonly) {
			c = conf_proc(p, &cm);
			x.cpid = O->proc_pid(c);
			conf_go(cm, round, body_gate_exit, &x.cgate);
			conf_go(conf_lwp(p, 0, &x.jlid), round + 1, kw_j, &x);
		}
		/* Every LWP exists before any waits: none is told EDEADLK
		 * or ESRCH for being alone. */
		for (int i = 0; i < x.nw; i++) {
			x.w[i].x = &x;
			x.w[i].kind = anyonly ? KW_ANY : kinds[i];
			wl[i] = i == 0 && !mexits ? m : conf_lwp(p, 0, NULL);
			x.w[i].lid = O->lwp_id(wl[i]);
		}
		l = mexits ? m : conf_lwp(p, REAP_DETACHED, NULL);
		for (int i = 0; i < x.nw; i++)
			conf_go(wl[i], round + 2 + i, kw_waiter, &x.w[i]);
		conf_go(l, round + 3, kw_exiter, &x);
		tp_reap(O->proc_pid(p), 17);
		kw_check(&x, round, seed);
		conf_open(&x.cgate);		/* init reaps the child */
		conf_join_all();
	}
}

/*
 * Several LWPs of one process reap at once.  Even rounds: twelve children
 * (half of them with a second LWP) exit while four LWPs of their parent Q
 * loop on proc_wait(-1); each child is reaped once, with its status, and
 * every reaper ends with -ECHILD.
 * Odd rounds: three LWPs block in proc_wait (-1, or the pid) for Q's only
 * child; when it exits one reaps it and the others wake with -ECHILD.
 */
#define CR_NR	4
#define CR_NC	12
#define CR_ROUNDS	16
struct cr {
	bool		loop;		/* reap until -ECHILD */
	int		nr;		/* reapers */
	pid_t		cpid[CR_NC];
	_Atomic int	seen[CR_NC];
	_Atomic int	ready, done;
	int		rc[CR_NR], st[CR_NR];
};
struct cr_r {
	struct cr	*x;
	int		 i;
};

static void
cr_loop(struct reap_lwp *l, struct cr *x, int i)
{
	pid_t rc;
	int st = -1, k;

	while ((rc = O->proc_wait(l, -1, &st, 0)) != -ECHILD) {
		RT_ASSERTF(rc > 0, "reaper %d: proc_wait(-1) = %d", i, (int)rc);
		for (k = 0; k < CR_NC && x->cpid[k] != rc; k++)
			;
		RT_ASSERTF(k < CR_NC, "reaper %d reaped %d: not a child", i,
		    (int)rc);
		RT_ASSERTF(atomic_fetch_add(&x->seen[k], 1) == 0,
		    "child %d reaped twice", (int)rc);
		RT_ASSERTF(st == 100 + k, "child %d reaped with status %d, "
		    "want %d", (int)rc, st, 100 + k);
	}
}

static void
cr_reaper(struct reap_lwp *l, void *arg)
{
	struct cr_r *r = arg;
	struct cr *x = r->x;

	atomic_fetch_add(&x->ready, 1);
	if (x->loop)
		cr_loop(l, x, r->i);
	else {
		x->st[r->i] = -1;
		x->rc[r->i] = (int)O->proc_wait(l, r->i % 2 ? x->cpid[0] : -1,
		    &x->st[r->i], 0);
	}
	atomic_fetch_add(&x->done, 1);
	conf_await(&x->done, x->nr);
	c_exit(l);
}

static void
cr_check(const struct cr *x, int round, uint64_t seed)
{
	int won = 0;

	for (int k = 0; x->loop && k < CR_NC; k++)
		RT_ASSERTF(atomic_load(&x->seen[k]) == 1, "round %d (seed "
		    "%llu): child %d reaped %d times", round,
		    (unsigned long long)seed, (int)x->cpid[k],
		    atomic_load(&x->seen[k]));
	for (int i = 0; !x->loop && i < x->nr; i++) {
		if (x->rc[i] == x->cpid[0]) {
			won++;
			RT_ASSERTF(x->st[i] == 55, "round %d: status %d, want "
			    "55", round, x->st[i]);
		} else
			RT_ASSERTF(x->rc[i] == -ECHILD, "round %d (seed %llu):"
			    " reaper %d (pid %d) = %d once another reaped the "
			    "only child: want -ECHILD", round,
			    (unsigned long long)seed, i, i % 2 ? (int)x->cpid[0]
			    : -1, x->rc[i]);
	}
	RT_ASSERTF(x->loop || won == 1, "round %d: the child was reaped %d "
	    "times", round, won);
}

CONF_TEST_ROUNDS(conf_concurrent_reapers)
{
	static struct cr x;
	static struct cr_r r[CR_NR];
	static struct gate_pexit g;

	conf_parent();
	for (int round = 0; round < CR_ROUNDS; round++) {
		struct reap_lwp *qm, *cm;
		struct reap_proc *q;
		uint64_t seed = 0;

		memset(&x, 0, sizeof(x));
		memset(&g, 0, sizeof(g));
		g.status = 55;
		x.loop = round % 2 == 0;
		x.nr = x.loop ? CR_NR : 3;
		if (round >= 2)
			seed = conf_inject_round(30, round);
		conf_stage("concurrent reapers", round);
		q = conf_proc(conf.tp, &qm);
		for (int k = 0; k < (x.loop ? CR_NC : 1); k++) {
			struct reap_proc *c = conf_proc(q, &cm);

			/* Odd children have a second LWP for the exit to
			 * kill: a zombie whose LWPs are still being reaped. */
			x.cpid[k] = O->proc_pid(c);
			if (k % 2 == 1)
				conf_go(conf_lwp(c, 0, NULL), k + 1,
				    body_until_killed, NULL);
			if (x.loop)
				conf_go(cm, k, body_pexit,
				    (void *)(intptr_t)(100 + k));
			else
				conf_go(cm, k, body_gate_pexit, &g);
		}
		for (int i = 0; i < x.nr; i++) {
			r[i].x = &x;
			r[i].i = i;
			conf_go(i == 0 ? qm : conf_lwp(q, 0, NULL), round + i,
			    cr_reaper, &r[i]);
		}
		if (!x.loop) {
			conf_await(&x.ready, x.nr);
			conf_sleep_us(20000);	/* let them block */
			conf_open(&g.gate);
		}
		tp_reap(O->proc_pid(q), 0);
		cr_check(&x, round, seed);
		conf_join_all();
	}
}

/*
 * Holds never starve an exit.  Observers keep a hold on an LWP at all
 * times (each takes a new hold before releasing its last) while it exits:
 * by lwp_exit (joinable, detached, or the process's last LWP), or killed
 * by proc_exit (then observers hold the exiting LWP too).  lwp_hold must
 * start failing and the exit complete; a zombie is never returned; the
 * joinable LWP is then collected.
 */
#define HP_NOBS	3
struct hp_obs {
	struct reap_proc *p;
	lwpid_t		 lid;
	_Atomic int	*holding;
};
struct hp {
	int		 kind;	/* 0 joinable, 1 detached, 2 killed, 3 last */
	lwpid_t		 lid;
	_Atomic int	 holding, gate, mgate;
	struct hp_obs	 obs[HP_NOBS];
};

static void *
hp_observer(void *arg)
{
	struct hp_obs *o = arg;
	struct reap_lwp *h, *prev = NULL;

	while ((h = O->lwp_hold(o->p, o->lid)) != NULL) {
		RT_ASSERTF(O->lwp_id(h) == o->lid, "lwp_hold(%d) returned lid "
		    "%d", (int)o->lid, (int)O->lwp_id(h));
		if (prev != NULL)
			O->lwp_rele(prev);
		else
			atomic_fetch_add(o->holding, 1);
		prev = h;
		sched_yield();
	}
	if (prev != NULL)
		O->lwp_rele(prev);
	return NULL;
}

static void
hp_master(struct reap_lwp *l, void *arg)
{
	struct hp *x = arg;
	lwpid_t d = -1;
	int rc;

	conf_await(&x->mgate, 1);
	if (x->kind == 0) {
		rc = O->lwp_wait(l, x->lid, &d);
		RT_ASSERTF(rc == 0 && d == x->lid, "lwp_wait(%d) after its "
		    "held exit = %d, departed %d", (int)x->lid, rc, (int)d);
	}
	c_exit(l);
}

/* Start the observers of round kind `x->kind`; returns the exiting
 * carrier to join. */
static struct conf_thr *
hp_setup(struct hp *x, struct reap_proc *p, struct reap_lwp *m,
    struct gate_pexit *g, struct conf_thr **w)
{
	struct conf_thr *te;
	struct reap_lwp *e;
	int nobs = HP_NOBS - 1;

	if (x->kind <= 1) {
		e = conf_lwp(p, x->kind ? REAP_DETACHED : 0, &x->lid);
		te = conf_go(e, 1, body_gate_exit, &x->gate);
		conf_go(m, 2, hp_master, x);
	} else if (x->kind == 2) {
		e = conf_lwp(p, 0, &x->lid);
		conf_go(e, 1, body_until_killed, NULL);
		g->status = 23;
		x->obs[nobs++].lid = O->lwp_id(m);
		te = conf_go(m, 2, body_gate_pexit, g);
	} else {
		x->lid = O->lwp_id(m);
		te = conf_go(m, 2, body_gate_exit, &x->gate);
	}
	for (int i = 0; i < nobs; i++) {
		x->obs[i].p = p;
		x->obs[i].holding = &x->holding;
		if (i < HP_NOBS - 1)
			x->obs[i].lid = x->lid;
		w[i] = conf_worker(3 + i, hp_observer, &x->obs[i]);
	}
	w[nobs] = NULL;
	conf_await(&x->holding, nobs);
	return te;
}

CONF_TEST_ROUNDS(conf_hold_progress)
{
	static struct hp x;
	static struct gate_pexit g;

	conf_parent();
	for (int round = 0; round < 8; round++) {
		struct conf_thr *te, *w[HP_NOBS + 1];
		struct reap_lwp *m;
		struct reap_proc *p;

		memset(&x, 0, sizeof(x));
		memset(&g, 0, sizeof(g));
		x.kind = round % 4;
		if (round >= 4)
			conf_inject_round(30, round);
		conf_stage("exit under hand-over-hand holds", round);
		p = conf_proc(conf.tp, &m);
		te = hp_setup(&x, p, m, &g, w);
		conf_open(x.kind == 2 ? &g.gate : &x.gate);
		conf_join(te);			/* the watchdog: starved */
		for (int i = 0; w[i] != NULL; i++)
			conf_join(w[i]);
		if (x.kind == 0)
			RT_ASSERTF(O->lwp_hold(p, x.lid) == NULL, "round %d: "
			    "lwp_hold returned a zombie", round);
		conf_open(&x.mgate);
		tp_reap(O->proc_pid(p), x.kind == 2 ? 23 : 0);
		conf_join_all();
	}
}

/*
 * The books while processes live (reap.h, struct reap_stats): after a
 * quiesce, every LWP created and not freed is live or counted in
 * zombies_now, and zombies_now is at most the uncollected joinable
 * zombies plus one parked detached LWP per live process.
 */
struct bl {
	lwpid_t		jlid;
	_Atomic int	mgate, collected, m2gate;
};

static void
bl_master(struct reap_lwp *l, void *arg)
{
	struct bl *x = arg;
	lwpid_t d = -1;
	int rc;

	conf_await(&x->mgate, 1);
	rc = O->lwp_wait(l, x->jlid, &d);
	RT_ASSERTF(rc == 0 && d == x->jlid, "lwp_wait(%d) = %d", (int)x->jlid,
	    rc);
	conf_open(&x->collected);
	conf_await(&x->m2gate, 1);
	c_exit(l);
}

/* Quiesce until the books say so; a design's own reapers run on their
 * own time, so they get up to 5 s to catch up (as conf_settle). */
static void
bl_check(uint64_t live, uint64_t maxzomb, const char *when)
{
	struct reap_stats s;
	uint64_t out0 = conf.base.lwps_created - conf.base.lwps_freed, unfreed;
	uint64_t t0 = kern_now_ns();

	for (;;) {
		conf_stats(&s);
		unfreed = s.lwps_created - s.lwps_freed - out0;
		if (unfreed == live + s.zombies_now && s.zombies_now <= maxzomb)
			return;
		RT_ASSERTF(kern_now_ns() - t0 < 5000000000ull, "%s: %llu LWPs "
		    "unfreed 5 s after a quiesce with %llu live and "
		    "zombies_now %llu: want unfreed == live + zombies_now, "
		    "zombies_now <= %llu", when, (unsigned long long)unfreed,
		    (unsigned long long)live,
		    (unsigned long long)s.zombies_now,
		    (unsigned long long)maxzomb);
		conf_sleep_us(1000);
	}
}

CONF_TEST(conf_books_live)
{
	static struct bl x[2];
	struct reap_lwp *m[2], *l;
	struct reap_proc *p[2];
	struct conf_thr *tm[2];

	conf_parent();
	for (int i = 0; i < 2; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		p[i] = conf_proc(conf.tp, &m[i]);
		tm[i] = conf_go(m[i], i, bl_master, &x[i]);
		l = conf_lwp(p[i], 0, &x[i].jlid);
		conf_join(conf_go(l, i + 1, body_exit, NULL));
		for (int k = 0; k < 3; k++) {
			l = conf_lwp(p[i], REAP_DETACHED, NULL);
			conf_join(conf_go(l, i + k, body_exit, NULL));
		}
	}
	/* Live: TP and both masters.  Zombies: two joinable, two parked. */
	bl_check(3, 4, "each process with a joinable zombie and three "
	    "detached exits");
	for (int i = 0; i < 2; i++) {
		conf_open(&x[i].mgate);
		conf_await(&x[i].collected, 1);
	}
	bl_check(3, 2, "joinable zombies collected");
	for (int i = 0; i < 2; i++)
		conf_open(&x[i].m2gate);
	for (int i = 0; i < 2; i++)
		tp_reap(O->proc_pid(p[i]), 0);
	conf_join(tm[0]);		/* off their CPUs: reclaimable */
	conf_join(tm[1]);
	bl_check(1, 0, "both processes reaped");
}
