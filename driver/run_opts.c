/*
 * run_opts.c - the options of `reapbench run` and the matrix.
 *
 * Options are a table: each names its destination in struct run_opts and
 * how to read its value.  Values are only stored while the command line
 * is read; lists are checked afterwards, in a fixed order, so a mistake
 * is reported the same way wherever it stands.  --benchmark_* flags are
 * Google Benchmark's and passed through, but for the few a run must know
 * of (repetitions, min_time, filter, list_tests, out).  Every mistake is
 * one line naming the option (run_opts_parse() returns it; run_parse()
 * exits 2 with it).
 */
#include <errno.h>
#include <regex.h>
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
	{ "--work-ns", OPT_STRING, DEST(work_arg), 0, 0, "N=NS,..",
	  "ns of named stand-ins (default: measured here at start)" },
	{ "--work-x", OPT_STRING, DEST(workx_arg), 0, 0, "X,..",
	  "run at X times those costs (default 1; full: 0,1,10 at compact)" },
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

int
opt_int(const char *opt, const char *s, int lo, int hi, int *out, char *err,
    size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo) {
		snprintf(err, errlen, "%s %s: expected a whole number >= %d",
		    opt, s, lo);
		return -1;
	}
	if (v > hi) {
		snprintf(err, errlen, "%s %s: expected a whole number <= %d",
		    opt, s, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * What makes glibc's regcomp() blow up on a filter, or NULL.  It copies a
 * repeated part once per repeat ("a+" is "aa*", "x{3}" is "xxx") and
 * nested copies multiply: past RUN_FILTER_COPIES (the product of every
 * '+' and interval's repeats bounds them), a filter is refused.  Adjacent
 * repeats ("a+*+++"), undefined in POSIX, and groups of repeats nested
 * deeper than RUN_FILTER_DEPTH ("((((a)+)?)+)?"...) take it exponential
 * time: 7 s for 21 levels here.
 */
#define RUN_FILTER_COPIES	65536
#define RUN_FILTER_DEPTH	8

static const char *
run_filter_problem(const char *re)
{
	double copies = 1;
	bool repeat = false;
	int depth = 0;

	for (const char *p = re; *p != '\0'; p++) {
		bool rep = strchr("*+?{", *p) != NULL;
		unsigned long n, m;
		char *end;

		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '[') {
			/* A bracket expression is one atom; a ']' first in it
			 * is one of its characters. */
			end = (char *)p + 1 + (p[1] == '^');
			end += *end == ']';
			if ((end = strchr(end, ']')) == NULL)
				break;	/* regcomp refuses it */
			p = end;
		} else if (*p == '(' && ++depth > RUN_FILTER_DEPTH)
			return "groups nested more than 8 deep";
		else if (*p == ')')
			depth--;
		else if (*p == '+')
			copies *= 2;
		else if (*p == '{') {
			n = strtoul(p + 1, &end, 10);
			m = *end == ',' ? strtoul(end + 1, &end, 10) : 0;
			copies *= (double)(n > m ? n : m) + 1;
			p = *end == '}' ? end : p;
		}
		if (rep && repeat)
			return "adjacent repeats (undefined in POSIX regular "
			    "expressions)";
		repeat = rep;
	}
	if (!(copies <= RUN_FILTER_COPIES))
		return "more than 65536 copies of its repeated parts";
	return NULL;
}

/* A --benchmark_* flag: noted if a run must know of it, passed through
 * unless it is --benchmark_repetitions=R (that is --repetitions R). */
static int
run_gbench_flag(struct run_opts *o, char *a, char *err, size_t errlen)
{
	regex_t re;
	const char *f, *why;

	if (strncmp(a, "--benchmark_out", 15) == 0) {
		snprintf(err, errlen, "%s: reapbench writes the JSON into the "
		    "results folder itself (use --out)", a);
		return -1;
	}
	if (strncmp(a, "--benchmark_min_time", 20) == 0)
		o->user_min_time = true;
	if (strncmp(a, "--benchmark_repetitions=", 24) == 0)
		return opt_int("--benchmark_repetitions", a + 24, 1, 100000,
		    &o->reps_arg, err, errlen);
	if (strncmp(a, "--benchmark_filter=", 19) == 0) {
		/* run_filter() applies it: check it here, with the rest. */
		f = o->user_filter = a + 19;
		if ((why = run_filter_problem(f)) != NULL) {
			snprintf(err, errlen, "--benchmark_filter=%s: %s", f,
			    why);
			return -1;
		}
		if (regcomp(&re, *f == '-' ? f + 1 : f, REG_EXTENDED |
		    REG_NOSUB) != 0) {
			snprintf(err, errlen, "--benchmark_filter=%s: not a "
			    "regular expression", f);
			return -1;
		}
		regfree(&re);
	}
	if (strncmp(a, "--benchmark_list_tests", 22) == 0)
		o->list_tests = strcmp(a + 22, "=false") != 0;
	o->gbargs[o->ngbargs++] = a;
	return 0;
}

/* Store every option's value where the table says. */
static int
run_args(int argc, char **argv, struct run_opts *o, char *err,
    size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const struct run_option *opt = NULL;
		char *dest;

		if (strncmp(argv[i], "--benchmark_", 12) == 0) {
			if (run_gbench_flag(o, argv[i], err, errlen) != 0)
				return -1;
			continue;
		}
		for (size_t k = 0; k < NOPTIONS && opt == NULL; k++)
			if (strcmp(argv[i], run_options[k].name) == 0)
				opt = &run_options[k];
		if (opt == NULL) {
			snprintf(err, errlen, "run: unknown option '%s' (see "
			    "'reapbench --help')", argv[i]);
			return -1;
		}
		if (++i == argc) {
			snprintf(err, errlen, "%s needs a value", opt->name);
			return -1;
		}
		dest = (char *)o + opt->off;
		if (opt->kind == OPT_STRING)
			*(const char **)dest = argv[i];
		else if (opt_int(opt->name, argv[i], opt->lo, opt->hi,
		    (int *)dest, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/*
 * Split opt's comma list s into at most max strdup'd items, each named
 * once: the count, or -1 with err (an empty item, a repeat, too many).
 */
static int
split_csv(const char *opt, const char *s, char **out, int max, char *err,
    size_t errlen)
{
	const char *p = s;
	int n = 0;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == 0) {
			snprintf(err, errlen, "%s %s: an empty item", opt, s);
			goto fail;
		}
		if (n == max) {
			snprintf(err, errlen, "%s %s: more than %d items", opt,
			    s, max);
			goto fail;
		}
		out[n] = xcalloc(len + 1, 1);
		memcpy(out[n], p, len);
		for (int i = 0; i < n; i++)
			if (strcmp(out[i], out[n]) == 0) {
				snprintf(err, errlen, "%s %s: %s named twice",
				    opt, s, out[i]);
				n++;
				goto fail;
			}
		n++;
		p += len;
		if (*p++ == '\0')
			return n;
	}
fail:
	while (n > 0)
		free(out[--n]);
	return -1;
}

static int
run_designs(struct run_opts *o, char *err, size_t errlen)
{
	if (o->designs_arg == NULL) {
		for (int i = 0; reap_designs[i] != NULL &&
		    i < RUN_MAXDESIGNS - 1; i++)
			o->designs[o->ndesigns++] =
			    xstrdup(reap_designs[i]->name);
		o->designs[o->ndesigns++] = xstrdup("native");
		return 0;
	}
	o->ndesigns = split_csv("--design", o->designs_arg, o->designs,
	    RUN_MAXDESIGNS, err, errlen);
	if (o->ndesigns < 0) {
		o->ndesigns = 0;
		return -1;
	}
	for (int i = 0; i < o->ndesigns; i++)
		if (strcmp(o->designs[i], "native") != 0 &&
		    reap_find(o->designs[i]) == NULL) {
			snprintf(err, errlen, "--design: unknown design '%s' "
			    "(see 'reapbench list')", o->designs[i]);
			return -1;
		}
	return 0;
}

static int
run_workloads(struct run_opts *o, char *err, size_t errlen)
{
	char *w[BW_NWORKLOADS];
	int n, rc = 0;

	if (o->wls_arg == NULL) {
		for (int i = 0; i < BW_NWORKLOADS; i++)
			o->wls[o->nwls++] = (enum bench_workload)i;
		return 0;
	}
	if ((n = split_csv("--workload", o->wls_arg, w, BW_NWORKLOADS, err,
	    errlen)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && bench_workload_parse(w[i], &o->wls[o->nwls++])
		    != 0) {
			snprintf(err, errlen, "--workload: unknown workload "
			    "'%s' (see 'reapbench list')", w[i]);
			rc = -1;
		}
		free(w[i]);
	}
	return rc;
}

static int
run_pins(struct run_opts *o, char *err, size_t errlen)
{
	char *p[PIN_NPOLICIES];
	int n, rc = 0;

	if (o->pins_arg == NULL)
		return 0;
	if ((n = split_csv("--pin", o->pins_arg, p, PIN_NPOLICIES, err,
	    errlen)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && pin_policy_parse(p[i], &o->pins[o->npins++])
		    != 0) {
			snprintf(err, errlen, "--pin: unknown pin policy '%s' "
			    "(compact, scatter, split, none)", p[i]);
			rc = -1;
		}
		free(p[i]);
	}
	return rc;
}

static int
run_threads(struct run_opts *o, char *err, size_t errlen)
{
	char *t[RUN_MAXTHREADS];
	int n, rc = 0;

	if (o->threads_arg == NULL)
		return 0;
	if ((n = split_csv("--threads", o->threads_arg, t, RUN_MAXTHREADS,
	    err, errlen)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc == 0)
			rc = opt_int("--threads", t[i], 1, 100000,
			    &o->threads[o->nthreads++], err, errlen);
		for (int k = 0; rc == 0 && k < o->nthreads - 1; k++)
			if (o->threads[k] == o->threads[o->nthreads - 1]) {
				snprintf(err, errlen, "--threads %s: %d named "
				    "twice", o->threads_arg, o->threads[k]);
				rc = -1;
			}
		free(t[i]);
	}
	return rc;
}

/* --work-x X,..: the multiples of the stand-ins' costs to run at. */
static int
run_workx(struct run_opts *o, char *err, size_t errlen)
{
	char *t[RUN_MAXWORKX];
	int n, rc = 0;

	if (o->workx_arg == NULL)
		return 0;
	if ((n = split_csv("--work-x", o->workx_arg, t, RUN_MAXWORKX,
	    err, errlen)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc == 0)
			rc = opt_int("--work-x", t[i], 0, 1000,
			    &o->workx[o->nworkx++], err, errlen);
		for (int k = 0; rc == 0 && k < o->nworkx - 1; k++)
			if (o->workx[k] == o->workx[o->nworkx - 1]) {
				snprintf(err, errlen, "--work-x %s: %d named "
				    "twice", o->workx_arg, o->workx[k]);
				rc = -1;
			}
		free(t[i]);
	}
	return rc;
}

/* The counter events, checked by opening them as a run would. */
static int
run_events(const struct run_opts *o, char *err, size_t errlen)
{
	char why[256];
	struct ctr_set *c;

	if (o->events == NULL)
		return 0;
	if ((c = ctr_set_create(o->events, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "--events %s: %s (see 'reapbench list')",
		    o->events, why);
		return -1;
	}
	ctr_set_destroy(c);
	return 0;
}

/* "lwp_crfree, lwp_stack, ...": the stand-ins' names, for messages. */
static void
run_work_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < REAP_WORK_NAMES && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i ? ", " : "", reap_work_name(i));
}

/* --work-ns NAME=NS,...: the cost of the named stand-ins it lists. */
static int
run_work_opts(struct run_opts *o, char *err, size_t errlen)
{
	char names[256], *copy, *save = NULL, *tok, *eq, *end;
	unsigned long long ns;
	unsigned i;
	int rc = 0;

	if (o->work_arg == NULL)
		return 0;
	run_work_names(names, sizeof(names));
	copy = xstrdup(o->work_arg);
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) != NULL)
			*eq = '\0';
		for (i = 0; i < REAP_WORK_NAMES; i++)
			if (strcmp(tok, reap_work_name(i)) == 0)
				break;
		if (eq == NULL || i == REAP_WORK_NAMES) {
			snprintf(err, errlen, "--work-ns %s: expected NAME=NS "
			    "with NAME one of %s", o->work_arg, names);
			rc = -1;
			break;
		}
		errno = 0;
		ns = strtoull(eq + 1, &end, 10);
		if (errno != 0 || eq[1] < '0' || eq[1] > '9' || *end != '\0' ||
		    ns > RUN_WORK_NS_MAX) {
			snprintf(err, errlen, "--work-ns %s: %s=%s: expected "
			    "a whole number of ns <= %llu", o->work_arg, tok,
			    eq + 1, (unsigned long long)RUN_WORK_NS_MAX);
			rc = -1;
			break;
		}
		o->work_ns[i] = ns;
		o->work_set[i] = true;
	}
	if (rc == 0 && strspn(o->work_arg, ",") == strlen(o->work_arg)) {
		snprintf(err, errlen, "--work-ns: expected NAME=NS,... with "
		    "NAME one of %s", names);
		rc = -1;
	}
	free(copy);
	return rc;
}

/* The parts of the options that the table alone cannot check. */
static int
run_opts_check(struct run_opts *o, char *err, size_t errlen)
{
	const struct run_matrix *m = NULL;

	for (size_t i = 0; i < sizeof(run_matrices) /
	    sizeof(run_matrices[0]); i++)
		if (strcmp(o->matrix, run_matrices[i].name) == 0)
			m = &run_matrices[i];
	if (m == NULL) {
		snprintf(err, errlen, "--matrix %s: expected default, full or "
		    "smoke", o->matrix);
		return -1;
	}
	if (strcmp(o->accounting, "on") != 0 &&
	    strcmp(o->accounting, "ab") != 0) {
		snprintf(err, errlen, "--accounting %s: expected on or ab",
		    o->accounting);
		return -1;
	}
	o->smoke = strcmp(m->name, "smoke") == 0;
	o->reps = o->reps_arg > 0 ? o->reps_arg : m->reps;
	o->target_s = m->target_s;
	if (run_work_opts(o, err, errlen) != 0 ||
	    run_workx(o, err, errlen) != 0 ||
	    run_designs(o, err, errlen) != 0 ||
	    run_workloads(o, err, errlen) != 0 ||
	    run_pins(o, err, errlen) != 0 ||
	    run_threads(o, err, errlen) != 0 ||
	    run_events(o, err, errlen) != 0)
		return -1;
	return 0;
}

int
run_opts_parse(int argc, char **argv, struct run_opts *o, char *err,
    size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->matrix = "default";
	o->out = "results";
	o->accounting = "on";
	o->call_budget_s = RUN_CALL_BUDGET_S;
	o->bench_budget_s = RUN_BENCH_BUDGET_S;
	o->gbargs = xcalloc((size_t)argc + 1, sizeof(char *));
	if (run_args(argc, argv, o, err, errlen) == 0 &&
	    run_opts_check(o, err, errlen) == 0)
		return 0;
	/* One line, whatever bytes of the arguments it quotes. */
	for (char *p = err; errlen > 0 && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

void
run_opts_free(struct run_opts *o)
{
	for (int i = 0; i < o->ndesigns; i++)
		free(o->designs[i]);
	free(o->gbargs);
	memset(o, 0, sizeof(*o));
}

void
run_parse(int argc, char **argv, struct run_opts *o)
{
	char err[1024];

	if (run_opts_parse(argc, argv, o, err, sizeof(err)) != 0)
		usage_error("%s", err);
}

void
run_matrix(struct run_opts *o, int npus)
{
	bool full = strcmp(o->matrix, "full") == 0;

	/* The full matrix's pins, or the A/B child's copy of them. */
	o->pins_dedupe = full;

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
	if (o->nworkx == 0) {
		/* Full: how the ranking moves as exit work grows, at the
		 * first pin only (REPORT.md's Exit work reads compact's;
		 * the pin does not change the question, and three levels
		 * at every pin tripled the matrix). */
		o->workx[o->nworkx++] = 1;
		if (full) {
			o->workx[o->nworkx++] = 0;
			o->workx[o->nworkx++] = 10;
			o->workx_pin0 = true;
		}
	}
	if (o->nthreads > 0)
		return;
	o->threads[o->nthreads++] = 1;
	if (full) {
		/* Powers of two up to the PUs, and the PUs (no oversubscribed
		 * point: the harness never runs one, every plan of it was
		 * skipped). */
		for (int t = 2; t < npus && o->nthreads < RUN_MAXTHREADS - 1;
		    t *= 2)
			o->threads[o->nthreads++] = t;
		if (npus > 1)
			o->threads[o->nthreads++] = npus;
	} else if (!o->smoke)
		o->threads[o->nthreads++] = 2;
}
