#!/bin/sh
# vs_simpy.sh — tests/bench/mm1 against the same model in SimPy 3
# (simpy_mm1.py, Debian's python3-simpy3), alternated REPEATS times in the
# same sitting.  Prints one line with the medians of each one's own wall_s:
#   bench=vs_simpy customers=N usim_s=... simpy_s=... ratio=...
# ratio = simpy_s / usim_s; target >= 100.
#
#   vs_simpy.sh [MM1 [N [REPEATS]]]   (default: tests/bench/mm1, 1000000, 3)
set -u
here=$(cd "$(dirname "$0")" && pwd)
mm1=${1:-tests/bench/mm1}
n=${2:-1000000}
repeats=${3:-3}
/usr/bin/python3 -c 'import simpy' 2>/dev/null || {
    echo "bench=vs_simpy skipped=no-simpy"
    exit 0
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
wall() { tr ' ' '\n' | sed -n 's/^wall_s=//p'; }
i=0
while [ "$i" -lt "$repeats" ]; do
    "$mm1" "$n" | wall >>"$tmp/u" || exit 1
    /usr/bin/python3 "$here/simpy_mm1.py" "$n" | wall >>"$tmp/s" || exit 1
    i=$((i + 1))
done
med() { sort -g "$1" | sed -n "$(( (repeats + 1) / 2 ))p"; }
awk -v n="$n" -v u="$(med "$tmp/u")" -v s="$(med "$tmp/s")" -v k="$repeats" 'BEGIN {
    printf "bench=vs_simpy customers=%d usim_s=%.4f simpy_s=%.3f ratio=%.1f repeats=%d\n", n, u, s, s / u, k
}'
