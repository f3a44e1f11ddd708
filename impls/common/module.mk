# Design-independent parts of the common header: registry lookup, boot/halt.
REAP_SRCS	+= impls/common/reap_registry.c impls/common/reap_boot.c
