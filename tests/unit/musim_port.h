/*
 * musim_port.h — what the ports of μsim 0.4.4's own tests share: μsim's
 * test utilities (usim_pytest/utility.py) in C.
 *
 * The ports (tests/unit/test_musim_*.c) are the specification of
 * USIM_ORDER_MUSIM: each cmocka test is one μsim test function, named
 * after it, and states the same facts (times, orders, values, states)
 * with usim's API.  See tests/unit/README.md for the naming scheme.
 *
 *   via_usim(test)       port_run(body, arg): body runs as the only root
 *                        task of a fresh simulation at time 0; the run
 *                        must end USIM_DONE with the body finished (a body
 *                        left blocked forever is μsim's UnfinishedTest, a
 *                        failure here too).  port_run_config does the
 *                        same under a configuration of the port's own
 *                        (from port_config: another resolution);
 *                        port_run_done(body) under port_config itself,
 *                        for a body that also says it ran to its end
 *                        (return PORT_DONE(arg)); port_run_completed(body)
 *                        as port_run, for a body that sets port_completed.
 *   assertion_mode       the misuse checks: usim returns USIM_EINVAL
 *                        (release and debug builds alike), so they always
 *                        run.
 *   turnstamp()          port_turnstamp(): (time, events so far); every turn
 *                        is one event.
 *   assert_postpone()    PORT_ASSERT_POSTPONES(stmt): stmt used at least
 *                        one turn and no time.
 *
 * The order.  make check runs every port under USIM_ORDER_MUSIM, the
 * order they specify.  For the bookkeeping of how far the other orders
 * are from μsim, USIM_PORT_ORDER=fifo (or lifo, random, musim) in the
 * environment runs the same programs under that order instead; failures
 * are then expected and say where the order differs.
 *
 * Known differences.  A port that fails because usim deliberately (and
 * documentedly) behaves otherwise than μsim starts with
 * PORT_KNOWN_DIFFERENCE("why"): it is skipped, unless USIM_PORT_STRICT=1
 * is set, which runs it and shows the difference as a failure.
 */
#ifndef USIM_TESTS_MUSIM_PORT_H
#define USIM_TESTS_MUSIM_PORT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "usim.h"

/* The order the ports run under: USIM_PORT_ORDER, else musim. */
static inline usim_order port_order(void)
{
    const char *name = getenv("USIM_PORT_ORDER");
    usim_order o = USIM_ORDER_MUSIM;
    if (name && *name && usim_order_parse(name, &o) != 0)
        fail_msg("USIM_PORT_ORDER=%s is not a turn order", name);
    return o;
}

#define PORT_KNOWN_DIFFERENCE(why)                                                     \
    do {                                                                               \
        const char *strict_ = getenv("USIM_PORT_STRICT");                              \
        if (!strict_ || strcmp(strict_, "1") != 0) {                                   \
            print_message("[ SKIPPED  ] known difference from μsim: %s\n", (why));     \
            skip();                                                                    \
        }                                                                              \
    } while (0)

/* The defaults under port_order(): the configuration every port starts
 * from (a port may then change what its μsim tests need, such as the
 * resolution of fractional times). */
static inline void port_config(usim_config *cfg)
{
    usim_config_init(cfg);
    cfg->order = port_order();
}

/* A simulation with whole time units as ticks (μsim's tests use whole
 * times), under port_order(). */
static inline usim_sim *port_sim(void)
{
    usim_config cfg;
    port_config(&cfg);
    cfg.resolution = 1.0;
    return fixture_sim(&cfg);
}

typedef struct port_root {
    usim_fn body;
    void *arg;
    bool completed;
} port_root;

static void *port_root_task(void *arg)
{
    port_root *r = arg;
    r->body(r->arg);
    r->completed = true;
    return NULL;
}

/* μsim's via_usim under configuration cfg (one from port_config): runs
 * body(arg) as the only root task from time 0 and requires that it
 * finished.  Returns the simulation's final time. */
static inline double port_run_config(const usim_config *cfg, usim_fn body, void *arg)
{
    usim_sim *sim = fixture_sim(cfg);
    port_root r = {body, arg, false};
    assert_non_null(usim_sim_spawn(sim, port_root_task, &r, "test"));
    usim_status st = usim_sim_run(sim, INFINITY);
    if (st != USIM_DONE)
        fail_msg("the run ended %s: %s", usim_status_name(st),
                 usim_sim_error(sim) ? usim_sim_error(sim) : "");
    if (!r.completed)
        fail_msg("the test body did not finish (μsim's UnfinishedTest)");
    double end = usim_sim_now(sim);
    fixture_destroy(sim);
    return end;
}

/* μsim's via_usim with whole time units as ticks (port_sim). */
static inline double port_run(usim_fn body, void *arg)
{
    usim_config cfg;
    port_config(&cfg);
    cfg.resolution = 1.0;
    return port_run_config(&cfg, body, arg);
}

/* What a body run by port_run_completed sets as it ends. */
static bool port_completed;

/* μsim's via_usim (port_run, under the port order); the body also
 * notes that it ran to its end (port_completed = true). */
static inline void port_run_completed(usim_fn body)
{
    port_completed = false;
    port_run(body, NULL);
    assert_true(port_completed);
}

/* What a body run by port_run_done returns: it ran to its end. */
#define PORT_DONE(arg) (*(bool *)(arg) = true, NULL)

/* μsim's via_usim (port_run_config, under the port order, resolution
 * 1e-9 for fractional times); the body also says it ran to its end
 * (PORT_DONE). */
static inline void port_run_done(usim_fn body)
{
    usim_config cfg;
    port_config(&cfg);
    bool finished = false;
    port_run_config(&cfg, body, &finished);
    assert_true(finished);
}

/* μsim's turnstamp(): the time and the number of turns taken so far. */
typedef struct port_stamp {
    double time;
    uint64_t turn;
} port_stamp;

static inline port_stamp port_turnstamp(void)
{
    port_stamp s = {usim_now(), usim_sim_events(usim_current())};
    return s;
}

/* μsim's assert_postpone(): stmt takes at least one turn but no time. */
#define PORT_ASSERT_POSTPONES(stmt)                                                    \
    do {                                                                               \
        port_stamp before_ = port_turnstamp();                                         \
        stmt;                                                                          \
        port_stamp after_ = port_turnstamp();                                          \
        assert_true(after_.time == before_.time);                                      \
        assert_true(after_.turn > before_.turn);                                       \
    } while (0)

/* A child's error in the ports: μsim raises an exception of some type;
 * a usim child fails with the type's name as its message, so the scope's
 * failure list names the types in failure order. */
static inline void *port_fail(const char *kind)
{
    return usim_task_fail("%s", kind);
}

/* The failure list of a closed scope, as "KeyError,IndexError". */
static inline const char *port_failures(const usim_scope *s)
{
    static char buf[512];
    buf[0] = 0;
    for (size_t i = 0; i < usim_scope_failures(s); i++) {
        const char *msg = NULL;
        assert_int_equal(usim_scope_failure(s, i, NULL, &msg), 0);
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", msg);
    }
    return buf;
}

#endif
