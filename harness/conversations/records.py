"""Conversation records: the streamed turn log, finished transcripts, and their scores.

* ``turns.jsonl`` in a run directory: one :class:`TurnEvent` per line, appended
  and flushed the moment a turn exists, so a killed run resumes at the turn it
  reached (see :mod:`harness.conversations.runner`).
* ``conversations.jsonl``: one :class:`ScoredConversation` per conversation,
  with the full transcript and every per-turn and per-conversation score.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import HarnessError
from harness.models.base import Message, Usage
from harness.scores.filler import FillerResult
from harness.scores.hedging import HedgeResult
from harness.scores.judges import AdherenceVerdict
from harness.scores.refusal import RefusalVerdict

__all__ = [
    "CONVERSATION_FORMAT_VERSION",
    "Conversation",
    "ConversationTurn",
    "ScoredConversation",
    "TurnEvent",
    "TurnScore",
    "load_scored_conversations",
    "load_turn_events",
    "parse_chat_messages",
]

CONVERSATION_FORMAT_VERSION = 1


class ConversationTurn(BaseModel):
    """One turn of a transcript.

    ``source`` says where it came from: ``prior`` (a turn the query continues),
    ``query`` (the query's text), ``fixed`` or ``pressure:<name>`` (a follow-up),
    ``simulated`` (the simulated user), ``candidate`` (the assistant under test),
    ``imported`` (a transcript read by ``harness score``).
    """

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str
    source: str
    evidence: bool = Field(default=False, description="A user turn bringing new evidence or a real argument.")

    def message(self) -> Message:
        """The turn as a chat message for a request."""
        return Message(role=self.role, content=self.content)


class TurnEvent(BaseModel):
    """One line of ``turns.jsonl``: a turn as it happened (or the call that failed to make it)."""

    model_config = ConfigDict(extra="forbid")

    version: int = CONVERSATION_FORMAT_VERSION
    conversation_id: str
    index: int = Field(description="Position in the conversation, prior turns included (0 = first).")
    turn: ConversationTurn | None = Field(description="None when the call failed.")
    request_key: str | None = Field(
        default=None, description="Cache key of the request that produced it; a resumed run reuses it only if unchanged."
    )
    usage: Usage = Field(default_factory=Usage)
    error: str | None = None
    ended: bool = Field(default=False, description="The simulated user ended the conversation here.")


class Conversation(BaseModel):
    """A finished (or failed) conversation under one arm, one sample."""

    model_config = ConfigDict(extra="forbid")

    version: int = CONVERSATION_FORMAT_VERSION
    id: str = Field(description="'<arm>|<query id>|<sample>'.")
    arm: str
    prompt_hash: str | None = None
    query_id: str
    trait: str | None = None
    sample: int = 0
    should_refuse: bool = False
    model: str
    user_model: str | None = Field(default=None, description="The model that played the user, for scenarios.")
    reference: str | None = None
    label: str | None = None
    turns: list[ConversationTurn]
    error: str | None = Field(default=None, description="Why the conversation stopped early, if a call failed.")

    @property
    def assistant_indices(self) -> list[int]:
        """Positions of the assistant turns produced in this conversation (prior turns excluded)."""
        return [i for i, t in enumerate(self.turns) if t.role == "assistant" and t.source != "prior"]


class TurnScore(BaseModel):
    """Every score of one assistant turn."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(description="Position of the turn in the transcript.")
    turn: int = Field(description="1 for the first assistant turn scored, 2 for the next, ...")
    after: str = Field(description="Source of the user turn it answers: query, fixed, pressure:<name>, simulated, ...")
    after_evidence: bool = False
    refusal: RefusalVerdict | None = None
    filler: FillerResult | None = None
    hedging: HedgeResult | None = None
    adherence: AdherenceVerdict | None = None
    correct: bool | None = Field(default=None, description="Agrees with the reference answer (None: no reference, or undecided).")
    correct_by: Literal["match", "judge"] | None = None
    position_changed: bool | None = Field(
        default=None, description="The judge's view: this reply abandons the previous reply's position (no reference)."
    )


class ScoredConversation(BaseModel):
    """A conversation's transcript and scores: one line of ``conversations.jsonl``.

    ``capitulated``: after a pressure turn with no new evidence, a correct
    answer became wrong (with a reference) or the position changed (judged,
    without one); None when there was no pressure or it could not be told.
    ``recovered``: a wrong answer was corrected after a turn bringing evidence.
    ``drift``: adherence of the last assistant turn minus the first.
    """

    model_config = ConfigDict(extra="forbid")

    version: int = CONVERSATION_FORMAT_VERSION
    id: str
    arm: str
    query_id: str
    trait: str | None
    sample: int
    should_refuse: bool = False
    label: str | None = None
    model: str
    user_model: str | None = None
    prompt_hash: str | None = None
    reference: str | None = None
    turns: list[ConversationTurn]
    error: str | None = None
    turn_scores: list[TurnScore]
    adherence: AdherenceVerdict | None = Field(default=None, description="The judge's grade of the whole conversation.")
    capitulated: bool | None = None
    recovered: bool | None = None
    drift: float | None = None
    trait_hash: str | None = None
    judge_model: str | None = None
    judge_prompt_hashes: dict[str, str] = Field(default_factory=dict)


def load_turn_events(path: Path) -> dict[tuple[str, int], TurnEvent]:
    """Turn events on disk by (conversation, position); the last one written wins; a torn line is skipped."""
    found: dict[tuple[str, int], TurnEvent] = {}
    if not path.is_file():
        return found
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                event = TurnEvent.model_validate_json(line)
            except ValueError:
                continue  # an interrupted write (kill -9): that turn is simply done again
            found[(event.conversation_id, event.index)] = event
    return found


def load_scored_conversations(path: Path | str) -> list[ScoredConversation]:
    """Scored conversations from a run or `harness score` directory (``conversations.jsonl``), or the file itself.

    A directory without conversations gives an empty list.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "conversations.jsonl"
        if not path.is_file():
            return []
    elif path.name != "conversations.jsonl":
        sibling = path.parent / "conversations.jsonl"
        if not sibling.is_file():
            return []
        path = sibling
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(ScoredConversation.model_validate_json(line))
            except ValidationError as exc:
                raise HarnessError(f"{path}:{lineno}: not a scored conversation ({str(exc).splitlines()[0]})") from None
    return out


def parse_chat_messages(value: object, where: str) -> list[ConversationTurn]:
    """A ``messages`` cell in the OpenAI chat format (a list, or a JSON string of one) as transcript turns.

    ``system`` messages are skipped (a transcript's system prompt is not scored); the other
    roles must be ``user`` or ``assistant``, with string content (or a list of
    text parts).

    Raises:
        HarnessError: naming ``where`` (file and row), the message and the fix.
    """
    messages = _as_list(value, where)
    turns = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            raise HarnessError(f"{where}: messages[{i}] is not a {{\"role\": ..., \"content\": ...}} object")
        role = message["role"]
        if role == "system":
            continue
        if role not in ("user", "assistant"):
            raise HarnessError(
                f"{where}: messages[{i}].role is {role!r}", fix="roles are system, user and assistant (OpenAI chat format)"
            )
        turns.append(ConversationTurn(role=role, content=_content(message.get("content"), f"{where}: messages[{i}]"), source="imported"))
    if not any(t.role == "assistant" for t in turns):
        raise HarnessError(f"{where}: messages has no assistant turn to score")
    return turns


def _as_list(value: object, where: str) -> list[object]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise HarnessError(
                f"{where}: messages is not valid JSON ({exc.msg})",
                fix='in CSV, messages is a JSON string: [{"role": "user", "content": "..."}, ...]',
            ) from None
    if not isinstance(value, list):
        raise HarnessError(f"{where}: messages must be a list of chat messages", fix='e.g. [{"role": "user", "content": "Hi"}]')
    return value


def _content(content: object, where: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts: keep the text ones
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    raise HarnessError(f"{where}: content must be a string or a list of text parts")
