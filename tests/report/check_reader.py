#!/usr/bin/python3
"""check_reader.py - usim_results against the raw datasets of one file.

    PYTHONPATH=python check_reader.py FILE.h5

Every table of usim_results.Results, worked out a second way here: row by
row with h5py and plain Python from /runs, /scalars, /drift, /traces and,
when the file's format_version is 5, /results and the type, unit and help
attributes.  Prints "ok" or "ko TEXT" per check (tests/report/reader.sh
counts them).
"""
import importlib.util
import math
import sys

import h5py
import numpy as np

import usim_results as ur

STATUSES = ["ok", "failed", "limit", "deadlock", "pending", "unneeded"]
FIXED = ["run", "point", "replication", "status", "pilot", "warmup"]


def check(cond, what):
    print("ok" if cond else "ko " + what)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def same(a, b):
    """Equal, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def all_str(col):
    return all(type(x) is str for x in col)


_t_cache = {}


def t_quantile_numeric(p, df):
    """The Student t quantile by numerical integration of the density
    (trapezoids on a fine grid) and bisection: a second method."""
    key = (p, df)
    if key in _t_cache:
        return _t_cache[key]
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def cdf(t):
        x = np.linspace(0.0, t, 200001)
        return 0.5 + np.trapz(c * (1 + x * x / df) ** (-(df + 1) / 2), x)
    lo, hi = 0.0, 1.0
    while cdf(hi) < p:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    _t_cache[key] = (lo + hi) / 2
    return _t_cache[key]


def main(path):
    f = h5py.File(path, "r")
    fmt = int(f.attrs["format_version"])
    r = ur.open_results(path)
    check(r.format == fmt, "format %r, file %d" % (r.format, fmt))

    # Attributes: texts as str, string arrays as lists of str.
    for k, v in f.attrs.items():
        got = r.attrs[k]
        if isinstance(v, (bytes, str)):
            check(type(got) is str and got == text(v), "attr %s: %r" % (k, got))
        elif isinstance(v, np.ndarray) and v.dtype.kind in "OS":
            check(type(got) is list and all_str(got) and got == [text(x) for x in v],
                  "attr %s: %r" % (k, got))
        elif isinstance(v, h5py.Empty):
            check(got == [], "attr %s (empty): %r" % (k, got))
        elif np.ndim(v) == 0:
            check(type(got) in (int, float, bool) and same(float(got), float(v)),
                  "attr %s: %r, file %r" % (k, got, v))
    params = [text(p) for p in f.attrs["parameters"]]
    scalars = [text(s) for s in f.attrs["scalars"]]
    traces = [text(t) for t in f.attrs["traces"]]
    check(r.parameters == params and r.scalar_names == scalars and r.trace_names == traces
          and all_str(r.parameters + r.scalar_names + r.trace_names), "names")
    types = [text(t) for t in f.attrs["parameter_types"]] if fmt >= 5 else [""] * len(params)
    check(r.parameter_types == dict(zip(params, types)), "parameter_types %r"
          % r.parameter_types)
    # Units and help: the attributes of format 5, "" before.
    for kind, names in (("parameter", params), ("scalar", scalars), ("trace", traces)):
        for k, n in enumerate(names):
            u = text(f.attrs[kind + "_units"][k]) if fmt >= 5 else ""
            h = text(f.attrs[kind + "_help"][k]) if fmt >= 5 else ""
            check(r.units.get(n) == u and r.help.get(n) == h and type(r.units[n]) is str,
                  "%s %s: units %r help %r, want %r %r" % (kind, n, r.units.get(n),
                                                            r.help.get(n), u, h))

    runs = f["runs"][()]
    names = runs.dtype.names
    value = {(int(x), text(n)): float(v) for x, n, v in f["scalars"][()]}
    scol = {s: ("scalar_" + s if s in FIXED or s in params else s) for s in scalars}
    if fmt >= 5:
        check(all(scol[s] == s for s in scalars), "format 5 has no clashing names")

    # results(): one row per /runs row, same order.
    df = r.results()
    check(len(df) == len(runs), "results: %d rows, /runs %d" % (len(df), len(runs)))
    check(list(df.columns) == FIXED + params + [scol[s] for s in scalars],
          "results columns %s" % list(df.columns))
    check(str(df["status"].dtype) == "category" and
          list(df["status"].cat.categories) == STATUSES, "status categorical")
    check(df["pilot"].dtype == np.bool_ and df["warmup"].dtype == np.float64 and
          all(df[c].dtype == np.int64 for c in ("run", "point", "replication")),
          "fixed column dtypes %s" % df.dtypes.to_dict())
    raw5 = f["results"][()] if fmt >= 5 else None
    bad = []
    for i, row in enumerate(runs):
        want = {"run": int(row["run"]), "point": int(row["point"]),
                "replication": int(row["replication"]), "status": text(row["status"]),
                "pilot": bool(row["pilot"]) if "pilot" in names else False,
                "warmup": float(row["warmup"]) if "warmup" in names
                else float(f.attrs.get("warmup", 0.0))}
        for p, t in zip(params, types):
            if fmt >= 5:
                v = raw5[i][p]
                want[p] = text(v) if isinstance(v, bytes) else \
                    bool(v) if t == "bool" else int(v) if t == "int" else float(v)
            else:
                v = row[p]
                want[p] = text(v) if isinstance(v, bytes) else float(v)
        for s in scalars:
            want[scol[s]] = value[(want["run"], s)]
            if fmt >= 5:
                check(same(float(raw5[i][s]), want[scol[s]]), "/results %s row %d" % (s, i))
        for c, w in want.items():
            g = df[c].iloc[i]
            g = g.item() if hasattr(g, "item") else g
            if not same(g, w) or type(g) is not type(w):
                bad.append("row %d %s: %r (%s), want %r" % (i, c, g, type(g).__name__, w))
    check(not bad, "results: %s" % "; ".join(bad[:5]))
    for p, t in zip(params, types):
        want = {"int": np.int64, "bool": np.bool_}.get(t)
        if runs.dtype[p].kind == "S" or t in ("choice", "dist"):
            check(df[p].dtype == object and all_str(df[p]), "%s: str column" % p)
        elif want is not None:
            check(df[p].dtype == want, "%s: dtype %s, want %s" % (p, df[p].dtype, want))
        else:
            check(df[p].dtype == np.float64, "%s: dtype %s" % (p, df[p].dtype))
    units = {p: r.units[p] for p in params}
    units.update({scol[s]: r.units[s] for s in scalars})
    check(df.attrs["units"] == units, "results units %r" % df.attrs["units"])

    # runs(): every /runs column, texts as str.
    rd = r.runs()
    check(set(names) <= set(rd.columns) and len(rd) == len(runs), "runs columns")
    check(all_str(rd["message"]) and
          list(rd["message"]) == [text(m) for m in runs["message"]], "runs messages")
    for c in ("end_time", "wall_s"):
        check(np.array_equal(rd[c].to_numpy(), runs[c], equal_nan=True), "runs " + c)
    check(list(rd["events"]) == [int(e) for e in runs["events"]], "runs events")

    # scalars(): the long table as it is.
    sc = r.scalars()
    raw = f["scalars"][()]
    check(list(sc["run"]) == [int(x) for x in raw["run"]] and all_str(sc["name"]) and
          list(sc["name"]) == [text(n) for n in raw["name"]] and
          np.array_equal(sc["value"].to_numpy(), raw["value"], equal_nan=True), "scalars()")

    # drift(): row by row.
    dr = r.drift()
    raw = f["drift"][()]
    check(len(dr) == len(raw) and all_str(dr["task"]), "drift rows")
    check(all(int(dr["run"].iloc[i]) == int(raw[i]["run"]) and dr["task"].iloc[i] ==
              text(raw[i]["task"]) and all(same(float(dr[c].iloc[i]), float(raw[i][c]))
                                           for c in ("waits", "requested", "actual", "mean",
                                                     "max_abs", "final", "overruns"))
              for i in range(len(raw))), "drift values")

    # drift_hist(): the nonzero counts of /drift_hist, cell by cell, with the
    # bin edges 2^(k - 33) ticks (k >= 1; 0 for bin 0) of the resolution.
    dh = r.drift_hist()
    if "drift_hist" in f:
        raw = f["drift_hist"][()]
        cells = {(int(row["run"]), k): int(c) for row in raw
                 for k, c in enumerate(row["count"]) if c}
        got = {(int(a), int(b)): int(c) for a, b, c in zip(dh["run"], dh["bin"], dh["count"])}
        res = float(f.attrs["resolution"])
        check(got == cells and len(cells) > 0, "drift_hist counts")
        check(all(lo == (0.0 if k == 0 else 2.0 ** (k - 33) * res) and
                  (hi == 2.0 ** (k - 32) * res if k < 63 else hi == float("inf"))
                  for k, lo, hi in zip(dh["bin"], dh["low"], dh["high"])), "drift_hist edges")
    else:
        check(len(dh) == 0, "no drift_hist before format 5")

    # trace(name) and to_xarray(name).
    where = {int(row["run"]): (int(row["point"]), int(row["replication"])) for row in runs}
    for t in traces:
        raw = f["traces/" + t][()]
        tr = r.trace(t)
        check(len(tr) == len(raw) and
              np.array_equal(tr["t"].to_numpy(), raw["t"]) and
              np.array_equal(tr["value"].to_numpy(), raw["value"], equal_nan=True) and
              list(tr["run"]) == [int(x) for x in raw["run"]], "trace %s samples" % t)
        check(all((int(p), int(q)) == where[int(x)] for x, p, q in
                  zip(raw["run"], tr["point"], tr["replication"])), "trace %s points" % t)
        check(tr.attrs["units"] == {"value": r.units[t]}, "trace %s units" % t)
        if importlib.util.find_spec("xarray") is None:
            continue
        ds = r.to_xarray(t)
        per = {}
        for x, tt, v in raw:
            per.setdefault(int(x), []).append((tt, v))
        okx = list(ds["run"].values) == sorted(per, key=list(per).index)
        for k, x in enumerate(ds["run"].values):
            s = per[int(x)]
            n = len(s)
            okx &= np.array_equal(ds["t"].values[k, :n], [a for a, _ in s])
            okx &= np.array_equal(ds["value"].values[k, :n], [b for _, b in s], equal_nan=True)
            okx &= bool(np.isnan(ds["t"].values[k, n:]).all())
            okx &= (int(ds["point"].values[k]), int(ds["replication"].values[k])) == where[x]
        check(okx and ds["value"].attrs["units"] == r.units[t], "to_xarray %s" % t)

    # swept, summary(): by hand over the non-pilot ok runs.
    status = [text(s) for s in runs["status"]]
    pilot = [bool(p) for p in runs["pilot"]] if "pilot" in names else [False] * len(runs)
    known = {}
    for i in range(len(runs)):
        if pilot[i] or status[i] == "pending":
            continue
        for p in params:
            v = df[p].iloc[i]
            if isinstance(v, str) and v == "" or isinstance(v, float) and math.isnan(v):
                continue
            known.setdefault(p, set()).add(v)
    sw = [p for p in params if len(known.get(p, ())) > 1]
    check(r.swept == sw, "swept %s, want %s" % (r.swept, sw))
    for conf in (0.95, 0.9):
        su = r.summary(conf)
        got = {(int(x["point"]), x["scalar"]): x for _, x in su.iterrows()}
        points = sorted({int(runs["point"][i]) for i in range(len(runs))
                         if not pilot[i] and status[i] not in ("pending", "unneeded")})
        check(sorted({k[0] for k in got}) == points, "summary points %s" % sorted(got))
        check(list(su.columns) == ["point"] + sw + ["scalar", "n", "mean", "sd", "half_width"],
              "summary columns %s" % list(su.columns))
        bad = []
        for p in points:
            for s in scalars:
                v = np.array([value[(int(runs["run"][i]), s)] for i in range(len(runs))
                              if int(runs["point"][i]) == p and status[i] == "ok"
                              and not pilot[i]])
                v = v[np.isfinite(v)]
                x = got[(p, s)]
                if int(x["n"]) != len(v):
                    bad.append("%d %s n %d, want %d" % (p, s, x["n"], len(v)))
                    continue
                if len(v) >= 1 and not np.isclose(x["mean"], v.mean(), rtol=1e-12, atol=0):
                    bad.append("%d %s mean %r, want %r" % (p, s, x["mean"], v.mean()))
                if len(v) >= 2:
                    h = t_quantile_numeric((1 + conf) / 2, len(v) - 1) * v.std(ddof=1) / \
                        math.sqrt(len(v))
                    if not np.isclose(x["half_width"], h, rtol=1e-7, atol=1e-300):
                        bad.append("%d %s half-width %r, want %r" % (p, s, x["half_width"], h))
                    if not np.isclose(x["sd"], v.std(ddof=1), rtol=1e-12):
                        bad.append("%d %s sd" % (p, s))
                elif not math.isnan(x["half_width"]):
                    bad.append("%d %s half-width of n=%d: %r" % (p, s, len(v), x["half_width"]))
        check(not bad, "summary(%g): %s" % (conf, "; ".join(bad[:5])))

    # failures(): the failed, limit and deadlock rows.
    fl = r.failures()
    want = [(int(runs["run"][i]), status[i], pilot[i], text(runs["message"][i]))
            for i in range(len(runs)) if status[i] in ("failed", "limit", "deadlock")]
    check([(int(a), b, bool(c), d) for a, b, c, d in
           zip(fl["run"], fl["status"], fl["pilot"], fl["message"])] == want,
          "failures %s, want %s" % (fl.to_dict("records")[:3], want[:3]))

    # fingerprints: one per run, stable across a second open.
    fp = r.fingerprints()
    check(sorted(fp) == sorted(int(x) for x in runs["run"]) and
          all(len(d) == 64 for d in fp.values()), "fingerprints keys")
    with ur.open_results(path) as again:
        check(again.fingerprints() == fp, "fingerprints stable")
    r.close()


if __name__ == "__main__":
    main(sys.argv[1])
