/*
 * h5check.c — the reading side of the integration tests.
 *
 *   h5check cmp A.h5 B.h5   datasets and root attributes equal except
 *                           /runs.wall_s and "created" (exit 0), differ
 *                           (exit 1, first difference on stdout)
 *   h5check opens F.h5      F opens as a plain HDF5 file and every run can
 *                           be read back: prints "runs_done=N nruns=M"
 *                           (exit 0), or why not (exit 1)
 *   h5check status F.h5     one line per run: "RUN STATUS"
 *
 * Exit 2: bad usage or unreadable input (cmp).
 */
#include <stdio.h>
#include <string.h>

#include "batch/h5out.h"
#include "h5compare.h"

static int cmd_cmp(const char *a, const char *b)
{
    char why[512];
    int rc = h5compare_files(a, b, why, sizeof why);
    if (rc)
        printf("%s\n", why);
    return rc < 0 ? 2 : rc;
}

static int cmd_opens(const char *path, int list)
{
    h5in *in;
    char err[512];
    if (h5in_open(&in, path, err, sizeof err) < 0) {
        printf("%s\n", err);
        return 1;
    }
    const h5out_spec *s = h5in_spec(in);
    uint64_t done = 0;
    int rc = 0;
    for (uint64_t run = 0; run < s->nruns; run++) {
        run_status st = h5in_status(in, run);
        if (list)
            printf("%llu %s\n", (unsigned long long)run, run_status_name(st));
        if (st == RUN_PENDING)
            continue;
        done++;
        run_result *r;
        if (h5in_read_run(in, run, &r) < 0) {
            printf("%s\n", h5in_errmsg(in));
            rc = 1;
            break;
        }
        run_result_free(r);
    }
    if (!list && rc == 0)
        printf("runs_done=%llu nruns=%llu\n", (unsigned long long)done,
               (unsigned long long)s->nruns);
    h5in_close(in);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "cmp"))
        return cmd_cmp(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "opens"))
        return cmd_opens(argv[2], 0);
    if (argc == 3 && !strcmp(argv[1], "status"))
        return cmd_opens(argv[2], 1);
    fprintf(stderr, "usage: h5check cmp A.h5 B.h5 | opens F.h5 | status F.h5\n");
    return 2;
}
