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
 *
 * Invariants, checked in debug builds after every change (heap_check):
 * n <= cap; every seq is below next_seq; no entry is before its parent.
 * The order check is O(n), so it covers the whole heap only while
 * n <= HEAP_CHECK_FULL, and otherwise the root, the last entry and their
 * neighbours, with a whole-heap pass whenever n or next_seq is a multiple
 * of HEAP_CHECK_EVERY.
 */
#ifndef USIM_KERNEL_HEAP_H
#define USIM_KERNEL_HEAP_H

#include <assert.h>
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
/* As heap_init, but the arrays are kept for the entries to come. */
void heap_empty(heap *h);
/* Doubles the capacity; 0 or -1 if memory ran out. */
int heap_grow(heap *h);
/* Removes every entry for which keep(entry, ctx) is false, O(n). */
void heap_compact(heap *h, bool (*keep)(const heap_entry *, void *), void *ctx);
/* The heap order, every entry (O(n)). */
bool heap_valid(const heap *h);
/* The invariants above, within the stated budget. */
bool heap_valid_sampled(const heap *h);

enum { HEAP_CHECK_FULL = 256, HEAP_CHECK_EVERY = 4096 };

static inline void heap_check(const heap *h)
{
    assert(heap_valid_sampled(h));
    (void)h;
}

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

/* Entry i in storage order (i < heap_size), for walks over every entry
 * such as consistency checks; the order among them is the heap's own. */
static inline heap_entry heap_at(const heap *h, size_t i)
{
    assert(i < h->n);
    heap_entry e = {h->t[i], h->item[i].seq, h->item[i].obj};
    return e;
}

/* The minimum's fields; the heap must not be empty. */
static inline int64_t heap_top_time(const heap *h)
{
    assert(h->n);
    return h->t[0];
}

static inline uint64_t heap_top_seq(const heap *h)
{
    assert(h->n);
    return h->item[0].seq;
}

static inline void *heap_top_obj(const heap *h)
{
    assert(h->n);
    return h->item[0].obj;
}

/* Push and pop are inline: they are the kernel's hottest path.  Sifts
 * move a hole instead of swapping: one store per level. */
static inline bool heap_before_(const heap *h, int64_t ta, uint64_t sa, size_t b)
{
    return ta < h->t[b] || (ta == h->t[b] && sa < h->item[b].seq);
}

static inline bool heap_child_before_(const heap *h, size_t a, size_t b)
{
    return h->t[a] < h->t[b] || (h->t[a] == h->t[b] && h->item[a].seq < h->item[b].seq);
}

static inline void heap_sift_up_(heap *h, size_t i, int64_t t, heap_item it)
{
    while (i > 0) {
        size_t p = (i - 1) >> 2;
        if (!heap_before_(h, t, it.seq, p))
            break;
        h->t[i] = h->t[p];
        h->item[i] = h->item[p];
        i = p;
    }
    h->t[i] = t;
    h->item[i] = it;
}

static inline void heap_sift_down_(heap *h, size_t i, int64_t t, heap_item it)
{
    size_t n = h->n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = c;
        const int64_t *tc = h->t + c;
        /* In a large heap the next level's times are a cache miss away:
         * fetch the two lines holding all four candidate blocks while
         * choosing among these children. */
        if (4 * c + 1 < n) {
            __builtin_prefetch(h->t + 4 * c + 1);
            __builtin_prefetch(h->t + 4 * c + 9);
        }
        if (c + 4 <= n && tc[0] != tc[1] && tc[2] != tc[3]) {
            /* The common case: four children with distinct times in one
             * cache line; selects by time alone, branch-free.  Equal
             * times (where seq decides) take the general path below. */
            size_t m1 = tc[1] < tc[0] ? c + 1 : c;
            size_t m2 = tc[3] < tc[2] ? c + 3 : c + 2;
            m = h->t[m2] < h->t[m1] ? m2 : m1;
            if (h->t[m2] == h->t[m1])
                m = heap_child_before_(h, m2, m1) ? m2 : m1;
        } else {
            size_t end = c + 4 <= n ? c + 4 : n;
            for (size_t k = c + 1; k < end; k++)
                if (heap_child_before_(h, k, m))
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

/* Pushes (t, obj); returns the entry's seq, or 0 if memory ran out. */
static inline uint64_t heap_push(heap *h, int64_t t, void *obj)
{
    if (h->n == h->cap && heap_grow(h) != 0)
        return 0;
    heap_item it = {h->next_seq++, obj};
    heap_sift_up_(h, h->n++, t, it);
    heap_check(h);
    return it.seq;
}

/* Removes the minimum into *out and pushes (t, obj) with one sift-down
 * (heapreplace).  The heap must not be empty.  Returns the new entry's
 * seq; never grows the heap.
 *
 * The new entry's seq is the largest in the heap, so an entry of its
 * time goes before it: a child moves up when its time is <= t.  Up to
 * HEAP_ONE_LEVEL entries, the root's children are all there is (a
 * sleeper handing over to the one other timed task of a small model):
 * the least of them is the only candidate, with no loop over levels. */
#define HEAP_ONE_LEVEL 5
static inline uint64_t heap_replace_top(heap *h, heap_entry *out, int64_t t, void *obj)
{
    out->t = h->t[0];
    out->seq = h->item[0].seq;
    out->obj = h->item[0].obj;
    heap_item it = {h->next_seq++, obj};
    size_t n = h->n;
    if (__builtin_expect(n <= HEAP_ONE_LEVEL, 1)) {
        size_t i = 0;
        if (n > 1) {
            size_t m = 1;
            for (size_t k = 2; k < n; k++)
                if (heap_child_before_(h, k, m))
                    m = k;
            if (h->t[m] <= t) {
                h->t[0] = h->t[m];
                h->item[0] = h->item[m];
                i = m;
            }
        }
        h->t[i] = t;
        h->item[i] = it;
    } else {
        heap_sift_down_(h, 0, t, it);
    }
    heap_check(h);
    return it.seq;
}

/* Removes the minimum into *out; false if empty. */
static inline bool heap_pop(heap *h, heap_entry *out)
{
    if (h->n == 0)
        return false;
    out->t = h->t[0];
    out->seq = h->item[0].seq;
    out->obj = h->item[0].obj;
    size_t last = --h->n;
    if (last)
        heap_sift_down_(h, 0, h->t[last], h->item[last]);
    heap_check(h);
    return true;
}

#endif
