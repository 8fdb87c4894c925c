/*
 * test_musim_until — the cases of μsim 0.4.4's scope tests that use
 * `until` or conditions (test_scopes.py), in C under USIM_ORDER_MUSIM
 * (see musim_port.h): one test per μsim test, named after it.  Times
 * and states were measured with μsim 0.4.4.  (test_types/test_scope.py
 * has no such case; test_scopes.py's others are in test_musim_scope.c,
 * which ports TestDo.test_after with usim_join as well.)
 *
 * μsim's `until(time == t)` is usim_scope_open_when with
 * usim_cond_time(USIM_EQ, t); μsim's TaskClosed (a child closed by the
 * scope's end) is a child that usim_join reports USIM_ECANCELED.
 *
 * Not ported:
 *   test_representable: str/repr of scopes; usim has no text forms.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

static void *sleep_arg(void *arg)
{
    usim_sleep(*(const double *)arg);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* TestDo                                                               */
/* ------------------------------------------------------------------ */

static void *after(void *arg)
{
    (void)arg;
    static const double ten = 10;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts o = {.after = 5};
    usim_task *a = usim_scope_spawn_ex(&s, sleep_arg, (void *)&ten, "payload", &o);
    assert_non_null(a);
    assert_int_equal(usim_task_status(a), USIM_TASK_CREATED);
    assert_int_equal(usim_sleep(4), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_RUNNING);
    usim_cond done = usim_cond_done(a, true);
    assert_int_equal(usim_wait_cond(&done, NULL), 0);
    assert_true(usim_now() == 15);
    assert_int_equal(usim_task_status(a), USIM_TASK_SUCCESS);
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == 15);
    port_completed = true;
    return NULL;
}

static void test_after(void **state)
{
    (void)state;
    port_run_completed(after);
}

static void *at(void *arg)
{
    (void)arg;
    static const double ten = 10, fifteen = 15;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts o = {.at = 5};
    usim_task *one = usim_scope_spawn_ex(&s, sleep_arg, (void *)&ten, "one", &o);
    usim_task *two = usim_scope_spawn_ex(&s, sleep_arg, (void *)&fifteen, "two", &o);
    assert_non_null(one);
    assert_non_null(two);
    usim_cond parts[2] = {usim_cond_done(one, true), usim_cond_done(two, true)};
    usim_cond either = usim_cond_any(parts, 2), both = usim_cond_all(parts, 2);
    size_t fired = 99;
    assert_int_equal(usim_wait_cond(&either, &fired), 0);
    assert_true(usim_now() == 15);
    assert_int_equal(fired, 0); /* one ended */
    assert_int_equal(usim_wait_cond(&both, NULL), 0);
    assert_true(usim_now() == 20);
    assert_int_equal(usim_scope_close(&s), 0);
    port_completed = true;
    return NULL;
}

static void test_at(void **state)
{
    (void)state;
    port_run_completed(at);
}

/* ------------------------------------------------------------------ */
/* Module level                                                         */
/* ------------------------------------------------------------------ */

static void *run_job(void *arg)
{
    (void)arg;
    usim_sleep(1000);
    return NULL;
}

static void *scheduler(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    for (;;) {
        usim_scope_spawn(&s, run_job, NULL, "job");
        if (usim_sleep(500) != 0)
            break;
    }
    usim_scope_close(&s);
    return NULL;
}

static void *until_(void *arg)
{
    (void)arg;
    usim_cond at500 = usim_cond_time(USIM_EQ, 500);
    usim_scope running;
    assert_int_equal(usim_scope_open_when(&running, &at500), 0);
    usim_task *activity = usim_scope_spawn(&running, scheduler, NULL, "scheduler");
    assert_non_null(activity);
    int rc = usim_scope_close(&running);
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    assert_true(usim_now() == 500);
    assert_int_equal(usim_join(activity, NULL), USIM_ECANCELED); /* TaskClosed */
    assert_int_equal(usim_task_status(activity), USIM_TASK_CANCELLED);
    assert_true(usim_now() == 500);
    port_completed = true;
    return NULL;
}

static void test_until(void **state)
{
    (void)state;
    port_run_completed(until_);
}

static void *reuse_job(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *job = usim_scope_spawn(&s, run_job, NULL, "job");
    usim_cancel(job);
    usim_cond done = usim_cond_done(job, true);
    assert_int_equal(usim_wait_cond(&done, NULL), 0);
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void *reuse(void *arg)
{
    (void)arg;
    usim_cond at500 = usim_cond_time(USIM_EQ, 500);
    usim_scope running;
    assert_int_equal(usim_scope_open_when(&running, &at500), 0);
    usim_task *activity = usim_scope_spawn(&running, reuse_job, NULL, "make_job");
    assert_int_equal(usim_scope_close(&running), 0);
    assert_true(usim_now() == 0);
    assert_int_equal(usim_join(activity, NULL), 0);
    assert_int_equal(usim_task_status(activity), USIM_TASK_SUCCESS);
    port_completed = true;
    return NULL;
}

static void test_reuse(void **state)
{
    (void)state;
    port_run_completed(reuse);
}

static void *for_interval(void *arg)
{
    (void)arg;
    double expected = 5;
    int ticks = 0;
    usim_cond at60 = usim_cond_time(USIM_EQ, 60);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &at60), 0);
    usim_every e = usim_every_begin(5);
    while (usim_every_next(&e)) {
        assert_true(usim_now() == expected);
        expected += 5;
        ticks++;
    }
    assert_int_equal(e.rc, USIM_ETIMEDOUT);
    int rc = usim_scope_close(&s);
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    /* μsim: 5, 10, ..., 60, the body at 60 too (the Moment's trigger hop
     * puts the until interrupt behind the interval's wake-up); here a
     * wait that ends exactly at the deadline completes. */
    assert_int_equal(ticks, 12);
    assert_true(usim_now() == 60);
    port_completed = true;
    return NULL;
}

static void test_for_interval(void **state)
{
    (void)state;
    port_run_completed(for_interval);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_after),        FIXTURE_TEST(test_at),
        FIXTURE_TEST(test_until),        FIXTURE_TEST(test_reuse),
        FIXTURE_TEST(test_for_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
