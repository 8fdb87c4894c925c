/*
 * drift.h — drift statistics: what the timed waits of each task and of
 * the whole run requested and got.
 *
 * Each task sums its own completed timed waits (task.h: drift_acc) and
 * nothing else on the hot path.  The run's statistics are per task name
 * ("drift groups", in the order names first waited): a task's sums join
 * its group when it is freed (drift_fold), and a read adds those of the
 * tasks still held (drift.c, cached until the next event).  Every wait
 * also counts in the run's histogram of |drift| (usim_sim_drift_hist):
 * one increment in a bin that the exponent of |drift| / resolution picks.
 */
#ifndef USIM_KERNEL_DRIFT_H
#define USIM_KERNEL_DRIFT_H

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/task.h"

typedef struct drift_group drift_group; /* a name and its sums (drift.c) */

/* The groups of one simulation and the open-addressing index of their
 * names (tasks named "customer 1", "customer 2", ... make many). */
typedef struct drift_registry {
    drift_group *groups; /* sums of freed tasks, by name */
    size_t n, cap;
    drift_group *view; /* groups + tasks not yet freed, see drift.c */
    uint64_t view_events;
    size_t view_n;
    int *index;
    size_t cap_index;
    double per_tick;                /* 1 / resolution */
    uint64_t hist[USIM_DRIFT_BINS]; /* every wait of the run */
} drift_registry;

/* drift_bin's table: the bin of each value of the exponent field. */
extern const uint8_t drift_bin_of_exponent[2048];

/* The bin of a drift of `ticks` resolution units (>= 0):
 * floor(log2(ticks)) + USIM_DRIFT_BIN_ZERO clamped to the bins, read off
 * the exponent field (0 and subnormals have field 0: bin 0) through a
 * table that holds that clamped sum for each field value.  No branch and
 * no libm: it runs at every timed wait.  The sign bit of a value >= 0 is
 * clear, so the bits shifted right by 52 are the exponent field alone. */
static inline unsigned drift_bin(double ticks)
{
    uint64_t bits;
    memcpy(&bits, &ticks, sizeof bits);
    assert(!(bits >> 63));
    return drift_bin_of_exponent[bits >> 52];
}

static inline void drift_acc_add(drift_acc *a, double requested, double actual,
                                 bool overrun)
{
    double d = fabs(actual - requested);
    a->waits++;
    a->requested += requested;
    a->actual += actual;
    a->sum_abs += d;
    if (d > a->max_abs)
        a->max_abs = d;
    a->overruns += overrun;
}

/* The index of the group of `name`, registered if new; -1 if memory ran
 * out (the task's sums are then not folded into any group). */
int drift_group_index(usim_sim *sim, const char *name);

/* The task's first completed timed wait: registers its group and lets
 * its sleeps take usim_sleep's fast path if the policy is naive. */
void drift_first_wait(usim_task *t);

/* Records a completed timed wait of t (of the simulation whose registry
 * is r) that requested `requested` time units and lasted `actual`; the
 * group is registered at the first one. */
static inline void drift_record(usim_task *t, drift_registry *r, double requested,
                                double actual, bool overrun)
{
    drift_acc_add(&t->drift, requested, actual, overrun);
    r->hist[drift_bin(fabs(actual - requested) * r->per_tick)]++;
    if (__builtin_expect(t->drift_group < 0, 0))
        drift_first_wait(t);
}

/* drift_record for a task whose group is known (t->sleep_general is
 * clear), of a wait that did not overrun: the same sums. */
static inline void drift_record_grouped(usim_task *t, drift_registry *r,
                                        double requested, double actual)
{
    assert(t->drift_group >= 0);
    drift_acc_add(&t->drift, requested, actual, false);
    r->hist[drift_bin(fabs(actual - requested) * r->per_tick)]++;
}

/* Adds t's sums to its group, as t is freed. */
void drift_fold(usim_task *t);

void drift_registry_free(drift_registry *r);
/* No group and no wait; the arrays are kept (an emptied index). */
void drift_registry_empty(drift_registry *r);

#endif
