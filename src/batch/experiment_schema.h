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

/* The index of output `name` among the model's outs[0..n) (its traces or
 * scalars: kind "trace" or "scalar") in *k; else the error line on s,
 * with "did you mean". */
int schema_find_output(loader *ld, const config_setting_t *s, const char *name,
                       const usim_output_desc *outs, size_t n, const char *kind,
                       size_t *k);

#endif
