/*
 * task.c — tasks: spawn, join, cancel, interrupt, failure.
 *
 * A task record lives from spawn until the simulation is destroyed (or,
 * for a detached task, until it ends), so handles stay valid after the
 * task has returned and usim_join can still read its result.  The stack
 * goes back to the pool as soon as the task ends (an abandoned task's,
 * with its record, when the simulation is destroyed: see dispatch).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cond.h"
#include "kernel/drift.h"
#include "kernel/fail_catch.h"
#include "kernel/loop.h"
#include "kernel/thread_end.h"
#include "kernel/ticks.h"

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

/*
 * A freed task's record is kept for the thread's next spawn, up to
 * SHELLS_KEEP of them: a run of usim-batch spawns a few tasks and frees
 * them with its simulation, and glibc's calloc, which never takes a
 * recently freed block from the thread's cache, cost several times the
 * memset that empties a kept record.  A kept record's `arg` links it to
 * the next one.  They are freed when the thread ends (thread_at_end).
 */
enum { SHELLS_KEEP = 64 };

typedef struct shell_list {
    usim_task *head;
    size_t n;
    bool registered;
} shell_list;

static _Thread_local shell_list shells;

static void shells_release(void *arg)
{
    shell_list *l = arg;
    while (l->head) {
        usim_task *t = l->head;
        l->head = t->arg;
        free(t);
    }
    l->n = 0;
}

/* A zeroed record; NULL if memory ran out. */
static usim_task *record_new(void)
{
    usim_task *t = shells.head;
    if (!t)
        return calloc(1, sizeof *t);
    shells.head = t->arg;
    shells.n--;
    memset(t, 0, sizeof *t);
    return t;
}

static void record_free(usim_task *t)
{
    if (!shells.registered)
        shells.registered = thread_at_end(shells_release, &shells) == 0;
    if (shells.n >= SHELLS_KEEP || !shells.registered) {
        free(t);
        return;
    }
    t->arg = shells.head;
    shells.head = t;
    shells.n++;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

/* A task cancelled before its first turn never runs its function (its
 * first turn only ends it); a delayed start waits for its start tick
 * first, and runs nothing if that wait ends otherwise. */
static void task_main(void *arg)
{
    usim_task *t = arg;
    if (t->cancelled || (t->delayed_start && loop_start_wait(t, t->start_tick) != 0))
        t->body_skipped = true;
    else
        t->result = t->fn(t->arg);
    loop_finish_task(t);
}

/* The start tick of a delayed spawn into *tick; false for none (after is
 * 0 or NaN, at is 0 or NaN, or either comes to now).  USIM_EINVAL (set
 * in *rc) for after < 0, at in the past, or both. */
static bool start_tick_of(const usim_sim *sim, const usim_spawn_opts *opts,
                          int64_t *tick, int *rc)
{
    *rc = 0;
    double after = opts->after, at = opts->at;
    bool has_after = !isnan(after) && after != 0, has_at = !isnan(at) && at != 0;
    if (has_after && has_at) {
        *rc = usim_error(USIM_EINVAL, "spawn: after (%g) and at (%g) are exclusive",
                         after, at);
        return false;
    }
    if (has_after && after < 0) {
        *rc = usim_error(USIM_EINVAL, "spawn: after %g must be >= 0", after);
        return false;
    }
    if (!has_after && !has_at)
        return false;
    if (has_after ? isinf(after) : isinf(at)) {
        if (at < 0) {
            *rc = usim_error(USIM_EINVAL, "spawn: at %g is in the past", at);
            return false;
        }
        *tick = SCHED_NO_TIMEOUT; /* never starts */
        return true;
    }
    double q = ticks_quotient(has_after ? after : at, sim->cfg.resolution);
    double w = ticks_ceil(q);
    int64_t start;
    if (has_after) {
        if (!(w < (double)(SCHED_NO_TIMEOUT - sim->now))) {
            *tick = SCHED_NO_TIMEOUT;
            return true;
        }
        start = sim->now + (int64_t)w;
    } else {
        if (w < (double)sim->now) {
            *rc = usim_error(USIM_EINVAL, "spawn: at %g is in the past (now %.9g)", at,
                             sim_time(sim, sim->now));
            return false;
        }
        start = ticks_clamp(w, 0, SCHED_NO_TIMEOUT);
    }
    if (start <= sim->now)
        return false;
    *tick = start;
    return true;
}

usim_task *task_create(usim_sim *sim, usim_fn fn, void *arg, const char *name,
                       const usim_spawn_opts *opts, usim_scope *scope, bool vol)
{
    if (!fn) {
        usim_error(USIM_EINVAL, "spawn: task function is NULL");
        return NULL;
    }
    if (sim->final && !sim->destroying) {
        usim_error(USIM_ESTATE, "spawn: the simulation has ended (%s)",
                   usim_status_name(sim->status));
        return NULL;
    }
    if (opts && opts->guard_size > USIM_GUARD_SIZE_MAX) {
        usim_error(USIM_EINVAL, "spawn: guard_size %zu must be at most 1 GiB",
                   opts->guard_size);
        return NULL;
    }
    if (opts && opts->volatile_child && !scope) {
        usim_error(USIM_EINVAL, "spawn: volatile_child needs a scope "
                                "(usim_scope_spawn_ex)");
        return NULL;
    }
    int64_t start_tick = 0;
    int rc = 0;
    bool delayed = opts && start_tick_of(sim, opts, &start_tick, &rc);
    if (rc)
        return NULL;
    size_t stack = opts && opts->stack_size ? opts->stack_size : sim->cfg.stack_size;
    if (sim_check_stack_size(stack, "spawn: stack_size") != 0)
        return NULL;
    usim_task *t = record_new();
    if (!t) {
        usim_error(USIM_ENOMEM, "spawn: out of memory");
        return NULL;
    }
    size_t guard = opts && opts->guard_size ? opts->guard_size : sim->cfg.guard_size;
    /* For coro_create 0 is no guard; guard_size 0 is the smallest one. */
    guard = sim->cfg.stack_guard ? (guard ? guard : 1) : 0;
    if (coro_create(&t->co, task_main, t, stack, guard) != 0) {
        record_free(t);
        usim_error(USIM_ENOMEM, "spawn: cannot map a %zu-byte stack for task '%s'",
                   stack, name ? name : "task");
        return NULL;
    }
    t->sim = sim;
    t->fn = fn;
    t->arg = arg;
    t->stack_size = stack;
    t->detached = opts && opts->detached;
    t->drift_group = -1;
    t->sleep_general = true; /* until its drift group is known (drift.h) */
    t->scope = scope;
    task_set_scope_top(t, scope);
    t->volatile_child = vol;
    t->cancelled = sim->destroying;
    t->musim = sim->cfg.order == USIM_ORDER_MUSIM;
    t->delayed_start = delayed;
    t->start_tick = start_tick;
    const char *nm = name ? name : "task";
    size_t len = strnlen(nm, sizeof t->name - 1);
    memcpy(t->name, nm, len); /* zeroed: already terminated */
    list_push_front(&sim->all, NULL, TASK_ALL_LINK, t);
    sim->live++;
    loop_make_ready(sim, t);
    return t;
}

void task_free(usim_task *t)
{
    usim_sim *sim = t->sim;
    drift_fold(t);
    list_remove(&sim->all, NULL, TASK_ALL_LINK, t);
    free(t->error);
    record_free(t);
}

void task_release(usim_task *t)
{
    assert(t->state == TASK_DONE);
    if (t->failure_listed)
        return; /* its scope's failure list names it: freed with the sim */
    if (t->timer_refs)
        t->zombie = true;
    else
        task_free(t);
}

/* t is done: wakes its joiners and the condition waits on its end, in
 * the order they began (μsim's one list of `task.done` waiters). */
static size_t wake_done(usim_task *t)
{
    size_t woken = 0;
    cond_walk cw;
    cond_walk_begin(&cw, &t->done_cond);
    while (t->joiners.head) {
        usim_task *j = t->joiners.head;
        cond_walk_before(&cw, *(const uint64_t *)sched_wait_data(j));
        if (j != t->joiners.head)
            continue; /* a scope that fired woke j (it was in it) */
        loop_wake(j, 0);
        woken++;
    }
    return woken + cond_walk_end(&cw);
}

/* Runs in the ending task: joiners, scope, and a failure nobody catches. */
void task_on_done(usim_task *t)
{
    if (t->abandoned) /* before a change could reach its dead watches */
        scope_when_abandoned(t);
    wake_done(t);
    if (t->scope)
        scope_child_done(t);
    else if (t->failed && !t->sim->destroying)
        loop_failf(t->sim, "task '%s' failed: %s", t->name,
                   t->error ? t->error : "(no message)");
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

usim_task *usim_sim_spawn_ex(usim_sim *sim, usim_fn fn, void *arg, const char *name,
                             const usim_spawn_opts *opts)
{
    if (!sim) {
        usim_error(USIM_EINVAL, "usim_sim_spawn: simulation is NULL");
        return NULL;
    }
    if (sched_sim() == sim && sched_self())
        return usim_spawn_ex(fn, arg, name, opts);
    if (!sched_sim() && !sim->final)
        sched_here.setup = sim; /* the host is setting it up */
    return task_create(sim, fn, arg, name, opts, NULL, false);
}

usim_task *usim_sim_spawn(usim_sim *sim, usim_fn fn, void *arg, const char *name)
{
    return usim_sim_spawn_ex(sim, fn, arg, name, NULL);
}

usim_task *usim_spawn_ex(usim_fn fn, void *arg, const char *name,
                         const usim_spawn_opts *opts)
{
    usim_task *self = sched_require_task("usim_spawn");
    if (!self)
        return NULL;
    usim_task *t = task_create(self->sim, fn, arg, name, opts, NULL, false);
    if (t)
        sched_woke(1); /* spawning makes a task ready */
    return t;
}

usim_task *usim_spawn(usim_fn fn, void *arg, const char *name)
{
    return usim_spawn_ex(fn, arg, name, NULL);
}

int usim_join(usim_task *t, void **result)
{
    usim_task *self = sched_require_task("usim_join");
    if (!self)
        return USIM_ESTATE;
    if (!t)
        return usim_error(USIM_EINVAL, "usim_join: task is NULL");
    if (t == self)
        return usim_error(USIM_EINVAL, "usim_join: task '%s' cannot join itself",
                          t->name);
    if (t->detached)
        return usim_error(USIM_EINVAL, "usim_join: task '%s' is detached", t->name);
    int rc = sched_call_begin(self);
    if (rc != 0)
        return rc;
    if (task_finished(t)) {
        sched_op_end(0); /* μsim's `await task` of an ended task */
    } else {
        uint64_t stamp = cond_stamp(&t->done_cond);
        rc = loop_block(self, &t->joiners, NULL, "join of task", t->name, &stamp,
                        SCHED_NO_TIMEOUT);
        if (rc != 0)
            return rc;
    }
    assert(task_finished(t));
    if (result)
        *result = t->result;
    switch (usim_task_status(t)) {
    case USIM_TASK_FAILED:
        return USIM_EFAILED;
    case USIM_TASK_CANCELLED:
        return USIM_ECANCELED;
    default:
        return 0;
    }
}

void usim_detach(usim_task *t)
{
    if (!t || t->detached)
        return;
    t->detached = true;
    /* An ended task is freed now; its stack has already been released. */
    if (t->state == TASK_DONE && !t->co.stk.lo && !t->joiners.head &&
        !cond_source_busy(&t->done_cond))
        task_release(t);
}

usim_task *usim_self(void)
{
    return sched_self();
}

const char *usim_task_name(const usim_task *t)
{
    return t ? t->name : NULL;
}

bool usim_task_done(const usim_task *t)
{
    return t && task_finished(t);
}

usim_task_state usim_task_status(const usim_task *t)
{
    if (!t)
        return (usim_task_state)0;
    if (!task_finished(t))
        return t->co.started ? USIM_TASK_RUNNING : USIM_TASK_CREATED;
    if (t->failed || t->abandoned)
        return USIM_TASK_FAILED;
    if (t->body_skipped || t->cancel_seen || !t->co.started)
        return USIM_TASK_CANCELLED;
    return USIM_TASK_SUCCESS;
}

const char *usim_task_state_name(usim_task_state s)
{
    switch (s) {
    case USIM_TASK_CREATED:
        return "created";
    case USIM_TASK_RUNNING:
        return "running";
    case USIM_TASK_CANCELLED:
        return "cancelled";
    case USIM_TASK_FAILED:
        return "failed";
    case USIM_TASK_SUCCESS:
        return "success";
    default:
        return NULL;
    }
}

bool usim_task_cancelled(const usim_task *t)
{
    return t && t->cancelled;
}

const char *usim_task_error(const usim_task *t)
{
    return t ? t->error : NULL;
}

size_t task_cancel(usim_task *t)
{
    if (t->state == TASK_DONE || t->cancelled)
        return 0;
    t->cancelled = true;
    size_t woken = 0;
    if (!t->co.started) {
        /* It will never run: done now, for whoever waits for it. */
        woken = wake_done(t);
    } else if (t->state == TASK_BLOCKED) {
        t->cancel_seen = true; /* its wait returns USIM_ECANCELED */
        sched_wake(t, USIM_ECANCELED);
        woken = 1;
    }
    return woken;
}

void usim_cancel(usim_task *t)
{
    if (t)
        sched_woke(task_cancel(t));
}

bool usim_cancelled(void)
{
    usim_task *self = sched_self();
    if (!self || !self->cancelled)
        return false;
    self->cancel_seen = true; /* it has seen it: it ends cancelled */
    return true;
}

void usim_interrupt(usim_task *t, int cause)
{
    if (!t)
        return;
    sched_woke(sched_interrupt(t, cause));
}

int usim_cause(void)
{
    usim_task *self = sched_self();
    return self ? self->intr_cause : 0;
}

void usim_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = kernel_vasprintf(fmt, ap);
    va_end(ap);
    usim_task *self = sched_self();
    if (!self) {
        fail_catch_land(msg ? msg : fmt, msg);
        fprintf(stderr, "usim_fail called outside a running task: %s\n",
                msg ? msg : fmt);
        abort();
    }
    loop_failf(self->sim, "task '%s' failed at t=%.9g: %s", self->name, usim_now(),
               msg ? msg : fmt);
    if (msg) { /* its scope's failure list shows it */
        free(self->error);
        self->error = msg;
    }
    loop_abandon(self);
}

void *usim_task_fail(const char *fmt, ...)
{
    usim_task *self = sched_require_task("usim_task_fail");
    if (!self)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    char *msg = kernel_vasprintf(fmt, ap);
    va_end(ap);
    self->failed = true;
    free(self->error);
    self->error = msg;
    return NULL;
}

/* A task's end as a condition leaf: c->op is 1 for `task.done`, 0 for
 * `~task.done`. */
static const char *done_leaf_check(const usim_cond *c, bool neg)
{
    (void)neg;
    const usim_task *t = c->obj;
    if (!t)
        return "a task part names no task";
    if (t->detached)
        return "a task part names a detached task";
    return NULL;
}

static bool done_leaf_holds(const usim_cond *c)
{
    return task_finished(c->obj) == (c->op != 0);
}

static usim_cond_source *done_leaf_source(const usim_cond *c)
{
    return &((usim_task *)c->obj)->done_cond;
}

static const struct usim_cond_ops done_leaf_ops = {
    .kind = "task",
    .check = done_leaf_check,
    .holds = done_leaf_holds,
    .source = done_leaf_source,
};

usim_cond usim_cond_done(usim_task *t, bool done)
{
    return (usim_cond){.ops = &done_leaf_ops, .obj = t, .op = done};
}
