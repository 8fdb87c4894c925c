/*
 * test_musim_tracked — μsim 0.4.4's test_types/test_tracked.py in C,
 * under USIM_ORDER_MUSIM (see musim_port.h): one test per μsim test,
 * named after it.  The values and turns were measured with μsim 0.4.4.
 *
 * Not ported:
 *   test_representable: str/repr of Tracked; usim has no text forms.
 *   test_misuse: `await tracked` and `bool(tracked)` raise TypeError;
 *     C's types rule both out at compile time.
 *   test_reflected, test_inplace: `10 + tracked` and `tracked += 10`
 *     have no counterpart in C (usim_tracked_update is the only form).
 *   test_mutable: μsim keeps list values; usim's value is a double, and
 *     a set replaces it.
 *   test_tracked_op_tracked: `Tracked + Tracked` (an assertion in μsim)
 *     cannot be written in C.
 * Partly ported:
 *   test_operators: without `@` (TypeError in μsim for ints: there is no
 *     USIM_OP for it).
 *   test_operator_pow: pow(t, 42) only; the three-argument pow(t, 42, 3)
 *     has no counterpart (the exact big integer of 1137**42 is beyond a
 *     double, whose modulo would not be Python's).
 *   test_comparison: `Tracked(v) op v` and `v op Tracked(v)` (the
 *     mirrored comparison); `Tracked op Tracked` has no counterpart.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "musim_port.h"

static uint64_t turn(void)
{
    return usim_sim_events(usim_current());
}

/* op(1137, 10) as Python computes it (floats printed with .hex() where
 * not exact). */
static const struct {
    usim_op op;
    double expected;
} operator_cases[] = {
    {USIM_OP_ADD, 1147},
    {USIM_OP_SUB, 1127},
    {USIM_OP_MUL, 11370},
    {USIM_OP_DIV, 113.7},
    {USIM_OP_FLOORDIV, 113},
    {USIM_OP_MOD, 7},
    {USIM_OP_POW, 0x1.6c9940c9fda71p+101}, /* float(1137**10) */
    {USIM_OP_SHL, 1164288},
    {USIM_OP_SHR, 1},
    {USIM_OP_AND, 0},
    {USIM_OP_OR, 1147},
    {USIM_OP_XOR, 1147},
};

static void *operators(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < sizeof operator_cases / sizeof operator_cases[0]; i++) {
        usim_tracked t;
        usim_tracked_init(&t, 1137, "tracked");
        uint64_t before = turn();
        assert_int_equal(usim_tracked_update(&t, operator_cases[i].op, 10), 0);
        assert_int_equal(turn(), before + 1); /* μsim: one postpone each */
        assert_true(usim_tracked_get(&t) == operator_cases[i].expected);
        usim_tracked_destroy(&t);
    }
    port_completed = true;
    return NULL;
}

static void test_operators(void **state)
{
    (void)state;
    port_run_completed(operators);
}

static void *operator_pow(void *arg)
{
    (void)arg;
    usim_tracked t;
    usim_tracked_init(&t, 1137, "tracked");
    assert_int_equal(usim_tracked_update(&t, USIM_OP_POW, 42), 0);
    assert_int_equal(turn(), 2);
    /* float(1137**42); libm's pow is within an ulp of it. */
    double expected = 0x1.44a3b4bb10d67p+426;
    assert_true(fabs(usim_tracked_get(&t) - expected) <= expected * 0x1p-52);
    usim_tracked_destroy(&t);
    port_completed = true;
    return NULL;
}

static void test_operator_pow(void **state)
{
    (void)state;
    port_run_completed(operator_pow);
}

static bool cmp(usim_cmp op, double a, double b)
{
    switch (op) {
    case USIM_LT:
        return a < b;
    case USIM_LE:
        return a <= b;
    case USIM_EQ:
        return a == b;
    case USIM_NE:
        return a != b;
    case USIM_GE:
        return a >= b;
    default:
        return a > b;
    }
}

/* `v op Tracked(v)` is Python's mirrored `Tracked(v) op' v`. */
static usim_cmp mirrored(usim_cmp op)
{
    switch (op) {
    case USIM_LT:
        return USIM_GT;
    case USIM_LE:
        return USIM_GE;
    case USIM_GE:
        return USIM_LE;
    case USIM_GT:
        return USIM_LT;
    default:
        return op;
    }
}

static void *comparison(void *arg)
{
    (void)arg;
    double value = 1137;
    const usim_cmp ops[] = {USIM_LT, USIM_LE, USIM_EQ, USIM_NE, USIM_GT, USIM_GE};
    for (size_t i = 0; i < 6; i++) {
        usim_tracked t;
        usim_tracked_init(&t, value, "tracked");
        bool expected = cmp(ops[i], value, value);
        usim_cond e = usim_cond_tracked(&t, ops[i], value);
        usim_cond inv = usim_cond_not(e);
        assert_int_equal(usim_cond_holds(&e), expected);
        assert_int_not_equal(usim_cond_holds(&inv), expected);
        usim_cond m = usim_cond_tracked(&t, mirrored(ops[i]), value);
        usim_cond minv = usim_cond_not(m);
        assert_int_equal(usim_cond_holds(&m), expected);
        assert_int_not_equal(usim_cond_holds(&minv), expected);
        usim_tracked_destroy(&t);
    }
    port_completed = true;
    return NULL;
}

static void test_comparison(void **state)
{
    (void)state;
    port_run_completed(comparison);
}

static usim_tracked shared;

static void *add_ten(void *arg)
{
    (void)arg;
    assert_int_equal(usim_tracked_update(&shared, USIM_OP_ADD, 10), 0);
    return NULL;
}

static void *comparison_wait(void *arg)
{
    (void)arg;
    double value = 1137;
    usim_tracked_init(&shared, value, "tracked");
    usim_cond now_true = usim_cond_tracked(&shared, USIM_EQ, value);
    assert_int_equal(usim_wait_cond(&now_true, NULL), 0);
    assert_true(usim_now() == 0);
    assert_int_equal(turn(), 2);
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts at10 = {.after = 10}, at20 = {.after = 20};
    assert_non_null(usim_scope_spawn_ex(&s, add_ten, NULL, "plus10", &at10));
    assert_non_null(usim_scope_spawn_ex(&s, add_ten, NULL, "plus10", &at20));
    usim_cond later = usim_cond_tracked(&shared, USIM_EQ, value + 20);
    assert_int_equal(usim_wait_cond(&later, NULL), 0);
    assert_true(usim_now() == 20);
    assert_true(usim_tracked_get(&shared) == value + 20);
    assert_int_equal(usim_scope_close(&s), 0);
    assert_true(usim_now() == 20);
    usim_tracked_destroy(&shared);
    port_completed = true;
    return NULL;
}

static void test_comparison_wait(void **state)
{
    (void)state;
    port_run_completed(comparison_wait);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_operators),
        FIXTURE_TEST(test_operator_pow),
        FIXTURE_TEST(test_comparison),
        FIXTURE_TEST(test_comparison_wait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
