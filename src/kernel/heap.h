/*
 * heap.h — the event queue: a 4-ary min-heap of timed entries.
 *
 * Entries are ordered by (time, seq); seq grows with every push, so
 * entries of equal time leave in the order they were pushed (stable).
 * A 4-ary heap halves the depth of a binary one and keeps the four
 * children of a node in 96 contiguous bytes; sift-down compares them with
 * few cache misses, which is what dominates at 10^5-10^6 entries.
 *
 * Removal is lazy: the owner of an entry invalidates it (by remembering
 * which seq is live) and skips stale entries when they reach the top;
 * heap_compact() drops them all when they pile up.
 */
#ifndef USIM_KERNEL_HEAP_H
#define USIM_KERNEL_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct heap_entry {
    int64_t t;
    uint64_t seq;
    void *obj;
} heap_entry;

typedef struct heap {
    heap_entry *v;
    size_t n, cap;
    uint64_t next_seq; /* starts at 1: seq 0 means "no entry" to owners */
} heap;

void heap_init(heap *h);
void heap_destroy(heap *h);
/* Pushes (t, obj); returns the entry's seq, or 0 if memory ran out. */
uint64_t heap_push(heap *h, int64_t t, void *obj);
/* Removes the minimum into *out; false if empty. */
bool heap_pop(heap *h, heap_entry *out);
/* Removes every entry for which keep(entry, ctx) is false, O(n). */
void heap_compact(heap *h, bool (*keep)(const heap_entry *, void *), void *ctx);
/* Checks the heap order (debug builds). */
bool heap_valid(const heap *h);

static inline const heap_entry *heap_top(const heap *h)
{
    return h->n ? &h->v[0] : NULL;
}

static inline size_t heap_size(const heap *h)
{
    return h->n;
}

#endif
