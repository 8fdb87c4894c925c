/*
 * channel.c — broadcast (μsim's Channel, read with `await channel`): a
 * value sent reaches every reader waiting at that moment; a reader that
 * starts waiting later gets the next value sent.  Nothing is buffered: a
 * send with no reader is lost (it returns 0).  Under musim a send and a
 * close (also a repeated one) postpone the sender, as μsim's put and
 * close.
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
    *ch = (usim_channel){.magic = SYNC_LIVE, .name = name};
}

void usim_channel_destroy(usim_channel *ch)
{
    if (!ch || ch->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&ch->readers));
    *ch = (usim_channel){.magic = SYNC_DEAD, .name = ch->name};
}

int usim_channel_send(usim_channel *ch, void *value)
{
    int rc = SYNC_CHECK(ch, "usim_channel_send", "channel");
    if (rc)
        return rc;
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
    sched_op_end((size_t)n);
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
