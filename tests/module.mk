# tests/ - every test binary, registered here and nowhere else.  tests/run
# runs each one in every test flavor ($(BUILD)/<cc>-{test,asan,tsan}/bin).
# A test is TESTS += name, name_SRCS (its own sources and the modules' it
# needs besides the library) and name_LDLIBS.  Recursive (=) so the module
# lists may be defined by fragments read later.
RT_SRCS		:= tests/rt.c

TESTS		+= test_kern test_eventcount conformance
test_kern_SRCS	:= tests/test_kern.c $(RT_SRCS)
test_eventcount_SRCS := tests/test_eventcount.c $(RT_SRCS)
conformance_SRCS := tests/conformance.c tests/conf_races.c tests/conf_lookup.c $(RT_SRCS)

# Each design's own tests.
TESTS		+= test_dragonfly test_netbsd test_hybrid
test_dragonfly_SRCS := tests/test_dragonfly.c $(RT_SRCS)
test_netbsd_SRCS := tests/test_netbsd.c $(RT_SRCS)
test_hybrid_SRCS := tests/test_hybrid.c $(RT_SRCS)

# Platform: pin plans on synthetic topologies, counter fallbacks.
TESTS		+= test_pin test_counters
test_pin_SRCS	:= tests/test_pin.c platform/pin.c platform/pin_topo.c $(RT_SRCS)
test_pin_LDLIBS	:= -lhwloc
test_counters_SRCS := tests/test_counters.c platform/counters.c $(RT_SRCS)
test_counters_LDLIBS := -lpfm
# libpfm4's encodings per PMU model (LIBPFM_FORCE_PMU), one child each.
TESTS		+= test_pmu_models
test_pmu_models_SRCS := tests/test_pmu_models.c platform/counters.c $(RT_SRCS)
test_pmu_models_LDLIBS := -lpfm

# The harness and every workload smoke-run against every design (and the
# driver's JSON and errors: it runs $(REAPBENCH)); the report and pick.
TESTS		+= test_bench test_report
test_bench_SRCS	= tests/test_bench.c $(HARNESS_SRCS) $(PLATFORM_SRCS) $(RT_SRCS) \
		  driver/run_equalize.c driver/run_dedupe.c report/xmalloc.c
test_bench_LDLIBS = -ljansson $(PLATFORM_LDLIBS)
test_report_SRCS = tests/test_report.c $(REPORT_SRCS) $(RT_SRCS)
test_report_LDLIBS = $(REPORT_LDLIBS)
# Emulated timings, NUMA and one report across hosts (tests/data/guest-2x2).
TESTS		+= test_report_hosts
test_report_hosts_SRCS = tests/test_report_hosts.c $(REPORT_SRCS) $(RT_SRCS)
test_report_hosts_LDLIBS = $(REPORT_LDLIBS)

# Every fuzz target (tests/fuzz/fuzz.mk) replaying its corpus and the
# crashes ever found, without libFuzzer.
FUZZ_REPLAY_SRCS = tests/fuzz/replay.c $(RT_SRCS)
TESTS		+= fuzz_results fuzz_profile fuzz_topology fuzz_events \
		   fuzz_run_opts
fuzz_results_SRCS = $(FUZZ_results_SRCS) $(FUZZ_REPLAY_SRCS)
fuzz_results_LDLIBS = $(FUZZ_results_LDLIBS)
fuzz_profile_SRCS = $(FUZZ_profile_SRCS) $(FUZZ_REPLAY_SRCS)
fuzz_profile_LDLIBS = $(FUZZ_profile_LDLIBS)
fuzz_topology_SRCS = $(FUZZ_topology_SRCS) $(FUZZ_REPLAY_SRCS)
fuzz_topology_LDLIBS = $(FUZZ_topology_LDLIBS)
fuzz_events_SRCS = $(FUZZ_events_SRCS) $(FUZZ_REPLAY_SRCS)
fuzz_events_LDLIBS = $(FUZZ_events_LDLIBS)
fuzz_run_opts_SRCS = $(FUZZ_run_opts_SRCS) $(FUZZ_REPLAY_SRCS)
fuzz_run_opts_LDLIBS = $(FUZZ_run_opts_LDLIBS)
