/*
 * flag.c — a boolean tasks wait on (μsim's Flag, the seed's Toggle Event).
 *
 * Waiters wait either for the next change (any direction) or for a given
 * value.  A change wakes every waiter it satisfies, in the order they
 * started waiting; waiters it does not satisfy stay, in order.  Under
 * musim a waiter for a value checks it again when it runs (μsim's
 * Condition rule) and waits on if the flag has changed back.
 *
 * A flag is a condition leaf (kernel/cond.h): usim_wait_cond waiters
 * and plain waiters are woken in one waiting order (μsim keeps them on
 * one list), each plain waiter carrying its stamp.
 */
#include <assert.h>

#include "kernel/cond.h"
#include "sync/sync.h"

/* What a waiter waits for. */
enum flag_want { FLAG_ANY, FLAG_TRUE, FLAG_FALSE };

typedef struct flag_waiter {
    enum flag_want want;
    uint64_t stamp; /* its place among the condition waiters */
} flag_waiter;

void usim_flag_init(usim_flag *f, bool value, const char *name)
{
    if (!f) {
        usim_error(USIM_EINVAL, "usim_flag_init: flag is NULL");
        return;
    }
    *f = (usim_flag){.value = value, .magic = SYNC_LIVE, .name = name};
}

void usim_flag_destroy(usim_flag *f)
{
    if (!f || f->magic != SYNC_LIVE)
        return;
    /* Destroying a flag tasks still wait on is a model bug; the kernel's
     * deadlock report would name it.  Catch it early in debug builds. */
    assert(waitlist_empty(&f->waiters) && !cond_source_busy(&f->cond));
    f->waiters = (usim_waitlist){0};
    cond_source_init(&f->cond);
    f->magic = SYNC_DEAD;
}

bool usim_flag_get(const usim_flag *f)
{
    if (SYNC_CHECK(f, "usim_flag_get", "flag"))
        return false;
    return f->value;
}

static bool flag_satisfies(enum flag_want want, bool value)
{
    return want == FLAG_ANY || (want == FLAG_TRUE) == value;
}

/* The first waiter of f that began waiting at `stamp` or later. */
static usim_task *flag_waiter_from(const usim_flag *f, uint64_t stamp)
{
    usim_task *t = f->waiters.head;
    while (t && ((const flag_waiter *)sched_wait_data(t))->stamp < stamp)
        t = waitlist_next(t);
    return t;
}

void usim_flag_set(usim_flag *f, bool value)
{
    if (SYNC_CHECK(f, "usim_flag_set", "flag"))
        return;
    size_t woken = 0;
    if (f->value != value) { /* no change wakes nobody */
        f->value = value;
        cond_walk cw;
        cond_walk_begin(&cw, &f->cond);
        usim_task *t = f->waiters.head;
        while (t) {
            const flag_waiter *w = sched_wait_data(t);
            uint64_t stamp = w->stamp;
            size_t fired = cw.woken;
            cond_walk_before(&cw, stamp);
            if (cw.woken != fired) {
                /* A scope that fired wakes its tasks, and one may wait
                 * here (t itself, or a later waiter): go on from the
                 * first waiter still here that began at `stamp` or
                 * later (the list is in stamp order). */
                t = flag_waiter_from(f, stamp);
                continue;
            }
            usim_task *next = waitlist_next(t); /* before t leaves the list */
            if (flag_satisfies(w->want, value)) {
                sched_wake(t, 0);
                woken++;
            }
            t = next;
        }
        woken += cond_walk_end(&cw);
    }
    sched_op_end(woken);
}

static int flag_block(usim_flag *f, enum flag_want want, const char *fn)
{
    int rc = SYNC_CHECK(f, fn, "flag");
    if (rc)
        return rc;
    rc = sync_begin(fn);
    if (rc)
        return rc;
    bool recheck = want != FLAG_ANY && sched_rechecks();
    if (want != FLAG_ANY && flag_satisfies(want, f->value)) {
        rc = sched_op_ready();
        if (rc || !recheck || flag_satisfies(want, f->value))
            return rc;
    }
    flag_waiter w = {want, 0};
    /* On 0 the wanted change happened; the flag may have changed again
     * before this task runs, which the caller sees with usim_flag_get
     * (under musim it waits again instead). */
    do {
        w.stamp = cond_stamp(&f->cond);
        rc = sched_block(&f->waiters, NULL, "flag", f->name, &w, SCHED_NO_TIMEOUT);
    } while (rc == 0 && recheck && !flag_satisfies(want, f->value));
    return rc;
}

/* The flag as a condition leaf: c->op is the value wanted. */
static const char *flag_leaf_check(const usim_cond *c, bool neg)
{
    (void)neg;
    usim_flag *f = c->obj;
    if (!f)
        return "a flag part names no flag";
    if (SYNC_CHECK(f, "usim_wait_cond", "flag"))
        return usim_errmsg();
    return NULL;
}

static bool flag_leaf_holds(const usim_cond *c)
{
    const usim_flag *f = c->obj;
    return f->value == (c->op != 0);
}

static usim_cond_source *flag_leaf_source(const usim_cond *c)
{
    return &((usim_flag *)c->obj)->cond;
}

static const struct usim_cond_ops flag_leaf_ops = {
    .kind = "flag",
    .check = flag_leaf_check,
    .holds = flag_leaf_holds,
    .source = flag_leaf_source,
};

usim_cond usim_cond_flag(usim_flag *f, bool value)
{
    return (usim_cond){.ops = &flag_leaf_ops, .obj = f, .op = value};
}

int usim_flag_wait(usim_flag *f)
{
    return flag_block(f, FLAG_ANY, "usim_flag_wait");
}

int usim_flag_wait_true(usim_flag *f)
{
    return flag_block(f, FLAG_TRUE, "usim_flag_wait_true");
}

int usim_flag_wait_false(usim_flag *f)
{
    return flag_block(f, FLAG_FALSE, "usim_flag_wait_false");
}
