/*
 * mmc — the M/G/c queue: c servers, one FIFO line, Poisson arrivals, any
 * service law (exponential by default: M/M/c).
 *
 * An arrival task puts customers into an unbounded FIFO queue at
 * exponential inter-arrival times (rate lambda = arrival_rate, stream
 * "arrivals"); c server tasks take them in order and serve each for a time
 * drawn from the service distribution (stream "service").  The service
 * time is drawn in one place only, service_time(), from the usim_dist the
 * `service` parameter gives (default exponential(1): mean 1, mu = 1 /
 * mean = 1): `service = "constant(1)";` makes the line M/D/c, `"gamma(2,
 * 0.5)"` or `{ dist = "lognormal"; ... }` M/G/c.  With customers = N > 0 the arrival
 * task closes the queue after the N-th arrival and the servers drain it: the run ends
 * by itself once the last customer has left.  With customers = 0 `until` ends the run.
 *
 * Parameters: arrival_rate, service (a distribution), servers (c),
 * customers.
 * Scalars: wait_probability, mean_wait, mean_system_time, mean_in_system,
 * mean_queue_length, utilization, arrivals, served, end_time, and the
 * Erlang C values erlang_c_probability and erlang_c_wait beside them
 * (NaN unless the service law is exponential: Erlang C is the M/M/c
 * answer).
 * Traces: queue_length (customers waiting, at each change), in_system.
 *
 * Known answer (Erlang C).  With offered load a = lambda/mu and server
 * utilization rho = a/c < 1, an arrival waits with probability
 *
 *     C(c, a) = (a^c/c!) / (1 - rho)
 *               / (sum_{k=0}^{c-1} a^k/k!  +  (a^c/c!) / (1 - rho))
 *
 * and waits W_q = C(c, a) / (c mu - lambda) on average.  c = 1, lambda =
 * 0.5, mu = 1: C = rho = 0.5, W_q = 0.5 / 0.5 = 1.  c = 3, lambda = 2, mu
 * = 1: a = 2, rho = 2/3, the sum is 1 + 2 + 2 = 5, (8/6) / (1/3) = 4, so
 * C = 4/9 = 0.44444 and W_q = (4/9) / (3 - 2) = 0.44444.  The mean time
 * in system is W = W_q + 1/mu and the servers are busy a fraction rho.
 *
 * Known answer for c = 1 and any service law (Pollaczek-Khinchine): W_q =
 * lambda E[S^2] / (2 (1 - rho)).  Constant service 1, lambda = 0.5: E[S^2]
 * = 1, rho = 0.5, W_q = 0.5 / (2 x 0.5) = 0.5, half the M/M/1 wait.
 *
 * Conservation (Little's law, exact).  In a run that ends by itself
 * (customers = N) the area under N(t), the number in system, over [0, T]
 * is the sum of the N times in system, so
 *
 *     mean_in_system * end_time = served * mean_system_time
 *
 * holds exactly (up to rounding): L = lambda_obs W with lambda_obs =
 * served / end_time.  The two sides are computed independently: the
 * left as a time integral of the count (usim_level), the right from the
 * customers' own arrival and departure times.  (Without a warm-up: with
 * one the customers in the system at the warm-up are in the area but not
 * in the sum.)
 *
 * Warm-up (usim_sim_on_warmup): the counts and means over customers
 * (arrivals, served, wait_probability, mean_wait, mean_system_time) count
 * the customers that arrive at or after the warm-up time; the
 * time-weighted levels are reset by libusim and average over [warm-up,
 * end]; end_time stays the end of the run.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum { P_ARRIVAL_RATE, P_SERVICE, P_SERVERS, P_CUSTOMERS };

static const usim_param_desc mmc_params[] = {
    [P_ARRIVAL_RATE] = {"arrival_rate", USIM_PARAM_REAL, 2.0, 1e-12, 1e12, "1/time",
                        "mean arrivals per time unit (lambda)", NULL, NULL},
    [P_SERVICE] = {"service", USIM_PARAM_DIST, 0, 0, 0, "time",
                   "service time of a customer (mean 1/mu)",
                   .dist_def = "exponential(1)"},
    [P_SERVERS] = {"servers", USIM_PARAM_INT, 3, 1, 10000, "", "servers (c)", NULL,
                   NULL},
    [P_CUSTOMERS] =
        {"customers", USIM_PARAM_INT, 0, 0, 1e15, "",
         "arrivals before the source stops (0: unlimited, until ends the run)", NULL,
         NULL},
};

static const usim_output_desc mmc_scalars[] = {
    {"wait_probability", "", "fraction of the served customers that had to wait"},
    {"mean_wait", "time", "mean time in line before service (served customers)"},
    {"mean_system_time", "time", "mean time from arrival to departure"},
    {"mean_in_system", "", "time-weighted mean number of customers in the system"},
    {"mean_queue_length", "", "time-weighted mean number of customers waiting"},
    {"utilization", "", "time-weighted fraction of the servers busy"},
    {"arrivals", "", "customers arrived"},
    {"served", "", "customers departed"},
    {"end_time", "time", "the time the run ended"},
    {"erlang_c_probability", "", "theory: probability of waiting, C(c, a)"},
    {"erlang_c_wait", "time", "theory: mean wait in line, C(c, a) / (c mu - lambda)"},
};

static const usim_output_desc mmc_traces[] = {
    {"queue_length", "", "customers waiting (not in service), at each change"},
    {"in_system", "",
     "customers in the system (waiting or in service), at each change"},
};

typedef struct mmc {
    /* The parameters, read once in setup. */
    double lambda, mu;
    long servers;
    uint64_t customers;     /* 0: unlimited */
    usim_dist service_dist; /* the one place the service law is defined */
    usim_queue line;
    bool line_ready; /* line initialised (teardown destroys it) */
    usim_rng arrivals, service;
    uint64_t arrived, served, waited;
    double sum_wait, sum_system_time;
    double from; /* the warm-up time: earlier arrivals are not counted */
    long waiting, in_system, busy;
    usim_level waiting_lvl, in_system_lvl, busy_lvl;
    usim_trace *tr_queue, *tr_system;
} mmc;

static double service_time(mmc *m)
{
    return usim_dist_draw(&m->service_dist, &m->service);
}

static void set_waiting(mmc *m, long n)
{
    m->waiting = n;
    usim_level_set(&m->waiting_lvl, usim_now(), (double)n);
    usim_trace_record(m->tr_queue, (double)n);
}

static void set_in_system(mmc *m, long n)
{
    m->in_system = n;
    usim_level_set(&m->in_system_lvl, usim_now(), (double)n);
    usim_trace_record(m->tr_system, (double)n);
}

static void set_busy(mmc *m, long n)
{
    m->busy = n;
    usim_level_set(&m->busy_lvl, usim_now(), (double)n);
}

static void *arrival_task(void *arg)
{
    mmc *m = arg;
    double mean_interarrival = 1.0 / m->lambda;
    for (uint64_t i = 0; m->customers == 0 || i < m->customers; i++) {
        if (usim_sleep(usim_exponential(&m->arrivals, mean_interarrival)) != 0)
            break;
        double now = usim_now();
        m->arrived++;
        /* Counted before the put: a free server takes it in this turn. */
        set_in_system(m, m->in_system + 1);
        set_waiting(m, m->waiting + 1);
        /* A customer is its arrival time, in the item itself. */
        if (usim_queue_put(&m->line, usim_item_of_double(now)) != 0)
            break;
    }
    usim_queue_close(&m->line);
    return NULL;
}

static void *server_task(void *arg)
{
    mmc *m = arg;
    USIM_FOR_EACH_ITEM (&m->line, item) {
        double arrival = usim_item_double(item);
        double start = usim_now();
        set_waiting(m, m->waiting - 1);
        set_busy(m, m->busy + 1);
        if (usim_sleep(service_time(m)) != 0)
            break; /* the run is over: this customer is not counted */
        double now = usim_now();
        set_busy(m, m->busy - 1);
        set_in_system(m, m->in_system - 1);
        if (arrival < m->from)
            continue; /* arrived during the warm-up */
        m->served++;
        /* A customer handed straight to an idle server starts in the
         * tick it arrived: its wait is exactly 0. */
        if (start > arrival)
            m->waited++;
        m->sum_wait += start - arrival;
        m->sum_system_time += now - arrival;
    }
    return NULL;
}

/* Erlang C: the probability of waiting, by the recurrence term_k =
 * term_{k-1} a / k (no factorial overflows for large c). */
static double erlang_c(double lambda, double mu, long c)
{
    double a = lambda / mu, rho = a / (double)c;
    if (rho >= 1)
        return 1;
    double term = 1, sum = 0; /* term = a^k / k! */
    for (long k = 0; k < c; k++) {
        sum += term;
        term *= a / (double)(k + 1);
    }
    double tail = term / (1 - rho);
    return tail / (sum + tail);
}

/* The levels are reset by libusim; the counters are the model's own. */
static void mmc_warmup(usim_sim *sim, void *state)
{
    mmc *m = state;
    m->from = usim_sim_now(sim);
    m->arrived = m->served = m->waited = 0;
    m->sum_wait = m->sum_system_time = 0;
}

static int mmc_setup(usim_sim *sim, const usim_params *p, void **state)
{
    mmc *m = calloc(1, sizeof *m);
    if (m == NULL)
        return usim_error(USIM_ENOMEM, "mmc: out of memory");
    *state = m;
    m->lambda = usim_param(p, "arrival_rate");
    m->service_dist = *usim_param_dist(p, "service");
    m->mu = 1.0 / usim_dist_mean(&m->service_dist);
    m->servers = (long)usim_param(p, "servers");
    m->customers = (uint64_t)usim_param(p, "customers");

    int rc;
    usim_sim_rng_stream(sim, &m->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &m->service, "service");
    usim_level_init(&m->waiting_lvl, 0, 0);
    usim_level_init(&m->in_system_lvl, 0, 0);
    usim_level_init(&m->busy_lvl, 0, 0);
    m->tr_queue = usim_sim_trace(sim, "queue_length");
    m->tr_system = usim_sim_trace(sim, "in_system");
    rc = usim_queue_init(&m->line, 0, "line");
    if (rc != 0)
        return rc;
    m->line_ready = true;
    if ((rc = usim_sim_on_warmup(sim, mmc_warmup, m)) != 0)
        return rc;
    if (usim_sim_spawn(sim, arrival_task, m, "arrivals") == NULL)
        return usim_error(USIM_ENOMEM, "mmc: cannot spawn the arrivals");
    for (long i = 0; i < m->servers; i++)
        if (usim_sim_spawn(sim, server_task, m, "server") == NULL)
            return usim_error(USIM_ENOMEM, "mmc: cannot spawn server %ld", i);
    return 0;
}

static void mmc_finish(usim_sim *sim, void *state)
{
    mmc *m = state;
    double now = usim_sim_now(sim);
    double n = (double)m->served;
    double c = (double)m->servers;
    bool markov = m->service_dist.kind == USIM_DIST_EXPONENTIAL;
    double pc = markov ? erlang_c(m->lambda, m->mu, m->servers) : NAN;
    usim_sim_scalar_set(sim, "wait_probability", n > 0 ? (double)m->waited / n : NAN);
    usim_sim_scalar_set(sim, "mean_wait", n > 0 ? m->sum_wait / n : NAN);
    usim_sim_scalar_set(sim, "mean_system_time", n > 0 ? m->sum_system_time / n : NAN);
    usim_sim_scalar_set(sim, "mean_in_system", usim_level_mean(&m->in_system_lvl, now));
    usim_sim_scalar_set(sim, "mean_queue_length",
                        usim_level_mean(&m->waiting_lvl, now));
    usim_sim_scalar_set(sim, "utilization", usim_level_mean(&m->busy_lvl, now) / c);
    usim_sim_scalar_set(sim, "arrivals", (double)m->arrived);
    usim_sim_scalar_set(sim, "served", n);
    usim_sim_scalar_set(sim, "end_time", now);
    usim_sim_scalar_set(sim, "erlang_c_probability", pc);
    usim_sim_scalar_set(sim, "erlang_c_wait",
                        !markov                 ? NAN
                        : m->lambda < c * m->mu ? pc / (c * m->mu - m->lambda)
                                                : INFINITY);
}

static void mmc_teardown(void *state)
{
    mmc *m = state;
    if (m->line_ready)
        usim_queue_destroy(&m->line);
    free(m);
}

const usim_model model_mmc = {
    .abi = USIM_MODEL_ABI,
    .name = "mmc",
    .description = "M/M/c queue: Poisson arrivals, c servers, one FIFO line",
    .params = mmc_params,
    .n_params = USIM_ARRAY_LEN(mmc_params),
    .scalars = mmc_scalars,
    .n_scalars = USIM_ARRAY_LEN(mmc_scalars),
    .traces = mmc_traces,
    .n_traces = USIM_ARRAY_LEN(mmc_traces),
    .setup = mmc_setup,
    .finish = mmc_finish,
    .teardown = mmc_teardown,
};
