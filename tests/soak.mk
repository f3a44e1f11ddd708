# make soak N=K: K rounds of every randomised part of `make test` with new
# seeds (tests/soak): helgrind per design, torture-short's torture runs and
# mutant checks, the conformance suite and the design tests in every
# flavor, J at a time (default: the PUs).  Each run prints its seed; a
# failure prints the command that replays it; the soak ends with runs,
# failures and wall time.
N		?= 1
J		?= $(NPROC)

.PHONY: soak
soak: deps
	$(MAKE) --no-print-directory -j$(NPROC) CC=clang CXX=clang++ build-test build-tsan
	$(MAKE) --no-print-directory -j$(NPROC) CC=gcc CXX=g++ build-test build-asan build-tsan
	$(MAKE) --no-print-directory -j$(NPROC) build-torture-test \
	    build-torture-asan build-torture-tsan $(VG_SO)
	BUILD=$(BUILD) tests/soak --cc $(CCNAME) --rounds $(N) --jobs $(J)
