# reapbench - one entry point.  See README.md.
#
# Targets
#   make test          install deps, build (gcc + clang), run every test in
#                      the plain, ASan+UBSan and TSan builds, spin, the short
#                      torture, the mutant checks, helgrind and numa-check
#   make bench         install deps, build, run the benchmark matrix, then
#                      plots and REPORT.md in results/<host>-<time>/
#   make plots         gnuplot plots of a results folder (RESULTS)
#   make report        plots + REPORT.md (RESULTS); with BASELINE, COMPARE.md
#   make torture       torture at scale (ASan 10M, TSan 1M lifecycles/design)
#   make torture-short what make test runs of the torture and the mutants
#   make valgrind      helgrind over a short torture run of each design
#   make soak N=K      K rounds of every randomised part of make test with
#                      new seeds; a failure prints the command replaying it
#   make spin-verify   spin on models/hybrid.pml (safety and liveness)
#   make numa-check    placement checked on QEMU NUMA guests (tests/numa.mk)
#   make fuzz          libFuzzer on every input the suite reads, one target
#                      after the other (tests/fuzz/fuzz.mk); corpus and
#                      crashes in tests/fuzz/, replayed by make test
#   make deps          install missing Debian packages (scripts/install-deps)
#   make all           build the plain test flavor (the default)
#   make clean         remove $(BUILD)
#
# Variables
#   MATRIX=default|full    the benchmark matrix of make bench
#   BENCH_ARGS='...'       more `reapbench run` options / --benchmark_* flags
#   RESULTS=dir            results folder for plots/report (results/latest)
#   BASELINE=dir           make report: compare RESULTS against it
#   TORTURE_TICK_US=N      model tick of make torture in us (0: real ticks)
#   N=K                    make soak: rounds (1)
#   FUZZ_SECONDS=N         make fuzz: seconds per target (180)
#   FUZZ_TARGETS='...'     make fuzz: which (results profile topology
#                          events run_opts)
#   RT_SEED=N              seed of the randomised unit tests (tests/run
#                          draws and prints one otherwise)
#   TEST_ARGS='...'        passed to tests/run (e.g. --only conformance)
#   CC=gcc|clang, CXX      compilers (CC=clang adds -Wthread-safety)
#   BUILD=dir              where objects and binaries go (build)
#   WIP=path/wip.mk        a module under construction (never committed)
#   NUMA_SHAPES, NUMA_CACHE, NUMA_TIMEOUT  make numa-check (tests/numa.mk)
#
# Layout (one module.mk per folder, each listing only its own sources):
#   kern/       the model kernel        impls/*/   the designs (+ registry)
#   bench/      the harness, workloads  platform/  hwloc pinning, counters
#   report/     results, stats, report, pick      driver/   reapbench
#   tests/      every test binary and tool        models/   spin models
#   tests/fuzz/ fuzz targets, corpus, crashes (fuzz.mk, read explicitly)
# A module adds to REAP_SRCS (the library), REAP_DESIGNS (registry), its
# own *_SRCS list, TESTS (tests/ only) or TEST_PREREQS (checks run by test).

SHELL		:= /bin/bash
ifeq ($(origin CC),default)
CC		:= gcc
endif
ifeq ($(origin CXX),default)
CXX		:= g++
endif
BUILD		?= build
NPROC		:= $(shell nproc 2>/dev/null || echo 2)
CCNAME		:= $(notdir $(firstword $(CC)))
FLAVORS		:= test asan tsan bench noacct

CPPFLAGS	:= -D_GNU_SOURCE -Iinclude -Ikern -Ibench -Iplatform -Ireport \
		   -Idriver -I$(BUILD)/gen
CSTD		:= -std=gnu11
WARN		:= -Wall -Wextra -Werror
ifneq ($(findstring clang,$(CCNAME)),)
WARN		+= -Wthread-safety -Watomic-implicit-seq-cst
endif
CFLAGS_test	:= -O1 -g -fno-omit-frame-pointer -DREAP_MUTANTS
CFLAGS_asan	:= -O1 -g -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -DREAP_MUTANTS
CFLAGS_tsan	:= -O1 -g -fsanitize=thread -DREAP_MUTANTS
CFLAGS_bench	:= -O2 -g -DKERN_NO_INJECT
# The bench build with the per-lifecycle accounting compiled out, for the
# instrument's cost (build/reapbench-noacct, driver/module.mk).
CFLAGS_noacct	:= $(CFLAGS_bench) -DKERN_NO_ACCOUNTING
LDLIBS		:= -lpthread -lm

REAP_SRCS	:=
REAP_DESIGNS	:=
TESTS		:=
TEST_PREREQS	:=
REAPBENCH	:= $(BUILD)/reapbench
REAPBENCH_NOACCT := $(BUILD)/reapbench-noacct
MATRIX		?= default

# Fragments that only add to variables come first; those whose rules use
# the per-flavor objects (LATE_MK) are read after the flavor rules below.
LATE_MK		:= driver/module.mk tests/torture.mk
include kern/module.mk $(sort $(wildcard impls/*/module.mk))
include platform/module.mk bench/module.mk report/module.mk
include $(filter-out $(LATE_MK),$(sort $(wildcard tests/*.mk models/*.mk)))
include tests/fuzz/fuzz.mk
# A module under construction: make WIP=impls/x/wip.mk (never committed).
ifdef WIP
include $(WIP)
endif

.PHONY: all deps test bench plots report torture clean build-test build-all
.DEFAULT_GOAL := all

# ---- per-flavor objects and the library -----------------------------------

OBJDIR		= $(BUILD)/$(CCNAME)-$(1)
REGISTRY	:= $(BUILD)/gen/reap_registry.c

# The list of designs is kept in a stamp rewritten only when it changes, so
# the registry follows a design that lands (a rename keeps old mtimes).
DESIGNS_STAMP	:= $(BUILD)/gen/designs.list
$(shell mkdir -p $(BUILD)/gen && { echo '$(REAP_DESIGNS)' | cmp -s - $(DESIGNS_STAMP) || echo '$(REAP_DESIGNS)' > $(DESIGNS_STAMP); })
$(REGISTRY): $(DESIGNS_STAMP) Makefile
	@mkdir -p $(dir $@)
	@{ echo '/* generated by the Makefile from REAP_DESIGNS; do not edit */'; \
	   echo '#include "reap.h"'; \
	   for d in $(REAP_DESIGNS); do \
	     echo "extern const struct reap_ops reap_design_$$d;"; done; \
	   echo 'const struct reap_ops *const reap_designs[] = {'; \
	   for d in $(REAP_DESIGNS); do echo "	&reap_design_$$d,"; done; \
	   echo '	NULL'; echo '};'; } > $@.tmp && mv $@.tmp $@

define FLAVOR_RULES
$(call OBJDIR,$(1))/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(CSTD) $$(WARN) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@
$(call OBJDIR,$(1))/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(CSTD) $$(WARN) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@
$(call OBJDIR,$(1))/%.o: %.cc
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(CPPFLAGS) -std=c++17 -Wall -Wextra -Werror $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@
REAP_OBJS_$(1) := $$(patsubst %.c,$(call OBJDIR,$(1))/%.o,$$(REAP_SRCS)) \
		  $(call OBJDIR,$(1))/gen/reap_registry.o
$(foreach t,$(TESTS),
$(call OBJDIR,$(1))/bin/$(t): $$(patsubst %.c,$(call OBJDIR,$(1))/%.o,$$($(t)_SRCS)) $$(REAP_OBJS_$(1))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_$(1)) -o $$@ $$^ $$($(t)_LDLIBS) $$(LDLIBS)
)
build-$(1): $(foreach t,$(TESTS),$(call OBJDIR,$(1))/bin/$(t))
-include $$(shell find $(call OBJDIR,$(1)) -name '*.d' 2>/dev/null)
endef
$(foreach f,$(FLAVORS),$(eval $(call FLAVOR_RULES,$(f))))
include $(wildcard $(LATE_MK))

all: build-test

deps:
	@scripts/install-deps

# Build every flavor with both compilers, then run all tests in the plain,
# ASan+UBSan and TSan builds.  tests/run prints "N passed, N failed".
# Modules add checks that are not test binaries (spin, torture-short,
# mutants) to TEST_PREREQS; they run after the builds, before tests/run.
test: deps
	$(MAKE) --no-print-directory -j$(NPROC) CC=clang CXX=clang++ build-test build-tsan
	$(MAKE) --no-print-directory -j$(NPROC) CC=gcc CXX=g++ build-test build-asan build-tsan
	$(if $(TEST_PREREQS),$(MAKE) --no-print-directory $(TEST_PREREQS))
	BUILD=$(BUILD) tests/run $(TEST_ARGS)

clean:
	rm -rf $(BUILD)
