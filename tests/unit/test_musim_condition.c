/*
 * test_musim_condition — μsim 0.4.4's test_types/test_condition.py in C,
 * under USIM_ORDER_MUSIM (see musim_port.h): one test per μsim test,
 * named after it.
 *
 * Beyond μsim's assertions each test checks the turn (usim_sim_events:
 * at time 0 with one task, μsim's loop.turn) after each wait, measured
 * with μsim 0.4.4.
 *
 * Not ported:
 *   test_representable: μsim prints conditions (str/repr); usim
 *     conditions have no text form.
 * Ported in part:
 *   test_flatten_and, test_flatten_or: they compare μsim's child tuples
 *     (`a & (b & c)` is stored flat).  usim builds composites from the
 *     caller's arrays and has no such tuples; the tests here check what
 *     flattening means for a wait instead: nested alls hold, fail and
 *     wake exactly as the flat one.
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

static usim_flag fl[6];

static void flags_init(int n)
{
    for (int i = 0; i < n; i++)
        usim_flag_init(&fl[i], false, "flag");
}

static void flags_destroy(int n)
{
    for (int i = 0; i < n; i++)
        usim_flag_destroy(&fl[i]);
}

/* ------------------------------------------------------------------ */
/* TestChainedCondition                                                */
/* ------------------------------------------------------------------ */

static void *chain_and(void *arg)
{
    (void)arg;
    flags_init(3);
    usim_cond p[3] = {usim_cond_flag(&fl[0], true), usim_cond_flag(&fl[1], true),
                      usim_cond_flag(&fl[2], true)};
    usim_cond and_chain = usim_cond_all(p, 3);
    usim_cond inverse = usim_cond_not(and_chain);
    for (int i = 0; i < 3; i++)
        assert_false(usim_flag_get(&fl[i]));
    assert_false(usim_cond_holds(&and_chain));
    assert_true(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&inverse, NULL), 0);
    assert_int_equal(turn(), 2);
    usim_flag_set(&fl[0], true);
    assert_int_equal(turn(), 3);
    assert_false(usim_cond_holds(&and_chain));
    assert_true(usim_cond_holds(&inverse));
    size_t fired = 99;
    assert_int_equal(usim_wait_cond(&inverse, &fired), 0);
    assert_int_equal(fired, 1); /* ~b is the first true part of ~a | ~b | ~c */
    assert_int_equal(turn(), 4);
    usim_flag_set(&fl[1], true);
    assert_false(usim_cond_holds(&and_chain));
    assert_true(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&inverse, &fired), 0);
    assert_int_equal(fired, 2);
    assert_int_equal(turn(), 6);
    usim_flag_set(&fl[2], true);
    assert_int_equal(turn(), 7);
    assert_true(usim_cond_holds(&and_chain));
    assert_false(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&and_chain, &fired), 0);
    assert_int_equal(fired, 0);
    assert_int_equal(turn(), 8);
    assert_true(usim_now() == 0);
    flags_destroy(3);
    port_completed = true;
    return NULL;
}

static void test_chain_and(void **state)
{
    (void)state;
    port_run_completed(chain_and);
}

static void *chain_or(void *arg)
{
    (void)arg;
    flags_init(3);
    usim_cond p[3] = {usim_cond_flag(&fl[0], true), usim_cond_flag(&fl[1], true),
                      usim_cond_flag(&fl[2], true)};
    usim_cond or_chain = usim_cond_any(p, 3);
    usim_cond inverse = usim_cond_not(or_chain);
    assert_false(usim_cond_holds(&or_chain));
    assert_true(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&inverse, NULL), 0);
    assert_int_equal(turn(), 2);
    for (int i = 0; i < 3; i++) {
        usim_flag_set(&fl[i], true);
        assert_true(usim_cond_holds(&or_chain));
        assert_false(usim_cond_holds(&inverse));
        size_t fired = 99;
        assert_int_equal(usim_wait_cond(&or_chain, &fired), 0);
        assert_int_equal(fired, 0); /* a is true from the first set on */
        assert_int_equal(turn(), 4 + 2 * (uint64_t)i);
    }
    flags_destroy(3);
    port_completed = true;
    return NULL;
}

static void test_chain_or(void **state)
{
    (void)state;
    port_run_completed(chain_or);
}

static void *chain_long(void *arg)
{
    (void)arg;
    flags_init(6);
    /* a & (b & c) & d | (e | f), built as μsim builds it:
     * Any(All(a, b, c, d), e, f). */
    usim_cond and_parts[4] = {
        usim_cond_flag(&fl[0], true), usim_cond_flag(&fl[1], true),
        usim_cond_flag(&fl[2], true), usim_cond_flag(&fl[3], true)};
    usim_cond or_parts[3] = {usim_cond_all(and_parts, 4), usim_cond_flag(&fl[4], true),
                             usim_cond_flag(&fl[5], true)};
    usim_cond chain = usim_cond_any(or_parts, 3);
    usim_cond inverse = usim_cond_not(chain);
    assert_false(usim_cond_holds(&chain));
    assert_true(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&inverse, NULL), 0);
    assert_int_equal(turn(), 2);
    usim_flag_set(&fl[3], true);
    assert_false(usim_cond_holds(&chain));
    assert_true(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&inverse, NULL), 0);
    assert_int_equal(turn(), 4);
    usim_flag_set(&fl[2], true);
    assert_false(usim_cond_holds(&chain));
    assert_true(usim_cond_holds(&inverse));
    assert_int_equal(usim_wait_cond(&inverse, NULL), 0);
    assert_int_equal(turn(), 6);
    usim_flag_set(&fl[4], true);
    assert_true(usim_cond_holds(&chain));
    assert_false(usim_cond_holds(&inverse));
    size_t fired = 99;
    assert_int_equal(usim_wait_cond(&chain, &fired), 0);
    assert_int_equal(fired, 1); /* e */
    assert_int_equal(turn(), 8);
    flags_destroy(6);
    port_completed = true;
    return NULL;
}

static void test_chain_long(void **state)
{
    (void)state;
    port_run_completed(chain_long);
}

/* μsim's flattening, as a wait sees it: a & (b & (c & ...)) and
 * (a & b) & (c & d) & (e & f) hold exactly when a & b & ... & f does,
 * and a waiter on the nested form is woken by the last flag set, as on
 * the flat one (μsim flattens, so every flag is a top-level part). */
static usim_cond flat[6], nest[5][2], pair[3][2], pairs[3];

static void build_chains(bool all)
{
    for (int i = 0; i < 6; i++)
        flat[i] = usim_cond_flag(&fl[i], true);
    /* nest[k] = {flag k, nest[k+1] (as a composite)}, nest[4] = {e, f} */
    nest[4][0] = flat[4];
    nest[4][1] = flat[5];
    for (int k = 3; k >= 0; k--) {
        nest[k][0] = flat[k];
        nest[k][1] =
            all ? usim_cond_all(nest[k + 1], 2) : usim_cond_any(nest[k + 1], 2);
    }
    for (int k = 0; k < 3; k++) {
        pair[k][0] = flat[2 * k];
        pair[k][1] = flat[2 * k + 1];
        pairs[k] = all ? usim_cond_all(pair[k], 2) : usim_cond_any(pair[k], 2);
    }
}

static usim_cond chains[3];
static int chain_woken;

static void *chain_waiter(void *arg)
{
    const usim_cond *c = arg;
    assert_int_equal(usim_wait_cond(c, NULL), 0);
    chain_woken++;
    return NULL;
}

static void flatten(bool all)
{
    flags_init(6);
    build_chains(all);
    chains[0] = all ? usim_cond_all(flat, 6) : usim_cond_any(flat, 6);
    chains[1] = all ? usim_cond_all(nest[0], 2) : usim_cond_any(nest[0], 2);
    chains[2] = all ? usim_cond_all(pairs, 3) : usim_cond_any(pairs, 3);
    chain_woken = 0;
    usim_scope s;
    usim_scope_open(&s);
    for (int k = 0; k < 3; k++)
        usim_scope_spawn(&s, chain_waiter, &chains[k], "waiter");
    for (int i = 0; i < 6; i++) {
        /* all: true only with the last flag; any: with the first. */
        bool expect = all ? i == 5 : true;
        usim_flag_set(&fl[i], true);
        for (int k = 0; k < 3; k++)
            assert_int_equal(usim_cond_holds(&chains[k]), expect);
        if (i == 0 || i == 5) {
            usim_instant();
            assert_int_equal(chain_woken, all ? (i == 5 ? 3 : 0) : 3);
        }
    }
    assert_int_equal(usim_scope_close(&s), 0);
    flags_destroy(6);
}

static void *flatten_and(void *arg)
{
    (void)arg;
    flatten(true);
    port_completed = true;
    return NULL;
}

static void test_flatten_and(void **state)
{
    (void)state;
    port_run_completed(flatten_and);
}

static void *flatten_or(void *arg)
{
    (void)arg;
    flatten(false);
    port_completed = true;
    return NULL;
}

static void test_flatten_or(void **state)
{
    (void)state;
    port_run_completed(flatten_or);
}

/* ------------------------------------------------------------------ */
/* TestContextCondition                                                */
/* ------------------------------------------------------------------ */

/* `async with until(flag)`: μsim aborts the body in the await that is
 * interrupted; in C that call returns USIM_ETIMEDOUT and the body stops
 * there ("exited" stays false). */

static void *release_self(void *arg)
{
    (void)arg;
    usim_flag flag;
    usim_flag_init(&flag, false, "flag");
    bool entered = false, exited = false;
    usim_cond c = usim_cond_flag(&flag, true);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    do {
        entered = true;
        assert_int_equal(turn(), 1);
        /* μsim: the until interrupt comes before set's postpone wake-up
         * and aborts the set at turn 2; here set takes its postpone (turn
         * 2) and the body's next blocking call reports the end. */
        usim_flag_set(&flag, true);
        assert_int_equal(turn(), 2);
        if (usim_instant() == USIM_ETIMEDOUT)
            break;
        exited = true;
    } while (0);
    int rc = usim_scope_close(&s);
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    assert_true(entered && !exited);
    assert_int_equal(turn(), 2);
    usim_flag_destroy(&flag);
    port_completed = true;
    return NULL;
}

static void test_release_self(void **state)
{
    (void)state;
    port_run_completed(release_self);
}

static usim_flag shared_flag;

static void *set_shared(void *arg)
{
    (void)arg;
    usim_flag_set(&shared_flag, true);
    return NULL;
}

static void *release_concurrent(void *arg)
{
    (void)arg;
    usim_flag_init(&shared_flag, false, "flag");
    bool entered = false, exited = false;
    usim_cond c = usim_cond_flag(&shared_flag, true);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    do {
        usim_scope_spawn(&s, set_shared, NULL, "setter");
        if (usim_instant() != 0) /* the child runs and sets the flag */
            break;
        entered = true;
        assert_int_equal(turn(), 3);
        if (usim_instant() == USIM_ETIMEDOUT)
            break;
        exited = true;
    } while (0);
    int rc = usim_scope_close(&s);
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    assert_true(entered && !exited);
    /* μsim: turn 4, closing the child within the owner's turn; usim's
     * close lets the cancelled child end in a turn of its own (4) and
     * resumes at 5 (usim_order: the second difference). */
    assert_int_equal(turn(), 5);
    assert_true(usim_now() == 0);
    usim_flag_destroy(&shared_flag);
    port_completed = true;
    return NULL;
}

static void test_release_concurrent(void **state)
{
    (void)state;
    port_run_completed(release_concurrent);
}

static void *release_early(void *arg)
{
    (void)arg;
    usim_flag flag;
    usim_flag_init(&flag, false, "flag");
    usim_flag_set(&flag, true);
    assert_int_equal(turn(), 2);
    bool entered = false, exited = false;
    usim_cond c = usim_cond_flag(&flag, true);
    usim_scope s;
    assert_int_equal(usim_scope_open_when(&s, &c), 0);
    do {
        entered = true;
        if (usim_instant() == USIM_ETIMEDOUT)
            break;
        exited = true;
    } while (0);
    int rc = usim_scope_close(&s);
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    assert_true(entered && !exited);
    /* μsim: turn 3, the interrupt delivered into the instant; usim's
     * instant returns at once, without the turn. */
    assert_int_equal(turn(), 2);
    usim_flag_destroy(&flag);
    port_completed = true;
    return NULL;
}

static void test_release_early(void **state)
{
    (void)state;
    port_run_completed(release_early);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_chain_and),          FIXTURE_TEST(test_chain_or),
        FIXTURE_TEST(test_chain_long),         FIXTURE_TEST(test_flatten_and),
        FIXTURE_TEST(test_flatten_or),         FIXTURE_TEST(test_release_self),
        FIXTURE_TEST(test_release_concurrent), FIXTURE_TEST(test_release_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
