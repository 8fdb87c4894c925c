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
        FIXTURE_TEST(test_collect_and_first_bad_arguments),
    };
    return cmocka_run_group_tests_name("collect", tests, NULL, NULL);
}
