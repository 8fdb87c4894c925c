/*
 * heap.c — the event heap's cold parts: growth, compaction, checks.
 * Push and pop are inline in heap.h.
 */
#include "kernel/heap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The time array starts 3 slots into a 64-byte aligned block, so that
 * t[4i+1] (first child of i) sits at a multiple of 32 bytes. */
enum { T_OFFSET = 3 };

void heap_init(heap *h)
{
    memset(h, 0, sizeof *h);
    h->next_seq = 1;
}

void heap_destroy(heap *h)
{
    free(h->mem);
    free(h->item);
    heap_init(h);
}

void heap_empty(heap *h)
{
    h->n = 0;
    h->next_seq = 1;
    heap_check(h);
}

int heap_grow(heap *h)
{
    size_t cap = h->cap ? 2 * h->cap : 256;
    void *mem =
        aligned_alloc(64, ((cap + T_OFFSET) * sizeof(int64_t) + 63) & ~(size_t)63);
    heap_item *item = realloc(h->item, cap * sizeof *item);
    if (!mem || !item) {
        free(mem);
        if (item)
            h->item = item;
        return -1;
    }
    int64_t *t = (int64_t *)mem + T_OFFSET;
    if (h->n)
        memcpy(t, h->t, h->n * sizeof *t);
    free(h->mem);
    h->mem = mem;
    h->t = t;
    h->item = item;
    h->cap = cap;
    heap_check(h);
    return 0;
}

void heap_compact(heap *h, bool (*keep)(const heap_entry *, void *), void *ctx)
{
    size_t w = 0;
    for (size_t r = 0; r < h->n; r++) {
        heap_entry e = {h->t[r], h->item[r].seq, h->item[r].obj};
        if (keep(&e, ctx)) {
            h->t[w] = h->t[r];
            h->item[w] = h->item[r];
            w++;
        }
    }
    h->n = w;
    /* Floyd's heapify: sift down every inner node, last first. */
    for (size_t i = h->n / 4 + 1; i-- > 0;)
        if (i < h->n)
            heap_sift_down_(h, i, h->t[i], h->item[i]);
    assert(heap_valid(h)); /* O(n) like the compaction itself */
}

bool heap_valid(const heap *h)
{
    for (size_t i = 1; i < h->n; i++)
        if (heap_child_before_(h, i, (i - 1) >> 2) || h->item[i].seq >= h->next_seq)
            return false;
    return h->n == 0 || h->item[0].seq < h->next_seq;
}

/* Entry i is not before its parent, and no child of i is before it. */
static bool heap_valid_at(const heap *h, size_t i)
{
    if (i >= h->n)
        return true;
    if (h->item[i].seq == 0 || h->item[i].seq >= h->next_seq)
        return false;
    if (i > 0 && heap_child_before_(h, i, (i - 1) >> 2))
        return false;
    for (size_t c = 4 * i + 1; c < 4 * i + 5 && c < h->n; c++)
        if (heap_child_before_(h, c, i))
            return false;
    return true;
}

bool heap_valid_sampled(const heap *h)
{
    if (h->n > h->cap || h->next_seq == 0)
        return false;
    if (h->n <= HEAP_CHECK_FULL || h->n % HEAP_CHECK_EVERY == 0 ||
        h->next_seq % HEAP_CHECK_EVERY == 0)
        return heap_valid(h);
    size_t last = h->n - 1;
    return heap_valid_at(h, 0) && heap_valid_at(h, last) &&
           heap_valid_at(h, (last - 1) >> 2);
}
