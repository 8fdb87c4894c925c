/*
 * service.h — what the observation layer (src/observe) may use of the
 * kernel beyond the public API: failing the run from inside a task,
 * one slot per simulation for the layer's own state, and registering
 * statistics for the warm-up.  It shows neither
 * the task nor the simulation record.
 */
#ifndef USIM_KERNEL_SERVICE_H
#define USIM_KERNEL_SERVICE_H

#include "usim.h"

/* Inside a running task: ends the run as failed with `msg` and does not
 * return (the task is abandoned).  Outside a task: returns at once, and
 * the caller reports the error through its return value. */
void service_fail_run(const char *msg);

/* The observation state of `sim`, NULL until set. */
void *service_state(const usim_sim *sim);
/* Sets it; `free_fn(state)` runs when the simulation is destroyed. */
void service_set_state(usim_sim *sim, void *state, void (*free_fn)(void *));

/* The warm-up registry of sched.h, for the tallies and histograms of
 * this layer: the same two functions (warmup.c), declared here too so
 * that observation needs no more of the kernel than this header. */
void kernel_stat_register(void *stat, void (*reset)(void *stat, double t));
void kernel_stat_forget(void *stat);

#endif
