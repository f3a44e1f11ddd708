/*
 * df_reap.c - the per-CPU LWP reaper: deadlwp_list[cpu] drained by
 * deadlwp_task[cpu] on taskqueue_thread[cpu], and the final wait for an
 * LWP's thread to be off its CPU before it is freed.
 *
 * The modern seed guards each CPU's list with its own deadlwp_token[cpu];
 * the 2010 seed has one global deadlwp_token for every CPU's list.
 */
#include <stdlib.h>

#include "dragonfly.h"

static struct lwkt_token *
df_deadlwp_token(struct reap_sys *sys, int cpu)
{
	return sys->s_v2010 ? &sys->s_deadlwp_token : &sys->s_deadlwp[cpu]->dl_token;
}

static bool
df_mutant_no_exit_interlock(struct reap_sys *sys)
{
#ifdef REAP_MUTANTS
	return (sys->s_variant & DF_VARIANT_NO_EXIT_INTERLOCK) != 0;
#else
	(void)sys;
	return false;
#endif
}

/*
 * Models lwp_wait() in DragonFly kern_exit.c a3127495 (DragonFly kern_exit.c (2010)
 * for 2010): 1 once the LWP's thread is completely off its CPU and nobody
 * holds the LWP, 0 after a sleep if the caller must call again.  The
 * modern seed first sleeps on the TDF_MP_EXITSIG/EXITWAIT interlock that
 * lwkt_switch_return() (df_lwp_switchout) signals; both then poll
 * lwp_lock and the thr flags once per tick.  (td_refs is not modelled: no
 * model code holds a thread other than through LWPHOLD.)
 */
static int
df_lwp_waitdead(struct reap_lwp *lwp)
{
	struct df_thread *thr = &lwp->lwp_thread;
	bool v2010 = lwp->lwp_proc->p_sys->s_v2010;
	uint32_t mp, fl;

	if (!v2010) {
		for (;;) {
			mp = atomic_load_explicit(&thr->td_mpflags,
			    memory_order_acquire);
			if (mp & TDF_MP_EXITSIG)
				break;
			tsleep_interlock(thr, 0);
			if (atomic_compare_exchange_strong_explicit(
			    &thr->td_mpflags, &mp, mp | TDF_MP_EXITWAIT,
			    memory_order_acq_rel, memory_order_acquire))
				tsleep(thr, PINTERLOCKED, "lwpxt", 0);
		}
	}
	if (atomic_load_explicit(&lwp->lwp_lock, memory_order_acquire) > 0) {
		tsleep(lwp, 0, "lwpwait1", 1);
		return 0;
	}
	fl = atomic_load_explicit(&thr->td_flags, memory_order_acquire);
	if ((fl & (TDF_RUNNING | TDF_EXITING)) != TDF_EXITING) {
		tsleep(lwp, 0, v2010 ? "lwpwait2" : "lwpwait3", 1);
		return 0;
	}
	return 1;
}

/*
 * Models lwp_dispose() in DragonFly kern_exit.c a3127495: the LWP must be
 * completely dead; drop its hold on the process and free it (and its
 * thread: lwkt_free_thread is a kern_work() stand-in).
 */
void
df_lwp_dispose(struct reap_lwp *lwp)
{
	struct reap_proc *p = lwp->lwp_proc;
	struct reap_sys *sys = p->p_sys;
	struct kern_machine *m = sys->s_machine;
	uint32_t fl;

	fl = atomic_load_explicit(&lwp->lwp_thread.td_flags,
	    memory_order_acquire);
	if (df_mutant_no_exit_interlock(sys)) {
		/* The mutant skipped lwp_wait: count what it got wrong. */
		if ((fl & (TDF_RUNNING | TDF_EXITING)) != TDF_EXITING)
			atomic_fetch_add_explicit(&sys->s_early_frees, 1,
			    memory_order_relaxed);
	} else {
		KASSERT(atomic_load_explicit(&lwp->lwp_lock,
		    memory_order_relaxed) == 0, "lwp_dispose: LWP held");
		KASSERT((fl & (TDF_RUNNING | TDF_EXITING)) == TDF_EXITING,
		    "lwp_dispose: carrier still on its CPU");
	}
	kern_work(KW_LWP_STACK);	/* lwkt_free_thread */
	/*
	 * The books first: the PRELE below can let kern_wait finish with p
	 * (it waits for p_lock), and a harness snapshot after that must
	 * already count this LWP freed.  Nothing reaches lwp any more.
	 */
	kern_lwp_free_stamp(m, &lwp->lwp_stamp);
	kern_lwps_freed(m, 1);
	df_proc_rele(p);
	free(lwp->lwp_joinrec);		/* a master's; others moved it */
	free(lwp);
}

/* Models reaplwp() in DragonFly kern_exit.c a3127495. */
void
df_reaper_reap(struct reap_lwp *lwp)
{
	if (!df_mutant_no_exit_interlock(lwp->lwp_proc->p_sys)) {
		while (df_lwp_waitdead(lwp) == 0)
			;
	}
	KERN_INJECT("dragonfly.reaplwp.dispose");
	df_lwp_dispose(lwp);
}

/*
 * Models reaplwps() in DragonFly kern_exit.c a3127495: deadlwp_task[cpu] on
 * taskqueue_thread[cpu].  Holds the CPU's deadlwp token while it reaps;
 * lwp_wait's sleeps give it up, so exits on this CPU can still queue.
 */
static void
df_reaper_run(void *ctx, int pending __unused)
{
	struct df_deadlwp *dl = ctx;
	struct reap_sys *sys = dl->dl_sys;
	struct lwkt_token *tok;
	struct reap_lwp *lwp;
	int cpu = mycpuid();

	KERN_INJECT("dragonfly.reaplwps.enter");
	KASSERT(cpu == dl->dl_cpu, "reaplwps: not on the list's CPU");
	atomic_store_explicit(&dl->dl_runner_tid, kern_td_tid(kern_curtd()),
	    memory_order_relaxed);
	atomic_store_explicit(&dl->dl_runner_cpu, cpu, memory_order_relaxed);
	atomic_fetch_add_explicit(&dl->dl_runs, 1, memory_order_relaxed);
	tok = df_deadlwp_token(sys, cpu);
	lwkt_gettoken(tok);
	while ((lwp = LIST_FIRST(&dl->dl_list)) != NULL) {
		LIST_REMOVE(lwp, lwp_reap_entry);
		df_reaper_reap(lwp);
		atomic_fetch_add_explicit(&dl->dl_reaped, 1,
		    memory_order_relaxed);
	}
	lwkt_reltoken(tok);
}

/*
 * The publish step of lwp_exit() in DragonFly kern_exit.c a3127495: put the
 * dead LWP on this CPU's list and enqueue this CPU's reaper task (which
 * coalesces while pending).  Caller holds p->p_token.
 */
void
df_deadlwp_insert(struct reap_lwp *lwp)
{
	struct reap_sys *sys = lwp->lwp_proc->p_sys;
	int cpu = mycpuid();
	struct df_deadlwp *dl = sys->s_deadlwp[cpu];
	struct lwkt_token *tok = df_deadlwp_token(sys, cpu);

	lwkt_gettoken(tok);
	LIST_INSERT_HEAD(&dl->dl_list, lwp, lwp_reap_entry);
	atomic_fetch_add_explicit(&dl->dl_enqueued, 1, memory_order_relaxed);
	if (taskqueue_enqueue(sys->s_taskq[cpu], &dl->dl_task) == EALREADY)
		atomic_fetch_add_explicit(&dl->dl_coalesced, 1,
		    memory_order_relaxed);
	lwkt_reltoken(tok);
	KERN_INJECT("dragonfly.exit.published");
}

/* Models deadlwp_init() in DragonFly kern_exit.c a3127495. */
int
df_deadlwp_init(struct reap_sys *sys)
{
	struct df_deadlwp *dl;

	sys->s_deadlwp = calloc((size_t)sys->s_ncpus, sizeof(*sys->s_deadlwp));
	KASSERT(sys->s_deadlwp != NULL, "out of memory");
	lwkt_token_init(&sys->s_deadlwp_token, "deadlwp_token");
	for (int cpu = 0; cpu < sys->s_ncpus; cpu++) {
		dl = kern_percpu_alloc(sys->s_machine, cpu, sizeof(*dl));
		KASSERT(dl != NULL, "out of memory");
		lwkt_token_init(&dl->dl_token, "deadlwpl");
		LIST_INIT(&dl->dl_list);
		TASK_INIT(&dl->dl_task, df_reaper_run, dl);
		dl->dl_sys = sys;
		dl->dl_cpu = cpu;
		atomic_init(&dl->dl_runner_cpu, -1);
		sys->s_deadlwp[cpu] = dl;
	}
	sys->s_taskq = taskqueue_create_percpu(sys->s_machine, "deadlwp");
	KASSERT(sys->s_taskq != NULL, "taskqueue_create_percpu failed");
	return 0;
}

/* Drain and stop the reapers, free the per-CPU lists. */
void
df_deadlwp_fini(struct reap_sys *sys)
{
	taskqueue_destroy_percpu(sys->s_machine, sys->s_taskq);
	for (int cpu = 0; cpu < sys->s_ncpus; cpu++) {
		KASSERT(LIST_EMPTY(&sys->s_deadlwp[cpu]->dl_list),
		    "deadlwp list not drained");
		kern_percpu_free(sys->s_machine, cpu, sys->s_deadlwp[cpu],
		    sizeof(struct df_deadlwp));
	}
	free(sys->s_deadlwp);
}

void
df_test_cpu_info(struct reap_sys *sys, int cpu, struct df_cpu_info *ci)
{
	struct df_deadlwp *dl = sys->s_deadlwp[cpu];

	ci->enqueued = atomic_load_explicit(&dl->dl_enqueued,
	    memory_order_relaxed);
	ci->coalesced = atomic_load_explicit(&dl->dl_coalesced,
	    memory_order_relaxed);
	ci->runs = atomic_load_explicit(&dl->dl_runs, memory_order_relaxed);
	ci->reaped = atomic_load_explicit(&dl->dl_reaped,
	    memory_order_relaxed);
	ci->runner_tid = atomic_load_explicit(&dl->dl_runner_tid,
	    memory_order_relaxed);
	ci->runner_cpu = atomic_load_explicit(&dl->dl_runner_cpu,
	    memory_order_relaxed);
	ci->taskq_tid = kern_td_tid(taskqueue_td(sys->s_taskq[cpu]));
}

uint64_t
df_test_early_frees(struct reap_sys *sys)
{
	return atomic_load_explicit(&sys->s_early_frees, memory_order_relaxed);
}
