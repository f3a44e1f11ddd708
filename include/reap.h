/*
 * reap.h - the common interface of every exit/reap design.
 *
 * One binary holds all designs.  Each design defines one
 * `const struct reap_ops reap_design_<name>` and lists <name> in its
 * directory's module.mk (REAP_DESIGNS += <name>); the build generates the
 * NULL-terminated table reap_designs[] from those lists, so a new design is
 * a new directory.  Handles are opaque: each design defines its own
 * struct reap_sys, struct reap_proc and struct reap_lwp.
 *
 * Model.  An LWP is a design structure plus a *carrier*: the real pthread
 * that runs it after lwp_enter().  Every LWP a caller creates must get a
 * carrier promptly; the carrier runs it until lwp_exit()/proc_exit()
 * returns and never touches it again.  A thread acting on a model CPU has
 * called reap_cpu_set() first.
 *
 * Return conventions: lwp_wait() returns 0 or a positive errno, like the
 * kernels' syscalls; proc_wait() returns a pid (> 0), 0 (WNOHANG and
 * children still live) or a negative errno.  A bad argument is an errno,
 * never a crash: each operation below lists its errors.
 *
 * Races.  Every operation may run concurrently with every other on the
 * same process, including lwp_create with proc_exit and the last
 * lwp_exit, several waiters of one process in lwp_wait or proc_wait, and
 * observers' holds with any exit.  The comments on the operations say
 * what each race's outcome may be; the conformance suite checks them all
 * with the model kernel's random delays on (tests/conf_races.c).
 */
#ifndef REAP_H
#define REAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>		/* WNOHANG */

typedef int32_t lwpid_t;

struct reap_sys;
struct reap_proc;
struct reap_lwp;

#define REAP_DETACHED	0x1u	/* lwp_create: freed at exit, never joinable */

/*
 * Named stand-ins.  An exit releases what the model does not simulate
 * (address space, files, credentials, signal state, the thread's stack);
 * each design pays for it by name, at the step where its seed does and
 * under the seed's locks, the same names the same number of times per
 * LWP lifecycle (the first REAP_WORK_LWP names) and per process
 * lifecycle (the rest).  kern.h's enum kern_work lists them;
 * reap_work_name(i) is the name of the i-th ("vmspace_exit", ...), NULL
 * past the end.
 */
#define REAP_WORK_NAMES	8
#define REAP_WORK_LWP	2
const char *reap_work_name(unsigned i);

/* Model CPU of the calling thread (thread-local `curcpu`, -1 if unset). */
void	reap_cpu_set(int cpu);
int	reap_cpu_get(void);

struct reap_config {
	int	 ncpus;		/* model CPUs 0..ncpus-1 (>= 1) */
	unsigned hz;		/* tick rate for tick sleeps; 0 means 100 */
	/* Wall-clock length of one tick; 0 means 1e9/hz (real time).  The
	 * torture shortens it to compress model time: sleeps keep the seeds'
	 * tick counts (hz, hz/10, 1), the polls just come sooner. */
	uint64_t tick_ns;
	unsigned variant;	/* design-specific knob bits; 0 = as the seed */
	/* Wall ns of each named stand-in (kern_work), indexed as
	 * reap_work_name(); 0 = none, the default. */
	uint64_t work_ns[REAP_WORK_NAMES];
	/* Bind the calling thread to model CPU `cpu`'s PU: 0 or an errno.
	 * NULL: threads are not bound.  A design's own threads (reapers,
	 * taskqueues) are bound through this before they run. */
	int	(*bind)(int cpu, void *ctx);
	/* Memory for CPU `cpu`'s per-CPU data on its NUMA node; NULL means
	 * cache-line-aligned malloc.  cpu_free must then be set too. */
	void	*(*cpu_alloc)(int cpu, size_t size, void *ctx);
	void	(*cpu_free)(void *p, size_t size, void *ctx);
	void	*ctx;		/* passed to bind, cpu_alloc, cpu_free,
				   lat_record */
	/* Exit-to-free latency: the model kernel stamps one LWP exit in
	 * REAP_LAT_SAMPLE on each CPU and, where the design accounts that
	 * LWP's free, calls this on the freeing thread (cpu: its model CPU;
	 * several threads may share one).  NULL: nothing is stamped. */
	void	(*lat_record)(int cpu, uint64_t ns, void *ctx);
	/* Stamp one exit in lat_every instead (0: REAP_LAT_SAMPLE).  A
	 * harness gives every design of a configuration the same, except
	 * one it runs for fewer lifecycles, which it samples as much denser
	 * so that every design gets about as many samples. */
	unsigned lat_every;
	/* Where a harness waits for a quiesce point; NULL: it never does. */
	struct reap_quiesce_wait *quiesce_wait;
	/* Stamp the time of every LWP and process free (each freeing
	 * thread in its own books; reap_stats.last_free_ns): the harness's
	 * "all freed" figure.  Costs a clock read per free, every design
	 * alike; false: nothing is stamped. */
	bool	free_stamp;
};

/*
 * A harness waiting for the live counts (created - freed, as in
 * reap_stats) to come down to its targets: it sets rq_lwps and rq_procs,
 * takes key = reap_quiesce_prepare(), looks at the counts once more and
 * futex-waits on rq_word while it still holds key; reap_quiesce_done()
 * when it is through.  While a waiter is registered, each LWP or process
 * free sums the counts and, once both are at most their targets, bumps
 * the epoch (clearing the bit) and wakes rq_word.  With none registered a
 * free costs one load of a line nobody writes, and no fence: prepare
 * makes every thread of the process pass one (membarrier).
 */
struct reap_quiesce_wait {
	_Atomic uint32_t rq_word;	/* epoch << 1 | 1 while a waiter is */
	_Atomic int64_t	rq_lwps;	/* live LWPs the waiter waits for */
	_Atomic int64_t	rq_procs;	/* live processes */
};
uint32_t reap_quiesce_prepare(struct reap_quiesce_wait *);
void	reap_quiesce_done(struct reap_quiesce_wait *);

/* One LWP exit in REAP_LAT_SAMPLE per CPU is stamped, for every design. */
#define REAP_LAT_SAMPLE	64

/*
 * Counters of one reap_sys since sys_create.
 *
 * The books.  init (pid 1) and its master LWP are not counted: they live
 * as long as the system.  At a quiesce point where every process but init
 * has been reaped, created == freed for processes and LWPs and
 * zombies_now == 0, or the design leaks.  While a process lives, an LWP
 * that has exited may stay unfreed without a leak, counted in
 * zombies_now: a joinable zombie until lwp_wait collects it (or its
 * process is reaped), and at most one detached LWP per live process that
 * the design parks for reuse (netbsd's p_zomblwp, freed by the next
 * detached exit, recycled by lwp_create, drained by lwp_wait or freed
 * with the process; quiesce() need not free it).  So after a quiesce,
 * once the design's own reaper threads (if any) have caught up,
 * lwps_created - lwps_freed == live LWPs + zombies_now, and zombies_now
 * <= uncollected joinable zombies + one per live process.
 */
struct reap_stats {
	uint64_t procs_created, procs_freed;
	uint64_t lwps_created, lwps_freed;	/* logical lifecycles */
	uint64_t lwp_allocs;		/* LWPs taken from fresh memory */
	uint64_t lwp_recycled;		/* LWPs reused without a fresh alloc */
	uint64_t zombies_now;		/* LWPs exited, not yet freed */
	uint64_t zombies_peak;		/* max of zombies_now, a lower bound
					   (kern.h says what it may miss) */
	uint64_t reaper_wakeups;	/* runs of reaper/taskqueue threads */
	uint64_t sleeps;		/* blocking sleeps of any kind */
	uint64_t tick_sleeps;		/* sleeps ended by a tick timeout */
	uint64_t wakeups;		/* wakeup/broadcast calls issued */
	uint64_t futex_wakes;		/* FUTEX_WAKE syscalls made */
	uint64_t spins;			/* spin-wait backoff rounds */
	uint64_t last_free_ns;		/* CLOCK_MONOTONIC ns of the latest
					   LWP or process free, with
					   config.free_stamp; else 0 */
	uint64_t work[REAP_WORK_NAMES];	/* named stand-ins run, by name */
};

/*
 * A mutant: the design with one race put back (a seed's, or a synthetic
 * one that probes a mechanism), selected by config.variant bits.  Listed
 * in every build (reapbench list), honoured only in builds with
 * REAP_MUTANTS (the test builds); the torture tests must catch every one.
 */
struct reap_mutant {
	const char *name;	/* e.g. "netbsd-bcast-after-unlock" */
	unsigned variant;	/* reap_config.variant bits that enable it */
	const char *what;	/* one line: the race and its seed */
	/* "POINT:US[/N]": an injection point the harness widens (every hit,
	 * or every N-th, sleeps US) for this mutant and for its design's
	 * control runs, when the race window is too narrow to hit in
	 * seconds or needs one thread to overtake another; or NULL. */
	const char *widen;
	/* Where the bug comes from: "seed: <upstream identity> lines N-M
	 * (<function>)" when it restores a seed's code, or "synthetic: <why>"
	 * when it is made up to probe a mechanism no seed gets wrong. */
	const char *origin;
};

struct reap_ops {
	const char *name;	/* "dragonfly", "netbsd-2007", ... */
	const char *about;	/* one line: what it models */
	const struct reap_mutant *mutants;	/* {NULL}-terminated or NULL */

	/* Boot a system with init (pid 1, one master LWP, no carrier). */
	struct reap_sys	*(*sys_create)(const struct reap_config *);
	/* Free it; every process but init must have been reaped. */
	void	(*sys_destroy)(struct reap_sys *);
	/* init's master LWP: the harness runs init's wait loop on it. */
	struct reap_lwp	*(*sys_initlwp)(struct reap_sys *);
	/* Linux tids of the design's own threads (reapers, taskqueues);
	 * returns how many there are (may exceed max). */
	int	(*sys_threads)(struct reap_sys *, pid_t *tids, int max);

	/* fork: a new process, child of `parent` (NULL: init), with one
	 * joinable master LWP returned in *master, which needs a carrier. */
	struct reap_proc *(*proc_create)(struct reap_sys *,
		    struct reap_proc *parent, struct reap_lwp **master);
	pid_t	(*proc_pid)(struct reap_proc *);
	/*
	 * _lwp_create: a new LWP of a live process (flags: 0 or
	 * REAP_DETACHED); NULL once the process is exiting (proc_exit has
	 * begun, or its last LWP has exited).  The caller need not be an LWP
	 * of the process.  Racing proc_exit or the last lwp_exit, a call
	 * either returns NULL or returns an LWP that belongs to the process:
	 * it needs a carrier like any other; an exit that is killing the
	 * process kills it too (lwp_killed) and waits for it; the process
	 * is not a zombie until it has exited, and its status is still the
	 * exit's (proc_exit's argument, or 0).  Nothing is leaked either way.
	 */
	struct reap_lwp	*(*lwp_create)(struct reap_proc *, unsigned flags,
		    lwpid_t *lid);
	lwpid_t	(*lwp_id)(struct reap_lwp *);
	struct reap_proc *(*lwp_proc)(struct reap_lwp *);

	/* The calling thread becomes the LWP's carrier, on its curcpu. */
	void	(*lwp_enter)(struct reap_lwp *);
	/* userret: true once the process is exiting; the carrier must
	 * then call lwp_exit. */
	bool	(*lwp_killed)(struct reap_lwp *);
	/* _lwp_exit: the LWP exits; the last live LWP exits the process
	 * with status 0.  The carrier never touches the LWP again. */
	void	(*lwp_exit)(struct reap_lwp *);
	/*
	 * _lwp_wait: collect joinable zombie `lid` (0: any) of self's
	 * process; *departed (may be NULL) gets its id.  Several LWPs may
	 * wait at once, for any or for the same one: each joinable LWP is
	 * collected exactly once.  Returns 0 or, the first that applies:
	 *  EINVAL  lid names a detached LWP, self included (NetBSD 1.252
	 *	    checks detachment before identity, as pthread_join does);
	 *  EDEADLK lid is self;
	 *  EINTR   self has been killed (another LWP's proc_exit, before or
	 *	    during the call) and it collected nothing: a killed waiter
	 *	    gets neither ESRCH nor the EDEADLK below (the exit may have
	 *	    collected what it waited for);
	 *  ESRCH   lid (< 0, unknown, of another process, already collected)
	 *	    is no LWP of self's process; for lid 0: no other joinable
	 *	    LWP, live or zombie, exists (self alone, or detached ones);
	 *  EDEADLK lid waits for self, or every live LWP of the process is
	 *	    in lwp_wait and no zombie is there for any of them to
	 *	    collect (none can return).  An LWP that runs, or is being
	 *	    created, is not waiting, whether joinable or detached; one
	 *	    that has a zombie to collect is about to return.
	 */
	int	(*lwp_wait)(struct reap_lwp *self, lwpid_t lid,
		    lwpid_t *departed);
	/* exit1: kill every other LWP (each sees lwp_killed; one blocked in
	 * lwp_wait or proc_wait returns EINTR), wait until all have exited,
	 * LWPs created meanwhile included (see lwp_create), make the process
	 * a zombie with `status`, wake the parent, reparent children to init,
	 * exit self.  A racing second caller just exits (P_WEXIT); the
	 * parent gets the first caller's status. */
	void	(*proc_exit)(struct reap_lwp *self, int status);
	/*
	 * wait4: reap a zombie child (pid > 0: that one; -1: any) and free
	 * it.  options: 0 or WNOHANG.  *status (status may be NULL) gets the
	 * raw value the child passed to proc_exit, or 0 if its last LWP left
	 * by lwp_exit: not a wait(2) encoding (no W_EXITCODE, no WIFEXITED).
	 * Returns the child's pid; 0 with WNOHANG while matching children
	 * live but none is a zombie; or, the first that applies:
	 *  -EINVAL pid 0 or < -1 (process groups are not modelled), or an
	 *	    option other than WNOHANG;
	 *  -ECHILD self's process has no child matching pid (an unknown pid,
	 *	    init, a grandchild, one reaped already).  A waiter blocked
	 *	    when another LWP reaps the last matching child wakes and
	 *	    returns -ECHILD, as wait4 does;
	 *  -EINTR  without WNOHANG: self has been killed (another LWP's
	 *	    proc_exit, before or during the call) and no matching child
	 *	    was a zombie.
	 * Several LWPs of one process may reap at once, for -1 or the same
	 * pid: each zombie child is reaped (and its status returned) once.
	 */
	pid_t	(*proc_wait)(struct reap_lwp *self, pid_t pid, int *status,
		    int options);

	/*
	 * Observer lookup by pid (the kernels' pfind/proc_find plus a
	 * hold, as kill, ps, ptrace and /proc do): the process `pid`, held
	 * so that its memory is not freed until proc_rele; NULL if there
	 * is none: pid <= 0, unknown, a zombie, reaped.  A process whose
	 * exit has begun may or may not be returned (as its seed does:
	 * dragonfly finds it until it is a zombie, netbsd until SDYING).
	 * The caller may be any thread, an LWP of no process included.
	 *
	 * While held, the process stays readable: lwp_hold(p, lid) may be
	 * called on it (and returns NULL once the LWP has exited, the
	 * process's exit and reap included), proc_pid(p) still returns
	 * pid.  A hold delays the free of the process and nothing else
	 * beyond what its seed delays: a design whose seed drains process
	 * holds in exit (dragonfly's PSTALL before SZOMB, netbsd's
	 * p_reflock / 2007 proc_drainrefs) makes the exit and so the
	 * parent's wakeup wait for the holds it finds; the others let the
	 * process exit, become a zombie and be reaped (proc_wait returns
	 * its pid) while held, and free it at the last proc_rele.  Holds
	 * do not starve an exit: once an exit waits for holds, new lookups
	 * of the process fail (netbsd: SDYING and the p_reflock writer;
	 * hybrid, floor: nothing waits).  dragonfly keeps its seed's gap:
	 * pfind finds the process until SZOMB, so its exit completes the
	 * first time its PSTALL finds no hold; only holds that overlap
	 * without a break on one pid can delay it longer.  The process
	 * hold does not hold its LWPs: their exits wait only for LWP holds
	 * (lwp_hold).
	 */
	struct reap_proc *(*proc_hold)(struct reap_sys *, pid_t pid);
	/* Release a proc_hold hold; the last one of a reaped process frees
	 * it.  Never blocks. */
	void	(*proc_rele)(struct reap_proc *);

	/*
	 * Observer lookup: LWP `lid` of a process the caller keeps alive
	 * (its own, a child it has not reaped, or one it holds through
	 * proc_hold), held so it is not freed until lwp_rele; NULL if there is none
	 * (lid <= 0, unknown, gone).  Holds delay an exit but never starve
	 * it: an exiting LWP (in lwp_exit, a killed LWP's exit, or the LWP
	 * in proc_exit) stops being returned by lwp_hold before its exit
	 * waits for holds, so the exit completes once the holds already
	 * taken are released, however fast observers keep taking new ones.
	 * A zombie is never returned.
	 */
	struct reap_lwp	*(*lwp_hold)(struct reap_proc *, lwpid_t lid);
	void	(*lwp_rele)(struct reap_lwp *);

	/* Snapshot the counters: a pure read, safe inside a measured loop. */
	void	(*stats)(struct reap_sys *, struct reap_stats *);
	/* Finish reclamation the design defers lazily (NULL: it defers
	 * nothing that needs a push).  Harnesses call it only at quiesce
	 * points, e.g. through reap_stats_quiesced(); its cost is timed in
	 * the caller's thread when the caller is timed. */
	void	(*quiesce)(struct reap_sys *);
};

/* The registry: every design and variant, NULL-terminated (generated). */
extern const struct reap_ops *const reap_designs[];
/* Look a design up by name; NULL if unknown. */
const struct reap_ops *reap_find(const char *name);

/* Stats at a quiesce point: deferred reclamation first, then the read. */
static inline void
reap_stats_quiesced(const struct reap_ops *o, struct reap_sys *s,
    struct reap_stats *st)
{
	if (o->quiesce != NULL)
		o->quiesce(s);
	o->stats(s, st);
}

/*
 * Boot helper for harnesses (tests, bench, torture): creates the system
 * and runs init's wait loop on a thread of its own (bound to CPU 0), so
 * that orphans reparented to init are reaped.  reap_halt() lets init reap
 * everything left, stops the loop, snapshots the stats into *final (may be
 * NULL) and destroys the system.  It returns -1, destroying nothing, if
 * init still has children after `timeout_ms` (a leak or a hang), and -2 if
 * the final stats do not balance (created != freed, zombies left).
 * A harness parents the processes it forks to one of its own processes,
 * never to init, and exits those before halting.
 */
struct reap_boot;
struct reap_boot *reap_boot(const struct reap_ops *, const struct reap_config *);
struct reap_sys	*reap_boot_sys(struct reap_boot *);
const struct reap_ops *reap_boot_ops(struct reap_boot *);
int	reap_halt(struct reap_boot *, unsigned timeout_ms,
	    struct reap_stats *final);

#endif /* REAP_H */
