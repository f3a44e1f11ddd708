/*
 * cmd_run.c - `reapbench run`: the benchmarks of the matrix, through
 * Google Benchmark, into a new results folder.
 *
 * The phases: options (run_opts.c), the benchmarks and their sizes
 * (run_items.c), Google Benchmark's flags, the context (run_context.c),
 * the harness check (run_check.c), the run itself (bench_register.c reports each call), the rest of the
 * folder (run_files.c), the summary (run_summary.c), and publishing the
 * folder under its final name.  With --topology nothing runs: the pin
 * plans of the matrix on that topology are printed instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "driver.h"
#include "gbench.h"

/* What this matrix would do on another machine. */
static int
run_plans_only(struct run_opts *o)
{
	struct pin_topo *topo;
	char err[512];

	if ((topo = pin_topo_load(o->topology, err, sizeof(err))) == NULL)
		usage_error("--topology %s: %s", o->topology, err);
	run_matrix(o, pin_topo_npus(topo));
	for (int p = 0; p < o->npins; p++)
		for (int t = 0; t < o->nthreads; t++) {
			struct pin_plan plan;
			int nc = o->pins[p] == PIN_SPLIT ? 2 * o->threads[t] :
			    o->threads[t];

			if (pin_plan_make(topo, o->pins[p], nc, &plan, err,
			    sizeof(err)) != 0)
				usage_error("%s", err);
			printf("\npin %s, t:%d (%d model cpus):\n",
			    pin_policy_name(o->pins[p]), o->threads[t], nc);
			pin_plan_print(topo, &plan, stdout);
			pin_plan_free(&plan);
		}
	pin_topo_free(topo);
	return 0;
}

/*
 * Google Benchmark's flags: ours first, the user's after (the last one
 * wins); bench.json goes into the results folder.  Returns argv (kept:
 * env.json records it) and its count in *argc.
 */
static char **
run_gbench_init(const struct run_opts *o, const struct bench_results *res,
    int *argc)
{
	char **gargv = xcalloc((size_t)o->ngbargs + 16, sizeof(char *)), **left;
	int n = 0, ga;

	gargv[n++] = main_argv[0];
	gargv[n++] = xasprintf("--benchmark_repetitions=%d", o->reps);
	gargv[n++] = o->smoke ?
	    "--benchmark_enable_random_interleaving=false" :
	    "--benchmark_enable_random_interleaving=true";
	gargv[n++] = "--benchmark_report_aggregates_only=false";
	gargv[n++] = "--benchmark_display_aggregates_only=true";
	if (!o->list_tests) {
		gargv[n++] = xasprintf("--benchmark_out=%s/%s.tmp",
		    res->tmp, BENCH_FILE_JSON);
		gargv[n++] = "--benchmark_out_format=json";
	}
	for (int i = 0; i < o->ngbargs; i++)
		gargv[n++] = o->gbargs[i];
	gargv[n] = NULL;
	/* Initialize consumes the flags it knows by shifting the rest of
	 * its argv down: give it a copy, env.json records the original. */
	ga = n;
	left = xcalloc((size_t)n + 1, sizeof(char *));
	memcpy(left, gargv, sizeof(char *) * (size_t)n);
	gbench_init(&ga, left);
	if (ga > 1)
		usage_error("unknown Google Benchmark flag '%s'", left[1]);
	free(left);
	*argc = n;
	return gargv;
}

/*
 * Register every benchmark and run those selected; how many ran.  Google
 * Benchmark writes bench.json.tmp, renamed to bench.json once whole;
 * false (the one-line error printed) when it could not be.
 */
static bool
run_benchmarks(const struct run_opts *o, struct bench_reg *reg,
    const struct bench_results *res, size_t *nrun)
{
	char *tmp, *path;
	int calls = 0, e;
	bool ok = false;
	struct statvfs vfs;

	for (int i = 0; i < reg->nitems; i++) {
		if (reg->items[i].selected)
			calls += reg->items[i].failed[0] != '\0' ? 1 : o->reps;
		bench_reg_add(reg, &reg->items[i]);
	}
	reg->calls_total = o->user_min_time ? 0 : calls;
	*nrun = gbench_run(bench_reg_hook, reg, o->list_tests ? NULL : &ok);
	gbench_shutdown();
	if (o->list_tests)
		return true;
	path = path_join(res->tmp, BENCH_FILE_JSON);
	tmp = xasprintf("%s.tmp", path);
	/* Google Benchmark's stream keeps no errno: a full disk is told by
	 * the file system itself. */
	e = ok ? bench_file_publish(tmp, path) : statvfs(res->tmp, &vfs) ==
	    0 && vfs.f_bavail == 0 ? ENOSPC : EIO;
	if (e != 0)
		fprintf(stderr, "reapbench: cannot write %s: %s\n", path,
		    strerror(e));
	free(tmp);
	free(path);
	return e == 0;
}

/* pins.tsv, filled by the first call of each benchmark; false (the
 * one-line error printed) if it cannot be created. */
static bool
run_pins_open(const struct bench_results *res, struct bench_file *bf)
{
	char *path = path_join(res->tmp, BENCH_FILE_PINS);
	int e = bench_file_open(bf, path);

	if (e != 0)
		fprintf(stderr, "reapbench: cannot write %s: %s\n", path,
		    strerror(e));
	else
		fprintf(bf->f, "# benchmark\trole\tmodel_cpu\tplanned_pu\t"
		    "seen_pu\tnode (first call of each; percpu: the "
		    "CPU's per-CPU block, node of its pages)\n");
	free(path);
	return e == 0;
}

/* benchmark -> why it failed or was skipped, for env.json. */
static json_t *
run_failed_json(const struct bench_reg *reg)
{
	json_t *o = json_object();

	for (int i = 0; i < reg->nitems; i++)
		if (reg->items[i].selected && reg->items[i].failed[0] != '\0')
			json_object_set_new(o, reg->items[i].spec.name,
			    json_string(reg->items[i].failed));
	return o;
}

/*
 * Everything else into the folder, the summary, then publish it.  A file
 * that cannot be written (a full disk) ends the run with one line naming
 * it and the folder removed: a results folder is whole or absent.
 */
static int
run_publish(const struct run_opts *o, struct bench_reg *reg,
    struct bench_results *res, json_t *envj, const struct pin_topo *topo,
    uint64_t t_start)
{
	char err[512], summary[128];
	int nfailed = 0;

	if (run_write_latency(res, reg) != 0 ||
	    run_write_files(res, envj, topo) != 0) {
		bench_results_abandon(res);
		return 1;
	}
	run_summary(o, reg, bench_check_floor1(json_string_value(
	    json_object_get(envj, BENCH_CTX(BC_CHECK_NS)))), stdout);
	for (int i = 0; i < reg->nitems; i++)
		nfailed += reg->items[i].selected &&
		    reg->items[i].failed[0] != '\0';
	snprintf(summary, sizeof(summary), "complete: %d benchmark calls, "
	    "%d benchmarks failed or skipped\n", reg->calls_done, nfailed);
	if (bench_results_commit(res, summary, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench: %s\n", err);
		if (access(res->tmp, F_OK) == 0)
			bench_results_abandon(res);
		return 1;
	}
	printf("results: %s (%d benchmark calls, %.0f s)\n", res->final,
	    reg->calls_done, (double)(bench_now_ns() - t_start) / 1e9);
	return 0;
}

int
cmd_run(int argc, char **argv)
{
	uint64_t t_start = bench_now_ns();
	struct run_opts o;
	struct pin_topo *topo;
	struct bench_reg reg = { 0 };
	struct bench_results res;
	struct bench_file pins = { 0 };
	json_t *envj, *gbj;
	char err[512], **gargv;
	int gargc, rc;
	size_t n;
	bool ok;

	run_parse(argc, argv, &o);
	if (o.topology != NULL)
		return run_plans_only(&o);
	if ((topo = pin_topo_load(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "reapbench: cannot load this machine's "
		    "topology: %s\n", err);
		return 1;
	}
	run_matrix(&o, pin_topo_npus(topo));
	if (!o.list_tests)
		run_work_measure(&o);
	reg.call_budget_s = o.call_budget_s;
	reg.bench_budget_s = o.bench_budget_s;
	run_items(&o, topo, &reg);
	run_filter(&o, &reg);
	if (!o.list_tests && bench_results_begin(&res, o.out, err,
	    sizeof(err)) != 0)
		usage_error("%s", err);
	gargv = run_gbench_init(&o, &res, &gargc);
	if (o.list_tests) {
		run_benchmarks(&o, &reg, NULL, &n);
		return 0;
	}
	if (!run_pins_open(&res, &pins)) {
		bench_results_abandon(&res);
		return 1;
	}
	envj = json_object();
	run_context(&o, topo, envj);
	run_work_context(&o, envj);
	run_context_pins(&o, topo, envj);
	run_check(&o, topo, envj);
	if (!o.user_min_time)
		run_calibrate(&o, &reg);
	reg.pins = pins.f;
	ok = run_benchmarks(&o, &reg, &res, &n);
	reg.pins = NULL;
	if ((rc = bench_file_close(&pins)) != 0 && ok) {
		fprintf(stderr, "reapbench: cannot write %s: %s\n", pins.path,
		    strerror(rc));
		ok = false;
	}
	if (!ok) {
		bench_results_abandon(&res);
		return 1;
	}
	gbj = json_array();
	for (int i = 0; i < gargc; i++)
		json_array_append_new(gbj, json_string(gargv[i]));
	json_object_set_new(envj, BENCH_CTX(BC_GBENCH_ARGV), gbj);
	json_object_set_new(envj, BENCH_CTX(BC_BENCHMARKS_RUN),
	    json_integer((json_int_t)n));
	run_ab(&o, &res, envj);
	json_object_set_new(envj, BENCH_CTX(BC_BENCHMARKS_FAILED),
	    run_failed_json(&reg));
	rc = run_publish(&o, &reg, &res, envj, topo, t_start);
	bench_reg_release(&reg);
	json_decref(envj);
	pin_topo_free(topo);
	return rc;
}
