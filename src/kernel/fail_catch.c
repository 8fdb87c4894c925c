/*
 * fail_catch.c — usim_catch_fail: a usim_fail() outside any task (in a
 * model's setup, finish or teardown) ends the guarded call, not the
 * process.  The call keeps a jump buffer; usim_fail finds the innermost
 * one through a per-thread pointer and jumps back to it.  Only calls made
 * outside the tasks keep one: usim_fail in a task never lands here, and a
 * buffer on a task's stack could outlive the point where the task is
 * suspended.  A call lands only where the simulation running on the
 * thread (none, mostly) is the one running when the call began: a jump
 * out of a run (from a warm-up hook, say) would leave that run going.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "kernel/fail_catch.h"
#include "kernel/sched.h"

typedef struct fail_catch {
    jmp_buf landing;
    usim_sim *running; /* sched_sim() when the call began */
    struct fail_catch *outer;
} fail_catch;

static _Thread_local fail_catch *innermost;

int usim_catch_fail(int (*fn)(void *arg), void *arg)
{
    if (sched_self() != NULL)
        return fn(arg);
    fail_catch c = {.running = sched_sim(), .outer = innermost};
    innermost = &c;
    if (setjmp(c.landing) != 0) {
        /* innermost was reset to c.outer before the jump. */
        return USIM_EFAILED;
    }
    int rc = fn(arg);
    innermost = c.outer;
    return rc;
}

void fail_catch_land(const char *text, char *owned)
{
    fail_catch *c = innermost;
    if (c == NULL || c->running != sched_sim())
        return;
    innermost = c->outer;
    usim_error(USIM_EFAILED, "%s", text);
    sched_setup_mistake(text); /* the simulation being set up, if any, fails */
    free(owned);
    longjmp(c->landing, 1);
}
