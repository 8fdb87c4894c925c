/*
 * h5file.h — writing one output file (layout: h5layout.h).  A file is
 * created with every dataset, filled run by run, then flushed (which marks
 * every run not written as pending) and closed; h5out.c decides when and
 * under which name, merge.c uses it directly for the merged file.  Runs
 * are best written in run order: then every row is written once.
 */
#ifndef USIM_BATCH_H5FILE_H
#define USIM_BATCH_H5FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/h5spec.h"
#include "batch/provenance.h"
#include "batch/result.h"

typedef struct h5file h5file;

/* How many threads compress the chunks of the files written from now on
 * (default 1), in the writer's own OpenMP team. */
void h5file_compress_threads(int n);

/* Creates `path` (truncating it) with every dataset.  The spec is
 * borrowed and must outlive the file.  A spec without parameter types
 * (read from a file of format 4 or older) cannot be written:
 * H5OUT_EMISMATCH. */
int h5file_create(h5file **out, const h5out_spec *s, const char *path, char *err,
                  size_t errlen);
/* Writes every row of r (a run the file holds); the /runs row last. */
int h5file_put(h5file *f, const run_result *r, char *err, size_t errlen);
/* Sets /shards to these n records. */
int h5file_put_sessions(h5file *f, const prov_session *sessions, size_t n, char *err,
                        size_t errlen);
/* Writes the rows of the runs not written as pending, updates
 * runs_done/complete and H5Fflush (does not fsync).  A file closed without
 * a flush is incomplete (only error paths do that). */
int h5file_flush(h5file *f, uint64_t ndone, bool complete, char *err, size_t errlen);
/* Closes, writing out whatever HDF5 still holds; 0 or H5OUT_EIO.  f may
 * be NULL. */
int h5file_close(h5file *f, char *err, size_t errlen);

#endif
