/*
 * test_h5out.c — the HDF5 output (src/batch/h5out.c) driven with
 * synthetic run results: layout, canonical order, journal recovery,
 * resume, and refusal to overwrite.  Crash tests with real SIGKILLs are in
 * tests/batch/crash.sh.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <hdf5.h>

#include "batch/h5in.h"
#include "batch/h5out.h"
#include "batch/journal.h"
#include "h5compare.h"

#define NRUNS 12

/* Fails with the error message of a call that reports into `err`. */
#define OK(call)                                                                       \
    do {                                                                               \
        err[0] = '\0';                                                                 \
        if ((call) != 0)                                                               \
            fail_msg("%s: %s", #call, err);                                            \
    } while (0)

#define REPS 3

static const char *const param_names[] = {"arrival_rate", "service_rate"};
static const char *const param_types[] = {"real", "real"};
static const char *const scalar_names[] = {"mean_wait", "served", "utilisation"};
static const char *const trace_names[] = {"queue_length", "busy"};

static h5out_spec test_spec(const char *config)
{
    return (h5out_spec){.config = config,
                        .model = "fake",
                        .description = "synthetic results",
                        .seed = 42,
                        .nruns = NRUNS,
                        .npoints = NRUNS / REPS,
                        .replications = REPS,
                        .nparams = 2,
                        .params = param_names,
                        .param_types = param_types,
                        .nscalars = 3,
                        .scalars = scalar_names,
                        .ntraces = 2,
                        .traces = trace_names,
                        .compression = 4};
}

/* A result whose every field is a function of the run id: run r has
 * r % 3 drift groups, traces of 5r % 7 and r % 4 points, and a drift
 * histogram that is empty (r % 4 == 0), or counts in bins r % 7 and
 * r % 7 + 2, and in the last bin too when r % 4 == 3. */
static run_result *fake_result(uint64_t run)
{
    run_result *r = calloc(1, sizeof *r);
    r->run = run;
    r->point = run / REPS;
    r->replication = run % REPS;
    r->status = run == 5 ? RUN_FAILED : RUN_OK;
    if (run == 5)
        r->message = strdup("usim_fail: customer 17 waited forever");
    r->end_time = 100.0 + (double)run;
    r->events = 1000 * run + 7;
    r->wall_s = 0.001 * (double)run;
    r->nparams = 2;
    r->params = malloc(2 * sizeof(double));
    r->params[0] = 0.5 + 0.1 * (double)r->point;
    r->params[1] = 1.0;
    r->nscalars = 3;
    r->scalars = malloc(3 * sizeof(double));
    r->scalars[0] = 1.0 / (double)(run + 1);
    r->scalars[1] = (double)(run * 10);
    r->scalars[2] = run == 3 ? NAN : 0.25;
    r->ndrift = run % 3;
    r->drift = calloc(r->ndrift + 1, sizeof *r->drift);
    for (size_t i = 0; i < r->ndrift; i++) {
        char name[32];
        snprintf(name, sizeof name, "task%zu", i);
        r->drift[i].task = strdup(name);
        r->drift[i].st = (usim_drift_stats){.waits = run + i,
                                            .requested = 2.0 * (double)run,
                                            .actual = 2.0 * (double)run + 1e-9,
                                            .mean_abs = 1e-10,
                                            .max_abs = 1e-9 * (double)i,
                                            .final = 1e-9,
                                            .overruns = i};
    }
    if (run % 4) {
        r->drift_hist[run % 7] = run;
        r->drift_hist[run % 7 + 2] = 1;
    }
    if (run % 4 == 3)
        r->drift_hist[USIM_DRIFT_BINS - 1] = 2;
    r->ntraces = 2;
    r->traces = calloc(2, sizeof *r->traces);
    size_t lens[2] = {(5 * run) % 7, run % 4};
    for (size_t k = 0; k < 2; k++) {
        run_trace *tr = &r->traces[k];
        tr->n = lens[k];
        tr->t = malloc((tr->n + 1) * sizeof(double));
        tr->v = malloc((tr->n + 1) * sizeof(double));
        for (size_t i = 0; i < tr->n; i++) {
            tr->t[i] = (double)i * 0.5;
            tr->v[i] = (double)(run * 100 + k * 10 + i);
        }
    }
    return r;
}

static void assert_same_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        assert_true(isnan(a) && isnan(b));
    else
        assert_true(a == b);
}

static void assert_same_result(const run_result *a, const run_result *b)
{
    assert_int_equal(a->run, b->run);
    assert_int_equal(a->point, b->point);
    assert_int_equal(a->replication, b->replication);
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->message ? a->message : "", b->message ? b->message : "");
    assert_same_double(a->end_time, b->end_time);
    assert_int_equal(a->events, b->events);
    assert_int_equal(a->nparams, b->nparams);
    for (size_t i = 0; i < a->nparams; i++)
        assert_same_double(a->params[i], b->params[i]);
    assert_int_equal(a->nscalars, b->nscalars);
    for (size_t i = 0; i < a->nscalars; i++)
        assert_same_double(a->scalars[i], b->scalars[i]);
    assert_int_equal(a->ndrift, b->ndrift);
    for (size_t i = 0; i < a->ndrift; i++) {
        assert_string_equal(a->drift[i].task, b->drift[i].task);
        assert_int_equal(a->drift[i].st.waits, b->drift[i].st.waits);
        assert_same_double(a->drift[i].st.requested, b->drift[i].st.requested);
        assert_same_double(a->drift[i].st.actual, b->drift[i].st.actual);
        assert_same_double(a->drift[i].st.mean_abs, b->drift[i].st.mean_abs);
        assert_same_double(a->drift[i].st.max_abs, b->drift[i].st.max_abs);
        assert_same_double(a->drift[i].st.final, b->drift[i].st.final);
        assert_int_equal(a->drift[i].st.overruns, b->drift[i].st.overruns);
    }
    for (size_t k = 0; k < USIM_DRIFT_BINS; k++)
        assert_int_equal(a->drift_hist[k], b->drift_hist[k]);
    assert_int_equal(a->ntraces, b->ntraces);
    for (size_t k = 0; k < a->ntraces; k++) {
        assert_int_equal(a->traces[k].n, b->traces[k].n);
        for (size_t i = 0; i < a->traces[k].n; i++) {
            assert_same_double(a->traces[k].t[i], b->traces[k].t[i]);
            assert_same_double(a->traces[k].v[i], b->traces[k].v[i]);
        }
    }
}

/* A scratch directory per test; paths inside it. */
typedef struct fixture {
    char dir[64];
    char path[128], path2[128], journal[160];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    strcpy(fx->dir, "/tmp/test_h5out.XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/out.h5", fx->dir);
    snprintf(fx->path2, sizeof fx->path2, "%s/ref.h5", fx->dir);
    snprintf(fx->journal, sizeof fx->journal, "%s.journal", fx->path);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

/* A new output file for spec s at path; the test fails if it cannot be made. */
static h5out *create(const h5out_spec *s, const char *path)
{
    h5out *o;
    char err[512];
    OK(h5out_create(&o, s, path, false, err, sizeof err));
    return o;
}

static void finish(h5out *o)
{
    if (h5out_finish(o) != 0)
        fail_msg("h5out_finish: %s", h5out_errmsg(o));
}

static void write_runs(h5out *o, const uint64_t *order, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        run_result *r = fake_result(order[i]);
        int rc = h5out_write_run(o, r);
        if (rc)
            fail_msg("%s", h5out_errmsg(o));
        run_result_free(r);
    }
}

/* An uninterrupted experiment, runs in order, finished: the reference. */
static void write_reference(const char *path, const h5out_spec *s)
{
    h5out *o = create(s, path);
    uint64_t order[NRUNS];
    for (uint64_t i = 0; i < NRUNS; i++)
        order[i] = i;
    write_runs(o, order, NRUNS);
    finish(o);
    h5out_close(o);
}

static void assert_files_equal(const char *a, const char *b)
{
    char why[512];
    int rc = h5compare_files(a, b, why, sizeof why);
    if (rc)
        fail_msg("%s vs %s: %s", a, b, why);
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void test_finished_file_reads_back_every_field(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("model = \"fake\";");
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t order[] = {7, 0, 11, 3, 5, 1};
    write_runs(o, order, 6);
    finish(o);
    h5out_close(o);
    assert_false(exists(fx->journal));

    h5in *in;
    OK(h5in_open(&in, fx->path, err, sizeof err));
    assert_int_equal(h5in_spec(in)->nruns, NRUNS);
    assert_string_equal(h5in_spec(in)->config, "model = \"fake\";");
    assert_string_equal(h5in_spec(in)->scalars[2], "utilisation");
    for (uint64_t run = 0; run < NRUNS; run++) {
        bool written =
            run == 7 || run == 0 || run == 11 || run == 3 || run == 5 || run == 1;
        run_result *got;
        assert_int_equal(h5in_read_run(in, run, &got), 0);
        if (written) {
            run_result *want = fake_result(run);
            assert_same_result(want, got);
            assert_true(got->wall_s == want->wall_s);
            run_result_free(want);
        } else {
            assert_int_equal(h5in_status(in, run), RUN_PENDING);
            assert_int_equal(got->status, RUN_PENDING);
            assert_int_equal(got->point, run / REPS);
            assert_int_equal(got->replication, run % REPS);
            assert_true(isnan(got->scalars[0]));
            assert_int_equal(got->ndrift, 0);
        }
        run_result_free(got);
    }
    h5in_close(in);
}

/* Canonical rows are in run order: /drift's run column is sorted, and its
 * index starts are the running sums of counts (run r has r % 3 groups:
 * written runs 0,1,3,5,7,11 have 0,1,0,2,1,2 groups -> starts 0,0,1,1,3,4;
 * pending runs keep (start 0, count 0)). */
static void test_finished_file_has_rows_in_run_order(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 1;");
    h5out *o = create(&s, fx->path);
    uint64_t order[] = {11, 7, 5, 3, 1, 0};
    write_runs(o, order, 6);
    finish(o);
    h5out_close(o);

    hid_t f = H5Fopen(fx->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t idx = H5Dopen2(f, "index/drift", H5P_DEFAULT);
    struct {
        uint64_t run, start, count;
    } rows[NRUNS];
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof rows[0]);
    H5Tinsert(t, "run", 0, H5T_NATIVE_UINT64);
    H5Tinsert(t, "start", 8, H5T_NATIVE_UINT64);
    H5Tinsert(t, "count", 16, H5T_NATIVE_UINT64);
    assert_true(H5Dread(idx, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    uint64_t want_start[] = {0, 0, 0, 1, 0, 1, 0, 3, 0, 0, 0, 4};
    uint64_t want_count[] = {0, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0, 2};
    for (int i = 0; i < NRUNS; i++) {
        assert_int_equal(rows[i].run, i);
        assert_int_equal(rows[i].start, want_start[i]);
        assert_int_equal(rows[i].count, want_count[i]);
    }
    hid_t drift = H5Dopen2(f, "drift", H5P_DEFAULT);
    hid_t rt = H5Tcreate(H5T_COMPOUND, 8);
    H5Tinsert(rt, "run", 0, H5T_NATIVE_UINT64);
    uint64_t druns[8] = {0};
    hid_t sp = H5Dget_space(drift);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), 6);
    assert_true(H5Dread(drift, rt, H5S_ALL, H5S_ALL, H5P_DEFAULT, druns) >= 0);
    uint64_t want_runs[] = {1, 5, 5, 7, 11, 11};
    for (int i = 0; i < 6; i++)
        assert_int_equal(druns[i], want_runs[i]);
    H5Sclose(sp);
    H5Tclose(rt);
    H5Tclose(t);
    H5Dclose(drift);
    H5Dclose(idx);
    H5Fclose(f);
}

static void test_completion_order_does_not_change_the_datasets(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 2;");
    write_reference(fx->path2, &s);
    h5out *o = create(&s, fx->path);
    uint64_t order[NRUNS] = {4, 9, 0, 11, 2, 7, 1, 10, 3, 8, 6, 5};
    write_runs(o, order, NRUNS);
    finish(o);
    h5out_close(o);
    assert_files_equal(fx->path, fx->path2);
}

static void test_compare_sees_a_changed_scalar(void **state)
{
    /* The comparator itself: one scalar of one run differs -> not equal. */
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 3;");
    write_reference(fx->path2, &s);
    h5out *o = create(&s, fx->path);
    for (uint64_t i = 0; i < NRUNS; i++) {
        run_result *r = fake_result(i);
        if (i == 6)
            r->scalars[1] += 1.0;
        assert_int_equal(h5out_write_run(o, r), 0);
        run_result_free(r);
    }
    finish(o);
    h5out_close(o);
    char why[512];
    assert_int_equal(h5compare_files(fx->path, fx->path2, why, sizeof why), 1);
    /* /results (its row 6) holds the scalars too, and comes first. */
    assert_string_equal(why, "/results: row 6 differs");
}

static void test_create_refuses_an_existing_file_without_force(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 4;");
    write_reference(fx->path, &s);
    struct stat before, after;
    assert_int_equal(stat(fx->path, &before), 0);
    h5out *o = NULL;
    char err[512];
    assert_int_equal(h5out_create(&o, &s, fx->path, false, err, sizeof err),
                     H5OUT_EEXIST);
    assert_non_null(strstr(err, "exists"));
    assert_int_equal(stat(fx->path, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    OK(h5out_create(&o, &s, fx->path, true, err, sizeof err));
    h5out_close(o);
}

/* Close without finish = what a SIGINT leaves; resume finishes it. */
static void test_resume_continues_an_unfinished_file(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 5;");
    write_reference(fx->path2, &s);
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {3, 0, 8, 5};
    write_runs(o, first, 4);
    h5out_close(o);
    assert_true(exists(fx->journal));

    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    for (int i = 0; i < NRUNS; i++)
        assert_int_equal(done[i], i == 3 || i == 0 || i == 8 || i == 5);
    for (uint64_t i = 0; i < NRUNS; i++)
        if (!done[i])
            write_runs(o, &i, 1);
    finish(o);
    h5out_close(o);
    assert_files_equal(fx->path, fx->path2);
}

/* The file destroyed (as a power failure may leave an unsynced snapshot):
 * every journaled run is recovered. */
static void
test_resume_recovers_runs_from_the_journal_when_the_file_is_broken(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 6;");
    write_reference(fx->path2, &s);
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {1, 2, 4, 6, 10};
    write_runs(o, first, 5);
    h5out_close(o);
    assert_int_equal(truncate(fx->path, 600), 0);

    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    int ndone = 0;
    for (int i = 0; i < NRUNS; i++)
        ndone += done[i];
    assert_int_equal(ndone, 5);
    for (uint64_t i = 0; i < NRUNS; i++)
        if (!done[i])
            write_runs(o, &i, 1);
    finish(o);
    h5out_close(o);
    assert_files_equal(fx->path, fx->path2);
}

/* A torn last record (killed inside write(2)) is dropped: that run is
 * simply not done. */
static void test_resume_drops_a_torn_journal_record(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 7;");
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0, 1, 2};
    write_runs(o, first, 3);
    h5out_close(o);
    struct stat st;
    assert_int_equal(stat(fx->journal, &st), 0);
    assert_int_equal(truncate(fx->journal, st.st_size - 5), 0);

    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    assert_int_equal(done[0], 1);
    assert_int_equal(done[1], 1);
    assert_int_equal(done[2], 0);
    h5out_close(o);
}

/* One byte changed inside a record (not torn: the length still fits):
 * its checksum no longer holds, so reading stops there and that run and
 * the ones after it are not done. */
static void test_resume_stops_at_a_corrupt_journal_record(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 7;");
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0, 1, 2};
    write_runs(o, first, 3);
    h5out_close(o);
    FILE *f = fopen(fx->journal, "r+b");
    assert_non_null(f);
    uint32_t len; /* the first record: header 16, magic 4, length 4 */
    assert_int_equal(fseek(f, 16 + 4, SEEK_SET), 0);
    assert_int_equal(fread(&len, 4, 1, f), 1);
    long second = 16 + 8 + (long)len + 8;
    unsigned char c; /* a byte of the second record's warmup (payload offset 28) */
    assert_int_equal(fseek(f, second + 8 + 28, SEEK_SET), 0);
    assert_int_equal(fread(&c, 1, 1, f), 1);
    c ^= 0x10;
    assert_int_equal(fseek(f, second + 8 + 28, SEEK_SET), 0);
    assert_int_equal(fwrite(&c, 1, 1, f), 1);
    assert_int_equal(fclose(f), 0);

    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    assert_int_equal(done[0], 1);
    assert_int_equal(done[1], 0);
    assert_int_equal(done[2], 0);
    h5out_close(o);
}

static void test_resume_refuses_another_experiments_file(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 8;");
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0};
    write_runs(o, first, 1);
    h5out_close(o);
    h5out_spec other = test_spec("x = 9;");
    uint8_t done[NRUNS];
    assert_int_equal(h5out_resume(&o, &other, fx->path, false, done, err, sizeof err),
                     H5OUT_EMISMATCH);
    /* Nothing was touched: the right experiment still resumes. */
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    assert_int_equal(done[0], 1);
    h5out_close(o);
}

/* The journal of an older usim-batch (another format digit) is refused
 * with a message that says so, and left as it was. */
static void test_resume_refuses_a_journal_of_another_format(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 8;");
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0, 1};
    write_runs(o, first, 2);
    h5out_close(o);
    FILE *f = fopen(fx->journal, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 7, SEEK_SET), 0);
    assert_int_equal(fputc('5', f), '5');
    assert_int_equal(fclose(f), 0);
    struct stat before, after;
    assert_int_equal(stat(fx->journal, &before), 0);
    uint8_t done[NRUNS];
    assert_int_equal(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err),
                     H5OUT_EMISMATCH);
    assert_non_null(strstr(err, "another version of usim-batch"));
    assert_int_equal(stat(fx->journal, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
}

/* A finished file has no journal: resume reads the runs from it. */
static void test_resume_of_a_finished_file_reads_its_runs(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 10;");
    write_reference(fx->path2, &s);
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0, 1, 2, 3, 4, 5};
    write_runs(o, first, 6);
    finish(o);
    h5out_close(o);
    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    for (int i = 0; i < NRUNS; i++)
        assert_int_equal(done[i], i < 6);
    assert_int_equal(h5out_runs_done(o), 6);
    assert_int_equal(h5out_runs_failed(o), 1); /* run 5 failed (fake_result) */
    uint64_t rest[] = {6, 7, 8, 9, 10, 11};
    write_runs(o, rest, 6);
    finish(o);
    h5out_close(o);
    assert_files_equal(fx->path, fx->path2);
}

/* A root attribute of a file, as an integer. */
static long long root_attr(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    assert_true(a >= 0);
    long long v = -1;
    assert_true(H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    return v;
}

/* A checkpoint publishes a complete snapshot: the runs written so far
 * read back, the others are pending, and the file says it is not done. */
static void test_checkpoint_shows_every_run_written_so_far(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 13;");
    char err[512];
    h5out *o = create(&s, fx->path);
    assert_int_equal(root_attr(fx->path, "runs_done"), 0);
    uint64_t first[] = {9, 2, 4};
    write_runs(o, first, 3);
    assert_int_equal(h5out_checkpoint(o), 0);

    assert_int_equal(root_attr(fx->path, "runs_done"), 3);
    assert_int_equal(root_attr(fx->path, "complete"), 0);
    h5in *in;
    OK(h5in_open(&in, fx->path, err, sizeof err));
    for (uint64_t run = 0; run < NRUNS; run++) {
        if (run == 9 || run == 2 || run == 4) {
            run_result *got, *want = fake_result(run);
            assert_int_equal(h5in_read_run(in, run, &got), 0);
            assert_same_result(want, got);
            run_result_free(got);
            run_result_free(want);
        } else {
            assert_int_equal(h5in_status(in, run), RUN_PENDING);
        }
    }
    h5in_close(in);
    for (uint64_t run = 0; run < NRUNS; run++)
        if (run != 9 && run != 2 && run != 4)
            write_runs(o, &run, 1);
    finish(o);
    h5out_close(o);
    assert_int_equal(root_attr(fx->path, "runs_done"), NRUNS);
    assert_int_equal(root_attr(fx->path, "complete"), 1);
}

/* PATH is never written in place: a second name for the file a checkpoint
 * replaced (what a reader holding it open sees) still holds that file,
 * intact, and no temporary file is left behind. */
static void test_checkpoint_replaces_the_file_instead_of_modifying_it(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 14;");
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0, 1};
    write_runs(o, first, 2);
    assert_int_equal(h5out_checkpoint(o), 0);
    assert_int_equal(link(fx->path, fx->path2), 0);
    struct stat before;
    assert_int_equal(stat(fx->path2, &before), 0);

    uint64_t more[] = {5, 6, 7};
    write_runs(o, more, 3);
    assert_int_equal(h5out_checkpoint(o), 0);
    struct stat old, now;
    assert_int_equal(stat(fx->path2, &old), 0);
    assert_int_equal(stat(fx->path, &now), 0);
    assert_true(old.st_ino != now.st_ino);
    assert_int_equal(old.st_size, before.st_size);
    assert_int_equal(old.st_mtime, before.st_mtime);
    assert_int_equal(root_attr(fx->path2, "runs_done"), 2);
    assert_int_equal(root_attr(fx->path, "runs_done"), 5);
    char tmp[200];
    snprintf(tmp, sizeof tmp, "%s.snapshot.tmp", fx->path);
    assert_false(exists(tmp));
    h5out_close(o);
}

/* The final file, PATH.tmp, is there from the start and filled as runs
 * finish; an h5out closed unfinished removes it (PATH and the journal
 * stay), and the finish renames it over PATH. */
static void test_final_file_is_written_while_runs_finish(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 15;");
    char tmp[200];
    snprintf(tmp, sizeof tmp, "%s.tmp", fx->path);
    h5out *o = create(&s, fx->path);
    assert_true(exists(tmp));
    uint64_t first[] = {2, 0, 1};
    write_runs(o, first, 3);
    h5out_close(o);
    assert_false(exists(tmp));
    assert_true(exists(fx->path));

    uint8_t done[NRUNS];
    char err[512];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    assert_true(exists(tmp));
    uint64_t rest[] = {11, 10, 9, 8, 7, 6, 5, 4, 3};
    write_runs(o, rest, 9);
    finish(o);
    h5out_close(o);
    assert_false(exists(tmp));
    write_reference(fx->path2, &s);
    assert_files_equal(fx->path, fx->path2);
}

static void test_long_message_is_truncated_with_dots(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 11;");
    char err[512];
    h5out *o = create(&s, fx->path);
    run_result *r = fake_result(2);
    r->message = malloc(1000);
    memset(r->message, 'm', 999);
    r->message[999] = '\0';
    assert_int_equal(h5out_write_run(o, r), 0);
    run_result_free(r);
    finish(o);
    h5out_close(o);
    h5in *in;
    OK(h5in_open(&in, fx->path, err, sizeof err));
    assert_int_equal(h5in_read_run(in, 2, &r), 0);
    assert_int_equal(strlen(r->message), H5OUT_MESSAGE_LEN - 1);
    assert_string_equal(r->message + H5OUT_MESSAGE_LEN - 4, "...");
    run_result_free(r);
    h5in_close(in);
}

/* The first failed runs the end of a batch lists: the lowest run ids in
 * run order whatever the order they come in, messages cut to 120 bytes
 * before a UTF-8 sequence, on one line; the count covers the others. */
static void test_failures_lists_the_first_failed_runs(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 14;");
    h5out *o = create(&s, fx->path);
    uint64_t order[] = {11, 9, 2, 10, 7, 4, 0, 8};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        run_result *r = fake_result(order[i]);
        r->status = order[i] == 0 ? RUN_OK : order[i] == 4 ? RUN_UNNEEDED : RUN_LIMIT;
        free(r->message);
        r->message = malloc(200);
        /* 116 bytes, then "é" (2 bytes) across the cut at 117 */
        memset(r->message, 'a' + (char)order[i], 116);
        strcpy(r->message + 116, order[i] == 7 ? "\xc3\xa9tail and more text" : "");
        if (order[i] == 9)
            strcpy(r->message, "two\nlines");
        assert_int_equal(h5out_write_run(o, r), 0);
        run_result_free(r);
    }
    size_t n;
    const h5out_failure *f = h5out_failures(o, &n);
    assert_int_equal(n, H5OUT_FAILURES_KEPT);
    assert_int_equal(h5out_runs_failed(o), 6);
    uint64_t want[] = {2, 7, 8, 9, 10};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f[i].run, want[i]);
        assert_int_equal(f[i].point, want[i] / REPS);
        assert_int_equal(f[i].replication, want[i] % REPS);
        assert_int_equal(f[i].status, RUN_LIMIT);
    }
    assert_int_equal(strlen(f[0].message), 116);
    /* 116 'h' and "é" make 118 bytes and the text goes on: cut at 116
     * (not inside "é"), then "...". */
    assert_int_equal(strlen(f[1].message), 116 + 3);
    assert_string_equal(f[1].message + 116, "...");
    assert_int_equal(f[1].message[115], 'a' + 7);
    assert_string_equal(f[3].message, "two lines");
    h5out_close(o);
}

static void test_writing_a_run_twice_is_an_error(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 12;");
    h5out *o = create(&s, fx->path);
    run_result *r = fake_result(4);
    assert_int_equal(h5out_write_run(o, r), 0);
    assert_int_equal(h5out_write_run(o, r), H5OUT_EIO);
    assert_non_null(strstr(h5out_errmsg(o), "run 4 written twice"));
    run_result_free(r);
    h5out_close(o);
}

/* Shard 1 of 4 holds runs 1, 5, 9 only: three rows, read back by run; the
 * other shards' runs read as pending; a run of another shard is refused. */
static void test_shard_file_holds_its_own_runs(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 13;");
    s.shard_index = 1;
    s.shard_count = 4;
    h5out *o = create(&s, fx->path);
    run_result *r = fake_result(2);
    assert_int_equal(h5out_write_run(o, r), H5OUT_EIO);
    assert_non_null(strstr(h5out_errmsg(o), "run 2 is not one of this file's"));
    run_result_free(r);
    uint64_t mine[] = {9, 1, 5};
    write_runs(o, mine, 3);
    finish(o);
    h5out_close(o);

    h5in *in;
    char err[512];
    OK(h5in_open(&in, fx->path, err, sizeof err));
    assert_int_equal(h5in_spec(in)->shard_index, 1);
    assert_int_equal(h5in_spec(in)->shard_count, 4);
    assert_int_equal(h5in_runs_done(in), 3);
    assert_true(h5in_complete(in));
    for (uint64_t run = 0; run < NRUNS; run++) {
        if (run % 4 != 1) {
            assert_int_equal(h5in_status(in, run), RUN_PENDING);
            continue;
        }
        run_result *got, *want = fake_result(run);
        assert_int_equal(h5in_read_run(in, run, &got), 0);
        assert_int_equal(got->run, run);
        assert_int_equal(got->events, want->events);
        assert_int_equal(got->ntraces, 2);
        assert_int_equal(got->traces[0].n, want->traces[0].n);
        assert_int_equal(got->ndrift, want->ndrift);
        run_result_free(got);
        run_result_free(want);
    }
    size_t n;
    const prov_session *ses = h5in_sessions(in, &n);
    assert_int_equal(n, 1);
    assert_int_equal(ses[0].shard_index, 1);
    assert_int_equal(ses[0].shard_count, 4);
    assert_int_equal(ses[0].runs, 3);
    assert_true(ses[0].end[0] != '\0');
    h5in_close(in);
    hid_t f = H5Fopen(fx->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "runs", H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), 3);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
}

/* Resuming keeps the shard and the records of the earlier invocation. */
static void test_resume_keeps_the_shard_and_its_sessions(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 14;");
    s.shard_index = 2;
    s.shard_count = 3;
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {2};
    write_runs(o, first, 1);
    h5out_close(o);

    char err[512];
    uint8_t done[NRUNS];
    h5out_spec other = s;
    other.shard_index = 0;
    assert_int_equal(h5out_resume(&o, &other, fx->path, false, done, err, sizeof err),
                     H5OUT_EMISMATCH);
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    for (int i = 0; i < NRUNS; i++)
        assert_int_equal(done[i], i == 2);
    uint64_t rest[] = {5, 8, 11};
    write_runs(o, rest, 3);
    finish(o);
    h5out_close(o);

    h5in *in;
    OK(h5in_open(&in, fx->path, err, sizeof err));
    size_t n;
    const prov_session *ses = h5in_sessions(in, &n);
    assert_int_equal(n, 2);
    assert_int_equal(ses[0].runs, 1);
    assert_string_equal(ses[0].end, ""); /* interrupted */
    assert_int_equal(ses[1].runs, 3);
    assert_true(ses[1].end[0] != '\0');
    h5in_close(in);
}

/* Times and values the journal must keep bit for bit: zeros of both
 * signs, infinities, NaNs with payloads, subnormals, the largest double,
 * words whose bytes are all set or one set at either end. */
static const uint64_t odd_doubles[] = {
    0x0000000000000000u, 0x8000000000000000u, 0x7ff0000000000000u, 0xfff0000000000000u,
    0x7ff8000000000001u, 0xfff8deadbeef0000u, 0x0000000000000001u, 0x000fffffffffffffu,
    0x7fefffffffffffffu, 0xffffffffffffffffu, 0xff00000000000000u, 0x00000000000000ffu,
};

static double double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* A journaled trace reads back bit for bit, whatever its samples: every
 * pair of odd doubles after every other, random words, and an M/M/1-like
 * stretch of rising times and small integer values. */
static void test_journal_keeps_trace_samples_bit_for_bit(void **state)
{
    fixture *fx = *state;
    enum { NODD = sizeof odd_doubles / sizeof odd_doubles[0], N = 30000 };
    run_result *r = fake_result(1);
    run_trace *tr = &r->traces[0];
    free(tr->t);
    free(tr->v);
    tr->n = N;
    tr->t = malloc(N * sizeof(double));
    tr->v = malloc(N * sizeof(double));
    uint64_t x = 88172645463325252u; /* xorshift64 */
    for (size_t i = 0; i < N; i++) {
        if (i < NODD * NODD) {
            tr->t[i] = double_of(odd_doubles[i % NODD]);
            tr->v[i] = double_of(odd_doubles[i / NODD]);
        } else if (i < N / 2) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            tr->t[i] = double_of(x);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            tr->v[i] = double_of(x >> (i % 64));
        } else {
            tr->t[i] = 1e5 + 0.37 * (double)i;
            tr->v[i] = (double)(i % 13);
        }
    }
    journal *j;
    assert_int_equal(journal_create(&j, fx->journal, 42), 0);
    assert_int_equal(journal_append(j, r, NULL), 0);
    journal_close(j);
    journal_reader *jr;
    uint64_t ident;
    run_result *got = NULL, *none = NULL;
    assert_int_equal(journal_open(&jr, fx->journal, &ident), 0);
    assert_int_equal(ident, 42);
    assert_int_equal(journal_next(jr, &got), 1);
    assert_int_equal(journal_next(jr, &none), 0);
    journal_reader_close(jr);
    assert_int_equal(got->ntraces, 2);
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(got->traces[k].n, r->traces[k].n);
        size_t bytes = r->traces[k].n * sizeof(double);
        assert_memory_equal(got->traces[k].t, r->traces[k].t, bytes);
        assert_memory_equal(got->traces[k].v, r->traces[k].v, bytes);
    }
    run_result_free(got);
    run_result_free(r);
}

/* Records added to a journal wait in memory: the file holds only its
 * header until journal_write, which puts them all in, readable in order at
 * the offsets journal_add gave. */
static void test_journal_writes_the_records_added_together(void **state)
{
    fixture *fx = *state;
    journal *j;
    assert_int_equal(journal_create(&j, fx->journal, 7), 0);
    run_result *r[3];
    uint64_t at[3];
    for (uint64_t i = 0; i < 3; i++) {
        r[i] = fake_result(5 + i);
        assert_int_equal(journal_add(j, r[i], &at[i]), 0);
    }
    struct stat st;
    assert_int_equal(stat(fx->journal, &st), 0);
    assert_int_equal(st.st_size, 16); /* the header alone */
    assert_int_equal(journal_size(j), 16);
    assert_int_equal(at[0], 16);
    assert_true(at[0] < at[1] && at[1] < at[2]);
    size_t pending = journal_buffered(j);
    assert_true(pending > at[2] - 16); /* the third record's bytes too */
    assert_int_equal(journal_write(j), 0);
    assert_int_equal(journal_buffered(j), 0);
    assert_int_equal(journal_size(j), 16 + pending);
    assert_int_equal(stat(fx->journal, &st), 0);
    assert_int_equal((uint64_t)st.st_size, 16 + pending);
    journal_close(j);

    journal_reader *jr;
    uint64_t ident;
    assert_int_equal(journal_open(&jr, fx->journal, &ident), 0);
    for (uint64_t i = 0; i < 3; i++) {
        run_result *got = NULL;
        assert_int_equal(journal_tell(jr), at[i]);
        assert_int_equal(journal_next(jr, &got), 1);
        assert_int_equal(got->run, 5 + i);
        run_result_free(got);
        assert_int_equal(journal_read_at(jr, at[2 - i], &got), 0);
        assert_int_equal(got->run, 7 - i);
        run_result_free(got);
    }
    run_result *none = NULL;
    assert_int_equal(journal_next(jr, &none), 0);
    journal_reader_close(jr);
    for (size_t i = 0; i < 3; i++)
        run_result_free(r[i]);
}

/* Runs handed over together, in groups out of row order, give the file
 * runs written one at a time in order give. */
static void test_runs_written_together_give_the_same_file(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 13;");
    write_reference(fx->path2, &s);
    h5out *o = create(&s, fx->path);
    const uint64_t order[NRUNS] = {4, 9, 0, 11, 2, 7, 1, 10, 3, 8, 6, 5};
    const size_t groups[] = {3, 4, 5};
    for (size_t g = 0, first = 0; g < 3; first += groups[g], g++) {
        run_result *rs[5];
        for (size_t i = 0; i < groups[g]; i++)
            rs[i] = fake_result(order[first + i]);
        if (h5out_write_runs(o, (const run_result *const *)rs, groups[g]) != 0)
            fail_msg("%s", h5out_errmsg(o));
        for (size_t i = 0; i < groups[g]; i++)
            run_result_free(rs[i]);
    }
    finish(o);
    h5out_close(o);
    assert_files_equal(fx->path, fx->path2);
}

/* A group with a run twice: the error names it, and the runs before it
 * in the group are recorded (a resume finds them done). */
static void test_a_group_keeps_the_runs_before_its_error(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 14;");
    char err[512];
    h5out *o = create(&s, fx->path);
    run_result *a = fake_result(3), *b = fake_result(8);
    const run_result *rs[] = {a, b, a};
    assert_int_equal(h5out_write_runs(o, rs, 3), H5OUT_EIO);
    assert_non_null(strstr(h5out_errmsg(o), "run 3 written twice"));
    h5out_close(o);
    run_result_free(a);
    run_result_free(b);
    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    for (uint64_t run = 0; run < NRUNS; run++)
        assert_int_equal(done[run], run == 3 || run == 8);
    h5out_close(o);
}

static void keep_scalar_of_run_2(const run_result *r, void *ctx)
{
    if (r->run == 2)
        *(double *)ctx = r->scalars[0];
}

/* A journal that holds run 2 twice, with different results: a resume
 * keeps the first record's and takes the runs around both. */
static void test_resume_keeps_the_first_of_duplicate_records(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 15;");
    char err[512];
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0};
    write_runs(o, first, 1);
    h5out_close(o);
    journal_reader *jr;
    uint64_t ident;
    assert_int_equal(journal_open(&jr, fx->journal, &ident), 0);
    journal_reader_close(jr);
    journal *j;
    assert_int_equal(journal_create(&j, fx->journal, ident), 0);
    run_result *a = fake_result(2), *b = fake_result(5), *c = fake_result(2);
    c->scalars[0] = 99.0;
    assert_int_equal(journal_append(j, a, NULL), 0);
    assert_int_equal(journal_append(j, b, NULL), 0);
    assert_int_equal(journal_append(j, c, NULL), 0);
    journal_close(j);
    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    for (uint64_t run = 0; run < NRUNS; run++)
        assert_int_equal(done[run], run == 2 || run == 5);
    double kept = NAN;
    assert_int_equal(h5out_each_run(o, keep_scalar_of_run_2, &kept), 0);
    assert_true(kept == a->scalars[0]);
    h5out_close(o);
    run_result_free(a);
    run_result_free(b);
    run_result_free(c);
}

/* A journal without its file (the .h5 deleted after an interruption):
 * a fresh run does not replace it. */
static void test_create_refuses_the_journal_of_an_interrupted_run(void **state)
{
    fixture *fx = *state;
    h5out_spec s = test_spec("x = 15;");
    h5out *o = create(&s, fx->path);
    uint64_t first[] = {0, 1};
    write_runs(o, first, 2);
    h5out_close(o);
    assert_int_equal(unlink(fx->path), 0);
    char err[512];
    assert_int_equal(h5out_create(&o, &s, fx->path, false, err, sizeof err),
                     H5OUT_EEXIST);
    assert_non_null(strstr(err, "--resume"));
    uint8_t done[NRUNS];
    OK(h5out_resume(&o, &s, fx->path, false, done, err, sizeof err));
    assert_int_equal(done[0] + done[1], 2);
    h5out_close(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_finished_file_reads_back_every_field,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_finished_file_has_rows_in_run_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_completion_order_does_not_change_the_datasets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_sees_a_changed_scalar, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_create_refuses_an_existing_file_without_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_continues_an_unfinished_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_resume_recovers_runs_from_the_journal_when_the_file_is_broken, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_resume_drops_a_torn_journal_record, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resume_stops_at_a_corrupt_journal_record,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_refuses_another_experiments_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_refuses_a_journal_of_another_format,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_of_a_finished_file_reads_its_runs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_shows_every_run_written_so_far,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_checkpoint_replaces_the_file_instead_of_modifying_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final_file_is_written_while_runs_finish,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_message_is_truncated_with_dots, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shard_file_holds_its_own_runs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resume_keeps_the_shard_and_its_sessions,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_create_refuses_the_journal_of_an_interrupted_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_keeps_trace_samples_bit_for_bit,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_lists_the_first_failed_runs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_writes_the_records_added_together,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_written_together_give_the_same_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_group_keeps_the_runs_before_its_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_resume_keeps_the_first_of_duplicate_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writing_a_run_twice_is_an_error, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
