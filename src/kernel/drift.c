/*
 * drift.c — drift statistics (see drift.h): the groups of task names,
 * their index, and what usim_task_drift / usim_sim_drift* derive from the
 * sums on read.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/drift.h"
#include "kernel/fnv1a.h"
#include "kernel/list.h"
#include "kernel/sim.h"

struct drift_group {
    char name[TASK_NAME_MAX];
    drift_acc acc;
};

/* ------------------------------------------------------------------ */
/* Histogram bins                                                      */
/* ------------------------------------------------------------------ */

/* Field e is 2^(e - 1023): bin e - 1023 + USIM_DRIFT_BIN_ZERO, within
 * [0, USIM_DRIFT_BINS - 1]; field 0 (zero, subnormals) is bin 0. */
#define BIN_FIELD(k) (1023 - USIM_DRIFT_BIN_ZERO + (k))
#define BIN1(k) [BIN_FIELD(k)] = (k)
#define BIN8(k)                                                                        \
    BIN1(k), BIN1(k + 1), BIN1(k + 2), BIN1(k + 3), BIN1(k + 4), BIN1(k + 5),          \
        BIN1(k + 6), BIN1(k + 7)
_Static_assert(USIM_DRIFT_BINS == 64 && BIN_FIELD(0) > 0 && BIN_FIELD(63) < 2047,
               "the table below spells out 64 bins");
const uint8_t drift_bin_of_exponent[2048] = {
    BIN8(0),  BIN8(8),  BIN8(16), BIN8(24), BIN8(32),
    BIN8(40), BIN8(48), BIN1(56), BIN1(57), BIN1(58),
    BIN1(59), BIN1(60), BIN1(61), BIN1(62), [BIN_FIELD(63)... 2047] = 63,
};

/* ------------------------------------------------------------------ */
/* Sums                                                                */
/* ------------------------------------------------------------------ */

static usim_drift_stats acc_stats(const drift_acc *a)
{
    usim_drift_stats s = {
        .waits = a->waits,
        .requested = a->requested,
        .actual = a->actual,
        .mean_abs = a->waits ? a->sum_abs / (double)a->waits : 0.0,
        .max_abs = a->max_abs,
        .final = a->actual - a->requested,
        .overruns = a->overruns,
    };
    return s;
}

static void acc_merge(drift_acc *into, const drift_acc *a)
{
    into->waits += a->waits;
    into->requested += a->requested;
    into->actual += a->actual;
    into->sum_abs += a->sum_abs;
    into->max_abs = a->max_abs > into->max_abs ? a->max_abs : into->max_abs;
    into->overruns += a->overruns;
}

void drift_fold(usim_task *t)
{
    if (t->drift.waits && t->drift_group >= 0)
        acc_merge(&t->sim->drift.groups[t->drift_group].acc, &t->drift);
}

/* The groups as they stand: folded sums plus those of tasks not yet
 * freed.  Cached in the simulation until its next event. */
static const drift_group *drift_view(const usim_sim *csim)
{
    usim_sim *sim = (usim_sim *)csim; /* the view is a cache */
    drift_registry *r = &sim->drift;
    if (r->view && r->view_events == sim->events && r->view_n == r->n)
        return r->view;
    drift_group *v = realloc(r->view, (r->n ? r->n : 1) * sizeof *v);
    if (!v)
        return r->groups; /* folded sums only */
    if (r->n)
        memcpy(v, r->groups, r->n * sizeof *v);
    for (usim_task *t = sim->all; t; t = list_next(t, TASK_ALL_LINK))
        if (t->drift.waits && t->drift_group >= 0)
            acc_merge(&v[t->drift_group].acc, &t->drift);
    r->view = v;
    r->view_events = sim->events;
    r->view_n = r->n;
    return v;
}

usim_drift_stats usim_task_drift(const usim_task *t)
{
    static const drift_acc zero;
    return acc_stats(t ? &t->drift : &zero);
}

usim_drift_stats usim_sim_drift(const usim_sim *sim)
{
    drift_acc all = {0};
    const drift_group *v = drift_view(sim);
    for (size_t i = 0; i < sim->drift.n; i++)
        acc_merge(&all, &v[i].acc);
    return acc_stats(&all);
}

size_t usim_sim_drift_groups(const usim_sim *sim)
{
    return sim->drift.n;
}

void usim_sim_drift_hist(const usim_sim *sim, uint64_t bins[USIM_DRIFT_BINS])
{
    memcpy(bins, sim->drift.hist, sizeof sim->drift.hist);
}

int usim_sim_drift_group(const usim_sim *sim, size_t i, const char **name,
                         usim_drift_stats *out)
{
    if (i >= sim->drift.n)
        return usim_error(USIM_EINVAL, "drift group %zu of %zu", i, sim->drift.n);
    const drift_group *v = drift_view(sim);
    if (name)
        *name = v[i].name;
    if (out)
        *out = acc_stats(&v[i].acc);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Groups: one per task name, found through an open-addressing hash    */
/* ------------------------------------------------------------------ */

static void index_insert(int *index, size_t cap, const drift_group *groups, int g)
{
    size_t mask = cap - 1;
    size_t i = fnv1a32_str(groups[g].name) & mask;
    while (index[i] >= 0)
        i = (i + 1) & mask;
    index[i] = g;
}

static int grow_index(drift_registry *r)
{
    size_t cap = r->cap_index ? 2 * r->cap_index : 64;
    int *index = malloc(cap * sizeof *index);
    if (!index)
        return -1;
    for (size_t i = 0; i < cap; i++)
        index[i] = -1;
    for (size_t g = 0; g < r->n; g++)
        index_insert(index, cap, r->groups, (int)g);
    free(r->index);
    r->index = index;
    r->cap_index = cap;
    return 0;
}

int drift_group_index(usim_sim *sim, const char *name)
{
    drift_registry *r = &sim->drift;
    if (r->cap_index) {
        size_t mask = r->cap_index - 1;
        for (size_t i = fnv1a32_str(name) & mask; r->index[i] >= 0; i = (i + 1) & mask)
            if (strcmp(r->groups[r->index[i]].name, name) == 0)
                return r->index[i];
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        drift_group *g = realloc(r->groups, cap * sizeof *g);
        if (!g)
            return -1;
        r->groups = g;
        r->cap = cap;
    }
    /* The index stays at most half full, so probes end quickly. */
    if (2 * (r->n + 1) > r->cap_index && grow_index(r) != 0)
        return -1;
    drift_group *g = &r->groups[r->n];
    memset(g, 0, sizeof *g);
    /* A task's name fits (task.h); a longer one is cut, as the task's is.
     * Copied, not formatted: this runs for every task name of every run. */
    memcpy(g->name, name, strnlen(name, sizeof g->name - 1));
    index_insert(r->index, r->cap_index, r->groups, (int)r->n);
    return (int)r->n++;
}

void drift_first_wait(usim_task *t)
{
    t->drift_group = drift_group_index(t->sim, t->name);
    t->sleep_general = t->drift_group < 0 || t->sim->cfg.drift != USIM_DRIFT_NAIVE;
}

void drift_registry_empty(drift_registry *r)
{
    for (size_t i = 0; i < r->cap_index; i++)
        r->index[i] = -1;
    r->n = 0;
    r->view_events = 0;
    r->view_n = 0;
    memset(r->hist, 0, sizeof r->hist);
}

void drift_registry_free(drift_registry *r)
{
    free(r->groups);
    free(r->view);
    free(r->index);
    memset(r, 0, sizeof *r);
}
