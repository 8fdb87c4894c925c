#!/bin/sh
# builtin_mm1.sh — the built-in mm1 model inside usim-batch against
# tests/bench/mm1, in callgrind instructions per customer (the difference
# between N and 2N customers over N, one run, -j1).  Prints one line:
#   bench=builtin_mm1 batch_instr_per_customer=... bench_instr_per_customer=... ratio=...
# Target: ratio within 1 +- 0.03.
#
#   builtin_mm1.sh [USIM-BATCH [MM1 [N]]]   (default: ./usim-batch, tests/bench/mm1, 200000)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/instr.sh"
bin=${1:-./usim-batch}
mm1=${2:-tests/bench/mm1}
n=${3:-200000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
batch() { # customers: prints the instructions of one run through usim-batch
    cat >"$tmp/b.cfg" <<CFG
model = "mm1";
replications = 1;
seed = 1;
parameters: { arrival_rate = 0.9; service_rate = 1.0; customers = $1; };
CFG
    rm -f "$tmp/b.h5" "$tmp/b.h5.journal"
    instr_total "$tmp" "$bin" -q -j 1 -o "$tmp/b.h5" "$tmp/b.cfg"
}
a=$(batch "$n") || { echo "bench=builtin_mm1 skipped=no-valgrind"; exit 0; }
b=$(batch $((2 * n))) || exit 1
c=$(instr_total "$tmp" "$mm1" "$n" 0 fifo) || exit 1
d=$(instr_total "$tmp" "$mm1" $((2 * n)) 0 fifo) || exit 1
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v n="$n" 'BEGIN {
    x = (b - a) / n; y = (d - c) / n
    printf "bench=builtin_mm1 customers=%d batch_instr_per_customer=%.1f bench_instr_per_customer=%.1f ratio=%.3f\n", n, x, y, x / y
}'
