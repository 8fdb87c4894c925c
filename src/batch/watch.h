/*
 * watch.h — what a worker process tells its supervisor while it runs,
 * through memory they share (mmap'd before the fork): which run each
 * worker thread is in and since when, the first fatal signal and the run
 * and task it hit, and whether the worker saw a stop signal or ended by
 * itself.  The worker only stores; the supervisor only reads (and resets
 * before each worker).  Every field is a lock-free atomic, so the crash
 * handler may write it and a SIGKILL at any moment leaves it readable.
 */
#ifndef USIM_BATCH_WATCH_H
#define USIM_BATCH_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WATCH_IDLE UINT64_MAX /* a slot with no run */
#define WATCH_TASK_LEN 64

typedef struct watch_slot {
    _Atomic uint64_t run;       /* the run in flight, or WATCH_IDLE */
    _Atomic int64_t started_ns; /* its start, CLOCK_MONOTONIC */
} watch_slot;

typedef struct watch {
    _Atomic int crash_signal;        /* the first fatal signal, 0 if none */
    _Atomic uint64_t crash_run;      /* the run on the thread it hit, or WATCH_IDLE */
    char crash_task[WATCH_TASK_LEN]; /* the task running there, or "" (read
                                      only after the worker has died) */
    _Atomic int stop_seen;           /* the worker caught SIGINT or SIGTERM */
    _Atomic int finished;            /* the worker returned an exit status: */
    _Atomic int status;              /* this one (whatever happens after) */
    /* The runs every worker so far recorded, and when the first began
     * (0: not yet): what the progress display of a worker after a dead
     * one starts from.  watch_reset keeps them. */
    _Atomic uint64_t runs_done, runs_failed, events;
    _Atomic int64_t begun_ns;
    size_t nslots;
    watch_slot slots[];
} watch;

/* A shared watch with one slot per worker thread, all idle; NULL if the
 * mapping fails.  watch_free unmaps it. */
watch *watch_create(size_t nslots);
void watch_free(watch *w);
/* Back to all idle, no crash, no stop (before the next worker starts). */
void watch_reset(watch *w);

/* Worker side.  watch_begin/watch_end bracket one run on worker thread
 * `slot` (w may be NULL: then nothing is recorded). */
void watch_begin(watch *w, size_t slot, uint64_t run);
void watch_end(watch *w, size_t slot);
/* Runs recorded (`failed` of them not ok), for the progress of the
 * workers after this one. */
void watch_count_runs(watch *w, uint64_t runs, uint64_t failed, uint64_t events);
/* Installs the crash recorder for SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT, SIGSYS and SIGTRAP: it records the signal, the run of the
 * faulting thread and its running task, then lets the signal kill the
 * process as it would have.  Install it before the stack overflow handler
 * of the coroutine layer, which passes faults outside guard pages on. */
int watch_catch_crashes(watch *w);

/* Monotonic nanoseconds, the clock of started_ns. */
int64_t watch_now_ns(void);

#endif
