# The differential fuzzer's driver.  scripts/diff-kernel builds it itself,
# against libusim of an older revision and of the current tree; it is built
# here too so that it keeps up with the API, and tests/fuzz/diff_kernel.sh
# checks that its logs depend on the seed only.  (The libFuzzer targets of
# this folder are built by scripts/fuzz, with clang.)
check_PROGRAMS += tests/fuzz/diff_kernel
tests_fuzz_diff_kernel_SOURCES = tests/fuzz/diff_kernel.c
tests_fuzz_diff_kernel_LDADD = libusim_core.la -lm
TESTS += tests/fuzz/diff_kernel.sh
EXTRA_DIST += tests/fuzz/diff_kernel.sh scripts/diff-kernel
