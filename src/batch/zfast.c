/*
 * zfast.c — a fast zlib-format compressor for short-period data (zfast.h).
 *
 * The stream: the zlib header (deflate, 32 KiB window, "fastest"), deflate
 * blocks, and the Adler-32 of the data.  At each position the longest
 * match at distances 1 to ZFAST_MAX_DIST is taken (greedy; the nearest of
 * equal ones), if it is at least 3 bytes long; otherwise the byte is a
 * literal.
 *
 * Blocks.  With block = 0 the whole input is one block with the fixed
 * Huffman codes of RFC 1951 3.2.6, each symbol coded as soon as it is
 * found.  Otherwise each block of `block` bytes (a byte plane of a
 * shuffled chunk) is scanned into a buffer of symbols first, and coded
 * with the codes that cost it fewer bits: the fixed ones, or Huffman codes
 * built from its own symbol counts (a "dynamic" block, 3.2.7), or stored
 * as it is (3.2.4).  A plane of few distinct bytes (the exponent bytes of
 * a trace's values) then costs 2 to 3 bits a byte instead of 8 or 9; a
 * plane of random bytes (the low bytes of its times) is stored, 8 bits a
 * byte instead of 8.4, and judged random on its first bytes, so most of
 * it is never scanned.
 */
#include "batch/zfast.h"

#include <pthread.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __x86_64__
#include <immintrin.h>
#endif
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define MIN_MATCH 3
#define MAX_MATCH 258
#define GOOD_MATCH 32 /* a match at least this long ends the search */

#define NLIT 286    /* literal/length symbols: bytes, end of block, lengths */
#define NDIST 30    /* distance symbols */
#define NCLEN 19    /* code length symbols of a dynamic block's header */
#define MAX_BITS 15 /* the longest literal/length or distance code */
#define MAX_CLEN_BITS 7
/* Symbols of a dynamic block before its codes are chosen; a larger block
 * is coded in pieces of this many bytes.  Symbol counts stay below 2^16,
 * which sort_by_count relies on. */
#define MAX_BLOCK 16384
/* A block of fewer symbols gets no codes of its own (they are not even
 * built): a dynamic block's header alone is 10 to 90 bytes. */
#define MIN_DYNAMIC 512
/* Smaller blocks would all keep the fixed codes: they are joined. */
#define MIN_BLOCK MIN_DYNAMIC
/* A block is judged on its first PROBE bytes: stored unscanned if they
 * are literals of at least RANDOM_DISTINCT values (looks_random), all of
 * them ... */
#define PROBE 1024
#define RANDOM_DISTINCT 224
/* ... or at most one in MOSTLY_LITERALS of them in matches, and codes of
 * their own not 1/NOT_WORTH shorter than 8 bits a byte. */
#define MOSTLY_LITERALS 16
#define NOT_WORTH 32
/* A symbol in a block's buffer: a literal byte (below 256), or a match,
 * MATCH | (length - 3) << 3 | (distance - 1). */
#define MATCH 0x8000u

/* A code as it enters the stream: `bits` (first bit lowest), `n` of them. */
typedef struct {
    uint32_t bits;
    uint32_t n;
} code;

/* The fixed codes of every literal/length and distance symbol. */
static code fixed_lit[NLIT], fixed_dist[NDIST];
/* Every length's and distance's symbol and extra bits. */
static uint16_t len_sym[MAX_MATCH + 1];
static code len_extra[MAX_MATCH + 1];
static uint8_t dist_sym[ZFAST_MAX_DIST + 1];
static code dist_extra[ZFAST_MAX_DIST + 1];
/* For the fixed block coded on the way: a length's or distance's code
 * and extra bits in one. */
static code len_codes[MAX_MATCH + 1], dist_codes[ZFAST_MAX_DIST + 1];
static uint8_t rev8[256]; /* each byte's bits reversed */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Huffman codes are sent most significant bit first, the rest of the
 * stream least significant bit first: codes enter reversed. */
static uint32_t reverse(uint32_t c, uint32_t n)
{
    return (uint32_t)(rev8[c & 0xff] << 8 | rev8[c >> 8 & 0xff]) >> (16 - n);
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
    for (unsigned v = 0; v < 256; v++) {
        unsigned r = 0;
        for (unsigned b = 0; b < 8; b++)
            r |= (v >> b & 1) << (7 - b);
        rev8[v] = (uint8_t)r;
    }
    for (unsigned s = 0; s < NLIT; s++)
        fixed_lit[s] = fixed_code(s);
    for (unsigned s = 0; s < NDIST; s++)
        fixed_dist[s] = (code){reverse(s, 5), 5};
    for (unsigned len = MIN_MATCH, k = 0; len <= MAX_MATCH; len++) {
        while (k + 1 < 29 && base[k + 1] <= len)
            k++;
        len_sym[len] = (uint16_t)(257 + k);
        len_extra[len] = (code){len - base[k], extra[k]};
        code c = fixed_lit[257 + k];
        len_codes[len] = (code){c.bits | len_extra[len].bits << c.n, c.n + extra[k]};
    }
    /* Distance symbols 0-3 are 1-4, 4 is 5-6 and 5 is 7-8 (one extra bit
     * each). */
    for (unsigned d = 1; d <= ZFAST_MAX_DIST; d++) {
        dist_sym[d] = (uint8_t)(d <= 4 ? d - 1 : 4 + (d - 5) / 2);
        dist_extra[d] = d <= 4 ? (code){0, 0} : (code){(d - 5) % 2, 1};
        code c = fixed_dist[dist_sym[d]];
        dist_codes[d] =
            (code){c.bits | dist_extra[d].bits << c.n, c.n + dist_extra[d].n};
    }
}

typedef struct {
    unsigned char *out;
    uint64_t acc; /* bits not yet stored, first lowest */
    unsigned n;   /* how many */
} bitwriter;

/* Pads the bits so far to a whole byte and stores them. */
static void put_align(bitwriter *w)
{
    for (; w->n > 0; w->n = w->n > 8 ? w->n - 8 : 0) {
        *w->out++ = (unsigned char)w->acc;
        w->acc >>= 8;
    }
}

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

#ifdef __SSE2__
/* Positions handled by one candidate_mask. */
#define MASK_SPAN 13

/* Bit j (j < MASK_SPAN) set if p[j] would have candidates: the four
 * bytes at p + j repeat at some distance 1 to 8 (p[-8, 16) is read).  A
 * varying plane is mostly literals: 13 positions tested in about 70
 * instructions, where candidates took about 10 a position. */
static inline unsigned candidate_mask(const unsigned char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned any = 0;
    for (int d = 1; d <= ZFAST_MAX_DIST; d++) {
        unsigned e = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(v, _mm_loadu_si128((const __m128i *)(const void *)(p - d))));
        e &= e >> 1;
        any |= e & e >> 2;
    }
    return any & ((1u << MASK_SPAN) - 1);
}
#endif

/* How many bytes from p on equal those d before them, at most max.  A
 * table's chunk is mostly long matches (maximal ones, in runs of one
 * byte): with SSE2, 32 bytes a step, about a third of an instruction a
 * byte where 8 at a time took one. */
static inline size_t match_length(const unsigned char *p, size_t d, size_t max)
{
    size_t len = 0;
#ifdef __SSE2__
    for (; len + 32 <= max; len += 32) {
        const unsigned char *q = p + len;
        __m128i e0 =
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)q),
                           _mm_loadu_si128((const __m128i *)(const void *)(q - d)));
        __m128i e1 = _mm_cmpeq_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(q + 16)),
            _mm_loadu_si128((const __m128i *)(const void *)(q + 16 - d)));
        if (_mm_movemask_epi8(_mm_and_si128(e0, e1)) != 0xffff) {
            unsigned m =
                (unsigned)_mm_movemask_epi8(e0) | (unsigned)_mm_movemask_epi8(e1) << 16;
            return len + (size_t)__builtin_ctz(~m);
        }
    }
#endif
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

/*
 * The Adler-32 of data so far (`sum`; 1 for none) followed by p[0, n): a =
 * 1 + the sum of the bytes, b = the sum of a after each byte, both mod
 * 65521 (zlib's adler32()).  With SSE2, 16 bytes at a time: the
 * vector k of a stretch adds 16 (a0 + S_k) + sum_j (16 - j) v_j to b,
 * where S_k is the sum of the bytes before it in the stretch; stretches
 * of ADLER_NMAX bytes keep every sum far from overflowing before the
 * reduction.
 */
#define ADLER_BASE 65521u
#define ADLER_NMAX 5552 /* zlib's bound for 32-bit sums; a multiple of 16 */

/* The end of a vector stretch of len bytes, vectors of `width`: its byte
 * sum, the sum over its vectors of the bytes before them, and the bytes
 * weighted by width - j (see above) enter a and b, reduced. */
static inline void adler_fold(uint64_t *a, uint64_t *b, size_t len, unsigned width,
                              uint64_t sum, uint64_t before, uint64_t weighted)
{
    *b = (*b + len * *a + width * before + weighted) % ADLER_BASE;
    *a = (*a + sum) % ADLER_BASE;
}

#ifdef __x86_64__
/* Where the processor has AVX2, the same 32 bytes at a time: the weights
 * 32 down to 1 multiply the bytes as they are (maddubs: bytes times small
 * signed weights, pairs added, at most 2 * 255 * 32 each), and the
 * stretches are of ADLER_NMAX32 bytes.  Consumes the whole 32-byte
 * vectors of p[0, *n) into a and b. */
#define ADLER_NMAX32 (ADLER_NMAX / 32 * 32)

__attribute__((target("avx2"))) static void
adler32_avx2(uint64_t *pa, uint64_t *pb, const unsigned char **pp, size_t *pn)
{
    const unsigned char *p = *pp;
    size_t n = *pn;
    uint64_t a = *pa, b = *pb;
    const __m256i zero = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i w =
        _mm256_setr_epi8(32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                         16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    while (n >= 32) {
        size_t len = n < ADLER_NMAX32 ? n & ~(size_t)31 : ADLER_NMAX32;
        __m256i sum = zero, before = zero, weighted = zero;
        for (size_t k = 0; k < len; k += 32) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + k));
            before = _mm256_add_epi64(before, sum);
            sum = _mm256_add_epi64(sum, _mm256_sad_epu8(v, zero));
            weighted = _mm256_add_epi32(
                weighted, _mm256_madd_epi16(_mm256_maddubs_epi16(v, w), ones));
        }
        uint64_t sv[4], bv[4];
        uint32_t wv[8];
        _mm256_storeu_si256((__m256i *)(void *)sv, sum);
        _mm256_storeu_si256((__m256i *)(void *)bv, before);
        _mm256_storeu_si256((__m256i *)(void *)wv, weighted);
        adler_fold(&a, &b, len, 32, sv[0] + sv[1] + sv[2] + sv[3],
                   bv[0] + bv[1] + bv[2] + bv[3],
                   (uint64_t)wv[0] + wv[1] + wv[2] + wv[3] + wv[4] + wv[5] + wv[6] +
                       wv[7]);
        p += len;
        n -= len;
    }
    *pa = a;
    *pb = b;
    *pp = p;
    *pn = n;
}
#endif

static uint32_t adler32_add(uint32_t sum, const unsigned char *p, size_t n)
{
    uint64_t a = sum & 0xffff, b = sum >> 16;
#ifdef __x86_64__
    if (__builtin_cpu_supports("avx2"))
        adler32_avx2(&a, &b, &p, &n);
#endif
#ifdef __SSE2__
    const __m128i zero = _mm_setzero_si128();
    const __m128i w_lo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
    const __m128i w_hi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
    while (n >= 16) {
        size_t len = n < ADLER_NMAX ? n & ~(size_t)15 : ADLER_NMAX;
        __m128i sum = zero, before = zero, weighted = zero;
        for (size_t k = 0; k < len; k += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
            before = _mm_add_epi64(before, sum);
            sum = _mm_add_epi64(sum, _mm_sad_epu8(v, zero));
            weighted = _mm_add_epi32(
                weighted,
                _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(v, zero), w_lo),
                              _mm_madd_epi16(_mm_unpackhi_epi8(v, zero), w_hi)));
        }
        uint64_t s[2], bf[2];
        uint32_t w[4];
        _mm_storeu_si128((__m128i *)(void *)s, sum);
        _mm_storeu_si128((__m128i *)(void *)bf, before);
        _mm_storeu_si128((__m128i *)(void *)w, weighted);
        adler_fold(&a, &b, len, 16, s[0] + s[1], bf[0] + bf[1],
                   (uint64_t)w[0] + w[1] + w[2] + w[3]);
        p += len;
        n -= len;
    }
#endif
    while (n > 0) {
        size_t len = n < ADLER_NMAX ? n : ADLER_NMAX;
        for (size_t k = 0; k < len; k++) {
            a += p[k];
            b += a;
        }
        a %= ADLER_BASE;
        b %= ADLER_BASE;
        p += len;
        n -= len;
    }
    return (uint32_t)(b << 16 | a);
}

/* The Adler-32 of data so far followed by len bytes v (a run: matches
 * at distance 1), without reading them: a grows by len v, b by len a + v
 * (1 + 2 + ... + len).  The tables' chunks are mostly such runs. */
static uint32_t adler32_run(uint32_t sum, unsigned v, size_t len)
{
    uint64_t a = sum & 0xffff, b = sum >> 16;
    b = (b + len * a + v * (len * (len + 1) / 2)) % ADLER_BASE;
    a = (a + len * v) % ADLER_BASE;
    return (uint32_t)(b << 16 | a);
}

/* The most of a run measured at once (adler32_run's sums stay far below
 * 2^64). */
#define RUN_SPAN (1u << 20)

/* Runs shorter than this are left to adler32_add with the bytes around
 * them: a call costs about as much as summing this many bytes. */
#define ADLER_RUN 32

/* Where a block's symbols go: coded at once with the fixed codes
 * (direct), or kept in sym[] with their counts. */
typedef struct {
    bitwriter *w;
    uint16_t *sym;
    size_t nsym;
    uint32_t lit[NLIT], dist[NDIST]; /* counts by symbol */
    /* direct: the Adler-32 of src[0, summed), summed on the way */
    uint32_t adler;
    size_t summed;
} sink;

static inline __attribute__((always_inline)) void add_literal(sink *k, bool direct,
                                                              unsigned v)
{
    if (direct) {
        put(k->w, fixed_lit[v].bits, fixed_lit[v].n);
    } else {
        k->sym[k->nsym++] = (uint16_t)v;
        k->lit[v]++;
    }
}

/* The n literals at p (the fixed codes: two to a put). */
static inline __attribute__((always_inline)) void
add_literals(sink *k, bool direct, const unsigned char *p, size_t n)
{
    size_t j = 0;
    if (direct)
        for (; j + 2 <= n; j += 2) {
            code a = fixed_lit[p[j]], b = fixed_lit[p[j + 1]];
            put(k->w, a.bits | b.bits << a.n, a.n + b.n);
        }
    for (; j < n; j++)
        add_literal(k, direct, p[j]);
}

static inline __attribute__((always_inline)) void add_match(sink *k, bool direct,
                                                            size_t len, size_t dist)
{
    if (direct) {
        put(k->w, len_codes[len].bits, len_codes[len].n);
        put(k->w, dist_codes[dist].bits, dist_codes[dist].n);
    } else {
        k->sym[k->nsym++] = (uint16_t)(MATCH | (len - MIN_MATCH) << 3 | (dist - 1));
        k->lit[len_sym[len]]++;
        k->dist[dist_sym[dist]]++;
    }
}

/* Finds the literals and matches of src[i, end) (matches may reach back
 * before i, never past end) into k; *last is the distance of the last
 * match, carried from block to block.  Inlined twice, direct or not. */
static inline __attribute__((always_inline)) void
scan(const unsigned char *src, size_t i, size_t end, size_t *last, sink *k, bool direct)
{
    while (i < end) {
        size_t best = 0, dist = 0;
        if (i >= ZFAST_MAX_DIST && i + 4 <= end) {
            /* Literals first, in a loop of their own: the bytes of a plane
             * that varies are most of the stream's symbols.  After a
             * literal (no match here), 13 positions at a time. */
            unsigned cand = candidates(src + i);
#ifdef __SSE2__
            if (!cand) {
                while (i + 16 <= end) {
                    unsigned m = candidate_mask(src + i);
                    size_t lits = m ? (size_t)__builtin_ctz(m) : MASK_SPAN;
                    add_literals(k, direct, src + i, lits);
                    i += lits;
                    if (m)
                        break;
                }
                if (i + 4 > end)
                    continue; /* the last bytes */
                cand = candidates(src + i);
            }
#endif
            while (!cand) {
                add_literal(k, direct, src[i]);
                if (++i + 4 > end)
                    break;
                cand = candidates(src + i);
            }
            if (!cand)
                continue; /* the last bytes */
            /* Of the distances whose first four bytes agree, the last
             * match's first (direct: distance 1 before it, a run, which
             * the Adler-32 takes without reading it): a long match ends
             * the search. */
            const unsigned char *p = src + i;
            size_t max = end - i < MAX_MATCH ? end - i : MAX_MATCH;
            size_t first = direct && cand >> (ZFAST_MAX_DIST - 1) ? 1 : *last;
            unsigned bit = 1u << (ZFAST_MAX_DIST - first);
            if (cand & bit) {
                best = match_length(p, first, max);
                dist = first;
                cand &= ~bit;
            }
            while (cand && best < GOOD_MATCH) { /* the nearest first */
                unsigned b = 31u - (unsigned)__builtin_clz(cand);
                size_t d = ZFAST_MAX_DIST - b;
                cand &= ~(1u << b);
                size_t len = match_length(p, d, max);
                if (len > best) {
                    best = len;
                    dist = d;
                }
            }
        } else { /* the first and last bytes: every distance there is */
            size_t max = end - i < MAX_MATCH ? end - i : MAX_MATCH;
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
            add_match(k, direct, best, dist);
            if (direct && dist == 1 && best == MAX_MATCH) {
                /* A run that goes on (a table's constant planes, one
                 * after another): where the scan would find maximal
                 * matches at distance 1 again and again, its length is
                 * found at once, and they are coded in a row. */
                size_t rest = end - (i + best);
                size_t more =
                    match_length(src + i + best, 1, rest < RUN_SPAN ? rest : RUN_SPAN);
                for (size_t m = more / MAX_MATCH; m > 0; m--)
                    add_match(k, true, MAX_MATCH, 1);
                best += more / MAX_MATCH * MAX_MATCH;
            }
            if (direct && dist == 1 && best >= ADLER_RUN) {
                k->adler = adler32_add(k->adler, src + k->summed, i - k->summed);
                k->adler = adler32_run(k->adler, src[i - 1], best);
                k->summed = i + best;
            }
            i += best;
            *last = dist;
        } else {
            add_literal(k, direct, src[i]);
            i++;
        }
    }
}

/* Sorts key[0, m) (count << 9 | symbol, counts below 2^16) by count,
 * equal counts in symbol order: two byte-wise counting passes. */
static void sort_by_count(uint32_t *key, unsigned m)
{
    uint32_t tmp[NLIT];
    uint32_t *from = key, *to = tmp;
    for (unsigned shift = 9; shift < 25; shift += 8) {
        unsigned at[257] = {0};
        for (unsigned i = 0; i < m; i++)
            at[(from[i] >> shift & 0xff) + 1]++;
        for (unsigned d = 1; d < 257; d++)
            at[d] += at[d - 1];
        for (unsigned i = 0; i < m; i++)
            to[at[from[i] >> shift & 0xff]++] = from[i];
        uint32_t *t = from;
        from = to;
        to = t;
    }
    /* two passes: the result is back in key */
}

/*
 * Code lengths of at most `limit` bits for the n symbols counted in
 * count[]: Huffman's (computed in place over the counts in ascending
 * order, after Moffat and Katajainen), then, if the longest exceeds the
 * limit, the lengths over it cut to it and the code made whole again by
 * lengthening the longest codes below it, one unit of the Kraft sum at a
 * time.  Lengths go to the symbols in count order, the rarest the
 * longest.  At least two symbols get a code (a single-symbol code is
 * incomplete, which inflate refuses for some of a block's codes): the
 * first unused ones are given a count of 1 if need be.
 */
static void code_lengths(const uint32_t *count, unsigned n, unsigned limit,
                         uint8_t *len)
{
    uint32_t key[NLIT], a[NLIT];
    unsigned m = 0;
    for (unsigned s = 0; s < n; s++) {
        len[s] = 0;
        if (count[s])
            key[m++] = count[s] << 9 | s;
    }
    for (unsigned s = 0; m < 2 && s < n; s++)
        if (!count[s])
            key[m++] = 1u << 9 | s;
    sort_by_count(key, m);
    a[0] = a[1] = 0; /* m >= 2: set below; the compiler cannot tell */
    for (unsigned i = 0; i < m; i++)
        a[i] = key[i] >> 9;
    /* Moffat-Katajainen: a[] becomes the parents' indices, then depths,
     * then each leaf's code length (a[0], the rarest, the longest). */
    a[0] += a[1];
    unsigned root = 0, leaf = 2;
    for (unsigned next = 1; next < m - 1; next++) {
        if (leaf >= m || a[root] < a[leaf]) {
            a[next] = a[root];
            a[root++] = next;
        } else {
            a[next] = a[leaf++];
        }
        if (leaf >= m || (root < next && a[root] < a[leaf])) {
            a[next] += a[root];
            a[root++] = next;
        } else {
            a[next] += a[leaf++];
        }
    }
    a[m - 2] = 0;
    for (int next = (int)m - 3; next >= 0; next--)
        a[next] = a[a[next]] + 1;
    int avail = 1, used = 0, depth = 0, r = (int)m - 2, next = (int)m - 1;
    while (avail > 0) {
        while (r >= 0 && (int)a[r] == depth) {
            used++;
            r--;
        }
        while (avail > used) {
            a[next--] = (uint32_t)depth;
            avail--;
        }
        avail = 2 * used;
        depth++;
        used = 0;
    }
    /* how many codes of each length; cut to the limit */
    unsigned nlen[MAX_BITS + 2] = {0};
    uint32_t longest = a[0];
    for (unsigned i = 0; i < m; i++)
        nlen[a[i] < MAX_BITS + 1 ? a[i] : MAX_BITS + 1]++;
    if (longest > limit) {
        for (unsigned l = limit + 1; l <= MAX_BITS + 1; l++) {
            nlen[limit] += nlen[l];
            nlen[l] = 0;
        }
        uint32_t kraft = 0;
        for (unsigned l = 1; l <= limit; l++)
            kraft += nlen[l] << (limit - l);
        while (kraft > 1u << limit) {
            /* one code of the limit's length fewer, and a shorter code
             * split in two one bit longer: the count stays, the sum
             * drops by one unit */
            nlen[limit]--;
            for (unsigned l = limit - 1; l > 0; l--)
                if (nlen[l]) {
                    nlen[l]--;
                    nlen[l + 1] += 2;
                    break;
                }
            kraft--;
        }
    }
    unsigned i = 0;
    for (unsigned l = limit; l > 0; l--)
        for (unsigned c = 0; c < nlen[l]; c++)
            len[key[i++] & 0x1ff] = (uint8_t)l;
}

/* The canonical codes of the given lengths (RFC 1951 3.2.2). */
static void canonical_codes(const uint8_t *len, unsigned n, code *out)
{
    unsigned nlen[MAX_BITS + 1] = {0}, next[MAX_BITS + 1];
    for (unsigned s = 0; s < n; s++)
        nlen[len[s]]++;
    nlen[0] = 0;
    unsigned c = 0;
    for (unsigned l = 1; l <= MAX_BITS; l++) {
        c = (c + nlen[l - 1]) << 1;
        next[l] = c;
    }
    for (unsigned s = 0; s < n; s++)
        out[s] =
            len[s] ? (code){reverse(next[len[s]]++, len[s]), len[s]} : (code){0, 0};
}

/* A dynamic block's codes and the header that describes them. */
typedef struct {
    code lit[NLIT], dist[NDIST], clen[NCLEN];
    unsigned nlit, ndist, nclen; /* HLIT + 257, HDIST + 1, HCLEN + 4 */
    uint8_t rle[NLIT + NDIST];   /* the lengths, run-length coded: symbols */
    uint8_t rle_extra[NLIT + NDIST];
    unsigned nrle;
    uint64_t bits;        /* the block's size: header and symbols, extra bits aside */
    uint64_t header_bits; /* of which the header */
} dynamic;

/* The order in which a header sends the code length code's lengths. */
static const uint8_t clen_order[NCLEN] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                          11, 4,  12, 3, 13, 2, 14, 1, 15};
/* The extra bits of each code length symbol: 16 repeats the previous
 * length 3-6 times, 17 and 18 give 3-10 and 11-138 zeros. */
static const uint8_t clen_extra[NCLEN] = {[16] = 2, [17] = 3, [18] = 7};

static void rle_push(dynamic *d, uint32_t *count, unsigned sym, unsigned extra)
{
    d->rle[d->nrle] = (uint8_t)sym;
    d->rle_extra[d->nrle++] = (uint8_t)extra;
    count[sym]++;
}

/* Huffman codes for the symbols counted in k, and their cost in bits. */
static void build_dynamic(const sink *k, dynamic *d)
{
    uint8_t lens[NLIT + NDIST], clen_len[NCLEN];
    code_lengths(k->lit, NLIT, MAX_BITS, lens);
    code_lengths(k->dist, NDIST, MAX_BITS, lens + NLIT);
    canonical_codes(lens, NLIT, d->lit);
    canonical_codes(lens + NLIT, NDIST, d->dist);
    d->nlit = NLIT;
    while (d->nlit > 257 && !lens[d->nlit - 1])
        d->nlit--;
    d->ndist = NDIST;
    while (d->ndist > 1 && !lens[NLIT + d->ndist - 1])
        d->ndist--;
    /* The lengths as one sequence, literal/length codes then distance
     * codes, run-length coded (clen_extra). */
    uint8_t seq[NLIT + NDIST];
    memcpy(seq, lens, d->nlit);
    memcpy(seq + d->nlit, lens + NLIT, d->ndist);
    unsigned nseq = d->nlit + d->ndist;
    uint32_t count[NCLEN] = {0};
    d->nrle = 0;
    for (unsigned i = 0; i < nseq;) {
        unsigned v = seq[i], run = 1;
        while (i + run < nseq && seq[i + run] == v)
            run++;
        i += run;
        if (v == 0) {
            for (; run >= 11; run -= run < 138 ? run : 138)
                rle_push(d, count, 18, (run < 138 ? run : 138) - 11);
            if (run >= 3) {
                rle_push(d, count, 17, run - 3);
                run = 0;
            }
        } else {
            rle_push(d, count, v, 0);
            for (run--; run >= 3; run -= run < 6 ? run : 6)
                rle_push(d, count, 16, (run < 6 ? run : 6) - 3);
        }
        for (; run > 0; run--)
            rle_push(d, count, v, 0);
    }
    code_lengths(count, NCLEN, MAX_CLEN_BITS, clen_len);
    canonical_codes(clen_len, NCLEN, d->clen);
    d->nclen = NCLEN;
    while (d->nclen > 4 && !clen_len[clen_order[d->nclen - 1]])
        d->nclen--;
    uint64_t bits = 3 + 5 + 5 + 4 + 3 * d->nclen;
    for (unsigned s = 0; s < NCLEN; s++)
        bits += (uint64_t)count[s] * (clen_len[s] + clen_extra[s]);
    d->header_bits = bits;
    for (unsigned s = 0; s < NLIT; s++)
        bits += (uint64_t)k->lit[s] * lens[s];
    for (unsigned s = 0; s < NDIST; s++)
        bits += (uint64_t)k->dist[s] * lens[NLIT + s];
    d->bits = bits;
}

/* The fixed codes' cost of the symbols counted in k, extra bits aside. */
static uint64_t fixed_bits(const sink *k)
{
    uint64_t bits = 3;
    for (unsigned s = 0; s < NLIT; s++)
        bits += (uint64_t)k->lit[s] * fixed_lit[s].n;
    for (unsigned s = 0; s < NDIST; s++)
        bits += (uint64_t)k->dist[s] * 5;
    return bits;
}

/* Codes the symbols kept in k (the end of block counted among them). */
static void put_symbols(bitwriter *w, const sink *k, const code *lit, const code *dist)
{
    for (size_t i = 0; i < k->nsym; i++) {
        unsigned s = k->sym[i];
        if (!(s & MATCH)) {
            put(w, lit[s].bits, lit[s].n);
            continue;
        }
        size_t len = ((s >> 3) & 0xff) + MIN_MATCH, d = (s & 7) + 1;
        code lc = lit[len_sym[len]], le = len_extra[len];
        put(w, lc.bits | le.bits << lc.n, lc.n + le.n);
        code dc = dist[dist_sym[d]], de = dist_extra[d];
        put(w, dc.bits | de.bits << dc.n, dc.n + de.n);
    }
    put(w, lit[256].bits, lit[256].n);
}

/* The bits of a stored block of len bytes, at most (its header padded to
 * a byte, LEN and NLEN, the bytes). */
static uint64_t stored_bits(size_t len)
{
    return 3 + 7 + 32 + 8 * (uint64_t)len;
}

/* src[0, len) as a stored block (RFC 1951 3.2.4), len < 2^16. */
static void put_stored(bitwriter *w, const unsigned char *src, size_t len, bool final)
{
    put(w, final, 3);
    put_align(w);
    uint32_t lens = (uint32_t)len | (uint32_t)(~len & 0xffff) << 16;
    for (int i = 0; i < 4; i++)
        *w->out++ = (unsigned char)(lens >> (8 * i));
    memcpy(w->out, src, len);
    w->out += len;
}

/* The block of src[0, len), whose symbols are in k, in the shortest of
 * the three forms: Huffman codes of its own, the fixed codes, stored. */
static void put_block(bitwriter *w, sink *k, const unsigned char *src, size_t len,
                      bool final)
{
    k->lit[256] = 1; /* the end of block */
    uint64_t fixed = fixed_bits(k);
    dynamic d;
    bool own = false;
    if (k->nsym >= MIN_DYNAMIC) {
        build_dynamic(k, &d);
        own = d.bits < fixed;
    }
    if (stored_bits(len) < (own ? d.bits : fixed)) {
        put_stored(w, src, len, final);
    } else if (own) {
        put(w, final | 2u << 1, 3);
        put(w, (d.nlit - 257) | (d.ndist - 1) << 5 | (d.nclen - 4) << 10, 14);
        for (unsigned i = 0; i < d.nclen; i++)
            put(w, d.clen[clen_order[i]].n, 3);
        for (unsigned i = 0; i < d.nrle; i++) {
            unsigned s = d.rle[i];
            put(w, d.clen[s].bits | (unsigned)d.rle_extra[i] << d.clen[s].n,
                d.clen[s].n + clen_extra[s]);
        }
        put_symbols(w, k, d.lit, d.dist);
    } else {
        put(w, final | 1u << 1, 3);
        put_symbols(w, k, fixed_lit, fixed_dist);
    }
}

/* Whether the first `len` bytes of a block, scanned into k, look like
 * bytes no code makes shorter than storing them, so that the rest of the
 * block is stored unscanned.  Random bytes (the low bytes of a trace's
 * times) have no match and nearly every byte value.  Bytes that change a
 * little at every sample (the middle bytes of its times) have nearly
 * every value too, but a few short matches where the byte stays put:
 * those are judged on what codes of their own would cost (the header
 * left out, it is shared by the whole block).  Codes that save less
 * than one bit in NOT_WORTH bytes are not worth scanning the rest for:
 * the scan costs ten times the copy. */
static bool looks_random(sink *k, size_t len)
{
    unsigned distinct = 0;
    for (unsigned v = 0; v < 256; v++)
        distinct += k->lit[v] != 0;
    if (distinct < RANDOM_DISTINCT)
        return false;
    if (k->nsym == len)
        return true;
    if (k->nsym < len - len / MOSTLY_LITERALS)
        return false;
    k->lit[256] = 1; /* the end of block, as put_block counts it */
    dynamic d;
    build_dynamic(k, &d);
    k->lit[256] = 0;
    return d.bits - d.header_bits >= 8 * (uint64_t)len - 8 * (uint64_t)len / NOT_WORTH;
}

size_t zfast_bound(size_t n)
{
    /* The header; at most 9 bits a byte (the fixed codes' longest; a
     * block is only coded otherwise when that is shorter, or stored);
     * per block (of MIN_BLOCK bytes at least, the last aside) at most 49
     * bits: 3 block bits and 7 end of block bits, or a stored block's
     * header, padding, LEN and NLEN; the last padding; the Adler-32. */
    return 2 + (9 * n + 7) / 8 + 7 * (n / MIN_BLOCK + 1) + 4;
}

size_t zfast_compress(unsigned char *dst, const unsigned char *src, size_t n,
                      size_t block)
{
    pthread_once(&tables_once, tables_init);
    bitwriter w = {.out = dst};
    *w.out++ = 0x78; /* deflate, 32 KiB window */
    *w.out++ = 0x01; /* no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0 */
    size_t last = 1;
    uint32_t sum;
    if (block == 0) {
        sink k = {.w = &w, .adler = 1};
        put(&w, 1 | 1 << 1, 3); /* the final block, fixed codes */
        scan(src, 0, n, &last, &k, true);
        put(&w, fixed_lit[256].bits, fixed_lit[256].n);
        sum = adler32_add(k.adler, src + k.summed, n - k.summed);
    } else {
        if (block > MAX_BLOCK)
            block = MAX_BLOCK;
        if (block < MIN_BLOCK)
            block = MIN_BLOCK;
        uint16_t sym[MAX_BLOCK];
        size_t i = 0;
        do {
            size_t end = n - i > block ? i + block : n;
            size_t probe = end - i > PROBE ? i + PROBE : end;
            sink k = {.sym = sym};
            scan(src, i, probe, &last, &k, false);
            if (probe < end && looks_random(&k, probe - i)) {
                put_stored(&w, src + i, end - i, end == n);
            } else {
                scan(src, probe, end, &last, &k, false);
                put_block(&w, &k, src + i, end - i, end == n);
            }
            i = end;
        } while (i < n);
        sum = adler32_add(1, src, n);
    }
    put_align(&w);
    for (int i = 3; i >= 0; i--)
        *w.out++ = (unsigned char)(sum >> (8 * i));
    return (size_t)(w.out - dst);
}
