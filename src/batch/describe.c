/*
 * describe.c — --list-models, --dry-run, --validate and --info
 * (describe.h).
 */
#include "batch/describe.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/distspec.h"
#include "batch/params.h"
#include "batch/registry.h"
#include "batch/sha256.h"
#include "config.h"

static void describe_outputs(const char *what, const usim_output_desc *o, size_t n)
{
    printf("  %s:%s\n", what, n ? "" : " none");
    for (size_t i = 0; i < n; i++)
        printf("    %-20s %s%s%s%s\n", o[i].name, o[i].help ? o[i].help : "",
               o[i].unit && *o[i].unit ? " [" : "", o[i].unit ? o[i].unit : "",
               o[i].unit && *o[i].unit ? "]" : "");
}

static void describe_model(const usim_model *m)
{
    printf("%s: %s\n", m->name, m->description ? m->description : "");
    printf("  parameters:%s\n", m->n_params ? "" : " none");
    for (size_t i = 0; i < m->n_params; i++) {
        const usim_param_desc *p = &m->params[i];
        const char *lb = p->unit && *p->unit ? " [" : "",
                   *unit = p->unit ? p->unit : "", *rb = p->unit && *p->unit ? "]" : "",
                   *help = p->help ? p->help : "";
        if (p->type == USIM_PARAM_CHOICE) {
            /* The default is a name, and the range is the names. */
            printf("    %-20s %-6s default \"%s\" one of", p->name, "choice",
                   p->choices[(size_t)p->def]);
            for (size_t k = 0; p->choices[k] != NULL; k++)
                printf("%s \"%s\"", k ? "," : "", p->choices[k]);
            printf("%s%s%s  %s\n", lb, unit, rb, help);
        } else if (p->type == USIM_PARAM_DIST) {
            printf("    %-20s %-6s default \"%s\"%s%s%s  %s\n", p->name, "dist",
                   p->dist_def, lb, unit, rb, help);
        } else {
            printf("    %-20s %-6s default %-8g range [%g, %g]%s%s%s  %s\n", p->name,
                   params_type_name(p->type), p->def, p->min, p->max, lb, unit, rb,
                   help);
        }
    }
    bool dists = false;
    for (size_t i = 0; i < m->n_params; i++)
        dists |= m->params[i].type == USIM_PARAM_DIST;
    if (dists) {
        /* What a dist parameter can be, by name and parameters. */
        printf("  distributions:");
        for (size_t k = 0; k < distspec_count(); k++)
            printf("%s %s(%s)", k ? "," : "", distspec_name((usim_dist_kind)k),
                   distspec_signature((usim_dist_kind)k));
        putchar('\n');
    }
    describe_outputs("scalars", m->scalars, m->n_scalars);
    describe_outputs("traces", m->traces, m->n_traces);
}

int describe_models(const char *plugin)
{
    if (plugin != NULL) {
        registry_model rm;
        char err[512];
        if (registry_find(plugin, NULL, &rm, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", progname, err);
            return EXIT_USAGE;
        }
        describe_model(rm.model);
        registry_release(&rm);
        return EXIT_OK;
    }
    for (size_t i = 0; i < registry_builtin_count(); i++) {
        if (i > 0)
            putchar('\n');
        describe_model(registry_builtin(i));
    }
    return EXIT_OK;
}

/* --dry-run's lines on pilots and precision waves. */
static void describe_statistics(const experiment *e)
{
    if (e->pilots > 0)
        printf("# warm-up: per point, MSER-5 on trace %s of %" PRIu64
               " pilot runs (run %" PRIu64 " on, pilot = yes); the point's runs "
               "start when its pilots are done\n",
               e->traces[e->warmup_trace].name, e->pilots,
               e->npoints * e->replications);
    if (!e->precise)
        return;
    const exp_precision *p = &e->precision;
    printf("# precision: ");
    for (size_t i = 0; i < p->nscalars; i++)
        printf("%s%s", i ? ", " : "", e->model->scalars[p->scalars[i]].name);
    if (isnan(p->half_width))
        printf(" within +-%g%% of the mean", 100 * p->relative);
    else
        printf(" within +-%g", p->half_width);
    printf(" at %g%% confidence; %" PRIu64 " replications per point first, then "
           "waves of more where an interval is too wide, up to %" PRIu64 "\n",
           100 * p->confidence, p->min_replications, p->max_replications);
    printf("# run ids are point * %" PRIu64 " + replication whatever the waves "
           "add; listed: the first wave\n",
           e->replications);
}

void describe_runs(const experiment *e, const uint64_t *runs, size_t n)
{
    printf("# %s: model %s, %" PRIu64 " points x %" PRIu64 " replications = %" PRIu64
           " runs, %zu selected; a run's random numbers depend on %s\n",
           e->path, e->model->name, e->npoints, e->replications, e->nruns, n,
           e->common_random ? "(seed, replication): common random numbers"
                            : "(seed, run)");
    if (e->warmup > 0)
        printf("# warm-up: statistics start at time %.17g (traces keep the start)\n",
               e->warmup);
    describe_statistics(e);
    printf("run\tpoint\treplication\tseed");
    for (size_t k = 0; k < e->nparams; k++)
        printf("\t%s", e->params[k].desc->name);
    if (e->pilots > 0)
        printf("\tpilot");
    putchar('\n');
    double params[e->nparams ? e->nparams : 1];
    for (size_t i = 0; i < n; i++) {
        bool pilot = experiment_is_pilot(e, runs[i]);
        if (e->precise && !pilot &&
            experiment_replication(e, runs[i]) >= e->precision.min_replications)
            continue; /* a later wave's, if it is needed */
        uint64_t point = experiment_point(e, runs[i]);
        experiment_point_params(e, point, params);
        printf("%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64, runs[i], point,
               experiment_replication(e, runs[i]), e->seed);
        for (size_t k = 0; k < e->nparams; k++) {
            char label[512];
            experiment_param_label(e, k, params[k], label, sizeof label);
            printf("\t%s", label);
        }
        if (e->pilots > 0)
            printf("\t%s", pilot ? "yes" : "no");
        putchar('\n');
    }
}

void describe_summary(const experiment *e)
{
    printf("%s: ok: model %s, %" PRIu64 " points x %" PRIu64 " replications = %" PRIu64
           " runs",
           e->path, e->model->name, e->npoints, e->replications, e->nruns);
    for (size_t i = 0; i < e->nloops; i++) {
        printf("%s", i ? " x " : "; sweep ");
        for (size_t j = 0; j < e->loops[i].nmembers; j++)
            printf("%s%s", j ? "+" : "", e->params[e->loops[i].members[j]].desc->name);
        printf(" (%zu)", e->loops[i].n);
    }
    putchar('\n');
}

/* --info: what a script (usim-submit) needs to know, as key=value lines. */
int describe_info(const options *o, const experiment *e, size_t selected)
{
    char *path = options_output_path(o, e);
    char hash[SHA256_HEX_LEN];
    if (path == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return EXIT_IO;
    }
    sha256_hex(e->text, strlen(e->text), hash);
    printf(
        "config=%s\nmodel=%s\nruns=%" PRIu64 "\npoints=%" PRIu64
        "\nreplications=%" PRIu64 "\nselected=%zu\nseed=%" PRIu64
        "\nrandom_numbers=%s\nwarmup=%.17g\noutput=%s\nconfig_sha256=%s\nversion=%s\n",
        e->path, e->model_name, e->nruns, e->npoints, e->replications, selected,
        e->seed, experiment_random_numbers(e), e->warmup, path, hash, PACKAGE_VERSION);
    /* What --shard splits: runs, or points (with every run of each). */
    printf("pilots=%" PRIu64 "\nprecision=%s\nshard_by=%s\nshard_units=%" PRIu64 "\n",
           e->pilots, e->precise ? "yes" : "no",
           experiment_by_point(e) ? "point" : "run",
           experiment_by_point(e) ? e->npoints : e->nruns);
    free(path);
    return EXIT_OK;
}
