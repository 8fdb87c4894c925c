/*
 * many N [K] — N concurrent tasks in one simulation, each sleeping a
 * random time (uniform on [0, 1)) K times (default 10).  Stacks are 16 KiB
 * from slabs (no guard pages: a million guarded stacks would need two
 * million mappings, far above vm.max_map_count).  Prints events_per_s and
 * the process's peak resident set size.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "usim.h"

static long k_sleeps = 10;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *sleeper(void *arg)
{
    uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
    for (long i = 0; i < k_sleeps; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        if (usim_sleep((double)(s >> 11) * 0x1p-53) != 0)
            break;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    if (argc > 2)
        k_sleeps = atol(argv[2]);
    if (n <= 0 || k_sleeps < 0) {
        fprintf(stderr, "usage: many N [K] (N tasks, K sleeps each)\n");
        return 2;
    }
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.stack_size = 16384;
    cfg.stack_guard = false;
    usim_sim *sim = usim_sim_create(&cfg);
    if (!sim) {
        fprintf(stderr, "many: %s\n", usim_errmsg());
        return 1;
    }
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        usim_spawn_opts o = {.detached = true};
        if (!usim_sim_spawn_ex(sim, sleeper, (void *)(uintptr_t)(i + 1), "sleeper",
                               &o)) {
            fprintf(stderr, "many: spawn %ld: %s\n", i, usim_errmsg());
            return 1;
        }
    }
    usim_status st = usim_sim_run(sim, INFINITY);
    double dt = now_s() - t0;
    uint64_t events = usim_sim_events(sim);
    if (st != USIM_DONE) {
        fprintf(stderr, "many: run ended %s: %s\n", usim_status_name(st),
                usim_sim_error(sim) ? usim_sim_error(sim) : "");
        return 1;
    }
    usim_sim_destroy(sim);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench=many tasks=%ld sleeps=%ld events=%llu wall_s=%.3f events_per_s=%.0f "
           "peak_rss_kib=%ld\n",
           n, k_sleeps, (unsigned long long)events, dt, (double)events / dt,
           ru.ru_maxrss);
    return 0;
}
