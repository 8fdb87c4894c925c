/*
 * sim.h — the simulation record, and the kernel-internal functions of
 * the files that have no header of their own (task.c, scope.c, sim.c,
 * time.c).  The event loop's interface is loop.h; the event queue
 * (heap.h) and the ready ring (ring.h) are touched only by loop.c.
 */
#ifndef USIM_KERNEL_SIM_H
#define USIM_KERNEL_SIM_H

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/drift.h"
#include "kernel/heap.h"
#include "kernel/report.h"
#include "kernel/ring.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "kernel/warmup.h"
#include "usim.h"

struct usim_sim {
    usim_config cfg;
    /* Ticks to time: ticks / time_div * time_mul, one of them 1 (see
     * sim_time). */
    double time_div, time_mul;
    int64_t now;
    usim_status status;
    bool final;      /* status can no longer change */
    bool destroying; /* usim_sim_destroy is unwinding the tasks */
    char *error;
    char *setup_error; /* a mistake made while it was being set up */

    heap timers;
    size_t stale_timers; /* heap entries whose task no longer waits for them */
    ready_ring ready;
    uint64_t events;
    coro *loop_ctx; /* context running loop_run / loop_unwind_all */
    int64_t until;  /* of the current loop_run */
    /* The event count at which the loop checks budgets; 0 once the run
     * is final or being destroyed (loop_set_final, loop_unwind_all), so
     * that one test, events < check_at, tells every shortcut that the
     * loop has nothing to decide. */
    uint64_t check_at;
    uint64_t order_state; /* splitmix64 state for USIM_ORDER_RANDOM */

    usim_task *all; /* every task not yet freed (list.h, TASK_ALL_LINK) */
    size_t live;    /* tasks not DONE */

    drift_registry drift;
    warmup_state warmup;    /* warmup.c; the loop stops for it (loop.c) */
    report_blocked blocked; /* the deadlock report */

    void *userdata;
    void *observe;
    void (*observe_free)(void *);
};

/* Ticks (whole, or a sum of them) as model time (usim_now's rule):
 * divided by the whole number of ticks per unit when there is one, so
 * whole units read exactly (time_mul is then 1); else multiplied by the
 * resolution (time_div is 1).  Both steps are exact when their operand is
 * 1, so no branch is needed. */
static inline double sim_time(const usim_sim *sim, double ticks)
{
    return ticks / sim->time_div * sim->time_mul;
}

/* task.c */
usim_task *task_create(usim_sim *sim, usim_fn fn, void *arg, const char *name,
                       const usim_spawn_opts *opts, usim_scope *scope, bool vol);
void task_free(usim_task *t);    /* unlinks from the sim and frees */
void task_release(usim_task *t); /* task_free once no timer names it */
void task_on_done(usim_task *t); /* joiners, scope, failure propagation */
/* Cancels t (not the running task's turn point: the caller ends with
 * sched_woke of the result): a blocked task is woken with
 * USIM_ECANCELED, one not yet started is done at once and its joiners
 * are woken.  Returns how many tasks were made ready. */
size_t task_cancel(usim_task *t);
/* Ended, or cancelled before it started (then it never runs). */
static inline bool task_finished(const usim_task *t)
{
    return t->state == TASK_DONE || (t->cancelled && !t->co.started);
}

/* time.c */
/* The deadline of the task's innermost scope, SCHED_NO_TIMEOUT if none
 * (kept in the task: every blocking call reads it). */
static inline int64_t time_deadline(const usim_task *t)
{
    assert(t->deadline == (t->scope_top ? t->scope_top->deadline : SCHED_NO_TIMEOUT));
    return t->deadline;
}

/* t's innermost open scope becomes s (NULL: none). */
static inline void task_set_scope_top(usim_task *t, usim_scope *s)
{
    t->scope_top = s;
    t->deadline = s ? s->deadline : SCHED_NO_TIMEOUT;
    t->deadline_set = t->deadline != SCHED_NO_TIMEOUT;
}

/* scope.c */
void scope_child_done(usim_task *t);
/* A scope's invariants (debug builds call it after each change): its
 * children are linked consistently, point back at it, and number
 * live + live_volatile unless they are ending; its deadline is within the
 * enclosing scope's. */
bool scope_valid(const usim_scope *s);

/* sim.c */
/* 0, or USIM_EINVAL naming `what` if size is outside USIM_STACK_MIN ..
 * USIM_STACK_MAX. */
int sim_check_stack_size(size_t size, const char *what);
char *kernel_strdup(const char *s);
char *kernel_vasprintf(const char *fmt, va_list ap);

#endif
