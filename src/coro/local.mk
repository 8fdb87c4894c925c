# Coroutines: context switch and stack pool.
libusim_core_la_SOURCES += src/coro/coro.c src/coro/coro.h src/coro/stack.c \
	src/coro/stack.h src/coro/instrument.h
if ARCH_X86_64
libusim_core_la_SOURCES += src/coro/switch_x86_64.S
endif
if ARCH_AARCH64
libusim_core_la_SOURCES += src/coro/switch_aarch64.S
endif
EXTRA_DIST += src/coro/switch_x86_64.S src/coro/switch_aarch64.S
