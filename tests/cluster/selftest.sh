#!/bin/bash
# selftest.sh — tests/cluster/slurmlib.sh against a real SLURM: starts a
# single-node cluster in a fresh directory and checks that
#   (a) sbatch --wait --wrap hostname exits 0 and writes its output file;
#   (b) an array --array=0-2%2 runs its three tasks, and a job with
#       --dependency=afterany:<array> runs after all of them;
#   (c) cancelling one task (scancel <array>_1) of an array does not keep
#       the afterany job from running;
#   (d) SLURM_CPUS_PER_TASK is set in a job submitted with --cpus-per-task;
# then stops the cluster while a job runs, and checks that no process it
# started (daemons, slurmstepd, the job's) is left.  Skips (exit 77) when
# the cluster cannot run here (see slurm_skip_reason).
set -u
here=$(cd "$(dirname "$0")" && pwd)
test_name=selftest.sh
# shellcheck source-path=SCRIPTDIR source=slurmlib.sh
. "$here/slurmlib.sh"

why=$(slurm_skip_reason)
if [ -n "$why" ]; then
    echo "$test_name: skipped: $why"
    exit 77
fi

# ok, ko, report and $tmp (a fresh directory).
# shellcheck source=../batch/testlib.sh
. "$here/../batch/testlib.sh"
# step TEXT: prints TEXT with the seconds since the start.
t0=$(date +%s%N)
step() { printf '%s: %5.1f s  %s\n' "$test_name" "$((($(date +%s%N) - t0) / 1000000))e-3" "$*"; }

trap 'slurm_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
before=$(pgrep -d ' ' -f slurmstepd)

step "starting the cluster in $tmp"
slurm_start "$tmp/cluster" || {
    ko "slurm_start"
    report
    exit 1
}
step "node $slurm_node idle (ports $slurm_ctld_port, $slurm_d_port)"
work=$tmp/jobs
mkdir "$work" && cd "$work" || exit 99

# (a) A trivial job with --wait: sbatch polls the controller 2 s after the
# submission, so this takes 2 s.
if sbatch --wait --quiet -o "$work/a.out" --wrap hostname; then ok; else ko "(a) sbatch --wait exit $?"; fi
if [ "$(cat "$work/a.out" 2>/dev/null)" = "$(hostname)" ]; then ok; else
    ko "(a) a.out is '$(head -c 200 "$work/a.out" 2>/dev/null)', not '$(hostname)'"
fi
step "(a) sbatch --wait done"

# (b) Array, at most 2 tasks at a time, then an afterany job that sees the
# three tasks' files.
arr=$(sbatch --parsable --array=0-2%2 -o /dev/null \
    --wrap "echo \$SLURM_ARRAY_TASK_ID >$work/b.\$SLURM_ARRAY_TASK_ID")
dep=$(sbatch --parsable --dependency=afterany:"$arr" -o /dev/null \
    --wrap "cat $work/b.0 $work/b.1 $work/b.2 >$work/b.after")
case $arr.$dep in
*[!0-9.]* | .* | *.) ko "(b) sbatch --parsable printed '$arr' and '$dep'" ;;
*) ok ;;
esac
if slurm_wait_job "$dep" 60; then ok; else ko "(b) job $dep still queued"; fi
for i in 0 1 2; do
    if [ "$(cat "$work/b.$i" 2>/dev/null)" = "$i" ]; then ok; else ko "(b) task $i wrote '$(cat "$work/b.$i" 2>/dev/null)'"; fi
done
after=$(tr '\n' ' ' <"$work/b.after" 2>/dev/null)
if [ "$after" = "0 1 2 " ]; then ok; else
    ko "(b) the afterany job saw '$after', not all three tasks"
fi
step "(b) array + afterany done"

# (c) Task 1 sleeps until cancelled; the other two end at once.  The
# cancel may reach the sleep before the shell around it: a killed sleep
# then ends the script too, before it writes its file.
arr=$(sbatch --parsable --array=0-2 -o /dev/null \
    --wrap "if [ \$SLURM_ARRAY_TASK_ID = 1 ]; then sleep 300 || exit 1; fi; echo \$SLURM_ARRAY_TASK_ID >$work/c.\$SLURM_ARRAY_TASK_ID")
dep=$(sbatch --parsable --dependency=afterany:"$arr" -o /dev/null --wrap "echo ran >$work/c.after")
# Cancel task 1 once it runs (the sleep is then its own process).
for _ in $(seq 100); do
    [ "$(squeue -h -j "${arr}_1" -o %t 2>/dev/null)" = R ] && break
    sleep 0.1
done
if scancel "${arr}_1"; then ok; else ko "(c) scancel ${arr}_1 exit $?"; fi
if slurm_wait_job "$dep" 60; then ok; else ko "(c) job $dep still queued"; fi
if [ -e "$work/c.0" ] && [ -e "$work/c.2" ] && [ ! -e "$work/c.1" ]; then ok; else
    ko "(c) task files: $(cd "$work" && echo c.[0-9]*)"
fi
if [ "$(cat "$work/c.after" 2>/dev/null)" = ran ]; then ok; else ko "(c) the afterany job did not run"; fi
state=$(scontrol -o show job "${arr}_1" 2>/dev/null | grep -o 'JobState=[A-Z]*')
if [ "$state" = JobState=CANCELLED ]; then ok; else ko "(c) task 1: '$state', not JobState=CANCELLED"; fi
step "(c) scancel of one task + afterany done"

# (d) --cpus-per-task (2, or 1 on a one-CPU machine).
cpt=2
[ "$(nproc)" -ge 2 ] || cpt=1
if sbatch --wait --quiet --cpus-per-task=$cpt -o /dev/null \
    --wrap "echo \${SLURM_CPUS_PER_TASK:-unset} >$work/d.out"; then ok; else ko "(d) sbatch --wait exit $?"; fi
if [ "$(cat "$work/d.out" 2>/dev/null)" = "$cpt" ]; then ok; else
    ko "(d) SLURM_CPUS_PER_TASK is '$(cat "$work/d.out" 2>/dev/null)', not $cpt"
fi
step "(d) --cpus-per-task done"

# Stop while a job runs: its slurmstepd and its sleep must go too.
run=$(sbatch --parsable -o /dev/null --wrap "sleep 301")
for _ in $(seq 100); do
    [ "$(squeue -h -j "$run" -o %t 2>/dev/null)" = R ] && pgrep -f 'sleep 301' >/dev/null && break
    sleep 0.1
done
pids=$(slurm_pids)
if [ "$(echo "$pids" | wc -w)" -ge 5 ]; then ok; else ko "slurm_pids lists only: $(echo "$pids" | paste -sd ' ' -)"; fi
if slurm_stop; then ok; else ko "slurm_stop exit $?"; fi
step "cluster stopped"
left=
for p in $pids; do [ -e "/proc/$p" ] && left="$left $p($(cat "/proc/$p/comm" 2>/dev/null))"; done
if [ -z "$left" ]; then ok; else ko "still there after slurm_stop:$left"; fi
# A slurmstepd that was not there before is ours if its environment names
# our directory, or if it is a zombie (its environment is gone): another
# cluster's may come and go meanwhile.
left=
for p in $(pgrep -f slurmstepd); do
    case " $before " in *" $p "*) continue ;; esac
    if [ ! -s "/proc/$p/environ" ] || grep -qzF "$tmp" "/proc/$p/environ" 2>/dev/null; then
        left="$left $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
    fi
done
if [ -z "$left" ]; then ok; else ko "slurmstepd after slurm_stop:$left"; fi
# A job's sleep inherited the test's environment (SLURM_CONF names $tmp);
# a sleep elsewhere on the machine is not the test's.  No environment at
# all: a zombie, counted as ours.
left=
for p in $(pgrep -f 'sleep 30[01]'); do
    env=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null)
    case $env in "" | *"$tmp"*) left="$left $p" ;; esac
done
if [ -z "$left" ]; then ok; else ko "a job's sleep survived:$left"; fi
if slurm_stop; then ok; else ko "second slurm_stop exit $?"; fi
report
