/*
 * buggy_model.c — a model plugin with the bugs a real user's model has,
 * for the failure-containment test (contain.sh).  Built without
 * sanitizers, as a user's plugin would be.
 *
 * Every run has a task 'culprit' that sleeps 1.0 three times; then, by the
 * parameter `bug`: 0 nothing (a healthy run), 1 a loop that never yields,
 * 2 a write through a NULL pointer, 3 abort(), 4 an integer division by
 * zero (SIGFPE), 5 exit(7) from model code, 6 SIGKILL to its own process;
 * 7, 8 and 9 call usim_fail() outside the tasks, in setup, finish and
 * teardown (setup after it has handed over its state); 10 stops its own
 * process (raise(SIGSTOP)).
 * A healthy run records `draw`, its first uniform number of stream
 * "draw" (so a test can check it against a run done alone), and ends at
 * time 3.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <usim.h>
#include <usim/model.h>

static const usim_param_desc buggy_params[] = {
    {"bug", USIM_PARAM_INT, 0, 0, 10, "",
     "0 healthy, 1 loop, 2 NULL write, 3 abort, "
     "4 SIGFPE, 5 exit, 6 SIGKILL, usim_fail in 7 setup, 8 finish, 9 teardown, "
     "10 SIGSTOP",
     NULL, NULL},
};

static const usim_output_desc buggy_scalars[] = {
    {"draw", "", "the run's first uniform number"},
};

typedef struct buggy {
    int bug;
    double draw;
} buggy;

/* volatile: the compiler may not assume their values, so the bugs happen
 * as written (1 / x needs no division for x != 0, and a store through a
 * pointer known to be NULL may be dropped). */
static volatile int zero = 0, thousand = 1000;
static int *volatile nowhere = NULL;

static void *culprit(void *arg)
{
    buggy *b = arg;
    for (int i = 0; i < 3; i++)
        usim_sleep(1.0);
    switch (b->bug) {
    case 1:
        for (volatile unsigned long n = 0;; n++)
            ;
    case 2:
        *nowhere = 42;
        break;
    case 3:
        abort();
    case 4:
        b->draw = thousand / zero;
        break;
    case 5:
        exit(7);
    case 6:
        kill(getpid(), SIGKILL);
        break;
    case 10:
        /* raise: the calling thread stops at once, inside its run (a
         * kill of the process may stop it only after the run ends). */
        raise(SIGSTOP);
        break;
    }
    return NULL;
}

static int buggy_setup(usim_sim *sim, const usim_params *params, void **state)
{
    buggy *b = calloc(1, sizeof *b);
    if (b == NULL)
        return usim_error(USIM_ENOMEM, "buggy: out of memory");
    *state = b;
    b->bug = (int)usim_param(params, "bug");
    usim_rng r;
    usim_sim_rng_stream(sim, &r, "draw");
    b->draw = usim_rng_u01(&r);
    if (b->bug == 7)
        usim_fail("buggy: setup gives up (bug %d)", b->bug);
    if (usim_sim_spawn(sim, culprit, b, "culprit") == NULL)
        return usim_error(USIM_ENOMEM, "buggy: cannot spawn");
    return 0;
}

static void buggy_finish(usim_sim *sim, void *state)
{
    buggy *b = state;
    usim_sim_scalar_set(sim, "draw", b->draw);
    if (b->bug == 8)
        usim_fail("buggy: finish gives up at t=%g", usim_sim_now(sim));
}

static void buggy_teardown(void *state)
{
    int bug = ((buggy *)state)->bug;
    free(state);
    if (bug == 9)
        usim_fail("buggy: teardown gives up");
}

static const usim_model buggy_model = {
    .abi = USIM_MODEL_ABI,
    .name = "buggy",
    .description = "a model with a bug chosen by a parameter",
    .params = buggy_params,
    .n_params = USIM_ARRAY_LEN(buggy_params),
    .scalars = buggy_scalars,
    .n_scalars = USIM_ARRAY_LEN(buggy_scalars),
    .setup = buggy_setup,
    .finish = buggy_finish,
    .teardown = buggy_teardown,
};

USIM_MODEL_EXPORT(buggy_model)
