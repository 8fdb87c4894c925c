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
#   report          the closing line "NAME: N passed, N failed" and the
#                   test's exit status (0 only if nothing failed).
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
report() {
    echo "$test_name: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
