/*
 * replay.c - a fuzz target as a test: every input of its corpus
 * (tests/fuzz/corpus/<name>/) and every crash the fuzzer ever found
 * (tests/fuzz/crashes/<name>/) through LLVMFuzzerTestOneInput, without
 * libFuzzer.  A crash, sanitizer report or leak fails the test binary;
 * the last "replay:" line of its output names the input.
 */
#include "fuzz.h"
#include "../rt.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every file of tests/fuzz/<what>/<name>/; how many there were. */
static size_t
replay(const char *what)
{
	char path[512];
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "tests/fuzz/%s/%s", what, fuzz_name);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		RT_ASSERT(names != NULL);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char file[1024];
		FILE *f;
		long len;
		uint8_t *buf;

		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		printf("replay: %s\n", file);
		f = fopen(file, "rb");
		RT_ASSERTF(f != NULL, "cannot open %s", file);
		RT_ASSERT(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0);
		rewind(f);
		buf = malloc((size_t)len + 1);	/* + 1: never malloc(0) */
		RT_ASSERT(buf != NULL);
		RT_EQ(fread(buf, 1, (size_t)len, f), len);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		free(names[i]);
	}
	free(names);
	return n;
}

RT_TEST(fuzz_corpus)
{
	/* An empty corpus would make this pass without testing anything. */
	RT_ASSERTF(replay("corpus") > 0, "no corpus in tests/fuzz/corpus/%s",
	    fuzz_name);
}

RT_TEST(fuzz_crashes)
{
	replay("crashes");
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
