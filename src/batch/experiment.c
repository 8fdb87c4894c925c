/*
 * experiment.c — loads an experiment file and validates it completely
 * before anything runs or any output is touched (experiment.h).
 *
 * The loader is four steps, one file each:
 *   experiment_text.c     the file's text, @include expanded, and the map
 *                         from each line back to FILE:LINE;
 *   experiment_setting.c  libconfig's parse of that text, typed values and
 *                         the error lines (with "did you mean");
 *   experiment_schema.c   what every setting means and how it is checked;
 *   experiment_sweep.c    parameters and zip groups into sweep points, and
 *                         run ids.
 * This file runs them in order and owns the experiment's memory.
 */
#define _GNU_SOURCE /* strdup */
#include "batch/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/experiment_schema.h"
#include "batch/experiment_setting.h"
#include "batch/experiment_text.h"

/*
 * The error line is one line: names and strings from the file may hold
 * newlines and other control characters ("a\nb", or a string running over
 * several lines), which are written as \n, \r or \xNN.  Tabs stay.
 */
static void escape_controls(char *err, size_t errlen)
{
    char *raw = strdup(err);
    if (raw == NULL) {
        snprintf(err, errlen, "out of memory");
        return;
    }
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
        char esc[5] = {(char)*p, '\0'};
        if (*p == '\n')
            strcpy(esc, "\\n");
        else if (*p == '\r')
            strcpy(esc, "\\r");
        else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", *p);
        size_t k = strlen(esc);
        if (n + k + 1 > errlen)
            break;
        memcpy(err + n, esc, k);
        n += k;
    }
    err[n] = '\0';
    free(raw);
}

/* The defaults of every optional setting. */
static int experiment_init(experiment *e, const char *path)
{
    usim_config_init(&e->kernel);
    e->until = INFINITY;
    e->replications = 1;
    e->compression = 4;
    e->path = strdup(path);
    e->dir = text_dir_of(path);
    e->description = strdup("");
    return e->path && e->dir && e->description ? 0 : -1;
}

int experiment_load(experiment **out, const char *path, const experiment_opts *opts,
                    char *err, size_t errlen)
{
    *out = NULL;
    experiment *e = calloc(1, sizeof *e);
    loader ld = {.e = e, .err = err, .errlen = errlen, .force = opts && opts->force};
    if (e == NULL || experiment_init(e, path) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (text_load(&ld.text, path, err, errlen) < 0)
        goto fail;
    if ((e->text = strdup(ld.text.text)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (setting_parse(&ld) < 0 || schema_load(&ld) < 0 || setting_check_wide(&ld) < 0)
        goto fail;
    config_destroy(&ld.cfg);
    setting_done(&ld);
    text_free(&ld.text);
    *out = e;
    return 0;

fail:
    if (errlen > 0)
        escape_controls(err, errlen);
    if (ld.parsed)
        config_destroy(&ld.cfg);
    setting_done(&ld);
    text_free(&ld.text);
    experiment_free(e);
    return -1;
}

void experiment_free(experiment *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->nparams; i++) {
        free(e->params[i].values);
        free(e->params[i].dists);
    }
    free(e->params);
    for (size_t i = 0; i < e->nloops; i++)
        free(e->loops[i].members);
    free(e->loops);
    free(e->traces);
    free(e->precision.scalars);
    registry_release(&e->reg);
    free(e->model_name);
    free(e->description);
    free(e->output);
    free(e->text);
    free(e->dir);
    free(e->path);
    free(e);
}
