/*
 * stack.c — the per-thread stack pool.
 *
 * Guarded stacks cost two memory mappings each (the PROT_NONE guard region
 * and the stack: one mmap split by mprotect), whatever the guard's size,
 * and vm.max_map_count (65530 by default) is per process.  So that a
 * million tasks with default settings still run, guarded stacks are
 * counted process-wide; past a budget of about half the mapping limit,
 * new stacks come from slabs without a guard, and a one-line notice says
 * so once per process.
 *
 * A guarded stack is mapped PROT_NONE as a whole and only its usable part
 * is then made writable, so the guard never counts against the commit
 * limit (vm.overcommit_memory = 2) and a large guard costs address space
 * only.
 *
 * A pooled stack keeps its descriptor in a node at the top of its own
 * memory, so the pool allocates nothing.  Slab stacks are never unmapped
 * one by one: a slab is released as a whole by stack_pool_trim() once no
 * slab stack of this thread is in use (typically when a simulation with a
 * million tasks has been destroyed), and at thread exit.
 *
 * Invariants (checked by pool_check() after every change of the pool, in
 * builds with assertions):
 *  - every stack descriptor is page-aligned and whole pages; a guarded one
 *    has a guard and no slab, a slab one a slab and no guard, and lies at
 *    a stack boundary of its slab, below the slab's fresh mark;
 *  - a class's free list holds exactly `count` stacks, each of the class's
 *    size and guard, its node at the top of its own memory; an empty list
 *    has count 0; no guarded class holds more than POOL_KEEP_GUARDED;
 *  - the classes' counts add up to stats.pooled, and the slab stacks in
 *    use plus those pooled never exceed the slab stacks ever carved.
 */
#include "coro/stack.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coro/instrument.h"

enum {
    POOL_CLASSES = 8,         /* distinct (size, guard) pairs pooled */
    POOL_KEEP_GUARDED = 1024, /* guarded stacks kept per class */
    POOL_TRIM_GUARDED = 64,   /* guarded stacks kept per class by a trim */
    SLAB_BYTES = 4 << 20,     /* target size of one slab mapping */
};

typedef struct pooled {
    struct pooled *next;
    stack s;
} pooled;

typedef struct pool_class {
    size_t size;  /* 0: unused */
    size_t guard; /* guard bytes; 0: a class of slab stacks */
    pooled *head;
    size_t count;
} pool_class;

struct stack_slab {
    struct stack_slab *next;
    char *base;
    size_t len;
    size_t stack_size;
    unsigned nstacks;
    unsigned fresh; /* stacks never handed out start at this index */
};

typedef struct stack_pool {
    pool_class cls[POOL_CLASSES];
    struct stack_slab *slabs;
    size_t slab_in_use; /* slab stacks handed out and not yet freed */
    size_t slab_carved; /* slab stacks ever handed out of the live slabs */
    stack_pool_stats stats;
    bool registered;
} stack_pool;

static _Thread_local stack_pool tpool;
static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static size_t page_size(void)
{
    static size_t ps;
    if (!ps)
        ps = (size_t)sysconf(_SC_PAGESIZE);
    return ps;
}

/* Whole pages, 0 if `n` is 0 or rounding overflows. */
static size_t round_pages(size_t n)
{
    size_t ps = page_size();
    if (n == 0 || n > SIZE_MAX - (ps - 1))
        return 0;
    return (n + ps - 1) / ps * ps;
}

size_t stack_round_size(size_t size)
{
    return round_pages(size);
}

/* ---- invariants (compiled out with NDEBUG) --------------------------- */

#ifndef NDEBUG
static bool is_pages(uintptr_t n)
{
    return n % page_size() == 0;
}

static void stack_check(const stack *s)
{
    assert(s->lo && is_pages((uintptr_t)s->lo));
    assert(s->size && is_pages(s->size));
    assert(is_pages(s->guard) && (!s->guard || s->guard >= STACK_GUARD_MIN));
    assert((s->guard != 0) == (s->slab == NULL));
    if (s->slab) {
        const struct stack_slab *sl = s->slab;
        assert(s->size == sl->stack_size);
        assert(s->lo >= sl->base && s->lo + s->size <= sl->base + sl->len);
        assert((size_t)(s->lo - sl->base) % sl->stack_size == 0);
        assert((size_t)(s->lo - sl->base) / sl->stack_size < sl->fresh);
    }
}

static void class_check(const pool_class *c)
{
    assert((c->head == NULL) == (c->count == 0));
    assert(c->size || !c->count);
    assert(!c->guard || c->count <= POOL_KEEP_GUARDED);
    if (c->head) {
        const pooled *n = c->head;
        assert((const char *)n == n->s.lo + n->s.size - sizeof(pooled));
        assert(n->s.size == c->size && n->s.guard == c->guard);
        stack_check(&n->s);
    }
}

static void pool_check(void)
{
    size_t pooled = 0, pooled_slab = 0;
    for (int i = 0; i < POOL_CLASSES; i++) {
        const pool_class *c = &tpool.cls[i];
        class_check(c);
        pooled += c->count;
        if (!c->guard)
            pooled_slab += c->count;
        for (int j = 0; j < i && c->size; j++)
            assert(tpool.cls[j].size != c->size || tpool.cls[j].guard != c->guard);
    }
    assert(pooled == tpool.stats.pooled);
    assert(tpool.stats.pooled <= tpool.stats.mapped);
    assert(tpool.slab_in_use + pooled_slab <= tpool.slab_carved);
    assert(!tpool.slabs || tpool.slabs->fresh <= tpool.slabs->nstacks);
}
#else
static inline void stack_check(const stack *s)
{
    (void)s;
}
static inline void pool_check(void) {}
#endif

static void pool_release_all(void *unused);

static void pool_make_key(void)
{
    pthread_key_create(&pool_key, pool_release_all);
}

/* Registers this thread's pool for release at thread exit. */
static void pool_register(void)
{
    if (tpool.registered)
        return;
    pthread_once(&pool_once, pool_make_key);
    pthread_setspecific(pool_key, &tpool);
    tpool.registered = true;
}

static pool_class *pool_find(size_t size, size_t guard, bool create)
{
    for (int i = 0; i < POOL_CLASSES; i++) {
        pool_class *c = &tpool.cls[i];
        if (c->size == size && c->guard == guard)
            return c;
    }
    if (!create)
        return NULL;
    for (int i = 0; i < POOL_CLASSES; i++) {
        pool_class *c = &tpool.cls[i];
        /* Empty guarded classes may be recycled; slab classes stay. */
        if (c->size == 0 || (c->count == 0 && c->guard)) {
            c->size = size;
            c->guard = guard;
            c->head = NULL;
            c->count = 0;
            return c;
        }
    }
    return NULL;
}

static void *map_anon(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    tpool.stats.mappings++;
    return p;
}

static atomic_size_t guarded_mapped; /* guarded stacks mapped, all threads */
static size_t guard_budget;
static pthread_once_t budget_once = PTHREAD_ONCE_INIT;
static atomic_flag budget_noticed = ATOMIC_FLAG_INIT;

/* Half of what vm.max_map_count leaves after a margin for everything
 * else the process maps. */
static void compute_budget(void)
{
    long limit = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &limit) != 1)
            limit = 65530;
        fclose(f);
    }
    guard_budget = limit > 8192 ? (size_t)(limit - 8192) / 2 : 1024;
}

void stack_set_guard_budget(size_t n)
{
    pthread_once(&budget_once, compute_budget);
    guard_budget = n;
}

size_t stack_guarded_mapped(void)
{
    return atomic_load(&guarded_mapped);
}

static bool guard_allowed(void)
{
    pthread_once(&budget_once, compute_budget);
    if (atomic_load_explicit(&guarded_mapped, memory_order_relaxed) < guard_budget)
        return true;
    if (!atomic_flag_test_and_set(&budget_noticed))
        fprintf(stderr,
                "usim: %zu guarded stacks are mapped (vm.max_map_count allows about "
                "twice that many mappings); further stacks have no guard page\n",
                guard_budget);
    return false;
}

/* One mapping, PROT_NONE as a whole; then the usable top part is made
 * writable, the guard below it stays as mapped. */
static int map_guarded(stack *s, size_t size, size_t guard)
{
    if (guard > SIZE_MAX - size) {
        errno = EINVAL;
        return -1;
    }
    char *p = map_anon(guard + size, PROT_NONE);
    if (!p)
        return -1;
    if (mprotect(p + guard, size, PROT_READ | PROT_WRITE) != 0) {
        int e = errno;
        munmap(p, guard + size);
        errno = e;
        return -1;
    }
    s->lo = p + guard;
    s->size = size;
    s->guard = guard;
    s->slab = NULL;
    atomic_fetch_add_explicit(&guarded_mapped, 1, memory_order_relaxed);
    return 0;
}

static int carve_from_slab(stack *s, size_t size)
{
    struct stack_slab *sl = tpool.slabs;
    if (!sl || sl->stack_size != size || sl->fresh == sl->nstacks) {
        sl = malloc(sizeof *sl);
        if (!sl)
            return -1;
        unsigned n = (unsigned)(SLAB_BYTES / size);
        sl->nstacks = n ? n : 1;
        sl->len = (size_t)sl->nstacks * size;
        sl->base = map_anon(sl->len, PROT_READ | PROT_WRITE);
        if (!sl->base) {
            free(sl);
            return -1;
        }
        sl->stack_size = size;
        sl->fresh = 0;
        sl->next = tpool.slabs;
        tpool.slabs = sl;
    }
    s->lo = sl->base + (size_t)sl->fresh++ * size;
    s->size = size;
    s->guard = 0;
    s->slab = sl;
    tpool.slab_carved++;
    return 0;
}

int stack_alloc(stack *s, size_t size, size_t guard)
{
    bool guarded = guard != 0;
    size = round_pages(size);
    if (guarded)
        guard = round_pages(guard < STACK_GUARD_MIN ? STACK_GUARD_MIN : guard);
    if (!size || guarded != (guard != 0)) {
        errno = EINVAL;
        return -1;
    }
    pool_register();
    pool_class *c = pool_find(size, guard, false);
    if (c && c->head) {
        pooled *n = c->head;
        c->head = n->next;
        c->count--;
        *s = n->s;
        tpool.stats.pooled--;
        tpool.stats.reused++;
    } else {
        if (guard && !guard_allowed()) {
            c = pool_find(size, 0, false);
            if (c && c->head)
                return stack_alloc(s, size, 0);
            guard = 0;
        }
        int rc = guard ? map_guarded(s, size, guard) : carve_from_slab(s, size);
        if (rc != 0)
            return -1;
        tpool.stats.mapped++;
    }
    if (!s->guard)
        tpool.slab_in_use++;
    assert(s->size == size && s->guard == guard);
    stack_check(s);
    pool_check();
    instrument_stack_fresh(s->lo, s->size);
    s->vg_id = instrument_stack_register(s->lo, s->size);
    return 0;
}

static void unmap_guarded(const stack *s)
{
    atomic_fetch_sub_explicit(&guarded_mapped, 1, memory_order_relaxed);
    munmap(s->lo - s->guard, s->guard + s->size);
    tpool.stats.mapped--;
}

void stack_free(stack *s)
{
    stack_check(s);
    instrument_stack_deregister(s->vg_id);
    if (!s->guard) {
        assert(tpool.slab_in_use > 0);
        tpool.slab_in_use--;
    }
    pool_class *c = pool_find(s->size, s->guard, true);
    if (!c || (s->guard && c->count >= POOL_KEEP_GUARDED)) {
        /* A slab stack whose class cannot be pooled stays carved but
         * unused until the slab is released by a trim. */
        if (s->guard)
            unmap_guarded(s);
        s->lo = NULL;
        pool_check();
        return;
    }
    pooled *n = (pooled *)(s->lo + s->size - sizeof(pooled));
    n->s = *s;
    n->next = c->head;
    c->head = n;
    c->count++;
    tpool.stats.pooled++;
    s->lo = NULL;
    pool_check();
}

void stack_after_overflow(const stack *s)
{
    if (s->guard)
        instrument_stack_fresh(s->lo - s->guard, s->guard);
}

static void release_guarded_class(pool_class *c)
{
    while (c->head) {
        pooled *n = c->head;
        c->head = n->next;
        stack s = n->s;
        unmap_guarded(&s);
        tpool.stats.pooled--;
    }
    c->count = 0;
}

static void release_slabs(void)
{
    for (int i = 0; i < POOL_CLASSES; i++) {
        pool_class *c = &tpool.cls[i];
        if (c->size && !c->guard) {
            assert(tpool.stats.pooled >= c->count && tpool.stats.mapped >= c->count);
            tpool.stats.pooled -= c->count;
            tpool.stats.mapped -= c->count;
            c->head = NULL;
            c->count = 0;
            c->size = 0;
        }
    }
    while (tpool.slabs) {
        struct stack_slab *sl = tpool.slabs;
        tpool.slabs = sl->next;
        munmap(sl->base, sl->len);
        free(sl);
    }
    tpool.slab_carved = 0;
}

void stack_pool_trim(void)
{
    for (int i = 0; i < POOL_CLASSES; i++) {
        pool_class *c = &tpool.cls[i];
        while (c->guard && c->count > POOL_TRIM_GUARDED) {
            pooled *n = c->head;
            c->head = n->next;
            c->count--;
            stack s = n->s;
            unmap_guarded(&s);
            tpool.stats.pooled--;
        }
    }
    if (tpool.slab_in_use == 0)
        release_slabs();
    pool_check();
}

static void pool_release_all(void *unused)
{
    (void)unused;
    for (int i = 0; i < POOL_CLASSES; i++)
        if (tpool.cls[i].guard)
            release_guarded_class(&tpool.cls[i]);
    if (tpool.slab_in_use == 0)
        release_slabs();
    pool_check();
}

stack_pool_stats stack_pool_get_stats(void)
{
    return tpool.stats;
}
