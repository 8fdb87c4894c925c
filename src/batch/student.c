/*
 * student.c — Student t quantiles (student.h).
 *
 * For t >= 0 the distribution function is 1 - I_x(df/2, 1/2) / 2 with
 * x = df / (df + t^2), I the regularized incomplete beta function, which
 * is evaluated by its continued fraction (modified Lentz); the quantile is
 * found by bisection on t, which needs nothing but that the function
 * increases.
 */
#include "batch/student.h"

#include <float.h>
#include <math.h>

/* The continued fraction of I_x(a, b), for x < (a + 1) / (a + b + 2). */
static double beta_fraction(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double f = d;
    for (int m = 1; m <= 1000; m++) {
        double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        for (int half = 0; half < 2; half++) {
            d = 1 + num * d;
            c = 1 + num / c;
            if (fabs(d) < tiny)
                d = tiny;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1 / d;
            f *= c * d;
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        }
        if (fabs(c * d - 1) < 1e-15)
            break;
    }
    return f;
}

/* The regularized incomplete beta function I_x(a, b), 0 <= x <= 1. */
static double incomplete_beta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double front =
        exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2))
        return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

/* P(T > t) for t >= 0. */
static double upper_tail(double t, double df)
{
    return incomplete_beta(df / 2, 0.5, df / (df + t * t)) / 2;
}

double student_t_quantile(double p, double df)
{
    if (!(p >= 0.5 && p < 1) || !(df > 0))
        return NAN;
    double q = 1 - p, lo = 0, hi = 1;
    while (upper_tail(hi, df) > q && hi < 1e300)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (upper_tail(mid, df) > q)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}
