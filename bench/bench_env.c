/*
 * bench_env.c - one benchmark call's environment: the pinning plan, the
 * booted design, the counters, the shell process, quiesce and timing.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

#define BENCH_QUIESCE_TIMEOUT_NS	(60ull * 1000000000ull)
#define BENCH_HALT_TIMEOUT_MS		30000u
#define BENCH_QUIESCE_YIELDS		4	/* looks before sleeping */
#define BENCH_RECHECK_NS		50000ull	/* quiesce op again */
#define BENCH_RECHECK_MAX_NS		10000000ull
#define BENCH_SAMPLE_NS			5000000ull	/* the leader's sampler */

void
bench_env_fail(struct bench_env *env, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&env->lock);
	if (env->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(env->error, sizeof(env->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&env->lock);
}

bool
bench_env_failed(struct bench_env *env)
{
	bool failed;

	pthread_mutex_lock(&env->lock);
	failed = env->error[0] != '\0';
	pthread_mutex_unlock(&env->lock);
	return failed;
}

int
bench_exit_cpu(const struct bench_env *env, int i)
{
	return i % env->nexit;
}

int
bench_reap_cpu(const struct bench_env *env, int i)
{
	if (env->ncpus == env->nexit)
		return i % env->ncpus;
	return env->nexit + i % (env->ncpus - env->nexit);
}

/* Attach counters to a tid once; sys marks the design's threads, whose
 * CPU time makes reaper_cpu_share; inherit counts what it creates too.
 * Called with env->lock held. */
static void
bench_env_track_locked(struct bench_env *env, pid_t tid, bool sys,
    bool inherit)
{
	bool known = false;

	for (int i = 0; i < env->ntracked; i++)
		if (env->tracked[i] == tid)
			known = true;
	if (sys) {
		bool listed = false;

		for (int i = 0; i < env->nsystids; i++)
			if (env->systids[i] == tid)
				listed = true;
		if (!listed && env->nsystids < BENCH_MAX_SYSTIDS)
			env->systids[env->nsystids++] = tid;
	}
	if (known || env->ntracked >= BENCH_MAX_PINRECS)
		return;
	env->tracked[env->ntracked++] = tid;
	if (env->ctrs != NULL)
		(void)(inherit ? ctr_set_attach_inherit(env->ctrs, tid) :
		    ctr_set_attach(env->ctrs, tid));
}

void
bench_env_track(struct bench_env *env, pid_t tid, bool sys)
{
	pthread_mutex_lock(&env->lock);
	bench_env_track_locked(env, tid, sys, false);
	pthread_mutex_unlock(&env->lock);
}

/* Record where a thread was planned and seen; env->lock held. */
static void
bench_env_note_pin(struct bench_env *env, const char *role, int cpu,
    int planned, int error)
{
	int seen = pin_where();

	if (env->npins < BENCH_MAX_PINRECS) {
		struct bench_pinrec *r = &env->pins[env->npins++];

		snprintf(r->role, sizeof(r->role), "%s", role);
		r->cpu = cpu;
		r->planned = planned;
		r->seen = seen;
		r->node = pin_topo_pu_node(env->spec->topo, seen);
		r->tid = bench_gettid();
	}
	if (error != 0) {
		env->bind_errors++;
		if (env->error[0] == '\0')
			snprintf(env->error, sizeof(env->error),
			    "cannot bind a %s thread to model cpu %d (PU %d): %s",
			    role, cpu, planned, strerror(error));
	} else if (planned >= 0 && seen != planned)
		env->pin_mismatch++;
}

int
bench_env_bind(struct bench_env *env, int cpu, const char *role)
{
	int error = pin_bind(env->spec->topo, &env->plan, cpu);

	pthread_mutex_lock(&env->lock);
	bench_env_note_pin(env, role, cpu, env->plan.pu[cpu], error);
	/* Counters follow every bound thread: the design's too; native's
	 * pool threads with what they create (none of it is attached). */
	bench_env_track_locked(env, bench_gettid(), strcmp(role, "sys") == 0,
	    env->ops == NULL);
	pthread_mutex_unlock(&env->lock);
	return error;
}

/* The leader (the calling thread) goes to the plan's leader PU, with
 * its timers exact (no 50 us slack on its rechecks); both are given back
 * at close.  Model CPU -1 in the record. */
static int
bench_env_bind_leader(struct bench_env *env)
{
	int error;

	if (sched_getaffinity(0, sizeof(env->leader_mask),
	    &env->leader_mask) == 0)
		env->leader_saved = true;
	env->leader_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	if (env->leader_slack > 0)
		(void)prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
	error = pin_bind_leader(env->spec->topo, &env->plan);
	pthread_mutex_lock(&env->lock);
	bench_env_note_pin(env, "leader", -1, env->plan.leader_pu, error);
	pthread_mutex_unlock(&env->lock);
	return error;
}

/* reap_config.bind: the design's own threads and init's loop. */
static int
bench_bind_cb(int cpu, void *ctx)
{
	struct bench_env *env = ctx;

	if (cpu < 0 || cpu >= env->ncpus)
		return EINVAL;
	return bench_env_bind(env, cpu, "sys");
}

/* Per-CPU memory on the CPU's node; where the kernel put it is recorded
 * (a "percpu" pin record), so placement is proven, not assumed. */
static void *
bench_alloc_cb(int cpu, size_t size, void *ctx)
{
	struct bench_env *env = ctx;
	void *p = pin_alloc(env->spec->topo, &env->plan, cpu, size);
	int node = pin_mem_node(env->spec->topo, p, size);

	pthread_mutex_lock(&env->lock);
	if (p != NULL && env->npins < BENCH_MAX_PINRECS)
		env->pins[env->npins++] = (struct bench_pinrec){ .role =
		    "percpu", .cpu = cpu, .planned = env->plan.pu[cpu],
		    .seen = -1, .node = node, .tid = bench_gettid() };
	pthread_mutex_unlock(&env->lock);
	return p;
}

static void
bench_free_cb(void *p, size_t size, void *ctx)
{
	struct bench_env *env = ctx;

	pin_free(env->spec->topo, p, size);
}

/* reap_config.lat_record: on the freeing thread, into its CPU's own. */
static void
bench_lat_cb(int cpu, uint64_t ns, void *ctx)
{
	struct bench_env *env = ctx;

	if (cpu >= 0 && cpu < env->ncpus)
		bench_hist_add_shared(env->lat[cpu], ns);
}

void
bench_env_lat_collect(struct bench_env *env, struct bench_hist *h)
{
	for (int c = 0; env->lat != NULL && c < env->ncpus; c++)
		bench_hist_merge_shared(h, env->lat[c]);
}

void
bench_env_collect_systhreads(struct bench_env *env)
{
	pid_t tids[BENCH_MAX_SYSTIDS];
	int n;

	if (env->ops == NULL || env->ops->sys_threads == NULL)
		return;
	n = env->ops->sys_threads(env->sys, tids, BENCH_MAX_SYSTIDS);
	if (n > BENCH_MAX_SYSTIDS)
		n = BENCH_MAX_SYSTIDS;
	for (int i = 0; i < n; i++)
		bench_env_track(env, tids[i], true);
}

/* ---- the shell ---------------------------------------------------------- */

struct bench_shell_job {
	struct bench_env *env;
	int	n;
	struct bench_latch *done;
};

static void
bench_shell_enter_job(void *arg)
{
	struct bench_env *env = arg;

	env->ops->lwp_enter(env->shell);
}

static void
bench_shell_exit_job(void *arg)
{
	struct bench_env *env = arg;

	/* The shell's only LWP exits: the shell becomes init's zombie. */
	env->ops->lwp_exit(env->shell);
}

static void
bench_shell_reap_job(void *arg)
{
	struct bench_shell_job *j = arg;
	struct bench_env *env = j->env;
	struct bench_latch *done = j->done;
	int status;

	for (int i = 0; i < j->n; i++) {
		pid_t pid = env->ops->proc_wait(env->shell, -1, &status, 0);

		if (pid <= 0) {
			bench_env_fail(env, "%s: shell's proc_wait returned %d",
			    env->ops->name, (int)pid);
			break;
		}
	}
	free(j);
	bench_latch_done(done);
}

struct reap_proc *
bench_shell_fork(struct bench_env *env, struct reap_lwp **m)
{
	struct reap_proc *p = env->ops->proc_create(env->sys, env->shellproc,
	    m);

	if (p == NULL)
		bench_env_fail(env, "%s: proc_create failed", env->ops->name);
	return p;
}

void
bench_shell_reap_async(struct bench_env *env, int n, struct bench_latch *done)
{
	struct bench_shell_job *j = malloc(sizeof(*j));

	if (j == NULL)
		abort();
	j->env = env;
	j->n = n;
	j->done = done;
	bench_pool_post(env->shellpool, 0, bench_shell_reap_job, j);
}

void
bench_shell_reap(struct bench_env *env, int n)
{
	struct bench_latch done;

	bench_latch_init(&done, 1);
	bench_shell_reap_async(env, n, &done);
	bench_latch_wait(&done);
}

/* ---- open / close ------------------------------------------------------ */

/* Free what the environment owns apart from the design and its pools;
 * with the design gone (or never booted), what it could still call. */
static void
bench_env_free_own(struct bench_env *env, bool design_gone)
{
	if (env->ctrs != NULL)
		ctr_set_destroy(env->ctrs);
	env->ctrs = NULL;
	if (design_gone) {
		for (int c = 0; env->lat != NULL && c < env->ncpus; c++)
			if (env->lat[c] != NULL)
				pin_free(env->spec->topo, env->lat[c],
				    sizeof(struct bench_hist));
		free(env->lat);
		free(env->qwait);
		env->lat = NULL;
		env->qwait = NULL;
	}
	if (env->leader_saved)
		(void)sched_setaffinity(0, sizeof(env->leader_mask),
		    &env->leader_mask);
	if (env->leader_slack > 0)
		(void)prctl(PR_SET_TIMERSLACK, (unsigned long)env->leader_slack,
		    0, 0, 0);
	env->leader_saved = false;
	env->leader_slack = 0;
	pin_plan_free(&env->plan);
	free(env->cpusets);
	free(env->cpuset_known);
	env->cpusets = NULL;
	env->cpuset_known = NULL;
}

/*
 * Observers (and lookup's churner) get a reap side of their own when the
 * plan is split or the PUs allow it, so they never spin on their worker's
 * PU; else they share it and back off.
 */
static bool
bench_spec_obs_own(const struct bench_spec *spec)
{
	return (spec->wl == BW_OBSERVERS || spec->wl == BW_LOOKUP) &&
	    (spec->pin == PIN_SPLIT ||
	    2 * spec->threads <= pin_topo_npus(spec->topo));
}

/* Model CPUs: the threads, twice that under split or with a reap side. */
static int
bench_spec_ncpus(const struct bench_spec *spec)
{
	return spec->pin == PIN_SPLIT || bench_spec_obs_own(spec) ?
	    2 * spec->threads : spec->threads;
}

static int
bench_env_ncpus(struct bench_env *env, const struct bench_spec *spec)
{
	env->obs_own = bench_spec_obs_own(spec);
	return bench_spec_ncpus(spec);
}

static bool
same_ints(const int *a, const int *b, int n)
{
	return n == 0 || memcmp(a, b, sizeof(*a) * (size_t)n) == 0;
}

/*
 * a and b (one spec under two pin policies) would run the same placement
 * on this machine: every model CPU, the leader and the spare PUs on the
 * same PUs, the same sides.  On one node, compact and scatter are one
 * plan; the full matrix runs it once.
 */
bool
bench_spec_same_plan(const struct bench_spec *a, const struct bench_spec *b)
{
	struct pin_plan pa, pb;
	char err[256];
	bool same;

	if (bench_spec_obs_own(a) != bench_spec_obs_own(b) ||
	    (a->pin == PIN_SPLIT) != (b->pin == PIN_SPLIT))
		return false;
	if (pin_plan_make(a->topo, a->pin, bench_spec_ncpus(a), &pa, err,
	    sizeof(err)) != 0)
		return false;
	if (pin_plan_make(b->topo, b->pin, bench_spec_ncpus(b), &pb, err,
	    sizeof(err)) != 0) {
		pin_plan_free(&pa);
		return false;
	}
	same = pa.ncpus == pb.ncpus && pa.nexit == pb.nexit &&
	    pa.oversubscribed == pb.oversubscribed &&
	    pa.leader_pu == pb.leader_pu && pa.nspare == pb.nspare &&
	    same_ints(pa.pu, pb.pu, pa.ncpus) &&
	    same_ints(pa.node, pb.node, pa.ncpus) &&
	    same_ints(pa.spare, pb.spare, pa.nspare);
	pin_plan_free(&pa);
	pin_plan_free(&pb);
	return same;
}

/* The plan, or why this configuration is not run on this machine. */
static int
bench_env_plan(struct bench_env *env, const struct bench_spec *spec)
{
	char err[256];
	int ncpus = bench_env_ncpus(env, spec);

	if (pin_plan_make(spec->topo, spec->pin, ncpus, &env->plan, err,
	    sizeof(err)) != 0) {
		snprintf(env->error, sizeof(env->error), "%s", err);
		return -1;
	}
	if (env->plan.oversubscribed) {
		env->skipped = true;
		snprintf(env->error, sizeof(env->error), "skipped: pin %s at "
		    "t:%d plans %d model CPUs on %d PUs (the harness never "
		    "oversubscribes)", pin_policy_name(spec->pin),
		    spec->threads, ncpus, pin_topo_npus(spec->topo));
		return -1;
	}
	env->ncpus = env->plan.ncpus;
	env->nexit = env->plan.nexit > 0 && env->plan.nexit <= env->ncpus ?
	    env->plan.nexit : env->ncpus;
	if (env->obs_own && spec->pin != PIN_SPLIT)
		env->nexit = spec->threads;
	return 0;
}

/* What the harness owns: per-CPU state, the quiesce word, counters. */
static int
bench_env_alloc(struct bench_env *env, const struct bench_spec *spec)
{
	char err[256];

	env->cpusets = calloc((size_t)env->ncpus, sizeof(*env->cpusets));
	env->cpuset_known = calloc((size_t)env->ncpus,
	    sizeof(*env->cpuset_known));
	env->lat = calloc((size_t)env->ncpus, sizeof(*env->lat));
	env->qwait = aligned_alloc(64, 64);
	if (env->cpusets == NULL || env->cpuset_known == NULL ||
	    env->lat == NULL || env->qwait == NULL) {
		snprintf(env->error, sizeof(env->error), "out of memory");
		return -1;
	}
	memset(env->qwait, 0, 64);
	for (int c = 0; c < env->ncpus; c++)
		if ((env->lat[c] = pin_alloc(spec->topo, &env->plan, c,
		    sizeof(struct bench_hist))) == NULL) {
			snprintf(env->error, sizeof(env->error),
			    "out of memory");
			return -1;
		}
	if (!spec->no_counters) {
		env->ctrs = ctr_set_create(spec->events, err, sizeof(err));
		if (env->ctrs == NULL) {
			snprintf(env->error, sizeof(env->error), "%s", err);
			return -1;
		}
		/* The calling thread leads: it is counted too. */
		bench_env_track(env, bench_gettid(), false);
	}
	return 0;
}

/* Boot the design and fork the shell: a child of init that forks and
 * reaps for the harness. */
static int
bench_env_boot(struct bench_env *env)
{
	struct reap_config cfg;
	int shellcpu;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ncpus = env->ncpus;
	cfg.bind = bench_bind_cb;
	cfg.cpu_alloc = bench_alloc_cb;
	cfg.cpu_free = bench_free_cb;
	cfg.lat_record = bench_lat_cb;
	cfg.quiesce_wait = env->qwait;
	/* teardown and storm: the all-freed figure (bench_rounds) */
	cfg.free_stamp = bench_workloads[env->spec->wl].rounds;
	cfg.ctx = env;
	memcpy(cfg.work_ns, env->spec->work_ns, sizeof(cfg.work_ns));
	cfg.lat_every = env->spec->lat_every;
	if ((env->boot = reap_boot(env->ops, &cfg)) == NULL) {
		bench_env_fail(env, "%s: reap_boot failed", env->ops->name);
		return -1;
	}
	env->sys = reap_boot_sys(env->boot);
	bench_env_collect_systhreads(env);
	shellcpu = bench_reap_cpu(env, 0);
	env->shellpool = bench_pool_create(env, 1, &shellcpu, "shell");
	if (env->shellpool == NULL)
		return -1;
	env->shellproc = env->ops->proc_create(env->sys, NULL, &env->shell);
	if (env->shellproc == NULL) {
		bench_env_fail(env, "%s: cannot fork the shell", env->ops->name);
		return -1;
	}
	bench_pool_post(env->shellpool, 0, bench_shell_enter_job, env);
	return bench_env_failed(env) ? -1 : 0;
}

int
bench_env_open(struct bench_env *env, const struct bench_spec *spec)
{
	memset(env, 0, sizeof(*env));
	pthread_mutex_init(&env->lock, NULL);
	env->spec = spec;
	env->ops = spec->ops;
	if (bench_env_plan(env, spec) != 0 ||
	    bench_env_alloc(env, spec) != 0 ||
	    bench_env_bind_leader(env) != 0)
		goto fail;
	if (env->ops == NULL)
		return 0;
	if (bench_env_boot(env) != 0)
		goto fail;
	return 0;
fail:
	/* Leave the design as it is (it may be wedged); free what is ours. */
	bench_pool_destroy(env->shellpool);
	env->shellpool = NULL;
	bench_env_free_own(env, env->boot == NULL);
	return -1;
}

int
bench_env_close(struct bench_env *env)
{
	struct reap_stats fin;
	int rc = 0, h = 0;

	if (env->ops != NULL) {
		bench_pool_post(env->shellpool, 0, bench_shell_exit_job, env);
		bench_pool_destroy(env->shellpool);
		env->shellpool = NULL;
		h = reap_halt(env->boot, BENCH_HALT_TIMEOUT_MS, &fin);
		if (h == -1) {
			bench_env_fail(env, "%s: reap_halt: processes still "
			    "live after %u ms", env->ops->name,
			    BENCH_HALT_TIMEOUT_MS);
			rc = -1;
		} else if (h != 0) {
			bench_env_fail(env, "%s: leak at halt: procs %llu/%llu, "
			    "lwps %llu/%llu created/freed, zombies %llu",
			    env->ops->name,
			    (unsigned long long)fin.procs_created,
			    (unsigned long long)fin.procs_freed,
			    (unsigned long long)fin.lwps_created,
			    (unsigned long long)fin.lwps_freed,
			    (unsigned long long)fin.zombies_now);
			rc = -1;
		}
	}
	bench_env_free_own(env, h != -1);
	pthread_mutex_destroy(&env->lock);
	return rc;
}

/* ---- quiesce ------------------------------------------------------------ */

static void
bench_live(struct bench_env *env, int64_t *procs, int64_t *lwps,
    struct reap_stats *st)
{
	reap_stats_quiesced(env->ops, env->sys, st);
	*procs = (int64_t)(st->procs_created - st->procs_freed);
	*lwps = (int64_t)(st->lwps_created - st->lwps_freed);
}

void
bench_env_baseline(struct bench_env *env)
{
	struct reap_stats st;

	if (env->ops == NULL)
		return;
	bench_live(env, &env->live_procs, &env->live_lwps, &st);
}

/* Are the live counts at the targets (after the design's quiesce op)? */
static bool
bench_quiesced(struct bench_env *env, int64_t wprocs, int64_t wlwps,
    int64_t *procs, int64_t *lwps)
{
	struct reap_stats st;

	bench_live(env, procs, lwps, &st);
	return *procs == wprocs && *lwps == wlwps;
}

int
bench_env_quiesce(struct bench_env *env, int64_t gone_procs,
    int64_t gone_lwps)
{
	struct reap_quiesce_wait *q = env->qwait;
	int64_t wprocs = env->live_procs - gone_procs;
	int64_t wlwps = env->live_lwps - gone_lwps, procs, lwps;
	uint64_t start = bench_now_ns(), recheck = BENCH_RECHECK_NS;
	int rc = 0;

	if (env->ops == NULL)
		return 0;
	/* An LWP still in its carrier's switch-out window is all a lazy
	 * design leaves here: a few yields let it go, and the next
	 * quiesce op frees it (nobody would wake us for it). */
	for (int i = 0; i < BENCH_QUIESCE_YIELDS; i++) {
		if (bench_quiesced(env, wprocs, wlwps, &procs, &lwps))
			return 0;
		sched_yield();
	}
	atomic_store_explicit(&q->rq_lwps, wlwps, memory_order_relaxed);
	atomic_store_explicit(&q->rq_procs, wprocs, memory_order_relaxed);
	for (;;) {
		/* Register, then look (reap.h): a free after the look
		 * that meets the targets finds the bit and wakes us. */
		uint32_t key = reap_quiesce_prepare(q);

		if (bench_quiesced(env, wprocs, wlwps, &procs, &lwps))
			break;
		if (bench_now_ns() - start > BENCH_QUIESCE_TIMEOUT_NS) {
			bench_env_fail(env, "%s: no quiesce after 60 s: %lld "
			    "procs and %lld LWPs live, expected %lld and %lld",
			    env->ops->name, (long long)procs, (long long)lwps,
			    (long long)wprocs, (long long)wlwps);
			rc = -1;
			break;
		}
		/* The timeout is only for lazily deferred reclamation that
		 * needs the quiesce op again: nobody frees, nobody wakes. */
		if (bench_futex_wait_ns(&q->rq_word, key, recheck) ==
		    ETIMEDOUT && recheck < BENCH_RECHECK_MAX_NS)
			recheck *= 2;
	}
	reap_quiesce_done(q);
	return rc;
}

/* The zombie peak's low-rate sampler (kern.h): one stats read. */
void
bench_env_sample(struct bench_env *env)
{
#ifndef KERN_NO_ACCOUNTING
	struct reap_stats st;

	if (env->ops != NULL)
		env->ops->stats(env->sys, &st);
#else
	(void)env;
#endif
}

void
bench_env_await(struct bench_env *env, struct bench_latch *l)
{
	uint32_t v;

	while ((v = atomic_load_explicit(&l->count, memory_order_acquire)) !=
	    0)
		if (bench_futex_wait_ns(&l->count, v, BENCH_SAMPLE_NS) ==
		    ETIMEDOUT)
			bench_env_sample(env);
}

/* ---- timing ------------------------------------------------------------ */

void
bench_env_counters_start(struct bench_env *env)
{
	if (env->ctrs != NULL)
		ctr_set_start(env->ctrs);
}

void
bench_env_counters_stop(struct bench_env *env)
{
	if (env->ctrs != NULL)
		ctr_set_stop(env->ctrs);
}

static uint64_t
bench_sys_cpu(struct bench_env *env)
{
	uint64_t sum = 0;

	pthread_mutex_lock(&env->lock);
	for (int i = 0; i < env->nsystids; i++)
		sum += bench_thread_cpu_ns(env->systids[i]);
	pthread_mutex_unlock(&env->lock);
	return sum;
}

/* Context switches of every thread of the process, so far. */
static void
bench_ctxsw(uint64_t *vol, uint64_t *invol)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	(void)getrusage(RUSAGE_SELF, &ru);
	*vol = (uint64_t)ru.ru_nvcsw;
	*invol = (uint64_t)ru.ru_nivcsw;
}

void
bench_env_time_begin(struct bench_env *env)
{
	if (env->ops != NULL)
		reap_stats_quiesced(env->ops, env->sys, &env->st_begin);
	bench_ctxsw(&env->vcsw_begin, &env->ivcsw_begin);
	env->sys_begin = bench_sys_cpu(env);
	env->cpu_begin = bench_proc_cpu_ns();
	env->t_begin = bench_now_ns();
}

#define BENCH_ST_ADD(f)	env->st_sum.f += st.f - env->st_begin.f

void
bench_env_time_end(struct bench_env *env)
{
	uint64_t now = bench_now_ns(), vol, invol;
	struct reap_stats st;

	env->region_ns += now - env->t_begin;
	/* The design's threads first, as at begin: reading a running
	 * thread's clock folds its pending runtime into the process clock,
	 * which skips other CPUs' pending runtime (up to a tick each). */
	env->sys_cpu_ns += bench_sys_cpu(env) - env->sys_begin;
	env->cpu_ns += bench_proc_cpu_ns() - env->cpu_begin;
	bench_ctxsw(&vol, &invol);
	env->vcsw += vol - env->vcsw_begin;
	env->ivcsw += invol - env->ivcsw_begin;
	if (env->ops != NULL) {
		reap_stats_quiesced(env->ops, env->sys, &st);
		BENCH_ST_ADD(procs_created);
		BENCH_ST_ADD(procs_freed);
		BENCH_ST_ADD(lwps_created);
		BENCH_ST_ADD(lwps_freed);
		BENCH_ST_ADD(lwp_allocs);
		BENCH_ST_ADD(lwp_recycled);
		BENCH_ST_ADD(reaper_wakeups);
		BENCH_ST_ADD(sleeps);
		BENCH_ST_ADD(tick_sleeps);
		BENCH_ST_ADD(wakeups);
		BENCH_ST_ADD(futex_wakes);
		BENCH_ST_ADD(spins);
		env->st_sum.zombies_peak = st.zombies_peak;
	}
}

double
bench_cv(const double *v, int n)
{
	double mean = 0, var = 0;

	if (n < 2)
		return 0;
	for (int i = 0; i < n; i++)
		mean += v[i];
	mean /= n;
	if (mean == 0)
		return 0;
	for (int i = 0; i < n; i++)
		var += (v[i] - mean) * (v[i] - mean);
	var /= n - 1;
	return sqrt(var) / mean;
}
