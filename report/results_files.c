/*
 * results_files.c - the files of a results folder besides bench.json:
 * env.json, pins.tsv, latency/index.tsv and the latency CDFs it names
 * (bench/bench_schema.h describes them; driver/run_files.c writes them).
 *
 * Each is optional (a folder of an older run may lack it), but one that
 * is there is read whole and checked: a corrupt file is a one-line error
 * naming it, its line and what is wrong, never a plot of garbage.
 */
#include "report_impl.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Text files are small; a bigger one is not ours. */
#define RDIR_MAX_TEXT	(256u << 20)

char *
rdir_slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		report_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (len + 4096 > cap) {
			if (cap > RDIR_MAX_TEXT) {
				report_seterr(err, errlen, "%s: larger than "
				    "%u MiB: not a results file", path,
				    RDIR_MAX_TEXT >> 20);
				fclose(f);
				free(buf);
				return NULL;
			}
			buf = xrealloc(buf, cap = cap * 2 + 4096);
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		report_seterr(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		report_seterr(err, errlen, "%s: a NUL byte at offset %zu: not "
		    "a text file", path, (size_t)((char *)memchr(buf, '\0',
		    len) - buf));
		free(buf);
		return NULL;
	}
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* A file of the folder: its text, NULL with *absent if there is none,
 * NULL and err if it cannot be read. */
static char *
rdir_optional(const char *path, bool *absent, char *err, size_t errlen)
{
	*absent = access(path, F_OK) != 0 && errno == ENOENT;
	return *absent ? NULL : rdir_slurp(path, NULL, err, errlen);
}

/*
 * The next line of *text (NUL-terminated in place, '\r' before the '\n'
 * dropped), or NULL at the end; *lineno counts.
 */
static char *
rdir_line(char **text, int *lineno)
{
	char *s = *text, *e;

	if (*s == '\0')
		return NULL;
	(*lineno)++;
	if ((e = strchr(s, '\n')) != NULL) {
		*e = '\0';
		*text = e + 1;
	} else
		*text = s + strlen(s);
	if ((e = s + strlen(s)) > s && e[-1] == '\r')
		e[-1] = '\0';
	return s;
}

/* Split s at tabs into at most max fields; how many there were. */
static int
rdir_fields(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *t = strchr(s, '\t');

		if (n < max)
			f[n] = s;
		n++;
		if (t == NULL)
			return n;
		*t = '\0';
		s = t + 1;
	}
}

/* s as a whole number in [lo, hi]: 0, or -1. */
static int
rdir_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi ||
	    isspace((unsigned char)*s))
		return -1;
	*out = v;
	return 0;
}

/* ---- env.json ----------------------------------------------------------- */

/* Keys of env.json that bench.json's context lacks (the env.json-only
 * ones: pins, google_benchmark_argv, benchmarks_run) join the context. */
int
rdir_read_env(struct rdir *r, char *err, size_t errlen)
{
	char *path = path_join(r->dir, BENCH_FILE_ENV), *text;
	json_t *root, *v;
	const char *k;
	bool absent;

	text = rdir_optional(path, &absent, err, errlen);
	if (text == NULL) {
		free(path);
		return absent ? 0 : -1;
	}
	root = rdir_parse_json(path, text, err, errlen);
	free(text);
	if (root != NULL && !json_is_object(root)) {
		report_seterr(err, errlen, "%s: not a JSON object", path);
		json_decref(root);
		root = NULL;
	}
	if (root == NULL) {
		free(path);
		return -1;
	}
	r->ctx_key = xrealloc(r->ctx_key, (r->nctx + json_object_size(root)) *
	    sizeof(char *));
	r->ctx_val = xrealloc(r->ctx_val, (r->nctx + json_object_size(root)) *
	    sizeof(char *));
	json_object_foreach(root, k, v) {
		bool seen = false;

		for (size_t i = 0; i < r->nctx && !seen; i++)
			seen = strcmp(r->ctx_key[i], k) == 0;
		if (seen)
			continue;
		r->ctx_key[r->nctx] = xstrdup(k);
		r->ctx_val[r->nctx++] = rdir_ctx_string(v);
	}
	json_decref(root);
	free(path);
	return 0;
}

/* ---- pins.tsv ----------------------------------------------------------- */

/* benchmark, role, model_cpu, planned_pu, seen_pu[, node] (-1: none; a
 * harness thread has model_cpu -1, a per-CPU block seen_pu -1). */
static int
rdir_pin_line(struct rdir *r, char *s, const char *path, int lineno,
    char *err, size_t errlen)
{
	char *f[6];
	long cpu, planned, seen, node = -1;
	struct rdir_pin *p;
	int n = rdir_fields(s, f, 6);

	if (n != 5 && n != 6) {
		report_seterr(err, errlen, "%s:%d: %d fields, expected 5 or 6 "
		    "(benchmark, role, model_cpu, planned_pu, seen_pu[, node])",
		    path, lineno, n);
		return -1;
	}
	if (*f[0] == '\0' || *f[1] == '\0') {
		report_seterr(err, errlen, "%s:%d: empty %s", path, lineno,
		    *f[0] == '\0' ? "benchmark" : "role");
		return -1;
	}
	if (rdir_long(f[2], -1, INT_MAX, &cpu) != 0 ||
	    rdir_long(f[3], -1, INT_MAX, &planned) != 0 ||
	    rdir_long(f[4], -1, INT_MAX, &seen) != 0 ||
	    (n == 6 && rdir_long(f[5], -1, INT_MAX, &node) != 0)) {
		report_seterr(err, errlen, "%s:%d: model_cpu, planned_pu, "
		    "seen_pu and node must be whole numbers (-1 for none)",
		    path, lineno);
		return -1;
	}
	r->pins = xrealloc(r->pins, (r->npins + 1) * sizeof(*r->pins));
	p = &r->pins[r->npins++];
	p->bench = xstrdup(f[0]);
	p->role = xstrdup(f[1]);
	p->cpu = (int)cpu;
	p->planned = (int)planned;
	p->seen = (int)seen;
	p->node = (int)node;
	return 0;
}

int
rdir_read_pins(struct rdir *r, char *err, size_t errlen)
{
	char *path = path_join(r->dir, BENCH_FILE_PINS), *text, *s, *next;
	bool absent;
	int lineno = 0, rc = 0;

	if ((text = rdir_optional(path, &absent, err, errlen)) == NULL) {
		free(path);
		return absent ? 0 : -1;
	}
	for (next = text; rc == 0 && (s = rdir_line(&next, &lineno)) != NULL;)
		if (*s != '#' && *s != '\0')
			rc = rdir_pin_line(r, s, path, lineno, err, errlen);
	free(text);
	free(path);
	return rc;
}

/* ---- latency/index.tsv and the CDFs ------------------------------------- */

bool
rdir_plain_name(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return false;
	return true;
}

/*
 * A CDF: "# ..." comments, then "upper_bound_ns cumulative_fraction"
 * lines, both non-decreasing, the fraction in (0, 1].
 */
static int
rdir_read_cdf(struct rdir_series *s, char *err, size_t errlen)
{
	char *text, *line, *next;
	int lineno = 0;
	double px = 0, py = 0;

	if ((text = rdir_slurp(s->lat_path, NULL, err, errlen)) == NULL)
		return -1;
	for (next = text; (line = rdir_line(&next, &lineno)) != NULL;) {
		double x, y;
		int used = 0;

		if (*line == '#' || *line == '\0')
			continue;
		if (sscanf(line, "%lf %lf %n", &x, &y, &used) != 2 ||
		    line[used] != '\0' || !(x >= px) || isinf(x) ||
		    !(y > 0 && y >= py && y <= 1 + 1e-9)) {
			report_seterr(err, errlen, "%s:%d: expected "
			    "\"upper_bound_ns cumulative_fraction\", both "
			    "non-decreasing, the fraction in (0, 1]",
			    s->lat_path, lineno);
			free(text);
			return -1;
		}
		s->cdf = xrealloc(s->cdf, (s->ncdf + 1) * sizeof(*s->cdf));
		s->cdf[s->ncdf].ns = px = x;
		s->cdf[s->ncdf++].frac = py = y;
	}
	free(text);
	if (s->ncdf == 0) {
		report_seterr(err, errlen, "%s: no points", s->lat_path);
		return -1;
	}
	return 0;
}

/* One index line: benchmark, file, samples. */
static int
rdir_index_line(struct rdir *r, char *line, const char *path, int lineno,
    char *err, size_t errlen)
{
	char *f[3];
	long samples;
	int n = rdir_fields(line, f, 3);

	if (n != 3) {
		report_seterr(err, errlen, "%s:%d: %d fields, expected 3 "
		    "(benchmark, file, samples)", path, lineno, n);
		return -1;
	}
	if (!rdir_plain_name(f[1])) {
		report_seterr(err, errlen, "%s:%d: file name '%s' is not a "
		    "plain name inside %s/", path, lineno, f[1],
		    BENCH_DIR_LATENCY);
		return -1;
	}
	if (rdir_long(f[2], 1, LONG_MAX, &samples) != 0) {
		report_seterr(err, errlen, "%s:%d: samples '%s' is not a whole "
		    "number >= 1", path, lineno, f[2]);
		return -1;
	}
	for (size_t i = 0; i < r->ns; i++) {
		struct rdir_series *s = &r->s[i];

		if (strcmp(s->spec, f[0]) != 0)
			continue;
		if (s->lat_path != NULL) {
			report_seterr(err, errlen, "%s:%d: %s is listed twice",
			    path, lineno, f[0]);
			return -1;
		}
		s->lat_path = path_join(r->dir, "%s/%s", BENCH_DIR_LATENCY,
		    f[1]);
		s->lat_samples = (unsigned long)samples;
	}
	/* A benchmark bench.json does not have (it errored): no CDF. */
	return 0;
}

/* Without an index (older runs), the CDF at the sanitised name, if any. */
static void
rdir_latency_guess(struct rdir *r)
{
	for (size_t i = 0; i < r->ns; i++) {
		struct rdir_series *s = &r->s[i];
		char *name = xcalloc(strlen(s->spec) + 1, 1);
		FILE *f;

		bench_sanitise(s->spec, name, strlen(s->spec) + 1);
		s->lat_path = path_join(r->dir, "%s/%s.dat", BENCH_DIR_LATENCY,
		    name);
		free(name);
		if ((f = fopen(s->lat_path, "r")) != NULL)
			fclose(f);
		else {
			free(s->lat_path);
			s->lat_path = NULL;
		}
	}
}

int
rdir_read_latency(struct rdir *r, char *err, size_t errlen)
{
	char *path = path_join(r->dir, BENCH_FILE_LATENCY_INDEX), *text;
	char *line, *next;
	bool absent;
	int lineno = 0, rc = 0;

	if ((text = rdir_optional(path, &absent, err, errlen)) == NULL) {
		free(path);
		if (!absent)
			return -1;
		rdir_latency_guess(r);
	} else {
		for (next = text; rc == 0 &&
		    (line = rdir_line(&next, &lineno)) != NULL;)
			if (*line != '#' && *line != '\0')
				rc = rdir_index_line(r, line, path, lineno,
				    err, errlen);
		free(text);
		free(path);
	}
	for (size_t i = 0; i < r->ns && rc == 0; i++)
		if (r->s[i].lat_path != NULL)
			rc = rdir_read_cdf(&r->s[i], err, errlen);
	return rc;
}
