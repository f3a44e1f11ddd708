/*
 * test_pmu_models.c - the perf_event_attr a user gets on real hardware, per
 * PMU model, from platform/counters.c's encoder.
 *
 * This machine's PMU cannot count, but libpfm4 loads one model's event
 * tables when LIBPFM_FORCE_PMU names it (libpfm.3: "only that one model is
 * activated"; read once, by pfm_initialize).  Each model is therefore
 * encoded in a child process of its own, forked before this process has
 * initialised libpfm4, and the attrs are held to encodings taken from
 * outside the code path: the vendors' event codes as libpfm4's tables and
 * the manuals give them (event | umask << 8 | inv << 23 | cmask << 24;
 * offcore response bits in config1), and the kernel's own maps of the
 * generic events to each model (arch/x86/events: intel_perfmon_event_map,
 * amd_zen1/zen2_perfmon_event_map).
 *
 * The defaults (cycles, instructions, cache-misses) are the kernel's
 * generic hardware events whatever the model; the model's own name for
 * the same quantity must encode to the raw event the kernel maps the
 * generic one to, so a user who asks for it by --events counts the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "counters.h"
#include "rt.h"

struct pmu_event {
	const char *name;	/* as a user passes it to --events */
	uint32_t type;
	uint64_t config, config1;
};

struct pmu_model {
	const char *pmu;	/* libpfm4's PMU name (LIBPFM_FORCE_PMU) */
	const char *foreign;	/* an event only the other vendor has */
	struct pmu_event ev[8];
};

/* Raw x86 encodings: event select, unit mask, inv, counter mask. */
#define X86(ev, umask)		((uint64_t)(ev) | (uint64_t)(umask) << 8)
#define X86_INV			(1ull << 23)
#define X86_CMASK(n)		((uint64_t)(n) << 24)

static const struct pmu_model models[] = {
	/* Intel Skylake; the first three are intel_perfmon_event_map's
	 * cycles, instructions, cache-misses (SDM architectural events). */
	{ "skl", "RETIRED_INSTRUCTIONS", {
		{ "UNHALTED_CORE_CYCLES", PERF_TYPE_RAW, X86(0x3c, 0x00), 0 },
		{ "INST_RETIRED:ANY_P", PERF_TYPE_RAW, X86(0xc0, 0x00), 0 },
		{ "LONGEST_LAT_CACHE:MISS", PERF_TYPE_RAW, X86(0x2e, 0x41), 0 },
		{ "INST_RETIRED:ANY_P:c=1:i", PERF_TYPE_RAW,
		    X86(0xc0, 0x00) | X86_INV | X86_CMASK(1), 0 },
		{ "MEM_LOAD_RETIRED:L3_MISS", PERF_TYPE_RAW, X86(0xd1, 0x20),
		    0 },
		/* MSR_OFFCORE_RSP_0: request bit 0 (demand data read),
		 * supplier bit 26 (L3 miss, local DRAM), snoop bits 31-37
		 * (any: libpfm4's default). */
		{ "OFFCORE_RESPONSE_0:DMND_DATA_RD:L3_MISS_LOCAL", PERF_TYPE_RAW,
		    X86(0xb7, 0x01), 1ull | 1ull << 26 | 0x7full << 31 },
		{ NULL, 0, 0, 0 } } },
	/* Intel Ice Lake: the same architectural events. */
	{ "icl", "CYCLES_NOT_IN_HALT", {
		{ "UNHALTED_CORE_CYCLES", PERF_TYPE_RAW, X86(0x3c, 0x00), 0 },
		{ "INST_RETIRED:ANY_P", PERF_TYPE_RAW, X86(0xc0, 0x00), 0 },
		{ "LONGEST_LAT_CACHE:MISS", PERF_TYPE_RAW, X86(0x2e, 0x41), 0 },
		{ "BR_MISP_RETIRED:ALL_BRANCHES", PERF_TYPE_RAW,
		    X86(0xc5, 0x00), 0 },
		{ NULL, 0, 0, 0 } } },
	/* AMD Zen 2; the first three are amd_zen1/zen2_perfmon_event_map's
	 * cycles (0x76), instructions (0xc0), cache-misses (0x0964: L2
	 * requests that missed, LS_RD_BLK_C 0x08 | IC_FILL_MISS 0x01). */
	{ "amd64_fam17h_zen2", "INST_RETIRED:ANY_P", {
		{ "CYCLES_NOT_IN_HALT", PERF_TYPE_RAW, X86(0x76, 0x00), 0 },
		{ "RETIRED_INSTRUCTIONS", PERF_TYPE_RAW, X86(0xc0, 0x00), 0 },
		{ "CORE_TO_L2_CACHEABLE_REQUEST_ACCESS_STATUS:LS_RD_BLK_C:"
		    "IC_FILL_MISS", PERF_TYPE_RAW, X86(0x64, 0x09), 0 },
		{ "RETIRED_INSTRUCTIONS:c=1:i", PERF_TYPE_RAW,
		    X86(0xc0, 0x00) | X86_INV | X86_CMASK(1), 0 },
		{ "RETIRED_BRANCH_INSTRUCTIONS_MISPREDICTED", PERF_TYPE_RAW,
		    X86(0xc3, 0x00), 0 },
		{ NULL, 0, 0, 0 } } },
	/* AMD Zen 3: the same map. */
	{ "amd64_fam19h_zen3", "UNHALTED_CORE_CYCLES", {
		{ "CYCLES_NOT_IN_HALT", PERF_TYPE_RAW, X86(0x76, 0x00), 0 },
		{ "RETIRED_INSTRUCTIONS", PERF_TYPE_RAW, X86(0xc0, 0x00), 0 },
		{ "CORE_TO_L2_CACHEABLE_REQUEST_ACCESS_STATUS:LS_RD_BLK_C:"
		    "IC_FILL_MISS", PERF_TYPE_RAW, X86(0x64, 0x09), 0 },
		{ NULL, 0, 0, 0 } } },
};

/* The defaults, as the kernel's generic hardware events. */
static const struct pmu_event generic[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0 },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0 },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, 0 },
};

/* Run fn(arg) in a child with LIBPFM_FORCE_PMU=pmu (NULL: unset); the
 * child's own FAIL line says why when it fails. */
static void
in_child(const char *pmu, void (*fn)(const void *), const void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	RT_ASSERTF(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (pmu != NULL)
			setenv("LIBPFM_FORCE_PMU", pmu, 1);
		else
			unsetenv("LIBPFM_FORCE_PMU");
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	RT_ASSERT(waitpid(pid, &status, 0) == pid);
	RT_ASSERTF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child for %s failed (its FAIL line above)", pmu ? pmu :
	    "the unforced library");
}

static void
expect_attr(const struct ctr_set *c, const struct pmu_event *e,
    const char *pmu)
{
	int i = ctr_set_find(c, e->name);
	const struct perf_event_attr *a = ctr_set_attr(c, i);

	RT_ASSERTF(a != NULL, "%s: %s not in the set", pmu, e->name);
	RT_ASSERTF(a->type == e->type && a->config == e->config &&
	    a->config1 == e->config1, "%s: %s: type %u config %#llx config1 "
	    "%#llx, expected %u %#llx %#llx", pmu, e->name, a->type,
	    (unsigned long long)a->config, (unsigned long long)a->config1,
	    e->type, (unsigned long long)e->config,
	    (unsigned long long)e->config1);
	/* The privilege levels follow the counting mode, not the name. */
	RT_EQ(a->exclude_kernel, ctr_set_paranoid() >= 2);
	RT_EQ(a->exclude_user, 0);
	RT_EQ(ctr_set_event(c, i)->hw, true);
}

/* Only the forced model is active in libpfm4. */
static void
expect_only_pmu(const char *pmu)
{
	pfm_pmu_t p;
	int present = 0;

	pfm_for_all_pmus(p) {
		pfm_pmu_info_t info;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info(p, &info) != PFM_SUCCESS ||
		    !info.is_present)
			continue;
		RT_ASSERTF(strcmp(info.name, pmu) == 0, "PMU %s active, "
		    "forced %s", info.name, pmu);
		present++;
	}
	RT_EQ(present, 1);
}

static void
model_child(const void *arg)
{
	const struct pmu_model *m = arg;
	char csv[1024] = "", err[256];
	struct ctr_set *c;

	for (int i = 0; m->ev[i].name != NULL; i++)
		snprintf(csv + strlen(csv), sizeof(csv) - strlen(csv), "%s%s",
		    i ? "," : "", m->ev[i].name);
	c = ctr_set_create(csv, err, sizeof(err));
	RT_ASSERTF(c != NULL, "%s: %s: %s", m->pmu, csv, err);
	expect_only_pmu(m->pmu);
	for (int i = 0; m->ev[i].name != NULL; i++)
		expect_attr(c, &m->ev[i], m->pmu);
	ctr_set_destroy(c);

	/* The defaults, under this model. */
	c = ctr_set_create(NULL, err, sizeof(err));
	RT_ASSERTF(c != NULL, "%s: default events: %s", m->pmu, err);
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		expect_attr(c, &generic[i], m->pmu);
	ctr_set_destroy(c);

	/* The other vendor's event is not this model's: one line, no set. */
	c = ctr_set_create(m->foreign, err, sizeof(err));
	RT_ASSERTF(c == NULL && strstr(err, m->foreign) != NULL,
	    "%s: %s accepted (err '%s')", m->pmu, m->foreign, err);
}

RT_TEST(intel_skylake)
{
	in_child(models[0].pmu, model_child, &models[0]);
}

RT_TEST(intel_icelake)
{
	in_child(models[1].pmu, model_child, &models[1]);
}

RT_TEST(amd_zen2)
{
	in_child(models[2].pmu, model_child, &models[2]);
}

RT_TEST(amd_zen3)
{
	in_child(models[3].pmu, model_child, &models[3]);
}

/* The defaults equal libpfm4's own encoding of the generic events (its
 * "perf" PMU, active when no model is forced). */
static void
generic_child(const void *arg)
{
	static const char *const pfm_names[] = {
		"perf::PERF_COUNT_HW_CPU_CYCLES",
		"perf::PERF_COUNT_HW_INSTRUCTIONS",
		"perf::PERF_COUNT_HW_CACHE_MISSES",
	};
	char err[256];
	struct ctr_set *c = ctr_set_create(NULL, err, sizeof(err));

	(void)arg;
	RT_ASSERTF(c != NULL, "default events: %s", err);
	for (int i = 0; i < 3; i++) {
		struct perf_event_attr a;
		pfm_perf_encode_arg_t e;
		const struct perf_event_attr *ours =
		    ctr_set_attr(c, ctr_set_find(c, generic[i].name));

		memset(&a, 0, sizeof(a));
		memset(&e, 0, sizeof(e));
		e.attr = &a;
		e.size = sizeof(e);
		RT_EQ(pfm_get_os_event_encoding(pfm_names[i], PFM_PLM3,
		    PFM_OS_PERF_EVENT_EXT, &e), PFM_SUCCESS);
		RT_ASSERT(ours != NULL);
		RT_ASSERTF(ours->type == a.type && ours->config == a.config,
		    "%s: ours %u/%#llx, libpfm4's %u/%#llx", generic[i].name,
		    ours->type, (unsigned long long)ours->config, a.type,
		    (unsigned long long)a.config);
	}
	ctr_set_destroy(c);
}

RT_TEST(defaults_are_libpfm4s_generic_events)
{
	in_child(NULL, generic_child, NULL);
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
