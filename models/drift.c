/*
 * drift — tasks that wait a fixed period again and again, to see what the
 * kernel's drift policy (kernel.drift) and resolution do to their clocks.
 *
 * Each of `tasks` tasks waits `period` time units `count` times, with
 * usim_sleep (the drift policy rounds each wait to ticks) or, with
 * periodic = true, in a drift-free usim_every loop.  src/README.md's example (Time):
 * period 1.5 at resolution 0.2 ends 3 waits at 4.8 under "naive", 4.6
 * under "tracked", and fails the run under "strict".
 */
#include <math.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc drift_params[] = {
    {"tasks", USIM_PARAM_INT, 3, 1, 1e6, "", "number of periodic tasks", NULL, NULL},
    {"period", USIM_PARAM_REAL, 1.5, 1e-12, 1e12, "time", "duration of each wait", NULL,
     NULL},
    {"count", USIM_PARAM_INT, 10, 0, 1e12, "", "waits per task", NULL, NULL},
    {"periodic", USIM_PARAM_BOOL, 0, 0, 1, "",
     "use a drift-free periodic loop instead of repeated sleeps", NULL, NULL},
};

static const usim_output_desc drift_scalars[] = {
    {"final_drift", "time", "sum over the tasks of (actual - requested) wait time"},
    {"max_abs_drift", "time", "largest |drift| of a single wait"},
    {"end_time", "time", "simulated time when the last task ended"},
};

static const usim_output_desc drift_traces[] = {
    {"wake", "time",
     "at each wake-up of each task: the task's accumulated drift "
     "(wake time - k * period)"},
};

typedef struct drift {
    double period;
    double count;
    bool periodic;
    usim_trace *tr_wake;
} drift;

static void *sleeper(void *arg)
{
    drift *d = arg;
    double t0 = usim_now();
    for (double k = 1; k <= d->count; k++) {
        if (usim_sleep(d->period) != 0)
            break;
        usim_trace_record(d->tr_wake, usim_now() - t0 - k * d->period);
    }
    return NULL;
}

static void *periodic(void *arg)
{
    drift *d = arg;
    double t0 = usim_now();
    usim_every e = usim_every_begin(d->period);
    for (double k = 1; k <= d->count && usim_every_next(&e); k++)
        usim_trace_record(d->tr_wake, usim_now() - t0 - k * d->period);
    return NULL;
}

static int drift_setup(usim_sim *sim, const usim_params *p, void **state)
{
    drift *d = calloc(1, sizeof *d);
    if (d == NULL)
        return usim_error(USIM_ENOMEM, "drift: out of memory");
    *state = d;
    d->period = usim_param(p, "period");
    d->count = usim_param(p, "count");
    d->periodic = usim_param(p, "periodic") != 0;
    double tasks = usim_param(p, "tasks");
    d->tr_wake = usim_sim_trace(sim, "wake");
    /* One name for all tasks: /drift gets one row, their sum. */
    for (double i = 0; i < tasks; i++)
        if (usim_sim_spawn(sim, d->periodic ? periodic : sleeper, d, "sleeper") == NULL)
            return usim_error(USIM_ENOMEM, "drift: cannot spawn task %.0f", i);
    return 0;
}

static void drift_finish(usim_sim *sim, void *state)
{
    (void)state;
    usim_drift_stats st = usim_sim_drift(sim);
    usim_sim_scalar_set(sim, "final_drift", st.final);
    usim_sim_scalar_set(sim, "max_abs_drift", st.max_abs);
    usim_sim_scalar_set(sim, "end_time", usim_sim_now(sim));
}

static void drift_teardown(void *state)
{
    free(state);
}

const usim_model model_drift = {
    .abi = USIM_MODEL_ABI,
    .name = "drift",
    .description = "periodic sleepers: how the drift policy and resolution move clocks",
    .params = drift_params,
    .n_params = USIM_ARRAY_LEN(drift_params),
    .scalars = drift_scalars,
    .n_scalars = USIM_ARRAY_LEN(drift_scalars),
    .traces = drift_traces,
    .n_traces = USIM_ARRAY_LEN(drift_traces),
    .setup = drift_setup,
    .finish = drift_finish,
    .teardown = drift_teardown,
};
