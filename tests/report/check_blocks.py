#!/usr/bin/python3
"""check_blocks.py - the summaries of usim_results read in blocks of rows
against the same statistics of the whole tables, worked out here.

    check_blocks.py FILE ROWS

With USIM_RESULTS_BLOCK=ROWS (a block size that cuts the file into
several blocks: checked), the summaries that usim_results reads block by
block (usim_results.scan) must equal what the whole tables give, computed
here from results(), runs() and drift() at once:
  - summary(): n equal, mean and sd bit for bit those of a pandas groupby
    over all ok rows (Kahan mean, Welford variance: the same recurrences,
    so any state lost between blocks shows), the half-width from them;
    and equal to the summary of a Results whose table is in memory;
  - swept, point_parameters, point_warmups, precision_table (numpy over
    each point's values), settings;
  - failures() against the rows of runs() with a failed status, and
    failure_digest's counts, first rows and pilot rows;
  - drift_groups() against a groupby of drift(): integers equal, the
    means within 1e-12 relative (the blocked sums are exact, numpy's are
    pairwise: they may differ in the last bits, never more).
Prints "ok" or "ko TEXT" per check.
"""
import math
import os
import sys

import numpy as np
import pandas as pd

path, rows = sys.argv[1], int(sys.argv[2])
os.environ["USIM_RESULTS_BLOCK"] = str(rows)

import usim_results as ur  # noqa: E402
from usim_results import analysis  # noqa: E402
from usim_results.stats import mean_ci, t_quantile  # noqa: E402

FAILED = ["failed", "limit", "deadlock"]


def check(cond, what):
    print("ok" if cond else "ko %s: %s" % (os.path.basename(path), what))


def same(a, b):
    """Equal floats, bit for bit (NaN equal to NaN)."""
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                 math.copysign(1, b))


def close(a, b, rel=1e-12):
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= rel * max(abs(a), abs(b))


r = ur.open_results(path)
whole = r.results()  # the whole table (read at once, not in blocks)
nblocks = sum(1 for _ in ur.open_results(path).results_blocks())
check(nblocks >= 3 and nblocks == -(-len(whole) // rows),
      "%d rows in %d blocks of %d" % (len(whole), nblocks, rows))
# (a second Results, so that the summaries read the file, not the cached table)
b = ur.open_results(path)

pilot = whole["pilot"].to_numpy()
status = whole["status"].astype(str).to_numpy()
point = whole["point"].to_numpy()
main = ~pilot & (status != "unneeded")
ok = main & (status == "ok")
known = ~pilot & (status != "pending")

# swept and point_parameters: by hand over the known rows.
sw = []
for p in r.parameters:
    v = whole[p].to_numpy()
    have = known & (np.isfinite(v.astype(float)) if v.dtype.kind == "f" else
                    (v != "") if v.dtype.kind == "O" else np.ones(len(v), dtype=bool))
    if len(set(v[have].tolist())) > 1:
        sw.append(p)
check(b.swept == sw, "swept %s, want %s" % (b.swept, sw))
params = analysis.point_parameters(b)
want = {}
for i in np.flatnonzero(known):
    want.setdefault(int(point[i]), {p: whole[p].iat[i] for p in r.parameters})
check(sorted(params) == sorted(want) and all(
    params[k][p] == want[k][p] or (isinstance(want[k][p], float) and
                                   same(params[k][p], want[k][p]))
    for k in want for p in r.parameters), "point_parameters %s, want %s" % (params, want))

# summary(): pandas groupby over all ok rows at once.
conf = b.settings()["confidence"]
su = b.summary(conf)
cols = [r.scalar_columns[s] for s in r.scalar_names]
values = whole.loc[ok, cols].to_numpy(dtype=float) if cols else np.zeros((ok.sum(), 0))
values = np.where(np.isfinite(values), values, np.nan)
g = pd.DataFrame(values, columns=r.scalar_names).groupby(point[ok])
n, mean, sd = g.count(), g.mean(), g.std(ddof=1)
bad = []
for _, row in su.iterrows():
    p, s = int(row["point"]), row["scalar"]
    k = int(n.at[p, s]) if p in n.index else 0
    m = mean.at[p, s] if k else float("nan")
    d = sd.at[p, s] if k > 1 else float("nan")
    h = t_quantile((1 + conf) / 2, k - 1) * d / math.sqrt(k) if k > 1 else float("nan")
    if not (row["n"] == k and same(row["mean"], m) and same(row["sd"], d) and
            close(row["half_width"], h, 1e-15)):
        bad.append("point %d %s: n %d mean %r sd %r, want %d %r %r" % (
            p, s, row["n"], row["mean"], row["sd"], k, m, d))
check(len(su) == len(want) * len(r.scalar_names) and not bad,
      "summary: %d rows; %s" % (len(su), "; ".join(bad[:4])))
# The same from a Results whose whole table is in memory (one groupby).
check(r.summary(conf).equals(su), "summary with results() read differs")

# point_warmups: the first finite warm-up of a point's rows that ran.
exp = b.settings()
ran = main & (status != "pending")
w = whole["warmup"].to_numpy()
pw = {}
for p in sorted(set(point[~pilot].tolist())):
    v = w[ran & (point == p)]
    v = v[np.isfinite(v)]
    pw[p] = float(v[0]) if len(v) else float("nan") if exp["warmup_method"] == "mser5" \
        else exp["warmup"]
got = b.point_warmups()
check(sorted(got) == sorted(pw) and all(same(got[p], pw[p]) for p in pw),
      "point_warmups %s, want %s" % (got, pw))

# precision_table: mean_ci of each point's ok values at once.
pt = b.precision_table()
bad = []
for e in pt:
    here = ok & (point == e["point"])
    v = whole[r.scalar_columns[e["scalar"]]].to_numpy(dtype=float)[here] \
        if e["scalar"] in r.scalar_columns else np.zeros(0)
    m, h, k = mean_ci(v, exp["confidence"])
    if not (e["n"] == k and same(e["mean"], m) and same(e["half_width"], h)):
        bad.append("point %d %s" % (e["point"], e["scalar"]))
check(len(pt) == len(set(point[~pilot].tolist())) * len(exp["precision_scalars"])
      and not bad, "precision_table: %s" % bad)

# failures: the failed rows of the whole /runs.
runs = r.runs()
fb = runs["status"].isin(FAILED).to_numpy()
fw = runs.loc[fb, ["run", "point", "replication", "status", "pilot"]].reset_index(drop=True)
fw["message"] = runs.loc[fb, "message"].to_numpy() if "message" in runs else ""
fl = b.failures()
check(fl.equals(fw) and list(fl.dtypes) == list(fw.dtypes),
      "failures: %d rows, want %d" % (len(fl), len(fw)))
dg = analysis.failure_digest(b, 4)
check(dg["total"] == len(fw) and dg["pilots"] == int(fw["pilot"].sum())
      and all(dg["counts"][s] == int((fw["status"] == s).sum()) for s in FAILED)
      and dg["head"].equals(fw.head(4))
      and dg["pilot_rows"].equals(fw[fw["pilot"]].reset_index(drop=True)),
      "failure_digest %s" % {k: dg[k] for k in ("counts", "pilots", "total")})

# drift_groups: a groupby of the whole /drift.
d = r.drift()
want = []
for task, gr in d.groupby("task", sort=True):
    waits = int(gr["waits"].sum())
    want.append((task, int(gr["run"].nunique()), waits,
                 float((gr["mean"] * gr["waits"]).sum() / waits) if waits else float("nan"),
                 float(gr["max_abs"].max()), float(gr["final"].mean()),
                 int(gr["overruns"].sum())))
got = ur.drift_groups(b)
check(len(got) == len(want) and all(
    (x["task"], x["runs"], x["waits"], x["overruns"]) == (t, k, wt, o)
    and close(x["mean_abs"], ma) and same(x["max_abs"], mx) and close(x["final_mean"], fm)
    for (_, x), (t, k, wt, ma, mx, fm, o) in zip(got.iterrows(), want)),
    "drift_groups %s, want %s" % (got.to_dict("records"), want))
