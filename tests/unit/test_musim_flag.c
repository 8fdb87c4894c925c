/*
 * test_musim_flag — μsim 0.4.4's usim_pytest/test_types/test_flag.py,
 * ported under USIM_ORDER_MUSIM (see musim_port.h).  Test names are
 * μsim's.
 *
 * μsim's `await flag.set(to)` is usim_flag_set (which, as μsim's set,
 * postpones the caller under musim even when nobody waits or the value
 * does not change), `bool(flag)` is usim_flag_get.
 *
 * Ported elsewhere:
 *   test_invert: test_musim_condition.c (`~flag`, the inverse flag; the
 *   identities `~flag is ~flag`, `~~flag is flag` are Python object
 *   identities with no C counterpart).
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
