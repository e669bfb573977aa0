"""Answers: the candidate model's replies to each query under each system prompt.

Answers are streamed to ``answers.jsonl`` in the run directory as they
complete, so an interrupted run loses nothing and resumes where it stopped.
Imported transcripts (``harness score FILE``) become the same records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.errors import ModelCallError
from harness.formats import check_version
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

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: Any) -> Any:
        check_version(data, ANSWER_FORMAT_VERSION, "an answer record")
        return data
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
    mirror: str | None = Field(default=None, description="'<pair id>:a|b' for a mirrored request.")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Extra columns of an imported file (e.g. user_tier), carried to the scores."
    )
    request_key: str | None = Field(
        default=None, description="Cache key of the request that produced it: a resumed run reuses it only if unchanged."
    )


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
        ref, prompt_hash = prompt.ref, prompt.hash  # once per prompt: .hash hashes the whole text
        for query in queries:
            for k in range(samples):
                request = ChatRequest(
                    model=model,
                    system=prompt.text,
                    # Prior turns first: a query that continues a conversation is answered in it.
                    messages=(*(Message(role=t.role, content=t.content) for t in query.messages),
                              Message(role="user", content=query.text)),
                    max_tokens=max_tokens,
                    temperature=temperature,
                    seed=seed + k,
                    sample=k,
                    purpose="answer",
                    group=ref,
                )
                answer = Answer(
                    request_key=request.cache_key(),
                    id=answer_id(ref, query.id, k),
                    arm=ref,
                    prompt_hash=prompt_hash,
                    query_id=query.id,
                    trait=query.trait,
                    sample=k,
                    should_refuse=query.should_refuse,
                    mirror=query.mirror,
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
    with path.open(encoding="utf-8") as lines:  # line by line: a long transcript is never read whole
        for line in lines:
            try:
                answer = Answer.model_validate_json(line)
            except ValueError:
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
    on_answer: Callable[[int, Answer], None] | None = None,
) -> list[Answer]:
    """Produce every planned answer, streaming each to ``transcript`` as it completes.

    Slots already answered in ``transcript`` by the same request are reused
    (resume); slots that failed before, were not attempted (budget spent), or
    whose request changed are done again.
    Returns answers in plan order. Requests are handed to the client lazily,
    so the stage's working memory does not grow with the number of slots.
    ``on_answer(index, answer)`` sees each new answer once it is on disk: the
    next stage can start on it while other calls are still in flight.
    """
    previous = load_answers(transcript)
    # The result, filled in place: answers from the transcript now, the rest as they finish.
    answers = [_reusable(previous.get(p.answer.id), p.answer.request_key) or p.answer for p in plans]
    del previous
    transcript.parent.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    unwritten = 0
    errors: list[Exception] = []
    with transcript.open("a", encoding="utf-8") as fh:

        def write(index: int, result: ChatResponse | ModelCallError) -> None:
            nonlocal unwritten
            unwritten -= 1
            try:
                answer = answers[index] = _finish(plans[index], result)
                # One write per answer reaches the OS at once: a kill -9 loses none of it.
                fh.write(answer.model_dump_json() + "\n")
                fh.flush()
                if on_answer is not None:
                    on_answer(index, answer)
                if on_progress is not None:
                    on_progress()
            except Exception as exc:  # raised below, once the calls in flight are done
                errors.append(exc)

        def record(index: int, result: ChatResponse | ModelCallError) -> None:
            # The reply's cache row is committed when this turn of the loop ends (ResponseCache.put queues that
            # commit, or finds it queued, before this runs); writing the answer in a callback queued after it keeps
            # the transcript from getting ahead of the cache. Otherwise a kill -9 between the two would leave an
            # answer that the resumed run reuses but the cache lacks, and a later run would pay for it again.
            nonlocal unwritten
            unwritten += 1
            loop.call_soon(write, index, result)

        if on_progress is not None:
            for answer in answers:
                if answer.text is not None:
                    on_progress()
        # Lazy: a slot is looked at only when a worker is free for it, and only
        # slots at or behind that point have been filled in.
        todo = ((i, plans[i].request) for i, answer in enumerate(answers) if answer.text is None)
        await client.complete_each(todo, record)
        while unwritten:
            await asyncio.sleep(0)
    if errors:
        raise errors[0]
    return answers


def _reusable(answer: Answer | None, request_key: str | None) -> Answer | None:
    """A previous answer worth keeping: a reply to the very same request.

    Failures are tried again, and so is a slot whose request changed (an edited
    prompt resumed under the same run name must not inherit stale answers).
    """
    if answer is None or answer.text is None:
        return None
    return answer if answer.request_key is not None and answer.request_key == request_key else None
