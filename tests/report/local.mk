# tests/report: checks of HTML reports in a real (headless) browser.
# render_check.py is the checker, for this test and for the tests of the
# reports themselves; render.sh shows it passes a good page and fails
# broken, blank and not self-contained ones (skipped without chromium).
TESTS += tests/report/render.sh
EXTRA_DIST += tests/report/render.sh tests/report/render_check.py
