/*
 * counters.h - per-thread perf_event_open counters for reapbench.
 *
 * Hardware event names are encoded by libpfm4 (any name `reapbench list`
 * shows), except the defaults cycles, instructions and cache-misses: the
 * kernel's generic hardware events, which it maps to each PMU model's own.
 * The software events task-clock, context-switches and cpu-migrations are
 * always added.  Every event is opened per thread (no
 * inherit unless asked: ctr_set_attach_inherit) on every thread attached - workers, carriers and the design's
 * reapers alike - and the read sums over threads, scaled by
 * time_enabled/time_running when the kernel multiplexed the counter.
 *
 * An event the kernel or hardware refuses is not an error: it stays in the
 * set marked unavailable, with the reason (errno string and
 * perf_event_paranoid), and its value must never be printed as a number.
 * Kernel-mode counting is excluded when perf_event_paranoid >= 2, and
 * ctr_set_mode() says which mode was counted.  The exception is
 * context-switches and cpu-migrations: the kernel records them in kernel
 * context, so excluding the kernel would read a false 0; they are always
 * opened with kernel mode included, and are unavailable (with the reason)
 * where that is not permitted.
 */
#ifndef PLATFORM_COUNTERS_H
#define PLATFORM_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CTR_MAX	16

struct ctr_event {
	char	name[128];	/* as requested, e.g. "cycles" */
	bool	available;	/* opened on every attached thread so far */
	char	reason[160];	/* why not, when !available */
	bool	hw;		/* hardware (libpfm4) vs software event */
};

struct ctr_set;	/* a set of events opened on a list of threads */

/*
 * events_csv NULL: "cycles,instructions,cache-misses".  The software events
 * task-clock, context-switches and cpu-migrations are appended always (not
 * twice if named).  A name libpfm4 does not know returns NULL with a
 * one-line message in err.  The availability of each event is probed on
 * the calling thread at creation.
 */
struct ctr_set *ctr_set_create(const char *events_csv, char *err,
	    size_t errlen);
void	ctr_set_destroy(struct ctr_set *);
int	ctr_set_nevents(const struct ctr_set *);
const struct ctr_event *ctr_set_event(const struct ctr_set *,
	    int i);
/* Index of the event named name, or -1. */
int	ctr_set_find(const struct ctr_set *, const char *name);
/* The perf_event_attr event i is opened with (<linux/perf_event.h>), as
 * encoded whether or not this machine can count it; NULL if no such i. */
struct perf_event_attr;
const struct perf_event_attr *ctr_set_attr(const struct ctr_set *, int i);

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
int	ctr_set_attach(struct ctr_set *, pid_t tid);
/*
 * The same with inherit: the threads and processes tid creates after the
 * attach are counted into its events (the kernel adds a child's counts
 * when it exits), so a thread that forks or creates threads inside the
 * measurement (`native`) is counted with everything it made.  A thread
 * whose children are attached themselves must not be attached so (they
 * would count twice).
 */
int	ctr_set_attach_inherit(struct ctr_set *, pid_t tid);
/* Close every thread's events (read the totals first). */
void	ctr_set_detach_all(struct ctr_set *);
int	ctr_set_nthreads(const struct ctr_set *);
/* Reset and enable on all attached threads; counts are per start/stop. */
void	ctr_set_start(struct ctr_set *);
void	ctr_set_stop(struct ctr_set *);
/*
 * Sum over attached threads, each scaled by time_enabled/time_running when
 * multiplexed (*multiplexed is then set).  values[i] is meaningless (NaN)
 * when event i is not available.
 */
void	ctr_set_read(struct ctr_set *, double values[CTR_MAX],
	    bool *multiplexed);
/* "user+kernel" or "user only (perf_event_paranoid=2)". */
const char *ctr_set_mode(const struct ctr_set *);
/* Whether the generic hardware cycles event opens here (in our mode),
 * whatever events the set holds: the JSON context's "PMU available". */
bool	ctr_set_pmu_available(const struct ctr_set *);
/* /proc/sys/kernel/perf_event_paranoid, or -99 when unreadable. */
int	ctr_set_paranoid(void);
/* List the libpfm4 events available on this machine (`reapbench list`). */
void	ctr_set_list(FILE *);

#endif /* PLATFORM_COUNTERS_H */
