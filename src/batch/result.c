/*
 * result.c — the run_result record: freeing it and naming its status.
 */
#include "batch/result.h"

#include <stdlib.h>

const char *run_status_name(run_status s)
{
    switch (s) {
    case RUN_OK:
        return "ok";
    case RUN_FAILED:
        return "failed";
    case RUN_LIMIT:
        return "limit";
    case RUN_DEADLOCK:
        return "deadlock";
    case RUN_PENDING:
        return "pending";
    }
    return "unknown";
}

void run_result_free(run_result *r)
{
    if (r == NULL)
        return;
    free(r->message);
    free(r->params);
    free(r->scalars);
    for (size_t i = 0; i < r->ndrift; i++)
        free(r->drift[i].task);
    free(r->drift);
    for (size_t i = 0; i < r->ntraces; i++) {
        free(r->traces[i].t);
        free(r->traces[i].v);
    }
    free(r->traces);
    free(r);
}
