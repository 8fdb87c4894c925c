"""usim_results.stats - Student t and the intervals and tests built on it.

Exact Student t at any confidence and any number of degrees of freedom,
integer or not (a precision target chooses its own confidence; Welch's
test has fractional df): the t CDF is the regularized incomplete beta
function, by its continued fraction, and the quantile its inverse by
bisection.  math.lgamma is all it needs, so nothing beyond numpy is
required (no scipy).

Moments and ExactSum accumulate a mean and variance, and a sum, over
values that come in blocks (a file read a block of rows at a time), with
results that do not depend on how the values were cut into blocks.
"""
import functools
import math

import numpy as np


def _betacf(a, b, x):
    """The continued fraction of the incomplete beta function (modified
    Lentz); converges fast for x < (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    # Enough terms for a of several million (they grow as sqrt(a)).
    for m in range(1, 100000):
        for aa in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                   -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _betai(a, b, x, y):
    """The regularized incomplete beta function I_x(a, b), y = 1 - x given
    apart so that x near 1 loses no digits."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log(y))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, y) / b


def t_tail(t, df):
    """P(T > t) for Student t with df degrees of freedom, t >= 0."""
    if math.isinf(t):
        return 0.0
    return 0.5 * _betai(0.5 * df, 0.5, df / (df + t * t), t * t / (df + t * t))


def t_cdf(t, df):
    """P(T <= t) for Student t with df > 0 degrees of freedom (NaN for a
    NaN t or df <= 0)."""
    t, df = float(t), float(df)
    if not df > 0 or math.isnan(t):
        return float("nan")
    return 1.0 - t_tail(t, df) if t >= 0 else t_tail(-t, df)


@functools.lru_cache(maxsize=None)
def t_quantile(p, df):
    """The p quantile of Student t with df >= 1 degrees of freedom: the t
    with P(T <= t) = p, by bisection on the tail probability (within
    1e-10 relative; t_quantile(0.975, 10) = 2.2281389).  NaN outside
    0 < p < 1 or for df < 1."""
    if not df >= 1 or not 0.0 < p < 1.0:
        return float("nan")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    q = 1.0 - p
    lo, hi = 0.0, 1.0
    while t_tail(hi, df) > q:
        lo, hi = hi, 2.0 * hi
    while hi - lo > 1e-13 * hi:
        mid = 0.5 * (lo + hi)
        if t_tail(mid, df) > q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def t95(df):
    """The two-sided 95% Student t quantile for df degrees of freedom."""
    return t_quantile(0.975, df)


def half_width(sd, n, confidence=0.95):
    """The half-width t * sd / sqrt(n) of the two-sided CI of a mean of n
    values with standard deviation sd (NaN for n < 2)."""
    if n < 2:
        return float("nan")
    return t_quantile((1.0 + confidence) / 2.0, n - 1) * sd / math.sqrt(n)


def mean_ci(values, confidence=0.95):
    """(mean, half-width of the two-sided CI at that confidence by Student
    t with n-1 df, n) over the finite values; half-width NaN for n = 1,
    mean too for n = 0."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan"), 0
    if len(v) == 1:
        return float(v[0]), float("nan"), 1
    return float(v.mean()), half_width(float(v.std(ddof=1)), len(v), confidence), len(v)


def welch(a, b):
    """Welch's two-sample t-test of the finite values of a and b.

    Returns (mean(a) - mean(b), t, df, p): the statistic t = difference /
    sqrt(s_a^2 / n_a + s_b^2 / n_b), the Welch-Satterthwaite degrees of
    freedom and the two-sided p-value 2 P(T > |t|) of the exact t
    distribution.  With both variances 0, t is 0 (p = 1) for equal means
    and infinite (p = 0) otherwise; with fewer than 2 values on a side,
    t, df and p are NaN."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    nan = float("nan")
    if len(a) == 0 or len(b) == 0:
        return nan, nan, nan, nan
    diff = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return diff, nan, nan, nan
    va, vb = float(a.var(ddof=1)) / len(a), float(b.var(ddof=1)) / len(b)
    se2 = va + vb
    if se2 == 0.0:
        # Both samples constant: nothing to estimate the noise from.
        df = float(len(a) + len(b) - 2)
        return (diff, 0.0, df, 1.0) if diff == 0.0 else (diff, math.copysign(math.inf, diff),
                                                          df, 0.0)
    t = diff / math.sqrt(se2)
    df = se2 * se2 / (va * va / (len(a) - 1) + vb * vb / (len(b) - 1))
    return diff, t, df, min(1.0, 2.0 * t_tail(abs(t), df))


class Moments:
    """Count, mean and standard deviation of values given in blocks, in
    one pass: the mean from a Kahan-compensated sum, the variance by
    Welford's update (each value moves the running mean by its share and
    adds its product of deviations from the old and the new mean; no sum
    of squares, so no cancellation).  Both are recurrences over the
    values in order whose whole state is carried from one block to the
    next: the result is the same however the values are cut into blocks,
    and bit for bit that of pandas' groupby mean and std (the same two
    recurrences) over all of them at once."""

    __slots__ = ("n", "total", "compensation", "running_mean", "m2")

    def __init__(self):
        self.n = 0
        self.total = self.compensation = self.running_mean = self.m2 = 0.0

    def add(self, values):
        """Add the values (any sequence of floats, NaN not allowed: leave
        out what does not count), in their order."""
        # The count as a float (exact below 2^53): the division needs one.
        n, total, comp = float(self.n), self.total, self.compensation
        mean, m2 = self.running_mean, self.m2
        for v in np.asarray(values, dtype=float).tolist():
            n += 1.0
            y = v - comp
            t = total + y
            comp = (t - total) - y
            total = t
            d = v - mean
            mean += d / n
            m2 += (v - mean) * d
        self.n, self.total, self.compensation = int(n), total, comp
        self.running_mean, self.m2 = mean, m2

    def mean(self):
        """The mean (NaN without values)."""
        return self.total / self.n if self.n else float("nan")

    def sd(self):
        """The sample standard deviation, n - 1 in the denominator (NaN
        for fewer than 2 values)."""
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else float("nan")


class ExactSum:
    """The sum of floats given in blocks, without rounding until it is
    read: the running total is kept as a few floats whose exact sum is the
    exact sum so far (math.fsum rounds once; its remainders are kept too),
    so the result is the correctly rounded sum whatever the blocks.  NaN
    values are left out (as pandas' sum does); infinities add as floats
    (inf - inf is NaN)."""

    __slots__ = ("partials", "special")

    def __init__(self):
        self.partials = []
        self.special = 0.0

    def add(self, values):
        v = np.asarray(values, dtype=float)
        v = v[~np.isnan(v)]
        finite = np.isfinite(v)
        if not finite.all():
            self.special += float(np.sum(v[~finite]))
        terms = self.partials + v[finite].tolist()
        # Each remainder is the exact rest rounded, and at most half an ulp
        # of the one before (all are multiples of the least float, so the
        # last is 0): a handful of floats hold the exact sum.
        out = []
        try:
            s = math.fsum(terms)
            while s != 0.0:
                out.append(s)
                s = math.fsum(terms + [-x for x in out])
        except OverflowError:  # beyond the largest float: an infinity
            self.special += math.copysign(math.inf, sum(terms))
            out = []
        self.partials = out

    def value(self):
        if self.special != 0.0:  # an infinity, or NaN from two
            return self.special
        return math.fsum(self.partials)
