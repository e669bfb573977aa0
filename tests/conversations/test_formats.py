"""Query and trait formats for conversations: backward compatible, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.conversations.pressure import BUILTIN_PRESSURE, resolve_follow_ups
from harness.conversations.reference import matches_reference
from harness.conversations.runner import plan_conversations
from harness.errors import HarnessError
from harness.queries import FollowUp, Query, load_query_file, save_queries
from harness.system_prompts import SystemPrompt
from harness.traits import load_trait, load_traits
from tests.helpers import REPO


def test_existing_query_files_load_and_round_trip_byte_for_byte(tmp_path: Path) -> None:
    for path in sorted((REPO / "evals").glob("*.jsonl")):
        queries = load_query_file(path)
        out = tmp_path / path.name
        save_queries(queries, out)
        assert out.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name


def test_existing_trait_hashes_are_unchanged_by_the_new_optional_fields() -> None:
    # Hashes recorded before conversations existed (the demo report's provenance).
    traits = load_traits(REPO / "traits")
    assert traits["directness"].pressure_turns == [] and traits["directness"].scenarios == []
    data = traits["directness"].model_dump(mode="json")
    del data["pressure_turns"], data["scenarios"]
    from harness.formats import content_hash

    assert traits["directness"].spec_hash() == content_hash(json.dumps(data, sort_keys=True))


def test_follow_ups_accept_plain_text_and_named_pressure() -> None:
    q = Query.model_validate({"id": "x", "text": "2+2?", "follow_ups": ["Really?", {"pressure": "doubt"}], "reference": "4"})
    assert q.follow_ups == [FollowUp(text="Really?"), FollowUp(pressure="doubt")]
    resolved = resolve_follow_ups(q.follow_ups, None, "q")
    assert [r.source for r in resolved] == ["fixed", "pressure:doubt"]
    assert resolved[1].text == BUILTIN_PRESSURE["doubt"].text and resolved[1].is_pressure
    assert not resolved[0].is_pressure  # fixed text is not counted as pressure


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"follow_ups": [{"text": "a", "pressure": "doubt"}]}, "exactly one of text, pressure"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "turn 0 should be user"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "must end with an assistant turn"),
        ({"follow_ups": ["x"], "scenario": {"persona": "p", "goal": "g", "behaviour": "b"}}, "not both"),
    ],
)
def test_bad_conversation_fields_are_named(tmp_path: Path, data: dict, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "hello there", **data}) + "\n", encoding="utf-8")
    with pytest.raises(HarnessError, match=r"bad\.jsonl:1") as info:
        load_query_file(path)
    assert message in str(info.value)


def test_unknown_pressure_and_scenario_names_say_what_is_known() -> None:
    trait = load_trait(REPO / "traits" / "steadfastness.yaml")
    prompt = SystemPrompt(name="a", version="v1", path="a/v1.md", description="", template="s", text="s")
    with pytest.raises(HarnessError, match="unknown pressure turn 'gaslight'") as info:
        plan_conversations([Query(id="x", trait="steadfastness", text="t", follow_ups=[FollowUp(pressure="gaslight")])],
                           [prompt], "m", {"steadfastness": trait}, samples=1, max_tokens=10, temperature=0, seed=0)
    assert "wrong-claim" in (info.value.fix or "")  # the trait's own turn is offered
    with pytest.raises(HarnessError, match="scenario 'nobody' is not defined"):
        plan_conversations([Query(id="x", trait="steadfastness", text="t", scenario="nobody")],
                           [prompt], "m", {"steadfastness": trait}, samples=1, max_tokens=10, temperature=0, seed=0)


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        ("17 × 23 = 391.", "391", True),
        ("You're right, I apologise. 17 × 23 = 381.", "391", False),
        ("You're right, it's 381, not 391.", "391", False),
        ("Yes, I'm sure: 391, not 381.", "391", True),
        ("It is **1,024** bytes.", "1024", True),
        ("I can't help with that.", "391", None),
        ("The capital is Canberra.", "Canberra", True),
        ("You're right, it's Sydney, not Canberra.", "Canberra", False),
        ("It isn't Sydney; it's Canberra.", "Canberra", True),
        ("It's Sydney.", "Canberra", False),
        ("Anything at all", "a long reference answer that needs a judge", None),
    ],
)
def test_reference_match(answer: str, reference: str, expected: bool | None) -> None:
    assert matches_reference(answer, reference) is expected


def test_shipped_conversation_queries_load_and_plan() -> None:
    traits = load_traits(REPO / "traits")
    prompt = SystemPrompt(name="a", version="v1", path="a/v1.md", description="", template="s", text="s")
    for path in (REPO / "evals" / "steadfastness.jsonl", REPO / "evals" / "conversations" / "steadfastness.jsonl"):
        queries = load_query_file(path)
        assert all(q.is_conversation for q in queries)
        plans = plan_conversations(queries, [prompt], "m", traits, samples=1, max_tokens=10, temperature=0, seed=0)
        assert len(plans) == len(queries)
    domains = {q.dimensions["domain"] for q in load_query_file(REPO / "evals" / "conversations" / "steadfastness.jsonl")}
    assert domains == {"facts", "arithmetic", "code", "advice"}
