/*
 * sim.h — the simulation record and the pieces of the loop shared by the
 * kernel's files.  The event queue (heap.c) and the ready ring are touched
 * only by loop.c; the API files (task.c, time.c, scope.c) go through the
 * loop_* functions below.
 */
#ifndef USIM_KERNEL_SIM_H
#define USIM_KERNEL_SIM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/heap.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "usim.h"

/* FIFO of ready tasks: a power-of-two ring that grows. */
typedef struct ready_ring {
    usim_task **v;
    size_t mask, head, n;
} ready_ring;

typedef struct drift_group {
    char name[TASK_NAME_MAX];
    drift_acc acc;
} drift_group;

typedef struct blocked_entry {
    char *task;
    char *what;
} blocked_entry;

struct usim_sim {
    usim_config cfg;
    int64_t now;
    usim_status status;
    bool final;      /* status can no longer change */
    bool destroying; /* usim_sim_destroy is unwinding the tasks */
    char *error;

    heap timers;
    size_t stale_timers;
    ready_ring ready;
    uint64_t events;
    coro *loop_ctx;       /* context running loop_run / loop_unwind_all */
    int64_t until;        /* of the current loop_run */
    uint64_t check_at;    /* event count at which the loop checks budgets */
    uint64_t order_state; /* splitmix64 state for USIM_ORDER_RANDOM */

    usim_task *all; /* every task not yet freed */
    size_t live;    /* tasks not DONE */

    drift_group *groups; /* sums of freed tasks, by name */
    size_t ngroups, cap_groups;
    drift_group *view; /* groups + live tasks, see drift_view */
    uint64_t view_events;
    size_t view_n;
    int *group_index; /* open-addressing hash of group names */
    size_t cap_index;

    blocked_entry *blocked;
    size_t nblocked;

    void *userdata;
    void *observe;
    void (*observe_free)(void *);
};

/* loop.c */
int loop_make_ready(usim_sim *sim, usim_task *t);
void loop_switch_out(usim_task *self); /* to the loop; returns when resumed */
void loop_finish_task(usim_task *self) __attribute__((noreturn));
void loop_abandon(usim_task *self) __attribute__((noreturn));
int loop_block(usim_task *self, usim_waitlist *wl, usim_task *before, const char *kind,
               const char *name, void *data, int64_t wake_tick);
void loop_fail(usim_sim *sim, const char *msg);
void loop_failf(usim_sim *sim, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* loop_block without a wait list, for timed waits. */
/* Blocks until tick wake_tick (a sleep, delay or absolute wait of
 * `requested` time units) and records the wait's drift if it completes;
 * any other end resets the task's tracked-drift carry. */
int loop_timed_wait(usim_task *self, int64_t wake_tick, double requested);
/* usim_instant: the blocking-call checks, then a turn that always yields. */
int loop_instant(usim_task *self);
int loop_block_uncancellable(usim_task *self, usim_waitlist *wl, const char *kind,
                             const char *name);
usim_status loop_run(usim_sim *sim, int64_t until);
void loop_unwind_all(usim_sim *sim);
void loop_release(usim_sim *sim); /* stacks, timers, ready ring */
/* Control left the running task of `sim` by a non-local jump (a test
 * framework's failed assertion longjmps from inside a task back to the
 * caller of usim_sim_run): the thread still names `sim` as running.
 * Abandons that task (its stack is not unwound), fails the run and frees
 * the thread, so `sim` can be destroyed and other simulations run.  Call
 * it on the stack that called usim_sim_run; a no-op if `sim` is not
 * running on this thread. */
void loop_escaped(usim_sim *sim);

/* task.c */
usim_task *task_create(usim_sim *sim, usim_fn fn, void *arg, const char *name,
                       const usim_spawn_opts *opts, usim_scope *scope, bool vol);
void task_free(usim_task *t);    /* unlinks from the sim and frees */
void task_release(usim_task *t); /* task_free once no timer names it */
void task_on_done(usim_task *t); /* joiners, scope, failure propagation */

/* time.c */
/* The deadline of the task's innermost scope, SCHED_NO_TIMEOUT if none. */
static inline int64_t time_deadline(const usim_task *t)
{
    return t->scope_top ? t->scope_top->deadline : SCHED_NO_TIMEOUT;
}
void drift_fold(usim_task *t); /* into its name group, as it is freed */

/* scope.c */
void scope_child_done(usim_task *t);

/* sim.c */
/* 0, or USIM_EINVAL naming `what` if size is outside USIM_STACK_MIN ..
 * USIM_STACK_MAX. */
int sim_check_stack_size(size_t size, const char *what);
int sim_drift_group(usim_sim *sim, const char *name); /* index, or -1 (no memory) */

static inline void acc_add(drift_acc *a, double requested, double actual, bool overrun)
{
    double d = fabs(actual - requested);
    a->waits++;
    a->requested += requested;
    a->actual += actual;
    a->sum_abs += d;
    if (d > a->max_abs)
        a->max_abs = d;
    a->overruns += overrun;
}

/* Only the task's own sums are updated per wait; its name group gets them
 * when the task is freed (drift_fold) or when the groups are read
 * (drift_view).  The group itself is registered at the first wait, so
 * groups keep the order in which names first waited. */
static inline void drift_record(usim_task *t, double requested, double actual,
                                bool overrun)
{
    acc_add(&t->drift, requested, actual, overrun);
    if (t->drift_group < 0)
        t->drift_group = sim_drift_group(t->sim, t->name);
}
char *kernel_strdup(const char *s);
char *kernel_vasprintf(const char *fmt, va_list ap);

#endif
