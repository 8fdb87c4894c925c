/*
 * static_model.c — a model with the mistake --check-determinism is for:
 * it keeps a running total in a static variable, shared by every run of
 * the process, so a run's `share` depends on which runs came before it.
 * (Each run itself is fine: one task sleeps `steps` times.)
 */
#include <usim.h>
#include <usim/model.h>

static const usim_param_desc static_params[] = {
    {"steps", USIM_PARAM_INT, 5, 1, 1000, "", "sleeps of one time unit", NULL, NULL},
};

static const usim_output_desc static_scalars[] = {
    {"end_time", "time", "when the task ended"},
    {"share", "", "end time over the total of every run so far (the bug)"},
};

static double total; /* the mistake: state outside the run */

static void *sleeper(void *arg)
{
    long steps = (long)(intptr_t)arg;
    for (long i = 0; i < steps; i++)
        usim_sleep(1.0);
    return NULL;
}

static int static_setup(usim_sim *sim, const usim_params *params, void **state)
{
    *state = NULL;
    if (usim_sim_spawn(sim, sleeper, (void *)(intptr_t)usim_param(params, "steps"),
                       "sleeper") == NULL)
        return usim_error(USIM_ENOMEM, "static: cannot spawn");
    return 0;
}

static void static_finish(usim_sim *sim, void *state)
{
    (void)state;
    double now = usim_sim_now(sim);
    total += now;
    usim_sim_scalar_set(sim, "end_time", now);
    usim_sim_scalar_set(sim, "share", now / total);
}

static const usim_model static_model = {
    .abi = USIM_MODEL_ABI,
    .name = "static",
    .description = "a model that keeps state in a static variable (a mistake)",
    .params = static_params,
    .n_params = USIM_ARRAY_LEN(static_params),
    .scalars = static_scalars,
    .n_scalars = USIM_ARRAY_LEN(static_scalars),
    .setup = static_setup,
    .finish = static_finish,
};

USIM_MODEL_EXPORT(static_model)
