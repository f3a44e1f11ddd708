/*
 * fuzz.h - what the fuzz targets of tests/fuzz/ share.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput() over one
 * input the suite reads, and fuzz_name, the folder of its corpus and
 * crashes (tests/fuzz/corpus/<name>/, tests/fuzz/crashes/<name>/).  It is
 * linked two ways: with libFuzzer by `make fuzz` (tests/fuzz/fuzz.mk), and
 * with replay.c as a test binary of every flavor that runs the corpus and
 * the crashes through it (registered in tests/module.mk).
 *
 * A target checks what every bad input must give: a parser that refuses
 * an input says so in one non-empty line naming the file or option
 * (fuzz_check_error); anything else (a crash, a sanitizer report, a
 * leak, a hang, an exit) is a bug the fuzzer reports.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

extern const char fuzz_name[];

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string (cut at its first NUL); free it. */
char	*fuzz_string(const uint8_t *data, size_t size);
/*
 * hwloc unloads its components when the last topology is destroyed and
 * reloads them (dlopen, ~40 ms) for the next: one topology kept open for
 * the process makes a load of a small topology take 40 us.
 */
void	hwloc_keep_loaded(void);
/* Abort unless err is one non-empty line containing `names`. */
void	fuzz_check_error(const char *err, const char *names);

#endif /* TESTS_FUZZ_FUZZ_H */
