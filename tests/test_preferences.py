"""Preference data: ranking, pairing, margins, best-of-N and pairwise re-ranking."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from harness.cli import main
from harness.preferences import best_of_n, preference_pairs, rank_pairwise
from harness.scores.judges import AdherenceVerdict
from harness.scores.records import ScoredAnswer


def _s(query: str, arm: str, sample: int, score: int | None, text: str | None = None) -> ScoredAnswer:
    return ScoredAnswer(
        id=f"{arm}|{query}|{sample}", arm=arm, query_id=query, trait="directness", sample=sample, should_refuse=False,
        model=f"fake/{arm}", prompt_hash=None, query=f"question {query}", response=text or f"answer {arm} {sample}",
        refusal=None, over_refusal=False, filler=None, judge_model="fake/judge",
        adherence=AdherenceVerdict(score=score, reason="", scorable=score is not None),
    )


SCORES = [
    _s("q1", "v1", 0, 2), _s("q1", "v1", 1, 5), _s("q1", "v2", 0, 4), _s("q1", "v2", 1, None),
    _s("q2", "v1", 0, 3), _s("q2", "v2", 0, 3),  # a tie: no pair
    _s("q3", "v1", 0, 5), _s("q3", "v2", 0, 4),  # margin 1
]


def test_best_worst_pairs_respect_the_margin() -> None:
    pairs = preference_pairs(SCORES, min_margin=1.0)
    assert [(p.provenance.query_id, p.chosen_score, p.rejected_score) for p in pairs] == [("q1", 5, 2), ("q3", 5, 4)]
    assert pairs[0].chosen == "answer v1 1" and pairs[0].rejected == "answer v1 0" and pairs[0].margin == 3
    assert pairs[0].provenance.chosen_arm == "v1" and pairs[0].system == ""
    assert [p.provenance.query_id for p in preference_pairs(SCORES, min_margin=2.0)] == ["q1"]


def test_all_pairs_strategy_and_unscored_answers_excluded() -> None:
    pairs = preference_pairs(SCORES, min_margin=1.0, strategy="all")
    q1 = sorted((p.chosen_score, p.rejected_score) for p in pairs if p.provenance.query_id == "q1")
    assert q1 == [(4, 2), (5, 2), (5, 4)]  # the unscored v2 sample 1 is never used


def test_identical_texts_never_form_a_pair() -> None:
    same = [_s("q", "a", 0, 5, "same"), _s("q", "b", 0, 1, "same")]
    assert preference_pairs(same, min_margin=0) == []


def test_best_of_n_with_threshold() -> None:
    examples = best_of_n(SCORES, min_score=5)
    assert [(e.provenance.query_id, e.completion, e.n_candidates) for e in examples] == [("q1", "answer v1 1", 3), ("q3", "answer v1 0", 2)]


def _pairwise(responder):  # type: ignore[no-untyped-def]
    from harness.models.client import ModelClient
    from harness.models.fake import ScriptedFakeModel
    from harness.scores.pairwise import pairwise_judge
    from harness.traits import load_trait
    from tests.helpers import REPO

    client = ModelClient(ScriptedFakeModel(responder=responder), None)
    return {"directness": pairwise_judge(client, load_trait(REPO / "traits" / "directness.yaml"))}


def _slot_text(prompt: str, slot: str) -> str:
    return prompt.split(f"<{slot}_reply>\n")[1].split(f"\n</{slot}_reply>")[0]


def test_pairwise_both_orders_and_position_bias_drops_pairs() -> None:
    pairs = preference_pairs(SCORES, min_margin=1.0)
    biased = _pairwise(lambda r: "Reasoning: the first one.\nPreferred: first")
    kept, summary = asyncio.run(rank_pairwise(pairs, biased))
    assert kept == [] and summary.position_bias_rate == 1.0 and summary.inconsistent == len(pairs)

    def prefers_sample_zero(request):  # type: ignore[no-untyped-def]
        first = _slot_text(request.messages[0].content, "first")
        return "Reasoning: x.\nPreferred: " + ("first" if first.endswith(" 0") else "second")

    kept, summary = asyncio.run(rank_pairwise(pairs, _pairwise(prefers_sample_zero)))
    flipped = next(p for p in kept if p.provenance.query_id == "q1")
    assert flipped.chosen == "answer v1 0" and flipped.margin == -3 and flipped.provenance.ranked_by == "pairwise"
    # q3's two answers both end in " 0": the judge then always picks the first slot, a tie
    assert [p.provenance.query_id for p in kept] == ["q1"] and summary.position_bias_rate == 0.5


def test_cli_exports_dpo_and_sft(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("".join(s.model_dump_json() + "\n" for s in SCORES))
    out, sft = tmp_path / "dpo.jsonl", tmp_path / "sft.jsonl"
    assert main(["preferences", str(results), "--out", str(out), "--sft", str(sft), "--system", "Be direct."]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert set(rows[0]) >= {"system", "prompt", "chosen", "rejected", "margin", "trait", "provenance"}
    assert rows[0]["system"] == "Be direct." and len(sft.read_text().splitlines()) == 3
