/*
 * counters.c - per-thread perf_event_open counters, names encoded by libpfm4.
 *
 * Each event is opened once per attached thread as its own counter (not a
 * group), so the kernel can multiplex hardware events independently and
 * each is scaled by its own time_enabled/time_running.  start() reads a
 * baseline of (count, enabled, running) after the reset and read() works
 * on deltas from it: PERF_EVENT_IOC_RESET clears the count but not the
 * times, so scaling by the raw times would be wrong from the second
 * start/stop interval on.
 *
 * Availability is decided by actually opening the event: at creation on
 * the calling thread (the probe), and again on every attach.  A refusal
 * keeps the event in the set, unavailable, with the errno and the
 * perf_event_paranoid level as the reason.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "counters.h"

#define CTR_DEFAULT	"cycles,instructions,cache-misses"

/*
 * The kernel's generic events, encoded here rather than by libpfm4: the
 * software events every set carries (after the requested ones) and the
 * hardware events of the default set.  The kernel maps a generic hardware
 * event to the model's own (cycles: 0x3c on Intel, 0x76 on AMD Zen), so
 * they hold on every PMU model, and they do not depend on libpfm4 having
 * activated its "perf" PMU, which it does not when LIBPFM_FORCE_PMU names
 * a model or /proc/sys/kernel/perf_event_paranoid is missing.  libpfm4's
 * own perf::cycles etc. encode the same (tests/test_pmu_models.c).
 */
static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} ctr_generic[] = {
	{ "task-clock",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "context-switches", PERF_TYPE_SOFTWARE,
	    PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles",	PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
};
#define CTR_NSW		3	/* the first CTR_NSW are always counted */
#define CTR_NGENERIC	((int)(sizeof(ctr_generic) / sizeof(ctr_generic[0])))

/* The counters of one attached thread. */
struct ctr_thread {
	pid_t	tid;
	int	fd[CTR_MAX];	/* -1: event not open on this thread */
	uint64_t base[CTR_MAX][3]; /* count, enabled, running at start */
};

/*
 * Lock legend:
 *	c	constant after ctr_set_create()
 *	l	ctr_set::lock
 * ev[].available and ev[].reason change under l in attach; callers read
 * the events through ctr_set_event() once attaching is over.
 */
struct ctr_set {
	pthread_mutex_t lock;
	int	nev;				/* c */
	struct ctr_event ev[CTR_MAX];	/* c, except (l) */
	struct perf_event_attr attr[CTR_MAX];	/* c */
	int	paranoid;			/* c */
	bool	user_only;			/* c: exclude_kernel */
	bool	pmu;				/* c: hw cycles opened */
	char	mode[64];			/* c */
	struct ctr_thread *thr;		/* l: [nthr] */
	int	nthr;				/* l */
	int	cap;				/* l */
};

static pthread_once_t ctr_pfm_once = PTHREAD_ONCE_INIT;
static int ctr_pfm_rc;	/* written once under ctr_pfm_once */

static void
ctr_pfm_init(void)
{
	ctr_pfm_rc = pfm_initialize();
}

static int
ctr_perf_open(struct perf_event_attr *a, pid_t tid)
{
	return (int)syscall(SYS_perf_event_open, a, tid, -1, -1,
	    PERF_FLAG_FD_CLOEXEC);
}

int
ctr_set_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v;

	if (f == NULL)
		return -99;
	if (fscanf(f, "%d", &v) != 1)
		v = -99;
	fclose(f);
	return v;
}

/* "EACCES" for EACCES; glibc knows every errno it can return. */
static const char *
ctr_errname(int e)
{
	const char *n = strerrorname_np(e);

	return n != NULL ? n : "?";
}

/* Why the kernel refused an event, in words a reader of the output uses. */
static void
ctr_reason(char *buf, size_t len, int e, int paranoid)
{
	const char *why;

	switch (e) {
	case ENOENT:
		why = "no such event on this CPU (no hardware PMU?)";
		break;
	case ENODEV:
		why = "no such PMU";
		break;
	case EOPNOTSUPP:
		why = "not supported by the PMU";
		break;
	case EACCES:
	case EPERM:
		why = "not permitted";
		break;
	case EINVAL:
		why = "invalid for this kernel/PMU";
		break;
	case EMFILE:
	case ENFILE:
		why = "out of file descriptors";
		break;
	default:
		why = "refused by the kernel";
		break;
	}
	snprintf(buf, len, "%s: %s (%s), perf_event_paranoid=%d", why,
	    strerror(e), ctr_errname(e), paranoid);
}

/* Fill attr for a generic event: no libpfm4 needed. */
static void
ctr_generic_attr(struct perf_event_attr *a, uint32_t type, uint64_t config)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->config = config;
}

/* Encode name with libpfm4 into a; a PFM_ERR_* code. */
static int
ctr_encode(const char *name, bool user_only, struct perf_event_attr *a)
{
	pfm_perf_encode_arg_t arg;

	memset(a, 0, sizeof(*a));
	memset(&arg, 0, sizeof(arg));
	arg.attr = a;
	arg.size = sizeof(arg);
	return pfm_get_os_event_encoding(name,
	    user_only ? PFM_PLM3 : PFM_PLM0 | PFM_PLM3,
	    PFM_OS_PERF_EVENT_EXT, &arg);
}

/* The attr bits we own whatever libpfm4 encoded. */
static void
ctr_finish_attr(struct perf_event_attr *a, bool user_only)
{
	a->size = sizeof(*a);
	a->disabled = 1;
	a->inherit = 0;
	a->exclude_kernel = user_only;
	a->exclude_hv = 1;
	a->sample_period = 0;
	a->sample_type = 0;
	a->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
	    PERF_FORMAT_TOTAL_TIME_RUNNING;
}

/*
 * Context switches and migrations are recorded with kernel registers, so
 * exclude_kernel filters every one of them out and the count reads a
 * false 0.  They are counted in kernel mode or not at all.
 */
static bool
ctr_kernel_side(const struct perf_event_attr *a)
{
	return a->type == PERF_TYPE_SOFTWARE &&
	    (a->config == PERF_COUNT_SW_CONTEXT_SWITCHES ||
	    a->config == PERF_COUNT_SW_CPU_MIGRATIONS);
}

/* Open a on the calling thread and close it: 0 or the errno. */
static int
ctr_probe(struct perf_event_attr *a)
{
	int fd = ctr_perf_open(a, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int
ctr_set_add(struct ctr_set *c, const char *name, char *err,
    size_t errlen)
{
	struct ctr_event *ev;
	struct perf_event_attr *a;
	int rc;

	for (int i = 0; i < c->nev; i++) {
		if (strcmp(c->ev[i].name, name) == 0)
			return 0;	/* named twice: count once */
	}
	if (c->nev == CTR_MAX) {
		snprintf(err, errlen, "too many events (at most %d, "
		    "including the %d software events)", CTR_MAX,
		    CTR_NSW);
		return -1;
	}
	if (strlen(name) >= sizeof(ev->name)) {
		snprintf(err, errlen, "event name too long: '%.40s...'", name);
		return -1;
	}
	ev = &c->ev[c->nev];
	a = &c->attr[c->nev];
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	rc = -1;
	for (int i = 0; i < CTR_NGENERIC; i++) {
		if (strcmp(name, ctr_generic[i].name) == 0) {
			ctr_generic_attr(a, ctr_generic[i].type,
			    ctr_generic[i].config);
			rc = PFM_SUCCESS;
		}
	}
	if (rc != PFM_SUCCESS) {
		rc = ctr_encode(name, c->user_only, a);
		if (rc != PFM_SUCCESS) {
			if (rc == PFM_ERR_NOTFOUND)
				snprintf(err, errlen, "unknown event '%s': see "
				    "`reapbench list` for the events "
				    "available here", name);
			else
				snprintf(err, errlen, "bad event '%s': %s: see "
				    "`reapbench list` for the events "
				    "available here", name, pfm_strerror(rc));
			return -1;
		}
	}
	ctr_finish_attr(a, c->user_only);
	ev->hw = a->type != PERF_TYPE_SOFTWARE;
	if (ctr_kernel_side(a))
		a->exclude_kernel = 0;
	rc = ctr_probe(a);
	ev->available = rc == 0;
	if (rc != 0 && ctr_kernel_side(a) && c->user_only &&
	    (rc == EACCES || rc == EPERM))
		snprintf(ev->reason, sizeof(ev->reason), "happens in kernel "
		    "mode only, which perf_event_paranoid=%d excludes: %s "
		    "(%s)", c->paranoid, strerror(rc), ctr_errname(rc));
	else if (rc != 0)
		ctr_reason(ev->reason, sizeof(ev->reason), rc,
		    c->paranoid);
	c->nev++;
	return 0;
}

/*
 * Every attached thread holds one descriptor per event: a 256-thread
 * teardown with six events needs ~1500, above the usual soft limit of
 * 1024.  Raise the soft limit to the hard one so that attach does not
 * fail with EMFILE where the system would allow it.
 */
static void
ctr_set_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct ctr_set *
ctr_set_create(const char *events_csv, char *err, size_t errlen)
{
	struct ctr_set *c;
	struct perf_event_attr cyc;
	char *list, *save = NULL;

	if (errlen > 0)
		err[0] = '\0';
	for (const char *p = events_csv; p != NULL && *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			/* Quoted in a message, it would break the line. */
			snprintf(err, errlen, "a control character in the event "
			    "list");
			return NULL;
		}
	pthread_once(&ctr_pfm_once, ctr_pfm_init);
	if (ctr_pfm_rc != PFM_SUCCESS) {
		snprintf(err, errlen, "libpfm4 initialisation failed: %s",
		    pfm_strerror(ctr_pfm_rc));
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->paranoid = ctr_set_paranoid();
	/* Level 2 and up refuse kernel-mode counts to unprivileged users. */
	c->user_only = c->paranoid >= 2;
	if (c->user_only)
		snprintf(c->mode, sizeof(c->mode),
		    "user only (perf_event_paranoid=%d)", c->paranoid);
	else
		snprintf(c->mode, sizeof(c->mode), "user+kernel");

	list = strdup(events_csv != NULL ? events_csv : CTR_DEFAULT);
	if (list == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (char *tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *e;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		e = tok + strlen(tok);
		while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*tok == '\0')
			continue;
		if (ctr_set_add(c, tok, err, errlen) != 0) {
			free(list);
			goto fail;
		}
	}
	free(list);
	for (int i = 0; i < CTR_NSW; i++) {
		if (ctr_set_add(c, ctr_generic[i].name, err, errlen) != 0)
			goto fail;
	}
	/* A PMU is there if the generic cycles event opens, in our mode. */
	memset(&cyc, 0, sizeof(cyc));
	cyc.type = PERF_TYPE_HARDWARE;
	cyc.config = PERF_COUNT_HW_CPU_CYCLES;
	ctr_finish_attr(&cyc, c->user_only);
	c->pmu = ctr_probe(&cyc) == 0;
	ctr_set_raise_nofile();
	return c;
fail:
	ctr_set_destroy(c);
	return NULL;
}

void
ctr_set_destroy(struct ctr_set *c)
{
	if (c == NULL)
		return;
	ctr_set_detach_all(c);
	free(c->thr);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int
ctr_set_nevents(const struct ctr_set *c)
{
	return c->nev;
}

const struct ctr_event *
ctr_set_event(const struct ctr_set *c, int i)
{
	if (i < 0 || i >= c->nev)
		return NULL;
	return &c->ev[i];
}

int
ctr_set_find(const struct ctr_set *c, const char *name)
{
	for (int i = 0; i < c->nev; i++) {
		if (strcmp(c->ev[i].name, name) == 0)
			return i;
	}
	return -1;
}

static int
ctr_set_attach_as(struct ctr_set *c, pid_t tid, bool inherit)
{
	struct ctr_thread *t;
	int rc = 0;

	if (tid <= 0)
		return EINVAL;
	pthread_mutex_lock(&c->lock);
	if (c->nthr == c->cap) {
		int ncap = c->cap > 0 ? c->cap * 2 : 16;
		struct ctr_thread *n = realloc(c->thr,
		    sizeof(*n) * (size_t)ncap);

		if (n == NULL) {
			pthread_mutex_unlock(&c->lock);
			return ENOMEM;
		}
		c->thr = n;
		c->cap = ncap;
	}
	t = &c->thr[c->nthr];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	for (int i = 0; i < CTR_MAX; i++)
		t->fd[i] = -1;
	for (int i = 0; i < c->nev; i++) {
		int e;

		struct perf_event_attr a = c->attr[i];

		if (!c->ev[i].available)
			continue;
		a.inherit = inherit;
		t->fd[i] = ctr_perf_open(&a, tid);
		if (t->fd[i] >= 0)
			continue;
		e = errno;
		if (e == ESRCH || e == EMFILE || e == ENFILE || e == ENOMEM) {
			/* The thread or the process failed, not the event. */
			rc = e;
			break;
		}
		/*
		 * The event opened elsewhere but not on this thread: its sum
		 * would miss this thread, so it is no longer available.
		 */
		c->ev[i].available = false;
		ctr_reason(c->ev[i].reason, sizeof(c->ev[i].reason), e,
		    c->paranoid);
	}
	if (rc != 0) {
		for (int i = 0; i < c->nev; i++) {
			if (t->fd[i] >= 0)
				close(t->fd[i]);
		}
	} else {
		c->nthr++;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
ctr_set_attach(struct ctr_set *c, pid_t tid)
{
	return ctr_set_attach_as(c, tid, false);
}

int
ctr_set_attach_inherit(struct ctr_set *c, pid_t tid)
{
	return ctr_set_attach_as(c, tid, true);
}

void
ctr_set_detach_all(struct ctr_set *c)
{
	pthread_mutex_lock(&c->lock);
	for (int k = 0; k < c->nthr; k++) {
		for (int i = 0; i < c->nev; i++) {
			if (c->thr[k].fd[i] >= 0)
				close(c->thr[k].fd[i]);
		}
	}
	c->nthr = 0;
	pthread_mutex_unlock(&c->lock);
}

int
ctr_set_nthreads(const struct ctr_set *cc)
{
	struct ctr_set *c = (struct ctr_set *)cc;
	int n;

	pthread_mutex_lock(&c->lock);
	n = c->nthr;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* One counter's (count, enabled, running); false if unreadable. */
static bool
ctr_read1(int fd, uint64_t v[3])
{
	const ssize_t want = (ssize_t)(sizeof(uint64_t) * 3);

	return read(fd, v, (size_t)want) == want;
}

void
ctr_set_start(struct ctr_set *c)
{
	pthread_mutex_lock(&c->lock);
	for (int k = 0; k < c->nthr; k++) {
		struct ctr_thread *t = &c->thr[k];

		for (int i = 0; i < c->nev; i++) {
			if (t->fd[i] < 0)
				continue;
			(void)ioctl(t->fd[i], PERF_EVENT_IOC_RESET, 0);
			if (!ctr_read1(t->fd[i], t->base[i]))
				memset(t->base[i], 0, sizeof(t->base[i]));
		}
	}
	/* Enable last, so the baselines are all taken while disabled. */
	for (int k = 0; k < c->nthr; k++) {
		for (int i = 0; i < c->nev; i++) {
			if (c->thr[k].fd[i] >= 0)
				(void)ioctl(c->thr[k].fd[i],
				    PERF_EVENT_IOC_ENABLE, 0);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

void
ctr_set_stop(struct ctr_set *c)
{
	pthread_mutex_lock(&c->lock);
	for (int k = 0; k < c->nthr; k++) {
		for (int i = 0; i < c->nev; i++) {
			if (c->thr[k].fd[i] >= 0)
				(void)ioctl(c->thr[k].fd[i],
				    PERF_EVENT_IOC_DISABLE, 0);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

void
ctr_set_read(struct ctr_set *c, double values[CTR_MAX],
    bool *multiplexed)
{
	bool mux = false;

	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < CTR_MAX; i++)
		values[i] = i < c->nev && c->ev[i].available ? 0.0 : NAN;
	for (int k = 0; k < c->nthr; k++) {
		struct ctr_thread *t = &c->thr[k];

		for (int i = 0; i < c->nev; i++) {
			uint64_t v[3], d[3];

			if (t->fd[i] < 0 || !c->ev[i].available)
				continue;
			if (!ctr_read1(t->fd[i], v)) {
				values[i] = NAN;	/* never guess */
				continue;
			}
			for (int j = 0; j < 3; j++)
				d[j] = v[j] - t->base[i][j];
			/*
			 * running < enabled: the kernel multiplexed this
			 * counter; extrapolate to the enabled time.  A thread
			 * that never ran has both zero and adds nothing.
			 */
			if (d[2] < d[1]) {
				mux = true;
				if (d[2] > 0)
					values[i] += (double)d[0] *
					    ((double)d[1] / (double)d[2]);
			} else {
				values[i] += (double)d[0];
			}
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (multiplexed != NULL)
		*multiplexed = mux;
}

const struct perf_event_attr *
ctr_set_attr(const struct ctr_set *c, int i)
{
	if (i < 0 || i >= c->nev)
		return NULL;
	return &c->attr[i];
}

const char *
ctr_set_mode(const struct ctr_set *c)
{
	return c->mode;
}

bool
ctr_set_pmu_available(const struct ctr_set *c)
{
	return c->pmu;
}

/*
 * Every event of every PMU libpfm4 detected here, with whether the kernel
 * opens it on this thread in the mode the benchmark would use.
 */
void
ctr_set_list(FILE *f)
{
	int paranoid = ctr_set_paranoid();
	bool user_only = paranoid >= 2;
	pfm_pmu_t pmu;

	pthread_once(&ctr_pfm_once, ctr_pfm_init);
	if (ctr_pfm_rc != PFM_SUCCESS) {
		fprintf(f, "libpfm4 initialisation failed: %s\n",
		    pfm_strerror(ctr_pfm_rc));
		return;
	}
	fprintf(f, "counting mode: %s (perf_event_paranoid=%d)\n",
	    user_only ? "user only" : "user+kernel", paranoid);
	pfm_for_all_pmus(pmu) {
		pfm_pmu_info_t pinfo;

		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.size = sizeof(pinfo);
		if (pfm_get_pmu_info(pmu, &pinfo) != PFM_SUCCESS ||
		    !pinfo.is_present)
			continue;
		fprintf(f, "pmu %s (%s): %d events\n", pinfo.name,
		    pinfo.desc != NULL ? pinfo.desc : "", pinfo.nevents);
		for (int i = pinfo.first_event; i != -1;
		    i = pfm_get_event_next(i)) {
			pfm_event_info_t einfo;
			struct perf_event_attr a;
			char name[256], reason[160];
			int rc;

			memset(&einfo, 0, sizeof(einfo));
			einfo.size = sizeof(einfo);
			if (pfm_get_event_info(i, PFM_OS_PERF_EVENT_EXT,
			    &einfo) != PFM_SUCCESS)
				continue;
			snprintf(name, sizeof(name), "%s::%s", pinfo.name,
			    einfo.name);
			if (ctr_encode(name, user_only, &a) !=
			    PFM_SUCCESS) {
				fprintf(f, "  %-40s needs attributes "
				    "(see libpfm4 showevtinfo)\n", name);
				continue;
			}
			ctr_finish_attr(&a, user_only);
			if (ctr_kernel_side(&a))
				a.exclude_kernel = 0;
			rc = ctr_probe(&a);
			if (rc == 0) {
				fprintf(f, "  %-40s available\n", name);
			} else {
				ctr_reason(reason, sizeof(reason), rc,
				    paranoid);
				fprintf(f, "  %-40s unavailable: %s\n", name,
				    reason);
			}
		}
	}
	fprintf(f, "software events always counted: task-clock, "
	    "context-switches, cpu-migrations\n");
}
