/*
 * rt.h - the project's minimal test runtime.
 *
 * RT_TEST(name) { ... } registers a test; rt_main() runs those matching
 * argv filters (substring) and prints its seed, one line per test, "PASS
 * name" or "FAIL name: why", then "N passed, N failed".  An assertion failure in any
 * thread prints FAIL with file:line and exits 1 at once: a concurrency test
 * cannot recover its state after a broken invariant anyway.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*rt_fn)(void);
void	rt_register(const char *name, rt_fn fn);
int	rt_main(int argc, char **argv);
void	rt_fail(const char *file, int line, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 3, 4)));
const char *rt_current(void);
/* Seed for randomised tests: RT_SEED env or argv "--seed N", else time. */
uint64_t rt_seed(void);
/* Is name one of the comma-separated list (NULL or empty: all)? */
bool	rt_name_in_list(const char *name, const char *list);

#define RT_TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void name##__reg(void)	\
	{ rt_register(#name, name); }					\
	static void name(void)

#define RT_ASSERT(c) do { if (!(c))					\
	rt_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define RT_ASSERTF(c, ...) do { if (!(c))				\
	rt_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define RT_EQ(a, b) do { long long rt_a__ = (long long)(a),		\
	rt_b__ = (long long)(b); if (rt_a__ != rt_b__)			\
	rt_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)",		\
	    #a, #b, rt_a__, rt_b__); } while (0)

/* The whole of a file, NUL-terminated (malloc'd); fails the test if it
 * cannot be read. */
char	*rt_slurp(const char *path);
/* fn(argc, argv) with stdout and stderr sent to path; fn's result. */
int	rt_captured(const char *path, int (*fn)(int, char **), int argc,
	    char **argv);

#endif /* RT_H */
