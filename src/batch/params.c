/*
 * params.c — the accessors of usim/model.h, which usim-batch exports to
 * plugins (--export-dynamic), and the set they read (params.h).
 *
 * All of them are in this one file so that linking one links all: a
 * plugin may use an accessor no built-in model uses.  A lookup is a
 * linear search by name, which is why models look up in setup only.
 */
#define _GNU_SOURCE /* asprintf */
#include "batch/params.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/experiment.h"

void params_init(usim_params *p, const usim_model *m, const double *values,
                 const usim_dist *dists)
{
    p->model = m;
    p->values = values;
    p->dists = dists;
    p->error = NULL;
}

const char *params_error(const usim_params *p)
{
    return p->error;
}

void params_release(usim_params *p)
{
    free(p->error);
    p->error = NULL;
}

static const char *type_name(usim_param_type t)
{
    switch (t) {
    case USIM_PARAM_INT:
        return "an integer";
    case USIM_PARAM_BOOL:
        return "a boolean";
    case USIM_PARAM_CHOICE:
        return "a choice";
    case USIM_PARAM_DIST:
        return "a distribution";
    case USIM_PARAM_REAL:
        break;
    }
    return "a real";
}

/* Keeps the first misuse only: the later ones usually follow from it.
 * The set is const to the model but this field is ours to fill. */
__attribute__((format(printf, 2, 3))) static void misuse(const usim_params *p,
                                                         const char *fmt, ...)
{
    usim_params *w = (usim_params *)p;
    if (w->error != NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&w->error, fmt, ap) < 0)
        w->error = strdup("model asked for a parameter wrongly (and memory ran out)");
    va_end(ap);
}

/* The index of the declared parameter `name` of one of the types
 * accepted (a mask of 1 << type), or -1 after recording the misuse. */
static long find(const usim_params *p, const char *name, unsigned types,
                 const char *accessor)
{
    const usim_model *m = p->model;
    if (name == NULL)
        name = "";
    for (size_t k = 0; k < m->n_params; k++) {
        if (strcmp(m->params[k].name, name) != 0)
            continue;
        if (types & (1u << m->params[k].type))
            return (long)k;
        misuse(p, "model asked for parameter '%s' with %s, but it is %s parameter",
               name, accessor, type_name(m->params[k].type));
        return -1;
    }
    const char **names = malloc((m->n_params ? m->n_params : 1) * sizeof *names);
    const char *best = NULL;
    if (names != NULL) {
        for (size_t k = 0; k < m->n_params; k++)
            names[k] = m->params[k].name;
        best = experiment_suggest(name, names, m->n_params);
    }
    if (best != NULL)
        misuse(p, "model asked for undeclared parameter '%s' (did you mean '%s'?)",
               name, best);
    else
        misuse(p, "model asked for undeclared parameter '%s'", name);
    free(names);
    return -1;
}

double usim_param(const usim_params *p, const char *name)
{
    long k = find(p, name,
                  1u << USIM_PARAM_REAL | 1u << USIM_PARAM_INT | 1u << USIM_PARAM_BOOL,
                  "usim_param");
    return k < 0 ? NAN : p->values[k];
}

int usim_param_choice(const usim_params *p, const char *name)
{
    long k = find(p, name, 1u << USIM_PARAM_CHOICE, "usim_param_choice");
    return k < 0 ? 0 : (int)p->values[k];
}

const char *usim_param_choice_name(const usim_params *p, const char *name)
{
    long k = find(p, name, 1u << USIM_PARAM_CHOICE, "usim_param_choice_name");
    return k < 0 ? "" : p->model->params[k].choices[(size_t)p->values[k]];
}

const usim_dist *usim_param_dist(const usim_params *p, const char *name)
{
    static const usim_dist stand_in = {USIM_DIST_CONSTANT, {NAN, 0, 0}};
    long k = find(p, name, 1u << USIM_PARAM_DIST, "usim_param_dist");
    return k < 0 ? &stand_in : &p->dists[k];
}

const char *params_type_name(usim_param_type t)
{
    switch (t) {
    case USIM_PARAM_INT:
        return "int";
    case USIM_PARAM_BOOL:
        return "bool";
    case USIM_PARAM_CHOICE:
        return "choice";
    case USIM_PARAM_DIST:
        return "dist";
    case USIM_PARAM_REAL:
        break;
    }
    return "real";
}
