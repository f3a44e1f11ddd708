/*
 * run_ab.c - the instrument's cost: with --accounting ab the churn
 * workloads of the run are run once more by reapbench-noacct (the same
 * sources built beside reapbench with -DKERN_NO_ACCOUNTING, driver/
 * module.mk) into the results folder's noacct/, so the report can set
 * each design's time with and without the accounting side by side.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"

/* reapbench-noacct beside this program, or NULL. */
static char *
ab_binary(void)
{
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return path_join(self, "reapbench-noacct");
}

/* "a,b,c" of what keep() lets through. */
static char *
ab_list(const char *const *v, int n, const char *skip)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	s = xcalloc(len, 1);
	for (int i = 0; i < n; i++)
		if (skip == NULL || strcmp(v[i], skip) != 0) {
			if (*s)
				strcat(s, ",");
			strcat(s, v[i]);
		}
	return s;
}

/* The child's argv: the run's designs (not native), its churn workloads,
 * threads, pins and repetitions. NULL if nothing to run. */
static char **
ab_argv(const struct run_opts *o, const char *bin, const char *out)
{
	const char *wl[2], *th[RUN_MAXTHREADS], *pn[PIN_NPOLICIES];
	char **av = xcalloc((size_t)o->ngbargs + 20, sizeof(char *));
	char tbuf[RUN_MAXTHREADS][16];
	int nw = 0, n = 0;

	for (int i = 0; i < o->nwls; i++)
		if (o->wls[i] == BW_CHURN_SHARED || o->wls[i] == BW_CHURN_PRIVATE)
			wl[nw++] = bench_workloads[o->wls[i]].name;
	for (int i = 0; i < o->nthreads; i++) {
		snprintf(tbuf[i], sizeof(tbuf[i]), "%d", o->threads[i]);
		th[i] = tbuf[i];
	}
	for (int i = 0; i < o->npins; i++)
		pn[i] = pin_policy_name(o->pins[i]);
	av[n++] = (char *)bin;
	av[n++] = "run";
	av[n++] = "--design";
	av[n++] = ab_list((const char *const *)o->designs, o->ndesigns,
	    "native");
	av[n++] = "--workload";
	av[n++] = ab_list(wl, nw, NULL);
	av[n++] = "--threads";
	av[n++] = ab_list(th, o->nthreads, NULL);
	av[n++] = "--pin";
	av[n++] = ab_list(pn, o->npins, NULL);
	av[n++] = "--repetitions";
	av[n++] = xasprintf("%d", o->reps);
	av[n++] = "--matrix";
	av[n++] = (char *)o->matrix;
	av[n++] = "--out";
	av[n++] = (char *)out;
	av[n++] = "--work-ns";		/* the same costs, not measured anew */
	av[n++] = run_work_arg(o);
	av[n++] = "--work-x";		/* the A/B is at the run's own costs */
	av[n++] = "1";
	for (int i = 0; i < o->ngbargs; i++)
		av[n++] = o->gbargs[i];
	if (nw == 0 || *av[3] == '\0') {
		free(av);
		return NULL;
	}
	return av;
}

void
run_ab(const struct run_opts *o, const struct bench_results *res,
    json_t *envj)
{
	char *bin = ab_binary(), *out = path_join(res->tmp, BENCH_DIR_NOACCT);
	char **av = NULL, why[512];
	int st = 0;
	pid_t pid;

	if (strcmp(o->accounting, "ab") != 0)
		snprintf(why, sizeof(why), "off (reapbench run --accounting "
		    "ab, as make bench runs, measures it)");
	else if (bin == NULL || access(bin, X_OK) != 0)
		snprintf(why, sizeof(why), "not run: %s is missing (make "
		    "build/reapbench-noacct)", bin ? bin : "reapbench-noacct");
	else if ((av = ab_argv(o, bin, out)) == NULL)
		snprintf(why, sizeof(why), "not run: no churn workload of a "
		    "model design in this run");
	else {
		fprintf(stderr, "accounting A/B: the churn workloads again, "
		    "accounting compiled out (%s)\n", bin);
		fflush(NULL);
		if ((pid = fork()) == 0) {
			execv(bin, av);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			snprintf(why, sizeof(why), "failed: %s exited with "
			    "status %d", bin, WIFEXITED(st) ?
			    WEXITSTATUS(st) : -1);
		else
			snprintf(why, sizeof(why), "%s/: the churn workloads by "
			    "reapbench-noacct (-DKERN_NO_ACCOUNTING)",
			    BENCH_DIR_NOACCT);
	}
	/* After the run: env.json's, not Google Benchmark's context. */
	json_object_set_new(envj, BENCH_CTX(BC_ACCOUNTING_AB),
	    json_string(why));
	free(av);
	free(bin);
	free(out);
}
