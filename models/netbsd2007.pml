/*
 * netbsd2007.pml - the 2007 NetBSD LWP exit handshake: lwp_exit,
 * lwp_delref, lwp_drainrefs and lwp_wait1 of NetBSD kern_lwp.c 1.54
 * (impls/netbsd/nb_2007.c), with 1.40.2.18's broadcasts after the unlock
 * as configurations.  It decides whether the mutant
 * netbsd-bcast-after-unlock is a real race in netbsd-2007
 * (impls/netbsd/README.md, "The 2007 broadcast").
 *
 * One process: master M and two LWPs L1, L2 of it; an observer O1 holds
 * L1 and O2 holds L2 (lwp_addref done before the start: refcount 2).
 * Both LWPs exit at once [E1..E6]; each observer drops its hold with
 * lwp_delref [D1..D3]; M exits the process (exit1: exit_lwps collects
 * L1 and L2 with lwp_wait1(LWPWAIT_EXITCONTROL) [W1..W3], drains its own
 * reference, becomes the zombie); the parent reaps it (proc_free spins
 * until M is off its CPU, frees p).  As in reap.h, an observer holds the
 * LWP, not the process.
 *
 * p_smutex is one word (owner); p_refcv and p_lwpcv are sets of queued
 * sleepers: cv_wait queues and releases the mutex in one step, sleeps
 * until a broadcast dequeues it, then takes the mutex again.  Every
 * access to p asserts that p is not freed, every free that the freed
 * object is unreferenced and off its CPU.
 *
 * Configurations (-D):
 *   LATE_DELREF  lwp_delref broadcasts p_refcv after releasing p_smutex
 *   LATE_EXIT    lwp_exit broadcasts p_lwpcv after releasing p_smutex
 *                (both: NetBSD kern_lwp.c 1.40.2.18; none: 1.54)
 *   SPURIOUS     cv_wait may also return without a broadcast
 * Without SPURIOUS a lost wakeup leaves a sleeper blocked for ever: spin
 * reports an invalid end state.  models/module.mk runs them all.
 */

#define L1	0
#define L2	1
#define M	2
#define NL	3
#define O1	3	/* mutex owner ids of the observers */
#define O2	4

#define RUN	1
#define ZOMB	2

bool	p_freed;		/* proc_free ran: p (p_smutex, the cvs) gone */
bool	p_szomb;		/* SZOMB, the parent woken (under proc_lock) */
bool	wexit;			/* PS_WEXIT */
byte	p_smutex;		/* owner + 1, 0 when free */
#define REFCV	0		/* p_refcv: cvq[REFCV + LWP] */
#define LWPCV	NL		/* p_lwpcv: cvq[LWPCV + LWP] */
bool	cvq[2 * NL];		/* the LWPs asleep on each condvar */
byte	p_nlwps = 3;
byte	p_nzlwps;
byte	p_nrlwps = 3;

byte	lstat[NL] = RUN;
byte	refcnt[NL];		/* l_refcnt: its own + the observers' */
bool	onlist[NL] = true;	/* on p_lwps */
bool	oncpu[NL] = true;	/* ci_curlwp == l */
bool	lfreed[NL];

inline mutex_enter(me)
{
	atomic { p_smutex == 0 -> assert(!p_freed); p_smutex = me + 1 }
}

inline mutex_exit(me)
{
	atomic { assert(!p_freed && p_smutex == me + 1); p_smutex = 0 }
}

inline cv_broadcast(cv)
{
	atomic { assert(!p_freed); cvq[cv + L1] = false; cvq[cv + L2] = false;
	    cvq[cv + M] = false }
}

/* cv_wait(cv, &p->p_smutex): queue and unlock in one step. */
inline cv_wait(cv, me)
{
	atomic { assert(!p_freed && p_smutex == me + 1); cvq[cv + me] = true;
	    p_smutex = 0 }
#ifdef SPURIOUS
	if
	:: !cvq[cv + me]
	:: atomic { cvq[cv + me] -> cvq[cv + me] = false }	/* no reason */
	fi;
#else
	!cvq[cv + me];
#endif
	mutex_enter(me)
}

/* lwp_drainrefs: drop the LWP's own reference, wait for the others. */
inline drainrefs(i)
{
	refcnt[i]--;
	do
	:: refcnt[i] == 0 -> break
	:: else -> cv_wait(REFCV, i)
	od
}

/* lwp_free(l, 0, 0) by M, p_smutex held: releases it, spins, frees. */
inline lwp_free(i)
{
	onlist[i] = false;
	p_nlwps--;
	p_nzlwps--;
	mutex_exit(M);
	!oncpu[i];
	atomic { assert(refcnt[i] == 0 && !lfreed[i]); lfreed[i] = true }
	mutex_enter(M)
}

/* lwp_exit of a non-last LWP. */
proctype Lwp(byte i)
{
E1:	mutex_enter(i);
	assert(p_nlwps - p_nzlwps != 1);	/* M is live: not exit1 */
	p_nzlwps++;
	mutex_exit(i);
	/* proclist_mutex: off alllwp (not modelled) */
E2:	mutex_enter(i);
	drainrefs(i);
	/* joinable: no p_zomblwp slot */
E3:	lstat[i] = ZOMB;
	p_nrlwps--;
#ifdef LATE_EXIT
E4:	mutex_exit(i);
E5:	cv_broadcast(LWPCV);
#else
E4:	cv_broadcast(LWPCV);
E5:	mutex_exit(i);
#endif
	/* cpu_lwp_free, pmap_deactivate, cpu_exit: off the CPU */
E6:	atomic { assert(!lfreed[i]); oncpu[i] = false }
}

/* lwp_delref(l) by the observer holding LWP i. */
proctype Observer(byte i; byte me)
{
	byte r;

D1:	mutex_enter(me);
	assert(!lfreed[i] && lstat[i] != ZOMB);	/* held: alive */
	refcnt[i]--;
	r = refcnt[i];
#ifdef LATE_DELREF
D2:	mutex_exit(me);
D3:	if
	:: r == 0 -> cv_broadcast(REFCV)
	:: else
	fi
#else
D2:	if
	:: r == 0 -> cv_broadcast(REFCV)
	:: else
	fi;
D3:	mutex_exit(me)
#endif
}

/* exit1 by M: exit_lwps (lwp_wait1 with LWPWAIT_EXITCONTROL in a loop),
 * then M's own drain, the zombie, the parent's wakeup, cpu_exit. */
proctype Master()
{
W1:	mutex_enter(M);
	wexit = true;
	do
	:: p_nlwps == 1 -> break
	:: else ->
W2:		if
		:: onlist[L1] && lstat[L1] == ZOMB -> lwp_free(L1)
		:: onlist[L2] && lstat[L2] == ZOMB -> lwp_free(L2)
		:: else -> W3: cv_wait(LWPCV, M)
		fi
	od;
	mutex_exit(M);
	/* teardown under proc_lock; alllwp -> zombproc (not modelled) */
	mutex_enter(M);
	drainrefs(M);
	lstat[M] = ZOMB;
	p_nrlwps--;
	p_nzlwps++;
	mutex_exit(M);
	p_szomb = true;		/* wake the parent, then drop proc_lock */
	atomic { assert(!lfreed[M]); oncpu[M] = false }
}

/* wait4 by the parent: reap the zombie; proc_free spins on the last LWP. */
proctype Parent()
{
	p_szomb;
	!oncpu[M];
	atomic {
		assert(refcnt[M] == 0 && p_smutex == 0);
		assert(!cvq[0] && !cvq[1] && !cvq[2] && !cvq[3] && !cvq[4] &&
		    !cvq[5]);	/* cv_destroy: nobody asleep */
		lfreed[M] = true;
		p_freed = true
	}
}

init
{
	atomic {
		refcnt[L1] = 2;
		refcnt[L2] = 2;
		refcnt[M] = 1;
		run Lwp(L1);
		run Lwp(L2);
		run Observer(L1, O1);
		run Observer(L2, O2);
		run Master();
		run Parent()
	}
}
