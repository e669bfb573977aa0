"""Embeddings of the facets: the provider's embedding model, or TF-IDF + SVD offline.

Both return L2-normalised rows, so Euclidean k-means on them clusters by
cosine similarity. Identical facets (the K samples of a query often give the
same one) are embedded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.insights.select import FACET_SEPARATOR
from harness.models.base import EmbedRequest
from harness.models.client import ModelClient

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Embedding", "TermCounts", "count_terms", "model_embedding", "tfidf_svd"]

#: Dimensions kept by the SVD: enough for a few dozen themes, cheap to cluster.
SVD_DIMS = 64
#: Most terms kept (the most used).
MAX_TERMS = 50_000
#: Texts per embeddings request.
EMBED_BATCH = 64


@dataclass
class TermCounts:
    """Word and two-word counts of the distinct facets, shared by embedding and naming."""

    unique: list[str]
    index: np.ndarray  # facet i is unique[index[i]]
    counts: Any  # unique facets × terms: a sparse matrix from scikit-learn (or an empty array)
    terms: np.ndarray  # term strings, by column


@dataclass
class Embedding:
    """One row per facet, L2-normalised, and how it was made."""

    vectors: np.ndarray
    method: str


def count_terms(texts: Sequence[str]) -> TermCounts:
    """Count the words and word pairs of the distinct texts (English stop words dropped)."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    unique, index = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    words = CountVectorizer(stop_words="english", ngram_range=(1, 2)).build_analyzer()

    def analyse(text: str) -> list[str]:
        # Word pairs within each part of a facet, never across the query and a finding.
        return [term for part in text.split(FACET_SEPARATOR) for term in words(part)]

    vectorizer = CountVectorizer(analyzer=analyse, dtype=np.float32)
    try:
        counts = vectorizer.fit_transform(unique).tocsr()
        terms = vectorizer.get_feature_names_out()
    except ValueError:  # no term at all (e.g. every facet is stop words)
        return TermCounts(list(unique), index.ravel(), np.zeros((len(unique), 0), dtype=np.float32), np.asarray([], dtype=object))
    # Keep a term only if two answers use it (one-off words cannot name a theme,
    # only add noise and identifying detail), and at most MAX_TERMS of them,
    # the most used. Answers, not distinct facets: one facet may stand for many.
    present = counts.copy()
    present.data[:] = 1
    answers_using = np.asarray(present.T @ np.bincount(index.ravel(), minlength=len(unique))).ravel()
    keep = np.flatnonzero(answers_using >= (2 if len(index) > 2 else 1))
    if len(keep) > MAX_TERMS:
        # Most used first; ties by column (the terms' alphabetical order), so it is deterministic.
        keep = np.sort(keep[np.lexsort((keep, -answers_using[keep]))[:MAX_TERMS]])
    counts, terms = counts[:, keep], terms[keep]
    return TermCounts(list(unique), index.ravel(), counts.tocsr(), terms)


def tfidf_svd(terms: TermCounts, dims: int = SVD_DIMS, seed: int = 0) -> Embedding:
    """TF-IDF of the counts, reduced by truncated SVD (latent semantic analysis); deterministic for a seed."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    if terms.counts.shape[1] == 0:  # no term two answers share: nothing to tell the facets apart by
        return Embedding(np.zeros((len(terms.index), 1)), "offline: none (no term is shared by two answers)")
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(terms.counts)
    n_unique, n_terms = tfidf.shape
    k = min(dims, n_terms - 1, n_unique - 1)
    if k >= 2:
        # One BLAS thread, as in clustering: the same sums (so the same
        # vectors) on any machine, and no thread contention on a busy one.
        with threadpool_limits(limits=1):
            svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=4, random_state=seed)
            reduced = svd.fit_transform(tfidf)
        method = f"offline: TF-IDF (words and word pairs) + truncated SVD to {k} dimensions (scikit-learn)"
    else:  # too few distinct facets to reduce: use the TF-IDF rows themselves
        reduced = tfidf.toarray() if n_terms else np.zeros((n_unique, 1))
        method = "offline: TF-IDF (words and word pairs) (scikit-learn)"
    vectors = normalize(np.asarray(reduced, dtype=np.float64))
    return Embedding(vectors[terms.index], method)


async def model_embedding(client: ModelClient, terms: TermCounts) -> Embedding:
    """Embed the distinct facets with the client's embedding model, in fixed batches (cached, accounted).

    Raises:
        ModelCallError: a batch failed after retries.
    """
    import asyncio

    import numpy as np
    from sklearn.preprocessing import normalize

    batches = [tuple(terms.unique[i : i + EMBED_BATCH]) for i in range(0, len(terms.unique), EMBED_BATCH)]
    replies = await asyncio.gather(
        *(client.embed(EmbedRequest(model=client.model, inputs=batch, purpose="insights_embed")) for batch in batches)
    )
    rows = [vector for reply in replies for vector in reply.vectors]
    vectors = normalize(np.asarray(rows, dtype=np.float64))
    return Embedding(vectors[terms.index], f"model: {client.model} embeddings")
