/*
 * nb_proc.c - the two NetBSD designs behind include/reap.h: the system
 * (CPUs, global locks, pid table, lwp_cache, init), fork, the carrier
 * hooks (lwp_enter, lwp_killed), the syscall entry points (_lwp_exit,
 * _lwp_wait, exit, wait4), observers' holds, statistics and the ops
 * tables.  The lifecycle itself is in nb_lwp.c / nb_wait.c / nb_exit.c
 * (netbsd) and nb_2007.c (netbsd-2007).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netbsd.h"

static struct nb_sys *
nb_sys(struct reap_proc *p)
{
	return p->p_sys;
}

/* Every entry point attaches its thread: counters go to this machine. */
static void
nb_attach(struct nb_sys *ns)
{
	if (kern_curmachine() != ns->ns_mach)
		kern_attach(ns->ns_mach);
}

static struct reap_lwp *
nb_newlwp(struct reap_proc *p, unsigned flags, lwpid_t *lid)
{
	return nb_sys(p)->ns_2007 ? nb7_newlwp(p, flags, lid) :
	    nb_lwp_create(p, flags, lid);
}

/*
 * Models fork1()'s process half (kern_fork.c): a new process with a pid
 * from the pid table, on allproc and its parent's children, with one
 * joinable LWP.  A parent already past exit1's reparenting (SDEAD or
 * SZOMB) cannot fork in the kernel (its LWPs are gone); here the child
 * goes to init instead, so that nothing is orphaned.
 */
static struct reap_proc *
nb_proc_create_common(struct nb_sys *ns, struct reap_proc *parent,
    struct reap_lwp **master) KERN_NO_TSA
{
	struct reap_proc *p;
	struct reap_lwp *l;
	lwpid_t lid;
	int pst;

	KASSERT(parent == NULL || parent->p_sys == ns, "parent of another sys");
	p = aligned_alloc(KERN_CACHELINE,
	    (sizeof(*p) + KERN_CACHELINE - 1) & ~(size_t)(KERN_CACHELINE - 1));
	KASSERT(p != NULL, "proc allocation");
	memset(p, 0, sizeof(*p));
	p->p_sys = ns;
	mutex_init(&p->p_lock);
	cv_init(&p->p_lwpcv, "lwpwait");
	cv_init(&p->p_waitcv, "wait");
	cv_init(&p->p_refcv, "lwprefs");
	rw_init(&p->p_reflock);
	p->p_refcnt = 1;		/* 2007: the process's own */
	LIST_INIT(&p->p_lwps);
	LIST_INIT(&p->p_children);
	atomic_init(&p->p_zomblwp, NULL);
	atomic_init(&p->p_stat, SIDL);

	mutex_enter(&ns->ns_proc_lock);
	p->p_pid = nb_pid_alloc_proc(ns, p);
	if (parent == NULL)
		parent = ns->ns_initproc;
	if (parent != NULL) {
		pst = atomic_load_explicit(&parent->p_stat,
		    memory_order_relaxed);
		if (pst == SDEAD || pst == SZOMB)
			parent = ns->ns_initproc;
		p->p_pptr = parent;
		LIST_INSERT_HEAD(&parent->p_children, p, p_sibling);
	}
	if (ns->ns_2007)
		mutex_enter(&ns->ns_proclist_mutex);
	LIST_INSERT_HEAD(&ns->ns_allproc, p, p_list);
	if (ns->ns_2007)
		mutex_exit(&ns->ns_proclist_mutex);
	mutex_exit(&ns->ns_proc_lock);
	kern_count(KC_PROC_CREATE);

	l = nb_newlwp(p, 0, &lid);
	KASSERT(l != NULL, "fork: no first lwp");

	mutex_enter(&p->p_lock);
	atomic_store_explicit(&p->p_stat, SACTIVE, memory_order_relaxed);
	mutex_exit(&p->p_lock);
	*master = l;
	return p;
}

static struct reap_sys *
nb_sys_create_common(const struct reap_config *cfg, bool v2007)
{
	struct nb_sys *ns;
	int cpu;

	ns = aligned_alloc(KERN_CACHELINE,
	    (sizeof(*ns) + KERN_CACHELINE - 1) & ~(size_t)(KERN_CACHELINE - 1));
	KASSERT(ns != NULL, "sys allocation");
	memset(ns, 0, sizeof(*ns));
	ns->ns_mach = kern_machine_create(cfg);
	kern_attach(ns->ns_mach);
	ns->ns_2007 = v2007;
	ns->ns_variant = cfg->variant;
	ns->ns_ncpus = kern_ncpus(ns->ns_mach);
	ns->ns_cpu = calloc((size_t)ns->ns_ncpus, sizeof(*ns->ns_cpu));
	KASSERT(ns->ns_cpu != NULL, "sys allocation");
	for (cpu = 0; cpu < ns->ns_ncpus; cpu++) {
		ns->ns_cpu[cpu] = kern_percpu_alloc(ns->ns_mach, cpu,
		    sizeof(struct nb_cpu));
		kspin_init(&ns->ns_cpu[cpu]->spc_lwplock);
	}
	mutex_init(&ns->ns_proc_lock);
	mutex_init(&ns->ns_proclist_mutex);
	kspin_init(&ns->ns_sched_mutex);
	LIST_INIT(&ns->ns_alllwp);
	LIST_INIT(&ns->ns_allproc);
	LIST_INIT(&ns->ns_zombproc);
	ns->ns_pid = nb_pid_create();
	ns->ns_cache = nb_cache_create(ns);

	/*
	 * init: pid 1, the first slot of the table.  It and its LWP live as
	 * long as the system and are not counted (reap.h): create them
	 * detached from the machine's counters.
	 */
	kern_attach(NULL);
	ns->ns_initproc = nb_proc_create_common(ns, NULL, &ns->ns_initlwp);
	kern_attach(ns->ns_mach);
	KASSERT(ns->ns_initproc->p_pid == 1, "init is not pid 1");
	return (struct reap_sys *)ns;
}

static struct reap_sys *
nb_sys_create(const struct reap_config *cfg)
{
	return nb_sys_create_common(cfg, false);
}

static struct reap_sys *
nb7_sys_create(const struct reap_config *cfg)
{
	return nb_sys_create_common(cfg, true);
}

/* Tear down a system whose processes have all been reaped but init. */
static void
nb_sys_destroy(struct reap_sys *rs)
{
	struct nb_sys *ns = (struct nb_sys *)rs;
	struct reap_proc *init = ns->ns_initproc;
	struct reap_lwp *l = ns->ns_initlwp;
	int cpu;

	KASSERT(LIST_FIRST(&ns->ns_zombproc) == NULL, "zombies left");
	KASSERT(LIST_FIRST(&ns->ns_allproc) == init &&
	    LIST_NEXT(init, p_list) == NULL, "processes left");
	KASSERT(LIST_FIRST(&init->p_children) == NULL, "init has children");
	KASSERT(init->p_nlwps == 1, "init has lwps left");

	/* Not counted, as at creation. */
	kern_attach(NULL);
	/* init's LWP never exits: its carrier has stopped; retire it. */
	nb_lwp_setstat(l, LSIDL);
	nb_cache_put(ns, l);
	nb_cache_destroy(ns->ns_cache);
	nb_proc_free_mem(init);
	nb_pid_destroy(ns->ns_pid);
	mutex_destroy(&ns->ns_proc_lock);
	mutex_destroy(&ns->ns_proclist_mutex);
	for (cpu = 0; cpu < ns->ns_ncpus; cpu++)
		kern_percpu_free(ns->ns_mach, cpu, ns->ns_cpu[cpu],
		    sizeof(struct nb_cpu));
	free(ns->ns_cpu);
	kern_machine_destroy(ns->ns_mach);
	free(ns);
}

static struct reap_lwp *
nb_sys_initlwp(struct reap_sys *rs)
{
	return ((struct nb_sys *)rs)->ns_initlwp;
}

/* NetBSD reaps in the exiting and waiting threads: no threads of its own. */
static int
nb_sys_threads(struct reap_sys *rs, pid_t *tids, int max)
{
	(void)rs; (void)tids; (void)max;
	return 0;
}

static struct reap_proc *
nb_proc_create(struct reap_sys *rs, struct reap_proc *parent,
    struct reap_lwp **master)
{
	nb_attach((struct nb_sys *)rs);
	return nb_proc_create_common((struct nb_sys *)rs, parent, master);
}

static pid_t
nb_proc_pid(struct reap_proc *p)
{
	return p->p_pid;
}

static struct reap_lwp *
nb_api_lwp_create(struct reap_proc *p, unsigned flags, lwpid_t *lid)
{
	nb_attach(p->p_sys);
	return nb_newlwp(p, flags, lid);
}

static lwpid_t
nb_lwp_id(struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_lid, memory_order_relaxed);
}

static struct reap_proc *
nb_lwp_proc(struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_proc, memory_order_relaxed);
}

/*
 * The carrier starts running the LWP (mi_switch to it + lwp_startup):
 * on its CPU's lock (migrating it there), LSONPROC, LP_RUNNING, and
 * interruptible through its kill word (LW_WEXIT).
 */
static void
nb_lwp_enter(struct reap_lwp *l)
{
	struct reap_proc *p = nb_lwp_owner(l);
	struct nb_sys *ns = p->p_sys;
	int cpu, stat;

	kern_attach(ns->ns_mach);
	cpu = mycpuid() % ns->ns_ncpus;
	nb_lwp_lock(l);
	stat = nb_lwp_stat(l);
	KASSERT(stat == LSRUN, "entering an lwp that is not runnable");
	KASSERT(l->l_td == NULL, "lwp already has a carrier");
	l->l_td = kern_curtd();
	nb_lwp_setstat(l, LSONPROC);
	atomic_store_explicit(&l->l_pflag,
	    atomic_load_explicit(&l->l_pflag, memory_order_relaxed) |
	    LP_RUNNING, memory_order_relaxed);
	if (!ns->ns_2007 && l->l_cpu != cpu) {
		l->l_cpu = cpu;
		nb_lwp_unlock_to(l, nb_cpu_lwplock(ns, cpu));
	} else {
		l->l_cpu = cpu;
		nb_lwp_unlock(l);
	}
	kern_td_setsig(&l->l_kill);
}

/* userret: LW_WEXIT set by exit_lwps. */
static bool
nb_lwp_killed(struct reap_lwp *l)
{
	return atomic_load_explicit(&l->l_kill, memory_order_acquire) != 0;
}

/* sys__lwp_exit. */
static void
nb_api_lwp_exit(struct reap_lwp *l)
{
	nb_attach(nb_sys(nb_lwp_owner(l)));
	if (nb_sys(nb_lwp_owner(l))->ns_2007)
		nb7_lwp_exit(l);
	else
		nb_lwp_exit(l);
}

/* Models sys__lwp_wait(): lwp_wait under p_lock. */
static int
nb_api_lwp_wait(struct reap_lwp *l, lwpid_t lid, lwpid_t *departed)
{
	struct reap_proc *p = nb_lwp_owner(l);
	int error;

	nb_attach(p->p_sys);
	mutex_enter(&p->p_lock);
	if (p->p_sys->ns_2007)
		error = nb7_lwp_wait1(l, lid, departed, false);
	else
		error = nb_lwp_wait(l, lid, departed, false);
	mutex_exit(&p->p_lock);
	return error;
}

/*
 * Models sys_exit() in kern_exit.c: exit1 once per process; a second
 * caller (PS_WEXIT already set) just exits its LWP.
 */
static void
nb_proc_exit(struct reap_lwp *l, int status) KERN_NO_TSA
{
	struct reap_proc *p = nb_lwp_owner(l);

	nb_attach(p->p_sys);
	if (p->p_sys->ns_2007)
		kern_biglock_enter();	/* sys_exit runs under kernel_lock */
	mutex_enter(&p->p_lock);
	if ((p->p_sflag & PS_WEXIT) != 0) {
		mutex_exit(&p->p_lock);
		nb_api_lwp_exit(l);
		return;
	}
	nb_exit1(l, status);			/* releases p_lock */
}

/*
 * Models sys___wait450()'s argument checks in kern_exit.c: options the
 * model does not know are EINVAL, as there; so is a process group (pid 0
 * or < -1), which the seed would wait for and the model does not have.
 */
static pid_t
nb_api_proc_wait(struct reap_lwp *l, pid_t pid, int *status, int options)
{
	if ((pid != -1 && pid <= 0) || (options & ~WNOHANG) != 0)
		return -EINVAL;
	nb_attach(nb_sys(nb_lwp_owner(l)));
	return nb_proc_wait(l, pid, status, options);
}

/*
 * Models lwp_getref_lwpid()-style lookups: lwp_find under p_lock and a
 * reference, refused once the LWP drains (LPR_DRAINING; 2007 sets it too,
 * see nb7_lwp_drainrefs), so that holds never starve an exit.
 */
static struct reap_lwp *
nb_lwp_hold(struct reap_proc *p, lwpid_t lid)
{
	struct reap_lwp *l;

	nb_attach(p->p_sys);
	mutex_enter(&p->p_lock);
	if (p->p_sys->ns_2007) {
		l = nb7_lwp_find(p, lid);
		if (l != NULL && (l->l_prflag & LPR_DRAINING) == 0 &&
		    l->l_refcnt != 0)
			l->l_refcnt++;
		else
			l = NULL;
	} else {
		l = nb_lwp_find(p, lid);
		if (l != NULL && (l->l_prflag & LPR_DRAINING) == 0)
			nb_lwp_addref(l);
		else
			l = NULL;
	}
	mutex_exit(&p->p_lock);
	return l;
}

/* ops->proc_hold / proc_rele: see nb_proc_hold in nb_exit.c. */
static struct reap_proc *
nb_api_proc_hold(struct reap_sys *rs, pid_t pid)
{
	struct nb_sys *ns = (struct nb_sys *)rs;

	nb_attach(ns);
	return nb_proc_hold(ns, pid);
}

static void
nb_api_proc_rele(struct reap_proc *p)
{
	nb_attach(p->p_sys);
	nb_proc_rele(p);
}

static void
nb_lwp_rele(struct reap_lwp *l)
{
	nb_attach(nb_sys(nb_lwp_owner(l)));
	if (nb_sys(nb_lwp_owner(l))->ns_2007)
		nb7_lwp_delref(l);
	else
		nb_lwp_delref(l);
}

static void
nb_stats(struct reap_sys *rs, struct reap_stats *st)
{
	kern_stats_fill(((struct nb_sys *)rs)->ns_mach, st);
}

/* Listed in every build; the variant bits act only with REAP_MUTANTS. */
static const struct reap_mutant nb_mutants[] = {
	{ "netbsd-bcast-after-unlock", NB_MUT_BCAST_AFTER_UNLOCK,
	  "lwp_exit and lwp_delref broadcast after releasing the proc mutex "
	  "(NetBSD kern_lwp.c 1.40.2.18): a dropped reference no longer keeps "
	  "the process alive during the broadcast", NULL,
	  "synthetic: NetBSD kern_lwp.c 1.40.2.18's broadcast order "
	  "(lwp_delref, lwp_exit) grafted onto 1.252's code" },
	{ "netbsd-free-while-running", NB_MUT_FREE_WHILE_RUNNING,
	  "lwp_free does not wait for LP_RUNNING to clear: the LWP is freed "
	  "while its carrier is still switching out", NULL,
	  "synthetic: every seed's lwp_free waits until the LWP is off its "
	  "CPU" },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct reap_mutant nb7_mutants[] = {
	{ "netbsd-bcast-after-unlock", NB_MUT_BCAST_AFTER_UNLOCK,
	  "lwp_exit and lwp_delref broadcast after releasing p_smutex "
	  "(NetBSD kern_lwp.c 1.40.2.18): a dropped reference no longer keeps "
	  "the process alive during the broadcast",
	  /* spin's trail (models/netbsd2007.pml): the first of two holders
	   * to drop sleeps before its broadcast, the second overtakes it */
	  "netbsd.delref.after_unlock:3000/2",
	  "seed: NetBSD kern_lwp.c 1.40.2.18 lines 1155-1166 (lwp_delref), "
	  "671-697 (lwp_exit)" },
	{ "netbsd-free-while-running", NB_MUT_FREE_WHILE_RUNNING,
	  "lwp_free and proc_free do not wait for the LWP to leave its CPU: "
	  "it is freed while its carrier is still switching out", NULL,
	  "synthetic: every seed's lwp_free waits until the LWP is off its "
	  "CPU" },
	{ NULL, 0, NULL, NULL, NULL }
};

#define NB_OPS_COMMON							\
	.sys_destroy = nb_sys_destroy,					\
	.sys_initlwp = nb_sys_initlwp,					\
	.sys_threads = nb_sys_threads,					\
	.proc_create = nb_proc_create,					\
	.proc_pid = nb_proc_pid,					\
	.lwp_create = nb_api_lwp_create,				\
	.lwp_id = nb_lwp_id,						\
	.lwp_proc = nb_lwp_proc,					\
	.lwp_enter = nb_lwp_enter,					\
	.lwp_killed = nb_lwp_killed,					\
	.lwp_exit = nb_api_lwp_exit,					\
	.lwp_wait = nb_api_lwp_wait,					\
	.proc_exit = nb_proc_exit,					\
	.proc_wait = nb_api_proc_wait,					\
	.proc_hold = nb_api_proc_hold,					\
	.proc_rele = nb_api_proc_rele,					\
	.lwp_hold = nb_lwp_hold,					\
	.lwp_rele = nb_lwp_rele,					\
	.stats = nb_stats

const struct reap_ops reap_design_netbsd = {
	.name = "netbsd",
	.about = "NetBSD kern_lwp.c 1.252: p_lock + p_lwpcv, p_zomblwp "
	    "recycling, LP_RUNNING spin, LWP IDs in the global pid table",
	.mutants = nb_mutants,
	.sys_create = nb_sys_create,
	NB_OPS_COMMON,
};

const struct reap_ops reap_design_netbsd_2007 = {
	.name = "netbsd-2007",
	.about = "NetBSD kern_lwp.c 1.54: p_smutex, p_refcv, global "
	    "sched_mutex and proclist_mutex, untimed exit waits",
	.mutants = nb7_mutants,
	.sys_create = nb7_sys_create,
	NB_OPS_COMMON,
};
