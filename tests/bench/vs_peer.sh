#!/bin/sh
# vs_peer.sh — usim against another kernel's benchmark program, alternated
# REPEATS times in the same sitting; each is timed from outside (process
# start to exit).  Prints one line with the medians:
#   bench=vs_peer usim_s=... peer_s=... ratio=...
# ratio = usim_s / peer_s.  The peer is any program that does the same work
# as the usim command (e.g. another kernel's M/M/1 benchmark of 10^6
# customers against `tests/bench/mm1 1000000`, or a 100-trial batch against
# `tests/bench/batch.sh`); `make bench PEER_MM1=... PEER_BATCH=...` runs both.
#
#   vs_peer.sh REPEATS 'USIM COMMAND' 'PEER COMMAND'
set -u
repeats=$1
usim=$2
peer=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
timed() { # command: appends its wall seconds to file $2
    a=$(date +%s.%N)
    sh -c "$1" >/dev/null || {
        echo "vs_peer.sh: failed: $1" >&2
        exit 1
    }
    b=$(date +%s.%N)
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f\n", b - a }' >>"$2"
}
i=0
while [ "$i" -lt "$repeats" ]; do
    timed "$usim" "$tmp/u" || exit 1
    timed "$peer" "$tmp/p" || exit 1
    i=$((i + 1))
done
med() { sort -g "$1" | sed -n "$(( (repeats + 1) / 2 ))p"; }
awk -v u="$(med "$tmp/u")" -v p="$(med "$tmp/p")" -v k="$repeats" 'BEGIN {
    printf "bench=vs_peer usim_s=%.4f peer_s=%.4f ratio=%.3f repeats=%d\n", u, p, u / p, k
}'
