/*
 * test_cond — conditions (usim_wait_cond), tracked updates and scopes
 * ended by a condition, scenario by scenario under every order.
 *
 * Each task notes "task:step@time" as it goes; a test compares the whole
 * sequence, worked out by hand in the comment above it from the turn
 * table of usim_order ("RQ": the ready tasks, next first).  Random is
 * checked where only one task is ready at each step, or for what every
 * draw gives.
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

/* Runs root to the end under o (seed 7); returns the trace. */
static const char *run(usim_order o, usim_fn root)
{
    return fixture_run_order(o, 7, root);
}

static const usim_order all_orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO,
                                        USIM_ORDER_RANDOM, USIM_ORDER_MUSIM};

static usim_flag fa, fb;
static usim_tracked tv;
static size_t fired;
static int wait_rc;

/* ------------------------------------------------------------------ */
/* Waking: a flag, the time, both                                       */
/* ------------------------------------------------------------------ */

static usim_cond flag_or_time[2];

static void *wait_flag_or_time(void *arg)
{
    (void)arg;
    usim_cond c = usim_cond_any(flag_or_time, 2);
    fired = 99;
    wait_rc = usim_wait_cond(&c, &fired);
    fixture_note("woke");
    return NULL;
}

static void *set_a_at_3(void *arg)
{
    (void)arg;
    usim_sleep(3);
    usim_flag_set(&fa, true);
    fixture_note("set");
    return NULL;
}

/* W waits for `a | time >= 5`; S sets a at 3.  W returns at 3, the flag
 * part fired, under every order; who notes first at 3 is the order's:
 * fifo and musim run the woken W before the setter goes on (fifo: a turn;
 * musim: W was queued, S postpones), lifo lets S go on; random draws. */
static void *flag_before_time_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    flag_or_time[0] = usim_cond_flag(&fa, true);
    flag_or_time[1] = usim_cond_time(USIM_GE, 5);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, wait_flag_or_time, NULL, "W");
    usim_scope_spawn(&s, set_a_at_3, NULL, "S");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_flag_part_fires_before_the_time_part(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        const char *t = run(all_orders[i], flag_before_time_main);
        assert_int_equal(wait_rc, 0);
        assert_int_equal(fired, 0);
        if (all_orders[i] == USIM_ORDER_LIFO)
            assert_string_equal(t, "S:set@3 W:woke@3");
        else if (all_orders[i] != USIM_ORDER_RANDOM)
            assert_string_equal(t, "W:woke@3 S:set@3");
        else
            assert_true(strcmp(t, "S:set@3 W:woke@3") == 0 ||
                        strcmp(t, "W:woke@3 S:set@3") == 0);
    }
}

static void *sleeper_5(void *arg)
{
    (void)arg;
    usim_sleep(5);
    fixture_note("slept");
    return NULL;
}

/* W waits for `a | time >= 5` (a never set), X sleeps 5; W's timer was
 * set first.  At 5 fifo and lifo run the due timers in that order, W
 * first; musim gives W μsim's trigger hop (the trigger's turn, then W
 * behind X): X first; random either. */
static void *time_part_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    flag_or_time[0] = usim_cond_flag(&fa, true);
    flag_or_time[1] = usim_cond_time(USIM_GE, 5);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, wait_flag_or_time, NULL, "W");
    usim_scope_spawn(&s, sleeper_5, NULL, "X");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_time_part_fires_with_musim_trigger_hop(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        const char *t = run(all_orders[i], time_part_main);
        assert_int_equal(wait_rc, 0);
        assert_int_equal(fired, 1);
        if (all_orders[i] == USIM_ORDER_MUSIM)
            assert_string_equal(t, "X:slept@5 W:woke@5");
        else if (all_orders[i] == USIM_ORDER_RANDOM)
            assert_true(strcmp(t, "X:slept@5 W:woke@5") == 0 ||
                        strcmp(t, "W:woke@5 X:slept@5") == 0);
        else
            assert_string_equal(t, "W:woke@5 X:slept@5");
    }
}

/* ------------------------------------------------------------------ */
/* A change that is undone before the waiter runs                       */
/* ------------------------------------------------------------------ */

static void *set_a_true_at_1(void *arg)
{
    (void)arg;
    usim_sleep(1);
    usim_flag_set(&fa, true);
    return NULL;
}

static void *set_a_false_at_1(void *arg)
{
    (void)arg;
    usim_sleep(1);
    usim_flag_set(&fa, false);
    return NULL;
}

/* W waits for `a | time >= 10`.  At 1, U (ready first) sets a, X (ready
 * behind it) clears it again.
 *   fifo: U's set wakes W (RQ X W) and U turns (X W U); X clears a; W
 *     returns at 1, the flag part fired at the change.
 *   lifo: U goes on and ends; X clears a; W returns at 1 as well.
 *   musim: U's set queues W (X W) and postpones (X W U); X clears a and
 *     postpones; W checks again, finds a false and waits on: the time
 *     part wakes it at 10 (after the trigger hop). */
static void *undone_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    flag_or_time[0] = usim_cond_flag(&fa, true);
    flag_or_time[1] = usim_cond_time(USIM_GE, 10);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, wait_flag_or_time, NULL, "W");
    usim_scope_spawn(&s, set_a_true_at_1, NULL, "U");
    usim_scope_spawn(&s, set_a_false_at_1, NULL, "X");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_change_undone_before_the_waiter_runs(void **state)
{
    (void)state;
    const usim_order o[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_MUSIM};
    for (size_t i = 0; i < 3; i++) {
        const char *t = run(o[i], undone_main);
        assert_int_equal(wait_rc, 0);
        if (o[i] == USIM_ORDER_MUSIM) {
            assert_string_equal(t, "W:woke@10");
            assert_int_equal(fired, 1);
        } else {
            assert_string_equal(t, "W:woke@1");
            assert_int_equal(fired, 0);
        }
    }
}

/* ------------------------------------------------------------------ */
/* One waiting order for plain waits and condition waits                */
/* ------------------------------------------------------------------ */

static usim_task *target;

static void *join_target(void *arg)
{
    (void)arg;
    assert_int_equal(usim_join(target, NULL), 0);
    fixture_note("joined");
    return NULL;
}

static void *wait_target_done(void *arg)
{
    (void)arg;
    usim_cond c = usim_cond_done(target, true);
    fired = 99;
    wait_rc = usim_wait_cond(&c, &fired);
    fixture_note("done");
    return NULL;
}

static void *sleep_2(void *arg)
{
    (void)arg;
    usim_sleep(2);
    return NULL;
}

/* J1 joins B, W waits for `B done` (usim_wait_cond), J2 joins B, in that
 * order; B ends at 2.  Its end wakes them in that waiting order under
 * every order (a task's end takes no turn), the condition waiter between
 * the two joiners: J1 W J2 (as μsim, which keeps one list). */
static void *join_order_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_scope s;
    usim_scope_open(&s);
    target = usim_scope_spawn(&s, sleep_2, NULL, "B");
    usim_scope_spawn(&s, join_target, NULL, "J1");
    usim_scope_spawn(&s, wait_target_done, NULL, "W");
    usim_scope_spawn(&s, join_target, NULL, "J2");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_task_end_wakes_joiners_and_conditions_in_waiting_order(void **state)
{
    (void)state;
    const usim_order o[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_MUSIM};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(run(o[i], join_order_main),
                            "J1:joined@2 W:done@2 J2:joined@2");
        assert_int_equal(wait_rc, 0);
        assert_int_equal(fired, 0);
    }
}

static void *plain_wait_a(void *arg)
{
    (void)arg;
    assert_int_equal(usim_flag_wait_true(&fa), 0);
    fixture_note("woke");
    return NULL;
}

static void *cond_wait_a(void *arg)
{
    (void)arg;
    usim_cond c = usim_cond_flag(&fa, true);
    assert_int_equal(usim_wait_cond(&c, NULL), 0);
    fixture_note("woke");
    return NULL;
}

/* P1 (usim_flag_wait_true), C (usim_wait_cond on the flag), P2 wait in
 * that order; S sets the flag at 1.  They wake in waiting order; fifo
 * and musim run them before S goes on, lifo after. */
static void *flag_order_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, plain_wait_a, NULL, "P1");
    usim_scope_spawn(&s, cond_wait_a, NULL, "C");
    usim_scope_spawn(&s, plain_wait_a, NULL, "P2");
    usim_sleep(1);
    usim_flag_set(&fa, true);
    fixture_note("set");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_flag_wakes_plain_and_condition_waiters_in_waiting_order(void **state)
{
    (void)state;
    assert_string_equal(run(USIM_ORDER_FIFO, flag_order_main),
                        "P1:woke@1 C:woke@1 P2:woke@1 main:set@1");
    assert_string_equal(run(USIM_ORDER_MUSIM, flag_order_main),
                        "P1:woke@1 C:woke@1 P2:woke@1 main:set@1");
    assert_string_equal(run(USIM_ORDER_LIFO, flag_order_main),
                        "main:set@1 P1:woke@1 C:woke@1 P2:woke@1");
}

/* ------------------------------------------------------------------ */
/* Entry: holding already, and μsim's connective postpone               */
/* ------------------------------------------------------------------ */

static void *set_b_now(void *arg)
{
    (void)arg;
    usim_flag_set(&fb, true);
    fixture_note("set");
    return NULL;
}

/* main spawns S, which sets b, then waits for `a | b` (both false then).
 *   fifo: the spawn is a turn: S sets b first; main finds it true.
 *   lifo: main blocks; S sets b, wakes it and goes on: S, then main.
 *   musim (measured with μsim): the spawn is no turn, but the connective
 *     postpones first (RQ S main); S sets b with nobody waiting and
 *     postpones (main S); main finds b true without ever waiting.
 *   random: either. */
static void *connective_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_flag_init(&fb, false, "b");
    usim_cond parts[2] = {usim_cond_flag(&fa, true), usim_cond_flag(&fb, true)};
    usim_cond c = usim_cond_any(parts, 2);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, set_b_now, NULL, "S");
    fired = 99;
    assert_int_equal(usim_wait_cond(&c, &fired), 0);
    fixture_note("woke");
    assert_int_equal(fired, 1);
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    usim_flag_destroy(&fb);
    return NULL;
}

static void test_connective_entry_per_order(void **state)
{
    (void)state;
    assert_string_equal(run(USIM_ORDER_FIFO, connective_main), "S:set@0 main:woke@0");
    assert_string_equal(run(USIM_ORDER_LIFO, connective_main), "S:set@0 main:woke@0");
    assert_string_equal(run(USIM_ORDER_MUSIM, connective_main), "main:woke@0 S:set@0");
    const char *t = run(USIM_ORDER_RANDOM, connective_main);
    assert_true(strcmp(t, "main:woke@0 S:set@0") == 0 ||
                strcmp(t, "S:set@0 main:woke@0") == 0);
}

static void *bystander(void *arg)
{
    (void)arg;
    fixture_note("ran");
    return NULL;
}

/* main waits for `a` (true already) with a bystander X ready: fifo and
 * musim take a turn (X runs first), lifo does not. */
static void *holds_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, true, "a");
    usim_cond c = usim_cond_flag(&fa, true);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, bystander, NULL, "X");
    assert_int_equal(usim_wait_cond(&c, NULL), 0);
    fixture_note("passed");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_holding_at_entry_is_a_turn_point(void **state)
{
    (void)state;
    assert_string_equal(run(USIM_ORDER_FIFO, holds_main), "X:ran@0 main:passed@0");
    assert_string_equal(run(USIM_ORDER_MUSIM, holds_main), "X:ran@0 main:passed@0");
    assert_string_equal(run(USIM_ORDER_LIFO, holds_main), "main:passed@0 X:ran@0");
}

/* ------------------------------------------------------------------ */
/* Tracked values in conditions, and updates                            */
/* ------------------------------------------------------------------ */

static void *tracked_steps(void *arg)
{
    (void)arg;
    /* 6 at 1, 12 at 2, 6 at 3, a set at 4, 12 at 5 */
    const usim_op op[] = {USIM_OP_ADD, USIM_OP_MUL, USIM_OP_DIV, USIM_OP_ADD};
    const double x[] = {6, 2, 2, 6};
    for (int i = 0; i < 4; i++) {
        usim_sleep(1);
        if (i == 3) {
            usim_flag_set(&fa, true);
            usim_sleep(1);
        }
        assert_int_equal(usim_tracked_update(&tv, op[i], x[i]), 0);
    }
    return NULL;
}

static void *wait_tracked_and_flag(void *arg)
{
    (void)arg;
    usim_cond parts[2] = {usim_cond_tracked(&tv, USIM_GE, 10),
                          usim_cond_flag(&fa, true)};
    usim_cond c = usim_cond_all(parts, 2);
    fired = 99;
    wait_rc = usim_wait_cond(&c, &fired);
    fixture_note("woke");
    return NULL;
}

/* W waits for `v >= 10 & a`: v is 12 at 2 and 6 again at 3, a is set at
 * 4, v is 12 at 5.  Only at 5 do both hold, under every order. */
static void *tracked_and_flag_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_tracked_init(&tv, 0, "v");
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, wait_tracked_and_flag, NULL, "W");
    usim_scope_spawn(&s, tracked_steps, NULL, "U");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_tracked_get(&tv) == 12);
    usim_tracked_destroy(&tv);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_all_of_tracked_and_flag(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(run(all_orders[i], tracked_and_flag_main), "W:woke@5");
        assert_int_equal(wait_rc, 0);
        assert_int_equal(fired, 0);
    }
}

static void *update_errors(void *arg)
{
    (void)arg;
    usim_tracked t;
    usim_tracked_init(&t, 7.5, "t");
    uint64_t ev = usim_sim_events(usim_current());
    assert_int_equal(usim_tracked_update(&t, USIM_OP_DIV, 0), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_FLOORDIV, 0), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_MOD, 0), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_AND, 1), USIM_EINVAL); /* 7.5 */
    assert_int_equal(usim_tracked_update(&t, USIM_OP_ADD, NAN), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, (usim_op)99, 1), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_POW, 0.5), 0); /* sqrt */
    assert_true(usim_tracked_get(&t) == sqrt(7.5));
    usim_tracked_set(&t, -8);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_POW, 1.0 / 3), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_SHL, 64), USIM_EINVAL);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_SHR, -1), USIM_EINVAL);
    assert_true(usim_tracked_get(&t) == -8);
    /* Python's signs: -8 >> 1 = -4, -8 % 3 = 1, -8 // 3 = -3, -8 ^ 3 = -5 */
    assert_int_equal(usim_tracked_update(&t, USIM_OP_SHR, 1), 0);
    assert_true(usim_tracked_get(&t) == -4);
    usim_tracked_set(&t, -8);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_MOD, 3), 0);
    assert_true(usim_tracked_get(&t) == 1);
    usim_tracked_set(&t, -8);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_FLOORDIV, 3), 0);
    assert_true(usim_tracked_get(&t) == -3);
    usim_tracked_set(&t, -8);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_XOR, 3), 0);
    assert_true(usim_tracked_get(&t) == -5);
    usim_tracked_set(&t, 7.5);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_MOD, -2), 0);
    assert_true(usim_tracked_get(&t) == -0.5);
    usim_tracked_set(&t, INFINITY);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_SUB, INFINITY), USIM_EINVAL);
    usim_tracked_set(&t, 1e308);
    assert_int_equal(usim_tracked_update(&t, USIM_OP_MUL, 10), 0); /* IEEE */
    assert_true(usim_tracked_get(&t) == INFINITY);
    /* No turn for the refused ones: only the 14 successful sets and
     * updates took one (musim postpones on each). */
    assert_int_equal(usim_sim_events(usim_current()), ev + 14);
    usim_tracked_destroy(&t);
    return NULL;
}

static void test_tracked_update_errors_and_python_semantics(void **state)
{
    (void)state;
    run(USIM_ORDER_MUSIM, update_errors);
    /* From the host, between runs, too. */
    usim_tracked t;
    usim_tracked_init(&t, 2, "host");
    assert_int_equal(usim_tracked_update(&t, USIM_OP_POW, 10), 0);
    assert_true(usim_tracked_get(&t) == 1024);
    usim_tracked_destroy(&t);
}

/* ------------------------------------------------------------------ */
/* Misuse and the blocking-call returns                                 */
/* ------------------------------------------------------------------ */

static void *errors_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    assert_int_equal(usim_wait_cond(NULL, NULL), USIM_EINVAL);
    usim_cond bad = usim_cond_time(USIM_NE, 1);
    assert_int_equal(usim_wait_cond(&bad, NULL), USIM_EINVAL);
    usim_cond moment = usim_cond_not(usim_cond_time(USIM_EQ, 1));
    assert_int_equal(usim_wait_cond(&moment, NULL), USIM_EINVAL);
    usim_cond nan = usim_cond_tracked(&tv, USIM_GE, NAN);
    assert_int_equal(usim_wait_cond(&nan, NULL), USIM_EINVAL);
    usim_cond noflag = usim_cond_flag(NULL, true);
    assert_int_equal(usim_wait_cond(&noflag, NULL), USIM_EINVAL);
    usim_cond null_parts = usim_cond_any(NULL, 2);
    assert_int_equal(usim_wait_cond(&null_parts, NULL), USIM_EINVAL);
    usim_cond many[USIM_COND_MAX_PARTS + 1];
    for (int i = 0; i <= USIM_COND_MAX_PARTS; i++)
        many[i] = usim_cond_flag(&fa, true);
    usim_cond too_many = usim_cond_any(many, USIM_COND_MAX_PARTS + 1);
    assert_int_equal(usim_wait_cond(&too_many, NULL), USIM_EINVAL);
    usim_cond deep[USIM_COND_DEPTH + 2];
    deep[0] = usim_cond_flag(&fa, true);
    for (int i = 1; i < USIM_COND_DEPTH + 2; i++)
        deep[i] = usim_cond_all(&deep[i - 1], 1);
    assert_int_equal(usim_wait_cond(&deep[USIM_COND_DEPTH + 1], NULL), USIM_EINVAL);
    assert_false(usim_cond_holds(&bad));
    assert_true(usim_now() == 0); /* nothing waited */

    /* The empty all holds, the empty any never does. */
    usim_cond none_all = usim_cond_all(NULL, 0), none_any = usim_cond_any(NULL, 0);
    assert_true(usim_cond_holds(&none_all));
    assert_false(usim_cond_holds(&none_any));

    /* usim_timeout ends a wait that nothing would end: with whole ticks
     * the clock reads 0, then 1, never exactly 0.5, so `time == 0.5` is
     * false for good once tick 1 has come. */
    usim_cond never = usim_cond_time(USIM_EQ, 0.5);
    assert_int_equal(usim_timeout(3), 0);
    assert_int_equal(usim_wait_cond(&never, NULL), USIM_ETIMEDOUT);
    assert_true(usim_now() == 3);
    usim_cond before = usim_cond_time(USIM_LT, 2); /* false at 3: forever */
    assert_int_equal(usim_timeout(1), 0);
    assert_int_equal(usim_wait_cond(&before, NULL), USIM_ETIMEDOUT);
    assert_true(usim_now() == 4);
    usim_cond after = usim_cond_not(usim_cond_time(USIM_LT, 6)); /* time >= 6 */
    assert_int_equal(usim_wait_cond(&after, NULL), 0);
    assert_true(usim_now() == 6);
    usim_cond exact = usim_cond_time(USIM_EQ, 8);
    assert_int_equal(usim_wait_cond(&exact, NULL), 0);
    assert_true(usim_now() == 8);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_errors_and_time_parts(void **state)
{
    (void)state;
    usim_tracked_init(&tv, 0, "v");
    for (size_t i = 0; i < 4; i++)
        run(all_orders[i], errors_main);
    usim_tracked_destroy(&tv);
    usim_cond c = usim_cond_time(USIM_GE, 0);
    assert_int_equal(usim_wait_cond(&c, NULL), USIM_ESTATE);
}

static void *cancelled_waiter(void *arg)
{
    (void)arg;
    usim_cond parts[2] = {usim_cond_flag(&fa, true), usim_cond_time(USIM_GE, 50)};
    usim_cond c = usim_cond_any(parts, 2);
    wait_rc = usim_wait_cond(&c, NULL);
    fixture_note("out");
    /* Its listeners are gone: a later set reaches nobody. */
    return NULL;
}

/* W waits for `a | time >= 50`; main cancels it at 2 and then sets a:
 * under lifo and musim in the same turn, before W has run (the set must
 * leave the woken W alone), under fifo and random after W ran. */
static void *cancel_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_task *w = usim_spawn(cancelled_waiter, NULL, "W");
    usim_sleep(2);
    usim_cancel(w);
    usim_flag_set(&fa, true);
    assert_int_equal(usim_join(w, NULL), USIM_ECANCELED);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_cancel_ends_a_condition_wait(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(run(all_orders[i], cancel_main), "W:out@2");
        assert_int_equal(wait_rc, USIM_ECANCELED);
    }
}

/* ------------------------------------------------------------------ */
/* Scopes ended by a condition                                          */
/* ------------------------------------------------------------------ */

static int child_rc;

static void *child_sleeps_10(void *arg)
{
    (void)arg;
    child_rc = usim_sleep(10);
    fixture_note("child");
    return NULL;
}

static void *set_a_at_3_outside(void *arg)
{
    (void)arg;
    usim_sleep(3);
    usim_flag_set(&fa, true);
    return NULL;
}

/* A scope that ends when a is set (at 3, by a task outside it): the
 * owner's sleep(100) and its child's sleep(10) both return
 * USIM_ETIMEDOUT at 3, under every order; close then returns at once. */
static void *scope_flag_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_task *setter = usim_spawn(set_a_at_3_outside, NULL, "S");
    usim_cond c = usim_cond_flag(&fa, true);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    usim_scope_spawn(&s, child_sleeps_10, NULL, "C");
    assert_int_equal(usim_sleep(100), USIM_ETIMEDOUT);
    fixture_note("owner");
    int rc = usim_scope_close(&s);
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    assert_true(usim_now() == 3);
    /* Outside the scope the deadline is gone. */
    assert_int_equal(usim_sleep(1), 0);
    assert_int_equal(usim_join(setter, NULL), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_scope_ends_when_a_flag_is_set(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        const char *t = run(all_orders[i], scope_flag_main);
        assert_int_equal(child_rc, USIM_ETIMEDOUT);
        assert_true(strcmp(t, "C:child@3 main:owner@3") == 0 ||
                    strcmp(t, "main:owner@3 C:child@3") == 0);
    }
}

/* A scope that ends on `a | b`: b is set at 2.  fifo, lifo, random: the
 * owner's sleep(10) returns USIM_ETIMEDOUT at 2.  musim, as μsim: an any
 * fires only if it holds at the open, so the sleep completes at 10. */
static void *set_b_at_2(void *arg)
{
    (void)arg;
    usim_sleep(2);
    usim_flag_set(&fb, true);
    return NULL;
}

static void *scope_any_main(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_flag_init(&fb, false, "b");
    usim_task *setter = usim_spawn(set_b_at_2, NULL, "S");
    usim_cond parts[2] = {usim_cond_flag(&fa, true), usim_cond_flag(&fb, true)};
    usim_cond c = usim_cond_any(parts, 2);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    wait_rc = usim_sleep(10);
    fixture_note("owner");
    usim_scope_close(&s);
    usim_join(setter, NULL);
    usim_flag_destroy(&fa);
    usim_flag_destroy(&fb);
    return NULL;
}

static void test_scope_ending_on_an_any(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        const char *t = run(all_orders[i], scope_any_main);
        if (all_orders[i] == USIM_ORDER_MUSIM) {
            assert_string_equal(t, "main:owner@10");
            assert_int_equal(wait_rc, 0);
        } else {
            assert_string_equal(t, "main:owner@2");
            assert_int_equal(wait_rc, USIM_ETIMEDOUT);
        }
    }
}

/* A tracked comparison or the time, whichever first: the scope
 * `v >= 3 | time >= 7` ends at 7 when v only reaches 2, at 4 when it
 * reaches 3 then; a nested scope of the owner ends with it. */
static double v_at_4;

static void *raise_v_at_4(void *arg)
{
    (void)arg;
    usim_sleep(4);
    usim_tracked_set(&tv, v_at_4);
    return NULL;
}

static void *scope_tracked_main(void *arg)
{
    (void)arg;
    usim_tracked_init(&tv, 0, "v");
    usim_task *setter = usim_spawn(raise_v_at_4, NULL, "S");
    usim_cond parts[2] = {usim_cond_tracked(&tv, USIM_GE, 3),
                          usim_cond_time(USIM_GE, 7)};
    usim_cond c = usim_cond_any(parts, 2);
    usim_scope s, inner;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    usim_scope_open(&inner);
    wait_rc = usim_sleep(100);
    fixture_note("owner");
    usim_scope_close(&inner);
    usim_scope_close(&s);
    usim_join(setter, NULL);
    usim_tracked_destroy(&tv);
    return NULL;
}

static void test_scope_ending_on_tracked_or_time(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        v_at_4 = 2;
        assert_string_equal(run(all_orders[i], scope_tracked_main), "main:owner@7");
        assert_int_equal(wait_rc, USIM_ETIMEDOUT);
        if (all_orders[i] == USIM_ORDER_MUSIM)
            continue; /* an any fires later only outside musim */
        v_at_4 = 3;
        assert_string_equal(run(all_orders[i], scope_tracked_main), "main:owner@4");
        assert_int_equal(wait_rc, USIM_ETIMEDOUT);
    }
}

/* A scope ended by a primitive whose plain waiters include the scope's
 * own children: the change fires the scope first (it began watching
 * before they began waiting), which wakes the children with
 * USIM_ETIMEDOUT and takes them off the primitive's wait list while the
 * primitive is walking it; the walk goes on with the waiter outside the
 * scope, which the change itself wakes (0).  All at 3, under every
 * order, for a flag, a tracked value, the levels of a resources and the
 * end of a task. */
enum scope_prim { PRIM_FLAG, PRIM_TRACKED, PRIM_RESOURCES, PRIM_DONE };
static enum scope_prim prim;
static usim_resources pool;
static const double one[1] = {1};
static usim_task *ender;
static int in_rc[2], out_rc;
static double in_at[2], out_at;

static int prim_wait(void)
{
    switch (prim) {
    case PRIM_FLAG:
        return usim_flag_wait_true(&fa);
    case PRIM_TRACKED:
        return usim_tracked_wait(&tv, USIM_GE, 1);
    case PRIM_RESOURCES:
        return usim_resources_wait(&pool, USIM_GE, one);
    case PRIM_DONE:
        return usim_join(ender, NULL);
    }
    return -1;
}

static void *in_scope_waiter(void *arg)
{
    int *i = arg;
    in_rc[*i] = prim_wait();
    in_at[*i] = usim_now();
    return NULL;
}

static void *outside_waiter(void *arg)
{
    (void)arg;
    usim_sleep(1); /* begins waiting after the children */
    out_rc = prim_wait();
    out_at = usim_now();
    return NULL;
}

static void *change_at_3(void *arg)
{
    (void)arg;
    usim_sleep(3);
    if (prim == PRIM_FLAG)
        usim_flag_set(&fa, true);
    else if (prim == PRIM_TRACKED)
        usim_tracked_set(&tv, 1);
    else if (prim == PRIM_RESOURCES)
        usim_resources_increase(&pool, one);
    return NULL; /* PRIM_DONE: its end is the change */
}

static void *scope_children_wait_main(void *arg)
{
    (void)arg;
    static const char *const kinds[1] = {"k"};
    static int idx[2] = {0, 1};
    usim_flag_init(&fa, false, "a");
    usim_tracked_init(&tv, 0, "v");
    assert_int_equal(usim_resources_init(&pool, 1, kinds, (double[]){0}, 0, "pool"), 0);
    ender = usim_spawn(change_at_3, NULL, "S");
    usim_task *outside = usim_spawn(outside_waiter, NULL, "W");
    usim_cond c = prim == PRIM_FLAG        ? usim_cond_flag(&fa, true)
                  : prim == PRIM_TRACKED   ? usim_cond_tracked(&tv, USIM_GE, 1)
                  : prim == PRIM_RESOURCES ? usim_cond_resources(&pool, USIM_GE, one)
                                           : usim_cond_done(ender, true);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    usim_scope_spawn(&s, in_scope_waiter, &idx[0], "C0");
    usim_scope_spawn(&s, in_scope_waiter, &idx[1], "C1");
    wait_rc = usim_sleep(100);
    assert_true(usim_now() == 3);
    usim_scope_close(&s);
    assert_int_equal(usim_join(outside, NULL), 0);
    if (prim != PRIM_DONE)
        assert_int_equal(usim_join(ender, NULL), 0);
    usim_flag_destroy(&fa);
    usim_tracked_destroy(&tv);
    usim_resources_destroy(&pool);
    return NULL;
}

static void test_scope_children_waiting_on_what_ends_the_scope(void **state)
{
    (void)state;
    for (int p = PRIM_FLAG; p <= PRIM_DONE; p++) {
        for (size_t i = 0; i < 4; i++) {
            prim = (enum scope_prim)p;
            in_rc[0] = in_rc[1] = out_rc = wait_rc = 99;
            in_at[0] = in_at[1] = out_at = -1;
            run(all_orders[i], scope_children_wait_main);
            assert_int_equal(wait_rc, USIM_ETIMEDOUT);
            assert_int_equal(in_rc[0], USIM_ETIMEDOUT);
            assert_int_equal(in_rc[1], USIM_ETIMEDOUT);
            assert_int_equal(out_rc, 0);
            assert_true(in_at[0] == 3 && in_at[1] == 3 && out_at == 3);
        }
    }
}

/* A task that fails the run inside a scope ended by `a | v >= 1` never
 * closes the scope: its watch, on the abandoned stack, must stop
 * watching a and v then.  A task that the destroy unwinds then changes
 * both (with the watch still there, the change would reach the dead
 * stack), and a and v are left without listeners, so destroying them
 * after the simulation is fine. */
static void *sets_both_when_unwound(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep(10), USIM_ECANCELED);
    usim_flag_set(&fa, true);
    usim_tracked_set(&tv, 5);
    return NULL;
}

static void *fails_inside_scope_when(void *arg)
{
    (void)arg;
    usim_cond parts[2] = {usim_cond_flag(&fa, true),
                          usim_cond_tracked(&tv, USIM_GE, 1)};
    usim_cond c = usim_cond_any(parts, 2);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    assert_int_equal(usim_sleep(1), 0);
    usim_fail("gives up");
    return NULL;
}

static void test_failing_inside_scope_when_leaves_no_listeners(void **state)
{
    (void)state;
    usim_flag_init(&fa, false, "a");
    usim_tracked_init(&tv, 0, "v");
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1.0;
    usim_sim *sim = fixture_sim(&cfg);
    assert_non_null(usim_sim_spawn(sim, sets_both_when_unwound, NULL, "U"));
    assert_non_null(usim_sim_spawn(sim, fails_inside_scope_when, NULL, "F"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_true(usim_sim_now(sim) == 1);
    assert_null(fa.cond.head);
    assert_null(tv.cond.head);
    fixture_destroy(sim);
    assert_true(usim_flag_get(&fa));
    assert_null(fa.cond.head);
    assert_null(tv.cond.head);
    usim_flag_destroy(&fa);
    usim_tracked_destroy(&tv);
}

static void *scope_when_errors(void *arg)
{
    (void)arg;
    usim_flag_init(&fa, false, "a");
    usim_scope s;
    usim_cond parts[2] = {usim_cond_flag(&fa, true), usim_cond_time(USIM_GE, 5)};
    usim_cond both = usim_cond_all(parts, 2);
    assert_int_equal(usim_scope_open_when(&s, &both), USIM_EINVAL);
    usim_cond many[USIM_SCOPE_WHEN_MAX + 1];
    for (int i = 0; i <= USIM_SCOPE_WHEN_MAX; i++)
        many[i] = usim_cond_flag(&fa, true);
    usim_cond too_many = usim_cond_any(many, USIM_SCOPE_WHEN_MAX + 1);
    assert_int_equal(usim_scope_open_when(&s, &too_many), USIM_EINVAL);
    assert_int_equal(usim_scope_open_when(NULL, &parts[0]), USIM_EINVAL);
    /* An all with a time part that can never rise is fine. */
    usim_cond never[2] = {usim_cond_flag(&fa, true), usim_cond_time(USIM_LT, 0)};
    usim_cond ok = usim_cond_all(never, 2);
    assert_int_equal(usim_scope_open_when(&s, &ok), 0);
    assert_int_equal(usim_sleep(1), 0);
    assert_int_equal(usim_scope_close(&s), 0);
    usim_flag_destroy(&fa);
    return NULL;
}

static void test_scope_open_when_errors(void **state)
{
    (void)state;
    run(USIM_ORDER_FIFO, scope_when_errors);
    usim_scope s;
    usim_cond c = usim_cond_time(USIM_GE, 1);
    assert_int_equal(usim_scope_open_when(&s, &c), USIM_ESTATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_flag_part_fires_before_the_time_part),
        FIXTURE_TEST(test_time_part_fires_with_musim_trigger_hop),
        FIXTURE_TEST(test_change_undone_before_the_waiter_runs),
        FIXTURE_TEST(test_task_end_wakes_joiners_and_conditions_in_waiting_order),
        FIXTURE_TEST(test_flag_wakes_plain_and_condition_waiters_in_waiting_order),
        FIXTURE_TEST(test_connective_entry_per_order),
        FIXTURE_TEST(test_holding_at_entry_is_a_turn_point),
        FIXTURE_TEST(test_all_of_tracked_and_flag),
        FIXTURE_TEST(test_tracked_update_errors_and_python_semantics),
        FIXTURE_TEST(test_errors_and_time_parts),
        FIXTURE_TEST(test_cancel_ends_a_condition_wait),
        FIXTURE_TEST(test_scope_ends_when_a_flag_is_set),
        FIXTURE_TEST(test_scope_ending_on_an_any),
        FIXTURE_TEST(test_scope_ending_on_tracked_or_time),
        FIXTURE_TEST(test_scope_children_waiting_on_what_ends_the_scope),
        FIXTURE_TEST(test_scope_open_when_errors),
        FIXTURE_TEST(test_failing_inside_scope_when_leaves_no_listeners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
