"""Probability-weighted judge scores, from the log-probabilities of the verdict token.

A judge at temperature 0 writes one score, but its log-probabilities say how
sure it was: a "4" written with 55% on 4 and 40% on 3 is not the same grade as
a "4" written with 99% on 4. When the provider returns log-probabilities (the
OpenAI provider does when asked), the adherence judge reports the expected
score over the valid scores, E[s] = Σ s·p(s) / Σ p(s), alongside the integer it
wrote.

The *valid mass* Σ p(s) is the probability the judge put on any valid score
at the verdict position. When it is low the judge was not really choosing a
score there (it might have been about to write "N/A", a word, or an
out-of-range number), so the verdict is unscored rather than a weighted
average of noise. The floor defaults to 0.5.

Limits: only scales whose scores are all single digits (0–9) are weighted; on
a 1–10 scale "1" and the first token of "10" are indistinguishable. When the
verdict token cannot be located in the returned tokens (a provider that drops
or merges them), the plain integer score is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.models.base import TokenLogprob

__all__ = ["DEFAULT_MIN_VALID_MASS", "ScoreDistribution", "score_distribution"]

DEFAULT_MIN_VALID_MASS = 0.5
_STRIP = " \t\n*_`'\""


@dataclass(frozen=True)
class ScoreDistribution:
    """The probability the judge gave each valid score at the verdict position."""

    probs: dict[int, float]

    @property
    def valid_mass(self) -> float:
        """Total probability on valid scores (at most 1)."""
        return min(1.0, sum(self.probs.values()))

    @property
    def expected(self) -> float | None:
        """Probability-weighted mean score, or None when no valid score had any probability."""
        mass = sum(self.probs.values())
        return sum(s * p for s, p in self.probs.items()) / mass if mass > 0 else None


def _token_at(tokens: list[TokenLogprob], offset: int) -> tuple[TokenLogprob, int] | None:
    """The token whose text covers character ``offset`` of the reply, and where it starts."""
    start = 0
    for token in tokens:
        end = start + len(token.token)
        if start <= offset < end:
            return token, start
        start = end
    return None


def _as_score(text: str, lowest: int, highest: int) -> int | None:
    text = text.strip(_STRIP)
    if len(text) == 1 and text.isdigit() and lowest <= int(text) <= highest:
        return int(text)
    return None


def score_distribution(
    text: str, tokens: list[TokenLogprob] | None, offset: int, lowest: int, highest: int
) -> ScoreDistribution | None:
    """The distribution over valid scores at the verdict digit, from per-token log-probabilities.

    Args:
        text: the judge's reply.
        tokens: its tokens with their top alternatives (``ChatResponse.logprobs``).
        offset: where in ``text`` the verdict digit starts (after "Score: ").
        lowest: the lowest valid score.
        highest: the highest valid score.

    Returns:
        None when the scale is not single-digit, or the tokens do not spell the
        reply, or no token covers the verdict digit.
    """
    if not tokens or not 0 <= lowest <= highest <= 9:
        return None
    if "".join(t.token for t in tokens) != text:
        return None  # the offset would point at the wrong token
    found = _token_at(tokens, offset)
    if found is None:
        return None
    token, start = found
    # The token may carry text before the digit (" 4", ": 4"); alternatives share that prefix.
    prefix = token.token[: offset - start]
    alternatives = token.top or [(token.token, token.logprob)]
    if all(alt != token.token for alt, _ in alternatives):
        alternatives = [*alternatives, (token.token, token.logprob)]
    carries_text = bool(prefix.strip(_STRIP))
    probs: dict[int, float] = {}
    for alt, logprob in alternatives:
        if carries_text:
            if not alt.startswith(prefix):
                continue  # a different token altogether ("." instead of ": 4")
            alt = alt[len(prefix) :]
        score = _as_score(alt, lowest, highest)
        if score is not None:
            # Distinct tokens (" 4" and "4") are disjoint outcomes: their probabilities add.
            probs[score] = probs.get(score, 0.0) + math.exp(logprob)
    return ScoreDistribution(probs)
