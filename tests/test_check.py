"""`harness check`: the CI gate on prompt edits, against a git revision or a baseline run."""

from __future__ import annotations

import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from harness.check import changed_prompts, run_check
from harness.cli import main
from harness.config import Project
from harness.models.registry import register_provider
from harness.runs import RunOptions
from tests.helpers import copy_example_project, fake_candidate, fake_judge


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example_project(tmp_path / "repo", evals=("directness", "over_refusal"))
    (root / ".gitignore").write_text("runs/\n.harness/\nreports/\n")
    _git(root, "init", "-q")
    _git(root, "-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    _git(root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    register_provider("fakecand", lambda model: fake_candidate())
    register_provider("fakejudge", lambda model: fake_judge())
    return root


def _edit_v2(root: Path, old: str, new: str) -> None:
    path = root / "system_prompts" / "assistant" / "v2.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_no_change_means_nothing_to_check(repo: Path) -> None:
    outcome = run_check(Project.load(repo), base_ref="HEAD")
    assert outcome.results == [] and outcome.passed and "nothing to check" in outcome.notes[0]


def test_only_edited_prompts_are_evaluated(repo: Path) -> None:
    _edit_v2(repo, "If you make a mistake", "If you get something wrong or make a mistake")
    assert changed_prompts(Project.load(repo), "HEAD") == ["assistant@v2"]
    cand = fake_candidate()
    outcome = run_check(Project.load(repo), base_ref="HEAD", options=RunOptions(candidate_provider=cand, judge="none"))
    arms = {r.system for r in cand.requests}
    assert len(arms) == 2  # v2 at HEAD and v2 in the working tree; v1 untouched
    assert outcome.passed, [(r.metric.metric, r.status) for r in outcome.results]
    assert {r.metric.metric for r in outcome.results} == {"over_refusal", "filler"}


def test_regression_fails_the_gate_and_writes_junit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Dropping the no-filler line makes the scripted candidate open with "Certainly!".
    _edit_v2(repo, "Don't open with", "Feel free to open with")
    junit = repo / "reports" / "junit.xml"
    code = main(["--project", str(repo), "check", "--base-ref", "HEAD", "--model", "fakecand/x", "--judge", "fakejudge/x",
                 "--junit", str(junit), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1 and "check failed" in out and "FAIL assistant@v2 filler" in out
    suite = ET.parse(junit).getroot()
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert "filler" in failed and "adherence:directness" in failed
    comment = (repo / "reports" / "check.md").read_text()
    assert comment.startswith("### ❌ harness check failed") and "regressed" in comment


def test_fixing_the_edit_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_v2(repo, "Don't open with", "Feel free to open with")
    # the fix: restore the instruction, keeping an unrelated rewording
    _edit_v2(repo, "Feel free to open with", "Don't open with")
    _edit_v2(repo, "If you make a mistake", "If you get something wrong")
    code = main(["--project", str(repo), "check", "--model", "fakecand/x", "--judge", "none", "--quiet"])
    assert code == 0, capsys.readouterr().out


def test_baseline_run_mode(repo: Path) -> None:
    project = Project.load(repo)
    from harness.runs import execute_run

    base = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge="none", name="base"))
    _edit_v2(repo, "Don't open with", "Feel free to open with")
    outcome = run_check(project, baseline=str(base.directory), options=RunOptions(candidate_provider=fake_candidate(), judge="none"))
    by = {(r.prompt, r.metric.metric): r for r in outcome.results}
    assert by[("assistant@v1", "filler")].passed  # v1 unchanged
    assert not by[("assistant@v2", "filler")].passed and by[("assistant@v2", "filler")].status == "regressed"
