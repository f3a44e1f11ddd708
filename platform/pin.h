/*
 * pin.h - hwloc topology, pinning plans and NUMA-local memory for reapbench.
 *
 * A run has ncpus "model CPUs" (the kern_cpu instances of the model kernel).
 * A plan maps each model CPU to one hardware PU (processing unit) of a
 * topology under a named policy.  The topology may be this machine, an hwloc
 * XML file or an hwloc synthetic description, so that plans are computable
 * and testable for machines we do not have.  Binding and NUMA allocation are
 * only meaningful for this machine's topology.
 *
 * Policies:
 *   compact  fill the PUs of a core, then the next core, then the next node.
 *   scatter  round-robin over NUMA nodes, then over cores inside a node;
 *            every core gets one PU before any core gets its SMT sibling.
 *   split    model CPUs [0, nexit) are the exit side, [nexit, ncpus) the
 *            reap side; the sides live on different NUMA nodes, or on
 *            different cores when there is one node.
 *   none     no binding at all (pu[] is -1).
 * More model CPUs than PUs (of the machine, or of a split side) wraps
 * around and sets oversubscribed; a plan may say so (tests, --plan), but
 * the benchmark never runs one: it skips the configuration and records
 * why (bench_env_open).
 *
 * The harness's own threads are part of the plan.  The leader (Google
 * Benchmark's thread) gets leader_pu: a PU no model CPU uses when there is
 * one, else the last model CPU's; it sleeps while the workers run.  init's
 * wait loop and the shell block in proc_wait on model CPU 0 and the first
 * reap-side CPU, holders park on the exit CPUs: none of them runs while
 * the workers do.  Threads that do run beside the workers (observers) get
 * model CPUs of their own on the spare PUs when there are enough, else
 * they share their worker's PU with a bounded back-off.
 */
#ifndef PLATFORM_PIN_H
#define PLATFORM_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum pin_policy {
	PIN_COMPACT,
	PIN_SCATTER,
	PIN_SPLIT,
	PIN_NONE,
};
#define PIN_NPOLICIES	4

/* "compact", "scatter", "split", "none" -> *out; 0, or -1 if unknown. */
int	pin_policy_parse(const char *s, enum pin_policy *out);
/* The policy's name as parsed; "?" for an out-of-range value. */
const char *pin_policy_name(enum pin_policy);

struct pin_topo;	/* wraps an hwloc_topology_t; opaque */

/*
 * spec NULL: this machine; a path ending in ".xml": an hwloc XML export;
 * anything else: an hwloc synthetic string such as
 * "pack:2 numa:2 core:4 pu:2" of at most PIN_MAX_PUS PUs whose OS indexes
 * are at most PIN_MAX_OS_INDEX.  Returns NULL
 * with a one-line message in err on failure.
 */
struct pin_topo *pin_topo_load(const char *spec, char *err,
	    size_t errlen);
/* Bigger synthetic topologies are refused: hwloc takes seconds per
 * thousand PUs to build one, and no machine this runs on is bigger. */
#define PIN_MAX_PUS	4096
/* ... and so are OS indexes (indexes=) above this: hwloc's bitmaps grow
 * to the largest. */
#define PIN_MAX_OS_INDEX	65535
/* An upper bound on the PUs of a synthetic description (the product of
 * its arities; PIN_MAX_PUS + 1 when above). */
long long pin_synthetic_pus(const char *spec);
void	pin_topo_free(struct pin_topo *);
int	pin_topo_npus(const struct pin_topo *);
int	pin_topo_nnodes(const struct pin_topo *);	/* >= 1 */
int	pin_topo_ncores(const struct pin_topo *);
/* True only for a topology loaded with spec NULL (binding is meaningful). */
bool	pin_topo_is_this_machine(const struct pin_topo *);
/* Write the topology as hwloc XML via path.tmp + rename.  0 or errno. */
int	pin_topo_export_xml(const struct pin_topo *, const char *path);
/* "1 package, 1 NUMA node, 2 cores, 2 PUs" */
void	pin_topo_summary(const struct pin_topo *, char *buf, size_t len);

struct pin_plan {
	enum pin_policy policy;
	int	ncpus;		/* model CPUs */
	int	*pu;		/* per model CPU: PU OS index, -1 for none */
	int	*node;		/* per model CPU: NUMA node OS index, -1 none */
	int	nexit;		/* split: [0,nexit) exit side, [nexit,ncpus)
				   reap side; other policies: ncpus */
	bool	oversubscribed;	/* more model CPUs than PUs (of a side) */
	int	leader_pu;	/* the leader's PU OS index, -1: unbound */
	int	nspare;		/* PUs no model CPU uses */
	int	*spare;		/* [nspare] their OS indices, logical order */
};

/* 0, or -1 with a one-line message in err (ncpus < 1, no PUs...). */
int	pin_plan_make(const struct pin_topo *, enum pin_policy,
	    int ncpus, struct pin_plan *out, char *err, size_t errlen);
void	pin_plan_free(struct pin_plan *);
/* Human-readable table: model CPU -> PU, core, node, side; flags
 * oversubscription. */
void	pin_plan_print(const struct pin_topo *, const struct pin_plan *,
	    FILE *);
/* The core (logical index, -1 unknown) holding PU os index pu. */
int	pin_topo_pu_core(const struct pin_topo *, int pu);
/* The NUMA node (OS index, -1 unknown) holding PU os index pu. */
int	pin_topo_pu_node(const struct pin_topo *, int pu);

/*
 * Bind the calling thread to model CPU cpu's PU (hwloc_set_cpubind with
 * HWLOC_CPUBIND_THREAD).  The NONE policy is a no-op returning 0.  Returns
 * 0 or an errno (EINVAL for a topology that is not this machine or a bad
 * cpu); it never silently falls back to running unbound.
 */
int	pin_bind(const struct pin_topo *, const struct pin_plan *,
	    int cpu);
/* The same for the leader: its PU, or nothing under policy none. */
int	pin_bind_leader(const struct pin_topo *, const struct pin_plan *);
/* sched_getcpu() of the calling thread, or -1. */
int	pin_where(void);

/*
 * size bytes, zeroed, bound to cpu's NUMA node (hwloc_alloc_membind with
 * HWLOC_MEMBIND_BIND).  Falls back to a page-aligned allocation only when
 * the topology has one node or the OS does not support membind, and then
 * pin_membind_note() says so.  NULL on allocation failure.  Free
 * with pin_free(same topo, p, same size).
 */
void	*pin_alloc(const struct pin_topo *, const struct pin_plan *,
	    int cpu, size_t size);
void	pin_free(const struct pin_topo *, void *p, size_t size);
/* NULL while every allocation was node-bound; otherwise why not. */
const char *pin_membind_note(void);
/* Why pin_alloc() will not bind on t, as far as is known before any
 * allocation (one node, not this machine, no OS support); NULL if it will. */
const char *pin_membind_expect(const struct pin_topo *);
/*
 * Where the kernel holds the pages of [p, p + size) now, asked with
 * hwloc_get_area_memlocation (move_pages(2) in query mode on Linux), not
 * where the policy asked for them: the NUMA node's OS index, -1 when
 * unknown (no page present, no OS support, not this machine), -2 when the
 * pages are spread over several nodes.
 */
int	pin_mem_node(const struct pin_topo *, const void *p, size_t size);

#endif /* PLATFORM_PIN_H */
