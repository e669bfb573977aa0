"""``harness insights`` from files: load runs or scored files, pick arms, set up the models, write.

Everything the command does, callable from Python; the CLI only parses and prints.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.config import Project
from harness.errors import HarnessError
from harness.insights.analyse import DEFAULT_MIN_CLUSTER_SIZE, InsightsOptions, find_insights_async, paused_gc
from harness.insights.records import Insights
from harness.insights.report import write_insights
from harness.insights.select import DEFAULT_LOW_ADHERENCE
from harness.models.client import CallStats, ModelClient
from harness.scores.records import ScoredAnswer

if TYPE_CHECKING:
    from harness.models.base import Provider
    from harness.models.cache import ResponseCache

__all__ = ["InsightsOutcome", "default_name", "insights_for_files", "load_sources", "resolve_arm"]


@dataclass
class InsightsOutcome:
    """What ``harness insights`` produced."""

    insights: Insights
    paths: tuple[Path, Path]
    analyst_stats: CallStats | None
    embed_stats: CallStats | None


def _label(source: str) -> str:
    path = Path(source)
    return path.parent.name if path.suffix == ".jsonl" and path.stem in ("scores", "results") else (path.stem or path.name)


def load_sources(sources: Sequence[str]) -> list[ScoredAnswer]:
    """Scored answers of every source, loaded as ``harness view`` loads them.

    An arm found in two sources becomes ``<source name>:<arm>`` in each (and its
    answers' ids follow), so the member ids in the insights file are the ids the
    viewer shows.
    """
    from harness.viewer.data import load_sources as load_for_view

    with paused_gc():
        return load_for_view(sources)


def resolve_arm(scores: Sequence[ScoredAnswer], name: str) -> str:
    """The arm ``name`` means: the arm itself, its version after '@', or the arm after a source prefix."""
    arms = sorted({s.arm for s in scores})
    for match in (
        lambda a: a == name,
        lambda a: a.split(":")[-1] == name,
        lambda a: a.split("@")[-1] == name,
    ):
        found = [a for a in arms if match(a)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise HarnessError(f"arm {name!r} is ambiguous: {', '.join(found)}", fix="give the full arm name")
    raise HarnessError(f"no arm matches {name!r}", fix=f"arms are: {', '.join(arms) or 'none'}")


def default_name(sources: Sequence[str]) -> str:
    """A report name from the sources (``insights-<name>.md``)."""
    name = "+".join(_label(s) for s in sources)
    return re.sub(r"[^A-Za-z0-9._+@-]+", "_", name)[:100] or "insights"


def _embedder(
    project: Project, embed: str, analyst: ModelClient | None, cache: ResponseCache
) -> tuple[ModelClient | None, bool]:
    """The embedding client (None = offline) and whether to fall back to offline when it fails."""
    from harness.runs import make_client

    if embed == "local":
        return None, False
    if embed != "auto":
        return make_client(project, embed, cache), False
    if analyst is None or analyst.provider.embedding_model is None:
        return None, False
    provider = analyst.provider
    if provider.full_name == f"{provider.provider}/{provider.embedding_model}":
        return make_client(project, provider, cache), True
    return make_client(project, f"{provider.provider}/{provider.embedding_model}", cache), True


async def _find_and_close(scores: Sequence[ScoredAnswer], options: InsightsOptions, owned: list[ModelClient]) -> Insights:
    try:
        return await find_insights_async(scores, options)
    finally:
        # On this loop, while it runs: an SDK client closed after the loop has
        # gone raises from the garbage collector.
        for client in owned:
            await client.aclose()


def insights_for_files(
    project: Project,
    sources: Sequence[str],
    out: Path,
    *,
    arms: Sequence[str] | None = None,
    select: str = "failures",
    judge: str | None = "none",
    embed: str = "auto",
    min_cluster_size: int = DEFAULT_MIN_CLUSTER_SIZE,
    low_adherence: float = DEFAULT_LOW_ADHERENCE,
    name: str | None = None,
    judge_provider: Provider | None = None,
) -> InsightsOutcome:
    """Load ``sources``, find insights, write ``insights-<name>.md|json`` into ``out``.

    Args:
        judge: the analyst model (``none``: the offline path, no model at all).
        embed: ``auto`` (the analyst provider's embedding model if it has one,
            else offline), ``local`` (TF-IDF + SVD) or an embedding model string.
        judge_provider: a provider to use as the analyst instead of ``judge`` (tests).
    """
    from harness.models.cache import ResponseCache
    from harness.runs import make_judge_client

    if not sources:
        raise HarnessError("no runs or scored files given", fix="harness insights runs/<name> [more…]")
    scores = load_sources(sources)
    pair = None
    if arms:
        if len(arms) != 2:
            raise HarnessError("--arms takes two arms, A and B", fix="e.g. --arms v1 v2")
        pair = (resolve_arm(scores, arms[0]), resolve_arm(scores, arms[1]))
        if pair[0] == pair[1]:
            raise HarnessError(f"--arms names the same arm twice ({pair[0]})")
    cache = ResponseCache(project.cache_path)
    analyst = embedder = None
    try:
        analyst = make_judge_client(project, judge, judge_provider, cache)
        embedder, fallback = _embedder(project, embed, analyst, cache)
        options = InsightsOptions(
            name=name or default_name(sources), sources=list(sources), arms=pair, select=select,
            low_adherence=low_adherence, analyst=analyst, embedder=embedder, embed_fallback=fallback,
            min_cluster_size=min_cluster_size,
            smoke_test=bool(analyst and analyst.provider.smoke_test_only),
        )
        owned = [c for c in (analyst if judge_provider is None else None, embedder) if c is not None]
        insights = asyncio.run(_find_and_close(scores, options, owned))
    finally:
        cache.close()
    paths = write_insights(insights, out)
    return InsightsOutcome(
        insights, paths, analyst.stats if analyst else None, embedder.stats if embedder is not None else None
    )
