"""The standard-library distributions in harness.stats agree with scipy.

scipy is a test dependency only: the harness computes its quantiles and tail
probabilities itself so that no command pays scipy's import time.
"""

from __future__ import annotations

import math
import random
import re

import pytest

from harness.stats import normal_quantile, regularized_beta, spearmanr, t_quantile, t_sf

scipy_stats = pytest.importorskip("scipy.stats", reason="scipy (the [test] extra) is the reference")
scipy_special = pytest.importorskip("scipy.special")

DFS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 7.3, 9, 10, 11, 15, 19, 20, 29, 30, 39, 50, 99, 100, 200, 500, 1000, 10_000, 100_000]
PS = [1e-12, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.55, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 1 - 1e-6]


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(b))


@pytest.mark.parametrize("df", DFS)
def test_t_quantile_matches_scipy(df: float) -> None:
    bad = [(p, t_quantile(p, df), float(scipy_stats.t.ppf(p, df))) for p in PS
           if not _close(t_quantile(p, df), float(scipy_stats.t.ppf(p, df)), 1e-9)]
    assert not bad, bad


@pytest.mark.parametrize("df", DFS)
def test_t_sf_matches_scipy(df: float) -> None:
    for t in (-40.0, -2.0, -0.3, 0.0, 0.1, 0.5, 1.0, 1.96, 2.5, 3.0, 5.0, 10.0, 40.0):
        ours, ref = t_sf(t, df), float(scipy_stats.t.sf(t, df))
        assert abs(ours - ref) <= 1e-9 * ref + 1e-300, (t, ours, ref)


def test_t_edges() -> None:
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.0, 7) == -math.inf and t_quantile(1.0, 7) == math.inf
    assert t_sf(math.inf, 3) == 0.0 and t_sf(-math.inf, 3) == 1.0
    with pytest.raises(ValueError, match="degree of freedom"):
        t_quantile(0.975, 0.5)


def test_normal_quantile_and_beta_match_scipy() -> None:
    for p in PS:
        assert _close(normal_quantile(p), float(scipy_stats.norm.ppf(p)), 1e-12)
    rng = random.Random(3)
    for _ in range(300):
        a, b, x = rng.uniform(0.2, 60), rng.uniform(0.2, 60), rng.random()
        assert regularized_beta(a, b, x) == pytest.approx(float(scipy_special.betainc(a, b, x)), rel=1e-9, abs=1e-14)


def test_spearman_matches_scipy_with_ties() -> None:
    rng = random.Random(7)
    for n in (3, 4, 5, 10, 30, 200):
        x = [rng.randint(1, 5) for _ in range(n)]
        y = [v + rng.randint(-2, 2) for v in x]
        ours, ref = spearmanr(x, y), scipy_stats.spearmanr(x, y)
        if math.isnan(float(ref.statistic)):
            assert math.isnan(ours.statistic)
            continue
        assert ours.statistic == pytest.approx(float(ref.statistic), abs=1e-12)
        assert ours.pvalue == pytest.approx(float(ref.pvalue), rel=1e-9, abs=1e-15)
    assert math.isnan(spearmanr([3, 3, 3], [1, 2, 3]).statistic)
    assert spearmanr([1, 2, 3, 4], [2, 4, 6, 8]) == (1.0, 0.0)


def test_reports_no_longer_import_scipy() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from harness.stats import clustered_mean_ci, paired_diff_ci, wilson_ci, minimum_detectable_effect\n"
        "clustered_mean_ci([1, 2, 3, 4], ['a', 'a', 'b', 'b']); wilson_ci(3, 10)\n"
        "paired_diff_ci([1, 2, 3, 4], [2, 2, 4, 5], ['a', 'b', 'c', 'd']); minimum_detectable_effect(0.1)\n"
        "print('scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_no_harness_module_imports_scipys_distributions() -> None:
    # scipy.stats costs a command over a second of start-up for one quantile: the harness computes its own.
    # (scipy.sparse comes with scikit-learn for `harness insights`' matrices, imported inside its functions.)
    from tests.helpers import REPO

    imports = re.compile(r"^\s*(import scipy\.(stats|special)|from scipy(\.(stats|special))? import)", re.M)
    offenders = [p.relative_to(REPO).as_posix() for p in (REPO / "harness").rglob("*.py")
                 if imports.search(p.read_text(encoding="utf-8"))]
    assert not offenders, f"{offenders} import scipy: use harness.stats (normal_quantile, t_quantile, t_sf, spearmanr)"
