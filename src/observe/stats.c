/*
 * stats.c — tally and histogram: plain structs the model owns, no
 * allocation except the histogram's bins.  Their init registers them for
 * a pending warm-up (kernel/warmup.c), so adding stays a few flops.  (The time-weighted
 * level is in sync/level.c: tracked values keep one.)
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "kernel/service.h"
#include "usim.h"

/* ---- tally: Welford's running mean and sum of squared deviations --- */

void usim_tally_reset(usim_tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

static void tally_warmup(void *stat, double t)
{
    (void)t;
    usim_tally_reset(stat);
}

void usim_tally_init(usim_tally *t)
{
    usim_tally_reset(t);
    kernel_stat_register(t, tally_warmup);
}

void usim_tally_add(usim_tally *t, double x)
{
    t->n++;
    double delta = x - t->mean;
    t->mean += delta / (double)t->n;
    t->m2 += delta * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
}

uint64_t usim_tally_count(const usim_tally *t)
{
    return t->n;
}

double usim_tally_mean(const usim_tally *t)
{
    return t->n > 0 ? t->mean : NAN;
}

double usim_tally_variance(const usim_tally *t)
{
    return t->n > 1 ? t->m2 / (double)(t->n - 1) : NAN;
}

double usim_tally_sd(const usim_tally *t)
{
    return sqrt(usim_tally_variance(t));
}

double usim_tally_min(const usim_tally *t)
{
    return t->n > 0 ? t->min : NAN;
}

double usim_tally_max(const usim_tally *t)
{
    return t->n > 0 ? t->max : NAN;
}

/* ---- histogram ---------------------------------------------------- */

static void histogram_warmup(void *stat, double t)
{
    (void)t;
    usim_histogram_reset(stat);
}

int usim_histogram_init(usim_histogram *h, double lo, double hi, size_t nbins)
{
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(hi - lo))
        return usim_error(USIM_EINVAL, "histogram: need finite lo < hi (lo %g, hi %g)",
                          lo, hi);
    if (nbins == 0)
        return usim_error(USIM_EINVAL, "histogram: nbins must be >= 1");
    uint64_t *bins = calloc(nbins, sizeof *bins);
    if (!bins)
        return usim_error(USIM_ENOMEM, "histogram: out of memory for %zu bins", nbins);
    h->lo = lo;
    h->hi = hi;
    h->nbins = nbins;
    h->bins = bins;
    h->under = 0;
    h->over = 0;
    kernel_stat_register(h, histogram_warmup);
    return 0;
}

void usim_histogram_reset(usim_histogram *h)
{
    for (size_t i = 0; i < h->nbins; i++)
        h->bins[i] = 0;
    h->under = 0;
    h->over = 0;
}

void usim_histogram_destroy(usim_histogram *h)
{
    kernel_stat_forget(h);
    free(h->bins);
    h->bins = NULL;
    h->nbins = 0;
}

double usim_histogram_edge(const usim_histogram *h, size_t i)
{
    assert(i <= h->nbins);
    if (i == h->nbins)
        return h->hi; /* exact, whatever the rounding below */
    return h->lo + (h->hi - h->lo) * ((double)i / (double)h->nbins);
}

/* Bin i holds edge(i) <= x < edge(i+1).  The quotient may be off by one
 * after rounding; the edges themselves decide, so a value equal to an
 * edge always lands in the bin that the edge opens. */
void usim_histogram_add(usim_histogram *h, double x)
{
    if (x < h->lo) {
        h->under++;
        return;
    }
    if (!(x < h->hi)) { /* NaN counts as overflow */
        h->over++;
        return;
    }
    double q = (x - h->lo) / (h->hi - h->lo) * (double)h->nbins;
    size_t i = q < (double)h->nbins ? (size_t)q : h->nbins - 1;
    if (i > 0 && x < usim_histogram_edge(h, i))
        i--;
    else if (i + 1 < h->nbins && x >= usim_histogram_edge(h, i + 1))
        i++;
    assert(usim_histogram_edge(h, i) <= x && x < usim_histogram_edge(h, i + 1));
    h->bins[i]++;
}
