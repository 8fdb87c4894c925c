/*
 * h5compare.c — dataset-by-dataset comparison of two output files
 * (h5compare.h).  Datasets are read with their file type as memory type,
 * so the comparison is of the stored bytes; fixed-length strings are
 * NUL-padded by the writer, so equal strings are equal bytes.
 */
#include "h5compare.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

typedef struct cmp_ctx {
    hid_t b;
    char *why;
    size_t n;
    int rc;
    size_t ndatasets;
} cmp_ctx;

static void say(cmp_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(cmp_ctx *c, int rc, const char *fmt, ...)
{
    if (c->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->n, fmt, ap);
    va_end(ap);
    c->rc = rc;
}

/* Zeroes the member "wall_s" of every row of a compound buffer. */
static void mask_wall(hid_t type, unsigned char *buf, size_t rows)
{
    if (H5Tget_class(type) != H5T_COMPOUND)
        return;
    int i = H5Tget_member_index(type, "wall_s");
    if (i < 0)
        return;
    size_t off = H5Tget_member_offset(type, (unsigned)i), size = H5Tget_size(type);
    for (size_t r = 0; r < rows; r++)
        memset(buf + r * size + off, 0, 8);
}

static void compare_dataset(cmp_ctx *c, hid_t a, const char *name)
{
    hid_t da = H5Dopen2(a, name, H5P_DEFAULT), db = H5Dopen2(c->b, name, H5P_DEFAULT);
    hid_t ta = -1, tb = -1, sa = -1, sb = -1;
    unsigned char *ba = NULL, *bb = NULL;
    if (da < 0 || db < 0) {
        say(c, db < 0 && da >= 0 ? 1 : -1, "/%s: missing in %s", name,
            db < 0 ? "B" : "A");
        goto out;
    }
    ta = H5Dget_type(da);
    tb = H5Dget_type(db);
    if (H5Tequal(ta, tb) <= 0) {
        say(c, 1, "/%s: types differ", name);
        goto out;
    }
    sa = H5Dget_space(da);
    sb = H5Dget_space(db);
    hssize_t na = H5Sget_simple_extent_npoints(sa),
             nb = H5Sget_simple_extent_npoints(sb);
    if (na != nb) {
        say(c, 1, "/%s: %lld rows vs %lld", name, (long long)na, (long long)nb);
        goto out;
    }
    size_t size = H5Tget_size(ta);
    ba = calloc((size_t)na + 1, size);
    bb = calloc((size_t)nb + 1, size);
    if (!ba || !bb) {
        say(c, -1, "out of memory");
        goto out;
    }
    if (na && (H5Dread(da, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, ba) < 0 ||
               H5Dread(db, tb, H5S_ALL, H5S_ALL, H5P_DEFAULT, bb) < 0)) {
        say(c, -1, "/%s: cannot read", name);
        goto out;
    }
    mask_wall(ta, ba, (size_t)na);
    mask_wall(tb, bb, (size_t)nb);
    for (hssize_t r = 0; r < na; r++)
        if (memcmp(ba + (size_t)r * size, bb + (size_t)r * size, size)) {
            say(c, 1, "/%s: row %lld differs", name, (long long)r);
            break;
        }
    c->ndatasets++;
out:
    free(ba);
    free(bb);
    if (sa >= 0)
        H5Sclose(sa);
    if (sb >= 0)
        H5Sclose(sb);
    if (ta >= 0)
        H5Tclose(ta);
    if (tb >= 0)
        H5Tclose(tb);
    if (da >= 0)
        H5Dclose(da);
    if (db >= 0)
        H5Dclose(db);
}

static herr_t visit(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    cmp_ctx *c = data;
    /* /shards records who wrote the file, where and when: not results. */
    if (info->type == H5O_TYPE_DATASET && !strcmp(name, "shards"))
        c->ndatasets++;
    else if (info->type == H5O_TYPE_DATASET)
        compare_dataset(c, obj, name);
    return c->rc ? 1 : 0;
}

static herr_t count_visit(hid_t obj, const char *name, const H5O_info_t *info,
                          void *data)
{
    (void)obj;
    (void)name;
    if (info->type == H5O_TYPE_DATASET)
        (*(size_t *)data)++;
    return 0;
}

/* Reads an attribute as text (strings) or bytes (anything else). */
static char *attr_bytes(hid_t loc, const char *name, size_t *len)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return NULL;
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    char *out = NULL;
    hssize_t n = H5Sget_simple_extent_type(sp) == H5S_NULL
                     ? 0
                     : H5Sget_simple_extent_npoints(sp);
    if (H5Tis_variable_str(t) > 0) {
        char **v = calloc((size_t)n + 1, sizeof *v);
        size_t total = 1;
        if (v && (n == 0 || H5Aread(a, t, v) >= 0)) {
            for (hssize_t i = 0; i < n; i++)
                total += strlen(v[i] ? v[i] : "") + 1;
            out = calloc(1, total);
            for (hssize_t i = 0; out && i < n; i++) {
                strcat(out, v[i] ? v[i] : "");
                strcat(out, "\n");
            }
            *len = total;
            if (n)
                H5Dvlen_reclaim(t, sp, H5P_DEFAULT, v);
        }
        free(v);
    } else {
        size_t total = H5Tget_size(t) * (size_t)n;
        out = calloc(1, total + 1);
        if (out && H5Aread(a, t, out) < 0) {
            free(out);
            out = NULL;
        }
        *len = total;
    }
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

typedef struct attr_ctx {
    cmp_ctx *c;
    hid_t a;
} attr_ctx;

static herr_t attr_visit(hid_t loc, const char *name, const H5A_info_t *info,
                         void *data)
{
    (void)loc;
    (void)info;
    attr_ctx *ac = data;
    if (!strcmp(name, "created"))
        return 0;
    size_t la = 0, lb = 0;
    char *va = attr_bytes(ac->a, name, &la), *vb = attr_bytes(ac->c->b, name, &lb);
    if (!va || !vb)
        say(ac->c, 1, "root attribute %s: missing or unreadable", name);
    else if (la != lb || memcmp(va, vb, la))
        say(ac->c, 1, "root attribute %s differs", name);
    free(va);
    free(vb);
    return ac->c->rc ? 1 : 0;
}

int h5compare_files(const char *a, const char *b, char *why, size_t n)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cmp_ctx c = {.why = why, .n = n};
    hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT);
    c.b = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fa < 0 || c.b < 0) {
        say(&c, -1, "cannot open %s", fa < 0 ? a : b);
        goto out;
    }
    attr_ctx ac = {.c = &c, .a = fa};
    hsize_t idx = 0;
    H5Aiterate2(fa, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, attr_visit, &ac);
    if (!c.rc) {
        hsize_t na = 0, nb = 0;
        H5O_info_t ia, ib;
        H5Oget_info2(fa, &ia, H5O_INFO_NUM_ATTRS);
        H5Oget_info2(c.b, &ib, H5O_INFO_NUM_ATTRS);
        na = ia.num_attrs;
        nb = ib.num_attrs;
        if (na != nb)
            say(&c, 1, "root attribute counts differ (%llu vs %llu)",
                (unsigned long long)na, (unsigned long long)nb);
    }
    if (!c.rc)
        H5Ovisit2(fa, H5_INDEX_NAME, H5_ITER_INC, visit, &c, H5O_INFO_BASIC);
    if (!c.rc) {
        size_t nb = 0;
        H5Ovisit2(c.b, H5_INDEX_NAME, H5_ITER_INC, count_visit, &nb, H5O_INFO_BASIC);
        if (nb != c.ndatasets)
            say(&c, 1, "B has %zu datasets, A %zu", nb, c.ndatasets);
    }
out:
    if (fa >= 0)
        H5Fclose(fa);
    if (c.b >= 0)
        H5Fclose(c.b);
    if (!c.rc && n)
        why[0] = '\0';
    return c.rc;
}
