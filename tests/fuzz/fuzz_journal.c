/*
 * fuzz_journal.c — libFuzzer target: the journal reader (journal_open,
 * journal_next, journal_read_at) on arbitrary bytes (scripts/fuzz builds
 * and runs it).
 *
 * The first byte of an input says how the rest becomes a journal file:
 *   even  the rest is the file, as it is (header, records, torn ends);
 *   odd   the rest is a list of payloads, each a little-endian u16 length
 *         and that many bytes, written as records with a valid header,
 *         magic, length and checksum, so that the deserialiser sees them
 *         (random bytes almost never carry a valid checksum).
 * The file goes to a private directory of this process (on tmpfs where
 * there is one).  The seed corpus (tests/fuzz/corpus/journal/) holds
 * journals of real usim-batch runs of the three built-in models, killed
 * and cut after a few records, with a 0 byte in front; framed.journal has
 * real payloads in the odd form; drift_hist.journal has records whose
 * drift histograms hold counts from bin 0, in bins 33 to 35 and in the
 * last bin.
 *
 * Checked: every record journal_next returns is returned again, equal, by
 * journal_read_at at the offset journal_tell gave for it; offsets that are
 * not a record's (inside one, past the end, near 2^64) give an error, not a
 * crash.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_dir.h"
#include "batch/journal.h"

#define RECORD_MAGIC 0x52554e52u /* journal.c's "RUNR" */
#define MAX_RECORDS 64

static char dir[64];
static char path[96];

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/run.journal", dir);
    atexit(remove_dir);
    return 0;
}

static void put(FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, f) != n)
        abort();
}

/* The odd mode: payloads framed as valid records. */
static void write_records(FILE *f, const uint8_t *p, size_t n)
{
    uint64_t ident = 0x1234;
    put(f, JOURNAL_MAGIC, 8);
    put(f, &ident, 8);
    while (n >= 2) {
        size_t len = (size_t)p[0] | (size_t)p[1] << 8;
        p += 2;
        n -= 2;
        if (len > n)
            len = n;
        uint32_t h[2] = {RECORD_MAGIC, (uint32_t)len};
        uint64_t sum = journal_checksum(p, len);
        put(f, h, sizeof h);
        put(f, p, len);
        put(f, &sum, sizeof sum);
        p += len;
        n -= len;
    }
}

static int same_doubles(const double *a, const double *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Field by field: what journal_read_at returns must be what journal_next
 * returned at that offset. */
static int same_result(const run_result *a, const run_result *b)
{
    if (a->run != b->run || a->point != b->point || a->replication != b->replication ||
        a->pilot != b->pilot || memcmp(&a->warmup, &b->warmup, sizeof a->warmup) ||
        a->status != b->status || !same_str(a->message, b->message) ||
        memcmp(&a->end_time, &b->end_time, sizeof a->end_time) ||
        a->events != b->events || memcmp(&a->wall_s, &b->wall_s, sizeof a->wall_s) ||
        a->nparams != b->nparams || !same_doubles(a->params, b->params, a->nparams) ||
        a->nscalars != b->nscalars ||
        !same_doubles(a->scalars, b->scalars, a->nscalars) || a->ndrift != b->ndrift ||
        a->ntraces != b->ntraces ||
        memcmp(a->drift_hist, b->drift_hist, sizeof a->drift_hist))
        return 0;
    for (size_t i = 0; i < a->ndrift; i++)
        if (!same_str(a->drift[i].task, b->drift[i].task) ||
            memcmp(&a->drift[i].st, &b->drift[i].st, sizeof a->drift[i].st))
            return 0;
    for (size_t i = 0; i < a->ntraces; i++)
        if (a->traces[i].n != b->traces[i].n ||
            !same_doubles(a->traces[i].t, b->traces[i].t, a->traces[i].n) ||
            !same_doubles(a->traces[i].v, b->traces[i].v, a->traces[i].n))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (data[0] & 1)
        write_records(f, data + 1, size - 1);
    else
        put(f, data + 1, size - 1);
    if (fclose(f) != 0)
        abort();

    journal_reader *jr;
    uint64_t ident;
    int rc = journal_open(&jr, path, &ident);
    if (rc < 0) {
        /* the file is there and readable: only its header can be bad, not
         * a journal's or one of another format */
        if (rc != -EINVAL && rc != -EPROTONOSUPPORT)
            abort();
        return 0;
    }
    uint64_t at[MAX_RECORDS];
    run_result *got[MAX_RECORDS];
    size_t n = 0;
    for (;;) {
        uint64_t off = journal_tell(jr);
        run_result *r;
        rc = journal_next(jr, &r);
        if (rc <= 0)
            break;
        if (journal_tell(jr) <= off)
            abort(); /* the reader must move on */
        if (n < MAX_RECORDS) {
            at[n] = off;
            got[n++] = r;
        } else {
            run_result_free(r);
        }
    }
    if (rc < 0 && rc != -ENOMEM)
        abort();
    for (size_t i = 0; i < n; i++) {
        run_result *r;
        if (journal_read_at(jr, at[i], &r) != 0 || !same_result(r, got[i]))
            abort();
        run_result_free(r);
        /* Inside the record: never one. */
        if (journal_read_at(jr, at[i] + 1, &r) == 0)
            run_result_free(r);
    }
    uint64_t odd[] = {0,
                      8,
                      journal_tell(jr),
                      journal_tell(jr) + 1,
                      (uint64_t)size,
                      UINT64_MAX - 7,
                      UINT64_MAX};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        run_result *r;
        if (journal_read_at(jr, odd[i], &r) == 0)
            run_result_free(r);
    }
    for (size_t i = 0; i < n; i++)
        run_result_free(got[i]);
    journal_reader_close(jr);
    return 0;
}
