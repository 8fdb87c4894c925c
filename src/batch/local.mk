# src/batch: usim-batch, the parallel experiment runner (libconfig, OpenMP,
# HDF5), and usim-merge.  Nothing here is part of libusim.
BATCH_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) $(LIBCONFIG_CFLAGS) $(HDF5_CFLAGS)
BATCH_LIBS = $(LIBCONFIG_LIBS) $(HDF5_HL_LIBS) $(HDF5_LIBS) -ldl -lm

# What usim-batch and usim-merge share: experiment files, the model
# registry, run results and the HDF5 writer.
noinst_LTLIBRARIES += libusim_batch.la
libusim_batch_la_SOURCES = \
	src/batch/experiment.c src/batch/experiment.h \
	src/batch/registry.c src/batch/registry.h \
	src/batch/result.c src/batch/result.h \
	src/batch/progress.c src/batch/progress.h \
	src/batch/h5out.c src/batch/h5out.h \
	src/batch/h5layout.c src/batch/h5layout.h \
	src/batch/journal.c src/batch/journal.h
libusim_batch_la_CFLAGS = $(BATCH_CFLAGS)
libusim_batch_la_CPPFLAGS = $(AM_CPPFLAGS) -DUSIM_LIBDIR='"$(libdir)"'

bin_PROGRAMS += usim-batch
usim_batch_SOURCES = src/batch/main.c src/batch/runner.c src/batch/runner.h \
	src/batch/orders.c src/batch/orders.h
usim_batch_CFLAGS = $(BATCH_CFLAGS)
# Model plugins bind to usim-batch's own usim_* symbols (--export-dynamic),
# so a plugin and the runner share one kernel; the whole of libusim is
# linked in, not just what the built-in models use.  (.libs/ is where
# libtool keeps a convenience library's archive.)
usim_batch_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS) -Wl,--export-dynamic \
	-Wl,--whole-archive,.libs/libusim_core.a,--no-whole-archive
usim_batch_LDADD = libusim_batch.la libusim_models.la libusim_core.la $(BATCH_LIBS)

# usim-merge OUT.h5 SHARD.h5...: shard files -> the single-machine file.
bin_PROGRAMS += usim-merge
usim_merge_SOURCES = src/batch/merge.c
usim_merge_CFLAGS = $(BATCH_CFLAGS)
usim_merge_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS)
usim_merge_LDADD = libusim_batch.la libusim_models.la libusim_core.la $(BATCH_LIBS)

man_MANS = man/usim-batch.1
EXTRA_DIST += man/usim-batch.1

# Bad experiment files, each with the one error line it must produce.
TESTS += tests/batch/bad_configs.sh
EXTRA_DIST += tests/batch/bad_configs.sh tests/batch/bad tests/batch/good \
	tests/batch/testlib.sh
# (make check runs it in the build directory, where usim-batch is.)

EXTRA_DIST += configs

# `make bench` also runs the usim-batch benchmark (once: it takes seconds).
EXTRA_DIST += tests/bench/batch.sh
bench: bench-batch
bench-batch: usim-batch
	@$(srcdir)/tests/bench/batch.sh ./usim-batch
.PHONY: bench-batch

# A model built as a plugin, and the test that loads it.
check_LTLIBRARIES = tests/batch/plugin_model.la
tests_batch_plugin_model_la_SOURCES = tests/batch/plugin_model.c
tests_batch_plugin_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/plugin.sh
EXTRA_DIST += tests/batch/plugin.sh

# --compare-orders, with a plugin whose result depends on the turn order.
check_LTLIBRARIES += tests/batch/turns_model.la
tests_batch_turns_model_la_SOURCES = tests/batch/turns_model.c
tests_batch_turns_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/orders.sh
EXTRA_DIST += tests/batch/orders.sh

# Known answers of the built-in models; SIGINT and --resume.
TESTS += tests/batch/models.sh
EXTRA_DIST += tests/batch/models.sh

# usim-analyze RESULTS.h5 [--plots DIR]: summary and plots (Python, h5py).
dist_bin_SCRIPTS = scripts/usim-analyze

# Experiment files as data, and the runner on single runs.
check_PROGRAMS += tests/batch/test_experiment
tests_batch_test_experiment_SOURCES = tests/batch/test_experiment.c src/batch/runner.c
tests_batch_test_experiment_CFLAGS = $(BATCH_CFLAGS) $(CMOCKA_CFLAGS)
tests_batch_test_experiment_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS)
tests_batch_test_experiment_LDADD = libusim_batch.la libusim_models.la libusim_core.la \
	$(CMOCKA_LIBS) $(BATCH_LIBS)
TESTS += tests/batch/test_experiment
