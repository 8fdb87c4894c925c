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

/* The AVX2 version runs one block per 64-bit lane, four blocks to a
 * register (blocks 0-3 in a*, 4-7 in b*): lane b of x[j] holds word j of
 * block b in its low half.  A Philox round multiplies x0 and x2 by
 * constants into 64-bit products, and _mm256_mul_epu32 makes exactly
 * those from the low halves of the lanes: the product's low half is the
 * round's lo word and its high half, shifted down, the hi word.  The high
 * halves of the lanes are left as they come (the multiplies never read
 * them) and cleared only on output, so a round is two multiplies, two
 * shifts and four XORs per register. */

/* One Philox round of four blocks, in place. */
__attribute__((target("avx2"))) static inline void
philox_round4(__m256i x[4], __m256i k0, __m256i k1, __m256i m0, __m256i m1)
{
    __m256i p0 = _mm256_mul_epu32(x[0], m0); /* hi0:lo0 */
    __m256i p1 = _mm256_mul_epu32(x[2], m1); /* hi1:lo1 */
    x[0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x[1]), k0);
    x[2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x[3]), k1);
    x[1] = p1; /* lo1 in the low half */
    x[3] = p0; /* lo0 */
}

/* The four blocks of x as 16 words in block order, into out. */
__attribute__((target("avx2"))) static inline void philox_store4(const __m256i x[4],
                                                                 uint32_t *out)
{
    /* Lane b of w01 is block b's words 0 and 1 as they lie in memory (word
     * 0 in the low half), likewise w23; then per block, w01 before w23. */
    __m256i w01 = _mm256_blend_epi32(x[0], _mm256_slli_epi64(x[1], 32), 0xaa);
    __m256i w23 = _mm256_blend_epi32(x[2], _mm256_slli_epi64(x[3], 32), 0xaa);
    __m256i b02 = _mm256_unpacklo_epi64(w01, w23); /* blocks 0 | 2 */
    __m256i b13 = _mm256_unpackhi_epi64(w01, w23); /* blocks 1 | 3 */
    _mm256_storeu_si256((__m256i *)out + 0, _mm256_permute2x128_si256(b02, b13, 0x20));
    _mm256_storeu_si256((__m256i *)out + 1, _mm256_permute2x128_si256(b02, b13, 0x31));
}

/* Eight consecutive blocks (AVX2). */
__attribute__((target("avx2"))) static void
philox_avx2(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out)
{
    /* ctr[1]:ctr[0] + b as one 64-bit add is counter_plus: the low half
     * is word 0, the carry lands in word 1. */
    __m256i c = _mm256_set1_epi64x((long long)((uint64_t)ctr[1] << 32 | ctr[0]));
    __m256i a[4], b[4];
    a[0] = _mm256_add_epi64(c, _mm256_set_epi64x(3, 2, 1, 0));
    b[0] = _mm256_add_epi64(c, _mm256_set_epi64x(7, 6, 5, 4));
    a[1] = _mm256_srli_epi64(a[0], 32);
    b[1] = _mm256_srli_epi64(b[0], 32);
    a[2] = b[2] = _mm256_set1_epi64x(ctr[2]);
    a[3] = b[3] = _mm256_set1_epi64x(ctr[3]);
    __m256i k0 = _mm256_set1_epi64x(key[0]), k1 = _mm256_set1_epi64x(key[1]);
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M4x32_0),
                  m1 = _mm256_set1_epi64x(PHILOX_M4x32_1);
    /* The keys step in the low halves; the high halves stay 0. */
    const __m256i w0 = _mm256_set1_epi64x(PHILOX_W32_0),
                  w1 = _mm256_set1_epi64x(PHILOX_W32_1);
    for (int round = 0; round < 10; round++) {
        philox_round4(a, k0, k1, m0, m1);
        philox_round4(b, k0, k1, m0, m1);
        k0 = _mm256_add_epi32(k0, w0);
        k1 = _mm256_add_epi32(k1, w1);
    }
    philox_store4(a, out);
    philox_store4(b, out + 16);
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
