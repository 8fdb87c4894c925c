/*
 * h5file.c — the writer of output files (h5file.h).
 */
#include "batch/h5file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/h5layout.h"

#define SESSIONS_CHUNK 64

struct h5file {
    h5out_spec spec; /* borrowed from the caller, outlives the file */
    char *path;
    layout l;
    hid_t file, runs, results, scalars, drift, drift_idx, drift_hist, sessions,
        grp_traces, grp_index, grp_index_traces;
    hid_t *traces, *trace_idx;
    uint64_t drift_rows, *trace_rows;
    uint64_t next_row;     /* rows below it of the fixed-size datasets are written */
    unsigned char *rowbuf; /* one /runs row, or scalar rows of one run */
    unsigned char *resbuf; /* one /results row */
};

/* A string array attribute of n texts, all "" if texts is NULL. */
static int attr_texts(hid_t loc, const char *name, size_t n, const char *const *texts)
{
    if (texts)
        return h5layout_attr_strs(loc, name, n, texts);
    const char **empty = calloc(n + 1, sizeof *empty);
    if (!empty)
        return -1;
    for (size_t i = 0; i < n; i++)
        empty[i] = "";
    int rc = h5layout_attr_strs(loc, name, n, empty);
    free(empty);
    return rc;
}

/* The text of entry k of an optional array of texts. */
static const char *text_at(const char *const *texts, size_t k)
{
    return texts && texts[k] ? texts[k] : "";
}

static int write_root_attrs(h5file *f)
{
    const h5out_spec *s = &f->spec;
    hid_t root = f->file;
    char created[PROV_TIME_LEN];
    provenance_now(created);
    int rc = 0;
    rc |= h5layout_attr_int(root, "format_version", H5OUT_FORMAT_VERSION);
    rc |= h5layout_attr_str(root, "usim_version", s->usim_version);
    rc |= h5layout_attr_str(root, "git_revision", s->git_revision);
    rc |= h5layout_attr_int(root, "git_dirty", s->git_dirty);
    rc |= h5layout_attr_str(root, "compiler", s->compiler);
    rc |= h5layout_attr_str(root, "cflags", s->cflags);
    rc |= h5layout_attr_str(root, "config", s->config);
    rc |= h5layout_attr_str(root, "config_sha256", s->config_sha256);
    rc |= h5layout_attr_u64(root, "seed", s->seed);
    rc |= h5layout_attr_double(root, "warmup", s->warmup);
    /* Where each bin of /drift_hist starts, in time units (usim.h,
     * usim_sim_drift_hist: bin k from 2^(k - 33) ticks, bin 0 from 0). */
    double low[USIM_DRIFT_BINS] = {0};
    for (int k = 1; k < USIM_DRIFT_BINS; k++)
        low[k] = ldexp(s->resolution, k - USIM_DRIFT_BIN_ZERO);
    rc |= h5layout_attr_double(root, "resolution", s->resolution);
    rc |= h5layout_attr_doubles(root, "drift_hist_low", USIM_DRIFT_BINS, low);
    rc |= h5layout_attr_str(root, "warmup_method", s->warmup_method);
    rc |= h5layout_attr_str(root, "warmup_trace", s->warmup_trace);
    rc |= h5layout_attr_u64(root, "pilot_replications", s->pilots);
    rc |= h5layout_attr_str(root, "shard_by", s->shard_by_point ? "point" : "run");
    rc |= h5layout_attr_strs(root, "precision_scalars", s->nprecision,
                             s->precision_scalars);
    rc |= h5layout_attr_double(root, "precision_half_width", s->precision_half_width);
    rc |= h5layout_attr_double(root, "precision_relative_half_width",
                               s->precision_relative_half_width);
    rc |= h5layout_attr_double(root, "precision_confidence", s->precision_confidence);
    rc |= h5layout_attr_u64(root, "precision_min_replications", s->precision_min);
    rc |= h5layout_attr_u64(root, "precision_max_replications", s->precision_max);
    rc |= h5layout_attr_str(root, "rng", "philox4x32-10");
    rc |= h5layout_attr_str(root, "random_numbers",
                            s->random_numbers ? s->random_numbers : "independent");
    rc |= h5layout_attr_str(root, "model", s->model);
    rc |= h5layout_attr_str(root, "model_path", s->model_path);
    rc |= h5layout_attr_str(root, "model_sha256", s->model_sha256);
    rc |= h5layout_attr_str(root, "description", s->description);
    rc |= h5layout_attr_u64(root, "nruns", s->nruns);
    rc |= h5layout_attr_u64(root, "npoints", s->npoints);
    rc |= h5layout_attr_u64(root, "replications", s->replications);
    rc |= h5layout_attr_strs(root, "parameters", s->nparams, s->params);
    rc |= attr_texts(root, "parameter_labels", s->nparams, s->param_labels);
    rc |= attr_texts(root, "parameter_types", s->nparams, s->param_types);
    rc |= attr_texts(root, "parameter_units", s->nparams, s->param_units);
    rc |= attr_texts(root, "parameter_help", s->nparams, s->param_help);
    rc |= h5layout_attr_strs(root, "scalars", s->nscalars, s->scalars);
    rc |= attr_texts(root, "scalar_units", s->nscalars, s->scalar_units);
    rc |= attr_texts(root, "scalar_help", s->nscalars, s->scalar_help);
    rc |= h5layout_attr_strs(root, "traces", s->ntraces, s->traces);
    rc |= attr_texts(root, "trace_units", s->ntraces, s->trace_units);
    rc |= attr_texts(root, "trace_help", s->ntraces, s->trace_help);
    rc |= h5layout_attr_int(root, "compression", s->compression);
    rc |= h5layout_attr_u64(root, "shard_index", s->shard_index);
    rc |= h5layout_attr_u64(root, "shard_count", s->shard_count);
    rc |= h5layout_attr_int(root, "complete", 0);
    rc |= h5layout_attr_u64(root, "runs_done", 0);
    rc |= h5layout_attr_str(root, "created", created);
    return rc ? -1 : 0;
}

/*
 * Writes rows [from, to) of the fixed-size datasets as pending.  Rows are
 * written lazily, in order (h5file_put fills the gap before the row it
 * writes, h5file_flush the rest), so a file written in run order writes
 * each row once: no pending row is compressed only to be replaced.
 */
static int write_pending_rows(h5file *f, uint64_t from, uint64_t to)
{
    const h5out_spec *s = &f->spec;
    const layout *l = &f->l;
    size_t ssz = h5layout_scalar_size(l);
    size_t blk = INIT_BLOCK;
    if (from >= to)
        return 0;
    unsigned char *buf = calloc(blk, l->runs_size > ssz ? l->runs_size : ssz);
    unsigned char *res = calloc(blk, l->results_size);
    index_row *idx = calloc(blk, sizeof *idx);
    drift_hist_row *hist = calloc(blk, sizeof *hist);
    int rc = -1;
    if (!buf || !res || !idx || !hist)
        goto out;
    for (uint64_t r0 = from; r0 < to; r0 += blk) {
        uint64_t n = to - r0 < blk ? to - r0 : blk;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t run = h5spec_run(s, r0 + i);
            h5layout_pending_row(l, s, buf + i * l->runs_size, run);
            h5layout_results_row(l, res + i * l->results_size, buf + i * l->runs_size,
                                 NULL);
            idx[i] = (index_row){.run = run};
            hist[i].run = run;
        }
        if (h5layout_rows_write(f->runs, l->runs_t, r0, n, buf) < 0 ||
            h5layout_rows_write(f->results, l->results_t, r0, n, res) < 0 ||
            h5layout_rows_write(f->drift_idx, l->index_t, r0, n, idx) < 0 ||
            h5layout_rows_write(f->drift_hist, l->drift_hist_t, r0, n, hist) < 0)
            goto out;
        for (size_t k = 0; k < s->ntraces; k++)
            if (h5layout_rows_write(f->trace_idx[k], l->index_t, r0, n, idx) < 0)
                goto out;
    }
    if (s->nscalars) {
        uint64_t end = to * s->nscalars;
        for (uint64_t i0 = from * s->nscalars; i0 < end; i0 += blk) {
            uint64_t n = end - i0 < blk ? end - i0 : blk;
            memset(buf, 0, n * ssz);
            for (uint64_t i = 0; i < n; i++) {
                scalar_row *row = (scalar_row *)(buf + i * ssz);
                row->run = h5spec_run(s, (i0 + i) / s->nscalars);
                row->value = NAN;
                strcpy(row->name, s->scalars[(i0 + i) % s->nscalars]);
            }
            if (h5layout_rows_write(f->scalars, l->scalar_t, i0, n, buf) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    free(buf);
    free(res);
    free(idx);
    free(hist);
    return rc;
}

int h5file_create(h5file **out, const h5out_spec *s, const char *path, char *err,
                  size_t errlen)
{
    h5layout_library();
    int level = s->compression; /* shuffle+deflate at that level (0: none) */
    h5file *f = calloc(1, sizeof *f);
    if (!f)
        return H5OUT_ENOMEM;
    f->spec = *s;
    f->file = f->runs = f->results = f->scalars = f->drift = f->drift_idx =
        f->drift_hist = f->sessions = H5I_INVALID_HID;
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
    if (h5layout_init(&f->l, s, err, errlen) < 0) {
        h5file_close(f, NULL, 0);
        return H5OUT_EIO;
    }
    if (f->l.results_t < 0) { /* a spec read from a file of format 4 or older */
        h5spec_set_err(err, errlen,
                       "%s: the types of the parameters are not known: cannot write "
                       "/results",
                       path);
        h5file_close(f, NULL, 0);
        return H5OUT_EMISMATCH;
    }
    f->rowbuf =
        calloc(1, f->l.runs_size + h5layout_scalar_size(&f->l) * (s->nscalars + 1));
    f->resbuf = calloc(1, f->l.results_size);
    if (!f->rowbuf || !f->resbuf) {
        h5file_close(f, NULL, 0);
        return H5OUT_ENOMEM;
    }

    f->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f->file < 0) {
        int rc = h5layout_fail(err, errlen, "cannot create the output file", path);
        h5file_close(f, NULL, 0);
        return rc;
    }
    const layout *l = &f->l;
    uint64_t rows = h5spec_rows(s);
    hsize_t runs_chunk = h5layout_chunk(rows, RUNS_CHUNK),
            scalars_chunk = h5layout_chunk(rows * s->nscalars, SCALARS_CHUNK),
            index_chunk = h5layout_chunk(rows, INDEX_CHUNK);
    bool ok = write_root_attrs(f) >= 0;
    ok = ok && (f->runs = h5layout_dataset_create(f->file, "runs", l->runs_t, rows,
                                                  runs_chunk, level)) >= 0;
    ok = ok && (f->results = h5layout_dataset_create(f->file, "results", l->results_t,
                                                     rows, runs_chunk, level)) >= 0;
    ok = ok && (f->scalars = h5layout_dataset_create(f->file, "scalars", l->scalar_t,
                                                     rows * s->nscalars, scalars_chunk,
                                                     level)) >= 0;
    ok = ok && (f->drift = h5layout_dataset_create(f->file, "drift", l->drift_t, 0,
                                                   DRIFT_CHUNK, level)) >= 0;
    ok = ok && (f->drift_hist =
                    h5layout_dataset_create(f->file, "drift_hist", l->drift_hist_t,
                                            rows, runs_chunk, level)) >= 0;
    ok = ok && (f->sessions = h5layout_dataset_create(f->file, "shards", l->session_t,
                                                      0, SESSIONS_CHUNK, level)) >= 0;
    ok = ok && (f->grp_traces = H5Gcreate2(f->file, "traces", H5P_DEFAULT, H5P_DEFAULT,
                                           H5P_DEFAULT)) >= 0;
    ok = ok && (f->grp_index = H5Gcreate2(f->file, "index", H5P_DEFAULT, H5P_DEFAULT,
                                          H5P_DEFAULT)) >= 0;
    ok = ok && (f->grp_index_traces = H5Gcreate2(f->grp_index, "traces", H5P_DEFAULT,
                                                 H5P_DEFAULT, H5P_DEFAULT)) >= 0;
    ok = ok && (f->drift_idx = h5layout_dataset_create(
                    f->grp_index, "drift", l->index_t, rows, index_chunk, level)) >= 0;
    for (size_t k = 0; ok && k < s->ntraces; k++) {
        ok =
            (f->traces[k] =
                 h5layout_dataset_create(f->grp_traces, s->traces[k], l->trace_t, 0,
                                         TRACE_CHUNK, level)) >= 0 &&
            h5layout_attr_str(f->traces[k], "units", text_at(s->trace_units, k)) >= 0 &&
            h5layout_attr_str(f->traces[k], "help", text_at(s->trace_help, k)) >= 0 &&
            (f->trace_idx[k] =
                 h5layout_dataset_create(f->grp_index_traces, s->traces[k], l->index_t,
                                         rows, index_chunk, level)) >= 0;
    }
    if (!ok) {
        int rc = h5layout_fail(err, errlen, "cannot create the datasets", path);
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
    if (!h5spec_holds(s, r->run) || r->nparams != s->nparams ||
        r->nscalars != s->nscalars || r->ntraces != s->ntraces) {
        h5spec_set_err(err, errlen,
                       "%s: run %llu does not fit the file (runs %llu mod %llu below "
                       "%llu, %zu parameters, %zu scalars, %zu traces expected)",
                       f->path, (unsigned long long)r->run,
                       (unsigned long long)s->shard_index,
                       (unsigned long long)s->shard_count, (unsigned long long)s->nruns,
                       s->nparams, s->nscalars, s->ntraces);
        return H5OUT_EIO;
    }
    uint64_t row = h5spec_row(s, r->run);
    if (row >= f->next_row) {
        if (write_pending_rows(f, f->next_row, row) < 0)
            return h5layout_fail(err, errlen, "cannot write pending rows", f->path);
        f->next_row = row + 1;
    }
    if (s->nscalars) {
        size_t ssz = h5layout_scalar_size(l);
        memset(f->rowbuf, 0, ssz * s->nscalars);
        for (size_t k = 0; k < s->nscalars; k++) {
            scalar_row *sr = (scalar_row *)(f->rowbuf + k * ssz);
            sr->run = r->run;
            sr->value = r->scalars[k];
            strcpy(sr->name, s->scalars[k]);
        }
        if (h5layout_rows_write(f->scalars, l->scalar_t, row * s->nscalars, s->nscalars,
                                f->rowbuf) < 0)
            return h5layout_fail(err, errlen, "cannot write /scalars", f->path);
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
        int rc =
            h5layout_rows_append(f->drift, l->drift_t, &f->drift_rows, r->ndrift, rows);
        free(rows);
        if (rc < 0)
            return h5layout_fail(err, errlen, "cannot append to /drift", f->path);
    }
    if (h5layout_rows_write(f->drift_idx, l->index_t, row, 1, &idx) < 0)
        return h5layout_fail(err, errlen, "cannot write /index/drift", f->path);
    drift_hist_row hist = {.run = r->run};
    memcpy(hist.count, r->drift_hist, sizeof hist.count);
    if (h5layout_rows_write(f->drift_hist, l->drift_hist_t, row, 1, &hist) < 0)
        return h5layout_fail(err, errlen, "cannot write /drift_hist", f->path);

    for (size_t k = 0; k < s->ntraces; k++) {
        const run_trace *tr = &r->traces[k];
        idx = (index_row){.run = r->run, .start = f->trace_rows[k], .count = tr->n};
        if (tr->n) {
            trace_row *rows = malloc(tr->n * sizeof *rows);
            if (!rows)
                return H5OUT_ENOMEM;
            for (size_t i = 0; i < tr->n; i++)
                rows[i] = (trace_row){.run = r->run, .t = tr->t[i], .value = tr->v[i]};
            int rc = h5layout_rows_append(f->traces[k], l->trace_t, &f->trace_rows[k],
                                          tr->n, rows);
            free(rows);
            if (rc < 0)
                return h5layout_fail(err, errlen, "cannot append to a trace", f->path);
        }
        if (h5layout_rows_write(f->trace_idx[k], l->index_t, row, 1, &idx) < 0)
            return h5layout_fail(err, errlen, "cannot write a trace index", f->path);
    }

    h5layout_runs_row(l, f->rowbuf, r);
    h5layout_results_row(l, f->resbuf, f->rowbuf, r);
    if (h5layout_rows_write(f->results, l->results_t, row, 1, f->resbuf) < 0)
        return h5layout_fail(err, errlen, "cannot write /results", f->path);
    if (h5layout_rows_write(f->runs, l->runs_t, row, 1, f->rowbuf) < 0)
        return h5layout_fail(err, errlen, "cannot write /runs", f->path);
    return 0;
}

int h5file_put_sessions(h5file *f, const prov_session *sessions, size_t n, char *err,
                        size_t errlen)
{
    hsize_t dims[1] = {n};
    if (H5Dset_extent(f->sessions, dims) < 0 ||
        h5layout_rows_write(f->sessions, f->l.session_t, 0, n, sessions) < 0)
        return h5layout_fail(err, errlen, "cannot write /shards", f->path);
    return 0;
}

int h5file_flush(h5file *f, uint64_t ndone, bool complete, char *err, size_t errlen)
{
    uint64_t rows = h5spec_rows(&f->spec);
    if (write_pending_rows(f, f->next_row, rows) < 0)
        return h5layout_fail(err, errlen, "cannot write pending rows", f->path);
    f->next_row = rows;
    if (h5layout_attr_u64(f->file, "runs_done", ndone) < 0 ||
        h5layout_attr_int(f->file, "complete", complete) < 0 ||
        H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        return h5layout_fail(err, errlen, "cannot flush", f->path);
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
    hid_t ds[] = {f->runs,      f->results,    f->scalars, f->drift,
                  f->drift_idx, f->drift_hist, f->sessions};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++)
        if (ds[i] > 0)
            H5Dclose(ds[i]);
    hid_t gs[] = {f->grp_index_traces, f->grp_index, f->grp_traces};
    for (size_t i = 0; i < sizeof gs / sizeof *gs; i++)
        if (gs[i] > 0)
            H5Gclose(gs[i]);
    if (f->file > 0 && H5Fclose(f->file) < 0)
        rc = h5layout_fail(err, errlen, "cannot close", f->path);
    h5layout_free(&f->l);
    free(f->traces);
    free(f->trace_idx);
    free(f->trace_rows);
    free(f->rowbuf);
    free(f->resbuf);
    free(f->path);
    free(f);
    return rc;
}
