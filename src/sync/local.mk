# Primitives: flag, lock, resource, multi-kind resources, pipe, container,
# queue, channel (and its subscriptions), tracked
# value and the hold-for-the-block forms, built on kernel/sched.h only;
# the time-weighted level that tracked values keep; collect and first.
libusim_core_la_SOURCES += src/sync/sync.h src/sync/sync.c src/sync/flag.c src/sync/lock.c \
	src/sync/resource.c src/sync/container.c src/sync/queue.c \
	src/sync/channel.c src/sync/tracked.c src/sync/hold.c src/sync/level.c \
	src/sync/resources.c src/sync/pipe.c src/sync/collect.c

check_PROGRAMS += tests/unit/test_sync
tests_unit_test_sync_SOURCES = tests/unit/test_sync.c tests/unit/fixture.h
tests_unit_test_sync_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sync_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_sync

# M/M/1 through a queue: the headline kernel benchmark.
noinst_PROGRAMS += tests/bench/mm1
tests_bench_mm1_SOURCES = tests/bench/mm1.c
tests_bench_mm1_LDADD = $(BENCH_LDADD)

bench: bench-sync
bench-sync: all
	@$(srcdir)/tests/bench/median $(BENCH_RUNS) wall_s tests/bench/mm1 1000000
.PHONY: bench-sync
