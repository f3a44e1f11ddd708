/* rt.c - the test runtime behind rt.h. */
#include "rt.h"
#include <fcntl.h>

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define RT_MAX	512
static struct { const char *name; rt_fn fn; } rt_tests[RT_MAX];
static int rt_ntests;
static const char *rt_cur = "(none)";
static uint64_t rt_seedval;
static pthread_mutex_t rt_fail_lock = PTHREAD_MUTEX_INITIALIZER;

void
rt_register(const char *name, rt_fn fn)
{
	if (rt_ntests == RT_MAX) {
		fprintf(stderr, "rt: too many tests, raise RT_MAX\n");
		exit(2);
	}
	rt_tests[rt_ntests].name = name;
	rt_tests[rt_ntests++].fn = fn;
}

const char *
rt_current(void)
{
	return rt_cur;
}

uint64_t
rt_seed(void)
{
	return rt_seedval;
}

void
rt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&rt_fail_lock);	/* one report, even if racing */
	fprintf(stdout, "FAIL %s: %s:%d: ", rt_cur, file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fprintf(stdout, " (seed %llu)\n", (unsigned long long)rt_seedval);
	fflush(stdout);
	_exit(1);
}

int
rt_main(int argc, char **argv)
{
	const char *filters[64];
	int nf = 0, passed = 0;
	const char *env = getenv("RT_SEED");

	rt_seedval = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rt_seedval = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--list") == 0) {
			for (int t = 0; t < rt_ntests; t++)
				printf("%s\n", rt_tests[t].name);
			return 0;
		} else if (nf < 64)
			filters[nf++] = argv[i];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* First, so that even a crash or a hang leaves it in the log. */
	printf("rt: seed %llu (RT_SEED=%llu replays)\n",
	    (unsigned long long)rt_seedval, (unsigned long long)rt_seedval);
	for (int t = 0; t < rt_ntests; t++) {
		bool run = nf == 0;
		for (int f = 0; f < nf && !run; f++)
			run = strstr(rt_tests[t].name, filters[f]) != NULL;
		if (!run)
			continue;
		rt_cur = rt_tests[t].name;
		rt_tests[t].fn();
		printf("PASS %s\n", rt_cur);
		passed++;
	}
	printf("%d passed, 0 failed\n", passed);
	return 0;
}

bool
rt_name_in_list(const char *name, const char *list)
{
	size_t n = strlen(name);

	if (list == NULL || *list == '\0')
		return true;
	for (const char *s = list; *s != '\0';) {
		const char *e = strchr(s, ',');
		size_t len = e != NULL ? (size_t)(e - s) : strlen(s);

		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len + (e != NULL);
	}
	return false;
}

char *
rt_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	RT_ASSERTF(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	RT_ASSERT(buf != NULL);
	RT_EQ(fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int
rt_captured(const char *path, int (*fn)(int, char **), int argc, char **argv)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int so = dup(1), se = dup(2), rc;

	RT_ASSERT(fd >= 0 && so >= 0 && se >= 0);
	fflush(stdout);
	fflush(stderr);
	dup2(fd, 1);
	dup2(fd, 2);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(fd);
	close(so);
	close(se);
	return rc;
}
