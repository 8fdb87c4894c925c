/*
 * journal.c — serialised run results in an append-only file (journal.h).
 *
 * Payload layout (host order): run, point, replication (u64); pilot
 * (u32, 0 or 1); warmup (f64); status (u32); message length (u32, 0xffffffff for NULL)
 * and bytes; end_time (f64); events (u64); wall_s (f64); nparams (u64) and doubles;
 * nscalars (u64) and doubles; ndrift (u64) and per group: name length (u32) and bytes,
 * waits (u64), requested, actual, mean_abs, max_abs, final (f64), overruns (u64);
 * ntraces (u64) and per trace: n (u64), the bytes its samples take (u64)
 * and the samples (coded as "trace samples" below says); the drift
 * histogram's bins [lo, hi) that hold its nonzero counts, lo and hi (u32)
 * and hi - lo counts (u64), the others zero (most of the 64 bins are: the
 * payload is about a third of what it was with all of them, and every
 * record is summed three times, once written and twice read back).
 */
#include "batch/journal.h"

#include <assert.h>
#include <stddef.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_MAGIC 0x52554e52u /* "RUNR" */
#define NO_STRING 0xffffffffu

struct journal {
    int fd;
    uint64_t size;      /* bytes written: the offset of the next record written */
    bool torn;          /* a write failed part-way: later records would be lost */
    unsigned char *buf; /* records added and not yet written, reused */
    size_t len, cap;
};

struct journal_reader {
    int fd;
    uint64_t off;  /* next record */
    uint64_t size; /* file size at open */
    unsigned char *buf;
    size_t cap;
    uint64_t win_off; /* buf holds the file's bytes [win_off, win_off + win_len) */
    size_t win_len;
};

/* Bytes read at once: records are read mostly in the order they were
 * written (snapshots read them in run order, and runs finish roughly in
 * that order), so one pread serves many records. */
#define READ_AHEAD (1u << 20)

/* ---- serialisation ---------------------------------------------------- */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    bool oom;
} wbuf;

/* Grows b so that n more bytes fit (at least doubling); false, and
 * b->oom, when memory runs out. */
static __attribute__((noinline)) bool grow(wbuf *b, size_t n)
{
    if (b->oom || n > SIZE_MAX / 4 - b->len) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

/* Room for n more bytes at b->p + b->len: that address, or NULL (and
 * b->oom) when it cannot be had.  Inlined in every put: most records fit
 * the buffer the last one grew.  After b->oom the record is dropped, so
 * what still fits may be written or not. */
static inline unsigned char *reserve(wbuf *b, size_t n)
{
    return n <= b->cap - b->len || grow(b, n) ? b->p + b->len : NULL;
}

static inline void put(wbuf *b, const void *src, size_t n)
{
    if (n > 0 && reserve(b, n)) { /* src may be NULL when n is 0 */
        memcpy(b->p + b->len, src, n);
        b->len += n;
    }
}

static void put_u64(wbuf *b, uint64_t v)
{
    put(b, &v, sizeof v);
}
static void put_u32(wbuf *b, uint32_t v)
{
    put(b, &v, sizeof v);
}
static void put_f64(wbuf *b, double v)
{
    put(b, &v, sizeof v);
}

static void put_str(wbuf *b, const char *s)
{
    if (!s) {
        put_u32(b, NO_STRING);
        return;
    }
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

/* ---- trace samples ----------------------------------------------------- */

/*
 * A traced run's record is mostly its samples, and every record is
 * copied into the page cache once: 16 raw bytes a sample made that copy
 * the largest cost of a traced batch.  Each time and each value is kept
 * as the xor of its bits with those of the sample before it (the first
 * with 0), so that every double, NaNs and -0.0 included, comes back bit
 * for bit.  Successive times share their sign, exponent and high
 * mantissa bits: their xor is a small integer, of which only the low
 * bytes up to its highest nonzero one are kept.  Values that are small
 * integers (a queue length) have zero low mantissa bytes, and so does
 * their xor: only its high bytes down to its lowest nonzero one are
 * kept.  A sample is one byte kt | kv << 4 (how many bytes of each are
 * kept, 1 to 8 when written, 0 to 8 when read), then the low kt bytes
 * of the times' xor and the top kv bytes of the values' xor, each low
 * byte first: about 8 bytes a sample for an M/M/1 queue length.
 */

/* The most bytes one sample takes. */
#define SAMPLE_MAX 17

static inline uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline void store_le64(unsigned char *p, uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &w, sizeof w);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(w >> (8 * i));
#endif
}

/* The k (0 to 8) bytes at p, the first lowest; `room` bytes may be read
 * from p on. */
static inline uint64_t load_le(const unsigned char *p, unsigned k, size_t room)
{
    if (room >= 8) { /* one load, the bytes past the k masked off */
        uint64_t w;
        memcpy(&w, p, sizeof w);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        return k == 8 ? w : w & ((UINT64_C(1) << (8 * k)) - 1);
    }
    uint64_t w = 0;
    for (unsigned i = 0; i < k; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

/* The n samples t[i], v[i] into dst, which has room for SAMPLE_MAX * n
 * bytes (each sample's two 8-byte stores stay within its SAMPLE_MAX);
 * returns the bytes they take. */
static size_t encode_samples(unsigned char *dst, const double *t, const double *v,
                             size_t n)
{
    unsigned char *p = dst;
    uint64_t pt = 0, pv = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t bt = bits_of(t[i]), bv = bits_of(v[i]);
        uint64_t xt = bt ^ pt, xv = bv ^ pv;
        pt = bt;
        pv = bv;
        /* a zero xor keeps one zero byte: no test for it */
        unsigned kt = (71u - (unsigned)__builtin_clzll(xt | 1)) / 8;
        unsigned tz = (unsigned)__builtin_ctzll(xv | UINT64_C(1) << 63) & ~7u;
        unsigned kv = 8 - tz / 8;
        *p++ = (unsigned char)(kt | kv << 4);
        store_le64(p, xt);
        p += kt;
        store_le64(p, xv >> tz);
        p += kv;
    }
    return (size_t)(p - dst);
}

/* The n samples coded in src[0, len) into t[0, n) and v[0, n); false if
 * they are not n well-formed samples taking exactly len bytes. */
static bool decode_samples(const unsigned char *src, size_t len, size_t n, double *t,
                           double *v)
{
    const unsigned char *p = src, *end = src + len;
    uint64_t pt = 0, pv = 0;
    for (size_t i = 0; i < n; i++) {
        if (p == end)
            return false;
        unsigned kt = *p & 15u, kv = *p >> 4;
        p++;
        if (kt > 8 || kv > 8 || (size_t)(end - p) < kt + kv)
            return false;
        pt ^= load_le(p, kt, (size_t)(end - p));
        p += kt;
        if (kv)
            pv ^= load_le(p, kv, (size_t)(end - p)) << (64 - 8 * kv);
        p += kv;
        memcpy(&t[i], &pt, sizeof pt);
        memcpy(&v[i], &pv, sizeof pv);
    }
    return p == end;
}

static void put_samples(wbuf *b, const run_trace *tr)
{
    put_u64(b, tr->n);
    if (tr->n > (SIZE_MAX - 8) / SAMPLE_MAX) {
        b->oom = true;
        return;
    }
    unsigned char *p = reserve(b, 8 + SAMPLE_MAX * tr->n);
    if (!p)
        return;
    uint64_t len = encode_samples(p + 8, tr->t, tr->v, tr->n);
    memcpy(p, &len, sizeof len);
    b->len += 8 + len;
}

static void serialise(wbuf *b, const run_result *r)
{
    put_u64(b, r->run);
    put_u64(b, r->point);
    put_u64(b, r->replication);
    put_u32(b, r->pilot);
    put_f64(b, r->warmup);
    put_u32(b, (uint32_t)r->status);
    put_str(b, r->message);
    put_f64(b, r->end_time);
    put_u64(b, r->events);
    put_f64(b, r->wall_s);
    put_u64(b, r->nparams);
    put(b, r->params, r->nparams * sizeof(double));
    put_u64(b, r->nscalars);
    put(b, r->scalars, r->nscalars * sizeof(double));
    put_u64(b, r->ndrift);
    for (size_t i = 0; i < r->ndrift; i++) {
        const usim_drift_stats *st = &r->drift[i].st;
        put_str(b, r->drift[i].task ? r->drift[i].task : "");
        put_u64(b, st->waits);
        put_f64(b, st->requested);
        put_f64(b, st->actual);
        put_f64(b, st->mean_abs);
        put_f64(b, st->max_abs);
        put_f64(b, st->final);
        put_u64(b, st->overruns);
    }
    put_u64(b, r->ntraces);
    for (size_t i = 0; i < r->ntraces; i++)
        put_samples(b, &r->traces[i]);
    /* mostly all zero: the top four bins at a time (64 is a multiple) */
    const uint64_t *h = r->drift_hist;
    uint32_t lo = 0, hi = USIM_DRIFT_BINS;
    while (hi >= 4 && (h[hi - 1] | h[hi - 2] | h[hi - 3] | h[hi - 4]) == 0)
        hi -= 4;
    while (hi > 0 && h[hi - 1] == 0)
        hi--;
    while (lo < hi && h[lo] == 0)
        lo++;
    put_u32(b, lo);
    put_u32(b, hi);
    put(b, r->drift_hist + lo, (hi - lo) * sizeof *r->drift_hist);
}

typedef struct rbuf {
    const unsigned char *p;
    size_t len, pos;
    bool bad;
} rbuf;

/* n bytes into dst, or past them when dst is NULL (measuring). */
static bool get(rbuf *b, void *dst, size_t n)
{
    if (b->bad || n > b->len - b->pos) {
        b->bad = true;
        return false;
    }
    if (dst && n)
        memcpy(dst, b->p + b->pos, n);
    b->pos += n;
    return true;
}

static uint64_t get_u64(rbuf *b)
{
    uint64_t v = 0;
    get(b, &v, sizeof v);
    return v;
}

static uint32_t get_u32(rbuf *b)
{
    uint32_t v = 0;
    get(b, &v, sizeof v);
    return v;
}

static double get_f64(rbuf *b)
{
    double v = 0;
    get(b, &v, sizeof v);
    return v;
}

/* ---- reading a record: one allocation ----------------------------------- */

/*
 * A record becomes one run_result block (run_result_block): parse() runs
 * twice over the payload, first measuring (no block: it adds up the bytes
 * the arrays and strings take and checks every count and length against
 * what is left), then filling (it carves them from the block as it reads
 * them).  One routine for both, so the two cannot disagree on the layout.
 * The writer reads every run back once per file it writes: one malloc
 * and one free per run instead of a dozen.
 */

typedef struct carver {
    char *base; /* NULL: measuring */
    size_t used;
} carver;

/* Whole units of the strictest alignment, at least one (an empty array
 * is not NULL, as calloc(1, ...) gave). */
static size_t piece(size_t n)
{
    size_t a = _Alignof(max_align_t);
    return n ? (n + a - 1) / a * a : a;
}

/* The next n bytes of the block (NULL when measuring). */
static void *carve(carver *c, size_t n)
{
    void *p = c->base ? c->base + c->used : NULL;
    c->used += piece(n);
    return p;
}

/* A count of items that take at least `min` payload bytes each; one that
 * cannot fit in what is left marks the payload bad and gives 0, so a bad
 * count never makes us allocate absurd amounts. */
static uint64_t get_count(rbuf *b, size_t min)
{
    uint64_t n = get_u64(b);
    if (b->bad || n > (b->len - b->pos) / min) {
        b->bad = true;
        return 0;
    }
    return n;
}

static char *get_str(rbuf *b, carver *c)
{
    uint32_t n = get_u32(b);
    if (n == NO_STRING || b->bad)
        return NULL;
    if (n > b->len - b->pos) {
        b->bad = true;
        return NULL;
    }
    char *s = carve(c, (size_t)n + 1);
    get(b, s, n);
    if (s)
        s[n] = '\0';
    return s;
}

static double *get_doubles(rbuf *b, carver *c, size_t n)
{
    double *p = carve(c, n * sizeof(double));
    get(b, p, n * sizeof(double));
    return p;
}

/* The payload (its layout: the file comment) into r; false if it does
 * not parse.  Measuring, r is scratch and its arrays stay NULL. */
static bool parse(rbuf *b, run_result *r, carver *c)
{
    r->run = get_u64(b);
    r->point = get_u64(b);
    r->replication = get_u64(b);
    uint32_t pilot = get_u32(b);
    r->pilot = pilot != 0;
    r->warmup = get_f64(b);
    r->status = (run_status)get_u32(b);
    r->message = get_str(b, c);
    r->end_time = get_f64(b);
    r->events = get_u64(b);
    r->wall_s = get_f64(b);
    r->nparams = get_count(b, sizeof(double));
    r->params = get_doubles(b, c, r->nparams);
    r->nscalars = get_count(b, sizeof(double));
    r->scalars = get_doubles(b, c, r->nscalars);
    r->ndrift = get_count(b, 4 + 7 * 8);
    r->drift = carve(c, r->ndrift * sizeof *r->drift);
    for (size_t i = 0; !b->bad && i < r->ndrift; i++) {
        run_drift spare, *d = r->drift ? &r->drift[i] : &spare;
        usim_drift_stats *st = &d->st;
        d->task = get_str(b, c);
        st->waits = get_u64(b);
        st->requested = get_f64(b);
        st->actual = get_f64(b);
        st->mean_abs = get_f64(b);
        st->max_abs = get_f64(b);
        st->final = get_f64(b);
        st->overruns = get_u64(b);
    }
    r->ntraces = get_count(b, 8);
    r->traces = carve(c, r->ntraces * sizeof *r->traces);
    for (size_t i = 0; !b->bad && i < r->ntraces; i++) {
        run_trace spare, *tr = r->traces ? &r->traces[i] : &spare;
        tr->n = get_count(b, 1); /* a sample takes a byte at least ... */
        uint64_t len = get_count(b, 1);
        if (tr->n > len) /* ... of its own samples' bytes */
            b->bad = true;
        const unsigned char *coded = b->p + b->pos;
        tr->t = carve(c, tr->n * sizeof(double));
        tr->v = carve(c, tr->n * sizeof(double));
        if (get(b, NULL, len) && tr->t &&
            !decode_samples(coded, len, tr->n, tr->t, tr->v))
            b->bad = true; /* the samples are decoded (and checked) when filling */
    }
    uint32_t lo = get_u32(b), hi = get_u32(b); /* the others stay zero */
    if (lo > hi || hi > USIM_DRIFT_BINS)
        b->bad = true;
    else
        get(b, r->drift_hist + lo, (hi - lo) * sizeof *r->drift_hist);
    return !b->bad && b->pos == b->len && r->status <= RUN_STATUS_LAST && pilot <= 1;
}

static run_result *deserialise(const unsigned char *p, size_t len)
{
    run_result scratch = {0};
    rbuf b = {.p = p, .len = len};
    carver c = {0};
    if (!parse(&b, &scratch, &c))
        return NULL;
    run_result *r = run_result_block(c.used);
    if (!r)
        return NULL;
    size_t need = c.used;
    b = (rbuf){.p = p, .len = len};
    c = (carver){.base = run_result_extra(r)};
    if (!parse(&b, r, &c)) {
        /* samples that do not decode, which measuring skips; all of the
         * record is its block, part of it not yet filled */
        free(r);
        return NULL;
    }
    assert(c.used == need); /* as measured */
    (void)need;
    return r;
}

/* ---- the checksum ------------------------------------------------------ */

/*
 * One pass over the payload, 8 bytes a step (the last word zero-padded),
 * seeded with the length.  Each step, h = (h ^ w) * K then h ^= h >> 32
 * with K odd, is a bijection of h for a given word w and injective in w
 * for a given h: two payloads that differ in one word always get
 * different sums, and other corruption (a torn write's zeros, stale
 * bytes) goes unseen with a chance of about 2^-64.  About a cycle per 8
 * bytes, where FNV-1a took several per byte: every run passes through
 * the journal once, and once more when a file is written from it.
 */
#define SUM_K 0xff51afd7ed558ccdu

static inline uint64_t sum_step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * SUM_K;
    return h ^ (h >> 32);
}

uint64_t journal_checksum(const void *payload, size_t n)
{
    const unsigned char *p = payload;
    uint64_t h = 0x9e3779b97f4a7c15u ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = sum_step(h, w);
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, p + i, n - i);
        h = sum_step(h, w);
    }
    h ^= h >> 29;
    h *= 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 32);
}

/* ---- writing ---------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

int journal_create(journal **out, const char *path, uint64_t ident)
{
    journal *j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    j->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (j->fd < 0) {
        int rc = -errno;
        free(j);
        return rc;
    }
    unsigned char hdr[16];
    memcpy(hdr, JOURNAL_MAGIC, 8);
    memcpy(hdr + 8, &ident, 8);
    int rc = write_all(j->fd, hdr, sizeof hdr);
    if (rc < 0) {
        journal_close(j);
        return rc;
    }
    j->size = sizeof hdr;
    *out = j;
    return 0;
}

int journal_add(journal *j, const run_result *r, uint64_t *at)
{
    if (j->torn)
        return -EIO;
    /* Header placeholder, payload, checksum, after the records added
     * before: one write(2) puts them all into the page cache. */
    size_t start = j->len;
    wbuf b = {.p = j->buf, .len = start, .cap = j->cap};
    put_u32(&b, RECORD_MAGIC);
    put_u32(&b, 0);
    serialise(&b, r);
    size_t plen = b.len - start - 8;
    int rc = b.oom ? -ENOMEM : plen > UINT32_MAX ? -EFBIG : 0;
    if (rc == 0) {
        uint32_t len32 = (uint32_t)plen;
        memcpy(b.p + start + 4, &len32, 4);
        put_u64(&b, journal_checksum(b.p + start + 8, plen));
        if (b.oom)
            rc = -ENOMEM;
    }
    j->buf = b.p;
    j->cap = b.cap;
    if (rc < 0)
        return rc; /* j->len unchanged: the record is dropped */
    if (at)
        *at = j->size + start;
    j->len = b.len;
    return 0;
}

size_t journal_buffered(const journal *j)
{
    return j->len;
}

int journal_write(journal *j)
{
    if (j->len == 0)
        return 0;
    int rc = j->torn ? -EIO : write_all(j->fd, j->buf, j->len);
    if (rc < 0) {
        j->torn = true; /* readers stop at the torn record */
        j->len = 0;
        return rc;
    }
    j->size += j->len;
    j->len = 0;
    return 0;
}

int journal_append(journal *j, const run_result *r, uint64_t *at)
{
    int rc = journal_add(j, r, at);
    return rc < 0 ? rc : journal_write(j);
}

uint64_t journal_size(const journal *j)
{
    return j->size;
}

int journal_sync(journal *j)
{
    return fdatasync(j->fd) < 0 ? -errno : 0;
}

void journal_close(journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    free(j->buf);
    free(j);
}

/* ---- reading ---------------------------------------------------------- */

int journal_open(journal_reader **out, const char *path, uint64_t *ident)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    unsigned char hdr[16];
    int rc;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto fail;
    }
    bool whole = pread(fd, hdr, sizeof hdr, 0) == (ssize_t)sizeof hdr;
    if (!whole || memcmp(hdr, JOURNAL_MAGIC, 8)) {
        /* a usim journal of another format ("USIMJRN" and its digit), or
         * not a journal */
        bool usim =
            whole && !memcmp(hdr, JOURNAL_MAGIC, 7) && hdr[7] >= '0' && hdr[7] <= '9';
        rc = usim ? -EPROTONOSUPPORT : -EINVAL;
        goto fail;
    }
    journal_reader *jr = calloc(1, sizeof *jr);
    if (!jr) {
        rc = -ENOMEM;
        goto fail;
    }
    memcpy(ident, hdr + 8, 8);
    jr->fd = fd;
    jr->off = sizeof hdr;
    jr->size = (uint64_t)st.st_size;
    *out = jr;
    return 0;
fail:
    close(fd);
    return rc;
}

uint64_t journal_tell(const journal_reader *jr)
{
    return jr->off;
}

/* Points *p at the file's bytes [off, off + len), in the window or read
 * into it: 1, or 0 if the file ends before, or -ENOMEM. */
static int window(journal_reader *jr, uint64_t off, size_t len, const unsigned char **p)
{
    if (off > jr->size || len > jr->size - off) /* any offset: never overflows */
        return 0;
    if (off >= jr->win_off && len <= jr->win_len &&
        off - jr->win_off <= jr->win_len - len) {
        *p = jr->buf + (off - jr->win_off);
        return 1;
    }
    size_t want = len > READ_AHEAD ? len : READ_AHEAD;
    if (want > jr->size - off)
        want = (size_t)(jr->size - off);
    if (jr->cap < want) {
        unsigned char *b = realloc(jr->buf, want);
        if (!b)
            return -ENOMEM;
        jr->buf = b;
        jr->cap = want;
    }
    ssize_t got = pread(jr->fd, jr->buf, want, (off_t)off);
    jr->win_off = off;
    jr->win_len = got > 0 ? (size_t)got : 0;
    *p = jr->buf;
    return jr->win_len >= len;
}

/* Reads and checks the record at off; its total size in *size. */
static int read_record(journal_reader *jr, uint64_t off, run_result **r, uint64_t *size)
{
    uint32_t h[2];
    const unsigned char *p;
    int rc = window(jr, off, 8, &p);
    if (rc <= 0)
        return rc;
    memcpy(h, p, 8);
    if (h[0] != RECORD_MAGIC)
        return 0;
    uint64_t total = 8 + (uint64_t)h[1] + 8;
    if (off + total > jr->size)
        return 0; /* torn at the end */
    rc = window(jr, off, (size_t)total, &p);
    if (rc <= 0)
        return rc;
    p += 8;
    uint64_t sum;
    memcpy(&sum, p + h[1], 8);
    if (sum != journal_checksum(p, h[1]))
        return 0;
    *r = deserialise(p, h[1]);
    if (!*r)
        return 0; /* checks out but does not parse: treat as the end */
    *size = total;
    return 1;
}

int journal_next(journal_reader *jr, run_result **r)
{
    uint64_t size = 0;
    int rc = read_record(jr, jr->off, r, &size);
    if (rc == 1)
        jr->off += size;
    return rc;
}

/* Whether the file grew since its size was taken (a journal read while
 * it is written); its new size is taken then.  Records are never changed
 * once written, so the window stays valid. */
static bool grew(journal_reader *jr)
{
    struct stat st;
    if (fstat(jr->fd, &st) < 0 || (uint64_t)st.st_size <= jr->size)
        return false;
    jr->size = (uint64_t)st.st_size;
    return true;
}

int journal_read_at(journal_reader *jr, uint64_t off, run_result **r)
{
    uint64_t size;
    int rc = read_record(jr, off, r, &size);
    if (rc == 0 && grew(jr))
        rc = read_record(jr, off, r, &size);
    return rc == 1 ? 0 : rc == 0 ? -EIO : rc;
}

void journal_reader_close(journal_reader *jr)
{
    if (!jr)
        return;
    close(jr->fd);
    free(jr->buf);
    free(jr);
}
