/*
 * experiment_text.c — assembles the text of an experiment file
 * (experiment_text.h).
 *
 * We expand @include ourselves instead of leaving it to libconfig: libconfig
 * 1.5 resolves every include against one global directory, and its error
 * lines count lines of whichever file it was reading without naming it.
 * Here each include is resolved relative to the file that contains it, and
 * every line of the assembled text keeps its origin, so an error found
 * anywhere later can name FILE:LINE as the user wrote it.
 *
 * What is read is bounded (experiment_text.h): regular files only, 16 MiB
 * each and 16 MiB in all, so that a mistyped include of /dev/zero, a FIFO
 * or a huge file is an error line, not a hang or an exhausted memory.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include "batch/experiment_text.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void text_free(exp_text *t)
{
    free(t->text);
    for (size_t i = 0; i < t->nfiles; i++)
        free(t->files[i]);
    free(t->files);
    free(t->lines);
    memset(t, 0, sizeof *t);
}

/* Appends one line (n bytes, without its '\n') that came from line `line`
 * of file `file`. */
static int text_append(exp_text *t, const char *p, size_t n, size_t file, unsigned line)
{
    if (t->len + n + 2 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (t->len + n + 2 > cap)
            cap *= 2;
        char *s = realloc(t->text, cap);
        if (s == NULL)
            return -1;
        t->text = s;
        t->cap = cap;
    }
    if (t->nlines == t->caplines) {
        size_t cap = t->caplines ? 2 * t->caplines : 256;
        text_origin *l = realloc(t->lines, cap * sizeof *l);
        if (l == NULL)
            return -1;
        t->lines = l;
        t->caplines = cap;
    }
    t->lines[t->nlines++] = (text_origin){file, line, t->len};
    memcpy(t->text + t->len, p, n);
    t->len += n;
    t->text[t->len++] = '\n';
    t->text[t->len] = '\0';
    return 0;
}

char *text_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Why a file of this kind is not read, or NULL for a regular file. */
static const char *not_regular(const struct stat *st)
{
    if (S_ISREG(st->st_mode))
        return NULL;
    if (S_ISDIR(st->st_mode))
        return strerror(EISDIR);
    if (S_ISFIFO(st->st_mode))
        return "a FIFO, not a regular file";
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
        return "a device, not a regular file";
    if (S_ISSOCK(st->st_mode))
        return "a socket, not a regular file";
    return "not a regular file";
}

/* Why a file of `n` bytes is too large to read with `budget` bytes of the
 * total left, or NULL. */
static const char *too_large(size_t n, size_t budget)
{
    if (n > TEXT_MAX_BYTES)
        return "larger than 16 MiB (the limit for an experiment file)";
    if (n > budget)
        return "with the files read before it, more than 16 MiB (the limit for an "
               "experiment file and its includes together)";
    return NULL;
}

/*
 * The contents of the regular file `path`, at most `budget` bytes (and at
 * most TEXT_MAX_BYTES), NUL-terminated; NULL and *why if it cannot be
 * read.  The kind of file is checked before it is opened, so a FIFO is
 * never opened (which would wait for a writer) and a device never read,
 * and again on the open file; O_NONBLOCK covers a FIFO put in its place
 * between the two.  The read stops one byte past the limit, for files that
 * grow or that stat reports as empty (/proc).
 */
static char *read_text_file(const char *path, size_t budget, size_t *len,
                            const char **why)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        *why = strerror(errno);
        return NULL;
    }
    if ((*why = not_regular(&st)) != NULL)
        return NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return NULL;
    }
    char *buf = NULL;
    if (fstat(fd, &st) < 0) {
        *why = strerror(errno);
        goto fail;
    }
    if ((*why = not_regular(&st)) != NULL ||
        (*why = too_large((size_t)st.st_size, budget)) != NULL)
        goto fail;
    size_t limit = budget < TEXT_MAX_BYTES ? budget : TEXT_MAX_BYTES;
    size_t cap = (size_t)st.st_size + 2, n = 0; /* room for one byte more, and NUL */
    if ((buf = malloc(cap)) == NULL)
        goto nomem;
    for (;;) {
        if (n + 1 == cap) {
            if (n > limit)
                break;
            size_t grown = cap * 2 < limit + 2 ? cap * 2 : limit + 2;
            char *b = realloc(buf, grown);
            if (b == NULL)
                goto nomem;
            buf = b;
            cap = grown;
        }
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            *why = strerror(errno);
            goto fail;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if ((*why = too_large(n, budget)) != NULL)
        goto fail;
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;

nomem:
    *why = strerror(ENOMEM);
fail:
    free(buf);
    close(fd);
    return NULL;
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

static int text_expand(exp_text *t, const char *path, int depth, const char *from_file,
                       unsigned from_line, char *err, size_t errlen)
{
    size_t len;
    const char *why;
    char *text = read_text_file(path, TEXT_MAX_BYTES - t->read, &len, &why);
    if (text == NULL) {
        if (from_file)
            snprintf(err, errlen, "%s:%u: cannot read included file \"%s\": %s",
                     from_file, from_line, path, why);
        else
            snprintf(err, errlen, "%s: cannot read experiment file: %s", path, why);
        return -1;
    }
    t->read += len;
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "%s: not a text file (it contains NUL bytes)", path);
        free(text);
        return -1;
    }
    char **files = realloc(t->files, (t->nfiles + 1) * sizeof *files);
    if (files == NULL)
        goto nomem;
    t->files = files;
    size_t fi = t->nfiles;
    if ((t->files[fi] = strdup(path)) == NULL)
        goto nomem;
    t->nfiles++;

    char *dir = text_dir_of(path);
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
            if (depth + 1 >= TEXT_MAX_DEPTH) {
                snprintf(err, errlen,
                         "%s:%u: @include nested more than %d deep (an include cycle?)",
                         path, lineno, TEXT_MAX_DEPTH);
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
            /* The file name stored in t->files may move: pass a copy. */
            char *self = strdup(path);
            r = self ? text_expand(t, inc_path, depth + 1, self, lineno, err, errlen)
                     : -1;
            if (self == NULL)
                snprintf(err, errlen, "out of memory");
            free(self);
            free(inc_path);
            if (r < 0)
                goto fail_dir;
        } else if (text_append(t, p, n, fi, lineno) < 0) {
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

int text_load(exp_text *t, const char *path, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (text_expand(t, path, 0, NULL, 0, err, errlen) < 0)
        return -1;
    /* An empty text is one empty line: libconfig and the line map agree. */
    if (t->nlines == 0 && text_append(t, "", 0, 0, 1) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

bool text_where(const exp_text *t, unsigned line, const char **file, unsigned *fline)
{
    if (line < 1 || line > t->nlines)
        return false;
    *file = t->files[t->lines[line - 1].file];
    *fline = t->lines[line - 1].line;
    return true;
}

const char *text_line(const exp_text *t, unsigned line, const char **end)
{
    assert(line >= 1 && line <= t->nlines);
    const char *p = t->text + t->lines[line - 1].offset;
    *end = strchr(p, '\n');
    return p;
}

/* ------------------------------------------------------------------ */
/* The text as libconfig's scanner reads it                            */
/* ------------------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_punct(char c)
{
    return c == '{' || c == '}' || c == '[' || c == ']' || c == '(' || c == ')' ||
           c == '=' || c == ':' || c == ';' || c == ',';
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A comment starts at p (p < e). */
static bool comment_at(const char *p, const char *e)
{
    return *p == '#' || (*p == '/' && p + 1 < e && (p[1] == '/' || p[1] == '*'));
}

/* Past the spaces and comments at lx->p.  An unclosed block comment runs
 * to the end, as in libconfig. */
static void lex_skip(text_lexer *lx)
{
    const char *p = lx->p, *e = lx->e;
    while (p < e) {
        if (*p == '\n') {
            lx->line++;
            p++;
        } else if (is_space(*p)) {
            p++;
        } else if (*p == '#' || (*p == '/' && p + 1 < e && p[1] == '/')) {
            while (p < e && *p != '\n')
                p++;
        } else if (*p == '/' && p + 1 < e && p[1] == '*') {
            for (p += 2; p < e && !(p[0] == '*' && p + 1 < e && p[1] == '/'); p++)
                if (*p == '\n')
                    lx->line++;
            p = p < e ? p + 2 : e;
        } else {
            break;
        }
    }
    lx->p = p;
}

void text_lex_next(text_lexer *lx, text_token *t)
{
    lex_skip(lx);
    const char *p = lx->p, *e = lx->e;
    t->p = p;
    t->line = lx->line;
    if (p == e) {
        t->kind = LEX_END;
    } else if (*p == '"') {
        for (p++; p < e && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < e)
                p++;
            if (*p == '\n')
                lx->line++;
        }
        t->kind = p < e ? LEX_STRING : LEX_UNCLOSED;
        if (p < e)
            p++;
    } else if (is_punct(*p)) {
        t->kind = LEX_PUNCT;
        p++;
    } else if (is_name_start(*p)) {
        t->kind = LEX_NAME;
        while (p < e && is_name_char(*p))
            p++;
    } else {
        t->kind = LEX_OTHER;
        for (p++;
             p < e && !is_space(*p) && !is_punct(*p) && *p != '"' && !comment_at(p, e);
             p++)
            ;
    }
    t->n = (size_t)(p - t->p);
    lx->p = p;
}

void text_lex_init(text_lexer *lx, const exp_text *t)
{
    lx->p = t->text;
    lx->e = t->text + t->len;
    lx->line = 1;
}

/* The brackets open at the current point of a scan, with the line where
 * each was opened and, for text_scan_names, where its names start. */
typedef struct bracket_stack {
    char *open;
    unsigned *line;
    size_t *first;
    size_t n, cap;
    bool lost; /* out of memory */
} bracket_stack;

static void bracket_push(bracket_stack *b, char c, unsigned line, size_t first)
{
    if (b->lost)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        char *o = realloc(b->open, cap);
        if (o != NULL)
            b->open = o;
        unsigned *l = o ? realloc(b->line, cap * sizeof *l) : NULL;
        if (l != NULL)
            b->line = l;
        size_t *f = l ? realloc(b->first, cap * sizeof *f) : NULL;
        if (f == NULL) {
            b->lost = true;
            return;
        }
        b->first = f;
        b->cap = cap;
    }
    b->open[b->n] = c;
    b->line[b->n] = line;
    b->first[b->n++] = first;
}

/* A closing bracket: it closes the innermost open one if that matches (if
 * it does not, libconfig has failed there).  True if it closed one. */
static bool bracket_pop(bracket_stack *b, char close)
{
    char want = close == '}' ? '{' : close == ']' ? '[' : '(';
    if (b->lost || b->n == 0 || b->open[b->n - 1] != want)
        return false;
    b->n--;
    return true;
}

static void bracket_free(bracket_stack *b)
{
    free(b->open);
    free(b->line);
    free(b->first);
}

void text_scan_end(const exp_text *t, text_end *end)
{
    memset(end, 0, sizeof *end);
    bracket_stack b = {0};
    text_lexer lx;
    text_lex_init(&lx, t);
    for (;;) {
        text_token tok;
        text_lex_next(&lx, &tok);
        if (tok.kind == LEX_END)
            break;
        if (tok.kind == LEX_UNCLOSED) {
            end->string = end->last = tok.line;
            break;
        }
        end->last = lx.line; /* a string ends on this line */
        if (tok.kind != LEX_PUNCT)
            continue;
        char c = tok.p[0];
        if (c == '{' || c == '[' || c == '(')
            bracket_push(&b, c, tok.line, 0);
        else if (c == '}' || c == ']' || c == ')')
            bracket_pop(&b, c);
    }
    if (!b.lost && b.n > 0) {
        end->bracket = b.line[b.n - 1];
        end->open = b.open[b.n - 1];
    }
    bracket_free(&b);
}

/* The names of the settings of the groups open at the current point of
 * text_scan_names, innermost group last. */
typedef struct name_list {
    const char **p;
    size_t *n;
    size_t len, cap;
} name_list;

static int name_add(name_list *l, const char *p, size_t n)
{
    if (l->len == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        const char **np = realloc(l->p, cap * sizeof *np);
        if (np != NULL)
            l->p = np;
        size_t *nn = np ? realloc(l->n, cap * sizeof *nn) : NULL;
        if (nn == NULL)
            return -1;
        l->n = nn;
        l->cap = cap;
    }
    l->p[l->len] = p;
    l->n[l->len++] = n;
    return 0;
}

/* The characters libconfig's name comparison looks at for names a and b
 * (it stops at the first difference, or at the end of both). */
static uint64_t name_compare_cost(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return (uint64_t)i + 1;
}

/*
 * Counts what libconfig will compare, the same comparisons, stopping as
 * soon as the count is over the budget: the scan never does more than the
 * budget allows libconfig, plus one pass over the text.  Names are what
 * comes before a '=' or ':' (in a valid file, exactly the settings' names);
 * in a list or array a name is libconfig's syntax error, so not counted.
 * Past TEXT_MAX_NESTING open brackets libconfig has failed ("memory
 * exhausted"), so nothing after that point is counted either.
 */
int text_scan_names(const exp_text *t, uint64_t budget, text_names *out)
{
    memset(out, 0, sizeof *out);
    bracket_stack b = {0};
    name_list names = {0};
    text_lexer lx;
    text_lex_init(&lx, t);
    int r = 0;
    text_token name = {.kind = LEX_END};
    bracket_push(&b, '{', 0, 0); /* the top level is a group */
    for (;;) {
        text_token tok;
        text_lex_next(&lx, &tok);
        if (tok.kind == LEX_END || tok.kind == LEX_UNCLOSED || b.lost)
            break;
        char c = tok.kind == LEX_PUNCT ? tok.p[0] : '\0';
        bool group = b.open[b.n - 1] == '{';
        if ((c == '=' || c == ':') && name.kind == LEX_NAME && group) {
            size_t first = b.first[b.n - 1];
            for (size_t i = first; i < names.len; i++) {
                out->work += name_compare_cost(names.p[i], names.n[i], name.p, name.n);
                if (out->work > budget) {
                    out->line = name.line;
                    out->group = b.line[b.n - 1];
                    out->index = names.len - first + 1;
                    goto done;
                }
            }
            if (name_add(&names, name.p, name.n) < 0) {
                r = -1;
                goto done;
            }
        }
        name = tok;
        if (c == '{' || c == '[' || c == '(') {
            if (b.n > TEXT_MAX_NESTING)
                break;
            bracket_push(&b, c, tok.line, names.len);
        } else if ((c == '}' || c == ']' || c == ')') && b.n > 1) {
            size_t first = b.first[b.n - 1];
            if (bracket_pop(&b, c))
                names.len = first;
        }
    }
    if (b.lost)
        r = -1;
done:
    bracket_free(&b);
    free(names.p);
    free(names.n);
    return r;
}
