#!/bin/sh
# reader.sh — the usim_results benchmark: an output file of RUNS runs
# (mm1, one customer each: the file is all rows, no simulation to speak
# of), read into the wide table, the long scalars table and the summary
# by /usr/bin/python3.  Prints one line:
#   bench=reader runs=... rows_scalars=... file_mb=... open_s=... results_s=... scalars_s=... summary_s=... fingerprints_s=...
# (each the wall time of that call alone, the file in the page cache).
#
#   reader.sh [USIM-BATCH [RUNS]]   (default: ./usim-batch, 100000)
set -u
bin=${1:-${top_builddir:-.}/usim-batch}
runs=${2:-100000}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/bench.cfg" <<CFG
model = "mm1";
replications = $runs;
seed = 1;
parameters: { customers = 1; };
CFG
"$bin" -q -j 2 -o "$tmp/bench.h5" "$tmp/bench.cfg" || {
    echo "reader.sh: usim-batch failed (exit $?)" >&2
    exit 1
}
PYTHONPATH=$top_srcdir/python PYTHONDONTWRITEBYTECODE=1 "$py" - "$tmp/bench.h5" <<'PY'
import os
import sys
import time

import usim_results as ur

path = sys.argv[1]
open(path, "rb").read()  # into the page cache
t = [time.perf_counter()]
r = ur.open_results(path)
t.append(time.perf_counter())
df = r.results()
t.append(time.perf_counter())
sc = r.scalars()
t.append(time.perf_counter())
su = r.summary()
t.append(time.perf_counter())
fp = r.fingerprints()
t.append(time.perf_counter())
d = [b - a for a, b in zip(t, t[1:])]
print("bench=reader runs=%d rows_scalars=%d file_mb=%.1f open_s=%.3f results_s=%.3f "
      "scalars_s=%.3f summary_s=%.3f fingerprints_s=%.3f" % (
          len(df), len(sc), os.path.getsize(path) / 1e6, *d))
PY
