/*
 * test_bench.c - the benchmark harness and the reapbench driver.
 *
 * In-process (every flavor, so under ASan+UBSan and TSan too): the latency
 * histogram's arithmetic, and a smoke run of every workload against every
 * registered design and `native` with tiny sizes, checking what each run
 * must account for (lifecycles, latency samples, a balanced quiesce,
 * threads where the plan put them).
 *
 * Through the driver ($(BUILD)/reapbench, built by `make build-test`): a
 * smoke matrix whose Google Benchmark JSON must parse and carry the fixed
 * counters, never a number for an unavailable counter, a complete results
 * folder, the wrapper overhead under 5% of the cheapest operation; and bad
 * input answered with one line and exit status 2.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "rt.h"
#include "bench.h"

/* ---- histogram ---------------------------------------------------------- */

RT_TEST(hist_buckets_bound_their_values)
{
	uint64_t vals[] = { 0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 12345,
	    1u << 20, (1u << 20) + 1, 123456789, UINT64_MAX / 3 };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t v = vals[i];
		int b = bench_hist_bucket(v);
		uint64_t up = bench_hist_upper(b);

		RT_ASSERTF(b >= 0 && b < BENCH_HIST_NBUCKETS, "bucket %d", b);
		RT_ASSERTF(up >= v, "upper %llu < value %llu",
		    (unsigned long long)up, (unsigned long long)v);
		/* At most 1/16 above the value (exact below 32). */
		RT_ASSERTF((double)up <= (double)v * (1 + 1.0 / 16) + 1,
		    "upper %llu too far above %llu", (unsigned long long)up,
		    (unsigned long long)v);
		if (b > 0)
			RT_ASSERTF(bench_hist_upper(b - 1) < v,
			    "value %llu fits the bucket below",
			    (unsigned long long)v);
	}
}

RT_TEST(hist_quantiles)
{
	static struct bench_hist h;

	bench_hist_reset(&h);
	RT_EQ(bench_hist_quantile(&h, 0.5), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		bench_hist_add(&h, v * 1000);
	RT_EQ(h.count, 1000);
	{
		uint64_t p50 = bench_hist_quantile(&h, 0.5);
		uint64_t p99 = bench_hist_quantile(&h, 0.99);
		uint64_t p999 = bench_hist_quantile(&h, 0.999);

		RT_ASSERTF(p50 >= 500000 && p50 <= 500000 * 17 / 16,
		    "p50 %llu", (unsigned long long)p50);
		RT_ASSERTF(p99 >= 990000 && p99 <= 1000000, "p99 %llu",
		    (unsigned long long)p99);
		/* Never above the largest value seen. */
		RT_EQ(p999, 1000000);
		RT_EQ(bench_hist_quantile(&h, 1.0), 1000000);
	}
}

/* ---- in-process smoke of every workload x design ------------------------ */

static struct pin_topo *
this_machine(void)
{
	static struct pin_topo *topo;
	char err[256];

	if (topo == NULL) {
		topo = pin_topo_load(NULL, err, sizeof(err));
		RT_ASSERTF(topo != NULL, "topology: %s", err);
	}
	return topo;
}

static void
smoke_one(const struct reap_ops *ops, enum bench_workload wl, int threads,
    enum pin_policy pin)
{
	struct bench_spec s;
	struct bench_result *r = calloc(1, sizeof(*r));
	uint64_t iters, expect;
	int rc;

	RT_ASSERT(r != NULL);
	memset(&s, 0, sizeof(s));
	s.wl = wl;
	s.ops = ops;
	s.threads = threads;
	s.pin = pin;
	s.topo = this_machine();
	snprintf(s.name, sizeof(s.name), "%s/%s/t:%d/pin:%s",
	    bench_workloads[wl].name, ops ? ops->name : "native", threads,
	    pin_policy_name(pin));
	switch (wl) {
	case BW_TEARDOWN:
		s.lwps = 4;
		iters = 2;
		expect = iters * (uint64_t)threads * 4;
		break;
	case BW_STORM:
		s.procs = 3;
		s.lwps = 3;
		iters = 2;
		expect = iters * 9;
		break;
	case BW_JOIN:
		iters = 24;
		expect = iters;
		break;
	default:
		iters = 48;
		expect = iters;
	}
	rc = bench_run(&s, iters, r);
	if (rc == BENCH_SKIPPED) {
		/* Only a plan that does not fit this machine is skipped. */
		RT_ASSERTF(threads * (pin == PIN_SPLIT ? 2 : 1) >
		    pin_topo_npus(s.topo), "%s skipped: %s", s.name, r->error);
		RT_ASSERTF(strstr(r->error, "PUs") != NULL, "%s: reason %s",
		    s.name, r->error);
		free(r);
		return;
	}
	RT_ASSERTF(rc == 0, "%s: %s", s.name, r->error);
	RT_ASSERTF(r->lifecycles == expect, "%s: %llu lifecycles, expected "
	    "%llu", s.name, (unsigned long long)r->lifecycles,
	    (unsigned long long)expect);
	RT_EQ(r->iters, iters);
	RT_ASSERTF(r->region_ns > 0, "%s: no time", s.name);
	RT_ASSERTF(r->hist.count > 0, "%s: no latency sample", s.name);
	/* teardown/storm: one all-freed sample per round, else none. */
	RT_ASSERTF(r->freed.count == (bench_workloads[wl].rounds ? iters :
	    0), "%s: %llu all-freed samples for %llu iterations", s.name,
	    (unsigned long long)r->freed.count, (unsigned long long)iters);
	RT_ASSERTF(r->fairness_cv >= 0, "%s: fairness %f", s.name,
	    r->fairness_cv);
	if (ops != NULL) {
		/*
		 * What the timed parts freed: churn/join also free the
		 * processes (and their masters) they ran in, forked before
		 * the region; teardown/storm fork theirs untimed.
		 */
		bool rounds = wl == BW_TEARDOWN || wl == BW_STORM;
		uint64_t nproc = wl == BW_CHURN_SHARED ||
		    wl == BW_OBSERVERS ? 1 : wl == BW_STORM ? 3 :
		    (uint64_t)threads;
		uint64_t lc = rounds ? 0 : expect;
		uint64_t lf = rounds ? expect : expect + nproc;
		uint64_t pc = 0, pf = rounds ? iters * nproc : nproc;

		if (wl == BW_LOOKUP) {
			/* Only the lookups are timed: the churn forked in
			 * the timed part at most what it had begun; the
			 * stats may also see the LIVE children forked
			 * before it and the churner's process freed. */
			RT_ASSERTF(r->holds <= r->lifecycles, "%s: %llu "
			    "lookups found of %llu", s.name,
			    (unsigned long long)r->holds,
			    (unsigned long long)r->lifecycles);
			RT_ASSERTF(r->st.procs_created <= r->churned &&
			    r->st.procs_freed <= r->st.procs_created +
			    BENCH_LOOKUP_LIVE + 1,
			    "%s: timed part created %llu and freed %llu "
			    "procs in %llu cycles", s.name,
			    (unsigned long long)r->st.procs_created,
			    (unsigned long long)r->st.procs_freed,
			    (unsigned long long)r->churned);
			pc = r->st.procs_created;
			pf = r->st.procs_freed;
			lc = r->st.lwps_created;
			lf = r->st.lwps_freed;
		}

		RT_ASSERTF(r->st.lwps_created == lc && r->st.lwps_freed == lf,
		    "%s: timed parts created %llu and freed %llu LWPs, "
		    "expected %llu and %llu", s.name,
		    (unsigned long long)r->st.lwps_created,
		    (unsigned long long)r->st.lwps_freed,
		    (unsigned long long)lc, (unsigned long long)lf);
		RT_ASSERTF(r->st.procs_created == pc &&
		    r->st.procs_freed == pf,
		    "%s: timed parts created %llu and freed %llu procs, "
		    "expected %llu and %llu", s.name,
		    (unsigned long long)r->st.procs_created,
		    (unsigned long long)r->st.procs_freed,
		    (unsigned long long)pc, (unsigned long long)pf);
		/* churn: the model kernel's stamps, 1 exit in
		 * REAP_LAT_SAMPLE per CPU (masters' exits included). */
		if (wl == BW_CHURN_SHARED || wl == BW_CHURN_PRIVATE ||
		    wl == BW_OBSERVERS)
			RT_ASSERTF(r->hist.count <= (expect + nproc) /
			    REAP_LAT_SAMPLE + 2 * (uint64_t)threads,
			    "%s: %llu latency samples of %llu exits", s.name,
			    (unsigned long long)r->hist.count,
			    (unsigned long long)(expect + nproc));
		RT_ASSERTF(r->sys_cpu_ns <= r->cpu_ns + 1000000,
		    "%s: reaper CPU %llu > process CPU %llu", s.name,
		    (unsigned long long)r->sys_cpu_ns,
		    (unsigned long long)r->cpu_ns);
	}
	/* Every thread bound where the plan said (seen by itself). */
	RT_ASSERTF(r->npins > 0, "%s: no thread recorded its pin", s.name);
	RT_EQ(r->pin_mismatch, 0);
	for (int i = 0; i < r->npins; i++) {
		const struct bench_pinrec *p = &r->pins[i];
		bool mem = strcmp(p->role, "percpu") == 0;

		if (pin == PIN_NONE)
			continue;
		/* A thread runs on its PU, a per-CPU block is on its node. */
		RT_ASSERTF(p->planned >= 0 && (mem || p->seen == p->planned) &&
		    p->node == pin_topo_pu_node(s.topo, p->planned),
		    "%s: %s on cpu %d planned PU %d, seen %d, node %d", s.name,
		    p->role, p->cpu, p->planned, p->seen, p->node);
	}
	/* Counters: software events count, hardware ones are never a
	 * number when unavailable (NaN is the reader's contract). */
	RT_ASSERT(r->nevents >= 3);
	for (int i = 0; i < r->nevents; i++) {
		if (strcmp(r->events[i].name, "task-clock") == 0) {
			RT_ASSERTF(r->events[i].available, "task-clock: %s",
			    r->events[i].reason);
			RT_ASSERTF(r->values[i] > 0, "%s: task-clock %f",
			    s.name, r->values[i]);
		}
		if (!r->events[i].available)
			RT_ASSERTF(r->events[i].reason[0] != '\0',
			    "%s unavailable without a reason",
			    r->events[i].name);
	}
	bench_result_free(r);
	free(r);
}

static void
smoke_design(const struct reap_ops *ops)
{
	for (int w = 0; w < BW_NWORKLOADS; w++) {
		if (ops == NULL && !bench_workloads[w].native)
			continue;
		smoke_one(ops, (enum bench_workload)w, 1, PIN_SPLIT);
		smoke_one(ops, (enum bench_workload)w, 2, PIN_COMPACT);
	}
}

RT_TEST(smoke_every_workload_every_design)
{
	RT_ASSERTF(reap_designs[0] != NULL, "no design registered");
	for (int d = 0; reap_designs[d] != NULL; d++)
		smoke_design(reap_designs[d]);
}

RT_TEST(smoke_native)
{
	smoke_design(NULL);
}

/*
 * A design thread that spins on another PU through a timed part: the
 * process's CPU over the part covers that thread's (the process clock
 * leaves out other CPUs' runtime since their last tick unless their own
 * clocks are read first: the NUMA guest once saw 4.3 ms against 0.43).
 */
static _Atomic int spin_stop;
static _Atomic pid_t spin_tid;

static void *
sys_spinner(void *arg)
{
	(void)arg;
	atomic_store(&spin_tid, bench_gettid());
	while (!atomic_load_explicit(&spin_stop, memory_order_relaxed))
		;
	return NULL;
}

RT_TEST(process_cpu_covers_design_threads)
{
	struct bench_env *env = calloc(1, sizeof(*env));
	struct timespec ts = { 0, 3000000 };		/* 3 ms */
	pthread_t t;

	RT_ASSERT(env != NULL);
	pthread_mutex_init(&env->lock, NULL);
	pthread_create(&t, NULL, sys_spinner, NULL);
	while (atomic_load(&spin_tid) == 0)
		sched_yield();
	bench_env_track(env, atomic_load(&spin_tid), true);
	for (int i = 0; i < 20; i++) {
		bench_env_time_begin(env);
		nanosleep(&ts, NULL);
		bench_env_time_end(env);
		RT_ASSERTF(env->sys_cpu_ns <= env->cpu_ns, "part %d: design "
		    "threads %llu ns > process %llu ns", i,
		    (unsigned long long)env->sys_cpu_ns,
		    (unsigned long long)env->cpu_ns);
	}
	RT_ASSERT(env->sys_cpu_ns > 0);
	atomic_store(&spin_stop, 1);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&env->lock);
	free(env);
}

/* A plan with more model CPUs than PUs is never run: it is skipped, and
 * the reason names the PUs. */
RT_TEST(oversubscribed_plan_is_skipped)
{
	struct bench_spec s;
	struct bench_result *r = calloc(1, sizeof(*r));

	RT_ASSERT(r != NULL);
	memset(&s, 0, sizeof(s));
	s.wl = BW_CHURN_PRIVATE;
	s.ops = reap_designs[0];
	s.topo = this_machine();
	s.threads = pin_topo_npus(s.topo);
	s.pin = PIN_SPLIT;
	s.no_counters = true;
	snprintf(s.name, sizeof(s.name), "over");
	RT_EQ(bench_run(&s, 16, r), BENCH_SKIPPED);
	RT_ASSERTF(strstr(r->error, "skipped") != NULL &&
	    strstr(r->error, "PUs") != NULL, "reason: %s", r->error);
	free(r);
}

RT_TEST(bad_spec_is_an_error_not_a_crash)
{
	struct bench_spec s;
	struct bench_result *r = calloc(1, sizeof(*r));

	RT_ASSERT(r != NULL);
	memset(&s, 0, sizeof(s));
	s.wl = BW_CHURN_SHARED;
	s.ops = NULL;
	s.threads = 1;
	s.pin = PIN_COMPACT;
	s.topo = this_machine();
	s.events = "no_such_event_anywhere";
	snprintf(s.name, sizeof(s.name), "bad");
	RT_ASSERT(bench_run(&s, 4, r) != 0);
	RT_ASSERTF(strstr(r->error, "no_such_event_anywhere") != NULL,
	    "error does not name the event: %s", r->error);
	free(r);
}

/* ---- the driver ------------------------------------------------------------ */

static char driver[PATH_MAX];
static char tmpdir[PATH_MAX];

static const char *
reapbench(void)
{
	char self[PATH_MAX], *d;
	ssize_t n;

	if (driver[0] != '\0')
		return driver;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	RT_ASSERT(n > 0);
	self[n] = '\0';
	/* $(BUILD)/<cc>-<flavor>/bin/test_bench -> $(BUILD)/reapbench */
	d = dirname(dirname(dirname(self)));
	snprintf(driver, sizeof(driver), "%s/reapbench", d);
	RT_ASSERTF(access(driver, X_OK) == 0, "%s is not built: run 'make "
	    "build-test'", driver);
	return driver;
}

static void
scratch_remove(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)!system(cmd);
}

static const char *
scratch(void)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_bench.XXXXXX");
		RT_ASSERT(mkdtemp(tmpdir) != NULL);
		atexit(scratch_remove);
	}
	return tmpdir;
}

/* Run the driver with args; stdout/stderr land in scratch files. */
static int
drive(const char *args)
{
	char cmd[8192];
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s/out' 2>'%s/err' </dev/null",
	    reapbench(), args, scratch(), scratch());
	st = system(cmd);
	RT_ASSERTF(st != -1 && WIFEXITED(st), "%s did not exit", cmd);
	return WEXITSTATUS(st);
}

static char *
slurp(const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", scratch(), name);
	f = fopen(path, "r");
	RT_ASSERTF(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	RT_ASSERT(buf != NULL);
	RT_EQ(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	return buf;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
bad_input(const char *args, const char *mention)
{
	char *err, *out;
	int rc = drive(args);

	err = slurp("err");
	out = slurp("out");
	RT_ASSERTF(rc == 2, "'reapbench %s' exited %d, not 2 (stderr: %s)",
	    args, rc, err);
	RT_ASSERTF(count_lines(err) == 1, "'reapbench %s': %d lines on "
	    "stderr, want 1: %s", args, count_lines(err), err);
	RT_ASSERTF(strstr(err, mention) != NULL, "'reapbench %s': '%s' not "
	    "in: %s", args, mention, err);
	RT_ASSERTF(out[0] == '\0', "'reapbench %s' printed: %s", args, out);
	free(err);
	free(out);
}

RT_TEST(driver_bad_input_exits_2_with_one_line)
{
	char args[PATH_MAX + 64];

	bad_input("run --design nosuchdesign", "nosuchdesign");
	bad_input("run --workload nosuchload", "nosuchload");
	bad_input("run --pin diagonal", "diagonal");
	bad_input("run --events no_such_event_anywhere",
	    "no_such_event_anywhere");
	bad_input("run --threads 0", "--threads");
	bad_input("run --threads -3", "--threads");
	bad_input("run --threads 1,x", "--threads");
	bad_input("run --repetitions 0", "--repetitions");
	bad_input("run --matrix huge", "huge");
	snprintf(args, sizeof(args), "run --out %s/missing/parent/res",
	    scratch());
	bad_input(args, "missing/parent");
	bad_input("run --benchmark_out=/tmp/x.json", "--out");
	bad_input("run --design netbsd,hybrid,netbsd", "netbsd named twice");
	bad_input("run --threads 1,,2", "an empty item");
	bad_input("run --benchmark_filter='(churn'", "not a regular expression");
	/* glibc's regcomp would take gigabytes (found by fuzzing). */
	bad_input("run --benchmark_filter='((((((((((a)+)?)+)?)+)?)+)?)+)?'",
	    "nested more than 8 deep");
	bad_input("run --benchmark_filter='a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+'",
	    "copies of its repeated parts");
	bad_input("run --benchmark_filter='(x{999}y){999}'", "copies");
	bad_input("run --benchmark_filter='-r%S+*++++++++++++'",
	    "adjacent repeats");
	bad_input("run --design \"$(printf 'a\\nb')\"", "--design");
	bad_input("run --topology 'pack:1000 core:1000 pu:1000'", "4096 PUs");
	bad_input("run --topology 'pack:4 [numa]'", "--topology");
	bad_input("run --events 'cycles,,no_such_event_x'", "no_such_event_x");
	/* Stand-in costs: an unknown name lists the names. */
	bad_input("run --work-ns vmspace=10", "vmspace_exit, sigchld");
	bad_input("run --work-ns fdfree=ten", "fdfree=ten");
	bad_input("run --work-ns fdfree=-1", "fdfree=-1");
	bad_input("run --work-ns fdfree=2000000000", "<= 1000000000");
	bad_input("run --work-ns fdfree", "NAME=NS");
	bad_input("run --work-ns ,", "NAME=NS");
	bad_input("run --work-x 1,1", "1 named twice");
	bad_input("run --work-x -2", "--work-x");
	bad_input("report /nonexistent/results", "not a results folder");
	bad_input("pick /nonexistent/results --profile server",
	    "not a results folder");
	bad_input("plan --pin sideways", "sideways");
	bad_input("plan --topology 'no such topology' --cpus 2", "topology");
	bad_input("frobnicate", "frobnicate");
}

RT_TEST(driver_list_shows_everything)
{
	char *out;

	RT_EQ(drive("list"), 0);
	out = slurp("out");
	for (int d = 0; reap_designs[d] != NULL; d++)
		RT_ASSERTF(strstr(out, reap_designs[d]->name) != NULL,
		    "list lacks design %s", reap_designs[d]->name);
	for (int w = 0; w < BW_NWORKLOADS; w++)
		RT_ASSERTF(strstr(out, bench_workloads[w].name) != NULL,
		    "list lacks workload %s", bench_workloads[w].name);
	/* Every mutant with its origin (seed lines or synthetic). */
	for (int d = 0; reap_designs[d] != NULL; d++)
		for (const struct reap_mutant *m = reap_designs[d]->mutants;
		    m != NULL && m->name != NULL; m++)
			RT_ASSERTF(strstr(out, m->name) != NULL &&
			    strstr(out, m->origin) != NULL,
			    "list lacks mutant %s or its origin \"%s\"",
			    m->name, m->origin);
	RT_ASSERT(strstr(out, "native") != NULL);
	RT_ASSERT(strstr(out, "split") != NULL);
	RT_ASSERT(strstr(out, "task-clock") != NULL);
	free(out);
}

RT_TEST(driver_gbench_wrapper_selftest)
{
	char *out;
	int rc = drive("gbench-selftest");

	out = slurp("out");
	RT_ASSERTF(rc == 0 && strstr(out, ", 0 failed") != NULL,
	    "gbench-selftest exited %d: %s", rc, out);
	free(out);
}

static bool
has_counter(json_t *b, const char *name)
{
	json_t *v = json_object_get(b, name);

	return v != NULL && json_is_number(v);
}

/* The smoke matrix through the driver, run once for the tests below. */
static void
smoke_run(void)
{
	static bool done;
	char args[PATH_MAX + 64], *err;
	int rc;

	if (done)
		return;
	snprintf(args, sizeof(args), "run --matrix smoke --out %s/res",
	    scratch());
	rc = drive(args);
	err = slurp("err");
	RT_ASSERTF(rc == 0, "smoke run exited %d: %s", rc, err);
	/* A progress line per benchmark call; the harness's cost. */
	RT_ASSERTF(strstr(err, "[1/") != NULL, "no progress lines: %s", err);
	free(err);
	err = slurp("out");
	RT_ASSERTF(strstr(err, "harness overhead: ") != NULL, "no harness "
	    "overhead line in the summary: %s", err);
	free(err);
	done = true;
}

/* A file of the smoke run's results folder, parsed. */
static json_t *
smoke_json(const char *name)
{
	char path[PATH_MAX + 64];
	json_error_t jerr;
	json_t *j;

	smoke_run();
	snprintf(path, sizeof(path), "%s/res/latest/%s", scratch(), name);
	j = json_load_file(path, 0, &jerr);
	RT_ASSERTF(j != NULL, "%s: %s (line %d)", path, jerr.text, jerr.line);
	return j;
}

/* --work-x: the benchmarks at other multiples of the stand-ins' costs
 * are named w:<x>x, the default keeps its name, and the report gets its
 * Exit work table, at 0x, 1x and 10x, only then. */
RT_TEST(driver_work_sweep_named_and_reported)
{
	char args[PATH_MAX + 128], path[PATH_MAX + 64], *err, *md;
	json_t *root;
	const char *names[] = { "churn_private/floor/t:1/w:0x/pin:compact",
	    "churn_private/floor/t:1/pin:compact",
	    "churn_private/hybrid/t:1/w:10x/pin:compact" };
	char *dump;
	int rc;

	snprintf(args, sizeof(args), "run --matrix smoke --design floor,hybrid"
	    " --workload churn_private --work-x 0,1,10 --work-ns fdfree=5 "
	    "--out %s/wres", scratch());
	rc = drive(args);
	err = slurp("err");
	RT_ASSERTF(rc == 0, "work sweep run exited %d: %s", rc, err);
	free(err);
	snprintf(path, sizeof(path), "%s/wres/latest/%s", scratch(),
	    BENCH_FILE_JSON);
	root = json_load_file(path, 0, NULL);
	RT_ASSERT(root != NULL);
	dump = json_dumps(root, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		RT_ASSERTF(strstr(dump, names[i]) != NULL, "no benchmark %s",
		    names[i]);
	RT_ASSERTF(strstr(dump, "\"work_ns.fdfree\": \"5\"") != NULL,
	    "--work-ns fdfree=5 is not the context's work_ns.fdfree");
	free(dump);
	json_decref(root);
	snprintf(args, sizeof(args), "report %s/wres/latest", scratch());
	rc = drive(args);
	RT_ASSERTF(rc == 0, "report exited %d", rc);
	snprintf(path, sizeof(path), "%s/wres/latest/REPORT.md", scratch());
	md = rt_slurp(path);
	RT_ASSERTF(strstr(md, "## Exit work") != NULL &&
	    strstr(md, "| 0× |") != NULL && strstr(md, "| 10× |") != NULL,
	    "REPORT.md has no Exit work table at 0x and 10x");
	free(md);
	/* The smoke matrix's single level: no such section. */
	smoke_run();
	snprintf(args, sizeof(args), "report %s/res/latest", scratch());
	RT_EQ(drive(args), 0);
	snprintf(path, sizeof(path), "%s/res/latest/REPORT.md", scratch());
	md = rt_slurp(path);
	RT_ASSERT(strstr(md, "## Exit work") == NULL);
	free(md);
}

RT_TEST(driver_smoke_matrix_json_and_results)
{
	char path[PATH_MAX + 256];
	json_t *root, *ctx, *bms;
	const char *unavail;
	double empty_ns = -1, bare_ns = -1, cheapest = -1;
	int nbench = 0;
	size_t i;
	regex_t name_re;
	struct stat sb;

	/* The folder: published under its final name, latest points at
	 * it, nothing left under a temporary name. */
	root = smoke_json(BENCH_FILE_JSON);
	for (const char *const *f = (const char *const[]){ "env.json",
	    "topology.xml", "cmdline.txt", "pins.tsv", "latency/index.tsv",
	    BENCH_FILE_COMPLETE, NULL }; *f != NULL; f++) {
		snprintf(path, sizeof(path), "%s/res/latest/%s", scratch(), *f);
		RT_ASSERTF(stat(path, &sb) == 0 && sb.st_size > 0,
		    "%s missing or empty", path);
	}
	snprintf(path, sizeof(path), "ls -a '%s/res' | grep -q tmp",
	    scratch());
	RT_ASSERTF(system(path) != 0, "a .tmp folder was left behind");
	{
		json_t *env = smoke_json(BENCH_FILE_ENV), *ga;
		size_t n;

		/* The flags Google Benchmark was given, as given (its
		 * Initialize shifts the argv it parses). */
		ga = json_object_get(env, BENCH_CTX(BC_GBENCH_ARGV));
		n = json_array_size(ga);
		RT_ASSERTF(n >= 7 && strncmp(json_string_value(json_array_get(
		    ga, 1)), "--benchmark_repetitions=", 24) == 0 &&
		    strcmp(json_string_value(json_array_get(ga, n - 1)),
		    "--benchmark_out_format=json") == 0,
		    "google_benchmark_argv is not the flags given");
		json_decref(env);
	}

	ctx = json_object_get(root, "context");
	RT_ASSERT(json_is_object(ctx));
	for (const char *const *k = (const char *const[]){ "pmu_available",
	    "perf_event_paranoid", "counter_mode", "counters_unavailable",
	    "topology", "oversubscribed", "git_revision", "compiler",
	    "cflags", "kernel_release", "governor", "aslr",
	    "library_versions", "pin.compact.cpus1", NULL }; *k != NULL; k++)
		RT_ASSERTF(json_is_string(json_object_get(ctx, *k)),
		    "context lacks %s", *k);
	unavail = json_string_value(json_object_get(ctx,
	    "counters_unavailable"));

	RT_ASSERT(regcomp(&name_re, "^(empty|bare|[a-z_]+/[a-z0-9_-]+/"
	    "(T:[0-9]+/)?t:[0-9]+/pin:[a-z]+)$", REG_EXTENDED | REG_NOSUB) ==
	    0);
	bms = json_object_get(root, "benchmarks");
	RT_ASSERT(json_is_array(bms) && json_array_size(bms) > 0);
	for (i = 0; i < json_array_size(bms); i++) {
		json_t *b = json_array_get(bms, i);
		const char *name = json_string_value(json_object_get(b,
		    "name"));
		bool native;

		RT_ASSERT(name != NULL);
		RT_ASSERTF(regexec(&name_re, name, 0, NULL, 0) == 0,
		    "benchmark name '%s' not workload/design/.../pin:policy",
		    name);
		RT_ASSERTF(json_object_get(b, "error_occurred") == NULL,
		    "%s failed", name);
		if (strcmp(name, "bare") == 0) {
			bare_ns = json_number_value(json_object_get(b,
			    "cpu_time"));
			continue;
		}
		if (strcmp(name, "empty") == 0) {
			/* CPU time: preemption is not the wrapper's. */
			empty_ns = json_number_value(json_object_get(b,
			    "cpu_time"));
			continue;
		}
		nbench++;
		native = strstr(name, "/native/") != NULL;
		for (const char *const *c = (const char *const[]){
		    "ns_per_lifecycle", "lat_p50_ns", "lat_p99_ns",
		    "lat_p999_ns", "fairness_cv", "cpu_ns_per_op",
		    "items_per_second", "task_clock_ns_per_op",
		    "ctx_switches_per_op", "migrations_per_op", NULL };
		    *c != NULL; c++)
			RT_ASSERTF(has_counter(b, *c), "%s lacks %s", name, *c);
		if (!native) {
			for (const char *const *c = (const char *const[]){
			    "zombies_peak", "reaper_wakeups_per_lwp",
			    "sleeps_per_lwp", "tick_sleeps_per_lwp",
			    "reaper_cpu_share", NULL }; *c != NULL; c++)
				RT_ASSERTF(has_counter(b, *c), "%s lacks %s",
				    name, *c);
			if (cheapest < 0 || json_number_value(json_object_get(
			    b, "ns_per_lifecycle")) < cheapest)
				cheapest = json_number_value(json_object_get(b,
				    "ns_per_lifecycle"));
		}
		/* The fallback: an unavailable event is named in the
		 * context and never appears as a number. */
		if (strstr(unavail, "cycles: unavailable") != NULL)
			RT_ASSERTF(!has_counter(b, "cycles_per_op"),
			    "%s reports cycles although unavailable", name);
		if (strstr(unavail, "instructions: unavailable") != NULL)
			RT_ASSERTF(!has_counter(b, "instructions_per_op"),
			    "%s reports instructions although unavailable",
			    name);
		if (strstr(unavail, "cache-misses: unavailable") != NULL)
			RT_ASSERTF(!has_counter(b, "cache_misses_per_op"),
			    "%s reports cache misses although unavailable",
			    name);
		{
			char fn[256];

			bench_sanitise(name, fn, sizeof(fn));
			snprintf(path, sizeof(path), "%s/res/latest/latency/"
			    "%s.dat", scratch(), fn);
			RT_ASSERTF(stat(path, &sb) == 0 && sb.st_size > 0,
			    "no latency histogram %s", path);
		}
	}
	regfree(&name_re);
	/* Every design and workload ran. */
	for (int d = 0; reap_designs[d] != NULL; d++)
		for (int w = 0; w < BW_NWORKLOADS; w++) {
			char want[160];
			bool found = false;

			snprintf(want, sizeof(want), "%s/%s/",
			    bench_workloads[w].name, reap_designs[d]->name);
			for (i = 0; i < json_array_size(bms) && !found; i++)
				found = strncmp(json_string_value(
				    json_object_get(json_array_get(bms, i),
				    "name")), want, strlen(want)) == 0;
			RT_ASSERTF(found, "no %s... benchmark", want);
		}
	RT_ASSERTF(empty_ns > 0, "no empty benchmark");
	RT_ASSERTF(bare_ns > 0, "no bare benchmark");
	RT_ASSERTF(cheapest > 0, "no design benchmark");
	RT_ASSERTF(empty_ns < 0.05 * cheapest, "wrapper overhead %.2f ns is "
	    "not under 5%% of the cheapest operation (%.1f ns)", empty_ns,
	    cheapest);
	json_decref(root);
}

/* ---- a benchmark over its budget ---------------------------------------- */

/*
 * REAPBENCH_TEST_HANG makes every call of join/hybrid never end: with a
 * 5 s call budget it must fail alone, killed (in calibration when
 * the matrix calibrates, else in its first measured call), named with its
 * reason in bench.json, env.json and REPORT.md, while every other
 * benchmark is measured and the folder is published complete.
 */
static void
hang_run(const char *matrix)
{
	static const char hung[] = "join/hybrid/t:1/pin:compact";
	char args[PATH_MAX + 256], path[PATH_MAX + 64], *err, *md;
	json_t *root, *env, *b, *failed;
	const char *name, *msg;
	size_t i, measured = 0, errors = 0;
	int rc;

	snprintf(args, sizeof(args), "run --matrix %s --design hybrid,netbsd "
	    "--workload churn_shared,join --threads 1 --pin compact "
	    "--repetitions 1 --call-budget 5 --out %s/hang-%s", matrix,
	    scratch(), matrix);
	setenv("REAPBENCH_TEST_HANG", "^join/hybrid/", 1);
	rc = drive(args);
	unsetenv("REAPBENCH_TEST_HANG");
	err = slurp("err");
	RT_ASSERTF(rc == 0, "run with a hung benchmark exited %d: %s", rc,
	    err);
	RT_ASSERTF(strstr(err, "budget of 5 s per call (killed)") != NULL,
	    "the run did not say the call was killed: %s", err);
	free(err);
	snprintf(path, sizeof(path), "%s/hang-%s/latest/%s", scratch(),
	    matrix, BENCH_FILE_JSON);
	root = json_load_file(path, 0, NULL);
	RT_ASSERTF(root != NULL, "%s does not parse", path);
	json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
		name = json_string_value(json_object_get(b, "name"));
		msg = json_string_value(json_object_get(b, "error_message"));
		if (strcmp(name, hung) == 0) {
			RT_ASSERTF(json_is_true(json_object_get(b,
			    "error_occurred")) && msg != NULL && strstr(msg,
			    "budget") != NULL, "%s: no budget error", name);
			errors++;
		} else {
			RT_ASSERTF(msg == NULL, "%s failed too: %s", name, msg);
			measured++;
		}
	}
	RT_ASSERTF(errors == 1 && measured == 5, "%zu errors, %zu "
	    "measured entries", errors, measured);
	json_decref(root);
	snprintf(path, sizeof(path), "%s/hang-%s/latest/%s", scratch(),
	    matrix, BENCH_FILE_ENV);
	env = json_load_file(path, 0, NULL);
	RT_ASSERT(env != NULL);
	failed = json_object_get(env, BENCH_CTX(BC_BENCHMARKS_FAILED));
	RT_ASSERTF(json_object_size(failed) == 1 && json_is_string(
	    json_object_get(failed, hung)), "benchmarks_failed is not {%s}",
	    hung);
	json_decref(env);
	snprintf(args, sizeof(args), "report --no-plots %s/hang-%s/latest",
	    scratch(), matrix);
	RT_EQ(drive(args), 0);
	snprintf(path, sizeof(path), "hang-%s/latest/REPORT.md", matrix);
	md = slurp(path);
	RT_ASSERTF(strstr(md, "## Failed or skipped benchmarks") != NULL &&
	    strstr(md, "`join/hybrid/t:1/pin:compact`: ") != NULL,
	    "REPORT.md does not list %s", hung);
	free(md);
}

RT_TEST(driver_hung_benchmark_fails_alone_in_calibration)
{
	hang_run("default");
}

RT_TEST(driver_hung_benchmark_fails_alone_when_measured)
{
	hang_run("smoke");
}

/* ---- the results schema ------------------------------------------------- */

/* Whether event ev counted in the run (listed, and not unavailable). */
static bool
event_counted(json_t *ctx, const char *ev)
{
	const char *list = json_string_value(json_object_get(ctx,
	    BENCH_CTX(BC_COUNTER_EVENTS)));
	const char *unav = json_string_value(json_object_get(ctx,
	    BENCH_CTX(BC_COUNTERS_UNAVAILABLE)));
	char *l, *e, *u;
	bool listed, failed;

	if (list == NULL || unav == NULL)
		return false;
	/* ",a,b," holds ",ev,"; "; x: ..." holds " ev: unavailable". */
	RT_ASSERT(asprintf(&l, ",%s,", list) > 0 &&
	    asprintf(&e, ",%s,", ev) > 0 && asprintf(&u, " %s", unav) > 0);
	listed = strstr(l, e) != NULL;
	free(e);
	RT_ASSERT(asprintf(&e, " %s: unavailable", ev) > 0);
	failed = strstr(u, e) != NULL;
	free(l);
	free(e);
	free(u);
	return listed && !failed;
}

/* Whether the schema says entry `name` of the run carries key k. */
static bool
key_expected(json_t *ctx, const char *name, const struct bench_key_info *k)
{
	bool native = strstr(name, "/native/") != NULL;

	switch (k->when) {
	case BK_DESIGN:
		return !native;
	case BK_OBSERVERS:
		return strncmp(name, "observers/", 10) == 0;
	case BK_ROUNDS:
		return strncmp(name, "teardown/", 9) == 0 ||
		    strncmp(name, "storm/", 6) == 0;
	case BK_LOOKUP:
		return strncmp(name, "lookup/", 7) == 0;
	case BK_EVENT:
		return event_counted(ctx, k->event);
	case BK_COUNTERS:
		return json_string_length(json_object_get(ctx,
		    BENCH_CTX(BC_COUNTER_EVENTS))) > 0;
	default:		/* GBENCH, EVERY, LATENCY */
		return true;
	}
}

static bool
entry_field(const char *k)
{
	for (int i = 0; bench_entry_fields[i] != NULL; i++)
		if (strcmp(k, bench_entry_fields[i]) == 0)
			return true;
	return false;
}

/*
 * What the writer put in every benchmark entry is in bench_schema.c, and
 * every value the schema says an entry has (so the report may look it
 * up) is there: a key added, renamed or dropped on one side only fails.
 */
RT_TEST(driver_results_keys_match_schema)
{
	json_t *root = smoke_json(BENCH_FILE_JSON), *ctx, *b, *v;
	const char *k, *name;
	size_t i, checked = 0;

	ctx = json_object_get(root, "context");
	json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
		name = json_string_value(json_object_get(b, "name"));
		RT_ASSERT(name != NULL);
		if (strcmp(name, "empty") == 0 || strcmp(name, "bare") == 0)
			continue;
		json_object_foreach(b, k, v)
			RT_ASSERTF(entry_field(k) || bench_key_find(k) != NULL,
			    "%s: key %s is not in bench_schema.c", name, k);
		for (int j = 0; j < BK_NKEYS; j++) {
			const struct bench_key_info *ki = &bench_keys[j];
			bool has = json_is_number(json_object_get(b, ki->name));

			RT_ASSERTF(has == key_expected(ctx, name, ki),
			    "%s: %s %s, the schema says otherwise", name,
			    ki->name, has ? "written" : "missing");
			checked++;
		}
	}
	RT_ASSERT(checked > BK_NKEYS);
	json_decref(root);
}

/*
 * The harness check's verdict: below BENCH_CHECK_LINEAR of linear is
 * instrument-bound, one thread or no number is not measured; and the
 * smoke run's context holds the verdict of its own efficiency.
 */
RT_TEST(harness_check_verdict)
{
	json_t *env = smoke_json(BENCH_FILE_ENV);
	const char *eff, *n, *v;

	RT_ASSERT(strcmp(bench_check_verdict(0.95, 2), BENCH_CHECK_OK) == 0);
	RT_ASSERT(strcmp(bench_check_verdict(0.90, 2), BENCH_CHECK_OK) == 0);
	RT_ASSERT(strcmp(bench_check_verdict(0.899, 2), BENCH_CHECK_BOUND)
	    == 0);
	RT_ASSERT(strcmp(bench_check_verdict(0.40, 4), BENCH_CHECK_BOUND)
	    == 0);
	RT_ASSERT(strcmp(bench_check_verdict(1.0, 1), "not measured") == 0);
	RT_ASSERT(strcmp(bench_check_verdict(NAN, 2), "not measured") == 0);
	eff = json_string_value(json_object_get(env,
	    BENCH_CTX(BC_CHECK_EFFICIENCY)));
	n = json_string_value(json_object_get(env,
	    BENCH_CTX(BC_CHECK_THREADS)));
	v = json_string_value(json_object_get(env,
	    BENCH_CTX(BC_CHECK_VERDICT)));
	RT_ASSERT(eff != NULL && n != NULL && v != NULL);
	RT_ASSERTF(strcmp(v, bench_check_verdict(strtod(eff, NULL),
	    atoi(n))) == 0, "verdict %s for efficiency %s at %s", v, eff, n);
	/* efficiency = floor's ratio / the machine's (at most n) */
	{
		const char *r = json_string_value(json_object_get(env,
		    BENCH_CTX(BC_CHECK_RATIO))), *m = json_string_value(
		    json_object_get(env, BENCH_CTX(BC_CHECK_MACHINE_RATIO)));
		double g;

		RT_ASSERT(r != NULL && m != NULL);
		g = strtod(m, NULL) > atoi(n) ? atoi(n) : strtod(m, NULL);
		RT_ASSERTF(strtod(m, NULL) > 0 && fabs(strtod(eff, NULL) -
		    strtod(r, NULL) / g) < 0.002, "efficiency %s, ratio %s, "
		    "machine %s", eff, r, m);
	}
	json_decref(env);
}

/* Whether obj has key (a family: a key starting with it). */
static bool
has_ctx_key(json_t *obj, const struct bench_ctx_info *c)
{
	const char *k;
	json_t *v;

	if (!(c->flags & BC_FAMILY))
		return json_object_get(obj, c->name) != NULL;
	json_object_foreach(obj, k, v)
		if (strncmp(k, c->name, strlen(c->name)) == 0)
			return true;
	return false;
}

/*
 * env.json holds what reapbench adds to the context: each of its keys is
 * in the schema, and every key the schema places in env.json or in the
 * context (Google Benchmark's that the report reads too) is there.
 */
RT_TEST(driver_context_keys_match_schema)
{
	json_t *env = smoke_json(BENCH_FILE_ENV);
	json_t *root = smoke_json(BENCH_FILE_JSON), *ctx, *v;
	const char *k;

	ctx = json_object_get(root, "context");
	json_object_foreach(env, k, v) {
		const struct bench_ctx_info *c = bench_ctx_find(k);

		RT_ASSERTF(c != NULL && (c->flags & BC_IN_ENV), "env.json: "
		    "key %s is not in bench_schema.c", k);
		if (c->flags & BC_IN_CONTEXT)
			RT_ASSERTF(json_equal(v, json_object_get(ctx, k)),
			    "env.json and the context differ on %s", k);
	}
	json_object_foreach(json_object_get(env, BENCH_CTX(BC_PINS)), k, v)
		RT_ASSERTF(bench_ctx_find(k) == &bench_ctx_keys[BC_PIN],
		    "env.json: pins.%s is not a pin key", k);
	for (int i = 0; i < BC_NCTX; i++) {
		const struct bench_ctx_info *c = &bench_ctx_keys[i];

		if (c->flags & BC_IN_ENV)
			RT_ASSERTF(has_ctx_key(env, c), "env.json lacks %s",
			    c->name);
		if (c->flags & BC_IN_CONTEXT)
			RT_ASSERTF(has_ctx_key(ctx, c), "the context lacks %s",
			    c->name);
	}
	for (int w = 0; w < BW_NWORKLOADS; w++) {
		char key[64];

		snprintf(key, sizeof(key), "%s%s", BENCH_CTX(BC_LATENCY),
		    bench_workloads[w].name);
		RT_ASSERTF(json_is_string(json_object_get(ctx, key)),
		    "the context lacks %s", key);
	}
	/* Every named stand-in's cost, as a number of ns. */
	for (unsigned i = 0; i < REAP_WORK_NAMES; i++) {
		char key[64];
		const char *s;

		snprintf(key, sizeof(key), "%s%s", BENCH_CTX(BC_WORK_NS),
		    reap_work_name(i));
		s = json_string_value(json_object_get(ctx, key));
		RT_ASSERTF(s != NULL && s[0] >= '0' && s[0] <= '9' &&
		    strspn(s, "0123456789") == strlen(s),
		    "the context's %s is not a number of ns: %s", key,
		    s != NULL ? s : "(missing)");
	}
	json_decref(root);
	json_decref(env);
}

/* One calibrated item for the equalizer: `iters` at `per` ns each. */
static void
eq_item(struct bench_item *it, const char *name, const struct reap_ops *ops,
    uint64_t iters, double per)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->spec.name, sizeof(it->spec.name), "%s", name);
	it->spec.ops = ops;
	it->selected = true;
	it->iters = iters;
	it->per_ns = per;
}

/*
 * Designs of one configuration run the median of their calibrated counts
 * (equal lifecycles, equal latency samples); one too slow for 4x the
 * target runs what fits; native, failed items and other configurations
 * keep their own.
 */
RT_TEST(calibration_equalizes_designs_per_configuration)
{
	const struct reap_ops *h = reap_find("hybrid"), *n = reap_find("netbsd");
	const struct reap_ops *d = reap_find("dragonfly"), *f = reap_find("floor");
	struct bench_item it[8];

	eq_item(&it[0], "churn_shared/hybrid/t:2/pin:compact", h, 400000, 100);
	eq_item(&it[1], "churn_shared/netbsd/t:2/pin:compact", n, 160000, 250);
	eq_item(&it[2], "churn_shared/dragonfly/t:2/pin:compact", d, 40000,
	    1000);
	eq_item(&it[3], "churn_shared/floor/t:2/pin:compact", f, 1000000, 40);
	eq_item(&it[4], "churn_shared/native/t:2/pin:compact", NULL, 300,
	    130000);
	eq_item(&it[5], "churn_shared/hybrid/t:1/pin:compact", h, 20, 2e6);
	eq_item(&it[6], "churn_shared/netbsd/t:1/pin:compact", n, 900, 44444);
	eq_item(&it[7], "join/netbsd/t:2/pin:compact", n, 5000, 8000);
	snprintf(it[7].failed, sizeof(it[7].failed), "skipped");
	run_equalize_iters(it, 8, 0.04, 60);
	/* Median of 40k, 160k, 400k, 1M is 400k; dragonfly fits 160k in
	 * 4 x 40 ms and runs that. */
	RT_ASSERTF(it[0].iters == 400000 && it[1].iters == 400000 &&
	    it[3].iters == 400000, "hybrid %llu netbsd %llu floor %llu",
	    (unsigned long long)it[0].iters, (unsigned long long)it[1].iters,
	    (unsigned long long)it[3].iters);
	RT_ASSERTF(it[2].iters == 160000, "dragonfly %llu, not capped",
	    (unsigned long long)it[2].iters);
	/* It samples 400k/160k times as often; the others as the kernel. */
	RT_ASSERTF(it[2].spec.lat_every == REAP_LAT_SAMPLE * 160 / 400,
	    "dragonfly samples 1 in %u", it[2].spec.lat_every);
	RT_ASSERT(it[0].spec.lat_every == 0 && it[1].spec.lat_every == 0 &&
	    it[3].spec.lat_every == 0 && it[4].spec.lat_every == 0);
	RT_ASSERT(it[4].iters == 300);
	/* t:1: median of {20, 900} is 900; hybrid fits only 80, not 900. */
	RT_ASSERTF(it[6].iters == 900 && it[5].iters == 80, "t:1: %llu %llu",
	    (unsigned long long)it[5].iters, (unsigned long long)it[6].iters);
	RT_ASSERT(it[5].spec.lat_every == REAP_LAT_SAMPLE * 80 / 900);
	RT_ASSERT(it[7].iters == 5000);
}

/* One item of the full matrix: design d, workload w, t threads, pin p. */
static void
plan_item(struct bench_item *it, const struct pin_topo *topo,
    enum bench_workload w, int t, enum pin_policy p)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->spec.name, sizeof(it->spec.name), "%s/hybrid/t:%d/pin:%s",
	    bench_workloads[w].name, t, pin_policy_name(p));
	it->spec.ops = reap_find("hybrid");
	it->spec.wl = w;
	it->spec.threads = t;
	it->spec.pin = p;
	it->spec.topo = topo;
	it->selected = true;
}

/*
 * The full matrix skips a pin whose plan an earlier pin already has here:
 * on one node of two single-PU cores compact and scatter are one plan
 * (scatter skipped, naming compact), none and split are not; on two
 * packages of SMT cores scatter differs from compact from 2 model CPUs.
 */
RT_TEST(full_matrix_runs_each_pin_plan_once)
{
	static const char *shapes[2] = { "pack:1 core:2 pu:1",
	    "pack:2 numa:1 core:2 pu:2" };
	enum pin_policy pins[4] = { PIN_COMPACT, PIN_SCATTER, PIN_SPLIT,
	    PIN_NONE };
	char err[256];

	for (int k = 0; k < 2; k++) {
		struct pin_topo *topo = pin_topo_load(shapes[k], err,
		    sizeof(err));
		struct bench_item it[16];
		int n = 0;

		RT_ASSERTF(topo != NULL, "%s: %s", shapes[k], err);
		for (int t = 1; t <= 2; t++)
			for (int p = 0; p < 4; p++)
				plan_item(&it[n++], topo, BW_CHURN_SHARED, t,
				    pins[p]);
		plan_item(&it[n++], topo, BW_OBSERVERS, 1, PIN_COMPACT);
		plan_item(&it[n++], topo, BW_OBSERVERS, 1, PIN_SCATTER);
		run_dedupe_plans(it, n);
		for (int i = 0; i < n; i++) {
			/* observers at t:1 have 2 model CPUs (their own
			 * reap side): two PUs of a core, or two packages */
			bool dup = it[i].spec.pin == PIN_SCATTER && (k == 0 ||
			    (it[i].spec.threads == 1 &&
			    it[i].spec.wl != BW_OBSERVERS));

			RT_ASSERTF(dup == (it[i].failed[0] != '\0'),
			    "%s: %s: '%s'", shapes[k], it[i].spec.name,
			    it[i].failed);
			if (dup)
				RT_ASSERTF(strstr(it[i].failed, "as pin "
				    "compact does") != NULL, "%s",
				    it[i].failed);
		}
		pin_topo_free(topo);
	}
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
