/*
 * test_tasks — a task's life and its scope under every turn order: the
 * state a task is in (usim_task_status), cancelling before the start,
 * what usim_join says of a cancelled task, delayed starts (after, at),
 * a failed child interrupting its scope's owner (USIM_ECHILD) and the
 * scope keeping every failure, waiting for a scope's body
 * (usim_scope_wait), and mistakes made while a simulation is set up.
 *
 * Expected times and orders are worked out by hand in the comments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

static char trace[2048];

/* Appends "task:what@tick". */
static void note(const char *what)
{
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof trace - n, "%s%s:%s@%lld", n ? " " : "",
             usim_task_name(usim_self()), what, (long long)usim_now_ticks());
}

static usim_sim *make_sim(usim_order o)
{
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = 1.0;
    cfg.order = o;
    cfg.stack_size = 32768;
    trace[0] = 0;
    return fixture_sim(&cfg);
}

static void run_done(usim_sim *sim)
{
    usim_status st = usim_sim_run(sim, INFINITY);
    if (st != USIM_DONE)
        fail_msg("run ended %s: %s", usim_status_name(st),
                 usim_sim_error(sim) ? usim_sim_error(sim) : "");
}

/* The orders in which these tests must hold exactly (random: where the
 * draws change nothing the tests run it too). */
static const usim_order exact_orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO,
                                          USIM_ORDER_MUSIM};

/* ------------------------------------------------------------------ */
/* Cancelling before the start                                         */
/* ------------------------------------------------------------------ */

static usim_task *victim;
static int rc_a, rc_b;
static usim_task_state seen_state;
static bool seen_done;
static void *res_a;

static void *noting_body(void *arg)
{
    (void)arg;
    note("ran");
    return (void *)7;
}

static void *joiner(void *arg)
{
    (void)arg;
    rc_b = usim_join(victim, NULL);
    note("joined");
    return NULL;
}

static void *killer(void *arg)
{
    (void)arg;
    usim_cancel(victim);
    seen_state = usim_task_status(victim);
    seen_done = usim_task_done(victim);
    res_a = (void *)1;
    rc_a = usim_join(victim, &res_a);
    note("killed");
    return NULL;
}

/*
 * Spawned from the host in the order J, K, V: J's join of V waits; K
 * cancels V before V's first turn.  V is then CANCELLED and done at once
 * (K sees it so), J is woken, both joins say USIM_ECANCELED with a NULL
 * result, and V's function never runs (V takes its turn only to end).
 * Who notes first depends on the order:
 *   fifo: waking J makes the cancel a turn point (RQ V J K): J first;
 *   lifo: K goes on, and its join of the ended V returns at once: K first;
 *   musim: K goes on, but its join of an ended task postpones (RQ V J
 *          K): J first.
 */
static void test_cancel_before_start_never_runs_the_body(void **state)
{
    (void)state;
    const char *want[] = {"J:joined@0 K:killed@0", "K:killed@0 J:joined@0",
                          "J:joined@0 K:killed@0"};
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        usim_sim_spawn(sim, joiner, NULL, "J");
        usim_sim_spawn(sim, killer, NULL, "K");
        victim = usim_sim_spawn(sim, noting_body, NULL, "V");
        assert_int_equal(usim_task_status(victim), USIM_TASK_CREATED);
        run_done(sim);
        assert_string_equal(trace, want[i]);
        assert_int_equal(seen_state, USIM_TASK_CANCELLED);
        assert_true(seen_done);
        assert_int_equal(rc_a, USIM_ECANCELED);
        assert_null(res_a);
        assert_int_equal(rc_b, USIM_ECANCELED);
        assert_int_equal(usim_task_status(victim), USIM_TASK_CANCELLED);
        fixture_destroy(sim);
    }
    /* random: whichever runs first, the rule holds: V ran (and was then
     * not cancelled: SUCCESS) or it never ran (CANCELLED) */
    for (uint64_t seed = 1; seed <= 16; seed++) {
        usim_config cfg;
        usim_config_init(&cfg);
        cfg.order = USIM_ORDER_RANDOM;
        cfg.seed = seed;
        trace[0] = 0;
        usim_sim *sim = fixture_sim(&cfg);
        usim_sim_spawn(sim, killer, NULL, "K");
        victim = usim_sim_spawn(sim, noting_body, NULL, "V");
        run_done(sim);
        bool ran = strstr(trace, "V:ran") != NULL;
        assert_int_equal(usim_task_status(victim),
                         ran ? USIM_TASK_SUCCESS : USIM_TASK_CANCELLED);
        assert_int_equal(rc_a, ran ? 0 : USIM_ECANCELED);
        assert_int_equal((intptr_t)res_a, ran ? 7 : 0);
        fixture_destroy(sim);
    }
}

/* ------------------------------------------------------------------ */
/* What join says of a cancelled task                                  */
/* ------------------------------------------------------------------ */

static void *sleeps_10(void *arg)
{
    (void)arg;
    int rc = usim_sleep(10);
    note(rc == USIM_ECANCELED ? "cancelled" : "slept");
    return (void *)3;
}

static void *self_cancel_then_return(void *arg)
{
    (void)arg;
    usim_cancel(usim_self()); /* never looks: no blocking call follows */
    return (void *)4;
}

static usim_task *tasks[2];
static int join_rcs[2];
static void *join_res[2];

static void *cancel_then_join_all(void *arg)
{
    (void)arg;
    usim_sleep(1);
    usim_cancel(tasks[0]);
    for (int i = 0; i < 2; i++)
        join_rcs[i] = usim_join(tasks[i], &join_res[i]);
    return NULL;
}

/* At 1 the sleeper (0) is cancelled; task 1 cancelled itself in its only
 * turn at 0.  0 saw USIM_ECANCELED and returned: CANCELLED, join
 * USIM_ECANCELED with its result 3.  1 never made a blocking call after:
 * SUCCESS, join 0 with its result 4 (as μsim: the cancellation would
 * have come at its next suspension). */
static void test_join_of_a_cancelled_task_says_so(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        tasks[0] = usim_sim_spawn(sim, sleeps_10, NULL, "sleeper");
        tasks[1] = usim_sim_spawn(sim, self_cancel_then_return, NULL, "self");
        usim_sim_spawn(sim, cancel_then_join_all, NULL, "boss");
        run_done(sim);
        assert_string_equal(trace, "sleeper:cancelled@1");
        assert_int_equal(join_rcs[0], USIM_ECANCELED);
        assert_int_equal((intptr_t)join_res[0], 3);
        assert_int_equal(usim_task_status(tasks[0]), USIM_TASK_CANCELLED);
        assert_int_equal(join_rcs[1], 0);
        assert_int_equal((intptr_t)join_res[1], 4);
        assert_int_equal(usim_task_status(tasks[1]), USIM_TASK_SUCCESS);
        assert_true(usim_task_cancelled(tasks[1]));
        fixture_destroy(sim);
    }
}

/* A thread's simulations one after another, as usim-batch runs them (a
 * freed task's record is the next spawn's): after a run with a
 * cancelled sleeper and a task that cancelled itself, the tasks of the
 * next simulation start as new, created and not cancelled, with no
 * waits; each sleeps 2 and returns, SUCCESS with one wait. */
static void *sleeps_2(void *arg)
{
    (void)arg;
    usim_sleep(2);
    note("woke");
    return NULL;
}

static void test_tasks_of_the_next_simulation_start_as_new(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(USIM_ORDER_FIFO);
    tasks[0] = usim_sim_spawn(sim, sleeps_10, NULL, "sleeper");
    tasks[1] = usim_sim_spawn(sim, self_cancel_then_return, NULL, "self");
    usim_sim_spawn(sim, cancel_then_join_all, NULL, "boss");
    run_done(sim);
    fixture_destroy(sim);
    sim = make_sim(USIM_ORDER_FIFO);
    usim_task *fresh[3];
    for (int i = 0; i < 3; i++) {
        fresh[i] = usim_sim_spawn(sim, sleeps_2, NULL, "fresh");
        assert_int_equal(usim_task_status(fresh[i]), USIM_TASK_CREATED);
        assert_false(usim_task_cancelled(fresh[i]));
        assert_int_equal(usim_task_drift(fresh[i]).waits, 0);
    }
    run_done(sim);
    assert_string_equal(trace, "fresh:woke@2 fresh:woke@2 fresh:woke@2");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(usim_task_status(fresh[i]), USIM_TASK_SUCCESS);
        assert_false(usim_task_cancelled(fresh[i]));
        assert_int_equal(usim_task_drift(fresh[i]).waits, 1);
    }
    fixture_destroy(sim);
}

/* ------------------------------------------------------------------ */
/* usim_task_status through a task's life                              */
/* ------------------------------------------------------------------ */

static usim_task_state states[8];
static int nstates;

static void *watch_states(void *arg)
{
    (void)arg;
    usim_task *t = victim;
    states[nstates++] = usim_task_status(t); /* its first turn is after ours */
    usim_instant();
    states[nstates++] = usim_task_status(t); /* sleeping */
    usim_sleep(20);
    states[nstates++] = usim_task_status(t); /* returned at 10 */
    return NULL;
}

/* CREATED before its first turn, RUNNING while it sleeps, SUCCESS after;
 * the names; NULL is 0. */
static void test_task_status_follows_a_task_through_its_life(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(USIM_ORDER_FIFO);
    nstates = 0;
    usim_sim_spawn(sim, watch_states, NULL, "watcher");
    victim = usim_sim_spawn(sim, sleeps_10, NULL, "v");
    run_done(sim);
    assert_int_equal(nstates, 3);
    assert_int_equal(states[0], USIM_TASK_CREATED);
    assert_int_equal(states[1], USIM_TASK_RUNNING);
    assert_int_equal(states[2], USIM_TASK_SUCCESS);
    assert_true(USIM_TASK_SUCCESS & USIM_TASK_FINISHED);
    assert_false(USIM_TASK_RUNNING & USIM_TASK_FINISHED);
    assert_int_equal(usim_task_status(NULL), 0);
    assert_string_equal(usim_task_state_name(USIM_TASK_CREATED), "created");
    assert_string_equal(usim_task_state_name(USIM_TASK_RUNNING), "running");
    assert_string_equal(usim_task_state_name(USIM_TASK_CANCELLED), "cancelled");
    assert_string_equal(usim_task_state_name(USIM_TASK_FAILED), "failed");
    assert_string_equal(usim_task_state_name(USIM_TASK_SUCCESS), "success");
    assert_null(usim_task_state_name(USIM_TASK_FINISHED));
}

/* ------------------------------------------------------------------ */
/* Delayed starts                                                      */
/* ------------------------------------------------------------------ */

static void *payload_sleeps_10(void *arg)
{
    (void)arg;
    note("start");
    usim_sleep(10);
    note("end");
    return NULL;
}

static void *delayed_owner(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_spawn_opts after5 = {.after = 5};
    usim_task *t = usim_scope_spawn_ex(&s, payload_sleeps_10, NULL, "after5", &after5);
    assert_non_null(t);
    states[nstates++] = usim_task_status(t);
    usim_sleep(4);
    states[nstates++] = usim_task_status(t);
    assert_int_equal(usim_join(t, NULL), 0);
    note("joined");
    states[nstates++] = usim_task_status(t);
    /* at == now and after == 0 start at once */
    usim_spawn_opts now = {.at = 15}, zero = {.after = 0};
    usim_task *a = usim_scope_spawn_ex(&s, noting_body, NULL, "at-now", &now);
    usim_task *b = usim_scope_spawn_ex(&s, noting_body, NULL, "after0", &zero);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(usim_join(a, NULL), 0);
    assert_int_equal(usim_join(b, NULL), 0);
    note("both");
    assert_int_equal(usim_scope_close(&s), 0);
    return NULL;
}

/* μsim's test_after and test_do_after: after=5 with a payload of 10:
 * CREATED right after the spawn (fifo: RUNNING, the spawn was a turn
 * point and the child has taken its first turn), RUNNING at 4 (waiting
 * for its start), the payload runs 5..15, SUCCESS; at == now and after ==
 * 0 start at once (t=15).  The trace is the same under every order. */
static void test_spawn_after_starts_later_and_is_running_while_it_waits(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        nstates = 0;
        usim_sim_spawn(sim, delayed_owner, NULL, "main");
        run_done(sim);
        assert_int_equal(states[0], exact_orders[i] == USIM_ORDER_FIFO
                                        ? USIM_TASK_RUNNING
                                        : USIM_TASK_CREATED);
        assert_int_equal(states[1], USIM_TASK_RUNNING);
        assert_int_equal(states[2], USIM_TASK_SUCCESS);
        assert_string_equal(trace, "after5:start@5 after5:end@15 main:joined@15 "
                                   "at-now:ran@15 after0:ran@15 main:both@15");
        fixture_destroy(sim);
    }
}

static void *at_owner(void *arg)
{
    (void)arg;
    usim_spawn_opts at5 = {.at = 5};
    usim_task *one = usim_spawn_ex(payload_sleeps_10, NULL, "one", &at5);
    usim_spawn_opts at5b = {.at = 5};
    usim_task *two = usim_spawn_ex(noting_body, NULL, "two", &at5b);
    usim_join(two, NULL);
    note("two-done");
    usim_join(one, NULL);
    note("one-done");
    return NULL;
}

/* at=5 for both: `two` (no wait) ends at 5, `one` (sleeps 10) at 15. */
static void test_spawn_at_starts_at_that_time(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        usim_sim_spawn(sim, at_owner, NULL, "main");
        run_done(sim);
        assert_non_null(strstr(trace, "one:start@5"));
        assert_non_null(strstr(trace, "two:ran@5"));
        assert_non_null(strstr(trace, "main:two-done@5"));
        assert_non_null(strstr(trace, "main:one-done@15"));
        fixture_destroy(sim);
    }
}

static void *bad_delays(void *arg)
{
    (void)arg;
    usim_spawn_opts neg = {.after = -1}, past = {.at = 0.5},
                    both = {.after = 1, .at = 2}, vol = {.volatile_child = true};
    assert_null(usim_spawn_ex(noting_body, NULL, "x", &neg));
    assert_non_null(strstr(usim_errmsg(), "after -1"));
    usim_sleep(2);
    assert_null(usim_spawn_ex(noting_body, NULL, "x", &past));
    assert_non_null(strstr(usim_errmsg(), "in the past"));
    assert_null(usim_spawn_ex(noting_body, NULL, "x", &both));
    assert_non_null(strstr(usim_errmsg(), "exclusive"));
    assert_null(usim_spawn_ex(noting_body, NULL, "x", &vol));
    assert_non_null(strstr(usim_errmsg(), "volatile_child"));
    /* never starts; cancelled while waiting, it never runs */
    usim_spawn_opts never = {.after = INFINITY};
    usim_task *t = usim_spawn_ex(noting_body, NULL, "never", &never);
    assert_non_null(t);
    usim_sleep(100);
    assert_int_equal(usim_task_status(t), USIM_TASK_RUNNING);
    usim_cancel(t);
    assert_int_equal(usim_join(t, NULL), USIM_ECANCELED);
    assert_int_equal(usim_task_status(t), USIM_TASK_CANCELLED);
    note("end");
    return NULL;
}

/* after < 0, at in the past (0.5, which is tick 1, at time 2), both,
 * volatile outside a scope: USIM_EINVAL, nothing spawned; after =
 * INFINITY waits for ever and, cancelled at 102, ends CANCELLED without
 * running. */
static void
test_spawn_rejects_bad_delays_and_a_cancelled_wait_runs_nothing(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(USIM_ORDER_FIFO);
    usim_sim_spawn(sim, bad_delays, NULL, "main");
    run_done(sim);
    assert_string_equal(trace, "main:end@102");
}

/* ------------------------------------------------------------------ */
/* A failed child interrupts its owner; the scope keeps every failure  */
/* ------------------------------------------------------------------ */

static void *fails_at_1(void *arg)
{
    usim_sleep(1);
    return usim_task_fail("%s", (const char *)arg);
}

static void *bystander_at_1(void *arg)
{
    (void)arg;
    usim_sleep(1);
    int rc = usim_instant();
    note(rc == USIM_ECANCELED ? "cancelled" : "went-on");
    return NULL;
}

static int owner_rcs[4];
static size_t nfail;
static char fail_names[4][40], fail_msgs[4][40], first_err[200];

static void *failing_scope_owner(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, fails_at_1, "key", "F1");
    usim_scope_spawn(&s, bystander_at_1, NULL, "B");
    usim_scope_spawn(&s, fails_at_1, "index", "F2");
    owner_rcs[0] = usim_sleep(10); /* interrupted at 1 */
    note("interrupted");
    owner_rcs[1] = usim_instant(); /* and so is every later call inside */
    owner_rcs[2] = usim_scope_close(&s);
    owner_rcs[3] = usim_instant(); /* outside the scope: fine */
    nfail = usim_scope_failures(&s);
    for (size_t i = 0; i < nfail && i < 4; i++) {
        const char *n, *m;
        assert_int_equal(usim_scope_failure(&s, i, &n, &m), 0);
        snprintf(fail_names[i], sizeof fail_names[i], "%s", n);
        snprintf(fail_msgs[i], sizeof fail_msgs[i], "%s", m);
    }
    assert_int_equal(usim_scope_failure(&s, nfail, NULL, NULL), USIM_EINVAL);
    snprintf(first_err, sizeof first_err, "%s", usim_scope_error(&s));
    return NULL;
}

/*
 * μsim's child_failure_timing: at 1 the timers fire F1, B, F2 (their
 * order).  F1 fails: the owner's sleep(10) ends at once with USIM_ECHILD
 * (it is queued behind B and F2).  fifo, lifo: the other children are
 * cancelled then; B was already woken: its next call returns
 * USIM_ECANCELED.  musim: as in μsim they go on until the owner takes its
 * USIM_ECHILD: B postpones, and the owner's close cancels it, after which
 * its postpone returns (μsim closes B at that postpone instead).  F2 was
 * woken too: it fails as well.  The owner runs last at 1; its later call
 * inside the scope returns USIM_ECHILD, close USIM_EFAILED, the one after
 * 0.  The scope keeps both failures in order; usim_scope_error names the
 * first.  (lifo: the timers' tasks run in order too.)
 */
static void test_failed_child_interrupts_owner_and_every_failure_is_kept(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        memset(owner_rcs, 0, sizeof owner_rcs);
        usim_sim_spawn(sim, failing_scope_owner, NULL, "owner");
        run_done(sim);
        assert_string_equal(trace, exact_orders[i] == USIM_ORDER_MUSIM
                                       ? "owner:interrupted@1 B:went-on@1"
                                       : "B:cancelled@1 owner:interrupted@1");
        assert_int_equal(owner_rcs[0], USIM_ECHILD);
        assert_int_equal(owner_rcs[1], USIM_ECHILD);
        assert_int_equal(owner_rcs[2], USIM_EFAILED);
        assert_int_equal(owner_rcs[3], 0);
        assert_int_equal(nfail, 2);
        assert_string_equal(fail_names[0], "F1");
        assert_string_equal(fail_msgs[0], "key");
        assert_string_equal(fail_names[1], "F2");
        assert_string_equal(fail_msgs[1], "index");
        assert_string_equal(first_err, "task 'F1' failed: key");
        assert_string_equal(usim_strerror(USIM_ECHILD), "a child of the scope failed");
        fixture_destroy(sim);
    }
}

static int inner_rcs[3];

static void *nested_owner(void *arg)
{
    (void)arg;
    usim_scope outer, inner;
    usim_scope_open(&outer);
    usim_scope_spawn(&outer, fails_at_1, "outer child", "F");
    usim_scope_open(&inner);
    usim_scope_spawn(&inner, sleeps_10, NULL, "slow");
    inner_rcs[0] = usim_scope_close(&inner); /* waits for slow: interrupted */
    note("inner-closed");
    inner_rcs[1] = usim_scope_close(&outer);
    inner_rcs[2] = (int)usim_scope_failures(&inner);
    return NULL;
}

/* A failure in the outer scope reaches the owner waiting in its inner
 * scope's close at 1: that close cancels `slow` (which notes at 1) and
 * returns USIM_ECHILD; the outer close returns USIM_EFAILED; the inner
 * scope has no failure of its own. */
static void test_failure_reaches_the_owner_inside_a_nested_scope(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        usim_sim_spawn(sim, nested_owner, NULL, "owner");
        run_done(sim);
        assert_string_equal(trace, "slow:cancelled@1 owner:inner-closed@1");
        assert_int_equal(inner_rcs[0], USIM_ECHILD);
        assert_int_equal(inner_rcs[1], USIM_EFAILED);
        assert_int_equal(inner_rcs[2], 0);
        fixture_destroy(sim);
    }
}

static void *detached_failer(void *arg)
{
    usim_detach(usim_self());
    return fails_at_1(arg);
}

static void *owner_of_detached(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, detached_failer, "lost?", "D");
    owner_rcs[0] = usim_scope_close(&s);
    usim_sleep(5); /* the detached child's record would be gone by now */
    const char *n = NULL, *m = NULL;
    owner_rcs[1] = usim_scope_failure(&s, 0, &n, &m);
    snprintf(fail_names[0], sizeof fail_names[0], "%s", n ? n : "");
    snprintf(fail_msgs[0], sizeof fail_msgs[0], "%s", m ? m : "");
    return NULL;
}

/* A detached child that fails stays readable on the failure list. */
static void test_failure_of_a_detached_child_stays_readable(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(USIM_ORDER_FIFO);
    usim_sim_spawn(sim, owner_of_detached, NULL, "owner");
    run_done(sim);
    assert_int_equal(owner_rcs[0], USIM_EFAILED);
    assert_int_equal(owner_rcs[1], 0);
    assert_string_equal(fail_names[0], "D");
    assert_string_equal(fail_msgs[0], "lost?");
}

/* ------------------------------------------------------------------ */
/* usim_scope_wait                                                     */
/* ------------------------------------------------------------------ */

static usim_scope *watched;

static void *scope_watcher(void *arg)
{
    (void)arg;
    assert_int_equal(usim_scope_wait(watched), 0);
    note("body-done");
    usim_sleep(2);
    note("slept");
    return NULL;
}

static void *watched_owner(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open(&s);
    watched = &s;
    assert_int_equal(usim_scope_wait(&s), USIM_EINVAL); /* its own */
    usim_scope_spawn(&s, scope_watcher, NULL, "W");
    usim_sleep(1);
    note("close");
    assert_int_equal(usim_scope_close(&s), 0);
    note("closed");
    usim_spawn(scope_watcher, NULL, "late");
    usim_sleep(10);
    return NULL;
}

/* μsim's await_scope_from_child: the owner reaches close at 1, which
 * wakes the watching child; it sleeps 2 more, so close returns at 3.  A
 * watcher of a scope already closed returns at once (late, at 3) and
 * notes slept at 5. */
static void test_scope_wait_returns_when_the_owner_reaches_close(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        usim_sim *sim = make_sim(exact_orders[i]);
        usim_sim_spawn(sim, watched_owner, NULL, "main");
        run_done(sim);
        assert_string_equal(trace, "main:close@1 W:body-done@1 W:slept@3 main:closed@3 "
                                   "late:body-done@3 late:slept@5");
        fixture_destroy(sim);
    }
}

/* ------------------------------------------------------------------ */
/* Mistakes while a simulation is set up                               */
/* ------------------------------------------------------------------ */

/* A model's setup (on the host, between create and run) sleeps, reads
 * the clock, spawns from outside a task: each returns its error as
 * before, and the first one fails the run at once, naming the call; no
 * task runs. */
static void test_setup_mistake_fails_the_run_before_any_event(void **state)
{
    (void)state;
    usim_sim *sim = make_sim(USIM_ORDER_FIFO);
    usim_task *t = usim_sim_spawn(sim, noting_body, NULL, "t");
    assert_non_null(t);
    assert_int_equal(usim_sleep(1.0), USIM_ESTATE);
    assert_true(isnan(usim_now()));
    assert_null(usim_spawn(noting_body, NULL, "x"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_string_equal(usim_sim_error(sim),
                        "usim_sleep: called outside a running task");
    assert_int_equal(usim_sim_events(sim), 0);
    assert_int_equal(usim_task_status(t), USIM_TASK_CREATED);
    assert_string_equal(trace, "");
    fixture_destroy(sim);

    /* A simulation that was run, or destroyed, is no longer being set up:
     * a mistake then touches no simulation. */
    sim = make_sim(USIM_ORDER_FIFO);
    usim_sim *other = make_sim(USIM_ORDER_FIFO);
    fixture_destroy(other);
    assert_int_equal(usim_sleep(1.0), USIM_ESTATE);
    usim_sim_spawn(sim, noting_body, NULL, "t"); /* sim is set up again */
    run_done(sim);
    assert_int_equal(usim_instant(), USIM_ESTATE); /* after its run */
    assert_string_equal(trace, "t:ran@0");
}

/* usim_catch_fail: fn's own result, or USIM_EFAILED and the message when
 * fn calls usim_fail outside a task; the code after that call never runs,
 * and calls nest (an inner failure leaves the outer call going). */
static int steps;

static int returns_seven(void *arg)
{
    (void)arg;
    steps++;
    return 7;
}

static int gives_up(void *arg)
{
    steps++;
    usim_fail("gives up after %d", *(int *)arg);
    steps += 100; /* never */
    return 0;
}

/* What the inner call returned and said (asserted after the outer call:
 * a failed assertion inside fn would leave by cmocka's own longjmp). */
static int inner_rc;
static char inner_msg[64];

static int catches_then_gives_up(void *arg)
{
    inner_rc = usim_catch_fail(gives_up, arg);
    snprintf(inner_msg, sizeof inner_msg, "%s", usim_errmsg());
    steps += 10;
    usim_fail("outer gives up too");
}

/* A catch inside a task just calls: the task's usim_fail ends the run. */
static void *fails_in_task(void *arg)
{
    (void)arg;
    int four = 4;
    usim_catch_fail(gives_up, &four);
    steps += 1000; /* never */
    return NULL;
}

static int runs_a_sim(void *arg)
{
    return usim_sim_run(arg, INFINITY);
}

static void test_usim_fail_outside_a_task_ends_the_catching_call(void **state)
{
    (void)state;
    int three = 3;
    steps = 0;
    assert_int_equal(usim_catch_fail(returns_seven, NULL), 7);
    assert_int_equal(steps, 1);
    assert_int_equal(usim_catch_fail(gives_up, &three), USIM_EFAILED);
    assert_string_equal(usim_errmsg(), "gives up after 3");
    assert_int_equal(steps, 2);
    assert_int_equal(usim_catch_fail(catches_then_gives_up, &three), USIM_EFAILED);
    assert_string_equal(usim_errmsg(), "outer gives up too");
    assert_int_equal(inner_rc, USIM_EFAILED);
    assert_string_equal(inner_msg, "gives up after 3");
    assert_int_equal(steps, 13);
    /* Every call has ended: a later catch is the outermost again. */
    assert_int_equal(usim_catch_fail(returns_seven, NULL), 7);

    /* Inside a task usim_fail ends the run, not the catching call. */
    usim_sim *sim = make_sim(USIM_ORDER_FIFO);
    assert_non_null(usim_sim_spawn(sim, fails_in_task, NULL, "quitter"));
    assert_int_equal(usim_catch_fail(runs_a_sim, sim), USIM_FAILED);
    assert_non_null(strstr(usim_sim_error(sim), "gives up after 4"));
    assert_int_equal(steps, 15);
    fixture_destroy(sim);

    /* Caught while a simulation is set up: it fails its run at once, as
     * for the other mistakes of setup, and runs no task. */
    sim = make_sim(USIM_ORDER_FIFO);
    usim_task *t = usim_sim_spawn(sim, fails_in_task, NULL, "never");
    assert_non_null(t);
    assert_int_equal(usim_catch_fail(gives_up, &three), USIM_EFAILED);
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_string_equal(usim_sim_error(sim), "gives up after 3");
    assert_int_equal(usim_sim_events(sim), 0);
    assert_int_equal(usim_task_status(t), USIM_TASK_CREATED);
    assert_int_equal(steps, 16);
    fixture_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_cancel_before_start_never_runs_the_body),
        FIXTURE_TEST(test_join_of_a_cancelled_task_says_so),
        FIXTURE_TEST(test_tasks_of_the_next_simulation_start_as_new),
        FIXTURE_TEST(test_task_status_follows_a_task_through_its_life),
        FIXTURE_TEST(test_spawn_after_starts_later_and_is_running_while_it_waits),
        FIXTURE_TEST(test_spawn_at_starts_at_that_time),
        FIXTURE_TEST(test_spawn_rejects_bad_delays_and_a_cancelled_wait_runs_nothing),
        FIXTURE_TEST(test_failed_child_interrupts_owner_and_every_failure_is_kept),
        FIXTURE_TEST(test_failure_reaches_the_owner_inside_a_nested_scope),
        FIXTURE_TEST(test_failure_of_a_detached_child_stays_readable),
        FIXTURE_TEST(test_scope_wait_returns_when_the_owner_reaches_close),
        FIXTURE_TEST(test_setup_mistake_fails_the_run_before_any_event),
        FIXTURE_TEST(test_usim_fail_outside_a_task_ends_the_catching_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
