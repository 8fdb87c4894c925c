/*
 * h5spec.c — copying, comparing and digesting output specs (h5spec.h).
 */
#include "batch/h5spec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/provenance.h"
#include "batch/sha256.h"
#include "kernel/fnv1a.h"

void h5spec_set_err(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

static const char **names_dup(size_t n, const char *const *src)
{
    const char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] = strdup(src[i] ? src[i] : ""))) {
            for (size_t k = 0; k < i; k++)
                free((char *)v[k]);
            free(v);
            return NULL;
        }
    }
    return v;
}

/* The text members of a spec, so that copying and freeing them is one loop. */
#define SPEC_STRINGS(s)                                                                \
    {                                                                                  \
        &(s)->config, &(s)->config_sha256, &(s)->model, &(s)->model_path,              \
            &(s)->model_sha256, &(s)->description, &(s)->usim_version,                 \
            &(s)->git_revision, &(s)->compiler, &(s)->cflags, &(s)->random_numbers,    \
            &(s)->warmup_method, &(s)->warmup_trace                                    \
    }
#define SPEC_NSTRINGS 13

void h5spec_release(h5out_spec *s)
{
    if (!s)
        return;
    const char **strs[SPEC_NSTRINGS] = SPEC_STRINGS(s);
    for (size_t i = 0; i < SPEC_NSTRINGS; i++)
        free((char *)*strs[i]);
    const char *const *arrays[] = {
        s->params,      s->scalars,     s->traces,     s->param_labels,
        s->param_types, s->param_units, s->param_help, s->scalar_units,
        s->scalar_help, s->trace_units, s->trace_help, s->precision_scalars};
    size_t counts[] = {s->nparams,  s->nscalars, s->ntraces, s->nparams,
                       s->nparams,  s->nparams,  s->nparams, s->nscalars,
                       s->nscalars, s->ntraces,  s->ntraces, s->nprecision};
    for (size_t a = 0; a < sizeof counts / sizeof *counts; a++) {
        for (size_t i = 0; arrays[a] && i < counts[a]; i++)
            free((char *)arrays[a][i]);
        free((void *)arrays[a]);
    }
    memset(s, 0, sizeof *s);
}

/* The labels (units, help texts) of each parameter (scalar, trace), ""
 * for all if there are none. */
static const char *const *labels_dup(size_t n, const char *const *labels)
{
    const char **d = calloc(n + 1, sizeof *d);
    for (size_t i = 0; d && i < n; i++)
        if (!(d[i] = strdup(labels && labels[i] ? labels[i] : ""))) {
            for (size_t j = 0; j < i; j++)
                free((char *)d[j]);
            free(d);
            return NULL;
        }
    return d;
}

int h5spec_dup(h5out_spec *d, const h5out_spec *s)
{
    const prov_build *b = provenance_build();
    char hash[SHA256_HEX_LEN];
    h5out_spec in = *s;
    if (!in.config)
        in.config = "";
    if (!in.config_sha256) {
        sha256_hex(in.config, strlen(in.config), hash);
        in.config_sha256 = hash;
    }
    if (!in.usim_version) {
        in.usim_version = b->version;
        in.git_revision = b->git_revision;
        in.git_dirty = b->git_dirty;
        in.compiler = b->compiler;
        in.cflags = b->cflags;
    }
    if (in.shard_count == 0)
        in.shard_count = 1;
    if (!in.random_numbers || !in.random_numbers[0])
        in.random_numbers = "independent";
    if (!in.warmup_method || !in.warmup_method[0])
        in.warmup_method = in.warmup > 0 ? "fixed" : "none";
    *d = in;
    const char **from[SPEC_NSTRINGS] = SPEC_STRINGS(&in);
    const char **to[SPEC_NSTRINGS] = SPEC_STRINGS(d);
    bool ok = true;
    for (size_t i = 0; i < SPEC_NSTRINGS; i++)
        ok &= (*to[i] = strdup(*from[i] ? *from[i] : "")) != NULL;
    d->params = names_dup(s->nparams, s->params);
    d->scalars = names_dup(s->nscalars, s->scalars);
    d->traces = names_dup(s->ntraces, s->traces);
    d->param_labels = labels_dup(s->nparams, s->param_labels);
    /* Types stay unknown (NULL) if they are. */
    d->param_types = s->param_types ? names_dup(s->nparams, s->param_types) : NULL;
    d->param_units = labels_dup(s->nparams, s->param_units);
    d->param_help = labels_dup(s->nparams, s->param_help);
    d->scalar_units = labels_dup(s->nscalars, s->scalar_units);
    d->scalar_help = labels_dup(s->nscalars, s->scalar_help);
    d->trace_units = labels_dup(s->ntraces, s->trace_units);
    d->trace_help = labels_dup(s->ntraces, s->trace_help);
    d->precision_scalars = names_dup(s->nprecision, s->precision_scalars);
    if (!ok || !d->params || !d->scalars || !d->traces || !d->param_labels ||
        (s->param_types && !d->param_types) || !d->param_units || !d->param_help ||
        !d->scalar_units || !d->scalar_help || !d->trace_units || !d->trace_help ||
        !d->precision_scalars) {
        h5spec_release(d);
        return H5OUT_ENOMEM;
    }
    return 0;
}

static const char *str(const char *s)
{
    return s ? s : "";
}

/* The mode, NULL and "" read as the default. */
static const char *random_numbers(const h5out_spec *s)
{
    return s->random_numbers && s->random_numbers[0] ? s->random_numbers
                                                     : "independent";
}

static int names_cmp(const char *what, size_t na, const char *const *a, size_t nb,
                     const char *const *b, char *err, size_t errlen)
{
    if (na != nb) {
        h5spec_set_err(err, errlen, "%s differ (%zu vs %zu)", what, na, nb);
        return -1;
    }
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i])) {
            h5spec_set_err(err, errlen, "%s differ ('%s' vs '%s')", what, a[i], b[i]);
            return -1;
        }
    return 0;
}

int h5spec_cmp(const h5out_spec *a, const h5out_spec *b, char *err, size_t errlen)
{
    if (strcmp(str(a->config), str(b->config))) {
        h5spec_set_err(err, errlen,
                       "the experiment configuration differs (SHA-256 %.12s... vs "
                       "%.12s...)",
                       str(a->config_sha256), str(b->config_sha256));
        return -1;
    }
    if (strcmp(str(a->model), str(b->model))) {
        h5spec_set_err(err, errlen, "the model differs ('%s' vs '%s')", str(a->model),
                       str(b->model));
        return -1;
    }
    if (strcmp(str(a->model_sha256), str(b->model_sha256))) {
        h5spec_set_err(err, errlen,
                       "the model plugin was rebuilt or replaced in between (SHA-256 "
                       "%.12s... of %s vs %.12s... of %s)",
                       str(a->model_sha256), str(a->model_path), str(b->model_sha256),
                       str(b->model_path));
        return -1;
    }
    if (strcmp(str(a->usim_version), str(b->usim_version))) {
        h5spec_set_err(err, errlen, "written by different usim versions (%s vs %s)",
                       str(a->usim_version), str(b->usim_version));
        return -1;
    }
    if (a->seed != b->seed || a->nruns != b->nruns ||
        a->replications != b->replications || a->npoints != b->npoints ||
        a->pilots != b->pilots || a->shard_by_point != b->shard_by_point) {
        h5spec_set_err(err, errlen,
                       "seed, runs, points, replications or pilots differ");
        return -1;
    }
    /* The config text holds the mode too, but say which setting differs:
     * replications of different modes are not the same runs. */
    if (strcmp(random_numbers(a), random_numbers(b))) {
        h5spec_set_err(err, errlen, "the random numbers differ (%s vs %s)",
                       random_numbers(a), random_numbers(b));
        return -1;
    }
    if (names_cmp("parameters", a->nparams, a->params, b->nparams, b->params, err,
                  errlen) < 0 ||
        names_cmp("scalars", a->nscalars, a->scalars, b->nscalars, b->scalars, err,
                  errlen) < 0 ||
        names_cmp("traces", a->ntraces, a->traces, b->ntraces, b->traces, err, errlen) <
            0)
        return -1;
    for (size_t k = 0; k < a->nparams; k++) {
        const char *la = a->param_labels ? str(a->param_labels[k]) : "";
        const char *lb = b->param_labels ? str(b->param_labels[k]) : "";
        if (strcmp(la, lb)) {
            h5spec_set_err(err, errlen, "the values of parameter '%s' differ",
                           a->params[k]);
            return -1;
        }
        if (a->param_types && b->param_types &&
            strcmp(str(a->param_types[k]), str(b->param_types[k]))) {
            h5spec_set_err(err, errlen, "the type of parameter '%s' differs (%s vs %s)",
                           a->params[k], str(a->param_types[k]),
                           str(b->param_types[k]));
            return -1;
        }
    }
    return 0;
}

uint64_t h5spec_ident(const h5out_spec *s)
{
    uint64_t h = FNV1A64_BASIS;
    const char *texts[] = {str(s->config), str(s->model), str(s->model_sha256),
                           str(s->usim_version), random_numbers(s)};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        h = fnv1a64(h, texts[i], strlen(texts[i]) + 1);
    uint64_t nums[] = {
        s->seed,         s->nruns,         s->npoints,
        s->replications, s->nparams,       s->nscalars,
        s->ntraces,      s->shard_index,   s->shard_count ? s->shard_count : 1,
        s->pilots,       s->shard_by_point};
    h = fnv1a64(h, nums, sizeof nums);
    const char *const *arrays[] = {s->params, s->scalars, s->traces};
    size_t counts[] = {s->nparams, s->nscalars, s->ntraces};
    for (size_t a = 0; a < 3; a++)
        for (size_t i = 0; i < counts[a]; i++)
            h = fnv1a64(h, arrays[a][i], strlen(arrays[a][i]) + 1);
    return h;
}
