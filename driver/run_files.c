/*
 * run_files.c - the rest of a results folder once the benchmarks ran:
 * latency/ (a CDF per benchmark and an index), cmdline.txt, env.json and
 * topology.xml (bench_schema.h lists them).  Each file is written whole
 * (to a temporary name, renamed) or not at all, and a file that cannot be
 * written is one line on stderr and -1; the folder is published by
 * bench_results_commit().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

/* One line naming the file that could not be written; -1. */
static int
write_failed(const char *path, int error)
{
	fprintf(stderr, "reapbench: cannot write %s: %s\n", path,
	    strerror(error));
	return -1;
}

static int
run_write_cdf(const struct bench_results *res, FILE *ix,
    const struct bench_item *it)
{
	struct bench_file bf;
	char fn[256], *path;
	int e;

	bench_sanitise(it->spec.name, fn, sizeof(fn));
	path = path_join(res->tmp, "%s/%s.dat", BENCH_DIR_LATENCY, fn);
	if ((e = bench_file_open(&bf, path)) == 0) {
		fprintf(bf.f, "# %s: %s\n# upper_bound_ns cumulative_fraction"
		    "\n", it->spec.name, it->spec.ops == NULL ? "native" :
		    bench_workloads[it->spec.wl].latency);
		bench_hist_write(&it->merged, bf.f);
		e = bench_file_close(&bf);
	}
	if (e == 0)
		fprintf(ix, "%s\t%s.dat\t%llu\n", it->spec.name, fn,
		    (unsigned long long)it->merged.count);
	free(path);
	return e == 0 ? 0 : write_failed(bf.path, e);
}

int
run_write_latency(const struct bench_results *res, struct bench_reg *reg)
{
	char *idx = path_join(res->tmp, BENCH_FILE_LATENCY_INDEX);
	struct bench_file ix;
	int e, rc = 0;

	if ((e = bench_file_open(&ix, idx)) != 0) {
		rc = write_failed(idx, e);
		free(idx);
		return rc;
	}
	fprintf(ix.f, "# benchmark\tfile\tsamples\n");
	for (int i = 0; i < reg->nitems && rc == 0; i++)
		if (reg->items[i].merged.count > 0)
			rc = run_write_cdf(res, ix.f, &reg->items[i]);
	if ((e = bench_file_close(&ix)) != 0 && rc == 0)
		rc = write_failed(idx, e);
	free(idx);
	return rc;
}

/* The command line, each word single-quoted for a POSIX shell. */
static char *
shell_quoted(int argc, char **argv, size_t *len)
{
	size_t off = 0, cap = 2;
	char *cmd;

	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) * 4 + 3;
	cmd = xcalloc(cap, 1);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			cmd[off++] = ' ';
		cmd[off++] = '\'';
		for (const char *q = argv[i]; *q; q++) {
			if (*q == '\'') {
				memcpy(cmd + off, "'\\''", 4);
				off += 4;
			} else
				cmd[off++] = *q;
		}
		cmd[off++] = '\'';
	}
	cmd[off++] = '\n';
	*len = off;
	return cmd;
}

static int
write_whole(const char *path, const char *data, size_t len)
{
	int e = data == NULL ? ENOMEM : bench_write_file(path, data, len);

	return e == 0 ? 0 : write_failed(path, e);
}

int
run_write_files(const struct bench_results *res, json_t *envj,
    const struct pin_topo *topo)
{
	char *path, *s;
	size_t len;
	int rc, e;

	s = shell_quoted(main_argc, main_argv, &len);
	path = path_join(res->tmp, BENCH_FILE_CMDLINE);
	rc = write_whole(path, s, len);
	free(path);
	free(s);
	if (rc != 0)
		return rc;
	s = json_dumps(envj, JSON_INDENT(2) | JSON_SORT_KEYS);
	path = path_join(res->tmp, BENCH_FILE_ENV);
	rc = write_whole(path, s, s != NULL ? strlen(s) : 0);
	free(path);
	free(s);
	if (rc != 0)
		return rc;
	path = path_join(res->tmp, BENCH_FILE_TOPOLOGY);
	if ((e = pin_topo_export_xml(topo, path)) != 0)
		rc = write_failed(path, e);
	free(path);
	return rc;
}
