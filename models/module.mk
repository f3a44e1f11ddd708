# models/ - the spin (Promela) model of the hybrid's exit/reap protocol.
#
# spin-verify runs spin exhaustively (no bitstate) on models/hybrid.pml:
#   safety:   assertions + invalid end states (a lost wakeup leaves a
#             sleeper blocked: an invalid end state), -DSAFETY -DNOCLAIM
#   liveness: the LTL claim all_freed (every LWP and the process are freed
#             exactly once) under weak fairness, acceptance cycles (-a -f)
# Both use -DCOLLAPSE (lossless state compression).  A run fails on any
# error, on a truncated search, and on a depth limit that was hit.
# The lead wires `test` to depend on $(TEST_PREREQS).
SPIN		?= spin
SPIN_CC		?= gcc
SPIN_DIR	:= $(BUILD)/spin
SPIN_CHECK	= grep -q 'errors: 0' $(1) && ! grep -q 'max search depth too small\|search not completed' $(1) || { cat $(1); echo "spin-verify: $(2) FAILED"; exit 1; }

.PHONY: spin-verify
spin-verify: $(SPIN_DIR)/safety.ok $(SPIN_DIR)/liveness.ok

$(SPIN_DIR)/safety.ok: models/hybrid.pml models/module.mk
	@mkdir -p $(SPIN_DIR)/safety
	cp models/hybrid.pml $(SPIN_DIR)/safety/
	cd $(SPIN_DIR)/safety && $(SPIN) -a hybrid.pml >/dev/null && \
	  $(SPIN_CC) -O2 -w -DSAFETY -DNOCLAIM -DCOLLAPSE -o pan pan.c && \
	  ./pan -m400000 > pan.out 2>&1; \
	  $(call SPIN_CHECK,pan.out,safety)
	@grep -E 'errors:|states, stored' $(SPIN_DIR)/safety/pan.out
	@touch $@

$(SPIN_DIR)/liveness.ok: models/hybrid.pml models/module.mk
	@mkdir -p $(SPIN_DIR)/liveness
	cp models/hybrid.pml $(SPIN_DIR)/liveness/
	cd $(SPIN_DIR)/liveness && $(SPIN) -a hybrid.pml >/dev/null && \
	  $(SPIN_CC) -O2 -w -DCOLLAPSE -DNFAIR=3 -o pan pan.c && \
	  ./pan -a -f -m400000 > pan.out 2>&1; \
	  $(call SPIN_CHECK,pan.out,liveness)
	@grep -E 'errors:|states, stored' $(SPIN_DIR)/liveness/pan.out
	@touch $@

TEST_PREREQS	+= spin-verify
