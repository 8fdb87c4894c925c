/*
 * sched.c — the kernel's interface to the primitives (see sched.h):
 * blocking on and waking from wait lists, the turn orders' decisions,
 * interrupts, mistakes, and the thread's one piece of global state, the
 * running simulation and task.  The ready ring and the timers behind
 * these are the loop's (loop.h).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/loop.h"
#include "kernel/sched.h"

_Thread_local sched_tls sched_here __attribute__((tls_model("initial-exec")));

void sched_setup_mistake(const char *msg)
{
    usim_sim *sim = sched_here.setup;
    if (sim && !sim->setup_error)
        sim->setup_error = kernel_strdup(msg);
}

usim_task *sched_outside_task(const char *fn)
{
    usim_error(USIM_ESTATE, "%s: called outside a running task", fn);
    sched_setup_mistake(usim_errmsg());
    return NULL;
}

int sched_misuse(const char *msg)
{
    if (sched_self())
        sched_fail(msg);
    usim_error(USIM_EINVAL, "%s", msg);
    sched_setup_mistake(msg);
    return USIM_EINVAL;
}

bool sched_cancelled(const usim_task *t)
{
    return t->cancelled;
}

bool sched_fast(const usim_task *t)
{
    return (t->slow & TASK_CALL_SLOW) == 0;
}

int sched_call_begin(usim_task *self)
{
    if (__builtin_expect((self->slow & TASK_CALL_SLOW) == 0, 1))
        return 0;
    return loop_call_begin(self);
}

int sched_block(usim_waitlist *wl, usim_task *before, const char *kind,
                const char *name, void *data, int64_t wake_tick)
{
    usim_task *self = sched_self();
    assert(self);
    return loop_block(self, wl, before, kind, name, data, wake_tick);
}

void sched_wake(usim_task *t, int rc)
{
    assert(t->state == TASK_BLOCKED);
    usim_sim *sim = t->sim;
    loop_unlink_waiter(t);
    loop_drop_timer(sim, t);
    t->wake_rc = rc;
    loop_make_ready(sim, t);
}

/* The caller goes to the back of the ready ring; fifo and musim then run
 * the head, random draws. */
static void yield(usim_task *self)
{
    loop_postpone(self);
}

void sched_op_end(size_t woken)
{
    usim_task *self = sched_self();
    if (!self)
        return;
    usim_order o = self->sim->cfg.order;
    if (o == USIM_ORDER_MUSIM || (woken > 0 && o != USIM_ORDER_LIFO))
        yield(self);
}

int sched_op_ready(void)
{
    usim_task *self = sched_self();
    assert(self);
    if (self->cancelled)
        return loop_cancel_seen(self);
    if (self->sim->cfg.order != USIM_ORDER_LIFO)
        yield(self);
    return self->cancelled ? loop_cancel_seen(self) : 0;
}

void sched_woke(size_t woken)
{
    usim_task *self = sched_self();
    if (!self || woken == 0)
        return;
    usim_order o = self->sim->cfg.order;
    if (o == USIM_ORDER_FIFO || o == USIM_ORDER_RANDOM)
        yield(self);
}

bool sched_rechecks(void)
{
    usim_task *self = sched_self();
    return self && self->musim;
}

void *sched_wait_data(const usim_task *t)
{
    return t->wait_data;
}

bool sched_interrupt(usim_task *t, int cause)
{
    if (t->state == TASK_DONE)
        return false;
    t->intr_cause = cause;
    if (t->state == TASK_BLOCKED) {
        t->carry_valid = false;
        sched_wake(t, USIM_EINTR);
        return true;
    }
    t->intr_pending = true;
    return false;
}

usim_task *waitlist_next(const usim_task *t)
{
    return list_next(t, TASK_WAIT_LINK);
}

size_t waitlist_length(const usim_waitlist *wl)
{
    size_t n = 0;
    for (usim_task *t = wl->head; t; t = list_next(t, TASK_WAIT_LINK))
        n++;
    return n;
}

double sched_ticks_to_time(const usim_sim *sim, int64_t ticks)
{
    return sim_time(sim, ticks);
}

void sched_fail(const char *msg)
{
    usim_task *self = sched_self();
    if (!self) {
        fprintf(stderr, "usim: run failure outside a running task: %s\n", msg);
        abort();
    }
    loop_fail(self->sim, msg);
    loop_abandon(self);
}
