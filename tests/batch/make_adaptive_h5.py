#!/usr/bin/python3
"""make_adaptive_h5.py - a small usim-batch output file of format 4, made by
hand, for tests/batch/analyze_adaptive.sh.

    make_adaptive_h5.py OUT.h5 [--format 3]

An M/M/1-like sweep of 3 points (arrival_rate 0.5, 0.9, 0.7), at most 12
replications each, a relative precision target of 5% on mean_wait at 90%
confidence (5 to 12 replications), MSER-5 warm-ups from 3 pilot runs per
point.  The values are chosen so that
  - point 0 meets the target: 7 replications ran (one failed, with a wild
    value; one ok without a finite mean_wait), the other 5 slots unneeded;
  - point 1 ran all 12 (one hit a limit) and is still too wide: max reached;
  - point 2 is unfinished: 4 ok, 8 pending, too wide: short;
  - the pilots carry values around 1e6 (one pilot failed): any of them in a
    mean, interval or pairing shows.
With --format 3, the same main runs as a format-3 file (no pilots, no
warmup and pilot columns, the unneeded slots pending, no precision
attributes) with a fixed warm-up of 100: what the defaults must read.
"""
import sys

import h5py
import numpy as np

NAN = float("nan")
POINTS = [0.5, 0.9, 0.7]            # arrival_rate per point
REPS = 12                           # precision_max_replications
PILOTS = 3                          # pilot_replications
SCALARS = ["mean_wait", "utilization"]
WARMUP = [150.0, 420.0, 275.0]      # the MSER-5 warm-up of each point

# (status, mean_wait, utilization) per replication; "unneeded" and
# "pending" slots have NaN scalars, as the writer leaves them.
MAIN = [
    [("ok", 1.00, 0.50), ("ok", 1.02, 0.51), ("failed", 1000.0, 1000.0),
     ("ok", 0.98, 0.49), ("ok", 1.01, 0.50), ("ok", 0.99, 0.52), ("ok", NAN, 0.48)]
    + [("unneeded", NAN, NAN)] * 5,
    [("ok", 6.5, 0.88), ("ok", 11.2, 0.91), ("ok", 8.1, 0.90), ("ok", 9.9, 0.89),
     ("limit", 1000.0, 1000.0), ("ok", 7.3, 0.92), ("ok", 12.4, 0.90), ("ok", 8.8, 0.87),
     ("ok", 10.6, 0.91), ("ok", 5.9, 0.90), ("ok", 9.4, 0.89), ("ok", 11.8, 0.93)],
    [("ok", 2.3, 0.70), ("ok", 2.1, 0.69), ("ok", 2.5, 0.71), ("ok", 2.2, 0.70)]
    + [("pending", NAN, NAN)] * 8,
]


def main(argv):
    out = argv[0]
    fmt = 3 if argv[1:] == ["--format", "3"] else 4
    rows = []  # (run, point, replication, status, mean_wait, utilization, warmup, pilot)
    for point, reps in enumerate(MAIN):
        for rep, (status, w, u) in enumerate(reps):
            if fmt == 3 and status == "unneeded":
                status = "pending"
            ran = status not in ("pending", "unneeded")
            rows.append((point * REPS + rep, point, rep, status, w, u,
                         WARMUP[point] if ran else 0.0, False))
    if fmt == 4:
        for point in range(len(POINTS)):
            for k in range(PILOTS):
                status = "failed" if (point, k) == (1, 1) else "ok"
                rows.append((len(POINTS) * REPS + point * PILOTS + k, point, k, status,
                             1e6 + k, 1e6, 0.0, True))

    fields = [("run", "<u8"), ("point", "<u8"), ("replication", "<u8"), ("status", "S10"),
              ("arrival_rate", "<f8"), ("service_rate", "<f8"), ("end_time", "<f8"),
              ("events", "<u8"), ("wall_s", "<f8"), ("message", "S256")]
    if fmt == 4:
        fields += [("warmup", "<f8"), ("pilot", "?")]
    runs = np.zeros(len(rows), dtype=fields)
    for i, (run, point, rep, status, w, u, warm, pilot) in enumerate(rows):
        pending = status == "pending"
        runs[i]["run"], runs[i]["point"], runs[i]["replication"] = run, point, rep
        runs[i]["status"] = status.encode()
        # A pending row has no parameters yet (NaN), as the writer leaves it.
        runs[i]["arrival_rate"] = NAN if pending else POINTS[point]
        runs[i]["service_rate"] = NAN if pending else 1.0
        runs[i]["end_time"] = NAN if pending or status == "unneeded" else 1000.0
        runs[i]["events"] = 0 if pending else 2000
        runs[i]["wall_s"] = 0.01
        if status == "failed":
            runs[i]["message"] = b"model error: boom"
        elif status == "limit":
            runs[i]["message"] = b"event limit reached"
        elif status == "unneeded":
            runs[i]["message"] = b"not needed: precision met after 7 replications"
        if fmt == 4:
            runs[i]["warmup"], runs[i]["pilot"] = warm, pilot

    scalars = np.zeros(len(rows) * len(SCALARS),
                       dtype=[("run", "<u8"), ("name", "S18"), ("value", "<f8")])
    for i, row in enumerate(rows):
        for k, name in enumerate(SCALARS):
            scalars[i * len(SCALARS) + k] = (row[0], name.encode(), row[4 + k])

    # Three samples of queue_length per run that ran.
    trace, index = [], np.zeros(len(rows), dtype=[("run", "<u8"), ("start", "<u8"),
                                                  ("count", "<u8")])
    for i, row in enumerate(rows):
        index[i] = (row[0], len(trace), 0)
        if row[3] not in ("pending", "unneeded"):
            trace += [(row[0], t, float(v)) for t, v in ((0.0, 0), (400.0, 3), (900.0, 1))]
            index[i]["count"] = 3
    trace = np.array(trace, dtype=[("run", "<u8"), ("t", "<f8"), ("value", "<f8")])
    drift = np.zeros(0, dtype=[("run", "<u8"), ("task", "S64"), ("waits", "<u8"),
                               ("requested", "<f8"), ("actual", "<f8"), ("mean", "<f8"),
                               ("max_abs", "<f8"), ("final", "<f8"), ("overruns", "<u8")])

    with h5py.File(out, "w") as f:
        f.create_dataset("runs", data=runs)
        f.create_dataset("scalars", data=scalars)
        f.create_dataset("drift", data=drift)
        f.create_dataset("index/drift", data=np.zeros(0, dtype=index.dtype))
        f.create_dataset("traces/queue_length", data=trace)
        f.create_dataset("index/traces/queue_length", data=index)
        strings = h5py.string_dtype()
        a = f.attrs
        a["format_version"] = np.int32(fmt)
        a["complete"] = np.int32(1)
        a["compression"] = np.int32(0)
        for key, v in (("cflags", ""), ("compiler", ""), ("config", ""),
                       ("config_sha256", ""), ("created", "2026-01-01T00:00:00Z"),
                       ("description", "synthetic adaptive experiment"), ("git_revision", ""),
                       ("model", "mm1"), ("model_path", ""), ("model_sha256", ""),
                       ("random_numbers", "independent"), ("rng", "philox4x32-10"),
                       ("usim_version", "0.4.0")):
            a[key] = v
        a["git_dirty"] = np.int32(0)
        a["npoints"] = np.uint64(len(POINTS))
        a["nruns"] = np.uint64(len(rows))
        a["runs_done"] = np.uint64(sum(r[3] not in ("pending", "unneeded") for r in rows))
        a["replications"] = np.uint64(REPS)
        a["seed"] = np.uint64(1)
        a["shard_count"] = np.uint64(1)
        a["shard_index"] = np.uint64(0)
        a["parameters"] = np.array(["arrival_rate", "service_rate"], dtype=strings)
        a["parameter_labels"] = np.array(["", ""], dtype=strings)
        a["scalars"] = np.array(SCALARS, dtype=strings)
        a["traces"] = np.array(["queue_length"], dtype=strings)
        if fmt == 3:
            a["warmup"] = 100.0
            return 0
        a["warmup"] = 0.0
        a["warmup_method"] = "mser5"
        a["warmup_trace"] = "queue_length"
        a["pilot_replications"] = np.uint64(PILOTS)
        a["shard_by"] = "run"
        a["precision_scalars"] = np.array(["mean_wait"], dtype=strings)
        a["precision_half_width"] = NAN
        a["precision_relative_half_width"] = 0.05
        a["precision_confidence"] = 0.90
        a["precision_min_replications"] = np.uint64(5)
        a["precision_max_replications"] = np.uint64(REPS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
