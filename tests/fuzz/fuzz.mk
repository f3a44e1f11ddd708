# tests/fuzz/ - libFuzzer targets, one per input the suite reads (fuzz.h):
#   results   a results folder as `reapbench report` reads it (bench.json
#             with Google Benchmark's bare NaN, env.json, pins.tsv,
#             latency/index.tsv and the CDFs), its tables and REPORT.md
#   profile   a pick profile, and the pick it weighs on tests/data/smoke
#   topology  --topology's hwloc synthetic string, and the pin plans
#   events    --events lists (libpfm4 names, probed)
#   run_opts  the options of `reapbench run`
#
#   make fuzz [FUZZ_SECONDS=180] [FUZZ_TARGETS='results ...']
#	builds each with clang -fsanitize=fuzzer,address,undefined into
#	$(BUILD)/fuzz/<t> and runs them one after the other (tests/fuzz/run),
#	FUZZ_SECONDS each, from tests/fuzz/corpus/<t>/; what they find is
#	merged back into that corpus, minimal (-merge=1), and every crash,
#	leak, timeout or OOM input is kept in tests/fuzz/crashes/<t>/.  Both
#	folders are committed; `make test` replays them through the same
#	targets built without libFuzzer (fuzz_<t>, tests/module.mk).
FUZZ_NAMES	:= results profile topology events run_opts
FUZZ_TARGETS	?= $(FUZZ_NAMES)
FUZZ_SECONDS	?= 180
FUZZ_CC		:= clang
FUZZ_DIR	:= $(BUILD)/fuzz
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	:= -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
		   -fsanitize=fuzzer-no-link

# Each target's sources besides the model kernel and designs, which only
# run_opts needs (the design names); replays add tests/fuzz/replay.c.
FUZZ_UTIL	:= tests/fuzz/fuzz_util.c
FUZZ_results_SRCS = tests/fuzz/results.c $(FUZZ_UTIL) tests/fuzz/fuzz_hwloc.c \
		  $(REPORT_SRCS)
FUZZ_results_LDLIBS = $(REPORT_LDLIBS)
FUZZ_profile_SRCS = tests/fuzz/profile.c $(FUZZ_UTIL) $(REPORT_SRCS)
FUZZ_profile_LDLIBS = $(REPORT_LDLIBS)
FUZZ_topology_SRCS = tests/fuzz/topology.c $(FUZZ_UTIL) tests/fuzz/fuzz_hwloc.c \
		  platform/pin.c platform/pin_topo.c
FUZZ_topology_LDLIBS = -lhwloc
FUZZ_events_SRCS = tests/fuzz/events.c $(FUZZ_UTIL) platform/counters.c
FUZZ_events_LDLIBS = -lpfm
FUZZ_run_opts_SRCS = tests/fuzz/run_opts.c $(FUZZ_UTIL) driver/run_opts.c \
		  $(PLATFORM_SRCS) bench/bench_schema.c report/xmalloc.c
FUZZ_run_opts_LDLIBS = $(PLATFORM_LDLIBS)
FUZZ_run_opts_LIB = $(REAP_SRCS) $(BUILD)/gen/reap_registry.c

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(CSTD) -Wall -Wextra -Werror -Wthread-safety \
	    $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

define FUZZ_RULES
$(FUZZ_DIR)/$(1): $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(sort $(FUZZ_$(1)_SRCS) \
	    $(FUZZ_$(1)_LIB)))
	$$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ \
	    $(FUZZ_$(1)_LDLIBS) $$(LDLIBS)
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call FUZZ_RULES,$(t))))
-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

.PHONY: fuzz build-fuzz
build-fuzz: $(foreach t,$(FUZZ_TARGETS),$(FUZZ_DIR)/$(t))

fuzz: deps
	$(MAKE) --no-print-directory -j$(NPROC) build-fuzz
	BUILD=$(BUILD) tests/fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)
