/*
 * test_report_hosts.c - emulated timings, NUMA and one report across
 * hosts (`reapbench report DIR1 DIR2 ...`, `reapbench pick DIR1 DIR2`).
 *
 * Two recorded folders: tests/data/smoke (a 1-node machine, "vm") and
 * tests/data/guest-2x2 (a 2-node TCG guest, "numa-2x2", whose context says
 * timings_emulated=yes; see tests/data/README.md).  What the reports must
 * print is computed here from the folders themselves: each host's median
 * and ratio, the split/compact ratio, the single host's pick.  A pair of
 * synthetic hosts with known winners checks the disagreement.
 */
#include "rt.h"
#include "report_impl.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMOKE	"tests/data/smoke"
#define GUEST	"tests/data/guest-2x2"

static void
scratch(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/test_report_hosts.XXXXXX", t ? t : "/tmp");
	RT_ASSERT(mkdtemp(buf) != NULL);
}

static void
sh(const char *fmt, const char *a, const char *b)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	RT_ASSERTF(system(cmd) == 0, "%s", cmd);
}



/* The text of line starting with `start`, or NULL. */
static const char *
line_of(const char *txt, const char *start)
{
	const char *p = txt;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, start, strlen(start)) == 0)
			return p;
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return NULL;
}

/* Whether the table under heading `head` has a line starting `row`. */
static bool
table_has(const char *md, const char *head, const char *row)
{
	const char *h = strstr(md, head), *end, *r;

	if (h == NULL)
		return false;
	end = strstr(h + 1, "\n####");
	r = strstr(h, row);
	return r != NULL && (end == NULL || r < end);
}

/* "| d | median | ratio" of design d in table tb, as a host's column. */
static void
cell(char *buf, size_t len, const struct report_table *tb, const char *d)
{
	char unit[64], v[32];
	double scale = report_unit_scale(&tb->m, tb->rows[tb->best].median,
	    unit, sizeof(unit));

	for (size_t k = 0; k < tb->nrows; k++)
		if (!strcmp(tb->rows[k].s->design, d)) {
			snprintf(buf, len, " %s | %.3f%s |", report_fmt3(v,
			    sizeof(v), tb->rows[k].median / scale),
			    tb->rows[k].ratio, tb->rows[k].best ? " (best)" :
			    "");
			return;
		}
	RT_ASSERTF(0, "no %s in %s", d, tb->workload);
}

static const struct report_table *
table_find(const struct report_table *t, size_t nt, const char *w,
    const char *pin, int threads)
{
	for (size_t i = 0; i < nt; i++)
		if (!strcmp(t[i].workload, w) && !strcmp(t[i].pin, pin) &&
		    t[i].threads == threads && t[i].tcount == 0)
			return &t[i];
	RT_ASSERTF(0, "no table %s/%s/t:%d", w, pin, threads);
	return NULL;
}

/* ---- one host: emulated, NUMA ------------------------------------------- */

RT_TEST(emulated_host_marked_and_not_ranked)
{
	char dir[4096], path[4200], logf[4200], *md, *txt;
	char *rargv[] = { "report", "--no-plots", dir, NULL };
	char *pargv[] = { "pick", dir, "--profile", "server", NULL };
	const char *machine, *p;

	scratch(dir, sizeof(dir));
	sh("cp -R '%s/.' '%s/'", GUEST, dir);
	snprintf(logf, sizeof(logf), "%s.log", dir);
	RT_EQ(rt_captured(logf, report_main, 3, rargv), 0);
	snprintf(path, sizeof(path), "%s/REPORT.md", dir);
	md = rt_slurp(path);
	machine = strstr(md, "## Machine");
	RT_ASSERT(machine != NULL);
	p = strstr(md, "**" REPORT_EMULATED "**");
	RT_ASSERTF(p != NULL && p < machine, "not marked at the top");
	RT_ASSERT(strstr(machine, "\n- virtualization: tcg") != NULL);
	/* Every table's heading says it. */
	for (p = strstr(md, "\n#### "); p != NULL; p = strstr(p + 1,
	    "\n#### "))
		RT_ASSERTF(strncmp(strchr(p, '(') ? strchr(p, '(') : "",
		    "(" REPORT_EMULATED ")", strlen(REPORT_EMULATED) + 2) ==
		    0 && strchr(p, '(') < strchr(p + 1, '\n'), "%.60s", p + 1);
	RT_ASSERT(strstr(md, "- **server**: no decision: ") != NULL);
	free(md);
	/* The pick refuses, in one line. */
	RT_EQ(rt_captured(logf, pick_main, 4, pargv), 1);
	txt = rt_slurp(logf);
	RT_ASSERTF(strstr(txt, "not ranked: " REPORT_EMULATED) != NULL &&
	    strchr(txt, '\n') == txt + strlen(txt) - 1, "%s", txt);
	free(txt);
	unlink(logf);
	sh("rm -rf '%s'%s", dir, "");
}

/* The topology at the top and split / compact, computed here. */
RT_TEST(numa_topology_and_local_remote)
{
	char dir[4096], path[4200], logf[4200], row[256], *md;
	char *rargv[] = { "report", "--no-plots", dir, NULL };
	const struct report_table *c, *s;
	struct report_table *t;
	struct rdir r;
	size_t nt;
	char err[512];

	RT_ASSERTF(rdir_load(GUEST, &r, err, sizeof(err)) == 0, "%s", err);
	RT_EQ(r.numa.n, 2);
	RT_EQ(r.numa.npu[0], 2);
	RT_EQ(r.numa.npu[1], 2);
	RT_ASSERT(r.numa.dist != NULL);
	RT_EQ(r.numa.dist[0], 10);
	RT_EQ(r.numa.dist[1], 20);
	RT_EQ(r.numa.dist[2], 20);
	RT_EQ(r.numa.dist[3], 10);
	report_tables_build(&r, &t, &nt);
	c = table_find(t, nt, "join", "compact", 2);
	s = table_find(t, nt, "join", "split", 2);
	scratch(dir, sizeof(dir));
	sh("cp -R '%s/.' '%s/'", GUEST, dir);
	snprintf(logf, sizeof(logf), "%s.log", dir);
	RT_EQ(rt_captured(logf, report_main, 3, rargv), 0);
	unlink(logf);
	snprintf(path, sizeof(path), "%s/REPORT.md", dir);
	md = rt_slurp(path);
	RT_ASSERT(strstr(md, "## NUMA topology of numa-2x2") <
	    strstr(md, "## Machine"));
	RT_ASSERT(strstr(md, "| node 0 | 10 | 20 |\n| node 1 | 20 | 10 |"));
	RT_ASSERT(strstr(md, "| 1 | 2 | 2-3 |") != NULL);
	/* netbsd's split / compact in join's local-vs-remote table. */
	for (size_t k = 0; k < c->nrows; k++)
		for (size_t j = 0; j < s->nrows; j++)
			if (!strcmp(c->rows[k].s->design, "netbsd") &&
			    !strcmp(s->rows[j].s->design, "netbsd"))
				snprintf(row, sizeof(row), "| %.3f |",
				    s->rows[j].median / c->rows[k].median);
	{
		const char *lr = strstr(strstr(md, "## Workload `join`"),
		    "Local against remote on numa-2x2");
		const char *l = lr ? line_of(lr, "| t:2 | netbsd |") : NULL;

		RT_ASSERT(l != NULL);
		RT_ASSERTF(strstr(l, row) != NULL && strstr(l, row) <
		    strchr(l, '\n'), "no %s in %.100s", row, l);
	}
	free(md);
	report_tables_free(t, nt);
	rdir_free(&r);
	sh("rm -rf '%s'%s", dir, "");
}

/* ---- across hosts ------------------------------------------------------- */

/* Both hosts side by side, the guest marked, each host's values its own. */
RT_TEST(two_hosts_side_by_side)
{
	char dir[4096], out[4200], path[4300], logf[4200], vm[128], gu[128];
	char want[512], *md;
	char *argv[] = { "report", "--out", out, SMOKE, GUEST, NULL };
	struct rdir a, b;
	struct report_table *ta, *tb;
	size_t na, nb;
	char err[512];
	const char *l;
	struct dirent *de;
	DIR *dp;

	scratch(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/hosts", dir);
	snprintf(logf, sizeof(logf), "%s/log", dir);
	RT_EQ(rt_captured(logf, report_main, 5, argv), 0);
	snprintf(path, sizeof(path), "%s/REPORT.md", out);
	md = rt_slurp(path);
	RT_ASSERT(strncmp(md, "# reapbench report: 2 hosts\n", 28) == 0);
	RT_ASSERT(line_of(md, "| vm | `" SMOKE "` | 1 package, 1 NUMA node")
	    != NULL);
	l = line_of(md, "| numa-2x2 | `" GUEST "` | 2 packages, 2 NUMA "
	    "nodes");
	RT_ASSERT(l != NULL && strstr(l, "| **" REPORT_EMULATED "** |") <
	    strchr(l, '\n'));
	RT_ASSERT(strstr(md, "### NUMA topology of numa-2x2") != NULL);
	RT_ASSERT(strstr(md, "NUMA topology of vm") == NULL);
	/* join, t:2, compact: both hosts measured it; one row, two groups. */
	RT_ASSERT(rdir_load(SMOKE, &a, err, sizeof(err)) == 0);
	RT_ASSERT(rdir_load(GUEST, &b, err, sizeof(err)) == 0);
	report_tables_build(&a, &ta, &na);
	report_tables_build(&b, &tb, &nb);
	cell(vm, sizeof(vm), table_find(ta, na, "join", "compact", 2),
	    "netbsd");
	cell(gu, sizeof(gu), table_find(tb, nb, "join", "compact", 2),
	    "netbsd");
	snprintf(want, sizeof(want), "| netbsd |%s%s\n", vm, gu);
	RT_ASSERTF(table_has(md, "#### join · t:2 · pin:compact", want),
	    "no %s", want);
	RT_ASSERT(table_has(md, "#### join · t:2 · pin:compact", "| vm: "
	    "median ("));
	RT_ASSERT(table_has(md, "#### join · t:2 · pin:compact",
	    "| numa-2x2 (" REPORT_EMULATED "): median ("));
	/* The guest alone measured split: the vm's cells say so. */
	RT_ASSERT(table_has(md, "#### join · t:2 · pin:split",
	    "| netbsd | — | — |"));
	RT_ASSERT(strstr(md, "Local against remote on numa-2x2") != NULL);
	/* Written under a temporary name and renamed: nothing else left. */
	dp = opendir(dir);
	RT_ASSERT(dp != NULL);
	while ((de = readdir(dp)) != NULL)
		RT_ASSERTF(strstr(de->d_name, ".tmp.") == NULL, "%s",
		    de->d_name);
	closedir(dp);
	free(md);
	report_tables_free(ta, na);
	report_tables_free(tb, nb);
	rdir_free(&a);
	rdir_free(&b);
	sh("rm -rf '%s'%s", dir, "");
}

/* The pick per host: the emulated host is left out, the other ranked. */
RT_TEST(two_hosts_pick_excludes_emulated)
{
	char dir[4096], out[4200], logf[4300], want[512], *txt;
	char *pargv[] = { "pick", SMOKE, GUEST, "--profile", "server", NULL };
	char *rargv[] = { "report", "--out", out, SMOKE, GUEST, NULL };
	struct profile p;
	struct pick pk;
	struct rdir r;
	char err[512];
	const char *l;

	RT_ASSERT(profile_load("report/profiles", "server", &p, err,
	    sizeof(err)) == 0);
	RT_ASSERT(rdir_load(SMOKE, &r, err, sizeof(err)) == 0);
	RT_ASSERTF(pick_compute(&r, &p, &pk, err, sizeof(err)) == 0, "%s",
	    err);
	scratch(dir, sizeof(dir));
	snprintf(logf, sizeof(logf), "%s/log", dir);
	RT_EQ(rt_captured(logf, pick_main, 5, pargv), 0);
	txt = rt_slurp(logf);
	snprintf(want, sizeof(want), "hosts: only vm was ranked (%s), so "
	    "there is no second host to agree with.  numa-2x2 is left out: "
	    REPORT_EMULATED ".\n", pk.design[0]);
	RT_ASSERTF(strstr(txt, want) != NULL, "%s", txt);
	RT_ASSERT(strstr(txt, GUEST ": not ranked: " REPORT_EMULATED));
	snprintf(want, sizeof(want), ": %s, ahead of %s by", pk.design[0],
	    pk.design[1]);
	RT_ASSERT(strstr(txt, want) != NULL);
	free(txt);
	/* The report's table of decisions says the same. */
	snprintf(out, sizeof(out), "%s/hosts", dir);
	RT_EQ(rt_captured(logf, report_main, 5, rargv), 0);
	snprintf(logf, sizeof(logf), "%s/REPORT.md", out);
	txt = rt_slurp(logf);
	l = line_of(txt, "| server |");
	snprintf(want, sizeof(want), " %s (+%.1f%%", pk.design[0],
	    pk.margin * 100);
	RT_ASSERT(l != NULL && strstr(l, want) != NULL && strstr(l, "| not "
	    "ranked: " REPORT_EMULATED " |\n") == strchr(l, '\n') -
	    strlen("| not ranked: " REPORT_EMULATED " |"));
	RT_ASSERT(strstr(txt, "numa-2x2 is left out: " REPORT_EMULATED));
	free(txt);
	pick_free(&pk);
	rdir_free(&r);
	profile_free(&p);
	sh("rm -rf '%s'%s", dir, "");
}

/* A synthetic host: designs a and b on w1 and w2, a's rate x times b's. */
static void
synth_host(const char *dir, const char *host, const char *topo, double x)
{
	char path[4200];
	FILE *f;

	RT_ASSERT(mkdir(dir, 0755) == 0);
	sh("cp '%s/topology.xml' '%s/'", topo, dir);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	f = fopen(path, "w");
	RT_ASSERT(f != NULL);
	fprintf(f, "{\"context\":{\"host_name\":\"%s\",\"num_cpus\":2},"
	    "\"benchmarks\":[\n", host);
	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 4; k++) {
			double ips = (k % 2 == 0 ? x : 1) * 1e6 *
			    (1 + 0.001 * i);

			fprintf(f, "%s{\"run_name\":\"w%d/%s/t:1/pin:compact\","
			    "\"run_type\":\"iteration\",\"real_time\":%g,"
			    "\"time_unit\":\"ns\",\"items_per_second\":%.17g}"
			    "\n", i + k ? "," : "", k / 2 + 1, k % 2 ? "b" :
			    "a", 1e9 / ips, ips);
		}
	fprintf(f, "]}\n");
	RT_ASSERT(fclose(f) == 0);
}

/* Two ranked hosts that disagree: the 2-node host's topology turns it. */
RT_TEST(two_hosts_disagree)
{
	char dir[4096], one[4200], two[4200], logf[4200], *txt;
	char *argv[] = { "pick", one, two, "--profile", "t",
	    "--profiles-dir", dir, NULL };
	static const char *const want = "hosts: the hosts disagree: one "
	    "picks a, two picks b.  The decision turns on two's topology "
	    "(2 packages, 2 NUMA nodes, 4 cores, 4 PUs; one has 1 package, "
	    "1 NUMA node, 2 cores, 2 PUs), on w1 (best on two: b; on one: "
	    "a), w2 (best on two: b; on one: a).\n";

	scratch(dir, sizeof(dir));
	snprintf(one, sizeof(one), "%s/one", dir);
	snprintf(two, sizeof(two), "%s/two", dir);
	synth_host(one, "one", SMOKE, 2);
	synth_host(two, "two", GUEST, 0.5);
	snprintf(logf, sizeof(logf), "%s/t.profile", dir);
	sh("printf 'w1 1\\nw2 1\\n' > '%s'%s", logf, "");
	snprintf(logf, sizeof(logf), "%s/log", dir);
	RT_EQ(rt_captured(logf, pick_main, 7, argv), 0);
	txt = rt_slurp(logf);
	RT_ASSERTF(strstr(txt, want) != NULL, "%s", txt);
	free(txt);
	/* Either order: the host with more NUMA nodes turns it. */
	argv[1] = two;
	argv[2] = one;
	RT_EQ(rt_captured(logf, pick_main, 7, argv), 0);
	txt = rt_slurp(logf);
	RT_ASSERTF(strstr(txt, "decision turns on two's topology") != NULL,
	    "%s", txt);
	free(txt);
	sh("rm -rf '%s'%s", dir, "");
}

/* report/pick over hosts: bad folders are one line, exit 2, no output. */
static void
expect_bad(const char *dir, const char *bad, const char *want)
{
	char out[4200], logf[4200], *txt;
	char *rargv[] = { "report", "--out", out, SMOKE, (char *)bad, NULL };
	char *pargv[] = { "pick", SMOKE, (char *)bad, "--profile", "server",
	    NULL };
	struct stat st;

	snprintf(out, sizeof(out), "%s/hosts", dir);
	snprintf(logf, sizeof(logf), "%s/log", dir);
	RT_EQ(rt_captured(logf, report_main, 5, rargv), 2);
	txt = rt_slurp(logf);
	RT_ASSERTF(strncmp(txt, "reapbench report: ", 18) == 0 &&
	    strstr(txt, want) != NULL && strchr(txt, '\n') == txt +
	    strlen(txt) - 1, "report said: %s", txt);
	free(txt);
	RT_ASSERT(stat(out, &st) != 0);
	RT_EQ(rt_captured(logf, pick_main, 5, pargv), 2);
	txt = rt_slurp(logf);
	RT_ASSERTF(strncmp(txt, "reapbench pick: ", 16) == 0 &&
	    strstr(txt, want) != NULL && strchr(txt, '\n') == txt +
	    strlen(txt) - 1, "pick said: %s", txt);
	free(txt);
}

RT_TEST(hosts_bad_input)
{
	char dir[4096], file[4200], empty[4200];

	scratch(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/file", dir);
	sh("touch '%s'%s", file, "");
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	RT_ASSERT(mkdir(empty, 0755) == 0);
	expect_bad(dir, file, "not a results folder: not a directory");
	expect_bad(dir, empty, "empty/bench.json: No such file");
	sh("rm -rf '%s'%s", dir, "");
}

int
main(int c, char **v)
{
	return rt_main(c, v);
}
