/*
 * experiment_stats.h — the experiment-statistics settings of an experiment
 * file: warmup (a time, or MSER-5 from pilot runs) and precision (waves of
 * replications until the confidence intervals are narrow enough).  Their
 * meaning is in man/usim-batch.1 ("EXPERIMENT STATISTICS").
 */
#ifndef USIM_BATCH_EXPERIMENT_STATS_H
#define USIM_BATCH_EXPERIMENT_STATS_H

#include "batch/experiment_setting.h"

/* precision: before the sweep is built (it sets the replications). */
int stats_load_precision(loader *ld, const config_setting_t *root);
/* warmup: after the traces (MSER-5 enables the trace it reads) and the
 * sweep (pilots add runs per point). */
int stats_load_warmup(loader *ld, const config_setting_t *root);

#endif
