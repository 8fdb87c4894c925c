/*
 * h5layout.h — the datasets of an output file and the row types that map
 * one run's results onto them; the HDF5 helpers that the writer (h5file.c)
 * and the reader (h5in.c) share.  Pure layout: no policy about when to
 * flush or how to survive crashes (that is h5out.c).  Internal to those
 * three files.
 *
 *   /              attributes: format_version, usim_version, git_revision,
 *                  git_dirty, compiler, cflags; config, config_sha256, seed,
 *                  rng, random_numbers, model, model_path, model_sha256,
 *                  description, nruns, npoints, replications; parameters,
 *                  parameter_labels, parameter_types, parameter_units,
 *                  parameter_help, scalars, scalar_units, scalar_help,
 *                  traces, trace_units, trace_help (string arrays, aligned
 *                  with the names); compression, shard_index, shard_count,
 *                  complete (0/1), runs_done, created (UTC timestamp)
 *   /runs          one row per run of the file, in run order: run, point,
 *                  replication, status (fixed string), pilot (bool enum),
 *                  warmup, <parameters> (a double each; a choice or a
 *                  distribution: a fixed string as long as its longest
 *                  label, "" while pending), end_time, events, wall_s,
 *                  message (fixed string, H5OUT_MESSAGE_LEN)
 *   /results       the wide table: row i is the run of /runs row i, with
 *                  its first six columns, then each parameter as its type
 *                  (real: double, int: int64, bool: the bool enum, choice
 *                  and dist: the label as in /runs; pending: NaN, 0, FALSE,
 *                  ""), then each declared scalar (double, NaN if not set)
 *   /scalars       rows * nscalars rows, row = row_of(run) * nscalars + k:
 *                  run, name, value (NaN: not set, or run pending)
 *   /drift         run, task, waits, requested, actual, mean, max_abs,
 *                  final, overruns; rows of a run are contiguous
 *   /drift_hist    one row per run of the file: run, count (USIM_DRIFT_BINS
 *                  u64: usim_sim_drift_hist); root attributes resolution
 *                  and drift_hist_low (the bins' lower edges, time units)
 *   /traces/NAME   run, t, value; rows of a run are contiguous; attributes
 *                  units and help
 *   /index/drift, /index/traces/NAME
 *                  one row per run of the file: run, start, count
 *   /shards        one row per invocation of usim-batch that wrote runs
 *                  into the file (a merged file: every shard's):
 *                  shard_index, shard_count, host, start, end, runs,
 *                  slurm_job_id, slurm_array_job_id, slurm_array_task_id
 *
 * A shard file (h5spec.h) holds the rows of its own runs only.  Datasets
 * are chunked with an unlimited maximum size, chunk sizes depend only on
 * the spec, so the layout of a file depends only on its spec; files
 * written in run order (the canonical ones) have every row in run order.
 * Memory and file types are the same native types: the supported targets
 * (x86-64, aarch64) are little-endian, and HDF5 records the byte order in
 * the file, so readers elsewhere convert.
 */
#ifndef USIM_BATCH_H5LAYOUT_H
#define USIM_BATCH_H5LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "batch/h5spec.h"
#include "batch/provenance.h"
#include "batch/result.h"

#define STATUS_LEN 10 /* "deadlock" + NUL, rounded */
#define OFF_PILOT 34  /* /runs: after status (24 + STATUS_LEN) */
#define OFF_WARMUP 40
#define TASK_LEN 64
#define RUNS_CHUNK 256 /* and /results */
#define SCALARS_CHUNK 4096
#define DRIFT_CHUNK 1024
#define TRACE_CHUNK 8192
#define INDEX_CHUNK 4096
#define INIT_BLOCK 4096 /* rows written or read at a time for whole columns */

/* A parameter's type (h5out_spec.param_types). */
typedef enum param_kind {
    KIND_UNKNOWN, /* a file of format 4 or older */
    KIND_REAL,
    KIND_INT,
    KIND_BOOL,
    KIND_CHOICE,
    KIND_DIST,
} param_kind;

/* The /runs and /results columns of one parameter. */
typedef struct param_col {
    size_t off;     /* in a /runs row */
    size_t res_off; /* in a /results row */
    param_kind kind;
    size_t len;          /* 0: a number; else the string's width (both tables) */
    size_t nlabels;      /* the values a string column holds */
    char *text;          /* the labels, split in place */
    const char **labels; /* into text */
} param_col;

/* Sizes, offsets and HDF5 types of the rows of a file of one spec.
 * results_t is H5I_INVALID_HID when the parameter types are not known
 * (such a spec can be read, not written). */
typedef struct layout {
    size_t nparams, nscalars, ntraces;
    param_col *cols; /* nparams */
    size_t runs_size, off_params, off_end, off_events, off_wall, off_msg;
    size_t results_size, res_off_scalars;
    size_t name_len; /* scalar name column */
    hid_t runs_t, results_t, scalar_t, drift_t, trace_t, index_t, status_t, session_t,
        bool_t, drift_hist_t;
} layout;

typedef struct scalar_row {
    uint64_t run;
    double value;
    char name[]; /* name_len bytes; rows are laid out with h5layout_scalar_size */
} scalar_row;

typedef struct drift_row {
    uint64_t run;
    char task[TASK_LEN];
    uint64_t waits;
    double requested, actual, mean, max_abs, final;
    uint64_t overruns;
} drift_row;

typedef struct trace_row {
    uint64_t run;
    double t, value;
} trace_row;

typedef struct index_row {
    uint64_t run, start, count;
} index_row;

/* A /drift_hist row: the run's per-wait drift counts (usim_sim_drift_hist). */
typedef struct drift_hist_row {
    uint64_t run;
    uint64_t count[USIM_DRIFT_BINS];
} drift_hist_row;

/* Builds the row types of spec s; 0, or H5OUT_EIO with the reason in err. */
int h5layout_init(layout *l, const h5out_spec *s, char *err, size_t errlen);
void h5layout_free(layout *l);
size_t h5layout_scalar_size(const layout *l);

/* A /runs row (buf: l->runs_size bytes) of a finished run, and the
 * fields of a row read back. */
void h5layout_runs_row(const layout *l, unsigned char *buf, const run_result *r);
int h5layout_runs_unpack(const layout *l, const unsigned char *buf, run_result *r);
/* The /results row (buf: l->results_size bytes) of the run whose /runs
 * row is `runs`: r the run's results, or NULL for a pending run. */
void h5layout_results_row(const layout *l, unsigned char *buf,
                          const unsigned char *runs, const run_result *r);
/* What a file holds for a run before it is done.  The templates are what
 * the /runs and /results rows of every pending run hold but its ids (run,
 * point, replication, pilot), made once per file; h5layout_pending_rows
 * makes a pending run's two rows from them. */
void h5layout_pending_templates(const layout *l, unsigned char *runs,
                                unsigned char *results);
void h5layout_pending_rows(const layout *l, const h5out_spec *s,
                           const unsigned char *tmpl_runs,
                           const unsigned char *tmpl_results, unsigned char *runs,
                           unsigned char *results, uint64_t run);
/* The name of a type of h5out_spec.param_types, and back (KIND_UNKNOWN if
 * it is none). */
const char *h5layout_kind_name(param_kind k);
param_kind h5layout_kind_parse(const char *name);

/* Chunk size of a dataset of `rows` fixed rows (0: it grows). */
hsize_t h5layout_chunk(hsize_t rows, hsize_t chunk);

/* Datasets: create (chunked, shuffle+deflate at level > 0), rows
 * [start, start+count) written or read, rows appended at the end (*rows
 * is the current row count), the row count.  0 or -1. */
hid_t h5layout_dataset_create(hid_t loc, const char *name, hid_t type, hsize_t rows,
                              hsize_t chunk, int level);
int h5layout_rows_write(hid_t ds, hid_t type, uint64_t start, uint64_t count,
                        const void *buf);
int h5layout_rows_read(hid_t ds, hid_t type, uint64_t start, uint64_t count, void *buf);
int h5layout_rows_append(hid_t ds, hid_t type, uint64_t *rows, uint64_t count,
                         const void *buf);
uint64_t h5layout_dataset_rows(hid_t ds);

/* Attributes of `loc`, replaced if they exist.  0 or -1. */
int h5layout_attr_str(hid_t loc, const char *name, const char *value);
int h5layout_attr_strs(hid_t loc, const char *name, size_t n,
                       const char *const *values);
int h5layout_attr_u64(hid_t loc, const char *name, uint64_t v);
int h5layout_attr_int(hid_t loc, const char *name, int v);
int h5layout_attr_double(hid_t loc, const char *name, double v);
int h5layout_attr_doubles(hid_t loc, const char *name, size_t n, const double *v);
/* A variable-length UTF-8 string type (H5Tclose it). */
hid_t h5layout_vlen_str(void);

/*
 * Before the first HDF5 call of a function that opens or creates a file:
 * no automatic error printing, and no library shutdown at exit.  That
 * shutdown closes files still open, and after a failed H5Fclose (a full
 * disk) HDF5 1.10 crashes in it; every file usim writes is closed
 * explicitly, and what a failed one holds is in the journal.
 */
void h5layout_library(void);

/* The innermost message of this thread's HDF5 error stack ("" if none). */
void h5layout_last_error(char *buf, size_t n);
/* err = "PATH: what: innermost HDF5 message"; returns H5OUT_EIO. */
int h5layout_fail(char *err, size_t n, const char *what, const char *path);

#endif
