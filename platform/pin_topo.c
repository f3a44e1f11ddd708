/*
 * pin_topo.c - loading a topology (this machine, an hwloc XML file or a
 * synthetic description) and indexing its PUs, cores and NUMA nodes into
 * the table that pin.c's plans are arithmetic over.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hwloc.h>

#include "pin_impl.h"

static bool
pin_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Build the PU table.  The node of a PU is the first NUMA node (in logical
 * order) whose cpuset holds it: in hwloc 2 NUMA nodes are memory children,
 * not ancestors of PUs, so the cpuset is the reliable link.  Nodes without
 * PUs (memory-only, e.g. HBM or CXL) are left out: nothing runs there.
 */
static int
pin_topo_index(struct pin_topo *t, char *err, size_t errlen)
{
	hwloc_topology_t topo = t->topo;
	int npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	int nnuma = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	int *noderank;
	hwloc_obj_t prevcore = NULL;
	int smt = 0;

	if (npus <= 0) {
		snprintf(err, errlen, "topology has no PUs");
		return -1;
	}
	t->npus = npus;
	t->pus = calloc((size_t)npus, sizeof(*t->pus));
	t->node_os = calloc((size_t)(nnuma > 0 ? nnuma : 1),
	    sizeof(*t->node_os));
	noderank = calloc((size_t)(nnuma > 0 ? nnuma : 1), sizeof(*noderank));
	if (t->pus == NULL || t->node_os == NULL || noderank == NULL) {
		free(noderank);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < nnuma; i++)
		noderank[i] = -1;
	t->nnodes = 0;
	t->ncores = 0;
	for (int i = 0; i < npus; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU,
		    (unsigned)i);
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo,
		    HWLOC_OBJ_CORE, pu);
		struct pin_pu *p = &t->pus[i];

		p->os = (int)pu->os_index;
		if (core == NULL || core != prevcore) {
			/* A new core, or a PU without one: its own core. */
			p->core = t->ncores++;
			smt = 0;
		} else {
			p->core = t->ncores - 1;
			smt++;
		}
		p->smt = smt;
		prevcore = core;
		p->node = -1;
		for (int n = 0; n < nnuma; n++) {
			hwloc_obj_t node = hwloc_get_obj_by_type(topo,
			    HWLOC_OBJ_NUMANODE, (unsigned)n);

			if (node->cpuset == NULL ||
			    !hwloc_bitmap_isset(node->cpuset, pu->os_index))
				continue;
			if (noderank[n] < 0) {
				noderank[n] = t->nnodes;
				t->node_os[t->nnodes++] = (int)node->os_index;
			}
			p->node = noderank[n];
			break;
		}
	}
	free(noderank);
	/*
	 * No NUMA information at all (possible with an old XML): one
	 * anonymous node holding every PU, OS index unknown.
	 */
	if (t->nnodes == 0) {
		t->nnodes = 1;
		t->node_os[0] = -1;
	}
	for (int i = 0; i < npus; i++) {
		if (t->pus[i].node < 0)
			t->pus[i].node = 0;
	}
	t->npackages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	if (t->npackages < 0)
		t->npackages = 0;
	return 0;
}

/*
 * The PUs of hwloc synthetic description spec: the product of its levels'
 * arities, found as hwloc_backend_synthetic_init() in hwloc 2.9's
 * topology-synthetic.c finds them (root attributes "(...)", attached
 * objects "[...]", "type:" before an arity, strtoul base 0, "(...)" after
 * it), so that "029029" counts as 02 x 9029 as it does there.  hwloc
 * builds whatever it is given: "pack:1000 core:1000 pu:1000" would take
 * it hours.  Where hwloc would refuse the description, the count so far.
 */
long long
pin_synthetic_pus(const char *spec)
{
	long long total = 1;
	const char *p = spec;
	char *end;

	if (*p == '(' && (p = strchr(p, ')')) == NULL)
		return total;
	for (p += *p == ')'; *p != '\0'; p = end) {
		unsigned long long v;

		while (*p == ' ' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		if (*p == '[') {
			if ((end = strchr(p, ']')) == NULL)
				break;
			end++;
			continue;
		}
		if ((*p < '0' || *p > '9') && (p = strchr(p, ':')) == NULL)
			break;
		p += *p == ':';
		errno = 0;
		v = strtoull(p, &end, 0);
		if (end == p)
			break;
		if (errno != 0 || v > PIN_MAX_PUS ||
		    (total *= (long long)(v > 0 ? v : 1)) > PIN_MAX_PUS)
			return PIN_MAX_PUS + 1LL;
		if (*end == '(' && (end = strchr(end, ')')) == NULL)
			break;
		end += *end == ')';
	}
	return total;
}

/*
 * Whether every OS index that an "indexes=" attribute of spec names is at
 * most PIN_MAX_OS_INDEX: hwloc sizes a bitmap by the largest, and
 * "pu:2(indexes=4000000000,1)" takes it 4 GB and half a minute.
 */
static bool
pin_synthetic_indexes_ok(const char *spec)
{
	for (const char *p = spec; (p = strstr(p, "indexes=")) != NULL;) {
		for (p += 8; *p != '\0' && *p != ')' && *p != ' ';) {
			char *end;

			if (*p < '0' || *p > '9') {
				p++;
				continue;
			}
			errno = 0;
			if (strtoull(p, &end, 0) > PIN_MAX_OS_INDEX ||
			    errno != 0)
				return false;
			p = end > p ? end : p + 1;
		}
	}
	return true;
}

/* Bytes a description may not hold: they could only break the line. */
static bool
pin_spec_has_control(const char *spec)
{
	for (; *spec != '\0'; spec++)
		if ((unsigned char)*spec < 0x20 || *spec == 0x7f)
			return true;
	return false;
}

struct pin_topo *
pin_topo_load(const char *spec, char *err, size_t errlen)
{
	struct pin_topo *t;

	if (errlen > 0)
		err[0] = '\0';
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (hwloc_topology_init(&t->topo) != 0) {
		snprintf(err, errlen, "hwloc_topology_init: %s",
		    strerror(errno));
		free(t);
		return NULL;
	}
	t->thissystem = (spec == NULL);
	if (spec != NULL && spec[0] == '\0') {
		snprintf(err, errlen, "empty topology description");
		goto fail;
	}
	if (spec != NULL && pin_spec_has_control(spec)) {
		snprintf(err, errlen, "a control character in the topology "
		    "description");
		goto fail;
	}
	if (spec != NULL && pin_ends_with(spec, ".xml")) {
		if (hwloc_topology_set_xml(t->topo, spec) != 0) {
			snprintf(err, errlen,
			    "cannot read hwloc XML topology '%s': %s", spec,
			    strerror(errno));
			goto fail;
		}
	} else if (spec != NULL) {
		if (pin_synthetic_pus(spec) > PIN_MAX_PUS) {
			snprintf(err, errlen, "more than %d PUs in synthetic "
			    "topology '%s'", PIN_MAX_PUS, spec);
			goto fail;
		}
		if (!pin_synthetic_indexes_ok(spec)) {
			snprintf(err, errlen, "an OS index above %d in synthetic "
			    "topology '%s'", PIN_MAX_OS_INDEX, spec);
			goto fail;
		}
		if (hwloc_topology_set_synthetic(t->topo, spec) != 0) {
			snprintf(err, errlen,
			    "bad hwloc synthetic topology '%s' (expected e.g. "
			    "\"pack:2 numa:2 core:4 pu:2\")", spec);
			goto fail;
		}
	}
	if (hwloc_topology_load(t->topo) != 0) {
		snprintf(err, errlen, "cannot load topology '%s': %s",
		    spec != NULL ? spec : "this machine", strerror(errno));
		goto fail;
	}
	if (pin_topo_index(t, err, errlen) != 0)
		goto fail;
	return t;
fail:
	pin_topo_free(t);
	return NULL;
}

void
pin_topo_free(struct pin_topo *t)
{
	if (t == NULL)
		return;
	hwloc_topology_destroy(t->topo);
	free(t->pus);
	free(t->node_os);
	free(t);
}

int
pin_topo_npus(const struct pin_topo *t)
{
	return t->npus;
}

int
pin_topo_nnodes(const struct pin_topo *t)
{
	return t->nnodes;
}

int
pin_topo_ncores(const struct pin_topo *t)
{
	return t->ncores;
}

bool
pin_topo_is_this_machine(const struct pin_topo *t)
{
	return t->thissystem;
}

int
pin_topo_export_xml(const struct pin_topo *t, const char *path)
{
	char tmp[PATH_MAX];
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return ENAMETOOLONG;
	/* An interrupted export leaves path.tmp, never a half path. */
	if (hwloc_topology_export_xml(t->topo, tmp, 0) != 0) {
		int e = errno != 0 ? errno : EIO;

		unlink(tmp);
		return e;
	}
	if (rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return e;
	}
	return 0;
}

void
pin_topo_summary(const struct pin_topo *t, char *buf, size_t len)
{
	snprintf(buf, len, "%d package%s, %d NUMA node%s, %d core%s, %d PU%s",
	    t->npackages, t->npackages == 1 ? "" : "s",
	    t->nnodes, t->nnodes == 1 ? "" : "s",
	    t->ncores, t->ncores == 1 ? "" : "s",
	    t->npus, t->npus == 1 ? "" : "s");
}

int
pin_topo_pu_core(const struct pin_topo *t, int pu)
{
	for (int i = 0; i < t->npus; i++) {
		if (t->pus[i].os == pu)
			return t->pus[i].core;
	}
	return -1;
}

const struct pin_pu *
pin_topo_pu(const struct pin_topo *t, int os)
{
	for (int i = 0; i < t->npus; i++) {
		if (t->pus[i].os == os)
			return &t->pus[i];
	}
	return NULL;
}

int
pin_topo_pu_node(const struct pin_topo *t, int pu)
{
	const struct pin_pu *p = pin_topo_pu(t, pu);

	return p != NULL ? t->node_os[p->node] : -1;
}
