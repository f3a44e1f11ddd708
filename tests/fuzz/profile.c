/*
 * profile.c - fuzz target: a profile (report/profiles/NAME.profile) as
 * `reapbench pick` reads it (profile_parse), then the pick it weighs on
 * the recorded results of tests/data/smoke.  A profile the parser
 * refuses must be one line naming the file.
 */
#include "fuzz.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "profile";

#define PATH	"fuzz.profile"

static struct rdir smoke;
static bool smoke_loaded;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), err[1024];
	struct profile p;
	struct pick pk;

	if (!smoke_loaded) {
		if (rdir_load("tests/data/smoke", &smoke, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "fuzz profile: %s (run from the "
			    "top of the tree)\n", err);
			abort();
		}
		smoke_loaded = true;
	}
	memset(&p, 0, sizeof(p));
	if (profile_parse(&p, text, PATH, err, sizeof(err)) != 0)
		fuzz_check_error(err, PATH);
	else {
		if (pick_compute(&smoke, &p, &pk, err, sizeof(err)) == 0) {
			FILE *f = fopen("/dev/null", "w");

			pick_print(f, &p, &pk, true);
			fclose(f);
		}
		pick_free(&pk);
	}
	profile_free(&p);
	free(text);
	return 0;
}
