/*
 * run_opts.c - the options of `reapbench run` and the matrix.
 *
 * Options are a table: each names its destination in struct run_opts and
 * how to read its value.  Values are only stored while the command line
 * is read; lists are checked afterwards, in a fixed order, so a mistake
 * is reported the same way wherever it stands.  --benchmark_* flags are
 * Google Benchmark's and passed through, but for the few a run must know
 * of (repetitions, min_time, filter, list_tests, out).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

enum opt_kind {
	OPT_STRING,		/* const char *, the argument as given */
	OPT_COUNT,		/* int in [lo, hi] */
};

static const struct run_option {
	const char *name;
	enum opt_kind kind;
	size_t	 off;		/* of the destination in struct run_opts */
	int	 lo, hi;	/* OPT_COUNT */
	const char *arg, *help;
} run_options[] = {
#define DEST(f)	offsetof(struct run_opts, f)
	{ "--design", OPT_STRING, DEST(designs_arg), 0, 0, "D,..",
	  "designs, or native (default: all of them)" },
	{ "--workload", OPT_STRING, DEST(wls_arg), 0, 0, "W,..",
	  "workloads (default: all)" },
	{ "--threads", OPT_STRING, DEST(threads_arg), 0, 0, "N,..",
	  "worker threads (default: the matrix's)" },
	{ "--pin", OPT_STRING, DEST(pins_arg), 0, 0, "P,..",
	  "compact, scatter, split, none (default: the matrix's)" },
	{ "--repetitions", OPT_COUNT, DEST(reps_arg), 1, 100000, "R",
	  "repetitions of each benchmark (default: the matrix's)" },
	{ "--events", OPT_STRING, DEST(events), 0, 0, "E,..",
	  "counter events, any `reapbench list` shows" },
	{ "--out", OPT_STRING, DEST(out), 0, 0, "DIR",
	  "results root: runs go to DIR/<host>-<time> (results)" },
	{ "--matrix", OPT_STRING, DEST(matrix), 0, 0, "M",
	  "default, full or smoke (default: default)" },
	{ "--accounting", OPT_STRING, DEST(accounting), 0, 0, "on|ab",
	  "ab: also run the churn workloads with reapbench-noacct" },
	{ "--call-budget", OPT_COUNT, DEST(call_budget_s), 1, 86400, "S",
	  "seconds one call may take, else it fails (60)" },
	{ "--bench-budget", OPT_COUNT, DEST(bench_budget_s), 1, 864000, "S",
	  "seconds of calls per benchmark, then skip the rest (120)" },
	{ "--topology", OPT_STRING, DEST(topology), 0, 0, "SPEC",
	  "print the pin plans on that topology and run nothing" },
#undef DEST
};
#define NOPTIONS	(sizeof(run_options) / sizeof(run_options[0]))

/* Repetitions and calibration target per call of each matrix. */
static const struct run_matrix {
	const char *name;
	int	 reps;
	double	 target_s;
} run_matrices[] = {
	{ "default", 5, 0.04 },
	{ "full", 10, 0.15 },
	{ "smoke", 1, 0 },
};

void
run_usage(FILE *f)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		fprintf(f, "  %-14s %-5s %s\n", run_options[i].name,
		    run_options[i].arg, run_options[i].help);
	fprintf(f, "  %-20s Google Benchmark's flags, passed through\n",
	    "--benchmark_*=...");
}

/* A --benchmark_* flag: noted if a run must know of it, passed through
 * unless it is --benchmark_repetitions=R (that is --repetitions R). */
static void
run_gbench_flag(struct run_opts *o, char *a)
{
	if (strncmp(a, "--benchmark_out", 15) == 0)
		usage_error("%s: reapbench writes the JSON into the results "
		    "folder itself (use --out)", a);
	if (strncmp(a, "--benchmark_min_time", 20) == 0)
		o->user_min_time = true;
	if (strncmp(a, "--benchmark_repetitions=", 24) == 0) {
		o->reps_arg = parse_int("--benchmark_repetitions", a + 24, 1,
		    100000);
		return;
	}
	if (strncmp(a, "--benchmark_filter=", 19) == 0)
		o->user_filter = a + 19;
	if (strncmp(a, "--benchmark_list_tests", 22) == 0)
		o->list_tests = strcmp(a + 22, "=false") != 0;
	o->gbargs[o->ngbargs++] = a;
}

/* Store every option's value where the table says. */
static void
run_args(int argc, char **argv, struct run_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const struct run_option *opt = NULL;
		char *dest;

		if (strncmp(argv[i], "--benchmark_", 12) == 0) {
			run_gbench_flag(o, argv[i]);
			continue;
		}
		for (size_t k = 0; k < NOPTIONS && opt == NULL; k++)
			if (strcmp(argv[i], run_options[k].name) == 0)
				opt = &run_options[k];
		if (opt == NULL)
			usage_error("run: unknown option '%s' (see 'reapbench "
			    "--help')", argv[i]);
		if (++i == argc)
			usage_error("%s needs a value", opt->name);
		dest = (char *)o + opt->off;
		if (opt->kind == OPT_COUNT)
			*(int *)dest = parse_int(opt->name, argv[i], opt->lo,
			    opt->hi);
		else
			*(const char **)dest = argv[i];
	}
}

/* Split a comma list into at most max strdup'd items; returns count. */
static int
split_csv(const char *s, char **out, int max)
{
	char *copy = xstrdup(s), *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			usage_error("too many items in '%s'", s);
		out[n++] = xstrdup(tok);
	}
	free(copy);
	return n;
}

static void
run_designs(struct run_opts *o)
{
	if (o->designs_arg == NULL) {
		for (int i = 0; reap_designs[i] != NULL &&
		    i < RUN_MAXDESIGNS - 1; i++)
			o->designs[o->ndesigns++] =
			    xstrdup(reap_designs[i]->name);
		o->designs[o->ndesigns++] = xstrdup("native");
		return;
	}
	o->ndesigns = split_csv(o->designs_arg, o->designs, RUN_MAXDESIGNS);
	for (int i = 0; i < o->ndesigns; i++)
		if (strcmp(o->designs[i], "native") != 0 &&
		    reap_find(o->designs[i]) == NULL)
			usage_error("unknown design '%s' (see 'reapbench "
			    "list')", o->designs[i]);
}

static void
run_workloads(struct run_opts *o)
{
	char *w[BW_NWORKLOADS + 8];
	int n;

	if (o->wls_arg == NULL) {
		for (int i = 0; i < BW_NWORKLOADS; i++)
			o->wls[o->nwls++] = (enum bench_workload)i;
		return;
	}
	n = split_csv(o->wls_arg, w, BW_NWORKLOADS + 8);
	for (int i = 0; i < n; i++) {
		if (o->nwls == BW_NWORKLOADS)
			usage_error("too many items in '%s'", o->wls_arg);
		if (bench_workload_parse(w[i], &o->wls[o->nwls]) != 0)
			usage_error("unknown workload '%s' (see 'reapbench "
			    "list')", w[i]);
		o->nwls++;
		free(w[i]);
	}
}

static void
run_pins(struct run_opts *o)
{
	char *p[8];
	int n;

	if (o->pins_arg == NULL)
		return;
	n = split_csv(o->pins_arg, p, 8);
	for (int i = 0; i < n; i++) {
		if (o->npins == PIN_NPOLICIES)
			usage_error("too many items in '%s'", o->pins_arg);
		if (pin_policy_parse(p[i], &o->pins[o->npins]) != 0)
			usage_error("unknown pin policy '%s' (compact, "
			    "scatter, split, none)", p[i]);
		o->npins++;
		free(p[i]);
	}
}

static void
run_threads(struct run_opts *o)
{
	char *t[RUN_MAXTHREADS];
	int n;

	if (o->threads_arg == NULL)
		return;
	n = split_csv(o->threads_arg, t, RUN_MAXTHREADS);
	for (int i = 0; i < n; i++) {
		o->threads[o->nthreads++] = parse_int("--threads", t[i], 1,
		    100000);
		free(t[i]);
	}
}

void
run_parse(int argc, char **argv, struct run_opts *o)
{
	const struct run_matrix *m = NULL;

	memset(o, 0, sizeof(*o));
	o->matrix = "default";
	o->out = "results";
	o->accounting = "on";
	o->call_budget_s = RUN_CALL_BUDGET_S;
	o->bench_budget_s = RUN_BENCH_BUDGET_S;
	o->gbargs = xcalloc((size_t)argc + 1, sizeof(char *));
	run_args(argc, argv, o);
	for (size_t i = 0; i < sizeof(run_matrices) /
	    sizeof(run_matrices[0]); i++)
		if (strcmp(o->matrix, run_matrices[i].name) == 0)
			m = &run_matrices[i];
	if (m == NULL)
		usage_error("--matrix %s: expected default, full or smoke",
		    o->matrix);
	if (strcmp(o->accounting, "on") != 0 && strcmp(o->accounting, "ab"))
		usage_error("--accounting %s: expected on or ab", o->accounting);
	o->smoke = strcmp(m->name, "smoke") == 0;
	o->reps = o->reps_arg > 0 ? o->reps_arg : m->reps;
	o->target_s = m->target_s;
	run_designs(o);
	run_workloads(o);
	run_pins(o);
	run_threads(o);
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

void
run_matrix(struct run_opts *o, int npus)
{
	bool full = strcmp(o->matrix, "full") == 0;

	if (o->npins == 0) {
		if (full) {
			for (int i = 0; i < PIN_NPOLICIES; i++)
				o->pins[o->npins++] = (enum pin_policy)i;
		} else {
			o->pins[o->npins++] = PIN_COMPACT;
			if (!o->smoke)
				o->pins[o->npins++] = PIN_SPLIT;
		}
	}
	if (o->nthreads > 0)
		return;
	o->threads[o->nthreads++] = 1;
	if (full) {
		/* Powers of two up to the PUs, the PUs, and one
		 * oversubscribed point. */
		for (int t = 2; t < npus && o->nthreads < RUN_MAXTHREADS - 2;
		    t *= 2)
			o->threads[o->nthreads++] = t;
		if (npus > 1)
			o->threads[o->nthreads++] = npus;
		o->threads[o->nthreads++] = 2 * npus;
	} else if (!o->smoke)
		o->threads[o->nthreads++] = 2;
}
