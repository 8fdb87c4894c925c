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

/* A state outlives its simulation as its thread's spare (observe.c):
 * the next simulation of the thread starts from it, emptied, and takes
 * the names copied for an earlier one when it uses the same names again
 * in the same order, as runs of one model do.  Those copies are
 * scalars[nscalars .. held_scalars) and missed[nmissed .. held_missed),
 * never read as scalars or names of the present simulation. */
typedef struct obs_state {
    usim_trace **traces; /* in order of enabling */
    size_t ntraces, cap_traces;
    obs_scalar *scalars; /* in order of first set */
    size_t nscalars, cap_scalars;
    char **missed; /* names asked for that were not enabled, each once */
    size_t nmissed, cap_missed;
    size_t held_scalars, held_missed; /* names copied, in use or spare */
} obs_state;

/* The state of `sim`, or NULL if nothing was traced or set yet. */
obs_state *obs_state_of(const usim_sim *sim);
/* The state of `sim`, created on first use; NULL (USIM_ENOMEM set) if
 * memory ran out. */
obs_state *obs_state_make(usim_sim *sim);

/* Makes *slot a copy of `name`: the copy already there if `spare` (*slot
 * is a spare copy, see obs_state) and it is the same name, else a fresh
 * one, the spare one then freed.  false if memory ran out: *slot is
 * unchanged. */
bool obs_name_take(char **slot, bool spare, const char *name);
/* Frees a trace (called when the state is freed). */
void trace_free(usim_trace *tr);

/* Grows *arr (of *cap elements of `size` bytes) to hold at least `need`,
 * doubling; false if memory ran out (the array is unchanged). */
bool obs_grow(void **arr, size_t *cap, size_t need, size_t size);

#endif
