/*
 * heap.c — 4-ary min-heap on (t, seq).  Children of i are 4i+1 .. 4i+4.
 * Sifts move a hole instead of swapping, one store per level.
 */
#include "kernel/heap.h"

#include <assert.h>
#include <stdlib.h>

static inline bool before(const heap_entry *a, const heap_entry *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void heap_init(heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
    h->next_seq = 1;
}

void heap_destroy(heap *h)
{
    free(h->v);
    heap_init(h);
}

static void sift_up(heap *h, size_t i, heap_entry e)
{
    heap_entry *v = h->v;
    while (i > 0) {
        size_t p = (i - 1) >> 2;
        if (!before(&e, &v[p]))
            break;
        v[i] = v[p];
        i = p;
    }
    v[i] = e;
}

static void sift_down(heap *h, size_t i, heap_entry e)
{
    heap_entry *v = h->v;
    size_t n = h->n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = c;
        size_t end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (before(&v[k], &v[m]))
                m = k;
        if (!before(&v[m], &e))
            break;
        v[i] = v[m];
        i = m;
    }
    v[i] = e;
}

uint64_t heap_push(heap *h, int64_t t, void *obj)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        heap_entry *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return 0;
        h->v = v;
        h->cap = cap;
    }
    heap_entry e = {t, h->next_seq++, obj};
    sift_up(h, h->n++, e);
    return e.seq;
}

bool heap_pop(heap *h, heap_entry *out)
{
    if (h->n == 0)
        return false;
    *out = h->v[0];
    heap_entry last = h->v[--h->n];
    if (h->n)
        sift_down(h, 0, last);
    return true;
}

void heap_compact(heap *h, bool (*keep)(const heap_entry *, void *), void *ctx)
{
    size_t w = 0;
    for (size_t r = 0; r < h->n; r++)
        if (keep(&h->v[r], ctx))
            h->v[w++] = h->v[r];
    h->n = w;
    /* Floyd's heapify: sift down every inner node, last first. */
    for (size_t i = h->n / 4 + 1; i-- > 0;)
        if (i < h->n)
            sift_down(h, i, h->v[i]);
    assert(heap_valid(h));
}

bool heap_valid(const heap *h)
{
    for (size_t i = 1; i < h->n; i++)
        if (before(&h->v[i], &h->v[(i - 1) >> 2]))
            return false;
    return true;
}
