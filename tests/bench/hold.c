/*
 * hold N P [binary] — the classic hold model on the kernel's event queue:
 * P pending events; each of N operations pops the earliest and pushes it
 * back at its time plus an exponential increment (mean 1e6 ticks).
 * Prints ns_per_op (one pop plus one push, random numbers included).
 *
 * With "binary", the same operations run on a textbook binary heap of
 * (time, seq, payload) entries with swaps instead: the baseline to quote
 * a ratio against on a noisy machine (the anchors were measured
 * with such a heap: 63 / 113 / 263 ns at 10^3 / 10^5 / 10^6).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/heap.h"

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static inline uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline int64_t increment(void)
{
    double u = ((double)(next_u64() >> 11) + 0.5) * 0x1p-53;
    return (int64_t)(-log(u) * 1e6);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The baseline: a binary heap as in a textbook. */
typedef struct bin_entry {
    int64_t t;
    uint64_t seq;
    void *obj;
} bin_entry;

static bin_entry *bv;
static size_t bn, bcap;
static uint64_t bseq = 1;

static int bin_less(const bin_entry *a, const bin_entry *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int bin_push(int64_t t)
{
    if (bn == bcap) {
        size_t cap = bcap ? 2 * bcap : 256;
        bin_entry *v = realloc(bv, cap * sizeof *v);
        if (!v)
            return -1;
        bv = v;
        bcap = cap;
    }
    size_t i = bn++;
    bv[i] = (bin_entry){t, bseq++, NULL};
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!bin_less(&bv[i], &bv[p]))
            break;
        bin_entry x = bv[i];
        bv[i] = bv[p];
        bv[p] = x;
        i = p;
    }
    return 0;
}

static int64_t bin_pop(void)
{
    int64_t t = bv[0].t;
    bv[0] = bv[--bn];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < bn && bin_less(&bv[l], &bv[m]))
            m = l;
        if (l + 1 < bn && bin_less(&bv[l + 1], &bv[m]))
            m = l + 1;
        if (m == i)
            break;
        bin_entry x = bv[i];
        bv[i] = bv[m];
        bv[m] = x;
        i = m;
    }
    return t;
}

static int run_binary(long n, long p)
{
    for (long i = 0; i < p; i++)
        if (bin_push(increment()) != 0)
            return 1;
    for (long i = 0; i < p; i++)
        bin_push(bin_pop() + increment());
    double t0 = now_s();
    int64_t last = 0;
    for (long i = 0; i < n; i++) {
        last = bin_pop();
        bin_push(last + increment());
    }
    double dt = now_s() - t0;
    printf("bench=hold heap=binary ops=%ld pending=%ld wall_s=%.6f ns_per_op=%.2f "
           "last_t=%lld\n",
           n, p, dt, dt * 1e9 / (double)n, (long long)last);
    free(bv);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    long p = argc > 2 ? atol(argv[2]) : 1000;
    if (n <= 0 || p <= 0) {
        fprintf(stderr, "usage: hold N P [binary] (N operations, P pending events)\n");
        return 2;
    }
    if (argc > 3 && strcmp(argv[3], "binary") == 0)
        return run_binary(n, p);
    heap h;
    heap_init(&h);
    for (long i = 0; i < p; i++)
        if (!heap_push(&h, increment(), NULL)) {
            fprintf(stderr, "hold: out of memory\n");
            return 1;
        }
    /* warm-up: one pass over the queue so the measured part is steady */
    heap_entry e = {0};
    for (long i = 0; i < p; i++) {
        heap_pop(&h, &e);
        heap_push(&h, e.t + increment(), NULL);
    }
    double t0 = now_s();
    int64_t last = 0;
    for (long i = 0; i < n; i++) {
        heap_pop(&h, &e);
        last = e.t;
        heap_push(&h, e.t + increment(), NULL);
    }
    double dt = now_s() - t0;
    if (!heap_valid(&h) || heap_size(&h) != (size_t)p) {
        fprintf(stderr, "hold: heap corrupted\n");
        return 1;
    }
    printf("bench=hold heap=4ary ops=%ld pending=%ld wall_s=%.6f ns_per_op=%.2f "
           "last_t=%lld\n",
           n, p, dt, dt * 1e9 / (double)n, (long long)last);
    heap_destroy(&h);
    return 0;
}
