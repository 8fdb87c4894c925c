/*
 * test_stats.c — the arithmetic of the experiment statistics: MSER-5
 * truncation, Student t quantiles, and the rows of a shard split by
 * point (runspace.h).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "batch/mser.h"
#include "batch/runspace.h"
#include "batch/student.h"

/* A deterministic noise in [-0.5, 0.5) (an LCG), for reproducible series. */
static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) / 9007199254740992.0 - 0.5;
}

/*
 * A level shift of 10: the first `step` observations are biased, and so is
 * the batch that straddles the step, so the truncation is the step rounded
 * up to a batch.  Without noise that is exact.  Over noise the rule can
 * cut a batch or two more: dropping a batch of the steady part lowers
 * MSER when its mean is more than sqrt(2) standard errors from the rest,
 * whatever the noise's size (about 1 batch in 6); it never cuts less.
 */
static void mser_finds_a_step(void **state)
{
    (void)state;
    const size_t n = 2000;
    double *y = malloc(n * sizeof *y);
    assert_non_null(y);
    size_t steps[] = {5, 237, 480, 999, 1000};
    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
        size_t want = (steps[s] + MSER_BATCH - 1) / MSER_BATCH * MSER_BATCH;
        for (size_t i = 0; i < n; i++)
            y[i] = i < steps[s] ? 10.0 : 0.0;
        assert_int_equal(mser5_truncation(y, n), want);
        uint64_t seed = 42 + s;
        for (size_t i = 0; i < n; i++)
            y[i] += noise(&seed);
        size_t cut = mser5_truncation(y, n);
        assert_true(cut % MSER_BATCH == 0);
        assert_true(cut >= want && cut <= want + 2 * MSER_BATCH);
    }
    /* Noise alone: a few batches at most. */
    uint64_t seed = 7;
    for (size_t i = 0; i < n; i++)
        y[i] = noise(&seed);
    assert_true(mser5_truncation(y, n) <= 2 * MSER_BATCH);
    free(y);
}

/* Worked by hand: batch means 4, 0, 0 (values 4 4 4 4 4, then zeros).
 * d = 0: mean 4/3, squares 64/9 + 16/9 + 16/9 = 96/9, / 9 = 1.185; d = 1
 * (the first half of m = 3 is d <= 1): tail 0, 0, MSER 0.  Cut 5. */
static void mser_by_hand(void **state)
{
    (void)state;
    double y[15] = {4, 4, 4, 4, 4};
    assert_int_equal(mser5_truncation(y, 15), 5);
    /* A constant series: every d ties at 0, the first (0) wins. */
    double c[20];
    for (size_t i = 0; i < 20; i++)
        c[i] = 3;
    assert_int_equal(mser5_truncation(c, 20), 0);
    /* Batch means 9 9 9 9 0 0 0 0 (m = 8, d <= 4): d = 0 leaves mean 4.5
     * and 8 * 4.5^2 / 64 = 2.53, d = 3 (9 0 0 0 0) 64.8 / 25 = 2.59, d = 4
     * nothing but zeros: 0.  Cut at the half, 20. */
    double half[40] = {0};
    for (size_t i = 0; i < 20; i++)
        half[i] = 9;
    assert_int_equal(mser5_truncation(half, 40), 20);
    /* Fewer than two batches: nothing to compare. */
    assert_int_equal(mser5_truncation(y, 9), 0);
    assert_int_equal(mser5_truncation(y, 0), 0);
}

/* Published quantiles (e.g. Abramowitz & Stegun table 26.10, and the
 * exact Cauchy case df = 1: tan(pi (p - 1/2))). */
static void student_quantiles(void **state)
{
    (void)state;
    struct {
        double p, df, t;
    } known[] = {
        {0.975, 1, 12.706204736}, {0.975, 2, 4.302652730}, {0.975, 10, 2.228138852},
        {0.995, 5, 4.032142984},  {0.95, 20, 1.724718243}, {0.975, 1000, 1.962339067},
        {0.9, 3, 1.637744354},    {0.5, 7, 0.0},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        assert_float_equal(student_t_quantile(known[i].p, known[i].df), known[i].t,
                           1e-8 * (1 + known[i].t));
    for (double p = 0.55; p < 1; p += 0.05)
        assert_float_equal(student_t_quantile(p, 1), tan(M_PI * (p - 0.5)), 1e-9);
    assert_true(isnan(student_t_quantile(1.0, 5)));
    assert_true(isnan(student_t_quantile(0.4, 5)));
    assert_true(isnan(student_t_quantile(0.9, 0)));
}

/* Every run of a shard has a row of its own, rows are in run order, and
 * row and run invert each other; the shards together hold every run once. */
static void shard_rows(void **state)
{
    (void)state;
    runspace spaces[] = {{7, 4, 3, true},
                         {7, 4, 0, true},
                         {5, 3, 0, false},
                         {1, 6, 2, true},
                         {3, 1, 5, true}};
    for (size_t k = 0; k < sizeof spaces / sizeof *spaces; k++) {
        const runspace *s = &spaces[k];
        uint64_t nruns = runspace_runs(s);
        for (uint64_t count = 1; count <= 4; count++) {
            uint64_t total = 0;
            for (uint64_t index = 0; index < count; index++) {
                uint64_t rows = runspace_rows(s, index, count), prev = 0;
                total += rows;
                for (uint64_t row = 0; row < rows; row++) {
                    uint64_t run = runspace_run_of_row(s, row, index, count);
                    assert_true(run < nruns);
                    assert_true(row == 0 || run > prev);
                    prev = run;
                    assert_int_equal(runspace_shard(s, run, count), index);
                    assert_int_equal(runspace_row(s, run, count), row);
                }
            }
            assert_int_equal(total, nruns);
        }
    }
    /* Pilots follow the main runs: point 2's pilot 1 of {7 points, 4
     * replications, 3 pilots} is 28 + 2 * 3 + 1. */
    runspace s = {7, 4, 3, true};
    assert_int_equal(runspace_pilot_run(&s, 2, 1), 35);
    assert_int_equal(runspace_point(&s, 35), 2);
    assert_int_equal(runspace_replication(&s, 35), 1);
    assert_true(runspace_is_pilot(&s, 35) && !runspace_is_pilot(&s, 27));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mser_finds_a_step),
        cmocka_unit_test(mser_by_hand),
        cmocka_unit_test(student_quantiles),
        cmocka_unit_test(shard_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
