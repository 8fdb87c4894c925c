# src/batch: usim-batch, the parallel experiment runner (libconfig, OpenMP,
# HDF5), and usim-merge.  Nothing here is part of libusim.
BATCH_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) $(LIBCONFIG_CFLAGS) $(HDF5_CFLAGS)
BATCH_LIBS = $(LIBCONFIG_LIBS) $(HDF5_HL_LIBS) $(HDF5_LIBS) -ldl -lm

# What usim-batch and usim-merge share: experiment files, the model
# registry, run results and the HDF5 writer.
noinst_LTLIBRARIES += libusim_batch.la
libusim_batch_la_SOURCES = \
	src/batch/experiment.c src/batch/experiment.h \
	src/batch/experiment_text.c src/batch/experiment_text.h \
	src/batch/experiment_setting.c src/batch/experiment_setting.h \
	src/batch/experiment_schema.c src/batch/experiment_schema.h \
	src/batch/experiment_sweep.c src/batch/experiment_sweep.h \
	src/batch/experiment_stats.c src/batch/experiment_stats.h \
	src/batch/runspace.c src/batch/runspace.h \
	src/batch/mser.c src/batch/mser.h \
	src/batch/student.c src/batch/student.h \
	src/batch/registry.c src/batch/registry.h \
	src/batch/params.c src/batch/params.h \
	src/batch/distspec.c src/batch/distspec.h \
	src/batch/result.c src/batch/result.h \
	src/batch/progress.c src/batch/progress.h \
	src/batch/h5spec.c src/batch/h5spec.h \
	src/batch/h5layout.c src/batch/h5layout.h \
	src/batch/h5file.c src/batch/h5file.h \
	src/batch/h5in.c src/batch/h5in.h \
	src/batch/h5out.c src/batch/h5out.h \
	src/batch/zfast.c src/batch/zfast.h \
	src/batch/journal.c src/batch/journal.h \
	src/batch/provenance.c src/batch/provenance.h \
	src/batch/sha256.c src/batch/sha256.h \
	src/batch/watch.c src/batch/watch.h
libusim_batch_la_CFLAGS = $(BATCH_CFLAGS)
# h5file.c deflates chunks itself (HDF5 links zlib, but not for us).
libusim_batch_la_LIBADD = -lz
nodist_libusim_batch_la_SOURCES = src/batch/build_revision.h

# The git revision of the source tree, for the provenance of output files:
# regenerated at every make, replaced only when it changes (so only
# provenance.c recompiles).  A tarball carries the revision it was made
# from in .revision; without either it is "unknown".
BUILT_SOURCES = src/batch/build_revision.h
CLEANFILES += src/batch/build_revision.h
src/batch/build_revision.h: FORCE
	@$(MKDIR_P) src/batch; \
	rev=unknown; dirty=0; \
	if test -e '$(top_srcdir)/.git' && rev=$$(git -C '$(top_srcdir)' rev-parse --short=12 HEAD 2>/dev/null); then \
	  test -z "$$(git -C '$(top_srcdir)' status --porcelain --untracked-files=no 2>/dev/null)" || dirty=1; \
	elif test -f '$(top_srcdir)/.revision'; then \
	  read rev dirty < '$(top_srcdir)/.revision'; \
	else rev=unknown; fi; \
	printf '#define USIM_GIT_REVISION "%s"\n#define USIM_GIT_DIRTY %s\n' "$$rev" "$${dirty:-0}" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
FORCE:
.PHONY: FORCE
dist-hook: src/batch/build_revision.h
	@sed -n 's/^#define USIM_GIT_REVISION "\(.*\)"$$/\1/p; s/^#define USIM_GIT_DIRTY \(.*\)$$/\1/p' \
	  src/batch/build_revision.h | paste -s -d ' ' > $(distdir)/.revision
libusim_batch_la_CPPFLAGS = $(AM_CPPFLAGS) -DUSIM_LIBDIR='"$(libdir)"'

bin_PROGRAMS += usim-batch
usim_batch_SOURCES = src/batch/main.c src/batch/options.c src/batch/options.h \
	src/batch/describe.c src/batch/describe.h src/batch/runner.c src/batch/runner.h \
	src/batch/orders.c src/batch/orders.h src/batch/passes.c src/batch/passes.h \
	src/batch/determinism.c src/batch/determinism.h \
	src/batch/contained.c src/batch/contained.h \
	src/batch/supervisor.c src/batch/supervisor.h \
	src/batch/adaptive.c src/batch/adaptive.h
usim_batch_CFLAGS = $(BATCH_CFLAGS)
# Model plugins bind to usim-batch's own usim_* symbols (--export-dynamic),
# so a plugin and the runner share one kernel; the whole of libusim is
# linked in, not just what the built-in models use.  (.libs/ is where
# libtool keeps a convenience library's archive.)
usim_batch_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS) -Wl,--export-dynamic \
	-Wl,--whole-archive,.libs/libusim_core.a,--no-whole-archive
usim_batch_LDADD = libusim_batch.la libusim_models.la libusim_core.la $(BATCH_LIBS)

# usim-merge OUT.h5 SHARD.h5...: shard files -> the single-machine file;
# usim-merge --status FILE...: what the shard files hold.
bin_PROGRAMS += usim-merge
usim_merge_SOURCES = src/batch/merge.c
usim_merge_CFLAGS = $(BATCH_CFLAGS)
usim_merge_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS)
usim_merge_LDADD = libusim_batch.la libusim_models.la libusim_core.la $(BATCH_LIBS)

man_MANS = man/usim-batch.1 man/usim-merge.1 man/usim-submit.1 man/usim-report.1
EXTRA_DIST += man/usim-batch.1 man/usim-merge.1 man/usim-submit.1 man/usim-report.1

# Bad experiment files, each with the one error line it must produce.
TESTS += tests/batch/bad_configs.sh
EXTRA_DIST += tests/batch/bad_configs.sh tests/batch/bad tests/batch/good \
	tests/batch/testlib.sh
# (make check runs it in the build directory, where usim-batch is.)

EXTRA_DIST += configs

# `make bench` also runs the usim-batch benchmark (once: it takes seconds).
EXTRA_DIST += tests/bench/batch.sh
bench: bench-batch bench-merge
bench-batch: usim-batch
	@$(srcdir)/tests/bench/batch.sh ./usim-batch
# usim-merge: 1,000 shard files of 100 runs with a trace (median of 3).
EXTRA_DIST += tests/bench/merge.sh
bench-merge: usim-batch usim-merge
	@$(srcdir)/tests/bench/merge.sh .
.PHONY: bench-batch bench-merge

# A model built as a plugin, and the test that loads it.
check_LTLIBRARIES = tests/batch/plugin_model.la
tests_batch_plugin_model_la_SOURCES = tests/batch/plugin_model.c
tests_batch_plugin_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
# A shared object without the model entry point, for plugin.sh.
check_LTLIBRARIES += tests/batch/not_a_model.la
tests_batch_not_a_model_la_SOURCES = tests/batch/not_a_model.c
tests_batch_not_a_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/plugin.sh
EXTRA_DIST += tests/batch/plugin.sh

# --compare-orders, with a plugin whose result depends on the turn order.
check_LTLIBRARIES += tests/batch/turns_model.la
tests_batch_turns_model_la_SOURCES = tests/batch/turns_model.c
tests_batch_turns_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/orders.sh
EXTRA_DIST += tests/batch/orders.sh

# A model with a bug per sweep point (loops, crashes, exits) under the
# supervisor: the batch records each and goes on.  Built without
# sanitizers, like a user's plugin.
check_LTLIBRARIES += tests/batch/buggy_model.la
tests_batch_buggy_model_la_SOURCES = tests/batch/buggy_model.c
tests_batch_buggy_model_la_CFLAGS = $(AM_CFLAGS) -fno-sanitize=all
tests_batch_buggy_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/contain.sh
EXTRA_DIST += tests/batch/contain.sh

# --check-determinism, with a plugin that keeps state in a static variable.
check_LTLIBRARIES += tests/batch/static_model.la
tests_batch_static_model_la_SOURCES = tests/batch/static_model.c
tests_batch_static_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/statecheck.sh
EXTRA_DIST += tests/batch/statecheck.sh

# Names of 300 characters and more, in a plugin: set, swept, misspelt.
check_LTLIBRARIES += tests/batch/long_names_model.la
tests_batch_long_names_model_la_SOURCES = tests/batch/long_names_model.c
tests_batch_long_names_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/long_names.sh
EXTRA_DIST += tests/batch/long_names.sh

# Only regular files of at most 16 MiB (and 16 MiB in all) are read.
TESTS += tests/batch/input_files.sh
EXTRA_DIST += tests/batch/input_files.sh

# Loading takes time linear in the file's size (N and 4N units of each
# shape that once took quadratic time).
TESTS += tests/batch/load_scaling.sh
EXTRA_DIST += tests/batch/load_scaling.sh

# scripts/fuzz: libFuzzer targets for the experiment loader and the journal
# reader, their seed corpus and regression inputs (scripts/test runs it).
# Named file by file: a build directory's tests/fuzz holds objects that a
# whole-folder entry would ship in the tarball.
EXTRA_DIST += scripts/fuzz tests/fuzz/fuzz_experiment.c tests/fuzz/fuzz_journal.c \
	tests/fuzz/fuzz_dir.h tests/fuzz/experiment.dict tests/fuzz/lsan.supp \
	tests/fuzz/corpus tests/fuzz/regressions

# Known answers of the built-in models; SIGINT and --resume.
TESTS += tests/batch/models.sh
EXTRA_DIST += tests/batch/models.sh

# usim-analyze RESULTS.h5 [--plots DIR]: summary and plots (Python, h5py).
dist_bin_SCRIPTS = scripts/usim-analyze
# usim-report RESULTS.h5 [--csv] [--html], --compare OLD NEW: the report of
# an output file (Python; both use python/usim_results).
dist_bin_SCRIPTS += scripts/usim-report

# usim-submit EXPERIMENT.cfg: the experiment as a SLURM array job of shards
# and a merge job (bash; drives usim-batch, usim-merge, sbatch, squeue).
dist_bin_SCRIPTS += scripts/usim-submit

# Experiment files as data, and the runner on single runs.
check_PROGRAMS += tests/batch/test_experiment
tests_batch_test_experiment_SOURCES = tests/batch/test_experiment.c src/batch/runner.c
tests_batch_test_experiment_CFLAGS = $(BATCH_CFLAGS) $(CMOCKA_CFLAGS)
tests_batch_test_experiment_LDFLAGS = $(AM_LDFLAGS) $(OPENMP_CFLAGS)
tests_batch_test_experiment_LDADD = libusim_batch.la libusim_models.la libusim_core.la \
	$(CMOCKA_LIBS) $(BATCH_LIBS)
TESTS += tests/batch/test_experiment

# Parameters by name, choices and distributions: a plugin that misspells
# a parameter, scalar or trace; mg1's M/D/1 known answer; the /runs
# columns of labels; --list-models.
check_LTLIBRARIES += tests/batch/misspelt_model.la
tests_batch_misspelt_model_la_SOURCES = tests/batch/misspelt_model.c
tests_batch_misspelt_model_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/batch/params.sh
EXTRA_DIST += tests/batch/params.sh
