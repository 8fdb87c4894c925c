/*
 * experiment_text.h — the text of an experiment file as libconfig parses
 * it: the file with its @include lines expanded, and a map from every line
 * of that text back to the file and line the user wrote, so that errors
 * name the place in the user's own files.
 *
 * Only regular files are read (never a directory, FIFO or device), each at
 * most TEXT_MAX_BYTES, and at most TEXT_MAX_BYTES in all (an @include
 * counts each time it is expanded), so that no experiment file can block
 * the loader or make it eat memory.
 */
#ifndef USIM_BATCH_EXPERIMENT_TEXT_H
#define USIM_BATCH_EXPERIMENT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest file, and the most text in all, that the loader reads
 * (the messages and man/usim-batch.1 say 16 MiB). */
#define TEXT_MAX_BYTES ((size_t)16 << 20)
/* How deep @include may nest (an include cycle stops here). */
#define TEXT_MAX_DEPTH 10

/* Where a line of the expanded text comes from. */
typedef struct text_origin {
    size_t file;   /* index into exp_text.files */
    unsigned line; /* 1-based line in that file */
    size_t offset; /* where the line starts in exp_text.text */
} text_origin;

typedef struct exp_text {
    char *text; /* every line ends in '\n'; at least one line */
    size_t len, cap;
    char **files; /* each file read, as its @include named it */
    size_t nfiles;
    text_origin *lines; /* lines[i]: origin of line i + 1 */
    size_t nlines, caplines;
    size_t read; /* bytes read so far, every expansion of an include counted */
} exp_text;

/*
 * Reads `path` and expands its @include lines, each resolved relative to
 * the directory of the file that contains it.  0, or -1 with one error line
 * in err ("FILE:LINE: ..." at the @include that failed).  Either way
 * text_free() releases t.
 */
int text_load(exp_text *t, const char *path, char *err, size_t errlen);
void text_free(exp_text *t);

/* The file and line of line `line` (1-based) of the text; false (and
 * nothing set) if the text has no such line. */
bool text_where(const exp_text *t, unsigned line, const char **file, unsigned *fline);

/* The start of line `line` (1-based, must exist); *end is its '\n'. */
const char *text_line(const exp_text *t, unsigned line, const char **end);

/* The directory of `path` (malloc'd): "." if it has no '/'. */
char *text_dir_of(const char *path);

/*
 * What is still open at the end of the text, read as libconfig's scanner
 * reads it: comments (#, // and block comments), strings (with backslash
 * escapes; they may span lines) and brackets {} [] ().  Lines are lines of
 * the text (text_where gives FILE:LINE), 0 for none.
 */
typedef struct text_end {
    unsigned string;  /* a string that is never closed starts on this line */
    unsigned bracket; /* the innermost bracket never closed is on this line */
    char open;        /* that bracket: '{', '[' or '(' */
    unsigned last;    /* the last line with a token (for an unclosed
                         string: the line where it starts) */
} text_end;
void text_scan_end(const exp_text *t, text_end *end);

/*
 * The text as libconfig's scanner reads it, as far as our scans need:
 * spaces and comments (#, // and block comments; an unclosed block comment
 * runs to the end) are skipped; a token is a string (with backslash
 * escapes; it may span lines), a name, one punctuation character, or a run
 * of anything else up to the next of those, a space or a comment (a
 * number such as -5000000000 or 1e6, true, @include).
 */
typedef enum text_lex_kind {
    LEX_END,      /* the end of the text */
    LEX_STRING,   /* "...", closed */
    LEX_UNCLOSED, /* a string still open at the end of the text */
    LEX_NAME,     /* [A-Za-z*][-A-Za-z0-9_*]*: a setting's name (or true) */
    LEX_PUNCT,    /* one of { } [ ] ( ) = : ; , */
    LEX_OTHER,
} text_lex_kind;

typedef struct text_lexer {
    const char *p, *e;
    unsigned line; /* the line of p */
} text_lexer;

typedef struct text_token {
    text_lex_kind kind;
    const char *p; /* its text, n bytes */
    size_t n;
    unsigned line; /* where it starts (the lexer's line: where it ends) */
} text_token;

void text_lex_init(text_lexer *lx, const exp_text *t);
void text_lex_next(text_lexer *lx, text_token *tok);

/*
 * libconfig 1.5 compares the name of each new setting with the names of
 * all the settings before it in its group (to refuse a duplicate), so a
 * group of n settings costs it n^2/2 name comparisons: a 16 MiB file of
 * "aN = 1;" lines would take hours.  text_scan_names counts, before
 * libconfig runs, the characters those comparisons will look at, and
 * stops at the setting that takes the count over `budget`.  The loader's
 * budget is TEXT_MAX_NAME_WORK: about 3,800 settings with short names in
 * one group, far more than any model has parameters, and a tenth of a
 * second for libconfig.
 */
#define TEXT_MAX_NAME_WORK ((uint64_t)1 << 24)
/* libconfig's parser fails ("memory exhausted") before this many brackets
 * are open (it fails at about 3,300 nested lists, 2,000 nested groups). */
#define TEXT_MAX_NESTING 10000

typedef struct text_names {
    uint64_t work;  /* characters compared, up to the budget and just past */
    unsigned line;  /* the setting that went over the budget, 0: none did */
    unsigned group; /* the line where its group opens, 0: the top level */
    size_t index;   /* its place in its group, from 1 */
} text_names;
/* 0, or -1 if out of memory. */
int text_scan_names(const exp_text *t, uint64_t budget, text_names *out);

#endif
