/*
 * experiment.h — an experiment file (libconfig), read and validated.
 *
 * experiment_load() reads the file, expands its @include lines (each
 * resolved relative to the file that contains it), checks every setting
 * against the rules of man/usim-batch.1 (EXPERIMENT FILE) and the model's
 * descriptor, and expands the sweep.  Bad input yields exactly one error
 * line "FILE:LINE: setting 'NAME': what is wrong" and nothing else happens.
 *
 * Run ids: sweep points in cross-product order of the sweep loops, the
 * first loop varying slowest; a loop is a swept parameter, or a zip group
 * (its members advance together) placed at the member listed first in
 * `parameters`.  Replications are innermost:
 *     run = point * replications + replication
 * (in precision mode `replications` is max_replications); pilot runs of
 * warmup.method "mser5" follow the main runs (runspace.h).
 * A run's random numbers depend on (seed, run id), or with common random
 * numbers on (seed, replication): the kernel keys its streams by
 * usim_config.run, and experiment_run_config decides what goes there.
 */
#ifndef USIM_BATCH_EXPERIMENT_H
#define USIM_BATCH_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/registry.h"
#include "batch/runspace.h"
#include "usim.h"
#include "usim/model.h"

/* Sweeps larger than this need --force. */
#define EXPERIMENT_MAX_RUNS 10000000ull

/* One parameter of the model: its values in this experiment. */
typedef struct exp_param {
    const usim_param_desc *desc;
    size_t nvalues; /* 1 if fixed (set or default) */
    /* REAL, INT, BOOL: the values; CHOICE: indices into desc->choices;
     * DIST: i for dists[i]. */
    double *values;
    usim_dist *dists; /* DIST: the distributions, nvalues of them */
    int loop;         /* index into experiment.loops, -1 if fixed */
    bool set;         /* written in the file (else: the default) */
} exp_param;

/* One sweep loop: parameters that advance together (one, or a zip group). */
typedef struct exp_loop {
    size_t n; /* number of values */
    size_t nmembers;
    size_t *members; /* indices into experiment.params */
} exp_loop;

typedef struct exp_trace {
    const char *name; /* the model's declared name */
    usim_trace_mode mode;
    double interval; /* sample mode only */
} exp_trace;

/* How the statistics of a run start (warmup setting). */
typedef enum warmup_method {
    WARMUP_NONE,  /* at 0 */
    WARMUP_FIXED, /* at experiment.warmup */
    WARMUP_MSER5, /* per point, from pilot runs (pilot.h) */
} warmup_method;

/* precision = { ... }: replications in waves until the CI is narrow
 * enough (precision.h). */
typedef struct exp_precision {
    size_t nscalars;
    size_t *scalars;   /* indices into model->scalars */
    double half_width; /* absolute target, or NAN */
    double relative;   /* relative target (of |mean|), or NAN */
    double confidence; /* two-sided, in (0, 1) */
    uint64_t min_replications, max_replications;
} exp_precision;

typedef struct experiment {
    char *path;       /* the experiment file, as given */
    char *dir;        /* its directory: base of relative paths */
    char *text;       /* the config text, @includes expanded (stored in output) */
    char *model_name; /* as written in the file */
    registry_model reg;
    const usim_model *model;
    char *description; /* "" if not set */
    double until;      /* INFINITY if not set: the model ends itself */
    double warmup;     /* WARMUP_FIXED: statistics start then; else 0 */
    warmup_method warmup_method;
    size_t warmup_trace; /* MSER5: index into traces */
    uint64_t pilots;     /* MSER5: pilot runs per point; else 0 */
    bool precise;        /* precision is set */
    exp_precision precision;
    uint64_t replications; /* precision: max_replications */
    uint64_t seed;
    /* random_numbers = "common": replication r of every point draws the
     * streams of replication r (experiment_run_config); false: each run
     * its own ("independent", the default). */
    bool common_random;
    /* resolution, drift, order, stack_size, max_events, max_wall_s; seed
     * and run are set per run (experiment_run_config). */
    usim_config kernel;
    size_t nparams; /* = model->n_params, descriptor order */
    exp_param *params;
    size_t nloops;
    exp_loop *loops;
    uint64_t npoints;
    uint64_t nruns;
    size_t ntraces; /* enabled traces, in config order */
    exp_trace *traces;
    char *output;    /* output.file (relative to the current directory), or NULL */
    int compression; /* deflate level 0..9 */
} experiment;

typedef struct experiment_opts {
    bool force; /* allow sweeps beyond EXPERIMENT_MAX_RUNS */
} experiment_opts;

/*
 * Loads and validates `path`.  0 on success; on bad input -1 with the
 * error line in err (no trailing newline).
 */
int experiment_load(experiment **out, const char *path, const experiment_opts *opts,
                    char *err, size_t errlen);
void experiment_free(experiment *e);

/* The run ids of e (runspace.h). */
runspace experiment_space(const experiment *e);
/* The point and replication (a pilot's index) of a run id (run < nruns),
 * and whether it is a pilot. */
uint64_t experiment_point(const experiment *e, uint64_t run);
uint64_t experiment_replication(const experiment *e, uint64_t run);
bool experiment_is_pilot(const experiment *e, uint64_t run);
/* Whether runs are decided per point (pilots or precision): shards then
 * split by point. */
bool experiment_by_point(const experiment *e);
/* Parameter values of a sweep point, descriptor order (nparams doubles). */
void experiment_point_params(const experiment *e, uint64_t point, double *params);
/* The distributions of a point's DIST parameters (from its values, as
 * experiment_point_params gives them) into dists[k]; nparams entries,
 * those of other parameters left alone. */
void experiment_point_dists(const experiment *e, const double *params,
                            usim_dist *dists);
/* Parameter k's value v as a file would write it: the number (%.15g), the
 * choice's name or the distribution's short form.  snprintf's result. */
int experiment_param_label(const experiment *e, size_t k, double v, char *buf,
                           size_t n);
/* Every value parameter k can take in this experiment, as labels joined
 * by '\n' (malloc'd): the descriptor's choices, or the distributions in
 * value order; "" for a number.  NULL if memory runs out. */
char *experiment_param_labels(const experiment *e, size_t k);
/* The kernel configuration of a run: the experiment's, with the seed and
 * the stream key in usim_config.run: the run id, or with common random
 * numbers the replication. */
void experiment_run_config(const experiment *e, uint64_t run, usim_config *cfg);

/* "common" or "independent": the random_numbers setting. */
const char *experiment_random_numbers(const experiment *e);

/* Edit distance, for "did you mean" suggestions (exposed for tests). */
size_t experiment_edit_distance(const char *a, const char *b);
/* The one of cands[0..n) that `name` is likely a typo of (the loader's
 * rule for "did you mean"), or NULL. */
const char *experiment_suggest(const char *name, const char *const *cands, size_t n);

#endif
