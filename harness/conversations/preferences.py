"""Preference pairs from conversations: where two arms' answers part ways.

Two conversations of the same query (other arms, or other samples) share
their history up to the first assistant turn where the answers differ. That
turn is the pair: the shared history is the prompt, one answer is chosen and
the other rejected. Which one wins: the answer that agrees with the reference
when only one does, otherwise the one the judge graded higher for that turn
by at least ``min_margin``. Pairs come out in TRL's conversational layout
(``prompt`` a list of chat messages, ``chosen``/``rejected`` one assistant
message each).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from pydantic import BaseModel, ConfigDict, Field

from harness.conversations.records import ConversationTurn, ScoredConversation, TurnScore

__all__ = ["ConversationPreferencePair", "conversation_pairs"]

PAIR_FORMAT_VERSION = 1


class ConversationPreferencePair(BaseModel):
    """One DPO pair taken at the first turn where two conversations part ways."""

    model_config = ConfigDict(extra="forbid")

    version: int = PAIR_FORMAT_VERSION
    prompt: list[dict[str, str]] = Field(description="The shared history (system first, if given), chat format.")
    chosen: list[dict[str, str]]
    rejected: list[dict[str, str]]
    trait: str | None
    query_id: str
    turn: int = Field(description="The assistant turn where the answers part ways (1 = first).")
    decided_by: str = Field(description="'reference' (only the chosen answer is correct) or 'adherence' (judge margin).")
    margin: float | None = Field(description="Chosen − rejected adherence for that turn, when both were graded.")
    chosen_id: str
    rejected_id: str


def _key(turns: list[ConversationTurn]) -> list[tuple[str, str]]:
    return [(t.role, " ".join(t.content.split())) for t in turns]


def _first_split(a: ScoredConversation, b: ScoredConversation) -> int | None:
    """Position of the first assistant turn whose answers differ after a shared history, if any."""
    for i, (ta, tb) in enumerate(zip(a.turns, b.turns, strict=False)):  # the shorter one may end first
        if _key([ta]) == _key([tb]):
            continue
        return i if ta.role == tb.role == "assistant" else None  # differing user turns: no shared prompt
    return None


def _turn_score(c: ScoredConversation, index: int) -> TurnScore | None:
    return next((s for s in c.turn_scores if s.index == index), None)


def _decide(sa: TurnScore, sb: TurnScore, min_margin: float) -> tuple[bool, str, float | None] | None:
    """(a wins, decided by, chosen − rejected adherence) or None when neither answer is clearly better."""
    va = sa.adherence.value if sa.adherence is not None else None
    vb = sb.adherence.value if sb.adherence is not None else None
    diff = None if va is None or vb is None else float(va) - float(vb)
    if sa.correct is not None and sb.correct is not None and sa.correct != sb.correct:
        a_wins = sa.correct
        how = "reference"
    elif diff is not None and abs(diff) >= min_margin:
        a_wins = diff > 0
        how = "adherence"
    else:
        return None
    margin = None if diff is None else round(diff if a_wins else -diff, 4)
    return a_wins, how, margin


def conversation_pairs(
    conversations: list[ScoredConversation], *, min_margin: float = 1.0, system: str = ""
) -> list[ConversationPreferencePair]:
    """DPO pairs from every two conversations of the same query that part ways at an assistant turn.

    Args:
        conversations: scored conversations, several per query (arms, samples, runs).
        min_margin: without a reference to decide, keep pairs whose turn adherence differs by at least this.
        system: a system message to put first in every prompt ("" = none, as for single-turn pairs).
    """
    groups: dict[str, list[ScoredConversation]] = defaultdict(list)
    for c in conversations:
        if c.error is None:
            groups[c.query_id].append(c)
    pairs = []
    seen: set[tuple[str, int, str, str]] = set()
    for query_id in sorted(groups):
        for a, b in combinations(sorted(groups[query_id], key=lambda c: c.id), 2):
            split = _first_split(a, b)
            if split is None:
                continue
            sa, sb = _turn_score(a, split), _turn_score(b, split)
            if sa is None or sb is None or (decided := _decide(sa, sb, min_margin)) is None:
                continue
            a_wins, how, margin = decided
            chosen, rejected = (a, b) if a_wins else (b, a)
            dedupe = (query_id, split, _key([chosen.turns[split]])[0][1], _key([rejected.turns[split]])[0][1])
            if dedupe in seen:  # the same two answers after the same history teach the same thing once
                continue
            seen.add(dedupe)
            prompt = ([{"role": "system", "content": system}] if system else []) + [
                {"role": t.role, "content": t.content} for t in chosen.turns[:split]
            ]
            pairs.append(ConversationPreferencePair(
                prompt=prompt,
                chosen=[{"role": "assistant", "content": chosen.turns[split].content}],
                rejected=[{"role": "assistant", "content": rejected.turns[split].content}],
                trait=chosen.trait, query_id=query_id, turn=sa.turn, decided_by=how,
                margin=margin,
                chosen_id=chosen.id, rejected_id=rejected.id,
            ))
    return pairs
