/*
 * bank_main.c — the bank of bank.c (c tellers, one line: M/M/c) as a
 * program of its own, written against usim.h alone: no usim-batch, no
 * model descriptor.
 *
 * What usim-batch does for a model is done here by hand: one simulation
 * per replication with its own run id (so its own random numbers), the
 * run up to a fixed end time, the results read after the run, and the
 * mean over the replications with a 95 % confidence interval.  It prints
 *
 *     mean_wait 1.0755 ci95 0.0389 erlang_c 1.07865 replications 10
 *
 * (the numbers of seed 1) and exits 0; the Erlang C value (see bank.c)
 * lies within the interval 19 times out of 20 over seeds.  Build it with
 * the Makefile beside it; it takes no arguments.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include <usim.h>

#define TELLERS 3
#define ARRIVAL_RATE 2.4 /* lambda: rho = lambda / (TELLERS * mu) = 0.8 */
#define SERVICE_RATE 1.0 /* mu, per teller */
#define UNTIL 20000.0    /* end of each replication */
#define WARMUP 1000.0    /* customers arriving earlier are not counted */
#define REPLICATIONS 10
#define SEED 1
/* Student's t quantile t(0.975, REPLICATIONS - 1 = 9 degrees of freedom). */
#define T_975_9 2.2622

typedef struct bank {
    usim_resource tellers;
    usim_rng arrivals, service;
    usim_tally waits; /* of customers arriving after WARMUP, served */
} bank;

static void *customer_task(void *arg)
{
    bank *b = arg;
    double arrival = usim_now();
    USIM_WITH_RESOURCE(&b->tellers, 1)
    {
        double wait = usim_now() - arrival;
        if (usim_sleep(usim_exponential(&b->service, 1 / SERVICE_RATE)) != 0)
            break; /* the simulation is being destroyed */
        if (arrival >= WARMUP)
            usim_tally_add(&b->waits, wait);
    }
    return NULL;
}

static void *arrivals_task(void *arg)
{
    bank *b = arg;
    const usim_spawn_opts detached = {.detached = true};
    while (usim_sleep(usim_exponential(&b->arrivals, 1 / ARRIVAL_RATE)) == 0) {
        if (usim_spawn_ex(customer_task, b, "customer", &detached) == NULL)
            usim_fail("cannot spawn a customer: %s", usim_errmsg());
    }
    return NULL;
}

/* One replication: its mean wait, or NAN after printing why it failed. */
static double replicate(unsigned run)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.seed = SEED;
    cfg.run = run; /* the streams of each run are independent */
    usim_sim *sim = usim_sim_create(&cfg);
    if (sim == NULL) {
        fprintf(stderr, "bank_main: cannot create a simulation: %s\n", usim_errmsg());
        return NAN;
    }
    bank b;
    usim_tally_init(&b.waits);
    usim_sim_rng_stream(sim, &b.arrivals, "arrivals");
    usim_sim_rng_stream(sim, &b.service, "service");
    double mean = NAN;
    if (usim_resource_init(&b.tellers, TELLERS, "tellers") != 0) {
        fprintf(stderr, "bank_main: %s\n", usim_errmsg());
        usim_sim_destroy(sim);
        return NAN;
    }
    if (usim_sim_spawn(sim, arrivals_task, &b, "arrivals") == NULL) {
        fprintf(stderr, "bank_main: cannot spawn: %s\n", usim_errmsg());
    } else {
        /* Arrivals never stop, so a healthy run is still busy at UNTIL. */
        usim_status st = usim_sim_run(sim, UNTIL);
        if (st == USIM_PAUSED)
            mean = usim_tally_mean(&b.waits);
        else
            fprintf(stderr, "bank_main: run %u ended %s: %s\n", run,
                    usim_status_name(st), usim_sim_error(sim));
    }
    /* Destroying the simulation cancels the customers still inside; their
     * USIM_WITH_RESOURCE blocks give their tellers back as they unwind, so
     * the resource is destroyed after it. */
    usim_sim_destroy(sim);
    usim_resource_destroy(&b.tellers);
    return mean;
}

/* Erlang C mean wait in line, as in bank.c. */
static double erlang_c_wait(double lambda, double mu, int c)
{
    double a = lambda / mu, rho = a / c, term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double tail = term / (1 - rho);
    return tail / (sum + tail) / (c * mu - lambda);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: %s (no arguments: the parameters are #defines)\n",
                argv[0]);
        return 2;
    }
    usim_tally means; /* one value per replication */
    usim_tally_init(&means);
    for (unsigned run = 0; run < REPLICATIONS; run++) {
        double m = replicate(run);
        if (isnan(m))
            return 1;
        usim_tally_add(&means, m);
    }
    double half = T_975_9 * usim_tally_sd(&means) / sqrt(REPLICATIONS);
    printf("mean_wait %.4f ci95 %.4f erlang_c %.5f replications %d\n",
           usim_tally_mean(&means), half,
           erlang_c_wait(ARRIVAL_RATE, SERVICE_RATE, TELLERS), REPLICATIONS);
    return 0;
}
