/*
 * stats.h - the statistics behind `reapbench report` and `reapbench pick`.
 *
 * Benchmarks here are repeated a handful of times, the samples are skewed
 * (a preempted repetition is slow, never fast) and nothing says they are
 * normal, so everything is distribution-free:
 *
 *   - location: the median of the repetitions;
 *   - its interval: the order-statistic (binomial) confidence interval of
 *     the median, exact for any continuous distribution; with fewer than six
 *     samples no pair of order statistics reaches 95%, and the interval is
 *     [min, max] with its true, lower coverage reported;
 *   - two-sample test: Mann-Whitney U (two-sided), exact when there are no
 *     ties and both samples are small, otherwise the normal approximation
 *     with tie and continuity corrections;
 *   - effect size: Cliff's delta, P(a > b) - P(a < b), which is U rescaled
 *     to [-1, 1] and needs no distributional assumption either;
 *   - intervals of derived quantities (ratios of medians, the pick's margin):
 *     percentile bootstrap with a fixed-seed generator, so a report is
 *     reproducible byte for byte.
 *
 * GSL was considered: it has medians and the normal CDF but neither the
 * Mann-Whitney test nor a bootstrap, so the little that is needed is here
 * (libm's erfc gives the normal tail).
 */
#ifndef REPORT_STATS_H
#define REPORT_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Median of x[0..n-1] (x is not modified); NaN when n == 0. */
double	stats_median(const double *x, size_t n);

struct stats_ci {
	double	lo, hi;		/* the interval */
	double	coverage;	/* its actual confidence, 0..1 */
};

/*
 * Order-statistic confidence interval of the median at `level` (0.95):
 * the narrowest symmetric pair of order statistics whose coverage is at
 * least `level`, or [min, max] with its coverage when none is.
 */
void	stats_median_ci(const double *x, size_t n, double level,
	    struct stats_ci *ci);

struct stats_mwu {
	double	u;		/* U of sample a: #(a > b) + #(a == b) / 2 */
	double	p;		/* two-sided p-value */
	double	delta;		/* Cliff's delta, >0: a tends to be larger */
	double	p_min;		/* smallest p these sample sizes can give */
	int	exact;		/* 1: exact distribution, 0: normal approx. */
};

/* Mann-Whitney U test of a against b; both need n >= 1. */
void	stats_mwu_test(const double *a, size_t na, const double *b,
	    size_t nb, struct stats_mwu *r);

/* "negligible", "small", "medium", "large" (Romano et al. thresholds). */
const char *stats_delta_label(double delta);

/* A small, fast, reproducible generator (xoshiro256**). */
struct stats_rng {
	uint64_t s[4];
};
void	stats_rng_seed(struct stats_rng *, uint64_t seed);
uint64_t stats_rng_next(struct stats_rng *);
/* Uniform in [0, n). */
size_t	stats_rng_below(struct stats_rng *, size_t n);

/* out[0..n-1] = a resample of x[0..n-1] with replacement. */
void	stats_resample(struct stats_rng *, const double *x, size_t n,
	    double *out);

/*
 * Percentile bootstrap interval of median(b) / median(a) from `rounds`
 * resamples of each; returns the point estimate.
 */
double	stats_ratio_ci(const double *a, size_t na, const double *b,
	    size_t nb, double level, unsigned rounds, uint64_t seed,
	    struct stats_ci *ci);

/* Percentile q (0..1) of x[0..n-1], linear interpolation; x is sorted in
 * place. */
double	stats_percentile(double *x, size_t n, double q);

#endif /* REPORT_STATS_H */
