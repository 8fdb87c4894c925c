/*
 * bank.c — a bank with c tellers (the M/M/c queue) as a usim-batch model
 * plugin, built out of the usim source tree with nothing but
 * `pkg-config --cflags --libs usim` (see Makefile and models/README.md).
 *
 * Customers arrive one by one at exponential inter-arrival times (rate
 * lambda = arrival_rate, random stream "arrivals"), wait in one line for
 * the first free teller and are served for an exponential time (rate mu =
 * service_rate per teller, stream "service").  Each customer is a task of
 * its own that requests one of the c units of a usim_resource, as a bank
 * customer would queue for a teller.
 *
 * Known answer (Erlang C).  With offered load a = lambda / mu and teller
 * utilization rho = a / c < 1, an arriving customer has to wait with
 * probability
 *
 *     P_wait = (a^c / c!) / (1 - rho)
 *              / (sum_{k=0}^{c-1} a^k / k!  +  (a^c / c!) / (1 - rho))
 *
 * and the mean wait in line is W_q = P_wait / (c mu - lambda); the mean
 * number waiting is lambda W_q (Little) and the tellers are busy a
 * fraction rho of the time.  For c = 3, lambda = 2.4, mu = 1: a = 2.4,
 * rho = 0.8, the sum is 1 + 2.4 + 2.88 = 6.28, a^3/3! / 0.2 = 11.52, so
 * P_wait = 11.52 / 17.8 = 0.64719 and W_q = 0.64719 / 0.6 = 1.07865.
 * c = 1 is the M/M/1 queue: W_q = rho / (mu - lambda).
 *
 * The model reports that value beside the simulated one (scalar
 * erlang_c_wait), so a run can be checked against the theory at a glance.
 * Arrivals never stop: the experiment file's `until` ends each run.
 *
 * Warm-up: the experiment file's `warmup = T;` needs no code here.  The
 * model keeps its statistics in a usim_tally and usim_levels initialised
 * in setup, which libusim resets at T: mean_wait then counts the customers
 * whose service starts at or after T, and the time averages cover [T,
 * until].
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

/* Parameters: setup reads each by its name (usim_param), once. */
static const usim_param_desc bank_params[] = {
    {"arrival_rate", USIM_PARAM_REAL, 2.4, 1e-9, 1e9, "1/time",
     "mean customer arrivals per time unit (lambda)", NULL, NULL},
    {"service_rate", USIM_PARAM_REAL, 1.0, 1e-9, 1e9, "1/time",
     "mean services per time unit of one teller (mu)", NULL, NULL},
    {"tellers", USIM_PARAM_INT, 3, 1, 1000, "", "tellers (c)", NULL, NULL},
};

/* Scalars: one number per run each, set in finish.  Every name set with
 * usim_sim_scalar_set must be declared here. */
static const usim_output_desc bank_scalars[] = {
    {"mean_wait", "time", "mean time in line before service (customers counted)"},
    {"erlang_c_wait", "time", "the theory's mean wait in line (Erlang C)"},
    {"customers_counted", "",
     "customers in mean_wait: served, service started after the warm-up"},
    {"utilization", "", "time-weighted fraction of the tellers busy"},
    {"mean_waiting", "", "time-weighted mean number of customers in line"},
};

/* Traces: time series, recorded only if the experiment file asks for
 * them (traces: { waiting = { mode = "change"; }; }). */
static const usim_output_desc bank_traces[] = {
    {"waiting", "", "customers in line, at each change"},
    {"wait", "time", "each customer's wait, when the service starts"},
};

/* Everything a run needs lives in this struct, allocated by setup: runs
 * execute side by side on several threads, so nothing may be kept in
 * static or global variables (see models/README.md). */
typedef struct bank {
    double mean_interarrival, mean_service;
    long tellers;
    usim_resource counter; /* the tellers: one unit each */
    bool counter_ready;    /* counter initialised (teardown destroys it) */
    usim_rng arrivals, service;
    usim_tally waits;       /* waits of the customers served */
    long waiting, busy;     /* customers in line, tellers serving */
    usim_level waiting_lvl; /* their time-weighted means */
    usim_level busy_lvl;
    usim_trace *tr_waiting, *tr_wait; /* NULL when not asked for */
} bank;

static void set_waiting(bank *b, long n)
{
    b->waiting = n;
    usim_level_set(&b->waiting_lvl, usim_now(), (double)n);
    usim_trace_record(b->tr_waiting, (double)n); /* no-op on NULL */
}

static void set_busy(bank *b, long n)
{
    b->busy = n;
    usim_level_set(&b->busy_lvl, usim_now(), (double)n);
}

/* One customer, from arrival to departure.  The task starts at its
 * spawn, so the current time is the arrival time. */
static void *customer_task(void *arg)
{
    bank *b = arg;
    double arrival = usim_now();
    set_waiting(b, b->waiting + 1);
    /* Waits for a teller; the block's end gives the teller back, also
     * when the sleep is cut short because the run ends. */
    USIM_WITH_RESOURCE(&b->counter, 1)
    {
        double wait = usim_now() - arrival;
        set_waiting(b, b->waiting - 1);
        set_busy(b, b->busy + 1);
        usim_trace_record(b->tr_wait, wait);
        if (usim_sleep(usim_exponential(&b->service, b->mean_service)) != 0)
            break; /* cancelled: the run is over, record nothing more */
        set_busy(b, b->busy - 1);
        usim_tally_add(&b->waits, wait);
    }
    return NULL;
}

/* The door: spawns a customer at every arrival, until the run ends
 * (usim_sleep then returns non-zero). */
static void *arrivals_task(void *arg)
{
    bank *b = arg;
    /* Detached: a customer's task is freed when it leaves; nobody joins. */
    const usim_spawn_opts detached = {.detached = true};
    while (usim_sleep(usim_exponential(&b->arrivals, b->mean_interarrival)) == 0) {
        if (usim_spawn_ex(customer_task, b, "customer", &detached) == NULL)
            usim_fail("bank: cannot spawn a customer: %s", usim_errmsg());
    }
    return NULL;
}

/* Erlang C mean wait in line, by the recurrences term_k = term_{k-1} a / k
 * (no factorial overflows for large c). */
static double erlang_c_wait(double lambda, double mu, long c)
{
    double a = lambda / mu, rho = a / (double)c;
    double term = 1, sum = 0; /* term = a^k / k! */
    for (long k = 0; k < c; k++) {
        sum += term;
        term *= a / (double)(k + 1);
    }
    double tail = term / (1 - rho);
    return tail / (sum + tail) / ((double)c * mu - lambda);
}

static int bank_setup(usim_sim *sim, const usim_params *p, void **state)
{
    /* Looked up by name here, once, and kept in the state: a lookup
     * compares names, too slow for the tasks' loops. */
    double lambda = usim_param(p, "arrival_rate"), mu = usim_param(p, "service_rate");
    long c = (long)usim_param(p, "tellers");
    /* usim-batch has checked each value against its range; a rule that
     * ties parameters together is the model's to check.  The message is
     * the run's error message in /runs. */
    if (lambda >= (double)c * mu)
        return usim_error(USIM_EINVAL,
                          "bank: arrival_rate %g >= tellers %ld x service_rate %g: "
                          "the line grows without bound",
                          lambda, c, mu);
    bank *b = calloc(1, sizeof *b);
    if (b == NULL)
        return usim_error(USIM_ENOMEM, "bank: out of memory");
    *state = b; /* teardown frees it, whatever setup returns from here */
    b->mean_interarrival = 1 / lambda;
    b->mean_service = 1 / mu;
    b->tellers = c;
    int rc = usim_resource_init(&b->counter, c, "tellers");
    if (rc != 0)
        return rc;
    b->counter_ready = true;
    /* A stream's numbers depend on the experiment seed, the run id and
     * the stream's name only: the arrivals do not change when the service
     * draws do. */
    usim_sim_rng_stream(sim, &b->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &b->service, "service");
    usim_tally_init(&b->waits);
    usim_level_init(&b->waiting_lvl, 0, 0);
    usim_level_init(&b->busy_lvl, 0, 0);
    b->tr_waiting = usim_sim_trace(sim, "waiting");
    b->tr_wait = usim_sim_trace(sim, "wait");
    if (usim_sim_spawn(sim, arrivals_task, b, "arrivals") == NULL)
        return usim_error(USIM_ENOMEM, "bank: cannot spawn the tasks");
    return 0;
}

static void bank_finish(usim_sim *sim, void *state)
{
    bank *b = state;
    double now = usim_sim_now(sim);
    double lambda = 1 / b->mean_interarrival, mu = 1 / b->mean_service;
    usim_sim_scalar_set(sim, "mean_wait", usim_tally_mean(&b->waits)); /* NaN: none */
    usim_sim_scalar_set(sim, "erlang_c_wait", erlang_c_wait(lambda, mu, b->tellers));
    usim_sim_scalar_set(sim, "customers_counted", (double)usim_tally_count(&b->waits));
    usim_sim_scalar_set(sim, "utilization",
                        usim_level_mean(&b->busy_lvl, now) / (double)b->tellers);
    usim_sim_scalar_set(sim, "mean_waiting", usim_level_mean(&b->waiting_lvl, now));
}

/* Runs after the simulation is destroyed: its tasks have all unwound, so
 * nobody holds or waits for a teller any more. */
static void bank_teardown(void *state)
{
    bank *b = state;
    if (b->counter_ready)
        usim_resource_destroy(&b->counter);
    free(b);
}

static const usim_model bank_model = {
    .abi = USIM_MODEL_ABI,
    .name = "bank",
    .description = "a bank with c tellers (M/M/c): Poisson arrivals, one line, "
                   "exponential services",
    .params = bank_params,
    .n_params = USIM_ARRAY_LEN(bank_params),
    .scalars = bank_scalars,
    .n_scalars = USIM_ARRAY_LEN(bank_scalars),
    .traces = bank_traces,
    .n_traces = USIM_ARRAY_LEN(bank_traces),
    .setup = bank_setup,
    .finish = bank_finish,
    .teardown = bank_teardown,
};

USIM_MODEL_EXPORT(bank_model)
