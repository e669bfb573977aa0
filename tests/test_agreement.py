"""Agreement statistics: one convention for data that cannot define them (None)."""

from __future__ import annotations

import pytest

from harness.agreement import cohen_kappa, spearman


@pytest.mark.parametrize("quadratic", [False, True])
def test_undefined_agreement_is_none_never_nan(quadratic: bool) -> None:
    assert cohen_kappa([], [], [1, 2, 3], quadratic=quadratic) is None
    assert cohen_kappa([2, 2], [2, 2], [1, 2, 3], quadratic=quadratic) is None  # chance agreement is total
    assert cohen_kappa([1], [1], [1], quadratic=quadratic) is None  # a one-level scale
    assert spearman([], []) == (None, None) and spearman([1, 2, 3], [4, 4, 4]) == (None, None)


def test_trait_quality_and_calibration_share_the_weighted_kappa() -> None:
    from harness import calibration, trait_quality

    assert calibration.cohen_kappa is cohen_kappa and trait_quality.cohen_kappa is cohen_kappa
