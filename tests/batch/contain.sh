#!/bin/sh
# contain.sh — no model bug sinks a batch.  With the plugin buggy_model.so,
# whose runs loop without yielding, write through NULL, abort, divide by
# zero, exit or SIGKILL themselves (by sweep point), a plain usim-batch
# invocation ends with exit 1 and every run recorded: each culprit failed
# (or over its wall-clock limit) with the reason and its task, every healthy
# run ok with the result it has when it runs alone.  A first SIGTERM does
# not wait forever for a run that never yields, and --resume then finishes.
# --compare-orders and --check-determinism contain the same bugs: their
# tables come out, the exit status is 1, and a kill -9 of usim-batch takes
# its worker process with it.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
bin=$top_builddir/usim-batch
plugin=$top_builddir/tests/batch/.libs/buggy_model.so
test_name=contain.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
[ -f "$plugin" ] || { echo "$test_name: no $plugin (make check builds it)"; exit 99; }
py=/usr/bin/python3
$py -c 'import h5py' 2>/dev/null || { echo "$test_name: skipped: no python3-h5py"; exit 77; }
# Under AddressSanitizer the worker's own crash recorder must see the
# faults, as in a release build.  No leak check: a model that calls
# exit(7) from inside a task leaves everything allocated, and LeakSanitizer
# would turn that exit status into 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:detect_leaks=0"
cp "$plugin" "$tmp/buggy.so"

# experiment NAME BUGS WALL: the bugs swept by point, 2 replications.
experiment() {
    cat >"$tmp/$1.cfg" <<EOF
model = "buggy.so";
replications = 2;
seed = 3;
parameters: { bug = [$2]; };
limits: { wall_seconds = $3; };
EOF
}

# check FILE EXPECT...: each EXPECT is "RUNS STATUS MESSAGE-PREFIX"; every
# other run is ok, and its draw equals that of the reference file.
check() {
    $py - "$@" >"$tmp/py" 2>&1 <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
ref = h5py.File(sys.argv[2], "r")
runs = f["runs"][()]
want = {}
for spec in sys.argv[3:]:
    ids, status, msg = spec.split(" ", 2)
    for r in ids.split(","):
        want[int(r)] = (status, msg)
draw = {int(r["run"]): r["value"] for r in f["scalars"][()] if r["name"] == b"draw"}
rdraw = {int(r["run"]): r["value"] for r in ref["scalars"][()] if r["name"] == b"draw"}
bad = []
for row in runs:
    run, st, msg = int(row["run"]), row["status"].decode(), row["message"].decode()
    if run in want:
        if st != want[run][0] or not msg.startswith(want[run][1]):
            bad.append("run %d: %s '%s', expected %s '%s...'" % (run, st, msg, *want[run]))
    elif st != "ok" or draw[run] != rdraw[run]:
        bad.append("run %d: %s '%s' draw %r, expected ok, draw %r" % (run, st, msg, draw[run], rdraw[run]))
assert f.attrs["complete"] == 1, "not complete"
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
}

# The healthy runs alone, in one process: the reference results.
experiment ref "0, 0, 0, 0, 0, 0, 0, 0" 60
"$bin" -q -j2 --no-supervisor -o "$tmp/ref.h5" "$tmp/ref.cfg" || ko "reference run"

# A loop without yielding, a NULL write, abort(), a division by zero.
experiment a "0, 1, 0, 2, 0, 3, 0, 4" 2
t0=$(date +%s)
expect "a batch with crashing and hanging runs" 1 "run 2 exceeded its wall-clock limit" \
    timeout 120 "$bin" -j2 -o "$tmp/a.h5" "$tmp/a.cfg"
t1=$(date +%s)
grep -q "crashed the worker: signal 11" "$tmp/out" && ok || ko "no crash report on stderr: $(cat "$tmp/out")"
# The summary counts the runs of every worker (not the last one's alone).
grep -q "^16 runs done, 8 failed" "$tmp/out" && ok || ko "summary: $(grep 'runs done' "$tmp/out")"
check "$tmp/a.h5" "$tmp/ref.h5" \
    "2,3 limit exceeded its wall-clock limit of 2 s without yielding" \
    "6,7 failed crashed the worker: signal 11 (Segmentation fault) in task 'culprit'" \
    "10,11 failed crashed the worker: signal 6 (Aborted) in task 'culprit'" \
    "14,15 failed crashed the worker: signal 8 (Floating point exception) in task 'culprit'" &&
    ok || ko "batch a: $(cat "$tmp/py")"
[ $((t1 - t0)) -lt 60 ] && ok || ko "batch a took $((t1 - t0)) s"
# One invocation, one provenance record, however many workers it took.
$py - "$tmp/a.h5" >"$tmp/py" 2>&1 <<'PY' && ok || ko "batch a: /shards: $(cat "$tmp/py")"
import sys, h5py
rows = h5py.File(sys.argv[1], "r")["shards"][()]
assert len(rows) == 1, "%d rows" % len(rows)
assert int(rows[0]["runs"]) == 16 and rows[0]["end"] != b"", rows
PY
# Resuming the finished file runs nothing again (and does not crash).
expect "resume of a finished batch" 1 "" timeout 30 "$bin" -q --resume -o "$tmp/a.h5" "$tmp/a.cfg"
check "$tmp/a.h5" "$tmp/ref.h5" "2,3 limit exceeded" "6,7 failed crashed" "10,11 failed crashed" \
    "14,15 failed crashed" && ok || ko "batch a after resume: $(cat "$tmp/py")"

# exit() and SIGKILL from model code: no crash record; the runs in flight
# are run again one at a time until the culprit is alone.
experiment b "0, 5, 0, 6" 60
expect "a batch with runs that exit or kill the worker" 1 "no crash record" \
    timeout 120 "$bin" -j2 -o "$tmp/b.h5" "$tmp/b.cfg"
check "$tmp/b.h5" "$tmp/ref.h5" \
    "2,3 failed killed the worker (exit status 7) while it ran" \
    "6,7 failed killed the worker (signal 9 (Killed)) while it ran" &&
    ok || ko "batch b: $(cat "$tmp/py")"

# usim_fail() in the model's setup, finish and teardown (outside the
# simulation's tasks) fails that run with its message, under the
# supervisor and without it; the process goes on.
experiment hooks "0, 7, 0, 8, 0, 9" 60
for sup in "" --no-supervisor; do
    expect "usim_fail in the hooks $sup" 1 "" timeout 60 "$bin" -q -j2 $sup -o "$tmp/hooks.h5" --force "$tmp/hooks.cfg"
    check "$tmp/hooks.h5" "$tmp/ref.h5" \
        "2,3 failed model setup failed: buggy: setup gives up (bug 7)" \
        "6,7 failed model finish failed: buggy: finish gives up at t=3" \
        "10,11 failed model teardown failed: buggy: teardown gives up" &&
        ok || ko "batch hooks $sup: $(cat "$tmp/py")"
done

# One thread, the same: the culprit is always alone.
expect "one thread" 1 "" timeout 120 "$bin" -q -j1 -o "$tmp/a1.h5" "$tmp/a.cfg"
check "$tmp/a1.h5" "$tmp/ref.h5" "2,3 limit exceeded" "6,7 failed crashed the worker: signal 11" \
    "10,11 failed crashed the worker: signal 6" "14,15 failed crashed the worker: signal 8" &&
    ok || ko "batch a, -j1: $(cat "$tmp/py")"

# A run that stops its own process (SIGSTOP): the worker, stopped alone
# while usim-batch runs, is killed after 5 s; the runs in flight run
# again one at a time, and the culprit is recorded (not its neighbour,
# whose wall-clock limit would otherwise run out beside it).
experiment stopped "0, 10" 3
expect "a run that stops its worker" 1 "" timeout 120 "$bin" -q -j2 -o "$tmp/stopped.h5" \
    "$tmp/stopped.cfg"
check "$tmp/stopped.h5" "$tmp/ref.h5" \
    "2,3 failed stopped the worker (signal 19 (Stopped (signal))) while it ran" &&
    ok || ko "batch stopped: $(cat "$tmp/py")"

# usim-batch and its worker stopped together for longer than that (job
# control, a suspended SLURM job) while runs are in flight: not taken for
# a run's own stop; the batch goes on when both are continued.
cat >"$tmp/paused.cfg" <<EOF
model = "mm1";
replications = 8;
until = 1e9;
parameters: { customers = 4000000; };
EOF
setsid "$bin" -q -j2 -o "$tmp/paused.h5" "$tmp/paused.cfg" >"$tmp/paused.out" 2>&1 &
pid=$!
sleep 0.3
kill -STOP -$pid && sleep 0.2 && grep -q '^State:.*stopped' /proc/$pid/status && ok ||
    ko "could not stop usim-batch and its worker while they ran"
sleep 6
kill -CONT -$pid
wait $pid
st=$?
$py - "$tmp/paused.h5" >"$tmp/py" 2>&1 <<'PY' && [ $st -eq 0 ] && [ ! -s "$tmp/paused.out" ] && ok ||
import sys, h5py
runs = h5py.File(sys.argv[1], "r")["runs"][()]
bad = [(int(r["run"]), r["status"], r["message"]) for r in runs if r["status"] != b"ok"]
assert len(runs) == 8 and not bad, bad
PY
    ko "a stop of usim-batch and its worker: exit $st: $(cat "$tmp/paused.out" "$tmp/py")"

# SIGTERM while a run never yields: the batch stops within the run's
# limit (not forever), the file stays resumable, --resume finishes it.
experiment c "1, 0" 3
"$bin" -q -j2 -o "$tmp/c.h5" "$tmp/c.cfg" >"$tmp/c.out" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
t0=$(date +%s)
( sleep 30; kill -KILL $pid 2>/dev/null ) &
guard=$!
wait $pid
st=$?
t1=$(date +%s)
kill $guard 2>/dev/null
[ $st -eq 143 ] && [ $((t1 - t0)) -lt 15 ] && ok ||
    ko "SIGTERM with a hung run: exit $st after $((t1 - t0)) s: $(cat "$tmp/c.out")"
expect "resume after SIGTERM" 1 "" timeout 60 "$bin" -q --resume -o "$tmp/c.h5" "$tmp/c.cfg"
check "$tmp/c.h5" "$tmp/ref.h5" "0,1 limit exceeded its wall-clock limit of 3 s" &&
    ok || ko "batch c: $(cat "$tmp/py")"

# The diagnostic modes run under the supervisor too: a loop and a NULL
# write in every pass are recorded (failed under every order and every
# way of running, so no output differs) and the comparison comes out.
experiment d "0, 1, 0, 2" 1
expect "--compare-orders with crashing and hanging runs" 1 \
    "run 6 crashed the worker: signal 11" timeout 120 "$bin" --compare-orders "$tmp/d.cfg"
grep -q "run 2 exceeded its wall-clock limit of 1 s" "$tmp/out" &&
    grep -q "^# no output depends on the turn order" "$tmp/out" &&
    grep -q "16 of the 8 x 4 runs did not end ok" "$tmp/out" && ok ||
    ko "--compare-orders: $(cat "$tmp/out")"
expect "--check-determinism with crashing and hanging runs" 1 \
    "run 7 crashed the worker: signal 11" timeout 120 "$bin" --check-determinism "$tmp/d.cfg"
grep -q "^# no output depends on whether a run runs alone" "$tmp/out" &&
    grep -q "12 of the runs (counted once per pass) did not end ok" "$tmp/out" && ok ||
    ko "--check-determinism: $(cat "$tmp/out")"
# kill -9 of usim-batch while its worker loops: the worker goes too (and
# the results directory it leaves is under $tmp).
experiment e "1" 60
TMPDIR=$tmp "$bin" -q --check-determinism "$tmp/e.cfg" >/dev/null 2>&1 &
pid=$!
i=0
workers=
while [ -z "$workers" ] && [ $i -lt 40 ]; do
    sleep 0.25
    workers=$(pgrep -P $pid)
    i=$((i + 1))
done
kill -KILL $pid
wait $pid 2>/dev/null
sleep 1
left=
for w in $workers; do
    # a killed worker no one has reaped yet is a zombie: it is gone
    state=$(ps -o stat= -p "$w" 2>/dev/null)
    if [ -n "$state" ] && [ "${state#Z}" = "$state" ]; then
        left="$left $w"
        kill -KILL "$w"
    fi
done
[ -n "$workers" ] && [ -z "$left" ] && ok ||
    ko "kill -9 of --check-determinism: workers '$workers', left running '$left'"

report
