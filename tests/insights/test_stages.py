"""The stages on their own: term counts, TF-IDF + SVD, choosing k, distinguishing terms."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from harness.insights.cluster import cluster_two_levels, partition
from harness.insights.embed import count_terms, tfidf_svd
from harness.insights.name import distinguishing_terms, offline_name


def test_word_pairs_never_span_the_parts_of_a_facet() -> None:
    texts = ["review my code | filler praise"] * 3 + ["review my essay | over refusal"] * 3

    terms = set(count_terms(texts).terms)

    assert {"review code", "filler praise", "review essay"} <= terms
    assert "code filler" not in terms and "essay refusal" not in terms


def test_a_term_needs_two_answers_even_if_one_facet_stands_for_many() -> None:
    texts = ["alpha beta"] * 5 + ["alpha gamma"]

    counts = count_terms(texts)

    assert "beta" in counts.terms  # one distinct facet, five answers
    assert "gamma" not in counts.terms  # one answer
    assert len(counts.unique) == 2 and list(counts.index) == [0, 0, 0, 0, 0, 1]


def test_tfidf_svd_is_deterministic_and_normalised() -> None:
    texts = [f"{topic} question number {i % 7} about {topic}" for topic in ("tax", "code", "garden") for i in range(30)]
    counts = count_terms(texts)

    first, second = tfidf_svd(counts, seed=0), tfidf_svd(counts, seed=0)

    assert np.array_equal(first.vectors, second.vectors)
    assert np.allclose(np.linalg.norm(first.vectors, axis=1), 1.0)
    assert first.vectors.shape[0] == len(texts) and "truncated SVD" in first.method


def test_partition_finds_the_number_of_blobs() -> None:
    vectors, truth = make_blobs(n_samples=600, centers=4, n_features=8, cluster_std=0.6, random_state=3)
    units = [f"q{i}" for i in range(len(vectors))]

    found = partition(vectors, units, k_max=12)

    assert found.k == 4 and adjusted_rand_score(truth, found.labels) > 0.95
    sizes = np.bincount(found.labels)
    assert list(sizes) == sorted(sizes, reverse=True)  # numbered by size


def test_sub_themes_only_where_a_split_is_clear() -> None:
    # Two far-apart groups in 16 dimensions (embeddings have 64; in two, any
    # round blob splits with a silhouette near 0.3): the first is itself two
    # clear blobs, the second one round blob.
    a, b, c = np.zeros(16), np.zeros(16), np.full(16, 40.0)
    b[0] = 4.0
    inner, _ = make_blobs(n_samples=300, centers=[a, b], cluster_std=0.3, random_state=1)
    far, _ = make_blobs(n_samples=300, centers=[c], cluster_std=1.0, random_state=2)
    vectors = np.vstack([inner, far])
    units = [f"q{i}" for i in range(len(vectors))]

    hierarchy = cluster_two_levels(vectors, units, min_size=5)

    assert hierarchy.themes.k == 2
    split = {t for t in range(2) if t in hierarchy.sub_partitions}
    inner_theme = hierarchy.themes.labels[0]
    assert split == {inner_theme} and hierarchy.sub_partitions[inner_theme].k == 2


def test_no_more_clusters_than_the_floor_allows() -> None:
    vectors, _ = make_blobs(n_samples=200, centers=8, n_features=4, random_state=0)
    units = [f"q{i % 12}" for i in range(200)]  # 12 distinct queries, floor 5: at most 2 nameable clusters

    assert partition(vectors, units, k_max=12 // 5).k <= 2


def test_terms_must_be_used_by_enough_distinct_queries() -> None:
    texts = [f"medication dose question {i}" for i in range(6)] + ["medication dose zebrafish"] * 4
    units = np.asarray([f"q{i}" for i in range(6)] + ["z1", "z2", "z3", "z4"], dtype=object)
    counts = count_terms(texts)

    shown = distinguishing_terms(counts, {0: np.arange(10)}, units, min_support=5)[0]

    assert "medication" in shown and "dose" in shown
    assert not any("zebrafish" in t for t in shown)  # four distinct queries use it: under the floor of 5
    assert any("zebrafish" in t for t in distinguishing_terms(counts, {0: np.arange(10)}, units, min_support=4)[0])


def test_offline_name_says_the_dominant_kind() -> None:
    from collections import Counter

    assert offline_name(["dose", "age"], Counter({"over_refusal": 9, "filler": 2}), 10, 8).name == "over-refusal: dose, age"
    assert offline_name(["x"], Counter({"over_refusal": 4, "filler": 4}), 10, 8).name == "mixed failures: x"


def test_facets_with_no_shared_term_make_one_cluster() -> None:
    counts = count_terms(["the", "a the", "of", "the"])

    embedding = tfidf_svd(counts)

    assert embedding.vectors.shape == (4, 1) and "no term" in embedding.method
    assert cluster_two_levels(embedding.vectors, ["a", "b", "c", "d"], 1).themes.k == 1
    assert distinguishing_terms(counts, {0: np.arange(4)}, np.asarray(list("abcd"), dtype=object), 1) == {0: []}
