#!/bin/sh
# warmup.sh — the fixed warm-up: M/M/1 at load 0.9 started empty.  The
# theory value of the mean wait is W_q = 1/(mu-lambda) - 1/mu = 9.  Short
# runs (until 2000, 200 replications, seed 1) without a warm-up are biased
# low: the 95% CI lies below 9; with warmup = 1500 it contains 9.  Also
# the root attribute `warmup` and --info's line.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
top_builddir=$(cd "$top_builddir" && pwd)
bin=$top_builddir/usim-batch
command -v h5dump >/dev/null || { echo "warmup.sh: h5dump not found (hdf5-tools)"; exit 77; }
test_name=warmup.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
cd "$tmp" || exit 99

# ci FILE: "LO HI" of the 95% CI of mean_wait over the runs (t quantile of
# 199 degrees of freedom: 1.972).
ci() {
    h5dump -d scalars "$1" | tr -s ' \n' ' ' |
        grep -o "{ [0-9]*, \"mean_wait\", [^ ]* }" | sed 's/.*", \([^ ]*\) }/\1/' |
        awk '{ s += $1; q += $1 * $1; n++ }
             END { m = s / n; h = 1.972 * sqrt((q - n * m * m) / (n - 1) / n);
                   printf "%.6f %.6f\n", m - h, m + h }'
}

sed 's/^warmup = .*//' "$top_srcdir/configs/warmup.cfg" >cold.cfg
"$bin" -q -j2 -o cold.h5 cold.cfg >out 2>&1 || ko "cold run: $(cat out)"
"$bin" -q -j2 -o warm.h5 "$top_srcdir/configs/warmup.cfg" >out 2>&1 || ko "warm run: $(cat out)"
set -- $(ci cold.h5)
if awk -v hi="$2" 'BEGIN { exit !(hi < 9) }'; then ok; else ko "no warm-up: CI [$1, $2] not below 9"; fi
set -- $(ci warm.h5)
if awk -v lo="$1" -v hi="$2" 'BEGIN { exit !(lo <= 9 && 9 <= hi) }'; then ok; else
    ko "warm-up 1500: CI [$1, $2] does not contain 9"; fi

h5dump -a warmup warm.h5 | grep -q "1500" && ok || ko "root attribute warmup: $(h5dump -a warmup warm.h5)"
h5dump -a warmup cold.h5 | grep -q "(0): 0" && ok || ko "root attribute warmup without one"
expect "--info warmup" 0 "^warmup=1500$" "$bin" --info "$top_srcdir/configs/warmup.cfg"
report
