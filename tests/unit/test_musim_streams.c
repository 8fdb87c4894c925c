/*
 * test_musim_streams — μsim 0.4.4's usim_pytest/test_types/
 * test_streams.py, ported to usim_queue and usim_channel under
 * USIM_ORDER_MUSIM (see musim_port.h).
 *
 * One cmocka test per μsim test.  μsim's Base1to1Stream tests run for a
 * Queue and for a Channel; each test here runs both.  `await stream` is
 * usim_queue_get / usim_channel_recv, `async for value in stream` is a
 * get loop on the queue and a subscription (usim_channel_sub) on the
 * channel, StreamClosed is USIM_ECLOSED.  μsim's assert_postpone (the
 * block took a turn without time passing) is observed with a bystander
 * task that counts the turns it gets: each postpone of the test task
 * lets it run once.
 *
 * Not ported:
 *   test_representable: str() and repr() of a stream; C streams have no
 *     textual form.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "musim_port.h"

typedef enum { QUEUE, CHANNEL } stream_type;
static stream_type type;
static usim_queue queue;
static usim_channel channel;

static void stream_init(void)
{
    if (type == QUEUE)
        assert_int_equal(usim_queue_init(&queue, 0, "stream"), 0);
    else
        usim_channel_init(&channel, "stream");
}

static void stream_destroy(void)
{
    if (type == QUEUE)
        usim_queue_destroy(&queue);
    else
        usim_channel_destroy(&channel);
}

static int put(intptr_t v)
{
    if (type == QUEUE)
        return usim_queue_put(&queue, (void *)v);
    int rc = usim_channel_send(&channel, (void *)v);
    return rc < 0 ? rc : 0;
}

static int get(intptr_t *v)
{
    void *item = NULL;
    int rc = type == QUEUE ? usim_queue_get(&queue, &item)
                           : usim_channel_recv(&channel, &item);
    *v = (intptr_t)item;
    return rc;
}

static void stream_close(void)
{
    if (type == QUEUE)
        usim_queue_close(&queue);
    else
        usim_channel_close(&channel);
}

static bool stream_closed(void)
{
    return type == QUEUE ? usim_queue_closed(&queue) : usim_channel_closed(&channel);
}

static void run_both(usim_fn body)
{
    type = QUEUE;
    port_run_done(body);
    type = CHANNEL;
    port_run_done(body);
}

/* The bystander: takes turns (one postpone each) until told to stop. */
static int turns;
static bool stop;

static void *bystander(void *arg)
{
    (void)arg;
    while (!stop) {
        turns++;
        usim_instant();
    }
    return NULL;
}

static void *close_body(void *arg)
{
    turns = 0;
    stop = false;
    stream_init();
    usim_task *by = usim_spawn(bystander, NULL, "bystander");
    stream_close();
    assert_true(stream_closed());
    assert_int_equal(put(0), USIM_ECLOSED);
    intptr_t v;
    assert_int_equal(get(&v), USIM_ECLOSED);
    /* Closing is idempotent, and still postpones. */
    int before = turns;
    double t = usim_now();
    stream_close();
    assert_true(turns > before);
    assert_true(usim_now() == t);
    assert_true(stream_closed());
    stop = true;
    assert_int_equal(usim_join(by, NULL), 0);
    stream_destroy();
    return PORT_DONE(arg);
}

static void test_close(void **state)
{
    (void)state;
    run_both(close_body);
}

/* Puts 0..19, 5 apart, then closes (at 100). */
static void *fill(void *arg)
{
    (void)arg;
    for (intptr_t v = 0; v < 20; v++) {
        assert_int_equal(put(v), 0);
        assert_int_equal(usim_sleep(5), 0);
    }
    stream_close();
    return NULL;
}

static intptr_t values[32];
static int nvalues;

static void *read_await(void *arg)
{
    (void)arg;
    intptr_t v;
    int rc;
    while ((rc = get(&v)) == 0)
        values[nvalues++] = v;
    assert_int_equal(rc, USIM_ECLOSED);
    return NULL;
}

static void *read_stream(void *arg)
{
    (void)arg;
    if (type == QUEUE)
        return read_await(arg); /* μsim's Queue iterates with await */
    usim_channel_sub sub;
    assert_int_equal(usim_channel_subscribe(&channel, &sub), 0);
    void *item;
    int rc;
    while ((rc = usim_channel_sub_recv(&sub, &item)) == 0)
        values[nvalues++] = (intptr_t)item;
    assert_int_equal(rc, USIM_ECLOSED);
    usim_channel_unsubscribe(&sub);
    return NULL;
}

static void put_then_read(usim_fn reader)
{
    nvalues = 0;
    stream_init();
    usim_scope s;
    usim_scope_open(&s);
    usim_task *receiver = usim_scope_spawn(&s, reader, NULL, "read");
    usim_scope_spawn(&s, fill, NULL, "fill");
    assert_int_equal(usim_scope_close(&s), 0);
    assert_int_equal(usim_join(receiver, NULL), 0);
    assert_int_equal(nvalues, 20);
    for (int i = 0; i < 20; i++)
        assert_int_equal(values[i], i);
    assert_true(usim_now() == 100);
    stream_destroy();
}

static void *put_get_body(void *arg)
{
    put_then_read(read_await);
    return PORT_DONE(arg);
}

static void test_put_get(void **state)
{
    (void)state;
    run_both(put_get_body);
}

static void *put_stream_body(void *arg)
{
    put_then_read(read_stream);
    return PORT_DONE(arg);
}

static void test_put_stream(void **state)
{
    (void)state;
    run_both(put_stream_body);
}

static void *full_get_body(void *arg)
{
    type = QUEUE;
    turns = 0;
    stop = false;
    stream_init();
    usim_task *by = usim_spawn(bystander, NULL, "bystander");
    for (intptr_t v = 0; v < 20; v++)
        assert_int_equal(put(v), 0);
    stream_close();
    for (intptr_t v = 0; v < 20; v++) {
        int before = turns;
        intptr_t got;
        assert_int_equal(get(&got), 0);
        assert_int_equal(got, v);
        assert_true(turns > before); /* the get postponed */
        assert_true(usim_now() == 0);
    }
    stop = true;
    assert_int_equal(usim_join(by, NULL), 0);
    stream_destroy();
    return PORT_DONE(arg);
}

static void test_full_get(void **state)
{
    (void)state;
    port_run_done(full_get_body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_close),
        FIXTURE_TEST(test_put_get),
        FIXTURE_TEST(test_put_stream),
        FIXTURE_TEST(test_full_get),
    };
    return cmocka_run_group_tests_name("musim_streams", tests, NULL, NULL);
}
