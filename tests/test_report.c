/*
 * test_report.c - the statistics, `reapbench report` and `reapbench pick`.
 *
 * The table tests read tests/data/smoke/, a results folder from a real
 * tiny run (`reapbench run --matrix smoke`), and check the numbers the
 * report prints against values computed here, independently, from the
 * same bench.json: the median of each benchmark's repetitions, the best
 * design of each configuration, the ratios.  REPORT_TEST_DATA=DIR runs
 * them on another folder.  The statistics are checked against published
 * or hand-computed values, the pick's sensitivity against a folder built
 * here with known answers, and broken folders must give a one-line error
 * and a non-zero exit.
 */
#include "rt.h"
#include "report_impl.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
data_dir(void)
{
	const char *d = getenv("REPORT_TEST_DATA");

	return d != NULL ? d : "tests/data/smoke";
}

#define RT_NEAR(a, b, tol) do { double rt_x__ = (a), rt_y__ = (b);	\
	if (!(fabs(rt_x__ - rt_y__) <= (tol)))				\
	rt_fail(__FILE__, __LINE__, "%s ~ %s (%.9g vs %.9g)", #a, #b,	\
	    rt_x__, rt_y__); } while (0)
#define RT_REL(a, b, rel) RT_NEAR(a, b, fabs(b) * (rel))

/* A fresh scratch directory under TMPDIR. */
static void
scratch(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/test_report.XXXXXX", t ? t : "/tmp");
	RT_ASSERT(mkdtemp(buf) != NULL);
}

static void
rm_rf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	RT_ASSERT(system(cmd) == 0);
}

static void
copy_dir(const char *from, const char *to)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/'", from, to);
	RT_ASSERT(system(cmd) == 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	RT_ASSERT(f != NULL);
	fputs(text, f);
	RT_ASSERT(fclose(f) == 0);
}

/* What a run writes last: the folder is complete. */
static void
mark_complete(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, BENCH_FILE_COMPLETE);
	write_file(path, "complete: a test's folder\n");
}



/* ---- statistics --------------------------------------------------------- */

RT_TEST(t_stats_median)
{
	double a[] = { 3, 1, 2 }, b[] = { 4, 1, 3, 2 }, c[] = { 7 };

	RT_NEAR(stats_median(a, 3), 2, 0);
	RT_NEAR(stats_median(b, 4), 2.5, 0);
	RT_NEAR(stats_median(c, 1), 7, 0);
	RT_ASSERT(isnan(stats_median(a, 0)));
	RT_NEAR(a[0], 3, 0);			/* input untouched */
}

RT_TEST(t_stats_median_ci)
{
	double x[10] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct stats_ci ci;

	/* n = 10: [x(2), x(9)], coverage 1 - 2 * 11/1024. */
	stats_median_ci(x, 10, 0.95, &ci);
	RT_NEAR(ci.lo, 2, 0);
	RT_NEAR(ci.hi, 9, 0);
	RT_NEAR(ci.coverage, 1 - 22.0 / 1024, 1e-12);
	/* n = 5 cannot reach 95%: [min, max] at 1 - 2/32. */
	stats_median_ci(x, 5, 0.95, &ci);
	RT_NEAR(ci.lo, 6, 0);
	RT_NEAR(ci.hi, 10, 0);
	RT_NEAR(ci.coverage, 1 - 2.0 / 32, 1e-12);
	/* n = 1: a point, no confidence. */
	stats_median_ci(x, 1, 0.95, &ci);
	RT_NEAR(ci.lo, 10, 0);
	RT_NEAR(ci.coverage, 0, 0);
}

/*
 * R's wilcox.test example (Hollander & Wolfe): W = 35, exact one-sided
 * p = 0.1272, so two-sided 0.2544 (3003 equally likely orders).
 */
RT_TEST(t_stats_mwu_exact)
{
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73,
	    1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct stats_mwu u;

	stats_mwu_test(x, 10, y, 5, &u);
	RT_NEAR(u.u, 35, 0);
	RT_ASSERT(u.exact);
	RT_NEAR(u.p, 764.0 / 3003, 1e-9);	/* 2 * 382 / 3003 */
	RT_NEAR(u.delta, (35.0 - 15.0) / 50, 1e-12);
	RT_NEAR(u.p_min, 2.0 / 3003, 1e-12);
	/* Symmetric: swapping the samples keeps p, negates delta. */
	{
		struct stats_mwu v;

		stats_mwu_test(y, 5, x, 10, &v);
		RT_NEAR(v.p, u.p, 1e-12);
		RT_NEAR(v.delta, -u.delta, 1e-12);
	}
	/* Complete separation of 3 vs 3: the smallest p, 2/20. */
	{
		double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };

		stats_mwu_test(a, 3, b, 3, &u);
		RT_NEAR(u.p, 0.1, 1e-12);
		RT_NEAR(u.p_min, 0.1, 1e-12);
		RT_NEAR(u.delta, -1, 0);
	}
}

/*
 * Ties: a = {1,2,2,3,3,3}, b = {3,3,4,4,5,5}: U = 3, tie-corrected
 * variance 36 * (13 - 138/132) / 12 = 35.8636..., mean 18, z = (18 - 3 -
 * 0.5) / sqrt(var) = 2.42126..., p = erfc(z / sqrt 2) = 0.0154669...
 */
RT_TEST(t_stats_mwu_ties)
{
	double a[] = { 1, 2, 2, 3, 3, 3 }, b[] = { 3, 3, 4, 4, 5, 5 };
	double var = 36.0 / 12 * (13 - 138.0 / 132);	/* ties 2+120+6+6 */
	struct stats_mwu u;

	stats_mwu_test(a, 6, b, 6, &u);
	RT_ASSERT(!u.exact);
	RT_NEAR(u.u, 3, 0);
	RT_NEAR(u.p, erfc((18 - 3 - 0.5) / sqrt(var) / sqrt(2)), 1e-12);
	RT_NEAR(u.p, 0.0154669, 1e-7);
	RT_NEAR(u.delta, -30.0 / 36, 1e-12);
	/* All equal: no evidence at all. */
	stats_mwu_test(b, 2, b, 2, &u);
	RT_NEAR(u.p, 1, 0);
	RT_NEAR(u.delta, 0, 0);
}

RT_TEST(t_stats_bootstrap)
{
	double a[] = { 10, 11, 12, 13, 14 }, b[] = { 20, 22, 24, 26, 28 };
	struct stats_ci c1, c2;
	struct stats_rng g;
	double r;

	r = stats_ratio_ci(a, 5, b, 5, 0.95, 2000, 42, &c1);
	RT_NEAR(r, 2, 1e-12);
	RT_ASSERT(c1.lo <= 2 && c1.hi >= 2);
	RT_ASSERT(c1.lo >= 20.0 / 14 && c1.hi <= 28.0 / 10);
	/* Fixed seed: reproducible. */
	stats_ratio_ci(a, 5, b, 5, 0.95, 2000, 42, &c2);
	RT_NEAR(c1.lo, c2.lo, 0);
	RT_NEAR(c1.hi, c2.hi, 0);
	stats_rng_seed(&g, 1);
	for (int i = 0; i < 10000; i++)
		RT_ASSERT(stats_rng_below(&g, 7) < 7);
}

/* ---- the results folder, read independently ----------------------------- */

/* The metric the report uses per workload, computed from raw JSON. */
static bool
higher_better(const char *workload)
{
	return strcmp(workload, "teardown") != 0 &&
	    strcmp(workload, "storm") != 0;
}

static double
raw_value(json_t *e, const char *workload)
{
	const char *u;
	double scale = 1;

	if (higher_better(workload)) {
		json_t *v = json_object_get(e, "items_per_second");
		return json_is_number(v) ? json_number_value(v) : NAN;
	}
	u = json_string_value(json_object_get(e, "time_unit"));
	if (u != NULL && strcmp(u, "us") == 0)
		scale = 1e3;
	else if (u != NULL && strcmp(u, "ms") == 0)
		scale = 1e6;
	else if (u != NULL && strcmp(u, "s") == 0)
		scale = 1e9;
	return json_number_value(json_object_get(e, "real_time")) * scale;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of the repetitions of run_name, straight from bench.json. */
static double
raw_median(json_t *root, const char *run_name, const char *workload,
    size_t *n)
{
	json_t *list = json_object_get(root, "benchmarks"), *e;
	double v[1024];
	size_t i;

	*n = 0;
	json_array_foreach(list, i, e) {
		const char *rn = json_string_value(json_object_get(e,
		    "run_name"));
		const char *rt = json_string_value(json_object_get(e,
		    "run_type"));

		if (rn == NULL || strcmp(rn, run_name) != 0 || rt == NULL ||
		    strcmp(rt, "iteration") != 0 ||
		    json_is_true(json_object_get(e, "error_occurred")))
			continue;
		if (!isnan(raw_value(e, workload)) && *n < 1024)
			v[(*n)++] = raw_value(e, workload);
	}
	if (*n == 0)
		return NAN;
	qsort(v, *n, sizeof(double), dcmp);
	return *n % 2 ? v[*n / 2] : (v[*n / 2 - 1] + v[*n / 2]) / 2;
}

/*
 * bench.json parsed here on its own: Google Benchmark writes undefined
 * aggregates as bare NaN/inf after ": ", which this blanks to null.
 */
static json_t *raw_load_from(const char *dir);

static json_t *
raw_load(void)
{
	return raw_load_from(data_dir());
}

static json_t *
raw_load_from(const char *dir)
{
	static const char *const bad[] = { "-nan", "nan", "-NaN", "NaN",
	    "-inf", "inf", NULL };
	char path[4200], *text, *p;
	json_error_t je;
	json_t *root;

	snprintf(path, sizeof(path), "%s/bench.json", dir);
	text = rt_slurp(path);
	for (int k = 0; bad[k] != NULL; k++) {
		char pat[16];

		snprintf(pat, sizeof(pat), ": %s", bad[k]);
		while ((p = strstr(text, pat)) != NULL) {
			/* ": NaN" -> ":null", ": -nan" -> ":null " */
			memset(p + 1, ' ', strlen(pat) - 1);
			memcpy(p + 1, "null", 4);
		}
	}
	root = json_loads(text, 0, &je);
	free(text);
	RT_ASSERTF(root != NULL, "%s: %s (run from the repository root)",
	    path, je.text);
	return root;
}

RT_TEST(read_smoke_folder)
{
	struct rdir r;
	char err[512];
	json_t *root = raw_load(), *e;
	size_t i, nrep_total = 0, seen = 0;

	RT_ASSERTF(rdir_load(data_dir(), &r, err, sizeof(err)) == 0,
	    "%s", err);
	RT_ASSERT(r.ns >= 2);
	RT_ASSERT(rdir_ctx(&r, BC_HOST_NAME, NULL) != NULL);
	/* Every repetition in the file is in exactly one series. */
	json_array_foreach(json_object_get(root, "benchmarks"), i, e) {
		const char *rt = json_string_value(json_object_get(e,
		    "run_type"));
		const char *rn = json_string_value(json_object_get(e,
		    "run_name"));
		/* `empty` is the harness's overhead, read apart. */
		if (rt != NULL && strcmp(rt, "iteration") == 0 &&
		    !json_is_true(json_object_get(e, "error_occurred")) &&
		    rn != NULL && strcmp(rn, "empty") != 0 &&
		    strcmp(rn, "bare") != 0)
			seen++;
	}
	for (size_t k = 0; k < r.ns; k++) {
		RT_ASSERT(r.s[k].workload && r.s[k].design && r.s[k].pin);
		RT_ASSERT(r.s[k].threads >= 1);
		RT_ASSERT(!r.s[k].aggregate_only);
		nrep_total += r.s[k].nrep;
	}
	RT_EQ(nrep_total + r.skipped, seen);
	json_decref(root);
	rdir_free(&r);
}

/* Every table's medians, best row and ratios against bench.json. */
RT_TEST(tables_match_json)
{
	struct rdir r;
	struct report_table *t;
	size_t nt, checked = 0;
	char err[512];
	json_t *root = raw_load();

	RT_ASSERTF(rdir_load(data_dir(), &r, err, sizeof(err)) == 0,
	    "%s", err);
	report_tables_build(&r, &t, &nt);
	RT_ASSERT(nt >= 1);
	for (size_t j = 0; j < nt; j++) {
		const struct report_table *tb = &t[j];
		double best = NAN;

		RT_EQ(tb->m.higher_better, higher_better(tb->workload));
		for (size_t k = 0; k < tb->nrows; k++) {
			const struct report_row *row = &tb->rows[k];
			size_t n;
			double m = raw_median(root, row->s->name,
			    tb->workload, &n);

			RT_EQ(row->n, n);
			RT_REL(row->median, m, 1e-12);
			if (!report_design_is_reference(row->s->design) &&
			    (isnan(best) || (tb->m.higher_better ? m > best :
			    m < best)))
				best = m;
			checked++;
		}
		if (isnan(best))
			continue;
		RT_ASSERT(tb->best == 0);
		RT_REL(tb->rows[0].median, best, 1e-12);
		for (size_t k = 0; k < tb->nrows; k++)
			RT_REL(tb->rows[k].ratio, tb->rows[k].median / best,
			    1e-12);
	}
	RT_ASSERT(checked >= 2);
	report_tables_free(t, nt);
	json_decref(root);
	rdir_free(&r);
}

/* Divisor of a table unit as REPORT.md prints it. */
static double
unit_div(const char *u)
{
	if (strcmp(u, "ns") == 0)
		return 1;
	if (strcmp(u, "µs") == 0)
		return 1e3;
	if (strcmp(u, "ms") == 0)
		return 1e6;
	if (strcmp(u, "s") == 0)
		return 1e9;
	if (strncmp(u, "G ", 2) == 0)
		return 1e9;
	if (strncmp(u, "M ", 2) == 0)
		return 1e6;
	if (strncmp(u, "k ", 2) == 0)
		return 1e3;
	return 1;
}

/*
 * REPORT.md itself: for every table, the printed median and ratio of
 * every design agree with bench.json (to the 3 significant digits shown).
 */
RT_TEST(report_md_numbers)
{
	char dir[4096], out[4200], logf[4200];
	char *argv[] = { "report", "--no-plots", "-o", out, NULL, NULL };
	struct rdir r;
	struct report_table *t;
	size_t nt, rows = 0;
	char err[512], *md;
	json_t *root = raw_load();

	scratch(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/REPORT.md", dir);
	snprintf(logf, sizeof(logf), "%s/log", dir);
	argv[4] = (char *)data_dir();
	RT_EQ(rt_captured(logf, report_main, 5, argv), 0);
	md = rt_slurp(out);
	RT_ASSERT(strstr(md, "## Machine") != NULL);
	RT_ASSERT(strstr(md, "## Recommendation") != NULL);
	RT_ASSERT(strstr(md, "Mann–Whitney") != NULL);
	RT_ASSERTF(rdir_load(data_dir(), &r, err, sizeof(err)) == 0,
	    "%s", err);
	report_tables_build(&r, &t, &nt);
	for (size_t j = 0; j < nt; j++) {
		const struct report_table *tb = &t[j];
		char head[256], unit[64];
		const char *sec, *hdr, *end;
		double best = NAN;

		if (tb->best < 0)
			continue;	/* nothing measured: no table */
		if (tb->tcount > 0)
			snprintf(head, sizeof(head), "#### %s · T:%d · t:%d · "
			    "pin:%s\n", tb->workload, tb->tcount, tb->threads,
			    tb->pin);
		else
			snprintf(head, sizeof(head), "#### %s · t:%d · pin:%s\n",
			    tb->workload, tb->threads, tb->pin);
		sec = strstr(md, head);
		RT_ASSERTF(sec != NULL, "no section %s", head);
		hdr = strstr(sec, "| design | n | median (");
		RT_ASSERT(hdr != NULL);
		hdr += strlen("| design | n | median (");
		end = strchr(hdr, ')');
		snprintf(unit, sizeof(unit), "%.*s", (int)(end - hdr), hdr);
		for (size_t k = 0; k < tb->nrows; k++) {
			size_t n;
			double m = raw_median(root, tb->rows[k].s->name,
			    tb->workload, &n);
			if (!report_design_is_reference(
			    tb->rows[k].s->design) &&
			    (isnan(best) || (higher_better(tb->workload) ?
			    m > best : m < best)))
				best = m;
		}
		for (size_t k = 0; k < tb->nrows; k++) {
			char key[128];
			const char *row;
			size_t n;
			unsigned long pn;
			double m = raw_median(root, tb->rows[k].s->name,
			    tb->workload, &n), pm, pr;

			snprintf(key, sizeof(key), "\n| %s | ",
			    tb->rows[k].s->design);
			row = strstr(sec, key);
			RT_ASSERTF(row != NULL, "no row %s in %s",
			    tb->rows[k].s->design, head);
			RT_EQ(sscanf(row + strlen(key), "%lu | %lf | [%*[^]]]%*[^|]"
			    "| %lf |", &pn, &pm, &pr), 3);
			RT_EQ(pn, n);
			RT_REL(pm * unit_div(unit), m, 0.006);
			RT_NEAR(pr, m / best, 0.0006);
			rows++;
		}
	}
	RT_ASSERT(rows >= 2);
	/* Written through a temporary file: none is left behind. */
	{
		DIR *dp = opendir(dir);
		struct dirent *de;

		RT_ASSERT(dp != NULL);
		while ((de = readdir(dp)) != NULL)
			RT_ASSERTF(strstr(de->d_name, ".tmp") == NULL,
			    "leftover %s", de->d_name);
		closedir(dp);
	}
	free(md);
	report_tables_free(t, nt);
	rdir_free(&r);
	json_decref(root);
	rm_rf(dir);
}

/* ---- the two teardown figures ------------------------------------------- */

/* A real run of teardown and storm with both figures (tests/data/README). */
#define TEARDOWN_DATA	"tests/data/teardown"

/* Median over run_name's repetitions of value key, from the raw JSON. */
static double
raw_key_median(json_t *root, const char *run_name, const char *key)
{
	json_t *e;
	double v[1024];
	size_t i, n = 0;

	json_array_foreach(json_object_get(root, "benchmarks"), i, e) {
		const char *rn = json_string_value(json_object_get(e,
		    "run_name"));
		const char *rt = json_string_value(json_object_get(e,
		    "run_type"));
		json_t *x = json_object_get(e, key);

		if (rn != NULL && !strcmp(rn, run_name) && rt != NULL &&
		    !strcmp(rt, "iteration") && json_is_number(x) && n < 1024)
			v[n++] = json_number_value(x);
	}
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(double), dcmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The cells of the figures row of design d after sec: wakes p50, x best,
 * p99, freed p50, x best, p99 (NaN where "—"). */
static void
figure_cells(const char *sec, const char *d, double c[6])
{
	char key[128], line[512], *tok, *save;
	const char *row;
	int i = -1;

	snprintf(key, sizeof(key), "\n| %s%s |", d, strcmp(d, "native") ?
	    "" : " (reference)");
	row = strstr(strstr(sec, "| design | parent wakes p50 |"), key);
	RT_ASSERTF(row != NULL, "no figures row for %s", d);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(row + 1, "\n"),
	    row + 1);
	for (tok = strtok_r(line, "|", &save); tok != NULL && i < 6;
	    tok = strtok_r(NULL, "|", &save), i++)
		if (i >= 0)
			c[i] = strstr(tok, "—") ? NAN : strtod(tok, NULL);
	RT_EQ(i, 6);
}

/*
 * REPORT.md gives both figures per teardown/storm configuration: the p50
 * and p99 medians over repetitions (µs) and the ratio to the best ranked
 * design, all as computed here from bench.json; and says what each
 * figure and each native row is.
 */
RT_TEST(report_teardown_figures)
{
	char dir[4096], out[4200], logf[4200], err[512], *md;
	char *argv[] = { "report", "--no-plots", "-o", out, TEARDOWN_DATA,
	    NULL };
	static const char *const keys[4] = { "lat_p50_ns", "lat_p99_ns",
	    "freed_p50_ns", "freed_p99_ns" };
	json_t *root = raw_load_from(TEARDOWN_DATA);
	struct report_table *t;
	struct rdir r;
	size_t nt, rows = 0;

	scratch(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/REPORT.md", dir);
	snprintf(logf, sizeof(logf), "%s/log", dir);
	RT_EQ(rt_captured(logf, report_main, 5, argv), 0);
	md = rt_slurp(out);
	RT_ASSERT(strstr(md, "Teardown figures: parent wakes: ") != NULL);
	RT_ASSERT(strstr(md, "; all freed: per round") != NULL);
	RT_ASSERT(strstr(md, "`native` is the real kernel, a reference that "
	    "is not ranked; its rows measure: real processes") != NULL);
	RT_ASSERTF(rdir_load(TEARDOWN_DATA, &r, err, sizeof(err)) == 0, "%s",
	    err);
	report_tables_build(&r, &t, &nt);
	for (size_t j = 0; j < nt; j++) {
		char head[256];
		const char *sec;
		double best[2] = { NAN, NAN };

		if (t[j].tcount > 0)
			snprintf(head, sizeof(head), "#### %s · T:%d · t:%d · "
			    "pin:%s\n", t[j].workload, t[j].tcount,
			    t[j].threads, t[j].pin);
		else
			snprintf(head, sizeof(head), "#### %s · t:%d · pin:%s\n",
			    t[j].workload, t[j].threads, t[j].pin);
		RT_ASSERTF((sec = strstr(md, head)) != NULL, "no %s", head);
		for (size_t k = 0; k < t[j].nrows; k++)
			for (int f = 0; f < 2 && !t[j].rows[k].reference; f++) {
				double m = raw_key_median(root,
				    t[j].rows[k].s->name, keys[2 * f]);

				if (isnan(best[f]) || m < best[f])
					best[f] = m;
			}
		for (size_t k = 0; k < t[j].nrows; k++) {
			const struct report_row *row = &t[j].rows[k];
			double c[6];

			figure_cells(sec, row->s->design, c);
			for (int f = 0; f < 2; f++) {
				double p50 = raw_key_median(root, row->s->name,
				    keys[2 * f]);

				RT_REL(c[3 * f] * 1e3, p50, 0.006);
				RT_REL(c[3 * f + 2] * 1e3, raw_key_median(root,
				    row->s->name, keys[2 * f + 1]), 0.006);
				if (row->reference)
					RT_ASSERT(isnan(c[3 * f + 1]));
				else
					RT_REL(c[3 * f + 1], p50 / best[f],
					    0.006);
			}
			rows++;
		}
	}
	RT_ASSERTF(rows >= 8, "%zu figure rows", rows);
	free(md);
	report_tables_free(t, nt);
	rdir_free(&r);
	json_decref(root);
	rm_rf(dir);
}

/*
 * The pick scores a teardown configuration once on each figure: with
 * teardown alone weighted, the scores are the geometric means over the
 * configurations of best/median of parent wakes p50 and of all freed p50,
 * computed here from bench.json.
 */
RT_TEST(pick_teardown_both_figures)
{
	static const char *const keys[2] = { "lat_p50_ns", "freed_p50_ns" };
	struct rdir r;
	struct report_table *t;
	struct report_check ck;
	struct profile p;
	struct pick pk;
	char err[512], dir[4096], prof[4200];
	json_t *root = raw_load_from(TEARDOWN_DATA);
	const char *cand[8];
	double lsum[8] = { 0 };
	size_t nt, nc = 0, ncfg = 0;

	RT_ASSERTF(rdir_load(TEARDOWN_DATA, &r, err, sizeof(err)) == 0, "%s",
	    err);
	report_check_read(&r, &ck);
	report_tables_build(&r, &t, &nt);
	for (size_t i = 0; i < r.ns; i++) {
		bool seen = false;

		if (report_design_is_reference(r.s[i].design))
			continue;
		for (size_t k = 0; k < nc; k++)
			seen |= !strcmp(cand[k], r.s[i].design);
		if (!seen && nc < 8)
			cand[nc++] = r.s[i].design;
	}
	RT_ASSERT(nc >= 2);
	for (size_t j = 0; j < nt; j++) {
		if (strcmp(t[j].workload, "teardown") ||
		    (ck.bound && t[j].threads > 1))
			continue;
		for (int f = 0; f < 2; f++) {
			double med[8], best = NAN;

			for (size_t i = 0; i < nc; i++) {
				const struct rdir_series *s = rdir_find(&r,
				    "teardown", cand[i], t[j].pin, t[j].threads,
				    t[j].tcount);

				RT_ASSERT(s != NULL);
				med[i] = raw_key_median(root, s->name, keys[f]);
				if (isnan(best) || med[i] < best)
					best = med[i];
			}
			for (size_t i = 0; i < nc; i++)
				lsum[i] += log(best / med[i]);
			ncfg++;
		}
	}
	RT_ASSERT(ncfg >= 2);
	scratch(dir, sizeof(dir));
	snprintf(prof, sizeof(prof), "%s/td.profile", dir);
	write_file(prof, "# test\nabout teardown alone\nteardown 1\n");
	RT_ASSERTF(profile_load(dir, "td", &p, err, sizeof(err)) == 0, "%s",
	    err);
	RT_ASSERTF(pick_compute(&r, &p, &pk, err, sizeof(err)) == 0, "%s",
	    err);
	RT_EQ(pk.nd, nc);
	for (size_t d = 0; d < pk.nd; d++)
		for (size_t i = 0; i < nc; i++)
			if (!strcmp(pk.design[d], cand[i]))
				RT_REL(pk.score[d], exp(lsum[i] /
				    (double)ncfg), 1e-9);
	pick_free(&pk);
	profile_free(&p);
	rm_rf(dir);
	report_tables_free(t, nt);
	json_decref(root);
	rdir_free(&r);
}

/* ---- the pick ----------------------------------------------------------- */

/*
 * With one workload weighted, the winner is the design whose medians are
 * best there (geometric mean over that workload's configurations), and
 * the margin is its ratio to the runner-up, both computed from the JSON.
 */
RT_TEST(pick_single_workload)
{
	struct rdir r;
	struct report_table *t;
	struct profile p;
	struct pick pk;
	char err[512], dir[4096], prof[4200];
	size_t nt;
	json_t *root = raw_load();
	const char *wl = NULL;
	const char *cand[32];
	double lsum[32];
	size_t nc = 0, ncfg = 0;
	struct report_check ck;

	RT_ASSERTF(rdir_load(data_dir(), &r, err, sizeof(err)) == 0,
	    "%s", err);
	report_tables_build(&r, &t, &nt);
	/* The first workload with two or more candidate designs. */
	for (size_t j = 0; j < nt && wl == NULL; j++) {
		size_t c = 0;
		for (size_t k = 0; k < t[j].nrows; k++)
			c += !report_design_is_reference(
			    t[j].rows[k].s->design);
		if (c >= 2)
			wl = t[j].workload;
	}
	RT_ASSERTF(wl != NULL, "smoke data needs a workload with 2 designs");
	report_check_read(&r, &ck);
	for (size_t j = 0; j < nt; j++) {
		if (strcmp(t[j].workload, wl) != 0)
			continue;
		for (size_t k = 0; k < t[j].nrows; k++) {
			const char *d = t[j].rows[k].s->design;
			bool seen = false;
			if (report_design_is_reference(d))
				continue;
			for (size_t i = 0; i < nc; i++)
				seen |= strcmp(cand[i], d) == 0;
			if (!seen) {
				lsum[nc] = 0;
				cand[nc++] = d;
			}
		}
	}
	for (size_t j = 0; j < nt; j++) {
		double med[32], best = NAN;
		bool all = true;

		/* An instrument-bound run's t > 1 is not the pick's. */
		if (strcmp(t[j].workload, wl) != 0 ||
		    (ck.bound && t[j].threads > 1))
			continue;
		for (size_t i = 0; i < nc; i++) {
			const struct rdir_series *s = rdir_find(&r, wl,
			    cand[i], t[j].pin, t[j].threads, t[j].tcount);
			size_t n;

			med[i] = s ? raw_median(root, s->name, wl, &n) : NAN;
			all &= !isnan(med[i]);
			if (!isnan(med[i]) && (isnan(best) ||
			    (higher_better(wl) ? med[i] > best : med[i] < best)))
				best = med[i];
		}
		if (!all)
			continue;
		for (size_t i = 0; i < nc; i++)
			lsum[i] += log(higher_better(wl) ? med[i] / best :
			    best / med[i]);
		ncfg++;
	}
	RT_ASSERT(ncfg >= 1);
	{
		size_t w = 0, ru;

		for (size_t i = 1; i < nc; i++)
			if (lsum[i] > lsum[w])
				w = i;
		ru = w == 0 ? 1 : 0;
		for (size_t i = 0; i < nc; i++)
			if (i != w && lsum[i] > lsum[ru])
				ru = i;
		scratch(dir, sizeof(dir));
		snprintf(prof, sizeof(prof), "%s/one.profile", dir);
		{
			FILE *f = fopen(prof, "w");
			RT_ASSERT(f != NULL);
			fprintf(f, "# test\nabout only %s\n%s 1\n", wl, wl);
			fclose(f);
		}
		RT_ASSERTF(profile_load(dir, "one", &p, err,
		    sizeof(err)) == 0, "%s", err);
		RT_ASSERTF(pick_compute(&r, &p, &pk, err,
		    sizeof(err)) == 0, "%s", err);
		RT_EQ(pk.nd, nc);
		RT_ASSERTF(strcmp(pk.design[0], cand[w]) == 0, "winner %s, "
		    "expected %s", pk.design[0], cand[w]);
		RT_REL(pk.score[0], exp(lsum[w] / (double)ncfg), 1e-9);
		RT_REL(pk.margin + 1, exp((lsum[w] - lsum[ru]) /
		    (double)ncfg), 1e-9);
		RT_ASSERT(pk.p_keep >= 0 && pk.p_keep <= 1);
		RT_ASSERT(pk.margin_ci.lo <= pk.margin_ci.hi);
		pick_free(&pk);
		profile_free(&p);
		rm_rf(dir);
	}
	report_tables_free(t, nt);
	json_decref(root);
	rdir_free(&r);
}

/*
 * Open a synthetic bench.json in folder dir: its context (host, plus
 * ctx_fmt's keys, each with a leading comma) and the benchmarks array's
 * opening; synth_bench_close ends both.
 */
static FILE *
synth_bench_open(const char *dir, const char *ctx_fmt, ...)
{
	char path[4300];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench.json", dir);
	f = fopen(path, "w");
	RT_ASSERT(f != NULL);
	fprintf(f, "{\"context\":{\"host_name\":\"synthetic\"");
	va_start(ap, ctx_fmt);
	vfprintf(f, ctx_fmt, ap);
	va_end(ap);
	fprintf(f, "},\"benchmarks\":[\n");
	return f;
}

static void
synth_bench_close(FILE *f)
{
	fprintf(f, "]}\n");
	RT_ASSERT(fclose(f) == 0);
}

/* One repetition entry of a synthetic bench.json. */
static void
synth_rep(FILE *f, bool *first, const char *name, int rep, double ips)
{
	fprintf(f, "%s{\"name\":\"%s\",\"run_name\":\"%s\",\"run_type\":"
	    "\"iteration\",\"repetitions\":6,\"repetition_index\":%d,"
	    "\"threads\":1,\"iterations\":100,\"real_time\":%g,\"cpu_time\":"
	    "%g,\"time_unit\":\"ns\",\"items_per_second\":%.17g}\n",
	    *first ? "" : ",", name, name, rep, 1e9 / ips, 1e9 / ips, ips);
	*first = false;
}

/*
 * Known answers: design a is 2x better than b on w1, b is 1.5x better on
 * w2, weights 1 and 1.  Score ratio a/b = sqrt(2 / 1.5); b would win if
 * w2's weight rose above ln 2 / ln 1.5 = 1.7095, or if w1's fell below
 * ln 1.5 / ln 2 = 0.58496.  Six tight repetitions make it decisive.
 */
RT_TEST(pick_known_answers)
{
	char dir[4096], path[4200], logf[4200];
	struct rdir r;
	struct profile p;
	struct pick pk;
	char err[512], *txt;
	bool first = true;
	FILE *f;

	scratch(dir, sizeof(dir));
	mark_complete(dir);
	f = synth_bench_open(dir, ",\"num_cpus\":2,\"pmu_available\":false");
	for (int i = 0; i < 6; i++) {
		double j = 1 + 0.001 * i;	/* no ties, tiny spread */
		synth_rep(f, &first, "w1/a/t:1/pin:none", i, 2e6 * j);
		synth_rep(f, &first, "w1/b/t:1/pin:none", i, 1e6 * j);
		synth_rep(f, &first, "w2/a/t:1/pin:none", i, 1e6 * j);
		synth_rep(f, &first, "w2/b/t:1/pin:none", i, 1.5e6 * j);
		synth_rep(f, &first, "w2/native/t:1/pin:none", i, 9e6 * j);
	}
	synth_bench_close(f);
	snprintf(path, sizeof(path), "%s/test.profile", dir);
	write_file(path, "about two workloads\nw1 1\nw2 1 # equal\nw3 2\n");

	RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s",
	    err);
	RT_ASSERTF(profile_load(dir, "test", &p, err, sizeof(err)) == 0,
	    "%s", err);
	RT_ASSERTF(pick_compute(&r, &p, &pk, err, sizeof(err)) == 0,
	    "%s", err);
	RT_EQ(pk.nd, 2);		/* native is not a candidate */
	RT_ASSERT(strcmp(pk.design[0], "a") == 0);
	RT_REL(pk.margin + 1, sqrt(2 / 1.5), 1e-9);
	RT_REL(pk.score[0], 1 / sqrt(1.5), 1e-9);
	RT_ASSERT(pk.margin_ci.lo > 0);
	RT_ASSERT(pk.p_keep == 1);
	RT_EQ(pk.nw, 2);
	RT_EQ(pk.nmissing, 1);		/* w3 is not in the data */
	RT_ASSERT(strcmp(pk.missing[0], "w3") == 0);
	RT_ASSERT(strcmp(pk.flip[0].workload, "w1") == 0);
	RT_ASSERT(strcmp(pk.flip[0].rival, "b") == 0);
	RT_ASSERT(!pk.flip[0].above);
	RT_REL(pk.flip[0].at, log(1.5) / log(2), 1e-9);
	RT_ASSERT(strcmp(pk.flip[1].rival, "b") == 0);
	RT_ASSERT(pk.flip[1].above);
	RT_REL(pk.flip[1].at, log(2) / log(1.5), 1e-9);
	pick_free(&pk);
	profile_free(&p);
	rdir_free(&r);

	/* The command prints the decision with its margin. */
	{
		char *argv[] = { "pick", dir, "--profile", "test",
		    "--profiles-dir", dir, NULL };

		snprintf(logf, sizeof(logf), "%s/out", dir);
		RT_EQ(rt_captured(logf, pick_main, 6, argv), 0);
		txt = rt_slurp(logf);
		RT_ASSERTF(strstr(txt, "Winner: a, ahead of b by 15.5%") !=
		    NULL, "%s", txt);
		RT_ASSERT(strstr(txt, "b would win if it rose above 1.71")
		    != NULL);
		RT_ASSERT(strstr(txt, "w3 was not measured") != NULL);
		free(txt);
	}
	rm_rf(dir);
}

/* A folder of a and b on w1 at t:1 and t:2, reps repetitions, and a
 * harness check of efficiency eff (NAN: no check, as older runs) where
 * the machine alone scaled mratio. */
static void
synth_checked(const char *dir, int reps, double eff, double mratio)
{
	char path[4200];
	bool first = true;
	FILE *f;

	f = isnan(eff) ? synth_bench_open(dir, ",\"num_cpus\":2") :
	    synth_bench_open(dir, ",\"num_cpus\":2,\"%s\":\"2\",\"%s\":\"%.3f\",\"%s\":\"%.3f\","
		    "\"%s\":\"%s\",\"%s\":\"t:1 100.0, t:2 x\","
		    "\"%s\":\"%.3f\"",
		    BENCH_CTX(BC_CHECK_THREADS), BENCH_CTX(BC_CHECK_RATIO),
		    mratio * eff, BENCH_CTX(BC_CHECK_EFFICIENCY), eff,
		    BENCH_CTX(BC_CHECK_VERDICT), bench_check_verdict(eff, 2),
		    BENCH_CTX(BC_CHECK_NS), BENCH_CTX(BC_CHECK_MACHINE_RATIO),
		    mratio);
	for (int i = 0; i < reps; i++) {
		double j = 1 + 0.001 * i;

		synth_rep(f, &first, "w1/a/t:1/pin:none", i, 2e6 * j);
		synth_rep(f, &first, "w1/b/t:1/pin:none", i, 1e6 * j);
		synth_rep(f, &first, "w1/a/t:2/pin:none", i, 3e6 * j);
		synth_rep(f, &first, "w1/b/t:2/pin:none", i, 4e6 * j);
	}
	synth_bench_close(f);
	snprintf(path, sizeof(path), "%s/test.profile", dir);
	write_file(path, "about one workload\nw1 1\n");
}

/* REPORT.md of dir with its profile; the text (free it). */
static char *
synth_report(const char *dir)
{
	struct report_table *t;
	struct rdir r;
	char err[512], out[4200];
	size_t nt;
	char *txt;

	RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s", err);
	report_tables_build(&r, &t, &nt);
	snprintf(out, sizeof(out), "%s/REPORT.md", dir);
	RT_ASSERTF(report_md_write(&r, t, nt, out, dir, err, sizeof(err)) ==
	    0, "%s", err);
	report_tables_free(t, nt);
	rdir_free(&r);
	txt = rt_slurp(out);
	return txt;
}

/*
 * The pick's refusals: an instrument-bound run's t:2 configurations are
 * left out (a wins at t:1, b would at t:2), fewer than PICK_MIN_REPS
 * repetitions give no recommendation; REPORT.md opens with the check's
 * verdict and the decision before the details.
 */
RT_TEST(pick_refuses_and_report_opens)
{
	static const double effs[] = { 0.5, 0.95, NAN };
	char dir[4096], err[512], *txt, *rec, *det;
	struct rdir r;
	struct profile p;
	struct pick pk;

	for (int k = 0; k < 3; k++) {
		scratch(dir, sizeof(dir));
		synth_checked(dir, 6, effs[k], 2.0);
		RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s", err);
		RT_ASSERT(profile_load(dir, "test", &p, err, sizeof(err)) == 0);
		RT_ASSERTF(pick_compute(&r, &p, &pk, err, sizeof(err)) == 0,
		    "%s", err);
		RT_EQ(pk.refused_bound, k == 0 ? 1 : 0);
		RT_EQ(pk.refused_reps, 0);
		/* Bound: t:1 alone, a by 2x; else t:2 too: sqrt(2 * 4/3). */
		RT_ASSERT(strcmp(pk.design[0], "a") == 0);
		RT_REL(pk.margin + 1, k == 0 ? 2 : sqrt(2 / (4.0 / 3)), 1e-9);
		pick_free(&pk);
		profile_free(&p);
		rdir_free(&r);
		txt = synth_report(dir);
		RT_ASSERTF(strncmp(strchr(txt, '\n') + 2, k == 0 ?
		    "**Instrument-bound run.**" : k == 1 ?
		    "**Harness check: ok.**" : "**Harness check: none.**",
		    20) == 0, "%s", txt);
		/* the words whole, the machine's ratio in them */
		RT_ASSERTF(k == 2 || strstr(txt, "scales 2.00×: ") != NULL,
		    "%s", txt);
		RT_ASSERTF(k == 2 || strstr(txt, "of what the machine gives "
		    "(at most linear)") != NULL, "%s", txt);
		RT_ASSERT(strstr(txt, "did not scale") == NULL);
		rec = strstr(txt, "## Recommendation");
		det = strstr(txt, "## Details");
		RT_ASSERT(rec != NULL && det != NULL && rec < det);
		RT_ASSERT(strstr(rec, "- **test**: ship a") == rec + 19);
		free(txt);
		rm_rf(dir);
	}
	scratch(dir, sizeof(dir));
	synth_checked(dir, PICK_MIN_REPS - 1, 0.95, 2.0);
	RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s", err);
	RT_ASSERT(profile_load(dir, "test", &p, err, sizeof(err)) == 0);
	RT_EQ(pick_compute(&r, &p, &pk, err, sizeof(err)), -1);
	RT_ASSERTF(strstr(err, "too few repetitions") != NULL, "%s", err);
	RT_EQ(pk.refused_reps, 2);
	pick_free(&pk);
	profile_free(&p);
	rdir_free(&r);
	txt = synth_report(dir);
	RT_ASSERTF(strstr(txt, "- **test**: no decision: too few "
	    "repetitions") != NULL, "%s", txt);
	RT_ASSERT(strstr(txt, "**Instrument cost: not measured**") != NULL);
	free(txt);
	rm_rf(dir);
}

/* A check that passes on a machine that did not scale (1.2× at t:2)
 * says so under the verdict: its "ok" is relative to a loaded machine. */
RT_TEST(report_warns_machine_did_not_scale)
{
	char dir[4096], *txt, *warn;

	scratch(dir, sizeof(dir));
	synth_checked(dir, 6, 0.95, 1.2);
	txt = synth_report(dir);
	RT_ASSERTF(strncmp(strchr(txt, '\n') + 2, "**Harness check: ok.**",
	    20) == 0, "%s", txt);
	warn = strstr(txt, "**The machine did not scale during this run:** "
	    "floor's allocation work alone went 1.20× from 1 to 2 threads "
	    "(below 90% of linear)");
	RT_ASSERTF(warn != NULL && warn < strstr(txt, "## Recommendation"),
	    "%s", txt);
	free(txt);
	rm_rf(dir);
}

/* A churn_private entry with ns_per_lifecycle ns. */
static void
synth_churn(FILE *f, bool *first, const char *d, int rep, double ns)
{
	fprintf(f, "%s{\"name\":\"churn_private/%s/t:1/pin:compact\","
	    "\"run_name\":\"churn_private/%s/t:1/pin:compact\",\"run_type\":"
	    "\"iteration\",\"repetitions\":5,\"repetition_index\":%d,"
	    "\"threads\":1,\"iterations\":100,\"real_time\":%g,\"cpu_time\":"
	    "%g,\"time_unit\":\"ns\",\"items_per_second\":%g,"
	    "\"ns_per_lifecycle\":%g}\n", *first ? "" : ",", d, d, rep, ns, ns,
	    1e9 / ns, ns);
	*first = false;
}

/* The instrument's cost: each design's time with the accounting (the
 * folder) against without (its noacct/latest), as a share of the first. */
RT_TEST(report_instrument_cost)
{
	char dir[4096], path[4300], *txt;
	static const char *const sub[] = { "", "/noacct",
	    "/noacct/latest" };
	FILE *f;

	scratch(dir, sizeof(dir));
	for (int k = 0; k < 3; k += 2) {
		bool first = true;

		for (int m = 0; m <= k; m++) {
			snprintf(path, sizeof(path), "%s%s", dir, sub[m]);
			mkdir(path, 0755);
		}
		f = synth_bench_open(path, "");
		for (int i = 0; i < 5; i++) {
			synth_churn(f, &first, "hybrid", i, (k ? 80 : 100) + i);
			synth_churn(f, &first, "netbsd", i, (k ? 150 : 200) + i);
		}
		synth_bench_close(f);
	}
	txt = synth_report(dir);
	RT_ASSERTF(strstr(txt, "| hybrid | churn_private | 1 | compact | "
	    "102.0 | 82.0 | +19.6% |") != NULL, "%s", txt);
	RT_ASSERT(strstr(txt, "| netbsd | churn_private | 1 | compact | "
	    "202.0 | 152.0 | +24.8% |") != NULL);
	RT_ASSERT(strstr(txt, "## The instrument's cost") <
	    strstr(txt, "## Details"));
	free(txt);
	rm_rf(dir);
}

/* One repetition of benchmark `name`: ns per lifecycle, or skipped (ns 0:
 * an error entry, as the full matrix's oversubscribed point is). */
static void
synth_named(FILE *f, bool *first, const char *name, int rep, double ns)
{
	if (ns > 0)
		fprintf(f, "%s{\"name\":\"%s\",\"run_name\":\"%s\",\"run_type\":"
		    "\"iteration\",\"repetitions\":5,\"repetition_index\":%d,"
		    "\"threads\":1,\"iterations\":100,\"real_time\":%g,"
		    "\"cpu_time\":%g,\"time_unit\":\"ns\",\"items_per_second\":"
		    "%g,\"ns_per_lifecycle\":%g}\n", *first ? "" : ",", name,
		    name, rep, ns, ns, 1e9 / ns, ns);
	else
		fprintf(f, "%s{\"name\":\"%s\",\"run_name\":\"%s\",\"run_type\":"
		    "\"iteration\",\"repetitions\":5,\"repetition_index\":%d,"
		    "\"threads\":1,\"iterations\":1,\"real_time\":0,"
		    "\"cpu_time\":0,\"time_unit\":\"ns\",\"error_occurred\":true,"
		    "\"error_message\":\"skipped: oversubscribed\"}\n",
		    *first ? "" : ",", name, name, rep);
	*first = false;
}

/* Exit work: the headline configuration is one that was measured (t:4,
 * skipped at every multiple, is passed over for t:1), and the winner at
 * each multiple is the fastest ranked design there. */
RT_TEST(report_exit_work_headline_measured)
{
	static const char *const lv[3] = { "w:0x/", "", "w:10x/" };
	char dir[4096], name[128], *txt;
	bool first = true;
	FILE *f;

	scratch(dir, sizeof(dir));
	f = synth_bench_open(dir, "");
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "churn_private/hybrid/t:1/"
			    "%spin:compact", lv[k]);
			synth_named(f, &first, name, i, (k == 2 ? 900 : 100) + i);
			snprintf(name, sizeof(name), "churn_private/netbsd/t:1/"
			    "%spin:compact", lv[k]);
			synth_named(f, &first, name, i, 200 + 100 * k + i);
			snprintf(name, sizeof(name), "churn_private/hybrid/t:4/"
			    "%spin:compact", lv[k]);
			synth_named(f, &first, name, i, 0);
		}
	synth_bench_close(f);
	txt = synth_report(dir);
	RT_ASSERTF(strstr(txt, "**churn_private**, t:1 · pin:compact") != NULL,
	    "%s", strstr(txt, "## Exit work") ? strstr(txt, "## Exit work") :
	    txt);
	RT_ASSERT(strstr(txt, "**churn_private**, t:4") == NULL);
	RT_ASSERT(strstr(txt, "| 0× | hybrid |") != NULL &&
	    strstr(txt, "| 10× | netbsd |") != NULL);
	RT_ASSERT(strstr(txt, "The winner moves: hybrid at 0×, netbsd at 10×")
	    != NULL);
	/* The skipped go by reason, one line for the three. */
	RT_ASSERTF(strstr(txt, "- 3 not run, skipped: oversubscribed (e.g. "
	    "`churn_private/hybrid/t:4/") != NULL, "%s", strstr(txt,
	    "## Failed") ? strstr(txt, "## Failed") : txt);
	free(txt);
	rm_rf(dir);
}

/* The Machine section counts threads off their planned PU; pins.tsv's
 * percpu rows are memory blocks (seen -1), not threads off their PU. */
RT_TEST(report_pins_count_threads_not_blocks)
{
	char dir[4096], path[4300], *txt;
	bool first = true;
	FILE *f;

	scratch(dir, sizeof(dir));
	f = synth_bench_open(dir, "");
	for (int i = 0; i < 5; i++)
		synth_churn(f, &first, "hybrid", i, 100 + i);
	synth_bench_close(f);
	snprintf(path, sizeof(path), "%s/pins.tsv", dir);
	RT_ASSERT((f = fopen(path, "w")) != NULL);
	fprintf(f, "# benchmark\trole\tmodel_cpu\tplanned_pu\tseen_pu\tnode\n"
	    "churn_private/hybrid/t:1/pin:compact\tworker\t0\t0\t0\t0\n"
	    "churn_private/hybrid/t:1/pin:compact\tleader\t-1\t1\t0\t0\n"
	    "churn_private/hybrid/t:1/pin:compact\tpercpu\t0\t0\t-1\t0\n");
	RT_ASSERT(fclose(f) == 0);
	txt = synth_report(dir);
	RT_ASSERTF(strstr(txt, "2 threads recorded, 2 bound, 1 of them seen "
	    "on a PU other than planned") != NULL, "%s", txt);
	free(txt);
	rm_rf(dir);
}

/* The check's words with the machine's own ratio fit whole in the
 * report's first lines (they were cut at 160 bytes). */
RT_TEST(report_check_words_whole)
{
	struct report_check c = { .present = true, .threads = 2,
	    .ratio = 1.72, .eff = 0.925, .mratio = 1.86 };
	char w[320];

	report_check_words(&c, w, sizeof(w));
	RT_ASSERTF(strstr(w, "scales 1.72× from 1 to 2 threads, where the "
	    "machine alone") != NULL && strstr(w, "scales 1.86×: 92% of what "
	    "the machine gives (at most linear)") != NULL, "%s", w);
	RT_ASSERT(strlen(w) < 200);
	c.mratio = NAN;
	report_check_words(&c, w, sizeof(w));
	RT_ASSERTF(strstr(w, "92% of linear") != NULL, "%s", w);
}

RT_TEST(profiles_shipped)
{
	static const char *const names[] = { "server", "hpc", "desktop" };
	struct profile p;
	char err[512];

	for (int i = 0; i < 3; i++) {
		RT_ASSERTF(profile_load("report/profiles", names[i], &p, err,
		    sizeof(err)) == 0, "%s", err);
		RT_ASSERT(p.n >= 3);
		RT_ASSERT(*p.about != '\0');
		profile_free(&p);
	}
}

RT_TEST(profile_errors)
{
	char dir[4096], path[4200], err[512];
	struct profile p;

	scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/bad.profile", dir);
	write_file(path, "churn_shared 1\njoin lots\n");
	RT_EQ(profile_load(dir, "bad", &p, err, sizeof(err)), -1);
	RT_ASSERTF(strstr(err, "bad.profile:2:") != NULL, "%s", err);
	profile_free(&p);
	write_file(path, "churn_shared 0\n");
	RT_EQ(profile_load(dir, "bad", &p, err, sizeof(err)), -1);
	RT_ASSERTF(strstr(err, "no workload has a positive weight"), "%s",
	    err);
	profile_free(&p);
	write_file(path, "join 1\nstorm 2\n  join 3 # again\n");
	RT_EQ(profile_load(dir, "bad", &p, err, sizeof(err)), -1);
	RT_ASSERTF(strstr(err, "bad.profile:3: workload join weighed twice"),
	    "%s", err);
	profile_free(&p);
	write_file(path, "join 1e300\n");
	RT_EQ(profile_load(dir, "bad", &p, err, sizeof(err)), -1);
	RT_ASSERTF(strstr(err, "bad.profile:1:"), "%s", err);
	profile_free(&p);
	RT_EQ(profile_load(dir, "nosuch", &p, err, sizeof(err)), -1);
	RT_ASSERT(strstr(err, "No such file") != NULL);
	profile_free(&p);
	rm_rf(dir);
}

/* ---- the results schema ---------------------------------------------- */

static bool
entry_field(const char *k)
{
	for (int i = 0; bench_entry_fields[i] != NULL; i++)
		if (strcmp(k, bench_entry_fields[i]) == 0)
			return true;
	return false;
}

/*
 * The reader knows every key the recorded writer wrote: each value of an
 * entry is a key of bench_schema.c, the reader finds it through its enum,
 * each workload is in the table, each key of env.json is known.
 * (tests/test_bench checks a live run both ways.)
 */
RT_TEST(recorded_keys_known_to_schema)
{
	json_t *root = raw_load(), *e, *v, *env;
	struct rdir r;
	char err[512], path[4200];
	const char *k;
	size_t i, n = 0;
	json_error_t je;

	RT_ASSERTF(rdir_load(data_dir(), &r, err, sizeof(err)) == 0, "%s",
	    err);
	json_array_foreach(json_object_get(root, "benchmarks"), i, e) {
		const char *rn = json_string_value(json_object_get(e,
		    "run_name"));
		const struct rdir_series *s = NULL;

		for (size_t j = 0; j < r.ns && rn != NULL; j++)
			if (strcmp(r.s[j].name, rn) == 0)
				s = &r.s[j];
		if (s == NULL)
			continue;	/* empty */
		RT_ASSERTF(bench_workload_find(s->workload) != NULL,
		    "%s: workload not in bench_schema.c", rn);
		json_object_foreach(e, k, v) {
			const struct bench_key_info *ki = bench_key_find(k);

			if (entry_field(k))
				continue;
			RT_ASSERTF(ki != NULL, "%s: %s not in bench_schema.c",
			    rn, k);
			if (json_is_number(v))
				RT_ASSERTF(rdir_values(s, (enum bench_key)(ki -
				    bench_keys)) != NULL, "%s: %s unread", rn,
				    k);
			n++;
		}
	}
	RT_ASSERT(n > 0);
	snprintf(path, sizeof(path), "%s/%s", data_dir(), BENCH_FILE_ENV);
	env = json_load_file(path, 0, &je);
	RT_ASSERTF(env != NULL, "%s: %s", path, je.text);
	json_object_foreach(env, k, v)
		RT_ASSERTF(bench_ctx_find(k) != NULL, "env.json: %s not in "
		    "bench_schema.c", k);
	/* Names are unique: a lookup finds the entry itself. */
	for (int j = 0; j < BK_NKEYS; j++)
		RT_ASSERT(bench_key_find(bench_keys[j].name) == &bench_keys[j]);
	for (int j = 0; j < BC_NCTX; j++)
		RT_ASSERT(bench_ctx_find(bench_ctx_keys[j].name) ==
		    &bench_ctx_keys[j]);
	json_decref(env);
	json_decref(root);
	rdir_free(&r);
}

/* ---- broken folders ----------------------------------------------------- */

/*
 * A folder without BENCH_FILE_COMPLETE (a run killed or still running)
 * is refused by report (also as a baseline) and pick: one line, exit 1,
 * nothing written into it; however sound its bench.json.
 */
RT_TEST(incomplete_folder_refused)
{
	char dir[4096], logf[4200], path[4200], *txt;
	char *rargv[] = { "report", "--no-plots", dir, NULL };
	char *bargv[] = { "report", "--baseline", dir, (char *)data_dir(),
	    "-o", path, NULL };
	char *pargv[] = { "pick", dir, "--profile", "server", NULL };
	struct stat st;

	scratch(dir, sizeof(dir));
	copy_dir(data_dir(), dir);
	snprintf(path, sizeof(path), "%s/%s", dir, BENCH_FILE_COMPLETE);
	RT_EQ(unlink(path), 0);
	snprintf(logf, sizeof(logf), "%s.log", dir);
	snprintf(path, sizeof(path), "%s.md", dir);
	for (int i = 0; i < 3; i++) {
		RT_EQ(i == 0 ? rt_captured(logf, report_main, 3, rargv) : i == 1 ?
		    rt_captured(logf, report_main, 6, bargv) :
		    rt_captured(logf, pick_main, 4, pargv), 2);
		txt = rt_slurp(logf);
		RT_ASSERTF(strstr(txt, "incomplete results folder") != NULL &&
		    strchr(txt, '\n') == txt + strlen(txt) - 1, "%s said: %s",
		    i == 2 ? "pick" : "report", txt);
		free(txt);
	}
	RT_ASSERT(stat(path, &st) != 0);
	snprintf(path, sizeof(path), "%s/REPORT.md", dir);
	RT_ASSERT(stat(path, &st) != 0);
	unlink(logf);
	rm_rf(dir);
}

/* Load must fail with a one-line message containing `want`; report and
 * pick must exit 2 with it (bad input) and write nothing. */
static void
expect_broken(const char *dir, const char *want)
{
	struct rdir r;
	char err[1024], logf[4200], *txt;
	char *rargv[] = { "report", "--no-plots", (char *)dir, NULL };
	char *pargv[] = { "pick", (char *)dir, "--profile", "server", NULL };
	struct stat st;
	char scratchdir[4096];

	RT_EQ(rdir_load(dir, &r, err, sizeof(err)), -1);
	RT_ASSERTF(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	RT_ASSERT(strchr(err, '\n') == NULL);
	rdir_free(&r);
	scratch(scratchdir, sizeof(scratchdir));
	snprintf(logf, sizeof(logf), "%s/log", scratchdir);
	RT_EQ(rt_captured(logf, report_main, 3, rargv), 2);
	txt = rt_slurp(logf);
	RT_ASSERTF(strncmp(txt, "reapbench report: ", 18) == 0 &&
	    strstr(txt, want) != NULL && strchr(txt, '\n') ==
	    txt + strlen(txt) - 1, "report said: %s", txt);
	free(txt);
	RT_EQ(rt_captured(logf, pick_main, 4, pargv), 2);
	txt = rt_slurp(logf);
	RT_ASSERTF(strstr(txt, want) != NULL, "pick said: %s", txt);
	free(txt);
	snprintf(logf, sizeof(logf), "%s/REPORT.md", dir);
	RT_ASSERT(stat(logf, &st) != 0);
	rm_rf(scratchdir);
}

RT_TEST(broken_folders)
{
	char dir[4096], path[4200], nodir[4200];
	char *json, cut[4200];
	FILE *f;

	scratch(dir, sizeof(dir));
	snprintf(nodir, sizeof(nodir), "%s/nonexistent", dir);
	expect_broken(nodir, "not a results folder");
	/* The rest are complete folders broken otherwise. */
	mark_complete(dir);
	expect_broken(dir, "bench.json: No such file");
	/* A real file cut in half. */
	snprintf(cut, sizeof(cut), "%s/bench.json", data_dir());
	json = rt_slurp(cut);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	f = fopen(path, "w");
	RT_ASSERT(f != NULL);
	fwrite(json, 1, strlen(json) / 2, f);
	fclose(f);
	free(json);
	expect_broken(dir, "corrupt JSON at line");
	write_file(path, "");
	expect_broken(dir, "corrupt JSON");
	write_file(path, "[1, 2]\n");
	expect_broken(dir, "not a Google Benchmark JSON object");
	write_file(path, "{\"context\": {}}\n");
	expect_broken(dir, "no \"benchmarks\" array");
	write_file(path, "{\"benchmarks\": [{\"name\": \"BM_foo\", "
	    "\"run_type\": \"iteration\", \"real_time\": 1}, 7, null]}\n");
	expect_broken(dir, "no reapbench benchmarks");
	/* Wrong types inside entries are skipped, not dereferenced. */
	write_file(path, "{\"context\": [], \"benchmarks\": [{\"name\": 5}, "
	    "{\"run_name\": \"w/d/t:1/pin:x\", \"run_type\": \"iteration\","
	    " \"real_time\": \"fast\", \"time_unit\": 3, "
	    "\"items_per_second\": null}]}\n");
	{
		struct rdir r;
		char err[512];

		RT_EQ(rdir_load(dir, &r, err, sizeof(err)), 0);
		RT_EQ(r.ns, 1);
		RT_ASSERT(isnan(r.s[0].real_ns[0]));
		rdir_free(&r);
	}
	/* Names that are not plain words are not reapbench's: skipped, so
	 * they never reach file names or gnuplot scripts. */
	write_file(path, "{\"benchmarks\": [{\"run_name\": \"w/d/t:1/pin:x\","
	    " \"run_type\": \"iteration\", \"real_time\": 5}, {\"run_name\":"
	    " \"w/x';system('id');'/t:1\", \"real_time\": 5}, {\"run_name\":"
	    " \"w/d/t:2/pin:a b\", \"real_time\": 5}]}\n");
	{
		struct rdir r;
		char err[512];

		RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0,
		    "%s", err);
		RT_EQ(r.ns, 1);
		RT_EQ(r.skipped, 2);
		rdir_free(&r);
	}
	/* Google Benchmark's bare NaN/inf (not JSON) read as missing. */
	write_file(path, "{\"benchmarks\": [{\"run_name\": \"w/d/t:1/pin:x\","
	    " \"run_type\": \"iteration\", \"real_time\": 5, "
	    "\"time_unit\": \"us\", \"a\": NaN, \"b\": -inf, "
	    "\"label\": \"NaN, inf\"},\n{\"run_name\": \"w/d/t:1/pin:x\", "
	    "\"run_type\": \"aggregate\", \"aggregate_name\": \"cv\", "
	    "\"real_time\": NaN}]}\n");
	{
		struct rdir r;
		char err[512];

		RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0,
		    "%s", err);
		RT_EQ(r.ns, 1);
		RT_EQ(r.s[0].nrep, 1);
		RT_NEAR(r.s[0].real_ns[0], 5000, 0);
		RT_ASSERT(rdir_counter(&r.s[0], "a") == NULL);
		RT_ASSERT(rdir_counter(&r.s[0], "b") == NULL);
		rdir_free(&r);
	}
	rm_rf(dir);
}

/* Replace DIR/name with text, expect load to fail with `want`, put the
 * original back. */
static void
expect_broken_file(const char *dir, const char *name, const char *text,
    const char *want)
{
	char path[4400], *orig;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	orig = rt_slurp(path);
	write_file(path, text);
	expect_broken(dir, want);
	write_file(path, orig);
	free(orig);
}

/* Every file of the folder is read and checked, not only bench.json. */
RT_TEST(broken_folder_files)
{
	char dir[4096], path[4400], want[4600];
	struct rdir r;
	char err[1024];
	size_t indexed = 0;

	scratch(dir, sizeof(dir));
	copy_dir(data_dir(), dir);
	RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s", err);
	RT_ASSERT(r.npins > 0);
	RT_ASSERT(rdir_ctx(&r, BC_BENCHMARKS_RUN, NULL) != NULL);
	for (size_t i = 0; i < r.ns; i++)
		if (r.s[i].lat_path != NULL) {
			RT_ASSERT(r.s[i].ncdf > 0 && r.s[i].lat_samples > 0);
			RT_ASSERT(r.s[i].cdf[r.s[i].ncdf - 1].frac > 0.999);
			indexed++;
		}
	RT_ASSERT(indexed > 0);
	snprintf(path, sizeof(path), "latency/%s",
	    strrchr(r.s[0].lat_path, '/') + 1);
	rdir_free(&r);

	expect_broken_file(dir, "env.json", "{\"a\": [1,\n", "env.json: "
	    "corrupt JSON at line");
	expect_broken_file(dir, "env.json", "[]", "env.json: not a JSON "
	    "object");
	expect_broken_file(dir, "pins.tsv", "# h\nb/d/t:1\tworker\t0\t1\n",
	    "pins.tsv:2: 4 fields, expected 5");
	expect_broken_file(dir, "pins.tsv", "b\tworker\t0\tx\t1\n",
	    "pins.tsv:1: model_cpu, planned_pu, seen_pu and node");
	{
		static const char nul[] = "b\tw\t0\t1\t1\0x\n";
		char pins[4400], *orig;
		FILE *f;

		snprintf(pins, sizeof(pins), "%s/pins.tsv", dir);
		orig = rt_slurp(pins);
		f = fopen(pins, "w");
		RT_ASSERT(f != NULL);
		fwrite(nul, 1, sizeof(nul) - 1, f);
		RT_ASSERT(fclose(f) == 0);
		expect_broken(dir, "pins.tsv: a NUL byte at offset 9");
		write_file(pins, orig);
		free(orig);
	}
	expect_broken_file(dir, "latency/index.tsv", "# h\nx\t../../etc/"
	    "passwd\t3\n", "index.tsv:2: file name '../../etc/passwd' is "
	    "not a plain name");
	expect_broken_file(dir, "latency/index.tsv", "x\ty.dat\t-1\n",
	    "index.tsv:1: samples '-1'");
	snprintf(want, sizeof(want), "%s:3: expected \"upper_bound_ns "
	    "cumulative_fraction\"", path);
	expect_broken_file(dir, path, "# a\n10 0.5\n9 0.7\n", want);
	snprintf(want, sizeof(want), "%s: no points", path);
	expect_broken_file(dir, path, "# nothing\n", want);
	RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s", err);
	rdir_free(&r);
	rm_rf(dir);
}

/* ---- comparing runs and plots ------------------------------------------- */

RT_TEST(baseline_self)
{
	char dir[4096], out[4200], logf[4200], *md;
	char *argv[] = { "report", "--baseline", (char *)data_dir(),
	    (char *)data_dir(), "-o", out, NULL };

	scratch(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/COMPARE.md", dir);
	snprintf(logf, sizeof(logf), "%s/log", dir);
	RT_EQ(rt_captured(logf, report_main, 6, argv), 0);
	md = rt_slurp(out);
	/* A run against itself: every ratio 1, nothing significant. */
	RT_ASSERT(strstr(md, "| 1.000 |") != NULL);
	RT_ASSERT(strstr(md, "significant (") == NULL);
	RT_ASSERT(strstr(md, "ratio new/base") != NULL);
	free(md);
	rm_rf(dir);
}

static bool
is_png(const char *path)
{
	unsigned char sig[8] = { 0 };
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return false;
	RT_EQ(fread(sig, 1, 8, f), 8);
	fclose(f);
	return memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0;
}

RT_TEST(plots_drawn)
{
	char dir[4096], logf[4200], path[4400], *md;
	char *argv[] = { "report", "--gp-dir", "plots", dir, NULL };
	struct rdir r;
	char err[512];
	DIR *dp;
	struct dirent *de;
	size_t png = 0, svg = 0;

	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		/* Not a pass by default: say so where CI shows it. */
		RT_ASSERTF(0, "gnuplot not installed (scripts/install-deps)");
	}
	scratch(dir, sizeof(dir));
	copy_dir(data_dir(), dir);
	snprintf(logf, sizeof(logf), "%s.log", dir);
	RT_EQ(rt_captured(logf, report_main, 4, argv), 0);
	unlink(logf);
	snprintf(path, sizeof(path), "%s/plots", dir);
	dp = opendir(path);
	RT_ASSERT(dp != NULL);
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".png") == 0) {
			char p2[4700];
			snprintf(p2, sizeof(p2), "%s/%s", path, de->d_name);
			RT_ASSERTF(is_png(p2), "%s is not a PNG", p2);
			png++;
		}
		if (l > 4 && strcmp(de->d_name + l - 4, ".svg") == 0)
			svg++;
	}
	closedir(dp);
	RT_ASSERT(png >= 3);
	RT_EQ(png, svg);
	/* One sweep, counter and zombie plot exist for the first series. */
	RT_ASSERTF(rdir_load(dir, &r, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "%s/plots/counters-%s-%s.png", dir,
	    r.s[0].workload, r.s[0].pin);
	RT_ASSERTF(is_png(path), "missing %s", path);
	snprintf(path, sizeof(path), "%s/plots/zombies-%s.png", dir,
	    r.s[0].pin);
	RT_ASSERTF(is_png(path), "missing %s", path);
	/* REPORT.md embeds what was drawn. */
	snprintf(path, sizeof(path), "%s/REPORT.md", dir);
	md = rt_slurp(path);
	snprintf(path, sizeof(path), "](plots/counters-%s-%s.png)",
	    r.s[0].workload, r.s[0].pin);
	RT_ASSERT(strstr(md, path) != NULL);
	free(md);
	rdir_free(&r);
	rm_rf(dir);
}

int
main(int c, char **v)
{
	return rt_main(c, v);
}
