/*
 * h5writer.c — drives h5out with synthetic runs and a checkpoint after
 * every run, so that a SIGKILL at a random moment often lands while a
 * snapshot of PATH is being written or renamed: the worst case for the
 * file (crash.sh).
 *
 *   h5writer PATH NRUNS            create, write runs 0..NRUNS-1, finish
 *   h5writer --resume PATH NRUNS   resume, write the runs not done, finish
 *
 * Run r has a trace of 2000 + 37 r points and r % 4 drift groups, all
 * values functions of r, so any two complete files compare equal.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/h5out.h"

static const char *const params[] = {"x"};
static const char *const types[] = {"real"};
static const char *const scalars[] = {"a", "b"};
static const char *const traces[] = {"level"};

static run_result *make(uint64_t run)
{
    run_result *r = calloc(1, sizeof *r);
    r->run = r->point = run;
    r->end_time = (double)run;
    r->events = run * 3;
    r->nparams = 1;
    r->params = malloc(sizeof(double));
    r->params[0] = (double)run / 10;
    r->nscalars = 2;
    r->scalars = malloc(2 * sizeof(double));
    r->scalars[0] = sqrt((double)run);
    r->scalars[1] = -(double)run;
    r->ndrift = run % 4;
    r->drift = calloc(r->ndrift + 1, sizeof *r->drift);
    for (size_t i = 0; i < r->ndrift; i++) {
        r->drift[i].task = strdup(i ? "worker" : "source");
        r->drift[i].st.waits = run + i;
        r->drift[i].st.final = 1e-9 * (double)i;
    }
    r->ntraces = 1;
    r->traces = calloc(1, sizeof *r->traces);
    size_t n = 2000 + 37 * run;
    r->traces[0].n = n;
    r->traces[0].t = malloc(n * sizeof(double));
    r->traces[0].v = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        r->traces[0].t[i] = (double)i;
        r->traces[0].v[i] = (double)((i * 7919 + run) % 1000);
    }
    return r;
}

int main(int argc, char **argv)
{
    int resume = argc == 4 && !strcmp(argv[1], "--resume");
    if (argc != 3 + resume) {
        fprintf(stderr, "usage: h5writer [--resume] PATH NRUNS\n");
        return 2;
    }
    const char *path = argv[1 + resume];
    uint64_t nruns = strtoull(argv[2 + resume], NULL, 10);
    h5out_spec s = {.config = "synthetic",
                    .model = "h5writer",
                    .description = "",
                    .seed = 1,
                    .nruns = nruns,
                    .npoints = nruns,
                    .replications = 1,
                    .nparams = 1,
                    .params = params,
                    .param_types = types,
                    .nscalars = 2,
                    .scalars = scalars,
                    .ntraces = 1,
                    .traces = traces,
                    .compression = 1};
    uint8_t *done = calloc(nruns + 1, 1);
    h5out *o;
    char err[512];
    int rc = resume ? h5out_resume(&o, &s, path, false, done, err, sizeof err)
                    : h5out_create(&o, &s, path, true, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "h5writer: %s\n", err);
        return 3;
    }
    for (uint64_t run = 0; run < nruns; run++) {
        if (done[run])
            continue;
        run_result *r = make(run);
        rc = h5out_write_run(o, r);
        run_result_free(r);
        if (rc == 0)
            rc = h5out_checkpoint(o);
        if (rc < 0)
            break;
    }
    if (rc == 0)
        rc = h5out_finish(o);
    if (rc < 0)
        fprintf(stderr, "h5writer: %s\n", h5out_errmsg(o));
    h5out_close(o);
    free(done);
    return rc < 0 ? 3 : 0;
}
