/*
 * contained.h — a set of runs done under the supervisor (supervisor.h),
 * their results handed back to the caller instead of written to a file:
 * for --compare-orders and --check-determinism, whose runs crash, loop
 * and exit as those of a batch can.
 *
 * The runs go to worker processes as in a batch; each worker journals
 * its results (journal.h) into a directory of its own under $TMPDIR, a
 * worker that follows a dead one skips what is there, and once the last
 * worker has ended the caller's sink receives every result.  A run that
 * crashed or looped is there as failed (or over its limit) with the
 * supervisor's message; the runs beside it ran again.  The calling
 * process starts no thread, so it may fork again for the next set.
 */
#ifndef USIM_BATCH_CONTAINED_H
#define USIM_BATCH_CONTAINED_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/experiment.h"
#include "batch/result.h"
#include "batch/runner.h"
#include "batch/watch.h"

typedef struct contained_job {
    const experiment *e;
    /* runs, nruns, threads, quiet, progress_out and stop as for
     * runner_run; sink and sink_ctx receive the results (in no set order)
     * in the calling process; watch is the supervisor's. */
    runner_opts opts;
    /* Called first in each worker process with the supervisor's watch:
     * there the caller installs its SIGINT/SIGTERM handler (which sets
     * *opts.stop and the watch's stop_seen). */
    void (*worker_starts)(watch *w);
    /* --no-supervisor: runner_run in this process instead (a crash ends
     * it, a run that never yields hangs it: for a debugger). */
    bool in_process;
} contained_job;

/*
 * Does job->opts's runs.  0 when every run has a result in the sink,
 * 128 + the signal after a stop (some runs may have none), -1 otherwise
 * (err says why).  *failed counts the results whose status is not ok.
 */
int contained_run(const contained_job *job, uint64_t *failed, char *err, size_t errlen);

#endif
