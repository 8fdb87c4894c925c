/*
 * test_pipe — usim_pipe, scenario by scenario, under every turn order.
 *
 * The times are worked out by hand from the sharing rule (each transfer
 * runs at cap * min(1, throughput / sum of caps) over the transfers under
 * way) and agree with μsim 0.4.4, where they were measured too.  They do
 * not depend on the turn order, so each scenario runs under fifo, lifo,
 * musim and random (several seeds).  Default resolution (1e-9): the
 * times are checked in ticks.
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

static usim_pipe pipe_;

typedef struct flow {
    double start, total, cap; /* cap 0: the pipe's */
    int64_t end;              /* out: tick at which the transfer returned */
    int rc;                   /* out */
} flow;

static void *flow_task(void *arg)
{
    flow *f = arg;
    if (f->start > 0)
        assert_int_equal(usim_sleep(f->start), 0);
    f->rc = f->cap > 0 ? usim_pipe_transfer_at(&pipe_, f->total, f->cap)
                       : usim_pipe_transfer(&pipe_, f->total);
    f->end = usim_now_ticks();
    return NULL;
}

static flow *flows;
static size_t nflows;
static double cancel_at; /* > 0: cancel the last flow then */

static void *pipe_main(void *arg)
{
    double throughput = *(double *)arg;
    assert_int_equal(usim_pipe_init(&pipe_, throughput, "link"), 0);
    usim_scope s;
    usim_scope_open(&s);
    usim_task *last = NULL;
    for (size_t i = 0; i < nflows; i++)
        last = usim_scope_spawn(&s, flow_task, &flows[i], "flow");
    if (cancel_at > 0) {
        assert_int_equal(usim_sleep(cancel_at), 0);
        assert_int_equal(usim_pipe_transfers(&pipe_), nflows);
        usim_cancel(last);
    }
    assert_int_equal(usim_scope_close(&s), 0);
    assert_int_equal(usim_pipe_transfers(&pipe_), 0);
    usim_pipe_destroy(&pipe_);
    return NULL;
}

/* Runs the flows through a pipe of `throughput` under every order and
 * checks each one's end tick and result against want[]. */
static void run_flows(double throughput, flow *fs, size_t n, const int64_t *want_end,
                      const int *want_rc)
{
    const usim_order orders[] = {USIM_ORDER_FIFO,   USIM_ORDER_LIFO,
                                 USIM_ORDER_MUSIM,  USIM_ORDER_RANDOM,
                                 USIM_ORDER_RANDOM, USIM_ORDER_RANDOM};
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        usim_config cfg;
        usim_config_init(&cfg);
        cfg.order = orders[k];
        cfg.seed = k;
        usim_sim *sim = fixture_sim(&cfg);
        flows = fs;
        nflows = n;
        assert_non_null(usim_sim_spawn(sim, pipe_main, &throughput, "main"));
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        for (size_t i = 0; i < n; i++) {
            if (fs[i].end != want_end[i] || fs[i].rc != want_rc[i])
                fail_msg("%s: flow %zu ended at tick %lld rc %d, expected %lld rc %d",
                         usim_order_name(orders[k]), i, (long long)fs[i].end, fs[i].rc,
                         (long long)want_end[i], want_rc[i]);
            fs[i].end = -1;
            fs[i].rc = 99;
        }
        fixture_destroy(sim);
    }
}

/*
 * Throughput 10; at 0 transfers of 10 and 20 at cap 10, and 5 at cap 2.
 * The caps sum to 22: scale 10/22, rates 100/22, 100/22, 20/22.  The 10
 * ends at 10 / (100/22) = 2.2.  Left: 20 - 10 = 10 and 5 - 2 = 3; caps
 * 12, scale 10/12, rates 100/12 and 20/12: the 20 ends 1.2 later, at
 * 3.4, the 5 has 3 - 2 = 1 left, alone at its cap 2: it ends at 3.9.
 * (μsim: 2.2, 3.4000000000000004, 3.9000000000000004: the same ticks.)
 */
static void test_pipe_shares_by_weight(void **state)
{
    (void)state;
    flow fs[] = {{0, 10, 10, 0, 0}, {0, 20, 10, 0, 0}, {0, 5, 2, 0, 0}};
    run_flows(10, fs, 3, (const int64_t[]){2200000000, 3400000000, 3900000000},
              (const int[]){0, 0, 0});
}

/*
 * Throughput 10.  A: 30 at cap 5 from 0; B: 30 at cap 5 from 2 (caps
 * 10: no congestion, nobody is woken); C: 30 at cap 10 from 3 (caps 20:
 * scale 1/2).  At 3 A has 15 left at 2.5 (ends at 9), B 25 left at 2.5,
 * C 30 at 5 (ends at 9).  At 9 B has 25 - 15 = 10 left, alone at 5: it
 * ends at 11.  (μsim: durations 9, 9, 6.)
 */
static void test_pipe_rescales_when_transfers_come_and_go(void **state)
{
    (void)state;
    flow fs[] = {{0, 30, 5, 0, 0}, {2, 30, 5, 0, 0}, {3, 30, 10, 0, 0}};
    run_flows(10, fs, 3, (const int64_t[]){9000000000, 11000000000, 9000000000},
              (const int[]){0, 0, 0});
}

/*
 * Throughput 10, two transfers of 20 at the pipe's cap: 5 each.  The
 * second is cancelled at 1: it returns USIM_ECANCELED then, and the
 * first, with 15 left, runs alone at 10: it ends at 2.5.
 */
static void test_pipe_cancelled_transfer_frees_its_share(void **state)
{
    (void)state;
    flow fs[] = {{0, 20, 0, 0, 0}, {0, 20, 0, 0, 0}};
    cancel_at = 1;
    run_flows(10, fs, 2, (const int64_t[]){2500000000, 1000000000},
              (const int[]){0, USIM_ECANCELED});
    cancel_at = 0;
}

/*
 * A pipe of INFINITY throughput never shares: 12 at cap 4 takes 3, four
 * at once too; an infinite cap or a total of 0 takes no time.
 */
static void test_pipe_unbounded_never_shares(void **state)
{
    (void)state;
    flow fs[] = {{0, 12, 4, 0, 0}, {0, 12, 4, 0, 0}, {0, 12, 4, 0, 0},
                 {0, 12, 4, 0, 0}, {0, 12, 0, 0, 0}, {1, 0, 4, 0, 0}};
    run_flows(INFINITY, fs, 6,
              (const int64_t[]){3000000000, 3000000000, 3000000000, 3000000000, 0,
                                1000000000},
              (const int[]){0, 0, 0, 0, 0, 0});
}

static void *turns_x(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        fixture_trace_add("X");
        usim_instant();
    }
    return NULL;
}

static void *turns_main(void *arg)
{
    (void)arg;
    usim_pipe finite, unbounded;
    assert_int_equal(usim_pipe_init(&finite, 2, "finite"), 0);
    assert_int_equal(usim_pipe_init(&unbounded, INFINITY, "unbounded"), 0);
    usim_scope s;
    usim_scope_open(&s);
    usim_scope_spawn(&s, turns_x, NULL, "X");
    assert_int_equal(usim_pipe_transfer(&finite, 0), 0);
    fixture_trace_add("t0");
    assert_int_equal(usim_pipe_transfer(&unbounded, 5), 0);
    fixture_trace_add("tinf");
    assert_int_equal(usim_pipe_transfer_at(&unbounded, 5, 10), 0);
    assert_int_equal(usim_now_ticks(), 500000000);
    fixture_trace_add("tfin");
    assert_int_equal(usim_scope_close(&s), 0);
    usim_pipe_destroy(&finite);
    usim_pipe_destroy(&unbounded);
    return NULL;
}

/*
 * The turns of transfers that take no time.  A transfer of 0 through a
 * finite pipe does not suspend at all (μsim's loop never starts); one at
 * an infinite rate is one turn point (μsim's postpone); 5 at cap 10
 * takes 0.5.  musim (measured with μsim 0.4.4: t0 X tinf X X tfin):
 * spawning X does not suspend main.  fifo: the spawn is a turn (X
 * first), and so is the infinite transfer.  lifo: X runs only when main
 * yields (the instant of the infinite transfer, then its sleep).
 */
static void test_pipe_instant_transfers_turns(void **state)
{
    (void)state;
    const usim_order orders[] = {USIM_ORDER_MUSIM, USIM_ORDER_FIFO, USIM_ORDER_LIFO};
    const char *want[] = {"t0 X tinf X X tfin", "X t0 X tinf X tfin",
                          "t0 X tinf X X tfin"};
    for (int k = 0; k < 3; k++) {
        usim_config cfg;
        usim_config_init(&cfg);
        cfg.order = orders[k];
        assert_string_equal(fixture_run_traced(&cfg, turns_main), want[k]);
    }
}

static void *destroy_busy(void *arg)
{
    (void)arg;
    usim_pipe_destroy(&pipe_);
    return NULL;
}

static void *busy_main(void *arg)
{
    (void)arg;
    static flow f = {0, 10, 0, 0, 0};
    usim_spawn(flow_task, &f, "flow");
    usim_spawn(destroy_busy, NULL, "destroyer");
    return NULL;
}

/* Destroying a pipe with a transfer under way fails the run; a transfer
 * outside a task is USIM_ESTATE. */
static void test_pipe_misuse(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    usim_sim *sim = fixture_sim(&cfg);
    assert_int_equal(usim_pipe_init(&pipe_, 1, "link"), 0);
    assert_non_null(usim_sim_spawn(sim, busy_main, NULL, "main"));
    assert_int_equal(usim_sim_run(sim, INFINITY), USIM_FAILED);
    assert_non_null(
        strstr(usim_sim_error(sim), "pipe 'link' is destroyed with transfers"));
    fixture_destroy(sim);
    pipe_ = (usim_pipe){0};
    assert_int_equal(usim_pipe_init(&pipe_, 1, "link"), 0);
    assert_int_equal(usim_pipe_transfer(&pipe_, 1), USIM_ESTATE);
    usim_pipe_destroy(&pipe_);
    assert_int_equal(usim_pipe_transfer(&pipe_, 1), USIM_EINVAL);
    assert_non_null(strstr(usim_errmsg(), "pipe 'link' is destroyed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_pipe_shares_by_weight),
        FIXTURE_TEST(test_pipe_rescales_when_transfers_come_and_go),
        FIXTURE_TEST(test_pipe_cancelled_transfer_frees_its_share),
        FIXTURE_TEST(test_pipe_unbounded_never_shares),
        FIXTURE_TEST(test_pipe_instant_transfers_turns),
        FIXTURE_TEST(test_pipe_misuse),
    };
    return cmocka_run_group_tests_name("pipe", tests, NULL, NULL);
}
