"""Comparing arms: each theme's share in A vs B, with an interval, sorted by change."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.insights import InsightsOptions, find_insights, render_insights_markdown
from harness.insights.shifts import newcombe_diff
from harness.scores.checks import refusal_score
from harness.scores.records import ScoredAnswer
from harness.scores.refusal import RefusalVerdict
from harness.scores.score import Scorer
from tests.insights.mixture import mixture


def test_newcombe_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80,
    # difference 0.2, hybrid score interval (method 10) 0.0524 to 0.3339.
    delta, low, high = newcombe_diff(48, 80, 56, 70)
    assert (round(delta, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)


def _answered(s: ScoredAnswer) -> ScoredAnswer:
    """The same slot answered well: no refusal, so not selected."""
    answered = s.model_copy(update={
        "response": "For most adults the usual dose is on the label; check with the prescriber for older patients.",
    })
    return Scorer.merge(answered, {"refusal": refusal_score(RefusalVerdict(label="full_compliance", cues=[], reason="answered"))})


def test_what_got_worse_comes_first_paired() -> None:
    scores, truth = mixture(40, 20, context=True, arms=("v1", "v2"))
    # v1 answered the dosage questions; v2 refuses them: that theme rose in v2.
    scores = [_answered(s) if s.arm == "v1" and truth[s.id] == "dosage_refusal" else s for s in scores]

    insights = find_insights(scores, InsightsOptions(name="ab", arms=("v1", "v2")))

    assert insights.arms is not None and insights.arms.paired
    top = insights.arms.rows[0]
    members = next(t for t in insights.themes if t.id == top.theme_id).member_ids
    assert Counter(truth[m] for m in members).most_common(1)[0][0] == "dosage_refusal"
    # The 40 dosage answers v2 refuses (noise refusals, alike in both arms, may share the theme).
    assert top.b_count - top.a_count == sum(truth[s.id] == "dosage_refusal" and s.arm == "v2" for s in scores)
    assert top.ci_low > 0
    assert top.delta == pytest.approx(top.b_share - top.a_share, abs=1e-4)
    # Themes both arms share equally: no change, intervals around 0.
    for row in insights.arms.rows[1:]:
        assert row.delta == 0 and row.ci_low < 0 < row.ci_high
    assert [r.delta for r in insights.arms.rows] == sorted((r.delta for r in insights.arms.rows), reverse=True)
    assert "What changed: v2 vs v1" in render_insights_markdown(insights)


def test_unmatched_arms_use_the_unpaired_interval() -> None:
    a, _ = mixture(30, 10, arms=("v1",), seed=1)
    b, _ = mixture(30, 10, arms=("v2",), seed=2)

    insights = find_insights(a + b, InsightsOptions(name="ab", arms=("v1", "v2")))

    assert insights.arms is not None and not insights.arms.paired
    assert "Newcombe's hybrid score" in insights.arms.interval
    for row in insights.arms.rows:
        assert row.ci_low <= row.delta <= row.ci_high
        assert row.a_total == sum(s.arm == "v1" and s.response is not None for s in a + b)


def test_a_few_failed_calls_do_not_unpair_the_arms() -> None:
    scores, _ = mixture(30, 10, arms=("v1", "v2"))
    failed = next(s for s in scores if s.arm == "v2")
    scores = [s.model_copy(update={"response": None, "error": "timeout"}) if s is failed else s for s in scores]

    insights = find_insights(scores, InsightsOptions(name="ab", arms=("v1", "v2")))

    assert insights.arms is not None and insights.arms.paired
    answered = sum(s.arm == "v1" for s in scores) - 1
    assert all(r.a_total == r.b_total == answered for r in insights.arms.rows)
    assert f"paired on the {answered} (query, sample) slots" in insights.arms.interval
