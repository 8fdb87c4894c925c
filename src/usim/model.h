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
 *
 * Parameters are read by name in setup (usim_param and its kin below),
 * once: a lookup compares names, so a model keeps the values it needs in
 * its state and never looks them up while it runs.  Scalars and traces
 * are the declared ones only: recording a scalar, or asking for a trace,
 * that the descriptor does not declare fails the run.
 */
#ifndef USIM_MODEL_H
#define USIM_MODEL_H

#include <usim.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a model built against older headers would misbehave
 * with this library (2: usim_rng holds eight Philox blocks; 3: usim_config
 * and usim_spawn_opts have guard_size; 4: usim_spawn_opts,
 * usim_scope, usim_every and the primitive structs grew; 5 (usim 0.4.0): setup takes a
 * usim_params read by name, usim_param_desc has choices and dist_def). */
#define USIM_MODEL_ABI 5

typedef enum usim_param_type {
    USIM_PARAM_REAL,
    USIM_PARAM_INT,    /* whole numbers */
    USIM_PARAM_BOOL,   /* 0 or 1 */
    USIM_PARAM_CHOICE, /* one of `choices`, written as a string */
    USIM_PARAM_DIST,   /* a distribution: "gamma(2, 0.5)" or a group */
} usim_param_type;

typedef struct usim_param_desc {
    const char *name;
    usim_param_type type;
    double def;      /* default value; CHOICE: the index of the default */
    double min, max; /* inclusive range (REAL, INT, BOOL) */
    const char *unit;
    const char *help;
    /* CHOICE: the allowed names, NULL-terminated. */
    const char *const *choices;
    /* DIST: the default as an experiment file writes it ("exponential(1)"). */
    const char *dist_def;
} usim_param_desc;

/* The values of one run's parameters, read by name (opaque). */
typedef struct usim_params usim_params;

/*
 * The accessors, for setup only.  Asking for a name the descriptor does
 * not declare, or with the accessor of another kind, fails the run after
 * setup returns ("model asked for undeclared parameter 'arival_rate'"),
 * and the accessor returns a harmless stand-in: NaN, choice 0 (its name
 * ""), a constant NaN distribution.  They are provided by usim-batch
 * (a plugin binds to them when it is loaded).
 */
/* REAL, INT or BOOL. */
USIM_API double usim_param(const usim_params *p, const char *name);
/* CHOICE: the index of the value in the descriptor's choices. */
USIM_API int usim_param_choice(const usim_params *p, const char *name);
/* CHOICE: its name (valid for the life of the model). */
USIM_API const char *usim_param_choice_name(const usim_params *p, const char *name);
/* DIST: the distribution, valid until setup returns (copy it). */
USIM_API const usim_dist *usim_param_dist(const usim_params *p, const char *name);

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
    /* Spawns the model's tasks into `sim` (before the run), reading the
     * parameters from `p` by name.  Returns 0, or a negative code after
     * usim_error() has set the message.  *state is handed to finish and
     * teardown, also when setup fails after setting it (teardown must
     * then cope with a state set up half way).  usim_fail() here, in
     * finish or in teardown fails the run with its message, as in a task
     * (usim-batch calls the three under usim_catch_fail); in a warm-up
     * hook (usim_sim_on_warmup), which runs inside the run, it aborts the
     * process. */
    int (*setup)(usim_sim *sim, const usim_params *p, void **state);
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
