/*
 * supervisor.c — the worker process and its watcher (supervisor.h).
 */
#define _GNU_SOURCE /* asprintf, strsignal */
#include "batch/supervisor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_NS 20000000L     /* how often the worker is looked at: 20 ms */
#define FORWARD_NS 100000000L /* a stop signal the worker did not catch: 100 ms */
/* A worker stopped by a signal this long while usim-batch runs: 5 s. */
#define STOPPED_NS 5000000000L

enum { EXIT_IO = 3 };

/* The runs quarantined so far, and the plan of the next worker. */
typedef struct state {
    const supervisor_job *job;
    watch *w;
    quarantined *q;
    size_t nq, capq;
    uint64_t *only;
    size_t nonly;
} state;

static int quarantine(state *st, uint64_t run, run_status status, char *message)
{
    if (message == NULL)
        return -1;
    if (st->nq == st->capq) {
        size_t cap = st->capq ? 2 * st->capq : 8;
        quarantined *q = realloc(st->q, cap * sizeof *q);
        if (q == NULL) {
            free(message);
            return -1;
        }
        st->q = q;
        st->capq = cap;
    }
    st->q[st->nq++] = (quarantined){.run = run, .status = status, .message = message};
    return 0;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

/* The worker: never outlives the supervisor, records its crashes. */
static void worker_main(state *st, pid_t parent, bool first)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(EXIT_IO);
    if (watch_catch_crashes(st->w) != 0)
        fprintf(stderr, "usim-batch: cannot install the crash recorder: %s\n",
                strerror(errno));
    worker_plan plan = {
        .w = st->w,
        .resume = first ? st->job->resume : true,
        .continues = !first,
        .q = st->q,
        .nq = st->nq,
        .only = st->nonly ? st->only : NULL,
        .nonly = st->nonly,
        .threads = st->nonly ? 1 : st->job->threads,
    };
    int status = st->job->work(st->job->ctx, &plan);
    atomic_store(&st->w->status, status);
    atomic_store(&st->w->finished, 1);
    fflush(NULL);
    exit(status);
}

/* The runs in flight, into st->only (their number). */
static size_t in_flight(state *st)
{
    st->nonly = 0;
    for (size_t i = 0; i < st->w->nslots; i++) {
        uint64_t run = atomic_load(&st->w->slots[i].run);
        if (run != WATCH_IDLE)
            st->only[st->nonly++] = run;
    }
    return st->nonly;
}

static void sleep_ns(long ns)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ns};
    nanosleep(&ts, NULL);
}

/* "signal 11 (Segmentation fault)" (of a death or, WIFSTOPPED, a stop)
 * or "exit status 4". */
static void death_name(int wstatus, char *buf, size_t n)
{
    if (WIFSTOPPED(wstatus) || WIFSIGNALED(wstatus)) {
        int sig = WIFSTOPPED(wstatus) ? WSTOPSIG(wstatus) : WTERMSIG(wstatus);
        snprintf(buf, n, "signal %d (%s)", sig, strsignal(sig));
    } else {
        snprintf(buf, n, "exit status %d", WEXITSTATUS(wstatus));
    }
}

/* True if the process is in a stop by a signal ('T' in /proc), not one
 * of a debugger ('t') and not running. */
static bool stopped_by_signal(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *close = strrchr(buf, ')'); /* after the command's name */
    return close != NULL && close[1] == ' ' && close[2] == 'T';
}

/*
 * Watches one worker until it ends.  Kills it when a run is past its
 * wall-clock limit; forwards a stop.  A worker that stays stopped by a
 * signal for STOPPED_NS while this process runs was stopped by a run of
 * it (a model that raised SIGSTOP; job control and a suspended SLURM job
 * stop this process too, and continue both): it is killed, and its stop
 * is returned as the wait status.  Otherwise returns its wait status;
 * *hung is the number of runs quarantined for their limit.
 */
static int watch_worker(state *st, pid_t pid, volatile sig_atomic_t *stop, size_t *hung)
{
    const supervisor_job *job = st->job;
    double limit = job->wall_limit_s;
    int64_t limit_ns = 0;
    if (limit > 0) {
        double margin = limit / 10 > 1.0 ? limit / 10 : 1.0;
        limit_ns = (int64_t)((limit + margin) * 1e9);
    }
    int64_t stop_at = 0, stopped_since = 0, last = watch_now_ns();
    bool forwarded = false;
    int wstatus, stop_status = 0;
    *hung = 0;
    for (;;) {
        pid_t r = waitpid(pid, &wstatus, WNOHANG | WUNTRACED | WCONTINUED);
        int64_t now = watch_now_ns();
        if (r == pid && WIFSTOPPED(wstatus))
            stop_status = wstatus;
        else if (r == pid && !WIFCONTINUED(wstatus))
            return wstatus;
        else if (r < 0 && errno != EINTR)
            return -1;
        /* /proc decides, whether or not a stop or a continue was reported
         * (a stop of this process with the worker is reported after both
         * continue; a debugger's stop that ends in one by a signal is
         * not).  A poll far later than planned: this process was stopped
         * too, so the worker's time stopped alone starts again. */
        if (!stopped_by_signal(pid))
            stopped_since = 0;
        else if (stopped_since == 0 || now - last > 50 * POLL_NS)
            stopped_since = now;
        last = now;
        if (stopped_since != 0 && now - stopped_since >= STOPPED_NS) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
                ;
            /* The stop's report; should it have been missed, SIGSTOP
             * stands for the signal. */
            return stop_status ? stop_status : W_STOPCODE(SIGSTOP);
        }
        if (*stop && !forwarded) {
            if (stop_at == 0)
                stop_at = now;
            if (atomic_load(&st->w->stop_seen))
                forwarded = true;
            else if (now - stop_at >= FORWARD_NS) {
                kill(pid, (int)*stop);
                forwarded = true;
            }
        }
        /* A stopped worker runs nothing: its runs are not past a limit. */
        for (size_t i = 0; limit_ns > 0 && !stopped_since && i < st->w->nslots; i++) {
            uint64_t run = atomic_load(&st->w->slots[i].run);
            int64_t t0 = atomic_load(&st->w->slots[i].started_ns);
            if (run == WATCH_IDLE || now - t0 < limit_ns)
                continue;
            if (*hung == 0)
                kill(pid, SIGKILL);
            /* No measured time in the message: it is part of the results,
             * which do not depend on the machine's speed otherwise. */
            char *msg =
                format("exceeded its wall-clock limit of %g s without yielding", limit);
            if (quarantine(st, run, RUN_LIMIT, msg) == 0)
                (*hung)++;
        }
        if (*hung > 0) {
            while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
                ;
            return wstatus;
        }
        sleep_ns(POLL_NS);
    }
}

/* Says what happened and what the next worker does. */
static void report(const state *st, size_t from, size_t rerun)
{
    for (size_t i = from; i < st->nq; i++)
        fprintf(stderr, "usim-batch: run %" PRIu64 " %s; recorded as %s\n",
                st->q[i].run, st->q[i].message, run_status_name(st->q[i].status));
    if (rerun)
        fprintf(stderr,
                "usim-batch: the %zu other run%s in flight run%s again; the batch goes "
                "on\n",
                rerun, rerun == 1 ? "" : "s", rerun == 1 ? "s" : "");
    else
        fprintf(stderr, "usim-batch: the batch goes on\n");
}

int supervise(const supervisor_job *job, volatile sig_atomic_t *stop)
{
    state st = {.job = job};
    size_t nslots = job->threads > 0 ? (size_t)job->threads : 1;
    int status = EXIT_IO;
    st.w = watch_create(nslots);
    st.only = calloc(nslots, sizeof *st.only);
    if (st.w == NULL || st.only == NULL) {
        fprintf(stderr, "usim-batch: cannot set up the worker process: %s\n",
                strerror(errno));
        goto out;
    }
    pid_t self = getpid();
    for (bool first = true;; first = false) {
        watch_reset(st.w);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "usim-batch: cannot start a worker process: %s\n",
                    strerror(errno));
            goto out;
        }
        if (pid == 0)
            worker_main(&st, self, first);

        bool isolating = st.nonly > 0;
        size_t hung, before = st.nq;
        int ws = watch_worker(&st, pid, stop, &hung);
        if (ws == -1) {
            fprintf(stderr, "usim-batch: lost the worker process: %s\n",
                    strerror(errno));
            goto out;
        }
        if (atomic_load(&st.w->finished)) {
            status = atomic_load(&st.w->status);
            if (isolating && !*stop) {
                st.nonly = 0; /* the suspects passed alone: the rest now */
                continue;
            }
            goto out;
        }
        if (*stop) {
            /* Stopped: what the worker did not record (a run killed for
             * its limit) --resume runs again. */
            status = 128 + (int)*stop;
            goto out;
        }
        char how[96];
        death_name(ws, how, sizeof how);
        size_t flying = in_flight(&st);
        int sig = atomic_load(&st.w->crash_signal);
        uint64_t culprit = atomic_load(&st.w->crash_run);
        if (hung > 0) {
            /* The quarantined runs are in st.q; the others run again. */
        } else if (sig != 0 && culprit != WATCH_IDLE) {
            const char *task = st.w->crash_task;
            char *msg =
                task[0]
                    ? format("crashed the worker: signal %d (%s) in task '%s'", sig,
                             strsignal(sig), task)
                    : format("crashed the worker: signal %d (%s)", sig, strsignal(sig));
            if (quarantine(&st, culprit, RUN_FAILED, msg) < 0)
                goto nomem;
        } else if (flying == 1) {
            char *msg = format("%s the worker (%s) while it ran, with no crash record",
                               WIFSTOPPED(ws) ? "stopped" : "killed", how);
            if (quarantine(&st, st.only[0], RUN_FAILED, msg) < 0)
                goto nomem;
        } else if (flying > 1) {
            fprintf(
                stderr,
                "usim-batch: the worker died (%s) with %zu runs in flight and no crash "
                "record; running them again one at a time to find the culprit\n",
                how, flying);
            continue;
        } else {
            fprintf(
                stderr,
                "usim-batch: the worker died (%s) outside any run, so not because of "
                "a model; the output stays resumable: usim-batch --resume\n",
                how);
            goto out;
        }
        /* The quarantined runs leave st.only; the rest of it runs again. */
        size_t rerun = 0;
        for (size_t i = 0; i < flying; i++) {
            bool q = false;
            for (size_t k = before; k < st.nq; k++)
                q |= st.q[k].run == st.only[i];
            rerun += !q;
        }
        st.nonly = 0;
        report(&st, before, rerun);
    }
nomem:
    fprintf(stderr, "usim-batch: out of memory\n");
    status = EXIT_IO;
out:
    for (size_t i = 0; i < st.nq; i++)
        free(st.q[i].message);
    free(st.q);
    free(st.only);
    watch_free(st.w);
    return status;
}
