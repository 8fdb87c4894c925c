/*
 * scope.c — scopes (μsim's `async with Scope()` and `until`).
 *
 * A scope lives on its owner's stack.  Its children point at it, so
 * usim_scope_close never returns while a child still runs: whatever
 * happens to the owner (cancellation, interrupt, deadline, a failed
 * child), close cancels the remaining children and waits for them
 * without itself being cancellable.  Scopes nest per task (scope_top); a
 * child starts inside the scope it was spawned into, so deadlines reach
 * it too.
 *
 * A scope opened with usim_scope_open_when watches its condition (a
 * usim_cond_watch in the scope, cond.h); when it fires, the scope and
 * everything inside it take the current tick as their deadline, exactly
 * as if a usim_scope_open_until deadline had come (scope_when_fired).
 *
 * A child that fails interrupts the owner at once (its blocking calls
 * return USIM_ECHILD while the scope is open: failed_scope) and the
 * other children are cancelled; the failed children stay on the scope's
 * failure list, in failure order, which holds their task records until
 * the simulation is destroyed.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cond.h"
#include "kernel/list.h"
#include "kernel/loop.h"
#include "kernel/ticks.h"

enum { SCOPE_CHECK_DEPTH = 64 }; /* scope_valid: enclosing scopes walked */

bool scope_valid(const usim_scope *s)
{
    usim_task *const *head = &s->children;
    if (!list_valid(head, &s->children_tail, TASK_SIB_LINK, LIST_CHECK_WALK))
        return false;
    size_t n = 0, nvol = 0;
    const usim_task *c = s->children;
    for (; c && n + nvol < LIST_CHECK_WALK; c = list_next(c, TASK_SIB_LINK)) {
        if (c->scope != s || c->state == TASK_DONE)
            return false;
        c->volatile_child ? nvol++ : n++;
    }
    if (!c && (n != s->live || nvol != s->live_volatile))
        return false;
    if (!list_valid(&s->failures, &s->failures_tail, TASK_FAILURE_LINK,
                    LIST_CHECK_WALK))
        return false;
    if (!s->owner)
        return true;
    /* Open: within the enclosing scope's deadline, and on the owner's
     * chain of open scopes. */
    if (s->parent && s->deadline > s->parent->deadline)
        return false;
    const usim_scope *p = s->owner->scope_top;
    for (int depth = 0; p && p != s && depth < SCOPE_CHECK_DEPTH; depth++)
        p = p->parent;
    return p == s || p != NULL;
}

static void scope_open_at(usim_scope *s, int64_t deadline)
{
    memset(s, 0, sizeof *s);
    usim_task *self = sched_require_task("usim_scope_open");
    s->deadline = SCHED_NO_TIMEOUT;
    if (!self)
        return;
    s->owner = self;
    s->parent = self->scope_top;
    int64_t outer = time_deadline(self);
    s->deadline = deadline < outer ? deadline : outer;
    task_set_scope_top(self, s);
    assert(scope_valid(s));
}

void usim_scope_open(usim_scope *s)
{
    scope_open_at(s, SCHED_NO_TIMEOUT);
}

void usim_scope_open_until(usim_scope *s, double deadline)
{
    usim_sim *sim = sched_sim();
    int64_t dl = SCHED_NO_TIMEOUT;
    if (sim && !isnan(deadline))
        dl = ticks_clamp(ticks_ceil(ticks_quotient(deadline, sim->cfg.resolution)), 0,
                         SCHED_NO_TIMEOUT);
    scope_open_at(s, dl);
}

/* ------------------------------------------------------------------ */
/* Scopes ended by a condition                                          */
/* ------------------------------------------------------------------ */

static size_t expire_task(usim_task *t, const usim_scope *outer, int64_t now);

/* s and everything inside it take the deadline `now`. */
static size_t expire_scope(usim_scope *s, int64_t now)
{
    size_t woken = 0;
    if (s->deadline > now)
        s->deadline = now;
    for (usim_task *c = s->children; c; c = list_next(c, TASK_SIB_LINK))
        woken += expire_task(c, s, now);
    return woken;
}

/* t, the owner of `outer` or one of its children: its own scopes inside
 * `outer` expire, then t itself, whose wait (if any) ends as a deadline
 * timer would end it; not the wait of close for the last children, which
 * nothing may stop. */
static size_t expire_task(usim_task *t, const usim_scope *outer, int64_t now)
{
    size_t woken = 0;
    for (usim_scope *p = t->scope_top; p && p != outer; p = p->parent)
        woken += expire_scope(p, now);
    if (t->deadline <= now)
        return woken;
    task_set_scope_top(t, t->scope_top);
    usim_scope *top = t->scope_top;
    bool closing = top && top->owner == t && top->closing_wait_all;
    if (t->state == TASK_BLOCKED && !closing) {
        t->carry_valid = false;
        loop_wake(t, USIM_ETIMEDOUT);
        woken++;
    }
    return woken;
}

size_t scope_when_fired(usim_scope *s)
{
    int64_t now = s->owner->sim->now;
    size_t woken = expire_scope(s, now);
    woken += expire_task(s->owner, s, now);
    assert(scope_valid(s));
    return woken;
}

void scope_when_abandoned(usim_task *t)
{
    /* t's own scopes come first on its chain, then the one it is a child
     * of.  That one closes without t, and its owner's stack may go back
     * to the pool while t's children still name t's scopes (kept with
     * t's stack, see dispatch): the outermost of them stops naming it. */
    for (usim_scope *s = t->scope_top; s && s->owner == t; s = s->parent) {
        if (s->when)
            cond_detach(&s->watch);
        if (s->parent && s->parent->owner != t)
            s->parent = NULL; /* ends the walk */
    }
}

int usim_scope_open_when(usim_scope *s, const usim_cond *c)
{
    usim_task *self = sched_require_task("usim_scope_open_when");
    if (!self)
        return USIM_ESTATE;
    if (!s)
        return usim_error(USIM_EINVAL, "usim_scope_open_when: scope is NULL");
    size_t nleaves;
    const char *err = cond_validate(c, &nleaves);
    if (!err && nleaves > USIM_SCOPE_WHEN_MAX)
        err = "more than USIM_SCOPE_WHEN_MAX parts";
    int64_t dl = err ? -1 : cond_scope_deadline(c, &err);
    if (err)
        return usim_error(USIM_EINVAL, "usim_scope_open_when: %s", err);
    scope_open_at(s, dl);
    s->when = true;
    s->watch = (usim_cond_watch){
        .cond = c, .scope = s, .ls = s->when_ls, .musim = self->musim};
    if (cond_eval(c)) {
        /* μsim interrupts at the body's next suspension: so does the
         * deadline now. */
        s->watch.fired = true;
        s->watch.index = cond_first_true(c);
        scope_when_fired(s);
    } else if (!self->musim || c->ops) {
        /* Under musim an any or all never fires later (μsim's
         * connectives never wake what waits on them). */
        cond_attach(&s->watch, true);
    }
    return 0;
}

static usim_task *scope_spawn(usim_scope *s, usim_fn fn, void *arg, const char *name,
                              const usim_spawn_opts *opts, bool vol)
{
    usim_task *self = sched_require_task("usim_scope_spawn");
    if (!self)
        return NULL;
    if (!s || !s->owner || s->owner->sim != self->sim) {
        usim_error(USIM_EINVAL, "usim_scope_spawn: scope is not open");
        return NULL;
    }
    usim_task *t = task_create(self->sim, fn, arg, name, opts, s, vol);
    if (!t)
        return NULL;
    list_insert(&s->children, &s->children_tail, TASK_SIB_LINK, t, NULL);
    if (vol)
        s->live_volatile++;
    else
        s->live++;
    assert(scope_valid(s));
    sched_woke(1);
    return t;
}

usim_task *usim_scope_spawn(usim_scope *s, usim_fn fn, void *arg, const char *name)
{
    return scope_spawn(s, fn, arg, name, NULL, false);
}

usim_task *usim_scope_spawn_volatile(usim_scope *s, usim_fn fn, void *arg,
                                     const char *name)
{
    return scope_spawn(s, fn, arg, name, NULL, true);
}

usim_task *usim_scope_spawn_ex(usim_scope *s, usim_fn fn, void *arg, const char *name,
                               const usim_spawn_opts *opts)
{
    return scope_spawn(s, fn, arg, name, opts, opts && opts->volatile_child);
}

/* Cancels every child still running, without a turn point. */
static void cancel_children(usim_scope *s, bool only_volatile)
{
    for (usim_task *c = s->children; c; c = list_next(c, TASK_SIB_LINK))
        if (!only_volatile || c->volatile_child)
            task_cancel(c);
}

/* True if `outer` is `inner` or one of the scopes enclosing it. */
static bool scope_encloses(const usim_scope *outer, const usim_scope *inner)
{
    for (; inner; inner = inner->parent)
        if (inner == outer)
            return true;
    return false;
}

/* The owner hears of a failed child of s now: its current wait ends with
 * USIM_ECHILD (an uncancellable one in close just goes on waiting), and
 * so does every blocking call it makes until s closes. */
static void interrupt_owner(usim_scope *s)
{
    usim_task *o = s->owner;
    if (!o->failed_scope || scope_encloses(s, o->failed_scope))
        o->failed_scope = s;
    o->child_failed = true;
    if (o->state == TASK_BLOCKED) {
        o->carry_valid = false;
        sched_wake(o, USIM_ECHILD);
    }
}

/* A failed child joins the failure list (which keeps its record). */
static void record_failure(usim_scope *s, usim_task *t)
{
    if (!s->failed)
        snprintf(s->error, sizeof s->error, "task '%s' failed: %s", t->name,
                 t->error ? t->error : "(no message)");
    s->failed = true;
    list_insert(&s->failures, &s->failures_tail, TASK_FAILURE_LINK, t, NULL);
    s->nfailures++;
    t->failure_listed = true;
}

/* Runs in the ending child (from task_on_done). */
void scope_child_done(usim_task *t)
{
    usim_scope *s = t->scope;
    list_remove(&s->children, &s->children_tail, TASK_SIB_LINK, t);
    if (t->volatile_child)
        s->live_volatile--;
    else
        s->live--;
    if (t->failed || t->abandoned) {
        record_failure(s, t);
        interrupt_owner(s);
        /* musim: as in μsim, the other children go on until the owner
         * takes the failure (its close cancels them): the children
         * ready before the owner still run, and may fail, in this step. */
        if (!t->musim)
            cancel_children(s, false);
    }
    assert(scope_valid(s));
    usim_task *owner = s->closer.head;
    bool all_gone = s->live == 0 && (s->live_volatile == 0 || !s->closing_wait_all);
    if (owner && (all_gone || s->failed))
        sched_wake(owner, 0);
}

/* The first non-volatile child of snapshot `gen` with a rank >= k. */
static usim_task *snapshot_member(const usim_scope *s, uint64_t gen, size_t k)
{
    for (usim_task *c = s->children; c; c = list_next(c, TASK_SIB_LINK))
        if (!c->volatile_child && c->snap_gen == gen && c->snap_rank >= k)
            return c;
    return NULL;
}

/* musim: μsim's wait for the children, one pass: the children there are
 * now, in spawn order; for each, a wait until it ends, or a postpone if
 * it already has. */
static int close_snapshot(usim_task *self, usim_scope *s)
{
    uint64_t gen = ++s->snap;
    size_t n = 0;
    for (usim_task *c = s->children; c; c = list_next(c, TASK_SIB_LINK))
        if (!c->volatile_child) {
            c->snap_gen = gen;
            c->snap_rank = n++;
        }
    for (size_t k = 0; k < n; k++) {
        usim_task *m = snapshot_member(s, gen, k);
        int rc;
        if (m && m->snap_rank == k && !task_finished(m)) {
            uint64_t stamp = cond_stamp(&m->done_cond); /* a joiner's */
            rc = loop_block(self, &m->joiners, NULL, "scope close", NULL, &stamp,
                            SCHED_NO_TIMEOUT);
        } else {
            rc = loop_postpone_checked(self);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Wakes the usim_scope_wait waiters: the owner has reached close. */
static size_t scope_body_done(usim_scope *s)
{
    s->body_done = true;
    size_t woken = 0;
    for (; s->watchers.head; woken++)
        sched_wake(s->watchers.head, 0);
    return woken;
}

/* The owner's wait for the non-volatile children: 0 when they have all
 * ended, else why it stopped.  Under musim as μsim's scope exit: a
 * postpone (after waking the watchers), then passes over the children. */
static int close_wait(usim_task *self, usim_scope *s)
{
    size_t woken = scope_body_done(s);
    int rc = 0;
    if (self->musim) {
        rc = loop_postpone_checked(self);
        while (rc == 0 && s->live > 0 && !s->failed)
            rc = close_snapshot(self, s);
        return rc;
    }
    sched_op_end(woken);
    while (s->live > 0 && !s->failed) {
        rc = loop_block(self, &s->closer, NULL, "scope close", NULL, NULL,
                        SCHED_NO_TIMEOUT);
        if (rc != 0)
            break;
    }
    return rc;
}

int usim_scope_close(usim_scope *s)
{
    usim_task *self = sched_require_task("usim_scope_close");
    if (!self)
        return USIM_ESTATE;
    if (!s || s->owner != self || self->scope_top != s)
        return usim_error(USIM_EINVAL,
                          "usim_scope_close: not the innermost open scope of task '%s'",
                          self->name);
    loop_timeout_begins(self);
    int rc = close_wait(self, s);
    /* From here on nothing may leave the scope's children running. */
    cancel_children(s, rc == 0 && !s->failed);
    s->closing_wait_all = true;
    while (s->live + s->live_volatile > 0)
        loop_block_uncancellable(self, &s->closer, "scope close", NULL);
    assert(!s->children && scope_valid(s));
    if (s->when)
        cond_detach(&s->watch);
    task_set_scope_top(self, s->parent);
    s->owner = NULL;
    if (self->failed_scope == s) {
        self->failed_scope = NULL;
        self->child_failed = false;
    }
    if (s->failed)
        return USIM_EFAILED;
    /* A deadline that has passed (or a condition that ended the scope) is
     * USIM_ETIMEDOUT whether or not close itself had to wait. */
    if (rc == 0 && s->deadline <= self->sim->now)
        return USIM_ETIMEDOUT;
    return rc;
}

int usim_scope_wait(usim_scope *s)
{
    usim_task *self = sched_require_task("usim_scope_wait");
    if (!self)
        return USIM_ESTATE;
    if (!s)
        return usim_error(USIM_EINVAL, "usim_scope_wait: scope is NULL");
    if (s->owner == self)
        return usim_error(USIM_EINVAL,
                          "usim_scope_wait: task '%s' owns the scope: it would wait "
                          "for itself",
                          self->name);
    int rc = sched_call_begin(self);
    if (rc != 0)
        return rc;
    if (s->body_done) {
        sched_op_end(0); /* μsim's `await scope` when the body is done */
        return 0;
    }
    if (!s->owner)
        return usim_error(USIM_EINVAL, "usim_scope_wait: scope is not open");
    return loop_block(self, &s->watchers, NULL, "scope of task", s->owner->name, NULL,
                      SCHED_NO_TIMEOUT);
}

const char *usim_scope_error(const usim_scope *s)
{
    return s && s->failed ? s->error : NULL;
}

size_t usim_scope_failures(const usim_scope *s)
{
    return s ? s->nfailures : 0;
}

int usim_scope_failure(const usim_scope *s, size_t i, const char **task,
                       const char **message)
{
    if (!s || i >= s->nfailures)
        return usim_error(USIM_EINVAL, "usim_scope_failure: failure %zu of %zu", i,
                          s ? s->nfailures : 0);
    const usim_task *t = s->failures;
    for (; i > 0; i--)
        t = list_next(t, TASK_FAILURE_LINK);
    if (task)
        *task = t->name;
    if (message)
        *message = t->error ? t->error : "(no message)";
    return 0;
}
