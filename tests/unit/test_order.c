/*
 * test_order — the turn orders, scenario by scenario: the traces of
 * μsim 0.4.4 that USIM_ORDER_MUSIM must reproduce turn for turn, and what
 * fifo, lifo and random do with the same model.
 *
 * Each task notes (task, step) as it goes; a test compares the whole
 * sequence, worked out by hand in the comment above it ("RQ": the ready
 * ring after that turn, next first; "pp(X)": X's postpone).  Where the
 * turn count matters the test also checks usim_sim_events: every turn a
 * task takes is one event (a postpone with nobody else ready too).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

/* ------------------------------------------------------------------ */
/* The log                                                             */
/* ------------------------------------------------------------------ */

static char trace[2048];

/* Appends "task:step" (and "@t" if the time is not 0). */
static void step(const char *what)
{
    char one[96];
    int64_t t = usim_now_ticks();
    if (t)
        snprintf(one, sizeof one, "%s:%s@%lld", usim_task_name(usim_self()), what,
                 (long long)t);
    else
        snprintf(one, sizeof one, "%s:%s", usim_task_name(usim_self()), what);
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof trace - n, "%s%s", n ? " " : "", one);
}

static usim_sim *order_sim(usim_order o, uint64_t seed)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1.0;
    cfg.order = o;
    cfg.seed = seed;
    cfg.stack_size = 32768;
    trace[0] = 0;
    return fixture_sim(&cfg);
}

/* Runs `root` as the only task to the end under order o; the trace. */
static const char *run_root(usim_order o, usim_fn root, uint64_t *events)
{
    usim_sim *sim = order_sim(o, 1);
    assert_non_null(usim_sim_spawn(sim, root, NULL, "main"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    if (events)
        *events = usim_sim_events(sim);
    fixture_destroy(sim);
    return trace;
}

/* Is `a` noted before `b` in the trace (both present)? */
static bool before(const char *a, const char *b)
{
    const char *pa = strstr(trace, a), *pb = strstr(trace, b);
    return pa && pb && pa < pb;
}

/* ------------------------------------------------------------------ */
/* (a) a flag set waking one waiter, with a bystander                  */
/* ------------------------------------------------------------------ */

static usim_flag flag;

static void *a_waiter(void *arg)
{
    (void)arg;
    step("wait");
    assert_int_equal(usim_flag_wait_true(&flag), 0);
    step("woken");
    return NULL;
}

static void *a_bystander(void *arg)
{
    (void)arg;
    step("start");
    usim_instant();
    step("i1");
    usim_instant();
    step("i2");
    return NULL;
}

static void *a_main(void *arg)
{
    (void)arg;
    usim_flag_init(&flag, false, "f");
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, a_waiter, NULL, "W");
    usim_scope_spawn(&s, a_bystander, NULL, "X");
    step("spawned");
    usim_instant();
    step("set");
    usim_flag_set(&flag, true);
    step("after-set");
    assert_int_equal(usim_scope_close(&s), 0);
    step("closed");
    usim_flag_destroy(&flag);
    return NULL;
}

/*
 * musim (μsim's measured trace, turns 1-9):
 *  1 main  spawns W, X (no turn), instant       RQ W X pp(main)
 *  2 W     waits                                RQ X pp(main)
 *  3 X     start, instant                       RQ pp(main) pp(X)
 *  4 main  set: W woken, then main postpones    RQ pp(X) W pp(main)
 *  5 X     i1, instant                          RQ W pp(main) pp(X)
 *  6 W     woken, ends                          RQ pp(main) pp(X)
 *  7 main  after-set; close postpones           RQ pp(X) pp(main)
 *  8 X     i2, ends                             RQ pp(main)
 *  9 main  no child left: closed
 * fifo: each spawn is a turn point (the child runs first), set wakes W
 * and main goes behind X and W: W:wait X:start main:spawned X:i1 main:set
 * X:i2 W:woken main:after-set main:closed.
 * lifo: main keeps running through the spawns and the set, then waits in
 * close: main:spawned W:wait X:start main:set main:after-set X:i1 W:woken
 * X:i2 main:closed.
 */
static void test_flag_set_waking_one_waiter_matches_musim_trace(void **state)
{
    (void)state;
    uint64_t ev;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, a_main, &ev),
                        "main:spawned W:wait X:start main:set X:i1 W:woken "
                        "main:after-set X:i2 main:closed");
    assert_int_equal(ev, 9);
    assert_string_equal(run_root(USIM_ORDER_FIFO, a_main, NULL),
                        "W:wait X:start main:spawned X:i1 main:set X:i2 W:woken "
                        "main:after-set main:closed");
    assert_string_equal(run_root(USIM_ORDER_LIFO, a_main, NULL),
                        "main:spawned W:wait X:start main:set main:after-set X:i1 "
                        "W:woken X:i2 main:closed");
    /* random: whatever the draws, W wakes only after the set, and main
     * closes last */
    for (uint64_t seed = 1; seed <= 8; seed++) {
        usim_sim *sim = order_sim(USIM_ORDER_RANDOM, seed);
        usim_sim_spawn(sim, a_main, NULL, "main");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_true(before("main:set", "W:woken"));
        assert_non_null(strstr(trace, "main:closed"));
        assert_string_equal(strstr(trace, "main:closed"), "main:closed");
        fixture_destroy(sim);
    }
}

/* ------------------------------------------------------------------ */
/* (b) a set that changes nothing                                      */
/* ------------------------------------------------------------------ */

static void *b_setter(void *arg)
{
    (void)arg;
    step("m0");
    usim_flag_set(&flag, true);
    step("m1");
    usim_flag_set(&flag, true); /* no change */
    step("m2");
    usim_flag_set(&flag, false);
    step("m3");
    usim_flag_set(&flag, false); /* no change */
    step("m4");
    return NULL;
}

static void *b_bystander(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++) {
        char s[8];
        snprintf(s, sizeof s, "x%d", i);
        step(s);
        usim_instant();
    }
    return NULL;
}

/* The setter M and a bystander X doing 4 instants, spawned in that order.
 * musim: every set postpones, changed or not, so M and X alternate:
 * m0 x0 m1 x1 m2 x2 m3 x3 m4.  No set wakes anybody, so under fifo and
 * lifo none is a turn point: M runs through, then X. */
static void test_set_that_changes_nothing_postpones_only_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO, USIM_ORDER_LIFO};
    const char *want[] = {
        "M:m0 X:x0 M:m1 X:x1 M:m2 X:x2 M:m3 X:x3 M:m4",
        "M:m0 M:m1 M:m2 M:m3 M:m4 X:x0 X:x1 X:x2 X:x3",
        "M:m0 M:m1 M:m2 M:m3 M:m4 X:x0 X:x1 X:x2 X:x3",
    };
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_flag_init(&flag, false, "f");
        usim_sim_spawn(sim, b_setter, NULL, "M");
        usim_sim_spawn(sim, b_bystander, NULL, "X");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        fixture_destroy(sim);
        usim_flag_destroy(&flag);
    }
}

/* Alone, the four postpones of musim are four more turns: 1 + 4 events
 * (fifo: 1). */
static void test_each_musim_postpone_is_a_turn(void **state)
{
    (void)state;
    usim_flag_init(&flag, false, "f");
    uint64_t ev;
    run_root(USIM_ORDER_MUSIM, b_setter, &ev);
    assert_int_equal(ev, 5);
    run_root(USIM_ORDER_FIFO, b_setter, &ev);
    assert_int_equal(ev, 1);
    usim_flag_destroy(&flag);
}

/* ------------------------------------------------------------------ */
/* (c) queue put and get                                               */
/* ------------------------------------------------------------------ */

static usim_queue queue;

static void *c_getter(void *arg)
{
    (void)arg;
    void *item;
    step("wait");
    assert_int_equal(usim_queue_get(&queue, &item), 0);
    assert_int_equal((intptr_t)item, 1);
    step("got1");
    return NULL;
}

static void *c_bystander(void *arg)
{
    (void)arg;
    step("start");
    usim_instant();
    step("i1");
    usim_instant();
    step("i2");
    return NULL;
}

static void *c_main(void *arg)
{
    (void)arg;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    usim_spawn(c_getter, NULL, "G");
    usim_instant();
    step("spawn-x");
    usim_spawn(c_bystander, NULL, "X");
    assert_int_equal(usim_queue_put(&queue, (void *)1), 0);
    step("put1");
    assert_int_equal(usim_queue_put(&queue, (void *)2), 0);
    step("put2");
    void *item;
    assert_int_equal(usim_queue_get(&queue, &item), 0);
    assert_int_equal((intptr_t)item, 2);
    step("got2");
    return NULL;
}

/*
 * musim (as μsim's queue_put_get): G waits; main spawns X (no turn);
 * put(1) hands 1 to G, then main postpones (RQ X G pp(main)); X starts
 * (RQ G pp(main) pp(X)); G gets 1; main: put(2) with no getter still
 * postpones; X i1; main: a get that finds an item postpones too; X i2;
 * main got 2:
 *   G:wait main:spawn-x X:start G:got1 main:put1 X:i1 main:put2 X:i2
 *   main:got2
 * fifo: spawning G lets G run (it waits); the spawn of X lets X start;
 * put(1) wakes G (a turn: X and G run first, X's instant puts it behind
 * G); put(2) and get wake nobody:
 *   G:wait main:spawn-x X:start X:i1 G:got1 main:put1 main:put2 main:got2
 *   X:i2
 * lifo: main only stops at its instant:
 *   G:wait main:spawn-x main:put1 main:put2 main:got2 X:start G:got1 X:i1
 *   X:i2
 */
static void test_queue_put_get_matches_musim_trace(void **state)
{
    (void)state;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, c_main, NULL),
                        "G:wait main:spawn-x X:start G:got1 main:put1 X:i1 "
                        "main:put2 X:i2 main:got2");
    usim_queue_destroy(&queue);
    assert_string_equal(run_root(USIM_ORDER_FIFO, c_main, NULL),
                        "G:wait main:spawn-x X:start X:i1 G:got1 main:put1 "
                        "main:put2 main:got2 X:i2");
    usim_queue_destroy(&queue);
    assert_string_equal(run_root(USIM_ORDER_LIFO, c_main, NULL),
                        "G:wait main:spawn-x main:put1 main:put2 main:got2 X:start "
                        "G:got1 X:i1 X:i2");
    usim_queue_destroy(&queue);
}

/* ------------------------------------------------------------------ */
/* (d) spawning two children                                           */
/* ------------------------------------------------------------------ */

static void *d_child(void *arg)
{
    (void)arg;
    step("start");
    usim_instant();
    step("after");
    return NULL;
}

static void *d_main(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, d_child, NULL, "c1");
    usim_scope_spawn(&s, d_child, NULL, "c2");
    step("spawned");
    usim_instant();
    step("after");
    assert_int_equal(usim_scope_close(&s), 0);
    step("closed");
    return NULL;
}

/*
 * musim (μsim's spawn_two, turns 1-7): main spawns both without a turn
 * and postpones; c1, c2 start; main after; c1, c2 after; main's close
 * postpones once and finds no child left:
 *   main:spawned c1:start c2:start main:after c1:after c2:after main:closed
 * fifo: each spawn lets the child run first (c1 starts and goes behind
 * main; main's spawn of c2 puts main behind c1 and c2):
 *   c1:start c1:after c2:start main:spawned c2:after main:after main:closed
 * lifo: as musim here (close waits instead of postponing: same order).
 */
static void test_spawning_two_children_matches_musim_trace(void **state)
{
    (void)state;
    uint64_t ev;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, d_main, &ev),
                        "main:spawned c1:start c2:start main:after c1:after "
                        "c2:after main:closed");
    assert_int_equal(ev, 7);
    assert_string_equal(run_root(USIM_ORDER_FIFO, d_main, NULL),
                        "c1:start c1:after c2:start main:spawned c2:after main:after "
                        "main:closed");
    assert_string_equal(run_root(USIM_ORDER_LIFO, d_main, NULL),
                        "main:spawned c1:start c2:start main:after c1:after "
                        "c2:after main:closed");
}

/* ------------------------------------------------------------------ */
/* (e) cancelling a task that has not started                          */
/* ------------------------------------------------------------------ */

static usim_task *victim;
static int join_rc;

static void *e_victim(void *arg)
{
    (void)arg;
    step("ran"); /* must never happen */
    return NULL;
}

static void *e_main(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    victim = usim_scope_spawn(&s, e_victim, NULL, "child");
    usim_cancel(victim);
    step(usim_task_state_name(usim_task_status(victim)));
    step(usim_task_done(victim) ? "done" : "not-done");
    join_rc = usim_join(victim, NULL);
    step("joined");
    assert_int_equal(usim_scope_close(&s), 0);
    step("closed");
    return NULL;
}

/*
 * musim (μsim's cancel_not_started): spawn (no turn), cancel: CANCELLED
 * and done at once, main goes on; the join of a done task postpones
 * (turn 1 ends); turn 2 is the child's own, which only ends it; turn 3
 * main's join returns USIM_ECANCELED and close postpones; turn 4
 * closed.  The child's function never runs.  4 events.
 */
static void test_cancel_before_start_matches_musim_trace(void **state)
{
    (void)state;
    uint64_t ev;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, e_main, &ev),
                        "main:cancelled main:done main:joined main:closed");
    assert_int_equal(join_rc, USIM_ECANCELED);
    assert_int_equal(ev, 4);
}

/* ------------------------------------------------------------------ */
/* (f) cancelling a running (waiting) task                             */
/* ------------------------------------------------------------------ */

static void *f_sleeper(void *arg)
{
    (void)arg;
    step("sleep");
    assert_int_equal(usim_sleep(10), USIM_ECANCELED);
    step("cancelled");
    return NULL;
}

static void *f_other(void *arg)
{
    (void)arg;
    step("start");
    return NULL;
}

static void *f_main(void *arg)
{
    (void)arg;
    victim = usim_spawn(f_sleeper, NULL, "child");
    usim_instant();
    usim_spawn(f_other, NULL, "other");
    usim_cancel(victim);
    step(usim_task_state_name(usim_task_status(victim)));
    usim_instant();
    step(usim_task_state_name(usim_task_status(victim)));
    join_rc = usim_join(victim, NULL);
    return NULL;
}

/*
 * musim (μsim's cancel_running): the child sleeps; main spawns `other`
 * and cancels the child: both go into the ring (other first), main goes
 * on and still sees RUNNING; main's instant lets other start, then the
 * child returns from its sleep with USIM_ECANCELED; main sees CANCELLED.
 * fifo: spawn and cancel are turn points, so `other` and the cancelled
 * child have run before main looks: CANCELLED both times.
 * lifo: main goes on after both, as musim.
 */
static void test_cancel_running_matches_musim_trace(void **state)
{
    (void)state;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, f_main, NULL),
                        "child:sleep main:running other:start child:cancelled "
                        "main:cancelled");
    assert_int_equal(join_rc, USIM_ECANCELED);
    assert_string_equal(run_root(USIM_ORDER_FIFO, f_main, NULL),
                        "child:sleep other:start child:cancelled main:cancelled "
                        "main:cancelled");
    assert_int_equal(join_rc, USIM_ECANCELED);
    assert_string_equal(run_root(USIM_ORDER_LIFO, f_main, NULL),
                        "child:sleep main:running other:start child:cancelled "
                        "main:cancelled");
    assert_int_equal(join_rc, USIM_ECANCELED);
}

/* ------------------------------------------------------------------ */
/* A lock release hands over without suspending (musim, lifo)          */
/* ------------------------------------------------------------------ */

static usim_lock lock;

static void *l_holder(void *arg)
{
    (void)arg;
    assert_int_equal(usim_lock_acquire(&lock), 0);
    step("got");
    usim_instant(); /* W queues on the lock */
    assert_int_equal(usim_lock_release(&lock), 0);
    step("released");
    usim_instant();
    step("after");
    return NULL;
}

static void *l_waiter(void *arg)
{
    (void)arg;
    step("wait");
    assert_int_equal(usim_lock_acquire(&lock), 0);
    step("got");
    usim_lock_release(&lock);
    return NULL;
}

/* H takes the free lock (no turn in any order), W waits.  The release
 * hands the lock to W: musim and lifo go on (H:released first), fifo
 * lets W run first. */
static void test_lock_release_hands_over_without_a_turn_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_LIFO, USIM_ORDER_FIFO};
    const char *want[] = {
        "H:got W:wait H:released W:got H:after",
        "H:got W:wait H:released W:got H:after",
        "H:got W:wait W:got H:released H:after",
    };
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_lock_init(&lock, "l");
        usim_sim_spawn(sim, l_holder, NULL, "H");
        usim_sim_spawn(sim, l_waiter, NULL, "W");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        fixture_destroy(sim);
        usim_lock_destroy(&lock);
    }
}

/* ------------------------------------------------------------------ */
/* usim_sleep_until: μsim's `time >= t` and its trigger hop            */
/* ------------------------------------------------------------------ */

static void *h_until5(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep_until(5), 0);
    step("woken");
    return NULL;
}

static void *h_sleep5(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep(5), 0);
    step("woken");
    return NULL;
}

/*
 * μsim's delay_vs_after_order: at 0, B waits `time >= 5`, A `time + 5`,
 * C `time >= 5`, D `time + 5`, in that order.  At 5 the four timers fire
 * in that order; under musim B's and C's first turns are the triggers,
 * which put them behind: A D B C, 6 turns at t=5 (4 + 6 = 10 events).
 * fifo and lifo have no hop: B A C D, 4 turns (8 events).
 */
static void test_sleep_until_resumes_after_sleeps_due_with_it_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO, USIM_ORDER_LIFO};
    const char *want[] = {
        "A:woken@5 D:woken@5 B:woken@5 C:woken@5",
        "B:woken@5 A:woken@5 C:woken@5 D:woken@5",
        "B:woken@5 A:woken@5 C:woken@5 D:woken@5",
    };
    const uint64_t events[] = {10, 8, 8};
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_sim_spawn(sim, h_until5, NULL, "B");
        usim_sim_spawn(sim, h_sleep5, NULL, "A");
        usim_sim_spawn(sim, h_until5, NULL, "C");
        usim_sim_spawn(sim, h_sleep5, NULL, "D");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        assert_int_equal(usim_sim_events(sim), events[i]);
        fixture_destroy(sim);
    }
}

static void *h_until_past(void *arg)
{
    (void)arg;
    step("a");
    assert_int_equal(usim_sleep_until(-3), 0); /* the past: an instant */
    step("b");
    return NULL;
}

/* A wait until the past is an instant in every order (μsim's `time >=
 * past`: one postpone): the bystander X runs in between. */
static void test_sleep_until_the_past_is_an_instant(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO, USIM_ORDER_LIFO};
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_sim_spawn(sim, h_until_past, NULL, "P");
        usim_sim_spawn(sim, f_other, NULL, "X");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, "P:a X:start P:b");
        fixture_destroy(sim);
    }
}

/* ------------------------------------------------------------------ */
/* Scope close: one postpone, then the children in spawn order         */
/* ------------------------------------------------------------------ */

static void *sleep_arg_task(void *arg)
{
    usim_sleep((double)(intptr_t)arg);
    return NULL;
}

static void *i_bystander(void *arg)
{
    (void)arg;
    usim_sleep(5);
    for (int i = 0; i < 4; i++) {
        char s[8];
        snprintf(s, sizeof s, "b%d", i);
        step(s);
        usim_instant();
    }
    return NULL;
}

static void *i_main(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, sleep_arg_task, (void *)5, "c1");
    usim_scope_spawn(&s, sleep_arg_task, (void *)3, "c2");
    usim_scope_spawn(&s, sleep_arg_task, (void *)5, "c3");
    usim_spawn(i_bystander, NULL, "B");
    assert_int_equal(usim_scope_close(&s), 0);
    step("closed");
    return NULL;
}

/*
 * Children ending at 5, 3, 5; a bystander B (outside the scope) wakes at
 * 5 after them and notes b0..b3 with an instant after each.
 * musim: close postpones, then waits on c1 (c2 ends at 3 unseen).  At 5
 * the timers fire c1, c3, B: c1 ends and wakes main (RQ c3 B main), c3
 * ends, B notes b0; main finds c2 and c3 ended: one postpone each, each
 * letting B note one more: b0 b1 b2 closed b3.
 * fifo: main waits for the last child; c3's end wakes it behind B:
 * b0 closed b1 b2 b3.
 */
static void test_scope_close_postpones_per_ended_child_under_musim(void **state)
{
    (void)state;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, i_main, NULL),
                        "B:b0@5 B:b1@5 B:b2@5 main:closed@5 B:b3@5");
    assert_string_equal(run_root(USIM_ORDER_FIFO, i_main, NULL),
                        "B:b0@5 main:closed@5 B:b1@5 B:b2@5 B:b3@5");
}

/* ------------------------------------------------------------------ */
/* A resource grant and release postpone twice each (μsim's borrow)    */
/* ------------------------------------------------------------------ */

static usim_resource res;

static void *j_user(void *arg)
{
    (void)arg;
    step("req");
    assert_int_equal(usim_resource_request(&res, 1, 0), 0);
    step("got");
    assert_int_equal(usim_resource_release(&res, 1), 0);
    step("rel");
    return NULL;
}

/* U and a bystander X doing 4 instants.  musim: the grant postpones
 * twice (X notes x0, x1), the release twice (x2, x3): req x0 x1 got x2
 * x3 rel.  fifo: neither wakes anybody: no turn. */
static void test_resource_grant_and_release_postpone_twice_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO};
    const char *want[] = {
        "U:req X:x0 X:x1 U:got X:x2 X:x3 U:rel",
        "U:req U:got U:rel X:x0 X:x1 X:x2 X:x3",
    };
    for (int i = 0; i < 2; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        assert_int_equal(usim_resource_init(&res, 1, "r"), 0);
        usim_sim_spawn(sim, j_user, NULL, "U");
        usim_sim_spawn(sim, b_bystander, NULL, "X");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        fixture_destroy(sim);
        usim_resource_destroy(&res);
    }
}

/* ------------------------------------------------------------------ */
/* Queue and channel close, channel send with nobody listening         */
/* ------------------------------------------------------------------ */

static usim_channel chan;

static void *k_closer(void *arg)
{
    (void)arg;
    step("s0");
    assert_int_equal(usim_channel_send(&chan, NULL), 0); /* nobody listens */
    step("s1");
    usim_channel_close(&chan);
    step("s2");
    usim_channel_close(&chan); /* again */
    step("s3");
    usim_queue_close(&queue);
    step("s4");
    return NULL;
}

/* musim: a send to nobody, a close and a second close postpone (as
 * μsim's put and close); the queue close too: X runs between each.
 * fifo: none wakes anybody. */
static void test_send_and_repeated_close_postpone_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO};
    const char *want[] = {
        "K:s0 X:x0 K:s1 X:x1 K:s2 X:x2 K:s3 X:x3 K:s4",
        "K:s0 K:s1 K:s2 K:s3 K:s4 X:x0 X:x1 X:x2 X:x3",
    };
    for (int i = 0; i < 2; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_channel_init(&chan, "ch");
        assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
        usim_sim_spawn(sim, k_closer, NULL, "K");
        usim_sim_spawn(sim, b_bystander, NULL, "X");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        assert_true(usim_channel_closed(&chan));
        fixture_destroy(sim);
        usim_channel_destroy(&chan);
        usim_queue_destroy(&queue);
    }
}

/* ------------------------------------------------------------------ */
/* Conditions: a wait that holds already; a waiter that checks again   */
/* ------------------------------------------------------------------ */

static void *m_true_waiter(void *arg)
{
    (void)arg;
    step("w0");
    assert_int_equal(usim_flag_wait_true(&flag), 0); /* already true */
    step("w1");
    return NULL;
}

/* The flag is true: the wait is one turn under musim and fifo (X runs
 * in between), none under lifo. */
static void test_wait_that_holds_already_is_one_turn(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO, USIM_ORDER_LIFO};
    const char *want[] = {
        "W:w0 X:start W:w1",
        "W:w0 X:start W:w1",
        "W:w0 W:w1 X:start",
    };
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_flag_init(&flag, true, "f");
        usim_sim_spawn(sim, m_true_waiter, NULL, "W");
        usim_sim_spawn(sim, f_other, NULL, "X");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        fixture_destroy(sim);
        usim_flag_destroy(&flag);
    }
}

static void *n_waiter(void *arg)
{
    (void)arg;
    int rc = usim_flag_wait_true(&flag);
    step(rc == 0 ? (usim_flag_get(&flag) ? "woken-true" : "woken-false") : "failed");
    return NULL;
}

static void *n_clearer(void *arg)
{
    (void)arg;
    step("clear");
    usim_flag_set(&flag, false);
    return NULL;
}

static void *n_setter(void *arg)
{
    (void)arg;
    usim_sleep(1);
    usim_flag_set(&flag, true);
    step("set");
    return NULL;
}

/* μsim's condition_rewait: the flag is true, W waits for true, C clears
 * it, S sets it again at 1.  musim: W's wait postpones (C runs and
 * clears), W checks again, finds it false and waits: it returns at 1.
 * fifo: W's turn lets C clear, but W returns at 0 all the same and sees
 * false. */
static void test_wait_that_held_checks_again_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO};
    const char *want[] = {
        "C:clear W:woken-true@1 S:set@1",
        "C:clear W:woken-false S:set@1",
    };
    for (int i = 0; i < 2; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_flag_init(&flag, true, "f");
        usim_sim_spawn(sim, n_waiter, NULL, "W");
        usim_sim_spawn(sim, n_clearer, NULL, "C");
        usim_sim_spawn(sim, n_setter, NULL, "S");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        fixture_destroy(sim);
        usim_flag_destroy(&flag);
    }
}

static void *n_toggler(void *arg)
{
    (void)arg;
    usim_flag_set(&flag, true);
    step("set");
    usim_sleep(1);
    usim_flag_set(&flag, true);
    step("set");
    return NULL;
}

static void *n_late_clearer(void *arg)
{
    (void)arg;
    usim_flag_set(&flag, false);
    step("cleared");
    return NULL;
}

/*
 * The flag turns true (waking W) and false again before W runs: W, T, C
 * spawned in that order, W waits at once.
 * musim: T's set wakes W (RQ C W) and postpones (RQ C W T); C clears and
 * postpones (RQ W T C); W checks, finds false, waits again; T notes and
 * sleeps; C notes; at 1 T's set wakes W for good:
 *   T:set C:cleared W:woken-true@1 T:set@1
 * fifo: the wake-up is the answer: T's set is a turn point (RQ C W T), C
 * clears (W is no longer waiting: no turn), W returns and sees false:
 *   C:cleared W:woken-false T:set T:set@1
 * lifo: T goes on after its set; C clears; W sees false:
 *   T:set C:cleared W:woken-false T:set@1
 */
static void test_woken_waiter_checks_again_under_musim(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO, USIM_ORDER_LIFO};
    const char *want[] = {
        "T:set C:cleared W:woken-true@1 T:set@1",
        "C:cleared W:woken-false T:set T:set@1",
        "T:set C:cleared W:woken-false T:set@1",
    };
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = order_sim(orders[i], 1);
        usim_flag_init(&flag, false, "f");
        usim_sim_spawn(sim, n_waiter, NULL, "W");
        usim_sim_spawn(sim, n_toggler, NULL, "T");
        usim_sim_spawn(sim, n_late_clearer, NULL, "C");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(trace, want[i]);
        fixture_destroy(sim);
        usim_flag_destroy(&flag);
    }
}

/* ------------------------------------------------------------------ */
/* Delayed spawns take their first turn at once                        */
/* ------------------------------------------------------------------ */

static void *o_payload(void *arg)
{
    (void)arg;
    step("run");
    return NULL;
}

static void *o_main(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts after3 = {.after = 3}, at7 = {.at = 7};
    usim_task *a = usim_scope_spawn_ex(&s, o_payload, NULL, "now", NULL);
    usim_task *b = usim_scope_spawn_ex(&s, o_payload, NULL, "after3", &after3);
    usim_task *c = usim_scope_spawn_ex(&s, o_payload, NULL, "at7", &at7);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    step(usim_task_state_name(usim_task_status(b)));
    usim_instant();
    step(usim_task_state_name(usim_task_status(b)));
    assert_int_equal(usim_scope_close(&s), 0);
    step("closed");
    return NULL;
}

/*
 * μsim's spawn_delayed: three spawns take turns 2, 3, 4 at t=0 (the
 * delayed ones only start their wait there: RUNNING from then on), and
 * the delayed payloads run at 3 and 7, each as its time's first turn.
 * musim: t0: main(1) notes created, instant; now(2) runs and ends;
 * after3(3) and at7(4) start waiting; main(5) notes running, close
 * postpones; main(6) waits on after3 (`now` has left the scope: it is
 * not waited for).  t3: after3(7) runs, wakes main(8), which waits on
 * at7.  t7: at7(9), main(10) closed.  10 events.
 */
static void test_delayed_spawn_takes_its_first_turn_at_once(void **state)
{
    (void)state;
    uint64_t ev;
    assert_string_equal(run_root(USIM_ORDER_MUSIM, o_main, &ev),
                        "main:created now:run main:running after3:run@3 at7:run@7 "
                        "main:closed@7");
    assert_int_equal(ev, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_flag_set_waking_one_waiter_matches_musim_trace),
        FIXTURE_TEST(test_set_that_changes_nothing_postpones_only_under_musim),
        FIXTURE_TEST(test_each_musim_postpone_is_a_turn),
        FIXTURE_TEST(test_queue_put_get_matches_musim_trace),
        FIXTURE_TEST(test_spawning_two_children_matches_musim_trace),
        FIXTURE_TEST(test_cancel_before_start_matches_musim_trace),
        FIXTURE_TEST(test_cancel_running_matches_musim_trace),
        FIXTURE_TEST(test_lock_release_hands_over_without_a_turn_under_musim),
        FIXTURE_TEST(test_sleep_until_resumes_after_sleeps_due_with_it_under_musim),
        FIXTURE_TEST(test_sleep_until_the_past_is_an_instant),
        FIXTURE_TEST(test_scope_close_postpones_per_ended_child_under_musim),
        FIXTURE_TEST(test_resource_grant_and_release_postpone_twice_under_musim),
        FIXTURE_TEST(test_send_and_repeated_close_postpone_under_musim),
        FIXTURE_TEST(test_wait_that_holds_already_is_one_turn),
        FIXTURE_TEST(test_wait_that_held_checks_again_under_musim),
        FIXTURE_TEST(test_woken_waiter_checks_again_under_musim),
        FIXTURE_TEST(test_delayed_spawn_takes_its_first_turn_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
