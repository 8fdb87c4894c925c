/*
 * lock.c — owner-reentrant mutual exclusion with FIFO hand-off.
 *
 * Releasing the last level of a lock that tasks wait on hands it directly
 * to the first waiter (owner set, depth 1) before waking it, so no later
 * arrival can slip in between: ownership passes in waiting order.  As in
 * μsim, neither taking a free lock nor releasing one suspends the caller
 * under musim.
 */
#include <assert.h>

#include "sync/sync.h"

void usim_lock_init(usim_lock *l, const char *name)
{
    if (!l) {
        usim_error(USIM_EINVAL, "usim_lock_init: lock is NULL");
        return;
    }
    *l = (usim_lock){.magic = SYNC_LIVE, .name = name};
}

void usim_lock_destroy(usim_lock *l)
{
    if (!l || l->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&l->waiters));
    *l = (usim_lock){.magic = SYNC_DEAD, .name = l->name};
}

/* Takes the lock if it is free or already ours; false otherwise. */
static bool lock_take(usim_lock *l, usim_task *self)
{
    if (l->owner && l->owner != self)
        return false;
    assert(l->owner || l->depth == 0);
    l->owner = self;
    l->depth++;
    return true;
}

int usim_lock_acquire(usim_lock *l)
{
    int rc = SYNC_CHECK(l, "usim_lock_acquire", "lock");
    if (rc)
        return rc;
    rc = sync_begin("usim_lock_acquire");
    if (rc)
        return rc;
    usim_task *self = sched_self();
    if (lock_take(l, self))
        return 0;
    rc = sched_block(&l->waiters, NULL, "lock", l->name, NULL, SCHED_NO_TIMEOUT);
    assert(rc != 0 || (l->owner == self && l->depth == 1));
    return rc;
}

int usim_lock_try(usim_lock *l)
{
    int rc = SYNC_CHECK(l, "usim_lock_try", "lock");
    if (rc)
        return rc;
    rc = sync_need_task("usim_lock_try");
    if (rc)
        return rc;
    return lock_take(l, sched_self()) ? 0 : USIM_EAGAIN;
}

int usim_lock_release(usim_lock *l)
{
    int rc = SYNC_CHECK(l, "usim_lock_release", "lock");
    if (rc)
        return rc;
    rc = sync_need_task("usim_lock_release");
    if (rc)
        return rc;
    usim_task *self = sched_self();
    if (l->owner != self)
        return usim_error(USIM_EINVAL, "usim_lock_release: lock '%s' is %s",
                          l->name ? l->name : "",
                          l->owner ? "held by another task" : "not held");
    assert(l->depth > 0);
    if (--l->depth > 0)
        return 0;
    usim_task *next = l->waiters.head;
    l->owner = next;
    if (!next)
        return 0;
    l->depth = 1;
    sched_wake(next, 0);
    sched_woke(1);
    return 0;
}
