/*
 * h5in.c — the reader of output files (h5in.h).
 */
#include "batch/h5in.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/h5layout.h"

struct h5in {
    h5out_spec spec;
    char **owned; /* every allocation behind spec */
    size_t nowned;
    char *path;
    layout l;
    hid_t file, runs, scalars, drift, drift_idx, drift_hist; /* drift_hist: format 5 */
    hid_t *traces, *trace_idx;
    uint8_t *status; /* run_status per row */
    uint64_t runs_done;
    int complete, format;
    prov_session *sessions;
    size_t nsessions;
    char msg[512];
};

/* Keeps p (any allocation) until h5in_close. */
static int own_ptr(h5in *in, void *p)
{
    char **o = realloc(in->owned, (in->nowned + 1) * sizeof *o);
    if (!o) {
        free(p);
        return -1;
    }
    in->owned = o;
    in->owned[in->nowned++] = p;
    return 0;
}

static char *own(h5in *in, const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c || own_ptr(in, c) < 0)
        return NULL;
    return c;
}

static int read_attr_str(h5in *in, const char *name, const char **out)
{
    hid_t a = H5Aopen(in->file, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t t = h5layout_vlen_str();
    char *v = NULL;
    int rc = H5Aread(a, t, &v) < 0 ? -1 : 0;
    if (rc == 0) {
        *out = own(in, v);
        rc = *out ? 0 : -1;
        H5free_memory(v);
    }
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

static int read_attr_strs(h5in *in, const char *name, size_t *n,
                          const char *const **out)
{
    hid_t a = H5Aopen(in->file, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t sp = H5Aget_space(a), t = h5layout_vlen_str();
    hssize_t cnt = H5Sget_simple_extent_type(sp) == H5S_NULL
                       ? 0
                       : H5Sget_simple_extent_npoints(sp);
    char **v = cnt >= 0 ? calloc((size_t)cnt + 1, sizeof *v) : NULL;
    const char **res = cnt >= 0 ? calloc((size_t)cnt + 1, sizeof *res) : NULL;
    int rc = -1;
    if (v && res && (cnt == 0 || H5Aread(a, t, v) >= 0)) {
        rc = 0;
        for (hssize_t i = 0; i < cnt; i++)
            if (!(res[i] = own(in, v[i])))
                rc = -1;
        if (cnt)
            H5Dvlen_reclaim(t, sp, H5P_DEFAULT, v);
        *n = (size_t)cnt;
        *out = res;
        if (own_ptr(in, res) < 0)
            rc = -1;
        res = NULL;
    }
    free(res);
    free(v);
    H5Tclose(t);
    H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

/* A scalar root attribute, read as a native numeric type. */
static int read_attr_scalar(h5in *in, const char *name, hid_t type, void *v)
{
    hid_t a = H5Aopen(in->file, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    int rc = H5Aread(a, type, v) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

static int read_attr_u64(h5in *in, const char *name, uint64_t *v)
{
    return read_attr_scalar(in, name, H5T_NATIVE_UINT64, v);
}

static int read_attr_int(h5in *in, const char *name, int *v)
{
    return read_attr_scalar(in, name, H5T_NATIVE_INT, v);
}

/* Whether the root has attribute `name` (a format-4 setting; older
 * files have none, and their defaults stand). */
static bool has_attr(h5in *in, const char *name)
{
    return H5Aexists(in->file, name) > 0;
}

/* The warm-up method, pilots, shard rule and precision target (format 4;
 * files of format 2 and 3 had none of them). */
static int read_statistics(h5in *in)
{
    h5out_spec *s = &in->spec;
    const char *by = "run";
    s->precision_half_width = s->precision_relative_half_width = NAN;
    s->precision_confidence = 0.95;
    if ((has_attr(in, "warmup_method") &&
         read_attr_str(in, "warmup_method", &s->warmup_method) < 0) ||
        (has_attr(in, "warmup_trace") &&
         read_attr_str(in, "warmup_trace", &s->warmup_trace) < 0) ||
        (has_attr(in, "pilot_replications") &&
         read_attr_u64(in, "pilot_replications", &s->pilots) < 0) ||
        (has_attr(in, "shard_by") && read_attr_str(in, "shard_by", &by) < 0) ||
        (has_attr(in, "precision_scalars") &&
         read_attr_strs(in, "precision_scalars", &s->nprecision,
                        &s->precision_scalars) < 0))
        return -1;
    s->shard_by_point = strcmp(by, "point") == 0;
    if (!s->warmup_method &&
        !(s->warmup_method = own(in, s->warmup > 0 ? "fixed" : "none")))
        return -1;
    if (!s->warmup_trace && !(s->warmup_trace = own(in, "")))
        return -1;
    double *d[] = {&s->precision_half_width, &s->precision_relative_half_width,
                   &s->precision_confidence};
    const char *dn[] = {"precision_half_width", "precision_relative_half_width",
                        "precision_confidence"};
    for (size_t i = 0; i < 3; i++)
        if (has_attr(in, dn[i]) &&
            read_attr_scalar(in, dn[i], H5T_NATIVE_DOUBLE, d[i]) < 0)
            return -1;
    uint64_t *u[] = {&s->precision_min, &s->precision_max};
    const char *un[] = {"precision_min_replications", "precision_max_replications"};
    for (size_t i = 0; i < 2; i++)
        if (has_attr(in, un[i]) && read_attr_u64(in, un[i], u[i]) < 0)
            return -1;
    return 0;
}

/* The optional string array attribute `name` of n entries (units, help
 * texts: format 5), all "" in a file without it; 0 or -1 (unreadable, or
 * not n entries). */
static int read_texts(h5in *in, const char *name, size_t n, const char *const **out)
{
    size_t got = 0;
    if (has_attr(in, name))
        return read_attr_strs(in, name, &got, out) < 0 || got != n ? -1 : 0;
    const char **empty = calloc(n + 1, sizeof *empty);
    if (!empty || own_ptr(in, empty) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        empty[i] = "";
    *out = empty;
    return 0;
}

/* The parameter types (format 5: required; older: not known, NULL), the
 * units and help texts. */
static int read_descriptions(h5in *in)
{
    h5out_spec *s = &in->spec;
    size_t n = 0;
    s->param_types = NULL;
    if (in->format >= 5 || has_attr(in, "parameter_types")) {
        if (read_attr_strs(in, "parameter_types", &n, &s->param_types) < 0 ||
            n != s->nparams)
            return -1;
    }
    return read_texts(in, "parameter_units", s->nparams, &s->param_units) < 0 ||
                   read_texts(in, "parameter_help", s->nparams, &s->param_help) < 0 ||
                   read_texts(in, "scalar_units", s->nscalars, &s->scalar_units) < 0 ||
                   read_texts(in, "scalar_help", s->nscalars, &s->scalar_help) < 0 ||
                   read_texts(in, "trace_units", s->ntraces, &s->trace_units) < 0 ||
                   read_texts(in, "trace_help", s->ntraces, &s->trace_help) < 0
               ? -1
               : 0;
}

/* The root attributes into in->spec; 0 or -1. */
static int read_spec(h5in *in)
{
    h5out_spec *s = &in->spec;
    const char **strs[] = {&s->usim_version, &s->git_revision, &s->compiler,
                           &s->cflags,       &s->config,       &s->config_sha256,
                           &s->model,        &s->model_path,   &s->model_sha256,
                           &s->description};
    const char *names[] = {"usim_version", "git_revision",  "compiler", "cflags",
                           "config",       "config_sha256", "model",    "model_path",
                           "model_sha256", "description"};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        if (read_attr_str(in, names[i], strs[i]) < 0)
            return -1;
    uint64_t *nums[] = {&s->seed,         &s->nruns,       &s->npoints,
                        &s->replications, &s->shard_index, &s->shard_count,
                        &in->runs_done};
    const char *num_names[] = {"seed",        "nruns",       "npoints",  "replications",
                               "shard_index", "shard_count", "runs_done"};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
        if (read_attr_u64(in, num_names[i], nums[i]) < 0)
            return -1;
    /* Files of earlier builds have no mode: their runs were independent. */
    if (H5Aexists(in->file, "random_numbers") > 0) {
        if (read_attr_str(in, "random_numbers", &s->random_numbers) < 0)
            return -1;
    } else if ((s->random_numbers = own(in, "independent")) == NULL) {
        return -1;
    }
    /* Files written before the warm-up existed have none: 0. */
    s->warmup = 0;
    s->resolution = 0;
    if (H5Aexists(in->file, "resolution") > 0 &&
        read_attr_scalar(in, "resolution", H5T_NATIVE_DOUBLE, &s->resolution) < 0)
        return -1;
    if (H5Aexists(in->file, "warmup") > 0 &&
        read_attr_scalar(in, "warmup", H5T_NATIVE_DOUBLE, &s->warmup) < 0)
        return -1;
    if (read_statistics(in) < 0)
        return -1;
    /* Format 2 has no labels: every parameter is a number. */
    size_t nlabels = 0;
    if (H5Aexists(in->file, "parameter_labels") > 0 &&
        read_attr_strs(in, "parameter_labels", &nlabels, &s->param_labels) < 0)
        return -1;
    /* One label set per parameter, or none (checked after "parameters"). */
    if (read_attr_strs(in, "parameters", &s->nparams, &s->params) < 0 ||
        read_attr_strs(in, "scalars", &s->nscalars, &s->scalars) < 0 ||
        read_attr_strs(in, "traces", &s->ntraces, &s->traces) < 0 ||
        read_attr_int(in, "compression", &s->compression) < 0 ||
        read_attr_int(in, "git_dirty", &s->git_dirty) < 0 ||
        read_attr_int(in, "complete", &in->complete) < 0)
        return -1;
    if (s->param_labels != NULL && nlabels != s->nparams)
        return -1;
    return read_descriptions(in);
}

/* The status column, in blocks (only the "status" member is read). */
static int read_status(h5in *in)
{
    uint64_t rows = h5spec_rows(&in->spec);
    char(*st)[STATUS_LEN] = calloc(INIT_BLOCK, STATUS_LEN);
    if (!st)
        return H5OUT_ENOMEM;
    for (uint64_t r0 = 0; r0 < rows; r0 += INIT_BLOCK) {
        uint64_t n = rows - r0 < INIT_BLOCK ? rows - r0 : INIT_BLOCK;
        if (h5layout_rows_read(in->runs, in->l.status_t, r0, n, st) < 0) {
            free(st);
            return h5layout_fail(in->msg, sizeof in->msg, "cannot read /runs",
                                 in->path);
        }
        for (uint64_t i = 0; i < n; i++) {
            run_status s;
            st[i][STATUS_LEN - 1] = '\0';
            in->status[r0 + i] =
                (uint8_t)(run_status_parse(st[i], &s) ? s : RUN_FAILED);
        }
    }
    free(st);
    return 0;
}

static int read_sessions(h5in *in)
{
    hid_t ds = H5Dopen2(in->file, "shards", H5P_DEFAULT);
    if (ds < 0)
        return h5layout_fail(in->msg, sizeof in->msg, "cannot open /shards", in->path);
    uint64_t n = h5layout_dataset_rows(ds);
    int rc = 0;
    in->sessions = calloc(n + 1, sizeof *in->sessions);
    if (!in->sessions)
        rc = H5OUT_ENOMEM;
    else if (h5layout_rows_read(ds, in->l.session_t, 0, n, in->sessions) < 0)
        rc = h5layout_fail(in->msg, sizeof in->msg, "cannot read /shards", in->path);
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
        in->sessions[i].host[PROV_HOST_LEN - 1] = '\0';
        in->sessions[i].start[PROV_TIME_LEN - 1] = '\0';
        in->sessions[i].end[PROV_TIME_LEN - 1] = '\0';
    }
    in->nsessions = rc == 0 ? n : 0;
    H5Dclose(ds);
    return rc;
}

int h5in_open(h5in **out, const char *path, char *err, size_t errlen)
{
    h5layout_library();
    h5in *in = calloc(1, sizeof *in);
    if (!in)
        return H5OUT_ENOMEM;
    in->file = in->runs = in->scalars = in->drift = in->drift_idx = in->drift_hist =
        H5I_INVALID_HID;
    in->path = strdup(path);
    int rc = H5OUT_EIO;
    in->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (in->file < 0) {
        rc = h5layout_fail(err, errlen, "cannot open", path);
        goto fail;
    }
    h5out_spec *s = &in->spec;
    int fmt = 0;
    if (read_attr_int(in, "format_version", &fmt) < 0) {
        h5spec_set_err(err, errlen, "%s: not a usim output file (no format_version)",
                       path);
        rc = H5OUT_EMISMATCH;
        goto fail;
    }
    if (fmt < H5OUT_FORMAT_OLDEST || fmt > H5OUT_FORMAT_VERSION) {
        h5spec_set_err(err, errlen,
                       "%s: written in usim's output format %d; this usim (%s) reads "
                       "formats %d to %d: use the usim that wrote it, or run the "
                       "experiment again",
                       path, fmt, provenance_build()->version, H5OUT_FORMAT_OLDEST,
                       H5OUT_FORMAT_VERSION);
        rc = H5OUT_EMISMATCH;
        goto fail;
    }
    in->format = fmt;
    if (read_spec(in) < 0) {
        rc = h5layout_fail(err, errlen, "cannot read the root attributes", path);
        goto fail;
    }
    if (s->param_labels == NULL && fmt >= 3) {
        h5spec_set_err(err, errlen, "%s: format %d without parameter_labels", path,
                       fmt);
        goto fail;
    }
    if (s->shard_count == 0 || s->shard_index >= s->shard_count) {
        h5spec_set_err(err, errlen, "%s: shard %llu of %llu is not a shard", path,
                       (unsigned long long)s->shard_index,
                       (unsigned long long)s->shard_count);
        goto fail;
    }
    if (h5layout_init(&in->l, s, err, errlen) < 0)
        goto fail;
    uint64_t rows = h5spec_rows(s);
    in->traces = calloc(s->ntraces + 1, sizeof *in->traces);
    in->trace_idx = calloc(s->ntraces + 1, sizeof *in->trace_idx);
    in->status = malloc(rows + 1);
    if (!in->traces || !in->trace_idx || !in->status) {
        rc = H5OUT_ENOMEM;
        goto fail;
    }
    for (size_t k = 0; k < s->ntraces; k++)
        in->traces[k] = in->trace_idx[k] = H5I_INVALID_HID;
    bool ok = (in->runs = H5Dopen2(in->file, "runs", H5P_DEFAULT)) >= 0 &&
              (in->scalars = H5Dopen2(in->file, "scalars", H5P_DEFAULT)) >= 0 &&
              (in->drift = H5Dopen2(in->file, "drift", H5P_DEFAULT)) >= 0 &&
              (in->drift_idx = H5Dopen2(in->file, "index/drift", H5P_DEFAULT)) >= 0;
    /* Files before format 5 have no drift histogram: their runs read
     * back with zeros. */
    if (ok && H5Lexists(in->file, "drift_hist", H5P_DEFAULT) > 0)
        ok = (in->drift_hist = H5Dopen2(in->file, "drift_hist", H5P_DEFAULT)) >= 0;
    for (size_t k = 0; ok && k < s->ntraces; k++) {
        size_t len = strlen(s->traces[k]) + sizeof "index/traces/";
        char *name = malloc(len);
        ok = name != NULL;
        if (ok) {
            snprintf(name, len, "traces/%s", s->traces[k]);
            ok = (in->traces[k] = H5Dopen2(in->file, name, H5P_DEFAULT)) >= 0;
            snprintf(name, len, "index/traces/%s", s->traces[k]);
            ok = ok && (in->trace_idx[k] = H5Dopen2(in->file, name, H5P_DEFAULT)) >= 0;
        }
        free(name);
    }
    if (!ok || h5layout_dataset_rows(in->runs) != rows) {
        rc = h5layout_fail(err, errlen, "cannot open the datasets", path);
        goto fail;
    }
    if ((rc = read_status(in)) < 0 || (rc = read_sessions(in)) < 0) {
        h5spec_set_err(err, errlen, "%s", in->msg[0] ? in->msg : "out of memory");
        goto fail;
    }
    *out = in;
    return 0;
fail:
    h5in_close(in);
    return rc;
}

const h5out_spec *h5in_spec(const h5in *in)
{
    return &in->spec;
}

run_status h5in_status(const h5in *in, uint64_t run)
{
    assert(run < in->spec.nruns);
    if (!h5spec_holds(&in->spec, run))
        return RUN_PENDING;
    return (run_status)in->status[h5spec_row(&in->spec, run)];
}

int h5in_format(const h5in *in)
{
    return in->format;
}

uint64_t h5in_runs_done(const h5in *in)
{
    return in->runs_done;
}

bool h5in_complete(const h5in *in)
{
    return in->complete != 0;
}

const prov_session *h5in_sessions(const h5in *in, size_t *n)
{
    *n = in->nsessions;
    return in->sessions;
}

const char *h5in_errmsg(const h5in *in)
{
    return in->msg;
}

static int read_index(h5in *in, hid_t ds, uint64_t run, hid_t data, index_row *idx)
{
    if (h5layout_rows_read(ds, in->l.index_t, h5spec_row(&in->spec, run), 1, idx) < 0)
        return -1;
    if (idx->run != run || idx->start + idx->count > h5layout_dataset_rows(data)) {
        snprintf(in->msg, sizeof in->msg, "%s: index of run %llu is inconsistent",
                 in->path, (unsigned long long)run);
        return -2;
    }
    return 0;
}

int h5in_read_run(h5in *in, uint64_t run, run_result **out)
{
    const h5out_spec *s = &in->spec;
    const layout *l = &in->l;
    in->msg[0] = '\0';
    if (!h5spec_holds(s, run)) {
        snprintf(in->msg, sizeof in->msg, "%s: holds no run %llu", in->path,
                 (unsigned long long)run);
        return H5OUT_EIO;
    }
    uint64_t row = h5spec_row(s, run);
    run_result *r = calloc(1, sizeof *r);
    size_t ssz = h5layout_scalar_size(l);
    unsigned char *buf =
        malloc(l->runs_size > ssz * (s->nscalars + 1) ? l->runs_size
                                                      : ssz * (s->nscalars + 1));
    int rc = H5OUT_ENOMEM;
    if (!r || !buf)
        goto fail;
    r->nparams = s->nparams;
    r->nscalars = s->nscalars;
    r->ntraces = s->ntraces;
    r->params = calloc(s->nparams + 1, sizeof(double));
    r->scalars = calloc(s->nscalars + 1, sizeof(double));
    r->traces = calloc(s->ntraces + 1, sizeof *r->traces);
    if (!r->params || !r->scalars || !r->traces)
        goto fail;
    rc = H5OUT_EIO;
    if (h5layout_rows_read(in->runs, l->runs_t, row, 1, buf) < 0)
        goto h5fail;
    if (h5layout_runs_unpack(l, buf, r) < 0) {
        rc = H5OUT_ENOMEM;
        goto fail;
    }
    if (s->nscalars) {
        if (h5layout_rows_read(in->scalars, l->scalar_t, row * s->nscalars, s->nscalars,
                               buf) < 0)
            goto h5fail;
        for (size_t k = 0; k < s->nscalars; k++)
            r->scalars[k] = ((scalar_row *)(buf + k * ssz))->value;
    }
    if (in->drift_hist > 0) {
        drift_hist_row hist;
        if (h5layout_rows_read(in->drift_hist, l->drift_hist_t, row, 1, &hist) < 0)
            goto h5fail;
        memcpy(r->drift_hist, hist.count, sizeof r->drift_hist);
    }
    index_row idx;
    int ir = read_index(in, in->drift_idx, run, in->drift, &idx);
    if (ir == -1)
        goto h5fail;
    if (ir < 0)
        goto fail;
    if (idx.count) {
        drift_row *rows = calloc(idx.count, sizeof *rows);
        r->drift = calloc(idx.count, sizeof *r->drift);
        if (!rows || !r->drift) {
            free(rows);
            rc = H5OUT_ENOMEM;
            goto fail;
        }
        if (h5layout_rows_read(in->drift, l->drift_t, idx.start, idx.count, rows) < 0) {
            free(rows);
            goto h5fail;
        }
        r->ndrift = idx.count;
        for (size_t i = 0; i < idx.count; i++) {
            rows[i].task[TASK_LEN - 1] = '\0';
            r->drift[i].task = strdup(rows[i].task);
            r->drift[i].st = (usim_drift_stats){.waits = rows[i].waits,
                                                .requested = rows[i].requested,
                                                .actual = rows[i].actual,
                                                .mean_abs = rows[i].mean,
                                                .max_abs = rows[i].max_abs,
                                                .final = rows[i].final,
                                                .overruns = rows[i].overruns};
        }
        free(rows);
    }
    for (size_t k = 0; k < s->ntraces; k++) {
        ir = read_index(in, in->trace_idx[k], run, in->traces[k], &idx);
        if (ir == -1)
            goto h5fail;
        if (ir < 0)
            goto fail;
        run_trace *tr = &r->traces[k];
        if (!idx.count)
            continue;
        trace_row *rows = malloc(idx.count * sizeof *rows);
        tr->t = malloc(idx.count * sizeof(double));
        tr->v = malloc(idx.count * sizeof(double));
        if (!rows || !tr->t || !tr->v) {
            free(rows);
            rc = H5OUT_ENOMEM;
            goto fail;
        }
        if (h5layout_rows_read(in->traces[k], l->trace_t, idx.start, idx.count, rows) <
            0) {
            free(rows);
            goto h5fail;
        }
        tr->n = idx.count;
        for (size_t i = 0; i < idx.count; i++) {
            tr->t[i] = rows[i].t;
            tr->v[i] = rows[i].value;
        }
        free(rows);
    }
    free(buf);
    *out = r;
    return 0;
h5fail:
    h5layout_fail(in->msg, sizeof in->msg, "cannot read a run", in->path);
fail:
    if (!in->msg[0] && rc == H5OUT_ENOMEM)
        snprintf(in->msg, sizeof in->msg, "out of memory");
    free(buf);
    if (r)
        run_result_free(r);
    return rc;
}

void h5in_close(h5in *in)
{
    if (!in)
        return;
    for (size_t k = 0; k < in->spec.ntraces && in->traces; k++) {
        if (in->traces[k] > 0)
            H5Dclose(in->traces[k]);
        if (in->trace_idx && in->trace_idx[k] > 0) /* NULL if its calloc failed */
            H5Dclose(in->trace_idx[k]);
    }
    hid_t ds[] = {in->runs, in->scalars, in->drift, in->drift_idx, in->drift_hist};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++)
        if (ds[i] > 0)
            H5Dclose(ds[i]);
    if (in->file > 0)
        H5Fclose(in->file);
    h5layout_free(&in->l);
    for (size_t i = 0; i < in->nowned; i++)
        free(in->owned[i]);
    free(in->owned);
    free(in->traces);
    free(in->trace_idx);
    free(in->status);
    free(in->sessions);
    free(in->path);
    free(in);
}
