/*
 * results.c - fuzz target: a results folder, as `reapbench report DIR`
 * reads it (rdir_load), then what the report makes of it: the tables,
 * the plots' data and gnuplot drivers (gnuplot itself is not run),
 * REPORT.md and COMPARE.md (the folder against itself).
 *
 * The input is the folder's files one after the other, each after a line
 * "@@ NAME" (bench.json, env.json, pins.tsv, cmdline.txt, topology.xml,
 * latency/index.tsv or latency/<file>); text before the first such line
 * is bench.json.  They are written into a scratch folder (on /dev/shm
 * when there is one), loaded, and removed.  A folder the reader refuses
 * must be one line naming the folder's file.
 */
#include "fuzz.h"
#include "report_impl.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char fuzz_name[] = "results";

#define MAXFILES	64

static char dir[64];
static char *written[MAXFILES];
static int nwritten;

static char lat[96];

static void
scratch_remove(void)
{
	rmdir(lat);
	rmdir(dir);
}

static void
scratch_dir(void)
{
	if (dir[0] != '\0')
		return;
	snprintf(dir, sizeof(dir), "%s/fuzz_results.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(lat, sizeof(lat), "%s/%s", dir, BENCH_DIR_LATENCY);
	if (mkdir(lat, 0700) != 0)
		abort();
	atexit(scratch_remove);
}

/* The folder's path of a section name, or NULL to drop the section. */
static char *
section_path(const char *name, size_t len)
{
	static const char *const top[] = {
		BENCH_FILE_JSON, BENCH_FILE_ENV, BENCH_FILE_PINS,
		BENCH_FILE_CMDLINE, BENCH_FILE_TOPOLOGY, NULL
	};
	char buf[256], safe[256];

	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (int i = 0; top[i] != NULL; i++)
		if (strcmp(buf, top[i]) == 0)
			return path_join(dir, "%s", buf);
	if (strncmp(buf, BENCH_DIR_LATENCY "/", 8) != 0)
		return NULL;
	/* Anything under latency/, kept inside it. */
	bench_sanitise(buf + 8, safe, sizeof(safe));
	if (safe[0] == '\0' || strcmp(safe, ".") == 0 ||
	    strcmp(safe, "..") == 0)
		return NULL;
	return path_join(dir, "%s/%s", BENCH_DIR_LATENCY, safe);
}

static void
write_section(const char *name, size_t nlen, const uint8_t *p, size_t len)
{
	char *path = section_path(name, nlen);
	FILE *f;

	if (path == NULL || nwritten == MAXFILES) {
		free(path);
		return;
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (fwrite(p, 1, len, f) != len || fclose(f) != 0)
		abort();
	written[nwritten++] = path;
}

/* Split the input at "@@ NAME" lines into the folder's files. */
static void
write_folder(const uint8_t *data, size_t size)
{
	const char *name = BENCH_FILE_JSON;
	size_t nlen = strlen(name), start = 0, i = 0;

	for (;;) {
		const uint8_t *nl;
		size_t end;

		/* The next "@@ " at a line's start, or the end. */
		while (i < size && !((i == 0 || data[i - 1] == '\n') &&
		    size - i >= 3 && memcmp(data + i, "@@ ", 3) == 0))
			i++;
		end = i;
		write_section(name, nlen, data + start, end - start);
		if (i == size)
			return;
		name = (const char *)data + i + 3;
		nl = memchr(data + i, '\n', size - i);
		nlen = (nl != NULL ? (size_t)(nl - data) : size) - (i + 3);
		i = start = nl != NULL ? (size_t)(nl - data) + 1 : size;
	}
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Back to an empty folder (and its empty latency/). */
static void
clean_folder(void)
{
	char *p;

	while (nwritten > 0) {
		unlink(written[--nwritten]);
		free(written[nwritten]);
	}
	p = path_join(dir, "plots");
	nftw(p, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	free(p);
	p = path_join(dir, "REPORT.md");
	unlink(p);
	free(p);
	p = path_join(dir, "COMPARE.md");
	unlink(p);
	free(p);
}

/* What `reapbench report` makes of a folder it could read. */
static void
report_all(const struct rdir *r)
{
	struct report_table *t;
	size_t nt;
	char err[1024], *out;

	report_tables_build(r, &t, &nt);
	if (report_plots(r, t, nt, "plots", false, err, sizeof(err)) != 0)
		fuzz_check_error(err, dir);
	out = path_join(dir, "REPORT.md");
	if (report_md_write(r, t, nt, out, "/nonexistent", err,
	    sizeof(err)) != 0)
		fuzz_check_error(err, dir);
	free(out);
	out = path_join(dir, "COMPARE.md");
	if (report_compare_write(r, r, out, err, sizeof(err)) != 0)
		fuzz_check_error(err, dir);
	free(out);
	report_tables_free(t, nt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rdir r;
	char err[1024];

	scratch_dir();
	hwloc_keep_loaded();
	write_folder(data, size);
	if (rdir_load(dir, &r, err, sizeof(err)) != 0)
		fuzz_check_error(err, dir);
	else
		report_all(&r);
	rdir_free(&r);
	clean_folder();
	return 0;
}
