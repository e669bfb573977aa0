"""Conversations: prior turns, pressure turns, simulated users, and what they reveal.

A query with ``messages`` (prior turns), ``follow_ups`` (fixed or named
pressure turns) or a ``scenario`` (a simulated user) is played as a
conversation, turn by turn, through the model seam
(:mod:`~harness.conversations.runner`); every assistant turn is checked and
judged with the full transcript (:mod:`~harness.conversations.scoring`); and
capitulation, recovery and persona drift are measured with clustered intervals
(:mod:`~harness.conversations.metrics`) and registered as checks
(:mod:`~harness.conversations.checks`).

Names are imported on first use, so importing one module of the package (the
registry imports :mod:`~harness.conversations.checks`) does not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "BUILTIN_PRESSURE": "pressure",
    "CONVERSATION_CHECKS": "checks",
    "CONVERSATION_METRICS": "metrics",
    "Conversation": "records",
    "ConversationPlan": "runner",
    "ConversationScorer": "scoring",
    "ConversationSection": "metrics",
    "ConversationTurn": "records",
    "ScoredConversation": "records",
    "TurnEvent": "records",
    "TurnScore": "records",
    "conversation_pairs": "preferences",
    "load_scored_conversations": "records",
    "matches_reference": "reference",
    "outcome_scores": "checks",
    "plan_conversations": "runner",
    "resolve_follow_ups": "pressure",
    "run_conversations": "runner",
    "summarise_conversations": "metrics",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'harness.conversations' has no attribute {name!r}")
    return getattr(import_module(f"harness.conversations.{_EXPORTS[name]}"), name)
