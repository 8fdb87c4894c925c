/*
 * fixture.h — keeps the cmocka tests of a program independent: a failed
 * assertion ends its own test and no other.
 *
 * cmocka reports a failed assertion with a longjmp back to where the test
 * started.  An assertion inside a task jumps from the task's coroutine
 * stack to the host's in the middle of usim_sim_run: the thread still
 * names that simulation as running, so every later usim_sim_run and
 * usim_sim_destroy on the thread would refuse ("already running"), and
 * one failure would show up as a failure of every later test.  So each
 * test runs between fixture_setup and fixture_teardown, makes its
 * simulations with fixture_sim, and the teardown gives the thread back
 * (loop_escaped) and destroys whatever the test left.
 *
 * Include after <cmocka.h>; wire each test as
 * cmocka_unit_test_setup_teardown(test, fixture_setup, fixture_teardown)
 * (FIXTURE_TEST(test) does), or call them from the program's own setup
 * and teardown.
 */
#ifndef USIM_TESTS_FIXTURE_H
#define USIM_TESTS_FIXTURE_H

#include <string.h>

#include "kernel/loop.h" /* loop_escaped */
#include "usim.h"

enum { FIXTURE_MAX_SIMS = 16 };

static usim_sim *fixture_sims[FIXTURE_MAX_SIMS];

static int fixture_setup(void **state)
{
    (void)state;
    memset(fixture_sims, 0, sizeof fixture_sims);
    return 0;
}

/* usim_sim_create, remembered for the teardown. */
static usim_sim *fixture_sim(const usim_config *cfg)
{
    usim_sim *sim = usim_sim_create(cfg);
    assert_non_null(sim);
    for (int i = 0; i < FIXTURE_MAX_SIMS; i++)
        if (!fixture_sims[i]) {
            fixture_sims[i] = sim;
            return sim;
        }
    fail_msg("more than %d simulations in one test", FIXTURE_MAX_SIMS);
    return NULL;
}

/* usim_sim_destroy of a simulation made by fixture_sim. */
static void fixture_destroy(usim_sim *sim)
{
    for (int i = 0; i < FIXTURE_MAX_SIMS; i++)
        if (fixture_sims[i] == sim)
            fixture_sims[i] = NULL;
    usim_sim_destroy(sim);
}

static int fixture_teardown(void **state)
{
    (void)state;
    usim_sim *running = usim_current();
    if (running)
        loop_escaped(running); /* a failed assertion inside a task */
    for (int i = 0; i < FIXTURE_MAX_SIMS; i++)
        if (fixture_sims[i])
            fixture_destroy(fixture_sims[i]);
    return 0;
}

#define FIXTURE_TEST(t)                                                                \
    cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

#endif
