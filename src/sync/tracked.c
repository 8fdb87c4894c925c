/*
 * tracked.c — a double value with waits on conditions (`value op x`) and
 * a time-weighted level of its history.
 *
 * Every change wakes, in waiting order, each waiter whose condition now
 * holds; the others keep waiting.  The condition is checked at the
 * change: a woken waiter returns 0 even if the value moved on again
 * before it ran (usim_tracked_get tells the current value) — except
 * under musim, where it checks again when it runs and waits on if the
 * condition no longer holds (μsim's rule), and where every set postpones
 * the setter, also one that changes nothing.
 */
#include <assert.h>
#include <math.h>

#include "sync/sync.h"

typedef struct tracked_waiter {
    usim_cmp op;
    double x;
} tracked_waiter;

/* The time a change is recorded at: the running simulation's now.
 * Outside a running simulation (set by the host between runs) the change
 * is recorded at the level's last update, so the level stays monotone. */
static double tracked_now(const usim_tracked *t)
{
    usim_sim *sim = sched_sim();
    double now = sim ? usim_sim_now(sim) : t->level.t_last;
    return fmax(now, t->level.t_last);
}

static bool tracked_holds(double v, usim_cmp op, double x)
{
    switch (op) {
    case USIM_LT:
        return v < x;
    case USIM_LE:
        return v <= x;
    case USIM_EQ:
        return v == x;
    case USIM_NE:
        return v != x;
    case USIM_GE:
        return v >= x;
    case USIM_GT:
        return v > x;
    }
    return false;
}

void usim_tracked_init(usim_tracked *t, double value, const char *name)
{
    if (!t) {
        usim_error(USIM_EINVAL, "usim_tracked_init: tracked is NULL");
        return;
    }
    *t = (usim_tracked){.value = value, .name = name, .magic = SYNC_LIVE};
    usim_sim *sim = sched_sim();
    usim_level_init(&t->level, sim ? usim_sim_now(sim) : 0.0, value);
}

void usim_tracked_destroy(usim_tracked *t)
{
    if (!t || t->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&t->waiters));
    t->waiters = (usim_waitlist){0};
    t->magic = SYNC_DEAD;
}

double usim_tracked_get(const usim_tracked *t)
{
    if (SYNC_CHECK(t, "usim_tracked_get", "tracked"))
        return NAN;
    return t->value;
}

const usim_level *usim_tracked_level(const usim_tracked *t)
{
    if (SYNC_CHECK(t, "usim_tracked_level", "tracked"))
        return NULL;
    return &t->level;
}

void usim_tracked_set(usim_tracked *t, double v)
{
    if (SYNC_CHECK(t, "usim_tracked_set", "tracked"))
        return;
    t->value = v;
    usim_level_set(&t->level, tracked_now(t), v);
    size_t woken = 0;
    usim_task *w = t->waiters.head;
    while (w) {
        usim_task *next = waitlist_next(w); /* before w leaves the list */
        const tracked_waiter *tw = sched_wait_data(w);
        if (tracked_holds(v, tw->op, tw->x)) {
            sched_wake(w, 0);
            woken++;
        }
        w = next;
    }
    sched_op_end(woken);
}

void usim_tracked_add(usim_tracked *t, double dv)
{
    if (SYNC_CHECK(t, "usim_tracked_add", "tracked"))
        return;
    usim_tracked_set(t, t->value + dv);
}

int usim_tracked_wait(usim_tracked *t, usim_cmp op, double x)
{
    int rc = SYNC_CHECK(t, "usim_tracked_wait", "tracked");
    if (rc)
        return rc;
    if (op < USIM_LT || op > USIM_GT)
        return usim_error(USIM_EINVAL, "usim_tracked_wait: unknown comparison %d",
                          (int)op);
    if (isnan(x))
        return usim_error(USIM_EINVAL, "usim_tracked_wait: threshold is NaN");
    rc = sync_begin("usim_tracked_wait");
    if (rc)
        return rc;
    bool recheck = sched_rechecks();
    if (tracked_holds(t->value, op, x)) {
        rc = sched_op_ready();
        if (rc || !recheck || tracked_holds(t->value, op, x))
            return rc;
    }
    tracked_waiter w = {op, x};
    do
        rc = sched_block(&t->waiters, NULL, "tracked", t->name, &w, SCHED_NO_TIMEOUT);
    while (rc == 0 && recheck && !tracked_holds(t->value, op, x));
    return rc;
}
