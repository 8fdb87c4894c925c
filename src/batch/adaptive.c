/*
 * adaptive.c — pilots and precision waves (adaptive.h).
 */
#include "batch/adaptive.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch/mser.h"
#include "batch/options.h"
#include "batch/student.h"

enum verdict { RUNNING, DONE, MET, MAX_REACHED };

/* Cells of the time grid [0, until) the pilots' traces are averaged on:
 * MSER-5 then sees 400 batches, and the warm-up is a multiple of
 * until / 400. */
#define PILOT_GRID 2000

typedef struct point_plan {
    bool held; /* in this shard */
    /* Pilots: done, and each one's warm-up trace as averages over the
     * cells of the grid (NaN: the pilot failed). */
    uint64_t pilots_done;
    uint8_t *pilot_done;
    double *pilot_grid; /* pilots x PILOT_GRID */
    bool warm_known;
    /* Main runs: replications [0, n) decided so far; done flags and the
     * precision scalars' values (NaN: not ok or not set) per replication,
     * scalar-major. */
    uint64_t n;
    uint8_t *done;
    double *val;
    enum verdict verdict;
    /* The last decision: its n, and its widest scalar. */
    uint64_t decided_n;
    size_t worst;
    double worst_hw, worst_target;
} point_plan;

struct adaptive {
    const experiment *e;
    point_plan *pts;
    double *warmup; /* per point */
    bool warm_reported;
};

static void point_free(point_plan *p)
{
    free(p->pilot_done);
    free(p->pilot_grid);
    free(p->done);
    free(p->val);
}

void adaptive_free(adaptive *a)
{
    if (a == NULL)
        return;
    for (uint64_t p = 0; a->pts && p < a->e->npoints; p++)
        point_free(&a->pts[p]);
    free(a->pts);
    free(a->warmup);
    free(a);
}

adaptive *adaptive_new(const experiment *e, uint64_t shard_index, uint64_t shard_count)
{
    adaptive *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->e = e;
    a->pts = calloc(e->npoints, sizeof *a->pts);
    a->warmup = calloc(e->npoints, sizeof *a->warmup);
    if (!a->pts || !a->warmup)
        goto nomem;
    size_t nval = e->precise ? e->precision.nscalars : 0;
    for (uint64_t p = 0; p < e->npoints; p++) {
        point_plan *pp = &a->pts[p];
        a->warmup[p] = e->warmup;
        pp->held = p % (shard_count ? shard_count : 1) == shard_index;
        pp->n = e->precise ? e->precision.min_replications : e->replications;
        pp->warm_known = e->pilots == 0;
        if (!pp->held)
            continue;
        pp->done = calloc(e->replications, 1);
        pp->pilot_done = calloc(e->pilots + 1, 1);
        pp->pilot_grid = malloc((e->pilots * PILOT_GRID + 1) * sizeof *pp->pilot_grid);
        pp->val = malloc((nval * e->replications + 1) * sizeof *pp->val);
        if (!pp->done || !pp->pilot_done || !pp->pilot_grid || !pp->val)
            goto nomem;
        for (size_t i = 0; i < nval * e->replications; i++)
            pp->val[i] = NAN;
    }
    return a;
nomem:
    adaptive_free(a);
    return NULL;
}

/*
 * A pilot's warm-up trace as a step function of time (each sample holds
 * until the next; the first from time 0), averaged over each cell of the
 * grid of [0, until) into cell[PILOT_GRID].
 */
static void pilot_cells(const experiment *e, const run_result *r, double *cell)
{
    const run_trace *tr = &r->traces[e->warmup_trace];
    double width = e->until / PILOT_GRID;
    size_t i = 0;
    for (size_t c = 0; c < PILOT_GRID; c++) {
        double a = (double)c * width, b = a + width, sum = 0, at = a;
        /* The sample in force at a, then the ones that start inside. */
        while (i + 1 < tr->n && tr->t[i + 1] <= a)
            i++;
        while (at < b) {
            double v = tr->n ? tr->v[i] : 0;
            double next = i + 1 < tr->n && tr->t[i + 1] < b ? tr->t[i + 1] : b;
            sum += v * (next - at);
            at = next;
            if (at < b)
                i++;
        }
        cell[c] = sum / width;
    }
}

void adaptive_record(adaptive *a, const run_result *r)
{
    const experiment *e = a->e;
    if (r->status == RUN_UNNEEDED || r->status == RUN_PENDING || r->point >= e->npoints)
        return;
    point_plan *pp = &a->pts[r->point];
    if (!pp->held)
        return;
    uint64_t k = r->replication;
    if (r->pilot) {
        if (k >= e->pilots || pp->pilot_done[k])
            return;
        pp->pilot_done[k] = 1;
        pp->pilots_done++;
        double *cell = pp->pilot_grid + k * PILOT_GRID;
        if (r->status == RUN_OK && e->warmup_trace < r->ntraces)
            pilot_cells(e, r, cell);
        else
            cell[0] = NAN;
        return;
    }
    if (k >= e->replications || pp->done[k])
        return;
    pp->done[k] = 1;
    for (size_t i = 0; e->precise && i < e->precision.nscalars; i++) {
        double v = r->status == RUN_OK ? r->scalars[e->precision.scalars[i]] : NAN;
        pp->val[i * e->replications + k] = isfinite(v) ? v : NAN;
    }
}

/*
 * The warm-up of a point whose pilots are done: MSER-5 on the mean of its
 * pilots' traces over the grid (pilots that failed left out, summed in
 * pilot order), the start of the first cell it keeps; 0 if no pilot
 * ended ok.  The mean over replications, not each pilot alone: on one
 * sample path of a congested queue MSER-5 mistakes long excursions for a
 * transient and cuts either nothing or up to half the run, while the
 * mean's noise shrinks with the pilots and leaves the transient.
 */
static void settle_warmup(adaptive *a, uint64_t p)
{
    const experiment *e = a->e;
    point_plan *pp = &a->pts[p];
    double mean[PILOT_GRID] = {0};
    uint64_t ok = 0;
    for (uint64_t k = 0; k < e->pilots; k++) {
        const double *cell = pp->pilot_grid + k * PILOT_GRID;
        if (isnan(cell[0]))
            continue;
        ok++;
        for (size_t c = 0; c < PILOT_GRID; c++)
            mean[c] += cell[c];
    }
    double w = 0;
    if (ok > 0) {
        for (size_t c = 0; c < PILOT_GRID; c++)
            mean[c] /= (double)ok;
        w = (double)mser5_truncation(mean, PILOT_GRID) * (e->until / PILOT_GRID);
    }
    a->warmup[p] = w;
    pp->warm_known = true;
}

/* Half-width and target of scalar i of a point over replications [0, n),
 * in replication order; *k the ok runs.  The half-width is infinite with
 * fewer than two. */
static void interval(const adaptive *a, const point_plan *pp, size_t i, double *hw,
                     double *target, double *t, double *sd, uint64_t *k)
{
    const exp_precision *pr = &a->e->precision;
    const double *v = pp->val + i * a->e->replications;
    double mean = 0, m2 = 0;
    *k = 0;
    for (uint64_t r = 0; r < pp->n; r++) {
        if (isnan(v[r]))
            continue;
        (*k)++;
        double d = v[r] - mean;
        mean += d / (double)*k;
        m2 += d * (v[r] - mean);
    }
    *target = isnan(pr->half_width) ? pr->relative * fabs(mean) : pr->half_width;
    *sd = *k >= 2 ? sqrt(m2 / (double)(*k - 1)) : NAN;
    *t = *k >= 2 ? student_t_quantile((1 + pr->confidence) / 2, (double)(*k - 1)) : NAN;
    *hw = *k >= 2 ? *t * *sd / sqrt((double)*k) : INFINITY;
}

/* After a complete wave: stop the point, or set its next n. */
static void decide(adaptive *a, point_plan *pp)
{
    const experiment *e = a->e;
    const exp_precision *pr = &e->precision;
    if (!e->precise) {
        pp->verdict = DONE;
        return;
    }
    bool met = true;
    double need = 0, worst = -1;
    pp->decided_n = pp->n;
    for (size_t i = 0; i < pr->nscalars; i++) {
        double hw, target, t, sd;
        uint64_t k;
        interval(a, pp, i, &hw, &target, &t, &sd, &k);
        double ratio = target > 0 ? hw / target : (hw > 0 ? INFINITY : 0);
        if (ratio > worst) {
            worst = ratio;
            pp->worst = i;
            pp->worst_hw = hw;
            pp->worst_target = target;
        }
        if (hw <= target)
            continue;
        met = false;
        /* Runs this scalar needs, counted in runs of any outcome: its ok
         * share of them is what the wave so far had. */
        double n_ok = k >= 2 ? ceil(pow(t * sd / target, 2)) : 2.0 * (double)pp->n;
        double share = k > 0 ? (double)pp->n / (double)k : 2.0;
        if (!(target > 0))
            n_ok = (double)pr->max_replications;
        need = fmax(need, n_ok * share);
    }
    if (met) {
        pp->verdict = MET;
        return;
    }
    if (pp->n >= pr->max_replications) {
        pp->verdict = MAX_REACHED;
        return;
    }
    double n = (double)pp->n;
    double next = fmin(fmax(need, n + ceil(n / 10)), 2 * n);
    pp->n =
        next >= (double)pr->max_replications ? pr->max_replications : (uint64_t)next;
}

/* Appends run to the list; -1 if memory runs out. */
static int push(uint64_t **runs, size_t *n, size_t *cap, uint64_t run)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        uint64_t *r = realloc(*runs, c * sizeof *r);
        if (r == NULL)
            return -1;
        *runs = r;
        *cap = c;
    }
    (*runs)[(*n)++] = run;
    return 0;
}

/* The runs point p still needs for its current stage (after deciding the
 * stages that are complete). */
static int point_next(adaptive *a, uint64_t p, uint64_t **runs, size_t *n, size_t *cap)
{
    const experiment *e = a->e;
    runspace sp = experiment_space(e);
    point_plan *pp = &a->pts[p];
    if (!pp->warm_known) {
        if (pp->pilots_done < e->pilots) {
            for (uint64_t k = 0; k < e->pilots; k++)
                if (!pp->pilot_done[k] &&
                    push(runs, n, cap, runspace_pilot_run(&sp, p, k)))
                    return -1;
            return 0;
        }
        settle_warmup(a, p);
    }
    while (pp->verdict == RUNNING) {
        bool complete = true;
        for (uint64_t r = 0; r < pp->n; r++)
            if (!pp->done[r]) {
                complete = false;
                if (push(runs, n, cap, runspace_run(&sp, p, r)) < 0)
                    return -1;
            }
        if (!complete)
            return 0;
        decide(a, pp);
    }
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

int adaptive_next(adaptive *a, uint64_t **runs, size_t *n)
{
    size_t cap = 0;
    *runs = NULL;
    *n = 0;
    for (uint64_t p = 0; p < a->e->npoints; p++)
        if (a->pts[p].held && point_next(a, p, runs, n, &cap) < 0) {
            free(*runs);
            *runs = NULL;
            return -1;
        }
    /* Pilots follow the main runs in id order: sort the mix. */
    if (*n > 0)
        qsort(*runs, *n, sizeof **runs, cmp_u64);
    return 0;
}

const double *adaptive_warmups(const adaptive *a)
{
    return a->warmup;
}

bool adaptive_point_end(const adaptive *a, uint64_t p, uint64_t *kept, char *msg,
                        size_t len)
{
    const point_plan *pp = &a->pts[p];
    if (!pp->held)
        return false;
    *kept = pp->n;
    snprintf(msg, len, "not needed: precision met after %" PRIu64 " replications",
             pp->n);
    return true;
}

/* The name of precision scalar i. */
static const char *scalar_name(const adaptive *a, size_t i)
{
    return a->e->model->scalars[a->e->precision.scalars[i]].name;
}

static void report_warmups(const adaptive *a, FILE *out)
{
    const experiment *e = a->e;
    fprintf(out, "%s: warm-up (MSER-5 on the mean %s of %" PRIu64 " pilots):", progname,
            e->traces[e->warmup_trace].name, e->pilots);
    uint64_t shown = 0;
    for (uint64_t p = 0; p < e->npoints; p++) {
        if (!a->pts[p].held)
            continue;
        if (shown++ == 8) {
            fprintf(out, " ...");
            break;
        }
        fprintf(out, " point %" PRIu64 " %.6g;", p, a->warmup[p]);
    }
    fprintf(out, "\n");
}

void adaptive_report(adaptive *a, FILE *out, bool final)
{
    const experiment *e = a->e;
    bool all_warm = true;
    for (uint64_t p = 0; p < e->npoints; p++)
        all_warm &= !a->pts[p].held || a->pts[p].warm_known;
    if (e->pilots > 0 && all_warm && !a->warm_reported) {
        report_warmups(a, out);
        a->warm_reported = true;
    }
    if (!e->precise)
        return;
    uint64_t held = 0, short_of = 0, met = 0, maxed = 0, lo = UINT64_MAX, hi = 0;
    for (uint64_t p = 0; p < e->npoints; p++) {
        const point_plan *pp = &a->pts[p];
        if (!pp->held)
            continue;
        held++;
        met += pp->verdict == MET;
        maxed += pp->verdict == MAX_REACHED;
        lo = pp->n < lo ? pp->n : lo;
        hi = pp->n > hi ? pp->n : hi;
        short_of += pp->verdict == RUNNING && pp->decided_n > 0;
    }
    if (final) {
        fprintf(out,
                "%s: precision: %" PRIu64 " of %" PRIu64
                " points met the target, %" PRIu64
                " stopped at max_replications; %" PRIu64 " to %" PRIu64
                " replications per point\n",
                progname, met, held, maxed, lo, hi);
        return;
    }
    if (short_of == 0)
        return;
    /* The points still short, each with its widest scalar (the first few). */
    fprintf(out,
            "%s: precision: %" PRIu64 " of %" PRIu64 " points short of the target:",
            progname, short_of, held);
    uint64_t shown = 0;
    for (uint64_t p = 0; p < e->npoints; p++) {
        const point_plan *pp = &a->pts[p];
        if (!pp->held || pp->verdict != RUNNING || pp->decided_n == 0)
            continue;
        if (shown++ == 6) {
            fprintf(out, " ...");
            break;
        }
        fprintf(out, " point %" PRIu64 " %s +-%.4g (target +-%.4g, %" PRIu64 " runs);",
                p, scalar_name(a, pp->worst), pp->worst_hw, pp->worst_target,
                pp->decided_n);
    }
    fprintf(out, "\n");
}
