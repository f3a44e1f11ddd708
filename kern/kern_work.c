/* kern_work.c - stand-ins for teardown work the model does not simulate. */
#include "kern.h"

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

/*
 * kern_work_ns(the machine's work_ns) for an unmodelled release, at the
 * seed's place and under its locks; nothing when the caller is not
 * attached to a machine.
 */
void
kern_work(void)
{
	struct kern_machine *m = kern_curmachine();

	if (m != NULL)
		kern_work_ns(kern_machine_work_ns(m));
}
