/*
 * report_common.c - what the tables, plots, REPORT.md and COMPARE.md
 * share: numbers for people, the machine in words, output files.
 */
#include "report_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
report_seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	/* A file's bytes quoted in it must not break the line. */
	for (char *p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* ---- numbers ------------------------------------------------------------ */

double
report_unit_scale(const struct report_metric *m, double ref, char *unit,
    size_t len)
{
	static const struct { double d; const char *u; } tu[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "µs" }, { 1, "ns" }
	};
	static const struct { double d; const char *p; } mag[] = {
		{ 1e9, "G " }, { 1e6, "M " }, { 1e3, "k " }, { 1, "" }
	};
	double a = fabs(ref);
	size_t i;

	if (strcmp(m->unit, "ns") == 0) {
		for (i = 0; i < 3 && !(a >= tu[i].d); i++)
			;
		snprintf(unit, len, "%s", tu[i].u);
		return tu[i].d;
	}
	for (i = 0; i < 3 && !(a >= mag[i].d); i++)
		;
	snprintf(unit, len, "%s%s", mag[i].p, m->unit);
	return mag[i].d;
}

const char *
report_fmt3(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3g", v);	/* 0.0196, 0, 1.2e-05 */
	return buf;
}

const char *
report_fmt_p(char *buf, size_t len, double p)
{
	if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
	return buf;
}

/* ---- the machine -------------------------------------------------------- */

const char *
report_host(const struct rdir *r)
{
	const char *h = rdir_ctx(r, BC_HOST_NAME, NULL);

	return h != NULL ? h : "unknown host";
}

void
report_machine_line(const struct rdir *r, char *buf, size_t len)
{
	const char *ncpu = rdir_ctx(r, BC_NUM_CPUS, NULL);

	if (r->topo_summary != NULL)
		snprintf(buf, len, "%s: %s", report_host(r), r->topo_summary);
	else
		snprintf(buf, len, "%s: %s CPUs", report_host(r),
		    ncpu != NULL ? ncpu : "?");
}

bool
report_timings_emulated(const struct rdir *r)
{
	const char *e = rdir_ctx(r, BC_TIMINGS_EMULATED, NULL);

	/* "yes (instructions emulated in software: ...)" */
	return e != NULL && (strncmp(e, "yes", 3) == 0 ||
	    strcmp(e, "true") == 0);
}

bool
report_pmu_available(const struct rdir *r, const char **why)
{
	const char *a = rdir_ctx(r, BC_PMU_AVAILABLE, NULL);
	const char *u = rdir_ctx(r, BC_COUNTERS_UNAVAILABLE, NULL);

	*why = u != NULL && *u != '\0' && strcmp(u, "none") != 0 ? u :
	    "the run recorded no reason";
	return a != NULL && (strcmp(a, "yes") == 0 ||
	    strcmp(a, "true") == 0 || strcmp(a, "1") == 0);
}

/* counters_unavailable reads "cycles: unavailable: <reason>; ...". */
const char *
report_event_reason(const struct rdir *r, const char *event, char *buf,
    size_t len)
{
	const char *u = rdir_ctx(r, BC_COUNTERS_UNAVAILABLE, NULL), *p;
	char key[96];
	size_t n;

	snprintf(key, sizeof(key), "%s: unavailable: ", event);
	if (u == NULL || (p = strstr(u, key)) == NULL ||
	    (p != u && p[-1] != ' '))
		return NULL;
	p += strlen(key);
	n = strcspn(p, ";");
	snprintf(buf, len, "%.*s", (int)n, p);
	return buf;
}

/* ---- files -------------------------------------------------------------- */

bool
report_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size > 0;
}

int
report_mkdir_p(const char *path)
{
	char *buf = xstrdup(path);
	int rc = 0;

	for (char *p = buf + 1; *p != '\0' && rc == 0; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				rc = -1;
			*p = '/';
		}
	if (rc == 0 && mkdir(buf, 0777) != 0 && errno != EEXIST)
		rc = -1;
	free(buf);
	return rc;
}

int
report_file_open(struct report_file *rf, const char *path, char *err,
    size_t len)
{
	rf->path = xstrdup(path);
	rf->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((rf->f = fopen(rf->tmp, "w")) != NULL)
		return 0;
	report_seterr(err, len, "%s: %s", rf->tmp, strerror(errno));
	free(rf->path);
	free(rf->tmp);
	rf->path = rf->tmp = NULL;
	return -1;
}

int
report_file_close(struct report_file *rf, char *err, size_t len)
{
	char *path = rf->path;
	int bad = ferror(rf->f), e = 0;

	if (fflush(rf->f) != 0 || fsync(fileno(rf->f)) != 0)
		bad = 1;
	if (fclose(rf->f) != 0)
		bad = 1;
	if (bad || rename(rf->tmp, rf->path) != 0) {
		e = errno ? errno : EIO;
		unlink(rf->tmp);
	}
	free(rf->tmp);
	rf->path = rf->tmp = NULL;
	if (e != 0)
		report_seterr(err, len, "%s: %s", path, strerror(e));
	free(path);
	return e != 0 ? -1 : 0;
}
