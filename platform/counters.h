/*
 * counters.h - per-thread perf_event_open counters for reapbench.
 *
 * Hardware event names are encoded by libpfm4 (any name `reapbench list`
 * shows); the software events task-clock, context-switches and
 * cpu-migrations are always added.  Every event is opened per thread (no
 * inherit) on every thread attached - workers, carriers and the design's
 * reapers alike - and the read sums over threads, scaled by
 * time_enabled/time_running when the kernel multiplexed the counter.
 *
 * An event the kernel or hardware refuses is not an error: it stays in the
 * set marked unavailable, with the reason (errno string and
 * perf_event_paranoid), and its value must never be printed as a number.
 * Kernel-mode counting is excluded when perf_event_paranoid >= 2, and
 * bench_ctrs_mode() says which mode was counted.  The exception is
 * context-switches and cpu-migrations: the kernel records them in kernel
 * context, so excluding the kernel would read a false 0; they are always
 * opened with kernel mode included, and are unavailable (with the reason)
 * where that is not permitted.
 */
#ifndef BENCH_COUNTERS_H
#define BENCH_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define BENCH_CTR_MAX	16

struct bench_ctr_event {
	char	name[64];	/* as requested, e.g. "cycles" */
	bool	available;	/* opened on every attached thread so far */
	char	reason[160];	/* why not, when !available */
	bool	hw;		/* hardware (libpfm4) vs software event */
};

struct bench_ctrs;	/* a set of events opened on a list of threads */

/*
 * events_csv NULL: "cycles,instructions,cache-misses".  The software events
 * task-clock, context-switches and cpu-migrations are appended always (not
 * twice if named).  A name libpfm4 does not know returns NULL with a
 * one-line message in err.  The availability of each event is probed on
 * the calling thread at creation.
 */
struct bench_ctrs *bench_ctrs_create(const char *events_csv, char *err,
	    size_t errlen);
void	bench_ctrs_destroy(struct bench_ctrs *);
int	bench_ctrs_nevents(const struct bench_ctrs *);
const struct bench_ctr_event *bench_ctrs_event(const struct bench_ctrs *,
	    int i);
/* Index of the event named name, or -1. */
int	bench_ctrs_find(const struct bench_ctrs *, const char *name);

/*
 * Open the available events on one more thread (a Linux tid, gettid()),
 * per thread, no inherit, disabled.  0 or an errno (ESRCH: no such
 * thread; EMFILE: out of descriptors, each thread takes one per event).
 * An event that fails on this thread although it opened elsewhere becomes
 * unavailable with the reason.  Thread-safe against other attach, start,
 * stop and read calls; an attached thread may exit before the read, its
 * counts stay.  create() raises the RLIMIT_NOFILE soft limit to the hard
 * limit so that hundreds of threads can be attached.
 */
int	bench_ctrs_attach(struct bench_ctrs *, pid_t tid);
/* Close every thread's events (read the totals first). */
void	bench_ctrs_detach_all(struct bench_ctrs *);
int	bench_ctrs_nthreads(const struct bench_ctrs *);
/* Reset and enable on all attached threads; counts are per start/stop. */
void	bench_ctrs_start(struct bench_ctrs *);
void	bench_ctrs_stop(struct bench_ctrs *);
/*
 * Sum over attached threads, each scaled by time_enabled/time_running when
 * multiplexed (*multiplexed is then set).  values[i] is meaningless (NaN)
 * when event i is not available.
 */
void	bench_ctrs_read(struct bench_ctrs *, double values[BENCH_CTR_MAX],
	    bool *multiplexed);
/* "user+kernel" or "user only (perf_event_paranoid=2)". */
const char *bench_ctrs_mode(const struct bench_ctrs *);
/* Whether the generic hardware cycles event opens here (in our mode),
 * whatever events the set holds: the JSON context's "PMU available". */
bool	bench_ctrs_pmu_available(const struct bench_ctrs *);
/* /proc/sys/kernel/perf_event_paranoid, or -99 when unreadable. */
int	bench_ctrs_paranoid(void);
/* List the libpfm4 events available on this machine (`reapbench list`). */
void	bench_ctrs_list(FILE *);

#endif /* BENCH_COUNTERS_H */
