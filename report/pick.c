/*
 * pick.c - `reapbench pick DIR --profile NAME`: which design to ship.
 *
 * Score.  In each configuration (workload, pin, threads, T) measured for
 * every candidate design (all but the `native` reference), a design scores
 * its median relative to the best candidate's: best/median for times,
 * median/best for rates, so 1 is best and 0.5 is "half as good".  A
 * workload's score is the geometric mean over its configurations, and the
 * design's score the weighted geometric mean over the profile's workloads
 * (profile.c): ratios compose multiplicatively, and no single workload's
 * unit matters.
 *
 * Teardown and storm.  A configuration of theirs counts twice, once on
 * each teardown figure's p50 (report_figures.c): parent wakes (proc_exit
 * -> proc_wait returns) and all freed (-> every LWP and the process
 * freed); the workload's score is the geometric mean of both, so a
 * design that wakes the parent early but leaves the reclaim to later
 * wins only one half.  A run without the all-freed figure keeps the
 * time per round.
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
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One configuration usable for the pick: every candidate measured. */
struct cfg {
	size_t	 wl;		/* index into the pick's workloads */
	bool	 higher_better;
	const double **v;	/* [candidate] samples */
	size_t	*n;		/* [candidate] sample counts */
};

/* What the phases of pick_compute() hand each other. */
struct pick_work {
	const struct rdir *r;
	const struct profile *p;
	struct report_table *t;
	size_t	 nt;
	const char **cand;	/* candidate designs, in order of appearance */
	size_t	 nd;
	const char **wl;	/* weighted workloads with usable configs */
	double	*weight;
	size_t	 nw;
	struct cfg *cf;
	size_t	 nc;
	double	*lw;		/* [nw * nd] per-workload log scores */
	double	*sc;		/* [nd] log scores */
	size_t	 win, run;	/* winner and runner-up, into cand */
};

/* ---- the score ---------------------------------------------------------- */

/*
 * Log scores of every candidate from medians med[c * nd + d]:
 * out[d] = sum_w W_w lw[w][d] / sum W; lw (nw * nd) receives the
 * per-workload log scores.
 */
static void
scores(const struct pick_work *pw, const double *med, double *lw,
    double *out)
{
	size_t nd = pw->nd, nw = pw->nw, *cnt = xcalloc(nw, sizeof(size_t));
	const struct cfg *cf = pw->cf;
	double wsum = 0;

	for (size_t i = 0; i < nw * nd; i++)
		lw[i] = 0;
	for (size_t c = 0; c < pw->nc; c++) {
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
			out[d] += pw->weight[w] * lw[w * nd + d];
		}
		wsum += pw->weight[w];
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

/* Every design but the reference, in order of appearance. */
static void
pick_candidates(struct pick_work *pw)
{
	const struct rdir *r = pw->r;

	pw->cand = xcalloc(r->ns, sizeof(char *));
	for (size_t i = 0; i < r->ns; i++) {
		const char *d = r->s[i].design;
		bool seen = false;

		if (report_design_is_reference(d))
			continue;
		for (size_t k = 0; k < pw->nd; k++)
			seen |= strcmp(pw->cand[k], d) == 0;
		if (!seen)
			pw->cand[pw->nd++] = d;
	}
}

/* Table tb as configuration cf if every candidate has samples there. */
static bool
pick_cfg(const struct pick_work *pw, const struct report_table *tb,
    struct cfg *cf)
{
	bool all = pw->nd > 0;

	cf->v = xcalloc(pw->nd, sizeof(double *));
	cf->n = xcalloc(pw->nd, sizeof(size_t));
	for (size_t d = 0; d < pw->nd; d++) {
		for (size_t k = 0; k < tb->nrows; k++) {
			const struct report_row *row = &tb->rows[k];

			if (!strcmp(row->s->design, pw->cand[d]) &&
			    row->n > 0 && row->median > 0) {
				cf->v[d] = row->v;
				cf->n[d] = row->n;
			}
		}
		all &= cf->v[d] != NULL;
	}
	if (!all) {
		free(cf->v);
		free(cf->n);
		return false;
	}
	cf->higher_better = tb->m.higher_better;
	return true;
}

/*
 * Whether cf (built from tb) may decide: not with fewer than
 * PICK_MIN_REPS repetitions of any candidate, and not with more than one
 * thread in an instrument-bound run.  Counts the refusals in pk.
 */
static bool
pick_trust(const struct cfg *cf, const struct report_table *tb, size_t nd,
    bool bound, struct pick *pk)
{
	size_t nmin = SIZE_MAX;

	for (size_t d = 0; d < nd; d++)
		if (cf->n[d] < nmin)
			nmin = cf->n[d];
	if (nmin < PICK_MIN_REPS) {
		if (pk->refused_reps++ == 0 || nmin < pk->reps_min)
			pk->reps_min = nmin;
		return false;
	}
	if (bound && tb->threads > 1) {
		pk->refused_bound++;
		return false;
	}
	return true;
}

/* A rounds table whose two figures are in ft (the figure tables of
 * both kinds), by configuration. */
static size_t
pick_fig_count(const struct report_table *ft, size_t n,
    const struct report_table *t)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += !strcmp(ft[i].workload, t->workload) &&
		    !strcmp(ft[i].pin, t->pin) && ft[i].threads == t->threads &&
		    ft[i].tcount == t->tcount;
	return c;
}

/* The tables the pick scores: a rounds configuration with both figures
 * is replaced by its two figure tables. */
static void
pick_tables(struct pick_work *pw)
{
	size_t nwk, nfr, n = 0, nf;
	struct report_table *wk = report_tables_figure(pw->t, pw->nt,
	    REPORT_WAKES, &nwk), *fr = report_tables_figure(pw->t, pw->nt,
	    REPORT_FREED, &nfr), *out, *ft;

	out = xcalloc(pw->nt + 2 * (nwk + nfr) + 1, sizeof(*out));
	ft = xcalloc(nwk + nfr + 1, sizeof(*ft));
	for (size_t i = 0; i < nwk; i++)
		ft[i] = wk[i];
	for (size_t i = 0; i < nfr; i++)
		ft[nwk + i] = fr[i];
	for (size_t j = 0; j < pw->nt; j++) {
		struct report_table *t = &pw->t[j];

		if (pick_fig_count(ft, nwk + nfr, t) < 2) {
			out[n++] = *t;
			continue;
		}
		for (size_t i = 0; i < nwk + nfr; i++)
			if (pick_fig_count(t, 1, &ft[i]) == 1)
				out[n++] = ft[i], ft[i].rows = NULL;
		for (size_t k = 0; k < t->nrows; k++)
			free(t->rows[k].v);
		free(t->rows);
	}
	nf = 0;
	for (size_t i = 0; i < nwk + nfr; i++)
		if (ft[i].rows != NULL)
			ft[nf++] = ft[i];
	report_tables_free(ft, nf);	/* figures of no kept table */
	free(wk);
	free(fr);
	free(pw->t);
	pw->t = out;
	pw->nt = n;
}

/* Usable configurations of each weighted workload; the others missing. */
static void
pick_configs(struct pick_work *pw, struct pick *pk)
{
	const struct profile *p = pw->p;
	struct report_check ck;

	report_check_read(pw->r, &ck);
	if (ck.bound)
		report_check_words(&ck, pk->bound_why, sizeof(pk->bound_why));

	pw->wl = xcalloc(p->n, sizeof(char *));
	pw->weight = xcalloc(p->n, sizeof(double));
	pk->missing = xcalloc(p->n, sizeof(char *));
	pw->cf = xcalloc(pw->nt, sizeof(*pw->cf));
	for (size_t i = 0; i < p->n; i++) {
		size_t before = pw->nc, refused = pk->refused_reps +
		    pk->refused_bound;

		if (p->w[i].weight <= 0)
			continue;
		for (size_t j = 0; j < pw->nt; j++) {
			struct cfg *cf = &pw->cf[pw->nc];

			if (strcmp(pw->t[j].workload, p->w[i].workload) != 0 ||
			    !pick_cfg(pw, &pw->t[j], cf))
				continue;
			if (pick_trust(cf, &pw->t[j], pw->nd, ck.bound, pk)) {
				for (size_t d = 0; d < pw->nd; d++)
					if (pk->reps_used == 0 ||
					    cf->n[d] < pk->reps_used)
						pk->reps_used = cf->n[d];
				pw->cf[pw->nc++].wl = pw->nw;
			}
			else {
				free(cf->v);
				free(cf->n);
			}
		}
		if (pw->nc > before) {
			pw->wl[pw->nw] = p->w[i].workload;
			pw->weight[pw->nw++] = p->w[i].weight;
		} else if (pk->refused_reps + pk->refused_bound == refused)
			pk->missing[pk->nmissing++] = xstrdup(p->w[i].workload);
	}
}

/* Scores of the medians; rank: descending score, canonical order
 * breaking ties. */
static void
pick_rank(struct pick_work *pw, size_t *rank)
{
	size_t nd = pw->nd;
	double *med = xcalloc(pw->nc * nd, sizeof(double)), *sc;

	pw->lw = xcalloc(pw->nw * nd, sizeof(double));
	sc = pw->sc = xcalloc(nd, sizeof(double));
	for (size_t c = 0; c < pw->nc; c++)
		for (size_t d = 0; d < nd; d++)
			med[c * nd + d] = stats_median(pw->cf[c].v[d],
			    pw->cf[c].n[d]);
	scores(pw, med, pw->lw, sc);
	free(med);
	for (size_t d = 0; d < nd; d++)
		rank[d] = d;
	for (size_t i = 1; i < nd; i++)
		for (size_t k = i; k > 0 && (sc[rank[k]] > sc[rank[k - 1]] ||
		    (sc[rank[k]] == sc[rank[k - 1]] &&
		    report_design_order(pw->cand[rank[k]]) <
		    report_design_order(pw->cand[rank[k - 1]]))); k--) {
			size_t x = rank[k];

			rank[k] = rank[k - 1];
			rank[k - 1] = x;
		}
	pw->win = rank[0];
	pw->run = rank[1];
}

/* The ranking and per-workload scores into pk. */
static void
pick_fill(const struct pick_work *pw, const size_t *rank, struct pick *pk)
{
	size_t nd = pw->nd, nw = pw->nw;
	const double *lw = pw->lw;

	pk->nd = nd;
	pk->design = xcalloc(nd, sizeof(char *));
	pk->score = xcalloc(nd, sizeof(double));
	pk->nw = nw;
	pk->wl = xcalloc(nw, sizeof(char *));
	pk->wl_weight = xcalloc(nw, sizeof(double));
	pk->wl_score = xcalloc(nw * nd, sizeof(double));
	pk->wl_best = xcalloc(nw, sizeof(char *));
	for (size_t i = 0; i < nd; i++) {
		pk->design[i] = pw->cand[rank[i]];
		pk->score[i] = exp(pw->sc[rank[i]]);
		for (size_t w = 0; w < nw; w++)
			pk->wl_score[i * nw + w] = exp(lw[w * nd + rank[i]]);
	}
	for (size_t w = 0; w < nw; w++) {
		size_t b = 0;

		pk->wl[w] = pw->wl[w];
		pk->wl_weight[w] = pw->weight[w];
		for (size_t d = 1; d < nd; d++)
			if (lw[w * nd + d] > lw[w * nd + b])
				b = d;
		pk->wl_best[w] = pw->cand[b];
	}
	pk->margin = exp(pw->sc[pw->win] - pw->sc[pw->run]) - 1;
}

/* Sensitivity: the weight of workload w at which another design wins. */
static void
pick_flip(const struct pick_work *pw, size_t w, struct pick_flip *fl)
{
	size_t nd = pw->nd, win = pw->win;
	const double *lw = pw->lw, *weight = pw->weight;
	double bestdist = INFINITY;

	fl->workload = pw->wl[w];
	fl->weight = weight[w];
	for (size_t d = 0; d < nd; d++) {
		double D = 0, dw, at, dist;

		if (d == win)
			continue;
		/* D < 0: the winner is ahead of d overall. */
		for (size_t v = 0; v < pw->nw; v++)
			D += weight[v] * (lw[v * nd + d] - lw[v * nd + win]);
		dw = lw[w * nd + d] - lw[w * nd + win];
		if (dw == 0)
			continue;
		at = weight[w] - D / dw;
		if (dw < 0 && at <= 0)
			continue;	/* even weight 0 keeps it */
		dist = fabs(at - weight[w]);
		if (dist < bestdist) {
			bestdist = dist;
			fl->rival = pw->cand[d];
			fl->at = at;
			fl->above = dw > 0;
		}
	}
}

/* Bootstrap the margin: resample every benchmark, rescore, re-rank. */
static void
pick_bootstrap(const struct pick_work *pw, struct pick *pk)
{
	size_t nc = pw->nc, nd = pw->nd, maxn = 1, keep = 0;
	double *bm = xcalloc(nc * nd, sizeof(double));
	double *blw = xcalloc(pw->nw * nd, sizeof(double));
	double *bsc = xcalloc(nd, sizeof(double));
	double *margins = xcalloc(REPORT_BOOT_ROUNDS, sizeof(double)), *tmp;
	struct stats_rng g;

	for (size_t c = 0; c < nc; c++)
		for (size_t d = 0; d < nd; d++)
			if (pw->cf[c].n[d] > maxn)
				maxn = pw->cf[c].n[d];
	tmp = xcalloc(maxn, sizeof(double));
	stats_rng_seed(&g, REPORT_BOOT_SEED);
	for (unsigned b = 0; b < REPORT_BOOT_ROUNDS; b++) {
		for (size_t c = 0; c < nc; c++)
			for (size_t d = 0; d < nd; d++) {
				stats_resample(&g, pw->cf[c].v[d],
				    pw->cf[c].n[d], tmp);
				bm[c * nd + d] = stats_median(tmp,
				    pw->cf[c].n[d]);
			}
		scores(pw, bm, blw, bsc);
		margins[b] = exp(bsc[pw->win] - bsc[pw->run]) - 1;
		keep += argmax(bsc, nd, nd) == pw->win;
	}
	pk->p_keep = (double)keep / REPORT_BOOT_ROUNDS;
	pk->margin_ci.coverage = 0.95;
	pk->margin_ci.lo = stats_percentile(margins, REPORT_BOOT_ROUNDS,
	    0.025);
	pk->margin_ci.hi = stats_percentile(margins, REPORT_BOOT_ROUNDS,
	    0.975);
	free(bm);
	free(blw);
	free(bsc);
	free(margins);
	free(tmp);
}

static void
pick_work_free(struct pick_work *pw)
{
	for (size_t c = 0; c < pw->nc; c++) {
		free(pw->cf[c].v);
		free(pw->cf[c].n);
	}
	free(pw->cf);
	free(pw->wl);
	free(pw->weight);
	free(pw->cand);
	free(pw->lw);
	free(pw->sc);
	/* pk->design etc. point into r's series names, not into t. */
	report_tables_free(pw->t, pw->nt);
}

/* Why nothing is recommended, when every configuration was refused. */
static void
pick_refusal(const struct pick *pk, char *err, size_t len)
{
	int n = 0;

	if (pk->refused_reps && n >= 0 && (size_t)n < len)
		n += snprintf(err + n, len - (size_t)n, "too few repetitions "
		    "(%zu configuration%s with %zu, the pick needs %d)%s",
		    pk->refused_reps, pk->refused_reps == 1 ? "" : "s",
		    pk->reps_min, PICK_MIN_REPS, pk->refused_bound ? ";" : "");
	if (pk->refused_bound && n >= 0 && (size_t)n < len)
		snprintf(err + n, len - (size_t)n, "%sinstrument-bound (%zu "
		    "configuration%s of more than one thread: %s, below %.0f%% "
		    "of it)", n ? " " : "", pk->refused_bound,
		    pk->refused_bound == 1 ? "" : "s", pk->bound_why, BENCH_CHECK_LINEAR * 100);
}

int
pick_compute(const struct rdir *r, const struct profile *p,
    struct pick *pk, char *err, size_t errlen)
{
	struct pick_work pw = { .r = r, .p = p };
	size_t *rank;
	int rc = -1;

	memset(pk, 0, sizeof(*pk));
	if (report_timings_emulated(r)) {
		snprintf(err, errlen, "%s: not ranked: %s (timings_emulated="
		    "yes in its context; run on the machine itself)", r->dir,
		    REPORT_EMULATED);
		return -1;
	}
	report_tables_build(r, &pw.t, &pw.nt);
	pick_tables(&pw);
	pick_candidates(&pw);
	pick_configs(&pw, pk);
	if (pw.nd < 2)
		snprintf(err, errlen, "%s: %zu candidate design%s (native "
		    "excluded): nothing to pick between", r->dir, pw.nd,
		    pw.nd == 1 ? "" : "s");
	else if (pw.nw == 0 && pk->refused_reps + pk->refused_bound > 0)
		pick_refusal(pk, err, errlen);
	else if (pw.nw == 0)
		snprintf(err, errlen, "%s: none of profile %s's workloads was "
		    "measured for every design", r->dir, p->name);
	else {
		rank = xcalloc(pw.nd, sizeof(size_t));
		pick_rank(&pw, rank);
		pick_fill(&pw, rank, pk);
		free(rank);
		pk->flip = xcalloc(pw.nw, sizeof(*pk->flip));
		for (size_t w = 0; w < pw.nw; w++)
			pick_flip(&pw, w, &pk->flip[w]);
		pick_bootstrap(&pw, pk);
		rc = 0;
	}
	pick_work_free(&pw);
	return rc;
}

void
pick_free(struct pick *pk)
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

/* ---- the decision in words ---------------------------------------------- */

/* The score table: rank, design, score and a column per workload. */
static void
pick_print_table(FILE *f, const struct pick *pk, bool md)
{
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
}

/* Each weight's tipping point, and the workload nearest to tipping. */
static void
pick_print_flips(FILE *f, const struct pick *pk, const char *li)
{
	double best = INFINITY;
	size_t bw = pk->nw;

	for (size_t w = 0; w < pk->nw; w++) {
		const struct pick_flip *fl = &pk->flip[w];

		if (fl->rival == NULL)
			fprintf(f, "%sWeight of %s (%g): no weight of it "
			    "changes the decision.\n", li, fl->workload,
			    fl->weight);
		else
			fprintf(f, "%sWeight of %s (%g): %s would win if it "
			    "%s %.3g.\n", li, fl->workload, fl->weight,
			    fl->rival, fl->above ? "rose above" : "fell below",
			    fl->at);
		if (fl->rival != NULL && fabs(fl->at - fl->weight) /
		    fl->weight < best) {
			best = fabs(fl->at - fl->weight) / fl->weight;
			bw = w;
		}
	}
	if (bw < pk->nw)
		fprintf(f, "%sThe workload that would most readily change the "
		    "decision: %s (to %s).\n", li, pk->wl[bw],
		    pk->flip[bw].rival);
	else
		fprintf(f, "%sNo single workload's weight changes the "
		    "decision: %s leads on every workload.\n", li,
		    pk->design[0]);
}

const char *
pick_ci_label(const struct pick *pk, char *buf, size_t len)
{
	double cov = 1 - 2 * pow(0.5, (double)pk->reps_used);

	if (cov >= 0.95)
		snprintf(buf, len, "95%% bootstrap CI");
	else
		snprintf(buf, len, "bootstrap CI, nominal 95%%, real coverage "
		    "at most %.0f%% with %zu repetitions", floor(cov * 100),
		    pk->reps_used);
	return buf;
}

void
pick_print(FILE *f, const struct profile *p, const struct pick *pk, bool md)
{
	const char *li = md ? "- " : "  ";
	bool decisive = pk->margin_ci.lo > 0;
	char lab[96];

	if (md)
		fprintf(f, "### Profile `%s`\n\n%s%s", p->name, p->about,
		    *p->about ? "\n\n" : "");
	else
		fprintf(f, "profile %s%s%s\n\n", p->name, *p->about ? ": " :
		    "", p->about);
	pick_print_table(f, pk, md);
	fprintf(f, "\nScores: 1.000 = the best candidate in every "
	    "configuration; a workload's score is the geometric mean of "
	    "(median relative to the best) over its configurations, the "
	    "total their weighted geometric mean; a teardown or storm "
	    "configuration counts once on parent wakes p50 and once on all "
	    "freed p50.\n\n");
	fprintf(f, "%s%s: %s, ahead of %s by %.1f%% (%s "
	    "%+.1f%% .. %+.1f%%; first in %.1f%% of %d resamples).\n", li,
	    decisive ? "Winner" : "Leader (not decisive)", pk->design[0],
	    pk->design[1], pk->margin * 100, pick_ci_label(pk, lab,
	    sizeof(lab)), pk->margin_ci.lo * 100,
	    pk->margin_ci.hi * 100, pk->p_keep * 100, REPORT_BOOT_ROUNDS);
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
	pick_print_flips(f, pk, li);
	for (size_t i = 0; i < pk->nmissing; i++)
		fprintf(f, "%sProfile workload %s was not measured for every "
		    "design and is left out.\n", li, pk->missing[i]);
	if (pk->refused_reps)
		fprintf(f, "%s%zu configuration%s left out: too few repetitions "
		    "(%zu; the pick needs %d).\n", li, pk->refused_reps,
		    pk->refused_reps == 1 ? "" : "s", pk->reps_min,
		    PICK_MIN_REPS);
	if (pk->refused_bound)
		fprintf(f, "%s%zu configuration%s of more than one thread left "
		    "out: instrument-bound (%s).\n", li, pk->refused_bound,
		    pk->refused_bound == 1 ? "" : "s", pk->bound_why);
	fprintf(f, "\n");
}

/* ---- main --------------------------------------------------------------- */

/* `reapbench pick DIR`: one host. */
static int
pick_one(const char *dir, const struct profile *p)
{
	struct rdir r;
	struct pick pk;
	char err[1024];
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (rdir_complete(dir, err, sizeof(err)) != 0 ||
	    rdir_load(dir, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench pick: %s\n", err);
		rdir_free(&r);
		return 2;	/* a folder it cannot read, like bad usage */
	}
	if (pick_compute(&r, p, &pk, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench pick: %s\n", err);
		rc = 1;
	} else {
		printf("results %s (%s)\n", dir, rdir_ctx(&r, BC_HOST_NAME,
		    NULL) ? rdir_ctx(&r, BC_HOST_NAME, NULL) : "unknown host");
		pick_print(stdout, p, &pk, false);
	}
	pick_free(&pk);
	rdir_free(&r);
	return rc;
}

int
pick_main(int argc, char **argv)
{
	const char *name = NULL, *pdir = "report/profiles";
	char **dirs = xcalloc((size_t)argc, sizeof(char *));
	size_t ndir = 0;
	struct profile p;
	char err[1024];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--profiles-dir") == 0 && i + 1 < argc)
			pdir = argv[++i];
		else if (argv[i][0] != '-')
			dirs[ndir++] = argv[i];
		else
			name = NULL, ndir = 0, i = argc;
	}
	if (ndir == 0 || name == NULL) {
		fprintf(stderr, "usage: reapbench pick RESULTS... --profile "
		    "NAME [--profiles-dir DIR]\n");
		free(dirs);
		return 2;
	}
	/* A bad profile or folder is bad input: exit 2, as usage errors. */
	if (profile_load(pdir, name, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "reapbench pick: %s\n", err);
		rc = 1;
	} else
		rc = ndir > 1 ? pick_hosts_main(dirs, ndir, &p) :
		    pick_one(dirs[0], &p);
	profile_free(&p);
	free(dirs);
	return rc;
}
