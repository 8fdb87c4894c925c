/*
 * test_musim_flag — μsim 0.4.4's usim_pytest/test_types/test_flag.py,
 * ported under USIM_ORDER_MUSIM (see musim_port.h).  Test names are
 * μsim's.
 *
 * μsim's `await flag.set(to)` is usim_flag_set (which, as μsim's set,
 * postpones the caller under musim even when nobody waits or the value
 * does not change), `bool(flag)` is usim_flag_get.
 *
 * Ported in part:
 *   test_invert: `~flag` is usim_cond_flag(flag, false); the identities
 *   `~flag is ~flag`, `~~flag is flag` are Python object identities with
 *   no C counterpart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

/* A new flag is false; set() twice, set(false) twice: each set postpones
 * and leaves the value it was given. */
static void *set_body(void *arg)
{
    (void)arg;
    usim_flag flag;
    usim_flag_init(&flag, false, "flag");
    assert_false(usim_flag_get(&flag));
    PORT_ASSERT_POSTPONES(usim_flag_set(&flag, true));
    assert_true(usim_flag_get(&flag));
    PORT_ASSERT_POSTPONES(usim_flag_set(&flag, true));
    assert_true(usim_flag_get(&flag));
    PORT_ASSERT_POSTPONES(usim_flag_set(&flag, false));
    assert_false(usim_flag_get(&flag));
    PORT_ASSERT_POSTPONES(usim_flag_set(&flag, false));
    assert_false(usim_flag_get(&flag));
    usim_flag_destroy(&flag);
    return NULL;
}

static void test_set(void **state)
{
    (void)state;
    assert_true(port_run(set_body, NULL) == 0);
}

/* `~flag` as a condition: true while the flag is false; setting the
 * flag (μsim sets it through the inverse, `await i_flag.set(to=False)`)
 * turns it false.  (The identities `~flag is i_flag` are not C's.) */
static void *invert_body(void *arg)
{
    (void)arg;
    usim_flag flag;
    usim_flag_init(&flag, false, "flag");
    usim_cond i_flag = usim_cond_flag(&flag, false);
    assert_true(!usim_flag_get(&flag) && usim_cond_holds(&i_flag));
    PORT_ASSERT_POSTPONES(usim_flag_set(&flag, true));
    assert_true(usim_flag_get(&flag) && !usim_cond_holds(&i_flag));
    usim_flag_destroy(&flag);
    return NULL;
}

static void test_invert(void **state)
{
    (void)state;
    assert_true(port_run(invert_body, NULL) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_set),
        FIXTURE_TEST(test_invert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
