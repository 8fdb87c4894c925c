/*
 * service.c — the kernel's services to the observation layer (see
 * service.h), kept apart so that layer never includes the kernel's
 * internal headers.
 */
#include "kernel/service.h"

#include "kernel/sched.h"
#include "kernel/sim.h"

void service_fail_run(const char *msg)
{
    if (sched_self())
        sched_fail(msg);
}

void *service_state(const usim_sim *sim)
{
    return sim->observe;
}

void service_set_state(usim_sim *sim, void *state, void (*free_fn)(void *))
{
    sim->observe = state;
    sim->observe_free = free_fn;
}
