"""Query sets: the user messages an assistant is evaluated on.

A query set is a JSONL file in ``evals/``, one :class:`Query` per line.
Generated and hand-written sets share the format. Ids are content hashes and
files are sorted, so regenerating a set reads as a diff in review.
"""

from __future__ import annotations

import difflib
import json
import random
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.errors import HarnessError
from harness.formats import content_hash, validation_error

if TYPE_CHECKING:
    from harness.config import Project
    from harness.models.client import CallStats, ModelClient
    from harness.traits import TraitSpec

__all__ = [
    "FollowUp",
    "Query",
    "Scenario",
    "dedupe",
    "generate_queries",
    "load_query_file",
    "load_query_files",
    "make_query_id",
    "merge_generated",
    "mirror_queries",
    "save_queries",
]

QUERY_FORMAT_VERSION = 1


def make_query_id(trait: str | None, text: str) -> str:
    """Content-derived id: the same query text for the same trait keeps its id."""
    return "q-" + content_hash(f"{trait or ''}\x00{' '.join(text.split())}")


class Turn(BaseModel):
    """A prior turn of a conversation the query continues (OpenAI chat roles)."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(min_length=1)


class FollowUp(BaseModel):
    """A user turn sent after the assistant's previous reply, whatever it said.

    Either fixed ``text``, or a named ``pressure`` turn (built in, or from the
    trait spec's ``pressure_turns``). A plain string in a query file is fixed text.
    """

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, description="The user's message.")
    pressure: str | None = Field(
        default=None, description="Name of a pressure turn: doubt, authority, social, emotional, insistence, or the trait's."
    )
    evidence: bool = Field(
        default=False, description="This turn brings new evidence or a real argument: changing position after it is fine."
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: object) -> object:
        return {"text": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_kind(self) -> FollowUp:
        if (self.text is None) == (self.pressure is None):
            raise ValueError("a follow-up is either fixed text or a named pressure turn: give exactly one of text, pressure")
        return self


class Scenario(BaseModel):
    """A simulated user: who they are, what they want, how they behave, when they stop.

    The simulated user sees this and the conversation, never the trait's rubric.
    """

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_\-]*$", description="Name (in a trait spec).")
    persona: str = Field(min_length=1, description="Who the user is.")
    goal: str = Field(min_length=1, description="What they want from the assistant.")
    behaviour: str = Field(min_length=1, description="How they behave: tone, tactics, how hard they push.")
    stop_when: str = Field(default="your goal is met or clearly will not be", description="When they end the chat.")
    max_turns: int = Field(default=4, ge=1, le=20, description="Most assistant turns in the conversation.")
    opening: str | None = Field(default=None, description="The first user message (a query's text takes precedence).")


class Query(BaseModel):
    """One user message to evaluate an assistant on, optionally within a conversation.

    ``messages`` are prior turns the query continues; ``follow_ups`` and
    ``scenario`` turn it into a conversation (fixed or pressure turns, or a
    simulated user); ``reference`` is a known correct answer, so correctness
    before and after pressure can be judged. All default to empty, so older
    files load unchanged.
    """

    model_config = ConfigDict(extra="forbid")

    version: int = QUERY_FORMAT_VERSION
    id: str = Field(description="Content-derived id (see make_query_id); any unique string for hand-written sets.")
    trait: str | None = Field(default=None, description="Trait it probes; None for trait-independent probes.")
    text: str = Field(min_length=1, description="The user message.")
    dimensions: dict[str, str] = Field(default_factory=dict, description="Where it sits on the trait's dimensions.")
    tempts_violation: bool = Field(default=False, description="Written to tempt a violation of the trait.")
    should_refuse: bool = Field(
        default=False, description="True for requests that ought to be refused: refusing them is not over-refusal."
    )
    source: Literal["generated", "hand-written", "mirror"] = "hand-written"
    note: str | None = None
    mirror: str | None = Field(default=None, description="'<pair id>:a' or '<pair id>:b' for mirrored requests.")
    messages: list[Turn] = Field(default_factory=list, description="Prior turns the query continues, oldest first.")
    follow_ups: list[FollowUp] = Field(default_factory=list, description="User turns sent after each reply.")
    reference: str | None = Field(default=None, description="A known correct answer (short: matched; long: judged).")
    scenario: str | Scenario | None = Field(
        default=None, description="A simulated user: inline, or the id of one of the trait spec's scenarios."
    )

    @field_validator("version")
    @classmethod
    def _known(cls, v: int) -> int:
        if v != QUERY_FORMAT_VERSION:
            raise ValueError(f"unsupported query format version {v}; expected {QUERY_FORMAT_VERSION}")
        return v

    @field_validator("messages")
    @classmethod
    def _alternating(cls, v: list[Turn]) -> list[Turn]:
        # The query's text is the next user turn, so prior turns must end with the assistant.
        for i, turn in enumerate(v):
            expected = "user" if i % 2 == 0 else "assistant"
            if turn.role != expected:
                raise ValueError(f"prior turns alternate user, assistant, ... ; turn {i} should be {expected}")
        if v and v[-1].role != "assistant":
            raise ValueError("prior turns must end with an assistant turn: the query's text is the next user turn")
        return v

    @model_validator(mode="after")
    def _follow_ups_or_scenario(self) -> Query:
        if self.follow_ups and self.scenario is not None:
            raise ValueError("give follow_ups or a scenario, not both")
        return self

    @property
    def is_conversation(self) -> bool:
        """True when answering it takes more than one model call, or continues prior turns."""
        return bool(self.messages or self.follow_ups or self.scenario is not None)


def load_query_file(path: Path | str) -> list[Query]:
    """Load a JSONL query set, naming file and line on any error."""
    path = Path(path)
    if not path.is_file():
        raise HarnessError(f"query file {path} does not exist", fix="run `harness generate` or check the path")
    queries: list[Query] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        try:
            query = Query.model_validate(data)
        except ValidationError as exc:
            raise validation_error(f"{path}:{lineno}", exc, hint="see the query format in README.md") from None
        if query.id in seen:
            raise HarnessError(f"{path}:{lineno}: duplicate query id {query.id!r}", fix="ids must be unique in a file")
        seen.add(query.id)
        queries.append(query)
    return queries


def load_query_files(paths: list[Path]) -> list[Query]:
    """Load several query sets; ids must be unique across them."""
    out: list[Query] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for query in load_query_file(path):
            if query.id in seen:
                raise HarnessError(f"query id {query.id!r} appears in both {seen[query.id]} and {path}")
            seen[query.id] = path
            out.append(query)
    return out


def mirror_queries(trait: TraitSpec) -> list[Query]:
    """The trait's mirrored requests as queries (both sides of every pair)."""
    out = []
    for pair in trait.mirrors:
        for side, part in (("a", pair.a), ("b", pair.b)):
            out.append(
                Query(
                    id=make_query_id(trait.name, part.text),
                    trait=trait.name,
                    text=part.text,
                    dimensions={"topic": pair.topic} if "topic" in trait.dimensions else {},
                    source="mirror",
                    mirror=f"{pair.id}:{side}",
                    note=f"mirror {pair.id}, side {side} ({part.label})",
                )
            )
    return out


def sort_queries(queries: list[Query]) -> list[Query]:
    """Stable file order: by trait, then id."""
    return sorted(queries, key=lambda q: (q.trait or "", q.id))


def save_queries(queries: list[Query], path: Path | str) -> None:
    """Write a query set in stable order.

    ``mirror`` is written only when set: most query files hold no mirrored
    requests, and an always-null field would be noise in review.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for query in sort_queries(queries):
            data = query.model_dump(mode="json", exclude=_unset_optional(query))
            fh.write(json.dumps(data, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _unset_optional(query: Query) -> set[str]:
    """Optional fields left out of a saved file when unset, so older files round-trip unchanged."""
    unset = {"mirror"} if query.mirror is None else set()
    for name in ("messages", "follow_ups"):
        if not getattr(query, name):
            unset.add(name)
    for name in ("reference", "scenario"):
        if getattr(query, name) is None:
            unset.add(name)
    return unset


# --- generation -------------------------------------------------------------

_LABEL = re.compile(r"^\s*(user( message)?|message|query)\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9']+")


def dimension_grid(trait: TraitSpec, n: int, seed: int) -> list[tuple[dict[str, str], bool]]:
    """``n`` (dimension values, tempts_violation) cells spread evenly over the dimensions.

    Each dimension cycles through a seeded shuffle of its values, so every value
    is used before any repeats; every other cell tempts a violation.
    """
    rng = random.Random(seed)
    orders = {}
    for key in sorted(trait.dimensions):
        values = list(trait.dimensions[key])
        rng.shuffle(values)
        orders[key] = values
    cells = []
    for i in range(n):
        dims = {key: values[(i + j) % len(values)] for j, (key, values) in enumerate(orders.items())}
        cells.append((dims, i % 2 == 0))
    return cells


def clean_generated(text: str) -> str | None:
    """Strip labels and quotes from a generator's reply; None if it is unusable."""
    text = text.strip()
    text = _LABEL.sub("", text).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“”":
        text = text[1:-1].strip()
    text = text.strip("“”").strip()
    words = text.split()
    if len(words) < 3 or len(words) > 200:
        return None
    return text


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def near_duplicate(a: str, b: str, threshold: float = 0.8) -> bool:
    """True when two messages are the same request in other words (token Jaccard or edit ratio)."""
    ta, tb = _tokens(a), _tokens(b)
    if ta and tb and len(ta & tb) / len(ta | tb) >= threshold:
        return True
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= threshold + 0.05


def dedupe(queries: list[Query], threshold: float = 0.8) -> list[Query]:
    """Drop near-duplicates, keeping the first of each group."""
    kept: list[Query] = []
    for query in queries:
        if not any(near_duplicate(query.text, k.text, threshold) for k in kept):
            kept.append(query)
    return kept


async def generate_queries(
    client: ModelClient, trait: TraitSpec, n: int, *, seed: int = 0, temperature: float = 1.0
) -> list[Query]:
    """Ask the generator model for ``n`` queries across the trait's dimensions.

    Replies that are empty or unusable are dropped, then near-duplicates, so
    the result may hold fewer than ``n`` queries.
    """
    from harness.models.base import ChatRequest, Message
    from harness.rendering import render

    cells = dimension_grid(trait, n, seed)
    requests = [
        ChatRequest(
            model=client.model,
            messages=(Message(role="user", content=render("generate_query.j2", trait=trait, dimensions=dims, tempt=tempt)),),
            temperature=temperature,
            seed=seed,
            sample=i,
            max_tokens=200,
            purpose="generate",
        )
        for i, (dims, tempt) in enumerate(cells)
    ]
    results = await client.complete_all(requests)
    queries: list[Query] = []
    for (dims, tempt), result in zip(cells, results, strict=True):
        text = None if isinstance(result, Exception) else clean_generated(result.text)
        if text is None:
            continue
        queries.append(
            Query(
                id=make_query_id(trait.name, text),
                trait=trait.name,
                text=text,
                dimensions=dims,
                tempts_violation=tempt,
                source="generated",
            )
        )
    unique = {q.id: q for q in queries}
    return dedupe(list(unique.values()))


def merge_generated(existing: list[Query], generated: list[Query]) -> list[Query]:
    """Replace the generated part of a query set, keeping hand-written queries."""
    kept = [q for q in existing if q.source == "hand-written"]
    hand_ids = {q.id for q in kept}
    return dedupe(kept + [q for q in generated if q.id not in hand_ids])


def generate_for_project(
    project: Project, trait: str, n: int, *, model: str | None = None, seed: int = 0
) -> tuple[list[Query], CallStats]:
    """Generate ``n`` queries for a project's trait with its generator model and client settings.

    The client is the project's (``[run]`` timeout, retries, backoff,
    concurrency; the on-disk cache), as for ``harness run``.

    Returns:
        The generated queries and the generator's call statistics.
    """
    from harness._sync import run_sync
    from harness.models.cache import ResponseCache
    from harness.runs import make_client
    from harness.traits import load_traits

    traits = load_traits(project.traits_dir)
    if trait not in traits:
        raise HarnessError(f"no trait named {trait!r}", fix=f"known traits: {', '.join(traits) or 'none'}")
    cache = ResponseCache(project.cache_path)
    try:
        client = make_client(project, model or project.config.models.generator, cache)
        return run_sync(_generate_and_close(client, traits[trait], n, seed)), client.stats
    finally:
        cache.close()


async def _generate_and_close(client: ModelClient, trait: TraitSpec, n: int, seed: int) -> list[Query]:
    try:
        return await generate_queries(client, trait, n, seed=seed)
    finally:
        await client.aclose()
