/*
 * long_names_model.c — a plugin whose parameter, scalar and trace names
 * are 300-odd characters long, for long_names.sh: nothing in usim-batch
 * may keep a name in a fixed-size buffer.
 *
 * One task records `rate` * `count` on the trace at time 1 and ends; the
 * scalar is the same product (the known answer).
 */
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

/* 300 characters; long_names.sh builds the same string. */
#define TEN "abcdefghij"
#define HUNDRED TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN
#define LONG HUNDRED HUNDRED HUNDRED

static const usim_param_desc long_params[] = {
    {LONG "_rate", USIM_PARAM_REAL, 1, 0, 100, "", "a real parameter", NULL, NULL},
    {LONG "_count", USIM_PARAM_INT, 1, 1, 1000, "", "an integer parameter", NULL, NULL},
};

static const usim_output_desc long_scalars[] = {
    {LONG "_product", "", "rate * count"},
};

static const usim_output_desc long_traces[] = {
    {LONG "_level", "", "rate * count, recorded at time 1"},
};

typedef struct state {
    double product;
    usim_trace *trace;
} state;

static void *recorder(void *arg)
{
    state *s = arg;
    usim_sleep(1.0);
    if (s->trace != NULL)
        usim_trace_record(s->trace, s->product);
    return NULL;
}

static int long_setup(usim_sim *sim, const usim_params *params, void **out)
{
    state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return usim_error(USIM_ENOMEM, "long names: out of memory");
    *out = s;
    s->product = usim_param(params, LONG "_rate") * usim_param(params, LONG "_count");
    s->trace = usim_sim_trace(sim, LONG "_level");
    if (usim_sim_spawn(sim, recorder, s, "recorder") == NULL)
        return usim_error(USIM_ENOMEM, "long names: cannot spawn");
    return 0;
}

static void long_finish(usim_sim *sim, void *st)
{
    const state *s = st;
    usim_sim_scalar_set(sim, LONG "_product", s->product);
}

static void long_teardown(void *st)
{
    free(st);
}

static const usim_model long_model = {
    .abi = USIM_MODEL_ABI,
    .name = "long_names",
    .description = "parameter, scalar and trace names of 300-odd characters",
    .params = long_params,
    .n_params = USIM_ARRAY_LEN(long_params),
    .scalars = long_scalars,
    .n_scalars = USIM_ARRAY_LEN(long_scalars),
    .traces = long_traces,
    .n_traces = USIM_ARRAY_LEN(long_traces),
    .setup = long_setup,
    .finish = long_finish,
    .teardown = long_teardown,
};

USIM_MODEL_EXPORT(long_model)
