"""Embeddings of the facets: the provider's embedding model, or TF-IDF + SVD offline.

Both return L2-normalised rows, so Euclidean k-means on them clusters by
cosine similarity. Identical facets (the K samples of a query often give the
same one) are embedded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.models.base import EmbedRequest
from harness.models.client import ModelClient

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

__all__ = ["Embedding", "TermCounts", "count_terms", "model_embedding", "tfidf_svd"]

#: Dimensions kept by the SVD: enough for a few dozen themes, cheap to cluster.
SVD_DIMS = 64
#: Texts per embeddings request.
EMBED_BATCH = 64


@dataclass
class TermCounts:
    """Word and two-word counts of the distinct facets, shared by embedding and naming."""

    unique: list[str]
    index: np.ndarray  # facet i is unique[index[i]]
    counts: csr_matrix  # unique facets × terms
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
    # min_df=2 keeps a term only if two distinct facets share it: one-off words
    # cannot name a theme and would only add noise (and identifying detail).
    min_df = 2 if len(unique) > 2 else 1
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=min_df, max_features=50_000, dtype=np.float32)
    try:
        counts = vectorizer.fit_transform(unique)
        terms = vectorizer.get_feature_names_out()
    except ValueError:  # no term survives (e.g. every facet is a stop word)
        from scipy.sparse import csr_matrix

        counts, terms = csr_matrix((len(unique), 0), dtype=np.float32), np.asarray([], dtype=object)
    return TermCounts(list(unique), index.ravel(), counts.tocsr(), terms)


def tfidf_svd(terms: TermCounts, dims: int = SVD_DIMS, seed: int = 0) -> Embedding:
    """TF-IDF of the counts, reduced by truncated SVD (latent semantic analysis); deterministic for a seed."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    from threadpoolctl import threadpool_limits

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
