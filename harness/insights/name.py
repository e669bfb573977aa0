"""Names and descriptions of clusters: by the analyst model from a sample, or by distinguishing terms.

Offline, a cluster's terms are its class-based TF-IDF top terms (c-TF-IDF, as
in BERTopic: a term's frequency in the cluster, weighted by how rare it is
across the sibling clusters), keeping only terms used by at least
``min_support`` distinct queries of the cluster, so that no term can point at
a single conversation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import ModelCallError
from harness.insights.select import FAILURE_KINDS, FINDING_WORDS
from harness.models.base import ChatRequest, Message
from harness.models.client import ModelClient
from harness.rendering import render, template_hash

if TYPE_CHECKING:
    import numpy as np

    from harness.insights.embed import TermCounts

__all__ = ["NAME_TEMPLATE", "Naming", "distinguishing_terms", "model_name", "name_prompt_hash", "offline_name"]

NAME_TEMPLATE = "insights_name.j2"
#: Facets shown to the analyst to name one cluster.
NAME_SAMPLE = 12
_TERMS = 8
_NAME_LINE = re.compile(r"(?im)^\s*\**\s*name\s*\**\s*:\s*\**\s*(.+?)\s*\**\s*$")
_DESCRIPTION_LINE = re.compile(r"(?im)^\s*\**\s*description\s*\**\s*:\s*\**\s*(.+?)\s*\**\s*$")


@dataclass(frozen=True)
class Naming:
    """A cluster's name and description, and who gave them (``model`` or ``terms``)."""

    name: str
    description: str
    by: str


def name_prompt_hash() -> str:
    """Hash of the naming prompt template, recorded in the output."""
    return template_hash(NAME_TEMPLATE)


def distinguishing_terms(
    terms: TermCounts,
    classes: dict[int, np.ndarray],
    units: np.ndarray,
    min_support: int,
    top: int = _TERMS,
) -> dict[int, list[str]]:
    """The top c-TF-IDF terms of each class (rows of the facets), among the classes given.

    Args:
        terms: the facets' term counts.
        classes: class id → the rows (facet indices) in it.
        units: the query (or conversation) of every row.
        min_support: a term must occur in this many distinct units of the class.
        top: terms kept per class.
    """
    import numpy as np

    ids = sorted(classes)
    if not ids or terms.counts.shape[1] == 0:
        return {c: [] for c in ids}
    n_unique = terms.counts.shape[0]
    member_rows = [np.asarray(classes[c]) for c in ids]
    # Class × distinct-facet weights, dense (a few dozen classes): how many of
    # the class's answers have each facet; then class × term counts.
    weights = np.zeros((len(ids), n_unique), dtype=np.float32)
    for i, r in enumerate(member_rows):
        np.add.at(weights[i], terms.index[r], 1.0)
    class_counts = np.asarray(terms.counts.T @ weights.T, dtype=np.float64).T
    # Support: one representative facet per distinct unit in the class (its
    # first row): a lower bound on the units using a term, so the floor errs safe.
    reps = np.zeros((len(ids), n_unique), dtype=np.float32)
    for i, r in enumerate(member_rows):
        _, first = np.unique(units[r], return_index=True)
        np.add.at(reps[i], terms.index[r[first]], 1.0)
    present = terms.counts.copy()
    present.data[:] = 1
    support = np.asarray(present.T @ reps.T, dtype=np.float64).T
    words = class_counts.sum(axis=1, keepdims=True)
    tf = np.divide(class_counts, words, out=np.zeros_like(class_counts), where=words > 0)
    frequency = class_counts.sum(axis=0)
    idf = np.log1p(words.mean() / np.maximum(frequency, 1e-9))
    boilerplate = np.asarray([bool(set(str(t).split()) & FINDING_WORDS) for t in terms.terms], dtype=bool)
    score = np.where((support >= min_support) & ~boilerplate, tf * idf, -np.inf)
    out: dict[int, list[str]] = {}
    for i, c in enumerate(ids):
        # Highest score first; ties by term, so the order never depends on hashing.
        order = np.lexsort((terms.terms, -score[i]))
        out[c] = _non_redundant((str(terms.terms[j]) for j in order if np.isfinite(score[i, j]) and score[i, j] > 0), top)
    return out


def _non_redundant(ranked: Iterable[str], top: int) -> list[str]:
    """Skip a term whose words are all in terms already kept ("dosage" after "medication dosage")."""
    kept: list[str] = []
    seen: set[str] = set()
    for term in ranked:
        words = set(term.split())
        if words <= seen:
            continue
        kept.append(term)
        seen |= words
        if len(kept) == top:
            break
    return kept


def dominant_kind(kinds: Counter[str], n: int) -> str:
    """The failure kind most members show, or ``mixed failures`` when none reaches half."""
    if not kinds or n == 0:
        return "selected answers"
    kind, count = min(kinds.items(), key=lambda kv: (-kv[1], list(FAILURE_KINDS).index(kv[0]) if kv[0] in FAILURE_KINDS else 99))
    return FAILURE_KINDS.get(kind, kind) if count * 2 >= n else "mixed failures"


def offline_name(terms: Sequence[str], kinds: Counter[str], n_answers: int, n_units: int) -> Naming:
    """A name from the dominant failure kind and the top terms; a description with the counts."""
    kind = dominant_kind(kinds, n_answers)
    name = f"{kind}: {', '.join(terms[:3])}" if terms else f"{kind} (no term shared by enough queries)"
    shares = ", ".join(
        f"{FAILURE_KINDS.get(k, k)} {100 * c / n_answers:.0f}%"
        for k, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    description = f"{n_answers} answers to {n_units} distinct queries" + (f"; {shares}" if shares else "")
    if terms:
        description += f". Distinguishing terms: {', '.join(terms)}."
    return Naming(name, description, "terms")


def name_request(facets: Sequence[str], model: str) -> ChatRequest:
    """The analyst request naming one cluster from a sample of its facets."""
    from harness.scores.judges import quote_as_data

    summaries = [quote_as_data(" ".join(f.split())) for f in facets]
    prompt = render(NAME_TEMPLATE, summaries=summaries)
    return ChatRequest(
        model=model, messages=(Message(role="user", content=prompt),), max_tokens=200, temperature=0.0, seed=0,
        purpose="insights_name",
    )


def parse_naming(text: str) -> tuple[str, str] | None:
    """``(name, description)`` from a reply with ``Name:`` and ``Description:`` lines; None otherwise."""
    name = _NAME_LINE.search(text)
    description = _DESCRIPTION_LINE.search(text)
    if not name or not name.group(1).strip():
        return None
    return name.group(1).strip()[:120], (description.group(1).strip()[:600] if description else "")


async def model_name(client: ModelClient, facets: Sequence[str], fallback: Naming) -> Naming:
    """Ask the analyst to name a cluster from ``facets``; the fallback when the call fails or the reply has no name."""
    try:
        reply = await client.complete(name_request(facets, client.model))
    except ModelCallError:
        return fallback
    parsed = parse_naming(reply.text)
    if parsed is None:
        return fallback
    return Naming(parsed[0], parsed[1] or fallback.description, "model")
