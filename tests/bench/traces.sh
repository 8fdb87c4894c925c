#!/bin/sh
# traces.sh — the cost of a trace: RUNS runs of mm1 (CUSTOMERS each) on 2
# threads, untraced and with queue_length traced on every change,
# alternated REPEATS times in the same sitting.  Prints one line with the
# medians:
#   bench=traces runs=R customers=C untraced_s=... traced_s=... added_pct=...
#     samples=... file_bytes=... bytes_per_sample=...
# bytes_per_sample: the traced file's size over its samples, at the default
# compression.  Targets: added_pct <= 30, bytes_per_sample <= 6.
#
#   traces.sh [USIM-BATCH [CUSTOMERS [RUNS [REPEATS]]]]   (default: ./usim-batch, 1000000, 20, 3)
set -u
bin=${1:-./usim-batch}
customers=${2:-1000000}
runs=${3:-20}
repeats=${4:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/u.cfg" <<CFG
model = "mm1";
replications = $runs;
seed = 1;
parameters: { arrival_rate = 0.9; service_rate = 1.0; customers = $customers; };
CFG
{ cat "$tmp/u.cfg"; echo 'traces: { queue_length = { mode = "change"; }; };'; } >"$tmp/t.cfg"
timed() { # name: prints the wall seconds of one batch of NAME.cfg
    rm -f "$tmp/$1.h5"
    a=$(date +%s.%N)
    "$bin" -q -j 2 -o "$tmp/$1.h5" "$tmp/$1.cfg" || {
        echo "traces.sh: usim-batch failed on $1.cfg" >&2
        exit 1
    }
    b=$(date +%s.%N)
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", b - a }'
}
i=0
while [ "$i" -lt "$repeats" ]; do
    timed u >>"$tmp/u" || exit 1
    timed t >>"$tmp/t" || exit 1
    i=$((i + 1))
done
samples=$(/usr/bin/python3 -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r")["traces/queue_length"].shape[0])' "$tmp/t.h5") || exit 1
bytes=$(stat -c %s "$tmp/t.h5")
med() { sort -g "$1" | sed -n "$(( (repeats + 1) / 2 ))p"; }
awk -v r="$runs" -v c="$customers" -v u="$(med "$tmp/u")" -v t="$(med "$tmp/t")" -v n="$samples" \
    -v b="$bytes" -v k="$repeats" 'BEGIN {
    printf "bench=traces runs=%d customers=%d untraced_s=%.3f traced_s=%.3f added_pct=%.1f samples=%d file_bytes=%d bytes_per_sample=%.2f repeats=%d\n",
           r, c, u, t, 100 * (t - u) / u, n, b, b / n, k
}'
