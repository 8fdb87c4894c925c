/*
 * rng.h — the generator's hot path, inlined into the distributions.
 *
 * A usim_rng walks its Philox counter USIM_RNG_BLOCKS blocks (of four
 * 32-bit words) at a time; the words are handed out in order buf[0],
 * buf[1], ..., so a stream is the concatenation of its Philox output
 * blocks.  `avail` counts the words not handed out yet: they are the last
 * `avail` words of buf.
 */
#ifndef USIM_OBSERVE_RNG_H
#define USIM_OBSERVE_RNG_H

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "usim.h"

/* Generates the USIM_RNG_BLOCKS blocks from the current counter on, then
 * steps the 64-bit draw index held in ctr[0] (low) and ctr[1] (high)
 * past them. */
void rng_refill(usim_rng *r);

enum { RNG_WORDS = 4 * USIM_RNG_BLOCKS };

/* How rng_refill computes its blocks: the widest the CPU has, unless a
 * test forces a level with rng_simd_force() (not thread-safe; RNG_SIMD_AUTO
 * restores the default).  Every level gives the same numbers. */
enum { RNG_SIMD_AUTO = -1, RNG_SIMD_NONE = 0, RNG_SIMD_AVX2 = 1 };
void rng_simd_force(int level);
int rng_simd_level(void);

static inline uint32_t rng_next32(usim_rng *r)
{
    assert(r->avail <= RNG_WORDS);
    if (r->avail == 0)
        rng_refill(r);
    return r->buf[RNG_WORDS - r->avail--];
}

/* The first word drawn is the high half. */
static inline uint64_t rng_next64(usim_rng *r)
{
    assert(r->avail <= RNG_WORDS);
    if (__builtin_expect(r->avail >= 2, 1)) {
        unsigned i = RNG_WORDS - r->avail;
        r->avail -= 2;
        /* buf[i] << 32 | buf[i + 1], read as one 64-bit word: on a
         * little-endian machine that word has buf[i] in its low half, so
         * the halves swap (one rotate). */
        uint64_t w;
        memcpy(&w, &r->buf[i], sizeof w);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w = w << 32 | w >> 32;
#endif
        return w;
    }
    uint64_t hi = rng_next32(r);
    return hi << 32 | rng_next32(r);
}

/* Uniform on (0, 1), never 0 or 1: 52 random bits centred in their cell,
 * (k + 1/2) 2^-52.  Not 53 bits: (2^53 - 1/2) 2^-53 is not a double and
 * rounds to 1.0.  Symmetric (1 - u has the same law), branch-free (the
 * signed conversion is one instruction; the value fits in 52 bits). */
static inline double rng_u01(usim_rng *r)
{
    return ((double)(int64_t)(rng_next64(r) >> 12) + 0.5) * 0x1p-52;
}

/* Uniform on {0, ..., n-1}, n >= 1, without bias (Lemire's multiply and
 * reject: the rejected zone has fewer than n of the 2^64 outcomes). */
static inline uint64_t rng_below(usim_rng *r, uint64_t n)
{
    assert(n >= 1);
    unsigned __int128 m = (unsigned __int128)rng_next64(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n; /* 2^64 mod n */
        while (low < threshold) {
            m = (unsigned __int128)rng_next64(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

#endif
