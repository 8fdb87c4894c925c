/*
 * h5layout.c — row types of an output file and the HDF5 helpers shared by
 * its writer and its reader (h5layout.h).
 *
 * Row types are compounds built from the spec at run time (one column per
 * model parameter).  A choice or a distribution is stored as its label,
 * the run's value in memory (and in the journal) being the label's index:
 * the file reads as what the experiment file wrote, and the journal stays
 * numbers.  /runs holds every other parameter as a double; /results, the
 * wide table, as its type (an int64 for an integer, the bool enum for a
 * boolean), followed by a double per declared scalar.  Its first columns
 * are the bytes of the /runs row's first columns, so the two tables agree
 * by construction.
 */
#include "batch/h5layout.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the library --------------------------------------------------------- */

void h5layout_library(void)
{
    static bool done;
    if (!done) { /* writer and reader threads come later */
        H5dont_atexit();
        done = true;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* ---- errors ------------------------------------------------------------ */

/* The first description on the stack, and the first system error
 * message found in one ("... error message = 'No space left on device'
 * ..." in a failed write's long description). */
typedef struct last_error {
    const char *desc;
    const char *sys;
    size_t syslen;
} last_error;

static herr_t last_error_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    last_error *le = data;
    if (!e->desc)
        return 0;
    if (!le->desc)
        le->desc = e->desc;
    const char *m = strstr(e->desc, "error message = '");
    if (m && !le->sys) {
        m += strlen("error message = '");
        const char *end = strchr(m, '\'');
        le->sys = m;
        le->syslen = end ? (size_t)(end - m) : strlen(m);
    }
    return 0;
}

void h5layout_last_error(char *buf, size_t n)
{
    last_error le = {0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, last_error_cb, &le);
    if (le.sys)
        snprintf(buf, n, "%.*s", (int)le.syslen, le.sys);
    else
        snprintf(buf, n, "%s", le.desc ? le.desc : "");
}

int h5layout_fail(char *err, size_t n, const char *what, const char *path)
{
    char h5[256];
    int e = errno; /* HDF5 keeps the system's reason of some failures only there */
    h5layout_last_error(h5, sizeof h5);
    if (!h5[0] && e != 0)
        snprintf(h5, sizeof h5, "%s", strerror(e));
    h5spec_set_err(err, n, "%s: %s%s%s", path, what, h5[0] ? ": " : "", h5);
    return H5OUT_EIO;
}

/* ---- row types --------------------------------------------------------- */

static hid_t str_type(size_t n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

size_t h5layout_scalar_size(const layout *l)
{
    return (sizeof(scalar_row) + l->name_len + 7) & ~(size_t)7;
}

void h5layout_free(layout *l)
{
    hid_t *ts[] = {&l->runs_t,  &l->results_t,   &l->scalar_t, &l->drift_t,
                   &l->trace_t, &l->index_t,     &l->status_t, &l->session_t,
                   &l->bool_t,  &l->drift_hist_t};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        if (*ts[i] > 0)
            H5Tclose(*ts[i]);
        *ts[i] = H5I_INVALID_HID;
    }
    for (size_t k = 0; l->cols && k < l->nparams; k++) {
        free(l->cols[k].text);
        free(l->cols[k].labels);
    }
    free(l->cols);
    l->cols = NULL;
}

static const char *const kind_names[] = {
    [KIND_REAL] = "real",     [KIND_INT] = "int",   [KIND_BOOL] = "bool",
    [KIND_CHOICE] = "choice", [KIND_DIST] = "dist",
};

const char *h5layout_kind_name(param_kind k)
{
    return k > KIND_UNKNOWN && k <= KIND_DIST ? kind_names[k] : "";
}

param_kind h5layout_kind_parse(const char *name)
{
    for (param_kind k = KIND_REAL; k <= KIND_DIST; k++)
        if (name && strcmp(name, kind_names[k]) == 0)
            return k;
    return KIND_UNKNOWN;
}

/* The kind of each parameter, checked against its labels (a choice or a
 * distribution has them, a number has none); 0, or -1 with err set. */
static int param_kinds(layout *l, const h5out_spec *s, char *err, size_t errlen)
{
    for (size_t k = 0; s->param_types && k < s->nparams; k++) {
        param_col *c = &l->cols[k];
        const char *name = s->param_types[k];
        c->kind = h5layout_kind_parse(name);
        bool labelled = c->kind == KIND_CHOICE || c->kind == KIND_DIST;
        if (c->kind == KIND_UNKNOWN) {
            h5spec_set_err(err, errlen, "parameter '%s' has the unknown type '%s'",
                           s->params[k], name ? name : "");
            return -1;
        }
        if (labelled != (c->len > 0)) {
            h5spec_set_err(err, errlen, "parameter '%s' of type %s %s", s->params[k],
                           name, labelled ? "has no values" : "has labelled values");
            return -1;
        }
    }
    /* The /results offsets, after its fixed columns (those of /runs). */
    size_t off = OFF_WARMUP + 8;
    for (size_t k = 0; k < s->nparams; k++) {
        l->cols[k].res_off = off;
        off += l->cols[k].len ? l->cols[k].len : 8;
    }
    l->res_off_scalars = off;
    l->results_size = off + 8 * s->nscalars;
    return 0;
}

/* The /results row type: the fixed columns of /runs (its first members),
 * every parameter as its type, every scalar.  0, or -1 with err set. */
static int results_type(layout *l, const h5out_spec *s, hid_t status, char *err,
                        size_t errlen)
{
    hid_t t = l->results_t = H5Tcreate(H5T_COMPOUND, l->results_size);
    bool ok = t >= 0;
    ok = ok && H5Tinsert(t, "run", 0, H5T_NATIVE_UINT64) >= 0;
    ok = ok && H5Tinsert(t, "point", 8, H5T_NATIVE_UINT64) >= 0;
    ok = ok && H5Tinsert(t, "replication", 16, H5T_NATIVE_UINT64) >= 0;
    ok = ok && H5Tinsert(t, "status", 24, status) >= 0;
    ok = ok && H5Tinsert(t, "pilot", OFF_PILOT, l->bool_t) >= 0;
    ok = ok && H5Tinsert(t, "warmup", OFF_WARMUP, H5T_NATIVE_DOUBLE) >= 0;
    if (!ok) {
        h5spec_set_err(err, errlen, "cannot build the row type of /results");
        return -1;
    }
    for (size_t k = 0; k < s->nparams + s->nscalars; k++) {
        const char *name;
        size_t off;
        hid_t ct = H5T_NATIVE_DOUBLE, str = H5I_INVALID_HID;
        if (k < s->nparams) {
            const param_col *c = &l->cols[k];
            name = s->params[k];
            off = c->res_off;
            if (c->len)
                ct = str = str_type(c->len);
            else if (c->kind == KIND_INT)
                ct = H5T_NATIVE_INT64;
            else if (c->kind == KIND_BOOL)
                ct = l->bool_t;
        } else {
            name = s->scalars[k - s->nparams];
            off = l->res_off_scalars + 8 * (k - s->nparams);
        }
        herr_t in = H5Tinsert(t, name, off, ct);
        if (str >= 0)
            H5Tclose(str);
        if (in < 0) {
            /* The experiment loader refuses such models first. */
            h5spec_set_err(err, errlen, "%s '%s' clashes with a column of /results",
                           k < s->nparams ? "parameter" : "scalar", name);
            return -1;
        }
    }
    return 0;
}

/* The columns of the parameters: their labels split, offsets from `off`;
 * returns the offset after them, or 0 if memory ran out. */
static size_t param_cols(layout *l, const h5out_spec *s, size_t off)
{
    if ((l->cols = calloc(s->nparams + 1, sizeof *l->cols)) == NULL)
        return 0;
    for (size_t k = 0; k < s->nparams; k++) {
        param_col *c = &l->cols[k];
        const char *text =
            s->param_labels && s->param_labels[k] ? s->param_labels[k] : "";
        c->off = off;
        if (text[0] == '\0') {
            off += 8;
            continue;
        }
        if ((c->text = strdup(text)) == NULL)
            return 0;
        size_t n = 1;
        for (const char *p = text; *p; p++)
            n += *p == '\n';
        if ((c->labels = calloc(n, sizeof *c->labels)) == NULL)
            return 0;
        size_t longest = 0;
        for (char *p = c->text, *next; p != NULL; p = next) {
            next = strchr(p, '\n');
            if (next != NULL)
                *next++ = '\0';
            c->labels[c->nlabels++] = p;
            if (strlen(p) > longest)
                longest = strlen(p);
        }
        c->len = (longest + 1 + 7) & ~(size_t)7;
        off += c->len;
    }
    return off;
}

/* The /shards row: a prov_session as it is in memory. */
static bool session_type(layout *l)
{
    hid_t host = str_type(PROV_HOST_LEN), when = str_type(PROV_TIME_LEN);
    bool ok = true;
    hid_t t = l->session_t = H5Tcreate(H5T_COMPOUND, sizeof(prov_session));
#define COL(f, ty) ok &= H5Tinsert(t, #f, offsetof(prov_session, f), ty) >= 0
    COL(shard_index, H5T_NATIVE_UINT64);
    COL(shard_count, H5T_NATIVE_UINT64);
    COL(host, host);
    COL(start, when);
    COL(end, when);
    COL(runs, H5T_NATIVE_UINT64);
    COL(slurm_job_id, H5T_NATIVE_INT64);
    COL(slurm_array_job_id, H5T_NATIVE_INT64);
    COL(slurm_array_task_id, H5T_NATIVE_INT64);
#undef COL
    H5Tclose(host);
    H5Tclose(when);
    return ok;
}

int h5layout_init(layout *l, const h5out_spec *s, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->runs_t = l->results_t = l->scalar_t = l->drift_t = l->trace_t = l->index_t =
        l->status_t = l->session_t = l->bool_t = l->drift_hist_t = H5I_INVALID_HID;
    l->nparams = s->nparams;
    l->nscalars = s->nscalars;
    l->ntraces = s->ntraces;
    /* run, point, replication, status, pilot (a byte), warmup (aligned) */
    l->off_params = OFF_WARMUP + 8;
    l->off_end = param_cols(l, s, l->off_params);
    if (l->off_end == 0) {
        h5layout_free(l);
        h5spec_set_err(err, errlen, "out of memory");
        return H5OUT_ENOMEM;
    }
    l->off_events = l->off_end + 8;
    l->off_wall = l->off_events + 8;
    l->off_msg = l->off_wall + 8;
    l->runs_size = (l->off_msg + H5OUT_MESSAGE_LEN + 7) & ~(size_t)7;
    l->name_len = 8;
    for (size_t k = 0; k < s->nscalars; k++)
        if (strlen(s->scalars[k]) + 1 > l->name_len)
            l->name_len = strlen(s->scalars[k]) + 1;

    hid_t st = str_type(STATUS_LEN), msg = str_type(H5OUT_MESSAGE_LEN);
    hid_t name = str_type(l->name_len), task = str_type(TASK_LEN);
    bool ok = true;

    l->status_t = H5Tcreate(H5T_COMPOUND, STATUS_LEN);
    ok &= H5Tinsert(l->status_t, "status", 0, st) >= 0;

    /* h5py and pandas read this enum as numpy's bool. */
    l->bool_t = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t no = 0, yes = 1;
    ok &= H5Tenum_insert(l->bool_t, "FALSE", &no) >= 0;
    ok &= H5Tenum_insert(l->bool_t, "TRUE", &yes) >= 0;

    l->runs_t = H5Tcreate(H5T_COMPOUND, l->runs_size);
    ok &= H5Tinsert(l->runs_t, "run", 0, H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->runs_t, "point", 8, H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->runs_t, "replication", 16, H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->runs_t, "status", 24, st) >= 0;
    ok &= H5Tinsert(l->runs_t, "pilot", OFF_PILOT, l->bool_t) >= 0;
    ok &= H5Tinsert(l->runs_t, "warmup", OFF_WARMUP, H5T_NATIVE_DOUBLE) >= 0;
    for (size_t k = 0; ok && k < s->nparams; k++) {
        hid_t t = l->cols[k].len ? str_type(l->cols[k].len) : H5T_NATIVE_DOUBLE;
        herr_t in = H5Tinsert(l->runs_t, s->params[k], l->cols[k].off, t);
        if (l->cols[k].len)
            H5Tclose(t);
        if (in < 0) {
            h5spec_set_err(err, errlen,
                           "parameter name '%s' clashes with a column of /runs",
                           s->params[k]);
            ok = false;
        }
    }
    if (ok) {
        ok &= H5Tinsert(l->runs_t, "end_time", l->off_end, H5T_NATIVE_DOUBLE) >= 0;
        ok &= H5Tinsert(l->runs_t, "events", l->off_events, H5T_NATIVE_UINT64) >= 0;
        ok &= H5Tinsert(l->runs_t, "wall_s", l->off_wall, H5T_NATIVE_DOUBLE) >= 0;
        ok &= H5Tinsert(l->runs_t, "message", l->off_msg, msg) >= 0;
        if (!ok)
            h5spec_set_err(err, errlen,
                           "a parameter name clashes with a column of /runs");
    }
    if (ok && param_kinds(l, s, err, errlen) < 0)
        ok = false;
    if (ok && (s->param_types || s->nparams == 0) &&
        results_type(l, s, st, err, errlen) < 0)
        ok = false;

    l->scalar_t = H5Tcreate(H5T_COMPOUND, h5layout_scalar_size(l));
    ok &= H5Tinsert(l->scalar_t, "run", offsetof(scalar_row, run), H5T_NATIVE_UINT64) >=
          0;
    ok &= H5Tinsert(l->scalar_t, "name", offsetof(scalar_row, name), name) >= 0;
    ok &= H5Tinsert(l->scalar_t, "value", offsetof(scalar_row, value),
                    H5T_NATIVE_DOUBLE) >= 0;

    l->drift_t = H5Tcreate(H5T_COMPOUND, sizeof(drift_row));
#define DRIFT_COL(f, t) ok &= H5Tinsert(l->drift_t, #f, offsetof(drift_row, f), t) >= 0
    DRIFT_COL(run, H5T_NATIVE_UINT64);
    DRIFT_COL(task, task);
    DRIFT_COL(waits, H5T_NATIVE_UINT64);
    DRIFT_COL(requested, H5T_NATIVE_DOUBLE);
    DRIFT_COL(actual, H5T_NATIVE_DOUBLE);
    DRIFT_COL(mean, H5T_NATIVE_DOUBLE);
    DRIFT_COL(max_abs, H5T_NATIVE_DOUBLE);
    DRIFT_COL(final, H5T_NATIVE_DOUBLE);
    DRIFT_COL(overruns, H5T_NATIVE_UINT64);
#undef DRIFT_COL

    l->trace_t = H5Tcreate(H5T_COMPOUND, sizeof(trace_row));
    ok &=
        H5Tinsert(l->trace_t, "run", offsetof(trace_row, run), H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->trace_t, "t", offsetof(trace_row, t), H5T_NATIVE_DOUBLE) >= 0;
    ok &= H5Tinsert(l->trace_t, "value", offsetof(trace_row, value),
                    H5T_NATIVE_DOUBLE) >= 0;

    l->index_t = H5Tcreate(H5T_COMPOUND, sizeof(index_row));
    ok &=
        H5Tinsert(l->index_t, "run", offsetof(index_row, run), H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->index_t, "start", offsetof(index_row, start),
                    H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->index_t, "count", offsetof(index_row, count),
                    H5T_NATIVE_UINT64) >= 0;

    /* run, and the counts as one array column (h5py: an (n, bins) array). */
    hsize_t bins = USIM_DRIFT_BINS;
    hid_t counts = H5Tarray_create2(H5T_NATIVE_UINT64, 1, &bins);
    l->drift_hist_t = H5Tcreate(H5T_COMPOUND, sizeof(drift_hist_row));
    ok &= H5Tinsert(l->drift_hist_t, "run", offsetof(drift_hist_row, run),
                    H5T_NATIVE_UINT64) >= 0;
    ok &= counts >= 0 && H5Tinsert(l->drift_hist_t, "count",
                                   offsetof(drift_hist_row, count), counts) >= 0;
    if (counts >= 0)
        H5Tclose(counts);
    ok &= session_type(l);

    H5Tclose(st);
    H5Tclose(msg);
    H5Tclose(name);
    H5Tclose(task);
    if (!ok) {
        if (err && !err[0])
            h5spec_set_err(err, errlen, "cannot build the row types");
        h5layout_free(l);
        return H5OUT_EIO;
    }
    return 0;
}

void h5layout_runs_row(const layout *l, unsigned char *buf, const run_result *r)
{
    memset(buf, 0, l->runs_size);
    memcpy(buf, &r->run, 8);
    memcpy(buf + 8, &r->point, 8);
    memcpy(buf + 16, &r->replication, 8);
    strcpy((char *)buf + 24,
           run_status_name(r->status <= RUN_STATUS_LAST ? r->status : RUN_FAILED));
    buf[OFF_PILOT] = r->pilot;
    memcpy(buf + OFF_WARMUP, &r->warmup, 8);
    for (size_t k = 0; k < l->nparams; k++) {
        const param_col *c = &l->cols[k];
        double v = r->params[k];
        if (c->len == 0)
            memcpy(buf + c->off, &v, 8);
        else if (v >= 0 && v < (double)c->nlabels) /* else pending: "" */
            memcpy(buf + c->off, c->labels[(size_t)v], strlen(c->labels[(size_t)v]));
    }
    memcpy(buf + l->off_end, &r->end_time, 8);
    memcpy(buf + l->off_events, &r->events, 8);
    memcpy(buf + l->off_wall, &r->wall_s, 8);
    if (r->message) {
        char *m = (char *)buf + l->off_msg;
        size_t n = strlen(r->message);
        if (n < H5OUT_MESSAGE_LEN) {
            memcpy(m, r->message, n);
        } else {
            memcpy(m, r->message, H5OUT_MESSAGE_LEN - 4);
            memcpy(m + H5OUT_MESSAGE_LEN - 4, "...", 3);
        }
    }
}

void h5layout_results_row(const layout *l, unsigned char *buf,
                          const unsigned char *runs, const run_result *r)
{
    memset(buf, 0, l->results_size);
    memcpy(buf, runs, OFF_WARMUP + 8);
    for (size_t k = 0; k < l->nparams; k++) {
        const param_col *c = &l->cols[k];
        unsigned char *to = buf + c->res_off;
        double v = r ? r->params[k] : NAN;
        if (c->len) { /* the label /runs holds ("" while pending) */
            memcpy(to, runs + c->off, c->len);
        } else if (c->kind == KIND_INT) { /* pending: 0 */
            int64_t i = isfinite(v) ? (int64_t)llround(v) : 0;
            memcpy(to, &i, 8);
        } else if (c->kind == KIND_BOOL) { /* pending: FALSE */
            *to = !isnan(v) && v != 0;
        } else {
            memcpy(to, &v, 8);
        }
    }
    for (size_t k = 0; k < l->nscalars; k++) {
        double v = r ? r->scalars[k] : NAN;
        memcpy(buf + l->res_off_scalars + 8 * k, &v, 8);
    }
}

void h5layout_pending_templates(const layout *l, unsigned char *runs,
                                unsigned char *results)
{
    double nan = NAN;
    memset(runs, 0, l->runs_size);
    strcpy((char *)runs + 24, run_status_name(RUN_PENDING));
    memcpy(runs + OFF_WARMUP, &nan, 8);
    for (size_t k = 0; k < l->nparams; k++)
        if (l->cols[k].len == 0)
            memcpy(runs + l->cols[k].off, &nan, 8);
    memcpy(runs + l->off_end, &nan, 8);
    memcpy(runs + l->off_wall, &nan, 8);
    h5layout_results_row(l, results, runs, NULL);
}

void h5layout_pending_rows(const layout *l, const h5out_spec *s,
                           const unsigned char *tmpl_runs,
                           const unsigned char *tmpl_results, unsigned char *runs,
                           unsigned char *results, uint64_t run)
{
    runspace sp = h5spec_space(s);
    uint64_t point = runspace_point(&sp, run), rep = runspace_replication(&sp, run);
    memcpy(runs, tmpl_runs, l->runs_size);
    memcpy(runs, &run, 8);
    memcpy(runs + 8, &point, 8);
    memcpy(runs + 16, &rep, 8);
    runs[OFF_PILOT] = runspace_is_pilot(&sp, run);
    /* h5layout_results_row copies the ids, and only they depend on the run */
    memcpy(results, tmpl_results, l->results_size);
    memcpy(results, runs, OFF_WARMUP + 8);
}

int h5layout_runs_unpack(const layout *l, const unsigned char *buf, run_result *r)
{
    memcpy(&r->run, buf, 8);
    memcpy(&r->point, buf + 8, 8);
    memcpy(&r->replication, buf + 16, 8);
    char status[STATUS_LEN + 1] = {0};
    memcpy(status, buf + 24, STATUS_LEN);
    if (!run_status_parse(status, &r->status))
        r->status = RUN_FAILED;
    r->pilot = buf[OFF_PILOT] != 0;
    memcpy(&r->warmup, buf + OFF_WARMUP, 8);
    for (size_t k = 0; k < l->nparams; k++) {
        const param_col *c = &l->cols[k];
        if (c->len == 0) {
            memcpy(&r->params[k], buf + c->off, 8);
            continue;
        }
        /* A label that is none of them (a pending row's "") is NaN. */
        r->params[k] = NAN;
        for (size_t i = 0; i < c->nlabels; i++)
            if (strncmp((const char *)buf + c->off, c->labels[i], c->len) == 0) {
                r->params[k] = (double)i;
                break;
            }
    }
    memcpy(&r->end_time, buf + l->off_end, 8);
    memcpy(&r->events, buf + l->off_events, 8);
    memcpy(&r->wall_s, buf + l->off_wall, 8);
    char msg[H5OUT_MESSAGE_LEN];
    memcpy(msg, buf + l->off_msg, H5OUT_MESSAGE_LEN);
    msg[H5OUT_MESSAGE_LEN - 1] = '\0';
    r->message = NULL;
    if (msg[0] && !(r->message = strdup(msg)))
        return H5OUT_ENOMEM;
    return 0;
}

/* ---- datasets ---------------------------------------------------------- */

hsize_t h5layout_chunk(hsize_t rows, hsize_t chunk)
{
    return rows == 0 || rows >= chunk ? chunk : rows;
}

hid_t h5layout_dataset_create(hid_t loc, const char *name, hid_t type, hsize_t rows,
                              hsize_t chunk, int level)
{
    hsize_t dims[1] = {rows}, maxdims[1] = {H5S_UNLIMITED}, cdims[1] = {chunk};
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t ds = H5I_INVALID_HID;
    if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 1, cdims) < 0)
        goto out;
    if (level > 0 &&
        (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, (unsigned)level) < 0))
        goto out;
    ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
out:
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return ds;
}

/* Writes rows [start, start + count) of a 1-D dataset from src, or reads
 * them into dst (exactly one of the two is set). */
static int rows_xfer(hid_t ds, hid_t type, uint64_t start, uint64_t count,
                     const void *src, void *dst)
{
    if (count == 0)
        return 0;
    assert(!src != !dst);
    hsize_t off[1] = {start}, cnt[1] = {count};
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, cnt, NULL);
    int rc = -1;
    if (fs >= 0 && ms >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL) >= 0 &&
        (src ? H5Dwrite(ds, type, ms, fs, H5P_DEFAULT, src)
             : H5Dread(ds, type, ms, fs, H5P_DEFAULT, dst)) >= 0)
        rc = 0;
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

int h5layout_rows_write(hid_t ds, hid_t type, uint64_t start, uint64_t count,
                        const void *buf)
{
    return rows_xfer(ds, type, start, count, buf, NULL);
}

int h5layout_rows_read(hid_t ds, hid_t type, uint64_t start, uint64_t count, void *buf)
{
    return rows_xfer(ds, type, start, count, NULL, buf);
}

uint64_t h5layout_dataset_rows(hid_t ds)
{
    hsize_t dims[1] = {0};
    hid_t fs = H5Dget_space(ds);
    if (fs < 0)
        return 0;
    H5Sget_simple_extent_dims(fs, dims, NULL);
    H5Sclose(fs);
    return dims[0];
}

int h5layout_rows_append(hid_t ds, hid_t type, uint64_t *rows, uint64_t count,
                         const void *buf)
{
    if (count == 0)
        return 0;
    hsize_t dims[1] = {*rows + count};
    if (H5Dset_extent(ds, dims) < 0 ||
        h5layout_rows_write(ds, type, *rows, count, buf) < 0)
        return -1;
    *rows += count;
    return 0;
}

/* ---- attributes -------------------------------------------------------- */

static int attr_write(hid_t loc, const char *name, hid_t type, hid_t space,
                      const void *buf)
{
    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0)
        return -1;
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return -1;
    int rc = H5Awrite(a, type, buf) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

hid_t h5layout_vlen_str(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

int h5layout_attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t t = h5layout_vlen_str(), sp = H5Screate(H5S_SCALAR);
    int rc = attr_write(loc, name, t, sp, &value);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

int h5layout_attr_strs(hid_t loc, const char *name, size_t n, const char *const *values)
{
    hsize_t dims[1] = {n};
    hid_t t = h5layout_vlen_str(),
          sp = n ? H5Screate_simple(1, dims, NULL) : H5Screate(H5S_NULL);
    static const char *none = NULL;
    int rc =
        attr_write(loc, name, t, sp, n ? (const void *)values : (const void *)&none);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

/* A scalar attribute of a native numeric type. */
static int attr_scalar(hid_t loc, const char *name, hid_t type, const void *v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    int rc = attr_write(loc, name, type, sp, v);
    H5Sclose(sp);
    return rc;
}

int h5layout_attr_u64(hid_t loc, const char *name, uint64_t v)
{
    return attr_scalar(loc, name, H5T_NATIVE_UINT64, &v);
}

int h5layout_attr_int(hid_t loc, const char *name, int v)
{
    return attr_scalar(loc, name, H5T_NATIVE_INT, &v);
}

int h5layout_attr_doubles(hid_t loc, const char *name, size_t n, const double *v)
{
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    int rc = attr_write(loc, name, H5T_NATIVE_DOUBLE, sp, v);
    H5Sclose(sp);
    return rc;
}

int h5layout_attr_double(hid_t loc, const char *name, double v)
{
    return attr_scalar(loc, name, H5T_NATIVE_DOUBLE, &v);
}
