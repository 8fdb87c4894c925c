/*
 * test_musim_activity — μsim 0.4.4's usim_pytest/test_types/test_activity.py,
 * ported under USIM_ORDER_MUSIM (see musim_port.h): a task's result, its
 * states and cancelling it.  Test names are μsim's.
 *
 * μsim's `scope.do(sleep(d))` is usim_scope_spawn, `await activity` is
 * usim_join (TaskCancelled: USIM_ECANCELED), `await activity.done` is a
 * usim_join whose result is not looked at (a cancelled task ends the
 * wait with USIM_ECANCELED instead of raising), `activity.status` is
 * usim_task_status, `activity.cancel()` is usim_cancel.
 *
 * `activity.done` is usim_cond_done(t, true), `~activity.done`
 * usim_cond_done(t, false), awaited with usim_wait_cond.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

/* μsim's helper sleep(d): waits d, returns d. */
static void *sleep_for(void *arg)
{
    intptr_t d = (intptr_t)arg;
    if (usim_sleep((double)d) != 0)
        return NULL;
    return (void *)d;
}

/* Waiting for the end of a task that sleeps 20, inside its scope (until
 * 20) and after the scope (a postpone: it has ended). */
static void *await_body(void *arg)
{
    (void)arg;
    usim_scope scope;
    usim_scope_open(&scope);
    usim_task *a = usim_scope_spawn(&scope, sleep_for, (void *)(intptr_t)20, "sleep");
    assert_true(usim_now() == 0);
    assert_int_equal(usim_join(a, NULL), 0);
    assert_true(usim_now() == 20);
    assert_int_equal(usim_scope_close(&scope), 0);
    PORT_ASSERT_POSTPONES(assert_int_equal(usim_join(a, NULL), 0));
    assert_true(usim_now() == 20);
    return NULL;
}

static void test_await(void **state)
{
    (void)state;
    assert_true(port_run(await_body, NULL) == 20);
}

/* The result, 20, inside the scope (at 20) and again after it. */
static void *result_body(void *arg)
{
    (void)arg;
    usim_scope scope;
    usim_scope_open(&scope);
    usim_task *a = usim_scope_spawn(&scope, sleep_for, (void *)(intptr_t)20, "sleep");
    assert_true(usim_now() == 0);
    void *res = NULL;
    assert_int_equal(usim_join(a, &res), 0);
    assert_int_equal((intptr_t)res, 20);
    assert_true(usim_now() == 20);
    assert_int_equal(usim_scope_close(&scope), 0);
    res = NULL;
    assert_int_equal(usim_join(a, &res), 0);
    assert_int_equal((intptr_t)res, 20);
    assert_true(usim_now() == 20);
    return NULL;
}

static void test_result(void **state)
{
    (void)state;
    assert_true(port_run(result_body, NULL) == 20);
}

/* CREATED until its first turn, RUNNING after it, SUCCESS at the end. */
static void *state_success(void *arg)
{
    (void)arg;
    usim_scope scope;
    usim_scope_open(&scope);
    usim_task *a = usim_scope_spawn(&scope, sleep_for, (void *)(intptr_t)20, "sleep");
    assert_int_equal(usim_task_status(a), USIM_TASK_CREATED);
    assert_int_equal(usim_instant(), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_RUNNING);
    assert_int_equal(usim_join(a, NULL), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_SUCCESS);
    assert_true(usim_task_status(a) & USIM_TASK_FINISHED);
    assert_int_equal(usim_scope_close(&scope), 0);
    return NULL;
}

static void test_state_success(void **state)
{
    (void)state;
    assert_true(port_run(state_success, NULL) == 20);
}

/* Cancelled before its first turn: CANCELLED at once, and it never
 * runs, so nothing waits until 20. */
static void *state_cancel_created(void *arg)
{
    (void)arg;
    usim_scope scope;
    usim_scope_open(&scope);
    usim_task *a = usim_scope_spawn(&scope, sleep_for, (void *)(intptr_t)20, "sleep");
    assert_int_equal(usim_task_status(a), USIM_TASK_CREATED);
    usim_cancel(a);
    assert_int_equal(usim_task_status(a), USIM_TASK_CANCELLED);
    assert_int_equal(usim_instant(), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_CANCELLED);
    assert_int_equal(usim_join(a, NULL), USIM_ECANCELED);
    assert_int_equal(usim_task_status(a), USIM_TASK_CANCELLED);
    assert_true(usim_task_status(a) & USIM_TASK_FINISHED);
    assert_true(usim_now() == 0);
    assert_int_equal(usim_scope_close(&scope), 0);
    return NULL;
}

static void test_state_cancel_created(void **state)
{
    (void)state;
    assert_true(port_run(state_cancel_created, NULL) == 0);
}

/* Cancelled while it sleeps: still RUNNING until the cancellation has
 * reached it (at 0, its sleep cut short), then CANCELLED. */
static void *state_cancel_running(void *arg)
{
    (void)arg;
    usim_scope scope;
    usim_scope_open(&scope);
    usim_task *a = usim_scope_spawn(&scope, sleep_for, (void *)(intptr_t)20, "sleep");
    assert_int_equal(usim_task_status(a), USIM_TASK_CREATED);
    assert_int_equal(usim_instant(), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_RUNNING);
    usim_cancel(a);
    assert_int_equal(usim_task_status(a), USIM_TASK_RUNNING);
    assert_int_equal(usim_join(a, NULL), USIM_ECANCELED);
    assert_int_equal(usim_task_status(a), USIM_TASK_CANCELLED);
    assert_true(usim_task_status(a) & USIM_TASK_FINISHED);
    assert_true(usim_now() == 0);
    assert_int_equal(usim_scope_close(&scope), 0);
    return NULL;
}

static void test_state_cancel_running(void **state)
{
    (void)state;
    assert_true(port_run(state_cancel_running, NULL) == 0);
}

/* `~activity.done` holds while the activity runs (waiting for it does
 * not delay); `activity.done` holds once it ended at 20. */
static void *condition_body(void *arg)
{
    (void)arg;
    usim_scope scope;
    usim_scope_open(&scope);
    usim_task *activity =
        usim_scope_spawn(&scope, sleep_for, (void *)(intptr_t)20, "act");
    usim_cond done = usim_cond_done(activity, true);
    usim_cond not_done = usim_cond_done(activity, false);
    assert_false(usim_cond_holds(&done));
    assert_true(usim_cond_holds(&not_done));
    assert_int_equal(usim_wait_cond(&not_done, NULL), 0);
    assert_true(usim_now() == 0);
    assert_int_equal(usim_sleep(10), 0);
    assert_false(usim_cond_holds(&done));
    assert_true(usim_cond_holds(&not_done));
    assert_int_equal(usim_wait_cond(&not_done, NULL), 0);
    assert_true(usim_now() == 10);
    assert_int_equal(usim_sleep(10), 0);
    assert_true(usim_cond_holds(&done));
    assert_false(usim_cond_holds(&not_done));
    assert_int_equal(usim_wait_cond(&done, NULL), 0);
    assert_true(usim_now() == 20);
    assert_int_equal(usim_scope_close(&scope), 0);
    return NULL;
}

static void test_condition(void **state)
{
    (void)state;
    assert_true(port_run(condition_body, NULL) == 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_await),
        FIXTURE_TEST(test_result),
        FIXTURE_TEST(test_state_success),
        FIXTURE_TEST(test_state_cancel_created),
        FIXTURE_TEST(test_state_cancel_running),
        FIXTURE_TEST(test_condition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
