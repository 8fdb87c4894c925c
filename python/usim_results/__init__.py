"""usim_results - read usim-batch output files (HDF5) into pandas.

    from usim_results import open_results
    with open_results("results/mm1.h5") as r:
        df = r.results()                       # one row per run
        ok = df[(df.status == "ok") & ~df.pilot]
        print(ok.groupby("arrival_rate")["mean_wait"].mean())
        print(r.summary())                     # means and 95% CIs per point

Reads output formats 2 to 5 (root attribute format_version).  Format 5
has the wide table /results and the types, units and help texts of the
parameters, scalars and traces; for formats 2 to 4 the same table is
built from /runs and /scalars.  Every text comes back as str (never
bytes), status as a pandas Categorical.

Opening
    open_results(path) -> Results; also a context manager (closes the file).
    FileNotFoundError (no such file), PermissionError (unreadable),
    NotUsimFileError (not HDF5, or not written by usim-batch) and
    FormatTooNewError (a format this reader does not know) are raised
    with one clear message; NotUsimFileError and FormatTooNewError are
    ResultsError.

Attributes of a Results
    attrs          root attributes decoded: str, int, float, lists of str
    format         the output format (int)
    parameters, scalar_names, trace_names     lists of str, declared order
    parameter_types {parameter: "real" | "int" | "bool" | "choice" |
                   "dist"}, "" where the file does not say (before format 5)
    swept          the parameters with more than one value among the
                   non-pilot rows
    units, help    {name: text} for parameters, scalars and traces ("" where
                   the model gave none, or the file predates format 5)
    scalar_columns {scalar: its column in results()}: the scalar's name, or
                   "scalar_NAME" in a file before format 5 where the name is
                   also a fixed column or a parameter (the fail model's "run")

Tables (pandas DataFrames)
    results()      one row per run: run, point, replication, status
                   (Categorical: ok, failed, limit, deadlock, pending,
                   unneeded), pilot (bool), warmup (float), every parameter
                   (int64 for int, bool for bool, str for choice and dist,
                   float otherwise; before format 5 without parameter_types,
                   numbers stay float), every scalar (float, NaN where not
                   set).  attrs["units"] = {column: unit}.  A pending row
                   holds NaN / 0 / False / "".  Formats 2 and 3: pilot False,
                   warmup the root attribute warmup.
    runs()         /runs with the same conventions (and end_time, events,
                   wall_s, message)
    scalars()      /scalars, long: run, name, value
    drift()        /drift: run, task, waits, requested, actual, mean,
                   max_abs, final, overruns (per run and task: sums and
                   extremes over its waits), and any further column
    trace(name)    run, point, replication, t, value; attrs["units"] =
                   {"value": unit}, attrs["help"]
    traces()       {name: trace(name)}
    to_xarray(name) one trace as an xarray Dataset: variables t and value
                   over dims (run, sample), NaN-padded, coordinates run,
                   point and replication (needs python3-xarray; a clear
                   ImportError without it)
    scalar_matrix() the /scalars values as a (row of /runs, scalar) array
    shards()       /shards: host, start, end, runs, SLURM ids per invocation
    nrows          the rows of /runs (int)

Tables in blocks (memory that does not grow with the number of runs)
    results_blocks(rows=None)  results() as consecutive DataFrames of at
                   most rows rows (default block_rows()), indexed by row
                   number: their concatenation is results()
    table_blocks(name, fields=None, rows=None)  (start row, structured
                   array) of a raw table (runs, drift, ...), only the
                   given fields if any
    block_rows(rows=None)  the block size: rows, else the environment
                   variable USIM_RESULTS_BLOCK, else BLOCK_ROWS (16384)

Statistics (pilot runs and unneeded slots never count).  swept, settings,
summary, failures, point_warmups, precision_table and drift_groups read
the file in blocks of rows (usim_results.scan): their memory does not
grow with the number of runs, their numbers are those of the whole
tables (summary's bit for bit: pandas' groupby recurrences, carried from
block to block; drift_groups' means from exact sums, where the pairwise
sums of pandas may differ in the last bits).  precision_table keeps one float per run of its target
scalars.  paired_diff, fingerprints, trace() and the tables read whole.
    summary(confidence=0.95)  point, <swept parameters>, scalar, n, mean,
                   sd, half_width over the non-pilot ok runs with a finite
                   value (two-sided Student t interval, n - 1 df)
    failures()     run, point, replication, status, pilot, message of the
                   runs that ended failed, limit or deadlock
    failure_digest(keep=100) (module function) the failures as counts
                   per status, the number of pilots, the first keep rows and
                   every failed pilot run: what usim-analyze and usim-report
                   print, in memory bounded by keep and the pilots
    settings()     warm-up and precision target: {warmup, warmup_method,
                   warmup_trace, pilot_replications, shard_by,
                   precision_scalars, half_width, relative_half_width,
                   confidence, min_replications, max_replications}
    point_warmups() {point: warm-up time} (NaN: not known yet)
    precision_table() [{point, scalar, n, mean, half_width, target,
                   verdict}] with verdict "met", "max reached" or "short"
    fingerprints() {run: hex SHA-256 of its status, scalars, drift rows and
                   trace samples}: equal digests, bit-identical results

Module functions
    t_quantile(p, df)     the p quantile of Student t (exact; any real df >= 1)
    t_cdf(t, df)          P(T <= t)
    t95(df)               t_quantile(0.975, df)
    mean_ci(values, confidence=0.95) -> (mean, half_width, n) of the
                          finite values
    welch(a, b) -> (mean(a) - mean(b), t, df, p): Welch's t-test, df by
                          Welch-Satterthwaite, p two-sided from the exact t CDF
    paired_diff(results, p, q, confidence=0.95) -> {scalar: (mean,
                          half_width, n)}: replication r of point q minus
                          replication r of point p (both ok); results is a
                          Results or a path
    precision_table(source), point_warmups(source): as the methods, of a
                          Results or a path
    drift_groups(results) per task name over all runs: task, runs, waits,
                          mean_abs (mean |drift| per wait), max_abs,
                          final_mean, overruns
    diff_lines(results, p, q, confidence)
                          paired_diff as printed lines (usim-analyze and
                          usim-report --diff)
    settings_lines(results) the warm-up and precision lines usim-analyze
                          and usim-report print
    scan(results)         the one pass over the rows that the summaries
                          share (a usim_results.scan.Scan, kept with the
                          Results)
    Moments, ExactSum     (usim_results.stats) a mean and sd, and a sum, of
                          values given in blocks, independent of the blocks

Needs Debian's python3-h5py, python3-numpy and python3-pandas.
"""
from .analysis import (diff_lines, drift_groups, failure_digest, paired_diff,
                       point_warmups, precision_table, scan, settings_lines)
from .errors import FormatTooNewError, NotUsimFileError, ResultsError
from .reader import (BLOCK_ROWS, MAX_FORMAT, MIN_FORMAT, STATUSES, Results, block_rows,
                     open_results)
from .stats import ExactSum, Moments, mean_ci, t95, t_cdf, t_quantile, welch

__all__ = ["open_results", "Results", "ResultsError", "NotUsimFileError",
           "FormatTooNewError", "STATUSES", "MIN_FORMAT", "MAX_FORMAT", "t_quantile",
           "t_cdf", "t95", "mean_ci", "welch", "paired_diff", "precision_table",
           "point_warmups", "drift_groups", "settings_lines", "diff_lines",
           "failure_digest", "scan", "BLOCK_ROWS", "block_rows", "Moments", "ExactSum"]
