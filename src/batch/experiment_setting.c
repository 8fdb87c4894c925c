/*
 * experiment_setting.c — typed values from libconfig settings, and the
 * error lines that name them (experiment_setting.h).
 *
 * libconfig 1.5 has silent traps that we catch here: a decimal or hex
 * integer without L that does not fit in 32 bits wraps (5000000000 reads
 * as 705032704), so we read the integer literals of the text ourselves
 * and match them to the settings; and a float literal beyond the double
 * range reads as inf.
 *
 * Names in messages come from the user's file and from model descriptors,
 * so they can be of any length: every string here is allocated to fit.
 */
#define _GNU_SOURCE /* asprintf, vasprintf, open_memstream */
#include "batch/experiment_setting.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

/* "FILE:LINE: message" for line `line` of the text ("FILE: message" if
 * there is no such line). */
__attribute__((format(printf, 3, 4))) static int fail_line(loader *ld, unsigned line,
                                                           const char *fmt, ...)
{
    const char *file = ld->e->path;
    unsigned fline = 0;
    text_where(&ld->text, line, &file, &fline);
    int n = fline > 0 ? snprintf(ld->err, ld->errlen, "%s:%u: ", file, fline)
                      : snprintf(ld->err, ld->errlen, "%s: ", file);
    if (n >= 0 && (size_t)n < ld->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* libconfig's time on the names of each group's settings is quadratic in
 * their number (experiment_text.h): refuse a file that would take too
 * long before libconfig reads it. */
static int check_group_sizes(loader *ld)
{
    text_names names;
    if (text_scan_names(&ld->text, TEXT_MAX_NAME_WORK, &names) < 0)
        return fail_line(ld, 0, "out of memory");
    if (names.line == 0)
        return 0;
    char group[512] = "the top level";
    const char *file;
    unsigned fline;
    if (names.group > 0 && text_where(&ld->text, names.group, &file, &fline))
        snprintf(group, sizeof group, "the group that opens at %s:%u", file, fline);
    return fail_line(
        ld, names.line,
        "too many settings: libconfig compares each name with those of all "
        "the settings before it in its group, and this file would take more "
        "than %" PRIu64 " characters of such comparisons (this is setting %zu of %s)",
        TEXT_MAX_NAME_WORK, names.index, group);
}

/*
 * libconfig reports an error at the end of the text (a string or bracket
 * never closed) on the line after the last one, which names nothing the
 * user can find.  Our own scan of the text finds where what is still open
 * was opened.  An error is at the end when libconfig places it after the
 * last line with a token: the parser fails on a token, or on the end.
 */
int setting_parse(loader *ld)
{
    config_init(&ld->cfg);
    ld->parsed = true;
    /* Our expansion resolves @include; this only matters for an include
     * form it does not recognise. */
    config_set_include_dir(&ld->cfg, ld->e->dir);
    if (check_group_sizes(ld) < 0)
        return -1;
    if (config_read_string(&ld->cfg, ld->text.text) == CONFIG_TRUE)
        return 0;
    const char *why = config_error_text(&ld->cfg);
    int line = config_error_line(&ld->cfg);
    if (config_error_type(&ld->cfg) == CONFIG_ERR_PARSE) {
        text_end end;
        text_scan_end(&ld->text, &end);
        if (end.last > 0 && (line <= 0 || (unsigned)line > end.last)) {
            if (end.string > 0)
                return fail_line(ld, end.string,
                                 "%s: this line opens a string that is never closed",
                                 why);
            if (end.bracket > 0)
                return fail_line(ld, end.bracket,
                                 "%s: the '%c' on this line is never closed", why,
                                 end.open);
            return fail_line(ld, end.last, "%s: the file ends before this setting does",
                             why);
        }
    }
    return fail_line(ld, line > 0 ? (unsigned)line : 0, "%s", why);
}

/* ------------------------------------------------------------------ */
/* Error lines                                                         */
/* ------------------------------------------------------------------ */

static void path_into(FILE *f, const config_setting_t *s)
{
    if (s == NULL || config_setting_is_root(s))
        return;
    path_into(f, config_setting_parent(s));
    const char *name = config_setting_name(s);
    if (name != NULL)
        fprintf(f, "%s%s", ftell(f) > 0 ? "." : "", name);
    else
        fprintf(f, "[%d]", config_setting_index(s));
}

char *setting_path(const config_setting_t *s)
{
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    path_into(f, s);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The error line for the setting at `path`, on the line of `at`. */
static int fail_v(loader *ld, const config_setting_t *at, const char *path,
                  const char *fmt, va_list ap)
{
    char *msg;
    if (path == NULL || vasprintf(&msg, fmt, ap) < 0) {
        snprintf(ld->err, ld->errlen, "out of memory");
        return -1;
    }
    const char *file = ld->e->path;
    unsigned line = 0;
    if (at != NULL && !config_setting_is_root(at))
        text_where(&ld->text, config_setting_source_line(at), &file, &line);
    if (line > 0)
        snprintf(ld->err, ld->errlen, "%s:%u: setting '%s': %s", file, line, path, msg);
    else
        snprintf(ld->err, ld->errlen, "%s: setting '%s': %s", file, path, msg);
    free(msg);
    return -1;
}

int setting_fail(loader *ld, const config_setting_t *s, const char *fmt, ...)
{
    char *path = setting_path(s);
    va_list ap;
    va_start(ap, fmt);
    fail_v(ld, s, path, fmt, ap);
    va_end(ap);
    free(path);
    return -1;
}

int setting_fail_missing(loader *ld, const config_setting_t *at, const char *name,
                         const char *fmt, ...)
{
    char *group = setting_path(at), *path = NULL;
    if (group != NULL &&
        asprintf(&path, "%s%s%s", group, group[0] ? "." : "", name) < 0)
        path = NULL;
    va_list ap;
    va_start(ap, fmt);
    fail_v(ld, at, path, fmt, ap);
    va_end(ap);
    free(path);
    free(group);
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

/* The candidate closest to `name`, if it is close enough to be a typo
 * (experiment.h): at most 2 edits, and fewer edits than the name has characters.  A
 * candidate whose length differs by more than 2 is more than 2 edits
 * away: it is not compared (the distance takes time in the product of the
 * lengths, and a name in the file can be 16 MiB long). */
const char *experiment_suggest(const char *name, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX, len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t clen = strlen(cands[i]);
        if (len > clen + 2 || clen > len + 2)
            continue;
        size_t d = experiment_edit_distance(name, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    if (best == NULL || bestd > 2 || bestd >= len)
        return NULL;
    return best;
}

/* " (did you mean ...?)", " (LIST ...)" or "" (malloc'd; NULL: no memory). */
static char *choices_hint(const char *name, const setting_choices *ch)
{
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    const char *best = experiment_suggest(name, ch->names, ch->n);
    if (best != NULL) {
        fprintf(f, " (did you mean %c%s%s%c?)", ch->quote, ch->prefix ? ch->prefix : "",
                best, ch->quote);
    } else if (ch->list != NULL) {
        const char *q = ch->quote_list ? (ch->quote == '"' ? "\"" : "'") : "";
        fprintf(f, " (%s%s", ch->list, ch->n ? "" : "none");
        for (size_t i = 0; i < ch->n; i++)
            fprintf(f, "%s%s%s%s", i ? ", " : "", q, ch->names[i], q);
        fprintf(f, "%s)", ch->tail ? ch->tail : "");
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int setting_fail_unknown(loader *ld, const config_setting_t *s, const char *name,
                         const setting_choices *ch, const char *fmt, ...)
{
    char *head, *hint = choices_hint(name, ch);
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&head, fmt, ap);
    va_end(ap);
    if (r < 0 || hint == NULL) {
        if (r >= 0)
            free(head);
        free(hint);
        snprintf(ld->err, ld->errlen, "out of memory");
        return -1;
    }
    setting_fail(ld, s, "%s%s", head, hint);
    free(head);
    free(hint);
    return -1;
}

const char *setting_type_name(int type)
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

int setting_check_members(loader *ld, const config_setting_t *g,
                          const char *const *known, size_t n)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        size_t k = 0;
        while (k < n && strcmp(name, known[k]) != 0)
            k++;
        if (k < n)
            continue;
        char *group = setting_path(g), *prefix = NULL;
        if (group != NULL && asprintf(&prefix, "%s%s", group, group[0] ? "." : "") < 0)
            prefix = NULL;
        free(group);
        if (prefix == NULL) {
            snprintf(ld->err, ld->errlen, "out of memory");
            return -1;
        }
        setting_choices ch = {.names = known, .n = n, .quote = '\'', .prefix = prefix};
        setting_fail_unknown(ld, s, name, &ch, "unknown setting");
        free(prefix);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Typed values                                                        */
/* ------------------------------------------------------------------ */

/*
 * libconfig 1.5 stores an unsuffixed integer literal in an int, wrapping
 * silently, and tells us only the line of a setting.  So we read the
 * literals of the text ourselves, once, with the lexer of
 * experiment_text.h (comments and strings hold none): an integer setting
 * is wrapped if the first wide literal on its line is beyond 64 bits, or
 * the first one that wraps to the value stored is.  The wide literals are
 * looked up by line and value, so a list of a million numbers on one line
 * is checked in n log n.  A wide literal that no setting claimed this way
 * (its value on a later line than its name) is an error after all the
 * settings are read: setting_check_wide.
 */
static int wide_add(wide_index *w, wide_literal lit)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        wide_literal *l = realloc(w->lits, cap * sizeof *l);
        if (l == NULL)
            return -1;
        w->lits = l;
        w->cap = cap;
    }
    w->lits[w->n++] = lit;
    return 0;
}

/* The wide literal that token `tok` is, if it is one: 1 and *lit, or 0. */
static int wide_literal_of(const text_token *tok, wide_literal *lit)
{
    const char *p = tok->p, *end = tok->p + tok->n;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    if (p == end || *p < '0' || *p > '9')
        return 0;
    /* libconfig reads 0x... as hex and everything else as decimal, leading
     * zeros included (not octal). */
    bool hex0x = p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    char *q;
    errno = 0;
    unsigned long long v = strtoull(p, &q, hex0x ? 16 : 10);
    if (q != end)
        return 0; /* a float, an int64 (L) or not a number */
    bool big = errno == ERANGE;
    bool fits = hex0x ? v <= UINT32_MAX
                      : (neg ? v <= (unsigned long long)INT32_MAX + 1 : v <= INT32_MAX);
    if (!big && fits)
        return 0;
    uint32_t low = (uint32_t)v;
    *lit = (wide_literal){.p = p,
                          .n = (int)(end - p),
                          .neg = neg,
                          .big = big,
                          .value = (int32_t)(neg ? (uint32_t)0 - low : low),
                          .line = tok->line};
    return 1;
}

static int by_line_value(const void *a, const void *b, void *lits)
{
    const wide_literal *l = lits;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (l[i].line != l[j].line)
        return l[i].line < l[j].line ? -1 : 1;
    if (l[i].value != l[j].value)
        return l[i].value < l[j].value ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Every wide literal of the text into ld->wide. */
static int scan_wide(loader *ld)
{
    wide_index *w = &ld->wide;
    text_lexer lx;
    text_lex_init(&lx, &ld->text);
    for (;;) {
        text_token tok;
        wide_literal lit;
        text_lex_next(&lx, &tok);
        if (tok.kind == LEX_END || tok.kind == LEX_UNCLOSED)
            break;
        if (tok.kind == LEX_OTHER && wide_literal_of(&tok, &lit) &&
            wide_add(w, lit) < 0)
            return -1;
    }
    size_t n = w->n ? w->n : 1;
    if ((w->by_value = malloc(n * sizeof *w->by_value)) == NULL ||
        (w->big = malloc(n * sizeof *w->big)) == NULL)
        return -1;
    for (size_t i = 0; i < w->n; i++) {
        w->by_value[i] = i;
        if (w->lits[i].big)
            w->big[w->nbig++] = i;
    }
    qsort_r(w->by_value, w->n, sizeof *w->by_value, by_line_value, w->lits);
    w->scanned = true;
    return 0;
}

/* The first wide literal on `line` that is big, or w->n. */
static size_t wide_find_big(const wide_index *w, unsigned line)
{
    size_t lo = 0, hi = w->nbig; /* the first big one with line >= line */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->lits[w->big[mid]].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->nbig && w->lits[w->big[lo]].line == line ? w->big[lo] : w->n;
}

/* The first wide literal on `line` with this value, or w->n. */
static size_t wide_find(const wide_index *w, unsigned line, int32_t value)
{
    size_t lo = 0, hi = w->n; /* the first with (line, value) >= (line, value) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const wide_literal *l = &w->lits[w->by_value[mid]];
        if (l->line < line || (l->line == line && l->value < value))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == w->n)
        return w->n;
    const wide_literal *l = &w->lits[w->by_value[lo]];
    return l->line == line && l->value == value ? w->by_value[lo] : w->n;
}

static int check_wrapped(loader *ld, const config_setting_t *s)
{
    wide_index *w = &ld->wide;
    if (!w->scanned && scan_wide(ld) < 0)
        return setting_fail(ld, s, "out of memory");
    unsigned line = config_setting_source_line(s);
    int32_t stored = config_setting_get_int(s);
    size_t i = wide_find(w, line, stored), big = wide_find_big(w, line);
    if (big < i)
        i = big;
    if (i == w->n)
        return 0;
    const wide_literal *lit = &w->lits[i];
    const char *sign = lit->neg ? "-" : "";
    return setting_fail(
        ld, s,
        "integer %s%.*s does not fit in 32 bits (libconfig would read it "
        "as %d): write %s%.*sL",
        sign, lit->n, lit->p, stored, sign, lit->n, lit->p);
}

int setting_check_wide(loader *ld)
{
    wide_index *w = &ld->wide;
    if (!w->scanned && scan_wide(ld) < 0)
        return fail_line(ld, 0, "out of memory");
    if (w->n == 0)
        return 0;
    const wide_literal *lit = &w->lits[0];
    const char *sign = lit->neg ? "-" : "";
    if (lit->big)
        return fail_line(ld, lit->line, "integer %s%.*s does not fit in 64 bits", sign,
                         lit->n, lit->p);
    return fail_line(ld, lit->line,
                     "integer %s%.*s does not fit in 32 bits (libconfig would read it "
                     "as %d): write %s%.*sL",
                     sign, lit->n, lit->p, lit->value, sign, lit->n, lit->p);
}

void setting_done(loader *ld)
{
    free(ld->wide.lits);
    free(ld->wide.by_value);
    free(ld->wide.big);
    memset(&ld->wide, 0, sizeof ld->wide);
}

/* A float setting's value, which must be finite (libconfig reads a
 * literal beyond the double range as inf). */
static int finite_float(loader *ld, const config_setting_t *s, double *out)
{
    *out = config_setting_get_float(s);
    if (!isfinite(*out))
        return setting_fail(
            ld, s, "the number is too large for a double (it reads as %g)", *out);
    return 0;
}

int setting_integer(loader *ld, const config_setting_t *s, int64_t *out)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        if (check_wrapped(ld, s) < 0)
            return -1;
        *out = config_setting_get_int(s);
        return 0;
    case CONFIG_TYPE_INT64:
        *out = config_setting_get_int64(s);
        return 0;
    case CONFIG_TYPE_FLOAT: {
        double d;
        if (finite_float(ld, s, &d) < 0)
            return -1;
        if (d != floor(d) || fabs(d) > 9007199254740992.0)
            return setting_fail(ld, s, "expected an integer, found %g", d);
        *out = (int64_t)d;
        return 0;
    }
    default:
        return setting_fail(ld, s, "expected an integer, found %s",
                            setting_type_name(config_setting_type(s)));
    }
}

int setting_number(loader *ld, const config_setting_t *s, double *out)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: {
        int64_t i;
        if (setting_integer(ld, s, &i) < 0)
            return -1;
        *out = (double)i;
        return 0;
    }
    case CONFIG_TYPE_FLOAT:
        return finite_float(ld, s, out);
    default:
        return setting_fail(ld, s, "expected a number, found %s",
                            setting_type_name(config_setting_type(s)));
    }
}

int setting_string(loader *ld, const config_setting_t *s, const char **out)
{
    *out = NULL;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return setting_fail(ld, s, "expected a string, found %s",
                            setting_type_name(config_setting_type(s)));
    *out = config_setting_get_string(s);
    return 0;
}

int setting_bool(loader *ld, const config_setting_t *s, bool *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return setting_fail(ld, s, "expected true or false, found %s",
                            setting_type_name(config_setting_type(s)));
    *out = config_setting_get_bool(s);
    return 0;
}

int setting_group(loader *ld, const config_setting_t *s)
{
    if (!config_setting_is_group(s))
        return setting_fail(ld, s, "expected a group { ... }, found %s",
                            setting_type_name(config_setting_type(s)));
    return 0;
}

int setting_member_group(loader *ld, const config_setting_t *parent, const char *name,
                         const char *const *known, size_t n, const config_setting_t **g)
{
    *g = config_setting_get_member(parent, name);
    if (*g == NULL)
        return 0;
    if (setting_group(ld, *g) < 0 || setting_check_members(ld, *g, known, n) < 0)
        return -1;
    return 1;
}
