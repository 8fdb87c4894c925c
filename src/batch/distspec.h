/*
 * distspec.h — distributions as experiment files and model descriptors
 * write them: the names of usim_dist's kinds and of their parameters, the
 * short form "gamma(2, 0.5)", and the one readable form of a distribution
 * that output files and listings show.
 */
#ifndef USIM_BATCH_DISTSPEC_H
#define USIM_BATCH_DISTSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "usim.h"

/* The most parameters a distribution takes. */
#define DISTSPEC_MAX_PARAMS 3

/* The kinds by name: "constant", "uniform", ... (usim_dist_kind order). */
size_t distspec_count(void);
const char *distspec_name(usim_dist_kind kind);
/* The kind called `name`; false if none is. */
bool distspec_kind(const char *name, usim_dist_kind *kind);
/* Its parameters, in the order usim_dist_init takes them. */
size_t distspec_nparams(usim_dist_kind kind);
const char *distspec_param(usim_dist_kind kind, size_t i);
/* "shape, scale": its parameter names for messages. */
const char *distspec_signature(usim_dist_kind kind);

/*
 * The short form: NAME(x1, x2, ...), blanks allowed around each part.
 * Splits it into name[namelen] and its numbers (at most
 * DISTSPEC_MAX_PARAMS + 1 are kept, *nargs counts them all).  0, or -1
 * with what is wrong in why.
 */
int distspec_split(const char *text, char *name, size_t namelen, double *args,
                   size_t *nargs, char *why, size_t whylen);

/* A distribution of `kind` with args[0..nargs): 0, or -1 with why ("gamma
 * takes 2 parameters (shape, scale), not 1", or usim_dist_init's
 * message). */
int distspec_make(usim_dist *d, usim_dist_kind kind, const double *args, size_t nargs,
                  char *why, size_t whylen);

/* The short form as a whole (a descriptor's default): 0, or -1 with why. */
int distspec_parse(const char *text, usim_dist *d, char *why, size_t whylen);

/* The readable form, "gamma(2, 0.5)": each number the shortest that reads
 * back the same double.  Returns what snprintf returns. */
int distspec_format(const usim_dist *d, char *buf, size_t n);

#endif
