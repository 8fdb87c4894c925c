/*
 * scalar.c — named results of a run: name -> value, the last value set
 * wins, listed in order of first set.  Runs set a handful of scalars, so
 * a linear search by name is the right tool.
 */
#include <stdlib.h>
#include <string.h>

#include "observe/observe.h"

int usim_sim_scalar_set(usim_sim *sim, const char *name, double v)
{
    if (!name || !*name)
        return usim_error(USIM_EINVAL, "scalar: empty name");
    obs_state *st = obs_state_make(sim);
    if (!st)
        return USIM_ENOMEM;
    for (size_t i = 0; i < st->nscalars; i++) {
        if (strcmp(st->scalars[i].name, name) == 0) {
            st->scalars[i].value = v;
            return 0;
        }
    }
    size_t n = st->nscalars;
    if (!obs_grow((void **)&st->scalars, &st->cap_scalars, n + 1,
                  sizeof *st->scalars) ||
        !obs_name_take(&st->scalars[n].name, n < st->held_scalars, name))
        return usim_error(USIM_ENOMEM, "scalar '%s': out of memory", name);
    st->scalars[n].value = v;
    st->nscalars = n + 1;
    if (st->held_scalars == n)
        st->held_scalars = n + 1;
    return 0;
}

int usim_scalar_set(const char *name, double v)
{
    usim_sim *sim = usim_current();
    if (!sim)
        return usim_error(USIM_ESTATE, "usim_scalar_set('%s'): no running simulation",
                          name ? name : "");
    return usim_sim_scalar_set(sim, name, v);
}

size_t usim_sim_scalar_count(const usim_sim *sim)
{
    obs_state *st = obs_state_of(sim);
    return st ? st->nscalars : 0;
}

int usim_sim_scalar_at(const usim_sim *sim, size_t i, const char **name, double *v)
{
    obs_state *st = obs_state_of(sim);
    size_t n = st ? st->nscalars : 0;
    if (i >= n)
        return usim_error(USIM_EINVAL, "scalar index %zu out of range (%zu scalars)", i,
                          n);
    if (name)
        *name = st->scalars[i].name;
    if (v)
        *v = st->scalars[i].value;
    return 0;
}
