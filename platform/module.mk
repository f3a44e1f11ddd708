# platform/ - what the machine gives: hwloc topology, pin plans and binding
# (pin.c), libpfm4-encoded perf_event_open counters (counters.c), whether
# it is a virtual or emulated machine (virt.c).  Linked into the reapbench
# driver and the tests that need them (tests/module.mk).
PLATFORM_SRCS	:= platform/pin.c platform/pin_topo.c platform/counters.c \
		   platform/virt.c
PLATFORM_LDLIBS	:= -lhwloc -lpfm
