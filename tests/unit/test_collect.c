/*
 * test_collect — usim_collect and usim_first, scenario by scenario,
 * under every turn order.  The activities sleep and return (or fail);
 * their times and results are worked out by hand and do not depend on
 * the order, so each scenario runs under fifo, lifo, musim and random.
 * Resolution 1: times are whole ticks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

typedef struct job {
    double delay;
    intptr_t value;
    bool fails;
} job;

static void *job_run(void *arg)
{
    const job *j = arg;
    if (usim_sleep(j->delay) != 0)
        return (void *)(intptr_t)-1;
    if (j->fails)
        return usim_task_fail("job %ld failed", (long)j->value);
    return (void *)j->value;
}

static job jobs[3];
static usim_activity acts[3];

static void make_acts(void)
{
    for (int i = 0; i < 3; i++)
        acts[i] = (usim_activity){.fn = job_run, .arg = &jobs[i], .name = "job"};
}

static usim_fn body;

/* Runs body under every order; it must end, and the run with it. */
static void each_order(usim_fn b)
{
    const usim_order orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_MUSIM,
                                 USIM_ORDER_RANDOM, USIM_ORDER_RANDOM};
    body = b;
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        usim_config cfg;
        usim_config_init(&cfg);
        cfg.resolution = 1.0;
        cfg.order = orders[k];
        cfg.seed = k;
        usim_sim *sim = fixture_sim(&cfg);
        bool finished = false;
        assert_non_null(usim_sim_spawn(sim, body, &finished, "main"));
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        assert_true(finished);
        fixture_destroy(sim);
    }
}

#define DONE(arg) (*(bool *)(arg) = true, NULL)

/* Jobs of 3, 1 and 2 returning 30, 10, 20: collect ends at 3 (the
 * longest) with the results in argument order. */
static void *collect_all(void *arg)
{
    jobs[0] = (job){3, 30, false};
    jobs[1] = (job){1, 10, false};
    jobs[2] = (job){2, 20, false};
    make_acts();
    assert_int_equal(usim_collect(acts, 3), 0);
    assert_int_equal(usim_now_ticks(), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(acts[i].status, 0);
        assert_int_equal((intptr_t)acts[i].result, jobs[i].value);
        assert_int_equal(usim_task_status(acts[i].task), USIM_TASK_SUCCESS);
    }
    /* Nothing to collect: at once. */
    assert_int_equal(usim_collect(NULL, 0), 0);
    assert_int_equal(usim_now_ticks(), 3);
    return DONE(arg);
}

static void test_collect_returns_results_in_argument_order(void **state)
{
    (void)state;
    each_order(collect_all);
}

/* The same jobs, the 1 failing at 1: the others are cancelled then, and
 * collect returns USIM_EFAILED at 1 with the statuses telling which. */
static void *collect_fails(void *arg)
{
    jobs[0] = (job){3, 30, false};
    jobs[1] = (job){1, 10, true};
    jobs[2] = (job){2, 20, false};
    make_acts();
    assert_int_equal(usim_collect(acts, 3), USIM_EFAILED);
    assert_int_equal(usim_now_ticks(), 1);
    assert_int_equal(acts[0].status, USIM_ECANCELED);
    assert_int_equal(acts[1].status, USIM_EFAILED);
    assert_int_equal(acts[2].status, USIM_ECANCELED);
    assert_non_null(strstr(usim_task_error(acts[1].task), "job 10 failed"));
    return DONE(arg);
}

static void test_collect_failure_cancels_the_rest(void **state)
{
    (void)state;
    each_order(collect_fails);
}

/* first of 2 of jobs 3, 1, 2: the 1 and the 2 return (in that order) at
 * 1 and 2; then the 3 is cancelled, and first returns at 2. */
static void *first_two(void *arg)
{
    size_t order[2];
    jobs[0] = (job){3, 30, false};
    jobs[1] = (job){1, 10, false};
    jobs[2] = (job){2, 20, false};
    make_acts();
    assert_int_equal(usim_first(acts, 3, 2, order), 0);
    assert_int_equal(usim_now_ticks(), 2);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal((intptr_t)acts[1].result, 10);
    assert_int_equal((intptr_t)acts[2].result, 20);
    assert_int_equal(acts[0].status, USIM_ECANCELED);
    /* count 0: every activity is cancelled (under fifo and random a
     * spawn is a turn point, so they may have begun their sleep), at
     * once. */
    make_acts();
    assert_int_equal(usim_first(acts, 3, 0, NULL), 0);
    assert_int_equal(usim_now_ticks(), 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(acts[i].status, USIM_ECANCELED);
    return DONE(arg);
}

static void test_first_takes_the_earliest_and_cancels_the_rest(void **state)
{
    (void)state;
    each_order(first_two);
}

static void *turns_x(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++) {
        fixture_trace_add("X");
        usim_instant();
    }
    return NULL;
}

static void *turns_act(void *arg)
{
    char buf[8];
    snprintf(buf, sizeof buf, "a%ld", (long)(intptr_t)arg);
    fixture_trace_add(buf);
    return arg;
}

static void *turns_main(void *arg)
{
    (void)arg;
    usim_activity two[2];
    size_t order[1];
    char buf[32];
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, turns_x, NULL, "X");
    for (int i = 0; i < 2; i++)
        two[i] = (usim_activity){.fn = turns_act, .arg = (void *)(intptr_t)(i + 1)};
    assert_int_equal(usim_collect(two, 2), 0);
    snprintf(buf, sizeof buf, "c[%ld,%ld]", (long)(intptr_t)two[0].result,
             (long)(intptr_t)two[1].result);
    fixture_trace_add(buf);
    for (int i = 0; i < 2; i++)
        two[i] = (usim_activity){.fn = turns_act, .arg = (void *)(intptr_t)(i + 3)};
    assert_int_equal(usim_first(two, 2, 1, order), 0);
    snprintf(buf, sizeof buf, "f%ld", (long)(intptr_t)two[order[0]].result);
    fixture_trace_add(buf);
    fixture_trace_add("fend");
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

/*
 * The turns of collect and first beside X (ten noted turns), with
 * activities that return at once.  musim, measured with μsim 0.4.4:
 * "X a1 a2 X X c[1, 2] X a3 a4 X f3 X fend X X X X" — collect's scope
 * close and its two joins, first's queue put and get and its scope
 * close postpone as μsim's do, turn for turn.  One difference is the
 * API's: μsim's first is an iterator, whose body ("f3") runs between the
 * get and the scope's close; usim_first returns after the close, so
 * "f3" comes one X later (the same turns, the caller's code after them).
 */
static void test_collect_and_first_turns_under_musim(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.order = USIM_ORDER_MUSIM;
    assert_string_equal(fixture_run_traced(&cfg, turns_main),
                        "X a1 a2 X X c[1,2] X a3 a4 X X f3 fend X X X X");
}

static void *sleeper_main(void *arg)
{
    jobs[0] = (job){3, 30, false};
    jobs[1] = (job){1, 10, false};
    jobs[2] = (job){5, 20, false};
    make_acts();
    usim_scope s;
    usim_scope_open_until(&s, 2);
    assert_int_equal(usim_collect(acts, 3), USIM_ETIMEDOUT);
    assert_int_equal(usim_now_ticks(), 2);
    /* The deadline reaches the activities too: their sleeps return
     * USIM_ETIMEDOUT at 2, and they return -1. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(acts[i].status, 0);
    assert_int_equal((intptr_t)acts[1].result, 10);
    assert_int_equal((intptr_t)acts[0].result, -1);
    assert_int_equal((intptr_t)acts[2].result, -1);
    int rc = usim_scope_close(&s); /* the scope's own business */
    assert_true(rc == 0 || rc == USIM_ETIMEDOUT);
    return DONE(arg);
}

/* A scope deadline at 2 around a collect of jobs of 3, 1 and 5: the 1
 * has returned by then, the others' sleeps end at 2 with the deadline,
 * and collect returns USIM_ETIMEDOUT then. */
static void test_collect_under_a_scope_deadline(void **state)
{
    (void)state;
    each_order(sleeper_main);
}

static void *bad_calls(void *arg)
{
    size_t order[3];
    make_acts();
    assert_int_equal(usim_first(acts, 3, 4, order), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "4 results asked of 3 activities"));
    assert_int_equal(usim_first(acts, 3, 1, NULL), USIM_EINVAL);
    acts[2].fn = NULL;
    assert_int_equal(usim_collect(acts, 3), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "activity 2 has no function"));
    assert_int_equal(usim_collect(NULL, 2), USIM_EINVAL);
    assert_int_equal(usim_now_ticks(), 0);
    return DONE(arg);
}

/* Bad arguments are USIM_EINVAL before anything runs; outside a task
 * USIM_ESTATE. */
static void test_collect_and_first_bad_arguments(void **state)
{
    (void)state;
    each_order(bad_calls);
    make_acts();
    assert_int_equal(usim_collect(acts, 3), USIM_ESTATE);
    assert_int_equal(usim_first(acts, 3, 1, (size_t[1]){0}), USIM_ESTATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_collect_returns_results_in_argument_order),
        FIXTURE_TEST(test_collect_failure_cancels_the_rest),
        FIXTURE_TEST(test_first_takes_the_earliest_and_cancels_the_rest),
        FIXTURE_TEST(test_collect_and_first_turns_under_musim),
        FIXTURE_TEST(test_collect_under_a_scope_deadline),
        FIXTURE_TEST(test_collect_and_first_bad_arguments),
    };
    return cmocka_run_group_tests_name("collect", tests, NULL, NULL);
}
