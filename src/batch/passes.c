/*
 * passes.c — the same runs from several passes, compared output by output
 * (passes.h).
 *
 * Each result is reduced to what is compared: the status, end time, event
 * count, scalars, drift statistics and a 64-bit hash of each trace.  The
 * table is then built output by output: for each output, the number of
 * runs whose values are not all the same across the passes, and the
 * largest absolute difference between two of them.  NaN equals NaN (a
 * scalar a run never set is the same "value" in every pass).
 */
#define _GNU_SOURCE /* strdup */
#include "batch/passes.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fnv1a.h"

/* The outputs of one run in one pass. */
typedef struct outcome {
    bool have;
    run_status status;
    double end_time, events;
    double *scalars; /* the model's scalars, descriptor order */
    size_t ndrift;
    run_drift *drift;
    uint64_t *traces; /* hash of each enabled trace */
} outcome;

struct passes {
    const experiment *e;
    const uint64_t *runs; /* ascending */
    size_t nruns;
    size_t npasses;
    outcome *oc; /* oc[i * npasses + pass] for runs[i] */
    bool nomem;
};
typedef struct passes table;

/* FNV-1a over the bytes of a trace: its length, times and values. */
static uint64_t trace_hash(const run_trace *t)
{
    uint64_t h = fnv1a64(FNV1A64_BASIS, &t->n, sizeof t->n);
    if (t->n == 0)
        return h;
    h = fnv1a64(h, t->t, t->n * sizeof *t->t);
    return fnv1a64(h, t->v, t->n * sizeof *t->v);
}

static void outcome_free(outcome *o)
{
    for (size_t k = 0; k < o->ndrift; k++)
        free(o->drift[k].task);
    free(o->drift);
    free(o->scalars);
    free(o->traces);
    memset(o, 0, sizeof *o);
}

void passes_sink_put(const run_result *r, void *passes_sink_ctx)
{
    passes_sink *ps = passes_sink_ctx;
    passes_put(ps->tb, ps->pass, r);
}

void passes_put(passes *tb, size_t pass, const run_result *r)
{
    size_t lo = 0, hi = tb->nruns;
    while (lo < hi) { /* runs[] is ascending */
        size_t mid = lo + (hi - lo) / 2;
        if (tb->runs[mid] < r->run)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == tb->nruns || tb->runs[lo] != r->run)
        return;
    outcome *o = &tb->oc[lo * tb->npasses + pass];
    if (o->have)
        outcome_free(o);
    const experiment *e = tb->e;
    o->status = r->status;
    o->end_time = r->end_time;
    o->events = (double)r->events;
    o->scalars = calloc(r->nscalars ? r->nscalars : 1, sizeof *o->scalars);
    o->drift = calloc(r->ndrift ? r->ndrift : 1, sizeof *o->drift);
    o->traces = calloc(e->ntraces ? e->ntraces : 1, sizeof *o->traces);
    if (!o->scalars || !o->drift || !o->traces)
        goto nomem;
    memcpy(o->scalars, r->scalars, r->nscalars * sizeof *o->scalars);
    for (size_t k = 0; k < r->ndrift; k++, o->ndrift++) {
        o->drift[k].st = r->drift[k].st;
        if ((o->drift[k].task = strdup(r->drift[k].task)) == NULL)
            goto nomem;
    }
    for (size_t k = 0; k < r->ntraces && k < e->ntraces; k++)
        o->traces[k] = trace_hash(&r->traces[k]);
    o->have = true;
    return;
nomem:
    outcome_free(o);
    tb->nomem = true;
}

/* ------------------------------------------------------------------ */
/* Comparison                                                          */
/* ------------------------------------------------------------------ */

/* One output: how many runs differ across the orders, and by how much. */
typedef struct row {
    char label[160];
    uint64_t differing; /* runs whose values are not all the same */
    double largest;     /* largest |a - b| between two finite values */
    bool numeric;       /* else only "differs" is meaningful */
    bool drift;
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
} rows;

static row *row_new(rows *rs, bool numeric, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static row *row_new(rows *rs, bool numeric, const char *fmt, ...)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? 2 * rs->cap : 32;
        row *v = realloc(rs->v, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        rs->v = v;
        rs->cap = cap;
    }
    row *w = &rs->v[rs->n++];
    memset(w, 0, sizeof *w);
    w->numeric = numeric;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->label, sizeof w->label, fmt, ap);
    va_end(ap);
    return w;
}

static bool same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Adds one run's values in the n passes. */
static void row_add(row *w, const double *v, size_t n)
{
    bool differ = false;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            if (same(v[a], v[b]))
                continue;
            differ = true;
            if (isfinite(v[a]) && isfinite(v[b]) && fabs(v[a] - v[b]) > w->largest)
                w->largest = fabs(v[a] - v[b]);
        }
    w->differing += differ;
}

static const char *const drift_fields[] = {
    "waits", "requested", "actual", "mean_abs", "max_abs", "final", "overruns"};
enum { NDRIFT_FIELDS = sizeof drift_fields / sizeof *drift_fields };

static double drift_field(const usim_drift_stats *s, int f)
{
    switch (f) {
    case 0:
        return (double)s->waits;
    case 1:
        return s->requested;
    case 2:
        return s->actual;
    case 3:
        return s->mean_abs;
    case 4:
        return s->max_abs;
    case 5:
        return s->final;
    default:
        return (double)s->overruns;
    }
}

static const run_drift *find_group(const outcome *o, const char *name)
{
    for (size_t k = 0; k < o->ndrift; k++)
        if (strcmp(o->drift[k].task, name) == 0)
            return &o->drift[k];
    return NULL;
}

/* The union of the drift group names, in order of first appearance. */
static const char **group_names(const table *tb, size_t *n)
{
    size_t cap = 8;
    const char **names = malloc(cap * sizeof *names);
    *n = 0;
    if (names == NULL)
        return NULL;
    for (size_t j = 0; j < tb->nruns * tb->npasses; j++)
        for (size_t k = 0; k < tb->oc[j].ndrift; k++) {
            const char *name = tb->oc[j].drift[k].task;
            size_t i = 0;
            while (i < *n && strcmp(names[i], name) != 0)
                i++;
            if (i < *n)
                continue;
            if (*n == cap) {
                const char **more = realloc(names, 2 * cap * sizeof *names);
                if (more == NULL) {
                    free(names);
                    return NULL;
                }
                names = more;
                cap *= 2;
            }
            names[(*n)++] = name;
        }
    return names;
}

#define OC(tb, i, o) (&(tb)->oc[(i) * (tb)->npasses + (o)])

/* One output's value in an outcome; `key` says which (NULL, a scalar's
 * index, a drift_key). */
typedef double (*value_fn)(const outcome *o, const void *key);

typedef struct drift_key {
    const char *group;
    int field;
} drift_key;

static double value_status(const outcome *o, const void *key)
{
    (void)key;
    return (double)o->status;
}

static double value_end_time(const outcome *o, const void *key)
{
    (void)key;
    return o->end_time;
}

static double value_events(const outcome *o, const void *key)
{
    (void)key;
    return o->events;
}

static double value_scalar(const outcome *o, const void *key)
{
    return o->scalars[*(const size_t *)key];
}

static double value_drift(const outcome *o, const void *key)
{
    const drift_key *dk = key;
    const run_drift *d = find_group(o, dk->group);
    /* A group missing in one pass: NaN against numbers. */
    return d ? drift_field(&d->st, dk->field) : NAN;
}

/* Fills a row from every run's values in the passes. */
static void row_fill(row *w, const table *tb, value_fn get, const void *key)
{
    double v[PASSES_MAX];
    for (size_t i = 0; i < tb->nruns; i++) {
        for (size_t o = 0; o < tb->npasses; o++)
            v[o] = get(OC(tb, i, o), key);
        row_add(w, v, tb->npasses);
    }
}

/* One row per output; false if memory ran out. */
static bool compare(const table *tb, const char **groups, size_t ngroups, rows *rs)
{
    const experiment *e = tb->e;
    const usim_model *m = e->model;
    row *w;

    if ((w = row_new(rs, false, "status")) == NULL)
        return false;
    row_fill(w, tb, value_status, NULL);
    if ((w = row_new(rs, true, "end_time")) == NULL)
        return false;
    row_fill(w, tb, value_end_time, NULL);
    if ((w = row_new(rs, true, "events")) == NULL)
        return false;
    row_fill(w, tb, value_events, NULL);
    for (size_t k = 0; k < m->n_scalars; k++) {
        if ((w = row_new(rs, true, "scalar %s", m->scalars[k].name)) == NULL)
            return false;
        row_fill(w, tb, value_scalar, &k);
    }
    for (size_t g = 0; g < ngroups; g++)
        for (int f = 0; f < NDRIFT_FIELDS; f++) {
            if ((w = row_new(rs, true, "drift %s.%s", groups[g], drift_fields[f])) ==
                NULL)
                return false;
            w->drift = true;
            row_fill(w, tb, value_drift, &(drift_key){groups[g], f});
        }
    for (size_t k = 0; k < e->ntraces; k++) {
        if ((w = row_new(rs, false, "trace %s", e->traces[k].name)) == NULL)
            return false;
        for (size_t i = 0; i < tb->nruns; i++) {
            uint64_t h0 = OC(tb, i, 0)->traces[k];
            bool differ = false;
            for (size_t o = 1; o < tb->npasses; o++)
                differ |= OC(tb, i, o)->traces[k] != h0;
            w->differing += differ;
        }
    }
    return true;
}

/* The table: every row, except drift rows without a difference, which are
 * summarised in one line; then the names of the outputs that differ. */
static size_t print_table(FILE *out, const rows *rs, size_t ngroups, const char *depend)
{
    size_t dependent = 0, drift_shown = 0;
    fprintf(out, "%-44s %14s  %s\n", "output", "runs differing", "largest difference");
    for (size_t i = 0; i < rs->n; i++) {
        const row *w = &rs->v[i];
        dependent += w->differing > 0;
        if (w->drift && w->differing == 0)
            continue;
        drift_shown += w->drift;
        if (w->numeric && w->differing > 0)
            fprintf(out, "%-44s %14llu  %.9g\n", w->label,
                    (unsigned long long)w->differing, w->largest);
        else
            fprintf(out, "%-44s %14llu\n", w->label, (unsigned long long)w->differing);
    }
    if (drift_shown == 0 && ngroups > 0) {
        char label[64];
        snprintf(label, sizeof label, "drift (%zu group%s, every statistic)", ngroups,
                 ngroups == 1 ? "" : "s");
        fprintf(out, "%-44s %14d\n", label, 0);
    }
    if (dependent == 0) {
        fprintf(out, "# no output depends on %s in these runs\n", depend);
        return 0;
    }
    fprintf(out, "# depend on %s:", depend);
    for (size_t i = 0, k = 0; i < rs->n; i++)
        if (rs->v[i].differing > 0)
            fprintf(out, "%s %s", k++ ? "," : "", rs->v[i].label);
    fputc('\n', out);
    return dependent;
}

passes *passes_new(const experiment *e, const uint64_t *runs, size_t nruns,
                   size_t npasses)
{
    if (npasses < 2 || npasses > PASSES_MAX)
        return NULL;
    passes *tb = calloc(1, sizeof *tb);
    if (tb == NULL)
        return NULL;
    *tb = (passes){.e = e, .runs = runs, .nruns = nruns, .npasses = npasses};
    tb->oc = calloc(nruns > 0 ? nruns * npasses : 1, sizeof *tb->oc);
    if (tb->oc == NULL) {
        free(tb);
        return NULL;
    }
    return tb;
}

void passes_free(passes *tb)
{
    if (tb == NULL)
        return;
    for (size_t j = 0; j < tb->nruns * tb->npasses; j++)
        outcome_free(&tb->oc[j]);
    free(tb->oc);
    free(tb);
}

int passes_report(passes *tb, FILE *out, const char *depend, size_t *differing,
                  char *err, size_t errlen)
{
    if (tb->nomem) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < tb->nruns * tb->npasses; j++)
        if (!tb->oc[j].have) {
            snprintf(err, errlen, "run %llu gave no result",
                     (unsigned long long)tb->runs[j / tb->npasses]);
            return -1;
        }
    size_t ngroups;
    const char **groups = group_names(tb, &ngroups);
    rows rs = {0};
    int rc = 0;
    if (groups == NULL || !compare(tb, groups, ngroups, &rs)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else {
        *differing = print_table(out, &rs, ngroups, depend);
    }
    free(groups);
    free(rs.v);
    return rc;
}
