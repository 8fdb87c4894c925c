/*
 * registry.c — built-in models and plugin loading.
 *
 * The built-in list is generated at build time from models/local.mk
 * (models/builtin.c defines model_builtins[]), so adding a model is adding
 * its file and its name there; nothing here names a model.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include "batch/registry.h"

#include "batch/distspec.h"
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Defined by the generated models/builtin.c. */
extern const usim_model *const model_builtins[];
extern const size_t model_builtin_count;

size_t registry_builtin_count(void)
{
    return model_builtin_count;
}

const usim_model *registry_builtin(size_t i)
{
    return i < model_builtin_count ? model_builtins[i] : NULL;
}

int registry_is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') != NULL || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

static int check_outputs(const usim_output_desc *o, size_t n, const char *what,
                         char *err, size_t errlen)
{
    if (n > 0 && o == NULL) {
        snprintf(err, errlen, "%zu %s declared but the table is NULL", n, what);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (o[i].name == NULL || o[i].name[0] == '\0') {
            snprintf(err, errlen, "%s #%zu has no name", what, i);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(o[i].name, o[j].name) == 0) {
                snprintf(err, errlen, "%s '%s' is declared twice", what, o[i].name);
                return -1;
            }
    }
    return 0;
}

/* A choice needs names (distinct, printable: they are strings of files
 * and columns of /runs) and a default among them; a distribution a
 * default that parses. */
static int check_kind(const usim_param_desc *p, char *err, size_t errlen)
{
    if (p->type == USIM_PARAM_DIST) {
        char why[256];
        usim_dist d;
        if (p->dist_def == NULL) {
            snprintf(err, errlen, "parameter '%s': a distribution needs dist_def",
                     p->name);
            return -1;
        }
        if (distspec_parse(p->dist_def, &d, why, sizeof why) < 0) {
            snprintf(err, errlen, "parameter '%s': default: %s", p->name, why);
            return -1;
        }
        return 0;
    }
    size_t n = 0;
    for (; p->choices != NULL && p->choices[n] != NULL; n++) {
        const char *c = p->choices[n];
        if (c[0] == '\0') {
            snprintf(err, errlen, "parameter '%s': choice #%zu is empty", p->name, n);
            return -1;
        }
        for (const unsigned char *q = (const unsigned char *)c; *q; q++)
            if (*q < 0x20 || *q == 0x7f) {
                snprintf(err, errlen,
                         "parameter '%s': choice #%zu has a control character", p->name,
                         n);
                return -1;
            }
        for (size_t j = 0; j < n; j++)
            if (strcmp(c, p->choices[j]) == 0) {
                snprintf(err, errlen, "parameter '%s': choice '%s' is declared twice",
                         p->name, c);
                return -1;
            }
    }
    if (n == 0) {
        snprintf(err, errlen, "parameter '%s': a choice needs choices", p->name);
        return -1;
    }
    if (!(p->def >= 0 && p->def < (double)n && p->def == floor(p->def))) {
        snprintf(
            err, errlen,
            "parameter '%s': default %g is not the index of one of its %zu choices",
            p->name, p->def, n);
        return -1;
    }
    return 0;
}

int registry_check(const usim_model *m, char *err, size_t errlen)
{
    if (m->abi != USIM_MODEL_ABI) {
        snprintf(err, errlen, "model ABI %d, usim-batch needs %d", m->abi,
                 USIM_MODEL_ABI);
        return -1;
    }
    if (m->name == NULL || m->name[0] == '\0' || m->setup == NULL) {
        snprintf(err, errlen, "the model descriptor has no name or no setup function");
        return -1;
    }
    if (m->n_params > 0 && m->params == NULL) {
        snprintf(err, errlen, "%zu parameters declared but the table is NULL",
                 m->n_params);
        return -1;
    }
    for (size_t i = 0; i < m->n_params; i++) {
        const usim_param_desc *p = &m->params[i];
        if (p->name == NULL || p->name[0] == '\0') {
            snprintf(err, errlen, "parameter #%zu has no name", i);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->name, m->params[j].name) == 0) {
                snprintf(err, errlen, "parameter '%s' is declared twice", p->name);
                return -1;
            }
        if (p->type == USIM_PARAM_CHOICE || p->type == USIM_PARAM_DIST) {
            if (check_kind(p, err, errlen) < 0)
                return -1;
            continue;
        }
        if (p->type != USIM_PARAM_REAL && p->type != USIM_PARAM_INT &&
            p->type != USIM_PARAM_BOOL) {
            snprintf(err, errlen, "parameter '%s' has unknown type %d", p->name,
                     (int)p->type);
            return -1;
        }
        if (!(p->min <= p->def && p->def <= p->max) || isnan(p->def)) {
            snprintf(err, errlen, "parameter '%s': default %g is outside [%g, %g]",
                     p->name, p->def, p->min, p->max);
            return -1;
        }
    }
    if (check_outputs(m->scalars, m->n_scalars, "scalar", err, errlen) < 0 ||
        check_outputs(m->traces, m->n_traces, "trace", err, errlen) < 0)
        return -1;
    return 0;
}

/* A plugin path relative to the config file's directory. */
static char *resolve_path(const char *name, const char *base_dir)
{
    char *path;
    if (name[0] == '/' || base_dir == NULL || base_dir[0] == '\0' ||
        strcmp(base_dir, ".") == 0)
        return strdup(name);
    if (asprintf(&path, "%s/%s", base_dir, name) < 0)
        return NULL;
    return path;
}

static int load_plugin(const char *name, const char *base_dir, registry_model *out,
                       char *err, size_t errlen)
{
    struct stat st;
    char *path = resolve_path(name, base_dir);
    if (path == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "cannot load model plugin \"%s\": %s", path,
                 strerror(errno));
        goto fail_path;
    }
    /* A plugin built with `pkg-config --libs usim` needs libusim (USIM_SONAME).  If
     * usim is installed where the dynamic linker does not look (a --prefix
     * without ldconfig or LD_LIBRARY_PATH), load the installed copy by its
     * full path first: the plugin's dependency is then satisfied by SONAME.
     * Its usim_* calls still bind to usim-batch's own (see below). */
    if (!dlopen(USIM_LIBDIR "/" USIM_SONAME, RTLD_LAZY | RTLD_GLOBAL | RTLD_NOLOAD))
        (void)dlopen(USIM_LIBDIR "/" USIM_SONAME, RTLD_LAZY | RTLD_GLOBAL);
    /* RTLD_LOCAL: two plugins may both define helpers of the same name.
     * The usim_* symbols they use resolve to usim-batch's own (it is linked
     * with --export-dynamic), so plugin and runner share one kernel. */
    /* dlopen searches the library path for a name without a '/', so a
     * bare "model.so" next to the config is opened as "./model.so". */
    char *dlpath = NULL;
    if (!strchr(path, '/') && asprintf(&dlpath, "./%s", path) < 0)
        dlpath = NULL;
    void *dl = dlopen(dlpath ? dlpath : path, RTLD_NOW | RTLD_LOCAL);
    free(dlpath);
    if (dl == NULL) {
        snprintf(err, errlen, "cannot load model plugin \"%s\": %s", path, dlerror());
        goto fail_path;
    }
    usim_model_entry_fn entry;
    *(void **)&entry = dlsym(dl, "usim_model_entry");
    if (entry == NULL) {
        snprintf(err, errlen,
                 "model plugin \"%s\" does not export usim_model_entry "
                 "(use USIM_MODEL_EXPORT)",
                 path);
        goto fail_dl;
    }
    const usim_model *m = entry();
    if (m == NULL) {
        snprintf(err, errlen, "model plugin \"%s\": usim_model_entry returned NULL",
                 path);
        goto fail_dl;
    }
    char why[256];
    if (registry_check(m, why, sizeof why) < 0) {
        snprintf(err, errlen, "model plugin \"%s\": %s", path, why);
        goto fail_dl;
    }
    /* What the output's provenance names: the file's absolute path and
     * its contents' hash (shards of one experiment must use one build). */
    int hrc = sha256_file_hex(path, out->sha256);
    if (hrc < 0) {
        snprintf(err, errlen, "model plugin \"%s\": cannot read it: %s", path,
                 strerror(-hrc));
        goto fail_dl;
    }
    char *abs = realpath(path, NULL);
    if (abs != NULL) {
        free(path);
        path = abs;
    }
    out->model = m;
    out->dl = dl;
    out->path = path;
    return 0;

fail_dl:
    dlclose(dl);
fail_path:
    free(path);
    return -1;
}

int registry_find(const char *name, const char *base_dir, registry_model *out,
                  char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (registry_is_path(name))
        return load_plugin(name, base_dir, out, err, errlen);
    for (size_t i = 0; i < model_builtin_count; i++)
        if (strcmp(model_builtins[i]->name, name) == 0) {
            out->model = model_builtins[i];
            return 0;
        }
    snprintf(err, errlen, "unknown model \"%s\"", name);
    return -1;
}

void registry_release(registry_model *m)
{
    if (m->dl != NULL)
        dlclose(m->dl);
    free(m->path);
    memset(m, 0, sizeof *m);
}
