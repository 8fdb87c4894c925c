#!/bin/sh
# reader.sh — the usim_results package (python/usim_results) against the
# raw datasets, worked out a second way by tests/report/check_reader.py
# (row by row with h5py; Student t quantiles by numerical integration):
#   - files of usim-batch (mm1 over two swept parameters, mg1 with choice
#     and distribution labels, drift with int and bool parameters, the
#     fail model with every failure and a scalar named "run"), and the
#     format-4 and format-3 files of tests/batch/make_adaptive_h5.py
#     (pilots, unneeded slots, pending rows);
#   - the same files turned into format 5 by tests/report/make_format5_h5.py
#     (/results with int64 and bool columns, units and help);
#   - refusals: no such file, a text file, an HDF5 file of another program,
#     a format newer than the reader's: each its exception and one message;
#     to_xarray without xarray: an ImportError naming python3-xarray;
#   - fingerprints: a scalar or a trace sample changed in a copy changes
#     that run's digest and no other.
# Prints "NAME: N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir/build}
test_name=reader.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
need_python
if ! "$py" -c 'import pandas' 2>/dev/null; then
    echo "$test_name: skipped: $py lacks pandas"
    exit 77
fi
PYTHONPATH=$top_srcdir/python
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE
cd "$tmp" || exit 99

# checks NAME FILE: check_reader.py on FILE, its "ok" / "ko" lines counted
# (a traceback, or no line at all, fails).
checks() {
    "$py" "$top_srcdir/tests/report/check_reader.py" "$2" >checks 2>&1
    [ -s checks ] || ko "$1: no output"
    while IFS= read -r line; do
        case $line in
        ok) ok ;;
        "ko "*) ko "$1: ${line#ko }" ;;
        *) ko "$1: $line" ;;
        esac
    done <checks
}

# format FILE: its format_version.
format() {
    "$py" -c 'import h5py, sys; print(int(h5py.File(sys.argv[1], "r").attrs["format_version"]))' "$1"
}

cat >mm1.cfg <<'EOF'
model = "mm1";
until = 500.0;
replications = 4;
seed = 11;
parameters: { arrival_rate = [0.5, 0.8]; service_rate = [1.0, 1.5]; customers = 0; };
traces: { queue_length = { mode = "sample"; interval = 50.0; }; };
EOF
cat >mg1.cfg <<'EOF'
model = "mg1";
until = 200.0;
replications = 3;
seed = 5;
parameters: {
  arrival_rate = [0.5, 0.8];
  service = ["exponential(1)", "gamma(2, 0.5)"];
  discipline = ["fifo", "lifo"];
};
traces: { wait = { mode = "change"; }; };
EOF
"$bin" -q -o mm1.h5 mm1.cfg || ko "usim-batch mm1.cfg"
"$bin" -q -o mg1.h5 mg1.cfg || ko "usim-batch mg1.cfg"
"$bin" -q -o drift.h5 "$top_srcdir/configs/drift.cfg" || ko "usim-batch drift.cfg"
"$bin" -q -o fail.h5 "$top_srcdir/configs/fail.cfg"
[ $? -eq 1 ] && ok || ko "usim-batch fail.cfg: exit status not 1"
"$py" "$top_srcdir/tests/batch/make_adaptive_h5.py" a4.h5 || ko "make_adaptive_h5.py"
"$py" "$top_srcdir/tests/batch/make_adaptive_h5.py" a3.h5 --format 3 || ko "make_adaptive_h5.py 3"

for f in mm1 mg1 drift fail a4 a3; do
    checks "$f.h5 (format $(format $f.h5))" $f.h5
done

# Format 5 by hand, from the format-4 files (once usim-batch writes format
# 5 itself, its files were checked as such above).  Not fail.h5: its scalar
# "run" has a fixed column's name, which format 5 refuses.
for spec in "mm1 real real int" "mg1 real dist choice int" "drift int real int bool" \
    "a4 real real"; do
    set -- $spec
    f=$1
    shift
    if [ "$(format $f.h5)" = 4 ]; then
        "$py" "$top_srcdir/tests/report/make_format5_h5.py" $f.h5 ${f}5.h5 "$@" ||
            ko "make_format5_h5.py $f.h5"
        checks "${f}5.h5 (format 5 by hand)" ${f}5.h5
    fi
done

# Refusals: the exception class and one message naming the file.
printf 'not hdf5\n' >text.h5
"$py" -c 'import h5py; h5py.File("other.h5", "w").create_dataset("x", data=[1, 2])'
cp mm1.h5 newer.h5
"$py" -c 'import h5py, numpy; h5py.File("newer.h5", "a").attrs["format_version"] = numpy.int32(6)'
"$py" - >checks 2>&1 <<'PY'
import usim_results as ur
cases = [("missing.h5", FileNotFoundError, "missing.h5: no such file"),
         ("text.h5", ur.NotUsimFileError, "text.h5: not an HDF5 file"),
         ("other.h5", ur.NotUsimFileError, "other.h5: an HDF5 file, but not a usim-batch"),
         ("newer.h5", ur.FormatTooNewError, "newer.h5: output format 6 is newer than this reader"),
         (".", ur.NotUsimFileError, "is a directory")]
for path, cls, msg in cases:
    try:
        ur.open_results(path)
        print("ko %s opened" % path)
    except cls as e:
        print("ok" if msg in str(e) and "\n" not in str(e) else "ko %s: %r" % (path, str(e)))
    except Exception as e:
        print("ko %s: %s: %s" % (path, type(e).__name__, e))
# to_xarray without xarray (hidden): an ImportError that says what to install.
import sys
sys.modules["xarray"] = None
try:
    ur.open_results("mm1.h5").to_xarray("queue_length")
    print("ko to_xarray without xarray")
except ImportError as e:
    print("ok" if "python3-xarray" in str(e) else "ko to_xarray: %s" % e)
del sys.modules["xarray"]
# And as a context manager, closing the file.
with ur.open_results("mm1.h5") as r:
    n = len(r.results())
print("ok" if n == 16 and not r.file.id.valid else "ko context manager: %d rows" % n)
PY
while IFS= read -r line; do
    case $line in ok) ok ;; *) ko "refusals: $line" ;; esac
done <checks

# Fingerprints: one scalar of run 5 and one trace sample of run 9 changed
# in a copy: exactly those two digests change.
cp mm1.h5 changed.h5
"$py" - >checks 2>&1 <<'PY'
import h5py
import numpy as np
import usim_results as ur
with h5py.File("changed.h5", "a") as f:
    s = f["scalars"]
    rows = np.nonzero(s["run"] == 5)[0]
    row = s[rows[1]]
    row["value"] = np.nextafter(row["value"], np.inf)  # one ulp
    s[rows[1]] = row
    t = f["traces/queue_length"]
    k = int(np.nonzero(t["run"] == 9)[0][2])
    row = t[k]
    row["value"] += 1
    t[k] = row
a = ur.open_results("mm1.h5").fingerprints()
b = ur.open_results("changed.h5").fingerprints()
diff = sorted(r for r in a if a[r] != b[r])
print("ok" if diff == [5, 9] and sorted(a) == sorted(b) else "ko changed runs: %s" % diff)
PY
while IFS= read -r line; do
    case $line in ok) ok ;; *) ko "fingerprints: $line" ;; esac
done <checks

report
