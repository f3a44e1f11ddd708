/*
 * cmd_plan.c - `reapbench plan [--topology SPEC] [--pin P] [--cpus N]`:
 * where each policy would put N model CPUs on a topology (this machine,
 * an hwloc XML file or a synthetic description).
 */
#include <string.h>

#include "driver.h"

int
cmd_plan(int argc, char **argv)
{
	const char *topo_spec = NULL, *pin = NULL;
	enum pin_policy want = PIN_COMPACT;
	int cpus = 0;
	char err[256], sum[256];
	struct pin_topo *topo;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--topology") == 0 && i + 1 < argc)
			topo_spec = argv[++i];
		else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc)
			pin = argv[++i];
		else if (strcmp(argv[i], "--cpus") == 0 && i + 1 < argc)
			cpus = parse_int("--cpus", argv[++i], 1, 100000);
		else
			usage_error("plan: unknown or incomplete option '%s' "
			    "(see 'reapbench --help')", argv[i]);
	}
	if (pin != NULL && pin_policy_parse(pin, &want) != 0)
		usage_error("unknown pin policy '%s' (compact, scatter, split, "
		    "none)", pin);
	if ((topo = pin_topo_load(topo_spec, err, sizeof(err))) == NULL)
		usage_error("--topology %s: %s", topo_spec ? topo_spec :
		    "(this machine)", err);
	if (cpus == 0)
		cpus = pin_topo_npus(topo);
	pin_topo_summary(topo, sum, sizeof(sum));
	printf("topology: %s\n", sum);
	for (int p = 0; p < PIN_NPOLICIES; p++) {
		enum pin_policy pol = (enum pin_policy)p;
		struct pin_plan plan;

		if (pin != NULL && want != pol)
			continue;
		if (pin_plan_make(topo, pol, cpus, &plan, err,
		    sizeof(err)) != 0)
			usage_error("plan %s: %s", pin_policy_name(pol), err);
		printf("\npolicy %s, %d model cpus:\n", pin_policy_name(pol),
		    cpus);
		pin_plan_print(topo, &plan, stdout);
		pin_plan_free(&plan);
	}
	pin_topo_free(topo);
	return 0;
}
