"""usim_results.reader - a usim-batch output file as pandas tables.

Results wraps one open file: its root attributes decoded, and every table
(/results or /runs + /scalars, /drift, /traces) as a DataFrame whose texts
are str, status a Categorical, and numbers typed as far as the file says.
All column work is vectorised: a file of 10^5 runs reads in a second or
two (the /scalars rows are run-major, so the values are one reshape).
results_blocks() gives the same table in blocks of rows, for statistics
whose memory must not grow with the number of runs (usim_results.scan).
"""
import os

import h5py
import numpy as np
import pandas as pd

from .errors import FormatTooNewError, NotUsimFileError, ResultsError

# The formats this reader knows: 2 (numbers only), 3 (choice and
# distribution labels), 4 (pilot runs, warm-ups, unneeded slots) and 5
# (/results, types, units and help).
MIN_FORMAT, MAX_FORMAT = 2, 5
STATUSES = ["ok", "failed", "limit", "deadlock", "pending", "unneeded"]
FIXED = ["run", "point", "replication", "status", "pilot", "warmup"]

# Rows per block of results_blocks() and of the summaries read with it:
# 16384 rows of /results are 2 MB (and the summary's working copies of
# them about 15 MB), whatever the number of runs, and the blocks are big
# enough that their per-block cost does not show (60 blocks for 10^6 runs).  The
# environment variable USIM_RESULTS_BLOCK sets another size (the tests
# force many blocks on a small file with it).
BLOCK_ROWS = 16384


def block_rows(rows=None):
    """The rows per block: rows if given, else USIM_RESULTS_BLOCK if set,
    else BLOCK_ROWS.  ValueError for anything but a positive whole number."""
    if rows is None:
        env = os.environ.get("USIM_RESULTS_BLOCK", "")
        if not env:
            return BLOCK_ROWS
        try:
            rows = int(env)
        except ValueError:
            raise ValueError("USIM_RESULTS_BLOCK=%s: not a whole number of rows" % env) \
                from None
        what = "USIM_RESULTS_BLOCK=%s" % env
    else:
        what = "block of %r rows" % (rows,)
    if not isinstance(rows, (int, np.integer)) or isinstance(rows, bool) or rows < 1:
        raise ValueError("%s: the rows per block must be at least 1" % what)
    return int(rows)


def decode(v):
    """An attribute value as plain Python: str for texts, int / float /
    bool for numbers, a list for an array (an empty array: [])."""
    if isinstance(v, h5py.Empty):
        return []
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        return [decode(x) for x in v.tolist()] if v.ndim else decode(v[()])
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def text_column(col):
    """A fixed-length byte-string column as an object array of str: each
    distinct value decoded once (a column of 10^5 labels has a handful)."""
    col = np.asarray(col)
    if col.dtype.kind == "U":
        return col.astype(object)
    if col.dtype.kind == "O":
        return np.array([decode(x) for x in col], dtype=object)
    uniq, inverse = np.unique(col, return_inverse=True)
    names = np.array([u.decode("utf-8", "replace") for u in uniq.tolist()], dtype=object)
    return names[inverse.reshape(-1)] if len(col) else np.array([], dtype=object)


def status_column(col):
    """The status column as a Categorical of the six statuses."""
    return pd.Categorical(text_column(col), categories=STATUSES)


def list_attr(attrs, key, n=None):
    """A string-array attribute as a list of str, padded with "" to n
    entries (an attribute a format does not have: all "")."""
    v = decode(attrs.get(key, []))
    v = [v] if isinstance(v, str) else [str(x) for x in v]
    if n is not None:
        v = (v + [""] * n)[:n]
    return v


def open_results(path):
    """Open a usim-batch output file: a Results (also a context manager)."""
    return Results(path)


class Results:
    """One usim-batch output file, open for reading (see the package
    docstring for the API)."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError("%s: no such file" % self.path)
        if os.path.isdir(self.path):
            raise NotUsimFileError("%s: is a directory, not a usim-batch output file"
                                   % self.path)
        if not os.access(self.path, os.R_OK):
            raise PermissionError("%s: not readable (permission denied)" % self.path)
        if not h5py.is_hdf5(self.path):
            raise NotUsimFileError("%s: not an HDF5 file (not a usim-batch output file)"
                                   % self.path)
        try:
            self.file = h5py.File(self.path, "r")
        except OSError as e:
            raise NotUsimFileError("%s: cannot open as HDF5: %s" % (self.path, e)) from None
        try:
            self._check()
        except Exception:
            self.file.close()
            raise
        self._table = None
        self._runs = None

    def _check(self):
        a = self.file.attrs
        if "format_version" not in a or "runs" not in self.file or "scalars" not in self.file:
            raise NotUsimFileError("%s: an HDF5 file, but not a usim-batch output file "
                                   "(no format_version attribute or no /runs, /scalars)"
                                   % self.path)
        try:
            self.attrs = {k: decode(a[k]) for k in a}
        except (OSError, TypeError, ValueError) as e:
            raise NotUsimFileError("%s: unreadable attributes: %s" % (self.path, e)) from None
        fmt = self.attrs["format_version"]
        if not isinstance(fmt, int):
            raise NotUsimFileError("%s: format_version %r is not a number" % (self.path, fmt))
        if fmt > MAX_FORMAT:
            raise FormatTooNewError(
                "%s: output format %d is newer than this reader (formats %d to %d): "
                "use the usim_results of the usim-batch that wrote it"
                % (self.path, fmt, MIN_FORMAT, MAX_FORMAT))
        if fmt < MIN_FORMAT:
            raise FormatTooNewError("%s: output format %d is older than this reader "
                                    "supports (formats %d to %d)"
                                    % (self.path, fmt, MIN_FORMAT, MAX_FORMAT))
        self.format = fmt
        self.parameters = list_attr(a, "parameters")
        self.scalar_names = list_attr(a, "scalars")
        self.trace_names = list_attr(a, "traces")
        np_ = len(self.parameters)
        types = list_attr(a, "parameter_types", np_) if "parameter_types" in a else None
        self.parameter_types = dict(zip(self.parameters, types or [""] * np_))
        self.units, self.help = {}, {}
        for names, kind in ((self.parameters, "parameter"), (self.scalar_names, "scalar"),
                            (self.trace_names, "trace")):
            for n, u, h in zip(names, list_attr(a, kind + "_units", len(names)),
                               list_attr(a, kind + "_help", len(names))):
                self.units.setdefault(n, u)
                self.help.setdefault(n, h)
        # Before format 5 a scalar may share a fixed column's name (the fail
        # model's scalar "run"): it becomes column "scalar_NAME".
        taken = set(FIXED) | set(self.parameters)
        self.scalar_columns = {s: ("scalar_" + s if s in taken else s)
                               for s in self.scalar_names}

    # -- context manager ---------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        self.file.close()

    def __repr__(self):
        return "<usim_results.Results %s: format %d, model %s, %d runs>" % (
            self.path, self.format, self.attrs.get("model", "?"), self.nrows)

    @property
    def nrows(self):
        """The rows of /runs (runs of every status, pilots included)."""
        return int(self.file["runs"].shape[0])

    # -- raw reads -----------------------------------------------------------
    def _read(self, name):
        try:
            return self.file[name][()]
        except (KeyError, OSError, ValueError) as e:
            raise ResultsError("%s: cannot read /%s: %s" % (self.path, name, e)) from None

    def _read_rows(self, name, start, stop, fields=None):
        """Rows start to stop of a table, only the given fields if any
        (a structured array even for one field)."""
        try:
            d = self.file[name]
            return d.fields(list(fields))[start:stop] if fields is not None \
                else d[start:stop]
        except (KeyError, OSError, ValueError) as e:
            raise ResultsError("%s: cannot read /%s: %s" % (self.path, name, e)) from None

    def _spans(self, n, rows=None):
        """(start, stop) of the blocks of a table of n rows; one empty block
        for an empty table, so that a reader of blocks always sees the
        columns."""
        step = block_rows(rows)
        return [(a, min(a + step, n)) for a in range(0, n, step)] or [(0, 0)]

    def table_blocks(self, name, fields=None, rows=None):
        """A table (runs, drift, ...) as raw structured arrays of at most
        rows rows each (default block_rows()), in file order: (start row,
        array)."""
        if name not in self.file:
            raise ResultsError("%s: no /%s" % (self.path, name))
        for a, b in self._spans(int(self.file[name].shape[0]), rows):
            yield a, self._read_rows(name, a, b, fields)

    def _raw_runs(self):
        if self._runs is None:
            self._runs = self._read("runs")
        return self._runs

    def _typed(self, name, col):
        """A parameter column as its declared type: int -> int64 and bool ->
        bool (a pending row's NaN as 0 / False), labels -> str."""
        kind = self.parameter_types.get(name, "")
        if col.dtype.kind in "SUO":
            return text_column(col)
        if kind == "int":
            return np.where(np.isfinite(col), col, 0).astype(np.int64) \
                if col.dtype.kind == "f" else col.astype(np.int64)
        if kind == "bool":
            return (np.where(np.isfinite(col), col, 0) != 0) if col.dtype.kind == "f" \
                else col.astype(bool)
        if col.dtype.kind == "b":
            return col
        return col.astype(float)

    def _column(self, name, col):
        """Any /runs or /results column by its name and dtype."""
        if name == "status":
            return status_column(col)
        if name in self.parameter_types:
            return self._typed(name, col)
        if col.dtype.kind in "SUO":
            return text_column(col)
        if col.dtype.kind == "u":
            return col.astype(np.int64)
        return col

    def _fixed(self, runs):
        """The six fixed columns of a /runs table (formats 2 and 3: no
        pilots, and the warm-up of the root attribute)."""
        names = runs.dtype.names
        out = {"run": runs["run"].astype(np.int64), "point": runs["point"].astype(np.int64),
               "replication": runs["replication"].astype(np.int64),
               "status": status_column(runs["status"])}
        out["pilot"] = runs["pilot"].astype(bool) if "pilot" in names \
            else np.zeros(len(runs), dtype=bool)
        out["warmup"] = runs["warmup"].astype(float) if "warmup" in names \
            else np.full(len(runs), float(self.attrs.get("warmup", 0.0)))
        return out

    def scalar_matrix(self):
        """The /scalars values as a (row of /runs, scalar) float array (NaN
        where a run set none).  The writer keeps them run-major, every
        declared scalar of each run: one reshape, checked against the run
        and name columns; any other order is placed by run and name."""
        runs = self._raw_runs()
        ns = len(self.scalar_names)
        if ns == 0:
            return np.zeros((len(runs), 0))
        d = self.file["scalars"]
        try:
            values, run, name = d["value"], d["run"], d["name"]
        except (KeyError, OSError, ValueError) as e:
            raise ResultsError("%s: cannot read /scalars: %s" % (self.path, e)) from None
        if len(values) == len(runs) * ns:
            names = np.array([s.encode() for s in self.scalar_names], dtype=name.dtype)
            if (np.array_equal(run.reshape(len(runs), ns),
                               np.repeat(runs["run"], ns).reshape(len(runs), ns))
                    and np.array_equal(name.reshape(len(runs), ns),
                                       np.broadcast_to(names, (len(runs), ns)))):
                return values.astype(float).reshape(len(runs), ns)
        # The general case: each row placed by (run, name).
        out = np.full((len(runs), ns), np.nan)
        order = np.argsort(runs["run"], kind="stable")
        row = order[np.clip(np.searchsorted(runs["run"], run, sorter=order), 0,
                            max(len(runs) - 1, 0))]
        names = text_column(name)
        col = np.array([self.scalar_names.index(n) if n in self.scalar_names else -1
                        for n in names.tolist()], dtype=np.int64) if len(names) else \
            np.zeros(0, dtype=np.int64)
        good = (col >= 0) & (runs["run"][row] == run) if len(run) else col >= 0
        out[row[good], col[good]] = values[good]
        return out

    def _point_rep(self, run):
        """point and replication of each run id of an array (-1: not in /runs)."""
        runs = self._raw_runs()
        ids = runs["run"]
        order = np.argsort(ids, kind="stable")
        pos = np.clip(np.searchsorted(ids, run, sorter=order), 0, max(len(ids) - 1, 0))
        row = order[pos] if len(ids) else pos
        known = ids[row] == run if len(ids) else np.zeros(len(run), dtype=bool)
        point = np.where(known, runs["point"][row].astype(np.int64), -1)
        rep = np.where(known, runs["replication"][row].astype(np.int64), -1)
        return point, rep

    # -- tables ----------------------------------------------------------------
    def _results(self):
        if self._table is not None:
            return self._table
        if "results" in self.file:
            raw = self._read("results")
            cols = {n: self._column(n, raw[n]) for n in raw.dtype.names}
            if "pilot" in cols:
                cols["pilot"] = np.asarray(cols["pilot"]).astype(bool)
            df = pd.DataFrame(cols)
        else:
            runs = self._raw_runs()
            cols = self._fixed(runs)
            for p in self.parameters:
                cols[p] = self._typed(p, runs[p])
            values = self.scalar_matrix()
            for k, s in enumerate(self.scalar_names):
                cols[self.scalar_columns[s]] = values[:, k]
            df = pd.DataFrame(cols)
        df.attrs["units"] = self._units(df.columns)
        self._table = df
        return df

    def results_blocks(self, rows=None):
        """results() in consecutive blocks of at most rows rows (default
        block_rows()): DataFrames with the same columns and types, indexed
        by row number, whose concatenation is results().  An empty file
        gives one empty block."""
        if self._table is not None:
            for a, b in self._spans(len(self._table), rows):
                yield self._table.iloc[a:b]
            return
        if "results" in self.file:
            for a, raw in self.table_blocks("results", rows=rows):
                cols = {n: self._column(n, raw[n]) for n in raw.dtype.names}
                if "pilot" in cols:
                    cols["pilot"] = np.asarray(cols["pilot"]).astype(bool)
                yield pd.DataFrame(cols, index=pd.RangeIndex(a, a + len(raw)))
            return
        # Formats 2 to 4: /runs and the run-major /scalars side by side; a
        # file in any other order is placed by scalar_matrix() at once.
        ns = len(self.scalar_names)
        matrix = None if self._run_major() else self.scalar_matrix()
        for a, runs in self.table_blocks("runs", rows=rows):
            cols = self._fixed(runs)
            for p in self.parameters:
                cols[p] = self._typed(p, runs[p])
            if matrix is not None:
                values = matrix[a:a + len(runs)]
            elif ns:
                values = self._read_rows("scalars", a * ns, (a + len(runs)) * ns,
                                         ["value"])["value"].astype(float) \
                    .reshape(len(runs), ns)
            else:
                values = np.zeros((len(runs), 0))
            for k, s in enumerate(self.scalar_names):
                cols[self.scalar_columns[s]] = values[:, k]
            yield pd.DataFrame(cols, index=pd.RangeIndex(a, a + len(runs)))

    def _run_major(self):
        """Whether /scalars holds every declared scalar of every run of
        /runs, in the order of /runs (what the writer does): checked block
        by block on the run and name columns."""
        ns = len(self.scalar_names)
        if ns == 0:
            return True
        if int(self.file["scalars"].shape[0]) != self.nrows * ns:
            return False
        names = np.array([s.encode() for s in self.scalar_names])
        for a, runs in self.table_blocks("runs", ["run"]):
            sc = self._read_rows("scalars", a * ns, (a + len(runs)) * ns, ["run", "name"])
            n = len(runs)
            if not (np.array_equal(sc["run"].reshape(n, ns),
                                   np.repeat(runs["run"], ns).reshape(n, ns))
                    and np.array_equal(sc["name"].reshape(n, ns),
                                       np.broadcast_to(names.astype(sc["name"].dtype),
                                                       (n, ns)))):
                return False
        return True

    def _units(self, columns):
        units = {c: self.units.get(c, "") for c in columns if c in self.parameter_types}
        for s, c in self.scalar_columns.items():
            if c in columns:
                units[c] = self.units.get(s, "")
        return units

    def results(self):
        """The wide table: one row per run (see the package docstring)."""
        df = self._results().copy()
        df.attrs["units"] = dict(self._table.attrs["units"])
        return df

    def runs(self):
        """/runs decoded: fixed columns, parameters, end_time, events, wall_s,
        message, typed like results()."""
        runs = self._raw_runs()
        cols = self._fixed(runs)
        for n in runs.dtype.names:
            if n not in cols:
                cols[n] = self._column(n, runs[n])
        df = pd.DataFrame(cols)
        df.attrs["units"] = self._units(df.columns)
        return df

    def scalars(self):
        """/scalars as the long table run, name, value."""
        d = self._read("scalars")
        return pd.DataFrame({"run": d["run"].astype(np.int64), "name": text_column(d["name"]),
                             "value": d["value"].astype(float)})

    def drift(self):
        """/drift: run, task, waits, requested, actual, mean, max_abs, final,
        overruns (and any further column, e.g. a per-run histogram)."""
        d = self._read("drift") if "drift" in self.file else np.zeros(0, dtype=[
            ("run", "<u8"), ("task", "S64"), ("waits", "<u8"), ("requested", "<f8"),
            ("actual", "<f8"), ("mean", "<f8"), ("max_abs", "<f8"), ("final", "<f8"),
            ("overruns", "<u8")])
        cols = {}
        for n in d.dtype.names:
            col = d[n]
            if col.ndim > 1:  # an array per row: a column of arrays
                cols[n] = list(col)
            elif col.dtype.kind in "SUO":
                cols[n] = text_column(col)
            elif col.dtype.kind == "u":
                cols[n] = col.astype(np.int64)
            else:
                cols[n] = col
        return pd.DataFrame(cols)

    def drift_hist(self):
        """/drift_hist (format 5) as the long table run, bin, low, high, count:
        how many of each run's timed waits drifted by |actual - requested|
        in [low, high) time units (bin 0 from 0: on time, or within 2^-32
        ticks), bins without waits left out; empty for older files."""
        cols = ["run", "bin", "low", "high", "count"]
        if "drift_hist" not in self.file:
            return pd.DataFrame({c: [] for c in cols})
        d = self._read("drift_hist")
        low = np.asarray(self.file.attrs["drift_hist_low"], dtype=float)
        high = np.append(low[1:], np.inf)
        counts = np.asarray(d["count"], dtype=np.int64).reshape(len(d), -1)
        r, b = np.nonzero(counts)
        df = pd.DataFrame({"run": d["run"].astype(np.int64)[r], "bin": b.astype(np.int64),
                           "low": low[b], "high": high[b], "count": counts[r, b]})
        df.attrs["units"] = {"low": "time", "high": "time"}
        return df

    def shards(self):
        """/shards: one row per invocation of usim-batch that wrote runs into
        the file (shard_index, shard_count, host, start, end, runs,
        slurm_job_id, ...); empty for a file without the table."""
        if "shards" not in self.file:
            return pd.DataFrame()
        d = self._read("shards")
        return pd.DataFrame({n: text_column(d[n]) if d[n].dtype.kind in "SUO" else d[n]
                             for n in d.dtype.names})

    def _trace_raw(self, name):
        if name not in self.trace_names or "traces/" + name not in self.file:
            raise KeyError("%s: no trace %r (traces: %s)" % (
                self.path, name, ", ".join(self.trace_names) or "none"))
        return self._read("traces/" + name)

    def trace(self, name):
        """One trace: run, point, replication, t, value (attrs: units, help)."""
        d = self._trace_raw(name)
        run = d["run"].astype(np.int64)
        point, rep = self._point_rep(d["run"])
        df = pd.DataFrame({"run": run, "point": point, "replication": rep,
                           "t": d["t"].astype(float), "value": d["value"].astype(float)})
        df.attrs["units"] = {"value": self.units.get(name, "")}
        df.attrs["help"] = self.help.get(name, "")
        return df

    def traces(self):
        """{name: trace(name)} for every trace the file has."""
        return {n: self.trace(n) for n in self.trace_names if "traces/" + n in self.file}

    def to_xarray(self, name):
        """One trace as an xarray Dataset: variables t and value over dims
        (run, sample), NaN after a run's last sample, coordinates run, point
        and replication (runs with at least one sample)."""
        try:
            import xarray as xr
        except ImportError:
            raise ImportError("Results.to_xarray needs xarray: install Debian's "
                              "python3-xarray (apt-get install python3-xarray)") from None
        d = self._trace_raw(name)
        run = d["run"]
        # Rows of a run are contiguous: a new run starts where the id changes.
        starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else \
            np.zeros(0, dtype=np.int64)
        counts = np.diff(np.r_[starts, len(run)])
        width = int(counts.max()) if len(counts) else 0
        sample = np.arange(len(run)) - np.repeat(starts, counts)
        which = np.repeat(np.arange(len(starts)), counts)
        t = np.full((len(starts), width), np.nan)
        v = np.full((len(starts), width), np.nan)
        t[which, sample] = d["t"]
        v[which, sample] = d["value"]
        ids = run[starts]
        point, rep = self._point_rep(ids)
        unit = self.units.get(name, "")
        return xr.Dataset(
            {"t": (("run", "sample"), t),
             "value": (("run", "sample"), v, {"units": unit, "long_name": name,
                                                "description": self.help.get(name, "")})},
            coords={"run": ids.astype(np.int64), "point": ("run", point),
                    "replication": ("run", rep)},
            attrs={"trace": name, "file": self.path})

    # -- statistics (usim_results.analysis) ------------------------------------
    @property
    def swept(self):
        """The parameters with more than one value among non-pilot rows
        (a pending row's NaN or "" is no value)."""
        from . import analysis
        return analysis.swept(self)

    def settings(self):
        """Warm-up and precision target (see analysis.settings)."""
        from . import analysis
        return analysis.settings(self)

    def summary(self, confidence=0.95):
        """Mean, sd, half-width and n per point and scalar."""
        from . import analysis
        return analysis.summary(self, confidence)

    def failures(self):
        """The runs that ended failed, limit or deadlock."""
        from . import analysis
        return analysis.failures(self)

    def point_warmups(self):
        """{point: warm-up time}."""
        from . import analysis
        return analysis.point_warmups(self)

    def precision_table(self):
        """Half-width, target and verdict per point and target scalar."""
        from . import analysis
        return analysis.precision_table(self)

    def fingerprints(self):
        """{run: SHA-256 of what it produced}."""
        from . import analysis
        return analysis.fingerprints(self)
