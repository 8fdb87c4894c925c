/*
 * test_musim_flow — μsim 0.4.4's usim_pytest/test_flow/test_collect.py
 * and test_first.py, ported to usim_collect and usim_first under
 * USIM_ORDER_MUSIM (see musim_port.h).
 *
 * One cmocka test per μsim test; a parametrised μsim test runs each of
 * its parameters in a fresh simulation, as pytest does.  The two files
 * share test names, so test_first.py's tests are prefixed test_first_
 * (test_first_collect_all is test_first.py's test_collect_all).
 * μsim's activities are coroutines: ping_pong(v, delay) sleeps and
 * returns v, ping_raise(exc, delay) sleeps and raises; here they are
 * task functions, and a raise is usim_task_fail with the exception's
 * name as its message.  μsim's Concurrent[X, Y] (the set of exception
 * types exactly) becomes: the call is USIM_EFAILED and the messages of
 * the failed activities are exactly that set.  An iteration of first
 * with asyncstdlib's zip or list is the order[] usim_first fills in.
 *
 * Every μsim test of both files is ported.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "musim_port.h"

static size_t count;

/* Runs body once for each of the n counts. */
static void run_counts(usim_fn body, const size_t *counts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        count = counts[i];
        port_run_done(body);
    }
}

typedef struct ping {
    intptr_t value;
    double delay;
    const char *raise; /* NULL: return value */
} ping;

static void *ping_task(void *arg)
{
    const ping *p = arg;
    if (usim_sleep(p->delay) != 0)
        return NULL;
    if (p->raise)
        return usim_task_fail("%s", p->raise);
    return (void *)p->value;
}

static ping pings[16];
static usim_activity acts[16];

static const char *const failures[] = {"KeyError", "IndexError", "AttributeError"};

/* ping_pong(idx, delay=count - idx) for idx < count. */
static void make_pongs(void)
{
    for (size_t i = 0; i < count; i++) {
        pings[i] = (ping){(intptr_t)i, (double)(count - i), NULL};
        acts[i] = (usim_activity){.fn = ping_task, .arg = &pings[i], .name = "pong"};
    }
}

/* ping_raise(failures[idx % 3], delay) with delay = idx or 1. */
static void make_raises(bool delay_one)
{
    for (size_t i = 0; i < count; i++) {
        pings[i] = (ping){0, delay_one ? 1.0 : (double)i, failures[i % 3]};
        acts[i] = (usim_activity){.fn = ping_task, .arg = &pings[i], .name = "raise"};
    }
}

/* The failed activities' messages are exactly failures[0 .. kinds-1]
 * (μsim's Concurrent[failures[:kinds]]); the others were cancelled. */
static void expect_concurrent(size_t kinds)
{
    bool seen[3] = {false, false, false};
    for (size_t i = 0; i < count; i++) {
        if (acts[i].status == USIM_ECANCELED)
            continue;
        assert_int_equal(acts[i].status, USIM_EFAILED);
        const char *msg = usim_task_error(acts[i].task);
        assert_non_null(msg);
        size_t k = 0;
        while (k < 3 && !strstr(msg, failures[k]))
            k++;
        assert_true(k < kinds);
        seen[k] = true;
    }
    for (size_t k = 0; k < kinds; k++)
        assert_true(seen[k]);
}

/* ---------------------------------------------------------------- */
/* test_collect.py                                                    */
/* ---------------------------------------------------------------- */

static void *collect_some_body(void *arg)
{
    make_pongs();
    assert_int_equal(usim_collect(acts, count), 0);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(acts[i].status, 0);
        assert_int_equal((intptr_t)acts[i].result, (intptr_t)i);
    }
    assert_true(usim_now() == (double)count);
    return PORT_DONE(arg);
}

static void test_collect_some(void **state)
{
    (void)state;
    run_counts(collect_some_body, (const size_t[]){5, 12, 1, 0}, 4);
}

static void *collect_failure_body(void *arg)
{
    /* Abort on the first failure: idx 0 raises KeyError at once. */
    make_raises(false);
    assert_int_equal(usim_collect(acts, count), USIM_EFAILED);
    expect_concurrent(1);
    assert_int_equal(acts[0].status, USIM_EFAILED);
    assert_true(usim_now() == 0);
    /* Concurrent failures: all raise at 1, in one time step. */
    make_raises(true);
    assert_int_equal(usim_collect(acts, count), USIM_EFAILED);
    expect_concurrent(count < 3 ? count : 3);
    assert_true(usim_now() == 1);
    return PORT_DONE(arg);
}

static void test_collect_failure(void **state)
{
    (void)state;
    run_counts(collect_failure_body, (const size_t[]){5, 12, 1}, 3);
}

/* ---------------------------------------------------------------- */
/* test_first.py                                                      */
/* ---------------------------------------------------------------- */

static void *first_collect_all_body(void *arg)
{
    size_t order[16];
    make_pongs();
    assert_int_equal(usim_first(acts, count, count, order), 0);
    /* Completion order: the shortest delay (the last activity) first. */
    for (size_t k = 0; k < count; k++) {
        assert_int_equal(order[k], count - 1 - k);
        assert_int_equal((intptr_t)acts[order[k]].result, (intptr_t)(count - 1 - k));
    }
    assert_true(usim_now() == (double)count);
    return PORT_DONE(arg);
}

static void test_first_collect_all(void **state)
{
    (void)state;
    run_counts(first_collect_all_body, (const size_t[]){5, 12, 1, 0}, 4);
}

static void *first_collect_default_body(void *arg)
{
    size_t order[1];
    make_pongs();
    assert_int_equal(usim_first(acts, count, 1, order), 0);
    assert_int_equal(order[0], count - 1);
    assert_int_equal((intptr_t)acts[count - 1].result, (intptr_t)(count - 1));
    for (size_t i = 0; i + 1 < count; i++)
        assert_int_equal(acts[i].status, USIM_ECANCELED);
    assert_true(usim_now() == 1);
    return PORT_DONE(arg);
}

static void test_first_collect_default(void **state)
{
    (void)state;
    run_counts(first_collect_default_body, (const size_t[]){5, 12, 1}, 3);
}

static void *first_less_available_body(void *arg)
{
    size_t order[3];
    make_pongs();
    assert_int_equal(usim_first(acts, count, 3, order), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "3 results asked"));
    assert_true(usim_now() == 0);
    return PORT_DONE(arg);
}

static void test_first_less_available(void **state)
{
    (void)state;
    run_counts(first_less_available_body, (const size_t[]){1, 0}, 2);
}

static void *first_collect_failure_body(void *arg)
{
    size_t order[1];
    make_raises(false);
    assert_int_equal(usim_first(acts, count, 1, order), USIM_EFAILED);
    expect_concurrent(1);
    assert_int_equal(acts[0].status, USIM_EFAILED);
    assert_true(usim_now() == 0);
    make_raises(true);
    assert_int_equal(usim_first(acts, count, 1, order), USIM_EFAILED);
    expect_concurrent(count < 3 ? count : 3);
    assert_true(usim_now() == 1);
    return PORT_DONE(arg);
}

static void test_first_collect_failure(void **state)
{
    (void)state;
    run_counts(first_collect_failure_body, (const size_t[]){5, 12, 1}, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_collect_some),
        FIXTURE_TEST(test_collect_failure),
        FIXTURE_TEST(test_first_collect_all),
        FIXTURE_TEST(test_first_collect_default),
        FIXTURE_TEST(test_first_less_available),
        FIXTURE_TEST(test_first_collect_failure),
    };
    return cmocka_run_group_tests_name("musim_flow", tests, NULL, NULL);
}
