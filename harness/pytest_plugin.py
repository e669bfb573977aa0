"""pytest integration: write prompt-behaviour checks as ordinary tests.

Installed as a pytest plugin (entry point ``pytest11``), it provides the
``harness_eval`` fixture::

    def test_v2_has_little_filler(harness_eval):
        result = harness_eval("assistant@v2", evals=["evals/directness.jsonl"])
        assert result.upper("filler") < 0.02          # 95% upper bound below 2%
        assert result.lower("adherence", trait="directness") > 3.5

Evaluations go through the same engine and on-disk cache as ``harness run``,
so re-running the test suite pays only for what changed. This module imports
nothing heavy: pytest loads it in every session where the harness is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.reports import Estimate, Report

__all__ = ["EvalResult", "harness_eval"]


class EvalResult:
    """Estimates for one prompt version, with 95% intervals."""

    def __init__(self, report: Report, arm: str) -> None:
        self.report = report
        self.arm = arm

    def estimate(self, metric: str, trait: str | None = None) -> Estimate:
        """``metric`` is a reported check (adherence, over_refusal, filler, ...); ``trait`` narrows to one trait."""
        known = [c.name for c in self.report.checks if c.reported]
        if metric not in known:
            raise AssertionError(f"unknown metric {metric!r}: the report has {', '.join(known)}")
        cell = trait or "(all)"
        for row in self.report.rows:
            if row.arm == self.arm and row.trait == cell:
                value = row.metric(metric)
                if value is None or value.value is None:
                    raise AssertionError(f"{self.arm}: no {metric} data for {cell}")
                return value
        raise AssertionError(f"{self.arm}: no results for {cell}")

    def value(self, metric: str, trait: str | None = None) -> float:
        """The point estimate."""
        return float(self.estimate(metric, trait).value)  # type: ignore[arg-type]  # estimate() raises when None

    def upper(self, metric: str, trait: str | None = None) -> float:
        """Upper bound of the 95% interval (the bound to test 'below X with 95% confidence').

        Raises:
            AssertionError: there is no interval (too little data, e.g. one query):
                a bound cannot be replaced by the point estimate.
        """
        est = self.estimate(metric, trait)
        if est.high is None:
            raise AssertionError(self._no_interval(metric, trait, est))
        return float(est.high)

    def lower(self, metric: str, trait: str | None = None) -> float:
        """Lower bound of the 95% interval (raises like :meth:`upper` when there is none)."""
        est = self.estimate(metric, trait)
        if est.low is None:
            raise AssertionError(self._no_interval(metric, trait, est))
        return float(est.low)

    def _no_interval(self, metric: str, trait: str | None, est: Estimate) -> str:
        return (
            f"{self.arm}: no 95% interval for {metric} ({trait or 'all traits'}): n={est.n} is too little data "
            "(a score needs answers to at least two queries); evaluate more queries or samples"
        )


@pytest.fixture
def harness_eval(request: pytest.FixtureRequest) -> Callable[..., EvalResult]:
    """Evaluate a prompt version and return its estimates (see module docstring)."""

    def evaluate(
        prompt: str,
        *,
        evals: list[str] | None = None,
        samples: int | None = None,
        model: str | None = None,
        judge: str | None = None,
        project: str | Path | None = None,
    ) -> EvalResult:
        from harness.config import find_project
        from harness.runs import RunOptions, execute_run

        proj = find_project(project or request.config.rootpath)
        options = RunOptions(
            candidate=model, judge=judge, prompts=[prompt], evals=evals, samples=samples, write_report=False
        )
        outcome = execute_run(proj, options)
        return EvalResult(outcome.report, prompt)

    return evaluate
