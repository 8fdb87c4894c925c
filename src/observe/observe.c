/*
 * observe.c — per-simulation state of the observation layer.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kernel/service.h"
#include "observe/observe.h"

bool obs_grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return false;
        n *= 2;
    }
    void *p = realloc(*arr, n * size);
    if (!p)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

static void obs_state_free(void *p)
{
    obs_state *st = p;
    for (size_t i = 0; i < st->ntraces; i++)
        trace_free(st->traces[i]);
    free(st->traces);
    for (size_t i = 0; i < st->nscalars; i++)
        free(st->scalars[i].name);
    free(st->scalars);
    for (size_t i = 0; i < st->nmissed; i++)
        free(st->missed[i]);
    free(st->missed);
    free(st);
}

obs_state *obs_state_of(const usim_sim *sim)
{
    return service_state(sim);
}

obs_state *obs_state_make(usim_sim *sim)
{
    obs_state *st = service_state(sim);
    if (st)
        return st;
    st = calloc(1, sizeof *st);
    if (!st) {
        usim_error(USIM_ENOMEM, "out of memory for the traces and scalars");
        return NULL;
    }
    service_set_state(sim, st, obs_state_free);
    return st;
}
