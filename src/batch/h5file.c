/*
 * h5file.c — the writer of output files (h5file.h).
 */
#include "batch/h5file.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "batch/h5layout.h"
#include "batch/zfast.h"

#define SESSIONS_CHUNK 64

/*
 * Rows on their way to one dataset.  An H5Dwrite costs HDF5 thousands of
 * instructions whatever it writes (dataspaces, a type-path search through
 * compound members, chunk lookups), and a write that covers part of a
 * chunk makes HDF5 fill the rest first: so consecutive rows are gathered
 * here and written one whole chunk at a time, at chunk boundaries.  Rows
 * not consecutive with the gathered ones (a gap of rows written later)
 * flush what is gathered first.  A dataset that grows (/drift, traces) is
 * extended as its rows are written.
 */
/* Who deflates a dataset's complete chunks (zfast.h). */
typedef enum coder {
    CODER_ZLIB,   /* zlib at the dataset's level */
    CODER_TABLE,  /* zfast_compress in one block of fixed codes */
    CODER_PLANES, /* zfast_compress with codes of each byte plane's own */
} coder;

typedef struct column {
    struct h5file *f;
    hid_t ds, type;        /* borrowed */
    size_t size;           /* bytes per row */
    uint64_t chunk;        /* rows per chunk of ds */
    uint64_t start, n;     /* buf holds rows [start, start + n) */
    uint64_t end;          /* ... of the chunk that ends before row `end` */
    uint64_t rows;         /* ds's rows, if it does not grow */
    bool grows;            /* extend ds to start + n when writing */
    int level;             /* ds's deflate level (0: no filters) */
    coder coder;           /* what deflates its complete chunks */
    unsigned char *buf;    /* one chunk's rows */
    unsigned char **spare; /* buffers back from compression, for buf */
    size_t nspare;
} column;

/*
 * Compression off the writer's own thread.  A complete chunk of a
 * compressed dataset is not handed to HDF5's filter pipeline, which would
 * deflate it on this thread when the chunk leaves its cache: it waits in
 * `jobs` with others, the jobs are shuffled and deflated in parallel
 * (compress_threads), exactly as HDF5's shuffle and deflate filters do,
 * and written in their order with H5Dwrite_chunk.  The file is the same
 * (the same filters declared, the same bytes stored); only fewer cores
 * wait.  Partial chunks (a dataset's last, and rows written out of
 * order) still go through H5Dwrite, after the jobs queued before them.
 */
#define MAX_JOBS 32

typedef struct chunk_job {
    struct column *c;
    uint64_t start;           /* its first row */
    unsigned char *raw, *out; /* the rows; the stored bytes (in its scratch) */
    size_t out_n;
    int zrc; /* compress2's */
} chunk_job;

/* The buffers of the job in one slot of `jobs`, kept from one batch of jobs
 * to the next: freed and allocated again for each chunk, they cost a page
 * fault per 4 KiB touched (the allocator hands memory of this size back to
 * the kernel on free), several percent of the writer's time with small
 * runs. */
typedef struct chunk_scratch {
    unsigned char *shuffled, *out;
    size_t shuffled_cap, out_cap;
} chunk_scratch;

static int compress_threads = 1;

/*
 * The deflate level of the tables (every dataset but the traces): the
 * file's `compression` is the traces' level.  The tables' rows are small
 * and many runs' worth are compressed per run; level 1 costs a fraction of
 * the higher levels for a file barely larger.  0 stays 0: no filters.
 * Their complete chunks are deflated by zfast_compress (zfast.h), not
 * zlib: a stream about 1.5 times as large for a quarter of the
 * instructions, on data that shrinks 10 times or more either way.
 */
enum { TABLE_DEFLATE = 1 };

static int table_level(int compression)
{
    return compression < TABLE_DEFLATE ? compression : TABLE_DEFLATE;
}

/*
 * The traces' coder.  Up to FAST_TRACES (the default level included),
 * zfast_compress with codes of each byte plane's own: a trace's planes
 * are constant (its run), random (the low bytes of its times), or drawn
 * from a few values (the high bytes of its values), which Huffman codes
 * per plane take at close to their entropy.  On mm1's queue length that
 * is 5.64 bytes a sample for zlib level 4's 5.27, at a ninth of the
 * instructions (about 8 a byte against 70).  Above it zlib at the level
 * asked for: a smaller file (its matches reach 32 KiB back, ours 8
 * bytes) for several times the time.
 */
enum { FAST_TRACES = 4 };

static coder trace_coder(int compression)
{
    return compression >= 1 && compression <= FAST_TRACES ? CODER_PLANES : CODER_ZLIB;
}

void h5file_compress_threads(int n)
{
    compress_threads = n >= 1 ? n : 1;
}

struct h5file {
    h5out_spec spec; /* borrowed from the caller, outlives the file */
    char *path;
    layout l;
    hid_t file, runs, results, scalars, drift, drift_idx, drift_hist, sessions,
        grp_traces, grp_index, grp_index_traces;
    hid_t *traces, *trace_idx;
    uint64_t drift_rows, *trace_rows; /* rows so far, gathered ones included */
    uint64_t next_row; /* rows below it of the fixed-size datasets are written */
    column c_runs, c_results, c_scalars, c_drift, c_drift_idx, c_drift_hist;
    column *c_traces, *c_trace_idx; /* per trace */
    /* Rows made once: a pending run's /runs and /results rows but its ids
     * (h5layout_pending_templates), and the /scalars rows of a run but
     * its number and values (nscalars rows of h5layout_scalar_size). */
    unsigned char *pending_runs, *pending_results, *scalar_rows;
    chunk_job jobs[MAX_JOBS];
    chunk_scratch scratch[MAX_JOBS]; /* of jobs[i] */
    size_t njobs;
};

#ifdef __SSE2__
/* Bytes k to k + 7 of elements i to i + 7 (8 by 8 bytes, transposed in
 * registers) to their places in the shuffled chunk. */
static inline void shuffle_8x8(unsigned char *restrict dst,
                               const unsigned char *restrict src, size_t n, size_t size,
                               size_t i, size_t k)
{
    const unsigned char *s = src + i * size + k;
    __m128i r[8];
    for (int e = 0; e < 8; e++)
        r[e] = _mm_loadl_epi64((const __m128i *)(const void *)(s + e * size));
    __m128i a0 = _mm_unpacklo_epi8(r[0], r[1]), a1 = _mm_unpacklo_epi8(r[2], r[3]),
            a2 = _mm_unpacklo_epi8(r[4], r[5]), a3 = _mm_unpacklo_epi8(r[6], r[7]);
    __m128i b0 = _mm_unpacklo_epi16(a0, a1), b1 = _mm_unpackhi_epi16(a0, a1),
            b2 = _mm_unpacklo_epi16(a2, a3), b3 = _mm_unpackhi_epi16(a2, a3);
    /* c[j] holds bytes k + 2j and k + 2j + 1 of the eight elements */
    __m128i c[4] = {_mm_unpacklo_epi32(b0, b2), _mm_unpackhi_epi32(b0, b2),
                    _mm_unpacklo_epi32(b1, b3), _mm_unpackhi_epi32(b1, b3)};
    for (int j = 0; j < 4; j++) {
        unsigned char *d = dst + (k + 2 * j) * n + i;
        _mm_storel_epi64((__m128i *)(void *)d, c[j]);
        _mm_storel_epi64((__m128i *)(void *)(d + n), _mm_unpackhi_epi64(c[j], c[j]));
    }
}
#endif

/* HDF5's shuffle filter (H5Zshuffle.c): byte k of every element, then
 * byte k + 1 ... (n elements of `size` bytes). */
static void shuffle(unsigned char *restrict dst, const unsigned char *restrict src,
                    size_t n, size_t size)
{
    size_t done = 0; /* elements whose bytes are all placed */
#ifdef __SSE2__
    /* Elements whose size is a multiple of 8: eight of them by eight of
     * their bytes at a time, transposed in registers; the last n % 8
     * elements are left to the loop below.  When the first 8 bytes are
     * the same in every element (the run number of a trace chunk, a third
     * of its bytes: rows are in run order), their eight planes of one
     * byte each are filled, not transposed. */
    if (size % 8 == 0) {
        done = n / 8 * 8;
        size_t i = 1, from = 0;
        uint64_t first, w;
        memcpy(&first, src, sizeof first);
        for (; i < n; i++) {
            memcpy(&w, src + i * size, sizeof w);
            if (w != first)
                break;
        }
        if (i == n) {
            for (size_t j = 0; j < 8; j++)
                memset(dst + j * n, src[j], done);
            from = 8;
        }
        /* k from 0, the filled field skipped: a loop from `from` took
         * about a fifth more instructions here (gcc 12, callgrind) */
        for (i = 0; i < done; i += 8)
            for (size_t k = 0; k < size; k += 8)
                if (k >= from)
                    shuffle_8x8(dst, src, n, size, i, k);
    }
#endif
    for (size_t k = 0; k < size; k++) {
        const unsigned char *s = src + done * size + k;
        unsigned char *d = dst + k * n;
        size_t i = done;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* Eight elements' byte k gathered into a word, stored at once:
         * about a third of the instructions of a byte at a time. */
        for (; i + 8 <= n; i += 8, s += 8 * size) {
            uint64_t w = 0;
            for (unsigned b = 0; b < 8; b++)
                w |= (uint64_t)s[b * size] << (8 * b);
            memcpy(d + i, &w, sizeof w);
        }
#endif
        for (; i < n; i++, s += size)
            d[i] = *s;
    }
}

/* *buf with room for n bytes (its contents are not kept), or NULL. */
static unsigned char *scratch_room(unsigned char **buf, size_t *cap, size_t n)
{
    if (*cap < n) {
        free(*buf);
        *buf = malloc(n);
        *cap = *buf ? n : 0;
    }
    return *buf;
}

static void compress_job(chunk_job *j, chunk_scratch *s)
{
    const column *c = j->c;
    size_t n = c->chunk * c->size;
    uLongf out_n = c->coder != CODER_ZLIB ? zfast_bound(n) : compressBound(n);
    unsigned char *tmp = scratch_room(&s->shuffled, &s->shuffled_cap, n);
    j->out = scratch_room(&s->out, &s->out_cap, out_n);
    if (!tmp || !j->out) {
        j->zrc = Z_MEM_ERROR;
    } else if (c->coder != CODER_ZLIB) {
        shuffle(tmp, j->raw, c->chunk, c->size);
        j->out_n =
            zfast_compress(j->out, tmp, n, c->coder == CODER_PLANES ? c->chunk : 0);
        j->zrc = Z_OK;
    } else {
        shuffle(tmp, j->raw, c->chunk, c->size);
        j->zrc = compress2(j->out, &out_n, tmp, n, c->level);
        j->out_n = out_n;
    }
}

/* Compresses the queued chunks in parallel and writes them in order. */
static int drain_jobs(h5file *f)
{
    int rc = 0;
    long n = (long)f->njobs;
    int threads = compress_threads < n ? compress_threads : (int)n;
    if (n == 0)
        return 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
    for (long i = 0; i < n; i++)
        compress_job(&f->jobs[i], &f->scratch[i]);
    for (size_t i = 0; i < f->njobs; i++) {
        chunk_job *j = &f->jobs[i];
        column *c = j->c;
        hsize_t off[1] = {j->start};
        if (rc == 0 && (j->zrc != Z_OK || H5Dwrite_chunk(c->ds, H5P_DEFAULT, 0, off,
                                                         j->out_n, j->out) < 0))
            rc = -1;
        if (c->nspare < MAX_JOBS)
            c->spare[c->nspare++] = j->raw;
        else
            free(j->raw);
    }
    f->njobs = 0;
    return rc;
}

static int column_init(h5file *f, column *c, hid_t ds, hid_t type, size_t size,
                       uint64_t chunk, bool grows, int level, coder coder)
{
    *c = (column){.f = f,
                  .ds = ds,
                  .type = type,
                  .size = size,
                  .chunk = chunk,
                  .grows = grows,
                  .level = level,
                  .coder = coder};
    c->buf = malloc(chunk * size);
    c->spare = malloc(MAX_JOBS * sizeof *c->spare);
    return c->buf && c->spare ? 0 : -1;
}

/* Queues the complete chunk in c->buf for compression; c gets another. */
static int column_queue(column *c)
{
    h5file *f = c->f;
    unsigned char *next =
        c->nspare ? c->spare[--c->nspare] : malloc(c->chunk * c->size);
    if (!next || (f->njobs == MAX_JOBS && drain_jobs(f) < 0)) {
        free(next);
        return -1;
    }
    f->jobs[f->njobs++] = (chunk_job){.c = c, .start = c->start, .raw = c->buf};
    c->buf = next;
    return 0;
}

/* Writes the gathered rows. */
static int column_flush(column *c)
{
    if (c->n == 0)
        return 0;
    if (c->grows) {
        hsize_t dims[1] = {c->start + c->n};
        if (H5Dset_extent(c->ds, dims) < 0)
            return -1;
    }
    int rc;
    /* A chunk is stored whole even where it passes the dataset's end: the
     * last rows of a dataset (a growing one ends where it was extended)
     * are padded with zeros, never read, and queued too.  Any other part
     * of a chunk goes to H5Dwrite, which merges it with what is there. */
    bool last = c->grows || c->start + c->n == c->rows;
    if (c->level > 0 && c->chunk > 1 && c->start % c->chunk == 0 &&
        (c->n == c->chunk || last)) {
        memset(c->buf + c->n * c->size, 0, (c->chunk - c->n) * c->size);
        rc = column_queue(c);
    } else
        rc = drain_jobs(c->f) < 0
                 ? -1
                 : h5layout_rows_write(c->ds, c->type, c->start, c->n, c->buf);
    c->n = 0;
    return rc;
}

/*
 * Room for rows from `at` on, as many of `want` (at least 1) as fit in at's
 * chunk: *got of them, not zeroed; NULL if writing failed.  Fill them, then
 * call column_done.
 */
static void *column_rows(column *c, uint64_t at, uint64_t want, uint64_t *got)
{
    if (c->n > 0 && at != c->start + c->n && column_flush(c) < 0)
        return NULL;
    if (c->n == 0) {
        c->start = at;
        c->end = (at / c->chunk + 1) * c->chunk;
    }
    uint64_t room = c->end - (c->start + c->n);
    *got = want < room ? want : room;
    unsigned char *p = c->buf + c->n * c->size;
    c->n += *got;
    return p;
}

static void *column_row(column *c, uint64_t at)
{
    uint64_t got;
    return column_rows(c, at, 1, &got);
}

/* After filling rows: a chunk that is complete is written. */
static int column_done(column *c)
{
    return c->start + c->n == c->end ? column_flush(c) : 0;
}

static void column_free(column *c)
{
    free(c->buf);
    c->buf = NULL;
    for (size_t i = 0; i < c->nspare; i++)
        free(c->spare[i]);
    free(c->spare);
    c->spare = NULL;
    c->nspare = 0;
}

/* Every column's gathered rows. */
static int columns_flush(h5file *f)
{
    int rc = 0;
    column *cs[] = {&f->c_runs,  &f->c_results,   &f->c_scalars,
                    &f->c_drift, &f->c_drift_idx, &f->c_drift_hist};
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++)
        rc |= column_flush(cs[i]);
    for (size_t k = 0; k < f->spec.ntraces; k++)
        rc |= column_flush(&f->c_traces[k]) | column_flush(&f->c_trace_idx[k]);
    rc |= drain_jobs(f);
    return rc ? -1 : 0;
}

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

/* An index row (/index/drift, /index/traces/NAME). */
static int put_index(column *c, uint64_t row, const index_row *idx)
{
    index_row *p = column_row(c, row);
    if (!p)
        return -1;
    *p = *idx;
    return column_done(c);
}

/* The /scalars rows of the run at `row`: its values, or NaN. */
static int put_scalars(h5file *f, uint64_t row, uint64_t run, const double *values)
{
    const h5out_spec *s = &f->spec;
    size_t ssz = h5layout_scalar_size(&f->l);
    for (size_t k = 0; k < s->nscalars; k++) {
        scalar_row *sr = column_row(&f->c_scalars, row * s->nscalars + k);
        if (!sr)
            return -1;
        memcpy(sr, f->scalar_rows + k * ssz, ssz);
        sr->run = run;
        sr->value = values ? values[k] : NAN;
        if (column_done(&f->c_scalars) < 0)
            return -1;
    }
    return 0;
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
    for (uint64_t row = from; row < to; row++) {
        uint64_t run = h5spec_run(s, row);
        unsigned char *runs = column_row(&f->c_runs, row);
        unsigned char *res = column_row(&f->c_results, row);
        drift_hist_row *hist = column_row(&f->c_drift_hist, row);
        if (!runs || !res || !hist)
            return -1;
        h5layout_pending_rows(l, s, f->pending_runs, f->pending_results, runs, res,
                              run);
        memset(hist, 0, sizeof *hist);
        hist->run = run;
        index_row idx = {.run = run};
        if (column_done(&f->c_runs) < 0 || column_done(&f->c_results) < 0 ||
            column_done(&f->c_drift_hist) < 0 ||
            put_index(&f->c_drift_idx, row, &idx) < 0 ||
            put_scalars(f, row, run, NULL) < 0)
            return -1;
        for (size_t k = 0; k < s->ntraces; k++)
            if (put_index(&f->c_trace_idx[k], row, &idx) < 0)
                return -1;
    }
    return 0;
}

/* The columns of the datasets of a created file. */
static int columns_init(h5file *f, hsize_t runs_chunk, hsize_t scalars_chunk,
                        hsize_t index_chunk)
{
    const layout *l = &f->l;
    int t = table_level(f->spec.compression), rc = 0;
    rc |= column_init(f, &f->c_runs, f->runs, l->runs_t, l->runs_size, runs_chunk,
                      false, t, CODER_TABLE);
    rc |= column_init(f, &f->c_results, f->results, l->results_t, l->results_size,
                      runs_chunk, false, t, CODER_TABLE);
    rc |= column_init(f, &f->c_scalars, f->scalars, l->scalar_t,
                      h5layout_scalar_size(l), scalars_chunk, false, t, CODER_TABLE);
    rc |= column_init(f, &f->c_drift, f->drift, l->drift_t, sizeof(drift_row),
                      DRIFT_CHUNK, true, t, CODER_TABLE);
    rc |= column_init(f, &f->c_drift_idx, f->drift_idx, l->index_t, sizeof(index_row),
                      index_chunk, false, t, CODER_TABLE);
    rc |= column_init(f, &f->c_drift_hist, f->drift_hist, l->drift_hist_t,
                      sizeof(drift_hist_row), runs_chunk, false, t, CODER_TABLE);
    for (size_t k = 0; k < f->spec.ntraces; k++) {
        rc |= column_init(f, &f->c_traces[k], f->traces[k], l->trace_t,
                          sizeof(trace_row), TRACE_CHUNK, true, f->spec.compression,
                          trace_coder(f->spec.compression));
        rc |= column_init(f, &f->c_trace_idx[k], f->trace_idx[k], l->index_t,
                          sizeof(index_row), index_chunk, false, t, CODER_TABLE);
    }
    uint64_t rows = h5spec_rows(&f->spec);
    f->c_runs.rows = f->c_results.rows = f->c_drift_idx.rows = f->c_drift_hist.rows =
        rows;
    f->c_scalars.rows = rows * f->spec.nscalars;
    for (size_t k = 0; k < f->spec.ntraces; k++)
        f->c_trace_idx[k].rows = rows;
    return rc ? -1 : 0;
}

int h5file_create(h5file **out, const h5out_spec *s, const char *path, char *err,
                  size_t errlen)
{
    h5layout_library();
    /* shuffle+deflate at these levels (0: none) */
    int level = s->compression, tlevel = table_level(level);
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
    f->c_traces = calloc(s->ntraces + 1, sizeof *f->c_traces);
    f->c_trace_idx = calloc(s->ntraces + 1, sizeof *f->c_trace_idx);
    if (!f->path || !f->traces || !f->trace_idx || !f->trace_rows || !f->c_traces ||
        !f->c_trace_idx) {
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
                                                  runs_chunk, tlevel)) >= 0;
    ok = ok && (f->results = h5layout_dataset_create(f->file, "results", l->results_t,
                                                     rows, runs_chunk, tlevel)) >= 0;
    ok = ok && (f->scalars = h5layout_dataset_create(f->file, "scalars", l->scalar_t,
                                                     rows * s->nscalars, scalars_chunk,
                                                     tlevel)) >= 0;
    ok = ok && (f->drift = h5layout_dataset_create(f->file, "drift", l->drift_t, 0,
                                                   DRIFT_CHUNK, tlevel)) >= 0;
    ok = ok && (f->drift_hist =
                    h5layout_dataset_create(f->file, "drift_hist", l->drift_hist_t,
                                            rows, runs_chunk, tlevel)) >= 0;
    ok = ok && (f->sessions = h5layout_dataset_create(f->file, "shards", l->session_t,
                                                      0, SESSIONS_CHUNK, tlevel)) >= 0;
    ok = ok && (f->grp_traces = H5Gcreate2(f->file, "traces", H5P_DEFAULT, H5P_DEFAULT,
                                           H5P_DEFAULT)) >= 0;
    ok = ok && (f->grp_index = H5Gcreate2(f->file, "index", H5P_DEFAULT, H5P_DEFAULT,
                                          H5P_DEFAULT)) >= 0;
    ok = ok && (f->grp_index_traces = H5Gcreate2(f->grp_index, "traces", H5P_DEFAULT,
                                                 H5P_DEFAULT, H5P_DEFAULT)) >= 0;
    ok = ok && (f->drift_idx = h5layout_dataset_create(
                    f->grp_index, "drift", l->index_t, rows, index_chunk, tlevel)) >= 0;
    for (size_t k = 0; ok && k < s->ntraces; k++) {
        ok =
            (f->traces[k] =
                 h5layout_dataset_create(f->grp_traces, s->traces[k], l->trace_t, 0,
                                         TRACE_CHUNK, level)) >= 0 &&
            h5layout_attr_str(f->traces[k], "units", text_at(s->trace_units, k)) >= 0 &&
            h5layout_attr_str(f->traces[k], "help", text_at(s->trace_help, k)) >= 0 &&
            (f->trace_idx[k] =
                 h5layout_dataset_create(f->grp_index_traces, s->traces[k], l->index_t,
                                         rows, index_chunk, tlevel)) >= 0;
    }
    if (!ok) {
        int rc = h5layout_fail(err, errlen, "cannot create the datasets", path);
        h5file_close(f, NULL, 0);
        return rc;
    }
    size_t ssz = h5layout_scalar_size(l);
    f->pending_runs = malloc(l->runs_size);
    f->pending_results = malloc(l->results_size);
    f->scalar_rows = calloc(s->nscalars + 1, ssz); /* zeros after each name's NUL */
    if (f->pending_runs && f->pending_results && f->scalar_rows) {
        h5layout_pending_templates(l, f->pending_runs, f->pending_results);
        for (size_t k = 0; k < s->nscalars; k++)
            strcpy(((scalar_row *)(void *)(f->scalar_rows + k * ssz))->name,
                   s->scalars[k]);
    }
    if (!f->pending_runs || !f->pending_results || !f->scalar_rows ||
        columns_init(f, runs_chunk, scalars_chunk, index_chunk) < 0) {
        h5file_close(f, NULL, 0);
        return H5OUT_ENOMEM;
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
    if (put_scalars(f, row, r->run, r->scalars) < 0)
        return h5layout_fail(err, errlen, "cannot write /scalars", f->path);

    index_row idx = {.run = r->run, .start = f->drift_rows, .count = r->ndrift};
    for (size_t i = 0; i < r->ndrift; i++) {
        const usim_drift_stats *st = &r->drift[i].st;
        drift_row *d = column_row(&f->c_drift, f->drift_rows);
        if (!d)
            return h5layout_fail(err, errlen, "cannot append to /drift", f->path);
        *d = (drift_row){.run = r->run,
                         .waits = st->waits,
                         .requested = st->requested,
                         .actual = st->actual,
                         .mean = st->mean_abs,
                         .max_abs = st->max_abs,
                         .final = st->final,
                         .overruns = st->overruns};
        /* the rest of the name stays zero, as the row was made (snprintf
         * cost more than the row) */
        const char *task = r->drift[i].task ? r->drift[i].task : "";
        memcpy(d->task, task, strnlen(task, TASK_LEN - 1));
        f->drift_rows++;
        if (column_done(&f->c_drift) < 0)
            return h5layout_fail(err, errlen, "cannot append to /drift", f->path);
    }
    if (put_index(&f->c_drift_idx, row, &idx) < 0)
        return h5layout_fail(err, errlen, "cannot write /index/drift", f->path);
    drift_hist_row *hist = column_row(&f->c_drift_hist, row);
    if (!hist)
        return h5layout_fail(err, errlen, "cannot write /drift_hist", f->path);
    hist->run = r->run;
    memcpy(hist->count, r->drift_hist, sizeof hist->count);
    if (column_done(&f->c_drift_hist) < 0)
        return h5layout_fail(err, errlen, "cannot write /drift_hist", f->path);

    for (size_t k = 0; k < s->ntraces; k++) {
        const run_trace *tr = &r->traces[k];
        column *c = &f->c_traces[k];
        idx = (index_row){.run = r->run, .start = f->trace_rows[k], .count = tr->n};
        for (size_t i = 0; i < tr->n;) {
            uint64_t got;
            trace_row *t = column_rows(c, f->trace_rows[k], tr->n - i, &got);
            if (!t)
                return h5layout_fail(err, errlen, "cannot append to a trace", f->path);
            for (uint64_t j = 0; j < got; j++, i++)
                t[j] = (trace_row){.run = r->run, .t = tr->t[i], .value = tr->v[i]};
            f->trace_rows[k] += got;
            if (column_done(c) < 0)
                return h5layout_fail(err, errlen, "cannot append to a trace", f->path);
        }
        if (put_index(&f->c_trace_idx[k], row, &idx) < 0)
            return h5layout_fail(err, errlen, "cannot write a trace index", f->path);
    }

    unsigned char *runs = column_row(&f->c_runs, row);
    unsigned char *res = column_row(&f->c_results, row);
    if (!runs || !res)
        return h5layout_fail(err, errlen, "cannot write /runs", f->path);
    h5layout_runs_row(l, runs, r);
    h5layout_results_row(l, res, runs, r);
    if (column_done(&f->c_results) < 0 || column_done(&f->c_runs) < 0)
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
    if (write_pending_rows(f, f->next_row, rows) < 0 || columns_flush(f) < 0)
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
    for (size_t i = 0; i < f->njobs; i++) /* an error left them queued */
        free(f->jobs[i].raw);
    for (size_t i = 0; i < MAX_JOBS; i++) {
        free(f->scratch[i].shuffled);
        free(f->scratch[i].out);
    }
    h5layout_free(&f->l);
    free(f->traces);
    free(f->trace_idx);
    free(f->trace_rows);
    free(f->pending_runs);
    free(f->pending_results);
    free(f->scalar_rows);
    column *cs[] = {&f->c_runs,  &f->c_results,   &f->c_scalars,
                    &f->c_drift, &f->c_drift_idx, &f->c_drift_hist};
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++)
        column_free(cs[i]);
    for (size_t k = 0; k < f->spec.ntraces && f->c_traces && f->c_trace_idx; k++) {
        column_free(&f->c_traces[k]);
        column_free(&f->c_trace_idx[k]);
    }
    free(f->c_traces);
    free(f->c_trace_idx);
    free(f->path);
    free(f);
    return rc;
}
