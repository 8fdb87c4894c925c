/*
 * passes.h — the same runs of an experiment from several passes (under
 * other turn orders, alone and side by side, ...), compared output by
 * output: status, end time, events, each scalar, each drift statistic of
 * each task group, each trace; printed as a table of how many runs differ
 * in each output and by how much.
 */
#ifndef USIM_BATCH_PASSES_H
#define USIM_BATCH_PASSES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch/experiment.h"
#include "batch/result.h"

#define PASSES_MAX 8

typedef struct passes passes;

/* A table for `runs` (ascending, borrowed) in npasses (2..PASSES_MAX)
 * passes; NULL if memory runs out. */
passes *passes_new(const experiment *e, const uint64_t *runs, size_t nruns,
                   size_t npasses);
/* Keeps what is compared of r (one of the runs) for pass `pass`. */
void passes_put(passes *p, size_t pass, const run_result *r);

/* A runner sink (runner_opts.sink, with a passes_sink as sink_ctx) that
 * puts every result into one pass of a table. */
typedef struct passes_sink {
    passes *tb;
    size_t pass;
} passes_sink;
void passes_sink_put(const run_result *r, void *passes_sink_ctx);
/* Prints the table and a closing line naming the outputs that depend on
 * `depend` ("the turn order"); *differing = their number.  -1 (err says
 * why) if a run gave no result in some pass or memory ran out. */
int passes_report(passes *p, FILE *out, const char *depend, size_t *differing,
                  char *err, size_t errlen);
void passes_free(passes *p);

#endif
