/*
 * usim/version.h — the version of usim: the one place it is written.
 *
 * configure.ac reads the three numbers below (AC_INIT, and with them
 * PACKAGE_VERSION, usim.pc and `usim-batch --version`); usim.h includes
 * this header.  To release a new version, change them here and follow the
 * rules in configure.ac for the shared library's -version-info (SONAME)
 * and in usim/model.h for the model ABI.
 *
 * Compile time vs run time: the macros tell the version of the headers a
 * program was built with, usim_version() that of the library it runs
 * with:
 *
 *     #if USIM_VERSION_NUMBER >= 0x000300   // 0.3.0 or later
 *     ...
 *     if (strcmp(usim_version(), USIM_VERSION_STRING) != 0) ...
 */
#ifndef USIM_VERSION_H
#define USIM_VERSION_H

/* Keep each on one line of this form: configure.ac's sed reads them. */
#define USIM_VERSION_MAJOR 0
#define USIM_VERSION_MINOR 5
#define USIM_VERSION_PATCH 0

/* 0xMMmmpp, for #if comparisons: 0.3.0 is 0x000300. */
#define USIM_VERSION_NUMBER                                                            \
    ((USIM_VERSION_MAJOR << 16) | (USIM_VERSION_MINOR << 8) | USIM_VERSION_PATCH)

/* "MAJOR.MINOR.PATCH", e.g. "0.3.0". */
#define USIM_STR_(x) #x
#define USIM_XSTR_(x) USIM_STR_(x)
#define USIM_VERSION_STRING                                                            \
    USIM_XSTR_(USIM_VERSION_MAJOR)                                                     \
    "." USIM_XSTR_(USIM_VERSION_MINOR) "." USIM_XSTR_(USIM_VERSION_PATCH)

#endif
