/*
 * test_resources — multi-kind resources (usim_resources), scenario by
 * scenario, under every turn order.
 *
 * Each task notes "task:event@t" as it goes; a test compares the whole
 * trace with one worked out by hand in the comment above it, for fifo,
 * lifo and musim.  Under random the order of tasks at one time is drawn,
 * so a random run is checked on what does not depend on it (each task's
 * times, sorted trace).  Resolution 1: times are whole ticks.  The last
 * scenarios wait on the levels as a condition part (usim_cond_resources).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

static const char *const kinds[] = {"cpu", "mem"};
static usim_resources res;
static unsigned flags;

typedef struct user {
    double cpu, mem, hold, start;
} user;

/* Waits until `start`, borrows (cpu, mem) for `hold`, gives it back. */
static void *use(void *arg)
{
    const user *u = arg;
    if (u->start > 0)
        assert_int_equal(usim_sleep(u->start), 0);
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){u->cpu, u->mem}, &sub), 0);
    fixture_note("got");
    assert_int_equal(usim_sleep(u->hold), 0);
    fixture_note("ret");
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static const user users3[] = {{6, 4, 10, 0}, {6, 4, 10, 0}, {4, 6, 5, 0}};

static void *three_users(void *arg)
{
    (void)arg;
    assert_int_equal(
        usim_capacities_init(&res, 2, kinds, (double[]){10, 10}, flags, "pool"), 0);
    usim_scope s;
    usim_scope_open(&s);
    const char *names[] = {"U1", "U2", "U3"};
    for (int i = 0; i < 3; i++)
        usim_scope_spawn(&s, use, (void *)&users3[i], names[i]);
    assert_int_equal(usim_scope_close(&s), 0);
    usim_resources_destroy(&res);
    return NULL;
}

/*
 * Capacities (10, 10).  U1 and U2 borrow (6, 4) for 10, U3 (4, 6) for 5,
 * all at 0.
 * Any-fit: U1 takes (6, 4); U2 does not fit (4 cpu left) and waits; U3
 * fits in (4, 6) and takes it although U2 waits before it.  U3 returns
 * at 5 (levels (4, 6): U2 still does not fit), U1 at 10: U2 gets it at
 * 10 and returns at 20.  Under fifo and musim the woken U2 runs before
 * U1 goes on, under lifo after, but "ret" is noted before the return.
 * Every order gives the same trace: at 0 the users run in spawn order
 * (fifo: each spawn is a turn; lifo, musim: main spawns all, then they
 * run in ring order).
 */
static void test_any_fit_lets_a_fitting_borrow_overtake(void **state)
{
    (void)state;
    const char *want = "U1:got@0 U3:got@0 U3:ret@5 U1:ret@10 U2:got@10 U2:ret@20";
    flags = 0;
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, three_users), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, three_users), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, three_users), want);
    char expect[256];
    snprintf(expect, sizeof expect, "%s", fixture_sorted(want));
    for (uint64_t seed = 1; seed <= 4; seed++)
        assert_string_equal(
            fixture_sorted(fixture_run_order(USIM_ORDER_RANDOM, seed, three_users)),
            expect);
}

/*
 * The same with USIM_RESOURCES_FIFO: U3 fits at 0 but waits behind U2
 * (no overtaking).  At 10 U1's return gives (10, 10): U2 takes (6, 4),
 * then U3 (4, 6) — both granted by U1 in waiting order, so U2 runs
 * before U3 under every order.  U3 returns at 15, U2 at 20.
 */
static void test_head_of_line_serves_in_arrival_order(void **state)
{
    (void)state;
    const char *want = "U1:got@0 U1:ret@10 U2:got@10 U3:got@10 U3:ret@15 U2:ret@20";
    flags = USIM_RESOURCES_FIFO;
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, three_users), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, three_users), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, three_users), want);
    char expect[256];
    snprintf(expect, sizeof expect, "%s", fixture_sorted(want));
    for (uint64_t seed = 1; seed <= 4; seed++)
        assert_string_equal(
            fixture_sorted(fixture_run_order(USIM_ORDER_RANDOM, seed, three_users)),
            expect);
    flags = 0;
}

/* H holds cpu 1 until 10.  W asks for it at 0 (after one turn) and
 * waits.  N sleeps to 10 in two steps (so that its timer at 10 is set
 * after H's), takes one more turn, then asks. */
static void *barge_h(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){1, 0}, &sub), 0);
    assert_int_equal(usim_sleep(10), 0);
    fixture_note("ret");
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *barge_w(void *arg)
{
    (void)arg;
    usim_instant();
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){1, 0}, &sub), 0);
    fixture_note("got");
    assert_int_equal(usim_sleep(5), 0);
    fixture_note("ret");
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *barge_n(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep(5), 0);
    assert_int_equal(usim_sleep(5), 0);
    usim_instant();
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){1, 0}, &sub), 0);
    fixture_note("got");
    assert_int_equal(usim_sleep(5), 0);
    fixture_note("ret");
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *barge_main(void *arg)
{
    (void)arg;
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){1, 0}, 0, "pool"),
                     0);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, barge_h, NULL, "H");
    usim_scope_spawn(&s, barge_w, NULL, "W");
    usim_scope_spawn(&s, barge_n, NULL, "N");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_resources_destroy(&res);
    return NULL;
}

/*
 * Who gets resources that come back while another task is ready.
 * musim (μsim's rule, measured with μsim 0.4.4: H ret 10, N got 10,
 * N ret 15, W got 15, W ret 20): at 10 the ready tasks are H, N (timer
 * order: N's was set at 5).  H's return postpones (emptying its sub): [N, H].  N's
 * instant: [H, N].  H gives back, wakes W ([N, W]) and postpones.  N asks: cpu 1 is
 * there, N takes it.  W checks again: nothing left, waits again, and gets it when N
 * returns at 15. fifo and lifo: H's return grants cpu to W at once, so N finds none and
 * waits until W returns at 15.  (fifo: H, then N's instant puts it
 * behind W; lifo: H runs to its end first.)
 */
static void test_returned_resources_go_to_the_waiter_or_the_barger(void **state)
{
    (void)state;
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, barge_main),
                        "H:ret@10 N:got@10 N:ret@15 W:got@15 W:ret@20");
    const char *granted = "H:ret@10 W:got@10 W:ret@15 N:got@15 N:ret@20";
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, barge_main), granted);
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, barge_main), granted);
}

/* X takes eight turns, noting each. */
static void *turn_x(void *arg)
{
    (void)arg;
    for (int i = 0; i < 8; i++) {
        fixture_note("x");
        usim_instant();
    }
    return NULL;
}

static void *turn_w(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){2, 0}, &sub), 0);
    fixture_note("got");
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *turn_main(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){2, 0}, 0, "pool"),
                     0);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, turn_x, NULL, "X");
    assert_int_equal(usim_resources_borrow(&res, (double[]){1, 0}, &sub), 0);
    fixture_note("got");
    usim_scope_spawn(&s, turn_w, NULL, "W");
    usim_instant();
    fixture_note("back");
    assert_int_equal(usim_resources_return(&sub), 0);
    fixture_note("ret");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_resources_destroy(&res);
    return NULL;
}

/*
 * The turns a borrow and a return take.  main borrows cpu 1 of 2 beside
 * X (eight noted turns), spawns W (cpu 2, which must wait), takes a
 * turn, and returns its borrow, which lets W through.
 * musim (measured with μsim 0.4.4: X X got X back X X ret X X Wgot X):
 * the borrow postpones twice (X runs twice before "got"), the return
 * twice, waking W at the second; W checks again, takes cpu 2 and
 * postpones twice before its "got".
 * fifo: the spawn of X is a turn (X first); a borrow or return that
 * wakes nobody is no turn; main's return grants W and is a turn, so X
 * and W run before "ret".
 * lifo: main runs on through spawns, its borrow and its return (which
 * grants W); only its instant lets X run.
 */
static void test_borrow_and_return_turns(void **state)
{
    (void)state;
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, turn_main),
                        "X:x@0 X:x@0 main:got@0 X:x@0 main:back@0 X:x@0 X:x@0 "
                        "main:ret@0 X:x@0 X:x@0 W:got@0 X:x@0");
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, turn_main),
                        "X:x@0 main:got@0 X:x@0 X:x@0 main:back@0 X:x@0 W:got@0 "
                        "main:ret@0 X:x@0 X:x@0 X:x@0 X:x@0");
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, turn_main),
                        "main:got@0 X:x@0 main:back@0 main:ret@0 X:x@0 W:got@0 "
                        "X:x@0 X:x@0 X:x@0 X:x@0 X:x@0 X:x@0");
}

static void *watcher(void *arg)
{
    (void)arg;
    assert_int_equal(usim_resources_wait(&res, USIM_GE, (double[]){5, 5}), 0);
    fixture_note("woke");
    return NULL;
}

static void *wait_main(void *arg)
{
    (void)arg;
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){0, 0}, 0, "pool"),
                     0);
    usim_task *w = usim_spawn(watcher, NULL, "W");
    assert_int_equal(usim_sleep(1), 0);
    assert_int_equal(usim_resources_increase(&res, (double[]){5, 0}), 0);
    fixture_note("inc");
    assert_int_equal(usim_sleep(1), 0);
    assert_int_equal(usim_resources_increase(&res, (double[]){0, 5}), 0);
    fixture_note("inc");
    assert_int_equal(usim_join(w, NULL), 0);
    usim_resources_destroy(&res);
    return NULL;
}

/*
 * W waits for (cpu, mem) >= (5, 5) on an open supply at (0, 0).  At 1
 * main raises cpu to 5: mem is still 0, W waits on.  At 2 mem becomes 5:
 * W is woken.  fifo: the increase is a turn point, W runs first; musim:
 * the increase postpones main behind W; lifo: main goes on first.
 */
static void test_wait_on_levels_wakes_when_every_kind_holds(void **state)
{
    (void)state;
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, wait_main),
                        "main:inc@1 W:woke@2 main:inc@2");
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, wait_main),
                        "main:inc@1 W:woke@2 main:inc@2");
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, wait_main),
                        "main:inc@1 main:inc@2 W:woke@2");
}

/*
 * Head-of-line: H holds cpu 6 from 0 to 10; B (cpu 6) waits at the head,
 * S (cpu 4, which fits) waits behind it.  Cancelling B at 2 lets S
 * through at once: S gets cpu 4 at 2 and returns at 3; B's borrow
 * returns USIM_ECANCELED (noted).  The cancel wakes B; B leaving the
 * head grants S and wakes it, which is a turn point under fifo (S notes
 * first) and not under lifo and musim (B notes first: μsim's waiter
 * leaving a wait does not suspend).
 */
static void *hol_b(void *arg)
{
    (void)arg;
    usim_resources sub;
    int rc = usim_resources_borrow(&res, (double[]){6, 0}, &sub);
    fixture_note(rc == USIM_ECANCELED ? "cancelled" : "got");
    return NULL;
}

static void *hol_main2(void *arg)
{
    (void)arg;
    assert_int_equal(usim_capacities_init(&res, 2, kinds, (double[]){10, 10},
                                          USIM_RESOURCES_FIFO, "pool"),
                     0);
    static const user holder = {6, 0, 10, 0}, small = {4, 0, 1, 0};
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, use, (void *)&holder, "H");
    assert_int_equal(usim_instant(), 0);
    usim_task *b = usim_scope_spawn(&s, hol_b, NULL, "B");
    assert_int_equal(usim_instant(), 0);
    usim_scope_spawn(&s, use, (void *)&small, "S");
    assert_int_equal(usim_sleep(2), 0);
    assert_int_equal(usim_resources_waiting(&res), 2);
    usim_cancel(b);
    assert_int_equal(usim_scope_close(&s), 0);
    usim_resources_destroy(&res);
    return NULL;
}

static void test_head_of_line_cancel_lets_the_next_through(void **state)
{
    (void)state;
    const char *want = "H:got@0 B:cancelled@2 S:got@2 S:ret@3 H:ret@10";
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, hol_main2),
                        "H:got@0 S:got@2 B:cancelled@2 S:ret@3 H:ret@10");
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, hol_main2), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, hol_main2), want);
}

static usim_resources outer;

static void *sub_waiter(void *arg)
{
    (void)arg;
    usim_resources s2;
    assert_int_equal(usim_resources_borrow(&outer, (double[]){3, 3}, &s2), 0);
    fixture_note("got");
    assert_int_equal(usim_resources_return(&s2), 0);
    return NULL;
}

static void *sub_main(void *arg)
{
    (void)arg;
    usim_resources inner;
    double lev[2];
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){10, 10}, 0, "pool"),
                     0);
    assert_int_equal(usim_resources_borrow(&res, (double[]){5, 5}, &outer), 0);
    assert_int_equal(usim_resources_levels(&res, lev), 0);
    assert_true(lev[0] == 5 && lev[1] == 5);
    /* The sub is a fixed supply of (5, 5): more can never fit. */
    assert_int_equal(usim_resources_borrow(&outer, (double[]){6, 0}, &inner),
                     USIM_EINVAL);
    assert_int_equal(usim_resources_increase(&outer, (double[]){1, 1}), USIM_EINVAL);
    assert_int_equal(usim_resources_borrow(&outer, (double[]){3, 3}, &inner), 0);
    assert_int_equal(usim_resources_levels(&outer, lev), 0);
    assert_true(lev[0] == 2 && lev[1] == 2);
    usim_task *w = usim_spawn(sub_waiter, NULL, "W");
    assert_int_equal(usim_sleep(4), 0);
    fixture_note("inner-ret");
    assert_int_equal(usim_resources_return(&inner), 0);
    assert_int_equal(usim_join(w, NULL), 0);
    assert_int_equal(usim_resources_return(&outer), 0);
    assert_int_equal(usim_resources_levels(&res, lev), 0);
    assert_true(lev[0] == 10 && lev[1] == 10);
    usim_resources_destroy(&res);
    return NULL;
}

/*
 * Borrowing from a borrow: main borrows (5, 5) from (10, 10), then
 * (3, 3) of that sub, leaving it (2, 2).  W asks the sub for (3, 3) and
 * waits; main returns the inner borrow at 4 and W gets it then.  The top
 * supply is back at (10, 10) after both returns.
 */
static void test_sub_borrows_are_supplies_of_their_own(void **state)
{
    (void)state;
    const char *want = "main:inner-ret@4 W:got@4";
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, sub_main), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, sub_main), want);
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, sub_main), want);
}

/* Bad arguments: USIM_EINVAL with a message naming the problem. */
static void *errors_main(void *arg)
{
    (void)arg;
    usim_resources r, sub;
    const double two[] = {1, 1};
    const char *const dup[] = {"cpu", "cpu"};
    const char *const empty[] = {"cpu", ""};
    const char *const nul[] = {"cpu", NULL};
    const char *const many[9] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    const double nine[9] = {0};
    assert_int_equal(usim_resources_init(&r, 2, dup, two, 0, "x"), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "kind 'cpu' named twice"));
    assert_int_equal(usim_resources_init(&r, 2, empty, two, 0, "x"), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "kind 1 has no name"));
    assert_int_equal(usim_resources_init(&r, 2, nul, two, 0, "x"), USIM_EINVAL);
    assert_int_equal(usim_resources_init(&r, 9, many, nine, 0, "x"), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "9 kinds"));
    assert_int_equal(usim_resources_init(&r, 2, kinds, (double[]){1, NAN}, 0, "x"),
                     USIM_EINVAL);
    assert_int_equal(usim_resources_init(&r, 2, kinds, two, 4, "x"), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "unknown flags"));

    assert_int_equal(usim_capacities_init(&r, 2, kinds, (double[]){10, 10}, 0, "x"), 0);
    assert_int_equal(usim_resources_kind(&r, "mem"), 1);
    assert_int_equal(usim_resources_kind(&r, "disk"), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "'x' has no kind 'disk'"));
    assert_int_equal(usim_resources_borrow(&r, (double[]){NAN, 0}, &sub), USIM_EINVAL);
    assert_int_equal(usim_resources_borrow(&r, two, NULL), USIM_EINVAL);
    assert_int_equal(usim_resources_borrow(&r, two, &r), USIM_EINVAL);
    assert_int_equal(usim_resources_increase(&r, two), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "fixed capacities"));
    assert_int_equal(usim_resources_wait(&r, (usim_cmp)42, two), USIM_EINVAL);
    assert_false(usim_resources_test(&r, USIM_EQ, (double[]){NAN, 0}));
    /* A claim that does not fit is USIM_EAGAIN and takes nothing. */
    assert_int_equal(usim_resources_claim(&r, (double[]){10, 10}, &sub), 0);
    usim_resources sub2;
    assert_int_equal(usim_resources_claim(&r, two, &sub2), USIM_EAGAIN);
    /* A supply with a live borrow cannot be destroyed; a cancelled task
     * still returns what it borrowed, and at once. */
    usim_cancel(usim_self());
    assert_int_equal(usim_resources_return(&sub), 0);
    assert_true(usim_resources_test(&r, USIM_EQ, (double[]){10, 10}));
    assert_int_equal(usim_resources_borrow(&r, two, &sub), USIM_ECANCELED);
    usim_resources_destroy(&r);
    fixture_note("ok");
    return NULL;
}

static void test_bad_arguments_are_einval(void **state)
{
    (void)state;
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, errors_main),
                        "main:ok@0");
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, errors_main),
                        "main:ok@0");
}

/* ---------------------------------------------------------------- */
/* The levels as a condition part (usim_cond_resources)               */
/* ---------------------------------------------------------------- */

static usim_flag fa;
static size_t fired;
static double hold_for, set_at; /* set_at 0: nobody sets the flag */

/* H borrows (6, 4) for hold_for and notes when it has given it back. */
static void *cond_holder(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){6, 4}, &sub), 0);
    fixture_note("got");
    assert_int_equal(usim_sleep(hold_for), 0);
    assert_int_equal(usim_resources_return(&sub), 0);
    fixture_note("back");
    return NULL;
}

/* W waits, from 1, for `levels >= (8, 8) | a`. */
static void *cond_waiter(void *arg)
{
    (void)arg;
    static const double want[] = {8, 8};
    assert_int_equal(usim_sleep(1), 0);
    fixture_note("wait");
    usim_cond parts[2] = {usim_cond_resources(&res, USIM_GE, want),
                          usim_cond_flag(&fa, true)};
    usim_cond c = usim_cond_any(parts, 2);
    fired = 99;
    assert_int_equal(usim_wait_cond(&c, &fired), 0);
    fixture_note("woke");
    return NULL;
}

static void *cond_setter(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep(set_at), 0);
    usim_flag_set(&fa, true);
    fixture_note("set");
    return NULL;
}

static void *cond_main(void *arg)
{
    (void)arg;
    assert_int_equal(
        usim_capacities_init(&res, 2, kinds, (double[]){10, 10}, 0, "pool"), 0);
    usim_flag_init(&fa, false, "a");
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, cond_holder, NULL, "H");
    usim_scope_spawn(&s, cond_waiter, NULL, "W");
    if (set_at > 0)
        usim_scope_spawn(&s, cond_setter, NULL, "S");
    assert_int_equal(usim_scope_close(&s), 0);
    fixture_note("end");
    usim_flag_destroy(&fa);
    usim_resources_destroy(&res);
    return NULL;
}

/*
 * Capacities (10, 10).  H borrows (6, 4) at 0 and holds it for 2; W
 * waits from 1 for `levels >= (8, 8) | a` (levels (4, 6): false); nobody
 * sets a.  At 3 H's return brings the levels back to (10, 10): the
 * resources part fires (index 0) and W returns at 3.
 * fifo: the return wakes W, a turn point: W notes before H goes on.
 * musim (measured with μsim 0.4.4: H:got@0 W:wait@1 W:woke@3 H:back@3):
 * the return postpones twice, waking W at the second, so W runs first.
 * lifo: H goes on first.  random: the same times, in a drawn order.
 */
static void test_resources_part_fires_by_a_return(void **state)
{
    (void)state;
    hold_for = 3;
    set_at = 0;
    const char *first = "H:got@0 W:wait@1 W:woke@3 H:back@3 main:end@3";
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, cond_main), first);
    assert_int_equal(fired, 0);
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, cond_main), first);
    assert_int_equal(fired, 0);
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, cond_main),
                        "H:got@0 W:wait@1 H:back@3 W:woke@3 main:end@3");
    assert_int_equal(fired, 0);
    char expect[FIXTURE_TRACE_SIZE];
    snprintf(expect, sizeof expect, "%s", fixture_sorted(first));
    for (uint64_t seed = 1; seed <= 4; seed++) {
        assert_string_equal(
            fixture_sorted(fixture_run_order(USIM_ORDER_RANDOM, seed, cond_main)),
            expect);
        assert_int_equal(fired, 0);
    }
}

/*
 * As above, but H holds for 5 and S sets a at 2: the flag part fires
 * (index 1) and W returns at 2, while the levels are still (4, 6); H
 * gives back at 5.  The set wakes W: a turn point under fifo and a
 * postpone under musim (measured with μsim 0.4.4: H:got@0 W:wait@1
 * W:woke@2 S:set@2 H:back@5), so W notes first; under lifo S does.
 */
static void test_resources_part_beside_a_flag_part(void **state)
{
    (void)state;
    hold_for = 5;
    set_at = 2;
    const char *first = "H:got@0 W:wait@1 W:woke@2 S:set@2 H:back@5 main:end@5";
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, cond_main), first);
    assert_int_equal(fired, 1);
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, cond_main), first);
    assert_int_equal(fired, 1);
    assert_string_equal(fixture_run_order(USIM_ORDER_LIFO, 1, cond_main),
                        "H:got@0 W:wait@1 S:set@2 W:woke@2 H:back@5 main:end@5");
    assert_int_equal(fired, 1);
    char expect[FIXTURE_TRACE_SIZE];
    snprintf(expect, sizeof expect, "%s", fixture_sorted(first));
    for (uint64_t seed = 1; seed <= 4; seed++) {
        assert_string_equal(
            fixture_sorted(fixture_run_order(USIM_ORDER_RANDOM, seed, cond_main)),
            expect);
        assert_int_equal(fired, 1);
    }
}

/* The part's value and its inverse, kind by kind, and its bad forms. */
static void *cond_errors_main(void *arg)
{
    (void)arg;
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){5, 10}, 0, "pool"),
                     0);
    static const double lo[] = {5, 9}, hi[] = {6, 10}, bad[] = {NAN, 1};
    usim_cond ge = usim_cond_resources(&res, USIM_GE, lo);
    assert_true(usim_cond_holds(&ge));
    usim_cond not_ge = usim_cond_not(ge);
    assert_false(usim_cond_holds(&not_ge));
    /* (5, 10) < (6, 10) is false (not every kind), so its inverse holds. */
    usim_cond lt = usim_cond_resources(&res, USIM_LT, hi);
    assert_false(usim_cond_holds(&lt));
    usim_cond not_lt = usim_cond_not(lt);
    assert_true(usim_cond_holds(&not_lt));
    usim_cond le = usim_cond_resources(&res, USIM_LE, hi);
    assert_true(usim_cond_holds(&le));
    /* A decrease below (5, 9) in cpu makes the inverse true. */
    assert_int_equal(usim_resources_decrease(&res, (double[]){1, 0}), 0);
    assert_true(usim_cond_holds(&not_ge));

    usim_cond bads[] = {
        usim_cond_resources(NULL, USIM_GE, lo),
        usim_cond_resources(&res, USIM_GE, NULL),
        usim_cond_resources(&res, (usim_cmp)17, lo),
        usim_cond_resources(&res, USIM_GE, bad),
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(usim_wait_cond(&bads[i], NULL), USIM_EINVAL);
        assert_non_null(strstr(usim_errmsg(), "usim_wait_cond"));
        assert_false(usim_cond_holds(&bads[i]));
    }
    usim_resources_destroy(&res);
    fixture_note("ok");
    return NULL;
}

static void test_resources_part_values_and_errors(void **state)
{
    (void)state;
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, cond_errors_main),
                        "main:ok@0");
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, cond_errors_main),
                        "main:ok@0");
}

/* Misuse fails the run loudly, with a message. */
static void *return_twice(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){1, 1}, &sub), 0);
    assert_int_equal(usim_resources_return(&sub), 0);
    usim_resources_return(&sub);
    return NULL;
}

static void *return_with_borrows(void *arg)
{
    (void)arg;
    usim_resources sub, inner;
    assert_int_equal(usim_resources_borrow(&res, (double[]){2, 2}, &sub), 0);
    assert_int_equal(usim_resources_borrow(&sub, (double[]){1, 1}, &inner), 0);
    usim_resources_return(&sub);
    return NULL;
}

static void *destroy_with_borrows(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&res, (double[]){2, 2}, &sub), 0);
    usim_resources_destroy(&res);
    return NULL;
}

/* A condition wait on the levels is a waiting task too. */
static void *cond_watch_forever(void *arg)
{
    (void)arg;
    static const double lots[] = {50, 50};
    usim_cond c = usim_cond_resources(&res, USIM_GE, lots);
    usim_wait_cond(&c, NULL);
    return NULL;
}

static void *destroy_with_cond_watch(void *arg)
{
    (void)arg;
    usim_spawn(cond_watch_forever, NULL, "W");
    assert_int_equal(usim_sleep(1), 0);
    usim_resources_destroy(&res);
    return NULL;
}

static void *return_top(void *arg)
{
    (void)arg;
    usim_resources_return(&res);
    return NULL;
}

static void expect_failure(usim_fn body, const char *msg)
{
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = fixture_sim(&cfg);
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){5, 5}, 0, "pool"),
                     0);
    assert_non_null(usim_sim_spawn(sim, body, NULL, "main"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    const char *err = usim_sim_error(sim);
    if (!err || !strstr(err, msg))
        fail_msg("run error '%s', expected '%s'", err ? err : "(none)", msg);
    fixture_destroy(sim);
    res = (usim_resources){0};
}

static void test_misuse_fails_loudly(void **state)
{
    (void)state;
    expect_failure(return_twice,
                   "usim_resources_return: resources 'pool' is destroyed");
    expect_failure(return_with_borrows, "is returned while borrows of it live");
    expect_failure(destroy_with_borrows, "still has borrows or waiting tasks");
    expect_failure(return_top, "resources 'pool' is not a borrow");
    expect_failure(destroy_with_cond_watch, "still has borrows or waiting tasks");
    usim_resources sub;
    assert_int_equal(usim_resources_init(&res, 2, kinds, (double[]){5, 5}, 0, "pool"),
                     0);
    assert_int_equal(usim_resources_borrow(&res, (double[]){1, 1}, &sub), USIM_ESTATE);
    usim_resources_destroy(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_any_fit_lets_a_fitting_borrow_overtake),
        FIXTURE_TEST(test_head_of_line_serves_in_arrival_order),
        FIXTURE_TEST(test_returned_resources_go_to_the_waiter_or_the_barger),
        FIXTURE_TEST(test_borrow_and_return_turns),
        FIXTURE_TEST(test_wait_on_levels_wakes_when_every_kind_holds),
        FIXTURE_TEST(test_head_of_line_cancel_lets_the_next_through),
        FIXTURE_TEST(test_sub_borrows_are_supplies_of_their_own),
        FIXTURE_TEST(test_resources_part_fires_by_a_return),
        FIXTURE_TEST(test_resources_part_beside_a_flag_part),
        FIXTURE_TEST(test_resources_part_values_and_errors),
        FIXTURE_TEST(test_bad_arguments_are_einval),
        FIXTURE_TEST(test_misuse_fails_loudly),
    };
    return cmocka_run_group_tests_name("resources", tests, NULL, NULL);
}
