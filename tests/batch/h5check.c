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
 *   h5check attr F.h5 NAME  a root attribute (text or integer) on one line
 *   h5check setattr F.h5 NAME VALUE
 *                           replaces a root attribute: a text one by VALUE,
 *                           an integer one by the number VALUE (tests of
 *                           files that usim refuses)
 *
 * Exit 2: bad usage or unreadable input (cmp).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "batch/h5in.h"
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

/* A root attribute as text: a string, or an integer printed in decimal. */
static int cmd_attr(const char *path, const char *name)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t a = f < 0 ? -1 : H5Aopen(f, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a);
    int rc = 1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        hid_t vt = H5Tcopy(H5T_C_S1);
        H5Tset_size(vt, H5T_VARIABLE);
        H5Tset_cset(vt, H5Tget_cset(t));
        char *v = NULL;
        if (H5Aread(a, vt, &v) >= 0) {
            printf("%s\n", v ? v : "");
            H5free_memory(v);
            rc = 0;
        }
        H5Tclose(vt);
    } else if (t >= 0 && H5Tget_class(t) == H5T_INTEGER) {
        long long v;
        if (H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0) {
            printf("%lld\n", v);
            rc = 0;
        }
    }
    if (rc)
        printf("%s: no readable attribute %s\n", path, name);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    if (f >= 0)
        H5Fclose(f);
    return rc;
}

static int cmd_setattr(const char *path, const char *name, const char *value)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = f < 0 ? -1 : H5Aopen(f, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a);
    int rc = 1;
    if (t >= 0) {
        H5T_class_t cls = H5Tget_class(t);
        H5Tclose(t);
        H5Aclose(a);
        a = -1;
        hid_t sp = H5Screate(H5S_SCALAR);
        if (H5Adelete(f, name) >= 0 && cls == H5T_STRING) {
            hid_t vt = H5Tcopy(H5T_C_S1);
            H5Tset_size(vt, H5T_VARIABLE);
            H5Tset_cset(vt, H5T_CSET_UTF8);
            a = H5Acreate2(f, name, vt, sp, H5P_DEFAULT, H5P_DEFAULT);
            rc = a < 0 || H5Awrite(a, vt, &value) < 0;
            H5Tclose(vt);
        } else if (cls == H5T_INTEGER) {
            long long v = strtoll(value, NULL, 10);
            a = H5Acreate2(f, name, H5T_NATIVE_LLONG, sp, H5P_DEFAULT, H5P_DEFAULT);
            rc = a < 0 || H5Awrite(a, H5T_NATIVE_LLONG, &v) < 0;
        }
        H5Sclose(sp);
    }
    if (rc)
        printf("%s: cannot set attribute %s\n", path, name);
    if (a >= 0)
        H5Aclose(a);
    if (f >= 0)
        H5Fclose(f);
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
    if (argc == 4 && !strcmp(argv[1], "attr"))
        return cmd_attr(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "setattr"))
        return cmd_setattr(argv[2], argv[3], argv[4]);
    fprintf(stderr,
            "usage: h5check cmp A.h5 B.h5 | opens F.h5 | status F.h5 | attr F.h5 "
            "NAME | setattr F.h5 NAME VALUE\n");
    return 2;
}
