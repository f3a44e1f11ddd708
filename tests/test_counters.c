/*
 * test_counters.c - perf_event_open counters: the no-PMU fallback, software
 * events, per-thread attach, the counting mode.
 *
 * Nothing here assumes this machine lacks a PMU: hardware events are
 * checked against what perf_event_open itself says for the same generic
 * event, so the test holds on a machine with one.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "counters.h"
#include "rt.h"

static pid_t
my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static double
thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Burn ms of this thread's CPU time. */
static void
burn(double ms)
{
	double end = thread_cpu_ms() + ms;
	volatile uint64_t x = 1;

	while (thread_cpu_ms() < end) {
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005ULL + 1;
	}
}

static struct bench_ctrs *
create(const char *csv)
{
	char err[256];
	struct bench_ctrs *c = bench_ctrs_create(csv, err, sizeof(err));

	RT_ASSERTF(c != NULL, "create(%s): %s", csv ? csv : "NULL", err);
	return c;
}

static int
find(const struct bench_ctrs *c, const char *name)
{
	int i = bench_ctrs_find(c, name);

	RT_ASSERTF(i >= 0, "no event %s", name);
	return i;
}

/* What perf_event_open says about an event on this thread: 0 or errno. */
static int
probe(uint32_t type, uint64_t config, bool exclude_kernel)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.disabled = 1;
	a.exclude_hv = 1;
	a.exclude_kernel = exclude_kernel;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* A generic hardware event, in the mode the counters use. */
static int
probe_hw(uint64_t config)
{
	return probe(PERF_TYPE_HARDWARE, config, bench_ctrs_paranoid() >= 2);
}

RT_TEST(default_set)
{
	struct bench_ctrs *c = create(NULL);
	const char *names[] = { "cycles", "instructions", "cache-misses",
	    "task-clock", "context-switches", "cpu-migrations" };

	RT_EQ(bench_ctrs_nevents(c), 6);
	for (int i = 0; i < 6; i++) {
		const struct bench_ctr_event *e = bench_ctrs_event(c, i);

		RT_ASSERTF(strcmp(e->name, names[i]) == 0, "event %d is %s",
		    i, e->name);
		RT_EQ(e->hw, i < 3);
	}
	RT_ASSERT(bench_ctrs_event(c, 6) == NULL);
	bench_ctrs_destroy(c);
}

/* Hardware events: available exactly when perf_event_open accepts them. */
RT_TEST(hw_availability_matches_kernel)
{
	struct bench_ctrs *c = create(NULL);
	const struct { const char *name; uint64_t config; } hw[] = {
		{ "cycles", PERF_COUNT_HW_CPU_CYCLES },
		{ "instructions", PERF_COUNT_HW_INSTRUCTIONS },
		{ "cache-misses", PERF_COUNT_HW_CACHE_MISSES },
	};
	char par[32];

	snprintf(par, sizeof(par), "perf_event_paranoid=%d",
	    bench_ctrs_paranoid());
	RT_EQ(bench_ctrs_pmu_available(c),
	    probe_hw(PERF_COUNT_HW_CPU_CYCLES) == 0);
	for (int i = 0; i < 3; i++) {
		const struct bench_ctr_event *e =
		    bench_ctrs_event(c, find(c, hw[i].name));
		int rc = probe_hw(hw[i].config);

		RT_ASSERTF(e->available == (rc == 0), "%s: available %d but "
		    "perf_event_open says %s", e->name, e->available,
		    strerror(rc));
		if (rc != 0) {
			RT_ASSERTF(strstr(e->reason, strerror(rc)) != NULL &&
			    strstr(e->reason, par) != NULL, "%s: reason '%s'",
			    e->name, e->reason);
		}
	}
	bench_ctrs_destroy(c);
}

/*
 * Software events count this thread's work; unavailable events read as
 * NaN, never as a number.
 */
RT_TEST(sw_events_count_self)
{
	struct bench_ctrs *c = create(NULL);
	double v[BENCH_CTR_MAX];
	bool mux = true;
	int tc = find(c, "task-clock"), cs = find(c, "context-switches");
	int cm = find(c, "cpu-migrations");

	/*
	 * task-clock counts in any mode; context switches and migrations
	 * only with kernel mode included (they are recorded in the kernel),
	 * which paranoid >= 2 allows only to privileged users.
	 */
	RT_ASSERTF(bench_ctrs_event(c, tc)->available, "task-clock: %s",
	    bench_ctrs_event(c, tc)->reason);
	RT_EQ(bench_ctrs_event(c, cs)->available,
	    probe(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, false)
	    == 0);
	RT_EQ(bench_ctrs_event(c, cm)->available,
	    probe(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, false)
	    == 0);
	for (int i = 0; i < bench_ctrs_nevents(c); i++) {
		const struct bench_ctr_event *e = bench_ctrs_event(c, i);

		if (!e->available)
			RT_ASSERTF(e->reason[0] != '\0', "%s: no reason",
			    e->name);
	}
	RT_EQ(bench_ctrs_attach(c, my_tid()), 0);
	RT_EQ(bench_ctrs_nthreads(c), 1);
	bench_ctrs_start(c);
	burn(30);
	usleep(2000);	/* a voluntary context switch */
	bench_ctrs_stop(c);
	bench_ctrs_read(c, v, &mux);
	RT_ASSERT(!mux);	/* software events are never multiplexed */
	/* task-clock is in ns: at least the 30 ms burnt. */
	RT_ASSERTF(v[tc] >= 27e6 && v[tc] < 10e9, "task-clock %.0f", v[tc]);
	if (bench_ctrs_event(c, cs)->available)
		RT_ASSERTF(v[cs] >= 1, "context-switches %.0f", v[cs]);
	if (bench_ctrs_event(c, cm)->available)
		RT_ASSERTF(v[cm] >= 0 && isfinite(v[cm]), "cpu-migrations %f",
		    v[cm]);
	for (int i = 0; i < bench_ctrs_nevents(c); i++) {
		const struct bench_ctr_event *e = bench_ctrs_event(c, i);

		if (!e->available)
			RT_ASSERTF(isnan(v[i]), "%s unavailable but reads %f",
			    e->name, v[i]);
		else if (e->hw && strcmp(e->name, "cache-misses") != 0)
			RT_ASSERTF(v[i] > 0, "%s available, counted 0",
			    e->name);
	}
	bench_ctrs_destroy(c);
}

/* Counts are per start/stop interval, and stop really stops. */
RT_TEST(intervals_and_stop)
{
	struct bench_ctrs *c = create("task-clock");
	double v[BENCH_CTR_MAX], w[BENCH_CTR_MAX];
	int tc = find(c, "task-clock");

	RT_EQ(bench_ctrs_nevents(c), 3);	/* not added twice */
	RT_EQ(bench_ctrs_attach(c, my_tid()), 0);
	bench_ctrs_start(c);
	burn(40);
	bench_ctrs_stop(c);
	bench_ctrs_read(c, v, NULL);
	RT_ASSERTF(v[tc] >= 36e6, "first interval %.0f", v[tc]);
	burn(20);	/* stopped: not counted */
	bench_ctrs_read(c, w, NULL);
	RT_ASSERTF(w[tc] == v[tc], "counted while stopped: %.0f -> %.0f",
	    v[tc], w[tc]);
	bench_ctrs_start(c);
	usleep(1000);
	bench_ctrs_stop(c);
	bench_ctrs_read(c, v, NULL);
	RT_ASSERTF(v[tc] < 20e6, "second interval kept the first: %.0f",
	    v[tc]);
	bench_ctrs_destroy(c);
}

struct worker {
	_Atomic pid_t tid;
	atomic_int go;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	atomic_store_explicit(&w->tid, my_tid(), memory_order_release);
	while (atomic_load_explicit(&w->go, memory_order_acquire) == 0)
		usleep(100);
	burn(50);
	return NULL;
}

/*
 * A second thread attached by tid counts its own work; a set attached only
 * to the main thread does not see it (no inherit), and the worker's counts
 * survive its exit.
 */
RT_TEST(attach_second_thread)
{
	struct bench_ctrs *mine = create("task-clock");
	struct bench_ctrs *theirs = create("task-clock");
	struct worker w = { 0, 0 };
	double vm[BENCH_CTR_MAX], vt[BENCH_CTR_MAX];
	int tc = find(mine, "task-clock");
	pid_t tid;
	pthread_t th;

	RT_EQ(bench_ctrs_attach(mine, my_tid()), 0);
	bench_ctrs_start(mine);
	RT_EQ(pthread_create(&th, NULL, worker_main, &w), 0);
	while ((tid = atomic_load_explicit(&w.tid, memory_order_acquire)) == 0)
		usleep(100);
	RT_EQ(bench_ctrs_attach(theirs, tid), 0);
	bench_ctrs_start(theirs);
	atomic_store_explicit(&w.go, 1, memory_order_release);
	RT_EQ(pthread_join(th, NULL), 0);
	bench_ctrs_stop(theirs);
	bench_ctrs_stop(mine);
	bench_ctrs_read(mine, vm, NULL);
	bench_ctrs_read(theirs, vt, NULL);
	RT_ASSERTF(vt[tc] >= 45e6, "worker task-clock %.0f", vt[tc]);
	RT_ASSERTF(vm[tc] < vt[tc] / 2, "main %.0f, worker %.0f: main's set "
	    "counted the worker", vm[tc], vt[tc]);
	/* Both sets together: the sum covers both threads. */
	bench_ctrs_destroy(theirs);
	bench_ctrs_destroy(mine);
}

/* Several threads in one set: the read is their sum. */
RT_TEST(attach_sum)
{
	struct bench_ctrs *c = create("context-switches");
	struct worker w[2] = { { 0, 0 }, { 0, 0 } };
	pthread_t th[2];
	double v[BENCH_CTR_MAX];
	int tc = find(c, "task-clock");

	for (int i = 0; i < 2; i++) {
		pid_t tid;

		RT_EQ(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
		while ((tid = atomic_load_explicit(&w[i].tid,
		    memory_order_acquire)) == 0)
			usleep(100);
		RT_EQ(bench_ctrs_attach(c, tid), 0);
	}
	RT_EQ(bench_ctrs_nthreads(c), 2);
	bench_ctrs_start(c);
	for (int i = 0; i < 2; i++)
		atomic_store_explicit(&w[i].go, 1, memory_order_release);
	for (int i = 0; i < 2; i++)
		RT_EQ(pthread_join(th[i], NULL), 0);
	bench_ctrs_stop(c);
	bench_ctrs_read(c, v, NULL);
	RT_ASSERTF(v[tc] >= 90e6, "two workers, task-clock %.0f", v[tc]);
	bench_ctrs_detach_all(c);
	RT_EQ(bench_ctrs_nthreads(c), 0);
	bench_ctrs_destroy(c);
}

RT_TEST(bad_names_and_tids)
{
	char err[256];

	err[0] = '\0';
	RT_ASSERT(bench_ctrs_create("cycles,foo", err, sizeof(err)) == NULL);
	RT_ASSERTF(strstr(err, "unknown event 'foo'") != NULL &&
	    strstr(err, "reapbench list") != NULL && strchr(err, '\n') == NULL,
	    "err '%s'", err);
	err[0] = '\0';
	RT_ASSERT(bench_ctrs_create("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q",
	    err, sizeof(err)) == NULL);
	RT_ASSERT(err[0] != '\0');

	struct bench_ctrs *c = create(" page-faults , task-clock ");

	RT_EQ(bench_ctrs_nevents(c), 4);
	RT_ASSERT(!bench_ctrs_event(c, find(c, "page-faults"))->hw);
	/* A thread that does not exist is refused, with no half attach. */
	RT_EQ(bench_ctrs_attach(c, 0x3ffffff0), ESRCH);
	RT_EQ(bench_ctrs_nthreads(c), 0);
	bench_ctrs_destroy(c);
}

RT_TEST(mode_matches_paranoid)
{
	struct bench_ctrs *c = create(NULL);
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int par = -99;
	char want[64];

	if (f != NULL) {
		RT_EQ(fscanf(f, "%d", &par), 1);
		fclose(f);
	}
	RT_EQ(bench_ctrs_paranoid(), par);
	if (par >= 2)
		snprintf(want, sizeof(want),
		    "user only (perf_event_paranoid=%d)", par);
	else
		snprintf(want, sizeof(want), "user+kernel");
	RT_ASSERTF(strcmp(bench_ctrs_mode(c), want) == 0, "mode '%s', want "
	    "'%s'", bench_ctrs_mode(c), want);
	bench_ctrs_destroy(c);
}

RT_TEST(list_events)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *line, *eol;

	bench_ctrs_list(f);
	fclose(f);
	RT_ASSERTF(strstr(buf, "pmu perf") != NULL, "%s", buf);
	RT_ASSERTF(strstr(buf, "PERF_COUNT_SW_TASK_CLOCK") != NULL &&
	    strstr(buf, "available") != NULL, "%.2000s", buf);
	/* Each hardware line agrees with the kernel, as in the sets. */
	line = strstr(buf, "perf::PERF_COUNT_HW_CPU_CYCLES ");
	RT_ASSERTF(line != NULL, "%.2000s", buf);
	eol = strchr(line, '\n');
	RT_ASSERT(eol != NULL);
	*eol = '\0';
	RT_ASSERTF((strstr(line, "unavailable") != NULL) ==
	    (probe_hw(PERF_COUNT_HW_CPU_CYCLES) != 0), "'%s'", line);
	free(buf);
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
