# tests/batch: the HDF5 output (h5out) and end-to-end usim-batch checks.
H5TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(HDF5_CFLAGS) -I$(top_srcdir)/tests/batch
H5TEST_LDADD = libusim_batch.la libusim_models.la libusim_core.la $(CMOCKA_LIBS) $(HDF5_LIBS) \
	$(LIBCONFIG_LIBS) -ldl -lm

check_PROGRAMS += tests/batch/test_h5out
tests_batch_test_h5out_SOURCES = tests/batch/test_h5out.c tests/batch/h5compare.c \
	tests/batch/h5compare.h
tests_batch_test_h5out_CFLAGS = $(H5TEST_CFLAGS)
tests_batch_test_h5out_LDADD = $(H5TEST_LDADD)
TESTS += tests/batch/test_h5out
