"""The conversation stage of a run, and of ``harness score``: play, score, summarise.

Kept apart from :mod:`harness.runs` and :mod:`harness.transcripts` so those
only hand over what they already have (clients, plans, rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.answers import Answer
from harness.conversations.checks import outcome_scores
from harness.conversations.metrics import summarise_conversations
from harness.conversations.records import Conversation, ScoredConversation, parse_chat_messages
from harness.conversations.runner import ConversationPlan, run_conversations
from harness.conversations.scoring import ConversationScorer
from harness.conversations.scoring import conversation_prompt_hashes as _judge_hashes
from harness.conversations.simulate import simulator_prompt_hash
from harness.errors import HarnessError
from harness.models.client import ModelClient
from harness.scores.records import ScoredAnswer

if TYPE_CHECKING:
    from harness.reports import Report

__all__ = [
    "ConversationJob",
    "attach_outcomes",
    "conversation_prompt_hashes",
    "conversations_from_rows",
    "first_turn_answer",
    "with_conversations",
]

ProgressFactory = Callable[[str, int], Callable[[], None]]


def conversation_prompt_hashes(simulator: bool, next_token: bool = False) -> dict[str, str]:
    """Hashes of the conversation judge prompts (and the simulator's, when a scenario is run).

    ``next_token``: the judge is read from its next-token distribution (the bundled model), with its own prompts.
    """
    hashes = _judge_hashes(next_token)
    if simulator:
        hashes["simulate_user"] = simulator_prompt_hash()
    return dict(sorted(hashes.items()))


@dataclass
class ConversationJob:
    """A run's conversations: the plans, who plays the user, and how they are scored."""

    plans: list[ConversationPlan]
    user: ModelClient | None
    scorer: ConversationScorer
    parallel: int = 16

    async def play_and_score(
        self, candidate: ModelClient, run_dir: Path, progress: ProgressFactory
    ) -> list[ScoredConversation]:
        """Play every conversation (resuming from ``turns.jsonl``), then score each."""
        # Turns made by a model: every assistant turn, and the simulated user's (fixed follow-ups cost nothing).
        most_turns = sum(2 * p.max_assistant_turns - 1 if p.scenario else p.max_assistant_turns for p in self.plans)
        talks = await run_conversations(
            candidate, self.user, self.plans, run_dir / "turns.jsonl",
            parallel=self.parallel, on_turn=progress("talking", most_turns),
        )
        # Counted by conversation: each is scored whole (its turns' grades and checks, then its own grade).
        return await self.scorer.score_all(talks, progress("judging talks", len(talks)))


def with_conversations(report: Report, scored: list[ScoredConversation], *, smoke_test_user: bool = False) -> Report:
    """The report with its conversation section (unchanged when there are no conversations)."""
    section = summarise_conversations(scored, smoke_test_user=smoke_test_user)
    return report if section is None else report.model_copy(update={"conversations": section})


def attach_outcomes(scores: list[ScoredAnswer], talks: list[ScoredConversation]) -> list[ScoredAnswer]:
    """The answers, each conversation's outcomes added to the scores of its first turn's answer (same id)."""
    by_id = {t.id: t for t in talks}
    out = []
    for s in scores:
        talk = by_id.get(s.id)
        out.append(s if talk is None else s.model_copy(update={"scores": {**s.scores, **outcome_scores(talk)}}))
    return out


def first_turn_answer(c: Conversation) -> Answer:
    """An imported conversation's first assistant turn as an answer, so it is scored like one (and carries the outcomes)."""
    index = c.assistant_indices[0]
    query = next((t.content for t in reversed(c.turns[:index]) if t.role == "user"), "")
    return Answer(
        id=c.id, arm=c.arm, query_id=c.query_id, trait=c.trait, sample=c.sample, should_refuse=c.should_refuse,
        model=c.model, query=query, text=c.turns[index].content, label=c.label,
    )


def conversations_from_rows(rows: list[tuple[str, dict[str, object]]]) -> list[Conversation]:
    """Imported rows with a ``messages`` column (OpenAI chat format) as conversations.

    Args:
        rows: ``(where, row)`` pairs, ``where`` naming the file and row for errors.
    """
    from harness.transcripts import DEFAULT_ARM  # the same default arm as single-turn rows

    out: list[Conversation] = []
    seen: set[str] = set()
    for where, row in rows:
        row_id = _text(row.get("id"))
        if not row_id:
            raise HarnessError(f"{where}: id must not be empty")
        arm = _text(row.get("arm")) or DEFAULT_ARM
        key = f"{arm}|{row_id}"
        if key in seen:
            raise HarnessError(f"{where}: duplicate id {row_id!r} in arm {arm!r}", fix="ids must be unique per arm")
        seen.add(key)
        out.append(Conversation(
            id=key, arm=arm, query_id=row_id, trait=_text(row.get("trait")) or None,
            should_refuse=str(row.get("should_refuse", "")).strip().lower() in ("true", "1", "yes", "y", "t"),
            model="imported", reference=_text(row.get("reference")) or None, label=_text(row.get("label")),
            turns=parse_chat_messages(row.get("messages"), where),
        ))
    return out


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)
