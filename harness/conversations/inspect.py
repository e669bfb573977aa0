"""Conversations in inspect-ai logs written by ``harness export inspect``.

A conversation's first turn is an answer like any other, so it is already a
sample (id ``<arm>|<query id>``, epoch = sample + 1). Its messages become the
whole conversation (every user and assistant turn after the system prompt),
its output the last assistant turn, and its scores gain the conversation
checks (capitulation, recovery, persona drift, conversation adherence);
per-turn scores travel in its metadata.

Importing this module imports inspect-ai; :mod:`harness` itself never does.
"""

from __future__ import annotations

from pathlib import Path

from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageUser, ModelOutput

from harness.conversations.checks import CONVERSATION_CHECKS
from harness.conversations.records import ScoredConversation, load_scored_conversations
from harness.scores.records import ScoredAnswer

__all__ = ["conversation_messages", "conversation_score_names", "with_transcript"]


def conversation_score_names(scores: list[ScoredAnswer]) -> list[str]:
    """The conversation checks that scored at least one answer, in registry order."""
    present = {name for s in scores for name in s.scores}
    return [c.name for c in CONVERSATION_CHECKS if c.name in present]


def conversation_messages(run_dir: Path) -> dict[str, ScoredConversation]:
    """The run's scored conversations by id (the id of their first turn's answer)."""
    return {c.id: c for c in load_scored_conversations(run_dir)}


def _messages(c: ScoredConversation, system: ChatMessage | None) -> list[ChatMessage]:
    messages: list[ChatMessage] = [system] if system is not None else []
    for t in c.turns:
        if t.role == "user":
            messages.append(ChatMessageUser(content=t.content, metadata={"source": t.source}))
        else:
            messages.append(ChatMessageAssistant(content=t.content, model=c.model, metadata={"source": t.source}))
    return messages


def with_transcript(samples: list[EvalSample], talks: dict[str, ScoredConversation]) -> list[EvalSample]:
    """Samples whose answer opened a conversation, with the whole conversation as messages and output."""
    if not talks:
        return samples
    out = []
    for sample in samples:
        talk = talks.get(str((sample.metadata or {}).get("answer_id")))
        if talk is None:
            out.append(sample)
            continue
        system = next((m for m in sample.messages if m.role == "system"), None)
        last = next((t.content for t in reversed(talk.turns) if t.role == "assistant" and t.source != "prior"), None)
        update: dict[str, object] = {
            "messages": _messages(talk, system),
            "metadata": {**(sample.metadata or {}), "conversation_id": talk.id, "user_model": talk.user_model,
                         "reference": talk.reference, "turn_scores": [t.model_dump(mode="json") for t in talk.turn_scores]},
        }
        if last is not None and sample.scores is not None:
            update["output"] = ModelOutput.from_content(model=talk.model, content=last)
        out.append(sample.model_copy(update=update))
    return out
