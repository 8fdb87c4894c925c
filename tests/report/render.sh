#!/bin/sh
# render.sh — tests/report/render_check.py, the headless-Chromium check
# that an HTML report renders, on pages built here:
#   - a good page (a table and two PNG plots drawn by matplotlib, as
#     base64 data: URIs) passes, with --min-images 2; the kept screenshot
#     is a 1280x1024 PNG in which the plots' line colour (matplotlib's
#     C0, #1f77b4) covers hundreds of pixels, so the plots were drawn and
#     not only decoded; --min-images 3 fails on it;
#   - a broken page (one good plot, one PNG of bad base64, one file name
#     that exists beside the page) fails, naming the two broken images;
#   - a blank page fails (no non-background pixel, one colour), and so
#     does a flat one (half of it one colour: 2 colours);
#   - a page needing the network or a script fails as not self-contained;
#   - an existing --screenshot file is refused and kept, a missing page
#     is an error, no chromium on PATH is a skip (77);
#   - a fake browser that hangs, with helpers in its process group, in a
#     session of their own and orphaned: --timeout kills them all;
#   - no process started by a check is left (each carries a marker in
#     its environment, looked for in /proc/*/environ).
# Skipped (77) without chromium or without numpy and matplotlib.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
test_name=render.sh
. "$top_srcdir/tests/batch/testlib.sh"
rc=$top_srcdir/tests/report/render_check.py
if ! [ -x "$py" ] || ! "$py" -c 'import numpy, matplotlib' 2>/dev/null; then
    echo "$test_name: skipped: $py lacks numpy or matplotlib"
    exit 77
fi
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    echo "$test_name: skipped: no chromium (Debian package chromium)"
    exit 77
fi
cd "$tmp" || exit 99
mark=RENDER_CHECK_TEST=$tmp

# check ARGS...: render_check.py with the marker in its environment.
check() { env "$mark" "$py" "$rc" "$@"; }

# left: PIDs of processes carrying the marker (none should outlive a check).
left() {
    for d in /proc/[0-9]*; do
        { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qxF "$mark" && echo "${d#/proc/}"
    done
}

"$py" - <<'PY' || { echo "$test_name: cannot build the pages"; exit 99; }
import base64, io
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

def plot(k):
    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    ax.plot(range(10), [i ** k for i in range(10)], color="#1f77b4", linewidth=2)
    ax.set_title("x to the %d" % k)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()

def page(name, body):
    with open(name, "w") as f:
        f.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                '<title>%s</title><style>body { font-family: sans-serif; }</style>'
                '</head>\n<body>\n%s\n</body></html>\n' % (name, body))

pngs = [plot(1), plot(2)]
img = '<img alt="plot" src="data:image/png;base64,%s">'
table = ("<h1>Experiment report</h1><table><tr><th>point</th><th>mean</th></tr>"
         "<tr><td>0</td><td>9.02</td></tr><tr><td>1</td><td>4.51</td></tr></table>")
page("good.html", table + "".join(img % base64.b64encode(p).decode() for p in pngs))
with open("plot.png", "wb") as f:  # beside the page: must not count
    f.write(pngs[0])
bad = base64.b64encode(pngs[1][:200]).decode()[:-3] + "!!!"
page("broken.html", table + img % base64.b64encode(pngs[0]).decode() + img % bad
     + '<img alt="plot" src="plot.png">')
page("blank.html", "")
page("flat.html", '<div style="background: #204080; height: 512px;"></div>')
page("external.html", table + img % base64.b64encode(pngs[0]).decode()
     + '<img alt="plot" src="http://example.com/plot.png"><script>document.title = "x";</script>')
PY

expect "good page" 0 '^images=2 loaded=2 nonblank_fraction=0\.[0-9]\{4\}$' \
    check good.html --min-images 2 --screenshot good.png
grep -q 'render_check' "$tmp/out" && ko "good page: a message: $(cat "$tmp/out")"
# The fraction printed is that of the screenshot kept; the plots' blue is
# counted here on its own, with a tolerance of 40 per channel (anti-aliasing).
"$py" - good.png "$(sed -n 's/.*nonblank_fraction=//p' "$tmp/out")" >verify.out 2>&1 <<'PY'
import sys
import matplotlib.image
import numpy as np
with open(sys.argv[1], "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n", "not a PNG"
img = matplotlib.image.imread(sys.argv[1])
assert img.shape[:2] == (1024, 1280), "shape %s" % (img.shape,)
rgb = np.round(img[:, :, :3] * 255)
blue = (np.abs(rgb - [0x1f, 0x77, 0xb4]).max(axis=2) <= 40).sum()
assert blue >= 300, "only %d pixels of the plots' blue" % blue
# Non-white pixels against the printed fraction (white is the background).
frac = (np.abs(rgb - 255).max(axis=2) > 16).mean()
assert abs(frac - float(sys.argv[2])) < 1e-4, "fraction %.4f, printed %s" % (frac, sys.argv[2])
assert frac >= 0.002, "fraction %.4f below the default --min-nonblank" % frac
print("ok", blue, frac)
PY
grep -q '^ok' verify.out && ok || ko "good screenshot: $(cat verify.out)"
expect "too few images" 1 'fewer than --min-images 3' check good.html --min-images 3

expect "broken page" 1 '2 of 3 images did not load' check broken.html --min-images 1
grep -q '^images=3 loaded=1 ' "$tmp/out" && ok || ko "broken page: $(cat "$tmp/out")"
grep -q '2: data:image/png;base64,.*3: plot.png' "$tmp/out" && ok ||
    ko "broken page: images not named: $(cat "$tmp/out")"

expect "blank page" 1 'screenshot is blank: 0.0000 of its pixels' check blank.html
grep -q '^images=0 loaded=0 nonblank_fraction=0.0000$' "$tmp/out" && ok || ko "blank page: $(cat "$tmp/out")"
grep -q 'blank: 1 distinct colours' "$tmp/out" && ok || ko "blank page: colours: $(cat "$tmp/out")"
expect "flat page" 1 'blank: 2 distinct colours, fewer than 8' check flat.html
grep -q 'pixels differ' "$tmp/out" && ko "flat page: fraction failed too: $(cat "$tmp/out")"

expect "external page" 1 'not self-contained; blocked:.*example.com/plot.png' check external.html
grep -q 'script-src' "$tmp/out" && ok || ko "external page: script not blocked: $(cat "$tmp/out")"

echo keep >kept.png
expect "existing screenshot" 1 'kept.png exists: not overwriting' check good.html --screenshot kept.png
[ "$(cat kept.png)" = keep ] && ok || ko "existing screenshot: overwritten"
expect "missing page" 1 'cannot read nosuch.html' check nosuch.html
mkdir empty
expect "no chromium" 77 'skipped: no chromium' env PATH="$tmp/empty" "$py" "$rc" good.html

# A browser that never finishes, with helpers everywhere it can put them.
mkdir fake
cat >fake/chromium <<'SH'
#!/bin/sh
sleep 300 &
setsid sleep 301 &
( setsid sh -c 'sleep 302 & wait' & )
exec sleep 303
SH
chmod +x fake/chromium
start=$(date +%s)
expect "hung browser" 1 'did not finish within 2 s (killed)' env PATH="$tmp/fake:$PATH" \
    "$mark" "$py" "$rc" good.html --timeout 2
[ $(($(date +%s) - start)) -lt 20 ] && ok || ko "hung browser: took $(($(date +%s) - start)) s"

sleep 1
survivors=$(left)
[ -z "$survivors" ] && ok || ko "processes left: $(ps -o pid,ppid,pgid,args -p "$(echo $survivors | tr ' ' ,)")"
report
