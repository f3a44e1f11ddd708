/*
 * bench_schema.c - the tables of bench_schema.h: workloads, the values of
 * a repetition, the context keys.
 */
#include <math.h>
#include <string.h>
#include <stdio.h>

#include "bench_schema.h"

#define BENCH_STR(x)	BENCH_STR_(x)
#define BENCH_STR_(x)	#x

/* What the churn workloads' latency is, and observers'. */
#define LAT_CHURN "lwp_exit -> the design frees it (1 exit in " \
	BENCH_STR(REAP_LAT_SAMPLE) " per CPU stamped by the model kernel)"

/* What the rounds' two figures are (teardown, storm). */
#define FREED_ROUND "all freed: per round, the round's first proc_exit " \
	"call -> its last LWP or process free (the model kernel's books " \
	"stamp every free, the same hook in every design); one process per " \
	"round (teardown at t:1) makes it per teardown, more make it the " \
	"round's last teardown"
#define NATIVE_ROUNDS(what) "real processes: the parent thread forks " \
	what ", each child starts T-1 threads (clone) that park in the " \
	"kernel and, at the kill, its first thread calls _exit " \
	"(exit_group); parent wakes: the _exit call -> the parent's wait4 " \
	"returns with that pid; all freed: the round's first _exit call -> " \
	"its last wait4 return (wait4 returning means the kernel has " \
	"released the zombie and every thread of it: nothing later is " \
	"observable)"

const struct bench_workload_info bench_workloads[BW_NWORKLOADS] = {
	[BW_CHURN_SHARED] = {
		"churn_shared",
		"Workers create, run and exit detached LWPs of one shared "
		"process; an LWP counts once it is freed.",
		"LWP lifecycle", "one LWP lifecycle", LAT_CHURN, NULL,
		"joinable pthreads that return at once, 16 in flight per "
		"worker; a thread counts once pthread_join of it returns (the "
		"kernel has cleared its CLONE_CHILD_CLEARTID word: released); "
		"latency: the thread's return -> that pthread_join returns",
		false, false,
	},
	[BW_CHURN_PRIVATE] = {
		"churn_private",
		"As churn_shared, but each worker churns the LWPs of a "
		"process of its own.",
		"LWP lifecycle", "one LWP lifecycle", LAT_CHURN, NULL, NULL,
		false, false,
	},
	[BW_JOIN] = {
		"join",
		"Joinable LWPs exit on the exit side and are collected by "
		"lwp_wait on the reap side.",
		"LWP lifecycle", "one LWP lifecycle",
		"lwp_exit call -> lwp_wait return", NULL,
		"joinable pthreads bound to an exit-side CPU, 4 in flight per "
		"waiter; latency: the thread's return -> pthread_join returns",
		false, false,
	},
	[BW_TEARDOWN] = {
		"teardown",
		"A process of T running LWPs is killed by proc_exit and "
		"reaped by its parent.",
		"teardown", "one teardown per parent thread",
		"parent wakes: its master's proc_exit call -> the parent's "
		"proc_wait returns with its pid, per process",
		FREED_ROUND, NATIVE_ROUNDS("one process of T threads"),
		true, true,
	},
	[BW_STORM] = {
		"storm",
		BENCH_STR(BENCH_STORM_PROCS) " processes of "
		BENCH_STR(BENCH_STORM_LWPS) " LWPs all exit at once and are "
		"reaped by their parents.",
		"storm", "one storm (all processes reaped and freed)",
		"parent wakes: its master's proc_exit call -> the parent's "
		"proc_wait returns with its pid, per process",
		FREED_ROUND, NATIVE_ROUNDS(BENCH_STR(BENCH_STORM_PROCS)
		" processes of " BENCH_STR(BENCH_STORM_LWPS) " threads"),
		true, false,
	},
	[BW_OBSERVERS] = {
		"observers",
		"churn_shared while one thread per worker looks LWPs up with "
		"lwp_hold and releases them.",
		"LWP lifecycle", "one LWP lifecycle", LAT_CHURN, NULL, NULL,
		false, false,
	},
	[BW_LOOKUP] = {
		"lookup",
		"Threads look up random live and recently dead pids with "
		"proc_hold and hold each found process's LWPs (lwp_hold), "
		"while one thread forks, kills and reaps processes of 3 LWPs.",
		"lookup", "one lookup: proc_hold of a pid, lwp_hold/lwp_rele "
		"of its LWPs if found, proc_rele",
		"proc_hold call -> proc_rele return (1 lookup in 64)", NULL,
		NULL, false, false,
	},
};

int
bench_workload_parse(const char *name, enum bench_workload *out)
{
	const struct bench_workload_info *wi = bench_workload_find(name);

	if (wi == NULL)
		return -1;
	*out = (enum bench_workload)(wi - bench_workloads);
	return 0;
}

const struct bench_workload_info *
bench_workload_find(const char *name)
{
	for (int i = 0; i < BW_NWORKLOADS; i++)
		if (strcmp(name, bench_workloads[i].name) == 0)
			return &bench_workloads[i];
	return NULL;
}

void
bench_sanitise(const char *name, char *out, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++) {
		char ch = name[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '-')
			out[i] = ch;
		else
			out[i] = '_';
	}
	out[i] = '\0';
}

/* ---- values of a repetition --------------------------------------------- */

#define PER_LC	"per LWP (native: thread) lifecycle"

const struct bench_key_info bench_keys[BK_NKEYS] = {
	[BK_REAL_TIME] = { "real_time", BK_GBENCH, NULL, false,
	    "wall time of the timed region per iteration (manual time)" },
	[BK_CPU_TIME] = { "cpu_time", BK_GBENCH, NULL, false,
	    "Google Benchmark's: the leader's CPU over the whole call (setup, "
	    "quiesce) / iterations; the region's is cpu_ns_per_op" },
	[BK_ITEMS_PER_SECOND] = { "items_per_second", BK_EVERY, NULL, false,
	    "lifecycles per second of timed region" },
	[BK_NS_PER_LIFECYCLE] = { "ns_per_lifecycle", BK_EVERY, NULL, false,
	    "wall ns of the timed region " PER_LC },
	[BK_CPU_NS_PER_OP] = { "cpu_ns_per_op", BK_EVERY, NULL, false,
	    "process CPU ns over the timed parts " PER_LC },
	[BK_FAIRNESS_CV] = { "fairness_cv", BK_EVERY, NULL, false,
	    "coefficient of variation of the workers' lifecycle counts" },
	[BK_VOL_CTXSW_PER_OP] = { "vol_ctxsw_per_op", BK_EVERY, NULL, false,
	    "voluntary context switches of every thread " PER_LC },
	[BK_INVOL_CTXSW_PER_OP] = { "invol_ctxsw_per_op", BK_EVERY, NULL,
	    false, "involuntary context switches of every thread " PER_LC },
	[BK_PIN_MISMATCH] = { "pin_mismatch", BK_EVERY, NULL, false,
	    "threads seen on another PU than planned" },
	[BK_LAT_P50_NS] = { "lat_p50_ns", BK_LATENCY, NULL, false,
	    "median latency, ns (the workload says of what)" },
	[BK_LAT_P99_NS] = { "lat_p99_ns", BK_LATENCY, NULL, false,
	    "99th percentile latency, ns" },
	[BK_LAT_P999_NS] = { "lat_p999_ns", BK_LATENCY, NULL, false,
	    "99.9th percentile latency, ns" },
	[BK_LAT_SAMPLES] = { "lat_samples", BK_LATENCY, NULL, false,
	    "latency samples of the call" },
	[BK_LAT_SAMPLE_EVERY] = { "lat_sample_every", BK_DESIGN, NULL, false,
	    "the model kernel stamped 1 LWP exit in this many per thread ("
	    BENCH_STR(REAP_LAT_SAMPLE) "; fewer for a design run for fewer "
	    "lifecycles than the rest of its configuration)" },
	[BK_FREED_P50_NS] = { "freed_p50_ns", BK_ROUNDS, NULL, false,
	    "teardown/storm all freed, median, ns: the round's first exit -> "
	    "its last free (latency.<workload> says exactly)" },
	[BK_FREED_P99_NS] = { "freed_p99_ns", BK_ROUNDS, NULL, false,
	    "all freed, 99th percentile, ns" },
	[BK_FREED_P999_NS] = { "freed_p999_ns", BK_ROUNDS, NULL, false,
	    "all freed, 99.9th percentile, ns" },
	[BK_FREED_SAMPLES] = { "freed_samples", BK_ROUNDS, NULL, false,
	    "all-freed samples of the call (rounds)" },
	[BK_ZOMBIES_PEAK] = { "zombies_peak", BK_DESIGN, NULL, false,
	    "most LWPs exited and not yet freed at once" },
	[BK_REAPER_WAKEUPS_PER_LWP] = { "reaper_wakeups_per_lwp", BK_DESIGN,
	    NULL, false, "wakeups of the design's reaper " PER_LC },
	[BK_SLEEPS_PER_LWP] = { "sleeps_per_lwp", BK_DESIGN, NULL, false,
	    "sleeps in the model kernel " PER_LC },
	[BK_TICK_SLEEPS_PER_LWP] = { "tick_sleeps_per_lwp", BK_DESIGN, NULL,
	    false, "sleeps ended by a tick rather than a wakeup " PER_LC },
	[BK_REAPER_CPU_SHARE] = { "reaper_cpu_share", BK_DESIGN, NULL, false,
	    "CPU time of the design's own threads / process CPU time" },
	[BK_HOLDS_PER_LIFECYCLE] = { "holds_per_lifecycle", BK_OBSERVERS,
	    NULL, false, "successful lwp_hold " PER_LC },
	[BK_FOUND_PER_LOOKUP] = { "found_per_lookup", BK_LOOKUP, NULL, false,
	    "share of lookups whose proc_hold found the process" },
	[BK_CHURN_PROCS_PER_S] = { "churn_procs_per_s", BK_LOOKUP, NULL,
	    false, "processes forked, killed and reaped per second of region "
	    "while the lookups ran" },
	[BK_CYCLES_PER_OP] = { "cycles_per_op", BK_EVENT, "cycles", true,
	    "CPU cycles of every thread " PER_LC },
	[BK_INSTRUCTIONS_PER_OP] = { "instructions_per_op", BK_EVENT,
	    "instructions", true, "instructions " PER_LC },
	[BK_CACHE_MISSES_PER_OP] = { "cache_misses_per_op", BK_EVENT,
	    "cache-misses", true, "cache misses " PER_LC },
	[BK_TASK_CLOCK_NS_PER_OP] = { "task_clock_ns_per_op", BK_EVENT,
	    "task-clock", false, "task clock ns " PER_LC },
	[BK_CTX_SWITCHES_PER_OP] = { "ctx_switches_per_op", BK_EVENT,
	    "context-switches", false, "context switches " PER_LC },
	[BK_MIGRATIONS_PER_OP] = { "migrations_per_op", BK_EVENT,
	    "cpu-migrations", false, "CPU migrations " PER_LC },
	[BK_COUNTERS_MULTIPLEXED] = { "counters_multiplexed", BK_COUNTERS,
	    NULL, false, "1 if the kernel multiplexed the counters" },
};

const struct bench_key_info *
bench_key_find(const char *name)
{
	for (int i = 0; i < BK_NKEYS; i++)
		if (strcmp(name, bench_keys[i].name) == 0)
			return &bench_keys[i];
	return NULL;
}

void
bench_key_of_event(const char *ev, char *out, size_t len)
{
	char s[64];

	for (int i = 0; i < BK_NKEYS; i++)
		if (bench_keys[i].event != NULL &&
		    strcmp(ev, bench_keys[i].event) == 0) {
			snprintf(out, len, "%s", bench_keys[i].name);
			return;
		}
	bench_sanitise(ev, s, sizeof(s));
	for (char *p = s; *p; p++)
		if (*p == '-' || *p == '.')
			*p = '_';
	snprintf(out, len, "%s_per_op", s);
}

const char *const bench_entry_fields[] = {
	"name", "run_name", "run_type", "family_index",
	"per_family_instance_index", "repetitions", "repetition_index",
	"threads", "iterations", "real_time", "cpu_time", "time_unit",
	"aggregate_name", "aggregate_unit", "error_occurred", "error_message",
	"label", "big_o", "rms", "complexity", NULL
};

/* ---- the context -------------------------------------------------------- */

#define GB	(BC_IN_CONTEXT | BC_BY_GBENCH)
#define BOTH	(BC_IN_CONTEXT | BC_IN_ENV)
#define CTRS	(BOTH | BC_WITH_COUNTERS)

const struct bench_ctx_info bench_ctx_keys[BC_NCTX] = {
	[BC_HOST_NAME] = { "host_name", GB, "the machine's name" },
	[BC_NUM_CPUS] = { "num_cpus", GB, "CPUs the OS reports" },
	[BC_MHZ_PER_CPU] = { "mhz_per_cpu", GB, "clock" },
	[BC_CPU_SCALING_ENABLED] = { "cpu_scaling_enabled", GB,
	    "frequency scaling on" },
	[BC_DATE] = { "date", GB, "when the run started" },
	[BC_LIBRARY_BUILD_TYPE] = { "library_build_type", GB,
	    "Google Benchmark's build" },
	[BC_TOPOLOGY] = { "topology", BOTH, "hwloc summary of the machine" },
	[BC_VIRTUALIZATION] = { "virtualization", BOTH,
	    "hypervisor or emulator detected, and how" },
	[BC_TIMINGS_EMULATED] = { "timings_emulated", BOTH,
	    "yes if instructions are emulated (TCG): placement only" },
	[BC_GIT_REVISION] = { "git_revision", BOTH, "the source, +dirty" },
	[BC_COMPILER] = { "compiler", BOTH, "compiler and version" },
	[BC_CFLAGS] = { "cflags", BOTH, "flags of the bench build" },
	[BC_KERNEL_RELEASE] = { "kernel_release", BOTH, "uname" },
	[BC_GOVERNOR] = { "governor", BOTH, "cpufreq governor of cpu0" },
	[BC_ASLR] = { "aslr", BOTH, "randomize_va_space" },
	[BC_LIBRARY_VERSIONS] = { "library_versions", BOTH,
	    "benchmark, hwloc, libpfm4, jansson" },
	[BC_MEMBIND] = { "membind", BOTH,
	    "where per-CPU data was allocated" },
	[BC_PMU_AVAILABLE] = { "pmu_available", CTRS,
	    "yes if hardware counters count" },
	[BC_PERF_EVENT_PARANOID] = { "perf_event_paranoid", CTRS,
	    "the kernel's setting" },
	[BC_COUNTER_MODE] = { "counter_mode", CTRS,
	    "how counters were opened" },
	[BC_COUNTERS_UNAVAILABLE] = { "counters_unavailable", CTRS,
	    "\"<event>: unavailable: <reason>; ...\" or none" },
	[BC_COUNTER_EVENTS] = { "counter_events", CTRS,
	    "the events asked for, comma-separated" },
	[BC_COUNTER_SCOPE] = { "counter_scope", BOTH,
	    "which threads the counters cover" },
	[BC_TIME] = { "time", BOTH, "what real_time measures" },
	[BC_PER_OP] = { "per_op", BOTH, "what *_per_op divide by" },
	[BC_REAPER_CPU_SHARE] = { "reaper_cpu_share", BOTH,
	    "how reaper_cpu_share is computed" },
	[BC_LATENCY] = { "latency.", BOTH | BC_FAMILY,
	    "latency.<workload>: what its lat_p* (and freed_p*) measure; "
	    "latency.native.<workload>: what its native row measures" },
	[BC_ITERATION] = { "iteration.", BOTH | BC_FAMILY,
	    "iteration.<workload>: what one iteration is" },
	[BC_STORM_SHAPE] = { "storm_shape", BOTH,
	    "processes x LWPs of a storm" },
	[BC_MATRIX] = { "matrix", BOTH, "default, full or smoke" },
	[BC_REAPBENCH_CMDLINE] = { "reapbench_cmdline", BOTH,
	    "the command line" },
	[BC_PIN] = { "pin.", BC_IN_CONTEXT | BC_FAMILY,
	    "pin.<policy>.cpus<n>: planned and seen PU of each model CPU "
	    "(env.json: under pins)" },
	[BC_OVERSUBSCRIBED] = { "oversubscribed", BOTH,
	    "plans with more model CPUs than PUs, or no" },
	[BC_PINS] = { "pins", BC_IN_ENV, "the pin.* keys" },
	[BC_GBENCH_ARGV] = { "google_benchmark_argv", BC_IN_ENV,
	    "the flags Google Benchmark was given" },
	[BC_BENCHMARKS_RUN] = { "benchmarks_run", BC_IN_ENV,
	    "benchmarks Google Benchmark ran" },
	[BC_CHECK_THREADS] = { "harness_check_threads", BOTH,
	    "N of the harness check: floor churn_private, t:1 against t:N" },
	[BC_CHECK_NS] = { "harness_check_ns_per_lifecycle", BOTH,
	    "the check's least (and medians), ns per lifecycle at t:1 and t:N" },
	[BC_CHECK_RATIO] = { "harness_check_ratio", BOTH,
	    "speedup: ns per lifecycle at t:1 / at t:N" },
	[BC_CHECK_EFFICIENCY] = { "harness_check_efficiency", BOTH,
	    "the speedup / what the machine gives (the machine ratio, at "
	    "most N; N where it was not measured): 1 is all of it" },
	[BC_CHECK_MACHINE_RATIO] = { "harness_check_machine_ratio", BOTH,
	    "the machine's own speedup from 1 to N threads: the same "
	    "allocation work as floor's lifecycle, no harness, no model "
	    "kernel, pinned as the check's workers" },
	[BC_CHECK_VERDICT] = { "harness_check_verdict", BOTH,
	    "ok, instrument-bound (efficiency below 0.90) or not measured" },
	[BC_ACCOUNTING_AB] = { "accounting_ab", BC_IN_ENV,
	    "noacct/ and what it holds, or why the A/B did not run" },
	[BC_BENCHMARKS_FAILED] = { "benchmarks_failed", BC_IN_ENV,
	    "benchmark -> why it failed or its repetitions were skipped "
	    "(a budget, calibration, the design's error); {} if none" },
	[BC_WORK_NS] = { "work_ns.", BOTH | BC_FAMILY,
	    "work_ns.<stand-in>: ns each named stand-in cost in this run "
	    "(kern.h enum kern_work), measured here unless --work-ns" },
	[BC_WORK_MEASURED] = { "work_measured_ns.", BOTH | BC_FAMILY,
	    "work_measured_ns.<stand-in>: what doing it for real took on "
	    "this machine at the run's start (least of 7 trials)" },
};

const char *
bench_check_verdict(double eff, int n)
{
	if (n < 2 || !(eff > 0))
		return "not measured";
	return eff < BENCH_CHECK_LINEAR ? BENCH_CHECK_BOUND : BENCH_CHECK_OK;
}

double
bench_check_floor1(const char *check_ns)
{
	double x;

	if (check_ns == NULL || sscanf(check_ns, "t:1 %lf", &x) != 1 ||
	    !(x > 0))
		return NAN;
	return x;
}

const struct bench_ctx_info *
bench_ctx_find(const char *name)
{
	for (int i = 0; i < BC_NCTX; i++) {
		const struct bench_ctx_info *c = &bench_ctx_keys[i];

		if (c->flags & BC_FAMILY ?
		    strncmp(name, c->name, strlen(c->name)) == 0 :
		    strcmp(name, c->name) == 0)
			return c;
	}
	return NULL;
}
