/*
 * usim.h — the public API of libusim, a discrete-event simulation kernel.
 *
 * A simulation (usim_sim) runs tasks: coroutines that live in simulated
 * time.  Inside a task the simulation is implicit (thread-local), as in
 * Python μsim: usim_now(), usim_sleep(), usim_spawn() need no handle.
 * One simulation runs on one OS thread; different threads may run
 * different simulations at the same time.
 *
 * Error convention: every call that can block or fail returns 0 or a
 * negative USIM_E* code; usim_strerror() names the code and usim_errmsg()
 * gives the details of the last USIM_EINVAL/USIM_ESTATE on this thread.
 *
 * Floating point (x86-64): MXCSR and the x87 control word belong to the
 * thread.  A task that changes them (rounding mode, exception masks) must
 * restore them before its next blocking call; debug builds check this.
 */
#ifndef USIM_H
#define USIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* USIM_VERSION_MAJOR, _MINOR, _PATCH, _NUMBER (0x000300 for 0.3.0) and
 * _STRING ("0.3.0"): the version of these headers. */
#include <usim/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#define USIM_VERSION USIM_VERSION_STRING /* its name before usim 0.3 */

#if defined(__GNUC__)
#define USIM_API __attribute__((visibility("default")))
#define USIM_NORETURN __attribute__((noreturn))
#define USIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define USIM_API
#define USIM_NORETURN
#define USIM_PRINTF(f, a)
#endif

/* The version of the library the program runs with, "MAJOR.MINOR.PATCH":
 * USIM_VERSION_STRING of the headers libusim was built from.  A program
 * built against other headers than the library it loads (a plugin, a
 * program linked against an older libusim.so.N) can compare the two. */
USIM_API const char *usim_version(void);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

enum {
    USIM_OK = 0,
    USIM_ECANCELED = -1, /* the calling task is cancelled (sticky) */
    USIM_ETIMEDOUT = -2, /* a deadline passed (the scope's or usim_timeout's) */
    USIM_EINTR = -3,     /* interrupted: usim_cause() tells by what */
    USIM_ECLOSED = -4,   /* the queue or channel is closed */
    USIM_EINVAL = -5,    /* invalid argument: usim_errmsg() says which */
    USIM_EAGAIN = -6,    /* a try-operation would have to wait */
    USIM_ENOMEM = -7,    /* out of memory */
    USIM_ESTATE = -8,    /* not allowed here (e.g. outside a running task) */
    USIM_EFAILED = -9,   /* a joined task or a scope's child failed */
    USIM_ECHILD = -10,   /* a child of a scope the caller owns failed */
    USIM_EOVERRUN = -11, /* a periodic iteration started late (usim_every) */
};

USIM_API const char *usim_strerror(int code);
/* Details of the last USIM_EINVAL or USIM_ESTATE on this thread. */
USIM_API const char *usim_errmsg(void);
/* Sets this thread's error message and returns `code` (for models and
 * extensions: `return usim_error(USIM_EINVAL, "rate %g < 0", r);`). */
USIM_API int usim_error(int code, const char *fmt, ...) USIM_PRINTF(2, 3);

/* ------------------------------------------------------------------ */
/* Simulations                                                         */
/* ------------------------------------------------------------------ */

typedef enum usim_drift {
    USIM_DRIFT_NAIVE,   /* round every sleep up on its own */
    USIM_DRIFT_TRACKED, /* carry the exact target across timed waits */
    USIM_DRIFT_STRICT,  /* a non-integral number of ticks fails the run */
} usim_drift;

/*
 * Turn order: who runs next when several tasks are ready at one time.
 * Every order keeps one FIFO of ready tasks: a task made ready (spawned,
 * woken, or at its timer) joins the back, so a woken task runs after the
 * tasks that were ready before it.  The orders differ in what the task
 * that makes others ready does, and in which ready task runs next.
 *
 * fifo, lifo, random: a turn point is a call that makes another task
 * ready (a spawn; a flag set, queue put, release, cancel or interrupt
 * that wakes a waiter), a wait whose condition already holds
 * (usim_flag_wait_true of a true flag, usim_tracked_wait that holds) and
 * usim_instant(), which always yields; a call that wakes nobody is not a
 * turn point.  Under fifo the actor goes behind the ready tasks at a turn
 * point; under lifo it keeps running (so the woken run after it); under
 * random the next task is drawn from the ready ones, the actor included.
 * The draws come from the kernel's own generator, seeded from (seed,
 * run): a run is reproducible and the models' random streams are not
 * touched.
 *
 * musim: the order of Python μsim 0.4.4, turn for turn; none of the other
 * three is.  Every call that is an awaited operation in μsim postpones
 * the caller once, to the back of the ready tasks at the same time, even
 * if it wakes nobody: usim_flag_set (also when the value does not
 * change), usim_tracked_set/add/update, usim_queue_put (after a wait for room
 * too), usim_queue_get that finds an item, usim_queue_close (also when
 * closed already), usim_channel_send and usim_channel_close,
 * usim_container_put/get (after any wait), usim_join of an ended task,
 * usim_scope_wait of a scope whose owner has reached close, a wait
 * whose condition holds already (which then checks it again), and
 * usim_wait_cond of an any or all, whatever its value.
 * usim_resource_request (after any wait) and usim_resource_release
 * postpone twice, as μsim's borrow does on entry and on exit.  Spawning,
 * cancelling, interrupting, usim_lock_acquire of a free lock,
 * usim_lock_release (which hands the lock to the oldest waiter), the try_
 * calls, and a task's end never suspend the caller.  A woken task is
 * queued when it is woken, so it runs before the waker's postpone.
 * usim_sleep(d) is μsim's `time + d` and usim_sleep_until(t) its
 * `time >= t`, which resumes one turn later than a `time + d` due at the
 * same time (μsim's trigger hop), as does a usim_wait_cond woken by a
 * time part.  A woken flag, tracked or condition waiter checks
 * its condition again when it runs and waits again if it no longer
 * holds.  usim_scope_close postpones once, then waits for the children in
 * spawn order, one postpone for each that has already ended.
 *
 * Where musim still differs from μsim (found by the ports of μsim's tests,
 * tests/unit/test_musim_*.c, which pass under musim but for the last):
 *   - a task cancelled (or interrupted, or told of a failed child) while
 *     its wake-up is pending gets the code from its next blocking call at
 *     once, where μsim delivers it one turn later;
 *   - the children a scope close cancels end in turns of their own before
 *     close returns, where μsim closes them within the owner's turn;
 *   - a scope ended (deadline, usim_scope_open_when) while its owner is in
 *     a call that postpones but returns nothing (usim_flag_set,
 *     usim_tracked_set) cannot abort that call as it aborts μsim's await:
 *     the owner's next blocking call returns USIM_ETIMEDOUT;
 *   - a usim_wait_cond waiter that waits again after a false check sets
 *     a new timer for its time parts, where μsim keeps its one trigger,
 *     so among timers due at one time it may come later;
 *   - the waiters one change of a usim_resources wakes are woken in
 *     waiting order; μsim's order there is unspecified (it varies
 *     between runs);
 *   - usim_first returns after its scope has closed (one postpone later);
 *     μsim's first is an iterator whose body runs before the close;
 *   - usim_sleep_until(INFINITY), and a usim_wait_cond of `time >= inf`
 *     or `time == inf`, wait forever, where μsim's `await (time >= inf)`
 *     and `await (time == inf)` resume with the clock at inf (the two
 *     ports skipped as known differences).
 *
 * The default is fifo, because it is cheaper and a model written for usim
 * rarely depends on μsim's exact interleaving (fifo still runs a woken
 * task before its waker goes on).  Measured (BENCHMARKS.md, "turn
 * orders: the cost of musim"): the M/M/1 benchmark (tests/bench/mm1)
 * takes 4.0 turns per customer under musim instead of 2.2 and 811
 * instructions instead of 592 (fifo needs 27% fewer).  Against μsim's own
 * tests (tests/unit/README.md) musim passes 116 of the 118 ported, fifo
 * 93 and lifo 93.
 * Choose musim to reproduce a μsim model's trace.
 */
typedef enum usim_order {
    USIM_ORDER_FIFO,   /* at a turn point the actor goes behind the ready */
    USIM_ORDER_LIFO,   /* the actor keeps running */
    USIM_ORDER_RANDOM, /* next task drawn uniformly from the ready ones */
    USIM_ORDER_MUSIM,  /* Python μsim's order, postpones included */
} usim_order;

/* Names: "naive" "tracked" "strict" / "fifo" "lifo" "random" "musim".
 * Parsers return 0 or USIM_EINVAL. */
USIM_API const char *usim_drift_name(usim_drift d);
USIM_API int usim_drift_parse(const char *name, usim_drift *out);
USIM_API const char *usim_order_name(usim_order o);
USIM_API int usim_order_parse(const char *name, usim_order *out);

/* The bytes a task stack may have (usim_config.stack_size and
 * usim_spawn_opts.stack_size); sizes outside are USIM_EINVAL.  16 KiB is
 * the least the kernel's own frames, a formatted failure message and a
 * sanitizer build's larger frames need.  1 GiB is far beyond any coroutine's needs:
 * stacks are mapped whole, and a larger size is almost surely a unit mistake that a few
 * tasks would turn into exhausted address space. */
#define USIM_STACK_MIN (16 * 1024)
#define USIM_STACK_MAX (1024 * 1024 * 1024)

/* Stacks.  A task's stack has stack_size bytes rounded up to whole pages
 * (4 KiB on x86-64; 4, 16 or 64 KiB on AArch64), and nothing else changes
 * it: that is the size an overflow message reports.  The top few hundred
 * bytes to 1 KiB hold the task's start frame and a cache-colouring offset.
 *
 * A stack overflow fails the run ("stack overflow in task 'server'
 * (64 KiB stack)"); the process goes on.  It is caught when the faulting
 * access lands in the stack's guard: guard_size bytes of address space
 * right below the stack that are never accessible.  usim, and the models
 * built with `pkg-config --cflags usim`, are compiled with
 * -fstack-clash-protection (where the compiler has it): a frame larger than the probe
 * interval touches its memory in steps of that interval from the top as it grows (GCC:
 * every page on x86-64, every 64 KiB on AArch64), so however big the frame, its first
 * access beyond the stack lands in a guard at least that large.  Code compiled without
 * it (and alloca) moves the stack pointer by a whole frame at once: such a frame is
 * caught if its first access lands in the guard, roughly if it is smaller than
 * stack_size + guard_size; a larger one writes into whatever lies below, silently.  The
 * guard costs address space only (no memory, no commit charge, and one mapping of
 * vm.max_map_count per stack whatever its size), but it does count
 * against RLIMIT_AS (ulimit -v). */
#define USIM_GUARD_SIZE_DEFAULT ((size_t)1 << 20) /* 1 MiB */
#define USIM_GUARD_SIZE_MAX ((size_t)1 << 30)     /* 1 GiB */

typedef struct usim_config {
    double resolution; /* model time units per tick, > 0 (1e-9) */
    usim_drift drift;  /* USIM_DRIFT_NAIVE */
    usim_order order;  /* USIM_ORDER_FIFO */
    uint64_t seed;     /* experiment seed (0) */
    uint64_t run;      /* run id, < 2^32 (0) */
    size_t stack_size; /* default bytes per task stack (65536), within
                          USIM_STACK_MIN..USIM_STACK_MAX, rounded up to
                          whole pages */
    bool stack_guard;  /* a guard region below every stack (true); past
                          about half of vm.max_map_count guarded stacks in
                          the process, new stacks come without (a notice on
                          stderr says so once); false: stacks are carved
                          from large slabs, for millions of tasks, and an
                          overflow is not caught */
    size_t guard_size; /* default bytes of guard below each guarded stack
                          (USIM_GUARD_SIZE_DEFAULT, 1 MiB: the gap Linux
                          keeps below a process's main stack), at most
                          USIM_GUARD_SIZE_MAX; rounded up to whole pages
                          and to the probe interval (one page on x86-64,
                          64 KiB on AArch64), so 0 is the smallest guard:
                          on x86-64 the single page of usim 0.2 */
    /* Budgets per usim_sim_run, 0 = none.  A run that spends one ends
     * USIM_LIMIT with the clock at its last event (the next one is not
     * run, and time does not move to it); usim_sim_destroy then cancels
     * the waiting tasks there, at that time. */
    uint64_t max_events; /* events */
    double max_wall_s;   /* wall-clock seconds */
} usim_config;

USIM_API void usim_config_init(usim_config *cfg);
/* 0, or USIM_EINVAL with usim_errmsg() naming the bad field. */
USIM_API int usim_config_check(const usim_config *cfg);

typedef struct usim_sim usim_sim;
typedef struct usim_task usim_task;

/* A task's body.  Its return value is what usim_join() hands back. */
typedef void *(*usim_fn)(void *arg);

/*
 * Options of a spawn; zero-initialise and set what is needed.  A delayed
 * start (after or at) is μsim's `do(..., after=, at=)`: the task takes its
 * first turn at the spawn as any other, then waits (it is then RUNNING,
 * see usim_task_status) and runs fn at the start time.  after == 0 and at
 * == now start at once; after < 0, at earlier than now, and both set are
 * USIM_EINVAL; INFINITY never starts.  If the wait for the start ends
 * otherwise (the task is cancelled or interrupted, its scope's deadline
 * passes), fn never runs and the task is CANCELLED.
 */
typedef struct usim_spawn_opts {
    size_t stack_size;   /* 0: the simulation's default; else within
                            USIM_STACK_MIN..USIM_STACK_MAX */
    bool detached;       /* free the task when it ends (no join) */
    bool volatile_child; /* usim_scope_spawn_ex only: cancelled when the
                            scope closes (usim_scope_spawn_volatile) */
    size_t guard_size;   /* 0: the simulation's default; else as
                            usim_config.guard_size (1: the smallest guard) */
    double after;        /* 0 or NaN: none; else start this much later */
    double at;           /* 0 or NaN: none; else start at this time */
} usim_spawn_opts;

/* NULL if cfg is invalid (usim_errmsg says why) or memory ran out. */
USIM_API usim_sim *usim_sim_create(const usim_config *cfg);
/* Cancels every task, lets them unwind, frees everything. */
USIM_API void usim_sim_destroy(usim_sim *sim);

/* Spawns a task from the host (outside any task), to start at the
 * current simulated time.  NULL on error. */
USIM_API usim_task *usim_sim_spawn(usim_sim *sim, usim_fn fn, void *arg,
                                   const char *name);
USIM_API usim_task *usim_sim_spawn_ex(usim_sim *sim, usim_fn fn, void *arg,
                                      const char *name, const usim_spawn_opts *opts);

typedef enum usim_status {
    USIM_DONE,     /* nothing left to do: every task has finished */
    USIM_PAUSED,   /* reached `until` with events still pending */
    USIM_DEADLOCK, /* no events left but tasks still wait (see below) */
    USIM_FAILED,   /* usim_fail, a failed task, overflow, strict drift */
    USIM_LIMIT,    /* event or wall-clock budget exhausted */
} usim_status;

USIM_API const char *usim_status_name(usim_status s);

/* Runs until simulated time `until` (INFINITY: until idle) and returns
 * why it stopped.  Events at exactly `until` are run.  USIM_PAUSED leaves
 * the clock at `until`; USIM_DONE leaves it at the last event.  A PAUSED
 * or DONE simulation may be continued (after spawning more tasks from the
 * host, say) by calling again; DEADLOCK, FAILED and LIMIT are final.
 *
 * The simulation being set up on a thread is the one last created or
 * spawned into from the host there (usim_sim_create, usim_sim_spawn*)
 * and not yet run or destroyed: a model's setup runs then.  A call made
 * there that needs a running task (usim_sleep, usim_spawn, a blocking
 * primitive call, usim_now, ...), or a call on a destroyed primitive, is
 * a mistake: besides its usual error return it makes this first run end
 * USIM_FAILED at once, before any event, with the first such message
 * ("usim_sleep: called outside a running task"). */
USIM_API usim_status usim_sim_run(usim_sim *sim, double until);
USIM_API usim_status usim_sim_status(const usim_sim *sim);
/* Why the run failed, deadlocked or hit a limit; NULL otherwise. */
USIM_API const char *usim_sim_error(const usim_sim *sim);

USIM_API double usim_sim_now(const usim_sim *sim);

/*
 * Warm-up: the statistics of a simulation start at time t, so that the
 * start-up of a model started empty does not bias its results.  Host
 * side, once, before the first run; t finite and >= 0 (USIM_EINVAL),
 * else USIM_ESTATE.  Every usim_tally, usim_level (also a tracked
 * value's) and usim_histogram initialised while the simulation is being
 * set up or runs, before t, is reset at t (usim_tally_reset,
 * usim_level_reset, usim_histogram_reset): what is recorded at t itself
 * and later counts, what came before does not.  Then the hooks run, in
 * the order registered, on the host stack (not in a task: they must not
 * block), with usim_sim_now(sim) == t.  A run that ends (USIM_DONE)
 * before t resets and calls them when it ends: there are no statistics
 * after the warm-up.  Such a statistic must stay in memory until t or
 * the end of the run (usim_tracked_destroy and usim_histogram_destroy
 * forget theirs; those in the frames of a task that ends before t are
 * forgotten when it ends).  One in memory the model frees before t (a
 * heap struct, a frame of setup's) must not be initialised before t.  Without a warm-up
 * nothing is registered, and adding to a statistic costs the same either way.  Traces
 * are not cut.
 */
typedef void (*usim_warmup_fn)(usim_sim *sim, void *ctx);
USIM_API int usim_sim_set_warmup(usim_sim *sim, double t);
/* The warm-up time as set, NaN if none. */
USIM_API double usim_sim_warmup(const usim_sim *sim);
/* For counters of the model's own (plain sums in its state): fn(sim,
 * ctx) runs at the warm-up.  Called in setup or from a task before t;
 * without a pending warm-up it does nothing and returns 0.  0, or
 * USIM_EINVAL (NULL sim or fn), USIM_ENOMEM. */
USIM_API int usim_sim_on_warmup(usim_sim *sim, usim_warmup_fn fn, void *ctx);
USIM_API int64_t usim_sim_now_ticks(const usim_sim *sim);
/* A number of ticks (a whole number, or a sum or mean of them) as model
 * time, by usim_now's rule (below). */
USIM_API double usim_sim_ticks_time(const usim_sim *sim, double ticks);
USIM_API uint64_t usim_sim_events(const usim_sim *sim);
USIM_API const usim_config *usim_sim_config(const usim_sim *sim);
USIM_API void usim_sim_set_userdata(usim_sim *sim, void *data);
USIM_API void *usim_sim_userdata(const usim_sim *sim);
/* The simulation running on this thread, or NULL. */
USIM_API usim_sim *usim_current(void);

/* Deadlock report: tasks waiting when the run stopped, with what each
 * waits on ("flag 'door'", "join of task 'worker'", ...). */
USIM_API size_t usim_sim_blocked_count(const usim_sim *sim);
USIM_API int usim_sim_blocked(const usim_sim *sim, size_t i, const char **task,
                              const char **waits_on);

/* ------------------------------------------------------------------ */
/* Time (inside a task)                                                */
/* ------------------------------------------------------------------ */

/* The current time: ticks / (1 / resolution) when 1 / resolution is
 * within 1e-9 of a whole number n (then every whole number of time units
 * reads exactly: at 1e-9, 3 sleeps of 20 read 60), else ticks *
 * resolution.  usim_sim_now, traces and the run's messages turn ticks
 * into time the same way. */
USIM_API double usim_now(void);
USIM_API int64_t usim_now_ticks(void);
/*
 * Timed waits.  Each returns 0 when the time has come, or USIM_ECANCELED,
 * USIM_EINTR, USIM_ETIMEDOUT (a deadline), USIM_ECHILD (a child of a
 * scope the caller owns failed) if the wait ended otherwise; USIM_EINVAL
 * for a bad argument, USIM_ESTATE outside a task.  A wait that ends at
 * the current tick (usim_sleep(0), usim_delay(0), usim_sleep_until of
 * the current time or the past) is exactly usim_instant().
 */
/* Waits d time units; the drift policy rounds to ticks.  d >= 0, finite. */
USIM_API int usim_sleep(double d);
/* Waits exactly `ticks` ticks (>= 0). */
USIM_API int usim_delay(int64_t ticks);
/* Waits until the first tick at or after absolute time t.  INFINITY waits
 * forever (μsim's eternity): only a cancellation, an interrupt or a
 * deadline ends it.  Under musim it resumes one turn after the
 * usim_sleep waiters due at the same tick (μsim's `time >= t`). */
USIM_API int usim_sleep_until(double t);
/* A turn point without time passing: the caller goes behind the other
 * ready tasks (under every order). */
USIM_API int usim_instant(void);

/*
 * A deadline for the calling task's next blocking call only (a call that
 * may wait: the timed waits, usim_join, usim_scope_wait and
 * usim_scope_close, and the primitives' waiting calls): if it is still
 * waiting at `d` time units from now (usim_timeout) or at absolute time
 * `t` (usim_timeout_at), it returns USIM_ETIMEDOUT, as for a scope
 * deadline; with a scope deadline the earlier wins.  That next call
 * clears it, whatever its result, even if it did not have to wait.
 * Setting another replaces it; INFINITY clears it.  0, USIM_EINVAL (d < 0
 * or NaN) or USIM_ESTATE outside a task.
 */
USIM_API int usim_timeout(double d);
USIM_API int usim_timeout_at(double t);

/*
 * Drift-free periodic loop: iteration k (k = 1, 2, ...) starts at the first
 * tick at or after t0 + k*interval, t0 being the time of
 * usim_every_begin().  An iteration whose start is already past when
 * usim_every_next() is called is an overrun: it is counted, and it starts
 * at once (after a usim_instant), the schedule not shifted; or, with
 * USIM_EVERY_OVERRUN_FAILS (μsim's IntervalExceeded), the loop ends there:
 * usim_every_next returns false with e.rc = USIM_EOVERRUN.  An iteration
 * due exactly now is not an overrun.
 *
 *     for (usim_every e = usim_every_begin(1.5); usim_every_next(&e);)
 *         ...;
 *
 * usim_every_next() returns false when the wait fails; e.rc holds why.
 */
typedef struct usim_every {
    double interval;
    int64_t t0;   /* ticks */
    uint64_t k;   /* iterations started */
    int64_t last; /* tick of the previous iteration start */
    uint64_t overruns;
    int rc;
    unsigned flags;
} usim_every;

#define USIM_EVERY_OVERRUN_FAILS 1u

USIM_API usim_every usim_every_begin(double interval);
/* flags: 0 or USIM_EVERY_OVERRUN_FAILS; other bits are USIM_EINVAL (e.rc). */
USIM_API usim_every usim_every_begin_ex(double interval, unsigned flags);
USIM_API bool usim_every_next(usim_every *e);

/*
 * Drift statistics.  Each completed timed wait (usim_sleep, usim_delay,
 * usim_sleep_until, periodic iteration) requested `r` time units and
 * actually lasted `a`; its drift is a - r.  final = sum of drifts =
 * actual - requested.  Waits cut short (cancel, interrupt, deadline) are
 * not counted.
 */
typedef struct usim_drift_stats {
    uint64_t waits;
    double requested; /* sum of requested durations */
    double actual;    /* sum of actual durations */
    double mean_abs;  /* mean |drift| per wait */
    double max_abs;   /* max |drift| */
    double final;     /* accumulated drift, actual - requested */
    uint64_t overruns;
} usim_drift_stats;

USIM_API usim_drift_stats usim_task_drift(const usim_task *t);
/* Whole run (all tasks, finished or not). */
USIM_API usim_drift_stats usim_sim_drift(const usim_sim *sim);
/* Per task name (tasks of one name are summed), in order of first use. */
USIM_API size_t usim_sim_drift_groups(const usim_sim *sim);
USIM_API int usim_sim_drift_group(const usim_sim *sim, size_t i, const char **name,
                                  usim_drift_stats *out);

/*
 * The distribution of the drift of every completed timed wait of the run
 * (all tasks), as counts of |actual - requested| in resolution units
 * (ticks): bin k counts the drifts in [2^(k - USIM_DRIFT_BIN_ZERO),
 * 2^(k + 1 - USIM_DRIFT_BIN_ZERO)) ticks, bin 0 also everything smaller
 * (exactly on time included) and the last bin everything larger.  With
 * the naive policy a wait drifts by its rounding up to whole ticks, less
 * than a tick (bins below USIM_DRIFT_BIN_ZERO); a wait that overran shows
 * far above.
 */
#define USIM_DRIFT_BINS 64
#define USIM_DRIFT_BIN_ZERO 33 /* bin k starts at 2^(k - 33) ticks */
USIM_API void usim_sim_drift_hist(const usim_sim *sim, uint64_t bins[USIM_DRIFT_BINS]);

/* ------------------------------------------------------------------ */
/* Tasks (inside a task)                                               */
/* ------------------------------------------------------------------ */

/* Cause of an interrupt by a preemptive resource request. */
#define USIM_CAUSE_PREEMPTED (-1)

/* Spawns a task that belongs to no scope: it lives until it returns or
 * the simulation ends (use usim_scope_spawn to tie it to a scope).  A
 * spawn is a turn point (except under musim: the spawner goes on).  Names
 * are copied (truncated to 39 bytes).  NULL on error (usim_errmsg). */
USIM_API usim_task *usim_spawn(usim_fn fn, void *arg, const char *name);
USIM_API usim_task *usim_spawn_ex(usim_fn fn, void *arg, const char *name,
                                  const usim_spawn_opts *opts);
/* Waits for t to end.  0: t returned (result set if non-NULL);
 * USIM_EFAILED: t failed (usim_task_error); USIM_ECANCELED: t ended
 * because it was cancelled (USIM_TASK_CANCELLED; the result is what its
 * function returned, NULL if it never ran); or the caller's own
 * USIM_ECANCELED/EINTR/ETIMEDOUT/ECHILD (usim_cancelled() and
 * usim_task_status() tell the two USIM_ECANCELED apart).  A task handle
 * stays valid until the simulation is destroyed unless the task is
 * detached. */
USIM_API int usim_join(usim_task *t, void **result);
USIM_API void usim_detach(usim_task *t);
USIM_API usim_task *usim_self(void);
USIM_API const char *usim_task_name(const usim_task *t);
/* True once t has ended, or has been cancelled before it started. */
USIM_API bool usim_task_done(const usim_task *t);
USIM_API bool usim_task_cancelled(const usim_task *t);
USIM_API const char *usim_task_error(const usim_task *t);

/* A task's state, as μsim's TaskState (the same bit values; FINISHED is
 * the three end states):
 *   CREATED    spawned, its first turn not taken yet;
 *   RUNNING    has taken a turn and not ended (a delayed start waiting
 *              for its start time is RUNNING; so is a task cancelled
 *              while running, until it ends);
 *   CANCELLED  cancelled before it started (at once: its function never
 *              runs), or ended after one of its calls had returned
 *              USIM_ECANCELED (a task cancelled in its last turn that
 *              makes no further blocking call ends SUCCESS, as in μsim);
 *   FAILED     usim_task_fail, usim_fail or a stack overflow;
 *   SUCCESS    returned otherwise. */
typedef enum usim_task_state {
    USIM_TASK_CREATED = 1,
    USIM_TASK_RUNNING = 2,
    USIM_TASK_CANCELLED = 4,
    USIM_TASK_FAILED = 8,
    USIM_TASK_SUCCESS = 16,
    USIM_TASK_FINISHED = 28,
} usim_task_state;

/* t's state; 0 for NULL.  Works from the host too. */
USIM_API usim_task_state usim_task_status(const usim_task *t);
/* "created" "running" "cancelled" "failed" "success", NULL otherwise. */
USIM_API const char *usim_task_state_name(usim_task_state s);

/* Cancels t: its current and every later blocking call returns
 * USIM_ECANCELED.  A task that has not started yet never runs: it is
 * done at once, CANCELLED, and its joiners are woken (it still takes its
 * turn, to leave its scope).  Cancelling an ended task changes nothing.
 * Waking a waiting task makes this a turn point (not under musim). */
USIM_API void usim_cancel(usim_task *t);
/* True if the calling task is cancelled. */
USIM_API bool usim_cancelled(void);
/* Interrupts t's current (or next) blocking call with USIM_EINTR; t reads
 * `cause` with usim_cause().  Causes > 0 are the user's. */
USIM_API void usim_interrupt(usim_task *t, int cause);
USIM_API int usim_cause(void);

/* Ends the whole run as failed with this message; does not return.  The
 * calling task's stack is abandoned, not unwound: it stays allocated
 * until the simulation is destroyed, so what lives there (a scope whose
 * children are unwound by usim_sim_destroy, a queue others wait on)
 * stays valid memory until then.  Outside any task it ends the innermost
 * usim_catch_fail on this thread; with none, it prints the message and
 * aborts the process. */
USIM_API USIM_NORETURN void usim_fail(const char *fmt, ...) USIM_PRINTF(1, 2);
/* Calls fn(arg) and returns what it returns, except that a usim_fail()
 * outside any task during the call (in a model's setup, finish or
 * teardown, which run outside the simulation's tasks) jumps back here:
 * the call returns USIM_EFAILED, usim_errmsg() has the message, and a
 * simulation being set up fails its run at once, as for the other
 * mistakes of setup.  What fn had allocated or locked by then stays so,
 * as after a longjmp.  fn must return or usim_fail: it must not leave by
 * a longjmp of its own.  Calls nest.  Inside a running task usim_fail
 * ends the run as always (and a usim_catch_fail made there just calls
 * fn); in a hook that a run calls outside its tasks (usim_sim_on_warmup)
 * it aborts as without a catch, since jumping out would leave the run
 * going. */
USIM_API int usim_catch_fail(int (*fn)(void *arg), void *arg);
/* Marks the calling task failed; it should then return.  Returns NULL so
 * that `return usim_task_fail("...")` reads naturally.  A failed child
 * fails its scope; a failed task outside any scope fails the run. */
USIM_API void *usim_task_fail(const char *fmt, ...) USIM_PRINTF(1, 2);

/* ------------------------------------------------------------------ */
/* Scopes (μsim's `async with Scope()` / `until`)                      */
/* ------------------------------------------------------------------ */

typedef struct usim_waitlist {
    usim_task *head, *tail;
} usim_waitlist;

/* The private records behind conditions (see "Conditions" below): a
 * primitive that can be part of a condition embeds a usim_cond_source,
 * the list of the condition waits watching it; each watch is one
 * usim_cond_listener per part, kept by the wait (on its task's stack) or
 * by the scope that ends on the condition.  Their fields are private. */
struct usim_cond;
struct usim_cond_watch;
typedef struct usim_cond_listener {
    struct usim_cond_listener *next, *prev;
    struct usim_cond_source *src;
    struct usim_cond_watch *watch;
    const struct usim_cond *leaf;
    uint64_t stamp; /* the source's stamp when it started watching */
    bool neg;       /* the part is inverted by an enclosing usim_cond_not */
} usim_cond_listener;

typedef struct usim_cond_source {
    usim_cond_listener *head, *tail;
    uint64_t stamp; /* counts the waits started on the primitive */
} usim_cond_source;

/* A scope's condition may have at most this many parts that are not
 * composites (usim_scope_open_when). */
#define USIM_SCOPE_WHEN_MAX 8

typedef struct usim_cond_watch {
    const struct usim_cond *cond;
    usim_task *task;          /* a usim_wait_cond: the waiting task */
    struct usim_scope *scope; /* a usim_scope_open_when: the scope */
    usim_cond_listener *ls;
    size_t nls;
    size_t index; /* the part found true, when fired */
    bool musim;   /* μsim's rules: a part that becomes true wakes */
    bool fired;
} usim_cond_watch;

/* A scope lives on its owner's stack; its fields are private. */
typedef struct usim_scope {
    struct usim_scope *parent;
    usim_task *owner;
    usim_task *children, *children_tail; /* private list, spawn order */
    size_t live;                         /* non-volatile children still running */
    size_t live_volatile;
    int64_t deadline; /* ticks, INT64_MAX if none */
    bool failed;
    bool closing_wait_all;
    bool body_done; /* the owner has reached usim_scope_close */
    char error[200];
    usim_waitlist closer;
    usim_waitlist watchers;              /* usim_scope_wait */
    usim_task *failures, *failures_tail; /* failed children, failure order */
    size_t nfailures;
    uint64_t snap; /* generation of the children close waits for (musim) */
    bool when;     /* usim_scope_open_when: `watch` is in use */
    usim_cond_watch watch;
    usim_cond_listener when_ls[USIM_SCOPE_WHEN_MAX];
} usim_scope;

USIM_API void usim_scope_open(usim_scope *s);
/* A scope whose blocking calls (the owner's and its children's) return
 * USIM_ETIMEDOUT from absolute time `deadline` on.  A timed wait that
 * ends exactly at the deadline completes normally.  Nested scopes take
 * the earlier of their own and the enclosing deadline. */
USIM_API void usim_scope_open_until(usim_scope *s, double deadline);
/*
 * A scope that ends when condition *c holds (μsim's `async with
 * until(condition)`): from then on its blocking calls (the owner's and
 * its children's, nested scopes included) return USIM_ETIMEDOUT, exactly
 * as after a usim_scope_open_until deadline at that moment; tasks
 * blocked in the scope are woken with it at once, and close cancels the
 * children still running.  A condition that holds at the open ends the
 * scope at once (the owner's next blocking call returns USIM_ETIMEDOUT).
 * The condition (and the arrays its composites point to) must stay in
 * memory until usim_scope_close.
 *
 * Time parts are deadlines: `time >= t` and `time == t` end the scope at
 * the first tick at or after t (a timed wait ending exactly then
 * completes, as with usim_scope_open_until; `time == t` in the past
 * never fires), and they may only be the condition itself or parts of
 * its top-level any.  `time < t` fires only at the open, if it holds.
 * Other parts are checked at each change of their primitive.  Under
 * musim, as in μsim: the condition is checked at the open and then only
 * if it is a single part, which fires when it holds after a change; an
 * any or all fires only if it holds at the open.
 *
 * 0, or USIM_EINVAL (a bad condition, more than USIM_SCOPE_WHEN_MAX
 * parts, a time part elsewhere; s NULL) and USIM_ESTATE outside a task;
 * on an error the scope is not opened.
 */
USIM_API int usim_scope_open_when(usim_scope *s, const struct usim_cond *c);
USIM_API usim_task *usim_scope_spawn(usim_scope *s, usim_fn fn, void *arg,
                                     const char *name);
/* A volatile child is cancelled when the scope closes. */
USIM_API usim_task *usim_scope_spawn_volatile(usim_scope *s, usim_fn fn, void *arg,
                                              const char *name);
/* Either, with options (opts->volatile_child chooses; a delayed start
 * counts from the spawn).  NULL on error (usim_errmsg). */
USIM_API usim_task *usim_scope_spawn_ex(usim_scope *s, usim_fn fn, void *arg,
                                        const char *name, const usim_spawn_opts *opts);
/*
 * A failed child (usim_task_fail, usim_fail, a stack overflow; also a
 * volatile one) interrupts the scope's owner at once: the owner's
 * current blocking call, wherever it waits (also in a nested scope of its
 * own, or in usim_scope_close), returns USIM_ECHILD at the failure time,
 * and so does every later one while the scope is open (close returns
 * USIM_EFAILED).  The other children are cancelled at that moment
 * (musim: by the owner's usim_scope_close, as μsim closes them when the
 * owner takes the failure; until then they run on, so the children ready
 * before the owner still run, and may fail, first).  Every failure is
 * kept, in the order they happened; children that fail while the others
 * unwind count too.
 */
/* Waits for the non-volatile children, cancels and waits for the volatile
 * ones.  0; USIM_EFAILED if a child failed (usim_scope_failures tells);
 * USIM_ETIMEDOUT if a deadline passed; USIM_ECANCELED / USIM_EINTR if the
 * owner was cancelled or interrupted while waiting; USIM_ECHILD if a child
 * of an enclosing scope of the owner failed.  In every case no child is
 * left running when close returns: the remaining ones are cancelled and
 * waited for.  Scopes close in the reverse order of opening, by their
 * owner.  Reaching close wakes the usim_scope_wait waiters. */
USIM_API int usim_scope_close(usim_scope *s);
/* Waits, from any task but the owner, until the scope's owner has reached
 * usim_scope_close (μsim's `await scope`: the body is done, the children
 * may still run); at once if it has (under musim after a postpone).  s
 * must have been opened and still be in memory.  0, USIM_EINVAL (the
 * owner itself), or the caller's USIM_ECANCELED / EINTR / ETIMEDOUT /
 * ECHILD. */
USIM_API int usim_scope_wait(usim_scope *s);
/* "task 'name' failed: message" of the first failed child, NULL if none
 * failed. */
USIM_API const char *usim_scope_error(const usim_scope *s);
/* How many children failed, and the i-th of them in failure order (i <
 * count): its name and message ("(no message)" if it gave none).  0 or
 * USIM_EINVAL.  Readable after close, while the simulation lives. */
USIM_API size_t usim_scope_failures(const usim_scope *s);
USIM_API int usim_scope_failure(const usim_scope *s, size_t i, const char **task,
                                const char **message);

/* ------------------------------------------------------------------ */
/* Flow: several activities at once (μsim's collect and first)          */
/* ------------------------------------------------------------------ */

/* One activity: fn(arg) run as a task of its own (named `name`, or
 * "activity"); the call fills in the rest. */
typedef struct usim_activity {
    usim_fn fn;
    void *arg;
    const char *name;
    usim_task *task; /* out: the task that ran it (valid while the simulation
                        lives: usim_task_error tells a failure's message) */
    void *result;    /* out: what fn returned, if it returned */
    int status;      /* out: 0 returned, USIM_EFAILED failed, USIM_ECANCELED
                        cancelled (or never started) */
} usim_activity;

/*
 * Runs the n activities concurrently, each as a child of a scope of the
 * caller's, and waits for all (μsim's collect): 0 when every one has
 * returned, their results in acts[i].result, in argument order.  If one
 * fails (usim_task_fail; usim_fail ends the whole run), the others are
 * cancelled at once and this returns USIM_EFAILED: acts[i].status tells
 * which failed (every failure up to the moment the caller is told, as
 * μsim's Concurrent: usually all failures of that time step) and which
 * were cancelled.  Also USIM_EINVAL (NULL acts with n > 0, a NULL fn),
 * USIM_ENOMEM (a spawn failed; nothing then runs), USIM_ESTATE outside a
 * task, or the caller's USIM_ECANCELED / EINTR / ETIMEDOUT / ECHILD (the
 * activities are then cancelled and waited for).  Under musim each
 * result is fetched with a usim_join (a postpone each), as μsim awaits
 * each task after its scope.  A usim_timeout set before the call is
 * used up by it without bounding it (it is made of several blocking
 * calls); bound it with a scope deadline (usim_scope_open_until) around
 * it instead: the call then returns USIM_ETIMEDOUT.  The same holds for
 * usim_first.
 */
USIM_API int usim_collect(usim_activity *acts, size_t n);
/*
 * Runs the n activities concurrently until `count` of them have
 * returned, then cancels the rest (μsim's first): order[k] (k < count)
 * is the index of the k-th to return, in completion order; their results
 * are in acts[order[k]].result.  count == 0 cancels every activity at
 * once (under musim before it starts; under fifo and random a spawn is a
 * turn point, so it may have begun); count > n is USIM_EINVAL before
 * anything runs.  A failure fails the call as for usim_collect
 * (USIM_EFAILED, statuses), as do the other errors.  Under musim each
 * activity runs inside a monitor task that puts its index into a queue,
 * and the caller reads the queue, as μsim's first does, turn for turn;
 * but μsim's first is an iterator whose body runs before its scope
 * closes, while usim_first returns after the close (one postpone later).
 */
USIM_API int usim_first(usim_activity *acts, size_t n, size_t count, size_t *order);

/* ------------------------------------------------------------------ */
/* Primitives                                                          */
/*                                                                     */
/* Plain structs the model owns: init before use, destroy after.  Their */
/* fields are private.  Blocking calls honour cancellation, interrupts, */
/* deadlines (scope and usim_timeout) and USIM_ECHILD.  Priorities: a  */
/* lower number is served first.  A call that wakes a waiting task is a */
/* turn point (see usim_order, also for what musim does).              */
/*                                                                     */
/* A call on a primitive that was destroyed, or never initialised, is a */
/* mistake that is not ignored: inside a task it fails the run         */
/* ("usim_flag_set: flag 'door' is destroyed"); outside, it returns     */
/* USIM_EINVAL (or does nothing) with usim_errmsg() set, and fails the  */
/* run of a simulation being set up on the thread (see usim_sim_run).  */
/* Destroying twice is harmless.                                        */
/* ------------------------------------------------------------------ */

/* flag: a boolean that tasks wait on (μsim's Flag, toggling). */
typedef struct usim_flag {
    bool value;
    uint32_t magic;
    const char *name;
    usim_waitlist waiters;
    usim_cond_source cond; /* the condition waits watching it */
} usim_flag;

USIM_API void usim_flag_init(usim_flag *f, bool value, const char *name);
USIM_API void usim_flag_destroy(usim_flag *f);
USIM_API bool usim_flag_get(const usim_flag *f);
/* Sets the value; a change wakes the matching waiters (in waiting
 * order, usim_wait_cond waiters included).  A woken waiter returns 0
 * even if the flag changed again before it ran. */
USIM_API void usim_flag_set(usim_flag *f, bool value);
/* Waits for the next change, either way. */
USIM_API int usim_flag_wait(usim_flag *f);
/* Wait until true / false; if it already is, a turn point, then 0. */
USIM_API int usim_flag_wait_true(usim_flag *f);
USIM_API int usim_flag_wait_false(usim_flag *f);

/* lock: owner-reentrant mutual exclusion, FIFO hand-off. */
typedef struct usim_lock {
    usim_task *owner;
    unsigned depth;
    uint32_t magic;
    const char *name;
    usim_waitlist waiters;
} usim_lock;

USIM_API void usim_lock_init(usim_lock *l, const char *name);
USIM_API void usim_lock_destroy(usim_lock *l);
USIM_API int usim_lock_acquire(usim_lock *l);
USIM_API int usim_lock_try(usim_lock *l);     /* 0 or USIM_EAGAIN */
USIM_API int usim_lock_release(usim_lock *l); /* USIM_EINVAL if not owner */

/* resource: n identical units (SimPy's Resource / PreemptiveResource).
 * Waiters are served strictly from the head of the wait list (priority
 * order, FIFO within): a request that does not fit yet holds back the
 * requests behind it, so large requests are not starved.  A task may
 * hold units from several requests; release gives back the most recent
 * grants first.  Outside a task: USIM_ESTATE. */
typedef struct usim_resource_holder {
    usim_task *task;
    long amount;
    int priority;
    uint64_t seq;
} usim_resource_holder;

typedef struct usim_resource {
    long capacity;
    long in_use;
    const char *name;
    usim_resource_holder *holders; /* capacity slots, allocated at init */
    size_t nholders;
    uint64_t seq;
    usim_waitlist waiters; /* ordered by priority, FIFO within */
    uint32_t magic;
} usim_resource;

/* capacity >= 1; USIM_EINVAL or USIM_ENOMEM otherwise. */
USIM_API int usim_resource_init(usim_resource *r, long capacity, const char *name);
USIM_API void usim_resource_destroy(usim_resource *r);
USIM_API int usim_resource_request(usim_resource *r, long amount, int priority);
/* Like request, but if the units are not free it preempts holders of
 * a strictly worse priority (worst first, most recent among equals) whose
 * units suffice: their blocking call returns USIM_EINTR with cause
 * USIM_CAUSE_PREEMPTED and their units are taken from them (they must
 * not release them: that is USIM_EINVAL).  If those units would not
 * suffice, or a waiter of the same or a better priority is ahead, it
 * preempts nobody and waits like request(). */
USIM_API int usim_resource_request_preempt(usim_resource *r, long amount, int priority);
USIM_API int usim_resource_try(usim_resource *r, long amount); /* 0/EAGAIN */
USIM_API int usim_resource_release(usim_resource *r, long amount);
USIM_API long usim_resource_available(const usim_resource *r);
USIM_API size_t usim_resource_waiting(const usim_resource *r);

/*
 * resources: several named kinds in one supply (μsim's Resources and
 * Capacities), borrowed together.  Amounts and levels are arrays of
 * nkinds doubles in the order of the kind names given at init
 * (usim_resources_kind finds a name's index); a kind not needed is 0.
 * The names array and its strings are the caller's and must outlive the
 * supply; the levels are copied (at most USIM_RESOURCES_MAX_KINDS kinds,
 * kept inside the struct: nothing is allocated, no call can run out of
 * memory).
 *
 * A borrow takes amounts of several kinds at once, waiting until all of
 * them are available, into a supply of its own (`sub`, a usim_resources
 * the caller provides) whose limits and levels are the amounts: the
 * borrower may borrow from `sub` in turn (μsim's `async with
 * r.borrow(...) as sub: sub.borrow(...)`), and usim_resources_return(sub)
 * gives the amounts back.  Borrows nest in any way, but a sub is returned
 * after the borrows taken from it (else the return fails loudly).
 *
 * Service (who gets resources when several wait):
 *   default (any-fit, μsim): a borrow that fits takes the resources at
 *     once, even while earlier borrows wait; when levels rise, every
 *     waiter whose amounts fit is served, in waiting order.  A large
 *     borrow may starve behind small ones.
 *   USIM_RESOURCES_FIFO (head-of-line): borrows are served in arrival
 *     order only; one that does not fit holds back everyone behind it.
 * Under every order but musim the task whose change frees the resources
 * grants them to the waiters it wakes.  Under musim (μsim's rule) it
 * wakes every waiter that fits and each takes them when it runs,
 * checking again first: one that no longer fits waits again.
 *
 * Turn order under musim (as μsim): a borrow postpones twice after any
 * wait (taking from the supply, then filling the sub), a return twice
 * (emptying the sub, then giving back: the waiters are woken at the
 * second), increase/decrease/set once; claim that fails, the reads and
 * the inits never suspend.  Under fifo and random a call that wakes
 * someone is a turn point; under lifo the caller goes on.
 *
 * Errors: USIM_EINVAL with usim_errmsg() for NULL arguments, no kinds or
 * more than USIM_RESOURCES_MAX_KINDS, a NULL, empty or repeated kind
 * name, a negative or NaN level or amount, an amount above the limits of
 * a fixed supply (a Capacities or a sub: it could never fit), increase /
 * decrease / set of a fixed supply, a decrease below zero.  USIM_ESTATE
 * outside a task (borrow, claim, return, wait).  A call on a destroyed
 * supply or a sub already returned fails loudly (see Primitives).
 */
/* A comparison (resources and tracked values). */
typedef enum usim_cmp { USIM_LT, USIM_LE, USIM_EQ, USIM_NE, USIM_GE, USIM_GT } usim_cmp;

#define USIM_RESOURCES_MAX_KINDS 8
#define USIM_RESOURCES_FIFO 1u /* head-of-line service instead of any-fit */

typedef struct usim_resources {
    size_t nkinds;
    const char *const *kinds;
    double level[USIM_RESOURCES_MAX_KINDS]; /* available now */
    double limit[USIM_RESOURCES_MAX_KINDS]; /* fixed total; INFINITY if open */
    struct usim_resources *parent;          /* a sub's supply, NULL at the top */
    size_t borrows;                         /* live subs taken from this one */
    unsigned flags;
    bool fixed; /* Capacities or a sub: no increase/decrease/set */
    uint32_t magic;
    const char *name;
    usim_waitlist borrowers, watchers;
    usim_cond_source cond; /* the condition waits watching its levels */
} usim_resources;

/* An open supply (μsim's Resources): levels[i] >= 0 of kinds[i]; levels
 * change by borrows, returns, increase, decrease and set.  flags: 0 or
 * USIM_RESOURCES_FIFO. */
USIM_API int usim_resources_init(usim_resources *r, size_t nkinds,
                                 const char *const *kinds, const double *levels,
                                 unsigned flags, const char *name);
/* A fixed total (μsim's Capacities): levels start at capacity, which is
 * also the limits; only borrows and returns change the levels. */
USIM_API int usim_capacities_init(usim_resources *r, size_t nkinds,
                                  const char *const *kinds, const double *capacity,
                                  unsigned flags, const char *name);
/* A supply with waiters or live borrows is a mistake to destroy (fails
 * loudly); destroying twice is harmless.  Not for subs (return them). */
USIM_API void usim_resources_destroy(usim_resources *r);
/* The index of kind `name`, or USIM_EINVAL (no such kind). */
USIM_API int usim_resources_kind(const usim_resources *r, const char *name);
/* Copies the levels available now / the limits (INFINITY for an open
 * supply) into out[nkinds].  0 or USIM_EINVAL. */
USIM_API int usim_resources_levels(const usim_resources *r, double *out);
USIM_API int usim_resources_limits(const usim_resources *r, double *out);
/* Waits until amounts[] are all available, takes them and makes *sub a
 * supply of them.  0; USIM_EINVAL (see above; *sub untouched); the
 * caller's USIM_ECANCELED / EINTR / ETIMEDOUT / ECHILD (nothing taken). */
USIM_API int usim_resources_borrow(usim_resources *r, const double *amounts,
                                   usim_resources *sub);
/* As borrow, but never waits: USIM_EAGAIN, without a turn point, if the
 * amounts are not available now (or, with USIM_RESOURCES_FIFO, if
 * borrows are waiting) — μsim's claim and its ResourcesUnavailable. */
USIM_API int usim_resources_claim(usim_resources *r, const double *amounts,
                                  usim_resources *sub);
/* Gives a sub's amounts back to the supply it came from and ends it
 * (the struct may then be reused).  Works also in a cancelled task.
 * 0, USIM_ESTATE outside a task; a sub that is not a live borrow (never
 * borrowed, returned already, a top-level supply) or that still has
 * borrows of its own fails loudly. */
USIM_API int usim_resources_return(usim_resources *sub);
/* Permanent changes of an open supply: add amounts[], take them away
 * (not below zero), or set the levels (a NaN entry keeps that kind's
 * level).  They wake the borrowers and waiters that now fit.  Also from
 * the host. */
USIM_API int usim_resources_increase(usim_resources *r, const double *amounts);
USIM_API int usim_resources_decrease(usim_resources *r, const double *amounts);
USIM_API int usim_resources_set(usim_resources *r, const double *levels);
/* True if `available op levels` holds, op kind by kind as μsim compares
 * levels: USIM_EQ all kinds equal, USIM_NE not all equal, USIM_LT /
 * LE / GT / GE every kind satisfies it (so (5,10) < (6,10) is false).
 * False with usim_errmsg() for bad arguments. */
USIM_API bool usim_resources_test(const usim_resources *r, usim_cmp op,
                                  const double *levels);
/* Waits until usim_resources_test holds (μsim's `await (r.available >=
 * levels)` and the other comparisons); if it holds already, a turn
 * point (under musim a postpone, then it is checked again).  0, or
 * USIM_EINVAL, USIM_ESTATE, the caller's USIM_ECANCELED / EINTR /
 * ETIMEDOUT / ECHILD. */
USIM_API int usim_resources_wait(usim_resources *r, usim_cmp op, const double *levels);
USIM_API size_t usim_resources_waiting(const usim_resources *r); /* borrowers */

/*
 * pipe: a shared transfer with a limited total throughput (μsim's Pipe;
 * processor sharing by weight).  Each transfer asks for a throughput
 * (its cap; the pipe's own by default); while the caps of the transfers
 * under way add up to more than the pipe's throughput, each runs at its
 * cap scaled by throughput / sum.  Whenever a transfer starts or ends and
 * the scale changes (or stays below 1), every transfer under way
 * recomputes its remaining time, with μsim's float formulas: a window
 * runs at rate = cap * scale for (total - done) / rate, its end taken as
 * the first tick at or after now + that, and an interrupted window adds
 * (its end - its start) * rate to what is done.  A pipe of INFINITY
 * throughput never shares (μsim's UnboundedPipe): a transfer takes
 * total / cap, or is one turn point with an infinite cap.  A transfer of
 * 0 returns at once, without a turn point (as μsim's Pipe); one that
 * takes no time otherwise (an infinite rate, a window under a tick) is
 * one turn point (usim_instant).  Waking the other transfers is a turn
 * point under fifo and random, not under lifo and musim.
 */
typedef struct usim_pipe_flow usim_pipe_flow;

typedef struct usim_pipe {
    double throughput;
    double scale;                /* 1, or throughput / sum of caps */
    usim_pipe_flow *head, *tail; /* private: transfers under way, by start */
    uint32_t magic;
    const char *name;
    usim_waitlist congested;
} usim_pipe;

/* throughput > 0 (INFINITY allowed); USIM_EINVAL otherwise. */
USIM_API int usim_pipe_init(usim_pipe *p, double throughput, const char *name);
/* A pipe with transfers under way is a mistake to destroy (fails loudly). */
USIM_API void usim_pipe_destroy(usim_pipe *p);
/* Waits until `total` (>= 0, INFINITY allowed) has gone through at the
 * pipe's throughput as the cap; usim_pipe_transfer_at with a cap of its
 * own (> 0, INFINITY allowed).  0; USIM_EINVAL for a bad total or cap;
 * USIM_ESTATE outside a task; the caller's USIM_ECANCELED / EINTR /
 * ETIMEDOUT / ECHILD (the transfer then ends there, and the others
 * speed up). */
USIM_API int usim_pipe_transfer(usim_pipe *p, double total);
USIM_API int usim_pipe_transfer_at(usim_pipe *p, double total, double throughput);
/* How many transfers are under way. */
USIM_API size_t usim_pipe_transfers(const usim_pipe *p);

/* container: a continuous level in [0, capacity].  Each side (putters,
 * getters) is strictly FIFO.  A get fits when it exceeds the level by at
 * most a relative 1e-12 (rounding of repeated puts and gets); the level
 * is clamped to [0, capacity].  try_put/try_get also work from the host. */
typedef struct usim_container {
    double capacity;
    double level;
    const char *name;
    usim_waitlist putters, getters;
    uint32_t magic;
} usim_container;

/* capacity > 0 (INFINITY allowed), 0 <= level <= capacity. */
USIM_API int usim_container_init(usim_container *c, double capacity, double level,
                                 const char *name);
USIM_API void usim_container_destroy(usim_container *c);
/* Waits until there is room (FIFO: no overtaking of earlier putters). */
USIM_API int usim_container_put(usim_container *c, double amount);
/* Waits until the amount is there (FIFO: no overtaking). */
USIM_API int usim_container_get(usim_container *c, double amount);
USIM_API int usim_container_try_put(usim_container *c, double amount);
USIM_API int usim_container_try_get(usim_container *c, double amount);
USIM_API double usim_container_level(const usim_container *c);

/* queue: FIFO of void* items, bounded (capacity > 0) or not (0).  A put
 * first hands its item to the first waiting getter (in waiting order)
 * that accepts it; otherwise it is queued, or the putter waits (putters
 * wait in arrival order).  Gets look only at queued items.  An unbounded
 * queue's ring doubles when full (amortised; no allocation once it has
 * reached its largest length).  try_put/try_get and close also work from
 * the host. */
typedef struct usim_queue_slot {
    void *item;
    int priority;
} usim_queue_slot;

typedef struct usim_queue {
    usim_queue_slot *ring;
    size_t cap_ring, head, len;
    size_t capacity; /* 0 = unbounded */
    bool closed;
    bool ranked; /* an item of priority > 0 has been queued (in padding) */
    uint32_t magic;
    const char *name;
    usim_waitlist putters, getters;
} usim_queue;

typedef bool (*usim_filter)(void *item, void *ctx);

/* A double carried as a queue's or channel's item, in the pointer slot
 * itself: nothing is allocated per item (a customer that is its arrival
 * time).  usim_item_double(usim_item_of_double(x)) == x, bit for bit. */
#ifndef __cplusplus
_Static_assert(sizeof(void *) >= sizeof(double), "a double must fit in a pointer");
#endif
static inline void *usim_item_of_double(double x)
{
    union {
        double d;
        uintptr_t u;
    } v = {.d = x};
    return (void *)v.u;
}
static inline double usim_item_double(const void *item)
{
    union {
        uintptr_t u;
        double d;
    } v = {.u = (uintptr_t)item};
    return v.d;
}

USIM_API int usim_queue_init(usim_queue *q, size_t capacity, const char *name);
USIM_API void usim_queue_destroy(usim_queue *q);
USIM_API int usim_queue_put(usim_queue *q, void *item);
/* Goes before every item of a worse (higher) priority; put() is 0. */
USIM_API int usim_queue_put_prio(usim_queue *q, void *item, int priority);
USIM_API int usim_queue_get(usim_queue *q, void **item);
/* Takes the first item for which filter(item, ctx) is true. */
USIM_API int usim_queue_get_filter(usim_queue *q, void **item, usim_filter filter,
                                   void *ctx);
USIM_API int usim_queue_try_put(usim_queue *q, void *item);
USIM_API int usim_queue_try_get(usim_queue *q, void **item);
/* Waiters get USIM_ECLOSED; items left can still be taken. */
USIM_API void usim_queue_close(usim_queue *q);
USIM_API size_t usim_queue_length(const usim_queue *q);
/* The item at position i (0: the one the next get takes) without taking
 * it, for i < usim_queue_length(q); from a task or outside one.  0, or
 * USIM_EINVAL (NULL item, i out of range, not a live queue). */
USIM_API int usim_queue_peek(const usim_queue *q, size_t i, void **item);
USIM_API bool usim_queue_closed(const usim_queue *q);

/* channel: a broadcast, read in two ways.  usim_channel_recv gets the
 * next value sent while it waits (a reader that is busy when a value is
 * sent misses it: μsim's `await channel`).  A subscription
 * (usim_channel_sub) keeps every value sent from usim_channel_subscribe
 * on, in order, until usim_channel_unsubscribe (μsim's `async for
 * message in channel`): its reader misses nothing while busy. */
typedef struct usim_channel_sub usim_channel_sub;

typedef struct usim_channel {
    bool closed;
    uint32_t magic;
    const char *name;
    usim_waitlist readers;  /* recv and subscription readers, waiting order */
    usim_channel_sub *subs; /* private list of subscriptions */
} usim_channel;

USIM_API void usim_channel_init(usim_channel *ch, const char *name);
/* A channel destroyed with subscriptions still on it leaves them
 * detached: their usim_channel_sub_recv fails loudly (a destroyed
 * primitive), usim_channel_unsubscribe still frees them. */
USIM_API void usim_channel_destroy(usim_channel *ch);
/* Hands the value to every subscription's buffer, then wakes every
 * waiting reader (recv and subscription readers, in waiting order).
 * Returns how many recv readers received the value (subscriptions not
 * counted); USIM_ECLOSED if closed; USIM_ENOMEM if a subscription's
 * buffer could not grow (the value then reached no one). */
USIM_API int usim_channel_send(usim_channel *ch, void *value);
USIM_API int usim_channel_recv(usim_channel *ch, void **value);
/* Waiting readers get USIM_ECLOSED, and so do later sends and receives;
 * subscriptions still hand out what they had buffered first. */
USIM_API void usim_channel_close(usim_channel *ch);
USIM_API bool usim_channel_closed(const usim_channel *ch);

/* A subscription lives where the model puts it (its fields are
 * private); its buffer grows as needed (doubling, freed by
 * unsubscribe). */
struct usim_channel_sub {
    usim_channel *ch;
    void **ring;
    size_t cap, head, len;
    usim_channel_sub *next;
    usim_task *reader; /* the task waiting in sub_recv, or NULL */
    uint32_t magic;
};

/* Starts buffering every value sent on ch from now on (also on a closed
 * channel: its receives then end at once).  Never suspends.  0, or
 * USIM_EINVAL (NULL arguments, a destroyed channel). */
USIM_API int usim_channel_subscribe(usim_channel *ch, usim_channel_sub *sub);
/* The oldest buffered value; if there is none, waits for the next send.
 * A buffered value is returned at once without a turn point (μsim's
 * iterator yields without suspending).  USIM_ECLOSED once the channel is
 * closed and the buffer is empty; or the caller's USIM_ECANCELED /
 * EINTR / ETIMEDOUT / ECHILD; USIM_ESTATE outside a task.  One reader at
 * a time per subscription (USIM_ESTATE for a second). */
USIM_API int usim_channel_sub_recv(usim_channel_sub *sub, void **value);
/* Values buffered and not yet received. */
USIM_API size_t usim_channel_sub_pending(const usim_channel_sub *sub);
/* Ends the subscription and frees its buffer (values still in it are
 * dropped); the struct may then be reused.  Must not be called while
 * its reader waits (fails loudly).  A second unsubscribe fails loudly. */
USIM_API void usim_channel_unsubscribe(usim_channel_sub *sub);

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

/* tally: count, mean and variance (Welford), min, max.  Without data the
 * mean, min and max are NaN; the variance is NaN below two values. */
typedef struct usim_tally {
    uint64_t n;
    double mean, m2, min, max;
} usim_tally;

/* Inside a simulation whose warm-up is pending (usim_sim_set_warmup),
 * the init functions of tally, level and histogram also register the
 * statistic with it (see there). */
USIM_API void usim_tally_init(usim_tally *t);
/* Forgets every value (as init, without registering again). */
USIM_API void usim_tally_reset(usim_tally *t);
USIM_API void usim_tally_add(usim_tally *t, double x);
USIM_API uint64_t usim_tally_count(const usim_tally *t);
USIM_API double usim_tally_mean(const usim_tally *t);
USIM_API double usim_tally_variance(const usim_tally *t); /* sample, n-1 */
USIM_API double usim_tally_sd(const usim_tally *t);
USIM_API double usim_tally_min(const usim_tally *t);
USIM_API double usim_tally_max(const usim_tally *t);

/* level: a time-weighted value (queue length, busy servers). */
typedef struct usim_level {
    double t0, t_last, value, integral, min, max;
} usim_level;

USIM_API void usim_level_init(usim_level *l, double t0, double value);
/* Starts the statistics again at time t (>= the last update), keeping
 * the current value: integral 0, min = max = value, mean over [t, ...). */
USIM_API void usim_level_reset(usim_level *l, double t);
/* The value becomes v at time t (t >= the last update). */
USIM_API void usim_level_set(usim_level *l, double t, double v);
USIM_API double usim_level_integral(const usim_level *l, double t);
/* Integral / (t - t0); at t == t0, the current value. */
USIM_API double usim_level_mean(const usim_level *l, double t);
USIM_API double usim_level_max(const usim_level *l);
USIM_API double usim_level_min(const usim_level *l);

/* histogram: nbins equal bins over [lo, hi), plus under- and overflow.
 * Bin i holds edge(i) <= x < edge(i+1) exactly; NaN counts as overflow. */
typedef struct usim_histogram {
    double lo, hi;
    size_t nbins;
    uint64_t *bins;
    uint64_t under, over;
} usim_histogram;

USIM_API int usim_histogram_init(usim_histogram *h, double lo, double hi, size_t nbins);
/* Also forgets h for a pending warm-up (a histogram destroyed before
 * the warm-up time is not reset then). */
USIM_API void usim_histogram_destroy(usim_histogram *h);
/* Empties every bin, under- and overflow. */
USIM_API void usim_histogram_reset(usim_histogram *h);
USIM_API void usim_histogram_add(usim_histogram *h, double x);
USIM_API double usim_histogram_edge(const usim_histogram *h, size_t i); /* i<=nbins */

/* tracked: a value with waits on conditions and a time-weighted level. */
/* usim_cmp: see resources. */

typedef struct usim_tracked {
    double value;
    const char *name;
    usim_level level;
    usim_waitlist waiters;
    uint32_t magic;
    usim_cond_source cond; /* the condition waits watching it */
} usim_tracked;

/* The updates of usim_tracked_update (μsim's `await (tracked OP x)`):
 * the value v becomes v OP x. */
typedef enum usim_op {
    USIM_OP_ADD,      /* v + x */
    USIM_OP_SUB,      /* v - x */
    USIM_OP_MUL,      /* v * x */
    USIM_OP_DIV,      /* v / x */
    USIM_OP_FLOORDIV, /* floor(v / x) */
    USIM_OP_MOD,      /* v - x * floor(v / x): the sign of x (Python's %) */
    USIM_OP_POW,      /* pow(v, x) */
    /* On whole numbers within +-2^53 only; shifts by 0..63: */
    USIM_OP_SHL, /* v * 2^x */
    USIM_OP_SHR, /* floor(v / 2^x) */
    USIM_OP_AND, /* two's complement bitwise and, or, xor */
    USIM_OP_OR,
    USIM_OP_XOR,
} usim_op;

/* Outside a task the level starts at time 0. */
USIM_API void usim_tracked_init(usim_tracked *t, double value, const char *name);
USIM_API void usim_tracked_destroy(usim_tracked *t);
USIM_API double usim_tracked_get(const usim_tracked *t);
USIM_API void usim_tracked_set(usim_tracked *t, double v);
USIM_API void usim_tracked_add(usim_tracked *t, double dv);
/* usim_tracked_set(t, value OP x), with the same wake-ups and turn (under
 * musim a postpone, also when the value does not change); works from the
 * host too.  0; USIM_EINVAL, the value unchanged and no turn taken, for
 * an unknown op, a division or modulo by 0 (as Python), a NaN x, a result
 * that is NaN (pow of a negative number to a fraction, inf - inf, ...),
 * or a bitwise op on a number that is not whole or beyond +-2^53 (or a
 * shift outside 0..63).  Infinite results of finite numbers are kept
 * (IEEE overflow). */
USIM_API int usim_tracked_update(usim_tracked *t, usim_op op, double x);
/* Waits until `value op x` holds; if it holds already, a turn point. */
USIM_API int usim_tracked_wait(usim_tracked *t, usim_cmp op, double x);
USIM_API const usim_level *usim_tracked_level(const usim_tracked *t);

/* ------------------------------------------------------------------ */
/* Conditions (μsim's Condition: `flag`, `~flag`, `task.done`,         */
/* `tracked >= x`, `time >= t`, `a | b`, `a & b`, `~c`)                */
/* ------------------------------------------------------------------ */

/*
 * A condition is a small value the caller owns: a part (a flag's value,
 * a task's end, a tracked comparison, resource levels, the time), or an
 * any / all of parts held in an array the caller keeps.  Building one allocates
 * nothing and checks nothing: a bad one (NULL primitive, unknown
 * comparison, NaN) is reported by usim_wait_cond and
 * usim_scope_open_when with USIM_EINVAL.  A condition, and every array
 * its composites point to, must stay in memory while a wait or scope
 * uses it; one condition may be used by many waits at once.  A
 * primitive a waiting condition names must not be destroyed during the
 * wait.  Composites nest up to USIM_COND_DEPTH deep with at most
 * USIM_COND_MAX_PARTS parts that are not composites.
 */
#define USIM_COND_DEPTH 8
#define USIM_COND_MAX_PARTS 32

typedef struct usim_cond {
    const struct usim_cond_ops *ops; /* a part's kind; NULL: any / all */
    void *obj;                       /* the part's primitive */
    union {
        const struct usim_cond *parts; /* any / all: parts[0 .. n-1] */
        const double *levels;          /* a resources part's levels */
    };
    size_t n;
    double x;
    int op;
    bool all; /* all (else any) */
    bool neg; /* inverted */
} usim_cond;

/* True while flag f has `value` (μsim's `flag`; `~flag` for false). */
USIM_API usim_cond usim_cond_flag(usim_flag *f, bool value);
/* True once task t has ended (finished, cancelled before it started or
 * failed: μsim's `task.done`), or, `done` false, while it has not
 * (`~task.done`, which never becomes true again). */
USIM_API usim_cond usim_cond_done(usim_task *t, bool done);
/* True while `value op x` holds (μsim's `tracked >= x` and the rest). */
USIM_API usim_cond usim_cond_tracked(usim_tracked *t, usim_cmp op, double x);
/* True while usim_resources_test(r, op, levels) holds (μsim's
 * `r.available >= dict(...)` and the other comparisons, as a condition
 * that composes with the others).  levels[r->nkinds] is the caller's
 * and must outlive the waits using the condition.  Every change of r's
 * levels checks it (borrows, returns, increase, decrease, set), in
 * waiting order among the usim_resources_wait waiters of r, after the
 * borrowers r wakes (under fifo, lifo and random the levels it sees are
 * those after the woken borrowers took theirs).  USIM_EINVAL when used:
 * a NULL r or levels, an unknown op, a NaN level; a destroyed r fails
 * loudly.  Inverted, it holds when the comparison does not (`~(r >=
 * x)`: some kind below x). */
USIM_API usim_cond usim_cond_resources(usim_resources *r, usim_cmp op,
                                       const double *levels);
/* True while `now op t`, op USIM_GE (μsim's `time >= t`), USIM_EQ
 * (`time == t`: usim_now() == t exactly) or USIM_LT (`time < t`, which
 * no change makes true); the other comparisons are USIM_EINVAL. */
USIM_API usim_cond usim_cond_time(usim_cmp op, double t);
/* True when any (at least one) / all of parts[0 .. n-1] hold (μsim's
 * `a | b | ...`, `a & b & ...`); the any of none is false, the all of
 * none true.  Composite parts nest. */
USIM_API usim_cond usim_cond_any(const usim_cond *parts, size_t n);
USIM_API usim_cond usim_cond_all(const usim_cond *parts, size_t n);
/* The inverse (μsim's `~`): `~flag`, `~task.done`, the opposite
 * comparison, `time >= t` <-> `time < t`; an inverted any is the all of
 * the inverted parts and the other way round (De Morgan).  `time == t`
 * has no inverse (the result is USIM_EINVAL when used), as in μsim. */
USIM_API usim_cond usim_cond_not(usim_cond c);
/* The condition's current value (false for a bad condition, with
 * usim_errmsg() set). */
USIM_API bool usim_cond_holds(const usim_cond *c);
/*
 * Waits until *c holds.  On 0, *fired (if fired is not NULL) is the
 * index of the first top-level part found true when the wait ended (0
 * for a single part).  Every part is watched at once: each change of a
 * primitive it names, the time it names, checks the condition.
 *
 * fifo, lifo, random: the condition is checked at each change; one that
 * holds wakes the waiter, which returns 0 (as usim_flag_wait_true, even
 * if the condition changed back before it ran: *fired tells the part
 * found true at the change).  Holding at entry: a turn point (as
 * usim_flag_wait_true of a true flag), then 0.  A time part is checked
 * at its tick, without a turn of its own.
 *
 * musim, as μsim: a single part that holds at entry postpones once and
 * is checked again; an any or all postpones once at entry whether or not
 * it holds.  Then the waiter watches each top-level part that is false
 * (the parts of a nested any in an all, or all in an any, are not
 * watched: μsim's connectives never wake their waiters); one that
 * becomes true wakes it, and it checks the whole condition again when
 * it runs, waiting on if it does not hold.  A time part wakes it one
 * turn later, as usim_sleep_until (μsim's trigger hop).  A flag, task,
 * tracked or resources part wakes in the order the waits on that
 * primitive began, usim_flag_wait_true, usim_join, usim_tracked_wait and
 * usim_resources_wait included (a resources part after the borrowers).
 *
 * USIM_EINVAL for a bad condition (nothing waited); the blocking-call
 * returns USIM_ECANCELED, USIM_EINTR, USIM_ETIMEDOUT (a scope deadline,
 * usim_timeout), USIM_ECHILD; USIM_ESTATE outside a task.
 */
USIM_API int usim_wait_cond(const usim_cond *c, size_t *fired);

/* ------------------------------------------------------------------ */
/* Hold-for-the-block forms                                            */
/*                                                                     */
/* Each acquires at entry and releases on every exit of the block:     */
/* normal end, break, continue, return and goto (GNU cleanup attribute). */
/* break and continue apply to the block itself (it is a one-pass      */
/* loop): they leave the block, not an enclosing loop.                 */
/* If the acquire fails (cancelled, interrupted, deadline) the block is */
/* skipped.  usim_fail() abandons the task without releasing.  A       */
/* resource block whose units were preempted gives back only what the */
/* task still holds.                                                   */
/* ------------------------------------------------------------------ */

typedef struct usim_hold {
    void *obj;
    long amount;
    int kind;
    int done;
} usim_hold;

USIM_API usim_hold usim_hold_enter(void *obj, int kind, long amount);
USIM_API void usim_hold_leave(usim_hold *h);

#define USIM_HOLD_LOCK 1
#define USIM_HOLD_RESOURCE 2
#define USIM_HOLD_FLAG 3

/* Each block's hold variable has a name of its own (usim_hold_N), so
 * blocks nest without -Wshadow warnings. */
#define USIM_CAT2_(a, b) a##b
#define USIM_CAT_(a, b) USIM_CAT2_(a, b)
#define USIM_HOLD_BLOCK_(o_, k_, n_)                                                   \
    USIM_HOLD_BLOCK_AS_((o_), (k_), (n_), USIM_CAT_(usim_hold_, __COUNTER__))
#define USIM_HOLD_BLOCK_AS_(o_, k_, n_, h_)                                            \
    for (usim_hold h_ __attribute__((cleanup(usim_hold_leave))) =                      \
             usim_hold_enter((o_), (k_), (n_));                                        \
         h_.obj && !h_.done; h_.done = 1)

#define USIM_WITH_LOCK(l) USIM_HOLD_BLOCK_((l), USIM_HOLD_LOCK, 1)
#define USIM_WITH_RESOURCE(r, amount)                                                  \
    USIM_HOLD_BLOCK_((r), USIM_HOLD_RESOURCE, (amount))
/* The flag is true inside the block and false after it. */
#define USIM_WITH_FLAG(f) USIM_HOLD_BLOCK_((f), USIM_HOLD_FLAG, 1)

/* Takes items from q until it is closed and drained (or the wait fails). */
#define USIM_FOR_EACH_ITEM(q, item)                                                    \
    for (void *item = NULL; usim_queue_get((q), &item) == 0;)

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */
/*                                                                     */
/* Philox4x32-10 (Random123).  key = (seed low 32 bits, run id);        */
/* counter = (draw index low, draw index high, stream id, seed high 32  */
/* bits).  A stream's numbers depend only on (seed, run, stream).       */
/* The draw index counts blocks; a block's four words come out in      */
/* order, and usim_rng_u64 takes two words, the first as the high half. */
/* ------------------------------------------------------------------ */

/* Blocks are generated USIM_RNG_BLOCKS at a time (one AVX2 pass). */
#define USIM_RNG_BLOCKS 8
typedef struct usim_rng {
    uint32_t key[2];
    uint32_t ctr[4]; /* next block to generate */
    uint32_t buf[4 * USIM_RNG_BLOCKS];
    unsigned avail; /* unread words in buf (taken from the end) */
} usim_rng;

USIM_API void usim_rng_init(usim_rng *r, uint64_t seed, uint64_t run, uint32_t stream);
/* Stable 32-bit id of a stream name (FNV-1a). */
USIM_API uint32_t usim_stream_id(const char *name);
/* A stream of the running simulation (or of `sim`), by name. */
USIM_API void usim_rng_stream(usim_rng *r, const char *name);
USIM_API void usim_sim_rng_stream(const usim_sim *sim, usim_rng *r, const char *name);
/* One Philox block: the reference function, for known-answer tests. */
USIM_API void usim_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                                 uint32_t out[4]);

USIM_API uint32_t usim_rng_u32(usim_rng *r);
USIM_API uint64_t usim_rng_u64(usim_rng *r);
/* Uniform on (0, 1): (k + 1/2) 2^-52 for 52 random bits k; never 0 or 1. */
USIM_API double usim_rng_u01(usim_rng *r);

/*
 * Distributions.  Invalid parameters: inside a running task the run fails
 * with a message naming the distribution and parameter; outside, the
 * result is NaN (or 0 for integer results) and usim_errmsg() says why.
 * Use usim_dist to validate once (e.g. from a config).
 */
USIM_API double usim_uniform(usim_rng *r, double a, double b); /* [a,b), a if a == b */
USIM_API int64_t usim_uniform_int(usim_rng *r, int64_t a, int64_t b); /* [a,b] */
USIM_API double usim_exponential(usim_rng *r, double mean);
USIM_API double usim_normal(usim_rng *r, double mu, double sigma);
USIM_API double usim_lognormal(usim_rng *r, double mu, double sigma); /* of log */
USIM_API double usim_gamma(usim_rng *r, double shape, double scale);
USIM_API double usim_erlang(usim_rng *r, int k, double scale);
USIM_API double usim_weibull(usim_rng *r, double shape, double scale);
USIM_API double usim_triangular(usim_rng *r, double lo, double mode, double hi);
USIM_API bool usim_bernoulli(usim_rng *r, double p);
USIM_API int64_t usim_poisson(usim_rng *r, double mean);

typedef enum usim_dist_kind {
    USIM_DIST_CONSTANT,
    USIM_DIST_UNIFORM,
    USIM_DIST_EXPONENTIAL,
    USIM_DIST_NORMAL,
    USIM_DIST_LOGNORMAL,
    USIM_DIST_GAMMA,
    USIM_DIST_WEIBULL,
    USIM_DIST_TRIANGULAR,
} usim_dist_kind;

/* A validated real-valued distribution. */
typedef struct usim_dist {
    usim_dist_kind kind;
    double p[3];
} usim_dist;

/* 0, or USIM_EINVAL with usim_errmsg() (e.g. "exponential: mean -1 must be
 * > 0").  Parameters as for the functions above; constant takes p[0]. */
USIM_API int usim_dist_init(usim_dist *d, usim_dist_kind kind, const double *params);
USIM_API double usim_dist_draw(const usim_dist *d, usim_rng *r);
USIM_API double usim_dist_mean(const usim_dist *d);

/* discrete: index i with probability weights[i] / sum (alias method). */
typedef struct usim_discrete {
    size_t n;
    double *prob;
    uint32_t *alias;
} usim_discrete;

USIM_API int usim_discrete_init(usim_discrete *d, const double *weights, size_t n);
USIM_API void usim_discrete_destroy(usim_discrete *d);
USIM_API size_t usim_discrete_draw(const usim_discrete *d, usim_rng *r);

/* empirical: continuous, piecewise-linear CDF through (x[i], cum[i]),
 * x increasing, cum non-decreasing from 0 to 1. */
typedef struct usim_empirical {
    size_t n;
    double *x, *cum;
} usim_empirical;

USIM_API int usim_empirical_init(usim_empirical *e, const double *x, const double *cum,
                                 size_t n);
USIM_API void usim_empirical_destroy(usim_empirical *e);
USIM_API double usim_empirical_draw(const usim_empirical *e, usim_rng *r);

/* ------------------------------------------------------------------ */
/* Traces and scalars: what a run reports                              */
/* ------------------------------------------------------------------ */

typedef enum usim_trace_mode {
    USIM_TRACE_CHANGE, /* a point at every recorded value */
    USIM_TRACE_SAMPLE, /* the value in force at k*interval, k = 0, 1, ... */
} usim_trace_mode;

/*
 * A sampled trace has a point (k*interval, v) for each grid time from the
 * first record's time rounded up to the grid, v being the value last
 * recorded at or before that time (records and grid times are compared
 * in ticks, the grid time rounded up to a tick as for a duration).  It
 * schedules no events: samples are written when a later record comes and
 * when the trace is read.
 */
typedef struct usim_trace usim_trace;

/* Host side, before running: switch a trace on.  NULL with USIM_EINVAL
 * for an empty name, a duplicate, or interval <= 0 in sample mode. */
USIM_API usim_trace *usim_sim_trace_enable(usim_sim *sim, const char *name,
                                           usim_trace_mode mode, double interval);
/* The enabled trace of that name, or NULL (recording into NULL is a
 * no-op, so models record unconditionally). */
USIM_API usim_trace *usim_sim_trace(const usim_sim *sim, const char *name);
USIM_API usim_trace *usim_trace_get(const char *name); /* current sim */
/* The i-th name (in order of first asking) that usim_sim_trace or
 * usim_trace_get was asked for and that was not enabled; NULL past the
 * last.  A host that knows which names a model may trace (usim-batch:
 * the descriptor's) tells a misspelt trace from one switched off. */
USIM_API const char *usim_sim_trace_missed(const usim_sim *sim, size_t i);
/* Records value v at the current simulated time. */
USIM_API void usim_trace_record(usim_trace *tr, double v);
USIM_API size_t usim_sim_trace_count(const usim_sim *sim);
USIM_API usim_trace *usim_sim_trace_at(const usim_sim *sim, size_t i);
USIM_API const char *usim_trace_name(const usim_trace *tr);
/* The points so far; a sampled trace is first completed up to the
 * simulation's current time.  Returns the number of points.  The arrays
 * stay valid until the next record into the trace. */
USIM_API size_t usim_trace_read(usim_trace *tr, const double **t, const double **v);
/* As usim_trace_read, but the arrays are handed over: *t and *v are the
 * caller's, to free() (NULL when the trace never held a point), and the
 * trace starts again empty; a sampled trace keeps its grid and the value
 * in force.  A host that keeps a run's points after the simulation is
 * destroyed takes them instead of copying them. */
USIM_API size_t usim_trace_take(usim_trace *tr, double **t, double **v);

/* Scalars: named results of a run (last value set wins). */
USIM_API int usim_sim_scalar_set(usim_sim *sim, const char *name, double v);
USIM_API int usim_scalar_set(const char *name, double v); /* current sim */
USIM_API size_t usim_sim_scalar_count(const usim_sim *sim);
USIM_API int usim_sim_scalar_at(const usim_sim *sim, size_t i, const char **name,
                                double *v);

#ifdef __cplusplus
}
#endif

#endif
