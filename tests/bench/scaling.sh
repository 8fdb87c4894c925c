#!/bin/sh
# scaling.sh — usim-batch on 1 thread against 2, alternated in the same
# sitting (the machine's speed drifts: alternation keeps the ratio fair).
# Prints one line with the medians:
#   bench=scaling runs=R customers=C j1_s=... j2_s=... speedup=... efficiency=...
# efficiency = speedup / 2.  Targets: speedup >= 1.8 on 10^5 runs of 100
# customers; efficiency >= 0.95 on 100 runs of 10^6.
#
#   scaling.sh [USIM-BATCH [RUNS [CUSTOMERS [REPEATS]]]]   (default: ./usim-batch, 100000, 100, 3)
set -u
bin=${1:-./usim-batch}
runs=${2:-100000}
customers=${3:-100}
repeats=${4:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/s.cfg" <<CFG
model = "mm1";
replications = $runs;
seed = 1;
parameters: { arrival_rate = 0.9; service_rate = 1.0; customers = $customers; };
CFG
timed() { # threads: prints the wall seconds of one batch
    rm -f "$tmp/s.h5"
    a=$(date +%s.%N)
    "$bin" -q -j "$1" -o "$tmp/s.h5" "$tmp/s.cfg" || {
        echo "scaling.sh: usim-batch -j $1 failed" >&2
        exit 1
    }
    b=$(date +%s.%N)
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", b - a }'
}
i=0
while [ "$i" -lt "$repeats" ]; do
    timed 1 >>"$tmp/j1" || exit 1
    timed 2 >>"$tmp/j2" || exit 1
    i=$((i + 1))
done
med() { sort -g "$1" | sed -n "$(( (repeats + 1) / 2 ))p"; }
awk -v r="$runs" -v c="$customers" -v x="$(med "$tmp/j1")" -v y="$(med "$tmp/j2")" -v k="$repeats" 'BEGIN {
    printf "bench=scaling runs=%d customers=%d j1_s=%.3f j2_s=%.3f speedup=%.3f efficiency=%.3f repeats=%d\n",
           r, c, x, y, x / y, x / y / 2, k
}'
