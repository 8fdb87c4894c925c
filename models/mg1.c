/*
 * mg1 — the M/G/1 queue: Poisson arrivals, one server whose service time
 * is any distribution, and a choice of which waiting customer goes next.
 *
 * The parameters that are not numbers: `service` is a distribution
 * ("exponential(1)" by default: M/M/1; "constant(1)": M/D/1), and
 * `discipline` is "fifo" (the longest waiting first) or "lifo" (the
 * latest arrival first).  With customers = N > 0 the arrivals stop after
 * the N-th and the run ends when the server has served them all.
 *
 * Theory for rho = lambda E[S] < 1 (tests/batch/params.sh checks it):
 * the mean wait is Pollaczek–Khinchine's lambda E[S^2] / (2 (1 - rho)),
 * for M/D/1 with service time D rho D / (2 (1 - rho)).  It is the same
 * under both disciplines (neither looks at service times); the spread of
 * the waits is not.
 *
 * Warm-up (usim_sim_on_warmup): the means and customers_served count the
 * customers that arrive at or after the warm-up time w (under lifo too:
 * a customer's whole wait is then after w); utilization is the busy
 * fraction of [w, end].  The wait trace keeps every customer.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <usim.h>
#include <usim/model.h>

static const char *const mg1_disciplines[] = {"fifo", "lifo", NULL};

static const usim_param_desc mg1_params[] = {
    {"arrival_rate", USIM_PARAM_REAL, 0.9, 1e-12, 1e12, "1/time",
     "mean arrivals per time unit (lambda)", NULL, NULL},
    {"service", USIM_PARAM_DIST, 0, 0, 0, "time", "service time of a customer",
     .dist_def = "exponential(1)"},
    {"discipline", USIM_PARAM_CHOICE, 0, 0, 0, "",
     "which waiting customer is served next", .choices = mg1_disciplines},
    {"customers", USIM_PARAM_INT, 0, 0, 1e15, "",
     "arrivals before the source stops (0: unlimited, until ends the run)", NULL, NULL},
};

static const usim_output_desc mg1_scalars[] = {
    {"mean_wait", "time",
     "mean time waiting before service, over the customers served"},
    {"mean_system_time", "time", "mean time from arrival to departure"},
    {"customers_served", "", "departures"},
    {"utilization", "", "fraction of the time the server was busy"},
};

static const usim_output_desc mg1_traces[] = {
    {"wait", "time", "the wait of each customer, when its service starts"},
};

typedef struct mg1 {
    double mean_interarrival;
    usim_dist service;
    bool lifo;
    uint64_t customers; /* 0: unlimited */
    /* One item per waiting customer: it wakes the server.  Which customer
     * is served is the line's business, not the queue's (a usim_queue is
     * FIFO). */
    usim_queue tokens;
    double *line; /* arrival times of the waiting customers, a ring */
    size_t head, len, cap;
    usim_rng arrivals, draws;
    uint64_t served;
    double sum_wait, sum_system_time, busy;
    double service_start; /* NAN when idle */
    /* The warm-up: customers arriving before `from` are not counted;
     * busy0 is the busy time at it. */
    double from, busy0;
    usim_trace *tr_wait;
} mg1;

/* Adds an arrival at the back of the line; false if memory ran out. */
static bool line_push(mg1 *m, double arrival)
{
    if (m->len == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        double *line = malloc(cap * sizeof *line);
        if (line == NULL)
            return false;
        for (size_t i = 0; i < m->len; i++)
            line[i] = m->line[(m->head + i) % m->cap];
        free(m->line);
        m->line = line;
        m->cap = cap;
        m->head = 0;
    }
    m->line[(m->head + m->len) % m->cap] = arrival;
    m->len++;
    return true;
}

/* The next customer by the discipline: the front, or the back. */
static double line_pop(mg1 *m)
{
    double arrival;
    if (m->lifo) {
        arrival = m->line[(m->head + m->len - 1) % m->cap];
    } else {
        arrival = m->line[m->head];
        m->head = (m->head + 1) % m->cap;
    }
    m->len--;
    return arrival;
}

static void *arrival_task(void *arg)
{
    mg1 *m = arg;
    for (uint64_t i = 0; m->customers == 0 || i < m->customers; i++) {
        if (usim_sleep(usim_exponential(&m->arrivals, m->mean_interarrival)) != 0)
            break;
        if (!line_push(m, usim_now()))
            usim_fail("mg1: out of memory for %zu waiting customers", m->len);
        if (usim_queue_put(&m->tokens, m) != 0) {
            m->len--;
            break;
        }
    }
    usim_queue_close(&m->tokens);
    return NULL;
}

static void *server_task(void *arg)
{
    mg1 *m = arg;
    USIM_FOR_EACH_ITEM (&m->tokens, token) {
        (void)token;
        double arrival = line_pop(m), start = usim_now();
        usim_trace_record(m->tr_wait, start - arrival);
        m->service_start = start;
        if (usim_sleep(usim_dist_draw(&m->service, &m->draws)) != 0)
            break;
        double now = usim_now();
        m->busy += now - start;
        m->service_start = NAN;
        if (arrival < m->from)
            continue; /* arrived during the warm-up */
        m->served++;
        m->sum_wait += start - arrival;
        m->sum_system_time += now - arrival;
    }
    return NULL;
}

static void mg1_warmup(usim_sim *sim, void *state)
{
    mg1 *m = state;
    double now = usim_sim_now(sim);
    m->from = now;
    m->served = 0;
    m->sum_wait = m->sum_system_time = 0;
    m->busy0 = m->busy + (isnan(m->service_start) ? 0 : now - m->service_start);
}

static int mg1_setup(usim_sim *sim, const usim_params *p, void **state)
{
    mg1 *m = calloc(1, sizeof *m);
    if (m == NULL)
        return usim_error(USIM_ENOMEM, "mg1: out of memory");
    *state = m;
    /* Read once: the tasks use the copies in the state. */
    m->mean_interarrival = 1.0 / usim_param(p, "arrival_rate");
    m->service = *usim_param_dist(p, "service");
    m->lifo = strcmp(usim_param_choice_name(p, "discipline"), "lifo") == 0;
    m->customers = (uint64_t)usim_param(p, "customers");
    m->service_start = NAN;
    usim_sim_rng_stream(sim, &m->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &m->draws, "service");
    m->tr_wait = usim_sim_trace(sim, "wait");
    int rc = usim_queue_init(&m->tokens, 0, "waiting");
    if (rc != 0)
        return rc;
    if ((rc = usim_sim_on_warmup(sim, mg1_warmup, m)) != 0)
        return rc;
    if (usim_sim_spawn(sim, arrival_task, m, "arrivals") == NULL ||
        usim_sim_spawn(sim, server_task, m, "server") == NULL)
        return usim_error(USIM_ENOMEM, "mg1: cannot spawn the tasks");
    return 0;
}

static void mg1_finish(usim_sim *sim, void *state)
{
    mg1 *m = state;
    double now = usim_sim_now(sim);
    double busy = m->busy + (isnan(m->service_start) ? 0 : now - m->service_start);
    double n = (double)m->served;
    busy -= m->busy0;
    now -= m->from; /* the span measured: after the warm-up */
    usim_sim_scalar_set(sim, "mean_wait", n > 0 ? m->sum_wait / n : NAN);
    usim_sim_scalar_set(sim, "mean_system_time", n > 0 ? m->sum_system_time / n : NAN);
    usim_sim_scalar_set(sim, "customers_served", n);
    usim_sim_scalar_set(sim, "utilization", now > 0 ? busy / now : 0);
}

static void mg1_teardown(void *state)
{
    mg1 *m = state;
    usim_queue_destroy(&m->tokens);
    free(m->line);
    free(m);
}

const usim_model model_mg1 = {
    .abi = USIM_MODEL_ABI,
    .name = "mg1",
    .description = "M/G/1 queue: Poisson arrivals, one server of any service "
                   "distribution, FIFO or LIFO",
    .params = mg1_params,
    .n_params = USIM_ARRAY_LEN(mg1_params),
    .scalars = mg1_scalars,
    .n_scalars = USIM_ARRAY_LEN(mg1_scalars),
    .traces = mg1_traces,
    .n_traces = USIM_ARRAY_LEN(mg1_traces),
    .setup = mg1_setup,
    .finish = mg1_finish,
    .teardown = mg1_teardown,
};
