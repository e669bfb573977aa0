"""The example content shipped in traits/, system_prompts/ and evals/ stays valid and consistent.

These files are what users read and copy first, so a spec, prompt or query set
that no longer loads, or that drifts out of step with the others, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.queries import Query, load_query_file, make_query_id, save_queries
from harness.system_prompts import list_prompts, load_prompt
from harness.traits import TraitSpec, load_traits, trait_json_schema

ROOT = Path(__file__).parent.parent
TRAITS_DIR = ROOT / "traits"
PROMPTS_DIR = ROOT / "system_prompts"
EVALS_DIR = ROOT / "evals"
QUERY_FILES = sorted(EVALS_DIR.glob("*.jsonl"))


@pytest.fixture(scope="module")
def traits() -> dict[str, TraitSpec]:
    return load_traits(TRAITS_DIR)


def test_ships_at_least_four_traits(traits: dict[str, TraitSpec]) -> None:
    assert len(traits) >= 4
    assert {"directness", "intellectual_honesty", "even_handedness", "warmth_with_curiosity"} <= set(traits)


def test_trait_yaml_points_editors_at_the_schema() -> None:
    for path in sorted(TRAITS_DIR.glob("*.yaml")):
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=./trait.schema.json", path


def test_published_schema_matches_the_model() -> None:
    published = json.loads((TRAITS_DIR / "trait.schema.json").read_text(encoding="utf-8"))
    assert published == trait_json_schema(), "regenerate traits/trait.schema.json with `harness schema`"


def test_every_prompt_renders_and_v2_differs_from_v1() -> None:
    refs = list_prompts(PROMPTS_DIR)
    assert {"assistant@v1", "assistant@v2"} <= set(refs)
    prompts = {ref: load_prompt(PROMPTS_DIR, ref) for ref in refs}
    for prompt in prompts.values():
        assert prompt.text.strip()
        assert "{{" not in prompt.text
    v1, v2 = prompts["assistant@v1"], prompts["assistant@v2"]
    assert v1.text != v2.text
    assert v1.hash != v2.hash


def test_query_sets_exist() -> None:
    names = {path.stem for path in QUERY_FILES}
    assert {"directness", "intellectual_honesty", "even_handedness", "warmth_with_curiosity", "over_refusal"} <= names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_queries_match_their_traits(path: Path, traits: dict[str, TraitSpec]) -> None:
    queries = load_query_file(path)
    assert queries, f"{path.name} is empty"
    for query in queries:
        assert query.id == make_query_id(query.trait, query.text), f"{path.name}: {query.text!r}"
        if query.trait is None:
            continue
        assert query.trait in traits, f"{path.name}: unknown trait {query.trait!r}"
        allowed = traits[query.trait].dimensions
        for key, value in query.dimensions.items():
            assert key in allowed, f"{path.name}: {query.id} uses unknown dimension {key!r}"
            assert value in allowed[key], f"{path.name}: {query.id} has {key}={value!r}, not one of {allowed[key]}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_files_are_in_saved_order(path: Path, tmp_path: Path) -> None:
    resaved = tmp_path / path.name
    save_queries(load_query_file(path), resaved)
    assert resaved.read_bytes() == path.read_bytes(), f"re-save {path.name} with harness.queries.save_queries"


def test_over_refusal_set_has_benign_and_unsafe_requests() -> None:
    queries: list[Query] = load_query_file(EVALS_DIR / "over_refusal.jsonl")
    assert all(q.trait is None for q in queries)
    assert any(q.should_refuse for q in queries)
    assert any(not q.should_refuse for q in queries)
