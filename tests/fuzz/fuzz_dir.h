/*
 * fuzz_dir.h — the private scratch directory of a fuzz target's process:
 * made once in LLVMFuzzerInitialize, on tmpfs (/dev/shm) where there is
 * one, else in $TMPDIR or /tmp, so that the thousands of files an hour of
 * fuzzing writes never touch a disk.
 */
#ifndef USIM_FUZZ_DIR_H
#define USIM_FUZZ_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Creates the directory, its path in dir[n]; aborts if it cannot. */
static void fuzz_make_dir(char *dir, size_t n)
{
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                       : getenv("TMPDIR") ? getenv("TMPDIR")
                                          : "/tmp";
    snprintf(dir, n, "%.40s/usim-fuzz.XXXXXX", base);
    if (mkdtemp(dir) == NULL) {
        perror(dir);
        abort();
    }
}

#endif
