/*
 * report_main.c - `reapbench report`.
 *
 *   reapbench report [--no-plots | --plots-only] [--gp-dir D]
 *                    [--profiles-dir D] [-o FILE] DIR
 *   reapbench report --baseline DIR1 DIR2 [-o FILE]
 *   reapbench report [--profiles-dir D] [--out OUTDIR] DIR1 DIR2 ...
 *
 * The first form groups DIR's series by configuration (workload, pin
 * policy, threads, T), compares the designs of each on the workload's
 * headline metric, writes gnuplot data and a driver script under
 * DIR/plots/data/, runs gnuplot over the scripts in plots/ (PNG and SVG
 * into DIR/plots/), and writes DIR/REPORT.md.  The second compares two
 * runs benchmark by benchmark, as ratios DIR2 / DIR1, into DIR2/COMPARE.md.
 * The third is one report across hosts (report_hosts.c) into OUTDIR.
 * A folder that cannot be read (a missing or corrupt file) is one line
 * naming the file and exit status 2, like a usage error; a failure to
 * write the outputs is status 1.
 */
#include "report_impl.h"

#include <stdlib.h>
#include <string.h>

struct report_args {
	const char *dir, *base, *out, *outdir;
	char	**dirs;		/* the RESULTS folders, dirs[0] == dir */
	size_t	 ndir;
	const char *gpdir, *pdir;
	bool	 no_plots, plots_only;
};

static int
usage(void)
{
	fprintf(stderr,
	    "usage: reapbench report [--no-plots | --plots-only] "
	    "[--gp-dir DIR] [--profiles-dir DIR] [-o FILE] RESULTS\n"
	    "       reapbench report --baseline RESULTS1 RESULTS2 "
	    "[-o FILE]\n"
	    "       reapbench report [--profiles-dir DIR] [--out DIR] "
	    "RESULTS1 RESULTS2 ...\n");
	return 2;
}

/* 0, or -1 for a usage error. */
static int
report_args(int argc, char **argv, struct report_args *a)
{
	memset(a, 0, sizeof(*a));
	a->dirs = xcalloc((size_t)argc, sizeof(char *));
	a->gpdir = "plots";
	a->pdir = "report/profiles";
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		bool more = i + 1 < argc;

		if (strcmp(s, "--no-plots") == 0)
			a->no_plots = true;
		else if (strcmp(s, "--plots-only") == 0)
			a->plots_only = true;
		else if (strcmp(s, "--baseline") == 0 && more)
			a->base = argv[++i];
		else if (strcmp(s, "--gp-dir") == 0 && more)
			a->gpdir = argv[++i];
		else if (strcmp(s, "--profiles-dir") == 0 && more)
			a->pdir = argv[++i];
		else if (strcmp(s, "-o") == 0 && more)
			a->out = argv[++i];
		else if (strcmp(s, "--out") == 0 && more)
			a->outdir = argv[++i];
		else if (s[0] == '-')
			return -1;
		else
			a->dirs[a->ndir++] = argv[i];
	}
	a->dir = a->dirs[0];
	if (a->ndir > 1)	/* across hosts: REPORT.md only, in --out */
		return a->base != NULL || a->out != NULL || a->plots_only ?
		    -1 : 0;
	return a->dir == NULL || a->outdir != NULL ||
	    (a->no_plots && a->plots_only) ? -1 : 0;
}

static int
load(const char *dir, struct rdir *r)
{
	char err[1024];

	if (rdir_complete(dir, err, sizeof(err)) != 0)
		memset(r, 0, sizeof(*r));
	else if (rdir_load(dir, r, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "reapbench report: %s\n", err);
	return -1;
}

/* DIR2/COMPARE.md against the baseline DIR1. */
static int
report_compare(const struct report_args *a)
{
	struct rdir r, rb;
	char err[1024], *out;
	int rc = 1;

	if (load(a->base, &rb) != 0) {
		rdir_free(&rb);
		return 2;
	}
	if (load(a->dir, &r) != 0) {
		rdir_free(&r);
		rdir_free(&rb);
		return 2;
	}
	out = a->out != NULL ? xstrdup(a->out) : path_join(a->dir,
	    "COMPARE.md");
	if (report_compare_write(&rb, &r, out, err, sizeof(err)) != 0)
		fprintf(stderr, "reapbench report: %s\n", err);
	else {
		printf("reapbench report: wrote %s\n", out);
		rc = 0;
	}
	free(out);
	rdir_free(&r);
	rdir_free(&rb);
	return rc;
}

int
report_main(int argc, char **argv)
{
	struct report_args a;
	struct report_table *t;
	struct rdir r;
	size_t nt;
	char err[1024], *out;
	int rc = 0;

	if (report_args(argc, argv, &a) != 0) {
		free(a.dirs);
		return usage();
	}
	if (a.base != NULL || a.ndir > 1) {
		rc = a.base != NULL ? report_compare(&a) :
		    report_hosts_main(a.dirs, a.ndir, a.outdir, a.pdir);
		free(a.dirs);
		return rc;
	}
	free(a.dirs);
	if (load(a.dir, &r) != 0) {
		rdir_free(&r);
		return 2;
	}
	report_tables_build(&r, &t, &nt);
	if (!a.no_plots && report_plots(&r, t, nt, a.gpdir, true, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "reapbench report: plots: %s\n", err);
		rc = 1;
	}
	if (!a.plots_only) {
		out = a.out != NULL ? xstrdup(a.out) : path_join(a.dir,
		    "REPORT.md");
		if (report_md_write(&r, t, nt, out, a.pdir, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "reapbench report: %s\n", err);
			rc = 1;
		} else
			printf("reapbench report: wrote %s\n", out);
		free(out);
	}
	report_tables_free(t, nt);
	rdir_free(&r);
	return rc;
}
