/*
 * test_kernel — simulated time and drift policies, turn order, tasks,
 * cancellation, interrupts, scopes, deadlock reports, destruction.
 *
 * Expected times are worked out by hand in the comments; times are
 * compared in ticks where the tick count is the exact answer.
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
#include "kernel/heap.h"  /* heap_replace_top against a sorted reference */
#include "kernel/sim.h"   /* the event heap's size, for the stale-timer test */
#include "kernel/ticks.h" /* usim_sleep's fast path rounding */
#include "usim.h"

/* A log of (label, tick) events shared by the tasks of one test. */
typedef struct logbook {
    char what[64][32];
    int64_t tick[64];
    int n;
} logbook;

static logbook lb;

static void note(const char *what)
{
    snprintf(lb.what[lb.n], sizeof lb.what[0], "%s", what);
    lb.tick[lb.n++] = usim_now_ticks();
}

static char *joined(void)
{
    static char buf[1024];
    buf[0] = 0;
    for (int i = 0; i < lb.n; i++) {
        strcat(buf, lb.what[i]);
        if (i + 1 < lb.n)
            strcat(buf, " ");
    }
    return buf;
}

/* Exactly three notes, at these ticks. */
static void expect_ticks3(int64_t a, int64_t b, int64_t c)
{
    assert_int_equal(lb.n, 3);
    assert_int_equal(lb.tick[0], a);
    assert_int_equal(lb.tick[1], b);
    assert_int_equal(lb.tick[2], c);
}

static usim_sim *make_sim(double resolution, usim_drift drift, usim_order order,
                          uint64_t seed)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = resolution;
    cfg.drift = drift;
    cfg.order = order;
    cfg.seed = seed;
    cfg.stack_size = 32768;
    usim_sim *sim = fixture_sim(&cfg);
    memset(&lb, 0, sizeof lb);
    return sim;
}

/* ------------------------------------------------------------------ */
/* The seed's drift example: sleep(1.5) three times at resolution 0.2.  */
/* 1.5 / 0.2 = 7.5 ticks.                                               */
/* ------------------------------------------------------------------ */

static void *three_sleeps(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(usim_sleep(1.5), 0);
        note("wake");
    }
    return NULL;
}

/* naive: each 7.5 rounds up to 8 ticks: wakes at 8, 16, 24 = 4.8. */
static void test_naive_drift_three_sleeps_end_at_4_8(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, three_sleeps, NULL, "sleeper");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(8, 16, 24);
    assert_float_equal(usim_sim_now(sim), 4.8, 1e-12);
    /* each wait: requested 1.5, actual 1.6, drift +0.1 */
    usim_drift_stats d = usim_task_drift(t);
    assert_int_equal(d.waits, 3);
    assert_float_equal(d.requested, 4.5, 1e-12);
    assert_float_equal(d.actual, 4.8, 1e-12);
    assert_float_equal(d.mean_abs, 0.1, 1e-12);
    assert_float_equal(d.max_abs, 0.1, 1e-12);
    assert_float_equal(d.final, 0.3, 1e-12);
    fixture_destroy(sim);
}

/* tracked: targets 7.5, 15, 22.5 ticks -> wakes at 8, 15, 23 ticks =
 * 1.6, 3.0, 4.6; waits last 1.6, 1.4, 1.6 (drifts +.1 -.1 +.1). */
static void test_tracked_drift_three_sleeps_end_at_4_6(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, three_sleeps, NULL, "sleeper");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(8, 15, 23);
    usim_drift_stats d = usim_task_drift(t);
    assert_int_equal(d.waits, 3);
    assert_float_equal(d.actual, 4.6, 1e-12);
    assert_float_equal(d.mean_abs, 0.1, 1e-12);
    assert_float_equal(d.max_abs, 0.1, 1e-12);
    assert_float_equal(d.final, 0.1, 1e-12);
    /* the run's totals and the task's name group say the same */
    usim_drift_stats all = usim_sim_drift(sim);
    assert_float_equal(all.final, 0.1, 1e-12);
    assert_int_equal(usim_sim_drift_groups(sim), 1);
    const char *name;
    usim_drift_stats g;
    assert_int_equal(usim_sim_drift_group(sim, 0, &name, &g), 0);
    assert_string_equal(name, "sleeper");
    assert_int_equal(g.waits, 3);
    fixture_destroy(sim);
}

static void test_strict_drift_fails_naming_duration_and_resolution(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_STRICT, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, three_sleeps, NULL, "sleeper");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_int_equal(lb.n, 0);
    const char *err = usim_sim_error(sim);
    assert_non_null(err);
    assert_non_null(strstr(err, "'sleeper'"));
    assert_non_null(strstr(err, "1.5"));
    assert_non_null(strstr(err, "0.2"));
    fixture_destroy(sim);
}

static void *three_delays(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        assert_int_equal(usim_delay(8), 0);
    note("end");
    return NULL;
}

/* usim_delay(8) is exact under every policy: 24 ticks = 4.8. */
static void test_three_delays_of_8_ticks_end_at_exactly_4_8(void **state)
{
    (void)state;
    for (int p = USIM_DRIFT_NAIVE; p <= USIM_DRIFT_STRICT; p++) {
        usim_sim *sim = make_sim(0.2, (usim_drift)p, USIM_ORDER_FIFO, 1);
        usim_sim_spawn(sim, three_delays, NULL, "delayer");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_int_equal(lb.tick[0], 24);
        fixture_destroy(sim);
    }
}

/* ------------------------------------------------------------------ */
/* The time rules, one test each (resolution 0.2 unless said)          */
/* ------------------------------------------------------------------ */

static void *sleeps_1_44_thrice(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        usim_sleep(1.44);
        note("wake");
    }
    return NULL;
}

/* naive: 1.44 is 7.2 ticks, rounded up (never early) to 8 each time:
 * 8, 16, 24 (to the nearest would be 7, 14, 21). */
static void test_naive_sleep_rounds_7_2_ticks_up_to_8(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, sleeps_1_44_thrice, NULL, "naive");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(8, 16, 24);
    fixture_destroy(sim);
}

enum { MANY_SLEEPS = 200 };
static int64_t many_ticks[MANY_SLEEPS];

static void *sleeps_0_07_many(void *arg)
{
    (void)arg;
    for (int k = 0; k < MANY_SLEEPS; k++) {
        assert_int_equal(usim_sleep(0.07), 0);
        many_ticks[k] = usim_now_ticks();
    }
    return NULL;
}

/* usim_sim_ticks_time turns ticks into time as usim_now does: divided
 * by 4 at resolution 0.25 (2.5 from 10 ticks, 0.375 from a mean of 1.5
 * ticks); multiplied by 0.3 at 0.3, where 1/0.3 is not whole (43 ticks
 * read 12.9, where 43 / (1 / 0.3) would be 12.899999999999999); divided
 * by 1e9 at 1e-9 (3 ticks read 3e-9, where 3 * 1e-9 would be
 * 3.0000000000000004e-09).  After 200 sleeps of 0.07 the clock reads the
 * same both ways. */
static void test_ticks_time_is_usim_now_rule(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.25, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    assert_true(usim_sim_ticks_time(sim, 10) == 2.5);
    assert_true(usim_sim_ticks_time(sim, 1.5) == 0.375);
    usim_sim_spawn(sim, sleeps_0_07_many, NULL, "s");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_true(usim_sim_ticks_time(sim, (double)usim_sim_now_ticks(sim)) ==
                usim_sim_now(sim));
    sim = make_sim(0.3, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    assert_true(usim_sim_ticks_time(sim, 43) == 12.9);
    usim_sim_spawn(sim, sleeps_0_07_many, NULL, "s");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_true(usim_sim_ticks_time(sim, (double)usim_sim_now_ticks(sim)) ==
                usim_sim_now(sim));
    sim = make_sim(1e-9, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    assert_true(usim_sim_ticks_time(sim, 3) == 3e-9);
    assert_true(usim_sim_ticks_time(sim, 2.5e9) == 2.5);
}

/* tracked: 0.07 is 0.35 = 7/20 of a tick.  The exact target after k
 * sleeps is 7k/20 ticks, so wake k is at ceil(7k/20) = (7k + 19) / 20:
 * at most a tick late, never early, and the error does not accumulate
 * (after 200 sleeps the clock is exactly at 70 ticks = 14.0). */
static void test_tracked_error_never_exceeds_one_tick(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, sleeps_0_07_many, NULL, "tracked");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    for (int64_t k = 1; k <= MANY_SLEEPS; k++)
        if (many_ticks[k - 1] != (7 * k + 19) / 20)
            fail_msg("sleep %lld woke at tick %lld, expected %lld", (long long)k,
                     (long long)many_ticks[k - 1], (long long)((7 * k + 19) / 20));
    assert_int_equal(usim_sim_now_ticks(sim), 70);
    usim_drift_stats d = usim_task_drift(t);
    assert_true(fabs(d.final) < 1e-9);
    assert_true(d.max_abs <= 0.2 + 1e-12);
    fixture_destroy(sim);
}

static usim_flag reset_flag;

static void *sleeps_waits_sleeps(void *arg)
{
    (void)arg;
    usim_sleep(1.5); /* target 7.5: wakes at 8 */
    note("slept");
    usim_flag_wait_true(&reset_flag);
    note("flag");
    usim_sleep(1.5);
    note("slept");
    return NULL;
}

static void *sets_flag_at_1_6(void *arg)
{
    (void)arg;
    usim_sleep_until(1.6); /* tick 8, after the sleeper's timer */
    usim_flag_set(&reset_flag, true);
    return NULL;
}

/* tracked: the first sleep leaves the exact target 7.5 carried; the flag
 * wait ends at tick 8, still within a tick of it.  A non-timed wait
 * resets the carry to now, so the next sleep aims at 8 + 7.5 = 15.5 and
 * wakes at 16 (carried on, it would aim at 15 and wake there). */
static void test_tracked_carry_resets_to_now_after_a_flag_wait(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_flag_init(&reset_flag, false, "go");
    usim_sim_spawn(sim, sleeps_waits_sleeps, NULL, "sleeper");
    usim_sim_spawn(sim, sets_flag_at_1_6, NULL, "setter");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(8, 8, 16);
    fixture_destroy(sim);
    usim_flag_destroy(&reset_flag);
}

static void *sleeps_delays_sleeps(void *arg)
{
    (void)arg;
    usim_sleep(1.5); /* target 7.5: wakes at 8 */
    note("slept");
    usim_delay(2);
    note("delayed");
    usim_sleep(1.5);
    note("slept");
    return NULL;
}

/* tracked: usim_delay(2) moves the carried target by exactly 2 ticks,
 * 7.5 -> 9.5, so the next sleep aims at 9.5 + 7.5 = 17 and wakes there
 * (from now, 10 + 7.5, it would wake at 18). */
static void test_delay_moves_the_tracked_target_by_exact_ticks(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, sleeps_delays_sleeps, NULL, "delayer");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(8, 10, 17);
    fixture_destroy(sim);
}

static void *sleeps_until_then_sleeps(void *arg)
{
    (void)arg;
    usim_delay(3);
    usim_sleep_until(1.5); /* 7.5 ticks: wakes at 8 */
    note("until");
    usim_sleep(1.5); /* carried exact target 7.5 + 7.5 = 15 */
    note("sleep");
    usim_sleep_until(2.0); /* tick 10, already past: returns at 15 */
    note("past");
    usim_sleep(1.5); /* from now: 15 + 7.5 = 22.5, wakes at 23 */
    note("sleep");
    return NULL;
}

/* usim_sleep_until(t) wakes at the first tick at or after t, counted
 * from tick 0 whatever the task did before; its exact target carries
 * into a tracked sleep, unless it was already in the past. */
static void test_sleep_until_wakes_at_the_first_tick_at_or_after_t(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, sleeps_until_then_sleeps, NULL, "absolute");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 4);
    int64_t want[4] = {8, 15, 15, 23};
    for (int i = 0; i < 4; i++)
        assert_int_equal(lb.tick[i], want[i]);
    fixture_destroy(sim);
}

static void *periodic_from_tick_3(void *arg)
{
    (void)arg;
    usim_delay(3);
    int k = 0;
    for (usim_every e = usim_every_begin(1.5); k < 3 && usim_every_next(&e); k++)
        note("tick");
    return NULL;
}

/* The loop begins at t0 = tick 3; iteration k starts at the first tick
 * at or after 3 + 7.5k: 10.5 -> 11, 18, 25.5 -> 26 (a grid from tick 0
 * would give 8, 15, 23; stepping from each start, 11, 19, 27). */
static void
test_periodic_loop_from_t0_starts_at_first_tick_after_t0_plus_k_interval(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, periodic_from_tick_3, NULL, "ticker");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(11, 18, 26);
    fixture_destroy(sim);
}

static void *periodic(void *arg)
{
    (void)arg;
    int k = 0;
    for (usim_every e = usim_every_begin(1.5); k < 3 && usim_every_next(&e); k++)
        note("tick");
    return NULL;
}

/* iteration k starts at the first tick >= k*7.5: 8, 15, 23 (naive
 * policy: the loop is drift-free whatever the policy). */
static void test_periodic_loop_wakes_at_1_6_3_0_4_6(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, periodic, NULL, "ticker");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    expect_ticks3(8, 15, 23);
    usim_drift_stats d = usim_task_drift(t);
    assert_int_equal(d.waits, 3);
    assert_float_equal(d.final, 0.1, 1e-12);
    assert_float_equal(d.max_abs, 0.1, 1e-12);
    assert_int_equal(d.overruns, 0);
    fixture_destroy(sim);
}

static uint64_t loop_overruns; /* usim_every.overruns at the loop's end */

static void *overrunning(void *arg)
{
    (void)arg;
    int k = 0;
    usim_every e = usim_every_begin(1.0);
    while (k < 3 && usim_every_next(&e)) {
        note("it");
        if (k++ == 0)
            usim_sleep(2.5); /* body overruns the next start (2.0) */
    }
    loop_overruns = e.overruns;
    return NULL;
}

/* interval 1.0 (resolution 1): starts at 1; the body runs until 3.5, so
 * iteration 2 (due at 2) is an overrun and starts at once at 3.5;
 * iteration 3 keeps the grid: 3 < 3.5 is also past, so it too starts at
 * once — schedule not shifted: 2 overruns. */
static void test_periodic_loop_counts_overruns_without_shifting(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.5, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, overrunning, NULL, "late");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 3);
    assert_int_equal(lb.tick[0], 2); /* t = 1.0 */
    assert_int_equal(lb.tick[1], 7); /* t = 3.5 */
    assert_int_equal(lb.tick[2], 7);
    assert_int_equal(loop_overruns, 2);
    assert_int_equal(usim_task_drift(t).overruns, 2);
    fixture_destroy(sim);
}

static void *sleeps_n(void *arg)
{
    for (int i = 0; i < (int)(intptr_t)arg; i++)
        usim_sleep(1.5);
    return NULL;
}

/* Drift groups sum tasks of one name, whether the tasks were freed at
 * their end (detached) or are still held: two detached "w" with 2 naive
 * sleeps and one joinable "w" with 1, all of 1.5 at resolution 0.2
 * (1.6 each): 5 waits, requested 7.5, actual 8.0, final 0.5. */
static void test_drift_groups_sum_freed_and_live_tasks_of_a_name(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    assert_int_equal(usim_sim_drift_groups(sim), 0);
    assert_int_equal(usim_sim_drift(sim).waits, 0);
    usim_spawn_opts det = {.detached = true};
    usim_sim_spawn_ex(sim, sleeps_n, (void *)(intptr_t)2, "w", &det);
    usim_sim_spawn_ex(sim, sleeps_n, (void *)(intptr_t)2, "w", &det);
    usim_sim_spawn(sim, sleeps_n, (void *)(intptr_t)1, "w");
    usim_sim_spawn(sim, sleeps_n, (void *)(intptr_t)0, "idle");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(usim_sim_drift_groups(sim), 1); /* "idle" never waited */
    const char *name;
    usim_drift_stats g;
    assert_int_equal(usim_sim_drift_group(sim, 0, &name, &g), 0);
    assert_string_equal(name, "w");
    assert_int_equal(g.waits, 5);
    assert_float_equal(g.requested, 7.5, 1e-12);
    assert_float_equal(g.actual, 8.0, 1e-12);
    assert_float_equal(g.final, 0.5, 1e-12);
    assert_float_equal(g.max_abs, 0.1, 1e-12);
    usim_drift_stats all = usim_sim_drift(sim);
    assert_int_equal(all.waits, 5);
    assert_float_equal(all.final, 0.5, 1e-12);
    assert_int_equal(usim_sim_drift_group(sim, 1, NULL, NULL), USIM_EINVAL);
    fixture_destroy(sim);
}

/* Sleeps of 1.0, 1.3, 0.75 and 1.5 at resolution 1 (naive: up to whole
 * ticks, 1, 2, 1 and 2), so |drift| 0, 0.7, 0.25 and 0.5 ticks: bin 0 (on
 * time), bin 33 + floor(log2 0.7) = 32, 33 - 2 = 31, and 33 - 1 = 32. */
static void *mixed_sleeps(void *arg)
{
    (void)arg;
    const double d[] = {1.0, 1.3, 0.75, 1.5};
    for (size_t i = 0; i < 4; i++)
        usim_sleep(d[i]);
    return NULL;
}

static void test_drift_histogram_bins_each_wait(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    uint64_t bins[USIM_DRIFT_BINS];
    usim_sim_drift_hist(sim, bins);
    for (size_t k = 0; k < USIM_DRIFT_BINS; k++)
        assert_int_equal(bins[k], 0);
    usim_sim_spawn(sim, mixed_sleeps, NULL, "m");
    usim_sim_spawn(sim, three_sleeps, NULL, "t"); /* 1.5 three times: 0.5 each */
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    usim_sim_drift_hist(sim, bins);
    uint64_t want[USIM_DRIFT_BINS] = {[0] = 1, [31] = 1, [32] = 5};
    for (size_t k = 0; k < USIM_DRIFT_BINS; k++)
        assert_int_equal(bins[k], want[k]);
    assert_int_equal(usim_sim_drift(sim).waits, 7);
    fixture_destroy(sim);
}

/* A thread's simulations one after another, as usim-batch runs them (a
 * destroyed one's record, heap, ready ring and drift groups are the next
 * one's, emptied): the first is destroyed paused at 2.0 with timers
 * pending and two groups; the second, at resolution 1, sees only its own
 * task "m" (mixed_sleeps: wakes at 1, 3, 4, 6, bins as in
 * test_drift_histogram_bins_each_wait), and a third as much again. */
static void test_next_simulation_starts_with_no_events_groups_or_waits(void **state)
{
    (void)state;
    usim_sim *first = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(first, sleeps_n, (void *)(intptr_t)5, "w");
    usim_sim_spawn(first, sleeps_n, (void *)(intptr_t)3, "t");
    assert_int_equal(usim_sim_run(first, 2.0), USIM_PAUSED);
    assert_int_equal(usim_sim_drift_groups(first), 2);
    fixture_destroy(first);
    for (int round = 0; round < 2; round++) {
        usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
        uint64_t bins[USIM_DRIFT_BINS];
        usim_sim_drift_hist(sim, bins);
        for (size_t k = 0; k < USIM_DRIFT_BINS; k++)
            assert_int_equal(bins[k], 0);
        assert_int_equal(usim_sim_drift_groups(sim), 0);
        assert_int_equal(usim_sim_drift(sim).waits, 0);
        assert_int_equal(usim_sim_events(sim), 0);
        assert_true(usim_sim_now(sim) == 0);
        usim_sim_spawn(sim, mixed_sleeps, NULL, "m");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_true(usim_sim_now(sim) == 6);
        assert_int_equal(usim_sim_drift_groups(sim), 1);
        const char *name;
        usim_drift_stats g;
        assert_int_equal(usim_sim_drift_group(sim, 0, &name, &g), 0);
        assert_string_equal(name, "m");
        assert_int_equal(g.waits, 4);
        assert_float_equal(g.requested, 4.55, 1e-12);
        assert_float_equal(g.actual, 6.0, 1e-12);
        usim_sim_drift_hist(sim, bins);
        uint64_t want[USIM_DRIFT_BINS] = {[0] = 1, [31] = 1, [32] = 2};
        for (size_t k = 0; k < USIM_DRIFT_BINS; k++)
            assert_int_equal(bins[k], want[k]);
        fixture_destroy(sim);
    }
}

/* The histogram's table against libm: every exponent field, at the
 * smallest and the largest value it holds, lands in the bin that
 * floor(log2) = ilogb gives (bin 0 for zero and subnormals, the last bin
 * for infinity and everything that large). */
static unsigned bin_by_ilogb(double x)
{
    if (x == 0 || !isnormal(x))
        return isinf(x) ? USIM_DRIFT_BINS - 1 : 0;
    int k = ilogb(x) + USIM_DRIFT_BIN_ZERO;
    return k < 0 ? 0 : k >= USIM_DRIFT_BINS ? USIM_DRIFT_BINS - 1 : (unsigned)k;
}

static void test_drift_bin_table_matches_ilogb(void **state)
{
    (void)state;
    for (uint64_t e = 0; e < 2048; e++) {
        for (uint64_t mant = 0; mant <= 1; mant++) {
            uint64_t bits = e << 52 | (mant ? (UINT64_C(1) << 52) - 1 : 0);
            if (e == 2047 && mant)
                continue; /* NaN: never a drift */
            double x;
            memcpy(&x, &bits, sizeof x);
            assert_int_equal(drift_bin(x), bin_by_ilogb(x));
        }
    }
    assert_int_equal(drift_bin(0.7), 32); /* the cases worked out above */
    assert_int_equal(drift_bin(0.25), 31);
    assert_int_equal(drift_bin(0x1p40), USIM_DRIFT_BINS - 1);
}

/* heap_replace_top, whose heaps of up to HEAP_ONE_LEVEL entries take a
 * path of their own, against a reference kept sorted by (time, seq): for
 * every size from 1 to 12 (both paths and the boundary), times drawn
 * from a small range so that ties are common, each replacement must
 * remove the reference's first entry and the heap must then pop in the
 * reference's order. */
typedef struct ref_entry {
    int64_t t;
    uint64_t seq;
} ref_entry;

static int ref_cmp(const void *a, const void *b)
{
    const ref_entry *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void test_heap_replace_top_keeps_time_then_push_order(void **state)
{
    (void)state;
    uint64_t rnd = 12345;
    for (size_t n = 1; n <= 12; n++) {
        for (int trial = 0; trial < 200; trial++) {
            heap h;
            heap_init(&h);
            ref_entry ref[16];
            for (size_t i = 0; i < n; i++) {
                rnd = rnd * 6364136223846793005u + 1442695040888963407u;
                int64_t t = (int64_t)(rnd >> 61); /* 0..7 */
                uint64_t seq = heap_push(&h, t, NULL);
                assert_true(seq != 0);
                ref[i] = (ref_entry){t, seq};
            }
            for (int step = 0; step < 20; step++) {
                qsort(ref, n, sizeof ref[0], ref_cmp);
                rnd = rnd * 6364136223846793005u + 1442695040888963407u;
                int64_t t = ref[0].t + (int64_t)(rnd >> 62); /* ties with it too */
                heap_entry out;
                uint64_t seq = heap_replace_top(&h, &out, t, NULL);
                assert_int_equal(out.t, ref[0].t);
                assert_int_equal(out.seq, ref[0].seq);
                ref[0] = (ref_entry){t, seq};
                assert_true(heap_valid(&h));
            }
            qsort(ref, n, sizeof ref[0], ref_cmp);
            for (size_t i = 0; i < n; i++) {
                heap_entry out;
                assert_true(heap_pop(&h, &out));
                assert_int_equal(out.t, ref[i].t);
                assert_int_equal(out.seq, ref[i].seq);
            }
            assert_int_equal(heap_size(&h), 0);
            heap_destroy(&h);
        }
    }
}

/* usim_sleep's fast path rounds with ticks_ceil_nonneg_int and tests the
 * range with ticks_in_fast_range: the same ticks as ticks_ceil_nonneg,
 * and the same range as 0 <= q < TICKS_INT_FAST_MAX except -0.0 (sent to
 * the general path), at the tolerance's edges, around the range's ends,
 * around 0.5 where the tolerance is half a tick or more (5e8 on), and at
 * random magnitudes. */
static void test_sleep_fast_path_rounding_is_ticks_ceil(void **state)
{
    (void)state;
    const double base[] = {0.0,    1e-10,  0.5,    1.0,        3.0,        1e3,
                           4.9e8,  5e8,    5.1e8,  1e9 + 0.25, 1e9 + 0.75, 3e12 + 0.5,
                           0x1p51, 0x1p52, 0x1p53, 1e17,       0x1p61,     0x1p62};
    int checked = 0;
    /* A whole odd q from 2^52 on: ticks_ceil_nonneg rounds q + 0.5 to
     * even and gives q + 1, so it is left to the general path. */
    assert_true(ticks_ceil_nonneg(0x1p52 + 1) == 0x1p52 + 2);
    assert_false(ticks_in_fast_range(0x1p52 + 1));
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        for (int k = -3; k <= 3; k++) {
            /* Just inside and outside the tolerance, and a few ulps off. */
            double tol = TICKS_TOL * (base[i] > 1.0 ? base[i] : 1.0);
            const double q[] = {base[i] + k * tol * 0.999, base[i] + k * tol * 1.001,
                                nextafter(base[i], k < 0 ? 0.0 : INFINITY),
                                base[i] + 0.5 + k * tol};
            for (size_t j = 0; j < 4; j++) {
                bool in = q[j] >= 0 && q[j] < TICKS_INT_FAST_MAX;
                assert_int_equal(ticks_in_fast_range(q[j]), in);
                if (!in)
                    continue;
                assert_true((double)ticks_ceil_nonneg_int(q[j]) ==
                            ticks_ceil_nonneg(q[j]));
                checked++;
            }
        }
    }
    assert_true(checked > 300);
    uint64_t x = 88172645463325252u; /* xorshift64 */
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* q = m * 2^e for a 53-bit m and e from -60 to 0: 0 to 2^53 */
        double q = ldexp((double)(x >> 11), (int)(x % 61) - 60);
        /* q, and the tolerance above its whole part, where that decides */
        const double qs[] = {q, floor(q) + ticks_tol(q)};
        for (size_t j = 0; j < 2; j++) {
            if (!ticks_in_fast_range(qs[j])) {
                assert_true(qs[j] >= TICKS_INT_FAST_MAX);
                continue;
            }
            if ((double)ticks_ceil_nonneg_int(qs[j]) != ticks_ceil_nonneg(qs[j]))
                fail_msg("q = %a: %lld, ticks_ceil_nonneg %a", qs[j],
                         (long long)ticks_ceil_nonneg_int(qs[j]),
                         ticks_ceil_nonneg(qs[j]));
        }
    }
    assert_false(ticks_in_fast_range(-0.0));
    assert_false(ticks_in_fast_range(-1e-300));
    assert_false(ticks_in_fast_range(NAN));
    assert_false(ticks_in_fast_range(-NAN));
    assert_false(ticks_in_fast_range(INFINITY));
    assert_true(ticks_in_fast_range(nextafter(TICKS_INT_FAST_MAX, 0)));
    assert_false(ticks_in_fast_range(TICKS_INT_FAST_MAX));
}

/* ------------------------------------------------------------------ */
/* Turn order                                                          */
/* ------------------------------------------------------------------ */

static void *child_a(void *arg)
{
    (void)arg;
    note("A");
    return NULL;
}

static void *child_b(void *arg)
{
    (void)arg;
    note("B");
    return NULL;
}

static void *spawning_parent(void *arg)
{
    (void)arg;
    usim_spawn(child_a, NULL, "a");
    usim_spawn(child_b, NULL, "b");
    note("P");
    return NULL;
}

/* fifo: spawn is a turn point and the parent goes behind the child:
 * A runs, then the parent spawns B and goes behind it: A B P.
 * lifo: the parent keeps running through both spawns: P A B. */
static void test_spawn_turn_point_fifo_and_lifo_interleave_differently(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, spawning_parent, NULL, "parent");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "A B P");
    fixture_destroy(sim);

    sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_LIFO, 1);
    usim_sim_spawn(sim, spawning_parent, NULL, "parent");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "P A B");
    fixture_destroy(sim);
}

static void *stepper(void *arg)
{
    char label[8];
    for (int i = 0; i < 4; i++) {
        snprintf(label, sizeof label, "%c%d", *(char *)arg, i);
        note(label);
        usim_instant();
    }
    return NULL;
}

static char *random_interleaving(uint64_t seed)
{
    static char out[1024];
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_RANDOM, seed);
    static char names[4] = {'w', 'x', 'y', 'z'};
    for (int i = 0; i < 4; i++)
        usim_sim_spawn(sim, stepper, &names[i], "stepper");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 16);
    snprintf(out, sizeof out, "%s", joined());
    fixture_destroy(sim);
    return out;
}

static void test_random_order_repeats_for_a_seed_and_differs_across_seeds(void **state)
{
    (void)state;
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", random_interleaving(11));
    snprintf(b, sizeof b, "%s", random_interleaving(11));
    assert_string_equal(a, b);
    /* 16 steps of 4 tasks: the chance that 5 other seeds all give the
     * same interleaving is negligible; at least one must differ. */
    int differ = 0;
    for (uint64_t s = 12; s < 17; s++)
        differ += strcmp(a, random_interleaving(s)) != 0;
    assert_true(differ > 0);
}

static void *timer_at(void *arg)
{
    int64_t ticks = (int64_t)(intptr_t)arg;
    usim_delay(ticks);
    char label[16];
    snprintf(label, sizeof label, "%s", usim_task_name(usim_self()));
    note(label);
    return NULL;
}

/* timers at 5, 3, 5, 3 ticks scheduled in that order fire as
 * t3a t3b (tick 3, scheduling order), then t5a t5b (tick 5). */
static void test_equal_time_timers_fire_in_scheduling_order(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, timer_at, (void *)(intptr_t)5, "t5a");
    usim_sim_spawn(sim, timer_at, (void *)(intptr_t)3, "t3a");
    usim_sim_spawn(sim, timer_at, (void *)(intptr_t)5, "t5b");
    usim_sim_spawn(sim, timer_at, (void *)(intptr_t)3, "t3b");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "t3a t3b t5a t5b");
    assert_int_equal(lb.tick[0], 3);
    assert_int_equal(lb.tick[3], 5);
    fixture_destroy(sim);
}

/* Twelve timers, at 3 or 5 ticks, set in an interleaved order: enough
 * equal times that pushes, the handover's replacement and the pops all
 * break ties in the heap.  Each tick's tasks run in the order their
 * timers were set. */
static void test_many_same_time_wakeups_keep_scheduling_order(void **state)
{
    (void)state;
    static const int delay[12] = {5, 3, 5, 3, 5, 5, 3, 3, 5, 3, 5, 5};
    static const char *const names[12] = {"a", "b", "c", "d", "e", "f",
                                          "g", "h", "i", "j", "k", "l"};
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    for (int i = 0; i < 12; i++)
        usim_sim_spawn(sim, timer_at, (void *)(intptr_t)delay[i], names[i]);
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "b d g h j a c e f i k l");
    assert_int_equal(lb.tick[4], 3);
    assert_int_equal(lb.tick[5], 5);
    fixture_destroy(sim);
}

/* A sleeping task whose timer is not next hands the CPU to the task of
 * the earliest timer.  Every other timer due at that tick must be made
 * ready with it, before anything that task wakes: here A (due at 5) wakes
 * D, and B (also due at 5, set before D was woken) must still run first.
 * C's sleep at t=1 is the one that hands over to A. */
static usim_flag handover_flag;

static void *due_at_5(void *arg)
{
    assert_int_equal(usim_sleep(5.0), 0);
    note(arg);
    if (strcmp(arg, "A") == 0)
        usim_flag_set(&handover_flag, true);
    return NULL;
}

static void *waits_for_flag(void *arg)
{
    (void)arg;
    assert_int_equal(usim_flag_wait_true(&handover_flag), 0);
    note("D");
    return NULL;
}

static void *sleeps_1_then_10(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep(1.0), 0);
    assert_int_equal(usim_sleep(10.0), 0);
    note("C");
    return NULL;
}

static void test_handover_readies_every_timer_due_at_that_tick(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_flag_init(&handover_flag, false, "go");
    usim_sim_spawn(sim, due_at_5, "A", "A");
    usim_sim_spawn(sim, due_at_5, "B", "B");
    usim_sim_spawn(sim, sleeps_1_then_10, NULL, "C");
    usim_sim_spawn(sim, waits_for_flag, NULL, "D");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "A B D C");
    assert_int_equal(lb.tick[2], 5);
    assert_int_equal(lb.tick[3], 11);
    /* One event per resumption: 4 starts, C at 1; A, B, D and A again
     * (after its turn point) at 5; C at 11. */
    assert_int_equal(usim_sim_events(sim), 10);
    fixture_destroy(sim);
    usim_flag_destroy(&handover_flag);
}

/* Under random order a task that hands over to the earliest timer can be
 * drawn itself when its own timer is due at that same tick: it must just
 * go on (it used to switch to itself).  Three tasks sleeping 1.0 ten times
 * meet at every tick; over 20 seeds the draw picks the sleeper often. */
static void *ten_unit_sleeps(void *arg)
{
    for (int i = 0; i < 10; i++) {
        assert_int_equal(usim_sleep(1.0), 0);
        note(arg);
    }
    return NULL;
}

static void test_random_order_handover_may_draw_the_sleeper(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_RANDOM, seed);
        usim_sim_spawn(sim, ten_unit_sleeps, "a", "a");
        usim_sim_spawn(sim, ten_unit_sleeps, "b", "b");
        usim_sim_spawn(sim, ten_unit_sleeps, "c", "c");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_int_equal(lb.n, 30);
        for (int i = 0; i < 30; i++)
            assert_int_equal(lb.tick[i], i / 3 + 1); /* three wake-ups per tick */
        assert_int_equal(usim_sim_events(sim), 33);  /* 3 starts, 30 wake-ups */
        fixture_destroy(sim);
    }
}

/* Interrupting a long sleep leaves its timer in the heap as a stale entry
 * until compaction drops it.  Here every sleep of the interrupter takes
 * the kernel's fast path (its wake-up is always the next event), which
 * must compact too: 20,000 interrupts may not leave 20,000 entries. */
static size_t heap_peak;

static void *sleeps_long(void *arg)
{
    (void)arg;
    while (usim_sleep(1e9) == USIM_EINTR)
        ;
    return NULL;
}

static void *interrupts_it(void *arg)
{
    usim_task *victim = arg;
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(usim_sleep(1.0), 0);
        usim_interrupt(victim, 1);
        size_t n = heap_size(&usim_current()->timers);
        heap_peak = n > heap_peak ? n : heap_peak;
    }
    usim_cancel(victim);
    return NULL;
}

static void test_stale_timers_are_compacted_on_the_fast_path(void **state)
{
    (void)state;
    heap_peak = 0;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *victim = usim_sim_spawn(sim, sleeps_long, NULL, "victim");
    usim_sim_spawn(sim, interrupts_it, victim, "interrupter");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    /* Compaction runs once stale entries pass 1024 and half the heap. */
    assert_true(heap_peak <= 2 * 1024 + 4);
    assert_true(heap_peak > 1024); /* the stale entries did pile up first */
    fixture_destroy(sim);
}

/* A task alone sleeps without the event queue; `until` and the event
 * budget still stop it exactly where they would otherwise. */
static void *sleeps_forever_noting(void *arg)
{
    (void)arg;
    while (usim_sleep(2.0) == 0)
        note("z");
    return NULL;
}

static void test_lone_sleeper_stops_at_until_and_at_the_event_budget(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, sleeps_forever_noting, NULL, "z");
    assert_int_equal(usim_sim_run(sim, 7.0), USIM_PAUSED);
    assert_int_equal(lb.n, 3); /* woke at 2, 4, 6 */
    assert_int_equal(lb.tick[2], 6);
    assert_int_equal(usim_sim_now_ticks(sim), 7);
    assert_int_equal(usim_sim_run(sim, 8.0), USIM_PAUSED); /* 8 included */
    assert_int_equal(lb.n, 4);
    assert_int_equal(lb.tick[3], 8);
    fixture_destroy(sim);

    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1.0;
    cfg.max_events = 4; /* the start and three wake-ups */
    sim = fixture_sim(&cfg);
    memset(&lb, 0, sizeof lb);
    usim_sim_spawn(sim, sleeps_forever_noting, NULL, "z");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_LIMIT);
    assert_int_equal(usim_sim_events(sim), 4);
    assert_int_equal(lb.n, 3);
    assert_int_equal(lb.tick[2], 6);
    /* The clock stays at the last event run; the wake-up at 8 never ran. */
    assert_int_equal(usim_sim_now_ticks(sim), 6);
    assert_non_null(
        strstr(usim_sim_error(sim), "event limit of 4 events reached at t=6"));
    fixture_destroy(sim);
}

/* ------------------------------------------------------------------ */
/* Tasks: join, cancel, interrupt, fail                                */
/* ------------------------------------------------------------------ */

static void *answer_later(void *arg)
{
    usim_sleep(2.0);
    return arg;
}

static void *joiner(void *arg)
{
    (void)arg;
    static int value = 42;
    usim_task *t = usim_spawn(answer_later, &value, "answer");
    void *res = NULL;
    assert_int_equal(usim_join(t, &res), 0);
    assert_ptr_equal(res, &value);
    note("joined");
    /* joining an ended task returns at once */
    assert_int_equal(usim_join(t, &res), 0);
    assert_true(usim_task_done(t));
    return NULL;
}

static void test_join_returns_the_result_when_the_task_ends(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, joiner, NULL, "joiner");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 1);
    assert_int_equal(lb.tick[0], 2);
    fixture_destroy(sim);
}

static int loops_done;
static int cancel_rc[3];

static void *sleepy_loop(void *arg)
{
    (void)arg;
    while (usim_sleep(1.0) == 0)
        loops_done++;
    /* cancellation is sticky: every later blocking call fails at once */
    cancel_rc[0] = usim_sleep(5.0);
    cancel_rc[1] = usim_instant();
    cancel_rc[2] = usim_delay(1);
    note("unwound");
    return NULL;
}

static void *canceller(void *arg)
{
    usim_sleep(3.5);
    usim_cancel(arg);
    return NULL;
}

/* the loop wakes at 1, 2, 3; cancelled at 3.5, it unwinds at 3.5 */
static void test_cancel_is_sticky_and_while_sleep_loops_end(void **state)
{
    (void)state;
    loops_done = 0;
    usim_sim *sim = make_sim(0.5, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, sleepy_loop, NULL, "loop");
    usim_sim_spawn(sim, canceller, t, "canceller");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(loops_done, 3);
    assert_int_equal(cancel_rc[0], USIM_ECANCELED);
    assert_int_equal(cancel_rc[1], USIM_ECANCELED);
    assert_int_equal(cancel_rc[2], USIM_ECANCELED);
    assert_int_equal(lb.tick[0], 7);
    assert_true(usim_task_cancelled(t));
    fixture_destroy(sim);
}

static int intr_rc, intr_cause, intr_rc2;

static void *interruptible(void *arg)
{
    (void)arg;
    intr_rc = usim_sleep(10.0);
    intr_cause = usim_cause();
    note("interrupted");
    intr_rc2 = usim_sleep(1.0); /* interrupts are not sticky */
    note("slept");
    return NULL;
}

static void *interrupter(void *arg)
{
    usim_sleep(4.0);
    usim_interrupt(arg, 7);
    return NULL;
}

static void test_interrupt_returns_eintr_with_a_readable_cause(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, interruptible, NULL, "victim");
    usim_sim_spawn(sim, interrupter, t, "interrupter");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(intr_rc, USIM_EINTR);
    assert_int_equal(intr_cause, 7);
    assert_int_equal(intr_rc2, 0);
    assert_int_equal(lb.tick[0], 4);
    assert_int_equal(lb.tick[1], 5);
    fixture_destroy(sim);
}

static void *forever(void *arg)
{
    (void)arg;
    while (usim_sleep(1.0) == 0)
        ;
    note("volatile-unwound");
    return NULL;
}

static void *failing(void *arg)
{
    (void)arg;
    usim_sleep(2.0);
    usim_fail("queue %s overflowed with %d items", "q", 17);
}

static void test_usim_fail_ends_the_run_with_its_message(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, failing, NULL, "checker");
    usim_sim_spawn(sim, forever, NULL, "other"); /* unwound by destroy */
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_non_null(strstr(usim_sim_error(sim), "queue q overflowed with 17 items"));
    assert_non_null(strstr(usim_sim_error(sim), "'checker'"));
    assert_float_equal(usim_sim_now(sim), 2.0, 0);
    /* a failed run is final */
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    fixture_destroy(sim);
}

/* ------------------------------------------------------------------ */
/* Scopes                                                              */
/* ------------------------------------------------------------------ */

static void *sleep_arg(void *arg)
{
    usim_sleep(*(double *)arg);
    note(usim_task_name(usim_self()));
    return NULL;
}

static int scope_rc;

static void *scope_owner(void *arg)
{
    (void)arg;
    static double two = 2.0, five = 5.0;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, sleep_arg, &two, "two");
    usim_scope_spawn(&s, sleep_arg, &five, "five");
    usim_scope_spawn_volatile(&s, forever, NULL, "daemon");
    scope_rc = usim_scope_close(&s);
    note("closed");
    return NULL;
}

/* close waits for both children (2 and 5), then cancels the volatile one,
 * which unwinds at 5 before close returns at 5. */
static void test_scope_close_waits_for_children_and_cancels_volatile_ones(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, scope_owner, NULL, "owner");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(scope_rc, 0);
    assert_string_equal(joined(), "two five volatile-unwound closed");
    assert_int_equal(lb.tick[3], 5);
    fixture_destroy(sim);
}

static void *failing_child(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    return usim_task_fail("bad input %d", 3);
}

static char scope_err[256];

static void *failing_scope_owner(void *arg)
{
    (void)arg;
    static double ten = 10.0;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, sleep_arg, &ten, "slow");
    usim_scope_spawn(&s, failing_child, NULL, "bad");
    scope_rc = usim_scope_close(&s);
    snprintf(scope_err, sizeof scope_err, "%s", usim_scope_error(&s));
    note("closed");
    return NULL;
}

/* the child fails at 1: the sibling sleeping until 10 is cancelled and
 * close returns USIM_EFAILED at 1; the run itself does not fail. */
static void test_failing_child_fails_its_scope_and_cancels_siblings(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, failing_scope_owner, NULL, "owner");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(scope_rc, USIM_EFAILED);
    assert_non_null(strstr(scope_err, "'bad'"));
    assert_non_null(strstr(scope_err, "bad input 3"));
    /* "slow" was cancelled: its sleep returned early and it noted at 1 */
    assert_string_equal(joined(), "slow closed");
    assert_int_equal(lb.tick[1], 1);
    fixture_destroy(sim);
}

static int deadline_rcs[2];

static void *deadline_child(void *arg)
{
    (void)arg;
    deadline_rcs[0] = usim_sleep(10.0);
    note("child-timeout");
    return NULL;
}

static void *deadline_owner(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open_until(&s, 3.0);
    usim_scope_spawn(&s, deadline_child, NULL, "child");
    deadline_rcs[1] = usim_sleep(1.0);
    scope_rc = usim_scope_close(&s);
    note("closed");
    assert_int_equal(usim_sleep(1.0), 0); /* outside the scope: no deadline */
    note("after");
    return NULL;
}

/* deadline 3: the child's sleep(10) returns USIM_ETIMEDOUT at 3; the
 * owner's sleep(1) completes at 1; close returns USIM_ETIMEDOUT at 3. */
static void test_scope_deadline_times_out_blocking_calls_inside(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, deadline_owner, NULL, "owner");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(deadline_rcs[0], USIM_ETIMEDOUT);
    assert_int_equal(deadline_rcs[1], 0);
    assert_int_equal(scope_rc, USIM_ETIMEDOUT);
    assert_string_equal(joined(), "child-timeout closed after");
    assert_int_equal(lb.tick[0], 3);
    assert_int_equal(lb.tick[1], 3);
    assert_int_equal(lb.tick[2], 4);
    fixture_destroy(sim);
}

static int lone_rcs[2];

static void *lone_deadline_owner(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open_until(&s, 3.0);
    lone_rcs[0] = usim_sleep(10.0);
    lone_rcs[1] = usim_scope_close(&s);
    note("closed");
    return NULL;
}

/* No child, the owner's own sleep(10) ends at the deadline 3 with
 * USIM_ETIMEDOUT; close then has nothing to wait for and still says
 * USIM_ETIMEDOUT, at 3, under every order (fifo and lifo once returned 0
 * here, musim USIM_ETIMEDOUT). */
static void
test_scope_close_after_its_deadline_says_timed_out_in_every_order(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_RANDOM,
                                 USIM_ORDER_MUSIM};
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        memset(&lb, 0, sizeof lb);
        lone_rcs[0] = lone_rcs[1] = 1;
        usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, orders[i], 1);
        usim_sim_spawn(sim, lone_deadline_owner, NULL, "owner");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_int_equal(lone_rcs[0], USIM_ETIMEDOUT);
        assert_int_equal(lone_rcs[1], USIM_ETIMEDOUT);
        assert_string_equal(joined(), "closed");
        assert_int_equal(lb.tick[0], 3);
        fixture_destroy(sim);
    }
}

/* ------------------------------------------------------------------ */
/* Deadlock, run control, destruction, misuse                          */
/* ------------------------------------------------------------------ */

static void *wait_forever_on_join(void *arg)
{
    usim_join(*(usim_task **)arg, NULL);
    return NULL;
}

static usim_task *dl_a, *dl_b;

static void test_deadlock_reports_each_waiting_task_and_what_it_waits_on(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    dl_a = usim_sim_spawn(sim, wait_forever_on_join, &dl_b, "alice");
    dl_b = usim_sim_spawn(sim, wait_forever_on_join, &dl_a, "bob");
    usim_sim_spawn(sim, three_sleeps, NULL, "bystander");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DEADLOCK);
    assert_int_equal(usim_sim_blocked_count(sim), 2);
    const char *task, *what;
    int seen = 0;
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(usim_sim_blocked(sim, i, &task, &what), 0);
        if (strcmp(task, "alice") == 0) {
            assert_string_equal(what, "join of task 'bob'");
            seen |= 1;
        } else {
            assert_string_equal(task, "bob");
            assert_string_equal(what, "join of task 'alice'");
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    const char *err = usim_sim_error(sim);
    assert_non_null(strstr(err, "deadlock at t=6"));
    fixture_destroy(sim);
}

/* run(until) stops at until with events pending and can continue. */
static void test_run_until_pauses_and_continues(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, three_sleeps, NULL, "sleeper");
    assert_int_equal(usim_sim_run(sim, 2.0), USIM_PAUSED);
    assert_int_equal(lb.n, 1); /* woke at 1.6 only */
    assert_float_equal(usim_sim_now(sim), 2.0, 1e-12);
    assert_int_equal(usim_sim_run(sim, 3.2), USIM_PAUSED); /* 3.2 included */
    assert_int_equal(lb.n, 2);
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 3);
    fixture_destroy(sim);
}

static int unwound;

static void *holds_resources(void *arg)
{
    (void)arg;
    int *mem = malloc(64); /* freed on the way out: leak checkers see it */
    int rc = usim_sleep(100.0);
    free(mem);
    if (rc == USIM_ECANCELED)
        unwound++;
    return NULL;
}

static void *never_started(void *arg)
{
    (void)arg;
    unwound += 100; /* must not run: destroy does not start new tasks */
    return NULL;
}

static void test_destroy_cancels_live_tasks_and_lets_them_unwind(void **state)
{
    (void)state;
    unwound = 0;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    for (int i = 0; i < 10; i++)
        usim_sim_spawn(sim, holds_resources, NULL, "holder");
    assert_int_equal(usim_sim_run(sim, 5.0), USIM_PAUSED);
    usim_sim_spawn(sim, never_started, NULL, "late");
    fixture_destroy(sim);
    assert_int_equal(unwound, 10);
}

static void test_limit_on_events_stops_the_run(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1.0;
    cfg.max_events = 5;
    usim_sim *sim = fixture_sim(&cfg);
    usim_sim_spawn(sim, forever, NULL, "spinner");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_LIMIT);
    assert_int_equal(usim_sim_events(sim), 5);
    assert_non_null(strstr(usim_sim_error(sim), "event limit of 5"));
    fixture_destroy(sim);
}

static int overflow_rc = 1;

static void *time_overflow(void *arg)
{
    (void)arg;
    usim_sleep(1e18); /* 1e27 ticks at 1e-9: past int64 */
    overflow_rc = 0;
    return NULL;
}

static void test_time_overflow_fails_the_run_instead_of_wrapping(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = fixture_sim(&cfg);
    usim_sim_spawn(sim, time_overflow, NULL, "far");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_non_null(strstr(usim_sim_error(sim), "time overflow"));
    assert_int_equal(overflow_rc, 1);
    fixture_destroy(sim);
}

static void test_kernel_calls_outside_a_task_give_a_clear_error(void **state)
{
    (void)state;
    assert_int_equal(usim_sleep(1.0), USIM_ESTATE);
    assert_non_null(strstr(usim_errmsg(), "usim_sleep: called outside a running task"));
    assert_null(usim_spawn(child_a, NULL, "x"));
    assert_non_null(strstr(usim_errmsg(), "usim_spawn"));
    assert_true(isnan(usim_now()));
    assert_int_equal(usim_join(NULL, NULL), USIM_ESTATE);
    assert_int_equal(usim_instant(), USIM_ESTATE);
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = -1;
    assert_null(usim_sim_create(&cfg));
    assert_non_null(strstr(usim_errmsg(), "resolution"));
}

static void *destroys_own_sim(void *arg)
{
    usim_sim_destroy(arg); /* refused: we are running inside it */
    note("survived");
    return NULL;
}

static void test_destroy_from_inside_the_simulation_is_refused(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, destroys_own_sim, sim, "rogue");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "survived");
    assert_non_null(strstr(usim_errmsg(), "usim_sim_destroy: called from inside"));
    fixture_destroy(sim);
}

static void *sleep_then_periodic_then_sleep(void *arg)
{
    (void)arg;
    usim_sleep(1.5);
    note("sleep");
    int k = 0;
    for (usim_every e = usim_every_begin(1.0); k < 3 && usim_every_next(&e); k++)
        note("every");
    usim_sleep(1.5);
    note("sleep");
    return NULL;
}

/* tracked, resolution 0.2: sleep 7.5 ticks -> tick 8; the loop from tick 8
 * every 5 ticks -> 13, 18, 23; the next sleep starts from now (the loop
 * keeps its own grid): 23 + 7.5 -> 31.  Time never goes back. */
static void test_tracked_sleep_after_a_periodic_loop_starts_from_now(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, sleep_then_periodic_then_sleep, NULL, "mixed");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 5);
    int64_t want[5] = {8, 13, 18, 23, 31};
    for (int i = 0; i < 5; i++)
        assert_int_equal(lb.tick[i], want[i]);
    fixture_destroy(sim);
}

static void *instant_forever(void *arg)
{
    (void)arg;
    for (;;)
        usim_instant(); /* ignores USIM_ECANCELED */
    return NULL;
}

static void *cancel_arg(void *arg)
{
    usim_cancel(arg);
    return NULL;
}

/* A cancelled task spinning on usim_instant() must not hang the run.
 * (Before the cancel, a task spinning on usim_instant() keeps time from
 * advancing, as timeout(0) loops do in SimPy: the canceller runs in the
 * same instant.) */
static void test_cancelled_task_spinning_on_instant_fails_the_run(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_task *t = usim_sim_spawn(sim, instant_forever, NULL, "spinner");
    usim_sim_spawn(sim, cancel_arg, t, "canceller");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_non_null(strstr(usim_sim_error(sim), "'spinner' ignores its cancellation"));
    fixture_destroy(sim);
}

static int owner_after_close;

static void *child_fails_run(void *arg)
{
    if (arg)
        usim_detach(usim_self());
    usim_sleep(1.0);
    usim_fail("child gives up");
}

static void *owner_of_failing_child(void *arg)
{
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, child_fails_run, arg, "child");
    usim_scope_close(&s);
    owner_after_close++; /* reached while destroy unwinds the owner */
    return NULL;
}

/* A child that ends the run with usim_fail leaves its scope; destroying
 * the simulation then lets the owner return from close and unwind (for a
 * detached child too, whose record is kept with its abandoned stack
 * until then). */
static void test_owner_unwinds_past_close_after_a_child_fails_the_run(void **state)
{
    (void)state;
    for (int detached = 0; detached < 2; detached++) {
        owner_after_close = 0;
        usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
        usim_sim_spawn(sim, owner_of_failing_child, detached ? (void *)1 : NULL,
                       "owner");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
        assert_non_null(strstr(usim_sim_error(sim), "child gives up"));
        fixture_destroy(sim);
        assert_int_equal(owner_after_close, 1);
    }
}

static int grandchild_unwound;

static void *grandchild(void *arg)
{
    (void)arg;
    while (usim_sleep(10.0) == 0)
        ;
    grandchild_unwound++;
    return NULL;
}

static void *middle_fails_in_its_scope(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, grandchild, NULL, "grandchild");
    usim_sleep(1.0);
    usim_fail("middle gives up with its scope open");
}

static void *owner_that_ends_first(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, middle_fails_in_its_scope, NULL, "middle");
    usim_instant();  /* middle sets its timer first */
    usim_sleep(1.0); /* due with middle's: still ready when the run fails */
    usim_scope_close(&s);
    /* The closed scope's memory is the owner's again: a scope with a
     * deadline long past takes it, as middle's scope is left. */
    usim_scope_open_until(&s, 0.0);
    usim_scope_close(&s);
    owner_after_close++;
    return NULL;
}

/* A task that ends the run with usim_fail while its own scope has a
 * child: destroying the simulation unwinds the owner above it first
 * (which reuses its closed scope's memory, then returns its stack to the
 * pool), then the grandchild, which leaves the abandoned task's scope:
 * that scope, on the abandoned stack, is still valid memory and no
 * longer names the owner's closed one (a debug build checks both
 * there). */
static void test_grandchild_unwinds_after_its_scope_owner_failed_the_run(void **state)
{
    (void)state;
    owner_after_close = grandchild_unwound = 0;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, owner_that_ends_first, NULL, "owner");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_non_null(strstr(usim_sim_error(sim), "middle gives up with its scope open"));
    assert_float_equal(usim_sim_now(sim), 1.0, 0);
    fixture_destroy(sim);
    assert_int_equal(owner_after_close, 1);
    assert_int_equal(grandchild_unwound, 1);
}

static void *bad_sleep(void *arg)
{
    (void)arg;
    assert_int_equal(usim_sleep(-1.0), USIM_EINVAL);
    assert_int_equal(usim_sleep(NAN), USIM_EINVAL);
    assert_int_equal(usim_delay(-3), USIM_EINVAL);
    return NULL;
}

static void test_negative_or_nan_durations_are_einval(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, bad_sleep, NULL, "bad");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    fixture_destroy(sim);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static void *recurse_forever(void *arg)
{
    volatile char buf[512];
    buf[0] = 1;
    return (char *)recurse_forever(arg) + buf[0];
}

static void test_stack_overflow_fails_only_its_run(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.stack_size = 16384;
    usim_sim *sim = fixture_sim(&cfg);
    usim_sim_spawn(sim, recurse_forever, NULL, "server");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_string_equal(usim_sim_error(sim),
                        "stack overflow in task 'server' (16 KiB stack)");
    fixture_destroy(sim);
    /* the next simulation on this thread runs normally */
    sim = make_sim(0.2, USIM_DRIFT_TRACKED, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, three_sleeps, NULL, "sleeper");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.tick[2], 23);
    fixture_destroy(sim);
}

static void *returns_at_once(void *arg)
{
    return arg;
}

static void *spawns_with_stack(void *arg)
{
    usim_spawn_opts o = {.stack_size = (size_t)(intptr_t)arg};
    note(usim_spawn_ex(returns_at_once, NULL, "c", &o) ? "spawned" : "refused");
    return NULL;
}

/* The bounds are inclusive: 16384 and 1073741824 bytes pass, one byte
 * less or more does not, in the configuration and per task alike. */
static void test_stack_sizes_outside_16_KiB_to_1_GiB_are_einval(void **state)
{
    (void)state;
    assert_int_equal(USIM_STACK_MIN, 16384);
    assert_int_equal(USIM_STACK_MAX, 1073741824);
    usim_config cfg;
    usim_config_init(&cfg);
    size_t sizes[] = {USIM_STACK_MIN - 1, USIM_STACK_MIN, USIM_STACK_MAX,
                      (size_t)USIM_STACK_MAX + 1};
    int want[] = {USIM_EINVAL, 0, 0, USIM_EINVAL};
    for (int i = 0; i < 4; i++) {
        cfg.stack_size = sizes[i];
        assert_int_equal(usim_config_check(&cfg), want[i]);
    }
    assert_non_null(strstr(usim_errmsg(), "stack_size 1073741825 must be between"));

    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_spawn_opts o = {.stack_size = USIM_STACK_MIN - 1};
    assert_null(usim_sim_spawn_ex(sim, returns_at_once, NULL, "small", &o));
    assert_non_null(strstr(usim_errmsg(), "spawn: stack_size 16383 must be between"));
    o.stack_size = (size_t)USIM_STACK_MAX + 1;
    assert_null(usim_sim_spawn_ex(sim, returns_at_once, NULL, "huge", &o));
    usim_sim_spawn(sim, spawns_with_stack, (void *)(intptr_t)(USIM_STACK_MIN - 1),
                   "p1");
    usim_sim_spawn(sim, spawns_with_stack, (void *)(intptr_t)USIM_STACK_MIN, "p2");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(lb.n, 2);
    assert_string_equal(lb.what[0], "refused");
    assert_string_equal(lb.what[1], "spawned");
    fixture_destroy(sim);
}

/* ------------------------------------------------------------------ */
/* One rule puts a time on a tick, whichever path converts it          */
/* ------------------------------------------------------------------ */

/* A time t at resolution res, and its tick worked out by hand: the
 * first tick at or after t / res, where a quotient within 1e-9 relative
 * (1e-9 * max(1, q)) of an integer is that integer. */
typedef struct tick_case {
    double res, t;
    int64_t tick;
    bool whole; /* t / res is a whole number of ticks (strict accepts it) */
} tick_case;

static const tick_case tick_cases[] = {
    /* 1000000.1 ticks: 0.1 from 1e6, beyond the tolerance 1e-3 */
    {1e-9, 0.0010000001, 1000001, false},
    /* 1000000.0001 ticks: within 1e-3 of 1e6, so exactly 1e6 (a scope
     * deadline used to put this on 1000001, sleep_until on 1000000) */
    {1e-9, 0.0010000000001, 1000000, true},
    /* 8 ticks moved by -/+0.5e-9 relative (8 -/+ 4e-9): within 8e-9 */
    {0.2, 1.6 * (1 - 0.5e-9), 8, true},
    {0.2, 1.6 * (1 + 0.5e-9), 8, true},
    /* moved by -/+2e-9 relative (8 -/+ 1.6e-8): beyond 8e-9 */
    {0.2, 1.6 * (1 - 2e-9), 8, false},
    {0.2, 1.6 * (1 + 2e-9), 9, false},
    /* 0.3 / 0.1 is 2.9999999999999996 in binary: 3 */
    {0.1, 0.3, 3, true},
    /* below one tick the tolerance is 1e-9 ticks: 5e-10 ticks is tick 0,
     * 2e-9 ticks is tick 1 */
    {0.2, 0.2 * 5e-10, 0, true},
    {0.2, 0.2 * 2e-9, 1, false},
    /* 7.5 ticks */
    {0.2, 1.5, 8, false},
};

static const tick_case *tc_now; /* the case the path tasks below run */
static int64_t tc_tick;         /* the tick the path reached, -1 if none */

static void *tc_sleep(void *arg)
{
    (void)arg;
    if (usim_sleep(tc_now->t) == 0)
        tc_tick = usim_now_ticks();
    return NULL;
}

static void *tc_sleep_until(void *arg)
{
    (void)arg;
    if (usim_sleep_until(tc_now->t) == 0)
        tc_tick = usim_now_ticks();
    return NULL;
}

/* usim_delay to the expected tick, then usim_sleep_until(t) must not
 * move: the delay's tick is t's tick. */
static void *tc_delay(void *arg)
{
    (void)arg;
    if (usim_delay(tc_now->tick) == 0 && usim_sleep_until(tc_now->t) == 0)
        tc_tick = usim_now_ticks();
    return NULL;
}

/* A wait for a flag nobody sets, in a scope with deadline t. */
static void *tc_scope_deadline(void *arg)
{
    (void)arg;
    usim_flag f;
    usim_flag_init(&f, false, "never");
    usim_scope s;
    usim_scope_open_until(&s, tc_now->t);
    if (usim_flag_wait_true(&f) == USIM_ETIMEDOUT)
        tc_tick = usim_now_ticks();
    usim_scope_close(&s);
    return NULL;
}

static void *tc_periodic(void *arg)
{
    (void)arg;
    usim_every e = usim_every_begin(tc_now->t);
    if (usim_every_next(&e))
        tc_tick = usim_now_ticks();
    return NULL;
}

/* A trace sampled every t: a read at tick T has a point for each grid
 * time whose tick is <= T, so sample 1 (time t) must be missing one tick
 * before t's tick and present at it.  (Not for a grid finer than a tick
 * whose first sample is after tick 0: reading at that tick would emit a
 * point per grid time before it, billions.) */
static void *tc_trace(void *arg)
{
    (void)arg;
    usim_trace *tr = usim_trace_get("tc");
    usim_trace_record(tr, 1.0);
    int64_t want = tc_now->tick;
    if (want > 0 && usim_delay(want - 1) == 0 && usim_trace_read(tr, NULL, NULL) >= 2) {
        tc_tick = want - 1; /* too early */
        return NULL;
    }
    if (want > 0)
        usim_delay(1);
    tc_tick = usim_trace_read(tr, NULL, NULL) >= 2 ? want : want + 1;
    return NULL;
}

/* Runs `fn` for the current case in a simulation of its own; the tick it
 * reached, -1 if it reached none or the run did not end done. */
static int64_t tc_run(usim_fn fn, usim_drift drift)
{
    usim_sim *sim = make_sim(tc_now->res, drift, USIM_ORDER_FIFO, 1);
    if (fn == tc_trace)
        assert_non_null(usim_sim_trace_enable(sim, "tc", USIM_TRACE_SAMPLE, tc_now->t));
    tc_tick = -1;
    usim_sim_spawn(sim, fn, NULL, "path");
    usim_status st = usim_sim_run(sim, INFINITY);
    fixture_destroy(sim);
    return st == USIM_DONE ? tc_tick : -1;
}

/* usim_sim_run(sim, t) runs the events up to the last tick at or before
 * t: a sleeper until t wakes inside it exactly when t is whole ticks,
 * and otherwise the run pauses one tick before t's tick. */
static void check_run_until(const tick_case *c)
{
    usim_sim *sim = make_sim(c->res, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    tc_tick = -1;
    usim_sim_spawn(sim, tc_sleep_until, NULL, "path");
    usim_status st = usim_sim_run(sim, c->t);
    if (c->whole) {
        if (st != USIM_DONE || tc_tick != c->tick)
            fail_msg("run until %.17g at %g: %s, woke at %lld, expected done at %lld",
                     c->t, c->res, usim_status_name(st), (long long)tc_tick,
                     (long long)c->tick);
    } else if (st != USIM_PAUSED || tc_tick != -1 ||
               usim_sim_now_ticks(sim) != c->tick - 1) {
        fail_msg("run until %.17g at %g: %s at tick %lld, expected paused at %lld",
                 c->t, c->res, usim_status_name(st), (long long)usim_sim_now_ticks(sim),
                 (long long)c->tick - 1);
    }
    fixture_destroy(sim);
}

static void expect_tick(const char *path, int64_t got, int64_t want)
{
    if (got != want)
        fail_msg("%s(%.17g) at resolution %g: tick %lld, expected %lld", path,
                 tc_now->t, tc_now->res, (long long)got, (long long)want);
}

static void test_every_path_puts_a_time_on_the_same_tick(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tick_cases / sizeof tick_cases[0]; i++) {
        tc_now = &tick_cases[i];
        int64_t want = tc_now->tick;
        expect_tick("naive sleep", tc_run(tc_sleep, USIM_DRIFT_NAIVE), want);
        expect_tick("tracked sleep", tc_run(tc_sleep, USIM_DRIFT_TRACKED), want);
        expect_tick("strict sleep", tc_run(tc_sleep, USIM_DRIFT_STRICT),
                    tc_now->whole ? want : -1);
        expect_tick("sleep_until", tc_run(tc_sleep_until, USIM_DRIFT_NAIVE), want);
        expect_tick("delay then sleep_until", tc_run(tc_delay, USIM_DRIFT_NAIVE), want);
        expect_tick("scope deadline", tc_run(tc_scope_deadline, USIM_DRIFT_NAIVE),
                    want);
        expect_tick("periodic loop", tc_run(tc_periodic, USIM_DRIFT_NAIVE), want);
        if (tc_now->t >= tc_now->res || want == 0)
            expect_tick("trace sample interval", tc_run(tc_trace, USIM_DRIFT_NAIVE),
                        want);
        check_run_until(tc_now);
    }
}

/* ------------------------------------------------------------------ */
/* Zero-length and endless waits, exact clock readings, loop overruns, */
/* a deadline for one call                                             */
/* ------------------------------------------------------------------ */

static void *zero_sleeper(void *arg)
{
    note("a0");
    if (arg)
        assert_int_equal(usim_delay(0), 0);
    else
        assert_int_equal(usim_sleep(0), 0);
    note("a1");
    return NULL;
}

static void *instant_stepper(void *arg)
{
    (void)arg;
    note("b0");
    usim_instant();
    note("b1");
    usim_instant();
    note("b2");
    return NULL;
}

/* A (sleep(0), or delay(0)) and B (two instants), spawned in that order.
 * sleep(0) is usim_instant: A goes behind B once, so a0 b0 a1 b1 b2
 * (before, it waited until no task was ready: a0 b0 b1 b2 a1).  The same
 * in fifo, lifo and musim (an instant yields in every order). */
static void test_sleep_0_is_exactly_an_instant(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_MUSIM};
    for (int i = 0; i < 3; i++)
        for (int delay = 0; delay < 2; delay++) {
            usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, orders[i], 1);
            usim_sim_spawn(sim, zero_sleeper, delay ? (void *)1 : NULL, "A");
            usim_sim_spawn(sim, instant_stepper, NULL, "B");
            assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
            assert_string_equal(joined(), "a0 b0 a1 b1 b2");
            assert_int_equal(usim_sim_events(sim), 5);
            fixture_destroy(sim);
        }
}

static int forever_rc[3];

static void *sleeps_forever(void *arg)
{
    forever_rc[(intptr_t)arg] = usim_sleep_until(INFINITY);
    note("woke");
    return NULL;
}

static void *forever_in_scope(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open_until(&s, 4.0);
    forever_rc[1] = usim_sleep_until(INFINITY);
    note("deadline");
    usim_scope_close(&s);
    return NULL;
}

static usim_task *forever_task;

static void *cancels_at_7(void *arg)
{
    (void)arg;
    usim_sleep(7);
    usim_cancel(forever_task);
    return NULL;
}

/* usim_sleep_until(INFINITY) waits for ever: a cancel at 7 ends it
 * (USIM_ECANCELED), a scope deadline at 4 too (USIM_ETIMEDOUT); alone it
 * is a deadlock that names the wait. */
static void test_sleep_until_infinity_waits_until_something_ends_it(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    forever_task = usim_sim_spawn(sim, sleeps_forever, (void *)0, "forever");
    usim_sim_spawn(sim, cancels_at_7, NULL, "canceller");
    usim_sim_spawn(sim, forever_in_scope, NULL, "scoped");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "deadline woke");
    assert_int_equal(lb.tick[0], 4);
    assert_int_equal(lb.tick[1], 7);
    assert_int_equal(forever_rc[0], USIM_ECANCELED);
    assert_int_equal(forever_rc[1], USIM_ETIMEDOUT);
    fixture_destroy(sim);

    sim = make_sim(1.0, USIM_DRIFT_NAIVE, USIM_ORDER_MUSIM, 1);
    usim_sim_spawn(sim, sleeps_forever, (void *)2, "alone");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DEADLOCK);
    const char *task, *what;
    assert_int_equal(usim_sim_blocked(sim, 0, &task, &what), 0);
    assert_string_equal(task, "alone");
    assert_string_equal(what, "sleep until INFINITY");
    assert_int_equal(lb.n, 0);
    fixture_destroy(sim);
}

static double now_reads[3];
static int64_t wrong_reads;

static void *whole_number_sleeper(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        usim_sleep(20);
    now_reads[0] = usim_now();
    for (int64_t k = 1; k <= 1000000; k++) {
        usim_sleep_until((double)k + 60);
        wrong_reads += usim_now() != (double)k + 60;
    }
    return NULL;
}

/* At the default resolution (1e-9) three sleeps of 20 read exactly 60
 * (ticks * 1e-9 gave 60.000000000000007), and so does every whole number
 * from 61 to 60 + 10^6, read after a wait until it, and usim_sim_now at
 * the end. */
static void test_now_reads_whole_numbers_exactly_at_the_default_resolution(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = fixture_sim(&cfg);
    wrong_reads = 0;
    usim_sim_spawn(sim, whole_number_sleeper, NULL, "counter");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_true(now_reads[0] == 60.0);
    assert_int_equal(wrong_reads, 0);
    assert_true(usim_sim_now(sim) == 1000060.0);
    fixture_destroy(sim);
}

static void *reads_after_ticks(void *arg)
{
    usim_delay((int64_t)(intptr_t)arg);
    now_reads[0] = usim_now();
    return NULL;
}

/* The time of tick n: at 0.2 (5 ticks per unit) n / 5, so 3 ticks read
 * 0.6 (3 * 0.2 is 0.6000000000000001); at 0.3 (1 / 0.3 is no whole
 * number) n * 0.3, so 43 ticks read 43 * 0.3 = 12.9 (43 / (1 / 0.3) is
 * 12.899999999999999). */
static void test_now_divides_only_by_a_whole_number_of_ticks_per_unit(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(0.2, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, reads_after_ticks, (void *)3, "r");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_true(now_reads[0] == 0.6);
    assert_true(usim_sim_now(sim) == 0.6);
    fixture_destroy(sim);
    sim = make_sim(0.3, USIM_DRIFT_NAIVE, USIM_ORDER_FIFO, 1);
    usim_sim_spawn(sim, reads_after_ticks, (void *)43, "r");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    volatile double per_unit = 1 / 0.3;
    assert_true(now_reads[0] == 43 * 0.3);
    assert_true(now_reads[0] != 43 / per_unit);
    fixture_destroy(sim);
}

static usim_every loop_end;

static void *interval_that_overruns(void *arg)
{
    usim_sleep(10);
    double body = *(double *)arg;
    usim_every e = usim_every_begin_ex(2, USIM_EVERY_OVERRUN_FAILS);
    while (usim_every_next(&e)) {
        note("tick");
        usim_sleep(body);
    }
    loop_end = e;
    note("end");
    return NULL;
}

/* μsim's interval(2) from t=10 with a body of 2.5: it starts at 12,
 * the body ends at 14.5, past the next start (14): the loop ends there
 * with USIM_EOVERRUN (μsim raises IntervalExceeded at 14.5), the overrun
 * counted.  A body of exactly 2 is no overrun: it runs on (stopped by
 * the run's end at 20: ticks at 12 .. 20). */
static void test_periodic_loop_can_end_with_eoverrun(void **state)
{
    (void)state;
    static double late = 2.5, exact = 2.0;
    usim_sim *sim = make_sim(0.5, USIM_DRIFT_NAIVE, USIM_ORDER_MUSIM, 1);
    usim_sim_spawn(sim, interval_that_overruns, &late, "late");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_string_equal(joined(), "tick end");
    assert_int_equal(lb.tick[0], 24);
    assert_int_equal(lb.tick[1], 29);
    assert_int_equal(loop_end.rc, USIM_EOVERRUN);
    assert_int_equal(loop_end.overruns, 1);
    assert_string_equal(usim_strerror(USIM_EOVERRUN), "interval overrun");
    fixture_destroy(sim);

    sim = make_sim(0.5, USIM_DRIFT_NAIVE, USIM_ORDER_MUSIM, 1);
    usim_sim_spawn(sim, interval_that_overruns, &exact, "exact");
    assert_int_equal(usim_sim_run(sim, 20.0), USIM_PAUSED);
    assert_string_equal(joined(), "tick tick tick tick tick");
    assert_int_equal(lb.tick[4], 40);
    fixture_destroy(sim);

    usim_every bad = usim_every_begin_ex(1, 2); /* outside a task first */
    assert_int_equal(bad.rc, USIM_ESTATE);
}

static int timeout_rcs[8];
static usim_flag late_flag;

static void *sets_late_flag(void *arg)
{
    (void)arg;
    usim_sleep(10);
    usim_flag_set(&late_flag, true);
    return NULL;
}

static void *timeout_user(void *arg)
{
    (void)arg;
    usim_queue q;
    assert_int_equal(usim_queue_init(&q, 0, "q"), 0);
    assert_int_equal(usim_queue_try_put(&q, &q), 0);
    assert_int_equal(usim_timeout(2), 0);
    timeout_rcs[0] = usim_sleep(5); /* times out at 2 */
    note("t0");
    timeout_rcs[1] = usim_sleep(1); /* no deadline left: 3 */
    note("t1");
    assert_int_equal(usim_timeout(1), 0);
    void *item;
    timeout_rcs[2] = usim_queue_get(&q, &item);       /* at once: clears it */
    timeout_rcs[3] = usim_flag_wait_true(&late_flag); /* until 10 */
    note("t3");
    usim_scope s;
    usim_scope_open_until(&s, 14);
    assert_int_equal(usim_timeout(10), 0);       /* 20: the scope's 14 wins */
    timeout_rcs[4] = usim_sleep_until(INFINITY); /* 14 */
    note("t4");
    usim_scope_close(&s);
    usim_scope_open_until(&s, 20);
    usim_task *f = usim_scope_spawn_volatile(&s, sleeps_forever, (void *)2, "f");
    assert_int_equal(usim_timeout_at(16), 0); /* earlier than 20 */
    timeout_rcs[5] = usim_join(f, NULL);
    note("t5");
    usim_scope_close(&s); /* cancels f, which notes woke */
    assert_int_equal(usim_timeout(3), 0);
    assert_int_equal(usim_timeout(INFINITY), 0); /* cleared */
    timeout_rcs[6] = usim_sleep(5);              /* 21 */
    note("t6");
    assert_int_equal(usim_timeout(-1), USIM_EINVAL);
    assert_int_equal(usim_timeout(NAN), USIM_EINVAL);
    assert_int_equal(usim_timeout_at(NAN), USIM_EINVAL);
    assert_int_equal(usim_timeout(0), 0);
    timeout_rcs[7] = usim_instant(); /* a deadline now: at once */
    usim_queue_destroy(&q);
    return NULL;
}

/* usim_timeout(2) before sleep(5) at 0: USIM_ETIMEDOUT at 2; the next
 * sleep(1) has no deadline (ends at 3); a timeout armed before a get that
 * completes at once is spent on it, so the flag wait after it lasts
 * until the flag is set at 10; in a scope with deadline 14 a timeout of
 * 10 (due 20) loses to the scope (14); one at 16 in a scope until 20
 * wins: the join of a volatile child that sleeps for ever returns at 16,
 * and the close then cancels the child (it notes woke at 16); INFINITY
 * clears;
 * bad durations are USIM_EINVAL; a timeout of 0 fails the next waiting
 * call at once.  The same in every order. */
static void test_timeout_bounds_the_next_blocking_call_only(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_MUSIM};
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(1.0, USIM_DRIFT_NAIVE, orders[i], 1);
        usim_flag_init(&late_flag, false, "late");
        usim_sim_spawn(sim, timeout_user, NULL, "user");
        usim_sim_spawn(sim, sets_late_flag, NULL, "setter");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_string_equal(joined(), "t0 t1 t3 t4 t5 woke t6");
        const int64_t at[] = {2, 3, 10, 14, 16, 16, 21};
        for (int k = 0; k < 7; k++)
            assert_int_equal(lb.tick[k], at[k]);
        const int want[] = {USIM_ETIMEDOUT, 0, 0, 0, USIM_ETIMEDOUT, USIM_ETIMEDOUT, 0,
                            USIM_ETIMEDOUT};
        for (int k = 0; k < 8; k++)
            assert_int_equal(timeout_rcs[k], want[k]);
        fixture_destroy(sim);
        usim_flag_destroy(&late_flag);
    }
    assert_int_equal(usim_timeout(1), USIM_ESTATE);
}

/* Every test starts from the same state: no simulation, an empty
 * logbook, the file's task-result slots at their initial values. */
static int setup(void **state)
{
    memset(&lb, 0, sizeof lb);
    heap_peak = 0;
    loops_done = 0;
    memset(cancel_rc, 0, sizeof cancel_rc);
    intr_rc = intr_cause = intr_rc2 = 0;
    scope_rc = 0;
    scope_err[0] = 0;
    memset(deadline_rcs, 0, sizeof deadline_rcs);
    dl_a = dl_b = NULL;
    unwound = 0;
    overflow_rc = 1;
    owner_after_close = 0;
    tc_now = NULL;
    tc_tick = -1;
    memset(many_ticks, 0, sizeof many_ticks);
    loop_overruns = 0;
    return fixture_setup(state);
}

#define KERNEL_TEST(t) cmocka_unit_test_setup_teardown(t, setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        KERNEL_TEST(test_naive_drift_three_sleeps_end_at_4_8),
        KERNEL_TEST(test_tracked_drift_three_sleeps_end_at_4_6),
        KERNEL_TEST(test_strict_drift_fails_naming_duration_and_resolution),
        KERNEL_TEST(test_three_delays_of_8_ticks_end_at_exactly_4_8),
        KERNEL_TEST(test_periodic_loop_wakes_at_1_6_3_0_4_6),
        KERNEL_TEST(test_periodic_loop_counts_overruns_without_shifting),
        KERNEL_TEST(test_drift_groups_sum_freed_and_live_tasks_of_a_name),
        KERNEL_TEST(test_drift_histogram_bins_each_wait),
        KERNEL_TEST(test_next_simulation_starts_with_no_events_groups_or_waits),
        KERNEL_TEST(test_drift_bin_table_matches_ilogb),
        KERNEL_TEST(test_sleep_fast_path_rounding_is_ticks_ceil),
        KERNEL_TEST(test_heap_replace_top_keeps_time_then_push_order),
        KERNEL_TEST(test_spawn_turn_point_fifo_and_lifo_interleave_differently),
        KERNEL_TEST(test_random_order_repeats_for_a_seed_and_differs_across_seeds),
        KERNEL_TEST(test_equal_time_timers_fire_in_scheduling_order),
        KERNEL_TEST(test_many_same_time_wakeups_keep_scheduling_order),
        KERNEL_TEST(test_handover_readies_every_timer_due_at_that_tick),
        KERNEL_TEST(test_lone_sleeper_stops_at_until_and_at_the_event_budget),
        KERNEL_TEST(test_random_order_handover_may_draw_the_sleeper),
        KERNEL_TEST(test_stale_timers_are_compacted_on_the_fast_path),
        KERNEL_TEST(test_join_returns_the_result_when_the_task_ends),
        KERNEL_TEST(test_cancel_is_sticky_and_while_sleep_loops_end),
        KERNEL_TEST(test_interrupt_returns_eintr_with_a_readable_cause),
        KERNEL_TEST(test_usim_fail_ends_the_run_with_its_message),
        KERNEL_TEST(test_scope_close_waits_for_children_and_cancels_volatile_ones),
        KERNEL_TEST(test_failing_child_fails_its_scope_and_cancels_siblings),
        KERNEL_TEST(test_scope_deadline_times_out_blocking_calls_inside),
        KERNEL_TEST(test_scope_close_after_its_deadline_says_timed_out_in_every_order),
        KERNEL_TEST(test_deadlock_reports_each_waiting_task_and_what_it_waits_on),
        KERNEL_TEST(test_run_until_pauses_and_continues),
        KERNEL_TEST(test_destroy_cancels_live_tasks_and_lets_them_unwind),
        KERNEL_TEST(test_limit_on_events_stops_the_run),
        KERNEL_TEST(test_time_overflow_fails_the_run_instead_of_wrapping),
        KERNEL_TEST(test_kernel_calls_outside_a_task_give_a_clear_error),
        KERNEL_TEST(test_negative_or_nan_durations_are_einval),
        KERNEL_TEST(test_destroy_from_inside_the_simulation_is_refused),
        KERNEL_TEST(test_tracked_sleep_after_a_periodic_loop_starts_from_now),
        KERNEL_TEST(test_cancelled_task_spinning_on_instant_fails_the_run),
        KERNEL_TEST(test_owner_unwinds_past_close_after_a_child_fails_the_run),
        KERNEL_TEST(test_grandchild_unwinds_after_its_scope_owner_failed_the_run),
        KERNEL_TEST(test_stack_overflow_fails_only_its_run),
        KERNEL_TEST(test_every_path_puts_a_time_on_the_same_tick),
        KERNEL_TEST(test_stack_sizes_outside_16_KiB_to_1_GiB_are_einval),
        KERNEL_TEST(test_naive_sleep_rounds_7_2_ticks_up_to_8),
        KERNEL_TEST(test_tracked_error_never_exceeds_one_tick),
        KERNEL_TEST(test_ticks_time_is_usim_now_rule),
        KERNEL_TEST(test_tracked_carry_resets_to_now_after_a_flag_wait),
        KERNEL_TEST(test_delay_moves_the_tracked_target_by_exact_ticks),
        KERNEL_TEST(test_sleep_until_wakes_at_the_first_tick_at_or_after_t),
        KERNEL_TEST(
            test_periodic_loop_from_t0_starts_at_first_tick_after_t0_plus_k_interval),
        KERNEL_TEST(test_sleep_0_is_exactly_an_instant),
        KERNEL_TEST(test_sleep_until_infinity_waits_until_something_ends_it),
        KERNEL_TEST(test_now_reads_whole_numbers_exactly_at_the_default_resolution),
        KERNEL_TEST(test_now_divides_only_by_a_whole_number_of_ticks_per_unit),
        KERNEL_TEST(test_periodic_loop_can_end_with_eoverrun),
        KERNEL_TEST(test_timeout_bounds_the_next_blocking_call_only),
    };
    return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
