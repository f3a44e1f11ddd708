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
 * around and sets oversubscribed; it is allowed, never hidden.
 */
#ifndef BENCH_PIN_H
#define BENCH_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum bench_pin_policy {
	BENCH_PIN_COMPACT,
	BENCH_PIN_SCATTER,
	BENCH_PIN_SPLIT,
	BENCH_PIN_NONE,
};
#define BENCH_PIN_NPOLICIES	4

/* "compact", "scatter", "split", "none" -> *out; 0, or -1 if unknown. */
int	bench_pin_policy_parse(const char *s, enum bench_pin_policy *out);
/* The policy's name as parsed; "?" for an out-of-range value. */
const char *bench_pin_policy_name(enum bench_pin_policy);

struct bench_topo;	/* wraps an hwloc_topology_t; opaque */

/*
 * spec NULL: this machine; a path ending in ".xml": an hwloc XML export;
 * anything else: an hwloc synthetic string such as
 * "pack:2 numa:2 core:4 pu:2".  Returns NULL with a one-line message in
 * err on failure.
 */
struct bench_topo *bench_topo_load(const char *spec, char *err,
	    size_t errlen);
void	bench_topo_free(struct bench_topo *);
int	bench_topo_npus(const struct bench_topo *);
int	bench_topo_nnodes(const struct bench_topo *);	/* >= 1 */
int	bench_topo_ncores(const struct bench_topo *);
/* True only for a topology loaded with spec NULL (binding is meaningful). */
bool	bench_topo_is_this_machine(const struct bench_topo *);
/* Write the topology as hwloc XML via path.tmp + rename.  0 or errno. */
int	bench_topo_export_xml(const struct bench_topo *, const char *path);
/* "1 package, 1 NUMA node, 2 cores, 2 PUs" */
void	bench_topo_summary(const struct bench_topo *, char *buf, size_t len);

struct bench_plan {
	enum bench_pin_policy policy;
	int	ncpus;		/* model CPUs */
	int	*pu;		/* per model CPU: PU OS index, -1 for none */
	int	*node;		/* per model CPU: NUMA node OS index, -1 none */
	int	nexit;		/* split: [0,nexit) exit side, [nexit,ncpus)
				   reap side; other policies: ncpus */
	bool	oversubscribed;	/* more model CPUs than PUs (of a side) */
};

/* 0, or -1 with a one-line message in err (ncpus < 1, no PUs...). */
int	bench_plan_make(const struct bench_topo *, enum bench_pin_policy,
	    int ncpus, struct bench_plan *out, char *err, size_t errlen);
void	bench_plan_free(struct bench_plan *);
/* Human-readable table: model CPU -> PU, core, node, side; flags
 * oversubscription. */
void	bench_plan_print(const struct bench_topo *, const struct bench_plan *,
	    FILE *);
/* The core (logical index, -1 unknown) holding PU os index pu. */
int	bench_topo_pu_core(const struct bench_topo *, int pu);

/*
 * Bind the calling thread to model CPU cpu's PU (hwloc_set_cpubind with
 * HWLOC_CPUBIND_THREAD).  The NONE policy is a no-op returning 0.  Returns
 * 0 or an errno (EINVAL for a topology that is not this machine or a bad
 * cpu); it never silently falls back to running unbound.
 */
int	bench_pin_bind(const struct bench_topo *, const struct bench_plan *,
	    int cpu);
/* sched_getcpu() of the calling thread, or -1. */
int	bench_pin_where(void);

/*
 * size bytes, zeroed, bound to cpu's NUMA node (hwloc_alloc_membind with
 * HWLOC_MEMBIND_BIND).  Falls back to a page-aligned allocation only when
 * the topology has one node or the OS does not support membind, and then
 * bench_pin_membind_note() says so.  NULL on allocation failure.  Free
 * with bench_pin_free(same topo, p, same size).
 */
void	*bench_pin_alloc(const struct bench_topo *, const struct bench_plan *,
	    int cpu, size_t size);
void	bench_pin_free(const struct bench_topo *, void *p, size_t size);
/* NULL while every allocation was node-bound; otherwise why not. */
const char *bench_pin_membind_note(void);

#endif /* BENCH_PIN_H */
