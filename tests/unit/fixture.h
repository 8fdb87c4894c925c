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
 *
 * The trace.  Scenario tests record what their tasks do in fixture_trace,
 * words separated by spaces: fixture_trace_add appends one word as it is,
 * fixture_note one "task:what@tick".  fixture_run_traced runs a root task
 * from an empty trace and returns the trace, fixture_run_order does so
 * under one turn order with whole ticks, and fixture_sorted gives the
 * words in sorted order: what a random order cannot change.
 */
#ifndef USIM_TESTS_FIXTURE_H
#define USIM_TESTS_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

enum { FIXTURE_TRACE_SIZE = 2048, FIXTURE_TRACE_WORDS = 128 };

static char fixture_trace[FIXTURE_TRACE_SIZE];

/* Appends word to the trace as it is. */
static inline void fixture_trace_add(const char *word)
{
    size_t n = strlen(fixture_trace);
    snprintf(fixture_trace + n, sizeof fixture_trace - n, "%s%s", n ? " " : "", word);
}

/* Appends "task:what@tick" for the calling task at the current time. */
static inline void fixture_note(const char *what)
{
    char one[96];
    snprintf(one, sizeof one, "%s:%s@%lld", usim_task_name(usim_self()), what,
             (long long)usim_now_ticks());
    fixture_trace_add(one);
}

static inline int fixture_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of trace t sorted: what a random order cannot change. */
static inline const char *fixture_sorted(const char *t)
{
    static char buf[FIXTURE_TRACE_SIZE], out[FIXTURE_TRACE_SIZE];
    char *words[FIXTURE_TRACE_WORDS];
    int n = 0;
    snprintf(buf, sizeof buf, "%s", t);
    for (char *w = strtok(buf, " "); w && n < FIXTURE_TRACE_WORDS;
         w = strtok(NULL, " "))
        words[n++] = w;
    qsort(words, (size_t)n, sizeof *words, fixture_cmp_str);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, sizeof out - len, "%s%s", i ? " " : "", words[i]);
    }
    return out;
}

/* Runs root as "main", the only root task of a simulation under cfg,
 * from an empty trace; the run must end USIM_DONE.  Returns the trace. */
static inline const char *fixture_run_traced(const usim_config *cfg, usim_fn root)
{
    usim_sim *sim = fixture_sim(cfg);
    fixture_trace[0] = 0;
    assert_non_null(usim_sim_spawn(sim, root, NULL, "main"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
    fixture_destroy(sim);
    return fixture_trace;
}

/* fixture_run_traced under order o drawn from seed, whole ticks
 * (resolution 1). */
static inline const char *fixture_run_order(usim_order o, uint64_t seed, usim_fn root)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1.0;
    cfg.order = o;
    cfg.seed = seed;
    return fixture_run_traced(&cfg, root);
}

#define FIXTURE_TEST(t)                                                                \
    cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

#endif
