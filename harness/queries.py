"""Query sets: the user messages an assistant is evaluated on.

A query set is a JSONL file in ``evals/``, one :class:`Query` per line.
Generated and hand-written sets share the format. Ids are content hashes and
files are sorted, so regenerating a set reads as a diff in review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.errors import HarnessError
from harness.formats import content_hash, dump_jsonl, validation_error

__all__ = ["Query", "load_query_file", "load_query_files", "make_query_id", "save_queries"]

QUERY_FORMAT_VERSION = 1


def make_query_id(trait: str | None, text: str) -> str:
    """Content-derived id: the same query text for the same trait keeps its id."""
    return "q-" + content_hash(f"{trait or ''}\x00{' '.join(text.split())}")


class Query(BaseModel):
    """One user message to evaluate an assistant on."""

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
    source: Literal["generated", "hand-written"] = "hand-written"
    note: str | None = None

    @field_validator("version")
    @classmethod
    def _known(cls, v: int) -> int:
        if v != QUERY_FORMAT_VERSION:
            raise ValueError(f"unsupported query format version {v}; expected {QUERY_FORMAT_VERSION}")
        return v


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


def sort_queries(queries: list[Query]) -> list[Query]:
    """Stable file order: by trait, then id."""
    return sorted(queries, key=lambda q: (q.trait or "", q.id))


def save_queries(queries: list[Query], path: Path | str) -> None:
    """Write a query set in stable order."""
    dump_jsonl(list(sort_queries(queries)), Path(path))
