/*
 * hybrid.pml - the hybrid design's exit/reap protocol (impls/hybrid/).
 *
 * Actors (one process of three LWPs on one CPU):
 *   A  joinable LWP: exits with lwp_exit [E1..E9]
 *   B  detached LWP: exits with lwp_exit, queues itself on the dead list
 *   M  master: may lwp_wait for A [C1..C3] (with its EDEADLK test),
 *      then proc_exit [K1..K3]
 *   R  reclaimer: batches on the CPU's dead list [R1..R4]
 *   O  observer: lwp_hold(A) [O1..O3] ... lwp_rele [O4]
 *   P  parent: proc_wait [W1..W3]
 *
 * Every atomic operation of the C code is one atomic step here; plain
 * code between them is a separate step.  Futexes are modelled exactly:
 * futex_wait compares the word and enqueues atomically, and a sleeper
 * wakes only on a futex_wake issued after it slept (fw_*), so a wake that
 * the protocol forgets leaves the sleeper blocked: spin reports that as
 * an invalid end state (a lost wakeup).  The eventcount (kern_ec) is
 * modelled with its epoch and WAITERS bit.
 *
 * Checked: no LWP is freed while on its CPU or while held (assert at the
 * free); every LWP is freed exactly once (nfreed[] at the end, and the
 * free asserts it was not freed before); the process is freed once, after
 * its last hold; every waiter returns (no invalid end state); lwp_wait
 * never says EDEADLK while its zombie is there to collect (it reads the
 * live count before its scan; reading it after, an exit in between
 * drops the count unseen by the scan and spin finds the false EDEADLK).
 */

#define A	0
#define B	1
#define M	2
#define NL	3

#define RUN	1
#define ZOMB	2
#define DEAD	3
#define FREE	4

/* the process: p_state fields */
byte live = NL;
byte holds = 0;
bool wexit = false;
bool pzomb = false;
bool ps_waiters = false;
byte fw_pstate = 0;		/* futex wakes on p_state */
bool killed = false;		/* p_killed */
byte pfreed = 0;
byte nzomb = 0;
bool mwaiting = false;		/* M is in lwp_wait (p_nlwpwait) */

/* the LWPs */
byte lstate[NL];
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

/* kern_ec_wake: one load; bump + futex wake only if a waiter registered */
inline ec_wake(ec, ecw, fw)
{
	atomic { if :: ecw -> ec++; ecw = false; fw++ :: else -> skip fi }
}

/* hy_proc_state_wake after a change of p_state */
inline pstate_wake()
{
	atomic {
		if
		:: ps_waiters && ((wexit && live == 1) || (pzomb && holds == 0)) ->
			fw_pstate++
		:: else -> skip
		fi
	}
}

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

/* [Z2] the last LWP claims the joinable zombies left (A, M) */
inline reap_zombies()
{
	atomic { if :: lstate[A] == ZOMB -> lstate[A] = DEAD; nzomb-- ; z = 1
		    :: else -> z = 0 fi }
	if :: z == 1 -> collect_free(A) :: else -> skip fi;
	atomic { if :: lstate[M] == ZOMB -> lstate[M] = DEAD; nzomb--; z = 1
		    :: else -> z = 0 fi }
	if :: z == 1 -> collect_free(M) :: else -> skip fi
}

/* lwp_exit of LWP i; detached says whether it queues itself */
inline lwp_exit(i, detached)
{
	/* [E1] drain holds: LR_DEAD, then sleep on the refs word */
	refdead[i] = true;
	do
	:: atomic { refs[i] == 0 -> break }
	:: atomic { refs[i] > 0 -> refw[i] = true; w = fw_refs[i] };
	   atomic { if
		    :: refs[i] > 0 && refw[i] -> fw_refs[i] != w	/* futex_wait */
		    :: else -> skip
		    fi }
	od;
	/* [E2, E3] publish */
	if
	:: detached -> lstate[i] = DEAD
	:: else -> atomic { nzomb++; lstate[i] = ZOMB }
	fi;
	/* [E4] one fetch_sub: last? */
	atomic { live--; last = (live == 0) };
	if
	:: last ->
		/* [Z2] */
		reap_zombies();
		/* [Z3] zombie with a hold */
		atomic { pzomb = true; holds++ };
		/* [Z4] end the parent's epoch; the futex wake is owed */
		atomic { if :: childec_w -> childec++; childec_w = false; z = 1
			    :: else -> z = 0 fi };
		/* [Z5] drop the hold, wake a parent waiting for it */
		atomic { holds--; if :: ps_waiters && holds == 0 -> fw_pstate++
					 :: else -> skip fi };
		/* [Z6] the owed futex wake (system memory) */
		if :: z == 1 -> fw_childec++ :: else -> skip fi
	:: else ->
		pstate_wake();				/* the killer */
		ec_wake(lwpec, lwpec_w, fw_lwpec)	/* [E5] */
	fi;
	/* [E7] a detached LWP queues itself */
	if :: detached -> dead = dead | (1 << i) :: else -> skip fi;
	/* [E8] the window: the carrier still writes into the LWP */
	assert(nfreed[i] == 0);
	/* [E9] the release store: off CPU */
	oncpu[i] = false
}

proctype LwpA()
{
	byte w; bool last; byte z;
	lwp_exit(A, false)
}

proctype LwpB()
{
	byte w; bool last; byte z;
	lwp_exit(B, true)
}

proctype Master()
{
	byte w; bool last; byte z; byte key; bool won; byte lv;

	/* lwp_wait(A), or not */
	if
	:: true ->
		mwaiting = true;
		do
		:: /* the live count first, then the scan (p_waitlock, which
		    * exits do not take): see the EDEADLK test below */
		   lv = live;
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
				key = fw_lwpec; fw_lwpec != key
			    :: else -> skip
			    fi }
		od;
		lv = 0;
		mwaiting = false
	:: true -> skip
	fi;
	/* proc_exit: [K1] one fetch_or picks the winner */
	atomic { won = !wexit; wexit = true };
	assert(won);
	/* [K2] kill, wake lwp_wait/proc_wait sleepers of this process */
	killed = true;
	ec_wake(lwpec, lwpec_w, fw_lwpec);
	/* [K3] wait for live == 1 on p_state */
	do
	:: atomic { live == 1 -> break }
	:: atomic { live > 1 -> ps_waiters = true; w = fw_pstate };
	   atomic { if
		    :: live > 1 && ps_waiters -> fw_pstate != w
		    :: else -> skip
		    fi }
	od;
	lwp_exit(M, false)
}

proctype Reclaimer()
{
	byte batch, i, keep;

	do
	:: atomic { nfreed[A] + nfreed[B] + nfreed[M] == NL && pfreed == 1 -> break }
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
	   if :: keep != 0 -> atomic { dead = dead | keep } :: else -> skip fi
	od
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

proctype Parent()
{
	byte key, w;

	/* [W1] wait for the zombie on the parent's eventcount */
	do
	:: atomic { pzomb -> break }
	:: atomic { !pzomb -> childec_w = true; key = childec };
	   atomic { if
		    :: !pzomb && childec == key && childec_w ->
			key = fw_childec; fw_childec != key
		    :: else -> skip
		    fi }
	od;
	/* [W2] wait for the exiting LWP's hold on p_state */
	do
	:: atomic { holds == 0 -> break }
	:: atomic { holds > 0 -> ps_waiters = true; w = fw_pstate };
	   atomic { if
		    :: holds > 0 && ps_waiters -> fw_pstate != w
		    :: else -> skip
		    fi }
	od;
	/* [W3] free the process: nothing touches it any more */
	assert(live == 0 && holds == 0 && pzomb);
	pfreed++
}

init
{
	atomic {
		lstate[A] = RUN; lstate[B] = RUN; lstate[M] = RUN;
		oncpu[A] = true; oncpu[B] = true; oncpu[M] = true;
		run LwpA(); run LwpB(); run Master();
		run Reclaimer(); run Observer(); run Parent()
	}
}

/* At the end every LWP was freed exactly once and the process once:
 * checked as a never claim on the final state would be costly; the
 * Reclaimer only terminates when it holds, and every other actor must
 * terminate (no invalid end state), so "all freed" is an end-state
 * property.  The explicit check: */
ltl all_freed { <> (nfreed[A] == 1 && nfreed[B] == 1 && nfreed[M] == 1 && pfreed == 1) }
