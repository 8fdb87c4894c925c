/*
 * collect.c — several activities at once: all results (μsim's collect)
 * or the first few (μsim's first), built on the public task calls.
 *
 * Both open a scope of the caller's and spawn one child per activity, so
 * the scope does what μsim's does: a failing child cancels the others
 * and interrupts the caller, close waits for every child, and close's
 * USIM_EFAILED is the collect's failure.  The children's states then say
 * which activity failed and which were cancelled.
 *
 * collect closes the scope and then joins each child in argument order
 * (μsim awaits each task after the scope: under musim a postpone each).
 * first spawns each activity volatile, inside a monitor that puts the
 * activity into a queue once it has returned, reads `count` of them,
 * and closes the scope, which cancels the monitors still running (μsim's
 * first, whose monitors are volatile tasks and whose results come
 * through a queue).
 */
#include <stdint.h>

#include "sync/sync.h"

static void *activity_run(void *a)
{
    usim_activity *act = a;
    act->result = act->fn(act->arg);
    return act->result;
}

/* first's monitor.  Until it runs, act->result holds the queue (the one
 * slot the caller does not read before the activity has returned), so
 * that nothing needs allocating. */
static void *activity_monitor(void *a)
{
    usim_activity *act = a;
    usim_queue *q = act->result;
    act->result = act->fn(act->arg);
    usim_queue_put(q, act);
    return act->result;
}

static int check_acts(const usim_activity *acts, size_t n, const char *fn)
{
    if (n && !acts)
        return usim_error(USIM_EINVAL, "%s: %zu activities but acts is NULL", fn, n);
    for (size_t i = 0; i < n; i++)
        if (!acts[i].fn)
            return usim_error(USIM_EINVAL, "%s: activity %zu has no function", fn, i);
    return 0;
}

/* Spawns every activity into s (volatile for first); on a failed spawn
 * cancels the ones spawned and returns USIM_ENOMEM (the caller still
 * closes s). */
static int spawn_all(usim_scope *s, usim_activity *acts, size_t n, usim_fn run,
                     bool volatile_child)
{
    usim_spawn_opts opts = {.volatile_child = volatile_child};
    for (size_t i = 0; i < n; i++) {
        acts[i].task = NULL;
        acts[i].status = USIM_ECANCELED;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = acts[i].name ? acts[i].name : "activity";
        acts[i].task = usim_scope_spawn_ex(s, run, &acts[i], name, &opts);
        if (!acts[i].task) {
            for (size_t j = 0; j < i; j++)
                usim_cancel(acts[j].task);
            return USIM_ENOMEM;
        }
    }
    return 0;
}

/* Each activity's status from its task's end. */
static void read_statuses(usim_activity *acts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        usim_task_state st = usim_task_status(acts[i].task);
        acts[i].status = st == USIM_TASK_SUCCESS  ? 0
                         : st == USIM_TASK_FAILED ? USIM_EFAILED
                                                  : USIM_ECANCELED;
    }
}

int usim_collect(usim_activity *acts, size_t n)
{
    const char *fn = "usim_collect";
    int rc = sync_begin(fn);
    if (rc)
        return rc;
    rc = check_acts(acts, n, fn);
    if (rc)
        return rc;
    usim_scope s;
    usim_scope_open(&s);
    int spawned = spawn_all(&s, acts, n, activity_run, false);
    rc = usim_scope_close(&s);
    read_statuses(acts, n);
    if (spawned)
        return spawned;
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = usim_join(acts[i].task, &acts[i].result);
        if (rc)
            return rc; /* the caller was stopped while fetching */
    }
    return 0;
}

int usim_first(usim_activity *acts, size_t n, size_t count, size_t *order)
{
    const char *fn = "usim_first";
    int rc = sync_begin(fn);
    if (rc)
        return rc;
    rc = check_acts(acts, n, fn);
    if (rc)
        return rc;
    if (count > n)
        return usim_error(USIM_EINVAL, "%s: %zu results asked of %zu activities", fn,
                          count, n);
    if (count && !order)
        return usim_error(USIM_EINVAL, "%s: order is NULL", fn);
    usim_queue q;
    rc = usim_queue_init(&q, 0, "first");
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        acts[i].result = &q;
    usim_scope s;
    usim_scope_open(&s);
    int spawned = spawn_all(&s, acts, n, activity_monitor, true);
    rc = 0;
    for (size_t k = 0; !spawned && k < count; k++) {
        void *winner;
        rc = usim_queue_get(&q, &winner);
        if (rc)
            break;
        order[k] = (size_t)((usim_activity *)winner - acts);
    }
    int closed = usim_scope_close(&s);
    usim_queue_destroy(&q);
    read_statuses(acts, n);
    for (size_t i = 0; i < n; i++)
        if (acts[i].result == &q)
            acts[i].result = NULL; /* never ran */
    if (spawned)
        return spawned;
    /* A failed child shows first as the caller's USIM_ECHILD, then as
     * close's USIM_EFAILED: the latter is the answer. */
    if (closed)
        return closed;
    return rc;
}
