# Observation: random streams, distributions, statistics, traces, scalars.
libusim_core_la_SOURCES += src/observe/rng.c src/observe/rng.h \
	src/observe/dist.c src/observe/dist.h src/observe/ziggurat_tables.h \
	src/observe/discrete.c src/observe/empirical.c src/observe/stats.c \
	src/observe/observe.c src/observe/observe.h src/observe/trace.c \
	src/observe/scalar.c
# The ziggurat tables are generated once and checked in (see the file).
EXTRA_DIST += src/observe/gen_ziggurat.c

check_PROGRAMS += tests/unit/test_rng tests/unit/test_dist tests/unit/test_stats \
	tests/unit/test_trace
TESTS += tests/unit/test_rng tests/unit/test_dist tests/unit/test_stats \
	tests/unit/test_trace
tests_unit_test_rng_SOURCES = tests/unit/test_rng.c
tests_unit_test_rng_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rng_LDADD = $(UNIT_LDADD)
tests_unit_test_dist_SOURCES = tests/unit/test_dist.c
tests_unit_test_dist_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dist_LDADD = $(UNIT_LDADD)
tests_unit_test_stats_SOURCES = tests/unit/test_stats.c
tests_unit_test_stats_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_stats_LDADD = $(UNIT_LDADD)
tests_unit_test_trace_SOURCES = tests/unit/test_trace.c tests/unit/fixture.h
tests_unit_test_trace_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_trace_LDADD = $(UNIT_LDADD)

# ns per draw: the generator, uniform, exponential and normal (ziggurat
# against inversion and polar Box-Muller).
noinst_PROGRAMS += tests/bench/rng
tests_bench_rng_SOURCES = tests/bench/rng.c
tests_bench_rng_LDADD = $(BENCH_LDADD)

bench: bench-observe
bench-observe: all
	@$(srcdir)/tests/bench/median $(BENCH_RUNS) ns_uniform tests/bench/rng 10000000
.PHONY: bench-observe
