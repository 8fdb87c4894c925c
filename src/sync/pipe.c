/*
 * pipe.c — a transfer shared by weight over a limited throughput (μsim's
 * Pipe; a pipe of INFINITY throughput is its UnboundedPipe).
 *
 * Each transfer under way is a flow, a record on its task's stack linked
 * into the pipe in start order (μsim sums the caps in that order, and the
 * float sum must come out the same).  A flow sleeps for the time its
 * remainder takes at its current rate, on the pipe's `congested` wait
 * list with a timer: the timer ends the transfer; a wake-up from the list
 * (PIPE_RESCALED) means the scale changed, and the flow books what went
 * through in the window and starts a new one at the new rate.  The start
 * and the end of a flow rescale the pipe and wake every flow (μsim's
 * throttle): when the caps exceed the throughput, and when they no longer
 * do but the scale was below 1.
 *
 * The formulas are μsim's, in its order, so that the times agree to the
 * tick: rate = cap * scale; a window lasts (total - done) / rate and ends
 * at the first tick at or after now + that (kernel/ticks.h, as an
 * absolute time); an interrupted window adds (end - start) * rate.  A
 * window that ends within the current tick is a usim_instant (μsim's
 * postpone for a delay that is not > 0) and completes the transfer, as
 * μsim's does: nothing can interrupt it before it resumes.  A total of 0
 * never opens a window (μsim's loop does not start): no turn point.
 *
 * Turn order: waking the flows is not awaited in μsim (sched_woke), and
 * the only suspensions are the windows themselves.
 */
#include <math.h>
#include <stdio.h>

#include "kernel/ticks.h"
#include "sync/sync.h"

/* The wake-up code of a flow whose rate changed (sched_block returns it). */
#define PIPE_RESCALED 1

struct usim_pipe_flow {
    double cap;
    usim_pipe_flow *prev, *next;
};

static const char *pipe_name(const usim_pipe *p)
{
    return p->name ? p->name : "";
}

int usim_pipe_init(usim_pipe *p, double throughput, const char *name)
{
    if (!p)
        return usim_error(USIM_EINVAL, "usim_pipe_init: pipe is NULL");
    *p = (usim_pipe){.name = name};
    if (!(throughput > 0))
        return usim_error(USIM_EINVAL, "usim_pipe_init: throughput %g must be > 0",
                          throughput);
    p->throughput = throughput;
    p->scale = 1.0;
    p->magic = SYNC_LIVE;
    return 0;
}

void usim_pipe_destroy(usim_pipe *p)
{
    if (!p || p->magic != SYNC_LIVE)
        return;
    if (p->head) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "usim_pipe_destroy: pipe '%s' is destroyed with transfers under way",
                 pipe_name(p));
        sched_misuse(msg);
        return;
    }
    *p = (usim_pipe){.name = p->name, .magic = SYNC_DEAD};
}

size_t usim_pipe_transfers(const usim_pipe *p)
{
    if (SYNC_CHECK(p, "usim_pipe_transfers", "pipe"))
        return 0;
    size_t n = 0;
    for (const usim_pipe_flow *f = p->head; f; f = f->next)
        n++;
    return n;
}

/* μsim's throttle: a new scale from the caps under way, and every flow
 * woken if it is (still) below 1 or has just gone back to 1.  Returns
 * how many were woken. */
static size_t pipe_throttle(usim_pipe *p)
{
    double desired = 0.0;
    for (const usim_pipe_flow *f = p->head; f; f = f->next)
        desired += f->cap;
    if (desired > p->throughput)
        p->scale = p->throughput / desired;
    else if (p->scale != 1.0)
        p->scale = 1.0;
    else
        return 0;
    return sync_wake_all(&p->congested, PIPE_RESCALED);
}

static void flow_link(usim_pipe *p, usim_pipe_flow *f)
{
    f->prev = p->tail;
    f->next = NULL;
    if (p->tail)
        p->tail->next = f;
    else
        p->head = f;
    p->tail = f;
}

static void flow_unlink(usim_pipe *p, usim_pipe_flow *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        p->head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        p->tail = f->prev;
}

/* The tick at which a window of d time units from now ends: the first
 * tick at or after now + d as an absolute time; SCHED_NO_TIMEOUT beyond
 * the tick range (an infinite transfer). */
static int64_t window_end(double now, double d)
{
    const usim_sim *sim = sched_sim();
    double q = ticks_quotient(now + d, usim_sim_config(sim)->resolution);
    double at = ticks_ceil(q);
    return at >= (double)INT64_MAX ? SCHED_NO_TIMEOUT : (int64_t)at;
}

static int pipe_transfer(usim_pipe *p, double total, double cap, const char *fn)
{
    int rc = SYNC_CHECK(p, fn, "pipe");
    if (rc)
        return rc;
    rc = sync_begin(fn);
    if (rc)
        return rc;
    if (!(total >= 0))
        return usim_error(USIM_EINVAL, "%s: total %g must be >= 0", fn, total);
    if (!(cap > 0))
        return usim_error(USIM_EINVAL, "%s: throughput %g must be > 0", fn, cap);
    usim_pipe_flow f = {.cap = cap};
    flow_link(p, &f);
    sched_woke(pipe_throttle(p));
    double done = 0.0;
    while (done < total) {
        double start = usim_now();
        double rate = cap * p->scale;
        double d = (total - done) / rate;
        int64_t end = d > 0 ? window_end(start, d) : usim_now_ticks();
        if (end <= usim_now_ticks()) {
            rc = usim_instant();
            break;
        }
        rc = sched_block(&p->congested, NULL, "pipe", p->name, &f, end);
        if (rc != PIPE_RESCALED)
            break; /* 0: the window ran out, the transfer is complete */
        done += (usim_now() - start) * rate;
        rc = 0;
    }
    flow_unlink(p, &f);
    sched_woke(pipe_throttle(p));
    return rc;
}

int usim_pipe_transfer(usim_pipe *p, double total)
{
    return pipe_transfer(p, total, p && p->magic == SYNC_LIVE ? p->throughput : 1.0,
                         "usim_pipe_transfer");
}

int usim_pipe_transfer_at(usim_pipe *p, double total, double throughput)
{
    return pipe_transfer(p, total, throughput, "usim_pipe_transfer_at");
}
