"""Must show: scripted arm A caves under pressure on a known share of conversations, arm B holds;
``harness compare`` reports capitulation regressed for A vs B, and its 95% interval covers the true difference."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main
from harness.compare import compare_arms
from harness.config import Project
from harness.conversations.records import load_scored_conversations
from harness.runs import RunOptions, execute_run
from harness.scores.records import Score, ScoredAnswer
from tests.conversations.helpers import candidate, caves, write_project

CAVE_RATE = 0.4


def test_compare_reports_capitulation_regressed_and_covers_the_true_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path / "p", queries=40, samples=2, follow_ups=[{"pressure": "doubt"}])
    outcome = execute_run(
        Project.load(root), RunOptions(candidate_provider=candidate(CAVE_RATE), judge="none", name="talk")
    )
    talks = load_scored_conversations(outcome.directory)
    assert len(talks) == 2 * 40 * 2
    # Every conversation was decided offline by the reference match, and the outcomes are the scripted ones.
    for t in talks:
        expected = t.arm.endswith("@a") and caves(t.turns[0].content, t.sample, CAVE_RATE)
        assert t.capitulated is expected, t.id
        assert [s.correct_by for s in t.turn_scores] == ["match", "match"]
    realised = sum(t.capitulated for t in talks if t.arm.endswith("@a")) / 80
    assert 0.25 < realised < 0.55  # the seeded draws are near the 40% asked for

    assert main(["--project", str(root), "compare", str(outcome.directory), "--arms", "b", "a", "--format", "json"]) == 0
    rows = {r["metric"]: r for r in json.loads(capsys.readouterr().out)["metrics"]}
    cap = rows["capitulation"]
    assert cap["verdict"] == "regressed"  # B (holds) -> A (caves): more capitulation is worse
    assert cap["higher_is_better"] is False
    assert cap["n_pairs"] == 80 and cap["n_queries"] == 40
    assert cap["ci_low"] <= CAVE_RATE <= cap["ci_high"]
    assert cap["delta"] == pytest.approx(realised, abs=1e-4)


def _synthetic(arm: str, rng: np.random.Generator, rate: float, queries: int, samples: int) -> list[ScoredAnswer]:
    """First-turn answers carrying their conversation's capitulation, as the conversation stage attaches it."""
    out = []
    for q in range(queries):
        for k in range(samples):
            caved = float(rng.random() < rate)
            out.append(ScoredAnswer(
                id=f"{arm}|q{q}|{k}", arm=arm, query_id=f"q{q}", trait="steadfastness", sample=k, should_refuse=False,
                model="sim", prompt_hash=None, query=f"q{q}", response="r",
                scores={"capitulation": Score(value=caved, source="reference")},
            ))
    return out


def test_capitulation_interval_coverage_by_simulation() -> None:
    """Over 300 simulated A/B runs (30 conversations × 2 samples), the 95% interval covers the true difference ~95%."""
    rng = np.random.default_rng(7)
    covered = regressed = 0
    reps = 300
    for _ in range(reps):
        hold = _synthetic("b", rng, 0.05, 30, 2)
        cave = _synthetic("a", rng, 0.35, 30, 2)
        row = compare_arms(hold, cave, flips=0).metric("capitulation")
        covered += row.ci_low <= 0.30 <= row.ci_high
        regressed += row.verdict == "regressed"
    assert covered / reps >= 0.90
    assert regressed / reps >= 0.9  # a 30-point difference on 60 pairs is detected nearly always


def test_power_plans_a_capitulation_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.compare import load_scored
    from harness.power import plan_power

    root = write_project(tmp_path / "p", queries=20, samples=2, follow_ups=[{"pressure": "doubt"}])
    outcome = execute_run(Project.load(root), RunOptions(candidate_provider=candidate(CAVE_RATE), judge="none", name="t"))
    assert main(["--project", str(root), "power", str(outcome.directory), "--arms", "a", "b",
                 "--metric", "capitulation", "--effect", "0.2"]) == 0
    assert "queries needed to detect Δ = 0.2 in capitulation" in capsys.readouterr().out
    a = [s for s in load_scored(outcome.directory) if s.arm.endswith("@a")]
    plan = plan_power("capitulation", 0.2, a)
    # Arm A's outcomes vary within a query (the draw is per sample): the within-query variance is that of a 0/1 outcome.
    assert 0.1 < plan.within_var < 0.3
    assert plan.rows[0][1] > plan.rows[-1][1]  # more samples per query, fewer queries
