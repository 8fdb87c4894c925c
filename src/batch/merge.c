/*
 * merge.c — usim-merge OUT.h5 SHARD.h5...: the shard files of one
 * experiment (usim-batch --shard I/N) into the file a single machine would
 * have written; usim-merge --status FILE... describes shard files.
 *
 * Everything is checked before anything is written: every input opens and
 * belongs to the same experiment (configuration, model and plugin hash,
 * usim version and format: h5spec_cmp), no run is done in two inputs, and
 * every run is done in one of them unless --partial.  Each refusal names
 * the files and runs concerned.  The merged file is then written like a
 * canonical file (runs in order, each taken from the input that has it
 * done), so its datasets are identical to those of a single-machine run
 * (wall_s, "created" and the /shards records aside), as OUT.tmp, and
 * published over OUT by an atomic rename after an fsync: a kill leaves no
 * half file in OUT's place.  /shards keeps every input's records.
 *
 * Exit status: 0 merged, every run ok; 1 merged, but some runs did not end
 * ok or (--partial) are missing; 2 bad usage or a refusal (nothing
 * written); 3 I/O error.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/h5file.h"
#include "batch/h5in.h"
#include "batch/h5out.h"
#include "config.h"

enum { EXIT_OK = 0, EXIT_NOT_OK = 1, EXIT_USAGE = 2, EXIT_IO = 3 };
#define NONE UINT32_MAX
#define LIST_MAX 8 /* run ids listed in a message before "..." */

static const char *progname = "usim-merge";

static void usage(FILE *to)
{
    fprintf(
        to,
        "Usage: %s [--force] [--partial] OUT.h5 SHARD.h5...\n"
        "       %s --status FILE.h5...\n"
        "Merges the output files of usim-batch --shard I/N runs of one experiment\n"
        "into OUT.h5, identical to the output of a single unsharded run.  Refuses\n"
        "files of different experiments (configuration, model build, usim\n"
        "version), runs done twice and missing runs, naming them; writes nothing\n"
        "then.\n"
        "\n"
        "  -f, --force    replace OUT.h5 if it exists\n"
        "  -p, --partial  merge even if runs are missing (they stay pending)\n"
        "  -s, --status   print one line per file: its shard, runs done, whether\n"
        "                 it is complete (key=value pairs), and merge nothing\n"
        "  -h, --help     this help\n"
        "  -V, --version  version\n"
        "\n"
        "Exit status: 0 merged and every run ok, 1 some runs failed or (--partial)\n"
        "are missing, 2 bad usage or refused, 3 I/O error.  See usim-merge(1).\n",
        progname, progname);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int exit_for(int rc)
{
    return rc == H5OUT_EMISMATCH || rc == H5OUT_EEXIST ? EXIT_USAGE : EXIT_IO;
}

/* ---- run lists in messages ---------------------------------------------- */

/* Collects run ids into "1, 4, 7, ... (K in all)". */
typedef struct runlist {
    char text[256];
    size_t len;
    uint64_t count;
} runlist;

static void runlist_add(runlist *l, uint64_t run)
{
    if (l->count < LIST_MAX && l->len < sizeof l->text) {
        int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s%" PRIu64,
                         l->count ? ", " : "", run);
        if (n > 0)
            l->len += (size_t)n;
    }
    l->count++;
}

static const char *runlist_str(runlist *l)
{
    if (l->count > LIST_MAX && l->len < sizeof l->text)
        snprintf(l->text + l->len, sizeof l->text - l->len,
                 ", ... (%" PRIu64 " in all)", l->count);
    return l->text;
}

/* ---- --status ------------------------------------------------------------ */

static int file_status(const char *path)
{
    h5in *in;
    char err[1024];
    int rc = h5in_open(&in, path, err, sizeof err);
    if (rc < 0) {
        printf("file=%s error=%s\n", path, err);
        return exit_for(rc);
    }
    const h5out_spec *s = h5in_spec(in);
    uint64_t done = 0, not_ok = 0;
    for (uint64_t row = 0; row < h5spec_rows(s); row++) {
        run_status st = h5in_status(in, h5spec_run(s, row));
        done += st != RUN_PENDING;
        not_ok += run_status_failed(st);
    }
    char *journal;
    struct stat sb;
    int has_journal =
        asprintf(&journal, "%s.journal", path) >= 0 && stat(journal, &sb) == 0;
    printf("file=%s shard_index=%" PRIu64 " shard_count=%" PRIu64 " nruns=%" PRIu64
           " runs=%" PRIu64 " done=%" PRIu64 " not_ok=%" PRIu64
           " complete=%d journal=%d config_sha256=%s\n",
           path, s->shard_index, s->shard_count, s->nruns, h5spec_rows(s), done, not_ok,
           h5in_complete(in) && !has_journal, has_journal, s->config_sha256);
    free(journal);
    h5in_close(in);
    return EXIT_OK;
}

static int status_main(int n, char **paths)
{
    int worst = EXIT_OK;
    for (int i = 0; i < n; i++) {
        int rc = file_status(paths[i]);
        if (rc > worst)
            worst = rc;
    }
    return worst;
}

/* ---- merging ------------------------------------------------------------- */

typedef struct merge {
    int nin;
    char **names;
    h5in **in;
    uint32_t *owner; /* per run: the input that has it done, or NONE */
    uint64_t done, not_ok;
} merge;

/* One file per input may be open at once: lift the soft limit on open
 * files to the hard one. */
static void raise_open_files(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int open_inputs(merge *m)
{
    char err[1024];
    raise_open_files();
    for (int i = 0; i < m->nin; i++) {
        int rc = h5in_open(&m->in[i], m->names[i], err, sizeof err);
        if (rc < 0) {
            say("%s%s", err,
                rc == H5OUT_EIO && errno == EMFILE
                    ? " (too many files open at once: merge groups of shards with "
                      "--partial, then merge those)"
                    : "");
            return exit_for(rc);
        }
        /* The merged file is of this format; an older one lacks what it
         * holds (the parameter types of /results, units, help texts). */
        if (h5in_format(m->in[i]) != H5OUT_FORMAT_VERSION) {
            say("%s: written in usim's output format %d; usim-merge writes format %d "
                "from shards of that format: merge it with the usim that wrote it",
                m->names[i], h5in_format(m->in[i]), H5OUT_FORMAT_VERSION);
            return EXIT_USAGE;
        }
    }
    const h5out_spec *a = h5in_spec(m->in[0]);
    for (int i = 1; i < m->nin; i++) {
        const h5out_spec *b = h5in_spec(m->in[i]);
        if (h5spec_cmp(a, b, err, sizeof err) < 0) {
            say("%s and %s are not shards of one experiment: %s", m->names[0],
                m->names[i], err);
            return EXIT_USAGE;
        }
        if (strcmp(a->git_revision, b->git_revision) || a->git_dirty != b->git_dirty)
            say("note: %s and %s were written by different builds of usim %s (%s%s vs "
                "%s%s)",
                m->names[0], m->names[i], a->usim_version, a->git_revision,
                a->git_dirty ? "-dirty" : "", b->git_revision,
                b->git_dirty ? "-dirty" : "");
    }
    return EXIT_OK;
}

/* Runs done in two inputs: one entry per pair of files. */
typedef struct overlap {
    int first, second;
    runlist runs;
} overlap;
#define OVERLAPS_MAX 16

/* Which input has each run done; refuses a run done twice. */
static int assign_runs(merge *m)
{
    uint64_t nruns = h5in_spec(m->in[0])->nruns;
    if (!(m->owner = malloc((nruns + 1) * sizeof *m->owner))) {
        say("out of memory");
        return EXIT_IO;
    }
    for (uint64_t run = 0; run < nruns; run++)
        m->owner[run] = NONE;
    overlap ov[OVERLAPS_MAX];
    size_t nov = 0, more = 0;
    for (int i = 0; i < m->nin; i++) {
        const h5out_spec *s = h5in_spec(m->in[i]);
        for (uint64_t row = 0; row < h5spec_rows(s); row++) {
            uint64_t run = h5spec_run(s, row);
            run_status st = h5in_status(m->in[i], run);
            if (st == RUN_PENDING)
                continue;
            if (m->owner[run] == NONE) {
                m->owner[run] = (uint32_t)i;
                m->done++;
                m->not_ok += run_status_failed(st);
                continue;
            }
            int j = (int)m->owner[run];
            size_t k = 0;
            while (k < nov && !(ov[k].first == j && ov[k].second == i))
                k++;
            if (k == nov && nov < OVERLAPS_MAX)
                ov[nov++] = (overlap){.first = j, .second = i};
            if (k < nov)
                runlist_add(&ov[k].runs, run);
            else
                more++;
        }
    }
    for (size_t k = 0; k < nov; k++)
        say("%s and %s both hold run%s %s: give each shard once", m->names[ov[k].first],
            m->names[ov[k].second], ov[k].runs.count > 1 ? "s" : "",
            runlist_str(&ov[k].runs));
    if (more)
        say("... and %zu more runs held twice", more);
    return nov ? EXIT_USAGE : EXIT_OK;
}

/*
 * Reports the runs no input has done, by shard when the inputs are shards
 * of one split: a shard without a file, and each file with pending runs.
 */
static void report_missing(const merge *m, bool partial)
{
    const h5out_spec *s0 = h5in_spec(m->in[0]);
    uint64_t n = s0->shard_count, nruns = s0->nruns;
    bool one_split = true;
    for (int i = 0; i < m->nin; i++)
        one_split &= h5in_spec(m->in[i])->shard_count == n;
    const char *verb = partial ? "pending in the merged file" : "missing";
    if (!one_split || n == 1) {
        runlist l = {0};
        for (uint64_t run = 0; run < nruns; run++)
            if (m->owner[run] == NONE)
                runlist_add(&l, run);
        say("%" PRIu64 " of %" PRIu64 " runs are %s: %s", l.count, nruns, verb,
            runlist_str(&l));
        return;
    }
    for (uint64_t shard = 0; shard < n; shard++) {
        int file = -1;
        for (int i = 0; i < m->nin && file < 0; i++)
            if (h5in_spec(m->in[i])->shard_index == shard)
                file = i;
        runlist l = {0};
        for (uint64_t run = shard; run < nruns; run += n)
            if (m->owner[run] == NONE)
                runlist_add(&l, run);
        if (l.count == 0)
            continue;
        if (file < 0)
            say("shard %" PRIu64 "/%" PRIu64 ": no file given; its %" PRIu64
                " runs are %s: %s",
                shard, n, l.count, verb, runlist_str(&l));
        else
            say("shard %" PRIu64 "/%" PRIu64 " (%s) is incomplete: %" PRIu64
                " runs are %s: %s",
                shard, n, m->names[file], l.count, verb, runlist_str(&l));
    }
}

static int session_cmp(const void *a, const void *b)
{
    const prov_session *x = a, *y = b;
    if (x->shard_index != y->shard_index)
        return x->shard_index < y->shard_index ? -1 : 1;
    return strcmp(x->start, y->start);
}

/* Every input's provenance records, by shard and start time. */
static int put_sessions(const merge *m, h5file *f, char *err, size_t errlen)
{
    size_t total = 0, k;
    for (int i = 0; i < m->nin; i++) {
        h5in_sessions(m->in[i], &k);
        total += k;
    }
    prov_session *all = calloc(total + 1, sizeof *all);
    if (!all)
        return H5OUT_ENOMEM;
    size_t at = 0;
    for (int i = 0; i < m->nin; i++) {
        const prov_session *s = h5in_sessions(m->in[i], &k);
        memcpy(all + at, s, k * sizeof *all);
        at += k;
    }
    qsort(all, total, sizeof *all, session_cmp);
    int rc = h5file_put_sessions(f, all, total, err, errlen);
    free(all);
    return rc;
}

/* Writes the merged file as tmp. */
static int write_merged(const merge *m, const char *tmp, char *err, size_t errlen)
{
    h5out_spec s = *h5in_spec(m->in[0]);
    s.shard_index = 0;
    s.shard_count = 1;
    h5file *f = NULL;
    int rc = h5file_create(&f, &s, tmp, err, errlen);
    for (uint64_t run = 0; rc == 0 && run < s.nruns; run++) {
        if (m->owner[run] == NONE)
            continue;
        h5in *in = m->in[m->owner[run]];
        run_result *r;
        rc = h5in_read_run(in, run, &r);
        if (rc < 0) {
            h5spec_set_err(err, errlen, "%s", h5in_errmsg(in));
            break;
        }
        rc = h5file_put(f, r, err, errlen);
        run_result_free(r);
    }
    if (rc == 0)
        rc = put_sessions(m, f, err, errlen);
    if (rc == 0)
        rc = h5file_flush(f, m->done, m->done == s.nruns, err, errlen);
    int crc = h5file_close(f, rc == 0 ? err : NULL, errlen);
    return rc < 0 ? rc : crc;
}

/* OUT may be written: not a directory, not an input, not there unless
 * --force. */
static int check_output(const char *out, bool force, int nin, char **names)
{
    struct stat so, si;
    if (stat(out, &so) != 0)
        return EXIT_OK;
    if (S_ISDIR(so.st_mode)) {
        say("%s: is a directory; name the merged file", out);
        return EXIT_USAGE;
    }
    for (int i = 0; i < nin; i++)
        if (stat(names[i], &si) == 0 && si.st_dev == so.st_dev &&
            si.st_ino == so.st_ino) {
            say("%s: is also an input; merge into a new file", out);
            return EXIT_USAGE;
        }
    if (!force) {
        say("%s: exists (use --force to replace it)", out);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int merge_main(const char *out, bool force, bool partial, int nin, char **names)
{
    int status = check_output(out, force, nin, names);
    if (status != EXIT_OK)
        return status;
    merge m = {.nin = nin, .names = names, .in = calloc((size_t)nin, sizeof(h5in *))};
    char *tmp = NULL;
    char err[1024] = "";
    if (!m.in || asprintf(&tmp, "%s.tmp", out) < 0) {
        say("out of memory");
        free(m.in);
        return EXIT_IO;
    }
    if ((status = open_inputs(&m)) != EXIT_OK || (status = assign_runs(&m)) != EXIT_OK)
        goto out;
    uint64_t nruns = h5in_spec(m.in[0])->nruns;
    if (m.done < nruns) {
        report_missing(&m, partial);
        if (!partial) {
            say("nothing written: give the missing shards, or merge with --partial");
            status = EXIT_USAGE;
            goto out;
        }
    }
    int rc = write_merged(&m, tmp, err, sizeof err);
    if (rc == 0)
        rc = h5out_publish(tmp, out, err, sizeof err);
    if (rc < 0) {
        say("%s", err[0] ? err : "out of memory");
        unlink(tmp);
        status = exit_for(rc);
        goto out;
    }
    if (m.done < nruns) {
        say("%s: %" PRIu64 " of %" PRIu64 " runs merged, the others pending", out,
            m.done, nruns);
        status = EXIT_NOT_OK;
    } else if (m.not_ok > 0) {
        say("%s: %" PRIu64 " of the %" PRIu64 " runs did not end ok; see /runs status "
            "and message",
            out, m.not_ok, nruns);
        status = EXIT_NOT_OK;
    }
out:
    for (int i = 0; i < nin; i++)
        h5in_close(m.in[i]);
    free(m.in);
    free(m.owner);
    free(tmp);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},   {"partial", no_argument, NULL, 'p'},
        {"status", no_argument, NULL, 's'},  {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    bool force = false, partial = false, status = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "fpshV", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 'p':
            partial = true;
            break;
        case 's':
            status = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            printf("usim-merge (usim) %s\n", PACKAGE_VERSION);
            return EXIT_OK;
        default:
            say("unknown option '%s'\nTry '%s --help'.", argv[optind - 1], progname);
            return EXIT_USAGE;
        }
    }
    int nargs = argc - optind;
    if (status) {
        if (nargs < 1 || force || partial) {
            say("--status takes files only\nTry '%s --help'.", progname);
            return EXIT_USAGE;
        }
        return status_main(nargs, argv + optind);
    }
    if (nargs < 2) {
        say("%s\nTry '%s --help'.",
            nargs ? "no shard files given" : "no output and shard files given",
            progname);
        return EXIT_USAGE;
    }
    return merge_main(argv[optind], force, partial, nargs - 1, argv + optind + 1);
}
