# Kernel: clock, event queue, tasks, scopes, turn order.
libusim_core_la_SOURCES += src/kernel/heap.c src/kernel/heap.h src/kernel/loop.c \
	src/kernel/sim.c src/kernel/sim.h src/kernel/task.c src/kernel/task.h \
	src/kernel/time.c src/kernel/scope.c src/kernel/error.c src/kernel/sched.h \
	src/kernel/ticks.h src/kernel/fnv1a.h \
	src/kernel/service.c src/kernel/service.h
