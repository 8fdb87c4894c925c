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
 *
 * Every call then ends with one of the kernel's turn-order hooks
 * (sched.h): sched_op_end after an operation μsim awaits, sched_op_ready
 * for a wait on a condition that already holds, sched_woke after a call
 * μsim does not await that made tasks ready.  The order decides what each
 * does; the primitive only says which it was.
 *
 * Every primitive struct carries a magic word: SYNC_LIVE from init to
 * destroy, SYNC_DEAD after.  Each call checks it first (SYNC_CHECK), so a
 * call on a destroyed or never initialised primitive fails loudly.
 */
#ifndef USIM_SYNC_H
#define USIM_SYNC_H

#include <stdint.h>

#include "kernel/sched.h"
#include "usim.h"

#define SYNC_LIVE 0x7573796eu /* "usyn" */
#define SYNC_DEAD 0x64656164u /* "dead" */

/* The error path of SYNC_CHECK: fails the run inside a task (and does not
 * return), else returns USIM_EINVAL with usim_errmsg() set ("FN: flag
 * 'door' is destroyed"). */
int sync_misuse(const char *fn, const char *kind, const char *name, uint32_t magic);

/* 0 if `p` (a primitive of `kind`) is live; otherwise the mistake is
 * reported and this is USIM_EINVAL (NULL p included). */
#define SYNC_CHECK(p, fn, kind)                                                        \
    (__builtin_expect((p) != NULL && (p)->magic == SYNC_LIVE, 1)                       \
         ? 0                                                                           \
         : ((p) == NULL ? usim_error(USIM_EINVAL, "%s: %s is NULL", (fn), (kind))      \
                        : sync_misuse((fn), (kind), (p)->name, (p)->magic)))

/* 0 inside a running task; otherwise USIM_ESTATE with a message naming
 * the calling function. */
static inline int sync_need_task(const char *fn)
{
    return sched_require_task(fn) ? 0 : USIM_ESTATE;
}

/* The entry check of every blocking call: USIM_ESTATE outside a task,
 * USIM_ECANCELED for a cancelled task (cancellation is sticky: it wins
 * even when the call could complete at once), else 0.  It also starts
 * the call's usim_timeout deadline. */
static inline int sync_begin(const char *fn)
{
    usim_task *self = sched_require_task(fn);
    if (!self)
        return USIM_ESTATE;
    return sched_call_begin(self);
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
