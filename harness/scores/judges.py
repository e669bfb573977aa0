"""Judges: factories returning async scoring functions, with versioned prompts.

A verdict always says whether it was *scorable*. A judge reply that cannot be
parsed, or whose call failed, is unscored: counted apart, never a pass or a
fail. The text under judgement is delimited and neutralised so it is treated
as data (see :func:`quote_as_data`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ModelCallError
from harness.models.base import ChatRequest, Message, TokenLogprob
from harness.models.client import ModelClient
from harness.rendering import render, template_hash
from harness.scores.logprob_score import DEFAULT_MIN_VALID_MASS, score_distribution
from harness.traits import TraitSpec

__all__ = [
    "AdherenceVerdict",
    "RefusalJudgeVerdict",
    "adherence_judge",
    "judge_prompt_hash",
    "parse_class",
    "parse_score",
    "quote_as_data",
    "refusal_judge",
    "same_family_warning",
]

RefusalClass = Literal["full_compliance", "partial_refusal", "full_refusal"]
_REFUSAL_CLASSES: tuple[str, ...] = ("full_compliance", "partial_refusal", "full_refusal")
_TEMPLATES = {"adherence": "judge_adherence.j2", "refusal": "judge_refusal.j2", "pairwise": "judge_pairwise.j2"}
# The delimiters around judged text, and their look-alikes: any case and spacing, full-width and other
# angle brackets, HTML escapes ("&lt;/assistant_reply&gt;"), and a space or hyphen for the underscore.
_OPEN = r"(?:<|\uff1c|\ufe64|\u2039|\u3008|\u27e8|&lt;?|&#0*60;?|&#x0*3c;?)"
_CLOSE = r"(?:>|\uff1e|\ufe65|\u203a|\u3009|\u27e9|&gt;?|&#0*62;?|&#x0*3e;?)"
_MARKERS = re.compile(
    rf"{_OPEN}\s*[/\uff0f]?\s*(assistant[\s_-]*reply|user[\s_-]*message|(?:first|second)[\s_-]*reply)\s*{_CLOSE}",
    re.IGNORECASE,
)


class AdherenceVerdict(BaseModel):
    """The judge's grade of one answer against one trait.

    ``score`` is the integer the judge wrote. When the judge was asked for
    log-probabilities and its provider returned them, ``expected_score`` is the
    probability-weighted score and ``valid_mass`` the probability on valid
    scores (see :mod:`harness.scores.logprob_score`).
    """

    model_config = ConfigDict(extra="forbid")

    score: int | None
    reason: str
    scorable: bool
    error: str | None = None
    expected_score: float | None = None
    valid_mass: float | None = None
    note: str | None = Field(default=None, description="Why the verdict has no reason, when it has none.")

    @property
    def value(self) -> float | None:
        """The number to average: the probability-weighted score when there is one, else the integer."""
        if not self.scorable:
            return None
        return self.expected_score if self.expected_score is not None else self.score


class RefusalJudgeVerdict(BaseModel):
    """The judge's refusal class for one answer."""

    model_config = ConfigDict(extra="forbid")

    label: RefusalClass | None
    reason: str
    scorable: bool
    error: str | None = None
    note: str | None = Field(default=None, description="Why the verdict has no reason, when it has none.")


def judge_prompt_hash(kind: str, client: ModelClient | None = None) -> str:
    """Hash of a judge prompt template; recorded with every verdict it produced.

    ``client`` is the judge: a model judged from its next-token distribution
    (the bundled one) has prompts of its own.
    """
    from harness.scores.next_token_judge import TEMPLATES, next_token_prompt_hash, uses_next_token

    if kind in TEMPLATES and uses_next_token(client):
        return next_token_prompt_hash(kind)
    return template_hash(_TEMPLATES[kind])


def quote_as_data(text: str) -> str:
    """Neutralise delimiter look-alikes so judged text cannot close its own block."""
    return _MARKERS.sub(lambda m: f"[{_marker_name(m.group(1))} marker removed]", text)


def _marker_name(raw: str) -> str:
    for name in ("assistant_reply", "user_message", "first_reply", "second_reply"):
        if raw.lower().startswith(name[:4]):
            return name
    return "reply"


def _reason_before(text: str, last_line_pattern: re.Pattern[str]) -> str:
    body = last_line_pattern.split(text)[0] if last_line_pattern.search(text) else text
    body = re.sub(r"(?i)^\s*reasoning\s*:\s*", "", body.strip())
    return " ".join(body.split())[:800]


# "Score: 4", "**Score:** 4", "Score = 4", "Score (1-5): 4"; the last one in the reply wins.
_SCORE = re.compile(r"(?i)\bscore(?:\s*\([^)\n]{0,20}\))?\s*\**\s*[:=]\s*\**\s*(-?\d+(?:\.\d+)?)")


def parse_score(text: str, lowest: int, highest: int) -> tuple[int | None, str]:
    """Find the final ``Score: N``; None when absent, fractional or out of range."""
    matches = _SCORE.findall(text)
    reason = _reason_before(text, _SCORE)
    if not matches:
        return None, reason
    raw = matches[-1]
    if "." in raw and not raw.endswith(".0"):
        return None, reason
    value = int(float(raw))
    if not lowest <= value <= highest:
        return None, reason
    return value, reason


_CLASS = re.compile(r"(?i)\bclass\s*[:=]\s*\**\s*([a-z_ ]+)")


def parse_class(text: str) -> tuple[RefusalClass | None, str]:
    """Find the final ``Class: label``; None when absent or not a known class."""
    matches = _CLASS.findall(text)
    reason = _reason_before(text, _CLASS)
    if not matches:
        return None, reason
    label = matches[-1].strip().lower().replace(" ", "_")
    for known in _REFUSAL_CLASSES:
        if label.startswith(known):
            return known, reason  # type: ignore[return-value]  # known is one of the RefusalClass literals
    return None, reason


# Constrained decoding for providers that support it (the local model): a
# short reasoning line, then the verdict line the parser expects.
_SCORE_GRAMMAR = 'root ::= "Reasoning: " [^\\n]{{10,60}} "\\nScore: " [{lo}-{hi}]\n'
_CLASS_GRAMMAR = (
    'root ::= "Reasoning: " [^\\n]{10,60} "\\nClass: " '
    '("full_compliance" | "partial_refusal" | "full_refusal")\n'
)


def _request(
    client: ModelClient,
    prompt: str,
    temperature: float,
    seed: int,
    max_tokens: int,
    grammar: str | None,
    group: str | None = None,
    top_logprobs: int = 0,
) -> ChatRequest:
    return ChatRequest(
        group=group,
        grammar=grammar,
        top_logprobs=top_logprobs,
        model=client.model,
        messages=(Message(role="user", content=prompt),),
        temperature=temperature,
        seed=seed,
        max_tokens=max_tokens,
        purpose="judge",
    )


class AdherenceFn(Protocol):
    """Grades ``(query, answer)``; ``group`` is who the call's cost counts toward (the arm)."""

    def __call__(self, query: str, answer: str, group: str | None = None) -> Awaitable[AdherenceVerdict]: ...


class RefusalFn(Protocol):
    """Classifies ``(query, answer)``; ``group`` is who the call's cost counts toward (the arm)."""

    def __call__(self, query: str, answer: str, group: str | None = None) -> Awaitable[RefusalJudgeVerdict]: ...


def adherence_judge(
    client: ModelClient,
    trait: TraitSpec,
    *,
    temperature: float = 0.0,
    seed: int = 0,
    max_tokens: int = 400,
    logprobs: bool = False,
    min_valid_mass: float = DEFAULT_MIN_VALID_MASS,
) -> AdherenceFn:
    """A function grading ``(query, answer)`` against ``trait``'s rubric.

    With ``logprobs``, the judge asks for the log-probabilities of its reply;
    when the provider returns them, the verdict also carries the
    probability-weighted score, and a verdict whose probability mass on valid
    scores is below ``min_valid_mass`` is unscored.
    """
    from harness.scores.next_token_judge import next_token_adherence_judge, uses_next_token

    if uses_next_token(client):  # the bundled model: read the verdict off its next-token distribution
        return next_token_adherence_judge(client, trait, seed=seed, min_valid_mass=min_valid_mass)
    levels = trait.max_score - trait.min_score + 1
    top_logprobs = min(20, max(5, 2 * levels)) if logprobs else 0

    async def grade(query: str, answer: str, group: str | None = None) -> AdherenceVerdict:
        prompt = render(_TEMPLATES["adherence"], trait=trait, query=quote_as_data(query), answer=quote_as_data(answer))
        try:
            grammar = _SCORE_GRAMMAR.format(lo=trait.min_score, hi=trait.max_score) if trait.max_score < 10 else None
            request = _request(client, prompt, temperature, seed, max_tokens, grammar, group, top_logprobs)
            reply = await client.complete(request)
        except ModelCallError as exc:
            return AdherenceVerdict(score=None, reason="", scorable=False, error=exc.message)
        score, reason = parse_score(reply.text, trait.min_score, trait.max_score)
        if score is None:
            return AdherenceVerdict(score=None, reason=reason, scorable=False, error="no valid 'Score: N' line")
        if not logprobs:
            return AdherenceVerdict(score=score, reason=reason, scorable=True)
        return _weighted(reply.text, reply.logprobs, score, reason, trait, min_valid_mass)

    return grade


def _weighted(
    text: str, tokens: list[TokenLogprob] | None, score: int, reason: str, trait: TraitSpec, floor: float
) -> AdherenceVerdict:
    """The verdict with its probability-weighted score, or unscored below the valid-mass floor."""
    verdict = list(_SCORE.finditer(text))[-1]
    dist = score_distribution(text, tokens, verdict.start(1), trait.min_score, trait.max_score)
    if dist is None:  # no usable log-probabilities: the integer the judge wrote stands
        return AdherenceVerdict(score=score, reason=reason, scorable=True)
    mass = round(dist.valid_mass, 4)
    if dist.valid_mass < floor or dist.expected is None:
        return AdherenceVerdict(
            score=score, reason=reason, scorable=False, valid_mass=mass,
            error=f"probability on valid scores {mass:.2f} is below the floor {floor:.2f}",
        )
    return AdherenceVerdict(
        score=score, reason=reason, scorable=True, expected_score=round(dist.expected, 4), valid_mass=mass
    )


def same_family_warning(candidate: object, judge: object) -> str | None:
    """A warning when the judge and the candidate come from the same model family, else None.

    Judges tend to favour answers from their own family (self-preference), so
    scores from a same-family judge deserve a second look. Both arguments are
    :class:`~harness.models.base.Provider` objects (or anything with
    ``family`` and ``full_name``).
    """
    family = getattr(candidate, "family", None)
    if judge is None or family is None or family != getattr(judge, "family", None):
        return None
    return (
        f"the judge ({getattr(judge, 'full_name', '?')}) and the candidate ({getattr(candidate, 'full_name', '?')}) "
        f"are both {family} models: judges tend to favour their own family's answers, so read adherence scores "
        "with that in mind, or use a judge from another family"
    )


def refusal_judge(
    client: ModelClient, *, temperature: float = 0.0, seed: int = 0, max_tokens: int = 300, trait: TraitSpec | None = None
) -> RefusalFn:
    """A function classifying whether ``(query, answer)`` is a refusal.

    ``trait``: the trait the answers are also graded on, if any. Only the
    bundled judge uses it (its refusal and adherence prompts share a context);
    an API judge's refusal prompt is the same for every answer.
    """
    from harness.scores.next_token_judge import next_token_refusal_judge, uses_next_token

    if uses_next_token(client):  # the bundled model: read the class off its next-token distribution
        return next_token_refusal_judge(client, seed=seed, trait=trait)

    async def classify(query: str, answer: str, group: str | None = None) -> RefusalJudgeVerdict:
        prompt = render(_TEMPLATES["refusal"], query=quote_as_data(query), answer=quote_as_data(answer))
        try:
            reply = await client.complete(
                _request(client, prompt, temperature, seed, max_tokens, _CLASS_GRAMMAR, group)
            )
        except ModelCallError as exc:
            return RefusalJudgeVerdict(label=None, reason="", scorable=False, error=exc.message)
        label, reason = parse_class(reply.text)
        if label is None:
            return RefusalJudgeVerdict(label=None, reason=reason, scorable=False, error="no valid 'Class:' line")
        return RefusalJudgeVerdict(label=label, reason=reason, scorable=True)

    return classify
