"""Power planning: how many queries × samples detect a given difference.

From a pilot run, for one metric: the within-query variance σ²_w (how much
K samples of one query disagree) and, when the pilot has two arms, the
between-query variance τ² of the per-query effect. For a paired comparison
with Q queries and K samples per arm, the difference of per-query means has
variance τ² + 2σ²_w/K, so detecting a true difference δ with power 1−β at
two-sided level α needs

    Q = (z_{1−α/2} + z_{1−β})² · (τ² + 2σ²_w / K) / δ²

queries. With a one-arm pilot τ² is unknown and taken as 0 (the effect is
assumed uniform across queries), which makes the estimate optimistic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from harness.compare import Metric, metrics_for
from harness.errors import HarnessError
from harness.scores.records import ScoredAnswer

__all__ = ["PowerPlan", "plan_power", "required_queries"]


@dataclass
class PowerPlan:
    """Variance components and the queries needed for each K."""

    metric: str
    effect: float
    alpha: float
    power: float
    within_var: float
    between_var: float
    between_estimated: bool
    pilot_queries: int
    rows: list[tuple[int, int]]  # (samples per query K, queries needed Q)


def required_queries(effect: float, within_var: float, between_var: float, samples: int, alpha: float = 0.05, power: float = 0.8) -> int:
    """Queries needed at ``samples`` per query and arm (see module docstring)."""
    from harness.stats import normal_quantile

    z = normal_quantile(1 - alpha / 2) + normal_quantile(power)
    variance = between_var + 2 * within_var / samples
    return max(2, math.ceil(z * z * variance / (effect * effect)))


def _values(metric: Metric, scores: list[ScoredAnswer]) -> dict[str, list[float]]:
    by_query: dict[str, list[float]] = defaultdict(list)
    for s in scores:
        v = metric.value(s)
        if v is not None:
            by_query[s.query_id].append(float(v))
    return by_query


def _within_var(by_query: dict[str, list[float]]) -> float:
    num, den = 0.0, 0
    for vals in by_query.values():
        if len(vals) > 1:
            m = sum(vals) / len(vals)
            num += sum((v - m) ** 2 for v in vals)
            den += len(vals) - 1
    if den == 0:
        raise HarnessError("the pilot has one sample per query: within-query variance is unknown", fix="pilot with --samples 2 or more")
    return num / den


def plan_power(
    metric_name: str,
    effect: float,
    a: list[ScoredAnswer],
    b: list[ScoredAnswer] | None = None,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    samples: tuple[int, ...] = (1, 2, 3, 5, 10),
) -> PowerPlan:
    """Plan a comparison from pilot answers of one arm (``a``) or two (``a`` and ``b``)."""
    if effect <= 0:
        raise HarnessError("--effect must be positive", fix="the smallest difference worth detecting, e.g. 0.3")
    traits = {s.trait for s in [*a, *(b or [])] if s.trait}
    metrics = {m.name: m for m in metrics_for(traits)}
    if metric_name not in metrics:
        raise HarnessError(f"unknown metric {metric_name!r}", fix=f"one of: {', '.join(metrics)}")
    metric = metrics[metric_name]
    va = _values(metric, a)
    if not va:
        raise HarnessError(f"the pilot has no values for {metric_name}")
    within = _within_var(va)
    between, estimated = 0.0, False
    if b is not None:
        vb = _values(metric, b)
        within = (within + _within_var(vb)) / 2
        diffs = [sum(vb[q]) / len(vb[q]) - sum(va[q]) / len(va[q]) for q in va if q in vb]
        if len(diffs) > 2:
            k = min(len(v) for v in va.values())
            m = sum(diffs) / len(diffs)
            observed = sum((d - m) ** 2 for d in diffs) / (len(diffs) - 1)
            between, estimated = max(0.0, observed - 2 * within / k), True
    rows = [(k, required_queries(effect, within, between, k, alpha, power)) for k in samples]
    return PowerPlan(metric_name, effect, alpha, power, within, between, estimated, len(va), rows)
