# Kernel: clock, event queue, tasks, scopes, turn order.
libusim_core_la_SOURCES += \
	src/kernel/heap.c src/kernel/heap.h \
	src/kernel/ring.c src/kernel/ring.h \
	src/kernel/list.h \
	src/kernel/loop.c src/kernel/loop.h \
	src/kernel/sched.c src/kernel/sched.h \
	src/kernel/report.c src/kernel/report.h \
	src/kernel/drift.c src/kernel/drift.h \
	src/kernel/ticks.h \
	src/kernel/time.c \
	src/kernel/task.c src/kernel/task.h \
	src/kernel/scope.c \
	src/kernel/cond.c src/kernel/cond.h \
	src/kernel/sim.c src/kernel/sim.h \
	src/kernel/warmup.c src/kernel/warmup.h \
	src/kernel/service.c src/kernel/service.h \
	src/kernel/thread_end.c src/kernel/thread_end.h \
	src/kernel/error.c \
	src/kernel/fail_catch.c src/kernel/fail_catch.h \
	src/kernel/fnv1a.h
