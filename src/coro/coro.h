/*
 * coro.h — coroutines: the lowest layer of libusim.
 *
 * A coroutine is a stack plus a saved stack pointer.  Each OS thread has a
 * main context (the thread's own stack) and runs at most one coroutine at a
 * time; a coroutine never migrates to another thread.  coro_switch() is the
 * only way control moves between contexts.  This layer knows nothing of
 * simulations: the kernel builds tasks on top of it.
 *
 * Floating point contract: MXCSR and the x87 control word (x86-64) and
 * FPCR (AArch64) are per thread, not per coroutine.  A coroutine must leave
 * them as it found them at every switch; debug builds (assertions on) check
 * this and abort with a message naming the register.
 */
#ifndef USIM_CORO_CORO_H
#define USIM_CORO_CORO_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coro/instrument.h"
#include "coro/stack.h"

typedef struct coro {
    void *sp;            /* saved stack pointer while not running */
    struct coro *caller; /* who resumed us last: where an overflow returns */
    stack stk;           /* the main context's: its bounds, guard 0 */
    void *asan_fake;     /* ASan fake stack of this context while away */
    void (*entry)(void *);
    void *arg;
    void *fault_addr; /* where the overflow faulted, if overflowed */
    bool started;     /* has run at least once */
    bool overflowed;  /* faulted in its guard; must not be resumed */
} coro;

void usim_ctx_switch(void **save_sp, void *load_sp);

/* The running context of this thread (the main context if no coroutine
 * runs).  Initial-exec TLS: libusim is loaded at program start. */
extern _Thread_local coro *coro_running __attribute__((tls_model("initial-exec")));

/* Prepares this thread: main context, signal stack and overflow handler.
 * Idempotent; returns 0 or -1 with errno set. */
int coro_thread_init(void);

/* Makes sure the overflow handler is the installed SIGSEGV/SIGBUS action:
 * code that installs its own handler later (a test framework, say)
 * displaces it; the displaced handler is then chained to.  Call before
 * running coroutines after foreign code may have touched the signals. */
int coro_claim_fault_handler(void);

/* Creates a suspended coroutine that will run entry(arg) on a stack of
 * stack_size bytes rounded up to whole pages.  guard: bytes of PROT_NONE
 * below the stack, rounded up to whole pages and to at least
 * STACK_GUARD_MIN (so 1, or `true`, is the smallest guard: one page on
 * x86-64); 0: a slab stack without a guard.  Past the process's guard budget
 * the stack comes from a slab even if a guard was asked for (c->stk.guard
 * says what it got).  entry must not return: it ends with coro_exit().
 * Returns 0 or -1 with errno set. */
int coro_create(coro *c, void (*entry)(void *), void *arg, size_t stack_size,
                size_t guard);

/* Returns the stack of a coroutine that will not run again (finished, or
 * overflowed). */
void coro_destroy(coro *c);

#ifndef NDEBUG
void coro_check_fp_env(void);
#else
static inline void coro_check_fp_env(void) {}
#endif

static inline void coro_landed(coro *self)
{
    coro_running = self;
    instrument_switch_finish(self->asan_fake, NULL, NULL);
    coro_check_fp_env();
}

/* Suspends `from` (which must be running) and runs `to`. */
static inline void coro_switch(coro *from, coro *to)
{
    assert(from == coro_running && to != from && !to->overflowed);
    coro_check_fp_env();
    /* coro_running stays `from` until `to` has landed (coro_landed): the
     * call and the register pushes still use from's stack, and an overflow
     * there must be blamed on it. */
    to->started = true;
    instrument_switch_start(&from->asan_fake, to->stk.lo, to->stk.size);
    usim_ctx_switch(&from->sp, to->sp);
    coro_landed(from);
}

/* Runs `c` until it yields, exits or overflows its stack. */
static inline void coro_resume(coro *c)
{
    c->caller = coro_running;
    coro_switch(coro_running, c);
}

/* Gives control back to whoever resumed the running coroutine. */
static inline void coro_yield(void)
{
    coro_switch(coro_running, coro_running->caller);
}

/* Ends the running coroutine for good: control goes to its caller, which
 * may then coro_destroy() it. */
__attribute__((noreturn)) void coro_exit(void);

#endif
