/* kern_work.c - stand-ins for teardown work the model does not simulate. */
#include "kern.h"

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

/* Costs the machine's work_ns (reap_config.work_ns), at the seed's place. */
void
kern_work(void)
{
	struct kern_machine *m = kern_curmachine();

	if (m != NULL)
		kern_work_ns(kern_machine_work_ns(m));
}
