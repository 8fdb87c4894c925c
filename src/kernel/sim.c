/*
 * sim.c — simulations: configuration, creation, running, destruction,
 * and what can be read of them afterwards (status, error, clock).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/loop.h"
#include "kernel/thread_end.h"
#include "kernel/ticks.h"

char *kernel_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *kernel_vasprintf(const char *fmt, va_list ap)
{
    char *out;
    return vasprintf(&out, fmt, ap) < 0 ? NULL : out;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static const char *const drift_names[] = {"naive", "tracked", "strict"};
static const char *const order_names[] = {"fifo", "lifo", "random", "musim"};
static const char *const status_names[] = {"done", "paused", "deadlock", "failed",
                                           "limit"};

const char *usim_drift_name(usim_drift d)
{
    return (unsigned)d < 3 ? drift_names[d] : NULL;
}

const char *usim_order_name(usim_order o)
{
    return (unsigned)o < 4 ? order_names[o] : NULL;
}

const char *usim_status_name(usim_status s)
{
    return (unsigned)s < 5 ? status_names[s] : NULL;
}

static int parse_name(const char *name, const char *const *names, int n, int *out,
                      const char *what)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[80] = "";
    for (int i = 0; i < n; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s",
                 i == 0      ? ""
                 : i + 1 < n ? ", "
                             : " or ",
                 names[i]);
    }
    return usim_error(USIM_EINVAL, "unknown %s \"%s\" (expected %s)", what,
                      name ? name : "(null)", list);
}

int usim_drift_parse(const char *name, usim_drift *out)
{
    int v = 0;
    int rc = parse_name(name, drift_names, 3, &v, "drift policy");
    if (rc == 0)
        *out = (usim_drift)v;
    return rc;
}

int usim_order_parse(const char *name, usim_order *out)
{
    int v = 0;
    int rc = parse_name(name, order_names, 4, &v, "turn order");
    if (rc == 0)
        *out = (usim_order)v;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

void usim_config_init(usim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->resolution = 1e-9;
    cfg->drift = USIM_DRIFT_NAIVE;
    cfg->order = USIM_ORDER_FIFO;
    cfg->stack_size = 65536;
    cfg->stack_guard = true;
    cfg->guard_size = USIM_GUARD_SIZE_DEFAULT;
}

int sim_check_stack_size(size_t size, const char *what)
{
    if (size < USIM_STACK_MIN || size > USIM_STACK_MAX)
        return usim_error(USIM_EINVAL,
                          "%s %zu must be between USIM_STACK_MIN (%d) and "
                          "USIM_STACK_MAX (%d) bytes",
                          what, size, USIM_STACK_MIN, USIM_STACK_MAX);
    return 0;
}

int usim_config_check(const usim_config *cfg)
{
    if (!cfg)
        return usim_error(USIM_EINVAL, "config is NULL");
    if (!(cfg->resolution > 0) || isinf(cfg->resolution))
        return usim_error(USIM_EINVAL, "resolution %g must be finite and > 0",
                          cfg->resolution);
    if ((unsigned)cfg->drift > USIM_DRIFT_STRICT)
        return usim_error(USIM_EINVAL,
                          "drift policy %d is not one of naive, tracked, "
                          "strict",
                          (int)cfg->drift);
    if ((unsigned)cfg->order > USIM_ORDER_MUSIM)
        return usim_error(USIM_EINVAL,
                          "turn order %d is not one of fifo, lifo, random, musim",
                          (int)cfg->order);
    if (cfg->run > UINT32_MAX)
        return usim_error(USIM_EINVAL, "run id %llu must be < 2^32",
                          (unsigned long long)cfg->run);
    if (sim_check_stack_size(cfg->stack_size, "stack_size") != 0)
        return USIM_EINVAL;
    if (cfg->guard_size > USIM_GUARD_SIZE_MAX)
        return usim_error(USIM_EINVAL, "guard_size %zu must be at most 1 GiB",
                          cfg->guard_size);
    if (cfg->max_wall_s < 0 || isnan(cfg->max_wall_s))
        return usim_error(USIM_EINVAL, "max_wall_s %g must be >= 0", cfg->max_wall_s);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

/*
 * usim-batch creates and destroys a simulation per run, thousands a
 * second on each thread.  So a destroyed simulation's record, with its
 * event heap, ready ring and drift groups emptied but their arrays kept,
 * waits for the thread's next usim_sim_create: a few allocations and
 * frees fewer per run.  An array grown past SPARE_* is freed instead (a
 * run with a million timers does not leave them to the thread), and the
 * spare is freed when the thread ends (thread_at_end).
 */
enum { SPARE_TIMERS = 4096, SPARE_READY = 4096, SPARE_GROUPS = 256 };

static _Thread_local usim_sim *spare;
static _Thread_local bool spare_registered;

static void record_free(usim_sim *sim)
{
    heap_destroy(&sim->timers);
    ring_free(&sim->ready);
    drift_registry_free(&sim->drift);
    free(sim);
}

static void spare_release(void *arg)
{
    usim_sim **slot = arg;
    if (*slot)
        record_free(*slot);
    *slot = NULL;
}

/* A destroyed simulation's record (its tasks, observation state and
 * messages already freed) becomes the thread's spare, or is freed. */
static void record_retire(usim_sim *sim)
{
    if (!spare_registered)
        spare_registered = thread_at_end(spare_release, &spare) == 0;
    if (spare || !spare_registered) {
        record_free(sim);
        return;
    }
    if (sim->timers.cap > SPARE_TIMERS)
        heap_destroy(&sim->timers);
    else
        heap_empty(&sim->timers);
    if (sim->ready.v && sim->ready.mask >= SPARE_READY)
        ring_free(&sim->ready);
    else
        ring_empty(&sim->ready);
    if (sim->drift.cap > SPARE_GROUPS)
        drift_registry_free(&sim->drift);
    else
        drift_registry_empty(&sim->drift);
    spare = sim;
}

/* A record as calloc gives it, but for the spare's empty arrays; NULL if
 * memory ran out. */
static usim_sim *record_new(void)
{
    usim_sim *sim = spare;
    if (!sim) {
        if ((sim = calloc(1, sizeof *sim)) != NULL)
            heap_init(&sim->timers);
        return sim;
    }
    spare = NULL;
    heap timers = sim->timers;
    ready_ring ready = sim->ready;
    /* The drift registry's arrays only: the rest of it (its sums and
     * histogram, emptied) is as big as the rest of the record. */
    drift_registry *d = &sim->drift;
    drift_group *groups = d->groups, *view = d->view;
    int *index = d->index;
    size_t cap = d->cap, cap_index = d->cap_index;
    memset(sim, 0, sizeof *sim);
    sim->timers = timers;
    sim->ready = ready;
    d->groups = groups;
    d->cap = cap;
    d->view = view;
    d->index = index;
    d->cap_index = cap_index;
    return sim;
}

/* The whole number of ticks per time unit, when 1 / resolution is one
 * within 1e-9 relative (1e-9 gives 1e9, 0.2 gives 5); 0 otherwise.  Time
 * is then ticks / n, exact for every whole number of units. */
static double ticks_per_unit(double resolution)
{
    double per = 1.0 / resolution;
    double n = nearbyint(per);
    return n >= 1 && fabs(per - n) <= TICKS_TOL * n ? n : 0.0;
}

usim_sim *usim_sim_create(const usim_config *cfg)
{
    if (usim_config_check(cfg) != 0)
        return NULL;
    /* The overflow handler is claimed by usim_sim_run, once per run: no
     * task runs before, and the model's setup may install handlers of its
     * own in between. */
    if (coro_thread_init() != 0) {
        usim_error(USIM_ENOMEM, "cannot set up the thread's coroutine support");
        return NULL;
    }
    usim_sim *sim = record_new();
    if (!sim) {
        usim_error(USIM_ENOMEM, "usim_sim_create: out of memory");
        return NULL;
    }
    sim->cfg = *cfg;
    double n = ticks_per_unit(cfg->resolution);
    sim->time_div = n != 0 ? n : 1.0;
    sim->time_mul = n != 0 ? 1.0 : cfg->resolution;
    sim->drift.per_tick = 1.0 / cfg->resolution;
    warmup_init(&sim->warmup);
    sim->order_state =
        cfg->seed * 0x9e3779b97f4a7c15ULL ^ (cfg->run + 0x632be59bd9b4e019ULL);
    sim->status = USIM_PAUSED;
    sched_here.setup = sim;
    return sim;
}

void usim_sim_destroy(usim_sim *sim)
{
    if (!sim)
        return;
    if (sched_sim()) {
        /* Freeing the stack we run on (or a simulation another loop on
         * this thread is using) cannot be done safely: refuse, loudly. */
        usim_error(USIM_ESTATE,
                   "usim_sim_destroy: called from inside a running "
                   "simulation; ignored (destroy it after usim_sim_run returns)");
        fprintf(stderr, "usim: %s\n", usim_errmsg());
        return;
    }
    if (sched_here.setup == sim)
        sched_here.setup = NULL;
    loop_unwind_all(sim);
    loop_release(sim);
    while (sim->all)
        task_free(sim->all);
    if (sim->observe_free)
        sim->observe_free(sim->observe);
    report_free(&sim->blocked);
    warmup_free(&sim->warmup);
    free(sim->error);
    free(sim->setup_error);
    record_retire(sim);
    stack_pool_trim();
}

/* The last tick a run until time `until` may reach (see ticks.h). */
static int64_t until_ticks(const usim_sim *sim, double until)
{
    if (isnan(until))
        return INT64_MAX - 1;
    double q = ticks_floor(ticks_quotient(until, sim->cfg.resolution));
    return ticks_clamp(q, sim->now, INT64_MAX - 1);
}

usim_status usim_sim_run(usim_sim *sim, double until)
{
    if (!sim) {
        usim_error(USIM_EINVAL, "usim_sim_run: simulation is NULL");
        return USIM_FAILED;
    }
    if (sched_sim()) {
        usim_error(USIM_ESTATE, "usim_sim_run: a simulation is already running on "
                                "this thread (called from inside a task?)");
        return USIM_FAILED;
    }
    if (sched_here.setup == sim)
        sched_here.setup = NULL;
    if (sim->setup_error) {
        /* A mistake of the model's setup: nothing is run. */
        loop_set_final(sim, USIM_FAILED, sim->setup_error);
        sim->setup_error = NULL;
    }
    if (sim->final)
        return sim->status;
    /* Foreign code (the model's setup, a test framework) may have
     * displaced the overflow handler since the last run. */
    if (coro_claim_fault_handler() != 0) {
        usim_error(USIM_ENOMEM, "usim_sim_run: cannot install the stack overflow "
                                "handler");
        return USIM_FAILED;
    }
    sched_here.sim = sim;
    usim_status st = loop_run(sim, until_ticks(sim, until));
    sched_here.sim = NULL;
    return st;
}

usim_status usim_sim_status(const usim_sim *sim)
{
    return sim->status;
}

const char *usim_sim_error(const usim_sim *sim)
{
    return sim ? sim->error : NULL;
}

double usim_sim_now(const usim_sim *sim)
{
    return sim_time(sim, sim->now);
}

int64_t usim_sim_now_ticks(const usim_sim *sim)
{
    return sim->now;
}

double usim_sim_ticks_time(const usim_sim *sim, double ticks)
{
    return sim_time(sim, ticks);
}

uint64_t usim_sim_events(const usim_sim *sim)
{
    return sim->events;
}

const usim_config *usim_sim_config(const usim_sim *sim)
{
    return &sim->cfg;
}

void usim_sim_set_userdata(usim_sim *sim, void *data)
{
    sim->userdata = data;
}

void *usim_sim_userdata(const usim_sim *sim)
{
    return sim->userdata;
}

usim_sim *usim_current(void)
{
    return sched_sim();
}
