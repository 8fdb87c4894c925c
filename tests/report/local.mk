# tests/report: checks of HTML reports in a real (headless) browser.
# render_check.py is the checker, for this test and for the tests of the
# reports themselves; render.sh shows it passes a good page and fails
# broken, blank and not self-contained ones (skipped without chromium).
TESTS += tests/report/render.sh
EXTRA_DIST += tests/report/render.sh tests/report/render_check.py

# The usim_results package against the raw datasets (formats 3, 4 and 5),
# and usim-report: its numbers, plots, CSV, HTML and --compare (Python).
TESTS += tests/report/reader.sh tests/report/report.sh
EXTRA_DIST += tests/report/reader.sh tests/report/report.sh tests/report/check_reader.py \
	tests/report/make_format5_h5.py

# The summaries read in blocks of rows: the same output as from the whole
# file, the statistics of the whole tables, peak memory that does not grow
# with the number of runs.
TESTS += tests/report/blocks.sh
EXTRA_DIST += tests/report/blocks.sh tests/report/check_blocks.py
