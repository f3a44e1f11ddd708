/*
 * df_sys.c - boot and shutdown of a model DragonFly system, stats, and the
 * two design tables: "dragonfly" (DragonFly kern_exit.c a3127495) and
 * "dragonfly-2010" (DragonFly kern_exit.c (2010)).
 */
#include <stdlib.h>

#include "dragonfly.h"

/*
 * Boot: the machine, the allproc lists, the per-CPU reapers (models
 * procinit() and deadlwp_init()) and init, pid 1, with one master LWP that
 * the harness runs init's wait loop on.
 */
static struct reap_sys *
df_sys_boot(const struct reap_config *cfg, const struct reap_ops *ops,
    bool v2010)
{
	struct reap_sys *sys;
	struct reap_proc *init;

	sys = calloc(1, sizeof(*sys));
	KASSERT(sys != NULL, "out of memory");
	sys->s_machine = kern_machine_create(cfg);
	KASSERT(sys->s_machine != NULL, "kern_machine_create failed");
	kern_attach(sys->s_machine);
	sys->s_ops = ops;
	sys->s_v2010 = v2010;
	sys->s_variant = cfg->variant;
	sys->s_ncpus = kern_ncpus(sys->s_machine);
	sys->s_hz = kern_hz(sys->s_machine);
	atomic_init(&sys->s_nextpid, 1);
	for (int i = 0; i < ALLPROC_HSIZE; i++) {
		lwkt_token_init(&sys->s_proc_tokens[i], "allproc");
		LIST_INIT(&sys->s_allprocs[i]);
	}
	lwkt_token_init(&sys->s_proc_token, "proc_token");
	LIST_INIT(&sys->s_allproc);
	LIST_INIT(&sys->s_zombproc);
	for (int i = 0; i < ALLPROC_HSIZE; i++)
		LIST_INIT(&sys->s_pidhash[i]);
	df_deadlwp_init(sys);

	init = df_proc_alloc(sys);
	lwkt_gettoken(&init->p_token);
	df_proc_add_allproc(init);
	KASSERT(init->p_pid == 1, "init is not pid 1");
	sys->s_initlwp = df_lwp_fork(init, false);
	atomic_store_explicit(&init->p_stat, SACTIVE, memory_order_release);
	lwkt_reltoken(&init->p_token);
	sys->s_initproc = init;		/* not counted: see reap_stats */
	return sys;
}

static struct reap_sys *
df_sys_create(const struct reap_config *cfg)
{
	return df_sys_boot(cfg, &reap_design_dragonfly, false);
}

static struct reap_sys *
df_sys_create_2010(const struct reap_config *cfg)
{
	return df_sys_boot(cfg, &reap_design_dragonfly_2010, true);
}

/*
 * Shut down: every process but init has been reaped.  Drain the reapers,
 * then free init (whose master LWP never exits; the harness has stopped
 * running it) and the machine.
 */
static void
df_sys_destroy(struct reap_sys *sys)
{
	struct reap_proc *init = sys->s_initproc;
	struct reap_lwp *lwp;

	kern_attach(sys->s_machine);
	KASSERT(LIST_EMPTY(&init->p_children),
	    "sys_destroy: processes left unreaped");
	df_deadlwp_fini(sys);
	while ((lwp = LIST_FIRST(&init->p_lwps)) != NULL) {
		LIST_REMOVE(lwp, lwp_entry);
		init->p_nthreads--;
		free(lwp->lwp_joinrec);
		free(lwp);
	}
	df_proc_free(init);
	kern_machine_destroy(sys->s_machine);
	free(sys);
}

static struct reap_lwp *
df_sys_initlwp(struct reap_sys *sys)
{
	return sys->s_initlwp;
}

static int
df_sys_threads(struct reap_sys *sys, pid_t *tids, int max)
{
	return kern_machine_threads(sys->s_machine, tids, max);
}

/* Every dragonfly counter is a kernel counter (kern_count, zombie gauge). */
static void
df_sys_stats(struct reap_sys *sys, struct reap_stats *st)
{
	kern_stats_fill(sys->s_machine, st);
}

static bool
df_ops_lwp_killed(struct reap_lwp *lwp)
{
	return df_lwp_killed(lwp);
}

static void
df_ops_lwp_rele(struct reap_lwp *lwp)
{
	df_lwp_rele(lwp);
}

/* Listed in every build; the variant bits act only with REAP_MUTANTS. */
static const struct reap_mutant df_mutants[] = {
	{ "dragonfly-no-exit-interlock", DF_VARIANT_NO_EXIT_INTERLOCK,
	  "reaplwp() disposes of a dead LWP without lwp_wait(): it can free "
	  "the LWP while its carrier is still on its CPU "
	  "(DragonFly kern_exit.c a3127495 reaplwp/lwp_wait)", NULL,
	  "synthetic: every seed's reaplwp() calls lwp_wait() first" },
	{ NULL, 0, NULL, NULL, NULL },
};
static const struct reap_mutant df_mutants_2010[] = {
	{ "dragonfly-2010-no-exit-interlock", DF_VARIANT_NO_EXIT_INTERLOCK,
	  "reaplwp() disposes of a dead LWP without lwp_wait()'s td_flags "
	  "poll (DragonFly kern_exit.c (2010) reaplwp/lwp_wait)", NULL,
	  "synthetic: every seed's reaplwp() calls lwp_wait() first" },
	{ "dragonfly-2010-reparent-unlocked", DF_VARIANT_REPARENT_UNLOCKED,
	  "exit1() relinks its children to init without their p_token, so a "
	  "child exiting at once can hold its parent after it was freed "
	  "(DragonFly kern_exit.c (2010) exit1)",
	  /* the seed's window is two instructions: stretch it */
	  "dragonfly.exit1.parent:2000",
	  "seed: DragonFly kern_exit.c (2010) lines 496-514 (exit1)" },
	{ "dragonfly-2010-wait-no-holdzomb", DF_VARIANT_WAIT_NOHOLDZOMB,
	  "kern_wait() reaps a zombie without PHOLDZOMB: a second LWP of the "
	  "parent reaps and frees it while the first sleeps on it (\"reap3\") "
	  "(DragonFly kern_exit.c (2010) kern_wait)", NULL,
	  "seed: DragonFly kern_exit.c (2010) lines 868-939 (kern_wait)" },
	{ NULL, 0, NULL, NULL, NULL },
};

#define DF_OPS_COMMON							\
	.sys_destroy = df_sys_destroy,					\
	.sys_initlwp = df_sys_initlwp,					\
	.sys_threads = df_sys_threads,					\
	.proc_create = df_proc_create,					\
	.proc_pid = df_proc_pid,					\
	.lwp_create = df_lwp_create,					\
	.lwp_id = df_lwp_id,						\
	.lwp_proc = df_lwp_proc,					\
	.lwp_enter = df_lwp_enter,					\
	.lwp_killed = df_ops_lwp_killed,				\
	.lwp_exit = df_sys_extexit,					\
	.lwp_wait = df_lwp_join,					\
	.proc_exit = df_sys_exit,					\
	.proc_wait = df_proc_wait,					\
	.proc_hold = df_proc_find,					\
	.proc_rele = df_proc_findrele,					\
	.lwp_hold = df_lwp_find,					\
	.lwp_rele = df_ops_lwp_rele,					\
	.stats = df_sys_stats

const struct reap_ops reap_design_dragonfly = {
	.name = "dragonfly",
	.about = "DragonFly BSD kern_exit.c a3127495: p_token, per-CPU "
	    "deadlwp lists/tokens/taskqueue reapers, EXITSIG interlock, "
	    "PHOLDZOMB/PSTALL, p_waitgen",
	.mutants = df_mutants,
	.sys_create = df_sys_create,
	DF_OPS_COMMON,
};

const struct reap_ops reap_design_dragonfly_2010 = {
	.name = "dragonfly-2010",
	.about = "DragonFly BSD kern_exit.c, 2010: one global deadlwp_token, "
	    "lwp_wait tick polls only, p_lock polled with hz sleeps",
	.mutants = df_mutants_2010,
	.sys_create = df_sys_create_2010,
	DF_OPS_COMMON,
};
