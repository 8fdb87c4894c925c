/*
 * h5compare.h — compares two usim output files dataset by dataset: the
 * determinism check.  Everything must be equal (types, shapes, bytes,
 * root attributes) except the /runs column wall_s and the root attribute
 * "created", which hold measured times, and the /shards table (which
 * invocations wrote the file, on which hosts, when).
 */
#ifndef USIM_TESTS_H5COMPARE_H
#define USIM_TESTS_H5COMPARE_H

#include <stddef.h>

/* 0 if equal; 1 with the first difference in why; -1 if a file cannot be
 * read (why says so). */
int h5compare_files(const char *a, const char *b, char *why, size_t n);

#endif
