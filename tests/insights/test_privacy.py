"""The privacy floor: a cluster under ``min_cluster_size`` distinct queries is never named, described or quoted.

The mixture gets a rare theme: three distinct queries, each asked ten times
(thirty answers, but only three conversations), with words found nowhere else.
It forms its own cluster; that cluster must show up only as a count under
"other": not in the Markdown, the JSON, the DataFrame's theme names, nor in
anything sent to the analyst to name.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from harness.insights import (
    Insights,
    InsightsOptions,
    find_insights,
    find_insights_async,
    insights_frame,
    write_insights,
)
from harness.models.client import ModelClient
from tests.insights.analysts import TOPICS, fake_analyst
from tests.insights.mixture import mixture, rare_theme

RARE_WORDS = ("zorblax", "quibbleworth", "frangipane")


def _scores() -> tuple[list, set[str]]:
    scores, _ = mixture(40, 20, context=True)
    rare = rare_theme(samples=10)
    return scores + rare, {s.id for s in rare}


def _assert_nowhere(insights: Insights, directory: Path, words: tuple[str, ...]) -> None:
    md, js = write_insights(insights, directory)
    frame = insights_frame(insights)
    outputs = {
        "markdown": md.read_text(encoding="utf-8").lower(),
        "json": js.read_text(encoding="utf-8").lower(),
        "dataframe": frame.to_csv(index=False).lower(),
    }
    for where, text in outputs.items():
        for word in words:
            assert word not in text, f"{word!r} leaked into the {where}"


def _assert_hidden(insights: Insights, rare_ids: set[str]) -> None:
    """The rare answers formed a cluster of their own and it went, whole, to "other" (the test is not vacuous)."""
    assert rare_ids <= set(insights.other.member_ids)
    assert insights.other.n_clusters >= 1
    for theme in insights.themes:
        assert not rare_ids & set(theme.member_ids)
        assert theme.n_queries >= insights.method.min_cluster_size
        for sub in theme.subthemes:
            assert sub.n_queries >= insights.method.min_cluster_size
    frame = insights_frame(insights)
    assert set(frame[frame.answer_id.isin(rare_ids)].theme) == {"other"}


def test_offline_path_never_shows_a_small_cluster(tmp_path: Path) -> None:
    scores, rare_ids = _scores()

    insights = find_insights(scores, InsightsOptions(name="privacy"))

    _assert_hidden(insights, rare_ids)
    _assert_nowhere(insights, tmp_path, RARE_WORDS)


def test_model_path_never_names_or_shows_a_small_cluster(tmp_path: Path) -> None:
    scores, rare_ids = _scores()
    analyst = fake_analyst()

    async def run() -> Insights:
        return await find_insights_async(scores, InsightsOptions(name="privacy", analyst=ModelClient(analyst, None)))

    insights = asyncio.run(run())

    _assert_hidden(insights, rare_ids)
    rare_summary, rare_name = TOPICS["zorblax"]
    # Its members were summarised (every selected answer is), but the cluster
    # was never put to the analyst to name...
    naming_prompts = [r.messages[-1].content for r in analyst.requests if r.purpose == "insights_name"]
    assert naming_prompts and not any(rare_summary in p for p in naming_prompts)
    # ...and neither its summary nor any name for it is in the outputs.
    _assert_nowhere(insights, tmp_path, (*RARE_WORDS, rare_name.lower()))


def test_the_floor_is_what_hides_it(tmp_path: Path) -> None:
    """With the floor at three queries the same cluster is shown: so the floor, not chance, hid it above."""
    scores, rare_ids = _scores()

    insights = find_insights(scores, InsightsOptions(name="low-floor", min_cluster_size=3))

    shown = [t for t in insights.themes if rare_ids <= set(t.member_ids) or any(rare_ids <= set(s.member_ids) for s in t.subthemes)]
    assert shown
    md, _ = write_insights(insights, tmp_path)
    assert "zorblax" in md.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("min_size", [5, 12])
def test_terms_need_the_floor_of_distinct_queries(min_size: int) -> None:
    """A theme's terms are each used by at least min_cluster_size distinct queries of the theme."""
    scores, _ = mixture(40, 20, context=True)
    insights = find_insights(scores, InsightsOptions(name="terms", min_cluster_size=min_size))
    by_id = {s.id: s for s in scores}

    checked = 0
    for theme in insights.themes:
        queries = {by_id[m].query_id: by_id[m].query.lower() for m in theme.member_ids}
        for term in theme.terms:
            using = sum(all(word in text for word in term.split()) for text in queries.values())
            # Terms may come from the findings too (a judge's reason), which the query lacks: count those generously.
            if using:
                assert using >= min_size, (theme.name, term, using)
                checked += 1
    assert checked > 0


def test_json_of_a_hidden_cluster_holds_only_ids_and_counts(tmp_path: Path) -> None:
    scores, _ = _scores()
    insights = find_insights(scores, InsightsOptions(name="privacy"))
    _, js = write_insights(insights, tmp_path)

    other = json.loads(js.read_text())["other"]

    assert set(other) == {"n_answers", "n_clusters", "by_arm", "member_ids"}
