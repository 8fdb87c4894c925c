/*
 * orders.c — usim-batch --compare-orders (see orders.h): the selected runs
 * once per turn order, their results compared by passes.c.
 */
#include "batch/orders.h"

#include <stdlib.h>
#include <string.h>

#include "batch/contained.h"
#include "batch/passes.h"

enum { NORDERS = 4 };
static const usim_order orders[NORDERS] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO,
                                           USIM_ORDER_RANDOM, USIM_ORDER_MUSIM};

int orders_compare(const experiment *e, const runner_opts *opts,
                   void (*worker_starts)(watch *w), bool in_process, FILE *out,
                   orders_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    passes *tb = passes_new(e, opts->runs, opts->nruns, NORDERS);
    if (tb == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t o = 0; o < NORDERS; o++) {
        experiment eo = *e; /* a shallow copy: only the order differs */
        eo.kernel.order = orders[o];
        passes_sink ps = {.tb = tb, .pass = o};
        contained_job job = {.e = &eo,
                             .opts = *opts,
                             .worker_starts = worker_starts,
                             .in_process = in_process};
        job.opts.sink = passes_sink_put;
        job.opts.sink_ctx = &ps;
        if (!opts->quiet) /* the progress of each pass follows its name */
            fprintf(opts->progress_out ? opts->progress_out : stderr, "order %s:\n",
                    usim_order_name(orders[o]));
        uint64_t failed;
        int got = contained_run(&job, &failed, err, errlen);
        rep->runs_not_ok += failed;
        if (got > 0) { /* stopped by a signal: no table */
            rep->skipped = 1;
            goto out;
        }
        if (got < 0) {
            rc = -1;
            goto out;
        }
    }
    const char *file_order = usim_order_name(e->kernel.order);
    fprintf(out, "# %s: model %s, %zu run%s, each under", e->path, e->model->name,
            opts->nruns, opts->nruns == 1 ? "" : "s");
    for (size_t o = 0; o < NORDERS; o++)
        fprintf(out, "%s %s",
                o == 0             ? ""
                : o + 1 == NORDERS ? " and"
                                   : ",",
                usim_order_name(orders[o]));
    fprintf(out, " (the file's order \"%s\" is not used)\n",
            file_order ? file_order : "?");
    rc = passes_report(tb, out, "the turn order", &rep->outputs_differing, err, errlen);
out:
    passes_free(tb);
    return rc;
}
