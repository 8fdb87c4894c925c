/*
 * h5layout.h — the datasets of an output file and how one run's results
 * map onto their rows (DESIGN.md "HDF5 output").  Pure layout: no policy
 * about when to flush or how to survive crashes (that is h5out.c).
 *
 *   /              attributes: usim_version, format_version, config, seed,
 *                  rng, model, description, nruns, npoints, replications,
 *                  parameters, scalars, traces (string arrays), compression,
 *                  complete (0/1), runs_done, created (UTC timestamp)
 *   /runs          nruns rows, row = run: run, point, replication, status
 *                  (fixed string), <parameters>, end_time, events, wall_s,
 *                  message (fixed string, H5OUT_MESSAGE_LEN)
 *   /scalars       nruns * nscalars rows, row = run * nscalars + k:
 *                  run, name, value (NaN: not set, or run pending)
 *   /drift         run, task, waits, requested, actual, mean, max_abs,
 *                  final, overruns; rows of a run are contiguous
 *   /traces/NAME   run, t, value; rows of a run are contiguous
 *   /index/drift, /index/traces/NAME
 *                  nruns rows, row = run: run, start, count (the run's rows)
 *
 * All datasets are chunked with an unlimited maximum size, so the layout
 * of a file depends only on its spec.  Files written in run order (the
 * canonical ones) have every row in run order.
 */
#ifndef USIM_BATCH_H5LAYOUT_H
#define USIM_BATCH_H5LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/h5out.h"

typedef struct h5file h5file;

/* Creates `path` (truncating it) with every dataset, all runs pending. */
int h5file_create(h5file **out, const h5out_spec *s, const char *path, char *err,
                  size_t errlen);
/* Writes every row of r; the /runs row last. */
int h5file_put(h5file *f, const run_result *r, char *err, size_t errlen);
/* Updates runs_done/complete and H5Fflush (does not fsync). */
int h5file_flush(h5file *f, uint64_t ndone, bool complete, char *err, size_t errlen);
/* Closes, writing out whatever HDF5 still holds; 0 or H5OUT_EIO. */
int h5file_close(h5file *f, char *err, size_t errlen);

/* Compares the identity of two specs (everything but compression);
 * 0 if equal, else -1 with what differs in err. */
int h5layout_spec_cmp(const h5out_spec *a, const h5out_spec *b, char *err,
                      size_t errlen);

/* The innermost message of this thread's HDF5 error stack ("" if none). */
void h5layout_last_error(char *buf, size_t n);

/* snprintf into err[n], the error buffer of the functions above and of
 * h5out.c; nothing if err is NULL or n is 0. */
void h5layout_set_err(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
