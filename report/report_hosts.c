/*
 * report_hosts.c - one report across hosts: `reapbench report DIR1 DIR2
 * ...` and `reapbench pick DIR1 DIR2 ... --profile NAME`.
 *
 * Each folder is one host's run of the same matrix.  The host is a
 * dimension: the hosts and their topologies first, then every
 * configuration's table with one column group per host, the local-vs-
 * remote tables of multi-node hosts, and the pick per host with whether
 * the hosts agree and, if not, which host's topology turns the decision.
 * A host whose timings were emulated is shown, marked, and never ranked.
 * The report is written into a new folder (--out, default the first
 * folder's parent/hosts-<time>) built under a temporary name and renamed.
 */
#include "report_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct hosts {
	size_t	 n;
	struct rdir *r;			/* [n] */
	char	**label;		/* [n] host names, made distinct */
	struct report_table **t;	/* [n] each host's tables */
	size_t	*nt;
};

/* ---- loading ------------------------------------------------------------ */

static void
hosts_free(struct hosts *h)
{
	for (size_t i = 0; i < h->n; i++) {
		if (h->t != NULL && h->t[i] != NULL)
			report_tables_free(h->t[i], h->nt[i]);
		rdir_free(&h->r[i]);
		free(h->label[i]);
	}
	free(h->r);
	free(h->label);
	free(h->t);
	free(h->nt);
	memset(h, 0, sizeof(*h));
}

/* Host names as labels; a name seen before gets " (2)", " (3)", ... */
static void
hosts_label(struct hosts *h, size_t i)
{
	const char *name = report_host(&h->r[i]);
	size_t same = 0;

	for (size_t k = 0; k < i; k++)
		same += strcmp(report_host(&h->r[k]), name) == 0;
	h->label[i] = same == 0 ? xstrdup(name) : xasprintf("%s (%zu)", name,
	    same + 1);
}

/* 0, or -1 after a one-line error naming the folder. */
static int
hosts_load(struct hosts *h, char *const *dirs, size_t n, const char *verb)
{
	char err[1024];

	memset(h, 0, sizeof(*h));
	h->r = xcalloc(n, sizeof(*h->r));
	h->label = xcalloc(n, sizeof(char *));
	h->t = xcalloc(n, sizeof(*h->t));
	h->nt = xcalloc(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		h->n = i + 1;
		if (rdir_load(dirs[i], &h->r[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "reapbench %s: %s (give results "
			    "folders written by `reapbench run`)\n", verb,
			    err);
			return -1;
		}
		hosts_label(h, i);
		report_tables_build(&h->r[i], &h->t[i], &h->nt[i]);
	}
	return 0;
}

/* ---- the pick per host and whether the hosts agree ---------------------- */

struct hosts_pick {
	struct pick *pk;	/* [n] */
	bool	*ok;		/* [n] ranked */
	char	**why;		/* [n] why not */
};

static void
hosts_pick(const struct hosts *h, const struct profile *p,
    struct hosts_pick *hp)
{
	char err[1024];

	hp->pk = xcalloc(h->n, sizeof(*hp->pk));
	hp->ok = xcalloc(h->n, sizeof(bool));
	hp->why = xcalloc(h->n, sizeof(char *));
	for (size_t i = 0; i < h->n; i++) {
		hp->ok[i] = pick_compute(&h->r[i], p, &hp->pk[i], err,
		    sizeof(err)) == 0;
		if (!hp->ok[i])
			hp->why[i] = xstrdup(err);
	}
}

static void
hosts_pick_free(const struct hosts *h, struct hosts_pick *hp)
{
	for (size_t i = 0; i < h->n; i++) {
		pick_free(&hp->pk[i]);
		free(hp->why[i]);
	}
	free(hp->pk);
	free(hp->ok);
	free(hp->why);
}

/* PUs of a host's NUMA nodes (0 without a topology). */
static int
hosts_pus(const struct rdir *r)
{
	int n = 0;

	for (int i = 0; i < r->numa.n; i++)
		n += r->numa.npu[i];
	return n;
}

/*
 * The host whose topology turns the decision: among the ranked hosts, one
 * whose winner is not the majority's; with no majority (two hosts that
 * disagree), the one whose topology adds the most (NUMA nodes, then PUs),
 * as remote memory is what one host has and another lacks.
 */
static size_t
hosts_turning(const struct hosts *h, const struct hosts_pick *hp)
{
	size_t n = h->n, *votes = xcalloc(n, sizeof(size_t)), top = 0, ntop = 0;
	size_t best = n;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n && hp->ok[i]; k++)
			votes[i] += hp->ok[k] && !strcmp(hp->pk[i].design[0],
			    hp->pk[k].design[0]);
	for (size_t i = 0; i < n; i++)
		top = votes[i] > top ? votes[i] : top;
	for (size_t i = 0; i < n; i++)
		ntop += votes[i] == top;
	for (size_t i = 0; i < n; i++) {
		const struct rdir *a = &h->r[i], *b;

		if (!hp->ok[i] || (ntop == top && votes[i] == top))
			continue;	/* not ranked, or with the majority */
		b = best < n ? &h->r[best] : NULL;
		if (b == NULL || a->numa.n > b->numa.n || (a->numa.n ==
		    b->numa.n && hosts_pus(a) > hosts_pus(b)))
			best = i;
	}
	free(votes);
	return best;
}

/* Workloads where host x's best design is not host y's. */
static void
hosts_turning_workloads(FILE *f, const struct hosts *h,
    const struct hosts_pick *hp, size_t x, size_t y)
{
	const struct pick *a = &hp->pk[x], *b = &hp->pk[y];
	size_t shown = 0;

	for (size_t w = 0; w < a->nw; w++)
		for (size_t v = 0; v < b->nw; v++)
			if (!strcmp(a->wl[w], b->wl[v]) &&
			    strcmp(a->wl_best[w], b->wl_best[v]) != 0)
				fprintf(f, "%s%s (best on %s: %s; on %s: %s)",
				    shown++ ? ", " : " on ", a->wl[w],
				    h->label[x], a->wl_best[w], h->label[y],
				    b->wl_best[v]);
	if (shown == 0)
		fprintf(f, " by the weights: every workload has the same best "
		    "design on both");
}

/* Whether the ranked hosts agree, or which host's topology turns it. */
static void
hosts_verdict(FILE *f, const struct hosts *h, const struct hosts_pick *hp)
{
	size_t ranked = 0, first = h->n, x, y;
	bool same = true;

	for (size_t i = 0; i < h->n; i++)
		if (hp->ok[i]) {
			if (first == h->n)
				first = i;
			same &= !strcmp(hp->pk[i].design[0],
			    hp->pk[first].design[0]);
			ranked++;
		}
	if (ranked == 0) {
		fprintf(f, "no host could be ranked, so there is nothing to "
		    "agree on.");
		return;
	}
	if (ranked == 1) {
		fprintf(f, "only %s was ranked (%s), so there is no second "
		    "host to agree with.", h->label[first],
		    hp->pk[first].design[0]);
		return;
	}
	if (same) {
		fprintf(f, "the %zu ranked hosts agree: %s.", ranked,
		    hp->pk[first].design[0]);
		return;
	}
	x = hosts_turning(h, hp);
	for (y = 0; y < h->n && (!hp->ok[y] || !strcmp(hp->pk[y].design[0],
	    hp->pk[x].design[0])); y++)
		;
	fprintf(f, "the hosts disagree: %s picks %s, %s picks %s.  The "
	    "decision turns on %s's topology (%s; %s has %s),",
	    h->label[y], hp->pk[y].design[0], h->label[x],
	    hp->pk[x].design[0], h->label[x], h->r[x].topo_summary ?
	    h->r[x].topo_summary : "topology unknown", h->label[y],
	    h->r[y].topo_summary ? h->r[y].topo_summary : "topology unknown");
	hosts_turning_workloads(f, h, hp, x, y);
	fprintf(f, ".");
}

/* The hosts the pick left out, and why, in a clause each. */
static void
hosts_left_out(FILE *f, const struct hosts *h, const struct hosts_pick *hp)
{
	for (size_t i = 0; i < h->n; i++)
		if (!hp->ok[i])
			fprintf(f, "  %s is left out: %s.", h->label[i],
			    report_timings_emulated(&h->r[i]) ?
			    REPORT_EMULATED : "no decision from its data");
	fprintf(f, "\n");
}

/* The hosts agree or not, then who was left out; one line. */
static void
hosts_agree(FILE *f, const struct hosts *h, const struct hosts_pick *hp)
{
	hosts_verdict(f, h, hp);
	hosts_left_out(f, h, hp);
}

/* ---- the top: hosts, topologies, the pick per host ---------------------- */

static void
hosts_md_head(FILE *f, const struct hosts *h)
{
	fprintf(f, "# reapbench report: %zu hosts\n\nGenerated by `reapbench "
	    "report DIR1 DIR2 ...`: the host is a dimension, every table "
	    "has one column group per host (each in its own unit); no "
	    "plots (`reapbench report DIR` draws one host's).\n\n", h->n);
	for (size_t i = 0; i < h->n; i++)
		if (report_timings_emulated(&h->r[i]))
			fprintf(f, "**%s: %s**: its context says "
			    "timings_emulated=yes; its placement is real, its "
			    "times are an emulator's: shown, never ranked.\n\n",
			    h->label[i], REPORT_EMULATED);
	fprintf(f, "## Hosts\n\n| host | results folder | machine | "
	    "virtualization | timings |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < h->n; i++) {
		const char *v = rdir_ctx(&h->r[i], BC_VIRTUALIZATION, NULL);

		fprintf(f, "| %s | `%s` | %s | %s | %s |\n", h->label[i],
		    h->r[i].dir, h->r[i].topo_summary ? h->r[i].topo_summary :
		    "no topology.xml", v != NULL ? v : "not recorded",
		    report_timings_emulated(&h->r[i]) ? "**" REPORT_EMULATED
		    "**" : "measured");
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < h->n; i++)
		report_numa_topology(f, &h->r[i], "###");
}

/* A host's decision in a table cell. */
static void
hosts_cell(FILE *f, const struct rdir *r, const struct pick *pk, bool ok)
{
	if (report_timings_emulated(r))
		fprintf(f, " not ranked: %s |", REPORT_EMULATED);
	else if (!ok)
		fprintf(f, " no decision |");
	else
		fprintf(f, " %s %s (+%.1f%%, CI %+.1f%% .. %+.1f%%) |",
		    pk->margin_ci.lo > 0 ? "ship" : "leading:", pk->design[0],
		    pk->margin * 100, pk->margin_ci.lo * 100,
		    pk->margin_ci.hi * 100);
}

/* The decision table: a row per profile, a cell per host. */
static void
hosts_md_decisions(FILE *f, const struct hosts *h, char names[][64],
    const struct hosts_pick *hp, const bool *loaded, size_t np)
{
	fprintf(f, "| profile |");
	for (size_t i = 0; i < h->n; i++)
		fprintf(f, " %s |", h->label[i]);
	fprintf(f, "\n|---|");
	for (size_t i = 0; i < h->n; i++)
		fprintf(f, "---|");
	fprintf(f, "\n");
	for (size_t k = 0; k < np; k++) {
		fprintf(f, "| %s |", names[k]);
		for (size_t i = 0; i < h->n; i++)
			if (loaded[k])
				hosts_cell(f, &h->r[i], &hp[k].pk[i],
				    hp[k].ok[i]);
			else
				fprintf(f, " unreadable profile |");
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

static void
hosts_md_recommend(FILE *f, const struct hosts *h, const char *pdir)
{
	char names[16][64], err[512];
	size_t np = report_list_profiles(pdir, names, 16);
	struct hosts_pick hp[16];
	struct profile prof[16];	/* the picks point into them */
	bool loaded[16];

	fprintf(f, "## Recommendation per host\n\n");
	if (np == 0) {
		fprintf(f, "No profiles found in `%s/`.\n\n", pdir);
		return;
	}
	for (size_t k = 0; k < np; k++)
		if ((loaded[k] = profile_load(pdir, names[k], &prof[k], err,
		    sizeof(err)) == 0))
			hosts_pick(h, &prof[k], &hp[k]);
	hosts_md_decisions(f, h, names, hp, loaded, np);
	for (size_t k = 0; k < np; k++)
		if (loaded[k]) {
			fprintf(f, "- **%s**: ", names[k]);
			hosts_agree(f, h, &hp[k]);
			hosts_pick_free(h, &hp[k]);
		}
	for (size_t k = 0; k < np; k++)
		profile_free(&prof[k]);
	fprintf(f, "\n`reapbench pick DIR --profile NAME` shows how one "
	    "host's decision was reached.\n\n");
}

/* ---- the tables, host beside host --------------------------------------- */

/* Host i's table of the configuration of c, or NULL. */
static const struct report_table *
hosts_table(const struct hosts *h, size_t i, const struct report_table *c)
{
	for (size_t k = 0; k < h->nt[i]; k++) {
		const struct report_table *t = &h->t[i][k];

		if (!strcmp(t->workload, c->workload) && !strcmp(t->pin,
		    c->pin) && t->threads == c->threads &&
		    t->tcount == c->tcount)
			return t;
	}
	return NULL;
}

/* Designs of c's configuration on any host, in canonical order. */
static size_t
hosts_designs(const struct hosts *h, const struct report_table *c,
    const char **d, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		const struct report_table *t = hosts_table(h, i, c);

		for (size_t k = 0; t != NULL && k < t->nrows; k++) {
			bool seen = false;

			for (size_t j = 0; j < n; j++)
				seen |= !strcmp(d[j], t->rows[k].s->design);
			if (!seen && n < max)
				d[n++] = t->rows[k].s->design;
		}
	}
	report_sort_designs(d, n);
	return n;
}

static void
hosts_table_head(FILE *f, const struct hosts *h, const struct report_table *c,
    double *scale)
{
	char cfg[128], unit[64];

	report_config_name(c, cfg, sizeof(cfg));
	fprintf(f, "#### %s · %s\n\n%s, %s is better; each host in its own "
	    "unit.\n\n| design |", c->workload, cfg, c->m.label,
	    c->m.higher_better ? "higher" : "lower");
	for (size_t i = 0; i < h->n; i++) {
		const struct report_table *t = hosts_table(h, i, c);

		scale[i] = 1;
		if (t == NULL || t->best < 0)
			snprintf(unit, sizeof(unit), "not measured");
		else
			scale[i] = report_unit_scale(&t->m,
			    t->rows[t->best].median, unit, sizeof(unit));
		fprintf(f, " %s%s: median (%s) | × best |", h->label[i],
		    report_timings_emulated(&h->r[i]) ? " (" REPORT_EMULATED
		    ")" : "", unit);
	}
	fprintf(f, "\n|---|");
	for (size_t i = 0; i < h->n; i++)
		fprintf(f, "---:|---:|");
	fprintf(f, "\n");
}

/* One configuration: a row per design, a column group per host. */
static void
hosts_table_md(FILE *f, const struct hosts *h, const struct report_table *c)
{
	const char *d[REPORT_MAXD];
	size_t nd = hosts_designs(h, c, d, REPORT_MAXD);
	double *scale = xcalloc(h->n, sizeof(double));
	char a[32];

	hosts_table_head(f, h, c, scale);
	for (size_t j = 0; j < nd; j++) {
		fprintf(f, "| %s |", d[j]);
		for (size_t i = 0; i < h->n; i++) {
			const struct report_table *t = hosts_table(h, i, c);
			const struct report_row *row = NULL;

			for (size_t k = 0; t != NULL && k < t->nrows; k++)
				if (!strcmp(t->rows[k].s->design, d[j]) &&
				    t->rows[k].n > 0)
					row = &t->rows[k];
			if (row == NULL)
				fprintf(f, " — | — |");
			else
				fprintf(f, " %s | %.3f%s |", report_fmt3(a,
				    sizeof(a), row->median / scale[i]),
				    row->ratio, row->best ? " (best)" : "");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
	free(scale);
}

/* A workload: every configuration any host measured, then each
 * multi-node host's local against remote. */
static void
hosts_workload(FILE *f, const struct hosts *h, const char *w)
{
	const struct bench_workload_info *wi = bench_workload_find(w);

	fprintf(f, "## Workload `%s`\n\n%s\n\n", w, wi != NULL ? wi->about :
	    "(not a known workload)");
	for (size_t i = 0; i < h->n; i++)
		for (size_t k = 0; k < h->nt[i]; k++) {
			const struct report_table *c = &h->t[i][k];
			bool shown = false;

			if (strcmp(c->workload, w) != 0)
				continue;
			for (size_t e = 0; e < i; e++)
				shown |= hosts_table(h, e, c) != NULL;
			if (!shown)
				hosts_table_md(f, h, c);
		}
	for (size_t i = 0; i < h->n; i++)
		report_numa_table(f, &h->r[i], h->t[i], h->nt[i], w);
}

static void
hosts_md(FILE *f, const struct hosts *h, const char *pdir)
{
	const char *w[REPORT_MAXW];
	size_t nw = 0;

	hosts_md_head(f, h);
	hosts_md_recommend(f, h, pdir);
	for (size_t i = 0; i < h->n; i++) {
		const char *hw[REPORT_MAXW];
		size_t n = report_workloads(h->t[i], h->nt[i], hw,
		    REPORT_MAXW);

		for (size_t k = 0; k < n; k++) {
			bool seen = false;

			for (size_t j = 0; j < nw; j++)
				seen |= !strcmp(w[j], hw[k]);
			if (!seen && nw < REPORT_MAXW)
				w[nw++] = hw[k];
		}
	}
	for (size_t k = 0; k < nw; k++)
		hosts_workload(f, h, w[k]);
}

/* ---- the output folder -------------------------------------------------- */

/* The first folder's parent/hosts-<UTC time>. */
static char *
hosts_default_out(const char *dir)
{
	char *parent = xstrdup(dir), *slash, stamp[32], *out;
	time_t now = time(NULL);
	struct tm tm;

	for (size_t l = strlen(parent); l > 1 && parent[l - 1] == '/'; l--)
		parent[l - 1] = '\0';
	if ((slash = strrchr(parent, '/')) == NULL)
		snprintf(parent, strlen(parent) + 1, ".");
	else
		slash[slash == parent] = '\0';
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "hosts-%Y%m%d-%H%M%S", &tm);
	out = path_join(parent, "%s", stamp);
	free(parent);
	return out;
}

/* REPORT.md in OUT.tmp.PID, renamed to OUT.  0, or -1 with err. */
static int
hosts_write(const struct hosts *h, const char *out, const char *pdir,
    char *err, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", out, (long)getpid());
	char *md = path_join(tmp, "REPORT.md");
	struct report_file rf;
	int rc = -1;

	if (report_mkdir_p(tmp) != 0)
		report_seterr(err, len, "%s: %s", tmp, strerror(errno));
	else if (report_file_open(&rf, md, err, len) == 0) {
		hosts_md(rf.f, h, pdir);
		if (report_file_close(&rf, err, len) == 0) {
			if (rename(tmp, out) == 0)
				rc = 0;
			else
				report_seterr(err, len, "%s: %s (choose "
				    "another --out)", out, strerror(errno));
		}
	}
	if (rc != 0) {
		unlink(md);
		rmdir(tmp);
	}
	free(md);
	free(tmp);
	return rc;
}

int
report_hosts_main(char *const *dirs, size_t n, const char *out,
    const char *pdir)
{
	struct hosts h;
	char err[1024], *o;
	int rc = 0;

	if (hosts_load(&h, dirs, n, "report") != 0) {
		hosts_free(&h);
		return 2;
	}
	o = out != NULL ? xstrdup(out) : hosts_default_out(dirs[0]);
	if (hosts_write(&h, o, pdir, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench report: %s\n", err);
		rc = 1;
	} else
		printf("reapbench report: wrote %s/REPORT.md\n", o);
	free(o);
	hosts_free(&h);
	return rc;
}

int
pick_hosts_main(char *const *dirs, size_t n, const struct profile *p)
{
	struct hosts h;
	struct hosts_pick hp;
	int rc = 1;

	if (hosts_load(&h, dirs, n, "pick") != 0) {
		hosts_free(&h);
		return 2;
	}
	hosts_pick(&h, p, &hp);
	for (size_t i = 0; i < h.n; i++) {
		printf("results %s (%s)\n", h.r[i].dir, h.label[i]);
		if (hp.ok[i]) {
			pick_print(stdout, p, &hp.pk[i], false);
			rc = 0;
		} else
			printf("  %s\n\n", hp.why[i]);
	}
	printf("hosts: ");
	hosts_agree(stdout, &h, &hp);
	hosts_pick_free(&h, &hp);
	hosts_free(&h);
	return rc;
}
