/*
 * orders.h — usim-batch --compare-orders: does an experiment's result
 * depend on the turn order?
 *
 * The selected runs are run four times, under fifo, lifo, random and
 * musim (the file's kernel.order is not used), with the same seeds; every
 * output (status, end time, events, each scalar, each drift statistic of
 * each task group, each trace) is compared across the four, run by run.
 * Nothing is written to disk.
 */
#ifndef USIM_BATCH_ORDERS_H
#define USIM_BATCH_ORDERS_H

#include <stdio.h>

#include "batch/experiment.h"
#include "batch/runner.h"

typedef struct orders_report {
    size_t outputs_differing; /* outputs that differ in at least one run */
    uint64_t runs_not_ok;     /* (run, order) pairs whose status is not ok */
    uint64_t skipped;         /* non-zero: stopped by a signal, no table */
} orders_report;

/*
 * Runs opts->runs under each order, under the supervisor (contained.h:
 * worker_starts and in_process as there; opts->sink is used internally),
 * and prints the comparison table to `out`.  Returns 0, or -1 with the
 * reason in err.
 */
int orders_compare(const experiment *e, const runner_opts *opts,
                   void (*worker_starts)(watch *w), bool in_process, FILE *out,
                   orders_report *rep, char *err, size_t errlen);

#endif
