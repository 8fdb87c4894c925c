#!/bin/sh
# mm1_instr.sh — instructions per customer of tests/bench/mm1 under
# callgrind (noise-free): the difference between N and 2N customers over
# N, so the set-up does not count.  Prints one line:
#   bench=mm1_instr customers=N instr_per_customer=... target=420
#
#   mm1_instr.sh [MM1 [N]]   (default: tests/bench/mm1, 200000)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/instr.sh"
mm1=${1:-tests/bench/mm1}
n=${2:-200000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
a=$(instr_total "$tmp" "$mm1" "$n" 0 fifo) || { echo "bench=mm1_instr skipped=no-valgrind"; exit 0; }
b=$(instr_total "$tmp" "$mm1" $((2 * n)) 0 fifo) || exit 1
awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN {
    printf "bench=mm1_instr customers=%d instr_per_customer=%.1f target=420\n", n, (b - a) / n
}'
