/*
 * provenance.h — where an output file came from: the build of usim that
 * wrote it, and one record per invocation of usim-batch that contributed
 * runs to it (host, start and end time, SLURM ids).
 *
 * The build is described once per process (provenance_build).  A record
 * ("session") is begun when usim-batch opens its output and ended when it
 * finishes the file; a resumed file keeps the records of earlier
 * invocations, and a merged file keeps every shard's.
 */
#ifndef USIM_BATCH_PROVENANCE_H
#define USIM_BATCH_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

/* Widths of the text columns of a session record (with the NUL). */
#define PROV_HOST_LEN 64
#define PROV_TIME_LEN 24 /* "2026-12-01T09:53:32Z" */

typedef struct prov_build {
    const char *version;      /* PACKAGE_VERSION */
    const char *git_revision; /* abbreviated commit id, or "unknown" */
    int git_dirty;            /* 1: built from a tree with uncommitted changes */
    const char *compiler;     /* first line of `$CC --version` */
    const char *cflags;       /* the flags the project was compiled with */
} prov_build;

/* The build of this program (static storage). */
const prov_build *provenance_build(void);

typedef struct prov_session {
    uint64_t shard_index, shard_count; /* 0, 1 for an unsharded run */
    char host[PROV_HOST_LEN];
    char start[PROV_TIME_LEN], end[PROV_TIME_LEN]; /* UTC; end "" until finished */
    uint64_t runs;                                 /* runs this invocation recorded */
    int64_t slurm_job_id, slurm_array_job_id, slurm_array_task_id; /* -1: none */
} prov_session;

/* A session starting now on this host, with the SLURM ids of the
 * environment (SLURM_JOB_ID, SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID). */
void provenance_session_begin(prov_session *s, uint64_t shard_index,
                              uint64_t shard_count);
/* Ends it now, having recorded `runs` runs. */
void provenance_session_end(prov_session *s, uint64_t runs);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void provenance_now(char buf[PROV_TIME_LEN]);

#endif
