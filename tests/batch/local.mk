# tests/batch: the HDF5 output (h5out) and end-to-end usim-batch checks.
H5TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(HDF5_CFLAGS) -I$(top_srcdir)/tests/batch
H5TEST_LDADD = libusim_batch.la libusim_models.la libusim_core.la $(CMOCKA_LIBS) $(HDF5_LIBS) \
	$(LIBCONFIG_LIBS) -ldl -lm

check_PROGRAMS += tests/batch/test_h5out
tests_batch_test_h5out_SOURCES = tests/batch/test_h5out.c tests/batch/h5compare.c \
	tests/batch/h5compare.h
tests_batch_test_h5out_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_test_h5out_LDADD = $(H5TEST_LDADD)
TESTS += tests/batch/test_h5out

# SHA-256, session records, shard rows and the identity of output specs.
check_PROGRAMS += tests/batch/test_provenance
tests_batch_test_provenance_SOURCES = tests/batch/test_provenance.c
tests_batch_test_provenance_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_test_provenance_LDADD = $(H5TEST_LDADD)
TESTS += tests/batch/test_provenance

# MSER-5, Student t quantiles, the rows of shards split by point.
check_PROGRAMS += tests/batch/test_stats
tests_batch_test_stats_SOURCES = tests/batch/test_stats.c
tests_batch_test_stats_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_test_stats_LDADD = $(H5TEST_LDADD)
TESTS += tests/batch/test_stats

# zfast: the tables' deflate streams inflate with zlib; their sizes.
check_PROGRAMS += tests/batch/test_zfast
tests_batch_test_zfast_SOURCES = tests/batch/test_zfast.c
tests_batch_test_zfast_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_test_zfast_LDADD = $(H5TEST_LDADD) -lz
TESTS += tests/batch/test_zfast

# h5check: the reading side of the shell tests (cmp, opens, status).
check_PROGRAMS += tests/batch/h5check
tests_batch_h5check_SOURCES = tests/batch/h5check.c tests/batch/h5compare.c
tests_batch_h5check_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_h5check_LDADD = $(H5TEST_LDADD)

# End to end: usim-batch and usim-merge on the configs of tests/batch/h5/.
TESTS += tests/batch/determinism.sh
EXTRA_DIST += tests/batch/determinism.sh tests/batch/h5

# Common random numbers: the variance they save, bit-identical pairs,
# usim-analyze --diff, resume and merge of a common run.
TESTS += tests/batch/crn.sh
EXTRA_DIST += tests/batch/crn.sh

# MSER-5 warm-ups from pilots against numpy, pilots in the file, shards.
TESTS += tests/batch/mser.sh
EXTRA_DIST += tests/batch/mser.sh

# Run until precise: half-widths and waves against a replay, -j1/-j2,
# kill + resume, shards merged, a target out of reach, bad settings.
TESTS += tests/batch/precision.sh
EXTRA_DIST += tests/batch/precision.sh

# usim-analyze on output format 4 (pilot runs, MSER-5 warm-ups, unneeded
# slots, a precision target) and its format-3 twin, both written by
# make_adaptive_h5.py: means, half-widths and verdicts against numpy.
TESTS += tests/batch/analyze_adaptive.sh
EXTRA_DIST += tests/batch/analyze_adaptive.sh tests/batch/make_adaptive_h5.py

# usim-merge's refusals, --partial, --status, provenance, SIGKILL mid-merge.
TESTS += tests/batch/merge.sh
EXTRA_DIST += tests/batch/merge.sh

# Full disk, read-only disk, a journal a fresh run must not replace.
TESTS += tests/batch/outputs.sh
EXTRA_DIST += tests/batch/outputs.sh

# usim-submit without a cluster: refusals and --dry-run.
TESTS += tests/batch/submit.sh
EXTRA_DIST += tests/batch/submit.sh

# SIGKILL at several points, then --resume: the file opens, nothing done
# is lost, and the result equals an uninterrupted run.
TESTS += tests/batch/crash.sh
EXTRA_DIST += tests/batch/crash.sh tests/batch/crash

# h5writer: synthetic runs with a checkpoint after each (crash.sh kills it
# inside H5Fflush).
check_PROGRAMS += tests/batch/h5writer
tests_batch_h5writer_SOURCES = tests/batch/h5writer.c
tests_batch_h5writer_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_h5writer_LDADD = $(H5TEST_LDADD)

# usim-submit on a real single-node SLURM (scripts/test runs them as root;
# not part of make check, which must not need root).
EXTRA_DIST += tests/cluster/slurmlib.sh tests/cluster/selftest.sh tests/cluster/submit.sh

# A task's 256 KiB frame on a 64 KiB stack, in 12 batches beside healthy
# runs: every overflow is reported, no healthy run is touched.  The plugin
# is built as a user's model would be: the compiler flags of
# `pkg-config --cflags usim` (USIM_MODEL_CFLAGS), not usim's own.
check_LTLIBRARIES += tests/batch/overflow_model.la
tests_batch_overflow_model_la_SOURCES = tests/batch/overflow_model.c
tests_batch_overflow_model_la_CFLAGS = -std=gnu11 $(USIM_MODEL_CFLAGS)
tests_batch_overflow_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/overflow.sh
EXTRA_DIST += tests/batch/overflow.sh

# The built-in model library against theory and conservation laws, on the
# experiment files of configs/ (models/mmc.c, bank_renege.c, ...).
TESTS += tests/batch/library.sh
EXTRA_DIST += tests/batch/library.sh

# The fixed warm-up: start-up bias of M/M/1 without it, none with it.
TESTS += tests/batch/warmup.sh
EXTRA_DIST += tests/batch/warmup.sh

# Output format 5: /results (types, values against /runs and /scalars,
# pending, unneeded and pilot rows, shards merged), the units and help
# attributes against --list-models, and a plugin whose names clash with
# the output's columns (refused before anything is written).
check_LTLIBRARIES += tests/batch/clash_model.la
tests_batch_clash_model_la_SOURCES = tests/batch/clash_model.c
tests_batch_clash_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/results.sh
EXTRA_DIST += tests/batch/results.sh
