/*
 * mm1 — the headline kernel benchmark: an M/M/1 queue written with the
 * primitives.  An arrival task puts N customers into an unbounded queue
 * (exponential inter-arrival times, rate 0.9); one server task takes them
 * and serves each for an exponential time (rate 1.0).  Every customer
 * costs the kernel two timed waits, a put and a get (with a hand-off and
 * a turn point whenever the server is idle).
 *
 *     mm1 N [seed [order]]
 *
 * order is a turn order's name (fifo, the default; lifo, random, musim):
 * musim's extra postpones are what BENCHMARKS.md measures with it.
 * Prints one line: bench=mm1 customers=N mean_system_time=... wall_s=...
 * Theory (M/M/1): mean system time 1/(mu - lambda) = 10.0; the sample
 * mean converges slowly at rho = 0.9 (strong autocorrelation), within a
 * few percent for N = 1e6.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "usim.h"

#define ARRIVAL_RATE 0.9
#define SERVICE_RATE 1.0

typedef struct customer {
    double arrival;
} customer;

typedef struct mm1 {
    long n;
    customer *customers; /* preallocated: no allocation while running */
    usim_queue queue;
    double total_system_time;
    long served;
} mm1;

static void *arrivals(void *arg)
{
    mm1 *m = arg;
    usim_rng rng;
    usim_rng_stream(&rng, "arrival");
    for (long i = 0; i < m->n; i++) {
        if (usim_sleep(usim_exponential(&rng, 1.0 / ARRIVAL_RATE)) != 0)
            break;
        m->customers[i].arrival = usim_now();
        if (usim_queue_put(&m->queue, &m->customers[i]) != 0)
            break;
    }
    usim_queue_close(&m->queue);
    return NULL;
}

static void *server(void *arg)
{
    mm1 *m = arg;
    usim_rng rng;
    usim_rng_stream(&rng, "service");
    USIM_FOR_EACH_ITEM (&m->queue, item) {
        customer *c = item;
        if (usim_sleep(usim_exponential(&rng, 1.0 / SERVICE_RATE)) != 0)
            break;
        m->total_system_time += usim_now() - c->arrival;
        m->served++;
    }
    return NULL;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: mm1 CUSTOMERS [SEED [ORDER]]\n");
        return 2;
    }
    mm1 m = {.n = atol(argv[1])};
    if (m.n < 1) {
        fprintf(stderr, "mm1: CUSTOMERS must be >= 1\n");
        return 2;
    }
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1e-9;
    if (argc >= 3)
        cfg.seed = strtoull(argv[2], NULL, 10);
    if (argc == 4 && usim_order_parse(argv[3], &cfg.order) != 0) {
        fprintf(stderr, "mm1: %s\n", usim_errmsg());
        return 2;
    }

    int status = 1;
    m.customers = malloc((size_t)m.n * sizeof *m.customers);
    if (!m.customers)
        goto out;
    if (usim_queue_init(&m.queue, 0, "customers") != 0)
        goto out_customers;
    usim_sim *sim = usim_sim_create(&cfg);
    if (!sim)
        goto out_queue;
    if (!usim_sim_spawn(sim, arrivals, &m, "arrivals") ||
        !usim_sim_spawn(sim, server, &m, "server"))
        goto out_sim;

    double t0 = wall_now();
    usim_status st = usim_sim_run(sim, INFINITY);
    double wall = wall_now() - t0;
    if (st != USIM_DONE || m.served != m.n) {
        fprintf(stderr, "mm1: run ended %s after %ld of %ld customers: %s\n",
                usim_status_name(st), m.served, m.n,
                usim_sim_error(sim) ? usim_sim_error(sim) : "");
        goto out_sim;
    }
    printf("bench=mm1 customers=%ld mean_system_time=%.4f sim_time=%.1f "
           "events=%llu wall_s=%.4f\n",
           m.n, m.total_system_time / (double)m.served, usim_sim_now(sim),
           (unsigned long long)usim_sim_events(sim), wall);
    status = 0;
out_sim:
    usim_sim_destroy(sim);
out_queue:
    usim_queue_destroy(&m.queue);
out_customers:
    free(m.customers);
out:
    if (status)
        fprintf(stderr, "mm1: %s\n", usim_errmsg() ? usim_errmsg() : "failed");
    return status;
}
