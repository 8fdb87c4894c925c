/*
 * time.c — simulated time seen from a task: sleeping under the drift
 * policies, exact delays, absolute waits, the periodic loop, and the
 * drift statistics they record.
 *
 * A duration d is q = d / resolution ticks.  When q is within 1e-9
 * (relative) of an integer it is that integer.  Otherwise:
 *   naive    each sleep rounds up on its own (never wakes early);
 *   tracked  the task carries its exact target (carry_base + carry_frac
 *            ticks) from one timed wait to the next and wakes at the
 *            first tick at or after it, so the error never exceeds a tick;
 *   strict   the run fails, naming the task, the duration and resolution.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sched.h"
#include "kernel/sim.h"

/* True if q is an integer within 1e-9 relative; *r gets that integer.
 * (Integer conversions instead of libm calls: this is on every sleep.) */
static inline bool whole_ticks(double q, double *r)
{
    double n = q >= 0 && q < 0x1p62 ? (double)(int64_t)(q + 0.5) : nearbyint(q);
    double a = fabs(q);
    if (fabs(q - n) <= 1e-9 * (a > 1.0 ? a : 1.0)) {
        *r = n;
        return true;
    }
    return false;
}

/* ceil(q) for the non-negative q of durations. */
static inline double ceil_pos(double q)
{
    if (!(q >= 0 && q < 0x1p62))
        return ceil(q);
    double c = (double)(int64_t)q;
    return c < q ? c + 1.0 : c;
}

/* First tick at or after q ticks, snapping near-integers. */
static double ceil_ticks(double q)
{
    double r;
    return whole_ticks(q, &r) ? r : ceil_pos(q);
}

/* ------------------------------------------------------------------ */
/* Drift statistics                                                    */
/* ------------------------------------------------------------------ */

static usim_drift_stats acc_stats(const drift_acc *a)
{
    usim_drift_stats s = {
        .waits = a->waits,
        .requested = a->requested,
        .actual = a->actual,
        .mean_abs = a->waits ? a->sum_abs / (double)a->waits : 0.0,
        .max_abs = a->max_abs,
        .final = a->actual - a->requested,
        .overruns = a->overruns,
    };
    return s;
}

static void acc_merge(drift_acc *into, const drift_acc *a)
{
    into->waits += a->waits;
    into->requested += a->requested;
    into->actual += a->actual;
    into->sum_abs += a->sum_abs;
    into->max_abs = a->max_abs > into->max_abs ? a->max_abs : into->max_abs;
    into->overruns += a->overruns;
}

void drift_fold(usim_task *t)
{
    if (t->drift.waits && t->drift_group >= 0)
        acc_merge(&t->sim->groups[t->drift_group].acc, &t->drift);
}

/* The groups as they stand: folded sums plus those of tasks not yet
 * freed.  Cached in the simulation until its next event. */
static const drift_group *drift_view(const usim_sim *csim)
{
    usim_sim *sim = (usim_sim *)csim; /* the view is a cache */
    if (sim->view && sim->view_events == sim->events && sim->view_n == sim->ngroups)
        return sim->view;
    drift_group *v = realloc(sim->view, (sim->ngroups ? sim->ngroups : 1) * sizeof *v);
    if (!v)
        return sim->groups; /* folded sums only */
    if (sim->ngroups)
        memcpy(v, sim->groups, sim->ngroups * sizeof *v);
    for (usim_task *t = sim->all; t; t = t->all_next)
        if (t->drift.waits && t->drift_group >= 0)
            acc_merge(&v[t->drift_group].acc, &t->drift);
    sim->view = v;
    sim->view_events = sim->events;
    sim->view_n = sim->ngroups;
    return v;
}

usim_drift_stats usim_task_drift(const usim_task *t)
{
    static const drift_acc zero;
    return acc_stats(t ? &t->drift : &zero);
}

usim_drift_stats usim_sim_drift(const usim_sim *sim)
{
    drift_acc all = {0};
    const drift_group *v = drift_view(sim);
    for (size_t i = 0; i < sim->ngroups; i++)
        acc_merge(&all, &v[i].acc);
    return acc_stats(&all);
}

size_t usim_sim_drift_groups(const usim_sim *sim)
{
    return sim->ngroups;
}

int usim_sim_drift_group(const usim_sim *sim, size_t i, const char **name,
                         usim_drift_stats *out)
{
    if (i >= sim->ngroups)
        return usim_error(USIM_EINVAL, "drift group %zu of %zu", i, sim->ngroups);
    const drift_group *v = drift_view(sim);
    if (name)
        *name = v[i].name;
    if (out)
        *out = acc_stats(&v[i].acc);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                             */
/* ------------------------------------------------------------------ */

/* Simulated time is never allowed to wrap: a wait past the int64 tick
 * range fails the run. */
static __attribute__((noreturn, cold)) void fail_overflow(usim_task *self, double q)
{
    char msg[200];
    snprintf(msg, sizeof msg,
             "time overflow: task '%s' waits %.9g ticks from tick %lld, beyond the "
             "int64 tick range (resolution %.9g)",
             self->name, q, (long long)self->sim->now, self->sim->cfg.resolution);
    sched_fail(msg);
}

/* base + q ticks (q >= 0 and whole), or fails the run on overflow. */
static inline int64_t tick_after(usim_task *self, int64_t base, double q)
{
    if (__builtin_expect(q >= (double)(INT64_MAX - 1 - base), 0))
        fail_overflow(self, q);
    return base + (int64_t)q;
}

/* Splits q ticks into whole + fraction in [0, 1), snapping fractions
 * within 1e-9 of 0 or 1. */
static double split_ticks(double q, double *frac)
{
    double w = q >= 0 && q < 0x1p62 ? (double)(int64_t)q : floor(q);
    double f = q - w;
    if (f > 1.0 - 1e-9) {
        w += 1.0;
        f = 0.0;
    } else if (f < 1e-9) {
        f = 0.0;
    }
    *frac = f;
    return w;
}

/* Fails the run: a strict-drift sleep that is not whole ticks. */
static __attribute__((noreturn, cold)) void fail_strict(usim_task *self, double d,
                                                        double q)
{
    char msg[200];
    snprintf(msg, sizeof msg,
             "strict drift: task '%s' sleeps %.9g, which is %.9g ticks at "
             "resolution %.9g (not a whole number)",
             self->name, d, q, self->sim->cfg.resolution);
    sched_fail(msg);
}

/* The wake-up tick of a sleep of q ticks under the tracked and strict
 * policies, and under naive for q beyond 2^62 ticks. */
static int64_t sleep_target(usim_task *self, double d, double q)
{
    usim_sim *sim = self->sim;
    double whole;
    bool exact = whole_ticks(q, &whole);
    switch (sim->cfg.drift) {
    case USIM_DRIFT_STRICT:
        if (!exact)
            fail_strict(self, d, q);
        return tick_after(self, sim->now, whole);
    case USIM_DRIFT_TRACKED: {
        if (!self->carry_valid || self->carry_base < sim->now - 1) {
            self->carry_base = sim->now;
            self->carry_frac = 0.0;
            self->carry_valid = true;
        }
        double frac;
        double w = split_ticks(self->carry_frac + (exact ? whole : q), &frac);
        self->carry_base = tick_after(self, self->carry_base, w);
        self->carry_frac = frac;
        return self->carry_base + (frac > 0.0);
    }
    default:
        return tick_after(self, sim->now, exact ? whole : ceil_pos(q));
    }
}

int usim_sleep(double d)
{
    usim_task *self = sched_require_task("usim_sleep");
    if (!self)
        return USIM_ESTATE;
    if (__builtin_expect(!(d >= 0 && d <= DBL_MAX), 0))
        return usim_error(USIM_EINVAL,
                          "usim_sleep: duration %g must be finite and >= 0", d);
    usim_sim *sim = self->sim;
    double q = d / sim->cfg.resolution;
    int64_t target;
    if (__builtin_expect(sim->cfg.drift == USIM_DRIFT_NAIVE && q < 0x1p62, 1)) {
        /* sleep_target's naive case, inline: whole_ticks, then ceil_pos. */
        double n = (double)(int64_t)(q + 0.5);
        double w =
            fabs(q - n) <= 1e-9 * (q > 1.0 ? q : 1.0) ? n : (double)(int64_t)q + 1.0;
        target = tick_after(self, sim->now, w);
    } else {
        target = sleep_target(self, d, q);
    }
    return loop_timed_wait(self, target, d);
}

int usim_delay(int64_t ticks)
{
    usim_task *self = sched_require_task("usim_delay");
    if (!self)
        return USIM_ESTATE;
    if (ticks < 0)
        return usim_error(USIM_EINVAL, "usim_delay: %lld ticks must be >= 0",
                          (long long)ticks);
    usim_sim *sim = self->sim;
    if (ticks > INT64_MAX - 1 - sim->now)
        fail_overflow(self, (double)ticks);
    int64_t target = sim->now + ticks;
    if (self->carry_valid)
        self->carry_base += ticks;
    return loop_timed_wait(self, target, (double)ticks * sim->cfg.resolution);
}

int usim_sleep_until(double t)
{
    usim_task *self = sched_require_task("usim_sleep_until");
    if (!self)
        return USIM_ESTATE;
    usim_sim *sim = self->sim;
    if (isnan(t) || isinf(t))
        return usim_error(USIM_EINVAL, "usim_sleep_until: time %g must be finite", t);
    double q = t / sim->cfg.resolution;
    double at = ceil_ticks(q);
    if (at >= (double)INT64_MAX)
        fail_overflow(self, q - (double)sim->now);
    int64_t target = (int64_t)at > sim->now ? (int64_t)at : sim->now;
    double start = (double)sim->now * sim->cfg.resolution;
    int rc = loop_timed_wait(self, target, t > start ? t - start : 0.0);
    if (rc == 0) {
        /* The exact target t becomes the carried target, unless it was
         * already in the past. */
        double frac;
        double w = split_ticks(q > 0 ? q : 0, &frac);
        if ((int64_t)w + (frac > 0.0) == sim->now) {
            self->carry_base = (int64_t)w;
            self->carry_frac = frac;
        } else {
            self->carry_base = sim->now;
            self->carry_frac = 0.0;
        }
        self->carry_valid = true;
    }
    return rc;
}

int usim_instant(void)
{
    usim_task *self = sched_require_task("usim_instant");
    if (!self)
        return USIM_ESTATE;
    return loop_instant(self);
}

double usim_now(void)
{
    usim_sim *sim = sched_sim();
    if (!sim) {
        usim_error(USIM_ESTATE, "usim_now: called outside a running simulation");
        return NAN;
    }
    return (double)sim->now * sim->cfg.resolution;
}

int64_t usim_now_ticks(void)
{
    usim_sim *sim = sched_sim();
    if (!sim) {
        usim_error(USIM_ESTATE, "usim_now_ticks: called outside a running simulation");
        return -1;
    }
    return sim->now;
}

/* ------------------------------------------------------------------ */
/* Periodic loop                                                       */
/* ------------------------------------------------------------------ */

usim_every usim_every_begin(double interval)
{
    usim_every e = {.interval = interval};
    usim_task *self = sched_require_task("usim_every_begin");
    if (!self) {
        e.rc = USIM_ESTATE;
        return e;
    }
    if (!(interval > 0) || isinf(interval)) {
        e.rc = usim_error(USIM_EINVAL, "usim_every_begin: interval %g must be > 0",
                          interval);
        return e;
    }
    usim_sim *sim = self->sim;
    double whole;
    if (sim->cfg.drift == USIM_DRIFT_STRICT &&
        !whole_ticks(interval / sim->cfg.resolution, &whole)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "strict drift: task '%s' runs every %.9g, which is %.9g ticks at "
                 "resolution %.9g (not a whole number)",
                 self->name, interval, interval / sim->cfg.resolution,
                 sim->cfg.resolution);
        sched_fail(msg);
    }
    e.t0 = e.last = sim->now;
    return e;
}

bool usim_every_next(usim_every *e)
{
    if (e->rc)
        return false;
    usim_task *self = sched_require_task("usim_every_next");
    if (!self) {
        e->rc = USIM_ESTATE;
        return false;
    }
    usim_sim *sim = self->sim;
    e->k++;
    double q = ceil_ticks((double)e->k * (e->interval / sim->cfg.resolution));
    int64_t target = tick_after(self, e->t0, q);
    bool overrun = target < sim->now;
    if (overrun) {
        e->overruns++;
        target = sim->now;
    }
    int rc = loop_block(self, NULL, NULL, "periodic wait", NULL, NULL, target);
    if (rc != 0) {
        e->rc = rc;
        return false;
    }
    drift_record(self, e->interval, (double)(sim->now - e->last) * sim->cfg.resolution,
                 overrun);
    e->last = sim->now;
    /* The loop keeps its own grid; a usim_sleep after it starts from now. */
    self->carry_valid = false;
    return true;
}
