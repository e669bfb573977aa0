"""From clusters to themes: the privacy floor, names, descriptions, examples, members.

The floor is applied here, once, before anything is named: a cluster with
fewer than ``min_size`` distinct queries (conversations) gets no name, no
description, no terms and no examples (not even a request to the analyst);
its members are counted under "other".
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.insights.cluster import Hierarchy
from harness.insights.name import NAME_SAMPLE, Naming, distinguishing_terms, model_name, offline_name
from harness.insights.records import Other, Theme
from harness.insights.select import FACET_SEPARATOR, Item
from harness.models.client import ModelClient

if TYPE_CHECKING:
    import numpy as np

    from harness.insights.embed import TermCounts

__all__ = ["build_themes"]

_EXAMPLES = 3
_EXAMPLE_CHARS = 240


@dataclass
class _Cluster:
    """A cluster that passed the floor, before it is named."""

    rows: np.ndarray
    terms: list[str]
    quotable: np.ndarray  # rows that may be quoted or shown to the analyst: not in a hidden sub-cluster
    naming: Naming | None = None


def _units(items: Sequence[Item], rows: np.ndarray) -> int:
    return len({items[i].unit for i in rows})


def _nearest_distinct(vectors: np.ndarray, rows: np.ndarray, items: Sequence[Item], limit: int) -> list[int]:
    """Rows nearest the cluster's centre, one per distinct query, ties by answer id."""
    import numpy as np

    centre = vectors[rows].mean(axis=0)
    similarity = np.round(vectors[rows] @ centre, 9)  # rounded: ties must not hinge on float noise
    ranked = sorted(range(len(rows)), key=lambda i: (-similarity[i], items[int(rows[i])].id))
    picked: list[int] = []
    seen: set[str] = set()
    for i in ranked:
        row = int(rows[i])
        if items[row].unit not in seen:
            seen.add(items[row].unit)
            picked.append(row)
            if len(picked) == limit:
                break
    return picked


def _excerpt(text: str) -> str:
    flat = " ".join(text.replace(FACET_SEPARATOR, " — ").split())
    return flat if len(flat) <= _EXAMPLE_CHARS else flat[: _EXAMPLE_CHARS - 1] + "…"


async def build_themes(
    items: Sequence[Item],
    facets: Sequence[str],
    vectors: np.ndarray,
    hierarchy: Hierarchy,
    terms: TermCounts,
    min_size: int,
    analyst: ModelClient | None = None,
) -> tuple[list[Theme], Other]:
    """Named themes (with their named sub-themes) and the "other" bucket."""
    import numpy as np

    units = np.asarray([item.unit for item in items], dtype=object)
    labels = hierarchy.themes.labels
    all_rows = {t: np.flatnonzero(labels == t) for t in range(hierarchy.themes.k)}
    shown = {t: rows for t, rows in all_rows.items() if _units(items, rows) >= min_size}
    hidden = [rows for t, rows in all_rows.items() if t not in shown]
    top_terms = distinguishing_terms(terms, shown, units, min_size)
    clusters: dict[tuple[int, int], _Cluster] = {(t, -1): _Cluster(rows, top_terms[t], rows) for t, rows in shown.items()}
    hidden_subs: dict[int, int] = {}
    for t, rows in shown.items():
        if t not in hierarchy.sub_partitions:
            continue
        sub_labels = hierarchy.subthemes[rows]
        subs = {s: rows[sub_labels == s] for s in range(hierarchy.sub_partitions[t].k)}
        visible = {s: r for s, r in subs.items() if _units(items, r) >= min_size}
        if len(visible) < 2:  # one named sub-theme would only repeat its theme
            continue
        hidden_subs[t] = sum(len(r) for s, r in subs.items() if s not in visible)
        # Members of a sub-cluster under the floor are counted, never quoted,
        # not even as examples of the theme around them.
        clusters[(t, -1)].quotable = np.sort(np.concatenate(list(visible.values())))
        sub_terms = distinguishing_terms(terms, visible, units, min_size)
        for s, r in visible.items():
            clusters[(t, s)] = _Cluster(r, sub_terms[s], r)
    await _name_all(clusters, items, facets, vectors, analyst)
    themes = []
    for number, t in enumerate(sorted(shown), start=1):
        children = sorted(s for (tt, s) in clusters if tt == t and s >= 0)
        theme = _theme(f"T{number}", clusters[(t, -1)], items, facets, vectors)
        theme.subthemes = [
            _theme(f"T{number}.{i}", clusters[(t, s)], items, facets, vectors) for i, s in enumerate(children, start=1)
        ]
        theme.other_subtheme_answers = hidden_subs.get(t, 0)
        themes.append(theme)
    hidden_rows = np.concatenate(hidden) if hidden else np.asarray([], dtype=np.int64)
    other = Other(
        n_answers=len(hidden_rows),
        n_clusters=len(hidden),
        by_arm=dict(sorted(Counter(items[i].arm for i in hidden_rows).items())),
        member_ids=sorted(items[i].id for i in hidden_rows),
    )
    return themes, other


async def _name_all(
    clusters: dict[tuple[int, int], _Cluster],
    items: Sequence[Item],
    facets: Sequence[str],
    vectors: np.ndarray,
    analyst: ModelClient | None,
) -> None:
    """Name every cluster that passed the floor: offline names first, then the analyst's where there is one."""
    for cluster in clusters.values():
        kinds = Counter(k for i in cluster.rows for k in items[i].kinds)
        cluster.naming = offline_name(cluster.terms, kinds, len(cluster.rows), _units(items, cluster.rows))
    if analyst is None:
        return

    async def ask(cluster: _Cluster) -> None:
        sample = [facets[i] for i in _nearest_distinct(vectors, cluster.quotable, items, NAME_SAMPLE)]
        assert cluster.naming is not None
        cluster.naming = await model_name(analyst, sample, cluster.naming)

    await asyncio.gather(*(ask(clusters[key]) for key in sorted(clusters)))


def _theme(theme_id: str, cluster: _Cluster, items: Sequence[Item], facets: Sequence[str], vectors: np.ndarray) -> Theme:
    rows = cluster.rows
    assert cluster.naming is not None
    kinds = Counter(k for i in rows for k in items[i].kinds)
    return Theme(
        id=theme_id,
        name=cluster.naming.name,
        description=cluster.naming.description,
        named_by=cluster.naming.by,
        terms=cluster.terms,
        n_answers=len(rows),
        n_queries=_units(items, rows),
        kinds=dict(sorted(kinds.items())),
        by_arm=dict(sorted(Counter(items[i].arm for i in rows).items())),
        examples=[_excerpt(facets[i]) for i in _nearest_distinct(vectors, cluster.quotable, items, _EXAMPLES)],
        member_ids=sorted(items[i].id for i in rows),
    )
