/*
 * fnv1a.h — the FNV-1a hash (Fowler, Noll, Vo), 32 and 64 bits, for the
 * whole tree: the 32-bit one names random streams (usim_stream_id, whose
 * values are part of every run's reproducibility) and indexes the drift
 * groups; the 64-bit one suits checksums and identities.  Not a
 * cryptographic hash.
 *
 * The byte forms chain: start from FNV1A32_BASIS / FNV1A64_BASIS and pass
 * each result on as `h` to hash several pieces as one.
 */
#ifndef USIM_KERNEL_FNV1A_H
#define USIM_KERNEL_FNV1A_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_BASIS UINT32_C(2166136261)
#define FNV1A32_PRIME UINT32_C(16777619)
#define FNV1A64_BASIS UINT64_C(0xcbf29ce484222325)
#define FNV1A64_PRIME UINT64_C(0x100000001b3)

static inline uint32_t fnv1a32(uint32_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV1A32_PRIME;
    return h;
}

/* The hash of a NUL-terminated string (without the NUL). */
static inline uint32_t fnv1a32_str(const char *s)
{
    uint32_t h = FNV1A32_BASIS;
    for (const unsigned char *b = (const unsigned char *)s; *b; b++)
        h = (h ^ *b) * FNV1A32_PRIME;
    return h;
}

static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV1A64_PRIME;
    return h;
}

static inline uint64_t fnv1a64_str(const char *s)
{
    uint64_t h = FNV1A64_BASIS;
    for (const unsigned char *b = (const unsigned char *)s; *b; b++)
        h = (h ^ *b) * FNV1A64_PRIME;
    return h;
}

#endif
