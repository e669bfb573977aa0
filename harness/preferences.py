"""Preference data for character training: ranked answers out, in trainers' formats.

The loop: sample N answers per query (``harness run --samples N``, across
prompt versions and/or models: several runs may be merged), rank them by
trait adherence, and export

- **DPO pairs** (``system``, ``prompt``, ``chosen``, ``rejected``) plus
  ``margin``, ``trait`` and provenance, keeping pairs whose margin reaches
  ``min_margin``;
- **best-of-N** examples for supervised fine-tuning (``system``, ``prompt``,
  ``completion``): the top-ranked answer per query, if good enough.

``system`` defaults to empty: the trait-inducing system prompt is dropped so
that training teaches the behaviour without it (context distillation). Pass
the system prompt you train with instead if you keep one.

Ranking uses the judge's adherence scores; ties are broken by answer id, so
exports are deterministic. With a pairwise judge (``rank_pairwise``) the
chosen/rejected order of each pair is re-decided by asking the judge in both
orders; pairs the judge calls inconsistently are dropped as ties.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from itertools import combinations
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.config import Project
from harness.errors import HarnessError
from harness.scores.pairwise import PairwiseFn, PairwiseSummary, summarize_pairs
from harness.scores.records import ScoredAnswer

__all__ = ["PreferencePair", "SFTExample", "best_of_n", "preference_pairs", "rank_pairwise"]

PREFERENCE_FORMAT_VERSION = 1
Strategy = Literal["best-worst", "all"]


class PairProvenance(BaseModel):
    """Where a training example came from."""

    model_config = ConfigDict(extra="forbid")

    query_id: str
    chosen_id: str
    rejected_id: str | None = None
    chosen_arm: str
    rejected_arm: str | None = None
    chosen_model: str
    rejected_model: str | None = None
    judge_model: str | None
    adherence_prompt_hash: str | None
    trait_hash: str | None
    ranked_by: str = "adherence"


class PreferencePair(BaseModel):
    """One DPO pair (the common ``system``/``prompt``/``chosen``/``rejected`` layout)."""

    model_config = ConfigDict(extra="forbid")

    system: str
    prompt: str
    chosen: str
    rejected: str
    margin: float = Field(description="Chosen score − rejected score (judge points).")
    trait: str
    chosen_score: float
    rejected_score: float
    version: int = PREFERENCE_FORMAT_VERSION
    provenance: PairProvenance


class SFTExample(BaseModel):
    """One best-of-N supervised example."""

    model_config = ConfigDict(extra="forbid")

    system: str
    prompt: str
    completion: str
    score: float
    trait: str
    n_candidates: int
    version: int = PREFERENCE_FORMAT_VERSION
    provenance: PairProvenance


def _ranked_by_query(scores: list[ScoredAnswer]) -> dict[str, list[ScoredAnswer]]:
    """Scored answers per query, best first (ties: by id, for stable output)."""
    groups: dict[str, list[ScoredAnswer]] = defaultdict(list)
    for s in scores:
        if s.response and s.trait and s.adherence is not None and s.adherence.scorable:
            groups[s.query_id].append(s)
    return {
        q: sorted(items, key=lambda s: (-_score(s), s.id))
        for q, items in sorted(groups.items())
    }


def _score(s: ScoredAnswer) -> float:
    """The ranking score: probability-weighted where available, else the integer."""
    return float(s.adherence.value)  # type: ignore[union-attr, arg-type]  # only scorable answers are ranked


def _pair(chosen: ScoredAnswer, rejected: ScoredAnswer, system: str, ranked_by: str = "adherence") -> PreferencePair:
    return PreferencePair(
        system=system,
        prompt=chosen.query,
        chosen=chosen.response or "",
        rejected=rejected.response or "",
        margin=round(_score(chosen) - _score(rejected), 4),
        trait=chosen.trait or "",
        chosen_score=_score(chosen),
        rejected_score=_score(rejected),
        provenance=PairProvenance(
            query_id=chosen.query_id, chosen_id=chosen.id, rejected_id=rejected.id, chosen_arm=chosen.arm,
            rejected_arm=rejected.arm, chosen_model=chosen.model, rejected_model=rejected.model,
            judge_model=chosen.judge_model, adherence_prompt_hash=chosen.adherence_prompt_hash,
            trait_hash=chosen.trait_hash, ranked_by=ranked_by,
        ),
    )


def _distinct(answers: list[ScoredAnswer]) -> list[ScoredAnswer]:
    """Drop answers whose text repeats a better-ranked one: a pair of equal texts teaches nothing."""
    seen: set[str] = set()
    out = []
    for s in answers:
        key = " ".join((s.response or "").split())
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def preference_pairs(
    scores: list[ScoredAnswer], *, min_margin: float = 1.0, strategy: Strategy = "best-worst", system: str = ""
) -> list[PreferencePair]:
    """DPO pairs from scored answers.

    Args:
        scores: scored answers, several per query (samples, arms, models).
        min_margin: keep pairs whose score difference is at least this.
        strategy: ``best-worst`` gives one pair per query (top vs bottom);
            ``all`` gives every pair of distinct answers that meets the margin.
        system: the ``system`` field of every pair.
    """
    pairs = []
    for ranked in _ranked_by_query(scores).values():
        ranked = _distinct(ranked)
        if len(ranked) < 2:
            continue
        candidates = [(ranked[0], ranked[-1])] if strategy == "best-worst" else list(combinations(ranked, 2))
        for chosen, rejected in candidates:
            if _score(chosen) - _score(rejected) >= min_margin:
                pairs.append(_pair(chosen, rejected, system))
    return pairs


def best_of_n(scores: list[ScoredAnswer], *, min_score: float | None = None, system: str = "") -> list[SFTExample]:
    """The best answer per query, for supervised fine-tuning (optionally only if ≥ ``min_score``)."""
    out = []
    for ranked in _ranked_by_query(scores).values():
        best = ranked[0]
        if min_score is not None and _score(best) < min_score:
            continue
        out.append(
            SFTExample(
                system=system, prompt=best.query, completion=best.response or "", score=_score(best),
                trait=best.trait or "", n_candidates=len(ranked),
                provenance=PairProvenance(
                    query_id=best.query_id, chosen_id=best.id, chosen_arm=best.arm, chosen_model=best.model,
                    judge_model=best.judge_model, adherence_prompt_hash=best.adherence_prompt_hash,
                    trait_hash=best.trait_hash,
                ),
            )
        )
    return out


async def rank_pairwise(
    pairs: list[PreferencePair], judges: Mapping[str, PairwiseFn]
) -> tuple[list[PreferencePair], PairwiseSummary]:
    """Re-decide each pair with the trait's pairwise judge, asked in both orders.

    A pair is kept, oriented by the judge's winner, only when both orders agree
    (:mod:`harness.scores.pairwise`); ties and inconsistent verdicts, which
    are how position bias shows, drop the pair. Returns the kept pairs and the
    judge's summary (including its position-bias rate).
    """
    verdicts = await asyncio.gather(*(judges[p.trait](p.prompt, p.chosen, p.rejected) for p in pairs))
    kept = []
    for pair, verdict in zip(pairs, verdicts, strict=True):
        if verdict.winner == "a":
            kept.append(pair.model_copy(update={"provenance": pair.provenance.model_copy(update={"ranked_by": "adherence+pairwise"})}))
        elif verdict.winner == "b":
            kept.append(_flipped(pair))
    return kept, summarize_pairs(verdicts)


def _flipped(p: PreferencePair) -> PreferencePair:
    """The pair with chosen and rejected swapped (the pairwise judge overruled the scores)."""
    prov = p.provenance.model_copy(update={
        "chosen_id": p.provenance.rejected_id, "rejected_id": p.provenance.chosen_id,
        "chosen_arm": p.provenance.rejected_arm, "rejected_arm": p.provenance.chosen_arm,
        "chosen_model": p.provenance.rejected_model, "rejected_model": p.provenance.chosen_model,
        "ranked_by": "pairwise",
    })
    return p.model_copy(update={
        "chosen": p.rejected, "rejected": p.chosen, "chosen_score": p.rejected_score,
        "rejected_score": p.chosen_score, "margin": -p.margin, "provenance": prov,
    })


def rerank_pairwise(
    project: Project, pairs: list[PreferencePair], judge: str
) -> tuple[list[PreferencePair], PairwiseSummary]:
    """Re-decide ``pairs`` with the pairwise judge ``judge`` (a model name), asked in both orders.

    Uses the project's client settings (timeout, retries, cache). Returns the
    pairs the judge confirms and a summary with its position bias.
    """
    from harness._sync import run_sync
    from harness.models.cache import ResponseCache
    from harness.runs import make_judge_client
    from harness.scores.pairwise import pairwise_judge
    from harness.traits import load_traits

    traits = load_traits(project.traits_dir)
    cache = ResponseCache(project.cache_path)
    try:
        client = make_judge_client(project, judge, None, cache)
        if client is None:
            raise HarnessError("--pairwise needs a judge model", fix="e.g. --pairwise anthropic/claude-sonnet-4-5")
        judges = {t: pairwise_judge(client, traits[t]) for t in {p.trait for p in pairs}}
        return run_sync(rank_pairwise(pairs, judges))
    finally:
        cache.close()
