#!/bin/bash
# submit.sh — usim-submit end to end on a real single-node SLURM cluster
# (munged, slurmctld and slurmd from Debian, started here by slurmlib.sh
# and stopped by PID at the end, also on failure):
#   1. a 3-shard experiment with --wait: exit 0, and the merged file equals
#      a local usim-batch run of the same file; /shards names the SLURM ids;
#   2. an array task cancelled before it starts: the merge job still runs,
#      names the missing shard and the resume command, writes a partial
#      merge; --status says which shard; --resume --wait completes it and
#      the file equals the local run;
#   3. an array task cancelled while it runs: its journal keeps the runs it
#      did, --resume continues that shard (a second session in /shards) and
#      the file equals the local run;
#   4. --dry-run shows the array, the throttle, the resources and the
#      dependency, and writes nothing;
#   5. refusals (exit 2, nothing submitted): an output that exists, a
#      submission under way, more shards than runs or than MaxArraySize, a
#      partition the cluster does not have, an experiment file that does
#      not validate.
# Skips (exit 77) when no cluster can run here (not root, no slurm-wlm or
# munge), except under CI=true, where that is a failure.
#
#   submit.sh [BUILDDIR]   (default: $top_builddir, else build/)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=$(cd "${1:-${top_builddir:-$top_srcdir/build}}" 2>/dev/null && pwd) ||
    { echo "submit.sh: no build directory ${1:-${top_builddir:-$top_srcdir/build}}"; exit 99; }
test_name=submit.sh
# shellcheck source=slurmlib.sh
. "$here/slurmlib.sh"

why=$(slurm_skip_reason)
if [ -n "$why" ]; then
    echo "$test_name: skipped: $why"
    [ "${CI:-}" = true ] && { echo "$test_name: CI must run this test"; exit 1; }
    exit 77
fi
# shellcheck source=../batch/testlib.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$top_builddir/usim-batch" "$top_builddir/usim-merge" "$top_builddir/tests/batch/h5check"
trap 'slurm_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

export USIM_BATCH=$top_builddir/usim-batch USIM_MERGE=$top_builddir/usim-merge
submit=$top_srcdir/scripts/usim-submit
check=$top_builddir/tests/batch/h5check
py=/usr/bin/python3
t0=$SECONDS
step() { echo "$test_name: $((SECONDS - t0)) s: $*"; }

step "starting a single-node cluster in $tmp/slurm"
if ! slurm_start "$tmp/slurm"; then
    ko "the cluster did not start"
    report
    exit 1
fi
step "node $slurm_node idle"
cd "$tmp" || exit 99

# same NAME A B: A and B hold the same results.
same() {
    if why=$("$check" cmp "$2" "$3"); then ok; else ko "$1: $2 vs $3: $why"; fi
}
# array_id / merge_id WORKDIR: the array and merge job ids of the last submission.
array_id() { sed -n 's/.* array=\([0-9]*\).*/\1/p' "$1/jobs" | tail -n 1; }
merge_id() { sed -n 's/.* merge=\([0-9]*\).*/\1/p' "$1/jobs" | tail -n 1; }

# experiment NAME CUSTOMERS [TRACE]: 3 points x 4 replications of mm1
# (with the queue length traced unless TRACE is "no"), written to
# results/NAME.h5, relative to the directory of the submission.
experiment() {
    local trace='traces: { queue_length = { mode = "change"; }; };'
    [ "${3:-yes}" = yes ] || trace=
    cat >"$tmp/$1.cfg" <<EOF
model = "mm1";
replications = 4;
seed = 11;
parameters: { arrival_rate = [0.5, 0.7, 0.9]; customers = $2; };
$trace
output: { file = "results/$1.h5"; };
EOF
    "$USIM_BATCH" -q -o "$tmp/$1.local.h5" "$tmp/$1.cfg" || ko "local run of $1"
}

# ---- 1. three shards, --wait -----------------------------------------------
experiment one 2000
expect "submit --wait" 0 "submitted array job" "$submit" --shards 3 --wait "$tmp/one.cfg"
same "3 shards merged by the cluster" "$tmp/one.local.h5" "$tmp/results/one.h5"
[ -f "$tmp/results/one.slurm/shard-0002-of-0003.h5" ] && ls "$tmp"/results/one.slurm/logs/array-*_2.out >/dev/null 2>&1 &&
    ok || ko "shard files or logs missing: $(ls -R "$tmp/results/one.slurm" | head -c 400)"
expect "status after the merge" 0 "shards: 3 done, 0 running, 0 pending, 0 failed, 0 missing; runs done: 12 of 12" \
    "$submit" --status "$tmp/one.cfg"
grep -q "output: .*one.h5 is complete" "$tmp/out" && ok || ko "status: output not complete: $(cat "$tmp/out")"
if [ -x $py ] && $py -c 'import h5py' 2>/dev/null; then
    a=$(array_id "$tmp/results/one.slurm")
    $py - "$tmp/results/one.h5" "$a" >"$tmp/py" 2>&1 <<'PY' && ok || ko "/shards: $(cat "$tmp/py")"
import sys, h5py
rows = h5py.File(sys.argv[1], "r")["shards"][()]
got = sorted((int(r["shard_index"]), int(r["slurm_array_job_id"]), int(r["slurm_array_task_id"])) for r in rows)
want = [(i, int(sys.argv[2]), i) for i in range(3)]
assert got == want, (got, want)
assert all(int(r["slurm_job_id"]) > 0 and r["end"] for r in rows), rows
PY
fi
step "1: 3 shards merged"

# ---- 2. a task cancelled before it starts -----------------------------------
experiment two 300000
expect "submit, one task at a time" 0 "submitted array job" \
    "$submit" --shards 3 --array-limit 1 "$tmp/two.cfg"
w2=$tmp/results/two.slurm
a=$(array_id "$w2") m=$(merge_id "$w2")
scancel "${a}_2" || ko "scancel ${a}_2"
slurm_wait_job "$m" 120 || ko "the merge job $m did not end"
grep -q "shards missing or failed: 2" "$w2"/logs/merge-"$m".out &&
    grep -q "usim-submit --resume .*two.cfg" "$w2"/logs/merge-"$m".out && ok ||
    ko "the merge job's log does not name shard 2 and the resume command: $(cat "$w2"/logs/merge-"$m".out)"
[ "$(cat "$w2/merge-$m.exit" 2>/dev/null)" = 1 ] && ok || ko "merge job exit: $(cat "$w2/merge-$m.exit" 2>&1)"
[ "$("$check" status "$tmp/results/two.h5" | awk '$2 == "pending" { printf "%s ", $1 }')" = "2 5 8 11 " ] &&
    ok || ko "partial merge: pending runs are not 2 5 8 11"
# Cancelled before it started: no file, not queued.
expect "status names the cancelled shard" 0 "shards: 2 done, 0 running, 0 pending, 0 failed, 1 missing" \
    "$submit" --status "$tmp/two.cfg"
grep -q "shard 2: missing" "$tmp/out" && grep -q "usim-submit --resume" "$tmp/out" && ok ||
    ko "status: $(cat "$tmp/out")"
expect "resume --wait" 0 "resubmitting shards 2 of 3" "$submit" --resume --wait "$tmp/two.cfg"
same "cancelled shard resumed" "$tmp/two.local.h5" "$tmp/results/two.h5"
expect "resume of a complete experiment" 0 "nothing to resubmit" "$submit" --resume "$tmp/two.cfg"
step "2: cancelled shard resubmitted"

# ---- 3. a task cancelled while it runs ----------------------------------------
experiment three 2000000 no
expect "submit two shards" 0 "submitted array job" "$submit" --shards 2 "$tmp/three.cfg"
w3=$tmp/results/three.slurm
a=$(array_id "$w3") m=$(merge_id "$w3")
j=$w3/shard-0001-of-0002.h5.journal
# Wait for shard 1's first finished run in its journal, then cancel it.
size0=
for _ in $(seq 600); do
    if [ -f "$j" ]; then
        s=$(stat -c %s "$j")
        [ -n "$size0" ] || size0=$s
        [ "$s" -gt "$size0" ] && break
    fi
    sleep 0.05
done
[ -n "$size0" ] && [ "$(stat -c %s "$j" 2>/dev/null || echo 0)" -gt "$size0" ] && ok ||
    ko "shard 1 recorded no run in time"
scancel "${a}_1" || ko "scancel ${a}_1"
slurm_wait_job "$m" 120 || ko "the merge job $m did not end"
grep -q "shards missing or failed: 1" "$w3"/logs/merge-"$m".out && ok ||
    ko "merge log: $(cat "$w3"/logs/merge-"$m".out)"
# Cancelled while it ran: its file is there, incomplete.
expect "status names the killed shard" 0 "shard 1: failed" "$submit" --status "$tmp/three.cfg"
[ -f "$j" ] && ok || ko "the cancelled shard left no journal"
expect "resume --wait after a kill" 0 "resubmitting shards 1 of 2" "$submit" --resume --wait "$tmp/three.cfg"
same "killed shard resumed" "$tmp/three.local.h5" "$tmp/results/three.h5"
if [ -x $py ] && $py -c 'import h5py' 2>/dev/null; then
    $py - "$tmp/results/three.h5" >"$tmp/py" 2>&1 <<'PY' && ok || ko "resumed shard's sessions: $(cat "$tmp/py")"
import sys, h5py
rows = h5py.File(sys.argv[1], "r")["shards"][()]
one = [r for r in rows if int(r["shard_index"]) == 1]
assert len(one) == 2, rows                      # cancelled, then resumed
assert not one[0]["end"] and one[1]["end"], one  # the first never finished
assert int(one[0]["runs"]) + int(one[1]["runs"]) == 6, one  # nothing run twice
assert int(one[0]["slurm_array_job_id"]) != int(one[1]["slurm_array_job_id"]), one
PY
fi
step "3: killed shard continued from its journal"

# ---- 4. --dry-run ------------------------------------------------------------
expect "dry run" 0 "" "$submit" --dry-run --shards 3 --array-limit 2 --time 0:30:00 \
    --mem 200M --cpus-per-task 2 --partition debug -o "$tmp/dry/x.h5" "$tmp/one.cfg"
for want in "--array=0-2%2" "--dependency=afterany:" "#SBATCH --time=0:30:00" "#SBATCH --mem=200M" \
    "#SBATCH --cpus-per-task=2" "#SBATCH --partition=debug" "--shard \"\$shard/3\"" \
    "#SBATCH --requeue"; do
    grep -qF -- "$want" "$tmp/out" && ok || ko "dry run lacks '$want'"
done
[ ! -e "$tmp/dry" ] && ok || ko "--dry-run wrote $tmp/dry"

# ---- 5. refusals -------------------------------------------------------------
expect "output exists" 2 "one.h5: exists" "$submit" --shards 3 "$tmp/one.cfg"
experiment five 100
expect "submission under way" 0 "" "$submit" --shards 2 --array-limit 1 "$tmp/five.cfg"
rm -f "$tmp/results/five.h5"
expect "a second submission" 2 "a submission of this output is there already" "$submit" "$tmp/five.cfg"
expect "resume while queued" 2 "" "$submit" --resume "$tmp/five.cfg"
slurm_wait_job "$(merge_id "$tmp/results/five.slurm")" 60 || ko "five's merge did not end"
expect "more shards than runs" 2 "13 shards for 12 runs" "$submit" --shards 13 -o "$tmp/x.h5" "$tmp/one.cfg"
expect "an unknown partition" 2 "sbatch refused" "$submit" --partition nosuch -o "$tmp/x.h5" "$tmp/one.cfg"
[ ! -e "$tmp/x.slurm" ] && [ -z "$(squeue -h -n usim-x)" ] && ok || ko "a refused submission left a trace"
printf 'model = "mm1";\nreplications = 0;\n' >"$tmp/bad.cfg"
expect "a bad experiment" 2 "does not validate" "$submit" "$tmp/bad.cfg"
printf 'model = "mm1";\nreplications = 10002;\nparameters: { customers = 1; };\n' >"$tmp/many.cfg"
expect "more shards than MaxArraySize" 2 "MaxArraySize is 10001" "$submit" --shards 10002 --dry-run "$tmp/many.cfg"
step "4, 5: dry run and refusals"

ours=$(slurm_pids | tr '\n' ' ')
slurm_stop || ko "slurm_stop"
left=
for p in $ours; do [ -e "/proc/$p" ] && left="$left $p"; done
[ -z "$left" ] && ok || ko "processes left after slurm_stop:$left"
step "cluster stopped"
report
