#!/usr/bin/python3
"""make_format5_h5.py - an output file of format 5 made by hand from one of
format 4, for tests/report/reader.sh.

    make_format5_h5.py IN.h5 OUT.h5 TYPE...

Copies every dataset and attribute of IN.h5 (format 4, as usim-batch
writes it today) and adds what format 5 has: the wide table /results
(run, point, replication, status, pilot, warmup, one column per
parameter typed by TYPE, one of real, int, bool, choice, dist, in the
order of the parameters, then one float64 column per scalar), the root
attributes parameter_types, parameter_units, parameter_help,
scalar_units, scalar_help, trace_units, trace_help, and units and help on
each /traces/NAME; format_version 5.  Units and help are made up from
the names ("u_NAME", "help of NAME"; the first parameter and the first
scalar get none, as a model may leave them out), so a reader's mapping
can be checked name by name.  /results is built here row by row from
/runs and /scalars with a dictionary (not the reader's reshape).
"""
import sys

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main(argv):
    src, out, types = argv[0], argv[1], argv[2:]
    with h5py.File(src, "r") as f, h5py.File(out, "w") as g:
        for name in f:
            f.copy(name, g)
        for k, v in f.attrs.items():
            g.attrs[k] = v
        params = [text(p) for p in f.attrs["parameters"]]
        scalars = [text(s) for s in f.attrs["scalars"]]
        traces = [text(t) for t in f.attrs["traces"]]
        if len(types) != len(params):
            sys.exit("make_format5_h5.py: %d types for %d parameters" % (len(types),
                                                                         len(params)))
        runs = f["runs"][()]
        value = {(int(r), text(n)): float(v) for r, n, v in f["scalars"][()]}
        fields = [("run", "<u8"), ("point", "<u8"), ("replication", "<u8"),
                  ("status", runs.dtype["status"]), ("pilot", "?"), ("warmup", "<f8")]
        for p, t in zip(params, types):
            fields.append((p, {"real": "<f8", "int": "<i8", "bool": "?"}.get(
                t, runs.dtype[p] if runs.dtype[p].kind == "S" else "S32")))
        fields += [(s, "<f8") for s in scalars]
        res = np.zeros(len(runs), dtype=fields)
        for i, row in enumerate(runs):
            for c in ("run", "point", "replication", "status", "pilot", "warmup"):
                res[i][c] = row[c]
            pending = text(row["status"]) == "pending"
            for p, t in zip(params, types):
                v = row[p]
                if t == "int":
                    res[i][p] = 0 if pending else int(v)
                elif t == "bool":
                    res[i][p] = False if pending else bool(v)
                else:
                    res[i][p] = v
            for s in scalars:
                res[i][s] = value[(int(row["run"]), s)]
        g.create_dataset("results", data=res)
        strings = h5py.string_dtype()
        a = g.attrs
        a["format_version"] = np.int32(5)
        a["parameter_types"] = np.array(types, dtype=strings)
        for kind, names in (("parameter", params), ("scalar", scalars), ("trace", traces)):
            a[kind + "_units"] = np.array(
                ["" if (k == 0 and kind != "trace") else "u_" + n for k, n in enumerate(names)],
                dtype=strings)
            a[kind + "_help"] = np.array(
                ["" if (k == 0 and kind != "trace") else "help of " + n
                 for k, n in enumerate(names)], dtype=strings)
        for t in traces:
            g["traces/" + t].attrs["units"] = "u_" + t
            g["traces/" + t].attrs["help"] = "help of " + t
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
