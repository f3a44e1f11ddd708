# The hybrid design (issue 5).
REAP_SRCS	+= impls/hybrid/hy_lwp.c impls/hybrid/hy_exit.c \
		   impls/hybrid/hy_wait.c impls/hybrid/hy_reclaim.c
REAP_DESIGNS	+= hybrid
TESTS		+= test_hybrid
test_hybrid_SRCS := tests/test_hybrid.c tests/rt.c
