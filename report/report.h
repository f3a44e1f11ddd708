/*
 * report.h - turning a results folder into plots, REPORT.md and a pick.
 *
 * A results folder (see driver/reapbench.c) holds bench.json (Google
 * Benchmark's JSON with every repetition kept), topology.xml, cmdline.txt,
 * env.json and latency/<name>.dat.  bench_rdir_load() reads it through
 * jansson into series: one per benchmark, with the values of each
 * repetition.  Tables group the series of one configuration (workload,
 * pin policy, threads, T) and compare the designs on the workload's
 * headline metric; the pick weighs workloads by a profile
 * (report/profiles/<name>.profile) and ranks the designs.
 *
 * The reapbench driver dispatches `reapbench report ...` and
 * `reapbench pick ...` to the two mains below; argv[0] is the verb.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

int	bench_report_main(int argc, char **argv);
int	bench_pick_main(int argc, char **argv);

/* ---- reading a results folder (results_read.c) ------------------------- */

struct bench_counter {
	char	*name;		/* a user counter, e.g. "cycles_per_op" */
	double	*v;		/* per repetition; NaN where a repetition lacks it */
};

/* One benchmark: all of its repetitions. */
struct bench_series {
	char	*name;		/* run_name as in bench.json */
	char	*spec;		/* name without Google Benchmark's suffixes
				 * (manual_time, repeats:n, ...): the name
				 * reapbench gave it and its latency file's */
	char	*workload;	/* "churn_shared", ... */
	char	*design;	/* "dragonfly", ..., "native" */
	char	*pin;		/* "compact", ...; "-" when not in the name */
	int	 threads;	/* t:<n> (or gbench's threads:<n>) */
	int	 tcount;	/* teardown's T:<n>; 0 when absent */
	size_t	 nrep;		/* repetitions read (errored ones excluded) */
	double	*real_ns;	/* real time per iteration, in ns */
	double	*cpu_ns;	/* CPU time per iteration, in ns */
	size_t	 ncnt;
	struct bench_counter *cnt;
	bool	 aggregate_only; /* no repetitions: one sample from _median */
	size_t	 nerrors;	/* repetitions that reported error_occurred */
	char	*error;		/* the first error message, or NULL */
};

struct bench_rdir {
	char	*dir;
	size_t	 nctx;
	char	**ctx_key, **ctx_val;	/* bench.json "context", as strings */
	size_t	 ns;
	struct bench_series *s;
	size_t	 skipped;	/* entries whose name is not workload/design/... */
	char	*cmdline;	/* cmdline.txt, trimmed, or NULL */
	double	 harness_ns;	/* median real time of `empty` (the wrapper's
				 * cost per iteration), NaN if not run */
	char	*topo_summary;	/* from topology.xml, or NULL */
};

/*
 * Load DIR.  Returns 0, or -1 with a one-line reason in err (missing or
 * corrupt bench.json, no benchmarks, ...).  Free with bench_rdir_free
 * in both cases.
 */
int	bench_rdir_load(const char *dir, struct bench_rdir *r,
	    char *err, size_t errlen);
void	bench_rdir_free(struct bench_rdir *r);
/* A context value as a string ("true"/"false" for booleans), or NULL. */
const char *bench_rdir_ctx(const struct bench_rdir *r, const char *key);
/* The series of that configuration, or NULL (pin NULL: any). */
const struct bench_series *bench_rdir_find(const struct bench_rdir *r,
	    const char *workload, const char *design, const char *pin,
	    int threads, int tcount);
/* The counter's per-repetition values, or NULL if no repetition has it. */
const double *bench_series_counter(const struct bench_series *s,
	    const char *name);
/* The latency file name of a series' spec name: latency/<out>.dat, with
 * bench_sanitise()'s rule (every char outside [A-Za-z0-9._-] becomes '_'). */
void	bench_latency_name(const char *spec, char *out, size_t len);

/* ---- tables (report.c) -------------------------------------------------- */

/* The headline metric of a workload. */
struct bench_metric {
	const char *key;	/* counter name, or "real_time" */
	const char *label;	/* "throughput" */
	const char *unit;	/* "LWPs/s" */
	bool	 higher_better;
};

/* The metric of a series: its workload's choice if the series has it,
 * else a fallback (real time per iteration). */
void	bench_metric_of(const struct bench_series *s, struct bench_metric *m);
/* Values of m for each repetition of s into out (s->nrep slots); returns
 * how many are numbers (NaNs are dropped and the rest packed). */
size_t	bench_series_values(const struct bench_series *s,
	    const struct bench_metric *m, double *out);

struct bench_row {
	const struct bench_series *s;
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
struct bench_table {
	const char *workload, *pin;
	int	 threads, tcount;
	struct bench_metric m;
	size_t	 nrows;
	struct bench_row *rows;
	int	 best;		/* index into rows, -1 if nothing ranked */
};

int	bench_tables_build(const struct bench_rdir *r,
	    struct bench_table **out, size_t *n);
void	bench_tables_free(struct bench_table *t, size_t n);
/* The canonical order of designs (ranks in listings, colours in plots). */
int	bench_design_order(const char *design);
bool	bench_design_is_reference(const char *design);

/* Significance level of every test in the report. */
#define BENCH_ALPHA	0.05
/* Bootstrap rounds and seed (fixed: reports are reproducible). */
#define BENCH_BOOT_ROUNDS 2000
#define BENCH_BOOT_SEED	0x7265617062656e63ull

/* ---- profiles and the pick (pick.c) -------------------------------------- */

struct bench_weight {
	char	*workload;
	double	 weight;
};

struct bench_profile {
	char	*name;
	char	*about;		/* the "about" line, or "" */
	size_t	 n;
	struct bench_weight *w;
};

/* report/profiles/NAME.profile (or a path containing '/').  0 or -1 + err. */
int	bench_profile_load(const char *dir, const char *name,
	    struct bench_profile *p, char *err, size_t errlen);
void	bench_profile_free(struct bench_profile *p);

struct bench_flip {
	const char *workload;
	double	 weight;	/* the profile's weight */
	const char *rival;	/* who would win instead, NULL: nobody */
	double	 at;		/* ... if the weight crossed this */
	bool	 above;		/* rose above (true) or fell below `at` */
};

struct bench_pick {
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
	struct bench_flip *flip; /* one per workload in wl */
};

int	bench_pick_compute(const struct bench_rdir *r,
	    const struct bench_profile *p, struct bench_pick *out,
	    char *err, size_t errlen);
void	bench_pick_free(struct bench_pick *pk);
/* The decision in words, as `reapbench pick` prints it. */
void	bench_pick_print(FILE *f, const struct bench_profile *p,
	    const struct bench_pick *pk, bool markdown);

/* Allocation for the report code: aborts when memory runs out. */
void	*bench_xcalloc(size_t n, size_t sz);
void	*bench_xrealloc(void *p, size_t sz);
char	*bench_xstrdup(const char *s);

#endif /* BENCH_REPORT_H */
