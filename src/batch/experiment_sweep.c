/*
 * experiment_sweep.c — from the validated parameters to sweep points and
 * run ids (experiment_sweep.h, and the run functions of experiment.h).
 *
 * A point is a mixed-radix number whose digits are the loops' value
 * indices, the last loop the fastest digit; a run is
 * point * replications + replication.
 */
#define _GNU_SOURCE /* open_memstream */
#include "batch/experiment_sweep.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/distspec.h"

double sweep_range_count(double from, double to, double step)
{
    double q = (to - from) / step;
    if (q < 0)
        return -1;
    return floor(q + 1e-9) + 1;
}

void sweep_range_fill(double from, double to, double step, bool integral, size_t n,
                      double *values)
{
    for (size_t i = 0; i < n; i++) {
        double x = from + (double)i * step;
        if (integral)
            x = round(x);
        /* The last point is `to` itself when the steps land on it, not
         * 0.30000000000000004 for {from=0.1; to=0.3; step=0.1}. */
        if (i + 1 == n && fabs(x - to) <= 1e-9 * fabs(step))
            x = to;
        values[i] = x;
    }
}

/* The sweep's size must stay within the limits of experiment.h. */
static int check_size(loader *ld, const config_setting_t *root)
{
    const experiment *e = ld->e;
    const config_setting_t *at = config_setting_get_member(root, "parameters");
    if (at == NULL)
        at = config_setting_get_member(root, "replications");
    char sz[96];
    if (e->nruns == UINT64_MAX)
        snprintf(sz, sizeof sz, "more than 2^64 runs");
    else
        snprintf(sz, sizeof sz,
                 "%" PRIu64 " runs (%" PRIu64 " points x %" PRIu64 " replications)",
                 e->nruns, e->npoints, e->replications);
    if (e->nruns > UINT32_MAX) {
        if (at)
            return setting_fail(ld, at,
                                "the sweep has %s; run ids must stay below 2^32", sz);
        return setting_fail_missing(ld, NULL, "replications",
                                    "the sweep has %s; run ids must stay below 2^32",
                                    sz);
    }
    if (e->nruns > EXPERIMENT_MAX_RUNS && !ld->force) {
        if (at)
            return setting_fail(
                ld, at, "the sweep has %s, more than %llu: check it, or use --force",
                sz, EXPERIMENT_MAX_RUNS);
        return setting_fail_missing(
            ld, NULL, "replications",
            "the sweep has %s, more than %llu: check it, or use --force", sz,
            EXPERIMENT_MAX_RUNS);
    }
    return 0;
}

int sweep_build(loader *ld, const config_setting_t *root, const size_t *order,
                size_t norder, const int *zipof)
{
    experiment *e = ld->e;
    if ((e->loops = calloc(norder ? norder : 1, sizeof *e->loops)) == NULL)
        return setting_fail(ld, root, "out of memory");
    for (size_t i = 0; i < norder; i++) {
        size_t k = order[i];
        exp_param *ep = &e->params[k];
        if (ep->loop >= 0)
            continue; /* joined a zip group's loop already */
        exp_loop *l = &e->loops[e->nloops];
        l->n = ep->nvalues;
        if ((l->members = calloc(norder, sizeof *l->members)) == NULL)
            return setting_fail(ld, root, "out of memory");
        for (size_t j = i; j < norder; j++) {
            size_t m = order[j];
            if (m == k || (zipof[k] >= 0 && zipof[m] == zipof[k])) {
                l->members[l->nmembers++] = m;
                e->params[m].loop = (int)e->nloops;
            }
        }
        e->nloops++;
    }
    for (size_t k = 0; k < e->nparams; k++)
        if (e->params[k].loop == -2)
            e->params[k].loop = -1;

    /* Saturating product: the limits are far under UINT64_MAX. */
    uint64_t points = 1;
    for (size_t i = 0; i < e->nloops; i++)
        points =
            points > UINT64_MAX / e->loops[i].n ? UINT64_MAX : points * e->loops[i].n;
    e->npoints = points;
    e->nruns =
        points > UINT64_MAX / e->replications ? UINT64_MAX : points * e->replications;
    return check_size(ld, root);
}

runspace experiment_space(const experiment *e)
{
    return (runspace){e->npoints, e->replications, e->pilots, experiment_by_point(e)};
}

bool experiment_by_point(const experiment *e)
{
    return e->precise || e->pilots > 0;
}

uint64_t experiment_point(const experiment *e, uint64_t run)
{
    runspace s = experiment_space(e);
    return runspace_point(&s, run);
}

uint64_t experiment_replication(const experiment *e, uint64_t run)
{
    runspace s = experiment_space(e);
    return runspace_replication(&s, run);
}

bool experiment_is_pilot(const experiment *e, uint64_t run)
{
    runspace s = experiment_space(e);
    return runspace_is_pilot(&s, run);
}

void experiment_point_params(const experiment *e, uint64_t point, double *params)
{
    assert(point < e->npoints);
    for (size_t k = 0; k < e->nparams; k++)
        if (e->params[k].loop < 0)
            params[k] = e->params[k].values[0];
    /* The last loop varies fastest: peel its digit off first. */
    uint64_t rest = point;
    for (size_t i = e->nloops; i-- > 0;) {
        const exp_loop *l = &e->loops[i];
        size_t idx = (size_t)(rest % l->n);
        rest /= l->n;
        for (size_t m = 0; m < l->nmembers; m++)
            params[l->members[m]] = e->params[l->members[m]].values[idx];
    }
}

void experiment_point_dists(const experiment *e, const double *params, usim_dist *dists)
{
    for (size_t k = 0; k < e->nparams; k++)
        if (e->params[k].desc->type == USIM_PARAM_DIST)
            dists[k] = e->params[k].dists[(size_t)params[k]];
}

int experiment_param_label(const experiment *e, size_t k, double v, char *buf, size_t n)
{
    const exp_param *ep = &e->params[k];
    switch (ep->desc->type) {
    case USIM_PARAM_CHOICE:
        return snprintf(buf, n, "%s", ep->desc->choices[(size_t)v]);
    case USIM_PARAM_DIST:
        return distspec_format(&ep->dists[(size_t)v], buf, n);
    default:
        return snprintf(buf, n, "%.15g", v);
    }
}

char *experiment_param_labels(const experiment *e, size_t k)
{
    const exp_param *ep = &e->params[k];
    size_t n = 0;
    if (ep->desc->type == USIM_PARAM_CHOICE)
        while (ep->desc->choices[n] != NULL)
            n++;
    else if (ep->desc->type == USIM_PARAM_DIST)
        n = ep->nvalues;
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char label[256];
        if (ep->desc->type == USIM_PARAM_CHOICE)
            fprintf(f, "%s%s", i ? "\n" : "", ep->desc->choices[i]);
        else {
            distspec_format(&ep->dists[i], label, sizeof label);
            fprintf(f, "%s%s", i ? "\n" : "", label);
        }
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

void experiment_run_config(const experiment *e, uint64_t run, usim_config *cfg)
{
    *cfg = e->kernel;
    cfg->seed = e->seed;
    /* The kernel keys every stream (and its own random-order draws) by
     * (seed, cfg->run) and uses cfg->run for nothing else, so passing the
     * replication instead of the run id gives replication r of every
     * point the same numbers: common random numbers, without libusim
     * knowing of sweeps.  The run id stays the batch's own. */
    if (!e->common_random)
        cfg->run = run;
    else if (experiment_is_pilot(e, run)) /* pilot k: keys no replication uses */
        cfg->run = e->replications + experiment_replication(e, run);
    else
        cfg->run = experiment_replication(e, run);
}

const char *experiment_random_numbers(const experiment *e)
{
    return e->common_random ? "common" : "independent";
}
