/*
 * hold.c — the hold-for-the-block forms (USIM_WITH_LOCK, USIM_WITH_RESOURCE,
 * USIM_WITH_FLAG): one meaning for every holdable primitive.  enter
 * acquires; leave, run by the cleanup attribute on every exit of the
 * block, gives back what enter took.
 */
#include <assert.h>

#include "sync/sync.h"

usim_hold usim_hold_enter(void *obj, int kind, long amount)
{
    usim_hold h = {NULL, amount, kind, 0};
    int rc;
    switch (kind) {
    case USIM_HOLD_LOCK:
        rc = usim_lock_acquire(obj);
        break;
    case USIM_HOLD_RESOURCE:
        rc = usim_resource_request(obj, amount, 0);
        break;
    case USIM_HOLD_FLAG:
        if (!obj) {
            rc = usim_error(USIM_EINVAL, "USIM_WITH_FLAG: flag is NULL");
            break;
        }
        usim_flag_set(obj, true);
        rc = 0;
        break;
    default:
        rc = usim_error(USIM_EINVAL, "usim_hold_enter: unknown kind %d", kind);
    }
    if (rc == 0)
        h.obj = obj;
    return h;
}

void usim_hold_leave(usim_hold *h)
{
    if (!h->obj)
        return;
    switch (h->kind) {
    case USIM_HOLD_LOCK:
        usim_lock_release(h->obj);
        break;
    case USIM_HOLD_RESOURCE: {
        /* A preempted holder lost its units: give back only what is left. */
        usim_resource *r = h->obj;
        if (r->magic != SYNC_LIVE) { /* destroyed in the block: say so */
            usim_resource_release(r, h->amount);
            break;
        }
        long held = resource_held(r, sched_self());
        long amount = h->amount < held ? h->amount : held;
        if (amount > 0)
            usim_resource_release(r, amount);
        break;
    }
    case USIM_HOLD_FLAG:
        usim_flag_set(h->obj, false);
        break;
    default:
        assert(!"usim_hold_leave: unknown kind");
    }
    h->obj = NULL;
}
