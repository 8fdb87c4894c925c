/*
 * machine_shop — SimPy's machine shop example as a usim model:
 * interrupts and a preemptive resource.
 *
 * `machines` machines make parts one after the other; a part takes a
 * processing time drawn from a normal law (process_mean, process_sd;
 * process_sd = 0 is a constant; a negative draw counts as 0; stream
 * "process").  Each machine breaks down at exponential times (mean mttf,
 * stream "failures"; mttf = 0: never): a breaker task interrupts the
 * machine's work (usim_interrupt), the machine asks the one repairman
 * for a repair of repair_time and, once repaired, finishes the part it
 * was working on (the time already spent on it counts).  While the
 * machine is broken its breaker's clock keeps running, and a failure
 * that falls then is lost (as in SimPy).  The repairman (a usim_resource
 * of one unit) works on unimportant jobs of job_duration when no machine
 * needs him: such a job holds him at priority 2, a repair requests him
 * with usim_resource_request_preempt at priority 1 and takes him from
 * the job at once; the job is resumed afterwards with the time left.
 * Arrivals of work never stop: `until` ends the run.  SimPy's example
 * is the default (10 machines, 10 +- 2 min per part, mttf 300, repairs
 * 30, jobs 30).
 *
 * Scalars: parts_made, breakdowns, repairs, repairing_time (time the
 * repairman spent on repairs), other_time (on the other jobs, both
 * counting the work under way at the end), other_jobs (completed),
 * mean_repair_wait (from a breakdown to the start of its repair),
 * broken (machines broken at the end), end_time.  Traces: broken (machines broken, at
 * each change).
 *
 * Validation.  Without breakdowns (mttf = 0) and with a constant
 * processing time t_p, each machine makes a part every t_p from time 0,
 * so by `until` T it has made floor(T / t_p): parts_made = machines x
 * floor(T / t_p) exactly (10 machines, T = 1000.5, t_p = 10: 1000).
 * With breakdowns the repairman is never idle and never doing two things:
 * an other job is always waiting for him at priority 2, and a repair
 * preempts it at once, so repairing_time + other_time = T exactly (the
 * time accounts of the two kinds of work are kept apart).  Every
 * breakdown is repaired or is still waiting/under repair at the end:
 * breakdowns = repairs + broken, the last counted from the machines'
 * flags at the end.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <usim.h>
#include <usim/model.h>

enum {
    P_MACHINES,
    P_PROCESS_MEAN,
    P_PROCESS_SD,
    P_MTTF,
    P_REPAIR_TIME,
    P_JOB_DURATION,
};

static const usim_param_desc shop_params[] = {
    [P_MACHINES] = {"machines", USIM_PARAM_INT, 10, 1, 100000, "", "machines", NULL,
                    NULL},
    [P_PROCESS_MEAN] = {"process_mean", USIM_PARAM_REAL, 10, 1e-9, 1e15, "time",
                        "mean processing time of a part", NULL, NULL},
    [P_PROCESS_SD] = {"process_sd", USIM_PARAM_REAL, 2, 0, 1e15, "time",
                      "its standard deviation (0: constant)", NULL, NULL},
    [P_MTTF] = {"mttf", USIM_PARAM_REAL, 300, 0, 1e15, "time",
                "mean time to failure of a machine (0: never fails)", NULL, NULL},
    [P_REPAIR_TIME] = {"repair_time", USIM_PARAM_REAL, 30, 0, 1e15, "time",
                       "time the repairman needs for a repair", NULL, NULL},
    [P_JOB_DURATION] = {"job_duration", USIM_PARAM_REAL, 30, 1e-9, 1e15, "time",
                        "duration of one of the repairman's other jobs", NULL, NULL},
};

static const usim_output_desc shop_scalars[] = {
    {"parts_made", "", "parts finished by all machines"},
    {"breakdowns", "", "machine failures"},
    {"repairs", "", "repairs completed"},
    {"repairing_time", "time",
     "repairman's time on repairs (the one under way included)"},
    {"other_time", "time",
     "repairman's time on other jobs (the one under way included)"},
    {"other_jobs", "", "other jobs completed"},
    {"mean_repair_wait", "time", "mean time from a breakdown to its repair's start"},
    {"broken", "", "machines broken (waiting for or under repair) at the end"},
    {"end_time", "time", "the time the run ended"},
};

static const usim_output_desc shop_traces[] = {
    {"broken", "", "machines broken (waiting for or under repair), at each change"},
};

/* Interrupt cause of a breakdown (the user's causes are > 0). */
enum { CAUSE_BREAKDOWN = 1 };

struct shop;

typedef struct machine {
    struct shop *shop;
    usim_task *task;
    bool broken;
} machine;

typedef struct shop {
    /* The parameters, read once in setup. */
    long machines;
    double process_mean, process_sd, mttf, repair_time, job_duration;
    usim_dist process; /* processing time of a part */
    machine *m;        /* machines[] */
    usim_resource repairman;
    bool repairman_ready;
    usim_rng process_rng, failures;
    uint64_t parts, breakdowns, repairs, other_jobs;
    long broken;
    double repair_busy, other_busy;       /* completed stretches */
    double repair_started, other_started; /* NAN when not under way */
    double sum_repair_wait;
    usim_trace *tr_broken;
} shop;

static void set_broken(shop *s, long n)
{
    s->broken = n;
    usim_trace_record(s->tr_broken, (double)n);
}

/* Waits for the repairman (preempting his other job) and is repaired.
 * Returns 0, or the code of the wait that failed (the run is over). */
static int repair(machine *mc)
{
    shop *s = mc->shop;
    double broke = usim_now();
    int rc = usim_resource_request_preempt(&s->repairman, 1, 1);
    if (rc != 0)
        return rc;
    s->sum_repair_wait += usim_now() - broke;
    s->repair_started = usim_now();
    rc = usim_sleep(s->repair_time);
    if (rc != 0)
        return rc;
    s->repair_busy += usim_now() - s->repair_started;
    s->repair_started = NAN;
    s->repairs++;
    usim_resource_release(&s->repairman, 1);
    mc->broken = false;
    set_broken(s, s->broken - 1);
    return 0;
}

static void *machine_task(void *arg)
{
    machine *mc = arg;
    shop *s = mc->shop;
    for (;;) {
        double left = fmax(0, usim_dist_draw(&s->process, &s->process_rng));
        while (left > 0) {
            double start = usim_now();
            int rc = usim_sleep(left);
            if (rc == 0)
                break;
            if (rc != USIM_EINTR || usim_cause() != CAUSE_BREAKDOWN)
                return NULL; /* cancelled: the run is over */
            left -= usim_now() - start;
            if (repair(mc) != 0)
                return NULL;
        }
        s->parts++;
    }
}

/* The breaker sets `broken` itself before interrupting, so a second
 * failure drawn before the machine has run cannot interrupt it twice. */
static void *breaker_task(void *arg)
{
    machine *mc = arg;
    shop *s = mc->shop;
    while (usim_sleep(usim_exponential(&s->failures, s->mttf)) == 0) {
        if (mc->broken)
            continue;
        mc->broken = true;
        s->breakdowns++;
        set_broken(s, s->broken + 1);
        usim_interrupt(mc->task, CAUSE_BREAKDOWN);
    }
    return NULL;
}

/* The repairman's unimportant work: one job after the other, each
 * resumed with the time left whenever a repair has taken him away. */
static void *other_jobs_task(void *arg)
{
    shop *s = arg;
    for (;;) {
        double left = s->job_duration;
        while (left > 0) {
            if (usim_resource_request(&s->repairman, 1, 2) != 0)
                return NULL;
            s->other_started = usim_now();
            int rc = usim_sleep(left);
            if (rc != 0 && (rc != USIM_EINTR || usim_cause() != USIM_CAUSE_PREEMPTED))
                return NULL; /* cancelled: the run is over (finish has run) */
            double worked = usim_now() - s->other_started;
            s->other_busy += worked;
            s->other_started = NAN;
            if (rc == 0) {
                usim_resource_release(&s->repairman, 1);
                left = 0;
            } else {
                left -= worked; /* the repairman was taken: nothing to release */
            }
        }
        s->other_jobs++;
    }
}

static int shop_setup(usim_sim *sim, const usim_params *p, void **state)
{
    shop *s = calloc(1, sizeof *s);
    if (s == NULL)
        return usim_error(USIM_ENOMEM, "machine_shop: out of memory");
    *state = s;
    s->machines = (long)usim_param(p, "machines");
    s->process_mean = usim_param(p, "process_mean");
    s->process_sd = usim_param(p, "process_sd");
    s->mttf = usim_param(p, "mttf");
    s->repair_time = usim_param(p, "repair_time");
    s->job_duration = usim_param(p, "job_duration");

    s->repair_started = s->other_started = NAN;
    int rc = s->process_sd > 0
                 ? usim_dist_init(&s->process, USIM_DIST_NORMAL,
                                  (const double[]){s->process_mean, s->process_sd})
                 : usim_dist_init(&s->process, USIM_DIST_CONSTANT,
                                  (const double[]){s->process_mean});
    if (rc != 0)
        return rc;
    s->m = calloc((size_t)s->machines, sizeof *s->m);
    if (s->m == NULL)
        return usim_error(USIM_ENOMEM, "machine_shop: out of memory");
    rc = usim_resource_init(&s->repairman, 1, "repairman");
    if (rc != 0)
        return rc;
    s->repairman_ready = true;
    usim_sim_rng_stream(sim, &s->process_rng, "process");
    usim_sim_rng_stream(sim, &s->failures, "failures");
    s->tr_broken = usim_sim_trace(sim, "broken");
    for (long i = 0; i < s->machines; i++) {
        machine *mc = &s->m[i];
        mc->shop = s;
        mc->task = usim_sim_spawn(sim, machine_task, mc, "machine");
        if (mc->task == NULL ||
            (s->mttf > 0 && usim_sim_spawn(sim, breaker_task, mc, "breaker") == NULL))
            return usim_error(USIM_ENOMEM, "machine_shop: cannot spawn machine %ld", i);
    }
    if (usim_sim_spawn(sim, other_jobs_task, s, "other_jobs") == NULL)
        return usim_error(USIM_ENOMEM, "machine_shop: cannot spawn the other jobs");
    return 0;
}

static void shop_finish(usim_sim *sim, void *state)
{
    shop *s = state;
    double now = usim_sim_now(sim);
    /* The stretch under way at the end counts as far as it went. */
    double repair =
        s->repair_busy + (isnan(s->repair_started) ? 0 : now - s->repair_started);
    double other =
        s->other_busy + (isnan(s->other_started) ? 0 : now - s->other_started);
    uint64_t started = s->repairs + (isnan(s->repair_started) ? 0 : 1);
    usim_sim_scalar_set(sim, "parts_made", (double)s->parts);
    usim_sim_scalar_set(sim, "breakdowns", (double)s->breakdowns);
    usim_sim_scalar_set(sim, "repairs", (double)s->repairs);
    usim_sim_scalar_set(sim, "repairing_time", repair);
    usim_sim_scalar_set(sim, "other_time", other);
    usim_sim_scalar_set(sim, "other_jobs", (double)s->other_jobs);
    usim_sim_scalar_set(sim, "mean_repair_wait",
                        started > 0 ? s->sum_repair_wait / (double)started : NAN);
    long broken = 0; /* from the machines' own flags, not the counter */
    for (long i = 0; i < s->machines; i++)
        broken += s->m[i].broken;
    usim_sim_scalar_set(sim, "broken", (double)broken);
    usim_sim_scalar_set(sim, "end_time", now);
}

static void shop_teardown(void *state)
{
    shop *s = state;
    if (s->repairman_ready)
        usim_resource_destroy(&s->repairman);
    free(s->m);
    free(s);
}

const usim_model model_machine_shop = {
    .abi = USIM_MODEL_ABI,
    .name = "machine_shop",
    .description = "SimPy's machine shop: breakdowns interrupt work, repairs preempt "
                   "the repairman's other jobs",
    .params = shop_params,
    .n_params = USIM_ARRAY_LEN(shop_params),
    .scalars = shop_scalars,
    .n_scalars = USIM_ARRAY_LEN(shop_scalars),
    .traces = shop_traces,
    .n_traces = USIM_ARRAY_LEN(shop_traces),
    .setup = shop_setup,
    .finish = shop_finish,
    .teardown = shop_teardown,
};
