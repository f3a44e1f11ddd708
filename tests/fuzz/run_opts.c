/*
 * run_opts.c - fuzz target: the options of `reapbench run`
 * (run_opts_parse, then the matrix's defaults on 2 PUs).  The input is
 * the arguments after "run", separated by NUL bytes.  A command line it
 * refuses must be one line naming an option.
 */
#include "fuzz.h"
#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "run_opts";

#define MAXARGS	64

/* run_opts_parse never exits: reaching this is a bug. */
void
usage_error(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAXARGS + 2], err[1024];
	struct run_opts o;
	int argc = 0;

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "run";
	for (size_t i = 0; i <= size && argc <= MAXARGS; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	if (size == 0)
		argc = 1;
	if (run_opts_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		if (strncmp(err, "run: ", 5) != 0)
			fuzz_check_error(err, "--");
		fuzz_check_error(err, "");
	} else
		run_matrix(&o, 2);
	run_opts_free(&o);
	free(buf);
	return 0;
}
