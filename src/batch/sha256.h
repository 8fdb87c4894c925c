/*
 * sha256.h — SHA-256 (FIPS 180-4), for the provenance of output files: the
 * hash of the experiment's configuration text and of a model plugin's
 * shared object.  Not on any hot path; written for clarity.
 */
#ifndef USIM_BATCH_SHA256_H
#define USIM_BATCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Length of a digest in lowercase hex, with its NUL. */
#define SHA256_HEX_LEN 65

typedef struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    unsigned char block[64];
    size_t fill; /* bytes in block */
} sha256;

void sha256_init(sha256 *c);
void sha256_update(sha256 *c, const void *p, size_t n);
/* Ends the hash: 32 bytes into digest. */
void sha256_final(sha256 *c, unsigned char digest[32]);

/* The digest of p[0..n) as lowercase hex. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN]);
/* The digest of a file's contents as lowercase hex; 0 or -errno. */
int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN]);

#endif
