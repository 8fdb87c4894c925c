/*
 * overflow_model.c — a plugin whose task overflows its stack with one big
 * frame, for tests/batch/overflow.sh.
 *
 * `workers` healthy tasks each keep an 8 KiB array on their 64 KiB stack
 * across `steps` unit sleeps: before every sleep they fill it, after it
 * they check and sum it.  Known answers: end_time = steps, corrupt = 0
 * (no element changed while the task slept) and
 *
 *     checksum = sum over w < workers, s < steps, i < N of
 *                (w + 1) * 100000 + s * 1000 + i          (N = 2048).
 *
 * With hog = 1 a task 'hog' (64 KiB stack) also sleeps half a time unit
 * and then calls scratch(), whose frame holds a 256 KiB array, and writes
 * the first `touch` KiB of it: a buffer sized for the worst case, used in
 * part.  Unprobed and with a one-page guard, those writes land about
 * 192 KiB below the hog's stack, in whatever is mapped there (another
 * task's stack, of this run or of a run on another thread).  Probed (the
 * plugin is built with the flags of `pkg-config --cflags usim`), the
 * frame's first probe below the stack hits the guard: the run fails with
 * "stack overflow in task 'hog' (64 KiB stack)".
 */
#include <stdint.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum { N = 2048, BIG = 256 << 10, STACK = 64 << 10 };

static const usim_param_desc overflow_params[] = {
    {"hog", USIM_PARAM_BOOL, 0, 0, 1, "", "spawn the task with the big frame", NULL,
     NULL},
    {"workers", USIM_PARAM_INT, 4, 1, 100, "", "healthy tasks", NULL, NULL},
    {"steps", USIM_PARAM_INT, 20, 1, 1000, "", "unit sleeps per worker", NULL, NULL},
    {"touch", USIM_PARAM_INT, 16, 1, 256, "KiB",
     "bytes of the big array the hog writes, from its start", NULL, NULL},
};

static const usim_output_desc overflow_scalars[] = {
    {"checksum", "", "sum of the workers' arrays, read after each sleep"},
    {"corrupt", "", "array elements that changed while their task slept"},
    {"end_time", "time", "when the run ended"},
};

typedef struct model {
    long steps;
    size_t touch;
    double checksum;
    double corrupt;
} model;

typedef struct worker {
    model *m;
    uint32_t id;
} worker;

static void *work(void *arg)
{
    const worker *w = arg;
    model *m = w->m;
    uint32_t mine[N];
    for (long s = 0; s < m->steps; s++) {
        uint32_t base = (w->id + 1) * 100000u + (uint32_t)s * 1000u;
        for (uint32_t i = 0; i < N; i++)
            mine[i] = base + i;
        if (usim_sleep(1.0) != 0)
            return NULL;
        for (uint32_t i = 0; i < N; i++) {
            m->corrupt += mine[i] != base + i;
            m->checksum += mine[i];
        }
    }
    return NULL;
}

/* The big frame.  noinline keeps it out of hog's own frame; volatile
 * keeps the writes. */
static __attribute__((noinline)) unsigned scratch(size_t touch)
{
    volatile unsigned char buf[BIG];
    unsigned sum = 0;
    for (size_t i = 0; i < touch; i++)
        buf[i] = (unsigned char)i;
    for (size_t i = 0; i < touch; i += 4096)
        sum += buf[i];
    return sum;
}

static void *hog(void *arg)
{
    const model *m = arg;
    if (usim_sleep(0.5) != 0)
        return NULL;
    return (void *)(uintptr_t)scratch(m->touch);
}

static int overflow_setup(usim_sim *sim, const usim_params *params, void **state)
{
    long workers = (long)usim_param(params, "workers");
    model *m = calloc(1, sizeof *m + (size_t)workers * sizeof(worker));
    if (m == NULL)
        return usim_error(USIM_ENOMEM, "overflow: out of memory");
    *state = m;
    m->steps = (long)usim_param(params, "steps");
    m->touch = (size_t)usim_param(params, "touch") << 10;
    worker *w = (worker *)(m + 1);
    usim_spawn_opts opts = {.stack_size = STACK};
    /* The hog first: fresh stacks are mapped top-down, so the workers'
     * stacks of this run tend to lie below the hog's. */
    bool hog_on = usim_param(params, "hog") != 0;
    if (hog_on && usim_sim_spawn_ex(sim, hog, m, "hog", &opts) == NULL)
        return usim_error(USIM_ENOMEM, "overflow: cannot spawn");
    for (long i = 0; i < workers; i++) {
        w[i] = (worker){m, (uint32_t)i};
        if (usim_sim_spawn_ex(sim, work, &w[i], "worker", &opts) == NULL)
            return usim_error(USIM_ENOMEM, "overflow: cannot spawn");
    }
    return 0;
}

static void overflow_finish(usim_sim *sim, void *state)
{
    const model *m = state;
    usim_sim_scalar_set(sim, "checksum", m->checksum);
    usim_sim_scalar_set(sim, "corrupt", m->corrupt);
    usim_sim_scalar_set(sim, "end_time", usim_sim_now(sim));
}

static const usim_model overflow_model = {
    .abi = USIM_MODEL_ABI,
    .name = "overflow",
    .description = "healthy workers beside a task with a 256 KiB frame (a plugin)",
    .params = overflow_params,
    .n_params = USIM_ARRAY_LEN(overflow_params),
    .scalars = overflow_scalars,
    .n_scalars = USIM_ARRAY_LEN(overflow_scalars),
    .setup = overflow_setup,
    .finish = overflow_finish,
    .teardown = free,
};

USIM_MODEL_EXPORT(overflow_model)
