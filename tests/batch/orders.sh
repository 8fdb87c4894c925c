#!/bin/sh
# orders.sh — usim-batch --compare-orders runs each selected run under
# fifo, lifo, random and musim and reports the outputs that differ.  Known
# answers:
# - mm1: when a customer finds the server waiting, the arrival's put is a
#   turn point.  Under fifo the arrival then yields (one more event),
#   under lifo it goes on; simulated times, and so every scalar, the
#   trace and the drift statistics, are the same.  Only `events` differs,
#   in every run.
# - the turns plugin (tests/batch/turns_model.c): woken_first is 1 under
#   fifo and 0 under lifo, so it differs in every run by 1; fifo has one
#   event more per pair than lifo (3 pairs: 3).
# Also: --compare-orders writes no file and refuses --output and
# --resume (exit 2); failing runs give exit 1 and a status row.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
so=$top_builddir/tests/batch/.libs/turns_model.so
test_name=orders.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$so"
cd "$tmp" || exit 99

cat >mm1.cfg <<'CFG'
model = "mm1";
replications = 3;
seed = 11;
kernel: { order = "lifo"; };
parameters: { arrival_rate = 0.9; service_rate = 1.0; customers = 2000; };
traces: { queue_length = { mode = "change"; }; };
CFG
if "$bin" -q --compare-orders mm1.cfg >out 2>err; then ok; else ko "mm1: exit $?: $(cat err)"; fi
if grep -q '^# mm1.cfg: model mm1, 3 runs, each under fifo, lifo, random and musim (the file.s order "lifo" is not used)$' out; then ok; else ko "mm1 header: $(head -1 out)"; fi
# events differs in all 3 runs (a positive largest difference follows).
if grep -Eq '^events +3  [1-9][0-9]*$' out; then ok; else ko "mm1 events row: $(grep '^events' out)"; fi
for r in status end_time 'scalar mean_system_time' 'scalar mean_wait' \
    'scalar customers_served' 'scalar utilization' 'scalar mean_queue_length' \
    'trace queue_length' 'drift (2 groups, every statistic)'; do
    if grep -Fq "$r" out && grep -F "$r" out | grep -Eq ' 0$'; then ok; else ko "mm1 row '$r': $(grep -F "$r" out)"; fi
done
if grep -qx '# depend on the turn order: events' out; then ok; else ko "mm1 summary: $(tail -1 out)"; fi
if ls | grep -q '\.h5$'; then ko "--compare-orders wrote a file: $(ls)"; else ok; fi

cp "$so" turns.so
cat >turns.cfg <<'CFG'
model = "turns.so";
replications = 2;
parameters: { pairs = 3; };
CFG
if "$bin" -q --compare-orders turns.cfg >out 2>err; then ok; else ko "turns: exit $?: $(cat err)"; fi
if grep -Eq '^scalar woken_first +2  1$' out; then ok; else ko "woken_first row: $(grep woken_first out)"; fi
if grep -Eq '^events +2  3$' out; then ok; else ko "turns events row: $(grep '^events' out)"; fi
if grep -Eq '^scalar end_time +0$' out; then ok; else ko "turns end_time row: $(grep 'scalar end_time' out)"; fi
if grep -qx '# depend on the turn order: events, scalar woken_first' out; then ok; else ko "turns summary: $(tail -1 out)"; fi

# --runs selects; the header counts the runs compared.
if "$bin" -q --compare-orders --runs 1 turns.cfg >out 2>err && grep -q ', 1 run, each' out; then ok; else ko "--runs 1: $(head -1 out) $(cat err)"; fi

# Refused combinations: nothing is run or written.
"$bin" -q --compare-orders -o x.h5 turns.cfg >out 2>err
st=$?
if [ $st -eq 2 ] && grep -q 'writes no file' err && [ ! -e x.h5 ]; then ok; else ko "--output: exit $st: $(cat err)"; fi
"$bin" -q --compare-orders --resume turns.cfg >out 2>err
st=$?
if [ $st -eq 2 ] && grep -q 'writes no file' err; then ok; else ko "--resume: exit $st: $(cat err)"; fi

# Runs that fail in every order: exit 1, and the status does not depend
# on the order.
cat >fail.cfg <<'CFG'
model = "fail";
replications = 2;
parameters: { fail_run = -1; how = 1; steps = 2; };
CFG
"$bin" -q --compare-orders fail.cfg >out 2>err
st=$?
if [ $st -eq 1 ] && grep -Eq '^status +0$' out; then ok; else ko "failing runs: exit $st: $(grep '^status' out) $(cat err)"; fi

report
