/*
 * pick.c - `reapbench pick DIR --profile NAME`: which design to ship.
 *
 * A profile (report/profiles/NAME.profile) weighs workloads:
 *
 *	# comment
 *	about Many processes with short-lived threads.
 *	churn_private 4
 *	join 2
 *
 * Score.  In each configuration (workload, pin, threads, T) measured for
 * every candidate design (all but the `native` reference), a design scores
 * its median relative to the best candidate's: best/median for times,
 * median/best for rates, so 1 is best and 0.5 is "half as good".  A
 * workload's score is the geometric mean over its configurations, and the
 * design's score the weighted geometric mean over the profile's workloads:
 * ratios compose multiplicatively, and no single workload's unit matters.
 *
 * How sure.  The margin is winner/runner-up - 1.  Its interval is a
 * percentile bootstrap: every benchmark's repetitions are resampled, the
 * medians and scores recomputed, and the margin of the same two designs
 * taken; the fraction of resamples in which the winner stays first is
 * reported too.  Sensitivity: with log scores l[w][d] the decision between
 * the winner and a rival d is the sign of sum_w W_w (l[w][d] - l[w][win]),
 * linear in each weight, so the weight at which a workload hands the win
 * to someone else is solved exactly.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- profiles ----------------------------------------------------------- */

int
bench_profile_load(const char *dir, const char *name, struct bench_profile *p,
    char *err, size_t errlen)
{
	char path[4200], line[1024];
	FILE *f;
	int lineno = 0;
	double total = 0;

	memset(p, 0, sizeof(*p));
	if (strchr(name, '/') != NULL)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s.profile", dir, name);
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "profile %s: %s: %s", name, path,
		    strerror(errno));
		return -1;
	}
	{
		const char *b = strrchr(name, '/');
		char *dot;

		p->name = bench_xstrdup(b != NULL ? b + 1 : name);
		if ((dot = strstr(p->name, ".profile")) != NULL)
			*dot = '\0';
	}
	p->about = bench_xstrdup("");
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e, wl[128];
		double w;
		int used;

		lineno++;
		if ((e = strchr(s, '#')) != NULL)
			*e = '\0';
		while (isspace((unsigned char)*s))
			s++;
		for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (*s == '\0')
			continue;
		if (strncmp(s, "about", 5) == 0 && isspace((unsigned char)s[5])) {
			free(p->about);
			s += 5;
			while (isspace((unsigned char)*s))
				s++;
			p->about = bench_xstrdup(s);
			continue;
		}
		if (sscanf(s, "%127s %lf %n", wl, &w, &used) != 2 ||
		    s[used] != '\0' || !(w >= 0) || isinf(w)) {
			snprintf(err, errlen, "%s:%d: expected \"<workload> "
			    "<weight >= 0>\" or \"about <text>\"", path,
			    lineno);
			fclose(f);
			return -1;
		}
		p->w = realloc(p->w, (p->n + 1) * sizeof(*p->w));
		if (p->w == NULL)
			abort();
		p->w[p->n].workload = bench_xstrdup(wl);
		p->w[p->n++].weight = w;
		total += w;
	}
	fclose(f);
	if (total <= 0) {
		snprintf(err, errlen, "%s: no workload has a positive weight",
		    path);
		return -1;
	}
	return 0;
}

void
bench_profile_free(struct bench_profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->w[i].workload);
	free(p->w);
	free(p->name);
	free(p->about);
	memset(p, 0, sizeof(*p));
}

/* ---- the score ----------------------------------------------------------- */

/* One configuration usable for the pick: every candidate measured. */
struct cfg {
	size_t	 wl;		/* index into the pick's workloads */
	bool	 higher_better;
	const double **v;	/* [candidate] samples */
	size_t	*n;		/* [candidate] sample counts */
};

/*
 * Log scores of every candidate from medians med[c * nd + d]:
 * out[d] = sum_w W_w lw[w][d] / sum W; lw (nw * nd) receives the
 * per-workload log scores.
 */
static void
scores(const struct cfg *cf, size_t nc, size_t nd, size_t nw,
    const double *weight, const double *med, double *lw, double *out)
{
	double wsum = 0;
	size_t *cnt = bench_xcalloc(nw, sizeof(size_t));

	for (size_t i = 0; i < nw * nd; i++)
		lw[i] = 0;
	for (size_t c = 0; c < nc; c++) {
		const double *m = &med[c * nd];
		double best = m[0];

		for (size_t d = 1; d < nd; d++)
			best = cf[c].higher_better ? fmax(best, m[d]) :
			    fmin(best, m[d]);
		for (size_t d = 0; d < nd; d++)
			lw[cf[c].wl * nd + d] += cf[c].higher_better ?
			    log(m[d] / best) : log(best / m[d]);
		cnt[cf[c].wl]++;
	}
	for (size_t d = 0; d < nd; d++)
		out[d] = 0;
	for (size_t w = 0; w < nw; w++) {
		for (size_t d = 0; d < nd; d++) {
			lw[w * nd + d] /= (double)cnt[w];
			out[d] += weight[w] * lw[w * nd + d];
		}
		wsum += weight[w];
	}
	for (size_t d = 0; d < nd; d++)
		out[d] /= wsum;
	free(cnt);
}

static size_t
argmax(const double *x, size_t n, size_t skip)
{
	size_t b = skip == 0 ? 1 : 0;

	for (size_t i = 0; i < n; i++)
		if (i != skip && x[i] > x[b])
			b = i;
	return b;
}

int
bench_pick_compute(const struct bench_rdir *r,
    const struct bench_profile *p, struct bench_pick *pk, char *err,
    size_t errlen)
{
	struct bench_table *t;
	size_t nt, nd = 0, nw = 0, nc = 0, win, run;
	const char **cand;
	const char **wl;
	double *weight, *med, *lw, *sc;
	struct cfg *cf;
	size_t *rank;
	int rc = -1;

	memset(pk, 0, sizeof(*pk));
	bench_tables_build(r, &t, &nt);
	cand = bench_xcalloc(r->ns, sizeof(char *));
	for (size_t i = 0; i < r->ns; i++) {
		const char *d = r->s[i].design;
		bool seen = false;

		if (bench_design_is_reference(d))
			continue;
		for (size_t k = 0; k < nd; k++)
			seen |= strcmp(cand[k], d) == 0;
		if (!seen)
			cand[nd++] = d;
	}
	wl = bench_xcalloc(p->n, sizeof(char *));
	weight = bench_xcalloc(p->n, sizeof(double));
	pk->missing = bench_xcalloc(p->n, sizeof(char *));
	cf = bench_xcalloc(nt, sizeof(*cf));
	/* Usable configurations of each weighted workload. */
	for (size_t i = 0; i < p->n; i++) {
		size_t before = nc;

		if (p->w[i].weight <= 0)
			continue;
		for (size_t j = 0; j < nt; j++) {
			const struct bench_table *tb = &t[j];
			bool all = nd > 0;

			if (strcmp(tb->workload, p->w[i].workload) != 0)
				continue;
			cf[nc].v = bench_xcalloc(nd, sizeof(double *));
			cf[nc].n = bench_xcalloc(nd, sizeof(size_t));
			for (size_t d = 0; d < nd; d++) {
				for (size_t k = 0; k < tb->nrows; k++)
					if (!strcmp(tb->rows[k].s->design,
					    cand[d]) && tb->rows[k].n > 0 &&
					    tb->rows[k].median > 0) {
						cf[nc].v[d] = tb->rows[k].v;
						cf[nc].n[d] = tb->rows[k].n;
					}
				all &= cf[nc].v[d] != NULL;
			}
			if (!all) {
				free(cf[nc].v);
				free(cf[nc].n);
				continue;
			}
			cf[nc].wl = nw;
			cf[nc].higher_better = tb->m.higher_better;
			nc++;
		}
		if (nc > before) {
			wl[nw] = p->w[i].workload;
			weight[nw++] = p->w[i].weight;
		} else
			pk->missing[pk->nmissing++] = bench_xstrdup(p->w[i].workload);
	}
	if (nd < 2) {
		snprintf(err, errlen, "%s: %zu candidate design%s (native "
		    "excluded): nothing to pick between", r->dir, nd,
		    nd == 1 ? "" : "s");
		goto out;
	}
	if (nw == 0) {
		snprintf(err, errlen, "%s: none of profile %s's workloads was "
		    "measured for every design", r->dir, p->name);
		goto out;
	}

	med = bench_xcalloc(nc * nd, sizeof(double));
	lw = bench_xcalloc(nw * nd, sizeof(double));
	sc = bench_xcalloc(nd, sizeof(double));
	for (size_t c = 0; c < nc; c++)
		for (size_t d = 0; d < nd; d++)
			med[c * nd + d] = stats_median(cf[c].v[d],
			    cf[c].n[d]);
	scores(cf, nc, nd, nw, weight, med, lw, sc);

	/* Rank: descending score, canonical order breaking ties. */
	rank = bench_xcalloc(nd, sizeof(size_t));
	for (size_t d = 0; d < nd; d++)
		rank[d] = d;
	for (size_t i = 1; i < nd; i++)
		for (size_t k = i; k > 0 && (sc[rank[k]] > sc[rank[k - 1]] ||
		    (sc[rank[k]] == sc[rank[k - 1]] &&
		    bench_design_order(cand[rank[k]]) <
		    bench_design_order(cand[rank[k - 1]]))); k--) {
			size_t x = rank[k];
			rank[k] = rank[k - 1];
			rank[k - 1] = x;
		}
	win = rank[0];
	run = rank[1];
	pk->nd = nd;
	pk->design = bench_xcalloc(nd, sizeof(char *));
	pk->score = bench_xcalloc(nd, sizeof(double));
	pk->nw = nw;
	pk->wl = bench_xcalloc(nw, sizeof(char *));
	pk->wl_weight = bench_xcalloc(nw, sizeof(double));
	pk->wl_score = bench_xcalloc(nw * nd, sizeof(double));
	pk->wl_best = bench_xcalloc(nw, sizeof(char *));
	for (size_t i = 0; i < nd; i++) {
		pk->design[i] = cand[rank[i]];
		pk->score[i] = exp(sc[rank[i]]);
		for (size_t w = 0; w < nw; w++)
			pk->wl_score[i * nw + w] = exp(lw[w * nd + rank[i]]);
	}
	for (size_t w = 0; w < nw; w++) {
		size_t b = 0;

		pk->wl[w] = wl[w];
		pk->wl_weight[w] = weight[w];
		for (size_t d = 1; d < nd; d++)
			if (lw[w * nd + d] > lw[w * nd + b])
				b = d;
		pk->wl_best[w] = cand[b];
	}
	pk->margin = exp(sc[win] - sc[run]) - 1;

	/* Sensitivity of the decision to each workload's weight. */
	pk->flip = bench_xcalloc(nw, sizeof(*pk->flip));
	for (size_t w = 0; w < nw; w++) {
		struct bench_flip *fl = &pk->flip[w];
		double bestdist = INFINITY;

		fl->workload = wl[w];
		fl->weight = weight[w];
		for (size_t d = 0; d < nd; d++) {
			double D = 0, dw, at, dist;

			if (d == win)
				continue;
			/* D < 0: the winner is ahead of d overall. */
			for (size_t v = 0; v < nw; v++)
				D += weight[v] * (lw[v * nd + d] -
				    lw[v * nd + win]);
			dw = lw[w * nd + d] - lw[w * nd + win];
			if (dw == 0)
				continue;
			at = weight[w] - D / dw;
			if (dw < 0 && at <= 0)
				continue;	/* even weight 0 keeps it */
			dist = fabs(at - weight[w]);
			if (dist < bestdist) {
				bestdist = dist;
				fl->rival = cand[d];
				fl->at = at;
				fl->above = dw > 0;
			}
		}
	}

	/* Bootstrap the margin. */
	{
		struct stats_rng g;
		double *bm = bench_xcalloc(nc * nd, sizeof(double));
		double *bsc = bench_xcalloc(nd, sizeof(double));
		double *margins = bench_xcalloc(BENCH_BOOT_ROUNDS, sizeof(double));
		double *tmp;
		size_t maxn = 1, keep = 0;

		for (size_t c = 0; c < nc; c++)
			for (size_t d = 0; d < nd; d++)
				if (cf[c].n[d] > maxn)
					maxn = cf[c].n[d];
		tmp = bench_xcalloc(maxn, sizeof(double));
		stats_rng_seed(&g, BENCH_BOOT_SEED);
		for (unsigned b = 0; b < BENCH_BOOT_ROUNDS; b++) {
			for (size_t c = 0; c < nc; c++)
				for (size_t d = 0; d < nd; d++) {
					stats_resample(&g, cf[c].v[d],
					    cf[c].n[d], tmp);
					bm[c * nd + d] = stats_median(tmp,
					    cf[c].n[d]);
				}
			scores(cf, nc, nd, nw, weight, bm, lw, bsc);
			margins[b] = exp(bsc[win] - bsc[run]) - 1;
			keep += argmax(bsc, nd, nd) == win;
		}
		pk->p_keep = (double)keep / BENCH_BOOT_ROUNDS;
		pk->margin_ci.coverage = 0.95;
		pk->margin_ci.lo = stats_percentile(margins,
		    BENCH_BOOT_ROUNDS, 0.025);
		pk->margin_ci.hi = stats_percentile(margins,
		    BENCH_BOOT_ROUNDS, 0.975);
		free(bm);
		free(bsc);
		free(margins);
		free(tmp);
	}
	free(med);
	free(lw);
	free(sc);
	free(rank);
	rc = 0;
out:
	for (size_t c = 0; c < nc; c++) {
		free(cf[c].v);
		free(cf[c].n);
	}
	free(cf);
	free(wl);
	free(weight);
	free(cand);
	/* pk->design etc. point into r's series names, not into t. */
	bench_tables_free(t, nt);
	return rc;
}

void
bench_pick_free(struct bench_pick *pk)
{
	for (size_t i = 0; i < pk->nmissing; i++)
		free(pk->missing[i]);
	free(pk->missing);
	free(pk->design);
	free(pk->score);
	free(pk->wl);
	free(pk->wl_weight);
	free(pk->wl_score);
	free(pk->wl_best);
	free(pk->flip);
	memset(pk, 0, sizeof(*pk));
}

/* ---- the decision in words ------------------------------------------------ */

void
bench_pick_print(FILE *f, const struct bench_profile *p,
    const struct bench_pick *pk, bool md)
{
	const char *li = md ? "- " : "  ";
	bool decisive = pk->margin_ci.lo > 0;

	if (md)
		fprintf(f, "### Profile `%s`\n\n%s%s", p->name, p->about,
		    *p->about ? "\n\n" : "");
	else
		fprintf(f, "profile %s%s%s\n\n", p->name, *p->about ? ": " :
		    "", p->about);
	if (md)
		fprintf(f, "| rank | design | score |");
	else
		fprintf(f, "rank  %-16s score", "design");
	for (size_t w = 0; w < pk->nw; w++)
		fprintf(f, md ? " %s (w %g) |" : "  %s(w%g)", pk->wl[w],
		    pk->wl_weight[w]);
	if (md) {
		fprintf(f, "\n|---:|---|---:|");
		for (size_t w = 0; w < pk->nw; w++)
			fprintf(f, "---:|");
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < pk->nd; i++) {
		if (md)
			fprintf(f, "| %zu | %s | %.3f |", i + 1, pk->design[i],
			    pk->score[i]);
		else
			fprintf(f, "%4zu  %-16s %.3f", i + 1, pk->design[i],
			    pk->score[i]);
		for (size_t w = 0; w < pk->nw; w++) {
			double v = pk->wl_score[i * pk->nw + w];

			if (md)
				fprintf(f, " %.3f |", v);
			else
				fprintf(f, "  %*.3f", (int)(strlen(pk->wl[w]) +
				    3 + snprintf(NULL, 0, "%g",
				    pk->wl_weight[w])), v);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n%sScores: 1.000 = the best candidate in every "
	    "configuration; a workload's score is the geometric mean of "
	    "(median relative to the best) over its configurations, the "
	    "total their weighted geometric mean.\n\n", md ? "" : "");
	fprintf(f, "%s%s: %s, ahead of %s by %.1f%% (95%% bootstrap CI "
	    "%+.1f%% .. %+.1f%%; first in %.1f%% of %d resamples).\n", li,
	    decisive ? "Winner" : "Leader (not decisive)", pk->design[0],
	    pk->design[1], pk->margin * 100, pk->margin_ci.lo * 100,
	    pk->margin_ci.hi * 100, pk->p_keep * 100, BENCH_BOOT_ROUNDS);
	if (!decisive)
		fprintf(f, "%sThe margin's interval reaches zero: the data "
		    "does not separate %s from %s; run more repetitions "
		    "before deciding.\n", li, pk->design[0], pk->design[1]);
	for (size_t w = 0; w < pk->nw; w++)
		if (strcmp(pk->wl_best[w], pk->design[0]) != 0)
			fprintf(f, "%s%s is not the best on %s: %s is "
			    "(%s scores %.3f there).\n", li, pk->design[0],
			    pk->wl[w], pk->wl_best[w], pk->design[0],
			    pk->wl_score[w]);
	for (size_t w = 0; w < pk->nw; w++) {
		const struct bench_flip *fl = &pk->flip[w];

		if (fl->rival == NULL)
			fprintf(f, "%sWeight of %s (%g): no weight of it "
			    "changes the decision.\n", li, fl->workload,
			    fl->weight);
		else if (fl->above)
			fprintf(f, "%sWeight of %s (%g): %s would win if it "
			    "rose above %.3g.\n", li, fl->workload,
			    fl->weight, fl->rival, fl->at);
		else
			fprintf(f, "%sWeight of %s (%g): %s would win if it "
			    "fell below %.3g.\n", li, fl->workload,
			    fl->weight, fl->rival, fl->at);
	}
	{
		double best = INFINITY;
		size_t bw = pk->nw;

		for (size_t w = 0; w < pk->nw; w++)
			if (pk->flip[w].rival != NULL &&
			    fabs(pk->flip[w].at - pk->flip[w].weight) /
			    pk->flip[w].weight < best) {
				best = fabs(pk->flip[w].at -
				    pk->flip[w].weight) / pk->flip[w].weight;
				bw = w;
			}
		if (bw < pk->nw)
			fprintf(f, "%sThe workload that would most readily "
			    "change the decision: %s (to %s).\n", li,
			    pk->wl[bw], pk->flip[bw].rival);
		else
			fprintf(f, "%sNo single workload's weight changes the "
			    "decision: %s leads on every workload.\n", li,
			    pk->design[0]);
	}
	for (size_t i = 0; i < pk->nmissing; i++)
		fprintf(f, "%sProfile workload %s was not measured for every "
		    "design and is left out.\n", li, pk->missing[i]);
	fprintf(f, "\n");
}

/* ---- main -------------------------------------------------------------------- */

int
bench_pick_main(int argc, char **argv)
{
	const char *dir = NULL, *name = NULL, *pdir = "report/profiles";
	struct bench_rdir r;
	struct bench_profile p;
	struct bench_pick pk;
	char err[1024];
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--profiles-dir") == 0 && i + 1 < argc)
			pdir = argv[++i];
		else if (argv[i][0] != '-' && dir == NULL)
			dir = argv[i];
		else
			name = dir = NULL, i = argc;
	}
	if (dir == NULL || name == NULL) {
		fprintf(stderr, "usage: reapbench pick RESULTS --profile NAME "
		    "[--profiles-dir DIR]\n");
		return 2;
	}
	if (bench_profile_load(pdir, name, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench pick: %s\n", err);
		bench_profile_free(&p);
		return 1;
	}
	if (bench_rdir_load(dir, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench pick: %s\n", err);
		bench_rdir_free(&r);
		bench_profile_free(&p);
		return 1;
	}
	if (bench_pick_compute(&r, &p, &pk, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench pick: %s\n", err);
		rc = 1;
	} else {
		printf("results %s (%s)\n", dir,
		    bench_rdir_ctx(&r, "host_name") ?
		    bench_rdir_ctx(&r, "host_name") : "unknown host");
		bench_pick_print(stdout, &p, &pk, false);
	}
	bench_pick_free(&pk);
	bench_rdir_free(&r);
	bench_profile_free(&p);
	return rc;
}
