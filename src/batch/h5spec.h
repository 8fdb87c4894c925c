/*
 * h5spec.h — what an output file describes, independent of how it was
 * obtained: built from an experiment (usim-batch) or read from the root
 * attributes of an existing file (resume, merge).
 *
 * Identity.  Two files hold results of the same experiment when their
 * configuration text, model (name and, for a plugin, the SHA-256 of its
 * shared object), usim version, seed, run counts, column names and
 * parameter types (where both know them) are equal (h5spec_cmp).  Units
 * and help texts describe columns, they come with the model.  Which runs
 * a file holds (its shard) and how it is compressed are not part of that
 * identity; the journal of a file names both (h5spec_ident).
 *
 * Shards.  A file holds the runs of its shard (runspace.h: by run id, or
 * by point when the experiment decides per point), one row per run in run
 * order; an unsharded file (0 of 1) holds all nruns.
 */
#ifndef USIM_BATCH_H5SPEC_H
#define USIM_BATCH_H5SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/runspace.h"

/* Format version stored in the root attribute "format_version".  3: a
 * choice or distribution parameter is a string column of /runs, and the
 * root attribute parameter_labels lists its values.  4: /runs has the
 * columns warmup and pilot, status can be "unneeded", and the root holds
 * the warm-up method, pilots, shard rule and precision target.  5: the
 * wide table /results (a row per run: the fixed columns of /runs, every
 * parameter typed as its model declares it, every scalar), the root
 * attributes parameter_types, parameter_units, parameter_help,
 * scalar_units, scalar_help, trace_units and trace_help, and the
 * attributes units and help of each /traces/NAME.  Readers accept
 * H5OUT_FORMAT_OLDEST and later: a format-2 file has numbers only, a
 * format-3 file no warm-up or pilot columns, a format-4 file no /results
 * and no types, units or help. */
#define H5OUT_FORMAT_VERSION 5
#define H5OUT_FORMAT_OLDEST 2

/* Longest stored message (longer ones are truncated, ending in "..."). */
#define H5OUT_MESSAGE_LEN 256

/* Errors of the output layer: functions return 0 or one of these. */
enum {
    H5OUT_EIO = -1,       /* HDF5 or file-system error */
    H5OUT_EEXIST = -2,    /* the output exists and neither force nor resume */
    H5OUT_EMISMATCH = -3, /* resume/merge: the file is another experiment's */
    H5OUT_ENOMEM = -4,
    H5OUT_EBUSY = -5, /* another process is writing the output */
};

typedef struct h5out_spec {
    const char *config;        /* config text, @includes expanded */
    const char *config_sha256; /* its SHA-256 (NULL: h5spec_dup computes it) */
    const char *model;         /* model name as written in the config */
    const char *model_path;    /* a plugin's resolved path; "" for a built-in */
    const char *model_sha256;  /* SHA-256 of the plugin; "" for a built-in */
    const char *description;   /* "" if none */
    uint64_t seed, nruns, npoints, replications;
    double warmup;     /* the fixed time the statistics start (0: none) */
    double resolution; /* kernel.resolution: the drift histogram's ticks */
    /* "none", "fixed" or "mser5" (NULL: from warmup), and the trace MSER-5
     * reads ("" unless mser5). */
    const char *warmup_method, *warmup_trace;
    uint64_t pilots;     /* pilot runs per point (runspace.h), 0: none */
    bool shard_by_point; /* runspace.by_point */
    /* The precision target (nprecision 0: none): scalars, half-widths
     * (NaN where not set), confidence, min and max replications. */
    size_t nprecision;
    const char *const *precision_scalars;
    double precision_half_width, precision_relative_half_width, precision_confidence;
    uint64_t precision_min, precision_max;
    /* "independent" or "common" (experiment.common_random); NULL:
     * "independent", as files without the attribute are read. */
    const char *random_numbers;
    size_t nparams;
    const char *const *params; /* parameter names, descriptor order */
    /* Per parameter: "" for a number; for a choice or a distribution the
     * values its column can hold, joined by '\n' (a run's value is the
     * index of its label).  NULL: all "". */
    const char *const *param_labels;
    /* Per parameter its type as the model declares it: "real", "int",
     * "bool", "choice" or "dist".  NULL: not known (a file of format 4 or
     * older); a file is written only with them. */
    const char *const *param_types;
    /* The units and help texts of the model's parameters, declared
     * scalars and enabled traces, aligned with their names ("" where the
     * model gives none; NULL: all ""). */
    const char *const *param_units, *const *param_help;
    size_t nscalars;
    const char *const *scalars; /* declared scalar names, descriptor order */
    const char *const *scalar_units, *const *scalar_help;
    size_t ntraces;
    const char *const *traces; /* enabled trace names, config order */
    const char *const *trace_units, *const *trace_help;
    int compression;      /* deflate level 0..9 (0: no filters) */
    uint64_t shard_index; /* the runs this file holds (0 and 1: all; */
    uint64_t shard_count; /* a shard_count of 0 is read as 1) */
    /* The build that wrote the file (NULL: h5spec_dup fills in this one). */
    const char *usim_version, *git_revision, *compiler, *cflags;
    int git_dirty;
} h5out_spec;

/* A deep copy of s (strings and name arrays allocated, NULL strings made
 * "", the build and config hash filled in where NULL); 0 or H5OUT_ENOMEM,
 * and d zeroed on failure.  h5spec_release frees what it allocated. */
int h5spec_dup(h5out_spec *d, const h5out_spec *s);
void h5spec_release(h5out_spec *s);

/* 0 if a and b describe the same experiment (see above), else -1 with
 * what differs in err. */
int h5spec_cmp(const h5out_spec *a, const h5out_spec *b, char *err, size_t errlen);

/* A 64-bit digest of the identity and the shard, for journal headers. */
uint64_t h5spec_ident(const h5out_spec *s);

/* The run ids of spec s (runspace.h). */
static inline runspace h5spec_space(const h5out_spec *s)
{
    return (runspace){s->npoints, s->replications, s->pilots, s->shard_by_point};
}

/* How many runs a file of spec s holds, whether it holds `run`, and the
 * row of a run / the run of a row.  Split by run id, nruns is the count
 * (the runspace rule with runs = nruns). */
static inline uint64_t h5spec_rows(const h5out_spec *s)
{
    runspace sp = h5spec_space(s);
    if (s->shard_by_point)
        return runspace_rows(&sp, s->shard_index, s->shard_count);
    return s->nruns > s->shard_index
               ? (s->nruns - s->shard_index + s->shard_count - 1) / s->shard_count
               : 0;
}
static inline bool h5spec_holds(const h5out_spec *s, uint64_t run)
{
    runspace sp = h5spec_space(s);
    return run < s->nruns && runspace_shard(&sp, run, s->shard_count) == s->shard_index;
}
static inline uint64_t h5spec_row(const h5out_spec *s, uint64_t run)
{
    runspace sp = h5spec_space(s);
    return runspace_row(&sp, run, s->shard_count);
}
static inline uint64_t h5spec_run(const h5out_spec *s, uint64_t row)
{
    runspace sp = h5spec_space(s);
    return runspace_run_of_row(&sp, row, s->shard_index, s->shard_count);
}

/* snprintf into err[n], the error buffer of the output layer; nothing if
 * err is NULL or n is 0. */
void h5spec_set_err(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
