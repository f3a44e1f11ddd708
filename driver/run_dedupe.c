/*
 * run_dedupe.c - the full matrix runs every pin policy; where two place
 * every thread on the same PUs on this machine (compact and scatter on
 * one node of single-PU cores), the later is skipped with the reason: a
 * duplicate measures nothing new and cost a quarter of the matrix here.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* Its name up to its pin ("churn_shared/hybrid/t:2/", w:<x>x included). */
static size_t
pinless_len(const char *name)
{
	const char *p = strstr(name, "pin:");

	return p != NULL ? (size_t)(p - name) : strlen(name);
}

/* a and b are one benchmark under two pin policies. */
static bool
same_but_pin(const struct bench_item *a, const struct bench_item *b)
{
	size_t n = pinless_len(b->spec.name);

	return !a->empty && a->spec.pin != b->spec.pin &&
	    pinless_len(a->spec.name) == n &&
	    strncmp(a->spec.name, b->spec.name, n) == 0;
}

void
run_dedupe_plans(struct bench_item *items, int n)
{
	for (int j = 0; j < n; j++) {
		struct bench_item *b = &items[j];

		for (int i = 0; i < j && !b->empty && b->failed[0] == '\0';
		    i++) {
			const struct bench_item *a = &items[i];

			if (a->failed[0] != '\0' || !same_but_pin(a, b) ||
			    !bench_spec_same_plan(&a->spec, &b->spec))
				continue;
			snprintf(b->failed, sizeof(b->failed), "skipped: pin "
			    "%s places every thread as pin %s does on this "
			    "machine (the same plan): it runs once, as %s",
			    pin_policy_name(b->spec.pin),
			    pin_policy_name(a->spec.pin),
			    pin_policy_name(a->spec.pin));
		}
	}
}
