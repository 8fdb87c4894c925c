/*
 * channel.c — broadcast (μsim's Channel).  Read with usim_channel_recv
 * (μsim's `await channel`): a value sent reaches every reader waiting at
 * that moment; a reader that starts waiting later gets the next value
 * sent; a send with no reader is lost (it returns 0).  Read through a
 * subscription (μsim's `async for message in channel`): every value sent
 * while it exists is appended to its buffer, a ring that doubles when
 * full, and its reader takes them in order.
 *
 * Both kinds of reader wait on the one wait list, in the order they
 * began to wait, as μsim's readers share one notification: a send first
 * appends the value to every subscription's buffer, then wakes the whole
 * list in that order.  Under musim a send and a close (also a repeated
 * one) postpone the sender, as μsim's put and close; a subscription
 * that has a value buffered hands it out without a turn point, as μsim's
 * iterator yields without suspending.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "sync/sync.h"

typedef struct channel_reader {
    void *value;           /* set by the sender (recv readers) */
    usim_channel_sub *sub; /* the subscription read, or NULL for recv */
} channel_reader;

void usim_channel_init(usim_channel *ch, const char *name)
{
    if (!ch) {
        usim_error(USIM_EINVAL, "usim_channel_init: channel is NULL");
        return;
    }
    *ch = (usim_channel){.magic = SYNC_LIVE, .name = name};
}

void usim_channel_destroy(usim_channel *ch)
{
    if (!ch || ch->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&ch->readers));
    /* Subscriptions left on it are detached: their receives then fail
     * loudly, their unsubscribe only frees them. */
    for (usim_channel_sub *s = ch->subs, *next; s; s = next) {
        next = s->next;
        s->ch = NULL;
        s->next = NULL;
    }
    *ch = (usim_channel){.magic = SYNC_DEAD, .name = ch->name};
}

/* Room for one more value in s's ring: 0 or USIM_ENOMEM. */
static int sub_reserve(usim_channel_sub *s)
{
    if (s->len < s->cap)
        return 0;
    size_t cap = s->cap ? 2 * s->cap : 8;
    void **ring = malloc(cap * sizeof *ring);
    if (!ring)
        return usim_error(USIM_ENOMEM, "usim_channel_send: %zu buffered values", cap);
    for (size_t i = 0; i < s->len; i++)
        ring[i] = s->ring[(s->head + i) % s->cap];
    free(s->ring);
    s->ring = ring;
    s->cap = cap;
    s->head = 0;
    return 0;
}

int usim_channel_send(usim_channel *ch, void *value)
{
    int rc = SYNC_CHECK(ch, "usim_channel_send", "channel");
    if (rc)
        return rc;
    if (ch->closed)
        return USIM_ECLOSED;
    /* Room in every buffer first, so that a value reaches all or none. */
    for (usim_channel_sub *s = ch->subs; s; s = s->next) {
        rc = sub_reserve(s);
        if (rc)
            return rc;
    }
    for (usim_channel_sub *s = ch->subs; s; s = s->next)
        s->ring[(s->head + s->len++) % s->cap] = value;
    /* No task runs before the turn point below, so the readers woken here
     * are exactly those waiting when send was called. */
    int n = 0;
    size_t woken = 0;
    usim_task *t;
    while ((t = ch->readers.head)) {
        channel_reader *r = sched_wait_data(t);
        if (!r->sub) {
            r->value = value;
            n++;
        }
        sched_wake(t, 0);
        woken++;
    }
    sched_op_end(woken);
    return n;
}

int usim_channel_recv(usim_channel *ch, void **value)
{
    int rc = SYNC_CHECK(ch, "usim_channel_recv", "channel");
    if (rc)
        return rc;
    rc = sync_begin("usim_channel_recv");
    if (rc)
        return rc;
    if (ch->closed)
        return USIM_ECLOSED;
    channel_reader r = {NULL};
    rc = sched_block(&ch->readers, NULL, "channel", ch->name, &r, SCHED_NO_TIMEOUT);
    if (rc == 0 && value)
        *value = r.value;
    return rc;
}

void usim_channel_close(usim_channel *ch)
{
    if (SYNC_CHECK(ch, "usim_channel_close", "channel"))
        return;
    size_t woken = 0;
    if (!ch->closed) {
        ch->closed = true;
        woken = sync_wake_all(&ch->readers, USIM_ECLOSED);
    }
    sched_op_end(woken);
}

bool usim_channel_closed(const usim_channel *ch)
{
    if (SYNC_CHECK(ch, "usim_channel_closed", "channel"))
        return true;
    return ch->closed;
}

/* ---------------------------------------------------------------- */
/* Subscriptions                                                      */
/* ---------------------------------------------------------------- */

#define SUB_CHECK(s, fn)                                                               \
    (__builtin_expect((s) != NULL && (s)->magic == SYNC_LIVE, 1)                       \
         ? 0                                                                           \
         : ((s) == NULL ? usim_error(USIM_EINVAL, "%s: subscription is NULL", (fn))    \
                        : sub_misuse((fn), "is not subscribed")))

static int sub_misuse(const char *fn, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s: subscription %s", fn, what);
    return sched_misuse(msg);
}

int usim_channel_subscribe(usim_channel *ch, usim_channel_sub *sub)
{
    int rc = SYNC_CHECK(ch, "usim_channel_subscribe", "channel");
    if (rc)
        return rc;
    if (!sub)
        return usim_error(USIM_EINVAL, "usim_channel_subscribe: subscription is NULL");
    *sub = (usim_channel_sub){.ch = ch, .magic = SYNC_LIVE};
    /* Appended, so that the buffers fill in subscription order (it shows
     * only in which subscription a failed allocation stops at). */
    usim_channel_sub **at = &ch->subs;
    while (*at)
        at = &(*at)->next;
    *at = sub;
    return 0;
}

int usim_channel_sub_recv(usim_channel_sub *sub, void **value)
{
    const char *fn = "usim_channel_sub_recv";
    int rc = SUB_CHECK(sub, fn);
    if (rc)
        return rc;
    usim_channel *ch = sub->ch;
    if (!ch)
        return sub_misuse(fn, "is on a destroyed channel");
    rc = SYNC_CHECK(ch, fn, "channel");
    if (rc)
        return rc;
    rc = sync_begin(fn);
    if (rc)
        return rc;
    if (sub->reader)
        return usim_error(USIM_ESTATE, "%s: task '%s' already reads this subscription",
                          fn, usim_task_name(sub->reader));
    channel_reader r = {NULL, sub};
    while (sub->len == 0) {
        if (ch->closed)
            return USIM_ECLOSED;
        sub->reader = sched_self();
        rc = sched_block(&ch->readers, NULL, "channel", ch->name, &r, SCHED_NO_TIMEOUT);
        sub->reader = NULL;
        if (rc == USIM_ECLOSED)
            continue; /* values sent before the close come first */
        if (rc)
            return rc;
    }
    void *v = sub->ring[sub->head];
    sub->head = (sub->head + 1) % sub->cap;
    sub->len--;
    if (value)
        *value = v;
    return 0;
}

size_t usim_channel_sub_pending(const usim_channel_sub *sub)
{
    if (SUB_CHECK(sub, "usim_channel_sub_pending"))
        return 0;
    return sub->len;
}

void usim_channel_unsubscribe(usim_channel_sub *sub)
{
    const char *fn = "usim_channel_unsubscribe";
    if (SUB_CHECK(sub, fn))
        return;
    if (sub->reader) {
        sub_misuse(fn, "is ended while a task waits in it");
        return;
    }
    if (sub->ch) {
        usim_channel_sub **at = &sub->ch->subs;
        while (*at != sub)
            at = &(*at)->next;
        *at = sub->next;
    }
    free(sub->ring);
    *sub = (usim_channel_sub){.magic = SYNC_DEAD};
}
