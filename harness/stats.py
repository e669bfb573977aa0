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

__all__ = [
    "MeanCI",
    "PairedDiff",
    "benjamini_hochberg",
    "clustered_mean_ci",
    "holm",
    "minimum_detectable_effect",
    "paired_diff_ci",
    "paired_rate_diff_ci",
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


def _t_quantile(df: int, level: float) -> float:
    from scipy.stats import t  # scipy is imported only when a report is computed

    return float(t.ppf(0.5 + level / 2, df))


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
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + level / 2))
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
    from scipy.stats import t as t_dist

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
    half = float(t_dist.ppf(0.5 + level / 2, df)) * se
    p = float(2 * t_dist.sf(abs(delta) / se, df))
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
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


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
    from scipy.stats import norm

    return float((norm.ppf(1 - alpha / 2) + norm.ppf(power)) * se)
