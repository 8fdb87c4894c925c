#!/bin/sh
# merge.sh — usim-merge refuses what it must before writing anything, and
# records provenance: shards of another configuration, of a rebuilt model
# plugin, of another usim version or format, a run held twice, missing
# runs without --partial, an output that exists, is a directory or is an
# input; --partial plus the missing shard gives the whole; --status; a
# SIGKILL while merging never leaves a half file as the output; the
# provenance attributes and the /shards records of every shard; resuming a
# shard file with another --shard is refused.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
bin=$top_builddir/usim-batch
merge=$top_builddir/usim-merge
check=$top_builddir/tests/batch/h5check
plugin=$top_builddir/tests/batch/.libs/plugin_model.so
test_name=merge.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$merge" "$check"

cat >"$tmp/a.cfg" <<'EOF'
model = "mm1";
replications = 4;
seed = 5;
parameters: { arrival_rate = [0.5, 0.8]; customers = 200; };
traces: { queue_length = { mode = "change"; }; };
EOF
sed 's/seed = 5;/seed = 6;/' "$tmp/a.cfg" >"$tmp/b.cfg"
"$bin" -q -o "$tmp/full.h5" "$tmp/a.cfg" || ko "full run"
for i in 0 1 2; do
    "$bin" -q --shard $i/3 -o "$tmp/a$i.h5" "$tmp/a.cfg" || ko "shard $i"
done
"$bin" -q --shard 1/3 -o "$tmp/b1.h5" "$tmp/b.cfg" || ko "shard b1"

expect "another configuration" 2 "not shards of one experiment: the experiment configuration differs" \
    "$merge" "$tmp/x.h5" "$tmp/a0.h5" "$tmp/b1.h5" "$tmp/a2.h5"
[ ! -e "$tmp/x.h5" ] && [ ! -e "$tmp/x.h5.tmp" ] && ok || ko "a refused merge wrote a file"
expect "a shard twice" 2 "a1.h5 and .*a1.h5 both hold runs 1, 4, 7" \
    "$merge" "$tmp/x.h5" "$tmp/a0.h5" "$tmp/a1.h5" "$tmp/a2.h5" "$tmp/a1.h5"
expect "a missing shard" 2 "shard 1/3: no file given; its 3 runs are missing: 1, 4, 7" \
    "$merge" "$tmp/x.h5" "$tmp/a0.h5" "$tmp/a2.h5"
[ ! -e "$tmp/x.h5" ] && ok || ko "a refused merge wrote $tmp/x.h5"

# --partial: exit 1, the missing runs pending; plus the missing shard, whole.
expect "--partial" 1 "shard 1/3: no file given; its 3 runs are pending in the merged file" \
    "$merge" --partial "$tmp/p.h5" "$tmp/a0.h5" "$tmp/a2.h5"
[ "$("$check" status "$tmp/p.h5" | awk '$2 == "pending" { printf "%s ", $1 }')" = "1 4 7 " ] &&
    ok || ko "--partial: pending runs are not 1 4 7: $("$check" status "$tmp/p.h5" | tr '\n' ' ')"
expect "partial + shard" 0 "" "$merge" "$tmp/m.h5" "$tmp/p.h5" "$tmp/a1.h5"
why=$("$check" cmp "$tmp/full.h5" "$tmp/m.h5") && ok || ko "partial + shard differs: $why"

# The output: never replaced without --force, never a directory or an input.
expect "output exists" 2 "m.h5: exists (use --force" \
    "$merge" "$tmp/m.h5" "$tmp/a0.h5" "$tmp/a1.h5" "$tmp/a2.h5"
expect "--force" 0 "" "$merge" --force "$tmp/m.h5" "$tmp/a0.h5" "$tmp/a1.h5" "$tmp/a2.h5"
mkdir "$tmp/dir"
expect "output is a directory" 2 "is a directory" \
    "$merge" --force "$tmp/dir" "$tmp/a0.h5" "$tmp/a1.h5" "$tmp/a2.h5"
[ -z "$(ls -A "$tmp/dir")" ] && ok || ko "a merge onto a directory left files in it"
expect "output is an input" 2 "is also an input" \
    "$merge" --force "$tmp/a1.h5" "$tmp/a0.h5" "$tmp/a1.h5" "$tmp/a2.h5"

# Another usim version, another output format.
cp "$tmp/a1.h5" "$tmp/v1.h5"
"$check" setattr "$tmp/v1.h5" usim_version 0.1.9 || ko "setattr"
expect "another version" 2 "written by different usim versions" \
    "$merge" "$tmp/x.h5" "$tmp/a0.h5" "$tmp/v1.h5" "$tmp/a2.h5"
cp "$tmp/a1.h5" "$tmp/f1.h5"
"$check" setattr "$tmp/f1.h5" format_version 1 || ko "setattr"
expect "another format" 2 "output format 1" \
    "$merge" "$tmp/x.h5" "$tmp/a0.h5" "$tmp/f1.h5" "$tmp/a2.h5"
# A shard of format 4 opens, but lacks what the merged file of format 5
# holds (parameter types, units, help): refused, nothing written.
cp "$tmp/a1.h5" "$tmp/f4.h5"
"$check" setattr "$tmp/f4.h5" format_version 4 || ko "setattr"
expect "a format-4 shard" 2 "f4.h5: written in usim's output format 4; usim-merge writes format 5" \
    "$merge" "$tmp/x.h5" "$tmp/a0.h5" "$tmp/f4.h5" "$tmp/a2.h5"
[ ! -e "$tmp/x.h5" ] && ok || ko "a refused merge wrote its output"
# A git revision that differs is reported, not refused.
cp "$tmp/a1.h5" "$tmp/g1.h5"
"$check" setattr "$tmp/g1.h5" git_revision 0123456789ab || ko "setattr"
expect "another git revision" 0 "different builds of usim" \
    "$merge" "$tmp/g.h5" "$tmp/a0.h5" "$tmp/g1.h5" "$tmp/a2.h5"

# --status, one key=value line per file.
"$merge" --status "$tmp/a1.h5" "$tmp/p.h5" >"$tmp/st" 2>&1
[ "$(sed -n 1p "$tmp/st" | sed 's/ config_sha256=.*//')" = \
    "file=$tmp/a1.h5 shard_index=1 shard_count=3 nruns=8 runs=3 done=3 not_ok=0 complete=1 journal=0" ] &&
    [ "$(sed -n 2p "$tmp/st" | sed 's/.* runs=\([0-9]*\) done=\([0-9]*\) .* complete=\([01]\).*/\1 \2 \3/')" = "8 5 0" ] &&
    ok || ko "--status: $(cat "$tmp/st")"

# Provenance: the build, the configuration and its hash, every shard's record.
host=$(hostname)
[ "$("$check" attr "$tmp/m.h5" usim_version)" = "$("$bin" --version | sed 's/.* //')" ] &&
    [ -n "$("$check" attr "$tmp/m.h5" git_revision)" ] &&
    "$check" attr "$tmp/m.h5" compiler | grep -q . &&
    "$check" attr "$tmp/m.h5" cflags | grep -q -- '-O\|-g' &&
    [ "$("$check" attr "$tmp/m.h5" config_sha256)" = "$(sha256sum <"$tmp/a.cfg" | cut -d' ' -f1)" ] &&
    [ "$("$check" attr "$tmp/m.h5" shard_count)" = 1 ] &&
    ok || ko "provenance attributes of the merged file"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    /usr/bin/python3 - "$tmp/m.h5" "$host" >"$tmp/py" 2>&1 <<'PY' && ok || ko "/shards of the merged file: $(cat "$tmp/py")"
import sys, h5py
rows = h5py.File(sys.argv[1], "r")["shards"][()]
assert [(int(r["shard_index"]), int(r["shard_count"])) for r in rows] == [(0, 3), (1, 3), (2, 3)], rows
assert all(r["host"].decode() == sys.argv[2] for r in rows), rows
assert all(r["end"] >= r["start"] and r["end"] for r in rows), rows
assert [int(r["runs"]) for r in rows] == [3, 3, 2], rows
assert all(int(r["slurm_job_id"]) == -1 for r in rows), rows
PY
fi
# SLURM ids come from the environment.
SLURM_JOB_ID=77 SLURM_ARRAY_JOB_ID=70 SLURM_ARRAY_TASK_ID=2 \
    "$bin" -q --shard 2/3 -o "$tmp/slurm.h5" "$tmp/a.cfg" || ko "shard with SLURM ids"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    /usr/bin/python3 -c '
import sys, h5py
r = h5py.File(sys.argv[1], "r")["shards"][0]
assert (int(r["slurm_job_id"]), int(r["slurm_array_job_id"]), int(r["slurm_array_task_id"])) == (77, 70, 2), r
' "$tmp/slurm.h5" >"$tmp/py" 2>&1 && ok || ko "SLURM ids: $(cat "$tmp/py")"
fi

# A plugin rebuilt between two shards: refused, naming the hash.
if [ -f "$plugin" ]; then
    cp "$plugin" "$tmp/model.so"
    printf 'model = "model.so";\nreplications = 4;\nseed = 3;\n' >"$tmp/p.cfg"
    "$bin" -q --shard 0/2 -o "$tmp/q0.h5" "$tmp/p.cfg" || ko "plugin shard 0"
    [ "$("$check" attr "$tmp/q0.h5" model_sha256)" = "$(sha256sum <"$tmp/model.so" | cut -d' ' -f1)" ] &&
        [ "$("$check" attr "$tmp/q0.h5" model_path)" = "$(readlink -f "$tmp/model.so")" ] &&
        ok || ko "model_sha256 / model_path of a plugin"
    printf 'rebuilt' >>"$tmp/model.so" # still loads; another file
    "$bin" -q --shard 1/2 -o "$tmp/q1.h5" "$tmp/p.cfg" || ko "plugin shard 1"
    expect "a rebuilt plugin" 2 "plugin was rebuilt or replaced" \
        "$merge" "$tmp/q.h5" "$tmp/q0.h5" "$tmp/q1.h5"
    # ... and resuming a shard with the rebuilt plugin is refused too.
    expect "resume with a rebuilt plugin" 2 "rebuilt or replaced" \
        "$bin" -q --resume --shard 0/2 -o "$tmp/q0.h5" "$tmp/p.cfg"
else
    ko "no $plugin (make check builds it)"
fi

# Resuming a shard file with another --shard, or without one: refused.
expect "resume another shard" 2 "holds shard 1/3 of this experiment, not shard 2/3" \
    "$bin" -q --resume --shard 2/3 -o "$tmp/a1.h5" "$tmp/a.cfg"
expect "resume a shard unsharded" 2 "holds shard 1/3 of this experiment, not all its runs" \
    "$bin" -q --resume -o "$tmp/a1.h5" "$tmp/a.cfg"

# SIGKILL while merging: the output is the old file or none, never half.
cat >"$tmp/big.cfg" <<'EOF'
model = "mm1";
replications = 40;
seed = 9;
parameters: { arrival_rate = [0.5, 0.7, 0.9]; customers = 3000; };
traces: { queue_length = { mode = "change"; }; };
EOF
i=0
while [ $i -lt 8 ]; do
    "$bin" -q -j2 --shard $i/8 -o "$tmp/big$i.h5" "$tmp/big.cfg" || ko "big shard $i"
    i=$((i + 1))
done
"$merge" "$tmp/big.h5" "$tmp"/big?.h5 || ko "big merge"
cp "$tmp/big.h5" "$tmp/big.ref.h5"
for delay in 0.05 0.15 0.3 0.5; do
    "$merge" --force "$tmp/big.h5" "$tmp"/big?.h5 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    why=$("$check" cmp "$tmp/big.ref.h5" "$tmp/big.h5") && ok ||
        ko "kill after ${delay}s: the output is not the old file: $why"
    rm -f "$tmp/big.h5.tmp"
    "$merge" "$tmp/new.h5" "$tmp"/big?.h5 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -e "$tmp/new.h5" ]; then
        why=$("$check" cmp "$tmp/big.ref.h5" "$tmp/new.h5") && ok ||
            ko "kill after ${delay}s: a new output is there but incomplete: $why"
    else
        ok
    fi
    rm -f "$tmp/new.h5" "$tmp/new.h5.tmp"
done

report
