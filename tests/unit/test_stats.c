/*
 * test_stats — tally, time-weighted level and histogram against values
 * worked out by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "usim.h"

/* {2,4,4,4,5,5,7,9}: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16
 * = 32, sample variance 32/7. */
static void test_tally_matches_hand_computed_values(void **state)
{
    (void)state;
    static const double xs[] = {2, 4, 4, 4, 5, 5, 7, 9};
    usim_tally t;
    usim_tally_init(&t);
    for (int i = 0; i < 8; i++)
        usim_tally_add(&t, xs[i]);
    assert_int_equal(usim_tally_count(&t), 8);
    assert_float_equal(usim_tally_mean(&t), 5.0, 1e-15);
    assert_float_equal(usim_tally_variance(&t), 32.0 / 7.0, 1e-14);
    assert_float_equal(usim_tally_sd(&t), sqrt(32.0 / 7.0), 1e-14);
    assert_true(usim_tally_min(&t) == 2.0);
    assert_true(usim_tally_max(&t) == 9.0);
}

/* Welford keeps the variance of values far from 0: 1e9 + {4,7,13,16}
 * has mean 1e9 + 10 and variance (36+9+9+36)/3 = 30 exactly, which the
 * sum-of-squares formula loses to cancellation. */
static void test_tally_variance_is_stable_far_from_zero(void **state)
{
    (void)state;
    usim_tally t;
    usim_tally_init(&t);
    for (int rep = 0; rep < 1000; rep++) {
        usim_tally_add(&t, 1e9 + 4);
        usim_tally_add(&t, 1e9 + 7);
        usim_tally_add(&t, 1e9 + 13);
        usim_tally_add(&t, 1e9 + 16);
    }
    /* 4000 values, population variance 22.5: sample 22.5 * 4000/3999. */
    assert_float_equal(usim_tally_variance(&t), 22.5 * 4000 / 3999, 1e-6);
    usim_tally_init(&t);
    usim_tally_add(&t, 1e9 + 4);
    usim_tally_add(&t, 1e9 + 7);
    usim_tally_add(&t, 1e9 + 13);
    usim_tally_add(&t, 1e9 + 16);
    assert_float_equal(usim_tally_mean(&t), 1e9 + 10, 1e-6);
    assert_float_equal(usim_tally_variance(&t), 30.0, 1e-6);
}

/* No data: mean, min and max are NaN; the variance needs two values. */
static void test_tally_without_data_is_nan(void **state)
{
    (void)state;
    usim_tally t;
    usim_tally_init(&t);
    assert_int_equal(usim_tally_count(&t), 0);
    assert_true(isnan(usim_tally_mean(&t)));
    assert_true(isnan(usim_tally_variance(&t)));
    assert_true(isnan(usim_tally_min(&t)));
    assert_true(isnan(usim_tally_max(&t)));
    usim_tally_add(&t, 3.0);
    assert_true(usim_tally_mean(&t) == 3.0);
    assert_true(isnan(usim_tally_variance(&t)));
    assert_true(usim_tally_min(&t) == 3.0 && usim_tally_max(&t) == 3.0);
}

/* 0 on [0,2), 3 on [2,5), 1 for an instant at 5, then 4 on [5,10]:
 * integral 0*2 + 3*3 + 4*5 = 29, mean 2.9, max 4, min 0. */
static void test_level_matches_hand_computed_integral(void **state)
{
    (void)state;
    usim_level l;
    usim_level_init(&l, 0.0, 0.0);
    usim_level_set(&l, 2.0, 3.0);
    usim_level_set(&l, 5.0, 1.0);
    usim_level_set(&l, 5.0, 4.0);
    assert_float_equal(usim_level_integral(&l, 5.0), 9.0, 1e-12);
    assert_float_equal(usim_level_integral(&l, 10.0), 29.0, 1e-12);
    assert_float_equal(usim_level_mean(&l, 10.0), 2.9, 1e-12);
    assert_true(usim_level_max(&l) == 4.0);
    assert_true(usim_level_min(&l) == 0.0);
}

/* Started at t0 = 1 with value 2: 2 on [1,4), 5 on [4,6]: integral
 * 6 + 10 = 16 over 5 time units, mean 3.2.  At t0 itself the mean is the
 * value. */
static void test_level_mean_is_over_time_since_t0(void **state)
{
    (void)state;
    usim_level l;
    usim_level_init(&l, 1.0, 2.0);
    assert_true(usim_level_mean(&l, 1.0) == 2.0);
    usim_level_set(&l, 4.0, 5.0);
    assert_float_equal(usim_level_mean(&l, 6.0), 3.2, 1e-12);
    assert_float_equal(usim_level_integral(&l, 4.0), 6.0, 1e-12);
    assert_true(usim_level_min(&l) == 2.0 && usim_level_max(&l) == 5.0);
}

/* Every edge value opens its bin; the double just below it belongs to
 * the bin before; lo opens bin 0, hi and above overflow, below lo
 * underflows. */
static void check_edges(double lo, double hi, size_t n)
{
    usim_histogram h;
    assert_int_equal(usim_histogram_init(&h, lo, hi, n), 0);
    assert_true(usim_histogram_edge(&h, 0) == lo);
    assert_true(usim_histogram_edge(&h, n) == hi);
    for (size_t i = 0; i < n; i++) {
        double e = usim_histogram_edge(&h, i);
        assert_true(e < usim_histogram_edge(&h, i + 1));
        memset(h.bins, 0, n * sizeof *h.bins);
        h.under = h.over = 0;
        usim_histogram_add(&h, e);
        assert_int_equal(h.bins[i], 1);
        usim_histogram_add(&h, nextafter(e, -INFINITY));
        if (i == 0)
            assert_int_equal(h.under, 1);
        else
            assert_int_equal(h.bins[i - 1], 1);
    }
    h.under = h.over = 0;
    usim_histogram_add(&h, hi);
    usim_histogram_add(&h, 1e300);
    usim_histogram_add(&h, NAN);
    assert_int_equal(h.over, 3);
    usim_histogram_add(&h, nextafter(hi, -INFINITY));
    assert_int_equal(h.bins[n - 1], 2); /* with the one from the loop */
    usim_histogram_destroy(&h);
}

static void test_histogram_bin_edges(void **state)
{
    (void)state;
    /* [0, 1) in 10 bins: edges i/10, so 0.3 opens bin 3 and 0.29 is in
     * bin 2; 0.95 is in bin 9. */
    usim_histogram h;
    assert_int_equal(usim_histogram_init(&h, 0.0, 1.0, 10), 0);
    assert_true(usim_histogram_edge(&h, 3) == 0.3);
    usim_histogram_add(&h, 0.3);
    usim_histogram_add(&h, 0.29);
    usim_histogram_add(&h, 0.95);
    usim_histogram_add(&h, -0.01);
    assert_int_equal(h.bins[3], 1);
    assert_int_equal(h.bins[2], 1);
    assert_int_equal(h.bins[9], 1);
    assert_int_equal(h.under, 1);
    assert_int_equal(h.over, 0);
    usim_histogram_destroy(&h);
    check_edges(0.0, 1.0, 10);
    check_edges(0.1, 0.7, 6);
    check_edges(-1.0, 2.3, 7);
    check_edges(1e-3, 1e-3 + 3e-12, 3);
    check_edges(-1e6, 1e6, 1000);
}

static void test_histogram_init_rejects_bad_ranges(void **state)
{
    (void)state;
    usim_histogram h;
    assert_int_equal(usim_histogram_init(&h, 1.0, 1.0, 4), USIM_EINVAL);
    assert_int_equal(usim_histogram_init(&h, 2.0, 1.0, 4), USIM_EINVAL);
    assert_int_equal(usim_histogram_init(&h, 0.0, NAN, 4), USIM_EINVAL);
    assert_int_equal(usim_histogram_init(&h, 0.0, INFINITY, 4), USIM_EINVAL);
    assert_int_equal(usim_histogram_init(&h, 0.0, 1.0, 0), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "nbins"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tally_matches_hand_computed_values),
        cmocka_unit_test(test_tally_variance_is_stable_far_from_zero),
        cmocka_unit_test(test_tally_without_data_is_nan),
        cmocka_unit_test(test_level_matches_hand_computed_integral),
        cmocka_unit_test(test_level_mean_is_over_time_since_t0),
        cmocka_unit_test(test_histogram_bin_edges),
        cmocka_unit_test(test_histogram_init_rejects_bad_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
