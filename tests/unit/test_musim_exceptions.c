/*
 * test_musim_exceptions — μsim 0.4.4's
 * usim_pytest/test_types/test_concurrent_exception.py, ported under
 * USIM_ORDER_MUSIM (see musim_port.h) as far as it maps onto usim.  Test
 * names are μsim's.
 *
 * μsim's Concurrent is the exception a scope raises for its failed
 * children, a tuple of their exceptions whose type is the set of their
 * types.  usim's counterpart is the failure list of a closed scope:
 * usim_scope_close returns USIM_EFAILED, usim_scope_failures counts the
 * failed children and usim_scope_failure gives each one's task and
 * message in failure order (usim_scope_error: the first).  Here a
 * child's message is the name of the type it raises in μsim (port_fail),
 * and each Concurrent of the test is made by children failing in one
 * step, which μsim's scope collects into exactly that Concurrent.
 *
 * Not portable (Python type algebra, with no C counterpart: usim's
 * failures are task names and messages, without types or a hierarchy):
 *   test_misuse (specialising Concurrent[...] twice),
 *   test_specialised_single_open and test_specialised_multi_open
 *   (`Concurrent[a, ...]` patterns), test_specialised_base (matching by
 *   base class, LookupError), test_specialised_identity (class identity
 *   of the specialisations), test_specialised_subclass (subclass
 *   relations between specialisations), test_flattened_type,
 *   test_unflattend_type and test_flattened_value (Concurrent.flattened();
 *   a usim scope's failure is the failed child itself, whatever it did
 *   with the failures of scopes of its own).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

static void *raise_kind(void *arg)
{
    return port_fail(arg);
}

/* A scope whose children fail, at once, with the given kinds (in spawn
 * order); returns close's result, the failures in *list. */
static int raise_concurrent(const char *const *kinds, size_t n, const char **list)
{
    usim_scope s;
    usim_scope_open(&s);
    for (size_t i = 0; i < n; i++)
        assert_non_null(usim_scope_spawn(&s, raise_kind, (void *)kinds[i], kinds[i]));
    int rc = usim_scope_close(&s);
    assert_int_equal(usim_scope_failures(&s), rc == USIM_EFAILED ? n : 0);
    *list = port_failures(&s);
    if (n)
        assert_non_null(usim_scope_error(&s));
    else
        assert_null(usim_scope_error(&s));
    return rc;
}

/* Generic Concurrent catches every Concurrent: any failed children make
 * close USIM_EFAILED.  (A Concurrent() without children has none: a
 * scope without failures closes with 0.) */
static void *generic(void *arg)
{
    (void)arg;
    const char *list;
    assert_int_equal(raise_concurrent(NULL, 0, &list), 0);
    assert_string_equal(list, "");
    const char *key[] = {"KeyError"};
    assert_int_equal(raise_concurrent(key, 1, &list), USIM_EFAILED);
    assert_string_equal(list, "KeyError");
    const char *index[] = {"IndexError"};
    assert_int_equal(raise_concurrent(index, 1, &list), USIM_EFAILED);
    assert_string_equal(list, "IndexError");
    const char *both[] = {"KeyError", "IndexError"};
    assert_int_equal(raise_concurrent(both, 2, &list), USIM_EFAILED);
    assert_string_equal(list, "KeyError,IndexError");
    assert_true(usim_now() == 0);
    return NULL;
}

static void test_generic(void **state)
{
    (void)state;
    assert_true(port_run(generic, NULL) == 0);
}

/* Concurrent[IndexError] is Concurrent(IndexError()) and no other: the
 * one failure is the child's own, task and message. */
static void *specialised_single(void *arg)
{
    (void)arg;
    const char *kinds[] = {"IndexError", "KeyError"};
    for (size_t k = 0; k < 2; k++) {
        usim_scope s;
        usim_scope_open(&s);
        usim_scope_spawn(&s, raise_kind, (void *)kinds[k], "raiser");
        assert_int_equal(usim_scope_close(&s), USIM_EFAILED);
        assert_int_equal(usim_scope_failures(&s), 1);
        const char *task = NULL, *msg = NULL;
        assert_int_equal(usim_scope_failure(&s, 0, &task, &msg), 0);
        assert_string_equal(task, "raiser");
        assert_string_equal(msg, kinds[k]);
        assert_string_not_equal(msg, kinds[1 - k]);
        assert_int_equal(usim_scope_failure(&s, 1, NULL, NULL), USIM_EINVAL);
        char want[64];
        snprintf(want, sizeof want, "task 'raiser' failed: %s", kinds[k]);
        assert_string_equal(usim_scope_error(&s), want);
    }
    return NULL;
}

static void test_specialised_single(void **state)
{
    (void)state;
    assert_true(port_run(specialised_single, NULL) == 0);
}

/* Concurrent[IndexError, KeyError] is both children's failures in either
 * order: the list keeps the order they failed in, and every child that
 * fails in the step before the owner takes the failure is in it (three
 * at once make a Concurrent of three, neither of its two-type parts). */
static void *specialised_multi(void *arg)
{
    (void)arg;
    const char *list;
    const char *ik[] = {"IndexError", "KeyError"}, *tv[] = {"TypeError", "ValueError"};
    const char *ki[] = {"KeyError", "IndexError"}, *vt[] = {"ValueError", "TypeError"};
    assert_int_equal(raise_concurrent(ik, 2, &list), USIM_EFAILED);
    assert_string_equal(list, "IndexError,KeyError");
    assert_int_equal(raise_concurrent(tv, 2, &list), USIM_EFAILED);
    assert_string_equal(list, "TypeError,ValueError");
    assert_int_equal(raise_concurrent(ki, 2, &list), USIM_EFAILED);
    assert_string_equal(list, "KeyError,IndexError");
    assert_int_equal(raise_concurrent(vt, 2, &list), USIM_EFAILED);
    assert_string_equal(list, "ValueError,TypeError");
    const char *ikv[] = {"IndexError", "KeyError", "ValueError"};
    assert_int_equal(raise_concurrent(ikv, 3, &list), USIM_EFAILED);
    assert_string_equal(list, "IndexError,KeyError,ValueError");
    assert_true(usim_now() == 0);
    return NULL;
}

static void test_specialised_multi(void **state)
{
    (void)state;
    assert_true(port_run(specialised_multi, NULL) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_generic),
        FIXTURE_TEST(test_specialised_single),
        FIXTURE_TEST(test_specialised_multi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
