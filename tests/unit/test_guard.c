/*
 * test_guard — the guard region through the kernel's API: the
 * guard_size setting of usim_config and of usim_spawn_opts, and a frame
 * larger than the stack failing its run (and only its run) with the
 * overflow message.
 *
 * The big frame is compiled without stack probing (GCC's optimize
 * attribute), so only a guard larger than the jump of the stack pointer
 * catches it: that makes the guard size observable.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "usim.h"

enum { BIG_FRAME = 256 << 10, SMALL_STACK = 64 << 10 };

static void test_config_guard_size_defaults_to_1_mib(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    assert_int_equal(cfg.guard_size, (size_t)1 << 20);
    assert_int_equal(cfg.guard_size, USIM_GUARD_SIZE_DEFAULT);
    assert_true(cfg.stack_guard);
    assert_int_equal(usim_config_check(&cfg), 0);
    cfg.guard_size = 0; /* the smallest guard */
    assert_int_equal(usim_config_check(&cfg), 0);
}

static void test_config_guard_size_above_1_gib_is_einval(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.guard_size = USIM_GUARD_SIZE_MAX;
    assert_int_equal(usim_config_check(&cfg), 0);
    cfg.guard_size = USIM_GUARD_SIZE_MAX + 1;
    assert_int_equal(usim_config_check(&cfg), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "guard_size"));
    assert_null(usim_sim_create(&cfg));
}

#if defined(__GNUC__) && !defined(__clang__)
#define HAVE_PROBE_ATTRIBUTES 1
/* Written from its start, as a buffer filled from the beginning is. */
static __attribute__((noinline, optimize("no-stack-clash-protection"))) int
big_frame_unprobed(int n)
{
    volatile char buf[BIG_FRAME];
    buf[0] = (char)n;
    buf[BIG_FRAME - 1] = (char)n;
    return buf[0] + buf[BIG_FRAME - 1];
}

static int returned;

static void *server(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    big_frame_unprobed(1);
    returned = 1;
    return NULL;
}

static int healthy_done;

static void *healthy(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        usim_sleep(1.0);
    healthy_done++;
    return NULL;
}

/* A simulation with `sim_guard` as its guard_size and one task 'server'
 * spawned with `task_guard`; returns the run's status, *msg its error. */
static usim_status run_server(size_t sim_guard, size_t task_guard, char *msg,
                              size_t len)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.stack_size = SMALL_STACK;
    cfg.guard_size = sim_guard;
    usim_sim *sim = usim_sim_create(&cfg);
    assert_non_null(sim);
    usim_spawn_opts opts = {.guard_size = task_guard};
    returned = 0;
    assert_non_null(usim_sim_spawn_ex(sim, server, NULL, "server", &opts));
    usim_status st = usim_sim_run(sim, INFINITY);
    const char *e = usim_sim_error(sim);
    snprintf(msg, len, "%s", e ? e : "");
    usim_sim_destroy(sim);
    return st;
}
#endif

/* The default guard catches an unprobed frame four times the stack: the
 * run fails with the message, the next simulation on the thread runs. */
static void
test_unprobed_256k_frame_fails_the_run_with_the_overflow_message(void **state)
{
    (void)state;
#ifndef HAVE_PROBE_ATTRIBUTES
    skip();
#else
    char msg[200];
    assert_int_equal(run_server(USIM_GUARD_SIZE_DEFAULT, 0, msg, sizeof msg),
                     USIM_FAILED);
    assert_string_equal(msg, "stack overflow in task 'server' (64 KiB stack)");
    assert_int_equal(returned, 0);

    usim_config cfg;
    usim_config_init(&cfg);
    cfg.stack_size = SMALL_STACK;
    usim_sim *sim = usim_sim_create(&cfg);
    assert_non_null(sim);
    healthy_done = 0;
    assert_non_null(usim_sim_spawn(sim, healthy, NULL, "healthy"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    assert_int_equal(healthy_done, 1);
    assert_true(usim_sim_now(sim) == 3.0);
    usim_sim_destroy(sim);
#endif
}

/* A task's own guard_size overrides the simulation's smallest guard. */
static void test_per_task_guard_size_overrides_the_simulations(void **state)
{
    (void)state;
#ifndef HAVE_PROBE_ATTRIBUTES
    skip();
#else
    char msg[200];
    assert_int_equal(run_server(0, (size_t)1 << 20, msg, sizeof msg), USIM_FAILED);
    assert_string_equal(msg, "stack overflow in task 'server' (64 KiB stack)");
    assert_int_equal(returned, 0);
#endif
}

static void *nothing(void *arg)
{
    return arg;
}

static void test_spawn_guard_size_above_1_gib_is_einval(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = usim_sim_create(&cfg);
    assert_non_null(sim);
    usim_spawn_opts opts = {.guard_size = USIM_GUARD_SIZE_MAX + 1};
    assert_null(usim_sim_spawn_ex(sim, nothing, NULL, "big guard", &opts));
    assert_non_null(strstr(usim_errmsg(), "guard_size"));
    opts.guard_size = USIM_GUARD_SIZE_MAX;
    assert_non_null(usim_sim_spawn_ex(sim, nothing, NULL, "largest guard", &opts));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    usim_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_guard_size_defaults_to_1_mib),
        cmocka_unit_test(test_config_guard_size_above_1_gib_is_einval),
        cmocka_unit_test(
            test_unprobed_256k_frame_fails_the_run_with_the_overflow_message),
        cmocka_unit_test(test_per_task_guard_size_overrides_the_simulations),
        cmocka_unit_test(test_spawn_guard_size_above_1_gib_is_einval),
    };
    return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}
