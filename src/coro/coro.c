/*
 * coro.c — coroutine creation, the thread's main context and the stack
 * overflow handler.
 *
 * Overflow: every guarded stack has a PROT_NONE guard region below it
 * (one page or many, see stack.h).  A fault there raises SIGSEGV, which we
 * take on an alternate signal stack (the faulting stack has no room left).
 * If the fault address lies anywhere in the guard region of the coroutine
 * running on this thread, the handler marks it overflowed and switches
 * straight to its caller, abandoning both the coroutine and the signal
 * frame; SA_NODEFER keeps SIGSEGV unblocked for the next overflow.  Any
 * other fault goes to the previous handler (or the default action), so
 * real crashes stay crashes.
 */
#define _GNU_SOURCE
#include "coro/coro.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

_Thread_local coro *coro_running __attribute__((tls_model("initial-exec")));

void usim_ctx_trampoline(void);

enum { ALTSTACK_SIZE = 64 << 10 };

typedef struct coro_thread {
    coro main;
    void *altstack; /* ours, or NULL if someone else's is installed */
    bool ready;
#if defined(__x86_64__) && !defined(NDEBUG)
    uint32_t mxcsr;
    uint16_t fpcw;
#elif defined(__aarch64__) && !defined(NDEBUG)
    uint64_t fpcr; /* rounding, flush-to-zero, traps; flags live in FPSR */
#endif
} coro_thread;

static _Thread_local coro_thread cthread;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static struct sigaction prev_segv, prev_bus;
static int handler_error;

static void chain(int sig, siginfo_t *si, void *uc)
{
    const struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
    if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
        prev->sa_sigaction(sig, si, uc);
        return;
    }
    if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
        return;
    }
    /* Default action: reinstall it; returning re-executes the fault. */
    signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    coro *c = coro_running;
    if (!c || !stack_contains_guard(&c->stk, si->si_addr)) {
        chain(sig, si, uc);
        return;
    }
    c->overflowed = true;
    c->fault_addr = si->si_addr;
    coro *to = c->caller; /* coro_running becomes `to` as it lands */
    /* NULL: the overflowed context is finished for ASan's purposes. */
    instrument_switch_start(NULL, to->stk.lo, to->stk.size);
    usim_ctx_switch(&c->sp, to->sp);
    __builtin_unreachable();
}

static pthread_mutex_t handler_mutex = PTHREAD_MUTEX_INITIALIZER;

/* (Re)installs on_fault for `sig` unless it is already there; whatever
 * was installed becomes the handler we chain to. */
static int claim_signal(int sig, struct sigaction *prev)
{
    struct sigaction cur;
    if (sigaction(sig, NULL, &cur) != 0)
        return -1;
    if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault)
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, prev);
}

/* 1 if on_fault is `sig`'s handler, 0 if not, -1 if it cannot be read. */
static int handler_is_ours(int sig)
{
    struct sigaction cur;
    if (sigaction(sig, NULL, &cur) != 0)
        return -1;
    return (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault;
}

/* Called before every run: the usual answer is "already ours", found with
 * two queries and no lock, so threads starting runs concurrently never
 * contend.  Installing takes handler_mutex and checks again under it:
 * two threads installing at once must not both save a handler as the one
 * to chain to (the second would save on_fault itself and chain forever). */
int coro_claim_fault_handler(void)
{
    if (handler_is_ours(SIGSEGV) == 1 && handler_is_ours(SIGBUS) == 1)
        return 0;
    pthread_mutex_lock(&handler_mutex);
    int rc = claim_signal(SIGSEGV, &prev_segv);
    if (rc == 0)
        rc = claim_signal(SIGBUS, &prev_bus);
    pthread_mutex_unlock(&handler_mutex);
    return rc;
}

static void install_handler(void)
{
    if (coro_claim_fault_handler() != 0)
        handler_error = errno;
}

static void thread_release(void *arg)
{
    coro_thread *t = arg;
    if (t->altstack) {
        stack_t ss, cur;
        memset(&ss, 0, sizeof ss);
        ss.ss_flags = SS_DISABLE;
        if (sigaltstack(NULL, &cur) == 0 && cur.ss_sp == t->altstack)
            sigaltstack(&ss, NULL);
        munmap(t->altstack, ALTSTACK_SIZE);
        t->altstack = NULL;
    }
}

static void make_key(void)
{
    pthread_key_create(&thread_key, thread_release);
    install_handler();
}

/* Installs a signal stack unless the thread already has a big enough one
 * (AddressSanitizer installs its own and unmaps it at thread exit). */
static int ensure_altstack(void)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) &&
        cur.ss_size >= 16384)
        return 0;
    void *p = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    stack_t ss = {.ss_sp = p, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        int e = errno;
        munmap(p, ALTSTACK_SIZE);
        errno = e;
        return -1;
    }
    cthread.altstack = p;
    pthread_setspecific(thread_key, &cthread);
    return 0;
}

int coro_thread_init(void)
{
    if (cthread.ready)
        return 0;
    pthread_once(&handler_once, make_key);
    if (handler_error) {
        errno = handler_error;
        return -1;
    }
    if (ensure_altstack() != 0)
        return -1;
#if defined(__x86_64__) && !defined(NDEBUG)
    __asm__ volatile("stmxcsr %0" : "=m"(cthread.mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(cthread.fpcw));
#elif defined(__aarch64__) && !defined(NDEBUG)
    __asm__ volatile("mrs %0, fpcr" : "=r"(cthread.fpcr));
#endif
    /* The main context's stack bounds, for the sanitizer's fiber API. */
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *lo;
        size_t size;
        if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
            cthread.main.stk.lo = lo;
            cthread.main.stk.size = size;
        }
        pthread_attr_destroy(&attr);
    }
    cthread.main.started = true;
    coro_running = &cthread.main;
    cthread.ready = true;
    return 0;
}

#ifndef NDEBUG
void coro_check_fp_env(void)
{
#if defined(__x86_64__)
    uint32_t mxcsr;
    uint16_t fpcw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fpcw));
    /* MXCSR bits 0-5 are sticky exception flags, not control state. */
    if (((mxcsr ^ cthread.mxcsr) & ~0x3fu) || fpcw != cthread.fpcw) {
        fprintf(stderr,
                "usim: a task changed the floating-point environment "
                "(MXCSR %#x -> %#x, x87 control word %#x -> %#x); tasks "
                "must restore it before any switch\n",
                cthread.mxcsr, mxcsr, cthread.fpcw, fpcw);
        abort();
    }
#elif defined(__aarch64__)
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    if (fpcr != cthread.fpcr) {
        fprintf(stderr,
                "usim: a task changed the floating-point environment "
                "(FPCR %#llx -> %#llx); tasks must restore it before any "
                "switch\n",
                (unsigned long long)cthread.fpcr, (unsigned long long)fpcr);
        abort();
    }
#endif
}
#endif

/* First C code of every coroutine: completes the switch that started it,
 * then runs its entry function. */
static void coro_boot(void *arg)
{
    coro *self = arg;
    coro_landed(self);
    self->entry(self->arg);
    assert(!"a coroutine entry function returned");
    abort();
}

/*
 * Builds the frame usim_ctx_switch expects at the top of a fresh stack so
 * that the first switch "returns" into usim_ctx_trampoline, which calls
 * entry(arg).  See the frame tables in switch_*.S.
 */
static void *prepare_frame(char *top, void (*entry)(void *), void *arg)
{
    uintptr_t t = (uintptr_t)top & ~(uintptr_t)15;
#if defined(__x86_64__)
    /* r15 r14 r13 r12 rbx rbp rip, then a zeroed 16-byte end marker;
     * after the 7 pops rsp = t - 16, 16-byte aligned as after a return. */
    uint64_t *f = (uint64_t *)(t - 16 - 7 * 8);
    memset(f, 0, 9 * 8);
    f[3] = (uint64_t)(uintptr_t)arg;   /* r12 */
    f[4] = (uint64_t)(uintptr_t)entry; /* rbx */
    f[6] = (uint64_t)(uintptr_t)usim_ctx_trampoline;
    return f;
#elif defined(__aarch64__)
    /* 160-byte frame: x19 = arg, x20 = entry, x29 = 0, x30 = trampoline;
     * 16 zero bytes above it end frame-pointer walks. */
    uint64_t *f = (uint64_t *)(t - 16 - 160);
    memset(f, 0, 160 + 16);
    f[0] = (uint64_t)(uintptr_t)arg;
    f[1] = (uint64_t)(uintptr_t)entry;
    f[11] = (uint64_t)(uintptr_t)usim_ctx_trampoline;
    return f;
#else
#error "usim: unsupported architecture"
#endif
}

/* Stacks start page-aligned, so without an offset every coroutine's saved
 * frame sits at the same address modulo 4 KiB and the frames of the
 * contexts being switched compete for the same L1 sets.  A per-stack
 * offset of 0-960 bytes (in 64-byte steps, taken from the stack's page
 * number) spreads them out. */
static size_t stack_color(const stack *s)
{
    return (((uintptr_t)s->lo >> 12) * 7 & 15) * 64;
}

int coro_create(coro *c, void (*entry)(void *), void *arg, size_t stack_size,
                size_t guard)
{
    if (coro_thread_init() != 0)
        return -1;
    memset(c, 0, sizeof *c);
    if (stack_alloc(&c->stk, stack_size, guard) != 0)
        return -1;
    c->entry = entry;
    c->arg = arg;
    c->sp = prepare_frame(c->stk.lo + c->stk.size - stack_color(&c->stk), coro_boot, c);
    return 0;
}

void coro_destroy(coro *c)
{
    assert(c != coro_running);
    if (!c->stk.lo)
        return;
    if (c->overflowed)
        stack_after_overflow(&c->stk);
    stack_free(&c->stk);
}

void coro_exit(void)
{
    coro *self = coro_running;
    coro *to = self->caller;
    instrument_switch_start(NULL, to->stk.lo, to->stk.size);
    usim_ctx_switch(&self->sp, to->sp);
    __builtin_unreachable();
}
