/*
 * thread_end.c — work done when a thread ends (thread_end.h): one
 * pthread key for the process, whose destructor runs the calling
 * thread's list.
 */
#include "kernel/thread_end.h"

#include <pthread.h>
#include <stddef.h>

enum { MAX_AT_END = 8 };

typedef struct at_end_list {
    struct {
        void (*fn)(void *);
        void *arg;
    } e[MAX_AT_END];
    size_t n;
} at_end_list;

static _Thread_local at_end_list here;
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_rc = -1;

static void run_list(void *p)
{
    at_end_list *l = p;
    while (l->n > 0) {
        l->n--;
        l->e[l->n].fn(l->e[l->n].arg);
    }
}

static void make_key(void)
{
    key_rc = pthread_key_create(&key, run_list);
}

int thread_at_end(void (*fn)(void *arg), void *arg)
{
    pthread_once(&once, make_key);
    if (key_rc != 0 || here.n == MAX_AT_END)
        return -1;
    if (here.n == 0 && pthread_setspecific(key, &here) != 0)
        return -1;
    here.e[here.n].fn = fn;
    here.e[here.n].arg = arg;
    here.n++;
    return 0;
}
