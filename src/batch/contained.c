/*
 * contained.c — runs under the supervisor, results to a sink (contained.h).
 */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include "batch/contained.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch/journal.h"
#include "batch/options.h"
#include "batch/supervisor.h"

typedef struct ctx {
    const contained_job *job;
    const char *dir;
} ctx;

/* Every record of the journals in dir, to fn, and with `consume` each
 * journal removed once read; -1 if the directory cannot be read or memory
 * runs out (a torn last record ends its journal). */
static int each_record(const char *dir, bool consume,
                       void (*fn)(run_result *r, void *arg), void *arg)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.')
            continue;
        char *path;
        if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
            rc = -1;
            break;
        }
        journal_reader *jr;
        uint64_t ident;
        if (journal_open(&jr, path, &ident) == 0) {
            run_result *r;
            int got;
            while ((got = journal_next(jr, &r)) == 1)
                fn(r, arg);
            rc = got == -ENOMEM ? -1 : 0;
            journal_reader_close(jr);
        }
        if (consume)
            unlink(path);
        free(path);
    }
    closedir(d);
    return rc;
}

typedef struct done_set {
    uint8_t *done; /* by run */
    uint64_t nruns;
} done_set;

static void mark_done(run_result *r, void *arg)
{
    done_set *d = arg;
    if (r->run < d->nruns)
        d->done[r->run] = 1;
    run_result_free(r);
}

/* In the worker: each result into its journal. */
typedef struct journal_sink {
    journal *j;
    int rc;
} journal_sink;

static void put_journal(const run_result *r, void *arg)
{
    journal_sink *s = arg;
    if (s->rc == 0)
        s->rc = journal_append(s->j, r, NULL);
}

/* runner_record_quarantined's put. */
static int put_quarantined(const run_result *r, void *arg)
{
    return journal_append(((journal_sink *)arg)->j, r, NULL);
}

/* A worker process: the runs of the plan that no journal of dir has yet,
 * the quarantined ones recorded first. */
static int work(void *arg, const worker_plan *plan)
{
    const ctx *c = arg;
    const contained_job *job = c->job;
    const experiment *e = job->e;
    if (job->worker_starts)
        job->worker_starts(plan->w);
    uint8_t *done = calloc(e->nruns ? e->nruns : 1, 1);
    uint64_t *todo = malloc((job->opts.nruns + plan->nonly + 1) * sizeof *todo);
    char *path = NULL;
    journal_sink js = {0};
    int status = EXIT_IO;
    done_set ds = {.done = done, .nruns = e->nruns};
    if (!done || !todo || each_record(c->dir, false, mark_done, &ds) < 0 ||
        asprintf(&path, "%s/w%ld.journal", c->dir, (long)getpid()) < 0) {
        fprintf(stderr, "usim-batch: %s: cannot read the results so far\n", c->dir);
        goto out;
    }
    if ((js.rc = journal_create(&js.j, path, 0)) < 0) {
        fprintf(stderr, "usim-batch: %s: %s\n", path, strerror(-js.rc));
        goto out;
    }
    js.rc = runner_record_quarantined(e, plan, done, put_quarantined, &js);
    const uint64_t *runs = plan->only ? plan->only : job->opts.runs;
    size_t n = plan->only ? plan->nonly : job->opts.nruns, ntodo = 0;
    for (size_t i = 0; i < n; i++)
        if (!done[runs[i]])
            todo[ntodo++] = runs[i];
    runner_opts ro = job->opts;
    ro.runs = todo;
    ro.nruns = ntodo;
    ro.threads = plan->threads;
    ro.watch = plan->w;
    ro.sink = put_journal;
    ro.sink_ctx = &js;
    runner_stats st;
    char err[512] = "";
    if (js.rc == 0 && runner_run(e, NULL, &ro, &st, err, sizeof err) < 0) {
        fprintf(stderr, "usim-batch: %s\n", err[0] ? err : "out of memory");
        goto out;
    }
    if (js.rc < 0) {
        fprintf(stderr, "usim-batch: %s: %s\n", path, strerror(-js.rc));
        goto out;
    }
    status = st.skipped > 0 && ro.stop ? 128 + (int)*ro.stop : EXIT_OK;
out:
    journal_close(js.j);
    free(path);
    free(todo);
    free(done);
    return status;
}

/* The sink of job, counting the failed results. */
typedef struct counted {
    const contained_job *job;
    uint64_t failed;
} counted;

static void count_to_sink(const run_result *r, void *arg)
{
    counted *c = arg;
    c->failed += run_status_failed(r->status);
    c->job->opts.sink(r, c->job->opts.sink_ctx);
}

static void count_and_free(run_result *r, void *arg)
{
    count_to_sink(r, arg);
    run_result_free(r);
}

static int run_in_process(const contained_job *job, uint64_t *failed, char *err,
                          size_t errlen)
{
    counted c = {.job = job};
    runner_opts ro = job->opts;
    ro.sink = count_to_sink;
    ro.sink_ctx = &c;
    runner_stats st;
    char rerr[512] = "";
    if (runner_run(job->e, NULL, &ro, &st, rerr, sizeof rerr) < 0) {
        snprintf(err, errlen, "%s", rerr[0] ? rerr : "out of memory");
        return -1;
    }
    *failed = c.failed;
    return st.skipped > 0 && ro.stop ? 128 + (int)*ro.stop : 0;
}

int contained_run(const contained_job *job, uint64_t *failed, char *err, size_t errlen)
{
    *failed = 0;
    if (job->in_process)
        return run_in_process(job, failed, err, errlen);
    const char *tmpdir = getenv("TMPDIR");
    char *dir;
    if (asprintf(&dir, "%s/usim-contained-XXXXXX",
                 tmpdir && *tmpdir ? tmpdir : "/tmp") < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (mkdtemp(dir) == NULL) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    ctx c = {.job = job, .dir = dir};
    supervisor_job sj = {
        .wall_limit_s = job->e->kernel.max_wall_s,
        .threads = job->opts.threads,
        .work = work,
        .ctx = &c,
    };
    int status = supervise(&sj, job->opts.stop);
    counted col = {.job = job};
    int rc = status == EXIT_OK ? 0 : status > 128 ? status : -1;
    if (each_record(dir, true, count_and_free, &col) < 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot read the results back", dir);
        rc = -1;
    } else if (rc == -1) {
        snprintf(err, errlen, "the worker process ended with status %d", status);
    }
    *failed = col.failed;
    rmdir(dir);
    free(dir);
    return rc;
}
