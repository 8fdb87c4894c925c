/*
 * trace.c — named (t, value) series of a run, in memory.
 *
 * Points go into two doubling arrays (amortised O(1) append).  A change
 * trace stores a point per usim_trace_record.  A sampled trace stores
 * only the value in force and emits its samples lazily: a record at tick
 * T first emits every pending grid point strictly before T with the old
 * value; usim_trace_read emits those up to and including now.  No kernel
 * event is involved, so tracing never changes a run's event order.
 *
 * Sample k belongs to time k*interval; it is compared with record times
 * in ticks, at the tick the kernel's rule gives that time (kernel/ticks.h:
 * a periodic loop of the same interval wakes there, and e.g. 0.3 = 3 * 0.1
 * is one tick, not two).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/service.h"
#include "kernel/ticks.h"
#include "observe/observe.h"

struct usim_trace {
    usim_sim *sim;
    char *name;
    usim_trace_mode mode;
    double interval; /* sample mode */
    double *t, *v;
    size_t len, cap;
    /* sample mode: the value in force since the first record, and the
     * next grid point to emit */
    bool has_value;
    double value;
    uint64_t next_k;
};

/* The tick of grid point k: the first tick at or after k * interval. */
static int64_t trace_grid_tick(const usim_trace *tr, uint64_t k)
{
    double q = ticks_grid(k, tr->interval, usim_sim_config(tr->sim)->resolution);
    return ticks_clamp(ticks_ceil(q), 0, INT64_MAX);
}

/* The first grid point at or after tick `now`. */
static uint64_t trace_first_k(const usim_trace *tr, int64_t now)
{
    double est = ceil(now * usim_sim_config(tr->sim)->resolution / tr->interval);
    uint64_t k = est > 0.0 ? (est < 0x1p63 ? (uint64_t)est : UINT64_C(1) << 63) : 0;
    while (k > 0 && trace_grid_tick(tr, k - 1) >= now)
        k--;
    while (trace_grid_tick(tr, k) < now)
        k++;
    return k;
}

static bool trace_push(usim_trace *tr, double t, double v)
{
    if (tr->len == tr->cap) {
        size_t cap_t = tr->cap, cap_v = tr->cap;
        if (!obs_grow((void **)&tr->t, &cap_t, tr->len + 1, sizeof *tr->t) ||
            !obs_grow((void **)&tr->v, &cap_v, tr->len + 1, sizeof *tr->v)) {
            /* Keep both arrays at least the old capacity: no point lost. */
            char msg[160];
            usim_error(USIM_ENOMEM, "trace '%s': out of memory after %zu points",
                       tr->name, tr->len);
            snprintf(msg, sizeof msg, "%s", usim_errmsg());
            service_fail_run(msg);
            return false;
        }
        tr->cap = cap_t < cap_v ? cap_t : cap_v;
    }
    tr->t[tr->len] = t;
    tr->v[tr->len] = v;
    tr->len++;
    return true;
}

/* Emits the pending samples at grid ticks < limit (or <= limit). */
static void trace_emit_until(usim_trace *tr, int64_t limit, bool inclusive)
{
    if (!tr->has_value)
        return;
    for (;;) {
        int64_t tick = trace_grid_tick(tr, tr->next_k);
        if (inclusive ? tick > limit : tick >= limit)
            break;
        if (tick == INT64_MAX) /* the grid ran past the end of time */
            break;
        if (!trace_push(tr, (double)tr->next_k * tr->interval, tr->value))
            break;
        tr->next_k++;
    }
}

static usim_trace *trace_find(const obs_state *st, const char *name)
{
    if (!st)
        return NULL;
    for (size_t i = 0; i < st->ntraces; i++)
        if (strcmp(st->traces[i]->name, name) == 0)
            return st->traces[i];
    return NULL;
}

usim_trace *usim_sim_trace_enable(usim_sim *sim, const char *name, usim_trace_mode mode,
                                  double interval)
{
    if (!name || !*name) {
        usim_error(USIM_EINVAL, "trace: empty name");
        return NULL;
    }
    if (mode != USIM_TRACE_CHANGE && mode != USIM_TRACE_SAMPLE) {
        usim_error(USIM_EINVAL, "trace '%s': unknown mode %d", name, (int)mode);
        return NULL;
    }
    if (mode == USIM_TRACE_SAMPLE && !(interval > 0.0 && isfinite(interval))) {
        usim_error(USIM_EINVAL, "trace '%s': sampling interval %g must be > 0", name,
                   interval);
        return NULL;
    }
    if (trace_find(obs_state_of(sim), name)) {
        usim_error(USIM_EINVAL, "trace '%s' is already enabled", name);
        return NULL;
    }
    obs_state *st = obs_state_make(sim);
    if (!st)
        return NULL;
    usim_trace *tr = calloc(1, sizeof *tr);
    if (!tr)
        goto nomem;
    tr->name = strdup(name);
    if (!tr->name)
        goto nomem_trace;
    if (!obs_grow((void **)&st->traces, &st->cap_traces, st->ntraces + 1,
                  sizeof *st->traces))
        goto nomem_name;
    tr->sim = sim;
    tr->mode = mode;
    tr->interval = mode == USIM_TRACE_SAMPLE ? interval : 0.0;
    st->traces[st->ntraces++] = tr;
    return tr;
nomem_name:
    free(tr->name);
nomem_trace:
    free(tr);
nomem:
    usim_error(USIM_ENOMEM, "trace '%s': out of memory", name);
    return NULL;
}

void trace_free(usim_trace *tr)
{
    free(tr->t);
    free(tr->v);
    free(tr->name);
    free(tr);
}

/* Remembers a name asked for in vain, once.  The simulation is const to
 * the caller (a lookup), but its observation state is ours to extend; if
 * memory runs out the name is not remembered, which only loses the
 * host's check. */
static void trace_missed(const usim_sim *sim, const char *name)
{
    obs_state *st = obs_state_make((usim_sim *)sim);
    if (!st)
        return;
    for (size_t i = 0; i < st->nmissed; i++)
        if (strcmp(st->missed[i], name) == 0)
            return;
    size_t n = st->nmissed;
    if (!obs_grow((void **)&st->missed, &st->cap_missed, n + 1, sizeof *st->missed) ||
        !obs_name_take(&st->missed[n], n < st->held_missed, name))
        return;
    st->nmissed = n + 1;
    if (st->held_missed == n)
        st->held_missed = n + 1;
}

usim_trace *usim_sim_trace(const usim_sim *sim, const char *name)
{
    if (!sim || !name)
        return NULL;
    usim_trace *tr = trace_find(obs_state_of(sim), name);
    if (!tr)
        trace_missed(sim, name);
    return tr;
}

const char *usim_sim_trace_missed(const usim_sim *sim, size_t i)
{
    obs_state *st = obs_state_of(sim);
    return st && i < st->nmissed ? st->missed[i] : NULL;
}

usim_trace *usim_trace_get(const char *name)
{
    usim_sim *sim = usim_current();
    return sim ? usim_sim_trace(sim, name) : NULL;
}

void usim_trace_record(usim_trace *tr, double v)
{
    if (!tr)
        return;
    if (tr->mode == USIM_TRACE_CHANGE) {
        trace_push(tr, usim_sim_now(tr->sim), v);
        return;
    }
    int64_t now = usim_sim_now_ticks(tr->sim);
    if (tr->has_value) {
        trace_emit_until(tr, now, false);
    } else {
        tr->has_value = true;
        tr->next_k = trace_first_k(tr, now);
    }
    tr->value = v;
}

size_t usim_sim_trace_count(const usim_sim *sim)
{
    obs_state *st = obs_state_of(sim);
    return st ? st->ntraces : 0;
}

usim_trace *usim_sim_trace_at(const usim_sim *sim, size_t i)
{
    obs_state *st = obs_state_of(sim);
    return st && i < st->ntraces ? st->traces[i] : NULL;
}

const char *usim_trace_name(const usim_trace *tr)
{
    return tr->name;
}

size_t usim_trace_read(usim_trace *tr, const double **t, const double **v)
{
    if (tr->mode == USIM_TRACE_SAMPLE)
        trace_emit_until(tr, usim_sim_now_ticks(tr->sim), true);
    if (t)
        *t = tr->t;
    if (v)
        *v = tr->v;
    return tr->len;
}

size_t usim_trace_take(usim_trace *tr, double **t, double **v)
{
    size_t n = usim_trace_read(tr, NULL, NULL); /* a sampled trace completed */
    *t = tr->t;
    *v = tr->v;
    tr->t = tr->v = NULL;
    tr->len = tr->cap = 0;
    return n;
}
