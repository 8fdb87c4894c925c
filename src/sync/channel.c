/*
 * channel.c — broadcast (μsim's Channel): a value sent reaches every
 * reader waiting at that moment; a reader that starts waiting later gets
 * the next value sent.  Nothing is buffered: a send with no reader is
 * lost (it returns 0).
 */
#include <assert.h>

#include "sync/sync.h"

typedef struct channel_reader {
    void *value; /* set by the sender */
} channel_reader;

void usim_channel_init(usim_channel *ch, const char *name)
{
    if (!ch) {
        usim_error(USIM_EINVAL, "usim_channel_init: channel is NULL");
        return;
    }
    *ch = (usim_channel){.name = name};
}

void usim_channel_destroy(usim_channel *ch)
{
    if (!ch)
        return;
    assert(waitlist_empty(&ch->readers));
    *ch = (usim_channel){0};
}

int usim_channel_send(usim_channel *ch, void *value)
{
    if (!ch)
        return usim_error(USIM_EINVAL, "usim_channel_send: channel is NULL");
    if (ch->closed)
        return USIM_ECLOSED;
    /* No task runs before the turn point below, so the readers woken here
     * are exactly those waiting when send was called. */
    int n = 0;
    usim_task *t;
    while ((t = ch->readers.head)) {
        channel_reader *r = sched_wait_data(t);
        r->value = value;
        sched_wake(t, 0);
        n++;
    }
    sync_woke((size_t)n);
    return n;
}

int usim_channel_recv(usim_channel *ch, void **value)
{
    if (!ch)
        return usim_error(USIM_EINVAL, "usim_channel_recv: channel is NULL");
    int rc = sync_begin("usim_channel_recv");
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
    if (!ch) {
        usim_error(USIM_EINVAL, "usim_channel_close: channel is NULL");
        return;
    }
    if (ch->closed)
        return;
    ch->closed = true;
    sync_woke(sync_wake_all(&ch->readers, USIM_ECLOSED));
}
