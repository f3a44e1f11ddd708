# Tests of the model kernel and the conformance suite (run for every design).
RT_SRCS		:= tests/rt.c
TESTS		+= test_kern
test_kern_SRCS	:= tests/test_kern.c $(RT_SRCS)
TESTS		+= conformance
conformance_SRCS := tests/conformance.c $(RT_SRCS)
TESTS		+= test_eventcount
test_eventcount_SRCS := tests/test_eventcount.c $(RT_SRCS)
