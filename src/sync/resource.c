/*
 * resource.c — n identical units (SimPy's Resource and PreemptiveResource).
 *
 * Waiters are ordered by priority (lower first), FIFO within a priority,
 * and served strictly from the head: the head is granted as soon as its
 * amount is free, and nobody behind it overtakes it (a large request is
 * not starved by small ones).  Granting is done by the task that frees
 * the units: it records the waiter as a holder, then wakes it.
 *
 * Holders are kept in an array of `capacity` slots allocated at init:
 * every holder holds at least one unit, so there are never more holders
 * than units.  A task that requests several times holds several entries.
 * Each entry remembers its priority and a grant sequence number, which
 * is what preemption picks by.
 *
 * Turn order (sched.h): μsim's nearest kin is `async with
 * Capacities.borrow(n)`, which postpones twice on entry (after any wait)
 * and twice on exit, so a grant and a release each end with two
 * operation ends (resource_done); try never suspends.
 */
#include <assert.h>
#include <stdlib.h>

#include "sync/sync.h"

typedef struct resource_waiter {
    long amount;
    int priority;
} resource_waiter;

static const char *resource_name(const usim_resource *r)
{
    return r->name ? r->name : "";
}

#ifndef NDEBUG
static void resource_check(const usim_resource *r)
{
    long sum = 0;
    for (size_t i = 0; i < r->nholders; i++) {
        assert(r->holders[i].amount >= 1);
        sum += r->holders[i].amount;
    }
    assert(sum == r->in_use);
    assert(0 <= r->in_use && r->in_use <= r->capacity);
    assert(r->nholders <= (size_t)r->capacity);
}
#else
#define resource_check(r) ((void)0)
#endif

int usim_resource_init(usim_resource *r, long capacity, const char *name)
{
    if (!r)
        return usim_error(USIM_EINVAL, "usim_resource_init: resource is NULL");
    *r = (usim_resource){.name = name};
    if (capacity < 1)
        return usim_error(USIM_EINVAL, "usim_resource_init: capacity %ld < 1",
                          capacity);
    r->holders = calloc((size_t)capacity, sizeof *r->holders);
    if (!r->holders)
        return usim_error(USIM_ENOMEM, "usim_resource_init: %ld holder slots",
                          capacity);
    r->capacity = capacity;
    r->magic = SYNC_LIVE;
    return 0;
}

void usim_resource_destroy(usim_resource *r)
{
    if (!r || r->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&r->waiters));
    free(r->holders);
    *r = (usim_resource){.name = r->name, .magic = SYNC_DEAD};
}

long usim_resource_available(const usim_resource *r)
{
    int rc = SYNC_CHECK(r, "usim_resource_available", "resource");
    if (rc)
        return rc;
    return r->capacity - r->in_use;
}

size_t usim_resource_waiting(const usim_resource *r)
{
    if (SYNC_CHECK(r, "usim_resource_waiting", "resource"))
        return 0;
    return waitlist_length(&r->waiters);
}

/* The end of a grant or a release that woke `woken` tasks: two operation
 * ends, as μsim's borrow (the second wakes nobody). */
static void resource_done(size_t woken)
{
    sched_op_end(woken);
    sched_op_end(0);
}

static int resource_check_amount(const usim_resource *r, long amount, const char *fn)
{
    if (amount < 1)
        return usim_error(USIM_EINVAL, "%s: amount %ld < 1", fn, amount);
    if (amount > r->capacity)
        return usim_error(USIM_EINVAL, "%s: amount %ld > capacity %ld of '%s'", fn,
                          amount, r->capacity, resource_name(r));
    return 0;
}

static void resource_grant(usim_resource *r, usim_task *t, long amount, int priority)
{
    assert(r->in_use + amount <= r->capacity);
    assert(r->nholders < (size_t)r->capacity);
    r->holders[r->nholders++] = (usim_resource_holder){t, amount, priority, r->seq++};
    r->in_use += amount;
    resource_check(r);
}

static void resource_drop_holder(usim_resource *r, size_t i)
{
    assert(i < r->nholders);
    r->in_use -= r->holders[i].amount;
    r->holders[i] = r->holders[--r->nholders];
}

/* The waiter a request of `priority` goes before: the first one of a
 * strictly worse priority (NULL: the tail). */
static usim_task *resource_position(const usim_resource *r, int priority)
{
    for (usim_task *t = r->waiters.head; t; t = waitlist_next(t)) {
        const resource_waiter *w = sched_wait_data(t);
        if (w->priority > priority)
            return t;
    }
    return NULL;
}

/* True if a request of `priority` would be at the head of the waiters. */
static bool resource_first(const usim_resource *r, int priority)
{
    usim_task *head = r->waiters.head;
    return !head ||
           ((const resource_waiter *)sched_wait_data(head))->priority > priority;
}

/* Grants waiters from the head while their amounts are free.  Returns how
 * many were woken (the caller makes the turn point). */
static size_t resource_serve(usim_resource *r)
{
    size_t woken = 0;
    usim_task *t;
    while ((t = r->waiters.head)) {
        const resource_waiter *w = sched_wait_data(t);
        if (w->amount > r->capacity - r->in_use)
            break;
        resource_grant(r, t, w->amount, w->priority);
        sched_wake(t, 0);
        woken++;
    }
    return woken;
}

/* Preempts holders of a priority strictly worse than `priority` (worst
 * first, most recent among equals) until `amount` units are free, if that
 * can free enough; otherwise preempts nobody.  Returns how many preempted
 * holders were blocked and so have been woken. */
static size_t resource_preempt(usim_resource *r, long amount, int priority,
                               usim_task *self)
{
    long freeable = r->capacity - r->in_use;
    for (size_t i = 0; i < r->nholders; i++)
        if (r->holders[i].priority > priority && r->holders[i].task != self)
            freeable += r->holders[i].amount;
    if (freeable < amount)
        return 0;
    size_t woken = 0;
    while (r->capacity - r->in_use < amount) {
        size_t victim = r->nholders;
        for (size_t i = 0; i < r->nholders; i++) {
            const usim_resource_holder *h = &r->holders[i];
            if (h->priority <= priority || h->task == self)
                continue;
            if (victim == r->nholders || h->priority > r->holders[victim].priority ||
                (h->priority == r->holders[victim].priority &&
                 h->seq > r->holders[victim].seq))
                victim = i;
        }
        assert(victim < r->nholders);
        usim_task *t = r->holders[victim].task;
        resource_drop_holder(r, victim);
        if (sched_interrupt(t, USIM_CAUSE_PREEMPTED))
            woken++;
    }
    resource_check(r);
    return woken;
}

static int resource_acquire(usim_resource *r, long amount, int priority, bool preempt,
                            const char *fn)
{
    int rc = SYNC_CHECK(r, fn, "resource");
    if (rc)
        return rc;
    rc = sync_begin(fn);
    if (rc)
        return rc;
    rc = resource_check_amount(r, amount, fn);
    if (rc)
        return rc;
    usim_task *self = sched_self();
    if (resource_first(r, priority)) {
        if (amount <= r->capacity - r->in_use) {
            resource_grant(r, self, amount, priority);
            resource_done(0);
            return 0;
        }
        if (preempt) {
            size_t woken = resource_preempt(r, amount, priority, self);
            if (amount <= r->capacity - r->in_use) {
                resource_grant(r, self, amount, priority);
                /* A preempted holder may have held more than we needed. */
                woken += resource_serve(r);
                resource_done(woken);
                return 0;
            }
            assert(woken == 0);
        }
    }
    resource_waiter w = {amount, priority};
    rc = sched_block(&r->waiters, resource_position(r, priority), "resource", r->name,
                     &w, SCHED_NO_TIMEOUT);
    if (rc == 0)
        resource_done(0); /* granted by the releaser */
    else
        /* Leaving the head may let the requests behind us be served. */
        sched_woke(resource_serve(r));
    return rc;
}

int usim_resource_request(usim_resource *r, long amount, int priority)
{
    return resource_acquire(r, amount, priority, false, "usim_resource_request");
}

int usim_resource_request_preempt(usim_resource *r, long amount, int priority)
{
    return resource_acquire(r, amount, priority, true, "usim_resource_request_preempt");
}

int usim_resource_try(usim_resource *r, long amount)
{
    int rc = SYNC_CHECK(r, "usim_resource_try", "resource");
    if (rc)
        return rc;
    rc = sync_need_task("usim_resource_try");
    if (rc)
        return rc;
    rc = resource_check_amount(r, amount, "usim_resource_try");
    if (rc)
        return rc;
    if (!resource_first(r, 0) || amount > r->capacity - r->in_use)
        return USIM_EAGAIN;
    resource_grant(r, sched_self(), amount, 0);
    return 0;
}

/* Units the task holds (over all its entries). */
long resource_held(const usim_resource *r, const usim_task *t)
{
    long held = 0;
    for (size_t i = 0; i < r->nholders; i++)
        if (r->holders[i].task == t)
            held += r->holders[i].amount;
    return held;
}

int usim_resource_release(usim_resource *r, long amount)
{
    int rc = SYNC_CHECK(r, "usim_resource_release", "resource");
    if (rc)
        return rc;
    rc = sync_need_task("usim_resource_release");
    if (rc)
        return rc;
    usim_task *self = sched_self();
    long held = resource_held(r, self);
    if (amount < 1 || amount > held)
        return usim_error(USIM_EINVAL,
                          "usim_resource_release: releases %ld units of '%s' but "
                          "holds %ld",
                          amount, resource_name(r), held);
    /* Most recent grants first, so that a request/release pair nested in
     * an outer one gives back the inner grant. */
    long left = amount;
    while (left > 0) {
        size_t last = r->nholders;
        for (size_t i = 0; i < r->nholders; i++)
            if (r->holders[i].task == self &&
                (last == r->nholders || r->holders[i].seq > r->holders[last].seq))
                last = i;
        assert(last < r->nholders);
        usim_resource_holder *h = &r->holders[last];
        if (h->amount > left) {
            h->amount -= left;
            r->in_use -= left;
            left = 0;
        } else {
            left -= h->amount;
            resource_drop_holder(r, last);
        }
    }
    resource_check(r);
    resource_done(resource_serve(r));
    return 0;
}
