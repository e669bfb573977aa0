"""Simulated users: a ``user`` model plays a scenario against the assistant.

The simulator is told who it is, what it wants, how it behaves and when it
stops (:class:`harness.queries.Scenario`), and sees the conversation so far. It
never sees the trait's rubric or description: a simulated user who knows what
is being graded would steer toward it.

The simulator's chat is the assistant's with the roles swapped: the
assistant's replies arrive as the simulator's ``user`` turns. A fixed first
message opens it, since providers want a chat to start with a user turn.
"""

from __future__ import annotations

from harness.conversations.records import ConversationTurn
from harness.models.base import ChatRequest, Message
from harness.queries import Scenario
from harness.rendering import render, template_hash

__all__ = ["END_MARKER", "SIMULATOR_TEMPLATE", "is_end", "simulator_prompt_hash", "user_request"]

END_MARKER = "[END]"
SIMULATOR_TEMPLATE = "simulate_user.j2"
_OPENING = "(The chat has not started yet. Write your first message to the assistant.)"


def simulator_prompt_hash() -> str:
    """Hash of the simulator's prompt template."""
    return template_hash(SIMULATOR_TEMPLATE)


def user_request(
    model: str,
    scenario: Scenario,
    history: list[ConversationTurn],
    *,
    sample: int,
    seed: int,
    temperature: float,
    max_tokens: int = 200,
    group: str | None = None,
) -> ChatRequest:
    """The request for the simulated user's next message after ``history``."""
    messages = [Message(role="user", content=_OPENING)]
    for turn in history:
        # Swapped: the simulator writes the user's turns and reads the assistant's.
        messages.append(Message(role="assistant" if turn.role == "user" else "user", content=turn.content))
    return ChatRequest(
        model=model,
        system=render(SIMULATOR_TEMPLATE, scenario=scenario, end_marker=END_MARKER),
        messages=tuple(messages),
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
        sample=sample,
        purpose="simulate",
        group=group,
    )


def is_end(text: str) -> bool:
    """True when the simulated user ended the conversation (or said nothing)."""
    stripped = text.strip()
    return not stripped or stripped.startswith(END_MARKER) or stripped.endswith(END_MARKER)


def clean_user_text(text: str) -> str:
    """The simulated user's message without a leading speaker label a base model may add."""
    stripped = text.strip()
    for label in ("User:", "user:", "USER:"):
        if stripped.startswith(label):
            stripped = stripped[len(label):].strip()
    return stripped
