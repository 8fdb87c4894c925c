/*
 * runspace.h — the run ids of an experiment and which shard holds each,
 * the one rule that the loader, the output files and the merge share.
 *
 * Main runs come first: run = point * replications + replication.  An
 * experiment whose warm-up comes from pilots (warmup.method "mser5") has
 * `pilots` pilot runs per point after all main runs:
 *     run = npoints * replications + point * pilots + k.
 * In precision mode `replications` is max_replications, so a run's id does
 * not change as waves add replications.
 *
 * Shards: a shard I of N holds the runs with run % N == I, or, when the
 * experiment decides per point (precision or pilots: `by_point`), every run
 * of the points with point % N == I, pilots included.  Its file has one row
 * per run it holds, in run order.
 */
#ifndef USIM_BATCH_RUNSPACE_H
#define USIM_BATCH_RUNSPACE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct runspace {
    uint64_t npoints, replications, pilots;
    bool by_point;
} runspace;

static inline uint64_t runspace_main(const runspace *s)
{
    return s->npoints * s->replications;
}
static inline uint64_t runspace_runs(const runspace *s)
{
    return runspace_main(s) + s->npoints * s->pilots;
}
static inline bool runspace_is_pilot(const runspace *s, uint64_t run)
{
    return run >= runspace_main(s);
}
static inline uint64_t runspace_point(const runspace *s, uint64_t run)
{
    uint64_t m = runspace_main(s);
    return run < m ? run / s->replications : (run - m) / s->pilots;
}
/* The replication of a main run, the pilot index k of a pilot. */
static inline uint64_t runspace_replication(const runspace *s, uint64_t run)
{
    uint64_t m = runspace_main(s);
    return run < m ? run % s->replications : (run - m) % s->pilots;
}
static inline uint64_t runspace_run(const runspace *s, uint64_t point, uint64_t rep)
{
    return point * s->replications + rep;
}
static inline uint64_t runspace_pilot_run(const runspace *s, uint64_t point, uint64_t k)
{
    return runspace_main(s) + point * s->pilots + k;
}

/* The shard (of count) that holds run. */
static inline uint64_t runspace_shard(const runspace *s, uint64_t run, uint64_t count)
{
    return (s->by_point ? runspace_point(s, run) : run) % count;
}

/* Rows of shard index/count: how many, the row of a run it holds, the run
 * of a row. */
uint64_t runspace_rows(const runspace *s, uint64_t index, uint64_t count);
uint64_t runspace_row(const runspace *s, uint64_t run, uint64_t count);
uint64_t runspace_run_of_row(const runspace *s, uint64_t row, uint64_t index,
                             uint64_t count);

#endif
