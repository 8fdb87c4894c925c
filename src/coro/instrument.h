/*
 * instrument.h — telling AddressSanitizer and Valgrind about our stacks.
 *
 * Everything here compiles to nothing in a plain build.  With ASan, each
 * switch is bracketed by __sanitizer_start_switch_fiber /
 * __sanitizer_finish_switch_fiber so ASan knows which stack is live; with
 * Valgrind headers present, every stack handed out is registered so
 * memcheck does not mistake a switch for a huge stack-pointer change.
 */
#ifndef USIM_CORO_INSTRUMENT_H
#define USIM_CORO_INSTRUMENT_H

#ifdef HAVE_CONFIG_H
#include "config.h" /* HAVE_VALGRIND_VALGRIND_H */
#endif

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define USIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define USIM_ASAN 1
#endif
#endif

#ifdef USIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

/* A stack handed out again may carry poison of frames that never
 * returned (a task abandoned by usim_fail or an overflow). */
static inline void instrument_stack_fresh(void *lo, size_t size)
{
#ifdef USIM_ASAN
    __asan_unpoison_memory_region(lo, size);
#else
    (void)lo;
    (void)size;
#endif
}

static inline unsigned instrument_stack_register(void *lo, size_t size)
{
#ifdef HAVE_VALGRIND_VALGRIND_H
    return VALGRIND_STACK_REGISTER(lo, (char *)lo + size - 1); /* inclusive */
#else
    (void)lo;
    (void)size;
    return 0;
#endif
}

static inline void instrument_stack_deregister(unsigned id)
{
#ifdef HAVE_VALGRIND_VALGRIND_H
    VALGRIND_STACK_DEREGISTER(id);
#else
    (void)id;
#endif
}

/* Before switching to the stack [lo, lo+size); `save` receives the fake
 * stack of the context being left, or pass NULL when that context is
 * finished for good (ASan then frees its fake stack). */
static inline void instrument_switch_start(void **save, const void *lo, size_t size)
{
#ifdef USIM_ASAN
    __sanitizer_start_switch_fiber(save, lo, size);
#else
    (void)save;
    (void)lo;
    (void)size;
#endif
}

/* First thing after a switch lands; reports the stack we came from. */
static inline void instrument_switch_finish(void *save, const void **from_lo,
                                            size_t *from_size)
{
#ifdef USIM_ASAN
    __sanitizer_finish_switch_fiber(save, from_lo, from_size);
#else
    (void)save;
    (void)from_lo;
    (void)from_size;
#endif
}

#endif
