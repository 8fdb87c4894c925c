/*
 * test_zfast.c — zfast_compress (src/batch/zfast.h): every stream it makes
 * inflates with zlib to the bytes it was given, with zlib's own Adler-32
 * check, within zfast_bound, in one block of fixed codes or in blocks of
 * codes of their own; data made of runs and short periods shrinks as the
 * tables' chunks must, and a block of few distinct bytes as a trace's
 * planes must (sizes worked out from the Huffman codes by hand); runs of
 * one byte, whose Adler-32 is worked out without reading them, check out.
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

/* Compresses src in blocks of `block` bytes (0: one, fixed codes),
 * inflates the stream with zlib, checks the round trip; returns the
 * stream's length. */
static size_t round_trip_blocks(const unsigned char *src, size_t n, size_t block)
{
    size_t bound = zfast_bound(n);
    unsigned char *z = malloc(bound + 1), *back = malloc(n + 1);
    assert_non_null(z);
    assert_non_null(back);
    size_t zn = zfast_compress(z, src, n, block);
    assert_true(zn <= bound);
    uLongf got = n + 1; /* one more: a stream that inflates too long fails */
    assert_int_equal(uncompress(back, &got, z, zn), Z_OK);
    assert_int_equal(got, n);
    assert_memory_equal(back, src, n);
    free(z);
    free(back);
    return zn;
}

/* Every stream both ways: one fixed block, and blocks of 512 bytes (the
 * smallest there are) with codes of their own; returns the first's
 * length. */
static size_t round_trip(const unsigned char *src, size_t n)
{
    round_trip_blocks(src, n, 1);
    return round_trip_blocks(src, n, 0);
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
    /* blocks of the traces' planes, of the largest there are and beyond
     * (coded in pieces), over every kind of data at once: runs, random
     * bytes, few values, periods */
    for (size_t i = 0; i < n; i++) {
        size_t part = i / 9000 % 4;
        b[i] = part == 0   ? 0
               : part == 1 ? (unsigned char)lcg(&s)
               : part == 2 ? (unsigned char)("\x3f\x40\xf0"[lcg(&s) % 3])
                           : (unsigned char)(i % 9);
    }
    for (size_t block = 8192; block <= 40000; block *= 2)
        round_trip_blocks(b, n, block);
    free(b);
}

/*
 * Runs of one byte (matches at distance 1), which the fixed block's
 * Adler-32 takes without reading them when they are long: of every
 * length around the shortest it takes that way (32) and the longest match
 * (258), of byte values up to 0xff, between literals and periods and
 * back to back, in a stream longer than a stretch of the sums (5552);
 * runs of several maximal matches, ending at literals or at the end;
 * and a run broken by one other byte at every offset of its first 300
 * (a match found 32 bytes a step ends at the byte).  zlib checks the
 * bytes and the Adler-32.
 */
static void test_runs(void **state)
{
    (void)state;
    enum { N = 40000 };
    unsigned char *b = malloc(N);
    assert_non_null(b);
    uint64_t s = 3;
    size_t i = 0;
    for (unsigned k = 0; i < N; k++) {
        size_t len = k % 3 == 2 ? 250 + lcg(&s) % 20 : 28 + lcg(&s) % 10;
        unsigned char v = (unsigned char)(k % 5 == 0 ? 0xff : lcg(&s));
        for (size_t j = 0; j < len && i < N; j++)
            b[i++] = v;
        size_t gap = k % 4 == 0 ? 0 : lcg(&s) % 12; /* literals, a period */
        for (size_t j = 0; j < gap && i < N; j++)
            b[i++] =
                k % 4 == 1 ? (unsigned char)lcg(&s) : (unsigned char)"abcde"[j % 5];
    }
    round_trip(b, N);
    /* runs of several maximal matches (measured at once), the rest of
     * every length near one, then literals or the end */
    for (size_t len = 2 * 258 - 4; len <= 5 * 258 + 4; len++) {
        size_t n = 0;
        b[n++] = 0x11;
        memset(b + n, len % 2 ? 0 : 0xee, len);
        n += len;
        for (size_t j = 0; j < len % 7; j++)
            b[n++] = (unsigned char)(0x30 + j);
        round_trip(b, n);
    }
    for (size_t at = 0; at < 300; at++) {
        memset(b, 0x5a, 600);
        b[8 + at] = 0x5b;
        round_trip(b, 600);
    }
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

/*
 * A block of few distinct bytes: 0, 1, ..., 8 repeated (period 9, out of
 * every match's reach), 8190 bytes, all literals.
 *  - Fixed codes: 8 bits each: 3 + 65520 + 7 = 65530 bits = 8192 bytes,
 *    + 6 = 8198.
 *  - Codes of its own: nine symbols of 910 each and the end of block
 *    (1): an optimal code gives six symbols 3 bits and four 4 bits (the
 *    end of block among the latter), so the literals cost 910 * (6 * 3 +
 *    3 * 4) = 27300 bits; + 4 (end of block) + 3 (block type) = 27307
 *    bits, 3414 bytes, + 6.  The header describing the codes adds 17 bits
 *    and 3 per code length code (at most 19), plus the run-length coded
 *    lengths of 257 + 2 codes (about 20 symbols of up to 4 + 7 bits): at
 *    most 60 bytes.
 */
static void test_planes(void **state)
{
    (void)state;
    unsigned char b[8190];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (unsigned char)(i % 9);
    assert_int_equal(round_trip_blocks(b, sizeof b, 0), 8198);
    size_t own = round_trip_blocks(b, sizeof b, sizeof b);
    assert_true(own >= 3414 + 6);
    assert_true(own <= 3414 + 6 + 60);
}

/*
 * A match found exactly where it starts, after any number of literals (a
 * varying plane's literals are tested 13 positions at a time): g distinct
 * bytes 0x20 + i, 40 bytes 0xaa, 20 distinct bytes 0x60 + j.  By hand:
 * 3 block bits; g + 1 literals of 8 bits (values below 144); length 39
 * (symbol 273, 7 bits, 3 extra) at distance 1 (5 bits); 20 literals; 7
 * end-of-block bits: 8 g + 193 bits = g + 25 bytes, + 6 = g + 31.
 */
static void test_match_after_literals(void **state)
{
    (void)state;
    unsigned char b[128];
    for (size_t g = 0; g < 64; g++) {
        size_t n = 0;
        for (size_t i = 0; i < g; i++)
            b[n++] = (unsigned char)(0x20 + i);
        for (size_t i = 0; i < 40; i++)
            b[n++] = 0xaa;
        for (size_t j = 0; j < 20; j++)
            b[n++] = (unsigned char)(0x60 + j);
        assert_int_equal(round_trip(b, n), g + 31);
    }
}

/*
 * A counter that rises by 0 to 3 at random (the middle bytes of a trace's
 * times), with a 0 in every 32nd byte: every other byte value about
 * equally often, and a match where it holds still for four rises, about
 * once in 256 bytes.  Codes of its own make it 1.4 % shorter (110 bytes:
 * measured, the header included): less than the 1 in 32 that pays for
 * scanning the plane, so it is stored whole: the header (2), the stored
 * block's first byte and LEN, NLEN (5), the bytes, the Adler-32 (4).
 * With a 0 in every 16th byte they save 2.5 % (204 bytes), and it is
 * coded.  Random bytes with no repeat at all are stored too.
 */
static void test_stored_counter(void **state)
{
    (void)state;
    enum { N = 8192 };
    unsigned char b[N];
    for (size_t every = 32; every >= 16; every /= 2) {
        uint64_t s = 7;
        unsigned char v = 0;
        size_t repeats = 0;
        for (size_t i = 0; i < N; i++) {
            v = (unsigned char)(v + lcg(&s) % 4);
            b[i] = i % every ? v : 0;
            repeats += i >= 4 && b[i] == b[i - 4] && b[i] == b[i - 1];
        }
        assert_true(repeats > N / 512 && repeats < N / 64); /* some matches */
        size_t zn = round_trip_blocks(b, N, N);
        if (every == 32)
            assert_int_equal(zn, N + 11);
        else
            assert_true(zn < N + 11 - N / 50);
    }
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++)
        b[i] = (unsigned char)(lcg(&s) >> 7);
    assert_int_equal(round_trip_blocks(b, N, N), N + 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_long_streams),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_match_after_literals),
        cmocka_unit_test(test_planes),
        cmocka_unit_test(test_stored_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
