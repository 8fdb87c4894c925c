#!/bin/sh
# plugin.sh — a model plugin (tests/batch/plugin_model.c, built as a shared
# object) runs under usim-batch: `model = "../plugins/pool.so"` resolves
# relative to the experiment file, not the current directory, and so does a
# bare "here.so"; the run's
# scalar matches the known answer; --list-models describes a plugin; a
# shared object without usim_model_entry is a bad experiment file (exit 2).
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
so=$top_builddir/tests/batch/.libs/plugin_model.so
test_name=plugin.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$so"

mkdir "$tmp/plugins" "$tmp/exp" "$tmp/elsewhere"
cp "$so" "$tmp/plugins/pool.so"
cat >"$tmp/exp/pool.cfg" <<'CFG'
model = "../plugins/pool.so";
replications = 2;
parameters: { workers = 3; capacity = 2; jobs = [2, 3]; };
CFG
# Known answers: ceil(3 * 2 / 2) = 3 and ceil(3 * 3 / 2) = 5.
cd "$tmp/elsewhere" || exit 99
if "$bin" -q -o out.h5 ../exp/pool.cfg 2>err; then ok; else ko "plugin run: exit $?: $(cat err)"; fi
h5dump -d scalars out.h5 2>/dev/null | tr -s ' \n' ' ' | grep -o '{ [0-9]*, "end_time", [0-9.e+-]* }' >got
printf '%s\n' '{ 0, "end_time", 3 }' '{ 1, "end_time", 3 }' '{ 2, "end_time", 5 }' \
    '{ 3, "end_time", 5 }' >want
if cmp -s got want; then ok; else ko "end_time scalars: got $(tr '\n' ' ' <got)"; fi

# A bare file name, next to the experiment file and run from there: the
# directory is searched, not the library path.
cp "$so" "$tmp/exp/here.so"
printf 'model = "here.so";\nparameters: { workers = 3; capacity = 2; jobs = 2; };\n' \
    >"$tmp/exp/here.cfg"
if (cd "$tmp/exp" && "$bin" -q -o here.h5 here.cfg 2>err); then ok; else
    ko "bare plugin name: $(cat "$tmp/exp/err")"
fi

if "$bin" --list-models "$tmp/plugins/pool.so" | grep -q '^pool: workers sharing'; then ok; else ko "--list-models PLUGIN"; fi

# A shared object that is not a model (tests/batch/not_a_model.c).
cp "$top_builddir/tests/batch/.libs/not_a_model.so" "$tmp/plugins/notamodel.so" ||
    ko "no tests/batch/.libs/not_a_model.so"
printf 'model = "../plugins/notamodel.so";\n' >"$tmp/exp/bad.cfg"
"$bin" --validate ../exp/bad.cfg 2>err
status=$?
if [ $status -eq 2 ] && grep -q "does not export usim_model_entry" err; then ok; else
    ko "not a model: exit $status: $(cat err)"
fi

report
