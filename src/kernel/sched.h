/*
 * sched.h — what the primitives (src/sync) may use of the kernel; the
 * observation layer has kernel/service.h.  The primitives never touch
 * the event queue, the ready ring or the task record: they block the
 * running task on a wait list and wake tasks from wait lists, and the
 * kernel does the rest (timers for deadlines, cancellation, interrupts,
 * turn order, deadlock reports).
 *
 * A wait list (usim_waitlist, public so that primitives can embed it) is a
 * FIFO of blocked tasks linked through the tasks themselves: blocking
 * allocates nothing.  Each blocked task carries a pointer to a record the
 * primitive keeps on that task's stack (the amount it asks for, the slot
 * for the item it will receive, ...), reachable with sched_wait_data().
 */
#ifndef USIM_KERNEL_SCHED_H
#define USIM_KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "usim.h"

#define SCHED_NO_TIMEOUT INT64_MAX

/* The kernel's one thread-local: the simulation running on this thread
 * (inside usim_sim_run or usim_sim_destroy) and the task on the CPU. */
typedef struct sched_tls {
    usim_sim *sim;
    usim_task *task;
} sched_tls;

extern _Thread_local sched_tls sched_here __attribute__((tls_model("initial-exec")));

/* The task running on this thread, or NULL outside any task. */
static inline usim_task *sched_self(void)
{
    return sched_here.task;
}

/* The simulation running on this thread, or NULL. */
static inline usim_sim *sched_sim(void)
{
    return sched_here.sim;
}

/* The running task; outside one, NULL after setting usim_errmsg() to
 * "FN: called outside a running task" (for USIM_ESTATE). */
usim_task *sched_outside_task(const char *fn); /* the error path */

static inline usim_task *sched_require_task(const char *fn)
{
    usim_task *self = sched_here.task;
    return __builtin_expect(self != 0, 1) ? self : sched_outside_task(fn);
}

/* True if t has been cancelled. */
bool sched_cancelled(const usim_task *t);

/*
 * Blocks the running task on `wl` until a sched_wake() (returns the code
 * given there), a cancellation (USIM_ECANCELED), an interrupt (USIM_EINTR),
 * the scope deadline (USIM_ETIMEDOUT) or tick `wake_tick` (returns 0;
 * SCHED_NO_TIMEOUT for none).  `wl` may be NULL for a pure timed wait.
 *
 * If the task is already cancelled, has an interrupt pending or its
 * deadline has passed, returns that code at once without blocking.
 * The task is inserted before `before` (a task on wl), or at the tail if
 * `before` is NULL.  `kind` and `name` describe the wait for deadlock
 * reports ("flag", "door" -> "flag 'door'"); `data` is the waiter record.
 * On every return the task is no longer on `wl`.
 *
 * Must be called from a running task (check sched_self() first; primitives
 * return USIM_ESTATE with a message outside tasks).
 */
int sched_block(usim_waitlist *wl, usim_task *before, const char *kind,
                const char *name, void *data, int64_t wake_tick);

/* Makes a blocked task ready; its sched_block() returns `rc`.  Removes it
 * from its wait list and drops its timer.  Does not switch: call
 * sched_turn() afterwards if at least one task was woken. */
void sched_wake(usim_task *t, int rc);

/* A turn point: applies the simulation's order (fifo: the caller goes
 * behind every ready task; lifo: it continues; random: the next task is
 * drawn from the ready ones, the caller included).  No-op outside tasks. */
void sched_turn(void);

/* The waiter record of a blocked task, as passed to sched_block(). */
void *sched_wait_data(const usim_task *t);

/* Interrupts `t` with USIM_EINTR and `cause` (see usim_interrupt), without
 * a turn point; returns true if t was blocked and has been woken. */
bool sched_interrupt(usim_task *t, int cause);

/* Wait lists (FIFO, linked through the tasks: kernel/list.h). */
static inline bool waitlist_empty(const usim_waitlist *wl)
{
    return wl->head == 0;
}
usim_task *waitlist_next(const usim_task *t); /* following waiter or NULL */
size_t waitlist_length(const usim_waitlist *wl);

/* Ticks of `sim` as model time units. */
double sched_ticks_to_time(const usim_sim *sim, int64_t ticks);

/* Ends the run as failed from inside a task (usim_fail with a prepared
 * message); does not return. */
__attribute__((noreturn)) void sched_fail(const char *msg);

#endif
