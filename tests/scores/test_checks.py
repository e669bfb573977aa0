"""The check registry: user checks reach every report and comparison; version-1 records migrate."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.compare import compare_arms, load_scored
from harness.config import Project
from harness.errors import HarnessError
from harness.reports import render_markdown
from harness.runs import RunOptions, execute_run
from harness.scores import checks
from harness.scores.records import SCORE_FORMAT_VERSION, ScoredAnswer
from tests.helpers import copy_example_project, fake_candidate, fake_judge

V1_LINE = {
    "version": 1, "id": "assistant@v1|q1|0", "arm": "assistant@v1", "query_id": "q1", "trait": "directness",
    "sample": 0, "should_refuse": False, "label": None, "mirror": None, "model": "m", "prompt_hash": "p",
    "query": "Is it?", "response": "Certainly! Yes. I hope this helps!", "error": None,
    "refusal": {"label": "partial_refusal", "cues": ["cant_help"], "reason": "hedged"},
    "refusal_judge": {"label": "full_compliance", "reason": "fine", "scorable": True, "error": None},
    "over_refusal": True,
    "filler": {"has_filler": True, "phrases": ["Certainly!", "I hope this helps!"], "openers": ["Certainly!"],
               "closers": ["I hope this helps!"]},
    "hedging": {"has_hedge": False, "phrases": []},
    "adherence": {"score": 2, "reason": "padded", "scorable": True, "error": None, "expected_score": None, "valid_mass": None},
    "trait_hash": "t", "judge_model": "j", "adherence_prompt_hash": "ah", "refusal_prompt_hash": "rh",
}

POLITE = '''
from harness.scores.checks import check

@check("says_please", kind="rate", higher_is_better=True, description="Answers that say please.")
def says_please(answer):
    return "please" in answer.text.lower()
'''


@pytest.fixture
def clean_registry() -> Iterator[None]:
    before = dict(checks._REGISTRY)
    yield
    checks._REGISTRY.clear()
    checks._REGISTRY.update(before)


def test_version_1_records_migrate_on_load(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    path.write_text(json.dumps(V1_LINE) + "\n")
    [s] = load_scored(path)
    assert s.version == SCORE_FORMAT_VERSION
    assert s.scores["adherence"].value == 2.0 and s.scores["adherence"].prompt_hash == "ah"
    assert s.scores["over_refusal"].value == 1.0 and s.scores["over_refusal"].source == "rule"
    assert s.scores["over_refusal_judge"].value == 0.0 and s.scores["over_refusal_judge"].source == "judge"
    assert s.scores["filler"].detail["closers"] == ["I hope this helps!"]
    # The old attribute names still read the same values.
    assert s.adherence.score == 2 and s.refusal.label == "partial_refusal" and s.over_refusal is True
    assert s.filler.phrases == ["Certainly!", "I hope this helps!"] and s.refusal_prompt_hash == "rh"
    # Written back, it is version 2 and reads back identically.
    again = ScoredAnswer.model_validate_json(s.model_dump_json())
    assert again == s and "refusal" not in json.loads(s.model_dump_json())


def test_a_record_from_a_newer_harness_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    path.write_text(json.dumps({**V1_LINE, "version": 9}) + "\n")
    with pytest.raises(HarnessError, match="format version 9; this harness reads versions up to 2"):
        load_scored(path)


def _run_with_user_check(tmp_path: Path) -> Project:
    root = copy_example_project(tmp_path / "p")
    (root / "mychecks.py").write_text(POLITE)
    toml = (root / "harness.toml").read_text()
    (root / "harness.toml").write_text(toml + '\n[checks]\nextra = ["mychecks:says_please"]\n')
    return Project.load(root)


def test_a_check_listed_in_harness_toml_is_in_every_report_and_comparison(tmp_path: Path, clean_registry: None) -> None:
    sys.modules.pop("mychecks", None)
    project = _run_with_user_check(tmp_path)
    outcome = execute_run(project, RunOptions(candidate_provider=fake_candidate(), judge_provider=fake_judge(), samples=2))
    assert all("says_please" in s.scores for s in outcome.scores if s.response)
    row = next(r for r in outcome.report.rows if r.trait == "(all)")
    assert row.metric("says_please") is not None and row.metric("says_please").value == 0.0
    assert "| says-please |" in render_markdown(outcome.report)
    a = [s for s in outcome.scores if s.arm == "assistant@v1"]
    b = [s for s in outcome.scores if s.arm == "assistant@v2"]
    comparison = compare_arms(a, b)
    assert comparison.metric("says_please").higher_is_better is True


def test_a_check_from_an_entry_point_is_registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_registry: None) -> None:
    # A real installed distribution on sys.path, declaring the entry point group.
    site = tmp_path / "site"
    (site / "politeness_checks.py").parent.mkdir(parents=True)
    (site / "politeness_checks.py").write_text(POLITE)
    dist = site / "politeness_checks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: politeness-checks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{checks.ENTRY_POINT_GROUP}]\nsays_please = politeness_checks:says_please\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(checks, "_LOADED_ENTRY_POINTS", False)
    found = checks.get_check("says_please")
    assert found is not None and found.kind == "rate" and found.higher_is_better


def test_a_plain_function_is_rejected_with_a_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain_checks.py").write_text("def polite(answer):\n    return True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(HarnessError, match="not a check") as info:
        checks.load_checks(["plain_checks:polite"])
    assert "@harness.scores.checks.check" in (info.value.fix or "")


def test_a_crashing_user_check_leaves_that_answer_unscored(clean_registry: None) -> None:
    from harness.answers import Answer

    @checks.check("boom", kind="rate")
    def boom(answer):  # type: ignore[no-untyped-def]
        raise ValueError("bad input")

    checks.register(boom)
    answer = Answer(id="a", arm="x", query_id="q", model="m", query="q", text="hi")
    scores = checks.compute_scores(answer, checks.CheckContext())
    assert scores["boom"].scorable is False and "bad input" in (scores["boom"].error or "")


def test_hedging_is_a_reported_and_compared_metric() -> None:
    from harness.answers import Answer
    from harness.reports import Provenance, build_report
    from harness.scores.score import Scorer

    def scored(arm: str, q: int, text: str) -> ScoredAnswer:
        answer = Answer(id=f"{arm}|q{q}|0", arm=arm, query_id=f"q{q}", trait=None, model="m", query="Argue for it.", text=text)
        return Scorer(judge=None, traits={}).base(answer)

    hedge = "This is a complex issue, and reasonable people can disagree. Here is the case."
    a = [scored("v1", q, hedge) for q in range(30)]
    b = [scored("v2", q, "Here is the case: it lowers costs.") for q in range(30)]
    prov = Provenance(candidate_models=["m"], judge_model=None, adherence_prompt_hash=None, refusal_prompt_hash=None,
                      prompts={}, traits={})
    report = build_report("h", a + b, prov)
    rows = {r.arm: r for r in report.rows if r.trait == "(all)"}
    assert rows["v1"].metric("hedging").value == 1.0 and rows["v2"].metric("hedging").value == 0.0
    assert "| hedging |" in render_markdown(report) and "## Hedging phrases" in render_markdown(report)
    row = compare_arms(a, b).metric("hedging")
    assert row.higher_is_better is False and row.delta == -1.0 and row.verdict == "improved"
