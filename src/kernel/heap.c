/*
 * heap.c — 4-ary min-heap on (t, seq).  Children of i are 4i+1 .. 4i+4.
 * Sifts move a hole instead of swapping: one store per level.
 */
#include "kernel/heap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The time array starts 3 slots into a 64-byte aligned block, so that
 * t[4i+1] (first child of i) sits at a multiple of 32 bytes. */
enum { T_OFFSET = 3 };

static inline bool before(const heap *h, int64_t ta, uint64_t sa, size_t b)
{
    return ta < h->t[b] || (ta == h->t[b] && sa < h->item[b].seq);
}

static inline bool child_before(const heap *h, size_t a, size_t b)
{
    return h->t[a] < h->t[b] || (h->t[a] == h->t[b] && h->item[a].seq < h->item[b].seq);
}

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

static int grow(heap *h)
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
    return 0;
}

static void sift_up(heap *h, size_t i, int64_t t, heap_item it)
{
    while (i > 0) {
        size_t p = (i - 1) >> 2;
        if (!before(h, t, it.seq, p))
            break;
        h->t[i] = h->t[p];
        h->item[i] = h->item[p];
        i = p;
    }
    h->t[i] = t;
    h->item[i] = it;
}

static void sift_down(heap *h, size_t i, int64_t t, heap_item it)
{
    size_t n = h->n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = c;
        if (c + 4 <= n) {
            /* the common case: four children, one cache line of times */
            size_t m1 = child_before(h, c + 1, c) ? c + 1 : c;
            size_t m2 = child_before(h, c + 3, c + 2) ? c + 3 : c + 2;
            m = child_before(h, m2, m1) ? m2 : m1;
        } else {
            for (size_t k = c + 1; k < n; k++)
                if (child_before(h, k, m))
                    m = k;
        }
        if (!(h->t[m] < t || (h->t[m] == t && h->item[m].seq < it.seq)))
            break;
        h->t[i] = h->t[m];
        h->item[i] = h->item[m];
        i = m;
    }
    h->t[i] = t;
    h->item[i] = it;
}

uint64_t heap_push(heap *h, int64_t t, void *obj)
{
    if (h->n == h->cap && grow(h) != 0)
        return 0;
    heap_item it = {h->next_seq++, obj};
    sift_up(h, h->n++, t, it);
    return it.seq;
}

bool heap_pop(heap *h, heap_entry *out)
{
    if (h->n == 0)
        return false;
    out->t = h->t[0];
    out->seq = h->item[0].seq;
    out->obj = h->item[0].obj;
    size_t last = --h->n;
    if (last)
        sift_down(h, 0, h->t[last], h->item[last]);
    return true;
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
            sift_down(h, i, h->t[i], h->item[i]);
    assert(heap_valid(h));
}

bool heap_valid(const heap *h)
{
    for (size_t i = 1; i < h->n; i++)
        if (child_before(h, i, (i - 1) >> 2))
            return false;
    return true;
}
