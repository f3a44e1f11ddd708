/*
 * run_call.c - one call of a benchmark (bench_run) in a child process,
 * bounded by a time budget.
 *
 * Why a child.  A call that runs away is inside a design: its threads
 * spin or sleep in the model kernel (observers livelocking an exit, tick
 * polls on oversubscribed PUs) and nothing there can be cancelled or
 * unwound in-process.  A watchdog that marks the benchmark failed and lets
 * the call go on in the background would leave those threads competing
 * for the CPUs (and sharing the process) with every later benchmark; an
 * alarm that exits loses the whole run.  A child is killed whole, the
 * design's state with it, and the run goes on.  The parent is single
 * threaded between calls (the pools live and die inside bench_run), so
 * fork() is safe; the result comes back over a pipe: the flat struct
 * bench_result, then its pin records.  Timing, counters and CPU time are
 * all taken inside the child, as they were in-process.
 */
#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"

/* Write all of buf; 0 or -1. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Tests make a call run away on purpose: REAPBENCH_TEST_HANG=REGEX makes
 * the calls of the benchmarks it matches never end (tests/test_bench).
 */
static void
call_test_hang(const struct bench_spec *spec)
{
	const char *re = getenv("REAPBENCH_TEST_HANG");
	regex_t rx;

	if (re == NULL || regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return;
	if (regexec(&rx, spec->name, 0, NULL, 0) == 0)
		for (;;)
			pause();
	regfree(&rx);
}

static void __attribute__((noreturn))
call_child(int fd, pid_t parent, const struct bench_spec *spec,
    uint64_t iters)
{
	struct bench_result *r = xcalloc(1, sizeof(*r));
	struct bench_pinrec *pins;
	int rc;

	/* Die with the parent: a killed `reapbench run` leaves no call. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	call_test_hang(spec);
	rc = bench_run(spec, iters, r);
	pins = r->pins;
	r->pins = NULL;
	if (rc != 0)
		r->npins = 0;
	/* _exit: the parent's stdio and Google Benchmark's buffers are
	 * copies here and must not be flushed twice. */
	if (write_all(fd, &rc, sizeof(rc)) != 0 ||
	    write_all(fd, r, sizeof(*r)) != 0 || (r->npins > 0 &&
	    write_all(fd, pins, sizeof(*pins) * (size_t)r->npins) != 0))
		_exit(1);
	_exit(0);
}

/* Read len bytes by the deadline; 0, -1 (EOF or error) or -2 (late). */
static int
read_by(int fd, void *buf, size_t len, uint64_t deadline)
{
	char *p = buf;

	while (len > 0) {
		uint64_t now = bench_now_ns();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int ms;

		if (now >= deadline)
			return -2;
		ms = (int)((deadline - now + 999999) / 1000000);
		if (poll(&pfd, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd.revents == 0)
			continue;
		if ((n = read(fd, p, len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The child's end in words, into r->error. */
static void
call_status(struct bench_result *r, int status, double budget_s, bool late)
{
	if (late)
		snprintf(r->error, sizeof(r->error), "ran past its budget of "
		    "%.0f s per call (killed)", budget_s);
	else if (WIFSIGNALED(status))
		snprintf(r->error, sizeof(r->error), "died of signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "exited %d without a "
		    "result", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int
run_call(const struct bench_spec *spec, uint64_t iters, double budget_s,
    struct bench_result *r)
{
	uint64_t deadline = bench_now_ns() + (uint64_t)(budget_s * 1e9);
	int fds[2], rc = -1, got, status = 0;
	pid_t pid, self = getpid();

	memset(r, 0, sizeof(*r));
	fflush(NULL);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		snprintf(r->error, sizeof(r->error), "cannot start the call: "
		    "%s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		call_child(fds[1], self, spec, iters);
	}
	close(fds[1]);
	if ((got = read_by(fds[0], &rc, sizeof(rc), deadline)) == 0)
		got = read_by(fds[0], r, sizeof(*r), deadline);
	r->pins = NULL;
	if (got == 0 && r->npins > 0) {
		if (r->npins > BENCH_MAX_PINRECS)
			r->npins = BENCH_MAX_PINRECS;
		r->pins = xcalloc((size_t)r->npins, sizeof(*r->pins));
		got = read_by(fds[0], r->pins, sizeof(*r->pins) *
		    (size_t)r->npins, deadline);
	}
	if (got == -2)
		kill(pid, SIGKILL);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == 0 && rc == 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		return 0;
	bench_result_free(r);
	r->npins = 0;
	call_status(r, status, budget_s, got == -2);
	return -1;
}
