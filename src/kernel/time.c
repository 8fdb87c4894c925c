/*
 * time.c — simulated time seen from a task: sleeping under the drift
 * policies, exact delays, absolute waits and the periodic loop; each
 * completed wait records its drift (drift.h).  How a time becomes ticks,
 * and what each policy does with a duration that is not whole ticks, is
 * ticks.h's contract; this file applies it to the task's clock and carry.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/drift.h"
#include "kernel/loop.h"
#include "kernel/ticks.h"

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
 * policies, and under naive for q beyond the fast range. */
static int64_t sleep_target(usim_task *self, double d, double q)
{
    usim_sim *sim = self->sim;
    double whole;
    bool exact = ticks_whole(q, &whole);
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
        /* The exact target moves from carry_base + carry_frac ticks to
         * that plus q (whole ticks: the fraction stays as it is); the
         * task wakes at the target's tick. */
        double frac = self->carry_frac;
        double w = exact ? whole : ticks_split(frac + q, &frac);
        self->carry_base = tick_after(self, self->carry_base, w);
        self->carry_frac = frac;
        return self->carry_base + (int64_t)ticks_ceil_from(self->carry_base, frac);
    }
    default:
        return tick_after(self, sim->now, ticks_ceil(q));
    }
}

/* usim_sleep, every case: the policies, the checks of the duration, the
 * wait with its entry checks. */
static __attribute__((noinline)) int sleep_general(double d)
{
    usim_task *self = sched_require_task("usim_sleep");
    if (!self)
        return USIM_ESTATE;
    if (__builtin_expect(!(d >= 0 && d <= DBL_MAX), 0))
        return usim_error(USIM_EINVAL,
                          "usim_sleep: duration %g must be finite and >= 0", d);
    usim_sim *sim = self->sim;
    double q = ticks_quotient(d, sim->cfg.resolution);
    int64_t target;
    if (__builtin_expect(sim->cfg.drift == USIM_DRIFT_NAIVE && q < TICKS_FAST_MAX, 1))
        target = tick_after(self, sim->now, ticks_ceil_nonneg(q));
    else
        target = sleep_target(self, d, q);
    return loop_timed_wait(self, target, d);
}

/* usim_sleep of a naive sleep of n = ticks_ceil_nonneg(q) ticks that
 * sleep_general would compute too, but that the shortcut did not
 * complete. */
static __attribute__((noinline)) int sleep_naive(usim_task *self, double d, int64_t n)
{
    return loop_timed_wait(self, tick_after(self, self->sim->now, (double)n), d);
}

/* The hot path: a task with no flag of `slow` (no cancellation,
 * interrupt, timeout, failed child or scope deadline, not musim; naive
 * drift and its drift group known) sleeping a duration whose quotient is
 * within ticks.h's fast range (so d is finite and >= 0).  That is
 * sleep_general's naive branch with entry checks that pass.  When it
 * ends after now and by LOOP_SLEEP_FAST_MAX, the overflow check of
 * tick_after cannot fail (the clock is below 2^61 and n at most 2^52),
 * and the wait goes to loop_sleep_fast; when that completes it inline,
 * the drift is recorded here as loop_timed_wait records it (the group is
 * known, so there is nothing to register). */
int usim_sleep(double d)
{
    usim_task *self = sched_self();
    if (__builtin_expect(self != NULL, 1)) {
        usim_sim *sim = self->sim;
        double q = ticks_quotient(d, sim->cfg.resolution);
        if (__builtin_expect(self->slow == 0 && ticks_in_fast_range(q), 1)) {
            int64_t n = ticks_ceil_nonneg_int(q);
            int64_t now = sim->now;
            if (__builtin_expect(n >= 1 && n <= LOOP_SLEEP_FAST_MAX - now, 1)) {
                int rc;
                if (__builtin_expect(!loop_sleep_fast(self, sim, now + n, d, &rc), 0))
                    return rc;
                drift_record_grouped(self, &sim->drift, d,
                                     (double)n * sim->cfg.resolution);
                return 0;
            }
            return sleep_naive(self, d, n);
        }
    }
    return sleep_general(d);
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
    if (isnan(t))
        return usim_error(USIM_EINVAL, "usim_sleep_until: time is NaN");
    if (t == INFINITY)
        return loop_wait_until(self, SCHED_NO_TIMEOUT, 0.0, false);
    double q = ticks_quotient(t, sim->cfg.resolution);
    double at = ticks_ceil(q);
    if (at >= (double)INT64_MAX)
        fail_overflow(self, q - (double)sim->now);
    int64_t target = at > (double)sim->now ? (int64_t)at : sim->now;
    double start = sim_time(sim, sim->now);
    int rc = loop_wait_until(self, target, t > start ? t - start : 0.0, self->musim);
    if (rc == 0) {
        /* The exact target t becomes the carried target, unless it was
         * already in the past. */
        if (at == (double)sim->now && q > 0) {
            double frac;
            self->carry_base = (int64_t)ticks_split(q, &frac);
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

/* usim_now and usim_now_ticks outside a running simulation. */
static void now_outside(const char *fn)
{
    usim_error(USIM_ESTATE, "%s: called outside a running simulation", fn);
    sched_setup_mistake(usim_errmsg());
}

double usim_now(void)
{
    usim_sim *sim = sched_sim();
    if (__builtin_expect(!sim, 0)) {
        now_outside("usim_now");
        return NAN;
    }
    return sim_time(sim, sim->now);
}

int64_t usim_now_ticks(void)
{
    usim_sim *sim = sched_sim();
    if (!sim) {
        now_outside("usim_now_ticks");
        return -1;
    }
    return sim->now;
}

/* ------------------------------------------------------------------ */
/* A deadline for the next blocking call                               */
/* ------------------------------------------------------------------ */

/* Arms tick `at` (SCHED_NO_TIMEOUT: disarms) for the task's next call. */
static int timeout_arm(usim_task *self, int64_t at)
{
    self->timeout_tick = at;
    self->timeout_armed = at != SCHED_NO_TIMEOUT;
    return 0;
}

int usim_timeout(double d)
{
    usim_task *self = sched_require_task("usim_timeout");
    if (!self)
        return USIM_ESTATE;
    if (!(d >= 0))
        return usim_error(USIM_EINVAL, "usim_timeout: duration %g must be >= 0", d);
    usim_sim *sim = self->sim;
    double w = ticks_ceil(ticks_quotient(d, sim->cfg.resolution));
    if (!(w < (double)(SCHED_NO_TIMEOUT - sim->now)))
        return timeout_arm(self, SCHED_NO_TIMEOUT); /* beyond the end of time */
    return timeout_arm(self, sim->now + (int64_t)w);
}

int usim_timeout_at(double t)
{
    usim_task *self = sched_require_task("usim_timeout_at");
    if (!self)
        return USIM_ESTATE;
    if (isnan(t))
        return usim_error(USIM_EINVAL, "usim_timeout_at: time is NaN");
    double q = ticks_ceil(ticks_quotient(t, self->sim->cfg.resolution));
    return timeout_arm(self, ticks_clamp(q, 0, SCHED_NO_TIMEOUT));
}

/* ------------------------------------------------------------------ */
/* Periodic loop                                                       */
/* ------------------------------------------------------------------ */

usim_every usim_every_begin(double interval)
{
    return usim_every_begin_ex(interval, 0);
}

usim_every usim_every_begin_ex(double interval, unsigned flags)
{
    usim_every e = {.interval = interval, .flags = flags};
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
    if (flags & ~USIM_EVERY_OVERRUN_FAILS) {
        e.rc = usim_error(USIM_EINVAL, "usim_every_begin_ex: unknown flags %#x",
                          flags & ~USIM_EVERY_OVERRUN_FAILS);
        return e;
    }
    usim_sim *sim = self->sim;
    double whole;
    if (sim->cfg.drift == USIM_DRIFT_STRICT &&
        !ticks_whole(ticks_quotient(interval, sim->cfg.resolution), &whole)) {
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
    int rc = sched_call_begin(self);
    if (rc != 0) {
        e->rc = rc;
        return false;
    }
    usim_sim *sim = self->sim;
    e->k++;
    double q = ticks_grid(e->k, e->interval, sim->cfg.resolution);
    int64_t target = tick_after(self, e->t0, ticks_ceil_from(e->t0, q));
    bool overrun = target < sim->now;
    if (overrun) {
        e->overruns++;
        if (e->flags & USIM_EVERY_OVERRUN_FAILS) {
            e->rc = USIM_EOVERRUN;
            return false;
        }
        target = sim->now;
    }
    rc = loop_block(self, NULL, NULL, "periodic wait", NULL, NULL, target);
    if (rc != 0) {
        e->rc = rc;
        return false;
    }
    drift_record(self, &sim->drift, e->interval,
                 (double)(sim->now - e->last) * sim->cfg.resolution, overrun);
    e->last = sim->now;
    /* The loop keeps its own grid; a usim_sleep after it starts from now. */
    self->carry_valid = false;
    return true;
}
