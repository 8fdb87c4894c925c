/*
 * rng.c — reproducible random streams: Philox4x32-10 from Random123.
 *
 * Philox is counter-based: block = philox(counter, key).  usim puts the
 * run's identity in the key and the stream's position in the counter
 * (layout in usim.h), so a stream's numbers are a pure function of
 * (seed, run, stream, draw index): no state is shared between streams,
 * runs or threads, and adding draws to one stream cannot move another.
 */
#include <string.h>

#include <Random123/philox.h>

#include "kernel/fnv1a.h"
#include "observe/rng.h"

void usim_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t o = philox4x32_R(10, c, k);
    memcpy(out, o.v, sizeof o.v);
}

/* The counter of the block b places after ctr: the 64-bit draw index in
 * ctr[0] (low) and ctr[1] (high) steps, the rest stays. */
static void counter_plus(const uint32_t ctr[4], uint32_t b, uint32_t out[4])
{
    out[0] = ctr[0] + b;
    out[1] = ctr[1] + (out[0] < ctr[0]);
    out[2] = ctr[2];
    out[3] = ctr[3];
}

/* Portable: the reference function once per block. */
static void philox_scalar(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out,
                          unsigned nblocks)
{
    for (unsigned b = 0; b < nblocks; b++) {
        uint32_t c[4];
        counter_plus(ctr, b, c);
        usim_philox4x32_10(c, key, out + 4 * b);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

/* The AVX2 version runs one block per 32-bit lane: lane b of x[j] is word
 * j of block b.  A Philox round multiplies x0 and x2 by constants into
 * 64-bit products; _mm256_mul_epu32 multiplies the even lanes, so the odd
 * lanes are shifted down and multiplied separately, and the two results
 * are shuffled back into hi and lo words per lane. */

/* hi:lo = a * m for eight 32-bit lanes (m in the even lanes). */
__attribute__((target("avx2"))) static inline void mulhilo8(__m256i a, __m256i m,
                                                            __m256i *hi, __m256i *lo)
{
    __m256i p02 = _mm256_mul_epu32(a, m);                        /* even lanes */
    __m256i p13 = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m); /* odd lanes */
    /* In each half: [lo0 hi0 lo2 hi2] -> [lo0 lo2 hi0 hi2], likewise p13. */
    __m256i e = _mm256_shuffle_epi32(p02, _MM_SHUFFLE(3, 1, 2, 0));
    __m256i o = _mm256_shuffle_epi32(p13, _MM_SHUFFLE(3, 1, 2, 0));
    *lo = _mm256_unpacklo_epi32(e, o);
    *hi = _mm256_unpackhi_epi32(e, o);
}

/* Eight consecutive blocks (AVX2): blocks 0-3 in the low halves, 4-7 in
 * the high halves. */
__attribute__((target("avx2"))) static void
philox_avx2(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out)
{
    uint32_t c[8][4];
    for (uint32_t b = 0; b < 8; b++)
        counter_plus(ctr, b, c[b]);
    __m256i x0 =
        _mm256_set_epi32((int)c[7][0], (int)c[6][0], (int)c[5][0], (int)c[4][0],
                         (int)c[3][0], (int)c[2][0], (int)c[1][0], (int)c[0][0]);
    __m256i x1 =
        _mm256_set_epi32((int)c[7][1], (int)c[6][1], (int)c[5][1], (int)c[4][1],
                         (int)c[3][1], (int)c[2][1], (int)c[1][1], (int)c[0][1]);
    __m256i x2 = _mm256_set1_epi32((int)ctr[2]);
    __m256i x3 = _mm256_set1_epi32((int)ctr[3]);
    __m256i k0 = _mm256_set1_epi32((int)key[0]), k1 = _mm256_set1_epi32((int)key[1]);
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M4x32_0),
                  m1 = _mm256_set1_epi32((int)PHILOX_M4x32_1);
    const __m256i w0 = _mm256_set1_epi32((int)PHILOX_W32_0),
                  w1 = _mm256_set1_epi32((int)PHILOX_W32_1);
    for (int round = 0; round < 10; round++) {
        __m256i hi0, lo0, hi1, lo1;
        mulhilo8(x0, m0, &hi0, &lo0);
        mulhilo8(x2, m1, &hi1, &lo1);
        x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, x1), k0);
        x1 = lo1;
        x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, x3), k1);
        x3 = lo0;
        k0 = _mm256_add_epi32(k0, w0);
        k1 = _mm256_add_epi32(k1, w1);
    }
    /* Transpose in each half: r0 = [block 0 | block 4], r1 = [1 | 5], ... */
    __m256i t0 = _mm256_unpacklo_epi32(x0, x1), t1 = _mm256_unpacklo_epi32(x2, x3);
    __m256i t2 = _mm256_unpackhi_epi32(x0, x1), t3 = _mm256_unpackhi_epi32(x2, x3);
    __m256i r0 = _mm256_unpacklo_epi64(t0, t1), r1 = _mm256_unpackhi_epi64(t0, t1);
    __m256i r2 = _mm256_unpacklo_epi64(t2, t3), r3 = _mm256_unpackhi_epi64(t2, t3);
    _mm256_storeu_si256((__m256i *)out + 0, _mm256_permute2x128_si256(r0, r1, 0x20));
    _mm256_storeu_si256((__m256i *)out + 1, _mm256_permute2x128_si256(r2, r3, 0x20));
    _mm256_storeu_si256((__m256i *)out + 2, _mm256_permute2x128_si256(r0, r1, 0x31));
    _mm256_storeu_si256((__m256i *)out + 3, _mm256_permute2x128_si256(r2, r3, 0x31));
}
#endif

/* RNG_SIMD_AUTO, or the level rng_simd_force() asked for. */
static int simd_forced = RNG_SIMD_AUTO;

void rng_simd_force(int level)
{
    simd_forced = level;
}

int rng_simd_level(void)
{
#if defined(__x86_64__)
    if (simd_forced != RNG_SIMD_AUTO)
        return simd_forced;
    return __builtin_cpu_supports("avx2") ? RNG_SIMD_AVX2 : RNG_SIMD_NONE;
#else
    return RNG_SIMD_NONE;
#endif
}

/* USIM_RNG_BLOCKS consecutive blocks from ctr on, into out. */
static void philox_blocks(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out)
{
    _Static_assert(USIM_RNG_BLOCKS == 8, "the SIMD passes make eight blocks");
#if defined(__x86_64__)
    int level = rng_simd_level();
    if (level == RNG_SIMD_AVX2) {
        philox_avx2(ctr, key, out);
        return;
    }
#endif
    philox_scalar(ctr, key, out, USIM_RNG_BLOCKS);
}

void rng_refill(usim_rng *r)
{
    philox_blocks(r->ctr, r->key, r->buf);
    r->avail = RNG_WORDS;
    uint32_t lo = r->ctr[0];
    r->ctr[0] = lo + USIM_RNG_BLOCKS;
    r->ctr[1] += r->ctr[0] < lo;
}

void usim_rng_init(usim_rng *r, uint64_t seed, uint64_t run, uint32_t stream)
{
    /* usim_config_check keeps run below 2^32; the key has 32 bits for it. */
    assert(run <= UINT32_MAX);
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)run;
    r->ctr[0] = 0;
    r->ctr[1] = 0;
    r->ctr[2] = stream;
    r->ctr[3] = (uint32_t)(seed >> 32);
    memset(r->buf, 0, sizeof r->buf);
    r->avail = 0;
}

uint32_t usim_stream_id(const char *name)
{
    return fnv1a32_str(name);
}

void usim_sim_rng_stream(const usim_sim *sim, usim_rng *r, const char *name)
{
    const usim_config *cfg = usim_sim_config(sim);
    usim_rng_init(r, cfg->seed, cfg->run, usim_stream_id(name));
}

void usim_rng_stream(usim_rng *r, const char *name)
{
    usim_sim *sim = usim_current();
    if (sim == NULL) {
        /* Still a valid, reproducible stream, but most likely a mistake. */
        usim_error(USIM_ESTATE,
                   "usim_rng_stream('%s'): no running simulation; "
                   "seed 0 and run 0 are used",
                   name);
        usim_rng_init(r, 0, 0, usim_stream_id(name));
        return;
    }
    usim_sim_rng_stream(sim, r, name);
}

uint32_t usim_rng_u32(usim_rng *r)
{
    return rng_next32(r);
}

uint64_t usim_rng_u64(usim_rng *r)
{
    return rng_next64(r);
}

double usim_rng_u01(usim_rng *r)
{
    return rng_u01(r);
}
