/*
 * topology.c - fuzz target: `--topology SPEC` (run and plan), an hwloc
 * synthetic description such as "pack:2 numa:2 core:4 pu:2", loaded by
 * pin_topo_load() and planned under every policy as `reapbench plan`
 * does.  A description it refuses must be one line naming the topology.
 *
 * Topologies of more than FUZZ_MAX_PUS PUs are only checked against the
 * bound (pin_synthetic_pus), not built: hwloc takes seconds for a few
 * thousand, which would read as a hang to the fuzzer.
 */
#include "fuzz.h"
#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "topology";

#define FUZZ_MAX_PUS	64

/*
 * hwloc's synthetic parser (2.9.0, and upstream to this day) leaks the
 * attached objects ("[numa]") of a description it then refuses: after
 * its parse loop, hwloc_backend_synthetic_init() returns -1 without
 * hwloc_synthetic_free_levels() (found here: "pack:4 [numa]").  hwloc is
 * built without frame pointers, so the leak's stack ends in libhwloc and
 * cannot be told apart by function: leaks inside libhwloc are not
 * reported by this target.  tests/test_pin (ASan, leak checking) loads
 * and frees topologies, so pin.c forgetting one is still caught there.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libhwloc.so\n";
}

static void
plans(const struct pin_topo *t, FILE *out)
{
	int npus = pin_topo_npus(t);
	int ncpus[] = { 1, 2, npus, npus + 1, 2 * npus + 1 };
	char err[512], sum[256];

	pin_topo_summary(t, sum, sizeof(sum));
	for (int p = 0; p < PIN_NPOLICIES; p++)
		for (size_t k = 0; k < sizeof(ncpus) / sizeof(ncpus[0]); k++) {
			struct pin_plan plan;

			if (pin_plan_make(t, (enum pin_policy)p, ncpus[k], &plan,
			    err, sizeof(err)) != 0) {
				fuzz_check_error(err, "");
				continue;
			}
			pin_plan_print(t, &plan, out);
			for (int c = 0; c < plan.ncpus; c++)
				(void)pin_topo_pu_core(t, plan.pu[c]);
			pin_plan_free(&plan);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *out;
	char *spec = fuzz_string(data, size), err[1024];
	struct pin_topo *t;
	long long bound = pin_synthetic_pus(spec);

	if (out == NULL && (out = fopen("/dev/null", "w")) == NULL)
		abort();
	hwloc_keep_loaded();
	if (bound > FUZZ_MAX_PUS && bound <= PIN_MAX_PUS) {
		free(spec);
		return 0;
	}
	if ((t = pin_topo_load(spec, err, sizeof(err))) == NULL)
		fuzz_check_error(err, "topology");
	else {
		plans(t, out);
		pin_topo_free(t);
	}
	free(spec);
	return 0;
}
