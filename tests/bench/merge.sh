#!/bin/sh
# merge.sh — the usim-merge benchmark: SHARDS shard files of RUNS runs each
# (mm1, 50 customers per run, the queue length traced on every change,
# about 100 samples per run) merged into one file.  The shard files are
# made once (usim-batch --shard I/SHARDS, two at a time), then merged
# REPEAT times; prints the median merge as one line:
#   bench=merge shards=... runs=... trace_rows=... seconds=... runs_per_s=... maxrss_mb=...
#
#   merge.sh [BUILDDIR [SHARDS [RUNS [REPEAT]]]]   (default: . 1000 100 3)
set -u
bld=${1:-${top_builddir:-.}}
shards=${2:-1000}
per=${3:-100}
repeat=${4:-3}
batch=$bld/usim-batch
merge=$bld/usim-merge
[ -x "$batch" ] && [ -x "$merge" ] || { echo "merge.sh: no $batch or $merge" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench-merge.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
runs=$((shards * per))
# 1000 points x RUNS/1000 replications: every shard holds runs of every
# point, as in a real sweep.
[ $((runs % 1000)) -eq 0 ] || { echo "merge.sh: SHARDS x RUNS must be a multiple of 1000" >&2; exit 1; }
cat >"$tmp/merge.cfg" <<CFG
model = "mm1";
replications = $((runs / 1000));
seed = 7;
parameters: {
  arrival_rate = 0.9;
  service_rate = { from = 1.0; to = 1.999; step = 0.001; };
  customers = 50;
};
traces: { queue_length = { mode = "change"; }; };
CFG
n=$("$batch" --info "$tmp/merge.cfg" | sed -n 's/^runs=//p')
[ "$n" = "$runs" ] || { echo "merge.sh: the config has $n runs, not $runs" >&2; exit 1; }

# The shards, two processes at a time (each on one thread).
i=0
while [ "$i" -lt "$shards" ]; do
    "$batch" -q -j1 --shard "$i/$shards" -o "$tmp/s$i.h5" "$tmp/merge.cfg" &
    j=$((i + 1))
    [ "$j" -lt "$shards" ] && "$batch" -q -j1 --shard "$j/$shards" -o "$tmp/s$j.h5" "$tmp/merge.cfg"
    wait || { echo "merge.sh: usim-batch failed" >&2; exit 1; }
    i=$((i + 2))
done
ls "$tmp"/s*.h5 >"$tmp/list"

k=0
: >"$tmp/times"
while [ "$k" -lt "$repeat" ]; do
    rm -f "$tmp/out.h5"
    # GNU time's format: elapsed seconds and peak resident set in KiB.
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$merge" "$tmp/out.h5" $(cat "$tmp/list") ||
        { echo "merge.sh: usim-merge failed" >&2; exit 1; }
    cat "$tmp/time" >>"$tmp/times"
    k=$((k + 1))
done
rows=$(h5ls "$tmp/out.h5/traces/queue_length" 2>/dev/null | sed -n 's/.*{\([0-9]*\).*/\1/p')
sort -g "$tmp/times" | sed -n "$(( (repeat + 1) / 2 ))p" |
    awk -v s="$shards" -v r="$runs" -v t="${rows:-0}" '{
        printf "bench=merge shards=%d runs=%d trace_rows=%d seconds=%.2f runs_per_s=%.0f maxrss_mb=%.0f\n",
               s, r, t, $1, r / $1, $2 / 1024
    }'
