/*
 * registry.h — where usim-batch finds models: the built-in ones (compiled
 * from models/ and listed at build time) and plugins (shared objects that
 * export usim_model_entry, see usim/model.h).
 *
 * Batch code knows a model only through this registry; it never names one.
 */
#ifndef USIM_BATCH_REGISTRY_H
#define USIM_BATCH_REGISTRY_H

#include <stddef.h>

#include "batch/sha256.h"
#include "usim/model.h"

/* A model found by name or path.  `dl` is the plugin's dlopen handle, NULL
 * for a built-in model; registry_release() closes it. */
typedef struct registry_model {
    const usim_model *model;
    void *dl;
    char *path; /* the plugin's resolved path, NULL for a built-in model */
    char sha256[SHA256_HEX_LEN]; /* of the plugin's file, "" for a built-in */
} registry_model;

/* The built-in models, in a stable order. */
size_t registry_builtin_count(void);
const usim_model *registry_builtin(size_t i);

/* True if `name` denotes a plugin (contains a '/' or ends in ".so"). */
int registry_is_path(const char *name);

/*
 * Finds `name`: a built-in model, or a plugin path (relative paths are
 * relative to `base_dir`, the directory of the experiment file).
 * Returns 0, or -1 with a one-line reason in err (no file or line: the
 * caller adds where the name was written).
 */
int registry_find(const char *name, const char *base_dir, registry_model *out,
                  char *err, size_t errlen);
void registry_release(registry_model *m);

/* Checks that a descriptor is usable: ABI, names, defaults within ranges.
 * Returns 0 or -1 with the reason in err. */
int registry_check(const usim_model *m, char *err, size_t errlen);

#endif
