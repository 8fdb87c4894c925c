#!/bin/bash
# diff_kernel.sh — the differential fuzzer's driver (tests/fuzz/diff_kernel)
# is fit to compare two kernels: a seed's log depends on that seed only
# (two processes, and a run of a later range of seeds, give the same
# lines: no addresses, no wall time, nothing left over from the seeds
# before), the summary's length is the log's, and the models cover every
# drift policy and turn order.  scripts/diff-kernel relies on all three.
test_name=diff_kernel.sh
. "${top_srcdir:-.}/tests/batch/testlib.sh"
dk=${top_builddir:-.}/tests/fuzz/diff_kernel
need "$dk"

"$dk" -s 0 300 >"$tmp/a" 2>&1 && ok || ko "diff_kernel -s 0 300 failed: $(tail -3 "$tmp/a")"
[ "$(wc -l <"$tmp/a")" -eq 300 ] && ok || ko "not one line per seed: $(wc -l <"$tmp/a")"
"$dk" -s 0 300 >"$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" && ok || ko "two runs differ: $(diff "$tmp/a" "$tmp/b" | head -4)"
"$dk" -s 200 100 >"$tmp/c" 2>&1
tail -100 "$tmp/a" | cmp -s - "$tmp/c" && ok ||
    ko "seeds 200..299 alone differ from the same seeds after 0..199"

# The full log of a seed has the length its summary line gives, starts
# with the seed's header and ends with its last line.
for s in 0 17 123; do
    "$dk" "$s" >"$tmp/log$s" 2>&1
    want=$(awk -v s="$s" '$2 == s { print $3 }' "$tmp/a")
    got=$(wc -c <"$tmp/log$s")
    [ "$got" = "$want" ] && ok || ko "seed $s: log of $got bytes, summary says $want"
    head -1 "$tmp/log$s" | grep -q "^seed $s res " && ok || ko "seed $s: header $(head -1 "$tmp/log$s")"
    [ "$(tail -1 "$tmp/log$s")" = "end of seed $s" ] && ok || ko "seed $s ends: $(tail -1 "$tmp/log$s")"
done

# Coverage of the configuration: the headers of 60 seeds name every policy
# and order.
"$dk" 0 60 | grep '^seed ' >"$tmp/headers"
for w in "drift naive" "drift tracked" "drift strict" "order fifo" "order lifo" \
    "order random" "order musim"; do
    grep -q " $w " "$tmp/headers" && ok || ko "no '$w' among the models of seeds 0..59"
done

expect "no seed" 2 "usage" "$dk"
expect "bad seed" 2 "usage" "$dk" -3
expect "bad count" 2 "usage" "$dk" 1 x
report
