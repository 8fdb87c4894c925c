#!/bin/sh
# analyze_adaptive.sh — usim-analyze on output format 4 (pilot runs,
# MSER-5 warm-ups, unneeded slots, a precision target), on a file made by
# tests/batch/make_adaptive_h5.py, and on its format-3 twin:
#   - t_quantile against published Student t quantiles (1e-6);
#   - the per-point means, half-widths (at the target's 90% confidence),
#     targets and verdicts ("met", "max reached", "short"), and --diff,
#     equal those worked out here with numpy from the raw rows and t
#     quantiles of published tables: the pilots (values near 1e6) and the
#     failed and unneeded rows count nowhere;
#   - the counts line, the failed pilot, the warm-up and precision header,
#     precision_table() and point_warmups() of the module;
#   - format 3: no pilots, a fixed warm-up of 100, 95% intervals, no
#     target: the defaults of the missing attributes and columns.
# Prints "NAME: N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
ana=$top_srcdir/scripts/usim-analyze
make_h5=$top_srcdir/tests/batch/make_adaptive_h5.py
py=/usr/bin/python3
test_name=analyze_adaptive.sh
. "$top_srcdir/tests/batch/testlib.sh"
if ! [ -x $py ] || ! $py -c 'import h5py, numpy' 2>/dev/null; then
    echo "$test_name: skipped: /usr/bin/python3 lacks h5py or numpy"
    exit 77
fi

# checks: count the "ok" / "ko TEXT" lines a Python check prints (a
# traceback, or no line at all, is a failure too).
checks() {
    [ -s "$tmp/checks" ] || ko "$1: no output"
    while IFS= read -r line; do
        case $line in
        ok) ok ;;
        "ko "*) ko "$1: ${line#ko }" ;;
        *) ko "$1: $line" ;;
        esac
    done <"$tmp/checks"
}

# Student t quantiles of published tables (7 decimals); t95 is the
# two-sided 95% one.
$py - "$ana" >"$tmp/checks" 2>&1 <<'PY'
import sys
from importlib.machinery import SourceFileLoader
m = SourceFileLoader("ana", sys.argv[1]).load_module()
for p, df, want in ((0.975, 1, 12.7062047), (0.975, 10, 2.2281389), (0.995, 5, 4.0321430),
                    (0.95, 20, 1.7247182), (0.975, 1000, 1.9623391)):
    got = m.t_quantile(p, df)
    print("ok" if abs(got - want) < 1e-6 else "ko t_quantile(%g, %d) = %.9g, want %.7f"
          % (p, df, got, want))
print("ok" if abs(m.t95(19) - 2.0930241) < 1e-6 and abs(m.t95(40) - 2.0210754) < 1e-6
      else "ko t95(19) = %r, t95(40) = %r" % (m.t95(19), m.t95(40)))
PY
checks "t quantiles"

$py "$make_h5" "$tmp/a4.h5" || ko "make_adaptive_h5.py (format 4)"
$py "$make_h5" "$tmp/a3.h5" --format 3 || ko "make_adaptive_h5.py (format 3)"
$py "$ana" "$tmp/a4.h5" --diff 0 1 >"$tmp/a4.out" 2>&1 || ko "usim-analyze a4.h5: $(cat "$tmp/a4.out")"
$py "$ana" "$tmp/a3.h5" --diff 0 1 >"$tmp/a3.out" 2>&1 || ko "usim-analyze a3.h5: $(cat "$tmp/a3.out")"

# What the tool prints per point and scalar, and for --diff 0 1, against
# the same worked out from the raw /runs and /scalars: the ok rows that
# are not pilots, finite values, the half-width t * sd / sqrt(n) with the
# t of a published table, the target 5% of |mean|; then the verdicts the
# file was made for.  The module's precision_table() and point_warmups()
# against the same numbers.
compare() {
    $py - "$ana" "$1" "$2" >"$tmp/checks" 2>&1 <<'PY'
import sys
import h5py
import numpy as np
from importlib.machinery import SourceFileLoader
ana, path, printed = sys.argv[1:]
# Published t quantiles: P(T <= t) = 0.95 (90% two-sided) and 0.975.
T = {0.90: {3: 2.3533634, 4: 2.1318468, 5: 2.0150484, 10: 1.8124611},
     0.95: {3: 3.1824463, 4: 2.7764451, 5: 2.5705818, 10: 2.2281389}}
f = h5py.File(path, "r")
runs = f["runs"][()]
names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["scalars"]]
values = {(int(r), n.decode()): float(v) for r, n, v in f["scalars"][()]}
fmt4 = int(f.attrs["format_version"]) == 4
conf = float(f.attrs["precision_confidence"]) if fmt4 else 0.95
pilot = runs["pilot"] if fmt4 else np.zeros(len(runs), dtype=bool)
status = np.array([s.decode() for s in runs["status"]])

def stats(x):
    x = np.array([v for v in x if np.isfinite(v)])
    n = len(x)
    return x.mean(), T[conf][n - 1] * x.std(ddof=1) / np.sqrt(n), n

want, table = {}, []
for point in range(3):
    here = (runs["point"] == point) & ~pilot
    ok_runs = runs["run"][here & (status == "ok")]
    ran = (here & (status != "pending") & (status != "unneeded")).sum()
    for name in names:
        m, h, n = stats([values[(int(r), name)] for r in ok_runs])
        line = "%.6g %.4g (n=%d)" % (m, h, n)
        if fmt4 and name == "mean_wait":
            target = 0.05 * abs(m)
            verdict = "met" if h <= target else "max reached" if ran >= 12 else "short"
            line += " target %.4g: %s" % (target, verdict)
            table.append((point, name, n, m, h, target, verdict))
        want[(point, name)] = line
# --diff 0 1: replication r of point 1 minus replication r of point 0,
# both ok, both finite, no pilot.
for name in names:
    by = [{int(runs["replication"][i]): values[(int(runs["run"][i]), name)]
           for i in np.nonzero((runs["point"] == p) & ~pilot & (status == "ok"))[0]}
          for p in (0, 1)]
    d = [by[1][r] - by[0][r] for r in sorted(set(by[0]) & set(by[1]))]
    m, h, n = stats(d)
    want[("diff", name)] = "%.6g %.4g (n=%d)" % (m, h, n)

got, point = {}, None
for line in open(printed):
    w = line.split()
    if line.startswith("point ") and "paired by replication" in line:
        point = "diff"
    elif line.startswith("point "):
        point = int(w[1])
    elif line.startswith("  ") and w[0] in names and point is not None:
        got[(point, w[0])] = " ".join([w[1]] + w[3:])
for key in sorted(want, key=str):
    print("ok" if got.get(key) == want[key] else "ko %s: printed '%s', worked out '%s'"
          % (key, got.get(key), want[key]))
if fmt4:
    verdicts = [e[6] for e in table]
    print("ok" if verdicts == ["met", "max reached", "short"]
          else "ko the file should give met, max reached, short: %s" % verdicts)

m = SourceFileLoader("ana", ana).load_module()
pt = [(e["point"], e["scalar"], e["n"], e["mean"], e["half_width"], e["target"], e["verdict"])
      for e in m.precision_table(path)]
same = len(pt) == len(table) and all(
    a[:3] == b[:3] and a[6] == b[6] and np.allclose(a[3:6], b[3:6], rtol=1e-7)
    for a, b in zip(pt, table))
print("ok" if same else "ko precision_table: %s, worked out %s" % (pt, table))
warm = {0: 150.0, 1: 420.0, 2: 275.0} if fmt4 else {0: 100.0, 1: 100.0, 2: 100.0}
print("ok" if m.point_warmups(path) == warm
      else "ko point_warmups: %s, expected %s" % (m.point_warmups(path), warm))
PY
    checks "$3"
}
compare "$tmp/a4.h5" "$tmp/a4.out" "format 4"
compare "$tmp/a3.h5" "$tmp/a3.out" "format 3"

# The lines around the table.  Format 4: 36 slots of 3 points x 12, 5 of
# them unneeded, 8 pending; 2 failed (not counting the failed pilot).
has() {
    grep -qF -- "$2" "$1" && ok || ko "no '$2' in: $(head -c 1500 "$1")"
}
has "$tmp/a4.out" "a4.h5: model mm1, 31 runs (21 ok, 8 pending, 2 other), 5 unneeded; 9 pilot runs (8 ok)"
has "$tmp/a4.out" "  run 40 (point 1, pilot 1): failed: model error: boom"
has "$tmp/a4.out" "warm-up: MSER-5 on trace queue_length from 3 pilot runs per point"
has "$tmp/a4.out" "  point 1: 420"
has "$tmp/a4.out" "precision: mean_wait within +-5% (relative) at 90% confidence, 5 to 12 replications"
has "$tmp/a4.out" "point 0 (arrival_rate=0.5): 6 runs, 7 of at most 12 replications ran"
has "$tmp/a4.out" "point 1 (arrival_rate=0.9): 11 runs, 12 of at most 12 replications ran"
has "$tmp/a4.out" "(random numbers independent, 90% CI):"
# Format 3 prints as it always did, plus the fixed warm-up.
has "$tmp/a3.out" "a3.h5: model mm1, 36 runs (21 ok, 13 pending, 2 other)"
has "$tmp/a3.out" "warm-up: fixed at 100"
has "$tmp/a3.out" "point 0 (arrival_rate=0.5): 6 runs"
if grep -q "pilot\|precision\|target\|unneeded\|CI)" "$tmp/a3.out"; then
    ko "format 3 output speaks of format 4: $(cat "$tmp/a3.out")"
else
    ok
fi

# --plots: the trace plot (warm-up lines, no pilots) gets written.
if $py -c 'import matplotlib' 2>/dev/null; then
    expect "usim-analyze --plots" 0 "trace_queue_length.png" \
        $py "$ana" "$tmp/a4.h5" --plots "$tmp/plots"
    [ -s "$tmp/plots/trace_queue_length.png" ] && ok || ko "no trace plot"
fi
report
