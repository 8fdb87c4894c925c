/*
 * site — a computing site whose pool of cores follows the demand.
 *
 * Jobs arrive at exponential inter-arrival times (rate arrival_rate,
 * stream "arrivals"); a job needs a whole number of cores uniform on
 * 1..max_cores and runs for an exponential walltime (mean walltime,
 * stream "jobs").  The cores are an open usim_resources supply of one
 * kind, "cores": a job borrows its cores (waiting until they are free;
 * any-fit, so a small job may pass a large one), runs, and returns them.
 * A controller runs every `interval` in a drift-free periodic loop
 * (usim_every): it sets the pool's size toward the demand, the cores in
 * use plus those the queued jobs ask for, clamped to [min_pool,
 * max_pool] and changed by at most `step` cores per look (0: no limit).
 * It adds cores with usim_resources_increase; it can only take away
 * free ones (usim_resources_decrease), so a pool above its target
 * shrinks as jobs end.  Arrivals never stop: `until` ends the run.
 *
 * Scalars: jobs_arrived, jobs_finished, jobs_running, jobs_queued (at
 * the end), controller_runs, pool_size, cores_busy, cores_free (at the
 * end), mean_pool_size, mean_busy (time-weighted), mean_wait (of the
 * jobs started).  Traces: queue_length (jobs waiting), busy (cores in
 * use) and pool_size, each recorded by the controller at every look.
 *
 * Conservation (exact).  Every job that arrived has finished, is running
 * or is queued: jobs_arrived = jobs_finished + jobs_running +
 * jobs_queued, with jobs_queued read from the supply (its waiting
 * borrowers), the others counted by the tasks.  Every core of the pool
 * is busy or free: pool_size (the controller's own account of what it
 * added and took away) = cores_busy (counted by the jobs) + cores_free
 * (the supply's level).  And the controller's iteration k starts at k x
 * interval, events at `until` included: it runs floor(until / interval)
 * times (until = 1000, interval = 10: 100).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum {
    P_ARRIVAL_RATE,
    P_MAX_CORES,
    P_WALLTIME,
    P_INTERVAL,
    P_INITIAL_POOL,
    P_MIN_POOL,
    P_MAX_POOL,
    P_STEP,
};

static const usim_param_desc site_params[] = {
    [P_ARRIVAL_RATE] = {"arrival_rate", USIM_PARAM_REAL, 0.5, 1e-12, 1e12, "1/time",
                        "mean job arrivals per time unit", NULL, NULL},
    [P_MAX_CORES] = {"max_cores", USIM_PARAM_INT, 8, 1, 1e6, "",
                     "a job needs 1..max_cores cores (uniform)", NULL, NULL},
    [P_WALLTIME] = {"walltime", USIM_PARAM_REAL, 20, 1e-12, 1e15, "time",
                    "mean running time of a job (exponential)", NULL, NULL},
    [P_INTERVAL] = {"interval", USIM_PARAM_REAL, 10, 1e-9, 1e15, "time",
                    "the controller resizes the pool this often", NULL, NULL},
    [P_INITIAL_POOL] = {"initial_pool", USIM_PARAM_INT, 16, 0, 1e9, "",
                        "cores in the pool at time 0", NULL, NULL},
    [P_MIN_POOL] = {"min_pool", USIM_PARAM_INT, 8, 0, 1e9, "",
                    "the controller keeps at least this many cores", NULL, NULL},
    [P_MAX_POOL] = {"max_pool", USIM_PARAM_INT, 64, 1, 1e9, "",
                    "and at most this many (>= max_cores)", NULL, NULL},
    [P_STEP] = {"step", USIM_PARAM_INT, 8, 0, 1e9, "",
                "most cores added or removed per look (0: no limit)", NULL, NULL},
};

static const usim_output_desc site_scalars[] = {
    {"jobs_arrived", "", "jobs arrived"},
    {"jobs_finished", "", "jobs that ran to their end"},
    {"jobs_running", "", "jobs running at the end"},
    {"jobs_queued", "", "jobs waiting for cores at the end (the supply's borrowers)"},
    {"controller_runs", "", "iterations of the controller's periodic loop"},
    {"pool_size", "", "cores in the pool at the end (the controller's account)"},
    {"cores_busy", "", "cores held by running jobs at the end"},
    {"cores_free", "", "free cores at the end (the supply's level)"},
    {"mean_pool_size", "", "time-weighted mean pool size"},
    {"mean_busy", "", "time-weighted mean of the cores in use"},
    {"mean_wait", "time", "mean wait for cores of the jobs that started"},
};

static const usim_output_desc site_traces[] = {
    {"queue_length", "", "jobs waiting, at every look of the controller"},
    {"busy", "", "cores in use, at every look of the controller"},
    {"pool_size", "", "cores in the pool, after every look of the controller"},
};

/* The kind names: a constant table, shared by all runs and never
 * written. */
static const char *const site_kinds[] = {"cores"};

typedef struct site {
    /* The parameters, read once in setup. */
    double lambda, walltime, interval;
    long max_cores, initial_pool, min_pool, max_pool, step;
    usim_resources pool;
    bool pool_ready;
    usim_rng arrivals, jobs;
    uint64_t arrived, finished, running, started, controller_runs;
    long queued_cores, busy, pool_size;
    double sum_wait;
    usim_level pool_lvl, busy_lvl;
    usim_trace *tr_queue, *tr_busy, *tr_pool;
} site;

static void set_busy(site *s, long n)
{
    s->busy = n;
    usim_level_set(&s->busy_lvl, usim_now(), (double)n);
}

static void *job_task(void *arg)
{
    site *s = arg;
    double arrival = usim_now();
    long cores = (long)usim_uniform_int(&s->jobs, 1, s->max_cores);
    double run = usim_exponential(&s->jobs, s->walltime);
    usim_resources sub;
    s->queued_cores += cores;
    if (usim_resources_borrow(&s->pool, (const double[]){(double)cores}, &sub) != 0)
        return NULL; /* the run is over while the job waited */
    s->queued_cores -= cores;
    s->running++;
    s->started++;
    s->sum_wait += usim_now() - arrival;
    set_busy(s, s->busy + cores);
    int rc = usim_sleep(run);
    if (rc == 0) {
        s->running--;
        s->finished++;
        set_busy(s, s->busy - cores);
    }
    /* Also when cancelled at the end: the supply is destroyed in teardown,
     * which must find no live borrows. */
    usim_resources_return(&sub);
    return NULL;
}

static void *arrivals_task(void *arg)
{
    site *s = arg;
    const usim_spawn_opts detached = {.detached = true};
    while (usim_sleep(usim_exponential(&s->arrivals, 1 / s->lambda)) == 0) {
        s->arrived++;
        if (usim_spawn_ex(job_task, s, "job", &detached) == NULL)
            usim_fail("site: cannot spawn a job: %s", usim_errmsg());
    }
    return NULL;
}

static void *controller_task(void *arg)
{
    site *s = arg;
    for (usim_every e = usim_every_begin(s->interval); usim_every_next(&e);) {
        s->controller_runs++;
        usim_trace_record(s->tr_queue, (double)usim_resources_waiting(&s->pool));
        usim_trace_record(s->tr_busy, (double)s->busy);
        long target = s->busy + s->queued_cores;
        target = target < s->min_pool ? s->min_pool : target;
        target = target > s->max_pool ? s->max_pool : target;
        long delta = target - s->pool_size;
        if (s->step > 0 && labs(delta) > s->step)
            delta = delta > 0 ? s->step : -s->step;
        if (delta > 0) {
            usim_resources_increase(&s->pool, (const double[]){(double)delta});
        } else if (delta < 0) {
            /* Only free cores can go; the rest when their jobs end. */
            double free_cores;
            usim_resources_levels(&s->pool, &free_cores);
            delta = -(long)fmin((double)-delta, free_cores);
            if (delta < 0)
                usim_resources_decrease(&s->pool, (const double[]){(double)-delta});
        }
        s->pool_size += delta;
        usim_level_set(&s->pool_lvl, usim_now(), (double)s->pool_size);
        usim_trace_record(s->tr_pool, (double)s->pool_size);
    }
    return NULL;
}

static int site_setup(usim_sim *sim, const usim_params *p, void **state)
{
    site *s = calloc(1, sizeof *s);
    if (s == NULL)
        return usim_error(USIM_ENOMEM, "site: out of memory");
    *state = s;
    s->lambda = usim_param(p, "arrival_rate");
    s->max_cores = (long)usim_param(p, "max_cores");
    s->walltime = usim_param(p, "walltime");
    s->interval = usim_param(p, "interval");
    s->initial_pool = (long)usim_param(p, "initial_pool");
    s->min_pool = (long)usim_param(p, "min_pool");
    s->max_pool = (long)usim_param(p, "max_pool");
    s->step = (long)usim_param(p, "step");

    if (s->min_pool > s->max_pool || s->max_cores > s->max_pool)
        return usim_error(
            USIM_EINVAL,
            "site: need min_pool %ld <= max_pool %ld and max_cores %ld <= "
            "max_pool (a job larger than the pool would wait for ever)",
            s->min_pool, s->max_pool, s->max_cores);
    s->pool_size = s->initial_pool;
    int rc = usim_resources_init(&s->pool, 1, site_kinds,
                                 (const double[]){(double)s->initial_pool}, 0, "cores");
    if (rc != 0)
        return rc;
    s->pool_ready = true;
    usim_sim_rng_stream(sim, &s->arrivals, "arrivals");
    usim_sim_rng_stream(sim, &s->jobs, "jobs");
    usim_level_init(&s->pool_lvl, 0, (double)s->pool_size);
    usim_level_init(&s->busy_lvl, 0, 0);
    s->tr_queue = usim_sim_trace(sim, "queue_length");
    s->tr_busy = usim_sim_trace(sim, "busy");
    s->tr_pool = usim_sim_trace(sim, "pool_size");
    if (usim_sim_spawn(sim, arrivals_task, s, "arrivals") == NULL ||
        usim_sim_spawn(sim, controller_task, s, "controller") == NULL)
        return usim_error(USIM_ENOMEM, "site: cannot spawn the tasks");
    return 0;
}

static void site_finish(usim_sim *sim, void *state)
{
    site *s = state;
    double now = usim_sim_now(sim);
    double free_cores = 0;
    usim_resources_levels(&s->pool, &free_cores);
    usim_sim_scalar_set(sim, "jobs_arrived", (double)s->arrived);
    usim_sim_scalar_set(sim, "jobs_finished", (double)s->finished);
    usim_sim_scalar_set(sim, "jobs_running", (double)s->running);
    usim_sim_scalar_set(sim, "jobs_queued", (double)usim_resources_waiting(&s->pool));
    usim_sim_scalar_set(sim, "controller_runs", (double)s->controller_runs);
    usim_sim_scalar_set(sim, "pool_size", (double)s->pool_size);
    usim_sim_scalar_set(sim, "cores_busy", (double)s->busy);
    usim_sim_scalar_set(sim, "cores_free", free_cores);
    usim_sim_scalar_set(sim, "mean_pool_size", usim_level_mean(&s->pool_lvl, now));
    usim_sim_scalar_set(sim, "mean_busy", usim_level_mean(&s->busy_lvl, now));
    usim_sim_scalar_set(sim, "mean_wait",
                        s->started > 0 ? s->sum_wait / (double)s->started : NAN);
}

static void site_teardown(void *state)
{
    site *s = state;
    if (s->pool_ready)
        usim_resources_destroy(&s->pool);
    free(s);
}

const usim_model model_site = {
    .abi = USIM_MODEL_ABI,
    .name = "site",
    .description = "computing site: jobs borrow cores from a pool that a periodic "
                   "controller resizes toward the demand",
    .params = site_params,
    .n_params = USIM_ARRAY_LEN(site_params),
    .scalars = site_scalars,
    .n_scalars = USIM_ARRAY_LEN(site_scalars),
    .traces = site_traces,
    .n_traces = USIM_ARRAY_LEN(site_traces),
    .setup = site_setup,
    .finish = site_finish,
    .teardown = site_teardown,
};
