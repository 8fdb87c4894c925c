/*
 * zfast.h — a fast zlib-format compressor for the shuffled chunks of the
 * output file's tables.
 *
 * HDF5's deflate filter stores a zlib stream (RFC 1950 around RFC 1951)
 * and inflates whatever valid stream it finds: how the stream was made is
 * the writer's choice.  zlib's deflate costs about 25 instructions per
 * byte even on a run of zeros (its match search compares byte by byte and
 * hashes every literal), and the tables' chunks, once shuffled, are mostly
 * such runs: byte planes that are constant over a chunk (the high bytes of
 * run numbers, zero histogram bins, NUL padding of names) or repeat with a
 * short period (the names of /scalars, one per scalar of each run).
 *
 * zfast_compress looks for matches only at distances 1 to ZFAST_MAX_DIST,
 * eight bytes at a time, and codes them with deflate's fixed Huffman codes
 * in one block; the Adler-32 of a run of one byte is added in closed form.
 * About 2 instructions per byte on such data, against zlib's 25, for a
 * stream 1.3 to 1.6 times the size of zlib's level 1 (the chunks shrink
 * 10 to 15 times either way).  Data without such repeats (the traces'
 * times and values) is left to zlib.
 */
#ifndef USIM_BATCH_ZFAST_H
#define USIM_BATCH_ZFAST_H

#include <stddef.h>

/* The farthest back a match looks (bytes). */
#define ZFAST_MAX_DIST 8

/* The largest stream zfast_compress makes of n bytes. */
size_t zfast_bound(size_t n);

/* Compresses src[0, n) into dst, which has room for zfast_bound(n) bytes,
 * as one zlib stream; returns its length. */
size_t zfast_compress(unsigned char *dst, const unsigned char *src, size_t n);

#endif
