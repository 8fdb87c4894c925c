/*
 * list.h — the kernel's one intrusive list: doubly linked tasks.  Every
 * list the kernel keeps is one: a wait list (usim_waitlist, FIFO, with a
 * tail), the children of a scope and its failed children (in spawn and in
 * failure order, with a tail) and the tasks of a simulation (pushed at the
 * front, head only).  A task carries one list_link per kind of list it can
 * be on (task.h: wait, sib, failure, all), so it is on at most one list of
 * each kind and linking allocates nothing.
 *
 * A list is its head pointer and, if it keeps one, its tail pointer
 * (NULL for head-only lists); `off` is the offset of the link in the task
 * (TASK_WAIT_LINK, ...).  Unlinked, a task's link is {NULL, NULL}.
 *
 * Invariants, checked in debug builds at every change: the head has no
 * prev and the tail no next; along the list, next->prev points back; the
 * tail is the last node; a task being linked is on no list of that kind.
 * A full walk is O(n), so after a change debug builds walk only the first
 * LIST_CHECK_WALK links (always including the neighbours of the change).
 */
#ifndef USIM_KERNEL_LIST_H
#define USIM_KERNEL_LIST_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>

#include "usim.h"

typedef struct list_link {
    usim_task *next, *prev;
} list_link;

enum { LIST_CHECK_WALK = 64 };

static inline list_link *list_link_of(const usim_task *t, size_t off)
{
    return (list_link *)((char *)t + off);
}

static inline usim_task *list_next(const usim_task *t, size_t off)
{
    return list_link_of(t, off)->next;
}

/* True if t is linked into some list through `off` (or is the only node
 * of one: a lone node has no links, so ask the list's head too). */
static inline bool list_linked(usim_task *const *head, const usim_task *t, size_t off)
{
    const list_link *l = list_link_of(t, off);
    return l->next || l->prev || *head == t;
}

/* Walks at most `max` nodes from the head checking the links; true if
 * every link seen is consistent (and, if the walk reached the end, the
 * tail is the last node). */
static inline bool list_valid(usim_task *const *head, usim_task *const *tail,
                              size_t off, size_t max)
{
    const usim_task *prev = NULL;
    const usim_task *t = *head;
    for (size_t n = 0; t && n < max; n++) {
        const list_link *l = list_link_of(t, off);
        if (l->prev != prev)
            return false;
        prev = t;
        t = l->next;
    }
    if (!t && tail && *tail != prev)
        return false;
    return true;
}

#ifndef NDEBUG
static inline void list_check(usim_task *const *head, usim_task *const *tail,
                              size_t off)
{
    assert(!*head || !list_link_of(*head, off)->prev);
    assert(!tail || !*tail || !list_link_of(*tail, off)->next);
    assert(!tail || (!*head) == (!*tail));
    assert(list_valid(head, tail, off, LIST_CHECK_WALK));
}
#else
static inline void list_check(usim_task *const *head, usim_task *const *tail,
                              size_t off)
{
    (void)head;
    (void)tail;
    (void)off;
}
#endif

/* Links t in before `before` (a node of the list), or at the end if
 * `before` is NULL (the end of a head-only list only while it is empty). */
static inline void list_insert(usim_task **head, usim_task **tail, size_t off,
                               usim_task *t, usim_task *before)
{
    list_link *l = list_link_of(t, off);
    assert(!list_linked(head, t, off)); /* on no other list of this kind */
    assert(before || tail || !*head);
    l->next = before;
    l->prev = before ? list_link_of(before, off)->prev : tail ? *tail : NULL;
    if (l->prev)
        list_link_of(l->prev, off)->next = t;
    else
        *head = t;
    if (before)
        list_link_of(before, off)->prev = t;
    else if (tail)
        *tail = t;
    list_check(head, tail, off);
}

/* Links t in at the front. */
static inline void list_push_front(usim_task **head, usim_task **tail, size_t off,
                                   usim_task *t)
{
    list_insert(head, tail, off, t, *head);
}

/* Unlinks t, a node of the list. */
static inline void list_remove(usim_task **head, usim_task **tail, size_t off,
                               usim_task *t)
{
    list_link *l = list_link_of(t, off);
    assert(l->prev ? list_link_of(l->prev, off)->next == t : *head == t);
    assert(!l->next || list_link_of(l->next, off)->prev == t);
    assert(l->next || !tail || *tail == t);
    if (l->prev)
        list_link_of(l->prev, off)->next = l->next;
    else
        *head = l->next;
    if (l->next)
        list_link_of(l->next, off)->prev = l->prev;
    else if (tail)
        *tail = l->prev;
    l->next = l->prev = NULL;
    list_check(head, tail, off);
}

#endif
