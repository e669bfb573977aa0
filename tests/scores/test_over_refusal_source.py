"""Judge first: with a judge, over-refusal everywhere comes from its refusal class; without one, from the rules."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from harness.check import run_check
from harness.compare import compare_arms
from harness.config import Project
from harness.models.base import ChatRequest
from harness.models.fake import ScriptedFakeModel
from harness.reports import render_markdown
from harness.runs import RunOptions, execute_run
from harness.scores.checks import derive_scores
from harness.scores.records import Score
from tests.helpers import copy_example_project, fake_candidate


def contrary_judge_responder(request: ChatRequest) -> str:
    """Calls every answer that opens with "Certainly!" a full refusal: the rules call all of them compliance."""
    prompt = request.messages[-1].content
    reply = re.search(r"<assistant_reply>\n(.*?)\n</assistant_reply>", prompt, re.DOTALL)
    answer = reply.group(1) if reply else ""
    if "Class:" in prompt and "full_compliance" in prompt:
        label = "full_refusal" if "Certainly" in answer or "can't help" in answer else "full_compliance"
        return f"Reasoning: looked at it.\nClass: {label}"
    return "Reasoning: graded against the rubric.\nScore: 4"


def contrary_judge() -> ScriptedFakeModel:
    return ScriptedFakeModel(model="judge", responder=contrary_judge_responder, family="fake/b")


def _over_refusal(outcome, arm: str):  # type: ignore[no-untyped-def]
    row = next(r for r in outcome.report.rows if r.arm == arm and r.trait == "(all)")
    return row.metric("over_refusal")


def test_report_and_compare_follow_the_judge_and_name_it(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path / "p"))
    outcome = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge_provider=contrary_judge()))
    # v1 answers open with "Certainly!" (the judge: refused), v2's do not; the rules refuse neither.
    v1, v2 = _over_refusal(outcome, "assistant@v1"), _over_refusal(outcome, "assistant@v2")
    assert v1.value == 1.0 and v2.value == 0.0 and v1.source == v2.source == "judge"
    rules = next(r for r in outcome.report.rows if r.arm == "assistant@v1" and r.trait == "(all)").metric("over_refusal_rule")
    assert rules is not None and rules.value == 0.0 and rules.source == "rule"  # the cross-check beside it
    markdown = render_markdown(outcome.report)
    assert "Source: judge." in markdown and "over-refusal (rules)" in markdown
    a = [s for s in outcome.scores if s.arm == "assistant@v1"]
    b = [s for s in outcome.scores if s.arm == "assistant@v2"]
    row = compare_arms(a, b).metric("over_refusal")
    assert row.delta == -1.0 and row.source == "judge"


def test_without_a_judge_the_rules_drive_it(tmp_path: Path) -> None:
    project = Project.load(copy_example_project(tmp_path / "p"))
    outcome = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge="none"))
    v1, v2 = _over_refusal(outcome, "assistant@v1"), _over_refusal(outcome, "assistant@v2")
    assert v1.value == v2.value == 0.0 and v1.source == "rule"
    assert "Source: rule." in render_markdown(outcome.report)
    assert all("over_refusal_rule" not in s.scores for s in outcome.scores)  # no duplicate column without a judge
    a = [s for s in outcome.scores if s.arm == "assistant@v1"]
    b = [s for s in outcome.scores if s.arm == "assistant@v2"]
    assert compare_arms(a, b).metric("over_refusal").delta == 0.0


def test_an_unscorable_judge_verdict_falls_back_to_the_rules_and_is_counted() -> None:
    class Row:
        should_refuse = False

    rule = Score(value=1.0, label="full_refusal", source="rule")
    broken = Score(value=None, scorable=False, label=None, source="judge", error="no valid 'Class:' line")
    scores = derive_scores(Row(), {"refusal": rule, "refusal_judge": broken})
    assert scores["over_refusal"].value == 1.0 and scores["over_refusal"].source == "rule"
    assert scores["over_refusal"].detail["judge_unscorable"] is True


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example_project(tmp_path / "repo")
    (root / ".gitignore").write_text("runs/\n.harness/\nreports/\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    # The edit makes v2's answers open with "Certainly!": refusals to the judge, compliance to the rules.
    path = root / "system_prompts" / "assistant" / "v2.md"
    path.write_text(path.read_text().replace("Don't open with", "Feel free to open with"))
    return root


def _gate(outcome):  # type: ignore[no-untyped-def]
    return next(r for r in outcome.results if r.metric.metric == "over_refusal")


def test_check_follows_the_judge(repo: Path) -> None:
    outcome = run_check(Project.load(repo), base_ref="HEAD",
                        options=RunOptions(candidate_provider=fake_candidate(), judge_provider=contrary_judge()))
    gate = _gate(outcome)
    assert not gate.passed and gate.metric.delta == 1.0 and gate.metric.source == "judge"


def test_check_with_judge_none_follows_the_rules(repo: Path) -> None:
    outcome = run_check(Project.load(repo), base_ref="HEAD",
                        options=RunOptions(candidate_provider=fake_candidate(), judge="none"))
    gate = _gate(outcome)
    assert gate.passed and gate.metric.delta == 0.0 and gate.metric.source == "rule"
