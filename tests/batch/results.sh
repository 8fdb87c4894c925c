#!/bin/sh
# results.sh — output format 5: the wide table /results and the units and
# help texts, end to end.
#   - every /results column has the dtype of its parameter's declared type
#     (int64, bool, bytes, float64; scalars float64), and every row equals
#     row for row what /runs holds (fixed columns, parameters: the second
#     method) and /scalars holds (the scalars, NaN where unset), read with
#     h5py and numpy;
#   - rows of runs not done (--runs) are pending: NaN, 0, FALSE, "" and NaN
#     scalars; rows a precision target did not need are "unneeded" with
#     their point's parameters; pilot rows are flagged as in /runs;
#   - the tables are deflated at level 1, the traces at the compression
#     (4), all shuffled; compression 0 declares no filters;
#   - a shard file holds its own rows only, and two shards merged equal the
#     unsharded file (h5check cmp compares /results too);
#   - the root attributes parameter_types, parameter_units, parameter_help,
#     scalar_units, scalar_help, trace_units, trace_help and each trace's
#     units and help equal what --list-models prints for the model;
#   - /drift_hist holds each run's per-wait drift counts, adding up to the
#     waits of its /drift rows, with the bin edges as a root attribute;
#   - a plugin whose names clash with the output's columns (clash_model.c)
#     is refused before anything is written, naming the name.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
merge=$(cd "$top_builddir" && pwd)/usim-merge
check=$(cd "$top_builddir" && pwd)/tests/batch/h5check
so=$top_builddir/tests/batch/.libs/clash_model.so
test_name=results.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$merge" "$check" "$so"
need_python

# Checks FILE's /results against /runs and /scalars row for row; prints
# one "FAIL: ..." line per difference and "rows N" at the end.
cat >"$tmp/check.py" <<'PY'
import sys
import h5py
import numpy as np

f = h5py.File(sys.argv[1], "r")
res, runs, sc = f["results"][()], f["runs"][()], f["scalars"][()]
params = [p.decode() if isinstance(p, bytes) else p for p in f.attrs["parameters"]]
types = [t.decode() if isinstance(t, bytes) else t for t in f.attrs["parameter_types"]]
scalars = [s.decode() if isinstance(s, bytes) else s for s in f.attrs["scalars"]]
fixed = ["run", "point", "replication", "status", "pilot", "warmup"]
bad = []
if list(res.dtype.names) != fixed + params + scalars:
    bad.append("columns %s" % (res.dtype.names,))
if f.attrs["format_version"] != 5:
    bad.append("format_version %s" % f.attrs["format_version"])
if len(res) != len(runs):
    bad.append("%d rows, /runs %d" % (len(res), len(runs)))
want_dtype = {"real": np.dtype("<f8"), "int": np.dtype("<i8"), "bool": np.dtype(bool)}
for name in fixed:
    if res.dtype[name] != runs.dtype[name]:
        bad.append("%s: dtype %s, /runs %s" % (name, res.dtype[name], runs.dtype[name]))
for name, t in zip(params, types):
    d = res.dtype[name]
    if t in want_dtype and d != want_dtype[t]:
        bad.append("%s (%s): dtype %s" % (name, t, d))
    if t in ("choice", "dist") and (d.kind != "S" or d != runs.dtype[name]):
        bad.append("%s (%s): dtype %s, /runs %s" % (name, t, d, runs.dtype[name]))
for name in scalars:
    if res.dtype[name] != np.dtype("<f8"):
        bad.append("scalar %s: dtype %s" % (name, res.dtype[name]))


def same(a, b):
    if isinstance(a, (bytes, np.bytes_)):
        return a == b
    return (np.isnan(a) and np.isnan(b)) or a == b


ns = len(scalars)
for i in range(len(res)):
    row, run = res[i], runs[i]
    pending = run["status"] == b"pending"
    for name in fixed:
        if not same(row[name], run[name]):
            bad.append("row %d %s: %r, /runs %r" % (i, name, row[name], run[name]))
    for name, t in zip(params, types):
        got, want = row[name], run[name]
        if t in ("int", "bool"):
            # /runs holds the number as a double, NaN while pending.
            want = 0 if pending else want
            if float(got) != float(want) or (t == "int" and got != int(want)):
                bad.append("row %d %s: %r, /runs %r" % (i, name, got, run[name]))
        elif not same(got, want):
            bad.append("row %d %s: %r, /runs %r" % (i, name, got, want))
    for k, name in enumerate(scalars):
        s = sc[i * ns + k]
        if s["run"] != run["run"] or s["name"].decode() != name:
            bad.append("/scalars row %d is not run %d's %s" % (i * ns + k, run["run"], name))
        elif not same(row[name], s["value"]):
            bad.append("row %d %s: %r, /scalars %r" % (i, name, row[name], s["value"]))
for b in bad[:20]:
    print("FAIL: " + b)
print("rows %d" % len(res))
PY
# check FILE ROWS: the check above finds nothing and FILE has ROWS rows.
check_results() {
    "$py" "$tmp/check.py" "$1" >"$tmp/checked" 2>&1
    if [ "$(cat "$tmp/checked")" = "rows $2" ]; then ok; else ko "$1: $(head -c 1500 "$tmp/checked")"; fi
}
# value FILE EXPR: EXPR of r (/results as numpy) and f (the file).
value() {
    "$py" -c 'import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); r = f["results"][()]
print(eval(sys.argv[2]))' "$1" "$2"
}
same() {
    if [ "$2" = "$3" ]; then ok; else ko "$1: got '$2', expected '$3'"; fi
}

# ---- every type: real, dist, choice, int (mg1), bool (drift) -------------
cat >"$tmp/mg1.cfg" <<'CFG'
model = "mg1";
seed = 1;
replications = 2;
parameters: {
  arrival_rate = [0.25, 0.5];
  customers = 200;
  service = ("constant(1)", { dist = "gamma"; shape = 2.0; scale = 0.5; });
  discipline = ["fifo", "lifo"];
};
traces: { wait = {}; };
CFG
expect "mg1 sweep" 0 "" "$bin" -q -o "$tmp/mg1.h5" "$tmp/mg1.cfg"
check_results "$tmp/mg1.h5" 16
# Known values, independent of /runs: run 13 is point 6 = (0.5, gamma, fifo).
same "mg1 types" "$(value "$tmp/mg1.h5" 'list(f.attrs["parameter_types"])')" \
    "['real', 'dist', 'choice', 'int']"
same "mg1 row 13" "$(value "$tmp/mg1.h5" '(r[13]["arrival_rate"], r[13]["service"], r[13]["discipline"], int(r[13]["customers"]), r[13]["customers_served"])')" \
    "(0.5, b'gamma(2, 0.5)', b'fifo', 200, 200.0)"
# Deflate levels: the traces' is the file's compression (4 by default), the
# tables' 1, both shuffled; compression 0: no filters at all.
filters='[(n, f[n].compression_opts, f[n].shuffle) for n in ("runs", "results", "scalars", "drift", "drift_hist", "shards", "index/drift", "index/traces/wait", "traces/wait")]'
same "mg1 filters" "$(value "$tmp/mg1.h5" "$filters")" \
    "[('runs', 1, True), ('results', 1, True), ('scalars', 1, True), ('drift', 1, True), ('drift_hist', 1, True), ('shards', 1, True), ('index/drift', 1, True), ('index/traces/wait', 1, True), ('traces/wait', 4, True)]"
{ cat "$tmp/mg1.cfg"; echo 'output: { compression = 0; };'; } >"$tmp/mg1raw.cfg"
expect "mg1 uncompressed" 0 "" "$bin" -q -o "$tmp/mg1raw.h5" "$tmp/mg1raw.cfg"
same "mg1 no filters" "$(value "$tmp/mg1raw.h5" "$filters")" \
    "[('runs', None, False), ('results', None, False), ('scalars', None, False), ('drift', None, False), ('drift_hist', None, False), ('shards', None, False), ('index/drift', None, False), ('index/traces/wait', None, False), ('traces/wait', None, False)]"
cat >"$tmp/drift.cfg" <<'CFG'
model = "drift";
parameters: { periodic = [false, true]; tasks = [1, 2]; };
CFG
expect "drift sweep" 0 "" "$bin" -q -o "$tmp/drift.h5" "$tmp/drift.cfg"
check_results "$tmp/drift.h5" 4
same "drift periodic" "$(value "$tmp/drift.h5" '[bool(x) for x in r["periodic"]]')" \
    "[False, False, True, True]"
same "drift tasks" "$(value "$tmp/drift.h5" 'r["tasks"].tolist()')" "[1, 2, 1, 2]"

# ---- /drift_hist: every timed wait of a run in one bin ------------------
# mm1 at resolution 0.5: every sleep starts on a tick and waits until the
# next tick at or after its exponential duration X, so its drift is
# 0.5 - u, u = X mod 0.5; u has density proportional to exp(-rate u) on
# [0, 0.5), so bin k (drifts from 2^(k-33) to 2^(k-32) ticks, a tick 0.5)
# holds the share (exp(-rate (0.5 - hi)) - exp(-rate (0.5 - lo))) /
# (1 - exp(-rate / 2)) of a task's waits, rate 0.9 (arrivals) and 1
# (server), as many waits each.  Nothing from bin 33 on (a whole tick);
# the counts of each run add up to the waits of its /drift rows (the
# second method); the root attribute drift_hist_low holds the bin edges.
cat >"$tmp/tick.cfg" <<'CFG'
model = "mm1";
replications = 3;
kernel = { resolution = 0.5; };
parameters = { customers = 4000; };
CFG
expect "mm1 at resolution 0.5" 0 "" "$bin" -q -o "$tmp/tick.h5" "$tmp/tick.cfg"
same "drift_hist = waits" "$(value "$tmp/tick.h5" 'all(int(h["count"].sum()) == int(sum(d["waits"] for d in f["drift"][()] if d["run"] == h["run"])) for h in f["drift_hist"][()])')" True
same "drift_hist edges" "$(value "$tmp/tick.h5" 'bool(f.attrs["drift_hist_low"][0] == 0 and (f.attrs["drift_hist_low"][1:] == [2.0 ** (k - 33) * 0.5 for k in range(1, 64)]).all())')" True
same "drift_hist under a tick" "$(value "$tmp/tick.h5" 'int(f["drift_hist"]["count"][:, 33:].sum())')" 0
same "drift_hist shares" "$(value "$tmp/tick.h5" 'all(abs(f["drift_hist"]["count"].sum(0)[k] / f["drift_hist"]["count"].sum() - np.mean([(np.exp(-q * (0.5 - 2.0 ** (k - 32) / 2)) - np.exp(-q * (0.5 - 2.0 ** (k - 33) / 2))) / (1 - np.exp(-q / 2)) for q in (0.9, 1.0)])) < 0.02 for k in (32, 31, 30, 29))')" True
same "drift_hist rows" "$(value "$tmp/tick.h5" 'f["drift_hist"]["run"].tolist()')" "[0, 1, 2]"

# ---- pending rows: only some runs done ----------------------------------
expect "mg1 runs 0-2,5" 0 "" "$bin" -q --runs 0-2,5 -o "$tmp/part.h5" "$tmp/mg1.cfg"
check_results "$tmp/part.h5" 16
same "pending rows" "$(value "$tmp/part.h5" '[i for i in range(len(r)) if r[i]["status"] == b"pending"] == [3, 4] + list(range(6, 16))')" True
same "a pending row" "$(value "$tmp/part.h5" '(r[7]["run"], r[7]["point"], r[7]["replication"], r[7]["arrival_rate"], r[7]["service"], r[7]["discipline"], int(r[7]["customers"]), r[7]["mean_wait"], r[7]["warmup"])')" \
    "(7, 3, 1, nan, b'', b'', 0, nan, nan)"
expect "drift run 1" 0 "" "$bin" -q --runs 1 -o "$tmp/dpart.h5" "$tmp/drift.cfg"
check_results "$tmp/dpart.h5" 4
# Run 2 (periodic) is pending: FALSE; run 1 done: FALSE, tasks 2.
same "pending bool and int" "$(value "$tmp/dpart.h5" '[(bool(x["periodic"]), int(x["tasks"]), x["status"]) for x in r]')" \
    "[(False, 0, b'pending'), (False, 2, b'ok'), (False, 0, b'pending'), (False, 0, b'pending')]"

# ---- unneeded rows: a precision target ----------------------------------
expect "precision" 0 "" "$bin" -q -o "$tmp/prec.h5" "$top_srcdir/configs/precision.cfg"
nrows=$("$py" -c 'import sys, h5py; print(len(h5py.File(sys.argv[1])["runs"]))' "$tmp/prec.h5")
check_results "$tmp/prec.h5" "$nrows"
# Unneeded rows hold their point's arrival rate (the config's list) and
# NaN scalars; there are some at every point (400 replications at most).
same "unneeded rows" "$(value "$tmp/prec.h5" 'all(len([x for x in r if x["status"] == b"unneeded" and x["point"] == p and x["arrival_rate"] == [0.5, 0.7, 0.8][p] and np.isnan(x["mean_wait"])]) > 0 for p in range(3))')" True
same "no other statuses" "$(value "$tmp/prec.h5" 'sorted(set(r["status"]))')" "[b'ok', b'unneeded']"

# ---- pilot rows, and shards ----------------------------------------------
cat >"$tmp/mser.cfg" <<'CFG'
model = "mm1";
until = 2000.0;
replications = 6;
seed = 1;
warmup = { method = "mser5"; trace = "queue_length"; pilot_replications = 3; };
parameters = { arrival_rate = [0.5, 0.8]; service_rate = 1.0; };
CFG
expect "mser5" 0 "" "$bin" -q -o "$tmp/mser.h5" "$tmp/mser.cfg"
check_results "$tmp/mser.h5" 18
same "pilot rows" "$(value "$tmp/mser.h5" 'r["pilot"].sum()')" 6
expect "mser5 shard 0/2" 0 "" "$bin" -q --shard 0/2 -o "$tmp/m0.h5" "$tmp/mser.cfg"
expect "mser5 shard 1/2" 0 "" "$bin" -q --shard 1/2 -o "$tmp/m1.h5" "$tmp/mser.cfg"
# By point: each shard holds its point's 9 rows (3 pilots), none pending.
check_results "$tmp/m0.h5" 9
same "shard 1 rows" "$(value "$tmp/m1.h5" '(sorted(set(r["point"])), int(r["pilot"].sum()), sorted(set(r["status"])))')" \
    "([1], 3, [b'ok'])"
expect "merge" 0 "" "$merge" "$tmp/merged.h5" "$tmp/m0.h5" "$tmp/m1.h5"
expect "merged = unsharded" 0 "" "$check" cmp "$tmp/merged.h5" "$tmp/mser.h5"
expect "mg1 shard 1/3" 0 "" "$bin" -q --shard 1/3 -o "$tmp/g1.h5" "$tmp/mg1.cfg"
check_results "$tmp/g1.h5" 5
same "mg1 shard runs" "$(value "$tmp/g1.h5" 'r["run"].tolist()')" "[1, 4, 7, 10, 13]"

# ---- units and help against --list-models --------------------------------
"$bin" --list-models >"$tmp/models"
# For each name the attributes describe, the model's --list-models line:
# a parameter's ends in "[UNIT]  HELP" ("  HELP" without a unit) after its
# type; a scalar's or trace's in "HELP [UNIT]".
cat >"$tmp/units.py" <<'PY'
import sys
import h5py

f = h5py.File(sys.argv[1], "r")
lines = open(sys.argv[2]).read().split("\n")
model = f.attrs["model"]
start = lines.index([l for l in lines if l.startswith(model + ": ")][0])
end = next(i for i in range(start + 1, len(lines)) if lines[i] and lines[i][0] != " ")
section, kind = {}, None
for l in lines[start + 1:end]:
    if l.startswith("  ") and not l.startswith("    "):
        kind = l.split(":")[0].strip()
    elif l.startswith("    "):
        section[(kind, l.split()[0])] = l
text = lambda a: [x.decode() if isinstance(x, bytes) else x for x in f.attrs[a]]
bad, n = [], 0
for name, t, unit, hlp in zip(text("parameters"), text("parameter_types"),
                              text("parameter_units"), text("parameter_help")):
    l = section[("parameters", name)]
    tail = (" [%s]" % unit if unit else "") + "  " + hlp
    n += 1
    if l.split()[1] != t or not l.endswith(tail):
        bad.append("parameter %s: %r %r %r vs %r" % (name, t, unit, hlp, l))
outs = [("scalars", text("scalars"), text("scalar_units"), text("scalar_help")),
        ("traces", text("traces"), text("trace_units"), text("trace_help"))]
for kind, names, units, helps in outs:
    for name, unit, hlp in zip(names, units, helps):
        l = section[(kind, name)]
        n += 1
        if not l.endswith(hlp + (" [%s]" % unit if unit else "")) or not hlp:
            bad.append("%s %s: %r %r vs %r" % (kind, name, unit, hlp, l))
        if kind == "traces":
            a = f["traces/" + name].attrs
            if (a["units"], a["help"]) != (unit, hlp):
                bad.append("/traces/%s attributes %r %r" % (name, a["units"], a["help"]))
print("\n".join("FAIL: " + b for b in bad) or "described %d" % n)
PY
got=$("$py" "$tmp/units.py" "$tmp/mg1.h5" "$tmp/models" 2>&1)
same "mg1 units and help" "$got" "described 9"
same "mg1 units" "$(value "$tmp/mg1.h5" '(list(f.attrs["parameter_units"]), list(f.attrs["scalar_units"]), list(f.attrs["trace_units"]))')" \
    "(['1/time', 'time', '', ''], ['time', 'time', '', ''], ['time'])"
got=$("$py" "$tmp/units.py" "$tmp/mser.h5" "$tmp/models" 2>&1)
n=$("$py" -c 'import sys, h5py; a = h5py.File(sys.argv[1]).attrs; print(len(a["parameters"]) + len(a["scalars"]) + len(a["traces"]))' "$tmp/mser.h5")
same "mm1 units and help" "$got" "described $n"

# ---- names that clash with the output's columns ---------------------------
cp "$so" "$tmp/clash.so"
printf 'model = "clash.so";\n' >"$tmp/clash.cfg"
expect "no clash" 0 "" "$bin" -q -o "$tmp/clash.h5" "$tmp/clash.cfg"
rm -f "$tmp/clash.h5"
for case in \
    "param|model \"clash\" has a parameter 'warmup', the name of a fixed column of /runs: rename it in the model" \
    "late|model \"clash\" has a parameter 'wall_s', the name of a fixed column of /runs: rename it in the model" \
    "scalar|model \"clash\" has a scalar 'status', the name of a fixed column of /results: rename it in the model" \
    "both|model \"clash\" has a parameter and a scalar both named 'load' (columns of /results): rename one in the model"; do
    kind=${case%%|*}
    want="$tmp/clash.cfg:1: setting 'model': ${case#*|}"
    CLASH=$kind "$bin" -q -o "$tmp/clash.h5" "$tmp/clash.cfg" >"$tmp/out" 2>&1
    st=$?
    if [ $st -eq 2 ] && [ "$(cat "$tmp/out")" = "$want" ]; then ok; else ko "clash $kind: exit $st: $(cat "$tmp/out")"; fi
    if [ -e "$tmp/clash.h5" ] || [ -e "$tmp/clash.h5.journal" ]; then ko "clash $kind: wrote output"; else ok; fi
done

report
