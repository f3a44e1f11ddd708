/*
 * run_files.c - the rest of a results folder once the benchmarks ran:
 * latency/ (a CDF per benchmark and an index), cmdline.txt, env.json and
 * topology.xml (bench_schema.h lists them).  Each file is written whole
 * or not at all; the folder is published by bench_results_commit().
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"

static void
run_write_cdf(const struct bench_results *res, FILE *ix,
    const struct bench_item *it)
{
	char fn[256], *path;
	FILE *f;

	bench_sanitise(it->spec.name, fn, sizeof(fn));
	path = path_join(res->tmp, "%s/%s.dat", BENCH_DIR_LATENCY, fn);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "# %s: %s\n# upper_bound_ns cumulative_fraction\n",
		    it->spec.name, it->spec.ops == NULL ? "native" :
		    bench_workloads[it->spec.wl].latency);
		bench_hist_write(&it->merged, f);
		fclose(f);
		fprintf(ix, "%s\t%s.dat\t%llu\n", it->spec.name, fn,
		    (unsigned long long)it->merged.count);
	}
	free(path);
}

void
run_write_latency(const struct bench_results *res, struct bench_reg *reg)
{
	char *idx = path_join(res->tmp, BENCH_FILE_LATENCY_INDEX);
	FILE *ix;

	if ((ix = fopen(idx, "w")) != NULL) {
		fprintf(ix, "# benchmark\tfile\tsamples\n");
		for (int i = 0; i < reg->nitems; i++)
			if (reg->items[i].merged.count > 0)
				run_write_cdf(res, ix, &reg->items[i]);
		fclose(ix);
	}
	free(idx);
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

static void
write_whole(const char *path, const char *data, size_t len)
{
	if (data == NULL || bench_write_file(path, data, len) != 0)
		fprintf(stderr, "reapbench: cannot write %s\n", path);
}

void
run_write_files(const struct bench_results *res, json_t *envj,
    const struct pin_topo *topo)
{
	char *path, *s;
	size_t len;

	s = shell_quoted(main_argc, main_argv, &len);
	path = path_join(res->tmp, BENCH_FILE_CMDLINE);
	write_whole(path, s, len);
	free(path);
	free(s);
	s = json_dumps(envj, JSON_INDENT(2) | JSON_SORT_KEYS);
	path = path_join(res->tmp, BENCH_FILE_ENV);
	write_whole(path, s, s != NULL ? strlen(s) : 0);
	free(path);
	free(s);
	path = path_join(res->tmp, BENCH_FILE_TOPOLOGY);
	if (pin_topo_export_xml(topo, path) != 0)
		fprintf(stderr, "reapbench: cannot write %s\n", path);
	free(path);
}
