"""The insights pipeline: select → facets → embed → cluster → name → compare arms.

``find_insights_async`` is the core; ``find_insights`` the sync edge. With no
analyst and no embedder, no model is used at all (the offline path).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.errors import HarnessError, ModelCallError
from harness.insights.cluster import cluster_two_levels
from harness.insights.embed import Embedding, TermCounts, count_terms, model_embedding, tfidf_svd
from harness.insights.facets import facet_prompt_hash, model_facets, offline_facets
from harness.insights.name import name_prompt_hash
from harness.insights.records import Insights, InsightsMethod, Other, Selection, Theme
from harness.insights.select import DEFAULT_LOW_ADHERENCE, FAILURE_KINDS, select_items
from harness.insights.shifts import compare_theme_shares
from harness.insights.themes import build_themes
from harness.models.client import ModelClient
from harness.scores.records import ScoredAnswer

if TYPE_CHECKING:
    from harness.api import Results

__all__ = ["DEFAULT_MIN_CLUSTER_SIZE", "InsightsOptions", "find_insights", "find_insights_async"]

#: Fewest distinct queries (conversations) a cluster needs to be named, described or quoted.
DEFAULT_MIN_CLUSTER_SIZE = 5


@dataclass
class InsightsOptions:
    """How to find insights.

    Args:
        name: the report name (files ``insights-<name>.md|json``).
        sources: where the scores came from, for the record.
        arms: two arms to compare (A, B); only their answers are analysed.
        select: ``failures``, ``all`` or an expression over the findings.
        low_adherence: an adherence score at or below this is a failure.
        analyst: model for facets and names; None = offline facets and term names.
        embedder: client of an embedding model; None = TF-IDF + SVD.
        embed_fallback: when the embedder fails, fall back to TF-IDF + SVD with a
            warning (for an embedder chosen automatically) instead of raising.
        min_cluster_size: the privacy floor, in distinct queries.
        seed: seeds the SVD and k-means.
        smoke_test: the analyst is the bundled smoke-test model.
        timings: if given, filled with seconds per stage.
    """

    name: str
    sources: list[str] = field(default_factory=list)
    arms: tuple[str, str] | None = None
    select: str = "failures"
    low_adherence: float = DEFAULT_LOW_ADHERENCE
    analyst: ModelClient | None = None
    embedder: ModelClient | None = None
    embed_fallback: bool = False
    min_cluster_size: int = DEFAULT_MIN_CLUSTER_SIZE
    seed: int = 0
    smoke_test: bool = False
    timings: dict[str, float] | None = None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk job, then restore it.

    Loading and analysing 100,000 answers allocates millions of small acyclic
    objects; each allocation burst triggers collections that rescan every live
    object, which tripled the time to load 100,000 scored answers. Nothing
    here makes reference cycles worth collecting mid-way.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _stage(options: InsightsOptions, name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        if options.timings is not None:
            options.timings[name] = options.timings.get(name, 0.0) + time.perf_counter() - start


async def _embed(terms: TermCounts, options: InsightsOptions, warnings: list[str]) -> Embedding:
    """The embedder's vectors, or TF-IDF + SVD (also when an automatically chosen embedder fails)."""
    if options.embedder is not None:
        try:
            return await model_embedding(options.embedder, terms)
        except ModelCallError as exc:
            if not options.embed_fallback:
                raise
            warnings.append(f"the embedding model failed ({exc.message}); used the offline TF-IDF embedding instead")
    return tfidf_svd(terms, seed=options.seed)


async def find_insights_async(scores: Sequence[ScoredAnswer] | Results, options: InsightsOptions) -> Insights:
    """Failure themes of ``scores`` (scored answers, or what ``harness.load``/``run``/``score`` return).

    Raises:
        HarnessError: bad options, an unknown arm, or a failed embedder (without fallback).
    """
    with paused_gc():
        answers: Sequence[ScoredAnswer] = scores.scores if hasattr(scores, "scores") else scores
        return await _find(answers, options)


async def _find(scores: Sequence[ScoredAnswer], options: InsightsOptions) -> Insights:
    if options.min_cluster_size < 1:
        raise HarnessError(f"--min-cluster-size must be at least 1, not {options.min_cluster_size}")
    pool = [s for s in scores if options.arms is None or s.arm in options.arms]
    with _stage(options, "select"):
        items = select_items(pool, options.select, options.low_adherence)
    warnings: list[str] = []
    with _stage(options, "facets"):
        facets = await model_facets(options.analyst, items) if options.analyst and items else offline_facets(items)
    themes: list[Theme] = []
    other, hierarchy, embedding_method = Other(n_answers=0, n_clusters=0), None, "none: nothing was selected"
    if items:
        with _stage(options, "embed"):
            terms = count_terms(facets.texts)
            embedding = await _embed(terms, options, warnings)
            embedding_method = embedding.method
        with _stage(options, "cluster"):
            units = [item.unit for item in items]
            hierarchy = cluster_two_levels(embedding.vectors, units, options.min_cluster_size, options.seed)
        with _stage(options, "name"):
            themes, other = await build_themes(
                items, facets.texts, embedding.vectors, hierarchy, terms, options.min_cluster_size, options.analyst
            )
    arms = None
    with _stage(options, "compare"):
        if options.arms is not None:
            a_name, b_name = options.arms
            arms = compare_theme_shares(
                a_name, [s for s in pool if s.arm == a_name], b_name, [s for s in pool if s.arm == b_name], themes, other
            )
    analyst = options.analyst.model if options.analyst else None
    kinds = Counter(k for item in items for k in item.kinds)
    return Insights(
        name=options.name,
        method=InsightsMethod(
            sources=options.sources,
            facets=facets.method,
            facet_fallbacks=facets.fallbacks,
            embedding=embedding_method,
            clustering=hierarchy.description if hierarchy else "none: nothing was selected",
            naming=f"model: {analyst}, from up to 12 facets nearest each cluster's centre" if analyst
            else "offline: the dominant failure kind and the top c-TF-IDF terms",
            analyst_model=analyst,
            facet_prompt_hash=facet_prompt_hash() if analyst else None,
            name_prompt_hash=name_prompt_hash() if analyst else None,
            min_cluster_size=options.min_cluster_size,
            seed=options.seed,
            k=hierarchy.themes.k if hierarchy else 0,
            silhouettes={str(k): v for k, v in sorted(hierarchy.themes.silhouettes.items())} if hierarchy else {},
            smoke_test=options.smoke_test,
            warnings=warnings,
        ),
        selection=Selection(
            rule=options.select,
            low_adherence=options.low_adherence,
            n_scored=sum(s.response is not None for s in pool),
            n_selected=len(items),
            kinds={k: kinds[k] for k in FAILURE_KINDS if kinds[k]},
        ),
        themes=themes,
        other=other,
        arms=arms,
    )


def find_insights(scores: Sequence[ScoredAnswer] | Results, options: InsightsOptions) -> Insights:
    """Sync form of :func:`find_insights_async`; works in scripts and notebooks alike."""
    from harness._sync import run_sync

    return run_sync(find_insights_async(scores, options))
