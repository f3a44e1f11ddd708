/*
 * fl_sys.c - the floor: the system, per-CPU free lists of LWP memory, the
 * frees, and the ops table.
 */
#include <stdlib.h>
#include <string.h>

#include "floor.h"

void
fl_attach(struct reap_sys *s)
{
	if (kern_curmachine() != s->s_mach)
		kern_attach(s->s_mach);
}

/* Memory for an LWP: the calling CPU's free list, else fresh (a shard's
 * own free list comes first, in fl_lwp.c). */
struct reap_lwp *
fl_lwp_alloc(struct reap_sys *s)
{
	struct fl_cpu *pc = s->s_cpu[mycpuid() % s->s_ncpus];
	struct reap_lwp *l;

	kspin_lock(&pc->fc_lock);
	if ((l = pc->fc_free) != NULL)
		pc->fc_free = l->l_freenext;
	kspin_unlock(&pc->fc_lock);
	if (l != NULL) {
		kern_count(KC_LWP_RECYCLE);
		return l;
	}
	l = aligned_alloc(KERN_CACHELINE, sizeof(*l));
	KASSERT(l != NULL, "out of memory");
	pthread_mutex_lock(&s->s_alllock);
	l->l_allnext = s->s_all;
	s->s_all = l;
	pthread_mutex_unlock(&s->s_alllock);
	kern_count(KC_LWP_ALLOC);
	return l;
}

void
fl_lwp_init(struct reap_lwp *l, struct reap_proc *p, int shard,
    bool detached)
{
	struct reap_lwp *all = l->l_allnext;

	memset(l, 0, sizeof(*l));
	l->l_allnext = all;
	l->l_proc = p;
	l->l_shard = shard;
	l->l_detached = detached;
	atomic_store_explicit(&l->l_oncpu, 1, memory_order_relaxed);
}

/* Account the free, then give the memory to the calling CPU's list;
 * the caller never touches l again. */
void
fl_lwp_free(struct reap_sys *s, struct reap_lwp *l)
{
	struct fl_cpu *pc = s->s_cpu[mycpuid() % s->s_ncpus];

	kern_work(KW_LWP_STACK);	/* lwkt_free_thread / uvm_lwp_exit */
	kern_lwp_free_stamp(s->s_mach, &l->l_stamp);
	kspin_lock(&pc->fc_lock);
	l->l_freenext = pc->fc_free;
	pc->fc_free = l;
	kspin_unlock(&pc->fc_lock);
	kern_lwps_freed(s->s_mach, 1);
}

/* Free an LWP another thread carried, once its carrier has left it. */
void
fl_lwp_reap(struct reap_sys *s, struct reap_lwp *l)
{
	fl_lwp_offcpu_wait(l);
	fl_lwp_free(s, l);
}

static struct reap_sys *
fl_sys_create(const struct reap_config *cfg)
{
	struct reap_sys *s = calloc(1, sizeof(*s));
	struct reap_lwp *m;

	KASSERT(s != NULL, "out of memory");
	s->s_mach = kern_machine_create(cfg);
	s->s_ncpus = cfg->ncpus;
	s->s_cpu = calloc((size_t)s->s_ncpus, sizeof(*s->s_cpu));
	KASSERT(s->s_cpu != NULL, "out of memory");
	for (int c = 0; c < s->s_ncpus; c++) {
		s->s_cpu[c] = kern_percpu_alloc(s->s_mach, c,
		    sizeof(struct fl_cpu));
		kspin_init(&s->s_cpu[c]->fc_lock);
	}
	mutex_init(&s->s_treelock);
	pthread_mutex_init(&s->s_alllock, NULL);
	s->s_nextpid = 1;
	/* init and its LWP live as long as the system: not counted. */
	s->s_init = fl_proc_create(s, NULL, &m);
	s->s_initlwp = m;
	return s;
}

static void
fl_sys_destroy(struct reap_sys *s)
{
	struct reap_lwp *l, *next;

	KASSERT(s->s_init->p_kids == NULL, "sys_destroy: init has children");
	fl_proc_free(s->s_init);
	for (l = s->s_all; l != NULL; l = next) {
		next = l->l_allnext;
		free(l);
	}
	for (int c = 0; c < s->s_ncpus; c++)
		kern_percpu_free(s->s_mach, c, s->s_cpu[c],
		    sizeof(struct fl_cpu));
	free(s->s_cpu);
	mutex_destroy(&s->s_treelock);
	pthread_mutex_destroy(&s->s_alllock);
	if (kern_curmachine() == s->s_mach)
		kern_attach(NULL);
	kern_machine_destroy(s->s_mach);
	free(s);
}

static struct reap_lwp *
fl_sys_initlwp(struct reap_sys *s)
{
	return s->s_initlwp;
}

static int
fl_sys_threads(struct reap_sys *s, pid_t *tids, int max)
{
	(void)s;
	(void)tids;
	(void)max;
	return 0;		/* the floor has no threads of its own */
}

static pid_t
fl_proc_pid(struct reap_proc *p)
{
	return p->p_pid;
}

static lwpid_t
fl_lwp_id(struct reap_lwp *l)
{
	return l->l_lid;
}

static struct reap_proc *
fl_lwp_proc(struct reap_lwp *l)
{
	return l->l_proc;
}

static void
fl_stats(struct reap_sys *s, struct reap_stats *st)
{
	kern_stats_fill(s->s_mach, st);
}

const struct reap_ops reap_design_floor = {
	.name = "floor",
	.about = "reference: the least an exit/reap core does on the model "
	    "kernel (per-CPU free lists and process shards, no shared line "
	    "on the detached path); calibrates the harness",
	.mutants = NULL,
	.sys_create = fl_sys_create,
	.sys_destroy = fl_sys_destroy,
	.sys_initlwp = fl_sys_initlwp,
	.sys_threads = fl_sys_threads,
	.proc_create = fl_proc_create,
	.proc_pid = fl_proc_pid,
	.lwp_create = fl_lwp_create,
	.lwp_id = fl_lwp_id,
	.lwp_proc = fl_lwp_proc,
	.lwp_enter = fl_lwp_enter,
	.lwp_killed = fl_lwp_killed,
	.lwp_exit = fl_lwp_exit,
	.lwp_wait = fl_lwp_wait,
	.proc_exit = fl_proc_exit,
	.proc_wait = fl_proc_wait,
	.proc_hold = fl_proc_hold,
	.proc_rele = fl_proc_rele,
	.lwp_hold = fl_lwp_hold,
	.lwp_rele = fl_lwp_rele,
	.stats = fl_stats,
	.quiesce = NULL,	/* nothing deferred */
};
