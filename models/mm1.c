/*
 * mm1 — the M/M/1 queue as a usim-batch model.
 *
 * An arrival task puts customers into an unbounded queue at exponential
 * inter-arrival times (stream "arrivals"); one server task takes them in
 * FIFO order and serves each for an exponential time (stream "service").
 * With customers = N > 0 the arrival task closes the queue after the N-th
 * arrival, so the server drains it and the run ends by itself; with
 * customers = 0 arrivals go on and `until` ends the run.
 *
 * Theory for rho = lambda/mu < 1 (a check for long runs): mean system time
 * 1/(mu - lambda), mean wait rho/(mu - lambda), utilization rho, mean
 * queue length (waiting, not in service) rho^2/(1 - rho).
 *
 * Warm-up (usim_sim_on_warmup): the means over customers count those that
 * arrive at or after the warm-up time w, so each counted wait is wholly
 * in the measured part; utilization and queue length are time averages
 * over [w, end].
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc mm1_params[] = {
    {"arrival_rate", USIM_PARAM_REAL, 0.9, 1e-12, 1e12, "1/time",
     "mean arrivals per time unit (lambda)", NULL, NULL},
    {"service_rate", USIM_PARAM_REAL, 1.0, 1e-12, 1e12, "1/time",
     "mean services per time unit of the server (mu)", NULL, NULL},
    {"customers", USIM_PARAM_INT, 0, 0, 1e15, "",
     "arrivals before the source stops (0: unlimited, until ends the run)", NULL, NULL},
};

enum { S_SYSTEM_TIME, S_WAIT, S_SERVED, S_UTILIZATION, S_QUEUE_LENGTH };

static const usim_output_desc mm1_scalars[] = {
    [S_SYSTEM_TIME] = {"mean_system_time", "time",
                       "mean time from arrival to departure"},
    [S_WAIT] = {"mean_wait", "time", "mean time waiting in the queue before service"},
    [S_SERVED] = {"customers_served", "", "departures"},
    [S_UTILIZATION] = {"utilization", "", "fraction of the time the server was busy"},
    [S_QUEUE_LENGTH] = {"mean_queue_length", "",
                        "time-weighted mean number of customers waiting"},
};

static const usim_output_desc mm1_traces[] = {
    {"queue_length", "", "customers waiting (not in service), at each change"},
    {"system_time", "time", "system time of each customer, at its departure"},
};

typedef struct mm1 {
    double mean_interarrival, mean_service;
    uint64_t customers; /* 0: unlimited */
    usim_queue queue;
    usim_rng arrivals, service;
    /* Plain sums, not usim_tally or usim_level: only means are reported,
     * and this is the hot path of the batch benchmark. */
    uint64_t served;
    double sum_system_time, sum_wait;
    /* The time-weighted queue length needs no update per change: the
     * area under "customers waiting" up to time T is the time customers
     * have spent waiting until T, i.e. the waits of those whose service
     * has started (started_waits) plus T - arrival for each one still
     * waiting: queued * T - queued_arrivals. */
    double started_waits;
    uint64_t queued;        /* put, service not started yet */
    double queued_arrivals; /* the sum of their arrival times */
    double length;          /* customers waiting, as last traced */
    /* The busy time up to T is T minus the idle time, and the server is
     * idle only when it finds the queue empty (a fraction 1 - rho of the
     * customers): so the idle periods are summed, on that path alone,
     * rather than every service. */
    double idle;        /* ended idle periods */
    double service_end; /* when the last service ended; INFINITY in one */
    /* The warm-up: customers arriving before `from` are not counted; the
     * time averages start at `from`, with the busy time and waiting area
     * then. */
    double from, busy0, area0;
    usim_trace *tr_queue, *tr_system;
} mm1;

/* The two tasks are the hot path of every mm1 run, so they are built for
 * it: flatten inlines the kernel's fast paths (the queue's put and get,
 * the exponential draw) into them, which link-time optimisation does not
 * do by itself for functions usim-batch exports to plugins; and whether a
 * trace is on is decided once, before the loop, so the untraced loop has
 * no trace test at all. */
#define MM1_HOT __attribute__((flatten))
#define MM1_INLINE static inline __attribute__((always_inline))

/* usim_sleep with its front end inlined, in a function of its own: in
 * the tasks' loops it would keep their values in memory around it (11
 * instructions more per customer under callgrind, 536 against 525). */
static __attribute__((noinline)) int sleep_for(double d)
{
    return usim_sleep(d);
}

/* An exponential draw with the given mean: mean * (one draw of mean 1.0)
 * is exactly usim_exponential(r, mean) (that is mean * E with E the
 * standard draw, and 1.0 * E == E), without the check of the mean on
 * every draw: both means come from rates within the parameters' ranges,
 * so they are positive and finite. */
MM1_INLINE double draw(usim_rng *r, double mean)
{
    return mean * usim_exponential(r, 1.0);
}

/* Records the queue length if the length changed (a put handed straight
 * to the waiting server changes nothing); the trace is on. */
MM1_INLINE void trace_queue(mm1 *m)
{
    double n = (double)usim_queue_length(&m->queue);
    if (n != m->length) {
        m->length = n;
        usim_trace_record(m->tr_queue, n);
    }
}

/* The arrival loop; `traced` is a constant in each of its two copies. */
MM1_INLINE void arrivals(mm1 *m, bool traced)
{
    /* customers = 0 is unlimited: 2^64 - 1 arrivals are never reached. */
    uint64_t n = m->customers ? m->customers : UINT64_MAX;
    for (uint64_t i = 0; i < n; i++) {
        if (sleep_for(draw(&m->arrivals, m->mean_interarrival)) != 0)
            break;
        double now = usim_now();
        m->queued++; /* before the put: the server may start it at once */
        m->queued_arrivals += now;
        /* A customer is its arrival time, in the item itself. */
        if (usim_queue_put(&m->queue, usim_item_of_double(now)) != 0) {
            m->queued--;
            m->queued_arrivals -= now;
            break;
        }
        if (traced)
            trace_queue(m);
    }
}

MM1_HOT static void *arrival_task(void *arg)
{
    mm1 *m = arg;
    if (m->tr_queue)
        arrivals(m, true);
    else
        arrivals(m, false);
    usim_queue_close(&m->queue);
    return NULL;
}

/* The server loop; `traced` (either trace on) is a constant in each of its
 * two copies. */
MM1_INLINE void serve(mm1 *m, bool traced)
{
    /* The time the last service ended, and whether a customer was
     * waiting then: if one was, the get below returns at once (this task
     * is the queue's only consumer) and the service starts at that very
     * time, so the clock need not be read again. */
    double now = 0;
    bool waiting = false;
    USIM_FOR_EACH_ITEM (&m->queue, item) {
        double arrival = usim_item_double(item);
        double start = now;
        if (!waiting) {
            start = usim_now();
            m->idle += start - m->service_end;
        }
        m->queued--;
        m->queued_arrivals -= arrival;
        m->started_waits += start - arrival;
        if (traced && m->tr_queue)
            trace_queue(m);
        m->service_end = INFINITY;
        if (sleep_for(draw(&m->service, m->mean_service)) != 0)
            break;
        now = usim_now();
        waiting = m->queued != 0;
        m->service_end = now;
        if (arrival >= m->from) { /* not one that arrived in the warm-up */
            m->served++;
            m->sum_wait += start - arrival;
            m->sum_system_time += now - arrival;
        }
        if (traced && m->tr_system)
            usim_trace_record(m->tr_system, now - arrival);
    }
}

MM1_HOT static void *server_task(void *arg)
{
    mm1 *m = arg;
    if (m->tr_queue || m->tr_system)
        serve(m, true);
    else
        serve(m, false);
    return NULL;
}

/* The area under "customers waiting" up to now (see struct mm1). */
static double waiting_area(const mm1 *m, double now)
{
    return m->started_waits + (double)m->queued * now - m->queued_arrivals;
}

/* The time the server has been busy up to now (a service in progress
 * counts so far; the run starts at 0 with the server idle). */
static double busy_time(const mm1 *m, double now)
{
    return now - m->idle - (isinf(m->service_end) ? 0 : now - m->service_end);
}

static void mm1_warmup(usim_sim *sim, void *state)
{
    mm1 *m = state;
    double now = usim_sim_now(sim);
    m->from = now;
    m->served = 0;
    m->sum_wait = 0;
    m->sum_system_time = 0;
    m->busy0 = busy_time(m, now);
    m->area0 = waiting_area(m, now);
}

static int mm1_setup(usim_sim *sim, const usim_params *p, void **state)
{
    /* malloc, not calloc: glibc's calloc never takes the block the last
     * run's teardown freed from the thread's cache. */
    mm1 *m = malloc(sizeof *m);
    if (m == NULL)
        return usim_error(USIM_ENOMEM, "mm1: out of memory");
    *m = (mm1){0};
    m->mean_interarrival = 1.0 / usim_param(p, "arrival_rate");
    m->mean_service = 1.0 / usim_param(p, "service_rate");
    m->customers = (uint64_t)usim_param(p, "customers");
    usim_sim_rng_stream(sim, &m->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &m->service, "service");
    m->tr_queue = usim_sim_trace(sim, "queue_length");
    m->tr_system = usim_sim_trace(sim, "system_time");
    *state = m;
    int rc = usim_queue_init(&m->queue, 0, "customers");
    if (rc != 0)
        return rc;
    if ((rc = usim_sim_on_warmup(sim, mm1_warmup, m)) != 0)
        return rc;
    if (usim_sim_spawn(sim, arrival_task, m, "arrivals") == NULL ||
        usim_sim_spawn(sim, server_task, m, "server") == NULL)
        return usim_error(USIM_ENOMEM, "mm1: cannot spawn the tasks");
    return 0;
}

static void mm1_finish(usim_sim *sim, void *state)
{
    mm1 *m = state;
    double now = usim_sim_now(sim);
    double busy = busy_time(m, now);
    double n = (double)m->served;
    double area = waiting_area(m, now) - m->area0;
    busy -= m->busy0;
    now -= m->from; /* the span measured: after the warm-up */
    /* Both means are over the customers served (a customer still in
     * service at `until` has a wait but no system time yet). */
    usim_sim_scalar_set(sim, "mean_system_time", n > 0 ? m->sum_system_time / n : NAN);
    usim_sim_scalar_set(sim, "mean_wait", n > 0 ? m->sum_wait / n : NAN);
    usim_sim_scalar_set(sim, "customers_served", n);
    usim_sim_scalar_set(sim, "utilization", now > 0 ? busy / now : 0);
    usim_sim_scalar_set(sim, "mean_queue_length", now > 0 ? area / now : 0);
}

static void mm1_teardown(void *state)
{
    mm1 *m = state;
    usim_queue_destroy(&m->queue);
    free(m);
}

const usim_model model_mm1 = {
    .abi = USIM_MODEL_ABI,
    .name = "mm1",
    .description = "M/M/1 queue: Poisson arrivals, one exponential server, FIFO",
    .params = mm1_params,
    .n_params = USIM_ARRAY_LEN(mm1_params),
    .scalars = mm1_scalars,
    .n_scalars = USIM_ARRAY_LEN(mm1_scalars),
    .traces = mm1_traces,
    .n_traces = USIM_ARRAY_LEN(mm1_traces),
    .setup = mm1_setup,
    .finish = mm1_finish,
    .teardown = mm1_teardown,
};
