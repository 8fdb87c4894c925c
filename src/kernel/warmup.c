/*
 * warmup.c — the warm-up: statistics start at a time the host sets
 * (usim_sim_set_warmup), so the start-up of a model started empty does
 * not bias its results.
 *
 * The statistics are plain structs the model owns, so the simulation
 * cannot find them by itself: the init functions of tally, level and
 * histogram register the struct with the simulation running or being set
 * up on the thread while its warm-up is pending (kernel_stat_register).
 * Only then: without a warm-up nothing is recorded, and the adds and sets
 * of the hot paths never look at the registry.  The loop stops just
 * before the warm-up tick (loop.c) and calls warmup_fire; the registry
 * is freed then, so a statistic needs to live only until the warm-up.
 */
#include <math.h>
#include <stdlib.h>

#include "kernel/service.h"
#include "kernel/sim.h"
#include "kernel/ticks.h"

void warmup_init(warmup_state *w)
{
    *w = (warmup_state){.time = NAN};
}

void warmup_free(warmup_state *w)
{
    free(w->stats);
    free(w->hooks);
    w->stats = NULL;
    w->hooks = NULL;
    w->nstats = w->capstats = w->nhooks = w->caphooks = 0;
}

/* The simulation a statistic initialised now belongs to: the one running
 * on the thread, else the one being set up. */
static usim_sim *stat_owner(void)
{
    return sched_here.sim ? sched_here.sim : sched_here.setup;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? 2 * *cap : 16;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

void kernel_stat_register(void *stat, void (*reset)(void *stat, double t))
{
    usim_sim *sim = stat_owner();
    if (!sim || !sim->warmup.pending)
        return;
    warmup_state *w = &sim->warmup;
    /* A statistic initialised twice is registered twice (and reset twice,
     * which is the same as once): no search, so registering n statistics
     * takes time linear in n. */
    if (grow((void **)&w->stats, &w->capstats, w->nstats, sizeof *w->stats) != 0) {
        /* A statistic that would silently keep its warm-up data is a
         * wrong result: fail the run instead. */
        sched_misuse("warm-up: out of memory registering a statistic");
        return;
    }
    w->stats[w->nstats++] = (warmup_stat){stat, reset};
}

void kernel_stat_forget(void *stat)
{
    usim_sim *sim = stat_owner();
    if (!sim)
        return;
    warmup_state *w = &sim->warmup;
    for (size_t i = 0; i < w->nstats;)
        if (w->stats[i].stat == stat)
            w->stats[i] = w->stats[--w->nstats];
        else
            i++;
}

void warmup_forget_range(usim_sim *sim, const void *lo, size_t size)
{
    warmup_state *w = &sim->warmup;
    const char *b = lo;
    for (size_t i = 0; i < w->nstats;) {
        const char *p = w->stats[i].stat;
        if (p >= b && p < b + size)
            w->stats[i] = w->stats[--w->nstats];
        else
            i++;
    }
}

void warmup_fire(usim_sim *sim)
{
    warmup_state *w = &sim->warmup;
    double t = sim_time(sim, sim->now);
    w->pending = false;
    w->done = true;
    for (size_t i = 0; i < w->nstats; i++)
        w->stats[i].reset(w->stats[i].stat, t);
    for (size_t i = 0; i < w->nhooks; i++)
        w->hooks[i].fn(sim, w->hooks[i].ctx);
    warmup_free(w);
}

int usim_sim_set_warmup(usim_sim *sim, double t)
{
    if (!sim)
        return usim_error(USIM_EINVAL, "usim_sim_set_warmup: simulation is NULL");
    if (!(t >= 0) || !isfinite(t))
        return usim_error(USIM_EINVAL,
                          "usim_sim_set_warmup: the time must be finite and >= 0 (%g)",
                          t);
    if (sim->warmup.pending || sim->warmup.done || sim->events > 0 || sim->now > 0)
        return usim_error(USIM_ESTATE,
                          "usim_sim_set_warmup: only once, before the run");
    double q = ticks_ceil(ticks_quotient(t, sim->cfg.resolution));
    if (!(q < (double)(INT64_MAX / 2)))
        return usim_error(USIM_EINVAL, "usim_sim_set_warmup: %g is beyond the clock",
                          t);
    sim->warmup.at = (int64_t)q;
    sim->warmup.time = t;
    sim->warmup.pending = true;
    return 0;
}

double usim_sim_warmup(const usim_sim *sim)
{
    return sim ? sim->warmup.time : NAN;
}

int usim_sim_on_warmup(usim_sim *sim, usim_warmup_fn fn, void *ctx)
{
    if (!sim || !fn)
        return usim_error(USIM_EINVAL,
                          "usim_sim_on_warmup: NULL simulation or function");
    warmup_state *w = &sim->warmup;
    if (!w->pending)
        return 0; /* no warm-up to come: the counters start at 0 anyway */
    if (grow((void **)&w->hooks, &w->caphooks, w->nhooks, sizeof *w->hooks) != 0)
        return usim_error(USIM_ENOMEM, "usim_sim_on_warmup: out of memory");
    w->hooks[w->nhooks++] = (warmup_hook){fn, ctx};
    return 0;
}
