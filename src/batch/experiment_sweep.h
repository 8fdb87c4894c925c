/*
 * experiment_sweep.h — the sweep: swept parameters and zip groups become
 * loops, the loops' cross product the sweep points, and points times
 * replications the run ids (the order is in experiment.h).
 */
#ifndef USIM_BATCH_EXPERIMENT_SWEEP_H
#define USIM_BATCH_EXPERIMENT_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "batch/experiment_setting.h"

/* How many values the range from..to by step has, `to` included within
 * rounding; negative if the step leads away from `to` (step is not 0). */
double sweep_range_count(double from, double to, double step);
/* Its n values; integral: rounded to whole numbers. */
void sweep_range_fill(double from, double to, double step, bool integral, size_t n,
                      double *values);

/*
 * Builds e->loops from the swept parameters: order[0..norder) are their
 * indices in listing order, zipof[k] the zip group of parameter k or -1.
 * A zip group is one loop, at its first listed member.  Sets npoints and
 * nruns and checks them against the limits (--force lifts
 * EXPERIMENT_MAX_RUNS, not 2^32).  0, or -1 with the error line.
 */
int sweep_build(loader *ld, const config_setting_t *root, const size_t *order,
                size_t norder, const int *zipof);

#endif
