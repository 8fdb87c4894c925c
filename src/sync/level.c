/*
 * level.c — the time-weighted level: the integral, mean, minimum and
 * maximum of a step function over simulated time (usim_level).
 *
 * It is a statistic, but it lives with the primitives because a tracked
 * value keeps one of its history (tracked.c), and the primitives must
 * not reach up into the observation layer.  Models use it directly too.
 * Times are plain doubles; only init knows of simulations, to register
 * the level for a pending warm-up (kernel/warmup.c).
 */
#include <assert.h>

#include "kernel/sched.h"
#include "usim.h"

static void level_warmup(void *stat, double t)
{
    usim_level_reset(stat, t);
}

void usim_level_reset(usim_level *l, double t)
{
    assert(t >= l->t_last);
    l->t0 = t;
    l->t_last = t;
    l->integral = 0.0;
    l->min = l->value;
    l->max = l->value;
}

void usim_level_init(usim_level *l, double t0, double value)
{
    l->t0 = t0;
    l->t_last = t0;
    l->value = value;
    l->integral = 0.0;
    l->min = value;
    l->max = value;
    kernel_stat_register(l, level_warmup);
}

void usim_level_set(usim_level *l, double t, double v)
{
    assert(t >= l->t_last); /* time does not run backwards */
    if (t > l->t_last) {
        l->integral += l->value * (t - l->t_last);
        l->t_last = t;
    }
    l->value = v;
    if (v < l->min)
        l->min = v;
    if (v > l->max)
        l->max = v;
}

double usim_level_integral(const usim_level *l, double t)
{
    assert(t >= l->t_last);
    return t > l->t_last ? l->integral + l->value * (t - l->t_last) : l->integral;
}

double usim_level_mean(const usim_level *l, double t)
{
    if (!(t > l->t0))
        return l->value; /* the limit of the mean as the span shrinks to 0 */
    return usim_level_integral(l, t) / (t - l->t0);
}

double usim_level_max(const usim_level *l)
{
    return l->max;
}

double usim_level_min(const usim_level *l)
{
    return l->min;
}
