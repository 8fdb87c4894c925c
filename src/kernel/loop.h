/*
 * loop.h — the event loop as the rest of the kernel sees it: making tasks
 * ready, blocking and waking them, switching, failing, running and
 * unwinding a simulation.  The ready ring and the event queue behind
 * these are loop.c's alone.
 */
#ifndef USIM_KERNEL_LOOP_H
#define USIM_KERNEL_LOOP_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/ring.h"
#include "kernel/sim.h"

void loop_fail(usim_sim *sim, const char *msg);
void loop_failf(usim_sim *sim, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Puts t (not DONE) at the back of the ready ring; USIM_ENOMEM (and the
 * run fails) if the ring cannot grow. */
static inline int loop_make_ready(usim_sim *sim, usim_task *t)
{
    assert(t->state != TASK_DONE);
    t->state = TASK_READY;
    if (__builtin_expect(ring_push(&sim->ready, t) != 0, 0)) {
        loop_fail(sim, "out of memory growing the ready ring");
        return USIM_ENOMEM;
    }
    return 0;
}

/* t no longer waits for its timer: the heap entry becomes stale. */
static inline void loop_drop_timer(usim_sim *sim, usim_task *t)
{
    if (t->timer_seq) {
        t->timer_seq = 0;
        sim->stale_timers++;
    }
}

/* Takes t (blocked) off its wait list, if it is on one. */
static inline void loop_unlink_waiter(usim_task *t)
{
    usim_waitlist *wl = t->wl;
    if (!wl)
        return;
    list_remove(&wl->head, &wl->tail, TASK_WAIT_LINK, t);
    t->wl = NULL;
}

/* sched_wake (sched.h) inline, for the kernel's own wake-ups of task
 * ends and conditions.  Keeping them off sched_wake lets the compiler
 * keep its copy specialised for the primitives' hot `rc = 0` wake-ups
 * (with them, tests/bench/mm1 took 0.2 instructions more per customer). */
static inline void loop_wake(usim_task *t, int rc)
{
    assert(t->state == TASK_BLOCKED);
    loop_unlink_waiter(t);
    loop_drop_timer(t->sim, t);
    t->wake_rc = rc;
    loop_make_ready(t->sim, t);
}
/* Stale timers are compacted only beyond this many (loop.c). */
#define LOOP_STALE_MIN 1024

/* False once a budget is due to be checked, the run is final or it is
 * being destroyed: then the loop decides what runs next, and no
 * shortcut may pass it by.  One comparison, since check_at is 0 in the
 * last two cases (sim.h). */
static inline bool loop_nothing_to_decide(const usim_sim *sim)
{
    assert(!(sim->final || sim->destroying) || sim->check_at == 0);
    return sim->events < sim->check_at;
}

/* True if a task sleeping until `at` would be the next to run: nothing
 * is ready, no live or stale timer is due by `at` (an equal time was set
 * earlier and goes first), `at` is within the run, and the loop has
 * nothing to decide before then (see pick_next in loop.c).  Here rather
 * than in loop.c for loop_sleep_fast. */
static inline bool loop_sleeper_is_next(const usim_sim *sim, int64_t at)
{
    const heap *h = &sim->timers;
    return sim->ready.n == 0 && (heap_size(h) == 0 || heap_top_time(h) > at) &&
           at <= sim->until && loop_nothing_to_decide(sim);
}

/* The ticks below which usim_sleep's fast paths run (time.c): ending
 * there, a sleep is far from the end of the int64 tick range. */
#define LOOP_SLEEP_FAST_MAX (INT64_C(1) << 61)

void loop_switch_out(usim_task *self); /* to the next task; returns when resumed */
void loop_finish_task(usim_task *self) __attribute__((noreturn));
void loop_abandon(usim_task *self) __attribute__((noreturn));
/* sched_block (sched.h) for a task known to be running: a wait inside a
 * call already under way (entry checks, no new call). */
int loop_block(usim_task *self, usim_waitlist *wl, usim_task *before, const char *kind,
               const char *name, void *data, int64_t wake_tick);
/* Blocks until tick wake_tick (a sleep or delay of `requested` time
 * units; a wake_tick that is now is usim_instant) and records the wait's
 * drift if it completes; any other end resets the task's tracked-drift
 * carry.  The start of a blocking call. */
int loop_timed_wait(usim_task *self, int64_t wake_tick, double requested);
/* loop_timed_wait(self, at, d) for a task with no flag of `slow`
 * (usim_sleep's fast path, below), at > now, at most
 * LOOP_SLEEP_FAST_MAX, when no compaction is due, nothing is ready and
 * the heap's top is due by `at`. */
int loop_sleep_handover(usim_task *self, int64_t at, double d);
/* The same when other tasks are ready (no compaction due): the next of
 * them runs. */
int loop_sleep_behind_ready(usim_task *self, int64_t at, double d);
/* The same for usim_sleep_until: SCHED_NO_TIMEOUT waits forever, and
 * `hop` adds μsim's trigger hop (musim) to a wait that took time. */
int loop_wait_until(usim_task *self, int64_t wake_tick, double requested, bool hop);
/* μsim's trigger hop (musim) after a wait for a time that has come: the
 * waiter took the trigger's turn and resumes one turn later; the codes
 * of stop checks (cancellation, a failed child, an interrupt) instead. */
int loop_trigger_hop(usim_task *self);
/* A delayed start's wait for its start tick (not a call of the task's). */
int loop_start_wait(usim_task *self, int64_t start_tick);
/* usim_instant: the blocking-call checks, then a turn that always yields.
 * The start of a blocking call. */
int loop_instant(usim_task *self);
/* The same checks and turn inside a call already under way. */
int loop_postpone_checked(usim_task *self);
/* The turn alone: to the back of the ready ring, no checks. */
void loop_postpone(usim_task *self);
int loop_block_uncancellable(usim_task *self, usim_waitlist *wl, const char *kind,
                             const char *name);
/* The slow path of sched_call_begin: a usim_timeout set before becomes
 * this call's deadline (and an older one is dropped); USIM_ECANCELED for a
 * cancelled task (counted against the spin limit).  Kernel calls that do
 * not start with loop_timed_wait or loop_instant call sched_call_begin
 * first, then wait with loop_block. */
int loop_call_begin(usim_task *self);
/* The part of loop_call_begin that concerns usim_timeout, alone (for
 * usim_scope_close, which must close whatever the task's state). */
void loop_timeout_begins(usim_task *self);
/* Records that a call of self returns USIM_ECANCELED; returns that. */
int loop_cancel_seen(usim_task *self);
/* usim_sleep's fast path (time.c) for a task with no flag of `slow`
 * sleeping until tick `at`, now < at <= LOOP_SLEEP_FAST_MAX: what
 * loop_timed_wait(self, at, d) does, where its entry checks pass (no flag
 * set: the deadline is SCHED_NO_TIMEOUT) and the wait does not end now.
 * Inline, the case where nothing can happen before `at` (no compaction
 * is due, and block_common takes its sleeper_is_next branch): the clock
 * moves there, the event counts, and it returns true for the caller to
 * record the drift.  Otherwise it returns false, with *rc what
 * loop_timed_wait returns, drift recorded: through
 * loop_sleep_behind_ready when other tasks are ready (the sleeper woke
 * one), loop_sleep_handover when the heap's top is due first, or
 * loop_timed_wait itself otherwise (a compaction due, `at` past the end). */
static inline bool loop_sleep_fast(usim_task *self, usim_sim *sim, int64_t at, double d,
                                   int *rc)
{
    if (__builtin_expect(sim->stale_timers <= LOOP_STALE_MIN, 1)) {
        if (__builtin_expect(sim->ready.n != 0, 0)) {
            *rc = loop_sleep_behind_ready(self, at, d);
            return false;
        }
        const heap *h = &sim->timers;
        if (heap_size(h) && heap_top_time(h) <= at) {
            *rc = loop_sleep_handover(self, at, d);
            return false;
        }
        if (__builtin_expect(at <= sim->until && loop_nothing_to_decide(sim), 1)) {
            assert(loop_sleeper_is_next(sim, at));
            sim->now = at;
            sim->events++;
            return true;
        }
    }
    *rc = loop_timed_wait(self, at, d);
    return false;
}

usim_status loop_run(usim_sim *sim, int64_t until);
void loop_unwind_all(usim_sim *sim);
void loop_release(usim_sim *sim); /* the tasks' stacks */
/* Control left the running task of `sim` by a non-local jump (a test
 * framework's failed assertion longjmps from inside a task back to the
 * caller of usim_sim_run): the thread still names `sim` as running.
 * Abandons that task (its stack is not unwound), fails the run and frees
 * the thread, so `sim` can be destroyed and other simulations run.  Call
 * it on the stack that called usim_sim_run; a no-op if `sim` is not
 * running on this thread. */
void loop_escaped(usim_sim *sim);
/* Ends the run USIM_FAILED (or the other final status) with msg, which
 * it owns from then on. */
void loop_set_final(usim_sim *sim, usim_status st, char *msg);

#endif
