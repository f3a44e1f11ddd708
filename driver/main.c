/*
 * main.c - reapbench: the verbs.
 *
 *   reapbench list                      designs, variants, workloads,
 *                                       policies, counter events here
 *   reapbench run [options] [--benchmark_*=...]
 *   reapbench plan [--topology SPEC] [--pin P] [--cpus N]
 *   reapbench report ... | pick ...     (report/)
 *   reapbench torture ...               exec the torture tool
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "driver.h"
#include "report.h"

const char *progname = "reapbench";
int	 main_argc;
char	**main_argv;

static int cmd_selftest(int, char **);

static const struct verb {
	const char *name;
	int	(*fn)(int argc, char **argv);	/* argv[0] is the verb */
	const char *usage;
} verbs[] = {
	{ "list", cmd_list, "list" },
	{ "run", cmd_run, "run [options] [--benchmark_*=...]" },
	{ "plan", cmd_plan, "plan [--topology SPEC] [--pin P] [--cpus N]" },
	{ "report", report_main, "report [--no-plots | --plots-only] "
	  "[--gp-dir DIR] [--profiles-dir DIR] [-o FILE] RESULTS\n"
	  "       reapbench report --baseline RESULTS1 RESULTS2 [-o FILE]" },
	{ "pick", pick_main, "pick RESULTS --profile NAME "
	  "[--profiles-dir DIR]" },
	{ "torture", cmd_torture, "torture [args]" },
	/* For tests/test_bench: the C wrapper checked through Google
	 * Benchmark itself. */
	{ "gbench-selftest", cmd_selftest, NULL },
};
#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

static void
usage(FILE *f)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (verbs[i].usage != NULL)
			fprintf(f, "%s reapbench %s\n", i ? "      " : "usage:",
			    verbs[i].usage);
	fprintf(f, "run options:\n");
	run_usage(f);
}

void
usage_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line, whatever the argument quoted in it holds. */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "%s: %s\n", progname, msg);
	exit(EXIT_USAGE);
}

int
parse_int(const char *opt, const char *s, int lo, int hi)
{
	char err[512];
	int v;

	if (opt_int(opt, s, lo, hi, &v, err, sizeof(err)) != 0)
		usage_error("%s", err);
	return v;
}

static int
cmd_selftest(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return bench_gbench_selftest(main_argv[0]);
}

int
main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	struct rlimit rl;

	setvbuf(stderr, NULL, _IOLBF, 0);
	main_argc = argc;
	main_argv = argv;
	/* Every thread of a run holds a few counter fds; a teardown of 256
	 * LWPs per parent has hundreds of threads. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (verb == NULL || strcmp(verb, "--help") == 0 ||
	    strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
		usage(verb == NULL ? stderr : stdout);
		return verb == NULL ? EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verb, verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	usage_error("unknown verb '%s' (list, run, plan, report, pick, "
	    "torture)", verb);
}
