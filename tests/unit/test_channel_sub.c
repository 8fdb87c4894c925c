/*
 * test_channel_sub — channel subscriptions (usim_channel_sub) beside
 * plain receives, under every turn order.  Tasks note
 * "task:value@t"; resolution 1, so times are whole ticks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

static void note_value(intptr_t v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%ld", (long)v);
    fixture_note(buf);
}

static usim_channel ch;

/* R receives, then is busy for 5; so is S, through a subscription. */
static void *receiver(void *arg)
{
    (void)arg;
    void *v;
    int rc;
    while ((rc = usim_channel_recv(&ch, &v)) == 0) {
        note_value((intptr_t)v);
        usim_sleep(5);
    }
    assert_int_equal(rc, USIM_ECLOSED);
    fixture_note("closed");
    return NULL;
}

static void *subscriber(void *arg)
{
    (void)arg;
    usim_channel_sub sub;
    void *v;
    int rc;
    assert_int_equal(usim_channel_subscribe(&ch, &sub), 0);
    while ((rc = usim_channel_sub_recv(&sub, &v)) == 0) {
        note_value((intptr_t)v);
        usim_sleep(5);
    }
    assert_int_equal(rc, USIM_ECLOSED);
    fixture_note("closed");
    usim_channel_unsubscribe(&sub);
    return NULL;
}

static void *busy_main(void *arg)
{
    (void)arg;
    usim_channel_init(&ch, "news");
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, receiver, NULL, "R");
    usim_scope_spawn(&s, subscriber, NULL, "S");
    assert_int_equal(usim_sleep(10), 0);
    assert_int_equal(usim_channel_send(&ch, (void *)1), 1); /* R; S not counted */
    assert_int_equal(usim_sleep(1), 0);
    assert_int_equal(usim_channel_send(&ch, (void *)2), 0); /* both busy */
    assert_int_equal(usim_sleep(9), 0);
    assert_int_equal(usim_channel_send(&ch, (void *)3), 1);
    assert_int_equal(usim_sleep(10), 0);
    usim_channel_close(&ch);
    assert_int_equal(usim_scope_close(&s), 0);
    usim_channel_destroy(&ch);
    return NULL;
}

/*
 * Sends of 1 at 10, 2 at 11, 3 at 20, close at 30.  R (recv) gets 1 at
 * 10, is busy until 15 and misses 2, gets 3 at 20 and the close at 30.
 * S (a subscription) gets 1 at 10; 2 waits in its buffer and is handed
 * out at 15 without waiting; 3 at 20 (sent while S sleeps or waits,
 * either way in its buffer); the close at 30.  At 10 both wait on the
 * channel in the order they began (R, S) and are woken in that order,
 * under every order but random (where the ready tasks are drawn).
 */
static void test_subscription_keeps_what_a_busy_reader_misses(void **state)
{
    (void)state;
    const char *all = "R:1@10 R:3@20 R:closed@30 S:1@10 S:2@15 S:3@20 S:closed@30";
    const usim_order orders[] = {USIM_ORDER_FIFO, USIM_ORDER_LIFO, USIM_ORDER_MUSIM};
    for (int k = 0; k < 3; k++) {
        const char *t = fixture_run_order(orders[k], 1, busy_main);
        assert_int_equal(strncmp(t, "R:1@10 S:1@10 S:2@15", 20), 0);
        assert_string_equal(fixture_sorted(t), all);
    }
    for (uint64_t seed = 1; seed <= 4; seed++)
        assert_string_equal(
            fixture_sorted(fixture_run_order(USIM_ORDER_RANDOM, seed, busy_main)), all);
}

static void *turns_x(void *arg)
{
    (void)arg;
    for (int i = 0; i < 8; i++) {
        fixture_note("X");
        usim_instant();
    }
    return NULL;
}

static void *turns_s(void *arg)
{
    (void)arg;
    usim_channel_sub sub;
    void *v;
    assert_int_equal(usim_channel_subscribe(&ch, &sub), 0);
    while (usim_channel_sub_recv(&sub, &v) == 0)
        note_value((intptr_t)v);
    fixture_note("end");
    usim_channel_unsubscribe(&sub);
    return NULL;
}

static void *turns_r(void *arg)
{
    (void)arg;
    void *v;
    for (int i = 0; i < 2; i++) {
        int rc = usim_channel_recv(&ch, &v);
        if (rc) {
            fixture_note("closed");
            return NULL;
        }
        note_value((intptr_t)v);
    }
    return NULL;
}

static void *turns_main(void *arg)
{
    (void)arg;
    usim_channel_init(&ch, "news");
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, turns_x, NULL, "X");
    usim_scope_spawn(&s, turns_s, NULL, "S");
    usim_scope_spawn(&s, turns_r, NULL, "R");
    usim_instant();
    for (intptr_t v = 1; v <= 3; v++) {
        usim_channel_send(&ch, (void *)v);
        fixture_note("put");
    }
    usim_channel_close(&ch);
    fixture_note("close");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_channel_destroy(&ch);
    return NULL;
}

/*
 * The turns of a subscription beside a plain reader R (two receives)
 * and X (eight noted turns), with three sends and a close from main.
 * musim, measured with μsim 0.4.4 (an `async for` and two `await ch`):
 * "X X s1 r1 p1 X s2 r2 p2 X s3 p3 X send closed X X X" — each send
 * wakes S and R in the order they began to wait and postpones main.
 */
static void test_subscription_turns_under_musim(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.order = USIM_ORDER_MUSIM;
    assert_string_equal(fixture_run_traced(&cfg, turns_main),
                        "X:X@0 X:X@0 S:1@0 R:1@0 main:put@0 X:X@0 S:2@0 R:2@0 "
                        "main:put@0 X:X@0 S:3@0 main:put@0 X:X@0 S:end@0 "
                        "main:close@0 X:X@0 X:X@0 X:X@0");
}

static void *drain_main(void *arg)
{
    (void)arg;
    usim_channel_sub sub, late;
    void *v;
    usim_channel_init(&ch, "news");
    assert_int_equal(usim_channel_send(&ch, (void *)9), 0); /* before: lost */
    assert_int_equal(usim_channel_subscribe(&ch, &sub), 0);
    assert_int_equal(usim_channel_send(&ch, (void *)1), 0);
    assert_int_equal(usim_channel_send(&ch, (void *)2), 0);
    for (intptr_t i = 3; i <= 20; i++) /* the ring grows past 8 */
        assert_int_equal(usim_channel_send(&ch, (void *)i), 0);
    assert_int_equal(usim_channel_sub_pending(&sub), 20);
    usim_channel_close(&ch);
    for (intptr_t i = 1; i <= 20; i++) {
        assert_int_equal(usim_channel_sub_recv(&sub, &v), 0);
        assert_int_equal((intptr_t)v, i);
    }
    assert_int_equal(usim_channel_sub_recv(&sub, &v), USIM_ECLOSED);
    /* Subscribing to a closed channel: its receives end at once. */
    assert_int_equal(usim_channel_subscribe(&ch, &late), 0);
    assert_int_equal(usim_channel_sub_recv(&late, &v), USIM_ECLOSED);
    usim_channel_unsubscribe(&late);
    usim_channel_unsubscribe(&sub);
    usim_channel_destroy(&ch);
    assert_int_equal(usim_now_ticks(), 0);
    fixture_note("ok");
    return NULL;
}

/* What was buffered before the close comes out in order, then
 * USIM_ECLOSED; a value sent before the subscription is not in it. */
static void test_subscription_drains_after_close(void **state)
{
    (void)state;
    assert_string_equal(fixture_run_order(USIM_ORDER_FIFO, 1, drain_main), "main:ok@0");
    assert_string_equal(fixture_run_order(USIM_ORDER_MUSIM, 1, drain_main),
                        "main:ok@0");
}

static void *unsub_twice(void *arg)
{
    (void)arg;
    usim_channel_sub sub;
    usim_channel_init(&ch, "news");
    assert_int_equal(usim_channel_subscribe(&ch, &sub), 0);
    usim_channel_unsubscribe(&sub);
    usim_channel_unsubscribe(&sub);
    return NULL;
}

static void *recv_after_destroy(void *arg)
{
    (void)arg;
    usim_channel_sub sub;
    void *v;
    usim_channel_init(&ch, "news");
    assert_int_equal(usim_channel_subscribe(&ch, &sub), 0);
    usim_channel_destroy(&ch);
    usim_channel_sub_recv(&sub, &v);
    return NULL;
}

static void expect_failure(usim_fn body, const char *msg)
{
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = fixture_sim(&cfg);
    assert_non_null(usim_sim_spawn(sim, body, NULL, "main"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    const char *err = usim_sim_error(sim);
    if (!err || !strstr(err, msg))
        fail_msg("run error '%s', expected '%s'", err ? err : "(none)", msg);
    fixture_destroy(sim);
}

/* Ending a subscription twice, or reading one whose channel is gone,
 * fails the run. */
static void test_subscription_misuse_fails_loudly(void **state)
{
    (void)state;
    expect_failure(unsub_twice,
                   "usim_channel_unsubscribe: subscription is not subscribed");
    expect_failure(recv_after_destroy,
                   "usim_channel_sub_recv: subscription is on a destroyed channel");
    assert_int_equal(usim_channel_subscribe(NULL, NULL), USIM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_subscription_keeps_what_a_busy_reader_misses),
        FIXTURE_TEST(test_subscription_turns_under_musim),
        FIXTURE_TEST(test_subscription_drains_after_close),
        FIXTURE_TEST(test_subscription_misuse_fails_loudly),
    };
    return cmocka_run_group_tests_name("channel_sub", tests, NULL, NULL);
}
