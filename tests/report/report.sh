#!/bin/sh
# report.sh — usim-report on files of usim-batch:
#   - the printed mean, half-width and n of every scalar at every point, and
#     every row of --csv, against numpy t-intervals from the raw /runs and
#     /scalars (t quantiles by numerical integration of the density);
#   - the PNG files: the expected set, valid PNGs (matplotlib reads them)
#     and not blank (pixel variance); nothing else in the directory touched;
#   - --html: one self-contained page (every plot a data URI with an alt
#     text, no scripts, no external links) with the provenance, rendered
#     in headless Chromium: every image loads, the screenshot not blank;
#   - --compare: a file with itself (exit 0, bit-identical), another seed
#     (exit 1: different, no significant difference at 0.05; seeds 1 and 2
#     checked to give none), another service rate (exit 2);
#   - the fail model: the failed runs with their messages, the first 10 and
#     "... and K more";
#   - bad input and usage: exit 3 with one line, 2 (4 with --compare).
# Prints "NAME: N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir/build}
test_name=report.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$bin"
need_python
if ! "$py" -c 'import pandas, matplotlib' 2>/dev/null; then
    echo "$test_name: skipped: $py lacks pandas or matplotlib"
    exit 77
fi
rep=$top_srcdir/scripts/usim-report
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
cd "$tmp" || exit 99

# pycheck NAME: run the Python on stdin (with the arguments after NAME),
# count its "ok" / "ko TEXT" lines; a traceback or no line fails.
pycheck() {
    name=$1
    shift
    PYTHONPATH=$top_srcdir/tests/report:$top_srcdir/python "$py" - "$@" >checks 2>&1
    [ -s checks ] || ko "$name: no output"
    while IFS= read -r line; do
        case $line in
        ok) ok ;;
        "ko "*) ko "$name: ${line#ko }" ;;
        *) ko "$name: $line" ;;
        esac
    done <checks
}

cat >sweep.cfg <<'EOF'
model = "mm1";
until = 400.0;
replications = 5;
seed = 3;
parameters: { arrival_rate = [0.5, 0.8]; service_rate = [1.0, 2.0]; };
traces: { queue_length = { mode = "sample"; interval = 20.0; }; };
EOF
"$bin" -q -o sweep.h5 sweep.cfg || ko "usim-batch sweep.cfg"
mkdir r
echo "not the report's" >r/keep.txt
expect "report --csv --html" 0 "^point 3: arrival_rate = 0.8, service_rate = 2" \
    "$py" "$rep" sweep.h5 --out r --csv --html
cp "$tmp/out" printed
pycheck "report of sweep.h5" sweep.h5 printed r <<'PY'
import base64, csv, math, os, re, sys
import h5py
import numpy as np
from check_reader import t_quantile_numeric
path, printed, out = sys.argv[1:]
f = h5py.File(path, "r")
runs = f["runs"][()]
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
scalars = [text(s) for s in f.attrs["scalars"]]
params = [text(p) for p in f.attrs["parameters"]]
value = {(int(r), text(n)): float(v) for r, n, v in f["scalars"][()]}
want = {}
for p in sorted(set(int(x) for x in runs["point"])):
    rows = [r for r in runs if int(r["point"]) == p and text(r["status"]) == "ok"]
    for s in scalars:
        v = np.array([value[(int(r["run"]), s)] for r in rows])
        v = v[np.isfinite(v)]
        h = t_quantile_numeric(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
        want[(p, s)] = (v.mean(), h, len(v), v.std(ddof=1),
                        {q: float(rows[0][q]) for q in params})
# The printed lines: "point P: ..." then "  NAME [UNIT]  MEAN +- HW (n=N)".
got, point = {}, None
for line in open(printed):
    m = re.match(r"point (\d+): ", line)
    if m:
        point = int(m.group(1))
        continue
    m = re.match(r"  (\S+)(?: \[[^]]*\])?\s+(\S+) \+- (\S+)\s+\(n=(\d+)\)$", line.rstrip("\n"))
    if m and point is not None:
        got[(point, m.group(1))] = (float(m.group(2)), float(m.group(3)), int(m.group(4)))
print("ok" if sorted(got) == sorted(want) else "ko printed keys %s" % sorted(got))
for k, (m, h, n, sd, _) in want.items():
    g = got.get(k)
    print("ok" if g and g[2] == n and float("%.6g" % m) == g[0] and float("%.4g" % h) == g[1]
          else "ko %s: printed %s, numpy %.6g +- %.4g (n=%d)" % (k, g, m, h, n))
# The CSV: every row against numpy, full precision.
rows = list(csv.DictReader(open(os.path.join(out, "summary.csv"))))
print("ok" if len(rows) == len(want) and list(rows[0]) == ["point"] + params + [
    "scalar", "unit", "n", "mean", "sd", "half_width", "ci_low", "ci_high"]
    else "ko csv header %s, %d rows" % (list(rows[0]), len(rows)))
for r in rows:
    m, h, n, sd, pv = want[(int(r["point"]), r["scalar"])]
    good = (int(r["n"]) == n and np.isclose(float(r["mean"]), m, rtol=1e-13)
            and np.isclose(float(r["half_width"]), h, rtol=1e-7)
            and np.isclose(float(r["sd"]), sd, rtol=1e-12)
            and np.isclose(float(r["ci_low"]), m - h, rtol=1e-7)
            and np.isclose(float(r["ci_high"]), m + h, rtol=1e-7)
            and all(float(r[q]) == pv[q] for q in params))
    print("ok" if good else "ko csv row %s: numpy %r" % (r, (m, h, n, sd, pv)))
# The PNG files: the set, readable, not blank; keep.txt untouched.
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg
expected = {"sweep_%s_vs_%s.png" % (s, p) for s in scalars
            for p in ("arrival_rate", "service_rate")}
expected |= {"trace_queue_length.png", "drift.png", "summary.csv", "report.html", "keep.txt"}
files = set(os.listdir(out))
print("ok" if files == expected else "ko files: extra %s, missing %s"
      % (sorted(files - expected), sorted(expected - files)))
print("ok" if open(os.path.join(out, "keep.txt")).read() == "not the report's\n"
      else "ko keep.txt changed")
pngs = sorted(x for x in files if x.endswith(".png"))
for x in pngs:
    p = os.path.join(out, x)
    sig = open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    img = mpimg.imread(p)
    print("ok" if sig and img.shape[0] > 300 and img.shape[1] > 400 and img[..., :3].std() > 0.05
          else "ko %s: signature %s, shape %s, std %.3g" % (x, sig, img.shape,
                                                             img[..., :3].std()))
# The HTML: self-contained, every plot embedded with an alt text.
page = open(os.path.join(out, "report.html")).read()
imgs = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)">', page)
print("ok" if len(imgs) == len(pngs) and all(base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n"
                                              for b, _ in imgs) else "ko %d images" % len(imgs))
print("ok" if not re.search(r"https?:|<script|<link|src=\"(?!data:)", page)
      else "ko the page links out or has scripts")
for needle in (text(f.attrs["git_revision"]), text(f.attrs["config_sha256"]),
               "until = 400.0;", "seed", text(f.attrs["created"]), "Shards",
               "<h3>point 3: arrival_rate = 0.8, service_rate = 2</h3>"):
    print("ok" if needle in page else "ko no %r in the page" % needle)
PY

# The page in a real browser (headless Chromium, render_check.py): every
# plot loads and the screenshot is not blank.  CI must have the browser.
npng=$(ls r/*.png | wc -l)
"$py" "$here/render_check.py" r/report.html --min-images "$npng" >render.out 2>&1
rc=$?
if [ $rc -eq 77 ]; then
    echo "$test_name: no chromium: the page was not rendered"
    [ "${CI:-}" = true ] && ko "render: CI must have chromium"
elif [ $rc -eq 0 ] && grep -q "^images=$npng loaded=$npng " render.out; then
    ok
else
    ko "render: exit $rc: $(cat render.out)"
fi

# The default directory: RESULTS_report next to the file.
mkdir sub
cp sweep.h5 sub/copy.h5
expect "default directory" 0 "wrote $tmp/sub/copy_report/drift.png" "$py" "$rep" sub/copy.h5
[ -f sub/copy_report/trace_queue_length.png ] && ok || ko "no sub/copy_report/*.png"

# --compare: itself; seed 2 (checked: no scalar at any point differs at
# 0.05, p >= 0.09); a faster server.
cat >c1.cfg <<'EOF'
model = "mm1";
replications = 10;
seed = 1;
parameters: { arrival_rate = [0.5, 0.7]; service_rate = 1.0; customers = 2000; };
EOF
sed 's/seed = 1;/seed = 2;/' c1.cfg >c2.cfg
sed 's/service_rate = 1.0;/service_rate = 1.25;/' c1.cfg >cmu.cfg
for c in c1 c2 cmu; do "$bin" -q -o $c.h5 $c.cfg || ko "usim-batch $c.cfg"; done
cp c1.h5 c1copy.h5
expect "compare identical" 0 "results: bit-identical (20 runs" "$py" "$rep" --compare c1.h5 c1copy.h5
grep -q "^same experiment: config sha256" out && ok || ko "compare identical: $(cat out)"
expect "compare seed 2" 1 "no significant difference at alpha = 0.05 (10 tests)" \
    "$py" "$rep" --compare c1.h5 c2.h5
grep -q "^different experiments: config sha256 differs" out && ok ||
    ko "compare seed 2: configs: $(head -3 out)"
expect "compare service rate" 2 "^8 of 10 differences significant at alpha = 0.05" \
    "$py" "$rep" --compare c1.h5 cmu.h5
# The printed p-values against Welch's test worked out with numpy (and
# the t CDF by numerical integration): mean_wait at point 1.
cp "$tmp/out" compared
pycheck "welch p of mean_wait" c1.h5 cmu.h5 compared <<'PY'
import math, re, sys
import h5py
import numpy as np
old, new, printed = sys.argv[1:]
def values(path):
    f = h5py.File(path, "r")
    runs = f["runs"][()]
    sc = f["scalars"][()]
    v = {int(r): x for r, n, x in sc if n == b"mean_wait"}
    return np.array([v[int(r["run"])] for r in runs if r["point"] == 1 and r["status"] == b"ok"])
a, b = values(new), values(old)
va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
t = (a.mean() - b.mean()) / math.sqrt(va + vb)
df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
x = np.linspace(abs(t), abs(t) + 200.0, 2000001)
p = 2 * np.trapz(c * (1 + x * x / df) ** (-(df + 1) / 2), x)
lines = open(printed).read().split("point 1:")[1].splitlines()
line = [l for l in lines if l.split()[:1] == ["mean_wait"]][0]
m = re.search(r"t (\S+)\s+df (\S+)\s+p (\S+)", line)
ok = m and float(m.group(1)) == float("%.3g" % t) and float(m.group(2)) == float("%.3g" % df) \
    and math.isclose(float(m.group(3)), float("%.3g" % p), rel_tol=1e-2)
print("ok" if ok else "ko printed %r; numpy t %.3g df %.3g p %.3g" % (line, t, df, p))
PY

# The fail model, 3 replications of its 8 endings: 21 failed runs, the
# first 10 listed with their messages from /runs.
sed 's/^limits:/replications = 3;\nlimits:/' "$top_srcdir/configs/fail.cfg" >fail.cfg
"$bin" -q -o fail.h5 fail.cfg
expect "report fail.h5" 0 "^failed runs: 21 (15 failed, 3 limit, 3 deadlock)" \
    "$py" "$rep" fail.h5 --no-plots
grep -q '^  \.\.\. and 11 more$' out && ok || ko "no '... and 11 more': $(cat out)"
cp "$tmp/out" failed
pycheck "failure listing" fail.h5 failed <<'PY'
import sys
import h5py
path, printed = sys.argv[1:]
runs = h5py.File(path, "r")["runs"][()]
bad = [r for r in runs if r["status"] in (b"failed", b"limit", b"deadlock")]
want = ["  run %d (point %d, replication %d): %s: %s" % (
    r["run"], r["point"], r["replication"], r["status"].decode(), r["message"].decode())
    for r in bad[:10]]
lines = open(printed).read().splitlines()
i = lines.index([l for l in lines if l.startswith("failed runs:")][0])
print("ok" if lines[i + 1:i + 11] == want else "ko listed %s, want %s" % (lines[i + 1:i + 11],
                                                                          want))
PY

# Bad input and usage.
printf 'text\n' >text.h5
expect "missing file" 3 "^usim-report: nothing.h5: no such file$" "$py" "$rep" nothing.h5
[ "$(wc -l <out)" -eq 1 ] && ok || ko "missing file: more than one line: $(cat out)"
expect "not HDF5" 3 "text.h5: not an HDF5 file" "$py" "$rep" text.h5
expect "compare, missing file" 3 "nothing.h5: no such file" "$py" "$rep" --compare c1.h5 nothing.h5
expect "no file" 2 "no results file given" "$py" "$rep"
expect "bad option" 2 "unrecognized arguments" "$py" "$rep" sweep.h5 --bogus
expect "compare, one file" 4 "expected 2 arguments" "$py" "$rep" --compare c1.h5
expect "compare, bad alpha" 4 "must lie between 0 and 1" "$py" "$rep" --compare c1.h5 c2.h5 --alpha 2
echo keep >plain
expect "--out is a file" 2 "plain exists and is not a directory" "$py" "$rep" sweep.h5 --out plain
[ "$(cat plain)" = keep ] && ok || ko "--out plain: the file was changed"

report
