/*
 * discrete.c — index i with probability w[i] / sum(w), by Walker's alias
 * method in Vose's numerically stable form: O(n) set-up, O(1) draws (one
 * bounded index, one uniform).  Column i keeps i with probability
 * prob[i] and hands the rest of its mass to alias[i].
 */
#include <math.h>
#include <stdlib.h>

#include "observe/rng.h"

static int discrete_check(const double *w, size_t n, double *sum)
{
    if (n == 0)
        return usim_error(USIM_EINVAL, "discrete: no weights");
    if (n > UINT32_MAX)
        return usim_error(USIM_EINVAL, "discrete: %zu weights, at most 2^32-1", n);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] >= 0.0) || !isfinite(w[i]))
            return usim_error(USIM_EINVAL,
                              "discrete: weight[%zu] %g must be finite and >= 0", i,
                              w[i]);
        s += w[i];
    }
    if (!(s > 0.0) || !isfinite(s))
        return usim_error(USIM_EINVAL,
                          "discrete: weights sum to %g, need > 0 and finite", s);
    *sum = s;
    return 0;
}

int usim_discrete_init(usim_discrete *d, const double *weights, size_t n)
{
    double sum = 0.0;
    int rc = discrete_check(weights, n, &sum);
    if (rc)
        return rc;
    double *prob = malloc(n * sizeof *prob);
    uint32_t *alias = malloc(n * sizeof *alias);
    uint32_t *work =
        malloc(n * sizeof *work); /* small from the front, large from the back */
    if (!prob || !alias || !work) {
        rc = usim_error(USIM_ENOMEM, "discrete: out of memory for %zu weights", n);
        goto fail;
    }
    size_t nsmall = 0, nlarge = 0;
    for (size_t i = 0; i < n; i++) {
        prob[i] = weights[i] * (double)n / sum; /* mean 1 */
        alias[i] = (uint32_t)i;
        if (prob[i] < 1.0)
            work[nsmall++] = (uint32_t)i;
        else
            work[n - 1 - nlarge++] = (uint32_t)i;
    }
    /* Each step fills one small column from one large column.  The large
     * one may become small: it then moves to the small side. */
    while (nsmall > 0 && nlarge > 0) {
        uint32_t s = work[--nsmall], l = work[n - nlarge];
        alias[s] = l;
        prob[l] -= 1.0 - prob[s];
        if (prob[l] < 1.0) {
            nlarge--;
            work[nsmall++] = l;
        }
    }
    /* What is left is 1 up to rounding. */
    while (nlarge > 0)
        prob[work[n - nlarge--]] = 1.0;
    while (nsmall > 0)
        prob[work[--nsmall]] = 1.0;
    free(work);
    d->n = n;
    d->prob = prob;
    d->alias = alias;
    return 0;
fail:
    free(work);
    free(alias);
    free(prob);
    return rc;
}

void usim_discrete_destroy(usim_discrete *d)
{
    free(d->prob);
    free(d->alias);
    d->prob = NULL;
    d->alias = NULL;
    d->n = 0;
}

size_t usim_discrete_draw(const usim_discrete *d, usim_rng *r)
{
    assert(d->n > 0 && d->prob && d->alias);
    size_t i = (size_t)rng_below(r, d->n);
    return rng_u01(r) < d->prob[i] ? i : d->alias[i];
}
