/*
 * result.c — the run_result record: freeing it and naming its status.
 */
#include "batch/result.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
    [RUN_OK] = "ok",           [RUN_FAILED] = "failed",
    [RUN_LIMIT] = "limit",     [RUN_DEADLOCK] = "deadlock",
    [RUN_PENDING] = "pending", [RUN_UNNEEDED] = "unneeded",
};

const char *run_status_name(run_status s)
{
    return (unsigned)s <= RUN_STATUS_LAST ? status_names[s] : "unknown";
}

bool run_status_parse(const char *name, run_status *s)
{
    for (unsigned i = 0; i <= RUN_STATUS_LAST; i++)
        if (!strcmp(name, status_names[i])) {
            *s = (run_status)i;
            return true;
        }
    return false;
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
