/*
 * provenance.c — the build and the invocations behind an output file
 * (provenance.h).  The compiler and flags come from configure (config.h),
 * the git revision from build_revision.h, which the build regenerates at
 * every make and replaces only when the revision changes.
 */
#include "batch/provenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch/build_revision.h"
#include "config.h"

const prov_build *provenance_build(void)
{
    static const prov_build b = {
        .version = PACKAGE_VERSION,
        .git_revision = USIM_GIT_REVISION,
        .git_dirty = USIM_GIT_DIRTY,
        .compiler = USIM_BUILD_CC,
        .cflags = USIM_BUILD_CFLAGS,
    };
    return &b;
}

void provenance_now(char buf[PROV_TIME_LEN])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, PROV_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A non-negative integer from the environment, or -1. */
static int64_t env_id(const char *name)
{
    const char *v = getenv(name);
    char *end;
    if (v == NULL || *v < '0' || *v > '9')
        return -1;
    long long n = strtoll(v, &end, 10);
    return *end == '\0' && n >= 0 ? (int64_t)n : -1;
}

void provenance_session_begin(prov_session *s, uint64_t shard_index,
                              uint64_t shard_count)
{
    memset(s, 0, sizeof *s);
    s->shard_index = shard_index;
    s->shard_count = shard_count;
    if (gethostname(s->host, sizeof s->host) != 0)
        snprintf(s->host, sizeof s->host, "unknown");
    s->host[sizeof s->host - 1] = '\0';
    provenance_now(s->start);
    s->slurm_job_id = env_id("SLURM_JOB_ID");
    s->slurm_array_job_id = env_id("SLURM_ARRAY_JOB_ID");
    s->slurm_array_task_id = env_id("SLURM_ARRAY_TASK_ID");
}

void provenance_session_end(prov_session *s, uint64_t runs)
{
    s->runs = runs;
    provenance_now(s->end);
}
