#!/bin/sh
# submit.sh — usim-submit without a cluster: on a machine without sbatch
# it refuses to submit (exit 2, nothing written) but --dry-run shows the
# two job scripts and the sbatch commands; its options are checked before
# anything happens.  The runs on a real SLURM are tests/cluster/submit.sh.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
submit=$top_srcdir/scripts/usim-submit
test_name=submit.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$top_builddir/usim-batch" "$top_builddir/usim-merge" "$submit"

# A PATH like this machine's, without SLURM's commands, and with this
# build's usim-batch and usim-merge (not an installed copy).
mkdir "$tmp/bin"
for d in /usr/local/bin /usr/bin /bin; do
    for f in "$d"/*; do
        n=${f##*/}
        case $n in
        sbatch | squeue | scancel | scontrol | sacct | sinfo | srun) continue ;;
        usim-batch | usim-merge | usim-submit) continue ;;
        esac
        [ -e "$tmp/bin/$n" ] || ln -s "$f" "$tmp/bin/$n"
    done
done
ln -s "$(cd "$top_builddir" && pwd)/usim-batch" "$tmp/bin/usim-batch"
ln -s "$(cd "$top_builddir" && pwd)/usim-merge" "$tmp/bin/usim-merge"

# usim-submit ARGS in the experiment's directory, with that PATH.
submit() { (cd "$tmp/work" && PATH=$tmp/bin bash "$submit" "$@"); }

mkdir "$tmp/work"
cat >"$tmp/work/exp.cfg" <<'EOF'
model = "mm1";
replications = 5;
parameters: { arrival_rate = [0.5, 0.9]; customers = 100; };
output: { file = "results/exp.h5"; };
EOF

expect "no sbatch" 2 "sbatch not found on PATH" submit exp.cfg
[ ! -e "$tmp/work/results" ] && ok || ko "a refused submission wrote $tmp/work/results"

expect "dry run without sbatch" 0 "" submit --dry-run --shards 4 --array-limit 3 --time 1-00:00 \
    --mem 2G --merge-mem 500M --cpus-per-task 2 --account proj --qos low \
    --sbatch=--constraint=avx2 exp.cfg
for want in "10 runs in 4 shards" "--array=0-3%3" "--dependency=afterany:ARRAY_JOB_ID" \
    "--constraint=avx2" "#SBATCH --time=1-00:00" "#SBATCH --mem=2G" "#SBATCH --mem=500M" \
    "#SBATCH --cpus-per-task=2" "#SBATCH --account=proj" "#SBATCH --qos=low" \
    "shard-%04d-of-%04d.h5" "--shard \"\$shard/4\"" "--resume" "$tmp/work/results/exp.slurm/logs/array-%A_%a.out" \
    "--merge $tmp/work/exp.cfg"; do
    grep -qF -- "$want" "$tmp/out" && ok || ko "dry run lacks '$want'"
done
[ ! -e "$tmp/work/results" ] && ok || ko "--dry-run wrote $tmp/work/results"

# The default split: one shard per run up to 100, a run per CPU at least.
expect "default shards" 0 "10 runs in 10 shards" submit --dry-run exp.cfg
expect "default shards, 4 CPUs" 0 "10 runs in 3 shards (4 runs at most" submit --dry-run --cpus-per-task 4 exp.cfg
expect "runs per shard" 0 "10 runs in 4 shards (3 runs at most" submit --dry-run --runs-per-shard 3 exp.cfg

# Options and the experiment are checked first.
expect "more shards than runs" 2 "11 shards for 10 runs" submit --dry-run --shards 11 exp.cfg
expect "shards and runs per shard" 2 "not both" submit --dry-run --shards 2 --runs-per-shard 2 exp.cfg
expect "zero shards" 2 "expected a whole number" submit --dry-run --shards 0 exp.cfg
expect "bad time" 2 "--time: expected" submit --dry-run --time 3h exp.cfg
expect "bad memory" 2 "--mem: expected" submit --dry-run --mem lots exp.cfg
expect "reserved sbatch option" 2 "sets that itself" submit --dry-run --sbatch=--array=0-3 exp.cfg
expect "unknown option" 2 "unknown option '--frobnicate'" submit --frobnicate exp.cfg
expect "no experiment" 2 "no experiment file given" submit
expect "missing experiment" 2 "no such experiment file" submit nothere.cfg
printf 'model = "mm1";\nreplicatoins = 3;\n' >"$tmp/work/bad.cfg"
expect "bad experiment" 2 "did you mean 'replications'" submit --dry-run bad.cfg
expect "status of nothing submitted" 2 "nothing was submitted" submit --status exp.cfg
mkdir -p "$tmp/work/results" && : >"$tmp/work/results/exp.h5"
expect "output exists" 2 "exp.h5: exists" submit --dry-run exp.cfg
expect "help" 0 "Usage: usim-submit" submit --help
expect "version" 0 "usim-submit (usim) [0-9]" submit --version

report
