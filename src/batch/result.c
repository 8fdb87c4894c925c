/*
 * result.c — the run_result record: allocating it (one block, or one per
 * member), freeing it and naming its status.
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

run_result *run_result_block(size_t extra)
{
    if (extra > SIZE_MAX - RUN_RESULT_HEAD)
        return NULL;
    run_result *r = malloc(RUN_RESULT_HEAD + extra);
    if (r) {
        memset(r, 0, sizeof *r);
        r->block_end = (const char *)r + RUN_RESULT_HEAD + extra;
    }
    return r;
}

/* Frees a member unless it lies in the record's own block. */
static void release(const run_result *r, void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a < (uintptr_t)r || a >= (uintptr_t)r->block_end)
        free(p);
}

size_t run_result_bytes(const run_result *r)
{
    size_t n = 1024;
    for (size_t k = 0; k < r->ntraces; k++)
        n += r->traces[k].n * 2 * sizeof(double);
    return n;
}

void run_result_free(run_result *r)
{
    if (r == NULL)
        return;
    release(r, r->message);
    release(r, r->params);
    release(r, r->scalars);
    for (size_t i = 0; i < r->ndrift; i++)
        release(r, r->drift[i].task);
    release(r, r->drift);
    for (size_t i = 0; i < r->ntraces; i++) {
        release(r, r->traces[i].t);
        release(r, r->traces[i].v);
    }
    release(r, r->traces);
    free(r);
}
