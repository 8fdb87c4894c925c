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

# μsim 0.4.4's own tests, ported one for one as the specification of
# USIM_ORDER_MUSIM (tests/unit/README.md; USIM_PORT_ORDER=fifo runs them
# under another order).
check_PROGRAMS += tests/unit/test_musim_time
tests_unit_test_musim_time_SOURCES = tests/unit/test_musim_time.c \
	tests/unit/musim_port.h tests/unit/fixture.h
tests_unit_test_musim_time_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_time_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_time

check_PROGRAMS += tests/unit/test_musim_flag
tests_unit_test_musim_flag_SOURCES = tests/unit/test_musim_flag.c \
	tests/unit/musim_port.h tests/unit/fixture.h
tests_unit_test_musim_flag_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_flag_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_flag

check_PROGRAMS += tests/unit/test_musim_scope
tests_unit_test_musim_scope_SOURCES = tests/unit/test_musim_scope.c \
	tests/unit/musim_port.h tests/unit/fixture.h
tests_unit_test_musim_scope_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_scope_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_scope

check_PROGRAMS += tests/unit/test_musim_exceptions
tests_unit_test_musim_exceptions_SOURCES = tests/unit/test_musim_exceptions.c \
	tests/unit/musim_port.h tests/unit/fixture.h
tests_unit_test_musim_exceptions_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_exceptions_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_exceptions

check_PROGRAMS += tests/unit/test_musim_activity
tests_unit_test_musim_activity_SOURCES = tests/unit/test_musim_activity.c \
	tests/unit/musim_port.h tests/unit/fixture.h
tests_unit_test_musim_activity_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_activity_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_activity

check_PROGRAMS += tests/unit/test_musim_locks
tests_unit_test_musim_locks_SOURCES = tests/unit/test_musim_locks.c \
	tests/unit/musim_port.h tests/unit/fixture.h
tests_unit_test_musim_locks_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_locks_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_locks
EXTRA_DIST += tests/unit/README.md

# μsim 0.4.4's tests of the primitives usim took from it later, ported
# one for one and run under the musim order: resources (test_resource.py),
# pipe (test_pipe.py), collect and first (test_flow), streams
# (test_streams.py).
check_PROGRAMS += tests/unit/test_musim_resources tests/unit/test_musim_pipe \
	tests/unit/test_musim_flow tests/unit/test_musim_streams
tests_unit_test_musim_resources_SOURCES = tests/unit/test_musim_resources.c tests/unit/fixture.h
tests_unit_test_musim_resources_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_resources_LDADD = $(UNIT_LDADD)
tests_unit_test_musim_pipe_SOURCES = tests/unit/test_musim_pipe.c tests/unit/fixture.h
tests_unit_test_musim_pipe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_pipe_LDADD = $(UNIT_LDADD)
tests_unit_test_musim_flow_SOURCES = tests/unit/test_musim_flow.c tests/unit/fixture.h
tests_unit_test_musim_flow_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_flow_LDADD = $(UNIT_LDADD)
tests_unit_test_musim_streams_SOURCES = tests/unit/test_musim_streams.c tests/unit/fixture.h
tests_unit_test_musim_streams_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_musim_streams_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_musim_resources tests/unit/test_musim_pipe \
	tests/unit/test_musim_flow tests/unit/test_musim_streams

# Multi-kind resources, pipe, collect/first and channel subscriptions:
# scenarios with hand-worked times and orders under every turn order.
check_PROGRAMS += tests/unit/test_resources tests/unit/test_pipe \
	tests/unit/test_collect tests/unit/test_channel_sub
tests_unit_test_resources_SOURCES = tests/unit/test_resources.c tests/unit/fixture.h
tests_unit_test_resources_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_resources_LDADD = $(UNIT_LDADD)
tests_unit_test_pipe_SOURCES = tests/unit/test_pipe.c tests/unit/fixture.h
tests_unit_test_pipe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pipe_LDADD = $(UNIT_LDADD)
tests_unit_test_collect_SOURCES = tests/unit/test_collect.c tests/unit/fixture.h
tests_unit_test_collect_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_collect_LDADD = $(UNIT_LDADD)
tests_unit_test_channel_sub_SOURCES = tests/unit/test_channel_sub.c tests/unit/fixture.h
tests_unit_test_channel_sub_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_channel_sub_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_resources tests/unit/test_pipe tests/unit/test_collect \
	tests/unit/test_channel_sub

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

# The warm-up: statistics reset at its time, the hooks, runs that end before it.
check_PROGRAMS += tests/unit/test_warmup
tests_unit_test_warmup_SOURCES = tests/unit/test_warmup.c tests/unit/fixture.h
tests_unit_test_warmup_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_warmup_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_warmup
