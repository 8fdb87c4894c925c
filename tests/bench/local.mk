# Benchmarks: built by `make`, run by `make bench`.  Each prints one line
# of key=value pairs; tests/bench/median runs one several times and keeps
# the median line.
BENCH_LDADD = libusim_core.la -lm

noinst_PROGRAMS += tests/bench/switch
tests_bench_switch_SOURCES = tests/bench/switch.c
tests_bench_switch_LDADD = $(BENCH_LDADD)

EXTRA_DIST += tests/bench/median
BENCH_RUNS ?= 5

bench: all
	@$(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_switch tests/bench/switch 50000000
.PHONY: bench
