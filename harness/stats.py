"""Interval estimates used by reports.

Answers are clustered: K samples of the same query are not independent, so
means use standard errors clustered by query (CR1 sandwich estimator with a
t reference on G-1 degrees of freedom). Rates use the Wilson score interval,
which stays inside [0, 1] and keeps its coverage near 0 and 1 and at small n.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from statistics import NormalDist
from typing import NamedTuple

__all__ = [
    "MeanCI",
    "PairedDiff",
    "benjamini_hochberg",
    "clustered_mean_ci",
    "holm",
    "minimum_detectable_effect",
    "paired_diff_ci",
    "paired_rate_diff_ci",
    "normal_quantile",
    "regularized_beta",
    "spearmanr",
    "t_quantile",
    "t_sf",
    "wilson_ci",
]


class MeanCI(tuple):
    """(mean, low, high); low/high are None when there is too little data."""

    __slots__ = ()

    def __new__(cls, mean: float | None, low: float | None, high: float | None) -> MeanCI:
        return super().__new__(cls, (mean, low, high))

    @property
    def mean(self) -> float | None:
        return self[0]

    @property
    def low(self) -> float | None:
        return self[1]

    @property
    def high(self) -> float | None:
        return self[2]


# --- distributions (standard library only) ------------------------------------------
# scipy.stats costs over a second to import, and every report needs only a few
# quantiles and tail probabilities, so they are computed here.
# tests/test_stats.py checks them against scipy at many degrees of freedom.

_NORMAL = NormalDist()


def normal_quantile(p: float) -> float:
    """Quantile of the standard normal distribution (``scipy.stats.norm.ppf``)."""
    return _NORMAL.inv_cdf(p)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) (``scipy.special.betainc``)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    # The continued fraction converges fast on this side of the mean; use symmetry on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_sf(t: float, df: float) -> float:
    """Upper tail P(T > t) of Student's t with ``df`` degrees of freedom (``scipy.stats.t.sf``)."""
    if math.isnan(t):
        return float("nan")
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return tail if t > 0 else 1.0 - tail


def _t_pdf(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


def _hill_t(two_tailed: float, df: float) -> float:
    """Hill's approximation (CACM Algorithm 396) to t with P(|T| > t) = ``two_tailed``."""
    if df == 1:
        return 1.0 / math.tan(two_tailed * math.pi / 2)
    if df == 2:
        return math.sqrt(2.0 / (two_tailed * (2.0 - two_tailed)) - 2.0)
    a = 1.0 / (df - 0.5)
    b = 48.0 / (a * a)
    c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36
    d = ((94.5 / (b + c) - 3.0) / b + 1.0) * math.sqrt(a * math.pi / 2) * df
    y = (d * two_tailed) ** (2.0 / df)
    if y > 0.05 + a:
        x = normal_quantile(0.5 * two_tailed)
        y = x * x
        if df < 5:
            c += 0.3 * (df - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x
        y = math.expm1(a * y * y)
    else:
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0) + 0.5 / (df + 4.0)) * y - 1.0) * (
            df + 1.0
        ) / (df + 2.0) + 1.0 / y
    return math.sqrt(df * y)


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t with ``df`` degrees of freedom (``scipy.stats.t.ppf``).

    Hill's approximation, then Newton steps on the exact tail probability
    until they stop moving it: within 1e-9 of scipy for ``df`` ≥ 1 (closer
    below a million degrees of freedom).
    """
    if df < 1:
        raise ValueError(f"t_quantile needs at least 1 degree of freedom, not {df}")
    if not 0.0 < p < 1.0:
        if p == 0.0:
            return -math.inf
        if p == 1.0:
            return math.inf
        return float("nan")
    if p == 0.5:
        return 0.0
    upper = 1.0 - p if p > 0.5 else p  # the smaller tail, for precision
    t = _hill_t(2.0 * upper, df)
    if df not in (1, 2):  # exact in closed form for 1 and 2 degrees of freedom
        for _ in range(50):
            step = (t_sf(t, df) - upper) / _t_pdf(t, df)
            t += step
            if abs(step) <= 1e-13 * max(1.0, abs(t)):
                break
    return t if p > 0.5 else -t


class SpearmanResult(NamedTuple):
    """Spearman's rank correlation and its two-sided p-value (as ``scipy.stats.spearmanr`` returns)."""

    statistic: float
    pvalue: float


def _ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties given their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearmanr(x: Sequence[float], y: Sequence[float]) -> SpearmanResult:
    """Spearman's ρ with the t-approximation p-value on n − 2 degrees of freedom (as scipy computes it).

    nan for both when either input is constant.
    """
    n = len(x)
    rx, ry = _ranks(x), _ranks(y)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return SpearmanResult(float("nan"), float("nan"))
    rho = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    df = n - 2
    if df <= 0:
        return SpearmanResult(rho, float("nan"))
    if abs(rho) >= 1.0:
        return SpearmanResult(rho, 0.0)
    t = rho * math.sqrt(df / ((rho + 1.0) * (1.0 - rho)))
    return SpearmanResult(rho, min(1.0, 2 * t_sf(abs(t), df)))


def _t_quantile(df: int, level: float) -> float:
    return t_quantile(0.5 + level / 2, df)


def clustered_mean_ci(
    values: Sequence[float], clusters: Sequence[Hashable], level: float = 0.95
) -> MeanCI:
    """Mean with a confidence interval using cluster-robust standard errors.

    Args:
        values: one value per observation.
        clusters: the cluster (e.g. query id) of each observation.
        level: confidence level.
    """
    n = len(values)
    if n == 0:
        return MeanCI(None, None, None)
    mean = sum(values) / n
    groups: dict[Hashable, list[float]] = defaultdict(list)
    for v, c in zip(values, clusters, strict=True):
        groups[c].append(v)
    g = len(groups)
    if g < 2:
        return MeanCI(mean, None, None)
    # CR1: sum over clusters of (sum of residuals)^2, small-sample corrected.
    meat = sum(sum(v - mean for v in vs) ** 2 for vs in groups.values())
    var = meat / n**2 * (g / (g - 1))
    half = _t_quantile(g - 1, level) * math.sqrt(var)
    return MeanCI(mean, mean - half, mean + half)


def wilson_ci(successes: int, n: int, level: float = 0.95) -> MeanCI:
    """Wilson score interval for a proportion."""
    if n == 0:
        return MeanCI(None, None, None)
    z = normal_quantile(0.5 + level / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return MeanCI(p, max(0.0, centre - half), min(1.0, centre + half))


# --- paired comparisons -------------------------------------------------------------


class PairedDiff(tuple):
    """(delta, low, high, p_value, se) for a paired difference B − A."""

    __slots__ = ()

    def __new__(cls, delta: float, low: float, high: float, p_value: float, se: float) -> PairedDiff:
        return super().__new__(cls, (delta, low, high, p_value, se))

    @property
    def delta(self) -> float:
        return self[0]

    @property
    def low(self) -> float:
        return self[1]

    @property
    def high(self) -> float:
        return self[2]

    @property
    def p_value(self) -> float:
        return self[3]

    @property
    def se(self) -> float:
        return self[4]


def clustered_rate_ci(values: list[float], clusters: list[str]) -> tuple[float, float | None, float | None]:
    """A rate's Wilson interval at the effective sample size of clustered 0/1 outcomes.

    The design effect is the CR1 clustered variance over the independent one,
    at least 1; with no variance at all (every outcome 0, or every one 1) each
    query counts once. Unlike a t interval this stays inside [0, 1] and does not
    collapse to a point at 0% or 100%.
    """
    n = len(values)
    p = sum(values) / n
    groups: dict[str, list[float]] = defaultdict(list)
    for v, c in zip(values, clusters, strict=True):
        groups[c].append(v)
    g = len(groups)
    if 0 < p < 1 and g > 1:
        clustered = sum(sum(v - p for v in vs) ** 2 for vs in groups.values()) / n**2 * g / (g - 1)
        n_eff = n / max(1.0, clustered / (p * (1 - p) / n))
    else:
        n_eff = float(g)
    _, low, high = wilson_ci(p * n_eff, n_eff)  # type: ignore[arg-type]
    return p, low, high


def _cluster_var(diffs: Sequence[float], clusters: Sequence[Hashable], strata: Sequence[Hashable] | None) -> tuple[float, float, int]:
    """Mean and CR1 variance of the mean; strata are pooled with equal weight.

    With strata (traits), the pooled mean gives each stratum equal weight and
    its variance is the sum of the strata's clustered variances over T²:
    queries are clusters nested in independent strata.
    """
    if strata is None:
        strata = [0] * len(diffs)
    by_stratum: dict[Hashable, list[tuple[float, Hashable]]] = defaultdict(list)
    for d, c, s in zip(diffs, clusters, strata, strict=True):
        by_stratum[s].append((d, c))
    means, variances, df = [], [], 0
    for items in by_stratum.values():
        n = len(items)
        m = sum(d for d, _ in items) / n
        groups: dict[Hashable, float] = defaultdict(float)
        for d, c in items:
            groups[c] += d - m
        g = len(groups)
        var = (sum(v * v for v in groups.values()) / n**2) * (g / (g - 1)) if g > 1 else float("nan")
        means.append(m)
        variances.append(var)
        df += g - 1
    t = len(means)
    return sum(means) / t, sum(variances) / t**2, max(df, 1)


def paired_diff_ci(
    a: Sequence[float],
    b: Sequence[float],
    clusters: Sequence[Hashable],
    strata: Sequence[Hashable] | None = None,
    level: float = 0.95,
    value_range: float | None = None,
) -> PairedDiff:
    """Paired difference B − A with a cluster-robust t interval and two-sided p-value.

    When every cluster shows the same difference the sample variance is zero,
    which says little at small n. With ``value_range`` (the width of the score
    scale) the interval then falls back to the rule of three: a difference
    seen in none of G clusters may still occur in up to 3/G of them, so the
    half-width is ``value_range × 3 / G``.
    """
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    delta, var, df = _cluster_var(diffs, clusters, strata)
    if not math.isfinite(var):
        return PairedDiff(delta, float("nan"), float("nan"), float("nan"), float("nan"))
    se = math.sqrt(var)
    if se == 0:
        p = 1.0 if delta == 0 else 0.0
        if value_range is None:
            return PairedDiff(delta, delta, delta, p, 0.0)
        half = value_range * 3 / len(set(clusters))
        return PairedDiff(delta, delta - half, delta + half, p, half / _z(level))
    half = t_quantile(0.5 + level / 2, df) * se
    p = min(1.0, 2 * t_sf(abs(delta) / se, df))
    return PairedDiff(delta, delta - half, delta + half, p, se)


def paired_rate_diff_ci(
    a: Sequence[bool],
    b: Sequence[bool],
    clusters: Sequence[Hashable],
    strata: Sequence[Hashable] | None = None,
    level: float = 0.95,
) -> PairedDiff:
    """Paired difference of two rates, valid near 0 and 1 and at small n.

    The interval is Newcombe's hybrid score (MOVER) interval for paired
    proportions, built from Wilson intervals computed at the effective sample
    size (pairs ÷ the design effect of clustering, floored at 1), with the
    correlation between the arms estimated from the data. Unlike a Wald
    interval it does not collapse to a point when both arms are at 0%. The
    p-value is the cluster-robust t-test's (1.0 when nothing differs).
    """
    n = len(a)
    xa = [float(v) for v in a]
    xb = [float(v) for v in b]
    robust = paired_diff_ci(xa, xb, clusters, strata, level)
    pa, pb = sum(xa) / n, sum(xb) / n
    naive_var = _naive_var([y - x for x, y in zip(xa, xb, strict=True)])
    deff = 1.0
    if naive_var > 0 and math.isfinite(robust.se):
        deff = max(1.0, robust.se**2 / naive_var)
    n_eff = max(1, round(n / deff))
    la, ua = _wilson_at(pa, n_eff, level)
    lb, ub = _wilson_at(pb, n_eff, level)
    r = _phi(xa, xb)
    delta = pb - pa
    low = delta - math.sqrt(max(0.0, (pb - lb) ** 2 - 2 * r * (pb - lb) * (ua - pa) + (ua - pa) ** 2))
    high = delta + math.sqrt(max(0.0, (ub - pb) ** 2 - 2 * r * (ub - pb) * (pa - la) + (pa - la) ** 2))
    p = robust.p_value if math.isfinite(robust.p_value) else 1.0
    z = _z(level)
    return PairedDiff(delta, max(-1.0, low), min(1.0, high), p, (high - low) / (2 * z))


def _naive_var(diffs: Sequence[float]) -> float:
    n = len(diffs)
    if n < 2:
        return 0.0
    m = sum(diffs) / n
    return sum((d - m) ** 2 for d in diffs) / (n - 1) / n


def _z(level: float) -> float:
    return normal_quantile(0.5 + level / 2)


def _wilson_at(p: float, n: int, level: float) -> tuple[float, float]:
    z = _z(level)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _phi(a: Sequence[float], b: Sequence[float]) -> float:
    """Correlation of two binary sequences (0 when either is constant)."""
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    va = sum((x - ma) ** 2 for x in a)
    vb = sum((y - mb) ** 2 for y in b)
    if va == 0 or vb == 0:
        return 0.0
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    return max(-1.0, min(1.0, cov / math.sqrt(va * vb)))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH q-values (step-up, monotone), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values (family-wise error control), in input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def minimum_detectable_effect(se: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest true difference detected with ``power`` at two-sided ``alpha``, given the SE."""
    return (normal_quantile(1 - alpha / 2) + normal_quantile(power)) * se

