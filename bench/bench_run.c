/*
 * bench_run.c - bench_run(): open the environment, run one workload for a
 * number of iterations, collect what it measured.  The workload table is
 * bench_schema.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const int bench_teardown_sizes[] = { 1, 4, 16, 64, 256, 0 };

void
bench_result_free(struct bench_result *r)
{
	free(r->pins);
	r->pins = NULL;
}

int
bench_run(const struct bench_spec *spec, uint64_t iters,
    struct bench_result *r)
{
	struct bench_env *env = calloc(1, sizeof(*env));
	int rc;

	memset(r, 0, sizeof(*r));
	if (env == NULL) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	if (iters == 0)
		iters = 1;
	if (bench_env_open(env, spec) != 0) {
		snprintf(r->error, sizeof(r->error), "%s", env->error);
		rc = env->skipped ? BENCH_SKIPPED : -1;
		free(env);
		return rc;
	}
	if (spec->ops == NULL)
		rc = bench_native(env, iters, r);
	else switch (spec->wl) {
	case BW_CHURN_SHARED:
	case BW_CHURN_PRIVATE:
	case BW_OBSERVERS:
		rc = bench_churn(env, iters, r);
		break;
	case BW_JOIN:
		rc = bench_join(env, iters, r);
		break;
	case BW_TEARDOWN:
		rc = bench_teardown(env, iters, r);
		break;
	case BW_STORM:
		rc = bench_storm(env, iters, r);
		break;
	case BW_LOOKUP:
		rc = bench_lookup(env, iters, r);
		break;
	default:
		rc = -1;
		bench_env_fail(env, "unknown workload %d", (int)spec->wl);
	}
	if (rc != 0) {
		/*
		 * Threads of the run may be blocked inside the design for
		 * good; nothing can be unwound safely.  The caller reports
		 * the error and exits.
		 */
		snprintf(r->error, sizeof(r->error), "%s", env->error[0] ?
		    env->error : "workload failed");
		return -1;
	}

	r->region_ns = env->region_ns;
	r->cpu_ns = env->cpu_ns;
	r->sys_cpu_ns = env->sys_cpu_ns;
	r->vcsw = env->vcsw;
	r->ivcsw = env->ivcsw;
	r->st = env->st_sum;
	r->zombies_peak = env->st_sum.zombies_peak;
	if (env->ctrs != NULL) {
		r->nevents = ctr_set_nevents(env->ctrs);
		if (r->nevents > CTR_MAX)
			r->nevents = CTR_MAX;
		for (int i = 0; i < r->nevents; i++)
			r->events[i] = *ctr_set_event(env->ctrs, i);
		ctr_set_read(env->ctrs, r->values, &r->multiplexed);
		snprintf(r->counter_mode, sizeof(r->counter_mode), "%s",
		    ctr_set_mode(env->ctrs));
		r->nthreads_tracked = ctr_set_nthreads(env->ctrs);
	}
	pthread_mutex_lock(&env->lock);
	r->pin_mismatch = env->pin_mismatch;
	r->npins = env->npins;
	r->pins = malloc(sizeof(*r->pins) * (size_t)(env->npins + 1));
	if (r->pins != NULL)
		memcpy(r->pins, env->pins, sizeof(*r->pins) *
		    (size_t)env->npins);
	else
		r->npins = 0;
	pthread_mutex_unlock(&env->lock);

	if (bench_env_close(env) != 0) {
		snprintf(r->error, sizeof(r->error), "%s", env->error);
		free(env);
		return -1;
	}
	free(env);
	return 0;
}
