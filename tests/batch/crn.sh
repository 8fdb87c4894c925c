#!/bin/sh
# crn.sh — common random numbers (random_numbers = "common"), on mm1:
#   - at two adjacent loads (0.5 and 0.55, 20 replications) the variance
#     over the replications of the difference of mean waits is at least
#     2x smaller than with independent runs (BENCHMARKS.md: about 7x);
#   - at two points with equal parameters, replication r of both gives
#     bit-identical scalars; with independent runs they differ;
#   - usim-analyze --diff 0 1 (and usim-report's) prints the paired mean and CI worked out
#     here from the raw /scalars rows (Student t, 19 df: 2.093);
#   - the mode is a root attribute and in --dry-run and --info;
#   - a resumed common run and merged shards of one equal the single run,
#     and files whose modes differ are refused.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
test_name=crn.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$merge" "$check"
need_python

# The example file, with its output in $tmp; the independent twin differs
# in the one setting.
sed 's|file = "results/crn.h5";|file = "'"$tmp"'/c.h5";|' "$top_srcdir/configs/crn.cfg" >"$tmp/c.cfg"
sed 's/^random_numbers = "common";/random_numbers = "independent";/; s|/c.h5|/i.h5|' \
    "$tmp/c.cfg" >"$tmp/i.cfg"
grep -q '^random_numbers = "independent";' "$tmp/i.cfg" && ok || ko "i.cfg: no independent setting"

expect "--dry-run says common" 0 "depend on (seed, replication): common random numbers" \
    "$bin" --dry-run "$tmp/c.cfg"
expect "--dry-run says independent" 0 "depend on (seed, run)\$" "$bin" --dry-run "$tmp/i.cfg"
expect "--info common" 0 "^random_numbers=common\$" "$bin" --info "$tmp/c.cfg"
expect "--info independent" 0 "^random_numbers=independent\$" "$bin" --info "$tmp/i.cfg"

"$bin" -q "$tmp/c.cfg" || ko "common run"
"$bin" -q "$tmp/i.cfg" || ko "independent run"
[ "$("$check" attr "$tmp/c.h5" random_numbers)" = common ] && ok ||
    ko "c.h5: random_numbers is '$("$check" attr "$tmp/c.h5" random_numbers)'"
[ "$("$check" attr "$tmp/i.h5" random_numbers)" = independent ] && ok ||
    ko "i.h5: random_numbers is '$("$check" attr "$tmp/i.h5" random_numbers)'"

# (seed, replication) keys: run r and run 20 + r draw the same numbers,
# so at equal parameters every scalar is the same double.
sed 's/arrival_rate = \[0.5, 0.55\];/arrival_rate = [0.5, 0.5];/; s|/c.h5|/ce.h5|' \
    "$tmp/c.cfg" >"$tmp/ce.cfg"
sed 's/^random_numbers = "common";/random_numbers = "independent";/; s|/ce.h5|/ie.h5|' \
    "$tmp/ce.cfg" >"$tmp/ie.cfg"
"$bin" -q "$tmp/ce.cfg" || ko "common run, equal points"
"$bin" -q "$tmp/ie.cfg" || ko "independent run, equal points"

# One line per file: the number of replications whose scalars are all
# bit-equal at both points, and the variance of the mean-wait differences.
$py - "$tmp/ce.h5" "$tmp/ie.h5" "$tmp/c.h5" "$tmp/i.h5" >"$tmp/stats" 2>&1 <<'PY'
import sys, h5py, numpy as np
for path in sys.argv[1:]:
    f = h5py.File(path, "r")
    reps = int(f.attrs["replications"])
    names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["scalars"]]
    v = f["scalars"]["value"].reshape(-1, len(names))
    assert v.shape[0] == 2 * reps
    same = sum(bool((v[r].view(np.uint64) == v[reps + r].view(np.uint64)).all())
               for r in range(reps))
    w = names.index("mean_wait")
    d = v[reps:, w] - v[:reps, w]
    print(path.rsplit("/", 1)[1], same, repr(float(np.var(d, ddof=1))))
PY
[ $? -eq 0 ] || ko "python: $(cat "$tmp/stats")"
[ "$(awk '$1 == "ce.h5" { print $2 }' "$tmp/stats")" = 20 ] && ok ||
    ko "common, equal points: not all 20 replications bit-identical: $(cat "$tmp/stats")"
[ "$(awk '$1 == "ie.h5" { print $2 }' "$tmp/stats")" = 0 ] && ok ||
    ko "independent, equal points: some replications identical: $(cat "$tmp/stats")"
factor=$(awk '$1 == "c.h5" { c = $3 } $1 == "i.h5" { i = $3 } END { printf "%.2f", i / c }' "$tmp/stats")
awk -v f="$factor" 'BEGIN { exit !(f >= 2) }' && ok ||
    ko "variance reduction of the mean-wait difference is $factor, expected >= 2"
echo "$test_name: variance factor (independent / common) of the mean-wait difference: $factor"

# usim-analyze --diff 0 1 against the sums worked out here: mean of
# d = wait(point 1, rep r) - wait(point 0, rep r), half-width
# 2.093 * s / sqrt(20) with s^2 = (sum d^2 - (sum d)^2 / n) / (n - 1).
want=$($py - "$tmp/c.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
s = f["scalars"][()]
w = {int(r): float(x) for r, n, x in zip(s["run"], s["name"], s["value"]) if n == b"mean_wait"}
d = [w[20 + r] - w[r] for r in range(20)]
n = len(d)
sd = sum(d)
var = (sum(x * x for x in d) - sd * sd / n) / (n - 1)
print("%.6g %.4g" % (sd / n, 2.093 * (var / n) ** 0.5))
PY
)
got=$($py "$ana" "$tmp/c.h5" --diff 0 1 | sed -n '/^point 1 - point 0, paired/,$p' |
    awk '$1 == "mean_wait" { print $2, $4 }')
[ -n "$want" ] && [ "$got" = "$want" ] && ok ||
    ko "usim-analyze --diff 0 1: mean_wait '$got', worked out '$want'"
expect "usim-analyze --diff names the mode" 0 "paired by replication (random numbers common)" \
    $py "$ana" "$tmp/c.h5" --diff 0 1
expect "usim-analyze --diff, no such point" 2 "no sweep point 5" $py "$ana" "$tmp/c.h5" --diff 0 5
# usim-report --diff: the same worked-out numbers.
rep=$top_srcdir/scripts/usim-report
got=$($py "$rep" "$tmp/c.h5" --no-plots --diff 0 1 | sed -n '/^point 1 - point 0, paired/,$p' |
    awk '$1 == "mean_wait" { print $2, $4 }')
[ -n "$want" ] && [ "$got" = "$want" ] && ok ||
    ko "usim-report --diff 0 1: mean_wait '$got', worked out '$want'"
expect "usim-report --diff, no such point" 2 "no sweep point 5" \
    $py "$rep" "$tmp/c.h5" --no-plots --diff 0 5

# Resume: a part of the runs, then --resume, equals the uninterrupted run.
"$bin" -q --runs 0-6,25-31 -o "$tmp/r.h5" "$tmp/c.cfg" 2>/dev/null
"$bin" -q --resume -o "$tmp/r.h5" "$tmp/c.cfg" || ko "resume"
why=$("$check" cmp "$tmp/c.h5" "$tmp/r.h5") && ok || ko "resumed common run differs: $why"
# Shards, merged, equal the single run.
for i in 0 1 2; do
    "$bin" -q --shard $i/3 -o "$tmp/s$i.h5" "$tmp/c.cfg" || ko "shard $i"
done
expect "merge" 0 "" "$merge" "$tmp/m.h5" "$tmp/s0.h5" "$tmp/s1.h5" "$tmp/s2.h5"
why=$("$check" cmp "$tmp/c.h5" "$tmp/m.h5") && ok || ko "merged common shards differ: $why"
# A shard that claims the other mode (same config text otherwise) is
# another experiment: merge and resume refuse it.
"$check" setattr "$tmp/s1.h5" random_numbers independent || ko "setattr"
expect "merge refuses mixed modes" 2 "the random numbers differ (common vs independent)" \
    "$merge" "$tmp/x.h5" "$tmp/s0.h5" "$tmp/s1.h5" "$tmp/s2.h5"
expect "resume refuses another mode" 2 "random numbers differ" \
    "$bin" -q --resume --shard 1/3 -o "$tmp/s1.h5" "$tmp/c.cfg"
# The t quantile behind every interval: two-sided 95 % values of
# published tables (30: 2.0423, 31: 2.0395, 40: 2.0211, 120: 1.9799).
if "$py" -c "
from importlib.machinery import SourceFileLoader
m = SourceFileLoader('ana', '$ana').load_module()
for df, t in ((30, 2.0423), (31, 2.0395), (40, 2.0211), (120, 1.9799)):
    assert abs(m.t95(df) - t) < 6e-5, (df, m.t95(df))
"; then ok; else ko "t95"; fi
report
