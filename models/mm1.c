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
    usim_sim *sim;
    usim_queue queue; /* customers waiting: each is its arrival tick */
    usim_rng arrivals, service;
    /* Plain sums in ticks, not usim_tally or usim_level: only means are
     * reported, and this is the hot path of the batch benchmark.  The
     * loops do only what the means over customers need; the time
     * averages come from them and the state at the end (mm1_finish). */
    uint64_t left;   /* arrivals still to come, counted down from `all` */
    uint64_t all;    /* the arrivals of the whole run (UINT64_MAX: unlimited) */
    void *current;   /* the customer taken last, the one in service if any */
    int64_t end;     /* when the last service ended */
    int64_t idle;    /* the idle periods that have ended */
    uint64_t served; /* counted customers whose service ended */
    double sum_wait, sum_system_time;
    /* The warm-up: customers arriving before `from` are not counted;
     * those that were still waiting then add the part of their wait after
     * it to pre_wait.  Services that ended uncounted, before the warm-up
     * or of such customers, are in `uncounted`. */
    int64_t from;
    uint64_t uncounted;
    double pre_wait;
    int64_t busy0; /* the busy time at the warm-up */
    double length; /* customers waiting, as last traced */
    usim_trace *tr_queue, *tr_system;
} mm1;

/* The two tasks' loops are the hot path of every mm1 run, so they are
 * built for it.  What is decided once, before a loop (a trace on, a
 * warm-up to come), is a constant in each copy of it, so the plain loops
 * test neither, and each copy is a function of its own (MM1_LOOP):
 *  - flatten inlines the kernel's fast paths (the queue's put and get,
 *    the exponential draw), which link-time optimisation does not do by
 *    itself for functions usim-batch exports to plugins;
 *  - apart from the other copies' code, and with the register allocator
 *    working on the function as one region rather than loop by loop, the
 *    loop keeps its values in registers.  Under callgrind (instructions
 *    per customer): the server's three copies in one function 493.4, in
 *    functions of their own 480.6, with ira-region=one 473.0. */
#define MM1_INLINE static inline __attribute__((always_inline))
#ifdef __clang__ /* no such setting of its allocator */
#define MM1_LOOP static __attribute__((flatten, noinline)) void
#else
#define MM1_LOOP                                                                       \
    static __attribute__((flatten, noinline, optimize("ira-region=one"))) void
#endif

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

/* A customer is its arrival tick, carried in the item itself. */
static inline void *customer_of(int64_t arrival)
{
    return (void *)(intptr_t)arrival;
}
static inline int64_t arrival_of(const void *customer)
{
    return (int64_t)(intptr_t)customer;
}

/* The later of two ticks. */
static inline int64_t later(int64_t a, int64_t b)
{
    return a > b ? a : b;
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

/* The arrival loop; `traced` is a constant in each of its two copies.
 * m->left counts the arrivals down (set in setup, never 0 there). */
MM1_INLINE void arrivals(mm1 *m, bool traced)
{
    do {
        if (sleep_for(draw(&m->arrivals, m->mean_interarrival)) != 0)
            break;
        if (usim_queue_put(&m->queue, customer_of(usim_now_ticks())) != 0)
            break;
        if (traced)
            trace_queue(m);
    } while (--m->left != 0);
}

MM1_LOOP arrivals_plain(mm1 *m)
{
    arrivals(m, false);
}
MM1_LOOP arrivals_traced(mm1 *m)
{
    arrivals(m, true);
}

static void *arrival_task(void *arg)
{
    mm1 *m = arg;
    if (m->tr_queue)
        arrivals_traced(m);
    else
        arrivals_plain(m);
    usim_queue_close(&m->queue);
    return NULL;
}

/* A service ended of a customer that arrived before the warm-up: not
 * counted, but the part of its wait after the warm-up is waiting time
 * of the measured span. */
static void uncounted_service(mm1 *m, int64_t start)
{
    m->uncounted++;
    if (start > m->from)
        m->pre_wait += (double)(start - m->from);
}

/* The server loop; `traced` (either trace on) and `warm` (a warm-up to
 * come) are constants in each copy.  The queue's get puts the customer
 * in m->current, which mm1_finish reads if its service is under way. */
MM1_INLINE void serve(mm1 *m, bool traced, bool warm)
{
    /* The time the last service ended.  A customer who arrived after it
     * found the server idle and woke it at once (this task is the queue's
     * only consumer): its service starts at its arrival, and the server
     * was idle from `now` until then.  Any other starts at `now`.  So the
     * clock need not be read at the start of a service. */
    int64_t now = 0;
    while (usim_queue_get(&m->queue, &m->current) == 0) {
        int64_t arrival = arrival_of(m->current);
        int64_t start = now;
        if (arrival > now) {
            start = arrival;
            m->idle += arrival - now;
        }
        if (traced && m->tr_queue)
            trace_queue(m);
        if (sleep_for(draw(&m->service, m->mean_service)) != 0)
            break;
        now = usim_now_ticks();
        m->end = now;
        if (!warm || arrival >= m->from) {
            m->served++;
            m->sum_wait += (double)(start - arrival);
            m->sum_system_time += (double)(now - arrival);
        } else {
            uncounted_service(m, start);
        }
        if (traced && m->tr_system)
            usim_trace_record(m->tr_system,
                              usim_sim_ticks_time(m->sim, (double)(now - arrival)));
    }
}

MM1_LOOP serve_plain(mm1 *m)
{
    serve(m, false, false);
}
MM1_LOOP serve_warm(mm1 *m)
{
    serve(m, false, true);
}
MM1_LOOP serve_traced(mm1 *m)
{
    serve(m, true, true);
}

static void *server_task(void *arg)
{
    mm1 *m = arg;
    if (m->tr_queue || m->tr_system)
        serve_traced(m);
    else if (!isnan(usim_sim_warmup(m->sim)))
        serve_warm(m);
    else
        serve_plain(m);
    return NULL;
}

/* Whether a service is under way: every customer that arrived and is not
 * waiting has started, and every service that ended was counted or not. */
static bool in_service(const mm1 *m)
{
    uint64_t started = m->all - m->left - usim_queue_length(&m->queue);
    return started > m->served + m->uncounted;
}

/* The time the server has been busy up to now: all of it but the idle
 * periods, the one since m->end included if the server is idle. */
static int64_t busy_time(const mm1 *m, int64_t now)
{
    return now - m->idle - (in_service(m) ? 0 : now - m->end);
}

/* The area under "customers waiting" over [from, now]: each customer
 * waits from its arrival to its start, counted from `from` on. */
static double waiting_area(const mm1 *m, int64_t now)
{
    double area = m->sum_wait + m->pre_wait;
    if (in_service(m)) { /* its wait is in no sum yet */
        int64_t arrival = arrival_of(m->current);
        int64_t start = later(arrival, m->end), from = later(arrival, m->from);
        if (start > from)
            area += (double)(start - from);
    }
    size_t n = usim_queue_length(&m->queue);
    for (size_t i = 0; i < n; i++) {
        void *c;
        if (usim_queue_peek(&m->queue, i, &c) == 0)
            area += (double)(now - later(arrival_of(c), m->from));
    }
    return area;
}

static void mm1_warmup(usim_sim *sim, void *state)
{
    mm1 *m = state;
    m->from = usim_sim_now_ticks(sim);
    m->uncounted += m->served;
    m->served = 0;
    m->sum_wait = 0;
    m->sum_system_time = 0;
    m->busy0 = busy_time(m, m->from);
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
    /* customers = 0 is unlimited: 2^64 - 1 arrivals are never reached. */
    uint64_t customers = (uint64_t)usim_param(p, "customers");
    m->all = m->left = customers ? customers : UINT64_MAX;
    m->sim = sim;
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
    int64_t now = usim_sim_now_ticks(sim);
    double n = (double)m->served;
    double span = (double)(now - m->from); /* measured: after the warm-up */
    double busy = (double)(busy_time(m, now) - m->busy0);
    /* Both means are over the customers served (a customer still in
     * service at `until` has a wait but no system time yet). */
    usim_sim_scalar_set(sim, "mean_system_time",
                        n > 0 ? usim_sim_ticks_time(sim, m->sum_system_time / n) : NAN);
    usim_sim_scalar_set(sim, "mean_wait",
                        n > 0 ? usim_sim_ticks_time(sim, m->sum_wait / n) : NAN);
    usim_sim_scalar_set(sim, "customers_served", n);
    usim_sim_scalar_set(sim, "utilization", span > 0 ? busy / span : 0);
    usim_sim_scalar_set(sim, "mean_queue_length",
                        span > 0 ? waiting_area(m, now) / span : 0);
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
