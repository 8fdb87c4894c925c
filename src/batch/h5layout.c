/*
 * h5layout.c — writing and reading the datasets of an output file
 * (h5layout.h for the layout; h5in_* of h5out.h is the reading half).
 *
 * Row types are compounds built from the spec at run time (one column per
 * model parameter).  Memory and file types are the same native types: the
 * supported targets (x86-64, aarch64) are little-endian, and HDF5 records
 * the byte order in the file, so readers elsewhere convert.
 */
#include "batch/h5layout.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdf5.h>

#include "usim.h"

#define STATUS_LEN 10 /* "deadlock" + NUL, rounded */
#define TASK_LEN 64
#define RUNS_CHUNK 256
#define SCALARS_CHUNK 4096
#define DRIFT_CHUNK 1024
#define TRACE_CHUNK 8192
#define INDEX_CHUNK 4096
#define INIT_BLOCK 4096 /* rows written at a time when creating */

static const char *const status_names[] = {"ok", "failed", "limit", "deadlock",
                                           "pending"};

void h5layout_set_err(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

static herr_t last_error_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    char **out = data;
    if (!*out && e->desc)
        *out = (char *)e->desc;
    return 0;
}

void h5layout_last_error(char *buf, size_t n)
{
    char *desc = NULL;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, last_error_cb, &desc);
    snprintf(buf, n, "%s", desc ? desc : "");
}

/* err = "what: PATH: innermost HDF5 message". */
static int h5fail(char *err, size_t n, const char *what, const char *path)
{
    char h5[256];
    h5layout_last_error(h5, sizeof h5);
    h5layout_set_err(err, n, "%s: %s%s%s", path, what, h5[0] ? ": " : "", h5);
    return H5OUT_EIO;
}

/* ---- row types --------------------------------------------------------- */

typedef struct layout {
    size_t nparams, nscalars, ntraces;
    size_t runs_size, off_params, off_end, off_events, off_wall, off_msg;
    size_t name_len; /* scalar name column */
    hid_t runs_t, scalar_t, drift_t, trace_t, index_t, status_t;
} layout;

typedef struct scalar_row {
    uint64_t run;
    double value;
    char name[]; /* name_len bytes; rows are laid out with scalar_row_size */
} scalar_row;

typedef struct drift_row {
    uint64_t run;
    char task[TASK_LEN];
    uint64_t waits;
    double requested, actual, mean, max_abs, final;
    uint64_t overruns;
} drift_row;

typedef struct trace_row {
    uint64_t run;
    double t, value;
} trace_row;

typedef struct index_row {
    uint64_t run, start, count;
} index_row;

static hid_t str_type(size_t n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

static size_t scalar_row_size(const layout *l)
{
    return (sizeof(scalar_row) + l->name_len + 7) & ~(size_t)7;
}

static void layout_free(layout *l)
{
    hid_t *ts[] = {&l->runs_t,  &l->scalar_t, &l->drift_t,
                   &l->trace_t, &l->index_t,  &l->status_t};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        if (*ts[i] > 0)
            H5Tclose(*ts[i]);
        *ts[i] = H5I_INVALID_HID;
    }
}

static int layout_init(layout *l, const h5out_spec *s, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->runs_t = l->scalar_t = l->drift_t = l->trace_t = l->index_t = l->status_t =
        H5I_INVALID_HID;
    l->nparams = s->nparams;
    l->nscalars = s->nscalars;
    l->ntraces = s->ntraces;
    l->off_params = 24 + 16; /* run, point, replication, status (padded) */
    l->off_end = l->off_params + 8 * s->nparams;
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

    l->runs_t = H5Tcreate(H5T_COMPOUND, l->runs_size);
    ok &= H5Tinsert(l->runs_t, "run", 0, H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->runs_t, "point", 8, H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->runs_t, "replication", 16, H5T_NATIVE_UINT64) >= 0;
    ok &= H5Tinsert(l->runs_t, "status", 24, st) >= 0;
    for (size_t k = 0; ok && k < s->nparams; k++) {
        if (H5Tinsert(l->runs_t, s->params[k], l->off_params + 8 * k,
                      H5T_NATIVE_DOUBLE) < 0) {
            h5layout_set_err(err, errlen,
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
            h5layout_set_err(err, errlen,
                             "a parameter name clashes with a column of /runs");
    }

    l->scalar_t = H5Tcreate(H5T_COMPOUND, scalar_row_size(l));
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

    H5Tclose(st);
    H5Tclose(msg);
    H5Tclose(name);
    H5Tclose(task);
    if (!ok) {
        if (err && !err[0])
            h5layout_set_err(err, errlen, "cannot build the row types");
        layout_free(l);
        return H5OUT_EIO;
    }
    return 0;
}

/* Fills a /runs row (buf: l->runs_size bytes). */
static void runs_row_fill(const layout *l, unsigned char *buf, const run_result *r)
{
    memset(buf, 0, l->runs_size);
    memcpy(buf, &r->run, 8);
    memcpy(buf + 8, &r->point, 8);
    memcpy(buf + 16, &r->replication, 8);
    unsigned st = r->status <= RUN_PENDING ? (unsigned)r->status : RUN_FAILED;
    strcpy((char *)buf + 24, status_names[st]);
    if (l->nparams)
        memcpy(buf + l->off_params, r->params, 8 * l->nparams);
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

/* A pending row: what a file holds for a run before it is done. */
static void runs_row_pending(const layout *l, const h5out_spec *s, unsigned char *buf,
                             uint64_t run)
{
    double nan = NAN;
    memset(buf, 0, l->runs_size);
    uint64_t point = run / s->replications, rep = run % s->replications;
    memcpy(buf, &run, 8);
    memcpy(buf + 8, &point, 8);
    memcpy(buf + 16, &rep, 8);
    strcpy((char *)buf + 24, status_names[RUN_PENDING]);
    for (size_t k = 0; k < l->nparams; k++)
        memcpy(buf + l->off_params + 8 * k, &nan, 8);
    memcpy(buf + l->off_end, &nan, 8);
    memcpy(buf + l->off_wall, &nan, 8);
}

/* ---- dataset helpers --------------------------------------------------- */

static hid_t dataset_create(hid_t loc, const char *name, hid_t type, hsize_t rows,
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

static int rows_write(hid_t ds, hid_t type, uint64_t start, uint64_t count,
                      const void *buf)
{
    return rows_xfer(ds, type, start, count, buf, NULL);
}

static int rows_read(hid_t ds, hid_t type, uint64_t start, uint64_t count, void *buf)
{
    return rows_xfer(ds, type, start, count, NULL, buf);
}

static uint64_t dataset_rows(hid_t ds)
{
    hsize_t dims[1] = {0};
    hid_t fs = H5Dget_space(ds);
    if (fs < 0)
        return 0;
    H5Sget_simple_extent_dims(fs, dims, NULL);
    H5Sclose(fs);
    return dims[0];
}

/* Appends rows at the end; *rows is the current row count. */
static int rows_append(hid_t ds, hid_t type, uint64_t *rows, uint64_t count,
                       const void *buf)
{
    if (count == 0)
        return 0;
    hsize_t dims[1] = {*rows + count};
    if (H5Dset_extent(ds, dims) < 0 || rows_write(ds, type, *rows, count, buf) < 0)
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

static hid_t vlen_str(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static int attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t t = vlen_str(), sp = H5Screate(H5S_SCALAR);
    int rc = attr_write(loc, name, t, sp, &value);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static int attr_strs(hid_t loc, const char *name, size_t n, const char *const *values)
{
    hsize_t dims[1] = {n};
    hid_t t = vlen_str(),
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

static int attr_u64(hid_t loc, const char *name, uint64_t v)
{
    return attr_scalar(loc, name, H5T_NATIVE_UINT64, &v);
}

static int attr_int(hid_t loc, const char *name, int v)
{
    return attr_scalar(loc, name, H5T_NATIVE_INT, &v);
}

/* ---- writing ----------------------------------------------------------- */

struct h5file {
    h5out_spec spec; /* borrowed from the caller, outlives the file */
    char *path;
    layout l;
    hid_t file, runs, scalars, drift, drift_idx, grp_traces, grp_index,
        grp_index_traces;
    hid_t *traces, *trace_idx;
    uint64_t drift_rows, *trace_rows;
    unsigned char *rowbuf; /* one /runs row, or scalar rows of one run */
};

static int write_root_attrs(h5file *f)
{
    const h5out_spec *s = &f->spec;
    hid_t root = f->file;
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = 0;
    rc |= attr_str(root, "usim_version", USIM_VERSION);
    rc |= attr_int(root, "format_version", H5OUT_FORMAT_VERSION);
    rc |= attr_str(root, "config", s->config ? s->config : "");
    rc |= attr_u64(root, "seed", s->seed);
    rc |= attr_str(root, "rng", "philox4x32-10");
    rc |= attr_str(root, "model", s->model ? s->model : "");
    rc |= attr_str(root, "description", s->description ? s->description : "");
    rc |= attr_u64(root, "nruns", s->nruns);
    rc |= attr_u64(root, "npoints", s->npoints);
    rc |= attr_u64(root, "replications", s->replications);
    rc |= attr_strs(root, "parameters", s->nparams, s->params);
    rc |= attr_strs(root, "scalars", s->nscalars, s->scalars);
    rc |= attr_strs(root, "traces", s->ntraces, s->traces);
    rc |= attr_int(root, "compression", s->compression);
    rc |= attr_int(root, "complete", 0);
    rc |= attr_u64(root, "runs_done", 0);
    rc |= attr_str(root, "created", created);
    return rc ? -1 : 0;
}

/* Writes the pending contents of the fixed-size datasets. */
static int write_initial_rows(h5file *f)
{
    const h5out_spec *s = &f->spec;
    const layout *l = &f->l;
    size_t ssz = scalar_row_size(l);
    size_t blk = INIT_BLOCK;
    unsigned char *buf = calloc(blk, l->runs_size > ssz ? l->runs_size : ssz);
    index_row *idx = calloc(blk, sizeof *idx);
    int rc = -1;
    if (!buf || !idx)
        goto out;
    for (uint64_t r0 = 0; r0 < s->nruns; r0 += blk) {
        uint64_t n = s->nruns - r0 < blk ? s->nruns - r0 : blk;
        for (uint64_t i = 0; i < n; i++) {
            runs_row_pending(l, s, buf + i * l->runs_size, r0 + i);
            idx[i] = (index_row){.run = r0 + i};
        }
        if (rows_write(f->runs, l->runs_t, r0, n, buf) < 0 ||
            rows_write(f->drift_idx, l->index_t, r0, n, idx) < 0)
            goto out;
        for (size_t k = 0; k < s->ntraces; k++)
            if (rows_write(f->trace_idx[k], l->index_t, r0, n, idx) < 0)
                goto out;
    }
    if (s->nscalars) {
        uint64_t total = s->nruns * s->nscalars;
        for (uint64_t i0 = 0; i0 < total; i0 += blk) {
            uint64_t n = total - i0 < blk ? total - i0 : blk;
            memset(buf, 0, n * ssz);
            for (uint64_t i = 0; i < n; i++) {
                scalar_row *row = (scalar_row *)(buf + i * ssz);
                row->run = (i0 + i) / s->nscalars;
                row->value = NAN;
                strcpy(row->name, s->scalars[(i0 + i) % s->nscalars]);
            }
            if (rows_write(f->scalars, l->scalar_t, i0, n, buf) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    free(buf);
    free(idx);
    return rc;
}

int h5file_create(h5file **out, const h5out_spec *s, const char *path, char *err,
                  size_t errlen)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int level = s->compression; /* shuffle+deflate at that level (0: none) */
    h5file *f = calloc(1, sizeof *f);
    if (!f)
        return H5OUT_ENOMEM;
    f->spec = *s;
    f->file = f->runs = f->scalars = f->drift = f->drift_idx = H5I_INVALID_HID;
    f->grp_traces = f->grp_index = f->grp_index_traces = H5I_INVALID_HID;
    f->path = strdup(path);
    f->traces = calloc(s->ntraces + 1, sizeof *f->traces);
    f->trace_idx = calloc(s->ntraces + 1, sizeof *f->trace_idx);
    f->trace_rows = calloc(s->ntraces + 1, sizeof *f->trace_rows);
    if (!f->path || !f->traces || !f->trace_idx || !f->trace_rows) {
        h5file_close(f, NULL, 0);
        return H5OUT_ENOMEM;
    }
    for (size_t k = 0; k < s->ntraces; k++)
        f->traces[k] = f->trace_idx[k] = H5I_INVALID_HID;
    if (err)
        err[0] = '\0';
    if (layout_init(&f->l, s, err, errlen) < 0) {
        h5file_close(f, NULL, 0);
        return H5OUT_EIO;
    }
    f->rowbuf = calloc(1, f->l.runs_size + scalar_row_size(&f->l) * (s->nscalars + 1));
    if (!f->rowbuf) {
        h5file_close(f, NULL, 0);
        return H5OUT_ENOMEM;
    }

    f->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f->file < 0) {
        int rc = h5fail(err, errlen, "cannot create the output file", path);
        h5file_close(f, NULL, 0);
        return rc;
    }
    const layout *l = &f->l;
    bool ok = write_root_attrs(f) >= 0;
    ok = ok && (f->runs = dataset_create(f->file, "runs", l->runs_t, s->nruns,
                                         RUNS_CHUNK, level)) >= 0;
    ok = ok && (f->scalars =
                    dataset_create(f->file, "scalars", l->scalar_t,
                                   s->nruns * s->nscalars, SCALARS_CHUNK, level)) >= 0;
    ok = ok && (f->drift = dataset_create(f->file, "drift", l->drift_t, 0, DRIFT_CHUNK,
                                          level)) >= 0;
    ok = ok && (f->grp_traces = H5Gcreate2(f->file, "traces", H5P_DEFAULT, H5P_DEFAULT,
                                           H5P_DEFAULT)) >= 0;
    ok = ok && (f->grp_index = H5Gcreate2(f->file, "index", H5P_DEFAULT, H5P_DEFAULT,
                                          H5P_DEFAULT)) >= 0;
    ok = ok && (f->grp_index_traces = H5Gcreate2(f->grp_index, "traces", H5P_DEFAULT,
                                                 H5P_DEFAULT, H5P_DEFAULT)) >= 0;
    ok = ok && (f->drift_idx = dataset_create(f->grp_index, "drift", l->index_t,
                                              s->nruns, INDEX_CHUNK, level)) >= 0;
    for (size_t k = 0; ok && k < s->ntraces; k++) {
        ok = (f->traces[k] = dataset_create(f->grp_traces, s->traces[k], l->trace_t, 0,
                                            TRACE_CHUNK, level)) >= 0 &&
             (f->trace_idx[k] =
                  dataset_create(f->grp_index_traces, s->traces[k], l->index_t,
                                 s->nruns, INDEX_CHUNK, level)) >= 0;
    }
    ok = ok && write_initial_rows(f) >= 0;
    if (!ok) {
        int rc = h5fail(err, errlen, "cannot create the datasets", path);
        h5file_close(f, NULL, 0);
        return rc;
    }
    *out = f;
    return 0;
}

int h5file_put(h5file *f, const run_result *r, char *err, size_t errlen)
{
    const h5out_spec *s = &f->spec;
    const layout *l = &f->l;
    if (r->run >= s->nruns || r->nparams != s->nparams || r->nscalars != s->nscalars ||
        r->ntraces != s->ntraces) {
        h5layout_set_err(
            err, errlen,
            "%s: run %llu does not fit the file (run < %llu, %zu parameters, %zu "
            "scalars, "
            "%zu traces expected)",
            f->path, (unsigned long long)r->run, (unsigned long long)s->nruns,
            s->nparams, s->nscalars, s->ntraces);
        return H5OUT_EIO;
    }
    if (s->nscalars) {
        size_t ssz = scalar_row_size(l);
        memset(f->rowbuf, 0, ssz * s->nscalars);
        for (size_t k = 0; k < s->nscalars; k++) {
            scalar_row *row = (scalar_row *)(f->rowbuf + k * ssz);
            row->run = r->run;
            row->value = r->scalars[k];
            strcpy(row->name, s->scalars[k]);
        }
        if (rows_write(f->scalars, l->scalar_t, r->run * s->nscalars, s->nscalars,
                       f->rowbuf) < 0)
            return h5fail(err, errlen, "cannot write /scalars", f->path);
    }

    index_row idx = {.run = r->run, .start = f->drift_rows, .count = r->ndrift};
    if (r->ndrift) {
        drift_row *rows = calloc(r->ndrift, sizeof *rows);
        if (!rows)
            return H5OUT_ENOMEM;
        for (size_t i = 0; i < r->ndrift; i++) {
            const usim_drift_stats *st = &r->drift[i].st;
            rows[i] = (drift_row){.run = r->run,
                                  .waits = st->waits,
                                  .requested = st->requested,
                                  .actual = st->actual,
                                  .mean = st->mean_abs,
                                  .max_abs = st->max_abs,
                                  .final = st->final,
                                  .overruns = st->overruns};
            snprintf(rows[i].task, TASK_LEN, "%s",
                     r->drift[i].task ? r->drift[i].task : "");
        }
        int rc = rows_append(f->drift, l->drift_t, &f->drift_rows, r->ndrift, rows);
        free(rows);
        if (rc < 0)
            return h5fail(err, errlen, "cannot append to /drift", f->path);
    }
    if (rows_write(f->drift_idx, l->index_t, r->run, 1, &idx) < 0)
        return h5fail(err, errlen, "cannot write /index/drift", f->path);

    for (size_t k = 0; k < s->ntraces; k++) {
        const run_trace *tr = &r->traces[k];
        idx = (index_row){.run = r->run, .start = f->trace_rows[k], .count = tr->n};
        if (tr->n) {
            trace_row *rows = malloc(tr->n * sizeof *rows);
            if (!rows)
                return H5OUT_ENOMEM;
            for (size_t i = 0; i < tr->n; i++)
                rows[i] = (trace_row){.run = r->run, .t = tr->t[i], .value = tr->v[i]};
            int rc =
                rows_append(f->traces[k], l->trace_t, &f->trace_rows[k], tr->n, rows);
            free(rows);
            if (rc < 0)
                return h5fail(err, errlen, "cannot append to a trace", f->path);
        }
        if (rows_write(f->trace_idx[k], l->index_t, r->run, 1, &idx) < 0)
            return h5fail(err, errlen, "cannot write a trace index", f->path);
    }

    runs_row_fill(l, f->rowbuf, r);
    if (rows_write(f->runs, l->runs_t, r->run, 1, f->rowbuf) < 0)
        return h5fail(err, errlen, "cannot write /runs", f->path);
    return 0;
}

int h5file_flush(h5file *f, uint64_t ndone, bool complete, char *err, size_t errlen)
{
    if (attr_u64(f->file, "runs_done", ndone) < 0 ||
        attr_int(f->file, "complete", complete) < 0 ||
        H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        return h5fail(err, errlen, "cannot flush", f->path);
    return 0;
}

int h5file_close(h5file *f, char *err, size_t errlen)
{
    if (!f)
        return 0;
    int rc = 0;
    for (size_t k = 0; k < f->spec.ntraces && f->traces; k++) {
        if (f->traces[k] > 0)
            H5Dclose(f->traces[k]);
        if (f->trace_idx && f->trace_idx[k] > 0) /* NULL if its calloc failed */
            H5Dclose(f->trace_idx[k]);
    }
    hid_t ds[] = {f->runs, f->scalars, f->drift, f->drift_idx};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++)
        if (ds[i] > 0)
            H5Dclose(ds[i]);
    hid_t gs[] = {f->grp_index_traces, f->grp_index, f->grp_traces};
    for (size_t i = 0; i < sizeof gs / sizeof *gs; i++)
        if (gs[i] > 0)
            H5Gclose(gs[i]);
    if (f->file > 0 && H5Fclose(f->file) < 0)
        rc = h5fail(err, errlen, "cannot close", f->path);
    layout_free(&f->l);
    free(f->traces);
    free(f->trace_idx);
    free(f->trace_rows);
    free(f->rowbuf);
    free(f->path);
    free(f);
    return rc;
}

/* ---- spec comparison --------------------------------------------------- */

static int names_cmp(const char *what, size_t na, const char *const *a, size_t nb,
                     const char *const *b, char *err, size_t errlen)
{
    if (na != nb) {
        h5layout_set_err(err, errlen, "%s differ (%zu vs %zu)", what, na, nb);
        return -1;
    }
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i])) {
            h5layout_set_err(err, errlen, "%s differ ('%s' vs '%s')", what, a[i], b[i]);
            return -1;
        }
    return 0;
}

int h5layout_spec_cmp(const h5out_spec *a, const h5out_spec *b, char *err,
                      size_t errlen)
{
    if (strcmp(a->config ? a->config : "", b->config ? b->config : "")) {
        h5layout_set_err(err, errlen, "the experiment configuration differs");
        return -1;
    }
    if (strcmp(a->model ? a->model : "", b->model ? b->model : "")) {
        h5layout_set_err(err, errlen, "the model differs ('%s' vs '%s')", a->model,
                         b->model);
        return -1;
    }
    if (a->seed != b->seed || a->nruns != b->nruns ||
        a->replications != b->replications || a->npoints != b->npoints) {
        h5layout_set_err(err, errlen, "seed, runs, points or replications differ");
        return -1;
    }
    if (names_cmp("parameters", a->nparams, a->params, b->nparams, b->params, err,
                  errlen) < 0 ||
        names_cmp("scalars", a->nscalars, a->scalars, b->nscalars, b->scalars, err,
                  errlen) < 0 ||
        names_cmp("traces", a->ntraces, a->traces, b->ntraces, b->traces, err, errlen) <
            0)
        return -1;
    return 0;
}

/* ---- reading ----------------------------------------------------------- */

struct h5in {
    h5out_spec spec;
    char **owned; /* every allocation behind spec */
    size_t nowned;
    char *path;
    layout l;
    hid_t file, runs, scalars, drift, drift_idx;
    hid_t *traces, *trace_idx;
    uint8_t *status; /* run_status per run */
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
    hid_t t = vlen_str();
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
    hid_t sp = H5Aget_space(a), t = vlen_str();
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

static run_status status_parse(const char *s)
{
    for (unsigned i = 0; i < sizeof status_names / sizeof *status_names; i++)
        if (!strcmp(s, status_names[i]))
            return (run_status)i;
    return RUN_FAILED;
}

int h5in_open(h5in **out, const char *path, char *err, size_t errlen)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5in *in = calloc(1, sizeof *in);
    if (!in)
        return H5OUT_ENOMEM;
    in->file = in->runs = in->scalars = in->drift = in->drift_idx = H5I_INVALID_HID;
    in->path = strdup(path);
    int rc = H5OUT_EIO;
    in->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (in->file < 0) {
        rc = h5fail(err, errlen, "cannot open", path);
        goto fail;
    }
    h5out_spec *s = &in->spec;
    int fmt = 0;
    if (read_attr_int(in, "format_version", &fmt) < 0 || fmt != H5OUT_FORMAT_VERSION) {
        h5layout_set_err(err, errlen,
                         "%s: not a usim output file (format_version %d, expected %d)",
                         path, fmt, H5OUT_FORMAT_VERSION);
        rc = H5OUT_EMISMATCH;
        goto fail;
    }
    if (read_attr_str(in, "config", &s->config) < 0 ||
        read_attr_str(in, "model", &s->model) < 0 ||
        read_attr_str(in, "description", &s->description) < 0 ||
        read_attr_u64(in, "seed", &s->seed) < 0 ||
        read_attr_u64(in, "nruns", &s->nruns) < 0 ||
        read_attr_u64(in, "npoints", &s->npoints) < 0 ||
        read_attr_u64(in, "replications", &s->replications) < 0 ||
        read_attr_strs(in, "parameters", &s->nparams, &s->params) < 0 ||
        read_attr_strs(in, "scalars", &s->nscalars, &s->scalars) < 0 ||
        read_attr_strs(in, "traces", &s->ntraces, &s->traces) < 0 ||
        read_attr_int(in, "compression", &s->compression) < 0) {
        rc = h5fail(err, errlen, "cannot read the root attributes", path);
        goto fail;
    }
    if (layout_init(&in->l, s, err, errlen) < 0)
        goto fail;
    in->traces = calloc(s->ntraces + 1, sizeof *in->traces);
    in->trace_idx = calloc(s->ntraces + 1, sizeof *in->trace_idx);
    in->status = malloc(s->nruns + 1);
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
    for (size_t k = 0; ok && k < s->ntraces; k++) {
        char name[512];
        snprintf(name, sizeof name, "traces/%s", s->traces[k]);
        ok = (in->traces[k] = H5Dopen2(in->file, name, H5P_DEFAULT)) >= 0;
        snprintf(name, sizeof name, "index/traces/%s", s->traces[k]);
        ok = ok && (in->trace_idx[k] = H5Dopen2(in->file, name, H5P_DEFAULT)) >= 0;
    }
    if (!ok || dataset_rows(in->runs) != s->nruns) {
        rc = h5fail(err, errlen, "cannot open the datasets", path);
        goto fail;
    }
    /* Status column, in blocks (only the "status" member is read). */
    char(*st)[STATUS_LEN] = calloc(INIT_BLOCK, STATUS_LEN);
    if (!st) {
        rc = H5OUT_ENOMEM;
        goto fail;
    }
    for (uint64_t r0 = 0; r0 < s->nruns; r0 += INIT_BLOCK) {
        uint64_t n = s->nruns - r0 < INIT_BLOCK ? s->nruns - r0 : INIT_BLOCK;
        if (rows_read(in->runs, in->l.status_t, r0, n, st) < 0) {
            free(st);
            rc = h5fail(err, errlen, "cannot read /runs", path);
            goto fail;
        }
        for (uint64_t i = 0; i < n; i++) {
            st[i][STATUS_LEN - 1] = '\0';
            in->status[r0 + i] = (uint8_t)status_parse(st[i]);
        }
    }
    free(st);
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
    return (run_status)in->status[run];
}

const char *h5in_errmsg(const h5in *in)
{
    return in->msg;
}

static int read_index(h5in *in, hid_t ds, uint64_t run, hid_t data, index_row *idx)
{
    if (rows_read(ds, in->l.index_t, run, 1, idx) < 0)
        return -1;
    if (idx->run != run || idx->start + idx->count > dataset_rows(data)) {
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
    if (run >= s->nruns) {
        snprintf(in->msg, sizeof in->msg, "%s: no run %llu", in->path,
                 (unsigned long long)run);
        return H5OUT_EIO;
    }
    run_result *r = calloc(1, sizeof *r);
    size_t ssz = scalar_row_size(l);
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
    if (rows_read(in->runs, l->runs_t, run, 1, buf) < 0)
        goto h5fail;
    memcpy(&r->run, buf, 8);
    memcpy(&r->point, buf + 8, 8);
    memcpy(&r->replication, buf + 16, 8);
    char status[STATUS_LEN + 1] = {0};
    memcpy(status, buf + 24, STATUS_LEN);
    r->status = status_parse(status);
    memcpy(r->params, buf + l->off_params, 8 * s->nparams);
    memcpy(&r->end_time, buf + l->off_end, 8);
    memcpy(&r->events, buf + l->off_events, 8);
    memcpy(&r->wall_s, buf + l->off_wall, 8);
    char *msg = (char *)buf + l->off_msg;
    msg[H5OUT_MESSAGE_LEN - 1] = '\0';
    if (msg[0] && !(r->message = strdup(msg))) {
        rc = H5OUT_ENOMEM;
        goto fail;
    }
    if (s->nscalars) {
        if (rows_read(in->scalars, l->scalar_t, run * s->nscalars, s->nscalars, buf) <
            0)
            goto h5fail;
        for (size_t k = 0; k < s->nscalars; k++)
            r->scalars[k] = ((scalar_row *)(buf + k * ssz))->value;
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
        if (rows_read(in->drift, l->drift_t, idx.start, idx.count, rows) < 0) {
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
        if (rows_read(in->traces[k], l->trace_t, idx.start, idx.count, rows) < 0) {
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
    h5fail(in->msg, sizeof in->msg, "cannot read a run", in->path);
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
        if (in->trace_idx[k] > 0)
            H5Dclose(in->trace_idx[k]);
    }
    hid_t ds[] = {in->runs, in->scalars, in->drift, in->drift_idx};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++)
        if (ds[i] > 0)
            H5Dclose(ds[i]);
    if (in->file > 0)
        H5Fclose(in->file);
    layout_free(&in->l);
    for (size_t i = 0; i < in->nowned; i++)
        free(in->owned[i]);
    free(in->owned);
    free(in->traces);
    free(in->trace_idx);
    free(in->status);
    free(in->path);
    free(in);
}
