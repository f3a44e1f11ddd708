# driver/ - the reapbench program: verbs (list, run, plan, report, pick,
# torture; main.c dispatches, a file per big verb, driver.h lists them),
# the Google Benchmark registration of the harness's workloads, and the
# only C++ of the project, the wrapper driver/gbench.cc.
#
#   $(REAPBENCH)         bench flavor (-O2, -DKERN_NO_INJECT), linked with
#                        $(CXX) because of driver/gbench.cc
#   $(REAPBENCH_NOACCT)  the same, noacct flavor (+ -DKERN_NO_ACCOUNTING)
#   make bench           deps, build, the default matrix, plots, report
#
# Read late (LATE_MK): REAP_OBJS_bench and every module's source list are
# complete here.
DRIVER_SRCS	:= $(sort $(wildcard driver/*.c))
BENCH_OBJDIR	:= $(call OBJDIR,bench)

# $(sort) drops the sources two modules list (bench/bench_schema.c).
REAPBENCH_OBJS	:= $(patsubst %.c,$(BENCH_OBJDIR)/%.o,$(sort $(DRIVER_SRCS) \
		    $(HARNESS_SRCS) $(PLATFORM_SRCS) $(REPORT_SRCS))) \
		  $(BENCH_OBJDIR)/driver/gbench.o $(REAP_OBJS_bench)

$(REAPBENCH): $(REAPBENCH_OBJS)
	@mkdir -p $(dir $@)
	$(CXX) $(CFLAGS_bench) -o $@ $^ -lbenchmark -ljansson -lhwloc -lpfm \
	    $(LDLIBS)

# The same program with -DKERN_NO_ACCOUNTING, objects in the noacct
# flavor: `run --accounting ab` runs it for the instrument's cost.
NOACCT_OBJDIR	:= $(call OBJDIR,noacct)
$(REAPBENCH_NOACCT): $(patsubst $(BENCH_OBJDIR)/%,$(NOACCT_OBJDIR)/%,\
		    $(REAPBENCH_OBJS))
	@mkdir -p $(dir $@)
	$(CXX) $(CFLAGS_noacct) -o $@ $^ -lbenchmark -ljansson -lhwloc \
	    -lpfm $(LDLIBS)

# What the results record about the build.
$(NOACCT_OBJDIR)/driver/run_context.o: CPPFLAGS += \
	-DBENCH_CC='"$(CCNAME)"' -DBENCH_CFLAGS='"$(CFLAGS_noacct)"' \
	-DBENCH_HWLOC_VERSION='"$(shell pkg-config --modversion hwloc 2>/dev/null)"' \
	-DBENCH_PFM_VERSION='"$(shell dpkg-query -W -f='$${Version}' libpfm4 2>/dev/null)"'
$(NOACCT_OBJDIR)/driver/gbench.o: CPPFLAGS += \
	-DBENCH_GBENCH_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null)"'
$(BENCH_OBJDIR)/driver/run_context.o: CPPFLAGS += \
	-DBENCH_CC='"$(CCNAME)"' -DBENCH_CFLAGS='"$(CFLAGS_bench)"' \
	-DBENCH_HWLOC_VERSION='"$(shell pkg-config --modversion hwloc 2>/dev/null)"' \
	-DBENCH_PFM_VERSION='"$(shell dpkg-query -W -f='$${Version}' libpfm4 2>/dev/null)"'
$(BENCH_OBJDIR)/driver/gbench.o: CPPFLAGS += \
	-DBENCH_GBENCH_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null)"'

# `make test` builds the driver too: tests/test_bench runs it.
build-test: $(REAPBENCH)
build-bench: $(REAPBENCH) $(REAPBENCH_NOACCT)

bench: deps
	$(MAKE) --no-print-directory $(REAPBENCH) $(REAPBENCH_NOACCT)
	$(REAPBENCH) run --matrix $(MATRIX) --accounting ab $(BENCH_ARGS)
	$(MAKE) --no-print-directory plots report
