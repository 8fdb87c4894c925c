/*
 * test_zfast.c — zfast_compress (src/batch/zfast.h): every stream it makes
 * inflates with zlib to the bytes it was given, with zlib's own Adler-32
 * check, within zfast_bound; and data made of runs and short periods
 * shrinks as the tables' chunks must (sizes worked out from the fixed
 * Huffman codes of RFC 1951 by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "batch/zfast.h"

/* Compresses src, inflates the stream with zlib, checks the round trip;
 * returns the stream's length. */
static size_t round_trip(const unsigned char *src, size_t n)
{
    size_t bound = zfast_bound(n);
    unsigned char *z = malloc(bound + 1), *back = malloc(n + 1);
    assert_non_null(z);
    assert_non_null(back);
    size_t zn = zfast_compress(z, src, n);
    assert_true(zn <= bound);
    uLongf got = n + 1; /* one more: a stream that inflates too long fails */
    assert_int_equal(uncompress(back, &got, z, zn), Z_OK);
    assert_int_equal(got, n);
    assert_memory_equal(back, src, n);
    free(z);
    free(back);
    return zn;
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Every length up to past two maximal matches, in data of every kind the
 * encoder tells apart: runs, periods 2 to 8, literals, a period of 9 (out
 * of its reach), and mixtures; the first eight bytes (no distance yet) and
 * the last three (too short for a candidate) included. */
static void test_round_trips(void **state)
{
    (void)state;
    uint64_t s = 1;
    unsigned char *b = malloc(700);
    for (size_t n = 0; n < 700; n++) {
        for (int kind = 0; kind < 7; kind++) {
            for (size_t i = 0; i < n; i++) {
                switch (kind) {
                case 0:
                    b[i] = 0;
                    break;
                case 1:
                    b[i] = (unsigned char)lcg(&s);
                    break;
                case 2:
                    b[i] = (unsigned char)"abcde"[i % 5];
                    break;
                case 3:
                    b[i] = (unsigned char)(i % 9);
                    break;
                case 4:
                    b[i] = i < n / 2 ? 0xff : (i % 7 ? 0x90 : (unsigned char)lcg(&s));
                    break;
                case 5:
                    b[i] = lcg(&s) % 2 && i >= 3 ? b[i - 3] : (unsigned char)lcg(&s);
                    break;
                default:
                    b[i] = (unsigned char)(lcg(&s) % 3 ? i / 40 : lcg(&s));
                    break;
                }
            }
            round_trip(b, n);
        }
    }
    free(b);
}

/* More than ADLER_SPAN (2^20) bytes: the Adler-32 sums are reduced on the
 * way, in runs and in literals; zlib checks the result. */
static void test_long_streams(void **state)
{
    (void)state;
    size_t n = 3u << 20;
    unsigned char *b = malloc(n);
    assert_non_null(b);
    memset(b, 0xfe, n);
    round_trip(b, n);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++)
        b[i] = lcg(&s) % 3 ? 0xfe : (unsigned char)lcg(&s);
    round_trip(b, n);
    free(b);
}

/*
 * The sizes, by hand.  A stream is 2 header bytes, 3 block bits, the
 * symbols, 7 end-of-block bits, padding and 4 Adler-32 bytes.
 *  - 4096 zeros: literal 0 (8 bits), then 4095 = 15 * 258 + 225 copies at
 *    distance 1: length 258 is symbol 285 (8 bits, no extra), length 225
 *    symbol 284 (8 bits + 5 extra); distance 1 is 5 bits: 15 * 13 + 18 =
 *    213.  3 + 8 + 213 + 7 = 231 bits = 29 bytes, + 6 = 35.
 *  - "abcde" repeated to 4100 bytes: 5 literals (8 bits each), then 4095
 *    bytes at distance 5 (5 bits + 1 extra): 15 * 14 + (13 + 6) = 229;
 *    3 + 40 + 229 + 7 = 279 bits = 35 bytes, + 6 = 41.
 */
static void test_sizes(void **state)
{
    (void)state;
    unsigned char b[4100];
    memset(b, 0, 4096);
    assert_int_equal(round_trip(b, 4096), 35);
    for (size_t i = 0; i < 4100; i++)
        b[i] = (unsigned char)"abcde"[i % 5];
    assert_int_equal(round_trip(b, 4100), 41);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_long_streams),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
