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

# The turn orders, scenario by scenario: μsim's traces under musim, and
# what fifo, lifo and random do with the same models.
check_PROGRAMS += tests/unit/test_order
tests_unit_test_order_SOURCES = tests/unit/test_order.c tests/unit/fixture.h
tests_unit_test_order_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_order_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_order

# A task's life and its scope: states, cancelling before the start,
# delayed starts, failed children, waiting for a scope, setup mistakes.
check_PROGRAMS += tests/unit/test_tasks
tests_unit_test_tasks_SOURCES = tests/unit/test_tasks.c tests/unit/fixture.h
tests_unit_test_tasks_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tasks_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_tasks

# The USIM_WITH_* blocks nest without -Wshadow warnings.
check_PROGRAMS += tests/unit/test_hold_nesting
tests_unit_test_hold_nesting_SOURCES = tests/unit/test_hold_nesting.c tests/unit/fixture.h
tests_unit_test_hold_nesting_CFLAGS = $(UNIT_CFLAGS) -Wshadow -Werror
tests_unit_test_hold_nesting_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_hold_nesting

# The guard region through the kernel's API (usim_config.guard_size,
# usim_spawn_opts.guard_size).
check_PROGRAMS += tests/unit/test_guard
tests_unit_test_guard_SOURCES = tests/unit/test_guard.c
tests_unit_test_guard_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_guard_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_guard

# One version: usim_version(), the header's macros, PACKAGE_VERSION; and
# the shared library's SONAME against config.h's USIM_SONAME.
check_PROGRAMS += tests/unit/test_version
tests_unit_test_version_SOURCES = tests/unit/test_version.c
tests_unit_test_version_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_version_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_version tests/unit/soname.sh
EXTRA_DIST += tests/unit/soname.sh

# Conditions, tracked updates and scopes ended by a condition: μsim
# 0.4.4's test_condition.py, test_tracked.py and the `until` cases of its
# scope tests under musim, and scenarios of the calls under every order.
check_PROGRAMS += tests/unit/test_musim_condition tests/unit/test_musim_tracked \
	tests/unit/test_musim_until tests/unit/test_cond
tests_unit_test_musim_condition_SOURCES = tests/unit/test_musim_condition.c tests/unit/fixture.h
tests_unit_test_musim_condition_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_condition_LDADD = $(UNIT_LDADD)
tests_unit_test_musim_tracked_SOURCES = tests/unit/test_musim_tracked.c tests/unit/fixture.h
tests_unit_test_musim_tracked_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_tracked_LDADD = $(UNIT_LDADD)
tests_unit_test_musim_until_SOURCES = tests/unit/test_musim_until.c tests/unit/fixture.h
tests_unit_test_musim_until_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_until_LDADD = $(UNIT_LDADD)
tests_unit_test_cond_SOURCES = tests/unit/test_cond.c tests/unit/fixture.h
tests_unit_test_cond_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cond_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_condition tests/unit/test_musim_tracked \
	tests/unit/test_musim_until tests/unit/test_cond
