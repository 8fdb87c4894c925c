/*
 * determinism.c — usim-batch --check-determinism (determinism.h).
 *
 * "Alone" means a fresh process per run: static state cannot leak into it
 * from another run, so it is the reference.  Each is forked before any
 * worker thread exists (forking a process with OpenMP threads is not
 * safe), runs its run with runner_run_one and hands the result back
 * through a journal file, the serialisation the output layer trusts.
 */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include "batch/determinism.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch/journal.h"
#include "batch/passes.h"

enum { ALONE, TOGETHER, REVERSED, NPASSES };

/* An evenly spaced sample of at most DETERMINISM_SAMPLE of runs[0..n). */
static size_t sample(const uint64_t *runs, size_t n, uint64_t *out)
{
    if (n <= DETERMINISM_SAMPLE) {
        memcpy(out, runs, n * sizeof *runs);
        return n;
    }
    for (size_t i = 0; i < DETERMINISM_SAMPLE; i++)
        out[i] = runs[i * (n - 1) / (DETERMINISM_SAMPLE - 1)];
    return DETERMINISM_SAMPLE;
}

/* Runs `run` in a child process; its result into the table. */
static int run_alone(const experiment *e, uint64_t run, const char *dir, passes *tb,
                     char *err, size_t errlen)
{
    char *path;
    if (asprintf(&path, "%s/run-%llu.journal", dir, (unsigned long long)run) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork: %s", strerror(errno));
        free(path);
        return -1;
    }
    if (pid == 0) {
        journal *j;
        run_result *r = runner_run_one(e, run);
        int ok = r && journal_create(&j, path, 0) == 0 &&
                 journal_append(j, r, NULL) == 0 && journal_sync(j) == 0;
        _exit(ok ? 0 : 1);
    }
    int ws, rc = -1;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    journal_reader *jr = NULL;
    run_result *r = NULL;
    uint64_t ident;
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        snprintf(err, errlen, "run %llu alone: its process %s %d",
                 (unsigned long long)run, WIFSIGNALED(ws) ? "died of signal" : "exited",
                 WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
    else if (journal_open(&jr, path, &ident) < 0 || journal_next(jr, &r) != 1)
        snprintf(err, errlen, "run %llu alone: its result cannot be read back",
                 (unsigned long long)run);
    else {
        passes_put(tb, ALONE, r);
        rc = 0;
    }
    run_result_free(r);
    journal_reader_close(jr);
    unlink(path);
    free(path);
    return rc;
}

int determinism_check(const experiment *e, const runner_opts *opts, FILE *out,
                      determinism_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    uint64_t *runs = malloc((opts->nruns + 1) * sizeof *runs),
             *reversed = malloc((opts->nruns + 1) * sizeof *runs);
    const char *tmpdir = getenv("TMPDIR");
    char *dirpath = NULL;
    passes *tb = NULL;
    int rc = -1;
    if (!runs || !reversed ||
        asprintf(&dirpath, "%s/usim-determinism-XXXXXX",
                 tmpdir && *tmpdir ? tmpdir : "/tmp") < 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t n = sample(opts->runs, opts->nruns, runs);
    for (size_t i = 0; i < n; i++)
        reversed[i] = runs[n - 1 - i];
    if ((tb = passes_new(e, runs, n, NPASSES)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (mkdtemp(dirpath) == NULL) {
        snprintf(err, errlen, "%s: %s", dirpath, strerror(errno));
        goto out;
    }
    FILE *progress = opts->progress_out ? opts->progress_out : stderr;
    if (!opts->quiet)
        fprintf(progress, "each run alone, in a process of its own (%zu runs)\n", n);
    for (size_t i = 0; i < n; i++) {
        if (opts->stop && *opts->stop) {
            rep->skipped = n - i;
            break;
        }
        if (run_alone(e, runs[i], dirpath, tb, err, errlen) < 0) {
            rmdir(dirpath);
            goto out;
        }
    }
    rmdir(dirpath);
    for (size_t pass = TOGETHER; pass <= REVERSED && rep->skipped == 0; pass++) {
        passes_sink ps = {.tb = tb, .pass = pass};
        runner_opts ro = *opts;
        ro.runs = pass == TOGETHER ? runs : reversed;
        ro.nruns = n;
        ro.sink = passes_sink_put;
        ro.sink_ctx = &ps;
        /* Side by side: at least two threads, whatever -j says. */
        ro.threads = opts->threads >= 2 ? opts->threads : 2;
        if (!opts->quiet)
            fprintf(progress, "side by side on %d threads%s:\n", ro.threads,
                    pass == REVERSED ? ", in the reverse order" : "");
        runner_stats st;
        char rerr[512] = "";
        if (runner_run(e, NULL, &ro, &st, rerr, sizeof rerr) < 0) {
            snprintf(err, errlen, "%s", rerr[0] ? rerr : "out of memory");
            goto out;
        }
        rep->skipped += st.skipped;
    }
    if (rep->skipped > 0) {
        rc = 0; /* stopped by a signal: no table */
        goto out;
    }
    fprintf(out,
            "# %s: model %s, %zu of the %zu selected runs, each alone in a process of "
            "its own, then side by side in one process (in run order and reversed)\n",
            e->path, e->model->name, n, opts->nruns);
    rc = passes_report(tb, out, "whether a run runs alone or beside others",
                       &rep->outputs_differing, err, errlen);
    if (rc == 0 && rep->outputs_differing > 0)
        fprintf(out, "# a run's result depends on the other runs in its process: the "
                     "model keeps state outside the run (static or global variables?); "
                     "keep all of it in the state setup returns\n");
out:
    passes_free(tb);
    free(dirpath);
    free(runs);
    free(reversed);
    return rc;
}
