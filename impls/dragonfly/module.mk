# The dragonfly design and its dragonfly-2010 variant.
REAP_SRCS	+= impls/dragonfly/df_sys.c impls/dragonfly/df_proc.c \
		   impls/dragonfly/df_lwp.c impls/dragonfly/df_exit.c \
		   impls/dragonfly/df_reap.c impls/dragonfly/df_wait.c \
		   impls/dragonfly/df_join.c
REAP_DESIGNS	+= dragonfly dragonfly_2010
