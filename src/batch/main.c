/*
 * main.c — the usim-batch command line.
 *
 * Order of business, so that bad input never touches any output: parse the
 * options, load and validate the experiment file completely, select the
 * runs (--runs, --shard), and only then open the output (create, or resume
 * an interrupted one), run, and finish the file.
 *
 * Exit status (man/usim-batch.1, EXIT STATUS): 0 every run ok; 1 some runs did not
 * end ok (their status and message are in the file); 2 bad usage or bad
 * experiment file (nothing written); 3 output or I/O error.  Interrupted by
 * SIGINT/SIGTERM: 128 + the signal, the file stays resumable.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/adaptive.h"
#include "batch/describe.h"
#include "batch/determinism.h"
#include "batch/experiment.h"
#include "batch/h5file.h"
#include "batch/h5out.h"
#include "batch/h5spec.h"
#include "batch/options.h"
#include "batch/orders.h"
#include "batch/params.h"
#include "batch/runner.h"
#include "batch/supervisor.h"
#include "config.h"

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

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
    return rc == H5OUT_EEXIST || rc == H5OUT_EMISMATCH || rc == H5OUT_EBUSY ? EXIT_USAGE
                                                                            : EXIT_IO;
}

static volatile sig_atomic_t stop_signal;
/* In a worker process: where its supervisor sees that it caught the stop. */
static watch *stop_watch;

static void on_signal(int sig)
{
    stop_signal = sig;
    if (stop_watch != NULL)
        atomic_store(&stop_watch->stop_seen, 1);
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

static int threads_of(const options *o)
{
    return o->threads > 0 ? o->threads : omp_get_max_threads();
}

/* How the runner runs `runs`: the options' threads and progress, stopped
 * by SIGINT/SIGTERM (catch_signals). */
static runner_opts runner_opts_for(const options *o, const uint64_t *runs, size_t n)
{
    runner_opts ro = {
        .threads = threads_of(o),
        .runs = runs,
        .nruns = n,
        .quiet = o->quiet,
        .progress_out = stderr,
        .stop = &stop_signal,
    };
    return ro;
}

/* Names of the parameters, declared scalars and enabled traces of e, as
 * the output spec lists them, and what the model's descriptor says of
 * them (types, units, help texts). */
typedef struct spec_names {
    const char **params, **scalars, **traces, **precision;
    const char **types, **param_units, **param_help, **scalar_units, **scalar_help,
        **trace_units, **trace_help;
    char **labels; /* experiment_param_labels, owned */
    size_t nlabels;
} spec_names;

static void spec_names_free(spec_names *n)
{
    for (size_t i = 0; n->labels && i < n->nlabels; i++)
        free(n->labels[i]);
    free(n->labels);
    const char **arrays[] = {n->params,      n->scalars,      n->traces,
                             n->precision,   n->types,        n->param_units,
                             n->param_help,  n->scalar_units, n->scalar_help,
                             n->trace_units, n->trace_help};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        free(arrays[i]);
}

/* A descriptor's text, "" where the model gives none. */
static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

/* The descriptor of an enabled trace (its name is the model's). */
static const usim_output_desc *trace_desc(const experiment *e, const char *name)
{
    for (size_t i = 0; i < e->model->n_traces; i++)
        if (strcmp(e->model->traces[i].name, name) == 0)
            return &e->model->traces[i];
    return NULL;
}

/* What the output of e (for the runs of --shard) describes; the strings
 * are borrowed from e and from `names`. */
static int output_spec(h5out_spec *s, spec_names *names, const options *o,
                       const experiment *e)
{
    names->params = calloc(e->nparams + 1, sizeof *names->params);
    names->scalars = calloc(e->model->n_scalars + 1, sizeof *names->scalars);
    names->traces = calloc(e->ntraces + 1, sizeof *names->traces);
    names->labels = calloc(e->nparams + 1, sizeof *names->labels);
    names->nlabels = e->nparams;
    names->precision = calloc(e->precision.nscalars + 1, sizeof *names->precision);
    size_t np = e->nparams + 1, ns = e->model->n_scalars + 1, nt = e->ntraces + 1;
    names->types = calloc(np, sizeof *names->types);
    names->param_units = calloc(np, sizeof *names->param_units);
    names->param_help = calloc(np, sizeof *names->param_help);
    names->scalar_units = calloc(ns, sizeof *names->scalar_units);
    names->scalar_help = calloc(ns, sizeof *names->scalar_help);
    names->trace_units = calloc(nt, sizeof *names->trace_units);
    names->trace_help = calloc(nt, sizeof *names->trace_help);
    bool ok = names->params && names->scalars && names->traces && names->labels &&
              names->precision && names->types && names->param_units &&
              names->param_help && names->scalar_units && names->scalar_help &&
              names->trace_units && names->trace_help;
    for (size_t i = 0; ok && i < e->nparams; i++) {
        const usim_param_desc *d = e->params[i].desc;
        names->params[i] = d->name;
        names->types[i] = params_type_name(d->type);
        names->param_units[i] = text_or_empty(d->unit);
        names->param_help[i] = text_or_empty(d->help);
        ok = (names->labels[i] = experiment_param_labels(e, i)) != NULL;
    }
    if (!ok) {
        spec_names_free(names);
        return -1;
    }
    for (size_t i = 0; i < e->model->n_scalars; i++) {
        const usim_output_desc *d = &e->model->scalars[i];
        names->scalars[i] = d->name;
        names->scalar_units[i] = text_or_empty(d->unit);
        names->scalar_help[i] = text_or_empty(d->help);
    }
    for (size_t i = 0; i < e->ntraces; i++) {
        const usim_output_desc *d = trace_desc(e, e->traces[i].name);
        names->traces[i] = e->traces[i].name;
        names->trace_units[i] = text_or_empty(d ? d->unit : NULL);
        names->trace_help[i] = text_or_empty(d ? d->help : NULL);
    }
    const exp_precision *pr = &e->precision;
    for (size_t i = 0; i < pr->nscalars; i++)
        names->precision[i] = e->model->scalars[pr->scalars[i]].name;
    static const char *const methods[] = {
        [WARMUP_NONE] = "none", [WARMUP_FIXED] = "fixed", [WARMUP_MSER5] = "mser5"};
    *s = (h5out_spec){
        .config = e->text,
        .model = e->model_name,
        .model_path = e->reg.path ? e->reg.path : "",
        .model_sha256 = e->reg.sha256,
        .description = e->description,
        .seed = e->seed,
        .warmup = e->warmup,
        .resolution = e->kernel.resolution,
        .warmup_method = methods[e->warmup_method],
        .warmup_trace = e->pilots > 0 ? e->traces[e->warmup_trace].name : "",
        .pilots = e->pilots,
        .shard_by_point = experiment_by_point(e),
        .nprecision = pr->nscalars,
        .precision_scalars = names->precision,
        .precision_half_width = e->precise ? pr->half_width : NAN,
        .precision_relative_half_width = e->precise ? pr->relative : NAN,
        /* Without a target: the level reports use. */
        .precision_confidence = e->precise ? pr->confidence : 0.95,
        .precision_min = e->precise ? pr->min_replications : 0,
        .precision_max = e->precise ? pr->max_replications : 0,
        .random_numbers = experiment_random_numbers(e),
        .nruns = e->nruns,
        .npoints = e->npoints,
        .replications = e->replications,
        .nparams = e->nparams,
        .params = names->params,
        .param_labels = (const char *const *)names->labels,
        .param_types = names->types,
        .param_units = names->param_units,
        .param_help = names->param_help,
        .nscalars = e->model->n_scalars,
        .scalars = names->scalars,
        .scalar_units = names->scalar_units,
        .scalar_help = names->scalar_help,
        .ntraces = e->ntraces,
        .traces = names->traces,
        .trace_units = names->trace_units,
        .trace_help = names->trace_help,
        .compression = e->compression,
        .shard_index = o->shard_set ? o->shard_i : 0,
        .shard_count = o->shard_set ? o->shard_n : 1,
    };
    return 0;
}

/* runner_record_quarantined's put: into the output. */
static int put_output(const run_result *r, void *out)
{
    return h5out_write_run(out, r);
}

static void adaptive_sink(const run_result *r, void *ctx)
{
    adaptive_record(ctx, r);
}

/* 128 + the signal that stopped the batch. */
static int interrupted(uint64_t skipped)
{
    fprintf(stderr,
            "%s: interrupted: %" PRIu64 " runs not started; continue with "
            "--resume\n",
            progname, skipped);
    return 128 + (stop_signal ? stop_signal : SIGINT);
}

/*
 * Runs `runs` (those not done) into out: EXIT_OK, EXIT_IO after a writer
 * error, or 128 + a signal.  Per-point warm-ups and a sink of results
 * come from the adaptive plan a, if any.
 */
static int run_stage(const options *o, const experiment *e, h5out *out,
                     const uint64_t *runs, size_t n, const worker_plan *plan,
                     adaptive *a)
{
    char err[1024] = "";
    runner_opts ro = runner_opts_for(o, runs, n);
    if (plan) {
        ro.threads = plan->threads;
        ro.watch = plan->w;
    }
    if (a != NULL) {
        ro.warmup = adaptive_warmups(a);
        ro.sink = adaptive_sink;
        ro.sink_ctx = a;
    }
    runner_stats st;
    int rc = runner_run(e, out, &ro, &st, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", progname, err);
        return EXIT_IO;
    }
    return st.skipped > 0 ? interrupted(st.skipped) : EXIT_OK;
}

/* The selected runs that are not done (a fixed set of runs). */
static int run_selected(const options *o, const experiment *e, h5out *out,
                        const uint64_t *runs, size_t n, const uint8_t *done,
                        const worker_plan *plan, adaptive *a, bool resume)
{
    uint64_t *todo_runs = malloc((n ? n : 1) * sizeof *todo_runs);
    if (todo_runs == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return EXIT_IO;
    }
    size_t todo = 0;
    for (size_t i = 0; i < n; i++)
        if (!done[runs[i]])
            todo_runs[todo++] = runs[i];
    /* (a worker after a dead one: the supervisor said the batch goes on) */
    if (resume && !o->quiet && h5out_runs_done(out) > 0 && !(plan && plan->continues))
        fprintf(stderr, "%s: resuming: %zu of the %zu selected runs left to do\n",
                progname, todo, n);
    int status = run_stage(o, e, out, todo_runs, todo, plan, a);
    free(todo_runs);
    return status;
}

/* The plan of an experiment with pilots or a precision target, fed with
 * the runs out holds already (resumed, quarantined), its warm-ups
 * settled as far as they go. */
static int adaptive_open(adaptive **a, const options *o, const experiment *e,
                         h5out *out)
{
    uint64_t *next;
    size_t n;
    *a = adaptive_new(e, o->shard_set ? o->shard_i : 0, o->shard_set ? o->shard_n : 1);
    if (*a == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return EXIT_IO;
    }
    int rc = h5out_each_run(out, adaptive_sink, *a);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", progname, h5out_errmsg(out));
    else if ((rc = adaptive_next(*a, &next, &n)) < 0)
        fprintf(stderr, "%s: out of memory\n", progname);
    if (rc < 0) {
        adaptive_free(*a);
        *a = NULL;
        return EXIT_IO;
    }
    free(next);
    return EXIT_OK;
}

/* Records the replications a precision target did not need. */
static int record_unneeded(const experiment *e, h5out *out, const adaptive *a,
                           const uint8_t *done)
{
    runspace sp = experiment_space(e);
    char msg[128];
    uint64_t kept;
    for (uint64_t p = 0; p < e->npoints; p++) {
        if (!adaptive_point_end(a, p, &kept, msg, sizeof msg))
            continue;
        for (uint64_t rep = kept; rep < e->replications; rep++) {
            uint64_t run = runspace_run(&sp, p, rep);
            if (done[run])
                continue;
            run_result *r = runner_unrun_result(e, run, RUN_UNNEEDED, msg);
            int rc = r ? h5out_write_run(out, r) : H5OUT_ENOMEM;
            run_result_free(r);
            if (rc < 0) {
                fprintf(stderr, "%s: %s\n", progname,
                        rc == H5OUT_ENOMEM ? "out of memory" : h5out_errmsg(out));
                return EXIT_IO;
            }
        }
    }
    return EXIT_OK;
}

/* Stage after stage until the plan has nothing left to do, then the
 * replications it did not need. */
static int run_adaptive(const options *o, const experiment *e, h5out *out,
                        const uint8_t *done, const worker_plan *plan, adaptive *a)
{
    if (!o->quiet && h5out_runs_done(out) > 0 && !(plan && plan->continues))
        fprintf(stderr, "%s: resuming: %" PRIu64 " runs done\n", progname,
                h5out_runs_done(out));
    for (;;) {
        uint64_t *next;
        size_t n;
        if (adaptive_next(a, &next, &n) < 0) {
            fprintf(stderr, "%s: out of memory\n", progname);
            return EXIT_IO;
        }
        if (!o->quiet)
            adaptive_report(a, stderr, n == 0);
        if (n == 0)
            break;
        int status = run_stage(o, e, out, next, n, plan, a);
        free(next);
        if (status != EXIT_OK)
            return status;
    }
    return e->precise ? record_unneeded(e, out, a, done) : EXIT_OK;
}

/* The end of a batch with failed runs: how many, and the first ones. */
static void report_failures(const char *path, uint64_t failed, uint64_t written,
                            const h5out_failure *listed, size_t nlisted)
{
    fprintf(stderr,
            "%s: %" PRIu64 " of the %" PRIu64 " runs in %s did not end ok; see "
            "/runs status and message\n",
            progname, failed, written, path);
    for (size_t i = 0; i < nlisted; i++) {
        const h5out_failure *f = &listed[i];
        fprintf(stderr,
                "  run %" PRIu64 " (point %" PRIu64 ", replication %" PRIu64
                "): %s%s%s\n",
                f->run, f->point, f->replication, run_status_name(f->status),
                f->message[0] ? ": " : "", f->message);
    }
    if (failed > nlisted)
        fprintf(stderr, "  ... and %" PRIu64 " more\n", failed - nlisted);
}

/*
 * Opens the output, runs the selected runs that are not done, finishes.
 * In a worker process of a supervisor, `plan` says more: whether to
 * resume, the quarantined runs to record first, and (isolating suspects)
 * the only runs to do, one at a time, leaving the output unfinished.
 */
static int run_experiment(const options *o, const experiment *e, uint64_t *runs,
                          size_t n, const worker_plan *plan)
{
    char err[1024] = "";
    char *path = options_output_path(o, e);
    int status = EXIT_OK, rc;
    h5out *out = NULL;
    uint8_t *done = NULL;
    h5out_spec spec;
    spec_names names = {0};
    if (path == NULL || output_spec(&spec, &names, o, e) < 0) {
        fprintf(stderr, "%s: out of memory\n", progname);
        free(path);
        return EXIT_IO;
    }
    bool resume = plan ? plan->resume : o->resume;
    /* From here on a signal stops the experiment cleanly (the runner
     * checks stop_signal before each run). */
    stop_watch = plan ? plan->w : NULL;
    catch_signals();
    if (ensure_parent(path) < 0) {
        status = EXIT_IO;
        goto out;
    }
    if ((done = calloc(e->nruns, 1)) == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        status = EXIT_IO;
        goto out;
    }
    /* The chunks of the file compress on as many threads as runs run. */
    h5file_compress_threads(plan ? plan->threads : threads_of(o));
    if (resume) {
        rc = h5out_resume(&out, &spec, path, plan && plan->continues, done, err,
                          sizeof err);
    } else {
        rc = h5out_create(&out, &spec, path, o->force, err, sizeof err);
    }
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", progname, err);
        status = exit_for_h5(rc);
        goto out;
    }
    if ((rc = runner_record_quarantined(e, plan, done, put_output, out)) < 0) {
        fprintf(stderr, "%s: %s: %s\n", progname, path,
                rc == -ENOMEM ? "out of memory" : h5out_errmsg(out));
        h5out_close(out);
        status = EXIT_IO;
        goto out;
    }
    adaptive *a = NULL;
    if (experiment_by_point(e) && (rc = adaptive_open(&a, o, e, out)) != 0) {
        h5out_close(out);
        status = rc;
        goto out;
    }
    if (plan && plan->only) {
        runs = (uint64_t *)plan->only;
        n = plan->nonly;
    }
    if (a == NULL || (plan && plan->only))
        status = run_selected(o, e, out, runs, n, done, plan, a, resume);
    else
        status = run_adaptive(o, e, out, done, plan, a);
    adaptive_free(a);
    if (status != EXIT_OK) {
        h5out_close(out);
        goto out;
    }
    if (plan && plan->only) { /* suspects isolated: the supervisor goes on */
        h5out_close(out);
        goto out;
    }
    /* Runs of earlier invocations (--resume) count too. */
    uint64_t failed = h5out_runs_failed(out), written = h5out_runs_done(out);
    size_t nlisted;
    h5out_failure listed[H5OUT_FAILURES_KEPT];
    memcpy(listed, h5out_failures(out, &nlisted), sizeof listed);
    if ((rc = h5out_finish(out)) < 0) {
        fprintf(stderr, "%s: %s: %s\n", progname, path, h5out_errmsg(out));
        h5out_close(out);
        status = EXIT_IO;
        goto out;
    }
    h5out_close(out);
    if (failed > 0) {
        if (!o->quiet)
            report_failures(path, failed, written, listed, nlisted);
        status = EXIT_RUNS_FAILED;
    }
out:
    spec_names_free(&names);
    free(done);
    free(path);
    return status;
}

typedef struct work_ctx {
    const options *o;
    const experiment *e;
    uint64_t *runs;
    size_t n;
} work_ctx;

static int work(void *ctx, const worker_plan *plan)
{
    work_ctx *w = ctx;
    return run_experiment(w->o, w->e, w->runs, w->n, plan);
}

/* run_experiment in worker processes, under a supervisor (supervisor.h). */
static int supervised_run(const options *o, const experiment *e, uint64_t *runs,
                          size_t n)
{
    work_ctx ctx = {.o = o, .e = e, .runs = runs, .n = n};
    supervisor_job job = {
        .wall_limit_s = e->kernel.max_wall_s,
        .threads = threads_of(o),
        .resume = o->resume,
        .work = work,
        .ctx = &ctx,
    };
    catch_signals();
    return supervise(&job, &stop_signal);
}

/* In a worker process of --compare-orders or --check-determinism: a stop
 * is seen there and told to the supervisor. */
static void worker_catches_signals(watch *w)
{
    stop_watch = w;
    catch_signals();
}

/* --compare-orders: the selected runs under each order, compared. */
static int compare_orders(const options *o, const experiment *e, uint64_t *runs,
                          size_t n)
{
    catch_signals();
    runner_opts ro = runner_opts_for(o, runs, n);
    orders_report rep;
    char err[512];
    if (orders_compare(e, &ro, worker_catches_signals, o->no_supervisor, stdout, &rep,
                       err, sizeof err) < 0) {
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
                    " of the %zu x 4 runs did not end ok (the status row "
                    "says whether that depends on the order)\n",
                    progname, rep.runs_not_ok, n);
        return EXIT_RUNS_FAILED;
    }
    return EXIT_OK;
}

/* --check-determinism: a sample of the runs alone and side by side. */
static int check_determinism(const options *o, const experiment *e, uint64_t *runs,
                             size_t n)
{
    catch_signals();
    runner_opts ro = runner_opts_for(o, runs, n);
    determinism_report rep;
    char err[512];
    if (determinism_check(e, &ro, worker_catches_signals, stdout, &rep, err,
                          sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", progname, err);
        return EXIT_IO;
    }
    if (rep.skipped > 0) {
        fprintf(stderr, "%s: interrupted: no comparison\n", progname);
        return 128 + (stop_signal ? stop_signal : SIGINT);
    }
    if (rep.runs_not_ok > 0 && !o->quiet)
        fprintf(stderr,
                "%s: %" PRIu64 " of the runs (counted once per pass) did not end ok "
                "(the status row says whether that depends on the other runs)\n",
                progname, rep.runs_not_ok);
    return rep.outputs_differing > 0 || rep.runs_not_ok > 0 ? EXIT_RUNS_FAILED
                                                            : EXIT_OK;
}

/* EXIT_USAGE, and why on stderr, if the output file is one usim-batch
 * reads: the experiment file or the model plugin (--force would replace
 * it with the results). */
static int refuse_own_inputs(const options *o, const experiment *e)
{
    char *path = options_output_path(o, e);
    struct stat out, in;
    int rc = EXIT_OK;
    if (path == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return EXIT_IO;
    }
    const char *inputs[] = {e->path, e->reg.path};
    const char *what[] = {"the experiment file", "the model plugin"};
    for (size_t i = 0; rc == EXIT_OK && i < 2 && stat(path, &out) == 0; i++)
        if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev &&
            in.st_ino == out.st_ino) {
            fprintf(stderr, "%s: %s: is %s; name another output file (-o)\n", progname,
                    path, what[i]);
            rc = EXIT_USAGE;
        }
    free(path);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    int rc = options_parse(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (o.list_models)
        return describe_models(o.config);

    experiment *e;
    char err[1024];
    experiment_opts eo = {.force = o.force};
    if (experiment_load(&e, o.config, &eo, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    uint64_t *runs = NULL;
    size_t n = 0;
    if ((rc = options_select_runs(&o, e, &runs, &n)) != 0)
        goto out;
    if (o.info) {
        rc = describe_info(&o, e, n);
    } else if (o.validate) {
        describe_summary(e);
        rc = EXIT_OK;
    } else if (o.dry_run) {
        describe_runs(e, runs, n);
        rc = EXIT_OK;
    } else if (o.compare_orders) {
        rc = compare_orders(&o, e, runs, n);
    } else if (o.check_determinism) {
        rc = check_determinism(&o, e, runs, n);
    } else {
        rc = refuse_own_inputs(&o, e);
        if (rc == EXIT_OK)
            rc = o.no_supervisor ? run_experiment(&o, e, runs, n, NULL)
                                 : supervised_run(&o, e, runs, n);
    }
out:
    free(runs);
    experiment_free(e);
    return rc;
}
