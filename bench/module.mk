# The benchmark: workloads, the Google Benchmark C wrapper, the driver.
#
#   $(BUILD)/reapbench   the driver, bench flavor (-O2, -DKERN_NO_INJECT),
#                        linked with $(CXX) because of bench/gbench.cc
#   make bench           deps, build, the default matrix, plots, report
#   make bench MATRIX=full   all policies, threads up to the PUs and one
#                        oversubscribed point, 10 repetitions
#   BENCH_ARGS=...       more `reapbench run` options or --benchmark_* flags
#
# The Makefile reads this fragment late (LATE_MK), after the flavor rules:
# BENCH_SRCS/BENCH_LDLIBS (bench/pin.mk, plots/plots.mk), OBJDIR and
# REAP_OBJS_<flavor> are complete here.  For the same reason test_bench's
# rules are made here rather than through TESTS.

# The workloads and their harness: plain C, shared with tests/test_bench.c.
BENCH_WL_SRCS	:= bench/bench_run.c bench/bench_env.c bench/bench_carriers.c \
		   bench/bench_hist.c bench/bench_results.c \
		   bench/bench_churn.c bench/bench_join.c \
		   bench/bench_teardown.c bench/bench_storm.c \
		   bench/bench_native.c
BENCH_DRV_SRCS	:= bench/reapbench.c bench/bench_register.c \
		   bench/bench_selftest.c $(BENCH_WL_SRCS)
BENCH_OBJDIR	:= $(call OBJDIR,bench)
REAPBENCH	:= $(BUILD)/reapbench
MATRIX		?= default

REAPBENCH_OBJS	:= $(patsubst %.c,$(BENCH_OBJDIR)/%.o,$(BENCH_DRV_SRCS) \
		    $(sort $(BENCH_SRCS))) $(BENCH_OBJDIR)/bench/gbench.o \
		  $(REAP_OBJS_bench)

$(REAPBENCH): $(REAPBENCH_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(CFLAGS_bench) -o $@ $^ $(sort $(BENCH_LDLIBS)) -lbenchmark \
	    -ljansson -lhwloc -lpfm $(LDLIBS)

# What the results record about the build.
$(BENCH_OBJDIR)/bench/reapbench.o: CPPFLAGS += \
	-DBENCH_CC='"$(CCNAME)"' -DBENCH_CFLAGS='"$(CFLAGS_bench)"' \
	-DBENCH_HWLOC_VERSION='"$(shell pkg-config --modversion hwloc 2>/dev/null)"' \
	-DBENCH_PFM_VERSION='"$(shell dpkg-query -W -f='$${Version}' libpfm4 2>/dev/null)"'
$(BENCH_OBJDIR)/bench/gbench.o: CPPFLAGS += \
	-DBENCH_GBENCH_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null)"'

# `make test` builds the driver too: tests/test_bench runs it.
build-test: $(REAPBENCH)
build-bench: $(REAPBENCH)

bench: deps
	$(MAKE) --no-print-directory $(REAPBENCH)
	$(REAPBENCH) run --matrix $(MATRIX) $(BENCH_ARGS)
	$(if $(wildcard plots/plots.mk),$(MAKE) --no-print-directory plots report,@echo "bench: no plots/plots.mk: skipping plots and report")

# The harness and every workload, smoke-run against every design in each
# test flavor (ASan, TSan included), plus the driver's JSON and errors;
# tests/run finds it in $(BUILD)/<cc>-<flavor>/bin like every test.
test_bench_SRCS	:= tests/test_bench.c $(BENCH_WL_SRCS) bench/pin.c \
		   bench/counters.c tests/rt.c
test_bench_LDLIBS := -ljansson -lhwloc -lpfm
define BENCH_TEST_RULES
$(call OBJDIR,$(1))/bin/test_bench: $(patsubst %.c,$(call OBJDIR,$(1))/%.o,$(test_bench_SRCS)) $(REAP_OBJS_$(1))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_$(1)) -o $$@ $$^ $(test_bench_LDLIBS) $$(LDLIBS)
build-$(1): $(call OBJDIR,$(1))/bin/test_bench
endef
$(foreach f,test asan tsan,$(eval $(call BENCH_TEST_RULES,$(f))))
