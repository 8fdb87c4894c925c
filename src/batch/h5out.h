/*
 * h5out.h — the experiment's HDF5 output: one writer, crash-safe, and a
 * canonical final file that does not depend on threads, shards, completion
 * order or resumes (layout: h5layout.h; the crash-safety design is
 * described at the top of h5out.c).
 *
 * Threads: HDF5 serialises every call behind one global lock, so exactly
 * one thread (the writer) calls the h5out_* functions of one h5out; workers
 * hand their run_result over to it.
 *
 * Files: while an experiment runs, PATH.journal holds every completed run
 * (the recovery source) and PATH is the last snapshot, a complete HDF5
 * file replaced whole (rename) at each checkpoint: after a SIGKILL at any
 * moment it opens and shows the runs of the last checkpoint.  PATH.tmp is
 * the canonical file (rows sorted by run), filled as the runs finish;
 * h5out_finish() completes it, renames it over PATH and removes the
 * journal.
 *
 * Errors: functions return 0 or a negative H5OUT_E* code (h5spec.h); the
 * message is in `err` (create, resume) or h5out_errmsg(o).  Exit status of
 * usim-batch: H5OUT_EEXIST, H5OUT_EMISMATCH and H5OUT_EBUSY -> 2,
 * H5OUT_EIO -> 3.
 */
#ifndef USIM_BATCH_H5OUT_H
#define USIM_BATCH_H5OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/h5spec.h"
#include "batch/result.h"

typedef struct h5out h5out;

/*
 * Creates PATH.journal and PATH for the runs spec s describes (its shard),
 * with every dataset and all runs "pending", before returning.  If PATH or
 * PATH.journal exists: H5OUT_EEXIST unless force (then both are replaced).
 */
int h5out_create(h5out **out, const h5out_spec *s, const char *path, bool force,
                 char *err, size_t errlen);

/*
 * Continues the experiment in PATH: recovers every completed run from the
 * journal (or from PATH if there is no journal), rewrites both, and sets
 * done[run] = 1 for each run already finished (any status but pending), 0
 * otherwise (done has s->nruns entries).  H5OUT_EMISMATCH if PATH belongs
 * to another experiment (config text, model, version or layout differ) or
 * is another shard of it.  If neither PATH nor its journal exists, behaves
 * as h5out_create().  The provenance records (/shards) are those of PATH
 * and one for this invocation; with `continues` (a worker process that
 * takes over from a dead one of the same invocation) PATH's last record
 * is this invocation's own, and it goes on instead.
 */
int h5out_resume(h5out **out, const h5out_spec *s, const char *path, bool continues,
                 uint8_t *done, char *err, size_t errlen);

/*
 * Records one finished run (writer thread only).  r->nparams, nscalars and
 * ntraces must match the spec.  Journals it, puts it into the final file
 * (PATH.tmp) with those after it that are done, if every run before it in
 * row order is (h5out_finish puts the rest), then checkpoints when one is
 * due: at least a second apart, and far enough apart that snapshots take
 * under a tenth of the time however large the file grows.  A caller need
 * not call h5out_checkpoint itself.
 */
int h5out_write_run(h5out *o, const run_result *r);
/* h5out_write_run of rs[0, n), in that order, their records journaled
 * together (one write(2) for many small ones).  On an error the runs
 * before the one that failed may be recorded. */
int h5out_write_runs(h5out *o, const run_result *const *rs, size_t n);

/* Hands every run recorded so far (recovered or written), in row order,
 * to fn, read back from the journal; the result is freed after.  0 or
 * H5OUT_EIO (h5out_errmsg says why). */
int h5out_each_run(h5out *o, void (*fn)(const run_result *r, void *ctx), void *ctx);

/* Checkpoints now: fsyncs the journal, then replaces PATH by a snapshot
 * showing every run recorded so far (root attribute complete = 0). */
int h5out_checkpoint(h5out *o);

/*
 * Completes the canonical file (rows sorted by run, complete flag set when
 * every run is done), PATH.tmp, which h5out_write_run has been filling
 * with the runs done in row order; fsyncs it, renames it over PATH and
 * removes the journal.  The h5out can only be closed afterwards.
 */
int h5out_finish(h5out *o);

/* Checkpoints (if not finished and runs were recorded since the last
 * checkpoint), removes the unfinished PATH.tmp and frees; PATH stays
 * resumable. */
void h5out_close(h5out *o);

const char *h5out_errmsg(const h5out *o);

/* Runs in the file so far (recovered by resume, then written), and how
 * many of them did not end ok: the exit status of a resumed experiment
 * counts the runs of earlier invocations too. */
uint64_t h5out_runs_done(const h5out *o);
uint64_t h5out_runs_failed(const h5out *o);

/* A run that did not end ok, as the end of a batch lists it: its message
 * cut to H5OUT_FAILURE_MESSAGE bytes (ending in "..." if it was longer),
 * control characters as spaces, so that it prints as one line. */
#define H5OUT_FAILURES_KEPT 5
#define H5OUT_FAILURE_MESSAGE 120
typedef struct h5out_failure {
    uint64_t run, point, replication;
    run_status status;
    char message[H5OUT_FAILURE_MESSAGE + 1];
} h5out_failure;

/* The lowest-numbered runs in the file that did not end ok (recovered
 * ones too), at most H5OUT_FAILURES_KEPT, in run order, *n of them; valid
 * until the next call of a function of o.  h5out_runs_failed counts all. */
const h5out_failure *h5out_failures(const h5out *o, size_t *n);

/*
 * Makes the closed file `tmp` the durable, atomic replacement of `path`:
 * fsync, rename, fsync of the directory.  tmp is removed on failure.
 * 0 or H5OUT_EIO with the reason in err.
 */
int h5out_publish(const char *tmp, const char *path, char *err, size_t errlen);

#endif
