/*
 * test_trace — traces (on change and sampled) and scalars of a run.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

static usim_sim *new_sim(void)
{
    usim_config cfg;
    usim_config_init(&cfg);
    return fixture_sim(&cfg);
}

static void expect_points(usim_trace *tr, const double *t, const double *v, size_t n)
{
    const double *rt, *rv;
    size_t len = usim_trace_read(tr, &rt, &rv);
    assert_int_equal(len, n);
    for (size_t i = 0; i < n; i++) {
        if (rt[i] != t[i] || rv[i] != v[i])
            fail_msg("point %zu: (%.17g, %g), expected (%.17g, %g)", i, rt[i], rv[i],
                     t[i], v[i]);
    }
}

/* ---- change mode ---------------------------------------------------- */

static void *change_task(void *arg)
{
    (void)arg;
    usim_trace *tr = usim_trace_get("q");
    usim_trace_record(tr, 1);
    usim_sleep(1.5);
    usim_trace_record(tr, 2);
    usim_trace_record(tr, 3); /* same time: a second point */
    usim_sleep(2.0);
    usim_trace_record(tr, 4);
    usim_trace_record(usim_trace_get("not enabled"), 5); /* NULL: no-op */
    return NULL;
}

static void test_change_trace_has_a_point_per_record(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "q", USIM_TRACE_CHANGE, 0);
    assert_non_null(tr);
    assert_non_null(usim_sim_spawn(sim, change_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    const double t[] = {0, 1.5, 1.5, 3.5}, v[] = {1, 2, 3, 4};
    expect_points(tr, t, v, 4);
    fixture_destroy(sim);
}

/* ---- sample mode ---------------------------------------------------- */

static void *sample_task(void *arg)
{
    (void)arg;
    usim_trace *tr = usim_trace_get("s");
    usim_sleep(0.3);
    usim_trace_record(tr, 1); /* t = 0.3 */
    usim_sleep(0.7);
    usim_trace_record(tr, 2); /* t = 1.0, overridden at once */
    usim_trace_record(tr, 5);
    usim_sleep(1.2);
    usim_trace_record(tr, 3); /* t = 2.2 */
    usim_sleep(1.0);          /* the run ends at 3.2 */
    return NULL;
}

/*
 * Interval 0.5.  Samples start at the first record's time rounded up to
 * the grid (0.3 -> 0.5) and hold the value last recorded at or before
 * each grid time: 0.5 -> 1; 1.0 -> 5 (both records at 1.0 count, the
 * last wins); 1.5, 2.0 -> 5; 2.5, 3.0 -> 3; the read at 3.2 completes
 * the samples up to 3.0.
 */
static void test_sampled_trace_gives_exactly_the_expected_sample_times(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 0.5);
    assert_non_null(tr);
    assert_non_null(usim_sim_spawn(sim, sample_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_float_equal(usim_sim_now(sim), 3.2, 1e-12);
    const double t[] = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0}, v[] = {1, 5, 5, 5, 3, 3};
    expect_points(tr, t, v, 6);
    expect_points(tr, t, v, 6); /* a second read adds nothing */
    fixture_destroy(sim);
}

static void *tenth_task(void *arg)
{
    (void)arg;
    usim_trace *tr = usim_trace_get("s");
    usim_sleep(0.3);
    usim_trace_record(tr, 1);
    usim_sleep(0.2);
    usim_trace_record(tr, 2); /* at 0.5 = 5 ticks of 0.1 */
    usim_sleep(0.2);
    return NULL;
}

/* Interval 0.1, which is not a binary fraction: sample k is at time
 * exactly k * 0.1 and takes a record made at that (tick) time, so the
 * record at 0.3 + 0.2 counts for the sample at 5 * 0.1. */
static void test_sampled_trace_grid_follows_ticks_not_float_sums(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 0.1);
    assert_non_null(tr);
    assert_non_null(usim_sim_spawn(sim, tenth_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    const double t[] = {3 * 0.1, 4 * 0.1, 5 * 0.1, 6 * 0.1, 7 * 0.1};
    const double v[] = {1, 1, 2, 2, 2};
    expect_points(tr, t, v, 5);
    fixture_destroy(sim);
}

static void *long_task(void *arg)
{
    (void)arg;
    usim_trace *tr = usim_trace_get("s");
    usim_trace_record(tr, 7); /* t = 0: on the grid, first sample at 0 */
    usim_sleep(10.0);
    usim_trace_record(tr, 8);
    return NULL;
}

/* A paused run reads the samples up to its current time; continuing
 * adds the later ones, and sampling schedules no events. */
static void test_sampled_trace_is_completed_up_to_now_on_read(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 1.0);
    assert_non_null(tr);
    assert_non_null(usim_sim_spawn(sim, long_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, 2.5), USIM_PAUSED);
    const double t1[] = {0, 1, 2}, v1[] = {7, 7, 7};
    expect_points(tr, t1, v1, 3);
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    const double t2[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const double v2[] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8};
    expect_points(tr, t2, v2, 11);
    uint64_t events = usim_sim_events(sim);
    fixture_destroy(sim);

    /* The same run without the trace has the same number of events. */
    sim = new_sim();
    assert_non_null(usim_sim_spawn(sim, long_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(usim_sim_events(sim), events);
    fixture_destroy(sim);
}

/* Taking the points of a paused run hands over those so far and leaves
 * the trace empty; the run goes on sampling from where it was, with the
 * value in force, and the points taken outlive the simulation. */
static void test_taken_points_are_the_callers_and_the_trace_goes_on(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 1.0);
    assert_non_null(usim_sim_spawn(sim, long_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, 2.5), USIM_PAUSED);
    double *t1, *v1;
    assert_int_equal(usim_trace_take(tr, &t1, &v1), 3);
    expect_points(tr, NULL, NULL, 0);
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    double *t2, *v2;
    assert_int_equal(usim_trace_take(tr, &t2, &v2), 8);
    double *t3, *v3;
    assert_int_equal(usim_trace_take(tr, &t3, &v3), 0);
    assert_null(t3);
    assert_null(v3);
    fixture_destroy(sim);
    for (int i = 0; i < 3; i++)
        assert_true(t1[i] == i && v1[i] == 7);
    for (int i = 0; i < 8; i++)
        assert_true(t2[i] == 3 + i && v2[i] == (i < 7 ? 7 : 8));
    free(t1);
    free(v1);
    free(t2);
    free(v2);
}

/* A sampled trace that was never recorded has no points. */
static void test_sampled_trace_without_records_is_empty(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 1.0);
    assert_int_equal(usim_sim_run(sim, 5.0), USIM_DONE);
    const double *t, *v;
    assert_int_equal(usim_trace_read(tr, &t, &v), 0);
    fixture_destroy(sim);
}

/* ---- bookkeeping ---------------------------------------------------- */

static void test_trace_enable_rejects_bad_names_and_intervals(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    assert_null(usim_sim_trace_enable(sim, "", USIM_TRACE_CHANGE, 0));
    assert_non_null(strstr(usim_errmsg(), "name"));
    assert_null(usim_sim_trace_enable(sim, NULL, USIM_TRACE_CHANGE, 0));
    assert_null(usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 0));
    assert_non_null(strstr(usim_errmsg(), "interval"));
    assert_null(usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, -1));
    assert_null(usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, NAN));
    assert_null(usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, INFINITY));
    assert_null(usim_sim_trace_enable(sim, "s", (usim_trace_mode)7, 1));
    assert_non_null(usim_sim_trace_enable(sim, "s", USIM_TRACE_CHANGE, -1));
    assert_null(usim_sim_trace_enable(sim, "s", USIM_TRACE_SAMPLE, 1));
    assert_non_null(strstr(usim_errmsg(), "already"));
    fixture_destroy(sim);
}

static void test_traces_are_found_by_name_and_index(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    assert_int_equal(usim_sim_trace_count(sim), 0);
    assert_null(usim_sim_trace(sim, "a"));
    usim_trace *a = usim_sim_trace_enable(sim, "a", USIM_TRACE_CHANGE, 0);
    usim_trace *b = usim_sim_trace_enable(sim, "b", USIM_TRACE_SAMPLE, 2);
    assert_int_equal(usim_sim_trace_count(sim), 2);
    assert_ptr_equal(usim_sim_trace(sim, "a"), a);
    assert_ptr_equal(usim_sim_trace(sim, "b"), b);
    assert_null(usim_sim_trace(sim, "c"));
    assert_ptr_equal(usim_sim_trace_at(sim, 0), a);
    assert_ptr_equal(usim_sim_trace_at(sim, 1), b);
    assert_null(usim_sim_trace_at(sim, 2));
    assert_string_equal(usim_trace_name(b), "b");
    assert_null(usim_trace_get("a")); /* no simulation running here */
    fixture_destroy(sim);
}

/* A million points from the host (time 0): all kept, in order. */
static void test_change_trace_keeps_every_point_of_a_long_run(void **state)
{
    (void)state;
    enum { NPOINTS = 1000000 };
    usim_sim *sim = new_sim();
    usim_trace *tr = usim_sim_trace_enable(sim, "big", USIM_TRACE_CHANGE, 0);
    for (int i = 0; i < NPOINTS; i++)
        usim_trace_record(tr, i);
    const double *t, *v;
    assert_int_equal(usim_trace_read(tr, &t, &v), NPOINTS);
    for (int i = 0; i < NPOINTS; i += 9973)
        assert_true(v[i] == i && t[i] == 0.0);
    assert_true(v[NPOINTS - 1] == NPOINTS - 1);
    fixture_destroy(sim);
}

/* ---- scalars -------------------------------------------------------- */

static void *scalar_task(void *arg)
{
    (void)arg;
    usim_scalar_set("served", 41);
    usim_scalar_set("served", 42);
    return NULL;
}

static void test_scalars_last_value_wins_in_order_of_first_set(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    assert_int_equal(usim_sim_scalar_count(sim), 0);
    assert_int_equal(usim_sim_scalar_set(sim, "mean_wait", 1.5), 0);
    assert_int_equal(usim_sim_scalar_set(sim, "busy", 0.25), 0);
    assert_int_equal(usim_sim_scalar_set(sim, "mean_wait", 2.5), 0);
    assert_non_null(usim_sim_spawn(sim, scalar_task, NULL, "t"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(usim_sim_scalar_count(sim), 3);
    static const char *const names[] = {"mean_wait", "busy", "served"};
    static const double values[] = {2.5, 0.25, 42};
    for (size_t i = 0; i < 3; i++) {
        const char *name;
        double v;
        assert_int_equal(usim_sim_scalar_at(sim, i, &name, &v), 0);
        assert_string_equal(name, names[i]);
        assert_true(v == values[i]);
    }
    const char *name;
    double v;
    assert_int_equal(usim_sim_scalar_at(sim, 3, &name, &v), USIM_EINVAL);
    assert_int_equal(usim_sim_scalar_set(sim, "", 1), USIM_EINVAL);
    assert_int_equal(usim_scalar_set("x", 1), USIM_ESTATE); /* no running sim */
    fixture_destroy(sim);
}

/* One thread's simulations one after another, as usim-batch runs them
 * (the observation state of one is the next one's, emptied): none sees
 * the scalars, traces or missed names of the one before, whether it uses
 * the same names, others, or the same ones in another order. */
static void test_next_simulation_starts_with_nothing_observed(void **state)
{
    (void)state;
    static const char *const rounds[3][3] = {
        {"mean_wait", "busy", "served"},
        {"mean_wait", "idle", "busy"}, /* slot 1 changes, busy moves */
        {"served", "mean_wait", "busy"},
    };
    for (int r = 0; r < 3; r++) {
        usim_sim *sim = new_sim();
        assert_int_equal(usim_sim_scalar_count(sim), 0);
        assert_int_equal(usim_sim_trace_count(sim), 0);
        assert_null(usim_sim_trace_missed(sim, 0));
        assert_null(usim_sim_trace(sim, "queue_length")); /* a miss */
        for (int i = 0; i < 3; i++)
            assert_int_equal(usim_sim_scalar_set(sim, rounds[r][i], 10 * r + i), 0);
        assert_null(usim_sim_trace(sim, rounds[r][0]));   /* a miss */
        assert_null(usim_sim_trace(sim, "queue_length")); /* named once */
        if (r == 0)
            assert_non_null(usim_sim_trace_enable(sim, "a", USIM_TRACE_CHANGE, 0));
        assert_int_equal(usim_sim_trace_count(sim), r == 0 ? 1 : 0);
        assert_int_equal(usim_sim_scalar_count(sim), 3);
        for (size_t i = 0; i < 3; i++) {
            const char *name;
            double v;
            assert_int_equal(usim_sim_scalar_at(sim, i, &name, &v), 0);
            assert_string_equal(name, rounds[r][i]);
            assert_true(v == 10 * r + (double)i);
        }
        assert_string_equal(usim_sim_trace_missed(sim, 0), "queue_length");
        assert_string_equal(usim_sim_trace_missed(sim, 1), rounds[r][0]);
        assert_null(usim_sim_trace_missed(sim, 2));
        fixture_destroy(sim);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_change_trace_has_a_point_per_record),
        FIXTURE_TEST(test_sampled_trace_gives_exactly_the_expected_sample_times),
        FIXTURE_TEST(test_sampled_trace_grid_follows_ticks_not_float_sums),
        FIXTURE_TEST(test_sampled_trace_is_completed_up_to_now_on_read),
        FIXTURE_TEST(test_taken_points_are_the_callers_and_the_trace_goes_on),
        FIXTURE_TEST(test_sampled_trace_without_records_is_empty),
        FIXTURE_TEST(test_trace_enable_rejects_bad_names_and_intervals),
        FIXTURE_TEST(test_traces_are_found_by_name_and_index),
        FIXTURE_TEST(test_change_trace_keeps_every_point_of_a_long_run),
        FIXTURE_TEST(test_scalars_last_value_wins_in_order_of_first_set),
        FIXTURE_TEST(test_next_simulation_starts_with_nothing_observed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
