/*
 * params.h — the parameter set a model's setup reads by name (usim_params
 * of usim/model.h): one run's values, and what the model asked for that
 * its descriptor does not declare.
 */
#ifndef USIM_BATCH_PARAMS_H
#define USIM_BATCH_PARAMS_H

#include "usim/model.h"

struct usim_params {
    const usim_model *model;
    /* Descriptor order.  REAL, INT, BOOL: the value; CHOICE: the index
     * into the descriptor's choices; DIST: unused. */
    const double *values;
    const usim_dist *dists; /* descriptor order; DIST parameters only */
    char *error;            /* the first misuse (malloc'd), or NULL */
};

/* A set over values[] and dists[] (both m->n_params long), which it does
 * not copy: they must outlive it. */
void params_init(usim_params *p, const usim_model *m, const double *values,
                 const usim_dist *dists);
/* What the model asked for wrongly, or NULL if nothing. */
const char *params_error(const usim_params *p);
void params_release(usim_params *p);

/* A parameter type as --list-models and the output's parameter_types
 * name it: "real", "int", "bool", "choice", "dist". */
const char *params_type_name(usim_param_type t);

#endif
