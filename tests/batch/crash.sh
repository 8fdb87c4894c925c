#!/bin/sh
# crash.sh — SIGKILL usim-batch at many points (right after start, while
# runs complete, during the final rewrite, during a resume) and check the
# promises of man/usim-batch.1 (OUTPUT: the journal, --resume):
#   - after a kill the output file (if it exists yet) opens and every run
#     it shows as done reads back (h5check opens);
#   - --resume finishes the experiment, and its datasets are identical to
#     those of an uninterrupted run (h5check cmp);
#   - /shards has a row per invocation, and their runs add up to the
#     experiment's.
# CRASH_KILLS (default 8) sets how many kills, spread evenly over the
# duration of an uninterrupted run; CRASH_STATS=1 prints per-kill figures.
#
# Second part, the worst case: h5writer checkpoints after every run, so
# kills often land while a snapshot of the file is being written or
# renamed into place.  The file must still open after every kill where it
# exists, and --resume must recover every completed run with a result equal
# to an uninterrupted run (CRASH_FLUSH_KILLS, default 20 kills).
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
bin=$top_builddir/usim-batch
check=$top_builddir/tests/batch/h5check
cfg=$top_srcdir/tests/batch/crash/mm1.cfg
writer=$top_builddir/tests/batch/h5writer
test_name=crash.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$check" "$writer"
kills=${CRASH_KILLS:-8}

now_ms() { date +%s%3N; }

# resumed STATUS WHAT REF OUT: a resume of OUT exited STATUS (its stderr in
# $tmp/err); it must have succeeded, OUT must equal REF, and no journal or
# snapshot may be left behind.  True if OUT equals REF.
resumed() {
    local same=1
    if [ "$1" -ne 0 ]; then
        ko "$2: resume exited $1: $(head -c 300 "$tmp/err")"
    elif why=$("$check" cmp "$3" "$4"); then
        ok
        same=0
    else
        ko "$2: resumed file differs: $why"
    fi
    [ ! -e "$4.journal" ] && [ ! -e "$4.tmp" ] && [ ! -e "$4.snapshot.tmp" ] && ok || ko "$2: leftovers after finish"
    return $same
}

# sessions OUT WHAT EXACT: /shards of OUT has a row per invocation at
# most (three here) and its runs add up to the runs of /runs (EXACT 1), or
# to no more (EXACT 0: the first invocation was killed before OUT existed,
# and its record with it).
sessions() {
    /usr/bin/python3 - "$1" "$3" >"$tmp/py" 2>&1 <<'PY' && ok || ko "$2: /shards: $(cat "$tmp/py")"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
rows, runs = f["shards"][()], f["runs"].shape[0]
total = sum(int(r["runs"]) for r in rows)
assert 1 <= len(rows) <= 3, "%d rows" % len(rows)
if sys.argv[2] == "1":
    assert total == runs, "runs %s add up to %d, not %d" % ([int(r["runs"]) for r in rows], total, runs)
else:
    assert total <= runs, "runs add up to %d, more than %d" % (total, runs)
PY
}

# The reference, and how long an uninterrupted run takes.
t0=$(now_ms)
"$bin" -q -j2 -o "$tmp/ref.h5" "$cfg" 2>"$tmp/err" || { echo "crash.sh: reference run failed: $(cat "$tmp/err")"; exit 99; }
dur=$(($(now_ms) - t0))
[ "$dur" -ge 50 ] || dur=50

opened=0 unopened=0 absent=0 recovered=0
i=0
while [ $i -lt "$kills" ]; do
    # Kill i of n at (i + 0.5) / n of the duration, plus one early kill.
    if [ $i -eq 0 ]; then at=5; else at=$(( (2 * i + 1) * dur / (2 * kills) )); fi
    out=$tmp/k$i.h5
    "$bin" -q -j2 -o "$out" "$cfg" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    state=absent
    if [ -e "$out" ]; then
        if res=$("$check" opens "$out" 2>&1); then
            state="opens $res"
            opened=$((opened + 1))
        else
            state="does not open: $res"
            unopened=$((unopened + 1))
        fi
    else
        absent=$((absent + 1))
    fi
    jr=0
    [ -e "$out.journal" ] && jr=$(stat -c %s "$out.journal")
    [ -n "$CRASH_STATS" ] && echo "kill at ${at} ms of ${dur}: $state (journal $jr bytes)"
    case $state in
        "does not open"*) ko "kill at $at ms: the file $state" ;;
        *) ok ;;
    esac

    # Every other time, kill the resume itself once before finishing.
    if [ $((i % 2)) -eq 1 ] && [ -e "$out" ]; then
        "$bin" -q -j2 --resume -o "$out" "$cfg" >/dev/null 2>&1 &
        pid=$!
        sleep 0.05
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
    fi
    if [ -e "$out" ] || [ -e "$out.journal" ]; then
        "$bin" -q -j2 --resume -o "$out" "$cfg" >/dev/null 2>"$tmp/err"
    else
        "$bin" -q -j2 -o "$out" "$cfg" >/dev/null 2>"$tmp/err"
    fi
    resumed $? "kill at $at ms" "$tmp/ref.h5" "$out" && recovered=$((recovered + 1))
    sessions "$out" "kill at $at ms" "$([ "$state" = absent ] && echo 0 || echo 1)"
    rm -f "$out"
    i=$((i + 1))
done

# Part two: kills inside checkpoints.
fkills=${CRASH_FLUSH_KILLS:-20}
"$writer" "$tmp/wref.h5" 60 || { echo "crash.sh: h5writer failed"; exit 99; }
t0=$(now_ms)
"$writer" "$tmp/wdur.h5" 60
wdur=$(($(now_ms) - t0))
[ "$wdur" -ge 20 ] || wdur=20
fopened=0 funopened=0 fabsent=0 fmidsnap=0
i=0
while [ $i -lt "$fkills" ]; do
    at=$(( (2 * i + 1) * wdur / (2 * fkills) ))
    out=$tmp/w$i.h5
    "$writer" "$out" 60 >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ -e "$out.snapshot.tmp" ] && fmidsnap=$((fmidsnap + 1))
    if [ ! -e "$out" ]; then
        fabsent=$((fabsent + 1))
    elif res=$("$check" opens "$out" 2>&1); then
        fopened=$((fopened + 1))
    else
        funopened=$((funopened + 1))
        ko "h5writer kill at $at ms: the file does not open: $res"
    fi
    "$writer" --resume "$out" 60 2>"$tmp/err"
    resumed $? "h5writer kill at $at ms" "$tmp/wref.h5" "$out"
    rm -f "$out"
    i=$((i + 1))
done
echo "crash.sh: checkpoint after every run: $fkills kills over ${wdur} ms: file opened $fopened, did not open $funopened, not yet created $fabsent; killed while writing a snapshot $fmidsnap; all resumed identical unless FAIL above"

echo "crash.sh: $kills kills over ${dur} ms: file opened $opened, did not open $unopened, not yet created $absent; resumed identical $recovered"
report
