"""Answers: the candidate model's replies to each query under each system prompt.

Answers are streamed to ``answers.jsonl`` in the run directory as they
complete, so an interrupted run loses nothing and resumes where it stopped.
Imported transcripts (``harness score FILE``) become the same records.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ModelCallError
from harness.models.base import ChatRequest, ChatResponse, Message, Usage
from harness.models.client import ModelClient
from harness.queries import Query
from harness.system_prompts import SystemPrompt

__all__ = ["Answer", "AnswerPlan", "collect_answers", "load_answers", "plan_answers"]

ANSWER_FORMAT_VERSION = 1


class Answer(BaseModel):
    """One reply (or recorded failure) to one query, under one arm, one sample."""

    model_config = ConfigDict(extra="forbid")

    version: int = ANSWER_FORMAT_VERSION
    id: str = Field(description="'<arm>|<query id>|<sample>'.")
    arm: str = Field(description="What produced it: a prompt ref (name@version) or an imported arm label.")
    prompt_hash: str | None = None
    query_id: str
    trait: str | None = None
    sample: int = 0
    should_refuse: bool = False
    model: str
    query: str
    text: str | None = Field(default=None, description="The reply; None when the call failed.")
    error: str | None = None
    usage: Usage = Field(default_factory=Usage)
    label: str | None = Field(default=None, description="A human label carried over from an imported file.")


class AnswerPlan(BaseModel):
    """An answer still to be produced: its identity and the request that produces it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: Answer
    request: ChatRequest


def answer_id(arm: str, query_id: str, sample: int) -> str:
    """Stable identity of an answer slot."""
    return f"{arm}|{query_id}|{sample}"


def plan_answers(
    queries: list[Query],
    prompts: list[SystemPrompt],
    model: str,
    *,
    samples: int,
    max_tokens: int,
    temperature: float,
    seed: int,
) -> list[AnswerPlan]:
    """Every (prompt × query × sample) slot, in a stable order."""
    plans: list[AnswerPlan] = []
    for prompt in prompts:
        for query in queries:
            for k in range(samples):
                request = ChatRequest(
                    model=model,
                    system=prompt.text,
                    messages=(Message(role="user", content=query.text),),
                    max_tokens=max_tokens,
                    temperature=temperature,
                    seed=seed + k,
                    sample=k,
                    purpose="answer",
                )
                answer = Answer(
                    id=answer_id(prompt.ref, query.id, k),
                    arm=prompt.ref,
                    prompt_hash=prompt.hash,
                    query_id=query.id,
                    trait=query.trait,
                    sample=k,
                    should_refuse=query.should_refuse,
                    model=model,
                    query=query.text,
                )
                plans.append(AnswerPlan(answer=answer, request=request))
    return plans


def load_answers(path: Path) -> dict[str, Answer]:
    """Answers already on disk, by id; a torn last line (from a kill) is skipped."""
    found: dict[str, Answer] = {}
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            answer = Answer.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValueError):
            continue  # an interrupted write; the slot is simply redone
        found[answer.id] = answer
    return found


def _finish(plan: AnswerPlan, result: ChatResponse | ModelCallError) -> Answer:
    if isinstance(result, ModelCallError):
        return plan.answer.model_copy(update={"error": result.message})
    return plan.answer.model_copy(update={"text": result.text, "usage": result.usage})


async def collect_answers(
    client: ModelClient,
    plans: list[AnswerPlan],
    transcript: Path,
    on_progress: Callable[[], None] | None = None,
) -> list[Answer]:
    """Produce every planned answer, streaming each to ``transcript`` as it completes.

    Slots already answered in ``transcript`` are reused (resume); slots that
    failed before are tried again. Returns answers in plan order.
    """
    done = {k: a for k, a in load_answers(transcript).items() if a.text is not None}
    todo = [p for p in plans if p.answer.id not in done]
    transcript.parent.mkdir(parents=True, exist_ok=True)
    with transcript.open("a", encoding="utf-8") as fh:

        def record(index: int, result: ChatResponse | ModelCallError) -> None:
            answer = _finish(todo[index], result)
            done[answer.id] = answer
            fh.write(answer.model_dump_json() + "\n")
            fh.flush()
            if on_progress is not None:
                on_progress()

        for _ in range(len(plans) - len(todo)):
            if on_progress is not None:
                on_progress()
        await client.complete_all([p.request for p in todo], on_done=record)
    return [done.get(p.answer.id) or p.answer for p in plans]
