/*
 * report.h - turning a results folder into plots, REPORT.md and a pick.
 *
 * A results folder (bench/bench_schema.h lists its files) holds bench.json
 * (Google Benchmark's JSON with every repetition kept), topology.xml,
 * cmdline.txt, env.json and latency/<name>.dat.  rdir_load() reads it
 * through jansson into series: one per benchmark, with the values of each
 * repetition.  Tables group the series of one configuration (workload,
 * pin policy, threads, T) and compare the designs on the workload's
 * headline metric; the pick weighs workloads by a profile
 * (report/profiles/<name>.profile) and ranks the designs.
 *
 * Modules and their prefixes: rdir_ (results_read.c), report_ (tables,
 * plots, REPORT.md, COMPARE.md: report_*.c), profile_ (profile.c), pick_
 * (pick.c), stats_ (stats.c).  The reapbench driver dispatches
 * `reapbench report ...` and `reapbench pick ...` to the two mains below;
 * argv[0] is the verb.  Given several folders (one per host) both go to
 * report_hosts.c: one report across hosts.
 */
#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_schema.h"
#include "stats.h"
#include "xmalloc.h"

int	report_main(int argc, char **argv);
int	pick_main(int argc, char **argv);

/* ---- reading a results folder (results_read.c) -------------------------- */

struct rdir_counter {
	char	*name;		/* a user counter, e.g. "cycles_per_op" */
	double	*v;		/* per repetition; NaN where a repetition lacks it */
};

/* One benchmark: all of its repetitions. */
struct rdir_series {
	char	*name;		/* run_name as in bench.json */
	char	*spec;		/* name without Google Benchmark's suffixes
				 * (manual_time, repeats:n, ...): the name
				 * reapbench gave it and its latency file's */
	char	*workload;	/* "churn_shared", ... */
	char	*design;	/* "dragonfly", ..., "native" */
	char	*pin;		/* "compact", ...; "-" when not in the name */
	int	 threads;	/* t:<n> (or gbench's threads:<n>) */
	int	 tcount;	/* teardown's T:<n>; 0 when absent */
	int	 work_x;	/* w:<x>x: the stand-ins at x times the run's
				   work_ns; 1 when absent */
	size_t	 nrep;		/* repetitions read (errored ones excluded) */
	double	*real_ns;	/* real time per iteration, in ns */
	double	*cpu_ns;	/* CPU time per iteration, in ns */
	size_t	 ncnt;
	struct rdir_counter *cnt;
	bool	 aggregate_only; /* no repetitions: one sample from _median */
	size_t	 nerrors;	/* repetitions that reported error_occurred */
	char	*error;		/* the first error message, or NULL */
	char	*lat_path;	/* its latency CDF (latency/index.tsv), or NULL */
	unsigned long lat_samples; /* samples behind it (0: not indexed) */
	size_t	 ncdf;
	struct rdir_point {
		double	 ns, frac;	/* upper bound, cumulative fraction */
	} *cdf;			/* the CDF, read and checked */
};

/* A line of pins.tsv: where a thread was planned and seen. */
struct rdir_pin {
	char	*bench, *role;
	int	 cpu;		/* model CPU */
	int	 planned, seen;	/* PU OS indexes, -1: none */
	int	 node;		/* NUMA node of seen (or of the block), -1 */
};

/* The NUMA nodes of topology.xml (report_numa.c). */
struct rdir_numa {
	int	 n;		/* nodes; 0 without a readable topology.xml */
	unsigned *os;		/* [n] OS index of each node */
	int	*npu;		/* [n] PUs local to each node */
	char	**pus;		/* [n] their list, "0-1" */
	uint64_t *dist;		/* [n * n] distances, or NULL if none */
};

struct rdir {
	char	*dir;
	size_t	 nctx;
	char	**ctx_key, **ctx_val;	/* bench.json "context", as strings */
	size_t	 ns;
	struct rdir_series *s;	/* at the run's own stand-in costs */
	size_t	 nws;
	struct rdir_series *ws;	/* at other multiples (w:<x>x): only the
				   exit-work sweep (report_work.c) reads them */
	size_t	 skipped;	/* entries whose name is not workload/design/... */
	char	*cmdline;	/* cmdline.txt, trimmed, or NULL */
	double	 harness_ns;	/* median real time of `empty` (the wrapper's
				 * cost per iteration), NaN if not run */
	double	 bare_ns;	/* of `bare`: floor's allocation work per
				 * lifecycle alone, NaN if not run */
	char	*topo_summary;	/* from topology.xml, or NULL */
	struct rdir_numa numa;
	size_t	 npins;
	struct rdir_pin *pins;	/* pins.tsv, in file order */
};

/*
 * Load DIR: bench.json, then env.json, pins.tsv, latency/ (each optional,
 * checked when there), cmdline.txt and topology.xml.  Returns 0, or -1
 * with one line in err naming the file (and line) and what is wrong
 * (missing or corrupt bench.json, no benchmarks, a bad field, ...).  Free
 * with rdir_free in both cases.
 */
int	rdir_load(const char *dir, struct rdir *r, char *err, size_t errlen);
/*
 * 0 if DIR holds BENCH_FILE_COMPLETE (its run finished writing it) or is
 * not a folder (rdir_load says so); else -1 with a one-line reason.  The
 * verbs check it before rdir_load: they never report half a run.
 */
int	rdir_complete(const char *dir, char *err, size_t errlen);
void	rdir_free(struct rdir *r);
/* A context value as a string ("true"/"false" for booleans), or NULL;
 * member names a family's key ("latency." + member), else NULL. */
const char *rdir_ctx(const struct rdir *r, enum bench_ctx key,
	    const char *member);
/* The series of that configuration, or NULL (pin NULL: any). */
const struct rdir_series *rdir_find(const struct rdir *r,
	    const char *workload, const char *design, const char *pin,
	    int threads, int tcount);
/* A counter's per-repetition values, or NULL if no repetition has it. */
const double *rdir_counter(const struct rdir_series *s, const char *name);
/* Any value of the schema (real_time, cpu_time or a counter), as above. */
const double *rdir_values(const struct rdir_series *s, enum bench_key k);

/* ---- the harness check (report_head.c) ---------------------------------- */

/* What the run's harness check found (bench_schema.h, BC_CHECK_*). */
struct report_check {
	bool	 present;	/* the run made one (older runs did not) */
	int	 threads;	/* N: t:1 against t:N */
	double	 ratio, eff;	/* speedup, speedup / what the machine gives
				   (NaN: not measured) */
	double	 mratio;	/* the machine's own speedup (NaN: older) */
	const char *verdict;	/* bench_check_verdict()'s, from the run */
	const char *ns;		/* its medians, in words */
	bool	 bound;		/* instrument-bound: threads > 1 untrusted */
};
void	report_check_read(const struct rdir *r, struct report_check *c);
/* "floor churn_private scales 1.72x from 1 to 2 threads, where the
 * machine alone scales 1.86x: 93% of what it gives" ("... 62% of linear"
 * for runs without the machine control) */
void	report_check_words(const struct report_check *c, char *buf,
	    size_t len);

/* ---- tables (report_tables.c) ------------------------------------------- */

/* The headline metric of a workload. */
struct report_metric {
	enum bench_key key;	/* BK_ITEMS_PER_SECOND or BK_REAL_TIME */
	char	 label[48];	/* "throughput", "time per teardown" */
	const char *unit;	/* "LWPs/s", "ns" */
	bool	 higher_better;
};

/* The metric of a series: its workload's choice if the series has it,
 * else a fallback (real time per iteration). */
void	report_metric_of(const struct rdir_series *s, struct report_metric *m);
/* Values of m for each repetition of s into out (s->nrep slots); returns
 * how many are numbers (NaNs are dropped and the rest packed). */
size_t	report_series_values(const struct rdir_series *s,
	    const struct report_metric *m, double *out);

struct report_row {
	const struct rdir_series *s;
	size_t	 n;		/* samples */
	double	*v;		/* the samples */
	double	 median;
	struct stats_ci ci;
	double	 ratio;		/* median / best's median */
	bool	 best;
	bool	 reference;	/* "native": shown, not ranked */
	struct stats_mwu vs_best; /* this row against the best row */
};

/* The designs of one configuration on its metric, best first. */
struct report_table {
	const char *workload, *pin;
	int	 threads, tcount;
	struct report_metric m;
	size_t	 nrows;
	struct report_row *rows;
	int	 best;		/* index into rows, -1 if nothing ranked */
};

void	report_tables_build(const struct rdir *r, struct report_table **out,
	    size_t *n);
void	report_tables_free(struct report_table *t, size_t n);
/* Medians, intervals, ranks and tests of a table's rows (on its m). */
void	report_table_rank(struct report_table *tb);

/*
 * The two figures of a teardown (teardown, storm): parent wakes (lat_p*:
 * proc_exit -> the parent's proc_wait returns) and all freed (freed_p*:
 * -> the process and every LWP of it freed).  report_tables_figure()
 * gives the rounds workloads' tables ranked on one figure's p50 (free
 * with report_tables_free), NULL if the run has none.
 */
enum report_figure { REPORT_WAKES, REPORT_FREED };
struct report_table *report_tables_figure(const struct report_table *t,
	    size_t nt, enum report_figure fig, size_t *n);
/* The figure's key at percentile pct (50 or 99); its name in words. */
enum bench_key report_figure_key(enum report_figure fig, int pct);
const char *report_figure_name(enum report_figure fig);
/* The canonical order of designs (ranks in listings, colours in plots). */
int	report_design_order(const char *design);
bool	report_design_is_reference(const char *design);

/* Significance level of every test in the report. */
#define REPORT_ALPHA		0.05
/* Bootstrap rounds and seed (fixed: reports are reproducible). */
#define REPORT_BOOT_ROUNDS	2000
#define REPORT_BOOT_SEED	0x7265617062656e63ull

/* ---- profiles (profile.c) ----------------------------------------------- */

struct profile_weight {
	char	*workload;
	double	 weight;
};

struct profile {
	char	*name;
	char	*about;		/* the "about" line, or "" */
	size_t	 n;
	struct profile_weight *w;
};

/* report/profiles/NAME.profile (or a path containing '/').  0 or -1 + err;
 * free with profile_free in both cases. */
int	profile_load(const char *dir, const char *name, struct profile *p,
	    char *err, size_t errlen);
/* A profile's text (changed in place; path names it in err) into p, which
 * is zeroed or holds only its name.  0, or -1 with err. */
int	profile_parse(struct profile *p, char *text, const char *path,
	    char *err, size_t errlen);
void	profile_free(struct profile *p);

/* ---- the pick (pick.c) -------------------------------------------------- */

struct pick_flip {
	const char *workload;
	double	 weight;	/* the profile's weight */
	const char *rival;	/* who would win instead, NULL: nobody */
	double	 at;		/* ... if the weight crossed this */
	bool	 above;		/* rose above (true) or fell below `at` */
};

/* The pick refuses configurations with fewer repetitions than this for
 * any candidate ("too few repetitions"). */
#define PICK_MIN_REPS	5

struct pick {
	size_t	 nd;
	const char **design;	/* ranked, best first */
	double	*score;		/* weighted geometric mean of scores, 0..1 */
	size_t	 nw;		/* workloads of the profile found in data */
	const char **wl;
	double	*wl_weight;
	double	*wl_score;	/* [design][workload] in ranked order, NaN */
	const char **wl_best;	/* per workload: the best candidate */
	char	**missing;	/* profile workloads absent from the data */
	size_t	 nmissing;
	double	 margin;	/* score[0] / score[1] - 1 */
	struct stats_ci margin_ci;
	double	 p_keep;	/* bootstrap: fraction where [0] stays first */
	struct pick_flip *flip;	/* one per workload in wl */
	size_t	 refused_reps;	/* configurations left out: too few reps */
	size_t	 refused_bound;	/* ... instrument-bound (threads > 1) */
	size_t	 reps_min;	/* fewest repetitions of a refused config */
	size_t	 reps_used;	/* fewest repetitions of a config used */
	char	 bound_why[320];	/* the harness check, when bound */
};

/* 0, or -1 with err (fewer than two candidates, no workload measured,
 * every configuration refused: too few repetitions or instrument-bound);
 * free with pick_free in both cases. */
int	pick_compute(const struct rdir *r, const struct profile *p,
	    struct pick *out, char *err, size_t errlen);
void	pick_free(struct pick *pk);
/*
 * The margin's interval named with its coverage: a percentile bootstrap
 * of medians of n samples resamples only those n values, so it cannot
 * cover more than their [min, max] does, 1 - 2 * 0.5^n (94% at n = 5).
 */
const char *pick_ci_label(const struct pick *pk, char *buf, size_t len);
/* The decision in words, as `reapbench pick` prints it. */
void	pick_print(FILE *f, const struct profile *p, const struct pick *pk,
	    bool markdown);

#endif /* REPORT_REPORT_H */
