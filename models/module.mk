# models/ - the spin (Promela) models: the hybrid's exit/reap protocol
# (hybrid.pml) and the 2007 NetBSD exit handshake (netbsd2007.pml, below).
#
# spin-verify runs spin exhaustively (no bitstate) on models/hybrid.pml, in
# each of its configurations (JOIN: lwp_wait, observer, kill; CREATE:
# lwp_create racing the kill and the last exit):
#   safety:   assertions + invalid end states (a lost wakeup leaves a
#             sleeper blocked: an invalid end state), -DSAFETY -DNOCLAIM
#   liveness: the LTL claim all_freed (everything created is freed exactly
#             once) under weak fairness, acceptance cycles (-a -f)
# and checks that spin still finds the lost zombie of 75fc2a4's lwp_create
# (-DCREATE -DOLD_CREATE must fail), so the CREATE configuration is not
# vacuous.  All use -DCOLLAPSE (lossless state compression).  A run fails
# on any error, on a truncated search, and on a depth limit that was hit.
# The lead wires `test` to depend on $(TEST_PREREQS).
SPIN		?= spin
SPIN_CC		?= gcc
SPIN_DIR	:= $(BUILD)/spin
SPIN_CHECK	= grep -q 'errors: 0' $(1) && ! grep -q 'max search depth too small\|search not completed' $(1) || { cat $(1); echo "spin-verify: $(2) FAILED"; exit 1; }
SPIN_CFLAGS_safety := -DSAFETY -DNOCLAIM
SPIN_CFLAGS_liveness := -DNFAIR=3
SPIN_PAN_safety	:= -m400000
SPIN_PAN_liveness := -a -f -m400000

# $(1) config (join, create), $(2) its spin -D flags, $(3) safety|liveness
define SPIN_RUN
$(SPIN_DIR)/$(1)-$(3).ok: models/hybrid.pml models/module.mk
	@mkdir -p $(SPIN_DIR)/$(1)-$(3)
	cp models/hybrid.pml $(SPIN_DIR)/$(1)-$(3)/
	cd $(SPIN_DIR)/$(1)-$(3) && $(SPIN) $(2) -a hybrid.pml >/dev/null && \
	  $(SPIN_CC) -O2 -w $(SPIN_CFLAGS_$(3)) -DCOLLAPSE \
	    -o pan pan.c && \
	  ./pan $(SPIN_PAN_$(3)) > pan.out 2>&1; \
	  $$(call SPIN_CHECK,pan.out,$(1) $(3))
	@grep -E 'errors:|states, stored' $(SPIN_DIR)/$(1)-$(3)/pan.out
	@touch $$@
SPIN_OKS	+= $(SPIN_DIR)/$(1)-$(3).ok
endef
SPIN_OKS	:=
$(eval $(call SPIN_RUN,join,,safety))
$(eval $(call SPIN_RUN,join,,liveness))
$(eval $(call SPIN_RUN,create,-DCREATE,safety))
$(eval $(call SPIN_RUN,create,-DCREATE,liveness))

# The old create must be caught: the lost zombie is an invalid end state.
$(SPIN_DIR)/old-create.ok: models/hybrid.pml models/module.mk
	@mkdir -p $(SPIN_DIR)/old-create
	cp models/hybrid.pml $(SPIN_DIR)/old-create/
	cd $(SPIN_DIR)/old-create && \
	  $(SPIN) -DCREATE -DOLD_CREATE -a hybrid.pml >/dev/null && \
	  $(SPIN_CC) -O2 -w $(SPIN_CFLAGS_safety) -DCOLLAPSE -o pan pan.c && \
	  ./pan -m400000 > pan.out 2>&1; \
	  grep -q 'invalid end state' pan.out && ! grep -q 'errors: 0' pan.out || \
	  { cat pan.out; echo "spin-verify: the old create's lost zombie was not found"; exit 1; }
	@echo "old create (75fc2a4): $$(grep -m1 -o 'invalid end state (at depth [0-9]*)' $(SPIN_DIR)/old-create/pan.out), as expected"
	@touch $@
SPIN_OKS	+= $(SPIN_DIR)/old-create.ok


# models/netbsd2007.pml: the 2007 NetBSD exit handshake (lwp_exit,
# lwp_delref, lwp_drainrefs, lwp_wait1 of kern_lwp.c 1.54), exhaustive
# safety runs (assertions + invalid end states).  1.54's order, and 1.54
# with only lwp_exit's broadcast after the unlock, must pass with and
# without spurious wakeups; 1.40.2.18's order (lwp_delref's broadcast after
# the unlock too) must fail on the broadcast into the freed process, with
# and without them (impls/netbsd/README.md, "The 2007 broadcast").
NB7_CFG_154		:=
NB7_CFG_154_spurious	:= -DSPURIOUS
NB7_CFG_lateexit	:= -DLATE_EXIT
NB7_CFG_lateexit_spurious := -DLATE_EXIT -DSPURIOUS
NB7_CFG_14018		:= -DLATE_DELREF -DLATE_EXIT
NB7_CFG_14018_spurious	:= -DLATE_DELREF -DLATE_EXIT -DSPURIOUS

# $(1) configuration, $(2) pass|race (race: the use after free is found)
define NB7_SPIN_RUN
$(SPIN_DIR)/nb7-$(1).ok: models/netbsd2007.pml models/module.mk
	@mkdir -p $(SPIN_DIR)/nb7-$(1)
	cp models/netbsd2007.pml $(SPIN_DIR)/nb7-$(1)/
	cd $(SPIN_DIR)/nb7-$(1) && \
	  $(SPIN) $(NB7_CFG_$(1)) -a netbsd2007.pml >/dev/null && \
	  $(SPIN_CC) -O2 -w $(SPIN_CFLAGS_safety) -DCOLLAPSE -o pan pan.c && \
	  ./pan -m100000 > pan.out 2>&1; \
	  $(if $(filter pass,$(2)),$$(call SPIN_CHECK,pan.out,netbsd2007 $(1)),\
	  grep -q 'assertion violated  !(p_freed)' pan.out || \
	  { cat pan.out; echo "spin-verify: netbsd2007 $(1): the broadcast into the freed process was not found"; exit 1; })
	@echo "netbsd2007 $(1): $$$$(grep -o 'errors: [0-9]*' $(SPIN_DIR)/nb7-$(1)/pan.out)," \
	  "$$$$(grep -o '[0-9]* states, stored' $(SPIN_DIR)/nb7-$(1)/pan.out)" \
	  "$$$$(grep -m1 -o 'assertion violated  !(p_freed) (at depth [0-9]*)' $(SPIN_DIR)/nb7-$(1)/pan.out)"
	@touch $$@
SPIN_OKS	+= $(SPIN_DIR)/nb7-$(1).ok
endef
$(foreach c,154 154_spurious lateexit lateexit_spurious,\
  $(eval $(call NB7_SPIN_RUN,$(c),pass)))
$(foreach c,14018 14018_spurious,$(eval $(call NB7_SPIN_RUN,$(c),race)))

.PHONY: spin-verify
spin-verify: $(SPIN_OKS)

TEST_PREREQS	+= spin-verify
