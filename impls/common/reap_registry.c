/* reap_registry.c - lookup in the generated table of designs. */
#include <string.h>

#include "reap.h"

const struct reap_ops *
reap_find(const char *name)
{
	for (const struct reap_ops *const *d = reap_designs; *d != NULL; d++)
		if (strcmp((*d)->name, name) == 0)
			return *d;
	return NULL;
}
