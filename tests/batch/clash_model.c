/*
 * clash_model.c — a plugin whose names clash with columns of the output,
 * for results.sh: usim-batch must refuse it before writing anything.
 * Which clash is chosen by the environment variable CLASH (the loader
 * reads the descriptor once, so one plugin shows every case):
 *
 *   param    a parameter named "warmup" (a fixed column of /runs)
 *   late     a parameter named "wall_s" (a fixed column of /runs only)
 *   scalar   a scalar named "status" (a fixed column of /results)
 *   both     a parameter and a scalar both named "load"
 *   (unset)  no clash: parameter "load", scalar "double_load" (never
 *            set: NaN), so that the refusals are the clashes' doing
 */
#include <stdlib.h>
#include <string.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc params_ok[] = {
    {"load", USIM_PARAM_REAL, 1, 0, 10, "", "the value recorded", NULL, NULL},
};
static const usim_param_desc params_warmup[] = {
    {"warmup", USIM_PARAM_REAL, 1, 0, 10, "", "named like a column", NULL, NULL},
};
static const usim_param_desc params_wall[] = {
    {"wall_s", USIM_PARAM_REAL, 1, 0, 10, "", "named like a column", NULL, NULL},
};

static const usim_output_desc scalars_ok[] = {
    {"double_load", "", "never set"},
};
static const usim_output_desc scalars_status[] = {
    {"status", "", "named like a column"},
};
static const usim_output_desc scalars_load[] = {
    {"load", "", "named like the parameter"},
};

static int clash_setup(usim_sim *sim, const usim_params *p, void **state)
{
    (void)sim;
    (void)p;
    *state = NULL;
    return 0;
}

static void clash_finish(usim_sim *sim, void *state)
{
    (void)state;
    (void)sim;
}

static usim_model clash_model = {
    .abi = USIM_MODEL_ABI,
    .name = "clash",
    .description = "names that clash with output columns (CLASH picks which)",
    .params = params_ok,
    .n_params = 1,
    .scalars = scalars_ok,
    .n_scalars = 1,
    .setup = clash_setup,
    .finish = clash_finish,
};

__attribute__((visibility("default"))) const usim_model *usim_model_entry(void)
{
    const char *kind = getenv("CLASH");
    kind = kind ? kind : "";
    if (strcmp(kind, "param") == 0)
        clash_model.params = params_warmup;
    else if (strcmp(kind, "late") == 0)
        clash_model.params = params_wall;
    else if (strcmp(kind, "scalar") == 0)
        clash_model.scalars = scalars_status;
    else if (strcmp(kind, "both") == 0)
        clash_model.scalars = scalars_load;
    return &clash_model;
}
