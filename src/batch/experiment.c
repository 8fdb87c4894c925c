/*
 * experiment.c — reads an experiment file and validates it completely
 * before anything runs or any output is touched.
 *
 * Reading happens in two steps.  First the file's text is assembled with
 * its @include lines expanded by us, each resolved relative to the file
 * that contains it (libconfig 1.5 resolves every include against one
 * global directory), keeping a map from each line of the assembled text
 * to its file and line so that errors name the place the user wrote.
 * Then libconfig parses the assembled text and every setting is checked
 * against the contract and the model's descriptor.
 *
 * libconfig 1.5 has silent traps that we catch here: a decimal or hex
 * integer without L that does not fit in 32 bits wraps (5000000000 reads
 * as 705032704), so for every 32-bit integer we re-read the literal text
 * on its line; and a float literal beyond the double range reads as inf.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include "batch/experiment.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCLUDE_MAX_DEPTH 10

/* ------------------------------------------------------------------ */
/* Source text with @include expanded, and its line map                */
/* ------------------------------------------------------------------ */

typedef struct src_line {
    size_t file; /* index into source.files */
    unsigned line;
} src_line;

typedef struct source {
    char *text;
    size_t len, cap;
    char **files;
    size_t nfiles;
    src_line *lines; /* lines[i]: origin of line i + 1 of text */
    size_t nlines, caplines;
} source;

static void source_free(source *s)
{
    free(s->text);
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->files);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

static int source_append(source *s, const char *p, size_t n, size_t file, unsigned line)
{
    if (s->len + n + 2 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (s->len + n + 2 > cap)
            cap *= 2;
        char *t = realloc(s->text, cap);
        if (t == NULL)
            return -1;
        s->text = t;
        s->cap = cap;
    }
    if (s->nlines == s->caplines) {
        size_t cap = s->caplines ? 2 * s->caplines : 256;
        src_line *l = realloc(s->lines, cap * sizeof *l);
        if (l == NULL)
            return -1;
        s->lines = l;
        s->caplines = cap;
    }
    memcpy(s->text + s->len, p, n);
    s->len += n;
    s->text[s->len++] = '\n';
    s->text[s->len] = '\0';
    s->lines[s->nlines++] = (src_line){file, line};
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    errno = 0;
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *b = realloc(buf, cap * 2);
        if (b == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    int failed = ferror(f) ? (errno ? errno : EIO) : 0; /* EISDIR for a directory */
    fclose(f);
    if (buf == NULL || failed) {
        free(buf);
        errno = failed ? failed : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* If `line` is an @include line, the included name (malloc'd) and 1; 0
 * if it is not one; -1 if it is a malformed one. */
static int include_name(const char *line, size_t n, char **name)
{
    const char *p = line, *end = line + n;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < 8 || strncmp(p, "@include", 8) != 0)
        return 0;
    p += 8;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p != '"')
        return -1;
    const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
    if (q == NULL)
        return -1;
    *name = strndup(p + 1, (size_t)(q - p - 1));
    return *name ? 1 : -1;
}

static int source_expand(source *s, const char *path, int depth, const char *from_file,
                         unsigned from_line, char *err, size_t errlen)
{
    size_t len;
    char *text = read_whole_file(path, &len);
    if (text == NULL) {
        if (from_file)
            snprintf(err, errlen, "%s:%u: cannot read included file \"%s\": %s",
                     from_file, from_line, path, strerror(errno));
        else
            snprintf(err, errlen, "%s: cannot read experiment file: %s", path,
                     strerror(errno));
        return -1;
    }
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "%s: not a text file (it contains NUL bytes)", path);
        free(text);
        return -1;
    }
    char **files = realloc(s->files, (s->nfiles + 1) * sizeof *files);
    if (files == NULL)
        goto nomem;
    s->files = files;
    size_t fi = s->nfiles;
    if ((s->files[fi] = strdup(path)) == NULL)
        goto nomem;
    s->nfiles++;

    char *dir = dir_of(path);
    if (dir == NULL)
        goto nomem;
    unsigned lineno = 0;
    for (size_t off = 0; off < len;) {
        char *p = text + off;
        char *nl = memchr(p, '\n', len - off);
        size_t n = nl ? (size_t)(nl - p) : len - off;
        lineno++;
        char *name = NULL;
        int inc = include_name(p, n, &name);
        if (inc < 0) {
            snprintf(err, errlen, "%s:%u: malformed @include (write @include \"FILE\")",
                     path, lineno);
            goto fail_dir;
        }
        if (inc > 0) {
            if (depth + 1 >= INCLUDE_MAX_DEPTH) {
                snprintf(err, errlen,
                         "%s:%u: @include nested more than %d deep (an include cycle?)",
                         path, lineno, INCLUDE_MAX_DEPTH);
                free(name);
                goto fail_dir;
            }
            char *inc_path;
            /* "dir/name", but no "./" before names next to the file. */
            bool plain = name[0] == '/' || strcmp(dir, ".") == 0;
            int r = plain ? asprintf(&inc_path, "%s", name)
                          : asprintf(&inc_path, "%s/%s", dir, name);
            free(name);
            if (r < 0)
                goto nomem_dir;
            /* The file name stored in s->files may move: pass a copy. */
            char *self = strdup(path);
            r = self ? source_expand(s, inc_path, depth + 1, self, lineno, err, errlen)
                     : -1;
            if (self == NULL)
                snprintf(err, errlen, "out of memory");
            free(self);
            free(inc_path);
            if (r < 0)
                goto fail_dir;
        } else if (source_append(s, p, n, fi, lineno) < 0) {
            goto nomem_dir;
        }
        if (nl == NULL)
            break;
        off = (size_t)(nl + 1 - text);
    }
    free(dir);
    free(text);
    return 0;

nomem_dir:
    snprintf(err, errlen, "out of memory");
fail_dir:
    free(dir);
    free(text);
    return -1;
nomem:
    snprintf(err, errlen, "out of memory");
    free(text);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Error reporting                                                     */
/* ------------------------------------------------------------------ */

typedef struct ctx {
    experiment *e;
    source src;
    config_t cfg;
    char *err;
    size_t errlen;
    bool force;
} ctx;

static void where(const ctx *c, unsigned line, const char **file, unsigned *fline)
{
    if (line >= 1 && line <= c->src.nlines) {
        *file = c->src.files[c->src.lines[line - 1].file];
        *fline = c->src.lines[line - 1].line;
    } else {
        *file = c->e->path;
        *fline = 0;
    }
}

/* The dotted path of a setting: "kernel.drift", "parameters.rate[2]". */
static void setting_path(const config_setting_t *s, char *buf, size_t len)
{
    if (s == NULL || config_setting_is_root(s)) {
        buf[0] = '\0';
        return;
    }
    setting_path(config_setting_parent(s), buf, len);
    size_t n = strlen(buf);
    const char *name = config_setting_name(s);
    if (name != NULL)
        snprintf(buf + n, len - n, "%s%s", n ? "." : "", name);
    else
        snprintf(buf + n, len - n, "[%d]", config_setting_index(s));
}

/* "FILE:LINE: setting 'PATH': message".  `s` gives line and path; if it
 * is NULL, `path` names a missing setting and `at` (may be NULL) is the
 * group it is missing from. */
static int fail_v(ctx *c, const config_setting_t *s, const char *path,
                  const config_setting_t *at, const char *fmt, va_list ap)
{
    char spath[256], msg[768];
    const char *file;
    unsigned line;
    if (s != NULL) {
        setting_path(s, spath, sizeof spath);
        path = spath;
        at = s;
    }
    vsnprintf(msg, sizeof msg, fmt, ap);
    where(c, at && !config_setting_is_root(at) ? config_setting_source_line(at) : 0,
          &file, &line);
    if (line > 0)
        snprintf(c->err, c->errlen, "%s:%u: setting '%s': %s", file, line, path, msg);
    else
        snprintf(c->err, c->errlen, "%s: setting '%s': %s", file, path, msg);
    return -1;
}

__attribute__((format(printf, 3, 4))) static int fail(ctx *c, const config_setting_t *s,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(c, s, NULL, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

__attribute__((format(printf, 4, 5))) static int
fail_missing(ctx *c, const char *path, const config_setting_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(c, NULL, path, at, fmt, ap);
    va_end(ap);
    return -1;
}

size_t experiment_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (row == NULL)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

/* The candidate closest to `name`, if it is close enough to be a typo:
 * at most 2 edits, and fewer edits than the name has characters. */
static const char *suggest(const char *name, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = experiment_edit_distance(name, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    if (best == NULL || bestd > 2 || bestd >= strlen(name))
        return NULL;
    return best;
}

/* " (did you mean 'X'?)" or "" — into buf. */
static const char *did_you_mean(char *buf, size_t len, const char *name,
                                const char *const *cands, size_t n, char quote,
                                const char *prefix)
{
    const char *s = suggest(name, cands, n);
    if (s == NULL)
        buf[0] = '\0';
    else
        snprintf(buf, len, " (did you mean %c%s%s%c?)", quote, prefix, s, quote);
    return buf;
}

static const char *type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP:
        return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "an integer";
    case CONFIG_TYPE_FLOAT:
        return "a number";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "a boolean";
    case CONFIG_TYPE_ARRAY:
        return "an array";
    case CONFIG_TYPE_LIST:
        return "a list";
    default:
        return "nothing";
    }
}

/* Every member of group `g` must be one of `known`. */
static int check_members(ctx *c, const config_setting_t *g, const char *const *known,
                         size_t n)
{
    char path[256], dym[300];
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        size_t k = 0;
        while (k < n && strcmp(name, known[k]) != 0)
            k++;
        if (k < n)
            continue;
        setting_path(g, path, sizeof path);
        if (path[0] != '\0')
            strcat(path, ".");
        return fail(c, s, "unknown setting%s",
                    did_you_mean(dym, sizeof dym, name, known, n, '\'', path));
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Typed values                                                        */
/* ------------------------------------------------------------------ */

/*
 * libconfig 1.5 stores an unsuffixed integer literal in an int, wrapping
 * silently.  Find a literal on the setting's line whose value does not fit
 * in 32 bits but wraps to the stored value.
 */
static int check_wrapped(ctx *c, const config_setting_t *s)
{
    unsigned line = config_setting_source_line(s);
    if (line < 1 || line > c->src.nlines)
        return 0;
    const char *p = c->src.text;
    for (unsigned l = 1; l < line; l++)
        p = strchr(p, '\n') + 1;
    const char *end = strchr(p, '\n');
    int32_t stored = config_setting_get_int(s);
    while (p < end) {
        if (*p == '"') { /* skip a string, with its escapes */
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\' && p + 1 < end)
                    p++;
            p++;
            continue;
        }
        if (*p == '#' || (p[0] == '/' && p[1] == '/'))
            break;
        bool starts =
            (*p >= '0' && *p <= '9') &&
            (p == c->src.text ||
             !(p[-1] == '_' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') ||
               (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')));
        if (!starts) {
            p++;
            continue;
        }
        bool neg = p > c->src.text && p[-1] == '-';
        char *q;
        errno = 0;
        /* libconfig reads 0x... as hex and everything else as decimal,
         * leading zeros included (not octal). */
        bool hex0x = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
        unsigned long long v = strtoull(p, &q, hex0x ? 16 : 10);
        bool big = errno == ERANGE;
        if (q < end && (*q == '.' || *q == 'e' || *q == 'E' || *q == 'L')) {
            /* a float or an int64 literal: not wrapped */
            while (q < end && (*q == '.' || *q == 'e' || *q == 'E' || *q == 'L' ||
                               *q == '+' || *q == '-' || (*q >= '0' && *q <= '9')))
                q++;
            p = q;
            continue;
        }
        bool fits =
            hex0x ? v <= UINT32_MAX
                  : (neg ? v <= (unsigned long long)INT32_MAX + 1 : v <= INT32_MAX);
        if (big || !fits) {
            uint32_t low = (uint32_t)v;
            int32_t wrapped = (int32_t)(neg ? (uint32_t)0 - low : low);
            if (big || wrapped == stored) {
                int n = (int)(q - p);
                return fail(c, s,
                            "integer %s%.*s does not fit in 32 bits (libconfig "
                            "would read it as %d): write %s%.*sL",
                            neg ? "-" : "", n, p, stored, neg ? "-" : "", n, p);
            }
        }
        p = q;
    }
    return 0;
}

/* A float setting's value, which must be finite (libconfig reads a
 * literal beyond the double range as inf). */
static int get_finite_float(ctx *c, const config_setting_t *s, double *out)
{
    *out = config_setting_get_float(s);
    if (!isfinite(*out))
        return fail(c, s, "the number is too large for a double (it reads as %g)",
                    *out);
    return 0;
}

/* A whole number; an integral float is accepted (1e6). */
static int get_integer(ctx *c, const config_setting_t *s, int64_t *out)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        if (check_wrapped(c, s) < 0)
            return -1;
        *out = config_setting_get_int(s);
        return 0;
    case CONFIG_TYPE_INT64:
        *out = config_setting_get_int64(s);
        return 0;
    case CONFIG_TYPE_FLOAT: {
        double d;
        if (get_finite_float(c, s, &d) < 0)
            return -1;
        if (d != floor(d) || fabs(d) > 9007199254740992.0)
            return fail(c, s, "expected an integer, found %g", d);
        *out = (int64_t)d;
        return 0;
    }
    default:
        return fail(c, s, "expected an integer, found %s",
                    type_name(config_setting_type(s)));
    }
}

/* A finite number (integer or float). */
static int get_number(ctx *c, const config_setting_t *s, double *out)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: {
        int64_t i;
        if (get_integer(c, s, &i) < 0)
            return -1;
        *out = (double)i;
        return 0;
    }
    case CONFIG_TYPE_FLOAT:
        return get_finite_float(c, s, out);
    default:
        return fail(c, s, "expected a number, found %s",
                    type_name(config_setting_type(s)));
    }
}

static int get_string(ctx *c, const config_setting_t *s, const char **out)
{
    *out = NULL;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(c, s, "expected a string, found %s",
                    type_name(config_setting_type(s)));
    *out = config_setting_get_string(s);
    return 0;
}

static int get_group(ctx *c, const config_setting_t *s)
{
    if (!config_setting_is_group(s))
        return fail(c, s, "expected a group { ... }, found %s",
                    type_name(config_setting_type(s)));
    return 0;
}

/* The optional group `name` of root, whose members must all be `known`:
 * 1 and *g if it is there, 0 if not, -1 on an error. */
static int get_member_group(ctx *c, const config_setting_t *root, const char *name,
                            const char *const *known, size_t n,
                            const config_setting_t **g)
{
    *g = config_setting_get_member(root, name);
    if (*g == NULL)
        return 0;
    if (get_group(c, *g) < 0 || check_members(c, *g, known, n) < 0)
        return -1;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Top-level settings                                                  */
/* ------------------------------------------------------------------ */

static const char *const top_names[] = {
    "model",      "description", "until",  "replications", "seed",   "kernel",
    "parameters", "zip",         "traces", "limits",       "output",
};
static const char *const kernel_names[] = {"resolution", "drift", "order", "stack_size",
                                           "stack_guard"};
static const char *const limits_names[] = {"events", "wall_seconds"};
static const char *const output_names[] = {"file", "compression"};
static const char *const range_names[] = {"from", "to", "step"};
static const char *const trace_names[] = {"mode", "interval"};

static int load_model(ctx *c, const config_setting_t *root)
{
    experiment *e = c->e;
    const config_setting_t *s = config_setting_get_member(root, "model");
    const char *name;
    if (s == NULL)
        return fail_missing(c, "model", NULL,
                            "missing: name a built-in model (see --list-models) or "
                            "a plugin \"path/to/model.so\"");
    if (get_string(c, s, &name) < 0)
        return -1;
    if ((e->model_name = strdup(name)) == NULL)
        return fail(c, s, "out of memory");
    char why[512];
    if (registry_find(name, e->dir, &e->reg, why, sizeof why) == 0) {
        e->model = e->reg.model;
        return 0;
    }
    if (registry_is_path(name))
        return fail(c, s, "%s", why);
    size_t n = registry_builtin_count();
    const char *names[n ? n : 1];
    char list[256] = "", dym[300];
    for (size_t i = 0; i < n; i++) {
        names[i] = registry_builtin(i)->name;
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    did_you_mean(dym, sizeof dym, name, names, n, '"', "");
    if (dym[0])
        return fail(c, s, "unknown model \"%s\"%s", name, dym);
    return fail(c, s,
                "unknown model \"%s\" (built-in models: %s; a plugin is a path "
                "ending in .so)",
                name, list);
}

static int load_top(ctx *c, const config_setting_t *root)
{
    experiment *e = c->e;
    const config_setting_t *s;
    const char *str;
    int64_t i;
    double d;

    if ((s = config_setting_get_member(root, "description")) != NULL) {
        if (get_string(c, s, &str) < 0)
            return -1;
        free(e->description);
        if ((e->description = strdup(str)) == NULL)
            return fail(c, s, "out of memory");
    }
    if ((s = config_setting_get_member(root, "until")) != NULL) {
        if (get_number(c, s, &d) < 0)
            return -1;
        if (!(d > 0))
            return fail(c, s, "the end time must be > 0, not %g", d);
        e->until = d;
    }
    if ((s = config_setting_get_member(root, "replications")) != NULL) {
        if (get_integer(c, s, &i) < 0)
            return -1;
        if (i < 1)
            return fail(c, s, "must be at least 1, not %" PRId64, i);
        e->replications = (uint64_t)i;
    }
    if ((s = config_setting_get_member(root, "seed")) != NULL) {
        if (get_integer(c, s, &i) < 0)
            return -1;
        if (i < 0)
            return fail(c, s, "must be >= 0, not %" PRId64, i);
        e->seed = (uint64_t)i;
    }
    return 0;
}

static int parse_named(ctx *c, const config_setting_t *s, const char *what,
                       const char *(*name_of)(int), int count, int *out)
{
    const char *str = NULL;
    if (get_string(c, s, &str) < 0)
        return -1;
    const char *names[8];
    char list[128] = "", dym[300];
    for (int k = 0; k < count; k++) {
        names[k] = name_of(k);
        if (strcmp(str, names[k]) == 0) {
            *out = k;
            return 0;
        }
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s\"%s\"", k ? ", " : "", names[k]);
    }
    did_you_mean(dym, sizeof dym, str, names, (size_t)count, '"', "");
    if (dym[0])
        return fail(c, s, "unknown %s \"%s\"%s", what, str, dym);
    return fail(c, s, "unknown %s \"%s\" (one of %s)", what, str, list);
}

static const char *drift_name(int i)
{
    return usim_drift_name((usim_drift)i);
}

static const char *order_name(int i)
{
    return usim_order_name((usim_order)i);
}

static int load_kernel(ctx *c, const config_setting_t *root)
{
    usim_config *k = &c->e->kernel;
    const config_setting_t *g, *s;
    int found = get_member_group(c, root, "kernel", kernel_names,
                                 USIM_ARRAY_LEN(kernel_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(g, "resolution")) != NULL) {
        double d;
        if (get_number(c, s, &d) < 0)
            return -1;
        if (!(d > 0))
            return fail(c, s,
                        "the resolution (time units per tick) must be > 0, not %g", d);
        k->resolution = d;
    }
    int v = 0;
    if ((s = config_setting_get_member(g, "drift")) != NULL) {
        if (parse_named(c, s, "drift policy", drift_name, USIM_DRIFT_STRICT + 1, &v) <
            0)
            return -1;
        k->drift = (usim_drift)v;
    }
    if ((s = config_setting_get_member(g, "order")) != NULL) {
        if (parse_named(c, s, "turn order", order_name, USIM_ORDER_RANDOM + 1, &v) < 0)
            return -1;
        k->order = (usim_order)v;
    }
    if ((s = config_setting_get_member(g, "stack_size")) != NULL) {
        int64_t i;
        if (get_integer(c, s, &i) < 0)
            return -1;
        if (i < 16384 || i > ((int64_t)1 << 30))
            return fail(c, s,
                        "the stack size must be between 16384 and 1073741824 "
                        "bytes, not %" PRId64,
                        i);
        k->stack_size = (size_t)i;
    }
    if ((s = config_setting_get_member(g, "stack_guard")) != NULL) {
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            return fail(c, s, "expected true or false, found %s",
                        type_name(config_setting_type(s)));
        k->stack_guard = config_setting_get_bool(s);
    }
    return 0;
}

static int load_limits(ctx *c, const config_setting_t *root)
{
    usim_config *k = &c->e->kernel;
    const config_setting_t *g, *s;
    int found = get_member_group(c, root, "limits", limits_names,
                                 USIM_ARRAY_LEN(limits_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(g, "events")) != NULL) {
        int64_t i;
        if (get_integer(c, s, &i) < 0)
            return -1;
        if (i < 0)
            return fail(c, s, "the event budget must be >= 0 (0: none), not %" PRId64,
                        i);
        k->max_events = (uint64_t)i;
    }
    if ((s = config_setting_get_member(g, "wall_seconds")) != NULL) {
        double d;
        if (get_number(c, s, &d) < 0)
            return -1;
        if (d < 0)
            return fail(c, s, "the wall-clock budget must be >= 0 (0: none), not %g",
                        d);
        k->max_wall_s = d;
    }
    return 0;
}

static int load_output(ctx *c, const config_setting_t *root)
{
    experiment *e = c->e;
    const config_setting_t *g, *s;
    int found = get_member_group(c, root, "output", output_names,
                                 USIM_ARRAY_LEN(output_names), &g);
    if (found <= 0)
        return found;
    if ((s = config_setting_get_member(g, "file")) != NULL) {
        const char *str;
        if (get_string(c, s, &str) < 0)
            return -1;
        if (str[0] == '\0')
            return fail(c, s, "the output file name is empty");
        if ((e->output = strdup(str)) == NULL)
            return fail(c, s, "out of memory");
    }
    if ((s = config_setting_get_member(g, "compression")) != NULL) {
        int64_t i;
        if (get_integer(c, s, &i) < 0)
            return -1;
        if (i < 0 || i > 9)
            return fail(c, s, "the deflate level must be 0..9, not %" PRId64, i);
        e->compression = (int)i;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Parameters and sweeps                                               */
/* ------------------------------------------------------------------ */

/* One value for parameter `p`, checked against its type and range. */
static int param_value(ctx *c, const config_setting_t *s, const usim_param_desc *p,
                       double *out)
{
    double v = 0;
    if (p->type == USIM_PARAM_BOOL && config_setting_type(s) == CONFIG_TYPE_BOOL) {
        *out = config_setting_get_bool(s) ? 1 : 0;
        return 0;
    }
    if (config_setting_type(s) == CONFIG_TYPE_BOOL)
        return fail(c, s, "expected a number for '%s', found a boolean", p->name);
    if (get_number(c, s, &v) < 0)
        return -1;
    if (p->type == USIM_PARAM_INT && v != floor(v))
        return fail(c, s, "'%s' is an integer parameter, %g is not a whole number",
                    p->name, v);
    if (p->type == USIM_PARAM_BOOL && v != 0 && v != 1)
        return fail(c, s, "'%s' is a boolean parameter: write true or false, not %g",
                    p->name, v);
    if (!(v >= p->min && v <= p->max))
        return fail(c, s, "%g is outside the range [%g, %g] of '%s'", v, p->min, p->max,
                    p->name);
    *out = v;
    return 0;
}

/* A range { from; to; step; }, inclusive of `to` (within rounding). */
static int param_range(ctx *c, const config_setting_t *g, exp_param *ep)
{
    const usim_param_desc *p = ep->desc;
    double v[3];
    if (check_members(c, g, range_names, USIM_ARRAY_LEN(range_names)) < 0)
        return -1;
    for (int k = 0; k < 3; k++) {
        const config_setting_t *s = config_setting_get_member(g, range_names[k]);
        char path[300];
        if (s == NULL) {
            setting_path(g, path, sizeof path);
            strcat(path, ".");
            strcat(path, range_names[k]);
            return fail_missing(c, path, g, "missing: a range needs from, to and step");
        }
        if (get_number(c, s, &v[k]) < 0)
            return -1;
        if (k < 2 && param_value(c, s, p, &v[k]) < 0)
            return -1;
    }
    const config_setting_t *step = config_setting_get_member(g, "step");
    if (v[2] == 0)
        return fail(c, step, "the step must not be 0");
    if (p->type != USIM_PARAM_REAL && v[2] != floor(v[2]))
        return fail(c, step, "'%s' is an integer parameter, the step %g is not whole",
                    p->name, v[2]);
    double q = (v[1] - v[0]) / v[2];
    if (q < 0)
        return fail(c, step, "the step %g goes away from 'to' (from %g to %g)", v[2],
                    v[0], v[1]);
    double n = floor(q + 1e-9) + 1;
    if (n > 1e9)
        return fail(c, g, "the range has %.0f values, more than 10^9", n);
    ep->nvalues = (size_t)n;
    if ((ep->values = malloc(ep->nvalues * sizeof(double))) == NULL)
        return fail(c, g, "out of memory");
    for (size_t i = 0; i < ep->nvalues; i++) {
        double x = v[0] + (double)i * v[2];
        if (p->type != USIM_PARAM_REAL)
            x = round(x);
        /* The last point is `to` itself when the steps land on it, not
         * 0.30000000000000004 for {from=0.1; to=0.3; step=0.1}. */
        if (i + 1 == ep->nvalues && fabs(x - v[1]) <= 1e-9 * fabs(v[2]))
            x = v[1];
        ep->values[i] = x;
    }
    return 0;
}

static int param_list(ctx *c, const config_setting_t *s, exp_param *ep)
{
    int n = config_setting_length(s);
    if (n == 0)
        return fail(c, s, "an empty list sweeps over nothing");
    ep->nvalues = (size_t)n;
    if ((ep->values = malloc(ep->nvalues * sizeof(double))) == NULL)
        return fail(c, s, "out of memory");
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_is_aggregate(el))
            return fail(c, el, "expected a number, found %s",
                        type_name(config_setting_type(el)));
        if (param_value(c, el, ep->desc, &ep->values[i]) < 0)
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

static int unknown_param(ctx *c, const config_setting_t *s, const char *name)
{
    const usim_model *m = c->e->model;
    const char *names[m->n_params ? m->n_params : 1];
    char list[512] = "", dym[300];
    for (size_t i = 0; i < m->n_params; i++) {
        names[i] = m->params[i].name;
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    did_you_mean(dym, sizeof dym, name, names, m->n_params, '\'', "");
    if (dym[0])
        return fail(c, s, "model \"%s\" has no parameter '%s'%s", m->name, name, dym);
    return fail(c, s, "model \"%s\" has no parameter '%s' (its parameters: %s)",
                m->name, name, m->n_params ? list : "none");
}

/* `order[k]`: parameter indices in the order they are listed in the file. */
static int load_parameters(ctx *c, const config_setting_t *root, size_t *order,
                           size_t *norder)
{
    experiment *e = c->e;
    *norder = 0;
    const config_setting_t *g = config_setting_get_member(root, "parameters");
    if (g == NULL)
        return 0;
    if (get_group(c, g) < 0)
        return -1;
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        int k = find_param(e, config_setting_name(s));
        if (k < 0)
            return unknown_param(c, s, config_setting_name(s));
        exp_param *ep = &e->params[k];
        free(ep->values);
        ep->values = NULL;
        ep->set = true;
        int r;
        switch (config_setting_type(s)) {
        case CONFIG_TYPE_GROUP:
            r = param_range(c, s, ep);
            break;
        case CONFIG_TYPE_ARRAY:
        case CONFIG_TYPE_LIST:
            r = param_list(c, s, ep);
            break;
        default:
            ep->nvalues = 1;
            if ((ep->values = malloc(sizeof(double))) == NULL)
                return fail(c, s, "out of memory");
            r = param_value(c, s, ep->desc, &ep->values[0]);
            ep->loop = -2; /* fixed by the file: never a loop */
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
static int load_zip(ctx *c, const config_setting_t *root, int *zipof)
{
    experiment *e = c->e;
    const config_setting_t *z = config_setting_get_member(root, "zip");
    if (z == NULL)
        return 0;
    if (!config_setting_is_list(z) && !config_setting_is_array(z))
        return fail(c, z, "expected a list of groups ( [\"a\", \"b\"], ... ), found %s",
                    type_name(config_setting_type(z)));
    /* zip = ["a", "b"] is one group written without the list around it. */
    bool single = config_setting_is_array(z);
    int ngroups = single ? 1 : config_setting_length(z);
    for (int gi = 0; gi < ngroups; gi++) {
        const config_setting_t *g =
            single ? z : config_setting_get_elem(z, (unsigned)gi);
        if (!config_setting_is_array(g) && !config_setting_is_list(g))
            return fail(c, g,
                        "expected a group of parameter names [\"a\", \"b\"], "
                        "found %s",
                        type_name(config_setting_type(g)));
        if (config_setting_length(g) < 2)
            return fail(c, g, "a lock-step group needs at least two parameters");
        size_t first_n = 0;
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
            const char *name;
            if (get_string(c, s, &name) < 0)
                return -1;
            int k = find_param(e, name);
            if (k < 0)
                return unknown_param(c, s, name);
            exp_param *ep = &e->params[k];
            if (!ep->set || ep->loop == -2)
                return fail(c, s, "'%s' is not swept (give it a list or a range)",
                            name);
            if (zipof[k] >= 0)
                return fail(c, s, "'%s' is already in a lock-step group", name);
            zipof[k] = gi;
            if (i == 0)
                first_n = ep->nvalues;
            else if (ep->nvalues != first_n)
                return fail(c, s,
                            "'%s' has %zu values but '%s' has %zu: parameters "
                            "swept in lock step need as many values each",
                            name, ep->nvalues, config_setting_get_string_elem(g, 0),
                            first_n);
        }
    }
    return 0;
}

/* Builds the loops in listing order; a zip group sits at its first listed
 * member.  Counts points and runs. */
static int build_loops(ctx *c, const config_setting_t *root, const size_t *order,
                       size_t norder, const int *zipof)
{
    experiment *e = c->e;
    if ((e->loops = calloc(norder ? norder : 1, sizeof *e->loops)) == NULL)
        return fail(c, root, "out of memory");
    for (size_t i = 0; i < norder; i++) {
        size_t k = order[i];
        exp_param *ep = &e->params[k];
        if (ep->loop >= 0)
            continue; /* joined a zip group's loop already */
        exp_loop *l = &e->loops[e->nloops];
        l->n = ep->nvalues;
        if ((l->members = calloc(norder, sizeof *l->members)) == NULL)
            return fail(c, root, "out of memory");
        for (size_t j = i; j < norder; j++) {
            size_t m = order[j];
            if (m == k || (zipof[k] >= 0 && zipof[m] == zipof[k])) {
                l->members[l->nmembers++] = m;
                e->params[m].loop = (int)e->nloops;
            }
        }
        e->nloops++;
    }
    for (size_t k = 0; k < e->nparams; k++)
        if (e->params[k].loop == -2)
            e->params[k].loop = -1;

    /* Saturating product: the limits below are far under UINT64_MAX. */
    uint64_t points = 1;
    for (size_t i = 0; i < e->nloops; i++)
        points =
            points > UINT64_MAX / e->loops[i].n ? UINT64_MAX : points * e->loops[i].n;
    uint64_t runs =
        points > UINT64_MAX / e->replications ? UINT64_MAX : points * e->replications;
    e->npoints = points;
    e->nruns = runs;
    const config_setting_t *at = config_setting_get_member(root, "parameters");
    if (at == NULL)
        at = config_setting_get_member(root, "replications");
    const char *name = at ? NULL : "replications";
    char sz[96];
    if (runs == UINT64_MAX)
        snprintf(sz, sizeof sz, "more than 2^64 runs");
    else
        snprintf(sz, sizeof sz,
                 "%" PRIu64 " runs (%" PRIu64 " points x %" PRIu64 " replications)",
                 runs, points, e->replications);
    if (runs > UINT32_MAX) {
        if (at)
            return fail(c, at, "the sweep has %s; run ids must stay below 2^32", sz);
        return fail_missing(c, name, NULL,
                            "the sweep has %s; run ids must stay below 2^32", sz);
    }
    if (runs > EXPERIMENT_MAX_RUNS && !c->force) {
        if (at)
            return fail(c, at,
                        "the sweep has %s, more than %llu: check it, or use --force",
                        sz, EXPERIMENT_MAX_RUNS);
        return fail_missing(
            c, name, NULL, "the sweep has %s, more than %llu: check it, or use --force",
            sz, EXPERIMENT_MAX_RUNS);
    }
    return 0;
}

static int load_params_and_sweep(ctx *c, const config_setting_t *root)
{
    experiment *e = c->e;
    const usim_model *m = e->model;
    e->nparams = m->n_params;
    if ((e->params = calloc(m->n_params ? m->n_params : 1, sizeof *e->params)) == NULL)
        return fail(c, root, "out of memory");
    for (size_t k = 0; k < m->n_params; k++) {
        exp_param *ep = &e->params[k];
        ep->desc = &m->params[k];
        ep->loop = -1;
        ep->nvalues = 1;
        if ((ep->values = malloc(sizeof(double))) == NULL)
            return fail(c, root, "out of memory");
        ep->values[0] = ep->desc->def;
    }
    size_t order[m->n_params ? m->n_params : 1], norder;
    int zipof[m->n_params ? m->n_params : 1];
    for (size_t k = 0; k < m->n_params; k++)
        zipof[k] = -1;
    if (load_parameters(c, root, order, &norder) < 0 || load_zip(c, root, zipof) < 0)
        return -1;
    return build_loops(c, root, order, norder, zipof);
}

/* ------------------------------------------------------------------ */
/* Traces                                                              */
/* ------------------------------------------------------------------ */

static int load_traces(ctx *c, const config_setting_t *root)
{
    experiment *e = c->e;
    const usim_model *m = e->model;
    const config_setting_t *g = config_setting_get_member(root, "traces");
    if (g == NULL)
        return 0;
    if (get_group(c, g) < 0)
        return -1;
    int n = config_setting_length(g);
    if ((e->traces = calloc(n ? (size_t)n : 1, sizeof *e->traces)) == NULL)
        return fail(c, g, "out of memory");
    const char *names[m->n_traces ? m->n_traces : 1];
    for (size_t i = 0; i < m->n_traces; i++)
        names[i] = m->traces[i].name;
    for (int i = 0; i < n; i++) {
        const config_setting_t *t = config_setting_get_elem(g, (unsigned)i), *s;
        const char *name = config_setting_name(t);
        size_t k = 0;
        while (k < m->n_traces && strcmp(names[k], name) != 0)
            k++;
        if (k == m->n_traces) {
            char dym[300], list[512] = "";
            for (size_t j = 0; j < m->n_traces; j++) {
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", names[j]);
            }
            did_you_mean(dym, sizeof dym, name, names, m->n_traces, '\'', "");
            if (dym[0])
                return fail(c, t, "model \"%s\" has no trace '%s'%s", m->name, name,
                            dym);
            return fail(c, t, "model \"%s\" has no trace '%s' (its traces: %s)",
                        m->name, name, m->n_traces ? list : "none");
        }
        if (get_group(c, t) < 0 ||
            check_members(c, t, trace_names, USIM_ARRAY_LEN(trace_names)) < 0)
            return -1;
        exp_trace *et = &e->traces[e->ntraces++];
        et->name = m->traces[k].name;
        et->mode = USIM_TRACE_CHANGE;
        et->interval = 0;
        const char *mode = "change";
        if ((s = config_setting_get_member(t, "mode")) != NULL) {
            static const char *const modes[] = {"change", "sample"};
            char dym[300];
            if (get_string(c, s, &mode) < 0)
                return -1;
            if (strcmp(mode, "sample") == 0)
                et->mode = USIM_TRACE_SAMPLE;
            else if (strcmp(mode, "change") != 0)
                return fail(c, s, "unknown trace mode \"%s\"%s", mode,
                            did_you_mean(dym, sizeof dym, mode, modes, 2, '"', "")[0]
                                ? dym
                                : " (one of \"change\", \"sample\")");
        }
        s = config_setting_get_member(t, "interval");
        if (et->mode == USIM_TRACE_SAMPLE) {
            char path[300];
            setting_path(t, path, sizeof path);
            strcat(path, ".interval");
            if (s == NULL)
                return fail_missing(c, path, t,
                                    "missing: mode \"sample\" needs an interval > 0");
            if (get_number(c, s, &et->interval) < 0)
                return -1;
            if (!(et->interval > 0))
                return fail(c, s, "the sampling interval must be > 0, not %g",
                            et->interval);
        } else if (s != NULL) {
            return fail(c, s,
                        "an interval is for mode \"sample\" only (this trace "
                        "records every change)");
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static int parse(ctx *c)
{
    config_init(&c->cfg);
    /* Our expansion resolves @include; this only matters for an include
     * form it does not recognise. */
    config_set_include_dir(&c->cfg, c->e->dir);
    if (config_read_string(&c->cfg, c->src.text) == CONFIG_TRUE)
        return 0;
    const char *file;
    unsigned line;
    where(c, (unsigned)config_error_line(&c->cfg), &file, &line);
    if (line > 0)
        snprintf(c->err, c->errlen, "%s:%u: %s", file, line,
                 config_error_text(&c->cfg));
    else
        snprintf(c->err, c->errlen, "%s: %s", file, config_error_text(&c->cfg));
    return -1;
}

int experiment_load(experiment **out, const char *path, const experiment_opts *opts,
                    char *err, size_t errlen)
{
    experiment *e = calloc(1, sizeof *e);
    ctx c = {.e = e, .err = err, .errlen = errlen, .force = opts && opts->force};
    bool parsed = false;
    *out = NULL;
    if (e == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    usim_config_init(&e->kernel);
    e->until = INFINITY;
    e->replications = 1;
    e->compression = 4;
    e->path = strdup(path);
    e->dir = dir_of(path);
    e->description = strdup("");
    if (e->path == NULL || e->dir == NULL || e->description == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (source_expand(&c.src, path, 0, NULL, 0, err, errlen) < 0)
        goto fail;
    if ((e->text = strdup(c.src.text ? c.src.text : "")) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (c.src.text == NULL && source_append(&c.src, "", 0, 0, 1) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (parse(&c) < 0)
        goto fail_cfg;
    parsed = true;
    const config_setting_t *root = config_root_setting(&c.cfg);
    if (check_members(&c, root, top_names, USIM_ARRAY_LEN(top_names)) < 0 ||
        load_model(&c, root) < 0 || load_top(&c, root) < 0 ||
        load_kernel(&c, root) < 0 || load_limits(&c, root) < 0 ||
        load_output(&c, root) < 0 || load_params_and_sweep(&c, root) < 0 ||
        load_traces(&c, root) < 0)
        goto fail_cfg;
    config_destroy(&c.cfg);
    source_free(&c.src);
    *out = e;
    return 0;

fail_cfg:
    if (parsed || config_root_setting(&c.cfg) != NULL)
        config_destroy(&c.cfg);
fail:
    source_free(&c.src);
    experiment_free(e);
    return -1;
}

void experiment_free(experiment *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->nparams; i++)
        free(e->params[i].values);
    free(e->params);
    for (size_t i = 0; i < e->nloops; i++)
        free(e->loops[i].members);
    free(e->loops);
    free(e->traces);
    registry_release(&e->reg);
    free(e->model_name);
    free(e->description);
    free(e->output);
    free(e->text);
    free(e->dir);
    free(e->path);
    free(e);
}

/* ------------------------------------------------------------------ */
/* Runs                                                                */
/* ------------------------------------------------------------------ */

uint64_t experiment_point(const experiment *e, uint64_t run)
{
    return run / e->replications;
}

uint64_t experiment_replication(const experiment *e, uint64_t run)
{
    return run % e->replications;
}

void experiment_point_params(const experiment *e, uint64_t point, double *params)
{
    assert(point < e->npoints);
    /* The last loop varies fastest: peel indices off from the end. */
    uint64_t rest = point;
    size_t idx[e->nloops ? e->nloops : 1];
    memset(idx, 0, sizeof idx);
    for (size_t i = e->nloops; i-- > 0;) {
        idx[i] = (size_t)(rest % e->loops[i].n);
        rest /= e->loops[i].n;
    }
    for (size_t k = 0; k < e->nparams; k++) {
        const exp_param *ep = &e->params[k];
        params[k] = ep->loop < 0 ? ep->values[0] : ep->values[idx[ep->loop]];
    }
}

void experiment_run_config(const experiment *e, uint64_t run, usim_config *cfg)
{
    *cfg = e->kernel;
    cfg->seed = e->seed;
    cfg->run = run;
}
