/*
 * main.c — the usim-batch command line.
 *
 * Order of business, so that bad input never touches any output: parse the
 * options, load and validate the experiment file completely, select the
 * runs (--runs, --shard), and only then open the output (create, or resume
 * an interrupted one), run, and finish the file.
 *
 * Exit status (DESIGN.md "usim-batch"): 0 every run ok; 1 some runs did not
 * end ok (their status and message are in the file); 2 bad usage or bad
 * experiment file (nothing written); 3 output or I/O error.  Interrupted by
 * SIGINT/SIGTERM: 128 + the signal, the file stays resumable.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/experiment.h"
#include "batch/h5out.h"
#include "batch/h5spec.h"
#include "batch/orders.h"
#include "batch/registry.h"
#include "batch/runner.h"
#include "batch/sha256.h"
#include "config.h"

enum { EXIT_OK = 0, EXIT_RUNS_FAILED = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char *progname = "usim-batch";

typedef struct options {
    int threads;
    const char *output;
    bool dry_run, resume, force, validate, info, list_models, quiet, compare_orders;
    const char *runs;
    bool shard_set;
    uint64_t shard_i, shard_n;
    const char *config;
} options;

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
        "      --shard I/N    only the runs with run %% N == I (0 <= I < N)\n"
        "      --resume       continue an interrupted output file\n"
        "      --force        overwrite an existing output file; allow sweeps\n"
        "                     of more than %llu runs\n"
        "      --validate     check the experiment file and exit\n"
        "      --info         check the experiment file and print what scripts need\n"
        "                     (runs, points, output file, ...) as key=value lines\n"
        "      --list-models  describe the built-in models (or the plugin\n"
        "                     given as argument) and exit\n"
        "      --compare-orders  run the selected runs under each turn order\n"
        "                     (fifo, lifo, random), write no file, and print which\n"
        "                     outputs differ between the orders\n"
        "  -q, --quiet        no progress display\n"
        "  -h, --help         this help\n"
        "  -V, --version      version\n"
        "\n"
        "Exit status: 0 all runs ok, 1 some runs failed or hit a limit,\n"
        "2 bad usage or experiment file (nothing written), 3 output error.\n"
        "See usim-batch(1) for the experiment file.\n",
        progname, EXPERIMENT_MAX_RUNS);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
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
};

static int parse_options(int argc, char **argv, options *o)
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
                return usage_error("--threads: expected a number of threads >= 1, not "
                                   "'%s'",
                                   optarg);
            o->threads = (int)v;
            break;
        case 'o':
            if (optarg[0] == '\0')
                return usage_error("--output: the file name is empty");
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
                return usage_error("--shard: expected I/N, not '%s'", optarg);
            memcpy(buf, optarg, (size_t)(slash - optarg));
            buf[slash - optarg] = '\0';
            if (!parse_u64(buf, &o->shard_i) || !parse_u64(slash + 1, &o->shard_n) ||
                o->shard_n < 1 || o->shard_i >= o->shard_n)
                return usage_error("--shard: expected I/N with 0 <= I < N, not '%s'",
                                   optarg);
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
            return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (o->list_models) {
        if (argc - optind > 1)
            return usage_error("--list-models takes at most one plugin path");
        o->config = optind < argc ? argv[optind] : NULL;
        return 0;
    }
    if (optind == argc)
        return usage_error("no experiment file given");
    if (argc - optind > 1)
        return usage_error("one experiment file at a time (extra argument '%s')",
                           argv[optind + 1]);
    o->config = argv[optind];
    if (o->resume && o->force)
        return usage_error("--resume continues a file, --force replaces it: choose "
                           "one");
    if (o->compare_orders && (o->output || o->resume))
        return usage_error("--compare-orders writes no file: it does not take %s",
                           o->output ? "--output" : "--resume");
    return 0;
}

/* ------------------------------------------------------------------ */
/* --list-models                                                       */
/* ------------------------------------------------------------------ */

static const char *param_type_name(usim_param_type t)
{
    switch (t) {
    case USIM_PARAM_INT:
        return "int";
    case USIM_PARAM_BOOL:
        return "bool";
    case USIM_PARAM_REAL:
        break;
    }
    return "real";
}

static void describe_outputs(const char *what, const usim_output_desc *o, size_t n)
{
    printf("  %s:%s\n", what, n ? "" : " none");
    for (size_t i = 0; i < n; i++)
        printf("    %-20s %s%s%s%s\n", o[i].name, o[i].help ? o[i].help : "",
               o[i].unit && *o[i].unit ? " [" : "", o[i].unit ? o[i].unit : "",
               o[i].unit && *o[i].unit ? "]" : "");
}

static void describe_model(const usim_model *m)
{
    printf("%s: %s\n", m->name, m->description ? m->description : "");
    printf("  parameters:%s\n", m->n_params ? "" : " none");
    for (size_t i = 0; i < m->n_params; i++) {
        const usim_param_desc *p = &m->params[i];
        printf("    %-20s %-4s default %-8g range [%g, %g]%s%s%s  %s\n", p->name,
               param_type_name(p->type), p->def, p->min, p->max,
               p->unit && *p->unit ? " [" : "", p->unit ? p->unit : "",
               p->unit && *p->unit ? "]" : "", p->help ? p->help : "");
    }
    describe_outputs("scalars", m->scalars, m->n_scalars);
    describe_outputs("traces", m->traces, m->n_traces);
}

static int list_models(const char *plugin)
{
    if (plugin != NULL) {
        registry_model rm;
        char err[512];
        if (registry_find(plugin, NULL, &rm, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", progname, err);
            return EXIT_USAGE;
        }
        describe_model(rm.model);
        registry_release(&rm);
        return EXIT_OK;
    }
    for (size_t i = 0; i < registry_builtin_count(); i++) {
        if (i > 0)
            putchar('\n');
        describe_model(registry_builtin(i));
    }
    return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Run selection                                                       */
/* ------------------------------------------------------------------ */

/* Marks the runs of LIST ("0-9,15,20-29") in sel[0..nruns). */
static int parse_run_list(const char *list, uint64_t nruns, uint8_t *sel)
{
    const char *p = list;
    if (*p == '\0')
        return usage_error("--runs: the list is empty");
    while (*p) {
        char *end;
        uint64_t a, b;
        if (*p < '0' || *p > '9')
            return usage_error("--runs: expected run ids like 0-9,15 in '%s'", list);
        a = strtoull(p, &end, 10);
        b = a;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9')
                return usage_error("--runs: expected run ids like 0-9,15 in '%s'",
                                   list);
            b = strtoull(p, &end, 10);
            p = end;
        }
        if (*p == ',')
            p++;
        else if (*p != '\0')
            return usage_error("--runs: expected run ids like 0-9,15 in '%s'", list);
        if (b < a)
            return usage_error("--runs: a range goes downwards in '%s'", list);
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
static int select_runs(const options *o, const experiment *e, uint64_t **runs,
                       size_t *n)
{
    uint8_t *sel = calloc(e->nruns, 1);
    int rc = EXIT_OK;
    if (sel == NULL)
        goto nomem;
    if (o->runs != NULL) {
        if ((rc = parse_run_list(o->runs, e->nruns, sel)) != 0)
            goto out;
    } else {
        memset(sel, 1, e->nruns);
    }
    size_t count = 0;
    for (uint64_t r = 0; r < e->nruns; r++) {
        if (o->shard_set && r % o->shard_n != o->shard_i)
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

static void dry_run(const experiment *e, const uint64_t *runs, size_t n)
{
    printf("# %s: model %s, %" PRIu64 " points x %" PRIu64 " replications = %" PRIu64
           " runs, %zu selected; a run's random numbers depend on (seed, run)\n",
           e->path, e->model->name, e->npoints, e->replications, e->nruns, n);
    printf("run\tpoint\treplication\tseed");
    for (size_t k = 0; k < e->nparams; k++)
        printf("\t%s", e->params[k].desc->name);
    putchar('\n');
    double params[e->nparams ? e->nparams : 1];
    for (size_t i = 0; i < n; i++) {
        uint64_t point = experiment_point(e, runs[i]);
        experiment_point_params(e, point, params);
        printf("%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64, runs[i], point,
               experiment_replication(e, runs[i]), e->seed);
        for (size_t k = 0; k < e->nparams; k++)
            printf("\t%.15g", params[k]);
        putchar('\n');
    }
}

static void validate_summary(const experiment *e)
{
    printf("%s: ok: model %s, %" PRIu64 " points x %" PRIu64 " replications = %" PRIu64
           " runs",
           e->path, e->model->name, e->npoints, e->replications, e->nruns);
    for (size_t i = 0; i < e->nloops; i++) {
        printf("%s", i ? " x " : "; sweep ");
        for (size_t j = 0; j < e->loops[i].nmembers; j++)
            printf("%s%s", j ? "+" : "", e->params[e->loops[i].members[j]].desc->name);
        printf(" (%zu)", e->loops[i].n);
    }
    putchar('\n');
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

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

/* The output's directory, created if missing (one level: "results/"). */
static int ensure_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return 0;
    char *dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return -1;
    int rc = 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create the output directory '%s': %s\n", progname,
                dir, strerror(errno));
        rc = -1;
    }
    free(dir);
    return rc;
}

static int exit_for_h5(int rc)
{
    return rc == H5OUT_EEXIST || rc == H5OUT_EMISMATCH ? EXIT_USAGE : EXIT_IO;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* A second Ctrl-C kills at once: the file stays resumable anyway. */
    /* SA_RESTART: the writer's I/O goes on undisturbed. */
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* How the runner runs `runs`: the options' threads and progress, stopped
 * by SIGINT/SIGTERM (catch_signals). */
static runner_opts runner_opts_for(const options *o, const uint64_t *runs, size_t n)
{
    runner_opts ro = {
        .threads = o->threads > 0 ? o->threads : omp_get_max_threads(),
        .runs = runs,
        .nruns = n,
        .quiet = o->quiet,
        .progress_out = stderr,
        .stop = &stop_signal,
    };
    return ro;
}

/* The output file: --output, else output.file, else EXPERIMENT.h5. */
static char *output_path(const options *o, const experiment *e)
{
    return o->output   ? strdup(o->output)
           : e->output ? strdup(e->output)
                       : default_output(e);
}

/* Names of the parameters, declared scalars and enabled traces of e, as
 * the output spec lists them. */
typedef struct spec_names {
    const char **params, **scalars, **traces;
} spec_names;

static void spec_names_free(spec_names *n)
{
    free(n->params);
    free(n->scalars);
    free(n->traces);
}

/* What the output of e (for the runs of --shard) describes; the strings
 * are borrowed from e and from `names`. */
static int output_spec(h5out_spec *s, spec_names *names, const options *o,
                       const experiment *e)
{
    names->params = calloc(e->nparams + 1, sizeof *names->params);
    names->scalars = calloc(e->model->n_scalars + 1, sizeof *names->scalars);
    names->traces = calloc(e->ntraces + 1, sizeof *names->traces);
    if (!names->params || !names->scalars || !names->traces) {
        spec_names_free(names);
        return -1;
    }
    for (size_t i = 0; i < e->nparams; i++)
        names->params[i] = e->params[i].desc->name;
    for (size_t i = 0; i < e->model->n_scalars; i++)
        names->scalars[i] = e->model->scalars[i].name;
    for (size_t i = 0; i < e->ntraces; i++)
        names->traces[i] = e->traces[i].name;
    *s = (h5out_spec){
        .config = e->text,
        .model = e->model_name,
        .model_path = e->reg.path ? e->reg.path : "",
        .model_sha256 = e->reg.sha256,
        .description = e->description,
        .seed = e->seed,
        .nruns = e->nruns,
        .npoints = e->npoints,
        .replications = e->replications,
        .nparams = e->nparams,
        .params = names->params,
        .nscalars = e->model->n_scalars,
        .scalars = names->scalars,
        .ntraces = e->ntraces,
        .traces = names->traces,
        .compression = e->compression,
        .shard_index = o->shard_set ? o->shard_i : 0,
        .shard_count = o->shard_set ? o->shard_n : 1,
    };
    return 0;
}

/* --info: what a script (usim-submit) needs to know, as key=value lines. */
static int print_info(const options *o, const experiment *e, size_t selected)
{
    char *path = output_path(o, e);
    char hash[SHA256_HEX_LEN];
    if (path == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return EXIT_IO;
    }
    sha256_hex(e->text, strlen(e->text), hash);
    printf("config=%s\nmodel=%s\nruns=%" PRIu64 "\npoints=%" PRIu64
           "\nreplications=%" PRIu64 "\nselected=%zu\nseed=%" PRIu64
           "\noutput=%s\nconfig_sha256=%s\nversion=%s\n",
           e->path, e->model_name, e->nruns, e->npoints, e->replications, selected,
           e->seed, path, hash, PACKAGE_VERSION);
    free(path);
    return EXIT_OK;
}

/* Opens the output, runs the selected runs that are not done, finishes. */
static int run_experiment(const options *o, const experiment *e, uint64_t *runs,
                          size_t n)
{
    char err[1024] = "";
    char *path = output_path(o, e);
    int status = EXIT_OK, rc;
    h5out *out = NULL;
    uint8_t *done = NULL;
    uint64_t *todo_runs = NULL;
    h5out_spec spec;
    spec_names names = {0};
    if (path == NULL || output_spec(&spec, &names, o, e) < 0) {
        fprintf(stderr, "%s: out of memory\n", progname);
        free(path);
        return EXIT_IO;
    }
    /* From here on a signal stops the experiment cleanly (the runner
     * checks stop_signal before each run). */
    catch_signals();
    if (ensure_parent(path) < 0) {
        status = EXIT_IO;
        goto out;
    }
    if (o->resume) {
        if ((done = calloc(e->nruns, 1)) == NULL) {
            fprintf(stderr, "%s: out of memory\n", progname);
            status = EXIT_IO;
            goto out;
        }
        rc = h5out_resume(&out, &spec, path, done, err, sizeof err);
    } else {
        rc = h5out_create(&out, &spec, path, o->force, err, sizeof err);
    }
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", progname, err);
        status = exit_for_h5(rc);
        goto out;
    }
    if ((todo_runs = malloc((n ? n : 1) * sizeof *todo_runs)) == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        h5out_close(out);
        status = EXIT_IO;
        goto out;
    }
    size_t todo = 0;
    for (size_t i = 0; i < n; i++)
        if (done == NULL || !done[runs[i]])
            todo_runs[todo++] = runs[i];
    if (o->resume && !o->quiet && h5out_runs_done(out) > 0)
        fprintf(stderr, "%s: resuming %s: %zu of the %zu selected runs left to do\n",
                progname, path, todo, n);

    runner_opts ro = runner_opts_for(o, todo_runs, todo);
    runner_stats st;
    rc = runner_run(e, out, &ro, &st, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "%s: %s: %s\n", progname, path, err);
        h5out_close(out);
        status = EXIT_IO;
        goto out;
    }
    if (st.skipped > 0) {
        fprintf(stderr,
                "%s: interrupted: %" PRIu64 " runs not started; continue with "
                "--resume\n",
                progname, st.skipped);
        h5out_close(out);
        status = 128 + (stop_signal ? stop_signal : SIGINT);
        goto out;
    }
    /* Runs of earlier invocations (--resume) count too. */
    uint64_t failed = h5out_runs_failed(out), written = h5out_runs_done(out);
    if ((rc = h5out_finish(out)) < 0) {
        fprintf(stderr, "%s: %s: %s\n", progname, path, h5out_errmsg(out));
        h5out_close(out);
        status = EXIT_IO;
        goto out;
    }
    h5out_close(out);
    if (failed > 0) {
        if (!o->quiet)
            fprintf(stderr,
                    "%s: %" PRIu64 " of the %" PRIu64 " runs in %s did not end ok; see "
                    "/runs status and message\n",
                    progname, failed, written, path);
        status = EXIT_RUNS_FAILED;
    }
out:
    spec_names_free(&names);
    free(todo_runs);
    free(done);
    free(path);
    return status;
}

/* --compare-orders: the selected runs under each order, compared. */
static int compare_orders(const options *o, const experiment *e, uint64_t *runs,
                          size_t n)
{
    catch_signals();
    runner_opts ro = runner_opts_for(o, runs, n);
    orders_report rep;
    char err[512];
    if (orders_compare(e, &ro, stdout, &rep, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", progname, err);
        return EXIT_IO;
    }
    if (rep.skipped > 0) {
        fprintf(stderr, "%s: interrupted: no comparison\n", progname);
        return 128 + (stop_signal ? stop_signal : SIGINT);
    }
    if (rep.runs_not_ok > 0) {
        if (!o->quiet)
            fprintf(stderr,
                    "%s: %" PRIu64
                    " of the %zu x 3 runs did not end ok (the status row "
                    "says whether that depends on the order)\n",
                    progname, rep.runs_not_ok, n);
        return EXIT_RUNS_FAILED;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (o.list_models)
        return list_models(o.config);

    experiment *e;
    char err[1024];
    experiment_opts eo = {.force = o.force};
    if (experiment_load(&e, o.config, &eo, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    uint64_t *runs = NULL;
    size_t n = 0;
    if ((rc = select_runs(&o, e, &runs, &n)) != 0)
        goto out;
    if (o.info) {
        rc = print_info(&o, e, n);
    } else if (o.validate) {
        validate_summary(e);
        rc = EXIT_OK;
    } else if (o.dry_run) {
        dry_run(e, runs, n);
        rc = EXIT_OK;
    } else if (o.compare_orders) {
        rc = compare_orders(&o, e, runs, n);
    } else {
        rc = run_experiment(&o, e, runs, n);
    }
out:
    free(runs);
    experiment_free(e);
    return rc;
}
