/*
 * cond.c — conditions: evaluation, the composites and inversion, time
 * leaves, watching several primitives at once (usim_wait_cond).
 *
 * A condition is a tree the caller owns: leaves (a kind's ops and its
 * primitive) and any / all nodes pointing to arrays of parts.  Inversion
 * is a bit, pushed down as the tree is read (De Morgan: an inverted all
 * is read as the any of its inverted parts), so usim_cond_not allocates
 * nothing either.
 *
 * A wait keeps one record (usim_cond_watch) and one listener per
 * watched leaf on its own stack, links the listeners into the sources of
 * their primitives (cond.h) and blocks on a wait list of its own, with a
 * timer at the earliest tick a time leaf may become true.  A change of a
 * primitive walks its listeners: outside musim it checks the whole
 * condition and wakes the waiter if it holds (the answer, as for the
 * single-primitive waits); under musim a leaf that holds wakes the waiter
 * (μsim triggers the subscribed part), which checks the whole condition
 * again when it runs.
 */
#include <assert.h>
#include <math.h>

#include "kernel/cond.h"
#include "kernel/loop.h"
#include "kernel/ticks.h"

/* ------------------------------------------------------------------ */
/* Reading a condition                                                  */
/* ------------------------------------------------------------------ */

static bool leaf_holds(const usim_cond *c, bool neg)
{
    return c->ops->holds(c) != neg;
}

/* Composite c read with inversion `neg`: is it an all? */
static bool reads_as_all(const usim_cond *c, bool neg)
{
    return c->all != neg;
}

static bool eval(const usim_cond *c, bool neg)
{
    neg ^= c->neg;
    if (c->ops)
        return leaf_holds(c, neg);
    bool all = reads_as_all(c, neg);
    for (size_t i = 0; i < c->n; i++)
        if (eval(&c->parts[i], neg) != all)
            return !all;
    return all;
}

bool cond_eval(const usim_cond *c)
{
    return eval(c, false);
}

size_t cond_first_true(const usim_cond *c)
{
    if (c->ops)
        return 0;
    for (size_t i = 0; i < c->n; i++)
        if (eval(&c->parts[i], c->neg))
            return i;
    return 0;
}

static const char *validate(const usim_cond *c, bool neg, int depth, size_t *nleaves)
{
    if (depth > USIM_COND_DEPTH)
        return "composites nest deeper than USIM_COND_DEPTH";
    neg ^= c->neg;
    if (c->ops) {
        if (++*nleaves > USIM_COND_MAX_PARTS)
            return "more than USIM_COND_MAX_PARTS parts";
        return c->ops->check(c, neg);
    }
    if (c->n && !c->parts)
        return "a composite's parts are NULL";
    for (size_t i = 0; i < c->n; i++) {
        const char *err = validate(&c->parts[i], neg, depth + 1, nleaves);
        if (err)
            return err;
    }
    return NULL;
}

const char *cond_validate(const usim_cond *c, size_t *nleaves)
{
    *nleaves = 0;
    if (!c)
        return "condition is NULL";
    return validate(c, false, 0, nleaves);
}

/* ------------------------------------------------------------------ */
/* Building                                                             */
/* ------------------------------------------------------------------ */

usim_cond usim_cond_any(const usim_cond *parts, size_t n)
{
    return (usim_cond){.parts = parts, .n = n, .all = false};
}

usim_cond usim_cond_all(const usim_cond *parts, size_t n)
{
    return (usim_cond){.parts = parts, .n = n, .all = true};
}

usim_cond usim_cond_not(usim_cond c)
{
    c.neg = !c.neg;
    return c;
}

bool usim_cond_holds(const usim_cond *c)
{
    size_t n;
    const char *err = cond_validate(c, &n);
    if (err) {
        usim_error(USIM_EINVAL, "usim_cond_holds: %s", err);
        return false;
    }
    return cond_eval(c);
}

/* ------------------------------------------------------------------ */
/* Time leaves                                                          */
/* ------------------------------------------------------------------ */

static const char *time_check(const usim_cond *c, bool neg)
{
    if (c->op != USIM_GE && c->op != USIM_EQ && c->op != USIM_LT)
        return "time conditions compare with USIM_GE, USIM_EQ or USIM_LT";
    if (isnan(c->x))
        return "time is NaN";
    if (c->op == USIM_EQ && neg)
        return "time == t has no inverse";
    return NULL;
}

static bool time_holds(const usim_cond *c)
{
    usim_sim *sim = sched_sim();
    if (!sim)
        return false;
    double now = usim_sim_now(sim);
    switch (c->op) {
    case USIM_GE:
        return now >= c->x;
    case USIM_EQ:
        return now == c->x;
    default:
        return now < c->x;
    }
}

static usim_cond_source *time_source(const usim_cond *c)
{
    (void)c;
    return NULL;
}

/* `time >= t` (or an inverted `time < t`) and `time == t` become true at
 * the first tick at or after t; the others never do. */
static int64_t time_wake_tick(const usim_cond *c, bool neg)
{
    usim_sim *sim = sched_sim();
    if (!sim || c->x == INFINITY)
        return SCHED_NO_TIMEOUT;
    bool rises = (c->op == USIM_GE && !neg) || (c->op == USIM_LT && neg) ||
                 (c->op == USIM_EQ && usim_sim_now(sim) < c->x);
    if (!rises)
        return SCHED_NO_TIMEOUT;
    double q = ticks_ceil(ticks_quotient(c->x, sim->cfg.resolution));
    return ticks_clamp(q, sim->now + 1, SCHED_NO_TIMEOUT);
}

static const struct usim_cond_ops time_ops = {
    .kind = "time",
    .check = time_check,
    .holds = time_holds,
    .source = time_source,
    .wake_tick = time_wake_tick,
};

usim_cond usim_cond_time(usim_cmp op, double t)
{
    return (usim_cond){.ops = &time_ops, .op = (int)op, .x = t};
}

/* ------------------------------------------------------------------ */
/* Watching                                                             */
/* ------------------------------------------------------------------ */

static void link_listener(usim_cond_watch *w, const usim_cond *leaf, bool neg,
                          usim_cond_source *src)
{
    usim_cond_listener *l = &w->ls[w->nls++];
    *l = (usim_cond_listener){
        .src = src, .watch = w, .leaf = leaf, .stamp = ++src->stamp, .neg = neg};
    l->prev = src->tail;
    if (src->tail)
        src->tail->next = l;
    else
        src->head = l;
    src->tail = l;
}

static int64_t earlier(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Links leaf c (inverted by `neg`), or its time. */
static int64_t attach_leaf(usim_cond_watch *w, const usim_cond *c, bool neg)
{
    if (c->ops->wake_tick)
        return c->ops->wake_tick(c, neg);
    link_listener(w, c, neg, c->ops->source(c));
    return SCHED_NO_TIMEOUT;
}

static int64_t attach_all(usim_cond_watch *w, const usim_cond *c, bool neg)
{
    neg ^= c->neg;
    if (c->ops)
        return attach_leaf(w, c, neg);
    int64_t tick = SCHED_NO_TIMEOUT;
    for (size_t i = 0; i < c->n; i++)
        tick = earlier(tick, attach_all(w, &c->parts[i], neg));
    return tick;
}

/* μsim's connective wait: the false top-level parts; a part of the same
 * kind (as read) is flattened into this one, a composite of the other
 * kind is a notification that never fires. */
static int64_t attach_top(usim_cond_watch *w, const usim_cond *c, bool neg, bool all)
{
    int64_t tick = SCHED_NO_TIMEOUT;
    for (size_t i = 0; i < c->n; i++) {
        const usim_cond *p = &c->parts[i];
        bool pneg = neg ^ p->neg;
        if (p->ops) {
            if (!leaf_holds(p, pneg))
                tick = earlier(tick, attach_leaf(w, p, pneg));
        } else if (reads_as_all(p, pneg) == all) {
            tick = earlier(tick, attach_top(w, p, pneg, all));
        }
    }
    return tick;
}

int64_t cond_attach(usim_cond_watch *w, bool all_leaves)
{
    const usim_cond *c = w->cond;
    w->nls = 0;
    if (all_leaves || c->ops)
        return attach_all(w, c, false);
    return attach_top(w, c, c->neg, reads_as_all(c, c->neg));
}

void cond_detach(usim_cond_watch *w)
{
    for (size_t i = 0; i < w->nls; i++) {
        usim_cond_listener *l = &w->ls[i];
        usim_cond_source *src = l->src;
        if (l->prev)
            l->prev->next = l->next;
        else
            src->head = l->next;
        if (l->next)
            l->next->prev = l->prev;
        else
            src->tail = l->prev;
    }
    w->nls = 0;
}

/* A change reached listener l: fires its watch if the change satisfies
 * it; returns the tasks made ready. */
static size_t poke(usim_cond_listener *l)
{
    usim_cond_watch *w = l->watch;
    if (w->fired)
        return 0;
    if (w->musim ? !leaf_holds(l->leaf, l->neg) : !cond_eval(w->cond))
        return 0;
    /* A waiter woken otherwise (cancelled, its timer) keeps its
     * listeners until it runs: it is no longer blocked and not woken. */
    if (w->task && w->task->state != TASK_BLOCKED)
        return 0;
    w->fired = true;
    w->index = cond_first_true(w->cond);
    if (w->task) {
        loop_wake(w->task, 0);
        return 1;
    }
    return scope_when_fired(w->scope);
}

void cond_walk_before_slow(cond_walk *w, uint64_t stamp)
{
    while (w->next && w->next->stamp < stamp) {
        usim_cond_listener *l = w->next;
        w->next = l->next; /* waking never unlinks a listener */
        w->woken += poke(l);
    }
}

/* True if a time leaf under c (read with `neg`) may become true. */
static bool rising_time_below(const usim_cond *c, bool neg)
{
    neg ^= c->neg;
    if (c->ops)
        return c->ops->wake_tick && c->ops->wake_tick(c, neg) != SCHED_NO_TIMEOUT;
    for (size_t i = 0; i < c->n; i++)
        if (rising_time_below(&c->parts[i], neg))
            return true;
    return false;
}

int64_t cond_scope_deadline(const usim_cond *c, const char **err)
{
    if (c->ops)
        return c->ops->wake_tick ? c->ops->wake_tick(c, c->neg) : SCHED_NO_TIMEOUT;
    int64_t tick = SCHED_NO_TIMEOUT;
    bool any = !reads_as_all(c, c->neg);
    for (size_t i = 0; i < c->n; i++) {
        const usim_cond *p = &c->parts[i];
        bool pneg = c->neg ^ p->neg;
        if (p->ops && p->ops->wake_tick && any)
            tick = earlier(tick, p->ops->wake_tick(p, pneg));
        else if (rising_time_below(p, pneg)) {
            *err = "a time part of a scope condition must be the condition or a "
                   "part of its top-level any";
            return -1;
        }
    }
    return tick;
}

/* ------------------------------------------------------------------ */
/* usim_wait_cond                                                       */
/* ------------------------------------------------------------------ */

int usim_wait_cond(const usim_cond *c, size_t *fired)
{
    usim_task *self = sched_require_task("usim_wait_cond");
    if (!self)
        return USIM_ESTATE;
    size_t nleaves;
    const char *err = cond_validate(c, &nleaves);
    if (err)
        return usim_error(USIM_EINVAL, "usim_wait_cond: %s", err);
    int rc = sched_call_begin(self);
    if (rc)
        return rc;
    bool musim = self->musim;
    if (musim && !c->ops) {
        /* μsim's connective: a postpone first, whatever its value. */
        rc = sched_op_ready();
        if (rc)
            return rc;
    } else if (cond_eval(c)) {
        rc = sched_op_ready();
        if (rc)
            return rc;
        if (!musim || cond_eval(c))
            goto done;
    }
    usim_cond_listener ls[USIM_COND_MAX_PARTS];
    usim_cond_watch w = {.cond = c, .task = self, .ls = ls, .musim = musim};
    usim_waitlist own = {0};
    for (;;) {
        if (musim && cond_eval(c))
            break;
        w.fired = false;
        int64_t tick = cond_attach(&w, !musim);
        rc = loop_block(self, &own, NULL, "condition", NULL, &w, tick);
        cond_detach(&w);
        if (rc)
            return rc;
        if (w.fired) {
            if (!musim) { /* the change that woke it satisfied it */
                if (fired)
                    *fired = w.index;
                return 0;
            }
            continue; /* musim: checked again at the top */
        }
        /* A time leaf's tick. */
        if (musim) {
            rc = loop_trigger_hop(self);
            if (rc)
                return rc;
        } else if (cond_eval(c)) {
            break;
        }
    }
done:
    if (fired)
        *fired = cond_first_true(c);
    return 0;
}
