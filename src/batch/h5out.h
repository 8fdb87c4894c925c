/*
 * h5out.h — the experiment's HDF5 output: one writer, crash-safe, and a
 * canonical final file that does not depend on threads, shards, completion
 * order or resumes (layout: DESIGN.md "HDF5 output"; the crash-safety
 * design is described at the top of h5out.c).
 *
 * Threads: HDF5 serialises every call behind one global lock, so exactly
 * one thread (the writer) calls the h5out_* functions of one h5out; workers
 * hand their run_result over to it.
 *
 * Files: while an experiment runs, PATH.journal holds every completed run
 * (the recovery source) and PATH is the last snapshot, a complete HDF5
 * file replaced whole (rename) at each checkpoint: after a SIGKILL at any
 * moment it opens and shows the runs of the last checkpoint.
 * h5out_finish() replaces PATH by the canonical file (rows sorted by run)
 * and removes the journal.
 *
 * Errors: functions return 0 or a negative H5OUT_E* code; the message is in
 * `err` (create, resume, open) or h5out_errmsg(o).  Exit status of
 * usim-batch: H5OUT_EEXIST and H5OUT_EMISMATCH -> 2, H5OUT_EIO -> 3.
 */
#ifndef USIM_BATCH_H5OUT_H
#define USIM_BATCH_H5OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/result.h"

struct experiment;

enum {
    H5OUT_EIO = -1,       /* HDF5 or file-system error */
    H5OUT_EEXIST = -2,    /* PATH exists and neither force nor resume */
    H5OUT_EMISMATCH = -3, /* resume/merge: the file is another experiment's */
    H5OUT_ENOMEM = -4,
};

/* Format version stored in the root attribute "format_version". */
#define H5OUT_FORMAT_VERSION 1

/* Longest stored message (longer ones are truncated, ending in "..."). */
#define H5OUT_MESSAGE_LEN 256

/*
 * What the file describes, independent of how it was obtained: from an
 * experiment (h5out_spec_from_experiment) or from the root attributes of
 * an existing file (merge).  Strings are borrowed.
 */
typedef struct h5out_spec {
    const char *config;      /* config text, @includes expanded */
    const char *model;       /* model name as written in the config */
    const char *description; /* "" if none */
    uint64_t seed, nruns, npoints, replications;
    size_t nparams;
    const char *const *params; /* parameter names, descriptor order */
    size_t nscalars;
    const char *const *scalars; /* declared scalar names, descriptor order */
    size_t ntraces;
    const char *const *traces; /* enabled trace names, config order */
    int compression;           /* deflate level 0..9 (0: no filters) */
} h5out_spec;

/* Fills s from e; the name arrays are allocated (h5out_spec_release). */
int h5out_spec_from_experiment(h5out_spec *s, const struct experiment *e);
void h5out_spec_release(h5out_spec *s);

typedef struct h5out h5out;

/*
 * Creates PATH.journal and PATH, with every dataset and all runs
 * "pending", before returning.  If PATH exists: H5OUT_EEXIST unless force
 * (then it is replaced).
 */
int h5out_create(h5out **out, const struct experiment *e, const char *path, bool force,
                 char *err, size_t errlen);

/*
 * Continues the experiment in PATH: recovers every completed run from the
 * journal (or from PATH if there is no journal), rewrites both, and sets
 * done[run] = 1 for each run already finished (any status
 * but pending), 0 otherwise (done has e->nruns entries).  H5OUT_EMISMATCH
 * if PATH belongs to another experiment (config text or layout differ).
 * If neither PATH nor its journal exists, behaves as h5out_create().
 */
int h5out_resume(h5out **out, const struct experiment *e, const char *path,
                 uint8_t *done, char *err, size_t errlen);

/* Same two, from a spec (merge, tests). */
int h5out_create_spec(h5out **out, const h5out_spec *s, const char *path, bool force,
                      char *err, size_t errlen);
int h5out_resume_spec(h5out **out, const h5out_spec *s, const char *path, uint8_t *done,
                      char *err, size_t errlen);

/*
 * Records one finished run (writer thread only).  r->nparams, nscalars and
 * ntraces must match the spec.  Journals it, then checkpoints when one is
 * due: at least a second apart, and far enough apart that snapshots take
 * under a tenth of the time however large the file grows.  A caller need
 * not call h5out_checkpoint itself.
 */
int h5out_write_run(h5out *o, const run_result *r);

/* Checkpoints now: fsyncs the journal, then replaces PATH by a snapshot
 * showing every run recorded so far (root attribute complete = 0). */
int h5out_checkpoint(h5out *o);

/*
 * Writes the canonical file (rows sorted by run, complete flag set when
 * every run is done) as PATH.tmp, fsyncs it, renames it over PATH and
 * removes the journal.  The h5out can only be closed afterwards.
 */
int h5out_finish(h5out *o);

/* Checkpoints (if not finished and runs were recorded since the last
 * checkpoint) and frees; PATH stays resumable. */
void h5out_close(h5out *o);

const char *h5out_errmsg(const h5out *o);

/* Runs in the file so far (recovered by resume, then written), and how
 * many of them did not end ok: the exit status of a resumed experiment
 * counts the runs of earlier invocations too. */
uint64_t h5out_runs_done(const h5out *o);
uint64_t h5out_runs_failed(const h5out *o);

/* ------------------------------------------------------------------ */
/* Reading (merge, resume, tests)                                      */
/* ------------------------------------------------------------------ */

typedef struct h5in h5in;

/* Opens an output file read-only; its spec is valid until h5in_close. */
int h5in_open(h5in **in, const char *path, char *err, size_t errlen);
const h5out_spec *h5in_spec(const h5in *in);
/* Status of a run as stored (RUN_PENDING if not done). */
run_status h5in_status(const h5in *in, uint64_t run);
/* The stored results of a run (wall_s included); run_result_free it. */
int h5in_read_run(h5in *in, uint64_t run, run_result **out);
const char *h5in_errmsg(const h5in *in);
void h5in_close(h5in *in);

#endif
