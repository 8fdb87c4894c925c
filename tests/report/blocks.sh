#!/bin/sh
# blocks.sh — the summaries of usim-analyze and usim-report read the file
# in blocks of rows (usim_results.scan), so that their memory does not
# grow with the number of runs:
#   - on files of configs/quickstart.cfg, precision.cfg, mser5.cfg and
#     fail.cfg, a sweep with failed pilots and more failures than
#     usim-report lists, and the format-4 and format-3 files of
#     tests/batch/make_adaptive_h5.py: usim-analyze and usim-report (its
#     terminal and --csv) print byte for byte the same with blocks of 3
#     rows as with the whole file in one block, and the blocked summaries
#     equal the statistics of the whole tables worked out by
#     tests/report/check_blocks.py (a pandas groupby, numpy);
#   - a /drift whose rows are out of run order, and one with every row
#     twice: drift_groups still counts each (run, task) once;
#   - peak RSS of usim-analyze on 40,000 runs is within 3 MB of that on
#     2,000 (blocks of 1,000 rows).  3 MB is less than the /results rows
#     of the 38,000 more runs alone (112 bytes each, 4.3 MB): a summary
#     that holds them all at once exceeds it, and the same measurement
#     with the whole file in one block is checked to (it grows by about
#     16 MB); blocks leave the peak the same to within allocator noise;
#   - USIM_RESULTS_BLOCK that is not a positive number: one clear line.
# Prints "NAME: N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir/build}
test_name=blocks.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
need_python
if ! "$py" -c 'import pandas' 2>/dev/null; then
    echo "$test_name: skipped: $py lacks pandas"
    exit 77
fi
rep=$top_srcdir/scripts/usim-report
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
cd "$tmp" || exit 99

# checks NAME FILE ROWS: check_blocks.py on FILE at ROWS rows per block,
# its "ok" / "ko" lines counted (a traceback, or no line at all, fails).
checks() {
    PYTHONPATH=$top_srcdir/python "$py" "$top_srcdir/tests/report/check_blocks.py" \
        "$2" "$3" >checks 2>&1
    [ -s checks ] || ko "$1: no output"
    while IFS= read -r line; do
        case $line in
        ok) ok ;;
        "ko "*) ko "$1: ${line#ko }" ;;
        *) ko "$1: $line" ;;
        esac
    done <checks
}

# same NAME ROWS: usim-analyze and usim-report of NAME.h5 at ROWS rows per
# block print what they print with the file in one block.
same() {
    for b in "$2" 1000000000; do
        USIM_RESULTS_BLOCK=$b "$py" "$ana" "$1.h5" >"ana.$b" 2>&1 ||
            ko "$1: usim-analyze (blocks of $b): $(head -c 300 "ana.$b")"
        rm -rf "r.$b"
        USIM_RESULTS_BLOCK=$b "$py" "$rep" "$1.h5" --no-plots --csv --out "r.$b" 2>&1 |
            sed "s#r\.$b/##" >"rep.$b"
    done
    cmp -s "ana.$2" ana.1000000000 && ok ||
        ko "$1: usim-analyze in blocks of $2 differs: $(diff "ana.$2" ana.1000000000 | head -5)"
    cmp -s "rep.$2" rep.1000000000 && ok ||
        ko "$1: usim-report in blocks of $2 differs: $(diff "rep.$2" rep.1000000000 | head -5)"
    cmp -s "r.$2/summary.csv" r.1000000000/summary.csv && ok ||
        ko "$1: summary.csv in blocks of $2 differs"
    grep -q "runs" "ana.$2" && [ -s "r.$2/summary.csv" ] && ok || ko "$1: no summary"
}

for c in quickstart precision mser5; do
    "$bin" -q -o $c.h5 "$top_srcdir/configs/$c.cfg" || ko "usim-batch $c.cfg"
done
"$bin" -q -o fail.h5 "$top_srcdir/configs/fail.cfg"
[ $? -eq 1 ] && ok || ko "usim-batch fail.cfg: exit status not 1"
# Failures at every point, among the pilots too, more than usim-report lists.
cat >pilots.cfg <<'EOF'
model = "fail";
kernel: { resolution = 0.2; drift = "strict"; stack_size = 65536; };
replications = 8;
seed = 4;
until = 50.0;
warmup = { method = "mser5"; trace = "step"; pilot_replications = 4; };
parameters: { fail_run = -1; how = [0, 1, 4]; steps = 40; };
traces: { step = { mode = "change"; }; };
limits: { events = 1000; wall_seconds = 10.0; };
EOF
"$bin" -q -o pilots.h5 pilots.cfg
[ $? -eq 1 ] && ok || ko "usim-batch pilots.cfg: exit status not 1"
"$py" "$top_srcdir/tests/batch/make_adaptive_h5.py" a4.h5 || ko "make_adaptive_h5.py"
"$py" "$top_srcdir/tests/batch/make_adaptive_h5.py" a3.h5 --format 3 ||
    ko "make_adaptive_h5.py --format 3"
"$py" "$rep" pilots.h5 --no-plots >pilots.out 2>&1
grep -q "failed runs: 12 (12 failed); 4 of them pilot runs" pilots.out &&
    grep -q "and 2 more" pilots.out && ok ||
    ko "pilots.h5: not 12 failures, 4 of them pilots, 10 listed: $(cat pilots.out)"

for f in quickstart precision mser5 fail pilots a4 a3; do
    same $f 3
    checks "$f.h5" $f.h5 3
done

# /drift out of run order (rows reversed), and every row twice: the runs
# of a task counted once each all the same.
"$py" - <<'PY' || ko "rewriting /drift"
import shutil
import h5py
import numpy as np
for name, rows in (("reversed", lambda d: d[::-1]), ("twice", lambda d: np.repeat(d, 2))):
    shutil.copy("quickstart.h5", name + ".h5")
    with h5py.File(name + ".h5", "a") as f:
        d = rows(f["drift"][()])
        del f["drift"]
        f.create_dataset("drift", data=d, maxshape=(None,), chunks=True)
PY
for f in reversed twice; do
    checks "$f.h5" $f.h5 5
done

# Peak RSS (KB) of usim-analyze on FILE with blocks of ROWS.
peak() {
    USIM_RESULTS_BLOCK=$2 "$py" -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$py" "$ana" "$1"
}
for n in 2000 40000; do
    printf 'model = "mm1"; replications = %d; seed = 1; parameters: { customers = 1; };\n' \
        $n >m$n.cfg
    "$bin" -q -o m$n.h5 m$n.cfg || ko "usim-batch m$n.cfg"
done
small=$(peak m2000.h5 1000) && big=$(peak m40000.h5 1000) &&
    whole=$(peak m40000.h5 1000000000) || ko "usim-analyze for the peak RSS"
if [ $((big - small)) -le 3072 ]; then ok; else
    ko "peak RSS grows from $small KB (2,000 runs) to $big KB (40,000), more than 3 MB"
fi
if [ $((whole - small)) -gt 3072 ]; then ok; else
    ko "the measurement does not see a whole-file read: $small KB, one block $whole KB"
fi

expect "USIM_RESULTS_BLOCK=abc" 2 "^usim-analyze: USIM_RESULTS_BLOCK=abc: not a whole number" \
    env USIM_RESULTS_BLOCK=abc "$py" "$ana" m2000.h5
expect "USIM_RESULTS_BLOCK=0" 3 "USIM_RESULTS_BLOCK=0: the rows per block must be at least 1" \
    env USIM_RESULTS_BLOCK=0 "$py" "$rep" m2000.h5 --no-plots
report
