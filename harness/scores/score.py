"""The scoring stage: answers in, :class:`ScoredAnswer` records out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from harness.answers import Answer
from harness.models.client import ModelClient
from harness.scores.checks import CheckContext, adherence_score, compute_scores, derive_scores, refusal_judge_score
from harness.scores.filler import DEFAULT_LEXICON, FillerLexicon
from harness.scores.judges import (
    AdherenceFn,
    adherence_judge,
    judge_prompt_hash,
    refusal_judge,
)
from harness.scores.logprob_score import DEFAULT_MIN_VALID_MASS
from harness.scores.next_token_judge import uses_next_token
from harness.scores.records import SCORE_FORMAT_VERSION, Score, ScoredAnswer
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
        logprobs: ask the judge for log-probabilities and weight adherence
            scores by them where the provider returns them.
        min_valid_mass: below this probability on valid scores a weighted
            verdict is unscored.
    """

    judge: ModelClient | None
    traits: dict[str, TraitSpec]
    lexicon: FillerLexicon = field(default_factory=lambda: DEFAULT_LEXICON)
    judge_refusal: bool = True
    temperature: float = 0.0
    seed: int = 0
    max_tokens: int = 400
    logprobs: bool = False
    min_valid_mass: float = DEFAULT_MIN_VALID_MASS
    _adherence: dict[str, AdherenceFn] = field(default_factory=dict, init=False, repr=False)
    _trait_hashes: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _context: CheckContext | None = field(default=None, init=False, repr=False)

    def _adherence_for(self, trait: str) -> AdherenceFn | None:
        if self.judge is None or trait not in self.traits:
            return None
        if trait not in self._adherence:
            self._adherence[trait] = adherence_judge(
                self.judge, self.traits[trait], temperature=self.temperature, seed=self.seed,
                max_tokens=self.max_tokens, logprobs=self.logprobs, min_valid_mass=self.min_valid_mass,
            )
        return self._adherence[trait]

    def _trait_hash(self, trait: str | None) -> str | None:
        # Hashing a spec costs more than scoring an answer: once per trait.
        if trait not in self.traits:
            return None
        if trait not in self._trait_hashes:
            self._trait_hashes[trait] = self.traits[trait].spec_hash()
        return self._trait_hashes[trait]

    def base(self, answer: Answer) -> ScoredAnswer:
        """The deterministic part of the score: every registered check that needs no model."""
        return ScoredAnswer(**self.base_fields(answer))

    def base_fields(self, answer: Answer) -> dict[str, Any]:
        """:meth:`base` as the record's fields, in its order, before the record is built.

        ``harness score`` without a judge writes these as the record's JSON line
        directly (see :class:`harness.scores.batch.ScoredRow`): the values are
        the ones the record would hold, so the line is the same bytes.
        """
        text = answer.text
        return {
            "version": SCORE_FORMAT_VERSION,
            "id": answer.id,
            "arm": answer.arm,
            "query_id": answer.query_id,
            "trait": answer.trait,
            "sample": answer.sample,
            "should_refuse": answer.should_refuse,
            "label": answer.label,
            "mirror": answer.mirror,
            "model": answer.model,
            "prompt_hash": answer.prompt_hash,
            "query": answer.query,
            "response": text,
            "error": answer.error,
            "scores": compute_scores(answer, self._check_context()),
            "metadata": dict(getattr(answer, "metadata", None) or {}),
            "trait_hash": self._trait_hash(answer.trait),
            "judge_model": self.judge.model if self.judge is not None else None,
        }

    def _check_context(self) -> CheckContext:
        # One per lexicon, not one per answer (the lexicon may be replaced between calls).
        if self._context is None or self._context.lexicon is not self.lexicon:
            self._context = CheckContext(lexicon=self.lexicon)
        return self._context

    @staticmethod
    def merge(scored: ScoredAnswer, extra: dict[str, Score]) -> ScoredAnswer:
        """``scored`` with the judge's scores added and the derived checks recomputed."""
        if not extra:
            return scored
        return scored.model_copy(update={"scores": derive_scores(scored, {**scored.scores, **extra})})

    def judge_calls(self, answers: list[Answer]) -> int:
        """How many judge calls scoring ``answers`` takes (for progress bars)."""
        if self.judge is None:
            return 0
        answered = [a for a in answers if a.text is not None]
        graded = sum(1 for a in answered if a.trait in self.traits)
        return graded + (len(answered) if self.judge_refusal else 0)

    async def adherence(self, answer: Answer) -> dict[str, Score]:
        """The judge's adherence grade, as the ``adherence`` score."""
        grade = self._adherence_for(answer.trait) if answer.trait else None
        if grade is None or answer.text is None or self.judge is None:
            return {}
        verdict = await grade(answer.query, answer.text, group=answer.arm)
        return {"adherence": adherence_score(verdict, self.judge.model, judge_prompt_hash("adherence", self.judge))}

    async def refusal(self, answer: Answer) -> dict[str, Score]:
        """The judge's refusal class, as the ``refusal_judge`` score."""
        if self.judge is None or not self.judge_refusal or answer.text is None:
            return {}
        trait = self.traits.get(answer.trait) if answer.trait else None
        classify = refusal_judge(
            self.judge, temperature=self.temperature, seed=self.seed, max_tokens=self.max_tokens, trait=trait
        )
        verdict = await classify(answer.query, answer.text, group=answer.arm)
        return {"refusal_judge": refusal_judge_score(verdict, self.judge.model, judge_prompt_hash("refusal", self.judge))}


async def score_answers(
    scorer: Scorer,
    answers: list[Answer],
    on_progress: Callable[[], None] | None = None,
    bases: list[ScoredAnswer] | None = None,
) -> list[ScoredAnswer]:
    """Score every answer; results keep the input order.

    ``on_progress`` is called after each judge call.

    Judge calls are submitted grouped, adherence by trait first and refusal
    classes after: prompts that share a long prefix (one trait's rubric) then
    run back to back, which lets a local model reuse its prompt cache and keeps
    a provider's prompt caching warm.

    A judge read from its next-token distribution (the bundled model) gets
    each answer's adherence call and then its refusal call, back to back: the
    two prompts differ only after the answer, so the second reuses the first's
    evaluation from the model's cache.

    ``bases`` are the answers' deterministic scores (``scorer.base``) when the
    caller has computed them already, e.g. while the answers were arriving.
    """
    scored = bases if bases is not None else [scorer.base(a) for a in answers]
    if scorer.judge is None:  # deterministic checks only: nothing to wait for
        return scored
    updates: list[dict[str, Score]] = [{} for _ in answers]
    by_trait = sorted(range(len(answers)), key=lambda i: (answers[i].trait or "", i))

    async def collect(i: int, job: Callable[[Answer], Awaitable[dict[str, Score]]]) -> None:
        update = await job(answers[i])
        updates[i].update(update)
        if update and on_progress is not None:
            on_progress()

    if uses_next_token(scorer.judge):
        # As many answers in progress as the client has calls in flight: a refusal call then starts as
        # soon as its adherence call is done, not behind every other answer's first call.
        in_progress = asyncio.Semaphore(scorer.judge.concurrency)

        async def both(i: int) -> None:
            async with in_progress:
                await collect(i, scorer.adherence)
                await collect(i, scorer.refusal)

        await asyncio.gather(*(both(i) for i in by_trait))
    else:
        await asyncio.gather(*(collect(i, scorer.adherence) for i in by_trait))
        await asyncio.gather(*(collect(i, scorer.refusal) for i in range(len(answers))))
    return [Scorer.merge(base, update) for base, update in zip(scored, updates, strict=True)]
