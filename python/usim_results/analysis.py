"""usim_results.analysis - the statistics of an experiment file.

What usim-analyze and usim-report print, as functions of a Results (or a
path): per-point means and intervals, failures, warm-ups, precision
verdicts, paired differences and per-run fingerprints.  Only the
experiment proper counts: pilot runs (MSER-5 warm-up estimates) never
enter a mean, interval, difference or failure count of a point, and a
slot a precision target did not need (status "unneeded") never ran.

The summaries (swept, settings, point_parameters, summary, failures,
point_warmups, precision_table, drift_groups) read the file in blocks of
rows (usim_results.scan): their memory does not grow with the number of
runs.  paired_diff and fingerprints read whole tables.
"""
import hashlib

import numpy as np
import pandas as pd

from . import scan as _scan
from .stats import mean_ci, t_quantile


def _open(source):
    """A Results from a Results or a path (the caller's to keep open)."""
    from .reader import Results
    return source if isinstance(source, Results) else Results(source)


def scan(res):
    """The one pass over the rows of a file that the summaries share: a
    usim_results.scan.Scan, made once and kept with the Results."""
    return _scan.scan(_open(res))


def main_mask(df):
    """Rows of the experiment proper: not a pilot, not an unneeded slot."""
    return ~df["pilot"].to_numpy() & (df["status"] != "unneeded").to_numpy()


def ok_mask(df):
    return ~df["pilot"].to_numpy() & (df["status"] == "ok").to_numpy()


def swept(res):
    """The parameters with more than one value among non-pilot rows."""
    return list(_scan.scan(res).swept)


def settings(res):
    """Warm-up and precision target of the experiment: the root attributes
    of format 4 and later, or what formats 2 and 3 imply (a fixed warm-up
    at most, no pilots, no target)."""
    a = res.attrs
    warmup = float(a.get("warmup", 0.0))
    if "warmup" not in a and res.nrows:
        warmup = _scan.scan(res).max_warmup
    method = str(a.get("warmup_method", "fixed" if warmup > 0 else "none"))
    confidence = float(a.get("precision_confidence", 0.95))
    if not 0 < confidence < 1:  # NaN or out of range: the default level
        confidence = 0.95
    return {
        "warmup": warmup,
        "warmup_method": method,
        "warmup_trace": str(a.get("warmup_trace", "")),
        "pilot_replications": int(a.get("pilot_replications", 0)),
        "shard_by": str(a.get("shard_by", "run")),
        "precision_scalars": _scan.precision_scalars(a),
        "half_width": float(a.get("precision_half_width", float("nan"))),
        "relative_half_width": float(a.get("precision_relative_half_width", float("nan"))),
        "confidence": confidence,
        "min_replications": int(a.get("precision_min_replications", 0)),
        "max_replications": int(a.get("precision_max_replications", 0)),
    }


def point_parameters(res):
    """{point: {parameter: value}} of every point of the experiment proper
    that has a row with known values (the first such row)."""
    first = _scan.scan(res).first.drop_duplicates("point").sort_values("point")
    out = {}
    for _, r in first.iterrows():
        out[int(r["point"])] = {p: r[p] for p in res.parameters}
    return out


def summary(res, confidence=0.95):
    """Per point and scalar: point, <swept parameters>, scalar, n, mean,
    sd, half_width over the non-pilot ok runs with a finite value (the
    half-width of the two-sided CI at that confidence, Student t with
    n - 1 df; NaN for n < 2).  Every point with a run that ran is there
    (n = 0 if none ended ok), in point order, scalars in declared order."""
    res = _open(res)
    sc = _scan.scan(res)
    sw = list(sc.swept)
    params = point_parameters(res)
    none = (0, float("nan"), float("nan"))
    rows = []
    for point in sorted(params):
        for s in res.scalar_names:
            k, m, d = sc.stats.get((point, s), none)
            h = t_quantile((1.0 + confidence) / 2.0, k - 1) * d / np.sqrt(k) if k > 1 \
                else float("nan")
            row = {"point": point}
            row.update({p: params[point][p] for p in sw})
            row.update({"scalar": s, "n": k, "mean": m, "sd": d, "half_width": h})
            rows.append(row)
    out = pd.DataFrame(rows, columns=["point"] + sw + ["scalar", "n", "mean", "sd",
                                                        "half_width"])
    out["n"] = out["n"].astype(np.int64)
    out.attrs["units"] = {s: res.units.get(s, "") for s in res.scalar_names}
    out.attrs["confidence"] = confidence
    return out


def failures(res):
    """The runs that ended failed, limit or deadlock: run, point,
    replication, status, pilot, message (pilots included, flagged)."""
    res = _open(res)
    return pd.concat(_scan.failure_blocks(res), ignore_index=True)


def failure_digest(res, keep=100):
    """The failures as {"counts": {status: n}, "pilots", "total", "head":
    the first keep rows, "pilot_rows": every failed pilot run} (see
    usim_results.scan.failure_digest)."""
    return _scan.failure_digest(_open(res), keep)


def point_warmups(source):
    """{point: the warm-up time its runs used}, from the warmup column of
    the point's runs that ran (format 4; the same value within a point),
    else the root attribute: one fixed warm-up for all (formats 2 and 3).
    NaN for a point whose warm-up is not known yet (MSER-5 before any of
    its main runs ran)."""
    res = _open(source)
    sc = _scan.scan(res)
    exp = settings(res)
    out = {}
    for p in sorted(sc.points):
        # (formats 2 and 3: the column holds the root attribute's warm-up)
        if p in sc.warmups:
            out[int(p)] = sc.warmups[p]
        elif exp["warmup_method"] == "mser5":
            out[int(p)] = float("nan")
        else:
            out[int(p)] = exp["warmup"]
    return out


def precision_target(exp, mean):
    """The half-width a point must reach: the absolute target, the relative
    one times |mean|, the larger if both (meeting either is enough)."""
    targets = [t for t in (exp["half_width"], exp["relative_half_width"] * abs(mean))
               if np.isfinite(t)]
    return max(targets) if targets else float("nan")


def precision_table(source):
    """The precision target per sweep point and target scalar: a list of
    {point, scalar, n, mean, half_width, target, verdict}, over the runs
    that ended ok with a finite value (never a pilot).  half_width is that
    of the CI at the target's confidence; verdict "met" when it is at most
    the target, else "max reached" when the point ran its maximum of
    replications (ok or failed), else "short".  Empty without a target."""
    res = _open(source)
    exp = settings(res)
    if not exp["precision_scalars"]:
        return []
    sc = _scan.scan(res)
    table = []
    for p in sorted(sc.points):
        ran = sc.ran.get(p, 0)
        for name in exp["precision_scalars"]:
            if name in res.scalar_columns:
                m, h, n = mean_ci(sc.target_values(p, name), exp["confidence"])
            else:
                m, h, n = float("nan"), float("nan"), 0
            target = precision_target(exp, m)
            if n >= 2 and h <= target:
                verdict = "met"
            elif exp["max_replications"] and ran >= exp["max_replications"]:
                verdict = "max reached"
            else:
                verdict = "short"
            table.append({"point": int(p), "scalar": name, "n": n, "mean": m,
                          "half_width": h, "target": target, "verdict": verdict})
    return table


def paired_diff(results, p, q, confidence=0.95):
    """Paired differences Q - P of every scalar between sweep points p and q.

    results: a Results or a path.  Replication r of q is paired with
    replication r of p; a pair counts if both runs ended ok and both
    values are finite (pilot runs never count).  Returns {scalar: (mean,
    half-width of the CI at that confidence by Student t with n-1 df, n
    pairs)}; ValueError for a point the file does not have."""
    res = _open(results)
    df = res._results()
    pilot = df["pilot"].to_numpy()
    point = df["point"].to_numpy()
    ok = (df["status"] == "ok").to_numpy()
    rep = df["replication"].to_numpy()
    by_rep = {}
    for x in (p, q):
        if not np.any(~pilot & (point == x)):
            raise ValueError("no sweep point %d in %s (points 0..%d)" % (
                x, res.path, int(res.attrs.get("npoints", 0)) - 1))
        rows = np.nonzero(~pilot & (point == x) & ok)[0]
        by_rep[x] = pd.Series(rows, index=rep[rows])
    reps = sorted(set(by_rep[p].index) & set(by_rep[q].index))
    rp, rq = by_rep[p][reps].to_numpy(), by_rep[q][reps].to_numpy()
    out = {}
    for s in res.scalar_names:
        v = df[res.scalar_columns[s]].to_numpy(dtype=float)
        out[s] = mean_ci(v[rq] - v[rp], confidence)
    return out



def diff_lines(results, p, q, confidence=0.95):
    """The paired differences of paired_diff as printed lines: a header
    naming the points, the pairing and the random-numbers mode, then one
    line per scalar (mean +- half-width, n pairs)."""
    mode = str(results.attrs.get("random_numbers", "independent"))
    d = paired_diff(results, p, q, confidence)
    level = "" if confidence == 0.95 else ", %g%% CI" % (100 * confidence)
    lines = ["point %d - point %d, paired by replication (random numbers %s%s):"
             % (q, p, mode, level)]
    for name in results.scalar_names:
        m, h, n = d[name]
        lines.append("  %-24s %14.6g +- %-12.4g (n=%d)" % (name, m, h, n))
    return lines

def drift_groups(res):
    """The drift per task name over all runs: a DataFrame task, runs,
    waits, mean_abs (mean |drift| per wait, weighted by waits), max_abs,
    final_mean, overruns."""
    return _scan.drift_groups(res)


def fingerprints(source):
    """{run: SHA-256 hex digest} over what the run produced: its status,
    its scalars (the bytes of their float64 values, NaN included), its
    drift rows and its samples of every trace (float64 t and value).  Two
    files whose runs have equal digests hold bit-identical results."""
    res = _open(source)
    runs = res._raw_runs()
    ids = runs["run"]
    status = runs["status"]
    values = np.ascontiguousarray(res.scalar_matrix(), dtype="<f8")
    # Rows of a run are contiguous in /drift and in each trace; any order is
    # handled by a stable sort on the run.
    parts = []
    if "drift" in res.file:
        d = res.file["drift"][()]
        parts.append(("drift", d, d["run"]))
    for name in res.trace_names:
        if "traces/" + name in res.file:
            tr = res.file["traces/" + name][()]
            tv = np.empty((len(tr), 2), dtype="<f8")
            tv[:, 0], tv[:, 1] = tr["t"], tr["value"]
            parts.append(("trace " + name, tv, tr["run"]))
    spans = []
    for label, data, run in parts:
        order = np.argsort(run, kind="stable")
        data = data[order]
        srun = run[order]
        lo = np.searchsorted(srun, ids, side="left")
        hi = np.searchsorted(srun, ids, side="right")
        spans.append((label.encode(), data, lo, hi))
    out = {}
    for i in range(len(runs)):
        h = hashlib.sha256()
        h.update(bytes(status[i]).rstrip(b"\0"))
        h.update(b"\0scalars\0")
        h.update(values[i].tobytes())
        for label, data, lo, hi in spans:
            h.update(b"\0" + label + b"\0")
            h.update(data[lo[i]:hi[i]].tobytes())
        out[int(ids[i])] = h.hexdigest()
    return out


def settings_lines(res):
    """The warm-up and the precision target as the lines usim-analyze and
    usim-report print before the table (none when the experiment has
    neither): the method, each point's own warm-up after MSER-5 (or after
    a fixed one that is not the same at all points), the target."""
    exp = settings(res)
    lines = []
    if exp["warmup_method"] == "fixed":
        lines.append("warm-up: fixed at %g" % exp["warmup"])
    elif exp["warmup_method"] == "mser5":
        lines.append("warm-up: MSER-5 on trace %s from %d pilot runs per point" % (
            exp["warmup_trace"], exp["pilot_replications"]))
    elif exp["warmup_method"] != "none":
        lines.append("warm-up: %s" % exp["warmup_method"])
    warmups = point_warmups(res)
    if exp["warmup_method"] not in ("none", "fixed") or (
            exp["warmup_method"] == "fixed" and set(warmups.values()) - {exp["warmup"]}):
        for point, w in sorted(warmups.items()):
            lines.append("  point %d: %s" % (point, "not known yet" if np.isnan(w)
                                               else "%g" % w))
    if exp["precision_scalars"]:
        within = []
        if np.isfinite(exp["half_width"]):
            within.append("+-%g (absolute)" % exp["half_width"])
        if np.isfinite(exp["relative_half_width"]):
            within.append("+-%g%% (relative)" % (100 * exp["relative_half_width"]))
        lines.append("precision: %s within %s at %g%% confidence, %d to %d replications" % (
            ", ".join(exp["precision_scalars"]), " or ".join(within) or "(no target)",
            100 * exp["confidence"], exp["min_replications"], exp["max_replications"]))
    return lines
