# Helgrind over a short torture run of every design (tests/valgrind/).
# vg_kern.so is a valgrind preload that tells helgrind the model kernel's
# lock and futex edges (function wrappers; no kernel code changes).
VG_SO		:= $(BUILD)/valgrind/vg_kern.so

$(VG_SO): tests/valgrind/vg_kern.c kern/kern.h kern/kern_impl.h \
	    kern/kern_eventcount.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O1 -g -fPIC -shared -o $@ $<

.PHONY: valgrind
valgrind: $(VG_SO)
	$(MAKE) --no-print-directory BUILD=$(BUILD) build-torture-test
	BUILD=$(BUILD) tests/valgrind/run --cc $(CCNAME)

# About 15-20 s for all designs on the 2-core machine, so make test runs
# it: a new unordered access, or a suppression whose access is gone (they
# name atomic fields, not line numbers; run expands them), fails the test
# at the commit that causes it rather than sessions later.
TEST_PREREQS	+= valgrind
