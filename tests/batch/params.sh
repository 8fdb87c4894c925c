#!/bin/sh
# params.sh — parameters by name, choices and distributions, end to end:
#   - a plugin (misspelt_model.c) that records a misspelt scalar, asks for
#     a misspelt trace or reads an undeclared parameter fails that run
#     with a message naming both names, and the other runs are ok;
#   - mg1's M/D/1 and M/G/1 mean waits lie within the 95 % confidence
#     interval of 100 replications (seed 1) around Pollaczek–Khinchine's
#     lambda E[S^2] / (2 (1 - rho)), under fifo and lifo alike;
#   - /runs holds choices and distributions as strings ("lifo",
#     "gamma(2, 0.5)") beside the numeric columns, survives sharding and
#     usim-merge, and --list-models shows the new kinds.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
bin=$(cd "$top_builddir" && pwd)/usim-batch
merge=$(cd "$top_builddir" && pwd)/usim-merge
check=$(cd "$top_builddir" && pwd)/tests/batch/h5check
so=$top_builddir/tests/batch/.libs/misspelt_model.so
test_name=params.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin" "$merge" "$check" "$so"
command -v h5dump >/dev/null || { echo "$test_name: no h5dump"; exit 77; }

# The message column of /runs, one line per run.
messages() {
    h5dump -d runs "$1" | tr -s ' \n' ' ' | grep -o '"message" [^}]*\|, "[^"]*" }' \
        | sed -n 's/^, "\(.*\)" }$/\1/p'
}
# "RUN NAME VALUE" for each scalar row of a file.
scalars() {
    h5dump -d scalars "$1" | tr -s ' \n' ' ' \
        | grep -o '{ [0-9]*, "[a-z_]*", [-0-9.e+naif]* }' | tr -d '{},"' | sed 's/^ *//; s/ *$//'
}

# ---- names the descriptor does not declare ------------------------------
cp "$so" "$tmp/misspelt.so"
cat >"$tmp/misspelt.cfg" <<'CFG'
model = "misspelt.so";
parameters: { mistake = [0, 1, 2, 3, 4]; };
traces: { queue_length = {}; };
CFG
expect "misspelt names: exit 1 (runs failed)" 1 "" "$bin" -q -o "$tmp/misspelt.h5" "$tmp/misspelt.cfg"
"$check" status "$tmp/misspelt.h5" >"$tmp/got"
printf '0 ok\n1 failed\n2 failed\n3 failed\n4 failed\n' >"$tmp/want"
if cmp -s "$tmp/got" "$tmp/want"; then ok; else ko "statuses: $(tr '\n' ' ' <"$tmp/got")"; fi
messages "$tmp/misspelt.h5" >"$tmp/got"
cat >"$tmp/want" <<'TXT'

scalar 'mean_wiat' is not declared by model misspelt (did you mean 'mean_wait'?)
trace 'queue_lenght' is not declared by model misspelt (did you mean 'queue_length'?)
model asked for undeclared parameter 'arival_rate' (did you mean 'arrival_rate'?)
model asked for parameter 'mistake' with usim_param_dist, but it is an integer parameter
TXT
if cmp -s "$tmp/got" "$tmp/want"; then ok; else ko "messages: $(cat "$tmp/got")"; fi
# Run 0 keeps its data: the scalar and the trace point.
scalars "$tmp/misspelt.h5" | head -1 >"$tmp/got"
if [ "$(cat "$tmp/got")" = "0 mean_wait 0.5" ]; then ok; else ko "run 0 scalar: $(cat "$tmp/got")"; fi
if h5dump -d traces/queue_length "$tmp/misspelt.h5" | tr -s ' \n' ' ' | grep -q '(0): { 0, 0, 1 }'; then
    ok
else
    ko "run 0 trace point"
fi

# ---- Pollaczek-Khinchine --------------------------------------------------
# lambda = 0.5, E[S] = 1 (rho = 0.5): constant(1) has E[S^2] = 1, so the
# mean wait is 0.5 * 1 / (2 * 0.5) = 0.5; gamma(2, 0.5) has E[S^2] =
# 2 * 0.5^2 + 1 = 1.5, so 0.75.  Points: service slowest, discipline
# fastest.
cat >"$tmp/pk.cfg" <<'CFG'
model = "mg1";
seed = 1;
replications = 100;
parameters: {
  arrival_rate = 0.5;
  customers = 20000;
  service = ("constant(1)", { dist = "gamma"; shape = 2.0; scale = 0.5; });
  discipline = ["fifo", "lifo"];
};
CFG
expect "M/G/1 runs" 0 "" "$bin" -q -o "$tmp/pk.h5" "$tmp/pk.cfg"
# mean and half-width (t(0.975, 99) = 1.984) of mean_wait per point.
scalars "$tmp/pk.h5" | awk '$2 == "mean_wait" { p = int($1 / 100); n[p]++; s[p] += $3; q[p] += $3 * $3 }
    END { for (p = 0; p < 4; p++) { m = s[p] / n[p]; v = (q[p] - n[p] * m * m) / (n[p] - 1)
          printf "%d %.6f %.6f\n", p, m, 1.984 * sqrt(v / n[p]) } }' >"$tmp/ci"
for want in "0 0.5" "1 0.5" "2 0.75" "3 0.75"; do
    set -- $want
    line=$(awk -v p="$1" '$1 == p' "$tmp/ci")
    if echo "$line" | awk -v w="$2" '{ d = $2 - w; if (d < 0) d = -d; exit !(d <= $3 && $3 < 0.1) }'; then
        ok
    else
        ko "point $1: mean wait and half-width $line, theory $2"
    fi
done

# ---- /runs: labels as strings, numbers as numbers -------------------------
h5dump -d runs "$tmp/pk.h5" | tr -s ' \n' ' ' >"$tmp/runs"
for row in '{ 0, 0, 0, "ok", FALSE, 0, 0.5, "constant(1)", "fifo", 20000,' \
    '{ 399, 3, 99, "ok", FALSE, 0, 0.5, "gamma(2, 0.5)", "lifo", 20000,'; do
    if grep -qF "$row" "$tmp/runs"; then ok; else ko "/runs row $row"; fi
done
h5dump -a parameter_labels "$tmp/pk.h5" | tr -s ' \n' ' ' >"$tmp/labels"
if grep -qF '(0): "", "constant(1) gamma(2, 0.5)", "fifo lifo", (3): "" }' "$tmp/labels"; then ok; else
    ko "parameter_labels: $(cat "$tmp/labels")"
fi
if [ "$("$check" attr "$tmp/pk.h5" format_version)" = 5 ]; then ok; else ko "format_version"; fi
# Two shards merged are the unsharded file (the layout is rebuilt from the
# shards' attributes).
expect "shard 0/2" 0 "" "$bin" -q --shard 0/2 -o "$tmp/s0.h5" "$tmp/pk.cfg"
expect "shard 1/2" 0 "" "$bin" -q --shard 1/2 -o "$tmp/s1.h5" "$tmp/pk.cfg"
expect "merge" 0 "" "$merge" "$tmp/merged.h5" "$tmp/s0.h5" "$tmp/s1.h5"
expect "merged = unsharded" 0 "" "$check" cmp "$tmp/merged.h5" "$tmp/pk.h5"

# ---- --list-models ----------------------------------------------------------
"$bin" --list-models >"$tmp/models"
for line in \
    '    service              dist   default "exponential(1)" [time]  service time of a customer' \
    '    discipline           choice default "fifo" one of "fifo", "lifo"  which waiting customer is served next' \
    '  distributions: constant(value), uniform(a, b), exponential(mean), normal(mu, sigma), lognormal(mu, sigma), gamma(shape, scale), weibull(shape, scale), triangular(lo, mode, hi)'; do
    if grep -qxF "$line" "$tmp/models"; then ok; else ko "--list-models: no line '$line'"; fi
done

report
