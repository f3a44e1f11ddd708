/* fuzz_hwloc.c - hwloc_keep_loaded() (fuzz.h), for the targets using hwloc. */
#include "fuzz.h"

#include <hwloc.h>
#include <stdlib.h>

void
hwloc_keep_loaded(void)
{
	static hwloc_topology_t keep;

	if (keep == NULL && hwloc_topology_init(&keep) != 0)
		abort();
}
