/*
 * plugin_model.c — a model built as a plugin (a shared object exporting
 * usim_model_entry), for the plugin test.  It uses a resource, which no
 * built-in model does, so the test also shows that usim-batch exports all
 * of libusim to plugins, not only what the built-in models use.
 *
 * `workers` tasks each do `jobs` jobs of one time unit on a resource of
 * `capacity` units.  Known answer: the pool is never idle while jobs wait,
 * so the last job ends at ceil(workers * jobs / capacity).
 */
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc pool_params[] = {
    {"workers", USIM_PARAM_INT, 3, 1, 1000, "", "worker tasks", NULL, NULL},
    {"capacity", USIM_PARAM_INT, 2, 1, 1000, "", "resource units", NULL, NULL},
    {"jobs", USIM_PARAM_INT, 2, 0, 1000, "", "jobs per worker", NULL, NULL},
};

static const usim_output_desc pool_scalars[] = {
    {"end_time", "time", "when the last job ended"},
};

typedef struct pool {
    usim_resource res;
    long jobs;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (long j = 0; j < p->jobs; j++) {
        USIM_WITH_RESOURCE(&p->res, 1)
        {
            usim_sleep(1.0);
        }
    }
    return NULL;
}

static int pool_setup(usim_sim *sim, const usim_params *params, void **state)
{
    pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return usim_error(USIM_ENOMEM, "pool: out of memory");
    *state = p;
    p->jobs = (long)usim_param(params, "jobs");
    int rc = usim_resource_init(&p->res, (long)usim_param(params, "capacity"), "pool");
    if (rc != 0)
        return rc;
    long workers = (long)usim_param(params, "workers");
    for (long i = 0; i < workers; i++)
        if (usim_sim_spawn(sim, worker, p, "worker") == NULL)
            return usim_error(USIM_ENOMEM, "pool: cannot spawn");
    return 0;
}

static void pool_finish(usim_sim *sim, void *state)
{
    (void)state;
    usim_sim_scalar_set(sim, "end_time", usim_sim_now(sim));
}

static void pool_teardown(void *state)
{
    pool *p = state;
    usim_resource_destroy(&p->res);
    free(p);
}

static const usim_model pool_model = {
    .abi = USIM_MODEL_ABI,
    .name = "pool",
    .description = "workers sharing a resource (a plugin)",
    .params = pool_params,
    .n_params = USIM_ARRAY_LEN(pool_params),
    .scalars = pool_scalars,
    .n_scalars = USIM_ARRAY_LEN(pool_scalars),
    .setup = pool_setup,
    .finish = pool_finish,
    .teardown = pool_teardown,
};

USIM_MODEL_EXPORT(pool_model)
