#!/bin/sh
# bad_configs.sh — usim-batch's answers to bad and good experiment files.
#
#   bad/NAME.cfg   `usim-batch --validate` must exit 2, print nothing on
#                  stdout and exactly the line of bad/NAME.expected on stderr.
#   good/NAME.cfg  `usim-batch --dry-run` must exit 0 and print exactly
#                  good/NAME.expected (the run ids, worked out by hand).
# plus: the example experiments of configs/ validate; usage errors exit 2, an existing output file
# is never overwritten without --force, --shard/--runs select the right runs.
# Prints one line per failure and a final "bad_configs.sh: N passed, N failed".
#
# Environment: top_builddir (where usim-batch is; default: the current
# directory, as under `make check`) and top_srcdir (default: this script's
# tree).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
test_name=bad_configs.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"

# expect STATUS NAME CMD... : CMD exits with STATUS.
expect() {
    want=$1 name=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want: $(head -c 300 "$tmp/err")"; fi
}

# Bad files: run from their directory so that messages name them as
# written in the .expected files.
cd "$top_srcdir/tests/batch/bad" || exit 99
for cfg in *.cfg; do
    name=${cfg%.cfg}
    "$bin" --validate "$cfg" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -ne 2 ]; then
        ko "bad/$cfg: exit status $status, expected 2"
    elif [ -s "$tmp/out" ]; then
        ko "bad/$cfg: printed on stdout: $(head -c 200 "$tmp/out")"
    elif ! cmp -s "$tmp/err" "$name.expected"; then
        ko "bad/$cfg: got '$(cat "$tmp/err")', expected '$(cat "$name.expected")'"
    else
        ok
    fi
done

cd "$top_srcdir/tests/batch/good" || exit 99
for exp in *.expected; do
    cfg=${exp%.expected}.cfg
    "$bin" --dry-run "$cfg" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -ne 0 ]; then
        ko "good/$cfg: exit status $status: $(cat "$tmp/err")"
    elif ! cmp -s "$tmp/out" "$exp"; then
        ko "good/$cfg: dry run differs from $exp:"
        diff "$tmp/out" "$exp" | head -10
    else
        ok
    fi
done

# The shipped example experiments stay valid.
for cfg in "$top_srcdir"/configs/*.cfg; do
    expect 0 "configs/$(basename "$cfg") validates" "$bin" --validate "$cfg"
done

# --force lifts the 10^7-run limit (validation only: nothing runs).
expect 0 "--force --validate huge_sweep" "$bin" --force --validate ../bad/huge_sweep.cfg

# Usage errors: exit 2, nothing written.
expect 2 "no experiment file" "$bin"
expect 2 "two experiment files" "$bin" tiny.cfg tiny.cfg
expect 2 "unknown option" "$bin" --frobnicate tiny.cfg
expect 2 "--threads 0" "$bin" -j 0 tiny.cfg
expect 2 "--shard 2/2" "$bin" --shard 2/2 -n tiny.cfg
expect 2 "--shard x" "$bin" --shard x -n tiny.cfg
expect 2 "--runs beyond the last run" "$bin" --runs 0-4 -n tiny.cfg
expect 2 "--runs garbage" "$bin" --runs 1,,x -n tiny.cfg
expect 2 "--resume with --force" "$bin" --resume --force tiny.cfg
expect 2 "missing experiment file" "$bin" --validate no-such-file.cfg
expect 0 "--help" "$bin" --help
expect 0 "--version" "$bin" --version
expect 0 "--list-models" "$bin" --list-models

# --shard 1/3 of 4 runs: run 1 only; with --runs 0-2,3: still 1.
"$bin" -n --shard 1/3 --runs 0-2,3 tiny.cfg | awk 'NR > 2 { print $1 }' >"$tmp/sel"
if [ "$(tr '\n' ' ' <"$tmp/sel")" = "1 " ]; then ok; else ko "--shard 1/3 --runs 0-2,3 selected: $(cat "$tmp/sel")"; fi
"$bin" -n --shard 0/2 tiny.cfg | awk 'NR > 2 { print $1 }' >"$tmp/sel"
if [ "$(tr '\n' ' ' <"$tmp/sel")" = "0 2 " ]; then ok; else ko "--shard 0/2 selected: $(cat "$tmp/sel")"; fi

# Bad input touches no output: the output named in the file is not created.
cd "$tmp" || exit 99
printf 'model = "mm1";\noutput: { file = "never.h5"; };\nreplications = 0;\n' >bad.cfg
expect 2 "bad file, output not created" "$bin" -q bad.cfg
if [ -e never.h5 ]; then ko "a bad experiment file created its output"; else ok; fi

# An existing output file is never overwritten without --force.
echo precious >existing.h5
expect 2 "existing output without --force" "$bin" -q -o existing.h5 "$top_srcdir/tests/batch/good/tiny.cfg"
if [ "$(cat existing.h5)" = precious ]; then ok; else ko "the existing output file was modified"; fi
if grep -q -- --force "$tmp/err"; then ok; else ko "the message does not mention --force: $(cat "$tmp/err")"; fi
expect 0 "existing output with --force" "$bin" -q --force -o existing.h5 "$top_srcdir/tests/batch/good/tiny.cfg"

report
