# The torture harness (tests/torture.c): a long-running tool, not a unit
# test, so tests/run does not pick it up: it is built per sanitizer flavor
# to $(BUILD)/<cc>-<flavor>/tools/torture.
#
#   make torture        scale: >= 10M LWP lifecycles per design under
#                       ASan+UBSan and >= 1M under TSan, at 1,2,4,8,16
#                       threads, every design and variant (~50 min on 2
#                       cores).  Model time is compressed 200x (a tick is
#                       50 us): dragonfly's tick polls and dragonfly-2010's
#                       one-second p_lock polls would otherwise make 10M
#                       lifecycles take hours; make test runs real ticks.
#   make torture-short  what `make test` runs (< 3 min): 20 injection seeds
#                       per design in the plain build, 5 under TSan, a
#                       TSan run with netbsd's pid-table lookup widened
#                       (a stale slot met a recycled LWP there: before the
#                       fix this failed in 0.3 s) and exit1's p_reflock
#                       writer widened after it refuses readers (its failed
#                       CAS saw the last proc_rele without acquiring it:
#                       before the fix this failed in 0.9 s; CI's TSan
#                       torture met it once unwidened), and tests/mutants
#                       (every mutant must be caught, every design must
#                       pass the same runs)
# Both draw from one scenario mix, the contract's adversarial cases included
# (a non-LWP churner creating while P exits, two reapers per process, bad
# arguments); a design skips one only through torture.c's known_bugs[].
TOOLS		+= torture
torture_SRCS	:= tests/torture.c tests/rt.c
TORTURE_FLAVORS	:= test asan tsan
TORTURE		= $(call OBJDIR,$(1))/tools/torture

# Link against the flavor's library objects.  REAP_OBJS_<flavor> is defined
# by the Makefile's FLAVOR_RULES after this file (and any WIP module) is
# read, so the prerequisite is expanded a second time, when it is complete.
# Only this tool's library objects are prerequisites: another module's
# broken test does not keep the torture from building.
.SECONDEXPANSION:
define TORTURE_RULES
$(call TORTURE,$(1)): $(patsubst %.c,$(call OBJDIR,$(1))/%.o,$(torture_SRCS)) $$$$(REAP_OBJS_$(1))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_$(1)) -o $$@ $$^ $$(LDLIBS)
build-torture-$(1): $(call TORTURE,$(1))
endef
$(foreach f,$(TORTURE_FLAVORS),$(eval $(call TORTURE_RULES,$(f))))

.PHONY: torture torture-short $(foreach f,$(TORTURE_FLAVORS),build-torture-$(f))

# TSan needs a fixed memory layout on some kernels: run it without ASLR.
TORTURE_ENV	:= ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		   TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
TORTURE_TSAN	:= setarch $(shell uname -m) -R

# --lifecycles is per run: 5 thread counts x 2M = 10M per design.
TORTURE_TICK_US	?= 50
torture: $(call TORTURE,asan) $(call TORTURE,tsan)
	$(TORTURE_ENV) $(call TORTURE,asan) --threads 1,2,4,8,16 \
	    --lifecycles 2000000 --seconds 0 --permille 20 \
	    --tick-us $(TORTURE_TICK_US)
	$(TORTURE_ENV) $(TORTURE_TSAN) $(call TORTURE,tsan) \
	    --threads 1,2,4,8,16 --lifecycles 200000 --seconds 0 --permille 20 \
	    --tick-us $(TORTURE_TICK_US)

torture-short: $(call TORTURE,test) $(call TORTURE,asan) $(call TORTURE,tsan)
	$(TORTURE_ENV) $(call TORTURE,test) --seeds 20 --threads 4 \
	    --lifecycles 3000 --seconds 2 --permille 30 --hang 20 --quiet
	$(TORTURE_ENV) $(TORTURE_TSAN) $(call TORTURE,tsan) --seeds 5 \
	    --threads 4 --lifecycles 1000 --seconds 3 --permille 30 --hang 20 --quiet
	$(TORTURE_ENV) $(TORTURE_TSAN) $(call TORTURE,tsan) \
	    --design netbsd,netbsd-2007 --threads 4 --lifecycles 20000 \
	    --seconds 3 --tick-us 50 --widen netbsd.findlwp.checked:300 \
	    --widen kern.rw_enter_write.wanted:300 --quiet
	tests/mutants --build $(BUILD) --cc $(CCNAME)
TEST_PREREQS	+= torture-short
