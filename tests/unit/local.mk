# cmocka unit tests, one program per layer or concern.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = libusim_core.la $(CMOCKA_LIBS) -lm

check_PROGRAMS += tests/unit/test_coro
tests_unit_test_coro_SOURCES = tests/unit/test_coro.c
if ARCH_X86_64
tests_unit_test_coro_SOURCES += tests/unit/regs_x86_64.S
endif
if ARCH_AARCH64
tests_unit_test_coro_SOURCES += tests/unit/regs_aarch64.S
endif
tests_unit_test_coro_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_coro_LDADD = $(UNIT_LDADD)
EXTRA_DIST += tests/unit/regs_x86_64.S tests/unit/regs_aarch64.S

TESTS += tests/unit/test_coro

check_PROGRAMS += tests/unit/test_kernel
tests_unit_test_kernel_SOURCES = tests/unit/test_kernel.c tests/unit/fixture.h
tests_unit_test_kernel_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kernel_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_kernel
