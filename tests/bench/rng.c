/*
 * rng N — ns per draw of the generator and the main distributions, with
 * the plain methods they replace for comparison: exponential by inversion
 * (-mean log u) and normal by Marsaglia's polar Box-Muller.  Prints one
 * line: bench=rng draws=N ns_u01=... ns_uniform=... ns_exponential=...
 * ns_exponential_inv=... ns_normal=... ns_normal_polar=...
 * Times are the thread's CPU time, so that a loaded machine inflates them
 * less than wall time would.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "usim.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double exponential_inv(usim_rng *r, double mean)
{
    return -mean * log(usim_rng_u01(r));
}

/* Polar Box-Muller: two normals per accepted pair, the second cached. */
typedef struct polar {
    double spare;
    int has_spare;
} polar;

static double normal_polar(usim_rng *r, polar *p, double mu, double sigma)
{
    if (p->has_spare) {
        p->has_spare = 0;
        return mu + sigma * p->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * usim_rng_u01(r) - 1.0;
        v = 2.0 * usim_rng_u01(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0);
    double f = sqrt(-2.0 * log(s) / s);
    p->spare = v * f;
    p->has_spare = 1;
    return mu + sigma * u * f;
}

enum { U01, UNIFORM, EXPONENTIAL, EXPONENTIAL_INV, NORMAL, NORMAL_POLAR, NKINDS };
static const char *const names[NKINDS] = {"ns_u01",         "ns_uniform",
                                          "ns_exponential", "ns_exponential_inv",
                                          "ns_normal",      "ns_normal_polar"};

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    if (n <= 0) {
        fprintf(stderr, "usage: rng N (N > 0 draws per distribution)\n");
        return 2;
    }
    double ns[NKINDS], sink = 0.0;
    for (int k = 0; k < NKINDS; k++) {
        usim_rng r;
        usim_rng_init(&r, 1, 0, (uint32_t)k);
        polar p = {0.0, 0};
        double sum = 0.0, t0 = now_s();
        switch (k) {
        case U01:
            for (long i = 0; i < n; i++)
                sum += usim_rng_u01(&r);
            break;
        case UNIFORM:
            for (long i = 0; i < n; i++)
                sum += usim_uniform(&r, 1.0, 2.0);
            break;
        case EXPONENTIAL:
            for (long i = 0; i < n; i++)
                sum += usim_exponential(&r, 1.0);
            break;
        case EXPONENTIAL_INV:
            for (long i = 0; i < n; i++)
                sum += exponential_inv(&r, 1.0);
            break;
        case NORMAL:
            for (long i = 0; i < n; i++)
                sum += usim_normal(&r, 0.0, 1.0);
            break;
        case NORMAL_POLAR:
            for (long i = 0; i < n; i++)
                sum += normal_polar(&r, &p, 0.0, 1.0);
            break;
        }
        ns[k] = (now_s() - t0) * 1e9 / (double)n;
        sink += sum;
    }
    if (!isfinite(sink)) /* keeps the sums, and so the draws, alive */
        return 1;
    printf("bench=rng draws=%ld", n);
    for (int k = 0; k < NKINDS; k++)
        printf(" %s=%.2f", names[k], ns[k]);
    printf("\n");
    return 0;
}
