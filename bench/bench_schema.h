/*
 * bench_schema.h - what a results folder holds: its files, the workloads,
 * the per-repetition values of bench.json and the keys of its context.
 *
 * The one source of truth for the writer (bench/, driver/) and the reader
 * (report/): both name a value by its enum, never by a string of their
 * own, so a key cannot be spelled two ways.  This header stands alone (no
 * reap.h): the report links bench_schema.c and nothing else of the
 * harness.
 *
 * A results folder (driver/cmd_run.c writes it):
 *	bench.json		Google Benchmark's JSON, every repetition kept
 *	env.json		the context reapbench added, and its argv
 *	topology.xml		this machine's hwloc topology
 *	cmdline.txt		the command line, shell-quoted
 *	pins.tsv		where each thread was planned and seen
 *	latency/index.tsv	benchmark -> histogram file, samples
 *	latency/<name>.dat	a benchmark's latency CDF; <name> is its
 *				name through bench_sanitise()
 *	noacct/latest/		--accounting ab: the churn workloads again,
 *				accounting compiled out (a results folder)
 *	complete.txt		written last: the run finished every file
 *				(one line: benchmarks run, failed); a folder
 *				without it is incomplete and readers refuse it
 */
#ifndef BENCH_SCHEMA_H
#define BENCH_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#define BENCH_FILE_JSON		"bench.json"
#define BENCH_FILE_ENV		"env.json"
#define BENCH_FILE_TOPOLOGY	"topology.xml"
#define BENCH_FILE_CMDLINE	"cmdline.txt"
#define BENCH_FILE_PINS		"pins.tsv"
#define BENCH_DIR_LATENCY	"latency"
#define BENCH_FILE_LATENCY_INDEX "latency/index.tsv"
/* --accounting ab: reapbench-noacct's results folder root (its own
 * <host>-<time>/ and latest inside). */
#define BENCH_DIR_NOACCT	"noacct"
#define BENCH_FILE_COMPLETE	"complete.txt"

/* Every char outside [A-Za-z0-9._-] becomes '_' (latency file names). */
void	bench_sanitise(const char *name, char *out, size_t len);

/* ---- workloads ---------------------------------------------------------- */

enum bench_workload {
	BW_CHURN_SHARED,	/* detached LWPs of one shared process */
	BW_CHURN_PRIVATE,	/* detached LWPs of a process per worker */
	BW_JOIN,		/* joinable LWPs collected by lwp_wait */
	BW_TEARDOWN,		/* a process of T LWPs killed and reaped */
	BW_STORM,		/* P processes x T LWPs exit at once */
	BW_OBSERVERS,		/* churn_shared + lwp_hold/lwp_rele lookers */
	BW_LOOKUP,		/* proc_hold by pid while processes churn */
	BW_NWORKLOADS
};

/* The storm's shape (plain numbers: the descriptions spell them). */
#define BENCH_STORM_PROCS	8
#define BENCH_STORM_LWPS	8

struct bench_workload_info {
	const char *name;	/* as in benchmark names, "churn_shared" */
	const char *about;	/* one line: what it does */
	const char *unit;	/* one iteration, short: "LWP lifecycle" */
	const char *op;		/* one iteration, in full (context) */
	const char *latency;	/* what its lat_p* measure */
	const char *freed;	/* rounds: what its freed_p* measure */
	const char *native;	/* what its `native` row measures, or NULL
				   (no native version) */
	bool	rounds;		/* an iteration is a round of processes
				 * (teardown, storm): ranked by time per
				 * iteration, else by lifecycles per second */
	bool	by_tcount;	/* sized by T, LWPs per process */
};
extern const struct bench_workload_info bench_workloads[BW_NWORKLOADS];
/* 0 and *out, or -1 if unknown. */
int	bench_workload_parse(const char *name, enum bench_workload *out);
/* The workload called name, or NULL. */
const struct bench_workload_info *bench_workload_find(const char *name);

/* ---- per-repetition values of bench.json -------------------------------- */

/*
 * Each benchmark entry of bench.json carries Google Benchmark's fields
 * and the counters the driver sets (driver/bench_register.c).  A value is
 * there when its `when` says so; an event counter only when the event
 * counted (counters_unavailable in the context says why not).
 */
enum bench_key {
	BK_REAL_TIME,		/* Google Benchmark's fields */
	BK_CPU_TIME,
	BK_ITEMS_PER_SECOND,
	BK_NS_PER_LIFECYCLE,	/* every benchmark */
	BK_CPU_NS_PER_OP,
	BK_FAIRNESS_CV,
	BK_VOL_CTXSW_PER_OP,
	BK_INVOL_CTXSW_PER_OP,
	BK_PIN_MISMATCH,
	BK_LAT_P50_NS,		/* latency samples */
	BK_LAT_P99_NS,
	BK_LAT_P999_NS,
	BK_LAT_SAMPLES,
	BK_LAT_SAMPLE_EVERY,
	BK_FREED_P50_NS,	/* teardown, storm: all freed per round */
	BK_FREED_P99_NS,
	BK_FREED_P999_NS,
	BK_FREED_SAMPLES,
	BK_ZOMBIES_PEAK,	/* model designs */
	BK_REAPER_WAKEUPS_PER_LWP,
	BK_SLEEPS_PER_LWP,
	BK_TICK_SLEEPS_PER_LWP,
	BK_REAPER_CPU_SHARE,
	BK_HOLDS_PER_LIFECYCLE,	/* observers */
	BK_FOUND_PER_LOOKUP,	/* lookup */
	BK_CHURN_PROCS_PER_S,
	BK_CYCLES_PER_OP,	/* counter events */
	BK_INSTRUCTIONS_PER_OP,
	BK_CACHE_MISSES_PER_OP,
	BK_TASK_CLOCK_NS_PER_OP,
	BK_CTX_SWITCHES_PER_OP,
	BK_MIGRATIONS_PER_OP,
	BK_COUNTERS_MULTIPLEXED,
	BK_NKEYS
};

/* When a value is in an entry (one of). */
#define BK_GBENCH	0x01	/* a field of Google Benchmark's own */
#define BK_EVERY	0x02	/* every benchmark but `empty` */
#define BK_LATENCY	0x04	/* the call sampled latencies (all do) */
#define BK_DESIGN	0x08	/* model designs, not `native` */
#define BK_OBSERVERS	0x10	/* the observers workload */
#define BK_EVENT	0x20	/* its counter event counted */
#define BK_COUNTERS	0x40	/* counters were open */
#define BK_ROUNDS	0x80	/* teardown and storm (native too) */
#define BK_LOOKUP	0x100	/* the lookup workload */

struct bench_key_info {
	const char *name;	/* the JSON key */
	unsigned when;		/* BK_GBENCH ... */
	const char *event;	/* BK_EVENT: the perf event, else NULL */
	bool	hw;		/* BK_EVENT: a hardware (PMU) event */
	const char *about;
};
extern const struct bench_key_info bench_keys[BK_NKEYS];
#define BENCH_KEY(k)	(bench_keys[(k)].name)
/* The key called name, or NULL (an event outside the table: "*_per_op"). */
const struct bench_key_info *bench_key_find(const char *name);
/* The counter of perf event ev: its key's name, or "<ev>_per_op" with
 * every char outside [A-Za-z0-9_] made '_'. */
void	bench_key_of_event(const char *ev, char *out, size_t len);

/* Fields of a bench.json entry that are not values of a repetition. */
extern const char *const bench_entry_fields[];	/* NULL-terminated */

/* ---- the context (bench.json "context", env.json) ----------------------- */

enum bench_ctx {
	BC_HOST_NAME,		/* Google Benchmark's own */
	BC_NUM_CPUS,
	BC_MHZ_PER_CPU,
	BC_CPU_SCALING_ENABLED,
	BC_DATE,
	BC_LIBRARY_BUILD_TYPE,
	BC_TOPOLOGY,
	BC_VIRTUALIZATION,
	BC_TIMINGS_EMULATED,		/* reapbench's: the machine and build */
	BC_GIT_REVISION,
	BC_COMPILER,
	BC_CFLAGS,
	BC_KERNEL_RELEASE,
	BC_GOVERNOR,
	BC_ASLR,
	BC_LIBRARY_VERSIONS,
	BC_MEMBIND,
	BC_PMU_AVAILABLE,	/* counters */
	BC_PERF_EVENT_PARANOID,
	BC_COUNTER_MODE,
	BC_COUNTERS_UNAVAILABLE,
	BC_COUNTER_EVENTS,
	BC_COUNTER_SCOPE,
	BC_TIME,		/* what the numbers mean */
	BC_PER_OP,
	BC_REAPER_CPU_SHARE,
	BC_LATENCY,		/* latency.<workload> and latency.native */
	BC_ITERATION,		/* iteration.<workload> */
	BC_STORM_SHAPE,
	BC_MATRIX,		/* the run */
	BC_REAPBENCH_CMDLINE,
	BC_PIN,			/* pin.<policy>.cpus<n> */
	BC_OVERSUBSCRIBED,
	BC_PINS,		/* env.json only */
	BC_GBENCH_ARGV,
	BC_BENCHMARKS_RUN,
	BC_CHECK_THREADS,	/* the harness check (driver/run_check.c) */
	BC_CHECK_NS,
	BC_CHECK_RATIO,
	BC_CHECK_EFFICIENCY,
	BC_CHECK_MACHINE_RATIO,
	BC_CHECK_VERDICT,
	BC_ACCOUNTING_AB,	/* --accounting ab (driver/run_ab.c) */
	BC_BENCHMARKS_FAILED,
	BC_WORK_NS,		/* work_ns.<stand-in> (driver/run_work.c) */
	BC_WORK_MEASURED,	/* work_measured_ns.<stand-in> */
	BC_NCTX
};

/* Where a key is and who writes it. */
#define BC_IN_CONTEXT	0x01	/* bench.json "context" */
#define BC_IN_ENV	0x02	/* env.json, top level */
#define BC_BY_GBENCH	0x04	/* Google Benchmark writes it */
#define BC_FAMILY	0x08	/* name is a prefix: "latency." + workload */
#define BC_WITH_COUNTERS 0x10	/* only when counters could be opened */

struct bench_ctx_info {
	const char *name;
	unsigned flags;
	const char *about;
};
extern const struct bench_ctx_info bench_ctx_keys[BC_NCTX];
#define BENCH_CTX(k)	(bench_ctx_keys[(k)].name)
/* The key called name (a family's member too), or NULL. */
const struct bench_ctx_info *bench_ctx_find(const char *name);

/* ---- the harness check ------------------------------------------------- */

/*
 * Every run measures floor's churn_private scaling from 1 to N threads
 * (N: the most the machine runs with a PU each, compact), and the
 * machine's own with a pure loop on the same PUs.  Below
 * BENCH_CHECK_LINEAR of what the machine gives (linear at most) the run
 * is instrument-bound: what its configurations of more than one thread
 * show is the harness and the model kernel, not the designs.  A machine
 * that does not scale (PUs shared with other guests) is not the
 * instrument's fault: the report says so instead.
 */
#define BENCH_CHECK_LINEAR	0.90
#define BENCH_CHECK_OK		"ok"
#define BENCH_CHECK_BOUND	"instrument-bound"
/* The verdict on efficiency eff (speedup / what the machine gives) at n
 * threads: one of the two above, or "not measured" when n < 2 or eff is
 * not a number. */
const char *bench_check_verdict(double eff, int n);
/* floor's churn_private ns per lifecycle at 1 thread from the check's
 * harness_check_ns_per_lifecycle ("t:1 X, ..."; no stand-in cost), or NaN. */
double	bench_check_floor1(const char *check_ns);

#endif /* BENCH_SCHEMA_H */
