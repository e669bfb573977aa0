"""Facets: one short text per selected answer, saying what was asked and what went wrong.

With an analyst model, a privacy-preserving summary (no names or personal
details) from a versioned prompt, through the model client, so it is cached and
accounted. Without one, the query and the deterministic findings stand in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import ModelCallError
from harness.insights.select import FACET_SEPARATOR, Item
from harness.models.base import ChatRequest, ChatResponse, Message
from harness.models.client import ModelClient
from harness.rendering import render, template_hash

__all__ = ["FACET_TEMPLATE", "FacetResult", "facet_prompt_hash", "model_facets", "offline_facets"]

FACET_TEMPLATE = "insights_facet.j2"
_MAX_QUERY_CHARS = 2000
_MAX_ANSWER_CHARS = 2000
_MAX_FACET_CHARS = 300
_PREFIX = re.compile(r"(?i)^\s*(summary|facet)\s*:\s*")


@dataclass
class FacetResult:
    """The facet of every item (in item order), and how many came from the fallback."""

    texts: list[str]
    method: str
    fallbacks: int = 0


def facet_prompt_hash() -> str:
    """Hash of the facet prompt template, recorded in the output."""
    return template_hash(FACET_TEMPLATE)


def offline_facet(item: Item) -> str:
    """The query and the deterministic findings, as one line."""
    query = " ".join(item.query.split())[:_MAX_QUERY_CHARS]
    return f"{query}{FACET_SEPARATOR}{item.findings.describe()}"


def offline_facets(items: Sequence[Item]) -> FacetResult:
    """Facets without a model."""
    return FacetResult([offline_facet(item) for item in items], "offline: the query and the deterministic findings")


def facet_request(item: Item, model: str) -> ChatRequest:
    """The analyst request for one item's facet (deterministic: temperature 0, seed 0)."""
    from harness.scores.judges import quote_as_data

    prompt = render(
        FACET_TEMPLATE,
        query=quote_as_data(item.query[:_MAX_QUERY_CHARS]),
        answer=quote_as_data(item.response[:_MAX_ANSWER_CHARS]),
        findings=item.findings.describe(),
    )
    return ChatRequest(
        model=model, messages=(Message(role="user", content=prompt),), max_tokens=160, temperature=0.0, seed=0,
        purpose="insights_facet", group=item.arm,
    )


def parse_facet(text: str) -> str | None:
    """The summary in an analyst reply: its first non-empty line, trimmed; None if empty."""
    for line in text.splitlines():
        line = _PREFIX.sub("", line).strip().strip('"').strip()
        if line:
            return line[:_MAX_FACET_CHARS]
    return None


async def model_facets(client: ModelClient, items: Sequence[Item]) -> FacetResult:
    """Facets from the analyst model; an item whose call fails or whose reply is empty falls back to offline."""
    texts: list[str | None] = [None] * len(items)

    def done(index: int, result: ChatResponse | ModelCallError) -> None:
        if isinstance(result, ChatResponse):
            texts[index] = parse_facet(result.text)

    await client.complete_each(((i, facet_request(item, client.model)) for i, item in enumerate(items)), done)
    fallbacks = sum(t is None for t in texts)
    out = [t if t is not None else offline_facet(item) for t, item in zip(texts, items, strict=True)]
    method = f"model: {client.model}, prompt {FACET_TEMPLATE} {facet_prompt_hash()}"
    return FacetResult(out, method, fallbacks)
