/*
 * zfast.h — a fast zlib-format compressor for the shuffled chunks of the
 * output file.
 *
 * HDF5's deflate filter stores a zlib stream (RFC 1950 around RFC 1951)
 * and inflates whatever valid stream it finds: how the stream was made is
 * the writer's choice.  zlib's deflate costs about 25 instructions per
 * byte even on a run of zeros (its match search compares byte by byte and
 * hashes every literal), and 70 on a trace.  A shuffled chunk is made of
 * byte planes: constant over the chunk (the high bytes of run numbers,
 * zero histogram bins, NUL padding of names), repeating with a short
 * period (the names of /scalars), drawn from a few values (the high bytes
 * of a trace's values) or random (the low bytes of its times).
 *
 * zfast_compress looks for matches only at distances 1 to ZFAST_MAX_DIST,
 * eight bytes at a time.  The tables' chunks go into one block of
 * deflate's fixed Huffman codes, coded as they are found: about 2
 * instructions per byte, a stream 1.3 to 1.6 times the size of zlib's
 * level 1.  The traces' chunks go plane by plane into blocks with
 * Huffman codes of their own, or stored when a plane looks random: about
 * 8 instructions per byte, 7 % larger than zlib's level 4.
 */
#ifndef USIM_BATCH_ZFAST_H
#define USIM_BATCH_ZFAST_H

#include <stddef.h>

/* The farthest back a match looks (bytes). */
#define ZFAST_MAX_DIST 8

/* The largest stream zfast_compress makes of n bytes. */
size_t zfast_bound(size_t n);

/* Compresses src[0, n) into dst, which has room for zfast_bound(n) bytes,
 * as one zlib stream; returns its length.  block = 0: one block with the
 * fixed Huffman codes, each symbol coded as it is found (the tables).
 * Otherwise blocks of `block` bytes (a shuffled chunk's byte planes: its
 * rows), each with the codes that make it shortest, Huffman codes of its
 * own or the fixed ones (the traces). */
size_t zfast_compress(unsigned char *dst, const unsigned char *src, size_t n,
                      size_t block);

#endif
