# kern/ - the model kernel every design runs on: CPUs, tokens, tsleep/wakeup,
# mutex/condvar, taskqueues, futexes, eventcounts, the giant lock,
# kern_work, injection.
REAP_SRCS	+= kern/kern_cpu.c kern/kern_books.c kern/kern_futex.c \
		   kern/kern_token.c kern/kern_sleep.c \
		   kern/kern_mutex.c kern/kern_taskqueue.c \
		   kern/kern_work.c kern/kern_biglock.c kern/kern_inject.c \
		   kern/kern_eventcount.c kern/kern_rwlock.c
