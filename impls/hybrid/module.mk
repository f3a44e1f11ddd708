# The hybrid design: lock-free exit/reap (models/hybrid.pml is its protocol).
REAP_SRCS	+= impls/hybrid/hy_lwp.c impls/hybrid/hy_exit.c \
		   impls/hybrid/hy_wait.c impls/hybrid/hy_reclaim.c \
		   impls/hybrid/hy_pid.c
REAP_DESIGNS	+= hybrid
