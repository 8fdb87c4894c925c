/*
 * diff_kernel.c — the differential fuzzer's driver: random models run
 * through the public API, each written out as a canonical text log, so
 * that two builds of libusim (scripts/diff-kernel builds this same file
 * against an older revision and against the current tree) can be compared
 * seed by seed.  Any difference in the logs is a difference in what the
 * kernel, the primitives or the observation layer do.
 *
 *     diff_kernel [-s] SEED [COUNT]
 *
 * runs the models of seeds SEED .. SEED+COUNT-1 (COUNT 1 by default) and
 * prints their logs, each starting with a "seed N" line; -s prints one
 * line per seed instead, "seed N LENGTH HASH" (FNV-1a of the log), which
 * is what scripts/diff-kernel compares for 10^4 seeds.
 *
 * A model is drawn from a splitmix64 generator of this file's own, never
 * from usim's rng: the configuration (resolution, drift policy, turn
 * order, seed, budgets, warm-up, traces), the primitives' parameters and,
 * per task, the sequence of operations with their arguments (each task has
 * a generator of its own, so what it chooses does not depend on how the
 * tasks interleave, only what its calls return does).  The tasks also draw
 * from usim_rng streams and distributions and print the draws, so the
 * random numbers are compared too.
 *
 * The log has one line per call a task makes: the task, the call with its
 * arguments, its return code (with usim_errmsg() for USIM_EINVAL and
 * USIM_ESTATE, usim_cause() for USIM_EINTR) and usim_now() / usim_now_ticks()
 * after it; then per run round the status and clock, and at the end
 * everything the API reports: the run's error, events, drift (total, per
 * group, histogram), blocked tasks, every task's state, drift and error,
 * the primitives' levels and lengths, tally, histogram, scalars and trace
 * points, and the calls the tasks make while usim_sim_destroy unwinds them.
 * Doubles are printed with %a (exactly).  Nothing that varies between two
 * runs of one build (addresses, wall time) is printed.
 *
 * Invalid calls are part of the models (negative, NaN and huge durations,
 * releasing a lock one does not hold, strict drift on fractional sleeps,
 * usim_fail, failing tasks): their results go into the log like any
 * other.  What the API calls undefined (a destroyed or detached task's
 * handle, a scope or subscription abandoned on a stack) is never done:
 * usim_fail is only called where the task holds nothing on its stack.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "usim.h"

/* ------------------------------------------------------------------ */
/* The model's own generator (splitmix64)                              */
/* ------------------------------------------------------------------ */

typedef struct gen {
    uint64_t s;
} gen;

static uint64_t gen_next(gen *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* 0 .. n-1 (n > 0; the tiny modulo bias does not matter here). */
static uint64_t gen_below(gen *g, uint64_t n)
{
    return gen_next(g) % n;
}

static double gen_u01(gen *g)
{
    return (double)(gen_next(g) >> 11) * 0x1p-53;
}

static bool gen_pct(gen *g, unsigned pct)
{
    return gen_below(g, 100) < pct;
}

static gen gen_fork(gen *g)
{
    gen c = {gen_next(g) ^ 0x5851f42d4c957f2du};
    return c;
}

/* ------------------------------------------------------------------ */
/* The log                                                             */
/* ------------------------------------------------------------------ */

static char *log_buf;
static size_t log_len, log_cap;
static bool log_live; /* also write each piece out at once (a crash keeps it) */

static void say(const char *fmt, ...) USIM_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(log_buf + log_len, log_cap - log_len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < log_cap - log_len) {
            if (log_live) {
                fwrite(log_buf + log_len, 1, (size_t)n, stdout);
                fflush(stdout);
            }
            log_len += (size_t)n;
            return;
        }
        size_t cap = log_cap ? 2 * log_cap : 1 << 16;
        while (cap - log_len <= (size_t)n)
            cap *= 2;
        char *b = realloc(log_buf, cap);
        if (!b) {
            fprintf(stderr, "diff_kernel: out of memory for the log\n");
            exit(2);
        }
        log_buf = b;
        log_cap = cap;
    }
}

/* ------------------------------------------------------------------ */
/* The model's state                                                   */
/* ------------------------------------------------------------------ */

enum { MAX_WORKERS = 96, MAX_HANDLES = 64, MAX_DEPTH = 2, MAX_SUBS = 8 };

/* One task's program: its generator, its own usim_rng stream and how many
 * operations it has left. */
typedef struct worker {
    int id;
    int depth; /* 0 top-level, else in a scope or an activity */
    int nest;  /* operations running inside another one (body()) */
    int ops;
    gen g;
    usim_rng rng;
} worker;

static const char *const kinds[] = {"cpu", "mem"};
static const char *const group_names[] = {"alpha", "beta", "gamma"};
static const char *const stream_names[] = {"arrivals", "service", "misc"};

static struct {
    usim_sim *sim;
    double res;
    bool strict; /* the drift policy is strict */
    gen host;
    worker pool[MAX_WORKERS];
    int nworkers;
    struct {
        usim_task *t;
        int id;
    } h[MAX_HANDLES];
    int nh;
    usim_flag flag[2];
    usim_queue q[2]; /* unbounded, bounded */
    usim_lock lock;
    usim_resource res1;
    long units; /* res1's capacity */
    usim_container cont;
    usim_tracked tr;
    usim_channel ch;
    /* Subscriptions live here, not on the stacks: a run that fails in a
     * task (strict drift, a time overflow) abandons its stack with the
     * subscription still on the channel, which usim_channel_destroy then
     * detaches, and the stack is gone by then. */
    usim_channel_sub sub[MAX_SUBS];
    bool sub_used[MAX_SUBS];
    usim_resources rs;
    bool rs_open; /* Resources (else Capacities) */
    usim_pipe pipe;
    usim_tally tally;
    usim_histogram hist;
    usim_scope *pub_scope; /* an open scope other tasks may wait for */
    double sample_iv;      /* the sampled trace's interval, 0 if none */
    bool destroying;
} m;

static const char *rc_name(int rc)
{
    static char buf[16];
    switch (rc) {
    case USIM_OK:
        return "ok";
    case USIM_ECANCELED:
        return "ECANCELED";
    case USIM_ETIMEDOUT:
        return "ETIMEDOUT";
    case USIM_EINTR:
        return "EINTR";
    case USIM_ECLOSED:
        return "ECLOSED";
    case USIM_EINVAL:
        return "EINVAL";
    case USIM_EAGAIN:
        return "EAGAIN";
    case USIM_ENOMEM:
        return "ENOMEM";
    case USIM_ESTATE:
        return "ESTATE";
    case USIM_EFAILED:
        return "EFAILED";
    case USIM_ECHILD:
        return "ECHILD";
    case USIM_EOVERRUN:
        return "EOVERRUN";
    }
    snprintf(buf, sizeof buf, "%d", rc);
    return buf;
}

/* One line: "T3 what -> rc [errmsg] @now/ticks". */
static int done(const worker *w, int rc, const char *fmt, ...) USIM_PRINTF(3, 4);
static int done(const worker *w, int rc, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    say("T%d %s -> %s", w->id, what, rc_name(rc));
    if (rc == USIM_EINVAL || rc == USIM_ESTATE)
        say(" [%s]", usim_errmsg());
    if (rc == USIM_EINTR)
        say(" cause=%d", usim_cause());
    say(" @%a/%" PRId64 "\n", usim_now(), usim_now_ticks());
    return rc;
}

/* A line without a return code. */
static void note(const worker *w, const char *fmt, ...) USIM_PRINTF(2, 3);
static void note(const worker *w, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    say("T%d %s @%a/%" PRId64 "\n", w->id, what, usim_now(), usim_now_ticks());
}

/* A duration of every kind the drift policies treat differently: whole
 * ticks, within 1e-10 of whole, fractional, decimal, zero, huge, invalid.
 * Under strict drift mostly whole ticks, and huge ones are rare, since
 * either of the others fails the run and ends the model early. */
static double pick_dur(gen *g)
{
    double k = (double)(1 + gen_below(g, 1000));
    if (m.strict && gen_pct(g, 90))
        return gen_pct(g, 10) ? 0 : k * m.res;
    uint64_t c = gen_below(g, 16);
    if (c == 13 && gen_pct(g, 70))
        c = 12;
    switch (c) {
    case 0:
        return 0;
    case 1:
    case 2:
    case 3:
        return k * m.res;
    case 4:
        return k * m.res * (1 + 1e-10);
    case 5:
        return k * m.res * (1 - 1e-10);
    case 6:
    case 7:
        return gen_u01(g) * 10;
    case 8:
        return gen_u01(g);
    case 9:
        return gen_u01(g) * 1e-6;
    case 10:
    case 11:
        return (double)(1 + gen_below(g, 30)) * 0.1;
    case 12:
        return (double)(1 + gen_below(g, 10));
    case 13: {
        static const double huge[] = {1e6, 1e9, 1e12, 1e18, 1e300};
        return huge[gen_below(g, 5)];
    }
    case 14:
        return m.res * 0.5;
    default: {
        static const double bad[] = {-1, NAN, INFINITY, -0.0, 1e-300, -1e-300};
        return bad[gen_below(g, 6)];
    }
    }
}

/* A time near now: ahead, now itself or in the past. */
static double pick_time(gen *g)
{
    double now = usim_now();
    switch (gen_below(g, 8)) {
    case 0:
        return now;
    case 1:
        return now - pick_dur(g);
    case 2:
        return INFINITY;
    default:
        return now + pick_dur(g);
    }
}

static void *worker_main(void *arg);

static worker *new_worker(gen *g, int depth, int ops)
{
    if (m.nworkers == MAX_WORKERS)
        return NULL;
    worker *w = &m.pool[m.nworkers];
    w->id = m.nworkers++;
    w->depth = depth;
    w->ops = ops;
    w->g = gen_fork(g);
    return w;
}

static void name_of(gen *g, const worker *w, char *name, size_t n)
{
    if (gen_pct(g, 50))
        snprintf(name, n, "%s", group_names[gen_below(g, 3)]);
    else
        snprintf(name, n, "t%d", w->id);
}

static void keep(usim_task *t, int id)
{
    if (t && m.nh < MAX_HANDLES) {
        m.h[m.nh].t = t;
        m.h[m.nh].id = id;
        m.nh++;
    }
}

/* A handle to act on: one of the tasks kept, or the caller itself. */
static usim_task *pick_task(gen *g, int *id, int self)
{
    if (m.nh == 0 || gen_pct(g, 10)) {
        *id = self;
        return usim_self();
    }
    int i = (int)gen_below(g, (uint64_t)m.nh);
    *id = m.h[i].id;
    return m.h[i].t;
}

/* Sometimes a deadline for the next blocking call. */
static void maybe_timeout(worker *w)
{
    switch (gen_below(&w->g, 10)) {
    case 0:
    case 1:
    case 2: {
        double d = pick_dur(&w->g);
        done(w, usim_timeout(d), "timeout %a", d);
        break;
    }
    case 3: {
        double t = pick_time(&w->g);
        done(w, usim_timeout_at(t), "timeout_at %a", t);
        break;
    }
    default:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

static void op(worker *w);

/* Whether an operation may run others inside it: scopes, activities and
 * bodies nest at most MAX_DEPTH deep, tasks and inline bodies counted
 * together, so that a model stays small. */
static bool may_nest(const worker *w)
{
    return w->depth + w->nest < MAX_DEPTH;
}

/* A few operations inline (a scope's body, a held lock's). */
static void body(worker *w, int n)
{
    if (!may_nest(w))
        return;
    w->nest++;
    for (int i = 0; i < n && !usim_cancelled(); i++)
        op(w);
    w->nest--;
}

static void op_time(worker *w)
{
    gen *g = &w->g;
    switch (gen_below(g, 6)) {
    case 0:
    case 1: {
        double d = pick_dur(g);
        maybe_timeout(w);
        done(w, usim_sleep(d), "sleep %a", d);
        break;
    }
    case 2: {
        double t = pick_time(g);
        if (isinf(t))
            maybe_timeout(w);
        done(w, usim_sleep_until(t), "sleep_until %a", t);
        break;
    }
    case 3: {
        int64_t k = (int64_t)gen_below(g, 2000) - 50;
        done(w, usim_delay(k), "delay %" PRId64, k);
        break;
    }
    case 4:
        done(w, usim_instant(), "instant");
        break;
    default: {
        double iv = gen_pct(g, 10) ? pick_dur(g) : (double)(1 + gen_below(g, 8)) * 0.25;
        unsigned flags = (unsigned)gen_below(g, 3); /* 2: an invalid bit */
        int n = 1 + (int)gen_below(g, 5);
        usim_every e = usim_every_begin_ex(iv, flags);
        note(w, "every %a flags %u", iv, flags);
        for (int i = 0; i < n; i++) {
            bool more = usim_every_next(&e);
            done(w, e.rc,
                 "every_next %d k=%" PRIu64 " overruns=%" PRIu64 " last=%" PRId64, more,
                 e.k, e.overruns, e.last);
            if (!more)
                break;
            if (gen_pct(g, 40)) {
                double d = iv * gen_u01(g) * 2;
                done(w, usim_sleep(d), "sleep %a", d);
            }
        }
        break;
    }
    }
}

static void op_task(worker *w)
{
    gen *g = &w->g;
    switch (gen_below(g, 6)) {
    case 0:
    case 1: {
        worker *c = new_worker(g, w->depth, 3 + (int)gen_below(g, 12));
        if (!c) {
            note(w, "spawn skipped");
            break;
        }
        char name[40];
        name_of(g, c, name, sizeof name);
        usim_task *t;
        bool detached = false;
        if (gen_pct(g, 50)) {
            t = usim_spawn(worker_main, c, name);
        } else {
            usim_spawn_opts o = {0};
            o.detached = detached = gen_pct(g, 15);
            if (gen_pct(g, 30))
                o.after = pick_dur(g);
            if (gen_pct(g, 20))
                o.at = pick_time(g);
            if (gen_pct(g, 20))
                o.stack_size = 128 * 1024;
            if (gen_pct(g, 20))
                o.guard_size = 1;
            t = usim_spawn_ex(worker_main, c, name, &o);
            note(w, "spawn_ex after %a at %a stack %zu guard %zu", o.after, o.at,
                 o.stack_size, o.guard_size);
        }
        if (!t) {
            note(w, "spawn T%d failed: %s", c->id, usim_errmsg());
        } else if (detached) {
            /* It may have run and been freed already (a spawn is a turn
             * point): its handle is not to be touched. */
            note(w, "spawn T%d detached", c->id);
        } else {
            note(w, "spawn T%d '%s' status %d", c->id, usim_task_name(t),
                 usim_task_status(t));
            keep(t, c->id);
        }
        break;
    }
    case 2: {
        int id;
        usim_task *t = pick_task(g, &id, w->id);
        void *res = (void *)(uintptr_t)999;
        maybe_timeout(w);
        int rc = usim_join(t, &res);
        done(w, rc, "join T%d result %d status %d", id, (int)(uintptr_t)res,
             usim_task_status(t));
        break;
    }
    case 3: {
        int id;
        usim_task *t = pick_task(g, &id, w->id);
        usim_cancel(t);
        note(w, "cancel T%d status %d cancelled %d", id, usim_task_status(t),
             usim_cancelled());
        break;
    }
    case 4: {
        int id;
        usim_task *t = pick_task(g, &id, w->id);
        int cause = 1 + (int)gen_below(g, 5);
        usim_interrupt(t, cause);
        note(w, "interrupt T%d cause %d", id, cause);
        break;
    }
    default: {
        int id;
        usim_task *t = pick_task(g, &id, w->id);
        const char *err = usim_task_error(t);
        usim_drift_stats d = usim_task_drift(t);
        note(w,
             "status T%d '%s' %s done %d cancelled %d error %s waits %" PRIu64
             " req %a act %a final %a",
             id, usim_task_name(t), usim_task_state_name(usim_task_status(t)),
             usim_task_done(t), usim_task_cancelled(t), err ? err : "-", d.waits,
             d.requested, d.actual, d.final);
        break;
    }
    }
}

static void op_flag(worker *w)
{
    gen *g = &w->g;
    usim_flag *f = &m.flag[gen_below(g, 2)];
    int i = f == &m.flag[1];
    switch (gen_below(g, 6)) {
    case 0:
    case 1: {
        bool v = gen_pct(g, 50);
        usim_flag_set(f, v);
        note(w, "flag%d set %d", i, v);
        break;
    }
    case 2:
        maybe_timeout(w);
        done(w, usim_flag_wait(f), "flag%d wait", i);
        break;
    case 3:
        maybe_timeout(w);
        done(w, usim_flag_wait_true(f), "flag%d wait_true", i);
        break;
    case 4:
        maybe_timeout(w);
        done(w, usim_flag_wait_false(f), "flag%d wait_false", i);
        break;
    default:
        note(w, "flag%d with enter (%d)", i, usim_flag_get(f));
        USIM_WITH_FLAG(f)
        {
            double d = pick_dur(g);
            done(w, usim_sleep(d), "flag%d with sleep %a", i, d);
        }
        note(w, "flag%d with leave (%d)", i, usim_flag_get(f));
        break;
    }
}

static bool item_at_least(void *item, void *ctx)
{
    return usim_item_double(item) >= *(double *)ctx;
}

static void op_queue(worker *w)
{
    gen *g = &w->g;
    int i = (int)gen_below(g, 2);
    usim_queue *q = &m.q[i];
    double x = (double)w->id * 1000 + (double)gen_below(g, 1000);
    void *item = usim_item_of_double(-1);
    switch (gen_below(g, 9)) {
    case 0:
    case 1:
        maybe_timeout(w);
        done(w, usim_queue_put(q, usim_item_of_double(x)), "q%d put %a", i, x);
        break;
    case 2: {
        int prio = (int)gen_below(g, 5) - 2;
        maybe_timeout(w);
        done(w, usim_queue_put_prio(q, usim_item_of_double(x), prio),
             "q%d put_prio %a %d", i, x, prio);
        break;
    }
    case 3:
    case 4: {
        maybe_timeout(w);
        int rc = usim_queue_get(q, &item);
        done(w, rc, "q%d get %a", i, usim_item_double(item));
        break;
    }
    case 5: {
        double lo = (double)gen_below(g, 5) * 1000;
        maybe_timeout(w);
        int rc = usim_queue_get_filter(q, &item, item_at_least, &lo);
        done(w, rc, "q%d get_filter >=%a %a", i, lo, usim_item_double(item));
        break;
    }
    case 6:
        done(w, usim_queue_try_put(q, usim_item_of_double(x)), "q%d try_put %a", i, x);
        break;
    case 7: {
        int rc = usim_queue_try_get(q, &item);
        done(w, rc, "q%d try_get %a", i, usim_item_double(item));
        break;
    }
    default:
        if (gen_pct(g, 15)) {
            usim_queue_close(q);
            note(w, "q%d close", i);
        } else {
            note(w, "q%d length %zu closed %d", i, usim_queue_length(q),
                 usim_queue_closed(q));
        }
        break;
    }
}

static void op_lock(worker *w)
{
    gen *g = &w->g;
    switch (gen_below(g, 5)) {
    case 0:
    case 1: {
        maybe_timeout(w);
        int rc = done(w, usim_lock_acquire(&m.lock), "lock acquire");
        if (rc == 0) {
            if (gen_pct(g, 20))
                done(w, usim_lock_acquire(&m.lock), "lock acquire again");
            else
                body(w, (int)gen_below(g, 2));
            double d = pick_dur(g);
            done(w, usim_sleep(d), "lock sleep %a", d);
            done(w, usim_lock_release(&m.lock), "lock release");
            if (gen_pct(g, 30))
                done(w, usim_lock_release(&m.lock), "lock release again");
        }
        break;
    }
    case 2:
        if (done(w, usim_lock_try(&m.lock), "lock try") == 0)
            done(w, usim_lock_release(&m.lock), "lock release");
        break;
    case 3:
        done(w, usim_lock_release(&m.lock), "lock release unheld");
        break;
    default:
        USIM_WITH_LOCK(&m.lock)
        {
            double d = pick_dur(g);
            done(w, usim_sleep(d), "with_lock sleep %a", d);
        }
        note(w, "with_lock left");
        break;
    }
}

static void op_resource(worker *w)
{
    gen *g = &w->g;
    long amount = 1 + (long)gen_below(g, (uint64_t)m.units + 1);
    int prio = (int)gen_below(g, 4) - 1;
    switch (gen_below(g, 5)) {
    case 0:
    case 1:
    case 2: {
        bool pre = gen_pct(g, 30);
        maybe_timeout(w);
        int rc = pre ? usim_resource_request_preempt(&m.res1, amount, prio)
                     : usim_resource_request(&m.res1, amount, prio);
        done(w, rc, "resource %s %ld prio %d", pre ? "preempt" : "request", amount,
             prio);
        if (rc == 0) {
            double d = pick_dur(g);
            done(w, usim_sleep(d), "resource sleep %a", d);
            done(w, usim_resource_release(&m.res1, amount), "resource release %ld",
                 amount);
        }
        break;
    }
    case 3:
        if (done(w, usim_resource_try(&m.res1, amount), "resource try %ld", amount) ==
            0)
            done(w, usim_resource_release(&m.res1, amount), "resource release %ld",
                 amount);
        break;
    default:
        note(w, "resource available %ld waiting %zu", usim_resource_available(&m.res1),
             usim_resource_waiting(&m.res1));
        USIM_WITH_RESOURCE(&m.res1, amount)
        {
            double d = pick_dur(g);
            done(w, usim_sleep(d), "with_resource %ld sleep %a", amount, d);
        }
        note(w, "with_resource left, available %ld", usim_resource_available(&m.res1));
        break;
    }
}

static void op_container(worker *w)
{
    gen *g = &w->g;
    double a = gen_pct(g, 50) ? (double)gen_below(g, 6) : gen_u01(g) * 5;
    switch (gen_below(g, 5)) {
    case 0:
    case 1:
        maybe_timeout(w);
        done(w, usim_container_put(&m.cont, a), "container put %a", a);
        break;
    case 2:
    case 3:
        maybe_timeout(w);
        done(w, usim_container_get(&m.cont, a), "container get %a", a);
        break;
    default:
        if (gen_pct(g, 50))
            done(w, usim_container_try_put(&m.cont, a), "container try_put %a", a);
        else
            done(w, usim_container_try_get(&m.cont, a), "container try_get %a", a);
        break;
    }
    note(w, "container level %a", usim_container_level(&m.cont));
}

static void op_tracked(worker *w)
{
    gen *g = &w->g;
    double x = (double)((int)gen_below(g, 9) - 2);
    if (gen_pct(g, 20))
        x += 0.5;
    switch (gen_below(g, 5)) {
    case 0:
        usim_tracked_set(&m.tr, x);
        note(w, "tracked set %a", x);
        break;
    case 1:
        usim_tracked_add(&m.tr, x);
        note(w, "tracked add %a -> %a", x, usim_tracked_get(&m.tr));
        break;
    case 2: {
        int o = (int)gen_below(g, 13); /* 12: not an op */
        done(w, usim_tracked_update(&m.tr, (usim_op)o, x), "tracked update %d %a -> %a",
             o, x, usim_tracked_get(&m.tr));
        break;
    }
    default: {
        int c = (int)gen_below(g, 6);
        maybe_timeout(w);
        done(w, usim_tracked_wait(&m.tr, (usim_cmp)c, x), "tracked wait %d %a (%a)", c,
             x, usim_tracked_get(&m.tr));
        break;
    }
    }
}

static void op_channel(worker *w)
{
    gen *g = &w->g;
    void *v = usim_item_of_double(-1);
    switch (gen_below(g, 5)) {
    case 0:
    case 1: {
        double x = (double)w->id * 1000 + (double)gen_below(g, 1000);
        done(w, usim_channel_send(&m.ch, usim_item_of_double(x)), "channel send %a", x);
        break;
    }
    case 2: {
        maybe_timeout(w);
        int rc = usim_channel_recv(&m.ch, &v);
        done(w, rc, "channel recv %a", usim_item_double(v));
        break;
    }
    case 3: {
        int k = 0;
        while (k < MAX_SUBS && m.sub_used[k])
            k++;
        if (k == MAX_SUBS) {
            note(w, "channel subscribe skipped");
            break;
        }
        usim_channel_sub *sub = &m.sub[k];
        if (done(w, usim_channel_subscribe(&m.ch, sub), "channel subscribe") != 0)
            break;
        m.sub_used[k] = true;
        int n = 1 + (int)gen_below(g, 4);
        for (int i = 0; i < n; i++) {
            if (gen_pct(g, 30)) {
                double d = pick_dur(g);
                done(w, usim_sleep(d), "sub sleep %a", d);
            }
            maybe_timeout(w);
            int rc = usim_channel_sub_recv(sub, &v);
            done(w, rc, "sub recv %a pending %zu", usim_item_double(v),
                 usim_channel_sub_pending(sub));
            if (rc == USIM_ECANCELED || rc == USIM_ECLOSED)
                break;
        }
        usim_channel_unsubscribe(sub);
        m.sub_used[k] = false;
        note(w, "channel unsubscribe");
        break;
    }
    default:
        if (gen_pct(g, 10)) {
            usim_channel_close(&m.ch);
            note(w, "channel close");
        } else {
            note(w, "channel closed %d", usim_channel_closed(&m.ch));
        }
        break;
    }
}

static void put_levels(const char *what, const double *l)
{
    say(" %s(%a,%a)", what, l[0], l[1]);
}

static void op_resources(worker *w)
{
    gen *g = &w->g;
    double a[2], lv[2];
    for (int k = 0; k < 2; k++)
        a[k] =
            gen_pct(g, 30) ? 0 : (double)gen_below(g, 5) + (gen_pct(g, 20) ? 0.5 : 0);
    switch (gen_below(g, 6)) {
    case 0:
    case 1:
    case 2: {
        usim_resources sub;
        bool claim = gen_pct(g, 25);
        if (!claim)
            maybe_timeout(w);
        int rc = claim ? usim_resources_claim(&m.rs, a, &sub)
                       : usim_resources_borrow(&m.rs, a, &sub);
        done(w, rc, "resources %s (%a,%a)", claim ? "claim" : "borrow", a[0], a[1]);
        if (rc != 0)
            break;
        if (gen_pct(g, 40)) {
            usim_resources sub2;
            double b[2] = {a[0] / 2, a[1]};
            rc = usim_resources_borrow(&sub, b, &sub2);
            done(w, rc, "sub borrow (%a,%a)", b[0], b[1]);
            if (rc == 0) {
                double d = pick_dur(g);
                done(w, usim_sleep(d), "sub sleep %a", d);
                done(w, usim_resources_return(&sub2), "sub return");
            }
        }
        double d = pick_dur(g);
        done(w, usim_sleep(d), "resources sleep %a", d);
        done(w, usim_resources_return(&sub), "resources return");
        break;
    }
    case 3: {
        int c = (int)gen_below(g, 4);
        if (c == 0)
            done(w, usim_resources_increase(&m.rs, a), "resources increase (%a,%a)",
                 a[0], a[1]);
        else if (c == 1)
            done(w, usim_resources_decrease(&m.rs, a), "resources decrease (%a,%a)",
                 a[0], a[1]);
        else {
            if (c == 3)
                a[1] = NAN;
            done(w, usim_resources_set(&m.rs, a), "resources set (%a,%a)", a[0], a[1]);
        }
        break;
    }
    case 4: {
        int c = (int)gen_below(g, 6);
        maybe_timeout(w);
        done(w, usim_resources_wait(&m.rs, (usim_cmp)c, a), "resources wait %d (%a,%a)",
             c, a[0], a[1]);
        break;
    }
    default: {
        int c = (int)gen_below(g, 6);
        bool t = usim_resources_test(&m.rs, (usim_cmp)c, a);
        usim_resources_levels(&m.rs, lv);
        say("T%d resources test %d (%a,%a) = %d waiting %zu", w->id, c, a[0], a[1], t,
            usim_resources_waiting(&m.rs));
        put_levels("levels", lv);
        usim_resources_limits(&m.rs, lv);
        put_levels("limits", lv);
        say(" kind mem %d @%a\n", usim_resources_kind(&m.rs, "mem"), usim_now());
        break;
    }
    }
}

static void op_pipe(worker *w)
{
    gen *g = &w->g;
    double total = gen_pct(g, 10) ? 0 : gen_u01(g) * 10;
    maybe_timeout(w);
    if (gen_pct(g, 50)) {
        done(w, usim_pipe_transfer(&m.pipe, total), "pipe transfer %a", total);
    } else {
        double cap = gen_pct(g, 10) ? INFINITY : 0.25 + gen_u01(g) * 3;
        done(w, usim_pipe_transfer_at(&m.pipe, total, cap), "pipe transfer_at %a %a",
             total, cap);
    }
    note(w, "pipe transfers %zu", usim_pipe_transfers(&m.pipe));
}

/* A condition of one to three parts, maybe composed and inverted. */
static usim_cond pick_part(worker *w)
{
    gen *g = &w->g;
    static const double lv[2] = {2, 3};
    switch (gen_below(g, 5)) {
    case 0:
        return usim_cond_flag(&m.flag[gen_below(g, 2)], gen_pct(g, 50));
    case 1:
        return usim_cond_tracked(&m.tr, (usim_cmp)gen_below(g, 6),
                                 (double)gen_below(g, 5) - 1);
    case 2: {
        static const usim_cmp ops[] = {USIM_GE, USIM_EQ, USIM_LT, USIM_GT};
        return usim_cond_time(ops[gen_below(g, 4)], pick_time(g));
    }
    case 3: {
        int id;
        return usim_cond_done(pick_task(g, &id, w->id), gen_pct(g, 70));
    }
    default:
        return usim_cond_resources(&m.rs, (usim_cmp)gen_below(g, 6), lv);
    }
}

static void op_cond(worker *w)
{
    gen *g = &w->g;
    usim_cond parts[3], c;
    size_t n = 1 + gen_below(g, 3);
    for (size_t i = 0; i < n; i++)
        parts[i] = pick_part(w);
    int shape = (int)gen_below(g, 3);
    c = shape == 0   ? parts[0]
        : shape == 1 ? usim_cond_any(parts, n)
                     : usim_cond_all(parts, n);
    if (gen_pct(g, 20))
        c = usim_cond_not(c);
    bool holds = usim_cond_holds(&c);
    size_t fired = 99;
    maybe_timeout(w);
    int rc = usim_wait_cond(&c, &fired);
    done(w, rc, "wait_cond shape %d n %zu held %d fired %zu", shape, n, holds, fired);
}

static void *act_main(void *arg)
{
    return worker_main(arg);
}

static void op_flow(worker *w)
{
    gen *g = &w->g;
    usim_activity acts[3];
    size_t n = gen_below(g, 4), order[3] = {9, 9, 9};
    for (size_t i = 0; i < n; i++) {
        worker *c = new_worker(g, w->depth + w->nest + 1, 1 + (int)gen_below(g, 6));
        if (!c) {
            note(w, "flow skipped");
            return;
        }
        acts[i] = (usim_activity){.fn = act_main, .arg = c, .name = "act"};
    }
    maybe_timeout(w);
    int rc;
    size_t count = 0;
    if (gen_pct(g, 50)) {
        rc = usim_collect(acts, n);
        done(w, rc, "collect %zu", n);
    } else {
        count = gen_below(g, n + 2);
        rc = usim_first(acts, n, count, order);
        done(w, rc, "first %zu of %zu order %zu %zu %zu", count, n, order[0], order[1],
             order[2]);
    }
    if (rc == USIM_EINVAL || rc == USIM_ENOMEM)
        return;
    for (size_t i = 0; i < n; i++)
        note(w, "  act %zu T%d status %s result %d", i, ((worker *)acts[i].arg)->id,
             rc_name(acts[i].status), (int)(uintptr_t)acts[i].result);
}

static void op_scope(worker *w)
{
    gen *g = &w->g;
    usim_scope s;
    usim_cond parts[2], c;
    int kind = (int)gen_below(g, 3);
    if (kind == 0) {
        usim_scope_open(&s);
        note(w, "scope open");
    } else if (kind == 1) {
        double t = pick_time(g);
        usim_scope_open_until(&s, t);
        note(w, "scope open_until %a", t);
    } else {
        parts[0] = usim_cond_flag(&m.flag[0], true);
        parts[1] =
            usim_cond_time(USIM_GE, usim_now() + (double)gen_below(g, 20) * 0.25);
        c = gen_pct(g, 50) ? parts[gen_below(g, 2)] : usim_cond_any(parts, 2);
        if (done(w, usim_scope_open_when(&s, &c), "scope open_when") != 0)
            return;
    }
    if (!m.pub_scope)
        m.pub_scope = &s;
    int n = (int)gen_below(g, 4);
    for (int i = 0; i < n; i++) {
        worker *c = new_worker(g, w->depth + w->nest + 1, 1 + (int)gen_below(g, 8));
        if (!c)
            break;
        usim_task *t;
        int how = (int)gen_below(g, 3);
        if (how == 0) {
            t = usim_scope_spawn(&s, worker_main, c, "child");
        } else if (how == 1) {
            t = usim_scope_spawn_volatile(&s, worker_main, c, "child");
        } else {
            usim_spawn_opts o = {0};
            o.volatile_child = gen_pct(g, 50);
            o.after = gen_pct(g, 50) ? pick_dur(g) : 0;
            t = usim_scope_spawn_ex(&s, worker_main, c, "child", &o);
        }
        if (t) {
            note(w, "scope spawn T%d how %d", c->id, how);
            keep(t, c->id);
        } else {
            note(w, "scope spawn T%d how %d failed: %s", c->id, how, usim_errmsg());
        }
    }
    body(w, (int)gen_below(g, 4));
    maybe_timeout(w);
    int rc = usim_scope_close(&s);
    if (m.pub_scope == &s)
        m.pub_scope = NULL;
    const char *err = usim_scope_error(&s);
    done(w, rc, "scope close failures %zu error %s", usim_scope_failures(&s),
         err ? err : "-");
    for (size_t i = 0; i < usim_scope_failures(&s); i++) {
        const char *task, *msg;
        if (usim_scope_failure(&s, i, &task, &msg) == 0)
            note(w, "  failure %zu '%s': %s", i, task, msg);
    }
}

static void op_rng(worker *w)
{
    gen *g = &w->g;
    usim_rng *r = &w->rng;
    switch (gen_below(g, 8)) {
    case 0:
        note(w, "rng u32 %" PRIu32 " u64 %" PRIu64 " u01 %a", usim_rng_u32(r),
             usim_rng_u64(r), usim_rng_u01(r));
        break;
    case 1:
        note(w, "rng uniform %a int %" PRId64 " exp %a", usim_uniform(r, -1, 3),
             usim_uniform_int(r, -5, 5), usim_exponential(r, 1.5));
        break;
    case 2:
        note(w, "rng normal %a lognormal %a gamma %a %a", usim_normal(r, 1, 2),
             usim_lognormal(r, 0, 0.5), usim_gamma(r, 0.5, 2), usim_gamma(r, 3.5, 1));
        break;
    case 3:
        note(w, "rng erlang %a weibull %a triangular %a bernoulli %d",
             usim_erlang(r, 3, 2), usim_weibull(r, 1.5, 2), usim_triangular(r, 0, 1, 4),
             usim_bernoulli(r, 0.3));
        break;
    case 4:
        note(w, "rng poisson %" PRId64 " %" PRId64 " %" PRId64, usim_poisson(r, 0.5),
             usim_poisson(r, 7), usim_poisson(r, 300));
        break;
    case 5: {
        usim_dist d;
        int k = (int)gen_below(g, 8);
        double p[3] = {1, 2, 3};
        if (gen_pct(g, 10))
            p[0] = -1;
        int rc = usim_dist_init(&d, (usim_dist_kind)k, p);
        if (rc == 0)
            note(w, "rng dist %d draw %a mean %a", k, usim_dist_draw(&d, r),
                 usim_dist_mean(&d));
        else
            done(w, rc, "rng dist_init %d", k);
        break;
    }
    case 6: {
        static const double wt[] = {1, 0, 3, 0.5};
        static const double x[] = {0, 1, 3}, cum[] = {0, 0.25, 1};
        usim_discrete d;
        usim_empirical e;
        if (usim_discrete_init(&d, wt, 4) == 0) {
            size_t a = usim_discrete_draw(&d, r), b = usim_discrete_draw(&d, r);
            note(w, "rng discrete %zu %zu", a, b);
            usim_discrete_destroy(&d);
        }
        if (usim_empirical_init(&e, x, cum, 3) == 0) {
            note(w, "rng empirical %a", usim_empirical_draw(&e, r));
            usim_empirical_destroy(&e);
        }
        break;
    }
    default: {
        usim_rng own;
        usim_rng_init(&own, 42, (uint64_t)w->id, usim_stream_id("own"));
        note(w, "rng own %" PRIu32 " %a", usim_rng_u32(&own), usim_rng_u01(&own));
        break;
    }
    }
}

/* A sampled trace writes its points up to now at each record and read:
 * after a huge sleep that would be billions of them. */
static bool samples_bounded(double now)
{
    return m.sample_iv == 0 || now / m.sample_iv < 10000;
}

static void op_observe(worker *w)
{
    gen *g = &w->g;
    double x = gen_u01(g) * 10;
    switch (gen_below(g, 4)) {
    case 0:
        usim_tally_add(&m.tally, x);
        usim_histogram_add(&m.hist, x);
        note(w, "tally add %a n %" PRIu64, x, usim_tally_count(&m.tally));
        break;
    case 1: {
        static const char *const names[] = {"changes", "samples", "missing"};
        const char *name = names[gen_below(g, 3)];
        if (!samples_bounded(usim_now()) && strcmp(name, "samples") == 0)
            name = "changes";
        usim_trace *tr = usim_trace_get(name);
        usim_trace_record(tr, x);
        note(w, "trace %s record %a (%s)", name, x, tr ? "on" : "off");
        break;
    }
    case 2: {
        char name[16];
        snprintf(name, sizeof name, "s%d", (int)gen_below(g, 4));
        done(w, usim_scalar_set(name, x), "scalar %s %a", name, x);
        break;
    }
    default: {
        usim_scope *s = m.pub_scope;
        if (!s) {
            note(w, "scope_wait: none open");
            break;
        }
        maybe_timeout(w);
        done(w, usim_scope_wait(s), "scope_wait");
        break;
    }
    }
}

static void op(worker *w)
{
    gen *g = &w->g;
    unsigned k = (unsigned)gen_below(g, 100);
    if (k < 22)
        op_time(w);
    else if (k < 32)
        op_task(w);
    else if (k < 39)
        op_flag(w);
    else if (k < 48)
        op_queue(w);
    else if (k < 52)
        op_lock(w);
    else if (k < 57)
        op_resource(w);
    else if (k < 61)
        op_container(w);
    else if (k < 66)
        op_tracked(w);
    else if (k < 70)
        op_channel(w);
    else if (k < 74)
        op_resources(w);
    else if (k < 77)
        op_pipe(w);
    else if (k < 81)
        op_cond(w);
    else if (k < 83)
        may_nest(w) ? op_flow(w) : op_time(w);
    else if (k < 86)
        may_nest(w) ? op_scope(w) : op_time(w);
    else if (k < 91)
        op_rng(w);
    else
        op_observe(w);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    gen *g = &w->g;
    usim_rng_stream(&w->rng, stream_names[gen_below(g, 3)]);
    note(w, "start '%s' depth %d ops %d", usim_task_name(usim_self()), w->depth,
         w->ops);
    for (int i = 0; i < w->ops; i++) {
        /* Failing a top-level task fails the run: rarer than in a scope. */
        unsigned k = (unsigned)gen_below(g, 1000);
        if (k < (w->depth == 0 ? 1u : 15u)) {
            note(w, "task_fail");
            return usim_task_fail("task T%d gives up at op %d", w->id, i);
        }
        /* usim_fail abandons the stack: only here, where it holds nothing. */
        if (k == 999 && w->depth == 0 && !m.destroying)
            usim_fail("T%d fails the run at op %d", w->id, i);
        op(w);
        if (usim_cancelled()) {
            note(w, "cancelled, ends");
            break;
        }
    }
    note(w, "end");
    return (void *)(uintptr_t)w->id;
}

/* ------------------------------------------------------------------ */
/* The host: one model                                                 */
/* ------------------------------------------------------------------ */

static void on_warmup(usim_sim *sim, void *ctx)
{
    (void)ctx;
    say("host warmup hook @%a tally n %" PRIu64 "\n", usim_sim_now(sim),
        usim_tally_count(&m.tally));
}

static void put_drift(const char *what, usim_drift_stats d)
{
    say("%s waits %" PRIu64 " req %a act %a mean_abs %a max_abs %a final %a overruns "
        "%" PRIu64 "\n",
        what, d.waits, d.requested, d.actual, d.mean_abs, d.max_abs, d.final,
        d.overruns);
}

static void report(usim_sim *sim)
{
    const char *err = usim_sim_error(sim);
    say("end status %s error %s\n", usim_status_name(usim_sim_status(sim)),
        err ? err : "-");
    say("end now %a ticks %" PRId64 " events %" PRIu64 "\n", usim_sim_now(sim),
        usim_sim_now_ticks(sim), usim_sim_events(sim));
    put_drift("drift", usim_sim_drift(sim));
    for (size_t i = 0; i < usim_sim_drift_groups(sim); i++) {
        const char *name;
        usim_drift_stats d;
        if (usim_sim_drift_group(sim, i, &name, &d) == 0) {
            char what[64];
            snprintf(what, sizeof what, "drift group %zu '%s'", i, name);
            put_drift(what, d);
        }
    }
    uint64_t bins[USIM_DRIFT_BINS];
    usim_sim_drift_hist(sim, bins);
    say("drift hist");
    for (int i = 0; i < USIM_DRIFT_BINS; i++)
        if (bins[i])
            say(" %d:%" PRIu64, i, bins[i]);
    say("\n");
    for (size_t i = 0; i < usim_sim_blocked_count(sim); i++) {
        const char *task, *on;
        if (usim_sim_blocked(sim, i, &task, &on) == 0)
            say("blocked %zu '%s' on %s\n", i, task, on);
    }
    for (int i = 0; i < m.nh; i++) {
        usim_task *t = m.h[i].t;
        const char *e = usim_task_error(t);
        say("task T%d '%s' %s done %d cancelled %d error %s\n", m.h[i].id,
            usim_task_name(t), usim_task_state_name(usim_task_status(t)),
            usim_task_done(t), usim_task_cancelled(t), e ? e : "-");
        char what[32];
        snprintf(what, sizeof what, "  drift T%d", m.h[i].id);
        put_drift(what, usim_task_drift(t));
    }
    for (int i = 0; i < 2; i++)
        say("flag%d %d q%d length %zu closed %d\n", i, usim_flag_get(&m.flag[i]), i,
            usim_queue_length(&m.q[i]), usim_queue_closed(&m.q[i]));
    say("resource available %ld waiting %zu\n", usim_resource_available(&m.res1),
        usim_resource_waiting(&m.res1));
    say("container level %a\n", usim_container_level(&m.cont));
    const usim_level *l = usim_tracked_level(&m.tr);
    double now = usim_sim_now(sim);
    say("tracked %a integral %a mean %a min %a max %a\n", usim_tracked_get(&m.tr),
        usim_level_integral(l, now), usim_level_mean(l, now), usim_level_min(l),
        usim_level_max(l));
    double lv[2];
    usim_resources_levels(&m.rs, lv);
    say("resources waiting %zu", usim_resources_waiting(&m.rs));
    put_levels("levels", lv);
    say("\npipe transfers %zu channel closed %d\n", usim_pipe_transfers(&m.pipe),
        usim_channel_closed(&m.ch));
    say("tally n %" PRIu64 " mean %a var %a sd %a min %a max %a\n",
        usim_tally_count(&m.tally), usim_tally_mean(&m.tally),
        usim_tally_variance(&m.tally), usim_tally_sd(&m.tally),
        usim_tally_min(&m.tally), usim_tally_max(&m.tally));
    say("histogram under %" PRIu64 " over %" PRIu64, m.hist.under, m.hist.over);
    for (size_t i = 0; i < m.hist.nbins; i++)
        say(" %" PRIu64, m.hist.bins[i]);
    say("\n");
    for (size_t i = 0; i < usim_sim_scalar_count(sim); i++) {
        const char *name;
        double v;
        if (usim_sim_scalar_at(sim, i, &name, &v) == 0)
            say("scalar %s %a\n", name, v);
    }
    for (size_t i = 0; usim_sim_trace_missed(sim, i); i++)
        say("trace missed %s\n", usim_sim_trace_missed(sim, i));
    for (size_t i = 0; i < usim_sim_trace_count(sim); i++) {
        usim_trace *tr = usim_sim_trace_at(sim, i);
        if (!samples_bounded(now) && strcmp(usim_trace_name(tr), "samples") == 0) {
            say("trace samples not read (now %a)\n", now);
            continue;
        }
        const double *t, *v;
        size_t n = usim_trace_read(tr, &t, &v);
        say("trace %s %zu:", usim_trace_name(tr), n);
        for (size_t k = 0; k < n; k++)
            say(" %a=%a", t[k], v[k]);
        say("\n");
    }
}

static void *host_task_main(void *arg)
{
    return worker_main(arg);
}

static void spawn_host(usim_sim *sim, gen *g, int ops)
{
    worker *w = new_worker(g, 0, ops);
    if (!w)
        return;
    char name[40];
    name_of(g, w, name, sizeof name);
    usim_task *t;
    if (gen_pct(g, 70)) {
        t = usim_sim_spawn(sim, host_task_main, w, name);
    } else {
        usim_spawn_opts o = {0};
        o.after = gen_pct(g, 50) ? pick_dur(g) : 0;
        t = usim_sim_spawn_ex(sim, host_task_main, w, name, &o);
    }
    if (t) {
        say("host spawn T%d '%s'\n", w->id, name);
        keep(t, w->id);
    } else {
        say("host spawn T%d failed: %s\n", w->id, usim_errmsg());
    }
}

static void model(uint64_t seed)
{
    memset(&m, 0, sizeof m);
    m.host.s = seed * 0x2545f4914f6cdd1du + 1;
    gen *g = &m.host;

    static const double resolutions[] = {1, 1e-3, 1e-9, 0.1, 0.3, 1e-6, 0.25, 7e-3};
    usim_config cfg;
    usim_config_init(&cfg);
    cfg.resolution = resolutions[gen_below(g, 8)];
    cfg.drift = (usim_drift)gen_below(g, 3);
    cfg.order = (usim_order)gen_below(g, 4);
    cfg.seed = gen_next(g) % 1000;
    cfg.run = gen_below(g, 4);
    cfg.stack_guard = gen_pct(g, 70);
    /* Every model ends by itself (each task has a budget of operations);
     * the event budget only guards against a kernel that loops. */
    cfg.max_events = gen_pct(g, 10) ? 20 + gen_below(g, 300) : 1000000;
    m.res = cfg.resolution;
    m.strict = cfg.drift == USIM_DRIFT_STRICT;
    say("seed %" PRIu64 " res %a drift %s order %s kseed %" PRIu64 " run %" PRIu64
        " guard %d max_events %" PRIu64 "\n",
        seed, cfg.resolution, usim_drift_name(cfg.drift), usim_order_name(cfg.order),
        cfg.seed, cfg.run, cfg.stack_guard, cfg.max_events);

    usim_sim *sim = m.sim = usim_sim_create(&cfg);
    if (!sim) {
        say("create failed: %s\n", usim_errmsg());
        return;
    }

    if (gen_pct(g, 30)) {
        double t = (double)gen_below(g, 20) * 0.5;
        int rc = usim_sim_set_warmup(sim, t);
        say("host warmup %a -> %s\n", t, rc_name(rc));
        usim_sim_on_warmup(sim, on_warmup, NULL);
    }
    if (gen_pct(g, 60))
        say("host trace changes %s\n",
            usim_sim_trace_enable(sim, "changes", USIM_TRACE_CHANGE, 0) ? "on" : "off");
    if (gen_pct(g, 40)) {
        double iv = m.sample_iv = (double)(1 + gen_below(g, 8)) * 0.5;
        say("host trace samples %a %s\n", iv,
            usim_sim_trace_enable(sim, "samples", USIM_TRACE_SAMPLE, iv) ? "on"
                                                                         : "off");
    }

    usim_flag_init(&m.flag[0], false, "f0");
    usim_flag_init(&m.flag[1], gen_pct(g, 50), "f1");
    size_t qcap = 1 + gen_below(g, 3);
    usim_queue_init(&m.q[0], 0, "q0");
    usim_queue_init(&m.q[1], qcap, "q1");
    usim_lock_init(&m.lock, "lock");
    m.units = 1 + (long)gen_below(g, 3);
    usim_resource_init(&m.res1, m.units, "res");
    double ccap = gen_pct(g, 30) ? INFINITY : 10;
    usim_container_init(&m.cont, ccap, (double)gen_below(g, 5), "cont");
    usim_tracked_init(&m.tr, (double)gen_below(g, 3), "tr");
    usim_channel_init(&m.ch, "ch");
    double levels[2] = {(double)(1 + gen_below(g, 4)), (double)(2 + gen_below(g, 6))};
    unsigned rflags = gen_pct(g, 30) ? USIM_RESOURCES_FIFO : 0;
    m.rs_open = gen_pct(g, 60);
    if (m.rs_open)
        usim_resources_init(&m.rs, 2, kinds, levels, rflags, "rs");
    else
        usim_capacities_init(&m.rs, 2, kinds, levels, rflags, "rs");
    double thr = gen_pct(g, 20) ? INFINITY : 0.5 + (double)gen_below(g, 3);
    usim_pipe_init(&m.pipe, thr, "pipe");
    usim_tally_init(&m.tally);
    usim_histogram_init(&m.hist, 0, 10, 5);
    say("host setup q1 cap %zu res %ld cont %a levels (%a,%a) %s flags %u pipe %a\n",
        qcap, m.units, ccap, levels[0], levels[1], m.rs_open ? "open" : "fixed", rflags,
        thr);

    int ntasks = 1 + (int)gen_below(g, 6);
    for (int i = 0; i < ntasks; i++)
        spawn_host(sim, g, 10 + (int)gen_below(g, 50));

    double until = gen_pct(g, 40) ? (double)gen_below(g, 50) * 0.5 : INFINITY;
    for (int round = 0; round < 4; round++) {
        usim_status st = usim_sim_run(sim, until);
        say("run %d until %a -> %s now %a ticks %" PRId64 " events %" PRIu64 "\n",
            round, until, usim_status_name(st), usim_sim_now(sim),
            usim_sim_now_ticks(sim), usim_sim_events(sim));
        if (st != USIM_PAUSED && !(st == USIM_DONE && gen_pct(g, 20)) && !gen_pct(g, 5))
            break;
        if (gen_pct(g, 50))
            spawn_host(sim, g, 3 + (int)gen_below(g, 10));
        until = round >= 2 || gen_pct(g, 30) ? INFINITY : until + pick_dur(g);
    }
    report(sim);
    say("destroy\n");
    m.destroying = true;
    bool failed = usim_sim_status(sim) == USIM_FAILED;
    usim_sim_destroy(sim);
    /* A run that failed in a task (strict drift, a time overflow,
     * usim_fail) abandoned that task's stack: a usim_scope_open_when or a
     * borrow on it still counts as watching the flags, the tracked value
     * and the supply, which a debug build's destroy asserts against.
     * These three allocate nothing, so they are left as they are then. */
    if (!failed) {
        usim_flag_destroy(&m.flag[0]);
        usim_flag_destroy(&m.flag[1]);
        usim_tracked_destroy(&m.tr);
        usim_resources_destroy(&m.rs);
    }
    usim_queue_destroy(&m.q[0]);
    usim_queue_destroy(&m.q[1]);
    usim_lock_destroy(&m.lock);
    usim_resource_destroy(&m.res1);
    usim_container_destroy(&m.cont);
    usim_channel_destroy(&m.ch);
    for (int k = 0; k < MAX_SUBS; k++)
        if (m.sub_used[k])
            usim_channel_unsubscribe(&m.sub[k]); /* abandoned: frees the buffer */
    usim_pipe_destroy(&m.pipe);
    usim_histogram_destroy(&m.hist);
    say("end of seed %" PRIu64 "\n", seed);
}

/* Each seed runs in a process of its own, so that a kernel that crashes,
 * aborts (a debug build's assertion, a sanitizer's report) or hangs on one
 * model ends that seed only: its line then says how it ended, which is
 * compared like the rest.  A seed has this many seconds. */
enum { SEED_SECONDS = 20 };

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3u;
    return h;
}

static int usage(void)
{
    fprintf(stderr, "usage: diff_kernel [-s] SEED [COUNT]\n");
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    *out = strtoull(s, &end, 10);
    return !*end;
}

int main(int argc, char **argv)
{
    bool summary = false;
    int a = 1;
    if (a < argc && strcmp(argv[a], "-s") == 0) {
        summary = true;
        a++;
    }
    uint64_t seed, count = 1;
    if (a >= argc || argc - a > 2 || !parse_u64(argv[a], &seed) ||
        (argc - a == 2 && !parse_u64(argv[a + 1], &count)))
        return usage();
    log_live = !summary;
    fflush(stdout);
    for (uint64_t i = 0; i < count; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("diff_kernel: fork");
            return 2;
        }
        if (pid == 0) {
            alarm(SEED_SECONDS);
            model(seed + i);
            if (summary)
                printf("seed %" PRIu64 " %zu %016" PRIx64 "\n", seed + i, log_len,
                       fnv1a(log_buf, log_len));
            free(log_buf);
            exit(fflush(stdout) == 0 ? 0 : 1);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0) {
            perror("diff_kernel: waitpid");
            return 2;
        }
        if (WIFSIGNALED(st))
            printf("seed %" PRIu64 " killed by signal %d\n", seed + i, WTERMSIG(st));
        else if (WEXITSTATUS(st) != 0)
            printf("seed %" PRIu64 " exit status %d\n", seed + i, WEXITSTATUS(st));
        fflush(stdout);
    }
    return ferror(stdout) ? 1 : 0;
}
