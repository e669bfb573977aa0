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

__all__ = ["MeanCI", "clustered_mean_ci", "wilson_ci"]


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
