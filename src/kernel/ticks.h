/*
 * ticks.h — the one rule that turns model time into ticks.  Every path
 * that converts a duration or an absolute time (usim_sleep under each
 * drift policy, usim_sleep_until, the periodic loop, scope deadlines, the
 * end of usim_sim_run, a sampled trace's grid) goes through these
 * functions, so the same time lands on the same tick everywhere.
 *
 * The contract:
 *
 *   A duration d is q = d / resolution ticks.  When q is an integer n
 *   within 1e-9 relative (|q - n| <= 1e-9 * max(1, |q|)), it is exactly
 *   n ticks: the tolerance absorbs the rounding of d and of the division
 *   (0.3 / 0.1 is 2.9999999999999996, and means 3).  Otherwise the drift
 *   policy decides:
 *     naive    the first tick at or after q (rounds up: never early);
 *     tracked  the task carries its exact target, the previous target
 *              plus q, and wakes at the tick of that target as an
 *              absolute time (below), so the error never exceeds a tick
 *              and does not accumulate;
 *     strict   the run fails, naming the task, d and the resolution.
 *
 *   An absolute time t is the first tick at or after t / resolution,
 *   with the same tolerance, taken relative to that tick count: a
 *   target within 1e-9 relative of a tick is that tick.  The k-th point
 *   of a periodic grid of `interval` from tick t0 is the absolute time
 *   t0 + k * interval / resolution ticks.  A run until time t runs the
 *   events up to the last tick at or before t / resolution, with the
 *   same tolerance, so an event due at t itself is run.
 *
 * Everything is inline, and usim_sleep runs ticks_ceil_nonneg on every
 * call.  The quotient is a true division: a multiply by a precomputed
 * 1 / resolution would move some quotients by an ulp (1 / 1e-9 is not
 * 1e9 in binary) and, at the edges of the tolerance, some ticks by one.
 */
#ifndef USIM_KERNEL_TICKS_H
#define USIM_KERNEL_TICKS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Relative tolerance of the whole-tick test. */
#define TICKS_TOL 1e-9

/* Below this, q converts to int64_t exactly enough for the fast paths
 * (integer conversions instead of libm calls). */
#define TICKS_FAST_MAX 0x1p62

/* q = d / resolution: a duration or an absolute time in ticks, before
 * any rounding. */
static inline double ticks_quotient(double d, double resolution)
{
    return d / resolution;
}

/* The tolerance for a tick count of magnitude |q|. */
static inline double ticks_tol(double q)
{
    double a = fabs(q);
    return TICKS_TOL * (a > 1.0 ? a : 1.0);
}

/* floor(q), by an integer conversion in the fast range. */
static inline double ticks_floor_raw(double q)
{
    return q >= 0 && q < TICKS_FAST_MAX ? (double)(int64_t)q : floor(q);
}

/* The first tick at or after base + s ticks, as an offset from base.
 * The tolerance is relative to the absolute tick count base + s, so a
 * target gets the same tick whichever tick it is counted from. */
static inline double ticks_ceil_from(int64_t base, double s)
{
    double w = ticks_floor_raw(s);
    double f = s - w; /* exact: [0, 1) */
    return f < 0.5 && f <= ticks_tol((double)base + s) ? w : w + 1.0;
}

/* True if q is an integer within the tolerance; *n gets that integer. */
static inline bool ticks_whole(double q, double *n)
{
    double r;
    if (q >= 0 && q < TICKS_FAST_MAX) {
        r = (double)(int64_t)(q + 0.5);
    } else {
        double w = floor(q);
        r = q - w < 0.5 ? w : w + 1.0;
    }
    if (fabs(q - r) <= ticks_tol(q)) {
        *n = r;
        return true;
    }
    return false;
}

/* q > 1.0 ? q : 1.0, the magnitude ticks_tol scales by, for a q that is
 * not NaN.  On x86-64 one maxsd, which computes exactly that expression
 * (its first operand if greater, else the second); the compiler makes a
 * branch of it otherwise, with the multiply inside. */
static inline double ticks_max1(double q)
{
#if defined(__x86_64__) && defined(__SSE2__)
    double one = 1.0;
    __asm__("maxsd %1, %0" : "+x"(q) : "xm"(one));
    return q;
#else
    return q > 1.0 ? q : 1.0;
#endif
}

/* The first tick at or after q for 0 <= q < TICKS_FAST_MAX: usim_sleep's
 * hot path, ticks_ceil_from(0, q) in fewer instructions. */
static inline double ticks_ceil_nonneg(double q)
{
    double n = (double)(int64_t)(q + 0.5);
    return fabs(q - n) <= TICKS_TOL * (q > 1.0 ? q : 1.0) ? n
                                                          : (double)(int64_t)q + 1.0;
}

/* The largest double below 0.5. */
#define TICKS_BELOW_HALF 0x1.fffffffffffffp-2

/* (int64_t)ticks_ceil_nonneg(q) for 0 <= q < TICKS_INT_FAST_MAX (usim_sleep's
 * hot path), from the whole part f of q and its fraction r = q - f (both
 * exact): f when r <= the tolerance and r < 0.5, else f + 1.  That is
 * ticks_ceil_nonneg's result: below 0.5 its nearest whole number is f, and
 * |q - f| = r; from 0.5 on it is f + 1, which it returns whether or not q
 * is within the tolerance of it (q + 0.5 may round only where it reaches
 * the next power of two, which is f + 1 then).  From 2^52 on, where q + 0.5
 * rounds ties to even, ticks_ceil_nonneg can give q + 1 for a whole q, so
 * the range stops there.  No rounding of q + 0.5, no absolute value and
 * one comparison: about 4 instructions fewer per sleep. */
static inline int64_t ticks_ceil_nonneg_int(double q)
{
    int64_t f = (int64_t)q;
    double r = q - (double)f;
    double tol = TICKS_TOL * ticks_max1(q);
    return f + (r > (tol < TICKS_BELOW_HALF ? tol : TICKS_BELOW_HALF));
}

/* True if 0 <= q < TICKS_INT_FAST_MAX, ticks_ceil_nonneg_int's range, in
 * one integer comparison: the bits of non-negative doubles are ordered as
 * their values, and those of negatives (-0.0 included) and NaNs compare
 * above 2^52's (a -0.0 then takes the general path, which gives it the
 * same tick 0). */
#define TICKS_INT_FAST_MAX 0x1p52
#define TICKS_INT_FAST_MAX_BITS UINT64_C(0x4330000000000000) /* 0x1p52 */
static inline bool ticks_in_fast_range(double q)
{
    uint64_t bits;
    memcpy(&bits, &q, sizeof bits);
    return bits < TICKS_INT_FAST_MAX_BITS;
}

/* The first tick at or after q (a duration, or an absolute time). */
static inline double ticks_ceil(double q)
{
    if (q >= 0 && q < TICKS_FAST_MAX)
        return ticks_ceil_nonneg(q);
    return ticks_ceil_from(0, q);
}

/* The last tick at or before q. */
static inline double ticks_floor(double q)
{
    double n;
    return ticks_whole(q, &n) ? n : floor(q);
}

/* q as whole ticks plus a fraction in [0, 1), exactly: no tolerance, so
 * the tracked carry keeps the exact target; only wake-ups round. */
static inline double ticks_split(double q, double *frac)
{
    double w = ticks_floor_raw(q);
    *frac = q - w;
    return w;
}

/* Ticks from a grid's start to its k-th point, the duration k * interval,
 * before rounding (the periodic loop, a sampled trace). */
static inline double ticks_grid(uint64_t k, double interval, double resolution)
{
    return ticks_quotient((double)k * interval, resolution);
}

/* q (whole) as int64_t, clamped to [lo, hi]; NaN gives hi. */
static inline int64_t ticks_clamp(double q, int64_t lo, int64_t hi)
{
    if (!(q < (double)hi))
        return hi;
    if (q <= (double)lo)
        return lo;
    return (int64_t)q;
}

#endif
