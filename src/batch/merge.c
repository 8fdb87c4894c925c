/*
 * merge.c — usim-merge OUT.h5 SHARD.h5...: the shard files of one
 * experiment (usim-batch --shard I/N) into the file a single machine would
 * have written.
 *
 * Every shard file holds all nruns rows, the other shards' runs pending.
 * The merged file is written like a canonical file (h5out_finish): runs in
 * order, each taken from the shard that has it done, so its datasets are
 * identical to those of a single-machine run (wall_s and "created" aside).
 *
 * Exit status: 0 merged and complete; 1 merged but some runs are pending in
 * every shard; 2 bad usage, shards of different experiments, or OUT exists
 * without --force; 3 I/O error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/h5layout.h"
#include "batch/h5out.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: usim-merge [--force] OUT.h5 SHARD.h5...\n"
            "Merges the output files of usim-batch --shard I/N runs of one experiment\n"
            "into OUT.h5, identical to the output of a single unsharded run.\n"
            "  -f, --force  overwrite OUT.h5 if it exists\n"
            "  -h, --help   this help\n");
}

static int exit_code(int rc)
{
    return rc == H5OUT_EMISMATCH || rc == H5OUT_EEXIST ? 2 : 3;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"force", no_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int force = 0, c;
    while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind < 2) {
        usage(stderr);
        return 2;
    }
    const char *out = argv[optind];
    int nin = argc - optind - 1;
    char **names = argv + optind + 1;
    struct stat st;
    if (!force && stat(out, &st) == 0) {
        fprintf(stderr, "usim-merge: %s: exists (use --force to overwrite it)\n", out);
        return 2;
    }

    char err[512] = "";
    int status = 0, rc = 0;
    h5in **in = calloc((size_t)nin, sizeof *in);
    h5file *f = NULL;
    char *tmp = malloc(strlen(out) + 5);
    if (!in || !tmp) {
        fprintf(stderr, "usim-merge: out of memory\n");
        return 3;
    }
    sprintf(tmp, "%s.tmp", out);
    for (int i = 0; i < nin; i++) {
        rc = h5in_open(&in[i], names[i], err, sizeof err);
        if (rc == 0 && i > 0 &&
            h5layout_spec_cmp(h5in_spec(in[0]), h5in_spec(in[i]), err, sizeof err) <
                0) {
            fprintf(stderr,
                    "usim-merge: %s and %s are not shards of one experiment: %s\n",
                    names[0], names[i], err);
            status = 2;
            goto out;
        }
        if (rc < 0) {
            fprintf(stderr, "usim-merge: %s\n", err);
            status = exit_code(rc);
            goto out;
        }
    }

    const h5out_spec *s = h5in_spec(in[0]);
    rc = h5file_create(&f, s, tmp, err, sizeof err);
    uint64_t done = 0, dup = 0;
    for (uint64_t run = 0; rc == 0 && run < s->nruns; run++) {
        int from = -1;
        for (int i = 0; i < nin; i++) {
            if (h5in_status(in[i], run) == RUN_PENDING)
                continue;
            if (from < 0)
                from = i;
            else
                dup++;
        }
        if (from < 0)
            continue;
        run_result *r;
        rc = h5in_read_run(in[from], run, &r);
        if (rc < 0) {
            snprintf(err, sizeof err, "%s", h5in_errmsg(in[from]));
            break;
        }
        rc = h5file_put(f, r, err, sizeof err);
        run_result_free(r);
        done++;
    }
    if (rc == 0)
        rc = h5file_flush(f, done, done == s->nruns, err, sizeof err);
    int crc = h5file_close(f, rc == 0 ? err : NULL, sizeof err);
    f = NULL;
    if (rc == 0)
        rc = crc;
    int fd = rc == 0 ? open(tmp, O_RDONLY | O_CLOEXEC) : -1;
    if (rc == 0 && (fd < 0 || fsync(fd) < 0 || rename(tmp, out) < 0)) {
        snprintf(err, sizeof err, "%s: %s", out, strerror(errno));
        rc = H5OUT_EIO;
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        fprintf(stderr, "usim-merge: %s\n", err);
        unlink(tmp);
        status = exit_code(rc);
        goto out;
    }
    if (dup)
        fprintf(
            stderr,
            "usim-merge: note: %llu runs are done in more than one shard; the first "
            "shard listed was used\n",
            (unsigned long long)dup);
    if (done < s->nruns) {
        fprintf(
            stderr,
            "usim-merge: %s: %llu of %llu runs are missing (pending in every shard)\n",
            out, (unsigned long long)(s->nruns - done), (unsigned long long)s->nruns);
        status = 1;
    }
out:
    for (int i = 0; i < nin; i++)
        h5in_close(in[i]);
    free(in);
    free(tmp);
    return status;
}
