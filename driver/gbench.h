/*
 * gbench.h - Google Benchmark, called from C.
 *
 * driver/gbench.cc is the project's only C++: it wraps benchmark::State and
 * benchmark::RegisterBenchmark behind opaque C handles so that workloads
 * stay C.  Google Benchmark keeps doing what it is good at: iteration
 * control, repetitions, random interleaving, aggregates, filters and its
 * JSON output (readable by its tools/compare.py); its command-line flags
 * are passed through untouched by gbench_init().
 *
 * Google Benchmark does no pinning: workloads bind their own threads.
 *
 * Names.  Google Benchmark appends "/iterations:N", "/repeats:N" and
 * "/manual_time" to a benchmark's name when those are set; the reporters
 * installed by gbench_run() drop them so that a benchmark keeps the name it was
 * registered with however its iteration count was sized (the time type is
 * recorded once in the JSON context instead).  A "/threads:N" part, set by
 * gbench_bm_threads, stays: it is part of what was measured.
 */
#ifndef BENCH_GBENCH_H
#define BENCH_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gbench_state gbench_state;	/* a benchmark::State */
typedef struct gbench_bm gbench_bm;		/* a registered benchmark */
typedef void (*gbench_fn)(gbench_state *, void *arg);

/* ---- registration (before gbench_run) --------------------------------- */

gbench_bm *gbench_register(const char *name, gbench_fn fn, void *arg);
/* Run the function in n threads at once (Google Benchmark's own threads;
 * gbench_thread_index/gbench_threads tell them apart). */
void	gbench_bm_threads(gbench_bm *, int n);
/* A fixed iteration count: one call per repetition, no estimation. */
void	gbench_bm_iterations(gbench_bm *, uint64_t n);
void	gbench_bm_min_time(gbench_bm *, double seconds);
void	gbench_bm_repetitions(gbench_bm *, int n);
/* Time comes from gbench_set_iteration_time(), not from the clock. */
void	gbench_bm_manual_time(gbench_bm *);
void	gbench_bm_real_time(gbench_bm *);
enum gbench_unit { GBENCH_NS, GBENCH_US, GBENCH_MS, GBENCH_S };
void	gbench_bm_unit(gbench_bm *, enum gbench_unit);

/* ---- inside a benchmark function -------------------------------------- */

/* The loop: while (gbench_keep_running(st)) { one iteration }. */
bool	gbench_keep_running(gbench_state *);
/* n iterations per call (may overshoot the total by up to n - 1). */
bool	gbench_keep_running_batch(gbench_state *, uint64_t n);
/* Iterations Google Benchmark asks of this call; iterations done so far. */
uint64_t gbench_max_iterations(const gbench_state *);
uint64_t gbench_iterations(const gbench_state *);
int	gbench_thread_index(const gbench_state *);
int	gbench_threads(const gbench_state *);
void	gbench_pause(gbench_state *);
void	gbench_resume(gbench_state *);
/* With gbench_bm_manual_time: seconds this batch of iterations took. */
void	gbench_set_iteration_time(gbench_state *, double seconds);

/* Counter flags (combinable), as benchmark::Counter's. */
#define GBENCH_CTR_RATE		0x1u	/* divided by the run's time */
#define GBENCH_CTR_AVG_THREADS	0x2u	/* averaged over threads */
#define GBENCH_CTR_PER_ITER	0x4u	/* divided by iterations */
void	gbench_counter(gbench_state *, const char *name, double value,
	    unsigned flags);
/* items_per_second, as State::SetItemsProcessed. */
void	gbench_items(gbench_state *, int64_t items);
void	gbench_label(gbench_state *, const char *label);
/* The run is reported as failed with msg; return from the function after. */
void	gbench_skip_error(gbench_state *, const char *msg);

/* ---- running ----------------------------------------------------------- */

/* benchmark::Initialize: consumes the --benchmark_* flags from argv. */
void	gbench_init(int *argc, char **argv);
/* One key/value of the JSON "context" (before gbench_run). */
void	gbench_context(const char *key, const char *value);

/* What a reporter saw of one run, handed to the gbench_run hook. */
struct gbench_run_info {
	const char *name;	/* registered name (+ "_<aggregate>") */
	const char *family;	/* registered name */
	bool	aggregate;	/* a mean/median/stddev/cv row */
	const char *aggregate_name;	/* "" for an iteration row */
	int64_t	repetition_index;	/* -1 when not repeated */
	int64_t	repetitions;
	uint64_t iterations;
	double	real_ns;	/* per iteration (adjusted), nanoseconds */
	double	cpu_ns;
	bool	error;
	const char *error_message;
	const char *label;	/* gbench_label's, "" if none */
	const void *impl;	/* for gbench_run_counter */
};
/* A finished counter of the run (after Google Benchmark's rate/avg maths);
 * false if the run has no such counter. */
bool	gbench_run_counter(const struct gbench_run_info *, const char *name,
	    double *value);
typedef void (*gbench_run_hook)(const struct gbench_run_info *, void *ctx);

/*
 * Run the registered benchmarks that the flags select, with Google
 * Benchmark's display reporter (--benchmark_format) and, if file_ok is
 * not NULL, its JSON reporter writing to --benchmark_out (which must then
 * have been given to gbench_init); *file_ok tells whether that file was
 * written whole.  hook (may be NULL) sees every run the file reporter
 * (else the display) gets, before it is printed.  Returns the number of
 * benchmarks run.
 */
size_t	gbench_run(gbench_run_hook hook, void *ctx, bool *file_ok);
void	gbench_shutdown(void);

/* "1.7.1" or what the library says. */
const char *gbench_library_version(void);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_GBENCH_H */
