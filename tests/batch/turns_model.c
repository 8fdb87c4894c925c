/*
 * turns_model.c — a plugin model whose result depends on the turn order,
 * for the --compare-orders test.
 *
 * `pairs` pairs of tasks: the sleeper waits on its flag; the waker sleeps
 * one time unit, sets the flag (a turn point: it wakes the sleeper) and
 * then looks whether the sleeper has run yet.  Known answers: under fifo
 * the waker goes behind every ready task, so the sleeper always ran first
 * (woken_first = 1); under lifo the waker keeps running (woken_first = 0);
 * under random it depends on the draws.  The end time is 1 in every order,
 * and fifo has one event more per pair than lifo (the waker's resumption
 * after its turn point; random order always pays that event too).
 */
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc turns_params[] = {
    {"pairs", USIM_PARAM_INT, 1, 1, 1000, "", "waker/sleeper pairs", NULL, NULL},
};

static const usim_output_desc turns_scalars[] = {
    {"woken_first", "", "fraction of pairs whose sleeper ran before its waker went on"},
    {"end_time", "time", "when the last task ended"},
};

typedef struct pair {
    usim_flag flag;
    bool sleeper_ran;
    bool *seen; /* the waker's observation */
} pair;

typedef struct turns {
    long n;
    pair *pairs;
    bool *seen;
} turns;

static void *sleeper(void *arg)
{
    pair *p = arg;
    if (usim_flag_wait_true(&p->flag) == 0)
        p->sleeper_ran = true;
    return NULL;
}

static void *waker(void *arg)
{
    pair *p = arg;
    if (usim_sleep(1.0) != 0)
        return NULL;
    usim_flag_set(&p->flag, true);
    *p->seen = p->sleeper_ran;
    return NULL;
}

static int turns_setup(usim_sim *sim, const usim_params *params, void **state)
{
    turns *t = calloc(1, sizeof *t);
    if (t == NULL)
        return usim_error(USIM_ENOMEM, "turns: out of memory");
    *state = t;
    t->n = (long)usim_param(params, "pairs");
    t->pairs = calloc((size_t)t->n, sizeof *t->pairs);
    t->seen = calloc((size_t)t->n, sizeof *t->seen);
    if (t->pairs == NULL || t->seen == NULL)
        return usim_error(USIM_ENOMEM, "turns: out of memory");
    for (long i = 0; i < t->n; i++) {
        pair *p = &t->pairs[i];
        usim_flag_init(&p->flag, false, "go");
        p->seen = &t->seen[i];
        if (usim_sim_spawn(sim, sleeper, p, "sleeper") == NULL ||
            usim_sim_spawn(sim, waker, p, "waker") == NULL)
            return usim_error(USIM_ENOMEM, "turns: cannot spawn");
    }
    return 0;
}

static void turns_finish(usim_sim *sim, void *state)
{
    turns *t = state;
    long first = 0;
    for (long i = 0; i < t->n; i++)
        first += t->seen[i];
    usim_sim_scalar_set(sim, "woken_first", (double)first / (double)t->n);
    usim_sim_scalar_set(sim, "end_time", usim_sim_now(sim));
}

static void turns_teardown(void *state)
{
    turns *t = state;
    for (long i = 0; t->pairs != NULL && i < t->n; i++)
        usim_flag_destroy(&t->pairs[i].flag);
    free(t->pairs);
    free(t->seen);
    free(t);
}

static const usim_model turns_model = {
    .abi = USIM_MODEL_ABI,
    .name = "turns",
    .description = "a result that depends on the turn order (a plugin)",
    .params = turns_params,
    .n_params = USIM_ARRAY_LEN(turns_params),
    .scalars = turns_scalars,
    .n_scalars = USIM_ARRAY_LEN(turns_scalars),
    .setup = turns_setup,
    .finish = turns_finish,
    .teardown = turns_teardown,
};

USIM_MODEL_EXPORT(turns_model)
