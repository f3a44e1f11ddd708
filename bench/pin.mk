# Pinning (hwloc) and counters (libpfm4 + perf_event_open) for reapbench.
# Not library code: linked into the reapbench binary by bench/module.mk.
BENCH_SRCS	+= bench/pin.c bench/counters.c
BENCH_LDLIBS	+= -lhwloc -lpfm

TESTS		+= test_pin test_counters
test_pin_SRCS	:= tests/test_pin.c bench/pin.c tests/rt.c
test_pin_LDLIBS	:= -lhwloc
test_counters_SRCS := tests/test_counters.c bench/counters.c tests/rt.c
test_counters_LDLIBS := -lpfm
