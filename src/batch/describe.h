/*
 * describe.h — what usim-batch prints about models and experiments without
 * running them: --list-models, --dry-run, --validate and --info.
 */
#ifndef USIM_BATCH_DESCRIBE_H
#define USIM_BATCH_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

#include "batch/experiment.h"
#include "batch/options.h"

/* The built-in models, or the plugin at `plugin`; an exit status. */
int describe_models(const char *plugin);
/* The selected runs as a tab-separated table. */
void describe_runs(const experiment *e, const uint64_t *runs, size_t n);
/* One line: the model, the runs and the sweep loops. */
void describe_summary(const experiment *e);
/* key=value lines for scripts; an exit status. */
int describe_info(const options *o, const experiment *e, size_t selected);

#endif
