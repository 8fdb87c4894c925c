/*
 * test_coro — the coroutine layer: register preservation, floating point,
 * deep recursion, many live coroutines, stack pooling and sizes, overflow
 * capture (runaway recursion, and frames larger than the guard page, with
 * and without stack probing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fenv.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "coro/coro.h"

/* Guard sizes for coro_create: the smallest (one page on x86-64) and a
 * large one. */
enum { GUARD_MIN = 1, GUARD_1M = 1 << 20 };

#if defined(__x86_64__)
enum { NREGS = 6 }; /* rbx rbp r12 r13 r14 r15 */
#else
enum { NREGS = 19 }; /* x19..x29, d8..d15 */
#endif

void regs_switch(void **save, void *load, const uint64_t *in, uint64_t *out);

/* Switches like coro_switch, but through the register-loading helper. */
static void switch_with_regs(coro *from, coro *to, const uint64_t *in, uint64_t *out)
{
    coro_running = to; /* for a fresh `to`, whose coro_boot lands it again */
    instrument_switch_start(&from->asan_fake, to->stk.lo, to->stk.size);
    regs_switch(&from->sp, to->sp, in, out);
    coro_running = from; /* what coro_landed does */
    instrument_switch_finish(from->asan_fake, NULL, NULL);
}

static void fill_pattern(uint64_t *v, uint64_t seed)
{
    for (int i = 0; i < NREGS; i++)
        v[i] = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)i << 56) ^ (uint64_t)i;
}

enum { REG_ROUNDS = 2000 };
static coro *reg_main, reg_co;
static int reg_mismatch_co;

static void reg_entry(void *arg)
{
    (void)arg;
    uint64_t in[NREGS], out[NREGS];
    for (int r = 0; r < REG_ROUNDS; r++) {
        fill_pattern(in, 1000003u * (uint64_t)r + 7);
        switch_with_regs(&reg_co, reg_main, in, out);
        if (memcmp(in, out, sizeof in) != 0)
            reg_mismatch_co++;
    }
    coro_exit();
}

static void test_switch_preserves_every_callee_saved_register(void **state)
{
    (void)state;
    assert_int_equal(coro_thread_init(), 0);
    reg_main = coro_running;
    assert_int_equal(coro_create(&reg_co, reg_entry, NULL, 65536, GUARD_MIN), 0);
    reg_co.caller = reg_main;
    uint64_t in[NREGS], out[NREGS];
    int mismatch_main = 0;
    for (int r = 0; r < REG_ROUNDS; r++) {
        fill_pattern(in, 7777u * (uint64_t)r + 3);
        switch_with_regs(reg_main, &reg_co, in, out);
        if (memcmp(in, out, sizeof in) != 0)
            mismatch_main++;
    }
    coro_resume(&reg_co); /* let it finish its last check and exit */
    coro_destroy(&reg_co);
    assert_int_equal(mismatch_main, 0);
    assert_int_equal(reg_mismatch_co, 0);
}

/* Floating point: values live across switches in both contexts stay
 * exact, and MXCSR / the x87 control word are untouched by switching. */
static coro fp_co;
static double fp_acc_co;

static void fp_entry(void *arg)
{
    (void)arg;
    double x = 1.0;
    for (int i = 1; i <= 1000; i++) {
        x = x * 1.0000001 + 1.0 / i;
        coro_yield();
    }
    fp_acc_co = x;
    coro_exit();
}

static double fp_reference(void)
{
    double x = 1.0;
    for (int i = 1; i <= 1000; i++)
        x = x * 1.0000001 + 1.0 / i;
    return x;
}

#if defined(__x86_64__)
static uint32_t read_mxcsr(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}
static uint16_t read_fpcw(void)
{
    uint16_t v;
    __asm__ volatile("fnstcw %0" : "=m"(v));
    return v;
}
#endif

static void test_fp_values_and_control_state_survive_switches(void **state)
{
    (void)state;
#if defined(__x86_64__)
    uint32_t mxcsr0 = read_mxcsr();
    uint16_t fpcw0 = read_fpcw();
#endif
    assert_int_equal(coro_create(&fp_co, fp_entry, NULL, 65536, GUARD_MIN), 0);
    double y = 2.0;
    for (int i = 1; i <= 1000; i++) {
        coro_resume(&fp_co);
        y = y / 1.0000003 + 0.5 / i;
    }
    coro_resume(&fp_co);
    coro_destroy(&fp_co);
    double yref = 2.0;
    for (int i = 1; i <= 1000; i++)
        yref = yref / 1.0000003 + 0.5 / i;
    assert_true(fp_acc_co == fp_reference());
    assert_true(y == yref);
#if defined(__x86_64__)
    assert_int_equal(read_mxcsr(), mxcsr0);
    assert_int_equal(read_fpcw(), fpcw0);
#endif
}

#ifndef NDEBUG
static coro fpbad_co;
static void fpbad_entry(void *arg)
{
    (void)arg;
    fesetround(FE_TOWARDZERO); /* breaks the contract: not restored */
    coro_yield();
    coro_exit();
}
#endif

/* The documented contract: a task that leaves a changed rounding mode
 * behind is caught at its next switch in debug builds. */
static void test_fp_contract_violation_aborts_in_debug_builds(void **state)
{
    (void)state;
#ifdef NDEBUG
    skip();
#else
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(2); /* keep the expected message out of the test log */
        coro_create(&fpbad_co, fpbad_entry, NULL, 65536, GUARD_MIN);
        coro_resume(&fpbad_co);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

/* Deep recursion: 20000 frames of real work on a 4 MiB stack. */
static coro deep_co;
static long deep_result;

static __attribute__((noinline)) long deep(long n, volatile char *prev)
{
    volatile char pad[64];
    pad[0] = (char)n;
    pad[63] = prev ? prev[0] : 0;
    if (n == 0)
        return pad[63];
    return deep(n - 1, pad) + n + (pad[0] != (char)n);
}

static void deep_entry(void *arg)
{
    deep_result = deep(*(long *)arg, NULL);
    coro_exit();
}

static void test_deep_recursion_inside_a_coroutine(void **state)
{
    (void)state;
    long n = 20000;
    assert_int_equal(coro_create(&deep_co, deep_entry, &n, 4 << 20, GUARD_MIN), 0);
    coro_resume(&deep_co);
    coro_destroy(&deep_co);
    /* sum 1..n, plus pad[63] of the last frame = (char)1 */
    assert_int_equal(deep_result, n * (n + 1) / 2 + 1);
}

/* Thousands alive at once: each coroutine counts its own turns. */
typedef struct counter_co {
    coro c;
    int turns;
} counter_co;

enum { TURNS = 5 };

static void counter_entry(void *arg)
{
    counter_co *cc = arg;
    for (int i = 0; i < TURNS; i++) {
        cc->turns++;
        coro_yield();
    }
    coro_exit();
}

static void run_many(size_t n, size_t guard)
{
    counter_co *v = calloc(n, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(coro_create(&v[i].c, counter_entry, &v[i], 16384, guard), 0);
    for (int r = 0; r <= TURNS; r++)
        for (size_t i = 0; i < n; i++)
            coro_resume(&v[i].c);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad += v[i].turns != TURNS;
        coro_destroy(&v[i].c);
    }
    free(v);
    assert_int_equal(bad, 0);
}

static void test_thousands_of_guarded_coroutines_alive_at_once(void **state)
{
    (void)state;
    run_many(10000, GUARD_MIN);
    stack_pool_trim();
}

static void test_hundred_thousand_slab_coroutines_alive_at_once(void **state)
{
    (void)state;
    stack_pool_stats before = stack_pool_get_stats();
    run_many(100000, 0);
    stack_pool_stats after = stack_pool_get_stats();
    /* 4 MiB slabs of 16 KiB stacks: 256 stacks per mapping */
    assert_true(after.mappings - before.mappings <= 100000 / 256 + 1);
    stack_pool_trim();
    /* every slab stack was unmapped with its slab */
    assert_int_equal(after.mapped - stack_pool_get_stats().mapped, 100000);
}

/* Past the process-wide budget of guarded stacks (vm.max_map_count),
 * new stacks come from slabs without a guard page, and still run. */
static void test_stacks_past_the_guard_budget_come_from_slabs(void **state)
{
    (void)state;
    enum { N = 12, ALLOWED = 5 };
    size_t before = stack_guarded_mapped();
    stack_set_guard_budget(before + ALLOWED);
    counter_co *v = calloc(N, sizeof *v);
    assert_non_null(v);
    int guarded = 0;
    for (int i = 0; i < N; i++) {
        /* a size no earlier test pooled, so every stack is mapped anew */
        assert_int_equal(coro_create(&v[i].c, counter_entry, &v[i], 40960, GUARD_MIN),
                         0);
        guarded += v[i].c.stk.guard != 0;
    }
    assert_int_equal(guarded, ALLOWED);
    assert_int_equal(stack_guarded_mapped(), before + ALLOWED);
    for (int r = 0; r <= TURNS; r++)
        for (int i = 0; i < N; i++)
            coro_resume(&v[i].c);
    for (int i = 0; i < N; i++) {
        assert_int_equal(v[i].turns, TURNS);
        coro_destroy(&v[i].c);
    }
    free(v);
    stack_set_guard_budget((size_t)1 << 40);
    stack_pool_trim();
}

static void noop_entry(void *arg)
{
    (void)arg;
    coro_exit();
}

static void test_stacks_are_reused_from_the_pool(void **state)
{
    (void)state;
    coro c;
    assert_int_equal(coro_create(&c, noop_entry, NULL, 131072, GUARD_MIN), 0);
    char *first = c.stk.lo;
    coro_resume(&c);
    coro_destroy(&c);
    stack_pool_stats s0 = stack_pool_get_stats();
    for (int i = 0; i < 100; i++) {
        assert_int_equal(coro_create(&c, noop_entry, NULL, 131072, GUARD_MIN), 0);
        assert_ptr_equal(c.stk.lo, first);
        coro_resume(&c);
        coro_destroy(&c);
    }
    stack_pool_stats s1 = stack_pool_get_stats();
    assert_int_equal(s1.mappings, s0.mappings);
    assert_int_equal(s1.reused - s0.reused, 100);
}

/* Overflow: runaway recursion hits the guard page; the caller gets
 * control back with the coroutine marked overflowed. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static __attribute__((noinline)) int runaway(int n)
{
    volatile char buf[256];
    buf[0] = (char)n;
    return runaway(n + 1) + buf[0];
}

static void runaway_entry(void *arg)
{
    (void)arg;
    runaway(0);
    coro_exit();
}

static void test_stack_overflow_is_caught_and_the_process_carries_on(void **state)
{
    (void)state;
    /* cmocka installs its own SIGSEGV handler around every test. */
    assert_int_equal(coro_claim_fault_handler(), 0);
    for (int round = 0; round < 3; round++) {
        coro c;
        assert_int_equal(coro_create(&c, runaway_entry, NULL, 16384, GUARD_MIN), 0);
        coro_resume(&c);
        assert_true(c.overflowed);
        coro_destroy(&c);
        /* the thread still runs coroutines normally afterwards */
        counter_co ok = {0};
        assert_int_equal(coro_create(&ok.c, counter_entry, &ok, 16384, GUARD_MIN), 0);
        for (int r = 0; r <= TURNS; r++)
            coro_resume(&ok.c);
        coro_destroy(&ok.c);
        assert_int_equal(ok.turns, TURNS);
    }
}

/* ---- frames larger than the guard page ------------------------------ */

/* A 256 KiB local array in a coroutine with a 64 KiB stack, written from
 * its start (its lowest address) as a buffer filled from the beginning
 * would be.  One copy is compiled with stack probing forced on and one
 * with it forced off, whatever the file's flags say (GCC's optimize
 * attribute; other compilers skip these tests). */
enum { BIG_FRAME = 256 << 10, SMALL_STACK = 64 << 10 };

#if defined(__GNUC__) && !defined(__clang__)
#define HAVE_PROBE_ATTRIBUTES 1
static __attribute__((noinline, optimize("stack-clash-protection"))) int
big_frame_probed(int n)
{
    volatile char buf[BIG_FRAME];
    buf[0] = (char)n;
    buf[BIG_FRAME - 1] = (char)n;
    return buf[0] + buf[BIG_FRAME - 1];
}

static __attribute__((noinline, optimize("no-stack-clash-protection"))) int
big_frame_unprobed(int n)
{
    volatile char buf[BIG_FRAME];
    buf[0] = (char)n;
    buf[BIG_FRAME - 1] = (char)n;
    return buf[0] + buf[BIG_FRAME - 1];
}
#endif

static int (*big_frame_fn)(int);
static int big_frame_returned;

static void big_frame_entry(void *arg)
{
    (void)arg;
    big_frame_fn(1);
    big_frame_returned = 1;
    coro_exit();
}

/* Runs big_frame_fn in a fresh coroutine; returns with it overflowed or
 * finished, and the thread still able to run coroutines. */
static void run_big_frame(coro *c, int (*fn)(int), size_t guard)
{
    assert_int_equal(coro_claim_fault_handler(), 0);
    big_frame_fn = fn;
    big_frame_returned = 0;
    assert_int_equal(coro_create(c, big_frame_entry, NULL, SMALL_STACK, guard), 0);
    assert_int_equal(c->stk.size, SMALL_STACK);
    coro_resume(c);
    /* the caller resumes here and runs coroutines as before */
    counter_co ok = {0};
    assert_int_equal(coro_create(&ok.c, counter_entry, &ok, SMALL_STACK, GUARD_MIN), 0);
    for (int r = 0; r <= TURNS; r++)
        coro_resume(&ok.c);
    coro_destroy(&ok.c);
    assert_int_equal(ok.turns, TURNS);
}

static size_t fault_depth(const coro *c)
{
    return (size_t)((uintptr_t)c->stk.lo - (uintptr_t)c->fault_addr);
}

/* Probed: the frame touches its pages from the top, so the first access
 * beyond the stack is in the guard's top probe interval, and even the
 * smallest guard catches it. */
static void
test_probed_256k_frame_on_64k_stack_is_caught_by_the_smallest_guard(void **state)
{
    (void)state;
#ifndef HAVE_PROBE_ATTRIBUTES
    skip();
#else
    coro c;
    run_big_frame(&c, big_frame_probed, GUARD_MIN);
    assert_int_equal(c.stk.guard, STACK_GUARD_MIN > 4096 ? STACK_GUARD_MIN : 4096);
    assert_true(c.overflowed);
    assert_false(big_frame_returned);
    assert_true(fault_depth(&c) >= 1 && fault_depth(&c) <= c.stk.guard);
    coro_destroy(&c);
#endif
}

/* Unprobed: the stack pointer drops by the whole frame at once, about
 * 192 KiB below the stack, far past the smallest guard; a 1 MiB guard
 * still holds it.  The fault depth shows that no probe came first. */
static void
test_unprobed_256k_frame_on_64k_stack_is_caught_by_a_1_mib_guard(void **state)
{
    (void)state;
#ifndef HAVE_PROBE_ATTRIBUTES
    skip();
#else
    coro c;
    run_big_frame(&c, big_frame_unprobed, GUARD_1M);
    assert_int_equal(c.stk.guard, GUARD_1M);
    assert_true(c.overflowed);
    assert_false(big_frame_returned);
    assert_true(fault_depth(&c) > BIG_FRAME - SMALL_STACK - 4096);
    assert_true(fault_depth(&c) <= GUARD_1M);
    coro_destroy(&c);
#endif
}

/* The guard region is [lo - guard, lo): its first and last bytes count,
 * the bytes just outside do not; a slab stack has none. */
static void test_a_fault_anywhere_in_the_guard_region_is_an_overflow(void **state)
{
    (void)state;
    coro c;
    assert_int_equal(coro_create(&c, noop_entry, NULL, SMALL_STACK, 256 << 10), 0);
    const char *lo = c.stk.lo;
    assert_int_equal(c.stk.guard, 256 << 10);
    assert_true(stack_contains_guard(&c.stk, lo - 1));
    assert_true(stack_contains_guard(&c.stk, lo - (256 << 10)));
    assert_false(stack_contains_guard(&c.stk, lo - (256 << 10) - 1));
    assert_false(stack_contains_guard(&c.stk, lo));
    coro_resume(&c);
    coro_destroy(&c);
    coro s;
    assert_int_equal(coro_create(&s, noop_entry, NULL, SMALL_STACK, 0), 0);
    assert_int_equal(s.stk.guard, 0);
    assert_false(stack_contains_guard(&s.stk, s.stk.lo - 1));
    coro_resume(&s);
    coro_destroy(&s);
}

/* A write at the very bottom of a large guard is caught like one at its
 * top, and the fault address is recorded. */
static char *bottom_target;

static void bottom_entry(void *arg)
{
    (void)arg;
    *(volatile char *)bottom_target = 1;
    coro_exit();
}

static void test_a_write_at_the_bottom_of_the_guard_is_caught(void **state)
{
    (void)state;
    assert_int_equal(coro_claim_fault_handler(), 0);
    coro c;
    assert_int_equal(coro_create(&c, bottom_entry, NULL, SMALL_STACK, GUARD_1M), 0);
    bottom_target = c.stk.lo - c.stk.guard;
    coro_resume(&c);
    assert_true(c.overflowed);
    assert_ptr_equal(c.fault_addr, bottom_target);
    coro_destroy(&c);
}

/* ---- sizes and the pool ---------------------------------------------- */

/* Stack and guard sizes are rounded up to whole pages and nothing else:
 * a one-page stack stays one page (no hidden minimum). */
static void test_stack_and_guard_sizes_are_rounded_up_to_pages_only(void **state)
{
    (void)state;
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    coro c;
    assert_int_equal(coro_create(&c, noop_entry, NULL, ps, 3 * ps + 1), 0);
    assert_int_equal(c.stk.size, ps);
    assert_int_equal(c.stk.guard, 4 * ps < STACK_GUARD_MIN ? STACK_GUARD_MIN : 4 * ps);
    coro_resume(&c);
    coro_destroy(&c);
    assert_int_equal(coro_create(&c, noop_entry, NULL, 5 * ps + 1, GUARD_1M - 1), 0);
    assert_int_equal(c.stk.size, 6 * ps);
    assert_int_equal(c.stk.guard, GUARD_1M);
    coro_resume(&c);
    coro_destroy(&c);
    assert_int_equal(stack_round_size(0), 0);
    assert_int_equal(stack_round_size(SIZE_MAX), 0);
    assert_int_equal(stack_round_size(2 * ps - 1), 2 * ps);
}

static void test_a_zero_or_unroundable_stack_size_is_einval(void **state)
{
    (void)state;
    coro c;
    errno = 0;
    assert_int_equal(coro_create(&c, noop_entry, NULL, 0, GUARD_MIN), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(coro_create(&c, noop_entry, NULL, SIZE_MAX, GUARD_MIN), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(coro_create(&c, noop_entry, NULL, SMALL_STACK, SIZE_MAX), -1);
    assert_int_equal(errno, EINVAL);
}

/* A pooled stack is reused only for the same guard size: a stack with the
 * smallest guard never serves a request for a 1 MiB guard, and is there
 * for the next request like its own.  On a thread of its own, so that its
 * pool starts empty (a pool has POOL_CLASSES size-guard classes, which the
 * earlier tests have filled). */
typedef struct guard_classes {
    int created;           /* coroutines created */
    size_t second_guard;   /* guard of the 1 MiB request */
    bool second_reused;    /* did it get the pooled small-guard stack? */
    bool third_reused;     /* did the third request get it? */
    size_t reused_counted; /* pool reuses counted */
} guard_classes;

static void *guard_classes_thread(void *arg)
{
    guard_classes *r = arg;
    enum { SIZE = 64 << 10 };
    coro a;
    if (coro_create(&a, noop_entry, NULL, SIZE, GUARD_MIN) != 0)
        return NULL;
    r->created++;
    char *small_guard_lo = a.stk.lo;
    coro_resume(&a);
    coro_destroy(&a);
    stack_pool_stats s0 = stack_pool_get_stats();
    if (coro_create(&a, noop_entry, NULL, SIZE, GUARD_1M) != 0)
        return NULL;
    r->created++;
    r->second_guard = a.stk.guard;
    r->second_reused = a.stk.lo == small_guard_lo;
    coro_resume(&a);
    coro_destroy(&a);
    if (coro_create(&a, noop_entry, NULL, SIZE, GUARD_MIN) != 0)
        return NULL;
    r->created++;
    r->third_reused = a.stk.lo == small_guard_lo;
    coro_resume(&a);
    coro_destroy(&a);
    r->reused_counted = stack_pool_get_stats().reused - s0.reused;
    return NULL;
}

static void test_the_pool_keeps_stacks_of_different_guards_apart(void **state)
{
    (void)state;
    guard_classes r = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, guard_classes_thread, &r), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(r.created, 3);
    assert_int_equal(r.second_guard, GUARD_1M);
    assert_false(r.second_reused);
    assert_true(r.third_reused);
    assert_int_equal(r.reused_counted, 1);
}

/* The pool's invariants are checked at every change in builds with
 * assertions: handing back a descriptor that is not page-aligned aborts. */
static void test_pool_checks_catch_a_bad_descriptor_in_debug_builds(void **state)
{
    (void)state;
#ifdef NDEBUG
    skip();
#else
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(2); /* keep the expected message out of the test log */
        coro c;
        if (coro_create(&c, noop_entry, NULL, SMALL_STACK, GUARD_MIN) != 0)
            _exit(3);
        stack bad = c.stk;
        bad.lo += 64;
        stack_free(&bad);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

/* A fault that is not an overflow still kills the process. */
static void test_other_faults_are_not_swallowed(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(2);
        /* leave cmocka's handler out: ours must chain to the default */
        signal(SIGSEGV, SIG_DFL);
        coro_claim_fault_handler();
        /* An address nothing is mapped at, read through a volatile so
         * the compiler neither knows it nor warns about it. */
        volatile uintptr_t bad = 16;
        volatile int *p = (volatile int *)bad;
        *p = 1;
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_preserves_every_callee_saved_register),
        cmocka_unit_test(test_fp_values_and_control_state_survive_switches),
        cmocka_unit_test(test_fp_contract_violation_aborts_in_debug_builds),
        cmocka_unit_test(test_deep_recursion_inside_a_coroutine),
        cmocka_unit_test(test_thousands_of_guarded_coroutines_alive_at_once),
        cmocka_unit_test(test_hundred_thousand_slab_coroutines_alive_at_once),
        cmocka_unit_test(test_stacks_are_reused_from_the_pool),
        cmocka_unit_test(test_stacks_past_the_guard_budget_come_from_slabs),
        cmocka_unit_test(test_stack_overflow_is_caught_and_the_process_carries_on),
        cmocka_unit_test(
            test_probed_256k_frame_on_64k_stack_is_caught_by_the_smallest_guard),
        cmocka_unit_test(
            test_unprobed_256k_frame_on_64k_stack_is_caught_by_a_1_mib_guard),
        cmocka_unit_test(test_a_fault_anywhere_in_the_guard_region_is_an_overflow),
        cmocka_unit_test(test_a_write_at_the_bottom_of_the_guard_is_caught),
        cmocka_unit_test(test_stack_and_guard_sizes_are_rounded_up_to_pages_only),
        cmocka_unit_test(test_a_zero_or_unroundable_stack_size_is_einval),
        cmocka_unit_test(test_the_pool_keeps_stacks_of_different_guards_apart),
        cmocka_unit_test(test_pool_checks_catch_a_bad_descriptor_in_debug_builds),
        cmocka_unit_test(test_other_faults_are_not_swallowed),
    };
    return cmocka_run_group_tests_name("coro", tests, NULL, NULL);
}
