/*
 * watch.c — the memory a worker shares with its supervisor, and the
 * worker's crash recorder (watch.h).
 */
#define _GNU_SOURCE
#include "batch/watch.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "usim.h"

static size_t watch_bytes(size_t nslots)
{
    return sizeof(watch) + nslots * sizeof(watch_slot);
}

watch *watch_create(size_t nslots)
{
    watch *w = mmap(NULL, watch_bytes(nslots), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (w == MAP_FAILED)
        return NULL;
    w->nslots = nslots;
    watch_reset(w);
    return w;
}

void watch_free(watch *w)
{
    if (w)
        munmap(w, watch_bytes(w->nslots));
}

void watch_reset(watch *w)
{
    atomic_store(&w->crash_signal, 0);
    atomic_store(&w->crash_run, WATCH_IDLE);
    memset(w->crash_task, 0, sizeof w->crash_task);
    atomic_store(&w->stop_seen, 0);
    atomic_store(&w->finished, 0);
    atomic_store(&w->status, 0);
    for (size_t i = 0; i < w->nslots; i++) {
        atomic_store(&w->slots[i].run, WATCH_IDLE);
        atomic_store(&w->slots[i].started_ns, 0);
    }
}

void watch_count_runs(watch *w, uint64_t runs, uint64_t failed, uint64_t events)
{
    if (w == NULL || runs == 0)
        return;
    atomic_fetch_add(&w->runs_done, runs);
    atomic_fetch_add(&w->runs_failed, failed);
    atomic_fetch_add(&w->events, events);
}

int64_t watch_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The crash recorder's view: the watch, and this thread's slot. */
static watch *crash_watch;
static _Thread_local size_t my_slot = SIZE_MAX;

void watch_begin(watch *w, size_t slot, uint64_t run)
{
    if (w == NULL || slot >= w->nslots)
        return;
    my_slot = slot;
    /* started before run: a reader that sees the run sees its start. */
    atomic_store(&w->slots[slot].started_ns, watch_now_ns());
    atomic_store(&w->slots[slot].run, run);
}

void watch_end(watch *w, size_t slot)
{
    if (w == NULL || slot >= w->nslots)
        return;
    atomic_store(&w->slots[slot].run, WATCH_IDLE);
}

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                                    SIGABRT, SIGSYS, SIGTRAP};

/*
 * Records the first fatal signal, then dies of it: the default action is
 * put back, and a fault returns to the faulting instruction, which raises
 * it again; a signal that was sent (kill, raise, abort) is raised again.
 * Only async-signal-safe work: atomic stores, reading this thread's
 * current task (thread-local pointers), copying its name.
 */
static void on_crash(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    watch *w = crash_watch;
    int none = 0;
    if (w != NULL && atomic_compare_exchange_strong(&w->crash_signal, &none, sig)) {
        uint64_t run =
            my_slot < w->nslots ? atomic_load(&w->slots[my_slot].run) : WATCH_IDLE;
        atomic_store(&w->crash_run, run);
        usim_task *t = run != WATCH_IDLE && usim_current() ? usim_self() : NULL;
        const char *name = t ? usim_task_name(t) : NULL;
        size_t i = 0;
        for (; name && name[i] && i + 1 < WATCH_TASK_LEN; i++)
            w->crash_task[i] = name[i];
        w->crash_task[i] = '\0';
    }
    signal(sig, SIG_DFL);
    if (si == NULL || si->si_code <= 0) /* sent, not a fault */
        raise(sig);
}

int watch_catch_crashes(watch *w)
{
    crash_watch = w;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
        if (sigaction(fatal_signals[i], &sa, NULL) != 0)
            return -1;
    return 0;
}
