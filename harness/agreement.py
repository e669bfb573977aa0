"""Agreement statistics between two raters (a scorer and humans, or two judgings).

One convention for undefined values: a statistic that the data cannot define
(no items, constant input, total chance agreement) is None, never NaN or 0.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["cohen_kappa", "confusion_matrix", "spearman"]


def confusion_matrix(truth: Sequence[object], predicted: Sequence[object], labels: Sequence[object]) -> list[list[int]]:
    """Counts ``[i][j]`` of items whose truth is ``labels[i]`` and prediction ``labels[j]``."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t]][index[p]] += 1
    return matrix


def cohen_kappa(
    truth: Sequence[object], predicted: Sequence[object], labels: Sequence[object], *, quadratic: bool = False
) -> float | None:
    """Cohen's κ: agreement beyond chance, 1 perfect, 0 chance; None when undefined.

    With ``quadratic``, disagreements are weighted by the squared distance
    between the labels' positions (for ordinal scores: 3 vs 4 costs a little, 1
    vs 5 a lot). Undefined: no items, or chance agreement is total.
    """
    n = len(truth)
    if n == 0 or len(labels) < 2:
        return None
    matrix = confusion_matrix(truth, predicted, labels)
    k = len(labels)
    rows = [sum(matrix[i]) / n for i in range(k)]
    cols = [sum(matrix[i][j] for i in range(k)) / n for j in range(k)]

    def weight(i: int, j: int) -> float:
        if quadratic:
            return ((i - j) / (k - 1)) ** 2
        return float(i != j)

    observed = sum(weight(i, j) * matrix[i][j] / n for i in range(k) for j in range(k))
    expected = sum(weight(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k))
    if expected == 0:
        return None
    return 1 - observed / expected


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, float | None]:
    """Spearman's rank correlation and its two-sided p-value; None when undefined (n < 3, constant input)."""
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None, None
    from harness.stats import spearmanr  # scipy is not a dependency: harness.stats computes it

    result = spearmanr(x, y)
    return float(result.statistic), float(result.pvalue)
