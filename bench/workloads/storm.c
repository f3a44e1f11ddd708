/*
 * bench_storm.c - P processes x T LWPs all exit at once.
 *
 * A round of bench_rounds() (bench_teardown.c) with spec->procs processes
 * of spec->lwps LWPs spread over the parent threads: one bell kills them
 * all, every parent reaps its share, the round ends when all is freed.
 * One Google Benchmark iteration is one storm.
 */
#include "bench.h"

int
bench_storm(struct bench_env *env, uint64_t iters, struct bench_result *r)
{
	int procs = env->spec->procs > 0 ? env->spec->procs :
	    BENCH_STORM_PROCS;
	int lwps = env->spec->lwps > 0 ? env->spec->lwps : BENCH_STORM_LWPS;

	return bench_rounds(env, iters, procs, lwps, r);
}
