# The NetBSD designs: netbsd (kern_lwp.c 1.252) and netbsd-2007 (1.54).
REAP_SRCS	+= impls/netbsd/nb_proc.c impls/netbsd/nb_lwp.c \
		   impls/netbsd/nb_wait.c impls/netbsd/nb_exit.c \
		   impls/netbsd/nb_2007.c impls/netbsd/nb_pid.c \
		   impls/netbsd/nb_cache.c
REAP_DESIGNS	+= netbsd netbsd_2007
