"""Filler in reports: share of answers, phrases per 1,000 tokens, per-phrase breakdown, project lexicons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.reports import Provenance, build_report, render_markdown
from harness.scores.filler import TOKENS_PER_WORD, approx_tokens, detect_filler
from harness.scores.records import ScoredAnswer
from tests.helpers import copy_example_project

PROV = Provenance(candidate_models=["m"], judge_model=None, adherence_prompt_hash=None, refusal_prompt_hash=None,
                  prompts={}, traits={})


def _scored(i: int, text: str) -> ScoredAnswer:
    return ScoredAnswer(
        id=f"a|q{i}|0", arm="a", query_id=f"q{i}", trait=None, sample=0, should_refuse=False, model="m",
        prompt_hash=None, query="q", response=text, refusal=None, over_refusal=None, filler=detect_filler(text),
    )


def test_approx_tokens_is_words_times_1_3() -> None:
    assert TOKENS_PER_WORD == 1.3
    assert approx_tokens("Use `sorted(xs)` here.") == pytest.approx(3 * 1.3)
    assert approx_tokens("  ") == 0


def test_rate_per_answer_and_per_1000_tokens() -> None:
    body = " ".join(["word"] * 98)
    answers = [
        _scored(0, f"Certainly! {body} I hope this helps!"),  # two phrases
        _scored(1, f"Sure, {body}"),  # "Sure" then 98 words: one phrase
        _scored(2, body),  # none
        _scored(3, body),  # none
    ]
    row = next(r for r in build_report("t", answers, PROV).rows if r.trait == "(all)")
    assert row.filler is not None and row.filler.value == 0.5  # 2 of 4 answers
    words = sum(len(s.response.split()) for s in answers)  # type: ignore[union-attr]
    assert row.filler_per_1k_tokens == pytest.approx(round(1000 * 3 / (words * 1.3), 4))


def test_per_phrase_breakdown_with_shares() -> None:
    answers = [_scored(0, "Certainly! Paris."), _scored(1, "Certainly! Rome. I hope this helps!"), _scored(2, "Oslo.")]
    report = build_report("t", answers, PROV)
    assert report.filler_phrases["a"] == {"Certainly!": 2, "I hope this helps!": 1}
    assert report.filler_answers == {"a": 3}
    md = render_markdown(report)
    assert '"Certainly!" ×2 (67%), "I hope this helps!" ×1 (33%)' in md
    assert "filler/1k tok" in md


def test_project_lexicon_overrides_reach_the_report(tmp_path: Path) -> None:
    project = copy_example_project(tmp_path / "proj")
    toml = (project / "harness.toml").read_text()
    (project / "harness.toml").write_text(
        toml.replace("add_openers = []", 'add_openers = ["Ah, the classic dilemma"]').replace(
            'remove = []', 'remove = ["Sure!"]'
        )
    )
    logs = tmp_path / "logs.jsonl"
    logs.write_text(
        json.dumps({"id": "1", "query": "q", "response": "Ah, the classic dilemma! Take the job with the better manager."})
        + "\n" + json.dumps({"id": "2", "query": "q", "response": "Sure, rebase it."}) + "\n"
    )
    out = tmp_path / "out"
    assert main(["--project", str(project), "score", str(logs), "--judge", "none", "--out", str(out)]) == 0
    report = json.loads((out / "logs.json").read_text())
    assert report["phrases"]["filler"]["default"] == {"Ah, the classic dilemma": 1}
