/*
 * cmd_list.c - `reapbench list`: the designs and their variants and
 * mutants, the workloads, pin policies, matrices and the counter events
 * of this machine.
 */
#include <string.h>

#include "driver.h"

/* "netbsd-2007" is a variant of "netbsd" when that is a design too. */
static bool
is_variant(const char *name)
{
	const char *dash = strchr(name, '-');
	char base[64];

	if (dash == NULL || (size_t)(dash - name) >= sizeof(base))
		return false;
	memcpy(base, name, (size_t)(dash - name));
	base[dash - name] = '\0';
	return reap_find(base) != NULL;
}

static void
list_designs(void)
{
	printf("designs:\n");
	for (int i = 0; reap_designs[i] != NULL; i++) {
		const struct reap_ops *o = reap_designs[i];

		printf("  %-16s %s%s\n", o->name,
		    is_variant(o->name) ? "[variant] " : "",
		    o->about != NULL ? o->about : "");
		for (const struct reap_mutant *m = o->mutants;
		    m != NULL && m->name != NULL; m++)
			printf("  %-16s   mutant %s (test builds only): %s\n"
			    "  %-16s     origin %s\n", "", m->name, m->what, "",
			    m->origin);
	}
	printf("  %-16s the OS's own pthreads (reference)\n", "native");
}

static void
list_workloads(void)
{
	printf("workloads:\n");
	for (int i = 0; i < BW_NWORKLOADS; i++)
		printf("  %-16s %s%s\n", bench_workloads[i].name,
		    bench_workloads[i].about,
		    bench_workloads[i].native ? " [+native]" : "");
	printf("  %-16s teardown sizes T:", "");
	for (int i = 0; bench_teardown_sizes[i] != 0; i++)
		printf(" %d", bench_teardown_sizes[i]);
	printf("; storm %d x %d\n", BENCH_STORM_PROCS, BENCH_STORM_LWPS);
	printf("  %-16s the wrapper's per-iteration overhead\n", "empty");
	printf("  %-16s floor's allocation work per lifecycle, bare: floor "
	    "minus it is the harness's cost\n", "bare");
}

static void
list_events(void)
{
	struct ctr_set *c;
	char err[256];

	printf("counter events on this machine (perf_event_paranoid=%d):\n",
	    ctr_set_paranoid());
	if ((c = ctr_set_create(NULL, err, sizeof(err))) != NULL) {
		for (int i = 0; i < ctr_set_nevents(c); i++) {
			const struct ctr_event *e = ctr_set_event(c, i);

			printf("  %-16s %s%s%s\n", e->name,
			    e->hw ? "hardware " : "software ",
			    e->available ? "available" : "unavailable: ",
			    e->available ? "" : e->reason);
		}
		printf("  mode: %s\n", ctr_set_mode(c));
		ctr_set_destroy(c);
	} else
		printf("  (cannot open counters: %s)\n", err);
	printf("libpfm4 events (--events takes any of them):\n");
	fflush(stdout);
	ctr_set_list(stdout);
}

int
cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		usage_error("list takes no arguments");
	list_designs();
	list_workloads();
	printf("pin policies:");
	for (int i = 0; i < PIN_NPOLICIES; i++)
		printf(" %s", pin_policy_name((enum pin_policy)i));
	printf("\nmatrices: default, full, smoke\n");
	list_events();
	return 0;
}
