#!/bin/sh
# statecheck.sh — usim-batch --check-determinism catches a model that keeps
# state in a static variable (static_model.so: its scalar `share` depends
# on the runs before it in the process), names that output and only that
# one, exits 1 and writes no file; a model without such state passes
# (exit 0); and it takes no --output.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
bin=$top_builddir/usim-batch
test_name=statecheck.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
cp "$top_builddir/tests/batch/.libs/static_model.so" "$tmp/static.so" || ko "no static_model.so"
cp "$top_builddir/tests/batch/.libs/plugin_model.so" "$tmp/pool.so" || ko "no plugin_model.so"
cd "$tmp" || exit 99

printf 'model = "static.so";\nreplications = 3;\nparameters: { steps = [2, 5, 9]; };\n' >static.cfg
expect "a model with static state" 1 "# depend on whether a run runs alone or beside others: scalar share$" \
    "$bin" -q --check-determinism static.cfg
grep -q "^scalar end_time  *0$" "$tmp/out" && grep -q "^scalar share  *[1-9]" "$tmp/out" &&
    grep -q "static or global variables" "$tmp/out" && ok || ko "the table: $(cat "$tmp/out")"
[ -z "$(ls "$tmp" | grep '\.h5')" ] && ok || ko "--check-determinism wrote a file"

printf 'model = "pool.so";\nreplications = 4;\nparameters: { workers = [1, 3, 7]; };\n' >pool.cfg
expect "a model without static state" 0 "# no output depends on whether a run runs alone" \
    "$bin" -q --check-determinism pool.cfg
# The built-in models pass (they keep their state per run).
expect "mm1" 0 "# no output depends" "$bin" -q --check-determinism "$top_srcdir/configs/quickstart.cfg"
expect "a sample of a large sweep" 0 "16 of the 40 selected runs" \
    "$bin" -q --check-determinism --runs 0-39 "$top_srcdir/configs/mm1.cfg"
expect "no --output" 2 "writes no file" "$bin" -q --check-determinism -o x.h5 pool.cfg
report
