/*
 * test_version — one version everywhere: the library's usim_version(),
 * the header's string and numeric macros, and configure's PACKAGE_VERSION.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "usim.h"

/* Usable in #if, as documented. */
#if !defined(USIM_VERSION_NUMBER) || USIM_VERSION_NUMBER < 0x000300
#error "USIM_VERSION_NUMBER is not a preprocessor number >= 0x000300"
#endif

static void test_usim_version_is_the_headers_version_string(void **state)
{
    (void)state;
    assert_non_null(usim_version());
    assert_string_equal(usim_version(), USIM_VERSION_STRING);
    assert_string_equal(USIM_VERSION, USIM_VERSION_STRING);
}

static void test_numeric_version_macros_agree_with_the_string(void **state)
{
    (void)state;
    int major = -1, minor = -1, patch = -1, end = 0;
    assert_int_equal(
        sscanf(USIM_VERSION_STRING, "%d.%d.%d%n", &major, &minor, &patch, &end), 3);
    assert_int_equal(end, (int)strlen(USIM_VERSION_STRING));
    assert_int_equal(major, USIM_VERSION_MAJOR);
    assert_int_equal(minor, USIM_VERSION_MINOR);
    assert_int_equal(patch, USIM_VERSION_PATCH);
    assert_int_equal(USIM_VERSION_NUMBER, (major << 16) | (minor << 8) | patch);
    assert_true(minor < 256 && patch < 256);
}

/* configure read the same header: the package version (usim-batch
 * --version, usim.pc, provenance) is the library's. */
static void test_package_version_is_the_headers_version(void **state)
{
    (void)state;
#ifndef PACKAGE_VERSION
    skip();
#else
    assert_string_equal(PACKAGE_VERSION, USIM_VERSION_STRING);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usim_version_is_the_headers_version_string),
        cmocka_unit_test(test_numeric_version_macros_agree_with_the_string),
        cmocka_unit_test(test_package_version_is_the_headers_version),
    };
    return cmocka_run_group_tests_name("version", tests, NULL, NULL);
}
