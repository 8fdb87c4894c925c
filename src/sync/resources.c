/*
 * resources.c — several named kinds in one supply, borrowed together
 * (μsim's Resources and Capacities).
 *
 * A supply keeps its levels inside the struct (at most
 * USIM_RESOURCES_MAX_KINDS doubles), so no call allocates.  A borrow
 * turns a caller-provided struct into a fixed supply of the borrowed
 * amounts (its limits) that points back at the supply it came from: a
 * sub, which can be borrowed from in turn and is ended by
 * usim_resources_return.  Each supply counts its live subs, so that a
 * supply is neither destroyed nor returned while borrows of it live.
 *
 * Two wait lists: borrowers (waiting for their amounts to fit) and
 * watchers (waiting for a comparison of the levels to hold).  Every
 * change of the levels runs resources_serve, which wakes the borrowers
 * that now fit and the watchers whose comparison now holds.  Under
 * every order but musim the waker also grants the borrowers it wakes
 * (the sync.h pattern: a woken waiter finds its operation done).  Under
 * musim μsim's Condition rule applies (sched_rechecks): each woken
 * borrower takes the resources itself when it runs, checking again
 * first, so a borrower that runs earlier may take them and the later one
 * waits again — μsim's barging.
 *
 * Whether a comparison of levels holds is decided in one place,
 * levels_compare, which the levels as a condition leaf
 * (usim_cond_resources) call as well.
 *
 * Turn order (sched.h): a borrow is μsim's two awaited sets (take from
 * the supply, fill the sub), a return its two sets (empty the sub, give
 * back), increase/decrease/set one set: each ends with sched_op_end.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cond.h"
#include "sync/sync.h"

typedef struct borrow_waiter {
    const double *amounts;
    bool granted; /* set by the waker (not under musim) */
} borrow_waiter;

typedef struct level_waiter {
    usim_cmp op;
    const double *levels;
    uint64_t stamp; /* its place among the condition waits */
} level_waiter;

static const char *resources_name(const usim_resources *r)
{
    return r->name ? r->name : "";
}

/* `a op b` over n kinds, as μsim compares levels: == all equal, != not
 * all equal, the orderings kind by kind for every kind. */
static bool levels_compare(const double *a, usim_cmp op, const double *b, size_t n)
{
    if (op == USIM_NE)
        return !levels_compare(a, USIM_EQ, b, n);
    for (size_t i = 0; i < n; i++) {
        bool ok;
        switch (op) {
        case USIM_LT:
            ok = a[i] < b[i];
            break;
        case USIM_LE:
            ok = a[i] <= b[i];
            break;
        case USIM_EQ:
            ok = a[i] == b[i];
            break;
        case USIM_GE:
            ok = a[i] >= b[i];
            break;
        case USIM_GT:
            ok = a[i] > b[i];
            break;
        default:
            ok = false;
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool fits(const usim_resources *r, const double *amounts)
{
    return levels_compare(r->level, USIM_GE, amounts, r->nkinds);
}

/* Grants happen in serve (the waker) unless woken waiters check again
 * themselves (musim), which head-of-line service never does: it must not
 * be overtaken between the wake and the waiter's turn. */
static bool waker_grants(const usim_resources *r)
{
    return (r->flags & USIM_RESOURCES_FIFO) || !sched_rechecks();
}

static void take(usim_resources *r, const double *amounts)
{
    for (size_t i = 0; i < r->nkinds; i++)
        r->level[i] -= amounts[i];
}

/* The first watcher of r that began waiting at `stamp` or later (the
 * list is in stamp order). */
static usim_task *watcher_from(const usim_resources *r, uint64_t stamp)
{
    usim_task *t = r->watchers.head;
    while (t && ((const level_waiter *)sched_wait_data(t))->stamp < stamp)
        t = waitlist_next(t);
    return t;
}

/* Wakes the borrowers that fit now (granting them unless they check
 * again themselves), then the watchers whose comparison holds and the
 * condition waits on the levels (kernel/cond.h) that the change
 * satisfies, these two in one waiting order.  Returns how many were
 * woken. */
static size_t resources_serve(usim_resources *r)
{
    size_t woken = 0;
    bool grant = waker_grants(r);
    usim_task *t = r->borrowers.head;
    while (t) {
        usim_task *next = waitlist_next(t);
        borrow_waiter *w = sched_wait_data(t);
        if (fits(r, w->amounts)) {
            if (grant) {
                take(r, w->amounts);
                w->granted = true;
            }
            sched_wake(t, 0);
            woken++;
        } else if (r->flags & USIM_RESOURCES_FIFO) {
            break; /* head-of-line: nobody overtakes */
        }
        t = next;
    }
    cond_walk cw;
    cond_walk_begin(&cw, &r->cond);
    t = r->watchers.head;
    while (t) {
        const level_waiter *w = sched_wait_data(t);
        uint64_t stamp = w->stamp;
        size_t fired = cw.woken;
        cond_walk_before(&cw, stamp);
        if (cw.woken != fired) {
            /* A scope that fired wakes its tasks, and one may watch here
             * (t itself, or a later watcher): go on from the first
             * watcher still here that began at `stamp` or later. */
            t = watcher_from(r, stamp);
            continue;
        }
        usim_task *next = waitlist_next(t);
        if (levels_compare(r->level, w->op, w->levels, r->nkinds)) {
            sched_wake(t, 0);
            woken++;
        }
        t = next;
    }
    return woken + cond_walk_end(&cw);
}

/* ---------------------------------------------------------------- */
/* Set-up                                                             */
/* ---------------------------------------------------------------- */

static int check_kinds(size_t nkinds, const char *const *kinds, const char *fn)
{
    if (nkinds < 1 || nkinds > USIM_RESOURCES_MAX_KINDS)
        return usim_error(USIM_EINVAL, "%s: %zu kinds (1 to %d)", fn, nkinds,
                          USIM_RESOURCES_MAX_KINDS);
    if (!kinds)
        return usim_error(USIM_EINVAL, "%s: kinds is NULL", fn);
    for (size_t i = 0; i < nkinds; i++) {
        if (!kinds[i] || !kinds[i][0])
            return usim_error(USIM_EINVAL, "%s: kind %zu has no name", fn, i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(kinds[i], kinds[j]) == 0)
                return usim_error(USIM_EINVAL, "%s: kind '%s' named twice", fn,
                                  kinds[i]);
    }
    return 0;
}

/* Every entry >= 0 (not NaN); `what` names the array in the message. */
static int check_nonneg(const usim_resources *r, const char *const *kinds, size_t n,
                        const double *v, const char *what, const char *fn)
{
    if (!v)
        return usim_error(USIM_EINVAL, "%s: %s is NULL", fn, what);
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= 0))
            return usim_error(USIM_EINVAL,
                              "%s: %s %g of kind '%s' of '%s' must be >= 0", fn, what,
                              v[i], kinds[i], r ? resources_name(r) : "");
    return 0;
}

static int resources_setup(usim_resources *r, size_t nkinds, const char *const *kinds,
                           const double *levels, unsigned flags, const char *name,
                           bool fixed, const char *fn)
{
    if (!r)
        return usim_error(USIM_EINVAL, "%s: resources is NULL", fn);
    *r = (usim_resources){.name = name};
    int rc = check_kinds(nkinds, kinds, fn);
    if (rc)
        return rc;
    rc = check_nonneg(r, kinds, nkinds, levels, fixed ? "capacity" : "level", fn);
    if (rc)
        return rc;
    if (flags & ~USIM_RESOURCES_FIFO)
        return usim_error(USIM_EINVAL, "%s: unknown flags 0x%x", fn,
                          flags & ~USIM_RESOURCES_FIFO);
    r->nkinds = nkinds;
    r->kinds = kinds;
    /* (check_kinds bounds nkinds; the second bound says so to GCC.) */
    for (size_t i = 0; i < nkinds && i < USIM_RESOURCES_MAX_KINDS; i++) {
        r->level[i] = levels[i];
        r->limit[i] = fixed ? levels[i] : INFINITY;
    }
    r->flags = flags;
    r->fixed = fixed;
    r->magic = SYNC_LIVE;
    return 0;
}

int usim_resources_init(usim_resources *r, size_t nkinds, const char *const *kinds,
                        const double *levels, unsigned flags, const char *name)
{
    return resources_setup(r, nkinds, kinds, levels, flags, name, false,
                           "usim_resources_init");
}

int usim_capacities_init(usim_resources *r, size_t nkinds, const char *const *kinds,
                         const double *capacity, unsigned flags, const char *name)
{
    return resources_setup(r, nkinds, kinds, capacity, flags, name, true,
                           "usim_capacities_init");
}

/* A mistake that must not go unnoticed (sched_misuse). */
static int resources_misuse(const char *fn, const usim_resources *r, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s: resources '%s' %s", fn, resources_name(r), what);
    return sched_misuse(msg);
}

void usim_resources_destroy(usim_resources *r)
{
    if (!r || r->magic != SYNC_LIVE)
        return;
    if (r->parent) {
        resources_misuse("usim_resources_destroy", r,
                         "is a borrow: end it with usim_resources_return");
        return;
    }
    if (r->borrows || !waitlist_empty(&r->borrowers) || !waitlist_empty(&r->watchers) ||
        cond_source_busy(&r->cond)) {
        resources_misuse("usim_resources_destroy", r,
                         "still has borrows or waiting tasks");
        return;
    }
    *r = (usim_resources){.name = r->name, .magic = SYNC_DEAD};
}

int usim_resources_kind(const usim_resources *r, const char *name)
{
    int rc = SYNC_CHECK(r, "usim_resources_kind", "resources");
    if (rc)
        return rc;
    for (size_t i = 0; name && i < r->nkinds; i++)
        if (strcmp(r->kinds[i], name) == 0)
            return (int)i;
    return usim_error(USIM_EINVAL, "usim_resources_kind: '%s' has no kind '%s'",
                      resources_name(r), name ? name : "(null)");
}

static int copy_out(const usim_resources *r, const double *src, double *out,
                    const char *fn)
{
    int rc = SYNC_CHECK(r, fn, "resources");
    if (rc)
        return rc;
    if (!out)
        return usim_error(USIM_EINVAL, "%s: out is NULL", fn);
    memcpy(out, src, r->nkinds * sizeof *out);
    return 0;
}

int usim_resources_levels(const usim_resources *r, double *out)
{
    return copy_out(r, r ? r->level : NULL, out, "usim_resources_levels");
}

int usim_resources_limits(const usim_resources *r, double *out)
{
    return copy_out(r, r ? r->limit : NULL, out, "usim_resources_limits");
}

size_t usim_resources_waiting(const usim_resources *r)
{
    if (SYNC_CHECK(r, "usim_resources_waiting", "resources"))
        return 0;
    return waitlist_length(&r->borrowers);
}

/* ---------------------------------------------------------------- */
/* Borrowing                                                          */
/* ---------------------------------------------------------------- */

/* Amounts a borrow of r may ask for: >= 0, within a fixed supply's
 * limits (beyond them it could never fit). */
static int check_amounts(const usim_resources *r, const double *amounts, const char *fn)
{
    int rc = check_nonneg(r, r->kinds, r->nkinds, amounts, "amount", fn);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nkinds; i++)
        if (amounts[i] > r->limit[i])
            return usim_error(
                USIM_EINVAL, "%s: amount %g of kind '%s' exceeds the limit %g of '%s'",
                fn, amounts[i], r->kinds[i], r->limit[i], resources_name(r));
    return 0;
}

/* Makes *sub the supply of `amounts` borrowed from r. */
static void make_sub(usim_resources *r, const double *amounts, usim_resources *sub)
{
    *sub = (usim_resources){
        .nkinds = r->nkinds,
        .kinds = r->kinds,
        .parent = r,
        .flags = r->flags,
        .fixed = true,
        .magic = SYNC_LIVE,
        .name = r->name,
    };
    for (size_t i = 0; i < r->nkinds; i++)
        sub->level[i] = sub->limit[i] = amounts[i];
    r->borrows++;
}

static int borrow_common(usim_resources *r, const double *amounts, usim_resources *sub,
                         bool claim, const char *fn)
{
    int rc = SYNC_CHECK(r, fn, "resources");
    if (rc)
        return rc;
    rc = claim ? sync_need_task(fn) : sync_begin(fn);
    if (rc)
        return rc;
    if (!sub || sub == r)
        return usim_error(USIM_EINVAL, "%s: sub is %s", fn,
                          sub ? "the supply" : "NULL");
    rc = check_amounts(r, amounts, fn);
    if (rc)
        return rc;
    bool fifo = r->flags & USIM_RESOURCES_FIFO;
    if (fits(r, amounts) && (!fifo || waitlist_empty(&r->borrowers))) {
        take(r, amounts);
    } else if (claim) {
        return USIM_EAGAIN;
    } else {
        borrow_waiter w = {amounts, false};
        for (;;) {
            rc = sched_block(&r->borrowers, NULL, "resources", r->name, &w,
                             SCHED_NO_TIMEOUT);
            if (rc) {
                /* Nothing taken.  Leaving the head of a FIFO may let the
                 * borrows behind it through. */
                sched_woke(fifo ? resources_serve(r) : 0);
                return rc;
            }
            if (w.granted)
                break;
            if (fits(r, amounts)) { /* musim: taken by the woken waiter */
                take(r, amounts);
                break;
            }
        }
    }
    /* Taking wakes the watchers the lower levels satisfy (r <= x). */
    size_t woken = resources_serve(r);
    make_sub(r, amounts, sub);
    sched_op_end(woken); /* taken from the supply */
    sched_op_end(0);     /* put into the sub */
    return 0;
}

int usim_resources_borrow(usim_resources *r, const double *amounts, usim_resources *sub)
{
    return borrow_common(r, amounts, sub, false, "usim_resources_borrow");
}

int usim_resources_claim(usim_resources *r, const double *amounts, usim_resources *sub)
{
    return borrow_common(r, amounts, sub, true, "usim_resources_claim");
}

int usim_resources_return(usim_resources *sub)
{
    const char *fn = "usim_resources_return";
    int rc = SYNC_CHECK(sub, fn, "resources");
    if (rc)
        return rc;
    rc = sync_need_task(fn);
    if (rc)
        return rc;
    if (!sub->parent)
        return resources_misuse(fn, sub, "is not a borrow");
    if (sub->borrows || !waitlist_empty(&sub->borrowers) ||
        !waitlist_empty(&sub->watchers) || cond_source_busy(&sub->cond))
        return resources_misuse(
            fn, sub, "is returned while borrows of it live or tasks wait on it");
    /* μsim first empties the sub (one awaited set), then gives back. */
    sched_op_end(0);
    if (sub->magic != SYNC_LIVE || sub->borrows)
        return resources_misuse(fn, sub, "was borrowed from or returned meanwhile");
    usim_resources *r = sub->parent;
    for (size_t i = 0; i < r->nkinds; i++)
        r->level[i] += sub->limit[i];
    r->borrows--;
    *sub = (usim_resources){.name = sub->name, .magic = SYNC_DEAD};
    sched_op_end(resources_serve(r));
    return 0;
}

/* ---------------------------------------------------------------- */
/* Changing the levels of an open supply                              */
/* ---------------------------------------------------------------- */

static int open_check(usim_resources *r, const char *fn)
{
    int rc = SYNC_CHECK(r, fn, "resources");
    if (rc)
        return rc;
    if (r->fixed)
        return usim_error(USIM_EINVAL, "%s: '%s' has fixed %s", fn, resources_name(r),
                          r->parent ? "amounts (a borrow)" : "capacities");
    return 0;
}

int usim_resources_increase(usim_resources *r, const double *amounts)
{
    const char *fn = "usim_resources_increase";
    int rc = open_check(r, fn);
    if (!rc)
        rc = check_nonneg(r, r->kinds, r->nkinds, amounts, "amount", fn);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nkinds; i++)
        r->level[i] += amounts[i];
    sched_op_end(resources_serve(r));
    return 0;
}

int usim_resources_decrease(usim_resources *r, const double *amounts)
{
    const char *fn = "usim_resources_decrease";
    int rc = open_check(r, fn);
    if (!rc)
        rc = check_nonneg(r, r->kinds, r->nkinds, amounts, "amount", fn);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nkinds; i++)
        if (amounts[i] > r->level[i])
            return usim_error(USIM_EINVAL,
                              "%s: takes %g of kind '%s' of '%s', which has %g", fn,
                              amounts[i], r->kinds[i], resources_name(r), r->level[i]);
    take(r, amounts);
    sched_op_end(resources_serve(r));
    return 0;
}

int usim_resources_set(usim_resources *r, const double *levels)
{
    const char *fn = "usim_resources_set";
    int rc = open_check(r, fn);
    if (rc)
        return rc;
    if (!levels)
        return usim_error(USIM_EINVAL, "%s: levels is NULL", fn);
    for (size_t i = 0; i < r->nkinds; i++)
        if (levels[i] < 0)
            return usim_error(USIM_EINVAL, "%s: level %g of kind '%s' of '%s' < 0", fn,
                              levels[i], r->kinds[i], resources_name(r));
    for (size_t i = 0; i < r->nkinds; i++)
        if (!isnan(levels[i]))
            r->level[i] = levels[i];
    sched_op_end(resources_serve(r));
    return 0;
}

/* ---------------------------------------------------------------- */
/* Waiting on the levels                                              */
/* ---------------------------------------------------------------- */

static int check_compare(const usim_resources *r, usim_cmp op, const double *levels,
                         const char *fn)
{
    if ((unsigned)op > USIM_GT)
        return usim_error(USIM_EINVAL, "%s: unknown comparison %d", fn, (int)op);
    if (!levels)
        return usim_error(USIM_EINVAL, "%s: levels is NULL", fn);
    for (size_t i = 0; i < r->nkinds; i++)
        if (isnan(levels[i]))
            return usim_error(USIM_EINVAL, "%s: level of kind '%s' is NaN", fn,
                              r->kinds[i]);
    return 0;
}

bool usim_resources_test(const usim_resources *r, usim_cmp op, const double *levels)
{
    const char *fn = "usim_resources_test";
    if (SYNC_CHECK(r, fn, "resources") || check_compare(r, op, levels, fn))
        return false;
    return levels_compare(r->level, op, levels, r->nkinds);
}

int usim_resources_wait(usim_resources *r, usim_cmp op, const double *levels)
{
    const char *fn = "usim_resources_wait";
    int rc = SYNC_CHECK(r, fn, "resources");
    if (rc)
        return rc;
    rc = sync_begin(fn);
    if (rc)
        return rc;
    rc = check_compare(r, op, levels, fn);
    if (rc)
        return rc;
    if (levels_compare(r->level, op, levels, r->nkinds)) {
        rc = sched_op_ready();
        if (rc || !sched_rechecks() || levels_compare(r->level, op, levels, r->nkinds))
            return rc;
    }
    level_waiter w = {op, levels, 0};
    do {
        w.stamp = cond_stamp(&r->cond);
        rc =
            sched_block(&r->watchers, NULL, "resources", r->name, &w, SCHED_NO_TIMEOUT);
    } while (rc == 0 && sched_rechecks() &&
             !levels_compare(r->level, op, levels, r->nkinds));
    return rc;
}

/* ---------------------------------------------------------------- */
/* The levels as a condition leaf                                     */
/* ---------------------------------------------------------------- */

static const char *resources_leaf_check(const usim_cond *c, bool neg)
{
    (void)neg;
    usim_resources *r = c->obj;
    if (!r)
        return "a resources part names no resources";
    if (SYNC_CHECK(r, "usim_wait_cond", "resources") ||
        check_compare(r, (usim_cmp)c->op, c->levels, "usim_wait_cond"))
        return usim_errmsg();
    return NULL;
}

static bool resources_leaf_holds(const usim_cond *c)
{
    const usim_resources *r = c->obj;
    return levels_compare(r->level, (usim_cmp)c->op, c->levels, r->nkinds);
}

static usim_cond_source *resources_leaf_source(const usim_cond *c)
{
    return &((usim_resources *)c->obj)->cond;
}

static const struct usim_cond_ops resources_leaf_ops = {
    .kind = "resources",
    .check = resources_leaf_check,
    .holds = resources_leaf_holds,
    .source = resources_leaf_source,
};

usim_cond usim_cond_resources(usim_resources *r, usim_cmp op, const double *levels)
{
    return (usim_cond){
        .ops = &resources_leaf_ops, .obj = r, .op = (int)op, .levels = levels};
}
