/*
 * misspelt_model.c — a plugin that gets names wrong on purpose, one
 * mistake per value of `mistake`, for params.sh: the run must fail with
 * a message naming the wrong name (and the right one), not lose data.
 *
 *   0 none: sets mean_wait = arrival_rate and traces queue_length
 *   1 sets the scalar "mean_wiat"       2 asks for the trace "queue_lenght"
 *   3 reads the parameter "arival_rate" 4 reads "mistake" as a distribution
 */
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc misspelt_params[] = {
    {"arrival_rate", USIM_PARAM_REAL, 0.5, 0, 10, "", "recorded as mean_wait", NULL,
     NULL},
    {"mistake", USIM_PARAM_INT, 0, 0, 4, "", "which name to get wrong (see the file)",
     NULL, NULL},
};

static const usim_output_desc misspelt_scalars[] = {
    {"mean_wait", "", "arrival_rate, as setup read it"},
};

static const usim_output_desc misspelt_traces[] = {
    {"queue_length", "", "one point, 1 at time 0"},
};

typedef struct misspelt {
    int mistake;
    double rate;
} misspelt;

static int misspelt_setup(usim_sim *sim, const usim_params *p, void **state)
{
    misspelt *m = calloc(1, sizeof *m);
    if (m == NULL)
        return usim_error(USIM_ENOMEM, "misspelt: out of memory");
    *state = m;
    m->mistake = (int)usim_param(p, "mistake");
    m->rate = usim_param(p, m->mistake == 3 ? "arival_rate" : "arrival_rate");
    if (m->mistake == 4)
        (void)usim_param_dist(p, "mistake");
    usim_trace *tr =
        usim_sim_trace(sim, m->mistake == 2 ? "queue_lenght" : "queue_length");
    usim_trace_record(tr, 1);
    return 0;
}

static void misspelt_finish(usim_sim *sim, void *state)
{
    misspelt *m = state;
    usim_sim_scalar_set(sim, m->mistake == 1 ? "mean_wiat" : "mean_wait", m->rate);
}

static void misspelt_teardown(void *state)
{
    free(state);
}

static const usim_model misspelt_model = {
    .abi = USIM_MODEL_ABI,
    .name = "misspelt",
    .description = "gets a parameter, scalar or trace name wrong on purpose",
    .params = misspelt_params,
    .n_params = USIM_ARRAY_LEN(misspelt_params),
    .scalars = misspelt_scalars,
    .n_scalars = USIM_ARRAY_LEN(misspelt_scalars),
    .traces = misspelt_traces,
    .n_traces = USIM_ARRAY_LEN(misspelt_traces),
    .setup = misspelt_setup,
    .finish = misspelt_finish,
    .teardown = misspelt_teardown,
};

USIM_MODEL_EXPORT(misspelt_model)
