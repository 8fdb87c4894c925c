/*
 * fuzz_experiment.c — libFuzzer target: experiment_load() on arbitrary
 * bytes (scripts/fuzz builds and runs it).
 *
 * The loader reads files by path, so each input is written to in.cfg in a
 * private directory of this process (on tmpfs where there is one), next
 * to what an @include may name there:
 *     inc.cfg     a kernel group (valid settings)
 *     params.cfg  a parameters group for mm1
 *     in.cfg      the input itself (an include cycle)
 *     sub/        a directory
 *     fifo        a FIFO nobody writes to (the loader must not open it)
 * An input with an @include line that contains a '/' is skipped, so no
 * include leaves that directory (a name without '/' stays in it, ".." is a
 * directory and refused).  Plugins are never loaded: scripts/fuzz builds
 * registry.c with dlopen and friends renamed to the stubs below.  Nothing
 * else is written.
 *
 * Invariants checked on success: the run ids and sweep points of
 * experiment.h are consistent (point/replication of every run of the
 * first and last few, values inside each parameter's range).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_dir.h"
#include "batch/experiment.h"

/* registry.c, as scripts/fuzz compiles it, calls these instead of libdl. */
void *fuzz_dlopen(const char *file, int mode)
{
    (void)file;
    (void)mode;
    return NULL;
}
char *fuzz_dlerror(void)
{
    return "plugins are not loaded while fuzzing";
}
void *fuzz_dlsym(void *handle, const char *name)
{
    (void)handle;
    (void)name;
    return NULL;
}
int fuzz_dlclose(void *handle)
{
    (void)handle;
    return 0;
}

static char dir[64];
static char input[96];

static void put_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static void remove_dir(void)
{
    char path[128];
    const char *names[] = {"in.cfg", "inc.cfg", "params.cfg", "fifo"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_make_dir(dir, sizeof dir);
    atexit(remove_dir);
    snprintf(input, sizeof input, "%s/in.cfg", dir);
    put_file("inc.cfg", "kernel: { drift = \"tracked\"; order = \"lifo\"; };\n");
    put_file("params.cfg",
             "parameters: { arrival_rate = [0.5, 0.7, 0.9]; service_rate = "
             "{ from = 1; to = 2; step = 0.5; }; };\n");
    char path[128];
    snprintf(path, sizeof path, "%s/sub", dir);
    if (mkdir(path, 0700) != 0)
        abort();
    snprintf(path, sizeof path, "%s/fifo", dir);
    if (mkfifo(path, 0600) != 0)
        abort();
    return 0;
}

/* True if some line holds "@include" and a '/': an include that might
 * leave the directory. */
static int includes_outside(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if (memmem(p, (size_t)(eol - p), "@include", 8) &&
            memchr(p, '/', (size_t)(eol - p)))
            return 1;
        p = eol + 1;
    }
    return 0;
}

/* The run ids of runspace.h: main runs point-major, pilots after them;
 * and the stream key of each (the run id, or with common random numbers
 * its replication, a pilot's past every replication). */
static void check_runs(const experiment *e)
{
    uint64_t main_runs = e->npoints * e->replications;
    if (e->nruns != main_runs + e->npoints * e->pilots || e->nruns == 0)
        abort();
    double *v = malloc((e->nparams ? e->nparams : 1) * sizeof *v);
    if (v == NULL)
        abort();
    for (uint64_t k = 0; k < 8 && k < e->nruns; k++) {
        uint64_t runs[2] = {k, e->nruns - 1 - k};
        for (int i = 0; i < 2; i++) {
            uint64_t run = runs[i];
            uint64_t point = experiment_point(e, run);
            uint64_t rep = experiment_replication(e, run);
            bool pilot = experiment_is_pilot(e, run);
            if (pilot != (run >= main_runs) || point >= e->npoints ||
                rep >= (pilot ? e->pilots : e->replications) ||
                (pilot ? main_runs + point * e->pilots : point * e->replications) +
                        rep !=
                    run)
                abort();
            experiment_point_params(e, point, v);
            for (size_t p = 0; p < e->nparams; p++)
                if (!(v[p] >= e->params[p].desc->min && v[p] <= e->params[p].desc->max))
                    abort();
            usim_config cfg;
            experiment_run_config(e, run, &cfg);
            uint64_t key = !e->common_random ? run
                           : pilot           ? e->replications + rep
                                             : rep;
            if (cfg.run != key || cfg.seed != e->seed)
                abort();
        }
    }
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (includes_outside(data, size))
        return -1; /* not added to the corpus */
    FILE *f = fopen(input, "wb");
    if (f == NULL || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    experiment *e;
    char err[1024];
    if (experiment_load(&e, input, NULL, err, sizeof err) == 0) {
        check_runs(e);
        experiment_free(e);
    } else if (err[0] == '\0' || strchr(err, '\n') != NULL) {
        abort(); /* an error is exactly one line */
    }
    return 0;
}
