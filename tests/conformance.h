/*
 * conformance.h - the conformance suite's harness, shared by its case
 * files: conformance.c (the harness, main and the rules of reap.h one by
 * one) and conf_races.c (adversarial cases: the races, kills, bad
 * arguments and holds reap.h's contract settles).  See conformance.c.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern.h"
#include "reap.h"
#include "rt.h"

#define CONF_NCPUS	4
#define CONF_MAXTHR	512		/* carriers and workers per case */
#define CONF_MAXCASES	64
#define CONF_NOLID	0x7ffff0	/* an LWP id no design hands out here */
#define CONF_NOPID	0x7ffff1

typedef void (*conf_body_t)(struct reap_lwp *, void *);

/* One pthread of a case: a carrier of one LWP, or a churn worker. */
struct conf_thr {
	pthread_t	 ct_thread;
	struct reap_lwp	*ct_lwp;	/* NULL: a worker */
	lwpid_t		 ct_lid;
	int		 ct_cpu;
	conf_body_t	 ct_body;
	void		*ct_arg;
	void		*(*ct_worker)(void *);
	struct kern_td *_Atomic ct_td;	/* for the hang dump */
	_Atomic int	 ct_done;
};

struct conf {
	const struct reap_ops *ops;	/* the design under test */
	struct reap_boot *boot;
	struct reap_sys	*sys;
	struct reap_stats base;		/* right after boot */
	struct reap_stats fin;		/* reap_halt's final snapshot */
	_Atomic uint64_t nprocs;	/* processes this case created */
	_Atomic uint64_t nlwps;		/* LWPs (masters included) */
	pthread_mutex_t	 lock;		/* thr[], nthr */
	struct conf_thr	*thr[CONF_MAXTHR];
	int		 nthr;
	struct reap_proc *tp;		/* the test parent, or NULL */
	struct reap_lwp	*tpm;		/* its master, carried by main */
	bool		 injecting;
	/* watchdog */
	pthread_t	 wd_thread;
	pthread_mutex_t	 wd_lock;
	pthread_cond_t	 wd_cv;
	bool		 wd_stop;
	unsigned	 wd_timeout_s;
};
extern struct conf conf;

extern const struct reap_ops *O;	/* == conf.ops, for brevity */

/* Say where the case's main thread is (round -1: none), for hang dumps. */
void	conf_stage(const char *what, int round);
void	conf_sleep_us(unsigned us);
/* Wait (politely) until *f >= v; the watchdog bounds it. */
void	conf_await(_Atomic int *f, int v);
void	conf_open(_Atomic int *f);
/* Stats at a quiesce point. */
void	conf_stats(struct reap_stats *s);
/* The carrier's LWP leaves with _lwp_exit / exit1(status). */
void	c_exit(struct reap_lwp *l);
void	c_pexit(struct reap_lwp *l, int status);
/* fork under parent (NULL: init) / _lwp_create on a live process, with
 * the checks and the books' counts. */
struct reap_proc *conf_proc(struct reap_proc *parent,
	    struct reap_lwp **master);
struct reap_lwp *conf_lwp(struct reap_proc *p, unsigned flags,
	    lwpid_t *lidp);
/* A carrier for LWP l on model CPU cpu running body(l, arg); a thread
 * that is not (yet) a carrier running fn(arg). */
struct conf_thr *conf_go(struct reap_lwp *l, int cpu, conf_body_t body,
	    void *arg);
struct conf_thr *conf_worker(int cpu, void *(*fn)(void *), void *arg);
void	conf_join(struct conf_thr *t);	/* it finished (exit returned) */
void	conf_join_all(void);		/* pthread_join every one so far */
/* The main thread becomes the carrier of TP, a child of init; TP waits
 * (tp_wait), or reaps pid and checks its raw status (tp_reap). */
void	conf_parent(void);
pid_t	tp_wait(pid_t pid, int *status, int options);
void	tp_reap(pid_t pid, int want);
/* Injection on, seeded from --seed; per round of a case, a seed of its
 * own (returned for failure messages). */
void	conf_inject(unsigned permille);
uint64_t conf_inject_round(unsigned permille, int round);

/* Bodies. */
struct gate_pexit {
	_Atomic int	gate;
	int		status;
};
void	body_exit(struct reap_lwp *l, void *arg);
void	body_until_killed(struct reap_lwp *l, void *arg);
void	body_gate_exit(struct reap_lwp *l, void *arg);	/* arg: _Atomic int */
void	body_gate_pexit(struct reap_lwp *l, void *arg);	/* struct gate_pexit */
void	body_pexit(struct reap_lwp *l, void *arg);	/* (intptr_t)status */

/* Registration. */
void	conf_begin(uint64_t tick_ns);
void	conf_end(void);
void	conf_case_add(const char *name, void (*fn)(void));

/* A case: booted and checked by conf_begin/conf_end for each design. */
#define CONF_TEST_TICK(nm, tick_ns)					\
	static void nm##__body(void);					\
	static void nm(void) { conf_begin(tick_ns); nm##__body();	\
	    conf_end(); }						\
	__attribute__((constructor)) static void nm##__reg(void)	\
	{ conf_case_add(#nm, nm); }					\
	static void nm##__body(void)
#define CONF_TEST(nm)		CONF_TEST_TICK(nm, 0)
/* Many rounds: model time compressed (a 50 us tick, as make torture). */
#define CONF_TEST_ROUNDS(nm)	CONF_TEST_TICK(nm, 50000)

#endif /* CONFORMANCE_H */
