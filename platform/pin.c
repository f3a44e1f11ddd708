/*
 * pin.c - pinning plans, binding and NUMA-local memory (topologies are
 * loaded and indexed by pin_topo.c).
 *
 * The plan is pure arithmetic over a table of the topology's PUs (OS index,
 * core, NUMA node, SMT rank inside the core), so it can be computed and
 * tested for synthetic or XML topologies; only pin_bind() and
 * pin_alloc() touch the OS, and only for this machine's topology.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include "pin_impl.h"

/* Why pin_alloc() does not bind memory to a node. */
#define PIN_ONE_NODE	"one NUMA node: memory not node-bound " \
			"(nothing to choose)"
#define PIN_NOT_HERE	"topology is not this machine: memory not " \
			"node-bound"
#define PIN_NO_MEMBIND	"membind unsupported by the OS: memory not " \
			"node-bound"

/* Why pin_alloc() did not bind memory to a node; NULL if it did. */
static _Atomic(const char *) pin_membind_why;

static const char *const pin_policy_names[PIN_NPOLICIES] = {
	[PIN_COMPACT] = "compact",
	[PIN_SCATTER] = "scatter",
	[PIN_SPLIT] = "split",
	[PIN_NONE] = "none",
};

int
pin_policy_parse(const char *s, enum pin_policy *out)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < PIN_NPOLICIES; i++) {
		if (strcmp(s, pin_policy_names[i]) == 0) {
			*out = (enum pin_policy)i;
			return 0;
		}
	}
	return -1;
}

const char *
pin_policy_name(enum pin_policy p)
{
	if ((int)p < 0 || (int)p >= PIN_NPOLICIES)
		return "?";
	return pin_policy_names[p];
}

/*
 * Orderings of the PU table.  Each compares two PU table indices; ties
 * fall back to logical order so that every order is total.
 */
typedef int pin_pu_cmp(const struct pin_topo *, int, int);

/* Node, then logical order (cores, then the PUs of a core). */
static int
pin_cmp_compact(const struct pin_topo *t, int a, int b)
{
	if (t->pus[a].node != t->pus[b].node)
		return t->pus[a].node - t->pus[b].node;
	return a - b;
}

/* One PU per core before SMT siblings; then nodes, then cores in order. */
static int
pin_cmp_smt_first(const struct pin_topo *t, int a, int b)
{
	if (t->pus[a].smt != t->pus[b].smt)
		return t->pus[a].smt - t->pus[b].smt;
	return pin_cmp_compact(t, a, b);
}

/*
 * Insertion sort: qsort() has no context argument and a static one would
 * make plan making racy; PU counts are small and plans are made rarely.
 */
static void
pin_sort(const struct pin_topo *t, int *idx, int n, pin_pu_cmp *cmp)
{
	for (int i = 1; i < n; i++) {
		int v = idx[i], j = i;

		for (; j > 0 && cmp(t, idx[j - 1], v) > 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
}

/*
 * Scatter: per node, that node's PUs in smt-then-core order; then deal
 * round-robin over the nodes, skipping exhausted ones, so unequal nodes
 * still get used in proportion until they run out.
 */
static void
pin_order_scatter(const struct pin_topo *t, int *order)
{
	int *byn = malloc(sizeof(int) * (size_t)t->npus);
	int *start = calloc((size_t)t->nnodes + 1, sizeof(int));
	int *next = calloc((size_t)t->nnodes, sizeof(int));
	int k = 0;

	if (byn == NULL || start == NULL || next == NULL)
		abort();
	for (int i = 0; i < t->npus; i++)
		byn[i] = i;
	pin_sort(t, byn, t->npus, pin_cmp_compact);	/* group by node */
	for (int i = 0; i < t->npus; i++)
		start[t->pus[byn[i]].node + 1]++;
	for (int n = 0; n < t->nnodes; n++)
		start[n + 1] += start[n];
	for (int n = 0; n < t->nnodes; n++)
		pin_sort(t, byn + start[n], start[n + 1] - start[n],
		    pin_cmp_smt_first);
	while (k < t->npus) {
		for (int n = 0; n < t->nnodes; n++) {
			if (start[n] + next[n] < start[n + 1])
				order[k++] = byn[start[n] + next[n]++];
		}
	}
	free(byn);
	free(start);
	free(next);
}

/* Map model CPUs [first, first+count) onto order[0..n) with wrap-around. */
static bool
pin_plan_fill(const struct pin_topo *t, struct pin_plan *p, int first,
    int count, const int *order, int n)
{
	for (int i = 0; i < count; i++) {
		const struct pin_pu *pu = &t->pus[order[i % n]];

		p->pu[first + i] = pu->os;
		p->node[first + i] = t->node_os[pu->node];
	}
	return count > n;
}

/* The spare PUs (used by no model CPU) and the leader's PU. */
static int
pin_plan_harness(const struct pin_topo *t, struct pin_plan *p, char *err,
    size_t errlen)
{
	p->leader_pu = -1;
	if (p->policy == PIN_NONE)
		return 0;
	p->spare = malloc(sizeof(int) * (size_t)t->npus);
	if (p->spare == NULL) {
		pin_plan_free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < t->npus; i++) {
		bool used = false;

		for (int c = 0; c < p->ncpus && !used; c++)
			used = p->pu[c] == t->pus[i].os;
		if (!used)
			p->spare[p->nspare++] = t->pus[i].os;
	}
	p->leader_pu = p->nspare > 0 ? p->spare[0] : p->pu[p->ncpus - 1];
	return 0;
}

int
pin_plan_make(const struct pin_topo *t, enum pin_policy policy,
    int ncpus, struct pin_plan *p, char *err, size_t errlen)
{
	int *order = NULL;
	int nexitpu = 0;

	memset(p, 0, sizeof(*p));
	if (errlen > 0)
		err[0] = '\0';
	if (ncpus < 1) {
		snprintf(err, errlen, "need at least 1 model CPU, got %d",
		    ncpus);
		return -1;
	}
	if ((int)policy < 0 || (int)policy >= PIN_NPOLICIES) {
		snprintf(err, errlen, "unknown pin policy %d", (int)policy);
		return -1;
	}
	if (policy == PIN_SPLIT && t->nnodes < 2 && t->ncores < 2 &&
	    ncpus > 1) {
		snprintf(err, errlen, "split needs 2 NUMA nodes or 2 cores; "
		    "topology has 1 node and 1 core");
		return -1;
	}
	p->policy = policy;
	p->ncpus = ncpus;
	p->nexit = ncpus;
	p->pu = malloc(sizeof(int) * (size_t)ncpus);
	p->node = malloc(sizeof(int) * (size_t)ncpus);
	order = malloc(sizeof(int) * (size_t)t->npus);
	if (p->pu == NULL || p->node == NULL || order == NULL) {
		free(order);
		pin_plan_free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < t->npus; i++)
		order[i] = i;

	switch (policy) {
	case PIN_NONE:
		for (int i = 0; i < ncpus; i++) {
			p->pu[i] = -1;
			p->node[i] = -1;
		}
		p->oversubscribed = ncpus > t->npus;
		break;
	case PIN_COMPACT:
		pin_sort(t, order, t->npus, pin_cmp_compact);
		p->oversubscribed = pin_plan_fill(t, p, 0, ncpus, order,
		    t->npus);
		break;
	case PIN_SCATTER:
		pin_order_scatter(t, order);
		p->oversubscribed = pin_plan_fill(t, p, 0, ncpus, order,
		    t->npus);
		break;
	case PIN_SPLIT:
		/*
		 * Exit side: the first half of the nodes (rounded up), or of
		 * the cores when there is one node; reap side: the rest.
		 * Inside a side, one PU per core before SMT siblings, so the
		 * two threads of a side do not share a core while another
		 * core of the side is idle.
		 */
		p->nexit = (ncpus + 1) / 2;
		if (t->nnodes >= 2) {
			int cut = (t->nnodes + 1) / 2;

			for (int i = 0; i < t->npus; i++)
				nexitpu += t->pus[i].node < cut;
			for (int i = 0, a = 0, b = nexitpu; i < t->npus; i++)
				order[t->pus[i].node < cut ? a++ : b++] = i;
		} else {
			int cut = (t->ncores + 1) / 2;

			for (int i = 0; i < t->npus; i++)
				nexitpu += t->pus[i].core < cut;
			for (int i = 0, a = 0, b = nexitpu; i < t->npus; i++)
				order[t->pus[i].core < cut ? a++ : b++] = i;
		}
		pin_sort(t, order, nexitpu, pin_cmp_smt_first);
		pin_sort(t, order + nexitpu, t->npus - nexitpu,
		    pin_cmp_smt_first);
		p->oversubscribed = pin_plan_fill(t, p, 0, p->nexit, order,
		    nexitpu);
		if (ncpus > p->nexit)
			p->oversubscribed |= pin_plan_fill(t, p, p->nexit,
			    ncpus - p->nexit, order + nexitpu,
			    t->npus - nexitpu);
		break;
	}
	free(order);
	return pin_plan_harness(t, p, err, errlen);
}

void
pin_plan_free(struct pin_plan *p)
{
	free(p->pu);
	free(p->node);
	free(p->spare);
	p->pu = NULL;
	p->node = NULL;
	p->spare = NULL;
	p->ncpus = 0;
	p->nexit = 0;
	p->nspare = 0;
}

void
pin_plan_print(const struct pin_topo *t, const struct pin_plan *p,
    FILE *f)
{
	char sum[128];

	pin_topo_summary(t, sum, sizeof(sum));
	fprintf(f, "topology: %s%s\n", sum,
	    t->thissystem ? " (this machine)" : "");
	fprintf(f, "policy:   %s, %d model CPU%s on %d PU%s%s\n",
	    pin_policy_name(p->policy), p->ncpus,
	    p->ncpus == 1 ? "" : "s", t->npus, t->npus == 1 ? "" : "s",
	    p->oversubscribed ? "  ** OVERSUBSCRIBED: PUs are shared **" :
	    "");
	if (p->policy == PIN_SPLIT)
		fprintf(f, "split:    model CPUs 0-%d exit side, %d-%d reap "
		    "side\n", p->nexit - 1, p->nexit, p->ncpus - 1);
	if (p->leader_pu >= 0)
		fprintf(f, "leader:   PU %d (%s; it sleeps while the workers "
		    "run)\n", p->leader_pu, p->nspare > 0 ? "a PU of its own" :
		    "shared with the last model CPU");
	if (p->nspare > 0) {
		fprintf(f, "spare:    PU");
		for (int i = 0; i < p->nspare; i++)
			fprintf(f, "%s%d", i ? "," : " ", p->spare[i]);
		fprintf(f, " (observers get model CPUs there when they fit)\n");
	}
	fprintf(f, "%5s %-5s %5s %5s %5s\n", "cpu", "side", "pu", "core",
	    "node");
	for (int i = 0; i < p->ncpus; i++) {
		const char *side = p->policy != PIN_SPLIT ? "-" :
		    i < p->nexit ? "exit" : "reap";
		int shared = 0;

		if (p->pu[i] < 0) {
			fprintf(f, "%5d %-5s %5s %5s %5s\n", i, side, "any",
			    "-", "-");
			continue;
		}
		for (int j = 0; j < p->ncpus; j++)
			shared += j != i && p->pu[j] == p->pu[i];
		fprintf(f, "%5d %-5s %5d %5d %5d%s\n", i, side, p->pu[i],
		    pin_topo_pu_core(t, p->pu[i]), p->node[i],
		    shared > 0 ? "  shared" : "");
	}
}

/* Bind the calling thread to PU os index pu, strictly. */
static int
pin_bind_os(const struct pin_topo *t, int pu)
{
	hwloc_bitmap_t set;
	int rc = 0;

	if ((set = hwloc_bitmap_alloc()) == NULL)
		return ENOMEM;
	hwloc_bitmap_only(set, (unsigned)pu);
	/* STRICT: a PU the OS will not allow is a failure, not a hint. */
	if (hwloc_set_cpubind(t->topo, set,
	    HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) != 0)
		rc = errno != 0 ? errno : EINVAL;
	hwloc_bitmap_free(set);
	return rc;
}

int
pin_bind(const struct pin_topo *t, const struct pin_plan *p,
    int cpu)
{
	if (p->policy == PIN_NONE)
		return 0;
	if (!t->thissystem || cpu < 0 || cpu >= p->ncpus || p->pu[cpu] < 0)
		return EINVAL;
	return pin_bind_os(t, p->pu[cpu]);
}

int
pin_bind_leader(const struct pin_topo *t, const struct pin_plan *p)
{
	if (p->policy == PIN_NONE || p->leader_pu < 0)
		return 0;
	if (!t->thissystem)
		return EINVAL;
	return pin_bind_os(t, p->leader_pu);
}

int
pin_where(void)
{
	return sched_getcpu();
}

static void
pin_membind_say(const char *why)
{
	const char *expect = NULL;

	/* Keep the first reason: later ones are the same or consequences. */
	atomic_compare_exchange_strong_explicit(&pin_membind_why, &expect,
	    why, memory_order_release, memory_order_relaxed);
}

const char *
pin_membind_note(void)
{
	return atomic_load_explicit(&pin_membind_why, memory_order_acquire);
}

const char *
pin_membind_expect(const struct pin_topo *t)
{
	const struct hwloc_topology_support *s =
	    hwloc_topology_get_support(t->topo);

	if (t->nnodes < 2)
		return PIN_ONE_NODE;
	if (!t->thissystem)
		return PIN_NOT_HERE;
	if (s == NULL || !s->membind->alloc_membind ||
	    !s->membind->bind_membind)
		return PIN_NO_MEMBIND;
	return NULL;
}

void *
pin_alloc(const struct pin_topo *t, const struct pin_plan *p,
    int cpu, size_t size)
{
	const struct pin_pu *pu = NULL;
	hwloc_obj_t node;
	void *m;

	if (size == 0)
		size = 1;
	if (cpu >= 0 && cpu < p->ncpus && p->pu[cpu] >= 0)
		pu = pin_topo_pu(t, p->pu[cpu]);
	if (t->nnodes < 2) {
		pin_membind_say(PIN_ONE_NODE);
		goto fallback;
	}
	if (pu == NULL) {
		pin_membind_say("policy none: memory placed by first touch");
		goto fallback;
	}
	node = hwloc_get_numanode_obj_by_os_index(t->topo,
	    (unsigned)t->node_os[pu->node]);
	if (node == NULL || !t->thissystem) {
		pin_membind_say(PIN_NOT_HERE);
		goto fallback;
	}
	m = hwloc_alloc_membind(t->topo, size, node->nodeset,
	    HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_BYNODESET);
	if (m == NULL) {
		if (errno != ENOSYS && errno != EXDEV)
			return NULL;
		pin_membind_say(PIN_NO_MEMBIND);
		goto fallback;
	}
	/* Zeroing also first-touches every page on the bound node. */
	memset(m, 0, size);
	return m;
fallback:
	m = hwloc_alloc(t->topo, size);
	if (m != NULL)
		memset(m, 0, size);
	return m;
}

void
pin_free(const struct pin_topo *t, void *m, size_t size)
{
	if (m == NULL)
		return;
	if (size == 0)
		size = 1;
	hwloc_free(t->topo, m, size);
}

int
pin_mem_node(const struct pin_topo *t, const void *p, size_t size)
{
	hwloc_nodeset_t set;
	int node = -1;

	if (!t->thissystem || p == NULL || size == 0)
		return -1;
	if ((set = hwloc_bitmap_alloc()) == NULL)
		return -1;
	if (hwloc_get_area_memlocation(t->topo, p, size, set,
	    HWLOC_MEMBIND_BYNODESET) == 0) {
		if (hwloc_bitmap_weight(set) == 1)
			node = hwloc_bitmap_first(set);
		else if (hwloc_bitmap_weight(set) > 1)
			node = -2;
	}
	hwloc_bitmap_free(set);
	return node;
}
