/*
 * test_musim_scope — μsim 0.4.4's usim_pytest/test_types/test_scope.py and
 * usim_pytest/test_scopes.py, ported under USIM_ORDER_MUSIM (see
 * musim_port.h): scopes, their children, failures and nesting.  Test
 * names are μsim's (the two files share none).
 *
 * μsim's `async with Scope() as s:` is usim_scope_open ... usim_scope_close,
 * `s.do(p, after=, at=, volatile=)` is usim_scope_spawn(_ex), `await s`
 * is usim_scope_wait, `await task` usim_join.  A child that raises is a
 * child that fails with the exception type's name as its message
 * (port_fail), so the scope's failure list (usim_scope_failures) is
 * μsim's Concurrent: its types in failure order.  A privileged exception
 * (AssertionError, KeyboardInterrupt, SystemExit), which μsim lets through
 * every scope, is usim_fail: it ends the run with its own message.  A
 * body that raises (an ordinary exception) is an owner that cancels the
 * children it has spawned and closes the scope, which is what μsim's scope
 * does with them; the exception itself is the owner's to report.
 *
 * test_fail_privileged loops over its three exception types (and the two
 * cases of each), as μsim's test does.
 *
 * Ported elsewhere, in test_musim_until.c (the until and condition cases):
 *   test_scopes.py test_at (`a.done | b.done`, `a.done & b.done`);
 *   test_scopes.py test_until, test_reuse, test_for_interval
 *   (`until(time == t)`).
 * Not portable:
 *   test_scopes.py test_representable: str()/repr() of a Scope and of an
 *   until scope; usim's scopes are plain structs with nothing to format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

/* μsim's async_raise(exc, after): sleeps `after` (if not 0), then fails
 * with exc's type. */
typedef struct raise_spec {
    const char *kind;
    double after;
    bool privileged; /* usim_fail: AssertionError, SystemExit, ... */
} raise_spec;

static void *async_raise(void *arg)
{
    const raise_spec *r = arg;
    if (r->after && usim_sleep(r->after) != 0)
        return NULL;
    if (r->privileged)
        usim_fail("%s", r->kind);
    return port_fail(r->kind);
}

static void *async_pass(void *arg)
{
    (void)arg;
    return NULL;
}

/* A body that raises: its children are closed with it. */
static int body_raises(usim_scope *s, usim_task **children, size_t n)
{
    for (size_t i = 0; i < n; i++)
        usim_cancel(children[i]);
    return usim_scope_close(s);
}

/* ------------------------------------------------------------------ */
/* TestExceptions                                                      */
/* ------------------------------------------------------------------ */

static int observations;

/* μsim's observe(after): sleeps, then counts an observation. */
static void *observe(void *arg)
{
    if (usim_sleep((double)(intptr_t)arg) == 0)
        observations++;
    return NULL;
}

/* At 5 the child observes first, then the owner: 2.  The second child
 * has just started its sleep when the body raises (KeyError, not a
 * Concurrent): it is closed and never observes. */
static void *fail_scope(void *arg)
{
    (void)arg;
    observations = 0;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, observe, (void *)(intptr_t)5, "observe");
    assert_int_equal(usim_instant(), 0);
    observe((void *)(intptr_t)5);
    assert_int_equal(observations, 2);
    usim_task *late = usim_scope_spawn(&s, observe, (void *)(intptr_t)5, "observe");
    assert_int_equal(usim_instant(), 0);
    assert_int_equal(body_raises(&s, &late, 1), 0);
    assert_int_equal(usim_scope_failures(&s), 0);
    assert_int_equal(usim_task_status(late), USIM_TASK_CANCELLED);
    assert_int_equal(observations, 2);
    assert_true(usim_now() == 5);
    return NULL;
}

static void test_fail_scope(void **state)
{
    (void)state;
    assert_true(port_run(fail_scope, NULL) == 5);
}

/* A child failing at 5 (KeyError) interrupts the owner's own observe,
 * which it started in the same step: the scope fails with
 * Concurrent[KeyError], and nobody observes a third time. */
static void *fail_child(void *arg)
{
    (void)arg;
    static raise_spec key = {"KeyError", 0, false};
    observations = 0;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, observe, (void *)(intptr_t)5, "observe");
    assert_int_equal(usim_instant(), 0);
    observe((void *)(intptr_t)5);
    assert_int_equal(observations, 2);
    usim_scope_spawn(&s, async_raise, &key, "raise");
    assert_int_equal(usim_instant(), 0);
    assert_int_equal(usim_sleep(5), USIM_ECHILD);
    assert_true(usim_now() == 5);
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "KeyError");
    assert_string_equal(usim_scope_error(&s), "task 'raise' failed: KeyError");
    assert_int_equal(observations, 2);
    assert_true(usim_now() == 5);
    return NULL;
}

static void test_fail_child(void **state)
{
    (void)state;
    assert_true(port_run(fail_child, NULL) == 5);
}

/* Two children failing in the same step, before the owner hears of the
 * first: Concurrent[KeyError, IndexError] (measured with μsim). */
static void *fail_children(void *arg)
{
    (void)arg;
    static raise_spec key = {"KeyError", 0, false}, index = {"IndexError", 0, false};
    observations = 0;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, observe, (void *)(intptr_t)5, "observe");
    assert_int_equal(usim_instant(), 0);
    observe((void *)(intptr_t)5);
    assert_int_equal(observations, 2);
    usim_scope_spawn(&s, async_raise, &key, "raise");
    usim_scope_spawn(&s, async_raise, &index, "raise");
    assert_int_equal(usim_instant(), 0);
    assert_int_equal(usim_sleep(5), USIM_ECHILD);
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "KeyError,IndexError");
    assert_int_equal(observations, 2);
    assert_true(usim_now() == 5);
    return NULL;
}

static void test_fail_children(void **state)
{
    (void)state;
    assert_true(port_run(fail_children, NULL) == 5);
}

/* Spawns one async_raise per spec into s, the tasks into out. */
static void spawn_raisers(usim_scope *s, raise_spec *specs, size_t n, usim_task **out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = usim_scope_spawn(s, async_raise, &specs[i], specs[i].kind);
        assert_non_null(out[i]);
    }
}

/*
 * Four scopes one after another (times add up; measured with μsim):
 *  1. IndexError due at +1, the body raises KeyError at once: KeyError,
 *     no child failure, at 0;
 *  2. IndexError +1, KeyError +2, ValueError +2, the body sleeps 2: the
 *     owner hears of IndexError at 1, before its own KeyError:
 *     Concurrent[IndexError], at 1;
 *  3. IndexError +1, TypeError +1, KeyError +2, ValueError +2: both of
 *     step +1 fail before the owner hears of them: exactly
 *     Concurrent[IndexError, TypeError], at 2;
 *  4. IndexError, TypeError, KeyError +1, ValueError +2: matches
 *     Concurrent[IndexError, TypeError, ...]; it is
 *     [IndexError, TypeError, KeyError], at 3.
 */
static void *fail_specialisation(void *arg)
{
    (void)arg;
    usim_task *t[4];
    usim_scope s;

    raise_spec one[] = {{"IndexError", 1, false}};
    usim_scope_open(&s);
    spawn_raisers(&s, one, 1, t);
    assert_int_equal(body_raises(&s, t, 1), 0);
    assert_string_equal(port_failures(&s), "");
    assert_true(usim_now() == 0);

    raise_spec two[] = {
        {"IndexError", 1, false}, {"KeyError", 2, false}, {"ValueError", 2, false}};
    usim_scope_open(&s);
    spawn_raisers(&s, two, 3, t);
    assert_int_equal(usim_sleep(2), USIM_ECHILD);
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "IndexError");
    assert_true(usim_now() == 1);

    raise_spec three[] = {{"IndexError", 1, false},
                          {"TypeError", 1, false},
                          {"KeyError", 2, false},
                          {"ValueError", 2, false}};
    usim_scope_open(&s);
    spawn_raisers(&s, three, 4, t);
    assert_int_equal(usim_sleep(2), USIM_ECHILD);
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "IndexError,TypeError");
    assert_true(usim_now() == 2);

    raise_spec four[] = {{"IndexError", 1, false},
                         {"TypeError", 1, false},
                         {"KeyError", 1, false},
                         {"ValueError", 2, false}};
    usim_scope_open(&s);
    spawn_raisers(&s, four, 4, t);
    assert_int_equal(usim_sleep(2), USIM_ECHILD);
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "IndexError,TypeError,KeyError");
    assert_true(usim_now() == 3);
    return NULL;
}

static void test_fail_specialisation(void **state)
{
    (void)state;
    assert_true(port_run(fail_specialisation, NULL) == 3);
}

static const char *privileged_kind;
static bool privileged_in_body;

/* (a) children raising IndexError, TypeError, KeyError and the
 * privileged one, all at 0; (b) the first three, and the body raises the
 * privileged one. */
static void *fail_privileged_body(void *arg)
{
    (void)arg;
    raise_spec specs[] = {{"IndexError", 0, false},
                          {"TypeError", 0, false},
                          {"KeyError", 0, false},
                          {privileged_kind, 0, true}};
    usim_task *t[4];
    usim_scope s;
    usim_scope_open(&s);
    spawn_raisers(&s, specs, privileged_in_body ? 3 : 4, t);
    if (privileged_in_body)
        usim_fail("%s", privileged_kind);
    usim_scope_close(&s); /* the run has failed: what close says is moot */
    return NULL;
}

/* The privileged error is not collected into a Concurrent: it ends the
 * run with its own message, whichever child failed first. */
static void test_fail_privileged(void **state)
{
    (void)state;
    const char *kinds[] = {"AssertionError", "KeyboardInterrupt", "SystemExit"};
    for (size_t k = 0; k < 3; k++)
        for (int in_body = 0; in_body < 2; in_body++) {
            privileged_kind = kinds[k];
            privileged_in_body = in_body;
            usim_sim *sim = port_sim();
            usim_sim_spawn(sim, fail_privileged_body, NULL, "test");
            assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
            assert_non_null(usim_sim_error(sim));
            assert_non_null(strstr(usim_sim_error(sim), kinds[k]));
            assert_null(strstr(usim_sim_error(sim), "IndexError"));
            assert_true(usim_sim_now(sim) == 0);
            fixture_destroy(sim);
        }
}

/* μsim's inner_raise(exc): a scope with one child raising exc; its
 * Concurrent is this task's failure. */
static void *inner_raise(void *arg)
{
    usim_scope inner;
    usim_scope_open(&inner);
    usim_scope_spawn(&inner, async_raise, arg, "async_raise");
    if (usim_scope_close(&inner) != USIM_EFAILED)
        return NULL;
    return usim_task_fail("Concurrent[%s]", port_failures(&inner));
}

/* The outer scope fails with one failure, the inner scope's: a
 * Concurrent[Concurrent[KeyError]], which is no
 * Concurrent[Concurrent[IndexError]]. */
static void *fail_nested(void *arg)
{
    (void)arg;
    static raise_spec key = {"KeyError", 0, false};
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, inner_raise, &key, "inner_raise");
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "Concurrent[KeyError]");
    const char *task = NULL;
    assert_int_equal(usim_scope_failure(&s, 0, &task, NULL), 0);
    assert_string_equal(task, "inner_raise");
    assert_true(usim_now() == 0);
    return NULL;
}

static void test_fail_nested(void **state)
{
    (void)state;
    assert_true(port_run(fail_nested, NULL) == 0);
}

/* μsim's bare_scope: a postpone, an empty scope, then eternity. */
static void *bare_scope(void *arg)
{
    (void)arg;
    if (usim_instant() != 0)
        return NULL;
    usim_scope s;
    usim_scope_open(&s);
    if (usim_scope_close(&s) != 0)
        return NULL;
    usim_sleep_until(INFINITY);
    return NULL;
}

/* Five tasks, each cancelled a turn after the one before: at every point
 * of their life (before the start, in the empty scope's close, waiting on
 * eternity) the cancellation ends them CANCELLED, none FAILED. */
static void *fail_interrupt_shutdown(void *arg)
{
    (void)arg;
    usim_task *tasks[5];
    usim_scope s;
    usim_scope_open(&s);
    for (int i = 0; i < 5; i++)
        tasks[i] = usim_scope_spawn(&s, bare_scope, NULL, "bare_scope");
    for (int i = 0; i < 5; i++) {
        assert_false(usim_task_done(tasks[i]));
        usim_cancel(tasks[i]);
        assert_int_equal(usim_instant(), 0);
    }
    assert_int_equal(usim_scope_close(&s), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(usim_join(tasks[i], NULL), USIM_ECANCELED);
        assert_int_equal(usim_task_status(tasks[i]), USIM_TASK_CANCELLED);
    }
    assert_true(usim_now() == 0);
    return NULL;
}

static void test_fail_interrupt_shutdown(void **state)
{
    (void)state;
    assert_true(port_run(fail_interrupt_shutdown, NULL) == 0);
}

/* ------------------------------------------------------------------ */
/* TestScoping                                                         */
/* ------------------------------------------------------------------ */

static usim_task *spawn_delayed(usim_scope *s, double after, double at)
{
    usim_spawn_opts o = {0};
    o.after = after;
    o.at = at;
    return usim_scope_spawn_ex(s, async_pass, NULL, "async_pass", &o);
}

/* after=10 ends at 10; after=0 starts at once. */
static void *do_after(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *t = spawn_delayed(&s, 10, 0);
    assert_true(usim_now() == 0);
    assert_int_equal(usim_join(t, NULL), 0);
    assert_true(usim_now() == 10);
    t = spawn_delayed(&s, 0, 0);
    assert_true(usim_now() == 10);
    assert_int_equal(usim_join(t, NULL), 0);
    assert_true(usim_now() == 10);
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void test_do_after(void **state)
{
    (void)state;
    assert_true(port_run(do_after, NULL) == 10);
}

/* at=10 ends at 10; at=10 at time 10 starts at once. */
static void *do_at(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *t = spawn_delayed(&s, 0, 10);
    assert_true(usim_now() == 0);
    assert_int_equal(usim_join(t, NULL), 0);
    assert_true(usim_now() == 10);
    t = spawn_delayed(&s, 0, 10);
    assert_true(usim_now() == 10);
    assert_int_equal(usim_join(t, NULL), 0);
    assert_true(usim_now() == 10);
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void test_do_at(void **state)
{
    (void)state;
    assert_true(port_run(do_at, NULL) == 10);
}

/* at=-1 and after=-1 are refused (μsim: AssertionError). */
static void *do_misuse(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    assert_null(spawn_delayed(&s, 0, -1));
    assert_non_null(strstr(usim_errmsg(), "at"));
    assert_null(spawn_delayed(&s, -1, 0));
    assert_non_null(strstr(usim_errmsg(), "after"));
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void test_do_misuse(void **state)
{
    (void)state;
    assert_true(port_run(do_misuse, NULL) == 0);
}

static usim_scope *watched;

/* μsim's fail_late(scope): waits for the body, then raises KeyError. */
static void *fail_late(void *arg)
{
    (void)arg;
    if (usim_scope_wait(watched) != 0)
        return NULL;
    return port_fail("KeyError");
}

/* A failure while the scope waits for its children: Concurrent[KeyError]. */
static void *teardown_late(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    watched = &s;
    usim_scope_spawn(&s, fail_late, NULL, "fail_late");
    assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
    assert_string_equal(port_failures(&s), "KeyError");
    return NULL;
}

static void test_teardown_late(void **state)
{
    (void)state;
    assert_true(port_run(teardown_late, NULL) == 0);
}

static void *sleep_ten(void *arg)
{
    (void)arg;
    usim_sleep(10);
    return NULL;
}

/* μsim's spawn_late(scope): once the body is done, spawns `time + 10`. */
static void *spawn_late_child(void *arg)
{
    (void)arg;
    if (usim_scope_wait(watched) != 0)
        return NULL;
    assert_non_null(usim_scope_spawn(watched, sleep_ten, NULL, "time+10"));
    return NULL;
}

/* The scope waits for the child spawned while it closes: 10. */
static void *spawn_late(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    watched = &s;
    usim_scope_spawn(&s, spawn_late_child, NULL, "spawn_late");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == 10);
    return NULL;
}

static void test_spawn_late(void **state)
{
    (void)state;
    assert_true(port_run(spawn_late, NULL) == 10);
}

static bool activity_ran;

static void *activity_value(void *arg)
{
    activity_ran = true;
    return arg;
}

/* A closed scope refuses a child (μsim: RuntimeError), which never runs. */
static void *spawn_after_shutdown(void *arg)
{
    (void)arg;
    activity_ran = false;
    usim_scope s;
    usim_scope_open(&s);
    assert_int_equal(usim_scope_close(&s), 0);
    assert_null(usim_scope_spawn(&s, activity_value, (void *)3, "activity"));
    assert_non_null(strstr(usim_errmsg(), "not open"));
    assert_int_equal(usim_instant(), 0);
    assert_false(activity_ran);
    return NULL;
}

static void test_spawn_after_shutdown(void **state)
{
    (void)state;
    assert_true(port_run(spawn_after_shutdown, NULL) == 0);
    assert_false(activity_ran);
}

/* Five volatile children sleeping 10 are closed with the scope, at 0. */
static void *close_volatile(void *arg)
{
    (void)arg;
    usim_task *v[5];
    usim_scope s;
    usim_scope_open(&s);
    for (int i = 0; i < 5; i++)
        v[i] = usim_scope_spawn_volatile(&s, sleep_ten, NULL, "activity");
    for (int i = 0; i < 5; i++)
        assert_false(usim_task_done(v[i]));
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == 0);
    for (int i = 0; i < 5; i++) {
        assert_true(usim_task_done(v[i]));
        assert_int_equal(usim_task_status(v[i]), USIM_TASK_CANCELLED);
    }
    return NULL;
}

static void test_close_volatile(void **state)
{
    (void)state;
    assert_true(port_run(close_volatile, NULL) == 0);
}

/* ------------------------------------------------------------------ */
/* test_scopes.py: TestDo                                              */
/* ------------------------------------------------------------------ */

static void *return_two(void *arg)
{
    (void)arg;
    return (void *)2;
}

/* The result of a child, read after the scope: 2. */
static void *do_body(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *a = usim_scope_spawn(&s, return_two, NULL, "payload");
    assert_int_equal(usim_scope_close(&s), 0);
    void *res = NULL;
    assert_int_equal(usim_join(a, &res), 0);
    assert_int_equal((intptr_t)res, 2);
    return NULL;
}

static void test_do(void **state)
{
    (void)state;
    assert_true(port_run(do_body, NULL) == 0);
}

/* after=-1, at=-1 are refused; the scope itself is fine. */
static void *negative(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts o = {0};
    o.after = -1;
    assert_null(usim_scope_spawn_ex(&s, return_two, NULL, "payload", &o));
    o.after = 0;
    o.at = -1;
    assert_null(usim_scope_spawn_ex(&s, return_two, NULL, "payload", &o));
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void test_negative(void **state)
{
    (void)state;
    assert_true(port_run(negative, NULL) == 0);
}

/* after=5 for a payload of 10: CREATED, RUNNING at 4 (waiting for its
 * start), done at 15. */
static void *after_body(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts o = {0};
    o.after = 5;
    usim_task *a = usim_scope_spawn_ex(&s, sleep_ten, NULL, "payload", &o);
    assert_int_equal(usim_task_status(a), USIM_TASK_CREATED);
    assert_int_equal(usim_sleep(4), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_RUNNING);
    assert_int_equal(usim_join(a, NULL), 0);
    assert_true(usim_now() == 15);
    assert_int_equal(usim_task_status(a), USIM_TASK_SUCCESS);
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void test_after(void **state)
{
    (void)state;
    assert_true(port_run(after_body, NULL) == 15);
}

static void *eternity_then_two(void *arg)
{
    (void)arg;
    if (usim_sleep_until(INFINITY) != 0)
        return NULL;
    return (void *)2;
}

/* A volatile child waiting on eternity is closed with the scope
 * (VolatileTaskClosed): CANCELLED, at 0. */
static void *volatile_body(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *a = usim_scope_spawn_volatile(&s, eternity_then_two, NULL, "payload");
    assert_int_equal(usim_scope_close(&s), 0);
    void *res = (void *)1;
    assert_int_equal(usim_join(a, &res), USIM_ECANCELED);
    assert_null(res);
    assert_int_equal(usim_task_status(a), USIM_TASK_CANCELLED);
    assert_true(usim_now() == 0);
    return NULL;
}

static void test_volatile(void **state)
{
    (void)state;
    assert_true(port_run(volatile_body, NULL) == 0);
}

/* after and at together are refused. */
static void *after_and_at(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts o = {0};
    o.after = 1;
    o.at = 1;
    assert_null(usim_scope_spawn_ex(&s, return_two, NULL, "payload", &o));
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

static void test_after_and_at(void **state)
{
    (void)state;
    assert_true(port_run(after_and_at, NULL) == 0);
}

/* ------------------------------------------------------------------ */
/* test_scopes.py: TestNested                                          */
/* ------------------------------------------------------------------ */

static void *sleeper(void *arg)
{
    usim_sleep((double)(intptr_t)arg);
    return NULL;
}

typedef struct nested_case {
    intptr_t d[3];   /* the child's sleep in scope 1, 2, 3 */
    double after[3]; /* the time after scope 3, 2, 1 */
} nested_case;

/* Three nested scopes, each with a child sleeping d: the outer children
 * run while the inner scopes wait. */
static void *nested(void *arg)
{
    const nested_case *c = arg;
    usim_scope s1, s2, s3;
    usim_scope_open(&s1);
    usim_scope_spawn(&s1, sleeper, (void *)c->d[0], "time+d");
    usim_scope_open(&s2);
    usim_scope_spawn(&s2, sleeper, (void *)c->d[1], "time+d");
    usim_scope_open(&s3);
    usim_scope_spawn(&s3, sleeper, (void *)c->d[2], "time+d");
    assert_int_equal(usim_scope_close(&s3), 0);
    assert_true(usim_now() == c->after[0]);
    assert_int_equal(usim_scope_close(&s2), 0);
    assert_true(usim_now() == c->after[1]);
    assert_int_equal(usim_scope_close(&s1), 0);
    assert_true(usim_now() == c->after[2]);
    return NULL;
}

static void test_joint_exit(void **state)
{
    (void)state;
    nested_case c = {{10, 10, 10}, {10, 10, 10}};
    assert_true(port_run(nested, &c) == 10);
}

static void test_outer_exit(void **state)
{
    (void)state;
    nested_case c = {{10, 7, 5}, {5, 7, 10}};
    assert_true(port_run(nested, &c) == 10);
}

static void test_inner_exit(void **state)
{
    (void)state;
    nested_case c = {{5, 7, 10}, {10, 10, 10}};
    assert_true(port_run(nested, &c) == 10);
}

static void test_middle_exit(void **state)
{
    (void)state;
    nested_case c = {{7, 10, 5}, {5, 10, 10}};
    assert_true(port_run(nested, &c) == 10);
}

/* ------------------------------------------------------------------ */
/* test_scopes.py: module level                                        */
/* ------------------------------------------------------------------ */

static void *run_job(void *arg)
{
    (void)arg;
    usim_sleep(100);
    return NULL;
}

/* μsim's make_job: cancels its child before it starts and awaits it;
 * the TaskCancelled that raises leaves make_job through its scope.  C has
 * no exception to pass on: a task ends as cancelled by being cancelled,
 * so make_job re-raises by cancelling itself, and its scope's close is
 * where it takes effect. */
static void *make_job(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *j = usim_scope_spawn(&s, run_job, NULL, "run_job");
    usim_cancel(j);
    int rc = usim_join(j, NULL);
    assert_int_equal(rc, USIM_ECANCELED);
    assert_int_equal(usim_task_status(j), USIM_TASK_CANCELLED);
    usim_cancel(usim_self());
    assert_int_equal(usim_scope_close(&s), USIM_ECANCELED);
    return NULL;
}

/* A child that ends by a TaskCancelled is no failure of the scope (it
 * ends normally, at 0); awaiting the child gives TaskCancelled (μsim's
 * test is an xfail on exactly that). */
static void *result_body(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_task *a = usim_scope_spawn(&s, make_job, NULL, "make_job");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_int_equal(usim_scope_failures(&s), 0);
    assert_int_equal(usim_task_status(a), USIM_TASK_CANCELLED);
    assert_int_equal(usim_join(a, NULL), USIM_ECANCELED);
    assert_true(usim_now() == 0);
    return NULL;
}

static void test_result(void **state)
{
    (void)state;
    assert_true(port_run(result_body, NULL) == 0);
}

static char order[16];

static void *add_char(void *arg)
{
    size_t n = strlen(order);
    order[n] = (char)('a' + (intptr_t)arg);
    order[n + 1] = 0;
    return NULL;
}

/* Children run in spawn order: "abcde". */
static void *order_body(void *arg)
{
    (void)arg;
    order[0] = 0;
    usim_scope s;
    usim_scope_open(&s);
    for (intptr_t i = 0; i < 5; i++)
        usim_scope_spawn(&s, add_char, (void *)i, "add_char");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_string_equal(order, "abcde");
    return NULL;
}

static void test_order(void **state)
{
    (void)state;
    assert_true(port_run(order_body, NULL) == 0);
}

/* Every even child is cancelled right after its spawn and never runs:
 * "bdf". */
static void *order_with_cancel(void *arg)
{
    (void)arg;
    order[0] = 0;
    usim_scope s;
    usim_scope_open(&s);
    for (intptr_t i = 0; i < 7; i++) {
        usim_task *t = usim_scope_spawn(&s, add_char, (void *)i, "add_char");
        if (i % 2 == 0)
            usim_cancel(t);
    }
    assert_int_equal(usim_scope_close(&s), 0);
    assert_string_equal(order, "bdf");
    return NULL;
}

static void test_order_with_cancel(void **state)
{
    (void)state;
    assert_true(port_run(order_with_cancel, NULL) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_fail_scope),
        FIXTURE_TEST(test_fail_child),
        FIXTURE_TEST(test_fail_children),
        FIXTURE_TEST(test_fail_specialisation),
        FIXTURE_TEST(test_fail_privileged),
        FIXTURE_TEST(test_fail_nested),
        FIXTURE_TEST(test_fail_interrupt_shutdown),
        FIXTURE_TEST(test_do_after),
        FIXTURE_TEST(test_do_at),
        FIXTURE_TEST(test_do_misuse),
        FIXTURE_TEST(test_teardown_late),
        FIXTURE_TEST(test_spawn_late),
        FIXTURE_TEST(test_spawn_after_shutdown),
        FIXTURE_TEST(test_close_volatile),
        FIXTURE_TEST(test_do),
        FIXTURE_TEST(test_negative),
        FIXTURE_TEST(test_after),
        FIXTURE_TEST(test_volatile),
        FIXTURE_TEST(test_after_and_at),
        FIXTURE_TEST(test_joint_exit),
        FIXTURE_TEST(test_outer_exit),
        FIXTURE_TEST(test_inner_exit),
        FIXTURE_TEST(test_middle_exit),
        FIXTURE_TEST(test_result),
        FIXTURE_TEST(test_order),
        FIXTURE_TEST(test_order_with_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
