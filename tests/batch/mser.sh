#!/bin/sh
# mser.sh — the MSER-5 warm-up (warmup = { method = "mser5"; ... }):
#   - configs/mser5.cfg (mm1 at load 0.9 started empty, until 12000, 300
#     replications, 10 pilots): the warm-up that usim-batch chose equals
#     MSER-5 worked out here with numpy from the pilots' traces in the
#     file (their mean over 2000 cells of [0, until], batch means of 5,
#     least marginal standard error over the first half), every main run
#     has it in its `warmup` column, and the 95% CI of mean_wait contains
#     the theory 1/(mu - lambda) - 1/mu = 9;
#   - pilots are rows of their own (pilot = TRUE, run ids after the main
#     runs, no warm-up) that the analysis leaves out; the trace MSER-5
#     reads is in the file though the config enables no trace;
#   - two sweep points: each gets its own warm-up, and two shards (split
#     by point) merged equal the unsharded file;
#   - bad settings fail with a clear message.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
test_name=mser.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$merge" "$check"
need_python
cd "$tmp" || exit 99
cfg=$top_srcdir/configs/mser5.cfg

expect "--dry-run: pilots" 0 "MSER-5 on trace queue_length of 10 pilot runs (run 300 on" \
    "$bin" -n "$cfg"
"$bin" -j2 -o m.h5 "$cfg" 2>err || ko "mser5.cfg: exit $?: $(cat err)"
grep -q "warm-up (MSER-5 on the mean queue_length of 10 pilots): point 0 " err && ok ||
    ko "no warm-up line: $(cat err)"
[ "$("$check" attr m.h5 warmup_method)" = mser5 ] && ok || ko "warmup_method: $("$check" attr m.h5 warmup_method)"
[ "$("$check" attr m.h5 pilot_replications)" = 10 ] && ok || ko "pilot_replications"
[ "$("$check" attr m.h5 warmup_trace)" = queue_length ] && ok || ko "warmup_trace"

# The MSER-5 of the pilots, from the file, by a second implementation.
$py - m.h5 "$ana" >stats 2>&1 <<'PY' || ko "m.h5 checks: $(cat stats)"
import importlib.machinery, importlib.util, math, sys
import h5py, numpy as np
loader = importlib.machinery.SourceFileLoader("ua", sys.argv[2])
spec = importlib.util.spec_from_loader("ua", loader)
ua = importlib.util.module_from_spec(spec); loader.exec_module(ua)
f = h5py.File(sys.argv[1], "r")
runs = f["runs"][()]
until, cells = 12000.0, 2000
pilots = runs[runs["pilot"]]
main = runs[~runs["pilot"]]
assert list(pilots["run"]) == list(range(300, 310)), pilots["run"]
assert list(pilots["replication"]) == list(range(10)) and (pilots["warmup"] == 0).all()
assert len(main) == 300 and list(main["run"]) == list(range(300))
# Each pilot's queue length as a step function, averaged per cell.
idx = {int(r): (int(s), int(c)) for r, s, c in f["index/traces/queue_length"][()]}
tr = f["traces/queue_length"]
edges = np.linspace(0, until, cells + 1)
mean = np.zeros(cells)
for run in pilots["run"]:
    s, c = idx[int(run)]
    t, v = tr["t"][s:s + c], tr["value"][s:s + c]
    # The integral of the step function up to each edge.
    k = np.searchsorted(t, edges, side="right") - 1
    seg = np.append(np.diff(t), 0.0) * v
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    at = np.where(k >= 0, cum[np.maximum(k, 0)] + v[np.maximum(k, 0)] * (edges - t[np.maximum(k, 0)]),
                  v[0] * edges)
    # Before the first sample the first value holds from 0.
    at = at + np.where(k >= 0, v[0] * t[0], 0.0)
    mean += np.diff(at) / (until / cells)
mean /= len(pilots)
z = mean.reshape(-1, 5).mean(axis=1)
m = len(z)
best = min(range(m // 2 + 1), key=lambda d: (((z[d:] - z[d:].mean()) ** 2).sum() / (m - d) ** 2, d))
want = best * 5 * until / cells
w = set(main["warmup"].tolist())
assert len(w) == 1, w
got = w.pop()
assert abs(got - want) < 1e-9, ("warm-up", got, "numpy MSER-5", want)
assert got > 0, got
sc = f["scalars"][()]
vals = np.array([v for r, n, v in zip(sc["run"], sc["name"], sc["value"]) if n == b"mean_wait" and r < 300])
h = ua.t_quantile(0.975, len(vals) - 1) * vals.std(ddof=1) / math.sqrt(len(vals))
print("warm-up %g (numpy %g); mean_wait %.4f +- %.4f" % (got, want, vals.mean(), h))
assert abs(vals.mean() - 9) <= h, "theory 9 outside the CI"
PY
cat stats
grep -q "^warm-up" stats && ok || ko "m.h5: the checks did not finish"
$py "$ana" m.h5 >ana 2>&1 || ko "usim-analyze: $(cat ana)"
grep -q "300 runs (300 ok" ana && ok || ko "usim-analyze counts pilots: $(head -3 ana)"

# Two points, each its own warm-up; shards by point merged = one file.
cat >two.cfg <<'CFG'
model = "mm1";
until = 3000.0;
replications = 20;
seed = 5;
warmup = { method = "mser5"; trace = "queue_length"; pilot_replications = 6; };
parameters = { arrival_rate = [0.5, 0.9]; service_rate = 1.0; };
traces = { queue_length = { mode = "sample"; interval = 10.0; }; };
CFG
"$bin" -q -j2 -o two.h5 two.cfg || ko "two points"
"$bin" -q --shard 0/2 -o t0.h5 two.cfg || ko "shard 0/2"
"$bin" -q --shard 1/2 -o t1.h5 two.cfg || ko "shard 1/2"
"$merge" tm.h5 t0.h5 t1.h5 >out 2>&1 || ko "merge: $(cat out)"
if why=$("$check" cmp two.h5 tm.h5); then ok; else ko "merged shards vs one run: $why"; fi
$py - two.h5 <<'PY' >out 2>&1 && ok || ko "two points: $(cat out)"
import h5py
r = h5py.File("two.h5")["runs"][()]
w = [sorted(set(r[(r["point"] == p) & ~r["pilot"]]["warmup"].tolist())) for p in (0, 1)]
assert all(len(x) == 1 for x in w), w
assert len(r[r["pilot"]]) == 12 and (r[r["pilot"]]["run"] >= 40).all()
print(w)
PY

# Bad settings (testlib.sh: refuse).
bad() { refuse "$1" "$2" 'model = "mm1"; '"$3"; }
bad "no until" "MSER-5 compares the pilots' traces over \[0, until\]: set until" \
    'parameters = { customers = 100; }; warmup = { method = "mser5"; trace = "queue_length"; };'
bad "typo in the trace" "did you mean 'queue_length'" \
    'until = 10.0; warmup = { method = "mser5"; trace = "queue_lenght"; };'
bad "no trace" "missing: the trace MSER-5 reads" 'until = 10.0; warmup = { method = "mser5"; };'
bad "unknown method" 'unknown warm-up method "welch"' \
    'until = 10.0; warmup = { method = "welch"; trace = "queue_length"; };'
bad "no pilots" "must be at least 1" \
    'until = 10.0; warmup = { method = "mser5"; trace = "queue_length"; pilot_replications = 0; };'
bad "a fixed warm-up as a group" "a fixed warm-up is written warmup = T" 'until = 10.0; warmup = { trace = "queue_length"; };'
report
