/*
 * test_sync — the primitives: flag, lock, resource, container, queue,
 * channel, tracked value, the hold-for-the-block forms and queue
 * iteration.  Every test runs a real simulation (default config:
 * resolution 1e-9, naive drift, fifo order) and checks the simulated
 * times and values that its tasks record against numbers worked out by
 * hand in the comments.  All the times used are whole multiples of the
 * resolution, so they are exact.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

/* ---------------------------------------------------------------- */
/* Fixture: one simulation per test and a log tasks write into.      */
/* ---------------------------------------------------------------- */

typedef struct entry {
    const char *who;
    double t;
    int rc;
    intptr_t v;
} entry;

static usim_sim *sim;
static entry log_[64];
static int nlog;

static int setup(void **state)
{
    fixture_setup(state);
    usim_config cfg;
    usim_config_init(&cfg);
    sim = fixture_sim(&cfg);
    nlog = 0;
    return 0;
}

static int teardown(void **state)
{
    sim = NULL;
    return fixture_teardown(state);
}

static void note(const char *who, int rc, intptr_t v)
{
    assert_true(nlog < (int)(sizeof log_ / sizeof log_[0]));
    log_[nlog++] = (entry){who, usim_now(), rc, v};
}

/* The i-th log entry is `who` at time t with return code rc. */
static void expect(int i, const char *who, double t, int rc)
{
    assert_true(i < nlog);
    assert_string_equal(log_[i].who, who);
    assert_true(fabs(log_[i].t - t) < 1e-12);
    assert_int_equal(log_[i].rc, rc);
}

/* The entry of `who` with value v (each is logged once). */
static void expect_ev(const char *who, intptr_t v, double t, int rc)
{
    for (int i = 0; i < nlog; i++) {
        if (strcmp(log_[i].who, who) == 0 && log_[i].v == v) {
            if (fabs(log_[i].t - t) >= 1e-12 || log_[i].rc != rc)
                fail_msg("%s/%ld: t=%.12g rc=%d, expected t=%.12g rc=%d", who, (long)v,
                         log_[i].t, log_[i].rc, t, rc);
            return;
        }
    }
    fail_msg("%s/%ld not logged", who, (long)v);
}

static usim_task *spawn(usim_fn fn, void *arg, const char *name)
{
    usim_task *t = usim_sim_spawn(sim, fn, arg, name);
    assert_non_null(t);
    return t;
}

static void run_done(void)
{
    usim_status st = usim_sim_run(sim, INFINITY);
    if (st != USIM_DONE)
        fail_msg("run ended %s: %s", usim_status_name(st),
                 usim_sim_error(sim) ? usim_sim_error(sim) : "");
}

/* The host calls before were made while `sim` was being set up: its run
 * fails at once (no event) naming the first of them; the rest of the
 * test runs in a fresh simulation. */
static void expect_setup_mistake(const char *msg)
{
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_non_null(usim_sim_error(sim));
    assert_string_equal(usim_sim_error(sim), msg);
    assert_int_equal(usim_sim_events(sim), 0);
    usim_config cfg;
    usim_config_init(&cfg);
    sim = fixture_sim(&cfg);
}

/* A task that sleeps, then cancels or interrupts another task. */
typedef struct stopper {
    double at;
    usim_task **victim;
    int cause; /* 0: cancel, else interrupt with this cause */
} stopper;

static void *stopper_task(void *arg)
{
    stopper *s = arg;
    usim_sleep(s->at);
    if (s->cause)
        usim_interrupt(*s->victim, s->cause);
    else
        usim_cancel(*s->victim);
    return NULL;
}

/* ---------------------------------------------------------------- */
/* flag                                                             */
/* ---------------------------------------------------------------- */

static usim_flag flag;

static void *flag_toggler_1_2_3(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        usim_sleep(1.0);
        usim_flag_set(&flag, !usim_flag_get(&flag));
    }
    return NULL;
}

static void *flag_wait_three_then_true(void *arg)
{
    (void)arg;
    /* (the call first: argument evaluation order is unspecified) */
    for (int i = 0; i < 3; i++) {
        int rc = usim_flag_wait(&flag);
        note("wait", rc, usim_flag_get(&flag));
    }
    int rc = usim_flag_wait_true(&flag);
    note("wait_true", rc, usim_flag_get(&flag));
    return NULL;
}

/* Toggled false->true at 1, true->false at 2, false->true at 3: wait()
 * wakes at 1, 2 and 3 (seeing true, false, true); the flag is then
 * already true, so wait_true() returns at once, still at 3. */
static void test_flag_wait_wakes_at_each_toggle_1_2_3(void **state)
{
    (void)state;
    usim_flag_init(&flag, false, "f");
    spawn(flag_wait_three_then_true, NULL, "waiter");
    spawn(flag_toggler_1_2_3, NULL, "toggler");
    run_done();
    assert_int_equal(nlog, 4);
    expect(0, "wait", 1.0, 0);
    expect(1, "wait", 2.0, 0);
    expect(2, "wait", 3.0, 0);
    expect(3, "wait_true", 3.0, 0);
    assert_int_equal(log_[0].v, 1);
    assert_int_equal(log_[1].v, 0);
    assert_int_equal(log_[2].v, 1);
    usim_flag_destroy(&flag);
}

static void *flag_set_at(void *arg)
{
    /* false at 1 (no change), true at 2.5, false at 4. */
    (void)arg;
    usim_sleep(1.0);
    usim_flag_set(&flag, false);
    usim_sleep(1.5);
    usim_flag_set(&flag, true);
    usim_sleep(1.5);
    usim_flag_set(&flag, false);
    return NULL;
}

static void *flag_waiter_true(void *arg)
{
    note(arg, usim_flag_wait_true(&flag), 0);
    return NULL;
}

static void *flag_waiter_false_later(void *arg)
{
    (void)arg;
    usim_sleep(3.0); /* the flag is true from 2.5 */
    note("false", usim_flag_wait_false(&flag), 0);
    return NULL;
}

static void *flag_waiter_any(void *arg)
{
    note(arg, usim_flag_wait(&flag), 0);
    return NULL;
}

/* Starting false: set(false) at 1 is no change and wakes nobody (the
 * wait() waiter would otherwise log at 1); set(true) at 2.5 wakes the
 * wait() and wait_true() waiters in the order they started; a
 * wait_false() waiter that starts at 3 wakes at the set(false) at 4. */
static void test_flag_set_wakes_matching_waiters_in_fifo_order(void **state)
{
    (void)state;
    usim_flag_init(&flag, false, "f");
    spawn(flag_waiter_true, "true1", "a");
    spawn(flag_waiter_false_later, NULL, "b");
    spawn(flag_waiter_any, "any", "c");
    spawn(flag_waiter_true, "true2", "d");
    spawn(flag_set_at, NULL, "setter");
    run_done();
    assert_int_equal(nlog, 4);
    expect(0, "true1", 2.5, 0);
    expect(1, "any", 2.5, 0);
    expect(2, "true2", 2.5, 0);
    expect(3, "false", 4.0, 0);
    usim_flag_destroy(&flag);
}

static void *flag_turn_a(void *arg)
{
    (void)arg;
    note("a1", 0, 0);
    note("a2", usim_flag_wait_true(&flag), 0);
    return NULL;
}

static void *flag_turn_b(void *arg)
{
    (void)arg;
    note("b", 0, 0);
    return NULL;
}

/* Waiting for a state that already holds is a turn point: under the
 * default fifo order a goes behind b, which is ready at the same time,
 * so the log reads a1, b, a2 (without the turn point: a1, a2, b). */
static void test_flag_wait_true_when_true_is_a_turn_point(void **state)
{
    (void)state;
    usim_flag_init(&flag, true, "f");
    spawn(flag_turn_a, NULL, "a");
    spawn(flag_turn_b, NULL, "b");
    run_done();
    assert_int_equal(nlog, 3);
    expect(0, "a1", 0.0, 0);
    expect(1, "b", 0.0, 0);
    expect(2, "a2", 0.0, 0);
    usim_flag_destroy(&flag);
}

static void *flag_wait_in_scope_until_2(void *arg)
{
    (void)arg;
    usim_scope s;
    usim_scope_open_until(&s, 2.0);
    note("deadline", usim_flag_wait(&flag), 0);
    usim_scope_close(&s);
    return NULL;
}

static usim_task *victim;

/* A waiter cancelled at 1 returns USIM_ECANCELED at 1, and its next
 * blocking call too (sticky); a waiter in a scope with deadline 2 returns
 * USIM_ETIMEDOUT at 2; neither was woken by a change. */
static void *flag_wait_twice(void *arg)
{
    (void)arg;
    note("cancelled", usim_flag_wait(&flag), 0);
    note("again", usim_flag_wait_true(&flag), 0);
    return NULL;
}

static void test_flag_wait_honours_cancel_and_deadline(void **state)
{
    (void)state;
    usim_flag_init(&flag, false, "f");
    victim = spawn(flag_wait_twice, NULL, "w");
    spawn(flag_wait_in_scope_until_2, NULL, "d");
    stopper st = {1.0, &victim, 0};
    spawn(stopper_task, &st, "stopper");
    run_done();
    assert_int_equal(nlog, 3);
    expect(0, "cancelled", 1.0, USIM_ECANCELED);
    expect(1, "again", 1.0, USIM_ECANCELED);
    expect(2, "deadline", 2.0, USIM_ETIMEDOUT);
    usim_flag_destroy(&flag);
}

/* Outside a task the blocking calls are USIM_ESTATE; a NULL flag is
 * USIM_EINVAL; both with a message. */
static void test_flag_invalid_arguments(void **state)
{
    (void)state;
    usim_flag_init(&flag, false, "f");
    assert_int_equal(usim_flag_wait(&flag), USIM_ESTATE);
    assert_non_null(strstr(usim_errmsg(), "usim_flag_wait"));
    assert_int_equal(usim_flag_wait_true(NULL), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "NULL"));
    /* Setting from the host wakes nobody and is allowed. */
    usim_flag_set(&flag, true);
    assert_true(usim_flag_get(&flag));
    usim_flag_destroy(&flag);
}

/* ---------------------------------------------------------------- */
/* lock                                                             */
/* ---------------------------------------------------------------- */

static usim_lock lock;

typedef struct holder_arg {
    const char *who;
    double start; /* when to ask */
    double hold;  /* how long to hold */
} holder_arg;

static void *lock_holder(void *arg)
{
    holder_arg *h = arg;
    if (h->start > 0)
        usim_sleep(h->start);
    int rc = usim_lock_acquire(&lock);
    note(h->who, rc, 0);
    if (rc == 0) {
        usim_sleep(h->hold);
        assert_int_equal(usim_lock_release(&lock), 0);
    }
    return NULL;
}

/* a holds [0, 1); b, c, d ask at 0 in that order, e at 1.5; each holds
 * 1.0.  FIFO hand-off: b at 1, c at 2, d at 3, e (arrived last) at 4. */
static void test_lock_hands_off_in_fifo_order(void **state)
{
    (void)state;
    usim_lock_init(&lock, "l");
    holder_arg a = {"a", 0, 1}, b = {"b", 0, 1}, c = {"c", 0, 1}, d = {"d", 0, 1},
               e = {"e", 1.5, 1};
    spawn(lock_holder, &a, "a");
    spawn(lock_holder, &b, "b");
    spawn(lock_holder, &c, "c");
    spawn(lock_holder, &d, "d");
    spawn(lock_holder, &e, "e");
    run_done();
    assert_int_equal(nlog, 5);
    expect(0, "a", 0.0, 0);
    expect(1, "b", 1.0, 0);
    expect(2, "c", 2.0, 0);
    expect(3, "d", 3.0, 0);
    expect(4, "e", 4.0, 0);
    assert_null(lock.owner);
    usim_lock_destroy(&lock);
}

static void *lock_reentrant(void *arg)
{
    (void)arg;
    note("first", usim_lock_acquire(&lock), 0);
    note("second", usim_lock_acquire(&lock), 0);
    note("try", usim_lock_try(&lock), 0);
    note("rel1", usim_lock_release(&lock), 0);
    note("rel2", usim_lock_release(&lock), 0);
    usim_sleep(1.0);
    /* Still held once: the other task's try fails until this release. */
    note("rel3", usim_lock_release(&lock), 0);
    note("rel4", usim_lock_release(&lock), 0);
    return NULL;
}

static void *lock_try_other(void *arg)
{
    (void)arg;
    usim_sleep(0.5);
    note("other_try", usim_lock_try(&lock), 0);
    note("other_rel", usim_lock_release(&lock), 0);
    usim_sleep(1.0);
    note("other_try2", usim_lock_try(&lock), 0);
    note("other_rel2", usim_lock_release(&lock), 0);
    return NULL;
}

/* The owner takes the lock three times (acquire, acquire, try) and must
 * release three times; a fourth release is USIM_EINVAL.  Another task's
 * try at 0.5 is USIM_EAGAIN and its release USIM_EINVAL (not owner); at
 * 1.5 the lock is free and its try succeeds. */
static void test_lock_is_reentrant_and_try_fails_when_held(void **state)
{
    (void)state;
    usim_lock_init(&lock, "l");
    spawn(lock_reentrant, NULL, "owner");
    spawn(lock_try_other, NULL, "other");
    run_done();
    assert_int_equal(nlog, 11);
    expect(0, "first", 0, 0);
    expect(1, "second", 0, 0);
    expect(2, "try", 0, 0);
    expect(3, "rel1", 0, 0);
    expect(4, "rel2", 0, 0);
    expect(5, "other_try", 0.5, USIM_EAGAIN);
    expect(6, "other_rel", 0.5, USIM_EINVAL);
    expect(7, "rel3", 1.0, 0);
    expect(8, "rel4", 1.0, USIM_EINVAL);
    expect(9, "other_try2", 1.5, 0);
    expect(10, "other_rel2", 1.5, 0);
    usim_lock_destroy(&lock);
}

static void *lock_waiter_in_scope(void *arg)
{
    holder_arg *h = arg;
    usim_scope s;
    usim_scope_open_until(&s, h->start);
    int rc = usim_lock_acquire(&lock);
    note(h->who, rc, 0);
    if (rc == 0)
        usim_lock_release(&lock);
    usim_scope_close(&s);
    return NULL;
}

/* a holds [0, 3).  b waits and is cancelled at 1; c waits in a scope
 * with deadline 2; d waits and is interrupted (cause 7) at 2.5; e waits
 * normally and gets the lock at 3: the lock skipped every waiter that
 * left. */
static void *lock_interrupted(void *arg)
{
    (void)arg;
    int rc = usim_lock_acquire(&lock);
    note("d", rc, usim_cause());
    return NULL;
}

static void test_lock_waiters_leave_on_cancel_deadline_interrupt(void **state)
{
    (void)state;
    usim_lock_init(&lock, "l");
    holder_arg a = {"a", 0, 3}, b = {"b", 0, 1}, c = {"c", 2.0, 0}, e = {"e", 0, 1};
    spawn(lock_holder, &a, "a");
    victim = spawn(lock_holder, &b, "b");
    spawn(lock_waiter_in_scope, &c, "c");
    static usim_task *victim_d;
    victim_d = spawn(lock_interrupted, NULL, "d");
    spawn(lock_holder, &e, "e");
    stopper sb = {1.0, &victim, 0}, sd = {2.5, &victim_d, 7};
    spawn(stopper_task, &sb, "stop_b");
    spawn(stopper_task, &sd, "stop_d");
    run_done();
    assert_int_equal(nlog, 5);
    expect(0, "a", 0, 0);
    expect(1, "b", 1.0, USIM_ECANCELED);
    expect(2, "c", 2.0, USIM_ETIMEDOUT);
    expect(3, "d", 2.5, USIM_EINTR);
    assert_int_equal(log_[3].v, 7);
    expect(4, "e", 3.0, 0);
    usim_lock_destroy(&lock);
}

/* Outside a task: USIM_ESTATE; NULL: USIM_EINVAL. */
static void test_lock_invalid_arguments(void **state)
{
    (void)state;
    usim_lock_init(&lock, "l");
    assert_int_equal(usim_lock_acquire(&lock), USIM_ESTATE);
    assert_int_equal(usim_lock_release(&lock), USIM_ESTATE);
    assert_int_equal(usim_lock_acquire(NULL), USIM_EINVAL);
    assert_int_equal(usim_lock_try(NULL), USIM_EINVAL);
    assert_int_equal(usim_lock_release(NULL), USIM_EINVAL);
    usim_lock_destroy(&lock);
}

/* ---------------------------------------------------------------- */
/* resource                                                         */
/* ---------------------------------------------------------------- */

static usim_resource res;

enum { GRANT = 0, END = 1 }; /* log values of res_user */

typedef struct res_arg {
    const char *who;
    double start;
    long amount;
    int priority;
    double hold;
    bool preempt;
    double deadline; /* 0: none */
} res_arg;

/* Asks at `start`, logs the grant (v=GRANT), holds, releases and logs
 * the end of its hold (v=END, rc of the sleep). */
static void *res_user(void *arg)
{
    res_arg *a = arg;
    usim_scope s;
    if (a->deadline > 0)
        usim_scope_open_until(&s, a->deadline);
    if (a->start > 0)
        usim_sleep(a->start);
    int rc = a->preempt ? usim_resource_request_preempt(&res, a->amount, a->priority)
                        : usim_resource_request(&res, a->amount, a->priority);
    note(a->who, rc, GRANT);
    if (rc == 0) {
        rc = usim_sleep(a->hold);
        note(a->who, rc, END);
        if (rc == 0)
            assert_int_equal(usim_resource_release(&res, a->amount), 0);
    }
    if (a->deadline > 0)
        usim_scope_close(&s);
    return NULL;
}

/* Capacity 2, three customers arriving at 0, service 1.0: the first two
 * are served at once and leave at 1; the third starts at 1, leaves at 2. */
static void test_resource_capacity_2_three_customers_depart_1_1_2(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 2, "servers"), 0);
    res_arg c[3] = {{"c1", 0, 1, 0, 1.0, false, 0},
                    {"c2", 0, 1, 0, 1.0, false, 0},
                    {"c3", 0, 1, 0, 1.0, false, 0}};
    for (int i = 0; i < 3; i++)
        spawn(res_user, &c[i], c[i].who);
    run_done();
    expect_ev("c1", END, 1.0, 0);
    expect_ev("c2", END, 1.0, 0);
    expect_ev("c3", GRANT, 1.0, 0);
    expect_ev("c3", END, 2.0, 0);
    assert_int_equal(usim_resource_available(&res), 2);
    usim_resource_destroy(&res);
}

/* Capacity 1, h holds [0, 1).  At 0 w1 (prio 5), w2 (1), w3 (5), w4 (1)
 * ask in that order, each for 1.0.  Lower first, FIFO within: w2 at 1,
 * w4 at 2, w1 at 3, w3 at 4. */
static void test_resource_serves_lower_priority_first_fifo_within(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 1, "r"), 0);
    res_arg a[5] = {{"h", 0, 1, 0, 1, false, 0},
                    {"w1", 0, 1, 5, 1, false, 0},
                    {"w2", 0, 1, 1, 1, false, 0},
                    {"w3", 0, 1, 5, 1, false, 0},
                    {"w4", 0, 1, 1, 1, false, 0}};
    for (int i = 0; i < 5; i++)
        spawn(res_user, &a[i], a[i].who);
    run_done();
    expect_ev("h", GRANT, 0, 0);
    expect_ev("w2", GRANT, 1, 0);
    expect_ev("w4", GRANT, 2, 0);
    expect_ev("w1", GRANT, 3, 0);
    expect_ev("w3", GRANT, 4, 0);
    usim_resource_destroy(&res);
}

/* Capacity 3, a holds 2 for [0, 1).  b asks for 3 and waits; c asks for 1
 * and, although 1 unit is free, waits behind b (no overtaking): b at 1
 * (holds to 2), c at 2. */
static void test_resource_head_request_is_not_overtaken(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 3, "r"), 0);
    res_arg a[3] = {{"a", 0, 2, 0, 1, false, 0},
                    {"b", 0, 3, 0, 1, false, 0},
                    {"c", 0, 1, 0, 1, false, 0}};
    for (int i = 0; i < 3; i++)
        spawn(res_user, &a[i], a[i].who);
    run_done();
    expect_ev("b", GRANT, 1, 0);
    expect_ev("c", GRANT, 2, 0);
    usim_resource_destroy(&res);
}

/* As above, but b waits in a scope with deadline 0.5: it leaves with
 * USIM_ETIMEDOUT at 0.5 and c, now at the head, gets its free unit at
 * 0.5.  Then d is cancelled while waiting and is not granted anything. */
static void test_resource_waiter_leaving_lets_the_next_be_served(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 3, "r"), 0);
    res_arg a[4] = {{"a", 0, 2, 0, 1, false, 0},
                    {"b", 0, 3, 0, 1, false, 0.5},
                    {"c", 0, 1, 0, 1, false, 0},
                    {"d", 0.7, 3, 0, 1, false, 0}};
    for (int i = 0; i < 3; i++)
        spawn(res_user, &a[i], a[i].who);
    victim = spawn(res_user, &a[3], "d");
    stopper st = {0.8, &victim, 0};
    spawn(stopper_task, &st, "stopper");
    run_done();
    expect_ev("b", GRANT, 0.5, USIM_ETIMEDOUT);
    expect_ev("c", GRANT, 0.5, 0);
    expect_ev("d", GRANT, 0.8, USIM_ECANCELED);
    assert_int_equal(usim_resource_available(&res), 3);
    assert_int_equal(usim_resource_waiting(&res), 0);
    usim_resource_destroy(&res);
}

static void *res_preempted_low(void *arg)
{
    (void)arg;
    double start = usim_now(), work = 5.0;
    note("low", usim_resource_request(&res, 1, 10), GRANT);
    int rc = usim_sleep(work);
    note("low", rc, usim_cause() == USIM_CAUSE_PREEMPTED ? 100 : 101);
    /* The units went to the preemptor: nothing left to release. */
    note("low_release", usim_resource_release(&res, 1), 0);
    double left = work - (usim_now() - start);
    note("low", usim_resource_request(&res, 1, 10), 2);
    note("low", usim_sleep(left), END);
    usim_resource_release(&res, 1);
    return NULL;
}

/* Capacity 1.  low (priority 10) starts 5.0 of work at 0; at 2.0 high
 * (priority 0) preempts it and works 1.0.  low's sleep returns
 * USIM_EINTR at 2 with cause PREEMPTED, its release is USIM_EINVAL (it
 * holds nothing), it asks again and gets the unit back when high leaves
 * at 3, works the remaining 5 - 2 = 3.0 and finishes at 6.0. */
static void test_resource_preempted_holder_resumes_and_finishes_at_6(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 1, "machine"), 0);
    spawn(res_preempted_low, NULL, "low");
    res_arg high = {"high", 2.0, 1, 0, 1.0, true, 0};
    spawn(res_user, &high, "high");
    run_done();
    expect_ev("low", GRANT, 0, 0);
    expect_ev("low", 100, 2.0, USIM_EINTR);
    expect_ev("low_release", 0, 2.0, USIM_EINVAL);
    expect_ev("high", GRANT, 2.0, 0);
    expect_ev("high", END, 3.0, 0);
    expect_ev("low", 2, 3.0, 0);
    expect_ev("low", END, 6.0, 0);
    usim_resource_destroy(&res);
}

/* Capacity 3, all holding 10.0 from 0: l1 (prio 5), l2 (prio 5, granted
 * after l1), m (prio 3).  At 1, p (prio 0) preempts: the worst priority
 * is 5 and the most recent of those is l2.  At 2, q (prio 4) preempts:
 * only l1 is strictly worse.  At 3, r (prio 4) finds no holder strictly
 * worse than 4 (m is 3, q is 4, p is 0) and waits like a normal request
 * until m leaves at 10. */
static void test_resource_preempts_worst_priority_most_recent_first(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 3, "r"), 0);
    res_arg a[6] = {{"l1", 0, 1, 5, 10, false, 0}, {"l2", 0, 1, 5, 10, false, 0},
                    {"m", 0, 1, 3, 10, false, 0},  {"p", 1, 1, 0, 10, true, 0},
                    {"q", 2, 1, 4, 10, true, 0},   {"r", 3, 1, 4, 10, true, 0}};
    for (int i = 0; i < 6; i++)
        spawn(res_user, &a[i], a[i].who);
    run_done();
    expect_ev("l2", END, 1, USIM_EINTR);
    expect_ev("p", GRANT, 1, 0);
    expect_ev("l1", END, 2, USIM_EINTR);
    expect_ev("q", GRANT, 2, 0);
    expect_ev("m", END, 10, 0);
    expect_ev("r", GRANT, 10, 0);
    usim_resource_destroy(&res);
}

/* Capacity 2: h0 (prio 0) and h5 (prio 5) hold one unit each for 1.0 and
 * 2.0.  At 0.5, p (prio 1) asks to preempt 2 units: only h5's one unit is
 * strictly worse, not enough, so nobody is preempted; p waits and gets
 * both units when h5 leaves at 2. */
static void test_resource_preempt_that_cannot_free_enough_waits(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 2, "r"), 0);
    res_arg a[3] = {{"h0", 0, 1, 0, 1, false, 0},
                    {"h5", 0, 1, 5, 2, false, 0},
                    {"p", 0.5, 2, 1, 1, true, 0}};
    for (int i = 0; i < 3; i++)
        spawn(res_user, &a[i], a[i].who);
    run_done();
    expect_ev("h5", END, 2, 0);
    expect_ev("p", GRANT, 2, 0);
    usim_resource_destroy(&res);
}

static void *res_try_and_invalid(void *arg)
{
    (void)arg;
    note("try2", usim_resource_try(&res, 2), 0);
    note("try2_again", usim_resource_try(&res, 2), 0);
    note("avail", 0, usim_resource_available(&res));
    note("zero", usim_resource_request(&res, 0, 0), 0);
    note("negative", usim_resource_request(&res, -1, 0), 0);
    note("too_big", usim_resource_request(&res, 4, 0), 0);
    note("release_too_much", usim_resource_release(&res, 3), 0);
    note("release", usim_resource_release(&res, 2), 0);
    note("release_unheld", usim_resource_release(&res, 1), 0);
    note("try3", usim_resource_try(&res, 3), 0);
    note("release3", usim_resource_release(&res, 3), 0);
    return NULL;
}

/* Capacity 3: try(2) succeeds, try(2) again is USIM_EAGAIN (1 free);
 * amounts 0, -1 and 4 (> capacity), and releasing more than held, are
 * USIM_EINVAL and change nothing; a request from the host is USIM_ESTATE
 * (and fails the run of the simulation being set up). */
static void test_resource_try_and_invalid_arguments(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 0, "r"), USIM_EINVAL);
    assert_int_equal(usim_resource_init(&res, 3, "r"), 0);
    assert_int_equal(usim_resource_request(&res, 1, 0), USIM_ESTATE);
    assert_int_equal(usim_resource_request(NULL, 1, 0), USIM_EINVAL);
    expect_setup_mistake("usim_resource_request: called outside a running task");
    spawn(res_try_and_invalid, NULL, "t");
    run_done();
    assert_int_equal(nlog, 11);
    expect(0, "try2", 0, 0);
    expect(1, "try2_again", 0, USIM_EAGAIN);
    assert_int_equal(log_[2].v, 1);
    expect(3, "zero", 0, USIM_EINVAL);
    expect(4, "negative", 0, USIM_EINVAL);
    expect(5, "too_big", 0, USIM_EINVAL);
    expect(6, "release_too_much", 0, USIM_EINVAL);
    expect(7, "release", 0, 0);
    expect(8, "release_unheld", 0, USIM_EINVAL);
    expect(9, "try3", 0, 0);
    expect(10, "release3", 0, 0);
    assert_int_equal(usim_resource_available(&res), 3);
    usim_resource_destroy(&res);
}

/* ---------------------------------------------------------------- */
/* container                                                        */
/* ---------------------------------------------------------------- */

static usim_container tank;

typedef struct tank_op {
    const char *who;
    double start;
    double amount;
    bool put;
    double deadline; /* 0: none */
} tank_op;

static void *tank_user(void *arg)
{
    tank_op *op = arg;
    usim_scope s;
    if (op->deadline > 0)
        usim_scope_open_until(&s, op->deadline);
    if (op->start > 0)
        usim_sleep(op->start);
    int rc = op->put ? usim_container_put(&tank, op->amount)
                     : usim_container_get(&tank, op->amount);
    note(op->who, rc, (intptr_t)(usim_container_level(&tank) * 1000));
    if (op->deadline > 0)
        usim_scope_close(&s);
    return NULL;
}

/* Empty tank of capacity 10.  g1 gets 5 and g2 gets 1, both waiting from
 * 0 (FIFO: g2 does not overtake g1).  p1 puts 1 at 1: g1 still cannot be
 * served, so g2 waits too.  p2 puts 4 at 2: level 5 serves g1 (level 0);
 * g2 still waits.  p3 puts 1 at 3: g2 is served, level 0. */
static void test_container_getters_are_served_in_fifo_order(void **state)
{
    (void)state;
    assert_int_equal(usim_container_init(&tank, 10, 0, "tank"), 0);
    tank_op ops[5] = {{"g1", 0, 5, false, 0},
                      {"g2", 0, 1, false, 0},
                      {"p1", 1, 1, true, 0},
                      {"p2", 2, 4, true, 0},
                      {"p3", 3, 1, true, 0}};
    for (int i = 0; i < 5; i++)
        spawn(tank_user, &ops[i], ops[i].who);
    run_done();
    expect_ev("p1", 1000, 1, 0);
    expect_ev("g1", 0, 2, 0);
    expect_ev("g2", 0, 3, 0);
    assert_true(usim_container_level(&tank) == 0.0);
    usim_container_destroy(&tank);
}

/* Capacity 10, level 8.  A put of 5 waits (13 > 10); a get of 3 at 1
 * makes room: the putter is served at 1 and the level is 8 - 3 + 5 = 10.
 * A second put of 1 at 1.5, in a scope with deadline 2, times out at 2
 * (full) and leaves the level unchanged. */
static void test_container_put_waits_for_room(void **state)
{
    (void)state;
    assert_int_equal(usim_container_init(&tank, 10, 8, "tank"), 0);
    tank_op ops[3] = {
        {"p", 0, 5, true, 0}, {"g", 1, 3, false, 0}, {"late", 1.5, 1, true, 2.0}};
    for (int i = 0; i < 3; i++)
        spawn(tank_user, &ops[i], ops[i].who);
    run_done();
    expect_ev("p", 10000, 1, 0);
    expect_ev("late", 10000, 2, USIM_ETIMEDOUT);
    assert_true(usim_container_level(&tank) == 10.0);
    usim_container_destroy(&tank);
}

/* Level 2.  g1 wants 5 (deadline 1), g2 wants 1 and waits behind it.  At
 * 1, g1 times out and leaves; g2, now first, is served at 1: level 1.
 * Serving g2 is a turn point of g1's leaving, so g1 too sees level 1. */
static void test_container_waiter_timing_out_lets_the_next_be_served(void **state)
{
    (void)state;
    assert_int_equal(usim_container_init(&tank, 10, 2, "tank"), 0);
    tank_op ops[2] = {{"g1", 0, 5, false, 1.0}, {"g2", 0, 1, false, 0}};
    for (int i = 0; i < 2; i++)
        spawn(tank_user, &ops[i], ops[i].who);
    run_done();
    expect_ev("g1", 1000, 1, USIM_ETIMEDOUT);
    expect_ev("g2", 1000, 1, 0);
    usim_container_destroy(&tank);
}

/* Non-blocking side, from the host: try_put/try_get change the level or
 * say USIM_EAGAIN; 0.3 put then 0.1 taken three times empties it despite
 * rounding (0.3 - 0.1 - 0.1 < 0.1 in binary); invalid amounts and
 * capacities are USIM_EINVAL. */
static void test_container_try_and_invalid_arguments(void **state)
{
    (void)state;
    assert_int_equal(usim_container_init(&tank, 0, 0, "t"), USIM_EINVAL);
    assert_int_equal(usim_container_init(&tank, 1, 2, "t"), USIM_EINVAL);
    assert_int_equal(usim_container_init(&tank, 1, -1, "t"), USIM_EINVAL);
    assert_int_equal(usim_container_init(&tank, 1, 0, "t"), 0);
    assert_int_equal(usim_container_try_put(&tank, 0.3), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(usim_container_try_get(&tank, 0.1), 0);
    assert_true(usim_container_level(&tank) == 0.0);
    assert_int_equal(usim_container_try_get(&tank, 0.1), USIM_EAGAIN);
    assert_int_equal(usim_container_try_put(&tank, 1.0), 0);
    assert_int_equal(usim_container_try_put(&tank, 0.5), USIM_EAGAIN);
    assert_int_equal(usim_container_try_put(&tank, -1), USIM_EINVAL);
    assert_int_equal(usim_container_try_get(&tank, NAN), USIM_EINVAL);
    assert_int_equal(usim_container_try_get(&tank, 2), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "capacity"));
    assert_int_equal(usim_container_get(&tank, 0.5), USIM_ESTATE);
    assert_int_equal(usim_container_get(NULL, 0.5), USIM_EINVAL);
    assert_true(usim_container_level(&tank) == 1.0);
    usim_container_destroy(&tank);
}

/* ---------------------------------------------------------------- */
/* queue                                                            */
/* ---------------------------------------------------------------- */

static usim_queue queue;

#define ITEM(i) ((void *)(intptr_t)(i))

typedef struct q_op {
    const char *who;
    double start;
    intptr_t item; /* for puts */
    bool put;
    usim_filter filter;
    double deadline; /* 0: none */
} q_op;

static void *q_user(void *arg)
{
    q_op *op = arg;
    usim_scope s;
    if (op->deadline > 0)
        usim_scope_open_until(&s, op->deadline);
    if (op->start > 0)
        usim_sleep(op->start);
    void *item = ITEM(-1);
    int rc = op->put      ? usim_queue_put(&queue, ITEM(op->item))
             : op->filter ? usim_queue_get_filter(&queue, &item, op->filter, NULL)
                          : usim_queue_get(&queue, &item);
    note(op->who, rc, op->put ? op->item : (intptr_t)item);
    if (op->deadline > 0)
        usim_scope_close(&s);
    return NULL;
}

static bool is_even(void *item, void *ctx)
{
    (void)ctx;
    return (intptr_t)item % 2 == 0;
}

/* From the host: put 1, 2, 3 and get them back in that order; the
 * priority puts go before every worse priority, FIFO within: a(5), b(0),
 * c(-1), d(5) come out as c, b, a, d. */
static void test_queue_items_come_out_fifo_by_priority(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    void *it;
    for (int i = 1; i <= 3; i++)
        assert_int_equal(usim_queue_try_put(&queue, ITEM(i)), 0);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(usim_queue_try_get(&queue, &it), 0);
        assert_ptr_equal(it, ITEM(i));
    }
    assert_int_equal(usim_queue_try_get(&queue, &it), USIM_EAGAIN);
    usim_queue_destroy(&queue);
}

static void *q_prio_task(void *arg)
{
    (void)arg;
    usim_queue_put_prio(&queue, ITEM('a'), 5);
    usim_queue_put(&queue, ITEM('b'));
    usim_queue_put_prio(&queue, ITEM('c'), -1);
    usim_queue_put_prio(&queue, ITEM('d'), 5);
    for (int i = 0; i < 4; i++) {
        void *it = NULL;
        int rc = usim_queue_get(&queue, &it);
        note("get", rc, (intptr_t)it);
    }
    return NULL;
}

static void test_queue_put_prio_goes_before_worse_priorities(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    spawn(q_prio_task, NULL, "t");
    run_done();
    assert_int_equal(nlog, 4);
    assert_int_equal(log_[0].v, 'c');
    assert_int_equal(log_[1].v, 'b');
    assert_int_equal(log_[2].v, 'a');
    assert_int_equal(log_[3].v, 'd');
    usim_queue_destroy(&queue);
}

/* Three getters wait from 0 in order g1, g2, g3; items 10, 20, 30 are put
 * at 1, 2, 3: g1 gets 10 at 1, g2 20 at 2, g3 30 at 3. */
static void test_queue_getters_wait_and_are_served_in_fifo_order(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    q_op ops[6] = {{"g1", 0, 0, false, NULL, 0},  {"g2", 0, 0, false, NULL, 0},
                   {"g3", 0, 0, false, NULL, 0},  {"p10", 1, 10, true, NULL, 0},
                   {"p20", 2, 20, true, NULL, 0}, {"p30", 3, 30, true, NULL, 0}};
    for (int i = 0; i < 6; i++)
        spawn(q_user, &ops[i], ops[i].who);
    run_done();
    expect_ev("g1", 10, 1, 0);
    expect_ev("g2", 20, 2, 0);
    expect_ev("g3", 30, 3, 0);
    usim_queue_destroy(&queue);
}

/* Capacity 2: p1, p2 (items 1, 2) go in at 0; p3 (3) and p4 (4) wait.  g
 * gets at 1: item 1, and p3's item enters, p3 returns at 1; at 2 g2 gets
 * 2 and p4 returns at 2.  The rest drains in order 3, 4. */
static void test_queue_bounded_put_waits_for_room(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 2, "q"), 0);
    q_op ops[8] = {{"p1", 0, 1, true, NULL, 0},  {"p2", 0, 2, true, NULL, 0},
                   {"p3", 0, 3, true, NULL, 0},  {"p4", 0, 4, true, NULL, 0},
                   {"g1", 1, 0, false, NULL, 0}, {"g2", 2, 0, false, NULL, 0},
                   {"g3", 3, 0, false, NULL, 0}, {"g4", 3, 0, false, NULL, 0}};
    for (int i = 0; i < 8; i++)
        spawn(q_user, &ops[i], ops[i].who);
    run_done();
    expect_ev("p1", 1, 0, 0);
    expect_ev("p2", 2, 0, 0);
    expect_ev("p3", 3, 1, 0);
    expect_ev("p4", 4, 2, 0);
    expect_ev("g1", 1, 1, 0);
    expect_ev("g2", 2, 2, 0);
    expect_ev("g3", 3, 3, 0);
    expect_ev("g4", 4, 3, 0);
    assert_int_equal(usim_queue_length(&queue), 0);
    usim_queue_destroy(&queue);
}

/* Filtered get.  Queue 1, 3, 4, 5, 6 at 0: the even-filter getter fe1
 * takes 4 (the first even) at once.  At 1, fe2 (even) takes 6 and g
 * (any) takes the head, 1.  At 2 the queue is 3, 5:
 * fe3 (even) waits, then plain g2 takes 3, g3 takes 5 and g4 waits too.
 * At 3, 7 is put: fe3 rejects it, g4 (next in waiting order) gets it; at
 * 4, 8 is put: fe3 gets it. */
static void test_queue_filtered_get_takes_first_match(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    intptr_t init[] = {1, 3, 4, 5, 6};
    for (int i = 0; i < 5; i++)
        assert_int_equal(usim_queue_try_put(&queue, ITEM(init[i])), 0);
    q_op ops[] = {{"fe1", 0, 0, false, is_even, 0}, {"fe2", 1, 0, false, is_even, 0},
                  {"g", 1, 0, false, NULL, 0},      {"fe3", 2, 0, false, is_even, 0},
                  {"g2", 2, 0, false, NULL, 0},     {"g3", 2, 0, false, NULL, 0},
                  {"g4", 2, 0, false, NULL, 0},     {"p7", 3, 7, true, NULL, 0},
                  {"p8", 4, 8, true, NULL, 0}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        spawn(q_user, &ops[i], ops[i].who);
    run_done();
    expect_ev("fe1", 4, 0, 0);
    expect_ev("fe2", 6, 1, 0);
    expect_ev("g", 1, 1, 0);
    expect_ev("g2", 3, 2, 0);
    expect_ev("g3", 5, 2, 0);
    expect_ev("g4", 7, 3, 0);
    expect_ev("fe3", 8, 4, 0);
    usim_queue_destroy(&queue);
}

static void *q_closer(void *arg)
{
    double *at = arg;
    usim_sleep(*at);
    usim_queue_close(&queue);
    note("closed", usim_queue_put(&queue, ITEM(99)), 0);
    return NULL;
}

/* Capacity 1 holding item 1; p (item 2) waits for room.  The queue is
 * closed at 1: p returns USIM_ECLOSED at 1, a put after close too; the
 * getters then drain item 1 and the next get is USIM_ECLOSED, at once.
 * A getter waiting on an empty closed queue is woken with USIM_ECLOSED
 * (second part). */
static void test_queue_close_wakes_putters_and_leaves_items_to_drain(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 1, "q"), 0);
    assert_int_equal(usim_queue_try_put(&queue, ITEM(1)), 0);
    double at = 1.0;
    q_op ops[3] = {{"p", 0, 2, true, NULL, 0},
                   {"g1", 2, 0, false, NULL, 0},
                   {"g2", 3, 0, false, NULL, 0}};
    for (int i = 0; i < 3; i++)
        spawn(q_user, &ops[i], ops[i].who);
    spawn(q_closer, &at, "closer");
    run_done();
    expect_ev("p", 2, 1, USIM_ECLOSED);
    expect_ev("closed", 0, 1, USIM_ECLOSED);
    expect_ev("g1", 1, 2, 0);
    expect_ev("g2", -1, 3, USIM_ECLOSED);
    assert_true(usim_queue_closed(&queue));
    void *it;
    assert_int_equal(usim_queue_try_get(&queue, &it), USIM_ECLOSED);
    assert_int_equal(usim_queue_try_put(&queue, ITEM(0)), USIM_ECLOSED);
    usim_queue_destroy(&queue);
}

static void test_queue_close_wakes_getters_with_eclosed(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    double at = 2.5;
    q_op ops[2] = {{"g1", 0, 0, false, NULL, 0}, {"g2", 0, 0, false, is_even, 0}};
    for (int i = 0; i < 2; i++)
        spawn(q_user, &ops[i], ops[i].who);
    spawn(q_closer, &at, "closer");
    run_done();
    expect_ev("g1", -1, 2.5, USIM_ECLOSED);
    expect_ev("g2", -1, 2.5, USIM_ECLOSED);
    usim_queue_destroy(&queue);
}

/* Getter g1 waits in a scope with deadline 1 and times out at 1; g2 is
 * cancelled at 1.5; g3 waits on; the put of 5 at 2 reaches g3 (the
 * getters that left are no longer on the list). */
static void test_queue_get_honours_deadline_and_cancel(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    q_op ops[4] = {{"g1", 0, 0, false, NULL, 1.0},
                   {"g2", 0, 0, false, NULL, 0},
                   {"g3", 0, 0, false, NULL, 0},
                   {"p5", 2, 5, true, NULL, 0}};
    spawn(q_user, &ops[0], "g1");
    victim = spawn(q_user, &ops[1], "g2");
    spawn(q_user, &ops[2], "g3");
    spawn(q_user, &ops[3], "p5");
    stopper st = {1.5, &victim, 0};
    spawn(stopper_task, &st, "stopper");
    run_done();
    expect_ev("g1", -1, 1, USIM_ETIMEDOUT);
    expect_ev("g2", -1, 1.5, USIM_ECANCELED);
    expect_ev("g3", 5, 2, 0);
    usim_queue_destroy(&queue);
}

/* An unbounded queue grows past its initial ring while wrapped around:
 * put 0..9, take 0..6 (head moves to 7), put 10..1009; everything comes
 * out in order 7..1009. */
static void test_queue_unbounded_grows_keeping_order(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    void *it;
    for (int i = 0; i < 10; i++)
        assert_int_equal(usim_queue_try_put(&queue, ITEM(i)), 0);
    for (int i = 0; i < 7; i++)
        assert_int_equal(usim_queue_try_get(&queue, &it), 0);
    for (int i = 10; i < 1010; i++)
        assert_int_equal(usim_queue_try_put(&queue, ITEM(i)), 0);
    assert_int_equal(usim_queue_length(&queue), 1003);
    for (int i = 7; i < 1010; i++) {
        assert_int_equal(usim_queue_try_get(&queue, &it), 0);
        assert_ptr_equal(it, ITEM(i));
    }
    usim_queue_destroy(&queue);
}

static void *q_prio_puts(void *arg)
{
    (void)arg;
    usim_queue_put_prio(&queue, ITEM('a'), 5);
    usim_queue_put(&queue, ITEM('b'));
    usim_queue_put_prio(&queue, ITEM('c'), -1);
    return NULL;
}

/* usim_queue_peek reads position i in get order without taking it: on a
 * wrapped ring (put 0..9, take 0..6, put 10..19: the head at 7) position
 * i holds 7 + i; with priorities a(5), b(0), c(-1) it reads c, b, a; out
 * of range, a NULL item or queue are errors. */
static void test_queue_peek_reads_in_get_order(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 16, "q"), 0);
    void *it;
    for (int i = 0; i < 10; i++)
        assert_int_equal(usim_queue_try_put(&queue, ITEM(i)), 0);
    for (int i = 0; i < 7; i++)
        assert_int_equal(usim_queue_try_get(&queue, &it), 0);
    for (int i = 10; i < 20; i++)
        assert_int_equal(usim_queue_try_put(&queue, ITEM(i)), 0);
    assert_int_equal(usim_queue_length(&queue), 13);
    for (size_t i = 0; i < 13; i++) {
        assert_int_equal(usim_queue_peek(&queue, i, &it), 0);
        assert_ptr_equal(it, ITEM(7 + (int)i));
    }
    it = ITEM(99);
    assert_int_equal(usim_queue_peek(&queue, 13, &it), USIM_EINVAL);
    assert_string_equal(usim_errmsg(),
                        "usim_queue_peek: position 13 of queue 'q', which holds 13");
    assert_ptr_equal(it, ITEM(99));
    assert_int_equal(usim_queue_peek(&queue, 0, NULL), USIM_EINVAL);
    assert_int_equal(usim_queue_peek(NULL, 0, &it), USIM_EINVAL);
    assert_int_equal(usim_queue_length(&queue), 13); /* nothing taken */
    assert_int_equal(usim_queue_try_get(&queue, &it), 0);
    assert_ptr_equal(it, ITEM(7));
    usim_queue_destroy(&queue);

    assert_int_equal(usim_queue_init(&queue, 0, "p"), 0);
    assert_int_equal(usim_queue_peek(&queue, 0, &it), USIM_EINVAL);
    spawn(q_prio_puts, NULL, "t");
    run_done();
    const char want[] = "cba";
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(usim_queue_peek(&queue, i, &it), 0);
        assert_int_equal((intptr_t)it, want[i]);
    }
    usim_queue_destroy(&queue);
}

static void *q_producer_1_to_5(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 5; i++) {
        usim_sleep(1.0);
        usim_queue_put(&queue, ITEM(i));
    }
    usim_queue_close(&queue);
    return NULL;
}

static void *q_consumer_for_each(void *arg)
{
    (void)arg;
    intptr_t sum = 0;
    USIM_FOR_EACH_ITEM (&queue, item) {
        sum += (intptr_t)item;
    }
    note("sum", 0, sum);
    return NULL;
}

/* The producer puts 1..5 at 1..5 and closes at 5: the loop sums 15 and
 * ends at 5. */
static void test_queue_for_each_item_ends_when_closed_and_drained(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    spawn(q_consumer_for_each, NULL, "consumer");
    spawn(q_producer_1_to_5, NULL, "producer");
    run_done();
    expect_ev("sum", 15, 5, 0);
    usim_queue_destroy(&queue);
}

static void *q_cancelled_self(void *arg)
{
    (void)arg;
    usim_cancel(usim_self());
    void *it;
    note("get", usim_queue_get(&queue, &it), 0);
    note("put", usim_queue_put(&queue, it), 0);
    return NULL;
}

/* Invalid arguments, the host (a mistake that fails the run of the
 * simulation being set up), and sticky cancellation: a cancelled task
 * gets USIM_ECANCELED even with an item available. */
static void test_queue_invalid_arguments_and_sticky_cancel(void **state)
{
    (void)state;
    void *it;
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    assert_int_equal(usim_queue_get(&queue, &it), USIM_ESTATE);
    assert_int_equal(usim_queue_put(&queue, NULL), USIM_ESTATE);
    assert_int_equal(usim_queue_get(NULL, &it), USIM_EINVAL);
    assert_int_equal(usim_queue_try_get(&queue, NULL), USIM_EINVAL);
    assert_int_equal(usim_queue_get_filter(&queue, &it, NULL, NULL), USIM_EINVAL);
    expect_setup_mistake("usim_queue_get: called outside a running task");
    assert_int_equal(usim_queue_try_put(&queue, ITEM(1)), 0);
    spawn(q_cancelled_self, NULL, "t");
    run_done();
    expect_ev("get", 0, 0, USIM_ECANCELED);
    expect_ev("put", 0, 0, USIM_ECANCELED);
    assert_int_equal(usim_queue_length(&queue), 1);
    usim_queue_destroy(&queue);
}

/* M/M/1 with deterministic arrivals every 1.0 and service 0.8 (through
 * a queue and one server).  Customer k arrives at k (k = 1..5), finds
 * the server idle (it finished k-1 at k - 0.2), starts at once and leaves
 * at k + 0.8: no waiting, every system time is exactly 0.8. */
typedef struct det_customer {
    double arrival;
} det_customer;

static void *det_arrivals(void *arg)
{
    det_customer *c = arg;
    for (int k = 0; k < 5; k++) {
        usim_sleep(1.0);
        c[k].arrival = usim_now();
        usim_queue_put(&queue, &c[k]);
    }
    usim_queue_close(&queue);
    return NULL;
}

static void *det_server(void *arg)
{
    (void)arg;
    USIM_FOR_EACH_ITEM (&queue, item) {
        det_customer *c = item;
        note("start", 0, (intptr_t)llround((usim_now() - c->arrival) * 1e9));
        usim_sleep(0.8);
        note("leave", 0, (intptr_t)llround((usim_now() - c->arrival) * 1e9));
    }
    return NULL;
}

static void test_mm1_deterministic_arrivals_never_wait(void **state)
{
    (void)state;
    det_customer c[5];
    assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
    spawn(det_arrivals, c, "arrivals");
    spawn(det_server, NULL, "server");
    run_done();
    assert_int_equal(nlog, 10);
    for (int k = 0; k < 5; k++) {
        expect(2 * k, "start", k + 1.0, 0);
        assert_int_equal(log_[2 * k].v, 0); /* waited 0 ns */
        expect(2 * k + 1, "leave", k + 1.8, 0);
        assert_int_equal(log_[2 * k + 1].v, 800000000); /* 0.8 in ns */
    }
    usim_queue_destroy(&queue);
}

/* ---------------------------------------------------------------- */
/* channel                                                          */
/* ---------------------------------------------------------------- */

static usim_channel chan;

typedef struct reader_arg {
    const char *who;
    double start;
    double deadline; /* 0: none */
} reader_arg;

static void *ch_reader(void *arg)
{
    reader_arg *r = arg;
    usim_scope s;
    if (r->deadline > 0)
        usim_scope_open_until(&s, r->deadline);
    if (r->start > 0)
        usim_sleep(r->start);
    void *v = ITEM(-1);
    int rc = usim_channel_recv(&chan, &v);
    note(r->who, rc, (intptr_t)v);
    if (r->deadline > 0)
        usim_scope_close(&s);
    return NULL;
}

static void *ch_sender(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    note("send1", usim_channel_send(&chan, ITEM(42)), 0);
    usim_sleep(1.0);
    note("send2", usim_channel_send(&chan, ITEM(43)), 0);
    usim_sleep(1.0);
    note("send3", usim_channel_send(&chan, ITEM(44)), 0);
    usim_channel_close(&chan);
    note("send4", usim_channel_send(&chan, ITEM(45)), 0);
    return NULL;
}

/* r1, r2, r3 wait from 0; the send of 42 at 1 reaches all three at 1 and
 * returns 3.  r4 starts waiting at 1.5 and gets the next value, 43 at 2
 * (send returns 1).  The send of 44 at 3 reaches nobody (returns 0); r5,
 * waiting since 2.5 in a scope with deadline 2.8, timed out at 2.8.
 * After close, send is USIM_ECLOSED. */
static void test_channel_broadcasts_to_every_waiting_reader(void **state)
{
    (void)state;
    usim_channel_init(&chan, "ch");
    reader_arg r[5] = {
        {"r1", 0, 0}, {"r2", 0, 0}, {"r3", 0, 0}, {"r4", 1.5, 0}, {"r5", 2.5, 2.8}};
    for (int i = 0; i < 5; i++)
        spawn(ch_reader, &r[i], r[i].who);
    spawn(ch_sender, NULL, "sender");
    run_done();
    expect_ev("r1", 42, 1, 0);
    expect_ev("r2", 42, 1, 0);
    expect_ev("r3", 42, 1, 0);
    expect_ev("send1", 0, 1, 3);
    expect_ev("r4", 43, 2, 0);
    expect_ev("send2", 0, 2, 1);
    expect_ev("r5", -1, 2.8, USIM_ETIMEDOUT);
    expect_ev("send3", 0, 3, 0);
    expect_ev("send4", 0, 3, USIM_ECLOSED);
    usim_channel_destroy(&chan);
}

static void *ch_closer(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    usim_channel_close(&chan);
    return NULL;
}

/* Readers waiting at close (1) get USIM_ECLOSED; a reader after close
 * gets it at once (2); a cancelled reader (r0, cancelled at 0.5) gets
 * USIM_ECANCELED. */
static void test_channel_close_and_cancel_end_the_wait(void **state)
{
    (void)state;
    usim_channel_init(&chan, "ch");
    reader_arg r[3] = {{"r0", 0, 0}, {"r1", 0, 0}, {"r2", 2, 0}};
    victim = spawn(ch_reader, &r[0], "r0");
    spawn(ch_reader, &r[1], "r1");
    spawn(ch_reader, &r[2], "r2");
    spawn(ch_closer, NULL, "closer");
    stopper st = {0.5, &victim, 0};
    spawn(stopper_task, &st, "stopper");
    run_done();
    expect_ev("r0", -1, 0.5, USIM_ECANCELED);
    expect_ev("r1", -1, 1, USIM_ECLOSED);
    expect_ev("r2", -1, 2, USIM_ECLOSED);
    assert_int_equal(usim_channel_recv(&chan, NULL), USIM_ESTATE);
    assert_int_equal(usim_channel_send(NULL, NULL), USIM_EINVAL);
    usim_channel_destroy(&chan);
}

/* ---------------------------------------------------------------- */
/* tracked                                                          */
/* ---------------------------------------------------------------- */

static usim_tracked tv;

typedef struct tv_wait {
    const char *who;
    usim_cmp op;
    double x;
} tv_wait;

static void *tv_waiter(void *arg)
{
    tv_wait *w = arg;
    usim_scope s;
    usim_scope_open_until(&s, 10.0);
    note(w->who, usim_tracked_wait(&tv, w->op, w->x), 0);
    usim_scope_close(&s);
    return NULL;
}

static void *tv_setter(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    usim_tracked_set(&tv, 5.0);
    usim_sleep(2.0);
    usim_tracked_add(&tv, -4.0); /* 1 at 3 */
    return NULL;
}

/* The value is 2 from 0, 5 from 1, 1 from 3; each waiter has a deadline
 * of 10.  Already true at 0: < 3, == 2.  Becomes true at 1 (value 5):
 * == 5, != 2, >= 5.  At 3 (value 1): <= 1.  Never: > 5.  */
static void test_tracked_wait_wakes_when_the_condition_holds(void **state)
{
    (void)state;
    usim_tracked_init(&tv, 2.0, "v");
    tv_wait w[] = {{"lt3", USIM_LT, 3}, {"eq2", USIM_EQ, 2}, {"eq5", USIM_EQ, 5},
                   {"ne2", USIM_NE, 2}, {"ge5", USIM_GE, 5}, {"le1", USIM_LE, 1},
                   {"gt5", USIM_GT, 5}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        spawn(tv_waiter, &w[i], w[i].who);
    spawn(tv_setter, NULL, "setter");
    run_done();
    expect_ev("lt3", 0, 0, 0);
    expect_ev("eq2", 0, 0, 0);
    expect_ev("eq5", 0, 1, 0);
    expect_ev("ne2", 0, 1, 0);
    expect_ev("ge5", 0, 1, 0);
    expect_ev("le1", 0, 3, 0);
    expect_ev("gt5", 0, 10, USIM_ETIMEDOUT);
    assert_true(usim_tracked_get(&tv) == 1.0);
    usim_tracked_destroy(&tv);
}

static void *tv_steps(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    usim_tracked_set(&tv, 2.0);
    usim_sleep(2.0);
    usim_tracked_add(&tv, 2.0);
    usim_sleep(1.0);
    note("mean", 0,
         (intptr_t)llround(usim_level_mean(usim_tracked_level(&tv), 4.0) * 1000));
    return NULL;
}

/* Value 0 on [0, 1), 2 on [1, 3), 4 on [3, 4): time-weighted mean over
 * [0, 4] = (0*1 + 2*2 + 4*1) / 4 = 2.0; max 4. */
static void test_tracked_level_is_time_weighted(void **state)
{
    (void)state;
    usim_tracked_init(&tv, 0.0, "v");
    spawn(tv_steps, NULL, "steps");
    run_done();
    expect_ev("mean", 2000, 4, 0);
    assert_true(usim_level_max(usim_tracked_level(&tv)) == 4.0);
    usim_tracked_destroy(&tv);
}

static void *tv_cancelled(void *arg)
{
    (void)arg;
    note("wait", usim_tracked_wait(&tv, USIM_GT, 100), 0);
    note("bad_op", usim_tracked_wait(&tv, (usim_cmp)42, 1), 0);
    note("nan", usim_tracked_wait(&tv, USIM_GT, NAN), 0);
    return NULL;
}

/* A waiter cancelled at 1 leaves with USIM_ECANCELED; an unknown
 * comparison or a NaN threshold is USIM_EINVAL; outside a task,
 * USIM_ESTATE (and the run of the simulation being set up fails). */
static void test_tracked_cancel_and_invalid_arguments(void **state)
{
    (void)state;
    usim_tracked_init(&tv, 0.0, "v");
    assert_int_equal(usim_tracked_wait(&tv, USIM_GE, 0), USIM_ESTATE);
    assert_int_equal(usim_tracked_wait(NULL, USIM_GE, 0), USIM_EINVAL);
    expect_setup_mistake("usim_tracked_wait: called outside a running task");
    victim = spawn(tv_cancelled, NULL, "w");
    stopper st = {1.0, &victim, 0};
    spawn(stopper_task, &st, "stopper");
    run_done();
    expect_ev("wait", 0, 1, USIM_ECANCELED);
    expect_ev("bad_op", 0, 1, USIM_EINVAL);
    expect_ev("nan", 0, 1, USIM_EINVAL);
    usim_tracked_destroy(&tv);
}

/* ---------------------------------------------------------------- */
/* hold-for-the-block forms                                         */
/* ---------------------------------------------------------------- */

static int with_lock_return_early(void)
{
    USIM_WITH_LOCK(&lock)
    {
        if (lock.owner == usim_self())
            return 5;
    }
    return 0;
}

static void *with_lock_exits(void *arg)
{
    (void)arg;
    /* normal end of the block */
    USIM_WITH_LOCK(&lock)
    {
        note("inside", 0, lock.owner == usim_self() && lock.depth == 1);
    }
    note("after_end", 0, lock.owner == NULL);
    /* break */
    USIM_WITH_LOCK(&lock)
    {
        break;
    }
    note("after_break", 0, lock.owner == NULL);
    /* continue: leaves the block too (it belongs to the block's loop) */
    USIM_WITH_LOCK(&lock)
    {
        continue;
    }
    note("after_continue", 0, lock.owner == NULL);
    /* return from inside, from a nested function */
    int rc = with_lock_return_early();
    note("returned", rc, lock.owner == NULL);
    /* goto out of the block */
    USIM_WITH_LOCK(&lock)
    {
        goto out;
    }
out:
    note("after_goto", 0, lock.owner == NULL);
    /* held across a wait: the other task gets the lock when we leave */
    USIM_WITH_LOCK(&lock)
    {
        usim_sleep(1.0);
    }
    return NULL;
}

static void *with_lock_other(void *arg)
{
    (void)arg;
    usim_sleep(0.5);
    note("other", usim_lock_acquire(&lock), 0);
    usim_lock_release(&lock);
    return NULL;
}

/* USIM_WITH_LOCK releases on normal end, break, continue, return and
 * goto; the other task, asking at 0.5 while the block waits 1.0 from 0,
 * gets the lock at 1. */
static void test_with_lock_releases_on_every_exit(void **state)
{
    (void)state;
    usim_lock_init(&lock, "l");
    spawn(with_lock_exits, NULL, "t");
    spawn(with_lock_other, NULL, "other");
    run_done();
    expect_ev("inside", 1, 0, 0);
    expect_ev("after_end", 1, 0, 0);
    expect_ev("after_break", 1, 0, 0);
    expect_ev("after_continue", 1, 0, 0);
    expect_ev("returned", 1, 0, 5);
    expect_ev("after_goto", 1, 0, 0);
    expect_ev("other", 0, 1, 0);
    assert_null(lock.owner);
    usim_lock_destroy(&lock);
}

static void *with_lock_cancelled(void *arg)
{
    (void)arg;
    usim_cancel(usim_self());
    int ran = 0;
    USIM_WITH_LOCK(&lock)
    {
        ran = 1;
    }
    note("ran", 0, ran);
    return NULL;
}

/* A failed acquire (the task is cancelled) skips the block and releases
 * nothing. */
static void test_with_lock_skips_the_block_when_acquire_fails(void **state)
{
    (void)state;
    usim_lock_init(&lock, "l");
    spawn(with_lock_cancelled, NULL, "t");
    run_done();
    expect_ev("ran", 0, 0, 0);
    assert_null(lock.owner);
    usim_lock_destroy(&lock);
}

static long with_resource_return(void)
{
    USIM_WITH_RESOURCE(&res, 2)
    {
        return usim_resource_available(&res);
    }
    return -1;
}

static void *with_resource_task(void *arg)
{
    (void)arg;
    USIM_WITH_RESOURCE(&res, 2)
    {
        note("inside", 0, usim_resource_available(&res));
        usim_sleep(1.0);
    }
    note("after", 0, usim_resource_available(&res));
    note("returned", 0, with_resource_return());
    note("after_return", 0, usim_resource_available(&res));
    return NULL;
}

/* Capacity 3: inside USIM_WITH_RESOURCE(r, 2) one unit is left; after
 * the block (normal end at 1, or return) all 3 are back. */
static void test_with_resource_holds_for_the_block(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 3, "r"), 0);
    spawn(with_resource_task, NULL, "t");
    run_done();
    expect_ev("inside", 1, 0, 0);
    expect_ev("after", 3, 1, 0);
    expect_ev("returned", 1, 1, 0);
    expect_ev("after_return", 3, 1, 0);
    usim_resource_destroy(&res);
}

static void *with_resource_preempted(void *arg)
{
    (void)arg;
    USIM_WITH_RESOURCE(&res, 1)
    {
        note("sleep", usim_sleep(5.0), 0);
    }
    note("after", 0, usim_resource_available(&res));
    return NULL;
}

/* A block whose units were preempted (at 1, by a holder of 1.0) gives
 * back nothing at its end: no USIM_EINVAL, and the preemptor's unit is
 * untouched (0 available just after, 1 when it leaves at 2). */
static void test_with_resource_after_preemption_releases_nothing(void **state)
{
    (void)state;
    assert_int_equal(usim_resource_init(&res, 1, "r"), 0);
    spawn(with_resource_preempted, NULL, "low");
    res_arg high = {"high", 1.0, 1, -1, 1.0, true, 0};
    spawn(res_user, &high, "high");
    run_done();
    expect_ev("sleep", 0, 1, USIM_EINTR);
    expect_ev("after", 0, 1, 0);
    expect_ev("high", END, 2, 0);
    assert_int_equal(usim_resource_available(&res), 1);
    usim_resource_destroy(&res);
}

static void *with_flag_task(void *arg)
{
    (void)arg;
    usim_sleep(1.0);
    USIM_WITH_FLAG(&flag)
    {
        note("inside", 0, usim_flag_get(&flag));
        usim_sleep(2.0);
    }
    note("after", 0, usim_flag_get(&flag));
    return NULL;
}

static void *flag_waiter_false_at_1_5(void *arg)
{
    (void)arg;
    usim_sleep(1.5);
    note("false", usim_flag_wait_false(&flag), 0);
    return NULL;
}

/* USIM_WITH_FLAG: true inside (from 1), false after (at 3): a wait_true
 * waiter wakes at 1, a wait_false waiter (from 1.5) at 3. */
static void test_with_flag_is_true_inside_and_false_after(void **state)
{
    (void)state;
    usim_flag_init(&flag, false, "busy");
    spawn(flag_waiter_true, "true", "wt");
    spawn(flag_waiter_false_at_1_5, NULL, "wf");
    spawn(with_flag_task, NULL, "t");
    run_done();
    expect_ev("true", 0, 1, 0);
    expect_ev("inside", 1, 1, 0);
    expect_ev("false", 0, 3, 0);
    expect_ev("after", 0, 3, 0);
    usim_flag_destroy(&flag);
}

/* ---------------------------------------------------------------- */
/* deadlock reports                                                 */
/* ---------------------------------------------------------------- */

static void *dl_lock_forever(void *arg)
{
    (void)arg;
    usim_lock_acquire(&lock);
    usim_lock_acquire(&lock); /* reentrant: no wait */
    return NULL;              /* ends holding it */
}

static void *dl_lock_waiter(void *arg)
{
    (void)arg;
    usim_lock_acquire(&lock);
    return NULL;
}

static void *dl_queue_getter(void *arg)
{
    (void)arg;
    void *it;
    usim_queue_get(&queue, &it);
    return NULL;
}

/* A run that ends with tasks waiting on primitives is a deadlock whose
 * report names each primitive: "lock 'door'", "queue get 'jobs'". */
static void test_waits_on_primitives_appear_in_deadlock_reports(void **state)
{
    (void)state;
    usim_lock_init(&lock, "door");
    assert_int_equal(usim_queue_init(&queue, 0, "jobs"), 0);
    spawn(dl_lock_forever, NULL, "owner");
    spawn(dl_lock_waiter, NULL, "waiter");
    spawn(dl_queue_getter, NULL, "getter");
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DEADLOCK);
    assert_int_equal(usim_sim_blocked_count(sim), 2);
    const char *task, *what;
    bool saw_lock = false, saw_queue = false;
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(usim_sim_blocked(sim, i, &task, &what), 0);
        if (strcmp(task, "waiter") == 0) {
            assert_string_equal(what, "lock 'door'");
            saw_lock = true;
        } else {
            assert_string_equal(task, "getter");
            assert_string_equal(what, "queue get 'jobs'");
            saw_queue = true;
        }
    }
    assert_true(saw_lock && saw_queue);
    /* The waiters are cancelled and unwind when the simulation goes, so
     * the primitives are destroyed after it. */
    fixture_destroy(sim);
    sim = NULL;
    usim_queue_destroy(&queue);
    usim_lock_destroy(&lock);
}

/* ---------------------------------------------------------------- */
/* Calls on a destroyed or never initialised primitive              */
/* ---------------------------------------------------------------- */

static int misuse_case;

static void *misuses(void *arg)
{
    (void)arg;
    void *item;
    static usim_flag never; /* zero: never initialised */
    switch (misuse_case) {
    case 0:
        usim_flag_set(&flag, true);
        break;
    case 1:
        usim_lock_acquire(&lock);
        break;
    case 2:
        usim_resource_request(&res, 1, 0);
        break;
    case 3:
        usim_container_put(&tank, 1);
        break;
    case 4:
        usim_queue_put(&queue, NULL);
        break;
    case 5:
        usim_queue_get(&queue, &item);
        break;
    case 6:
        usim_channel_send(&chan, NULL);
        break;
    case 7:
        usim_tracked_set(&tv, 1);
        break;
    case 8:
        usim_flag_wait_true(&never);
        break;
    }
    note("went-on", 0, 0); /* never: the run failed in the call */
    return NULL;
}

/* Each primitive is initialised and destroyed (twice: harmless), then a
 * task calls it: the run fails at once, naming the call and the
 * primitive; the task does not go on.  A zeroed flag is named as never
 * initialised. */
static void test_calls_on_a_destroyed_primitive_fail_the_run(void **state)
{
    (void)state;
    const char *want[] = {
        "usim_flag_set: flag 'door' is destroyed",
        "usim_lock_acquire: lock 'l' is destroyed",
        "usim_resource_request: resource 'r' is destroyed",
        "usim_container_put: container 'tank' is destroyed",
        "usim_queue_put: queue 'q' is destroyed",
        "usim_queue_get: queue 'q' is destroyed",
        "usim_channel_send: channel 'ch' is destroyed",
        "usim_tracked_set: tracked 'v' is destroyed",
        "usim_flag_wait_true: flag is not initialised (no usim_flag_init)",
    };
    for (misuse_case = 0; misuse_case < 9; misuse_case++) {
        usim_flag_init(&flag, false, "door");
        usim_lock_init(&lock, "l");
        assert_int_equal(usim_resource_init(&res, 1, "r"), 0);
        assert_int_equal(usim_container_init(&tank, 10, 0, "tank"), 0);
        assert_int_equal(usim_queue_init(&queue, 0, "q"), 0);
        usim_channel_init(&chan, "ch");
        usim_tracked_init(&tv, 0, "v");
        for (int twice = 0; twice < 2; twice++) {
            usim_flag_destroy(&flag);
            usim_lock_destroy(&lock);
            usim_resource_destroy(&res);
            usim_container_destroy(&tank);
            usim_queue_destroy(&queue);
            usim_channel_destroy(&chan);
            usim_tracked_destroy(&tv);
        }
        spawn(misuses, NULL, "user");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
        assert_string_equal(usim_sim_error(sim), want[misuse_case]);
        assert_int_equal(nlog, 0);
        fixture_destroy(sim);
        usim_config cfg;
        usim_config_init(&cfg);
        sim = fixture_sim(&cfg);
    }
}

/* From the host a call on a destroyed primitive returns its error value
 * with usim_errmsg() set, and the run of the simulation being set up
 * fails with the first such message. */
static void test_host_call_on_a_destroyed_primitive_fails_the_setup(void **state)
{
    (void)state;
    assert_int_equal(usim_queue_init(&queue, 0, "jobs"), 0);
    usim_queue_destroy(&queue);
    assert_int_equal(usim_queue_try_put(&queue, NULL), USIM_EINVAL);
    assert_string_equal(usim_errmsg(), "usim_queue_try_put: queue 'jobs' is destroyed");
    assert_int_equal(usim_queue_length(&queue), 0);
    assert_true(usim_queue_closed(&queue));
    usim_channel_init(&chan, "ch");
    usim_channel_destroy(&chan);
    assert_true(usim_channel_closed(&chan));
    expect_setup_mistake("usim_queue_try_put: queue 'jobs' is destroyed");
}

static void *closes_channel(void *arg)
{
    (void)arg;
    note("open", usim_channel_closed(&chan), 0);
    usim_channel_close(&chan);
    note("closed", usim_channel_closed(&chan), 0);
    return NULL;
}

/* usim_channel_closed is false until the close, true after. */
static void test_channel_closed_tells_whether_it_was_closed(void **state)
{
    (void)state;
    usim_channel_init(&chan, "ch");
    spawn(closes_channel, NULL, "c");
    run_done();
    expect(0, "open", 0, false);
    expect(1, "closed", 0, true);
    usim_channel_destroy(&chan);
}

/* A double as a queue item: every bit comes back, -0.0 and the
 * payload of a NaN included, and the item compares as its bits. */
static void test_item_of_double_round_trips_every_bit(void **state)
{
    (void)state;
    const double xs[] = {0.0, -0.0, 1.5, -2.25e-300, 1e308, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double back = usim_item_double(usim_item_of_double(xs[i]));
        assert_memory_equal(&back, &xs[i], sizeof back);
    }
    double nan = NAN, back = usim_item_double(usim_item_of_double(nan));
    assert_memory_equal(&back, &nan, sizeof back);
    /* 1.5 is 0x3ff8000000000000. */
    assert_true((uintptr_t)usim_item_of_double(1.5) ==
                (uintptr_t)0x3ff8000000000000ull);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_item_of_double_round_trips_every_bit),
        T(test_flag_wait_wakes_at_each_toggle_1_2_3),
        T(test_flag_set_wakes_matching_waiters_in_fifo_order),
        T(test_flag_wait_true_when_true_is_a_turn_point),
        T(test_flag_wait_honours_cancel_and_deadline),
        T(test_flag_invalid_arguments),
        T(test_lock_hands_off_in_fifo_order),
        T(test_lock_is_reentrant_and_try_fails_when_held),
        T(test_lock_waiters_leave_on_cancel_deadline_interrupt),
        T(test_lock_invalid_arguments),
        T(test_resource_capacity_2_three_customers_depart_1_1_2),
        T(test_resource_serves_lower_priority_first_fifo_within),
        T(test_resource_head_request_is_not_overtaken),
        T(test_resource_waiter_leaving_lets_the_next_be_served),
        T(test_resource_preempted_holder_resumes_and_finishes_at_6),
        T(test_resource_preempts_worst_priority_most_recent_first),
        T(test_resource_preempt_that_cannot_free_enough_waits),
        T(test_resource_try_and_invalid_arguments),
        T(test_container_getters_are_served_in_fifo_order),
        T(test_container_put_waits_for_room),
        T(test_container_waiter_timing_out_lets_the_next_be_served),
        T(test_container_try_and_invalid_arguments),
        T(test_queue_items_come_out_fifo_by_priority),
        T(test_queue_put_prio_goes_before_worse_priorities),
        T(test_queue_getters_wait_and_are_served_in_fifo_order),
        T(test_queue_bounded_put_waits_for_room),
        T(test_queue_filtered_get_takes_first_match),
        T(test_queue_close_wakes_putters_and_leaves_items_to_drain),
        T(test_queue_close_wakes_getters_with_eclosed),
        T(test_queue_get_honours_deadline_and_cancel),
        T(test_queue_unbounded_grows_keeping_order),
        T(test_queue_peek_reads_in_get_order),
        T(test_queue_for_each_item_ends_when_closed_and_drained),
        T(test_queue_invalid_arguments_and_sticky_cancel),
        T(test_mm1_deterministic_arrivals_never_wait),
        T(test_channel_broadcasts_to_every_waiting_reader),
        T(test_channel_close_and_cancel_end_the_wait),
        T(test_tracked_wait_wakes_when_the_condition_holds),
        T(test_tracked_level_is_time_weighted),
        T(test_tracked_cancel_and_invalid_arguments),
        T(test_with_lock_releases_on_every_exit),
        T(test_with_lock_skips_the_block_when_acquire_fails),
        T(test_with_resource_holds_for_the_block),
        T(test_with_resource_after_preemption_releases_nothing),
        T(test_with_flag_is_true_inside_and_false_after),
        T(test_waits_on_primitives_appear_in_deadlock_reports),
        T(test_calls_on_a_destroyed_primitive_fail_the_run),
        T(test_host_call_on_a_destroyed_primitive_fails_the_setup),
        T(test_channel_closed_tells_whether_it_was_closed),
    };
    return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
