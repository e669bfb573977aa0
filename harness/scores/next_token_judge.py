"""A judge that reads its verdict off the model's next-token distribution: one prompt evaluation, no text.

For models that can score continuations (:attr:`Provider.next_token_scoring`,
the bundled local model), the judge prompt is a few graded examples followed
by the answer under judgement and ``Score:``; the verdict is the model's
probability for each valid score token at that point. As with an API judge's
log-probabilities (:mod:`harness.scores.logprob_score`), the verdict carries
the expected score Σ s·p(s) / Σ p(s) and the valid mass Σ p(s), and is
unscored below the floor. Refusal classes are read the same way, from the
probabilities of "no", "partly" and "yes" after ``Refused:``.

Why not generate: sampling a reasoning line token by token from a 270M base
model cost seconds per verdict and its "reasons" were noise. One evaluation
of the per-answer suffix costs a fraction of that, since the graded examples
(the same for every answer of a trait) stay evaluated between calls. Such a
verdict has no reason: ``reason`` is empty and ``note`` says why.

Scales must be single digits (every score one token), as for log-probability
weighting.
"""

from __future__ import annotations

import math
from itertools import zip_longest

from harness.errors import ModelCallError
from harness.formats import content_hash
from harness.models.base import ChatRequest, ChatResponse, Message
from harness.models.client import ModelClient
from harness.rendering import template, template_hash, template_source
from harness.scores.judges import (
    AdherenceFn,
    AdherenceVerdict,
    RefusalClass,
    RefusalFn,
    RefusalJudgeVerdict,
    quote_as_data,
)
from harness.scores.logprob_score import DEFAULT_MIN_VALID_MASS, ScoreDistribution
from harness.traits import TraitSpec

__all__ = [
    "NO_REASON",
    "TEMPLATES",
    "next_token_adherence_judge",
    "next_token_choice",
    "next_token_prompt_hash",
    "next_token_refusal_judge",
    "uses_next_token",
]

# Adherence and refusal read one shared context (see the template): an answer is evaluated once for both.
TEMPLATES = {
    "adherence": "judge_next_token.j2",
    "refusal": "judge_next_token.j2",
    "position": "judge_position_next_token.j2",
    "reference": "judge_reference_next_token.j2",
}
NO_REASON = "no reason: this judge scores from its next-token distribution (one prompt evaluation, no text)"
# What the refusal prompt's answer words mean.
_CLASSES: dict[str, RefusalClass] = {" no": "full_compliance", " partly": "partial_refusal", " yes": "full_refusal"}


def uses_next_token(client: ModelClient | None) -> bool:
    """Whether ``client``'s model is judged from its next-token distribution."""
    return client is not None and bool(getattr(client.provider, "next_token_scoring", False))


# What follows the shared context for each question; part of the prompt, so part of its hash.
_TAILS = {"adherence": "\nScore: ", "refusal": "\nRefused:"}


def next_token_prompt_hash(kind: str) -> str:
    """Hash of the next-token judge's prompt for ``kind`` (adherence, refusal, position, reference)."""
    if kind in _TAILS:
        return content_hash(template_source(TEMPLATES[kind]) + _TAILS[kind])
    return template_hash(TEMPLATES[kind])


def _oneline(text: object) -> str:
    # One line, in quotes: judged text cannot start a line of its own ("Score: 5").
    return " ".join(quote_as_data(str(text)).split()).replace('"', "'")


def _render(kind: str, **values: object) -> str:
    return template(TEMPLATES[kind], (("oneline", _oneline),)).render(**values).rstrip()


def _context(trait: TraitSpec | None, query: str, answer: str) -> str:
    """The shared judge context ending with the answer; the caller appends its question's tail."""
    pairs = list(zip_longest(trait.violates.examples, trait.expresses.examples)) if trait is not None else []
    return _render("adherence", trait=trait, pairs=pairs, query=query, answer=answer)


def _request(client: ModelClient, prompt: str, choices: tuple[str, ...], seed: int, group: str | None) -> ChatRequest:
    return ChatRequest(
        model=client.model,
        messages=(Message(role="user", content=prompt),),
        choices=choices,
        temperature=0.0,
        seed=seed,
        max_tokens=1,
        purpose="judge",
        group=group,
    )


def _probabilities(reply: ChatResponse) -> dict[str, float] | None:
    if not reply.logprobs:
        return None
    return {choice: math.exp(logprob) for choice, logprob in reply.logprobs[0].top}


def next_token_adherence_judge(
    client: ModelClient, trait: TraitSpec, *, seed: int = 0, min_valid_mass: float = DEFAULT_MIN_VALID_MASS
) -> AdherenceFn:
    """Grade ``(query, answer)`` against ``trait`` from the judge's distribution over score digits."""
    if not 0 <= trait.min_score <= trait.max_score <= 9:
        raise ModelCallError(
            f"trait {trait.name}: the bundled judge needs a rubric of single-digit scores "
            f"(this one runs {trait.min_score}-{trait.max_score})",
            fix="use a rubric from 1 to 5 (or any range within 0-9), or a judge model with an API key",
        )
    scores = tuple(range(trait.min_score, trait.max_score + 1))

    async def grade(query: str, answer: str, group: str | None = None) -> AdherenceVerdict:
        # Low and high examples alternate, so the last example shown is not always the same grade.
        prompt = _context(trait, query, answer) + _TAILS["adherence"]
        try:
            reply = await client.complete(_request(client, prompt, tuple(str(s) for s in scores), seed, group))
        except ModelCallError as exc:
            return AdherenceVerdict(score=None, reason="", scorable=False, error=exc.message, note=NO_REASON)
        probs = _probabilities(reply)
        if probs is None:
            return AdherenceVerdict(score=None, reason="", scorable=False, error="no distribution", note=NO_REASON)
        dist = ScoreDistribution({int(c): p for c, p in probs.items()})
        mass = round(dist.valid_mass, 4)
        best = max(dist.probs, key=lambda s: (dist.probs[s], -s))
        if dist.valid_mass < min_valid_mass or dist.expected is None:
            return AdherenceVerdict(
                score=best, reason="", scorable=False, valid_mass=mass, note=NO_REASON,
                error=f"probability on valid scores {mass:.2f} is below the floor {min_valid_mass:.2f}",
            )
        return AdherenceVerdict(
            score=best, reason="", scorable=True, expected_score=round(dist.expected, 4), valid_mass=mass, note=NO_REASON
        )

    return grade


def next_token_refusal_judge(
    client: ModelClient, *, seed: int = 0, min_valid_mass: float = DEFAULT_MIN_VALID_MASS, trait: TraitSpec | None = None
) -> RefusalFn:
    """Classify ``(query, answer)`` as a refusal or not from the judge's distribution over no / partly / yes.

    ``trait``: the trait the answer is also graded on. Its rubric and examples
    then stand in the context too, as in the adherence prompt, so the two
    prompts differ only after the answer and the model evaluates the answer
    once for both (its cache keeps the shared part).
    """

    async def classify(query: str, answer: str, group: str | None = None) -> RefusalJudgeVerdict:
        prompt = _context(trait, query, answer) + _TAILS["refusal"]
        try:
            reply = await client.complete(_request(client, prompt, tuple(_CLASSES), seed, group))
        except ModelCallError as exc:
            return RefusalJudgeVerdict(label=None, reason="", scorable=False, error=exc.message, note=NO_REASON)
        probs = _probabilities(reply)
        if probs is None:
            return RefusalJudgeVerdict(label=None, reason="", scorable=False, error="no distribution", note=NO_REASON)
        mass = sum(probs.values())
        if mass < min_valid_mass:
            return RefusalJudgeVerdict(
                label=None, reason="", scorable=False, note=NO_REASON,
                error=f"probability on the three classes {mass:.2f} is below the floor {min_valid_mass:.2f}",
            )
        best = max(probs, key=lambda c: probs[c])
        return RefusalJudgeVerdict(label=_CLASSES[best], reason="", scorable=True, note=NO_REASON)

    return classify



async def next_token_choice(
    client: ModelClient,
    kind: str,
    labels: dict[str, str],
    *,
    seed: int = 0,
    group: str | None = None,
    min_valid_mass: float = DEFAULT_MIN_VALID_MASS,
    **values: object,
) -> str | None:
    """The likeliest label after the ``kind`` prompt rendered with ``values``; None when unsure or failed.

    ``labels`` maps each answer word as it follows the prompt (" held") to
    the label returned ("held"). None when the call fails or the probability
    on the answer words is below the floor (the model is not answering the question).
    """
    prompt = _render(kind, **values)
    try:
        reply = await client.complete(_request(client, prompt, tuple(labels), seed, group))
    except ModelCallError:
        return None
    probs = _probabilities(reply)
    if probs is None or sum(probs.values()) < min_valid_mass:
        return None
    return labels[max(probs, key=lambda word: probs[word])]
