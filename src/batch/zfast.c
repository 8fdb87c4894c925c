/*
 * zfast.c — a fast zlib-format compressor for short-period data (zfast.h).
 *
 * The stream: the zlib header (deflate, 32 KiB window, "fastest"), one
 * final deflate block with the fixed Huffman codes of RFC 1951 3.2.6, and
 * the Adler-32 of the data.  At each position the longest match at
 * distances 1 to ZFAST_MAX_DIST is taken (greedy; the nearest of equal
 * ones), if it is at least 3 bytes long; otherwise the byte is a literal.
 */
#include "batch/zfast.h"

#include <pthread.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <string.h>

#define MIN_MATCH 3
#define MAX_MATCH 258
#define GOOD_MATCH 32 /* a match at least this long ends the search */
#define ADLER_BASE 65521u
/* Bytes between reductions of the Adler-32 sums: the sums then stay far
 * below 2^64 (a < 2^29, b < 2^49). */
#define ADLER_SPAN (1u << 20)

/* A code as it enters the stream: `bits` (first bit lowest), `n` of them. */
typedef struct {
    uint32_t bits;
    uint32_t n;
} code;

static code lit_codes[256];           /* literals */
static code len_codes[MAX_MATCH + 1]; /* a length's symbol and extra bits */
static code dist_codes[ZFAST_MAX_DIST + 1];
static code eob_code; /* end of block, symbol 256 */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Huffman codes are sent most significant bit first, the rest of the
 * stream least significant bit first: codes enter reversed. */
static uint32_t reverse(uint32_t c, uint32_t n)
{
    uint32_t r = 0;
    for (uint32_t i = 0; i < n; i++, c >>= 1)
        r = (r << 1) | (c & 1);
    return r;
}

/* The fixed literal/length code of symbol s (RFC 1951 3.2.6). */
static code fixed_code(unsigned s)
{
    if (s < 144)
        return (code){reverse(0x30 + s, 8), 8};
    if (s < 256)
        return (code){reverse(0x190 + s - 144, 9), 9};
    if (s < 280)
        return (code){reverse(s - 256, 7), 7};
    return (code){reverse(0xc0 + s - 280, 8), 8};
}

static void tables_init(void)
{
    static const unsigned base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const unsigned extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    for (unsigned v = 0; v < 256; v++)
        lit_codes[v] = fixed_code(v);
    eob_code = fixed_code(256);
    for (unsigned len = MIN_MATCH, k = 0; len <= MAX_MATCH; len++) {
        while (k + 1 < 29 && base[k + 1] <= len)
            k++;
        code c = fixed_code(257 + k);
        len_codes[len] = (code){c.bits | (len - base[k]) << c.n, c.n + extra[k]};
    }
    /* Distance codes are 5 bits: 0-3 for 1-4, 4 for 5-6 and 5 for 7-8
     * (one extra bit each). */
    for (unsigned d = 1; d <= ZFAST_MAX_DIST; d++) {
        unsigned sym = d <= 4 ? d - 1 : 4 + (d - 5) / 2;
        unsigned ex = d <= 4 ? 0 : 1, exv = d <= 4 ? 0 : (d - 5) % 2;
        dist_codes[d] = (code){reverse(sym, 5) | exv << 5, 5 + ex};
    }
}

typedef struct {
    unsigned char *out;
    uint64_t acc; /* bits not yet stored, first lowest */
    unsigned n;   /* how many */
} bitwriter;

/* Appends at most 32 bits. */
static inline void put(bitwriter *w, uint32_t bits, unsigned n)
{
    w->acc |= (uint64_t)bits << w->n;
    w->n += n;
    if (w->n >= 32) {
        for (int i = 0; i < 4; i++)
            *w->out++ = (unsigned char)(w->acc >> (8 * i));
        w->acc >>= 32;
        w->n -= 32;
    }
}

static inline uint32_t load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Bit 8 - d set for each distance d (1 to 8) at which the four bytes at p
 * repeat.  With SSE2: bytes p[j - 8 .. j - 1] against p[j], j = 0..3, all
 * at once. */
static inline unsigned candidates(const unsigned char *p)
{
    /* Most literals are bytes that are none of the eight before them: a
     * word-wise test for a zero byte in their xor with p[0] rejects them
     * cheaply. */
    const uint64_t ones = 0x0101010101010101u;
    uint64_t x = load64(p - 8) ^ (p[0] * ones);
    if (!((x - ones) & ~x & (ones << 7)))
        return 0;
#ifdef __SSE2__
    __m128i all = _mm_set1_epi8(-1);
    for (int j = 0; j < 4; j++) {
        __m128i before = _mm_loadl_epi64((const __m128i *)(const void *)(p + j - 8));
        all = _mm_and_si128(all, _mm_cmpeq_epi8(before, _mm_set1_epi8((char)p[j])));
    }
    /* bit k: p[k - 8 + j] == p[j] for every j, distance 8 - k */
    return (unsigned)_mm_movemask_epi8(all) & 0xff;
#else
    unsigned c = 0;
    uint32_t head = load32(p);
    for (unsigned d = 1; d <= ZFAST_MAX_DIST; d++)
        c |= (unsigned)(load32(p - d) == head) << (ZFAST_MAX_DIST - d);
    return c;
#endif
}

/* How many bytes from p on equal those d before them, at most max. */
static inline size_t match_length(const unsigned char *p, size_t d, size_t max)
{
    size_t len = 0;
    for (; len + 8 <= max; len += 8) {
        uint64_t x = load64(p + len) ^ load64(p + len - d);
        if (x) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return len + (size_t)__builtin_ctzll(x) / 8;
#else
            break;
#endif
        }
    }
    while (len < max && p[len] == p[len - d])
        len++;
    return len;
}

size_t zfast_bound(size_t n)
{
    /* header, 3 block bits, at most 9 bits a byte, end of block, padding,
     * Adler-32 */
    return 2 + (3 + 9 * n + 7 + 7) / 8 + 4;
}

size_t zfast_compress(unsigned char *dst, const unsigned char *src, size_t n)
{
    pthread_once(&tables_once, tables_init);
    bitwriter w = {.out = dst};
    *w.out++ = 0x78;        /* deflate, 32 KiB window */
    *w.out++ = 0x01;        /* no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0 */
    put(&w, 1 | 1 << 1, 3); /* the final block, fixed codes */
    uint64_t a = 1, b = 0;
    size_t since = 0; /* bytes since the sums were last reduced */
    size_t last = 1;  /* the distance of the last match */
    for (size_t i = 0; i < n;) {
        size_t best = 0, dist = 0;
        if (i >= ZFAST_MAX_DIST && i + 4 <= n) {
            /* Literals first, in a loop of their own: the bytes of a plane
             * that varies are most of the stream's symbols. */
            unsigned cand;
            while (!(cand = candidates(src + i))) {
                code c = lit_codes[src[i]];
                put(&w, c.bits, c.n);
                a += src[i];
                b += a;
                if (++since >= ADLER_SPAN) {
                    a %= ADLER_BASE;
                    b %= ADLER_BASE;
                    since = 0;
                }
                if (++i + 4 > n)
                    break;
            }
            if (!cand)
                continue; /* the last bytes */
            /* Of the distances whose first four bytes agree, the last
             * match's first: a long match ends the search. */
            const unsigned char *p = src + i;
            size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            unsigned bit = 1u << (ZFAST_MAX_DIST - last);
            if (cand & bit) {
                best = match_length(p, last, max);
                dist = last;
                cand &= ~bit;
            }
            while (cand && best < GOOD_MATCH) { /* the nearest first */
                unsigned k = 31u - (unsigned)__builtin_clz(cand);
                size_t d = ZFAST_MAX_DIST - k;
                cand &= ~(1u << k);
                size_t len = match_length(p, d, max);
                if (len > best) {
                    best = len;
                    dist = d;
                }
            }
        } else { /* the first and last bytes: every distance there is */
            size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            size_t far = i < ZFAST_MAX_DIST ? i : ZFAST_MAX_DIST;
            for (size_t d = 1; d <= far && best < max; d++) {
                size_t len = match_length(src + i, d, max);
                if (len > best) {
                    best = len;
                    dist = d;
                }
            }
        }
        if (best >= MIN_MATCH) {
            code lc = len_codes[best], dc = dist_codes[dist];
            put(&w, lc.bits, lc.n);
            put(&w, dc.bits, dc.n);
            if (dist == 1) { /* best copies of v: sum a + k v for k = 1..best */
                uint64_t v = src[i - 1];
                b += best * a + v * best * (best + 1) / 2;
                a += best * v;
            } else {
                for (size_t k = 0; k < best; k++) {
                    a += src[i + k];
                    b += a;
                }
            }
            i += best;
            since += best;
            last = dist;
        } else {
            code c = lit_codes[src[i]];
            put(&w, c.bits, c.n);
            a += src[i];
            b += a;
            i++;
            since++;
        }
        if (since >= ADLER_SPAN) {
            a %= ADLER_BASE;
            b %= ADLER_BASE;
            since = 0;
        }
    }
    put(&w, eob_code.bits, eob_code.n);
    while (w.n > 0) { /* the last bits, padded to a byte */
        *w.out++ = (unsigned char)w.acc;
        w.acc >>= 8;
        w.n = w.n > 8 ? w.n - 8 : 0;
    }
    uint32_t adler = (uint32_t)((b % ADLER_BASE) << 16 | (a % ADLER_BASE));
    for (int i = 3; i >= 0; i--)
        *w.out++ = (unsigned char)(adler >> (8 * i));
    return (size_t)(w.out - dst);
}
