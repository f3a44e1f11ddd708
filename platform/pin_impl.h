/*
 * pin_impl.h - what pin.c and pin_topo.c share: the PU table of a loaded
 * topology.  Not for other modules (they use pin.h).
 */
#ifndef PLATFORM_PIN_IMPL_H
#define PLATFORM_PIN_IMPL_H

#include <stdbool.h>

#include <hwloc.h>

#include "pin.h"

/* One PU of the topology, in hwloc logical order. */
struct pin_pu {
	int	os;		/* PU OS index */
	int	core;		/* core rank: dense 0.. in logical order */
	int	node;		/* NUMA node rank: dense 0.. in logical order */
	int	smt;		/* rank of this PU inside its core: 0, 1.. */
};

/*
 * A loaded topology.  Immutable after pin_topo_load(), so every field is
 * read without locks by any thread (hwloc documents read-only use of a
 * loaded topology, binding included, as thread-safe).
 */
struct pin_topo {
	hwloc_topology_t topo;
	bool	thissystem;
	int	npus;
	int	ncores;		/* cores holding PUs; a PU with no core
				   object counts as its own core */
	int	nnodes;		/* NUMA nodes holding PUs (>= 1) */
	int	npackages;
	struct pin_pu *pus;	/* [npus] in logical order */
	int	*node_os;	/* [nnodes] OS index of node rank i */
};

/* The PU of OS index os in t's table, or NULL (pin_topo.c). */
const struct pin_pu *pin_topo_pu(const struct pin_topo *t, int os);

#endif /* PLATFORM_PIN_IMPL_H */
