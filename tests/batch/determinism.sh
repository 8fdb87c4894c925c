#!/bin/sh
# determinism.sh — one experiment, many ways, one result: for each config
# of tests/batch/h5/, the datasets written with 1 thread are identical
# (h5check cmp: everything but /runs.wall_s and the "created" attribute)
# to those written with 2 threads, to 3 shards merged with usim-merge (in
# any order), to a --runs subset resumed without it, and to a file that
# was re-resumed after it was finished.  Also: pandas/h5py can read the
# tables as man/usim-batch.1 (OUTPUT) says (skipped if /usr/bin/python3 lacks them).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
bin=$top_builddir/usim-batch
merge=$top_builddir/usim-merge
check=$top_builddir/tests/batch/h5check
test_name=determinism.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$merge" "$check"

# run NAME EXPECTED_STATUS ARGS... : usim-batch with ARGS exits as expected.
run() {
    name=$1 want=$2
    shift 2
    "$bin" -q "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want: $(head -c 300 "$tmp/err")"; fi
}

# same NAME A B : A and B have identical datasets.
same() {
    if why=$("$check" cmp "$2" "$3"); then ok; else ko "$1: $2 vs $3: $why"; fi
}

for cfg in "$top_srcdir"/tests/batch/h5/*.cfg; do
    c=$(basename "$cfg" .cfg)
    # The fail model's runs fail on purpose: usim-batch exits 1.
    st=0
    [ "$c" = fail ] && st=1
    run "$c -j1" $st -j1 -o "$tmp/$c.j1.h5" "$cfg"
    run "$c -j2" $st -j2 -o "$tmp/$c.j2.h5" "$cfg"
    same "$c threads" "$tmp/$c.j1.h5" "$tmp/$c.j2.h5"

    # Shards: each file holds its own runs only.
    for i in 0 1 2; do
        # A shard may hold only successful runs: exit 0 or 1 both fine.
        "$bin" -q -j2 --shard $i/3 -o "$tmp/$c.s$i.h5" "$cfg" >/dev/null 2>"$tmp/err"
        [ $? -le 1 ] && ok || ko "$c shard $i: $(head -c 300 "$tmp/err")"
    done
    "$merge" "$tmp/$c.merged.h5" "$tmp/$c.s2.h5" "$tmp/$c.s0.h5" "$tmp/$c.s1.h5" 2>"$tmp/err"
    got=$?
    [ $got -eq $st ] && ok || ko "$c merge: exit $got, expected $st: $(cat "$tmp/err")"
    same "$c shards merged" "$tmp/$c.j1.h5" "$tmp/$c.merged.h5"

    # Two shards only: refused (exit 2, nothing written) unless --partial
    # (exit 1), and then the file is not the single-machine one.
    "$merge" "$tmp/$c.part.h5" "$tmp/$c.s0.h5" "$tmp/$c.s1.h5" 2>/dev/null
    [ $? -eq 2 ] && [ ! -e "$tmp/$c.part.h5" ] && ok ||
        ko "$c merge of 2 of 3 shards should be refused"
    "$merge" --partial "$tmp/$c.part.h5" "$tmp/$c.s0.h5" "$tmp/$c.s1.h5" 2>/dev/null
    [ $? -eq 1 ] && ok || ko "$c merge --partial of 2 of 3 shards should exit 1"
    if "$check" cmp "$tmp/$c.j1.h5" "$tmp/$c.part.h5" >/dev/null; then
        ko "$c: a partial merge compares equal"
    else
        ok
    fi
    # ... and the partial merge plus the third shard is the whole.
    "$merge" "$tmp/$c.whole.h5" "$tmp/$c.part.h5" "$tmp/$c.s2.h5" 2>/dev/null
    same "$c partial merge + shard 2" "$tmp/$c.j1.h5" "$tmp/$c.whole.h5"

    # A subset, then --resume for the rest.
    "$bin" -q -j2 --runs 1,3-5 -o "$tmp/$c.res.h5" "$cfg" >/dev/null 2>&1
    run "$c resume" $st -j2 --resume -o "$tmp/$c.res.h5" "$cfg"
    same "$c resumed" "$tmp/$c.j1.h5" "$tmp/$c.res.h5"
    # Resuming a finished file changes nothing.
    # (nothing runs, so the exit status may be 0 even for failing runs)
    "$bin" -q -j1 --resume -o "$tmp/$c.res.h5" "$cfg" >/dev/null 2>"$tmp/err"
    [ $? -le 1 ] && ok || ko "$c resume finished: $(head -c 300 "$tmp/err")"
    same "$c re-resumed" "$tmp/$c.j1.h5" "$tmp/$c.res.h5"
    [ ! -e "$tmp/$c.res.h5.journal" ] && ok || ko "$c: journal left after finish"
done

# Shards of different experiments are refused (exit 2).
"$merge" "$tmp/x.h5" "$tmp/mm1.s0.h5" "$tmp/drift.s1.h5" 2>"$tmp/err"
[ $? -eq 2 ] && ok || ko "merge of two experiments should exit 2"
# usim-merge never overwrites without --force.
"$merge" "$tmp/mm1.merged.h5" "$tmp/mm1.s0.h5" 2>/dev/null
[ $? -eq 2 ] && ok || ko "merge over an existing file should exit 2"

# man/usim-batch.1 (OUTPUT): the tables as pandas and h5py read them.
py=/usr/bin/python3
if [ -x $py ] && $py -c 'import h5py, numpy' 2>/dev/null; then
    if $py - "$tmp/mm1.j1.h5" >"$tmp/py" 2>&1 <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
runs = f["runs"][()]
assert runs.shape == (12,), runs.shape
assert set(runs["status"]) == {b"ok"}, set(runs["status"])
assert list(runs["arrival_rate"][::4]) == [0.5, 0.7, 0.9]
sc = f["scalars"][()]
assert len(sc) == 12 * len(f.attrs["scalars"])
idx = f["index/traces/queue_length"][()]
q = f["traces/queue_length"]
for run, start, count in idx:
    assert (q[start:start + count]["run"] == run).all()
assert f.attrs["complete"] == 1 and f.attrs["rng"] == "philox4x32-10"
try:
    import pandas as pd
except ImportError:
    print("pandas: not installed")
else:
    df = pd.DataFrame(f["runs"][()])
    assert list(df.columns[:4]) == ["run", "point", "replication", "status"], df.columns
    assert len(pd.DataFrame(f["drift"][()])) == len(f["drift"])
PY
    then ok; else ko "python: $(cat "$tmp/py")"; fi
    # usim-analyze: its mean of a scalar at a point equals the mean of the
    # point's rows of /scalars, computed here directly; plots get written.
    ana=$top_srcdir/scripts/usim-analyze
    if $py -c 'import matplotlib' 2>/dev/null &&
        $py "$ana" "$tmp/mm1.j1.h5" --plots "$tmp/plots" >"$tmp/ana" 2>&1 &&
        [ -s "$tmp/plots/sweep_utilization.png" ] && [ -s "$tmp/plots/trace_queue_length.png" ]; then
        want=$($py - "$tmp/mm1.j1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s = f["scalars"][()]
sel = (s["name"] == b"utilization") & (s["run"] // 4 == 1)
print("%.6g" % s["value"][sel].mean())
PY
)
        got=$(sed -n '/^point 1 /,/^point 2 /p' "$tmp/ana" | awk '$1 == "utilization" { print $2 }')
        [ "$got" = "$want" ] && ok || ko "usim-analyze: utilization at point 1 is $got, expected $want"
    else
        ko "usim-analyze: $(head -c 300 "$tmp/ana")"
    fi
fi

report
