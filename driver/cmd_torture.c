/*
 * cmd_torture.c - `reapbench torture [args]`: exec the torture tool of
 * the ASan build beside this binary (tests/torture.c).
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "xmalloc.h"

int
cmd_torture(int argc, char **argv)
{
	char *self = realpath("/proc/self/exe", NULL), *tool;

	(void)argc;
	if (self == NULL)
		usage_error("torture: cannot find my own path");
	/* The torture tool lives in the ASan build of the same BUILD dir. */
	tool = path_join(dirname(self), "gcc-asan/tools/torture");
	free(self);
	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "%s: torture: %s is not built: run 'make "
		    "torture' (or 'make build-asan') first\n", progname, tool);
		free(tool);
		return EXIT_USAGE;
	}
	argv[0] = tool;
	execv(tool, argv);
	fprintf(stderr, "%s: torture: cannot run %s: %s\n", progname, tool,
	    strerror(errno));
	free(tool);
	return 1;
}
