/*
 * pingpong — two tasks toggling a flag, for measuring the kernel's
 * overhead per wake-up.
 *
 * One flag, false at the start.  "ping" waits until it is false, sleeps
 * `delay` and sets it true; "pong" waits until it is true, sleeps `delay`
 * and sets it false; each does this `rounds` times.  Every toggle wakes
 * the other task, so a run is 2 x rounds hand-offs through the flag and
 * as many timed waits: events / toggles is the kernel's work per
 * hand-off (usim-batch also records each run's wall time).  The run ends
 * by itself.
 *
 * Scalars: toggles, end_time, events (usim_sim_events).
 *
 * Validation (exact): the two tasks strictly alternate, each toggle
 * after a sleep of `delay`, so toggles = 2 x rounds and end_time = 2 x
 * rounds x delay (rounds = 1000, delay = 0.5: 2000 toggles, end 1000;
 * delay = 0: everything at time 0).
 */
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum { P_ROUNDS, P_DELAY };

static const usim_param_desc pingpong_params[] = {
    [P_ROUNDS] = {"rounds", USIM_PARAM_INT, 1000, 0, 1e15, "",
                  "toggles each of the two tasks makes", NULL, NULL},
    [P_DELAY] = {"delay", USIM_PARAM_REAL, 1, 0, 1e15, "time",
                 "sleep before each toggle", NULL, NULL},
};

static const usim_output_desc pingpong_scalars[] = {
    {"toggles", "", "changes of the flag"},
    {"end_time", "time", "the time the run ended"},
    {"events", "", "events the kernel ran"},
};

typedef struct pingpong {
    /* The parameters, read once in setup. */
    uint64_t rounds;
    double delay;
    usim_flag ball;
    bool ball_ready;
    uint64_t toggles;
} pingpong;

/* The side that hits when the ball is `from`, and sends it to !from. */
static void *side(pingpong *g, bool from)
{
    for (uint64_t i = 0; i < g->rounds; i++) {
        int rc = from ? usim_flag_wait_true(&g->ball) : usim_flag_wait_false(&g->ball);
        if (rc != 0 || usim_sleep(g->delay) != 0)
            break;
        usim_flag_set(&g->ball, !from);
        g->toggles++;
    }
    return NULL;
}

static void *ping_task(void *arg)
{
    return side(arg, false);
}

static void *pong_task(void *arg)
{
    return side(arg, true);
}

static int pingpong_setup(usim_sim *sim, const usim_params *p, void **state)
{
    pingpong *g = calloc(1, sizeof *g);
    if (g == NULL)
        return usim_error(USIM_ENOMEM, "pingpong: out of memory");
    *state = g;
    g->rounds = (uint64_t)usim_param(p, "rounds");
    g->delay = usim_param(p, "delay");

    usim_flag_init(&g->ball, false, "ball");
    g->ball_ready = true;
    if (usim_sim_spawn(sim, ping_task, g, "ping") == NULL ||
        usim_sim_spawn(sim, pong_task, g, "pong") == NULL)
        return usim_error(USIM_ENOMEM, "pingpong: cannot spawn the tasks");
    return 0;
}

static void pingpong_finish(usim_sim *sim, void *state)
{
    pingpong *g = state;
    usim_sim_scalar_set(sim, "toggles", (double)g->toggles);
    usim_sim_scalar_set(sim, "end_time", usim_sim_now(sim));
    usim_sim_scalar_set(sim, "events", (double)usim_sim_events(sim));
}

static void pingpong_teardown(void *state)
{
    pingpong *g = state;
    if (g->ball_ready)
        usim_flag_destroy(&g->ball);
    free(g);
}

const usim_model model_pingpong = {
    .abi = USIM_MODEL_ABI,
    .name = "pingpong",
    .description = "two tasks toggling a flag: overhead per hand-off",
    .params = pingpong_params,
    .n_params = USIM_ARRAY_LEN(pingpong_params),
    .scalars = pingpong_scalars,
    .n_scalars = USIM_ARRAY_LEN(pingpong_scalars),
    .setup = pingpong_setup,
    .finish = pingpong_finish,
    .teardown = pingpong_teardown,
};
