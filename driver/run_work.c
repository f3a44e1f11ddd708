/*
 * run_work.c - the cost of each named stand-in (kern.h's enum kern_work)
 * in a run: measured on this machine at the start of `reapbench run` by
 * doing the real thing (a few ms in all), unless --work-ns gives it, and
 * recorded in the context: work_ns.<name> (what the run used) and
 * work_measured_ns.<name> (what this machine measured).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "gbench.h"
#include "kern.h"

#define WORK_TRIALS	7		/* the least of these */
#define WORK_BATCH	64		/* cheap releases, timed together */
#define WORK_PAGE	4096
#define WORK_VMSPACE	(4u << 20)	/* a small process's touched memory */
#define WORK_STACK	(16u << 10)	/* a kernel stack (KSTACK/USPACE) */
#define WORK_NFDS	8		/* open files at exit */
#define WORK_SIGACTS	2176		/* sizeof(struct sigacts), 64 handlers */
#define WORK_CRED	256		/* a ucred with its groups */

static uint64_t
work_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An anonymous mapping of len bytes, every `stride`-th byte written. */
static void *
work_map(size_t len, size_t stride)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	for (size_t off = 0; off < len; off += stride)
		p[off] = 1;
	return p;
}

/* ns to unmap len bytes touched every stride bytes; 0 if mmap fails. */
static uint64_t
work_unmap(size_t len, size_t stride)
{
	void *p = work_map(len, stride);
	uint64_t t0;

	if (p == NULL)
		return 0;
	t0 = work_now();
	munmap(p, len);
	return work_now() - t0;
}

/* A credential reference dropped (the LWP's: the process keeps one). */
static uint64_t
probe_lwp_crfree(void)
{
	static _Atomic long ref = 1L << 40;
	uint64_t t0 = work_now();

	for (int i = 0; i < WORK_BATCH; i++)
		atomic_fetch_sub_explicit(&ref, 1, memory_order_acq_rel);
	return (work_now() - t0) / WORK_BATCH;
}

static uint64_t
probe_lwp_stack(void)
{
	return work_unmap(WORK_STACK, WORK_PAGE);
}

static uint64_t
probe_vmspace_exit(void)
{
	return work_unmap(WORK_VMSPACE, WORK_PAGE);
}

/* The map and page tables left once the pages are gone: one page. */
static uint64_t
probe_vmspace_free(void)
{
	return work_unmap(WORK_VMSPACE, WORK_VMSPACE);
}

static uint64_t
probe_fdfree(void)
{
	int fds[WORK_NFDS], fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	uint64_t t0;
	int n = 0;

	if (fd < 0)
		return 0;
	while (n < WORK_NFDS && (fds[n] = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0)
		n++;
	close(fd);
	t0 = work_now();
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return n == WORK_NFDS ? work_now() - t0 : 0;
}

/* n blocks of size bytes, written, then freed: ns per free. */
static uint64_t
work_frees(size_t size, bool refcounted)
{
	void *b[WORK_BATCH];
	uint64_t t0;

	for (int i = 0; i < WORK_BATCH; i++)
		if ((b[i] = malloc(size)) != NULL)
			memset(b[i], i, size);
	t0 = work_now();
	for (int i = 0; i < WORK_BATCH; i++) {
		if (refcounted && b[i] != NULL)
			(void)atomic_fetch_sub_explicit((_Atomic long *)b[i],
			    1, memory_order_acq_rel);
		free(b[i]);
	}
	return (work_now() - t0) / WORK_BATCH;
}

static uint64_t
probe_sigactsfree(void)
{
	return work_frees(WORK_SIGACTS, false);
}

static uint64_t
probe_crfree(void)
{
	return work_frees(WORK_CRED, true);
}

static void
work_sig_handler(int sig)
{
	(void)sig;
}

/* A signal sent to and delivered on the calling thread (SIGUSR2, its
 * disposition restored). */
static uint64_t
probe_sigchld(void)
{
	struct sigaction sa, old;
	uint64_t t0, ns;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = work_sig_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR2, &sa, &old) != 0)
		return 0;
	t0 = work_now();
	for (int i = 0; i < WORK_BATCH; i++)
		raise(SIGUSR2);
	ns = (work_now() - t0) / WORK_BATCH;
	sigaction(SIGUSR2, &old, NULL);
	return ns;
}

static uint64_t (*const work_probes[REAP_WORK_NAMES])(void) = {
	[KW_LWP_CRFREE] = probe_lwp_crfree,
	[KW_LWP_STACK] = probe_lwp_stack,
	[KW_FDFREE] = probe_fdfree,
	[KW_VMSPACE_EXIT] = probe_vmspace_exit,
	[KW_SIGCHLD] = probe_sigchld,
	[KW_SIGACTSFREE] = probe_sigactsfree,
	[KW_CRFREE] = probe_crfree,
	[KW_VMSPACE_FREE] = probe_vmspace_free,
};

static int
work_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The least of WORK_TRIALS runs of probe i (the machine is shared: a
 * preemption only ever adds); 0 if it cannot run here. */
static uint64_t
work_measure(unsigned i)
{
	uint64_t t[WORK_TRIALS];

	for (int k = 0; k < WORK_TRIALS; k++)
		t[k] = work_probes[i]();
	qsort(t, WORK_TRIALS, sizeof(t[0]), work_cmp);
	return t[0];
}

/*
 * Measure every stand-in on this machine (o->work_measured) and set the
 * cost of those --work-ns did not give (o->work_ns).  Nothing is measured
 * when every name was given.
 */
void
run_work_measure(struct run_opts *o)
{
	for (unsigned i = 0; i < REAP_WORK_NAMES; i++) {
		if (o->work_set[i])
			continue;
		o->work_measured[i] = work_measure(i);
		o->work_ns[i] = o->work_measured[i];
	}
}

/* "fdfree=120,...": every name's cost, as --work-ns reads it. */
char *
run_work_arg(const struct run_opts *o)
{
	char buf[512];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < REAP_WORK_NAMES && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "%s%s=%llu", i ? "," : "", reap_work_name(i),
		    (unsigned long long)o->work_ns[i]);
	return xstrdup(buf);
}

/* work_ns.<name> and work_measured_ns.<name> into the context. */
void
run_work_context(const struct run_opts *o, json_t *envj)
{
	char k[96], v[64];

	for (unsigned i = 0; i < REAP_WORK_NAMES; i++) {
		snprintf(k, sizeof(k), "%s%s", BENCH_CTX(BC_WORK_NS),
		    reap_work_name(i));
		snprintf(v, sizeof(v), "%llu",
		    (unsigned long long)o->work_ns[i]);
		gbench_context(k, v);
		json_object_set_new(envj, k, json_string(v));
		snprintf(k, sizeof(k), "%s%s", BENCH_CTX(BC_WORK_MEASURED),
		    reap_work_name(i));
		if (o->work_set[i])
			snprintf(v, sizeof(v), "not measured (--work-ns)");
		else
			snprintf(v, sizeof(v), "%llu",
			    (unsigned long long)o->work_measured[i]);
		gbench_context(k, v);
		json_object_set_new(envj, k, json_string(v));
	}
}
