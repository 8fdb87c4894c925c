/*
 * gas_station — SimPy's gas station refuelling example as a usim model.
 *
 * The station has `pumps` pumps (a usim_resource) and one underground
 * tank: a usim_container of capacity tank_capacity holding the fuel,
 * initially initial_level.  Cars arrive at inter-arrival times uniform on
 * [arrival_min, arrival_max] (stream "arrivals"); a car's own tank of size
 * car_tank holds a level uniform on [car_level_min, car_level_max]
 * (stream "cars") and the car takes the difference: it waits for a pump,
 * takes its fuel out of the station's tank (waiting if the tank holds too
 * little) and pumps it at refuel_rate per time unit.  A controller looks
 * at the tank every check_interval (a usim_every loop); when the level is
 * below threshold x tank_capacity it calls a tank truck, which arrives
 * truck_time later and fills the tank up to capacity, and waits for it
 * before looking again (SimPy's gas_station_control).  Arrivals never
 * stop: `until` ends the run.  SimPy's example is the default: 2 pumps,
 * 200 litres, 25 %, truck 300 s, cars of 50 l holding 5..25 l, 2 l/s,
 * a car every 30..300 s, checked every 10 s.  The threshold (50 l) is
 * above the most a car takes (45 l): a car left waiting for fuel means a
 * level below the threshold, so a truck is on its way.  (With SimPy's
 * older 10 %, a tank left at 20..45 l starves the cars for ever.)
 *
 * Scalars: cars_arrived, cars_refueled, cars_present (at a pump or
 * waiting for one at the end), fuel_dispensed, fuel_delivered,
 * level_initial, level_final, trucks_called, trucks_arrived, mean_wait
 * (arrival to the start of pumping).  Traces: level (the station's tank,
 * at each change).
 *
 * Conservation (exact): fuel only leaves the tank through the cars' gets
 * and only enters it through the trucks' puts, so
 *
 *     fuel_delivered = fuel_dispensed + (level_final - level_initial),
 *
 * the sums counted by the tasks, the levels read from the container.
 * (Up to rounding: the container lets a get exceed the level by a
 * relative 1e-12 and clamps at 0.)  And every car is either refuelled or
 * still at the station: cars_arrived = cars_refueled + cars_present, the
 * last read from the pumps' resource (waiters plus pumps in use).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum {
    P_PUMPS,
    P_TANK_CAPACITY,
    P_INITIAL_LEVEL,
    P_THRESHOLD,
    P_TRUCK_TIME,
    P_CHECK_INTERVAL,
    P_CAR_TANK,
    P_CAR_LEVEL_MIN,
    P_CAR_LEVEL_MAX,
    P_REFUEL_RATE,
    P_ARRIVAL_MIN,
    P_ARRIVAL_MAX,
};

static const usim_param_desc gas_params[] = {
    [P_PUMPS] = {"pumps", USIM_PARAM_INT, 2, 1, 10000, "", "fuel pumps", NULL, NULL},
    [P_TANK_CAPACITY] = {"tank_capacity", USIM_PARAM_REAL, 200, 1e-9, 1e15, "fuel",
                         "size of the station's tank", NULL, NULL},
    [P_INITIAL_LEVEL] = {"initial_level", USIM_PARAM_REAL, 200, 0, 1e15, "fuel",
                         "fuel in the station's tank at time 0 (<= tank_capacity)",
                         NULL, NULL},
    [P_THRESHOLD] = {"threshold", USIM_PARAM_REAL, 0.25, 0, 1, "",
                     "a truck is called below this fraction of tank_capacity", NULL,
                     NULL},
    [P_TRUCK_TIME] = {"truck_time", USIM_PARAM_REAL, 300, 0, 1e15, "time",
                      "from the call to the truck's arrival", NULL, NULL},
    [P_CHECK_INTERVAL] = {"check_interval", USIM_PARAM_REAL, 10, 1e-9, 1e15, "time",
                          "the controller looks at the tank this often", NULL, NULL},
    [P_CAR_TANK] = {"car_tank", USIM_PARAM_REAL, 50, 1e-9, 1e15, "fuel",
                    "size of a car's tank", NULL, NULL},
    [P_CAR_LEVEL_MIN] = {"car_level_min", USIM_PARAM_REAL, 5, 0, 1e15, "fuel",
                         "least fuel a car arrives with", NULL, NULL},
    [P_CAR_LEVEL_MAX] = {"car_level_max", USIM_PARAM_REAL, 25, 0, 1e15, "fuel",
                         "most fuel a car arrives with (<= car_tank)", NULL, NULL},
    [P_REFUEL_RATE] = {"refuel_rate", USIM_PARAM_REAL, 2, 1e-9, 1e15, "fuel/time",
                       "pumping speed", NULL, NULL},
    [P_ARRIVAL_MIN] = {"arrival_min", USIM_PARAM_REAL, 30, 0, 1e15, "time",
                       "shortest time between two cars", NULL, NULL},
    [P_ARRIVAL_MAX] = {"arrival_max", USIM_PARAM_REAL, 300, 0, 1e15, "time",
                       "longest time between two cars (>= arrival_min)", NULL, NULL},
};

static const usim_output_desc gas_scalars[] = {
    {"cars_arrived", "", "cars arrived"},
    {"cars_refueled", "", "cars that finished pumping"},
    {"cars_present", "", "cars at a pump or waiting for one at the end"},
    {"fuel_dispensed", "fuel", "fuel taken out of the station's tank by cars"},
    {"fuel_delivered", "fuel", "fuel put into the station's tank by trucks"},
    {"level_initial", "fuel", "the station's tank at time 0"},
    {"level_final", "fuel", "the station's tank at the end"},
    {"trucks_called", "", "tank trucks called"},
    {"trucks_arrived", "", "tank trucks that delivered"},
    {"mean_wait", "time", "mean time from a car's arrival to the start of pumping"},
};

static const usim_output_desc gas_traces[] = {
    {"level", "fuel", "fuel in the station's tank, at each change"},
};

typedef struct gas {
    /* The parameters, read once in setup. */
    long pumps;
    double capacity, initial_level, threshold, truck_time, check_interval;
    double car_tank, car_level_min, car_level_max, refuel_rate;
    double arrival_min, arrival_max;
    usim_resource pump;
    usim_container tank;
    bool pump_ready, tank_ready;
    usim_rng arrivals, cars;
    uint64_t arrived, refueled, trucks_called, trucks_arrived, started;
    double dispensed, delivered, sum_wait;
    usim_trace *tr_level;
} gas;

static void trace_level(gas *g)
{
    usim_trace_record(g->tr_level, usim_container_level(&g->tank));
}

static void *car_task(void *arg)
{
    gas *g = arg;
    double arrival = usim_now();
    double need =
        g->car_tank - usim_uniform(&g->cars, g->car_level_min, g->car_level_max);
    USIM_WITH_RESOURCE(&g->pump, 1)
    {
        if (usim_container_get(&g->tank, need) != 0)
            break; /* the run ended while the tank was too low */
        g->dispensed += need;
        trace_level(g);
        g->sum_wait += usim_now() - arrival;
        g->started++;
        if (usim_sleep(need / g->refuel_rate) != 0)
            break;
        g->refueled++;
    }
    return NULL;
}

static void *arrivals_task(void *arg)
{
    gas *g = arg;
    const usim_spawn_opts detached = {.detached = true};
    while (usim_sleep(usim_uniform(&g->arrivals, g->arrival_min, g->arrival_max)) ==
           0) {
        g->arrived++;
        if (usim_spawn_ex(car_task, g, "car", &detached) == NULL)
            usim_fail("gas_station: cannot spawn a car: %s", usim_errmsg());
    }
    return NULL;
}

/* The truck fills the tank to the brim: the room left when it arrives,
 * so the put never has to wait. */
static void *truck_task(void *arg)
{
    gas *g = arg;
    if (usim_sleep(g->truck_time) != 0)
        return NULL;
    double amount = g->capacity - usim_container_level(&g->tank);
    if (usim_container_put(&g->tank, amount) != 0)
        return NULL;
    g->delivered += amount;
    g->trucks_arrived++;
    trace_level(g);
    return NULL;
}

static void *control_task(void *arg)
{
    gas *g = arg;
    for (usim_every e = usim_every_begin(g->check_interval); usim_every_next(&e);) {
        if (usim_container_level(&g->tank) >= g->threshold * g->capacity)
            continue;
        g->trucks_called++;
        usim_task *truck = usim_spawn(truck_task, g, "truck");
        if (truck == NULL)
            usim_fail("gas_station: cannot spawn a truck: %s", usim_errmsg());
        if (usim_join(truck, NULL) != 0)
            break;
    }
    return NULL;
}

static int gas_setup(usim_sim *sim, const usim_params *p, void **state)
{
    gas *g = calloc(1, sizeof *g);
    if (g == NULL)
        return usim_error(USIM_ENOMEM, "gas_station: out of memory");
    *state = g;
    g->pumps = (long)usim_param(p, "pumps");
    g->capacity = usim_param(p, "tank_capacity");
    g->initial_level = usim_param(p, "initial_level");
    g->threshold = usim_param(p, "threshold");
    g->truck_time = usim_param(p, "truck_time");
    g->check_interval = usim_param(p, "check_interval");
    g->car_tank = usim_param(p, "car_tank");
    g->car_level_min = usim_param(p, "car_level_min");
    g->car_level_max = usim_param(p, "car_level_max");
    g->refuel_rate = usim_param(p, "refuel_rate");
    g->arrival_min = usim_param(p, "arrival_min");
    g->arrival_max = usim_param(p, "arrival_max");

    if (g->initial_level > g->capacity)
        return usim_error(USIM_EINVAL,
                          "gas_station: initial_level %g > tank_capacity %g",
                          g->initial_level, g->capacity);
    if (g->car_level_min > g->car_level_max || g->car_level_max > g->car_tank)
        return usim_error(USIM_EINVAL,
                          "gas_station: need car_level_min %g <= car_level_max %g <= "
                          "car_tank %g",
                          g->car_level_min, g->car_level_max, g->car_tank);
    if (g->arrival_min > g->arrival_max || g->arrival_max <= 0)
        return usim_error(USIM_EINVAL,
                          "gas_station: need arrival_min %g <= arrival_max %g, "
                          "arrival_max > 0",
                          g->arrival_min, g->arrival_max);
    /* A car needing more than the whole tank would wait for ever. */
    if (g->car_tank - g->car_level_min > g->capacity)
        return usim_error(USIM_EINVAL,
                          "gas_station: a car may need %g, more than tank_capacity %g",
                          g->car_tank - g->car_level_min, g->capacity);
    int rc = usim_resource_init(&g->pump, g->pumps, "pumps");
    if (rc != 0)
        return rc;
    g->pump_ready = true;
    rc = usim_container_init(&g->tank, g->capacity, g->initial_level, "tank");
    if (rc != 0)
        return rc;
    g->tank_ready = true;
    usim_sim_rng_stream(sim, &g->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &g->cars, "cars");
    g->tr_level = usim_sim_trace(sim, "level");
    if (usim_sim_spawn(sim, arrivals_task, g, "arrivals") == NULL ||
        usim_sim_spawn(sim, control_task, g, "control") == NULL)
        return usim_error(USIM_ENOMEM, "gas_station: cannot spawn the tasks");
    return 0;
}

static void gas_finish(usim_sim *sim, void *state)
{
    gas *g = state;
    double present = (double)usim_resource_waiting(&g->pump) +
                     (double)(g->pumps - usim_resource_available(&g->pump));
    usim_sim_scalar_set(sim, "cars_arrived", (double)g->arrived);
    usim_sim_scalar_set(sim, "cars_refueled", (double)g->refueled);
    usim_sim_scalar_set(sim, "cars_present", present);
    usim_sim_scalar_set(sim, "fuel_dispensed", g->dispensed);
    usim_sim_scalar_set(sim, "fuel_delivered", g->delivered);
    usim_sim_scalar_set(sim, "level_initial", g->initial_level);
    usim_sim_scalar_set(sim, "level_final", usim_container_level(&g->tank));
    usim_sim_scalar_set(sim, "trucks_called", (double)g->trucks_called);
    usim_sim_scalar_set(sim, "trucks_arrived", (double)g->trucks_arrived);
    usim_sim_scalar_set(sim, "mean_wait",
                        g->started > 0 ? g->sum_wait / (double)g->started : NAN);
}

static void gas_teardown(void *state)
{
    gas *g = state;
    if (g->pump_ready)
        usim_resource_destroy(&g->pump);
    if (g->tank_ready)
        usim_container_destroy(&g->tank);
    free(g);
}

const usim_model model_gas_station = {
    .abi = USIM_MODEL_ABI,
    .name = "gas_station",
    .description = "SimPy's gas station: pumps, a fuel tank (container), tank trucks",
    .params = gas_params,
    .n_params = USIM_ARRAY_LEN(gas_params),
    .scalars = gas_scalars,
    .n_scalars = USIM_ARRAY_LEN(gas_scalars),
    .traces = gas_traces,
    .n_traces = USIM_ARRAY_LEN(gas_traces),
    .setup = gas_setup,
    .finish = gas_finish,
    .teardown = gas_teardown,
};
