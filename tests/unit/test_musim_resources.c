/*
 * test_musim_resources — μsim 0.4.4's usim_pytest/test_types/
 * test_resource.py, ported to usim_resources under USIM_ORDER_MUSIM (see
 * musim_port.h).
 *
 * One cmocka test per μsim test, named after it.  The tests of
 * BaseResourceCase run in μsim once for Capacities and once for
 * Resources; here each runs both (usim_capacities_init and
 * usim_resources_init).  μsim's assertion_mode tests (AssertionError on
 * misuse) check that the call is USIM_EINVAL with a message.  The kinds
 * are always (a, b); amounts are {a, b}, a kind not named in μsim's call
 * being 0.  Each test body runs as the only task of a fresh simulation
 * and must end (μsim's via_usim: a test that never finishes fails).
 *
 * Not ported, or ported in part:
 *   TestResourceLevels.test_misuse: C has no separate levels type to
 *     construct; a supply with no kinds is test_misuse.
 *   TestResourceLevels.test_comparison: the comparisons are ported
 *     (usim_resources_test on a supply holding the left-hand levels); the
 *     + and - of two level records are plain array arithmetic in C, with
 *     no API to test.
 *   test_release: μsim's forced close of task_b (__close__, releasing
 *     through scheduled activations) has no C counterpart; task_b is
 *     cancelled as task_a is, and returns its borrow itself.
 * None of test_resource.py's tests combines resource conditions with & or
 * |: every wait is a single comparison (usim_resources_wait).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "musim_port.h"

static const char *const kinds[] = {"a", "b"};

typedef enum { CAPACITIES, RESOURCES } supply_type;
static supply_type type;

static int make(usim_resources *r, double a, double b)
{
    const double v[] = {a, b};
    return type == CAPACITIES ? usim_capacities_init(r, 2, kinds, v, 0, "res")
                              : usim_resources_init(r, 2, kinds, v, 0, "res");
}

/* Both supply types, as μsim's TestCapacity and TestResources. */
static void run_both(usim_fn body)
{
    type = CAPACITIES;
    port_run_done(body);
    type = RESOURCES;
    port_run_done(body);
}

static void borrow_ok(usim_resources *r, double a, double b)
{
    usim_resources sub;
    const double amt[] = {a, b};
    assert_int_equal(usim_resources_borrow(r, amt, &sub), 0);
    assert_int_equal(usim_resources_return(&sub), 0);
}

static bool levels_are(const usim_resources *r, usim_cmp op, double a, double b)
{
    const double v[] = {a, b};
    return usim_resources_test(r, op, v);
}

/* ---------------------------------------------------------------- */
/* TestResourceLevels                                                 */
/* ---------------------------------------------------------------- */

static void *comparison_body(void *arg)
{
    usim_resources r;
    const double v[] = {5, 10};
    assert_int_equal(usim_resources_init(&r, 2, kinds, v, 0, "res"), 0);
    /* (a5, b10) == (b10, a5): the order of the names does not matter in
     * μsim; in C the array is always in kind order. */
    assert_true(levels_are(&r, USIM_EQ, 5, 10));
    assert_true(levels_are(&r, USIM_NE, 6, 10));
    assert_true(levels_are(&r, USIM_LT, 6, 11));
    assert_false(levels_are(&r, USIM_LT, 6, 10));
    assert_true(levels_are(&r, USIM_LE, 6, 10));
    assert_int_equal(usim_resources_set(&r, (double[]){6, 11}), 0);
    assert_true(levels_are(&r, USIM_GT, 5, 10));
    assert_int_equal(usim_resources_set(&r, (double[]){6, 10}), 0);
    assert_false(levels_are(&r, USIM_GT, 5, 10));
    assert_true(levels_are(&r, USIM_GE, 5, 10));
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_comparison(void **state)
{
    (void)state;
    port_run_done(comparison_body);
}

/* ---------------------------------------------------------------- */
/* BaseResourceCase                                                   */
/* ---------------------------------------------------------------- */

static void *misuse_body(void *arg)
{
    usim_resources r;
    const double v[] = {10};
    int rc = type == CAPACITIES ? usim_capacities_init(&r, 0, kinds, v, 0, "res")
                                : usim_resources_init(&r, 0, kinds, v, 0, "res");
    assert_int_equal(rc, USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "0 kinds"));
    return PORT_DONE(arg);
}

static void test_misuse(void **state)
{
    (void)state;
    run_both(misuse_body);
}

static void *debug_misuse_body(void *arg)
{
    usim_resources r, sub;
    assert_int_equal(make(&r, 10, -10), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "kind 'b'"));
    assert_int_equal(make(&r, 10, 10), 0);
    const double bad[][2] = {{-1, -1}, {-1, 0}, {0, -1}};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(usim_resources_borrow(&r, bad[i], &sub), USIM_EINVAL);
        assert_non_null(strstr(usim_errmsg(), "must be >= 0"));
    }
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_debug_misuse(void **state)
{
    (void)state;
    run_both(debug_misuse_body);
}

static void *borrow_body(void *arg)
{
    usim_resources r;
    assert_int_equal(make(&r, 10, 10), 0);
    borrow_ok(&r, 5, 5);
    borrow_ok(&r, 5, 0);
    borrow_ok(&r, 0, 5);
    borrow_ok(&r, 7, 7);
    borrow_ok(&r, 10, 10);
    assert_true(usim_now() == 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_borrow(void **state)
{
    (void)state;
    run_both(borrow_body);
}

static void claim_ok(usim_resources *r, double a, double b)
{
    usim_resources sub;
    assert_int_equal(usim_resources_claim(r, (double[]){a, b}, &sub), 0);
    assert_int_equal(usim_resources_return(&sub), 0);
}

static void *claim_body(void *arg)
{
    usim_resources r, held, sub;
    assert_int_equal(make(&r, 10, 10), 0);
    claim_ok(&r, 5, 5);
    claim_ok(&r, 5, 0);
    claim_ok(&r, 0, 5);
    claim_ok(&r, 7, 7);
    claim_ok(&r, 10, 10);
    assert_int_equal(usim_resources_claim(&r, (double[]){5, 5}, &held), 0);
    const double over[][2] = {{10, 10}, {10, 0}, {0, 10}, {10, 5}, {5, 10}};
    for (int i = 0; i < 5; i++)
        assert_int_equal(usim_resources_claim(&r, over[i], &sub), USIM_EAGAIN);
    assert_int_equal(usim_resources_return(&held), 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_claim(void **state)
{
    (void)state;
    run_both(claim_body);
}

static void *nested_borrow_body(void *arg)
{
    usim_resources r, outer;
    assert_int_equal(make(&r, 10, 10), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){5, 5}, &outer), 0);
    borrow_ok(&r, 5, 5);
    borrow_ok(&r, 5, 0);
    borrow_ok(&r, 0, 5);
    assert_int_equal(usim_resources_return(&outer), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){7, 7}, &outer), 0);
    borrow_ok(&r, 3, 3);
    assert_int_equal(usim_resources_return(&outer), 0);
    borrow_ok(&r, 10, 10);
    assert_true(usim_now() == 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_nested_borrow(void **state)
{
    (void)state;
    run_both(nested_borrow_body);
}

static void *recursive_borrow_body(void *arg)
{
    usim_resources r, sub;
    assert_int_equal(make(&r, 10, 10), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){5, 5}, &sub), 0);
    borrow_ok(&sub, 5, 5);
    borrow_ok(&sub, 5, 0);
    borrow_ok(&sub, 0, 5);
    assert_int_equal(usim_resources_return(&sub), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){7, 7}, &sub), 0);
    borrow_ok(&sub, 3, 3);
    assert_int_equal(usim_resources_return(&sub), 0);
    borrow_ok(&r, 10, 10);
    assert_true(usim_now() == 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_recursive_borrow(void **state)
{
    (void)state;
    run_both(recursive_borrow_body);
}

static usim_resources shared;

/* Borrows (1, 1) for 10 unless the levels are below it in every kind. */
static void *borrow_nowait(void *arg)
{
    (void)arg;
    if (levels_are(&shared, USIM_LT, 1, 1))
        return NULL;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&shared, (double[]){1, 1}, &sub), 0);
    assert_int_equal(usim_sleep(10), 0);
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *borrow_atomicity_body(void *arg)
{
    assert_int_equal(make(&shared, 1, 1), 0);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, borrow_nowait, NULL, "first");
    usim_scope_spawn(&s, borrow_nowait, NULL, "second");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == 10);
    usim_resources_destroy(&shared);
    return PORT_DONE(arg);
}

static void test_borrow_atomicity(void **state)
{
    (void)state;
    run_both(borrow_atomicity_body);
}

typedef struct borrow_spec {
    double duration, a, b;
} borrow_spec;

static void *borrow_for(void *arg)
{
    const borrow_spec *b = arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&shared, (double[]){b->a, b->b}, &sub), 0);
    assert_int_equal(usim_sleep(b->duration), 0);
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *congested_body(void *arg)
{
    assert_int_equal(make(&shared, 10, 10), 0);
    static const borrow_spec specs[] = {{10, 6, 4}, {10, 6, 4}, {10, 4, 6}};
    assert_true(usim_now() == 0);
    usim_scope s;
    usim_scope_open(&s);
    for (int i = 0; i < 3; i++)
        usim_scope_spawn(&s, borrow_for, (void *)&specs[i], "borrow");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == 20);
    usim_resources_destroy(&shared);
    return PORT_DONE(arg);
}

static void test_congested(void **state)
{
    (void)state;
    run_both(congested_body);
}

/* Borrows (4, 4) and waits forever; a cancel ends the wait, and the
 * task returns what it borrowed. */
static void *block(void *arg)
{
    (void)arg;
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&shared, (double[]){4, 4}, &sub), 0);
    assert_int_equal(usim_sleep_until(INFINITY), USIM_ECANCELED);
    assert_int_equal(usim_resources_return(&sub), 0);
    return NULL;
}

static void *release_body(void *arg)
{
    assert_int_equal(make(&shared, 10, 10), 0);
    assert_true(usim_now() == 0);
    usim_scope s;
    usim_scope_open(&s);
    usim_task *ta = usim_scope_spawn(&s, block, NULL, "a");
    usim_task *tb = usim_scope_spawn(&s, block, NULL, "b");
    assert_int_equal(usim_sleep(10), 0);
    usim_cancel(ta);
    usim_cancel(tb);
    assert_int_equal(usim_scope_close(&s), 0);
    usim_resources sub;
    assert_int_equal(usim_resources_borrow(&shared, (double[]){10, 10}, &sub), 0);
    assert_true(usim_now() == 10);
    assert_int_equal(usim_resources_return(&sub), 0);
    usim_resources_destroy(&shared);
    return PORT_DONE(arg);
}

static void test_release(void **state)
{
    (void)state;
    run_both(release_body);
}

static void *borrow_shortly(void *arg)
{
    (void)arg;
    borrow_ok(&shared, 5, 5);
    return NULL;
}

/* One step of test_compare: the comparison `first` holds at once; a
 * borrow of (5, 5) starts 10 later; the wait on `then` returns at
 * `wait_ends`, the scope at `scope_ends`. */
static void compare_step(usim_cmp op1, double first, usim_cmp op2, double then,
                         double wait_ends, double scope_ends)
{
    usim_scope s;
    usim_scope_open(&s);
    assert_int_equal(usim_resources_wait(&shared, op1, (double[]){first, first}), 0);
    usim_spawn_opts opts = {.after = 10};
    assert_non_null(usim_scope_spawn_ex(&s, borrow_shortly, NULL, "short", &opts));
    assert_int_equal(usim_resources_wait(&shared, op2, (double[]){then, then}), 0);
    assert_true(usim_now() == wait_ends);
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == scope_ends);
}

static void *compare_body(void *arg)
{
    assert_int_equal(make(&shared, 10, 10), 0);
    compare_step(USIM_EQ, 10, USIM_EQ, 5, 10, 10);
    compare_step(USIM_GT, 9, USIM_GT, 5, 10, 20);
    compare_step(USIM_GE, 10, USIM_GE, 5, 20, 30);
    compare_step(USIM_LE, 10, USIM_LE, 5, 40, 40);
    compare_step(USIM_LT, 11, USIM_LT, 6, 50, 50);
    compare_step(USIM_NE, 5, USIM_NE, 10, 60, 60);
    usim_resources_destroy(&shared);
    return PORT_DONE(arg);
}

static void test_compare(void **state)
{
    (void)state;
    run_both(compare_body);
}

/* ---------------------------------------------------------------- */
/* TestCapacity                                                       */
/* ---------------------------------------------------------------- */

static void *limits_body(void *arg)
{
    usim_resources r, sub;
    double lim[2], lev[2];
    assert_int_equal(usim_capacities_init(&r, 2, kinds, (double[]){10, 10}, 0, "c"), 0);
    assert_int_equal(usim_resources_limits(&r, lim), 0);
    assert_int_equal(usim_resources_levels(&r, lev), 0);
    assert_true(lim[0] == 10 && lim[1] == 10);
    assert_true(lev[0] == lim[0] && lev[1] == lim[1]);
    assert_int_equal(usim_resources_borrow(&r, (double[]){5, 5}, &sub), 0);
    assert_int_equal(usim_resources_levels(&r, lev), 0);
    assert_int_equal(usim_resources_limits(&r, lim), 0);
    assert_true(lim[0] > lev[0] && lim[1] > lev[1]); /* limits > levels */
    assert_true(lim[0] == 10 && lim[1] == 10);
    assert_int_equal(usim_resources_return(&sub), 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_limits(void **state)
{
    (void)state;
    port_run_done(limits_body);
}

static void *borrow_exceed_body(void *arg)
{
    usim_resources r, sub;
    assert_int_equal(usim_capacities_init(&r, 2, kinds, (double[]){10, 10}, 0, "c"), 0);
    const double over[][2] = {{11, 11}, {11, 10}, {10, 11}, {11, 0}, {0, 11}};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(usim_resources_borrow(&r, over[i], &sub), USIM_EINVAL);
        assert_non_null(strstr(usim_errmsg(), "exceeds the limit 10"));
    }
    borrow_ok(&r, 10, 10);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_borrow_exceed(void **state)
{
    (void)state;
    port_run_done(borrow_exceed_body);
}

/* ---------------------------------------------------------------- */
/* TestResources                                                      */
/* ---------------------------------------------------------------- */

static void *increase_body(void *arg)
{
    usim_resources r, s1, s2;
    type = RESOURCES;
    assert_int_equal(make(&r, 10, 10), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){10, 10}, &s1), 0);
    assert_int_equal(usim_resources_increase(&r, (double[]){10, 10}), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){10, 10}, &s2), 0);
    assert_int_equal(usim_resources_increase(&r, (double[]){20, 20}), 0);
    borrow_ok(&r, 20, 20);
    assert_int_equal(usim_resources_return(&s2), 0);
    assert_int_equal(usim_resources_return(&s1), 0);
    borrow_ok(&r, 40, 40);
    assert_true(usim_now() == 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_increase(void **state)
{
    (void)state;
    port_run_done(increase_body);
}

static void expect_negative(int (*change)(usim_resources *, const double *),
                            usim_resources *r)
{
    const double bad[][2] = {{-1, -1}, {-1, 0}, {0, -1}};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(change(r, bad[i]), USIM_EINVAL);
        assert_non_null(strstr(usim_errmsg(), "-1"));
    }
}

static void *increase_misuse_body(void *arg)
{
    usim_resources r;
    type = RESOURCES;
    assert_int_equal(make(&r, 10, 10), 0);
    expect_negative(usim_resources_increase, &r);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_increase_misuse(void **state)
{
    (void)state;
    port_run_done(increase_misuse_body);
}

static void *decrease_body(void *arg)
{
    usim_resources r, outer, sub;
    usim_scope s;
    type = RESOURCES;
    assert_int_equal(make(&r, 40, 40), 0);
    assert_int_equal(usim_resources_borrow(&r, (double[]){20, 20}, &outer), 0);
    assert_int_equal(usim_resources_decrease(&r, (double[]){10, 10}), 0);
    usim_scope_open_until(&s, 10);
    assert_int_equal(usim_resources_borrow(&r, (double[]){20, 20}, &sub),
                     USIM_ETIMEDOUT);
    assert_int_equal(usim_scope_close(&s), USIM_ETIMEDOUT); /* μsim's until ends */
    assert_true(usim_now() == 10);
    assert_int_equal(usim_resources_return(&outer), 0);
    borrow_ok(&r, 30, 30);
    usim_scope_open_until(&s, 20);
    assert_int_equal(usim_resources_borrow(&r, (double[]){40, 40}, &sub),
                     USIM_ETIMEDOUT);
    assert_int_equal(usim_scope_close(&s), USIM_ETIMEDOUT); /* μsim's until ends */
    assert_true(usim_now() == 20);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_decrease(void **state)
{
    (void)state;
    port_run_done(decrease_body);
}

static void *decrease_misuse_body(void *arg)
{
    usim_resources r;
    type = RESOURCES;
    assert_int_equal(make(&r, 10, 10), 0);
    expect_negative(usim_resources_decrease, &r);
    assert_int_equal(usim_resources_decrease(&r, (double[]){20, 20}), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "which has 10"));
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_decrease_misuse(void **state)
{
    (void)state;
    port_run_done(decrease_misuse_body);
}

static void *set_body(void *arg)
{
    usim_resources r;
    type = RESOURCES;
    assert_int_equal(make(&r, 10, 10), 0);
    assert_int_equal(usim_resources_set(&r, (double[]){20, 20}), 0);
    borrow_ok(&r, 20, 20);
    assert_int_equal(usim_resources_set(&r, (double[]){30, NAN}), 0);
    borrow_ok(&r, 30, 20);
    assert_int_equal(usim_resources_set(&r, (double[]){NAN, 30}), 0);
    borrow_ok(&r, 30, 30);
    assert_true(usim_now() == 0);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_set(void **state)
{
    (void)state;
    port_run_done(set_body);
}

static void *set_misuse_body(void *arg)
{
    usim_resources r;
    type = RESOURCES;
    assert_int_equal(make(&r, 10, 10), 0);
    expect_negative(usim_resources_set, &r);
    usim_resources_destroy(&r);
    return PORT_DONE(arg);
}

static void test_set_misuse(void **state)
{
    (void)state;
    port_run_done(set_misuse_body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_comparison),
        FIXTURE_TEST(test_misuse),
        FIXTURE_TEST(test_debug_misuse),
        FIXTURE_TEST(test_borrow),
        FIXTURE_TEST(test_claim),
        FIXTURE_TEST(test_nested_borrow),
        FIXTURE_TEST(test_recursive_borrow),
        FIXTURE_TEST(test_borrow_atomicity),
        FIXTURE_TEST(test_congested),
        FIXTURE_TEST(test_release),
        FIXTURE_TEST(test_compare),
        FIXTURE_TEST(test_limits),
        FIXTURE_TEST(test_borrow_exceed),
        FIXTURE_TEST(test_increase),
        FIXTURE_TEST(test_increase_misuse),
        FIXTURE_TEST(test_decrease),
        FIXTURE_TEST(test_decrease_misuse),
        FIXTURE_TEST(test_set),
        FIXTURE_TEST(test_set_misuse),
    };
    return cmocka_run_group_tests_name("musim_resources", tests, NULL, NULL);
}
