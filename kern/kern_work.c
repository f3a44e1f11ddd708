/* kern_work.c - named stand-ins for teardown work the model does not
 * simulate. */
#include "kern.h"

static const char *const kern_work_names[KW_NNAMES] = {
	[KW_LWP_CRFREE] = "lwp_crfree",
	[KW_LWP_STACK] = "lwp_stack",
	[KW_FDFREE] = "fdfree",
	[KW_VMSPACE_EXIT] = "vmspace_exit",
	[KW_SIGCHLD] = "sigchld",
	[KW_SIGACTSFREE] = "sigactsfree",
	[KW_CRFREE] = "crfree",
	[KW_VMSPACE_FREE] = "vmspace_free",
};

/* The name of stand-in i (reap.h), NULL past the end. */
const char *
reap_work_name(unsigned i)
{
	return i < KW_NNAMES ? kern_work_names[i] : NULL;
}

/*
 * Busy-wait ns wall nanoseconds (a pause loop; preemption may stretch it)
 * in place of work the model does not simulate.
 */
void
kern_work_ns(uint64_t ns)
{
	uint64_t end;

	if (ns == 0)
		return;
	end = kern_now_ns() + ns;
	while (kern_now_ns() < end)
		__builtin_ia32_pause();
}
