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
 * (inside usim_sim_run or usim_sim_destroy), the task on the CPU, and the
 * simulation being set up (created or spawned into from the host, not yet
 * run: see usim_sim_run), whose first run a misplaced call fails. */
typedef struct sched_tls {
    usim_sim *sim;
    usim_task *task;
    usim_sim *setup;
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
 * "FN: called outside a running task" (for USIM_ESTATE), which also fails
 * the first run of the simulation being set up on this thread. */
usim_task *sched_outside_task(const char *fn); /* the error path */

static inline usim_task *sched_require_task(const char *fn)
{
    usim_task *self = sched_here.task;
    return __builtin_expect(self != 0, 1) ? self : sched_outside_task(fn);
}

/* Keeps msg (the first one only) to fail the first run of the simulation
 * being set up on this thread, if there is one. */
void sched_setup_mistake(const char *msg);

/* A mistake the model must hear of (a call on a destroyed primitive):
 * inside a running task the run fails with msg and this does not return;
 * outside, usim_errmsg() gets msg, the simulation being set up (if any)
 * will fail its run with it, and this returns USIM_EINVAL. */
int sched_misuse(const char *msg);

/* A statistic just initialised (a level): while the warm-up of the
 * simulation running or being set up on this thread is pending,
 * reset(stat, t) runs at the warm-up time t (warmup.c).  Forget drops it
 * (a primitive destroyed before the warm-up). */
void kernel_stat_register(void *stat, void (*reset)(void *stat, double t));
void kernel_stat_forget(void *stat);

/* True if t has been cancelled. */
bool sched_cancelled(const usim_task *t);

/* True if nothing asks t's blocking calls to take their general path
 * (cancellation, interrupts, timeouts, a failed child, the musim order):
 * the primitives' inline fast paths may then complete them. */
bool sched_fast(const usim_task *t);

/* The start of a blocking call: 0, or USIM_ECANCELED for a cancelled
 * task (cancellation is sticky: it wins even when the call could
 * complete at once).  A deadline set by usim_timeout applies from here to
 * the end of this call. */
int sched_call_begin(usim_task *self);

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
 * from its wait list and drops its timer.  Does not switch: the call that
 * woke it ends with one of the turn-order hooks below. */
void sched_wake(usim_task *t, int rc);

/*
 * Turn order: the one place where the orders differ.  A primitive tells
 * the kernel what kind of step it has just taken; the kernel applies the
 * simulation's order (no-ops outside tasks):
 *
 *                       fifo, random       lifo        musim
 *   sched_op_end(n)     a turn if n > 0    continues   a postpone
 *   sched_op_ready()    a turn             continues   a postpone
 *   sched_woke(n)       a turn if n > 0    continues   continues
 *
 * A turn: fifo puts the caller behind every ready task, random draws the
 * next task from the ready ones (the caller included).  A postpone puts
 * the caller at the back of the ready tasks, whether or not it woke any.
 *
 * sched_op_end: an operation that μsim awaits has completed and made n
 * tasks ready: a flag or tracked set, a queue put, a get that found its
 * item, a channel send, a close, a container put or get, a join of an
 * ended task.  It is called whether or not the operation changed
 * anything (a set to the same value: n = 0), and after a wait too when
 * the μsim operation waits first and then acts (a container get).
 *
 * sched_op_ready: a wait on a condition that already holds at entry
 * (usim_flag_wait_true of a true flag).  0, or USIM_ECANCELED if the task
 * is cancelled (before or after the turn).  Under musim the caller must
 * then check the condition again (sched_rechecks).
 *
 * sched_woke: a call that μsim does not await made n tasks ready: a
 * spawn, a cancel, an interrupt, a lock release, a try_ call, a waiter
 * leaving a wait list and letting the ones behind it through.
 *
 * A new primitive's wait for a condition then reads (μsim's Condition):
 *
 *     rc = sync_begin(fn);                     (sync.h)
 *     if (rc) return rc;
 *     if (holds(x)) {
 *         rc = sched_op_ready();
 *         if (rc || !sched_rechecks() || holds(x)) return rc;
 *     }
 *     do rc = sched_block(&x->waiters, ...);
 *     while (rc == 0 && sched_rechecks() && !holds(x));
 *
 * and an operation ends with sched_op_end(woken), also when it changed
 * nothing.  The kernel's own calls follow the same table (usim_join of an
 * ended task is an operation end; a spawn wakes one); two have musim
 * paths of their own: usim_sleep_until (μsim's trigger hop, loop.c) and
 * usim_scope_close (μsim's wait for each child, scope.c).
 */
void sched_op_end(size_t woken);
int sched_op_ready(void);
void sched_woke(size_t woken);

/* True if a woken waiter must check its condition again when it runs and
 * wait again if it no longer holds (musim: μsim's Condition rule);
 * otherwise the wake-up itself is the answer.  False outside tasks. */
bool sched_rechecks(void);

/* The waiter record of a blocked task, as passed to sched_block(). */
void *sched_wait_data(const usim_task *t);

/* Interrupts `t` with USIM_EINTR and `cause` (see usim_interrupt), without
 * a turn point (the caller ends with sched_woke); returns true if t was
 * blocked and has been woken. */
bool sched_interrupt(usim_task *t, int cause);

/* Wait lists (FIFO, linked through the tasks: kernel/list.h). */
static inline bool waitlist_empty(const usim_waitlist *wl)
{
    return wl->head == 0;
}
usim_task *waitlist_next(const usim_task *t); /* following waiter or NULL */
size_t waitlist_length(const usim_waitlist *wl);

/* Ticks of `sim` as model time units (see usim_now). */
double sched_ticks_to_time(const usim_sim *sim, int64_t ticks);

/* Ends the run as failed from inside a task (usim_fail with a prepared
 * message); does not return. */
__attribute__((noreturn)) void sched_fail(const char *msg);

#endif
