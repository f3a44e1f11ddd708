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
#include <sys/wait.h>
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

static struct ctr_set *
create(const char *csv)
{
	char err[256];
	struct ctr_set *c = ctr_set_create(csv, err, sizeof(err));

	RT_ASSERTF(c != NULL, "create(%s): %s", csv ? csv : "NULL", err);
	return c;
}

static int
find(const struct ctr_set *c, const char *name)
{
	int i = ctr_set_find(c, name);

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
	return probe(PERF_TYPE_HARDWARE, config, ctr_set_paranoid() >= 2);
}

RT_TEST(default_set)
{
	struct ctr_set *c = create(NULL);
	const char *names[] = { "cycles", "instructions", "cache-misses",
	    "task-clock", "context-switches", "cpu-migrations" };

	RT_EQ(ctr_set_nevents(c), 6);
	for (int i = 0; i < 6; i++) {
		const struct ctr_event *e = ctr_set_event(c, i);

		RT_ASSERTF(strcmp(e->name, names[i]) == 0, "event %d is %s",
		    i, e->name);
		RT_EQ(e->hw, i < 3);
	}
	RT_ASSERT(ctr_set_event(c, 6) == NULL);
	ctr_set_destroy(c);
}

/* Hardware events: available exactly when perf_event_open accepts them. */
RT_TEST(hw_availability_matches_kernel)
{
	struct ctr_set *c = create(NULL);
	const struct { const char *name; uint64_t config; } hw[] = {
		{ "cycles", PERF_COUNT_HW_CPU_CYCLES },
		{ "instructions", PERF_COUNT_HW_INSTRUCTIONS },
		{ "cache-misses", PERF_COUNT_HW_CACHE_MISSES },
	};
	char par[32];

	snprintf(par, sizeof(par), "perf_event_paranoid=%d",
	    ctr_set_paranoid());
	RT_EQ(ctr_set_pmu_available(c),
	    probe_hw(PERF_COUNT_HW_CPU_CYCLES) == 0);
	for (int i = 0; i < 3; i++) {
		const struct ctr_event *e =
		    ctr_set_event(c, find(c, hw[i].name));
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
	ctr_set_destroy(c);
}

/*
 * Software events count this thread's work; unavailable events read as
 * NaN, never as a number.
 */
RT_TEST(sw_events_count_self)
{
	struct ctr_set *c = create(NULL);
	double v[CTR_MAX];
	bool mux = true;
	int tc = find(c, "task-clock"), cs = find(c, "context-switches");
	int cm = find(c, "cpu-migrations");

	/*
	 * task-clock counts in any mode; context switches and migrations
	 * only with kernel mode included (they are recorded in the kernel),
	 * which paranoid >= 2 allows only to privileged users.
	 */
	RT_ASSERTF(ctr_set_event(c, tc)->available, "task-clock: %s",
	    ctr_set_event(c, tc)->reason);
	RT_EQ(ctr_set_event(c, cs)->available,
	    probe(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, false)
	    == 0);
	RT_EQ(ctr_set_event(c, cm)->available,
	    probe(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, false)
	    == 0);
	for (int i = 0; i < ctr_set_nevents(c); i++) {
		const struct ctr_event *e = ctr_set_event(c, i);

		if (!e->available)
			RT_ASSERTF(e->reason[0] != '\0', "%s: no reason",
			    e->name);
	}
	RT_EQ(ctr_set_attach(c, my_tid()), 0);
	RT_EQ(ctr_set_nthreads(c), 1);
	ctr_set_start(c);
	burn(30);
	usleep(2000);	/* a voluntary context switch */
	ctr_set_stop(c);
	ctr_set_read(c, v, &mux);
	RT_ASSERT(!mux);	/* software events are never multiplexed */
	/* task-clock is in ns: at least the 30 ms burnt. */
	RT_ASSERTF(v[tc] >= 27e6 && v[tc] < 10e9, "task-clock %.0f", v[tc]);
	if (ctr_set_event(c, cs)->available)
		RT_ASSERTF(v[cs] >= 1, "context-switches %.0f", v[cs]);
	if (ctr_set_event(c, cm)->available)
		RT_ASSERTF(v[cm] >= 0 && isfinite(v[cm]), "cpu-migrations %f",
		    v[cm]);
	for (int i = 0; i < ctr_set_nevents(c); i++) {
		const struct ctr_event *e = ctr_set_event(c, i);

		if (!e->available)
			RT_ASSERTF(isnan(v[i]), "%s unavailable but reads %f",
			    e->name, v[i]);
		else if (e->hw && strcmp(e->name, "cache-misses") != 0)
			RT_ASSERTF(v[i] > 0, "%s available, counted 0",
			    e->name);
	}
	ctr_set_destroy(c);
}

static void *
burn_main(void *arg)
{
	(void)arg;
	burn(30);
	return NULL;
}

/* task-clock (ns) of this thread, attached with or without inherit,
 * while a thread it creates and then a process it forks burn 30 ms each
 * and it waits for them. */
static double
task_clock_of_children(bool inherit)
{
	struct ctr_set *c = create(NULL);
	int tc = find(c, "task-clock"), status;
	double v[CTR_MAX];
	pthread_t th;
	pid_t pid;

	RT_EQ(inherit ? ctr_set_attach_inherit(c, my_tid()) :
	    ctr_set_attach(c, my_tid()), 0);
	ctr_set_start(c);
	RT_EQ(pthread_create(&th, NULL, burn_main, NULL), 0);
	RT_EQ(pthread_join(th, NULL), 0);
	if ((pid = fork()) == 0) {
		burn(30);
		_exit(0);
	}
	RT_ASSERT(pid > 0);
	RT_EQ(waitpid(pid, &status, 0), pid);
	RT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ctr_set_stop(c);
	ctr_set_read(c, v, NULL);
	ctr_set_destroy(c);
	return v[tc];
}

/*
 * Inherit: what the attached thread creates is counted into it (native's
 * threads and processes); without it, only the thread itself, which
 * here only waits.
 */
RT_TEST(inherit_follows_threads_and_forks)
{
	double with = task_clock_of_children(true);
	double without = task_clock_of_children(false);

	RT_ASSERTF(with >= 55e6, "inherit: task-clock %.0f ns for 60 ms of "
	    "children", with);
	RT_ASSERTF(without < 27e6, "no inherit: task-clock %.0f ns, the "
	    "children counted", without);
}

/* Counts are per start/stop interval, and stop really stops. */
RT_TEST(intervals_and_stop)
{
	struct ctr_set *c = create("task-clock");
	double v[CTR_MAX], w[CTR_MAX];
	int tc = find(c, "task-clock");

	RT_EQ(ctr_set_nevents(c), 3);	/* not added twice */
	RT_EQ(ctr_set_attach(c, my_tid()), 0);
	ctr_set_start(c);
	burn(40);
	ctr_set_stop(c);
	ctr_set_read(c, v, NULL);
	RT_ASSERTF(v[tc] >= 36e6, "first interval %.0f", v[tc]);
	burn(20);	/* stopped: not counted */
	ctr_set_read(c, w, NULL);
	RT_ASSERTF(w[tc] == v[tc], "counted while stopped: %.0f -> %.0f",
	    v[tc], w[tc]);
	ctr_set_start(c);
	usleep(1000);
	ctr_set_stop(c);
	ctr_set_read(c, v, NULL);
	RT_ASSERTF(v[tc] < 20e6, "second interval kept the first: %.0f",
	    v[tc]);
	ctr_set_destroy(c);
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
	struct ctr_set *mine = create("task-clock");
	struct ctr_set *theirs = create("task-clock");
	struct worker w = { 0, 0 };
	double vm[CTR_MAX], vt[CTR_MAX];
	int tc = find(mine, "task-clock");
	pid_t tid;
	pthread_t th;

	RT_EQ(ctr_set_attach(mine, my_tid()), 0);
	ctr_set_start(mine);
	RT_EQ(pthread_create(&th, NULL, worker_main, &w), 0);
	while ((tid = atomic_load_explicit(&w.tid, memory_order_acquire)) == 0)
		usleep(100);
	RT_EQ(ctr_set_attach(theirs, tid), 0);
	ctr_set_start(theirs);
	atomic_store_explicit(&w.go, 1, memory_order_release);
	RT_EQ(pthread_join(th, NULL), 0);
	ctr_set_stop(theirs);
	ctr_set_stop(mine);
	ctr_set_read(mine, vm, NULL);
	ctr_set_read(theirs, vt, NULL);
	RT_ASSERTF(vt[tc] >= 45e6, "worker task-clock %.0f", vt[tc]);
	RT_ASSERTF(vm[tc] < vt[tc] / 2, "main %.0f, worker %.0f: main's set "
	    "counted the worker", vm[tc], vt[tc]);
	/* Both sets together: the sum covers both threads. */
	ctr_set_destroy(theirs);
	ctr_set_destroy(mine);
}

/* Several threads in one set: the read is their sum. */
RT_TEST(attach_sum)
{
	struct ctr_set *c = create("context-switches");
	struct worker w[2] = { { 0, 0 }, { 0, 0 } };
	pthread_t th[2];
	double v[CTR_MAX];
	int tc = find(c, "task-clock");

	for (int i = 0; i < 2; i++) {
		pid_t tid;

		RT_EQ(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
		while ((tid = atomic_load_explicit(&w[i].tid,
		    memory_order_acquire)) == 0)
			usleep(100);
		RT_EQ(ctr_set_attach(c, tid), 0);
	}
	RT_EQ(ctr_set_nthreads(c), 2);
	ctr_set_start(c);
	for (int i = 0; i < 2; i++)
		atomic_store_explicit(&w[i].go, 1, memory_order_release);
	for (int i = 0; i < 2; i++)
		RT_EQ(pthread_join(th[i], NULL), 0);
	ctr_set_stop(c);
	ctr_set_read(c, v, NULL);
	RT_ASSERTF(v[tc] >= 90e6, "two workers, task-clock %.0f", v[tc]);
	ctr_set_detach_all(c);
	RT_EQ(ctr_set_nthreads(c), 0);
	ctr_set_destroy(c);
}

RT_TEST(bad_names_and_tids)
{
	char err[256];

	err[0] = '\0';
	RT_ASSERT(ctr_set_create("cycles,foo", err, sizeof(err)) == NULL);
	RT_ASSERTF(strstr(err, "unknown event 'foo'") != NULL &&
	    strstr(err, "reapbench list") != NULL && strchr(err, '\n') == NULL,
	    "err '%s'", err);
	err[0] = '\0';
	RT_ASSERT(ctr_set_create("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q",
	    err, sizeof(err)) == NULL);
	RT_ASSERT(err[0] != '\0');

	struct ctr_set *c = create(" page-faults , task-clock ");

	RT_EQ(ctr_set_nevents(c), 4);
	RT_ASSERT(!ctr_set_event(c, find(c, "page-faults"))->hw);
	/* A thread that does not exist is refused, with no half attach. */
	RT_EQ(ctr_set_attach(c, 0x3ffffff0), ESRCH);
	RT_EQ(ctr_set_nthreads(c), 0);
	ctr_set_destroy(c);
}

RT_TEST(mode_matches_paranoid)
{
	struct ctr_set *c = create(NULL);
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int par = -99;
	char want[64];

	if (f != NULL) {
		RT_EQ(fscanf(f, "%d", &par), 1);
		fclose(f);
	}
	RT_EQ(ctr_set_paranoid(), par);
	if (par >= 2)
		snprintf(want, sizeof(want),
		    "user only (perf_event_paranoid=%d)", par);
	else
		snprintf(want, sizeof(want), "user+kernel");
	RT_ASSERTF(strcmp(ctr_set_mode(c), want) == 0, "mode '%s', want "
	    "'%s'", ctr_set_mode(c), want);
	ctr_set_destroy(c);
}

RT_TEST(list_events)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *line, *eol;

	ctr_set_list(f);
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
