/*
 * experiment_schema.c — the settings of an experiment file, one function
 * per top-level setting (experiment_schema.h).
 *
 * Each load_* reads its setting if it is there, checks it against the
 * contract and the model's descriptor, and stores it in the experiment;
 * defaults are set by experiment_load before.  Unknown names are errors
 * with a "did you mean" hint (setting_fail_unknown).
 */
#define _GNU_SOURCE /* strdup */
#include "batch/experiment_schema.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch/distspec.h"
#include "batch/experiment_stats.h"
#include "batch/experiment_sweep.h"

static const char *const top_names[] = {
    "model",  "description",    "until",  "replications", "seed",
    "kernel", "parameters",     "zip",    "traces",       "limits",
    "output", "random_numbers", "warmup", "precision",
};
static const char *const kernel_names[] = {"resolution", "drift",       "order",
                                           "stack_size", "stack_guard", "guard_size"};
static const char *const limits_names[] = {"events", "wall_seconds"};
static const char *const output_names[] = {"file", "compression"};
static const char *const range_names[] = {"from", "to", "step"};
static const char *const trace_names[] = {"mode", "interval"};
static const char *const trace_modes[] = {"change", "sample"}; /* usim_trace_mode */

/* ------------------------------------------------------------------ */
/* model, description, until, replications, seed                       */
/* ------------------------------------------------------------------ */

/*
 * The output names a column after each parameter (in /runs and /results)
 * and each scalar (in /results): a name must be none of the fixed columns
 * of those tables, and no parameter may share a scalar's name.  Checked
 * here, before anything is written, rather than when the file is created.
 */
static const char *const fixed_columns[] = {"run",    "point",  "replication", "status",
                                            "pilot",  "warmup", "end_time",    "events",
                                            "wall_s", "message"};
#define RESULTS_FIXED 6 /* the first ones: /results has them too */

static int check_column_names(loader *ld, const config_setting_t *s)
{
    const usim_model *m = ld->e->model;
    for (size_t i = 0; i < m->n_params; i++) {
        const char *p = m->params[i].name;
        for (size_t k = 0; k < USIM_ARRAY_LEN(fixed_columns); k++)
            if (strcmp(p, fixed_columns[k]) == 0)
                return setting_fail(ld, s,
                                    "model \"%s\" has a parameter '%s', the name of a "
                                    "fixed column of /runs: rename it in the model",
                                    m->name, p);
        for (size_t k = 0; k < m->n_scalars; k++)
            if (strcmp(p, m->scalars[k].name) == 0)
                return setting_fail(ld, s,
                                    "model \"%s\" has a parameter and a scalar both "
                                    "named '%s' (columns of /results): rename one in "
                                    "the model",
                                    m->name, p);
    }
    for (size_t i = 0; i < m->n_scalars; i++)
        for (size_t k = 0; k < RESULTS_FIXED; k++)
            if (strcmp(m->scalars[i].name, fixed_columns[k]) == 0)
                return setting_fail(ld, s,
                                    "model \"%s\" has a scalar '%s', the name of a "
                                    "fixed column of /results: rename it in the model",
                                    m->name, m->scalars[i].name);
    return 0;
}

static int load_model(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    const config_setting_t *s = config_setting_get_member(root, "model");
    const char *name;
    if (s == NULL)
        return setting_fail_missing(
            ld, NULL, "model",
            "missing: name a built-in model (see --list-models) "
            "or a plugin \"path/to/model.so\"");
    if (setting_string(ld, s, &name) < 0)
        return -1;
    if ((e->model_name = strdup(name)) == NULL)
        return setting_fail(ld, s, "out of memory");
    char why[512];
    if (registry_find(name, e->dir, &e->reg, why, sizeof why) == 0) {
        e->model = e->reg.model;
        return check_column_names(ld, s);
    }
    if (registry_is_path(name))
        return setting_fail(ld, s, "%s", why);
    size_t n = registry_builtin_count();
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (names == NULL)
        return setting_fail(ld, s, "out of memory");
    for (size_t i = 0; i < n; i++)
        names[i] = registry_builtin(i)->name;
    setting_choices ch = {.names = names,
                          .n = n,
                          .quote = '"',
                          .list = "built-in models: ",
                          .tail = "; a plugin is a path ending in .so"};
    setting_fail_unknown(ld, s, name, &ch, "unknown model \"%s\"", name);
    free(names);
    return -1;
}

static int load_top(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    const config_setting_t *s;
    const char *str;
    int64_t i;
    double d;

    if ((s = config_setting_get_member(root, "description")) != NULL) {
        if (setting_string(ld, s, &str) < 0)
            return -1;
        free(e->description);
        if ((e->description = strdup(str)) == NULL)
            return setting_fail(ld, s, "out of memory");
    }
    if ((s = config_setting_get_member(root, "until")) != NULL) {
        if (setting_number(ld, s, &d) < 0)
            return -1;
        if (!(d > 0))
            return setting_fail(ld, s, "the end time must be > 0, not %g", d);
        e->until = d;
    }
    if ((s = config_setting_get_member(root, "replications")) != NULL) {
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        if (i < 1)
            return setting_fail(ld, s, "must be at least 1, not %" PRId64, i);
        e->replications = (uint64_t)i;
    }
    if ((s = config_setting_get_member(root, "seed")) != NULL) {
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        if (i < 0)
            return setting_fail(ld, s, "must be >= 0, not %" PRId64, i);
        e->seed = (uint64_t)i;
    }
    return 0;
}

/* A string that must be one of names[0..n): its index in *out. */
static int choose(loader *ld, const config_setting_t *s, const char *what,
                  const char *const *names, size_t n, int *out)
{
    const char *str;
    if (setting_string(ld, s, &str) < 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (strcmp(str, names[k]) == 0) {
            *out = (int)k;
            return 0;
        }
    setting_choices ch = {
        .names = names, .n = n, .quote = '"', .list = "one of ", .quote_list = true};
    return setting_fail_unknown(ld, s, str, &ch, "unknown %s \"%s\"", what, str);
}

/* ------------------------------------------------------------------ */
/* random_numbers                                                      */
/* ------------------------------------------------------------------ */

/* Indexed by experiment.common_random. */
static const char *const random_numbers_names[] = {"independent", "common"};

/* random_numbers = "independent" | "common": whether the points of a
 * sweep share their replications' random streams. */
static int load_random_numbers(loader *ld, const config_setting_t *root)
{
    const config_setting_t *s = config_setting_get_member(root, "random_numbers");
    int v = 0;
    if (s == NULL)
        return 0;
    if (choose(ld, s, "random numbers mode", random_numbers_names,
               USIM_ARRAY_LEN(random_numbers_names), &v) < 0)
        return -1;
    ld->e->common_random = v == 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* kernel, limits, output                                              */
/* ------------------------------------------------------------------ */

static int load_kernel(loader *ld, const config_setting_t *root)
{
    usim_config *k = &ld->e->kernel;
    const config_setting_t *g, *s;
    int found = setting_member_group(ld, root, "kernel", kernel_names,
                                     USIM_ARRAY_LEN(kernel_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(g, "resolution")) != NULL) {
        double d;
        if (setting_number(ld, s, &d) < 0)
            return -1;
        if (!(d > 0))
            return setting_fail(
                ld, s, "the resolution (time units per tick) must be > 0, not %g", d);
        k->resolution = d;
    }
    int v = 0;
    if ((s = config_setting_get_member(g, "drift")) != NULL) {
        const char *names[USIM_DRIFT_STRICT + 1];
        for (int i = 0; i <= USIM_DRIFT_STRICT; i++)
            names[i] = usim_drift_name((usim_drift)i);
        if (choose(ld, s, "drift policy", names, USIM_ARRAY_LEN(names), &v) < 0)
            return -1;
        k->drift = (usim_drift)v;
    }
    if ((s = config_setting_get_member(g, "order")) != NULL) {
        const char *names[USIM_ORDER_MUSIM + 1];
        for (int i = 0; i <= USIM_ORDER_MUSIM; i++)
            names[i] = usim_order_name((usim_order)i);
        if (choose(ld, s, "turn order", names, USIM_ARRAY_LEN(names), &v) < 0)
            return -1;
        k->order = (usim_order)v;
    }
    if ((s = config_setting_get_member(g, "stack_size")) != NULL) {
        int64_t i;
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        if (i < USIM_STACK_MIN || i > USIM_STACK_MAX)
            return setting_fail(
                ld, s, "the stack size must be between %d and %d bytes, not %" PRId64,
                USIM_STACK_MIN, USIM_STACK_MAX, i);
        k->stack_size = (size_t)i;
    }
    if ((s = config_setting_get_member(g, "stack_guard")) != NULL &&
        setting_bool(ld, s, &k->stack_guard) < 0)
        return -1;
    if ((s = config_setting_get_member(g, "guard_size")) != NULL) {
        int64_t i;
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        if (i < 0 || (uint64_t)i > USIM_GUARD_SIZE_MAX)
            return setting_fail(
                ld, s, "the guard size must be between 0 and %zu bytes, not %" PRId64,
                USIM_GUARD_SIZE_MAX, i);
        k->guard_size = (size_t)i;
    }
    return 0;
}

static int load_limits(loader *ld, const config_setting_t *root)
{
    usim_config *k = &ld->e->kernel;
    const config_setting_t *g, *s;
    int found = setting_member_group(ld, root, "limits", limits_names,
                                     USIM_ARRAY_LEN(limits_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(g, "events")) != NULL) {
        int64_t i;
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        if (i < 0)
            return setting_fail(
                ld, s, "the event budget must be >= 0 (0: none), not %" PRId64, i);
        k->max_events = (uint64_t)i;
    }
    if ((s = config_setting_get_member(g, "wall_seconds")) != NULL) {
        double d;
        if (setting_number(ld, s, &d) < 0)
            return -1;
        if (d < 0)
            return setting_fail(
                ld, s, "the wall-clock budget must be >= 0 (0: none), not %g", d);
        k->max_wall_s = d;
    }
    return 0;
}

static int load_output(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    const config_setting_t *g, *s;
    int found = setting_member_group(ld, root, "output", output_names,
                                     USIM_ARRAY_LEN(output_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(g, "file")) != NULL) {
        const char *str;
        if (setting_string(ld, s, &str) < 0)
            return -1;
        if (str[0] == '\0')
            return setting_fail(ld, s, "the output file name is empty");
        if ((e->output = strdup(str)) == NULL)
            return setting_fail(ld, s, "out of memory");
    }
    if ((s = config_setting_get_member(g, "compression")) != NULL) {
        int64_t i;
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        if (i < 0 || i > 9)
            return setting_fail(ld, s, "the deflate level must be 0..9, not %" PRId64,
                                i);
        e->compression = (int)i;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* parameters and zip                                                  */
/* ------------------------------------------------------------------ */

/* One value for parameter `p`, checked against its type and range. */
static int param_value(loader *ld, const config_setting_t *s, const usim_param_desc *p,
                       double *out)
{
    double v = 0;
    if (p->type == USIM_PARAM_BOOL && config_setting_type(s) == CONFIG_TYPE_BOOL) {
        *out = config_setting_get_bool(s) ? 1 : 0;
        return 0;
    }
    if (config_setting_type(s) == CONFIG_TYPE_BOOL)
        return setting_fail(ld, s, "expected a number for '%s', found a boolean",
                            p->name);
    if (setting_number(ld, s, &v) < 0)
        return -1;
    if (p->type == USIM_PARAM_INT && v != floor(v))
        return setting_fail(ld, s,
                            "'%s' is an integer parameter, %g is not a whole number",
                            p->name, v);
    if (p->type == USIM_PARAM_BOOL && v != 0 && v != 1)
        return setting_fail(ld, s,
                            "'%s' is a boolean parameter: write true or false, not %g",
                            p->name, v);
    if (!(v >= p->min && v <= p->max))
        return setting_fail(ld, s, "%g is outside the range [%g, %g] of '%s'", v,
                            p->min, p->max, p->name);
    *out = v;
    return 0;
}

/* The number of choices of a CHOICE parameter (registry_check made sure
 * there is at least one). */
static size_t choice_count(const usim_param_desc *p)
{
    size_t n = 0;
    while (p->choices[n] != NULL)
        n++;
    return n;
}

/* A choice, as its name: its index in the descriptor's choices. */
static int choice_value(loader *ld, const config_setting_t *s, const usim_param_desc *p,
                        double *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return setting_fail(ld, s,
                            "'%s' is a choice: expected one of its names as a "
                            "string, found %s",
                            p->name, setting_type_name(config_setting_type(s)));
    int k;
    if (choose(ld, s, p->name, (const char *const *)p->choices, choice_count(p), &k) <
        0)
        return -1;
    *out = k;
    return 0;
}

/* The short form "gamma(2, 0.5)". */
static int dist_text(loader *ld, const config_setting_t *s, usim_dist *d)
{
    char name[256], why[512];
    double args[DISTSPEC_MAX_PARAMS + 1];
    size_t nargs;
    usim_dist_kind kind;
    const char *text = config_setting_get_string(s);
    if (distspec_split(text, name, sizeof name, args, &nargs, why, sizeof why) < 0)
        return setting_fail(ld, s, "%s", why);
    if (!distspec_kind(name, &kind)) {
        const char *names[16];
        size_t n = distspec_count();
        for (size_t k = 0; k < n; k++)
            names[k] = distspec_name((usim_dist_kind)k);
        setting_choices ch = {.names = names,
                              .n = n,
                              .quote = '"',
                              .list = "one of ",
                              .quote_list = true};
        return setting_fail_unknown(ld, s, name, &ch, "unknown distribution \"%s\"",
                                    name);
    }
    if (distspec_make(d, kind, args, nargs, why, sizeof why) < 0)
        return setting_fail(ld, s, "%s", why);
    return 0;
}

/* The long form { dist = "gamma"; shape = 2.0; scale = 0.5; }. */
static int dist_group(loader *ld, const config_setting_t *g, usim_dist *d)
{
    const config_setting_t *s = config_setting_get_member(g, "dist");
    const char *name;
    char why[512];
    usim_dist_kind kind;
    if (s == NULL)
        return setting_fail_missing(ld, g, "dist",
                                    "missing: a distribution group names its "
                                    "distribution, e.g. dist = \"gamma\"");
    if (setting_string(ld, s, &name) < 0)
        return -1;
    const char *names[DISTSPEC_MAX_PARAMS + 16];
    if (!distspec_kind(name, &kind)) {
        size_t n = distspec_count();
        for (size_t k = 0; k < n; k++)
            names[k] = distspec_name((usim_dist_kind)k);
        setting_choices ch = {.names = names,
                              .n = n,
                              .quote = '"',
                              .list = "one of ",
                              .quote_list = true};
        return setting_fail_unknown(ld, s, name, &ch, "unknown distribution \"%s\"",
                                    name);
    }
    size_t np = distspec_nparams(kind);
    names[0] = "dist";
    for (size_t i = 0; i < np; i++)
        names[i + 1] = distspec_param(kind, i);
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *mname = config_setting_name(m);
        bool known = false;
        for (size_t k = 0; k <= np; k++)
            known |= strcmp(mname, names[k]) == 0;
        if (!known) {
            setting_choices ch = {
                .names = names + 1, .n = np, .quote = '\'', .list = "its parameters: "};
            return setting_fail_unknown(ld, m, mname, &ch,
                                        "distribution %s has no parameter '%s'",
                                        distspec_name(kind), mname);
        }
    }
    double args[DISTSPEC_MAX_PARAMS];
    for (size_t i = 0; i < np; i++) {
        const config_setting_t *v = config_setting_get_member(g, names[i + 1]);
        if (v == NULL)
            return setting_fail_missing(ld, g, names[i + 1], "missing: %s takes %s",
                                        distspec_name(kind), distspec_signature(kind));
        if (setting_number(ld, v, &args[i]) < 0)
            return -1;
    }
    if (distspec_make(d, kind, args, np, why, sizeof why) < 0)
        return setting_fail(ld, g, "%s", why);
    return 0;
}

/* A distribution, short or long form, into ep->dists[i]; its value is i. */
static int dist_value(loader *ld, const config_setting_t *s, exp_param *ep, size_t i,
                      double *out)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_STRING) {
        if (dist_text(ld, s, &ep->dists[i]) < 0)
            return -1;
    } else if (t == CONFIG_TYPE_GROUP) {
        if (dist_group(ld, s, &ep->dists[i]) < 0)
            return -1;
    } else {
        return setting_fail(ld, s,
                            "'%s' is a distribution: write \"gamma(2, 0.5)\" or "
                            "{ dist = \"gamma\"; shape = 2.0; scale = 0.5; }, found %s",
                            ep->desc->name, setting_type_name(t));
    }
    *out = (double)i;
    return 0;
}

/* Room for n values of ep (and n distributions if it is one); -1 with the
 * error line on s if memory runs out. */
static int values_alloc(loader *ld, const config_setting_t *s, exp_param *ep, size_t n)
{
    ep->nvalues = n;
    if ((ep->values = malloc(n * sizeof(double))) == NULL)
        return setting_fail(ld, s, "out of memory");
    if (ep->desc->type == USIM_PARAM_DIST &&
        (ep->dists = calloc(n, sizeof *ep->dists)) == NULL)
        return setting_fail(ld, s, "out of memory");
    return 0;
}

/* Value i of ep, of whatever kind the parameter is. */
static int element_value(loader *ld, const config_setting_t *s, exp_param *ep, size_t i)
{
    switch (ep->desc->type) {
    case USIM_PARAM_CHOICE:
        return choice_value(ld, s, ep->desc, &ep->values[i]);
    case USIM_PARAM_DIST:
        return dist_value(ld, s, ep, i, &ep->values[i]);
    default:
        return param_value(ld, s, ep->desc, &ep->values[i]);
    }
}

/* A range { from; to; step; }, inclusive of `to` (within rounding). */
static int param_range(loader *ld, const config_setting_t *g, exp_param *ep)
{
    const usim_param_desc *p = ep->desc;
    double v[3];
    if (setting_check_members(ld, g, range_names, USIM_ARRAY_LEN(range_names)) < 0)
        return -1;
    for (int k = 0; k < 3; k++) {
        const config_setting_t *s = config_setting_get_member(g, range_names[k]);
        if (s == NULL)
            return setting_fail_missing(ld, g, range_names[k],
                                        "missing: a range needs from, to and step");
        if (setting_number(ld, s, &v[k]) < 0)
            return -1;
        if (k < 2 && param_value(ld, s, p, &v[k]) < 0)
            return -1;
    }
    const config_setting_t *step = config_setting_get_member(g, "step");
    if (v[2] == 0)
        return setting_fail(ld, step, "the step must not be 0");
    if (p->type != USIM_PARAM_REAL && v[2] != floor(v[2]))
        return setting_fail(ld, step,
                            "'%s' is an integer parameter, the step %g is not whole",
                            p->name, v[2]);
    double n = sweep_range_count(v[0], v[1], v[2]);
    if (n < 0)
        return setting_fail(ld, step, "the step %g goes away from 'to' (from %g to %g)",
                            v[2], v[0], v[1]);
    if (n > 1e9)
        return setting_fail(ld, g, "the range has %.0f values, more than 10^9", n);
    /* Alone it can make the sweep too large: say so before allocating it
     * (10^9 values are 8 GB).  The messages are sweep_build's. */
    double runs = n * (double)ld->e->replications;
    if (runs > (double)UINT32_MAX)
        return setting_fail(ld, g,
                            "the range has %.0f values, so the sweep has at least %.0f "
                            "runs; run ids must stay below 2^32",
                            n, runs);
    if (runs > (double)EXPERIMENT_MAX_RUNS && !ld->force)
        return setting_fail(ld, g,
                            "the range has %.0f values, so the sweep has at least %.0f "
                            "runs, more than %llu: check it, or use --force",
                            n, runs, EXPERIMENT_MAX_RUNS);
    ep->nvalues = (size_t)n;
    if ((ep->values = malloc(ep->nvalues * sizeof(double))) == NULL)
        return setting_fail(ld, g, "out of memory");
    sweep_range_fill(v[0], v[1], v[2], p->type != USIM_PARAM_REAL, ep->nvalues,
                     ep->values);
    return 0;
}

static int param_list(loader *ld, const config_setting_t *s, exp_param *ep)
{
    int n = config_setting_length(s);
    if (n == 0)
        return setting_fail(ld, s, "an empty list sweeps over nothing");
    if (values_alloc(ld, s, ep, (size_t)n) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        bool dist_group = ep->desc->type == USIM_PARAM_DIST &&
                          config_setting_type(el) == CONFIG_TYPE_GROUP;
        if (config_setting_is_aggregate(el) && !dist_group)
            return setting_fail(ld, el, "expected %s, found %s",
                                ep->desc->type == USIM_PARAM_CHOICE ? "a name"
                                : ep->desc->type == USIM_PARAM_DIST ? "a distribution"
                                                                    : "a number",
                                setting_type_name(config_setting_type(el)));
        if (element_value(ld, el, ep, (size_t)i) < 0)
            return -1;
    }
    return 0;
}

static int find_param(const experiment *e, const char *name)
{
    for (size_t i = 0; i < e->nparams; i++)
        if (strcmp(e->params[i].desc->name, name) == 0)
            return (int)i;
    return -1;
}

static int unknown_param(loader *ld, const config_setting_t *s, const char *name)
{
    const usim_model *m = ld->e->model;
    const char **names = malloc((m->n_params ? m->n_params : 1) * sizeof *names);
    if (names == NULL)
        return setting_fail(ld, s, "out of memory");
    for (size_t i = 0; i < m->n_params; i++)
        names[i] = m->params[i].name;
    setting_choices ch = {
        .names = names, .n = m->n_params, .quote = '\'', .list = "its parameters: "};
    setting_fail_unknown(ld, s, name, &ch, "model \"%s\" has no parameter '%s'",
                         m->name, name);
    free(names);
    return -1;
}

/* Every parameter at its default, not swept. */
static int params_init(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    const usim_model *m = e->model;
    e->nparams = m->n_params;
    if ((e->params = calloc(m->n_params ? m->n_params : 1, sizeof *e->params)) == NULL)
        return setting_fail(ld, root, "out of memory");
    for (size_t k = 0; k < m->n_params; k++) {
        exp_param *ep = &e->params[k];
        ep->desc = &m->params[k];
        ep->loop = -1;
        if (values_alloc(ld, root, ep, 1) < 0)
            return -1;
        ep->values[0] = ep->desc->def;
        if (ep->desc->type == USIM_PARAM_DIST) {
            /* registry_check parsed it already. */
            char why[512];
            if (distspec_parse(ep->desc->dist_def, &ep->dists[0], why, sizeof why) < 0)
                return setting_fail(ld, root, "model parameter '%s': default: %s",
                                    ep->desc->name, why);
            ep->values[0] = 0;
        }
    }
    return 0;
}

/* `order[k]`: the swept parameters' indices in the order they are listed
 * in the file.  A parameter fixed by the file gets loop -2 (never a loop)
 * until sweep_build. */
static int load_parameters(loader *ld, const config_setting_t *root, size_t *order,
                           size_t *norder)
{
    experiment *e = ld->e;
    *norder = 0;
    const config_setting_t *g = config_setting_get_member(root, "parameters");
    if (g == NULL)
        return 0;
    if (setting_group(ld, g) < 0)
        return -1;
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        int k = find_param(e, config_setting_name(s));
        if (k < 0)
            return unknown_param(ld, s, config_setting_name(s));
        exp_param *ep = &e->params[k];
        usim_param_type type = ep->desc->type;
        free(ep->values);
        free(ep->dists);
        ep->values = NULL;
        ep->dists = NULL;
        ep->set = true;
        int r;
        int t = config_setting_type(s);
        if (t == CONFIG_TYPE_GROUP && type == USIM_PARAM_CHOICE)
            return setting_fail(ld, s,
                                "'%s' is a choice: a range does not apply (list the "
                                "choices to sweep them)",
                                ep->desc->name);
        if (t == CONFIG_TYPE_GROUP && type == USIM_PARAM_DIST)
            t = CONFIG_TYPE_STRING; /* one distribution, the long form */
        switch (t) {
        case CONFIG_TYPE_GROUP:
            r = param_range(ld, s, ep);
            break;
        case CONFIG_TYPE_ARRAY:
        case CONFIG_TYPE_LIST:
            r = param_list(ld, s, ep);
            break;
        default:
            if (values_alloc(ld, s, ep, 1) < 0)
                return -1;
            r = element_value(ld, s, ep, 0);
            ep->loop = -2;
            break;
        }
        if (r < 0)
            return -1;
        if (ep->loop != -2)
            order[(*norder)++] = (size_t)k;
    }
    return 0;
}

/* Lock-step groups: zip = ( ["a", "b"], ["c", "d"] ). `zipof[k]` is the
 * group of parameter k, or -1. */
static int load_zip(loader *ld, const config_setting_t *root, int *zipof)
{
    experiment *e = ld->e;
    const config_setting_t *z = config_setting_get_member(root, "zip");
    if (z == NULL)
        return 0;
    if (!config_setting_is_list(z) && !config_setting_is_array(z))
        return setting_fail(
            ld, z, "expected a list of groups ( [\"a\", \"b\"], ... ), found %s",
            setting_type_name(config_setting_type(z)));
    /* zip = ["a", "b"] is one group written without the list around it. */
    bool single = config_setting_is_array(z);
    int ngroups = single ? 1 : config_setting_length(z);
    for (int gi = 0; gi < ngroups; gi++) {
        const config_setting_t *g =
            single ? z : config_setting_get_elem(z, (unsigned)gi);
        if (!config_setting_is_array(g) && !config_setting_is_list(g))
            return setting_fail(ld, g,
                                "expected a group of parameter names [\"a\", \"b\"], "
                                "found %s",
                                setting_type_name(config_setting_type(g)));
        if (config_setting_length(g) < 2)
            return setting_fail(ld, g,
                                "a lock-step group needs at least two parameters");
        size_t first_n = 0;
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
            const char *name;
            if (setting_string(ld, s, &name) < 0)
                return -1;
            int k = find_param(e, name);
            if (k < 0)
                return unknown_param(ld, s, name);
            exp_param *ep = &e->params[k];
            if (!ep->set || ep->loop == -2)
                return setting_fail(
                    ld, s, "'%s' is not swept (give it a list or a range)", name);
            if (zipof[k] >= 0)
                return setting_fail(ld, s, "'%s' is already in a lock-step group",
                                    name);
            zipof[k] = gi;
            if (i == 0)
                first_n = ep->nvalues;
            else if (ep->nvalues != first_n)
                return setting_fail(ld, s,
                                    "'%s' has %zu values but '%s' has %zu: parameters "
                                    "swept in lock step need as many values each",
                                    name, ep->nvalues,
                                    config_setting_get_string_elem(g, 0), first_n);
        }
    }
    return 0;
}

static int load_params_and_sweep(loader *ld, const config_setting_t *root)
{
    size_t n = ld->e->model->n_params, norder;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    int *zipof = malloc((n ? n : 1) * sizeof *zipof);
    int r = -1;
    if (order == NULL || zipof == NULL) {
        setting_fail(ld, root, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        zipof[k] = -1;
    if (params_init(ld, root) == 0 && load_parameters(ld, root, order, &norder) == 0 &&
        load_zip(ld, root, zipof) == 0)
        r = sweep_build(ld, root, order, norder, zipof);
done:
    free(zipof);
    free(order);
    return r;
}

/* ------------------------------------------------------------------ */
/* traces                                                              */
/* ------------------------------------------------------------------ */

int schema_find_output(loader *ld, const config_setting_t *s, const char *name,
                       const usim_output_desc *outs, size_t n, const char *kind,
                       size_t *k)
{
    for (*k = 0; *k < n; (*k)++)
        if (strcmp(outs[*k].name, name) == 0)
            return 0;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (names == NULL)
        return setting_fail(ld, s, "out of memory");
    for (size_t i = 0; i < n; i++)
        names[i] = outs[i].name;
    char list[32];
    snprintf(list, sizeof list, "its %ss: ", kind);
    setting_choices ch = {.names = names, .n = n, .quote = '\'', .list = list};
    setting_fail_unknown(ld, s, name, &ch, "model \"%s\" has no %s '%s'",
                         ld->e->model->name, kind, name);
    free(names);
    return -1;
}

/* One trace { mode; interval; }, into *et. */
static int load_trace(loader *ld, const config_setting_t *t, exp_trace *et)
{
    const config_setting_t *s;
    if (setting_group(ld, t) < 0 ||
        setting_check_members(ld, t, trace_names, USIM_ARRAY_LEN(trace_names)) < 0)
        return -1;
    et->mode = USIM_TRACE_CHANGE;
    et->interval = 0;
    if ((s = config_setting_get_member(t, "mode")) != NULL) {
        int mode;
        if (choose(ld, s, "trace mode", trace_modes, USIM_ARRAY_LEN(trace_modes),
                   &mode) < 0)
            return -1;
        et->mode = mode == 1 ? USIM_TRACE_SAMPLE : USIM_TRACE_CHANGE;
    }
    s = config_setting_get_member(t, "interval");
    if (et->mode == USIM_TRACE_SAMPLE) {
        if (s == NULL)
            return setting_fail_missing(
                ld, t, "interval", "missing: mode \"sample\" needs an interval > 0");
        if (setting_number(ld, s, &et->interval) < 0)
            return -1;
        if (!(et->interval > 0))
            return setting_fail(ld, s, "the sampling interval must be > 0, not %g",
                                et->interval);
    } else if (s != NULL) {
        return setting_fail(ld, s,
                            "an interval is for mode \"sample\" only (this trace "
                            "records every change)");
    }
    return 0;
}

static int load_traces(loader *ld, const config_setting_t *root)
{
    experiment *e = ld->e;
    const config_setting_t *g = config_setting_get_member(root, "traces");
    if (g == NULL)
        return 0;
    if (setting_group(ld, g) < 0)
        return -1;
    int n = config_setting_length(g);
    if ((e->traces = calloc(n ? (size_t)n : 1, sizeof *e->traces)) == NULL)
        return setting_fail(ld, g, "out of memory");
    for (int i = 0; i < n; i++) {
        const config_setting_t *t = config_setting_get_elem(g, (unsigned)i);
        size_t k;
        if (schema_find_output(ld, t, config_setting_name(t), e->model->traces,
                               e->model->n_traces, "trace", &k) < 0)
            return -1;
        exp_trace *et = &e->traces[e->ntraces++];
        et->name = e->model->traces[k].name;
        if (load_trace(ld, t, et) < 0)
            return -1;
    }
    return 0;
}

int schema_load(loader *ld)
{
    const config_setting_t *root = config_root_setting(&ld->cfg);
    if (setting_check_members(ld, root, top_names, USIM_ARRAY_LEN(top_names)) < 0 ||
        load_model(ld, root) < 0 || load_top(ld, root) < 0 ||
        stats_load_precision(ld, root) < 0 || load_random_numbers(ld, root) < 0 ||
        load_kernel(ld, root) < 0 || load_limits(ld, root) < 0 ||
        load_output(ld, root) < 0 || load_params_and_sweep(ld, root) < 0 ||
        load_traces(ld, root) < 0 || stats_load_warmup(ld, root) < 0)
        return -1;
    return 0;
}
