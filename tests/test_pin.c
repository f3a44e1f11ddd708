/*
 * test_pin.c - pinning plans on synthetic hwloc topologies, and binding on
 * this machine.
 *
 * Synthetic PU OS indices follow logical order, so "pack:2 numa:2 core:4
 * pu:2" has 4 NUMA nodes (2 per package), node n holding cores 4n..4n+3
 * and PUs 8n..8n+7, core c holding PUs 2c and 2c+1.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "pin.h"
#include "rt.h"

#define NUMA4	"pack:2 numa:2 core:4 pu:2"
#define ONENODE	"pack:1 core:4 pu:2"

static struct pin_topo *
load(const char *spec)
{
	char err[256];
	struct pin_topo *t = pin_topo_load(spec, err, sizeof(err));

	RT_ASSERTF(t != NULL, "load %s: %s", spec ? spec : "(this machine)",
	    err);
	return t;
}

static void
plan(const struct pin_topo *t, enum pin_policy pol, int n,
    struct pin_plan *p)
{
	char err[256];
	int rc = pin_plan_make(t, pol, n, p, err, sizeof(err));

	RT_ASSERTF(rc == 0, "plan %s x%d: %s", pin_policy_name(pol), n,
	    err);
	RT_EQ(p->ncpus, n);
	RT_EQ(p->policy, pol);
}

static void
expect_pus(const struct pin_plan *p, const int *want, int n)
{
	RT_EQ(p->ncpus, n);
	for (int i = 0; i < n; i++)
		RT_ASSERTF(p->pu[i] == want[i], "%s: model CPU %d on PU %d, "
		    "want %d", pin_policy_name(p->policy), i, p->pu[i],
		    want[i]);
}

RT_TEST(policy_names)
{
	enum pin_policy p = PIN_NONE;
	const char *names[] = { "compact", "scatter", "split", "none" };

	for (int i = 0; i < 4; i++) {
		RT_EQ(pin_policy_parse(names[i], &p), 0);
		RT_EQ(p, i);
		RT_ASSERT(strcmp(pin_policy_name(p), names[i]) == 0);
	}
	RT_EQ(pin_policy_parse("spread", &p), -1);
	RT_EQ(pin_policy_parse("", &p), -1);
	RT_EQ(pin_policy_parse(NULL, &p), -1);
	RT_EQ(p, PIN_NONE);	/* untouched on failure */
}

RT_TEST(topo_synthetic_counts)
{
	struct pin_topo *t = load(NUMA4);
	char sum[128];

	RT_EQ(pin_topo_npus(t), 32);
	RT_EQ(pin_topo_nnodes(t), 4);
	RT_EQ(pin_topo_ncores(t), 16);
	RT_ASSERT(!pin_topo_is_this_machine(t));
	pin_topo_summary(t, sum, sizeof(sum));
	RT_ASSERTF(strcmp(sum, "2 packages, 4 NUMA nodes, 16 cores, 32 PUs")
	    == 0, "summary '%s'", sum);
	pin_topo_free(t);

	t = load(ONENODE);
	RT_EQ(pin_topo_npus(t), 8);
	RT_EQ(pin_topo_nnodes(t), 1);
	RT_EQ(pin_topo_ncores(t), 4);
	pin_topo_summary(t, sum, sizeof(sum));
	RT_ASSERTF(strcmp(sum, "1 package, 1 NUMA node, 4 cores, 8 PUs") == 0,
	    "summary '%s'", sum);
	pin_topo_free(t);
}

RT_TEST(topo_bad_specs)
{
	char err[256];
	const char *bad[] = { "pack:2 foo:3", "core:x", "", "pack:2 pu:-1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		RT_ASSERTF(pin_topo_load(bad[i], err, sizeof(err)) == NULL,
		    "'%s' accepted", bad[i]);
		RT_ASSERTF(err[0] != '\0', "no message for '%s'", bad[i]);
	}
	RT_ASSERT(strstr(err, "pu:-1") != NULL);	/* names the input */
	err[0] = '\0';
	RT_ASSERT(pin_topo_load("/nonexistent/topo.xml", err, sizeof(err))
	    == NULL);
	RT_ASSERT(strstr(err, "/nonexistent/topo.xml") != NULL);
}

/* hwloc builds any synthetic topology it is given, for hours if need be:
 * more than PIN_MAX_PUS PUs is refused before it starts. */
RT_TEST(topo_synthetic_bound)
{
	char err[256];
	struct pin_topo *t;

	RT_EQ(pin_synthetic_pus("pack:2 numa:2 core:4 pu:2"), 32);
	RT_EQ(pin_synthetic_pus("2 2 2"), 8);
	RT_EQ(pin_synthetic_pus("pack:2 l3:1 l2:2 l1d:1 core:1 pu:0x4"), 16);
	RT_EQ(pin_synthetic_pus("pack:2 [numa(memory=1GB)] pu:3(indexes="
	    "9,8,7,6,5,4)"), 6);
	RT_EQ(pin_synthetic_pus("pack:1000 core:1000 pu:1000"),
	    PIN_MAX_PUS + 1LL);
	RT_EQ(pin_synthetic_pus("pu:99999999999999999999999"),
	    PIN_MAX_PUS + 1LL);
	/* Octal 02, then 9029: hwloc reads two levels (found by fuzzing). */
	RT_EQ(pin_synthetic_pus("029029"), PIN_MAX_PUS + 1LL);
	RT_EQ(pin_synthetic_pus("(memory=4GB) core:2 pu: 0x3"), 6);
	err[0] = '\0';
	RT_ASSERT(pin_topo_load("pack:1000 core:1000 pu:1000", err,
	    sizeof(err)) == NULL);
	RT_ASSERTF(strstr(err, "more than 4096 PUs") != NULL, "%s", err);
	RT_ASSERT(pin_topo_load("pu:2(indexes=4000000000,1)", err,
	    sizeof(err)) == NULL);
	RT_ASSERTF(strstr(err, "an OS index above 65535") != NULL, "%s", err);
	RT_ASSERT(pin_topo_load("[numa(indexes=0x10000)] pu:2", err,
	    sizeof(err)) == NULL);
	RT_ASSERT(pin_topo_load("pack:2\npu:2", err, sizeof(err)) == NULL);
	RT_ASSERTF(strstr(err, "control character") != NULL, "%s", err);
	/* At the bound: accepted (not built here, it takes seconds). */
	RT_EQ(pin_synthetic_pus("pack:4 core:512 pu:2"), PIN_MAX_PUS);
	t = load("pack:2 [numa] core:2 pu:2");
	RT_EQ(pin_topo_npus(t), 8);
	pin_topo_free(t);
	t = load("core:2 pu:2(indexes=65535,7,3,1)");
	RT_EQ(pin_topo_npus(t), 4);
	pin_topo_free(t);
}

RT_TEST(plan_compact_numa4)
{
	struct pin_topo *t = load(NUMA4);
	struct pin_plan p;

	plan(t, PIN_COMPACT, 32, &p);
	for (int i = 0; i < 32; i++) {
		RT_EQ(p.pu[i], i);	/* both PUs of a core, then next core */
		RT_EQ(p.node[i], i / 8);
	}
	RT_EQ(p.nexit, 32);
	RT_ASSERT(!p.oversubscribed);
	pin_plan_free(&p);

	plan(t, PIN_COMPACT, 3, &p);
	expect_pus(&p, (const int[]){ 0, 1, 2 }, 3);
	pin_plan_free(&p);
	pin_topo_free(t);
}

RT_TEST(plan_scatter_numa4)
{
	struct pin_topo *t = load(NUMA4);
	struct pin_plan p;
	/* Nodes round-robin; first PU of every core before any sibling. */
	static const int want[32] = {
		0, 8, 16, 24,  2, 10, 18, 26,  4, 12, 20, 28,  6, 14, 22, 30,
		1, 9, 17, 25,  3, 11, 19, 27,  5, 13, 21, 29,  7, 15, 23, 31,
	};

	plan(t, PIN_SCATTER, 32, &p);
	expect_pus(&p, want, 32);
	for (int i = 0; i < 32; i++)
		RT_EQ(p.node[i], i % 4);
	RT_ASSERT(!p.oversubscribed);
	pin_plan_free(&p);

	plan(t, PIN_SCATTER, 5, &p);
	expect_pus(&p, want, 5);
	pin_plan_free(&p);
	pin_topo_free(t);
}

/* Split's sides never share a node (multi-node) or a core (one node). */
static void
check_split_disjoint(const struct pin_topo *t, const struct pin_plan *p,
    bool bynode)
{
	RT_EQ(p->nexit, (p->ncpus + 1) / 2);
	for (int i = 0; i < p->nexit; i++) {
		for (int j = p->nexit; j < p->ncpus; j++) {
			if (bynode)
				RT_ASSERTF(p->node[i] != p->node[j], "x%d: "
				    "exit CPU %d and reap CPU %d both on node "
				    "%d", p->ncpus, i, j, p->node[i]);
			else
				RT_ASSERTF(pin_topo_pu_core(t, p->pu[i]) !=
				    pin_topo_pu_core(t, p->pu[j]), "x%d: "
				    "exit CPU %d and reap CPU %d share a core",
				    p->ncpus, i, j);
		}
	}
}

RT_TEST(plan_split_numa4)
{
	struct pin_topo *t = load(NUMA4);
	struct pin_plan p;

	/* Exit side: nodes 0-1 (package 0); reap side: nodes 2-3. */
	plan(t, PIN_SPLIT, 4, &p);
	expect_pus(&p, (const int[]){ 0, 2, 16, 18 }, 4);
	RT_EQ(p.nexit, 2);
	RT_EQ(p.node[0], 0);
	RT_EQ(p.node[2], 2);
	pin_plan_free(&p);

	plan(t, PIN_SPLIT, 3, &p);
	expect_pus(&p, (const int[]){ 0, 2, 16 }, 3);
	RT_EQ(p.nexit, 2);
	pin_plan_free(&p);

	/* 10 exit CPUs: node 0's four cores, then node 1's, then siblings. */
	plan(t, PIN_SPLIT, 20, &p);
	expect_pus(&p, (const int[]){ 0, 2, 4, 6, 8, 10, 12, 14, 1, 3,
	    16, 18, 20, 22, 24, 26, 28, 30, 17, 19 }, 20);
	pin_plan_free(&p);

	for (int n = 2; n <= 32; n++) {
		plan(t, PIN_SPLIT, n, &p);
		check_split_disjoint(t, &p, true);
		RT_ASSERT(!p.oversubscribed);
		pin_plan_free(&p);
	}
	plan(t, PIN_SPLIT, 1, &p);
	RT_EQ(p.nexit, 1);
	RT_EQ(p.pu[0], 0);
	pin_plan_free(&p);
	pin_topo_free(t);
}

RT_TEST(plan_onenode)
{
	struct pin_topo *t = load(ONENODE);
	struct pin_plan p;

	plan(t, PIN_COMPACT, 8, &p);
	expect_pus(&p, (const int[]){ 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
	for (int i = 0; i < 8; i++)
		RT_EQ(p.node[i], 0);
	pin_plan_free(&p);

	plan(t, PIN_SCATTER, 8, &p);
	expect_pus(&p, (const int[]){ 0, 2, 4, 6, 1, 3, 5, 7 }, 8);
	pin_plan_free(&p);

	/* Exit side: cores 0-1 (PUs 0-3); reap side: cores 2-3 (PUs 4-7). */
	plan(t, PIN_SPLIT, 2, &p);
	expect_pus(&p, (const int[]){ 0, 4 }, 2);
	pin_plan_free(&p);
	plan(t, PIN_SPLIT, 8, &p);
	expect_pus(&p, (const int[]){ 0, 2, 1, 3, 4, 6, 5, 7 }, 8);
	RT_ASSERT(!p.oversubscribed);
	pin_plan_free(&p);
	for (int n = 2; n <= 8; n++) {
		plan(t, PIN_SPLIT, n, &p);
		check_split_disjoint(t, &p, false);
		pin_plan_free(&p);
	}
	pin_topo_free(t);
}

RT_TEST(plan_oversubscribed)
{
	struct pin_topo *t = load(ONENODE);
	struct pin_plan p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	plan(t, PIN_COMPACT, 10, &p);
	expect_pus(&p, (const int[]){ 0, 1, 2, 3, 4, 5, 6, 7, 0, 1 }, 10);
	RT_ASSERT(p.oversubscribed);
	f = open_memstream(&buf, &len);
	pin_plan_print(t, &p, f);
	fclose(f);
	RT_ASSERTF(strstr(buf, "OVERSUBSCRIBED") != NULL, "%s", buf);
	free(buf);
	pin_plan_free(&p);

	plan(t, PIN_SCATTER, 9, &p);
	RT_ASSERT(p.oversubscribed);
	RT_EQ(p.pu[8], 0);
	pin_plan_free(&p);

	/* A side with more model CPUs than PUs wraps inside its side. */
	plan(t, PIN_SPLIT, 10, &p);
	expect_pus(&p, (const int[]){ 0, 2, 1, 3, 0, 4, 6, 5, 7, 4 }, 10);
	RT_ASSERT(p.oversubscribed);
	check_split_disjoint(t, &p, false);
	pin_plan_free(&p);

	/* Exactly full is not oversubscribed, and says nothing. */
	plan(t, PIN_SPLIT, 8, &p);
	f = open_memstream(&buf, &len);
	pin_plan_print(t, &p, f);
	fclose(f);
	RT_ASSERTF(strstr(buf, "OVERSUBSCRIBED") == NULL, "%s", buf);
	RT_ASSERTF(strstr(buf, "reap") != NULL, "%s", buf);
	free(buf);
	pin_plan_free(&p);
	pin_topo_free(t);
}

/* The harness's leader gets a PU no model CPU uses when there is one,
 * else the last model CPU's; the spare PUs are listed. */
RT_TEST(plan_leader_and_spare)
{
	struct pin_topo *t = load(ONENODE);
	struct pin_plan p;

	plan(t, PIN_COMPACT, 3, &p);
	RT_EQ(p.nspare, pin_topo_npus(t) - 3);
	for (int i = 0; i < p.nspare; i++)
		for (int c = 0; c < 3; c++)
			RT_ASSERT(p.spare[i] != p.pu[c]);
	RT_EQ(p.leader_pu, p.spare[0]);
	pin_plan_free(&p);
	plan(t, PIN_COMPACT, pin_topo_npus(t), &p);
	RT_EQ(p.nspare, 0);
	RT_EQ(p.leader_pu, p.pu[pin_topo_npus(t) - 1]);
	pin_plan_free(&p);
	plan(t, PIN_NONE, 2, &p);
	RT_EQ(p.leader_pu, -1);
	RT_EQ(p.nspare, 0);
	pin_plan_free(&p);
	pin_topo_free(t);
}

RT_TEST(plan_none_and_errors)
{
	struct pin_topo *t = load(ONENODE);
	struct pin_plan p;
	char err[256];

	plan(t, PIN_NONE, 3, &p);
	for (int i = 0; i < 3; i++) {
		RT_EQ(p.pu[i], -1);
		RT_EQ(p.node[i], -1);
	}
	RT_EQ(p.nexit, 3);
	RT_ASSERT(!p.oversubscribed);
	RT_EQ(pin_bind(t, &p, 0), 0);	/* none: nothing to do */
	pin_plan_free(&p);
	plan(t, PIN_NONE, 9, &p);
	RT_ASSERT(p.oversubscribed);
	pin_plan_free(&p);

	err[0] = '\0';
	RT_EQ(pin_plan_make(t, PIN_COMPACT, 0, &p, err, sizeof(err)),
	    -1);
	RT_ASSERT(err[0] != '\0');
	pin_topo_free(t);

	/* One core: split cannot separate the sides, and says so. */
	t = load("pack:1 core:1 pu:2");
	err[0] = '\0';
	RT_EQ(pin_plan_make(t, PIN_SPLIT, 2, &p, err, sizeof(err)),
	    -1);
	RT_ASSERT(strstr(err, "split") != NULL);
	pin_topo_free(t);
}

/* A binding plan on a topology that is not this machine is refused. */
RT_TEST(bind_refuses_foreign_topology)
{
	struct pin_topo *t = load(ONENODE);
	struct pin_plan p;

	plan(t, PIN_COMPACT, 2, &p);
	RT_EQ(pin_bind(t, &p, 0), EINVAL);
	pin_plan_free(&p);
	pin_topo_free(t);
}

RT_TEST(xml_roundtrip)
{
	struct pin_topo *t = load(NUMA4), *u;
	struct pin_plan p, q;
	char path[64];

	snprintf(path, sizeof(path), "/tmp/test_pin.%d.xml", (int)getpid());
	RT_EQ(pin_topo_export_xml(t, path), 0);
	u = load(path);
	unlink(path);
	RT_EQ(pin_topo_npus(u), 32);
	RT_EQ(pin_topo_nnodes(u), 4);
	RT_EQ(pin_topo_ncores(u), 16);
	for (int pol = 0; pol < PIN_NPOLICIES; pol++) {
		plan(t, (enum pin_policy)pol, 12, &p);
		plan(u, (enum pin_policy)pol, 12, &q);
		for (int i = 0; i < 12; i++) {
			RT_EQ(p.pu[i], q.pu[i]);
			RT_EQ(p.node[i], q.node[i]);
		}
		pin_plan_free(&p);
		pin_plan_free(&q);
	}
	/* The temporary name is gone after the rename. */
	strcat(path, ".tmp");
	RT_ASSERT(access(path, F_OK) != 0);
	pin_topo_free(u);
	pin_topo_free(t);
}

struct bind_arg {
	const struct pin_topo *t;
	const struct pin_plan *p;
	int	cpu;
	int	rc;
	int	seen;
};

static void *
bind_thread(void *v)
{
	struct bind_arg *a = v;

	a->rc = pin_bind(a->t, a->p, a->cpu);
	a->seen = pin_where();
	return NULL;
}

/* Bind a fresh thread to every planned PU; sched_getcpu must agree. */
static void
check_binds(const struct pin_topo *t, enum pin_policy pol, int n)
{
	struct pin_plan p;

	plan(t, pol, n, &p);
	for (int i = 0; i < n; i++) {
		struct bind_arg a = { t, &p, i, -1, -1 };
		pthread_t th;

		RT_EQ(pthread_create(&th, NULL, bind_thread, &a), 0);
		RT_EQ(pthread_join(th, NULL), 0);
		RT_ASSERTF(a.rc == 0, "%s cpu %d: bind to PU %d: %s",
		    pin_policy_name(pol), i, p.pu[i], strerror(a.rc));
		RT_ASSERTF(a.seen == p.pu[i], "%s cpu %d: planned PU %d, runs "
		    "on %d", pin_policy_name(pol), i, p.pu[i], a.seen);
	}
	pin_plan_free(&p);
}

RT_TEST(this_machine_bind)
{
	struct pin_topo *t = load(NULL);
	int n = pin_topo_npus(t);

	RT_ASSERT(pin_topo_is_this_machine(t));
	RT_ASSERT(n >= 1);
	RT_ASSERT(pin_topo_nnodes(t) >= 1);
	check_binds(t, PIN_COMPACT, n);
	check_binds(t, PIN_SCATTER, n);
	if (pin_topo_ncores(t) >= 2 || pin_topo_nnodes(t) >= 2)
		check_binds(t, PIN_SPLIT, 2);
	pin_topo_free(t);
}

RT_TEST(this_machine_alloc)
{
	struct pin_topo *t = load(NULL);
	struct pin_plan p;
	size_t size = 3 * 4096 + 17;
	unsigned char *m;

	plan(t, PIN_COMPACT, 1, &p);
	m = pin_alloc(t, &p, 0, size);
	RT_ASSERT(m != NULL);
	RT_EQ((uintptr_t)m % 64, 0);
	for (size_t i = 0; i < size; i++)
		RT_EQ(m[i], 0);
	memset(m, 0xa5, size);
	pin_free(t, m, size);
	/* One node here means nothing was bound, and the note says why. */
	if (pin_topo_nnodes(t) == 1)
		RT_ASSERT(pin_membind_note() != NULL);
	pin_plan_free(&p);
	pin_topo_free(t);
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
