"""usim_results.scan - what the summaries need, from one pass over the rows.

The summary of usim-analyze and usim-report (counts, swept parameters,
each point's parameters and warm-up, per point and scalar n, mean and sd,
precision verdicts, failures, drift per task) is made of counts, firsts,
extremes and sums.  They are accumulated here over /results (or /runs
and /scalars), /runs and /drift read a block of rows at a time
(Results.results_blocks, Results.table_blocks), so that the memory a
summary takes does not grow with the number of runs: a file of 10^6
runs is read in blocks of BLOCK_ROWS rows like one of 10^4.

What is kept beyond the blocks: per point its counts, first row and
warm-up, per point and scalar a Moments (five numbers); the failed runs
only as counts, the first rows shown and the pilot runs (a few per
point); per task name of /drift its sums.  The one exception is the
precision target: its scalars' values at each point are kept (one float
per run and target scalar), because its verdicts use mean_ci over all of
them, as precision_table always did.

Every result is the same whatever the block size: the Moments and
ExactSum recurrences carry their state from block to block, everything
else is a count, a first or an extreme.
"""
import numpy as np
import pandas as pd

from .reader import STATUSES, status_column, text_column
from .stats import ExactSum, Moments

OK, PENDING, UNNEEDED = (STATUSES.index(s) for s in ("ok", "pending", "unneeded"))
FAILED = ["failed", "limit", "deadlock"]
FAILED_CODES = [STATUSES.index(s) for s in FAILED]


def precision_scalars(attrs):
    """The scalars of the precision target, from the root attributes."""
    ps = attrs.get("precision_scalars", [])
    return [ps] if isinstance(ps, str) else list(ps)


def _has_value(col):
    """Rows whose parameter value is known (a pending row has NaN or "")."""
    c = col.to_numpy()
    if c.dtype.kind == "f":
        return np.isfinite(c)
    if c.dtype.kind == "O":
        return c != ""
    return np.ones(len(c), dtype=bool)


def _add_counts(counts, keys):
    """counts[k] += how often k is in keys."""
    for k, n in zip(*np.unique(keys, return_counts=True)):
        counts[int(k)] = counts.get(int(k), 0) + int(n)


def _segments(keys):
    """The rows of each key, in their order: (key, index array) pairs in
    key order."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]]) if len(sk) else []
    ends = np.r_[starts[1:], len(sk)] if len(sk) else []
    return [(sk[a], order[a:b]) for a, b in zip(starts, ends)]


class Scan:
    """One pass over the wide table of a Results, block by block (see the
    module docstring).  Attributes:
        nrows        rows of the table
        counts       {status: rows of the experiment proper (not a pilot,
                     not unneeded) with that status}
        nmain, unneeded, pilots, pilots_ok    rows of each kind
        max_warmup   the largest warm-up of any row, at least 0
        swept        the parameters with more than one known value among
                     the non-pilot rows that are not pending
        first        DataFrame: the first such row of each point
        points       the points of the non-pilot rows
        warmups      {point: the warm-up of its first row that ran}
        ran, ok_runs {point: rows that ran / ended ok (experiment proper)}
        stats        {(point, scalar): (n, mean, sd) of its finite values
                     over the ok rows}
        values       {(point, scalar): [arrays]}: the values of the
                     precision target's scalars over the ok rows
        failed_spans [(start, stop)]: the blocks with a failed row (the
                     rows of /results are those of /runs): where
                     failure_blocks reads /runs
    """

    def __init__(self, res, rows=None):
        self.nrows = 0
        self.counts = {}
        self.nmain = self.unneeded = self.pilots = self.pilots_ok = 0
        self.max_warmup = 0.0
        self.points = set()
        self.warmups, self.ran, self.ok_runs = {}, {}, {}
        self.stats, self.values = {}, {}
        moments = {}
        self.failed_spans = []
        self._seen = set()  # the points of the first rows so far
        distinct = {p: set() for p in res.parameters}
        firsts = []
        scalars = [(s, res.scalar_columns[s]) for s in res.scalar_names]
        # A table already in memory (results() was called) has its moments
        # from one groupby below, as fast as pandas and bit for bit the same.
        whole = res._table
        target = [(s, res.scalar_columns[s]) for s in precision_scalars(res.attrs)
                  if s in res.scalar_columns]
        for b in res.results_blocks(rows):
            self._block(b, distinct, firsts, [] if whole is not None else scalars, target,
                        moments)
        self.stats = {k: (m.n, m.mean(), m.sd()) for k, m in moments.items()}
        if whole is not None and scalars:
            self._groupby(whole, scalars)
        self.swept = [p for p in res.parameters if len(distinct[p]) > 1]
        # (the first block's, empty, when no block has such a row)
        firsts = [f for f in firsts if len(f)] or firsts[:1]
        self.first = pd.concat(firsts) if len(firsts) > 1 else firsts[0]
        self.counts = {s: self.counts.get(k, 0) for k, s in enumerate(STATUSES)}

    def _groupby(self, df, scalars):
        pilot = df["pilot"].to_numpy(dtype=bool)
        code = df["status"].cat.codes.to_numpy()
        ok = ~pilot & (code == OK)
        values = df.loc[ok, [c for _, c in scalars]].to_numpy(dtype=float)
        values = np.where(np.isfinite(values), values, np.nan)
        names = [s for s, _ in scalars]
        g = pd.DataFrame(values, columns=names).groupby(df["point"].to_numpy()[ok])
        n, mean, sd = g.count(), g.mean(), g.std(ddof=1)
        for p in n.index:
            for s in names:
                k = int(n.at[p, s])
                self.stats[(int(p), s)] = (k, float(mean.at[p, s]) if k else float("nan"),
                                           float(sd.at[p, s]) if k > 1 else float("nan"))

    def _block(self, b, distinct, firsts, scalars, target, moments):
        self.nrows += len(b)
        code = b["status"].cat.codes.to_numpy()  # -1: a status of no category
        pilot = b["pilot"].to_numpy(dtype=bool)
        point = b["point"].to_numpy()
        main = ~pilot & (code != UNNEEDED)
        ok = main & (code == OK)
        _add_counts(self.counts, code[main])
        self.nmain += int(main.sum())
        self.unneeded += int((~pilot & (code == UNNEEDED)).sum())
        self.pilots += int(pilot.sum())
        self.pilots_ok += int((pilot & (code == OK)).sum())
        if np.isin(code, FAILED_CODES).any():
            self.failed_spans.append((int(b.index[0]), int(b.index[-1]) + 1))
        w = b["warmup"].to_numpy(dtype=float)
        self.max_warmup = max(self.max_warmup, float(np.nanmax(np.append(w, 0.0))))
        self.points.update(np.unique(point[~pilot]).tolist())

        # Parameters: a second distinct value makes one swept; the first
        # row of each point gives its values (as point_parameters reads them).
        known = ~pilot & (code != PENDING)
        for p, seen in distinct.items():
            if len(seen) < 2:
                col = b[p]
                seen.update(pd.unique(col[known & _has_value(col)]).tolist())
        rows = b[known].drop_duplicates("point")
        rows = rows[~rows["point"].isin(self._seen).to_numpy()]
        if len(rows) or not firsts:
            firsts.append(rows)
            self._seen.update(rows["point"].tolist())

        ran = main & (code != PENDING)
        _add_counts(self.ran, point[ran])
        _add_counts(self.ok_runs, point[ok])
        have = ran & np.isfinite(w)
        pts, at = np.unique(point[have], return_index=True)
        for p, k in zip(pts.tolist(), w[have][at].tolist()):
            self.warmups.setdefault(p, k)

        if not ok.any():
            return
        segs = _segments(point[ok])
        for s, col in scalars:
            v = b[col].to_numpy(dtype=float)[ok]
            for p, idx in segs:
                x = v[idx]
                m = moments.setdefault((int(p), s), Moments())
                m.add(x[np.isfinite(x)])
        for s, col in target:
            v = b[col].to_numpy(dtype=float)[ok]
            for p, idx in segs:
                self.values.setdefault((int(p), s), []).append(v[idx])

    def target_values(self, point, scalar):
        """The values of a target scalar over the ok rows of a point, in
        file order."""
        parts = self.values.get((point, scalar), [])
        return np.concatenate(parts) if parts else np.zeros(0)


def scan(res):
    """The Scan of a Results, made on first use and kept with it."""
    if getattr(res, "_scan", None) is None:
        res._scan = Scan(res)
    return res._scan


def failure_digest(res, keep):
    """The runs that ended failed, limit or deadlock, read from /runs in
    blocks, as {"counts": {status: n}, "pilots": n of them pilot runs,
    "total": n, "head": the first keep of them, "pilot_rows": every one
    that is a pilot run}; head and pilot_rows as DataFrames like failures()
    (run, point, replication, status, pilot, message)."""
    counts = {s: 0 for s in FAILED}
    pilots = 0
    head, pilot_rows = [], []
    kept = 0
    for block in failure_blocks(res):
        for s in FAILED:
            counts[s] += int((block["status"] == s).sum())
        pilots += int(block["pilot"].sum())
        if kept < keep or not head:
            head.append(block.iloc[:max(keep - kept, 0)])
            kept += len(head[-1])
        pilot_rows.append(block[block["pilot"].to_numpy()])
    return {"counts": counts, "pilots": pilots, "total": sum(counts.values()),
            "head": pd.concat(head, ignore_index=True),
            "pilot_rows": pd.concat(pilot_rows, ignore_index=True)}


def _failed_spans(res, rows=None):
    """The blocks of /runs with a failed row: those the Scan saw, else
    from the status column of /results (a third of a row of /runs to
    decompress) or /runs."""
    sc = getattr(res, "_scan", None)
    if sc is not None:
        return sc.failed_spans
    name = "results" if "results" in res.file else "runs"
    return [(a, a + len(raw)) for a, raw in res.table_blocks(name, ["status"], rows)
            if np.isin(raw["status"], [s.encode() for s in FAILED]).any()]


def failure_blocks(res, rows=None):
    """failures() of each block of /runs that has any (at least one
    block, maybe empty)."""
    names = res.file["runs"].dtype.names
    fields = [n for n in ("run", "point", "replication", "status", "pilot")
              if n in names]
    if "message" in names:
        fields.append("message")
    # The columns (the message 256 bytes a row) only of a block with a
    # failure, and only its failed rows kept.
    for a, b in _failed_spans(res, rows) or [(0, 0)]:
        r = res._read_rows("runs", a, b, fields)
        r = r[np.isin(r["status"], [s.encode() for s in FAILED])]
        out = pd.DataFrame({
            "run": r["run"].astype(np.int64), "point": r["point"].astype(np.int64),
            "replication": r["replication"].astype(np.int64),
            "status": status_column(r["status"]),
            "pilot": r["pilot"].astype(bool) if "pilot" in names
            else np.zeros(len(r), dtype=bool)})
        out["message"] = text_column(r["message"]) if "message" in names else ""
        yield out


class _Task:
    """The sums of the /drift rows of one task name."""

    __slots__ = ("runs", "last_run", "waits", "weighted", "max_abs", "final", "finals",
                 "overruns")

    def __init__(self):
        self.runs, self.last_run, self.waits, self.overruns = 0, None, 0, 0
        self.weighted, self.final = ExactSum(), ExactSum()
        self.max_abs, self.finals = float("nan"), 0


DRIFT_COLUMNS = ["task", "runs", "waits", "mean_abs", "max_abs", "final_mean", "overruns"]


def drift_groups(res, rows=None):
    """drift_groups (analysis) from /drift read in blocks: per task name
    (in name order) runs, waits, mean_abs (sum of mean * waits over the
    rows / waits), max_abs, final_mean (of the non-NaN finals) and
    overruns.  The sums are exact until the final division (ExactSum).
    runs counts each (run, task) once: the writer puts a run's rows
    together in run order, so a task's run changes from row to row at
    most once per run; a file whose runs are not in order has them
    counted by a second pass that collects the run ids."""
    if "drift" not in res.file:
        return pd.DataFrame([], columns=DRIFT_COLUMNS)
    tasks = {}
    ordered, last = True, -1
    fields = ["run", "task", "waits", "mean", "max_abs", "final", "overruns"]
    for _, d in res.table_blocks("drift", fields, rows):
        run = d["run"].astype(np.int64)
        if len(run):
            ordered = ordered and run[0] >= last and bool(np.all(run[1:] >= run[:-1]))
            last = int(run[-1])
        # (factorize: a hash of the names; sorting 64-byte strings is slower
        # than reading them)
        which, names = pd.factorize(d["task"])
        for k, idx in _segments(which):
            name = bytes(names[k]).decode("utf-8", "replace")
            t = tasks.setdefault(name, _Task())
            r = run[idx]
            t.runs += int(np.count_nonzero(r[1:] != r[:-1])) + int(r[0] != t.last_run)
            t.last_run = int(r[-1])
            waits = d["waits"][idx].astype(np.int64)
            t.waits += int(waits.sum())
            t.weighted.add(d["mean"][idx] * waits)
            m = d["max_abs"][idx]
            m = m[~np.isnan(m)]
            if len(m):
                t.max_abs = float(m.max()) if np.isnan(t.max_abs) else max(t.max_abs,
                                                                          float(m.max()))
            f = d["final"][idx]
            t.final.add(f)
            t.finals += int(np.count_nonzero(~np.isnan(f)))
            t.overruns += int(d["overruns"][idx].astype(np.int64).sum())
    if not ordered:
        ids = {}
        for _, d in res.table_blocks("drift", ["run", "task"], rows):
            for name in np.unique(d["task"]):
                r = np.unique(d["run"][d["task"] == name])
                key = name.decode("utf-8", "replace")
                ids[key] = np.union1d(ids.get(key, r[:0]), r)
        for name, t in tasks.items():
            t.runs = len(ids[name])
    out = []
    for name in sorted(tasks):
        t = tasks[name]
        out.append({"task": name, "runs": t.runs, "waits": t.waits,
                    "mean_abs": t.weighted.value() / t.waits if t.waits else float("nan"),
                    "max_abs": t.max_abs,
                    "final_mean": t.final.value() / t.finals if t.finals else float("nan"),
                    "overruns": t.overruns})
    return pd.DataFrame(out, columns=DRIFT_COLUMNS)
