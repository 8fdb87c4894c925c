/*
 * loop.c — the event loop: timers, dispatch, blocking and waking.  This
 * is the only file that touches the event queue (through heap.h) and the
 * ready ring (ring.h); the API files (task.c, time.c, scope.c) and the
 * primitives (through sched.c) come here to block, wake and switch.
 *
 * Control flow: usim_sim_run() runs loop_run() on the host's stack.  It
 * resumes a ready task; a task runs until it blocks, reaches a turn point
 * or ends.  A task that blocks or yields picks its successor itself and
 * switches to it directly (pick_next), which saves a switch pair per
 * event; it hands control back to the loop only when the loop must decide
 * (nothing is runnable before `until`, a budget check is due, the run has
 * ended).  A task that ends always returns to the loop, which releases its
 * stack.  When no task is ready, time advances to the earliest timer and
 * every timer due at that tick is made ready, in the order the timers
 * were set.
 *
 * Two shortcuts of a timed wait (block_common) give exactly what that
 * general path would: a sleeper whose wake-up is the next event just moves
 * the clock and goes on (no heap, no switch), and a timed wait that is not
 * next swaps its timer for the heap's top in one sift and switches to that
 * timer's task.  A lone due timer skips the ready ring.
 *
 * Timers are removed lazily: a task remembers the seq of its one live
 * timer (timer_seq); a heap entry whose seq differs is stale and skipped.
 * A task is not freed while stale entries still point at it (timer_refs).
 * Debug builds check that bookkeeping at every turn (timers_valid).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/drift.h"
#include "kernel/loop.h"
#include "kernel/report.h"

enum {
    CANCEL_SPIN_LIMIT = 100000, /* blocking calls ignoring ECANCELED */
    TIMERS_CHECK_MAX = 64,      /* timers_valid: heap entries and tasks */
};

/* ------------------------------------------------------------------ */
/* Failure                                                             */
/* ------------------------------------------------------------------ */

void loop_set_final(usim_sim *sim, usim_status st, char *msg)
{
    sim->status = st;
    sim->final = true;
    sim->check_at = 0; /* loop_nothing_to_decide */
    free(sim->error);
    sim->error = msg;
}

void loop_fail(usim_sim *sim, const char *msg)
{
    if (sim->final || sim->destroying)
        return;
    loop_set_final(sim, USIM_FAILED, kernel_strdup(msg));
}

void loop_failf(usim_sim *sim, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = kernel_vasprintf(fmt, ap);
    va_end(ap);
    loop_fail(sim, msg ? msg : fmt);
    free(msg);
}

/* ------------------------------------------------------------------ */
/* Invariants (debug builds)                                           */
/* ------------------------------------------------------------------ */

/* The timer bookkeeping agrees with the heap: each entry names a task
 * that counts it in timer_refs, a task has at most one live entry (the
 * one whose seq is its timer_seq) and has it if timer_seq is set, and
 * the stale entries number stale_timers.  O(entries * tasks): only for
 * heaps and task lists of at most TIMERS_CHECK_MAX. */
static __attribute__((unused)) bool timers_valid(const usim_sim *sim)
{
    const heap *h = &sim->timers;
    size_t n = heap_size(h);
    if (n > TIMERS_CHECK_MAX)
        return true;
    size_t stale = 0;
    for (size_t i = 0; i < n; i++) {
        heap_entry e = heap_at(h, i);
        stale += ((const usim_task *)e.obj)->timer_seq != e.seq;
    }
    if (stale != sim->stale_timers)
        return false;
    size_t tasks = 0;
    for (const usim_task *t = sim->all; t; t = list_next(t, TASK_ALL_LINK)) {
        if (++tasks > TIMERS_CHECK_MAX)
            return true;
        unsigned refs = 0, live = 0;
        for (size_t i = 0; i < n; i++) {
            heap_entry e = heap_at(h, i);
            if (e.obj == t) {
                refs++;
                live += e.seq == t->timer_seq;
            }
        }
        if (refs != t->timer_refs || live != (t->timer_seq != 0))
            return false;
    }
    return true;
}

/* Every task on wl (the first LIST_CHECK_WALK of them) says it is on wl. */
static __attribute__((unused)) bool waitlist_valid(const usim_waitlist *wl)
{
    size_t n = 0;
    for (const usim_task *t = wl->head; t && n < LIST_CHECK_WALK;
         t = list_next(t, TASK_WAIT_LINK), n++)
        if (t->wl != wl)
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Ready ring                                                          */
/* ------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static usim_task *next_ready(usim_sim *sim)
{
    ready_ring *r = &sim->ready;
    if (r->n == 0)
        return NULL;
    if (sim->cfg.order != USIM_ORDER_RANDOM || r->n == 1)
        return ring_pop(r);
    uint64_t x = splitmix64(&sim->order_state);
    size_t i = (size_t)(((unsigned __int128)x * r->n) >> 64);
    return ring_take(r, i);
}

/* ------------------------------------------------------------------ */
/* Task side: switching out, blocking, ending                          */
/* ------------------------------------------------------------------ */

static void link_waiter(usim_waitlist *wl, usim_task *t, usim_task *before)
{
    assert(!t->wl); /* a task waits on one list at a time */
    assert(!before || before->wl == wl);
    list_insert(&wl->head, &wl->tail, TASK_WAIT_LINK, t, before);
    t->wl = wl;
    assert(waitlist_valid(wl));
}

int loop_cancel_seen(usim_task *self)
{
    self->cancel_seen = true;
    return USIM_ECANCELED;
}

/* A cancelled task that keeps calling blocking functions never yields:
 * stop it rather than spin forever. */
static int cancelled_return(usim_task *self)
{
    usim_sim *sim = self->sim;
    if (++self->cancel_spins > CANCEL_SPIN_LIMIT) {
        if (!sim->destroying)
            loop_failf(sim,
                       "task '%s' ignores its cancellation (%d blocking calls "
                       "returned USIM_ECANCELED)",
                       self->name, CANCEL_SPIN_LIMIT);
        loop_abandon(self);
    }
    return loop_cancel_seen(self);
}

/* A usim_timeout deadline belongs to the call that starts after it was
 * set, and to no later one. */
static void timeout_call_begins(usim_task *self)
{
    self->timeout_active = self->timeout_armed;
    self->call_deadline = self->timeout_tick;
    self->timeout_armed = false;
}

void loop_timeout_begins(usim_task *self)
{
    if (self->slow & TASK_CALL_SLOW)
        timeout_call_begins(self);
}

int loop_call_begin(usim_task *self)
{
    timeout_call_begins(self);
    return self->cancelled ? cancelled_return(self) : 0;
}

/* What stops a wait before it starts, in this order: a cancellation, a
 * failed child of a scope the task owns, a pending interrupt; 0 if none
 * (the deadline is the caller's to check). */
static int stop_code(usim_task *self)
{
    if (self->cancelled)
        return cancelled_return(self);
    if (self->child_failed) {
        self->carry_valid = false;
        return USIM_ECHILD;
    }
    if (self->intr_pending) {
        self->intr_pending = false;
        self->carry_valid = false;
        return USIM_EINTR;
    }
    return 0;
}

/* entry_checks when some flag of TASK_WAIT_SLOW is set. */
static int entry_checks_slow(usim_task *self, int64_t *dl, bool begin)
{
    if (begin)
        timeout_call_begins(self);
    int rc = stop_code(self);
    if (rc)
        return rc;
    *dl = time_deadline(self);
    if (self->timeout_active && self->call_deadline < *dl)
        *dl = self->call_deadline;
    if (*dl <= self->sim->now) {
        self->carry_valid = false;
        return USIM_ETIMEDOUT;
    }
    return 0;
}

/* What every blocking call checks first: a cancellation, a failed child,
 * a pending interrupt, a passed deadline (that code is returned, the wait
 * not started); 0 if the call may wait.  *dl gets the deadline: the
 * scope's, or the call's usim_timeout if earlier.  `begin`: this is the
 * start of the call (see loop_call_begin). */
static inline int entry_checks(usim_task *self, int64_t *dl, bool begin)
{
    if (__builtin_expect(self->slow & TASK_WAIT_SLOW, 0))
        return entry_checks_slow(self, dl, begin);
    /* No flag: not cancelled, interrupted or told of a failed child, no
     * usim_timeout, no scope deadline (the one it would read is
     * SCHED_NO_TIMEOUT, after every tick). */
    assert(time_deadline(self) == SCHED_NO_TIMEOUT);
    *dl = SCHED_NO_TIMEOUT;
    return 0;
}

static void compact_timers(usim_sim *sim);

/* Stale heap entries (timers of tasks woken some other way) are dropped
 * all at once when they outnumber the live ones; every path that sets a
 * timer or takes one checks, the fast ones included, so the heap cannot
 * fill with them whichever path a run takes. */
static inline void compact_if_stale(usim_sim *sim)
{
    if (__builtin_expect(sim->stale_timers > LOOP_STALE_MIN, 0) &&
        sim->stale_timers > heap_size(&sim->timers) / 2)
        compact_timers(sim);
}

/* The live timer on top of the heap, due by `at`, when the loop would run
 * it next (nothing ready, nothing to decide): the task, else NULL. */
static inline usim_task *handover_target(const usim_sim *sim, int64_t at)
{
    const heap *h = &sim->timers;
    if (at == SCHED_NO_TIMEOUT || sim->ready.n || heap_size(h) == 0)
        return NULL;
    usim_task *top = heap_top_obj(h);
    int64_t t = heap_top_time(h);
    bool next = top->timer_seq == heap_top_seq(h) && t <= at && t <= sim->until &&
                loop_nothing_to_decide(sim);
    return next ? top : NULL;
}

static usim_task *pick_next(usim_sim *sim);
static inline __attribute__((always_inline)) usim_task *
timers_due_at(usim_sim *sim, usim_task *first, int64_t now);
static inline void switch_to(usim_sim *sim, usim_task *self, usim_task *next);
static inline void begin_turn(usim_sim *sim, usim_task *t);
static inline void timer_fired(usim_task *task);
static inline bool another_due_at(const heap *h, int64_t now);
static usim_task *timers_due_with_others(usim_sim *sim, usim_task *first, int64_t now);

/* The caller goes to the back of the ready ring and the next task runs. */
static void postpone(usim_task *self)
{
    if (loop_make_ready(self->sim, self) == 0)
        loop_switch_out(self);
}

/* How a wait starts: with the entry checks (a call's first wait, or a
 * later one), or without (scope close, which must not be stopped). */
enum block_mode { BLOCK_BEGIN, BLOCK_CHECKED, BLOCK_UNCHECKED };

static inline __attribute__((always_inline)) int
block_common(usim_task *self, usim_waitlist *wl, usim_task *before, const char *kind,
             const char *name, void *data, int64_t wake_tick, enum block_mode mode)
{
    usim_sim *sim = self->sim;
    int64_t dl = SCHED_NO_TIMEOUT;
    if (mode != BLOCK_UNCHECKED) {
        int rc = entry_checks(self, &dl, mode == BLOCK_BEGIN);
        if (rc)
            return rc;
    }
    int64_t at = wake_tick < dl ? wake_tick : dl;
    if (__builtin_expect(at <= sim->now, 0)) {
        /* A timed wait that ends now (a deadline now was refused above):
         * exactly usim_instant. */
        assert(!wl && wake_tick <= sim->now);
        postpone(self);
        return 0;
    }
    if (wl)
        link_waiter(wl, self, before);
    compact_if_stale(sim);
    if (!wl && wake_tick <= dl && loop_sleeper_is_next(sim, at)) {
        /* The wait would end before anything else happens: skip the
         * event queue and the switch, exactly as if the timer had been
         * set, popped and the task resumed (begin_turn). */
        sim->now = at;
        sim->events++;
        return 0;
    }
    /* The live timer on top is due before (or with) ours and the loop has
     * nothing else to run: take it and set ours in one sift, which is what
     * heap_push and then pick_next's heap_pop would do. */
    self->wait_data = data;
    self->wait_kind = kind;
    self->wait_name = name;
    heap *h = &sim->timers;
    usim_task *top = handover_target(sim, at);
    heap_entry due = {0};
    if (at != SCHED_NO_TIMEOUT) {
        uint64_t seq =
            top ? heap_replace_top(h, &due, at, self) : heap_push(h, at, self);
        if (!seq) {
            loop_unlink_waiter(self);
            loop_fail(sim, "out of memory growing the event queue");
            loop_abandon(self);
        }
        self->timer_seq = seq;
        self->timer_refs++;
        self->timer_is_deadline = dl < wake_tick;
    }
    if (wake_tick == SCHED_NO_TIMEOUT)
        self->carry_valid = false; /* non-timed wait: drift carry resets */
    self->state = TASK_BLOCKED;
    switch_to(sim, self, top ? timers_due_at(sim, top, due.t) : pick_next(sim));
    assert(!self->wl && !self->timer_seq);
    return self->wake_rc;
}

int loop_block(usim_task *self, usim_waitlist *wl, usim_task *before, const char *kind,
               const char *name, void *data, int64_t wake_tick)
{
    return block_common(self, wl, before, kind, name, data, wake_tick, BLOCK_CHECKED);
}

int loop_instant(usim_task *self)
{
    int64_t dl;
    int rc = entry_checks(self, &dl, true);
    if (rc)
        return rc;
    postpone(self);
    return 0;
}

int loop_postpone_checked(usim_task *self)
{
    int64_t dl;
    int rc = entry_checks(self, &dl, false);
    if (rc)
        return rc;
    postpone(self);
    return 0;
}

void loop_postpone(usim_task *self)
{
    postpone(self);
}

int loop_block_uncancellable(usim_task *self, usim_waitlist *wl, const char *kind,
                             const char *name)
{
    return block_common(self, wl, NULL, kind, name, NULL, SCHED_NO_TIMEOUT,
                        BLOCK_UNCHECKED);
}

void loop_finish_task(usim_task *self)
{
    usim_sim *sim = self->sim;
    self->state = TASK_DONE;
    sim->live--;
    task_on_done(self);
    coro_exit();
}

void loop_abandon(usim_task *self)
{
    usim_sim *sim = self->sim;
    self->abandoned = true;
    self->state = TASK_DONE;
    sim->live--;
    task_on_done(self); /* joiners and scope must not wait for it */
    coro_exit();
}

/* block_common's stores for a sleep whose timer (sequence number seq)
 * is set: the timer is not a deadline, the task blocks. */
static inline void sleep_timer_set(usim_task *self, uint64_t seq)
{
    self->timer_seq = seq;
    self->timer_refs++;
    self->timer_is_deadline = false;
    self->state = TASK_BLOCKED;
}

/* block_common's handover for a timed wait until `at` when it would take
 * that path with nothing else to check on the way: no flag of
 * TASK_WAIT_SLOW (the entry checks pass, the deadline is
 * SCHED_NO_TIMEOUT), at > now (the wait does not end now), no
 * compaction due, and `top` = handover_target(sim, at) (so the
 * sleeper_is_next branch is not taken: top is due by `at`).  The same
 * heap step and switch as there, and the same stores but those of the
 * wait's description (wait_data, wait_kind, wait_name): a task waiting
 * for its live timer and on no wait list is never described (a deadlock
 * report has no live timer) and never asked for its waiter record. */
static inline __attribute__((always_inline)) int
timed_handover(usim_task *self, usim_sim *sim, usim_task *top, int64_t at)
{
    heap_entry due = {0};
    sleep_timer_set(self, heap_replace_top(&sim->timers, &due, at, self));
    /* timers_due_at and switch_to, their lone-timer case first: `top`
     * had the live timer on top, so it is not self (running, without a
     * live timer) and switch_to's next == self and NULL cases cannot
     * arise; self's own timer may be due with it, so the rest goes
     * through timers_due_with_others and switch_to as there. */
    assert(top != self && due.t >= sim->now);
    sim->now = due.t;
    timer_fired(top);
    if (__builtin_expect(!another_due_at(&sim->timers, due.t), 1)) {
        begin_turn(sim, top);
        coro_switch(&self->co, &top->co);
    } else {
        switch_to(sim, self, timers_due_with_others(sim, top, due.t));
    }
    assert(!self->wl && !self->timer_seq);
    return self->wake_rc;
}

/* The end of a sleep of usim_sleep's fast path that switched (since
 * `start`) and returns rc: loop_timed_wait's drift record, with the group
 * already known (no sleep_general flag), or its reset of the carry. */
static inline int fast_sleep_end(usim_task *self, int64_t start, double d, int rc)
{
    usim_sim *sim = self->sim;
    if (__builtin_expect(rc == 0, 1))
        drift_record_grouped(self, &sim->drift, d,
                             (double)(sim->now - start) * sim->cfg.resolution);
    else
        self->carry_valid = false;
    return rc;
}

/* Not inlined into usim_sleep: the registers this saves around the
 * switch would otherwise be saved on the shortcut too. */
__attribute__((noinline)) int loop_sleep_handover(usim_task *self, int64_t at, double d)
{
    usim_sim *sim = self->sim;
    const heap *h = &sim->timers;
    assert(!(self->slow & TASK_WAIT_SLOW) && at > sim->now &&
           at <= LOOP_SLEEP_FAST_MAX);
    assert(sim->stale_timers <= LOOP_STALE_MIN && !sim->ready.n && heap_size(h) &&
           heap_top_time(h) <= at);
    /* The rest of handover_target's conditions (at is not
     * SCHED_NO_TIMEOUT). */
    usim_task *top = heap_top_obj(h);
    if (__builtin_expect(!(top->timer_seq == heap_top_seq(h) &&
                           heap_top_time(h) <= sim->until &&
                           loop_nothing_to_decide(sim)),
                         0))
        return loop_timed_wait(self, at, d);
    int64_t start = sim->now;
    return fast_sleep_end(self, start, d, timed_handover(self, sim, top, at));
}

/* block_common for a timed wait until `at` with nothing to check on the
 * way (as for loop_sleep_handover) while other tasks are ready (a task
 * that woke another and then sleeps): the timer is pushed and the next
 * ready task runs, with the stores and switch there but those of the
 * wait's description (see timed_handover). */
__attribute__((noinline)) int loop_sleep_behind_ready(usim_task *self, int64_t at,
                                                      double d)
{
    usim_sim *sim = self->sim;
    assert(!(self->slow & TASK_WAIT_SLOW) && at > sim->now &&
           at <= LOOP_SLEEP_FAST_MAX);
    assert(sim->stale_timers <= LOOP_STALE_MIN && sim->ready.n);
    uint64_t seq;
    if (__builtin_expect(!loop_nothing_to_decide(sim) ||
                             !(seq = heap_push(&sim->timers, at, self)),
                         0))
        return loop_timed_wait(self, at, d); /* it fails the run if memory ran out */
    int64_t start = sim->now;
    sleep_timer_set(self, seq);
    switch_to(sim, self, next_ready(sim)); /* pick_next's ready case */
    assert(!self->wl && !self->timer_seq);
    return fast_sleep_end(self, start, d, self->wake_rc);
}

int loop_timed_wait(usim_task *self, int64_t wake_tick, double requested)
{
    usim_sim *sim = self->sim;
    int64_t start = sim->now;
    int rc =
        block_common(self, NULL, NULL, "sleep", NULL, NULL, wake_tick, BLOCK_BEGIN);
    if (__builtin_expect(rc == 0, 1))
        drift_record(self, &sim->drift, requested,
                     (double)(sim->now - start) * sim->cfg.resolution, false);
    else
        self->carry_valid = false;
    return rc;
}

int loop_trigger_hop(usim_task *self)
{
    /* The turn the waiter is woken in is the trigger's, which stops it if
     * it is cancelled, interrupted or told of a failed child by then; it
     * resumes in the next. */
    int rc = stop_code(self);
    if (rc == 0)
        postpone(self);
    return rc;
}

int loop_wait_until(usim_task *self, int64_t wake_tick, double requested, bool hop)
{
    usim_sim *sim = self->sim;
    int64_t start = sim->now;
    const char *kind =
        wake_tick == SCHED_NO_TIMEOUT ? "sleep until INFINITY" : "sleep until";
    int rc = block_common(self, NULL, NULL, kind, NULL, NULL, wake_tick, BLOCK_BEGIN);
    if (rc == 0 && hop && sim->now > start)
        rc = loop_trigger_hop(self);
    if (rc == 0)
        drift_record(self, &sim->drift, requested,
                     (double)(sim->now - start) * sim->cfg.resolution, false);
    else
        self->carry_valid = false;
    return rc;
}

int loop_start_wait(usim_task *self, int64_t start_tick)
{
    return block_common(self, NULL, NULL, "delayed start", NULL, NULL, start_tick,
                        BLOCK_CHECKED);
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */
/* ------------------------------------------------------------------ */

static bool timer_live(const heap_entry *e, void *ctx)
{
    (void)ctx;
    const usim_task *t = e->obj;
    return t->timer_seq == e->seq;
}

/* A heap entry is gone: the task may now be freed if it was waiting for
 * its stale entries to leave (see task_release). */
static void timer_unref(usim_task *t)
{
    assert(t->timer_refs > 0);
    if (--t->timer_refs == 0 && t->zombie)
        task_free(t);
}

static bool timer_keep(const heap_entry *e, void *ctx)
{
    if (timer_live(e, ctx))
        return true;
    timer_unref(e->obj);
    return false;
}

static void compact_timers(usim_sim *sim)
{
    heap_compact(&sim->timers, timer_keep, NULL);
    sim->stale_timers = 0;
}

/* Drops stale entries from the top; false if no live timer is left. */
static inline bool drop_stale_top(usim_sim *sim)
{
    heap *h = &sim->timers;
    while (heap_size(h)) {
        usim_task *t = heap_top_obj(h);
        if (t->timer_seq == heap_top_seq(h))
            return true;
        heap_entry dead = {0};
        heap_pop(h, &dead);
        sim->stale_timers--;
        timer_unref(t);
    }
    return false;
}

/* True if a live timer is due by `until` (stale ones on top are dropped). */
static inline bool timer_due(usim_sim *sim, int64_t until)
{
    return drop_stale_top(sim) && heap_top_time(&sim->timers) <= until;
}

/* Wakes the task of a live timer entry that has just been popped. */
static inline void timer_fired(usim_task *task)
{
    task->timer_seq = 0;
    task->timer_refs--;
    loop_unlink_waiter(task);
    task->wake_rc = 0;
    if (task->timer_is_deadline) {
        task->wake_rc = USIM_ETIMEDOUT;
        task->carry_valid = false;
    }
    task->state = TASK_READY;
}

/* True if the heap's next entry is due at tick `now` too. */
static inline bool another_due_at(const heap *h, int64_t now)
{
    return heap_size(h) && heap_top_time(h) == now;
}

/* timers_due_at when more timers are due at `now`: all of them go to the
 * ready ring in timer order (`first` already fired), and the ring says
 * who runs first. */
static usim_task *timers_due_with_others(usim_sim *sim, usim_task *first, int64_t now)
{
    heap *h = &sim->timers;
    if (loop_make_ready(sim, first) != 0)
        return NULL;
    heap_entry e = {0};
    do {
        heap_pop(h, &e);
        usim_task *task = e.obj;
        if (task->timer_seq != e.seq) {
            sim->stale_timers--;
            timer_unref(task);
            continue;
        }
        timer_fired(task);
        if (loop_make_ready(sim, task) != 0)
            return NULL;
    } while (another_due_at(h, now));
    return next_ready(sim);
}

/* The clock moves to `now`, the tick of the live timer of `first` just
 * taken from the heap: fires it and every other timer due at that tick
 * and returns the task to run first (a lone one without the ready ring). */
static inline __attribute__((always_inline)) usim_task *
timers_due_at(usim_sim *sim, usim_task *first, int64_t now)
{
    assert(now >= sim->now);
    sim->now = now;
    timer_fired(first);
    if (__builtin_expect(!another_due_at(&sim->timers, now), 1))
        return first;
    return timers_due_with_others(sim, first, now);
}

/* With nothing ready: advances the clock to the earliest timer if it is
 * due by `until`, makes every task due at that tick ready in timer order
 * and returns the one to run first (NULL if no timer is due).  A lone
 * due task is returned without passing through the ready ring. */
static usim_task *advance_time(usim_sim *sim, int64_t until)
{
    assert(sim->ready.n == 0);
    compact_if_stale(sim);
    if (!timer_due(sim, until))
        return NULL;
    heap_entry e = {0};
    heap_pop(&sim->timers, &e);
    return timers_due_at(sim, e.obj, e.t);
}

/* ------------------------------------------------------------------ */
/* Switching                                                           */
/* ------------------------------------------------------------------ */

/* The task to run next, chosen in the running task's context; NULL when
 * the loop must decide instead. */
static usim_task *pick_next(usim_sim *sim)
{
    if (!loop_nothing_to_decide(sim))
        return NULL;
    if (sim->ready.n)
        return next_ready(sim);
    return advance_time(sim, sim->until);
}

/* Marks t running; the caller then switches to it. */
static inline void begin_turn(usim_sim *sim, usim_task *t)
{
    assert(t->state == TASK_READY);
    assert(timers_valid(sim));
    sim->events++;
    t->state = TASK_RUNNING;
    t->co.caller = sim->loop_ctx; /* where an overflow or the end returns */
    sched_here.task = t;
}

/* Gives the CPU to `next`, or to the loop if NULL; next == self (random
 * order drew the task that yields) just goes on. */
static inline void switch_to(usim_sim *sim, usim_task *self, usim_task *next)
{
    assert(self == sched_here.task);
    if (next == self) {
        begin_turn(sim, self);
    } else if (next) {
        begin_turn(sim, next);
        coro_switch(&self->co, &next->co);
    } else {
        coro_switch(&self->co, sim->loop_ctx);
    }
}

void loop_switch_out(usim_task *self)
{
    switch_to(self->sim, self, pick_next(self->sim));
}

/* ------------------------------------------------------------------ */
/* Loop side: dispatch, the run loop, unwinding                        */
/* ------------------------------------------------------------------ */

static void release_task_memory(usim_task *t)
{
    /* Statistics in the ended task's frames must not be reset later. */
    if (__builtin_expect(t->sim->warmup.nstats > 0, 0))
        warmup_forget_range(t->sim, t->co.stk.lo, t->co.stk.size);
    coro_destroy(&t->co);
}

/* Runs t until control comes back to the loop, then settles the task that
 * handed it back (t itself or one that t switched to). */
static void dispatch(usim_sim *sim, usim_task *t)
{
    begin_turn(sim, t);
    coro_switch(sim->loop_ctx, &t->co);
    t = sched_here.task;
    sched_here.task = NULL;
    if (t->co.overflowed) {
        t->abandoned = true;
        t->state = TASK_DONE;
        sim->live--;
        char msg[80];
        snprintf(msg, sizeof msg, "stack overflow (%zu KiB stack)",
                 t->co.stk.size / 1024);
        free(t->error);
        t->error = kernel_strdup(msg); /* for its scope's failure list */
        loop_failf(sim, "stack overflow in task '%s' (%zu KiB stack)", t->name,
                   t->co.stk.size / 1024);
        task_on_done(t);
    }
    /* An abandoned task's stack (usim_fail, a failure inside a call, an
     * overflow) is kept, with its record, until the simulation is
     * destroyed (loop_release): what lives in its frames (a scope whose
     * children still run, a queue or lock others wait on) stays valid
     * memory while they unwind. */
    if (t->state == TASK_DONE && !t->abandoned) {
        release_task_memory(t);
        if (t->detached)
            task_release(t);
    }
}

/* Runs the events up to tick `until` (sim->until); stops early when the
 * run ends or a budget is spent (the run is then final). */
static void run_events(usim_sim *sim, int64_t until, uint64_t events0, double wall0)
{
    sim->until = until;
    while (!sim->final) {
        if (sim->ready.n == 0 && !timer_due(sim, until))
            break;
        if (sim->events >= sim->check_at) {
            if (report_over_budget(sim, events0, wall0))
                break;
            sim->check_at = report_next_check(sim, events0);
        }
        usim_task *t = sim->ready.n ? next_ready(sim) : advance_time(sim, until);
        if (!t)
            break; /* out of memory growing the ready ring: the run failed */
        dispatch(sim, t);
    }
}

usim_status loop_run(usim_sim *sim, int64_t until)
{
    uint64_t events0 = sim->events;
    double wall0 = sim->cfg.max_wall_s > 0 ? report_wall_now() : 0;
    sim->loop_ctx = coro_running;
    sim->check_at = report_next_check(sim, events0);
    for (;;) {
        /* A warm-up within this run: run the events before its tick, then
         * reset the statistics with the clock at it, so that whatever
         * happens at the warm-up time already counts.  One loop_run for
         * both parts keeps the budgets per usim_sim_run. */
        bool warm = sim->warmup.pending && sim->warmup.at <= until;
        int64_t stop = warm ? sim->warmup.at - 1 : until;
        bool before = stop >= sim->now; /* events may come before it */
        if (before)
            run_events(sim, stop, events0, wall0);
        if (sim->final)
            return sim->status;
        if (!warm)
            break;
        if (!before || drop_stale_top(sim)) {
            if (sim->now < sim->warmup.at)
                sim->now = sim->warmup.at; /* no event before it is left */
            warmup_fire(sim);
            continue;
        }
        if (sim->live > 0)
            break; /* no events left while tasks wait: the deadlock below */
        /* Every task ended before the warm-up: no statistics after it. */
        warmup_fire(sim);
        break;
    }
    if (drop_stale_top(sim)) {
        sim->now = until;
        sim->status = USIM_PAUSED;
    } else if (sim->live > 0) {
        report_deadlock(sim);
    } else {
        sim->status = USIM_DONE;
    }
    return sim->status;
}

/* Destroy: every task still alive is cancelled and run until it returns.
 * Tasks that never started are not run at all. */
void loop_unwind_all(usim_sim *sim)
{
    sim->destroying = true;
    sim->check_at = 0; /* loop_nothing_to_decide */
    sched_tls prev = sched_here;
    sched_here.sim = sim;
    sched_here.task = NULL;
    sim->loop_ctx = coro_running;
    for (usim_task *t = sim->all; t; t = list_next(t, TASK_ALL_LINK)) {
        if (t->state == TASK_DONE)
            continue;
        t->cancelled = true;
        if (t->state == TASK_BLOCKED) {
            t->cancel_seen = true;
            sched_wake(t, USIM_ECANCELED);
        }
    }
    usim_task *t;
    while ((t = ring_pop(&sim->ready))) {
        if (t->state != TASK_READY)
            continue;
        if (!t->co.started) {
            t->state = TASK_DONE;
            sim->live--;
            task_on_done(t);
            release_task_memory(t);
            continue;
        }
        dispatch(sim, t);
    }
    sched_here = prev;
}

void loop_escaped(usim_sim *sim)
{
    if (sched_here.sim != sim)
        return;
    usim_task *t = sched_here.task;
    sched_here.task = NULL;
    sched_here.sim = NULL;
    if (!t)
        return;
    /* What the switch from t back to the loop would have done, the task
     * being finished for good (as after an overflow). */
    coro *loop = sim->loop_ctx;
    instrument_switch_start(NULL, loop->stk.lo, loop->stk.size);
    coro_landed(loop);
    /* The frames that ran usim_sim_run, from where the loop switched to
     * its first task (loop->sp) up to here, never returned: clear what
     * they left for AddressSanitizer, as for a stack handed out again. */
    char *here = __builtin_frame_address(0);
    if ((char *)loop->sp < here)
        instrument_stack_fresh(loop->sp, (size_t)(here - (char *)loop->sp));
    if (t->state != TASK_DONE) {
        loop_failf(sim, "task '%s' left the simulation by a non-local jump", t->name);
        t->abandoned = true;
        t->state = TASK_DONE;
        sim->live--;
        task_on_done(t);
    }
}

void loop_release(usim_sim *sim)
{
    for (usim_task *t = sim->all; t; t = list_next(t, TASK_ALL_LINK))
        if (t->co.stk.lo)
            release_task_memory(t);
}
