/*
 * test_dist — every distribution against theory.
 *
 * Moments: 10^6 draws with a fixed seed; the sample mean must lie within
 * 4 standard errors sqrt(var/n) of the true mean and the sample variance
 * within 4 standard errors of the true variance, that standard error
 * being sqrt((mu4 - var^2 (n-3)/(n-1)) / n) with mu4 the true fourth
 * central moment.  Shapes: Kolmogorov-Smirnov at the 1% level (critical
 * distance 1.6276 / sqrt(n)) for exponential, normal, uniform and gamma.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "usim.h"

enum { N = 1000000 };
#define SEED UINT64_C(20240517)
#define KS_CRIT_1PCT 1.6276

typedef double (*draw_fn)(usim_rng *r, const double *p);

typedef struct moments {
    double mean, var, mu4;
} moments;

/* Runs n draws and checks mean and variance against m (stream = tag). */
static void check_moments(const char *what, draw_fn draw, const double *p, moments m,
                          uint32_t tag)
{
    usim_rng r;
    usim_rng_init(&r, SEED, 0, tag);
    double mean = 0.0, m2 = 0.0;
    for (int i = 0; i < N; i++) {
        double x = draw(&r, p), d = x - mean;
        mean += d / (i + 1);
        m2 += d * (x - mean);
    }
    double var = m2 / (N - 1);
    double se_mean = sqrt(m.var / N);
    double se_var = sqrt((m.mu4 - m.var * m.var * (N - 3.0) / (N - 1.0)) / N);
    double z_mean = (mean - m.mean) / se_mean, z_var = (var - m.var) / se_var;
    if (fabs(z_mean) > 4.0 || fabs(z_var) > 4.0)
        fail_msg("%s: mean %.6g (theory %.6g, z %.2f), variance %.6g (theory %.6g, "
                 "z %.2f)",
                 what, mean, m.mean, z_mean, var, m.var, z_var);
}

/* Central moments from raw moments e1..e4. */
static moments from_raw(double e1, double e2, double e3, double e4)
{
    moments m;
    m.mean = e1;
    m.var = e2 - e1 * e1;
    m.mu4 = e4 - 4 * e1 * e3 + 6 * e1 * e1 * e2 - 3 * e1 * e1 * e1 * e1;
    return m;
}

static double d_uniform(usim_rng *r, const double *p)
{
    return usim_uniform(r, p[0], p[1]);
}
static double d_uniform_int(usim_rng *r, const double *p)
{
    return (double)usim_uniform_int(r, (int64_t)p[0], (int64_t)p[1]);
}
static double d_exponential(usim_rng *r, const double *p)
{
    return usim_exponential(r, p[0]);
}
static double d_normal(usim_rng *r, const double *p)
{
    return usim_normal(r, p[0], p[1]);
}
static double d_lognormal(usim_rng *r, const double *p)
{
    return usim_lognormal(r, p[0], p[1]);
}
static double d_gamma(usim_rng *r, const double *p)
{
    return usim_gamma(r, p[0], p[1]);
}
static double d_erlang(usim_rng *r, const double *p)
{
    return usim_erlang(r, (int)p[0], p[1]);
}
static double d_weibull(usim_rng *r, const double *p)
{
    return usim_weibull(r, p[0], p[1]);
}
static double d_triangular(usim_rng *r, const double *p)
{
    return usim_triangular(r, p[0], p[1], p[2]);
}
static double d_bernoulli(usim_rng *r, const double *p)
{
    return usim_bernoulli(r, p[0]) ? 1.0 : 0.0;
}
static double d_poisson(usim_rng *r, const double *p)
{
    return (double)usim_poisson(r, p[0]);
}

/* ---- moments ------------------------------------------------------ */

/* Uniform(a, b): var w^2/12, mu4 w^4/80. */
static void test_uniform_moments(void **state)
{
    (void)state;
    const double p[] = {-2.0, 5.0}, w = 7.0;
    check_moments("uniform", d_uniform, p, (moments){1.5, w * w / 12, pow(w, 4) / 80},
                  1);
}

/* [a, b) even where a + (b - a) u rounds up to b: on [1, 1 + 2^-52) the
 * only double is 1, and the product form gives b for every u above 1/2.
 * Also the widest interval, whose width overflows, and a == b. */
static void test_uniform_never_returns_b(void **state)
{
    (void)state;
    usim_rng r;
    usim_rng_init(&r, 9, 0, 1);
    const double b = nextafter(1.0, 2.0);
    for (int i = 0; i < 1000; i++)
        assert_true(usim_uniform(&r, 1.0, b) == 1.0);
    usim_dist d;
    assert_int_equal(usim_dist_init(&d, USIM_DIST_UNIFORM, (const double[]){1.0, b}),
                     0);
    for (int i = 0; i < 1000; i++)
        assert_true(usim_dist_draw(&d, &r) == 1.0);
    double sum = 0;
    for (int i = 0; i < 1000; i++) {
        double x = usim_uniform(&r, -DBL_MAX, DBL_MAX);
        assert_true(isfinite(x) && x < DBL_MAX);
        sum += x / DBL_MAX;
    }
    /* Mean 0, sd 1/sqrt(3) per draw: |mean| < 5 sd / sqrt(1000). */
    assert_true(fabs(sum / 1000) < 5 * 0.5774 / sqrt(1000));
    assert_true(usim_uniform(&r, 3.5, 3.5) == 3.5);
}

/* m equally likely integers: var (m^2-1)/12, mu4 (m^2-1)(3m^2-7)/240. */
static void test_uniform_int_moments(void **state)
{
    (void)state;
    const double p[] = {-3, 6}, m2 = 100.0;
    check_moments("uniform_int", d_uniform_int, p,
                  (moments){1.5, (m2 - 1) / 12, (m2 - 1) * (3 * m2 - 7) / 240}, 2);
}

/* Exponential(mean m): var m^2, mu4 9 m^4. */
static void test_exponential_moments(void **state)
{
    (void)state;
    const double p[] = {2.5};
    check_moments("exponential", d_exponential, p,
                  (moments){2.5, 6.25, 9 * pow(2.5, 4)}, 3);
}

/* Normal: mu4 = 3 sigma^4. */
static void test_normal_moments(void **state)
{
    (void)state;
    const double p[] = {3.0, 2.0};
    check_moments("normal", d_normal, p, (moments){3.0, 4.0, 48.0}, 4);
}

/* Lognormal: E X^n = exp(n mu + n^2 s^2 / 2). */
static void test_lognormal_moments(void **state)
{
    (void)state;
    const double p[] = {0.5, 0.4};
    double e[5];
    for (int n = 1; n <= 4; n++)
        e[n] = exp(n * p[0] + n * n * p[1] * p[1] / 2);
    check_moments("lognormal", d_lognormal, p, from_raw(e[1], e[2], e[3], e[4]), 5);
}

/* Gamma(k, s): E X^n = s^n k (k+1) ... (k+n-1). */
static moments gamma_moments(double k, double s)
{
    double e1 = k * s, e2 = e1 * (k + 1) * s, e3 = e2 * (k + 2) * s,
           e4 = e3 * (k + 3) * s;
    return from_raw(e1, e2, e3, e4);
}

static void test_gamma_moments(void **state)
{
    (void)state;
    const double p[] = {2.5, 1.5};
    check_moments("gamma(2.5)", d_gamma, p, gamma_moments(2.5, 1.5), 6);
}

/* Shape < 1 goes through the boost gamma(k+1) U^(1/k). */
static void test_gamma_small_shape_moments(void **state)
{
    (void)state;
    const double p[] = {0.3, 2.0};
    check_moments("gamma(0.3)", d_gamma, p, gamma_moments(0.3, 2.0), 7);
}

static void test_erlang_moments(void **state)
{
    (void)state;
    const double p[] = {3, 0.5};
    check_moments("erlang", d_erlang, p, gamma_moments(3, 0.5), 8);
}

/* Weibull(k, l): E X^n = l^n Gamma(1 + n/k). */
static void test_weibull_moments(void **state)
{
    (void)state;
    const double p[] = {1.7, 2.0};
    double e[5];
    for (int n = 1; n <= 4; n++)
        e[n] = pow(p[1], n) * tgamma(1 + n / p[0]);
    check_moments("weibull", d_weibull, p, from_raw(e[1], e[2], e[3], e[4]), 9);
}

/* Triangular(a, c, b): var (a^2+b^2+c^2-ab-ac-bc)/18, excess kurtosis
 * -3/5 whatever the parameters, so mu4 = 2.4 var^2. */
static void test_triangular_moments(void **state)
{
    (void)state;
    const double p[] = {1.0, 2.0, 5.0};
    double var = (1 + 4 + 25 - 2 - 5 - 10) / 18.0;
    check_moments("triangular", d_triangular, p,
                  (moments){8.0 / 3, var, 2.4 * var * var}, 10);
    const double left[] = {0.0, 0.0, 1.0}; /* mode at lo: density 2(1-x) */
    double vl = 1.0 / 18;
    check_moments("triangular(mode=lo)", d_triangular, left,
                  (moments){1.0 / 3, vl, 2.4 * vl * vl}, 11);
}

/* Bernoulli(p): var pq, mu4 pq(1 - 3pq). */
static void test_bernoulli_moments(void **state)
{
    (void)state;
    const double p[] = {0.3}, pq = 0.21;
    check_moments("bernoulli", d_bernoulli, p, (moments){0.3, pq, pq * (1 - 3 * pq)},
                  12);
}

/* Poisson(l): var l, mu4 l(1 + 3l).  Means on both sides of the switch
 * from inversion to PTRS (10), and a large one. */
static void test_poisson_moments(void **state)
{
    (void)state;
    static const double means[] = {0.05, 3.5, 9.99, 10.0, 40.0, 12345.6};
    for (size_t i = 0; i < sizeof means / sizeof means[0]; i++) {
        double l = means[i];
        char what[32];
        snprintf(what, sizeof what, "poisson(%g)", l);
        check_moments(what, d_poisson, &means[i], (moments){l, l, l * (1 + 3 * l)},
                      (uint32_t)(20 + i));
    }
}

static const double disc_w[] = {1.0, 0.0, 3.0, 6.0, 0.5};
static usim_discrete disc;

static double d_discrete(usim_rng *r, const double *p)
{
    (void)p;
    return (double)usim_discrete_draw(&disc, r);
}

/* Moments of the index, summed directly from the weights. */
static void test_discrete_moments(void **state)
{
    (void)state;
    assert_int_equal(usim_discrete_init(&disc, disc_w, 5), 0);
    double sum = 0, e[5] = {0};
    for (int i = 0; i < 5; i++)
        sum += disc_w[i];
    for (int n = 1; n <= 4; n++)
        for (int i = 0; i < 5; i++)
            e[n] += disc_w[i] / sum * pow(i, n);
    check_moments("discrete", d_discrete, NULL, from_raw(e[1], e[2], e[3], e[4]), 30);
    usim_discrete_destroy(&disc);
}

/* Each index's frequency within 4 sd of n p_i; weight 0 never drawn. */
static void test_discrete_frequencies_follow_weights(void **state)
{
    (void)state;
    assert_int_equal(usim_discrete_init(&disc, disc_w, 5), 0);
    usim_rng r;
    usim_rng_init(&r, SEED, 0, 31);
    uint64_t count[5] = {0};
    for (int i = 0; i < N; i++)
        count[usim_discrete_draw(&disc, &r)]++;
    assert_int_equal(count[1], 0);
    for (int i = 0; i < 5; i++) {
        double p = disc_w[i] / 10.5, sd = sqrt(N * p * (1 - p));
        assert_true(fabs((double)count[i] - N * p) <= 4 * sd + 1e-9);
    }
    usim_discrete_destroy(&disc);
}

static const double emp_x[] = {0.0, 1.0, 3.0, 4.0}, emp_c[] = {0.0, 0.2, 0.9, 1.0};
static usim_empirical emp;

static double d_empirical(usim_rng *r, const double *p)
{
    (void)p;
    return usim_empirical_draw(&emp, r);
}

/* A mixture of uniforms: segment i has probability c[i+1]-c[i] and
 * E X^n = (b^(n+1) - a^(n+1)) / ((n+1)(b-a)) on it. */
static void test_empirical_moments(void **state)
{
    (void)state;
    assert_int_equal(usim_empirical_init(&emp, emp_x, emp_c, 4), 0);
    double e[5] = {0};
    for (int n = 1; n <= 4; n++)
        for (int i = 0; i < 3; i++) {
            double a = emp_x[i], b = emp_x[i + 1];
            e[n] += (emp_c[i + 1] - emp_c[i]) * (pow(b, n + 1) - pow(a, n + 1)) /
                    ((n + 1) * (b - a));
        }
    check_moments("empirical", d_empirical, NULL, from_raw(e[1], e[2], e[3], e[4]), 32);
    usim_empirical_destroy(&emp);
}

/* ---- Kolmogorov-Smirnov -------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef double (*cdf_fn)(double x, const double *p);

static double *ks_sample;

static int ks_setup(void **state)
{
    (void)state;
    ks_sample = malloc(N * sizeof *ks_sample);
    return ks_sample ? 0 : -1;
}

static int ks_teardown(void **state)
{
    (void)state;
    free(ks_sample);
    return 0;
}

/* Draws N values into ks_sample (sorted) and checks sup |F_n - F|. */
static void check_ks(const char *what, draw_fn draw, cdf_fn cdf, const double *p,
                     uint32_t tag)
{
    usim_rng r;
    usim_rng_init(&r, SEED, 1, tag);
    for (int i = 0; i < N; i++)
        ks_sample[i] = draw(&r, p);
    qsort(ks_sample, N, sizeof *ks_sample, cmp_double);
    double d = 0.0;
    for (int i = 0; i < N; i++) {
        double f = cdf(ks_sample[i], p);
        d = fmax(d, fmax((i + 1.0) / N - f, f - (double)i / N));
    }
    double crit = KS_CRIT_1PCT / sqrt(N);
    if (d > crit)
        fail_msg("%s: KS distance %.3g > %.3g", what, d, crit);
}

static double cdf_uniform(double x, const double *p)
{
    return x <= p[0] ? 0.0 : x >= p[1] ? 1.0 : (x - p[0]) / (p[1] - p[0]);
}
static double cdf_exponential(double x, const double *p)
{
    return x <= 0 ? 0.0 : -expm1(-x / p[0]);
}
static double cdf_normal(double x, const double *p)
{
    return 0.5 * erfc(-(x - p[0]) / (p[1] * sqrt(2.0)));
}

/* Regularised lower incomplete gamma P(a, x): the series for x < a + 1,
 * else 1 - the continued fraction for Q (modified Lentz). */
static double gamma_p(double a, double x)
{
    if (x <= 0)
        return 0.0;
    double lead = exp(a * log(x) - x - lgamma(a));
    if (x < a + 1) {
        double term = 1.0 / a, sum = term;
        for (int n = 1; n < 10000 && fabs(term) > 1e-17 * fabs(sum); n++) {
            term *= x / (a + n);
            sum += term;
        }
        return sum * lead;
    }
    double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        d = fabs(d) < 1e-300 ? 1e-300 : d;
        c = b + an / c;
        c = fabs(c) < 1e-300 ? 1e-300 : c;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return 1.0 - lead * h;
}

static double cdf_gamma(double x, const double *p)
{
    return gamma_p(p[0], x / p[1]);
}

static void test_uniform_passes_ks(void **state)
{
    (void)state;
    const double p[] = {0.0, 1.0};
    check_ks("uniform", d_uniform, cdf_uniform, p, 40);
}

static void test_exponential_passes_ks(void **state)
{
    (void)state;
    const double p[] = {1.0};
    check_ks("exponential", d_exponential, cdf_exponential, p, 41);
}

static void test_normal_passes_ks(void **state)
{
    (void)state;
    const double p[] = {0.0, 1.0};
    check_ks("normal", d_normal, cdf_normal, p, 42);
}

static void test_gamma_passes_ks(void **state)
{
    (void)state;
    const double p[] = {2.5, 1.0}, small[] = {0.3, 1.0};
    check_ks("gamma(2.5)", d_gamma, cdf_gamma, p, 43);
    check_ks("gamma(0.3)", d_gamma, cdf_gamma, small, 44);
}

/* The cross-check of gamma_p itself: P(1, x) = 1 - exp(-x) and
 * P(1/2, x) = erf(sqrt(x)). */
static void test_gamma_cdf_helper_matches_closed_forms(void **state)
{
    (void)state;
    for (double x = 0.01; x < 30; x *= 1.7) {
        assert_float_equal(gamma_p(1.0, x), -expm1(-x), 1e-13);
        assert_float_equal(gamma_p(0.5, x), erf(sqrt(x)), 1e-13);
    }
}

/* ---- ziggurat tails -------------------------------------------------- */

/* 10^7 draws: about 2600 normal and 4500 exponential tail draws. */
#define TAIL_N 10000000.0

/* Beyond the base layer's edge r the samplers switch to their tail
 * methods: the share of draws there must be P(X > r) within 4 sd, and
 * their conditional mean E[X | X > r] within 4 standard errors.
 * Normal: P(|X| > r) = erfc(r/sqrt 2), E[|X| | |X| > r] = phi(r)/Q(r),
 * Var = 1 + r m - m^2.  Exponential: P = e^-r, X - r | X > r ~ Exp(1). */
static void check_tail(const char *what, draw_fn draw, const double *p, double r0,
                       double prob, double cmean, double cvar, uint32_t tag)
{
    usim_rng r;
    usim_rng_init(&r, SEED, 2, tag);
    long k = 0;
    double sum = 0;
    for (int i = 0; i < TAIL_N; i++) {
        double x = fabs(draw(&r, p));
        if (x > r0) {
            k++;
            sum += x;
        }
    }
    double sd = sqrt(TAIL_N * prob * (1 - prob));
    if (fabs(k - TAIL_N * prob) > 4 * sd)
        fail_msg("%s: %ld draws beyond %g, expected %.1f +- %.1f", what, k, r0,
                 TAIL_N * prob, sd);
    double m = sum / k, se = sqrt(cvar / k);
    if (fabs(m - cmean) > 4 * se)
        fail_msg("%s: tail mean %.5g, expected %.5g +- %.3g", what, m, cmean, se);
}

static void test_normal_tail_beyond_ziggurat_base(void **state)
{
    (void)state;
    const double p[] = {0.0, 1.0}, r0 = 3.6541528853610088;
    double q = 0.5 * erfc(r0 / sqrt(2.0)), phi = exp(-r0 * r0 / 2) / sqrt(2 * M_PI);
    double m = phi / q;
    check_tail("normal", d_normal, p, r0, 2 * q, m, 1 + r0 * m - m * m, 50);
}

static void test_exponential_tail_beyond_ziggurat_base(void **state)
{
    (void)state;
    const double p[] = {1.0}, r0 = 7.69711747013104972;
    check_tail("exponential", d_exponential, p, r0, exp(-r0), r0 + 1, 1.0, 51);
}

/* ---- usim_dist ------------------------------------------------------- */

/* A usim_dist draws exactly what the matching function draws. */
static void test_dist_draws_match_direct_functions(void **state)
{
    (void)state;
    static const struct {
        usim_dist_kind kind;
        double p[3];
        draw_fn fn;
        double mean;
    } cases[] = {
        {USIM_DIST_UNIFORM, {1, 3, 0}, d_uniform, 2.0},
        {USIM_DIST_EXPONENTIAL, {2, 0, 0}, d_exponential, 2.0},
        {USIM_DIST_NORMAL, {-1, 2, 0}, d_normal, -1.0},
        {USIM_DIST_LOGNORMAL, {0, 1, 0}, d_lognormal, 1.6487212707001282},
        {USIM_DIST_GAMMA, {0.7, 2, 0}, d_gamma, 1.4},
        {USIM_DIST_WEIBULL, {1, 3, 0}, d_weibull, 3.0}, /* shape 1: exponential */
        {USIM_DIST_TRIANGULAR, {0, 1, 5}, d_triangular, 2.0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        usim_dist d;
        assert_int_equal(usim_dist_init(&d, cases[c].kind, cases[c].p), 0);
        assert_float_equal(usim_dist_mean(&d), cases[c].mean, 1e-12);
        usim_rng r1, r2;
        usim_rng_init(&r1, 3, 4, 5);
        usim_rng_init(&r2, 3, 4, 5);
        for (int i = 0; i < 1000; i++)
            assert_true(usim_dist_draw(&d, &r1) == cases[c].fn(&r2, cases[c].p));
    }
    usim_dist d;
    const double k[] = {4.25};
    assert_int_equal(usim_dist_init(&d, USIM_DIST_CONSTANT, k), 0);
    usim_rng r;
    usim_rng_init(&r, 0, 0, 0);
    assert_true(usim_dist_draw(&d, &r) == 4.25);
    assert_true(usim_dist_mean(&d) == 4.25);
}

static void test_dist_init_rejects_invalid_parameters(void **state)
{
    (void)state;
    usim_dist d;
    const double neg[] = {-1, 1, 1};
    assert_int_equal(usim_dist_init(&d, USIM_DIST_EXPONENTIAL, neg), USIM_EINVAL);
    assert_string_equal(usim_errmsg(), "exponential: mean -1 must be > 0");
    const double sig0[] = {0, 0, 0};
    assert_int_equal(usim_dist_init(&d, USIM_DIST_NORMAL, sig0), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "sigma"));
    assert_int_equal(usim_dist_init(&d, USIM_DIST_GAMMA, sig0), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "shape"));
    const double tri[] = {0, 2, 1};
    assert_int_equal(usim_dist_init(&d, USIM_DIST_TRIANGULAR, tri), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "triangular"));
    const double inv[] = {2, 1, 0};
    assert_int_equal(usim_dist_init(&d, USIM_DIST_UNIFORM, inv), USIM_EINVAL);
    const double nan[] = {NAN, 1, 0};
    assert_int_equal(usim_dist_init(&d, USIM_DIST_CONSTANT, nan), USIM_EINVAL);
    assert_int_equal(usim_dist_init(&d, (usim_dist_kind)99, neg), USIM_EINVAL);
}

/* ---- invalid parameters outside a task: NaN / 0 and a message -------- */

static void expect_msg(const char *a, const char *b)
{
    const char *m = usim_errmsg();
    if (!strstr(m, a) || !strstr(m, b))
        fail_msg("message '%s' should name '%s' and '%s'", m, a, b);
}

static void test_invalid_parameters_give_nan_and_message_outside_tasks(void **state)
{
    (void)state;
    usim_rng r;
    usim_rng_init(&r, 0, 0, 0);
    assert_true(isnan(usim_exponential(&r, -1)));
    expect_msg("exponential", "mean");
    assert_true(isnan(usim_exponential(&r, 0)));
    assert_true(isnan(usim_normal(&r, 0, 0)));
    expect_msg("normal", "sigma");
    assert_true(isnan(usim_lognormal(&r, 0, -1)));
    expect_msg("lognormal", "sigma");
    assert_true(isnan(usim_gamma(&r, 0, 1)));
    expect_msg("gamma", "shape");
    assert_true(isnan(usim_gamma(&r, 1, -2)));
    expect_msg("gamma", "scale");
    assert_true(isnan(usim_erlang(&r, 0, 1)));
    expect_msg("erlang", "k");
    assert_true(isnan(usim_weibull(&r, 1, 0)));
    expect_msg("weibull", "scale");
    assert_true(isnan(usim_triangular(&r, 2, 1, 3)));
    expect_msg("triangular", "mode");
    assert_true(isnan(usim_triangular(&r, 1, 1, 1)));
    expect_msg("triangular", "lo");
    assert_true(isnan(usim_uniform(&r, 3, 2)));
    expect_msg("uniform", "a");
    assert_true(isnan(usim_uniform(&r, 0, INFINITY)));
    expect_msg("uniform", "b");
    assert_int_equal(usim_uniform_int(&r, 3, 2), 0);
    expect_msg("uniform_int", "a");
    assert_false(usim_bernoulli(&r, 1.5));
    expect_msg("bernoulli", "p");
    assert_false(usim_bernoulli(&r, NAN));
    assert_int_equal(usim_poisson(&r, -1), 0);
    expect_msg("poisson", "mean");
}

static void test_discrete_init_rejects_bad_weights(void **state)
{
    (void)state;
    usim_discrete d;
    const double zero[] = {0, 0, 0}, neg[] = {1, -1}, nan[] = {1, NAN},
                 inf[] = {INFINITY};
    assert_int_equal(usim_discrete_init(&d, zero, 0), USIM_EINVAL);
    expect_msg("discrete", "no weights");
    assert_int_equal(usim_discrete_init(&d, zero, 3), USIM_EINVAL);
    expect_msg("discrete", "sum");
    assert_int_equal(usim_discrete_init(&d, neg, 2), USIM_EINVAL);
    expect_msg("discrete", "weight[1]");
    assert_int_equal(usim_discrete_init(&d, nan, 2), USIM_EINVAL);
    assert_int_equal(usim_discrete_init(&d, inf, 1), USIM_EINVAL);
}

static void test_empirical_init_rejects_bad_tables(void **state)
{
    (void)state;
    usim_empirical e;
    const double x[] = {0, 1, 2}, xdown[] = {0, 2, 1};
    const double c[] = {0, 0.5, 1}, c_from[] = {0.1, 0.5, 1}, c_to[] = {0, 0.5, 0.9},
                 c_down[] = {0, 0.6, 0.5};
    assert_int_equal(usim_empirical_init(&e, x, c, 1), USIM_EINVAL);
    expect_msg("empirical", "at least 2");
    assert_int_equal(usim_empirical_init(&e, x, c_from, 3), USIM_EINVAL);
    expect_msg("empirical", "from 0 to 1");
    assert_int_equal(usim_empirical_init(&e, x, c_to, 3), USIM_EINVAL);
    expect_msg("empirical", "from 0 to 1");
    assert_int_equal(usim_empirical_init(&e, xdown, c, 3), USIM_EINVAL);
    expect_msg("empirical", "x[2]");
    assert_int_equal(usim_empirical_init(&e, x, c_down, 3), USIM_EINVAL);
    expect_msg("empirical", "cum[2]");
}

/* ---- edge parameters -------------------------------------------------- */

static void test_edge_parameters(void **state)
{
    (void)state;
    usim_rng r;
    usim_rng_init(&r, 9, 9, 9);
    for (int i = 0; i < 1000; i++) {
        assert_true(usim_uniform(&r, 2.5, 2.5) == 2.5);
        assert_int_equal(usim_uniform_int(&r, -7, -7), -7);
        assert_false(usim_bernoulli(&r, 0.0));
        assert_true(usim_bernoulli(&r, 1.0));
        assert_int_equal(usim_poisson(&r, 0.0), 0);
        double t = usim_triangular(&r, 1, 3, 3); /* mode at hi */
        assert_true(t >= 1 && t <= 3);
        double g = usim_gamma(&r, 1e-3, 1); /* tiny shape: no NaN */
        assert_true(g >= 0 && isfinite(g));
    }
    /* The full int64 range: both halves reached. */
    int neg = 0;
    for (int i = 0; i < 1000; i++)
        neg += usim_uniform_int(&r, INT64_MIN, INT64_MAX) < 0;
    assert_in_range(neg, 400, 600);
    /* A huge mean: within 6 sd of it. */
    for (int i = 0; i < 100; i++) {
        double k = (double)usim_poisson(&r, 1e15);
        assert_true(fabs(k - 1e15) < 6 * sqrt(1e15));
    }
    /* One weight: always index 0; an atom in an empirical table. */
    usim_discrete d;
    const double one[] = {2.0};
    assert_int_equal(usim_discrete_init(&d, one, 1), 0);
    usim_empirical e;
    const double x[] = {1, 1, 2}, c[] = {0, 0.5, 1};
    assert_int_equal(usim_empirical_init(&e, x, c, 3), 0);
    int at_one = 0;
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(usim_discrete_draw(&d, &r), 0);
        double v = usim_empirical_draw(&e, &r);
        assert_true(v >= 1 && v <= 2);
        at_one += v == 1.0;
    }
    assert_in_range(at_one, 5000 - 200, 5000 + 200); /* sd 50 */
    usim_discrete_destroy(&d);
    usim_empirical_destroy(&e);
}

/* ---- invalid parameters inside a task fail the run -------------------- */

static void *bad_normal_task(void *arg)
{
    usim_rng *r = arg;
    usim_sleep(1.0);
    usim_normal(r, 0.0, -2.0);
    return NULL; /* not reached */
}

static void test_invalid_parameters_fail_the_run_inside_a_task(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = usim_sim_create(&cfg);
    assert_non_null(sim);
    usim_rng r;
    usim_sim_rng_stream(sim, &r, "x");
    assert_non_null(usim_sim_spawn(sim, bad_normal_task, &r, "bad"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    const char *err = usim_sim_error(sim);
    assert_non_null(err);
    if (!strstr(err, "normal") || !strstr(err, "sigma"))
        fail_msg("run error '%s' should name normal and sigma", err);
    usim_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_moments),
        cmocka_unit_test(test_uniform_never_returns_b),
        cmocka_unit_test(test_uniform_int_moments),
        cmocka_unit_test(test_exponential_moments),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_lognormal_moments),
        cmocka_unit_test(test_gamma_moments),
        cmocka_unit_test(test_gamma_small_shape_moments),
        cmocka_unit_test(test_erlang_moments),
        cmocka_unit_test(test_weibull_moments),
        cmocka_unit_test(test_triangular_moments),
        cmocka_unit_test(test_bernoulli_moments),
        cmocka_unit_test(test_poisson_moments),
        cmocka_unit_test(test_discrete_moments),
        cmocka_unit_test(test_discrete_frequencies_follow_weights),
        cmocka_unit_test(test_empirical_moments),
        cmocka_unit_test(test_gamma_cdf_helper_matches_closed_forms),
        cmocka_unit_test_setup_teardown(test_uniform_passes_ks, ks_setup, ks_teardown),
        cmocka_unit_test_setup_teardown(test_exponential_passes_ks, ks_setup,
                                        ks_teardown),
        cmocka_unit_test_setup_teardown(test_normal_passes_ks, ks_setup, ks_teardown),
        cmocka_unit_test_setup_teardown(test_gamma_passes_ks, ks_setup, ks_teardown),
        cmocka_unit_test(test_normal_tail_beyond_ziggurat_base),
        cmocka_unit_test(test_exponential_tail_beyond_ziggurat_base),
        cmocka_unit_test(test_dist_draws_match_direct_functions),
        cmocka_unit_test(test_dist_init_rejects_invalid_parameters),
        cmocka_unit_test(test_invalid_parameters_give_nan_and_message_outside_tasks),
        cmocka_unit_test(test_discrete_init_rejects_bad_weights),
        cmocka_unit_test(test_empirical_init_rejects_bad_tables),
        cmocka_unit_test(test_edge_parameters),
        cmocka_unit_test(test_invalid_parameters_fail_the_run_inside_a_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
