#!/bin/sh
# library.sh — the built-in model library (models/mmc.c, bank_renege.c,
# gas_station.c, machine_shop.c, site.c, carwash.c, pingpong.c) gives its
# known answers through usim-batch, on the experiment files of configs/
# (fixed seeds, so every check is deterministic).  Each check names its
# expected value and where it comes from (worked out in the model's
# header comment):
#
#   mmc:          Erlang C, 10 replications, the 95% CI of the mean over
#                 them (Student t, 9 df) holds the theory: c = 1, lambda
#                 = 0.5, mu = 1: P(wait) 0.5, W_q 1; c = 3, lambda = 2:
#                 P(wait) 4/9, W_q 4/9.  Little's law exactly in every run
#                 (the run ends by itself): mean_in_system x end_time =
#                 served x mean_system_time.  M/D/1 (service =
#                 "constant(1)", lambda = 0.5): Pollaczek-Khinchine W_q =
#                 0.5 in the CI.
#   bank_renege:  arrivals = served + reneged + present exactly; the
#                 M/M/1+M reneging probability (lambda = mu = 1, theta =
#                 0.5: 0.31304, summed here independently of the model) in
#                 the CI; with infinite patience nobody reneges and the
#                 mean wait is the M/M/1 value rho / (mu - lambda) = 1.
#   gas_station:  fuel_delivered = fuel_dispensed + level_final -
#                 level_initial, cars_arrived = cars_refueled +
#                 cars_present, in every run; trucks were called.
#   machine_shop: repairing_time + other_time = until (the preempted
#                 repairman is never idle, never doing two things);
#                 breakdowns = repairs + broken; without breakdowns and
#                 with constant parts of 10, 10 x floor(40320.5 / 10) =
#                 40320 parts.
#   site:         jobs_arrived = finished + running + queued, pool_size =
#                 cores_busy + cores_free, controller_runs = until /
#                 interval (1000 and 400).
#   carwash:      cars_arrived = washed + washing + waiting; the
#                 deterministic point: 20 arrived, 18 washed, wait 0.
#   pingpong:     toggles = 2 x rounds = 200000, end_time = 2 x rounds x
#                 delay = 100000 (and 0 with delay 0).
#   --list-models lists every model with its parameters;
#   --check-determinism finds no difference for any of them.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
top_builddir=$(cd "$top_builddir" && pwd)
bin=$top_builddir/usim-batch
command -v h5dump >/dev/null || { echo "library.sh: h5dump not found (hdf5-tools)"; exit 77; }
test_name=library.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
cd "$tmp" || exit 99
cfg=$top_srcdir/configs

# table FILE.h5: every scalar of every run as "RUN NAME VALUE" lines in
# FILE.txt, at full precision (h5dump's default prints 6 digits).
table() {
    h5dump -m '%.17g' -d scalars "$1" | tr -s ' \n' ' ' |
        grep -o '{ [0-9]*, "[^"]*", [^ ]* }' |
        sed 's/{ \([0-9]*\), "\([^"]*\)", \([^ ]*\) }/\1 \2 \3/' >"${1%.h5}.txt"
}

# model NAME: runs configs/NAME.cfg into NAME.h5 (exit 0) and tables it.
model() {
    if "$bin" -q -j 2 -o "$1.h5" "$cfg/$1.cfg" >out 2>err; then
        ok
    else
        ko "$1: usim-batch failed: $(head -c 300 err)"
    fi
    table "$1.h5"
}

# ci TXT NAME FIRST LAST WANT: the 95% CI (Student t) of the mean of
# scalar NAME over runs FIRST..LAST holds WANT.
ci() {
    res=$(awk -v n="$2" -v a="$3" -v b="$4" -v w="$5" '
        BEGIN { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 " \
                      "2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086", t, " ") }
        $2 == n && $1 >= a && $1 <= b { k++; s += $3; q += $3 * $3 }
        END {
            if (k < 2) { print "no data"; exit 1 }
            m = s / k; v = (q - k * m * m) / (k - 1); if (v < 0) v = 0
            h = t[k - 1] * sqrt(v / k); d = m - w; if (d < 0) d = -d
            printf "mean %.6g +- %.3g (theory %.6g)", m, h, w
            exit !(d <= h)
        }' "$1")
    if [ $? -eq 0 ]; then ok; else ko "$2 runs $3-$4: $res"; fi
    echo "  $1 $2 runs $3-$4: $res"
}

# each TXT LABEL EXPR TOL [FIRST LAST]: for every run (of FIRST..LAST),
# |EXPR| <= TOL, EXPR written in awk over the run's scalars as v["name"].
each() {
    res=$(awk -v tol="$4" -v a="${5:-0}" -v b="${6:-1e18}" '
        $1 >= a && $1 <= b { v[$1, $2] = $3; runs[$1] = 1 }
        END {
            for (r in runs) {
                n++
                x = '"$(echo "$3" | sed 's/v\["\([a-z_]*\)"\]/v[r, "\1"]/g')"'
                if (x < 0) x = -x
                if (!(x <= tol)) { printf "run %s: |%s| = %.17g > %g\n", r, "'"$2"'", x, tol; bad++ }
            }
            if (n == 0) { print "no runs"; exit 1 }
            exit bad > 0
        }' "$1")
    if [ $? -eq 0 ]; then ok; else ko "$2: $res"; fi
}

# ---- --list-models --------------------------------------------------
"$bin" --list-models >models.txt 2>&1
for m in mmc:servers bank_renege:patience_rate gas_station:threshold \
    machine_shop:mttf site:interval carwash:wash_time pingpong:rounds; do
    name=${m%%:*} param=${m#*:}
    if awk -v n="$name" -v p="$param" '
        $1 == n ":" { on = 1; next } /^[a-z_]+: / { on = 0 }
        on && $1 == p { found = 1 } END { exit !found }' models.txt; then
        ok
    else
        ko "--list-models: no model $name with parameter $param"
    fi
done

# ---- mmc ------------------------------------------------------------
# runs 0-9: c = 1, lambda = 0.5; runs 10-19: c = 3, lambda = 2 (mu = 1).
model mmc
ci mmc.txt wait_probability 0 9 0.5
ci mmc.txt mean_wait 0 9 1
ci mmc.txt wait_probability 10 19 0.444444444444
ci mmc.txt mean_wait 10 19 0.444444444444
# utilization rho: 0.5 and 2/3.
ci mmc.txt utilization 0 9 0.5
ci mmc.txt utilization 10 19 0.666666666667
each mmc.txt "Little: L T - n W, relative" \
    '(v["mean_in_system"] * v["end_time"] - v["served"] * v["mean_system_time"]) / (v["served"] * v["mean_system_time"])' 1e-9
each mmc.txt "arrivals = served" 'v["arrivals"] - v["served"]' 0
# M/D/1 through the service parameter: constant service 1, lambda = 0.5:
# Pollaczek-Khinchine W_q = lambda E[S^2] / (2 (1 - rho)) = 0.5, half the
# M/M/1 wait; the Erlang C values are NaN (not the M/M/c answer).
cat >md1.cfg <<'CFG'
model = "mmc";
replications = 10;
seed = 5;
parameters: { servers = 1; arrival_rate = 0.5; service = "constant(1)"; customers = 50000; };
CFG
if "$bin" -q -j 2 -o md1.h5 md1.cfg >out 2>err; then ok; else ko "md1: $(head -c 300 err)"; fi
table md1.h5
ci md1.txt mean_wait 0 9 0.5
ci md1.txt utilization 0 9 0.5
if grep -q ' erlang_c_wait nan$' md1.txt; then ok; else ko "md1: erlang_c_wait is not NaN: $(grep erlang_c_wait md1.txt | head -1)"; fi

# ---- bank_renege ----------------------------------------------------
# runs 0-9: lambda = mu = 1, theta = 0.5; runs 10-19: theta = 0, lambda = 0.5.
model bank_renege
each bank_renege.txt "arrivals - served - reneged - present" \
    'v["arrivals"] - v["served"] - v["reneged"] - v["present"]' 0
# P_renege = 1 - (mu / lambda) (1 - pi_0) with pi_0 = 1 / sum_n prod_{k<=n}
# lambda / (mu + (k - 1) theta) (M/M/1+M birth-death law).
p_renege=$(awk 'BEGIN { l = 1; mu = 1; th = 0.5; t = 1; s = 1
    for (n = 1; n < 200; n++) { t *= l / (mu + (n - 1) * th); s += t }
    printf "%.12g", 1 - (mu / l) * (1 - 1 / s) }')
near_ok=$(awk -v p="$p_renege" 'BEGIN { d = p - 0.31304; if (d < 0) d = -d; exit !(d < 5e-6) }' && echo yes)
if [ "$near_ok" = yes ]; then ok; else ko "M/M/1+M sum $p_renege, the header says 0.31304"; fi
ci bank_renege.txt renege_probability 0 9 "$p_renege"
each bank_renege.txt "the model's theory - the test's" \
    'v["renege_probability_theory"] - '"$p_renege" 1e-9 0 9
each bank_renege.txt "infinite patience: theory 0, reneged 0" \
    'v["renege_probability_theory"] + v["reneged"]' 0 10 19
ci bank_renege.txt mean_wait 10 19 1

# ---- gas_station ----------------------------------------------------
model gas_station
each gas_station.txt "delivered - dispensed - (final - initial)" \
    'v["fuel_delivered"] - v["fuel_dispensed"] - (v["level_final"] - v["level_initial"])' 1e-6
each gas_station.txt "cars_arrived - refueled - present" \
    'v["cars_arrived"] - v["cars_refueled"] - v["cars_present"]' 0
each gas_station.txt "trucks called (> 10)" '(v["trucks_called"] > 10) - 1' 0
each gas_station.txt "trucks called - arrived (0 or 1 on its way)" \
    '(v["trucks_called"] - v["trucks_arrived"]) * (v["trucks_called"] - v["trucks_arrived"] - 1)' 0

# ---- machine_shop ---------------------------------------------------
# runs 0-3: SimPy's defaults; runs 4-7: no breakdowns, constant parts.
model machine_shop
each machine_shop.txt "repairing_time + other_time - until" \
    'v["repairing_time"] + v["other_time"] - 40320.5' 1e-6
each machine_shop.txt "breakdowns - repairs - broken" \
    'v["breakdowns"] - v["repairs"] - v["broken"]' 0
each machine_shop.txt "with breakdowns: some, and other jobs preempted" \
    '(v["breakdowns"] > 100) + (v["other_time"] < 20000) - 2' 0 0 3
each machine_shop.txt "no breakdowns: parts_made = 10 x floor(40320.5 / 10)" \
    'v["breakdowns"] + (v["parts_made"] - 40320)' 0 4 7

# ---- site -----------------------------------------------------------
# runs 0-3: interval 10; runs 4-7: interval 25; until 10000.
model site
each site.txt "jobs_arrived - finished - running - queued" \
    'v["jobs_arrived"] - v["jobs_finished"] - v["jobs_running"] - v["jobs_queued"]' 0
each site.txt "pool_size - cores_busy - cores_free" \
    'v["pool_size"] - v["cores_busy"] - v["cores_free"]' 0
each site.txt "controller_runs = 1000 or 400" \
    '(v["controller_runs"] - 1000) * (v["controller_runs"] - 400)' 0
awk '$2 == "controller_runs" { print $1, $3 }' site.txt | sort -n >runs.txt
printf '%s\n' "0 1000" "1 1000" "2 1000" "3 1000" "4 400" "5 400" "6 400" "7 400" >want.txt
if cmp -s runs.txt want.txt; then ok; else ko "site controller_runs: $(tr '\n' ',' <runs.txt)"; fi
each site.txt "pool within [8, 64]" '(v["pool_size"] < 8) + (v["pool_size"] > 64)' 0

# ---- carwash --------------------------------------------------------
# runs 0-2: SimPy's example; runs 3-5: the deterministic variant.
model carwash
each carwash.txt "cars_arrived - washed - washing - waiting" \
    'v["cars_arrived"] - v["cars_washed"] - v["cars_washing"] - v["cars_waiting"]' 0
awk '$1 >= 3 && ($2 == "cars_arrived" || $2 == "cars_washed" || $2 == "mean_wait") { print $1, $2, $3 }' \
    carwash.txt >det.txt
printf '%s\n' "3 cars_arrived 20" "3 cars_washed 18" "3 mean_wait 0" "4 cars_arrived 20" \
    "4 cars_washed 18" "4 mean_wait 0" "5 cars_arrived 20" "5 cars_washed 18" "5 mean_wait 0" >want.txt
if cmp -s det.txt want.txt; then ok; else ko "carwash deterministic: $(tr '\n' ',' <det.txt)"; fi

# ---- pingpong -------------------------------------------------------
# runs 0-1: delay 0.5; runs 2-3: delay 0; rounds 100000.
model pingpong
each pingpong.txt "toggles = 200000" 'v["toggles"] - 200000' 0
awk '$2 == "end_time" { print $1, $3 }' pingpong.txt >end.txt
printf '%s\n' "0 100000" "1 100000" "2 0" "3 0" >want.txt
if cmp -s end.txt want.txt; then ok; else ko "pingpong end_time: $(tr '\n' ',' <end.txt)"; fi

# ---- determinism ----------------------------------------------------
# Each model's runs alone in a process and side by side on threads give
# the same outputs (no state shared between runs).
for m in mmc bank_renege gas_station machine_shop site carwash pingpong; do
    expect "$m --check-determinism" 0 "" "$bin" -q -j 2 --check-determinism "$cfg/$m.cfg"
done

report
