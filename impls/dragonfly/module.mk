# The dragonfly design and its dragonfly-2010 variant (issue 3).
REAP_SRCS	+= impls/dragonfly/df_sys.c impls/dragonfly/df_proc.c \
		   impls/dragonfly/df_lwp.c impls/dragonfly/df_exit.c \
		   impls/dragonfly/df_reap.c impls/dragonfly/df_wait.c \
		   impls/dragonfly/df_join.c
REAP_DESIGNS	+= dragonfly dragonfly_2010
TESTS		+= test_dragonfly
test_dragonfly_SRCS := tests/test_dragonfly.c tests/rt.c
