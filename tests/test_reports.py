"""Reports: numbers, determinism, and a reviewed snapshot of the rendered Markdown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.reports import Provenance, build_report, render_markdown, write_report
from harness.scores.filler import FillerResult
from harness.scores.judges import AdherenceVerdict
from harness.scores.records import ScoredAnswer
from harness.scores.refusal import RefusalVerdict

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _scored(
    arm: str, qid: str, sample: int, score: int | None, filler: bool, refused: bool, trait: str | None = "directness"
) -> ScoredAnswer:
    label = "full_refusal" if refused else "full_compliance"
    return ScoredAnswer(
        id=f"{arm}|{qid}|{sample}", arm=arm, query_id=qid, trait=trait, sample=sample, should_refuse=False,
        model="fake/candidate", prompt_hash="p" + arm[-1], query=f"query {qid}",
        response=("Certainly! " if filler else "") + f"answer {qid}/{sample}",
        refusal=RefusalVerdict(label=label, cues=["cant_help"] if refused else [], reason="r"),
        over_refusal=refused,
        filler=FillerResult(
            has_filler=filler, phrases=["Certainly!"] if filler else [], openers=["Certainly!"] if filler else [], closers=[]
        ),
        adherence=None if trait is None else AdherenceVerdict(score=score, reason=f"reason {score}", scorable=score is not None),
    )


def _scores() -> list[ScoredAnswer]:
    out = []
    for q, (s1, s2) in enumerate([(2, 4), (3, 5), (1, None), (2, 4)]):
        for k in range(2):
            out.append(_scored("assistant@v1", f"q{q}", k, s1, filler=True, refused=False))
            out.append(_scored("assistant@v2", f"q{q}", k, s2, filler=False, refused=False))
    out.append(_scored("assistant@v1", "p0", 0, None, filler=False, refused=True, trait=None))
    out.append(_scored("assistant@v2", "p0", 0, None, filler=False, refused=False, trait=None))
    return out


PROV = Provenance(
    candidate_models=["fake/candidate"], judge_model="fake/judge", adherence_prompt_hash="aaa", refusal_prompt_hash="bbb",
    prompts={"assistant@v1": "p1", "assistant@v2": "p2"}, traits={"directness": "t1"}, query_files={"evals/x.jsonl": "h"}, samples=2,
)


def test_cells_and_numbers() -> None:
    report = build_report("t", _scores(), PROV)
    rows = {(r.arm, r.trait): r for r in report.rows}
    v1, v2 = rows[("assistant@v1", "directness")], rows[("assistant@v2", "directness")]
    assert v1.adherence.value == 2.0 and v1.adherence.n == 8 and v1.unscored == 0
    assert v2.adherence.n == 6 and v2.unscored == 2 and v2.adherence.value == pytest.approx(13 / 3, abs=1e-4)
    assert v1.adherence.low < 2.0 < v1.adherence.high
    assert v1.filler.value == 1.0 and v2.filler.value == 0.0
    assert rows[("assistant@v1", "(probes)")].over_refusal.value == 1.0
    assert rows[("assistant@v1", "(all)")].n == 9
    assert report.filler_phrases["assistant@v1"] == {"Certainly!": 8}
    kinds = [(e.kind, e.arm) for e in report.examples]
    assert ("over-refusal", "assistant@v1") in kinds and kinds[0] == ("lowest adherence", "assistant@v1")
    assert report.examples[0].score == 1


def test_same_input_same_bytes_whatever_the_order(tmp_path: Path) -> None:
    scores = _scores()
    a = write_report(build_report("r", scores, PROV), tmp_path / "a")
    b = write_report(build_report("r", list(reversed(scores)), PROV), tmp_path / "b")
    assert a[0].read_bytes() == b[0].read_bytes() and a[1].read_bytes() == b[1].read_bytes()
    json.loads(a[1].read_text())


def test_markdown_snapshot() -> None:
    rendered = render_markdown(build_report("snapshot", _scores(), PROV))
    path = SNAPSHOTS / "report.md"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(rendered)
    assert rendered == path.read_text(), "rendered report changed: review, then rerun with UPDATE_SNAPSHOTS=1"


def test_an_interval_does_not_collapse_when_every_score_agrees_and_matches_compare() -> None:
    from harness.compare import compare_arms

    def arm(name: str) -> list[ScoredAnswer]:
        return [_scored(name, f"q{q}", k, 1, filler=False, refused=False) for q in range(18) for k in range(2)]

    a, b = arm("assistant@v1"), arm("assistant@v2")
    row = next(r for r in build_report("t", a, PROV).rows if r.trait == "directness")
    diff = compare_arms(a, b).metric("adherence:directness")
    half = diff.ci_high - diff.delta
    assert half == pytest.approx(4 * 3 / 18, abs=1e-4)  # the rule of three on a 1–5 scale, 18 queries
    assert (row.adherence.low, row.adherence.high) == (pytest.approx(1 - half, abs=1e-4), pytest.approx(1 + half, abs=1e-4))
