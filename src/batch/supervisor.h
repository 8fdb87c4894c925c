/*
 * supervisor.h — keeps a model bug from sinking a batch.
 *
 * usim-batch runs its runs in a worker process (OpenMP threads inside it,
 * as without a supervisor) and watches it from the parent:
 *
 *  - a run still in flight past its wall-clock limit (with a margin) has
 *    looped without yielding, where the kernel's own check between events
 *    cannot stop it: the worker is killed;
 *  - a worker that dies of a signal names, through its crash recorder
 *    (watch.h), the run and task the signal hit;
 *
 * and in both cases the culprit run is quarantined: a new worker resumes
 * the output from its journal, records the culprit as failed (or over its
 * limit) with the reason, runs again the runs that were in flight beside
 * it, and goes on with the rest.  A worker that dies without naming a
 * culprit (killed from outside, an exit in model code) makes the runs in
 * flight suspects: they are run again one at a time, so the next death
 * names one.  A death with no run in flight is not a model's: the
 * supervisor stops (exit 3), the output stays resumable.
 *
 * SIGINT and SIGTERM reach the worker (forwarded unless it caught them
 * itself: a terminal's Ctrl-C goes to both); a second one kills it at once.
 */
#ifndef USIM_BATCH_SUPERVISOR_H
#define USIM_BATCH_SUPERVISOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/result.h"
#include "batch/watch.h"

/* A run the next worker records without running it. */
typedef struct quarantined {
    uint64_t run;
    run_status status; /* RUN_FAILED (crash) or RUN_LIMIT (no yield) */
    char *message;
} quarantined;

/* What one worker is to do. */
typedef struct worker_plan {
    watch *w;             /* to record its runs in */
    bool resume;          /* continue the output (false: only the first) */
    bool continues;       /* a worker after a dead one: the same invocation */
    const quarantined *q; /* record these as failed first */
    size_t nq;
    const uint64_t *only; /* if set: only these runs, one at a time, and */
    size_t nonly;         /* leave the output unfinished (resumable) */
    int threads;          /* worker threads */
} worker_plan;

typedef struct supervisor_job {
    double wall_limit_s; /* a run's wall-clock limit, 0: none */
    int threads;
    bool resume; /* the user's --resume (--force and create otherwise) */
    /* Runs in the worker process; returns its exit status. */
    int (*work)(void *ctx, const worker_plan *plan);
    void *ctx;
} supervisor_job;

/*
 * Runs job->work in worker processes until one ends by itself, and
 * returns that worker's exit status (or 128 + the signal after SIGINT /
 * SIGTERM, or 3 if a worker died outside any run).  `stop` is set by the
 * caller's SIGINT/SIGTERM handler (the signal number).
 */
int supervise(const supervisor_job *job, volatile sig_atomic_t *stop);

#endif
