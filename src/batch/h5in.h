/*
 * h5in.h — reading an output file back (resume, merge, tests): its spec
 * from the root attributes, every run's status, its provenance records,
 * and one run's results at a time.
 */
#ifndef USIM_BATCH_H5IN_H
#define USIM_BATCH_H5IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/h5spec.h"
#include "batch/provenance.h"
#include "batch/result.h"

typedef struct h5in h5in;

/* Opens an output file read-only.  H5OUT_EMISMATCH if it is not a usim
 * output file of this format, H5OUT_EIO if it cannot be read. */
int h5in_open(h5in **in, const char *path, char *err, size_t errlen);
/* Its spec, valid until h5in_close. */
const h5out_spec *h5in_spec(const h5in *in);
/* Status of a run as stored: RUN_PENDING if not done, or if the file does
 * not hold the run (another shard's). */
run_status h5in_status(const h5in *in, uint64_t run);
/* The root attribute format_version (H5OUT_FORMAT_OLDEST and later). */
int h5in_format(const h5in *in);
/* The root attributes runs_done and complete. */
uint64_t h5in_runs_done(const h5in *in);
bool h5in_complete(const h5in *in);
/* The /shards records (n of them), valid until h5in_close. */
const prov_session *h5in_sessions(const h5in *in, size_t *n);
/* The stored results of a run the file holds (wall_s included);
 * run_result_free it. */
int h5in_read_run(h5in *in, uint64_t run, run_result **out);
const char *h5in_errmsg(const h5in *in);
void h5in_close(h5in *in);

#endif
