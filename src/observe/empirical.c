/*
 * empirical.c — a continuous distribution given by a table: the CDF is
 * the polyline through (x[i], cum[i]).  Drawn by inversion: a uniform u
 * falls in the segment with cum[i] < u <= cum[i+1] (binary search) and is
 * mapped linearly into [x[i], x[i+1]].  Flat segments (equal cum) are
 * never chosen; equal x with rising cum is an atom at x.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "observe/rng.h"

static int empirical_check(const double *x, const double *cum, size_t n)
{
    if (n < 2)
        return usim_error(USIM_EINVAL, "empirical: %zu points, need at least 2", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(cum[i]))
            return usim_error(USIM_EINVAL,
                              "empirical: point %zu (%g, %g) is not finite", i, x[i],
                              cum[i]);
        if (i > 0 && x[i] < x[i - 1])
            return usim_error(USIM_EINVAL, "empirical: x[%zu] %g < x[%zu] %g", i, x[i],
                              i - 1, x[i - 1]);
        if (i > 0 && cum[i] < cum[i - 1])
            return usim_error(USIM_EINVAL, "empirical: cum[%zu] %g < cum[%zu] %g", i,
                              cum[i], i - 1, cum[i - 1]);
    }
    if (cum[0] != 0.0 || cum[n - 1] != 1.0)
        return usim_error(USIM_EINVAL,
                          "empirical: cum must run from 0 to 1 (it runs from %g to %g)",
                          cum[0], cum[n - 1]);
    return 0;
}

int usim_empirical_init(usim_empirical *e, const double *x, const double *cum, size_t n)
{
    int rc = empirical_check(x, cum, n);
    if (rc)
        return rc;
    double *xs = malloc(n * sizeof *xs), *cs = malloc(n * sizeof *cs);
    if (!xs || !cs) {
        free(xs);
        free(cs);
        return usim_error(USIM_ENOMEM, "empirical: out of memory for %zu points", n);
    }
    memcpy(xs, x, n * sizeof *xs);
    memcpy(cs, cum, n * sizeof *cs);
    e->n = n;
    e->x = xs;
    e->cum = cs;
    return 0;
}

void usim_empirical_destroy(usim_empirical *e)
{
    free(e->x);
    free(e->cum);
    e->x = NULL;
    e->cum = NULL;
    e->n = 0;
}

double usim_empirical_draw(const usim_empirical *e, usim_rng *r)
{
    assert(e->n >= 2 && e->cum[0] == 0.0 && e->cum[e->n - 1] == 1.0);
    double u = rng_u01(r);
    /* Invariant: cum[lo] < u <= cum[hi]; holds at the start since
     * 0 < u < 1. */
    size_t lo = 0, hi = e->n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->cum[mid] < u)
            lo = mid;
        else
            hi = mid;
    }
    double c0 = e->cum[lo], c1 = e->cum[hi];
    assert(c0 < u && u <= c1);
    return e->x[lo] + (e->x[hi] - e->x[lo]) * ((u - c0) / (c1 - c0));
}
