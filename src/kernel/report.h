/*
 * report.h — what a run says when it stops for a reason other than
 * finishing: an event or wall-clock budget spent ("event limit of 5
 * events reached at t=6"), or a deadlock, with every task that waits
 * forever and what it waits on (readable afterwards through
 * usim_sim_blocked).  The loop calls these when it must decide; none of
 * it is on the event path.
 */
#ifndef USIM_KERNEL_REPORT_H
#define USIM_KERNEL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "usim.h"

typedef struct blocked_entry {
    char *task;
    char *what;
} blocked_entry;

/* The deadlock report's tasks, in the simulation's task order. */
typedef struct report_blocked {
    blocked_entry *v;
    size_t n;
} report_blocked;

/* Seconds of CLOCK_MONOTONIC: the start of a wall-clock budget. */
double report_wall_now(void);

/* The event count at which report_over_budget must next look, for a
 * run that started at event count `events0`. */
uint64_t report_next_check(const usim_sim *sim, uint64_t events0);

/* At the event count report_next_check gave: true (and the run ends
 * USIM_LIMIT with a message) if the event budget is spent or the
 * wall-clock budget, started at `wall0`, has run out. */
bool report_over_budget(usim_sim *sim, uint64_t events0, double wall0);

/* Ends the run USIM_DEADLOCK: nothing can happen any more, yet tasks
 * wait.  Names each of them and what it waits on. */
void report_deadlock(usim_sim *sim);

void report_free(report_blocked *b);

#endif
