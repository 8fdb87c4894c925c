/*
 * switch N — ping-pongs two coroutines N round trips (2N switches) and
 * prints ns_per_switch.  Measures the context switch alone: the two
 * coroutines switch to each other directly, no scheduler in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "coro/coro.h"

static coro main_ctx_unused, a, b;
static long rounds;

static void ping(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++)
        coro_switch(&a, &b);
    coro_exit();
}

static void pong(void *arg)
{
    (void)arg;
    for (;;)
        coro_switch(&b, &a);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    (void)main_ctx_unused;
    rounds = argc > 1 ? atol(argv[1]) : 10000000;
    if (rounds <= 0) {
        fprintf(stderr, "usage: switch N (N > 0 round trips)\n");
        return 2;
    }
    if (coro_create(&a, ping, NULL, 65536, true) != 0 ||
        coro_create(&b, pong, NULL, 65536, true) != 0) {
        perror("switch: coro_create");
        return 1;
    }
    double t0 = now_s();
    coro_resume(&a); /* returns when ping exits */
    double dt = now_s() - t0;
    coro_destroy(&a);
    coro_destroy(&b);
    printf("bench=switch round_trips=%ld switches=%ld wall_s=%.6f ns_per_switch=%.3f\n",
           rounds, 2 * rounds, dt, dt * 1e9 / (2.0 * (double)rounds));
    return 0;
}
