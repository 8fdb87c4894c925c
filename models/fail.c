/*
 * fail — a tiny model that ends a chosen run in a chosen way, for testing
 * how usim-batch records failures while the other runs go on.
 *
 * Each run waits `steps` times one time unit, recording a trace point and
 * the scalar `run_id` (its own run id: a known answer for output checks;
 * not `run`, which names a column of /results).
 * The run whose id is `fail_run` (every run if fail_run = -1) instead ends
 * as `how` says:
 *   0 normally            1 usim_fail()               2 deadlock (waits on
 *   a flag nobody sets)   3 stack overflow            4 never ends (the
 *   event or wall budget, or `until`, stops it)       5 a wait of 0.3 time
 *   units (a strict drift violation at resolution 0.2) 6 a task fails
 *   (usim_task_fail, outside any scope)   7 the model's setup refuses
 *   the run (it never starts)
 */
#include <stdint.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum {
    HOW_OK,
    HOW_FAIL,
    HOW_DEADLOCK,
    HOW_OVERFLOW,
    HOW_ENDLESS,
    HOW_STRICT,
    HOW_TASK,
    HOW_SETUP,
};

static const usim_param_desc fail_params[] = {
    {"fail_run", USIM_PARAM_INT, -1, -1, 4294967295.0, "",
     "the run that fails (-1: every run)", NULL, NULL},
    {"how", USIM_PARAM_INT, 1, 0, 7, "",
     "0 ok, 1 usim_fail, 2 deadlock, 3 stack overflow, 4 endless, "
     "5 strict drift, 6 task failure, 7 setup error",
     NULL, NULL},
    {"steps", USIM_PARAM_INT, 3, 0, 1e9, "", "unit waits before the end", NULL, NULL},
};

static const usim_output_desc fail_scalars[] = {
    {"run_id", "", "the run id, as the run saw it"},
    {"steps_done", "", "unit waits completed"},
};

static const usim_output_desc fail_traces[] = {
    {"step", "", "the number of unit waits done, after each"},
};

typedef struct failer {
    int how;
    uint64_t steps, done;
    usim_flag never;
    usim_trace *tr;
} failer;

/* Recursion that no optimiser can flatten: each frame keeps 1 KiB live. */
static int deep(volatile int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    frame[sizeof frame - 1] = (char)n;
    return n > 0 ? deep(n - 1) + frame[0] + frame[sizeof frame - 1] : 0;
}

static void *body(void *arg)
{
    failer *f = arg;
    for (; f->done < f->steps; f->done++) {
        if (usim_sleep(1.0) != 0)
            return NULL;
        usim_trace_record(f->tr, (double)f->done + 1);
    }
    switch (f->how) {
    case HOW_FAIL:
        usim_fail("run %llu fails on purpose after %llu steps",
                  (unsigned long long)usim_sim_config(usim_current())->run,
                  (unsigned long long)f->done);
    case HOW_DEADLOCK:
        usim_flag_wait_true(&f->never);
        break;
    case HOW_OVERFLOW:
        return (void *)(intptr_t)deep(1 << 30);
    case HOW_ENDLESS:
        while (usim_sleep(1.0) == 0)
            ;
        break;
    case HOW_STRICT:
        usim_sleep(0.3);
        break;
    case HOW_TASK:
        return usim_task_fail("task fails on purpose");
    }
    return NULL;
}

static int fail_setup(usim_sim *sim, const usim_params *p, void **state)
{
    failer *f = calloc(1, sizeof *f);
    if (f == NULL)
        return usim_error(USIM_ENOMEM, "fail: out of memory");
    *state = f;
    uint64_t run = usim_sim_config(sim)->run;
    double fail_run = usim_param(p, "fail_run");
    bool chosen = fail_run < 0 || (uint64_t)fail_run == run;
    f->how = chosen ? (int)usim_param(p, "how") : HOW_OK;
    if (f->how == HOW_SETUP)
        return usim_error(USIM_EINVAL, "fail: setup refuses run %llu",
                          (unsigned long long)run);
    f->steps = (uint64_t)usim_param(p, "steps");
    f->tr = usim_sim_trace(sim, "step");
    usim_flag_init(&f->never, false, "never");
    usim_sim_scalar_set(sim, "run_id", (double)run);
    if (usim_sim_spawn(sim, body, f, "body") == NULL)
        return usim_error(USIM_ENOMEM, "fail: cannot spawn the task");
    return 0;
}

static void fail_finish(usim_sim *sim, void *state)
{
    failer *f = state;
    usim_sim_scalar_set(sim, "steps_done", (double)f->done);
}

static void fail_teardown(void *state)
{
    failer *f = state;
    usim_flag_destroy(&f->never);
    free(f);
}

const usim_model model_fail = {
    .abi = USIM_MODEL_ABI,
    .name = "fail",
    .description = "ends a chosen run in a chosen way (failure-path tests)",
    .params = fail_params,
    .n_params = USIM_ARRAY_LEN(fail_params),
    .scalars = fail_scalars,
    .n_scalars = USIM_ARRAY_LEN(fail_scalars),
    .traces = fail_traces,
    .n_traces = USIM_ARRAY_LEN(fail_traces),
    .setup = fail_setup,
    .finish = fail_finish,
    .teardown = fail_teardown,
};
