/*
 * scope.c — scopes (μsim's `async with Scope()` and `until`).
 *
 * A scope lives on its owner's stack.  Its children point at it, so
 * usim_scope_close never returns while a child still runs: whatever
 * happens to the owner (cancellation, interrupt, deadline), close cancels
 * the remaining children and waits for them without itself being
 * cancellable.  Scopes nest per task (scope_top); a child starts inside
 * the scope it was spawned into, so deadlines reach it too.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/list.h"
#include "kernel/loop.h"
#include "kernel/ticks.h"

enum { SCOPE_CHECK_DEPTH = 64 }; /* scope_valid: enclosing scopes walked */

bool scope_valid(const usim_scope *s)
{
    usim_task *const *head = &s->children;
    if (!list_valid(head, NULL, TASK_SIB_LINK, LIST_CHECK_WALK))
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
    self->scope_top = s;
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

static usim_task *scope_spawn(usim_scope *s, usim_fn fn, void *arg, const char *name,
                              bool vol)
{
    usim_task *self = sched_require_task("usim_scope_spawn");
    if (!self)
        return NULL;
    if (!s || !s->owner || s->owner->sim != self->sim) {
        usim_error(USIM_EINVAL, "usim_scope_spawn: scope is not open");
        return NULL;
    }
    usim_task *t = task_create(self->sim, fn, arg, name, NULL, s, vol);
    if (!t)
        return NULL;
    list_push_front(&s->children, NULL, TASK_SIB_LINK, t);
    if (vol)
        s->live_volatile++;
    else
        s->live++;
    assert(scope_valid(s));
    sched_turn();
    return t;
}

usim_task *usim_scope_spawn(usim_scope *s, usim_fn fn, void *arg, const char *name)
{
    return scope_spawn(s, fn, arg, name, false);
}

usim_task *usim_scope_spawn_volatile(usim_scope *s, usim_fn fn, void *arg,
                                     const char *name)
{
    return scope_spawn(s, fn, arg, name, true);
}

/* Cancels every child still running, without a turn point. */
static void cancel_children(usim_scope *s, bool only_volatile)
{
    for (usim_task *c = s->children; c; c = list_next(c, TASK_SIB_LINK)) {
        if (c->state == TASK_DONE || c->cancelled)
            continue;
        if (only_volatile && !c->volatile_child)
            continue;
        c->cancelled = true;
        if (c->state == TASK_BLOCKED)
            sched_wake(c, USIM_ECANCELED);
    }
}

/* Runs in the ending child (from task_on_done). */
void scope_child_done(usim_task *t)
{
    usim_scope *s = t->scope;
    list_remove(&s->children, NULL, TASK_SIB_LINK, t);
    if (t->volatile_child)
        s->live_volatile--;
    else
        s->live--;
    assert(scope_valid(s));
    if ((t->failed || t->abandoned) && !s->failed) {
        s->failed = true;
        snprintf(s->error, sizeof s->error, "task '%s' failed: %s", t->name,
                 t->error ? t->error : "(no message)");
        cancel_children(s, false);
    }
    usim_task *owner = s->closer.head;
    bool all_gone = s->live == 0 && (s->live_volatile == 0 || !s->closing_wait_all);
    if (owner && (all_gone || s->failed))
        sched_wake(owner, 0);
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
    int rc = 0;
    while (s->live > 0 && !s->failed) {
        rc = loop_block(self, &s->closer, NULL, "scope close", NULL, NULL,
                        SCHED_NO_TIMEOUT);
        if (rc != 0)
            break;
    }
    /* From here on nothing may leave the scope's children running. */
    cancel_children(s, rc == 0 && !s->failed);
    s->closing_wait_all = true;
    while (s->live + s->live_volatile > 0)
        loop_block_uncancellable(self, &s->closer, "scope close", NULL);
    assert(!s->children && scope_valid(s));
    self->scope_top = s->parent;
    s->owner = NULL;
    if (s->failed)
        return USIM_EFAILED;
    return rc;
}

const char *usim_scope_error(const usim_scope *s)
{
    return s && s->failed ? s->error : NULL;
}
