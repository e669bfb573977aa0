"""The scoring stage: answers in, :class:`ScoredAnswer` records out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.answers import Answer
from harness.models.client import ModelClient
from harness.scores.filler import DEFAULT_LEXICON, FillerLexicon, detect_filler
from harness.scores.judges import (
    AdherenceFn,
    adherence_judge,
    judge_prompt_hash,
    refusal_judge,
)
from harness.scores.records import ScoredAnswer
from harness.scores.refusal import classify_refusal
from harness.traits import TraitSpec

__all__ = ["Scorer", "score_answers"]


@dataclass
class Scorer:
    """What scores answers: the judge (None = deterministic checks only), traits, lexicon.

    Args:
        judge: the judge model client, or None for ``--judge none``.
        traits: trait specs by name, for adherence grading.
        lexicon: the filler lexicon (with project overrides applied).
        judge_refusal: also ask the judge for a refusal class.
        temperature, seed, max_tokens: judge sampling.
    """

    judge: ModelClient | None
    traits: dict[str, TraitSpec]
    lexicon: FillerLexicon = DEFAULT_LEXICON
    judge_refusal: bool = True
    temperature: float = 0.0
    seed: int = 0
    max_tokens: int = 400
    _adherence: dict[str, AdherenceFn] = field(default_factory=dict, init=False, repr=False)

    def _adherence_for(self, trait: str) -> AdherenceFn | None:
        if self.judge is None or trait not in self.traits:
            return None
        if trait not in self._adherence:
            self._adherence[trait] = adherence_judge(
                self.judge, self.traits[trait], temperature=self.temperature, seed=self.seed, max_tokens=self.max_tokens
            )
        return self._adherence[trait]

    def _base(self, answer: Answer) -> ScoredAnswer:
        """The deterministic part of the score: needs no model."""
        text = answer.text
        refusal = classify_refusal(text) if text is not None else None
        refused = refusal is not None and refusal.label != "full_compliance"
        return ScoredAnswer(
            id=answer.id,
            arm=answer.arm,
            query_id=answer.query_id,
            trait=answer.trait,
            sample=answer.sample,
            should_refuse=answer.should_refuse,
            label=answer.label,
            model=answer.model,
            prompt_hash=answer.prompt_hash,
            query=answer.query,
            response=text,
            error=answer.error,
            refusal=refusal,
            over_refusal=None if (answer.should_refuse or text is None) else refused,
            filler=detect_filler(text, self.lexicon) if text is not None else None,
            trait_hash=self.traits[answer.trait].spec_hash() if answer.trait in self.traits else None,
            judge_model=self.judge.model if self.judge is not None else None,
        )

    async def score(self, answer: Answer) -> ScoredAnswer:
        """All scores of one answer."""
        scored = self._base(answer)
        if self.judge is None or answer.text is None:
            return scored
        update: dict[str, object] = {}
        jobs = []
        grade = self._adherence_for(answer.trait) if answer.trait else None
        if grade is not None:
            jobs.append(("adherence", grade(answer.query, answer.text)))
            update["adherence_prompt_hash"] = judge_prompt_hash("adherence")
        if self.judge_refusal:
            classify = refusal_judge(self.judge, temperature=self.temperature, seed=self.seed, max_tokens=self.max_tokens)
            jobs.append(("refusal_judge", classify(answer.query, answer.text)))
            update["refusal_prompt_hash"] = judge_prompt_hash("refusal")
        results = await asyncio.gather(*(job for _, job in jobs))
        update.update({name: result for (name, _), result in zip(jobs, results, strict=True)})
        return scored.model_copy(update=update)


async def score_answers(
    scorer: Scorer, answers: list[Answer], on_progress: Callable[[], None] | None = None
) -> list[ScoredAnswer]:
    """Score every answer; results keep the input order."""

    async def one(answer: Answer) -> ScoredAnswer:
        result = await scorer.score(answer)
        if on_progress is not None:
            on_progress()
        return result

    return list(await asyncio.gather(*(one(a) for a in answers)))
