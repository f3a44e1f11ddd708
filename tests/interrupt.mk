# tests/interrupt: `reapbench run` killed with SIGKILL at random points of
# a small matrix, and run on a tiny full tmpfs, loses nothing (earlier
# folders byte-identical, latest complete, no half-written file, one line
# naming the file that could not be written).  Under a minute; prints its
# seed and the replay command of a failure.
.PHONY: interrupt-test
interrupt-test: $(REAPBENCH)
	tests/interrupt --build $(BUILD)
TEST_PREREQS	+= interrupt-test
