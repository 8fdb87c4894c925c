/*
 * sync.h — helpers shared by the primitives (the src/sync files).  Internal.
 *
 * Every primitive follows the same pattern, built only on kernel/sched.h:
 * a blocking call either completes at once, or puts a small record on the
 * caller's stack, blocks on one of the primitive's wait lists with
 * sched_block(), and is woken by the task that completed its operation
 * for it (the item was handed over, the units were granted, ...).  A woken
 * waiter therefore finds its operation already done when sched_block()
 * returns 0; any other return means it was never done.
 */
#ifndef USIM_SYNC_H
#define USIM_SYNC_H

#include "kernel/sched.h"
#include "usim.h"

/* 0 inside a running task; otherwise USIM_ESTATE with a message naming
 * the calling function. */
static inline int sync_need_task(const char *fn)
{
    return sched_require_task(fn) ? 0 : USIM_ESTATE;
}

/* The entry check of every blocking call: USIM_ESTATE outside a task,
 * USIM_ECANCELED for a cancelled task (cancellation is sticky: it wins
 * even when the call could complete at once), else 0. */
static inline int sync_begin(const char *fn)
{
    usim_task *self = sched_require_task(fn);
    if (!self)
        return USIM_ESTATE;
    return sched_cancelled(self) ? USIM_ECANCELED : 0;
}

/* A wait for a state that already holds: a turn point, then 0 (or
 * USIM_ECANCELED for a cancelled task, which must never report success
 * from a blocking call). */
static inline int sync_already(void)
{
    usim_task *self = sched_self();
    if (sched_cancelled(self))
        return USIM_ECANCELED;
    sched_turn();
    return sched_cancelled(self) ? USIM_ECANCELED : 0;
}

/* Ends an operation that woke `woken` tasks: a turn point if any. */
static inline void sync_woke(size_t woken)
{
    if (woken > 0)
        sched_turn();
}

/* Wakes every task on `wl` with `rc`, in waiting order; returns how many. */
static inline size_t sync_wake_all(usim_waitlist *wl, int rc)
{
    size_t woken = 0;
    while (wl->head) {
        sched_wake(wl->head, rc);
        woken++;
    }
    return woken;
}

/* Units of `r` that task `t` holds (resource.c), for the hold forms. */
long resource_held(const usim_resource *r, const usim_task *t);

#endif
