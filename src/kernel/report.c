/*
 * report.c — the reports of a run that stops without finishing (see
 * report.h): event and wall-clock budgets, and the deadlock report.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/list.h"
#include "kernel/loop.h"
#include "kernel/report.h"

enum { WALL_CHECK_EVERY = 4096 }; /* events between looks at the wall clock */

double report_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *time_str(const usim_sim *sim, char *buf, size_t n)
{
    snprintf(buf, n, "%.9g", sched_ticks_to_time(sim, sim->now));
    return buf;
}

uint64_t report_next_check(const usim_sim *sim, uint64_t events0)
{
    uint64_t at = UINT64_MAX;
    if (sim->cfg.max_events)
        at = events0 + sim->cfg.max_events;
    if (sim->cfg.max_wall_s > 0) {
        uint64_t w = sim->events + WALL_CHECK_EVERY;
        at = w < at ? w : at;
    }
    return at;
}

bool report_over_budget(usim_sim *sim, uint64_t events0, double wall0)
{
    const usim_config *c = &sim->cfg;
    uint64_t done = sim->events - events0;
    char tb[40], buf[160];
    if (c->max_events && done >= c->max_events)
        snprintf(buf, sizeof buf, "event limit of %llu events reached at t=%s",
                 (unsigned long long)c->max_events, time_str(sim, tb, sizeof tb));
    else if (c->max_wall_s > 0 && report_wall_now() - wall0 > c->max_wall_s)
        snprintf(buf, sizeof buf, "wall-clock limit of %g s reached at t=%s",
                 c->max_wall_s, time_str(sim, tb, sizeof tb));
    else
        return false;
    loop_set_final(sim, USIM_LIMIT, kernel_strdup(buf));
    return true;
}

/* "flag 'door'", or just the kind when the wait has no name. */
static void describe_wait(const usim_task *t, char *what, size_t n)
{
    const char *kind = t->wait_kind ? t->wait_kind : "wait";
    if (t->wait_name)
        snprintf(what, n, "%s '%s'", kind, t->wait_name);
    else
        snprintf(what, n, "%s", kind);
}

void report_deadlock(usim_sim *sim)
{
    report_blocked *b = &sim->blocked;
    size_t n = 0;
    for (usim_task *t = sim->all; t; t = list_next(t, TASK_ALL_LINK))
        n += t->state == TASK_BLOCKED;
    b->v = calloc(n ? n : 1, sizeof *b->v);
    size_t len = 256;
    char *msg = malloc(len);
    if (!b->v || !msg) {
        free(msg);
        loop_set_final(sim, USIM_DEADLOCK,
                       kernel_strdup("deadlock (out of memory writing the report)"));
        return;
    }
    char tb[40];
    int off =
        snprintf(msg, len, "deadlock at t=%s: %zu task%s wait%s forever:",
                 time_str(sim, tb, sizeof tb), n, n == 1 ? "" : "s", n == 1 ? "s" : "");
    for (usim_task *t = sim->all; t; t = list_next(t, TASK_ALL_LINK)) {
        if (t->state != TASK_BLOCKED)
            continue;
        blocked_entry *e = &b->v[b->n++];
        char what[160];
        describe_wait(t, what, sizeof what);
        e->task = kernel_strdup(t->name);
        e->what = kernel_strdup(what);
        size_t need = (size_t)off + strlen(t->name) + strlen(what) + 16;
        if (need > len) {
            len = 2 * need;
            char *m = realloc(msg, len);
            if (!m)
                break;
            msg = m;
        }
        off += snprintf(msg + off, len - (size_t)off, "%s '%s' on %s",
                        b->n > 1 ? ";" : "", t->name, what);
    }
    loop_set_final(sim, USIM_DEADLOCK, msg);
}

void report_free(report_blocked *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].task);
        free(b->v[i].what);
    }
    free(b->v);
    b->v = NULL;
    b->n = 0;
}

size_t usim_sim_blocked_count(const usim_sim *sim)
{
    return sim->blocked.n;
}

int usim_sim_blocked(const usim_sim *sim, size_t i, const char **task,
                     const char **waits_on)
{
    if (i >= sim->blocked.n)
        return usim_error(USIM_EINVAL, "blocked task %zu of %zu", i, sim->blocked.n);
    if (task)
        *task = sim->blocked.v[i].task;
    if (waits_on)
        *waits_on = sim->blocked.v[i].what;
    return 0;
}
