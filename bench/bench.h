/*
 * bench.h - the workloads of reapbench and the harness they share.
 *
 * A workload runs one design (through include/reap.h only: reap_find,
 * reap_boot, ops->...) or the OS's own pthreads (`native`, ops == NULL)
 * for a given number of iterations and fills a struct bench_result.  It
 * knows nothing of Google Benchmark: bench_register.c adapts it, the
 * calibration and the tests call bench_run() directly.
 *
 * Threads.  Every thread that acts on a model CPU is a pool thread (struct
 * bench_carrier) created before the timed region, bound to its CPU's PU
 * with pin_bind and told its CPU with reap_cpu_set; it records the
 * PU it was planned and the PU sched_getcpu() then reports.  No pthread is
 * created inside a timed region except by `native`, whose point it is.
 * Roles: workers (churn/observers/join waiters/teardown parents), carriers
 * (LWPs that must run concurrently), the harness shell (see below) and the
 * design's own threads (bound through reap_config.bind).
 *
 * Model CPUs.  A run has plan.ncpus model CPUs: `threads` of them, or
 * 2 * threads under `split` ([0, nexit) is the exit side, the rest the
 * reap side).  bench_exit_cpu(i) is where the i-th exiting thread runs,
 * bench_reap_cpu(i) where the i-th reaping/waiting thread runs; without
 * split they are the same CPU.
 *
 * Processes.  The harness forks its processes from a process of its own,
 * the shell (a child of init whose master LWP a shell thread carries),
 * never from init, and reaps them there; it ends by exiting the shell.
 *
 * Field tags: "lock" is env->lock; "!" only the thread that owns the
 * structure touches it; fields without a tag are set before the threads
 * that read them are given work (a pool post publishes them) and are
 * read-only after; atomics say their memory order where they are used.
 *
 * Quiesce.  A timed region ends only when everything it created is freed:
 * the region's processes are exited and reaped, then the leader sleeps
 * until the live LWP and process counts are back to what they were before
 * the region (deferred reaping is inside the measurement).  It does not
 * poll: it registers its targets with the model kernel (config.
 * quiesce_wait) and the free that meets them wakes it; a design that
 * defers reclamation lazily gets its quiesce op again only if that wait
 * times out (from 100 us, doubling).
 *
 * The leader.  Google Benchmark's thread is bound to the plan's leader_pu
 * and sleeps while the workers run: it waits on latches with a long
 * timeout, at which it reads ops->stats once (the low-rate sampler of the
 * zombie peak, kern.h).  Nothing of the harness's is on a lifecycle path
 * but what each worker keeps in its own cache line; exit->free latency is
 * stamped by the model kernel (1 exit in REAP_LAT_SAMPLE per CPU) and
 * recorded where the design frees the LWP, into a histogram per model CPU
 * (on its node) that the harness merges after the region.
 *
 * Plans that do not fit.  A plan with more model CPUs than PUs is not run:
 * bench_run returns BENCH_SKIPPED with the reason in r->error.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "reap.h"
#include "bench_schema.h"
#include "pin.h"
#include "counters.h"

/* ---- workloads (the table is in bench_schema.h) ------------------------- */

/* Teardown sizes of the matrix (0-terminated). */
extern const int bench_teardown_sizes[];
#define BENCH_JOIN_WINDOW	4	/* outstanding LWPs per waiter */
#define BENCH_LOOKUP_LWPS	3	/* lookup: LWPs per churned process */
#define BENCH_LOOKUP_LIVE	4	/* lookup: churned processes alive */

/* ---- latency histogram (bench_hist.c) ---------------------------------- */

/*
 * Log-bucketed: values below 16 ns have a bucket each, above that every
 * power of two is cut in 16 buckets, so a bucket's upper bound is at most
 * 1/16 (6.25%) above any value in it.  Percentiles report upper bounds.
 */
#define BENCH_HIST_SUB_BITS	4
#define BENCH_HIST_SUB		(1u << BENCH_HIST_SUB_BITS)
#define BENCH_HIST_NBUCKETS	((int)((64 - BENCH_HIST_SUB_BITS + 1) * BENCH_HIST_SUB))
struct bench_hist {
	uint64_t count;
	uint64_t max;
	uint64_t b[BENCH_HIST_NBUCKETS];
};
void	bench_hist_reset(struct bench_hist *);
void	bench_hist_add(struct bench_hist *, uint64_t ns);
void	bench_hist_merge(struct bench_hist *to, const struct bench_hist *from);
int	bench_hist_bucket(uint64_t ns);
uint64_t bench_hist_upper(int bucket);	/* largest value in the bucket */
/* Upper bound of the q-quantile (0 < q <= 1); 0 when empty. */
uint64_t bench_hist_quantile(const struct bench_hist *, double q);
/* For a histogram several threads add to (one model CPU's): relaxed
 * atomic adds (count left to the merge), and a merge that reads it the
 * same way. */
void	bench_hist_add_shared(struct bench_hist *, uint64_t ns);
void	bench_hist_merge_shared(struct bench_hist *to,
	    const struct bench_hist *from);
/* "<upper_bound_ns> <cumulative_fraction>" per non-empty bucket. */
int	bench_hist_write(const struct bench_hist *, FILE *);

/* ---- futex-based synchronisation (bench_carriers.c) -------------------- */

void	bench_futex_wait(_Atomic uint32_t *addr, uint32_t val);
/* The same with a timeout; 0 or ETIMEDOUT (or EAGAIN/EINTR). */
int	bench_futex_wait_ns(_Atomic uint32_t *addr, uint32_t val,
	    uint64_t timeout_ns);
void	bench_futex_wake(_Atomic uint32_t *addr, int n);

/* Count down to zero; waiters block until it is zero. */
struct bench_latch {
	_Atomic uint32_t count;
};
void	bench_latch_init(struct bench_latch *, uint32_t n);
void	bench_latch_add(struct bench_latch *, uint32_t n);
void	bench_latch_done(struct bench_latch *);
void	bench_latch_wait(struct bench_latch *);

/* A generation bell: waiters block until it rings past what they saw. */
struct bench_bell {
	_Atomic uint32_t gen;
};
uint32_t bench_bell_gen(struct bench_bell *);
void	bench_bell_ring(struct bench_bell *);
void	bench_bell_wait(struct bench_bell *, uint32_t seen);

/* ---- timing ------------------------------------------------------------ */

uint64_t bench_now_ns(void);		/* CLOCK_MONOTONIC */
uint64_t bench_proc_cpu_ns(void);	/* whole process, all threads */
uint64_t bench_thread_cpu_ns(pid_t tid);	/* a thread of this process */
pid_t	bench_gettid(void);

/* ---- the run environment (bench_env.c) -------------------------------- */

/* The spec of one benchmark. */
struct bench_spec {
	enum bench_workload wl;
	const struct reap_ops *ops;	/* NULL: native */
	int	threads;		/* >= 1 */
	enum pin_policy pin;
	int	lwps;			/* teardown/storm: LWPs per process */
	int	procs;			/* storm: processes */
	const struct pin_topo *topo;	/* this machine's */
	const char *events;		/* counters; NULL: default */
	bool	no_counters;		/* tests: skip perf_event_open */
	uint64_t work_ns[REAP_WORK_NAMES];	/* reap_config.work_ns */
	unsigned lat_every;		/* reap_config.lat_every (0: default) */
	char	name[160];
};

/* Where a thread was planned and seen; or, role "percpu", where a model
 * CPU's per-CPU block (cpu_alloc) is: its CPU's planned PU and its pages'
 * node, seen -1. */
struct bench_pinrec {
	char	role[12];
	int	cpu;
	int	planned;		/* PU OS index, -1: unbound */
	int	seen;			/* sched_getcpu() after the bind */
	int	node;			/* NUMA node of seen, or of the pages
					   (pin_mem_node: -1 unknown, -2 mixed) */
	pid_t	tid;
};
#define BENCH_MAX_PINRECS	4096
#define BENCH_MAX_SYSTIDS	256

struct bench_env {
	const struct bench_spec *spec;
	const struct reap_ops *ops;
	struct pin_plan plan;
	int	ncpus, nexit;
	bool	obs_own;		/* observers have model CPUs of their
					   own (the reap side), else share */
	bool	skipped;		/* the plan does not fit: error says */
	struct reap_quiesce_wait *qwait;	/* own cache line */
	struct bench_hist **lat;	/* [ncpus] exit->free, on the node */
	cpu_set_t leader_mask;		/* the leader's affinity before */
	bool	leader_saved;
	int	leader_slack;		/* its timer slack before (ns) */
	struct reap_boot *boot;
	struct reap_sys *sys;
	struct ctr_set *ctrs;	/* NULL when no_counters */

	/* Threads seen by the bind callback or the pools. */
	pthread_mutex_t lock;
	struct bench_pinrec pins[BENCH_MAX_PINRECS];	/* lock */
	int	npins;					/* lock */
	int	pin_mismatch;				/* lock */
	int	bind_errors;				/* lock */
	pid_t	tracked[BENCH_MAX_PINRECS];		/* lock */
	int	ntracked;				/* lock */
	pid_t	systids[BENCH_MAX_SYSTIDS];		/* lock */
	int	nsystids;				/* lock */

	/* Per model CPU: the affinity its pool threads got (native). */
	cpu_set_t *cpusets;		/* [ncpus], lock */
	bool	*cpuset_known;		/* [ncpus], lock */

	/* The shell: the harness's own process and its carrier. */
	struct bench_pool *shellpool;
	struct reap_lwp *shell;		/* master LWP of the shell */
	struct reap_proc *shellproc;

	/* Quiesce baseline: live counts before the region. */
	int64_t	live_lwps, live_procs;

	/* Accumulated over timed parts (bench_env_time_*). */
	uint64_t t_begin, cpu_begin, sys_begin;
	uint64_t region_ns, cpu_ns, sys_cpu_ns;
	uint64_t vcsw_begin, ivcsw_begin;	/* getrusage, all threads */
	uint64_t vcsw, ivcsw;
	struct reap_stats st_begin;
	struct reap_stats st_sum;	/* deltas over timed parts */

	char	error[256];
};

int	bench_env_open(struct bench_env *, const struct bench_spec *);
/* The two specs' pin plans place everything on the same PUs here. */
bool	bench_spec_same_plan(const struct bench_spec *,
	    const struct bench_spec *);
/* Exit the shell, halt the system, check the books; 0 or -1 (error set). */
int	bench_env_close(struct bench_env *);
int	bench_exit_cpu(const struct bench_env *, int i);
int	bench_reap_cpu(const struct bench_env *, int i);
/* Bind the calling thread to cpu (role for the record); 0 or errno. */
int	bench_env_bind(struct bench_env *, int cpu, const char *role);
void	bench_env_fail(struct bench_env *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
bool	bench_env_failed(struct bench_env *);
/* Attach counters to a thread (deduplicated by the caller). */
void	bench_env_track(struct bench_env *, pid_t tid, bool sys);

/* The design's threads (ops->sys_threads) are added to the tracked set. */
void	bench_env_collect_systhreads(struct bench_env *);

/* Snapshot live counts as the quiesce baseline (at a quiescent point). */
void	bench_env_baseline(struct bench_env *);
/* Sleep until live LWPs/processes are back to the baseline minus
 * gone_procs processes and gone_lwps LWPs; 0, or -1 on timeout. */
int	bench_env_quiesce(struct bench_env *, int64_t gone_procs,
	    int64_t gone_lwps);
/* The leader waits for a latch while the workers run (and samples the
 * zombie peak every 5 ms); bench_env_sample samples it once. */
void	bench_env_await(struct bench_env *, struct bench_latch *);
void	bench_env_sample(struct bench_env *);
/* Merge every CPU's exit->free latency histogram into h. */
void	bench_env_lat_collect(struct bench_env *, struct bench_hist *h);

/* A timed part: counters run from the first begin to the last end. */
void	bench_env_counters_start(struct bench_env *);
void	bench_env_counters_stop(struct bench_env *);
void	bench_env_time_begin(struct bench_env *);
void	bench_env_time_end(struct bench_env *);

/* Shell jobs: fork a child of the shell; reap n children (pid -1). */
struct reap_proc *bench_shell_fork(struct bench_env *, struct reap_lwp **m);
void	bench_shell_reap(struct bench_env *, int n);	/* waits */
void	bench_shell_reap_async(struct bench_env *, int n,
	    struct bench_latch *done);

/* ---- pools of parked, bound threads (bench_carriers.c) ----------------- */

typedef void (*bench_job_fn)(void *arg);
struct bench_pool;

/*
 * n threads; thread i runs on cpus[i] (a model CPU) with the given role.
 * Each binds itself, records its pin and tid, then parks until it is
 * given a job.  Returns NULL with env->error set on failure.
 */
struct bench_pool *bench_pool_create(struct bench_env *, int n,
	    const int *cpus, const char *role);
int	bench_pool_size(const struct bench_pool *);
int	bench_pool_cpu(const struct bench_pool *, int i);
/* Queue a job on thread i.  One producer per thread at a time. */
void	bench_pool_post(struct bench_pool *, int i, bench_job_fn, void *arg);
/* Stop and join every thread (after their jobs ran). */
void	bench_pool_destroy(struct bench_pool *);
/* The affinity of model CPU cpu's pool threads (all CPUs when unbound),
 * once a pool thread was bound there; for native.  False if none was. */
bool	bench_pool_cpuset(struct bench_env *, int cpu, cpu_set_t *out);

/* ---- results of one bench_run ------------------------------------------ */

struct bench_result {
	uint64_t iters;		/* Google Benchmark iterations done */
	uint64_t lifecycles;	/* LWP (or native thread) lifecycles */
	uint64_t region_ns;	/* timed parts, wall */
	uint64_t cpu_ns;	/* process CPU over the timed parts */
	uint64_t sys_cpu_ns;	/* the design's threads' CPU, same parts */
	uint64_t vcsw, ivcsw;	/* voluntary / involuntary context
				   switches of every thread, same parts */
	struct reap_stats st;	/* stats deltas over the timed parts */
	uint64_t zombies_peak;
	double	fairness_cv;
	uint64_t holds;		/* observers: successful lwp_hold;
				   lookup: lookups that found the process */
	uint64_t churned;	/* lookup: processes churned meanwhile */
	struct bench_hist hist;
	/* teardown/storm: all freed, one sample per round (bench_rounds) */
	struct bench_hist freed;
	int	nevents;
	struct ctr_event events[CTR_MAX];
	double	values[CTR_MAX];
	bool	multiplexed;
	char	counter_mode[64];
	int	nthreads_tracked;
	int	pin_mismatch;
	int	npins;
	struct bench_pinrec *pins;	/* malloc'd copy; bench_result_free */
	char	error[256];
};

/* Run spec for iters iterations; 0, BENCH_SKIPPED (the plan does not
 * fit this machine; r->error says why) or -1 with r->error. */
#define BENCH_SKIPPED	1
int	bench_run(const struct bench_spec *, uint64_t iters,
	    struct bench_result *r);
void	bench_result_free(struct bench_result *);
/* Coefficient of variation of n values (0 when n < 2 or mean 0). */
double	bench_cv(const double *v, int n);

/* Workload entry points (env is open; fill r's workload fields). */
int	bench_churn(struct bench_env *, uint64_t iters, struct bench_result *);
int	bench_join(struct bench_env *, uint64_t iters, struct bench_result *);
int	bench_teardown(struct bench_env *, uint64_t iters,
	    struct bench_result *);
int	bench_storm(struct bench_env *, uint64_t iters, struct bench_result *);
int	bench_native(struct bench_env *, uint64_t iters, struct bench_result *);
int	bench_lookup(struct bench_env *, uint64_t iters, struct bench_result *);

/* Shared by teardown and storm: rounds of nprocs x nlwps. */
int	bench_rounds(struct bench_env *, uint64_t rounds, int nprocs,
	    int nlwps, struct bench_result *);

/* ---- Google Benchmark adapter (bench_register.c) ----------------------- */

#define BENCH_REG_MAXREPS	64

struct bench_item {
	struct bench_spec spec;
	bool	empty;			/* the wrapper-overhead benchmark */
	bool	bare;			/* and `bare` (empty too): floor's
					   allocation work without harness
					   or model kernel */
	uint64_t iters;			/* fixed iterations; 0: estimated */
	double	per_ns;			/* calibrated ns per iteration */
	bool	selected;		/* matches --benchmark_filter */
	bool	pins_written;
	/* Histograms of calls not yet matched to a reported repetition. */
	struct bench_call {
		uint64_t iters;
		struct bench_hist *hist;
	} *calls;
	int	ncalls, calls_cap;
	struct bench_hist merged;	/* over reported repetitions */
	/* Per reported repetition, for the summary. */
	double	ns[BENCH_REG_MAXREPS];	/* ns_per_lifecycle (empty: ns/iter) */
	double	share[BENCH_REG_MAXREPS];	/* reaper_cpu_share, -1 none */
	int	nreps;
	/* Why it failed or was skipped ("": it did not); its calls skipped
	 * or failed, and the wall time of its measured calls so far. */
	char	failed[256];
	int	nfailed;
	uint64_t spent_ns;
};

struct bench_reg {
	struct bench_item *items;
	int	nitems;
	int	calls_total;		/* 0: unknown (estimated iterations) */
	int	calls_done;
	double	call_budget_s;		/* one call (driver/run_call.c) */
	double	bench_budget_s;		/* all measured calls of a benchmark */
	FILE	*pins;			/* pins.tsv of the results, or NULL */
};

struct gbench_state;
struct gbench_run_info;
/* driver/run_equalize.c: one iteration count per configuration for
 * every design in it (the median of their calibrated counts, capped for a
 * design too slow to run it). */
void	run_equalize_iters(struct bench_item *, int n, double target_s,
	    int call_budget_s);
/* driver/run_dedupe.c: an item whose pin plan is an earlier item's (the
 * same benchmark under another policy) is skipped, with the reason. */
void	run_dedupe_plans(struct bench_item *, int n);
void	bench_reg_add(struct bench_reg *, struct bench_item *);
struct bench_item *bench_reg_find(struct bench_reg *, const char *name);
void	bench_reg_hook(const struct gbench_run_info *, void *reg);
void	bench_reg_counters(struct gbench_state *, const struct bench_spec *,
	    const struct bench_result *);
void	bench_reg_release(struct bench_reg *);
/* `reapbench gbench-selftest`: 0 when the wrapper checks out. */
int	bench_gbench_selftest(const char *argv0);

/* ---- results folder (bench_results.c) ---------------------------------- */

struct bench_results {
	char	root[4096];	/* e.g. "results" */
	char	final[4096];	/* root/<host>-<UTC time> */
	char	tmp[4096];	/* root/.<host>-<UTC time>.tmp */
};
/* Check root's parent exists (else -1 and a message), make root/tmp. */
int	bench_results_begin(struct bench_results *, const char *root,
	    char *err, size_t errlen);
/* path of name inside the tmp dir */
void	bench_results_path(const struct bench_results *, const char *name,
	    char *buf, size_t len);
/* Write a whole file via name.tmp + rename; 0 or errno. */
int	bench_write_file(const char *path, const char *data, size_t len);
/* A file written through stdio to path.tmp, renamed to path by close. */
struct bench_file {
	FILE	*f;
	char	path[4200];
	char	tmp[4208];
};
/* Open path.tmp for writing; 0 or errno. */
int	bench_file_open(struct bench_file *, const char *path);
/* Flush, sync, close and rename to path; 0, or errno and path.tmp
 * removed (a write error on the way counts: a full disk is caught). */
int	bench_file_close(struct bench_file *);
/* Sync the file tmp (written by someone else) and rename it to path. */
int	bench_file_publish(const char *tmp, const char *path);
/* Write BENCH_FILE_COMPLETE (summary: its one line), rename tmp -> final,
 * point root/latest at it; 0 or -1 with err. */
int	bench_results_commit(struct bench_results *, const char *summary,
	    char *err, size_t errlen);
/* Remove the tmp folder and all in it (a run that cannot finish it). */
void	bench_results_abandon(struct bench_results *);

#endif /* BENCH_BENCH_H */
