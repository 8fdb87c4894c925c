/*
 * experiment_stats.c — warmup and precision settings (experiment_stats.h).
 */
#define _GNU_SOURCE /* strdup */
#include "batch/experiment_stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch/experiment_schema.h"

static const char *const warmup_names[] = {"method", "trace", "pilot_replications"};
static const char *const precision_names[] = {
    "scalars",    "half_width",       "relative_half_width",
    "confidence", "min_replications", "max_replications"};

#define DEFAULT_PILOTS 5
#define DEFAULT_CONFIDENCE 0.95
#define DEFAULT_MIN_REPLICATIONS 10
#define DEFAULT_MAX_REPLICATIONS 1000

/* A positive integer member of g, or its default. */
static int positive(loader *ld, const config_setting_t *g, const char *name,
                    int64_t least, uint64_t *out)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    int64_t i;
    if (s == NULL)
        return 0;
    if (setting_integer(ld, s, &i) < 0)
        return -1;
    if (i < least)
        return setting_fail(ld, s, "must be at least %" PRId64 ", not %" PRId64, least,
                            i);
    *out = (uint64_t)i;
    return 0;
}

/* ------------------------------------------------------------------ */
/* precision                                                           */
/* ------------------------------------------------------------------ */

static int load_precision_scalars(loader *ld, const config_setting_t *g)
{
    exp_precision *p = &ld->e->precision;
    const config_setting_t *l = config_setting_get_member(g, "scalars");
    if (l == NULL)
        return setting_fail_missing(ld, g, "scalars",
                                    "missing: the scalars whose confidence intervals "
                                    "must be narrow enough, e.g. [\"mean_wait\"]");
    if (!config_setting_is_list(l) && !config_setting_is_array(l))
        return setting_fail(ld, l, "must be a list of scalar names, not %s",
                            setting_type_name(config_setting_type(l)));
    int n = config_setting_length(l);
    if (n < 1)
        return setting_fail(ld, l, "names no scalar");
    if ((p->scalars = calloc((size_t)n, sizeof *p->scalars)) == NULL)
        return setting_fail(ld, l, "out of memory");
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
        const char *name;
        size_t k;
        if (setting_string(ld, el, &name) < 0 ||
            schema_find_output(ld, el, name, ld->e->model->scalars,
                               ld->e->model->n_scalars, "scalar", &k) < 0)
            return -1;
        for (size_t j = 0; j < p->nscalars; j++)
            if (p->scalars[j] == k)
                return setting_fail(ld, el, "\"%s\" is listed twice", name);
        p->scalars[p->nscalars++] = k;
    }
    return 0;
}

/* One of half_width and relative_half_width, > 0. */
static int load_precision_target(loader *ld, const config_setting_t *g)
{
    exp_precision *p = &ld->e->precision;
    const config_setting_t *abs = config_setting_get_member(g, "half_width");
    const config_setting_t *rel = config_setting_get_member(g, "relative_half_width");
    p->half_width = p->relative = NAN;
    if (abs && rel)
        return setting_fail(ld, rel,
                            "give either half_width (absolute) or relative_half_width "
                            "(a fraction of the mean), not both");
    if (!abs && !rel)
        return setting_fail_missing(ld, g, "relative_half_width",
                                    "missing: the target, relative_half_width (e.g. "
                                    "0.02: within 2%% of the mean) or half_width");
    const config_setting_t *s = abs ? abs : rel;
    double d;
    if (setting_number(ld, s, &d) < 0)
        return -1;
    if (!(d > 0))
        return setting_fail(ld, s, "must be > 0, not %g", d);
    if (abs)
        p->half_width = d;
    else
        p->relative = d;
    return 0;
}

int stats_load_precision(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    exp_precision *p = &e->precision;
    const config_setting_t *g, *s;
    int found = setting_member_group(ld, root, "precision", precision_names,
                                     USIM_ARRAY_LEN(precision_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(root, "replications")) != NULL)
        return setting_fail(ld, s,
                            "precision decides how many replications each point gets: "
                            "set precision.min_replications and max_replications "
                            "instead");
    e->precise = true;
    p->confidence = DEFAULT_CONFIDENCE;
    p->min_replications = DEFAULT_MIN_REPLICATIONS;
    p->max_replications = DEFAULT_MAX_REPLICATIONS;
    if (load_precision_scalars(ld, g) < 0 || load_precision_target(ld, g) < 0)
        return -1;
    if ((s = config_setting_get_member(g, "confidence")) != NULL) {
        if (setting_number(ld, s, &p->confidence) < 0)
            return -1;
        if (!(p->confidence > 0 && p->confidence < 1))
            return setting_fail(ld, s, "must be between 0 and 1 (0.95: 95%%), not %g",
                                p->confidence);
    }
    /* Two replications at least: a confidence interval needs a variance. */
    if (positive(ld, g, "min_replications", 2, &p->min_replications) < 0 ||
        positive(ld, g, "max_replications", 2, &p->max_replications) < 0)
        return -1;
    if (p->max_replications < p->min_replications)
        return setting_fail(ld,
                            config_setting_get_member(g, "max_replications")
                                ? config_setting_get_member(g, "max_replications")
                                : g,
                            "max_replications (%" PRIu64
                            ") is below min_replications (%" PRIu64 ")",
                            p->max_replications, p->min_replications);
    e->replications = p->max_replications;
    return 0;
}

/* ------------------------------------------------------------------ */
/* warmup                                                              */
/* ------------------------------------------------------------------ */

/* warmup = T: every statistic restarts at T. */
static int load_fixed(loader *ld, const config_setting_t *s)
{
    experiment *e = ld->e;
    double d;
    if (setting_number(ld, s, &d) < 0)
        return -1;
    if (!(d >= 0) || !isfinite(d))
        return setting_fail(ld, s, "the warm-up time must be >= 0, not %g", d);
    if (!(d < e->until))
        return setting_fail(ld, s, "the warm-up time (%g) must be before until (%g)", d,
                            e->until);
    e->warmup = d;
    e->warmup_method = d > 0 ? WARMUP_FIXED : WARMUP_NONE;
    return 0;
}

/* The trace MSER-5 reads, enabled (every change) if the file did not
 * enable it: the pilots need it, and the file keeps it to show where the
 * warm-up ends. */
static int load_mser_trace(loader *ld, const config_setting_t *g)
{
    experiment *e = ld->e;
    const usim_model *m = e->model;
    const config_setting_t *s = config_setting_get_member(g, "trace");
    const char *name;
    if (s == NULL)
        return setting_fail_missing(ld, g, "trace",
                                    "missing: the trace MSER-5 reads, e.g. "
                                    "\"queue_length\"");
    if (setting_string(ld, s, &name) < 0)
        return -1;
    size_t k;
    if (schema_find_output(ld, s, name, m->traces, m->n_traces, "trace", &k) < 0)
        return -1;
    for (size_t i = 0; i < e->ntraces; i++)
        if (strcmp(e->traces[i].name, m->traces[k].name) == 0) {
            e->warmup_trace = i;
            return 0;
        }
    exp_trace *t = realloc(e->traces, (e->ntraces + 1) * sizeof *t);
    if (t == NULL)
        return setting_fail(ld, s, "out of memory");
    e->traces = t;
    t[e->ntraces] = (exp_trace){.name = m->traces[k].name, .mode = USIM_TRACE_CHANGE};
    e->warmup_trace = e->ntraces++;
    return 0;
}

/* The pilots add npoints * pilots runs; the sweep's own size was checked. */
static int check_pilot_runs(loader *ld, const config_setting_t *g)
{
    experiment *e = ld->e;
    double runs = (double)e->nruns + (double)e->npoints * (double)e->pilots;
    if (runs > (double)UINT32_MAX)
        return setting_fail(ld, g,
                            "with the pilots the sweep has %.0f runs; run ids "
                            "must stay below 2^32",
                            runs);
    if (runs > (double)EXPERIMENT_MAX_RUNS && !ld->force)
        return setting_fail(ld, g,
                            "with the pilots the sweep has %.0f runs, more than %llu: "
                            "check it, or use --force",
                            runs, EXPERIMENT_MAX_RUNS);
    e->nruns += e->npoints * e->pilots;
    return 0;
}

int stats_load_warmup(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    const config_setting_t *s = config_setting_get_member(root, "warmup");
    if (s == NULL)
        return 0;
    if (!config_setting_is_group(s))
        return load_fixed(ld, s);
    if (setting_check_members(ld, s, warmup_names, USIM_ARRAY_LEN(warmup_names)) < 0)
        return -1;
    const config_setting_t *m = config_setting_get_member(s, "method");
    const char *method;
    if (m == NULL)
        return setting_fail_missing(ld, s, "method",
                                    "missing: method = \"mser5\" (a fixed warm-up is "
                                    "written warmup = T)");
    if (setting_string(ld, m, &method) < 0)
        return -1;
    if (strcmp(method, "mser5") != 0) {
        static const char *const methods[] = {"mser5"};
        setting_choices ch = {.names = methods,
                              .n = 1,
                              .quote = '"',
                              .list = "one of ",
                              .quote_list = true,
                              .tail = "; a fixed warm-up is written warmup = T"};
        return setting_fail_unknown(ld, m, method, &ch, "unknown warm-up method \"%s\"",
                                    method);
    }
    if (!isfinite(e->until))
        return setting_fail(ld, m,
                            "MSER-5 compares the pilots' traces over [0, until]: set "
                            "until");
    e->warmup_method = WARMUP_MSER5;
    e->pilots = DEFAULT_PILOTS;
    if (load_mser_trace(ld, s) < 0 ||
        positive(ld, s, "pilot_replications", 1, &e->pilots) < 0)
        return -1;
    return check_pilot_runs(ld, s);
}
