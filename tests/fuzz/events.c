/*
 * events.c - fuzz target: `--events E,..` as `reapbench run` checks it,
 * ctr_set_create() (the list split, libpfm4's encoding of each name, the
 * probe of each event), then the set as a run reads it.  A list it
 * refuses must be one line; the driver prefixes it with "--events LIST".
 */
#include "fuzz.h"
#include "counters.h"

#include <stdlib.h>

const char fuzz_name[] = "events";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = fuzz_string(data, size), err[1024];
	struct ctr_set *c = ctr_set_create(list, err, sizeof(err));

	if (c == NULL)
		fuzz_check_error(err, "");
	else {
		for (int i = 0; i < ctr_set_nevents(c); i++) {
			const struct ctr_event *ev = ctr_set_event(c, i);

			if (ctr_set_find(c, ev->name) != i)
				abort();
		}
		(void)ctr_set_mode(c);
		ctr_set_destroy(c);
	}
	free(list);
	return 0;
}
