/*
 * test_coro — the coroutine layer: register preservation, floating point,
 * deep recursion, many live coroutines, stack pooling, overflow capture.
 */
#define _GNU_SOURCE
#include <fenv.h>
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
    assert_int_equal(coro_create(&reg_co, reg_entry, NULL, 65536, true), 0);
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
    assert_int_equal(coro_create(&fp_co, fp_entry, NULL, 65536, true), 0);
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
        coro_create(&fpbad_co, fpbad_entry, NULL, 65536, true);
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
    assert_int_equal(coro_create(&deep_co, deep_entry, &n, 4 << 20, true), 0);
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

static void run_many(size_t n, bool guard)
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
    run_many(10000, true);
    stack_pool_trim();
}

static void test_hundred_thousand_slab_coroutines_alive_at_once(void **state)
{
    (void)state;
    stack_pool_stats before = stack_pool_get_stats();
    run_many(100000, false);
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
        assert_int_equal(coro_create(&v[i].c, counter_entry, &v[i], 40960, true), 0);
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
    assert_int_equal(coro_create(&c, noop_entry, NULL, 131072, true), 0);
    char *first = c.stk.lo;
    coro_resume(&c);
    coro_destroy(&c);
    stack_pool_stats s0 = stack_pool_get_stats();
    for (int i = 0; i < 100; i++) {
        assert_int_equal(coro_create(&c, noop_entry, NULL, 131072, true), 0);
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
        assert_int_equal(coro_create(&c, runaway_entry, NULL, 16384, true), 0);
        coro_resume(&c);
        assert_true(c.overflowed);
        coro_destroy(&c);
        /* the thread still runs coroutines normally afterwards */
        counter_co ok = {0};
        assert_int_equal(coro_create(&ok.c, counter_entry, &ok, 16384, true), 0);
        for (int r = 0; r <= TURNS; r++)
            coro_resume(&ok.c);
        coro_destroy(&ok.c);
        assert_int_equal(ok.turns, TURNS);
    }
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
        cmocka_unit_test(test_other_faults_are_not_swallowed),
    };
    return cmocka_run_group_tests_name("coro", tests, NULL, NULL);
}
