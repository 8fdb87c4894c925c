#!/bin/sh
# long_names.sh — a plugin whose parameter, scalar and trace names are 300
# characters and more (tests/batch/long_names_model.c): an experiment that
# sets, sweeps and records them runs with the right values, and every
# misspelling or mistake is reported with the whole names, no buffer cut
# short or overrun (run it under the --enable-sanitizers build too).
# Prints "long_names.sh: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
so=$top_builddir/tests/batch/.libs/long_names_model.so
test_name=long_names.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$so"

cp "$so" "$tmp/long.so"
cd "$tmp" || exit 99
# The plugin's 300-character stem, and its names.
L=$(printf 'abcdefghij%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 \
    21 22 23 24 25 26 27 28 29 30)
rate=${L}_rate count=${L}_count level=${L}_level product=${L}_product
[ ${#rate} -eq 305 ] || { echo "$test_name: the stem is ${#L} characters"; exit 99; }

# A sweep of both parameters (a list and a range), 2 replications, the trace
# on: run = point * 2 + replication, points rate-major.
cat >sweep.cfg <<CFG
model = "long.so";
replications = 2;
parameters: { $rate = [0.5, 2.0]; $count = { from = 1; to = 3; step = 2; }; };
traces: { $level = { mode = "change"; }; };
CFG
expect "sweep validates" 0 "4 points x 2 replications = 8 runs" "$bin" --validate sweep.cfg
"$bin" --dry-run sweep.cfg >dry 2>&1
# The header names both parameters in full; the rows are rate, count.
if head -2 dry | tail -1 | grep -q "	$rate	$count\$"; then ok; else ko "dry-run header: $(head -2 dry | tail -1 | cut -c1-200)"; fi
printf '%s\n' '0.5 1' '0.5 1' '0.5 3' '0.5 3' '2 1' '2 1' '2 3' '2 3' >want
awk 'NR > 2 { print $5, $6 }' dry >got
if cmp -s got want; then ok; else ko "dry-run values: $(tr '\n' ' ' <got)"; fi
if "$bin" -q -o sweep.h5 sweep.cfg 2>err; then ok; else ko "sweep run: $(head -c 300 err)"; fi
# product = rate * count, per run; the trace holds it at time 1.
h5dump -y -d scalars sweep.h5 2>/dev/null | tr -d ' ,' | grep -E '^[0-9.]+$' | paste -d ' ' - - >got
printf '%s\n' '0 0.5' '1 0.5' '2 1.5' '3 1.5' '4 2' '5 2' '6 6' '7 6' >want
if cmp -s got want; then ok; else ko "scalars (run product): $(tr '\n' ' ' <got)"; fi
if h5dump -H sweep.h5 2>/dev/null | grep -q "DATASET \"$level\""; then ok; else ko "no trace dataset named $level"; fi

# bad NAME EXPECTED: bad/NAME.cfg (written below) is refused with exactly
# the line EXPECTED.
bad() {
    "$bin" --validate "$1.cfg" >out 2>err
    status=$?
    if [ "$status" -ne 2 ]; then
        ko "$1: exit $status, expected 2: $(head -c 300 err)"
    elif [ "$(cat err)" != "$2" ]; then
        ko "$1: got '$(cat err)', expected '$2'"
    else
        ok
    fi
}
head='model = "long.so";'

printf '%s\nparameters: { %s = 1; };\n' "$head" "${L}_rtae" >param_typo.cfg
bad param_typo "param_typo.cfg:2: setting 'parameters.${L}_rtae': model \"long_names\" has no parameter '${L}_rtae' (did you mean '$rate'?)"

printf '%s\nparameters: {\n  %s = { from = 1; to = 3; stpe = 1; };\n};\n' "$head" "$count" >range_typo.cfg
bad range_typo "range_typo.cfg:3: setting 'parameters.$count.stpe': unknown setting (did you mean 'parameters.$count.step'?)"

printf '%s\nparameters: { %s = { from = 1; step = 1; }; };\n' "$head" "$count" >range_missing.cfg
bad range_missing "range_missing.cfg:2: setting 'parameters.$count.to': missing: a range needs from, to and step"

printf '%s\nparameters: { %s = [1.0, 200.0]; };\n' "$head" "$rate" >out_of_range.cfg
bad out_of_range "out_of_range.cfg:2: setting 'parameters.$rate[1]': 200 is outside the range [0, 100] of '$rate'"

printf '%s\nparameters: { %s = (1, 2.5); };\n' "$head" "$count" >not_whole.cfg
bad not_whole "not_whole.cfg:2: setting 'parameters.$count[1]': '$count' is an integer parameter, 2.5 is not a whole number"

printf '%s\nparameters: { %s = [1, 2]; %s = [1, 2, 3]; };\nzip = ( ["%s", "%s"] );\n' \
    "$head" "$rate" "$count" "$rate" "${L}_cuont" >zip_typo.cfg
bad zip_typo "zip_typo.cfg:3: setting 'zip[0][1]': model \"long_names\" has no parameter '${L}_cuont' (did you mean '$count'?)"

printf '%s\nparameters: { %s = [1, 2]; %s = [1, 2, 3]; };\nzip = ( ["%s", "%s"] );\n' \
    "$head" "$rate" "$count" "$rate" "$count" >zip_unequal.cfg
bad zip_unequal "zip_unequal.cfg:3: setting 'zip[0][1]': '$count' has 3 values but '$rate' has 2: parameters swept in lock step need as many values each"

printf '%s\ntraces: { %s = { }; };\n' "$head" "${L}_levle" >trace_typo.cfg
bad trace_typo "trace_typo.cfg:2: setting 'traces.${L}_levle': model \"long_names\" has no trace '${L}_levle' (did you mean '$level'?)"

printf '%s\ntraces: { %s = { mode = "sample"; }; };\n' "$head" "$level" >trace_interval.cfg
bad trace_interval "trace_interval.cfg:2: setting 'traces.$level.interval': missing: mode \"sample\" needs an interval > 0"

printf '%s\ntraces: { %s = { mode = "sampel"; interval = 1; }; };\n' "$head" "$level" >trace_mode.cfg
bad trace_mode "trace_mode.cfg:2: setting 'traces.$level.mode': unknown trace mode \"sampel\" (did you mean \"sample\"?)"

report
