/*
 * cond.h — conditions as the primitives and the kernel see them: how a
 * primitive becomes a part ("leaf") of usim_cond, and how a change of it
 * reaches the condition waits.  Internal; a primitive may use this and
 * kernel/sched.h.
 *
 * A primitive that can be a condition leaf
 *
 *   1. embeds a usim_cond_source (zero-initialised: cond_source_init);
 *   2. has a constant struct usim_cond_ops (its kind's name, how a leaf
 *      reads its value, which source it watches) and a constructor that
 *      returns a usim_cond with .ops set to it, .obj the primitive and
 *      .op / .x whatever the kind needs;
 *   3. after each change of its state (also one that changes nothing, if
 *      μsim wakes on it, like a tracked set) walks the source with
 *      cond_walk_begin / cond_walk_before / cond_walk_end and counts the
 *      woken tasks into the sched_op_end or sched_woke that ends the call.
 *
 * A watch is either a usim_wait_cond waiter (its record and its
 * listeners live on its stack) or a scope opened with usim_scope_open_when.
 * Waking one never unlinks a listener, so a walk may wake freely; a
 * fired watch ignores further changes and unlinks its listeners itself
 * (when the waiter resumes, when the scope closes).
 *
 * Wake order: the listeners of a source are kept in the order they
 * started watching, stamped from src->stamp; a primitive whose plain
 * waiters must interleave with them in waiting order (μsim has one list
 * for both) stamps each plain waiter with cond_stamp() and, walking its
 * own wait list, calls cond_walk_before(w, stamp) before waking each.
 */
#ifndef USIM_KERNEL_COND_H
#define USIM_KERNEL_COND_H

#include <stdbool.h>
#include <stdint.h>

#include "usim.h"

/* What a kind of leaf is.  `neg` is the inversion applied to the leaf
 * (by usim_cond_not of it or of an enclosing composite). */
struct usim_cond_ops {
    const char *kind; /* "flag", for messages */
    /* NULL if the leaf is well formed, else why not (reported as
     * USIM_EINVAL by the waits; may fail the run for a destroyed
     * primitive, as SYNC_CHECK). */
    const char *(*check)(const usim_cond *c, bool neg);
    /* The leaf's value before inversion. */
    bool (*holds)(const usim_cond *c);
    /* The source to watch, NULL if none (time). */
    usim_cond_source *(*source)(const usim_cond *c);
    /* Time leaves only (NULL otherwise): the tick at which the leaf, with
     * inversion `neg`, may next become true, SCHED_NO_TIMEOUT if never;
     * always after the current tick when the leaf is false. */
    int64_t (*wake_tick)(const usim_cond *c, bool neg);
};

static inline void cond_source_init(usim_cond_source *s)
{
    *s = (usim_cond_source){0};
}

/* True if condition waits still watch s (destroying it is a bug). */
static inline bool cond_source_busy(const usim_cond_source *s)
{
    return s->head != 0;
}

/* The stamp of a plain waiter starting to wait on the primitive now. */
static inline uint64_t cond_stamp(usim_cond_source *s)
{
    return ++s->stamp;
}

/* A walk over a source's listeners after a change. */
typedef struct cond_walk {
    usim_cond_listener *next;
    size_t woken; /* tasks made ready so far */
} cond_walk;

static inline void cond_walk_begin(cond_walk *w, usim_cond_source *s)
{
    w->next = s->head;
    w->woken = 0;
}

/* Checks the watches that started before `stamp`, waking those the
 * change satisfies.  Out of line: only reached with listeners present. */
void cond_walk_before_slow(cond_walk *w, uint64_t stamp);

static inline void cond_walk_before(cond_walk *w, uint64_t stamp)
{
    if (__builtin_expect(w->next != 0, 0))
        cond_walk_before_slow(w, stamp);
}

/* Checks the rest; returns how many tasks the walk made ready. */
static inline size_t cond_walk_end(cond_walk *w)
{
    cond_walk_before(w, UINT64_MAX);
    return w->woken;
}

/* A whole walk, for a primitive without plain waiters to interleave. */
static inline size_t cond_source_changed(usim_cond_source *s)
{
    if (__builtin_expect(s->head == 0, 1))
        return 0;
    cond_walk w;
    cond_walk_begin(&w, s);
    return cond_walk_end(&w);
}

/* For scope.c (usim_scope_open_when): validates c (NULL, or the message
 * of the USIM_EINVAL), counts its leaves into *nleaves. */
const char *cond_validate(const usim_cond *c, size_t *nleaves);
/* c's value (c valid). */
bool cond_eval(const usim_cond *c);
/* The index of the first top-level part of c that holds (0 for a leaf or
 * if none does). */
size_t cond_first_true(const usim_cond *c);
/* Links the listeners of watch w (w->ls has room for every leaf) to
 * their sources: `all_leaves`, every leaf at any depth; else (μsim) only
 * the false leaves among the top-level parts, a same-kind composite's
 * parts counting as top-level (μsim flattens `a & (b & c)`).  Returns the
 * earliest wake tick of the time leaves it would link (they have no
 * source), SCHED_NO_TIMEOUT if none. */
int64_t cond_attach(usim_cond_watch *w, bool all_leaves);
void cond_detach(usim_cond_watch *w);

/* usim_scope_open_when: the tick at which the time leaves of c end the
 * scope (SCHED_NO_TIMEOUT if none), or -1 with *err set if a time leaf
 * other than `time < t` is not c itself or a part of its top-level any. */
int64_t cond_scope_deadline(const usim_cond *c, const char **err);

/* scope.c: scope s's condition has fired; returns the tasks woken. */
size_t scope_when_fired(usim_scope *s);
/* scope.c: t was abandoned (its stack is never unwound, its scopes
 * never close): the condition watches of the scopes it owns, which live
 * on that stack, stop watching, and the outermost of those scopes is cut
 * from the scope t is a child of. */
void scope_when_abandoned(usim_task *t);

#endif
