/*
 * options.c — parsing usim-batch's command line and selecting its runs
 * (options.h).
 */
#define _GNU_SOURCE /* asprintf */
#include "batch/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

const char *const progname = "usim-batch";

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: %s [OPTION]... EXPERIMENT.cfg\n"
        "Runs the parameter sweep x replications of an experiment file in\n"
        "parallel and writes the results to one HDF5 file.\n"
        "\n"
        "  -j, --threads N    worker threads (default: OMP_NUM_THREADS or all cores)\n"
        "  -o, --output FILE  output file (default: output.file of the experiment,\n"
        "                     else EXPERIMENT.h5 in the current directory)\n"
        "  -n, --dry-run      list the runs (id, point, replication, seed,\n"
        "                     parameters) and exit\n"
        "      --runs LIST    only these runs, e.g. 0-9,15,20-29\n"
        "      --shard I/N    only the runs with run %% N == I (0 <= I < N); with\n"
        "                     precision or pilots, the points with point %% N == I\n"
        "      --resume       continue an interrupted output file\n"
        "      --force        overwrite an existing output file; allow sweeps\n"
        "                     of more than %llu runs\n"
        "      --validate     check the experiment file and exit\n"
        "      --info         check the experiment file and print what scripts need\n"
        "                     (runs, points, output file, ...) as key=value lines\n"
        "      --list-models  describe the built-in models (or the plugin\n"
        "                     given as argument) and exit\n"
        "      --compare-orders  run the selected runs under each turn order\n"
        "                     (fifo, lifo, random, musim), write no file, and print\n"
        "                     which outputs differ between the orders\n"
        "      --check-determinism  run a sample of the selected runs alone, each in\n"
        "                     a process of its own, then side by side, write no\n"
        "                     file, and print which outputs differ (a model that\n"
        "                     keeps state in static or global variables)\n"
        "      --no-supervisor  run in this process, without the supervisor that\n"
        "                     records a run that crashes or hangs and goes on (for\n"
        "                     debuggers and valgrind)\n"
        "  -q, --quiet        no progress display\n"
        "  -h, --help         this help\n"
        "  -V, --version      version\n"
        "\n"
        "Exit status: 0 all runs ok, 1 some runs failed or hit a limit,\n"
        "2 bad usage or experiment file (nothing written), 3 output error.\n"
        "See usim-batch(1) for the experiment file.\n",
        progname, EXPERIMENT_MAX_RUNS);
}

__attribute__((format(printf, 1, 2))) int options_usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", progname);
    return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

enum {
    OPT_RUNS = 256,
    OPT_SHARD,
    OPT_RESUME,
    OPT_FORCE,
    OPT_VALIDATE,
    OPT_INFO,
    OPT_LIST_MODELS,
    OPT_COMPARE_ORDERS,
    OPT_NO_SUPERVISOR,
    OPT_CHECK_DETERMINISM,
};

int options_parse(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"threads", required_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"dry-run", no_argument, NULL, 'n'},
        {"runs", required_argument, NULL, OPT_RUNS},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"force", no_argument, NULL, OPT_FORCE},
        {"validate", no_argument, NULL, OPT_VALIDATE},
        {"info", no_argument, NULL, OPT_INFO},
        {"list-models", no_argument, NULL, OPT_LIST_MODELS},
        {"compare-orders", no_argument, NULL, OPT_COMPARE_ORDERS},
        {"no-supervisor", no_argument, NULL, OPT_NO_SUPERVISOR},
        {"check-determinism", no_argument, NULL, OPT_CHECK_DETERMINISM},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    uint64_t v;
    memset(o, 0, sizeof *o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:o:nqhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (!parse_u64(optarg, &v) || v < 1 || v > 4096)
                return options_usage_error(
                    "--threads: expected a number of threads >= 1, not "
                    "'%s'",
                    optarg);
            o->threads = (int)v;
            break;
        case 'o':
            if (optarg[0] == '\0')
                return options_usage_error("--output: the file name is empty");
            o->output = optarg;
            break;
        case 'n':
            o->dry_run = true;
            break;
        case OPT_RUNS:
            o->runs = optarg;
            break;
        case OPT_SHARD: {
            char *slash = strchr(optarg, '/');
            char buf[64];
            if (slash == NULL || (size_t)(slash - optarg) >= sizeof buf)
                return options_usage_error("--shard: expected I/N, not '%s'", optarg);
            memcpy(buf, optarg, (size_t)(slash - optarg));
            buf[slash - optarg] = '\0';
            if (!parse_u64(buf, &o->shard_i) || !parse_u64(slash + 1, &o->shard_n) ||
                o->shard_n < 1 || o->shard_i >= o->shard_n)
                return options_usage_error(
                    "--shard: expected I/N with 0 <= I < N, not '%s'", optarg);
            o->shard_set = true;
            break;
        }
        case OPT_RESUME:
            o->resume = true;
            break;
        case OPT_FORCE:
            o->force = true;
            break;
        case OPT_VALIDATE:
            o->validate = true;
            break;
        case OPT_INFO:
            o->info = true;
            break;
        case OPT_LIST_MODELS:
            o->list_models = true;
            break;
        case OPT_COMPARE_ORDERS:
            o->compare_orders = true;
            break;
        case OPT_NO_SUPERVISOR:
            o->no_supervisor = true;
            break;
        case OPT_CHECK_DETERMINISM:
            o->check_determinism = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        case 'V':
            printf("usim-batch (usim) %s\n", PACKAGE_VERSION);
            exit(EXIT_OK);
        case ':':
            return options_usage_error("option '%s' needs an argument",
                                       argv[optind - 1]);
        default:
            return options_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (o->list_models) {
        if (argc - optind > 1)
            return options_usage_error("--list-models takes at most one plugin path");
        o->config = optind < argc ? argv[optind] : NULL;
        return 0;
    }
    if (optind == argc)
        return options_usage_error("no experiment file given");
    if (argc - optind > 1)
        return options_usage_error(
            "one experiment file at a time (extra argument '%s')", argv[optind + 1]);
    o->config = argv[optind];
    if (o->resume && o->force)
        return options_usage_error(
            "--resume continues a file, --force replaces it: choose "
            "one");
    const char *check = o->compare_orders      ? "--compare-orders"
                        : o->check_determinism ? "--check-determinism"
                                               : NULL;
    if (o->compare_orders && o->check_determinism)
        return options_usage_error(
            "--compare-orders and --check-determinism: one at a time");
    if (o->check_determinism && o->no_supervisor)
        return options_usage_error(
            "--check-determinism runs each run alone in a process of its own: "
            "it does not take --no-supervisor");
    if (check && (o->output || o->resume || o->force))
        return options_usage_error("%s writes no file: it does not take %s", check,
                                   o->output   ? "--output"
                                   : o->resume ? "--resume"
                                               : "--force");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Run selection                                                       */
/* ------------------------------------------------------------------ */

/* Marks the runs of LIST ("0-9,15,20-29") in sel[0..nruns). */
static int parse_run_list(const char *list, uint64_t nruns, uint8_t *sel)
{
    const char *p = list;
    if (*p == '\0')
        return options_usage_error("--runs: the list is empty");
    while (*p) {
        char *end;
        uint64_t a, b;
        if (*p < '0' || *p > '9')
            return options_usage_error("--runs: expected run ids like 0-9,15 in '%s'",
                                       list);
        a = strtoull(p, &end, 10);
        b = a;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9')
                return options_usage_error(
                    "--runs: expected run ids like 0-9,15 in '%s'", list);
            b = strtoull(p, &end, 10);
            p = end;
        }
        if (*p == ',')
            p++;
        else if (*p != '\0')
            return options_usage_error("--runs: expected run ids like 0-9,15 in '%s'",
                                       list);
        if (b < a)
            return options_usage_error("--runs: a range goes downwards in '%s'", list);
        if (b >= nruns) {
            fprintf(stderr,
                    "%s: --runs: run %" PRIu64 " does not exist (the experiment has "
                    "runs 0-%" PRIu64 ")\n",
                    progname, b, nruns - 1);
            return EXIT_USAGE;
        }
        for (uint64_t r = a; r <= b; r++)
            sel[r] = 1;
    }
    return 0;
}

/* The selected runs, ascending, into *runs / *n. */
int options_select_runs(const options *o, const experiment *e, uint64_t **runs,
                        size_t *n)
{
    uint8_t *sel = calloc(e->nruns, 1);
    int rc = EXIT_OK;
    if (sel == NULL)
        goto nomem;
    if (o->runs != NULL && experiment_by_point(e)) {
        free(sel);
        return options_usage_error(
            "--runs: %s decides its runs as it goes (%s); select "
            "sweep points with --shard instead",
            e->path, e->precise ? "precision" : "warm-up pilots");
    }
    if (o->runs != NULL) {
        if ((rc = parse_run_list(o->runs, e->nruns, sel)) != 0)
            goto out;
    } else {
        memset(sel, 1, e->nruns);
    }
    size_t count = 0;
    runspace sp = experiment_space(e);
    for (uint64_t r = 0; r < e->nruns; r++) {
        if (o->shard_set && runspace_shard(&sp, r, o->shard_n) != o->shard_i)
            sel[r] = 0;
        count += sel[r];
    }
    if ((*runs = malloc((count ? count : 1) * sizeof **runs)) == NULL)
        goto nomem;
    *n = 0;
    for (uint64_t r = 0; r < e->nruns; r++)
        if (sel[r])
            (*runs)[(*n)++] = r;
out:
    free(sel);
    return rc;
nomem:
    free(sel);
    fprintf(stderr, "%s: out of memory\n", progname);
    return EXIT_IO;
}

/* EXPERIMENT.cfg -> EXPERIMENT.h5 in the current directory. */
static char *default_output(const experiment *e)
{
    const char *base = strrchr(e->path, '/');
    base = base ? base + 1 : e->path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    char *out;
    if (asprintf(&out, "%.*s.h5", (int)n, base) < 0)
        return NULL;
    return out;
}

/* The output file: --output, else output.file, else EXPERIMENT.h5. */
char *options_output_path(const options *o, const experiment *e)
{
    return o->output   ? strdup(o->output)
           : e->output ? strdup(e->output)
                       : default_output(e);
}
