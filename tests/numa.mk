# make numa-check: NUMA placement proven on multi-node guest kernels
# (tests/numa/).  QEMU's TCG boots a minimal guest (busybox, the project's
# own reapbench, test_pin and test_bench, Debian's kernel) in two shapes,
# 2 nodes x 2 PUs and 4 nodes x 2 PUs with a non-uniform distance matrix;
# the host checks every plan, thread and per-CPU block against the guest
# kernel's node map and renders the guest's results (tests/numa/check).
# About a minute here; timings inside are emulated and never ranked.
#   NUMA_SHAPES=2x2     only some shapes
#   NUMA_CACHE=dir      where the guest kernel is kept (/var/cache/reapbench)
#   NUMA_TIMEOUT=s      per guest (240)
NUMA_SHAPES	?= 2x2 4x2
NUMA_TESTBIN	:= $(BUILD)/$(CCNAME)-test/bin

.PHONY: numa-check
numa-check: $(REAPBENCH) $(NUMA_TESTBIN)/test_pin $(NUMA_TESTBIN)/test_bench
	BUILD=$(BUILD) TESTBIN=$(NUMA_TESTBIN) tests/numa/run $(NUMA_SHAPES)

TEST_PREREQS	+= numa-check
