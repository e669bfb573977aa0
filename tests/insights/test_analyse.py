"""The insights pipeline on a mixture with known themes: offline and with a scripted analyst."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from harness.errors import HarnessError
from harness.insights import (
    Insights,
    InsightsOptions,
    find_insights,
    find_insights_async,
    insights_frame,
    load_insights,
    render_insights_markdown,
    write_insights,
)
from harness.models.cache import ResponseCache
from harness.models.client import ModelClient
from tests.insights.analysts import NAMES, NOISE_NAME, NOISE_SUMMARY, TOPICS, fake_analyst
from tests.insights.mixture import THEMES, mixture


def _ari(insights: Insights, truth: dict[str, str]) -> float:
    frame = insights_frame(insights)
    return float(adjusted_rand_score([truth[i] for i in frame.answer_id], list(frame.theme_id)))


def _majority(ids: list[str], truth: dict[str, str]) -> tuple[str, float]:
    key, n = Counter(truth[i] for i in ids).most_common(1)[0]
    return key, n / len(ids)


@pytest.mark.parametrize("seed", [0, 1])
def test_offline_path_recovers_known_themes(seed: int) -> None:
    scores, truth = mixture(40, 20, seed=seed, context=True)

    insights = find_insights(scores, InsightsOptions(name="mix", seed=seed))

    assert _ari(insights, truth) >= 0.6
    assert {_majority(t.member_ids, truth)[0] for t in insights.themes} == {t.key for t in THEMES}
    assert all(t.named_by == "terms" for t in insights.themes)
    assert insights.method.embedding.startswith("offline: TF-IDF")
    assert insights.method.analyst_model is None
    # Offline names carry the failure kind and terms of the request.
    themes = {_majority(t.member_ids, truth)[0]: t for t in insights.themes}
    assert themes["dosage_refusal"].name.startswith("over-refusal:") and "dose" in " ".join(themes["dosage_refusal"].terms)
    assert themes["firewall_refusal"].name.startswith("over-refusal:") and "port" in " ".join(themes["firewall_refusal"].terms)
    assert themes["code_review_filler"].name.startswith("filler:") and "review" in " ".join(themes["code_review_filler"].terms)
    assert themes["lock_compliance"].name.startswith("unsafe compliance:")
    assert themes["hedged_decision"].name.startswith("low adherence:")


def test_offline_outputs_are_deterministic(tmp_path: Path) -> None:
    scores, _ = mixture(30, 10, context=True, arms=("A", "B"))
    first = write_insights(find_insights(scores, InsightsOptions(name="x", arms=("A", "B"))), tmp_path / "one")
    second = write_insights(find_insights(list(reversed(scores)), InsightsOptions(name="x", arms=("A", "B"))), tmp_path / "two")

    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert load_insights(first[1]) == load_insights(second[1])


def test_model_path_scripted_analyst_names_the_themes(tmp_path: Path) -> None:
    scores, truth = mixture(40, 20, context=True)
    analyst = fake_analyst()

    async def run(cache: ResponseCache) -> tuple[Insights, ModelClient]:
        client = ModelClient(analyst, cache)
        return await find_insights_async(scores, InsightsOptions(name="mix", analyst=client)), client

    cache = ResponseCache(tmp_path / "cache.sqlite")
    insights, client = asyncio.run(run(cache))

    assert _ari(insights, truth) >= 0.6
    named = {_majority(t.member_ids, truth)[0]: t for t in insights.themes}
    expected = {"dosage_refusal": "usual daily dose", "code_review_filler": "review this", "lock_compliance": "without a key",
                "hedged_decision": "just tell me which", "firewall_refusal": "incoming traffic"}
    assert set(named) - {"noise"} == set(expected)
    for key, topic in expected.items():
        assert named[key].name == NAMES[topic] and named[key].named_by == "model"
    if "noise" in named:
        assert named["noise"].name == NOISE_NAME
    # Facets are the analyst's summaries, not the queries.
    summaries = {summary for summary, _ in TOPICS.values()} | {NOISE_SUMMARY}
    assert all(example in summaries for t in insights.themes for example in t.examples)
    assert insights.method.facets.startswith("model: fake/analyst") and insights.method.facet_prompt_hash
    by_purpose = client.stats.by_purpose
    assert by_purpose["insights_facet"] > 0 and by_purpose["insights_name"] >= len(insights.themes)

    # Same inputs and cache: no model call, same bytes.
    again, client2 = asyncio.run(run(cache))
    cache.close()
    assert client2.stats.api_calls == 0
    assert render_insights_markdown(again) == render_insights_markdown(insights)
    assert again.model_dump_json() == insights.model_dump_json()


def test_model_embeddings_go_through_the_client(tmp_path: Path) -> None:
    scores, truth = mixture(30, 10)
    analyst = fake_analyst(embeddings=True)

    async def run() -> tuple[Insights, ModelClient]:
        cache = ResponseCache(tmp_path / "cache.sqlite")
        client = ModelClient(analyst, cache)
        try:
            return await find_insights_async(scores, InsightsOptions(name="e", analyst=client, embedder=client)), client
        finally:
            cache.close()

    insights, _ = asyncio.run(run())

    assert insights.method.embedding == "model: fake/analyst embeddings"
    assert analyst.embed_requests and all(r.purpose == "insights_embed" for r in analyst.embed_requests)
    assert _ari(insights, truth) >= 0.6
    _, client2 = asyncio.run(run())
    assert client2.stats.api_calls == 0 and client2.stats.cache_hits > 0


def test_a_failing_embedder_falls_back_only_when_allowed() -> None:
    scores, _ = mixture(10, 0)
    no_embeddings = ModelClient(fake_analyst(), None, max_attempts=1)

    fallback = find_insights(scores, InsightsOptions(name="f", embedder=no_embeddings, embed_fallback=True))
    assert fallback.method.embedding.startswith("offline") and "embedding model failed" in fallback.method.warnings[0]

    with pytest.raises(HarnessError, match="no embedding API"):
        find_insights(scores, InsightsOptions(name="f", embedder=no_embeddings))


def test_failed_facet_calls_fall_back_to_offline_facets() -> None:
    scores, _ = mixture(8, 0)
    broken = fake_analyst()
    broken.responder = lambda request: "" if "<user_message>" in request.messages[-1].content else "Name: X\nDescription: y"

    insights = find_insights(scores, InsightsOptions(name="b", analyst=ModelClient(broken, None)))

    assert insights.method.facet_fallbacks == insights.selection.n_selected > 0


def test_nothing_selected_gives_an_empty_report() -> None:
    scores, _ = mixture(5, 0)

    insights = find_insights(scores, InsightsOptions(name="none", select="adherence > 10"))

    assert insights.selection.n_selected == 0 and insights.themes == [] and insights.other.n_answers == 0
    assert "No theme reaches 5 distinct queries" in render_insights_markdown(insights)


def test_sync_form_works_inside_a_running_loop_and_takes_api_results() -> None:
    from types import SimpleNamespace

    scores, _ = mixture(10, 0)

    async def inside() -> Insights:  # as in a notebook; anything with .scores, like harness.load(...)
        return find_insights(SimpleNamespace(scores=scores), InsightsOptions(name="x"))  # type: ignore[arg-type]

    assert asyncio.run(inside()) == find_insights(scores, InsightsOptions(name="x"))


def test_json_is_self_describing(tmp_path: Path) -> None:
    scores, _ = mixture(20, 10)
    insights = find_insights(scores, InsightsOptions(name="j"))
    _, js = write_insights(insights, tmp_path)

    data = json.loads(js.read_text())
    members = [m for t in data["themes"] for m in t["member_ids"]] + data["other"]["member_ids"]
    assert sorted(members) == sorted(insights_frame(insights).answer_id)
    assert len(members) == len(set(members)) == data["selection"]["n_selected"]
    assert data["version"] == 1 and {"facets", "embedding", "clustering", "naming"} <= data["method"].keys()
    for theme in data["themes"]:
        inner = [m for s in theme["subthemes"] for m in s["member_ids"]]
        assert set(inner) <= set(theme["member_ids"])
        assert len(inner) + theme["other_subtheme_answers"] == (len(theme["member_ids"]) if theme["subthemes"] else 0)
