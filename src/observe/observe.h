/*
 * observe.h — the observation layer's per-simulation state: the enabled
 * traces, the scalars set so far and the traces asked for in vain.  It hangs off the
 * simulation (kernel/service.h) and is freed with it.
 */
#ifndef USIM_OBSERVE_OBSERVE_H
#define USIM_OBSERVE_OBSERVE_H

#include <stddef.h>

#include "usim.h"

typedef struct obs_scalar {
    char *name;
    double value;
} obs_scalar;

typedef struct obs_state {
    usim_trace **traces; /* in order of enabling */
    size_t ntraces, cap_traces;
    obs_scalar *scalars; /* in order of first set */
    size_t nscalars, cap_scalars;
    char **missed; /* names asked for that were not enabled, each once */
    size_t nmissed, cap_missed;
} obs_state;

/* The state of `sim`, or NULL if nothing was traced or set yet. */
obs_state *obs_state_of(const usim_sim *sim);
/* The state of `sim`, created on first use; NULL (USIM_ENOMEM set) if
 * memory ran out. */
obs_state *obs_state_make(usim_sim *sim);

/* Frees a trace (called when the state is freed). */
void trace_free(usim_trace *tr);

/* Grows *arr (of *cap elements of `size` bytes) to hold at least `need`,
 * doubling; false if memory ran out (the array is unchanged). */
bool obs_grow(void **arr, size_t *cap, size_t need, size_t size);

#endif
