/*
 * run_context.c - what a run records of itself: the machine, the build,
 * the libraries, the counters, what the numbers mean and where each pin
 * plan put its threads.  Every key goes both into Google Benchmark's JSON
 * "context" and into env.json; bench_schema.h names them all.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <perfmon/pfmlib.h>

#include "driver.h"
#include "gbench.h"
#include "virt.h"

#ifndef BENCH_CC
#define BENCH_CC "cc"
#endif
#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif
#ifndef BENCH_HWLOC_VERSION
#define BENCH_HWLOC_VERSION "?"
#endif
#ifndef BENCH_PFM_VERSION
#define BENCH_PFM_VERSION "?"
#endif

/* One key (member: of a family, else NULL) into the context and env.json. */
static void
ctx(json_t *envj, enum bench_ctx key, const char *member, const char *v)
{
	char *k = xasprintf("%s%s", BENCH_CTX(key), member ? member : "");

	gbench_context(k, v);
	json_object_set_new(envj, k, json_string(v));
	free(k);
}

void
run_ctx(json_t *envj, enum bench_ctx key, const char *v)
{
	ctx(envj, key, NULL, v);
}

static char *
read_line_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* The first len - 1 bytes a shell command prints, trimmed, or NULL if it
 * fails or prints nothing. */
static char *
run_cmd(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (p == NULL)
		return NULL;
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	if (pclose(p) != 0 || n == 0)
		return NULL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

/* Append to buf[*off..len) as snprintf would, never past its end. */
static void __attribute__((format(printf, 4, 5)))
bufcat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*off += (size_t)vsnprintf(buf + *off, *off < len ? len - *off : 0,
	    fmt, ap);
	va_end(ap);
}

/* The source, the compiler, the kernel and the libraries. */
static void
context_build(json_t *envj)
{
	char buf[4096], b2[256];
	struct utsname u;
	int v = pfm_get_version();

	if (run_cmd("git rev-parse HEAD 2>/dev/null", buf, sizeof(buf))) {
		if (run_cmd("git status --porcelain --untracked-files=no "
		    "2>/dev/null | head -1", b2, sizeof(b2)) != NULL)
			strncat(buf, "+dirty", sizeof(buf) - strlen(buf) - 1);
		ctx(envj, BC_GIT_REVISION, NULL, buf);
	} else
		ctx(envj, BC_GIT_REVISION, NULL,
		    "unknown (not a git checkout)");
	snprintf(buf, sizeof(buf), "%s %s", BENCH_CC, __VERSION__);
	ctx(envj, BC_COMPILER, NULL, buf);
	ctx(envj, BC_CFLAGS, NULL, BENCH_CFLAGS);
	if (uname(&u) == 0) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release,
		    u.machine);
		ctx(envj, BC_KERNEL_RELEASE, NULL, buf);
	}
	ctx(envj, BC_GOVERNOR, NULL, read_line_file(
	    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", b2,
	    sizeof(b2)) ? b2 : "unreadable (no cpufreq in this machine)");
	if (read_line_file("/proc/sys/kernel/randomize_va_space", b2,
	    sizeof(b2)) != NULL)
		snprintf(buf, sizeof(buf), "randomize_va_space=%s%s", b2,
		    strcmp(b2, "0") == 0 ? " (off)" : " (on)");
	else
		snprintf(buf, sizeof(buf), "unreadable");
	ctx(envj, BC_ASLR, NULL, buf);
	snprintf(buf, sizeof(buf), "benchmark %s, hwloc %s, libpfm4 %s (API "
	    "%d.%d), jansson %s", gbench_library_version(),
	    BENCH_HWLOC_VERSION, BENCH_PFM_VERSION, PFM_MAJ_VERSION(v),
	    PFM_MIN_VERSION(v), JANSSON_VERSION);
	ctx(envj, BC_LIBRARY_VERSIONS, NULL, buf);
}

/* Which events count here, and why the others do not. */
static void
context_counters(const struct run_opts *o, json_t *envj)
{
	char buf[4096], b2[256];
	struct ctr_set *c;
	size_t off = 0;

	if ((c = ctr_set_create(o->events, b2, sizeof(b2))) == NULL)
		return;
	ctx(envj, BC_PMU_AVAILABLE, NULL, ctr_set_pmu_available(c) ? "yes" :
	    "no");
	snprintf(b2, sizeof(b2), "%d", ctr_set_paranoid());
	ctx(envj, BC_PERF_EVENT_PARANOID, NULL, b2);
	ctx(envj, BC_COUNTER_MODE, NULL, ctr_set_mode(c));
	buf[0] = '\0';
	for (int i = 0; i < ctr_set_nevents(c); i++) {
		const struct ctr_event *e = ctr_set_event(c, i);

		if (!e->available)
			bufcat(buf, sizeof(buf), &off, "%s%s: unavailable: %s",
			    off ? "; " : "", e->name, e->reason);
	}
	ctx(envj, BC_COUNTERS_UNAVAILABLE, NULL, off ? buf : "none");
	off = 0;
	buf[0] = '\0';
	for (int i = 0; i < ctr_set_nevents(c); i++)
		bufcat(buf, sizeof(buf), &off, "%s%s", off ? "," : "",
		    ctr_set_event(c, i)->name);
	ctx(envj, BC_COUNTER_EVENTS, NULL, buf);
	ctr_set_destroy(c);
}

/* What the numbers of bench.json mean. */
static void
context_meaning(json_t *envj)
{
	char buf[128];

	ctx(envj, BC_COUNTER_SCOPE, NULL, "every thread of a run (workers, "
	    "carriers, the design's reaper/taskqueue threads, init's loop, the "
	    "leader), read per thread and summed; *_per_op is per LWP "
	    "lifecycle; teardown/storm count their untimed setup too");
	ctx(envj, BC_TIME, NULL, "manual: wall time of the timed region, from "
	    "the start of the work until everything it created is freed "
	    "(quiesce)");
	ctx(envj, BC_PER_OP, NULL, "ns_per_lifecycle, cpu_ns_per_op, "
	    "*_per_op and *_per_lwp are per LWP (native: per thread) "
	    "lifecycle");
	for (int i = 0; i < BW_NWORKLOADS; i++) {
		const struct bench_workload_info *wi = &bench_workloads[i];
		char what[1024];

		snprintf(what, sizeof(what), "%s%s%s", wi->latency,
		    wi->freed != NULL ? "; " : "", wi->freed != NULL ?
		    wi->freed : "");
		ctx(envj, BC_LATENCY, wi->name, what);
		ctx(envj, BC_ITERATION, wi->name, wi->op);
		if (wi->native != NULL) {
			snprintf(what, sizeof(what), "native.%s", wi->name);
			ctx(envj, BC_LATENCY, what, wi->native);
		}
	}
	snprintf(buf, sizeof(buf), "%d processes x %d LWPs",
	    BENCH_STORM_PROCS, BENCH_STORM_LWPS);
	ctx(envj, BC_STORM_SHAPE, NULL, buf);
	ctx(envj, BC_REAPER_CPU_SHARE, NULL, "CPU time of the design's own "
	    "threads (ops->sys_threads and threads bound through "
	    "reap_config.bind) / process CPU time, over the timed parts");
}

void
run_context(const struct run_opts *o, const struct pin_topo *topo,
    json_t *envj)
{
	char buf[4096];
	const char *note = pin_membind_note() != NULL ?
	    pin_membind_note() : pin_membind_expect(topo);
	size_t off = 0;

	pin_topo_summary(topo, buf, sizeof(buf));
	ctx(envj, BC_TOPOLOGY, NULL, buf);
	ctx(envj, BC_VIRTUALIZATION, NULL, virt_detect()->summary);
	ctx(envj, BC_TIMINGS_EMULATED, NULL,
	    virt_timings_emulated(virt_detect()));
	context_build(envj);
	context_counters(o, envj);
	context_meaning(envj);
	ctx(envj, BC_MATRIX, NULL, o->matrix);
	ctx(envj, BC_MEMBIND, NULL, note ? note : "per-CPU data bound to the "
	    "CPU's NUMA node");
	for (int i = 0; i < main_argc; i++)
		bufcat(buf, sizeof(buf), &off, "%s%s", i ? " " : "",
		    main_argv[i]);
	ctx(envj, BC_REAPBENCH_CMDLINE, NULL, buf);
}

/* "cpu0:PU0/seen0 cpu1:PU1/seen1": where env's threads were planned and
 * where sched_getcpu() saw them. */
static void
pins_seen(const struct bench_env *env, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < env->npins; i++)
		bufcat(buf, len, &off, "%scpu%d:PU%d/seen%d", i ? " " : "",
		    env->pins[i].cpu, env->pins[i].planned, env->pins[i].seen);
}

/* Open the environment of (policy, threads) and bind a probe thread to
 * each of its model CPUs; the key and value of what they saw. */
static void
pins_probe(const struct run_opts *o, const struct pin_topo *topo, int p,
    int t, char *key, size_t klen, char *val, size_t vlen, bool *over)
{
	struct bench_spec s = { .threads = o->threads[t], .pin = o->pins[p],
	    .topo = topo, .no_counters = true };
	struct bench_env *env = xcalloc(1, sizeof(*env));
	struct bench_pool *pool;
	int cpus[512];

	if (bench_env_open(env, &s) != 0 && env->skipped) {
		/* The plan does not fit: the runs record the reason too. */
		snprintf(key, klen, "%s%s.t%d", BENCH_CTX(BC_PIN),
		    pin_policy_name(s.pin), s.threads);
		snprintf(val, vlen, "%s", env->error);
		*over = false;
		free(env);
		return;
	}
	if (env->error[0] != '\0') {
		fprintf(stderr, "reapbench: plan %s/%d: %s\n",
		    pin_policy_name(s.pin), s.threads, env->error);
		exit(1);
	}
	for (int c = 0; c < env->ncpus && c < 512; c++)
		cpus[c] = c;
	pool = bench_pool_create(env, env->ncpus < 512 ? env->ncpus : 512,
	    cpus, "probe");
	if (pool == NULL || env->bind_errors > 0) {
		fprintf(stderr, "reapbench: %s\n", env->error);
		exit(1);
	}
	snprintf(key, klen, "%s%s.cpus%d", BENCH_CTX(BC_PIN),
	    pin_policy_name(s.pin), env->ncpus);
	pins_seen(env, val, vlen);
	*over = env->plan.oversubscribed;
	bench_pool_destroy(pool);
	bench_env_close(env);
	free(env);
}

void
run_context_pins(const struct run_opts *o, const struct pin_topo *topo,
    json_t *envj)
{
	json_t *plans = json_object();
	char overwhat[512] = "", key[64], val[2048];
	size_t off = 0;
	bool over;

	for (int p = 0; p < o->npins; p++)
		for (int t = 0; t < o->nthreads; t++) {
			pins_probe(o, topo, p, t, key, sizeof(key), val,
			    sizeof(val), &over);
			if (over)
				bufcat(overwhat, sizeof(overwhat), &off, "%s%s",
				    off ? " " : "", key + strlen(BENCH_CTX(
				    BC_PIN)));
			gbench_context(key, val);
			json_object_set_new(plans, key, json_string(val));
		}
	ctx(envj, BC_OVERSUBSCRIBED, NULL, off ? overwhat : "no");
	json_object_set_new(envj, BENCH_CTX(BC_PINS), plans);
}
