# Benchmarks: built by `make`, run by `make bench`.  Each prints one line
# of key=value pairs; tests/bench/median runs one several times and keeps
# the median line.
BENCH_LDADD = libusim_core.la -lm

noinst_PROGRAMS += tests/bench/switch
tests_bench_switch_SOURCES = tests/bench/switch.c
tests_bench_switch_LDADD = $(BENCH_LDADD)

noinst_PROGRAMS += tests/bench/hold tests/bench/many
tests_bench_hold_SOURCES = tests/bench/hold.c
tests_bench_hold_LDADD = $(BENCH_LDADD)
tests_bench_many_SOURCES = tests/bench/many.c
tests_bench_many_LDADD = $(BENCH_LDADD)

EXTRA_DIST += tests/bench/median
BENCH_RUNS ?= 5

bench: all
	@$(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_switch tests/bench/switch 50000000
	@for p in 1000 100000 1000000; do \
	  $(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_op tests/bench/hold 5000000 $$p binary; \
	  $(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_op tests/bench/hold 5000000 $$p; \
	done
	@$(srcdir)/tests/bench/median 3 events_per_s tests/bench/many 1000000 10
.PHONY: bench
