/*
 * task.h — the task record.  Internal to the kernel: primitives reach
 * tasks only through sched.h.
 */
#ifndef USIM_KERNEL_TASK_H
#define USIM_KERNEL_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coro/coro.h"
#include "kernel/list.h"
#include "usim.h"

typedef enum task_state {
    TASK_READY,   /* in the ready ring (or about to be) */
    TASK_RUNNING, /* the task on the CPU */
    TASK_BLOCKED, /* waiting: on a wait list, a timer, or both */
    TASK_DONE,    /* returned, or abandoned (usim_fail, overflow) */
} task_state;

/* Running sums behind usim_drift_stats. */
typedef struct drift_acc {
    uint64_t waits;
    double requested, actual, sum_abs, max_abs;
    uint64_t overruns;
} drift_acc;

enum { TASK_NAME_MAX = 40 };

struct usim_task {
    coro co;
    usim_sim *sim;
    usim_fn fn;
    void *arg;
    void *result;
    task_state state;

    /* Waiting (valid while BLOCKED). */
    usim_waitlist *wl; /* the wait list it is on, through `wait` */
    list_link wait;
    void *wait_data;
    const char *wait_kind, *wait_name;
    int wake_rc;
    uint64_t timer_seq;  /* seq of the live heap entry, 0 if none */
    unsigned timer_refs; /* heap entries (live or stale) naming this task */
    bool zombie;         /* freed as soon as timer_refs drops to 0 */
    bool timer_is_deadline;

    /* What sends the task's calls down their general path, one byte per
     * reason in one word tested at once: the first six (TASK_CALL_SLOW)
     * stop the primitives' inline fast paths (sched_fast); with
     * deadline_set (TASK_WAIT_SLOW) they send a blocking call through the
     * full entry checks; all eight zero (`slow` == 0) let usim_sleep take
     * its fast path (time.c). */
    union {
        struct {
            bool cancelled;
            bool intr_pending;
            bool timeout_armed;  /* usim_timeout: a deadline for the next call */
            bool timeout_active; /* that deadline belongs to the call under way */
            bool child_failed;   /* failed_scope is set */
            bool musim;          /* the simulation's order is USIM_ORDER_MUSIM */
            bool deadline_set;   /* deadline != SCHED_NO_TIMEOUT (task_set_scope_top) */
            bool sleep_general;  /* drift policy not naive, or no drift group yet */
        };
        uint64_t slow;
    };
    bool detached;
    bool failed;    /* usim_task_fail was called */
    bool abandoned; /* will never run again: stack not unwound */
    bool volatile_child;
    bool cancel_seen;    /* a call of it returned USIM_ECANCELED */
    bool body_skipped;   /* ended without running fn (cancelled before it) */
    bool failure_listed; /* on its scope's failure list: kept until destroy */
    bool delayed_start;  /* waits until start_tick before running fn */
    int intr_cause;      /* cause of the pending or last interrupt */
    unsigned cancel_spins;
    char *error;
    usim_waitlist joiners; /* each with its stamp in done_cond */
    int64_t start_tick;    /* delayed_start: when fn starts */
    int64_t timeout_tick;  /* timeout_armed: the deadline usim_timeout set */
    int64_t call_deadline; /* timeout_active: the deadline of the call */

    /* Scopes: the one it was spawned into, and its innermost open one. */
    usim_scope *scope;
    usim_scope *scope_top;
    int64_t deadline;         /* scope_top's deadline (SCHED_NO_TIMEOUT if none) */
    list_link sib;            /* in scope->children, in spawn order */
    list_link failure;        /* in scope->failures, in failure order */
    uint64_t snap_gen;        /* musim close: the snapshot it belongs to */
    size_t snap_rank;         /* and its place there */
    usim_scope *failed_scope; /* the outermost scope it owns with a failed child */

    list_link all; /* in the simulation's tasks */

    /* Tracked drift: the exact target carried across timed waits is
     * carry_base + carry_frac ticks. */
    int64_t carry_base;
    double carry_frac;
    bool carry_valid;
    drift_acc drift;
    int drift_group; /* index in the sim's groups, -1 until first wait */

    size_t stack_size;
    char name[TASK_NAME_MAX];
    usim_cond_source done_cond; /* usim_wait_cond on its end (cond.h) */
};

/* The bytes of `slow` that concern the primitives (the first six), and
 * those that concern a blocking call's entry checks (deadline_set too). */
#define TASK_CALL_SLOW UINT64_C(0x0000ffffffffffff)
#define TASK_WAIT_SLOW UINT64_C(0x00ffffffffffffff)
_Static_assert(offsetof(usim_task, musim) - offsetof(usim_task, slow) == 5 &&
                   offsetof(usim_task, deadline_set) - offsetof(usim_task, slow) == 6 &&
                   offsetof(usim_task, sleep_general) - offsetof(usim_task, slow) ==
                       7 &&
                   __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the masks above name the bytes of usim_task.slow");

/* The links of the four kinds of lists (list.h). */
#define TASK_WAIT_LINK offsetof(usim_task, wait)
#define TASK_SIB_LINK offsetof(usim_task, sib)
#define TASK_FAILURE_LINK offsetof(usim_task, failure)
#define TASK_ALL_LINK offsetof(usim_task, all)

#endif
