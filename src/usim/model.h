/*
 * usim/model.h — the model descriptor: how usim-batch finds, configures
 * and runs a model.
 *
 * A model is one C file with a `usim_model` descriptor.  Built-in models
 * are registered at build time; a plugin is a shared object that exports
 *
 *     USIM_MODEL_EXPORT(my_model)
 *
 * and is built with `cc -shared -fPIC $(pkg-config --cflags --libs usim)`.
 * A model includes only usim.h and this header.
 */
#ifndef USIM_MODEL_H
#define USIM_MODEL_H

#include <usim.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a model built against older headers would misbehave
 * with this library (2: usim_rng holds eight Philox blocks; 3: usim_config
 * and usim_spawn_opts have guard_size; 4, usim 0.4.0: usim_spawn_opts,
 * usim_scope, usim_every and the primitive structs grew). */
#define USIM_MODEL_ABI 4

typedef enum usim_param_type {
    USIM_PARAM_REAL,
    USIM_PARAM_INT,  /* whole numbers; passed as double */
    USIM_PARAM_BOOL, /* 0 or 1; passed as double */
} usim_param_type;

typedef struct usim_param_desc {
    const char *name;
    usim_param_type type;
    double def;      /* default value */
    double min, max; /* inclusive range */
    const char *unit;
    const char *help;
} usim_param_desc;

typedef struct usim_output_desc {
    const char *name;
    const char *unit;
    const char *help;
} usim_output_desc;

typedef struct usim_model {
    int abi; /* USIM_MODEL_ABI */
    const char *name;
    const char *description;
    const usim_param_desc *params;
    size_t n_params;
    const usim_output_desc *scalars;
    size_t n_scalars;
    const usim_output_desc *traces;
    size_t n_traces;
    /* Spawns the model's tasks into `sim` (before the run); params[i] is
     * the value of params[i] of the descriptor.  Returns 0, or a negative
     * code after usim_error() has set the message.  *state is handed to
     * finish and teardown. */
    int (*setup)(usim_sim *sim, const double *params, void **state);
    /* After the run (whatever its status): record scalars. May be NULL. */
    void (*finish)(usim_sim *sim, void *state);
    /* Frees the state after the simulation is destroyed. May be NULL. */
    void (*teardown)(void *state);
} usim_model;

#define USIM_MODEL_EXPORT(desc)                                                        \
    __attribute__((visibility("default"))) const usim_model *usim_model_entry(void)    \
    {                                                                                  \
        return &(desc);                                                                \
    }

typedef const usim_model *(*usim_model_entry_fn)(void);

#define USIM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __cplusplus
}
#endif

#endif
