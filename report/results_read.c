/*
 * results_read.c - read a results folder into series of repetitions.
 *
 * bench.json is parsed with jansson.  Google Benchmark writes one entry per
 * repetition (run_type "iteration") and then the aggregates (_mean,
 * _median, ...); statistics need the repetitions, so those are kept and the
 * aggregates are only a fallback for runs made with
 * --benchmark_report_aggregates_only.  A name is
 * workload/design/[T:n/]t:n/[w:nx/]pin:p, possibly followed by suffixes Google
 * Benchmark appends itself (real_time, threads:n, repeats:n, ...).
 */
#include "report.h"
#include "report_impl.h"

#include <errno.h>
#include <hwloc.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A field of Google Benchmark's, not a value of the repetition. */
static bool
reserved(const char *k)
{
	for (int i = 0; bench_entry_fields[i] != NULL; i++)
		if (strcmp(k, bench_entry_fields[i]) == 0)
			return true;
	return false;
}

static double
unit_to_ns(const char *unit)
{
	if (unit == NULL || strcmp(unit, "ns") == 0)
		return 1;
	if (strcmp(unit, "us") == 0)
		return 1e3;
	if (strcmp(unit, "ms") == 0)
		return 1e6;
	if (strcmp(unit, "s") == 0)
		return 1e9;
	return NAN;
}

/*
 * Split a run name into its parts.  Returns false if it is not
 * workload/design/... of plain words ([A-Za-z0-9._-]): such entries (a
 * foreign benchmark) are skipped.
 */
static bool
parse_name(const char *name, struct rdir_series *s, int gb_threads)
{
	char *copy = xstrdup(name), *save = NULL, *tok;
	const char *pin;
	int i = 0;

	/* The spec name ends with the pin:<policy> component. */
	if ((pin = strstr(name, "/pin:")) != NULL)
		s->spec = strndup(name, strcspn(pin + 1, "/") + 1 +
		    (size_t)(pin - name));
	else
		s->spec = strdup(name);
	if (s->spec == NULL)
		abort();

	s->threads = 0;
	s->tcount = 0;
	s->work_x = 1;
	for (tok = strtok_r(copy, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save), i++) {
		if (i == 0)
			s->workload = xstrdup(tok);
		else if (i == 1)
			s->design = xstrdup(tok);
		else if (strncmp(tok, "t:", 2) == 0)
			s->threads = atoi(tok + 2);
		else if (strncmp(tok, "T:", 2) == 0)
			s->tcount = atoi(tok + 2);
		else if (strncmp(tok, "w:", 2) == 0)
			s->work_x = atoi(tok + 2);
		else if (strncmp(tok, "pin:", 4) == 0 && s->pin == NULL)
			s->pin = xstrdup(tok + 4);
		else if (strncmp(tok, "threads:", 8) == 0 && s->threads == 0)
			s->threads = atoi(tok + 8);
		/* Other suffixes (real_time, repeats:n, ...) carry nothing. */
	}
	free(copy);
	/* Names reapbench gives are plain words; others are not its own
	 * (and would reach file names and gnuplot scripts). */
	if (i < 2 || strchr(s->design, ':') != NULL ||
	    !rdir_plain_name(s->workload) || !rdir_plain_name(s->design) ||
	    (s->pin != NULL && !rdir_plain_name(s->pin))) {
		free(s->workload);
		free(s->design);
		free(s->pin);
		free(s->spec);
		s->workload = s->design = s->pin = s->spec = NULL;
		return false;
	}
	if (s->pin == NULL)
		s->pin = xstrdup("-");
	if (s->threads == 0)
		s->threads = gb_threads > 0 ? gb_threads : 1;
	return true;
}

static struct rdir_counter *
series_counter(struct rdir_series *s, const char *name)
{
	for (size_t i = 0; i < s->ncnt; i++)
		if (strcmp(s->cnt[i].name, name) == 0)
			return &s->cnt[i];
	s->cnt = xrealloc(s->cnt, (s->ncnt + 1) * sizeof(*s->cnt));
	s->cnt[s->ncnt].name = xstrdup(name);
	s->cnt[s->ncnt].v = xcalloc(s->nrep + 1, sizeof(double));
	for (size_t r = 0; r < s->nrep + 1; r++)
		s->cnt[s->ncnt].v[r] = NAN;
	return &s->cnt[s->ncnt++];
}

/* Append one repetition (entry e) to s. */
static void
series_add(struct rdir_series *s, json_t *e)
{
	size_t r = s->nrep;
	const char *k;
	json_t *v;
	double scale = unit_to_ns(json_string_value(json_object_get(e,
	    "time_unit")));

	s->real_ns = xrealloc(s->real_ns, (r + 1) * sizeof(double));
	s->cpu_ns = xrealloc(s->cpu_ns, (r + 1) * sizeof(double));
	v = json_object_get(e, BENCH_KEY(BK_REAL_TIME));
	s->real_ns[r] = json_is_number(v) ? json_number_value(v) * scale : NAN;
	v = json_object_get(e, BENCH_KEY(BK_CPU_TIME));
	s->cpu_ns[r] = json_is_number(v) ? json_number_value(v) * scale : NAN;
	for (size_t i = 0; i < s->ncnt; i++) {
		s->cnt[i].v = xrealloc(s->cnt[i].v, (r + 1) * sizeof(double));
		s->cnt[i].v[r] = NAN;
	}
	json_object_foreach(e, k, v) {
		if (reserved(k) || !json_is_number(v))
			continue;
		series_counter(s, k)->v[r] = json_number_value(v);
	}
	s->nrep = r + 1;
}

char *
rdir_ctx_string(json_t *v)
{
	char buf[64];

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		return xstrdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%g", json_real_value(v));
		return xstrdup(buf);
	}
	if (json_is_null(v))
		return xstrdup("");
	{
		char *d = json_dumps(v, JSON_COMPACT), *c;

		if (d == NULL)
			return xstrdup("");
		c = xstrdup(d);
		free(d);
		return c;
	}
}

/* cmdline.txt, trailing blanks dropped, or NULL. */
static char *
read_cmdline(const char *path)
{
	char err[8], *buf = rdir_slurp(path, NULL, err, sizeof(err));
	size_t len;

	if (buf == NULL)
		return NULL;
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return buf;
}

/* "1 package, 1 NUMA node, 2 cores, 2 PUs" from an hwloc XML export. */
static char *
topo_summary(const char *path)
{
	hwloc_topology_t t;
	char buf[256];
	int pk, nn, co, pu;
	struct stat st;

	if (stat(path, &st) != 0)
		return NULL;
	if (hwloc_topology_init(&t) != 0)
		return NULL;
	if (hwloc_topology_set_xml(t, path) != 0 ||
	    hwloc_topology_load(t) != 0) {
		hwloc_topology_destroy(t);
		snprintf(buf, sizeof(buf), "unreadable topology.xml");
		return xstrdup(buf);
	}
	pk = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
	nn = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	co = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	pu = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	snprintf(buf, sizeof(buf),
	    "%d package%s, %d NUMA node%s, %d core%s, %d PU%s",
	    pk, pk == 1 ? "" : "s", nn, nn == 1 ? "" : "s",
	    co, co == 1 ? "" : "s", pu, pu == 1 ? "" : "s");
	hwloc_topology_destroy(t);
	return xstrdup(buf);
}

/*
 * Google Benchmark prints a counter's undefined aggregates (the _cv of a
 * counter whose mean is 0, ...) as bare NaN or inf, which is not JSON.
 * Outside strings, turn such tokens into null before parsing: the
 * aggregates are not used, and a repetition's NaN means "no value", as
 * null does.  Newlines are kept, so jansson's line numbers stay right.
 */
static char *
json_denan(const char *in)
{
	static const char *const bad[] = {
		"-Infinity", "Infinity", "-inf", "inf", "-nan", "-NaN", "NaN",
		"nan", NULL
	};
	size_t n = strlen(in), o = 0;
	char *out = xcalloc(2 * n + 1, 1);	/* "nan" -> "null" grows */
	bool str = false;

	for (size_t i = 0; i < n;) {
		if (str) {
			if (in[i] == '\\' && i + 1 < n) {
				out[o++] = in[i++];
			} else if (in[i] == '"')
				str = false;
			out[o++] = in[i++];
			continue;
		}
		if (in[i] == '"') {
			str = true;
			out[o++] = in[i++];
			continue;
		}
		{
			bool hit = false;

			/* Every bad token starts with one of these. */
			if (strchr("-INin", in[i]) == NULL) {
				out[o++] = in[i++];
				continue;
			}
			for (int k = 0; bad[k] != NULL && !hit; k++) {
				size_t l = strlen(bad[k]);
				if (strncmp(in + i, bad[k], l) == 0 &&
				    (i == 0 || strchr(" \t\r\n:,[", in[i - 1])) &&
				    strchr(" \t\r\n,]}", in[i + l]) != NULL) {
					memcpy(out + o, "null", 4);
					o += 4;
					i += l;
					hit = true;
				}
			}
			if (!hit)
				out[o++] = in[i++];
		}
	}
	out[o] = '\0';
	return out;
}

static struct rdir_series *
series_get(struct rdir *r, const char *run_name, int gb_threads,
    bool *fresh)
{
	struct rdir_series tmp;

	*fresh = false;
	for (size_t i = 0; i < r->ns; i++)
		if (strcmp(r->s[i].name, run_name) == 0)
			return &r->s[i];
	memset(&tmp, 0, sizeof(tmp));
	if (!parse_name(run_name, &tmp, gb_threads))
		return NULL;
	tmp.name = xstrdup(run_name);
	r->s = xrealloc(r->s, (r->ns + 1) * sizeof(*r->s));
	r->s[r->ns] = tmp;
	*fresh = true;
	return &r->s[r->ns++];
}

json_t *
rdir_parse_json(const char *path, const char *text, char *err,
    size_t errlen)
{
	char *clean = json_denan(text);
	json_error_t jerr;
	json_t *root;

	root = json_loads(clean, 0, &jerr);
	free(clean);
	if (root == NULL)
		report_seterr(err, errlen, "%s: corrupt JSON at line %d: %s",
		    path, jerr.line, jerr.text);
	return root;
}

/* bench.json, NaN-cleaned and parsed: the root object, or NULL + err. */
static json_t *
rdir_json(const char *path, char *err, size_t errlen)
{
	char *text;
	json_t *root;

	if ((text = rdir_slurp(path, NULL, err, errlen)) == NULL)
		return NULL;
	root = rdir_parse_json(path, text, err, errlen);
	free(text);
	if (root != NULL && !json_is_object(root)) {
		report_seterr(err, errlen, "%s: not a Google Benchmark JSON "
		    "object", path);
		json_decref(root);
		return NULL;
	}
	return root;
}

static void
rdir_context(struct rdir *r, json_t *ctx)
{
	const char *k;
	json_t *v;

	if (!json_is_object(ctx))
		return;
	r->ctx_key = xcalloc(json_object_size(ctx), sizeof(char *));
	r->ctx_val = xcalloc(json_object_size(ctx), sizeof(char *));
	json_object_foreach(ctx, k, v) {
		r->ctx_key[r->nctx] = xstrdup(k);
		r->ctx_val[r->nctx++] = rdir_ctx_string(v);
	}
}

static bool
is_empty_bench(const char *run_name)
{
	return strcmp(run_name, "empty") == 0 ||
	    strncmp(run_name, "empty/", 6) == 0 ||
	    strcmp(run_name, "bare") == 0;
}

/* The median real time of reference benchmark `name` (`empty`: the
 * wrapper's cost per iteration; `bare`: floor's allocation work). */
static double
rdir_reference_ns(json_t *list, const char *name)
{
	double *v = xcalloc(json_array_size(list), sizeof(double)), m;
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *rn = json_string_value(json_object_get(e,
		    "run_name"));
		const char *type = json_string_value(json_object_get(e,
		    "run_type"));
		json_t *rt = json_object_get(e, BENCH_KEY(BK_REAL_TIME));

		if (rn != NULL && (strcmp(rn, name) == 0 || (strcmp(name,
		    "empty") == 0 && strncmp(rn, "empty/", 6) == 0)) &&
		    type != NULL &&
		    strcmp(type, "iteration") == 0 && json_is_number(rt))
			v[n++] = json_number_value(rt) * unit_to_ns(
			    json_string_value(json_object_get(e,
			    "time_unit")));
	}
	m = stats_median(v, n);
	free(v);
	return m;
}

/*
 * One entry of the benchmarks array.  Pass 0 takes repetitions, pass 1
 * the _median aggregate of series that have no repetition.
 */
static void
rdir_entry(struct rdir *r, json_t *e, int pass)
{
	const char *type, *rn, *agg;
	struct rdir_series *s;
	bool aggregate, fresh;

	if (!json_is_object(e))
		return;
	type = json_string_value(json_object_get(e, "run_type"));
	if ((rn = json_string_value(json_object_get(e, "run_name"))) == NULL)
		rn = json_string_value(json_object_get(e, "name"));
	if (rn == NULL)
		return;
	agg = json_string_value(json_object_get(e, "aggregate_name"));
	aggregate = type != NULL && strcmp(type, "aggregate") == 0;
	if (pass == 0 ? aggregate : (!aggregate || agg == NULL ||
	    strcmp(agg, "median") != 0))
		return;
	s = series_get(r, rn, (int)json_integer_value(json_object_get(e,
	    "threads")), &fresh);
	if (s == NULL) {
		if (pass == 0 && !is_empty_bench(rn))
			r->skipped++;
		return;
	}
	if (pass == 1) {
		if (!fresh && s->nrep > 0)
			return;
		s->aggregate_only = true;
	}
	if (json_is_true(json_object_get(e, "error_occurred"))) {
		const char *m = json_string_value(json_object_get(e,
		    "error_message"));

		s->nerrors++;
		if (s->error == NULL)
			s->error = xstrdup(m ? m : "error");
		return;
	}
	series_add(s, e);
}

int
rdir_complete(const char *dir, char *err, size_t errlen)
{
	char *path = path_join(dir, BENCH_FILE_COMPLETE);
	struct stat st;
	int rc = 0;

	/* Not a folder at all: rdir_load says so. */
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    stat(path, &st) != 0) {
		report_seterr(err, errlen, "%s: incomplete results folder (no "
		    "%s: its run was interrupted, failed or is still running); "
		    "use a complete one, e.g. results/latest", dir,
		    BENCH_FILE_COMPLETE);
		rc = -1;
	}
	free(path);
	return rc;
}

/* Series at other multiples of the stand-ins' costs (w:<x>x) go to
 * r->ws, out of every table but the exit-work sweep's. */
static void
rdir_split_work(struct rdir *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ns; i++) {
		if (r->s[i].work_x == 1) {
			r->s[n++] = r->s[i];
			continue;
		}
		r->ws = xrealloc(r->ws, (r->nws + 1) * sizeof(*r->ws));
		r->ws[r->nws++] = r->s[i];
	}
	r->ns = n;
}

int
rdir_load(const char *dir, struct rdir *r, char *err, size_t errlen)
{
	char *path;
	json_t *root, *list, *e;
	size_t i;
	struct stat st;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->harness_ns = NAN;
	r->bare_ns = NAN;
	r->dir = xstrdup(dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		report_seterr(err, errlen, "%s: not a results folder: %s", dir,
		    stat(dir, &st) != 0 ? strerror(errno) : "not a directory");
		return -1;
	}
	path = path_join(dir, BENCH_FILE_JSON);
	if ((root = rdir_json(path, err, errlen)) == NULL)
		goto out;
	rdir_context(r, json_object_get(root, "context"));
	list = json_object_get(root, "benchmarks");
	if (!json_is_array(list)) {
		report_seterr(err, errlen, "%s: no \"benchmarks\" array", path);
		json_decref(root);
		goto out;
	}
	r->harness_ns = rdir_reference_ns(list, "empty");
	r->bare_ns = rdir_reference_ns(list, "bare");
	/* Repetitions first; aggregates only for series that have none. */
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(list, i, e)
			rdir_entry(r, e, pass);
	json_decref(root);
	if (r->ns == 0) {
		report_seterr(err, errlen, "%s: no reapbench benchmarks in it",
		    path);
		goto out;
	}
	if (rdir_read_env(r, err, errlen) != 0 ||
	    rdir_read_pins(r, err, errlen) != 0 ||
	    rdir_read_latency(r, err, errlen) != 0)
		goto out;
	rdir_split_work(r);
	free(path);
	path = path_join(dir, BENCH_FILE_CMDLINE);
	r->cmdline = read_cmdline(path);
	free(path);
	path = path_join(dir, BENCH_FILE_TOPOLOGY);
	r->topo_summary = topo_summary(path);
	rdir_numa_read(path, &r->numa);
	rc = 0;
out:
	free(path);
	return rc;
}

static void
series_free(struct rdir_series *s)
{
	for (size_t c = 0; c < s->ncnt; c++) {
		free(s->cnt[c].name);
		free(s->cnt[c].v);
	}
	free(s->cnt);
	free(s->name);
	free(s->spec);
	free(s->workload);
	free(s->design);
	free(s->pin);
	free(s->real_ns);
	free(s->cpu_ns);
	free(s->error);
	free(s->lat_path);
	free(s->cdf);
}

void
rdir_free(struct rdir *r)
{
	for (size_t i = 0; i < r->nctx; i++) {
		free(r->ctx_key[i]);
		free(r->ctx_val[i]);
	}
	free(r->ctx_key);
	free(r->ctx_val);
	for (size_t i = 0; i < r->ns; i++)
		series_free(&r->s[i]);
	free(r->s);
	for (size_t i = 0; i < r->nws; i++)
		series_free(&r->ws[i]);
	free(r->ws);
	for (size_t i = 0; i < r->npins; i++) {
		free(r->pins[i].bench);
		free(r->pins[i].role);
	}
	free(r->pins);
	free(r->dir);
	free(r->cmdline);
	free(r->topo_summary);
	rdir_numa_free(&r->numa);
	memset(r, 0, sizeof(*r));
}

const char *
rdir_ctx(const struct rdir *r, enum bench_ctx key, const char *member)
{
	const char *name = BENCH_CTX(key);
	size_t len = strlen(name);

	for (size_t i = 0; i < r->nctx; i++) {
		const char *k = r->ctx_key[i];

		if (member == NULL ? strcmp(k, name) == 0 :
		    strncmp(k, name, len) == 0 && strcmp(k + len, member) == 0)
			return r->ctx_val[i];
	}
	return NULL;
}

const struct rdir_series *
rdir_find(const struct rdir *r, const char *workload, const char *design,
    const char *pin, int threads, int tcount)
{
	for (size_t i = 0; i < r->ns; i++) {
		const struct rdir_series *s = &r->s[i];

		if (strcmp(s->workload, workload) == 0 &&
		    strcmp(s->design, design) == 0 &&
		    (pin == NULL || strcmp(s->pin, pin) == 0) &&
		    s->threads == threads && s->tcount == tcount)
			return s;
	}
	return NULL;
}

const double *
rdir_counter(const struct rdir_series *s, const char *name)
{
	for (size_t i = 0; i < s->ncnt; i++)
		if (strcmp(s->cnt[i].name, name) == 0) {
			for (size_t r = 0; r < s->nrep; r++)
				if (!isnan(s->cnt[i].v[r]))
					return s->cnt[i].v;
			return NULL;
		}
	return NULL;
}

const double *
rdir_values(const struct rdir_series *s, enum bench_key k)
{
	if (k == BK_REAL_TIME)
		return s->real_ns;
	if (k == BK_CPU_TIME)
		return s->cpu_ns;
	return rdir_counter(s, BENCH_KEY(k));
}
