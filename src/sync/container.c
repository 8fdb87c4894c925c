/*
 * container.c — a continuous level in [0, capacity] (SimPy's Container).
 *
 * Each side is strictly FIFO: a waiting getter is served only after every
 * getter that waited before it, even if a later, smaller get would fit
 * (likewise for putters), so a large request is never starved.  The task
 * that changes the level serves the waiters it now satisfies, on both
 * sides, until neither head fits.
 *
 * Amounts are doubles: a get fits when it exceeds the level by at most a
 * relative 1e-12 (so that putting 0.3 and getting 0.1 three times works
 * despite rounding); the level is then clamped to [0, capacity].
 *
 * Turn order (sched.h): μsim's nearest kin are a resource level's
 * `increase` and `decrease` after a wait for the level, so a put or get
 * ends as an operation μsim awaits (sched_op_end), after a wait too; the
 * try_ calls never suspend (sched_woke).
 */
#include <assert.h>
#include <math.h>

#include "sync/sync.h"

#define CONTAINER_REL_EPS 1e-12

typedef struct container_waiter {
    double amount;
} container_waiter;

static const char *container_name(const usim_container *c)
{
    return c->name ? c->name : "";
}

int usim_container_init(usim_container *c, double capacity, double level,
                        const char *name)
{
    if (!c)
        return usim_error(USIM_EINVAL, "usim_container_init: container is NULL");
    *c = (usim_container){.name = name};
    if (!(capacity > 0))
        return usim_error(USIM_EINVAL, "usim_container_init: capacity %g must be > 0",
                          capacity);
    if (!(level >= 0 && level <= capacity))
        return usim_error(USIM_EINVAL, "usim_container_init: level %g not in [0, %g]",
                          level, capacity);
    c->capacity = capacity;
    c->level = level;
    c->magic = SYNC_LIVE;
    return 0;
}

void usim_container_destroy(usim_container *c)
{
    if (!c || c->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&c->putters) && waitlist_empty(&c->getters));
    *c = (usim_container){.name = c->name, .magic = SYNC_DEAD};
}

double usim_container_level(const usim_container *c)
{
    if (SYNC_CHECK(c, "usim_container_level", "container"))
        return NAN;
    return c->level;
}

static bool container_fits_get(const usim_container *c, double amount)
{
    return amount - c->level <= CONTAINER_REL_EPS * amount;
}

static bool container_fits_put(const usim_container *c, double amount)
{
    return c->level + amount - c->capacity <= CONTAINER_REL_EPS * amount;
}

static void container_take(usim_container *c, double amount)
{
    c->level = fmax(c->level - amount, 0.0);
}

static void container_add(usim_container *c, double amount)
{
    c->level = fmin(c->level + amount, c->capacity);
}

/* Serves the heads of both sides while they fit.  Returns how many waiters
 * were woken (the caller makes the turn point). */
static size_t container_serve(usim_container *c)
{
    size_t woken = 0;
    for (bool progress = true; progress;) {
        progress = false;
        usim_task *t;
        while ((t = c->getters.head)) {
            const container_waiter *w = sched_wait_data(t);
            if (!container_fits_get(c, w->amount))
                break;
            container_take(c, w->amount);
            sched_wake(t, 0);
            woken++;
            progress = true;
        }
        while ((t = c->putters.head)) {
            const container_waiter *w = sched_wait_data(t);
            if (!container_fits_put(c, w->amount))
                break;
            container_add(c, w->amount);
            sched_wake(t, 0);
            woken++;
            progress = true;
        }
    }
    return woken;
}

static int container_check_amount(const usim_container *c, double amount,
                                  const char *fn)
{
    if (!(amount >= 0) || isinf(amount))
        return usim_error(USIM_EINVAL, "%s: amount %g must be finite and >= 0", fn,
                          amount);
    if (amount > c->capacity)
        return usim_error(USIM_EINVAL, "%s: amount %g > capacity %g of '%s'", fn,
                          amount, c->capacity, container_name(c));
    return 0;
}

/* One implementation for both sides; `put` says which. */
static int container_op(usim_container *c, double amount, bool put, bool wait,
                        const char *fn)
{
    int rc = SYNC_CHECK(c, fn, "container");
    if (rc)
        return rc;
    rc = wait ? sync_begin(fn) : 0;
    if (rc)
        return rc;
    rc = container_check_amount(c, amount, fn);
    if (rc)
        return rc;
    usim_waitlist *own = put ? &c->putters : &c->getters;
    bool fits = put ? container_fits_put(c, amount) : container_fits_get(c, amount);
    if (waitlist_empty(own) && fits) {
        if (put)
            container_add(c, amount);
        else
            container_take(c, amount);
        size_t woken = container_serve(c);
        if (wait)
            sched_op_end(woken);
        else
            sched_woke(woken);
        return 0;
    }
    if (!wait)
        return USIM_EAGAIN;
    container_waiter w = {amount};
    rc = sched_block(own, NULL, put ? "container put" : "container get", c->name, &w,
                     SCHED_NO_TIMEOUT);
    if (rc == 0)
        sched_op_end(0); /* served by another task: the operation's end */
    else
        /* Leaving the head may let the waiters behind us be served. */
        sched_woke(container_serve(c));
    return rc;
}

int usim_container_put(usim_container *c, double amount)
{
    return container_op(c, amount, true, true, "usim_container_put");
}

int usim_container_get(usim_container *c, double amount)
{
    return container_op(c, amount, false, true, "usim_container_get");
}

int usim_container_try_put(usim_container *c, double amount)
{
    return container_op(c, amount, true, false, "usim_container_try_put");
}

int usim_container_try_get(usim_container *c, double amount)
{
    return container_op(c, amount, false, false, "usim_container_try_get");
}
