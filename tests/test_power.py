"""Power planning: the recommended size really gives about the promised power."""

from __future__ import annotations

import numpy as np
import pytest

from harness.compare import compare_arms
from harness.errors import HarnessError
from harness.power import plan_power, required_queries
from tests.test_compare import _answer, _score


def _arms(rng: np.random.Generator, queries: int, samples: int, shift: float):  # type: ignore[no-untyped-def]
    base = rng.normal(3.0, 0.7, queries)
    a, b = [], []
    for q in range(queries):
        for k in range(samples):
            a.append(_answer("A", q, k, int(_score(base[q] + rng.normal(0, 0.9))), False))
            b.append(_answer("B", q, k, int(_score(base[q] + shift + rng.normal(0, 0.9))), False))
    return a, b


def test_formula_scales_as_expected() -> None:
    assert required_queries(0.5, 1.0, 0.0, 2) < required_queries(0.25, 1.0, 0.0, 2)
    assert required_queries(0.3, 1.0, 0.0, 10) < required_queries(0.3, 1.0, 0.0, 1)
    # between-query heterogeneity is a floor that more samples cannot remove
    assert required_queries(0.3, 1.0, 0.5, 1000) > required_queries(0.3, 1.0, 0.0, 1000)


def test_recommended_size_achieves_about_the_planned_power() -> None:
    rng = np.random.default_rng(0)
    shift = 0.5
    pilot_a, pilot_b = _arms(rng, 40, 3, shift)
    # Plan for the true effect after rounding and clipping (by Monte Carlo).
    mc = np.random.default_rng(99)
    base = mc.normal(3.0, 0.7, 400_000)
    effect = float(np.mean(_score(base + shift + mc.normal(0, 0.9, base.size)) - _score(base + mc.normal(0, 0.9, base.size))))
    plan = plan_power("adherence:directness", effect, pilot_a, pilot_b)
    q = dict(plan.rows)[2]
    hits, reps = 0, 300
    for rep in range(reps):
        a, b = _arms(np.random.default_rng(1000 + rep), q, 2, shift)
        row = compare_arms(a, b, flips=0).metric("adherence:directness")
        hits += row.p_value < 0.05 and row.delta > 0
    achieved = hits / reps
    print(f"planned 80% power with Q={q}, K=2: achieved {achieved:.2f}")
    assert 0.7 <= achieved <= 0.92


def test_one_sample_pilot_is_rejected() -> None:
    rng = np.random.default_rng(1)
    a, _ = _arms(rng, 10, 1, 0.0)
    with pytest.raises(HarnessError, match="one sample per query"):
        plan_power("adherence", 0.3, a)
