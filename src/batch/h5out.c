/*
 * h5out.c — crash-safe, deterministic HDF5 output (h5out.h).
 *
 * Why this design.  HDF5 1.10 has no journal of its own: a process killed
 * while the library is writing metadata leaves a file that may not open,
 * and a writer killed before its first H5Fflush always leaves one that does
 * not.  Raw data and metadata reach the file in an order we do not control.
 * An earlier design updated PATH in place and flushed it at checkpoints;
 * 1 in about 20 kills that landed inside H5Fflush left a PATH that did not
 * open.  So PATH is never modified in place, and never the only copy of a
 * completed run:
 *
 *  1. PATH.journal (journal.c) receives every completed run first, as a
 *     checksummed record; the runs the writer takes at once go in by one
 *     write(2) (up to JOURNAL_GROUP bytes of them: with small results a
 *     write per run was half the writer's time).  A SIGKILL cannot undo a
 *     write that returned (it is in the page cache), and a torn last
 *     record is detected and dropped.  Every checkpoint fdatasyncs it
 *     first, which bounds what a power failure can lose.  The journal is
 *     the recovery source; o->at remembers where each run's record is.
 *
 *  2. PATH is only ever replaced whole.  A snapshot is a complete file
 *     written from the journal by write_file (put together as the final
 *     file is, all at once): the runs done so far in run order, the others
 *     pending, root attribute complete = 0.  It is written and closed as
 *     PATH.snapshot.tmp, then renamed over PATH; rename(2) is atomic, so
 *     whatever moment a SIGKILL picks, PATH is the previous snapshot or the
 *     new one, each a closed HDF5 file.  PATH appears with the first
 *     snapshot (all runs pending), before h5out_create returns.  A kill
 *     while a snapshot is written leaves a stray PATH.snapshot.tmp, which
 *     the next snapshot (after --resume) reuses.  Snapshots are not
 *     fsync'd: after a power failure PATH may not open, and --resume
 *     recovers from the fsync'd journal.
 *
 *     Checkpoints are adaptive (checkpoint_due).  h5out_write_run takes
 *     one when CHECKPOINT_S has passed since the last one ended and
 *     SNAPSHOT_RATIO times as long as the next one should take, predicted
 *     from the last one's seconds per journal byte: snapshots take about
 *     1 / (1 + SNAPSHOT_RATIO) of the writer's time at most, however large
 *     the file grows (each rewrites everything), and PATH lags the journal
 *     by up to about ten snapshot durations.
 *
 *     Measured (HDF5 1.10.8, ext4, 2 cores).  h5writer, which snapshots
 *     after every run, killed at evenly spread moments by crash.sh: of 280
 *     kills (9 rounds of 20, one of 100; debug and ASan builds), 279 left a
 *     PATH that opened and 1 came before PATH existed; none left one that
 *     did not open (the in-place design: 1 in 20).  About 3 in 4 landed
 *     while a snapshot was being written.  Every resume was identical to an
 *     uninterrupted run.
 *     tests/bench/batch.sh (100 runs, small output; 9 snapshots of 10-20
 *     ms each): 7.3-7.9 s, as before (7.7-8.5 s in the same session).  mm1
 *     with two traces, 120 runs, a 330 MB file: 12.2 s against 13.7 s in
 *     place (no intermediate snapshot: the first one would have taken ~3 s;
 *     the final file takes ~10 s in both designs).
 *
 *  3. --resume (h5out_resume) recovers every run from the journal (or, if
 *     there is none, from PATH itself: a finished file), writes a fresh
 *     journal (without a torn last record) and a snapshot under temporary
 *     names, and renames them in place, journal first: PATH never shows a
 *     run its journal lacks.
 *
 *  4. The final file is written while the runs finish, as PATH.tmp:
 *     each run goes in as soon as every run before it in row order is
 *     done (the one just journaled as it is, earlier ones read back from
 *     the journal), so its chunks are compressed while the workers run
 *     rather than all at the end.  h5out_finish puts in the rest (the runs
 *     after a pending one), complete set when every run is done, fsyncs
 *     it, renames it over PATH, and only then removes the journal.  It
 *     does not fdatasync the journal first: the file it publishes is
 *     fsync'd, and until the rename a power failure loses at most the runs
 *     since the last checkpoint, as at any moment of the batch.  A kill
 *     leaves a stray PATH.tmp, which the next run of the experiment
 *     replaces; h5out_close without a finish removes it.
 *     Every row is at a position that depends only on the runs' results
 *     (runs go in in row order), so 1 or N threads, shards merged
 *     (merge.c) and resumed runs give identical datasets; only
 *     /runs.wall_s, the "created" attribute and the provenance records of
 *     /shards differ.
 *
 *  5. Provenance: every invocation appends its record (host, times, SLURM
 *     ids: provenance.h) to those of the file it resumes, read from PATH;
 *     a PATH lost to a power failure loses only those records.
 */
#define _GNU_SOURCE /* sync_file_range */
#include "batch/h5out.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/h5file.h"
#include "batch/h5in.h"
#include "batch/journal.h"
#include "batch/progress.h"
#include "batch/provenance.h"

#define CHECKPOINT_S 1.0    /* least time between checkpoints */
#define SNAPSHOT_RATIO 10.0 /* ... and least multiple of the next one's duration */
#define SNAPSHOT_FLOOR (256.0 * 1024) /* journal bytes the fixed cost stands for */
#define NO_RECORD UINT64_MAX
#define WRITEBACK_BYTES (64u << 20) /* journal growth between final-file writebacks */

struct h5out {
    h5out_spec spec; /* owned (h5spec_dup) */
    char *path, *jpath, *tmppath, *jtmppath, *finpath;
    journal *j;
    const char *jwriting;    /* the file o->j writes: jtmppath, then jpath */
    uint64_t *at;            /* per run: its journal record's offset, or NO_RECORD */
    const run_result **held; /* per run: its result while being journaled */
    h5file *fin;             /* the final file, PATH.tmp, being written */
    journal_reader *fin_jr;  /* ... reading back the runs done before their turn */
    uint64_t fin_row;        /* ... holding the rows below this one */
    int fin_fd;              /* ... for its writeback, or -1 */
    uint64_t fin_pushed;     /* journal_size when that was last started */
    uint64_t ndone, nfailed; /* runs journaled; of which run_status_failed */
    uint64_t nrecovered;     /* of ndone: recovered from an earlier process */
    uint64_t session_base;   /* this invocation's runs before this process */
    uint64_t snap_ndone;     /* ndone as of the last snapshot */
    double snap_start;       /* progress_clock() when the last snapshot began */
    double snap_end;         /* ... and when it ended */
    double snap_rate;        /* its seconds per journal byte (at least FLOOR) */
    prov_session *sessions;  /* earlier invocations' records, then this one's */
    size_t nsessions;
    h5out_failure failures[H5OUT_FAILURES_KEPT]; /* the first failed runs */
    size_t nfailures;
    bool finished;
    char msg[512];
};

static char *concat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (s) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* An output path names a file, never a directory (checked before any file
 * is made beside it). */
static int refuse_directory(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        h5spec_set_err(err, errlen, "%s: is a directory; name the output file", path);
        return H5OUT_EEXIST;
    }
    return 0;
}

/* H5OUT_EBUSY if another process is writing this output: it holds
 * PATH.tmp open for the whole batch, locked by HDF5 (flock).  Checked
 * before anything is created, since creating PATH.tmp truncates it before
 * HDF5 finds the lock. */
static int refuse_busy(const h5out *o, char *err, size_t errlen)
{
    int fd = open(o->finpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int rc = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
        h5spec_set_err(err, errlen,
                       "%s: another usim-batch is writing it (%s is locked); wait for "
                       "it to end",
                       o->path, o->finpath);
        rc = H5OUT_EBUSY;
    }
    close(fd);
    return rc;
}

/* fsync a file by name. */
static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

/* fsync the directory of a file, so that a rename into it is durable. */
static void fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int h5out_publish(const char *tmp, const char *path, char *err, size_t errlen)
{
    int rc = fsync_path(tmp);
    if (rc < 0) {
        h5spec_set_err(err, errlen, "%s: fsync: %s", tmp, strerror(-rc));
    } else if (rename(tmp, path) < 0) {
        rc = -errno;
        h5spec_set_err(err, errlen, "%s: cannot rename to %s: %s", tmp, path,
                       strerror(-rc));
    }
    if (rc < 0) {
        unlink(tmp);
        return H5OUT_EIO;
    }
    fsync_dir_of(path);
    return 0;
}

/* ---- the object -------------------------------------------------------- */

/* Frees o and what it owns; any member may be unset (NULL, or a zeroed spec). */
static void h5out_free(h5out *o)
{
    if (o->fin) {
        h5file_close(o->fin, NULL, 0);
        unlink(o->finpath);
    }
    if (o->fin_fd >= 0)
        close(o->fin_fd);
    journal_reader_close(o->fin_jr);
    journal_close(o->j);
    h5spec_release(&o->spec);
    free(o->path);
    free(o->jpath);
    free(o->tmppath);
    free(o->jtmppath);
    free(o->finpath);
    free(o->at);
    free(o->held);
    free(o->sessions);
    free(o);
}

static h5out *h5out_alloc(const h5out_spec *s, const char *path)
{
    h5out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->path = strdup(path);
    o->jpath = concat(path, ".journal");
    o->tmppath = concat(path, ".snapshot.tmp");
    o->jtmppath = concat(path, ".journal.tmp");
    o->finpath = concat(path, ".tmp");
    o->at = malloc((s->nruns + 1) * sizeof *o->at);
    o->held = calloc(s->nruns + 1, sizeof *o->held);
    o->sessions = calloc(1, sizeof *o->sessions);
    if (!o->path || !o->jpath || !o->tmppath || !o->jtmppath || !o->finpath || !o->at ||
        !o->held || !o->sessions || h5spec_dup(&o->spec, s) < 0) {
        h5out_free(o); /* h5spec_dup leaves the spec zeroed when it fails */
        return NULL;
    }
    for (uint64_t run = 0; run < s->nruns; run++)
        o->at[run] = NO_RECORD;
    o->fin_fd = -1;
    o->nsessions = 1;
    provenance_session_begin(&o->sessions[0], o->spec.shard_index, o->spec.shard_count);
    return o;
}

/* Puts the records of earlier invocations (of the file being resumed)
 * before this invocation's. */
static int keep_sessions(h5out *o, const prov_session *old, size_t n)
{
    prov_session *all = malloc((n + 1) * sizeof *all);
    if (!all)
        return H5OUT_ENOMEM;
    memcpy(all, old, n * sizeof *all);
    all[n] = o->sessions[o->nsessions - 1];
    free(o->sessions);
    o->sessions = all;
    o->nsessions = n + 1;
    return 0;
}

static prov_session *this_session(h5out *o)
{
    return &o->sessions[o->nsessions - 1];
}

/*
 * After recovery: the records read from PATH count each invocation's runs
 * as of PATH's last snapshot, so the runs an invocation journaled after it
 * (it was killed) are credited to the last of them.  Then, when this
 * process continues the invocation of that last record (`continues`: a
 * worker after a dead one), that record is this one's, still open: the
 * new record goes and the runs go on from the record's count.
 */
static void settle_sessions(h5out *o, bool continues)
{
    if (o->nsessions < 2)
        return;
    uint64_t counted = 0;
    for (size_t i = 0; i + 1 < o->nsessions; i++)
        counted += o->sessions[i].runs;
    prov_session *last = &o->sessions[o->nsessions - 2];
    if (o->nrecovered > counted)
        last->runs += o->nrecovered - counted;
    if (continues) {
        o->nsessions--;
        o->session_base = last->runs;
    }
}

const char *h5out_errmsg(const h5out *o)
{
    return o->msg;
}

uint64_t h5out_runs_done(const h5out *o)
{
    return o->ndone;
}

uint64_t h5out_runs_failed(const h5out *o)
{
    return o->nfailed;
}

const h5out_failure *h5out_failures(const h5out *o, size_t *n)
{
    *n = o->nfailures;
    return o->failures;
}

/* Keeps r among the lowest-numbered failed runs (runs arrive in any
 * order: threads, resumes). */
static void keep_failure(h5out *o, const run_result *r)
{
    size_t at = o->nfailures;
    while (at > 0 && o->failures[at - 1].run > r->run)
        at--;
    if (at == H5OUT_FAILURES_KEPT)
        return;
    size_t last = o->nfailures < H5OUT_FAILURES_KEPT ? o->nfailures : o->nfailures - 1;
    memmove(&o->failures[at + 1], &o->failures[at], (last - at) * sizeof *o->failures);
    if (o->nfailures < H5OUT_FAILURES_KEPT)
        o->nfailures++;
    h5out_failure *f = &o->failures[at];
    *f = (h5out_failure){.run = r->run,
                         .point = r->point,
                         .replication = r->replication,
                         .status = r->status};
    const char *m = r->message ? r->message : "";
    size_t len = strlen(m);
    if (len > H5OUT_FAILURE_MESSAGE) {
        /* Cut before "...", not inside a UTF-8 sequence. */
        len = H5OUT_FAILURE_MESSAGE - 3;
        while (len > 0 && ((unsigned char)m[len] & 0xC0) == 0x80)
            len--;
        memcpy(f->message, m, len);
        memcpy(f->message + len, "...", 4);
    } else {
        memcpy(f->message, m, len + 1);
    }
    for (char *p = f->message; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

/* Whether r can be journaled into this file: one of its runs, not
 * journaled yet, of its shape. */
static int check_run(h5out *o, const run_result *r, char *err, size_t errlen)
{
    if (!h5spec_holds(&o->spec, r->run)) {
        h5spec_set_err(err, errlen, "%s: run %llu is not one of this file's", o->path,
                       (unsigned long long)r->run);
        return H5OUT_EIO;
    }
    if (o->at[r->run] != NO_RECORD) {
        h5spec_set_err(err, errlen, "%s: run %llu written twice", o->path,
                       (unsigned long long)r->run);
        return H5OUT_EIO;
    }
    if (r->nparams != o->spec.nparams || r->nscalars != o->spec.nscalars ||
        r->ntraces != o->spec.ntraces) {
        h5spec_set_err(err, errlen,
                       "%s: run %llu does not fit the file (%zu parameters, %zu "
                       "scalars, %zu traces expected)",
                       o->path, (unsigned long long)r->run, o->spec.nparams,
                       o->spec.nscalars, o->spec.ntraces);
        return H5OUT_EIO;
    }
    return 0;
}

/* Records that wait in the journal's buffer for one write(2) together, up
 * to about this many bytes of them. */
#define JOURNAL_GROUP (1u << 20)

/*
 * Writes the records of rs[0, n), added to the journal (their o->at set
 * by journal_add): from now on they are done.  If the write fails they
 * are not (o->at cleared); a part of them may be in the journal, where a
 * --resume finds them.
 */
static int commit_runs(h5out *o, const run_result *const *rs, size_t n, char *err,
                       size_t errlen)
{
    int rc = journal_write(o->j);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            o->at[rs[i]->run] = NO_RECORD;
        h5spec_set_err(err, errlen, "%s: %s", o->jwriting, strerror(-rc));
        return H5OUT_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        o->ndone++;
        if (run_status_failed(rs[i]->status)) {
            o->nfailed++;
            keep_failure(o, rs[i]);
        }
    }
    return 0;
}

/* Journals the runs rs[0, n), as few write(2)s as JOURNAL_GROUP allows;
 * each is done once its write returns.  On an error the runs before the
 * one that failed are journaled. */
static int put_runs(h5out *o, const run_result *const *rs, size_t n, char *err,
                    size_t errlen)
{
    size_t first = 0; /* rs[first, i) are added, not yet written */
    for (size_t i = 0; i < n; i++) {
        int rc = check_run(o, rs[i], err, errlen);
        if (rc == 0) {
            int jrc = journal_add(o->j, rs[i], &o->at[rs[i]->run]);
            if (jrc < 0) {
                h5spec_set_err(err, errlen, "%s: %s", o->jwriting, strerror(-jrc));
                rc = H5OUT_EIO;
            }
        }
        if (rc < 0) {
            int crc = commit_runs(o, rs + first, i - first, err, errlen);
            return crc < 0 ? crc : rc;
        }
        if (journal_buffered(o->j) >= JOURNAL_GROUP || i + 1 == n) {
            if ((rc = commit_runs(o, rs + first, i + 1 - first, err, errlen)) < 0)
                return rc;
            first = i + 1;
        }
    }
    return 0;
}

int h5out_each_run(h5out *o, void (*fn)(const run_result *r, void *ctx), void *ctx)
{
    journal_reader *jr = NULL;
    uint64_t ident;
    int rc = journal_open(&jr, o->jwriting, &ident);
    if (rc < 0) {
        snprintf(o->msg, sizeof o->msg, "%s: %s", o->jwriting, strerror(-rc));
        return H5OUT_EIO;
    }
    uint64_t rows = h5spec_rows(&o->spec);
    for (uint64_t row = 0; rc == 0 && row < rows; row++) {
        uint64_t run = h5spec_run(&o->spec, row);
        run_result *r;
        if (o->at[run] == NO_RECORD)
            continue;
        if (journal_read_at(jr, o->at[run], &r) < 0) {
            snprintf(o->msg, sizeof o->msg, "%s: cannot re-read run %llu", o->jwriting,
                     (unsigned long long)run);
            rc = H5OUT_EIO;
            break;
        }
        fn(r, ctx);
        run_result_free(r);
    }
    journal_reader_close(jr);
    return rc;
}

/* ---- snapshots --------------------------------------------------------- */

/* Opens the journal `jsrc` for reading back the runs o->at points into. */
static int open_records(h5out *o, journal_reader **jr, const char *jsrc, char *err,
                        size_t errlen)
{
    uint64_t ident;
    int rc = journal_open(jr, jsrc, &ident);
    if (rc < 0) {
        h5spec_set_err(err, errlen, "%s: %s", jsrc, strerror(-rc));
        return H5OUT_EIO;
    }
    if (ident != h5spec_ident(&o->spec)) { /* replaced behind our back */
        journal_reader_close(*jr);
        *jr = NULL;
        h5spec_set_err(err, errlen, "%s: belongs to another experiment", jsrc);
        return H5OUT_EIO;
    }
    return 0;
}

/*
 * Puts the done runs of rows *row onwards into f, in row order, and
 * advances *row past them: each read back from jr, or o->held's result of
 * the run if there is one.  At a pending row: stops if `stop`, else skips
 * it (it stays pending in f).
 */
static int put_rows(h5out *o, h5file *f, journal_reader *jr, uint64_t *row, bool stop,
                    char *err, size_t errlen)
{
    uint64_t rows = h5spec_rows(&o->spec);
    for (; *row < rows; ++*row) {
        uint64_t run = h5spec_run(&o->spec, *row);
        if (o->at[run] == NO_RECORD) {
            if (stop)
                break;
            continue;
        }
        const run_result *r = o->held[run];
        run_result *back = NULL;
        if (!r && journal_read_at(jr, o->at[run], &back) < 0) {
            h5spec_set_err(err, errlen, "%s: cannot re-read run %llu", o->jwriting,
                           (unsigned long long)run);
            return H5OUT_EIO;
        }
        assert(!back || back->run == run);
        int rc = h5file_put(f, back ? back : r, err, errlen);
        run_result_free(back);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Completes f after its runs: /shards, the pending rows, the root's
 * attributes; closes it. */
static int end_file(h5out *o, h5file *f, int rc, bool complete, char *err,
                    size_t errlen)
{
    this_session(o)->runs = o->session_base + o->ndone - o->nrecovered;
    if (rc == 0)
        rc = h5file_put_sessions(f, o->sessions, o->nsessions, err, errlen);
    if (rc == 0)
        rc = h5file_flush(f, o->ndone, complete, err, errlen);
    if (f) {
        int crc = h5file_close(f, rc == 0 ? err : NULL, errlen);
        if (rc == 0)
            rc = crc;
    }
    return rc;
}

/*
 * Writes the snapshot `dst` (truncating it) from the journal o->j writes:
 * every run done, in run order, read back from its record; the others
 * pending.  It is put together as the final file is (put_rows, end_file),
 * only all at once.
 */
static int write_file(h5out *o, const char *dst, char *err, size_t errlen)
{
    journal_reader *jr = NULL;
    h5file *f = NULL;
    int rc = open_records(o, &jr, o->jwriting, err, errlen);
    if (rc < 0)
        return rc;
    rc = h5file_create(&f, &o->spec, dst, err, errlen);
    uint64_t row = 0;
    if (rc == 0)
        rc = put_rows(o, f, jr, &row, false, err, errlen);
    rc = end_file(o, f, rc, false, err, errlen);
    journal_reader_close(jr);
    return rc;
}

/* ---- the final file ------------------------------------------------------ */

/* Creates PATH.tmp and puts in the runs already done (recovered) that it
 * can, read from the journal o->j writes (before it is published: a
 * failure here leaves PATH and its journal as they were). */
static int final_start(h5out *o, char *err, size_t errlen)
{
    int rc = open_records(o, &o->fin_jr, o->jwriting, err, errlen);
    if (rc == 0)
        rc = h5file_create(&o->fin, &o->spec, o->finpath, err, errlen);
    if (rc < 0)
        return rc;
    o->fin_fd = open(o->finpath, O_RDONLY | O_CLOEXEC); /* -1: no writeback */
    o->fin_row = 0;
    return put_rows(o, o->fin, o->fin_jr, &o->fin_row, true, err, errlen);
}

/*
 * Starts writing out what the final file holds so far, every
 * WRITEBACK_BYTES of journal, without waiting for it: the fsync at the
 * finish then has little left to write, where it would otherwise write a
 * large file whole at the end.  Best effort: a failure only leaves the
 * fsync more to do.
 */
static void final_writeback(h5out *o)
{
    uint64_t bytes = journal_size(o->j);
    if (o->fin_fd < 0 || bytes - o->fin_pushed < WRITEBACK_BYTES)
        return;
    o->fin_pushed = bytes;
#ifdef SYNC_FILE_RANGE_WRITE
    sync_file_range(o->fin_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

/* Writes the rest of the final file and publishes it as PATH, durably. */
static int final_end(h5out *o)
{
    int rc = put_rows(o, o->fin, o->fin_jr, &o->fin_row, false, o->msg, sizeof o->msg);
    rc = end_file(o, o->fin, rc, o->ndone == h5spec_rows(&o->spec), o->msg,
                  sizeof o->msg);
    o->fin = NULL;
    if (rc < 0) {
        unlink(o->finpath);
        return rc;
    }
    return h5out_publish(o->finpath, o->path, o->msg, sizeof o->msg);
}

/*
 * First half of a snapshot: fdatasyncs the journal (o->j, at o->jwriting)
 * and writes PATH.snapshot.tmp from it, which is removed if anything fails.
 */
static int snapshot_write(h5out *o, char *err, size_t errlen)
{
    o->snap_start = progress_clock();
    int rc = journal_sync(o->j);
    if (rc < 0) {
        h5spec_set_err(err, errlen, "%s: %s", o->jwriting, strerror(-rc));
        return H5OUT_EIO;
    }
    rc = write_file(o, o->tmppath, err, errlen);
    if (rc < 0)
        unlink(o->tmppath);
    return rc;
}

/* Second half: PATH.snapshot.tmp replaces PATH atomically. */
static int snapshot_publish(h5out *o, char *err, size_t errlen)
{
    if (rename(o->tmppath, o->path) < 0) {
        h5spec_set_err(err, errlen, "%s: cannot rename: %s", o->tmppath,
                       strerror(errno));
        unlink(o->tmppath);
        return H5OUT_EIO;
    }
    uint64_t bytes = journal_size(o->j);
    o->snap_end = progress_clock();
    o->snap_rate = (o->snap_end - o->snap_start) /
                   (bytes > SNAPSHOT_FLOOR ? (double)bytes : SNAPSHOT_FLOOR);
    o->snap_ndone = o->ndone;
    return 0;
}

/*
 * Whether a checkpoint is due: CHECKPOINT_S after the last snapshot ended,
 * and SNAPSHOT_RATIO times as long as the next one should take.  A snapshot
 * rewrites everything, so its cost is predicted from the last one's, in
 * proportion to the journal's growth; a first large snapshot is then not
 * taken before its cost is known.
 */
static bool checkpoint_due(const h5out *o)
{
    double bytes = (double)journal_size(o->j);
    double next = o->snap_rate * (bytes > SNAPSHOT_FLOOR ? bytes : SNAPSHOT_FLOOR);
    double wait =
        SNAPSHOT_RATIO * next > CHECKPOINT_S ? SNAPSHOT_RATIO * next : CHECKPOINT_S;
    return progress_clock() - o->snap_end >= wait;
}

/* A snapshot of the journal in place (o->jpath). */
static int snapshot(h5out *o)
{
    assert(o->jwriting == o->jpath);
    int rc = snapshot_write(o, o->msg, sizeof o->msg);
    return rc < 0 ? rc : snapshot_publish(o, o->msg, sizeof o->msg);
}

/*
 * The journal at PATH.journal.tmp (o->j, holding the runs in o->at) and a
 * snapshot of it replace PATH.journal and PATH, journal first: between the
 * two renames the journal holds every run the old PATH shows.  On failure
 * both temporary files are removed and the old pair is untouched.
 */
static int publish_new(h5out *o, char *err, size_t errlen)
{
    assert(o->jwriting == o->jtmppath);
    int rc = snapshot_write(o, err, errlen);
    if (rc == 0 && rename(o->jtmppath, o->jpath) < 0) {
        h5spec_set_err(err, errlen, "%s: cannot rename: %s", o->jtmppath,
                       strerror(errno));
        unlink(o->tmppath);
        rc = H5OUT_EIO;
    }
    if (rc < 0) {
        unlink(o->jtmppath);
        return rc;
    }
    o->jwriting = o->jpath;
    return snapshot_publish(o, err, errlen);
}

/* A fresh journal at PATH.journal.tmp (o->j). */
static int journal_start(h5out *o, char *err, size_t errlen)
{
    o->jwriting = o->jtmppath;
    int rc = journal_create(&o->j, o->jtmppath, h5spec_ident(&o->spec));
    if (rc < 0) {
        h5spec_set_err(err, errlen, "%s: cannot create: %s", o->jtmppath,
                       strerror(-rc));
        unlink(o->jtmppath); /* it may be there, empty or with half a header */
        return H5OUT_EIO;
    }
    return 0;
}

int h5out_create(h5out **out, const h5out_spec *s, const char *path, bool force,
                 char *err, size_t errlen)
{
    int rc = refuse_directory(path, err, errlen);
    if (rc < 0)
        return rc;
    h5out *o = h5out_alloc(s, path);
    if (!o) {
        h5spec_set_err(err, errlen, "out of memory");
        return H5OUT_ENOMEM;
    }
    if ((rc = refuse_busy(o, err, errlen)) < 0) {
        h5out_free(o);
        return rc;
    }
    if (!force && exists(o->path)) {
        h5spec_set_err(
            err, errlen,
            "%s: exists (use --force to overwrite it or --resume to continue it)",
            path);
        h5out_free(o);
        return H5OUT_EEXIST;
    }
    if (!force && exists(o->jpath)) {
        h5spec_set_err(err, errlen,
                       "%s: the journal of an interrupted run of this output is there "
                       "(continue it with --resume, or start over with --force)",
                       o->jpath);
        h5out_free(o);
        return H5OUT_EEXIST;
    }
    /* Built under temporary names and renamed: PATH appears only once it
     * opens, and with --force the old file stays until then. */
    rc = journal_start(o, err, errlen);
    if (rc == 0 && (rc = final_start(o, err, errlen)) < 0)
        unlink(o->jtmppath);
    if (rc == 0)
        rc = publish_new(o, err, errlen);
    if (rc < 0) {
        h5out_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

int h5out_checkpoint(h5out *o)
{
    assert(!o->finished);
    return snapshot(o);
}

int h5out_write_runs(h5out *o, const run_result *const *rs, size_t n)
{
    assert(!o->finished);
    if (n == 0)
        return 0;
    int rc = put_runs(o, rs, n, o->msg, sizeof o->msg);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            o->held[rs[i]->run] = rs[i];
        rc = put_rows(o, o->fin, o->fin_jr, &o->fin_row, true, o->msg, sizeof o->msg);
        for (size_t i = 0; i < n; i++)
            o->held[rs[i]->run] = NULL;
    }
    if (rc < 0)
        return rc;
    final_writeback(o);
    if (checkpoint_due(o))
        return h5out_checkpoint(o);
    return 0;
}

int h5out_write_run(h5out *o, const run_result *r)
{
    return h5out_write_runs(o, &r, 1);
}

/* ---- resume ------------------------------------------------------------ */

/* Runs recovered one at a time and journaled together (put_runs): at
 * most RECOVER_RUNS of them, holding about RECOVER_BYTES. */
#define RECOVER_RUNS 256
#define RECOVER_BYTES (64u << 20)

typedef struct recovered {
    run_result *r[RECOVER_RUNS]; /* owned; o->held names them */
    size_t n, bytes;
} recovered;

/* Journals the runs of g and frees them. */
static int recovered_flush(h5out *o, recovered *g, char *err, size_t errlen)
{
    int rc = put_runs(o, (const run_result *const *)g->r, g->n, err, errlen);
    for (size_t i = 0; i < g->n; i++) {
        o->held[g->r[i]->run] = NULL;
        run_result_free(g->r[i]);
    }
    g->n = g->bytes = 0;
    return rc;
}

/* Ends a recovery whose result so far is rc: journals what g holds
 * (its error reported only if rc is none). */
static int recovered_end(h5out *o, recovered *g, int rc, char *err, size_t errlen)
{
    int frc = recovered_flush(o, g, rc < 0 ? NULL : err, rc < 0 ? 0 : errlen);
    return rc < 0 ? rc : frc;
}

/* Takes r for journaling, or frees it if it is not one of the file's
 * runs or its run is recovered already (the first of duplicates wins). */
static int recovered_add(h5out *o, recovered *g, run_result *r, char *err,
                         size_t errlen)
{
    if (!h5spec_holds(&o->spec, r->run) || o->at[r->run] != NO_RECORD ||
        o->held[r->run]) {
        run_result_free(r);
        return 0;
    }
    o->held[r->run] = r;
    g->r[g->n++] = r;
    g->bytes += run_result_bytes(r);
    if (g->n == RECOVER_RUNS || g->bytes >= RECOVER_BYTES)
        return recovered_flush(o, g, err, errlen);
    return 0;
}

/* Journals every valid record of jr (the first of duplicates wins). */
static int recover_from_journal(h5out *o, journal_reader *jr, char *err, size_t errlen)
{
    recovered g = {.n = 0};
    run_result *r;
    int rc = 0, jrc;
    while (rc == 0 && (jrc = journal_next(jr, &r)) == 1)
        rc = recovered_add(o, &g, r, err, errlen);
    if ((rc = recovered_end(o, &g, rc, err, errlen)) < 0)
        return rc;
    if (jrc < 0) {
        h5spec_set_err(err, errlen, "%s: %s", o->jpath, strerror(-jrc));
        return H5OUT_EIO;
    }
    return 0;
}

/* Journals every run the file shows done. */
static int recover_from_file(h5out *o, h5in *in, char *err, size_t errlen)
{
    recovered g = {.n = 0};
    uint64_t rows = h5spec_rows(&o->spec);
    int rc = 0;
    for (uint64_t row = 0; row < rows && rc == 0; row++) {
        uint64_t run = h5spec_run(&o->spec, row);
        if (h5in_status(in, run) == RUN_PENDING)
            continue;
        run_result *r;
        if ((rc = h5in_read_run(in, run, &r)) < 0)
            h5spec_set_err(err, errlen, "%s", h5in_errmsg(in));
        else
            rc = recovered_add(o, &g, r, err, errlen);
    }
    return recovered_end(o, &g, rc, err, errlen);
}

/* "all runs" or "shard I of N (--shard I/N)", for messages. */
static void shard_name(char *buf, size_t n, const h5out_spec *s)
{
    if (s->shard_count <= 1)
        snprintf(buf, n, "all its runs");
    else
        snprintf(buf, n, "shard %llu/%llu", (unsigned long long)s->shard_index,
                 (unsigned long long)s->shard_count);
}

/* Opens PATH for resuming: the same experiment, the same shard. */
static int open_previous(h5out *o, h5in **in, char *err, size_t errlen)
{
    char why[512] = "";
    int rc = h5in_open(in, o->path, why, sizeof why);
    if (rc == H5OUT_EMISMATCH) {
        h5spec_set_err(err, errlen, "%s", why);
        return rc;
    }
    if (rc < 0) {
        h5spec_set_err(err, errlen, "%s", why);
        return H5OUT_EIO;
    }
    const h5out_spec *old = h5in_spec(*in);
    if (h5spec_cmp(&o->spec, old, why, sizeof why) < 0) {
        h5spec_set_err(err, errlen, "%s: belongs to another experiment: %s", o->path,
                       why);
        return H5OUT_EMISMATCH;
    }
    if (old->shard_index != o->spec.shard_index ||
        old->shard_count != o->spec.shard_count) {
        char have[64], want[64];
        shard_name(have, sizeof have, old);
        shard_name(want, sizeof want, &o->spec);
        h5spec_set_err(err, errlen,
                       "%s: holds %s of this experiment, not %s: resume it with the "
                       "same --shard",
                       o->path, have, want);
        return H5OUT_EMISMATCH;
    }
    size_t n;
    const prov_session *sessions = h5in_sessions(*in, &n);
    return keep_sessions(o, sessions, n);
}

int h5out_resume(h5out **out, const h5out_spec *s, const char *path, bool continues,
                 uint8_t *done, char *err, size_t errlen)
{
    if (refuse_directory(path, err, errlen) < 0)
        return H5OUT_EEXIST;
    h5out *o = h5out_alloc(s, path);
    if (!o) {
        h5spec_set_err(err, errlen, "out of memory");
        return H5OUT_ENOMEM;
    }
    int busy = refuse_busy(o, err, errlen);
    if (busy < 0) {
        h5out_free(o);
        return busy;
    }
    bool have_file = exists(o->path), have_journal = exists(o->jpath);
    if (!have_file && !have_journal) {
        h5out_free(o);
        memset(done, 0, s->nruns);
        return h5out_create(out, s, path, false, err, errlen);
    }

    journal_reader *jr = NULL;
    h5in *in = NULL;
    int rc = 0;
    if (have_journal) {
        uint64_t ident = 0;
        rc = journal_open(&jr, o->jpath, &ident);
        if (rc == -EPROTONOSUPPORT) {
            h5spec_set_err(err, errlen,
                           "%s: written by another version of usim-batch (its journal "
                           "format is not %s); resume with that version, or start "
                           "again with --force",
                           o->jpath, JOURNAL_MAGIC);
            rc = H5OUT_EMISMATCH;
            goto out;
        }
        if (rc == -EINVAL || (rc == 0 && ident != h5spec_ident(&o->spec))) {
            h5spec_set_err(err, errlen,
                           "%s: belongs to another experiment or shard (or is not a "
                           "journal)",
                           o->jpath);
            rc = H5OUT_EMISMATCH;
            goto out;
        }
        if (rc < 0) {
            h5spec_set_err(err, errlen, "%s: %s", o->jpath, strerror(-rc));
            rc = H5OUT_EIO;
            goto out;
        }
    }
    if (have_file) {
        rc = open_previous(o, &in, err, errlen);
        if (rc == H5OUT_EMISMATCH || rc == H5OUT_ENOMEM)
            goto out;
        if (rc < 0 && !jr) {
            size_t len = strlen(err);
            h5spec_set_err(err + len, errlen - len,
                           " (and no journal to recover from)");
            goto out;
        }
        /* PATH may not open after a power failure (snapshots are not
         * fsync'd): the journal has every run it had. */
        rc = 0;
    }

    rc = journal_start(o, err, errlen);
    if (rc == 0)
        rc = jr ? recover_from_journal(o, jr, err, errlen)
                : recover_from_file(o, in, err, errlen);
    o->nrecovered = o->ndone;
    settle_sessions(o, continues);
    if (rc == 0)
        rc = final_start(o, err, errlen);
    if (rc == 0)
        rc = publish_new(o, err, errlen);
    else if (o->j)
        unlink(o->jtmppath);
out:
    journal_reader_close(jr);
    h5in_close(in);
    if (rc < 0) {
        h5out_free(o);
        return rc;
    }
    for (uint64_t run = 0; run < s->nruns; run++)
        done[run] = o->at[run] != NO_RECORD;
    *out = o;
    return 0;
}

/* ---- finish ------------------------------------------------------------ */

int h5out_finish(h5out *o)
{
    assert(!o->finished);
    provenance_session_end(this_session(o), o->session_base + o->ndone - o->nrecovered);
    int rc = final_end(o);
    if (rc < 0) {
        this_session(o)->end[0] = '\0';
        return rc;
    }
    /* PATH is final and durable: the journal has done its job. */
    journal_close(o->j);
    o->j = NULL;
    unlink(o->jpath);
    o->finished = true;
    return 0;
}

void h5out_close(h5out *o)
{
    if (!o)
        return;
    if (!o->finished && o->snap_ndone != o->ndone)
        snapshot(o);
    h5out_free(o);
}
