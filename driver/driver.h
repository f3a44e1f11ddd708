/*
 * driver.h - the reapbench program's own declarations.
 *
 *   main.c		the verbs, usage, errors of the command line
 *   cmd_list.c		reapbench list
 *   cmd_plan.c		reapbench plan
 *   cmd_torture.c	reapbench torture (execs the torture tool)
 *   cmd_run.c		reapbench run: the phases of a run
 *   run_opts.c		its options (a table) and the matrix
 *   run_items.c		the benchmarks of a run, filtered and sized
 *   run_call.c		one call of a benchmark, in a child, on a budget
 *   run_context.c	what the results record of machine and build
 *   run_check.c		the harness check: does floor scale here
 *   run_ab.c		--accounting ab: the instrument's cost
 *   run_files.c		the rest of the results folder
 *   run_summary.c	the table printed at the end of a run
 *   bench_register.c	the harness's workloads as Google Benchmark
 *			benchmarks (bench.h declares it)
 *   bench_selftest.c	reapbench gbench-selftest
 *   gbench.cc		Google Benchmark called from C (gbench.h)
 *
 * Bad input (unknown design/workload/policy/event, threads < 1, an --out
 * whose parent is missing) is one line on stderr and exit status 2.
 */
#ifndef DRIVER_DRIVER_H
#define DRIVER_DRIVER_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"
#include "xmalloc.h"

/*
 * What one lifecycle of `floor` allocates, without the harness or the
 * model kernel: an LWP-sized, cache-line-aligned block taken from a
 * thread-local free list (floor's per-CPU one), initialised as
 * lwp_create would, and given back as its free would.  The `bare`
 * reference runs it, and the harness check's machine control.
 */
#define RUN_BARE_LWP	128
struct run_bare_lwp {
	struct run_bare_lwp *next;
	char	body[RUN_BARE_LWP - sizeof(void *)];
} __attribute__((aligned(64)));

static inline void
run_bare_step(struct run_bare_lwp **freelist)
{
	struct run_bare_lwp *l;

	if ((l = *freelist) != NULL)
		*freelist = l->next;
	else if ((l = aligned_alloc(64, sizeof(*l))) == NULL)
		abort();
	memset(l, 0, sizeof(*l));
	__asm__ volatile("" : : "r"(l) : "memory");
	l->next = *freelist;
	*freelist = l;
}

static inline void
run_bare_drain(struct run_bare_lwp **freelist)
{
	struct run_bare_lwp *l;

	while ((l = *freelist) != NULL) {
		*freelist = l->next;
		free(l);
	}
}

#define EXIT_USAGE	2
/* Budgets (run_call.c says why a call runs in a child): one call, a
 * calibration probe or a repetition, is killed past RUN_CALL_BUDGET_S;
 * a benchmark whose measured calls took RUN_BENCH_BUDGET_S in all skips
 * its remaining repetitions.  Either way it fails alone, with a reason. */
#define RUN_CALL_BUDGET_S	60
#define RUN_BENCH_BUDGET_S	120

extern const char *progname;
extern int	 main_argc;	/* the whole command line, for the records */
extern char	**main_argv;

/* "reapbench: <message>" on stderr, exit EXIT_USAGE. */
void	usage_error(const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
/* s as a whole number in [lo, hi], or a usage error naming opt. */
int	parse_int(const char *opt, const char *s, int lo, int hi);
/* The same: 0 and *out, or -1 with err naming opt (run_opts.c). */
int	opt_int(const char *opt, const char *s, int lo, int hi, int *out,
	    char *err, size_t errlen);

int	cmd_list(int argc, char **argv);
int	cmd_plan(int argc, char **argv);
int	cmd_run(int argc, char **argv);
int	cmd_torture(int argc, char **argv);

/* ---- reapbench run ---------------------------------------------------- */

#define RUN_MAXDESIGNS	64
#define RUN_MAXTHREADS	64
#define RUN_MAXWORKX	8

struct run_opts {
	/* As given: the option table's destinations (run_opts.c). */
	const char *designs_arg, *wls_arg, *threads_arg, *pins_arg;
	const char *events;	/* counter events; NULL: the default set */
	const char *out;	/* results root */
	const char *matrix;	/* default, full or smoke */
	const char *topology;	/* print the plans on it, run nothing */
	const char *accounting;	/* on, or ab: the A/B of run_ab.c */
	const char *work_arg;	/* --work-ns NAME=NS,... */
	const char *workx_arg;	/* --work-x X,... */
	int	 reps_arg;	/* 0: the matrix's */
	int	 call_budget_s, bench_budget_s;	/* RUN_*_BUDGET_S */
	/* Resolved. */
	char	*designs[RUN_MAXDESIGNS];	/* names; "native" too */
	int	 ndesigns;
	enum bench_workload wls[BW_NWORKLOADS];
	int	 nwls;
	int	 threads[RUN_MAXTHREADS];
	int	 nthreads;
	enum pin_policy pins[PIN_NPOLICIES];
	int	 npins;
	int	 reps;
	bool	 smoke;		/* matrix smoke: tiny fixed sizes */
	double	 target_s;	/* calibrated time per call */
	char	**gbargs;	/* pass-through --benchmark_* */
	int	 ngbargs;
	bool	 user_min_time, list_tests;
	const char *user_filter;
	/* The named stand-ins' costs (run_work.c): given by --work-ns
	 * (work_set), else measured here at the start of the run. */
	uint64_t work_ns[REAP_WORK_NAMES];
	bool	 work_set[REAP_WORK_NAMES];
	uint64_t work_measured[REAP_WORK_NAMES];	/* 0: not measured */
	int	 workx[RUN_MAXWORKX];	/* run at these multiples of work_ns */
	int	 nworkx;
	bool	 workx_pin0;		/* multiples != 1 at pins[0] only */
	bool	 pins_dedupe;		/* full: a pin whose plan an earlier
					   pin has here runs once */
};
/* The largest --work-ns value: one second. */
#define RUN_WORK_NS_MAX	1000000000ull

/* Parse `run`'s options: 0, or -1 with one line in err naming the
 * option.  Free with run_opts_free in both cases. */
int	run_opts_parse(int argc, char **argv, struct run_opts *o, char *err,
	    size_t errlen);
void	run_opts_free(struct run_opts *o);
/* run_opts_parse, or a usage error (exit 2). */
void	run_parse(int argc, char **argv, struct run_opts *o);
/* `run --help`'s option lines. */
void	run_usage(FILE *f);
/* Matrix defaults for what the options left open, on npus PUs. */
void	run_matrix(struct run_opts *o, int npus);

/* The benchmarks: `empty` first, then the matrix's; all selected. */
void	run_items(const struct run_opts *o, const struct pin_topo *topo,
	    struct bench_reg *reg);
/* Deselect what --benchmark_filter leaves out (Google Benchmark's rule). */
void	run_filter(const struct run_opts *o, struct bench_reg *reg);
/* Iterations per call of every selected benchmark. */
void	run_calibrate(const struct run_opts *o, struct bench_reg *reg);

/*
 * One call of spec (bench_run for iters iterations) in a child process
 * killed after budget_s seconds.  0 and r filled, or -1 with r->error
 * saying why (the design's error, the budget, a signal).
 */
int	run_call(const struct bench_spec *spec, uint64_t iters,
	    double budget_s, struct bench_result *r);

/* The JSON context and env.json: machine, build, counters, pin plans. */
void	run_context(const struct run_opts *o, const struct pin_topo *topo,
	    json_t *envj);
void	run_context_pins(const struct run_opts *o,
	    const struct pin_topo *topo, json_t *envj);
/* One key (not a family's) into the context and env.json. */
void	run_ctx(json_t *envj, enum bench_ctx key, const char *v);
/* --accounting ab (run_ab.c): the churn workloads by reapbench-noacct
 * into the results' noacct/; env.json says what became of it. */
void	run_ab(const struct run_opts *o, const struct bench_results *res,
	    json_t *envj);
/* The harness check (run_check.c): floor's churn_private scaling from 1
 * thread to N, into the context. */
/* The named stand-ins' costs (run_work.c): measured here at the start of
 * a run where --work-ns did not give them; the context's work_ns.* and
 * work_measured_ns.*; every cost as a --work-ns argument (malloc'd). */
void	run_work_measure(struct run_opts *o);
void	run_work_context(const struct run_opts *o, json_t *envj);
char	*run_work_arg(const struct run_opts *o);
void	run_check(const struct run_opts *o, const struct pin_topo *topo,
	    json_t *envj);

/* latency/, cmdline.txt, env.json and topology.xml into the results;
 * 0, or -1 with one line on stderr naming the file not written. */
int	run_write_latency(const struct bench_results *res,
	    struct bench_reg *reg);
int	run_write_files(const struct bench_results *res, json_t *envj,
	    const struct pin_topo *topo);

/* Churn and teardown side by side, the wrapper's overhead. */
void	run_summary(const struct run_opts *o, struct bench_reg *reg,
	    double floor1_ns, FILE *f);

#endif /* DRIVER_DRIVER_H */
