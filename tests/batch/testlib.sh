# testlib.sh — what the shell tests of tests/batch share.  A test sets
# `test_name` (its file name, for messages) and sources this file; then
#   need FILE...    each FILE must be executable, else the test is a hard
#                   error (exit 99: build first);
#   $tmp            a fresh directory, removed when the test exits;
#   ok / ko TEXT    count a passed check / a failed one (printed);
#   expect NAME STATUS PATTERN CMD...
#                   one check: CMD exits with STATUS and its output (stdout
#                   and stderr, kept in $tmp/out) matches the grep PATTERN
#                   (an empty PATTERN matches anything);
#   refuse NAME PATTERN TEXT
#                   usim-batch refuses the experiment file TEXT: exit 2,
#                   output matching PATTERN, and no output file;
#   report          the closing line "NAME: N passed, N failed" and the
#                   test's exit status (0 only if nothing failed).
#   $bin $merge $check $ana $py
#                   usim-batch, usim-merge, h5check, usim-analyze and the
#                   Python with Debian's h5py (unless the test set them);
#   need_python     skip the test (exit 77) if $py lacks h5py or numpy;
# (A test that runs with set -u and without top_builddir, such as
# tests/cluster, sets what it uses itself.)
: "${bin:=${top_builddir:-.}/usim-batch}"
: "${merge:=${top_builddir:-.}/usim-merge}"
: "${check:=${top_builddir:-.}/tests/batch/h5check}"
: "${ana:=${top_srcdir:-.}/scripts/usim-analyze}"
: "${py:=/usr/bin/python3}"
need_python() {
    if ! [ -x "$py" ] || ! "$py" -c 'import h5py, numpy' 2>/dev/null; then
        echo "$test_name: skipped: $py lacks h5py or numpy"
        exit 77
    fi
}
need() {
    for x in "$@"; do
        [ -x "$x" ] || { echo "$test_name: no $x (build it first)"; exit 99; }
    done
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/usim-${test_name%.sh}.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect() {
    expect_name=$1 expect_want=$2 expect_pat=$3
    shift 3
    "$@" >"$tmp/out" 2>&1
    expect_got=$?
    if [ "$expect_got" -ne "$expect_want" ]; then
        ko "$expect_name: exit $expect_got, expected $expect_want: $(head -c 600 "$tmp/out")"
    elif [ -n "$expect_pat" ] && ! grep -q -- "$expect_pat" "$tmp/out"; then
        ko "$expect_name: no '$expect_pat' in: $(head -c 600 "$tmp/out")"
    else
        ok
    fi
}
refuse() {
    printf '%s\n' "$3" >"$tmp/refused.cfg"
    expect "$1" 2 "$2" "$bin" -q -o "$tmp/refused.h5" "$tmp/refused.cfg"
    if [ -e "$tmp/refused.h5" ]; then
        ko "$1: wrote an output file"
        rm -f "$tmp/refused.h5"
    else
        ok
    fi
}
report() {
    echo "$test_name: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
