# python/usim_results: the reader of usim-batch output files and the
# statistics of usim-analyze and usim-report.  Installed for the Python
# configure chose (USIM_PYTHON, default /usr/bin/python3) into
# $(usimpythondir) = PREFIX/lib/python3.X/dist-packages; override it with
# `make install usimpythondir=DIR`.  From the source tree: PYTHONPATH=python.
usimresultsdir = $(usimpythondir)/usim_results
dist_usimresults_DATA = python/usim_results/__init__.py python/usim_results/analysis.py \
	python/usim_results/errors.py python/usim_results/reader.py python/usim_results/scan.py \
	python/usim_results/stats.py

# `make bench` also reads a file of 10^5 runs with usim_results (seconds).
EXTRA_DIST += tests/bench/reader.sh
bench: bench-reader
bench-reader: usim-batch
	@$(srcdir)/tests/bench/reader.sh ./usim-batch
.PHONY: bench-reader
