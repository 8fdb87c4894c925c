/*
 * heap.h — the event queue: a 4-ary min-heap of timed entries.
 *
 * Entries are ordered by (time, seq); seq grows with every push, so
 * entries of equal time leave in the order they were pushed (stable).
 *
 * Layout, chosen for the sift-down that dominates at 10^5-10^6 entries:
 * the times live in their own array, apart from (seq, obj), and that array
 * is placed so that the four children of a node (4i+1 .. 4i+4) share one
 * 32-byte block of a cache line.  Choosing the least child then reads one
 * cache line instead of the 96 bytes of four whole entries; seq is read
 * only to break ties.
 *
 * Removal is lazy: the owner of an entry remembers which seq is live and
 * skips stale entries when they reach the top; heap_compact() drops them
 * all when they pile up.
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

typedef struct heap_item {
    uint64_t seq;
    void *obj;
} heap_item;

typedef struct heap {
    int64_t *t;      /* t[i]: time of entry i (points into `mem`) */
    heap_item *item; /* item[i]: the rest of entry i */
    void *mem;       /* allocation behind t */
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

/* The minimum without removing it; false if empty. */
static inline bool heap_peek(const heap *h, heap_entry *out)
{
    if (!h->n)
        return false;
    out->t = h->t[0];
    out->seq = h->item[0].seq;
    out->obj = h->item[0].obj;
    return true;
}

static inline size_t heap_size(const heap *h)
{
    return h->n;
}

#endif
