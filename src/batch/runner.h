/*
 * runner.h — runs the runs of an experiment in parallel.
 *
 * OpenMP worker threads take runs one at a time (dynamic schedule: runs
 * of a sweep differ a lot in length); each run is one simulation on the
 * worker's thread, from creation to destruction.  Workers hand their
 * run_result to one writer thread through a small bounded queue; only the
 * writer calls h5out and draws the progress.
 */
#ifndef USIM_BATCH_RUNNER_H
#define USIM_BATCH_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch/experiment.h"
#include "batch/h5out.h"
#include "batch/result.h"
#include "batch/supervisor.h"
#include "batch/watch.h"

typedef struct runner_opts {
    int threads;          /* >= 1 */
    const uint64_t *runs; /* the runs to do, ascending */
    size_t nruns;
    bool quiet;         /* no progress */
    FILE *progress_out; /* stderr */
    /* Set (by a signal handler) to stop: runs not yet started are skipped,
     * runs in flight finish and are written. May be NULL. */
    volatile sig_atomic_t *stop;
    /* If set, the writer thread hands every result to sink (in the order
     * the runs finish), after writing it if there is an output; the
     * result is freed after. */
    void (*sink)(const run_result *r, void *ctx);
    void *sink_ctx;
    /* If set, each worker thread records there which run it is in (the
     * supervisor's view, supervisor.h). */
    watch *watch;
    /* Per point: the warm-up of its main runs (pilots have none).  NULL:
     * the experiment's fixed warm-up. */
    const double *warmup;
} runner_opts;

typedef struct runner_stats {
    uint64_t done;    /* runs written */
    uint64_t failed;  /* of which status != ok */
    uint64_t skipped; /* not started because of a stop */
    uint64_t events;
    double wall_s;
} runner_stats;

/*
 * Runs one run of `e` on the calling thread and returns its results
 * (NULL only if memory ran out).  A failing run is a result with its
 * status and message, not an error.
 */
run_result *runner_run_one(const experiment *e, uint64_t run);
/* The same with the statistics starting at `warmup` (0: at 0). */
run_result *runner_run_at(const experiment *e, uint64_t run, double warmup);

/* The result of a run that is not run: its parameters, no scalars (NaN),
 * drift or traces, and the given status and message (NULL if memory ran
 * out). */
run_result *runner_unrun_result(const experiment *e, uint64_t run, run_status status,
                                const char *message);

/* In a worker process: the runs the supervisor quarantined (plan->q, those
 * not done yet; none if plan is NULL) as unrun results to put, each then
 * counted in plan->w and marked in done.  0, -ENOMEM, or put's negative
 * code. */
int runner_record_quarantined(const experiment *e, const worker_plan *plan,
                              uint8_t *done, int (*put)(const run_result *r, void *arg),
                              void *arg);

/*
 * Runs opts->runs and writes each result to `o` (or gives it to
 * opts->sink; `o` may then be NULL).  Returns 0, or the first negative
 * H5OUT_E* code of the writer (then the remaining runs are skipped; err
 * says why).
 */
int runner_run(const experiment *e, h5out *o, const runner_opts *opts, runner_stats *st,
               char *err, size_t errlen);

#endif
