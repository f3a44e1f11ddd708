/* fuzz_util.c - helpers of the fuzz targets (fuzz.h). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_check_error(const char *err, const char *names)
{
	const char *why = NULL;

	if (err[0] == '\0')
		why = "empty";
	else if (strpbrk(err, "\n\r") != NULL)
		why = "more than one line";
	else if (strstr(err, names) == NULL)
		why = "does not name the input";
	if (why == NULL)
		return;
	fprintf(stderr, "fuzz %s: error message %s (want '%s'): %s\n",
	    fuzz_name, why, names, err);
	abort();
}
