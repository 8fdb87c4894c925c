/*
 * determinism.c — usim-batch --check-determinism (determinism.h).
 *
 * "Alone" means a fresh process per run: static state cannot leak into it
 * from another run, so it is the reference.  Every pass runs under the
 * supervisor (contained.h), a run alone in a worker process of its own,
 * so a run that crashes or loops is recorded as in a batch and the check
 * goes on.
 */
#include "batch/determinism.h"

#include <stdlib.h>
#include <string.h>

#include "batch/contained.h"
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

int determinism_check(const experiment *e, const runner_opts *opts,
                      void (*worker_starts)(watch *w), FILE *out,
                      determinism_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    uint64_t *runs = malloc((opts->nruns + 1) * sizeof *runs),
             *reversed = malloc((opts->nruns + 1) * sizeof *runs);
    passes *tb = NULL;
    int rc = -1;
    if (!runs || !reversed) {
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
    FILE *progress = opts->progress_out ? opts->progress_out : stderr;
    if (!opts->quiet)
        fprintf(progress, "each run alone, in a process of its own (%zu runs)\n", n);
    /* n passes of one run alone (a supervised worker process of its own,
     * fresh from the fork: no static state of another run in it), then
     * side by side, then reversed. */
    for (size_t i = 0; i < n + 2; i++) {
        size_t pass = i < n ? ALONE : i == n ? TOGETHER : REVERSED;
        passes_sink ps = {.tb = tb, .pass = pass};
        contained_job job = {.e = e, .opts = *opts, .worker_starts = worker_starts};
        job.opts.sink = passes_sink_put;
        job.opts.sink_ctx = &ps;
        if (pass == ALONE) {
            job.opts.runs = &runs[i];
            job.opts.nruns = 1;
            job.opts.threads = 1;
            job.opts.quiet = true;
        } else {
            job.opts.runs = pass == TOGETHER ? runs : reversed;
            job.opts.nruns = n;
            /* Side by side: at least two threads, whatever -j says. */
            job.opts.threads = opts->threads >= 2 ? opts->threads : 2;
            if (!opts->quiet)
                fprintf(progress, "side by side on %d threads%s:\n", job.opts.threads,
                        pass == REVERSED ? ", in the reverse order" : "");
        }
        uint64_t failed;
        int got = contained_run(&job, &failed, err, errlen);
        rep->runs_not_ok += failed;
        if (got > 0) { /* stopped by a signal: no table */
            rep->skipped = 1;
            rc = 0;
            goto out;
        }
        if (got < 0)
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
    free(runs);
    free(reversed);
    return rc;
}
