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

EXTRA_DIST += tests/bench/median tests/bench/instr.sh tests/bench/mm1_instr.sh \
	tests/bench/builtin_mm1.sh tests/bench/manyruns tests/bench/scaling.sh \
	tests/bench/traces.sh tests/bench/simpy_mm1.py tests/bench/vs_simpy.sh \
	tests/bench/vs_peer.sh tests/bench/pair.sh
BENCH_RUNS ?= 5

bench: all
	@$(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_switch tests/bench/switch 50000000
	@for p in 1000 100000 1000000; do \
	  $(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_op tests/bench/hold 5000000 $$p binary; \
	  $(srcdir)/tests/bench/median $(BENCH_RUNS) ns_per_op tests/bench/hold 5000000 $$p; \
	done
	@$(srcdir)/tests/bench/median 3 events_per_s tests/bench/many 1000000 10
.PHONY: bench

# The performance figures of BENCHMARKS.md beyond the kernel's own:
# instructions per customer (callgrind: noise-free), the built-in model
# against tests/bench/mm1, many small runs, the machine's own two-core
# ceiling (pair.sh) next to 1 thread against 2, the cost
# of a trace, and SimPy 3 on the same model.  PEER_MM1 and PEER_BATCH
# (commands of another kernel's M/M/1 of 10^6 customers and its 100-trial
# batch) add same-sitting ratios against them.
bench: bench-perf
bench-perf: all
	@$(srcdir)/tests/bench/mm1_instr.sh tests/bench/mm1
	@$(srcdir)/tests/bench/builtin_mm1.sh ./usim-batch tests/bench/mm1
	@top_srcdir=$(srcdir) $(srcdir)/tests/bench/manyruns ./usim-batch 100000 1
	@$(srcdir)/tests/bench/pair.sh tests/bench/mm1 5000000 5
	@$(srcdir)/tests/bench/scaling.sh ./usim-batch 100000 100 3
	@$(srcdir)/tests/bench/scaling.sh ./usim-batch 20 1000000 3
	@$(srcdir)/tests/bench/traces.sh ./usim-batch 1000000 20 3
	@$(srcdir)/tests/bench/vs_simpy.sh tests/bench/mm1 1000000 3
	@if test -n "$(PEER_MM1)"; then \
	  $(srcdir)/tests/bench/vs_peer.sh 5 'tests/bench/mm1 1000000' '$(PEER_MM1)'; fi
	@if test -n "$(PEER_BATCH)"; then \
	  $(srcdir)/tests/bench/vs_peer.sh 3 '$(srcdir)/tests/bench/batch.sh ./usim-batch' '$(PEER_BATCH)'; fi
.PHONY: bench-perf
