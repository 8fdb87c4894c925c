/*
 * ring.h — the ready ring: the FIFO of tasks ready to run at the current
 * tick, a power-of-two array that grows by doubling.  Push and pop are
 * inline (every turn point and timer wake-up passes here); growth and
 * the debug checks are in ring.c.
 *
 * Invariants (checked in debug builds after every change): the capacity
 * mask + 1 is a power of two once allocated, head <= mask, n <= mask + 1,
 * and every slot in use holds a task in TASK_READY state (a walk of the
 * slots, done only while n <= RING_CHECK_WALK), none of them twice
 * (pairwise, only while n <= RING_CHECK_PAIRS).
 */
#ifndef USIM_KERNEL_RING_H
#define USIM_KERNEL_RING_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>

#include "usim.h"

typedef struct ready_ring {
    usim_task **v;
    size_t mask, head, n;
} ready_ring;

enum { RING_CHECK_WALK = 64, RING_CHECK_PAIRS = 16 };

/* Doubles the capacity (64 at first); USIM_ENOMEM if memory ran out. */
int ring_grow(ready_ring *r);
void ring_free(ready_ring *r);
/* No task ready; the array is kept. */
static inline void ring_empty(ready_ring *r)
{
    r->head = r->n = 0;
}
/* The invariants above. */
bool ring_valid(const ready_ring *r);

static inline int ring_push(ready_ring *r, usim_task *t)
{
    if (__builtin_expect(!r->v || r->n == r->mask + 1, 0) && ring_grow(r) != 0)
        return USIM_ENOMEM;
    r->v[(r->head + r->n++) & r->mask] = t;
    assert(ring_valid(r));
    return 0;
}

static inline usim_task *ring_pop(ready_ring *r)
{
    if (r->n == 0)
        return NULL;
    usim_task *t = r->v[r->head];
    r->head = (r->head + 1) & r->mask;
    r->n--;
    assert(ring_valid(r));
    return t;
}

/* Removes the i-th ready task (i < n; random order): the head moves into
 * its slot, so the ring stays contiguous. */
static inline usim_task *ring_take(ready_ring *r, size_t i)
{
    size_t slot = (r->head + i) & r->mask;
    usim_task *t = r->v[slot];
    r->v[slot] = r->v[r->head];
    ring_pop(r);
    return t;
}

#endif
