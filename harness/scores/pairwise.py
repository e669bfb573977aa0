"""Pairwise judging: which of two answers to the same query better expresses a trait?

Absolute scores drift with the judge's mood; a comparison is often steadier
(the same judge that gives both answers a 4 can still say which is better).
But judges favour a position, usually the first. So every pair is judged
twice, once as (A, B) and once as (B, A), with the versioned prompt
``judge_pairwise.j2``:

* both orders prefer the same answer → that answer wins;
* both say tie → tie;
* anything else (the verdict flipped with the order, or a win in one order
  and a tie in the other) is *inconsistent* and counts as a tie;
* either order unparseable or failed → the pair is unscored.

A pair shows *position bias* when the judge picked the same slot both times
(first and first, or second and second): it preferred a position, not an
answer. :func:`summarize_pairs` reports the position-bias rate over scorable
pairs, and which slot the bias favours.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ModelCallError
from harness.models.base import ChatRequest, Message
from harness.models.client import ModelClient
from harness.rendering import render
from harness.scores.judges import judge_prompt_hash, quote_as_data
from harness.traits import TraitSpec

__all__ = [
    "PairwiseSummary",
    "PairwiseVerdict",
    "compare_pairs",
    "pairwise_judge",
    "pairwise_prompt_hash",
    "parse_preference",
    "summarize_pairs",
]

Slot = Literal["first", "second", "tie"]
Winner = Literal["a", "b", "tie"]

_TEMPLATE = "judge_pairwise.j2"
_PREFERRED = re.compile(r"(?i)\bpreferred\s*\**\s*[:=]\s*\**\s*(first|second|tie|1|2)\b")
_GRAMMAR = 'root ::= "Reasoning: " [^\\n]{10,60} "\\nPreferred: " ("first" | "second" | "tie")\n'


class PairwiseVerdict(BaseModel):
    """The judge's comparison of answers A and B, asked in both orders."""

    model_config = ConfigDict(extra="forbid")

    winner: Winner | None = Field(description="a, b, tie (also for inconsistent verdicts), or None when unscored.")
    ab: Slot | None = Field(description="The slot preferred with A shown first.")
    ba: Slot | None = Field(description="The slot preferred with B shown first.")
    consistent: bool | None = Field(description="Both orders preferred the same answer (or both said tie).")
    position_bias: bool | None = Field(description="The judge preferred the same slot in both orders.")
    reason_ab: str
    reason_ba: str
    scorable: bool
    error: str | None = None


def pairwise_prompt_hash() -> str:
    """Hash of the pairwise judge template; recorded with every comparison it produced."""
    return judge_prompt_hash("pairwise")


def parse_preference(text: str) -> tuple[Slot | None, str]:
    """The final ``Preferred: first|second|tie`` line, and the reasoning before it."""
    matches = _PREFERRED.findall(text)
    body = _PREFERRED.split(text)[0] if matches else text
    reason = " ".join(re.sub(r"(?i)^\s*reasoning\s*:\s*", "", body.strip()).split())[:800]
    if not matches:
        return None, reason
    raw = matches[-1].lower()
    return {"1": "first", "2": "second"}.get(raw, raw), reason


def _answer_for(slot: Slot, first: Winner, second: Winner) -> Winner:
    return "tie" if slot == "tie" else (first if slot == "first" else second)


PairwiseFn = Callable[[str, str, str], Awaitable[PairwiseVerdict]]


def pairwise_judge(
    client: ModelClient, trait: TraitSpec, *, temperature: float = 0.0, seed: int = 0, max_tokens: int = 400
) -> PairwiseFn:
    """A function comparing ``(query, answer_a, answer_b)`` on ``trait``, in both orders."""

    async def ask(query: str, first: str, second: str) -> tuple[Slot | None, str, str | None]:
        prompt = render(
            _TEMPLATE, trait=trait, query=quote_as_data(query), first=quote_as_data(first), second=quote_as_data(second)
        )
        request = ChatRequest(
            model=client.model,
            messages=(Message(role="user", content=prompt),),
            temperature=temperature,
            seed=seed,
            max_tokens=max_tokens,
            grammar=_GRAMMAR,
            purpose="judge",
        )
        try:
            reply = await client.complete(request)
        except ModelCallError as exc:
            return None, "", exc.message
        slot, reason = parse_preference(reply.text)
        return slot, reason, None if slot else "no valid 'Preferred:' line"

    async def compare(query: str, answer_a: str, answer_b: str) -> PairwiseVerdict:
        (ab, reason_ab, err_ab), (ba, reason_ba, err_ba) = await asyncio.gather(
            ask(query, answer_a, answer_b), ask(query, answer_b, answer_a)
        )
        if ab is None or ba is None:
            return PairwiseVerdict(
                winner=None, ab=ab, ba=ba, consistent=None, position_bias=None, reason_ab=reason_ab,
                reason_ba=reason_ba, scorable=False, error=err_ab or err_ba,
            )
        first_pick, second_pick = _answer_for(ab, "a", "b"), _answer_for(ba, "b", "a")
        consistent = first_pick == second_pick
        return PairwiseVerdict(
            winner=first_pick if consistent else "tie",
            ab=ab,
            ba=ba,
            consistent=consistent,
            position_bias=ab == ba and ab != "tie",
            reason_ab=reason_ab,
            reason_ba=reason_ba,
            scorable=True,
        )

    return compare


class PairwiseSummary(BaseModel):
    """Wins, ties and position bias over many pairs (A is the first answer of each pair, B the second)."""

    model_config = ConfigDict(extra="forbid")

    n: int
    unscored: int
    a_wins: int
    b_wins: int
    ties: int = Field(description="Ties, including inconsistent verdicts.")
    inconsistent: int = Field(description="Pairs whose verdict changed with the order (counted as ties).")
    a_win_rate: float | None = Field(description="(A wins + half the ties) / scorable pairs.")
    position_bias_rate: float | None = Field(description="Share of scorable pairs where the same slot won both times.")
    first_slot_share: float | None = Field(
        description="Of the non-tie single-order verdicts, the share that picked the first slot (0.5 = no lean)."
    )
    prompt_hash: str = Field(default_factory=pairwise_prompt_hash)


def summarize_pairs(verdicts: Sequence[PairwiseVerdict]) -> PairwiseSummary:
    """Counts and rates over pairwise verdicts."""
    scored = [v for v in verdicts if v.scorable]
    n = len(scored)
    slots = [s for v in scored for s in (v.ab, v.ba) if s in ("first", "second")]
    a_wins = sum(v.winner == "a" for v in scored)
    ties = sum(v.winner == "tie" for v in scored)
    return PairwiseSummary(
        n=len(verdicts),
        unscored=len(verdicts) - n,
        a_wins=a_wins,
        b_wins=sum(v.winner == "b" for v in scored),
        ties=ties,
        inconsistent=sum(not v.consistent for v in scored),
        a_win_rate=round((a_wins + ties / 2) / n, 4) if n else None,
        position_bias_rate=round(sum(bool(v.position_bias) for v in scored) / n, 4) if n else None,
        first_slot_share=round(slots.count("first") / len(slots), 4) if slots else None,
    )


async def compare_pairs(
    compare: PairwiseFn, pairs: Sequence[tuple[str, str, str]]
) -> tuple[list[PairwiseVerdict], PairwiseSummary]:
    """Judge every ``(query, answer_a, answer_b)`` in both orders; verdicts keep the input order."""
    verdicts = list(await asyncio.gather(*(compare(q, a, b) for q, a, b in pairs)))
    return verdicts, summarize_pairs(verdicts)
