/*
 * queue.c — a FIFO of void * items, bounded or unbounded, with priority
 * puts, filtered gets and close.
 *
 * Items sit in a ring of slots kept in priority order (lower first),
 * FIFO within a priority; a plain put has priority 0.  A bounded queue
 * allocates its ring at init; an unbounded one starts with a small ring
 * and doubles it when full, so puts allocate only until the queue has
 * reached its largest length (amortised O(1)).
 *
 * Hand-off rules, which keep every wait list FIFO:
 * - a put first offers its item to the waiting getters in waiting order:
 *   the first whose filter accepts it (a plain getter accepts anything)
 *   receives it directly.  Getters wait only when no queued item suits
 *   them, so this never overtakes a queued item they would accept.
 * - otherwise the item is queued if there is room and no earlier putter
 *   waits; else the putter waits (putters wait in arrival order,
 *   whatever their items' priorities).
 * - a get that frees a slot admits waiting putters' items, in order,
 *   each offered to the getters first as above.
 * - a get only looks at queued items, never at the items of waiting
 *   putters.
 * Close wakes every waiter with USIM_ECLOSED; later puts fail with it,
 * gets drain the remaining items and then fail with it.
 *
 * Turn order (sched.h): a put (also one that waited for room), a get that
 * takes an item and a close are operations μsim awaits (sched_op_end); a
 * get that waited was already suspended, and the try_ calls never are
 * (sched_woke).
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"

#define QUEUE_INITIAL_RING 16

/* `ranked` lives in the padding after `closed`: the layout of the fields
 * programs built against an earlier usim.h know stays as it was. */
_Static_assert(offsetof(usim_queue, ranked) == offsetof(usim_queue, closed) + 1 &&
                   offsetof(usim_queue, magic) == offsetof(usim_queue, closed) + 4 &&
                   offsetof(usim_queue, name) == offsetof(usim_queue, closed) + 8,
               "usim_queue's layout changed");

typedef struct queue_getter {
    usim_filter filter; /* NULL: any item */
    void *ctx;
    void *item; /* set by the task that hands an item over */
} queue_getter;

typedef struct queue_putter {
    void *item;
    int priority;
} queue_putter;

static usim_queue_slot *queue_slot(const usim_queue *q, size_t i)
{
    assert(i < q->cap_ring);
    /* The head is inside the ring (queue_check).  Said to the compiler,
     * position 0 (every get's) needs no test for the wrap. */
    assert(q->head < q->cap_ring);
    if (q->head >= q->cap_ring)
        __builtin_unreachable();
    size_t j = q->head + i;
    return &q->ring[j < q->cap_ring ? j : j - q->cap_ring];
}

static bool queue_room(const usim_queue *q)
{
    return q->capacity == 0 || q->len < q->capacity;
}

#ifndef NDEBUG
static void queue_check(const usim_queue *q)
{
    assert(q->len <= q->cap_ring);
    assert(q->capacity == 0 || q->len <= q->capacity);
    assert(q->head < q->cap_ring || q->cap_ring == 0);
    for (size_t i = 1; i < q->len; i++)
        assert(queue_slot(q, i - 1)->priority <= queue_slot(q, i)->priority);
}
#else
#define queue_check(q) ((void)0)
#endif

int usim_queue_init(usim_queue *q, size_t capacity, const char *name)
{
    if (!q)
        return usim_error(USIM_EINVAL, "usim_queue_init: queue is NULL");
    *q = (usim_queue){.capacity = capacity, .name = name};
    size_t n = capacity ? capacity : QUEUE_INITIAL_RING;
    q->ring = malloc(n * sizeof *q->ring);
    if (!q->ring)
        return usim_error(USIM_ENOMEM, "usim_queue_init: ring of %zu slots", n);
    q->cap_ring = n;
    q->magic = SYNC_LIVE;
    return 0;
}

void usim_queue_destroy(usim_queue *q)
{
    if (!q || q->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&q->putters) && waitlist_empty(&q->getters));
    free(q->ring);
    *q = (usim_queue){.magic = SYNC_DEAD, .name = q->name};
}

size_t usim_queue_length(const usim_queue *q)
{
    if (SYNC_CHECK(q, "usim_queue_length", "queue"))
        return 0;
    return q->len;
}

int usim_queue_peek(const usim_queue *q, size_t i, void **item)
{
    int rc = SYNC_CHECK(q, "usim_queue_peek", "queue");
    if (rc)
        return rc;
    if (!item)
        return usim_error(USIM_EINVAL, "usim_queue_peek: item is NULL");
    if (i >= q->len)
        return usim_error(
            USIM_EINVAL, "usim_queue_peek: position %zu of queue '%s', which holds %zu",
            i, q->name ? q->name : "", q->len);
    *item = queue_slot(q, i)->item;
    return 0;
}

bool usim_queue_closed(const usim_queue *q)
{
    if (SYNC_CHECK(q, "usim_queue_closed", "queue"))
        return true;
    return q->closed;
}

/* Doubles the ring of an unbounded queue, unwrapping it. */
static int queue_grow(usim_queue *q)
{
    assert(q->capacity == 0 && q->len == q->cap_ring);
    size_t old = q->cap_ring, n = old * 2;
    usim_queue_slot *ring = realloc(q->ring, n * sizeof *ring);
    if (!ring)
        return usim_error(USIM_ENOMEM, "queue '%s': ring of %zu slots",
                          q->name ? q->name : "", n);
    size_t tail_part = old - q->head; /* slots from head to the old end */
    memmove(ring + n - tail_part, ring + q->head, tail_part * sizeof *ring);
    q->ring = ring;
    q->head = n - tail_part;
    q->cap_ring = n;
    return 0;
}

/* Appends the item if the ring has a free slot and the last item's
 * priority is not worse (the usual case: equal priorities); false if the
 * general insertion is needed.  A queue that never held an item of
 * priority > 0 (q->ranked clear) holds priorities <= 0 only, so an item of
 * priority >= 0 needs no look at the last one: usim_queue_put's fast path
 * (priority 0, ranked tested clear) compiles without it. */
static inline bool queue_append(usim_queue *q, void *item, int priority)
{
    size_t len = q->len, cap = q->cap_ring;
    if (len == cap)
        return false;
    size_t j = q->head + len;
    j = j < cap ? j : j - cap;
    if (len && (q->ranked || priority < 0) &&
        q->ring[j ? j - 1 : cap - 1].priority > priority)
        return false;
    q->ring[j] = (usim_queue_slot){item, priority};
    q->len = len + 1;
    queue_check(q);
    return true;
}

/* Queues an item behind every item of its priority or better. */
static int queue_insert(usim_queue *q, void *item, int priority)
{
    assert(queue_room(q));
    if (priority > 0)
        q->ranked = true; /* before anything is queued: sticky */
    if (queue_append(q, item, priority))
        return 0;
    if (q->len == q->cap_ring) {
        int rc = queue_grow(q);
        if (rc)
            return rc;
    }
    size_t i = q->len;
    for (; i > 0 && queue_slot(q, i - 1)->priority > priority; i--)
        *queue_slot(q, i) = *queue_slot(q, i - 1);
    *queue_slot(q, i) = (usim_queue_slot){item, priority};
    q->len++;
    queue_check(q);
    return 0;
}

/* Removes and returns the item at position i. */
static void *queue_remove(usim_queue *q, size_t i)
{
    assert(i < q->len);
    void *item = queue_slot(q, i)->item;
    if (i == 0) {
        q->head = q->head + 1 == q->cap_ring ? 0 : q->head + 1;
    } else {
        for (; i + 1 < q->len; i++)
            *queue_slot(q, i) = *queue_slot(q, i + 1);
    }
    q->len--;
    queue_check(q);
    return item;
}

/* Position of the first item the filter accepts, or q->len. */
static size_t queue_find(const usim_queue *q, usim_filter filter, void *ctx)
{
    if (!filter)
        return 0; /* == q->len when empty: not found */
    for (size_t i = 0; i < q->len; i++)
        if (filter(queue_slot(q, i)->item, ctx))
            return i;
    return q->len;
}

/* Hands the item to the first waiting getter that accepts it.  Returns
 * true if one did (and has been woken). */
static bool queue_hand_off(usim_queue *q, void *item)
{
    for (usim_task *t = q->getters.head; t; t = waitlist_next(t)) {
        queue_getter *g = sched_wait_data(t);
        if (!g->filter || g->filter(item, g->ctx)) {
            g->item = item;
            sched_wake(t, 0);
            return true;
        }
    }
    return false;
}

/* Admits waiting putters' items while there is room.  Returns how many
 * tasks were woken (putters and the getters their items went to). */
static size_t queue_admit(usim_queue *q)
{
    size_t woken = 0;
    usim_task *t;
    while ((t = q->putters.head) && queue_room(q)) {
        const queue_putter *p = sched_wait_data(t);
        if (queue_hand_off(q, p->item)) {
            woken++;
        } else {
            /* Bounded queues never grow: the ring holds `capacity`. */
            int rc = queue_insert(q, p->item, p->priority);
            assert(rc == 0);
            (void)rc;
        }
        sched_wake(t, 0);
        woken++;
    }
    return woken;
}

/* The end of a call that woke `woken` tasks: an operation μsim awaits
 * for the waiting calls, none for the try_ ones. */
static void queue_done(bool wait, size_t woken)
{
    if (wait)
        sched_op_end(woken);
    else
        sched_woke(woken);
}

static int queue_put_impl(usim_queue *q, void *item, int priority, bool wait,
                          const char *fn)
{
    int rc = SYNC_CHECK(q, fn, "queue");
    if (rc)
        return rc;
    rc = wait ? sync_begin(fn) : 0;
    if (rc)
        return rc;
    if (q->closed)
        return USIM_ECLOSED;
    if (queue_hand_off(q, item)) {
        queue_done(wait, 1);
        return 0;
    }
    if (queue_room(q) && waitlist_empty(&q->putters)) {
        rc = queue_insert(q, item, priority);
        if (rc == 0)
            queue_done(wait, 0);
        return rc;
    }
    if (!wait)
        return USIM_EAGAIN;
    queue_putter p = {item, priority};
    rc = sched_block(&q->putters, NULL, "queue put", q->name, &p, SCHED_NO_TIMEOUT);
    if (rc == 0)
        sched_op_end(0); /* admitted: μsim's put after a wait for room */
    return rc;
}

static int queue_get_impl(usim_queue *q, void **item, usim_filter filter, void *ctx,
                          bool wait, const char *fn)
{
    int rc = SYNC_CHECK(q, fn, "queue");
    if (rc)
        return rc;
    if (!item)
        return usim_error(USIM_EINVAL, "%s: item is NULL", fn);
    rc = wait ? sync_begin(fn) : 0;
    if (rc)
        return rc;
    size_t i = queue_find(q, filter, ctx);
    if (i < q->len) {
        *item = queue_remove(q, i);
        queue_done(wait, queue_admit(q));
        return 0;
    }
    if (q->closed)
        return USIM_ECLOSED;
    if (!wait)
        return USIM_EAGAIN;
    queue_getter g = {filter, ctx, NULL};
    rc = sched_block(&q->getters, NULL, "queue get", q->name, &g, SCHED_NO_TIMEOUT);
    if (rc == 0)
        *item = g.item;
    return rc;
}

/* usim_queue_put and usim_queue_get first try the common case inline:
 * a live queue, a running task with nothing pending (sched_fast: not
 * cancelled, no timeout, not under musim), nobody waiting on the other
 * side, an item or a free slot at hand.  Anything else takes the general
 * path.  The put's case also needs a queue that never held an item of
 * priority > 0 (queue_append). */
int usim_queue_put(usim_queue *q, void *item)
{
    usim_task *self = sched_self();
    if (__builtin_expect(q && q->magic == SYNC_LIVE && self && sched_fast(self) &&
                             !q->closed && !q->ranked && waitlist_empty(&q->getters) &&
                             waitlist_empty(&q->putters) && queue_room(q) &&
                             queue_append(q, item, 0),
                         1))
        return 0;
    return queue_put_impl(q, item, 0, true, "usim_queue_put");
}

int usim_queue_put_prio(usim_queue *q, void *item, int priority)
{
    return queue_put_impl(q, item, priority, true, "usim_queue_put_prio");
}

int usim_queue_try_put(usim_queue *q, void *item)
{
    return queue_put_impl(q, item, 0, false, "usim_queue_try_put");
}

int usim_queue_get(usim_queue *q, void **item)
{
    usim_task *self = sched_self();
    if (__builtin_expect(q && q->magic == SYNC_LIVE && item && self &&
                             sched_fast(self) && q->len && waitlist_empty(&q->putters),
                         1)) {
        *item = queue_remove(q, 0);
        return 0;
    }
    return queue_get_impl(q, item, NULL, NULL, true, "usim_queue_get");
}

int usim_queue_get_filter(usim_queue *q, void **item, usim_filter filter, void *ctx)
{
    if (!filter)
        return usim_error(USIM_EINVAL, "usim_queue_get_filter: filter is NULL");
    return queue_get_impl(q, item, filter, ctx, true, "usim_queue_get_filter");
}

int usim_queue_try_get(usim_queue *q, void **item)
{
    return queue_get_impl(q, item, NULL, NULL, false, "usim_queue_try_get");
}

void usim_queue_close(usim_queue *q)
{
    if (SYNC_CHECK(q, "usim_queue_close", "queue"))
        return;
    size_t woken = 0;
    if (!q->closed) {
        q->closed = true;
        woken = sync_wake_all(&q->getters, USIM_ECLOSED);
        woken += sync_wake_all(&q->putters, USIM_ECLOSED);
    }
    sched_op_end(woken);
}
