#!/bin/sh
# overflow.sh — a stack overflow by one frame larger than the guard page is
# caught in every batch, and the healthy runs beside it are untouched.
#
# The plugin tests/batch/overflow_model.c is built with the flags models
# get from `pkg-config --cflags usim` (tests/batch/local.mk).  Its task
# 'hog' (64 KiB stack) calls a function with a 256 KiB local array and
# writes into it; healthy workers keep arrays on their stacks across
# sleeps and check them.  12 batches of 12 runs on 2 threads, 6 runs with
# the hog: a batch passes only if every hog run failed with "stack overflow
# in task 'hog' (64 KiB stack)" and every other run is ok with the known
# checksum, no corrupt element and end_time = steps.  All 12 must pass.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
check=$top_builddir/tests/batch/h5check
so=$top_builddir/tests/batch/.libs/overflow_model.so
test_name=overflow.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$check" "$so"
command -v h5dump >/dev/null || { echo "$test_name: no h5dump"; exit 77; }

# Models are built with probing wherever usim itself is.
if grep -q '^#define USIM_STACK_CLASH_PROTECTION 1' "$top_builddir/config.h"; then
    if ! command -v pkg-config >/dev/null; then
        ok
    elif pkg-config --cflags "$top_builddir/usim.pc" | grep -q -- '-fstack-clash-protection'; then
        ok
    else
        ko "pkg-config --cflags usim lacks -fstack-clash-protection: $(pkg-config --cflags "$top_builddir/usim.pc")"
    fi
fi

cp "$so" "$tmp/overflow.so"
cat >"$tmp/overflow.cfg" <<'CFG'
model = "overflow.so";
replications = 2;
kernel: { stack_size = 65536; };
parameters: { workers = [2, 3, 4]; hog = [0, 1]; steps = 20; touch = 16; };
CFG

# One line per run: "RUN STATUS HOG WORKERS STEPS MESSAGE" from /runs and
# "RUN NAME VALUE" from /scalars (h5dump's records flattened, one a line).
records() {
    h5dump -m '%.17g' -d "$2" "$1" 2>/dev/null | tr -s ' \n' ' ' |
        grep -o '([0-9]*): { [^}]* }' | sed 's/^([0-9]*): { //; s/ }$//'
}
check_batch() {
    records "$1" runs | awk -F', ' '{ gsub(/"/, ""); print $1, $4, $7, $8, $9, $14 }' >"$tmp/runs"
    records "$1" scalars | awk -F', ' '{ gsub(/"/, ""); print $1, $2, $3 }' >"$tmp/scalars"
    awk -v msg="stack overflow in task 'hog' (64 KiB stack)" '
        NR == FNR { v[$1 " " $2] = $3; next }
        {
            run = $1; status = $2; hog = $3; w = $4; s = $5
            m = $0; sub(/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* ?/, "", m)
            n++
            if (hog == 1) {
                if (status != "failed" || m != msg) { print "run " run ": " status " \"" m "\""; bad++ }
                next
            }
            N = 2048
            want = N * 100000 * s * w * (w + 1) / 2 + N * 1000 * w * s * (s - 1) / 2 + w * s * N * (N - 1) / 2
            if (status != "ok" || m != "" || v[run " checksum"] != want || v[run " corrupt"] != 0 ||
                v[run " end_time"] != s) {
                print "run " run ": " status " \"" m "\" checksum " v[run " checksum"] " (want " want \
                    ") corrupt " v[run " corrupt"] " end_time " v[run " end_time"]
                bad++
            }
        }
        END { if (n != 12) { print n " runs in the file, expected 12"; bad++ } exit bad != 0 }
    ' "$tmp/scalars" "$tmp/runs"
}

good=0
cd "$tmp" || exit 99
for b in 1 2 3 4 5 6 7 8 9 10 11 12; do
    "$bin" -q -j 2 -o "b$b.h5" overflow.cfg >"b$b.out" 2>&1
    status=$?
    if [ $status -ne 1 ]; then
        echo "batch $b: exit $status, expected 1: $(head -c 300 "b$b.out")"
    elif why=$(check_batch "b$b.h5"); then
        good=$((good + 1))
    else
        echo "batch $b: $(echo "$why" | head -n 4 | tr '\n' ';')"
    fi
done
echo "$test_name: $good of 12 batches reported every overflow and every healthy run right"
if [ $good -eq 12 ]; then ok; else ko "only $good of 12 batches right"; fi

report
