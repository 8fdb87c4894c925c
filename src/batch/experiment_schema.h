/*
 * experiment_schema.h — what each setting of an experiment file means and
 * how it is checked: model, description, until, replications, seed,
 * kernel, limits, output, parameters, zip and traces (the contract of
 * man/usim-batch.1, "EXPERIMENT FILE").
 */
#ifndef USIM_BATCH_EXPERIMENT_SCHEMA_H
#define USIM_BATCH_EXPERIMENT_SCHEMA_H

#include "batch/experiment_setting.h"

/* Reads every setting of the parsed file into ld->e, the sweep included.
 * 0, or -1 with the error line. */
int schema_load(loader *ld);

/* The index of the model's trace `name` in *k; else the error line (on
 * setting t). */
int schema_find_trace(loader *ld, const config_setting_t *t, const char *name,
                      size_t *k);

#endif
