/*
 * observe.c — per-simulation state of the observation layer, and the
 * thread's spare one that the next simulation starts from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/service.h"
#include "kernel/thread_end.h"
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

bool obs_name_take(char **slot, bool spare, const char *name)
{
    if (spare && strcmp(*slot, name) == 0)
        return true;
    char *copy = strdup(name);
    if (!copy)
        return false;
    if (spare)
        free(*slot);
    *slot = copy;
    return true;
}

/* ------------------------------------------------------------------ */
/* The thread's spare state                                            */
/* ------------------------------------------------------------------ */

/*
 * Batch runs create and destroy a simulation per run, thousands a second
 * on each thread, and each run of a model sets the same scalars and asks
 * for the same traces: so a destroyed simulation's state, emptied, waits
 * for the thread's next one with its arrays and its copies of the names
 * (obs_state), instead of a dozen allocations and frees per run.  Only a
 * state of at most SPARE_MAX names of each kind is kept, so a run that
 * set a million scalars does not leave them to the thread.  The spare is
 * freed when the thread ends (thread_at_end).
 */
enum { SPARE_MAX = 64 };

static _Thread_local obs_state *spare;
static _Thread_local bool spare_registered;

static void state_destroy(obs_state *st)
{
    for (size_t i = 0; i < st->ntraces; i++)
        trace_free(st->traces[i]);
    free(st->traces);
    for (size_t i = 0; i < st->held_scalars; i++)
        free(st->scalars[i].name);
    free(st->scalars);
    for (size_t i = 0; i < st->held_missed; i++)
        free(st->missed[i]);
    free(st->missed);
    free(st);
}

static void spare_release(void *arg)
{
    obs_state **slot = arg;
    if (*slot)
        state_destroy(*slot);
    *slot = NULL;
}

/* The simulation's state is done with: it becomes the thread's spare,
 * emptied, or is freed. */
static void obs_state_free(void *p)
{
    obs_state *st = p;
    if (spare || st->held_scalars > SPARE_MAX || st->held_missed > SPARE_MAX)
        goto destroy;
    if (!spare_registered) {
        if (thread_at_end(spare_release, &spare) != 0)
            goto destroy;
        spare_registered = true;
    }
    for (size_t i = 0; i < st->ntraces; i++)
        trace_free(st->traces[i]);
    st->ntraces = 0;
    st->nscalars = 0;
    st->nmissed = 0;
    spare = st;
    return;
destroy:
    state_destroy(st);
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
    if (spare) {
        st = spare;
        spare = NULL;
    } else if (!(st = calloc(1, sizeof *st))) {
        usim_error(USIM_ENOMEM, "out of memory for the traces and scalars");
        return NULL;
    }
    service_set_state(sim, st, obs_state_free);
    return st;
}
