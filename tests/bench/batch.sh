#!/bin/sh
# batch.sh — the usim-batch benchmark: 100 replications of the mm1 model
# with 1,000,000 customers each, on 2 threads, including the HDF5 output of
# scalars and drift (traces off).  Prints one line:
#   bench=batch runs=100 customers=100000000 threads=2 wall_s=... customers_per_s=...
# Target: at most half the wall time of another kernel's 100-trial M/M/1
# benchmark in the same sitting (tests/bench/vs_peer.sh, `make bench
# PEER_BATCH=...`), or at most 3.0 s on a quiet machine.
#
#   batch.sh [USIM-BATCH [CUSTOMERS [RUNS]]]   (default: ./usim-batch)
set -u
bin=${1:-${top_builddir:-.}/usim-batch}
customers=${2:-1000000}
runs=${3:-100}
threads=2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/bench.cfg" <<CFG
model = "mm1";
replications = $runs;
seed = 1;
parameters: { arrival_rate = 0.9; service_rate = 1.0; customers = $customers; };
CFG
t0=$(date +%s.%N)
"$bin" -q -j "$threads" -o "$tmp/bench.h5" "$tmp/bench.cfg" || {
    echo "batch.sh: usim-batch failed (exit $?)" >&2
    exit 1
}
t1=$(date +%s.%N)
awk -v r="$runs" -v c="$customers" -v t="$threads" -v a="$t0" -v b="$t1" 'BEGIN {
    w = b - a; n = r * c
    printf "bench=batch runs=%d customers=%d threads=%d wall_s=%.3f customers_per_s=%.4g\n",
           r, n, t, w, n / w
}'
