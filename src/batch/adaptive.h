/*
 * adaptive.h — the runs of an experiment whose later runs depend on the
 * results of earlier ones: pilot runs that find each point's warm-up
 * (warmup.method "mser5", mser.h), and waves of replications until every
 * point's confidence intervals meet the precision target.
 *
 * Determinism.  Every decision is about one point and depends only on the
 * results of that point's completed stages (its pilots, then each wave
 * whole), summed in replication order; so the runs done and their results
 * are the same for any thread count, completion order, shard split, or
 * resume.  What a point has done is fed in with adaptive_record (runs
 * finished now, and runs recovered from the output on --resume);
 * adaptive_next decides what it can and lists what is still to do.
 *
 * Waves.  The first wave is min_replications.  After a wave of n
 * replications a point stops if every precision scalar's half-width
 * t((1+c)/2, k-1) s / sqrt(k) over its k ok runs meets the target
 * (half_width, or relative_half_width * |mean|), or if n is
 * max_replications.  Otherwise the next wave brings it to the n that
 * (t s / target)^2 predicts for the widest scalar, but by at least a
 * tenth of n (so that a point near its target does not creep up one run a
 * wave) and by at most n (an early low variance estimate cannot run the
 * point far past its need), and never past max_replications.
 */
#ifndef USIM_BATCH_ADAPTIVE_H
#define USIM_BATCH_ADAPTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch/experiment.h"
#include "batch/result.h"

typedef struct adaptive adaptive;

/* The plan for the points of shard index/count (0/1: all) of e, which
 * has pilots or a precision target.  NULL if memory runs out. */
adaptive *adaptive_new(const experiment *e, uint64_t shard_index, uint64_t shard_count);
void adaptive_free(adaptive *a);

/* A run done (any status; unneeded runs are ignored).  Not thread-safe:
 * one thread at a time (the runner's writer, or the caller between
 * stages). */
void adaptive_record(adaptive *a, const run_result *r);

/*
 * Decides what the runs recorded so far allow and lists the runs to do
 * next (ascending, none of them recorded) in *runs (malloc'd) and *n.
 * *n == 0: every point is finished.  0, or -1 if memory runs out.
 */
int adaptive_next(adaptive *a, uint64_t **runs, size_t *n);

/* Per point (npoints entries): the warm-up of its main runs, as far as
 * decided (MSER-5: after its pilots; else the experiment's warmup). */
const double *adaptive_warmups(const adaptive *a);

/* After adaptive_next found nothing to do: the replications point p kept
 * (those from *kept on are not needed) and, if any are not needed, the
 * message of their rows.  False if p is not in this shard. */
bool adaptive_point_end(const adaptive *a, uint64_t p, uint64_t *kept, char *msg,
                        size_t len);

/* Progress lines (stderr): the warm-ups once the pilots are done, the
 * points still short of their target after each wave, and at the end
 * how the points finished. */
void adaptive_report(adaptive *a, FILE *out, bool final);

#endif
