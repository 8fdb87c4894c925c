/*
 * runspace.c — rows of a shard (runspace.h).
 *
 * Sharded by point, shard I of N holds the points I, I+N, I+2N, ...; its
 * rows are their main runs, point after point, then their pilots.
 */
#include "batch/runspace.h"

/* How many of n items i have i % count == index. */
static uint64_t share(uint64_t n, uint64_t index, uint64_t count)
{
    return n > index ? (n - index + count - 1) / count : 0;
}

uint64_t runspace_rows(const runspace *s, uint64_t index, uint64_t count)
{
    if (!s->by_point)
        return share(runspace_runs(s), index, count);
    return share(s->npoints, index, count) * (s->replications + s->pilots);
}

uint64_t runspace_row(const runspace *s, uint64_t run, uint64_t count)
{
    if (!s->by_point)
        return run / count;
    uint64_t local = runspace_point(s, run) / count, k = runspace_replication(s, run);
    if (!runspace_is_pilot(s, run))
        return local * s->replications + k;
    uint64_t mine = share(s->npoints, runspace_point(s, run) % count, count);
    return mine * s->replications + local * s->pilots + k;
}

uint64_t runspace_run_of_row(const runspace *s, uint64_t row, uint64_t index,
                             uint64_t count)
{
    if (!s->by_point)
        return row * count + index;
    uint64_t main_rows = share(s->npoints, index, count) * s->replications;
    if (row < main_rows)
        return runspace_run(s, (row / s->replications) * count + index,
                            row % s->replications);
    row -= main_rows;
    return runspace_pilot_run(s, (row / s->pilots) * count + index, row % s->pilots);
}
