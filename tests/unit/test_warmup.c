/*
 * test_warmup — the warm-up of a simulation (usim_sim_set_warmup): the
 * tallies, levels and histograms initialised in it are reset at the
 * warm-up time, and the hooks run then, against values worked out by hand.
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

typedef struct stats {
    usim_tally tally;
    usim_level level;
    usim_histogram hist;
    usim_tracked tracked;
    int hooks;
    double hook_now;
} stats;

static usim_sim *new_sim(void)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.stack_size = 32768;
    return fixture_sim(&cfg);
}

static void count_hook(usim_sim *sim, void *ctx)
{
    stats *s = ctx;
    s->hooks++;
    s->hook_now = usim_sim_now(sim);
}

/* Values before, at and after the warm-up time 10:
 *   t=0  tally 100, level 5, histogram 1.5, tracked 7
 *   t=4  tally 200, level 2, histogram 2.5
 *   t=10 tally 10 (at the warm-up time: it counts)
 *   t=12 tally 3, level 6, histogram 7.5, tracked 1
 *   t=14 tally 5
 * After the reset the tally holds {10, 3, 5}: mean 6, sample variance
 * (16 + 9 + 1) / 2 = 13, min 3, max 10.  The level is 2 on [10, 12] and 6
 * on [12, 20]: integral 2*2 + 6*8 = 52, mean 52 / 10 = 5.2, min 2, max 6.
 * The histogram holds 7.5 alone.  The tracked value is 7 on [10, 12] and
 * 1 on [12, 20]: integral 14 + 8 = 22. */
static void *feeder(void *arg)
{
    stats *s = arg;
    usim_tally_add(&s->tally, 100);
    usim_level_set(&s->level, usim_now(), 5);
    usim_histogram_add(&s->hist, 1.5);
    usim_tracked_set(&s->tracked, 7);
    usim_sleep(4);
    usim_tally_add(&s->tally, 200);
    usim_level_set(&s->level, usim_now(), 2);
    usim_histogram_add(&s->hist, 2.5);
    usim_sleep(6);
    usim_tally_add(&s->tally, 10);
    usim_sleep(2);
    usim_tally_add(&s->tally, 3);
    usim_level_set(&s->level, usim_now(), 6);
    usim_histogram_add(&s->hist, 7.5);
    usim_tracked_set(&s->tracked, 1);
    usim_sleep(2);
    usim_tally_add(&s->tally, 5);
    return NULL;
}

static void setup_stats(usim_sim *sim, stats *s)
{
    memset(s, 0, sizeof *s);
    usim_tally_init(&s->tally);
    usim_level_init(&s->level, 0, 0);
    assert_int_equal(usim_histogram_init(&s->hist, 0, 10, 10), 0);
    usim_tracked_init(&s->tracked, 0, "v");
    assert_int_equal(usim_sim_on_warmup(sim, count_hook, s), 0);
    assert_non_null(usim_sim_spawn(sim, feeder, s, "feeder"));
}

static void test_reset_at_warmup_keeps_only_later_values(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    stats s;
    assert_int_equal(usim_sim_set_warmup(sim, 10), 0);
    setup_stats(sim, &s);
    assert_int_equal(usim_sim_run(sim, 20), USIM_DONE);
    assert_true(usim_sim_warmup(sim) == 10);
    assert_int_equal(s.hooks, 1);
    assert_true(s.hook_now == 10);
    assert_int_equal(usim_tally_count(&s.tally), 3);
    assert_float_equal(usim_tally_mean(&s.tally), 6.0, 1e-15);
    assert_float_equal(usim_tally_variance(&s.tally), 13.0, 1e-13);
    assert_true(usim_tally_min(&s.tally) == 3 && usim_tally_max(&s.tally) == 10);
    assert_float_equal(usim_level_integral(&s.level, 20), 52.0, 1e-12);
    assert_float_equal(usim_level_mean(&s.level, 20), 5.2, 1e-14);
    assert_true(usim_level_min(&s.level) == 2 && usim_level_max(&s.level) == 6);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(s.hist.bins[i], i == 7 ? 1 : 0);
    assert_float_equal(usim_level_integral(usim_tracked_level(&s.tracked), 20), 22.0,
                       1e-12);
    usim_histogram_destroy(&s.hist);
    usim_tracked_destroy(&s.tracked);
}

/* Without a warm-up nothing is reset and no hook runs: the tally holds
 * all five values, mean (100 + 200 + 10 + 3 + 5) / 5 = 318 / 5. */
static void test_without_warmup_nothing_is_reset(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    stats s;
    setup_stats(sim, &s);
    assert_int_equal(usim_sim_run(sim, 20), USIM_DONE);
    assert_true(isnan(usim_sim_warmup(sim)));
    assert_int_equal(s.hooks, 0);
    assert_int_equal(usim_tally_count(&s.tally), 5);
    assert_float_equal(usim_tally_mean(&s.tally), 318.0 / 5.0, 1e-13);
    /* 0 on [0, 0], 5 on [0, 4], 2 on [4, 12], 6 on [12, 20]: 20 + 16 + 48. */
    assert_float_equal(usim_level_integral(&s.level, 20), 84.0, 1e-12);
    usim_histogram_destroy(&s.hist);
    usim_tracked_destroy(&s.tracked);
}

/* A run that ends (at 14) before its warm-up (100) has no statistics:
 * they are reset, and the hooks run, when it ends. */
static void test_run_ending_before_warmup_resets_at_its_end(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    stats s;
    assert_int_equal(usim_sim_set_warmup(sim, 100), 0);
    setup_stats(sim, &s);
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(s.hooks, 1);
    assert_true(s.hook_now == 14);
    assert_int_equal(usim_tally_count(&s.tally), 0);
    usim_histogram_destroy(&s.hist);
    usim_tracked_destroy(&s.tracked);
}

/* A warm-up at 0 resets before the first event: everything counts. */
static void test_warmup_at_zero_keeps_everything(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    stats s;
    assert_int_equal(usim_sim_set_warmup(sim, 0), 0);
    setup_stats(sim, &s);
    assert_int_equal(usim_sim_run(sim, 20), USIM_DONE);
    assert_int_equal(s.hooks, 1);
    assert_true(s.hook_now == 0);
    assert_int_equal(usim_tally_count(&s.tally), 5);
    assert_float_equal(usim_level_integral(&s.level, 20), 84.0, 1e-12);
    usim_histogram_destroy(&s.hist);
    usim_tracked_destroy(&s.tracked);
}

static void test_set_warmup_rejects_bad_calls(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    assert_int_equal(usim_sim_set_warmup(sim, -1), USIM_EINVAL);
    assert_int_equal(usim_sim_set_warmup(sim, NAN), USIM_EINVAL);
    assert_int_equal(usim_sim_set_warmup(sim, INFINITY), USIM_EINVAL);
    assert_int_equal(usim_sim_set_warmup(sim, 5), 0);
    assert_int_equal(usim_sim_set_warmup(sim, 6), USIM_ESTATE);
    assert_int_equal(usim_sim_on_warmup(sim, NULL, NULL), USIM_EINVAL);
}

/* A task whose frame holds a statistic ends before the warm-up; the next
 * task gets the same pooled stack and keeps a pattern where that
 * statistic was.  The reset at the warm-up must not write into it: the
 * ended task's statistics are forgotten when it ends. */
static bool pattern_intact;

static void *short_lived(void *arg)
{
    (void)arg;
    usim_tally t;
    usim_tally_init(&t);
    usim_tally_add(&t, 1);
    usim_level l;
    usim_level_init(&l, 0, 3);
    return NULL;
}

static void *pattern_keeper(void *arg)
{
    (void)arg;
    unsigned char buf[8192];
    memset(buf, 0xab, sizeof buf);
    usim_sleep(20); /* across the warm-up at 10 */
    pattern_intact = true;
    for (size_t i = 0; i < sizeof buf; i++)
        if (((volatile unsigned char *)buf)[i] != 0xab)
            pattern_intact = false;
    return NULL;
}

static void *stack_reuser(void *arg)
{
    (void)arg;
    usim_task *a = usim_spawn(short_lived, NULL, "short");
    assert_int_equal(usim_join(a, NULL), 0);
    usim_sleep(1);
    usim_task *b = usim_spawn(pattern_keeper, NULL, "keeper");
    assert_int_equal(usim_join(b, NULL), 0);
    return NULL;
}

static void test_statistics_of_an_ended_task_are_not_reset(void **state)
{
    (void)state;
    usim_sim *sim = new_sim();
    assert_int_equal(usim_sim_set_warmup(sim, 10), 0);
    pattern_intact = false;
    assert_non_null(usim_sim_spawn(sim, stack_reuser, NULL, "main"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_true(pattern_intact);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_reset_at_warmup_keeps_only_later_values),
        FIXTURE_TEST(test_without_warmup_nothing_is_reset),
        FIXTURE_TEST(test_run_ending_before_warmup_resets_at_its_end),
        FIXTURE_TEST(test_warmup_at_zero_keeps_everything),
        FIXTURE_TEST(test_set_warmup_rejects_bad_calls),
        FIXTURE_TEST(test_statistics_of_an_ended_task_are_not_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
