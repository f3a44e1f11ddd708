/*
 * reapbench.c - the driver.
 *
 *   reapbench list                      designs, variants, workloads,
 *                                       policies, counter events here
 *   reapbench run [options] [--benchmark_*=...]
 *   reapbench plan [--topology SPEC] [--pin P] [--cpus N]
 *   reapbench report ... | pick ...     (report/)
 *   reapbench torture ...               exec the torture tool
 *
 * Bad input (unknown design/workload/policy/event, threads < 1, an --out
 * whose parent is missing) is one line on stderr and exit status 2.
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>
#include <perfmon/pfmlib.h>

#include "bench.h"
#include "gbench.h"

#if defined(__has_include)
#if __has_include("report.h")
#include "report.h"
#define BENCH_HAVE_REPORT 1
#endif
#endif

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

#define EXIT_USAGE	2
#define CALL_TIMEOUT_S	300

static const char *progname = "reapbench";
static int g_argc;		/* the whole command line, for the records */
static char **g_argv;

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: reapbench list\n"
	    "       reapbench run [--design D,..] [--workload W,..] "
	    "[--threads N,..] [--pin P,..]\n"
	    "                     [--repetitions R] [--events E,..] "
	    "[--out DIR] [--matrix default|full|smoke]\n"
	    "                     [--topology SPEC (print the plans only)] "
	    "[--benchmark_*=...]\n"
	    "       reapbench plan [--topology SPEC] [--pin P] [--cpus N]\n"
	    "       reapbench report ... | reapbench pick ...\n"
	    "       reapbench torture [args]\n");
}

/* ---- small helpers ------------------------------------------------------ */

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

/* Split a comma list into at most max strdup'd items; returns count. */
static int
split_csv(const char *s, char **out, int max)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int n = 0;

	if (copy == NULL)
		abort();
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			usage_error("too many items in '%s'", s);
		out[n++] = strdup(tok);
	}
	free(copy);
	return n;
}

static int
parse_int(const char *opt, const char *s, int lo)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > 100000)
		usage_error("%s %s: expected a whole number >= %d", opt, s, lo);
	return (int)v;
}

/* ---- list ----------------------------------------------------------------- */

static bool
is_variant(const char *name)
{
	const char *dash = strchr(name, '-');
	char base[64];

	if (dash == NULL || (size_t)(dash - name) >= sizeof(base))
		return false;
	memcpy(base, name, (size_t)(dash - name));
	base[dash - name] = '\0';
	return reap_find(base) != NULL;
}

static int
cmd_list(int argc, char **argv)
{
	char err[256];
	struct ctr_set *c;

	(void)argv;
	if (argc > 1)
		usage_error("list takes no arguments");
	printf("designs:\n");
	for (int i = 0; reap_designs[i] != NULL; i++) {
		const struct reap_ops *o = reap_designs[i];

		printf("  %-16s %s%s\n", o->name,
		    is_variant(o->name) ? "[variant] " : "",
		    o->about != NULL ? o->about : "");
		for (const struct reap_mutant *m = o->mutants;
		    m != NULL && m->name != NULL; m++)
			printf("  %-16s   mutant %s (test builds only): %s\n",
			    "", m->name, m->what);
	}
	printf("  %-16s the OS's own pthreads (reference)\n", "native");
	printf("workloads:\n");
	for (int i = 0; i < BW_NWORKLOADS; i++)
		printf("  %-16s %s%s\n", bench_workloads[i].name,
		    bench_workloads[i].about,
		    bench_workloads[i].native ? " [+native]" : "");
	printf("  %-16s teardown sizes T:", "");
	for (int i = 0; bench_teardown_sizes[i] != 0; i++)
		printf(" %d", bench_teardown_sizes[i]);
	printf("; storm %d x %d\n", BENCH_STORM_PROCS, BENCH_STORM_LWPS);
	printf("  %-16s the wrapper's per-iteration overhead\n", "empty");
	printf("pin policies:");
	for (int i = 0; i < PIN_NPOLICIES; i++)
		printf(" %s", pin_policy_name((enum pin_policy)i));
	printf("\nmatrices: default, full, smoke\n");
	printf("counter events on this machine (perf_event_paranoid=%d):\n",
	    ctr_set_paranoid());
	if ((c = ctr_set_create(NULL, err, sizeof(err))) != NULL) {
		for (int i = 0; i < ctr_set_nevents(c); i++) {
			const struct ctr_event *e = ctr_set_event(c, i);

			printf("  %-16s %s%s%s\n", e->name,
			    e->hw ? "hardware " : "software ",
			    e->available ? "available" : "unavailable: ",
			    e->available ? "" : e->reason);
		}
		printf("  mode: %s\n", ctr_set_mode(c));
		ctr_set_destroy(c);
	} else
		printf("  (cannot open counters: %s)\n", err);
	printf("libpfm4 events (--events takes any of them):\n");
	fflush(stdout);
	ctr_set_list(stdout);
	return 0;
}

/* ---- plan ----------------------------------------------------------------- */

static int
cmd_plan(int argc, char **argv)
{
	const char *topo_spec = NULL, *pin = NULL;
	enum pin_policy want = PIN_COMPACT;
	int cpus = 0;
	char err[256];
	struct pin_topo *topo;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--topology") == 0 && i + 1 < argc)
			topo_spec = argv[++i];
		else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc)
			pin = argv[++i];
		else if (strcmp(argv[i], "--cpus") == 0 && i + 1 < argc)
			cpus = parse_int("--cpus", argv[++i], 1);
		else
			usage_error("plan: unknown or incomplete option '%s' "
			    "(see 'reapbench --help')", argv[i]);
	}
	if (pin != NULL && pin_policy_parse(pin, &want) != 0)
		usage_error("unknown pin policy '%s' (compact, scatter, split, "
		    "none)", pin);
	if ((topo = pin_topo_load(topo_spec, err, sizeof(err))) == NULL)
		usage_error("--topology %s: %s", topo_spec ? topo_spec :
		    "(this machine)", err);
	if (cpus == 0)
		cpus = pin_topo_npus(topo);
	{
		char sum[256];

		pin_topo_summary(topo, sum, sizeof(sum));
		printf("topology: %s\n", sum);
	}
	for (int p = 0; p < PIN_NPOLICIES; p++) {
		enum pin_policy pol = (enum pin_policy)p;
		struct pin_plan plan;

		if (pin != NULL && want != pol)
			continue;
		if (pin_plan_make(topo, pol, cpus, &plan, err,
		    sizeof(err)) != 0)
			usage_error("plan %s: %s", pin_policy_name(pol),
			    err);
		printf("\npolicy %s, %d model cpus:\n",
		    pin_policy_name(pol), cpus);
		pin_plan_print(topo, &plan, stdout);
		pin_plan_free(&plan);
	}
	pin_topo_free(topo);
	return 0;
}

/* ---- run ------------------------------------------------------------------ */

struct run_opts {
	char	*designs[64];
	int	ndesigns;
	enum bench_workload wls[BW_NWORKLOADS];
	int	nwls;
	int	threads[64];
	int	nthreads;
	enum pin_policy pins[PIN_NPOLICIES];
	int	npins;
	int	reps;
	const char *events;
	const char *out;
	const char *matrix;
	const char *topology;
	char	**gbargs;		/* pass-through --benchmark_* */
	int	ngbargs;
	bool	user_min_time, user_reps, list_tests;
	const char *user_filter;
	double	target_s;		/* calibrated time per call */
};

static const struct reap_ops *
design_lookup(const char *name)
{
	return reap_find(name);
}

static void
run_parse(int argc, char **argv, struct run_opts *o)
{
	const char *designs = NULL, *wls = NULL, *threads = NULL, *pins = NULL;
	int reps = 0;

	memset(o, 0, sizeof(*o));
	o->matrix = "default";
	o->out = "results";
	o->gbargs = calloc((size_t)argc + 1, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define OPT(name, var) \
		if (strcmp(a, name) == 0) { \
			if (v == NULL) \
				usage_error("%s needs a value", name); \
			var = v; i++; continue; \
		}
		OPT("--design", designs);
		OPT("--workload", wls);
		OPT("--threads", threads);
		OPT("--pin", pins);
		OPT("--events", o->events);
		OPT("--out", o->out);
		OPT("--matrix", o->matrix);
		OPT("--topology", o->topology);
		if (strcmp(a, "--repetitions") == 0) {
			if (v == NULL)
				usage_error("--repetitions needs a value");
			reps = parse_int("--repetitions", v, 1);
			i++;
			continue;
		}
#undef OPT
		if (strncmp(a, "--benchmark_", 12) == 0) {
			if (strncmp(a, "--benchmark_out", 15) == 0)
				usage_error("%s: reapbench writes the JSON into "
				    "the results folder itself (use --out)", a);
			if (strncmp(a, "--benchmark_min_time", 20) == 0)
				o->user_min_time = true;
			if (strncmp(a, "--benchmark_repetitions=", 24) == 0) {
				reps = parse_int("--benchmark_repetitions",
				    a + 24, 1);
				continue;
			}
			if (strncmp(a, "--benchmark_filter=", 19) == 0)
				o->user_filter = a + 19;
			if (strncmp(a, "--benchmark_list_tests", 22) == 0)
				o->list_tests = strcmp(a + 22, "=false") != 0;
			o->gbargs[o->ngbargs++] = argv[i];
			continue;
		}
		usage_error("run: unknown option '%s' (see 'reapbench --help')",
		    a);
	}

	if (strcmp(o->matrix, "default") == 0) {
		o->reps = 5;
		o->target_s = 0.04;
	} else if (strcmp(o->matrix, "full") == 0) {
		o->reps = 10;
		o->target_s = 0.15;
	} else if (strcmp(o->matrix, "smoke") == 0) {
		o->reps = 1;
		o->target_s = 0;
	} else
		usage_error("--matrix %s: expected default, full or smoke",
		    o->matrix);
	if (reps > 0)
		o->reps = reps;

	if (designs != NULL) {
		o->ndesigns = split_csv(designs, o->designs, 64);
		for (int i = 0; i < o->ndesigns; i++)
			if (strcmp(o->designs[i], "native") != 0 &&
			    design_lookup(o->designs[i]) == NULL)
				usage_error("unknown design '%s' (see "
				    "'reapbench list')", o->designs[i]);
	} else {
		for (int i = 0; reap_designs[i] != NULL && i < 63; i++)
			o->designs[o->ndesigns++] =
			    strdup(reap_designs[i]->name);
		o->designs[o->ndesigns++] = strdup("native");
	}
	if (wls != NULL) {
		char *w[BW_NWORKLOADS + 8];
		int n = split_csv(wls, w, BW_NWORKLOADS + 8);

		for (int i = 0; i < n; i++) {
			if (bench_workload_parse(w[i], &o->wls[o->nwls]) != 0)
				usage_error("unknown workload '%s' (see "
				    "'reapbench list')", w[i]);
			o->nwls++;
			free(w[i]);
		}
	} else {
		for (int i = 0; i < BW_NWORKLOADS; i++)
			o->wls[o->nwls++] = (enum bench_workload)i;
	}
	if (pins != NULL) {
		char *p[8];
		int n = split_csv(pins, p, 8);

		for (int i = 0; i < n; i++) {
			if (pin_policy_parse(p[i], &o->pins[o->npins]) !=
			    0)
				usage_error("unknown pin policy '%s' (compact, "
				    "scatter, split, none)", p[i]);
			o->npins++;
			free(p[i]);
		}
	}
	if (threads != NULL) {
		char *t[64];
		int n = split_csv(threads, t, 64);

		for (int i = 0; i < n; i++) {
			o->threads[o->nthreads++] = parse_int("--threads",
			    t[i], 1);
			free(t[i]);
		}
	}
	if (o->events != NULL) {
		char err[256];
		struct ctr_set *c = ctr_set_create(o->events, err,
		    sizeof(err));

		if (c == NULL)
			usage_error("--events %s: %s (see 'reapbench list')",
			    o->events, err);
		ctr_set_destroy(c);
	}
}

/* Matrix defaults for what the options left open. */
static void
run_matrix(struct run_opts *o, int npus)
{
	bool full = strcmp(o->matrix, "full") == 0;
	bool smoke = strcmp(o->matrix, "smoke") == 0;

	if (o->npins == 0) {
		if (full) {
			for (int i = 0; i < PIN_NPOLICIES; i++)
				o->pins[o->npins++] = (enum pin_policy)i;
		} else {
			o->pins[o->npins++] = PIN_COMPACT;
			if (!smoke)
				o->pins[o->npins++] = PIN_SPLIT;
		}
	}
	if (o->nthreads == 0) {
		o->threads[o->nthreads++] = 1;
		if (full) {
			/* Powers of two up to the PUs, the PUs, and one
			 * oversubscribed point. */
			for (int t = 2; t < npus; t *= 2)
				o->threads[o->nthreads++] = t;
			if (npus > 1)
				o->threads[o->nthreads++] = npus;
			o->threads[o->nthreads++] = 2 * npus;
		} else if (!smoke)
			o->threads[o->nthreads++] = 2;
	}
}

/* The tiny fixed sizes of the smoke matrix. */
static uint64_t
smoke_iters(const struct bench_spec *s)
{
	switch (s->wl) {
	case BW_TEARDOWN:
		return 3;
	case BW_STORM:
		return 2;
	case BW_JOIN:
		return 32;
	default:
		return 64;
	}
}

static void
add_item(struct bench_reg *reg, int *cap, const struct bench_spec *s)
{
	if (reg->nitems == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		reg->items = realloc(reg->items, sizeof(*reg->items) *
		    (size_t)*cap);
		if (reg->items == NULL)
			abort();
	}
	memset(&reg->items[reg->nitems], 0, sizeof(reg->items[0]));
	reg->items[reg->nitems].spec = *s;
	reg->nitems++;
}

static void
build_items(struct run_opts *o, const struct pin_topo *topo,
    struct bench_reg *reg)
{
	int cap = 0;
	struct bench_spec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "empty");
	add_item(reg, &cap, &s);
	reg->items[0].empty = true;
	reg->items[0].iters = strcmp(o->matrix, "smoke") == 0 ? 100000 :
	    20000000;

	for (int w = 0; w < o->nwls; w++) {
		const struct bench_workload_info *wi = &bench_workloads[o->wls[w]];

		for (int d = 0; d < o->ndesigns; d++) {
			bool native = strcmp(o->designs[d], "native") == 0;

			if (native && !wi->native)
				continue;
			for (int t = 0; t < o->nthreads; t++) {
				for (int p = 0; p < o->npins; p++) {
					memset(&s, 0, sizeof(s));
					s.wl = o->wls[w];
					s.ops = native ? NULL :
					    design_lookup(o->designs[d]);
					s.threads = o->threads[t];
					s.pin = o->pins[p];
					s.topo = topo;
					s.events = o->events;
					if (s.wl == BW_STORM) {
						s.procs = BENCH_STORM_PROCS;
						s.lwps = BENCH_STORM_LWPS;
						snprintf(s.name, sizeof(s.name),
						    "storm/%s/t:%d/pin:%s",
						    o->designs[d], s.threads,
						    pin_policy_name(s.pin));
						add_item(reg, &cap, &s);
						continue;
					}
					if (s.wl != BW_TEARDOWN) {
						snprintf(s.name, sizeof(s.name),
						    "%s/%s/t:%d/pin:%s", wi->name,
						    o->designs[d], s.threads,
						    pin_policy_name(s.pin));
						add_item(reg, &cap, &s);
						continue;
					}
					for (int k = 0; bench_teardown_sizes[k];
					    k++) {
						s.lwps = bench_teardown_sizes[k];
						if (strcmp(o->matrix, "smoke") == 0 &&
						    s.lwps > 16)
							continue;
						snprintf(s.name, sizeof(s.name),
						    "teardown/%s/T:%d/t:%d/pin:%s",
						    o->designs[d], s.lwps,
						    s.threads,
						    pin_policy_name(s.pin));
						add_item(reg, &cap, &s);
					}
				}
			}
		}
	}
}

/* Which items --benchmark_filter selects (Google Benchmark's own rule:
 * POSIX extended regex, a leading '-' negates). */
static void
apply_filter(struct run_opts *o, struct bench_reg *reg)
{
	const char *f = o->user_filter;
	bool neg = false;
	regex_t re;

	for (int i = 0; i < reg->nitems; i++)
		reg->items[i].selected = true;
	if (f == NULL || strcmp(f, "all") == 0 || strcmp(f, ".") == 0)
		return;
	if (*f == '-') {
		neg = true;
		f++;
	}
	if (regcomp(&re, f, REG_EXTENDED | REG_NOSUB) != 0)
		usage_error("--benchmark_filter=%s: not a regular expression",
		    o->user_filter);
	for (int i = 0; i < reg->nitems; i++) {
		bool m = regexec(&re, reg->items[i].spec.name, 0, NULL, 0) == 0;

		reg->items[i].selected = neg ? !m : m;
	}
	regfree(&re);
}

static void
calibrate(struct run_opts *o, struct bench_reg *reg)
{
	bool smoke = strcmp(o->matrix, "smoke") == 0;
	int n = 0, k = 0;

	for (int i = 0; i < reg->nitems; i++)
		if (reg->items[i].selected && !reg->items[i].empty)
			n++;
	if (!smoke && n > 0)
		fprintf(stderr, "calibrating %d benchmarks (%.0f ms of work "
		    "per call)\n", n, o->target_s * 1e3);
	for (int i = 0; i < reg->nitems; i++) {
		struct bench_item *it = &reg->items[i];
		struct bench_result *r;
		uint64_t c0, t0, wall, lo, hi, iters;
		double per;
		bool rounds;
		int rc;

		if (it->empty || !it->selected)
			continue;
		if (smoke) {
			it->iters = smoke_iters(&it->spec);
			continue;
		}
		if ((r = calloc(1, sizeof(*r))) == NULL)
			abort();
		k++;
		rounds = it->spec.wl == BW_TEARDOWN || it->spec.wl == BW_STORM;
		/* Probe with growing sizes until the call means something
		 * (a slow design stops at the first). */
		for (c0 = rounds ? (it->spec.lwps >= 64 ? 1 : 2) :
		    it->spec.wl == BW_JOIN ? 32 : 64;; c0 *= 4) {
			t0 = bench_now_ns();
			alarm(CALL_TIMEOUT_S);
			rc = bench_run(&it->spec, c0, r);
			alarm(0);
			wall = bench_now_ns() - t0;
			if (rc == BENCH_SKIPPED)
				break;	/* reg_bench records why */
			if (rc != 0) {
				fprintf(stderr, "reapbench: %s: %s\n",
				    it->spec.name, r->error);
				_exit(1);
			}
			bench_result_free(r);
			if (wall >= 25000000 || r->region_ns >= 10000000 ||
			    c0 >= 65536)
				break;
		}
		/*
		 * Rounds (teardown, storm) have untimed setup in every
		 * iteration: size them by the whole call's wall time so the
		 * run stays near its budget.  The others have setup once per
		 * call: size them by the timed region.
		 */
		per = rounds ? (double)wall / (double)c0 :
		    (double)r->region_ns / (double)c0;
		lo = rounds ? 3 : 16;
		hi = rounds ? 2000 : 5000000;
		iters = (uint64_t)(o->target_s * 1e9 / (per > 1 ? per : 1));
		it->iters = iters < lo ? lo : iters > hi ? hi : iters;
		if (k % 20 == 0)
			fprintf(stderr, "  calibrated %d/%d\n", k, n);
		free(r);
	}
}

/* Per (policy, ncpus) of the matrix: where each model CPU's thread was
 * planned and where sched_getcpu() saw it, recorded by the thread. */
static void
context_pins(struct run_opts *o, const struct pin_topo *topo,
    json_t *envj)
{
	json_t *plans = json_object();
	bool over = false;
	char overwhat[512] = "";

	for (int p = 0; p < o->npins; p++) {
		for (int t = 0; t < o->nthreads; t++) {
			struct bench_spec s;
			struct bench_env *env = calloc(1, sizeof(*env));
			struct bench_pool *pool;
			char key[64], val[2048];
			size_t off = 0;
			int cpus[512];

			memset(&s, 0, sizeof(s));
			s.threads = o->threads[t];
			s.pin = o->pins[p];
			s.topo = topo;
			s.no_counters = true;
			if (env != NULL && bench_env_open(env, &s) != 0 &&
			    env->skipped) {	/* the runs record it too */
				snprintf(key, sizeof(key), "pin.%s.t%d",
				    pin_policy_name(s.pin), s.threads);
				gbench_context(key, env->error);
				json_object_set_new(plans, key,
				    json_string(env->error));
				free(env);
				continue;
			}
			if (env == NULL || env->error[0] != '\0') {
				fprintf(stderr, "reapbench: plan %s/%d: %s\n",
				    pin_policy_name(s.pin), s.threads,
				    env ? env->error : "no memory");
				exit(1);
			}
			for (int c = 0; c < env->ncpus && c < 512; c++)
				cpus[c] = c;
			pool = bench_pool_create(env, env->ncpus < 512 ?
			    env->ncpus : 512, cpus, "probe");
			if (pool == NULL || env->bind_errors > 0) {
				fprintf(stderr, "reapbench: %s\n", env->error);
				exit(1);
			}
			snprintf(key, sizeof(key), "pin.%s.cpus%d",
			    pin_policy_name(s.pin), env->ncpus);
			for (int i = 0; i < env->npins; i++)
				off += (size_t)snprintf(val + off, off <
				    sizeof(val) ? sizeof(val) - off : 0,
				    "%scpu%d:PU%d/seen%d", i ? " " : "",
				    env->pins[i].cpu, env->pins[i].planned,
				    env->pins[i].seen);
			if (env->plan.oversubscribed) {
				over = true;
				snprintf(overwhat + strlen(overwhat),
				    sizeof(overwhat) - strlen(overwhat),
				    "%s%s", overwhat[0] ? " " : "", key + 4);
			}
			gbench_context(key, val);
			json_object_set_new(plans, key, json_string(val));
			bench_pool_destroy(pool);
			bench_env_close(env);
			free(env);
		}
	}
	gbench_context("oversubscribed", over ? overwhat : "no");
	json_object_set_new(envj, "pins", plans);
	json_object_set_new(envj, "oversubscribed", json_string(over ?
	    overwhat : "no"));
}

static void
ctx(json_t *envj, const char *k, const char *v)
{
	gbench_context(k, v);
	json_object_set_new(envj, k, json_string(v));
}

static void
context_all(struct run_opts *o, const struct pin_topo *topo, json_t *envj,
    int argc, char **argv)
{
	char buf[4096], b2[256];
	struct utsname u;
	struct ctr_set *c;
	int v = pfm_get_version();

	pin_topo_summary(topo, buf, sizeof(buf));
	ctx(envj, "topology", buf);
	if (run_cmd("git rev-parse HEAD 2>/dev/null", buf, sizeof(buf))) {
		char dirty[64];

		if (run_cmd("git status --porcelain --untracked-files=no "
		    "2>/dev/null | head -1", dirty, sizeof(dirty)) != NULL)
			strncat(buf, "+dirty", sizeof(buf) - strlen(buf) - 1);
		ctx(envj, "git_revision", buf);
	} else
		ctx(envj, "git_revision", "unknown (not a git checkout)");
	snprintf(buf, sizeof(buf), "%s %s", BENCH_CC, __VERSION__);
	ctx(envj, "compiler", buf);
	ctx(envj, "cflags", BENCH_CFLAGS);
	if (uname(&u) == 0) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release,
		    u.machine);
		ctx(envj, "kernel_release", buf);
	}
	ctx(envj, "governor", read_line_file(
	    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", b2,
	    sizeof(b2)) ? b2 : "unreadable (no cpufreq in this machine)");
	if (read_line_file("/proc/sys/kernel/randomize_va_space", b2,
	    sizeof(b2)) != NULL)
		snprintf(buf, sizeof(buf), "randomize_va_space=%s%s", b2,
		    strcmp(b2, "0") == 0 ? " (off)" : " (on)");
	else
		snprintf(buf, sizeof(buf), "unreadable");
	ctx(envj, "aslr", buf);
	snprintf(buf, sizeof(buf), "benchmark %s, hwloc %s, libpfm4 %s (API "
	    "%d.%d), jansson %s", gbench_library_version(),
	    BENCH_HWLOC_VERSION, BENCH_PFM_VERSION, PFM_MAJ_VERSION(v),
	    PFM_MIN_VERSION(v), JANSSON_VERSION);
	ctx(envj, "library_versions", buf);

	if ((c = ctr_set_create(o->events, b2, sizeof(b2))) != NULL) {
		size_t off = 0;

		buf[0] = '\0';
		ctx(envj, "pmu_available", ctr_set_pmu_available(c) ?
		    "yes" : "no");
		snprintf(b2, sizeof(b2), "%d", ctr_set_paranoid());
		ctx(envj, "perf_event_paranoid", b2);
		ctx(envj, "counter_mode", ctr_set_mode(c));
		for (int i = 0; i < ctr_set_nevents(c); i++) {
			const struct ctr_event *e = ctr_set_event(c, i);

			if (e->available)
				continue;
			off += (size_t)snprintf(buf + off, off < sizeof(buf) ?
			    sizeof(buf) - off : 0, "%s%s: unavailable: %s",
			    off ? "; " : "", e->name, e->reason);
		}
		ctx(envj, "counters_unavailable", off ? buf : "none");
		off = 0;
		buf[0] = '\0';
		for (int i = 0; i < ctr_set_nevents(c); i++)
			off += (size_t)snprintf(buf + off, off < sizeof(buf) ?
			    sizeof(buf) - off : 0, "%s%s", off ? "," : "",
			    ctr_set_event(c, i)->name);
		ctx(envj, "counter_events", buf);
		ctr_set_destroy(c);
	}
	ctx(envj, "counter_scope", "every thread of a run (workers, "
	    "carriers, the design's reaper/taskqueue threads, init's loop, the "
	    "leader), read per thread and summed; *_per_op is per LWP "
	    "lifecycle; teardown/storm count their untimed setup too");
	ctx(envj, "time", "manual: wall time of the timed region, from the "
	    "start of the work until everything it created is freed "
	    "(quiesce)");
	ctx(envj, "per_op", "ns_per_lifecycle, cpu_ns_per_op, *_per_op and "
	    "*_per_lwp are per LWP (native: per thread) lifecycle");
	for (int i = 0; i < BW_NWORKLOADS; i++) {
		char k[64];

		snprintf(k, sizeof(k), "latency.%s", bench_workloads[i].name);
		ctx(envj, k, bench_workloads[i].latency);
		snprintf(k, sizeof(k), "iteration.%s", bench_workloads[i].name);
		ctx(envj, k, bench_workloads[i].op);
	}
	ctx(envj, "latency.native", "churn_shared: create -> thread function "
	    "returned; join: return -> pthread_join returned; teardown/storm: "
	    "bell -> last join of the group");
	snprintf(buf, sizeof(buf), "%d processes x %d LWPs", BENCH_STORM_PROCS,
	    BENCH_STORM_LWPS);
	ctx(envj, "storm_shape", buf);
	ctx(envj, "matrix", o->matrix);
	ctx(envj, "reaper_cpu_share", "CPU time of the design's own threads "
	    "(ops->sys_threads and threads bound through reap_config.bind) / "
	    "process CPU time, over the timed parts");
	{
		const char *note = pin_membind_note();

		ctx(envj, "membind", note ? note : "per-CPU data bound to the "
		    "CPU's NUMA node");
	}
	{
		size_t off = 0;

		for (int i = 0; i < argc; i++)
			off += (size_t)snprintf(buf + off, off < sizeof(buf) ?
			    sizeof(buf) - off : 0, "%s%s", i ? " " : "",
			    argv[i]);
		ctx(envj, "reapbench_cmdline", buf);
	}
}

static void
write_latency(struct bench_results *res, struct bench_reg *reg)
{
	char path[4200], idx[4200];
	FILE *ix;

	bench_results_path(res, "latency/index.tsv", idx, sizeof(idx));
	if ((ix = fopen(idx, "w")) == NULL)
		return;
	fprintf(ix, "# benchmark\tfile\tsamples\n");
	for (int i = 0; i < reg->nitems; i++) {
		struct bench_item *it = &reg->items[i];
		char fn[256], rel[300];
		FILE *f;

		if (it->merged.count == 0)
			continue;
		bench_sanitise(it->spec.name, fn, sizeof(fn));
		snprintf(rel, sizeof(rel), "latency/%s.dat", fn);
		bench_results_path(res, rel, path, sizeof(path));
		if ((f = fopen(path, "w")) == NULL)
			continue;
		fprintf(f, "# %s: %s\n# upper_bound_ns cumulative_fraction\n",
		    it->spec.name, it->spec.ops == NULL ? "native" :
		    bench_workloads[it->spec.wl].latency);
		bench_hist_write(&it->merged, f);
		fclose(f);
		fprintf(ix, "%s\t%s.dat\t%llu\n", it->spec.name, fn,
		    (unsigned long long)it->merged.count);
	}
	fclose(ix);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, int n)
{
	double s[BENCH_REG_MAXREPS];

	if (n == 0)
		return -1;
	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Churn and teardown side by side, the wrapper's overhead, reaper share. */
static void
summary(struct run_opts *o, struct bench_reg *reg, FILE *f)
{
	double cheapest = -1, empty = -1;
	const char *cheapest_name = "";

	fprintf(f, "\nsummary: median ns per LWP lifecycle "
	    "(reaper CPU share)\n");
	fprintf(f, "%-44s", "benchmark \\ design");
	for (int d = 0; d < o->ndesigns; d++)
		fprintf(f, " %18s", o->designs[d]);
	fputc('\n', f);
	for (int i = 0; i < reg->nitems; i++) {
		struct bench_item *it = &reg->items[i];
		char row[160], *p;
		bool first = true;

		if (it->empty) {
			empty = median(it->ns, it->nreps);
			continue;
		}
		if (it->nreps > 0 && it->spec.ops != NULL) {
			double m = median(it->ns, it->nreps);

			if (cheapest < 0 || m < cheapest) {
				cheapest = m;
				cheapest_name = it->spec.name;
			}
		}
		/* One row per benchmark name with the design blanked out:
		 * print it at the first design's item only. */
		snprintf(row, sizeof(row), "%s", it->spec.name);
		if ((p = strchr(row, '/')) == NULL)
			continue;
		for (int k = 0; k < i; k++) {
			char r2[160], *q;

			snprintf(r2, sizeof(r2), "%s", reg->items[k].spec.name);
			if ((q = strchr(r2, '/')) == NULL)
				continue;
			if (strncmp(r2, row, (size_t)(p - row)) == 0 &&
			    strcmp(strchr(q + 1, '/') ? strchr(q + 1, '/') : "",
			    strchr(p + 1, '/') ? strchr(p + 1, '/') : "") == 0)
				first = false;
		}
		if (!first)
			continue;
		{
			char label[160];
			const char *rest = strchr(p + 1, '/');

			snprintf(label, sizeof(label), "%.*s%s",
			    (int)(p - row), row, rest ? rest : "");
			fprintf(f, "%-44s", label);
			for (int d = 0; d < o->ndesigns; d++) {
				char want[160];
				struct bench_item *x;

				snprintf(want, sizeof(want), "%.*s/%s%s",
				    (int)(p - row), row, o->designs[d],
				    rest ? rest : "");
				x = bench_reg_find(reg, want);
				if (x == NULL || x->nreps == 0) {
					fprintf(f, " %18s", "-");
					continue;
				}
				if (median(x->share, x->nreps) >= 0)
					fprintf(f, " %11.0f (%3.0f%%)",
					    median(x->ns, x->nreps), 100 *
					    median(x->share, x->nreps));
				else
					fprintf(f, " %18.0f",
					    median(x->ns, x->nreps));
			}
			fputc('\n', f);
		}
	}
	if (empty >= 0 && cheapest > 0)
		fprintf(f, "\nwrapper overhead: %.2f ns (CPU) per iteration "
		    "(empty) = %.2f%% of the cheapest operation (%s, %.0f "
		    "ns)%s\n", empty,
		    100 * empty / cheapest, cheapest_name, cheapest,
		    empty / cheapest < 0.05 ? "" : "  ** over the 5% budget **");
	else if (empty >= 0)
		fprintf(f, "\nwrapper overhead: %.2f ns (CPU) per iteration "
		    "(empty)\n", empty);
}

static int
cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct pin_topo *topo;
	struct bench_reg reg;
	struct bench_results res;
	char err[512], path[4200];
	json_t *envj = json_object();
	char **gargv;
	int gargc = 0, calls = 0;
	size_t n;

	uint64_t t_start = bench_now_ns();

	run_parse(argc, argv, &o);
	if (o.topology != NULL) {
		/* Plans only: what this matrix would do on that machine. */
		if ((topo = pin_topo_load(o.topology, err, sizeof(err))) ==
		    NULL)
			usage_error("--topology %s: %s", o.topology, err);
		run_matrix(&o, pin_topo_npus(topo));
		for (int p = 0; p < o.npins; p++)
			for (int t = 0; t < o.nthreads; t++) {
				struct pin_plan plan;
				int nc = o.pins[p] == PIN_SPLIT ?
				    2 * o.threads[t] : o.threads[t];

				if (pin_plan_make(topo, o.pins[p], nc, &plan,
				    err, sizeof(err)) != 0)
					usage_error("%s", err);
				printf("\npin %s, t:%d (%d model cpus):\n",
				    pin_policy_name(o.pins[p]),
				    o.threads[t], nc);
				pin_plan_print(topo, &plan, stdout);
				pin_plan_free(&plan);
			}
		return 0;
	}
	if ((topo = pin_topo_load(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "reapbench: cannot load this machine's "
		    "topology: %s\n", err);
		return 1;
	}
	run_matrix(&o, pin_topo_npus(topo));
	memset(&reg, 0, sizeof(reg));
	reg.call_timeout_s = CALL_TIMEOUT_S;
	build_items(&o, topo, &reg);
	apply_filter(&o, &reg);
	if (!o.list_tests && bench_results_begin(&res, o.out, err,
	    sizeof(err)) != 0)
		usage_error("%s", err);

	/* Google Benchmark's flags: ours first, the user's after (the last
	 * one wins). */
	gargv = calloc((size_t)o.ngbargs + 16, sizeof(char *));
	gargv[gargc++] = g_argv[0];
	if (asprintf(&gargv[gargc++], "--benchmark_repetitions=%d", o.reps) <
	    0)
		abort();
	gargv[gargc++] = strcmp(o.matrix, "smoke") == 0 ?
	    "--benchmark_enable_random_interleaving=false" :
	    "--benchmark_enable_random_interleaving=true";
	gargv[gargc++] = "--benchmark_report_aggregates_only=false";
	gargv[gargc++] = "--benchmark_display_aggregates_only=true";
	if (!o.list_tests) {
		bench_results_path(&res, "bench.json", path, sizeof(path));
		if (asprintf(&gargv[gargc++], "--benchmark_out=%s", path) < 0)
			abort();
		gargv[gargc++] = "--benchmark_out_format=json";
	}
	for (int i = 0; i < o.ngbargs; i++)
		gargv[gargc++] = o.gbargs[i];
	gargv[gargc] = NULL;
	{
		int ga = gargc;

		gbench_init(&ga, gargv);
		if (ga > 1)
			usage_error("unknown Google Benchmark flag '%s'",
			    gargv[1]);
	}

	if (!o.list_tests) {
		context_all(&o, topo, envj, g_argc, g_argv);
		context_pins(&o, topo, envj);
		if (!o.user_min_time)
			calibrate(&o, &reg);
		bench_results_path(&res, "pins.tsv", path, sizeof(path));
		if ((reg.pins = fopen(path, "w")) != NULL)
			fprintf(reg.pins, "# benchmark\trole\tmodel_cpu\t"
			    "planned_pu\tseen_pu (first call of each)\n");
	}
	for (int i = 0; i < reg.nitems; i++) {
		if (reg.items[i].selected)
			calls += o.reps;
		bench_reg_add(&reg, &reg.items[i]);
	}
	reg.calls_total = o.user_min_time ? 0 : calls;
	n = gbench_run(bench_reg_hook, &reg, !o.list_tests);
	gbench_shutdown();
	if (o.list_tests)
		return 0;
	if (reg.pins != NULL)
		fclose(reg.pins);
	write_latency(&res, &reg);

	/* The rest of the folder, then publish it. */
	{
		char *s;
		size_t off = 0, cap = 4096;
		char *cmd = malloc(cap);

		for (int i = 0; i < g_argc; i++) {
			size_t need = strlen(g_argv[i]) * 4 + 4;

			if (off + need + 2 > cap) {
				cap = 2 * (off + need + 2);
				if ((cmd = realloc(cmd, cap)) == NULL)
					abort();
			}
			if (i > 0)
				cmd[off++] = ' ';
			cmd[off++] = '\'';
			for (const char *q = g_argv[i]; *q; q++) {
				if (*q == '\'') {
					memcpy(cmd + off, "'\\''", 4);
					off += 4;
				} else
					cmd[off++] = *q;
			}
			cmd[off++] = '\'';
		}
		cmd[off++] = '\n';
		bench_results_path(&res, "cmdline.txt", path, sizeof(path));
		if (bench_write_file(path, cmd, off) != 0)
			fprintf(stderr, "reapbench: cannot write %s\n", path);
		free(cmd);
		json_object_set_new(envj, "google_benchmark_argv", json_pack(
		    "[]"));
		for (int i = 0; i < gargc; i++)
			json_array_append_new(json_object_get(envj,
			    "google_benchmark_argv"), json_string(gargv[i]));
		json_object_set_new(envj, "benchmarks_run", json_integer(
		    (json_int_t)n));
		s = json_dumps(envj, JSON_INDENT(2) | JSON_SORT_KEYS);
		bench_results_path(&res, "env.json", path, sizeof(path));
		if (s == NULL || bench_write_file(path, s, strlen(s)) != 0)
			fprintf(stderr, "reapbench: cannot write %s\n", path);
		free(s);
		bench_results_path(&res, "topology.xml", path, sizeof(path));
		if (pin_topo_export_xml(topo, path) != 0)
			fprintf(stderr, "reapbench: cannot write %s\n", path);
	}
	summary(&o, &reg, stdout);
	if (bench_results_commit(&res, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench: %s\n", err);
		return 1;
	}
	printf("results: %s (%d benchmark calls, %.0f s)\n", res.final,
	    reg.calls_done, (double)(bench_now_ns() - t_start) / 1e9);
	bench_reg_release(&reg);
	json_decref(envj);
	pin_topo_free(topo);
	return 0;
}

/* ---- report, pick, torture ------------------------------------------------ */

static int
cmd_torture(int argc, char **argv)
{
	char self[4096], tool[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		usage_error("torture: cannot find my own path");
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	/* The torture tool lives in the ASan build of the same BUILD dir. */
	snprintf(tool, sizeof(tool), "%s/gcc-asan/tools/torture", self);
	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "%s: torture: %s is not built: run 'make "
		    "torture' (or 'make build-asan') first\n", progname, tool);
		return EXIT_USAGE;
	}
	argv[0] = tool;
	(void)argc;
	execv(tool, argv);
	fprintf(stderr, "%s: torture: cannot run %s: %s\n", progname, tool,
	    strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;

	setvbuf(stderr, NULL, _IOLBF, 0);
	g_argc = argc;
	g_argv = argv;
	{
		/* Every thread of a run holds a few counter fds; a teardown
		 * of 256 LWPs per parent has hundreds of threads. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (verb == NULL || strcmp(verb, "--help") == 0 ||
	    strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
		usage(verb == NULL ? stderr : stdout);
		return verb == NULL ? EXIT_USAGE : 0;
	}
	if (strcmp(verb, "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(verb, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(verb, "plan") == 0)
		return cmd_plan(argc - 1, argv + 1);
	if (strcmp(verb, "torture") == 0)
		return cmd_torture(argc - 1, argv + 1);
	if (strcmp(verb, "gbench-selftest") == 0)	/* for tests/test_bench */
		return bench_gbench_selftest(argv[0]);
	if (strcmp(verb, "report") == 0 || strcmp(verb, "pick") == 0) {
#ifdef BENCH_HAVE_REPORT
		return strcmp(verb, "report") == 0 ?
		    bench_report_main(argc - 1, argv + 1) :
		    bench_pick_main(argc - 1, argv + 1);
#else
		fprintf(stderr, "%s: %s: not built yet (report/ is "
		    "missing from this build)\n", progname, verb);
		return 1;
#endif
	}
	usage_error("unknown verb '%s' (list, run, plan, report, pick, "
	    "torture)", verb);
}
