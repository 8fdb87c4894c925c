/*
 * carwash — SimPy's car wash example as a usim model.
 *
 * A car wash has `machines` washing machines (a usim_resource) and takes
 * wash_time to wash a car.  initial_cars cars are there at time 0; then
 * a car arrives every interarrival +- spread (uniform, stream
 * "arrivals").  Each car is a task of its own: it waits for a free
 * machine, is washed, and leaves.  Arrivals never stop: `until` ends the
 * run.  SimPy's example is the default: 2 machines, 5 min a wash, 4 cars
 * at the start, then one every 7 +- 2 min.
 *
 * Scalars: cars_arrived, cars_washed, cars_washing and cars_waiting (at
 * the end, read from the machines' resource: units in use and waiters),
 * mean_wait (of the cars whose wash started).  Traces: waiting (cars
 * waiting for a machine, at each change).
 *
 * Conservation (exact): every car that came is washed, in a machine or
 * waiting for one: cars_arrived = cars_washed + cars_washing +
 * cars_waiting.
 *
 * Theory (deterministic special case).  With spread = 0, no initial cars
 * and wash_time w <= machines x interarrival d, car k arrives at k d and
 * always finds a machine free (the machine it would take again was freed
 * by car k - machines at (k - machines) d + w <= k d): no car waits,
 * mean_wait = 0, and by `until` T the cars arrived at k d with k d + w <=
 * T are washed: cars_washed = floor((T - w) / d), cars_arrived = floor(T
 * / d).  2 machines, d = 5, w = 7, T = 100: 18 washed of 20 (the cars of
 * 95 and 100 are in the machines).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum { P_MACHINES, P_WASH_TIME, P_INTERARRIVAL, P_SPREAD, P_INITIAL_CARS };

static const usim_param_desc carwash_params[] = {
    [P_MACHINES] = {"machines", USIM_PARAM_INT, 2, 1, 100000, "", "washing machines",
                    NULL, NULL},
    [P_WASH_TIME] = {"wash_time", USIM_PARAM_REAL, 5, 0, 1e15, "time",
                     "time to wash one car", NULL, NULL},
    [P_INTERARRIVAL] = {"interarrival", USIM_PARAM_REAL, 7, 1e-9, 1e15, "time",
                        "mean time between two cars", NULL, NULL},
    [P_SPREAD] = {"spread", USIM_PARAM_REAL, 2, 0, 1e15, "time",
                  "the time between cars is uniform on interarrival +- spread", NULL,
                  NULL},
    [P_INITIAL_CARS] = {"initial_cars", USIM_PARAM_INT, 4, 0, 1e6, "",
                        "cars waiting at time 0", NULL, NULL},
};

static const usim_output_desc carwash_scalars[] = {
    {"cars_arrived", "", "cars that came (the initial ones included)"},
    {"cars_washed", "", "cars whose wash was completed"},
    {"cars_washing", "", "cars in a machine at the end"},
    {"cars_waiting", "", "cars waiting for a machine at the end"},
    {"mean_wait", "time", "mean wait for a machine of the cars whose wash started"},
};

static const usim_output_desc carwash_traces[] = {
    {"waiting", "", "cars waiting for a machine, at each change"},
};

typedef struct carwash {
    /* The parameters, read once in setup. */
    long machines, initial_cars;
    double wash_time, interarrival, spread;
    usim_resource wash;
    bool wash_ready;
    usim_rng arrivals;
    uint64_t arrived, washed, started;
    long waiting;
    double sum_wait;
    usim_trace *tr_waiting;
} carwash;

static void set_waiting(carwash *w, long n)
{
    w->waiting = n;
    usim_trace_record(w->tr_waiting, (double)n);
}

static void *car_task(void *arg)
{
    carwash *w = arg;
    double arrival = usim_now();
    set_waiting(w, w->waiting + 1);
    USIM_WITH_RESOURCE(&w->wash, 1)
    {
        set_waiting(w, w->waiting - 1);
        w->started++;
        w->sum_wait += usim_now() - arrival;
        if (usim_sleep(w->wash_time) != 0)
            break; /* the run is over: still in the machine */
        w->washed++;
    }
    return NULL;
}

static void arrive(carwash *w)
{
    const usim_spawn_opts detached = {.detached = true};
    w->arrived++;
    if (usim_spawn_ex(car_task, w, "car", &detached) == NULL)
        usim_fail("carwash: cannot spawn a car: %s", usim_errmsg());
}

static void *arrivals_task(void *arg)
{
    carwash *w = arg;
    for (long i = 0; i < w->initial_cars; i++)
        arrive(w);
    double lo = w->interarrival - w->spread, hi = w->interarrival + w->spread;
    while (usim_sleep(w->spread > 0 ? usim_uniform(&w->arrivals, lo, hi) : lo) == 0)
        arrive(w);
    return NULL;
}

static int carwash_setup(usim_sim *sim, const usim_params *p, void **state)
{
    carwash *w = calloc(1, sizeof *w);
    if (w == NULL)
        return usim_error(USIM_ENOMEM, "carwash: out of memory");
    *state = w;
    w->machines = (long)usim_param(p, "machines");
    w->wash_time = usim_param(p, "wash_time");
    w->interarrival = usim_param(p, "interarrival");
    w->spread = usim_param(p, "spread");
    w->initial_cars = (long)usim_param(p, "initial_cars");

    /* The shortest time between cars must be > 0, or arrivals would
     * pile up in one instant without end. */
    if (w->spread >= w->interarrival)
        return usim_error(USIM_EINVAL, "carwash: spread %g must be < interarrival %g",
                          w->spread, w->interarrival);
    int rc = usim_resource_init(&w->wash, w->machines, "machines");
    if (rc != 0)
        return rc;
    w->wash_ready = true;
    usim_sim_rng_stream(sim, &w->arrivals, "arrivals");
    w->tr_waiting = usim_sim_trace(sim, "waiting");
    if (usim_sim_spawn(sim, arrivals_task, w, "arrivals") == NULL)
        return usim_error(USIM_ENOMEM, "carwash: cannot spawn the arrivals");
    return 0;
}

static void carwash_finish(usim_sim *sim, void *state)
{
    carwash *w = state;
    usim_sim_scalar_set(sim, "cars_arrived", (double)w->arrived);
    usim_sim_scalar_set(sim, "cars_washed", (double)w->washed);
    usim_sim_scalar_set(sim, "cars_washing",
                        (double)(w->machines - usim_resource_available(&w->wash)));
    usim_sim_scalar_set(sim, "cars_waiting", (double)usim_resource_waiting(&w->wash));
    usim_sim_scalar_set(sim, "mean_wait",
                        w->started > 0 ? w->sum_wait / (double)w->started : NAN);
}

static void carwash_teardown(void *state)
{
    carwash *w = state;
    if (w->wash_ready)
        usim_resource_destroy(&w->wash);
    free(w);
}

const usim_model model_carwash = {
    .abi = USIM_MODEL_ABI,
    .name = "carwash",
    .description = "SimPy's car wash: cars queue for a few washing machines",
    .params = carwash_params,
    .n_params = USIM_ARRAY_LEN(carwash_params),
    .scalars = carwash_scalars,
    .n_scalars = USIM_ARRAY_LEN(carwash_scalars),
    .traces = carwash_traces,
    .n_traces = USIM_ARRAY_LEN(carwash_traces),
    .setup = carwash_setup,
    .finish = carwash_finish,
    .teardown = carwash_teardown,
};
