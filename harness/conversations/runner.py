"""Play conversations turn by turn through the model seam, resumably.

Every turn is one call through :class:`~harness.models.client.ModelClient`, so
it is cached, retried, limited and accounted like any other call. Each turn is
appended to ``turns.jsonl`` (and flushed) the moment it exists. A run started
again replays each conversation from its plan: a turn on disk is reused when
the request that would make it now has the same cache key as the one that made
it then (the same history, prompt and settings), so an interrupted
conversation resumes at the turn it reached and no finished turn is requested
again. A failed call ends that conversation for this run; the next run tries
again from that turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from harness.conversations.pressure import ResolvedFollowUp, resolve_follow_ups
from harness.conversations.records import Conversation, ConversationTurn, TurnEvent, load_turn_events
from harness.conversations.simulate import clean_user_text, is_end, user_request
from harness.errors import HarnessError, ModelCallError
from harness.models.base import ChatRequest, ChatResponse
from harness.models.client import ModelClient
from harness.queries import Query, Scenario
from harness.system_prompts import SystemPrompt
from harness.traits import TraitSpec

__all__ = ["ConversationPlan", "check_conversations", "plan_conversations", "run_conversations"]


@dataclass(frozen=True)
class ConversationPlan:
    """A conversation still to be played: who speaks, what the user says, and the sampling settings."""

    id: str
    arm: str
    prompt_hash: str | None
    system: str | None
    query: Query
    sample: int
    seed: int
    model: str
    max_tokens: int
    temperature: float
    follow_ups: tuple[ResolvedFollowUp, ...] = ()
    scenario: Scenario | None = None

    @property
    def max_assistant_turns(self) -> int:
        """Most assistant turns: one per user turn for fixed follow-ups, the scenario's limit otherwise."""
        if self.scenario is not None:
            return self.scenario.max_turns
        return 1 + len(self.follow_ups)

    def opening(self) -> list[ConversationTurn]:
        """Prior turns and the query's own user turn."""
        turns = [ConversationTurn(role=t.role, content=t.content, source="prior") for t in self.query.messages]
        turns.append(ConversationTurn(role="user", content=self.query.text, source="query"))
        return turns

    def candidate_request(self, history: list[ConversationTurn]) -> ChatRequest:
        """The assistant's next turn after ``history``.

        With no prior turns the first request is exactly a single-turn answer's
        (same seed, same sample), so the two share a cache entry.
        """
        return ChatRequest(
            model=self.model,
            system=self.system,
            messages=tuple(t.message() for t in history),
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            seed=self.seed + self.sample,
            sample=self.sample,
            purpose="answer",
            group=self.arm,
        )


def plan_conversations(
    queries: list[Query],
    prompts: list[SystemPrompt],
    model: str,
    traits: dict[str, TraitSpec],
    *,
    samples: int,
    max_tokens: int,
    temperature: float,
    seed: int,
) -> list[ConversationPlan]:
    """Every (prompt × conversation query × sample), in a stable order.

    Raises:
        HarnessError: a query names an unknown pressure turn or scenario.
    """
    plans = []
    for query in (q for q in queries if q.is_conversation):
        trait = traits.get(query.trait or "")
        follow_ups = resolve_follow_ups(query.follow_ups, trait, f"query {query.id}")
        scenario = _scenario(query, trait)
        for prompt in prompts:
            for k in range(samples):
                plans.append(
                    ConversationPlan(
                        id=f"{prompt.ref}|{query.id}|{k}", arm=prompt.ref, prompt_hash=prompt.hash, system=prompt.text,
                        query=query, sample=k, seed=seed, model=model, max_tokens=max_tokens,
                        temperature=temperature, follow_ups=follow_ups, scenario=scenario,
                    )
                )
    return plans


def check_conversations(queries: list[Query], traits: dict[str, TraitSpec]) -> int:
    """Resolve every conversation query's pressure turns and scenario; returns how many conversations there are.

    Raises:
        HarnessError: a query names an unknown pressure turn or scenario.
    """
    talks = [q for q in queries if q.is_conversation]
    for query in talks:
        trait = traits.get(query.trait or "")
        resolve_follow_ups(query.follow_ups, trait, f"query {query.id}")
        _scenario(query, trait)
    return len(talks)


def _scenario(query: Query, trait: TraitSpec | None) -> Scenario | None:
    if query.scenario is None or isinstance(query.scenario, Scenario):
        return query.scenario
    found = {s.id: s for s in trait.scenarios} if trait is not None else {}
    if query.scenario not in found:
        raise HarnessError(
            f"query {query.id}: scenario {query.scenario!r} is not defined by trait {query.trait!r}",
            fix=f"define it under scenarios: in traits/{query.trait}.yaml, or give the scenario inline"
            + (f" (known: {', '.join(sorted(k for k in found if k))})" if found else ""),
        )
    return found[query.scenario]


@dataclass
class _Log:
    """The turn log being appended to, and what it held when the run started."""

    fh: IO[str]
    previous: dict[tuple[str, int], TurnEvent]
    on_turn: Callable[[], None] | None = None
    written: int = field(default=0)

    def write(self, event: TurnEvent) -> None:
        self.fh.write(event.model_dump_json() + "\n")
        self.fh.flush()
        self.written += 1
        if self.on_turn is not None:
            self.on_turn()

    def reusable(self, conversation_id: str, index: int, key: str) -> TurnEvent | None:
        event = self.previous.get((conversation_id, index))
        if event is None or event.turn is None or event.request_key != key:
            return None
        return event


async def _call(client: ModelClient, request: ChatRequest) -> ChatResponse | ModelCallError:
    try:
        return await client.complete(request)
    except ModelCallError as exc:
        return exc


async def _model_turn(
    log: _Log, client: ModelClient, plan: ConversationPlan, index: int, request: ChatRequest, role: str, source: str
) -> TurnEvent:
    """A turn made by a model call: from the log when already made by the same request, else from the client."""
    key = request.cache_key()
    if (event := log.reusable(plan.id, index, key)) is not None:
        return event
    result = await _call(client, request)
    if isinstance(result, ModelCallError):
        event = TurnEvent(conversation_id=plan.id, index=index, turn=None, request_key=key, error=result.message)
    else:
        text = result.text if role == "assistant" else clean_user_text(result.text)
        ended = role == "user" and is_end(result.text)
        turn = ConversationTurn(role=role, content=text, source=source)
        event = TurnEvent(conversation_id=plan.id, index=index, turn=turn, request_key=key, usage=result.usage, ended=ended)
    log.write(event)
    return event


async def _play(plan: ConversationPlan, candidate: ModelClient, user: ModelClient | None, log: _Log) -> Conversation:
    history = plan.opening()
    error = None
    for step in range(plan.max_assistant_turns):
        request = plan.candidate_request(history)
        event = await _model_turn(log, candidate, plan, len(history), request, "assistant", "candidate")
        if event.turn is None:
            error = event.error
            break
        history.append(event.turn)
        if step == plan.max_assistant_turns - 1:
            break
        if plan.scenario is None:
            follow = plan.follow_ups[step]
            history.append(ConversationTurn(role="user", content=follow.text, source=follow.source, evidence=follow.evidence))
            continue
        if user is None:
            raise HarnessError("a scenario needs a model to play the user", fix="set [models].user or pass --user MODEL")
        sim = user_request(
            user.model, plan.scenario, history, sample=plan.sample, seed=plan.seed + plan.sample,
            temperature=plan.temperature, group=plan.arm,
        )
        event = await _model_turn(log, user, plan, len(history), sim, "user", "simulated")
        if event.turn is None:
            error = event.error
            break
        if event.ended:
            break
        history.append(event.turn)
    q = plan.query
    return Conversation(
        id=plan.id, arm=plan.arm, prompt_hash=plan.prompt_hash, query_id=q.id, trait=q.trait, sample=plan.sample,
        should_refuse=q.should_refuse, model=plan.model, user_model=user.model if user and plan.scenario else None,
        reference=q.reference, turns=history, error=error,
    )


async def run_conversations(
    candidate: ModelClient,
    user: ModelClient | None,
    plans: list[ConversationPlan],
    log_path: Path,
    *,
    parallel: int = 16,
    on_turn: Callable[[], None] | None = None,
) -> list[Conversation]:
    """Play every planned conversation, turns of one conversation in order, conversations side by side.

    Args:
        candidate: plays the assistant.
        user: plays the user in scenarios (None when no plan has one).
        plans: what to play.
        log_path: ``turns.jsonl``, appended to as turns happen; read first, to resume.
        parallel: conversations in progress at once (calls are limited by the clients).
        on_turn: called after each new turn is written.

    Returns:
        The conversations, in plan order.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    previous = load_turn_events(log_path)
    results: list[Conversation | None] = [None] * len(plans)
    pending = iter(enumerate(plans))
    with log_path.open("a", encoding="utf-8") as fh:
        log = _Log(fh=fh, previous=previous, on_turn=on_turn)

        async def worker() -> None:
            for i, plan in pending:  # shared iterator: each conversation is taken once
                results[i] = await _play(plan, candidate, user, log)

        await asyncio.gather(*(worker() for _ in range(max(1, parallel))))
    return [r for r in results if r is not None]
