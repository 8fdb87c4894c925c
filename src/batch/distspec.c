/*
 * distspec.c — the names, short form and readable form of distributions
 * (distspec.h).
 *
 * The table follows usim_dist_kind and usim_dist_init's parameter order;
 * validity of the values is usim_dist_init's to judge, so its messages
 * ("exponential: mean -1 must be > 0") are the ones users see.
 */
#include "batch/distspec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dist_kind_info {
    const char *name;
    size_t n;
    const char *params[DISTSPEC_MAX_PARAMS];
    const char *signature;
} dist_kind_info;

static const dist_kind_info kinds[] = {
    [USIM_DIST_CONSTANT] = {"constant", 1, {"value"}, "value"},
    [USIM_DIST_UNIFORM] = {"uniform", 2, {"a", "b"}, "a, b"},
    [USIM_DIST_EXPONENTIAL] = {"exponential", 1, {"mean"}, "mean"},
    [USIM_DIST_NORMAL] = {"normal", 2, {"mu", "sigma"}, "mu, sigma"},
    [USIM_DIST_LOGNORMAL] = {"lognormal", 2, {"mu", "sigma"}, "mu, sigma"},
    [USIM_DIST_GAMMA] = {"gamma", 2, {"shape", "scale"}, "shape, scale"},
    [USIM_DIST_WEIBULL] = {"weibull", 2, {"shape", "scale"}, "shape, scale"},
    [USIM_DIST_TRIANGULAR] = {"triangular", 3, {"lo", "mode", "hi"}, "lo, mode, hi"},
};

size_t distspec_count(void)
{
    return sizeof kinds / sizeof *kinds;
}

const char *distspec_name(usim_dist_kind kind)
{
    return kinds[kind].name;
}

bool distspec_kind(const char *name, usim_dist_kind *kind)
{
    for (size_t k = 0; k < distspec_count(); k++)
        if (strcmp(kinds[k].name, name) == 0) {
            *kind = (usim_dist_kind)k;
            return true;
        }
    return false;
}

size_t distspec_nparams(usim_dist_kind kind)
{
    return kinds[kind].n;
}

const char *distspec_param(usim_dist_kind kind, size_t i)
{
    return kinds[kind].params[i];
}

const char *distspec_signature(usim_dist_kind kind)
{
    return kinds[kind].signature;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int distspec_split(const char *text, char *name, size_t namelen, double *args,
                   size_t *nargs, char *why, size_t whylen)
{
    const char *p = skip_blanks(text), *start = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t len = (size_t)(p - start);
    if (len == 0) {
        snprintf(why, whylen, "\"%s\" is not a distribution: write NAME(x, ...)", text);
        return -1;
    }
    snprintf(name, namelen, "%.*s", (int)len, start);
    p = skip_blanks(p);
    if (*p != '(') {
        snprintf(why, whylen,
                 "\"%s\": a distribution is written NAME(x, ...), with its "
                 "parameters in parentheses",
                 text);
        return -1;
    }
    p = skip_blanks(p + 1);
    *nargs = 0;
    if (*p == ')') {
        p++;
    } else {
        for (;;) {
            char *end;
            errno = 0;
            double v = strtod(p, &end);
            if (end == p || errno == ERANGE) {
                snprintf(why, whylen, "\"%s\": expected a number at \"%s\"", text, p);
                return -1;
            }
            if (*nargs <= DISTSPEC_MAX_PARAMS)
                args[*nargs] = v;
            (*nargs)++;
            p = skip_blanks(end);
            if (*p == ')') {
                p++;
                break;
            }
            if (*p != ',') {
                snprintf(why, whylen, "\"%s\": expected ',' or ')' at \"%s\"", text, p);
                return -1;
            }
            p = skip_blanks(p + 1);
        }
    }
    p = skip_blanks(p);
    if (*p != '\0') {
        snprintf(why, whylen, "\"%s\": unexpected \"%s\" after the ')'", text, p);
        return -1;
    }
    return 0;
}

int distspec_make(usim_dist *d, usim_dist_kind kind, const double *args, size_t nargs,
                  char *why, size_t whylen)
{
    const dist_kind_info *k = &kinds[kind];
    if (nargs != k->n) {
        snprintf(why, whylen, "%s takes %zu parameter%s (%s), not %zu", k->name, k->n,
                 k->n == 1 ? "" : "s", k->signature, nargs);
        return -1;
    }
    if (usim_dist_init(d, kind, args) != 0) {
        snprintf(why, whylen, "%s", usim_errmsg());
        return -1;
    }
    return 0;
}

int distspec_parse(const char *text, usim_dist *d, char *why, size_t whylen)
{
    char name[64];
    double args[DISTSPEC_MAX_PARAMS + 1];
    size_t nargs;
    usim_dist_kind kind;
    if (distspec_split(text, name, sizeof name, args, &nargs, why, whylen) < 0)
        return -1;
    if (!distspec_kind(name, &kind)) {
        snprintf(why, whylen, "unknown distribution \"%s\"", name);
        return -1;
    }
    return distspec_make(d, kind, args, nargs, why, whylen);
}

/* The shortest %g form that reads back as v. */
static void shortest(double v, char *buf, size_t n)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

int distspec_format(const usim_dist *d, char *buf, size_t n)
{
    const dist_kind_info *k = &kinds[d->kind];
    char num[DISTSPEC_MAX_PARAMS][32];
    for (size_t i = 0; i < k->n; i++)
        shortest(d->p[i], num[i], sizeof num[i]);
    switch (k->n) {
    case 1:
        return snprintf(buf, n, "%s(%s)", k->name, num[0]);
    case 2:
        return snprintf(buf, n, "%s(%s, %s)", k->name, num[0], num[1]);
    default:
        return snprintf(buf, n, "%s(%s, %s, %s)", k->name, num[0], num[1], num[2]);
    }
}
