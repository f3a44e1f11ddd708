/*
 * hybrid.pml - the hybrid design's exit/reap protocol (impls/hybrid/).
 *
 * Two configurations of one process on one CPU, each checked for safety
 * and liveness (models/module.mk):
 *
 *   JOIN (default)
 *     A  joinable LWP: exits with lwp_exit [E1..E9]
 *     B  detached LWP: exits with lwp_exit, queues itself on the dead list
 *     M  master: may lwp_wait for A [C1..C3] (with its EDEADLK test),
 *        then proc_exit [K1..K3]
 *     O  observer: lwp_hold(A) [O1..O3] ... lwp_rele [O4]
 *   CREATE (-DCREATE)
 *     M  master: proc_exit [K1..K3] with status 31, or lwp_exit
 *     C1, C2  two threads that are not LWPs of the process (as the churn
 *        benchmark's workers): each lwp_create [N1..N3] one LWP (C1's
 *        joinable, C2's detached) and when admitted carries it until it
 *        exits; their creates race the kill, the last exit and each other
 *   both
 *     R  reclaimer: batches on the CPU's dead list [R1..R4]
 *     P  parent: proc_wait [W1..W3]
 *
 * p_state is one word, as in hybrid.h, and every write of it is one
 * atomic step with the C code's operation: create's admission CAS [N2],
 * the exits' fetch_sub [E4], proc_exit's fetch_or [K1], the last exit's
 * KIDSGONE [Z1], ZOMB + hold [Z3] and hold drop [Z5], and the sleepers'
 * CAS of WAITERS.  A waker decides from its own RMW's old and new value
 * (hy_proc_state_wake) and issues the futex wake as a step of its own.
 *
 * Futexes: a sleeper wakes only on a futex wake issued after it went to
 * sleep (fw_* counters), so a wake that the protocol forgets leaves it
 * blocked: spin reports an invalid end state (a lost wakeup).  On p_state
 * and on the eventcounts futex_wait compares the word and enqueues in one
 * step.  The eventcount (kern_ec) is its epoch and WAITERS bit; the last
 * exit's bump and owed futex wake are separate steps ([Z4], [Z6]), as in
 * kern_ec_bump/_wake_owed; the other wakes are one step.
 *
 * Checked: no LWP is freed while on its CPU or while held (assert at the
 * free); every LWP is freed exactly once; the process is made a zombie
 * once, by the last LWP, with no LWP live or half-created, and freed once
 * after its last hold; every waiter returns (no invalid end state); lwp_wait
 * never says EDEADLK while its zombie is there to collect (it reads the
 * live count before its scan); LTL all_freed: everything created is
 * eventually freed, under weak fairness.
 *
 * -DOLD_CREATE models 75fc2a4's lwp_create: a fetch_add of the live count
 * undone by a fetch_sub on refusal.  spin -DCREATE -DOLD_CREATE finds the
 * lost zombie (the parent and the reclaimer blocked forever): see
 * impls/hybrid/README.md, "The model".
 */

#ifdef CREATE
#define M	0
#define D1	1
#define D2	2
#else
#define A	0
#define B	1
#define M	2
#endif
#define NL	3

#define NONE	0	/* never created (CREATE: a refused create) */
#define RUN	1
#define ZOMB	2
#define DEAD	3
#define FREE	4

/* p_state, packed as in hybrid.h (narrower fields) */
#define PS_LIVE_ONE	1
#define PS_LIVE_MASK	15
#define PS_HOLD_ONE	16
#define PS_HOLD_MASK	48
#define PS_WEXIT	64
#define PS_ZOMB		128
#define PS_KIDSGONE	256
#define PS_WAITERS	512
#define LIVE(w)		((w) & PS_LIVE_MASK)
#define HOLDS(w)	(((w) & PS_HOLD_MASK) / PS_HOLD_ONE)
#define HAS(w, f)	(((w) & (f)) != 0)
/* hy_proc_state_wake: does old -> new make a sleeper's condition true? */
#define PS_WAKE(o, n)	(HAS(o, PS_WAITERS) && \
			 ((HAS(n, PS_WEXIT) && LIVE(n) == 1) || \
			  (HAS(n, PS_ZOMB) && HOLDS(n) == 0)))

short ps = PS_LIVE_ONE;		/* p_state: the master */
byte fw_pstate = 0;		/* futex wakes on p_state */
bool killed = false;		/* p_killed */
byte pfreed = 0;
byte nzomb = 0;
int xstat = 0;			/* p_xstat */

/* the LWPs */
byte lstate[NL];
bool detached[NL];
bool oncpu[NL];
byte refs[NL];
bool refdead[NL];
bool refw[NL];
byte fw_refs[NL];
byte nfreed[NL];

/* the CPU's dead list, as the set of LWPs on it (push: set a bit; take
 * whole: one exchange) */
byte dead = 0;

/* eventcounts in system memory: lwp_wait's and the parent's */
byte lwpec = 0;
bool lwpec_w = false;
byte fw_lwpec = 0;
byte childec = 0;
bool childec_w = false;
byte fw_childec = 0;

#ifdef CREATE
bool cdone[2];			/* creator i returned from lwp_create */
#endif

/* [R4] free: only dead, off CPU, unheld, and only once */
inline lwp_free(i)
{
	assert(lstate[i] == DEAD);
	assert(!oncpu[i]);
	assert(refs[i] == 0);
	assert(nfreed[i] == 0);
	nfreed[i]++;
	lstate[i] = FREE
}

/* kern_ec_bump: one step (the CAS loop's effect); owed says whether the
 * futex wake is owed, issued later by ec_wake_owed */
inline ec_bump(ec, ecw, owed)
{
	atomic { if :: ecw -> ec++; ecw = false; owed = true
		    :: else -> owed = false fi }
}

inline ec_wake_owed(fw, owed)
{
	if :: owed -> fw++; owed = false :: else -> skip fi
}

/* kern_ec_wake where nothing happens between the bump and the wake that
 * matters (the last exit's [Z4..Z6] keeps them apart) */
inline ec_wake(ec, ecw, fw)
{
	atomic { if :: ecw -> ec++; ecw = false; fw++ :: else -> skip fi }
}

/*
 * hy_proc_state_await: sleep on p_state until COND(p_state) (a macro of
 * the word).  The load, the test and the CAS of WAITERS are one step (a
 * CAS that fails only makes the C code load again); then futex_wait
 * (&p_state, w): compare and enqueue in one step, sleep until a wake.
 */
#define STATE_AWAIT(COND)						\
	do								\
	:: atomic { w = ps; if :: COND(w) -> break :: else -> skip fi;	\
		    ps = ps | PS_WAITERS; w = ps };			\
	   atomic { if :: ps == w -> tk = fw_pstate; fw_pstate != tk	\
		       :: else -> skip fi };				\
	   tk = 0							\
	od;								\
	w = 0

#define COND_ALONE(w)	(LIVE(w) == 1)
#define COND_REAPABLE(w) (HAS(w, PS_ZOMB) && HOLDS(w) == 0)

/* [C3] hy_lwp_free by a collector: free if off CPU, else defer */
inline collect_free(i)
{
	atomic {
		if
		:: !oncpu[i] -> lwp_free(i)
		:: else -> dead = dead | (1 << i)	/* [R3] */
		fi
	}
}

/* [Z2] the last LWP claims the joinable zombies left, itself included;
 * none may be live (or created but not yet published: that one holds a
 * live count, so there is no last exit) */
inline reap_zombie(i)
{
	atomic {
		assert(lstate[i] != RUN);
		if
		:: lstate[i] == ZOMB -> lstate[i] = DEAD; nzomb--;
			collect_free(i)
		:: else -> skip
		fi
	}
}

inline reap_zombies()
{
	reap_zombie(0); reap_zombie(1); reap_zombie(2)
}

/* [Z1..Z6] the process exit of the last live LWP */
inline proc_exit_last()
{
#ifdef CREATE
	/* [Z1] no children to move, but the write races creates' CAS (in
	 * JOIN nothing else writes p_state between [E4] and [Z3]) */
	atomic { ps = ps | PS_KIDSGONE };
#endif
	reap_zombies();					/* [Z2] */
	atomic {					/* [Z3] */
		assert(!HAS(ps, PS_ZOMB) && LIVE(ps) == 0);
		ps = ps + PS_ZOMB + PS_HOLD_ONE
	};
	ec_bump(childec, childec_w, owed);		/* [Z4] */
	atomic { o = ps; ps = ps - PS_HOLD_ONE; wk = PS_WAKE(o, ps) }; /* [Z5] */
	if :: wk -> fw_pstate++; wk = false :: else -> skip fi;
	ec_wake_owed(fw_childec, owed);			/* [Z6] */
	o = 0
}

/* lwp_exit of LWP i */
inline lwp_exit(i)
{
#ifndef CREATE
	/* [E1] drain holds: LR_DEAD, then sleep on the refs word (CREATE
	 * has no observer: nothing to drain) */
	refdead[i] = true;
	do
	:: atomic { refs[i] == 0 -> break }
	:: atomic { refs[i] > 0 -> refw[i] = true; w = fw_refs[i] };
	   atomic { if
		    :: refs[i] > 0 && refw[i] -> fw_refs[i] != w	/* futex_wait */
		    :: else -> skip
		    fi }
	od;
	w = 0;
#endif
	/* [E2, E3] publish */
	if
	:: detached[i] -> lstate[i] = DEAD
	:: else -> atomic { nzomb++; lstate[i] = ZOMB }
	fi;
	/* [E4] one fetch_sub: last? */
	atomic { o = ps; ps = ps - PS_LIVE_ONE; last = (LIVE(o) == 1);
		 wk = !last && PS_WAKE(o, ps); o = 0 };
	if
	:: last -> last = false; proc_exit_last()
	:: else ->
		if :: wk -> fw_pstate++; wk = false :: else -> skip fi;
		ec_wake(lwpec, lwpec_w, fw_lwpec)	/* [E5] */
	fi;
	/* [E7] a detached LWP queues itself */
	if :: detached[i] -> dead = dead | (1 << i) :: else -> skip fi;
	/* [E8] the window: the carrier still writes into the LWP */
	assert(nfreed[i] == 0);
	/* [E9] the release store: off CPU */
	oncpu[i] = false
}

/* proc_exit: [K1] one fetch_or picks the winner; [K2] kill and wake the
 * process's lwp_wait sleepers; [K3] wait for live == 1; then exit */
inline proc_exit(i, status)
{
	atomic { assert(!HAS(ps, PS_WEXIT)); ps = ps | PS_WEXIT;
		 xstat = status };
	killed = true;
	ec_wake(lwpec, lwpec_w, fw_lwpec);
	STATE_AWAIT(COND_ALONE);
	lwp_exit(i)
}

proctype Reclaimer()
{
	byte batch, i, keep;

	do
	:: atomic { pfreed == 1 &&
		(lstate[0] == FREE || lstate[0] == NONE) &&
		(lstate[1] == FREE || lstate[1] == NONE) &&
		(lstate[2] == FREE || lstate[2] == NONE) -> break }
	:: atomic { dead != 0 -> batch = dead; dead = 0 };	/* [R1] */
	   i = 0;
	   keep = 0;
	   do
	   :: i == NL -> break
	   :: i < NL && (batch & (1 << i)) == 0 -> i++
	   :: i < NL && (batch & (1 << i)) != 0 ->
		atomic {
			if
			:: oncpu[i] -> keep = keep | (1 << i)	/* [R2, R3] */
			:: else -> lwp_free(i)			/* [R4] */
			fi
		};
		i++
	   od;
	   if :: keep != 0 -> atomic { dead = dead | keep } :: else -> skip fi;
	   batch = 0; i = 0; keep = 0
	od
}

proctype Parent()
{
	short w;
	byte key, tk;

	/* [W1] scan for the zombie; else register on the parent's
	 * eventcount; scan again and sleep on its epoch (a scan and the
	 * step after it are one: a zombie made in between bumps the epoch
	 * after we registered, so the compare fails and we scan again) */
	do
	:: atomic { HAS(ps, PS_ZOMB) -> break }
	:: atomic { !HAS(ps, PS_ZOMB) -> childec_w = true; key = childec };
	   atomic { if
		    :: !HAS(ps, PS_ZOMB) && childec == key && childec_w ->
			tk = fw_childec; fw_childec != tk
		    :: else -> skip
		    fi };
	   tk = 0
	od;
	key = 0;
#ifdef CREATE
	/* The creators are not LWPs of p: the caller of lwp_create keeps p
	 * from being reaped until its create returned (the harness joins
	 * them first).  Only the free waits; the reap races them. */
	(cdone[0] && cdone[1]);
#endif
	/* [W2] wait for the exiting LWP's hold on p_state */
	STATE_AWAIT(COND_REAPABLE);
	/* [W3] free the process: nothing touches it any more */
	assert(LIVE(ps) == 0 && HOLDS(ps) == 0 && HAS(ps, PS_ZOMB));
#ifdef CREATE
	assert(xstat == 0 || xstat == 31);
#endif
	pfreed++
}

#ifdef CREATE

/*
 * lwp_create by a thread that is not an LWP of p: [N1] a slot (the model's
 * table never fills), [N2] admission, [N3] the LWP published RUN.  On
 * admission the creator carries the new LWP until it exits (churn).
 */
proctype Creator(byte i; byte c)
{
	short w, o;
	bool ok, wk, last, owed;
	byte z, tk;

#ifdef OLD_CREATE
	/* 75fc2a4: fetch_add, then undo with a fetch_sub on refusal */
	atomic { o = ps; ps = ps + PS_LIVE_ONE };
	if
	:: HAS(o, PS_WEXIT | PS_ZOMB) || LIVE(o) == 0 ->
		atomic { o = ps; ps = ps - PS_LIVE_ONE; wk = PS_WAKE(o, ps) };
		if :: wk -> fw_pstate++; wk = false :: else -> skip fi;
		ok = false
	:: else -> ok = true
	fi;
	o = 0;
#else
	/* [N2] load, then CAS: refuse on a final condition, retry if the
	 * word changed (a refusal writes nothing) */
	w = ps;
	do
	:: atomic {
		if
		:: HAS(w, PS_WEXIT | PS_ZOMB) || LIVE(w) == 0 -> ok = false; break
		:: else ->
			if
			:: ps == w -> ps = w + PS_LIVE_ONE; ok = true; break
			:: else -> w = ps
			fi
		fi }
	od;
	w = 0;
#endif
	if
	:: ok ->
		atomic {				/* [N3] */
			assert(!HAS(ps, PS_ZOMB) && pfreed == 0);
			oncpu[i] = true;
			lstate[i] = RUN
		};
		cdone[c] = true;
		lwp_exit(i)
	:: else ->
		cdone[c] = true
	fi
}

proctype Master()
{
	short w, o;
	bool wk, last, owed;
	byte z, tk;

	if
	:: proc_exit(M, 31)
	:: lwp_exit(M)
	fi
}

init
{
	atomic {
		lstate[M] = RUN; oncpu[M] = true;
		detached[D2] = true;
		run Master(); run Creator(D1, 0); run Creator(D2, 1);
		run Reclaimer(); run Parent()
	}
}

ltl all_freed { <> (pfreed == 1 &&
	(nfreed[0] == 1 || lstate[0] == NONE) &&
	(nfreed[1] == 1 || lstate[1] == NONE) &&
	(nfreed[2] == 1 || lstate[2] == NONE)) }

#else /* JOIN */

proctype LwpA()
{
	short w, o;
	bool wk, last, owed;
	byte z, tk;

	lwp_exit(A)
}

proctype LwpB()
{
	short w, o;
	bool wk, last, owed;
	byte z, tk;

	lwp_exit(B)
}

proctype Master()
{
	short w, o;
	bool wk, last, owed;
	byte z, tk, key, lv;

	/* lwp_wait(A), or not */
	if
	:: true ->
		do
		:: /* the live count first, then the scan (p_waitlock, which
		    * exits do not take): see the EDEADLK test below */
		   lv = LIVE(ps);
		   if
		   :: atomic { lstate[A] == ZOMB -> lstate[A] = DEAD; nzomb-- }; /* [C1] */
		      collect_free(A);						/* [C3] */
		      break
		   :: atomic { lstate[A] == DEAD || lstate[A] == FREE -> break } /* ESRCH */
		   :: atomic { lstate[A] == RUN -> skip }			/* EAGAIN */
		   fi;
		   if
		   :: atomic { killed -> break }				/* EINTR */
		   :: atomic { !killed && lv == 1 ->				/* EDEADLK */
			/* M alone among the live LWPs it saw: never with a
			 * zombie left to collect */
			assert(lstate[A] != ZOMB); break }
		   :: atomic { !killed && lv != 1 -> lwpec_w = true; key = lwpec }
		   fi;
		   /* re-test after prepare, then futex_wait on the epoch */
		   atomic { if
			    :: lstate[A] == RUN && !killed && lwpec == key && lwpec_w ->
				tk = fw_lwpec; fw_lwpec != tk
			    :: else -> skip
			    fi };
		   tk = 0
		od;
		lv = 0; key = 0
	:: true -> skip
	fi;
	proc_exit(M, 0)
}

proctype Observer()
{
	bool held = false;

	/* [O1, O2] lookup A, hold unless exiting */
	atomic {
		if
		:: lstate[A] == RUN && !refdead[A] -> refs[A]++; held = true
		:: else -> skip
		fi
	};
	if
	:: held ->
		/* while held: never freed */
		assert(nfreed[A] == 0);
		/* [O4] rele: the last one wakes the drain */
		atomic { refs[A]--;
			 if :: refs[A] == 0 && refw[A] -> fw_refs[A]++
			    :: else -> skip fi }
	:: else -> skip
	fi
}

init
{
	atomic {
		ps = NL * PS_LIVE_ONE;
		lstate[A] = RUN; lstate[B] = RUN; lstate[M] = RUN;
		detached[B] = true;
		oncpu[A] = true; oncpu[B] = true; oncpu[M] = true;
		run LwpA(); run LwpB(); run Master();
		run Reclaimer(); run Observer(); run Parent()
	}
}

ltl all_freed { <> (nfreed[A] == 1 && nfreed[B] == 1 && nfreed[M] == 1 &&
	pfreed == 1) }

#endif
