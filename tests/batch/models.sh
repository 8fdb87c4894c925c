#!/bin/sh
# models.sh — the built-in models give known answers through usim-batch,
# and an interrupted experiment (SIGINT) stops cleanly and resumes.
#
#   drift: one task, three sleeps of 1.5 at resolution 0.2 (src/README.md's
#          example, Time): naive ends at 4.8 (drift 0.1 per sleep, final 0.3),
#          tracked at 4.6 (final 0.1), the periodic loop at 4.6, strict
#          fails the run.
#   mm1:   customers = N ends by itself with N served; at load 0.5 the mean
#          system time is 1/(mu - lambda) = 2 and the utilization 0.5
#          (M/M/1 theory; 200000 customers: within 3%).
#   fail:  each `how` gives its status (a setup error too); the scalar
#          `run_id` is the run id; a resumed file with failed runs still
#          exits 1 and lists the first five with their messages.
#   SIGINT during a run: exit 130, then --resume finishes with exit 0 and
#          the same datasets as an uninterrupted run (h5check cmp).
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
top_builddir=$(cd "$top_builddir" && pwd)
bin=$top_builddir/usim-batch
check=$top_builddir/tests/batch/h5check
command -v h5dump >/dev/null || { echo "models.sh: h5dump not found (hdf5-tools)"; exit 77; }
test_name=models.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$check"
cd "$tmp" || exit 99

# scalar FILE RUN NAME: the stored value.
scalar() {
    h5dump -d scalars "$1" | tr -s ' \n' ' ' |
        grep -o "{ $2, \"$3\", [^ ]* }" | sed 's/.*", \([^ ]*\) }/\1/'
}

# near NAME GOT WANT TOL: |GOT - WANT| <= TOL.
near() {
    if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
        ok
    else
        ko "$1: got '$2', expected $3 +- $4"
    fi
}

# run NAME STATUS ARGS...
run() {
    name=$1 want=$2
    shift 2
    "$bin" -q "$@" >out 2>err
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want: $(head -c 300 err)"; fi
}

# ---- drift ----------------------------------------------------------
for policy in naive tracked strict; do
    cat >drift_$policy.cfg <<CFG
model = "drift";
kernel: { resolution = 0.2; drift = "$policy"; };
parameters: { tasks = 1; period = 1.5; count = 3; periodic = [false, true]; };
CFG
done
run "drift naive" 0 -o naive.h5 drift_naive.cfg
near "naive end_time" "$(scalar naive.h5 0 end_time)" 4.8 1e-9
near "naive final_drift" "$(scalar naive.h5 0 final_drift)" 0.3 1e-9
near "naive max_abs_drift" "$(scalar naive.h5 0 max_abs_drift)" 0.1 1e-9
near "naive periodic end_time" "$(scalar naive.h5 1 end_time)" 4.6 1e-9
run "drift tracked" 0 -o tracked.h5 drift_tracked.cfg
near "tracked end_time" "$(scalar tracked.h5 0 end_time)" 4.6 1e-9
near "tracked final_drift" "$(scalar tracked.h5 0 final_drift)" 0.1 1e-9
run "drift strict" 1 -o strict.h5 drift_strict.cfg
if "$check" status strict.h5 | grep -q '^0 failed$'; then ok; else ko "strict: run 0 not failed: $("$check" status strict.h5)"; fi

# ---- mm1 ------------------------------------------------------------
cat >mm1_n.cfg <<'CFG'
model = "mm1";
replications = 3;
parameters: { customers = 1000; };
CFG
run "mm1 customers" 0 -o n.h5 mm1_n.cfg
for r in 0 1 2; do
    near "mm1 run $r customers_served" "$(scalar n.h5 $r customers_served)" 1000 0
done
cat >mm1_theory.cfg <<'CFG'
model = "mm1";
seed = 3;
parameters: { arrival_rate = 0.5; service_rate = 1.0; customers = 200000; };
CFG
run "mm1 theory" 0 -o theory.h5 mm1_theory.cfg
near "mm1 mean_system_time (theory 2)" "$(scalar theory.h5 0 mean_system_time)" 2.0 0.06
near "mm1 mean_wait (theory 1)" "$(scalar theory.h5 0 mean_wait)" 1.0 0.03
near "mm1 utilization (theory 0.5)" "$(scalar theory.h5 0 utilization)" 0.5 0.015
near "mm1 mean_queue_length (theory 0.5)" "$(scalar theory.h5 0 mean_queue_length)" 0.5 0.03

# mean_queue_length comes from the customers' waits (Little's identity,
# see models/mm1.c); integrating the queue_length trace (every change) is
# a second method.  `until` ends the run with customers still queued and
# one in service, which the identity must count too.
cat >mm1_area.cfg <<'CFG'
model = "mm1";
seed = 5;
until = 2000.5;
replications = 3;
parameters: { arrival_rate = 0.95; service_rate = 1.0; };
traces: { queue_length = { mode = "change"; }; };
CFG
run "mm1 area" 0 -o area.h5 mm1_area.cfg
if /usr/bin/python3 -c 'import h5py, numpy' 2>/dev/null; then
    if /usr/bin/python3 - area.h5 <<'PY'; then ok; else ko "mm1 mean_queue_length differs from the integrated trace"; fi
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
runs, sc = f["runs"][()], f["scalars"][()]
idx, tr = f["index/traces/queue_length"][()], f["traces/queue_length"][()]
bad = 0
for r in runs:
    run, end = int(r["run"]), float(r["end_time"])
    got = [s["value"] for s in sc if s["run"] == run and s["name"] == b"mean_queue_length"][0]
    i = [x for x in idx if x["run"] == run][0]
    rows = tr[int(i["start"]):int(i["start"]) + int(i["count"])]
    t = np.concatenate(([0.0], rows["t"], [end]))
    v = np.concatenate(([0.0], rows["value"]))
    want = float(np.sum(v * np.diff(t))) / end
    print("run %d: mean_queue_length %.12g, integrated trace %.12g" % (run, got, want))
    bad += abs(got - want) > 1e-9 * max(1.0, abs(want))
sys.exit(1 if bad else 0)
PY
fi

# ---- fail -----------------------------------------------------------
cat >fail.cfg <<'CFG'
model = "fail";
kernel: { resolution = 0.2; drift = "strict"; };
parameters: { how = { from = 0; to = 7; step = 1; }; steps = 2; };
limits: { events = 1000; };
CFG
run "fail" 1 -j 2 -o fail.h5 fail.cfg
"$check" status fail.h5 >got
printf '%s\n' "0 ok" "1 failed" "2 deadlock" "3 failed" "4 limit" "5 failed" "6 failed" \
    "7 failed" >want
if cmp -s got want; then ok; else ko "fail statuses: $(tr '\n' ',' <got)"; fi
for r in 0 3 6; do
    near "fail scalar run_id of run $r" "$(scalar fail.h5 $r run_id)" $r 0
done
# Resuming a finished file runs nothing; its failed runs still make exit 1,
# and the end lists the first five of them (runs of the earlier
# invocation) with their status and message, one line each.
run "resume of a file with failed runs" 1 --resume -o fail.h5 fail.cfg
"$bin" --resume -o fail.h5 fail.cfg 2>&1 | sed -n '/did not end ok/,$p' >got
cat >want <<'TXT'
usim-batch: 7 of the 8 runs in fail.h5 did not end ok; see /runs status and message
  run 1 (point 1, replication 0): failed: task 'body' failed at t=2: run 1 fails on purpose after 2 steps
  run 2 (point 2, replication 0): deadlock: deadlock at t=2: 1 task waits forever: 'body' on flag 'never'
  run 3 (point 3, replication 0): failed: stack overflow in task 'body' (64 KiB stack)
  run 4 (point 4, replication 0): limit: event limit of 1000 events reached at t=999
  run 5 (point 5, replication 0): failed: strict drift: task 'body' sleeps 0.3, which is 1.5 ticks at resolution 0.2 (not a whole number)
  ... and 2 more
TXT
if cmp -s got want; then ok; else ko "failed runs listed: $(cat got)"; fi

# ---- SIGINT and --resume -------------------------------------------
# 24 million customers: about 1.5 s at -j1, so the signal 0.2 s after the
# file appears comes in the middle of the batch.
cat >long.cfg <<'CFG'
model = "mm1";
replications = 60;
parameters: { customers = 400000; };
CFG
run "uninterrupted" 0 -j 1 -o whole.h5 long.cfg
"$bin" -q -j 1 -o cut.h5 long.cfg >out 2>err &
pid=$!
# Interrupt once the output exists (signals are caught from then on).
i=0
while [ ! -e cut.h5 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -INT $pid
wait $pid
status=$?
if [ $status -eq 130 ]; then ok; else ko "SIGINT: exit $status, expected 130: $(cat err)"; fi
if grep -q -- --resume err; then ok; else ko "SIGINT: no hint to --resume: $(cat err)"; fi
run "resume after SIGINT" 0 -j 2 --resume -o cut.h5 long.cfg
if why=$("$check" cmp whole.h5 cut.h5); then ok; else ko "interrupted+resumed differs: $why"; fi

report
