/*
 * hold N P — the classic hold model on the kernel's event queue: P
 * pending events; each of N operations pops the earliest and pushes it
 * back at its time plus an exponential increment (mean 1e6 ticks).
 * Prints ns_per_op (one pop plus one push, random numbers included).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    long p = argc > 2 ? atol(argv[2]) : 1000;
    if (n <= 0 || p <= 0) {
        fprintf(stderr, "usage: hold N P (N operations, P pending events)\n");
        return 2;
    }
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
    printf("bench=hold ops=%ld pending=%ld wall_s=%.6f ns_per_op=%.2f last_t=%lld\n", n,
           p, dt, dt * 1e9 / (double)n, (long long)last);
    heap_destroy(&h);
    return 0;
}
