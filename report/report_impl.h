/*
 * report_impl.h - what the files of `reapbench report` share (not for
 * users of report.h).
 *
 *   results_files.c	env.json, pins.tsv, latency/ (results_read.c
 *			is report.h's rdir_load)
 *   report_common.c	numbers, the machine in words, output files
 *   report_tables.c	metrics, tables, headline configurations
 *   report_gp.c		gnuplot drivers and running gnuplot
 *   report_plots.c	the plots: sweeps, latency CDFs, counters, zombies
 *   report_head.c	REPORT.md's opening: the harness check
 *   report_md.c		REPORT.md
 *   report_compare.c	COMPARE.md, one run against a baseline
 *   report_numa.c	NUMA topology, local against remote
 *   report_hosts.c	one report across several hosts' results
 *   report_main.c	`reapbench report`
 */
#ifndef REPORT_REPORT_IMPL_H
#define REPORT_REPORT_IMPL_H

#include "report.h"

/* Bounds of the small lists a report builds (workloads, designs, pins). */
#define REPORT_MAXW	32
#define REPORT_MAXD	32
#define REPORT_MAXP	8

/* ---- reading (results_read.c, results_files.c) ------------------------- */

/* A file's text, or NULL with err "path: why" (unreadable, a NUL byte). */
char	*rdir_slurp(const char *path, size_t *len, char *err, size_t errlen);
/* text as JSON (Google Benchmark's bare NaN/inf read as null): the root,
 * or NULL with err "path: corrupt JSON at line N: why". */
struct json_t *rdir_parse_json(const char *path, const char *text,
	    char *err, size_t errlen);
/* [A-Za-z0-9._-]+, not "." or "..": a name safe in a path or a script. */
bool	rdir_plain_name(const char *s);
/* A JSON value as a context string ("true", "12", compact JSON...). */
char	*rdir_ctx_string(struct json_t *v);
/* env.json, pins.tsv, latency/: 0, or -1 with err. */
int	rdir_read_env(struct rdir *r, char *err, size_t errlen);
int	rdir_read_pins(struct rdir *r, char *err, size_t errlen);
int	rdir_read_latency(struct rdir *r, char *err, size_t errlen);

/* ---- report_common.c ---------------------------------------------------- */

/* err = the message on one line (control characters become '?'). */
void	report_seterr(char *err, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The display unit for values near ref of metric m: returns the divisor
 * and writes the unit ("M LWPs/s", "µs"). */
double	report_unit_scale(const struct report_metric *m, double ref,
	    char *unit, size_t len);
/* Three significant digits, no exponent for ordinary magnitudes. */
const char *report_fmt3(char *buf, size_t len, double v);
/* A p-value: "<0.001" or three decimals. */
const char *report_fmt_p(char *buf, size_t len, double p);
const char *report_host(const struct rdir *r);
/* "host: 1 package, 1 NUMA node, 2 cores, 2 PUs". */
void	report_machine_line(const struct rdir *r, char *buf, size_t len);
/* The context says timings_emulated=yes (an emulator such as QEMU's TCG
 * ran it): the placement is real, the timings are not the machine's. */
bool	report_timings_emulated(const struct rdir *r);
#define REPORT_EMULATED	"placement verified, timings emulated"
/* Whether the hardware PMU counted, and if not, why. */
bool	report_pmu_available(const struct rdir *r, const char **why);
/* Why event was unavailable (from counters_unavailable) into buf, or
 * NULL when the run did not say. */
const char *report_event_reason(const struct rdir *r, const char *event,
	    char *buf, size_t len);
bool	report_file_exists(const char *path);
int	report_mkdir_p(const char *path);

/* A file written through NAME.tmp.PID and renamed over NAME on close. */
struct report_file {
	FILE	*f;
	char	*path, *tmp;
};
/* 0, or -1 with err. */
int	report_file_open(struct report_file *rf, const char *path, char *err,
	    size_t len);
/* 0, or -1 with err (the temporary file is removed). */
int	report_file_close(struct report_file *rf, char *err, size_t len);

/* ---- report_tables.c ---------------------------------------------------- */

/* Distinct workloads, in table order. */
size_t	report_workloads(const struct report_table *t, size_t nt,
	    const char **w, size_t max);
/* Distinct pin policies of workload w (NULL: of all), in table order. */
size_t	report_pins(const struct report_table *t, size_t nt, const char *w,
	    const char **pins, size_t max);
/* Designs present anywhere, in canonical order. */
size_t	report_designs(const struct rdir *r, const char **d, size_t max);
/* Stable sorts into the canonical order of designs. */
void	report_sort_designs(const char **d, size_t n);
void	report_sort_series(const struct rdir_series **s, size_t n);
/* The headline table of (workload, pin): the most threads (or largest T). */
const struct report_table *report_headline(const struct report_table *t,
	    size_t nt, const char *w, const char *pin);
/* "T:16 · t:2 · pin:compact". */
void	report_config_name(const struct report_table *t, char *buf,
	    size_t len);
/* Median over the repetitions of a value of s, times scale; NaN if none. */
double	report_series_median(const struct rdir_series *s, enum bench_key k,
	    double scale);

/* ---- report_numa.c ------------------------------------------------------ */

/* topology.xml's NUMA nodes into nu (n = 0 if it cannot be read). */
void	rdir_numa_read(const char *xml, struct rdir_numa *nu);
void	rdir_numa_free(struct rdir_numa *nu);
/* A multi-node host's nodes and distances under a heading of level head
 * ("##"); nothing for one node. */
void	report_numa_topology(FILE *f, const struct rdir *r, const char *head);
/* Workload w under compact against split, ratio split / compact, on a
 * multi-node host; nothing otherwise. */
void	report_numa_table(FILE *f, const struct rdir *r,
	    const struct report_table *t, size_t nt, const char *w);

/* ---- report_gp.c: one gnuplot driver per plot --------------------------- */

struct gp_ctx {
	const struct rdir *r;
	const struct report_table *t;
	size_t	 nt;
	char	*pdir;		/* DIR/plots */
	char	*ddir;		/* DIR/plots/data */
	FILE	*drv;		/* the driver of the plot being written */
	struct report_file drvf; /* ... written to a temporary name */
	size_t	 nplots;
	char	**files;	/* the drivers, one per plot */
	char	**outs;		/* their plots' paths, without .png/.svg */
	char	 err[512];	/* the first file that could not be written */
};

/* Start the driver of plot `out` (DIR/plots/data/<name>.gp), drawn by
 * plots/<script>.gp. */
void	gp_begin(struct gp_ctx *gc, const char *script, const char *out,
	    const char *title, const char *pin);
void	gp_end(struct gp_ctx *gc);
/* A data file of the plots, through report_file; NULL when it cannot be
 * opened.  A failure is kept in gc->err and ends gp_finish. */
FILE	*gp_data_open(struct gp_ctx *gc, struct report_file *rf,
	    const char *path);
void	gp_data_close(struct gp_ctx *gc, struct report_file *rf);
/* A gnuplot single-quoted literal. */
void	gp_str(FILE *f, const char *s);
/* A double-quoted literal broken into lines of at most width chars. */
void	gp_wrapped(FILE *f, const char *s, size_t width);
/* var = 'd0 d1 ...' */
void	gp_designs(FILE *f, const char *var, const char *const *d, size_t n);
/* Write plots.gp (every driver) and run gnuplot on each driver unless
 * run_gnuplot is false.  0, or -1 with err. */
int	gp_finish(struct gp_ctx *gc, const char *gpdir, bool run_gnuplot,
	    char *err, size_t len);

/* ---- the outputs -------------------------------------------------------- */

/* DIR/plots/: data, drivers and (run_gnuplot) the PNG and SVG plots. */
int	report_plots(const struct rdir *r, const struct report_table *t,
	    size_t nt, const char *gpdir, bool run_gnuplot, char *err,
	    size_t len);
/* REPORT.md of r at out, with the pick of every profile in pdir. */
/* report_head.c: REPORT.md's first lines, the harness check's verdict. */
void	report_md_check(FILE *f, const struct rdir *r);
/* The accounting's cost: the run against its noacct/latest, or a line
 * saying it was not measured. */
void	report_md_cost(FILE *f, const struct rdir *r);
/* How the ranking moves as exit work grows (report_work.c): only when
 * the run holds several multiples of the stand-ins' costs. */
void	report_md_work(FILE *f, const struct rdir *r);
/* (on - off) / on of ns_per_lifecycle medians, in %; the medians too. */
double	report_cost_pct(const struct rdir_series *on,
	    const struct rdir_series *off, double *ns_on, double *ns_off);
int	report_md_write(const struct rdir *r, const struct report_table *t,
	    size_t nt, const char *out, const char *pdir, char *err,
	    size_t len);
/* Profiles in dir: server, hpc, desktop, then the others by name. */
size_t	report_list_profiles(const char *dir, char names[][64], size_t max);
/* `reapbench report DIR1 DIR2 ...` into folder out (NULL: the first
 * folder's parent/hosts-<time>) and `reapbench pick DIR1 DIR2 ...`:
 * exit codes (2: a folder is not a results folder). */
int	report_hosts_main(char *const *dirs, size_t n, const char *out,
	    const char *pdir);
int	pick_hosts_main(char *const *dirs, size_t n, const struct profile *p);
/* COMPARE.md at out: b against baseline a. */
int	report_compare_write(const struct rdir *a, const struct rdir *b,
	    const char *out, char *err, size_t len);

/* ---- the teardown figures (report_figures.c) ---------------------------- */

void	report_md_figures(FILE *f, const struct report_table *t,
	    const struct report_table *wk, size_t nwk,
	    const struct report_table *fr, size_t nfr);
void	report_md_figures_about(FILE *f, const struct rdir *r, const char *w);
void	report_md_native(FILE *f, const struct rdir *r,
	    const struct report_table *t, size_t nt, const char *w);

#endif /* REPORT_REPORT_IMPL_H */
