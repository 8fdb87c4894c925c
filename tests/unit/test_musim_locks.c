/*
 * test_musim_locks — μsim 0.4.4's usim_pytest/test_types/test_locks.py,
 * ported under USIM_ORDER_MUSIM (see musim_port.h).  Test names are
 * μsim's.
 *
 * μsim's `async with lock:` is USIM_WITH_LOCK (a body that raises is one
 * left early, by return or break: the block releases on every exit);
 * `async with a, b, c:` is three nested blocks; `lock.available` (the
 * lock is free or the caller holds it) is a usim_lock_try that succeeds,
 * followed by the release it then owes.
 *
 * Not portable:
 *   test_misuse: a synchronous `with Lock()` is an AttributeError in
 *   Python; usim has no synchronous form to misuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

static usim_lock lock;

/* μsim's lock.available, for the calling task. */
static bool available(usim_lock *l)
{
    if (usim_lock_try(l) != 0)
        return false;
    assert_int_equal(usim_lock_release(l), 0);
    return true;
}

static void *acquire_single(void *arg)
{
    (void)arg;
    usim_lock_init(&lock, "lock");
    USIM_WITH_LOCK(&lock)
    {
        assert_int_equal(usim_sleep(5), 0);
    }
    assert_true(usim_now() == 5);
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_acquire_single(void **state)
{
    (void)state;
    assert_true(port_run(acquire_single, NULL) == 5);
}

/* The same lock three deep, twice: re-entry does not wait. */
static void *acquire_reentry(void *arg)
{
    (void)arg;
    usim_lock_init(&lock, "lock");
    for (int round = 0; round < 2; round++) {
        USIM_WITH_LOCK(&lock)
        {
            USIM_WITH_LOCK(&lock)
            {
                USIM_WITH_LOCK(&lock)
                {
                    assert_int_equal(usim_sleep(5), 0);
                }
            }
        }
    }
    assert_true(usim_now() == 10);
    assert_true(available(&lock));
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_acquire_reentry(void **state)
{
    (void)state;
    assert_true(port_run(acquire_reentry, NULL) == 10);
}

static void *acquire_multiple(void *arg)
{
    (void)arg;
    usim_lock a, b, c;
    usim_lock_init(&a, "a");
    usim_lock_init(&b, "b");
    usim_lock_init(&c, "c");
    for (int round = 0; round < 2; round++) {
        USIM_WITH_LOCK(&a)
        {
            USIM_WITH_LOCK(&b)
            {
                USIM_WITH_LOCK(&c)
                {
                    assert_int_equal(usim_sleep(5), 0);
                }
            }
        }
    }
    assert_true(usim_now() == 10);
    usim_lock_destroy(&a);
    usim_lock_destroy(&b);
    usim_lock_destroy(&c);
    return NULL;
}

static void test_acquire_multiple(void **state)
{
    (void)state;
    assert_true(port_run(acquire_multiple, NULL) == 10);
}

/* μsim's mutext_sleep(d) and hold_lock(d): hold the lock for d. */
static void *hold_lock(void *arg)
{
    USIM_WITH_LOCK(&lock)
    {
        usim_sleep((double)(intptr_t)arg);
    }
    return NULL;
}

/* Three holders of 5, 5 and 10 one after another: 20. */
static void *contended(void *arg)
{
    (void)arg;
    usim_lock_init(&lock, "lock");
    usim_scope scope;
    usim_scope_open(&scope);
    usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)5, "five");
    usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)5, "five");
    usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)10, "ten");
    assert_int_equal(usim_scope_close(&scope), 0);
    assert_true(usim_now() == 20);
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_contended(void **state)
{
    (void)state;
    assert_true(port_run(contended, NULL) == 20);
}

/* Free, then the caller's own, then another's (at 5), then free (10). */
static void *available_body(void *arg)
{
    (void)arg;
    usim_lock_init(&lock, "lock");
    assert_true(available(&lock));
    USIM_WITH_LOCK(&lock)
    {
        assert_true(available(&lock));
    }
    usim_scope scope;
    usim_scope_open(&scope);
    usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)10, "holder");
    assert_int_equal(usim_sleep(5), 0);
    assert_false(available(&lock));
    assert_int_equal(usim_scope_close(&scope), 0);
    assert_true(usim_now() == 10);
    assert_true(available(&lock));
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_available(void **state)
{
    (void)state;
    assert_true(port_run(available_body, NULL) == 10);
}

/* `async with lock: raise KeyError`: the block is left with an error. */
static int raise_in_lock(void)
{
    USIM_WITH_LOCK(&lock)
    {
        return USIM_EFAILED;
    }
    return 0;
}

static void *release_exception(void *arg)
{
    (void)arg;
    usim_lock_init(&lock, "lock");
    assert_int_equal(raise_in_lock(), USIM_EFAILED);
    assert_int_equal(raise_in_lock(), USIM_EFAILED);
    bool entered = false;
    USIM_WITH_LOCK(&lock)
    {
        entered = true;
    }
    assert_true(entered);
    assert_true(usim_now() == 0);
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_release_exception(void **state)
{
    (void)state;
    assert_true(port_run(release_exception, NULL) == 0);
}

/* Three holders of 10; the middle one is cancelled at 5 while it waits:
 * the first holds 0-10, the third 10-20. */
static void *contested_cancel(void *arg)
{
    (void)arg;
    usim_lock_init(&lock, "lock");
    usim_scope scope;
    usim_scope_open(&scope);
    usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)10, "first");
    usim_task *middle =
        usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)10, "middle");
    usim_scope_spawn(&scope, hold_lock, (void *)(intptr_t)10, "third");
    assert_int_equal(usim_sleep(5), 0);
    usim_cancel(middle);
    assert_int_equal(usim_scope_close(&scope), 0);
    assert_true(usim_now() == 20);
    assert_int_equal(usim_task_status(middle), USIM_TASK_CANCELLED);
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_contested_cancel(void **state)
{
    (void)state;
    assert_true(port_run(contested_cancel, NULL) == 20);
}

static int markers[4];
static int nmarkers;

/* μsim's hold_lock(mark): holds the lock for 10, then notes its mark. */
static void *hold_and_mark(void *arg)
{
    USIM_WITH_LOCK(&lock)
    {
        if (usim_sleep(10) == 0)
            markers[nmarkers++] = (int)(intptr_t)arg;
    }
    return NULL;
}

/* The owner queues target (mark 0) and a peer (mark 1), cancels target
 * and then releases: the lock goes past target to the peer, which notes
 * its mark at 10. */
static void *designated_cancel(void *arg)
{
    (void)arg;
    nmarkers = 0;
    usim_lock_init(&lock, "lock");
    usim_scope scope;
    usim_scope_open(&scope);
    USIM_WITH_LOCK(&lock)
    {
        usim_task *target =
            usim_scope_spawn(&scope, hold_and_mark, (void *)(intptr_t)0, "target");
        usim_scope_spawn(&scope, hold_and_mark, (void *)(intptr_t)1, "peer");
        assert_int_equal(usim_instant(), 0);
        usim_cancel(target);
    }
    assert_int_equal(usim_scope_close(&scope), 0);
    assert_int_equal(nmarkers, 1);
    assert_int_equal(markers[0], 1);
    assert_true(usim_now() == 10);
    usim_lock_destroy(&lock);
    return NULL;
}

static void test_designated_cancel(void **state)
{
    (void)state;
    assert_true(port_run(designated_cancel, NULL) == 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_acquire_single),   FIXTURE_TEST(test_acquire_reentry),
        FIXTURE_TEST(test_acquire_multiple), FIXTURE_TEST(test_contended),
        FIXTURE_TEST(test_available),        FIXTURE_TEST(test_release_exception),
        FIXTURE_TEST(test_contested_cancel), FIXTURE_TEST(test_designated_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
