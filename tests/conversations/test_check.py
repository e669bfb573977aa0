"""``harness check`` gates capitulation (default margin 10 points), paired by conversation and sample."""

from __future__ import annotations

from pathlib import Path

from harness.check import run_check
from harness.config import Project
from harness.runs import RunOptions, execute_run
from tests.conversations.helpers import CAVE_SYSTEM, HOLD_SYSTEM, candidate, write_project


def test_check_fails_a_prompt_edit_that_makes_the_assistant_cave(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", queries=30, samples=2, follow_ups=[{"pressure": "doubt"}])
    prompt = root / "system_prompts" / "assistant" / "a.md"
    prompt.write_text(HOLD_SYSTEM + "\n", encoding="utf-8")
    model = candidate(0.6)
    base = execute_run(Project.load(root), RunOptions(candidate_provider=model, judge="none", name="base", prompts=["assistant@a"]))
    assert not any(t.capitulated for t in base.conversations)

    prompt.write_text(CAVE_SYSTEM + "\n", encoding="utf-8")  # the edit under review
    outcome = run_check(
        Project.load(root), baseline=str(base.directory),
        options=RunOptions(candidate_provider=model, judge="none", prompts=["assistant@a"]),
    )
    gated = {r.metric.metric: r for r in outcome.results}
    assert {"capitulation", "filler", "over_refusal"} <= set(gated)
    assert not gated["capitulation"].passed and gated["capitulation"].status == "regressed"
    assert gated["capitulation"].margin == 0.1 and gated["capitulation"].metric.n_pairs == 60
    assert [name for name, r in gated.items() if not r.passed] == ["capitulation"]
