/*
 * stack.h — coroutine stacks: mmap'd, page-aligned, pooled per thread.
 *
 * Two kinds:
 *  - guarded: one mapping per stack with a PROT_NONE guard region below
 *    the usable area (a whole number of pages, its size chosen per
 *    stack), so an overflow faults instead of corrupting memory;
 *  - slab: many stacks carved from one large mapping, no guard, so a
 *    million stacks stay far below vm.max_map_count (65530 by default).
 * Freed stacks go back to a per-thread pool and are reused by the next
 * allocation of the same size, kind and guard size.
 *
 * Sizes: the usable size is the requested size rounded up to whole pages,
 * nothing else (no minimum beyond one page: limits are the kernel's
 * business).  The guard is the requested guard rounded up to whole pages,
 * and at least STACK_GUARD_MIN.
 * A guard region costs address space only: it is never accessible, so it
 * has no memory, no page tables and no commit charge; and it is part of
 * the stack's mapping, so it costs one mapping (vm.max_map_count) however
 * many pages it has.
 */
#ifndef USIM_CORO_STACK_H
#define USIM_CORO_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stack_slab;

/* The smallest guard: the distance by which code compiled with
 * -fstack-clash-protection may move the stack pointer between two probes.
 * GCC probes every page on x86-64 but every 64 KiB on AArch64 (its
 * stack-clash-protection-guard-size default), so a smaller guard there
 * could be stepped over by probed code. */
#if defined(__aarch64__)
enum { STACK_GUARD_MIN = 64 << 10 };
#else
enum { STACK_GUARD_MIN = 4 << 10 };
#endif

typedef struct stack {
    char *lo;                /* lowest usable byte */
    size_t size;             /* usable bytes, multiple of the page size */
    size_t guard;            /* PROT_NONE bytes right below lo, a multiple
                                of the page size (0 for slab stacks) */
    struct stack_slab *slab; /* owning slab, or NULL for a guarded stack */
    unsigned vg_id;          /* Valgrind stack id */
} stack;

/* A requested size rounded up to whole pages; 0 if it is 0 or so large
 * that rounding overflows. */
size_t stack_round_size(size_t size);

/* Takes a stack of stack_round_size(size) usable bytes from the pool (or
 * maps one).  guard: bytes of PROT_NONE below it, rounded up to whole
 * pages and to at least STACK_GUARD_MIN; 0 asks for a slab stack without
 * one.  Past the guard budget (see
 * below) a guarded request gets a slab stack.  Returns 0, or -1 with errno
 * set (EINVAL for a size of 0 or one that does not fit the address space,
 * ENOMEM if the memory could not be mapped). */
int stack_alloc(stack *s, size_t size, size_t guard);

/* Returns a stack to this thread's pool. */
void stack_free(stack *s);

/* Makes the guard of a stack whose coroutine overflowed usable for the
 * next overflow: sanitizers may have marked part of it (redzones of the
 * frame that jumped into it).  A no-op in plain builds. */
void stack_after_overflow(const stack *s);

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

/* True if a fault at `addr` is an overflow of the guarded stack `s`: it
 * lies in the guard region [lo - guard, lo).  Code built with
 * -fstack-clash-protection probes every page of a big frame from the top,
 * so its first probe below the stack lands in the guard's top page; an
 * unprobed frame lands wherever its size takes it, in the guard if that is
 * larger than the frame.  A fault below the guard is not ours to claim: it
 * is another mapping's (or nothing's) and goes to the previous handler. */
static inline bool stack_contains_guard(const stack *s, const void *addr)
{
    uintptr_t a = (uintptr_t)addr, lo = (uintptr_t)s->lo;
    return s->guard && a < lo && lo - a <= s->guard;
}

#endif
