/*
 * test_experiment — experiment files as data: run ids, sweep values, the
 * kernel configuration of a run, and one run executed by the runner.
 * (tests/batch/bad_configs.sh checks the error messages.)
 */
#define _GNU_SOURCE /* mkdtemp */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch/distspec.h"
#include "batch/experiment.h"
#include "batch/experiment_text.h"
#include "batch/runner.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/usim-exp.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Writes `text` to DIR/name and loads it; fails the test on an error. */
static experiment *load(const char *name, const char *text)
{
    char path[128], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    experiment *e;
    if (experiment_load(&e, path, NULL, err, sizeof err) < 0)
        fail_msg("%s", err);
    return e;
}

static double param(const experiment *e, uint64_t run, const char *name)
{
    double v[16];
    assert_true(e->nparams <= 16);
    experiment_point_params(e, experiment_point(e, run), v);
    for (size_t k = 0; k < e->nparams; k++)
        if (strcmp(e->params[k].desc->name, name) == 0)
            return v[k];
    fail_msg("no parameter %s", name);
    return NAN;
}

static void test_edit_distance_counts_single_character_edits(void **state)
{
    (void)state;
    assert_int_equal(experiment_edit_distance("nave", "naive"), 1);
    assert_int_equal(experiment_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(experiment_edit_distance("", "abc"), 3);
    assert_int_equal(experiment_edit_distance("drift", "drift"), 0);
}

/*
 * text_scan_names counts the characters libconfig's name comparisons look
 * at: each name against the earlier names of its group, up to the first
 * difference.  Names in comments, strings and lists are none; the names of
 * a closed group are no longer compared.
 */
static void test_name_scan_counts_what_libconfig_compares(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/names.cfg", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* ac: 2 (vs ab); g: 1 + 1; in g, x: 1 (vs ab of g); abd: 3 + 2 + 1;
     * s: 1 + 1 + 1 + 1.  15 in all. */
    fputs("ab = 1; ac = 2; g: { ab = 1; x = (1, 2); }; abd = 3; # zz = 1\n"
          "s = \"q = 1\"; /* t = 1 */\n",
          f);
    fclose(f);
    exp_text t;
    assert_int_equal(text_load(&t, path, err, sizeof err), 0);
    text_names n;
    assert_int_equal(text_scan_names(&t, 15, &n), 0);
    assert_int_equal(n.work, 15);
    assert_int_equal(n.line, 0);
    assert_int_equal(text_scan_names(&t, 14, &n), 0);
    assert_int_equal(n.line, 2); /* s, the 5th setting of the top level */
    assert_int_equal(n.index, 5);
    assert_int_equal(n.group, 0);
    assert_int_equal(text_scan_names(&t, 2, &n), 0);
    assert_int_equal(n.line, 1); /* g */
    assert_int_equal(n.index, 3);
    text_free(&t);
}

/* 2 x 3 points x 2 replications: run = point * 2 + replication, the first
 * listed parameter slowest. */
static void
test_run_ids_nest_loops_in_listing_order_replications_innermost(void **state)
{
    (void)state;
    experiment *e = load("order.cfg", "model = \"mm1\"; replications = 2;\n"
                                      "parameters: { service_rate = [1.0, 2.0];\n"
                                      "  arrival_rate = [0.1, 0.2, 0.3]; };\n");
    assert_int_equal(e->npoints, 6);
    assert_int_equal(e->nruns, 12);
    assert_int_equal(experiment_point(e, 7), 3);
    assert_int_equal(experiment_replication(e, 7), 1);
    /* point 3 = (service_rate index 1, arrival_rate index 0) */
    assert_true(param(e, 7, "service_rate") == 2.0);
    assert_true(param(e, 7, "arrival_rate") == 0.1);
    /* point 5 = (1, 2) */
    assert_true(param(e, 11, "arrival_rate") == 0.3);
    /* untouched parameters keep their defaults */
    assert_true(param(e, 11, "customers") == 0);
    experiment_free(e);
}

/* zip: the group is one loop, placed at its first listed member. */
static void test_zip_group_is_one_loop_at_its_first_listed_member(void **state)
{
    (void)state;
    experiment *e =
        load("zip.cfg", "model = \"mm1\";\n"
                        "parameters: { customers = [10, 20, 30];\n"
                        "  service_rate = [1.0, 2.0];\n"
                        "  arrival_rate = [0.5, 0.6]; };\n"
                        "zip = ( [\"arrival_rate\", \"service_rate\"] );\n");
    assert_int_equal(e->nloops, 2);
    assert_int_equal(e->npoints, 6);
    /* customers slowest, then the pair (service_rate, arrival_rate) */
    assert_true(param(e, 0, "customers") == 10);
    assert_true(param(e, 1, "service_rate") == 2.0);
    assert_true(param(e, 1, "arrival_rate") == 0.6);
    assert_true(param(e, 2, "customers") == 20);
    assert_true(param(e, 2, "arrival_rate") == 0.5);
    experiment_free(e);
}

/* (0.3 - 0.1) / 0.1 is 1.9999999999999998 in doubles: still 3 values, and
 * the last one is 0.3 itself, not 0.1 + 2 * 0.1 = 0.30000000000000004. */
static void test_range_includes_its_end_exactly(void **state)
{
    (void)state;
    experiment *e = load("range.cfg", "model = \"mm1\";\n"
                                      "parameters: { arrival_rate = "
                                      "{ from = 0.1; to = 0.3; step = 0.1; }; };\n");
    assert_int_equal(e->npoints, 3);
    assert_true(param(e, 2, "arrival_rate") == 0.3);
    experiment_free(e);
}

static void test_run_config_carries_kernel_settings_seed_and_run_id(void **state)
{
    (void)state;
    experiment *e =
        load("kernel.cfg",
             "model = \"drift\"; replications = 5;\n"
             "seed = 12345678901L;\n"
             "kernel: { resolution = 0.25; drift = \"tracked\";\n"
             "  order = \"lifo\"; stack_size = 32768; guard_size = 262144; };\n"
             "limits: { events = 1000; wall_seconds = 2.5; };\n");
    usim_config cfg;
    experiment_run_config(e, 3, &cfg);
    assert_true(cfg.resolution == 0.25);
    assert_int_equal(cfg.drift, USIM_DRIFT_TRACKED);
    assert_int_equal(cfg.order, USIM_ORDER_LIFO);
    assert_int_equal(cfg.stack_size, 32768);
    assert_int_equal(cfg.guard_size, 262144);
    assert_int_equal(cfg.seed, 12345678901ull);
    assert_int_equal(cfg.run, 3);
    assert_int_equal(cfg.max_events, 1000);
    assert_true(cfg.max_wall_s == 2.5);
    experiment_free(e);
}

/* Every turn order usim.h has is a kernel.order choice, musim included. */
static void test_kernel_order_musim_is_carried(void **state)
{
    (void)state;
    experiment *e =
        load("musim.cfg", "model = \"mm1\";\n"
                          "kernel: { order = \"musim\"; guard_size = 0; };\n");
    usim_config cfg;
    experiment_run_config(e, 0, &cfg);
    assert_int_equal(cfg.order, USIM_ORDER_MUSIM);
    assert_int_equal(cfg.guard_size, 0);
    experiment_free(e);
}

/* An @include inside an included file resolves next to that file. */
static void test_include_resolves_relative_to_the_including_file(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/sub/a.cfg", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("@include \"b.cfg\"\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sub/b.cfg", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("replications = 7;\n", f);
    fclose(f);
    experiment *e = load("inc.cfg", "model = \"mm1\";\n@include \"sub/a.cfg\"\n");
    assert_int_equal(e->replications, 7);
    /* the stored text is self-contained */
    assert_non_null(strstr(e->text, "replications = 7;"));
    assert_null(strstr(e->text, "@include"));
    experiment_free(e);
}

/* src/README.md (Time): three sleeps of 1.5 at resolution 0.2 end at 4.8 under naive
 * (0.1 drift each); the runner collects scalars, drift and traces. */
static void test_runner_collects_a_runs_scalars_drift_and_traces(void **state)
{
    (void)state;
    experiment *e =
        load("run.cfg", "model = \"drift\";\n"
                        "kernel: { resolution = 0.2; drift = \"naive\"; };\n"
                        "parameters: { tasks = 1; count = 3; };\n"
                        "traces: { wake = { mode = \"change\"; }; };\n");
    run_result *r = runner_run_one(e, 0);
    assert_non_null(r);
    assert_int_equal(r->status, RUN_OK);
    assert_null(r->message);
    assert_true(fabs(r->end_time - 4.8) < 1e-12);
    assert_int_equal(r->nscalars, 3); /* final_drift, max_abs_drift, end_time */
    assert_true(fabs(r->scalars[0] - 0.3) < 1e-12);
    assert_int_equal(r->ndrift, 1);
    assert_string_equal(r->drift[0].task, "sleeper");
    assert_int_equal(r->drift[0].st.waits, 3);
    assert_int_equal(r->ntraces, 1);
    assert_int_equal(r->traces[0].n, 3);
    assert_true(fabs(r->traces[0].t[2] - 4.8) < 1e-12);
    assert_true(fabs(r->traces[0].v[2] - 0.3) < 1e-12);
    run_result_free(r);
    experiment_free(e);
}

/* A failing run is a result with a status and a message, not an error. */
static void test_runner_records_a_failed_run_with_its_message(void **state)
{
    (void)state;
    experiment *e =
        load("fail.cfg", "model = \"fail\"; replications = 3;\n"
                         "parameters: { fail_run = 2; how = 1; steps = 1; };\n");
    run_result *ok = runner_run_one(e, 1), *bad = runner_run_one(e, 2);
    assert_int_equal(ok->status, RUN_OK);
    assert_true(ok->scalars[0] == 1); /* the scalar `run_id` */
    assert_int_equal(bad->status, RUN_FAILED);
    assert_non_null(strstr(bad->message, "run 2 fails on purpose"));
    assert_true(bad->scalars[0] == 2);
    run_result_free(ok);
    run_result_free(bad);
    experiment_free(e);
}

/* The index of parameter `name` of e. */
static size_t param_index(const experiment *e, const char *name)
{
    for (size_t k = 0; k < e->nparams; k++)
        if (strcmp(e->params[k].desc->name, name) == 0)
            return k;
    fail_msg("no parameter %s", name);
    return 0;
}

/* A choice's value is the index of its name in the descriptor's choices
 * (mg1: fifo 0, lifo 1); a distribution's is the index of its
 * usim_dist, whose kind and parameters are what the file wrote in either
 * form.  Unset, both are the descriptor's defaults. */
static void test_choices_and_distributions_load_as_written(void **state)
{
    (void)state;
    experiment *e =
        load("dist.cfg",
             "model = \"mg1\";\n"
             "parameters: {\n"
             "  discipline = [\"lifo\", \"fifo\"];\n"
             "  service = (\"gamma(2, 0.5)\",\n"
             "             { dist = \"triangular\"; hi = 3; lo = 1; mode = 2; });\n"
             "};\n");
    assert_int_equal(e->nruns, 4);
    size_t ks = param_index(e, "service"), kd = param_index(e, "discipline");
    /* discipline is listed first: it varies slowest. */
    assert_true(param(e, 0, "discipline") == 1);
    assert_true(param(e, 2, "discipline") == 0);
    assert_true(param(e, 0, "service") == 0);
    assert_true(param(e, 1, "service") == 1);
    const usim_dist *g = &e->params[ks].dists[0], *t = &e->params[ks].dists[1];
    assert_int_equal(g->kind, USIM_DIST_GAMMA);
    assert_true(g->p[0] == 2 && g->p[1] == 0.5);
    /* The long form by name, in any order: usim_dist_init's order. */
    assert_int_equal(t->kind, USIM_DIST_TRIANGULAR);
    assert_true(t->p[0] == 1 && t->p[1] == 2 && t->p[2] == 3);
    char buf[64];
    experiment_param_label(e, ks, 1, buf, sizeof buf);
    assert_string_equal(buf, "triangular(1, 2, 3)");
    experiment_param_label(e, kd, 1, buf, sizeof buf);
    assert_string_equal(buf, "lifo");
    char *labels = experiment_param_labels(e, ks);
    assert_string_equal(labels, "gamma(2, 0.5)\ntriangular(1, 2, 3)");
    free(labels);
    labels = experiment_param_labels(e, param_index(e, "arrival_rate"));
    assert_string_equal(labels, "");
    free(labels);
    /* The distributions of run 3's point: triangular. */
    usim_dist d[8];
    double v[8];
    experiment_point_params(e, experiment_point(e, 3), v);
    experiment_point_dists(e, v, d);
    assert_int_equal(d[ks].kind, USIM_DIST_TRIANGULAR);
    experiment_free(e);

    e = load("defaults.cfg", "model = \"mg1\";\n");
    ks = param_index(e, "service");
    assert_true(param(e, 0, "discipline") == 0); /* fifo */
    assert_int_equal(e->params[ks].dists[0].kind, USIM_DIST_EXPONENTIAL);
    assert_true(e->params[ks].dists[0].p[0] == 1);
    experiment_free(e);
}

/* The short form: blanks anywhere between the parts, any count of
 * numbers (checked later), and nothing after the ')'. */
static void test_distribution_short_form_splits_name_and_numbers(void **state)
{
    (void)state;
    char name[32], why[256];
    double a[DISTSPEC_MAX_PARAMS + 1];
    size_t n;
    assert_int_equal(distspec_split(" uniform ( -1 ,2.5e1 ) ", name, sizeof name, a, &n,
                                    why, sizeof why),
                     0);
    assert_string_equal(name, "uniform");
    assert_int_equal(n, 2);
    assert_true(a[0] == -1 && a[1] == 25);
    assert_int_equal(
        distspec_split("normal()", name, sizeof name, a, &n, why, sizeof why), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        distspec_split("normal(0, 1) x", name, sizeof name, a, &n, why, sizeof why),
        -1);
    assert_string_equal(why, "\"normal(0, 1) x\": unexpected \"x\" after the ')'");
    assert_int_equal(
        distspec_split("normal", name, sizeof name, a, &n, why, sizeof why), -1);
    usim_dist d;
    assert_int_equal(distspec_parse("normal(0)", &d, why, sizeof why), -1);
    assert_string_equal(why, "normal takes 2 parameters (mu, sigma), not 1");
    /* The readable form is the shortest that reads back the same double. */
    assert_int_equal(
        distspec_parse("uniform(0.1, 0.30000000000000004)", &d, why, sizeof why), 0);
    distspec_format(&d, why, sizeof why);
    assert_string_equal(why, "uniform(0.1, 0.30000000000000004)");
    assert_int_equal(distspec_parse("exponential(2.50)", &d, why, sizeof why), 0);
    distspec_format(&d, why, sizeof why);
    assert_string_equal(why, "exponential(2.5)");
}

/* The runner hands setup the values by name: mg1 with constant(1)
 * service and customers = 3 serves exactly three customers, each for 1,
 * so its utilization is 3 / (the end time). */
static void test_runner_gives_setup_the_distribution(void **state)
{
    (void)state;
    experiment *e = load("mg1run.cfg", "model = \"mg1\"; seed = 5;\n"
                                       "parameters: { customers = 3; service = "
                                       "\"constant(1)\"; };\n");
    run_result *r = runner_run_one(e, 0);
    assert_non_null(r);
    assert_int_equal(r->status, RUN_OK);
    /* mean_wait, mean_system_time, customers_served, utilization */
    assert_true(r->scalars[2] == 3);
    assert_true(fabs(r->scalars[1] - r->scalars[0] - 1) < 1e-9);
    assert_true(fabs(r->scalars[3] - 3 / r->end_time) < 1e-9);
    run_result_free(r);
    experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit_distance_counts_single_character_edits),
        cmocka_unit_test(test_name_scan_counts_what_libconfig_compares),
        cmocka_unit_test(
            test_run_ids_nest_loops_in_listing_order_replications_innermost),
        cmocka_unit_test(test_zip_group_is_one_loop_at_its_first_listed_member),
        cmocka_unit_test(test_range_includes_its_end_exactly),
        cmocka_unit_test(test_run_config_carries_kernel_settings_seed_and_run_id),
        cmocka_unit_test(test_kernel_order_musim_is_carried),
        cmocka_unit_test(test_include_resolves_relative_to_the_including_file),
        cmocka_unit_test(test_runner_collects_a_runs_scalars_drift_and_traces),
        cmocka_unit_test(test_runner_records_a_failed_run_with_its_message),
        cmocka_unit_test(test_choices_and_distributions_load_as_written),
        cmocka_unit_test(test_distribution_short_form_splits_name_and_numbers),
        cmocka_unit_test(test_runner_gives_setup_the_distribution),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
