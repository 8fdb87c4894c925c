#!/bin/sh
# pair.sh — the machine's own two-core ceiling, the yardstick of the
# speedups scaling.sh measures: one process of MM1 CUSTOMERS alone, then
# two of them at once (independent processes: no writer, no sharing),
# alternated REPEATS times in the same sitting.  Prints one line with the
# medians:
#   bench=pair customers=C alone_s=... pair_s=... ceiling_speedup=... ceiling_efficiency=...
# ceiling_speedup = 2 * alone_s / pair_s: what two threads of pure
# simulation gain over one on this machine at this moment (2.0 if each
# core runs as fast with the other one busy).  No program running on both
# cores gets more; a batch also pays its writer out of it.
#
#   pair.sh [MM1 [CUSTOMERS [REPEATS]]]   (default: tests/bench/mm1, 5000000, 5)
set -u
mm1=${1:-tests/bench/mm1}
customers=${2:-5000000}
repeats=${3:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
clock() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", b - a }'; }
i=0
while [ "$i" -lt "$repeats" ]; do
    a=$(clock)
    "$mm1" "$customers" 1 >/dev/null || { echo "pair.sh: $mm1 failed" >&2; exit 1; }
    b=$(clock)
    "$mm1" "$customers" 1 >/dev/null &
    other=$!
    "$mm1" "$customers" 2 >/dev/null || { wait "$other"; echo "pair.sh: $mm1 failed" >&2; exit 1; }
    wait "$other" || { echo "pair.sh: $mm1 failed" >&2; exit 1; }
    c=$(clock)
    elapsed "$a" "$b" >>"$tmp/alone"
    elapsed "$b" "$c" >>"$tmp/pair"
    i=$((i + 1))
done
med() { sort -g "$1" | sed -n "$(( (repeats + 1) / 2 ))p"; }
awk -v c="$customers" -v x="$(med "$tmp/alone")" -v y="$(med "$tmp/pair")" -v k="$repeats" 'BEGIN {
    printf "bench=pair customers=%d alone_s=%.3f pair_s=%.3f ceiling_speedup=%.3f ceiling_efficiency=%.3f repeats=%d\n",
           c, x, y, 2 * x / y, x / y, k
}'
