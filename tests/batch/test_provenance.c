/*
 * test_provenance.c — the pieces behind an output file's provenance and
 * identity: SHA-256 against the FIPS 180-4 examples and against
 * sha256sum(1), the session record's SLURM ids, the shard row mapping,
 * and what h5spec_cmp does and does not count as "another experiment".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch/h5spec.h"
#include "batch/provenance.h"
#include "batch/sha256.h"

static void check_hex(const char *msg, size_t n, const char *want)
{
    char hex[SHA256_HEX_LEN];
    sha256_hex(msg, n, hex);
    assert_string_equal(hex, want);
}

/* FIPS 180-4 / NIST CSRC examples: one block, two blocks, padding that
 * spills into a second block. */
static void test_sha256_fips_examples(void **state)
{
    (void)state;
    check_hex("", 0,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_hex("abc", 3,
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hex(two, strlen(two),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A million 'a', fed in uneven pieces: the streaming interface. */
static void test_sha256_million_a_in_pieces(void **state)
{
    (void)state;
    char buf[1000];
    memset(buf, 'a', sizeof buf);
    sha256 c;
    unsigned char d[32];
    sha256_init(&c);
    size_t left = 1000000, piece = 1;
    while (left > 0) {
        size_t n = piece < left ? piece : left;
        sha256_update(&c, buf, n);
        left -= n;
        piece = piece % 997 + 1;
    }
    sha256_final(&c, d);
    static const unsigned char want[32] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    assert_memory_equal(d, want, 32);
}

/* Every length from 0 to 300 against sha256sum, by a second program. */
static void test_sha256_agrees_with_sha256sum(void **state)
{
    (void)state;
    char path[] = "/tmp/usim-sha256-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof data; n += 37) {
        rewind(f);
        assert_int_equal(ftruncate(fd, 0), 0);
        fwrite(data, 1, n, f);
        fflush(f);
        char cmd[128], theirs[SHA256_HEX_LEN] = "", ours[SHA256_HEX_LEN],
                       file[SHA256_HEX_LEN];
        snprintf(cmd, sizeof cmd, "sha256sum %s", path);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        assert_int_equal(fscanf(p, "%64s", theirs), 1);
        pclose(p);
        sha256_hex(data, n, ours);
        assert_int_equal(sha256_file_hex(path, file), 0);
        assert_string_equal(ours, theirs);
        assert_string_equal(file, theirs);
    }
    fclose(f);
    unlink(path);
}

static void test_session_takes_slurm_ids_from_the_environment(void **state)
{
    (void)state;
    prov_session s;
    setenv("SLURM_JOB_ID", "1234", 1);
    setenv("SLURM_ARRAY_JOB_ID", "1200", 1);
    setenv("SLURM_ARRAY_TASK_ID", "34", 1);
    provenance_session_begin(&s, 34, 100);
    assert_int_equal(s.slurm_job_id, 1234);
    assert_int_equal(s.slurm_array_job_id, 1200);
    assert_int_equal(s.slurm_array_task_id, 34);
    assert_int_equal(s.shard_index, 34);
    assert_int_equal(s.shard_count, 100);
    assert_int_equal(strlen(s.start), 20); /* 2026-12-01T09:53:32Z */
    assert_string_equal(s.end, "");
    setenv("SLURM_ARRAY_TASK_ID", "x3", 1);
    unsetenv("SLURM_JOB_ID");
    unsetenv("SLURM_ARRAY_JOB_ID");
    provenance_session_begin(&s, 0, 1);
    assert_int_equal(s.slurm_job_id, -1);
    assert_int_equal(s.slurm_array_job_id, -1);
    assert_int_equal(s.slurm_array_task_id, -1);
    provenance_session_end(&s, 17);
    assert_int_equal(s.runs, 17);
    assert_int_equal(strlen(s.end), 20);
    unsetenv("SLURM_ARRAY_TASK_ID");
}

/* Shard 2 of 5 of 13 runs holds runs 2, 7, 12 at rows 0, 1, 2. */
static void test_shard_rows(void **state)
{
    (void)state;
    h5out_spec s = {.nruns = 13, .shard_index = 2, .shard_count = 5};
    assert_int_equal(h5spec_rows(&s), 3);
    uint64_t want[] = {2, 7, 12};
    for (uint64_t row = 0; row < 3; row++) {
        assert_int_equal(h5spec_run(&s, row), want[row]);
        assert_int_equal(h5spec_row(&s, want[row]), row);
    }
    for (uint64_t run = 0; run < 15; run++)
        assert_int_equal(h5spec_holds(&s, run), run == 2 || run == 7 || run == 12);
    h5out_spec empty = {.nruns = 3, .shard_index = 4, .shard_count = 5};
    assert_int_equal(h5spec_rows(&empty), 0);
    h5out_spec all = {.nruns = 13, .shard_index = 0, .shard_count = 1};
    assert_int_equal(h5spec_rows(&all), 13);
}

static h5out_spec base_spec(void)
{
    static const char *const params[] = {"x"};
    static const char *const types[] = {"real"};
    return (h5out_spec){.config = "model = \"m\";",
                        .model = "m",
                        .model_sha256 = "",
                        .usim_version = "9.9.9",
                        .git_revision = "abc",
                        .nruns = 4,
                        .npoints = 2,
                        .replications = 2,
                        .nparams = 1,
                        .params = params,
                        .param_types = types,
                        .shard_count = 1};
}

/* The shard, the compression and the git revision are not the experiment's
 * identity; the configuration, the plugin's hash and the version are. */
static void test_spec_identity(void **state)
{
    (void)state;
    char err[256];
    h5out_spec a = base_spec(), b = base_spec();
    b.shard_index = 1;
    b.shard_count = 2;
    b.compression = 9;
    b.git_revision = "def";
    assert_int_equal(h5spec_cmp(&a, &b, err, sizeof err), 0);
    assert_true(h5spec_ident(&a) != h5spec_ident(&b)); /* journals differ by shard */
    b = base_spec();
    b.config = "model = \"m\"; ";
    assert_int_equal(h5spec_cmp(&a, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "configuration differs"));
    b = base_spec();
    b.model_sha256 = "00ff";
    assert_int_equal(h5spec_cmp(&a, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "rebuilt or replaced"));
    b = base_spec();
    b.usim_version = "9.9.8";
    assert_int_equal(h5spec_cmp(&a, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "9.9.9 vs 9.9.8"));
    /* The parameter types are part of it where both know them; units and
     * help texts describe the columns. */
    static const char *const ints[] = {"int"}, *const units[] = {"s"};
    b = base_spec();
    b.param_types = ints;
    assert_int_equal(h5spec_cmp(&a, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "type of parameter 'x' differs (real vs int)"));
    b.param_types = NULL; /* a file of format 4 */
    b.param_units = units;
    assert_int_equal(h5spec_cmp(&a, &b, err, sizeof err), 0);
    /* h5spec_dup fills in the configuration's hash. */
    h5out_spec d;
    assert_int_equal(h5spec_dup(&d, &a), 0);
    char hex[SHA256_HEX_LEN];
    sha256_hex(a.config, strlen(a.config), hex);
    assert_string_equal(d.config_sha256, hex);
    assert_string_equal(d.git_revision, "abc");
    assert_string_equal(d.param_types[0], "real");
    assert_string_equal(d.param_units[0], ""); /* none given */
    assert_int_equal(h5spec_cmp(&a, &d, err, sizeof err), 0);
    assert_int_equal(h5spec_ident(&a), h5spec_ident(&d));
    h5spec_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_fips_examples),
        cmocka_unit_test(test_sha256_million_a_in_pieces),
        cmocka_unit_test(test_sha256_agrees_with_sha256sum),
        cmocka_unit_test(test_session_takes_slurm_ids_from_the_environment),
        cmocka_unit_test(test_shard_rows),
        cmocka_unit_test(test_spec_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
