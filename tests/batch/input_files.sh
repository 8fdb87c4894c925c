#!/bin/sh
# input_files.sh — what usim-batch reads as an experiment file or an
# @include: regular files only, at most 16 MiB each and 16 MiB in all.
# /dev/zero, a FIFO and files over the limit are refused with one line
# (at the @include that named them) instead of blocking or eating memory;
# a file of exactly 16 MiB is read.
# A list of 200,000 integers on one line is checked in linear time (each
# integer's literal is looked up, not the line scanned again).
# Every run is under `timeout` and, outside ASan builds, a memory limit, so
# a regression fails here instead of hanging the test or the machine.  The
# timeout only catches hangs (a run takes well under a second in a release
# build, seconds under ASan, minutes at several times that on a busy
# machine); load_scaling.sh checks that loading time is linear.
# Prints "input_files.sh: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
test_name=input_files.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"

# ASan reserves terabytes of address space, so `ulimit -v` would stop it
# from starting; it has its own limit on resident memory.
if grep -q __asan_init "$bin"; then
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=2048
    export ASAN_OPTIONS
    limit_memory=:
    limit_s=600
else
    limit_memory='ulimit -v 2097152'
    limit_s=120
fi

# refused NAME FILE EXPECTED: `usim-batch --validate FILE` exits 2 with
# exactly the line EXPECTED on stderr, within limit_s seconds.
refused() {
    (eval "$limit_memory" && exec timeout "$limit_s" "$bin" --validate "$2") >out 2>err
    status=$?
    if [ "$status" -eq 124 ]; then
        ko "$1: still running after $limit_s s"
    elif [ "$status" -ne 2 ]; then
        ko "$1: exit $status, expected 2: $(head -c 300 err)"
    elif [ "$(cat err)" != "$3" ]; then
        ko "$1: got '$(head -c 300 err)', expected '$3'"
    else
        ok
    fi
}

cd "$tmp" || exit 99
printf 'model = "mm1";\n@include "/dev/zero"\n' >zero.cfg
refused "/dev/zero as the experiment file" /dev/zero \
    "/dev/zero: cannot read experiment file: a device, not a regular file"
refused "@include /dev/zero" zero.cfg \
    'zero.cfg:2: cannot read included file "/dev/zero": a device, not a regular file'

mkfifo fifo.cfg || exit 99
printf '# a FIFO nobody writes to\nmodel = "mm1";\n@include "fifo.cfg"\n' >fifo_inc.cfg
refused "a FIFO as the experiment file" fifo.cfg \
    "fifo.cfg: cannot read experiment file: a FIFO, not a regular file"
refused "@include of a FIFO" fifo_inc.cfg \
    'fifo_inc.cfg:3: cannot read included file "fifo.cfg": a FIFO, not a regular file'

mkdir sub
refused "a directory as the experiment file" sub \
    "sub: cannot read experiment file: Is a directory"

# pad FILE BYTES: an experiment file of exactly BYTES bytes (a model, then
# a comment line filling the rest).
pad() {
    printf 'model = "mm1";\n' >"$1"
    head -c $(($2 - 15 - 1)) /dev/zero | tr '\0' '#' >>"$1"
    echo >>"$1"
}
max=16777216
pad exact.cfg $max
pad over.cfg $((max + 1))
[ "$(wc -c <exact.cfg)" -eq $max ] && [ "$(wc -c <over.cfg)" -eq $((max + 1)) ] || exit 99
expect "a file of exactly 16 MiB is read" 0 "exact.cfg: ok" timeout "$limit_s" "$bin" --validate exact.cfg
refused "a file of 16 MiB + 1 byte" over.cfg \
    "over.cfg: cannot read experiment file: larger than 16 MiB (the limit for an experiment file)"
printf 'description = "a big include";\n@include "over.cfg"\n' >over_inc.cfg
refused "@include of a file over 16 MiB" over_inc.cfg \
    'over_inc.cfg:2: cannot read included file "over.cfg": larger than 16 MiB (the limit for an experiment file)'

# Two includes of 9 MiB each: the second one passes the total.
printf '# nine MiB of comments\n' >half.cfg
head -c 9437184 /dev/zero | tr '\0' '#' >>half.cfg
echo >>half.cfg
printf 'model = "mm1";\n@include "half.cfg"\n@include "half.cfg"\n' >twice.cfg
refused "two includes of 9 MiB" twice.cfg \
    'twice.cfg:3: cannot read included file "half.cfg": with the files read before it, more than 16 MiB (the limit for an experiment file and its includes together)'
printf 'model = "mm1";\n@include "half.cfg"\n' >once.cfg
expect "one include of 9 MiB is read" 0 "once.cfg: ok" timeout "$limit_s" "$bin" --validate once.cfg

# 200,000 integers on one line, then one that does not fit in 32 bits: each
# integer of the line is checked against the literals of the line, which
# are scanned once (scanning the line per integer took minutes).
awk 'BEGIN { printf "model = \"mm1\";\nparameters: { customers = [1"
    for (i = 1; i < 200000; i++) printf ", %d", i % 1000 + 1
    printf "]; };\n" }' >long_line.cfg
expect "200,000 integers on one line" 0 "long_line.cfg: ok: model mm1, 200000 points" \
    timeout "$limit_s" "$bin" --validate long_line.cfg
sed 's/]; };/, 5000000000]; };/' long_line.cfg >long_line_wide.cfg
refused "200,000 integers on one line, one wide" long_line_wide.cfg \
    "long_line_wide.cfg:2: setting 'parameters.customers[200000]': integer 5000000000 does not fit in 32 bits (libconfig would read it as 705032704): write 5000000000L"

report
