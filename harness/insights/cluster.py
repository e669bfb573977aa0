"""Clusters of the embedded facets, in two levels, with the number of clusters chosen from the data.

Themes: k-means for each k in a range, keeping the fewest clusters whose
silhouette (how much closer each point is to its own cluster than to the
next one) is within :data:`SILHOUETTE_TOLERANCE` of the best, on a fixed
random sample so that 100,000 answers cluster in seconds; every answer
is then assigned to the nearest centre. Sub-themes: the same within each theme,
kept only when the split is clearly real (silhouette at least
:data:`SUB_MIN_SILHOUETTE`). Everything is seeded: same vectors, same clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Hierarchy", "Partition", "cluster_two_levels", "partition"]

#: Most themes considered; more than a reader can use.
MAX_THEMES = 20
#: Most sub-themes per theme.
MAX_SUBTHEMES = 6
#: Answers k-means is fitted on (and the silhouette measured on) at each level.
FIT_SAMPLE = 3000
SILHOUETTE_SAMPLE = 1500
#: A theme is split only when its best split's silhouette reaches this. A
#: split of one round Gaussian blob scores about 0.02 in the 64 dimensions of the
#: embeddings (0.05 in 16, 0.3 in two dimensions, where this would be too low).
SUB_MIN_SILHOUETTE = 0.25
#: The fewest clusters whose silhouette is within this of the best are kept:
#: differences that small are k-means noise, and fewer themes read better.
SILHOUETTE_TOLERANCE = 0.02


@dataclass
class Partition:
    """Labels 0..k-1 (numbered by size, largest first) and how k was chosen."""

    labels: np.ndarray
    k: int
    silhouettes: dict[int, float] = field(default_factory=dict)
    silhouette: float | None = None  # of the k chosen


@dataclass
class Hierarchy:
    """Theme and sub-theme labels per answer (sub-theme -1: its theme was not split)."""

    themes: Partition
    subthemes: np.ndarray
    sub_partitions: dict[int, Partition]
    description: str


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    import numpy as np

    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def partition(vectors: np.ndarray, units: Sequence[str], k_max: int, seed: int = 0) -> Partition:
    """Cluster ``vectors`` into the k in 2..k_max with the best silhouette (k=1 when k_max < 2).

    ``units`` (the query of each row) are used only to count distinct ones.
    """
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(vectors)
    fit_rows = _sample(n, FIT_SAMPLE, seed)
    fit = vectors[fit_rows]
    distinct = len(np.unique(fit, axis=0))
    k_max = min(k_max, distinct)
    if k_max < 2:
        return Partition(np.zeros(n, dtype=np.int64), 1)
    score_rows = _sample(len(fit), SILHOUETTE_SAMPLE, seed + 1)
    fits: dict[int, tuple[float, KMeans]] = {}
    for k in range(2, k_max + 1):
        model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(fit)
        labels = model.labels_[score_rows]
        if len(np.unique(labels)) < 2:
            continue
        fits[k] = (round(float(silhouette_score(fit[score_rows], labels)), 4), model)
    if not fits:
        return Partition(np.zeros(n, dtype=np.int64), 1)
    top = max(score for score, _ in fits.values())
    k = min(k for k, (score, _) in fits.items() if score >= top - SILHOUETTE_TOLERANCE)
    best = fits[k]
    silhouettes = {k: score for k, (score, _) in fits.items()}
    labels = _by_size(best[1].predict(vectors))
    return Partition(labels, int(labels.max()) + 1, silhouettes, best[0])


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber labels by cluster size, largest first (ties: first row seen), so numbering is stable."""
    import numpy as np

    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], first[i]))
    mapping = np.empty(int(values.max()) + 1, dtype=np.int64)
    for new, i in enumerate(order):
        mapping[values[i]] = new
    return mapping[labels]


def _k_max(units: Sequence[str], min_size: int, cap: int) -> int:
    # More clusters than there are groups of min_size distinct queries could
    # never all be named: do not look for them.
    return min(cap, len(set(units)) // max(1, min_size))


def cluster_two_levels(vectors: np.ndarray, units: Sequence[str], min_size: int, seed: int = 0) -> Hierarchy:
    """Themes, then sub-themes within each theme large enough to hold two that could be named."""
    from threadpoolctl import threadpool_limits

    # One thread: the fits are on samples of a few thousand rows, where
    # OpenMP's thread start-up and spinning cost more than they save (many
    # times more on a busy machine), and one thread gives the same floating-point
    # sums, so the same clusters, on any number of cores.
    with threadpool_limits(limits=1):
        return _two_levels(vectors, units, min_size, seed)


def _two_levels(vectors: np.ndarray, units: Sequence[str], min_size: int, seed: int) -> Hierarchy:
    import numpy as np

    themes = partition(vectors, units, _k_max(units, min_size, MAX_THEMES), seed)
    subthemes = np.full(len(vectors), -1, dtype=np.int64)
    subs: dict[int, Partition] = {}
    unit_array = np.asarray(units, dtype=object)
    for theme in range(themes.k):
        rows = np.flatnonzero(themes.labels == theme)
        members = unit_array[rows].tolist()
        k_max = _k_max(members, min_size, MAX_SUBTHEMES)
        if k_max < 2:
            continue
        split = partition(vectors[rows], members, k_max, seed)
        if split.k >= 2 and (split.silhouette or 0.0) >= SUB_MIN_SILHOUETTE:
            subthemes[rows] = split.labels
            subs[theme] = split
    description = (
        f"k-means (scikit-learn) on the embeddings; themes: k over "
        f"2..{min(MAX_THEMES, max(2, len(set(units)) // max(1, min_size)))}, the fewest clusters whose silhouette "
        f"is within {SILHOUETTE_TOLERANCE} of the best (fitted on at most {FIT_SAMPLE} answers, silhouette on "
        f"{SILHOUETTE_SAMPLE}); sub-themes: the same within each theme, kept when the silhouette is at least "
        f"{SUB_MIN_SILHOUETTE}"
    )
    return Hierarchy(themes, subthemes, subs, description)
