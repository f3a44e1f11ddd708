/*
 * stats.c - distribution-free statistics for the report and the pick.
 * See stats.h for what is used and why.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Exact U distribution up to this many samples per group. */
#define MWU_EXACT_MAX	50

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *
sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (s == NULL)
		abort();
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), dbl_cmp);
	return s;
}

double
stats_percentile(double *x, size_t n, double q)
{
	double pos, frac;
	size_t i;

	if (n == 0)
		return NAN;
	qsort(x, n, sizeof(*x), dbl_cmp);
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	if (i >= n - 1)
		return x[n - 1];
	frac = pos - (double)i;
	return x[i] + frac * (x[i + 1] - x[i]);
}

double
stats_median(const double *x, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = sorted_copy(x, n);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

/* P(B <= k) for B ~ Binomial(n, 1/2). */
static double
binom_half_cdf(size_t n, size_t k)
{
	double term = ldexp(1.0, -(int)n), sum = 0;

	for (size_t i = 0; i <= k && i <= n; i++) {
		sum += term;
		term = term * (double)(n - i) / (double)(i + 1);
	}
	return sum;
}

void
stats_median_ci(const double *x, size_t n, double level,
    struct stats_ci *ci)
{
	double *s, cov;
	size_t k;

	if (n == 0) {
		ci->lo = ci->hi = NAN;
		ci->coverage = 0;
		return;
	}
	s = sorted_copy(x, n);
	/*
	 * [x_(k), x_(n-k+1)] (1-based) covers the median with probability
	 * 1 - 2 P(B <= k-1).  Walk k up from 1 while the next k still
	 * reaches the level; k = 1 is [min, max].
	 */
	k = 1;
	while (k + 1 <= (n + 1) / 2 &&
	    1 - 2 * binom_half_cdf(n, k) >= level)
		k++;
	cov = n == 1 ? 0 : 1 - 2 * binom_half_cdf(n, k - 1);
	ci->lo = s[k - 1];
	ci->hi = s[n - k];
	ci->coverage = cov;
	free(s);
}

/*
 * Number of arrangements of m a's and n b's giving each U, by the
 * recurrence on the largest element (an a beats all n b's, or a b adds
 * nothing): w(i, j, u) = w(i-1, j, u-j) + w(i, j-1, u).  Returns the
 * distribution's lower tail P(U <= u) and upper tail P(U >= u).
 */
static void
mwu_exact_tails(size_t m, size_t n, size_t u, double *lower, double *upper)
{
	size_t umax = m * n, stride = umax + 1;
	double *prev = calloc((n + 1) * stride, sizeof(double));
	double *cur = calloc((n + 1) * stride, sizeof(double));
	double total = 0, lo = 0, hi = 0, *t;

	if (prev == NULL || cur == NULL)
		abort();
	for (size_t j = 0; j <= n; j++)		/* i = 0: only b's, U = 0 */
		prev[j * stride] = 1;
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * stride * sizeof(double));
		cur[0] = 1;			/* j = 0: only a's, U = 0 */
		for (size_t j = 1; j <= n; j++)
			for (size_t v = 0; v <= i * j; v++) {
				double w = cur[(j - 1) * stride + v];
				if (v >= j)
					w += prev[j * stride + v - j];
				cur[j * stride + v] = w;
			}
		t = prev, prev = cur, cur = t;
	}
	for (size_t v = 0; v <= umax; v++) {
		double w = prev[n * stride + v];
		total += w;
		if (v <= u)
			lo += w;
		if (v >= u)
			hi += w;
	}
	*lower = lo / total;
	*upper = hi / total;
	free(prev);
	free(cur);
}

void
stats_mwu_test(const double *a, size_t na, const double *b, size_t nb,
    struct stats_mwu *r)
{
	size_t N = na + nb, gt = 0, lt = 0, eq = 0;
	double mu, var, tie = 0, z, lo, hi, combos = 1;
	int ties;

	memset(r, 0, sizeof(*r));
	if (na == 0 || nb == 0) {
		r->p = r->p_min = 1;
		return;
	}
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++) {
			if (a[i] > b[j])
				gt++;
			else if (a[i] < b[j])
				lt++;
			else
				eq++;
		}
	r->u = (double)gt + (double)eq / 2;
	r->delta = ((double)gt - (double)lt) / ((double)na * (double)nb);

	/* Tie groups over the pooled sample, for the variance correction. */
	{
		double *pool = malloc(N * sizeof(*pool));
		size_t i = 0;

		if (pool == NULL)
			abort();
		memcpy(pool, a, na * sizeof(*pool));
		memcpy(pool + na, b, nb * sizeof(*pool));
		qsort(pool, N, sizeof(*pool), dbl_cmp);
		ties = 0;
		while (i < N) {
			size_t j = i;
			while (j + 1 < N && pool[j + 1] == pool[i])
				j++;
			if (j > i) {
				double t = (double)(j - i + 1);
				tie += t * t * t - t;
				ties = 1;
			}
			i = j + 1;
		}
		free(pool);
	}
	/* The smallest two-sided p: the most extreme of C(N, na) orders. */
	for (size_t i = 1; i <= na; i++)
		combos = combos * (double)(nb + i) / (double)i;
	r->p_min = fmin(1, 2 / combos);

	if (!ties && na <= MWU_EXACT_MAX && nb <= MWU_EXACT_MAX) {
		mwu_exact_tails(na, nb, gt, &lo, &hi);
		r->p = fmin(1, 2 * fmin(lo, hi));
		r->exact = 1;
		return;
	}
	mu = (double)na * (double)nb / 2;
	var = (double)na * (double)nb / 12 *
	    ((double)(N + 1) - tie / ((double)N * (double)(N - 1)));
	if (var <= 0) {			/* every value equal */
		r->p = 1;
		return;
	}
	z = fmax(0, fabs(r->u - mu) - 0.5) / sqrt(var);
	r->p = fmin(1, erfc(z / M_SQRT2));
	r->exact = 0;
}

const char *
stats_delta_label(double delta)
{
	double d = fabs(delta);

	if (d < 0.147)
		return "negligible";
	if (d < 0.33)
		return "small";
	if (d < 0.474)
		return "medium";
	return "large";
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
stats_rng_seed(struct stats_rng *g, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
stats_rng_next(struct stats_rng *g)
{
	uint64_t *s = g->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

size_t
stats_rng_below(struct stats_rng *g, size_t n)
{
	/* Lemire's multiply-shift; the bias for n this small is nil. */
	return (size_t)(((unsigned __int128)stats_rng_next(g) * n) >> 64);
}

void
stats_resample(struct stats_rng *g, const double *x, size_t n,
    double *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = x[stats_rng_below(g, n)];
}

double
stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
    double level, unsigned rounds, uint64_t seed, struct stats_ci *ci)
{
	double *ra = malloc((na ? na : 1) * sizeof(double));
	double *rb = malloc((nb ? nb : 1) * sizeof(double));
	double *est = malloc((rounds ? rounds : 1) * sizeof(double));
	double point = stats_median(b, nb) / stats_median(a, na);
	struct stats_rng g;

	if (ra == NULL || rb == NULL || est == NULL)
		abort();
	stats_rng_seed(&g, seed);
	for (unsigned r = 0; r < rounds; r++) {
		stats_resample(&g, a, na, ra);
		stats_resample(&g, b, nb, rb);
		est[r] = stats_median(rb, nb) / stats_median(ra, na);
	}
	ci->coverage = level;
	ci->lo = stats_percentile(est, rounds, (1 - level) / 2);
	ci->hi = stats_percentile(est, rounds, 1 - (1 - level) / 2);
	free(ra);
	free(rb);
	free(est);
	return point;
}
