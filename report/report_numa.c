/*
 * report_numa.c - NUMA in the report: a multi-node host's topology (nodes,
 * their PUs, the distance matrix) from its topology.xml through hwloc, and
 * per workload the same configuration under `compact` (every thread on
 * one node) and `split` (exit side and reap side on different nodes),
 * i.e. local against remote.
 */
#include "report_impl.h"

#include <hwloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- reading ------------------------------------------------------------ */

/* The first NUMA distance matrix hwloc has, into nu->dist. */
static void
numa_distances(hwloc_topology_t t, struct rdir_numa *nu)
{
	struct hwloc_distances_s *d = NULL;
	unsigned nr = 1;

	if (hwloc_distances_get_by_type(t, HWLOC_OBJ_NUMANODE, &nr, &d, 0,
	    0) != 0 || nr == 0)
		return;
	if (d->nbobjs == (unsigned)nu->n) {
		nu->dist = xcalloc((size_t)nu->n * nu->n, sizeof(uint64_t));
		for (unsigned i = 0; i < d->nbobjs; i++)
			for (unsigned j = 0; j < d->nbobjs; j++)
				nu->dist[d->objs[i]->logical_index * nu->n +
				    d->objs[j]->logical_index] =
				    d->values[i * d->nbobjs + j];
	}
	hwloc_distances_release(t, d);
}

void
rdir_numa_read(const char *xml, struct rdir_numa *nu)
{
	hwloc_topology_t t;
	struct stat st;

	memset(nu, 0, sizeof(*nu));
	if (stat(xml, &st) != 0 || hwloc_topology_init(&t) != 0)
		return;
	if (hwloc_topology_set_xml(t, xml) == 0 &&
	    hwloc_topology_load(t) == 0) {
		nu->n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
		nu->os = xcalloc((size_t)nu->n + 1, sizeof(unsigned));
		nu->pus = xcalloc((size_t)nu->n + 1, sizeof(char *));
		nu->npu = xcalloc((size_t)nu->n + 1, sizeof(int));
		for (int i = 0; i < nu->n; i++) {
			hwloc_obj_t o = hwloc_get_obj_by_type(t,
			    HWLOC_OBJ_NUMANODE, (unsigned)i);
			char buf[256];

			nu->os[i] = o->os_index;
			nu->npu[i] = hwloc_bitmap_weight(o->cpuset);
			hwloc_bitmap_list_snprintf(buf, sizeof(buf),
			    o->cpuset);
			nu->pus[i] = xstrdup(buf);
		}
		numa_distances(t, nu);
	}
	hwloc_topology_destroy(t);
}

void
rdir_numa_free(struct rdir_numa *nu)
{
	for (int i = 0; i < nu->n; i++)
		free(nu->pus[i]);
	free(nu->pus);
	free(nu->npu);
	free(nu->os);
	free(nu->dist);
	memset(nu, 0, sizeof(*nu));
}

/* ---- the topology ------------------------------------------------------- */

void
report_numa_topology(FILE *f, const struct rdir *r, const char *head)
{
	const struct rdir_numa *nu = &r->numa;

	if (nu->n < 2)
		return;
	fprintf(f, "%s NUMA topology of %s\n\n%d NUMA nodes (from "
	    "topology.xml, read by hwloc):\n\n| node | PUs | PU list |\n"
	    "|---:|---:|---|\n", head, report_host(r), nu->n);
	for (int i = 0; i < nu->n; i++)
		fprintf(f, "| %u | %d | %s |\n", nu->os[i], nu->npu[i],
		    nu->pus[i]);
	if (nu->dist == NULL) {
		fprintf(f, "\nNo distance matrix in topology.xml.\n\n");
		return;
	}
	fprintf(f, "\nDistances (the firmware's SLIT as hwloc reports it; "
	    "10 is local):\n\n| from \\ to |");
	for (int j = 0; j < nu->n; j++)
		fprintf(f, " node %u |", nu->os[j]);
	fprintf(f, "\n|---|");
	for (int j = 0; j < nu->n; j++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (int i = 0; i < nu->n; i++) {
		fprintf(f, "| node %u |", nu->os[i]);
		for (int j = 0; j < nu->n; j++)
			fprintf(f, " %llu |", (unsigned long long)
			    nu->dist[i * nu->n + j]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* ---- local against remote ----------------------------------------------- */

/* The table of workload w, pin, threads and T, or NULL. */
static const struct report_table *
numa_twin(const struct report_table *t, size_t nt, const struct
    report_table *c, const char *pin)
{
	for (size_t i = 0; i < nt; i++)
		if (!strcmp(t[i].workload, c->workload) &&
		    !strcmp(t[i].pin, pin) && t[i].threads == c->threads &&
		    t[i].tcount == c->tcount)
			return &t[i];
	return NULL;
}

static const struct report_row *
numa_row(const struct report_table *tb, const char *design)
{
	for (size_t k = 0; k < tb->nrows; k++)
		if (!strcmp(tb->rows[k].s->design, design) &&
		    tb->rows[k].n > 0)
			return &tb->rows[k];
	return NULL;
}

/* Whether split differs from compact: Mann-Whitney, as the tables test. */
static const char *
numa_verdict(char *buf, size_t len, const struct report_table *c,
    const struct report_row *l, const struct report_row *rm)
{
	struct stats_mwu u;
	char p[32];
	bool lower;

	stats_mwu_test(rm->v, rm->n, l->v, l->n, &u);
	lower = rm->median < l->median;
	if (u.p_min > REPORT_ALPHA)
		snprintf(buf, len, "too few repetitions to test (smallest "
		    "possible p = %.2f)", u.p_min);
	else if (u.p < REPORT_ALPHA)
		snprintf(buf, len, "remote %s (p = %s)", lower ==
		    c->m.higher_better ? "costs" : "is faster",
		    report_fmt_p(p, sizeof(p), u.p));
	else
		snprintf(buf, len, "no significant difference (p = %s)",
		    report_fmt_p(p, sizeof(p), u.p));
	return buf;
}

/* One design: compact and split medians, split / compact with its CI. */
static void
numa_line(FILE *f, const struct report_table *c, const struct report_row *l,
    const struct report_row *rm, double scale, const char *unit)
{
	struct stats_ci ci;
	char cfg[128], a[32], b[32], x[32], y[32], v[128], *pin;
	double q = stats_ratio_ci(l->v, l->n, rm->v, rm->n, 0.95,
	    REPORT_BOOT_ROUNDS, REPORT_BOOT_SEED, &ci);

	report_config_name(c, cfg, sizeof(cfg));
	/* cfg ends in "pin:compact": the pin is the column here. */
	if ((pin = strstr(cfg, " · pin:")) != NULL)
		*pin = '\0';
	fprintf(f, "| %s | %s | %s %s | %s %s | %.3f | [%s, %s] | %s |\n",
	    cfg, l->s->design, report_fmt3(a, sizeof(a), l->median / scale),
	    unit, report_fmt3(b, sizeof(b), rm->median / scale), unit, q,
	    report_fmt3(x, sizeof(x), ci.lo), report_fmt3(y, sizeof(y),
	    ci.hi), numa_verdict(v, sizeof(v), c, l, rm));
}

void
report_numa_table(FILE *f, const struct rdir *r, const struct report_table *t,
    size_t nt, const char *w)
{
	size_t lines = 0;

	if (r->numa.n < 2)
		return;
	for (size_t i = 0; i < nt; i++) {
		const struct report_table *c = &t[i], *s;
		char unit[64];
		double scale;

		if (strcmp(c->workload, w) || strcmp(c->pin, "compact") ||
		    c->best < 0 || (s = numa_twin(t, nt, c, "split")) == NULL)
			continue;
		scale = report_unit_scale(&c->m, c->rows[c->best].median,
		    unit, sizeof(unit));
		if (lines == 0)
			fprintf(f, "Local against remote on %s (%d NUMA "
			    "nodes): `compact` keeps every thread on one node, "
			    "`split` puts the exit side and the reap side on "
			    "different nodes.  %s%s\n\n| configuration | design |"
			    " compact | split | split / compact | 95%% CI | "
			    "verdict |\n|---|---|---:|---:|---:|---|---|\n",
			    report_host(r), r->numa.n, c->m.higher_better ?
			    "Throughput: below 1, remote placement costs." :
			    "Time: above 1, remote placement costs.", report_timings_emulated(r) ?
			    "  **" REPORT_EMULATED "**: an emulator's memory "
			    "costs the same local or remote, so these ratios "
			    "say nothing of the machine." : "");
		for (size_t k = 0; k < c->nrows; k++) {
			const struct report_row *l = &c->rows[k], *rm;

			if (l->n == 0 || (rm = numa_row(s, l->s->design)) ==
			    NULL)
				continue;
			numa_line(f, c, l, rm, scale, unit);
			lines++;
		}
	}
	if (lines > 0)
		fprintf(f, "\n");
}
