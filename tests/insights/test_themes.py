"""Themes from given clusters: the privacy floor at the sub-theme level."""

from __future__ import annotations

import asyncio

import numpy as np

from harness.insights.cluster import Hierarchy, Partition
from harness.insights.embed import count_terms, tfidf_svd
from harness.insights.facets import offline_facets
from harness.insights.select import select_items
from harness.insights.themes import build_themes
from harness.models.client import ModelClient
from tests.insights.analysts import fake_analyst
from tests.insights.mixture import mixture


def test_a_small_sub_cluster_is_counted_but_never_quoted_or_shown_to_the_analyst() -> None:
    scores, _ = mixture(30, 0)
    items = select_items(scores)
    facets = offline_facets(items).texts
    terms = count_terms(facets)
    vectors = tfidf_svd(terms).vectors
    # One theme; sub-clusters: two large ones, and the answers of the two queries
    # nearest the theme's centre on their own (so they would be its examples).
    similarity = vectors @ vectors.mean(axis=0)
    ranked = [items[i].unit for i in np.argsort(-similarity, kind="stable")]
    small_units = set(list(dict.fromkeys(ranked))[:2])
    units = sorted({item.unit for item in items} - small_units)
    half = set(units[: len(units) // 2])
    sub = np.asarray([2 if i.unit in small_units else 0 if i.unit in half else 1 for i in items])
    hierarchy = Hierarchy(
        themes=Partition(np.zeros(len(items), dtype=np.int64), 1), subthemes=sub,
        sub_partitions={0: Partition(sub, 3)}, description="given",
    )
    small_ids = {i.id for i in items if i.unit in small_units}
    small_facets = {facets[n] for n, i in enumerate(items) if i.unit in small_units}
    analyst = fake_analyst()

    themes, other = asyncio.run(build_themes(items, facets, vectors, hierarchy, terms, 5, ModelClient(analyst, None)))

    (theme,) = themes
    assert len(theme.subthemes) == 2 and theme.other_subtheme_answers == len(small_ids)
    assert small_ids <= set(theme.member_ids)  # counted in the theme...
    assert not any(small_ids & set(s.member_ids) for s in theme.subthemes)  # ...in no shown sub-theme
    quoted = " ".join(theme.examples + [e for s in theme.subthemes for e in s.examples])
    assert not any(f.split(" | ")[0] in quoted for f in small_facets)
    prompts = " ".join(r.messages[-1].content for r in analyst.requests if r.purpose == "insights_name")
    assert not any(f.split(" | ")[0] in prompts for f in small_facets)
    assert other.n_answers == 0
