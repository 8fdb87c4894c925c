/*
 * runner.c — the parallel loop over runs and the single writer.
 *
 * Threads: the calling thread starts one writer thread, then becomes the
 * master of an OpenMP team that runs the simulations.  A finished run
 * travels from its worker to the writer through `handoff`, a bounded FIFO
 * (a mutex and two condition variables): bounded so that a slow disk
 * makes workers wait instead of piling up traces in memory, and batched
 * (see handoff) so that small runs do not cost a wake-up each.  The writer
 * is the only thread that touches HDF5 (one global lock in HDF5 anyway)
 * and the progress display.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include "batch/runner.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "batch/params.h"
#include "batch/progress.h"

/* ------------------------------------------------------------------ */
/* One run                                                             */
/* ------------------------------------------------------------------ */

static run_status status_of(usim_status s)
{
    switch (s) {
    case USIM_DONE:
    case USIM_PAUSED:
        return RUN_OK;
    case USIM_LIMIT:
        return RUN_LIMIT;
    case USIM_DEADLOCK:
        return RUN_DEADLOCK;
    case USIM_FAILED:
        break;
    }
    return RUN_FAILED;
}

static int set_message(run_result *r, const char *what, const char *detail)
{
    free(r->message);
    if (asprintf(&r->message, "%s%s%s", what, detail && *detail ? ": " : "",
                 detail ? detail : "") < 0) {
        r->message = NULL;
        return -1;
    }
    return 0;
}

/* Fails the run with `msg` (malloc'd, consumed); a run that failed
 * already keeps its first message, and this one is added to it. */
static int fail_run(run_result *r, char *msg)
{
    if (msg == NULL)
        return -1;
    int rc = 0;
    if (r->status == RUN_OK || r->message == NULL) {
        rc = set_message(r, msg, NULL);
    } else {
        char *both;
        if (asprintf(&both, "%s; and %s", r->message, msg) < 0) {
            rc = -1;
        } else {
            free(r->message);
            r->message = both;
        }
    }
    r->status = RUN_FAILED;
    free(msg);
    return rc;
}

/* "KIND 'NAME' is not declared by model M (did you mean 'X'?)". */
static char *undeclared(const usim_model *m, const char *kind, const char *name,
                        const usim_output_desc *outs, size_t n)
{
    const char **names = malloc((n ? n : 1) * sizeof *names);
    const char *best = NULL;
    char *msg;
    if (names != NULL) {
        for (size_t k = 0; k < n; k++)
            names[k] = outs[k].name;
        best = experiment_suggest(name, names, n);
    }
    int rc = best ? asprintf(&msg,
                             "%s '%s' is not declared by model %s (did you mean '%s'?)",
                             kind, name, m->name, best)
                  : asprintf(&msg, "%s '%s' is not declared by model %s", kind, name,
                             m->name);
    free(names);
    return rc < 0 ? NULL : msg;
}

static bool declared(const usim_output_desc *outs, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(outs[k].name, name) == 0)
            return true;
    return false;
}

/* A trace the model asked for that its descriptor does not declare fails
 * the run: its points would be lost and the declared trace read empty. */
static int check_traces(const experiment *e, usim_sim *sim, run_result *r)
{
    const usim_model *m = e->model;
    const char *name;
    for (size_t i = 0; (name = usim_sim_trace_missed(sim, i)) != NULL; i++)
        if (!declared(m->traces, m->n_traces, name) &&
            fail_run(r, undeclared(m, "trace", name, m->traces, m->n_traces)) < 0)
            return -1;
    return 0;
}

/* Scalars in descriptor order, by name; NaN where the run set none.  A
 * scalar the descriptor does not declare fails the run (it would be
 * dropped, and the declared one it was meant to be read NaN). */
static int collect_scalars(const experiment *e, usim_sim *sim, run_result *r)
{
    const usim_model *m = e->model;
    r->nscalars = m->n_scalars;
    if (r->scalars == NULL && (r->scalars = malloc((m->n_scalars ? m->n_scalars : 1) *
                                                   sizeof(double))) == NULL)
        return -1;
    for (size_t k = 0; k < m->n_scalars; k++)
        r->scalars[k] = NAN;
    size_t n = sim ? usim_sim_scalar_count(sim) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name;
        double v;
        if (usim_sim_scalar_at(sim, i, &name, &v) != 0)
            continue;
        /* Declared names are unique (registry.c), and models mostly set
         * their scalars in descriptor order: the search starts at the
         * i-th declared one and stops at the match. */
        bool found = false;
        for (size_t j = 0, k = i; j < m->n_scalars; j++, k++) {
            if (k >= m->n_scalars)
                k -= m->n_scalars;
            if (strcmp(m->scalars[k].name, name) == 0) {
                r->scalars[k] = v;
                found = true;
                break;
            }
        }
        if (!found &&
            fail_run(r, undeclared(m, "scalar", name, m->scalars, m->n_scalars)) < 0)
            return -1;
    }
    return 0;
}

/* The groups' names in r->drift[k ..] are an earlier run's: freed. */
static void drop_drift(run_result *r, size_t k)
{
    for (size_t i = k; i < r->ndrift; i++)
        free(r->drift[i].task);
    if (k < r->ndrift)
        r->ndrift = k;
}

/* A reused result (result_reuse) comes with the drift array of an earlier
 * run, of at least max(r->ndrift, 1) entries, and their names: a name that
 * is the same in the same place (as the runs of a model have) is kept.
 * Until the end r->ndrift counts every name held, so that a failure frees
 * them all. */
static int collect_drift(usim_sim *sim, run_result *r)
{
    usim_sim_drift_hist(sim, r->drift_hist);
    size_t n = usim_sim_drift_groups(sim);
    size_t held = r->ndrift;
    if (r->drift == NULL || n > (held ? held : 1)) {
        run_drift *d = realloc(r->drift, (n ? n : 1) * sizeof *d);
        if (d == NULL)
            return -1;
        r->drift = d;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name;
        usim_drift_stats st;
        if (usim_sim_drift_group(sim, i, &name, &st) != 0)
            continue;
        run_drift *d = &r->drift[k];
        name = name ? name : "";
        if (k >= held || strcmp(d->task, name) != 0) {
            char *copy = strdup(name);
            if (copy == NULL)
                return -1;
            if (k < held)
                free(d->task);
            d->task = copy;
        }
        d->st = st;
        if (++k > r->ndrift)
            r->ndrift = k;
    }
    drop_drift(r, k);
    return 0;
}

static int collect_traces(const experiment *e, usim_sim *sim, run_result *r)
{
    r->ntraces = e->ntraces;
    if (r->traces == NULL &&
        (r->traces = calloc(e->ntraces ? e->ntraces : 1, sizeof *r->traces)) == NULL)
        return -1;
    for (size_t i = 0; i < e->ntraces; i++) {
        usim_trace *tr = sim ? usim_sim_trace(sim, e->traces[i].name) : NULL;
        if (tr == NULL)
            continue;
        /* taken, not copied: a traced run's points are most of its memory */
        run_trace *rt = &r->traces[i];
        rt->n = usim_trace_take(tr, &rt->t, &rt->v);
    }
    return 0;
}

/* `r`, a result of this experiment the writer is done with, emptied for
 * another run: the record, its parameter, scalar and trace arrays (same
 * sizes in every run of an experiment) and its drift groups (see
 * collect_drift) are kept; the rest, the message and the trace points,
 * was that run's alone.  Reusing a result costs a memset where a fresh
 * one costs half a dozen allocations and frees. */
static run_result *result_empty(run_result *r)
{
    free(r->message);
    for (size_t i = 0; i < r->ntraces; i++) {
        free(r->traces[i].t);
        free(r->traces[i].v);
    }
    if (r->traces != NULL)
        memset(r->traces, 0, (r->ntraces ? r->ntraces : 1) * sizeof *r->traces);
    run_result kept = *r;
    memset(r, 0, sizeof *r);
    r->params = kept.params;
    r->scalars = kept.scalars;
    r->ndrift = kept.ndrift;
    r->drift = kept.drift;
    r->ntraces = kept.ntraces;
    r->traces = kept.traces;
    return r;
}

/* A result that says which run it is and with which parameters, nothing
 * else yet; NULL if memory runs out.  `old`, if not NULL, is an emptied
 * result to reuse (result_empty). */
static run_result *result_new(const experiment *e, uint64_t run, run_result *old)
{
    run_result *r = old ? old : calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->run = run;
    r->point = experiment_point(e, run);
    r->replication = experiment_replication(e, run);
    r->pilot = experiment_is_pilot(e, run);
    r->nparams = e->nparams;
    if (r->params == NULL &&
        (r->params = malloc((e->nparams ? e->nparams : 1) * sizeof(double))) == NULL) {
        run_result_free(r);
        return NULL;
    }
    experiment_point_params(e, r->point, r->params);
    return r;
}

run_result *runner_run_one(const experiment *e, uint64_t run)
{
    return runner_run_at(e, run, experiment_is_pilot(e, run) ? 0 : e->warmup);
}

/* A call of one of the model's hooks, made under usim_catch_fail so that
 * a usim_fail() in it (outside the simulation's tasks) fails the run
 * instead of ending the process. */
typedef enum hook { HOOK_SETUP, HOOK_FINISH, HOOK_TEARDOWN } hook;

typedef struct hook_call {
    const usim_model *m;
    hook which;
    usim_sim *sim;
    usim_params *params;
    void *state; /* setup's output, kept if it fails after setting it */
} hook_call;

static int call_hook(void *arg)
{
    hook_call *h = arg;
    switch (h->which) {
    case HOOK_SETUP:
        return h->m->setup(h->sim, h->params, &h->state);
    case HOOK_FINISH:
        h->m->finish(h->sim, h->state);
        return 0;
    case HOOK_TEARDOWN:
        h->m->teardown(h->state);
        return 0;
    }
    return 0;
}

/* Runs the hook (if the model has it) and returns usim_catch_fail's
 * result: USIM_EFAILED with usim_errmsg() if it called usim_fail. */
static int run_hook(hook_call *h, hook which)
{
    if ((which == HOOK_FINISH && h->m->finish == NULL) ||
        (which == HOOK_TEARDOWN && (h->m->teardown == NULL || h->state == NULL)))
        return 0;
    h->which = which;
    return usim_catch_fail(call_hook, h);
}

/* run_hook for finish and teardown, whose usim_fail fails the run with
 * "model NAME failed: message".  Returns -1 only when out of memory. */
static int run_late_hook(hook_call *h, hook which, run_result *r)
{
    if (run_hook(h, which) != USIM_EFAILED)
        return 0;
    char *msg;
    if (asprintf(&msg, "model %s failed: %s",
                 which == HOOK_FINISH ? "finish" : "teardown", usim_errmsg()) < 0)
        return -1;
    return fail_run(r, msg);
}

/* runner_run_at, reusing `old` if not NULL (result_new). */
static run_result *run_at(const experiment *e, uint64_t run, double warmup,
                          run_result *old)
{
    const usim_model *m = e->model;
    double t0 = progress_clock();
    run_result *r = result_new(e, run, old);
    if (r == NULL)
        return NULL;
    r->warmup = warmup;

    usim_dist dists[e->nparams ? e->nparams : 1];
    experiment_point_dists(e, r->params, dists);
    usim_config cfg;
    experiment_run_config(e, run, &cfg);
    usim_sim *sim = usim_sim_create(&cfg);
    hook_call h = {.m = m, .sim = sim};
    bool set_up = false;
    r->status = RUN_FAILED;
    if (sim == NULL) {
        if (set_message(r, "cannot create the simulation", usim_errmsg()) < 0)
            goto nomem;
        goto collect;
    }
    /* Before setup: the statistics the model initialises there register
     * for the reset, and its hooks (usim_sim_on_warmup) are accepted. */
    if (warmup > 0 && usim_sim_set_warmup(sim, warmup) != 0) {
        if (set_message(r, "cannot set the warm-up", usim_errmsg()) < 0)
            goto nomem_sim;
        goto collect;
    }
    for (size_t i = 0; i < e->ntraces; i++) {
        const exp_trace *t = &e->traces[i];
        if (usim_sim_trace_enable(sim, t->name, t->mode, t->interval) == NULL) {
            if (set_message(r, "cannot enable a trace", usim_errmsg()) < 0)
                goto nomem_sim;
            goto collect;
        }
    }
    usim_params params;
    params_init(&params, m, r->params, dists);
    h.params = &params;
    int setup_rc = run_hook(&h, HOOK_SETUP);
    if (params_error(&params) != NULL) {
        /* Even if setup went on: it ran with a stand-in value. */
        int rc = set_message(r, params_error(&params), NULL);
        params_release(&params);
        if (rc < 0)
            goto nomem_sim;
        goto collect;
    }
    if (setup_rc != 0) {
        if (set_message(r, "model setup failed", usim_errmsg()) < 0)
            goto nomem_sim;
        goto collect;
    }
    set_up = true;
    r->status = status_of(usim_sim_run(sim, e->until));
    if (r->status != RUN_OK) {
        const char *why = usim_sim_error(sim);
        if (set_message(r, why ? why : run_status_name(r->status), NULL) < 0)
            goto nomem_sim;
    }
    if (run_late_hook(&h, HOOK_FINISH, r) < 0)
        goto nomem_sim;

collect:
    if (sim != NULL) {
        r->end_time = usim_sim_now(sim);
        r->events = usim_sim_events(sim);
    } else {
        drop_drift(r, 0);
    }
    if (collect_scalars(e, sim, r) < 0 || (sim && check_traces(e, sim, r) < 0) ||
        (sim && collect_drift(sim, r) < 0) ||
        (r->drift == NULL && (r->drift = calloc(1, sizeof *r->drift)) == NULL) ||
        collect_traces(e, set_up ? sim : NULL, r) < 0)
        goto nomem_sim;
    if (sim != NULL)
        usim_sim_destroy(sim);
    /* After the simulation: its tasks may use the state while unwinding. */
    if (run_late_hook(&h, HOOK_TEARDOWN, r) < 0)
        goto nomem;
    r->wall_s = progress_clock() - t0;
    return r;

nomem_sim:
    if (sim != NULL)
        usim_sim_destroy(sim);
    run_hook(&h, HOOK_TEARDOWN);
nomem:
    run_result_free(r);
    return NULL;
}

run_result *runner_run_at(const experiment *e, uint64_t run, double warmup)
{
    return run_at(e, run, warmup, NULL);
}

run_result *runner_unrun_result(const experiment *e, uint64_t run, run_status status,
                                const char *message)
{
    run_result *r = result_new(e, run, NULL);
    if (r == NULL)
        return NULL;
    r->status = status;
    r->end_time = NAN;
    r->wall_s = NAN;
    r->warmup = NAN;
    if (set_message(r, message, NULL) < 0 || collect_scalars(e, NULL, r) < 0 ||
        (r->drift = calloc(1, sizeof *r->drift)) == NULL ||
        collect_traces(e, NULL, r) < 0) {
        run_result_free(r);
        return NULL;
    }
    return r;
}

int runner_record_quarantined(const experiment *e, const worker_plan *plan,
                              uint8_t *done, int (*put)(const run_result *r, void *arg),
                              void *arg)
{
    for (size_t i = 0; plan != NULL && i < plan->nq; i++) {
        const quarantined *q = &plan->q[i];
        if (done[q->run])
            continue;
        run_result *r = runner_unrun_result(e, q->run, q->status, q->message);
        int rc = r ? put(r, arg) : -ENOMEM;
        run_result_free(r);
        if (rc < 0)
            return rc;
        watch_count_runs(plan->w, 1, 1, 0);
        done[q->run] = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Hand-off queue: workers -> writer                                   */
/* ------------------------------------------------------------------ */

/*
 * A finished run is a few microseconds of the writer's work when runs are
 * small, and waking a sleeping writer per run (a futex wake, then its
 * futex wait) costs as much.  So a push never wakes the writer unless the
 * queue is half full: the writer looks at the queue every POLL_S when it
 * is idle (a run waits that long at most before it is journaled), and
 * takes everything there in one round trip.  Workers sleep only when the
 * queue is full, by count or by bytes (traces), and are woken only then.
 */
#define HANDOFF_CAP 256           /* results in the queue at most */
#define HANDOFF_BYTES (64u << 20) /* ... and about this many bytes */
#define POLL_S 0.002              /* the idle writer's look at the queue */

typedef struct handoff {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    run_result **ring;
    size_t cap, head, len;
    size_t bytes;        /* of the results queued (run_result_bytes) */
    bool writer_waits;   /* the writer sleeps on not_empty */
    size_t workers_wait; /* workers sleeping on not_full */
    bool closed;         /* no more pushes */
} handoff;

static int handoff_init(handoff *h, size_t cap)
{
    memset(h, 0, sizeof *h);
    if ((h->ring = calloc(cap, sizeof *h->ring)) == NULL)
        return -1;
    h->cap = cap;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->not_empty, NULL);
    pthread_cond_init(&h->not_full, NULL);
    return 0;
}

static void handoff_destroy(handoff *h)
{
    for (size_t i = 0; i < h->len; i++)
        run_result_free(h->ring[(h->head + i) % h->cap]);
    free(h->ring);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->not_empty);
    pthread_cond_destroy(&h->not_full);
}

static void handoff_push(handoff *h, run_result *r)
{
    size_t bytes = run_result_bytes(r);
    pthread_mutex_lock(&h->mu);
    /* An empty queue takes any result, however large. */
    while (h->len == h->cap || (h->len > 0 && h->bytes + bytes > HANDOFF_BYTES)) {
        h->workers_wait++;
        pthread_cond_wait(&h->not_full, &h->mu);
        h->workers_wait--;
    }
    h->ring[(h->head + h->len) % h->cap] = r;
    h->len++;
    h->bytes += bytes;
    if (h->writer_waits && (2 * h->len >= h->cap || 2 * h->bytes >= HANDOFF_BYTES))
        pthread_cond_signal(&h->not_empty);
    pthread_mutex_unlock(&h->mu);
}

static void handoff_close(handoff *h)
{
    pthread_mutex_lock(&h->mu);
    h->closed = true;
    pthread_cond_signal(&h->not_empty);
    pthread_mutex_unlock(&h->mu);
}

static struct timespec deadline(double timeout)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)timeout;
    until.tv_nsec += (long)((timeout - floor(timeout)) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return until;
}

/* Moves the queued results (at most max) to out: their number; 0 after
 * POLL_S with none queued (*end false) or when the queue is closed and
 * drained (*end true). */
static size_t handoff_pop(handoff *h, run_result **out, size_t max, bool *end)
{
    size_t n = 0;
    *end = false;
    pthread_mutex_lock(&h->mu);
    if (h->len == 0 && !h->closed) {
        struct timespec until = deadline(POLL_S);
        h->writer_waits = true;
        while (h->len == 0 && !h->closed)
            if (pthread_cond_timedwait(&h->not_empty, &h->mu, &until) == ETIMEDOUT)
                break;
        h->writer_waits = false;
    }
    for (; n < max && h->len > 0; n++) {
        out[n] = h->ring[h->head];
        h->bytes -= run_result_bytes(out[n]);
        h->head = (h->head + 1) % h->cap;
        h->len--;
    }
    if (n > 0 && h->workers_wait > 0)
        pthread_cond_broadcast(&h->not_full);
    if (n == 0 && h->closed)
        *end = true;
    pthread_mutex_unlock(&h->mu);
    return n;
}

/* ------------------------------------------------------------------ */
/* The writer thread                                                   */
/* ------------------------------------------------------------------ */

/* A worker's emptied results (result_empty) for its next runs, linked by
 * next_garbage: the writer hands results back in batches, and each run
 * takes one.  As many are kept as can be in the queue, so that in a long
 * experiment every result is reused: no more than the queue holds
 * anyway, and without their traces. */
enum { SPARES_KEEP = HANDOFF_CAP };
typedef struct worker_spares {
    run_result *head;
    size_t n;
} worker_spares;

typedef struct writer {
    handoff q;
    h5out *out; /* NULL: results go to sink, or are counted and dropped */
    void (*sink)(const run_result *r, void *ctx);
    void *sink_ctx;
    progress prog;
    watch *watch; /* the supervisor's, or NULL */
    runner_stats *st;
    int rc; /* first h5out error */
    char *err;
    size_t errlen;
    atomic_bool failed; /* tells workers to stop starting runs */
    /* Per worker: the results the writer is done with, for the worker to
     * reuse or free.  malloc's arenas are per thread: a writer freeing what
     * a worker allocated would contend for the worker's arena lock with
     * every run (futex calls both sides), where the worker freeing its own
     * does not. */
    _Atomic(run_result *) *garbage;
    worker_spares *spares; /* the worker's only */
    size_t nworkers;
} writer;

/* Records the results rs[0, n) (h5out_write_runs journals them together),
 * then gives each back to its worker. */
static void writer_take(writer *w, run_result *const *rs, size_t n)
{
    if (w->rc == 0 && w->out != NULL) {
        int rc = h5out_write_runs(w->out, (const run_result *const *)rs, n);
        if (rc < 0) {
            w->rc = rc;
            snprintf(w->err, w->errlen, "%s", h5out_errmsg(w->out));
            atomic_store(&w->failed, true);
        }
    }
    uint64_t done = w->prog.done, failed = w->prog.failed, events = w->prog.events;
    for (size_t i = 0; i < n; i++) {
        run_result *r = rs[i];
        if (w->rc == 0 && w->sink != NULL)
            w->sink(r, w->sink_ctx);
        if (w->rc == 0) {
            progress_add(&w->prog, r->status == RUN_OK, r->events);
            w->st->done++;
            w->st->failed += run_status_failed(r->status);
            w->st->events += r->events;
        }
        _Atomic(run_result *) *g = &w->garbage[r->worker < w->nworkers ? r->worker : 0];
        r->next_garbage = atomic_load(g);
        while (!atomic_compare_exchange_weak(g, &r->next_garbage, r))
            ;
    }
    watch_count_runs(w->watch, w->prog.done - done, w->prog.failed - failed,
                     w->prog.events - events);
}

static void *writer_main(void *arg)
{
    writer *w = arg;
    run_result *batch[HANDOFF_CAP];
    bool end = false;
    while (!end) {
        size_t n = handoff_pop(&w->q, batch, HANDOFF_CAP, &end);
        writer_take(w, batch, n);
        progress_show(&w->prog, false);
    }
    return NULL;
}

static void free_results(run_result *r)
{
    while (r != NULL) {
        run_result *next = r->next_garbage;
        run_result_free(r);
        r = next;
    }
}

/* Takes the results the writer has put on `g` (all of them at once: no
 * other thread takes from g, so there is no ABA) into the worker's spares,
 * emptied, or frees them; returns a spare for the next run, NULL if there
 * is none. */
static run_result *take_spare(_Atomic(run_result *) *g, worker_spares *s)
{
    run_result *r = atomic_exchange(g, NULL);
    while (r != NULL && s->n < SPARES_KEEP) {
        run_result *next = r->next_garbage;
        result_empty(r);
        r->next_garbage = s->head;
        s->head = r;
        s->n++;
        r = next;
    }
    free_results(r);
    if ((r = s->head) != NULL) {
        s->head = r->next_garbage;
        s->n--;
        r->next_garbage = NULL;
    }
    return r;
}

/* The warm-up of a run: none for a pilot, its point's in opts, else the
 * experiment's. */
static double warmup_of(const experiment *e, const runner_opts *opts, uint64_t run)
{
    if (experiment_is_pilot(e, run))
        return 0;
    return opts->warmup ? opts->warmup[experiment_point(e, run)] : e->warmup;
}

int runner_run(const experiment *e, h5out *o, const runner_opts *opts, runner_stats *st,
               char *err, size_t errlen)
{
    writer w = {.out = o,
                .sink = opts->sink,
                .sink_ctx = opts->sink_ctx,
                .st = st,
                .err = err,
                .errlen = errlen};
    memset(st, 0, sizeof *st);
    int threads = opts->threads >= 1 ? opts->threads : 1;
    if ((size_t)threads > opts->nruns && opts->nruns > 0)
        threads = (int)opts->nruns;
    w.nworkers = (size_t)threads;
    w.garbage = calloc(w.nworkers, sizeof *w.garbage);
    w.spares = calloc(w.nworkers, sizeof *w.spares);
    if (w.garbage == NULL || w.spares == NULL || handoff_init(&w.q, HANDOFF_CAP) < 0) {
        free(w.garbage);
        free(w.spares);
        snprintf(err, errlen, "out of memory");
        return H5OUT_ENOMEM;
    }
    atomic_init(&w.failed, false);
    progress_init(&w.prog, opts->progress_out ? opts->progress_out : stderr,
                  opts->nruns, opts->quiet);
    if ((w.watch = opts->watch) != NULL) {
        /* After a dead worker: its runs count too, since the first began. */
        int64_t unset = 0;
        atomic_compare_exchange_strong(&w.watch->begun_ns, &unset, watch_now_ns());
        w.prog.done = atomic_load(&w.watch->runs_done);
        w.prog.failed = atomic_load(&w.watch->runs_failed);
        w.prog.events = atomic_load(&w.watch->events);
        w.prog.total += w.prog.done;
        w.prog.start = (double)atomic_load(&w.watch->begun_ns) * 1e-9;
    }
    double t0 = progress_clock();
    pthread_t tid;
    if (pthread_create(&tid, NULL, writer_main, &w) != 0) {
        snprintf(err, errlen, "cannot start the writer thread");
        handoff_destroy(&w.q);
        free(w.garbage);
        free(w.spares);
        return H5OUT_ENOMEM;
    }

    atomic_uint_fast64_t skipped = 0;
    atomic_bool nomem = false;
    const uint64_t *runs = opts->runs;
    long n = (long)opts->nruns;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long i = 0; i < n; i++) {
        if ((opts->stop && *opts->stop) || atomic_load(&w.failed) ||
            atomic_load(&nomem)) {
            atomic_fetch_add(&skipped, 1);
            continue;
        }
        size_t slot = (size_t)omp_get_thread_num();
        run_result *old = take_spare(&w.garbage[slot], &w.spares[slot]);
        watch_begin(opts->watch, slot, runs[i]);
        run_result *r = run_at(e, runs[i], warmup_of(e, opts, runs[i]), old);
        watch_end(opts->watch, slot);
        if (r == NULL) {
            atomic_store(&nomem, true);
            atomic_fetch_add(&skipped, 1);
            continue;
        }
        r->worker = slot;
        handoff_push(&w.q, r);
    }

    handoff_close(&w.q);
    pthread_join(tid, NULL);
    handoff_destroy(&w.q);
    for (size_t i = 0; i < w.nworkers; i++) {
        free_results(atomic_exchange(&w.garbage[i], NULL));
        free_results(w.spares[i].head);
    }
    free(w.garbage);
    free(w.spares);
    st->skipped = atomic_load(&skipped);
    st->wall_s = progress_clock() - t0;
    progress_end(&w.prog);
    if (w.rc == 0 && atomic_load(&nomem)) {
        snprintf(err, errlen, "out of memory while collecting a run's results");
        return H5OUT_ENOMEM;
    }
    return w.rc;
}
