/*
 * progress.h — what usim-batch shows while it runs: on a terminal a live
 * bar (runs done/total, failures, events/s, ETA) redrawn in place;
 * otherwise (a log file, a SLURM job) one plain line every few seconds.
 * Quiet shows nothing.
 *
 * One thread (the writer) owns a progress and calls every function.
 */
#ifndef USIM_BATCH_PROGRESS_H
#define USIM_BATCH_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct progress {
    FILE *out;
    bool tty;
    bool quiet;
    uint64_t total;  /* runs to do in this invocation */
    uint64_t done;   /* finished, whatever their status */
    uint64_t failed; /* finished with a status other than ok */
    uint64_t events; /* simulated events of the finished runs */
    double start;    /* monotonic seconds */
    double last;     /* when the last line/bar was drawn */
    double interval; /* seconds between redraws */
    bool drawn;      /* a bar is on screen (needs a final newline) */
} progress;

/* Monotonic clock, in seconds. */
double progress_clock(void);

void progress_init(progress *p, FILE *out, uint64_t total, bool quiet);
/* A run finished. */
void progress_add(progress *p, bool ok, uint64_t events);
/* Redraws if the interval has passed (or `force`). */
void progress_show(progress *p, bool force);
/* The final state and a summary line. */
void progress_end(progress *p);

#endif
