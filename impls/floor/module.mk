# The floor: the least an exit/reap core does on the model kernel, a
# reference (not ranked) that calibrates the harness (README.md).
REAP_SRCS	+= impls/floor/fl_sys.c impls/floor/fl_lwp.c \
		   impls/floor/fl_proc.c
REAP_DESIGNS	+= floor
