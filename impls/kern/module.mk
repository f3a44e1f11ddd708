# The model kernel, shared by every design.
REAP_SRCS	+= impls/kern/kern_cpu.c impls/kern/kern_futex.c \
		   impls/kern/kern_token.c impls/kern/kern_sleep.c \
		   impls/kern/kern_mutex.c impls/kern/kern_taskqueue.c \
		   impls/kern/kern_work.c impls/kern/kern_inject.c \
		   impls/kern/kern_eventcount.c
