/*
 * tracked.c — a double value with waits on conditions (`value op x`) and
 * a time-weighted level of its history.
 *
 * Every change wakes, in waiting order, each waiter whose condition now
 * holds; the others keep waiting.  The condition is checked at the
 * change: a woken waiter returns 0 even if the value moved on again
 * before it ran (usim_tracked_get tells the current value) — except
 * under musim, where it checks again when it runs and waits on if the
 * condition no longer holds (μsim's rule), and where every set postpones
 * the setter, also one that changes nothing.
 *
 * A tracked value is a condition leaf (kernel/cond.h); every set walks
 * the plain waiters and the usim_wait_cond waiters in one waiting order.
 * usim_tracked_update is μsim's `await (tracked OP x)`: the new value is
 * computed when it is called, then set.
 */
#include <assert.h>
#include <math.h>

#include "kernel/cond.h"
#include "sync/sync.h"

typedef struct tracked_waiter {
    usim_cmp op;
    double x;
    uint64_t stamp; /* its place among the condition waiters */
} tracked_waiter;

/* The time a change is recorded at: the running simulation's now.
 * Outside a running simulation (set by the host between runs) the change
 * is recorded at the level's last update, so the level stays monotone. */
static double tracked_now(const usim_tracked *t)
{
    usim_sim *sim = sched_sim();
    double now = sim ? usim_sim_now(sim) : t->level.t_last;
    return fmax(now, t->level.t_last);
}

static bool tracked_holds(double v, usim_cmp op, double x)
{
    switch (op) {
    case USIM_LT:
        return v < x;
    case USIM_LE:
        return v <= x;
    case USIM_EQ:
        return v == x;
    case USIM_NE:
        return v != x;
    case USIM_GE:
        return v >= x;
    case USIM_GT:
        return v > x;
    }
    return false;
}

void usim_tracked_init(usim_tracked *t, double value, const char *name)
{
    if (!t) {
        usim_error(USIM_EINVAL, "usim_tracked_init: tracked is NULL");
        return;
    }
    *t = (usim_tracked){.value = value, .name = name, .magic = SYNC_LIVE};
    usim_sim *sim = sched_sim();
    usim_level_init(&t->level, sim ? usim_sim_now(sim) : 0.0, value);
}

void usim_tracked_destroy(usim_tracked *t)
{
    if (!t || t->magic != SYNC_LIVE)
        return;
    assert(waitlist_empty(&t->waiters) && !cond_source_busy(&t->cond));
    t->waiters = (usim_waitlist){0};
    cond_source_init(&t->cond);
    kernel_stat_forget(&t->level);
    t->magic = SYNC_DEAD;
}

double usim_tracked_get(const usim_tracked *t)
{
    if (SYNC_CHECK(t, "usim_tracked_get", "tracked"))
        return NAN;
    return t->value;
}

const usim_level *usim_tracked_level(const usim_tracked *t)
{
    if (SYNC_CHECK(t, "usim_tracked_level", "tracked"))
        return NULL;
    return &t->level;
}

/* The first waiter of t that began waiting at `stamp` or later (the
 * list is in stamp order). */
static usim_task *tracked_waiter_from(const usim_tracked *t, uint64_t stamp)
{
    usim_task *w = t->waiters.head;
    while (w && ((const tracked_waiter *)sched_wait_data(w))->stamp < stamp)
        w = waitlist_next(w);
    return w;
}

void usim_tracked_set(usim_tracked *t, double v)
{
    if (SYNC_CHECK(t, "usim_tracked_set", "tracked"))
        return;
    t->value = v;
    usim_level_set(&t->level, tracked_now(t), v);
    size_t woken = 0;
    cond_walk cw;
    cond_walk_begin(&cw, &t->cond);
    usim_task *w = t->waiters.head;
    while (w) {
        const tracked_waiter *tw = sched_wait_data(w);
        uint64_t stamp = tw->stamp;
        size_t fired = cw.woken;
        cond_walk_before(&cw, stamp);
        if (cw.woken != fired) {
            /* A scope that fired wakes its tasks, and one may wait here
             * (w itself, or a later waiter): go on from the first waiter
             * still here that began at `stamp` or later. */
            w = tracked_waiter_from(t, stamp);
            continue;
        }
        usim_task *next = waitlist_next(w); /* before w leaves the list */
        if (tracked_holds(v, tw->op, tw->x)) {
            sched_wake(w, 0);
            woken++;
        }
        w = next;
    }
    woken += cond_walk_end(&cw);
    sched_op_end(woken);
}

void usim_tracked_add(usim_tracked *t, double dv)
{
    if (SYNC_CHECK(t, "usim_tracked_add", "tracked"))
        return;
    usim_tracked_set(t, t->value + dv);
}

int usim_tracked_wait(usim_tracked *t, usim_cmp op, double x)
{
    int rc = SYNC_CHECK(t, "usim_tracked_wait", "tracked");
    if (rc)
        return rc;
    if (op < USIM_LT || op > USIM_GT)
        return usim_error(USIM_EINVAL, "usim_tracked_wait: unknown comparison %d",
                          (int)op);
    if (isnan(x))
        return usim_error(USIM_EINVAL, "usim_tracked_wait: threshold is NaN");
    rc = sync_begin("usim_tracked_wait");
    if (rc)
        return rc;
    bool recheck = sched_rechecks();
    if (tracked_holds(t->value, op, x)) {
        rc = sched_op_ready();
        if (rc || !recheck || tracked_holds(t->value, op, x))
            return rc;
    }
    tracked_waiter w = {op, x, 0};
    do {
        w.stamp = cond_stamp(&t->cond);
        rc = sched_block(&t->waiters, NULL, "tracked", t->name, &w, SCHED_NO_TIMEOUT);
    } while (rc == 0 && recheck && !tracked_holds(t->value, op, x));
    return rc;
}

/* Whole numbers within +-2^53 are exact doubles and exact int64s. */
static bool tracked_whole(double v)
{
    return v == floor(v) && fabs(v) <= 9007199254740992.0;
}

/* v OP x into *out; NULL, or why the update is refused. */
static const char *tracked_apply(double v, usim_op op, double x, double *out)
{
    if (op >= USIM_OP_SHL && op <= USIM_OP_XOR) {
        if (!tracked_whole(v) || !tracked_whole(x))
            return "a bitwise update needs whole numbers within +-2^53";
        int64_t a = (int64_t)v, b = (int64_t)x;
        if ((op == USIM_OP_SHL || op == USIM_OP_SHR) && (b < 0 || b > 63))
            return "a shift must be by 0 to 63";
        switch (op) {
        case USIM_OP_SHL:
            *out = ldexp(v, (int)b);
            return NULL;
        case USIM_OP_SHR:
            *out = floor(ldexp(v, -(int)b));
            return NULL;
        case USIM_OP_AND:
            *out = (double)(a & b);
            return NULL;
        case USIM_OP_OR:
            *out = (double)(a | b);
            return NULL;
        default:
            *out = (double)(a ^ b);
            return NULL;
        }
    }
    if ((op == USIM_OP_DIV || op == USIM_OP_FLOORDIV || op == USIM_OP_MOD) && x == 0)
        return "division by zero";
    switch (op) {
    case USIM_OP_ADD:
        *out = v + x;
        break;
    case USIM_OP_SUB:
        *out = v - x;
        break;
    case USIM_OP_MUL:
        *out = v * x;
        break;
    case USIM_OP_DIV:
        *out = v / x;
        break;
    case USIM_OP_FLOORDIV:
        *out = floor(v / x);
        break;
    case USIM_OP_MOD: {
        /* Python's float %: the result takes the divisor's sign. */
        double m = fmod(v, x);
        if (m != 0 && (m < 0) != (x < 0))
            m += x;
        *out = m;
        break;
    }
    case USIM_OP_POW:
        if (v == 0 && x < 0)
            return "division by zero (0 to a negative power)";
        *out = pow(v, x);
        break;
    default:
        return "unknown update";
    }
    if (isnan(*out))
        return "the result is NaN";
    return NULL;
}

int usim_tracked_update(usim_tracked *t, usim_op op, double x)
{
    int rc = SYNC_CHECK(t, "usim_tracked_update", "tracked");
    if (rc)
        return rc;
    if (op < USIM_OP_ADD || op > USIM_OP_XOR)
        return usim_error(USIM_EINVAL, "usim_tracked_update: unknown update %d",
                          (int)op);
    if (isnan(x))
        return usim_error(USIM_EINVAL, "usim_tracked_update: operand is NaN");
    double v;
    const char *err = tracked_apply(t->value, op, x, &v);
    if (err)
        return usim_error(USIM_EINVAL, "usim_tracked_update: tracked '%s': %s",
                          t->name ? t->name : "", err);
    usim_tracked_set(t, v);
    return 0;
}

/* The tracked value as a condition leaf: `value op x`. */
static const char *tracked_leaf_check(const usim_cond *c, bool neg)
{
    (void)neg;
    usim_tracked *t = c->obj;
    if (!t)
        return "a tracked part names no tracked value";
    if (SYNC_CHECK(t, "usim_wait_cond", "tracked"))
        return usim_errmsg();
    if (c->op < USIM_LT || c->op > USIM_GT)
        return "a tracked part has an unknown comparison";
    if (isnan(c->x))
        return "a tracked part's threshold is NaN";
    return NULL;
}

static bool tracked_leaf_holds(const usim_cond *c)
{
    const usim_tracked *t = c->obj;
    return tracked_holds(t->value, (usim_cmp)c->op, c->x);
}

static usim_cond_source *tracked_leaf_source(const usim_cond *c)
{
    return &((usim_tracked *)c->obj)->cond;
}

static const struct usim_cond_ops tracked_leaf_ops = {
    .kind = "tracked",
    .check = tracked_leaf_check,
    .holds = tracked_leaf_holds,
    .source = tracked_leaf_source,
};

usim_cond usim_cond_tracked(usim_tracked *t, usim_cmp op, double x)
{
    return (usim_cond){.ops = &tracked_leaf_ops, .obj = t, .op = (int)op, .x = x};
}
