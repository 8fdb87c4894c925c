/*
 * bank_renege — a bank whose customers lose patience: the M/M/c+M queue.
 *
 * Customers arrive at exponential inter-arrival times (rate lambda =
 * arrival_rate, stream "arrivals"), each a task of its own.  A customer
 * queues for one of c tellers (a usim_resource of c units, FIFO) but
 * waits at most an exponential patience (rate theta = patience_rate,
 * stream "patience"): the request is bounded with usim_timeout, and a
 * customer whose request times out leaves the line (reneges).  A
 * customer who reaches a teller is served for an exponential time (rate
 * mu = service_rate, stream "service") and is patient from then on.
 * patience_rate = 0 is infinite patience: nobody reneges.  Arrivals never
 * stop; `until` ends the run.
 *
 * Parameters: arrival_rate, service_rate, tellers (c), patience_rate.
 * Scalars: arrivals, served, reneged, present (in line or at a teller
 * when the run ends), renege_probability (reneged / (served + reneged)),
 * mean_wait (of the served), and the theory's renege_probability_theory.
 * Traces: waiting (customers in line, at each change).
 *
 * Conservation (exact): every customer that arrived has been served,
 * has reneged or is still present, so
 *
 *     arrivals = served + reneged + present.
 *
 * arrivals, served and reneged are counted by the tasks as they happen;
 * present is read from the tellers' resource at the end (its waiters plus
 * its units in use), not from those counters.
 *
 * Theory (M/M/c+M, Palm's queue with exponential patience).  The number
 * in the bank N is a birth-death process: births at rate lambda, deaths
 * in state n at d_n = min(n, c) mu + max(n - c, 0) theta (services plus
 * renegings).  Its stationary law is pi_n = pi_0 prod_{k=1}^{n} lambda /
 * d_k, and the renegings happen at rate theta E[(N - c)^+], so the
 * fraction of customers who renege is
 *
 *     P_renege = theta E[(N - c)^+] / lambda = 1 - mu E[min(N, c)] / lambda,
 *
 * the second form by conservation (the served leave at mu E[min(N, c)]).
 * c = 1, lambda = mu = 1, theta = 0.5: prod_k = 1, 1, 1/1.5, 1/(1.5 * 2),
 * ... gives the terms 1, 1, 0.66667, 0.33333, 0.13333, 0.04444, 0.01270,
 * 0.00317, 0.00071, 0.00014, ..., summing to 3.19453, so pi_0 = 0.31304
 * and P_renege = 1 - (1 - pi_0) = pi_0 = 0.31304.  With theta = 0 it is
 * the M/M/c queue: no renegings and, for c = 1, the mean wait is rho /
 * (mu - lambda) (1 at lambda = 0.5, mu = 1).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum { P_ARRIVAL_RATE, P_SERVICE_RATE, P_TELLERS, P_PATIENCE_RATE };

static const usim_param_desc renege_params[] = {
    [P_ARRIVAL_RATE] = {"arrival_rate", USIM_PARAM_REAL, 1.0, 1e-9, 1e9, "1/time",
                        "mean customer arrivals per time unit (lambda)", NULL, NULL},
    [P_SERVICE_RATE] = {"service_rate", USIM_PARAM_REAL, 1.0, 1e-9, 1e9, "1/time",
                        "mean services per time unit of one teller (mu)", NULL, NULL},
    [P_TELLERS] = {"tellers", USIM_PARAM_INT, 1, 1, 1000, "", "tellers (c)", NULL,
                   NULL},
    [P_PATIENCE_RATE] = {"patience_rate", USIM_PARAM_REAL, 0.5, 0, 1e9, "1/time",
                         "1 / mean patience (theta); 0: infinitely patient", NULL,
                         NULL},
};

static const usim_output_desc renege_scalars[] = {
    {"arrivals", "", "customers arrived"},
    {"served", "", "customers whose service was completed"},
    {"reneged", "", "customers who left the line before reaching a teller"},
    {"present", "", "customers in line or at a teller when the run ended"},
    {"renege_probability", "", "reneged / (served + reneged)"},
    {"mean_wait", "time", "mean time in line of the served customers"},
    {"renege_probability_theory", "", "theory: M/M/c+M fraction of customers reneging"},
};

static const usim_output_desc renege_traces[] = {
    {"waiting", "", "customers in line, at each change"},
};

typedef struct renege {
    /* The parameters, read once in setup. */
    double lambda, mu, theta;
    long tellers;
    usim_resource counter;
    bool counter_ready;
    usim_rng arrivals, service, patience;
    uint64_t arrived, served, reneged;
    long waiting;
    double sum_wait;
    usim_trace *tr_waiting;
} renege;

static void set_waiting(renege *b, long n)
{
    b->waiting = n;
    usim_trace_record(b->tr_waiting, (double)n);
}

static void *customer_task(void *arg)
{
    renege *b = arg;
    double arrival = usim_now();
    set_waiting(b, b->waiting + 1);
    /* The deadline bounds the next blocking call only: the request.  If
     * a teller is free the request returns at once and the deadline is
     * dropped with it. */
    if (b->theta > 0)
        usim_timeout(usim_exponential(&b->patience, 1 / b->theta));
    int rc = usim_resource_request(&b->counter, 1, 0);
    if (rc == USIM_ETIMEDOUT) {
        set_waiting(b, b->waiting - 1);
        b->reneged++;
        return NULL;
    }
    if (rc != 0)
        return NULL; /* cancelled: the run is over, the customer is present */
    double wait = usim_now() - arrival;
    set_waiting(b, b->waiting - 1);
    if (usim_sleep(usim_exponential(&b->service, 1 / b->mu)) != 0)
        return NULL; /* cut off at the end: present, holding a teller */
    usim_resource_release(&b->counter, 1);
    b->served++;
    b->sum_wait += wait;
    return NULL;
}

static void *arrivals_task(void *arg)
{
    renege *b = arg;
    const usim_spawn_opts detached = {.detached = true};
    while (usim_sleep(usim_exponential(&b->arrivals, 1 / b->lambda)) == 0) {
        b->arrived++;
        if (usim_spawn_ex(customer_task, b, "customer", &detached) == NULL)
            usim_fail("bank_renege: cannot spawn a customer: %s", usim_errmsg());
    }
    return NULL;
}

/* The birth-death law summed until its terms no longer matter (they
 * fall faster than geometrically once theta > 0, or once n > c with
 * lambda < c mu).  NaN when the queue has no stationary law. */
static double renege_theory(double lambda, double mu, long c, double theta)
{
    if (theta == 0)
        return lambda < (double)c * mu ? 0 : NAN;
    double term = 1, sum = 1, busy = 0; /* term = pi_n / pi_0 */
    for (long n = 1; n < 100000000; n++) {
        double d = (double)(n < c ? n : c) * mu + (double)(n > c ? n - c : 0) * theta;
        term *= lambda / d;
        sum += term;
        busy += term * (double)(n < c ? n : c);
        if (n > c && term < 1e-17 * sum)
            break;
    }
    return 1 - mu * (busy / sum) / lambda;
}

static int renege_setup(usim_sim *sim, const usim_params *p, void **state)
{
    renege *b = calloc(1, sizeof *b);
    if (b == NULL)
        return usim_error(USIM_ENOMEM, "bank_renege: out of memory");
    *state = b;
    b->lambda = usim_param(p, "arrival_rate");
    b->mu = usim_param(p, "service_rate");
    b->tellers = (long)usim_param(p, "tellers");
    b->theta = usim_param(p, "patience_rate");

    if (b->theta == 0 && b->lambda >= (double)b->tellers * b->mu)
        return usim_error(USIM_EINVAL,
                          "bank_renege: arrival_rate %g >= tellers %ld x service_rate "
                          "%g with infinite patience: the line grows without bound",
                          b->lambda, b->tellers, b->mu);
    int rc = usim_resource_init(&b->counter, b->tellers, "tellers");
    if (rc != 0)
        return rc;
    b->counter_ready = true;
    usim_sim_rng_stream(sim, &b->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &b->service, "service");
    usim_sim_rng_stream(sim, &b->patience, "patience");
    b->tr_waiting = usim_sim_trace(sim, "waiting");
    if (usim_sim_spawn(sim, arrivals_task, b, "arrivals") == NULL)
        return usim_error(USIM_ENOMEM, "bank_renege: cannot spawn the arrivals");
    return 0;
}

static void renege_finish(usim_sim *sim, void *state)
{
    renege *b = state;
    /* Read from the resource, not from the counters the identity is
     * about: those waiting for a teller and those holding one. */
    double present = (double)usim_resource_waiting(&b->counter) +
                     (double)(b->tellers - usim_resource_available(&b->counter));
    double decided = (double)(b->served + b->reneged);
    usim_sim_scalar_set(sim, "arrivals", (double)b->arrived);
    usim_sim_scalar_set(sim, "served", (double)b->served);
    usim_sim_scalar_set(sim, "reneged", (double)b->reneged);
    usim_sim_scalar_set(sim, "present", present);
    usim_sim_scalar_set(sim, "renege_probability",
                        decided > 0 ? (double)b->reneged / decided : NAN);
    usim_sim_scalar_set(sim, "mean_wait",
                        b->served > 0 ? b->sum_wait / (double)b->served : NAN);
    usim_sim_scalar_set(sim, "renege_probability_theory",
                        renege_theory(b->lambda, b->mu, b->tellers, b->theta));
}

static void renege_teardown(void *state)
{
    renege *b = state;
    if (b->counter_ready)
        usim_resource_destroy(&b->counter);
    free(b);
}

const usim_model model_bank_renege = {
    .abi = USIM_MODEL_ABI,
    .name = "bank_renege",
    .description = "bank with impatient customers: M/M/c+M, reneging by usim_timeout",
    .params = renege_params,
    .n_params = USIM_ARRAY_LEN(renege_params),
    .scalars = renege_scalars,
    .n_scalars = USIM_ARRAY_LEN(renege_scalars),
    .traces = renege_traces,
    .n_traces = USIM_ARRAY_LEN(renege_traces),
    .setup = renege_setup,
    .finish = renege_finish,
    .teardown = renege_teardown,
};
