/*
 * ring.c — the ready ring's cold parts (see ring.h): growth, release and
 * the invariant check.
 */
#include <stdlib.h>

#include "kernel/ring.h"
#include "kernel/task.h"

int ring_grow(ready_ring *r)
{
    size_t cap = r->v ? 2 * (r->mask + 1) : 64;
    usim_task **v = malloc(cap * sizeof *v);
    if (!v)
        return USIM_ENOMEM;
    for (size_t i = 0; i < r->n; i++)
        v[i] = r->v[(r->head + i) & r->mask];
    free(r->v);
    r->v = v;
    r->mask = cap - 1;
    r->head = 0;
    return 0;
}

void ring_free(ready_ring *r)
{
    free(r->v);
    r->v = NULL;
    r->mask = r->head = r->n = 0;
}

bool ring_valid(const ready_ring *r)
{
    if (!r->v)
        return r->n == 0 && r->head == 0;
    size_t cap = r->mask + 1;
    if ((cap & r->mask) != 0 || r->head > r->mask || r->n > cap)
        return false;
    if (r->n > RING_CHECK_WALK)
        return true;
    for (size_t i = 0; i < r->n; i++) {
        const usim_task *t = r->v[(r->head + i) & r->mask];
        if (!t || t->state != TASK_READY)
            return false;
        for (size_t j = 0; r->n <= RING_CHECK_PAIRS && j < i; j++)
            if (r->v[(r->head + j) & r->mask] == t)
                return false;
    }
    return true;
}
