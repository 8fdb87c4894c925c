/*
 * warmup.h — the warm-up of a simulation: the time its statistics start,
 * the statistics to reset then and the hooks to call (warmup.c).
 */
#ifndef USIM_KERNEL_WARMUP_H
#define USIM_KERNEL_WARMUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "usim.h"

typedef struct warmup_stat {
    void *stat;
    void (*reset)(void *stat, double t);
} warmup_stat;

typedef struct warmup_hook {
    usim_warmup_fn fn;
    void *ctx;
} warmup_hook;

typedef struct warmup_state {
    bool pending; /* set and not reached yet */
    bool done;    /* reached: the statistics were reset */
    int64_t at;   /* ticks */
    double time;  /* the time as set, NaN without a warm-up */
    warmup_stat *stats;
    size_t nstats, capstats;
    warmup_hook *hooks;
    size_t nhooks, caphooks;
} warmup_state;

void warmup_init(warmup_state *w);
void warmup_free(warmup_state *w);
/* Resets every registered statistic at the current time, then runs the
 * hooks in the order they were registered; the warm-up is then done. */
void warmup_fire(usim_sim *sim);
/* Forgets the registered statistics that lie in [lo, lo + size): the
 * stack of a task that has ended before the warm-up, whose frames (and
 * the statistics in them) are gone. */
void warmup_forget_range(usim_sim *sim, const void *lo, size_t size);

#endif
