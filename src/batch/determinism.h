/*
 * determinism.h — usim-batch --check-determinism: does a run's result
 * depend on what else runs in the process?
 *
 * Runs execute concurrently on several threads of one process, so a model
 * that keeps state in static or global variables gives results that
 * depend on which runs came before and beside: wrong and irreproducible,
 * without any error.  The check runs a sample of the selected runs three
 * ways — each alone in a fresh process, then all side by side on the
 * worker threads, then side by side in the reverse order — and compares
 * every output (passes.h).  Nothing is written to disk but temporary files.
 */
#ifndef USIM_BATCH_DETERMINISM_H
#define USIM_BATCH_DETERMINISM_H

#include <stdio.h>

#include "batch/experiment.h"
#include "batch/runner.h"

/* Runs checked at most: an evenly spaced sample of the selected runs. */
#define DETERMINISM_SAMPLE 16

typedef struct determinism_report {
    size_t outputs_differing; /* outputs that differ between the passes */
    uint64_t runs_not_ok;     /* (run, pass) pairs whose status is not ok */
    uint64_t skipped;         /* non-zero: stopped by a signal, no table */
} determinism_report;

/* Checks opts->runs (sampled), every pass under the supervisor
 * (contained.h: worker_starts as there), and prints the table to `out`;
 * 0, or -1 with the reason in err. */
int determinism_check(const experiment *e, const runner_opts *opts,
                      void (*worker_starts)(watch *w), FILE *out,
                      determinism_report *rep, char *err, size_t errlen);

#endif
