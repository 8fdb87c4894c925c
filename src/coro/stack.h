/*
 * stack.h — coroutine stacks: mmap'd, page-aligned, pooled per thread.
 *
 * Two kinds:
 *  - guarded: one mapping per stack with a PROT_NONE guard page below the
 *    usable area, so an overflow faults instead of corrupting memory;
 *  - slab: many stacks carved from one large mapping, no guard pages, so a
 *    million stacks stay far below vm.max_map_count (65530 by default).
 * Freed stacks go back to a per-thread pool and are reused by the next
 * allocation of the same size and kind.
 */
#ifndef USIM_CORO_STACK_H
#define USIM_CORO_STACK_H

#include <stdbool.h>
#include <stddef.h>

struct stack_slab;

typedef struct stack {
    char *lo;                /* lowest usable byte */
    size_t size;             /* usable bytes, multiple of the page size */
    size_t guard;            /* guard bytes below lo (0 for slab stacks) */
    struct stack_slab *slab; /* owning slab, or NULL for a guarded stack */
    unsigned vg_id;          /* Valgrind stack id */
} stack;

/* Rounds a requested size up to whole pages, at least the minimum. */
size_t stack_round_size(size_t size);

/* Takes a stack of at least `size` bytes from the pool (or maps one).
 * Returns 0, or -1 with errno set if the memory could not be mapped. */
int stack_alloc(stack *s, size_t size, bool guard);

/* Returns a stack to this thread's pool. */
void stack_free(stack *s);

/* Releases pooled stacks beyond the pool's keep limit. */
void stack_pool_trim(void);

/* Guarded stacks mapped by the whole process, and the number past which
 * stack_alloc hands out slab stacks instead (set for tests). */
size_t stack_guarded_mapped(void);
void stack_set_guard_budget(size_t n);

/* Statistics of this thread's pool, for tests. */
typedef struct stack_pool_stats {
    size_t mapped;   /* stacks currently mapped (in use or pooled) */
    size_t pooled;   /* stacks in the free pool */
    size_t reused;   /* allocations served from the pool */
    size_t mappings; /* mmap calls made */
} stack_pool_stats;

stack_pool_stats stack_pool_get_stats(void);

/* How far below a guarded stack a fault still counts as its overflow:
 * a frame larger than the guard page (big local arrays, sanitizer
 * redzones) can step over the page and fault in the unmapped space below.
 * Code built with -fstack-clash-protection probes every page instead. */
enum { STACK_OVERFLOW_REACH = 64 << 10 };

/* True if a fault at `addr` is an overflow of the guarded stack `s`. */
static inline bool stack_contains_guard(const stack *s, const void *addr)
{
    const char *a = addr;
    return s->guard && a < s->lo &&
           (size_t)(s->lo - a) <= s->guard + STACK_OVERFLOW_REACH;
}

#endif
