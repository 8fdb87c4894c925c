#!/bin/sh
# load_scaling.sh — loading an experiment file takes time linear in its
# size, for the shapes of file that once took quadratic time:
#   int_line   integers on one line (each integer re-read the whole line
#              for a literal that wraps);
#   group      settings in one group (libconfig compares each new name
#              with all the names of its group: now refused first);
#   long_name  one unknown name of megabytes (the "did you mean" edit
#              distance against every known name: linear, but 2.3 s for
#              16 MiB; now names of other lengths are skipped).
# For each shape, a file of N units and one of 4N: the second must take
# less than 8 times as long as the first (4 for linear time, 16 for
# quadratic), in CPU time, the least of three runs, each under `timeout`.  The times are printed as key=value
# lines, not asserted (the 4N group file is 15 MiB, near the 16 MiB that
# the loader reads at most).
# Under ASan the int_line files are smaller and only timed: libconfig
# grows a list 16 elements at a time with realloc, which ASan always moves,
# so there a long list takes time quadratic in libconfig itself.
# Also: the exact line for a group over libconfig's budget, and a group
# just under it is parsed.
# Prints "load_scaling.sh: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
test_name=load_scaling.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
cd "$tmp" || exit 99
asan=false
grep -q __asan_init "$bin" && asan=true

now() { date +%s.%N; }

# gen SHAPE N: an experiment file of N units of SHAPE on stdout.
gen() {
    awk -v shape="$1" -v n="$2" 'BEGIN {
        printf "model = \"mm1\";\n"
        if (shape == "int_line") {
            printf "parameters: { customers = [1"
            for (i = 1; i < n; i++) printf ", %d", i % 1000 + 1
            printf "]; };\n"
        } else if (shape == "group") {
            for (i = 0; i < n; i++) printf "a%d = 1;\n", i
        } else if (shape == "long_name") {
            s = "aaaaaaaaaaaaaaaa"
            while (length(s) < n) s = s s
            printf "%s = 1;\n", substr(s, 1, n)
        }
    }'
}

# load FILE: the CPU seconds (user + system; wall-clock seconds where GNU
# time is missing) that `usim-batch --validate FILE` takes, the least of
# three runs (exit 0 or 2, one line), or "timeout".  CPU time and the least
# of three keep a busy machine from passing for quadratic time.
load() {
    best=
    for _ in 1 2 3; do
        t0=$(now)
        if [ -x /usr/bin/time ]; then
            /usr/bin/time -f '%U %S' -o cpu timeout 120 "$bin" --validate "$1" >out 2>&1
        else
            timeout 120 "$bin" --validate "$1" >out 2>&1
        fi
        status=$?
        t1=$(now)
        if [ "$status" -eq 124 ]; then
            echo timeout
            return
        elif [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
            echo "exit $status: $(head -c 300 out)"
            return
        fi
        if [ -x /usr/bin/time ]; then
            t=$(awk 'END { printf "%.3f\n", $1 + $2 }' cpu)
        else
            t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }')
        fi
        best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b ? a : b) }')
    done
    echo "$best"
}

# scales SHAPE N [timed-under-asan]: the file of 4N units loads in less
# than 8 times the time of the file of N units (times under 20 ms count as
# 20 ms: noise).
scales() {
    gen "$1" "$2" >small.cfg
    gen "$1" $(($2 * 4)) >big.cfg
    small=$(load small.cfg)
    big=$(load big.cfg)
    echo "load_scaling: shape=$1 n=$2 bytes=$(wc -c <small.cfg) seconds=$small" \
        "n4=$(($2 * 4)) bytes4=$(wc -c <big.cfg) seconds4=$big"
    case $small$big in
    *[!0-9.]*)
        ko "$1: N=$2: $small, 4N: $big"
        return
        ;;
    esac
    if [ "${3:-}" = timed-under-asan ] && $asan; then
        ok
    elif awk -v s="$small" -v b="$big" 'BEGIN { exit !(b < 8 * (s < 0.02 ? 0.02 : s)) }'; then
        ok
    else
        ko "$1: 4N took $big s, more than 8 times the $small s of N=$2"
    fi
}

if $asan; then
    scales int_line 30000 timed-under-asan
else
    scales int_line 150000
fi
scales group 300000
scales long_name 4194000

# 4,000 settings at the top level: libconfig's comparisons of their names
# run over the budget at the 3,855th (a0 ... on lines 2 ...).
gen group 4000 >over.cfg
expect "4,000 settings in one group" 2 \
    "^over.cfg:3855: too many settings: libconfig compares each name with those of all the settings before it in its group, and this file would take more than 16777216 characters of such comparisons (this is setting 3855 of the top level)\$" \
    "$bin" --validate over.cfg
# In a group of its own, the line of the group is named.
{
    echo 'model = "mm1";'
    echo 'kernel: {'
    gen group 4000 | sed 1d
    echo '};'
} >over_kernel.cfg
expect "4,000 settings in the kernel group" 2 \
    "^over_kernel.cfg:3857: too many settings: .* (this is setting 3855 of the group that opens at over_kernel.cfg:2)\$" \
    "$bin" --validate over_kernel.cfg
# 3,000 are parsed: the first unknown one is the error.
gen group 3000 >under.cfg
expect "3,000 settings in one group" 2 "^under.cfg:2: setting 'a0': unknown setting\$" \
    "$bin" --validate under.cfg
# Names in lists are not settings, and comments and strings hold none.
{
    echo 'model = "mm1"; # a0 = 1; a1 = 1;'
    echo 'description = "a0 = 1; a1 = 1;";'
    echo 'parameters: { customers = [1, 2, 3]; };'
} >none.cfg
expect "a file with few settings" 0 "none.cfg: ok" "$bin" --validate none.cfg

report
