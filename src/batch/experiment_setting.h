/*
 * experiment_setting.h — typed reading of libconfig settings, and the one
 * way the loader reports what is wrong with one.
 *
 * Every error is one line "FILE:LINE: setting 'PATH': message", where
 * FILE:LINE is where the user wrote the setting (through the line map of
 * experiment_text.h) and PATH its dotted path ("kernel.drift",
 * "parameters.rate[2]").  The setting_* functions that can fail write that
 * line into the loader's err and return -1; callers pass -1 on.
 */
#ifndef USIM_BATCH_EXPERIMENT_SETTING_H
#define USIM_BATCH_EXPERIMENT_SETTING_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/experiment.h"
#include "batch/experiment_text.h"

/* An integer literal of the text, without L, that does not fit in 32 bits
 * (libconfig wraps it). */
typedef struct wide_literal {
    const char *p; /* its digits, n of them, in the text (after a sign) */
    int n;
    bool neg;      /* written with a '-' before */
    bool big;      /* beyond 64 bits too: matches whatever was stored */
    int32_t value; /* what libconfig stores for it */
    unsigned line; /* its line of the text */
} wide_literal;

/* The wide literals of the whole text, scanned once when an integer
 * setting is first checked, and looked up by line and value. */
typedef struct wide_index {
    bool scanned;
    wide_literal *lits; /* in text order */
    size_t n, cap;
    size_t *by_value; /* indices into lits, by line, value, then text order */
    size_t *big;      /* indices of the big ones, in text order */
    size_t nbig;
} wide_index;

/* Everything one experiment_load() call works on. */
typedef struct loader {
    experiment *e;
    exp_text text;
    config_t cfg;
    bool parsed; /* cfg holds a tree: config_destroy it */
    char *err;
    size_t errlen;
    bool force; /* experiment_opts.force */
    wide_index wide;
} loader;

/* Frees what the setting_* functions keep in ld (not cfg, not text). */
void setting_done(loader *ld);

/* Parses ld->text with libconfig.  0, or -1 with the error line. */
int setting_parse(loader *ld);

/* After every setting was read: the first wide integer literal of the text
 * that no setting's check named (libconfig tells only a setting's line,
 * and a value may be on a later line than its name), or 0. */
int setting_check_wide(loader *ld);

/* "FILE:LINE: setting 'PATH': message" for setting `s`; returns -1. */
__attribute__((format(printf, 3, 4))) int
setting_fail(loader *ld, const config_setting_t *s, const char *fmt, ...);
/* The same for the missing member `name` of group `at` (NULL: of the
 * root); the line is the group's. */
__attribute__((format(printf, 4, 5))) int
setting_fail_missing(loader *ld, const config_setting_t *at, const char *name,
                     const char *fmt, ...);

/*
 * The choices a name could have been, for setting_fail_unknown.  The hint
 * after the message is " (did you mean QprefixNAMEQ?)" with Q = quote when
 * one choice is close enough to be a typo; otherwise " (LIST a, b, c TAIL)"
 * with the choices (each in quotes if quote_list; "none" if there are
 * none), or nothing if list is NULL.
 */
typedef struct setting_choices {
    const char *const *names;
    size_t n;
    char quote;         /* around a suggestion: '\'' or '"' */
    const char *prefix; /* before a suggestion ("kernel."), or NULL */
    const char *list;   /* "one of ", "its parameters: ", or NULL */
    bool quote_list;
    const char *tail; /* after the listed choices, or NULL */
} setting_choices;

/* Fails on `s`: the message fmt, then the hint for `name` among `ch`. */
__attribute__((format(printf, 5, 6))) int
setting_fail_unknown(loader *ld, const config_setting_t *s, const char *name,
                     const setting_choices *ch, const char *fmt, ...);

/* "a group", "an integer", ... for messages. */
const char *setting_type_name(int type);

/* The dotted path of `s` (malloc'd; "" for the root), or NULL if out of
 * memory. */
char *setting_path(const config_setting_t *s);

/* Every member of group `g` must be named in known[0..n). */
int setting_check_members(loader *ld, const config_setting_t *g,
                          const char *const *known, size_t n);

/* Values.  An integer must fit (libconfig 1.5 wraps unsuffixed literals
 * beyond 32 bits: we read the literal again); an integral float counts as
 * an integer (1e6).  A number is an integer or a finite float. */
int setting_integer(loader *ld, const config_setting_t *s, int64_t *out);
int setting_number(loader *ld, const config_setting_t *s, double *out);
int setting_string(loader *ld, const config_setting_t *s, const char **out);
int setting_bool(loader *ld, const config_setting_t *s, bool *out);
int setting_group(loader *ld, const config_setting_t *s);

/* The optional group `name` of `parent`, whose members must all be known:
 * 1 and *g if it is there, 0 if not, -1 on an error. */
int setting_member_group(loader *ld, const config_setting_t *parent, const char *name,
                         const char *const *known, size_t n,
                         const config_setting_t **g);

#endif
