/*
 * test_rng — Philox4x32-10 through Random123, the counter layout of a
 * stream, stream ids and the independence of streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <setjmp.h>

#include <cmocka.h>

#include "kernel/fnv1a.h"
#include "observe/rng.h"
#include "usim.h"

static void check_block(const uint32_t ctr[4], const uint32_t key[2],
                        const uint32_t want[4])
{
    uint32_t out[4];
    usim_philox4x32_10(ctr, key, out);
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i], want[i]);
}

/* Random123's published known-answer vectors (kat_vectors, philox4x32 10). */
static void test_philox_kat_zero(void **state)
{
    (void)state;
    const uint32_t ctr[4] = {0, 0, 0, 0}, key[2] = {0, 0};
    const uint32_t want[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
    check_block(ctr, key, want);
}

static void test_philox_kat_ones(void **state)
{
    (void)state;
    const uint32_t ctr[4] = {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff};
    const uint32_t key[2] = {0xffffffff, 0xffffffff};
    const uint32_t want[4] = {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd};
    check_block(ctr, key, want);
}

static void test_philox_kat_pi(void **state)
{
    (void)state;
    const uint32_t ctr[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
    const uint32_t key[2] = {0xa4093822, 0x299f31d0};
    const uint32_t want[4] = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
    check_block(ctr, key, want);
}

/* usim.h: key = (seed low, run), counter = (draw low, draw high, stream,
 * seed high); the words of each block come out in order. */
/* Each check below runs at every SIMD level this CPU has (the portable
 * reference, then AVX2 on x86-64 CPUs that have it): all must give the reference
 * function's blocks. */
static void at_every_simd_level(void (*check)(void))
{
    int top = rng_simd_level();
    for (int level = RNG_SIMD_NONE; level <= top; level++) {
        rng_simd_force(level);
        check();
    }
    rng_simd_force(RNG_SIMD_AUTO);
}

static void layout_check(void)
{
    const uint64_t seed = UINT64_C(0x0123456789abcdef);
    usim_rng r;
    usim_rng_init(&r, seed, 7, 42);
    const uint32_t key[2] = {0x89abcdef, 7};
    /* Across several refills of USIM_RNG_BLOCKS blocks. */
    for (uint32_t block = 0; block < 2 * USIM_RNG_BLOCKS + 3; block++) {
        const uint32_t ctr[4] = {block, 0, 42, 0x01234567};
        uint32_t want[4];
        usim_philox4x32_10(ctr, key, want);
        for (int i = 0; i < 4; i++)
            assert_int_equal(usim_rng_u32(&r), want[i]);
    }
}

static void test_stream_is_philox_blocks_in_documented_layout(void **state)
{
    (void)state;
    at_every_simd_level(layout_check);
}

static void carry_check(void)
{
    usim_rng r;
    usim_rng_init(&r, 5, 1, 3);
    r.ctr[0] = UINT32_MAX - 2; /* jump to draw index 2^32 - 3 */
    const uint32_t key[2] = {5, 1};
    /* Blocks 2^32 - 3 .. 2^32 + 2 * USIM_RNG_BLOCKS: the carry falls
     * inside a refill, and the next refill continues from it. */
    for (uint64_t index = UINT32_MAX - 2ull;
         index <= UINT32_MAX + 2ull * USIM_RNG_BLOCKS; index++) {
        const uint32_t ctr[4] = {(uint32_t)index, (uint32_t)(index >> 32), 3, 0};
        uint32_t want[4];
        usim_philox4x32_10(ctr, key, want);
        for (int i = 0; i < 4; i++)
            assert_int_equal(usim_rng_u32(&r), want[i]);
    }
}

static void test_draw_index_carries_into_its_high_word(void **state)
{
    (void)state;
    at_every_simd_level(carry_check);
}

static void test_u64_is_two_words_high_first(void **state)
{
    (void)state;
    usim_rng r1, r2;
    usim_rng_init(&r1, 11, 2, 9);
    usim_rng_init(&r2, 11, 2, 9);
    usim_rng_u32(&r1); /* odd offset: the pair straddles two blocks */
    usim_rng_u32(&r2);
    for (int i = 0; i < 10; i++) {
        uint64_t hi = usim_rng_u32(&r2);
        uint64_t lo = usim_rng_u32(&r2);
        assert_true(usim_rng_u64(&r1) == (hi << 32 | lo));
    }
}

/* The extreme words give the extreme values, both strictly inside (0,1):
 * (0 + 1/2) 2^-52 and (2^52 - 1 + 1/2) 2^-52 = 1 - 2^-53, the largest
 * double below 1. */
static void test_u01_is_never_0_or_1(void **state)
{
    (void)state;
    usim_rng r;
    usim_rng_init(&r, 0, 0, 0);
    const unsigned n = 4 * USIM_RNG_BLOCKS; /* the next draw: the last two words */
    r.avail = 2;
    r.buf[n - 2] = r.buf[n - 1] = 0;
    assert_true(usim_rng_u01(&r) == 0x1p-53);
    r.avail = 2;
    r.buf[n - 2] = r.buf[n - 1] = UINT32_MAX;
    double hi = usim_rng_u01(&r);
    assert_true(hi == 1.0 - 0x1p-53);
    assert_true(hi < 1.0);
}

/* FNV-1a 32-bit reference values (Fowler, Noll, Vo test suite). */
static void test_stream_id_is_fnv1a(void **state)
{
    (void)state;
    assert_int_equal(usim_stream_id(""), 0x811c9dc5u);
    assert_int_equal(usim_stream_id("a"), 0xe40c292cu);
    assert_int_equal(usim_stream_id("foobar"), 0xbf9cf968u);
}

/* The same for the 64-bit variant, whole and in chained pieces. */
static void test_fnv1a64_gives_the_reference_values(void **state)
{
    (void)state;
    assert_true(fnv1a64_str("") == UINT64_C(0xcbf29ce484222325));
    assert_true(fnv1a64_str("a") == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(fnv1a64_str("foobar") == UINT64_C(0x85944171f73967e8));
    uint64_t h = fnv1a64(FNV1A64_BASIS, "foo", 3);
    assert_true(fnv1a64(h, "bar", 3) == UINT64_C(0x85944171f73967e8));
    assert_int_equal(fnv1a32(fnv1a32(FNV1A32_BASIS, "foo", 3), "bar", 3), 0xbf9cf968u);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

enum { PREFIX = 4096 };

/* Two streams of one run share no prefix, and more: none of the first
 * 4096 64-bit draws of one appears among those of the other. */
static void test_streams_of_one_run_share_no_prefix(void **state)
{
    (void)state;
    static uint64_t a[PREFIX], b[PREFIX];
    usim_rng ra, rb;
    usim_rng_init(&ra, 42, 3, usim_stream_id("arrivals"));
    usim_rng_init(&rb, 42, 3, usim_stream_id("service"));
    for (int i = 0; i < PREFIX; i++) {
        a[i] = usim_rng_u64(&ra);
        b[i] = usim_rng_u64(&rb);
    }
    assert_true(a[0] != b[0]);
    qsort(b, PREFIX, sizeof b[0], cmp_u64);
    for (int i = 0; i < PREFIX; i++)
        assert_null(bsearch(&a[i], b, PREFIX, sizeof b[0], cmp_u64));
}

static void test_draw_added_to_one_stream_leaves_another_unchanged(void **state)
{
    (void)state;
    usim_rng a, b_alone, b_mixed;
    usim_rng_init(&a, 42, 3, 1);
    usim_rng_init(&b_alone, 42, 3, 2);
    usim_rng_init(&b_mixed, 42, 3, 2);
    for (int i = 0; i < 1000; i++) {
        for (int j = 0; j < i % 3; j++)
            usim_rng_u64(&a); /* the extra draws of "component A" */
        assert_true(usim_rng_u64(&b_alone) == usim_rng_u64(&b_mixed));
        usim_exponential(&a, 1.0);
    }
}

static void test_same_seed_run_stream_gives_same_sequence(void **state)
{
    (void)state;
    usim_rng r1, r2;
    usim_rng_init(&r1, 1234, 99, usim_stream_id("x"));
    for (int i = 0; i < 100; i++)
        usim_rng_u64(&r1);
    usim_rng_init(&r1, 1234, 99, usim_stream_id("x")); /* re-init: restart */
    usim_rng_init(&r2, 1234, 99, usim_stream_id("x"));
    for (int i = 0; i < 10000; i++)
        assert_true(usim_rng_u64(&r1) == usim_rng_u64(&r2));
}

/* Each part of the identity matters, the high half of the seed included. */
static void test_seed_run_and_stream_each_change_the_sequence(void **state)
{
    (void)state;
    usim_rng base, r;
    usim_rng_init(&base, 1, 1, 1);
    uint64_t x = usim_rng_u64(&base);
    usim_rng_init(&r, 1 | UINT64_C(1) << 32, 1, 1);
    assert_true(usim_rng_u64(&r) != x);
    usim_rng_init(&r, 1, 2, 1);
    assert_true(usim_rng_u64(&r) != x);
    usim_rng_init(&r, 1, 1, 2);
    assert_true(usim_rng_u64(&r) != x);
}

/* Roughly even bits: over 10^5 words, each bit is set 50% +- 4 sd
 * (sd = sqrt(n/4) = 158). */
static void test_u32_bits_are_balanced(void **state)
{
    (void)state;
    enum { N = 100000 };
    unsigned ones[32] = {0};
    usim_rng r;
    usim_rng_init(&r, 7, 0, 0);
    for (int i = 0; i < N; i++) {
        uint32_t w = usim_rng_u32(&r);
        for (int b = 0; b < 32; b++)
            ones[b] += w >> b & 1;
    }
    for (int b = 0; b < 32; b++)
        assert_in_range(ones[b], N / 2 - 4 * 158, N / 2 + 4 * 158);
}

static void *sim_stream_task(void *arg)
{
    usim_rng *r = arg;
    usim_rng_stream(r, "arrivals");
    return NULL;
}

/* usim_sim_rng_stream and usim_rng_stream key the stream with the
 * simulation's seed and run. */
static void test_sim_stream_uses_config_seed_and_run(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.seed = UINT64_C(0xfeedface12345678);
    cfg.run = 17;
    usim_sim *sim = usim_sim_create(&cfg);
    assert_non_null(sim);
    usim_rng from_sim, in_task, direct;
    usim_sim_rng_stream(sim, &from_sim, "arrivals");
    assert_non_null(usim_sim_spawn(sim, sim_stream_task, &in_task, "t"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    usim_rng_init(&direct, cfg.seed, 17, usim_stream_id("arrivals"));
    for (int i = 0; i < 100; i++) {
        uint64_t want = usim_rng_u64(&direct);
        assert_true(usim_rng_u64(&from_sim) == want);
        assert_true(usim_rng_u64(&in_task) == want);
    }
    usim_sim_destroy(sim);
}

/* Outside any simulation usim_rng_stream still gives a reproducible
 * stream (seed 0, run 0) but says that it had no simulation. */
static void test_rng_stream_outside_a_simulation_uses_seed_0_run_0(void **state)
{
    (void)state;
    usim_rng r, want;
    usim_rng_stream(&r, "arrivals");
    assert_non_null(strstr(usim_errmsg(), "no running simulation"));
    usim_rng_init(&want, 0, 0, usim_stream_id("arrivals"));
    for (int i = 0; i < 100; i++)
        assert_true(usim_rng_u64(&r) == usim_rng_u64(&want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_kat_zero),
        cmocka_unit_test(test_philox_kat_ones),
        cmocka_unit_test(test_philox_kat_pi),
        cmocka_unit_test(test_stream_is_philox_blocks_in_documented_layout),
        cmocka_unit_test(test_draw_index_carries_into_its_high_word),
        cmocka_unit_test(test_u64_is_two_words_high_first),
        cmocka_unit_test(test_u01_is_never_0_or_1),
        cmocka_unit_test(test_stream_id_is_fnv1a),
        cmocka_unit_test(test_fnv1a64_gives_the_reference_values),
        cmocka_unit_test(test_streams_of_one_run_share_no_prefix),
        cmocka_unit_test(test_draw_added_to_one_stream_leaves_another_unchanged),
        cmocka_unit_test(test_same_seed_run_stream_gives_same_sequence),
        cmocka_unit_test(test_seed_run_and_stream_each_change_the_sequence),
        cmocka_unit_test(test_u32_bits_are_balanced),
        cmocka_unit_test(test_sim_stream_uses_config_seed_and_run),
        cmocka_unit_test(test_rng_stream_outside_a_simulation_uses_seed_0_run_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
