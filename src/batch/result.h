/*
 * result.h — one run's results, as a worker hands them to the writer.
 *
 * Workers fill a run_result from the finished simulation (after the model's
 * finish hook); the single writer thread passes it to h5out_write_run()
 * and frees it.  Everything is owned by the record (run_result_free).
 */
#ifndef USIM_BATCH_RESULT_H
#define USIM_BATCH_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "usim.h"

/* Status of a run, as stored in /runs.status. */
typedef enum run_status {
    RUN_OK,
    RUN_FAILED,
    RUN_LIMIT,
    RUN_DEADLOCK,
    RUN_PENDING,
    /* Precision mode: a replication the target did not need (not run). */
    RUN_UNNEEDED,
} run_status;
#define RUN_STATUS_LAST RUN_UNNEEDED

/* "ok", "failed", "limit", "deadlock", "pending", "unneeded" (the stored
 * names). */
const char *run_status_name(run_status s);
/* The status a stored name stands for; false if it names none. */
bool run_status_parse(const char *name, run_status *s);
/* Whether a finished run counts against the batch: it ran and did not end
 * ok (pending and unneeded runs did not run). */
static inline bool run_status_failed(run_status s)
{
    return s != RUN_OK && s != RUN_PENDING && s != RUN_UNNEEDED;
}

typedef struct run_drift {
    char *task; /* task name group */
    usim_drift_stats st;
} run_drift;

typedef struct run_trace {
    size_t n;
    double *t, *v;
} run_trace;

typedef struct run_result {
    uint64_t run, point, replication; /* a pilot's replication: its index k */
    bool pilot;                       /* a pilot run (runspace.h) */
    double warmup;                    /* when its statistics started (0: at 0) */
    run_status status;
    char *message;   /* NULL when ok */
    double end_time; /* simulated time at the end */
    uint64_t events;
    double wall_s;
    size_t nparams; /* the model's parameters, descriptor order */
    double *params;
    size_t nscalars; /* the model's declared scalars, descriptor order; */
    double *scalars; /* NaN where the run did not set one */
    size_t ndrift;
    run_drift *drift;
    size_t ntraces; /* the experiment's enabled traces, config order */
    run_trace *traces;
    /* The run's per-wait drift distribution (usim_sim_drift_hist); zeros
     * for a run that did not run. */
    uint64_t drift_hist[USIM_DRIFT_BINS];
    /* The runner's: the worker that made it, which also frees it. */
    size_t worker;
    struct run_result *next_garbage;
    /* Members that point into [the record, block_end) share the record's
     * own allocation and are not freed on their own (run_result_block):
     * one malloc per record instead of one per array.  NULL: none do. */
    const void *block_end;
} run_result;

/* A record whose members may point into `extra` bytes that follow it in
 * the same allocation (run_result_extra; aligned for any type), which
 * run_result_free does not free on their own.  The record is zeroed, the
 * extra bytes are not.  NULL if memory runs out. */
run_result *run_result_block(size_t extra);
/* The record's bytes in such a block, rounded up to that alignment. */
#define RUN_RESULT_HEAD                                                                \
    ((sizeof(run_result) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) *        \
     _Alignof(max_align_t))
/* The first of a run_result_block record's extra bytes. */
static inline void *run_result_extra(run_result *r)
{
    return (char *)r + RUN_RESULT_HEAD;
}

void run_result_free(run_result *r);
/* About the memory a result holds: its traces and a row's worth. */
size_t run_result_bytes(const run_result *r);

#endif
