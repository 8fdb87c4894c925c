#!/usr/bin/python3
"""render_check.py - does a self-contained HTML page really render?

    render_check.py PAGE.html [--min-images N] [--screenshot OUT.png]
                              [--min-nonblank F] [--timeout S]

Opens PAGE.html in headless Chromium (Debian's package chromium, found
as `chromium` or `chromium-browser` on PATH) and checks that

  - every <img> of the page loaded (complete, naturalWidth > 0), and the
    page has at least N of them (--min-images, default 0);
  - the page needs nothing outside itself: images, styles and fonts may
    only come from the page itself or data: URIs, and the page has no
    scripts (a Content-Security-Policy enforces this, and the browser
    has no name resolution and no network);
  - a screenshot of its first 1280x1024 pixels is a valid PNG that is not
    blank: at least the fraction F (--min-nonblank, default 0.002) of its
    pixels differs from the background (its most frequent colour), and it
    has at least 8 distinct colours.

Prints on stdout one line

    images=N loaded=M nonblank_fraction=F

(N images, M of them loaded, F the share of non-background pixels, four
decimals), and on stderr one line "render_check: ..." per failed check.
Exit status: 0 when every check passed; 1 when one failed or the page
could not be checked (unreadable page, the browser failed or did not
finish within --timeout seconds, default 60); 2 for a usage error; 77
(skip, as automake's test harness reads it) only when there is no
Chromium binary.

PAGE.html itself is never modified: the browser opens a copy in a fresh
temporary directory (so a relative reference to a file beside the page
fails, as it would for a page sent on its own), with a Content-Security-
Policy and a small script inserted before the page's first element; the
script writes, after the load event, what it counted into a data-
attribute of <html>, which the check reads from the DOM the browser
dumps (--dump-dom, after --virtual-time-budget has let loading finish).
--screenshot OUT.png keeps the screenshot (it refuses an existing OUT).

The browser runs as its own session and process group, with its own
profile (--user-data-dir), HOME and cache in the temporary directory,
and --no-sandbox when running as root (Chromium's sandbox refuses root,
as in a CI container).  Afterwards every process of it is stopped by its
PID: the group is killed, and since this script is the child subreaper
of its descendants (prctl), helpers that left the group are found as its
children and killed too; the check fails if one survives.

Needs /usr/bin/python3 with Debian's python3-numpy and python3-matplotlib.
"""
import argparse
import ctypes
import html.parser
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

WINDOW = (1280, 1024)  # width, height of the viewport and the screenshot
MIN_COLOURS = 8
# A pixel differs from the background when one channel differs by more
# than this (of 255): PNG is lossless, but anti-aliasing near the
# background would otherwise count as content.
COLOUR_TOLERANCE = 16
# Virtual time lets the page load and settle without waiting in real
# time; a self-contained page needs far less than this.
VIRTUAL_TIME_MS = 10000
ATTR = "data-render-check"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class CheckError(Exception):
    """The page could not be checked at all (not a failed check)."""


def fail(msg):
    print("render_check: " + msg, file=sys.stderr)


def find_browser():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def probe(nonce):
    """The CSP and the counting script that go before the page's content.

    Placed first (after the doctype, which must stay first to keep the
    page's rendering mode), both land in <head>: the HTML parser opens
    the head for them and merges or ignores the page's own <html> and
    <head> tags that follow.  The script registers its listeners before
    any of the page's resources is requested, so it sees every
    violation of the policy; as violations are reported asynchronously,
    one may come after the load event, so each one updates the result.
    """
    csp = ("default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; "
           "font-src data:; script-src 'nonce-%s'" % nonce)
    script = """
(function () {
  var result = {images: 0, loaded: 0, failed: [], blocked: []}, done = false;
  function publish() {
    if (done) document.documentElement.setAttribute('%s', JSON.stringify(result));
  }
  document.addEventListener('securitypolicyviolation', function (e) {
    result.blocked.push(e.effectiveDirective + ' ' + (e.blockedURI || '?').slice(0, 80));
    publish();
  });
  window.addEventListener('load', function () {
    var imgs = document.images;
    result.images = imgs.length;
    for (var i = 0; i < imgs.length; i++) {
      if (imgs[i].complete && imgs[i].naturalWidth > 0) result.loaded++;
      else result.failed.push((i + 1) + ': ' + (imgs[i].getAttribute('src') || '(no src)').slice(0, 80));
    }
    done = true;
    publish();
  });
})();
""" % ATTR
    return ('<meta http-equiv="Content-Security-Policy" content="%s">'
            '<script nonce="%s">%s</script>' % (csp, nonce, script))


def instrument(text, nonce):
    """TEXT with probe() inserted after its doctype (or at its start)."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    if text[start:start + 9].lower() == "<!doctype":
        end = text.find(">", start)
        if end < 0:
            raise CheckError("the page's doctype has no closing '>'")
        start = end + 1
    return text[:start] + probe(nonce) + text[start:]


class ResultFinder(html.parser.HTMLParser):
    """The value of ATTR on the <html> element of a dumped DOM."""

    def __init__(self):
        super().__init__()
        self.value = None

    def handle_starttag(self, tag, attrs):
        if tag == "html" and self.value is None:
            self.value = dict(attrs).get(ATTR)


def libc_prctl_subreaper():
    """Become the child subreaper: orphaned descendants become our children.

    Without it, a helper that outlives the browser is adopted by init and
    can no longer be found (or reaped) from here.
    """
    PR_SET_CHILD_SUBREAPER = 36
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children():
    """PIDs of the processes whose parent is this one."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(entry))
    return found


def stop_all(proc, deadline=10.0):
    """Kill the browser's process group and every descendant left; True
    if none is left (each is killed by its PID and reaped)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        left = children()
        if not left:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)  # a group member we cannot reap: let it die
            continue
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    return False


def run_browser(browser, page, shot, work, timeout):
    """Runs the browser on PAGE; returns the dumped DOM."""
    argv = [browser, "--headless", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=1", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions",
            # No name resolves: nothing outside the page can be fetched.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=" + os.path.join(work, "profile"),
            "--window-size=%d,%d" % WINDOW,
            "--virtual-time-budget=%d" % VIRTUAL_TIME_MS,
            "--screenshot=" + shot, "--dump-dom", "file://" + page]
    if os.geteuid() == 0:
        argv.insert(2, "--no-sandbox")
    home = os.path.join(work, "home")
    os.mkdir(home)
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"), TMPDIR=work)
    out_path = os.path.join(work, "dom.html")
    err_path = os.path.join(work, "browser.log")
    libc_prctl_subreaper()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=env, start_new_session=True)
        hung = False
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            hung = True
        finally:
            clean = stop_all(proc)
    if not clean:
        raise CheckError("browser processes of session %d survived SIGKILL: %s"
                         % (proc.pid, " ".join(map(str, children())) or "(not children)"))
    with open(err_path, errors="replace") as f:
        log = [line.rstrip() for line in f if line.strip()]
    tail = "\n  ".join(log[-8:])
    if hung:
        raise CheckError("the browser did not finish within %g s (killed)%s"
                         % (timeout, ":\n  " + tail if tail else ""))
    if proc.returncode != 0:
        raise CheckError("the browser exited with status %d:\n  %s" % (proc.returncode, tail))
    with open(out_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def blank_measure(shot):
    """(fraction of non-background pixels, distinct colours) of SHOT."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image

    with open(shot, "rb") as f:
        if f.read(8) != PNG_SIGNATURE:
            raise CheckError("the screenshot is not a PNG file")
    try:
        img = matplotlib.image.imread(shot)
    except Exception as e:  # whatever the PNG decoder raises
        raise CheckError("the screenshot is not a valid PNG: %s" % e)
    if img.ndim != 3 or img.shape[2] not in (3, 4):
        raise CheckError("the screenshot has shape %s, not RGB(A)" % (img.shape,))
    if (img.shape[1], img.shape[0]) != WINDOW:
        raise CheckError("the screenshot is %dx%d, not the window's %dx%d"
                         % (img.shape[1], img.shape[0], WINDOW[0], WINDOW[1]))
    rgb = np.round(img[:, :, :3] * 255).astype(np.int32)
    packed = (rgb[:, :, 0] << 16 | rgb[:, :, 1] << 8 | rgb[:, :, 2]).ravel()
    colours, counts = np.unique(packed, return_counts=True)
    bg = colours[np.argmax(counts)]
    bg_rgb = np.array([bg >> 16 & 255, bg >> 8 & 255, bg & 255])
    differs = np.abs(rgb - bg_rgb).max(axis=2) > COLOUR_TOLERANCE
    return float(differs.mean()), len(colours)


def check(args):
    """Returns the exit status."""
    browser = find_browser()
    if browser is None:
        fail("skipped: no chromium binary on PATH (Debian package chromium)")
        return 77
    try:
        with open(args.page, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise CheckError("cannot read %s: %s" % (args.page, e.strerror))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckError("%s is not UTF-8 (byte %d)" % (args.page, e.start))
    if args.screenshot and os.path.lexists(args.screenshot):
        raise CheckError("%s exists: not overwriting it" % args.screenshot)
    if args.screenshot and not os.path.isdir(os.path.dirname(os.path.abspath(args.screenshot))):
        raise CheckError("no directory for %s" % args.screenshot)

    with tempfile.TemporaryDirectory(prefix="render_check.") as work:
        page = os.path.join(work, "page.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(instrument(text, secrets.token_hex(16)))
        shot = os.path.join(work, "screenshot.png")
        dom = run_browser(browser, page, shot, work, args.timeout)
        finder = ResultFinder()
        finder.feed(dom)
        finder.close()
        if finder.value is None:
            raise CheckError("the page did not finish loading (no load event within "
                             "%d ms of virtual time, or the browser dumped no DOM)"
                             % VIRTUAL_TIME_MS)
        try:
            result = json.loads(finder.value)
            images, loaded = int(result["images"]), int(result["loaded"])
        except (ValueError, KeyError, TypeError):
            raise CheckError("unreadable result %r in the dumped DOM" % finder.value[:200])
        if not os.path.exists(shot):
            raise CheckError("the browser wrote no screenshot")
        fraction, ncolours = blank_measure(shot)
        if args.screenshot:
            try:  # "x": never replaces a file that appeared meanwhile
                with open(shot, "rb") as src, open(args.screenshot, "xb") as dst:
                    shutil.copyfileobj(src, dst)
            except OSError as e:
                raise CheckError("cannot write %s: %s" % (args.screenshot, e.strerror))

    print("images=%d loaded=%d nonblank_fraction=%.4f" % (images, loaded, fraction))
    sys.stdout.flush()
    status = 0
    if loaded < images:
        fail("%d of %d images did not load: %s"
             % (images - loaded, images, "; ".join(result.get("failed", []))))
        status = 1
    if images < args.min_images:
        fail("%d images, fewer than --min-images %d" % (images, args.min_images))
        status = 1
    if result.get("blocked"):
        fail("the page is not self-contained; blocked: %s" % "; ".join(result["blocked"]))
        status = 1
    if fraction < args.min_nonblank:
        fail("the screenshot is blank: %.4f of its pixels differ from the background, "
             "fewer than --min-nonblank %g" % (fraction, args.min_nonblank))
        status = 1
    if ncolours < MIN_COLOURS:
        fail("the screenshot is blank: %d distinct colours, fewer than %d"
             % (ncolours, MIN_COLOURS))
        status = 1
    return status


def main():
    ap = argparse.ArgumentParser(
        prog="render_check.py",
        description="Check that a self-contained HTML page renders in headless Chromium.")
    ap.add_argument("page", metavar="PAGE.html")
    ap.add_argument("--min-images", type=int, default=0, metavar="N",
                    help="fail unless the page has at least N <img> elements (default 0)")
    ap.add_argument("--screenshot", metavar="OUT.png",
                    help="keep the screenshot in OUT.png (must not exist)")
    ap.add_argument("--min-nonblank", type=float, default=0.002, metavar="F",
                    help="least share of non-background pixels (default 0.002)")
    ap.add_argument("--timeout", type=float, default=60.0, metavar="S",
                    help="seconds the browser may take (default 60)")
    args = ap.parse_args()
    if args.min_images < 0 or not 0 <= args.min_nonblank <= 1 or not args.timeout > 0:
        ap.error("--min-images must be >= 0, --min-nonblank in [0, 1], --timeout > 0")
    try:
        return check(args)
    except CheckError as e:
        fail(str(e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
