/*
 * dist.c — continuous and integer distributions over a usim_rng.
 *
 * Every public draw checks its parameters (a few predictable branches)
 * and then calls an unchecked sampler; usim_dist validates once and calls
 * the samplers directly.  Normal and exponential use the ziggurat
 * (Marsaglia & Tsang 2000, 256 layers, tables in ziggurat_tables.h): one
 * 64-bit word per draw in about 99% of cases, no logarithm, no
 * trigonometry.  The method is exact: rejection covers the wedges and the
 * tails are sampled exactly.
 */
#define _GNU_SOURCE /* lgamma_r: glibc's lgamma writes the global signgam */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernel/service.h"
#include "observe/dist.h"
#include "observe/rng.h"
#include "observe/ziggurat_tables.h"

void dist_fail(int rc)
{
    assert(rc == USIM_EINVAL);
    (void)rc;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", usim_errmsg());
    service_fail_run(msg);
}

/* ---- unchecked samplers ------------------------------------------ */

/* x with the sign bit taken from bit 8 of b: branch-free, since a
 * branch on a random bit mispredicts half the time. */
static inline double with_sign(double x, uint64_t b)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits |= (b & 0x100) << 55;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* Standard normal.  Bits of one 64-bit word: 0-7 the layer, 8 the sign,
 * 11-63 the position inside the layer (converted as signed: it fits in
 * 53 bits and the signed conversion is one instruction). */
/* normal01 after its first word b missed the layer's rectangle. */
static __attribute__((noinline)) double normal01_rest(usim_rng *r, uint64_t b)
{
    for (;; b = rng_next64(r)) {
        unsigned i = (unsigned)(b & 0xff);
        double x = (double)(int64_t)(b >> 11) * 0x1p-53 * zig_norm_x[i];
        if (x < zig_norm_x[i + 1])
            return with_sign(x, b);
        if (i == 0) {
            /* Tail beyond r (Marsaglia 1964): x = r + e1/r is accepted
             * with probability exp(-(e1/r)^2 / 2). */
            double t, e;
            do {
                t = -log(rng_u01(r)) / ZIG_norm_R;
                e = -log(rng_u01(r));
            } while (2.0 * e < t * t);
            return with_sign(ZIG_norm_R + t, b);
        }
        double y = zig_norm_f[i] + rng_u01(r) * (zig_norm_f[i + 1] - zig_norm_f[i]);
        if (y < exp(-0.5 * x * x))
            return with_sign(x, b);
    }
}

static inline double normal01(usim_rng *r)
{
    uint64_t b = rng_next64(r);
    unsigned i = (unsigned)(b & 0xff);
    double x = (double)(int64_t)(b >> 11) * 0x1p-53 * zig_norm_x[i];
    if (__builtin_expect(x < zig_norm_x[i + 1], 1))
        return with_sign(x, b); /* inside the layer's rectangle: most draws */
    return normal01_rest(r, b);
}

/* Exponential of mean 1: as normal01 with f(x) = exp(-x); the tail
 * beyond r is r plus a fresh draw (memorylessness). */
/* exp1 after its first word b missed the layer's rectangle. */
static __attribute__((noinline)) double exp1_rest(usim_rng *r, uint64_t b)
{
    double shift = 0.0;
    for (;; b = rng_next64(r)) {
        unsigned i = (unsigned)(b & 0xff);
        double x = (double)(int64_t)(b >> 11) * 0x1p-53 * zig_exp_x[i];
        if (x < zig_exp_x[i + 1])
            return shift + x;
        if (i == 0) {
            shift += ZIG_exp_R;
            continue;
        }
        double y = zig_exp_f[i] + rng_u01(r) * (zig_exp_f[i + 1] - zig_exp_f[i]);
        if (y < exp(-x))
            return shift + x;
    }
}

static inline double exp1(usim_rng *r)
{
    uint64_t b = rng_next64(r);
    unsigned i = (unsigned)(b & 0xff);
    double x = (double)(int64_t)(b >> 11) * 0x1p-53 * zig_exp_x[i];
    if (__builtin_expect(x < zig_exp_x[i + 1], 1))
        return x;
    return exp1_rest(r, b);
}

/* Uniform on [a, b) for a < b (a for a == b).  a + (b - a) u can round
 * up to b when the interval is narrow next to b's magnitude; that case
 * becomes the largest double below b.  A difference that overflows
 * (a near -DBL_MAX, b near DBL_MAX) is avoided by weighting the ends. */
static inline double uniform_ab(usim_rng *r, double a, double b)
{
    double u = rng_u01(r), w = b - a;
    double x = __builtin_expect(w <= DBL_MAX, 1) ? a + w * u : a * (1.0 - u) + b * u;
    return x < b || a == b ? x : nextafter(b, a);
}

/* Gamma of unit scale (Marsaglia & Tsang 2000).  For shape < 1 the draw
 * is gamma(shape + 1) * U^(1/shape), done in logs so that tiny shapes
 * underflow to 0 only when the true value is below DBL_MIN. */
static double gamma1(usim_rng *r, double shape)
{
    double boost = 0.0; /* log of the shape < 1 factor */
    bool boosted = shape < 1.0;
    if (boosted) {
        boost = log(rng_u01(r)) / shape;
        shape += 1.0;
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = normal01(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = rng_u01(r), x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return boosted ? exp(log(d * v) + boost) : d * v;
    }
}

/* Poisson below this mean by inversion (expected mean + 1 steps). */
#define POISSON_INVERSION_MAX 10.0

static int64_t poisson_inversion(usim_rng *r, double mean)
{
    double p = exp(-mean), cdf = p, u = rng_u01(r);
    int64_t k = 0;
    /* The guard ends the walk if rounding leaves cdf just below u. */
    while (u > cdf && k < 1000) {
        k++;
        p *= mean / (double)k;
        cdf += p;
    }
    return k;
}

/* Transformed rejection with squeeze, PTRS (Hörmann 1993, "The
 * transformed rejection method for generating Poisson random variables"),
 * for mean >= 10.  lgamma_r: k! for k up to ~1e18 without overflow. */
static int64_t poisson_ptrs(usim_rng *r, double mean)
{
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = rng_u01(r) - 0.5, v = rng_u01(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return (int64_t)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        int sign;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
            -mean + k * loglam - lgamma_r(k + 1.0, &sign))
            return (int64_t)k;
    }
}

static double triangular_inv(usim_rng *r, double lo, double mode, double hi)
{
    double u = rng_u01(r), w = hi - lo, fc = (mode - lo) / w;
    if (u < fc)
        return lo + sqrt(u * w * (mode - lo));
    return hi - sqrt((1.0 - u) * w * (hi - mode));
}

/* ---- parameter checks: 0 or USIM_EINVAL with a message ------------ */

static int check_finite(const char *dist, const char *param, double v)
{
    if (!isfinite(v))
        return usim_error(USIM_EINVAL, "%s: %s %g must be finite", dist, param, v);
    return 0;
}

static __attribute__((cold, noinline)) int not_positive(const char *dist,
                                                        const char *param, double v)
{
    return usim_error(USIM_EINVAL, "%s: %s %g must be > 0", dist, param, v);
}

static inline int check_positive(const char *dist, const char *param, double v)
{
    if (__builtin_expect(!(v > 0.0 && v <= DBL_MAX), 0))
        return not_positive(dist, param, v);
    return 0;
}

static int check_uniform(double a, double b)
{
    int rc;
    if ((rc = check_finite("uniform", "a", a)) ||
        (rc = check_finite("uniform", "b", b)))
        return rc;
    if (a > b)
        return usim_error(USIM_EINVAL, "uniform: a %g must be <= b %g", a, b);
    return 0;
}

static int check_normal(const char *dist, double mu, double sigma)
{
    int rc;
    if ((rc = check_finite(dist, "mu", mu)) ||
        (rc = check_positive(dist, "sigma", sigma)))
        return rc;
    return 0;
}

static int check_shape_scale(const char *dist, double shape, double scale)
{
    int rc;
    if ((rc = check_positive(dist, "shape", shape)) ||
        (rc = check_positive(dist, "scale", scale)))
        return rc;
    return 0;
}

static int check_triangular(double lo, double mode, double hi)
{
    int rc;
    if ((rc = check_finite("triangular", "lo", lo)) ||
        (rc = check_finite("triangular", "mode", mode)) ||
        (rc = check_finite("triangular", "hi", hi)))
        return rc;
    if (!(lo < hi) || mode < lo || mode > hi)
        return usim_error(USIM_EINVAL,
                          "triangular: need lo <= mode <= hi and lo < hi "
                          "(lo %g, mode %g, hi %g)",
                          lo, mode, hi);
    return 0;
}

/* ---- public draws ------------------------------------------------ */

double usim_uniform(usim_rng *r, double a, double b)
{
    int rc = check_uniform(a, b);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return uniform_ab(r, a, b);
}

int64_t usim_uniform_int(usim_rng *r, int64_t a, int64_t b)
{
    if (a > b) {
        dist_fail(usim_error(USIM_EINVAL,
                             "uniform_int: a %" PRId64 " must be <= b %" PRId64, a, b));
        return 0;
    }
    uint64_t span = (uint64_t)b - (uint64_t)a + 1; /* 0: all 2^64 values */
    uint64_t k = span == 0 ? rng_next64(r) : rng_below(r, span);
    return (int64_t)((uint64_t)a + k);
}

double usim_exponential(usim_rng *r, double mean)
{
    int rc = check_positive("exponential", "mean", mean);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return mean * exp1(r);
}

double usim_normal(usim_rng *r, double mu, double sigma)
{
    int rc = check_normal("normal", mu, sigma);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return mu + sigma * normal01(r);
}

double usim_lognormal(usim_rng *r, double mu, double sigma)
{
    int rc = check_normal("lognormal", mu, sigma);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return exp(mu + sigma * normal01(r));
}

double usim_gamma(usim_rng *r, double shape, double scale)
{
    int rc = check_shape_scale("gamma", shape, scale);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return scale * gamma1(r, shape);
}

double usim_erlang(usim_rng *r, int k, double scale)
{
    int rc = 0;
    if (k < 1)
        rc = usim_error(USIM_EINVAL, "erlang: k %d must be >= 1", k);
    else
        rc = check_positive("erlang", "scale", scale);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return scale * gamma1(r, (double)k);
}

double usim_weibull(usim_rng *r, double shape, double scale)
{
    int rc = check_shape_scale("weibull", shape, scale);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return scale * pow(-log(rng_u01(r)), 1.0 / shape);
}

double usim_triangular(usim_rng *r, double lo, double mode, double hi)
{
    int rc = check_triangular(lo, mode, hi);
    if (rc) {
        dist_fail(rc);
        return NAN;
    }
    return triangular_inv(r, lo, mode, hi);
}

bool usim_bernoulli(usim_rng *r, double p)
{
    if (!(p >= 0.0 && p <= 1.0)) {
        dist_fail(usim_error(USIM_EINVAL, "bernoulli: p %g must be in [0, 1]", p));
        return false;
    }
    /* u is never 0 or 1: p = 0 never succeeds, p = 1 always does. */
    return rng_u01(r) < p;
}

/* Means up to 2^62 keep k (about mean +- 64 sqrt(mean)) inside int64_t. */
#define POISSON_MEAN_MAX 0x1p62

int64_t usim_poisson(usim_rng *r, double mean)
{
    if (!(mean >= 0.0 && mean <= POISSON_MEAN_MAX)) {
        dist_fail(
            usim_error(USIM_EINVAL, "poisson: mean %g must be in [0, 2^62]", mean));
        return 0;
    }
    if (mean == 0.0)
        return 0;
    if (mean < POISSON_INVERSION_MAX)
        return poisson_inversion(r, mean);
    return poisson_ptrs(r, mean);
}

/* ---- usim_dist --------------------------------------------------- */

int usim_dist_init(usim_dist *d, usim_dist_kind kind, const double *p)
{
    int rc;
    switch (kind) {
    case USIM_DIST_CONSTANT:
        rc = check_finite("constant", "value", p[0]);
        break;
    case USIM_DIST_UNIFORM:
        rc = check_uniform(p[0], p[1]);
        break;
    case USIM_DIST_EXPONENTIAL:
        rc = check_positive("exponential", "mean", p[0]);
        break;
    case USIM_DIST_NORMAL:
        rc = check_normal("normal", p[0], p[1]);
        break;
    case USIM_DIST_LOGNORMAL:
        rc = check_normal("lognormal", p[0], p[1]);
        break;
    case USIM_DIST_GAMMA:
        rc = check_shape_scale("gamma", p[0], p[1]);
        break;
    case USIM_DIST_WEIBULL:
        rc = check_shape_scale("weibull", p[0], p[1]);
        break;
    case USIM_DIST_TRIANGULAR:
        rc = check_triangular(p[0], p[1], p[2]);
        break;
    default:
        return usim_error(USIM_EINVAL, "usim_dist_init: unknown kind %d", (int)kind);
    }
    if (rc)
        return rc;
    static const int nparams[] = {
        [USIM_DIST_CONSTANT] = 1,    [USIM_DIST_UNIFORM] = 2,
        [USIM_DIST_EXPONENTIAL] = 1, [USIM_DIST_NORMAL] = 2,
        [USIM_DIST_LOGNORMAL] = 2,   [USIM_DIST_GAMMA] = 2,
        [USIM_DIST_WEIBULL] = 2,     [USIM_DIST_TRIANGULAR] = 3,
    };
    d->kind = kind;
    for (int i = 0; i < 3; i++)
        d->p[i] = i < nparams[kind] ? p[i] : 0.0;
    return 0;
}

double usim_dist_draw(const usim_dist *d, usim_rng *r)
{
    const double *p = d->p;
    switch (d->kind) {
    case USIM_DIST_CONSTANT:
        return p[0];
    case USIM_DIST_UNIFORM:
        return uniform_ab(r, p[0], p[1]);
    case USIM_DIST_EXPONENTIAL:
        return p[0] * exp1(r);
    case USIM_DIST_NORMAL:
        return p[0] + p[1] * normal01(r);
    case USIM_DIST_LOGNORMAL:
        return exp(p[0] + p[1] * normal01(r));
    case USIM_DIST_GAMMA:
        return p[1] * gamma1(r, p[0]);
    case USIM_DIST_WEIBULL:
        return p[1] * pow(-log(rng_u01(r)), 1.0 / p[0]);
    case USIM_DIST_TRIANGULAR:
        return triangular_inv(r, p[0], p[1], p[2]);
    }
    assert(!"usim_dist not initialised by usim_dist_init");
    return NAN;
}

double usim_dist_mean(const usim_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case USIM_DIST_CONSTANT:
    case USIM_DIST_EXPONENTIAL:
    case USIM_DIST_NORMAL:
        return p[0];
    case USIM_DIST_UNIFORM:
        return 0.5 * (p[0] + p[1]);
    case USIM_DIST_LOGNORMAL:
        return exp(p[0] + 0.5 * p[1] * p[1]);
    case USIM_DIST_GAMMA:
        return p[0] * p[1];
    case USIM_DIST_WEIBULL:
        return p[1] * tgamma(1.0 + 1.0 / p[0]);
    case USIM_DIST_TRIANGULAR:
        return (p[0] + p[1] + p[2]) / 3.0;
    }
    assert(!"usim_dist not initialised by usim_dist_init");
    return NAN;
}
