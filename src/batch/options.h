/*
 * options.h — the usim-batch command line: its options, the runs they
 * select (--runs, --shard) and the output file they name.
 */
#ifndef USIM_BATCH_OPTIONS_H
#define USIM_BATCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/experiment.h"

/* Exit status of usim-batch (see main.c). */
enum { EXIT_OK = 0, EXIT_RUNS_FAILED = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

extern const char *const progname;

typedef struct options {
    int threads;
    const char *output;
    bool dry_run, resume, force, validate, info, list_models, quiet, compare_orders;
    bool no_supervisor;     /* run in this process (debuggers, valgrind) */
    bool check_determinism; /* alone vs side by side */
    const char *runs;
    bool shard_set;
    uint64_t shard_i, shard_n;
    const char *config;
} options;

/* Parses argv into *o: 0, or the exit status (EXIT_USAGE) after a message
 * on stderr.  --help and --version print and exit. */
int options_parse(int argc, char **argv, options *o);

/* "usim-batch: MESSAGE" and a pointer to --help on stderr; EXIT_USAGE. */
int options_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The runs selected by --runs and --shard, ascending, into *runs (malloc'd)
 * and *n: 0, or the exit status after a message. */
int options_select_runs(const options *o, const experiment *e, uint64_t **runs,
                        size_t *n);

/* The output file: --output, else output.file, else EXPERIMENT.h5 in the
 * current directory (malloc'd; NULL if memory ran out). */
char *options_output_path(const options *o, const experiment *e);

#endif
